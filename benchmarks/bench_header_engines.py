"""Compare engines for the costly step of reading real mail: finding the wanted header lines
(From, To, Date...) in many header blocks at once.

Usage::

    .venv/bin/python benchmarks/bench_header_engines.py MBOX [--n 20000] [--engine C --engine numpy]

MBOX: e.g. the real list mail ``bench_email.py --real`` writes. The header blocks of its first
``--n`` messages are cut out once (not timed); each engine then finds the wanted header lines
of all of them, and the figure is CPU seconds per 1,000 messages (best of three). Engines that
are not installed are reported as such: ``pip install polars google-re2 hyperscan
fast-mail-parser`` to compare them all (none of them is a dependency of netanalytics).

- ``C split`` (what ``read_mbox`` does where ``netanalytics.io._speedups`` is built):
  ``raw_header_columns``, its values found by ``_header_values``: one pass in C over each
  block's newlines where the block lies, every wanted value made a Python bytes there;
- ``C split alone``: ``_header_values`` only (no columns made, nothing cleaned or coded);
- ``numpy line index`` (the pure-Python route, ``NETANALYTICS_PURE_PYTHON=1``):
  ``raw_header_columns``, the blocks joined a few MB at a time, the line index as whole-array
  numpy steps, the values sliced out of the joined text;
- ``sre split`` (what ``read_mbox`` did before): one ``re.split`` over the blocks joined;
- ``arrow RE2 drop + sre split``: ``pyarrow.compute.replace_substring_regex`` deletes the
  lines of unwanted headers (RE2), then the same split over what is left;
- ``polars extract_all + sre split``: Rust ``regex`` keeps the wanted lines, then the split;
- ``google-re2 findall``: RE2 through its own Python binding;
- ``hyperscan``: start offsets of the wanted lines (no values: a lower bound);
- ``fast-mail-parser``: a Rust mail parser, one block at a time;
- ``stdlib BytesHeaderParser``: the headers-only stdlib parse of ``bench_email.py``.
"""

from __future__ import annotations

import argparse
import mmap
import re
import time
from unittest import mock

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from netanalytics.io import _headers as H
from netanalytics.io import _mbox as M
from netanalytics.io import _native

# --- the former route: one sre split over the blocks joined behind marker lines (read_mbox
# until the numpy line index replaced it), and RE2's pattern for the unwanted lines ---------

# A line that starts every block in the joined text: one findall() call then parses them all.
_MARK = b"\x00\x01\x02"
# the usual spellings; any other spelling is matched case-blind after them
_USUAL = (
    b"X-GM-THRID", b"X-Gmail-Labels", b"From", b"To", b"Date", b"Message-ID", b"Subject", b"References",
    b"In-Reply-To", b"Cc", b"Delivered-To", b"Reply-To", b"X-Original-To", b"X-Original-From",
    b"List-Id", b"List-Post", b"List-Unsubscribe", b"Precedence", b"Auto-Submitted", b"Bcc",
)  # fmt: skip
assert {n.lower() for n in _USUAL} == H._BULK
# a line whose first byte starts no wanted name (continuation lines, most of a real header
# block) is passed over after one class test
H._BULK_FIRST = bytes(sorted({c for n in H._BULK for c in (n[0], n[0] - 32)})) + _MARK[:1]
# first letters of header lines in real list mail, the most frequent first (Received, X-*,
# List-*, Authentication-Results / ARC-*, To, Content-*, ...)
_LINE_LETTERS = b"RXLATCSDMFIPB"


