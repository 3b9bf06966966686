"""Tests of the synthetic data generator: formats, determinism and ground-truth consistency."""

from __future__ import annotations

import csv
import email.parser
import email.policy
import io
import itertools
import json
import mailbox
import re
import zipfile
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd
import pytest
import vobject
from dateutil.rrule import rrulestr

from netanalytics import schema as S
from netanalytics.datasets import synthesize, write_mbox
from netanalytics.io import read_mbox

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
END = datetime(2026, 10, 31, tzinfo=UTC)
GMAIL_FROM = re.compile(r"^From \d{19}@xxx \w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \+0000 \d{4}$")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return synthesize(tmp_path_factory.mktemp("synthetic"))


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # keep CR LF as written


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_read(path), newline="")))


def _truth(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / "ground_truth" / name, dtype=str, keep_default_na=False)


def _mbox_blocks(path: Path) -> list[tuple[str, str]]:
    """(From_ line, message text) pairs, split the tolerant way: a separator follows a blank line."""
    lines = _read(path).split("\n")
    blocks, current, sep = [], [], None
    for i, line in enumerate(lines):
        if GMAIL_FROM.match(line) and (i == 0 or lines[i - 1] == ""):
            if sep is not None:
                blocks.append((sep, "\n".join(current)))
            sep, current = line, []
        else:
            current.append(line)
    blocks.append((sep, "\n".join(current)))
    return blocks


def test_sample_data_is_seed_0_byte_for_byte(out):
    expected = sorted(
        p.relative_to(SAMPLE) for p in SAMPLE.rglob("*") if p.is_file() and p.name != "README.md"
    )
    produced = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert produced == expected
    for rel in produced:
        assert (out / rel).read_bytes() == (SAMPLE / rel).read_bytes(), rel


def test_total_size_is_small(out):
    assert sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) < 10_000_000


def test_connections_preamble_header_and_quirks(out):
    text = _read(out / "linkedin" / "Connections.csv")
    lines = text.split("\n")
    assert lines[0] == "Notes:"
    assert lines[1].startswith('"When exporting') and lines[1].endswith('"')
    assert lines[2] == ""
    assert lines[3] == "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
    assert not text.endswith("\n")
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[3:]))))
    assert all(re.fullmatch(r"\d{2} [A-Z][a-z]{2} \d{4}", r["Connected On"]) for r in rows)
    hidden = [r for r in rows if not r["First Name"] and not r["URL"]]
    assert len(hidden) == 3
    assert 0 < sum(bool(r["Email Address"]) for r in rows) <= 0.05 * len(rows)
    assert any(r["Last Name"].endswith((", MBA", ", PhD", ", CFA", ", PMP", ", CPA")) for r in rows)
    assert any(", " in r["Last Name"] for r in rows) and '"' in text


def test_messages_csv_header_dates_and_quirks(out):
    text = _read(out / "linkedin" / "messages.csv")
    header = (
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,"
        "CONTENT,FOLDER,ATTACHMENTS,IS MESSAGE DRAFT,IS CONVERSATION DRAFT"
    )
    assert text.split("\n")[0] == ",".join(f'"{h}"' for h in header.split(","))
    rows = _csv(out / "linkedin" / "messages.csv")
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", r["DATE"]) for r in rows)
    assert any(r["FROM"] == "LinkedIn Member" and r["SENDER PROFILE URL"] == "" for r in rows)
    assert any(r["FROM"] == "" and "left the conversation" in r["CONTENT"] for r in rows)
    sponsored = [r for r in rows if r["CONVERSATION TITLE"] == "Sponsored Conversation"]
    assert (
        len(sponsored) == 1 and "%FIRSTNAME%" in sponsored[0]["CONTENT"] and "<p>" in sponsored[0]["CONTENT"]
    )
    assert [r["IS MESSAGE DRAFT"] for r in rows].count("Yes") == 1
    assert any("\n" in r["CONTENT"] and '"' in r["CONTENT"] and "," in r["CONTENT"] for r in rows)
    groups = [
        r for r in rows if r["CONVERSATION TITLE"] and r["CONVERSATION TITLE"] != "Sponsored Conversation"
    ]
    assert any(len(r["RECIPIENT PROFILE URLS"].split(",")) >= 2 for r in groups)
    # a display name with a comma in TO: splitting TO on ", " gives more parts than there are URLs
    assert any(
        r["RECIPIENT PROFILE URLS"] and len(r["TO"].split(", ")) > len(r["RECIPIENT PROFILE URLS"].split(","))
        for r in rows
    )


