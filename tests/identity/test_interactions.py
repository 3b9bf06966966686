"""From messages to (message × counterpart) interaction rows."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalytics import schema as S
from netanalytics.io import _native
from netanalytics.io.report import LoadReport
from netanalytics.loader import build_interactions
from netanalytics.network import Network, coparticipation


def msg(
    mid,
    ts,
    sender,
    to=(),
    cc=(),
    *,
    bcc=(),
    thread=None,
    reply_to=None,
    channel="email",
    automated=False,
    listed=None,
):
    return {
        S.MESSAGE_ID: mid,
        S.SOURCE: "mbox",
        S.SOURCE_FILE: "x.mbox",
        S.CHANNEL: channel,
        S.TIMESTAMP: pd.Timestamp(ts, tz="UTC"),
        S.SENDER: sender,
        S.SENDER_NAME: None,
        S.TO: list(to),
        S.CC: list(cc),
        S.TO_NAMES: [],
        S.CC_NAMES: [],
        S.BCC: list(bcc),
        S.THREAD_ID: thread or mid,
        S.IN_REPLY_TO: reply_to,
        S.REFERENCES: [],
        S.SUBJECT: None,
        S.N_RECIPIENTS: len(to) + len(cc),
        S.IS_FROM_ME: False,
        S.IS_AUTOMATED: automated,
        S.MAILING_LIST: listed,
        S.FOLDER: None,
        S.LABELS: [],
    }


K2P = {
    "me@x.org": "me",
    "me@work.com": "me",
    "ann@a.com": "pA",
    "bob@b.com": "pB",
    "cy@c.com": "pC",
    "news@shop.com": None,
    "dev@lists.x.org": None,
}


def _people(ids):
    people = pd.DataFrame(
        {
            S.NAME: ids,
            S.EMAILS: [[] for _ in ids],
            S.LINKEDIN_URL: None,
            S.COMPANY: None,
            S.TITLE: None,
            S.DOMAIN: None,
            S.SOURCES: [[] for _ in ids],
            S.CONNECTED_ON: pd.NaT,
            S.TAGS: [[] for _ in ids],
            S.KIND: None,
            S.CADENCE_DAYS: float("nan"),
            S.IS_ME: [i == "me" for i in ids],
        },
        index=pd.Index(ids, name=S.PERSON_ID),
    )
    people[S.CONNECTED_ON] = pd.to_datetime(people[S.CONNECTED_ON], utc=True)
    return people


def run(rows):
    rep = LoadReport().new_file("(resolution)", "resolution")
    messages = pd.DataFrame(rows)
    inter, part, kept = build_interactions(messages, K2P, rep)
    return inter, part, kept, rep


def test_out_message_gives_one_row_per_recipient_person_in_gives_the_sender():
    inter, part, kept, rep = run(
        [
            msg(
                "m1",
                "2025-01-06 09:00",
                "me@x.org",
                to=["ann@a.com", "bob@b.com"],
                cc=["cy@c.com", "ann@a.com"],
            ),
            msg(
                "m2",
                "2025-01-06 11:00",
                "ann@a.com",
                to=["me@work.com", "bob@b.com"],
                thread="m1",
                reply_to="m1",
            ),
        ]
    )
    S.validate_interactions(inter)
    assert inter[[S.MESSAGE_ID, S.PERSON_ID, S.DIRECTION, S.ROLE]].values.tolist() == [
        ["m1", "pA", "out", "to"],
        ["m1", "pB", "out", "to"],
        ["m1", "pC", "out", "cc"],
        ["m2", "pA", "in", "from"],
    ]
    assert inter[S.N_PARTICIPANTS].tolist() == [4, 4, 4, 3]
    assert inter[S.IS_REPLY].tolist() == [False, False, False, True]
    assert inter[S.STARTS_THREAD].tolist() == [True, True, True, False]
    # bob is a co-recipient of m2: he is on the message (participation) but not an interaction
    assert sorted(part.loc[part[S.MESSAGE_ID] == "m2", S.PERSON_ID]) == ["me", "pA", "pB"]
    assert kept[S.IS_FROM_ME].tolist() == [True, False]


def test_automated_and_self_mail_are_left_out_and_counted():
    inter, part, kept, rep = run(
        [
            msg("m1", "2025-01-06 09:00", "news@shop.com", to=["me@x.org"], automated=True),
            msg("m2", "2025-01-07 09:00", "me@x.org", to=["me@work.com"]),
            msg("m3", "2025-01-08 09:00", "bob@b.com", to=["me@x.org"]),
        ]
    )
    assert inter[S.MESSAGE_ID].tolist() == ["m3"]
    assert rep.skipped["automated sender (no-reply, list, bulk)"] == 1
    assert rep.skipped["self-mail (only me on it)"] == 1
    assert rep.read == 2  # the resolution step accounts only for what it dropped


def test_my_bcc_recipients_are_counterparts_but_not_co_participants():
    inter, part, kept, rep = run(
        [
            # to Ann, Bob in Bcc (and Ann again, and me: neither adds a row)
            msg(
                "m1",
                "2025-01-06 09:00",
                "me@x.org",
                to=["ann@a.com"],
                bcc=["bob@b.com", "ann@a.com", "me@work.com"],
            ),
            # Bcc only: an interaction with Bob and Cy, not self-mail
            msg("m2", "2025-01-07 09:00", "me@x.org", bcc=["bob@b.com", "cy@c.com", "news@shop.com"]),
            # Bcc on incoming mail (it names me) adds nothing; Cy here is not a counterpart
            msg("m3", "2025-01-08 09:00", "ann@a.com", to=["bob@b.com"], bcc=["me@x.org", "cy@c.com"]),
            # Bcc only to myself: self-mail, as before
            msg("m4", "2025-01-09 09:00", "me@x.org", bcc=["me@work.com"]),
        ]
    )
    S.validate_interactions(inter)
    assert inter[[S.MESSAGE_ID, S.PERSON_ID, S.DIRECTION, S.ROLE, S.N_PARTICIPANTS]].values.tolist() == [
        ["m1", "pA", "out", "to", 3],
        ["m1", "pB", "out", "bcc", 3],
        ["m2", "pB", "out", "bcc", 3],
        ["m2", "pC", "out", "bcc", 3],
        ["m3", "pA", "in", "from", 3],
    ]
    assert rep.skipped["self-mail (only me on it)"] == 1
    assert kept[S.MESSAGE_ID].tolist() == ["m1", "m2", "m3"]
    # participation holds no Bcc row: Bob and Cy were not seen by Ann, nor by each other
    assert "bcc" not in set(part[S.ROLE])
    assert sorted(part.loc[part[S.MESSAGE_ID] == "m1", S.PERSON_ID]) == ["me", "pA"]
    assert sorted(part.loc[part[S.MESSAGE_ID] == "m2", S.PERSON_ID]) == ["me"]
    G = Network(people=_people(["me", "pA", "pB", "pC"]), identities=S.empty_frame(S.IDENTITIES),
                interactions=inter, participation=part).graph()  # fmt: skip
    # m3 (Ann to Bob) links Ann and Bob; the Bcc messages link no alters
    assert sorted(map(sorted, G.edges)) == [["me", "pA"], ["me", "pB"], ["me", "pC"], ["pA", "pB"]]
    assert G["me"]["pB"]["weight"] == 2 and G["pA"]["pB"]["messages"] == 1
    # without participation the interactions stand in, their Bcc rows left out (m1 links no one)
    G2 = Network(people=_people(["me", "pA", "pB", "pC"]), identities=S.empty_frame(S.IDENTITIES),
                 interactions=inter).graph()  # fmt: skip
    assert sorted(map(sorted, G2.edges)) == [["me", "pA"], ["me", "pB"], ["me", "pC"]]
    assert coparticipation(inter).empty


def test_linkedin_followups_in_a_conversation_are_replies():
    inter, *_ = run(
        [
            msg("l1", "2025-02-01 09:00", "ann@a.com", to=["me@x.org"], thread="c1", channel="linkedin"),
            msg("l2", "2025-02-01 10:00", "me@x.org", to=["ann@a.com"], thread="c1", channel="linkedin"),
        ]
    )
    assert inter[S.IS_REPLY].tolist() == [False, True]
    assert inter[S.DIRECTION].tolist() == ["in", "out"]


def test_graph_links_co_participants_with_broadcast_downweighting():
    rows = [msg("m1", "2025-01-06 09:00", "me@x.org", to=["ann@a.com", "bob@b.com"])]
    big = [f"u{i}@big.org" for i in range(12)]
    k2p = dict(K2P, **{a: f"u{i}" for i, a in enumerate(big)})
    rows.append(msg("m2", "2025-01-07 09:00", "me@x.org", to=["ann@a.com", "bob@b.com", *big]))
    rep = LoadReport().new_file("(resolution)", "resolution")
    inter, part, kept = build_interactions(pd.DataFrame(rows), k2p, rep)
    ids = ["me", "pA", "pB", "pC", *[f"u{i}" for i in range(12)]]
    net = Network(
        people=_people(ids), identities=S.empty_frame(S.IDENTITIES), interactions=inter, participation=part
    )
    G = net.graph()
    # m1 (3 people) adds 1 to ann–bob; m2 (15 people > 10) adds 1/13
    assert G["pA"]["pB"]["weight"] == 1 + 1 / 13
    assert G["pA"]["pB"]["messages"] == 2
    assert G["me"]["pA"]["weight"] == 2
    assert not G.has_edge("pC", "pA")
    D = net.graph(directed=True)
    assert D["me"]["pA"]["weight"] == 2 and not D.has_edge("pA", "me")


def test_list_mail_broadcasts_replies_and_direct_posts():
    L = "dev@lists.x.org"
    inter, part, kept, rep = run(
        [
            # ann posts to the list: a broadcast to me
            msg("l1", "2025-01-06 09:00", "ann@a.com", to=[L], listed=L),
            # bob posts too; cy as well, with me in Cc: direct
            msg("l2", "2025-01-06 10:00", "bob@b.com", to=[L], listed=L),
            msg("l3", "2025-01-06 11:00", "cy@c.com", to=[L], cc=["me@x.org"], listed=L),
            # I answer ann's post on the list only (the list set Reply-To to itself): a reply to ann
            msg("l4", "2025-01-06 12:00", "me@x.org", to=[L], reply_to="l1", thread="l1", listed=L),
            # bob answers my post on the list only: a reply to me, direct
            msg("l5", "2025-01-06 13:00", "bob@b.com", to=[L], reply_to="l4", thread="l1", listed=L),
            # my new post to the list, no one addressed
            msg("l6", "2025-01-06 14:00", "me@x.org", to=[L], listed=L),
        ]
    )
    got = inter[[S.MESSAGE_ID, S.PERSON_ID, S.DIRECTION, S.N_PARTICIPANTS]].values.tolist()
    # the list's audience: everyone seen posting to it (ann, bob, cy, me) -> 4
    assert got == [
        ["l1", "pA", "in", 4],
        ["l2", "pB", "in", 4],
        ["l3", "pC", "in", 2],
        ["l4", "pA", "out", 2],
        ["l5", "pB", "in", 2],
    ]
    assert rep.skipped == {"post to a mailing list, no person addressed": 1}
    assert sorted(part.loc[part[S.MESSAGE_ID] == "l4", S.PERSON_ID]) == ["me", "pA"]


def test_a_message_without_an_id_is_replied_to_by_no_one():
    # a message without a Message-ID (a source that gives none; the mail readers make one up) and
    # posts without In-Reply-To: a missing In-Reply-To replies to nothing, neither to a message
    # of someone else's without an id nor to one of mine
    L = "dev@lists.x.org"

    def rows_of(inter):  # (the missing id as NaN)
        inter = inter.assign(**{S.MESSAGE_ID: inter[S.MESSAGE_ID].fillna("(none)")})
        return inter[[S.MESSAGE_ID, S.PERSON_ID, S.DIRECTION, S.N_PARTICIPANTS]].values.tolist()

    posts = [
        msg("l1", "2025-01-06 09:00", "ann@a.com", to=[L], listed=L),
        # my new post to the list: no one addressed (it answers no one, not Cy)
        msg("l2", "2025-01-06 11:00", "me@x.org", to=[L], listed=L),
        # bob's new post: a broadcast to me (no reply to my message without an id)
        msg("l3", "2025-01-06 12:00", "bob@b.com", to=[L], listed=L),
    ]
    inter, part, _kept, rep = run([msg(None, "2025-01-06 08:00", "cy@c.com", to=["me@x.org"]), *posts])
    got = rows_of(inter)
    # the list's audience: ann, bob and me -> 3
    assert got == [["(none)", "pC", "in", 2], ["l1", "pA", "in", 3], ["l3", "pB", "in", 3]]
    assert rep.skipped == {"post to a mailing list, no person addressed": 1}
    assert "l2" not in set(part[S.MESSAGE_ID])  # (skipped: no participation rows either)
    inter, *_ = run([msg(None, "2025-01-06 08:00", "me@x.org", to=["bob@b.com"]), *posts])
    got = rows_of(inter)
    assert got == [["(none)", "pB", "out", 2], ["l1", "pA", "in", 3], ["l3", "pB", "in", 3]]


def test_rows_of_one_time_are_ordered_by_message_id_in_code_point_order():
    # four messages to me at one time and one earlier: ties go by message id as Python orders
    # strings (code points: "z" < "é" < U+FFFD < U+1F600, which UTF-16 order would not give)
    at, earlier = "2025-03-01 10:00", "2025-03-01 09:00"
    inter, _part, _kept, _rep = run(
        [
            msg("\U0001f600@x", at, "ann@a.com", to=["me@x.org"]),
            msg("é@x", at, "bob@b.com", to=["me@x.org"]),
            msg("\ufffd@x", at, "cy@c.com", to=["me@x.org"]),
            msg("z@x", at, "ann@a.com", to=["me@x.org"]),
            msg("zz@x", earlier, "bob@b.com", to=["me@x.org"]),
        ]
    )
    assert inter[S.MESSAGE_ID].tolist() == ["zz@x", "z@x", "é@x", "\ufffd@x", "\U0001f600@x"]


def test_time_rank_breaks_ties_by_id_with_a_missing_id_as_empty():
    from netanalytics.loader import _time_rank

    when = np.array([5, 3, 5, 5, 3, 5], np.int64)
    ids = np.array(["b", None, "a", "", "c", None], dtype=object)
    # time 3: None ("") then "c"; time 5: "" and None (equal: in their order), "a", "b"
    assert _time_rank(when, ids).tolist() == [5, 0, 4, 2, 1, 3]


# --- the message columns read per distinct list object (the readers share equal lists) ---------


@st.composite
def shared_lists(draw):
    pool = draw(
        st.lists(
            st.one_of(
                st.lists(st.sampled_from(["a@x", "b@x", "c@x", None]), max_size=4),
                st.tuples(st.sampled_from(["a@x", "d@x"])),
                st.none(),
                st.just(float("nan")),
            ),
            min_size=1,
            max_size=5,
        )
    )
    # rows pick cells from the pool: a cell picked twice is one object in two rows
    return [pool[i] for i in draw(st.lists(st.integers(0, len(pool) - 1), max_size=12))]


@settings(max_examples=300, deadline=None)
@given(shared_lists())
def test_flatten_gives_every_element_row_by_row(cells):
    from netanalytics.loader import _flatten

    rows, elements = [], []
    for i, cell in enumerate(cells):
        if isinstance(cell, list | tuple):
            rows += [i] * len(cell)
            elements += list(cell)
    lists_only = all(isinstance(c, list) for c in cells)
    for speedups in (_native.SPEEDUPS, None):  # (C's FlatTable where built, and the Python route)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_native, "SPEEDUPS", speedups)
            at, index, flat = _flatten(cells)
        assert at.tolist() == rows
        assert [flat[i] for i in index.tolist()] == elements
        if speedups is not None and lists_only:  # each distinct element object in flat once
            assert [id(e) for e in flat] == list(dict.fromkeys(map(id, elements)))
        else:  # each distinct list object's elements in flat once
            distinct = {id(c): c for c in cells}.values()
            assert len(flat) == sum(len(c) for c in distinct if isinstance(c, list | tuple))


# (the C route alone: the lists route holds each list's elements, as the property test above
# checks; CI builds the speedups and requires them, NETANALYTICS_REQUIRE_SPEEDUPS=1, so there this runs)
@pytest.mark.skipif(_native.SPEEDUPS is None, reason="the C speedups are not built (setup.py)")
def test_flatten_of_lists_only_holds_each_element_object_once():
    from netanalytics.loader import _flatten

    ann, bob = "ann@a.com", "bob@b.com"
    twin = "".join(["ann@", "a.com"])  # equal to ann, another object: another entry
    shared = [ann, bob]
    at, index, flat = _flatten([shared, [bob], [], shared, [twin, ann]])
    assert at.tolist() == [0, 0, 1, 3, 3, 4, 4]
    assert index.tolist() == [0, 1, 1, 0, 1, 2, 0]
    assert flat == [ann, bob, twin] and flat[2] is twin


def test_key_activity_counts_sightings_and_leaves_undated_ones_out_of_the_dates():
    from netanalytics.loader import _key_activity

    shared = ["ann@a.com", "bob@b.com"]  # one object on two messages
    rows = [
        msg("m1", "2025-01-02", "me@x.org", to=shared, cc=["ann@a.com"]),
        msg("m2", "2025-03-04", "cy@c.com", to=shared),
        msg("m3", "2025-02-01", "ann@a.com", to=["me@x.org"]),
        msg("m4", "2025-02-01", "dan@d.com", to=["me@x.org"]),
    ]
    messages = pd.DataFrame(rows)
    messages[S.TO] = pd.Series([shared, shared, ["me@x.org"], ["me@x.org", "ann@a.com"]], dtype=object)
    messages.loc[3, S.TIMESTAMP] = pd.NaT  # dan's only message has no date
    messages.loc[0, S.TO_NAMES] = None
    act = _key_activity(messages)
    t = {d: pd.Timestamp(d, tz="UTC") for d in ("2025-01-02", "2025-02-01", "2025-03-04")}
    assert act.values.tolist() == [
        # To of m1, m2 and m4 (undated), Cc of m1, From of m3
        ["ann@a.com", 5, t["2025-01-02"], t["2025-03-04"]],
        ["bob@b.com", 2, t["2025-01-02"], t["2025-03-04"]],
        ["cy@c.com", 1, t["2025-03-04"], t["2025-03-04"]],
        ["dan@d.com", 1, pd.NaT, pd.NaT],
        ["me@x.org", 3, t["2025-01-02"], t["2025-02-01"]],
    ]
    assert str(act["first_seen"].dtype) == str(messages[S.TIMESTAMP].dtype)


def test_participants_keep_each_sighting_once_in_order_and_drop_names_that_do_not_align():
    from netanalytics.loader import _participants

    to, to_names = ["ann@a.com", "bob@b.com"], ["Ann", "Bob"]  # shared by m1 and m3
    rows = [
        msg("m1", "2025-01-02", "me@x.org"),
        msg("m2", "2025-01-03", "cy@c.com"),
        msg("m3", "2025-01-04", "ann@a.com"),
        msg("m4", "2025-01-05", "ann@a.com"),
        msg("m5", "2025-01-06", "ann@a.com"),
    ]
    messages = pd.DataFrame(rows)
    messages[S.SENDER_NAME] = ["Me", None, "Ann A.", "Ann A.", "Ann A."]
    messages[S.TO] = pd.Series([to, ["bob@b.com", "dan@d.com"], to, to, None], dtype=object)
    # m2's names do not align; m4 has the keys of m1 with names of its own; m5 has no cells
    messages[S.TO_NAMES] = pd.Series([to_names, ["Bobby"], to_names, ["Ann", "Robert"], None], dtype=object)
    messages[S.CC] = pd.Series([None, ["ann@a.com"], [], [], None], dtype=object)
    messages[S.CC_NAMES] = pd.Series([None, ["Ann"], [], [], None], dtype=object)
    # Bcc keys (no names) of my own messages only, after the To and Cc sightings
    messages[S.BCC] = pd.Series([["eve@e.com", "ann@a.com"], ["zed@z.com"], [], None, []], dtype=object)
    empty = pd.DataFrame()
    got = _participants(messages, empty, empty, empty, me_keys={"me@x.org"})
    assert got.values.tolist() == [
        ["me@x.org", "Me"],
        ["cy@c.com", None],
        ["ann@a.com", "Ann A."],
        ["ann@a.com", "Ann"],
        ["bob@b.com", "Bob"],
        ["bob@b.com", None],
        ["dan@d.com", None],
        ["bob@b.com", "Robert"],
        ["eve@e.com", None],
        ["ann@a.com", None],
    ]
    assert (
        _participants(messages.drop(columns=[S.BCC]), empty, empty, empty).values.tolist()
        == got.values.tolist()[:-2]
    )
    # every cell a list (a mail reader's columns: the C route where it is built), the same
    for col in (S.TO, S.TO_NAMES, S.CC, S.CC_NAMES):
        messages[col] = messages[col].map(lambda cell: [] if cell is None else cell)
    assert (
        _participants(messages, empty, empty, empty, me_keys={"me@x.org"}).values.tolist()
        == got.values.tolist()
    )
    # the names as a reader's text column gives them (a missing one NaN): None all the same
    messages[S.SENDER_NAME] = messages[S.SENDER_NAME].astype("str")
    assert messages[S.SENDER_NAME].tolist()[1] != messages[S.SENDER_NAME].tolist()[1]  # (NaN)
    assert (
        _participants(messages, empty, empty, empty, me_keys={"me@x.org"}).values.tolist()
        == got.values.tolist()
    )
    # a message with no sender adds no sighting of one
    messages.loc[1, S.SENDER] = None
    assert _participants(messages, empty, empty, empty, me_keys={"me@x.org"}).values.tolist() == [
        row for row in got.values.tolist() if row[0] != "cy@c.com"
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["a@x", "b@x", "c@x", None]), max_size=3).flatmap(
            lambda keys: st.tuples(
                st.just(keys),
                st.one_of(  # names that match the keys' length (some missing), or not
                    st.lists(
                        st.sampled_from(["Ann", "Bob", None, float("nan")]),
                        min_size=len(keys),
                        max_size=len(keys),
                    ),
                    st.lists(st.sampled_from(["Ann", "Cy"]), max_size=4),
                ),
            )
        ),
        max_size=10,
    )
)
def test_recipient_pairs_are_the_same_by_either_route(rows):
    from netanalytics.loader import _recipient_pairs

    key_lists, name_lists = [k for k, _n in rows], [n for _k, n in rows]
    by_route = []
    for speedups in (_native.SPEEDUPS, None):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_native, "SPEEDUPS", speedups)
            keys, names = _recipient_pairs(key_lists, name_lists)
        # (as _participants keeps them: each pair of values once, a missing name as None)
        by_route.append(list(dict.fromkeys(zip(keys, (None if n is None or n != n else n for n in names)))))
    assert by_route[0] == by_route[1]
    expected = []
    for ks, ns in zip(key_lists, name_lists):
        aligned = ns if len(ns) == len(ks) else [None] * len(ks)
        expected += [(k, None if n is None or n != n else n) for k, n in zip(ks, aligned)]
    assert by_route[0] == list(dict.fromkeys(expected))


def test_text_from_codes_is_the_values_taken_with_missing_for_minus_one():
    from netanalytics.loader import _text

    values = np.array(["me", "pA", "é"], dtype=object)
    got = _text(np.array([2, 0, -1, 1, 2]), values)
    assert str(got.dtype) == "str"
    assert got.tolist()[:2] == ["é", "me"] and got.tolist()[3:] == ["pA", "é"]
    assert pd.isna(got[2])
    assert _text(np.array([], np.int64), values).tolist() == []


_PERSON_KEYS = [
    "ann@x.org",
    "bob@gmail.com",
    "https://www.linkedin.com/in/c",
    "name:Dee",
    "tel:+4930555",
    "odd",
]


def _by_source(keys_of_source: dict) -> list:
    """_keys_by_source's shape: (source, its keys as Arrow strings), sources in sorted order."""
    return [
        (src, pa.array(sorted(keys), type=pa.large_string())) for src, keys in sorted(keys_of_source.items())
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sets(st.sampled_from(_PERSON_KEYS), max_size=3), min_size=1, max_size=8),
    st.booleans(),
    st.dictionaries(st.sampled_from(["mbox", "gmail", "outlook"]), st.sets(st.sampled_from(_PERSON_KEYS))),
)
def test_people_columns_equal_the_rows_of_each_person(key_sets, with_me, keys_of_source):
    # people of one key and no record are filled in column by column; every person must come
    # out as _person_row gives them (key kinds: email, URL, name, phone, a key without "@")
    from netanalytics.loader import EGO, _people_columns, _person_row

    pids = [f"p{i}" for i in range(len(key_sets))] + ([EGO] if with_me else [])
    clusters = dict(zip(pids, key_sets))
    got = _people_columns(pids, clusters, {}, pd.Series([], dtype="str"), _by_source(keys_of_source))
    assert list(got) == list(S.PEOPLE)
    source_of_key = {
        k: [src for src in sorted(keys_of_source) if k in keys_of_source[src]] for k in _PERSON_KEYS
    }
    rows = [_person_row(pid, clusters.get(pid, ()), {}, {}, source_of_key) for pid in pids]
    for col, values in zip(S.PEOPLE, zip(*rows)):
        assert pd.Series(got[col], dtype=object).equals(pd.Series(list(values), dtype=object)), col
    # each person's lists are their own
    assert len({id(v) for v in got[S.SOURCES]}) == len(pids)
    assert len({id(v) for v in got[S.EMAILS]}) == len(pids)


