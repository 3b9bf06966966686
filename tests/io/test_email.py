"""Tests of the email readers: mbox variants, Gmail Takeout, Maildir, .eml trees, headers in the wild."""

from __future__ import annotations

import gc
import json
import mmap
import multiprocessing
import multiprocessing.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io import email as E
from netanalytics.io import read_email, read_eml, read_maildir, read_mbox

FIXTURES = Path(__file__).parent / "fixtures" / "email"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def msg(headers: str, body: str = "body\n", sep: str = "From ann@x.org Mon Jan  6 10:00:00 2025") -> bytes:
    return (f"{sep}\n{headers.strip()}\n\n{body}\n").encode()


def one(headers: bytes | str, tmp_path: Path, **kw) -> tuple[pd.Series, object]:
    """Read a single message given as header text (mbox with a From_ line)."""
    raw = headers if isinstance(headers, bytes) else headers.strip().encode("utf-8")
    box = write(tmp_path / "one.mbox", b"From ann@x.org Mon Jan  6 10:00:00 2025\n" + raw + b"\n\nbody\n")
    frame, report = read_mbox(box, cache=False, **kw)
    S.validate(frame, S.MESSAGES)
    assert len(frame) == 1, report
    return frame.iloc[0], report


# --- Gmail Takeout ---------------------------------------------------------------------------


def test_gmail_takeout_fixture_exact_rows():
    frame, report = read_mbox(FIXTURES / "gmail_takeout.mbox", cache=False)
    S.validate(frame, S.MESSAGES)
    assert report.read == 4 and report.kept == 3
    assert dict(report.files[0].skipped) == {"Gmail chat item": 1}
    cols = [
        S.MESSAGE_ID,
        S.SOURCE,
        S.CHANNEL,
        S.SENDER,
        S.SENDER_NAME,
        S.TO,
        S.TO_NAMES,
        S.CC,
        S.CC_NAMES,
        S.THREAD_ID,
        S.IN_REPLY_TO,
        S.REFERENCES,
        S.N_RECIPIENTS,
        S.IS_FROM_ME,
        S.IS_AUTOMATED,
        S.LABELS,
        S.FOLDER,
    ]
    rows = frame[cols].to_dict("records")
    assert rows[0] == {
        S.MESSAGE_ID: "CAB1@mail.acme.test",
        S.SOURCE: "gmail",
        S.CHANNEL: "email",
        S.SENDER: "bob.ng@acme.test",
        S.SENDER_NAME: "Bob Ng",
        S.TO: ["ann.lee@example.com", "carl@acme.test"],
        S.TO_NAMES: ["Ann Lee", ""],
        S.CC: ["dana.roy@acme.test"],
        S.CC_NAMES: ["Roy, Dana"],
        S.THREAD_ID: "1538564978720419823",
        S.REFERENCES: [],
        S.N_RECIPIENTS: 3,
        S.IS_FROM_ME: False,
        S.IS_AUTOMATED: False,
        S.LABELS: ["Inbox", "Important", "Clients, 2016"],
        S.FOLDER: "Inbox,Important,Clients, 2016",
    } | {S.IN_REPLY_TO: rows[0][S.IN_REPLY_TO]}  # compared on its own below: missing is NaN
    assert pd.isna(rows[0][S.IN_REPLY_TO])
    assert rows[1][S.SENDER] == "ann.lee@example.com" and rows[1][S.IS_FROM_ME]
    assert rows[1][S.LABELS] == ["Gesendet", "Opened"]
    assert rows[1][S.IN_REPLY_TO] == "CAB1@mail.acme.test" and rows[1][S.REFERENCES] == [
        "CAB1@mail.acme.test"
    ]
    assert rows[1][S.THREAD_ID] == "1538564978720419823"
    assert rows[2][S.SENDER] == "no-reply@updates.acme.test" and rows[2][S.IS_AUTOMATED]
    assert frame[S.SUBJECT].tolist() == ["Quarterly plan", "Re: Quarterly plan", "Neuigkeiten für Sie"]
    assert frame[S.TIMESTAMP].tolist() == [
        ts("2016-06-30 12:31:40"),
        ts("2016-06-30 13:02:09"),
        ts("2016-07-02 08:15:00"),
    ]
    me = report.files[0].notes["me"]
    assert me["rule"] == "sent_label" and me["addresses"] == ["ann.lee@example.com"]
    assert "ann.lee@example.com (1)" in me["evidence"]


@pytest.mark.parametrize(
    "label",
    [
        "Sent",
        "Gesendet",
        "Envoyés",
        "Enviados",
        "Inviati",
        "Verzonden",
        "=?UTF-8?Q?Envoy=C3=A9s?=",
        "=?UTF-8?B?R2VzZW5kZXQ=?=",
    ],
)
def test_sent_detected_by_localized_label(tmp_path, label):
    row, report = one(
        f"X-Gmail-Labels: Opened,{label}\nFrom: zed@q.org\nTo: a@b.org\nMessage-ID: <1@q>", tmp_path
    )
    assert row[S.IS_FROM_ME]
    assert report.files[0].notes["me"] == {
        "rule": "sent_label",
        "addresses": ["zed@q.org"],
        "evidence": "From of 1 messages labelled or filed as Sent: zed@q.org (1)",
    }


def test_quoted_and_encoded_labels(tmp_path):
    row, _ = one('X-Gmail-Labels: "a, b",=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=, ,Inbox\nFrom: a@b.org', tmp_path)
    assert row[S.LABELS] == ["a, b", "Grüße", "Inbox"]


def test_chat_items_without_from_or_date_are_counted(tmp_path):
    box = write(
        tmp_path / "c.mbox",
        msg("X-GM-THRID: 1\nX-Gmail-Labels: Chat", sep="From 1@xxx Mon Jan  6 10:00:00 2025")
        + msg("From: a@b.org\nMessage-ID: <m@b>"),
    )
    frame, report = read_mbox(box, cache=False)
    assert len(frame) == 1 and report.read == 2 and report.files[0].skipped["Gmail chat item"] == 1


# --- mbox variants -------------------------------------------------------------------------------


def _two(sep1: str, sep2: str, eol: bytes = b"\n", body: str = "hello\n") -> bytes:
    text = (
        f"{sep1}\nFrom: a@x.org\nTo: b@y.org\nMessage-ID: <1@x>\nDate: Mon, 6 Jan 2025 10:00:00 +0000\n\n"
        f"{body}\n{sep2}\nFrom: b@y.org\nTo: a@x.org\nMessage-ID: <2@y>\n\nreply\n"
    )
    return text.replace("\n", eol.decode()).encode()


@pytest.mark.parametrize(
    "sep1,sep2",
    [
        ("From a@x.org Mon Jan  6 10:00:00 2025", "From b@y.org Mon Jan  6 11:00:00 2025"),  # classic
        ("From - Mon Jan  6 10:00:00 2025", "From - Mon Jan  6 11:00:00 2025"),  # Thunderbird
        (
            "From 1538564978720419823@xxx Mon Jan 06 10:00:00 +0000 2025",
            "From 1538564978720419824@xxx Mon Jan 06 11:00:00 +0000 2025",
        ),  # Gmail with zone
        (
            "From 1538564978720419823@xxx Mon Jan 06 10:00:00 2025",
            "From 1538564978720419824@xxx Mon Jan 06 11:00:00 2025",
        ),  # Gmail, older: no zone
    ],
)
@pytest.mark.parametrize("eol", [b"\n", b"\r\n"])
def test_mbox_separator_variants_and_line_endings(tmp_path, sep1, sep2, eol):
    frame, report = read_mbox(write(tmp_path / "v.mbox", _two(sep1, sep2, eol)), cache=False)
    assert frame[S.MESSAGE_ID].tolist() == ["1@x", "2@y"]
    assert frame[S.SENDER].tolist() == ["a@x.org", "b@y.org"]
    # second message has no Date: the From_ line gives it
    assert frame[S.TIMESTAMP].tolist() == [ts("2025-01-06 10:00"), ts("2025-01-06 11:00")]
    assert report.files[0].notes["dates"] == {"date_header": 1, "from_line": 1}