def test_other_linkedin_files_use_their_date_formats(out):
    invitations = _csv(out / "linkedin" / "Invitations.csv")
    assert invitations and all(
        re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2} (AM|PM)", r["Sent At"]) for r in invitations
    )
    assert {r["Direction"] for r in invitations} <= {"INCOMING", "OUTGOING"}
    for name, role in (
        ("Endorsement_Received_Info.csv", "Endorser"),
        ("Endorsement_Given_Info.csv", "Endorsee"),
    ):
        rows = _csv(out / "linkedin" / name)
        assert rows and all(
            re.fullmatch(r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} UTC", r["Endorsement Date"]) for r in rows
        )
        assert all(r[f"{role} Public Url"].startswith("www.linkedin.com/in/") for r in rows)
    recs = _csv(out / "linkedin" / "Recommendations_Received.csv")
    assert len(recs) == 3
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{2}, \d{2}:\d{2} (AM|PM)", r["Creation Date"]) for r in recs)
    assert _csv(out / "linkedin" / "Profile.csv")[0]["First Name"] == "Elena"
    assert list(_csv(out / "linkedin" / "Positions.csv")[0]) == [
        "Company Name",
        "Title",
        "Description",
        "Location",
        "Started On",
        "Finished On",
    ]


def test_mbox_separators_and_gmail_headers(out):
    path = out / "mail" / "mail.mbox"
    counts = dict(csv.reader(io.StringIO(_read(out / "ground_truth" / "counts.csv"))))
    blocks = _mbox_blocks(path)
    assert len(blocks) == int(counts["mail/mail.mbox"])
    raw = _read(path)
    assert "\r\n" not in raw
    body_from = sum(1 for line in raw.split("\n") if line.startswith("From ") and not GMAIL_FROM.match(line))
    assert body_from == int(counts["mail/mail.mbox (From-lines in bodies)"]) == 3
    # the stdlib splits at every "From " line, so it sees the planted body lines as extra messages
    assert len(mailbox.mbox(path)) == len(blocks) + body_from
    parser = email.parser.HeaderParser(policy=email.policy.compat32)
    seen = Counter()
    for _, block in blocks:
        assert block.startswith("X-GM-THRID: ")
        assert block.split("\n")[1].startswith("X-Gmail-Labels: ")
        msg = parser.parsestr(block)
        assert msg["Message-ID"] and msg["X-GM-THRID"].isdigit() and len(msg["X-GM-THRID"]) == 19
        seen["empty date"] += (msg["Date"] or "").strip() == ""
        seen["undisclosed"] += msg["To"] == "undisclosed recipients: ;"
        seen["list"] += "via PM Guild" in (msg["From"] or "") and bool(msg["Reply-To"])
        seen["unsubscribe"] += bool(msg["List-Unsubscribe"])
        seen["encoded name"] += "=?UTF-8?" in (msg["From"] or "")
        seen["encoded label"] += msg["X-Gmail-Labels"].startswith("=?UTF-8?")
        seen["sent"] += msg["X-Gmail-Labels"] == "Sent"
        seen["reply"] += bool(msg["In-Reply-To"]) and bool(msg["References"])
        seen["cc"] += bool(msg["Cc"])
        seen["noreply"] += "notifications@linkedin.com" in (msg["From"] or "")
        seen["updates"] += msg["X-Gmail-Labels"] == "Inbox,Important,Category Updates"
    assert seen["empty date"] == 2 and seen["undisclosed"] == 2
    for kind in (
        "list",
        "unsubscribe",
        "encoded name",
        "encoded label",
        "sent",
        "reply",
        "cc",
        "noreply",
        "updates",
    ):
        assert seen[kind] > 0, kind