def test_people_columns_exact():
    from netanalytics.loader import EGO, _people_columns

    clusters = {
        "p1": {"ann@x.org"},
        "p2": {"https://www.linkedin.com/in/c"},
        EGO: {"me@y.org", "me@gmail.com", "me@a.org"},
        "p4": {"odd@"},
        "p5": {"a@b@c.org"},
    }
    by_source = _by_source({"mbox": {"ann@x.org", "me@y.org"}, "gmail": {"me@gmail.com", "ann@x.org"}})
    # the owner's domain: that of the address, not free mail, they sent most from (a.org: 3 of 4)
    senders = pd.Series(["me@a.org", "ann@x.org", "me@a.org", None, "me@y.org", "me@a.org"], dtype="str")
    got = _people_columns(["p1", "p2", EGO, "p3", "p4", "p5"], clusters, {}, senders, by_source)
    emails = [["ann@x.org"], [], ["me@a.org", "me@gmail.com", "me@y.org"], [], ["odd@"], ["a@b@c.org"]]
    assert got[S.EMAILS] == emails
    assert got[S.LINKEDIN_URL] == [None, "https://www.linkedin.com/in/c", None, None, None, None]
    assert got[S.DOMAIN] == ["x.org", None, "a.org", None, "", "c.org"]
    # (with no messages: the greatest address, y.org)
    nothing_sent = _people_columns(["p1", "p2", EGO, "p3", "p4", "p5"], clusters, {}, senders[:0], by_source)
    assert nothing_sent[S.DOMAIN] == ["x.org", None, "y.org", None, "", "c.org"]
    assert got[S.SOURCES] == [["gmail", "mbox"], [], ["gmail", "mbox"], [], [], []]
    assert got[S.IS_ME] == [False, False, True, False, False, False]


