"""Property-based tests: mangled mbox files and message files never break the email readers."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io import _mbox as M
from netanalytics.io import email as E
from netanalytics.io import read_eml, read_mbox

FIXTURE = (Path(__file__).parent / "fixtures" / "email" / "gmail_takeout.mbox").read_bytes()

BASE = FIXTURE + b"".join(
    b"From - Tue Jan  7 1%d:00:00 2025\nFrom: =?UTF-8?Q?P=C3=A9r_%d?= <p%d@x.org>, other@y.org\n"
    b'To: undisclosed recipients: ;\nCc: , "a@b" <q@y.org>,\nDate: Tue, 7 Jan 2025 59:10 +0000\n'
    b"References: <r%d@x>\n <unterminated\nSubject: \xff\xfe raw bytes\n\nFrom the body\n\n" % (i, i, i, i)
    for i in range(4)
)

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(frame: pd.DataFrame, report) -> None:
    S.validate(frame, S.MESSAGES)
    assert report.read == report.kept + report.skipped
    assert len(frame) == report.kept
    assert frame[S.MESSAGE_ID].is_unique
    assert (frame[S.N_RECIPIENTS] == frame[S.TO].map(len) + frame[S.CC].map(len)).all()


def read_bytes_as_mbox(data: bytes, **kw):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.mbox"
        path.write_bytes(data)
        try:
            return read_mbox(path, cache=False, **kw)
        except FormatError:
            return None


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, len(BASE) - 1), st.integers(0, 255)),
    st.tuples(st.just("truncate"), st.integers(0, len(BASE)), st.just(0)),
    st.tuples(st.just("from_line"), st.integers(0, len(BASE)), st.sampled_from([0, 1, 2])),
    st.tuples(st.just("crlf"), st.integers(0, len(BASE)), st.integers(1, 2000)),
)

FROM_LINES = [b"\nFrom - Mon Jan  6 10:00:00 2025\n", b"\n\nFrom x Mon Jan  6 10:00:00 2025\n", b"From \n"]


def mutate(data: bytes, ops) -> bytes:
    for kind, pos, arg in ops:
        pos = min(pos, len(data))
        if kind == "flip" and data:
            pos = min(pos, len(data) - 1)
            data = data[:pos] + bytes([arg]) + data[pos + 1 :]
        elif kind == "truncate":
            data = data[:pos]
        elif kind == "from_line":
            data = data[:pos] + FROM_LINES[arg] + data[pos:]
        elif kind == "crlf":
            data = data[:pos] + data[pos : pos + arg].replace(b"\n", b"\r\n") + data[pos + arg :]
    return data


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=6))
def test_mutated_mbox_never_raises_and_accounts_for_everything(ops):
    result = read_bytes_as_mbox(mutate(BASE, ops))
    if result is not None:
        check(*result)


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_after_a_from_line(data):
    result = read_bytes_as_mbox(b"From - Mon Jan  6 10:00:00 2025\n" + data)
    assert result is not None  # a valid first line: never a FormatError
    check(*result)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=4))
def test_parallel_split_points_agree_with_serial(ops):
    data = mutate(BASE, ops)
    serial = read_bytes_as_mbox(data, workers=1)
    saved = E._MBOX_PARALLEL_BYTES, E._MBOX_TASK_BYTES
    E._MBOX_PARALLEL_BYTES, E._MBOX_TASK_BYTES = 1, 300
    try:
        split = read_bytes_as_mbox(data, workers=3)
    finally:
        E._MBOX_PARALLEL_BYTES, E._MBOX_TASK_BYTES = saved
    assert (serial is None) == (split is None)
    if serial is not None:
        pd.testing.assert_frame_equal(
            serial[0].drop(columns=S.SOURCE_FILE), split[0].drop(columns=S.SOURCE_FILE)
        )
        assert serial[1].read == split[1].read


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=4), st.integers(1, 2000), st.integers(1, 6))
def test_ranges_parsed_in_groups_agree_with_one_group(ops, piece, messages):
    # a worker parses its range in groups of whole pieces (mbox_block_groups): any cut gives
    # the frame and the report of one group
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.mbox"
        path.write_bytes(mutate(BASE, ops))
        try:
            whole = read_mbox(path, cache=False, workers=1)
        except FormatError:
            return
        saved = M._PIECE_BYTES, M._GROUP_HEADER_BYTES, M._GROUP_MESSAGES
        M._PIECE_BYTES, M._GROUP_HEADER_BYTES, M._GROUP_MESSAGES = piece, 1 << 30, messages
        try:
            grouped = read_mbox(path, cache=False, workers=1)
        finally:
            M._PIECE_BYTES, M._GROUP_HEADER_BYTES, M._GROUP_MESSAGES = saved
    pd.testing.assert_frame_equal(whole[0], grouped[0])
    (a,), (b,) = whole[1].files, grouped[1].files
    assert (a.read, a.skipped, a.notes, a.warnings) == (b.read, b.skipped, b.notes, b.warnings)


header_line = st.one_of(
    st.binary(max_size=80),
    st.sampled_from(
        [
            b"From",
            b"To",
            b"Cc",
            b"Date",
            b"Message-ID",
            b"References",
            b"In-Reply-To",
            b"Subject",
            b"X-Gmail-Labels",
            b"Reply-To",
            b"List-Id",
            b"X-Original-From",
        ]
    ).flatmap(lambda name: st.binary(max_size=60).map(lambda v: name + b": " + v)),
)


@FUZZ
@given(st.lists(st.lists(header_line, max_size=10), min_size=1, max_size=4))
def test_message_files_with_garbage_headers(messages):
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, lines in enumerate(messages):
            path = Path(tmp) / f"{i}.eml"
            path.write_bytes(b"\n".join(lines) + b"\n\nbody\n")
            paths.append(path)
        frame, report = read_eml(paths, cache=False)
    check(frame, report)
    assert report.read == len(messages)