def test_google_contacts_csv(out):
    text = _read(out / "contacts" / "google.csv")
    assert text.startswith("First Name,Middle Name,Last Name,Phonetic First Name,")
    rows = _csv(out / "contacts" / "google.csv")
    assert "E-mail 1 - Label" in rows[0] and "E-mail 1 - Value" in rows[0] and "Organization Name" in rows[0]
    assert all(r["Labels"].startswith("* myContacts ::: ") for r in rows)
    assert any(" ::: " in r["E-mail 1 - Value"] for r in rows)
    assert any("\n" in r["Address 1 - Formatted"] for r in rows)
    assert any(re.fullmatch(r"--\d{2}-\d{2}", r["Birthday"]) for r in rows)


def test_vcard_parses_with_vobject(out):
    text = _read(out / "contacts" / "contacts.vcf")
    cards = list(vobject.readComponents(text))
    assert len(cards) == 8
    assert "item1.EMAIL;type=INTERNET:" in text and "item1.X-ABLabel:" in text and "CATEGORIES:" in text
    assert "\r\n " in text  # a folded line
    assert all(card.fn.value for card in cards)


def test_ics_parses_with_icalendar(out):
    cal = icalendar.Calendar.from_ical((out / "calendar" / "calendar.ics").read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) > 20
    recurring = [e for e in events if "RRULE" in e]
    assert len(recurring) == 1 and recurring[0]["RRULE"]["UNTIL"]
    partstats = [a.params["PARTSTAT"] for e in events for a in _attendees(e)]
    assert partstats.count("DECLINED") == 1 and "ACCEPTED" in partstats
    assert all("ORGANIZER" in e for e in events)


def _attendees(event) -> list:
    value = event.get("ATTENDEE", [])
    return value if isinstance(value, list) else [value]


# --- ground truth ---------------------------------------------------------------------------


