"""Identity resolution on tiny hand-built inputs: every rule, and every refusal."""

import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mailbox_index import mailbox_index  # tests/identity is on sys.path when its tests run

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.identity import (
    RULE_FUZZY,
    _corporate_domain,
    _corporate_domains,
    _fold,
    _normalized,
    _string_order,
    normalize_person_name,
    read_annotations,
    read_overrides,
    resolve_identities,
    similar_names,
)


def contact(source, rid, name, *, emails=(), url=None, company=None):
    return {
        S.SOURCE: source,
        S.SOURCE_FILE: f"{source}.csv",
        S.RECORD_ID: str(rid),
        S.FULL_NAME: name,
        S.FIRST_NAME: name.split()[0] if name else None,
        S.MIDDLE_NAME: None,
        S.LAST_NAME: name.split()[-1] if name else None,
        S.EMAILS: list(emails),
        S.PHONES: [],
        S.COMPANY: company,
        S.TITLE: None,
        S.LINKEDIN_URL: url,
        S.CONNECTED_ON: pd.NaT,
        S.LABELS: [],
        S.BIRTHDAY: None,
    }


def frames(contacts, participants):
    c = pd.DataFrame(contacts, columns=list(S.CONTACTS)) if contacts else S.empty_frame(S.CONTACTS)
    c[S.CONNECTED_ON] = pd.to_datetime(c[S.CONNECTED_ON], utc=True)
    p = pd.DataFrame(participants, columns=[S.KEY, S.DISPLAY_NAME])
    return c, p


URL = "https://www.linkedin.com/in/"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("José Núñez", "jose nunez"),
        ("Jose Nunez", "jose nunez"),
        ("Ravi Sørensen", "ravi sorensen"),
        ("Łukasz Weiß", "lukasz weiss"),
        ("Robert Chen", "robert chen"),
        ("Bob Chen", "robert chen"),
        ("Chen, Bob", "robert chen"),
        ("Maria  Teresa   Lopez", "maria lopez"),
        ("Priya Natarajan, MBA", "priya natarajan"),
        ("Dr. Ingrid Olsen PhD", "ingrid olsen"),
        ("Amra Mehic-Dzanic (IoT), MBA", "amra mehicdzanic"),
        ("Sam", None),
        ("", None),
        ("news@acme.com", None),
    ],
)
def test_normalize_person_name(raw, expected):
    assert normalize_person_name(raw) == expected
    assert _normalized([raw]) == [expected]  # (in bulk, the two-word plain names by Arrow)


# names the bulk normaliser takes by Arrow, or leaves to normalize_person_name: two plain
# words (nicknames, credentials, prefixes, capitals), and what is near them but is not
NAME_WORDS = [
    "Ann",
    "bob",
    "BOB",
    "Lee",
    "Dr",
    "mr",
    "Mx",
    "MBA",
    "phd",
    "Sir",
    "José",
    "Øst",
    "O'Neil",
    "Weiß",
    "x",
]
NAME_GLUE = [" ", "  ", ", ", "-", "\t", "\xa0", "\n", ""]


@given(st.lists(st.tuples(st.sampled_from(NAME_WORDS), st.sampled_from(NAME_GLUE)), max_size=4))
@settings(max_examples=300, deadline=None)
def test_bulk_normalisation_equals_one_by_one(parts):
    name = "".join(word + glue for word, glue in parts)
    names = [name, name.strip(), " " + name, "Ann Lee", name.upper()]
    assert _normalized(names) == [normalize_person_name(n) for n in names]


def test_bulk_normalisation_of_names_utf8_cannot_hold():
    # a header read with a byte that is not UTF-8 keeps it as a lone surrogate
    names = ["Ann Lee", "Ann \udcff Lee", "Bob\udcffKay", "Zoë Kay"]
    assert _normalized(names) == ["anne lee", "anne lee", "robert kay", "zoe kay"]
    assert _normalized(names) == [normalize_person_name(n) for n in names]


