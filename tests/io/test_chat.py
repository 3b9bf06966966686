"""Tests for the chat and call-log readers: WhatsApp, Telegram, a log of calls and coffees."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io import read_call_log, read_telegram, read_whatsapp

FIXTURES = Path(__file__).parent / "fixtures"
WA = FIXTURES / "whatsapp"
BRUNO = WA / "WhatsApp Chat with Bruno Keller.txt"
CREW = WA / "WhatsApp Chat with Hiking Crew.txt"
LENA = WA / "WhatsApp Chat - Lena Vogt.zip"
GAMES = WA / "ios_group" / "_chat.txt"
ALL_WA = [BRUNO, CREW, LENA, GAMES]


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def reconciled(frame: pd.DataFrame, report, channel: str) -> None:
    """Every record kept or skipped, one row per kept record, a valid frame, no content."""
    S.validate(frame, S.MESSAGES)
    for f in report.files:
        assert f.read == f.kept + f.n_skipped
    assert report.kept == len(frame)
    assert frame[S.MESSAGE_ID].is_unique
    assert (frame[S.CHANNEL] == channel).all() if channel else True
    assert frame[S.SUBJECT].isna().all()
    assert (frame[S.N_RECIPIENTS] == frame[S.TO].map(len)).all()


def by_file(report) -> dict[str, object]:
    return {Path(f.path.split("!")[0]).name: f for f in report.files}


# --- WhatsApp --------------------------------------------------------------------------------


def test_whatsapp_android_us_12_hour_one_to_one():
    frame, report = read_whatsapp(BRUNO, me="Mara Olsen")
    reconciled(frame, report, "whatsapp")
    (f,) = report.files
    assert (f.read, f.kept) == (8, 5)
    assert dict(f.skipped) == {
        "system: encryption notice": 1,
        "media omitted (no text)": 1,
        "deleted message": 1,
    }
    assert f.notes["layout"] == "android"
    assert f.notes["clock"] == "12-hour"
    assert f.notes["date_order"] == "month-first"
    assert f.notes["date_order_evidence"] == "line 8 has a second number above 12"
    assert f.notes["continuation_lines"] == 2
    assert f.notes["group"] is False
    assert frame[S.TIMESTAMP].tolist() == [
        ts("2025-01-09 20:02"),
        ts("2025-01-09 20:15"),  # the multi-line message is one record
        ts("2025-01-23 23:58"),
        ts("2025-02-03 00:05"),  # 12:05 AM
        ts("2025-02-03 12:20"),  # 12:20 PM
    ]
    assert frame[S.SENDER].tolist() == ["name:Bruno Keller", "name:Mara Olsen", "name:Mara Olsen",
                                        "name:Bruno Keller", "name:Mara Olsen"]  # fmt: skip
    assert frame[S.TO].tolist() == [["name:Mara Olsen"], ["name:Bruno Keller"], ["name:Bruno Keller"],
                                    ["name:Mara Olsen"], ["name:Bruno Keller"]]  # fmt: skip
    assert frame[S.TO_NAMES].tolist()[0] == ["Mara Olsen"]
    assert frame[S.IS_FROM_ME].tolist() == [False, True, True, False, True]
    assert set(frame[S.THREAD_ID]) == {"whatsapp:Bruno Keller"}
    assert set(frame[S.SOURCE]) == {"whatsapp"}
    assert frame[S.IN_REPLY_TO].isna().all()


def test_whatsapp_android_uk_24_hour_group():
    frame, report = read_whatsapp(CREW, me="Mara Olsen")
    reconciled(frame, report, "whatsapp")
    (f,) = report.files
    assert (f.read, f.kept) == (12, 5)
    assert dict(f.skipped) == {
        "system: encryption notice": 1,
        "system: group created": 1,
        "system: added": 2,
        "system: joined": 1,
        "system: changed the group": 1,  # its new subject holds ': ', still a system line
        "system: left": 1,
    }
    assert (f.notes["date_order"], f.notes["clock"], f.notes["group"]) == ("day-first", "24-hour", True)
    assert f.notes["date_order_evidence"] == "line 12 has a first number above 12"
    assert f.notes["participants"] == 4
    assert frame[S.TIMESTAMP].tolist() == [
        ts("2025-02-02 09:05"), ts("2025-02-02 09:20"), ts("2025-02-02 10:03"),
        ts("2025-02-03 18:45"), ts("2025-02-14 07:12"),
    ]  # fmt: skip
    # a writer shown by number (not in the phone's address book) is a phone key
    everyone = ["name:Priya Natarajan", "name:Tomás Ruiz", "tel:+447700900456", "name:Mara Olsen"]
    for sender, to in zip(frame[S.SENDER], frame[S.TO]):
        assert to == [k for k in everyone if k != sender]  # participants: everyone who wrote
    assert frame.loc[0, S.SENDER] == "name:Priya Natarajan"  # "Saturday: ..." stays in the text
    assert frame[S.N_RECIPIENTS].tolist() == [3] * 5
    assert set(frame[S.THREAD_ID]) == {"whatsapp:Hiking Crew"}


def test_whatsapp_ios_german_zip_with_media_and_zone():
    frame, report = read_whatsapp(LENA, me="Mara Olsen", tz="Europe/Berlin")
    reconciled(frame, report, "whatsapp")
    (f,) = report.files
    assert f.path == f"{LENA}!_chat.txt"
    assert (f.read, f.kept) == (8, 4)
    assert dict(f.skipped) == {
        "system: encryption notice": 1,
        "media omitted (no text)": 2,  # <Anhang: ...> and "Bild weggelassen"
        "deleted message": 1,
    }
    assert f.notes["layout"] == "ios"
    assert f.notes["media_files_in_zip"] == 1
    assert (f.notes["date_order"], f.notes["clock"], f.notes["tz"]) == (
        "day-first",
        "24-hour",
        "Europe/Berlin",
    )
    assert f.notes["group"] is False  # the encryption notice is "from" Lena, who writes
    assert frame[S.TIMESTAMP].tolist() == [
        ts("2025-03-14 20:41:05"),  # 21:41:05 CET
        ts("2025-03-14 20:43:30"),
        ts("2025-03-15 07:13:02"),
        ts("2025-04-02 15:01:15"),  # 17:01:15 CEST
    ]
    assert frame[S.SENDER].tolist() == [
        "name:Lena Vogt",
        "name:Mara Olsen",
        "name:Lena Vogt",
        "name:Mara Olsen",
    ]
    assert set(frame[S.THREAD_ID]) == {"whatsapp:Lena Vogt"}
    assert frame[S.SOURCE_FILE].tolist() == [f"{LENA}!_chat.txt"] * 4


def test_whatsapp_ios_group_ambiguous_dates_by_time_order():
    frame, report = read_whatsapp(GAMES, me="Mara Olsen")
    reconciled(frame, report, "whatsapp")
    (f,) = report.files
    assert (f.read, f.kept) == (9, 5)
    assert dict(f.skipped) == {
        "system: encryption notice": 1,
        "system: group created": 1,
        "system: added": 1,
        "media omitted (no text)": 1,
    }
    assert f.notes["date_order"] == "month-first"
    assert (
        f.notes["date_order_evidence"] == "no day above 12; the other order would put lines out of time order"
    )
    assert f.notes["group"] is True
    assert frame[S.TIMESTAMP].tolist() == [
        ts("2025-03-01 10:02:17"), ts("2025-03-02 19:45"), ts("2025-03-02 20:01:30"),
        ts("2025-03-08 00:30"), ts("2025-04-05 18:16"),
    ]  # fmt: skip
    # the group's system lines are written as from the group; a bare _chat.txt is named by them
    assert set(frame[S.THREAD_ID]) == {"whatsapp:Board Games"}
    assert "name:Board Games" not in set(frame[S.SENDER]) | {k for ks in frame[S.TO] for k in ks}


def test_whatsapp_owner_is_who_writes_in_every_chat():
    frame, report = read_whatsapp(ALL_WA)
    reconciled(frame, report, "whatsapp")
    assert (report.read, report.kept, report.skipped) == (37, 19, 18)
    assert set(frame.loc[frame[S.IS_FROM_ME], S.SENDER]) == {"name:Mara Olsen"}
    assert int(frame[S.IS_FROM_ME].sum()) == 8
    for f in report.files:
        assert f.notes["owner"] == ["Mara Olsen"]
        assert f.notes["owner_rule"] == "writes in every one of the 4 chats"
        assert f.warnings == []


def test_whatsapp_single_chat_without_me_warns():
    frame, report = read_whatsapp(BRUNO)
    assert not frame[S.IS_FROM_ME].any()
    (f,) = report.files
    assert f.warnings == [
        "owner not identified (a single chat: the owner cannot be told from the other writer); "
        "pass me= the name your own messages carry"
    ]


def test_whatsapp_message_ids_stable_across_reads_and_layouts(tmp_path):
    first, _ = read_whatsapp(BRUNO)
    copy = tmp_path / BRUNO.name
    copy.write_bytes(BRUNO.read_bytes().replace(b"\n", b"\r\n"))
    second, _ = read_whatsapp(copy)
    assert first[S.MESSAGE_ID].tolist() == second[S.MESSAGE_ID].tolist()
    assert first[S.MESSAGE_ID].str.startswith("whatsapp:").all()


def test_whatsapp_one_to_one_where_only_the_owner_wrote(tmp_path):
    path = tmp_path / "WhatsApp Chat with Odile Brun.txt"
    path.write_text("12/03/2025, 08:00 - Mara Olsen: Happy birthday!\n", encoding="utf-8")
    frame, report = read_whatsapp(path, me="Mara Olsen")
    assert frame[S.TO].tolist() == [["name:Odile Brun"]]  # the file names the other person
    assert report.files[0].notes["date_order_evidence"].startswith("ambiguous")


def test_whatsapp_chat_with_one_writer_and_no_name_skips(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text("2025-03-12 08:00 - Mara Olsen: note to self\n", encoding="utf-8")
    frame, report = read_whatsapp(path, me="Mara Olsen")
    assert frame.empty
    assert dict(report.files[0].skipped) == {"no other participant in the chat": 1}
    assert report.files[0].notes["date_order"] == "year-first"


def test_whatsapp_not_an_export_names_file_line_and_fix(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("\nshopping list\n12/03/2025, 08:00 - A: b\n", encoding="utf-8")
    with pytest.raises(
        FormatError, match=r"notes\.txt: line 2 does not start with a WhatsApp date.*Export chat"
    ):
        read_whatsapp(path)


def test_whatsapp_mixed_date_orders_refused(tmp_path):
    path = tmp_path / "WhatsApp Chat with X.txt"
    path.write_text("13/01/2025, 08:00 - A: b\n01/14/2025, 08:00 - X: c\n", encoding="utf-8")
    with pytest.raises(FormatError, match="line 1 has a first number above 12, line 2 a second"):
        read_whatsapp(path)
    frame, _ = read_whatsapp(path, date_order="day-first")  # the fix the message names
    assert len(frame) == 1  # 01/14 is no day-first date
    assert frame[S.TIMESTAMP].tolist() == [ts("2025-01-13 08:00")]


def test_whatsapp_errors_report_keeps_other_files(tmp_path):
    bad = tmp_path / "WhatsApp Chat with Y.txt"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    shutil.copy(BRUNO, tmp_path / BRUNO.name)
    frame, report = read_whatsapp([bad, tmp_path / BRUNO.name], errors="report")
    assert len(frame) == 5
    assert [f.not_read is not None for f in report.files] == [True, False]


# --- a log of calls, meetings and coffees ------------------------------------------------------

LOG = FIXTURES / "calllog"


def test_call_log_canonical_columns():
    frame, report = read_call_log(LOG / "interactions.csv")
    reconciled(frame, report, None)
    (f,) = report.files
    assert (f.read, f.kept) == (11, 6)
    assert dict(f.skipped) == {
        "missed call": 1,  # duration 0
        "no person": 1,
        "unknown direction": 1,
        "unreadable date": 1,  # 24/01/2025 is not ISO 8601 and no date_format was given
        "empty row": 1,
    }
    assert f.warnings == [
        "line 7: no person named",
        "line 9: direction 'sideways' is not in, out or mutual",
        "line 10: date '24/01/2025' not read",
    ]
    assert f.notes["note_column"] == "present, never read"
    assert f.notes["minutes_total"] == 189.0
    # kinds of channel (netanalytics.channels), the text as written beside them
    assert f.notes["channels"] == {"call": 2, "in_person": 2, "meeting": 1, "video": 1}
    assert f.notes["channels_as_written"] == {
        "call": 1, "coffee": 1, "meeting": 1, "lunch": 1, "Call": 1, "video call": 1,
    }  # fmt: skip
    assert frame[S.TIMESTAMP].tolist() == [
        ts("2025-01-06 09:15"), ts("2025-01-08"), ts("2025-01-13 18:00"), ts("2025-01-20 12:30"),
        ts("2025-01-23"), ts("2025-01-27 18:30"),  # +01:00 honoured
    ]  # fmt: skip
    assert frame[S.CHANNEL].tolist() == ["call", "in_person", "meeting", "in_person", "call", "video"]
    me = "name:(me)"
    assert frame[S.SENDER].tolist() == [me, me, "https://www.linkedin.com/in/kofi-mensah-5550", me, me,
                                        "name:Ines Duarte"]  # fmt: skip
    assert frame[S.TO].tolist() == [
        ["name:Bruno Keller"], ["priya@example.net"], [me], ["name:Lena Vogt", "name:Tomás Ruiz"],
        ["name:Odile Brun"], [me],
    ]  # fmt: skip
    assert frame[S.LABELS].tolist() == [
        [], ["mutual", "channel:coffee"], [], ["mutual", "channel:lunch"], [], ["channel:video call"],
    ]  # fmt: skip
    assert frame[S.IS_FROM_ME].tolist() == [True, True, False, True, True, False]
    assert frame[S.THREAD_ID].isna().all() and (frame[S.SOURCE] == "calllog").all()
    # the note is never kept: its words appear in no column
    assert not frame.astype(str).apply(lambda col: col.str.contains("Lisbon")).any().any()


def test_call_log_other_columns_by_mapping():
    mapping = {"Name": "person", "Date": "date", "Type": "direction", "Duration": "duration_minutes"}
    frame, report = read_call_log(
        LOG / "phone_calls_export.csv", columns=mapping, date_format="%d/%m/%Y %H:%M", me="Mara@Example.org"
    )
    reconciled(frame, report, "call")
    (f,) = report.files
    assert (f.read, f.kept, dict(f.skipped)) == (3, 2, {"missed call": 1})
    assert f.notes["delimiter"] == ";"
    assert f.notes["columns_not_read"] == ["Number"]
    assert f.warnings == ["columns not read: Number (name them with columns= to read them)"]
    assert frame[S.TIMESTAMP].tolist() == [ts("2025-02-03 18:02"), ts("2025-02-04 09:10")]
    assert frame[S.SENDER].tolist() == ["mara@example.org", "name:Bruno Keller"]
    assert frame[S.TO].tolist() == [["name:Lena Vogt"], ["mara@example.org"]]


def test_call_log_without_required_columns_shows_the_fix():
    with pytest.raises(
        FormatError,
        match=r"line 1 has no person column \(found: Name, Number, Date.*columns=\{'When': 'date'",
    ):
        read_call_log(LOG / "phone_calls_export.csv")
    with pytest.raises(ValueError, match="columns= maps to \\['who'\\]"):
        read_call_log(LOG / "phone_calls_export.csv", columns={"Name": "who"})


def test_call_log_no_readable_date_names_line_and_fix(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("date,person,direction\n03/02/2025,Bo Chen,out\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"line 2: no row has a readable date.*date_format="):
        read_call_log(path)
    frame, _ = read_call_log(path, date_format="%d/%m/%Y", tz="Europe/Berlin")
    assert frame[S.TIMESTAMP].tolist() == [ts("2025-02-02 23:00")]


# --- Telegram --------------------------------------------------------------------------------

TG = FIXTURES / "telegram"


def test_telegram_full_account_export():
    frame, report = read_telegram(TG / "result.json")
    reconciled(frame, report, None)
    (f,) = report.files
    assert (f.read, f.kept) == (20, 9)
    assert dict(f.skipped) == {
        "bot chat": 2,
        "channel post (broadcast)": 2,
        "saved messages (only me)": 1,
        "missed call": 1,
        "service: invite_members": 1,
        "service: pin_message": 1,
        "service: create_group": 1,  # a chat I left is still read
        "sender unknown (deleted account)": 1,
        "posted as a channel": 1,
    }
    assert f.notes["export"] == "full account"
    assert f.notes["owner_rule"] == "personal_information in the export"
    assert frame[S.MESSAGE_ID].tolist() == [
        "telegram:5550202:9001", "telegram:5550202:9002", "telegram:5550202:9003", "telegram:5550202:9005",
        "telegram:1777000111:121", "telegram:1777000111:122", "telegram:1777000111:123",
        "telegram:4440001:51", "telegram:4440001:52",
    ]  # fmt: skip
    assert frame[S.TIMESTAMP].tolist()[:3] == [
        ts("2025-03-10 07:30"),  # date_unixtime, not the local "date" (08:30 in Berlin)
        ts("2025-03-10 07:34:10"),
        ts("2025-03-10 18:00"),
    ]
    assert frame[S.CHANNEL].tolist() == ["telegram", "telegram", "call"] + ["telegram"] * 6
    assert frame[S.IN_REPLY_TO].tolist() == [
        None, "telegram:5550202:9001", None, None, None, None, "telegram:1777000111:122", None, None,
    ]  # fmt: skip
    assert frame[S.IS_FROM_ME].tolist() == [False, True, True, False, False, False, True, False, True]
    group = frame[frame[S.THREAD_ID] == "telegram:1777000111"]
    # participants: everyone who wrote (the deleted account and the channel are nobody)
    assert group[S.TO].tolist() == [
        ["name:Kofi Mensah", "name:Mara Olsen"],
        ["name:Priya Natarajan", "name:Mara Olsen"],
        ["name:Priya Natarajan", "name:Kofi Mensah"],
    ]
    assert frame[S.SUBJECT].isna().all()


def test_telegram_one_chat_export_owner_and_renamed_sender():
    frame, report = read_telegram(TG / "one_chat" / "result.json")
    reconciled(frame, report, "telegram")
    (f,) = report.files
    assert (f.read, f.kept, f.n_skipped) == (4, 4, 0)
    assert f.notes["owner_rule"] == "the writer of a personal chat who is not the chat's person"
    assert f.notes["local_dates"] == 1  # an old message with the local date only: read as UTC
    assert frame[S.SENDER].tolist() == ["name:Bruno Keller"] * 2 + ["name:Mara Olsen", "name:Bruno Keller"]
    assert frame[S.IS_FROM_ME].tolist() == [False, False, True, False]
    assert frame[S.TIMESTAMP].tolist()[0] == ts("2021-11-02 19:00")


def test_telegram_group_chat_export_needs_me(tmp_path):
    import json

    data = json.loads((TG / "result.json").read_text(encoding="utf-8"))["chats"]["list"][1]
    path = tmp_path / "result.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    frame, report = read_telegram(path)
    assert not frame[S.IS_FROM_ME].any()
    assert report.files[0].warnings == ["owner not identified: pass me= your name or from_id (user...)"]
    frame, _ = read_telegram(path, me="Mara Olsen")
    assert frame[S.IS_FROM_ME].tolist() == [False, False, True]
    frame, _ = read_telegram(path, me="user5550101")
    assert frame[S.IS_FROM_ME].tolist() == [False, False, True]


def test_telegram_bad_json_names_line_and_fix(tmp_path):
    path = tmp_path / "result.json"
    path.write_text('{\n "name": "Bo",\n "messages": [\n', encoding="utf-8")
    with pytest.raises(
        FormatError, match=r"result\.json: is not valid JSON \(line 4, column 1.*Export Telegram data"
    ):
        read_telegram(path)
    path.write_text('{"accounts": []}', encoding="utf-8")
    with pytest.raises(FormatError, match=r"neither 'chats' nor 'messages' \(found: accounts\)"):
        read_telegram(path)


# --- into na.load and the metrics ----------------------------------------------------------


def _mbox(path: Path, exchanges: list[tuple[str, str, str]]) -> Path:
    """An mbox of plain messages (date, from, to)."""
    names = {"mara@example.org": "Mara Olsen", "bruno.keller@example.com": "Bruno Keller",
             "priya@example.net": "Priya Natarajan"}  # fmt: skip
    parts = []
    for i, (date, sender, to) in enumerate(exchanges):
        when = pd.Timestamp(date, tz="UTC").strftime("%a, %d %b %Y %H:%M:%S +0000")
        parts.append(
            f"From {sender} {pd.Timestamp(date).strftime('%a %b %d %H:%M:%S %Y')}\n"
            f"From: {names[sender]} <{sender}>\nTo: {names[to]} <{to}>\nDate: {when}\n"
            f"Subject: note {i}\nMessage-ID: <m{i}@example.org>\n\nhello\n\n"
        )
    path.write_text("".join(parts), encoding="utf-8")
    return path


def _mail_then_chat(tmp_path: Path) -> Path:
    """Weekly mail with Bruno and Priya up to June 2023, then nothing by mail."""
    rows = []
    for week in range(20):
        day = pd.Timestamp("2023-02-06") + pd.Timedelta(weeks=week)
        for other in ("bruno.keller@example.com", "priya@example.net"):
            rows.append((str(day + pd.Timedelta(hours=9)), "mara@example.org", other))
            rows.append((str(day + pd.Timedelta(hours=15)), other, "mara@example.org"))
    return _mbox(tmp_path / "mail.mbox", rows)


def test_load_chats_links_people_across_mail_and_whatsapp(tmp_path):
    import netanalytics as na

    net = na.load(email=_mail_then_chat(tmp_path), chats=ALL_WA, me="mara@example.org", cache=False)
    people = net.people
    bruno = people.index[people["name"] == "Bruno Keller"]
    assert len(bruno) == 1  # his mail address and his WhatsApp name are one person
    assert sorted(people.loc[bruno[0], S.SOURCES]) == ["mbox", "whatsapp"]
    ego = people.index[people[S.IS_ME]][0]
    assert "name:Mara Olsen" in set(net.identities.loc[net.identities[S.PERSON_ID] == ego, S.KEY])
    chat = net.interactions[net.interactions[S.CHANNEL] == "whatsapp"]
    # one row per message and counterpart: theirs from the writer, mine to every other writer
    assert len(chat) == 5 + (3 + 2 * 3) + 4 + (4 + 1 * 2)
    files = {Path(f.path.split("!")[0]).name for f in net.report.files if f.kind == "whatsapp"}
    assert files == {BRUNO.name, CREW.name, LENA.name, "_chat.txt"}


def test_tie_only_on_whatsapp_is_active_not_dormant(tmp_path):
    """Bruno's mail stopped in June 2023 and the tie moved to WhatsApp: active in February 2025.
    Priya's mail stopped too and no chat with her was read: she stays dormant."""
    import netanalytics as na

    mail = _mail_then_chat(tmp_path)
    as_of = pd.Timestamp("2025-02-10", tz="UTC")
    mail_only = na.load(email=mail, me="mara@example.org", cache=False)
    with_chat = na.load(email=mail, chats=[BRUNO], me="mara@example.org", cache=False)

    def state(net, name):
        d = na.dormancy(net, as_of=as_of)
        pid = net.people.index[net.people["name"] == name][0]
        return d.loc[pid, S.STATE]

    assert state(mail_only, "Bruno Keller") == S.DORMANT
    assert state(with_chat, "Bruno Keller") == S.ACTIVE
    assert state(with_chat, "Priya Natarajan") == S.DORMANT