def _contact_events(out: Path) -> list[tuple[datetime, str, str]]:
    """(time, person_id, channel) per contact, recomputed from the files with the identity map."""
    ident = dict(zip(*[_truth(out, "identities.csv")[c] for c in ("key", "person_id")]))
    events: list[tuple[datetime, str, str]] = []

    def credit(t: datetime, sender: str, recipients: list[str], channel: str) -> None:
        if sender == "automated":
            return
        if sender == "me":
            events.extend((t, r, channel) for r in recipients if r not in ("me", "automated"))
        else:
            events.append((t, sender, channel))

    parser = email.parser.HeaderParser(policy=email.policy.compat32)
    for sep, block in _mbox_blocks(out / "mail" / "mail.mbox"):
        msg = parser.parsestr(block)
        date = (msg["Date"] or "").strip()
        t = (
            parsedate_to_datetime(date)
            if date
            else datetime.strptime(sep[-30:], "%a %b %d %H:%M:%S +0000 %Y")
        )
        t = t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
        frm = msg["Reply-To"] if msg["List-ID"] else msg["From"]
        sender = ident[getaddresses([frm])[0][1].lower()]
        recips = [
            ident[a.lower()]
            for _, a in getaddresses(msg.get_all("To", []) + msg.get_all("Cc", []))
            if "@" in a
        ]
        credit(t, sender, recips, "email")
    for r in _csv(out / "linkedin" / "messages.csv"):
        if (
            r["IS MESSAGE DRAFT"] == "Yes"
            or not r["FROM"]
            or r["CONVERSATION TITLE"] == "Sponsored Conversation"
        ):
            continue
        t = datetime.strptime(r["DATE"], "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC)
        sender = ident[S.normalize_linkedin_url(r["SENDER PROFILE URL"]) or S.name_key(r["FROM"])]
        urls = [u for u in r["RECIPIENT PROFILE URLS"].split(",") if u]
        recips = [ident[S.normalize_linkedin_url(u)] for u in urls] or [ident[S.name_key(r["TO"])]]
        credit(t, sender, recips, "linkedin")
    cal = icalendar.Calendar.from_ical((out / "calendar" / "calendar.ics").read_bytes())
    for ev in cal.walk("VEVENT"):
        start = ev["DTSTART"].dt
        times = [start]
        if "RRULE" in ev:
            times = list(rrulestr(ev["RRULE"].to_ical().decode(), dtstart=start))
        organizer = ident[str(ev["ORGANIZER"]).removeprefix("mailto:").lower()]
        attendees = [
            ident[str(a).removeprefix("mailto:").lower()]
            for a in _attendees(ev)
            if a.params["PARTSTAT"] != "DECLINED"
        ]
        for t in times:
            credit(t.astimezone(UTC), organizer, [a for a in attendees if a != organizer], "meeting")
    _chat_events(out, ident, credit)
    return events


_ANDROID = re.compile(r"^(\d+)/(\d+)/(\d+), (\d+):(\d+) (AM|PM) - ([^:]+): ")
_IOS = re.compile(r"^\[(\d+)/(\d+)/(\d+), (\d+):(\d+):(\d+)\] ([^:\u200e]+): (?!\u200e)")


def _chat_events(out: Path, ident: dict[str, str], credit) -> None:
    """Contacts in the WhatsApp exports (local New York time), the Slack zip and the call log."""
    zone = ZoneInfo("America/New_York")

    def chat_key(name: str) -> str:
        return ident[
            "tel:+" + "".join(c for c in name if c.isdigit()) if name.startswith("+") else "name:" + name
        ]

    for path in sorted((out / "chats").glob("WhatsApp Chat*")):
        if path.suffix == ".zip":
            text = zipfile.ZipFile(path).read("_chat.txt").decode("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        lines = []
        for line in text.splitlines():
            if m := _ANDROID.match(line):
                mo, d, y, h, mi, ampm, name = m.groups()
                hour = int(h) % 12 + (12 if ampm == "PM" else 0)
                t = datetime(2000 + int(y), int(mo), int(d), hour, int(mi), tzinfo=zone)
            elif m := _IOS.match(line):
                d, mo, y, h, mi, sec, name = m.groups()
                t = datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec), tzinfo=zone)
            else:
                continue  # a system line or a message's second line
            lines.append((t.astimezone(UTC), name))
        members = list(dict.fromkeys(name for _, name in lines))
        for t, name in lines:
            credit(t, chat_key(name), [chat_key(x) for x in members if x != name], "whatsapp")
    for path in (out / "chats").glob("*Slack export*.zip"):
        zf = zipfile.ZipFile(path)
        users = {
            u["id"]: ident[u["profile"]["email"]]
            for u in json.loads(zf.read("users.json"))
            if not u["is_bot"]
        }
        convs = {c["name"]: c["members"] for c in json.loads(zf.read("channels.json"))}
        convs |= {c["id"]: c["members"] for c in json.loads(zf.read("dms.json"))}
        for name in zf.namelist():
            folder = name.rpartition("/")[0]
            for entry in json.loads(zf.read(name)) if folder else []:
                if entry.get("subtype") or entry.get("bot_id"):
                    continue
                t = datetime.fromtimestamp(float(entry["ts"]), UTC)
                others = [users[u] for u in convs[folder] if u != entry["user"]]
                credit(t, users[entry["user"]], others, "slack")
    for r in _csv(out / "calls" / "interactions.csv"):
        if r["direction"] == "missed":
            continue
        t = datetime.fromisoformat(r["date"]).astimezone(UTC)
        person = ident[r["person"]]
        credit(t, "me" if r["direction"] == "out" else person, [person], "call")


@pytest.fixture(scope="module")
def events(out):
    return _contact_events(out)


def test_people_have_every_ground_truth_attribute(out):
    people = _truth(out, "people.csv")
    assert len(people) == 300 and people["person_id"].is_unique
    for col in ("community", "kind", "trajectory", "reciprocity_profile", "initiation", "companies"):
        assert (people[col] != "").all(), col
    assert set(people["trajectory"]) == {"steady", "growing", "cooling", "dormant", "revived", "moved"}
    assert set(people["reciprocity_profile"]) == {
        "balanced",
        "they_initiate",
        "i_initiate",
        "never_replies",
        "i_owe",
    }
    assert set(people["initiation"]) == {"me", "them", "both"}
    assert people["community"].nunique() == 7


