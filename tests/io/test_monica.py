"""Tests for the Monica export reader (a personal CRM's JSON account export)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io.monica import is_monica_export, read_monica

EXPORT = Path(__file__).parent / "fixtures" / "monica" / "monica-export.json"
BRUNO, PRIYA, KOFI = "bruno.keller@tidewater.example", "priya@example.net", "tel:+493055501010"
MARA = "mara@example.org"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_monica_contacts():
    contacts, messages, report = read_monica(EXPORT, region="DE")
    S.validate(contacts, S.CONTACTS)
    assert contacts[S.FULL_NAME].tolist() == ["Bruno Keller", "Priya Natarajan", "Kofi Mensah", "Lena"]
    assert contacts[S.RECORD_ID].tolist()[0] == "c0000000-0000-4000-8000-000000000001"
    assert contacts[S.EMAILS].tolist() == [[BRUNO], [PRIYA], [], []]
    assert contacts[S.PHONES].tolist() == [["+41 79 555 01 23"], [], ["030 5550 1010"], []]
    assert contacts[S.COMPANY].fillna("").tolist() == ["Tidewater Labs", "Northwind Health", "", ""]
    assert contacts[S.TITLE].fillna("").tolist() == ["Site reliability engineer", "", "Product lead", ""]
    assert contacts[S.LINKEDIN_URL].fillna("").tolist() == [
        "https://www.linkedin.com/in/bruno-keller-0042",
        "",
        "",
        "",
    ]
    assert contacts[S.LABELS].tolist() == [["climbing", "ex-colleague"], [], [], []]
    # a birthday whose year Monica does not know is --MM-DD
    assert contacts[S.BIRTHDAY].fillna("").tolist() == ["1986-09-14", "--03-02", "", ""]
    assert (contacts[S.SOURCE] == "monica").all()


def test_monica_interactions():
    contacts, messages, report = read_monica(EXPORT, region="DE")
    S.validate(messages, S.MESSAGES)
    assert messages[S.MESSAGE_ID].is_unique
    assert messages[S.CHANNEL].tolist() == [
        "call", "call", "whatsapp", "whatsapp", "sms", "call", "in_person", "in_person", "video",
    ]  # fmt: skip
    assert messages[S.TIMESTAMP].tolist() == [
        ts("2024-11-05"), ts("2024-12-01 17:45"),  # a date without a zone: tz (UTC by default)
        ts("2024-10-01 08:10"), ts("2024-10-01 09:02"), ts("2024-12-20"), ts("2025-01-14"),
        ts("2024-09-07"), ts("2024-12-14"), ts("2025-01-09"),  # "2024-12-14": a date without time
    ]  # fmt: skip
    assert messages[S.SENDER].tolist() == [BRUNO, MARA, MARA, BRUNO, MARA, MARA, MARA, MARA, MARA]
    assert messages[S.TO].tolist() == [
        [MARA], [BRUNO], [BRUNO], [MARA], [PRIYA], [KOFI], [BRUNO], [BRUNO, PRIYA], [KOFI],
    ]  # fmt: skip
    assert messages[S.LABELS].tolist() == [
        [], [], [], [], ["mutual", "channel:Phone"], ["mutual"],  # a call whose caller is not known
        ["mutual", "channel:Climbing"], ["mutual", "channel:ate at a restaurant"], ["mutual", "channel:Zoom call"],
    ]  # fmt: skip
    # the two WhatsApp messages are one conversation, a thread
    assert messages[S.THREAD_ID].iloc[2] == messages[S.THREAD_ID].iloc[3]
    assert messages[S.THREAD_ID].iloc[[0, 1, 5, 6, 7, 8]].isna().all()
    # no text is kept: not the notes, call contents, messages, activity summaries or descriptions
    text = messages.astype(str).to_string() + contacts.astype(str).to_string()
    for word in ("hazelnuts", "Fontainebleau", "Thursday", "Bouldering", "Secret santa", "Roadmap"):
        assert word not in text


def test_monica_report_reconciles():
    contacts, messages, report = read_monica(EXPORT, region="DE")
    (f,) = report.files
    assert (f.read, f.kept) == (17, 13)
    assert f.kept == len(contacts) + len(messages)
    assert dict(f.skipped) == {
        "the owner's own contact (me_contact)": 1,
        "contact with no name, email or phone": 1,
        "call without a readable date": 1,
        "activity with no contact": 1,
    }
    assert f.warnings == ["Kofi Mensah: call 2 has no readable called_at"]
    assert f.notes["owner_key"] == MARA and f.notes["owner_rule"] == "the export's user"
    assert f.notes["collections_not_read"] == {"gift": 1, "note": 1}
    assert (f.notes["contacts"], f.notes["activities"], f.notes["calls"], f.notes["conversation_messages"]) == (
        4, 3, 3, 3,
    )  # fmt: skip


def test_monica_tz_and_me(tmp_path):
    _, messages, report = read_monica(EXPORT, me="Mara.L@Example.org", tz="Europe/Berlin", region="DE")
    # "2024-12-01 17:45:00" has no offset: Berlin time (CET, +01:00); the others carry Z
    assert messages[S.TIMESTAMP].iloc[1] == ts("2024-12-01 16:45")
    assert messages[S.TIMESTAMP].iloc[7] == ts("2024-12-13 23:00")  # the date-only activity
    assert messages[S.TIMESTAMP].iloc[0] == ts("2024-11-05")
    assert messages[S.SENDER].iloc[1] == "mara.l@example.org"
    assert report.files[0].notes["owner_rule"] == "me= given"


def test_monica_without_region_a_national_number_is_no_key():
    _, messages, _ = read_monica(EXPORT)
    assert messages[S.TO].iloc[5] == ["name:Kofi Mensah"]


def test_monica_detect_and_refuse(tmp_path):
    assert is_monica_export(EXPORT)
    other = tmp_path / "result.json"
    other.write_text(json.dumps({"name": "Bo", "type": "personal_chat", "messages": []}))
    assert not is_monica_export(other)
    with pytest.raises(FormatError, match="holds no Monica 'account'.*Export to JSON"):
        read_monica(other)
    broken = tmp_path / "monica.json"
    broken.write_text('{"account": ')
    with pytest.raises(FormatError, match=r"monica.json: is not JSON"):
        read_monica(broken)


def _node_paths(node, prefix=()):
    if prefix:
        yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in children:
        yield from _node_paths(v, (*prefix, k))


def test_a_damaged_export_is_read_or_refused_never_crashes(tmp_path):
    """Any value of the export replaced by one of the wrong type (1-3 at a time, 400 seeded cases):
    the reader keeps what it can or raises FormatError, never a TypeError from inside."""
    import random

    original = json.loads(EXPORT.read_text(encoding="utf-8"))
    paths = list(_node_paths(original))
    n_contacts, n_messages = (len(frame) for frame in read_monica(EXPORT)[:2])
    outcomes = {"read": 0, "refused": 0}
    for seed in range(400):
        rng = random.Random(seed)
        data = json.loads(json.dumps(original))
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(paths)
            node = data
            try:
                for k in path[:-1]:
                    node = node[k]
                node[path[-1]] = rng.choice([True, 7, "x", None, [], {}, [1], {"a": 1}, -1.5])
            except (KeyError, IndexError, TypeError):  # an earlier damage removed this path
                pass
        case = tmp_path / "case.json"
        case.write_text(json.dumps(data), encoding="utf-8")
        try:
            contacts, messages, report = read_monica(case)
        except FormatError as exc:
            assert str(exc).startswith(str(case))
            outcomes["refused"] += 1
            continue
        S.validate(contacts, S.CONTACTS)
        assert len(contacts) <= n_contacts + 1 and len(messages) <= n_messages + 2
        outcomes["read"] += 1
    assert outcomes["read"] > 300 and outcomes["refused"] > 0, outcomes
