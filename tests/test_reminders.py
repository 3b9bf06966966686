"""Tests of netanalytics.reminders: exact rows for a hand-built network, safe CSV, ICS to-dos."""

import csv

import icalendar
import numpy as np
import pandas as pd
import pytest

from netanalytics import schema as S
from netanalytics.exceptions import NotDefinedError
from netanalytics.network import build_network
from netanalytics.reminders import (
    REMINDER_COLUMNS,
    reminders,
    write_reminders_csv,
    write_reminders_ics,
)

AS_OF = "2024-06-10 12:00"


def _day(text):
    return pd.Timestamp(text, tz="UTC")


def _network():
    """ann: weekly rhythm then silent; cy: a 30-day cadence, silent 51 days; bo wrote, unanswered;
    dee: birthday without year in 5 days; eve: birthday with year in 40 days;
    fay: connected five years ago in 15 days; gus: connected this year; me: my own birthday."""
    inter = pd.DataFrame(
        {
            S.TIMESTAMP: [
                "2024-05-01 09:00",
                "2024-05-08 09:00",
                "2024-05-15 09:00",
                "2024-04-20 09:00",
                "2024-06-05 09:00",
            ],
            S.PERSON_ID: ["ann", "ann", "ann", "cy", "bo"],
            S.DIRECTION: [S.OUT, S.IN, S.OUT, S.OUT, S.IN],
            S.THREAD_ID: ["ta", "ta", "ta", "tc", "tb"],
            S.MESSAGE_ID: ["a1", "a2", "a3", "c1", "b1"],
        }
    )
    ids = ["ann", "bo", "cy", "dee", "eve", "fay", "gus"]
    people = pd.DataFrame(
        {
            S.NAME: ["Ann Lee", '=HYPERLINK("http://x")', "Cy Ng", "@Dee Ray", "Eve Oh", "Fay Wu", "Gus Ho"],
            S.CADENCE_DAYS: [np.nan, np.nan, 30.0, np.nan, np.nan, np.nan, np.nan],
            S.CONNECTED_ON: [
                pd.NaT,
                pd.NaT,
                pd.NaT,
                pd.NaT,
                pd.NaT,
                pd.Timestamp("2019-06-25"),
                pd.Timestamp("2024-01-01"),
            ],
        },
        index=pd.Index(ids, name=S.PERSON_ID),
    )
    net = build_network(inter, people)
    contacts = S.empty_frame(S.CONTACTS)
    contacts = (
        pd.DataFrame(
            {
                S.SOURCE: ["google", "google", "vcard", "google"],
                S.RECORD_ID: ["7", "8", "1", "9"],
                S.BIRTHDAY: ["--06-15", "1990-07-20", "--06-12", "not a date"],
            }
        )
        .reindex(columns=list(S.CONTACTS))
        .astype({S.SOURCE: object, S.RECORD_ID: object, S.BIRTHDAY: object})
    )
    identities = pd.DataFrame(
        {
            S.KEY: ["record:google:7", "record:google:8", "record:vcard:1", "record:google:9"],
            S.KEY_KIND: [S.KEY_RECORD] * 4,
            S.DISPLAY_NAME: ["Dee Ray", "Eve Oh", "Me", "Ann Lee"],
            S.PERSON_ID: ["dee", "eve", "me", "ann"],
            S.MATCH_RULE: ["self"] * 4,
            S.MATCH_SCORE: [1.0] * 4,
        }
    )
    messages = pd.DataFrame({S.MESSAGE_ID: ["b1"], S.SUBJECT: ["Intro to Zed"]})
    return net.with_frames(contacts=contacts, identities=identities, messages=messages)


def test_exact_rows():
    r = reminders(_network(), as_of=AS_OF)
    assert list(r.columns) == REMINDER_COLUMNS
    assert r.index.name == S.PERSON_ID
    assert r.reset_index()[[S.PERSON_ID, S.KIND, S.DUE_DATE, S.PRIORITY]].values.tolist() == [
        ["ann", "overdue", _day("2024-05-22"), 1],
        ["bo", "owes_reply", _day("2024-06-05"), 1],
        ["cy", "overdue", _day("2024-05-20"), 2],
        ["dee", "birthday", _day("2024-06-15"), 2],
        ["fay", "anniversary", _day("2024-06-25"), 3],
    ]
    assert r[S.REASON].tolist() == [
        "Usually in touch every 7 days; last contact was 26 days ago (2024-05-15)",
        'Wrote to you about "Intro to Zed" by email on 2024-06-05 (5 days ago); no answer yet',
        "You want to be in touch every 30 days; last contact was 51 days ago (2024-04-20)",
        "Birthday on Saturday 15 June",
        "Connected 5 years ago (2019-06-25) — anniversary on Tuesday 25 June",
    ]
    assert r.loc["dee", S.NAME] == "@Dee Ray"
    assert r.attrs["as_of"] == pd.Timestamp(AS_OF, tz="UTC")
    assert str(r[S.DUE_DATE].dtype) == "datetime64[ns, UTC]"


