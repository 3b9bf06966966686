"""Render every netanalytics figure for the sample network into out/figures/*.png.

Usage: .venv/bin/python scripts/render_figures.py [OUTPUT_DIR] [FIGURE ...]

With FIGURE names (e.g. ``network_map health``) only those are rendered.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from netanalytics import plotting as P
from netanalytics import schema as S
from netanalytics.datasets.sample import load_sample
from netanalytics.metrics.dormancy import dormancy, reconnect
from netanalytics.metrics.health import health, health_history
from netanalytics.metrics.latency import reply_latencies
from netanalytics.metrics.reciprocity import reciprocity
from netanalytics.metrics.strength import tie_strength


def main(out: Path, only: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    net = load_sample()
    strength = tie_strength(net)
    dorm = dormancy(net)
    names = net.people[S.NAME]
    # the timeline shows the alter with the most kinds of events, then the strongest tie
    kinds = net.interactions.groupby(S.PERSON_ID)[S.CHANNEL].nunique()
    extras = net.endorsements[S.PERSON_ID].value_counts().reindex(kinds.index, fill_value=0)
    best = (kinds * 10 + extras.clip(upper=3) + strength[S.STRENGTH].reindex(kinds.index).fillna(0)).idxmax()

    figures = {
        "network_map": ((10, 8), lambda ax: P.plot_network_map(net, strength=strength, ax=ax)),
        "dormancy_map": ((9, 7), lambda ax: P.plot_dormancy_map(dorm, reconnect=reconnect(net, n=10), ax=ax)),
        "reciprocity": ((8, 8), lambda ax: P.plot_reciprocity(reciprocity(net), names=names, ax=ax)),
        "reply_latency": ((9, 5), lambda ax: P.plot_reply_latency(reply_latencies(net), ax=ax)),
        "activity_calendar": (
            (12, 2.6),
            lambda ax: P.plot_activity_calendar(
                net.interactions, year=int(net.interactions[S.TIMESTAMP].max().year) - 1, ax=ax
            ),
        ),
        "activity_years": ((10, 4), lambda ax: P.plot_activity_calendar(net.interactions, ax=ax)),
        "timeline": ((12, 4.5), lambda ax: P.plot_timeline(net, best, ax=ax)),
        "health": ((9, 5), lambda ax: P.plot_health(health(net), ax=ax)),
        "health_history": ((11, 5), lambda ax: P.plot_health_history(health_history(net), ax=ax)),
        "layers": ((7, 7.5), lambda ax: P.plot_layers(strength, ax=ax)),
    }
    for name, (size, draw) in figures.items():
        if only and name not in only:
            continue
        start = time.perf_counter()
        fig, ax = plt.subplots(figsize=size, layout="constrained")
        draw(ax)
        path = out / f"{name}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        print(f"{path}  ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out/figures"), sys.argv[2:])