def test_people_names_each_person_by_its_keys_most_shown_name():
    # a person's name, without a record: the display name most of its keys show (the first key's
    # among ties), else its first address, else its id; the owner by their profile's name
    from netanalytics.identity import resolve_identities
    from netanalytics.loader import _keys_by_source, _people

    shown = [
        ("a1@x.org", "Ann Lee"),
        ("a2@y.org", "Annie Lee"),
        ("b1@x.org", "Bob Ray"),
        ("b2@y.org", "Robert Ray"),
        ("b3@z.org", "Robert Ray"),
        ("c@x.org", "Cy"),
        ("d@x.org", None),
        ("me@x.org", "Me"),
    ]
    participants = pd.DataFrame(shown, columns=[S.KEY, S.DISPLAY_NAME])
    same = pd.DataFrame(
        [
            ("a1@x.org", "a2@y.org", "same"),
            ("b1@x.org", "b2@y.org", "same"),
            ("b1@x.org", "b3@z.org", "same"),
        ],
        columns=["key_a", "key_b", "decision"],
    )
    res = resolve_identities(S.empty_frame(S.CONTACTS), participants, me_keys={"me@x.org"}, overrides=same)
    messages = pd.DataFrame(
        [msg(f"m{i}", "2025-01-06 09:00", key, ["me@x.org"]) for i, (key, _n) in enumerate(shown)]
    )
    for owner_name, me_name in ((None, "Me"), ("Me Myself", "Me Myself")):
        people = _people(res, S.empty_frame(S.CONTACTS), messages, owner_name=owner_name)
        # the load gives each source's keys made beforehand (in a worker): the same frame
        given = _keys_by_source(messages)
        pd.testing.assert_frame_equal(
            _people(res, S.empty_frame(S.CONTACTS), messages, owner_name=owner_name, by_source=given), people
        )
        k2p = res.key_to_person
        assert people[S.NAME][
            [k2p[k] for k in ("a2@y.org", "b1@x.org", "c@x.org", "d@x.org", "me@x.org")]
        ].tolist() == [
            "Ann Lee",
            "Robert Ray",
            "Cy",
            "d@x.org",
            me_name,
        ]


