"""The mbox scanner (C-level searches for separators and header ends, windows without a ``From``
line start skipped) finds exactly the messages one ``finditer`` of the line-by-line regular
expression below finds over the range: the scanner's rule before it was rewritten.

The windows are made tiny here (32 bytes, 256-byte steps) so that separators, From_ lines and
header blocks fall across window, run and step boundaries in small inputs; each such test runs
with every step pre-scanned and with the steps after a busy one searched whole, and again with
the C scan of ``netanalytics.io._speedups`` (which searches every byte, with no pre-scan).
"""

from __future__ import annotations

import mmap
import re
import tempfile
from operator import itemgetter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netanalytics.io import _mbox as M
from netanalytics.io import _native

SCAN = settings(
    max_examples=150,
    deadline=None,
    # the fixture only sets constants, the same for every example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


# The next separator (a dated From_ line after a blank line), its From_ line, and the header
# lines up to the first blank line, walked line by line; group 3 matches (empty) when no blank
# line or end of range follows the header lines: a partial last line.
MESSAGE = re.compile(
    rb"\n(From (?:(?<=\n\nFrom )|(?<=\n\r\nFrom ))"
    + M.FROM_LINE.pattern[len(b"From ") :]
    + rb"[^\n]*+)(\n(?:[^\r\n][^\n]*+\n|\r[^\n]++\n)*+)?"
    + rb"(?:(?=\n|\r\n|\Z)|())"
)


def reference(mm, start: int, end: int) -> tuple[list, list, list, list]:
    found = list(MESSAGE.finditer(mm, start, end))
    return (
        list(map(itemgetter(2), found)),
        list(map(itemgetter(1), found)),
        [m.start() for m in found],
        list(map(itemgetter(3), found)),
    )


@pytest.fixture(params=[0, 3, "C"], ids=["prescan-every-step", "whole-steps-after-a-busy-one", "C"])
def tiny_windows(monkeypatch, request):
    """Tiny windows for the Python scan (both ways of searching a step), or the C scan."""
    if request.param == "C":
        request.getfixturevalue("speedups")
    else:
        monkeypatch.setattr(_native, "SPEEDUPS", None)
        monkeypatch.setattr(M, "_WHOLE_STEPS", request.param)
    monkeypatch.setattr(M, "_WINDOW", 32)
    monkeypatch.setattr(M, "_SCAN_STEP", 256)
    monkeypatch.setattr(M, "_whole_left", 0)  # nothing carried from the scans before
    # headers longer than 64 bytes take the line-by-line rule of _header_end
    monkeypatch.setattr(M, "_FAST_HEADER", 64)


def scan_both(data: bytes, start: int = 0, end: int | None = None):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scan.mbox"
        path.write_bytes(data)
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            end = len(mm) if end is None else end
            return M._scan(mm, start, end), reference(mm, start, end)


def message(i: int, body_lines: int, header_pad: int, long_from: int, crlf: bool) -> bytes:
    nl = b"\r\n" if crlf else b"\n"
    lines = [
        b"From sender%d@x.org%s Mon Jan  6 10:%02d:00 2025" % (i, b"x" * long_from, i % 60),
        b"From: P %d <p%d@x.org>" % (i, i),
        b"Subject: s" + b"s" * header_pad,
        b"Message-ID: <%d@x.org>" % i,
        b"",
    ]
    body = [b"line %d of the body, From here on" % k for k in range(body_lines)]
    if body_lines % 3 == 1:
        body.append(b"From the body: not a separator, no date")
    return nl.join(lines + body) + nl + nl


@SCAN
@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 90), st.integers(0, 70), st.booleans()),
        min_size=1,
        max_size=12,
    ),
    st.data(),
)
def test_scan_finds_what_one_finditer_finds(tiny_windows, shapes, data):
    mbox = b"".join(message(i, *shape) for i, shape in enumerate(shapes))
    start = 0
    end = data.draw(st.integers(1, len(mbox)), label="end")
    ours, plain = scan_both(mbox, start, end)
    assert ours == plain