def test_bulk_normalisation_of_every_latin_letter():
    # each letter of Latin-1 Supplement to Latin Extended-B (the accented ones Arrow unaccents,
    # the others, ø ß ł and signs, left to normalize_person_name) in a first name and a surname,
    # capital and small, and with a combining accent written apart
    letters = [chr(c) for c in range(0xC0, 0x250)]
    names = [f"{c}na Kow{c}" for c in letters] + [f"Ann{c.upper()} {c}" for c in letters]
    names += ["Rene\u0301e Lee", "Ann Le\u034fe", "Zoe\u0308 Kay", "Ｊohn Doe", "Ǿlaf Kay"]
    assert _normalized(names) == [normalize_person_name(n) for n in names]


def test_string_order_sorts_as_tuples_do():
    first = ["b", "a", "ä", "a", "", "~", "B", "a"]
    second = ["x", "y", "x", "x", "z", "a", "a", "\udcff"]  # (the last: Python's sort, the same order)
    rows = list(zip(first, second))
    assert _string_order(first, second).tolist() == sorted(range(len(rows)), key=rows.__getitem__)
    assert _string_order(first[:-1], second[:-1]).tolist() == sorted(
        range(len(rows) - 1), key=rows.__getitem__
    )
    assert _string_order(first[:-1], second[:-1]).tolist() == [4, 6, 3, 1, 0, 5, 2]


KEY_PARTS = [
    "ann",
    "@",
    "acme.com",
    "gmail.com",
    "name:",
    "tel:+44",
    "record:g#1",
    "https://",
    ".",
    "\n",
    "\udcff",
]


@given(st.lists(st.lists(st.sampled_from(KEY_PARTS), max_size=5).map("".join), max_size=12))
@settings(max_examples=300, deadline=None)
def test_bulk_corporate_domains_equal_one_by_one(keys):
    # every kind of key, addresses with no "@", several, or nothing after it, free mail, and a lone
    # surrogate (Arrow cannot take it: Python's way then)
    assert _corporate_domains(keys) == [_corporate_domain(k) for k in keys]


def test_bulk_corporate_domains_of_each_kind_of_key():
    keys = ["ann@acme.com", "bo@gmail.com", "a@b@acme.org", "ann@", "name:Ann Lee", "tel:+441", "noat"]
    assert _corporate_domains(keys) == ["acme.com", None, "acme.org", "", None, None, None]
    assert _corporate_domains([]) == []


def test_bulk_normalisation_of_every_two_words():
    names = [f"{a}{glue}{b}" for a in NAME_WORDS for b in NAME_WORDS for glue in NAME_GLUE]
    assert _normalized(names) == [normalize_person_name(n) for n in names]
    assert _normalized(["Bob Lee", "Ann MBA", "Dr Lee", "Lee Sir"]) == ["robert lee", None, None, None]


def test_fold_drops_the_combining_marks_nfkd_splits_off():
    # a combining mark written apart (U+0301 after an e), one NFKD splits off (é), and a
    # character that is not a mark but has none either (the ligature ﬁ becomes fi)
    assert _fold("Rene\u0301e Se\u0301verine ﬁsh") == "renee severine fish"
    assert _fold("Zoë Çelik") == "zoe celik"


def test_email_on_contact_and_profile_url_join_through_name_and_company():
    # address book: Bob Chen with his work email; LinkedIn: Robert Chen with a URL at the same company
    c, p = frames(
        [
            contact("google", 1, "Bob Chen", emails=["bob@acme.com"], company="Acme Inc."),
            contact("linkedin", 7, "Robert Chen", url=URL + "rchen", company="Acme"),
        ],
        [("bob@acme.com", "Bob Chen"), (URL + "rchen", "Robert Chen")],
    )
    res = resolve_identities(c, p, me_keys={"me@x.org"})
    ident = res.identities.set_index(S.KEY)
    assert ident.loc["bob@acme.com", S.PERSON_ID] == ident.loc[URL + "rchen", S.PERSON_ID]
    assert ident.loc["bob@acme.com", S.MATCH_RULE] == "listed on contact"
    rules = set(ident[S.MATCH_RULE])
    assert "name + company or domain" in rules
    assert res.key_to_person["me@x.org"] == "me"