def test_mixed_line_endings(tmp_path):
    data = _two("From - Mon Jan  6 10:00:00 2025", "From - Mon Jan  6 11:00:00 2025")
    data = data.replace(b"To: a@x.org\n", b"To: a@x.org\r\n").replace(b"<2@y>\n\n", b"<2@y>\r\n\r\n")
    frame, _ = read_mbox(write(tmp_path / "m.mbox", data), cache=False)
    assert frame[S.TO].tolist() == [["b@y.org"], ["a@x.org"]]


@pytest.mark.parametrize(
    "body",
    [
        "From here on, unescaped (mboxo) but not after a blank line\n",
        "\nFrom here on: after a blank line but no date\n",
        "\n>From Mon Jan  6 10:00:00 2025 escaped (mboxrd)\n",
        "\nFrom bob Thu Jun 30 2016 has no time\n",
    ],
)
def test_body_from_lines_do_not_split(tmp_path, body):
    data = _two("From - Mon Jan  6 10:00:00 2025", "From - Mon Jan  6 11:00:00 2025", body=body)
    frame, report = read_mbox(write(tmp_path / "b.mbox", data), cache=False)
    assert report.read == 2 and frame[S.MESSAGE_ID].tolist() == ["1@x", "2@y"]


def test_not_an_mbox_raises_format_error(tmp_path):
    path = write(tmp_path / "x.mbox", b"Subject: hi\n\nbody\n")
    with pytest.raises(FormatError, match=r"x\.mbox.*'From ' separator.*read_eml"):
        read_mbox(path, cache=False)


def test_header_names_in_any_spelling(tmp_path):
    # Postfix / Apple Mail write "Message-Id", some clients "CC" or lower case; the first
    # of two same-named headers counts, whatever their spelling
    box = write(
        tmp_path / "spell.mbox",
        msg("FROM: Ann <ann@x.org>\nto: bob@y.org\nCC: cy@z.org\nMessage-Id: <a1@x>\nmessage-id: <a2@x>\n"
            "In-reply-to: <a0@x>\nSUBJECT:   Plan \nDate: Mon, 6 Jan 2025 10:00:00 +0000")
        + msg("From: Dee <dee@x.org>\nTo: ann@x.org\nMessage-ID: <b1@x>\nSubject: Usual\n"
              "Date: Mon, 6 Jan 2025 11:00:00 +0000"),
    )  # fmt: skip
    frame, report = read_mbox(box, cache=False)
    assert frame[[S.MESSAGE_ID, S.SENDER, S.SENDER_NAME, S.SUBJECT]].to_dict("records") == [
        {"message_id": "a1@x", "sender": "ann@x.org", "sender_name": "Ann", "subject": "Plan"},
        {"message_id": "b1@x", "sender": "dee@x.org", "sender_name": "Dee", "subject": "Usual"},
    ]
    assert frame[S.IN_REPLY_TO].iloc[0] == "a0@x" and pd.isna(frame[S.IN_REPLY_TO].iloc[1])
    assert frame[S.TO].tolist() == [["bob@y.org"], ["ann@x.org"]]
    assert frame[S.CC].tolist() == [["cy@z.org"], []]
    # a single message file goes the per-message route: the same row
    eml = write(tmp_path / "a.eml", box.read_bytes().split(b"\n\nFrom ")[0].split(b"\n", 1)[1] + b"\n")
    single, _ = read_eml(eml, cache=False)
    first = frame.iloc[[0]].reset_index(drop=True)
    cols = [S.MESSAGE_ID, S.SENDER, S.TO, S.CC, S.IN_REPLY_TO, S.SUBJECT, S.TIMESTAMP]
    pd.testing.assert_frame_equal(single[cols], first[cols])


def test_empty_and_blank_mbox(tmp_path):
    for data in (b"", b"\n\n"):
        frame, report = read_mbox(write(tmp_path / "e.mbox", data), cache=False)
        assert len(frame) == 0 and report.read == 0
        S.validate(frame, S.MESSAGES)


def test_truncated_last_message_keeps_headers(tmp_path):
    data = msg("From: a@x.org\nMessage-ID: <1@x>") + b"From - Mon Jan  6 11:00:00 2025\nFrom: b@y.org\nTo: c@"
    frame, _ = read_mbox(write(tmp_path / "t.mbox", data), cache=False)
    assert frame[S.SENDER].tolist() == ["a@x.org", "b@y.org"] and frame[S.TO].tolist() == [[], []]


def test_parallel_ranges_match_serial(tmp_path, monkeypatch):
    from netanalytics.io import _mbox as M

    blocks = [
        msg(f"From: p{i}@x.org\nTo: q{i % 3}@y.org\nMessage-ID: <{i}@x>", body="x\n" * (i % 7))
        for i in range(60)
    ]
    box = write(tmp_path / "p.mbox", b"".join(blocks))
    serial, r1 = read_mbox(box, cache=False, workers=1)
    monkeypatch.setattr(E, "_MBOX_PARALLEL_BYTES", 1)
    monkeypatch.setattr(E, "_MBOX_TASK_BYTES", 500)
    sent = []  # what each part adds to its worker's strings (M._Strings)
    prepare = M.prepare_parts
    monkeypatch.setattr(
        M, "prepare_parts", lambda parts, *a: sent.append(parts["strings"]) or prepare(parts, *a)
    )
    parallel, r2 = read_mbox(box, cache=False, workers=2)
    pd.testing.assert_frame_equal(serial, parallel)
    assert r1.read == r2.read == 60
    # two workers, each part after a worker's first sends only the strings new to the worker
    assert len({x.process for x in sent}) == 2 and len(sent) > 10
    assert sum(x.start == 0 for x in sent) == 2
    # the three To addresses once per worker (senders are text columns, not lists; no names)
    assert sorted(x for s in sent for x in s.strings) == [
        "q0@y.org",
        "q0@y.org",
        "q1@y.org",
        "q1@y.org",
        "q2@y.org",
        "q2@y.org",
    ]


# --- headers in the wild: dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "date,expected",
    [
        ("Mon, 6 Jan 2025 10:00:00 +0100", "2025-01-06 09:00"),
        ("Mon, 6 Jan 2025 10:00:00 -0800 (PST)", "2025-01-06 18:00"),
        ("6 Jan 2025 10:00:00 +0000", "2025-01-06 10:00"),  # no weekday
        ("Mo, 6 Jan 2025 10:00:00 +0100 (Mitteleurop\xe4ische Zeit)", "2025-01-06 09:00"),  # 8-bit comment
        ("Do, 14 Mär 2019 09:05:00 +0100", "2019-03-14 08:05"),  # German
        ("jeu., 3 févr. 2022 18:00:00 +0100", "2022-02-03 17:00"),  # French
        ("mié, 5 dic 2018 12:00:00 -0300", "2018-12-05 15:00"),  # Spanish
        ("Mon, 6 Jan 2025 10:00:00 GMT", "2025-01-06 10:00"),
        ("Mon, 6 Jan 2025 10:00 PST", "2025-01-06 18:00"),
    ],
)
def test_tolerant_dates(tmp_path, date, expected):
    row, report = one(f"From: a@b.org\nDate: {date}".encode(), tmp_path)
    assert row[S.TIMESTAMP] == ts(expected)
    assert report.files[0].notes["dates"] == {"date_header": 1}