@SCAN
@given(st.binary(min_size=0, max_size=600), st.lists(st.integers(0, 600), max_size=8))
def test_scan_on_arbitrary_bytes(tiny_windows, noise, cuts):
    # separators spliced into random bytes at random places, some right at window seams
    data = noise
    for c in sorted(cuts, reverse=True):
        c = min(c, len(data))
        data = data[:c] + b"\n\nFrom a@b Mon Jan  6 10:00:00 2025\nTo: x\n\n" + data[c:]
    ours, plain = scan_both(b"From a@b Mon Jan  6 10:00:00 2025\n\n" + data)
    assert ours == plain


def test_separator_across_a_window_seam(tiny_windows):
    # "\nFrom " starting 3 bytes before the 64-byte boundary, the windows around it idle
    head = b"From a@b Mon Jan  6 10:00:00 2025\nTo: x\n\n"
    pad = b"y" * (64 - 3 - len(head) - 1) + b"\n"
    second = b"\nFrom c@d Tue Jan  7 11:00:00 2025\nTo: z\nSubject: seam\n\n" + b"z" * 300 + b"\n"
    data = head + pad + second
    assert data.index(b"\nFrom c@d") == 61
    ours, plain = scan_both(data)
    assert ours == plain
    assert ours[1] == [b"From c@d Tue Jan  7 11:00:00 2025"]
    assert ours[0] == [b"\nTo: z\nSubject: seam\n"]


def test_header_running_past_its_run(tiny_windows):
    # the second message's header is far longer than a window and the windows it covers
    # hold no "\nFrom ": its match must not stop where the busy run ends
    long_header = b"".join(b"X-Pad-%d: %s\n" % (k, b"q" * 40) for k in range(30))
    data = (
        b"From a@b Mon Jan  6 10:00:00 2025\nTo: x\n\nhello\n"
        b"\nFrom c@d Tue Jan  7 11:00:00 2025\nTo: z\n" + long_header + b"Subject: end\n\nbody\n"
    )
    ours, plain = scan_both(data)
    assert ours == plain
    assert ours[0][0].endswith(b"Subject: end\n")


def test_from_line_running_past_its_run(tiny_windows):
    # a From_ line longer than several windows: the date is found only past the run's end
    data = (
        b"From a@b Mon Jan  6 10:00:00 2025\nTo: x\n\nhello\n"
        b"\nFrom " + b"c" * 200 + b"@d Tue Jan  7 11:00:00 2025\nTo: z\n\nbody\n"
    )
    ours, plain = scan_both(data)
    assert ours == plain
    assert len(ours[0]) == 1


def test_range_over_several_steps_default_windows(route):
    # real window sizes: 600 messages with 40 KB attachment-like bodies (over two 16 MB steps)
    body = (b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo" * 2 + b"\n") * 570
    data = b"".join(
        b"From s%d@x Mon Jan  6 10:00:00 2025\nFrom: s%d@x\nMessage-ID: <%d@x>\n\n%s\n" % (i, i, i, body)
        for i in range(900)
    )
    assert len(data) > 2 * M._SCAN_STEP
    ours, plain = scan_both(data)
    assert ours == plain
    assert len(ours[0]) == 899  # the first message starts the range: found by the caller


# pieces of awkward mbox text: CRLF and LF lines, escaped and unescaped "From " lines in
# bodies, lines starting with a carriage return, lone carriage returns, no final newline
PIECES = [
    b"From a@b Mon Jan  6 10:00:00 2025\n",
    b"From a@b Mon Jan  6 10:00:00 2025\r\n",
    b"From c@d Tue Jan  7 11:00:00 2025",
    b"From - Thu Jun 30 12:31:44 +0000 2016\n",
    b"From the body, no date\n",
    b">From a@b Mon Jan  6 10:00:00 2025\n",
    b"To: x\n",
    b"To: x\r\n",
    b"Subject: a longer header line that makes the header pass the fast limit\n",
    b"\n",
    b"\r\n",
    b"\r",
    b"\rX-Odd: y\n",
    b"\rX-Odd: y\r\n",
    b"\r\r\n",
    b"body text",
]


@SCAN
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.data())
def test_scan_on_awkward_pieces(tiny_windows, pieces, data):
    mbox = b"From a@b Mon Jan  6 10:00:00 2025\n" + b"".join(pieces)
    end = data.draw(st.integers(1, len(mbox)), label="end")
    ours, plain = scan_both(mbox, 0, end)
    assert ours == plain


