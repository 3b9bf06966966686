"""Benchmark the whole job on one mbox: load, every metric, the HTML report — against the time the
stdlib ``mailbox`` loop needs just to read the same file.

Run:  .venv/bin/python benchmarks/bench_job.py [--real 60000 | --mbox FILE] [--me ADDRESS]

``--real N`` (default 60,000) builds the mbox from the public list archives in ``../shared/corpora``
(as ``bench_email.py --real``) and loads it as the mailbox of its top poster. ``--people P`` instead
writes the high-cardinality case: ``--messages`` (default 100,000) messages between the owner and P
(e.g. 15,000) correspondents, with To/Cc lists of 1-7 people drawn at random inside 40 circles
(:func:`write_group_mbox`), so recipient lists rarely repeat and the alter-alter graph has about a
hundred thousand edges. Printed in one run:
(a) ``na.load`` (cache off), (b) ``tie_strength``, ``dormancy``, ``reconnect``, ``reciprocity``,
``health``, (c) ``build_report`` (which reuses the results of (b): a network keeps them) with its
figures drawn by its default number of processes (``workers=``), then again drawn in place and
again by the default (matplotlib warm for both), with the figures alone beside each, their sum, and (d) the stdlib loop reading From, To, Cc, Date,
Message-ID, In-Reply-To of every message. Target (issue "Fast on real mail and at scale"):
(a) + (b) + (c) <= 0.5 x (d).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import bench_email

TARGET = 0.5
OWNER = ("Elena Marsh", "elena.marsh@example.org")


def write_group_mbox(path: Path, n_people: int, n_messages: int, seed: int = 0, body_kb: float = 13) -> None:
    """``n_messages`` between the owner and ``n_people`` correspondents (each on at least one message).

    Each message has the owner and 1-7 others (geometric sizes, mostly 1:1), the others drawn
    from the circle (one of 40) of a first person picked with heavy-tailed activity; half are
    sent by the owner to all of them, half by the first person to the owner with the rest in Cc.
    Names come from the generator's name pools (so some people share a name), addresses are
    distinct; dates spread over three years. Bodies are plain text of lognormal length with mean
    ``body_kb`` KB (13 KB: the 1.3 GB per 100,000 messages of issue 13's generated archive), so
    that the stdlib baseline reads as much as on real mail.
    """
    import numpy as np

    from netanalytics.datasets import _names as N
    from netanalytics.datasets._formats import address, from_line, rfc2822

    rng = np.random.default_rng(seed)
    circle = rng.integers(0, 40, n_people)
    members = [np.flatnonzero(circle == c) for c in range(40)]
    weights = rng.pareto(1.3, n_people) + 0.05
    first = rng.choice(n_people, n_messages, p=weights / weights.sum())
    first[: min(n_people, n_messages)] = rng.permutation(n_people)[:n_messages]  # everyone at least once
    sizes = np.minimum(rng.geometric(0.55, n_messages), 7)
    people = []
    for i in range(n_people):
        fn, ln = (
            N.FIRST_NAMES[rng.integers(len(N.FIRST_NAMES))],
            N.LAST_NAMES[rng.integers(len(N.LAST_NAMES))],
        )
        people.append((f"{fn} {ln}", f"{fn}.{ln}.{i}@circle{circle[i]}.example".lower().replace(" ", "")))
    end = pd.Timestamp("2025-12-31", tz="UTC").to_pydatetime()
    days = np.sort(rng.uniform(0, 3 * 365, n_messages))[::-1]
    line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n"
    filler = line * int(8 * body_kb * 1024 / len(line) + 1)
    sigma = 1.0
    lengths = rng.lognormal(np.log(body_kb * 1024) - sigma**2 / 2, sigma, n_messages).astype(int)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for m in range(n_messages):
            pool, k = members[circle[first[m]]], int(sizes[m])
            others = rng.choice(pool, k - 1, replace=False) if k > 1 and len(pool) >= k else []
            group = [int(first[m]), *(int(o) for o in others if o != first[m])]
            t = (end - timedelta(days=float(days[m]))).replace(microsecond=0)
            if m % 2 == 0:
                head = f"From: {address(*OWNER)}\nTo: {', '.join(address(*people[p]) for p in group)}\n"
            else:
                head = f"From: {address(*people[group[0]])}\nTo: {address(*OWNER)}\n" + (
                    f"Cc: {', '.join(address(*people[p]) for p in group[1:])}\n" if len(group) > 1 else ""
                )
            fh.write(
                f"{from_line(10**18 + m, t)}\nDate: {rfc2822(t)}\nMessage-ID: <g{m}.{seed}@group.example>\n"
                f"Subject: note {m}\n{head}\nA short note.\n{filler[: lengths[m] - lengths[m] % len(line)]}\n"
            )


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (``read_mbox``'s workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(fn):
    t, c = time.perf_counter(), _cpu()
    out = fn()
    return out, time.perf_counter() - t, _cpu() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", type=int, default=60_000, help="messages of real list mail (default 60,000)")
    ap.add_argument("--mbox", type=Path, help="an existing mbox instead")
    ap.add_argument(
        "--people", type=int, help="write the high-cardinality mbox with this many correspondents"
    )
    ap.add_argument("--messages", type=int, default=100_000, help="its messages (default 100,000)")
    ap.add_argument("--me", default="joel@jms.id.au", help="the owner (default: openbmc's top poster)")
    ap.add_argument("--keep", action="store_true", help="keep the mbox this run writes")
    args = ap.parse_args()

    if args.mbox is not None:
        run(args.mbox, args.me)
        return
    # a file this run writes (1.3 GB) is removed at the end unless --keep is given
    folder = Path(tempfile.mkdtemp(prefix="bench_job_"))
    try:
        if args.people:
            path = folder / f"group_{args.people}_{args.messages}.mbox"
            write_group_mbox(path, args.people, args.messages)
            args.me = OWNER[1]
        else:
            path = folder / f"real_{args.real}.mbox"
            bench_email.write_real_mbox(path, args.real)
        run(path, args.me)
    finally:
        if args.keep:
            print(f"kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def run(path: Path, me: str) -> None:
    """Time na.load, every metric and build_report on ``path``, and the stdlib read of it."""
    import netanalytics as na
    from netanalytics._fork import default_workers
    from netanalytics.report import build_report

    print(f"mbox: {path} ({path.stat().st_size / 1e9:.2f} GB), me = {me}")

    net, t_load, c_load = timed(lambda: na.load(email=path, me=me, cache=False, progress=False))
    print(
        f"(a) na.load:          {t_load:7.2f} s wall {c_load:7.2f} s CPU  "
        f"({len(net.alters):,} people, {len(net.interactions):,} interactions)"
    )
    t_metrics = c_metrics = 0.0
    done: dict = {}  # dormancy's frame, reused by reconnect and health as a user would
    for name, fn in (
        ("tie_strength", lambda: na.tie_strength(net)),
        ("dormancy", lambda: na.dormancy(net)),
        ("reconnect", lambda: na.reconnect(net, dormancy_frame=done["dormancy"])),
        ("reciprocity", lambda: na.reciprocity(net)),
        ("health", lambda: na.health(net, dormancy_frame=done["dormancy"])),
    ):
        done[name], t, c = timed(fn)
        t_metrics, c_metrics = t_metrics + t, c_metrics + c
        print(f"(b) {name + ':':<18}{t:7.2f} s wall {c:7.2f} s CPU")
    workers = default_workers()
    _, t_report, c_report = timed(lambda: build_report(net, workers=workers))
    _, t_place, c_place = timed(lambda: build_report(net, workers=1))  # figures drawn in place
    _, t_text, c_text = timed(lambda: build_report(net, figures=False))  # the same, figures left out
    print(
        f"(c) build_report:     {t_report:7.2f} s wall {c_report:7.2f} s CPU  (figures drawn by {workers} "
        f"process(es); its six figures {t_report - t_text:.2f} s wall {c_report - c_text:.2f} s CPU)"
    )
    _, t_again, c_again = timed(lambda: build_report(net, workers=workers))  # warm, as the one in place
    print(
        f"    figures in place: {t_place:7.2f} s wall {c_place:7.2f} s CPU  (its six figures "
        f"{t_place - t_text:.2f} s wall {c_place - c_text:.2f} s CPU; not counted in the whole job)"
    )
    print(
        f"    again as (c):     {t_again:7.2f} s wall {c_again:7.2f} s CPU  (its six figures "
        f"{t_again - t_text:.2f} s wall {c_again - c_text:.2f} s CPU; matplotlib warm, as in place)"
    )
    total, cpu = t_load + t_metrics + t_report, c_load + c_metrics + c_report
    base = bench_email._child(bench_email._STDLIB, str(path), "0")
    print(f"whole job (a+b+c):    {total:7.2f} s wall {cpu:7.2f} s CPU")
    print(
        f"(d) stdlib mailbox loop, read only: {base['seconds']:.2f} s wall {base['cpu']:.2f} s CPU "
        f"for {base['n']:,} messages"
    )
    ratio = total / base["seconds"]
    print(
        f"ratio whole job / stdlib read: {ratio:.2f} wall, {cpu / base['cpu']:.2f} CPU "
        f"(target <= {TARGET}: {'met' if ratio <= TARGET else 'NOT met'})"
    )
    load = subprocess.run(["cat", "/proc/loadavg"], capture_output=True, text=True).stdout.split()[0]
    print(f"load average: {load}")


if __name__ == "__main__":
    main()
