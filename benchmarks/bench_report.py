"""Benchmark the HTML report (and its network map) on a large ego network.

Run:  .venv/bin/python benchmarks/bench_report.py [--people 20000] [--messages 100000] [--seed 0] [--report-only]

The network has group messages (2-8 people on each), so the alter-alter co-participation graph
has about a hundred thousand edges, as a real ten-year mailbox does. Printed, in one run:

- (a) ``build_report`` end to end, with its figures drawn in place and by this process and workers
  (``workers=``, the default on a large network), alternately, twice each, CPU seconds including
  the workers'; then the time of its network map alone;
- (b) the baseline: the same network map drawn the way it was before (one ``ax.plot`` call
  per alter-alter edge and per spoke), on the same network;
- (c) dormancy's Pareto/NBD fit (the report's largest single cost before) on the same network,
  as the report runs it (analytic gradient, A0 by quadrature) and as before (finite-difference
  gradient of the 2F1 likelihood), CPU seconds and how far the fitted parameters differ.

Target (issue "Fast on real mail and at scale"): the report on 20,000 people in <= 5 s.
"""

from __future__ import annotations

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from netanalytics import schema as S
from netanalytics.network import build_network

TARGET_S = 5.0


def make_network(n_people: int = 20_000, n_messages: int = 100_000, seed: int = 0):
    """Messages of 1-7 alters each (heavy-tailed: most are 1:1), people drawn from 40
    communities so that co-participation forms clusters, over three years."""
    rng = np.random.default_rng(seed)
    community = rng.integers(0, 40, n_people)
    members = [np.flatnonzero(community == c) for c in range(40)]
    weights = rng.pareto(1.3, n_people) + 0.05
    end = pd.Timestamp("2025-12-31", tz="UTC")
    rows_pid, rows_mid, rows_n, rows_ts, rows_dir = [], [], [], [], []
    sizes = np.minimum(rng.geometric(0.55, n_messages), 7)
    first = rng.choice(n_people, n_messages, p=weights / weights.sum())
    days = rng.uniform(0, 3 * 365, n_messages)
    for m in range(n_messages):
        k = int(sizes[m])
        pool = members[community[first[m]]]
        others = rng.choice(pool, k - 1, replace=False) if k > 1 and len(pool) >= k else []
        people = {int(first[m]), *map(int, others)}
        direction = S.OUT if rng.random() < 0.5 else S.IN
        for p in people:
            rows_pid.append(f"p{p:05d}")
            rows_mid.append(f"m{m}")
            rows_n.append(len(people) + 1)
            rows_ts.append(days[m])
            rows_dir.append(direction)
    inter = pd.DataFrame(
        {
            S.TIMESTAMP: end - pd.to_timedelta(np.array(rows_ts), unit="D"),
            S.PERSON_ID: rows_pid,
            S.DIRECTION: rows_dir,
            S.MESSAGE_ID: rows_mid,
            S.N_PARTICIPANTS: rows_n,
        }
    )
    ids = [f"p{i:05d}" for i in range(n_people)]
    people = pd.DataFrame(
        {S.NAME: [f"Person {i}" for i in range(n_people)], S.COMPANY: [f"Company {c}" for c in community]},
        index=pd.Index(ids, name=S.PERSON_ID),
    )
    return build_network(inter, people=people)


def old_network_map(net, strength, ax):
    """The baseline: the map's edges and spokes drawn one ``ax.plot`` call each (as before)."""
    from netanalytics.plotting import _circles

    _, groups = _circles(net, 0)
    alters = [p for _, m in groups for p in m]
    rng = np.random.default_rng(0)
    pos = {p: rng.uniform(-1, 1, 2) for p in alters}
    pos[net.me] = np.zeros(2)
    G = net.graph()
    for u, v in G.edges():
        if u != net.me and v != net.me and u in pos and v in pos:
            ax.plot([pos[u][0], pos[v][0]], [pos[u][1], pos[v][1]], color="0.6", lw=0.4, alpha=0.35)
    s = strength[S.STRENGTH].reindex(alters).fillna(0.0)
    for p, v in s[s > 0].items():
        ax.plot([0, pos[p][0]], [0, pos[p][1]], color="0.35", lw=0.2 + 1.2 * v**2)