def test_same_name_different_connections_stay_apart():
    c, p = frames(
        [
            contact("linkedin", 1, "David Kim", url=URL + "dkim1", company="Northwind"),
            contact("linkedin", 2, "David Kim", url=URL + "dkim2", company="Contoso"),
        ],
        [("david.kim@northwind.com", "David Kim"), ("name:David Kim", "David Kim")],
    )
    res = resolve_identities(c, p, me_keys=set())
    k2p = res.key_to_person
    assert k2p[URL + "dkim1"] != k2p[URL + "dkim2"]
    # the work address matches Northwind's connection by domain, not the other David Kim
    assert k2p["david.kim@northwind.com"] == k2p[URL + "dkim1"]
    # a name-only participant is ambiguous between the two: left alone, listed for review
    assert k2p["name:David Kim"] not in (k2p[URL + "dkim1"], k2p[URL + "dkim2"])
    assert len(res.candidates) >= 1
    assert set(res.candidates["score"]) == {100.0}


def test_name_only_linkedin_participant_joins_unique_connection():
    c, p = frames(
        [contact("linkedin", 3, "Zoë Adeyemi", url=URL + "zoe-a", company="Fabrikam")],
        [("name:Zoe Adeyemi", "Zoe Adeyemi")],
    )
    res = resolve_identities(c, p, me_keys=set())
    assert res.key_to_person["name:Zoe Adeyemi"] == res.key_to_person[URL + "zoe-a"]
    rule = res.identities.set_index(S.KEY).loc["name:Zoe Adeyemi", S.MATCH_RULE]
    assert rule == "name of a unique connection"


def test_job_change_stays_one_person():
    # old and new company addresses, LinkedIn shows the new employer only
    c, p = frames(
        [contact("linkedin", 4, "Hannah Becker", url=URL + "hbecker", company="Globex")],
        [("hannah.becker@initech.com", "Hannah Becker"), ("hbecker@globex.com", "Hannah Becker")],
    )
    res = resolve_identities(c, p, me_keys=set())
    k2p = res.key_to_person
    assert k2p["hbecker@globex.com"] == k2p[URL + "hbecker"]
    assert k2p["hannah.becker@initech.com"] == k2p[URL + "hbecker"]
    assert len(set(k2p.values())) == 1


def test_fuzzy_name_needs_corroboration():
    c, p = frames(
        [contact("linkedin", 5, "Katarzyna Wisniewska", url=URL + "kw", company="Umbrella")],
        [("k.wisniewska@umbrella.com", "Katarzyna Wiśniewska-"), ("kasia@gmail.com", "Katarzyna Wisniewski")],
    )
    res = resolve_identities(c, p, me_keys=set())
    k2p = res.key_to_person
    assert k2p["k.wisniewska@umbrella.com"] == k2p[URL + "kw"]
    # similar name, free-mail address, no corroboration → not merged, but a candidate
    assert k2p["kasia@gmail.com"] != k2p[URL + "kw"]
    assert len(res.candidates) == 1
    assert res.candidates.loc[0, "evidence"] == "similar names"
    assert res.candidates.loc[0, "likelihood"] == pytest.approx(0.1 / 1.1)