@pytest.mark.parametrize("ids", [False, True])  # without ids: the per-message route; with: columns
def test_date_fallbacks_counted(tmp_path, ids):
    received = "Received: from a by b; Tue, 7 Jan 2025 08:00:00 +0000\n"
    received += " (folded comment)\nReceived: from c by d; Tue, 7 Jan 2025 07:00:00 +0000\n"
    mid = [f"Message-ID: <{k}@b.org>\n" if ids else "" for k in range(3)]
    data = b"".join(
        [
            msg(
                mid[0] + "From: a@b.org\nDate: Mon, 6 Jan 2025 59:10 +0000\n" + received
            ),  # broken time -> Received
            msg(
                mid[1] + "From: a@b.org\nDate: Mon, 6 Jan 3609 10:00:00 +0000",  # absurd year -> From_ line
                sep="From a@b.org Wed Jan  8 09:30:00 2025",
            ),
            msg(mid[2] + "From: a@b.org\nDate: \n"),  # empty -> From_ line
        ]
    )
    frame, report = read_mbox(write(tmp_path / "d.mbox", data), cache=False)
    assert frame[S.TIMESTAMP].tolist() == [
        ts("2025-01-07 08:00"),
        ts("2025-01-08 09:30"),
        ts("2025-01-06 10:00"),
    ]
    notes = report.files[0].notes
    assert notes["dates"] == {"date_header": 0, "received": 1, "from_line": 2}
    assert len(report.files[0].warnings) == 3 and "used the received" in report.files[0].warnings[0]


def test_date_day_only_and_missing_in_message_files(tmp_path):
    write(
        tmp_path / "m" / "1.eml", b"From: a@b.org\nMessage-ID: <1@b>\nDate: Mon, 6 Jan 2025 59:10 +0000\n\nx"
    )
    write(tmp_path / "m" / "2.eml", b"From: a@b.org\nMessage-ID: <2@b>\nDate: garbage\n\nx")
    frame, report = read_eml(tmp_path / "m", cache=False)
    assert frame[S.TIMESTAMP].iloc[0] == ts("2025-01-06 00:00")
    assert pd.isna(frame[S.TIMESTAMP].iloc[1])
    assert report.files[0].notes["dates"] == {"date_header": 0, "date_header_day_only": 1, "missing": 1}


# --- headers in the wild: addresses ---------------------------------------------------------------


@pytest.mark.parametrize(
    "to,keys,names",
    [
        ("undisclosed recipients: ;", [], []),
        (", ann@x.org,, bob@y.org ,", ["ann@x.org", "bob@y.org"], []),
        ('"ann@x.org" <ann.lee@y.org>', ["ann.lee@y.org"], ["ann@x.org"]),
        ("ann@x.org <ann.lee@y.org>", ["ann.lee@y.org"], ["ann@x.org"]),
        (
            '"Lee, Ann" <Ann@X.org>, Team: bob@y.org, cy@z.org;',
            ["ann@x.org", "bob@y.org", "cy@z.org"],
            ["Lee, Ann", "", ""],
        ),
        ("=?UTF-8?B?WsO2ZSBLw7ZuaWc=?= <zoe@x.org>", ["zoe@x.org"], ["Zöe König"]),
        ("=?ks_c_5601-1987?B?vcW/67jt?= <shin@x.kr>", ["shin@x.kr"], ["신용명"]),
        ("=?gb2312?B?1cXI/Q==?= <zhang@x.cn>", ["zhang@x.cn"], ["张三"]),
        ("=?X-UNKNOWN?Q?Ren=E9?= <rene@x.fr>", ["rene@x.fr"], ["René"]),
        ("=?bogus-charset?Q?Ren=C3=A9?= <rene@x.fr>", ["rene@x.fr"], ["René"]),
        ("Ann (work) <ann@x.org>", ["ann@x.org"], ["Ann"]),
        ("not an address, also not", [], []),
    ],
)
def test_address_lists(tmp_path, to, keys, names):
    row, _ = one(f"From: a@b.org\nTo: {to}", tmp_path)
    assert row[S.TO] == keys and row[S.TO_NAMES] == names and row[S.N_RECIPIENTS] == len(keys)


@pytest.mark.parametrize(
    "raw,name", [("Zo\xeb Roy".encode("latin-1"), "Zoë Roy"), ("Zoë Roy".encode(), "Zoë Roy")]
)
def test_raw_8bit_names(tmp_path, raw, name):
    row, _ = one(b"From: " + raw + b" <zoe@x.org>\nTo: a@b.org", tmp_path)
    assert row[S.SENDER] == "zoe@x.org" and row[S.SENDER_NAME] == name


def test_two_addresses_in_from_takes_first_and_warns(tmp_path):
    row, report = one("From: Ann <ann@x.org>, Bob <bob@y.org>\nTo: c@z.org", tmp_path)
    assert row[S.SENDER] == "ann@x.org" and row[S.SENDER_NAME] == "Ann"
    assert report.files[0].notes["counters"] == {"from_with_several_addresses": 1, "synthetic_message_id": 1}
    assert "From holds 2 addresses; kept the first (ann@x.org)" in report.files[0].warnings[0]


def test_from_with_only_a_name(tmp_path):
    row, _ = one("From: Ann Lee\nTo: c@z.org", tmp_path)
    assert row[S.SENDER] == "name:Ann Lee" and row[S.SENDER_NAME] == "Ann Lee"


@pytest.mark.parametrize(
    "headers,sender,name,mailing_list",
    [
        (
            "From: Ann Lee via Hikers <hikers@groups.test>\nReply-To: Ann Lee <ann@x.org>\nList-Id: <hikers.groups.test>",
            "ann@x.org",
            "Ann Lee",
            "hikers@groups.test",
        ),
        (
            "From: Ann Lee via Hikers <hikers@groups.test>\nX-Original-From: Ann L <ann@x.org>",
            "ann@x.org",
            "Ann L",
            "hikers@groups.test",
        ),
        (
            "From: dev@lists.x.org\nList-Id: Dev list <dev.lists.x.org>\nReply-To: bob@y.org",
            "bob@y.org",
            None,
            "dev@lists.x.org",
        ),
        (
            "From: Hikers <hikers@groups.test>\nList-Post: <mailto:hikers@groups.test>\nList-Id: <h.g>\nReply-To: Cy <cy@z.org>",
            "cy@z.org",
            "Cy",
            "hikers@groups.test",
        ),
        # a list that does not rewrite From: the author stays the sender; the list is named
        # from its List-Id (Mailman / Google Groups spell the address with a dot)
        (
            "From: Ann <ann@x.org>\nList-Id: <hikers.groups.test>\nReply-To: hikers@groups.test",
            "ann@x.org",
            "Ann",
            "hikers@groups.test",
        ),
        # List-Post names the list's address
        (
            "From: Ann <ann@x.org>\nList-Id: Hikers <h.g>\nList-Post: <https://g.test/post>, <mailto:hike@g.test>",
            "ann@x.org",
            "Ann",
            "hike@g.test",
        ),
        # Google Groups: " via " only inside an encoded word, the person in X-Original-From
        (
            "From: =?UTF-8?Q?'Ann_L=C3=A9e'_via_hikers?= <hikers@googlegroups.com>\n"
            "X-Original-From: =?iso-8859-1?Q?Ann_L=E9e?= <ann@x.org>\nList-ID: <hikers.googlegroups.com>",
            "ann@x.org",
            "Ann Lée",
            "hikers@googlegroups.com",
        ),
    ],
)
def test_mailing_list_rewrites(tmp_path, headers, sender, name, mailing_list):
    row, _ = one(headers + "\nTo: me@m.org", tmp_path)
    got = [None if pd.isna(v) else v for v in (row[S.SENDER], row[S.SENDER_NAME], row[S.MAILING_LIST])]
    assert got == [sender, name, mailing_list]


# --- ids and threads ------------------------------------------------------------------------------------


