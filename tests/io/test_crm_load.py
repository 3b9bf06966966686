"""na.load and the CLI with CRM exports (Monica, HubSpot CSV) and chat time zones (tz=)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import netanalytics as na
from netanalytics import schema as S
from netanalytics.loader import discover

FIXTURES = Path(__file__).parent / "fixtures"
MONICA = FIXTURES / "monica" / "monica-export.json"
CRM = FIXTURES / "crm"
BRUNO_WA = FIXTURES / "whatsapp" / "WhatsApp Chat with Bruno Keller.txt"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(MONICA, folder / MONICA.name)
    for name in ("hubspot-contacts.csv", "hubspot-activities.csv"):
        shutil.copy(CRM / name, folder / name)
    (folder / "bank.csv").write_text("Date,Amount,Description\n2025-01-02,12.50,coffee\n")
    return folder


def test_discover_finds_crm_exports(tmp_path):
    found = discover(_folder(tmp_path))
    assert [p.name for p in found["crm"]] == ["hubspot-activities.csv", "hubspot-contacts.csv", MONICA.name]
    assert [p.name for p in found["ignored"]] == ["bank.csv"]
    assert found["contacts"] == [] and found["chats"] == []


def test_load_folder_with_monica_and_hubspot(tmp_path):
    net = na.load(_folder(tmp_path), me="mara@example.org", phone_region="DE", cache=False)
    report = net.report
    kinds = sorted(f.kind for f in report.files)
    assert kinds == ["crm.activities", "crm.contacts", "ignored", "monica"]
    for f in report.files:
        assert f.read == f.kept + f.n_skipped
    assert report.read == 17 + 13 + 6  # monica, activities, contacts (bank.csv is no record)
    # the same people in Monica and HubSpot are one person each
    people = net.people[~net.people[S.IS_ME]]
    assert sorted(people[S.NAME]) == ["Bruno Keller", "Kofi Mensah", "Lena", "Odile Brun", "Priya Natarajan"]
    bruno = people.index[people[S.NAME] == "Bruno Keller"][0]
    assert sorted(people.loc[bruno, S.SOURCES]) == ["crm", "monica"]
    inter = net.interactions
    mine = inter[inter[S.PERSON_ID] == bruno].sort_values(S.TIMESTAMP)
    assert mine[S.CHANNEL].tolist() == [
        "in_person", "whatsapp", "whatsapp", "call", "call", "in_person", "call", "in_person", "email",
    ]  # fmt: skip
    kofi = people.index[people[S.NAME] == "Kofi Mensah"][0]  # by phone number only, in both tools
    assert sorted(inter.loc[inter[S.PERSON_ID] == kofi, S.CHANNEL]) == ["call", "call", "video"]


def test_load_crm_paths_and_owner(tmp_path):
    net = na.load(crm=[CRM / "hubspot-activities.csv", CRM / "hubspot-contacts.csv"], cache=False)
    ego = net.people.index[net.people[S.IS_ME]][0]
    # no owner address known: the owner is name:(me), as in a call log
    assert set(net.identities.loc[net.identities[S.PERSON_ID] == ego, S.KEY]) == {"name:(me)"}
    assert len(net.messages) == 6
    assert net.interactions[S.CHANNEL].value_counts().to_dict() == {
        "email": 2,
        "call": 2,
        "meeting": 2,
        "in_person": 1,
    }


def test_load_crm_columns(tmp_path):
    mapping = {"Kontakt": "contact", "Datum": "date", "Art": "type", "Richtung": "direction", "Notiz": "note"}
    net = na.load(crm=CRM / "other-crm.csv", crm_columns=mapping, me="mara@example.org", cache=False)
    assert sorted(net.interactions[S.CHANNEL]) == ["call", "video"]


def test_load_tz_for_chats_and_crm():
    utc = na.load(chats=BRUNO_WA, me="Mara Olsen", cache=False)
    berlin = na.load(chats=BRUNO_WA, me="Mara Olsen", tz="Europe/Berlin", cache=False)
    # 1/9/25, 8:02 PM on a phone in Berlin (CET, UTC+1) is 19:02 UTC; read as UTC without tz=
    assert sorted(utc.messages[S.TIMESTAMP])[0] == ts("2025-01-09 20:02")
    assert sorted(berlin.messages[S.TIMESTAMP])[0] == ts("2025-01-09 19:02")
    assert sorted(berlin.messages[S.TIMESTAMP])[-1] == ts("2025-02-03 11:20")
    crm = na.load(crm=CRM / "hubspot-activities.csv", tz="America/New_York", cache=False)
    assert crm.messages[S.TIMESTAMP].min() == ts("2025-01-06 14:15")
    with pytest.raises(ValueError, match="tz='Mars/Olympus' is not a known time zone"):
        na.load(chats=BRUNO_WA, tz="Mars/Olympus", cache=False)


def test_cli_crm_and_tz(tmp_path, capsys):
    from netanalytics.cli import main

    code = main(["summary", "--crm", str(MONICA), "--tz", "Europe/Berlin", "--no-cache", "-q"])
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("Network of 4 people (mara@example.org is 'me') from 1 files\n")
    assert "  by channel: in_person 3, call 3, whatsapp 2, sms 1, video 1\n" in out
    assert "monica-export.json [monica]: read 17, kept 13, skipped 4" in out
    assert main(["summary", "--crm", str(MONICA), "--tz", "Nowhere/Land"]) == 2
    assert "not a time zone: 'Nowhere/Land'" in capsys.readouterr().err


def test_cli_crm_error_names_the_fix(tmp_path, capsys):
    from netanalytics.cli import main

    bank = tmp_path / "bank.csv"
    bank.write_text("Date,Amount,Description\n2025-01-02,12.50,coffee\n")
    assert main(["summary", "--crm", str(bank), "--no-cache", "-q"]) == 1
    err = capsys.readouterr().err
    assert "bank.csv: line 1 is neither a CRM contacts header" in err
    assert "rename another CRM's columns to HubSpot's (the Python API reads other names with read_crm(" in err
    assert "columns={" not in err


def test_load_folder_reports_an_unreadable_crm_file(tmp_path):
    folder = _folder(tmp_path)
    (folder / "empty-activities.csv").write_text(
        "Activity date,Activity type,Associated Contact\n03/04/2025,CALL,bo@x.org\n"
    )
    net = na.load(folder, me="mara@example.org", cache=False)
    unread = {Path(f.path).name: f.not_read for f in net.report.files if f.not_read}
    assert set(unread) == {"bank.csv", "empty-activities.csv"}
    assert unread["empty-activities.csv"].startswith(
        "line 2: no row has a readable date (first: '03/04/2025')"
    )
    assert len(net.messages) == 9 + 6  # Monica's and the HubSpot activities' rows still load