def test_keys_by_source_exact():
    # each source's senders and To keys (a list shared by two messages read once), none missing;
    # Cc keys are not counted; the sources in sorted order
    from netanalytics.loader import _keys_by_source, _sources_of

    shared = ["bob@x.org", "cat@x.org"]
    messages = pd.DataFrame(
        {
            S.SOURCE: pd.array(["mbox", "gmail", "mbox", "mbox"], dtype="str"),
            S.SENDER: pd.array(["ann@x.org", "ann@x.org", None, "dan@x.org"], dtype="str"),
            S.TO: [shared, ["eve@x.org"], shared, []],
            S.CC: [["cc@x.org"], [], [], []],
        }
    )
    by_source = _keys_by_source(messages)
    assert [(src, sorted(keys.to_pylist())) for src, keys in by_source] == [
        ("gmail", ["ann@x.org", "eve@x.org"]),
        ("mbox", ["ann@x.org", "bob@x.org", "cat@x.org", "dan@x.org"]),
    ]
    keys = ["ann@x.org", "eve@x.org", "cc@x.org", None, "dan@x.org"]
    assert _sources_of(keys, by_source) == [["gmail", "mbox"], ["gmail"], [], [], ["mbox"]]
    assert _sources_of(keys, []) == [[], [], [], [], []]