SEP = b"From a@b Mon Jan  6 10:00:00 2025"


@pytest.mark.parametrize(
    ("second", "blocks", "from_lines", "odd"),
    [
        pytest.param(
            b"\r\n" + SEP + b"\r\nTo: x\r\nSubject: y\r\n\r\nbody\r\n",
            [b"\nTo: x\r\nSubject: y\r\n"],
            [SEP + b"\r"],
            [None],
            id="crlf",
        ),
        pytest.param(
            b"\r\n" + SEP + b"\r\nTo: x\r\n\r\nbody\n\nmore body\r\n",
            [b"\nTo: x\r\n"],
            [SEP + b"\r"],
            [None],
            id="crlf-header-then-an-lf-empty-line-in-the-body",
        ),
        pytest.param(
            b"\n>" + SEP + b"\nTo: x\n\nbody\n",
            [],
            [],
            [],
            id="escaped-from-is-no-separator",
        ),
        pytest.param(
            b"text\n" + SEP + b"\nTo: x\n\nbody\n",
            [],
            [],
            [],
            id="from-in-body-without-blank-line-before",
        ),
        pytest.param(
            b"\n" + SEP + b"\n\n" + SEP + b"\nTo: z\n\n",
            [b"\n", b"\nTo: z\n"],
            [SEP, SEP],
            [None, None],
            id="from-line-with-no-header",
        ),
        pytest.param(
            b"\n" + SEP + b"\nTo: x\nSubject: cut sho",
            [b"\nTo: x\n"],
            [SEP],
            [b""],
            id="file-ends-inside-a-header-line",
        ),
        pytest.param(
            b"\n" + SEP + b"\nTo: x\n",
            [b"\nTo: x\n"],
            [SEP],
            [None],
            id="file-ends-after-the-header",
        ),
        pytest.param(b"\n" + SEP, [None], [SEP], [None], id="file-ends-in-the-from-line"),
        pytest.param(
            b"\n" + SEP + b"\nTo: x\n\rX-Odd: 1\nSubject: s\n\nbody",
            [b"\nTo: x\n\rX-Odd: 1\nSubject: s\n"],
            [SEP],
            [None],
            id="header-line-starting-with-cr",
        ),
    ],
)
def test_awkward_messages(route, second, blocks, from_lines, odd):
    ours, plain = scan_both(SEP + b"\nTo: first\n\nbody\n" + second)
    assert ours == plain
    assert (ours[0], ours[1], ours[3]) == (blocks, from_lines, odd)


@pytest.mark.parametrize("shift", [-7, -6, -5, -1, 0, 1])
def test_message_at_a_default_window_seam(route, shift):
    # the "\nFrom " of the second message starts around the first 16 KB seam, real window sizes
    head = SEP + b"\nTo: x\n\n"
    pad = (b"y" * 99 + b"\n") * 200
    pad = pad[: M._WINDOW + shift - len(head) - 1] + b"\n"
    data = head + pad + b"\n" + SEP + b"\nTo: seam\n\n" + b"z\n" * 20000
    assert data.index(b"\n" + SEP) == M._WINDOW + shift
    ours, plain = scan_both(data)
    assert ours == plain
    assert ours[0] == [b"\nTo: seam\n"]
    assert ours[2] == [M._WINDOW + shift]


# --- a worker's range in groups of pieces (mbox_block_groups) --------------------------------------


def groups_and_whole(data: bytes, monkeypatch, piece: int, header_bytes: int, messages: int):
    monkeypatch.setattr(M, "_PIECE_BYTES", piece)
    monkeypatch.setattr(M, "_GROUP_HEADER_BYTES", header_bytes)
    monkeypatch.setattr(M, "_GROUP_MESSAGES", messages)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "groups.mbox"
        path.write_bytes(data)
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            start = M.check_mbox_start(mm, str(path))
            groups = [tuple(map(list, g)) for g in M.mbox_block_groups(mm, start, len(mm))]
            return groups, M.mbox_blocks(mm, start, len(mm))


def joined(groups: list[tuple]) -> tuple[list, list, list]:
    return tuple([x for g in groups for x in g[k]] for k in range(3))