def test_tolerant_ids_and_thread_rules(tmp_path):
    data = b"".join(
        [
            msg("From: a@b.org\nMessage-ID: plain-id@b.org\nIn-Reply-To: \nReferences: <r1@x>\n <r2@x> <r3@"),
            msg("From: a@b.org\nMessage-ID: <m2@b>\nIn-Reply-To: r9@x (Ann's message)"),
            msg("From: a@b.org\nMessage-ID: <m3@b>"),
            msg("From: a@b.org\nMessage-ID: <m4@b>\nX-GM-THRID: 99\nReferences: <r1@x>"),
        ]
    )
    frame, _ = read_mbox(write(tmp_path / "i.mbox", data), cache=False)
    assert frame[S.MESSAGE_ID].tolist() == ["plain-id@b.org", "m2@b", "m3@b", "m4@b"]
    assert frame[S.REFERENCES].tolist() == [["r1@x", "r2@x", "r3@"], [], [], ["r1@x"]]
    assert frame[S.IN_REPLY_TO].isna().tolist() == [True, False, True, True]
    assert frame[S.IN_REPLY_TO].iloc[1] == "r9@x"
    assert frame[S.THREAD_ID].tolist() == ["r1@x", "r9@x", "m3@b", "99"]


def test_synthetic_ids_are_stable_and_positional(tmp_path):
    same = msg("From: a@b.org\nSubject: no id\nDate: Mon, 6 Jan 2025 10:00:00 +0000")
    box = write(tmp_path / "s.mbox", same + same)
    f1, r1 = read_mbox(box, cache=False)
    f2, _ = read_mbox(box, cache=False)
    ids = f1[S.MESSAGE_ID].tolist()
    assert ids == f2[S.MESSAGE_ID].tolist() and ids[0] != ids[1]
    assert all(i.startswith("synthetic-") and i.endswith("@netanalytics.invalid") for i in ids)
    assert r1.files[0].notes["counters"] == {"synthetic_message_id": 2}


def test_duplicate_message_ids_within_and_across_files(tmp_path):
    a = write(
        tmp_path / "a.mbox", msg("From: a@b.org\nMessage-ID: <1@b>") + msg("From: a@b.org\nMessage-ID: <1@b>")
    )
    b = write(
        tmp_path / "b.mbox", msg("From: a@b.org\nMessage-ID: <1@b>") + msg("From: c@b.org\nMessage-ID: <2@b>")
    )
    frame, report = read_mbox([a, b], cache=False)
    assert frame[S.MESSAGE_ID].tolist() == ["1@b", "2@b"]
    assert [(f.read, f.kept, dict(f.skipped)) for f in report.files] == [
        (2, 1, {"duplicate Message-ID": 1}),
        (2, 1, {"duplicate Message-ID": 1}),
    ]
    assert report.read == report.kept + report.skipped == 4


# --- who is me, automated senders -------------------------------------------------------------------------


def test_me_rules(tmp_path):
    data = b"".join(
        [
            msg("From: Bob <bob@y.org>\nTo: Ann <Ann@X.org>\nDelivered-To: ann@x.org\nMessage-ID: <1@y>"),
            msg("From: ann@x.org\nTo: bob@y.org\nMessage-ID: <2@x>"),
            msg("From: cy@z.org\nTo: ann@x.org\nMessage-ID: <3@z>"),
        ]
    )
    box = write(tmp_path / "me.mbox", data)
    frame, report = read_mbox(box, cache=False, me=["ANN@x.org", "ann@old.org"])
    assert frame[S.IS_FROM_ME].tolist() == [False, True, False]
    assert report.files[0].notes["me"] == {
        "rule": "explicit",
        "addresses": ["ann@x.org", "ann@old.org"],
        "evidence": "given by the caller (me=...)",
    }
    frame, report = read_mbox(box, cache=False)
    assert report.files[0].notes["me"] == {
        "rule": "delivered_to",
        "addresses": ["ann@x.org"],
        "evidence": "Delivered-To / X-Original-To of 1 messages: ann@x.org (1)",
    }
    assert frame[S.IS_FROM_ME].tolist() == [False, True, False]
    box2 = write(tmp_path / "me2.mbox", data.replace(b"Delivered-To: ann@x.org\n", b""))
    frame, report = read_mbox(box2, cache=False)
    me = report.files[0].notes["me"]
    assert me["rule"] == "most_frequent_participant" and me["addresses"] == ["ann@x.org"]
    assert me["evidence"] == "ann@x.org takes part in 3 of 3 messages, more than any other address"


def test_owner_guess_on_a_tie_is_deterministic_and_says_so(tmp_path):
    """Two addresses in every message: either could be the owner. The guess must not depend on
    Python's hash seed, and the evidence must say it was a tie."""
    data = (
        b"From x Mon Jan  6 10:00:00 2025\nFrom: Bo <bo@y.net>\nTo: ann@x.org\nMessage-ID: <1@y>\n"
        b"Date: Mon, 6 Jan 2025 10:00:00 +0000\n\nhi\n\n"
        b"From x Tue Jan  7 10:00:00 2025\nFrom: Ann <ann@x.org>\nTo: bo@y.net\nMessage-ID: <2@x>\n"
        b"Date: Tue, 7 Jan 2025 10:00:00 +0000\n\nhello\n"
    )
    box = write(tmp_path / "tie.mbox", data)
    script = (
        "import json, sys; from netanalytics.io import read_mbox; "
        "print(json.dumps(read_mbox(sys.argv[1], cache=False)[1].files[0].notes['me']))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", script, str(box)],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (0, 1, 2, 3)
    }
    assert len(seen) == 1
    assert json.loads(seen.pop()) == {
        "rule": "most_frequent_participant",
        "addresses": ["ann@x.org"],
        "evidence": "ann@x.org takes part in 2 of 2 messages, as many as bo@y.net: the first in alphabetical "
        "order was taken; pass me= to say which address is yours",
    }