def test_persons_codes_exact():
    # people numbered in the order of their ids; a key not known, mapped to None, or missing is -1
    from netanalytics.loader import EGO, _Persons

    people = _Persons(
        {"b@x.org": "p0002", "a@x.org": "p0001", "me@x.org": EGO, "bot@x.org": None, "c@x.org": "p0001"}
    )
    assert people.ids.tolist() == ["me", "p0001", "p0002"]
    assert people.ego == 0
    keys = ["a@x.org", "b@x.org", "c@x.org", "me@x.org", "bot@x.org", "zed@x.org", None, float("nan")]
    assert people.codes(keys).tolist() == [1, 2, 1, 0, -1, -1, -1, -1]
    assert people.codes([]).tolist() == []
    assert people.names(people.codes(keys)).tolist() == [
        "p0001",
        "p0002",
        "p0001",
        "me",
        None,
        None,
        None,
        None,
    ]


def test_columns_read_in_chunks_are_looked_up_whole():
    # a column read in parts is an Arrow array of several chunks: joined, not refused
    from netanalytics.loader import _arrow_strings, _keys_by_source, _Persons

    senders = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([["a@x.org", None], ["b@x.org"]])))
    assert _arrow_strings(senders).to_pylist() == ["a@x.org", None, "b@x.org"]
    assert _Persons({"a@x.org": "p1", "b@x.org": "p2"}).codes(senders).tolist() == [1, -1, 2]
    messages = pd.DataFrame(
        {S.SOURCE: pd.array(["mbox"] * 3, dtype="str"), S.SENDER: senders, S.TO: [["c@x.org"], [], []]}
    )
    assert [(src, sorted(keys.to_pylist())) for src, keys in _keys_by_source(messages)] == [
        ("mbox", ["a@x.org", "b@x.org", "c@x.org"])
    ]