def test_identity_keys_are_normalised_unique_and_mapped(out):
    ident = _truth(out, "identities.csv")
    people = set(_truth(out, "people.csv")["person_id"])
    assert ident["key"].is_unique
    assert set(ident["person_id"]) <= people | {"me", "automated"}
    for key, kind in zip(ident["key"], ident["key_kind"]):
        assert S.key_kind(key) == kind
        if kind == S.KEY_EMAIL:
            assert S.normalize_email(key) == key
        elif kind == S.KEY_URL:
            assert S.normalize_linkedin_url(key) == key
    me = set(ident.loc[ident["person_id"] == "me", "key"])
    assert {"elena.marsh.pm@gmail.com", "elena.marsh@corvane.com", "emarsh@tidewellhealth.com"} <= me
    assert {"notifications@linkedin.com", "pm-guild@googlegroups.com"} <= set(
        ident.loc[ident["person_id"] == "automated", "key"]
    )


def test_identity_mess_is_planted(out):
    people = _truth(out, "people.csv")
    ident = _truth(out, "identities.csv")
    kims = people[people["name"] == "David Kim"]
    assert len(kims) == 2 and kims["companies"].nunique() == 2
    tags = Counter(t for ts in people["tags"] for t in ts.split(";") if t)
    for tag in (
        "nickname",
        "accent",
        "middle_name",
        "credentials",
        "two_addresses",
        "job_change",
        "name_only_linkedin",
        "deleted_member",
        "common_name",
    ):
        assert tags[tag] > 0, tag
    assert "name:Priya Raman" in set(ident["key"])
    owners = ident.groupby("person_id")["key_kind"].apply(list)
    assert (owners.drop(["me", "automated"]).map(lambda kinds: kinds.count("email")) >= 2).sum() >= 10
    nick = people[people["tags"].str.contains("nickname")].iloc[0]
    mail_names = _read(out / "mail" / "mail.mbox")
    assert nick["name"].split()[0] not in {"Bob", "Bill", "Kate", "Liz", "Alex", "Jen", "Mike", "Dan"}
    nickname = {"Robert": "Bob", "William": "Bill", "Katherine": "Kate", "Elizabeth": "Liz"}.get(
        nick["name"].split()[0], None
    )
    if nickname:
        assert f"{nickname} {nick['name'].split()[-1]}" in mail_names


def test_layers_recomputed_from_files_match_ground_truth(out, events):
    people = _truth(out, "people.csv")
    window = END - timedelta(days=365)
    counts = Counter(pid for t, pid, _ in events if window <= t <= END)

    def rule(n):
        return 5 if n >= 52 else 15 if n >= 12 else 50 if n >= 4 else 150 if n >= 1 else 0

    for pid, layer in zip(people["person_id"], people["expected_layer"]):
        assert rule(counts[pid]) == int(layer), pid
    sizes = Counter(people["expected_layer"])
    assert (sizes["5"], sizes["15"], sizes["50"]) == (5, 22, 39)
    inner = people[people["inner_circle"] == "True"]
    assert len(inner) == 5 and (inner["expected_layer"] == "5").all()


def test_trajectories_are_visible_in_the_timestamps(out, events):
    people = _truth(out, "people.csv").set_index("person_id")
    times = defaultdict(list)
    for t, pid, _ in events:
        times[pid].append(t)
    for pid, row in people.iterrows():
        assert times[pid], pid  # everybody was in touch at least once
        last = max(times[pid])
        if row["trajectory"] == "dormant":
            since = datetime.fromisoformat(row["dormant_since"]).replace(tzinfo=UTC)
            assert since <= END - timedelta(days=380)
            assert last < since, pid
        if row["trajectory"] == "revived":
            ts = sorted(times[pid])
            assert last >= END - timedelta(days=120)
            assert max(b - a for a, b in itertools.pairwise(ts)) > timedelta(days=365), pid