@pytest.mark.parametrize(
    "headers,automated",
    [
        ("From: Ann <ann@x.org>", False),
        ("From: noreply@x.org", True),
        ("From: No Reply <no-reply@x.org>", True),
        ("From: donotreply@x.org", True),
        ("From: notifications@github.test", True),
        ("From: MAILER-DAEMON@x.org", True),
        ("From: ann@x.org\nList-Unsubscribe: <mailto:u@x.org>", True),
        ("From: ann@x.org\nPrecedence: bulk", True),
        ("From: ann@x.org\nPrecedence: first-class", False),
        ("From: ann@x.org\nAuto-Submitted: auto-replied", True),
        ("From: ann@x.org\nAuto-Submitted: no", False),
        ("From: friend@facebookmail.com", True),
        ("From: LinkedIn <messages-noreply@linkedin.com>", True),
        ("From: Google Calendar <calendar-notification@google.com>", True),
        ("From: Notion Team <notify@mail.notion.so>", True),
        ("From: Alex Notley <alex.notley@x.org>", False),
        ("From: Nora Alertson <nora.alertson@x.org>", False),
        # a person's post distributed by a discussion list is human mail
        (
            "From: ann@x.org\nList-Id: <dev.lists.x.org>\nList-Unsubscribe: <mailto:u@x.org>\nPrecedence: list",
            False,
        ),
        ("From: ann@x.org\nList-Post: <mailto:dev@x.org>\nList-Unsubscribe: <mailto:u@x.org>", False),
        # vger-style: Precedence bulk and a List-Id, no List-Post
        ("From: ann@x.org\nList-Id: <linux-mm.kvack.org>\nPrecedence: bulk", False),
        # a machine posting to a list is still a machine
        ("From: bot@x.org\nList-Id: <dev.lists.x.org>\nAuto-Submitted: auto-generated", True),
        # announce-only lists (RFC 2369 "List-Post: NO") and bulk-mail services' lists are bulk
        ("From: ann@x.org\nList-Post: NO\nList-Id: <news.x.org>\nList-Unsubscribe: <mailto:u@x.org>", True),
        (
            "From: shop@brand.test\nList-Id: 1a2b <1a2b.list-id.mcsv.net>\nList-Unsubscribe: <mailto:u@x.org>",
            True,
        ),
        # list management addresses
        ("From: dev-request@lists.x.org", True),
        ("From: openbmc-bounces+ann=x.org@lists.ozlabs.org", True),
        ("From: kasan-dev+owners@googlegroups.com", True),
        ("From: owner-dev@x.org", True),
        ("From: Mailman <mailman@lists.x.org>", True),
        ("From: Olive Owner <owner@bakery.test>", False),
        # an App Engine program's mail (a bug bot writing to a list), and a person's address
        # that only mentions the domain
        (
            "From: syzbot <syzbot+8d41ad9c88279d71@syzkaller.appspotmail.com>\nList-Id: <k.googlegroups.com>",
            True,
        ),
        ("From: Ann Appspot <ann.appspotmail.com@x.org>", False),
        # a bot by its address's word joined by "-", "_" or "+"; a surname after a dot is a person's
        ("From: pr-tracker-bot@kernel.org", True),
        ("From: Patchwork <patchwork-bot+netdevbpf@kernel.org>", True),
        ("From: CI <ci_robot@x.org>", True),
        ("From: Marc Bot <marc.bot@x.nl>", False),
        ("From: Ann Talbot <talbot@x.org>", False),
        # a mail service's staff are people; its newsletters are bulk by their headers
        ("From: Jane Doe <jane.doe@salesforce.com>", False),
        ("From: Ann Chimp <ann@mailchimp.com>", False),
        ("From: Mailchimp <news@mailchimp.com>\nList-Unsubscribe: <mailto:u@mailchimp.com>", True),
        # a bot by its display name: a last word "robot", GitHub's "[bot]"; not a surname Bot
        ("From: kernel test robot <lkp@intel.com>", True),
        ("From: dependabot[bot] <support@github.com>", True),
        ("From: Marc Bot <marc@x.nl>", False),
    ],
)
def test_automated_senders(tmp_path, headers, automated):
    row, _ = one(headers + "\nTo: me@m.org", tmp_path)
    assert row[S.IS_AUTOMATED] is np.bool_(automated) or row[S.IS_AUTOMATED] == automated


# --- Maildir, eml trees, dispatch ------------------------------------------------------------------


def make_maildir(root: Path) -> Path:
    for d in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"):
        (root / d).mkdir(parents=True, exist_ok=True)
    write(
        root / "cur" / "1700000001.M1.host:2,S",
        b"From: Bob <bob@y.org>\nTo: ann@x.org\n"
        b"Message-ID: <1@y>\nDate: Mon, 6 Jan 2025 10:00:00 +0000\nSubject: hi\n\nbody\n",
    )
    write(
        root / "new" / "1700000003.M3.host",
        b"From: cy@z.org\nTo: ann@x.org\nCc: bob@y.org\n"
        b"Message-ID: <3@z>\nDate: Wed, 8 Jan 2025 10:00:00 +0000\n\nbody\n",
    )
    write(
        root / ".Sent" / "cur" / "1700000002.M2.host:2,S",
        b"From: Ann <ann@x.org>\nTo: bob@y.org\n"
        b"Message-ID: <2@x>\nIn-Reply-To: <1@y>\nDate: Tue, 7 Jan 2025 10:00:00 +0000\n\nbody\n",
    )
    write(root / "tmp" / "half-written", b"From: ghost@x.org\n\n")
    return root


def test_maildir_plus_plus(tmp_path):
    frame, report = read_maildir(make_maildir(tmp_path / "md"), cache=False)
    S.validate(frame, S.MESSAGES)
    assert frame[[S.FOLDER, S.MESSAGE_ID, S.SENDER, S.SOURCE, S.IS_FROM_ME, S.THREAD_ID]].values.tolist() == [
        ["INBOX", "1@y", "bob@y.org", "maildir", False, "1@y"],
        ["INBOX", "3@z", "cy@z.org", "maildir", False, "3@z"],
        ["Sent", "2@x", "ann@x.org", "maildir", True, "1@y"],
    ]
    assert [(Path(f.path).name, f.kind, f.read) for f in report.files] == [
        ("md", "maildir", 2),
        (".Sent", "maildir", 1),
    ]
    assert report.files[0].notes["me"]["rule"] == "sent_label"


def test_read_maildir_rejects_plain_folder(tmp_path):
    write(tmp_path / "x" / "1.eml", b"From: a@b.org\n\n")
    with pytest.raises(FormatError, match="not a Maildir"):
        read_maildir(tmp_path / "x", cache=False)


def test_mbox_and_maildir_give_the_same_frame(tmp_path):
    root = make_maildir(tmp_path / "md")
    files = sorted(
        (p for p in root.rglob("*") if p.is_file() and "tmp" not in p.relative_to(root).parts),
        key=lambda p: p.name,
    )
    box = b"".join(b"From - Mon Jan  6 10:00:00 2025\n" + p.read_bytes() + b"\n" for p in files)
    from_mbox, _ = read_mbox(write(tmp_path / "all.mbox", box), cache=False, me="ann@x.org")
    from_md, _ = read_maildir(root, cache=False, me="ann@x.org")
    ignore = [S.SOURCE, S.SOURCE_FILE, S.FOLDER]
    a = from_mbox.drop(columns=ignore).sort_values(S.MESSAGE_ID).reset_index(drop=True)
    b = from_md.drop(columns=ignore).sort_values(S.MESSAGE_ID).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_enron_tree_and_eml_files():
    frame, report = read_eml(FIXTURES / "enron", cache=False)
    assert frame[[S.FOLDER, S.MESSAGE_ID, S.SENDER, S.IS_FROM_ME]].values.tolist() == [
        ["oduya-k/inbox", "200.JavaMail.evans@thyme", "ravi.mendes@enron.test", False],
        ["oduya-k/inbox", "100.JavaMail.evans@thyme", "kim.oduya@enron.test", True],
    ]
    assert frame[S.IN_REPLY_TO].iloc[0] == "100.JavaMail.evans@thyme"
    assert frame[S.TIMESTAMP].iloc[1] == ts("2001-05-14 23:39")
    inbox, sent = report.files
    assert (inbox.read, inbox.kept, sent.read, sent.kept) == (2, 2, 1, 0)
    assert dict(sent.skipped) == {"duplicate Message-ID": 1}
    assert report.files[0].notes["me"]["rule"] == "sent_label"
    single, _ = read_eml(FIXTURES / "enron" / "oduya-k" / "inbox" / "1.", cache=False)
    assert single[S.TO].iloc[0] == ["kim.oduya@enron.test", "lena.fisk@enron.test"]


def test_read_email_dispatch(tmp_path):
    # mbox file
    frame, report = read_email(FIXTURES / "gmail_takeout.mbox", cache=False)
    assert report.files[0].kind == "mbox" and len(frame) == 3
    # Maildir++
    frame, report = read_email(make_maildir(tmp_path / "md"), cache=False)
    assert {f.kind for f in report.files} == {"maildir"} and len(frame) == 3
    # folder of .mbox files (Thunderbird-like), with an index file to ignore
    folder = tmp_path / "tb"
    write(folder / "Inbox.mbox", msg("From: bob@y.org\nTo: ann@x.org\nMessage-ID: <1@y>"))
    write(folder / "Sent", msg("From: ann@x.org\nTo: bob@y.org\nMessage-ID: <2@x>"))
    write(folder / "Inbox.msf", b'// <!-- <mdb:mork:z v="1.4"/> -->')
    frame, report = read_email(folder, cache=False)
    assert frame[[S.FOLDER, S.IS_FROM_ME]].values.tolist() == [["Inbox", False], ["Sent", True]]
    assert [f.kind for f in report.files] == ["mbox", "mbox"]
    # a single message file, and a list mixing kinds
    # (the same message as Inbox.mbox's: same id and sender, no date of its own)
    eml = write(tmp_path / "x.eml", b"From: bob@y.org\nMessage-ID: <1@y>\n\n")
    frame, report = read_email([folder / "Inbox.mbox", eml], cache=False)
    assert len(frame) == 1 and report.files[1].skipped == {"duplicate Message-ID": 1}