def test_thread_starts_among_the_messages_kept_a_missing_thread_id_as_one_id():
    # the first message of each thread in time among those kept: a self-mail, an automated
    # message and an undated one do not start their thread even when earliest; a missing thread
    # id counts as one id, as the other ids do
    rows = [
        msg("m0", "2025-01-06 08:00", "me@x.org", ["me@work.com"], thread="t1"),  # self-mail
        msg("a0", "2025-01-06 07:00", "news@shop.com", ["me@x.org"], thread="t1", automated=True),
        msg("m1", "2025-01-06 09:00", "ann@a.com", ["me@x.org"], thread="t1"),
        msg("m2", "2025-01-06 10:00", "me@x.org", ["ann@a.com"], thread="t1"),
        msg("m3", "2025-01-06 09:30", "bob@b.com", ["me@x.org"]),
        msg("m4", "2025-01-06 11:00", "cy@c.com", ["me@x.org"]),
        msg("m5", "2025-01-06 08:30", "bob@b.com", ["me@x.org"], thread="é"),
        msg("m6", "2025-01-06 12:00", "cy@c.com", ["me@x.org"], thread="é"),
    ]
    rows[4][S.THREAD_ID] = rows[5][S.THREAD_ID] = None
    undated = msg("u0", "2025-01-06 06:00", "ann@a.com", ["me@x.org"], thread="t1")
    undated[S.TIMESTAMP] = pd.NaT
    rows.append(undated)
    inter, _part, kept, rep = run(rows)
    starts = dict(zip(inter[S.MESSAGE_ID], inter[S.STARTS_THREAD]))
    assert starts == {"m1": True, "m2": False, "m3": True, "m4": False, "m5": True, "m6": False}
    assert kept[S.MESSAGE_ID].tolist() == ["m1", "m2", "m3", "m4", "m5", "m6"]
    assert rep.skipped["self-mail (only me on it)"] == 1
    assert rep.skipped["message without a usable date"] == 1


