"""Compare engines for the costly step of reading real mail: finding the wanted header lines
(From, To, Date...) in many header blocks at once.

Usage::

    .venv/bin/python benchmarks/bench_header_engines.py MBOX [--n 20000]

MBOX: e.g. the real list mail ``bench_email.py --real`` writes. The header blocks of its first
``--n`` messages are cut out once (not timed); each engine then finds the wanted header lines
of all of them, and the figure is CPU seconds per 1,000 messages (best of three). Engines that
are not installed are reported as such: ``pip install polars google-re2 hyperscan
fast-mail-parser`` to compare them all (none of them is a dependency of netanalytics).

- ``sre split`` (what ``read_mbox`` does): one ``re.split`` over the blocks joined;
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
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from netanalytics.io import _headers as H
from netanalytics.io import _mbox as M

_MARK_LINE = b"\n" + H._MARK + b":"
_WANTED = r"(?i:" + "|".join(sorted((n.decode() for n in H._BULK), key=len, reverse=True)) + r")"
_WANTED_LINE = r"\n" + _WANTED + r"[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*"


def _sre(blocks: list[bytes]) -> int:
    return len(H._RAW_MARKED.split(_MARK_LINE + _MARK_LINE.join(blocks))) // 3


def _arrow(blocks: list[bytes]) -> pa.LargeBinaryArray:
    lengths = np.fromiter(map(len, blocks), dtype=np.int64, count=len(blocks))
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    data = pa.py_buffer(b"".join(blocks))
    return pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(blocks), [None, pa.py_buffer(offsets), data]
    )


def _arrow_drop(blocks: list[bytes]) -> int:
    kept = pc.replace_substring_regex(_arrow(blocks), H.UNWANTED_LINES_RE2, b"")
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


def _stdlib(blocks: list[bytes]) -> int:
    from email import policy
    from email.parser import BytesHeaderParser

    parse = BytesHeaderParser(policy=policy.compat32).parsebytes
    return sum(len(parse(b[1:])) for b in blocks)


ENGINES = {
    "sre split (read_mbox today)": _sre,
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
    args = parser.parse_args(argv)
    with open(args.mbox, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        blocks, _, _ = M.mbox_blocks(mm, 0, len(mm))
    blocks = blocks[: args.n]
    size = sum(map(len, blocks)) / 1e6
    print(f"{len(blocks):,} header blocks, {size:.0f} MB")
    print(f"{'engine':<34}{'CPU s':>8}{'ms / 1k msgs':>14}{'found':>10}")
    for name, run in ENGINES.items():
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