def test_read_email_on_enron_tree_matches_read_eml():
    a, ra = read_email(FIXTURES / "enron", cache=False)
    b, rb = read_eml(FIXTURES / "enron", cache=False)
    pd.testing.assert_frame_equal(a, b)
    assert [f.kind for f in ra.files] == ["eml", "eml"] and str(ra) == str(rb)


def test_maildir_in_worker_processes_matches_serial(tmp_path, monkeypatch):
    root = make_maildir(tmp_path / "md")
    serial, _ = read_maildir(root, cache=False, workers=1)
    monkeypatch.setattr(E, "_FILES_PER_TASK", 1)
    parallel, report = read_maildir(root, cache=False, workers=2)
    pd.testing.assert_frame_equal(serial, parallel)
    assert report.read == 3


_WORKER_STARTED = E._worker_started


def _slow_exit_started() -> None:
    # a worker that takes a while to exit (its finalizers run as it stops)
    _WORKER_STARTED()
    multiprocessing.util.Finalize(None, time.sleep, args=(0.3,), exitpriority=0)


def test_a_read_in_a_daemonic_process_starts_no_worker():
    # a multiprocessing.Pool worker may not start processes ("daemonic processes are not allowed
    # to have children"): a read there runs in it, unless workers= asks otherwise
    with multiprocessing.Pool(1) as pool:
        assert pool.apply(E._n_workers, (None,)) == 1
        assert pool.apply(E._n_workers, (3,)) == 3
    assert E._n_workers(None) == max(1, min(2, os.cpu_count() or 1))


def test_no_worker_outlives_the_read(tmp_path, monkeypatch):
    # the workers are told to stop as the last result comes in, and waited for before the read
    # returns (they exit while the frame is built)
    blocks = [msg(f"From: p{i}@x.org\nMessage-ID: <{i}@x>", body="x\n" * 40) for i in range(60)]
    box = write(tmp_path / "p.mbox", b"".join(blocks))
    monkeypatch.setattr(E, "_MBOX_PARALLEL_BYTES", 1)
    monkeypatch.setattr(E, "_MBOX_TASK_BYTES", 500)
    monkeypatch.setattr(E, "_worker_started", _slow_exit_started)
    frame, _ = read_mbox(box, cache=False, workers=2)
    assert len(frame) == 60 and multiprocessing.active_children() == []


def _spool_folders() -> set[str]:
    roots = {"/dev/shm", tempfile.gettempdir()}
    return {str(p) for r in roots if os.path.isdir(r) for p in Path(r).glob("netanalytics-read-*")}


def _square(k: int) -> int:
    return k * k


def _text(k: int) -> str:
    return f"/not/a/spool/file/{k}"


def test_results_of_any_type_come_back_as_they_were():
    # (a result that is a string is not taken for the place of a spooled one)
    with E._run(_text, [(k,) for k in range(5)], 2, amounts=[1] * 5, unit="", desc="") as results:
        assert list(results) == [f"/not/a/spool/file/{k}" for k in range(5)]


def test_results_come_through_private_files_a_few_tasks_ahead(tmp_path, monkeypatch):
    # each worker's result is left in a file of a private folder; the pool gets tasks only a few
    # ahead of the result read, so files do not pile up when the caller is slow
    folder = tmp_path / "spool"
    monkeypatch.setattr(E, "_spool_folder", lambda: str(folder.mkdir(mode=0o700) or folder))
    seen = []
    with E._run(_square, [(k,) for k in range(12)], 2, amounts=[1] * 12, unit="", desc="") as results:
        for value in results:
            time.sleep(0.05)  # a slow caller: the workers have long finished what they were given
            waiting = list(folder.iterdir())
            assert all(p.stat().st_mode & 0o777 == 0o600 for p in waiting)
            seen.append((value, len(waiting)))
    assert [v for v, _ in seen] == [k * k for k in range(12)]
    assert max(n for _, n in seen) <= E._AHEAD * 2 - 1 and seen[0][1] == E._AHEAD * 2 - 1
    assert not folder.exists()  # removed when the block ends


def test_spool_folder_is_private_and_in_shared_memory_only_with_room(monkeypatch):
    folder = Path(E._spool_folder())
    try:
        assert folder.stat().st_mode & 0o777 == 0o700
        if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
            assert folder.parent == Path("/dev/shm")  # (this machine's has room)
    finally:
        folder.rmdir()
    monkeypatch.setattr(E, "_SPOOL_SHM_FREE", 1 << 60)  # a container's small /dev/shm
    folder = Path(E._spool_folder())
    folder.rmdir()
    assert folder.parent == Path(tempfile.gettempdir())


def test_results_come_through_the_pool_when_no_file_can_be_written(tmp_path, monkeypatch):
    # a folder that cannot take the files (here: gone; a full /dev/shm alike): nothing is lost
    blocks = [msg(f"From: p{i}@x.org\nMessage-ID: <{i}@x>", body="x\n" * 40) for i in range(60)]
    box = write(tmp_path / "p.mbox", b"".join(blocks))
    serial, _ = read_mbox(box, cache=False, workers=1)
    monkeypatch.setattr(E, "_MBOX_PARALLEL_BYTES", 1)
    monkeypatch.setattr(E, "_MBOX_TASK_BYTES", 500)
    monkeypatch.setattr(E, "_spool_folder", lambda: str(tmp_path / "no such folder"))
    parallel, report = read_mbox(box, cache=False, workers=2)
    pd.testing.assert_frame_equal(serial, parallel)
    assert report.read == 60 and not (tmp_path / "no such folder").exists()

    def no_folder():  # no writable temporary folder at all
        raise PermissionError(13, "Permission denied", "/tmp")

    monkeypatch.setattr(E, "_spool_folder", no_folder)
    parallel, report = read_mbox(box, cache=False, workers=2)
    pd.testing.assert_frame_equal(serial, parallel)


def test_spool_folders_of_killed_reads_are_removed(tmp_path, monkeypatch):
    # a read killed before it removed its folder leaves it behind; the next read removes it
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(E, "_SPOOL_SHM_FREE", 1 << 60)  # (the temporary folder, here tmp_path)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    orphan = tmp_path / f"netanalytics-read-{gone.stdout.strip()}-abc"
    running = tmp_path / f"netanalytics-read-{os.getpid()}-def"
    other = tmp_path / "netanalytics-read-notapid"
    for folder in (orphan, running, other):
        folder.mkdir()
        (folder / "0.pickle").write_bytes(b"headers")
    new = Path(E._spool_folder())
    assert not orphan.exists() and running.exists() and other.exists()
    assert new.parent == tmp_path and new.name.startswith(f"netanalytics-read-{os.getpid()}-")


def test_no_result_file_outlives_a_read(tmp_path, monkeypatch):
    before = _spool_folders()
    blocks = [msg(f"From: p{i}@x.org\nMessage-ID: <{i}@x>", body="x\n" * 40) for i in range(60)]
    box = write(tmp_path / "p.mbox", b"".join(blocks))
    monkeypatch.setattr(E, "_MBOX_PARALLEL_BYTES", 1)
    monkeypatch.setattr(E, "_MBOX_TASK_BYTES", 500)
    frame, _ = read_mbox(box, cache=False, workers=2)
    assert len(frame) == 60 and _spool_folders() == before