def test_a_name_search_made_beforehand_resolves_as_resolution_s_own():
    # the loader's search (similar_names, in a worker) runs over every name shown, an automated
    # sender's, a name key's and a contact's too, in the order first shown: the same merges,
    # review list and identities as resolution's own search over the names its keys carry
    c, p = frames(
        [
            contact("linkedin", 5, "Katarzyna Wisniewska", url=URL + "kw", company="Umbrella"),
            contact("google", 1, "Tomasz Nowakowsky", company="Umbrella"),
        ],
        [
            ("kasia@gmail.com", "Katarzyna Wisniewski"),
            ("tomek@umbrella.com", "Tomasz Nowakowski"),
            ("name:Tomas Nowak", None),
            ("news@umbrella.com", "Katarzyna Wisniewsky"),  # automated: not a person, its name searched
        ],
    )
    names, found = similar_names(c, p)
    assert names == [
        "katarzyna wisniewski",
        "tomasz nowakowski",
        "katarzyna wisniewsky",
        "tomas nowak",
        "katarzyna wisniewska",
        "tomasz nowakowsky",
    ]
    # one letter apart: the three Katarzynas (95 each), the two Tomasz Nowakowskis; "tomas nowak"
    # scores 78.6 against them (a pair two blocks share comes twice)
    assert sorted(set(zip(found[0].tolist(), found[1].tolist()))) == [(0, 2), (0, 4), (1, 5), (2, 4)]
    kw = dict(me_keys=set(), automated={"news@umbrella.com"})
    own = resolve_identities(c, p, **kw)
    given = resolve_identities(c, p, **kw, name_search=lambda: (names, found))
    for frame in ("identities", "candidates", "merges"):
        pd.testing.assert_frame_equal(getattr(given, frame), getattr(own, frame), obj=frame)
    assert given.key_to_person == own.key_to_person
    # what there is to compare: a fuzzy merge through the company, and a pair for review
    assert own.merges["rule"].tolist() == ["listed on contact", RULE_FUZZY]
    assert own.key_to_person["tomek@umbrella.com"] == own.key_to_person["record:google:1"]
    assert own.candidates[["name_a", "name_b", "evidence"]].values.tolist() == [
        ["Katarzyna Wisniewska", "Katarzyna Wisniewski", "similar names"]
    ]


def test_overrides_force_and_forbid():
    c, p = frames(
        [contact("google", 1, "Li Wei", emails=["li.wei@acme.com"], company="Acme")],
        [("li.wei@acme.com", "Li Wei"), ("lw@acme.com", "Li Wei"), ("weili88@gmail.com", "W. Li")],
    )
    plain = resolve_identities(c, p, me_keys=set())
    assert plain.key_to_person["lw@acme.com"] == plain.key_to_person["li.wei@acme.com"]
    assert plain.key_to_person["weili88@gmail.com"] != plain.key_to_person["li.wei@acme.com"]
    overrides = read_overrides(
        io.StringIO(
            "key_a,key_b,decision\nlw@acme.com,li.wei@acme.com,different\nWeiLi88@gmail.com,li.wei@acme.com,same\n"
        )
    )
    res = resolve_identities(c, p, me_keys=set(), overrides=overrides)
    k2p = res.key_to_person
    assert k2p["lw@acme.com"] != k2p["li.wei@acme.com"]
    assert k2p["weili88@gmail.com"] == k2p["li.wei@acme.com"]
    assert res.identities.set_index(S.KEY).loc["weili88@gmail.com", S.MATCH_RULE] == "override"


def test_all_my_addresses_are_one_ego_and_automated_senders_are_nobody():
    c, p = frames([], [("me@personal.net", "Me"), ("me@work.com", "Me"), ("noreply@shop.com", "Shop")])
    res = resolve_identities(c, p, me_keys={"me@personal.net", "me@work.com"}, automated={"noreply@shop.com"})
    k2p = res.key_to_person
    assert k2p["me@personal.net"] == k2p["me@work.com"] == "me"
    ident = res.identities.set_index(S.KEY)
    assert ident.loc["noreply@shop.com", S.PERSON_ID] is None
    assert ident.loc["noreply@shop.com", S.MATCH_RULE] == "automated sender"
    S.validate_identities(res.identities)


def test_overrides_file_errors_name_the_line():
    with pytest.raises(FormatError, match=r"line 2: expected 'key,key,same\|different'"):
        read_overrides(io.StringIO("a@x.org,b@x.org,same\na@x.org,b@x.org,maybe\n"))


