"""Benchmark the metric families on a generated network (default 1M interactions, 20,000 people).

Run:  .venv/bin/python benchmarks/bench_metrics.py [--interactions N] [--people K] [--seed S]

Each ``bench_<family>(net)`` function times its metrics and prints the figures next to a
baseline measured in the same run (the cheapest per-person pass over the same interactions:
a groupby max + count), so the ratio is comparable across machines. Add one function per
metric family and call it from ``main``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from netanalytics import schema as S
from netanalytics.network import build_network

#: Time budget for dormancy on 1M interactions / 20,000 people (seconds).
DORMANCY_BUDGET_S = 10.0


def make_network(n_interactions: int = 1_000_000, n_people: int = 20_000, seed: int = 0):
    """A synthetic network: heavy-tailed volumes, ties that start and end at random, 5 years.

    A third of the alters are steady until the end, the rest stop at a random time (some
    long ago, so every dormancy state is present); some get a cadence.
    """
    rng = np.random.default_rng(seed)
    span_days = 5 * 365
    end = pd.Timestamp("2025-12-31", tz="UTC")
    start_of_time = end - pd.Timedelta(days=span_days)
    weights = rng.pareto(1.2, n_people) + 0.05
    counts = rng.multinomial(n_interactions - n_people, weights / weights.sum()) + 1
    first = rng.uniform(0, span_days * 0.9, n_people)
    steady = rng.random(n_people) < 1 / 3
    last = np.where(steady, span_days, first + rng.uniform(0, 1, n_people) * (span_days - first))
    owner = np.repeat(np.arange(n_people), counts)
    offsets = first[owner] + rng.random(n_interactions) * (last - first)[owner]
    ts = start_of_time + pd.to_timedelta(offsets, unit="D")
    ids = np.array([f"p{i:05d}" for i in range(n_people)], dtype=object)
    inter = pd.DataFrame(
        {
            S.TIMESTAMP: ts,
            S.PERSON_ID: ids[owner],
            S.DIRECTION: np.where(rng.random(n_interactions) < 0.5, S.OUT, S.IN),
        }
    )
    cadence = np.where(rng.random(n_people) < 0.05, rng.choice([30.0, 90.0, 180.0], n_people), np.nan)
    people = pd.DataFrame(
        {
            S.NAME: [f"Person {i}" for i in range(n_people)],
            S.COMPANY: rng.choice([f"Company {k}" for k in range(300)], n_people),
            S.CADENCE_DAYS: cadence,
        },
        index=pd.Index(ids, name=S.PERSON_ID),
    )
    return build_network(inter, people)


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def baseline(net) -> float:
    """Seconds for the cheapest per-person pass: groupby max + count of timestamps."""
    _, secs = _timed(lambda: net.interactions.groupby(S.PERSON_ID)[S.TIMESTAMP].agg(["max", "count"]))
    return secs


def bench_dormancy(net, base_s: float) -> None:
    """Dormancy (model fits included) and reconnect."""
    from netanalytics.metrics.dormancy import dormancy, reconnect

    (d, info), secs = _timed(dormancy, net, return_model=True)
    print(
        f"dormancy: {secs:.2f} s for {len(net.interactions):,} interactions / {len(d):,} dyads "
        f"({secs / base_s:.0f}x baseline; budget {DORMANCY_BUDGET_S:.0f} s: "
        f"{'OK' if secs < DORMANCY_BUDGET_S else 'OVER'})"
    )
    print(f"  model {info.model}: {info.params}; BG/NBD {info.params_bgnbd}")
    print("  states:", d[S.STATE].value_counts().to_dict(), "| due:", int(d[S.DUE].sum()))
    # Communities are given (none) so the timing is the ranking itself, not Louvain.
    r, secs = _timed(reconnect, net, n=20, communities={}, dormancy_frame=d)
    print(f"reconnect (dormancy frame reused, no Louvain): {secs:.2f} s; top: {r[S.REASON].iloc[0]}")


#: Time budget for the structural measures of an ego graph with 5,000 alters (seconds).
STRUCTURE_BUDGET_S = 10.0


def bench_strength(net, base_s: float) -> None:
    """Tie strength (decayed intensities, overlap, layers) for every alter."""
    from netanalytics.metrics.strength import tie_strength

    t, secs = _timed(tie_strength, net)
    print(f"tie_strength: {secs:.2f} s for {len(t):,} alters ({secs / base_s:.0f}x baseline)")
    print("  layers:", t[S.LAYER].value_counts(dropna=False).sort_index().to_dict())


def bench_reciprocity(net, base_s: float) -> None:
    """Reciprocity per alter (reply matching, initiation) and overall."""
    from netanalytics.metrics.reciprocity import overall_reciprocity, reciprocity

    r, secs = _timed(reciprocity, net)
    print(
        f"reciprocity: {secs:.2f} s for {len(r):,} alters ({secs / base_s:.0f}x baseline); "
        f"one-sided {int(r[S.ONE_SIDED].sum()):,}"
    )
    value, secs = _timed(overall_reciprocity, net)
    print(f"overall_reciprocity: {value:.3f} in {secs:.2f} s")


def bench_health(net, base_s: float, n_alters: int = 5_000, seed: int = 0) -> None:
    """Health of the whole network, and the structural measures of a 5,000-alter ego graph."""
    import networkx as nx

    from netanalytics.metrics.health import health
    from netanalytics.metrics.structure import ego_structure, graph_summary

    h, secs = _timed(health, net)
    print(f"health: {secs:.2f} s ({secs / base_s:.0f}x baseline; dormancy included): {h!r}")
    A = nx.powerlaw_cluster_graph(n_alters, 3, 0.3, seed=seed)
    G = nx.Graph(A)
    G.add_edges_from(("me", a) for a in A)
    t0 = time.perf_counter()
    ego = ego_structure(G, "me")
    comms = nx.community.louvain_communities(A, seed=seed)
    summary = graph_summary(A)
    secs = time.perf_counter() - t0
    print(
        f"structure of a {n_alters:,}-alter ego graph ({A.number_of_edges():,} alter ties): {secs:.2f} s "
        f"(budget {STRUCTURE_BUDGET_S:.0f} s: {'OK' if secs < STRUCTURE_BUDGET_S else 'OVER'}); "
        f"constraint {ego[S.CONSTRAINT]:.4f}, efficiency {ego[S.EFFICIENCY]:.3f}, "
        f"{len(comms)} communities, clustering {summary[S.AVERAGE_CLUSTERING]:.3f}"
    )


def bench_all(net) -> None:
    """What a user runs: every per-person metric and the health report, reusing dormancy."""
    import time

    import netanalytics as na

    net = net.with_frames()  # a fresh network: the results (and the fit) above are kept on the first one
    t0 = time.perf_counter()
    na.tie_strength(net)
    d = na.dormancy(net)
    na.reconnect(net, dormancy_frame=d)
    na.reciprocity(net)
    na.health(net, dormancy_frame=d)
    total = time.perf_counter() - t0
    verdict = "OK" if total < 10 else "OVER"
    print(
        f"all together (tie_strength, dormancy, reconnect, reciprocity, health): {total:.2f} s "
        f"(budget 10 s: {verdict})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    net, secs = _timed(make_network, args.interactions, args.people, args.seed)
    print(f"generated {net!r} in {secs:.1f} s")
    base_s = baseline(net)
    print(f"baseline (groupby max + count): {base_s:.3f} s")
    bench_dormancy(net, base_s)
    bench_strength(net, base_s)
    bench_reciprocity(net, base_s)
    bench_health(net, base_s)
    bench_all(net)


if __name__ == "__main__":
    main()