@SCAN
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.integers(1, 400), st.integers(1, 200))
def test_groups_join_to_the_whole_range(tiny_windows, monkeypatch, pieces, piece, header_bytes):
    # awkward pieces (CRLF, "From " in bodies, odd header stops, no final newline) cut anywhere
    mbox = SEP + b"\n" + b"".join(pieces)
    groups, whole = groups_and_whole(mbox, monkeypatch, piece, header_bytes, 10**9)
    assert joined(groups) == whole
    assert all(g[0] for g in groups)  # no empty group


def test_groups_are_whole_pieces_up_to_the_limits(monkeypatch):
    # 20 messages of 66 bytes, 26 of them the header block; 100-byte pieces hold 2 messages
    data = b"".join(SEP + b"\nTo: m%02d@x.org\nSubject: s\n\nbody\n\n" % i for i in range(20))
    groups, whole = groups_and_whole(data, monkeypatch, 100, 60, 10**9)
    assert joined(groups) == whole
    assert [len(g[0]) for g in groups] == [4] * 5  # a piece's 52 header bytes: under 60, one more
    groups, _ = groups_and_whole(data, monkeypatch, 100, 10**9, 5)
    assert [len(g[0]) for g in groups] == [6, 6, 6, 2]  # the piece that reaches 5 messages joins
    groups, _ = groups_and_whole(data, monkeypatch, 10**9, 1, 1)
    assert [len(g[0]) for g in groups] == [20]  # one piece: one group, whatever the limits
    # a rest shorter than two pieces is the last piece: 3 messages, not a piece of 2 and one of 1
    groups, whole = groups_and_whole(data + data[:66], monkeypatch, 100, 1, 1)
    assert joined(groups) == whole
    assert [len(g[0]) for g in groups] == [2] * 9 + [3]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(SEP, id="a-from-line-alone"),
        pytest.param(SEP + b"\nTo: x", id="one-message-without-newline"),
        pytest.param(
            SEP + b"\nTo: x\n\nbody\n\n" + SEP + b"\nTo: y\n\nno final newline", id="last-no-newline"
        ),
        pytest.param(SEP + b"\nTo: x\n\n" + b"body\n" * 50 + b"\n" + SEP + b"\nTo: y\nSubj", id="cut-header"),
    ],
)
@pytest.mark.parametrize("piece", [1, 7, 40, 10**6])
def test_groups_of_tiny_files(monkeypatch, data, piece):
    groups, whole = groups_and_whole(data, monkeypatch, piece, 1, 1)
    assert joined(groups) == whole


def test_pages_are_dropped_from_page_boundaries():
    # madvise takes a page-aligned start: an unaligned low mark (a range starts anywhere) is
    # rounded down, else the kernel refuses and the pages stay resident
    calls = []

    class Mapping:
        def madvise(self, option, start, length):
            if start % mmap.PAGESIZE:
                raise OSError(22, "Invalid argument")
            calls.append((option, start, length))

    page = mmap.PAGESIZE
    assert M._drop_pages(Mapping(), 3 * page + 100, 7 * page + 5) == 7 * page
    assert calls == [(mmap.MADV_DONTNEED, 3 * page, 4 * page)]
    assert M._drop_pages(Mapping(), 7 * page, 7 * page + 5) == 7 * page  # less than a page: nothing
    assert len(calls) == 1