def test_discover_finds_whatsapp_exports():
    from netanalytics.loader import discover

    found = discover(WA)
    assert sorted(p.name for p in found["chats"]) == sorted(p.name for p in ALL_WA)
    assert found["ignored"] == []
    assert [p.relative_to(TG).as_posix() for p in discover(TG)["chats"]] == [
        "one_chat/result.json",
        "result.json",
    ]
    # the canonical log is recognised; the phone export with other names is not (no date/person)
    assert [p.name for p in discover(LOG)["calls"]] == ["interactions.csv"]


def test_load_folder_reports_an_unreadable_chat_and_reads_the_rest(tmp_path):
    import netanalytics as na

    for p in (BRUNO, CREW):
        shutil.copy(p, tmp_path / p.name)
    (tmp_path / "WhatsApp Chat with Nobody.txt").write_text("hello\n", encoding="utf-8")
    net = na.load(chats=tmp_path, cache=False)
    unread = {Path(f.path).name: f.not_read for f in net.report.unread_files}
    assert list(unread) == ["WhatsApp Chat with Nobody.txt"]
    assert unread["WhatsApp Chat with Nobody.txt"].startswith("line 1 does not start with a WhatsApp date")
    assert net.report.kept == 10
    assert net.people.loc[net.people[S.IS_ME], "name"].tolist() == ["Mara Olsen"]