def test_horizon_takes_birthday_with_year():
    r = reminders(_network(), as_of=AS_OF, horizon_days=60)
    eve = r.loc[["eve"]]
    assert eve[[S.KIND, S.DUE_DATE, S.PRIORITY, S.REASON]].values.tolist() == [
        ["birthday", _day("2024-07-20"), 3, "Turns 34 on Saturday 20 July"]
    ]
    # my own birthday (record vcard:1 belongs to "me") is never a reminder
    assert "me" not in r.index


def test_leap_day_birthday_and_year_wrap():
    net = _network()
    contacts = net.contacts.copy()
    contacts.loc[0, S.BIRTHDAY] = "--02-29"
    net = net.with_frames(contacts=contacts)
    r = reminders(net, as_of="2023-02-20")
    assert r.loc[["dee"], S.DUE_DATE].tolist() == [_day("2023-02-28")]
    # late December: next birthday in January of the next year
    contacts.loc[0, S.BIRTHDAY] = "--01-03"
    r = reminders(net.with_frames(contacts=contacts), as_of="2023-12-30")
    assert r.loc[["dee"], S.DUE_DATE].tolist() == [_day("2024-01-03")]


def test_default_as_of_is_latest_interaction():
    r = reminders(_network())
    assert r.attrs["as_of"] == pd.Timestamp("2024-06-05 09:00", tz="UTC")


def test_no_interactions_needs_as_of():
    empty = build_network(S.empty_frame(S.INTERACTIONS))
    with pytest.raises(NotDefinedError, match="as_of"):
        reminders(empty)
    assert len(reminders(empty, as_of="2024-01-01")) == 0


def test_csv_neutralises_formulas(tmp_path):
    frame = pd.DataFrame(
        {
            S.PERSON_ID: ["p1", "p2", "p3", "p4", "p5", "p6"],
            S.NAME: ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tTab", "\rCR"],
            S.REASON: ["ok", "fine", "a=b", "x", "y", "z"],
            S.KIND: ["overdue"] * 6,
            S.DUE_DATE: [_day("2024-05-01")] * 6,
            S.PRIORITY: [1, 2, 3, 1, 2, 3],
        }
    ).set_index(S.PERSON_ID)
    path = tmp_path / "r.csv"
    write_reminders_csv(frame, path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == [S.PERSON_ID, *REMINDER_COLUMNS]
    assert [row[1] for row in rows[1:]] == ["'=1+1", "'+SUM(A1)", "'-2", "'@cmd", "'\tTab", "'\rCR"]
    assert [row[2] for row in rows[1:]] == ["ok", "fine", "a=b", "x", "y", "z"]
    assert rows[1][4:] == ["2024-05-01", "1"]


def test_csv_of_reminders_round_trips(tmp_path):
    r = reminders(_network(), as_of=AS_OF)
    path = tmp_path / "r.csv"
    write_reminders_csv(r, path)
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back[S.NAME].tolist() == ["Ann Lee", '\'=HYPERLINK("http://x")', "Cy Ng", "'@Dee Ray", "Fay Wu"]
    assert back[S.DUE_DATE].tolist() == ["2024-05-22", "2024-06-05", "2024-05-20", "2024-06-15", "2024-06-25"]


def test_ics_parses_back(tmp_path):
    r = reminders(_network(), as_of=AS_OF, horizon_days=60)
    path = tmp_path / "r.ics"
    write_reminders_ics(r, path)
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    todos = cal.walk("VTODO")
    assert len(todos) == len(r) == 6
    assert [str(t["SUMMARY"]) for t in todos[:2]] == [
        "Get in touch with Ann Lee",
        'Reply to =HYPERLINK("http://x")',
    ]
    assert [t["DUE"].dt.isoformat() for t in todos] == [f"{d:%Y-%m-%d}" for d in r[S.DUE_DATE]]
    assert [str(t["DESCRIPTION"]) for t in todos] == r[S.REASON].tolist()
    assert [int(t["PRIORITY"]) for t in todos] == [1, 1, 5, 5, 9, 9]
    uids = [str(t["UID"]) for t in todos]
    assert len(set(uids)) == 6
    # stable: the same reminders give the same file, UIDs included
    again = tmp_path / "again.ics"
    write_reminders_ics(reminders(_network(), as_of=AS_OF, horizon_days=60), again)
    assert again.read_bytes() == path.read_bytes()