def test_workers_stop_when_the_caller_fails_midway(tmp_path, monkeypatch):
    from netanalytics.io import _mbox as M

    blocks = [msg(f"From: p{i}@x.org\nMessage-ID: <{i}@x>", body="x\n" * 40) for i in range(60)]
    box = write(tmp_path / "p.mbox", b"".join(blocks))
    monkeypatch.setattr(E, "_MBOX_PARALLEL_BYTES", 1)
    monkeypatch.setattr(E, "_MBOX_TASK_BYTES", 500)
    prepared = []
    prepare = M.prepare_parts

    def fail_on_the_third(parts, *a):
        if len(prepared) == 2:
            raise RuntimeError("stopped by the test")
        prepared.append(parts)
        return prepare(parts, *a)

    monkeypatch.setattr(M, "prepare_parts", fail_on_the_third)
    before = _spool_folders()
    with pytest.raises(RuntimeError, match="stopped by the test"):
        read_mbox(box, cache=False, workers=2)
    assert len(prepared) == 2 and multiprocessing.active_children() == []
    assert _spool_folders() == before  # the results not read were removed with their folder


def _gc_state(k: int) -> tuple[int, bool, bool]:
    from netanalytics.io import _mbox as M

    return k, gc.isenabled(), M._IN_READER_WORKER


def test_reader_workers_run_without_cyclic_gc_and_the_caller_keeps_it():
    # a task makes no reference cycles; the collector's walks of a worker's caches cost time.
    # A reader worker is marked as one: it keeps its caches and strings from task to task
    from netanalytics.io import _mbox as M

    with E._run(_gc_state, [(1,), (2,)], 2, amounts=[1, 1], unit="msg", desc="") as results:
        states = list(results)
    assert states == [
        (1, False, True),
        (2, False, True),
    ]
    assert gc.isenabled() and not M._IN_READER_WORKER