def _by_first_letter(usual) -> bytes:
    """An alternation matching the names of ``usual`` in any case, one branch per first
    letter (as written, capital letters first, in :data:`_LINE_LETTERS` order).

    Notes
    -----
    A branch starts with its literal letter, so sre passes over a branch of another letter
    after one byte compare; inside it, the usual spellings come first as literals, then every
    name of that letter case-blind (``[Ff][Rr]...``). A line whose first letter starts a
    wanted name but whose name is not wanted (Received, X-Mailer, List-Archive: a third of
    a real block's lines) is rejected after a few compares.
    """
    names = {u.lower() for u in usual}
    branches = []
    for letter in _LINE_LETTERS + _LINE_LETTERS.lower():
        first = bytes([letter])
        group = sorted((n for n in names if n[:1] == first.lower()), key=len, reverse=True)
        if not group:
            continue
        literal = [re.escape(u[1:]) for u in usual if u[:1] == first]
        any_case = b"|".join(H._any_case(n[1:]) for n in group)
        branches.append(re.escape(first) + b"(?:" + b"|".join([*literal, any_case]) + b")")
    assert {c for n in names for c in (n[0], n[0] - 32)} <= set(_LINE_LETTERS + _LINE_LETTERS.lower())
    return b"|".join(branches)


# possessive quantifiers: the same matches (nothing after the value can fail), no backtracking state
_RAW_MARKED = re.compile(
    b"\n(?=["
    + re.escape(H._BULK_FIRST)
    + b"])("
    + _by_first_letter(_USUAL)
    + b"|"
    + re.escape(_MARK)
    + b")[ \t]*+:[ \t]*+([^\n]*+(?:\n[ \t][^\n]*+)*+)"
)


def _not_in(names) -> str:
    """An RE2 pattern (no lookahead) for a header-name token that is none of ``names`` in any case.

    Notes
    -----
    A token is what may stand before the colon of a header line: bytes 0x21-0x7e but ``:``.
    The pattern walks the trie of ``names``: at each node, either the next letter of a name
    (then that node), any other token byte (then any token), or the end of the token where
    the node is not a whole name.
    """
    token = "[!-9;-~]"
    words = {n.lower() for n in names}

    def letter(c: str) -> str:
        return re.escape(c.upper()) + re.escape(c) if c.isalpha() else re.escape(c)

    def node(prefix: bytes) -> str:
        nexts = sorted({w[len(prefix)] for w in words if w.startswith(prefix) and len(w) > len(prefix)})
        branches = [f"[{letter(chr(c))}]" + node(prefix + bytes([c])) for c in nexts]
        branches.append(f"[^\\x00-\\x20:\\x7f-\\xff{''.join(letter(chr(c)) for c in nexts)}]{token}*")
        if prefix and prefix not in words:
            branches.append("")
        return "(?:" + "|".join(branches) + ")"

    return node(b"")


# RE2 (through Arrow): runs of header lines, with their continuation lines, that the split
# below would pass over (Received, DKIM-Signature, ARC-*: most of a real header block)
UNWANTED_LINES_RE2 = r"(?:\n" + _not_in(H._BULK) + r"[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*)+"


_MARK_LINE = b"\n" + _MARK + b":"
_WANTED = r"(?i:" + "|".join(sorted((n.decode() for n in H._BULK), key=len, reverse=True)) + r")"
_WANTED_LINE = r"\n" + _WANTED + r"[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*"


def _sre(blocks: list[bytes]) -> int:
    return len(_RAW_MARKED.split(_MARK_LINE + _MARK_LINE.join(blocks))) // 3


def _arrow(blocks: list[bytes]) -> pa.LargeBinaryArray:
    lengths = np.fromiter(map(len, blocks), dtype=np.int64, count=len(blocks))
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    data = pa.py_buffer(b"".join(blocks))
    return pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(blocks), [None, pa.py_buffer(offsets), data]
    )


def _arrow_drop(blocks: list[bytes]) -> int:
    kept = pc.replace_substring_regex(_arrow(blocks), UNWANTED_LINES_RE2, b"")
    return _sre(kept.to_pylist())


def _polars(blocks: list[bytes]) -> int:
    import polars as pl

    s = pl.from_arrow(pc.cast(_arrow(blocks), pa.large_string()))
    lines = s.str.extract_all(_WANTED_LINE)
    kept = [("".join(x)).encode() for x in lines.to_list()]
    return _sre(kept)


