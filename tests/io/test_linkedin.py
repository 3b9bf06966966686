"""Tests for the LinkedIn export reader: every vintage, every quirk of FORMATS.md, damage and zips."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import netanalytics as na
from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io import linkedin as L
from netanalytics.io._csvtext import decode_bytes, find_header, parse_dates

FIXTURES = Path(__file__).parent / "fixtures" / "linkedin"
VINTAGES = ["v2018", "v2021", "v2023", "v2024", "v2026", "excel", "complete2022", "v2025"]
ZOE = "https://www.linkedin.com/in/zoe-owner"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def read(vintage: str) -> L.LinkedInExport:
    return na.io.read_linkedin(FIXTURES / vintage)


def file_report(export: L.LinkedInExport, filename: str):
    (match,) = [f for f in export.report.files if Path(f.path.split("!")[-1]).name == filename]
    return match


def zip_folder(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, prefix + path.relative_to(folder).as_posix())
    return target


# --- every frame is canonical ------------------------------------------------------------------


@pytest.mark.parametrize("vintage", VINTAGES)
def test_frames_are_canonical_and_accounted(vintage):
    export = read(vintage)
    S.validate(export.connections, S.CONTACTS)
    S.validate(export.messages, S.MESSAGES)
    S.validate(export.invitations, S.INVITATIONS)
    S.validate(export.endorsements, S.ENDORSEMENTS)
    S.validate(export.recommendations, S.RECOMMENDATIONS)
    S.validate(export.positions, S.POSITIONS)
    S.validate(export.imported_contacts, S.CONTACTS)
    assert export.messages[S.MESSAGE_ID].is_unique
    assert (export.messages[S.N_RECIPIENTS] == export.messages[S.TO].map(len)).all()
    for fr in export.report.files:
        assert fr.read == fr.kept + fr.n_skipped
    rows = {
        "linkedin.connections": export.connections,
        "linkedin.messages": export.messages,
        "linkedin.imported_contacts": export.imported_contacts,
    }
    for fr in export.report.files:
        if fr.kind in rows:
            assert (rows[fr.kind][S.SOURCE_FILE] == fr.path).sum() == fr.kept


@pytest.mark.parametrize("vintage", VINTAGES)
def test_message_content_is_never_stored(vintage):
    export = read(vintage)
    bodies = [
        "Hi Ann",
        "great to connect",
        "Hola",
        "Muy bien",
        "Grüße",
        "kickoff",
        "group note",
        "Hello both",
        "lange nicht",
        "meet our platform",
        "free trial",
        "money fast",
        "still there",
        "Ann's note",
        "Namaste",
    ]
    for frame in (export.messages,):
        flat = " ".join(str(v) for v in frame.to_numpy().ravel())
        assert not any(b in flat for b in bodies)
    assert "content" not in export.messages.columns


# --- 2018 -------------------------------------------------------------------------------------------


def test_2018_connections_without_preamble_or_url():
    export = read("v2018")
    c = export.connections
    assert c[S.FULL_NAME].tolist() == ["Ann Lee", "Bjørn Ødegård", "Chen Wei"]
    assert c[S.EMAILS].tolist() == [["ann.lee@example.com"], [], []]
    assert c[S.CONNECTED_ON].tolist() == [
        ts("2018-01-08 18:14"),
        ts("2018-10-16 08:36"),
        ts("2017-12-31 23:59"),
    ]
    assert c[S.LINKEDIN_URL].isna().all()
    assert c[S.COMPANY].tolist() == ["Acme Corp", "Fjord AS", None]
    assert c[S.TITLE].tolist() == ["CTO", "Engineer", None]
    assert c[S.SOURCE].eq("linkedin").all()
    assert c[S.RECORD_ID].tolist() == ["2", "3", "4"]


def test_2018_messages_use_direction_and_names():
    export = read("v2018")
    m = export.messages
    assert export.owner_name == "Zoe Owner"
    assert export.owner_url is None
    assert export.owner_keys == ["name:Zoe Owner"]
    assert "Direction" in file_report(export, "Messages.csv").notes["owner_evidence"]
    assert m[S.SENDER].tolist() == ["name:Zoe Owner", "name:Ann Lee", "name:Bjørn Ødegård", "name:Zoe Owner"]
    assert m[S.TO].tolist() == [
        ["name:Ann Lee"],
        ["name:Zoe Owner"],
        ["name:Zoe Owner"],
        ["name:Ann Lee, MBA", "name:Chen Wei"],
    ]
    assert m[S.TIMESTAMP].tolist() == [
        ts("2018-01-09 09:00"),
        ts("2018-01-09 10:30"),
        ts("2018-10-17 20:00"),
        ts("2018-10-18 07:05"),
    ]
    assert m[S.IS_FROM_ME].tolist() == [True, False, False, True]
    assert m[S.SUBJECT].tolist() == ["Hello", "RE: Hello", None, "Intro"]
    assert m[S.FOLDER].tolist() == ["SENT", "INBOX", "INBOX", "SENT"]
    assert m[S.CHANNEL].eq("linkedin").all() and m[S.SOURCE].eq("linkedin").all()
    # same participants -> same synthesized thread; different ones -> different threads
    threads = m[S.THREAD_ID].tolist()
    assert threads[0] == threads[1] and len(set(threads)) == 3
    assert threads[0].startswith("linkedin-thread:")


def test_2018_invitations():
    inv = read("v2018").invitations
    assert inv[S.DIRECTION].tolist() == ["out", "in"]
    assert inv[S.NAME].tolist() == ["Dana Fox", "Eli Stone"]
    assert inv[S.HAS_MESSAGE].tolist() == [True, False]
    assert inv[S.TIMESTAMP].tolist() == [ts("2018-03-12 11:20"), ts("2018-04-02 17:05")]
    assert inv[S.LINKEDIN_URL].isna().all()


def test_invitation_date_past_the_timestamp_range_is_kept_with_nat(tmp_path):
    # a mangled year (found by the mutation test) is not a date pandas can hold: NaT + warning
    shutil.copytree(FIXTURES / "v2023", tmp_path / "v2023")
    path = tmp_path / "v2023" / "Invitations.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("8/01/23, 6:45 PM", "8/01/2333, 6:45 PM"), "utf-8"
    )
    export = na.io.read_linkedin(tmp_path / "v2023")
    inv = export.invitations
    assert inv[S.NAME].tolist() == ["Kenji 山田", "Mia Rossi"]
    assert inv[S.TIMESTAMP].iloc[0] == ts("2023-07-14 11:20") and pd.isna(inv[S.TIMESTAMP].iloc[1])
    assert any(
        "'8/01/2333, 6:45 PM' not understood; kept with NaT" in w
        for w in file_report(export, "Invitations.csv").warnings
    )


def test_missing_files_are_listed():
    export = read("v2018")
    assert export.report.missing == [
        "Profile.csv",
        "Endorsement_Received_Info.csv",
        "Endorsement_Given_Info.csv",
        "Recommendations_Received.csv",
        "Recommendations_Given.csv",
        "Positions.csv",
    ]


# --- 2021 -------------------------------------------------------------------------------------------


def test_2021_connections_preamble_credentials_hidden_and_bad_date():
    export = read("v2021")
    c = export.connections
    assert c[S.FIRST_NAME].tolist() == ["Ann", "Amira", "Ravi"]
    assert c[S.LAST_NAME].tolist() == ["Lee", "Mehic-Dzanic (IoT), MBA", "Shankar"]
    assert c[S.FULL_NAME].tolist() == ["Ann Lee", "Amira Mehic-Dzanic (IoT), MBA", "Ravi Shankar"]
    assert c[S.EMAILS].tolist() == [[], [], ["ravi@example.org"]]
    assert c[S.CONNECTED_ON].tolist()[:2] == [ts("2021-06-17"), ts("2020-02-03")]
    assert pd.isna(c[S.CONNECTED_ON].iloc[2])
    fr = file_report(export, "Connections.csv")
    assert dict(fr.skipped) == {L.R_HIDDEN: 1}
    assert fr.warnings == ["line 8: Connected On 'not a date' not understood; kept with NaT"]
    assert (fr.read, fr.kept) == (4, 3)


def test_2021_messages_skip_reasons_and_recipients():
    export = read("v2021")
    fr = file_report(export, "messages.csv")
    assert dict(fr.skipped) == {L.R_MEMBER: 1, L.R_SYSTEM: 1, L.R_SPONSORED: 1, L.R_DATE: 1}
    assert fr.kept == 4
    assert fr.warnings == ["line 9: DATE 'yesterday' not understood; skipped"]
    m = export.messages
    assert m[S.THREAD_ID].tolist() == ["2-AAA", "2-AAA", "2-EEE", "2-EEE"]
    assert m[S.SENDER].tolist() == [
        ZOE,
        "https://www.linkedin.com/in/ann-lee",
        "https://www.linkedin.com/in/amira-md",
        ZOE,
    ]
    assert m[S.SENDER_NAME].tolist()[2] == "Amira Mehic-Dzanic (IoT), MBA"
    assert m[S.TO].tolist()[3] == ["name:Amira Mehic-Dzanic (IoT), MBA", "name:Ravi Shankar"]
    assert m[S.TO_NAMES].tolist()[2] == ["Zoe Owner", "Ravi Shankar"]
    assert m[S.N_RECIPIENTS].tolist() == [1, 1, 2, 2]
    assert m[S.IS_FROM_ME].tolist() == [True, False, False, True]
    assert m[S.TIMESTAMP].tolist()[1] == ts("2021-06-18 10:00:02")
    assert "Sponsored" not in " ".join(m[S.SUBJECT].dropna())


def test_2021_owner_from_profile_and_url_from_own_rows():
    export = read("v2021")
    assert export.owner_name == "Zoe Owner"
    assert export.owner_url == ZOE
    assert export.owner_keys == [ZOE, "name:Zoe Owner"]
    assert export.profile == {
        "first_name": "Zoe",
        "last_name": "Owner",
        "headline": "Network Scientist",
        "industry": "Research",
        "geo_location": "Oslo, Norway",
    }
    assert "Profile.csv" in file_report(export, "messages.csv").notes["owner_evidence"]


def test_2021_endorsements_without_url_and_positions():
    export = read("v2021")
    e = export.endorsements
    assert e.to_dict("records") == [
        {
            S.DIRECTION: "received",
            S.TIMESTAMP: ts("2021-03-21 18:14:18"),
            S.SKILL: "Network Analysis",
            S.FIRST_NAME: "Ann",
            S.LAST_NAME: "Lee",
            S.LINKEDIN_URL: None,
            S.STATUS: "ACCEPTED",
        }
    ]
    p = export.positions
    assert p.to_dict("records") == [
        {S.COMPANY: "Acme Corp", S.TITLE: "Data Scientist", S.STARTED_ON: "2018-06", S.FINISHED_ON: None},
        {S.COMPANY: "University", S.TITLE: "Research Assistant", S.STARTED_ON: "2015", S.FINISHED_ON: "2017"},
    ]


# --- 2023 -------------------------------------------------------------------------------------------


def test_2023_connections_url_column():
    c = read("v2023").connections
    assert c[S.LINKEDIN_URL].tolist() == [
        "https://www.linkedin.com/in/ann-lee",
        "https://www.linkedin.com/in/private-person",
        "https://www.linkedin.com/in/kenji-yamada",
    ]
    assert c[S.FULL_NAME].tolist() == ["Ann Lee", None, "Kenji 山田"]
    assert c[S.CONNECTED_ON].tolist() == [ts("2021-06-17"), ts("2023-01-01"), ts("2023-07-15")]


def test_2023_recipient_urls_credentials_and_deleted_member_recipient():
    export = read("v2023")
    m = export.messages
    assert m[S.TO].tolist() == [
        [ZOE, "https://www.linkedin.com/in/jo-lee"],
        ["https://www.linkedin.com/in/ann-lee", "https://www.linkedin.com/in/jo-lee"],
        ["https://www.linkedin.com/in/kenji-yamada"],
        ["https://www.linkedin.com/in/ann-lee"],
    ]
    assert m[S.TO_NAMES].tolist() == [
        ["Zoe Owner", "Jo Lee, MBA"],
        ["Ann Lee", "Jo Lee, MBA"],
        ["Kenji 山田"],
        ["Ann Lee"],
    ]
    assert m[S.SUBJECT].tolist() == [None, None, "こんにちは", None]
    assert m[S.IS_FROM_ME].tolist() == [False, True, True, True]
    fr = file_report(export, "messages.csv")
    assert fr.notes["linkedin_member_recipients_dropped"] == 1
    assert fr.kept == 4 and fr.n_skipped == 0


def test_2023_assistant_conversations_are_counted_not_attributed():
    export = read("v2023")
    fr = file_report(export, "coach_messages.csv")
    assert fr.kind == "linkedin.assistant"
    assert (fr.read, fr.kept, dict(fr.skipped)) == (2, 0, {L.R_ASSISTANT: 2})
    assert not export.messages[S.SENDER_NAME].eq("LinkedIn Coach").any()


def test_2023_extras():
    export = read("v2023")
    e = export.endorsements
    assert e[S.DIRECTION].tolist() == ["given"]
    assert e[S.LINKEDIN_URL].tolist() == ["https://www.linkedin.com/in/kenji-yamada"]
    assert e[S.LAST_NAME].tolist() == ["山田"]
    r = export.recommendations
    assert r[S.DIRECTION].tolist() == ["received", "given"]
    assert r[S.TIMESTAMP].tolist() == [ts("2023-04-15 21:25"), ts("2023-05-02 08:05")]
    # the text is a message body: only its length is kept, and no column holds it
    assert r[S.TEXT_CHARS].tolist()[0] == len("Zoe is a great colleague, thorough and kind.")
    assert not r.astype(str).apply(lambda col: col.str.contains("great colleague")).any().any()
    assert r[S.TITLE].tolist() == ["CTO", "Engineer"]
    inv = export.invitations
    assert inv[S.DIRECTION].tolist() == ["out", "in"]
    assert inv[S.NAME].tolist() == ["Kenji 山田", "Mia Rossi"]
    assert inv[S.LINKEDIN_URL].tolist() == [
        "https://www.linkedin.com/in/kenji-yamada",
        "https://www.linkedin.com/in/mia-rossi",
    ]
    assert inv[S.HAS_MESSAGE].tolist() == [False, True]
    assert inv[S.TIMESTAMP].tolist() == [ts("2023-07-14 11:20"), ts("2023-08-01 18:45")]


def test_2023_imported_contacts_lists():
    export = read("v2023")
    ic = export.imported_contacts
    assert ic[S.FULL_NAME].tolist() == ["Ann Lee"]
    assert ic[S.EMAILS].tolist() == [["ann.lee@example.com", "ann@home.example"]]
    assert ic[S.PHONES].tolist() == [["+1 555 0100", "+1 555 0101"]]
    assert ic[S.LABELS].tolist() == [["Google"]]
    assert ic[S.COMPANY].tolist() == ["Acme Corp"]
    assert dict(file_report(export, "ImportedContacts.csv").skipped) == {L.R_EMPTY_CONTACT: 1}


# --- late 2024 ---------------------------------------------------------------------------------------


def test_2024_drafts_semicolons_owner_by_frequency_and_repeat_ids():
    export = read("v2024")
    fr = file_report(export, "messages.csv")
    assert dict(fr.skipped) == {L.R_DRAFT: 1}
    assert export.owner_name == "Zoe Owner" and export.owner_url == ZOE
    assert fr.notes["owner_evidence"] == "most frequent message participant ('Zoe Owner' in 5 of 5 messages)"
    m = export.messages
    assert m[S.TO].tolist()[0] == [
        "https://www.linkedin.com/in/ann-lee",
        "https://www.linkedin.com/in/bo-chan",
    ]
    assert m[S.IS_FROM_ME].tolist() == [True, False, False, False, False]
    ids = m[S.MESSAGE_ID].tolist()
    assert ids[4] == ids[3] + "-2"
    assert len(set(ids)) == 5
    assert read("v2024").messages[S.MESSAGE_ID].tolist() == ids  # stable across reads


# --- 2026 --------------------------------------------------------------------------------------------


def test_2026_all_quoted_multiline_content_non_latin():
    export = read("v2026")
    c = export.connections
    assert c[S.FIRST_NAME].tolist() == ["Sofía 🌟", "Олег"]
    assert c[S.COMPANY].tolist() == ["Ñandú SA", None]
    assert c[S.CONNECTED_ON].tolist() == [ts("2026-01-05"), ts("2026-01-10")]
    m = export.messages
    assert m[S.SENDER_NAME].tolist() == ["Zoe Owner", "Sofía 🌟 García", "Олег Петров"]
    assert m[S.TIMESTAMP].tolist() == [
        ts("2026-01-05 10:00"),
        ts("2026-01-05 11:30"),
        ts("2026-02-01 07:45:10"),
    ]
    assert m[S.IS_FROM_ME].tolist() == [True, False, False]
    assert file_report(export, "messages.csv").n_skipped == 0
    for name in ("learning_coach_messages.csv", "guide_messages.csv"):
        assert dict(file_report(export, name).skipped) == {L.R_ASSISTANT: 1}
    assert export.profile["summary"] == "Line one line two"


# --- Excel re-saves ----------------------------------------------------------------------------------


def test_excel_resave_cp1252_crlf_bom_notes_lines():
    export = read("excel")
    c = export.connections
    assert c[S.FULL_NAME].tolist() == ["Zoë Brontë", "François Müller"]
    assert c[S.COMPANY].tolist() == ["Café Ltd", None]
    assert c[S.CONNECTED_ON].tolist() == [ts("2023-04-23"), ts("2022-01-05")]
    fr = file_report(export, "Connections.csv")
    assert fr.notes["encoding"] == "cp1252"
    assert dict(fr.skipped) == {"empty row": 1}
    m = export.messages
    assert m[S.TIMESTAMP].tolist() == [ts("2023-04-23 10:00"), ts("2023-04-24 18:30")]
    assert export.owner_name == "Max Owner" and export.owner_url == "https://www.linkedin.com/in/max-owner"
    assert m[S.IS_FROM_ME].tolist() == [False, True]
    assert export.endorsements[S.LINKEDIN_URL].tolist() == ["https://www.linkedin.com/in/zoe-bronte"]
    assert export.endorsements[S.FIRST_NAME].tolist() == ["Zoë"]
    assert export.imported_contacts[S.EMAILS].tolist() == [["renee@societe.example"]]
    assert export.imported_contacts[S.PHONES].tolist() == [[]]


# --- zip vs folder, file names -----------------------------------------------------------------------


@pytest.mark.parametrize("vintage", VINTAGES)
def test_zip_and_folder_give_the_same_result(vintage, tmp_path):
    folder_export = read(vintage)
    zip_export = na.io.read_linkedin(zip_folder(FIXTURES / vintage, tmp_path / "export.zip"))
    for attr in ("connections", "messages", "invitations", "endorsements", "recommendations", "positions",
                 "imported_contacts"):  # fmt: skip
        a, b = getattr(folder_export, attr), getattr(zip_export, attr)
        if S.SOURCE_FILE in a.columns:
            assert b[S.SOURCE_FILE].str.startswith(str(tmp_path / "export.zip") + "!").all()
            a, b = a.drop(columns=S.SOURCE_FILE), b.drop(columns=S.SOURCE_FILE)
        pd.testing.assert_frame_equal(a, b)
    assert (folder_export.owner_name, folder_export.owner_url, folder_export.owner_keys) == (
        zip_export.owner_name, zip_export.owner_url, zip_export.owner_keys)  # fmt: skip
    assert folder_export.profile == zip_export.profile
    assert folder_export.report.missing == zip_export.report.missing
    assert [(f.kind, f.kept, dict(f.skipped)) for f in folder_export.report.files] == [
        (f.kind, f.kept, dict(f.skipped)) for f in zip_export.report.files
    ]


def test_file_names_matched_case_space_underscore_insensitively_in_subfolders(tmp_path):
    src = FIXTURES / "v2023"
    target = tmp_path / "Complete_LinkedInDataExport_01-02-2024.zip"
    with zipfile.ZipFile(target, "w") as zf:
        zf.write(src / "messages.csv", "data/MESSAGES.CSV")
        zf.write(src / "Connections.csv", "connections.csv")
        zf.write(src / "ImportedContacts.csv", "Imported Contacts.csv")
        zf.write(src / "Endorsement_Given_Info.csv", "Endorsement-Given Info.csv")
        zf.write(src / "coach_messages.csv", "Coach Messages.csv")
        zf.writestr("__MACOSX/._messages.csv", b"\x00\x05junk")
        zf.writestr("Rich_Media.csv", "Date/Time,Media Link\n")
    export = na.io.read_linkedin(target)
    assert [f.kind for f in export.report.files] == [
        "linkedin.connections",
        "linkedin.messages",
        "linkedin.assistant",
        "linkedin.endorsements_given",
        "linkedin.imported_contacts",
        "linkedin.unknown",
    ]
    rich_media = export.report.files[-1]
    assert (rich_media.path, rich_media.read) == (f"{target}!Rich_Media.csv", 0)
    assert rich_media.notes == {"file_skipped": L.R_UNKNOWN_FILE, "header": "Date/Time, Media Link"}
    assert export.report.files[1].path == f"{target}!data/MESSAGES.CSV"
    assert len(export.messages) == 4 and len(export.imported_contacts) == 1


def test_owner_argument_overrides(tmp_path):
    by_name = na.io.read_linkedin(FIXTURES / "v2024", owner="Ann Lee")
    assert by_name.owner_name == "Ann Lee"
    assert by_name.owner_url == "https://www.linkedin.com/in/ann-lee"
    assert by_name.messages[S.IS_FROM_ME].tolist() == [False, True, False, False, False]
    assert file_report(by_name, "messages.csv").notes["owner_evidence"] == "owner= argument ('Ann Lee')"
    by_url = na.io.read_linkedin(FIXTURES / "v2024", owner="linkedin.com/in/Bo-Chan/")
    assert by_url.owner_url == "https://www.linkedin.com/in/bo-chan"
    assert by_url.owner_name == "Bo Chan"
    assert by_url.messages[S.IS_FROM_ME].tolist() == [False, False, True, False, False]


# --- TO splitting rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, names",
    [
        ("Ann Lee", ["Ann Lee"]),
        ("Ann Lee, Bob Stone", ["Ann Lee", "Bob Stone"]),
        ("Jo Lee, MBA", ["Jo Lee, MBA"]),
        ("Jo Lee, MBA, Bob Stone", ["Jo Lee, MBA", "Bob Stone"]),
        ("Ann Lee, PhD, PMP, Bob Stone, Jr.", ["Ann Lee, PhD, PMP", "Bob Stone, Jr."]),
        ("Amira Mehic-Dzanic (IoT), MBA", ["Amira Mehic-Dzanic (IoT), MBA"]),
        ("Zoe Owner, 王伟", ["Zoe Owner", "王伟"]),
        ("Ann  Lee ,  , Bob", ["Ann Lee", "Bob"]),
        ("", []),
    ],
)
def test_split_names_keeps_credentials_attached(text, names):
    assert L._split_names(text) == names


# --- errors and damage -------------------------------------------------------------------------------


def write(folder: Path, name: str, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return folder


def test_wrong_kind_of_file_names_columns_found_and_expected(tmp_path):
    messages = (FIXTURES / "v2021" / "messages.csv").read_text()
    folder = write(tmp_path / "x", "Connections.csv", messages)
    with pytest.raises(FormatError) as err:
        na.io.read_linkedin(folder)
    text = str(err.value)
    assert "Connections.csv" in text
    assert "First Name, Last Name, Connected On" in text
    assert "found: CONVERSATION ID, CONVERSATION TITLE, FROM, SENDER PROFILE URL, TO, DATE" in text


def test_pdf_renamed_csv(tmp_path):
    folder = write(tmp_path / "x", "messages.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    with pytest.raises(FormatError, match=r"messages\.csv is a PDF document"):
        na.io.read_linkedin(folder)


def test_path_neither_zip_nor_folder(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(FormatError, match="neither a zip file nor a folder"):
        na.io.read_linkedin(path)
    with pytest.raises(FormatError, match="does not exist"):
        na.io.read_linkedin(tmp_path / "nope.zip")


def test_corrupt_zip(tmp_path):
    good = zip_folder(FIXTURES / "v2023", tmp_path / "good.zip").read_bytes()
    bad = tmp_path / "export.zip"
    bad.write_bytes(good[: len(good) // 2])
    with pytest.raises(FormatError, match="corrupt or truncated zip"):
        na.io.read_linkedin(bad)


def test_damaged_zip_member(tmp_path):
    target = tmp_path / "export.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Connections.csv", (FIXTURES / "v2023" / "Connections.csv").read_text() * 20)
    data = bytearray(target.read_bytes())
    start = data.index(b"Connections.csv") + len("Connections.csv") + 10  # inside the deflate stream
    data[start : start + 40] = b"\xff" * 40
    target.write_bytes(bytes(data))
    with pytest.raises(FormatError, match=r"export\.zip!Connections\.csv: the zip member is damaged"):
        na.io.read_linkedin(target)


def test_zip_bomb_guards(tmp_path, monkeypatch):
    target = tmp_path / "export.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("messages.csv", "CONVERSATION ID,FROM,TO,DATE\n" + "\n" * (3 * 1024**2))
    monkeypatch.setattr(L, "MAX_COMPRESSION_RATIO", 50)
    with pytest.raises(FormatError, match="compression ratio .* possible zip bomb"):
        na.io.read_linkedin(target)
    monkeypatch.setattr(L, "MAX_COMPRESSION_RATIO", 10**9)
    monkeypatch.setattr(L, "MAX_MEMBER_BYTES", 1024)
    with pytest.raises(FormatError, match="over the 1024-byte bound"):
        na.io.read_linkedin(target)


HEADER_2023 = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER\n"
ROW_ANN = (
    f"2-A,,Ann Lee,https://www.linkedin.com/in/ann-lee,Zoe Owner,{ZOE},2023-05-01 08:00:00 UTC,,hi,INBOX\n"
)


def test_truncated_csv_counts_the_damaged_record(tmp_path):
    text = (
        HEADER_2023
        + ROW_ANN
        + ROW_ANN.replace("08:00", "09:00")
        + '2-A,,Ann Lee,,Zoe Owner,,2023-05-01 10:00:00 UTC,,"hi there, this was cu'
    )
    export = na.io.read_linkedin(write(tmp_path / "x", "messages.csv", text), owner="Zoe Owner")
    fr = export.report.files[0]
    assert (fr.read, fr.kept) == (3, 2)
    assert dict(fr.skipped) == {"truncated record (unterminated quote at end of file)": 1}
    assert fr.warnings == [
        (
            f"{fr.path} line 4: a quote opened in this record is never closed; the record (lines 4-4) is "
            "damaged and was skipped"
        )
    ]
    assert len(export.messages) == 2


def test_rows_with_wrong_field_count_and_repeated_header(tmp_path):
    text = HEADER_2023 + ROW_ANN + "2-B,,Bo,https://x\n" + HEADER_2023 + ROW_ANN.replace("hi", "a,b") + "\n\n"
    export = na.io.read_linkedin(write(tmp_path / "x", "messages.csv", text), owner="Zoe Owner")
    fr = export.report.files[0]
    assert fr.kept == 1
    assert dict(fr.skipped) == {
        "malformed row (field count differs from header)": 2,
        "repeated header line": 1,
    }
    assert fr.warnings[0].endswith("line 3: 4 fields where the header has 10")


def test_runaway_quote_raises_format_error_naming_the_line(tmp_path):
    rows = ROW_ANN.replace(",hi,", ',"hi,') + ROW_ANN * 3000
    with pytest.raises(FormatError, match=r"messages\.csv line \d+: the CSV cannot be split into records"):
        na.io.read_linkedin(write(tmp_path / "x", "messages.csv", HEADER_2023 + rows))


def test_empty_export_folder_is_an_error_naming_path_and_files_looked_for(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FormatError) as err:
        na.io.read_linkedin(tmp_path / "empty")
    text = str(err.value)
    assert text.startswith(
        f"{tmp_path / 'empty'}: no file of it could be read as part of a LinkedIn data export."
    )
    assert "Looked for Profile.csv, Connections.csv, messages.csv, Invitations.csv" in text
    assert "found no files at all" in text
    assert "Pass the export zip" in text


# --- helpers -----------------------------------------------------------------------------------------


def test_decode_bytes_variants():
    assert decode_bytes("Zoë".encode(), "f") == ("Zoë", "utf-8")
    assert decode_bytes(b"\xef\xbb\xbfZo\xc3\xab", "f") == ("Zoë", "utf-8-sig")
    assert decode_bytes("Zoë".encode("utf-16"), "f") == ("Zoë", "utf-16")
    assert decode_bytes("Date\tStatus\r\n".encode("utf-16-le"), "f") == ("Date\tStatus\r\n", "utf-16-le")
    assert decode_bytes("Date\tStatus\r\n".encode("utf-16-be"), "f") == ("Date\tStatus\r\n", "utf-16-be")
    assert decode_bytes(b"Zo\xeb \x81", "f") == ("Zoë \x81", "latin-1")
    with pytest.raises(FormatError, match="NUL bytes"):
        decode_bytes(b"a\x00b", "f")


def test_find_header_quoted_and_excel_notes():
    text = '"Notes:",,\r\n"x, y",,\r\n,,\r\n"First Name","Last Name","Connected On"\r\nA,B,C\r\n'
    line, offset, cells = find_header(text, ["first name", "last name"], "f")
    assert (line, cells) == (4, ["First Name", "Last Name", "Connected On"])
    assert text[offset:].startswith('"First Name"')


def test_parse_dates_formats_in_order():
    got = parse_dates(
        ["1/8/18, 6:14 PM", "2022/03/21 18:14:18 UTC", "", "x"],
        ["%m/%d/%y, %I:%M %p", "%Y/%m/%d %H:%M:%S UTC"],
    )
    assert got.tolist()[:2] == [ts("2018-01-08 18:14"), ts("2022-03-21 18:14:18")]
    assert got.isna().tolist() == [False, False, True, True]
    assert str(got.dtype) == "datetime64[ns, UTC]"


# --- property-based: damage never escapes as anything but FormatError ------------------------------

MUTATION_TARGETS = [
    ("v2023", "messages.csv"),
    ("v2026", "messages.csv"),
    ("v2021", "Connections.csv"),
    ("v2023", "Invitations.csv"),
    ("excel", "Connections.csv"),
]


def independent_record_count(text: str, required: list[str]) -> int:
    """Records after the header as the csv module splits them (blank lines are not records)."""
    _, offset, _ = find_header(text, required, "f")
    records = list(csv.reader(io.StringIO(text[offset:], newline="")))
    return sum(1 for r in records[1:] if r)


mutation = st.tuples(
    st.sampled_from(["delete", "duplicate", "insert", "truncate"]),
    st.floats(min_value=0, max_value=1, exclude_max=True),
    st.sampled_from(['"', "\n", "\r\n", ",", ";", " ", "é", "🌟", '""']),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(MUTATION_TARGETS), mutations=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_csv_loads_accounted_or_raises_format_error(target, mutations):
    vintage, filename = target
    text, _ = decode_bytes((FIXTURES / vintage / filename).read_bytes(), filename)
    for op, where, piece in mutations:
        i = int(where * (len(text) + 1))
        if op == "delete":
            text = text[:i] + text[i + 1 :]
        elif op == "duplicate":
            text = text[: i + 1] + text[i : i + 1] + text[i + 1 :]
        elif op == "insert":
            text = text[:i] + piece + text[i:]
        else:
            text = text[:i]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / filename).write_text(text, encoding="utf-8", newline="")
        try:
            export = na.io.read_linkedin(folder, owner="Zoe Owner")
        except FormatError:
            return
    (fr,) = export.report.files
    assert fr.read == fr.kept + fr.n_skipped
    frame = {
        "linkedin.messages": export.messages,
        "linkedin.connections": export.connections,
        "linkedin.invitations": export.invitations,
    }[fr.kind]
    assert len(frame) == fr.kept
    required = {
        "linkedin.messages": ["from", "to", "date"],
        "linkedin.connections": ["first name", "last name", "connected on"],
        "linkedin.invitations": ["from", "to", "sent at"],
    }[fr.kind]
    assert fr.read == independent_record_count(text, required)


def test_fixture_folders_are_independent_copies(tmp_path):
    # Reading never writes into the export folder (nothing extracted, no cache files).
    copy = tmp_path / "copy"
    shutil.copytree(FIXTURES / "v2023", copy)
    before = sorted(p.name for p in copy.iterdir())
    na.io.read_linkedin(copy)
    assert sorted(p.name for p in copy.iterdir()) == before


# --- real-export quirks (issue 11): one file never sinks the export ---------------------------------


def notes_of(export: L.LinkedInExport) -> dict:
    return {Path(f.path.split("!")[-1]).name: (f.kind, f.notes.get("file_skipped"), f.notes.get("header"))
            for f in export.report.files if "file_skipped" in f.notes}  # fmt: skip


def test_2018_imported_contacts_header_with_spaces():
    export = read("v2018")
    c = export.imported_contacts
    assert c[S.FULL_NAME].tolist() == ["Dana Fox", "Li Na"]
    assert c[S.EMAILS].tolist() == [["dana.fox@example.net"], ["li.na@example.cn", "lina.work@example.com"]]
    assert c[S.PHONES].tolist() == [["+44 20 7946 0000"], []]
    assert c[S.COMPANY].tolist() == ["Fox & Hound Ltd", None]
    assert c[S.TITLE].tolist() == ["Founder", None]
    # "Profiles" holds the LinkedIn URL; "Sites" a home page, which is not one
    assert c[S.LINKEDIN_URL].tolist() == ["https://www.linkedin.com/in/dana-fox-77", None]
    assert c[S.CONNECTED_ON].isna().all()  # "Created At" is the import, not a connection
    assert c[S.SOURCE].eq(L.IMPORTED_SOURCE_NAME).all()
    fr = file_report(export, "Imported Contacts.csv")
    assert (fr.kind, fr.read, fr.kept, dict(fr.skipped)) == (
        "linkedin.imported_contacts",
        3,
        2,
        {L.R_EMPTY_CONTACT: 1},
    )


def test_2022_complete_utf16_tab_side_files_and_spaced_twin():
    export = read("complete2022")
    twin = file_report(export, "Endorsement Received Info.csv")
    assert (twin.kind, twin.notes) == (
        "linkedin.endorsements_received",
        {"encoding": "utf-16", "delimiter": "\t"},
    )
    assert (twin.read, twin.kept) == (3, 3)
    usual = file_report(export, "Endorsement_Received_Info.csv")
    # the spaced file sorts first; the two records it shares with the usual file count once
    assert (usual.read, usual.kept, dict(usual.skipped)) == (3, 1, {L.R_DUPLICATE: 2})
    e = export.endorsements
    assert e[S.SKILL].tolist() == ["Python", "SQL", "Leadership", "Statistics"]
    assert e[S.LINKEDIN_URL].tolist() == [
        "https://www.linkedin.com/in/ann-lee",
        "https://www.linkedin.com/in/ravi-s",
        "https://www.linkedin.com/in/mia-rossi",
        "https://www.linkedin.com/in/kenji-yamada",
    ]
    assert e[S.TIMESTAMP].tolist()[2] == ts("2022-06-11 16:45:00")
    # spaces in the name: "Recommendations Given.csv" is read
    assert export.recommendations[[S.DIRECTION, S.FIRST_NAME, S.TIMESTAMP]].values.tolist() == [
        ["given", "Mia", ts("2022-06-20 21:25")]
    ]
    assert len(export.connections) == 3 and len(export.messages) == 2
    assert notes_of(export) == {
        "Account Status History.csv": ("linkedin.unknown", L.R_UNKNOWN_FILE, "Date, Account Status"),
        "2021-11-02 10-00-00.0-network-notes.html": ("linkedin.unknown", L.R_NOT_CSV, None),
        "Rich Media.csv": ("linkedin.unknown", L.R_UNKNOWN_FILE, "Date/Time, Media Description, Media Link"),
    }
    status = file_report(export, "Account Status History.csv")
    assert status.notes["encoding"] == "utf-16" and status.read == 0
    assert status.warnings == [f"file not read: {L.R_UNKNOWN_FILE} (found: Date, Account Status)"]


def test_placeholder_file_is_skipped_and_the_export_loads():
    export = read("v2025")
    assert notes_of(export) == {
        "LearningCoachMessages.csv": ("linkedin.assistant", L.R_PLACEHOLDER, "No conversations found"),
    }
    assert file_report(export, "LearningCoachMessages.csv").read == 0
    assert len(export.connections) == 2 and len(export.messages) == 3


def test_2025_sponsored_spinmail_spam_and_message_to_deleted_account():
    export = read("v2025")
    fr = file_report(export, "messages.csv")
    assert dict(fr.skipped) == {L.R_SPONSORED: 2, L.R_SPAM: 1, L.R_TO_MEMBER: 1}
    assert fr.kept == 3
    m = export.messages
    assert m[S.THREAD_ID].tolist() == ["2-J1", "2-J1", "2-A1"]
    # a person with a profile URL whose message happens to hold a "spin..." class is not sponsored
    assert m[S.SENDER].tolist()[2] == "https://www.linkedin.com/in/ann-lee"
    assert "linkedin_member_recipients_dropped" not in fr.notes


def test_deleted_account_message_is_not_self_mail_in_load(tmp_path):
    for name in ("Profile.csv", "messages.csv"):
        shutil.copy(FIXTURES / "v2025" / name, tmp_path / name)
    net = na.load(linkedin=tmp_path, cache=False)
    (resolution,) = net.report.stages  # identity resolution: a stage, not a file
    assert "self-mail (only me on it)" not in resolution.skipped
    assert file_report(net, "messages.csv").skipped[L.R_TO_MEMBER] == 1


def test_spinmail_needs_no_sender_url_whatever_the_folder(tmp_path):
    body = '"<p class=""spinmail-body"">Hi</p>"'
    text = (
        HEADER_2023
        + f"2-S,,Fabrikam,,Zoe Owner,{ZOE},2025-01-01 08:00:00 UTC,,{body},ARCHIVE\n"
        + f"2-T,,Fabrikam,,Zoe Owner,{ZOE},2025-01-01 09:00:00 UTC,,{body.replace('spinmail', 'SPIN-x')},SENT\n"
        + f"2-U,,Ann Lee,https://www.linkedin.com/in/ann-lee,Zoe Owner,{ZOE},2025-01-02 08:00:00 UTC,,{body},INBOX\n"
    )
    export = na.io.read_linkedin(write(tmp_path / "x", "messages.csv", text), owner="Zoe Owner")
    assert dict(export.report.files[0].skipped) == {L.R_SPONSORED: 2}
    assert export.messages[S.THREAD_ID].tolist() == ["2-U"]


def test_one_damaged_or_foreign_file_does_not_sink_the_export(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(FIXTURES / "v2023", folder)
    (folder / "Invitations.csv").write_text((FIXTURES / "v2021" / "Positions.csv").read_text())
    (folder / "messages.csv").write_text(HEADER_2023 + ROW_ANN.replace(",hi,", ',"hi,') + ROW_ANN * 3000)
    (folder / "Ad_Targeting.csv").write_bytes(b"%PDF-1.7\n")
    export = na.io.read_linkedin(folder)
    assert len(export.connections) == 3 and len(export.endorsements) == 1
    assert export.messages.empty and export.invitations.empty
    skipped = notes_of(export)
    assert skipped["Invitations.csv"] == (
        "linkedin.invitations",
        "columns not recognised as a LinkedIn invitations export (Invitations.csv): looked for From, To, Sent At",
        "Company Name, Title, Description, Location, Started On, Finished On",
    )
    kind, reason, header = skipped["messages.csv"]
    assert kind == "linkedin.messages" and header is None
    assert reason.startswith(f"{folder / 'messages.csv'} line ")
    assert "the CSV cannot be split into records" in reason
    assert skipped["Ad_Targeting.csv"] == (
        "linkedin.unknown", f"{L.R_UNKNOWN_FILE}; {folder / 'Ad_Targeting.csv'} is a PDF document, not a CSV text "
        "file. Export the data again as CSV.", None)  # fmt: skip
    assert file_report(export, "messages.csv").read == 0


def test_export_with_no_readable_file_names_each_file_and_why(tmp_path):
    folder = write(tmp_path / "x", "LearningCoachMessages.csv", "No conversations found")
    write(folder, "Rich_Media.csv", "Date/Time,Media Link\n")
    with pytest.raises(FormatError) as err:
        na.io.read_linkedin(folder)
    text = str(err.value)
    assert text.startswith(f"{folder}: no file of it could be read as part of a LinkedIn data export.")
    assert (
        f"{folder / 'LearningCoachMessages.csv'}: {L.R_PLACEHOLDER} (found: No conversations found)" in text
    )
    assert f"{folder / 'Rich_Media.csv'}: {L.R_UNKNOWN_FILE} (found: Date/Time, Media Link)" in text


def test_profile_urls_percent_encoded_and_decoded_meet_in_one_person():
    net = na.load(linkedin=FIXTURES / "v2025", cache=False)
    joerg = "https://www.linkedin.com/in/jörg-müller-1a2b3c"
    url_keys = [k for k in net.identities[S.KEY] if "1a2b3c" in k]
    assert url_keys == [joerg]
    (pid,) = net.people.index[net.people[S.NAME] == "Jörg Müller"]
    assert net.people.at[pid, S.LINKEDIN_URL] == joerg
    assert net.people.at[pid, S.COMPANY] == "Müller & Söhne"
    assert sorted(net.interactions.loc[net.interactions[S.PERSON_ID] == pid, S.DIRECTION]) == ["in", "out"]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/j%C3%B6rg-m%C3%BCller-1a2b3c",
        "https://www.linkedin.com/in/j%c3%b6rg-m%c3%bcller-1a2b3c/",
        "https://www.linkedin.com/in/jörg-müller-1a2b3c",
        "HTTPS://DE.LinkedIn.com/in/J%C3%B6rg-M%C3%BCller-1A2B3C?trk=public#about",
        "www.linkedin.com/in/jo\u0308rg-mu\u0308ller-1a2b3c",  # decomposed umlauts (NFD)
    ],
)
def test_normalize_linkedin_url_canonical_spellings(url):
    assert S.normalize_linkedin_url(url) == "https://www.linkedin.com/in/jörg-müller-1a2b3c"
    assert L._url(url) == "https://www.linkedin.com/in/jörg-müller-1a2b3c"


def test_owner_named_from_profile_not_me(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    for name in ("Profile.csv", "Connections.csv"):  # no messages: no display name for the owner
        shutil.copy(FIXTURES / "v2025" / name, folder / name)
    net = na.load(linkedin=folder, cache=False)
    assert net.people.at["me", S.NAME] == "Zoe Owner"


@pytest.mark.parametrize("vintage, filename, frame, n", [
    ("v2023", "Connections.csv", "connections", 3),
    ("v2021", "messages.csv", "messages", 4),
    ("excel", "Imported Contacts.csv", "imported_contacts", 1),
])  # fmt: skip
def test_single_csv_is_accepted(vintage, filename, frame, n):
    export = na.io.read_linkedin(FIXTURES / vintage / filename)
    assert len(getattr(export, frame)) == n
    assert [f.path for f in export.report.files] == [str(FIXTURES / vintage / filename)]
    assert export.report.missing == []


def test_single_renamed_csv_is_recognised_by_its_header(tmp_path):
    path = tmp_path / "my linkedin connections 2024.csv"
    shutil.copy(FIXTURES / "v2023" / "Connections.csv", path)
    export = na.io.read_linkedin(path)
    assert export.report.files[0].kind == "linkedin.connections"
    assert len(export.connections) == 3


def test_load_accepts_a_single_connections_or_messages_csv():
    net = na.load(linkedin=FIXTURES / "v2023" / "Connections.csv", cache=False)
    assert len(net.alters) == 3 and {"Ann Lee", "Kenji 山田"} < set(net.alters[S.NAME])
    net = na.load(linkedin=FIXTURES / "v2021" / "messages.csv", cache=False)
    assert net.people.at["me", S.NAME] == "Zoe Owner"
    assert sorted(net.alters[S.NAME]) == ["Amira Mehic-Dzanic (IoT), MBA", "Ann Lee", "Ravi Shankar"]
    assert len(net.interactions) == 5


def test_record_keys_hold_no_paths(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(FIXTURES / "v2025", a)
    shutil.copytree(FIXTURES / "v2023", b)
    zipped = zip_folder(FIXTURES / "v2021", tmp_path / "Basic_LinkedInDataExport_01-02-2022.zip")
    google = tmp_path / "google.csv"
    google.write_text(
        "First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value\nAnn,Lee,Work,ann@acme.example\n"
    )
    net = na.load(linkedin=[a, b, zipped], contacts=google, cache=False)
    ids = net.contacts[S.RECORD_ID].tolist()
    assert not [k for k in list(net.identities[S.KEY]) + ids if str(tmp_path) in k]
    assert not [k for k in ids if "/" in k]
    # two inputs with the same file name differ by a short digest of their paths, never the path
    digest_a = L.hashlib.blake2b(str(a / "Connections.csv").encode(), digest_size=4).hexdigest()
    assert f"Connections.csv~{digest_a}#6" in ids
    assert "ImportedContacts.csv#2" in ids and "google.csv#1" in ids
    assert len(set(ids)) == len(ids)


def test_messages_in_two_files_count_once(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(FIXTURES / "v2021", folder)
    (folder / "old").mkdir()
    shutil.copy(FIXTURES / "v2021" / "messages.csv", folder / "old" / "Messages.csv")
    export = na.io.read_linkedin(folder)
    assert len(export.messages) == 4 and export.messages[S.MESSAGE_ID].is_unique
    copy = file_report(export, "Messages.csv")
    assert (copy.read, copy.kept, copy.skipped[L.R_DUPLICATE]) == (8, 0, 4)
    assert file_report(export, "messages.csv").kept == 4