def fit_both_ways(net) -> None:
    """(c): the dormancy fit with the analytic gradient and, as before, with finite differences."""
    from netanalytics.metrics.btyd import ParetoNBDFit
    from netanalytics.metrics.dormancy import dormancy

    fits = {}
    for label, analytic in (("analytic gradient", True), ("finite differences of 2F1 (before)", False)):
        ParetoNBDFit.HAS_GRADIENT = analytic
        try:
            for key in [k for k in net._memo if k[0] in ("btyd", "result")]:
                del net._memo[key]  # the fit and the metric's result are kept per network: fit afresh
            (_, info), wall, cpu = timed(lambda: dormancy(net, return_model=True))
        finally:
            ParetoNBDFit.HAS_GRADIENT = True
        fits[label] = info.params
        print(f"    dormancy, {label + ':':36s} {wall:6.2f} s wall, {cpu:6.2f} s CPU  {info.params}")
    now, before = fits.values()
    rel = max(abs(now[k] / before[k] - 1) for k in now)
    print(f"    largest relative difference of the fitted parameters: {rel:.1e}")


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the report's figure workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(fn):
    t0, c0 = time.perf_counter(), _cpu()
    out = fn()
    return out, time.perf_counter() - t0, _cpu() - c0


def _load() -> str:
    with open("/proc/loadavg") as fh:
        return fh.read().split()[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=20_000)
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--report-only", action="store_true", help="(a) only: leave out (b) and (c)")
    args = ap.parse_args()

    from netanalytics._fork import default_workers
    from netanalytics.metrics.strength import tie_strength
    from netanalytics.plotting import plot_network_map
    from netanalytics.report import build_report

    net, t, _ = timed(lambda: make_network(args.people, args.messages, args.seed))
    G = net.graph()
    n_edges = sum(1 for u, v in G.edges() if net.me not in (u, v))
    print(
        f"network: {len(net.alters):,} people, {len(net.interactions):,} interactions, "
        f"{n_edges:,} alter-alter edges (built in {t:.1f} s)"
    )
    strength = tie_strength(net)

    pages = {}
    for workers in (1, default_workers()) * 2:  # alternately, twice each
        net._memo.clear()  # the report computes everything afresh (graph, co-participation), as on a new network
        pages[workers], wall, cpu = timed(lambda w=workers: build_report(net, workers=w))
        route = "figures in place" if workers == 1 else f"figures by {workers} processes"
        print(
            f"(a) build_report, {route + ':':24s} {wall:6.2f} s wall, {cpu:6.2f} s CPU "
            f"({len(pages[workers]) / 1e6:.1f} MB)  target <= {TARGET_S:.0f} s: "
            f"{'met' if wall <= TARGET_S else 'NOT met'}  load average {_load()}"
        )
    print(f"    the same page both ways: {len(set(pages.values())) == 1}")
    if args.report_only:
        return
    fig, ax = plt.subplots(figsize=(8, 6))
    _, wall_map, _ = timed(
        lambda: (
            plot_network_map(net, strength=strength, ax=ax),
            fig.savefig("/dev/null", format="png", dpi=110),
        )
    )
    plt.close(fig)
    print(f"    network map alone:       {wall_map:6.2f} s (drawn and rendered to PNG)")
    fig, ax = plt.subplots(figsize=(8, 6))
    _, wall_old, _ = timed(
        lambda: (old_network_map(net, strength, ax), fig.savefig("/dev/null", format="png", dpi=110))
    )
    plt.close(fig)
    print(
        f"(b) baseline map, one ax.plot per edge: {wall_old:6.2f} s  -> map {wall_old / wall_map:.0f}x faster"
    )
    print("(c) dormancy's Pareto/NBD fit (max_fit_dyads=2500), the summary and P(alive) included:")
    fit_both_ways(net)


if __name__ == "__main__":
    main()