def _google_re2(blocks: list[bytes]) -> int:
    import re2

    return len(re2.compile(_WANTED_LINE.encode()).findall(_MARK_LINE + _MARK_LINE.join(blocks)))


def _hyperscan(blocks: list[bytes]) -> int:
    import hyperscan

    db = hyperscan.Database()
    db.compile(expressions=[rb"\n" + _WANTED.encode() + rb"[ \t]*:"], flags=[hyperscan.HS_FLAG_SOM_LEFTMOST])
    found: list[int] = []

    def on_match(_id, start, _end, _flags, _ctx):
        found.append(start)

    db.scan(_MARK_LINE + _MARK_LINE.join(blocks), match_event_handler=on_match)
    return len(found)


def _fast_mail_parser(blocks: list[bytes]) -> int:
    from fast_mail_parser import ParseError, parse_email

    n = failed = 0
    for b in blocks:
        try:
            n += len(parse_email(b[1:] + b"\n").headers)
        except ParseError:
            failed += 1
    if failed:
        print(f"  fast-mail-parser could not parse {failed:,} of {len(blocks):,} blocks")
    return n


def _columns(blocks: list[bytes]) -> int:
    column = H.raw_header_columns(blocks)  # every wanted value made a Python bytes
    return sum(len(column(name, coded=True)[0]) for name in (b"Message-ID", b"Date"))


def _c_split(blocks: list[bytes]) -> int:
    if _native.SPEEDUPS is None:
        raise ImportError("not built", name="netanalytics.io._speedups")
    return _columns(blocks)


def _c_split_alone(blocks: list[bytes]) -> int:
    if _native.SPEEDUPS is None:
        raise ImportError("not built", name="netanalytics.io._speedups")
    return sum(map(len, H._header_values(blocks)[1]))


def _numpy_index(blocks: list[bytes]) -> int:
    with mock.patch.object(_native, "SPEEDUPS", None):
        return _columns(blocks)


def _stdlib(blocks: list[bytes]) -> int:
    from email import policy
    from email.parser import BytesHeaderParser

    parse = BytesHeaderParser(policy=policy.compat32).parsebytes
    return sum(len(parse(b[1:])) for b in blocks)


ENGINES = {
    "C split (read_mbox today)": _c_split,
    "C split alone (values only)": _c_split_alone,
    "numpy line index (pure Python)": _numpy_index,
    "sre split (read_mbox before)": _sre,
    "arrow RE2 drop + sre split": _arrow_drop,
    "polars extract_all + sre split": _polars,
    "google-re2 findall": _google_re2,
    "hyperscan (offsets only)": _hyperscan,
    "fast-mail-parser (per block)": _fast_mail_parser,
    "stdlib BytesHeaderParser": _stdlib,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mbox")
    parser.add_argument("--n", type=int, default=20_000, help="messages to take from the start")
    parser.add_argument(
        "--engine", action="append", help="time only the engines whose name holds this (repeatable)"
    )
    args = parser.parse_args(argv)
    with open(args.mbox, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        blocks, _, _ = M.mbox_blocks(mm, 0, len(mm))
    blocks = blocks[: args.n]
    size = sum(map(len, blocks)) / 1e6
    print(f"{len(blocks):,} header blocks, {size:.0f} MB")
    print(f"{'engine':<34}{'CPU s':>8}{'ms / 1k msgs':>14}{'found':>10}")
    for name, run in ENGINES.items():
        if args.engine and not any(e in name for e in args.engine):
            continue
        try:
            best, found = float("inf"), 0
            for _ in range(3):
                t = time.process_time()
                found = run(blocks)
                best = min(best, time.process_time() - t)
        except ImportError as exc:
            print(f"{name:<34}  not installed ({exc.name})")
            continue
        print(f"{name:<34}{best:>8.2f}{best / len(blocks) * 1e6:>14.1f}{found:>10,}")


if __name__ == "__main__":
    main()