def test_annotations_errors_name_the_fix():
    with pytest.raises(FormatError, match="need a 'key' column"):
        read_annotations(io.StringIO("email,kind\na@x.org,mentor\n"))
    with pytest.raises(FormatError, match="line 2: cadence_days must be a positive number"):
        read_annotations(io.StringIO("key,cadence_days\na@x.org,-3\n"))


def test_each_rule_returns_its_merges_with_name_and_evidence():
    from netanalytics.identity import RULES

    c, p = frames(
        [contact("linkedin", 4, "Hannah Becker", url=URL + "hbecker", company="Globex")],
        [
            ("hannah.becker@initech.com", "Hannah Becker"),
            ("hbecker@globex.com", "Hannah Becker"),
            ("name:Hannah Becker", "Hannah Becker"),
        ],
    )
    res = resolve_identities(c, p, me_keys=set())
    merges = res.merges
    assert list(merges["rule"]) == [
        "listed on contact",
        "name + company or domain",
        "name of a unique connection",
        "name, no conflicting record",
    ]
    assert merges.loc[1, "evidence"] == "name 'hannah becker'; domain globex.com matches company globex"
    assert merges.loc[3, "evidence"].startswith("name 'hannah becker' (odds ")
    assert merges.loc[3, "evidence"].endswith("from how common it is); no conflicting record")
    assert all(merges["evidence"].str.len() > 0)
    assert [r.__name__ for r in RULES][:3] == ["_rule_owner", "_rule_on_record", "_rule_override"]


def test_name_rule_never_joins_two_profile_urls():
    # two LinkedIn participants (no connection record) and an address under one common name
    c, p = frames(
        [],
        [
            (URL + "wei-zhang-1", "Wei Zhang"),
            (URL + "wei-zhang-2", "Wei Zhang"),
            ("wzhang@gmail.com", "Wei Zhang"),
        ],
    )
    res = resolve_identities(c, p, me_keys=set())
    k2p = res.key_to_person
    assert k2p[URL + "wei-zhang-1"] != k2p[URL + "wei-zhang-2"]
    assert len(set(k2p.values())) == 3
    # one pair to review (3 per 100 people, at least one): an account and the address. All three
    # clusters bear the name, as many as independent names would give (3 pairs seen, 3 expected),
    # so the share of same-name pairs that are one person is the prior's, 9 / 13 (odds 9 / 4);
    # without the pair, (1 + 0.5) / 3 of first names and of surnames match (u = 1/4, u_mean = 1):
    # odds 9, likelihood 0.9
    cand = res.candidates
    assert cand[["key_a", "key_b"]].values.tolist() == [[URL + "wei-zhang-1", "wzhang@gmail.com"]]
    assert cand.loc[0, "likelihood"] == pytest.approx(0.9)


