"""Benchmark the whole job on one mbox: load, every metric, the HTML report — against the time the
stdlib ``mailbox`` loop needs just to read the same file.

Run:  .venv/bin/python benchmarks/bench_job.py [--real 60000 | --mbox FILE] [--me ADDRESS]

``--real N`` (default 60,000) builds the mbox from the public list archives in ``../shared/corpora``
(as ``bench_email.py --real``) and loads it as the mailbox of its top poster. Printed in one run:
(a) ``na.load`` (cache off), (b) ``tie_strength``, ``dormancy``, ``reconnect``, ``reciprocity``,
``health``, (c) ``build_report``, their sum, and (d) the stdlib loop reading From, To, Cc, Date,
Message-ID, In-Reply-To of every message. Target (issue "Fast on real mail and at scale"):
(a) + (b) + (c) <= 0.5 x (d).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bench_email

TARGET = 0.5


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", type=int, default=60_000, help="messages of real list mail (default 60,000)")
    ap.add_argument("--mbox", type=Path, help="an existing mbox instead")
    ap.add_argument("--me", default="joel@jms.id.au", help="the owner (default: openbmc's top poster)")
    args = ap.parse_args()

    import netanalytics as na
    from netanalytics.report import build_report

    path = args.mbox
    if path is None:
        path = Path(tempfile.mkdtemp(prefix="bench_job_")) / f"real_{args.real}.mbox"
        bench_email.write_real_mbox(path, args.real)
    print(f"mbox: {path} ({path.stat().st_size / 1e9:.2f} GB), me = {args.me}")

    net, t_load = timed(lambda: na.load(email=path, me=args.me, cache=False, progress=False))
    print(
        f"(a) na.load:          {t_load:7.2f} s  ({len(net.alters):,} people, {len(net.interactions):,} interactions)"
    )
    t_metrics = 0.0
    done: dict = {}  # dormancy's frame, reused by reconnect and health as a user would
    for name, fn in (
        ("tie_strength", lambda: na.tie_strength(net)),
        ("dormancy", lambda: na.dormancy(net)),
        ("reconnect", lambda: na.reconnect(net, dormancy_frame=done["dormancy"])),
        ("reciprocity", lambda: na.reciprocity(net)),
        ("health", lambda: na.health(net, dormancy_frame=done["dormancy"])),
    ):
        done[name], t = timed(fn)
        t_metrics += t
        print(f"(b) {name + ':':<18}{t:7.2f} s")
    _, t_report = timed(lambda: build_report(net))
    print(f"(c) build_report:     {t_report:7.2f} s")
    total = t_load + t_metrics + t_report
    base = bench_email._child(bench_email._STDLIB, str(path), "0")
    print(f"whole job (a+b+c):    {total:7.2f} s")
    print(f"(d) stdlib mailbox loop, read only: {base['seconds']:.2f} s for {base['n']:,} messages")
    ratio = total / base["seconds"]
    print(
        f"ratio whole job / stdlib read: {ratio:.2f} (target <= {TARGET}: {'met' if ratio <= TARGET else 'NOT met'})"
    )
    load = subprocess.run(["cat", "/proc/loadavg"], capture_output=True, text=True).stdout.split()[0]
    print(f"load average: {load}")


if __name__ == "__main__":
    main()