def test_load_telegram_folder_with_whatsapp(tmp_path):
    import netanalytics as na

    net = na.load(chats=[TG, BRUNO], cache=False)
    kinds = sorted(f.kind for f in net.report.files)
    assert kinds == ["telegram", "telegram", "whatsapp"]
    assert net.report.kept == 9 + 4 + 5
    people = net.people
    assert people.loc[people[S.IS_ME], "name"].tolist() == ["Mara Olsen"]
    # Bruno on Telegram (one-chat export) and on WhatsApp is one person, by his name
    bruno = people.index[people["name"] == "Bruno Keller"]
    assert len(bruno) == 1
    assert sorted(people.loc[bruno[0], S.SOURCES]) == ["telegram", "whatsapp"]
    calls = net.interactions[net.interactions[S.CHANNEL] == "call"]
    assert calls[S.DIRECTION].tolist() == [S.OUT]


def test_load_calls_attach_to_the_owner_and_people(tmp_path):
    import netanalytics as na

    net = na.load(
        email=_mail_then_chat(tmp_path), calls=LOG / "interactions.csv", me="mara@example.org", cache=False
    )
    ego = net.people.index[net.people[S.IS_ME]][0]
    keys = set(net.identities.loc[net.identities[S.PERSON_ID] == ego, S.KEY])
    assert "mara@example.org" in keys and "name:(me)" not in keys  # the log is written with her address
    inter = net.interactions[net.interactions[S.MESSAGE_ID].str.startswith("calllog:")]
    assert len(inter) == 7  # 6 rows, the lunch with two people
    priya = net.people.index[net.people["name"] == "Priya Natarajan"][0]
    in_person = inter[inter[S.CHANNEL] == "in_person"]
    coffee = in_person[in_person[S.TIMESTAMP] == pd.Timestamp("2025-01-08", tz="UTC")]  # (then a lunch)
    assert coffee[S.PERSON_ID].tolist() == [priya] and coffee[S.DIRECTION].tolist() == [S.OUT]
    bruno = net.people.index[net.people["name"] == "Bruno Keller"]
    assert len(bruno) == 1  # his mail address and his name in the log are one person
    assert sorted(net.people.loc[bruno[0], S.SOURCES]) == ["calllog", "mbox"]