def test_sources_of_many_sources_exact():
    # combinations of sources are numbered, not packed into bits: 70 sources are no overflow
    from netanalytics.loader import _sources_of

    names = [f"s{i:02d}" for i in range(70)]
    by_source = [(src, pa.array([f"k{i % 3}", "all"], type=pa.large_string())) for i, src in enumerate(names)]
    got = _sources_of(["k0", "k2", "none", None, "all", "k0"], by_source)
    assert got[0] == names[0::3] and got[5] == names[0::3] and got[0] is not got[5]
    assert got[1] == names[2::3]
    assert got[2] == [] and got[3] == []
    assert got[4] == names


def test_build_interactions_leaves_its_messages_as_they_were():
    # the frame it filters is not copied first (copy-on-write): the caller's messages keep their
    # columns and values (the people frame reads them afterwards with one worker)
    messages = pd.DataFrame(
        [
            msg("m1", "2025-01-06 09:00", "me@x.org", to=["ann@a.com"], thread=None),
            msg("m2", "2025-01-07 09:00", "news@shop.com", to=["me@x.org"], automated=True),
            msg("m3", "2025-01-08 09:00", "ann@a.com", to=["me@x.org"], reply_to="m1"),
        ]
    )
    messages.loc[0, S.IN_REPLY_TO] = float("nan")
    before = messages.copy(deep=True)
    _inter, _part, kept = build_interactions(
        messages, K2P, LoadReport().new_file("(resolution)", "resolution")
    )
    assert list(messages.columns) == list(before.columns)
    pd.testing.assert_frame_equal(messages, before)
    assert "_sender_pid" not in kept.columns and kept[S.IS_FROM_ME].tolist() == [True, False]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a@x", "b@x", "list@x", None]), st.sampled_from([True, False, None])),
        max_size=12,
    ),
    st.booleans(),
)
def test_automated_senders_are_those_a_group_by_finds(rows, flags_are_bool):
    from netanalytics.loader import _automated_senders

    messages = pd.DataFrame(
        {
            S.SENDER: pd.array([s for s, _f in rows], dtype="str"),
            # a reader's flags (bool), or flags some of which are missing (object)
            S.IS_AUTOMATED: pd.Series([bool(f) for _s, f in rows], dtype=bool)
            if flags_are_bool
            else pd.Series([f for _s, f in rows], dtype=object),
        }
    )
    flags = messages.groupby(S.SENDER)[S.IS_AUTOMATED].all()  # (the definition: every message flagged)
    assert _automated_senders(messages) == set(flags.index[flags.astype(bool)])
