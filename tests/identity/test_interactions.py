"""From messages to (message × counterpart) interaction rows."""

import pandas as pd

from netanalytics import schema as S
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