def test_dormant_people_are_silent_in_the_mbox(out):
    people = _truth(out, "people.csv")
    ident = _truth(out, "identities.csv")
    dormant = dict(
        zip(
            people.loc[people["trajectory"] == "dormant", "person_id"],
            people.loc[people["trajectory"] == "dormant", "dormant_since"],
        )
    )
    keys = {k: p for k, p in zip(ident["key"], ident["person_id"]) if p in dormant}
    parser = email.parser.HeaderParser(policy=email.policy.compat32)
    for sep, block in _mbox_blocks(out / "mail" / "mail.mbox"):
        msg = parser.parsestr(block)
        t = datetime.strptime(sep[-30:], "%a %b %d %H:%M:%S +0000 %Y").date()
        fields = [msg[h] for h in ("From", "To", "Cc", "Reply-To") if msg[h]]
        for _, addr in getaddresses(fields):
            pid = keys.get(addr.lower())
            if pid:
                assert t.isoformat() < dormant[pid], (pid, t)


def test_edges_stay_mostly_within_communities(out):
    people = _truth(out, "people.csv").set_index("person_id")["community"]
    edges = _truth(out, "edges.csv")
    weight = edges["shared_messages"].astype(int)
    same = people[edges["person_a"]].to_numpy() == people[edges["person_b"]].to_numpy()
    assert len(edges) > 200 and weight[same].sum() / weight.sum() > 0.85
    assert ((edges["person_a"] < edges["person_b"]) & ~edges["person_a"].isin(["me", "automated"])).all()


def test_i_owe_people_have_an_unanswered_recent_message(out):
    people = _truth(out, "people.csv")
    owe = set(people.loc[people["reciprocity_profile"] == "i_owe", "person_id"])
    ident = dict(zip(*[_truth(out, "identities.csv")[c] for c in ("key", "person_id")]))
    parser = email.parser.HeaderParser(policy=email.policy.compat32)
    last: dict[str, tuple[datetime, str]] = {}
    for sep, block in _mbox_blocks(out / "mail" / "mail.mbox"):
        msg = parser.parsestr(block)
        t = datetime.strptime(sep[-30:], "%a %b %d %H:%M:%S +0000 %Y")
        fields = [msg[h] for h in ("From", "To", "Cc") if msg[h]]
        who = {ident[a.lower()] for _, a in getaddresses(fields) if "@" in a}
        sender = ident[getaddresses([msg["From"]])[0][1].lower()]
        for pid in who & owe:
            if pid not in last or t > last[pid][0]:
                last[pid] = (t, sender)
    assert owe and all(last[pid][1] == pid for pid in owe)
    assert all(last[pid][0] >= datetime(2026, 10, 31) - timedelta(days=21) for pid in owe)


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    a = synthesize(tmp_path / "a", seed=3, n_people=60, years=2, n_messages=400)
    b = synthesize(tmp_path / "b", seed=3, n_people=60, years=2, n_messages=400)
    c = synthesize(tmp_path / "c", seed=4, n_people=60, years=2, n_messages=400)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    assert (a / "mail" / "mail.mbox").read_bytes() != (c / "mail" / "mail.mbox").read_bytes()


def test_synthesize_rejects_too_small_worlds(tmp_path):
    with pytest.raises(ValueError, match="n_people=10"):
        synthesize(tmp_path, n_people=10)
    with pytest.raises(ValueError, match="years=1"):
        synthesize(tmp_path, years=1)


def test_write_mbox_streams_the_requested_number_of_messages(tmp_path):
    path = write_mbox(tmp_path / "bench.mbox", 500, attachment_share=0.05)
    assert len(mailbox.mbox(path)) == 500
    blocks = _mbox_blocks(path)
    assert len(blocks) == 500
    parser = email.parser.HeaderParser(policy=email.policy.compat32)
    msgs = [parser.parsestr(b) for _, b in blocks]
    assert all(m["X-GM-THRID"] and m["X-Gmail-Labels"] and m["Message-ID"] for m in msgs)
    with_attachment = [m for m in msgs if m["Content-Type"].startswith("multipart/mixed")]
    assert 5 <= len(with_attachment) <= 60
    assert sum(bool(m["In-Reply-To"]) for m in msgs) > 100
    assert write_mbox(tmp_path / "again.mbox", 500, attachment_share=0.05).read_bytes() == path.read_bytes()