@pytest.mark.parametrize("enabled", [True, False])
def test_cyclic_gc_paused_during_resolution_and_restored(enabled, monkeypatch):
    import gc

    import netanalytics.identity as identity

    c, p = frames(
        [contact("google", 1, "Bob Chen", emails=["bob@acme.com"], company="Acme Inc.")],
        [("bob@acme.com", "Bob Chen")],
    )
    seen = []
    rule = identity.RULES[0]
    monkeypatch.setattr(identity, "RULES", (lambda index: seen.append(gc.isenabled()) or rule(index),))
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        resolve_identities(c, p, me_keys=set())
        assert seen == [False]
        assert gc.isenabled() is enabled
        monkeypatch.setattr(identity, "RULES", (lambda index: 1 / 0,))
        with pytest.raises(ZeroDivisionError):  # restored when a rule fails too
            resolve_identities(c, p, me_keys=set())
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_a_cluster_of_one_key_built_at_once_equals_one_built_key_by_key():
    """A key's facts (``_Index._key_facts``, its cluster of one, built at once) are what
    ``_add_key`` gives an empty cluster: summed normalised names, domain, URL, activity and
    span. A cluster a second key joins is a copy (``_joined``): the shared facts stay as they were."""
    import copy

    from netanalytics.identity import _Cluster

    # (times as the index keeps them: nanoseconds since the epoch)
    t1, t2 = pd.Timestamp("2020-01-01", tz="UTC").value, pd.Timestamp("2021-06-30", tz="UTC").value
    participants = pd.DataFrame(
        {
            "key": [
                "bob@acme.com",
                "bob@acme.com",
                "bob@acme.com",
                "ann@gmail.com",
                "https://www.linkedin.com/in/x",
                "robert.chen@acme.com",
            ],
            "display_name": ["Bob Chen", "Robert Chen", "Bob Chen", "Ann Lee", "X Y", "Robert Chen"],
        }
    )
    index = mailbox_index(participants)
    t0 = pd.Timestamp("2019-03-01", tz="UTC").value
    index.activity = {
        "bob@acme.com": (3, t1, t2),
        "ann@gmail.com": (1, t2, t2),
        "robert.chen@acme.com": (2, t0, t1),
    }
    bob = index._key_facts("bob@acme.com")
    assert bob.names == {"robert chen": 3}
    assert bob.display == {"Bob Chen": 2, "Robert Chen": 1}
    assert (bob.domains, bob.spans, bob.n_messages) == ({"acme.com"}, {"acme.com": (t1, t2)}, 3)
    ann = index._key_facts("ann@gmail.com")
    assert (ann.domains, ann.spans, ann.n_messages) == (set(), {}, 1)  # (free mail: no employer)
    assert index._key_facts("https://www.linkedin.com/in/x").urls == {"https://www.linkedin.com/in/x"}
    for key in participants["key"].unique():
        by_key = _Cluster()
        index._add_key(by_key, key)
        assert index._key_facts(key) == by_key
    # a second key joins a copy: counts summed, spans widened, the facts of both unchanged
    before = copy.deepcopy(bob)
    both = index._joined(bob)
    index._add_key(both, "robert.chen@acme.com")
    assert both.keys == {"bob@acme.com", "robert.chen@acme.com"}
    assert both.names == {"robert chen": 4}
    assert (both.spans, both.n_messages) == ({"acme.com": (t0, t2)}, 5)
    assert bob == before and index._key_facts("bob@acme.com") is bob
    assert index._key_facts("robert.chen@acme.com").keys == {"robert.chen@acme.com"}


def test_activity_times_become_nanoseconds_and_an_undated_key_tells_no_time():
    """resolve_identities reads the activity frame's times as integers (nanoseconds since the
    epoch, naive times as UTC, any unit); a key never seen with a date has no span, so it
    says nothing about when its owner worked where (no "employers years apart")."""
    from netanalytics.identity import _epoch_ns, _time_relation

    stamps = pd.Series(
        pd.to_datetime(["2020-01-01 00:00:01", None, "2021-06-30 00:00:00"]).tz_localize("UTC")
    )
    want = [1577836801 * 10**9, None, 1625011200 * 10**9]
    assert _epoch_ns(stamps) == want
    assert _epoch_ns(stamps.dt.as_unit("s")) == want
    assert _epoch_ns(stamps.dt.tz_localize(None)) == want
    participants = pd.DataFrame(
        {"key": ["ann@acme.com", "ann@globex.com"], "display_name": ["Ann Lee", "Ann Lee"]}
    )
    index = mailbox_index(participants)
    index.activity = {"ann@acme.com": (2, want[0], want[2]), "ann@globex.com": (1, None, None)}
    dated, undated = index._key_facts("ann@acme.com"), index._key_facts("ann@globex.com")
    assert (dated.spans, undated.spans, undated.n_messages) == ({"acme.com": (want[0], want[2])}, {}, 1)
    assert _time_relation(dated, undated, {"acme.com", "globex.com"}) is None
    # dated a month after the acme address stops: a job change (a fresh index: facts are kept)
    index = mailbox_index(participants)
    day = 86_400 * 10**9
    index.activity = {
        "ann@acme.com": (2, want[0], want[2]),
        "ann@globex.com": (1, want[2] + 30 * day, want[2] + 40 * day),
    }
    relation = _time_relation(
        index._key_facts("ann@acme.com"), index._key_facts("ann@globex.com"), {"acme.com", "globex.com"}
    )
    assert relation == "handover"