def test_scan_drops_pages_inside_a_long_run(python_route, monkeypatch):
    # 50 messages of ~1 KB whose bodies hold a "From " line in every 32-byte window: the windows
    # are busy, and the runs long
    monkeypatch.setattr(M, "_WINDOW", 32)
    monkeypatch.setattr(M, "_SCAN_STEP", 4096)
    drops = []
    real = M._drop_pages

    def recorded(mm, dropped, upto):
        drops.append((dropped, upto))
        return real(mm, dropped, upto)

    monkeypatch.setattr(M, "_drop_pages", recorded)
    body = b"From the body\n" * 80
    data = b"".join(SEP + b"\nTo: x%d\n\n" % i + body + b"\n" for i in range(50))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.mbox"
        path.write_bytes(data)
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            runs = list(M._busy_runs(mm, 0, len(mm)))
            drops.clear()
            found = M._scan(mm, 0, len(mm))
    assert len(found[0]) == 49
    assert max(b - a for a, b in runs) > 4 * 4096  # runs over several steps ...
    assert len(drops) >= len(data) // 4096 - 2  # ... whose pages are dropped as the scan passes them
    page = mmap.PAGESIZE  # each drop starts where the last one stopped
    assert all(b == a // page * page for (_, a), (b, _) in zip(drops, drops[1:], strict=False))


def test_whole_steps_carry_over_to_the_next_scan(python_route, monkeypatch):
    # every 32-byte window holds a "From " line: a busy step, then three searched whole, and
    # that countdown goes on in the next call (the next piece or range of a worker)
    monkeypatch.setattr(M, "_WINDOW", 32)
    monkeypatch.setattr(M, "_SCAN_STEP", 256)
    monkeypatch.setattr(M, "_WHOLE_STEPS", 3)
    monkeypatch.setattr(M, "_whole_left", 0)
    prescans = []
    real = M._busy_windows

    def counted(mm, data, offsets):
        prescans.append(int(offsets[0]))
        return real(mm, data, offsets)

    monkeypatch.setattr(M, "_busy_windows", counted)
    body = b"From the body\n" * 4
    data = b"".join(SEP + b"\nTo: x%d\n\n" % i + body + b"\n" for i in range(20))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "busy.mbox"
        path.write_bytes(data)
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            cut = M.align(mm, 5 * 256 + 10, len(mm))  # two ranges: 6 steps, then the rest
            first = M._scan(mm, 0, cut)
            assert prescans == [0, 4 * 256]  # steps 0 and 4 pre-scanned, 1-3 and 5 searched whole
            assert M._whole_left == 2  # two more whole steps owed after step 5 ...
            prescans.clear()
            second = M._scan(mm, cut, len(mm))
            assert prescans and prescans[0] == cut + 2 * 256  # ... paid by the next range
            expected = reference(mm, 0, cut), reference(mm, cut, len(mm))
    assert (first, second) == expected  # the same messages whichever way a step is searched
    assert len(first[0]) + len(second[0]) == 18  # all but the message at 0 and the one at cut


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads the resident set from /proc (Linux)")
def test_forget_pages_gives_back_what_a_look_at_the_mapping_took(tmp_path):
    # the page cache may map a file up to 2 MB at a time around one byte looked at (large
    # folios): forget_pages around that byte gives the process's resident set back
    def resident_pages() -> int:
        return int(Path("/proc/self/statm").read_text().split()[1])

    path = tmp_path / "big.mbox"
    # written 1 MB at a time: Linux 6.x caches it in 1 MB folios, mapped page by page, and one
    # look at a byte maps the whole folio (256 pages); a page-sized drop left 255 of them
    with open(path, "wb") as fh:
        for _ in range(24):
            fh.write(b"x" * (1 << 20))
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        before = resident_pages()
        total = sum(mm[k] for k in range(0, len(mm), mmap.PAGESIZE))  # every page looked at
        assert total == ord("x") * (len(mm) // mmap.PAGESIZE)
        assert resident_pages() - before >= (20 << 20) // mmap.PAGESIZE
        M.forget_pages(mm, 0, len(mm))
        assert resident_pages() - before < 64
        for at in (5, (3 << 20) + 17, len(mm) - 1):  # one byte, then the pages around it
            assert mm[at] == ord("x")
            M.forget_pages(mm, at, at + 1)
            assert resident_pages() - before < 64  # (page by page, up to 2 MB stayed mapped)


def test_the_first_message_of_a_range_stops_its_header_as_the_others_do(monkeypatch):
    # found by hypothesis: a From_ line followed by a CRLF empty line and an LF one. The first
    # message of a range (the slow rule, _header_block) ran its header to the "\n\n" after the
    # "\r\n" line; the scan stops at the "\r\n" line, as for every later message
    mbox = SEP + b"\n\nFrom a@b Mon Jan  6 10:00:00 2025\n\r\n\n"
    groups, whole = groups_and_whole(mbox, monkeypatch, 1, 1, 10**9)
    assert whole[0] == [b"\n", b"\n"]
    assert joined(groups) == whole


# From_ lines built from the pieces of FROM_LINE (each piece right, or one time in eight one of
# its near misses): every optional group present or not, blanks of spaces and tabs, digits one
# too few or too many, words of the wrong case or length, and the line cut anywhere (the range's end)
_PIECES = {  # name: (right, near misses)
    "head": ([b"From "], [b"From", b"from ", b">From ", b"From\t"]),
    "sender": ([b"", b"-", b"ann@x.org", b"MAILER-DAEMON", b"\xff\xfe"], [b"a\x0bb", b"a\rb", b"a b"]),
    "blank": ([b" ", b"  ", b"\t", b" \t "], [b"", b"\n", b"\x0c"]),
    "weekday": ([b"", b"Mon", b"Mon,"], [b"mon", b"MON", b"Mo", b"Mond", b"Mon,,"]),
    "month": ([b"Jan", b"Dec"], [b"jan", b"JAN", b"Ja", b"Janu", b"J4n"]),
    "day": ([b"6", b"06"], [b"", b"123", b"x"]),
    "time": ([b"10:00", b"10:00:00", b"1:00"], [b"10:0", b"10:00:0", b"100:00", b"10:00:00:00", b"10.00"]),
    "zone": (
        [b"", b"+0000", b"-0800", b"UTC", b"GMT", b"CEST", b"ABCDE"],
        [b"ABCDEF", b"A", b"+000", b"+00000", b"utc"],
    ),
    "year": ([b"2025", b"20250"], [b"202", b"25", b"", b"2O25"]),
    "rest": ([b"", b"\n", b" remote from x"], [b"0"]),
}


@st.composite
def _from_lines(draw):
    def piece(name: str) -> bytes:
        right, near = _PIECES[name]
        return draw(st.sampled_from(near if draw(st.integers(0, 7)) == 0 else right))

    line = piece("head") + piece("sender") + piece("blank")
    for name in ("weekday", "month", "day", "time", "zone", "year"):
        value = piece(name)
        if value or name not in ("weekday", "zone"):
            line += value + (piece("blank") if name != "year" else b"")
    line += piece("rest")
    cut = len(line) if draw(st.booleans()) else draw(st.integers(0, len(line)))  # where the range ends
    return draw(st.binary(max_size=3)) + line, cut


def _checked_places(data: bytes, cut: int) -> tuple[int, int]:
    """Where the line starts (after the random bytes before it) and the range's end."""
    start = next((k for k in range(len(data)) if data[k:].startswith((b"From", b"from", b">"))), 0)
    return start, min(start + cut, len(data))


@pytest.mark.parametrize("line", [b"From - Mon Jan  6 10:00:00 2025", b"From ann@x.org Jan 6 1:00 UTC 2025"])
def test_the_c_from_line_rule_matches_a_dated_line(speedups, line):
    assert speedups.dated_from_line(line, 0, len(line)) is True
    assert speedups.dated_from_line(line, 0, len(line) - 1) is False  # the year cut by the range's end
    assert speedups.dated_from_line(b"x" + line, 1, len(line) + 1) is True
    with pytest.raises(ValueError, match="outside the buffer"):
        speedups.dated_from_line(line, 0, len(line) + 1)


@pytest.mark.parametrize(
    "line",
    [
        b"From x Mon Jan 6 10:00 ABCDEF 2025",  # a zone of six letters: no match
        b"From x Mon Jan 6 10:00 ABCDE 2025",
        b"From x Jan Jan 6 10:00 2025",  # a month where the weekday goes
        b"From x Mon, Jan 6 10:00:00 +0100 2025",
        b"From x Mon Jan 6 10:00 +0100 20",
        b"From x\tMon\tJan\t06\t10:00:00\t2025",
        b"From  Mon Jan 6 10:00 2025",  # no sender (\S* matches nothing)
        b"From x Mon Jan 6 10:00 UTC2025",
    ],
)
def test_the_c_from_line_rule_on_near_misses(speedups, line):
    assert speedups.dated_from_line(line, 0, len(line)) is (M.FROM_LINE.match(line) is not None)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_from_lines())
def test_the_c_from_line_rule_is_from_line(speedups, case):
    """_speedups.dated_from_line (what the C scan asks of each candidate) answers as
    FROM_LINE.match does, at every place and range end."""
    data, cut = case
    start, end = _checked_places(data, cut)
    for pos in {0, start, min(start + 1, end)}:
        if pos <= end:
            expected = M.FROM_LINE.match(data, pos, end) is not None
            assert speedups.dated_from_line(data, pos, end) is expected, (data, pos, end)