def test_write_mbox_delivery_headers_add_only_headers(tmp_path):
    plain = write_mbox(tmp_path / "plain.mbox", 300, attachment_share=0.05)
    heavy = write_mbox(tmp_path / "heavy.mbox", 300, attachment_share=0.05, delivery_headers=True)
    parser = email.parser.HeaderParser(policy=email.policy.compat32)
    msgs = [parser.parsestr(b) for _, b in _mbox_blocks(heavy)]
    incoming = [m for m in msgs if m["X-Gmail-Labels"] != "Sent"]
    assert incoming and all(m["DKIM-Signature"] and len(m.get_all("Received")) >= 2 for m in incoming)
    assert all(m["Delivered-To"] is None for m in msgs if m["X-Gmail-Labels"] == "Sent")
    assert heavy.stat().st_size > plain.stat().st_size + 300 * 1500
    # the reader sees the same messages in both files
    a, _ = read_mbox(plain, cache=False)
    b, _ = read_mbox(heavy, cache=False)
    pd.testing.assert_frame_equal(a.drop(columns=S.SOURCE_FILE), b.drop(columns=S.SOURCE_FILE))


def test_write_mbox_high_cardinality_changes_only_the_recipients(tmp_path):
    kwargs = {"attachment_share": 0.0, "correspondents": 1500}
    plain, _ = read_mbox(write_mbox(tmp_path / "plain.mbox", 2000, **kwargs), cache=False)
    wide, _ = read_mbox(
        write_mbox(tmp_path / "wide.mbox", 2000, unique_recipients=True, **kwargs), cache=False
    )
    # every To list distinct: the correspondent and 2-5 more; Cc 0-3 people
    assert wide[S.TO].map(tuple).nunique() == 2000
    assert sorted(wide[S.TO].map(len).unique()) == [3, 4, 5, 6]
    assert sorted(wide[S.CC].map(len).unique()) == [0, 1, 2, 3]
    me = "elena.marsh.pm@gmail.com"
    people = set(wide[S.SENDER]).union(*wide[S.TO], *wide[S.CC]) - {me}
    assert len(people) == 1498  # of the 1,500 correspondents, 2 were never drawn
    assert set(plain[S.SENDER]).union(*plain[S.TO]) - {me} <= people
    # the rest of each message is as without the option
    same = [
        c
        for c in plain.columns
        if c not in (S.TO, S.CC, S.TO_NAMES, S.CC_NAMES, S.N_RECIPIENTS, S.SOURCE_FILE)
    ]
    pd.testing.assert_frame_equal(plain[same], wide[same])


def test_write_mbox_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="attachment_share"):
        write_mbox(tmp_path / "x.mbox", 10, attachment_share=1.5)
    with pytest.raises(ValueError, match="n_messages"):
        write_mbox(tmp_path / "x.mbox", -1)
    with pytest.raises(ValueError, match="correspondents must be >= 1, got 0"):
        write_mbox(tmp_path / "x.mbox", 10, correspondents=0)


def test_import_netanalytics_does_not_import_the_generator():
    import subprocess
    import sys

    code = "import sys, netanalytics; print(sorted(m for m in sys.modules if m.startswith('netanalytics.datasets.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['netanalytics.datasets.sample']"
    code = "from netanalytics.datasets import synthesize, write_mbox; print(synthesize.__name__, write_mbox.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["synthesize", "write_mbox"]


def test_synthesize_stays_the_function_after_the_sample_is_regenerated():
    import subprocess
    import sys

    code = (
        "import netanalytics as na, netanalytics.datasets._synthesize, netanalytics.datasets.sample;"
        "print(callable(na.datasets.synthesize), na.datasets.synthesize.__module__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "netanalytics.datasets._synthesize"]