def test_rebuilt_clusters_count_each_key_once_and_leave_its_facts_as_they_were():
    """A cluster of one key shares the key's own counts (no copy per key); when keys join it,
    the rebuilt cluster counts each key once, in any number of rebuilds, and the keys' own
    display names stay what they were."""
    t1, t2, t3 = (pd.Timestamp(d, tz="UTC").value for d in ("2020-01-01", "2021-01-01", "2022-01-01"))
    participants = pd.DataFrame(
        {
            "key": ["ann@acme.com", "ann@acme.com", "ann@globex.com", "ann.lee@acme.com", "x@y.org"],
            "display_name": ["Ann Lee", "Ann Lee", "Ann Lee", "Anne Lee", "X Y"],
        }
    )
    index = mailbox_index(participants)
    index.activity = {
        "ann@acme.com": (2, t1, t2),
        "ann@globex.com": (1, t3, t3),
        "ann.lee@acme.com": (4, t2, t3),
    }
    assert len(index.clusters()) == 4
    index.merge("ann@acme.com", "ann@globex.com", RULE_FUZZY, 1.0, "test")
    index.clusters()
    index.merge("ann@acme.com", "ann.lee@acme.com", RULE_FUZZY, 1.0, "test")
    (ann,) = (c for c in index.clusters().values() if len(c.keys) == 3)
    assert ann.display == {"Ann Lee": 3, "Anne Lee": 1}
    assert ann.names == {"anne lee": 4}  # (Ann is a nickname of Anne)
    assert (ann.companies, ann.domains, ann.n_messages) == (set(), {"acme.com", "globex.com"}, 7)
    assert ann.spans == {"acme.com": (t1, t3), "globex.com": (t3, t3)}
    assert dict(index.display["ann@acme.com"]) == {"Ann Lee": 2}
    assert index._key_facts("ann@acme.com").names == {"anne lee": 2}
    assert index._key_facts("ann@acme.com").spans == {"acme.com": (t1, t2)}
    # each key's facts are still its cluster of one, shared by no cluster that others joined
    joined = [c for c in index.clusters().values() if len(c.keys) > 1]
    for key in participants["key"].unique():
        facts = index._key_facts(key)
        assert facts.keys == {key} and all(facts is not c for c in joined)
    counts = {
        k: index._key_facts(k).n_messages for k in ("ann@acme.com", "ann@globex.com", "ann.lee@acme.com")
    }
    assert counts == {"ann@acme.com": 2, "ann@globex.com": 1, "ann.lee@acme.com": 4}


