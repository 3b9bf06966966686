"""CPU per message of each stage of ``read_mbox``'s work on one stretch of an mbox, as a worker
does it (garbage collector paused): the scan (``mbox_blocks``), the header split
(``raw_header_columns``), the rest of ``Batch.add_mbox_blocks``, and ``Batch.finish``.

Usage::

    .venv/bin/python benchmarks/bench_mbox_stages.py MBOX [--bytes 250000000] [--repeat 3]

The scan is that of the C speedups where they are built; the pure-Python scan is timed beside
it (same result, checked). The baseline, from the same run: the same header blocks cut out by two plain ``bytes.find``
calls per message from the message starts the scan found (a floor for the scan, which must also
find those starts and check each one). Each figure is the best of ``--repeat`` runs.
Build a file of real list mail with ``bench_email.py --real N --path MBOX``.
"""

from __future__ import annotations

import argparse
import mmap
import time

from netanalytics._gc import gc_paused
from netanalytics.io import _headers as H
from netanalytics.io import _mbox as M
from netanalytics.io import _native

__all__ = ["main"]


def _floor(mm, positions: list[int]) -> list[bytes]:
    find = mm.find
    blocks = []
    for p in positions:
        nl = find(b"\n", p)
        he = find(b"\n\r\n" if mm[nl - 1] == 13 else b"\n\n", nl)  # a CRLF or an LF file
        blocks.append(mm[nl : he + 1])
    return blocks


def _run(mm, start: int, end: int, best: dict[str, float]) -> tuple[int, int, int]:
    """One pass of every stage; keeps each stage's lowest CPU time in ``best``."""
    M.clear_caches()
    if _native.SPEEDUPS is not None:  # the pure-Python scan, for comparison
        t0 = time.process_time()
        speedups, _native.SPEEDUPS = _native.SPEEDUPS, None
        try:
            in_python = M.mbox_blocks(mm, start, end)
        finally:
            _native.SPEEDUPS = speedups
        stage = "scan, pure-Python route"
        best[stage] = min(best.get(stage, float("inf")), time.process_time() - t0)
    times = [time.process_time()]
    blocks, from_lines, positions = M.mbox_blocks(mm, start, end)
    times.append(time.process_time())
    if _native.SPEEDUPS is not None:
        assert (blocks, from_lines, positions) == in_python
        del in_python
    floor = _floor(mm, positions)
    times.append(time.process_time())
    same = sum(a == b for a, b in zip(floor, blocks, strict=True))
    del floor
    times.append(time.process_time())
    H.raw_header_columns(blocks)
    times.append(time.process_time())
    batch = M.Batch("mbox", None, "bench")
    batch.add_mbox_blocks(blocks, from_lines, positions)
    times.append(time.process_time())
    batch.finish()
    times.append(time.process_time())
    stages = ["scan (mbox_blocks)", "baseline: two finds per known start", None, "split (raw_header_columns)"]
    stages += ["add_mbox_blocks (split included)", "finish"]
    for stage, t0, t1 in zip(stages, times[:-1], times[1:], strict=True):
        if stage is not None:
            best[stage] = min(best.get(stage, float("inf")), t1 - t0)
    return len(blocks), sum(map(len, blocks)), same


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mbox")
    parser.add_argument("--bytes", type=int, default=250_000_000, help="read this much of the file")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    best: dict[str, float] = {}
    with open(args.mbox, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm, gc_paused():
        start = M.check_mbox_start(mm, args.mbox)
        end = M.align(mm, min(len(mm), start + args.bytes), len(mm))
        for _ in range(args.repeat):
            n, size, same = _run(mm, start, end, best)
    best["add_mbox_blocks without the split"] = (
        best["add_mbox_blocks (split included)"] - best["split (raw_header_columns)"]
    )
    print(
        f"{args.mbox}: {n:,} messages in {(end - start) / 1e6:.0f} MB, header blocks {size / n:,.0f} bytes "
        f"on average ({same:,} identical to the baseline's)"
    )
    for stage, seconds in best.items():
        print(f"{stage:<40}{seconds:>8.3f} s{seconds / n * 1e6:>8.1f} us per message")
    print(
        f"scan / baseline: {best['scan (mbox_blocks)'] / best['baseline: two finds per known start']:.2f}x; "
        f"best of {args.repeat}"
    )


if __name__ == "__main__":
    main()
