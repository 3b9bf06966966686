"""Tests for the CRM contacts + activities CSV reader (HubSpot's export column names)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io.crm import is_crm_csv, read_crm

CRM = Path(__file__).parent / "fixtures" / "crm"
CONTACTS, ACTIVITIES, OTHER = (
    CRM / "hubspot-contacts.csv",
    CRM / "hubspot-activities.csv",
    CRM / "other-crm.csv",
)
MARA, BRUNO, PRIYA, ODILE = (
    "mara@example.org",
    "bruno.keller@tidewater.example",
    "priya@example.net",
    "odile.brun@example.fr",
)


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_hubspot_contacts():
    contacts, messages, report = read_crm(CONTACTS)
    assert len(messages) == 0
    S.validate(contacts, S.CONTACTS)
    assert contacts[S.RECORD_ID].tolist() == ["51001", "51002", "51003", "51005"]
    assert contacts[S.FULL_NAME].tolist() == ["Bruno Keller", "Priya Natarajan", "Kofi Mensah", "Odile Brun"]
    assert contacts[S.EMAILS].tolist() == [[BRUNO], [PRIYA, "p.natarajan@northwind.example"], [], [ODILE]]
    assert contacts[S.PHONES].tolist() == [["+41 79 555 01 23"], [], ["030 5550 1010"], []]
    assert contacts[S.COMPANY].fillna("").tolist() == ["Tidewater Labs", "Northwind Health", "", ""]
    assert contacts[S.TITLE].fillna("").tolist() == [
        "Site reliability engineer",
        "Head of data",
        "Product lead",
        "",
    ]
    (f,) = report.files
    assert (f.kind, f.read, f.kept) == ("crm.contacts", 6, 4)
    assert dict(f.skipped) == {"no name, e-mail or phone": 1, "empty row": 1}
    # every column is read or named: none dropped without a word
    assert f.notes["columns_not_read"] == [
        "Create Date",
        "Last Activity Date",
        "Contact owner",
        "Lifecycle Stage",
    ]
    assert f.warnings == [
        "columns not read: Create Date, Last Activity Date, Contact owner, Lifecycle Stage (no field of a CRM "
        "export; if one is, map it with columns=)",
        "line 5: 'not-an-address' is not an e-mail address; ignored",
    ]


def test_hubspot_activities_with_contacts():
    # the contacts file is read first whatever the order given: an id finds its contact
    contacts, messages, report = read_crm([ACTIVITIES, CONTACTS], me="Mara@Example.org", region="DE")
    S.validate(messages, S.MESSAGES)
    assert len(contacts) == 4 and messages[S.MESSAGE_ID].is_unique
    assert messages[S.CHANNEL].tolist() == ["call", "meeting", "call", "email", "in_person", "email"]
    assert messages[S.TIMESTAMP].tolist() == [
        ts("2025-01-06 09:15"), ts("2025-01-08 13:00"), ts("2025-01-09 17:40"), ts("2025-01-13 08:30"),
        ts("2025-01-14 19:00"), ts("2025-01-20 16:02"),
    ]  # fmt: skip
    assert messages[S.SENDER].tolist() == [MARA, MARA, "tel:+493055501010", ODILE, MARA, MARA]
    assert messages[S.TO].tolist() == [[BRUNO], [PRIYA, ODILE], [MARA], [MARA], [BRUNO], [BRUNO]]
    assert messages[S.LABELS].tolist() == [[], ["mutual"], [], [], ["mutual", "channel:Coffee"], []]
    assert messages[S.IS_FROM_ME].tolist() == [True, True, False, False, True, True]
    f = {x.kind: x for x in report.files}["crm.activities"]
    assert (f.read, f.kept) == (13, 6)
    assert dict(f.skipped) == {
        "call not connected": 1,
        "note (not an interaction)": 1,
        "task (not an interaction)": 1,
        "meeting did not take place": 1,
        "no contact": 1,  # id 99999 is in no contacts file
        "unreadable date": 1,
        "unknown direction": 1,
    }
    assert f.warnings == [
        "line 11: no contact named (or its id is in no contacts file)",
        "line 12: date '16/01/2025' not read",
        "line 13: direction 'SIDEWAYS' is not inbound, outbound or blank",
    ]
    assert f.notes["note_columns"] == "present, never read"
    assert f.notes["channels"] == {"call": 2, "meeting": 1, "email": 2, "in_person": 1}
    text = messages.astype(str).to_string()
    assert "venue" not in text and "quarterly" not in text and "contract" not in text


def test_activities_alone_and_tz():
    # without the contacts file the row naming its contact by id only is skipped
    _, messages, report = read_crm(ACTIVITIES, me=MARA, tz="America/New_York")
    assert len(messages) == 5
    assert dict(report.files[0].skipped)["no contact"] == 2
    # local times in New York (EST, -05:00); an offset written in the file is kept
    assert messages[S.TIMESTAMP].tolist()[:2] == [ts("2025-01-06 14:15"), ts("2025-01-08 18:00")]
    assert messages[S.TIMESTAMP].iloc[-1] == ts("2025-01-20 16:02")


def test_other_crm_by_mapping():
    mapping = {"Kontakt": "contact", "Datum": "date", "Art": "type", "Richtung": "direction", "Notiz": "note"}
    _, messages, report = read_crm(OTHER, columns=mapping, me=MARA)
    assert messages[S.CHANNEL].tolist() == ["call", "video"]
    assert messages[S.TO].tolist() == [["ines@example.pt"], ["ines@example.pt"]]
    assert messages[S.LABELS].tolist() == [[], ["mutual", "channel:Zoom"]]
    (f,) = report.files
    assert f.notes["delimiter"] == ";" and f.notes["columns_not_read"] == ["Projekt"]
    assert "Angebot" not in messages.astype(str).to_string()


def test_detect_and_refuse(tmp_path):
    assert is_crm_csv(CONTACTS) and is_crm_csv(ACTIVITIES) and not is_crm_csv(OTHER)
    bank = tmp_path / "bank.csv"
    bank.write_text("Date,Amount,Description\n2025-01-02,12.50,coffee\n")
    assert not is_crm_csv(bank)
    with pytest.raises(FormatError, match=r"bank.csv: line 1 is neither a CRM contacts header .*columns="):
        read_crm(bank)
    with pytest.raises(ValueError, match="columns= maps to \\['when'\\]"):
        read_crm(OTHER, columns={"Datum": "when"})
    dates = tmp_path / "activities.csv"
    dates.write_text("Activity date,Activity type,Associated Contact\n03/04/2025,CALL,bo@example.org\n")
    with pytest.raises(FormatError, match=r"line 2: no row has a readable date .*date_format="):
        read_crm(dates)
    _, messages, _ = read_crm(dates, date_format="%m/%d/%Y")
    assert messages[S.TIMESTAMP].tolist() == [ts("2025-03-04")]