def test_snapshot_reads_keys_alone_without_making_their_clusters():
    """The clusters a snapshot gives (``_Index.clusters``) are looked up and iterated as a dict
    in the order of each cluster's earliest key; a key alone is made into its cluster (its facts)
    only when looked up. The passes over every cluster read keys alone from the index's per-key
    names: the shared names and the organisations are those of every cluster's own names and
    domains, after merges as before them."""
    from collections import Counter

    from netanalytics.identity import RULE_FUZZY

    participants = [
        ("ann@acme.com", "Ann Lee"),
        ("bob@acme.com", "Bob Chen"),
        ("ann.lee@globex.com", "Ann Lee"),
        ("robert@globex.com", "Robert Chen"),
        ("ann@gmail.com", "Anne Lee"),
        ("zoe@initech.com", "Zoe Park"),
        ("me@tanous.net", "Ed Tanous"),
    ]
    index = mailbox_index(participants)
    keys = [key for key, _name in participants]

    def every_cluster(clusters):  # (what the passes gave when every cluster was an object)
        groups = {}
        for root in clusters:
            for name in clusters[root].names:
                groups.setdefault(name, []).append(root)
        shared = sorted((name, roots) for name, roots in groups.items() if len(roots) > 1)
        domains = Counter(d for root in clusters for d in clusters[root].domains)
        return shared, {d for d, n in domains.items() if n > 1}

    clusters = index.clusters()
    assert list(clusters) == keys and len(clusters) == 7 and "x@y.org" not in clusters
    assert all(c is None for c in clusters.stored.values()) and index._facts == {}
    assert clusters.best_names()["bob@acme.com"] == "robert chen"
    # a key alone's employers (companies, corporate domains) read without making its cluster
    assert clusters.employers("zoe@initech.com") == (set(), {"initech.com"})
    assert clusters.employers("ann@gmail.com") == (set(), set()) and index._facts == {}
    assert index.shared_names() == [
        ("anne lee", ["ann@acme.com", "ann.lee@globex.com", "ann@gmail.com"]),
        ("robert chen", ["bob@acme.com", "robert@globex.com"]),
    ]
    assert index.organisations() == {"acme.com", "globex.com"}
    assert (index.shared_names(), index.organisations()) == every_cluster(clusters)
    assert clusters["zoe@initech.com"] is index._key_facts("zoe@initech.com")  # made when looked up

    # the acme addresses joined (as a test, not a rule): one cluster at the place of its earliest
    # key, carrying both names; acme.com is now one cluster's, globex.com still two clusters'
    index.merge("bob@acme.com", "ann@acme.com", RULE_FUZZY, 1.0, "test")
    clusters = index.clusters()
    acme = index.uf.find("ann@acme.com")
    assert list(clusters) == [acme, "ann.lee@globex.com", "robert@globex.com", *keys[4:]]
    assert clusters[acme].keys == {"ann@acme.com", "bob@acme.com"}
    assert clusters.stored["ann@gmail.com"] is None and clusters.names("ann@gmail.com") == {"anne lee": 1}
    assert index.shared_names() == [
        ("anne lee", [acme, "ann.lee@globex.com", "ann@gmail.com"]),
        ("robert chen", [acme, "robert@globex.com"]),
    ]
    assert index.organisations() == {"globex.com"}
    assert clusters.employers(acme) == (set(), {"acme.com"})
    assert (index.shared_names(), index.organisations()) == every_cluster(clusters)
    index.activity = {"bob@acme.com": (3, None, None), "zoe@initech.com": (2, None, None)}
    assert clusters.n_messages(["zoe@initech.com", "ann@gmail.com"]) == [2, 0]


def test_snapshot_after_merges_is_the_full_rebuild():
    """A snapshot rebuilt after merges (only the clusters they touched) is the one a full
    rebuild gives: the same clusters, iterated in the order of their earliest keys, with the
    same best names in that order, round after round, whichever key the union–find makes the
    root (here often a later key, bob@ joining ann@ under bob@'s cluster's root)."""
    import random

    from netanalytics.identity import RULE_FUZZY

    rng = random.Random(7)
    participants = [(f"k{i:02d}@x{i % 5}.org", f"Name{i % 9} Last{i % 4}") for i in range(40)]
    index = mailbox_index(participants)
    keys = [key for key, _name in participants]
    index.clusters()
    for _round in range(6):
        for _ in range(5):
            a, b = rng.sample(keys, 2)
            index.merge(a, b, RULE_FUZZY, 1.0, "test")
        got = index.clusters()
        fresh = mailbox_index(participants)  # the same merges, on a fresh index: a full rebuild
        for m in index.merges:
            fresh.merge(m.key_a, m.key_b, RULE_FUZZY, 1.0, "test")
        full = fresh.clusters()
        firsts = [min(keys.index(k) for k in got[root].keys) for root in got]
        assert firsts == sorted(firsts) and len(got) == len(full)
        assert list(got) == list(full)
        assert [sorted(got[r].keys) for r in got] == [sorted(full[r].keys) for r in full]
        assert list(got.best_names().items()) == list(full.best_names().items())
    assert len(index.clusters()) < len(keys)  # (merges were made)
