"""Thin-data worlds of the generator, and the library's honest answer on each.

Each persona's files are counted here independently of the generator's ``counts.csv``; the
health expectations were computed once, checked against the component rules of
:func:`netanalytics.metrics.health.health`, and are asserted exactly.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

import netanalytics as na
from netanalytics import schema as S
from netanalytics.datasets import synthesize
from netanalytics.io import read_mbox
from netanalytics.metrics.dormancy import dormancy
from netanalytics.metrics.health import health

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
END = datetime(2026, 10, 31, tzinfo=UTC)
GMAIL_FROM = re.compile(r"^From \d{19}@xxx \w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \+0000 \d{4}$")
UNCOUNTED = {"linkedin/Profile.csv", "linkedin/Positions.csv"}  # one owner, her own history


def _world(tmp_path_factory, persona: str, **kwargs) -> tuple[Path, na.Network]:
    out = synthesize(tmp_path_factory.mktemp(persona), persona=persona, **kwargs)
    return out, na.load(out)


@pytest.fixture(scope="module")
def linkedin_only(tmp_path_factory):
    return _world(tmp_path_factory, "linkedin_only")


@pytest.fixture(scope="module")
def new_graduate(tmp_path_factory):
    # years=1 would be refused for any other persona; the graduate has no dormant ties to plant
    return _world(tmp_path_factory, "new_graduate", years=1, n_messages=1500)


@pytest.fixture(scope="module")
def list_heavy(tmp_path_factory):
    return _world(tmp_path_factory, "list_heavy")


def _truth(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / "ground_truth" / name, dtype=str, keep_default_na=False)


def _records(path: Path) -> int:
    """Records in one written file, counted from its text (not from the generator)."""
    text = path.read_bytes().decode("utf-8")
    if path.suffix == ".mbox":
        lines = text.split("\n")
        return sum(1 for i, x in enumerate(lines) if GMAIL_FROM.match(x) and (i == 0 or lines[i - 1] == ""))
    if path.suffix == ".vcf":
        return text.count("BEGIN:VCARD")
    if path.suffix == ".ics":
        return text.count("BEGIN:VEVENT")
    if path.name == "Connections.csv":
        text = text[text.index("First Name,") :]
    return len(list(csv.DictReader(io.StringIO(text, newline=""))))


def _written(out: Path) -> dict[str, int]:
    return {
        p.relative_to(out).as_posix(): _records(p)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.parts[-2] != "ground_truth" and p.relative_to(out).as_posix() not in UNCOUNTED
    }


def _counted(out: Path) -> dict[str, int]:
    counts = _truth(out, "counts.csv")
    return {f: int(n) for f, n in zip(counts["file"], counts["records"], strict=True) if " (" not in f}


def _component(h, name: str) -> pd.Series:
    return h.components.set_index(S.COMPONENT).loc[name]


def _assert_points_within_weights(h) -> None:
    c = h.components[h.components[S.MEASURABLE]]
    assert ((c[S.POINTS] >= 0) & (c[S.POINTS] <= c[S.WEIGHT])).all()
    assert h.components.loc[~h.components[S.MEASURABLE], S.POINTS].isna().all()


@pytest.mark.parametrize("persona", ["linkedin_only", "new_graduate", "list_heavy"])
def test_counts_csv_counts_exactly_the_records_written(persona, request):
    out, _ = request.getfixturevalue(persona)
    assert _counted(out) == _written(out)


def test_default_persona_is_the_default_byte_for_byte(tmp_path):
    kw = {"seed": 3, "n_people": 60, "years": 2, "n_messages": 400}
    a = synthesize(tmp_path / "none", **kw)
    b = synthesize(tmp_path / "default", persona="default", **kw)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)


def test_unknown_persona_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown persona 'student'"):
        synthesize(tmp_path, persona="student")
    assert not any(tmp_path.iterdir())


# --- LinkedIn only --------------------------------------------------------------------------


def test_linkedin_only_is_the_default_life_without_mail_contacts_or_calendar(linkedin_only):
    out, _ = linkedin_only
    assert sorted(p.name for p in out.iterdir()) == ["ground_truth", "linkedin"]
    for p in sorted((SAMPLE / "linkedin").iterdir()):  # the sample is the default, seed 0
        assert (out / "linkedin" / p.name).read_bytes() == p.read_bytes(), p.name
    ident = _truth(out, "identities.csv")
    connections = (out / "linkedin" / "Connections.csv").read_text("utf-8").lower()
    emails = ident.loc[ident["key_kind"] == "email", "key"]
    assert len(emails) > 0 and all(e in connections for e in emails)  # the few a connection shares
    assert "elena.marsh.pm@gmail.com" not in set(ident["key"])


def test_linkedin_only_ground_truth_counts_linkedin_contacts_only(linkedin_only):
    out, _ = linkedin_only
    full = _truth(SAMPLE, "people.csv").set_index("person_id")["contacts_365d"].astype(int)
    mine = _truth(out, "people.csv").set_index("person_id")["contacts_365d"].astype(int)
    assert (mine <= full).all() and mine.sum() < full.sum()
    rows = list(csv.DictReader(io.StringIO((out / "linkedin" / "messages.csv").read_text("utf-8"))))
    window = END - timedelta(days=365)
    me = "https://www.linkedin.com/in/elena-marsh-pm"
    in_window = [
        r
        for r in rows
        if r["IS MESSAGE DRAFT"] == "No"
        and r["FROM"]
        and r["CONVERSATION TITLE"] != "Sponsored Conversation"
        and window <= datetime.strptime(r["DATE"], "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC) <= END
    ]
    # one contact per message x counterpart: my messages count per recipient, theirs once
    expected = sum(
        len(r["RECIPIENT PROFILE URLS"].split(",")) if r["SENDER PROFILE URL"] == me else 1 for r in in_window
    )
    assert mine.sum() == expected


def test_linkedin_only_health_says_what_it_cannot_measure(linkedin_only):
    _, net = linkedin_only
    h = health(net)
    assert h.headline == "55/100 over 7 of 8 components"  # growth counts the connections made in the year
    structure = _component(h, "structure")
    assert not structure[S.MEASURABLE]
    # LinkedIn group conversations show a few ties between contacts, too few to measure structure
    assert structure[S.REASON].startswith("only 3 of 32 contacts (9%) appear on group messages or meetings")
    assert h.components.loc[~h.components[S.MEASURABLE], S.COMPONENT].tolist() == ["structure"]
    _assert_points_within_weights(h)
    assert h.coverage.sources == ("linkedin",)
    assert (h.coverage.sent, h.coverage.received, h.coverage.ties, h.coverage.group_ties) == (80, 71, 32, 3)
    assert (h.coverage.measurable, h.coverage.components) == (7, 8)
    assert not h.low_confidence
    assert str(h.coverage).startswith(
        "Data: linkedin. Last 365 days: 80 sent and 71 received with 32 people (3 of them on group "
        "messages or meetings); 237 LinkedIn connections;"
    )


# --- new graduate ---------------------------------------------------------------------------


def test_new_graduate_has_a_few_months_and_a_few_people(new_graduate):
    out, net = new_graduate
    assert sorted(p.name for p in out.iterdir()) == ["contacts", "ground_truth", "linkedin", "mail"]
    start = pd.Timestamp(END - timedelta(days=120))
    assert net.interactions[S.TIMESTAMP].min() >= start
    assert (net.alters[S.CONNECTED_ON].dropna() >= start).all()
    people = _truth(out, "people.csv")
    assert len(people) == 12
    assert (people["dormant_since"] == "").all()
    assert set(people["community"]) <= {
        "university",
        "mentors_mentees",
        "recruiters_vendors",
        "industry_peers",
    }


def test_new_graduate_health_is_low_confidence_without_vitality_or_growth(new_graduate):
    _, net = new_graduate
    h = health(net)
    assert h.headline == "41/100 over 5 of 8 components (low confidence)"
    not_measured = h.components.loc[~h.components[S.MEASURABLE], S.COMPONENT].tolist()
    assert not_measured == ["structure", "vitality", "growth"]
    assert _component(h, "vitality")[S.REASON].startswith(
        "needs interactions from before 2025-10-30 (yours start on 2026-"
    )
    assert _component(h, "growth")[S.REASON].startswith("needs ties known from before 2025-10-30")
    _assert_points_within_weights(h)
    assert h.low_confidence
    assert h.coverage.reasons == ("12 people in contact in the last 365 days (fewer than 15)",)


def test_new_graduate_has_no_dormant_ties(new_graduate):
    _, net = new_graduate
    states = dormancy(net)[S.STATE]
    assert len(states) == 12
    assert not states.isin([S.DORMANT, S.LONG_DORMANT]).any()


# --- heavy mailing-list user ----------------------------------------------------------------


def test_list_heavy_mail_is_mostly_list_traffic(list_heavy):
    out, net = list_heavy
    lists = _truth(out, "lists.csv")
    assert len(lists) == 3
    on_lists = net.messages[S.MAILING_LIST].value_counts()
    posts = lists.set_index("address")["posts"].astype(int)
    mine = lists.set_index("address")["posts_by_me"].astype(int)
    mail = read_mbox(out / "mail" / "mail.mbox")[0]
    person = mail[~mail[S.IS_AUTOMATED]]
    assert person[S.MAILING_LIST].notna().sum() == posts.sum() == 4306
    assert len(person) == 6747  # so about two in three person-to-person messages are list posts
    # my posts that answer nobody are dropped ("post to a mailing list, no person addressed")
    my_answers = lists.set_index("address")["my_answers"].astype(int)
    assert on_lists.sort_index().tolist() == (posts - mine + my_answers).sort_index().tolist()


def test_list_heavy_lists_are_not_people(list_heavy):
    out, net = list_heavy
    addresses = set(_truth(out, "lists.csv")["address"])
    emails = set(net.people[S.EMAILS].explode().dropna())
    assert not addresses & emails
    ident = _truth(out, "identities.csv").set_index("key")["person_id"]
    assert set(ident.reindex(sorted(addresses))) == {"automated"}


def test_list_heavy_broadcasts_weigh_the_audience_and_answers_are_direct(list_heavy):
    out, net = list_heavy
    lists = (
        _truth(out, "lists.csv")
        .set_index("address")
        .astype({c: int for c in ("posters", "posts", "posts_by_me", "my_answers", "answers_to_me")})
    )
    msgs = net.messages.drop_duplicates(S.MESSAGE_ID).set_index(S.MESSAGE_ID)[S.MAILING_LIST]
    inter = net.interactions.join(msgs, on=S.MESSAGE_ID)
    on_list = inter[inter[S.MAILING_LIST].notna()]
    got = on_list.groupby([S.MAILING_LIST, S.DIRECTION, S.N_PARTICIPANTS]).size()
    for addr, row in lists.iterrows():
        audience = row["posters"] + 1  # every poster seen on the list, and me
        assert audience > 10
        assert got[addr].to_dict() == {
            ("in", 2): row["answers_to_me"],  # answers to my posts are direct
            ("in", audience): row["posts"] - row["posts_by_me"] - row["answers_to_me"],
            ("out", 2): row["my_answers"],  # my answers count for the author I answered
        }


def test_list_heavy_health_follows_the_rules(list_heavy):
    _, net = list_heavy
    h = health(net)
    assert h.headline == "68/100 over 7 of 8 components"
    structure = _component(h, "structure")
    assert not structure[S.MEASURABLE]
    # the lists' co-posters are broadcasts, not ties between my contacts
    assert structure[S.REASON].startswith("only 8 of 62 contacts (13%) appear on group messages or meetings")
    reciprocity = _component(h, "reciprocity")
    assert reciprocity[S.MEASURABLE]
    assert (h.coverage.sent, h.coverage.received, h.coverage.ties) == (470, 494, 62)
    _assert_points_within_weights(h)
    assert not h.low_confidence