def _huge_pages_state(k: int) -> tuple[int, str | None]:
    """The process's THP_enabled flag (1: transparent huge pages allowed, 0: turned off by
    prctl), None where /proc does not show it (Linux before 5.0, other systems)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return k, None
    line = next((x for x in status.splitlines() if x.startswith("THP_enabled:")), None)
    return k, None if line is None else line.split()[1]


# the flag is shown in /proc/<pid>/status from Linux 5.0 on; elsewhere there is nothing to read
@pytest.mark.skipif(_huge_pages_state(0)[1] is None, reason="no THP_enabled line in /proc/self/status")
def test_reader_workers_run_without_transparent_huge_pages_and_the_caller_keeps_them():
    # Arrow's allocator asks for huge pages; a worker zeroing (and the kernel compacting) 2 MB
    # at a time cost it system time and memory
    with E._run(_huge_pages_state, [(1,), (2,)], 2, amounts=[1, 1], unit="msg", desc="") as results:
        states = list(results)
    assert states == [
        (1, "0"),
        (2, "0"),
    ]
    assert _huge_pages_state(0) == (0, "1")


def _read_twice(path: str) -> tuple[int, int]:
    first, _ = read_mbox(path, cache=False, workers=1)
    second, _ = read_mbox(path, cache=False, workers=1)
    return len(first), len(second)


def test_reads_in_a_process_of_the_callers_own_pool(tmp_path):
    """A process of the caller's own pool (not a reader worker) reads afresh each time: its
    table of strings is not carried from one read to the next."""
    import multiprocessing

    box = write(
        tmp_path / "box.mbox",
        b"".join(msg(f"From: a@z.org\nTo: b{i}@z.org\nMessage-ID: <{i}@z>") for i in range(5)),
    )
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(_read_twice, (str(box),)) == (5, 5)


def test_read_mbox_on_a_folder(tmp_path):
    with pytest.raises(FormatError, match="is a folder, not an mbox file"):
        read_mbox(tmp_path, cache=False)


def test_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope"):
        read_email(tmp_path / "nope", cache=False)


# --- cache ----------------------------------------------------------------------------------------------


def test_cache_round_trip_and_invalidation(tmp_path):
    box = tmp_path / "g.mbox"
    shutil.copy(FIXTURES / "gmail_takeout.mbox", box)
    cache_dir = tmp_path / "cache"
    f1, r1 = read_mbox(box, cache_dir=cache_dir)
    assert len(list(cache_dir.glob("*.parquet"))) == 1 and len(list(cache_dir.glob("*.json"))) == 1
    f2, r2 = read_mbox(box, cache_dir=cache_dir)
    pd.testing.assert_frame_equal(f1, f2)
    assert str(r1) == str(r2) and r1.files[0].notes == r2.files[0].notes
    assert r1.files[0].skipped == r2.files[0].skipped and r1.files[0].warnings == r2.files[0].warnings
    for col in (S.TO, S.CC, S.TO_NAMES, S.CC_NAMES, S.BCC, S.REFERENCES, S.LABELS):
        assert all(type(v) is list for v in f2[col])
    # the cache is really used: poison it and see the poison come back
    parquet = next(cache_dir.glob("*.parquet"))
    table = pq.read_table(parquet)
    poisoned = table.set_column(table.column_names.index(S.SUBJECT), S.SUBJECT, pa.array(["cached"] * 3))
    pq.write_table(poisoned, parquet)
    f3, _ = read_mbox(box, cache_dir=cache_dir)
    assert f3[S.SUBJECT].tolist() == ["cached"] * 3
    # changing the file invalidates it
    with open(box, "ab") as fh:
        fh.write(b"\n" + msg("From: new@x.org\nMessage-ID: <new@x>"))
    os.utime(box, ns=(os.stat(box).st_atime_ns, os.stat(box).st_mtime_ns + 10**9))
    f4, r4 = read_mbox(box, cache_dir=cache_dir)
    assert len(f4) == 4 and f4[S.SUBJECT].iloc[0] == "Quarterly plan" and r4.read == 5


def test_cache_off_writes_nothing_and_env_default(tmp_path, monkeypatch):
    monkeypatch.setenv("NETANALYTICS_CACHE", str(tmp_path / "envcache"))
    box = write(tmp_path / "a.mbox", msg("From: a@b.org\nMessage-ID: <1@b>"))
    read_mbox(box, cache=False)
    assert not (tmp_path / "envcache").exists()
    read_mbox(box)
    assert len(list((tmp_path / "envcache").glob("*.parquet"))) == 1


def test_maildir_cache_sees_new_files(tmp_path):
    root = make_maildir(tmp_path / "md")
    f1, _ = read_maildir(root, cache_dir=tmp_path / "c")
    write(root / "new" / "1700000009.M9.host", b"From: dee@w.org\nMessage-ID: <9@w>\n\n")
    f2, _ = read_maildir(root, cache_dir=tmp_path / "c")
    assert len(f2) == len(f1) + 1 and "9@w" in f2[S.MESSAGE_ID].tolist()


def test_progress_bar_reports_bytes_and_changes_nothing(capsys):
    path = FIXTURES / "gmail_takeout.mbox"
    quiet, _ = read_mbox(path, cache=False)
    capsys.readouterr()
    shown, _ = read_mbox(path, cache=False, progress=True)
    err = capsys.readouterr().err
    assert "gmail_takeout.mbox" in err and "B/s" in err
    pd.testing.assert_frame_equal(quiet, shown)


def test_a_repeated_message_id_is_a_duplicate_only_with_the_same_sender_and_date(tmp_path):
    d1 = "Date: Mon, 6 Jan 2025 10:00:00 +0000"
    d2 = "Date: Tue, 7 Jan 2025 10:00:00 +0000"
    box = write(
        tmp_path / "a.mbox",
        msg(f"From: a@b.org\nMessage-ID: <1@b>\n{d1}")
        + msg(f"From: a@b.org\nMessage-ID: <1@b>\n{d1}")  # the same message again
        + msg(f"From: c@d.org\nMessage-ID: <1@b>\n{d1}")  # another sender
        + msg(f"From: a@b.org\nMessage-ID: <1@b>\n{d2}"),  # another date
    )
    frame, report = read_mbox(box, cache=False)
    assert frame[[S.MESSAGE_ID, S.SENDER]].values.tolist() == [
        ["1@b", "a@b.org"],
        ["1@b#2", "c@d.org"],
        ["1@b#3", "a@b.org"],
    ]
    f = report.files[0]
    assert (f.read, f.kept, dict(f.skipped)) == (4, 3, {"duplicate Message-ID": 1})
    assert f.warnings == [
        "Message-ID <1@b> is on different messages (another sender or date): kept both, this one as <1@b#2>",
        "Message-ID <1@b> is on different messages (another sender or date): kept both, this one as <1@b#3>",
    ]


def test_spam_and_junk_are_skipped_trash_is_kept(tmp_path):
    takeout = write(
        tmp_path / "All mail Including Spam and Trash.mbox",
        msg("X-Gmail-Labels: Inbox\nFrom: a@b.org\nTo: me@m.org\nMessage-ID: <1@b>")
        + msg("X-Gmail-Labels: Spam\nFrom: win@prize.test\nTo: me@m.org\nMessage-ID: <2@p>")
        + msg(
            "X-Gmail-Labels: =?UTF-8?Q?Spam?=,Unread\nFrom: cash@prize.test\nTo: me@m.org\nMessage-ID: <3@p>"
        )
        + msg("X-Gmail-Labels: Trash,Opened\nFrom: c@d.org\nTo: me@m.org\nMessage-ID: <4@d>"),
    )
    frame, report = read_mbox(takeout, cache=False)
    assert frame[S.SENDER].tolist() == ["a@b.org", "c@d.org"]
    assert frame[S.LABELS].tolist() == [["Inbox"], ["Trash", "Opened"]]
    assert dict(report.files[0].skipped) == {"spam (Gmail Spam label)": 2}
    # a Maildir++ junk folder and an Apple Mail / Thunderbird Junk.mbox
    root = make_maildir(tmp_path / "md")
    write(root / ".Junk" / "cur" / "1700000009.M9.host:2,S", b"From: win@prize.test\nTo: ann@x.org\n\nbody\n")
    frame, report = read_maildir(root, cache=False)
    assert [
        (Path(f.path).name, f.read, f.kept, dict(f.skipped)) for f in report.files if f.read != f.kept
    ] == [(".Junk", 1, 0, {"spam or junk folder": 1})]
    junk = write(tmp_path / "Junk.mbox", msg("From: win@prize.test\nTo: me@m.org\nMessage-ID: <5@p>"))
    frame, report = read_mbox(junk, cache=False)
    assert len(frame) == 0 and dict(report.files[0].skipped) == {"spam or junk folder": 1}


def test_bcc_is_read_from_maildir_and_eml_and_cached(tmp_path):
    sent = b"From: Ann <ann@x.org>\nBcc: Bob <Bob@Y.org>,\n cy@z.org\nMessage-ID: <s1@x>\nDate: Mon, 6 Jan 2025 10:00:00 +0000\n\nx\n"
    root = make_maildir(tmp_path / "md")
    write(root / ".Sent" / "cur" / "1700000009.M9.host:2,S", sent)
    frame, _ = read_maildir(root, cache=False)
    by_id = frame.set_index(S.MESSAGE_ID)[S.BCC]
    assert by_id["s1@x"] == ["bob@y.org", "cy@z.org"]
    assert (by_id.drop("s1@x").map(len) == 0).all()
    eml = write(tmp_path / "e" / "s1.eml", sent)
    cache_dir = tmp_path / "cache"
    first, _ = read_eml(eml, cache_dir=cache_dir)
    again, _ = read_eml(eml, cache_dir=cache_dir)
    assert first[S.BCC].tolist() == again[S.BCC].tolist() == [["bob@y.org", "cy@z.org"]]
    assert type(again[S.BCC].iloc[0]) is list


def test_duplicates_across_worker_parts_are_dropped_as_on_the_whole_frame(tmp_path):
    # three worker parts: a copy of a message in a later part (dropped; its Sent label goes to
    # the row kept), an id reused by another sender twice (kept as "#2", "#3"), plain messages
    from netanalytics.io import _mbox as M

    def part(headers: list[str]) -> dict:
        box = write(tmp_path / "p.mbox", b"".join(msg(h) for h in headers))
        return M.parse_mbox_range(str(box), 0, box.stat().st_size, "box", "mbox", "box.mbox")

    date = "Date: Mon, 6 Jan 2025 10:00:00 +0000"
    results = [
        part([f"From: a@b.org\nMessage-ID: <1@b>\n{date}", f"From: c@b.org\nMessage-ID: <2@b>\n{date}"]),
        part(
            [
                f"From: a@b.org\nMessage-ID: <1@b>\n{date}\nX-Gmail-Labels: Sent",
                f"From: d@b.org\nMessage-ID: <2@b>\n{date}",
                f"From: e@b.org\nMessage-ID: <3@b>\n{date}",
            ]
        ),
        part([f"From: f@b.org\nMessage-ID: <2@b>\n{date}", f"From: a@b.org\nMessage-ID: <1@b>\n{date}"]),
    ]
    assert M.id_hashes([r["parts"] for r in results]) is not None  # the hashed route is taken
    frame, report = E.combine_parts(results, "box.mbox", "mbox")
    assert frame[S.MESSAGE_ID].tolist() == ["1@b", "2@b", "2@b#2", "3@b", "2@b#3"]
    assert frame[S.SENDER].tolist() == ["a@b.org", "c@b.org", "d@b.org", "e@b.org", "f@b.org"]
    assert frame[M.SENT_LABEL].tolist() == [True, False, False, False, False]
    assert (report.kept, dict(report.skipped)) == (5, {"duplicate Message-ID": 2})
    assert report.warnings == [
        "Message-ID <2@b> is on different messages (another sender or date): kept both, this one as <2@b#2>",
        "Message-ID <2@b> is on different messages (another sender or date): kept both, this one as <2@b#3>",
    ]
    # the same as dropping them from the frame of every row (the route for several files)
    whole = M.frame_from_parts([M.prepare_parts(r["parts"]) for r in results])
    expected, n_dup, _ = E.drop_duplicate_messages(whole)
    assert n_dup == 2
    pd.testing.assert_frame_equal(frame, expected)
    assert frame[S.MESSAGE_ID].dtype == whole[S.MESSAGE_ID].dtype


def test_tasks_are_sized_by_their_header_blocks(tmp_path, monkeypatch):
    # 200 messages of exactly 1,000 bytes, 100 of them the header block: a 3,000-byte sample
    # starting at a message holds 3 messages, 300 header bytes
    header = b"\nTo: x@y.org\nSubject: " + b"s" * 77 + b"\n"
    message = b"From a@b Mon Jan  6 10:00:00 2025" + header + b"\n" + b"x" * 864 + b"\n\n"
    assert (len(header), len(message)) == (100, 1000)
    box = write(tmp_path / "sized.mbox", message * 200)
    monkeypatch.setattr(E, "_MBOX_SAMPLE_BYTES", 3000)
    monkeypatch.setattr(E, "_MBOX_TASK_HEADER_BYTES", 1000)
    monkeypatch.setattr(E, "_MBOX_TASK_MIN_BYTES", 2000)
    monkeypatch.setattr(E, "_MBOX_TASK_BYTES", 50_000)
    with open(box, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        assert E._task_bytes(mm, 0, len(mm)) == 10_000  # 1,000 header bytes in 10,000 bytes of mail
        monkeypatch.setattr(E, "_MBOX_TASK_BYTES", 5000)
        assert E._task_bytes(mm, 0, len(mm)) == 5000
        monkeypatch.setattr(E, "_MBOX_TASK_MIN_BYTES", 20_000)
        monkeypatch.setattr(E, "_MBOX_TASK_BYTES", 50_000)
        assert E._task_bytes(mm, 0, len(mm)) == 20_000