def test_load_call_columns_mapping(tmp_path):
    import netanalytics as na

    path = tmp_path / "calls.csv"
    path.write_text("Name;Number;When;Type;Minutes\nLena Vogt;+49 170 5550202;2025-02-03 18:02;Outgoing;14\n"
                    "Bruno Keller;+49 151 5550303;2025-02-04 09:10;Incoming;3\n", encoding="utf-8")  # fmt: skip
    mapping = {"Name": "person", "When": "date", "Type": "direction", "Minutes": "duration_minutes"}
    net = na.load(calls=path, call_columns=mapping, cache=False)
    assert net.report.kept == 2
    assert net.report.files[0].notes["columns_not_read"] == ["Number"]
    assert sorted(net.interactions[S.DIRECTION]) == [S.IN, S.OUT]


def test_cli_summary_reads_chats_and_calls(capsys):
    from netanalytics.cli import main

    assert main(["summary", "--chats", str(BRUNO), "--chats", str(TG), "--calls", str(LOG / "interactions.csv"),
                 "--quiet", "--no-cache"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "whatsapp" in out and "telegram" in out and "calllog" in out


def test_cli_call_log_error_names_the_file_fix(capsys):
    from netanalytics.cli import main

    bad = LOG / "phone_calls_export.csv"
    assert main(["summary", "--calls", str(bad), "--quiet", "--no-cache"]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert str(bad) in err and "rename the file's columns to these" in err and "columns={" not in err


# --- phone numbers as identity keys -------------------------------------------------------------


def test_whatsapp_number_links_to_the_address_book_entry(tmp_path):
    """Jonas writes in the group by number (+44 7700 900456); the address book lists him with a
    national number (07700 900456), read in the owner's country: one person."""
    import netanalytics as na

    vcf = tmp_path / "contacts.vcf"
    vcf.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jonas Berg\r\nN:Berg;Jonas;;;\r\nTEL;TYPE=CELL:07700 900456\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Priya Natarajan\r\nN:Natarajan;Priya;;;\r\nTEL:+44 20 7946 0018\r\n"
        "END:VCARD\r\n",
        encoding="utf-8",
    )
    net = na.load(contacts=vcf, chats=ALL_WA, cache=False)
    stage = net.report.stages[0]
    assert stage.notes["phone_region"] == "GB (most international numbers in the address books (1))"
    ident = net.identities.set_index(S.KEY)
    assert ident.loc["tel:+447700900456", S.KEY_KIND] == "phone"
    jonas = ident.loc["tel:+447700900456", S.PERSON_ID]
    assert net.people.loc[jonas, "name"] == "Jonas Berg"
    assert sorted(net.people.loc[jonas, S.SOURCES]) == ["vcard", "whatsapp"]
    assert (net.interactions[S.PERSON_ID] == jonas).sum() == 1 + 2  # his message; my two group posts


def test_shared_phone_joins_nobody(tmp_path):
    import pandas as pd

    from netanalytics.identity import resolve_identities

    contacts = pd.DataFrame({
        S.SOURCE: ["vcard"] * 3, S.RECORD_ID: ["1", "2", "3"], S.FULL_NAME: ["Ann Lee", "Bo Chen", "Cy Diaz"],
        S.EMAILS: [[], [], []], S.PHONES: [["+49 30 5550 1000"], ["030 5550 1000"], ["+49 170 5550 333"]],
        S.COMPANY: [None] * 3, S.LINKEDIN_URL: [None] * 3,
    })  # fmt: skip
    participants = pd.DataFrame(
        {S.KEY: ["tel:+493055501000", "tel:+491705550333"], S.DISPLAY_NAME: [None, None]}
    )
    res = resolve_identities(contacts, participants, me_keys=set(), phone_region="DE")
    k2p = res.key_to_person
    assert k2p["tel:+491705550333"] == k2p["record:vcard:3"]  # Cy's own mobile
    assert k2p["tel:+493055501000"] not in (k2p["record:vcard:1"], k2p["record:vcard:2"])  # the office line


def test_call_log_phone_numbers_are_keys(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "date,person,direction\n2025-03-01,0170 5550202,out\n2025-03-02,+44 7700 900456,in\n",
        encoding="utf-8",
    )
    frame, _ = read_call_log(path, region="DE")
    assert frame[S.TO].tolist() == [["tel:+491705550202"], ["name:(me)"]]
    assert frame[S.SENDER].tolist()[1] == "tel:+447700900456"


def test_telegram_gives_the_owner_region_only():
    _, report = read_telegram(TG / "result.json")
    assert report.files[0].notes["owner_region"] == "DE"
    assert "+49" not in repr(report.files[0].notes)


def test_load_me_as_a_chat_name():
    import netanalytics as na

    net = na.load(chats=BRUNO, me="Mara Olsen", cache=False)  # one chat: only me= tells who is who
    assert net.people.loc[net.people[S.IS_ME], "name"].tolist() == ["Mara Olsen"]
    assert net.report.files[0].notes["owner_rule"] == "me= given"
    with pytest.raises(FormatError, match="neither an email address nor a LinkedIn profile URL"):
        na.load(calls=LOG / "interactions.csv", me="Mara Olsen", cache=False)  # no chats: not a name


def test_logged_calls_are_events_not_messages_awaiting_an_answer():
    """An incoming video call in the log leaves nobody owing a reply; an outgoing call is no
    unanswered message (reply rates are for messages)."""
    import netanalytics as na

    net = na.load(calls=LOG / "interactions.csv", cache=False)
    r = na.reciprocity(net).join(net.people["name"]).set_index("name")
    assert not r[S.OWES_REPLY].any()
    assert r[S.THEIR_REPLY_RATE].isna().all() and r[S.MY_REPLY_RATE].isna().all()
    assert r.loc["Ines Duarte", S.RECEIVED] == 1 and r.loc["Bruno Keller", S.SENT] == 1


def test_chat_network_caches_and_anonymizes(tmp_path):
    import netanalytics as na

    first = na.load(chats=ALL_WA, cache=True, cache_dir=tmp_path)
    again = na.load(chats=ALL_WA, cache=True, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(first.interactions, again.interactions)
    anon = first.anonymize(seed=1)
    keys = set(anon.identities[S.KEY])
    assert "tel:+447700900456" not in keys and not any("Olsen" in k for k in keys)
    assert sum(k.startswith("tel:+1555") for k in keys) == 1  # the number stays a phone key
