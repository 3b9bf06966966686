"""Tests for netanalytics.io.ics (calendar exports -> meetings)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from contact_rows import assert_reconciled  # tests/io is on sys.path when its tests run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io import read_ics

FIXTURES = Path(__file__).parent / "fixtures" / "ics"


def read(path: Path, **kwargs):
    frame, report = read_ics(path, **kwargs)
    S.validate(frame, S.MESSAGES)
    (file_report,) = report.files
    assert file_report.read == file_report.kept + file_report.n_skipped
    assert file_report.kept == len(frame)
    assert frame[S.MESSAGE_ID].is_unique
    assert (frame[S.CHANNEL] == "meeting").all() and (frame[S.SOURCE] == "ics").all()
    assert (frame[S.N_RECIPIENTS] == frame[S.TO].map(len)).all()
    return frame, file_report


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "cal.ics"
    path.write_text(
        "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *lines, "END:VCALENDAR", ""]), encoding="utf-8"
    )
    return path


def test_google_export_rows():
    frame, rep = read(FIXTURES / "google.ics", me=["ANA@example.org", "ana.souza@old.example"])
    assert frame[S.MESSAGE_ID].tolist() == [
        "kickoff-001@google.com/20250305T090000Z",
        "weekly-002@google.com/20250303T150000Z",
        "weekly-002@google.com/20250310T140000Z",  # the slot the override replaces
        "weekly-002@google.com/20250324T140000Z",
        "standup-003@google.com/20250325T080000Z",
        "standup-003@google.com/20250326T080000Z",
        "standup-003@google.com/20250327T080000Z",
        "standup-003@google.com/20250328T080000Z",
        "floating-004@google.com/20250326T130000Z",
        "offsite-005@google.com/20250327T230000Z",
    ]
    assert frame[S.TIMESTAMP].tolist() == [
        ts("2025-03-05 09:00"),  # 10:00 Europe/Berlin (CET)
        ts("2025-03-03 15:00"),  # 10:00 New York, EST
        ts("2025-03-10 15:00"),  # moved to 11:00 EDT by the RECURRENCE-ID override
        ts("2025-03-24 14:00"),  # 10:00 EDT: wall time kept across DST; 03-17 is an EXDATE
        ts("2025-03-25 08:00"),
        ts("2025-03-26 08:00"),
        ts("2025-03-27 08:00"),
        ts("2025-03-28 08:00"),  # open-ended daily rule stops at the export's last DTEND
        ts("2025-03-26 13:00"),  # floating 14:00 read in X-WR-TIMEZONE Europe/Berlin
        ts("2025-03-27 23:00"),  # all-day 2025-03-28: midnight Berlin
    ]
    first = frame.iloc[0]
    assert first[S.SENDER] == "ana@example.org"
    assert first[S.SENDER_NAME] == "Ana Souza"
    # organizer, declined Dana and the room are left out; order of the file kept
    assert first[S.TO] == ["bo.chen@example.com", "emil@example.de"]
    assert first[S.TO_NAMES] == ["Bo Chen", None]
    assert first[S.SUBJECT] == "Kick-off 🚀 Café Lumière"
    assert first[S.THREAD_ID] == "kickoff-001@google.com"
    assert first[S.FOLDER] == "ana@example.org"
    assert first[S.CC] == [] and first[S.REFERENCES] == []
    assert frame[S.TO].iloc[2] == ["ana@example.org", "fatima@example.ma"]
    assert frame[S.SUBJECT].iloc[2] == "Weekly sync (moved)"
    assert frame[S.IS_FROM_ME].tolist() == [True, False, False, False, True, True, True, True, False, True]
    assert not frame[S.IS_AUTOMATED].any()
    assert dict(rep.skipped) == {
        "cancelled": 1,
        "no attendees besides the organizer": 1,
        "every other attendee declined": 1,
    }
    assert rep.read == 13
    assert rep.notes["declined_attendees"] == 1
    assert rep.notes["floating_tz"] == "Europe/Berlin"


def test_no_body_kept():
    frame, _ = read(FIXTURES / "google.ics")
    assert not frame.astype(str).apply(lambda col: col.str.contains("secret body")).any().any()


def test_outlook_vtimezone_until_date_cancelled_override():
    frame, rep = read(FIXTURES / "outlook.ics", me="ana@example.org")
    daily = frame[frame[S.SENDER] == "juergen.weiss@mueller-soehne.example"]
    # UNTIL=20251028 (a date) includes the 28th; weekends excluded by BYDAY; 27th cancelled
    assert daily[S.TIMESTAMP].tolist() == [ts("2025-10-24 07:00"), ts("2025-10-28 08:00")]
    assert daily[S.SENDER_NAME].tolist() == ["Jürgen Weiß", "Jürgen Weiß"]
    assert daily[S.TO].iloc[0] == ["ana@example.org", "kaethe@example.de"]
    assert daily[S.SUBJECT].iloc[0] == "Tägliche Abstimmung"
    assert not daily[S.IS_FROM_ME].any()
    breakfast = frame[frame[S.SUBJECT] == "Breakfast call"]
    # no UID: a stable synthetic one; open-ended rule up to the last DTEND (10-27 08:30Z)
    assert len(breakfast) == 27
    assert breakfast[S.THREAD_ID].nunique() == 1 and breakfast[S.THREAD_ID].iloc[0].startswith("ics-")
    assert breakfast[S.TIMESTAMP].iloc[-1] == ts("2025-10-27 07:00")
    assert breakfast[S.IS_FROM_ME].all()
    assert dict(rep.skipped) == {"cancelled": 1}
    assert rep.notes["floating_tz"] == "UTC"
    again, _ = read(FIXTURES / "outlook.ics")
    assert again[S.MESSAGE_ID].tolist() == frame[S.MESSAGE_ID].tolist()  # stable ids


def test_max_occurrences_cap_counted(tmp_path):
    path = write(
        tmp_path,
        "BEGIN:VEVENT",
        "UID:u1",
        "DTSTART:20250101T100000Z",
        "RRULE:FREQ=DAILY;COUNT=50",
        "ORGANIZER:mailto:a@x.org",
        "ATTENDEE:mailto:b@x.org",
        "END:VEVENT",
    )
    frame, rep = read(path, max_occurrences=7)
    assert len(frame) == 7
    assert frame[S.TIMESTAMP].iloc[-1] == ts("2025-01-07 10:00")
    assert rep.notes["occurrence_cap_hits"] == 1
    assert any("more than 7 occurrences" in w for w in rep.warnings)
    full, rep_full = read(path)
    assert len(full) == 50 and "occurrence_cap_hits" not in rep_full.notes  # COUNT beyond the file's range


def test_rdate_exdate_date_values_and_tzid_exdate(tmp_path):
    path = write(
        tmp_path,
        "BEGIN:VEVENT",
        "UID:u2",
        "DTSTART;TZID=Europe/Paris:20250601T090000",
        "RRULE:FREQ=WEEKLY;UNTIL=20250622T070000Z",
        "EXDATE;TZID=Europe/Paris:20250608T090000",
        "RDATE;TZID=Europe/Paris:20250610T150000",
        "ORGANIZER;CN=Zoé:mailto:zoe@x.fr",
        "ATTENDEE;CN=Yann:mailto:yann@x.fr",
        "END:VEVENT",
    )
    frame, _ = read(path)
    assert frame[S.TIMESTAMP].tolist() == [
        ts("2025-06-01 07:00"),
        ts("2025-06-10 13:00"),
        ts("2025-06-15 07:00"),
        ts("2025-06-22 07:00"),
    ]


def test_override_without_master_and_organizer_in_cn_only(tmp_path):
    path = write(
        tmp_path,
        "BEGIN:VEVENT",
        "UID:orphan",
        "RECURRENCE-ID:20250301T100000Z",
        "DTSTART:20250301T110000Z",
        "ORGANIZER;CN=boss@x.org:invalid:nomail",
        "ATTENDEE;CN=Only Name:urn:uuid:1234",
        "END:VEVENT",
    )
    frame, _ = read(path)
    assert frame[S.MESSAGE_ID].tolist() == ["orphan/20250301T100000Z"]
    assert frame[S.TIMESTAMP].tolist() == [ts("2025-03-01 11:00")]
    assert frame[S.SENDER].tolist() == ["boss@x.org"]
    assert frame[S.TO].iloc[0] == ["name:Only Name"]


def test_duplicate_and_no_dtstart_and_no_organizer(tmp_path):
    event = ["BEGIN:VEVENT", "UID:d", "DTSTART:20250101T100000Z", "ORGANIZER:mailto:a@x.org",
             "ATTENDEE:mailto:b@x.org", "END:VEVENT"]  # fmt: skip
    path = write(
        tmp_path,
        *event,
        *event,
        "BEGIN:VEVENT",
        "UID:nostart",
        "ORGANIZER:mailto:a@x.org",
        "ATTENDEE:mailto:b@x.org",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:noorg",
        "DTSTART:20250102T100000Z",
        "ATTENDEE:mailto:b@x.org",
        "END:VEVENT",
    )
    frame, rep = read(path)
    assert len(frame) == 1
    assert dict(rep.skipped) == {"duplicate event": 1, "no DTSTART": 1, "no ORGANIZER": 1}


@pytest.mark.parametrize(
    "calendar_zone, warning",
    # "Europe" is a folder in the zone database, not a zone (found by the mutation test)
    [(None, None), ("Europe", "X-WR-TIMEZONE 'Europe' is not a known zone")],
)
def test_floating_time_without_usable_calendar_zone_is_utc(tmp_path, calendar_zone, warning):
    zone = [f"X-WR-TIMEZONE:{calendar_zone}"] if calendar_zone else []
    path = write(
        tmp_path,
        *zone,
        "BEGIN:VEVENT",
        "UID:f",
        "DTSTART:20250101T100000",
        "ORGANIZER:mailto:a@x.org",
        "ATTENDEE:mailto:b@x.org",
        "END:VEVENT",
    )
    frame, rep = read(path)
    assert frame[S.TIMESTAMP].tolist() == [ts("2025-01-01 10:00")]
    assert [w for w in rep.warnings if "X-WR-TIMEZONE" in w] == (
        [f"{warning}; floating times read as UTC"] if warning else []
    )


def test_unknown_tzid_warns_and_reads_floating(tmp_path):
    path = write(
        tmp_path,
        "X-WR-TIMEZONE:Asia/Tokyo",
        "BEGIN:VEVENT",
        "UID:m",
        "DTSTART;TZID=Mars/Olympus:20250101T100000",
        "ORGANIZER:mailto:a@x.org",
        "ATTENDEE:mailto:b@x.org",
        "END:VEVENT",
    )
    frame, rep = read(path)
    assert frame[S.TIMESTAMP].tolist() == [ts("2025-01-01 01:00")]
    assert any("Mars/Olympus" in w for w in rep.warnings)


def test_event_zone_naming_a_folder_of_zones_reads_floating(tmp_path):
    # zoneinfo raises IsADirectoryError for "Europe" and icalendar passes it on
    path = write(
        tmp_path,
        "BEGIN:VEVENT",
        "UID:e",
        "DTSTART;TZID=Europe:20250101T100000",
        "ORGANIZER:mailto:a@x.org",
        "ATTENDEE:mailto:b@x.org",
        "END:VEVENT",
    )
    frame, rep = read(path)
    assert frame[S.TIMESTAMP].tolist() == [ts("2025-01-01 10:00")]
    assert rep.warnings == ["event e: unknown TZID 'Europe (not a zone)'; read as floating time"]


def test_empty_calendar_gives_empty_frame(tmp_path):
    frame, rep = read(write(tmp_path))
    assert frame.empty and rep.read == 0


def test_not_ics_is_format_error():
    with pytest.raises(FormatError, match="not an iCalendar") as info:
        read_ics(FIXTURES / "not_ics.ics")
    assert "not_ics.ics" in str(info.value)


def test_missing_file_is_format_error(tmp_path):
    with pytest.raises(FormatError, match="cannot be read"):
        read_ics(tmp_path / "none.ics")


EVENT = (
    "BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Europe/Berlin\r\nBEGIN:VEVENT\r\nUID:x1\r\n"
    "DTSTART;TZID=Europe/Berlin:20250301T100000\r\nDTEND;TZID=Europe/Berlin:20250301T110000\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE;TZID=Europe/Berlin:20250308T100000\r\n"
    "ORGANIZER;CN=A:mailto:a@x.org\r\nATTENDEE;CN=B;PARTSTAT=DECLINED:mailto:b@x.org\r\n"
    "ATTENDEE;CN=C:mailto:c@x.org\r\nSUMMARY:Hi\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cuts=st.lists(st.tuples(st.integers(0, 460), st.integers(0, 20)), max_size=3),
    inserts=st.lists(
        st.tuples(st.integers(0, 460), st.text(alphabet=":;=,\r\n ZT0129-ABé", max_size=6)), max_size=3
    ),
)
def test_mutated_ics_loads_with_reconciled_counts_or_format_error(tmp_path, cuts, inserts):
    text = EVENT
    for at, length in cuts:
        text = text[:at] + text[at + length :]
    for at, chunk in inserts:
        text = text[:at] + chunk + text[at:]
    path = tmp_path / "m.ics"
    path.write_bytes(text.encode("utf-8"))
    try:
        frame, report = read_ics(path)
    except FormatError:
        return
    assert_reconciled(frame, report, S.MESSAGES)


@pytest.mark.parametrize(
    ("rule", "n_rows", "warning"),
    [
        ("FREQ=BOGUS", 1, "RRULE unreadable"),
        ("FREQ=YEARLY;INTERVAL=1000;COUNT=100", 8, None),  # stops at year 9999
        ("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3", 3, None),  # Jan, Mar, May: no Feb 31st
    ],
)
def test_odd_rules_never_raise(tmp_path, rule, n_rows, warning):
    path = write(
        tmp_path,
        "BEGIN:VEVENT",
        "UID:r",
        "DTSTART:20250131T100000Z",
        f"RRULE:{rule}",
        "ORGANIZER:mailto:a@x.org",
        "ATTENDEE:mailto:b@x.org",
        "END:VEVENT",
    )
    frame, rep = read(path)
    assert len(frame) == n_rows
    assert (warning is None) == (not rep.warnings)
    if warning:
        assert warning in rep.warnings[0]
