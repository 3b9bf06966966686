"""Figures of the ego network: map, dormancy, reciprocity, reply latency, activity, timeline, health, layers."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap, to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Wedge
from matplotlib.text import Text

from netanalytics import schema as S
from netanalytics.exceptions import SchemaError
from netanalytics.metrics._common import in_index
from netanalytics.metrics.health import CONCENTRATION, VITALITY
from netanalytics.network import Network

__all__ = [
    "CHANNEL_COLORS",
    "OKABE_ITO",
    "STATE_COLORS",
    "plot_activity_calendar",
    "plot_channel_mix",
    "plot_dormancy_map",
    "plot_health",
    "plot_health_history",
    "plot_layers",
    "plot_network_map",
    "plot_reciprocity",
    "plot_reply_latency",
    "plot_timeline",
]

#: The Okabe–Ito palette: eight colours told apart with every common colour-vision deficiency.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}

#: Fixed colour of each dormancy state (the same in every figure).
STATE_COLORS: dict[str, str] = {
    S.ACTIVE: OKABE_ITO["green"],
    S.COOLING: OKABE_ITO["orange"],
    S.DORMANT: OKABE_ITO["vermillion"],
    S.LONG_DORMANT: OKABE_ITO["grey"],
}

_STATE_LABELS = {
    S.ACTIVE: "active",
    S.COOLING: "cooling",
    S.DORMANT: "dormant",
    S.LONG_DORMANT: "long dormant",
}
# community colours: ego is black, "no circle / other" is grey
_CIRCLE_COLORS = [
    OKABE_ITO[c] for c in ("blue", "orange", "green", "purple", "sky_blue", "vermillion", "yellow")
]
_MINE_COLOR, _THEIRS_COLOR = OKABE_ITO["blue"], OKABE_ITO["orange"]
_LAYERS = (5, 15, 50, 150)
_LAYER_COLORS = dict(
    zip(_LAYERS, (OKABE_ITO["vermillion"], OKABE_ITO["orange"], OKABE_ITO["blue"], OKABE_ITO["sky_blue"]))
)
_MEETING, _INVITATION = "meeting", "invitation"  # channels that are events, not messages
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# health components whose value is better when lower
_LOWER_IS_BETTER = (CONCENTRATION, VITALITY)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- helpers -------------------------------------------------------------------------------


def _axes(ax: Axes | None) -> Axes:
    return plt.gca() if ax is None else ax


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str, producer: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"{what} must be a pandas DataFrame (from {producer}), got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns)) or "no columns"
        raise SchemaError(
            f"{what} frame has no {missing[0]!r} column (found: {found}). Pass the result of {producer}."
        )


def _names(frame: pd.DataFrame, names: Mapping | pd.Series | None) -> pd.Series:
    """Display name per row: ``names`` by person_id, else the frame's name column, else the person_id."""
    ids = frame[S.PERSON_ID] if S.PERSON_ID in frame.columns else frame.index.to_series()
    ids = pd.Series(ids.to_numpy(dtype=object), index=frame.index)
    if names is not None:
        lookup = names if isinstance(names, pd.Series) else pd.Series(dict(names), dtype=object)
        found = ids.map(lookup)
    elif S.NAME in frame.columns:
        found = frame[S.NAME].astype(object)
    else:
        found = pd.Series(None, index=frame.index, dtype=object)
    return found.where(found.notna(), ids).astype(str)


def _freeze_limits(ax: Axes) -> None:
    ax.autoscale_view()
    ax.set_xlim(ax.get_xlim())
    ax.set_ylim(ax.get_ylim())


# complexity exception: greedy label placement, one loop over the labels with its candidate positions
def _place_labels(  # noqa: C901, PLR0915
    ax: Axes,
    x: Sequence[float],
    y: Sequence[float],
    labels: Sequence[str],
    *,
    obstacles: tuple[Sequence[float], Sequence[float]] | None = None,
    directions: Sequence[tuple[float, float]] | None = None,
    start: Sequence[tuple[float, float]] | None = None,
    fontsize: float = 8,
    iterations: int = 400,
) -> list[Text]:
    """Write ``labels`` next to the data points ``(x, y)`` so that no two labels overlap.

    Labels start a few points away from their point (in ``directions``, default up-right), or
    at ``start`` (data coordinates) when given, and are pushed apart in display space until no bounding boxes overlap, staying inside the
    axes, off the legend and off the ``obstacles`` points; a thin line links a label that moved
    away to its point. Axis limits are frozen first, so later autoscaling cannot undo the placement,
    and the figure's layout engine (if any) is run once and then switched off, so that a layout run
    again when the figure is saved cannot move the axes under the placed labels.
    """
    if len(labels) == 0:
        return []
    _freeze_limits(ax)
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    # the layout (without drawing the figure), then kept: the labels are placed in pixels, and a
    # layout run again when the figure is saved could move the axes under them
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine("none")
    ax.apply_aspect()
    to_px = ax.transData.transform
    anchors = to_px(np.column_stack([np.asarray(x, float), np.asarray(y, float)]))
    gap = 4.0 * fig.dpi / 72.0
    if directions is None:
        directions = [(1.0, 1.0)] * len(labels)
    dirs = np.array(directions, dtype=float)
    dirs /= np.maximum(np.linalg.norm(dirs, axis=1, keepdims=True), 1e-9)
    texts, rel = [], []
    for i, ((ax_px, ay_px), (dx, dy), label) in enumerate(zip(anchors, dirs, labels)):
        ha = "left" if dx > 0.3 else "right" if dx < -0.3 else "center"
        va = "bottom" if dy > 0.3 else "top" if dy < -0.3 else "center"
        if start is None:
            pos = ax.transData.inverted().transform((ax_px + dx * gap, ay_px + dy * gap))
        else:
            pos = start[i]
        text = ax.text(
            pos[0],
            pos[1],
            label,
            fontsize=fontsize,
            ha=ha,
            va=va,
            zorder=6,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
        )
        texts.append(text)
    pos = np.array([to_px(t.get_position()) for t in texts])
    for t, p in zip(texts, pos):
        bb = t.get_window_extent(renderer)
        rel.append((bb.x0 - p[0], bb.y0 - p[1], bb.x1 - p[0], bb.y1 - p[1]))
    rel = np.array(rel)
    frame_box = ax.get_window_extent(renderer)
    obs = anchors
    if obstacles is not None and len(obstacles[0]):
        obs = np.vstack(
            [
                anchors,
                to_px(np.column_stack([np.asarray(obstacles[0], float), np.asarray(obstacles[1], float)])),
            ]
        )
    r_obs = 3.0 * fig.dpi / 72.0
    by_x = np.argsort(obs[:, 0], kind="stable")
    obs_x = obs[by_x, 0]
    pad = 1.5
    legend = ax.get_legend()
    keep_off = legend.get_window_extent(renderer) if legend is not None else None
    rel_list = rel.tolist()
    for _ in range(iterations):
        # the pairwise pass on plain floats (numpy scalar indexing costs ten times more; the
        # arithmetic, in the same order, gives the same positions)
        p_list = pos.tolist()
        before = pos.copy()
        boxes = [[px + r0, py + r1, px + r2, py + r3] for (px, py), (r0, r1, r2, r3) in zip(p_list, rel_list)]
        moved = False
        for i in range(len(texts)):
            bi = boxes[i]
            for j in range(i + 1, len(texts)):
                bj = boxes[j]
                ox = min(bi[2], bj[2]) - max(bi[0], bj[0]) + pad
                oy = min(bi[3], bj[3]) - max(bi[1], bj[1]) + pad
                if ox > 0 and oy > 0:
                    moved = True
                    pi, pj = p_list[i], p_list[j]
                    if oy <= ox:
                        s = 1.0 if (bi[1] + bi[3]) / 2 >= (bj[1] + bj[3]) / 2 else -1.0
                        pi[1] += s * oy / 2
                        pj[1] -= s * oy / 2
                    else:
                        s = 1.0 if (bi[0] + bi[2]) / 2 >= (bj[0] + bj[2]) / 2 else -1.0
                        pi[0] += s * ox / 2
                        pj[0] -= s * ox / 2
                    ri, rj = rel_list[i], rel_list[j]
                    bi = boxes[i] = [pi[0] + ri[0], pi[1] + ri[1], pi[0] + ri[2], pi[1] + ri[3]]
                    boxes[j] = [pj[0] + rj[0], pj[1] + rj[1], pj[0] + rj[2], pj[1] + rj[3]]
        pos = np.array(p_list)
        for i in range(len(texts)):
            b0, b1, b2, b3 = boxes[i]
            # the points in the box's x range by binary search (there may be 20,000), then in its y
            # range; kept in their original order, so that their mean is the same to the last bit
            near = by_x[np.searchsorted(obs_x, b0 - r_obs, "right") : np.searchsorted(obs_x, b2 + r_obs)]
            near_y = obs[near, 1]
            inside = np.sort(near[(near_y > b1 - r_obs) & (near_y < b3 + r_obs)])
            if len(inside):
                c = np.array([(b0 + b2) / 2, (b1 + b3) / 2])
                push = c - obs[inside].mean(axis=0)
                norm = np.linalg.norm(push)
                push = dirs[i] if norm < 1e-6 else push / norm
                pos[i] += push * 1.5
                moved = True
            # plain floats from here (numpy scalars and np.r_ cost more than the arithmetic)
            px, py = pos[i].tolist()
            r0, r1, r2, r3 = rel_list[i]
            b = (px + r0, py + r1, px + r2, py + r3)
            if (
                keep_off is not None
                and b[0] < keep_off.x1
                and b[2] > keep_off.x0
                and b[1] < keep_off.y1
                and b[3] > keep_off.y0
            ):
                # off the legend by the shortest move that stays inside the axes
                moves = [
                    (keep_off.y1 - b[1] + pad, (0.0, 1.0), b[3] + keep_off.y1 - b[1] + pad <= frame_box.y1),
                    (
                        b[3] - keep_off.y0 + pad,
                        (0.0, -1.0),
                        b[1] - (b[3] - keep_off.y0 + pad) >= frame_box.y0,
                    ),
                    (keep_off.x1 - b[0] + pad, (1.0, 0.0), b[2] + keep_off.x1 - b[0] + pad <= frame_box.x1),
                    (
                        b[2] - keep_off.x0 + pad,
                        (-1.0, 0.0),
                        b[0] - (b[2] - keep_off.x0 + pad) >= frame_box.x0,
                    ),
                ]
                feasible = [m for m in moves if m[2]] or moves
                step, (sx, sy), _ = min(feasible, key=lambda m: m[0])
                px, py = px + sx * step, py + sy * step
                moved = True
            # keep inside the axes
            b = (px + r0, py + r1, px + r2, py + r3)
            px += max(0.0, frame_box.x0 - b[0]) - max(0.0, b[2] - frame_box.x1)
            py += max(0.0, frame_box.y0 - b[1]) - max(0.0, b[3] - frame_box.y1)
            pos[i] = (px, py)
        # no move left, or the same positions as at the start of this pass: a fixed point, where
        # every further pass would do the same (a dormancy map with points under a label gets
        # there after about 160 of its 400 passes)
        if not moved or np.array_equal(pos, before):
            break
    inverse = ax.transData.inverted()
    for t, p, a, r in zip(texts, pos, anchors, rel):
        t.set_position(inverse.transform(p))
        nearest = np.clip(a, p + r[:2], p + r[2:])
        if np.hypot(*(nearest - a)) > 2.5 * gap:
            line = inverse.transform(np.vstack([a, nearest]))
            ax.add_line(Line2D(line[:, 0], line[:, 1], color="0.5", lw=0.5, zorder=5))
    return texts


# --- 1. network map ------------------------------------------------------------------------


def _edges_among(net: Network, people: set) -> list[tuple]:
    """The alter–alter edges of :meth:`Network.graph` between two of ``people`` (u, v), read from
    its edge list without building the graph."""
    edges = net._alter_edges(10)
    u, v = (edges[c].tolist() for c in edges.columns[:2])
    return [(a, b) for a, b in zip(u, v) if a in people and b in people]


def _circles(net: Network, seed: int, people: Sequence | None = None) -> tuple[dict, list[tuple[str, list]]]:
    """Louvain communities of the alter–alter graph (among ``people`` when given): person ->
    group index, and (label, members)."""
    alters = list(net.alters.index) if people is None else list(people)
    # the network's communities, restricted to the people drawn
    keep = set(alters)
    parts = [p & keep for p in net.communities(seed=seed)]
    parts = [p for p in parts if len(p) > 1]
    parts.sort(key=lambda p: (-len(p), min(map(str, p))))
    companies = net.people[S.COMPANY]
    groups: list[tuple[str, list]] = []
    for k, part in enumerate(parts[: len(_CIRCLE_COLORS)]):
        members = sorted(part, key=str)
        known = companies.reindex(members).dropna().astype(str).str.strip()
        known = known[known != ""]
        label = f"circle {k + 1}"
        if len(known) >= 2:
            top, n_top = known.value_counts().index[0], known.value_counts().iloc[0]
            if n_top >= max(2, 0.5 * len(members)):
                label = f"{label}: {top}"
        groups.append((f"{label} ({len(members)})", members))
    grouped = {p for _, members in groups for p in members}
    rest = [p for p in alters if p not in grouped]
    if rest:
        label = "other circles" if len(parts) > len(_CIRCLE_COLORS) else "no shared messages"
        if len(parts) > len(_CIRCLE_COLORS):
            linked = {p for edge in _edges_among(net, keep) for p in edge}  # with an edge among them
            if any(p not in linked for p in rest):
                label = "other / none"
        groups.append((f"{label} ({len(rest)})", rest))
    membership = {p: g for g, (_, members) in enumerate(groups) for p in members}
    return membership, groups


def plot_network_map(
    net: Network,
    *,
    strength: pd.DataFrame | None = None,
    ax: Axes | None = None,
    top_labels: int = 12,
    max_people: int = 1500,
    seed: int = 0,
) -> Axes:
    """Map of the ego network: me at the centre, alters grouped by circle, strong ties near me.

    Parameters
    ----------
    net : Network
        The ego network.
    strength : DataFrame, optional
        A :func:`~netanalytics.metrics.strength.tie_strength` result (``strength`` column,
        indexed by person_id). Computed with the defaults when not given.
    ax : matplotlib Axes, optional
        Axes to draw on; default the current axes (``plt.gca()``).
    top_labels : int, default 12
        Name the strongest ties only, this many.
    max_people : int, default 1500
        Draw at most this many people: the strongest ties (by ``strength``, then id). The
        title says how many are left out. More would not be readable, and the circles,
        the edges and the drawing grow with the people shown, not with the whole network.
    seed : int, default 0
        Seed of the Louvain community detection.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Notes
    -----
    Circles are Louvain communities (fixed ``seed``) of the alter–alter co-participation
    edges of :meth:`Network.graph`, largest first, each named after the company most of its
    members share when there is one. Each circle gets a sector of the disc in proportion to
    its size; inside it, the distance from the centre is ``1 − 0.85 × q``, with q the
    percentile rank of the tie's strength among all alters (1 for the strongest; alters
    without contact sit on the rim), and the marker area grows with strength, so the
    strongest ties sit closest to me. The ``top_labels`` strongest ties are named around the
    rim, at their angle, with a thin line to their marker. Alter–alter
    edges are drawn faintly: lines crossing between sectors are the bridges between circles.
    Circles beyond the seventh, and alters who never shared a message with another alter,
    are grey.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from netanalytics.network import build_network
    >>> from netanalytics.plotting import plot_network_map
    >>> net = build_network(pd.DataFrame({
    ...     "timestamp": ["2024-01-01", "2024-01-01", "2024-02-01", "2024-03-01"],
    ...     "person_id": ["ann", "bob", "ann", "cy"], "direction": "out",
    ...     "message_id": ["m1", "m1", "m2", "m3"], "n_participants": [3, 3, 2, 2]}))
    >>> ax = plot_network_map(net)
    >>> ax.get_title()
    'Network map: 3 people in 1 circle'
    >>> plt.close("all")
    """
    ax = _axes(ax)
    if strength is None:
        from netanalytics.metrics.strength import tie_strength

        strength = tie_strength(net)
    _require(strength, [S.STRENGTH], "strength", "netanalytics.tie_strength(net)")
    everyone = strength[S.STRENGTH].reindex(net.alters.index).fillna(0.0).clip(0, 1)
    shown = everyone.sort_index(kind="stable").sort_values(ascending=False, kind="stable").index[:max_people]
    _membership, groups = _circles(net, seed, people=shown)
    alters = [p for _, members in groups for p in members]
    s = everyone.reindex(alters)
    # radius from the strength rank, so the disc is used evenly whatever the spread of strengths
    rank = s.rank(method="average", pct=True) if len(s) else s
    n = max(len(alters), 1)
    gap = 2 * math.pi * 0.04 if len(groups) > 1 else 0.0
    span = 2 * math.pi - gap * len(groups)
    pos: dict = {net.me: (0.0, 0.0)}
    start = math.pi / 2
    for _, members in groups:
        width = span * len(members) / n
        # by person_id, not strength, so each sector fills like a fan instead of a spiral
        for i, p in enumerate(sorted(members, key=str)):
            theta = start + width * (i + 0.5) / len(members)
            r = 1.0 - 0.85 * rank[p] if s[p] > 0 else 1.0
            pos[p] = (r * math.cos(theta), r * math.sin(theta))
        start += width + gap

    # edges and spokes as two collections: one artist each, whatever the number of lines
    edges = _edges_among(net, set(alters))
    if edges:
        segs = np.array([[pos[u], pos[v]] for u, v in edges])
        ax.add_collection(LineCollection(segs, colors="0.6", linewidths=0.4, alpha=0.35, zorder=1))
    spokes = s[s > 0].sort_values()
    if len(spokes):
        ends = np.array([pos[p] for p in spokes.index])
        segs = np.stack([np.zeros_like(ends), ends], axis=1)
        v = spokes.to_numpy()
        colors = np.tile(to_rgba("0.35"), (len(v), 1))
        colors[:, 3] = 0.04 + 0.3 * v**2
        ax.add_collection(LineCollection(segs, colors=colors, linewidths=0.2 + 1.2 * v**2, zorder=1))
    handles = []
    crowd = min(1.0, 300 / max(len(alters), 1))  # smaller markers when many people share the disc
    for g, (label, members) in enumerate(groups):
        color = (
            _CIRCLE_COLORS[g]
            if g < len(_CIRCLE_COLORS) and not label.startswith(("other", "no shared"))
            else OKABE_ITO["grey"]
        )
        xy = np.array([pos[p] for p in members])
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=crowd * (12 + 230 * s[members].to_numpy() ** 1.5),
            color=color,
            edgecolor="white",
            linewidth=0.5,
            zorder=3,
        )
        handles.append(Line2D([], [], ls="", marker="o", color=color, markersize=7, label=label))
    ax.scatter([0], [0], s=260, color=OKABE_ITO["black"], marker="*", zorder=4)
    handles.insert(0, Line2D([], [], ls="", marker="*", color=OKABE_ITO["black"], markersize=11, label="me"))
    handles.append(Line2D([], [], color="0.6", lw=0.8, label="shared messages"))
    ax.set_aspect("equal")
    ax.set_anchor("W")  # the disc at the left of its box: the legend beside it stays inside the figure
    ax.set_xlim(-1.4, 1.4)
    ax.set_ylim(-1.15, 1.15)
    ax.set_axis_off()
    n_circles = sum(1 for label, _ in groups if label.startswith("circle"))
    title = f"Network map: {len(alters):,} people in {n_circles} circle{'s' if n_circles != 1 else ''}"
    left_out = len(everyone) - len(alters)
    if left_out:
        title += f"\n(the {len(alters):,} strongest ties; {left_out:,} more not drawn)"
    ax.set_title(title)
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
        frameon=False,
        title="circle (people)",
        title_fontsize=8,
    )
    top = s[s > 0].sort_values(ascending=False, kind="stable").head(top_labels)
    if len(top):
        names = net.people[S.NAME].reindex(top.index)
        names = names.where(names.notna(), pd.Series(top.index, index=top.index)).astype(str)
        # labels sit just outside the disc at their tie's angle, linked to it by a thin line,
        # so they never hide the crowded centre
        xy = np.array([pos[p] for p in top.index])
        unit = xy / np.maximum(np.hypot(xy[:, 0], xy[:, 1]), 1e-9)[:, None]
        _place_labels(
            ax,
            xy[:, 0],
            xy[:, 1],
            list(names),
            directions=[(u[0], 0.0) for u in unit],
            start=[tuple(1.06 * u) for u in unit],
        )
    return ax


# --- 2. dormancy map -------------------------------------------------------------------------


def plot_dormancy_map(
    dormancy: pd.DataFrame,
    *,
    reconnect: pd.DataFrame | None = None,
    ax: Axes | None = None,
    label_top: int = 8,
) -> Axes:
    """Each tie's rhythm against its silence: who is overdue, judged by their own rhythm.

    Parameters
    ----------
    dormancy : DataFrame
        A :func:`~netanalytics.metrics.dormancy.dormancy` result (``typical_gap_days``,
        ``days_since``, ``state``).
    reconnect : DataFrame, optional
        A :func:`~netanalytics.metrics.dormancy.reconnect` result (indexed by ``person_id``); its
        people are circled and the first ``label_top`` named.
    ax : matplotlib Axes, optional
        Axes to draw on; default ``plt.gca()``.
    label_top : int, default 8
        How many reconnect candidates to name (more crowd the top of the map).

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    x = typical gap between contact days, y = days since the last contact, both log scale.
    Points above the solid diagonal (days since = typical gap) are overdue; above the
    dashed one (2 × typical gap) they are past the ``active`` rule of :func:`dormancy`.
    The dotted horizontal lines mark 1 and 3 years of silence (``dormant`` and
    ``long_dormant``). Ties with fewer than three contact days have no rhythm and are counted
    in the title, not drawn; reconnect candidates are all circled, the first ``label_top``
    named; a silence under half a day is drawn at half a day. Colours are fixed
    per state (:data:`STATE_COLORS`, Okabe–Ito).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from netanalytics.plotting import plot_dormancy_map
    >>> d = pd.DataFrame({"typical_gap_days": [7.0, 30.0, None], "days_since": [3.0, 400.0, 10.0],
    ...                   "state": ["active", "dormant", "cooling"]},
    ...                  index=pd.Index(["ann", "bob", "cy"], name="person_id"))
    >>> ax = plot_dormancy_map(d)
    >>> ax.get_xscale(), ax.get_yscale()
    ('log', 'log')
    >>> plt.close("all")
    """
    ax = _axes(ax)
    _require(dormancy, [S.TYPICAL_GAP_DAYS, S.DAYS_SINCE, S.STATE], "dormancy", "netanalytics.dormancy(net)")
    frame = dormancy.copy()
    frame[S.DAYS_SINCE] = frame[S.DAYS_SINCE].astype(float)
    frame[S.TYPICAL_GAP_DAYS] = frame[S.TYPICAL_GAP_DAYS].astype(float)
    rhythm = frame[frame[S.TYPICAL_GAP_DAYS].notna() & frame[S.DAYS_SINCE].notna()]
    n_single = len(frame) - len(rhythm)
    x = rhythm[S.TYPICAL_GAP_DAYS].clip(lower=0.5)
    y = rhythm[S.DAYS_SINCE].clip(lower=0.5)
    states = list(STATE_COLORS) + sorted(set(rhythm[S.STATE].dropna()) - set(STATE_COLORS))
    for state in states:
        sel = rhythm[S.STATE] == state
        if not sel.any():
            continue
        ax.scatter(
            x[sel],
            y[sel],
            s=22,
            color=STATE_COLORS.get(state, OKABE_ITO["black"]),
            alpha=0.8,
            edgecolor="white",
            linewidth=0.4,
            zorder=3,
            label=f"{_STATE_LABELS.get(state, state)} ({int(sel.sum())})",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    if len(rhythm):
        lo = min(x.min(), y.min()) / 1.5
        hi = max(x.max(), y.max(), 400.0) * 1.5
    else:
        lo, hi = 0.5, 2000.0
    ax.set_xlim(lo, max(x.max() * 1.5, 30.0) if len(rhythm) else hi)
    ax.set_ylim(lo, hi)
    xs = np.geomspace(lo, ax.get_xlim()[1], 50)
    ax.plot(xs, xs, color="0.25", lw=1.0, zorder=2, label="overdue: silence = typical gap")
    ax.plot(xs, 2 * xs, color="0.25", lw=1.0, ls="--", zorder=2, label="2 × typical gap")
    for days, text in ((365, "1 year"), (3 * 365, "3 years")):
        if lo < days < hi:
            ax.axhline(days, color="0.55", lw=0.8, ls=":", zorder=1)
            ax.text(
                ax.get_xlim()[1] / 1.08,
                days * 1.04,
                text,
                fontsize=7,
                color="0.3",
                va="bottom",
                ha="right",
                zorder=5,
                bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1},
            )
    ax.set_xlabel("typical gap between contacts (days, log scale)")
    ax.set_ylabel("days since last contact (log scale)")
    title = f"Dormancy map: {len(rhythm)} ties with a rhythm"
    if n_single:
        title += f"\n({n_single} without a rhythm, under 3 contact days, not shown)"
    ax.set_title(title)
    cand = pd.DataFrame(index=pd.Index([], dtype=object, name=S.PERSON_ID))
    if reconnect is not None:
        _require(reconnect, [S.NAME], "reconnect", "netanalytics.reconnect(net)")
        if reconnect.index.name != S.PERSON_ID:
            raise SchemaError(
                f"reconnect frame is indexed by {reconnect.index.name!r}, not 'person_id'. "
                "Pass the result of netanalytics.reconnect(net)."
            )
        cand = reconnect[in_index(reconnect.index, rhythm.index)]
    cx = x.reindex(cand.index).to_numpy()
    cy = y.reindex(cand.index).to_numpy()
    if len(cand):
        ax.scatter(
            cx,
            cy,
            s=70,
            facecolor="none",
            edgecolor=OKABE_ITO["black"],
            linewidth=1.1,
            zorder=4,
            label=f"reconnect candidate ({len(cand)})",
        )
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        frameon=False,
        title="state (ties)",
        title_fontsize=8,
        alignment="left",
    )
    if len(cand):
        top = slice(0, label_top)  # reconnect() ranks its rows: name the first ones only
        _place_labels(
            ax, cx[top], cy[top], list(_names(cand, None))[top], obstacles=(x.to_numpy(), y.to_numpy())
        )
    return ax


# --- 3. reciprocity ----------------------------------------------------------------------------


def plot_reciprocity(
    reciprocity: pd.DataFrame,
    *,
    ax: Axes | None = None,
    label_top: int = 8,
    names: Mapping | pd.Series | None = None,
) -> Axes:
    """Messages I sent against messages I received, per tie; one-sided ties highlighted.

    Parameters
    ----------
    reciprocity : DataFrame
        A :func:`~netanalytics.metrics.reciprocity.reciprocity` result (``sent``,
        ``received``, ``one_sided``), indexed by person_id.
    ax : matplotlib Axes, optional
        Axes to draw on; default ``plt.gca()``.
    label_top : int, default 8
        Name this many one-sided ties, the ones with most messages.
    names : mapping or Series, optional
        person_id → display name for the labels (e.g. ``net.people["name"]``); default the
        frame's ``name`` column if any, else the person_id.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Axes are sent + 1 and received + 1 on log scales (so silence in one direction still
    shows). The solid diagonal is perfect balance; the dashed ones are 4 × imbalance, the
    ``one_sided`` threshold of :func:`reciprocity`. Ties without any message either way
    (only broadcasts, meetings or invitations) are counted in the title, not drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from netanalytics.plotting import plot_reciprocity
    >>> r = pd.DataFrame({"sent": [10, 1, 3], "received": [1, 9, 3],
    ...                   "one_sided": [True, True, False]},
    ...                  index=pd.Index(["ann", "bob", "cy"], name="person_id"))
    >>> ax = plot_reciprocity(r, names={"ann": "Ann Lee"})
    >>> sorted(t.get_text() for t in ax.texts)
    ['Ann Lee', 'bob']
    >>> plt.close("all")
    """
    ax = _axes(ax)
    _require(reciprocity, [S.SENT, S.RECEIVED, S.ONE_SIDED], "reciprocity", "netanalytics.reciprocity(net)")
    frame = reciprocity[(reciprocity[S.SENT] + reciprocity[S.RECEIVED]) > 0]
    n_silent = len(reciprocity) - len(frame)
    x = frame[S.SENT].astype(float) + 1
    y = frame[S.RECEIVED].astype(float) + 1
    one = frame[S.ONE_SIDED].fillna(False).astype(bool)
    mostly_me = one & (x > y)
    mostly_them = one & (y > x)
    groups = (
        (~one, "balanced enough", OKABE_ITO["grey"], 14),
        (mostly_me, "one-sided: mostly me", OKABE_ITO["vermillion"], 26),
        (mostly_them, "one-sided: mostly them", OKABE_ITO["blue"], 26),
    )
    for sel, label, color, size in groups:
        if sel.any():
            ax.scatter(
                x[sel],
                y[sel],
                s=size,
                color=color,
                alpha=0.75,
                edgecolor="white",
                linewidth=0.4,
                zorder=3,
                label=f"{label} ({int(sel.sum())})",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    hi = max(float(x.max()) if len(x) else 10.0, float(y.max()) if len(y) else 10.0, 10.0) * 1.6
    ax.set_xlim(0.8, hi)
    ax.set_ylim(0.8, hi)
    xs = np.geomspace(0.8, hi, 50)
    ax.plot(xs, xs, color="0.25", lw=1.0, zorder=2, label="balanced (sent = received)")
    ax.plot(xs, 4 * xs, color="0.25", lw=0.8, ls="--", zorder=2, label="4 × imbalance")
    ax.plot(xs, xs / 4, color="0.25", lw=0.8, ls="--", zorder=2)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("messages I sent + 1 (log scale)")
    ax.set_ylabel("messages I received + 1 (log scale)")
    title = f"Reciprocity: {len(frame)} ties, {int(one.sum())} one-sided"
    if n_silent:
        title += f"\n({n_silent} without direct messages not shown)"
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    if label_top > 0 and one.any():
        total = (frame[S.SENT] + frame[S.RECEIVED])[one]
        top = total.sort_values(ascending=False, kind="stable").head(label_top).index
        labels = _names(frame.loc[top], names)
        dirs = [(1.0, -1.0) if mostly_me[p] else (-1.0, 1.0) for p in top]
        _place_labels(
            ax,
            x[top].to_numpy(),
            y[top].to_numpy(),
            list(labels),
            directions=dirs,
            obstacles=(x.to_numpy(), y.to_numpy()),
        )
    return ax


# --- 4. reply latency ----------------------------------------------------------------------


def _hours_text(hours: float) -> str:
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def plot_reply_latency(latencies: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """How fast replies come, both ways: my answers to them and theirs to me.

    Parameters
    ----------
    latencies : DataFrame
        One row per answered message with ``direction`` (``"mine"``/``"theirs"``) and
        ``hours``, e.g. :func:`~netanalytics.metrics.latency.reply_latencies`.
    ax : matplotlib Axes, optional
        Axes to draw on; default ``plt.gca()``.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Step histograms over log-spaced bins of hours (latencies are heavy-tailed), with each
    median as a vertical line. Dotted guides mark 1 hour, 1 day and 1 week. Latencies under
    a minute are drawn at one minute.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from netanalytics.plotting import plot_reply_latency
    >>> lat = pd.DataFrame({"person_id": ["ann", "ann", "bob"], "direction": ["mine", "theirs", "mine"],
    ...                     "hours": [0.5, 30.0, 2.0]})
    >>> ax = plot_reply_latency(lat)
    >>> ax.get_xscale()
    'log'
    >>> plt.close("all")
    """
    ax = _axes(ax)
    _require(latencies, [S.DIRECTION, S.HOURS], "latencies", "netanalytics.reply_latencies(net)")
    hours = latencies[S.HOURS].astype(float).clip(lower=1 / 60)
    valid = hours.notna()
    ax.set_xscale("log")
    if valid.any():
        lo, hi = float(hours[valid].min()), float(hours[valid].max())
        bins = np.geomspace(min(lo, 0.5) / 1.05, max(hi, 200.0) * 1.05, 31)
    else:
        bins = np.geomspace(1 / 60, 200.0, 31)
    medians = []
    for direction, label, color in (
        (S.MINE, "my replies", _MINE_COLOR),
        (S.THEIRS, "their replies", _THEIRS_COLOR),
    ):
        h = hours[valid & (latencies[S.DIRECTION] == direction)]
        if h.empty:
            continue
        ax.hist(h, bins=bins, histtype="stepfilled", color=color, alpha=0.25, zorder=2)
        ax.hist(h, bins=bins, histtype="step", color=color, lw=1.6, zorder=3, label=f"{label} (n={len(h)})")
        med = float(h.median())
        medians.append((med, color, f"{label.split()[0]} median {_hours_text(med)}"))
        ax.axvline(med, color=color, lw=1.6, ls="--", zorder=4)
    ax.set_xlim(bins[0], bins[-1])
    top = ax.get_ylim()[1] * 1.18
    ax.set_ylim(0, top)
    for h, text in ((1, "1 hour"), (24, "1 day"), (168, "1 week")):
        if bins[0] < h < bins[-1]:
            ax.axvline(h, color="0.6", lw=0.8, ls=":", zorder=1)
            ax.text(h, top * 0.985, text, fontsize=7, color="0.4", ha="center", va="top")
    for i, (med, color, text) in enumerate(sorted(medians)):
        ax.text(
            med,
            top * (0.86 - 0.08 * i),
            f" {text}",
            fontsize=8,
            color=color,
            ha="left",
            va="top",
            fontweight="bold",
            bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1},
        )
    ax.set_xlabel("time to reply (hours, log scale)")
    ax.set_ylabel("replies")
    ax.set_title("Reply latency: mine vs theirs" if medians else "Reply latency: no answered messages")
    if medians:
        ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.84), fontsize=8, framealpha=0.9)
    return ax


# --- 5. activity calendar -----------------------------------------------------------------


def plot_activity_calendar(
    interactions: pd.DataFrame, *, ax: Axes | None = None, year: int | None = None
) -> Axes:
    """Interactions per day as a calendar heatmap (weeks × weekdays), or per month × year.

    Parameters
    ----------
    interactions : DataFrame
        Rows with a ``timestamp`` column, e.g. ``net.interactions`` (one row per message ×
        counterpart).
    ax : matplotlib Axes, optional
        Axes to draw on; default ``plt.gca()``. The colour bar is an inset of this axes,
        just right of it.
    year : int, optional
        Show this calendar year day by day. Default: the only year in the data, or — when
        the data spans several years — a month × year grid of every year.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Days are UTC days; weeks start on Monday (rows Mon … Sun, top to bottom). Days without
    interactions are light grey; colours use the sequential, colour-blind-safe ``viridis``
    map (reversed: darker is busier).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from netanalytics.plotting import plot_activity_calendar
    >>> inter = pd.DataFrame({"timestamp": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-03-05"], utc=True)})
    >>> ax = plot_activity_calendar(inter)
    >>> ax.get_title()
    'Activity in 2024: 3 interactions on 2 days'
    >>> plt.close("all")
    """
    ax = _axes(ax)
    _require(interactions, [S.TIMESTAMP], "interactions", "net.interactions")
    ts = pd.to_datetime(interactions[S.TIMESTAMP], utc=True).dropna()
    days = ts.dt.floor("D").dt.tz_localize(None)
    years = sorted(days.dt.year.unique())
    cmap = plt.get_cmap("viridis_r").with_extremes(bad="#ebedf0")
    if year is None and len(years) > 1:
        counts = days.groupby([days.dt.year, days.dt.month]).size()
        grid = np.zeros((len(years), 12))
        for (y, m), c in counts.items():
            grid[years.index(y), m - 1] = c
        first, last = days.min(), days.max()
        outside = np.zeros_like(grid, dtype=bool)
        for i, y in enumerate(years):
            for m in range(12):
                month = pd.Timestamp(year=y, month=m + 1, day=1)
                outside[i, m] = month < first.replace(day=1) or month > last
        shown = np.ma.masked_array(grid, mask=(grid == 0) | outside)
        mesh = ax.pcolormesh(
            np.arange(13),
            np.arange(len(years) + 1),
            shown,
            cmap=cmap,
            edgecolors="white",
            linewidth=1.5,
            vmin=0 if shown.count() == 0 else None,
        )
        if outside.any():
            ax.pcolormesh(
                np.arange(13),
                np.arange(len(years) + 1),
                np.ma.masked_array(grid, mask=~outside),
                cmap=ListedColormap(["white"]),
                edgecolors="white",
                linewidth=1.5,
            )
        norm_max = float(grid.max()) or 1.0
        if len(years) <= 15:
            for i in range(len(years)):
                for m in range(12):
                    if grid[i, m] > 0:
                        ax.text(
                            m + 0.5,
                            i + 0.5,
                            f"{int(grid[i, m])}",
                            ha="center",
                            va="center",
                            fontsize=7,
                            color="white" if grid[i, m] > 0.55 * norm_max else "black",
                        )
        ax.set_xticks(np.arange(12) + 0.5, _MONTHS)
        ax.set_yticks(np.arange(len(years)) + 0.5, [str(y) for y in years])
        ax.invert_yaxis()
        ax.set_xlim(0, 12)
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        cbar = ax.figure.colorbar(mesh, cax=ax.inset_axes((1.02, 0.0, 0.025, 1.0)))
        cbar.set_label("interactions per month")
        ax.set_title(f"Interactions per month, {years[0]}–{years[-1]} ({len(ts):,} in total)")
        return ax

    if year is None:
        year = years[0] if years else pd.Timestamp("1970-01-01").year
    start, end = pd.Timestamp(year=year, month=1, day=1), pd.Timestamp(year=year, month=12, day=31)
    in_year = days[(days >= start) & (days <= end)]
    per_day = in_year.value_counts()
    calendar = pd.date_range(start, end, freq="D")
    origin = start - pd.Timedelta(days=start.weekday())
    week = ((calendar - origin).days // 7).to_numpy()
    weekday = calendar.day_of_week.to_numpy()
    n_weeks = int(week.max()) + 1
    grid = np.full((7, n_weeks), np.nan)
    grid[weekday, week] = per_day.reindex(calendar, fill_value=0).to_numpy()
    shown = np.ma.masked_invalid(np.where(grid == 0, np.nan, grid))
    background = np.ma.masked_array(np.zeros_like(grid), mask=np.isnan(grid))
    ax.pcolormesh(
        np.arange(n_weeks + 1),
        np.arange(8),
        background,
        cmap=ListedColormap(["#ebedf0"]),
        edgecolors="white",
        linewidth=1.2,
    )
    vmax = float(np.nanmax(grid)) if np.nansum(grid) > 0 else 1.0
    mesh = ax.pcolormesh(
        np.arange(n_weeks + 1),
        np.arange(8),
        shown,
        cmap=cmap,
        vmin=min(1.0, vmax),
        vmax=vmax,
        edgecolors="white",
        linewidth=1.2,
    )
    ax.set_aspect("equal")
    ax.set_yticks(np.arange(7) + 0.5, _WEEKDAYS, fontsize=7)
    firsts = pd.date_range(start, end, freq="MS")
    ax.set_xticks(
        ((firsts - origin).days // 7).to_numpy() + 0.5,
        [_MONTHS[d.month - 1] for d in firsts],
        fontsize=7,
        ha="left",
    )
    ax.set_xlim(0, n_weeks)
    ax.set_ylim(7, 0)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    cbar = ax.figure.colorbar(mesh, cax=ax.inset_axes((1.01, 0.0, 0.012, 1.0)))
    cbar.set_label("interactions per day", fontsize=8)
    cbar.ax.tick_params(labelsize=7)
    n_days = int((per_day > 0).sum())
    ax.set_title(
        f"Activity in {year}: {len(in_year):,} interactions on {n_days} day{'s' if n_days != 1 else ''}"
    )
    return ax


# --- 6. timeline of one relationship --------------------------------------------------------


def _extras_for(frame: pd.DataFrame, person_id: str) -> pd.DataFrame:
    if frame is None or frame.empty or S.PERSON_ID not in frame.columns:
        return pd.DataFrame(columns=[S.TIMESTAMP, S.DIRECTION])
    rows = frame[(frame[S.PERSON_ID] == person_id) & frame[S.TIMESTAMP].notna()]
    return rows[[S.TIMESTAMP, S.DIRECTION]]


def plot_timeline(net: Network, person_id: str, *, ax: Axes | None = None) -> Axes:
    """One relationship over time: my messages above the axis, theirs below, meetings and LinkedIn events.

    Parameters
    ----------
    net : Network
        The ego network.
    person_id : str
        The alter (an index value of ``net.people``).
    ax : matplotlib Axes, optional
        Axes to draw on; default ``plt.gca()``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    KeyError
        If ``person_id`` is not a person of the network.

    Notes
    -----
    Messages (email, LinkedIn) are summed per UTC day: a bar up to +n for n messages I sent
    that day, down to −n for n received. Meetings are squares on the axis; endorsements
    (stars), recommendations (diamonds) and invitations (triangles) sit above the axis when
    I gave or sent them and below when I received them. Broadcast rows are included.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from netanalytics.network import build_network
    >>> from netanalytics.plotting import plot_timeline
    >>> net = build_network(
    ...     pd.DataFrame({"timestamp": ["2024-01-01", "2024-01-02", "2024-02-01"],
    ...                   "person_id": "ann", "direction": ["out", "in", "out"],
    ...                   "channel": ["email", "email", "meeting"]}),
    ...     people=pd.DataFrame({"name": ["Ann Lee"]}, index=pd.Index(["ann"], name="person_id")))
    >>> ax = plot_timeline(net, "ann")
    >>> ax.get_title()
    'Timeline with Ann Lee: 1 sent, 1 received, 1 meeting'
    >>> plt.close("all")
    """
    ax = _axes(ax)
    if person_id not in net.people.index:
        raise KeyError(
            f"person {person_id!r} is not in net.people (person_ids look like "
            f"{', '.join(map(repr, net.alters.index[:3]))})"
        )
    name = net.people.at[person_id, S.NAME]
    name = str(name) if isinstance(name, str) and name else str(person_id)
    inter = net.interactions[net.interactions[S.PERSON_ID] == person_id]
    day = inter[S.TIMESTAMP].dt.floor("D")
    is_msg = ~inter[S.CHANNEL].isin([_MEETING, _INVITATION])
    out = inter[is_msg & (inter[S.DIRECTION] == S.OUT)].groupby(day).size()
    inn = inter[is_msg & (inter[S.DIRECTION] == S.IN)].groupby(day).size()
    meetings = inter[inter[S.CHANNEL] == _MEETING]
    handles = []
    if len(out):
        ax.vlines(out.index, 0, out.to_numpy(), color=_MINE_COLOR, lw=1.6, zorder=3)
        ax.scatter(out.index, out.to_numpy(), s=14, color=_MINE_COLOR, zorder=3)
        handles.append(
            Line2D(
                [],
                [],
                color=_MINE_COLOR,
                marker="o",
                markersize=4,
                lw=1.6,
                label=f"I wrote ({int(out.sum())})",
            )
        )
    if len(inn):
        ax.vlines(inn.index, 0, -inn.to_numpy(), color=_THEIRS_COLOR, lw=1.6, zorder=3)
        ax.scatter(inn.index, -inn.to_numpy(), s=14, color=_THEIRS_COLOR, zorder=3)
        handles.append(
            Line2D(
                [],
                [],
                color=_THEIRS_COLOR,
                marker="o",
                markersize=4,
                lw=1.6,
                label=f"they wrote ({int(inn.sum())})",
            )
        )
    if len(meetings):
        ax.scatter(
            meetings[S.TIMESTAMP],
            np.zeros(len(meetings)),
            marker="s",
            s=46,
            color=OKABE_ITO["green"],
            edgecolor="black",
            linewidth=0.5,
            zorder=4,
        )
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="s",
                color=OKABE_ITO["green"],
                markeredgecolor="black",
                markersize=7,
                label=f"meeting ({len(meetings)})",
            )
        )
    peak = max([1, *out.to_list(), *inn.to_list()])
    level = 0.5 * peak if peak > 1 else 0.5
    extras = (
        (net.endorsements, "*", OKABE_ITO["purple"], "endorsement", S.GIVEN),
        (net.recommendations, "D", OKABE_ITO["vermillion"], "recommendation", S.GIVEN),
        (net.invitations, "^", OKABE_ITO["sky_blue"], "LinkedIn invitation", S.OUT),
    )
    for frame, marker, color, label, mine in extras:
        rows = _extras_for(frame, person_id)
        if rows.empty:
            continue
        ys = np.where(rows[S.DIRECTION].to_numpy() == mine, level, -level)
        ax.scatter(
            rows[S.TIMESTAMP],
            ys,
            marker=marker,
            s=90 if marker == "*" else 50,
            color=color,
            edgecolor="black",
            linewidth=0.5,
            zorder=5,
        )
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker=marker,
                color=color,
                markeredgecolor="black",
                markersize=9 if marker == "*" else 7,
                label=f"{label} ({len(rows)})",
            )
        )
    ax.axhline(0, color="0.3", lw=0.8, zorder=2)
    lim = peak * 1.25
    ax.set_ylim(-lim, lim)
    ticks = [t for t in ax.get_yticks() if -lim <= t <= lim and float(t).is_integer()]
    ax.set_yticks(ticks, [f"{abs(int(t))}" for t in ticks])
    ax.set_ylabel("messages per day\n← received · sent →")
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("date (UTC)")
    n_meet = len(meetings)
    ax.set_title(
        f"Timeline with {name}: {int(out.sum())} sent, {int(inn.sum())} received, "
        f"{n_meet} meeting{'s' if n_meet != 1 else ''}"
    )
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    return ax


# --- 7./8. health ------------------------------------------------------------------------------


def _pretty(name: str) -> str:
    text = str(name).replace("_", " ")
    return text[:1].upper() + text[1:]


def _value_text(value: object) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return "n/a"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def plot_health(health_report, *, ax: Axes | None = None) -> Axes:
    """The network health score and what it is made of: points earned out of each component's weight.

    Parameters
    ----------
    health_report : HealthReport
        A :func:`~netanalytics.metrics.health.health` result: ``.score`` (0–100),
        ``.components`` (``component``, ``value``, ``weight``, ``points``, ``measurable``,
        ``reason``) and, when present, ``.coverage`` (printed under the bars).
    ax : matplotlib Axes, optional
        Axes to draw on; default ``plt.gca()``.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    One row per component, in report order: a light bar as long as the component's weight
    (the most points it can give) and a dark bar for the points earned, with
    ``points / weight`` and the measured value written beside it. The bar colour follows the
    share earned (≥ 2/3 green, ≥ 1/3 orange, else vermillion). A component the data cannot
    measure (``measurable`` False, or NaN points without that column) is a hatched grey bar
    labelled "not measurable": it earns no points and is left out of the score. The title
    says what the score is over ("78 / 100 over 8 of 8 components") and flags low
    confidence; the coverage statement (sources, messages, people) is written below.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> from netanalytics.plotting import plot_health
    >>> report = SimpleNamespace(score=55.0, components=pd.DataFrame({
    ...     "component": ["active_size_28d", "diversity"], "value": [12, 0.4],
    ...     "weight": [50.0, 50.0], "points": [40.0, 15.0], "reason": ["", ""]}))
    >>> ax = plot_health(report)
    >>> ax.get_title()
    'Network health: 55 / 100 over 2 of 2 components'
    >>> plt.close("all")
    """
    ax = _axes(ax)
    comp = getattr(health_report, "components", None)
    if comp is None or not hasattr(health_report, "score"):
        raise SchemaError(
            "plot_health needs a HealthReport with .score and .components "
            "(pass the result of netanalytics.health(net))"
        )
    _require(comp, [S.COMPONENT, S.WEIGHT, S.POINTS], "health components", "netanalytics.health(net)")
    comp = comp.reset_index(drop=True)
    n = len(comp)
    ys = np.arange(n)
    weight = comp[S.WEIGHT].astype(float).to_numpy()
    measurable = (
        comp[S.MEASURABLE].astype(bool) if S.MEASURABLE in comp.columns else comp[S.POINTS].notna()
    ).to_numpy()
    points = comp[S.POINTS].astype(float).fillna(0.0).to_numpy()
    share = np.divide(points, weight, out=np.zeros(n), where=weight > 0)
    colors = [
        OKABE_ITO["green"] if s >= 2 / 3 else OKABE_ITO["orange"] if s >= 1 / 3 else OKABE_ITO["vermillion"]
        for s in share
    ]
    ax.barh(ys[measurable], weight[measurable], color="0.9", edgecolor="0.7", height=0.7, zorder=1)
    ax.barh(
        ys[~measurable],
        weight[~measurable],
        color="white",
        edgecolor="0.6",
        hatch="///",
        height=0.7,
        zorder=1,
    )
    ax.barh(
        ys[measurable],
        points[measurable],
        color=np.array(colors, dtype=object)[measurable].tolist(),
        height=0.7,
        zorder=2,
    )
    wmax = float(weight.max()) if n else 1.0
    values = comp[S.VALUE] if S.VALUE in comp.columns else pd.Series([None] * n)
    for y, w, p, v, ok in zip(ys, weight, points, values, measurable):
        if not ok:
            ax.text(
                w + wmax * 0.02,
                y,
                "not measurable",
                va="center",
                ha="left",
                fontsize=8,
                color="0.35",
                style="italic",
            )
            continue
        text = f"{p:.1f} / {w:g}"
        if v is not None and not (isinstance(v, float) and math.isnan(v)):
            text += f"   (value {_value_text(v)})"
        ax.text(w + wmax * 0.02, y, text, va="center", ha="left", fontsize=8)
    ax.set_yticks(ys, [_pretty(c) for c in comp[S.COMPONENT]])
    for tick, ok in zip(ax.get_yticklabels(), measurable):
        if not ok:
            tick.set_color("0.45")
    ax.invert_yaxis()
    ax.set_xlim(0, wmax * 1.6)
    ax.set_xlabel("points (bar length = component weight)")
    ax.spines[["top", "right"]].set_visible(False)
    counted = weight > 0
    title = (
        f"Network health: {float(health_report.score):.0f} / 100 over {int((measurable & counted).sum())} "
        f"of {int(counted.sum())} components"
    )
    coverage = getattr(health_report, "coverage", None)
    if getattr(coverage, "low_confidence", False):
        title += " (low confidence)"
    ax.set_title(title)
    if coverage is not None:
        # from the figure's left edge, wrapped to its width (7.5 pt characters are ~ 4 pt wide)
        chars = max(40, int(ax.figure.get_figwidth() * 72 / 4.0 * 0.92))
        ax.annotate(
            textwrap.fill(str(coverage), chars),
            xy=(0.01, 0),
            xycoords=("figure fraction", ax.xaxis.label),
            xytext=(0, -6),
            textcoords="offset points",
            va="top",
            ha="left",
            fontsize=7.5,
            color="0.25",
        )
    handles = [
        Patch(color="0.9", ec="0.7", label="weight (most points)"),
        Patch(color=OKABE_ITO["green"], label="points earned ≥ 2/3"),
        Patch(color=OKABE_ITO["orange"], label="≥ 1/3"),
        Patch(color=OKABE_ITO["vermillion"], label="< 1/3"),
    ]
    if not measurable.all():
        handles.append(
            Patch(
                facecolor="white",
                edgecolor="0.6",
                hatch="///",
                label="not measurable\n(left out of the score)",
            )
        )
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    return ax


def plot_health_history(
    history: pd.DataFrame,
    *,
    ax: Axes | None = None,
    components: Sequence[str] | None = None,
) -> Axes:
    """The health score over time, with its main components beside it.

    Parameters
    ----------
    history : DataFrame
        A :func:`~netanalytics.metrics.health.health_history` result: indexed by period end,
        a ``score`` column (0–100) and one column per component holding its value.
    ax : matplotlib Axes, optional
        Axes to draw on; default ``plt.gca()``.
    components : sequence of str, optional
        Component columns to draw. Default: every component whose values all lie in [0, 1]
        (indices and shares such as structure, diversity, concentration, vitality,
        reciprocity); counts (size, core, growth) are on another scale and left out.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The score is the thick black line. Component values are drawn × 100 on the same
    0–100 axis, thin and coloured (Okabe–Ito); for ``concentration`` (a Gini) and
    ``vitality`` (the dormant share) lower is better, as their legend entries say. With the
    confidence columns of ``health_history`` a score taken over fewer components than the
    others (a component not measurable then, e.g. vitality in the first year) is a hollow
    marker, and a low-confidence period has a grey band behind it.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from netanalytics.plotting import plot_health_history
    >>> h = pd.DataFrame({"score": [40.0, 55.0], "size": [20.0, 30.0], "diversity": [0.5, 0.6]},
    ...                  index=pd.to_datetime(["2024-03-31", "2024-06-30"], utc=True))
    >>> ax = plot_health_history(h)
    >>> [line.get_label() for line in ax.get_lines()]
    ['score', 'diversity ×100']
    >>> plt.close("all")
    """
    ax = _axes(ax)
    _require(history, [S.SCORE], "health history", "netanalytics.health_history(net)")
    frame = history.sort_index()
    when = pd.to_datetime(frame.index)
    if components is None:
        numeric = frame.drop(columns=[S.SCORE]).select_dtypes("number")
        components = [
            c for c in numeric.columns if numeric[c].notna().any() and numeric[c].dropna().between(0, 1).all()
        ]
    missing = [c for c in components if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"health history has no {missing[0]!r} column (found: {', '.join(map(str, frame.columns))})"
        )
    ax.plot(
        when,
        frame[S.SCORE].astype(float),
        color=OKABE_ITO["black"],
        lw=2.6,
        marker="o",
        markersize=4,
        zorder=4,
        label="score",
    )
    _mark_partial_scores(ax, frame, when)
    palette = [c for c in _CIRCLE_COLORS if c != OKABE_ITO["yellow"]]
    styles = ["-", "--", "-.", ":"]
    for i, col in enumerate(components):
        label = f"{col} ×100" + (" (lower is better)" if col in _LOWER_IS_BETTER else "")
        ax.plot(
            when,
            100 * frame[col].astype(float),
            color=palette[i % len(palette)],
            lw=1.4,
            ls=styles[i % len(styles)],
            zorder=3,
            label=label,
        )
    ax.set_ylim(0, 100)
    ax.set_ylabel("score; component values × 100")
    ax.set_xlabel("period end")
    ax.grid(axis="y", color="0.9", zorder=0)
    ax.spines[["top", "right"]].set_visible(False)
    if len(frame):
        last = frame[S.SCORE].iloc[-1]
        ax.set_title(f"Network health over time: {last:.0f} / 100 at {when[-1]:%Y-%m-%d}")
    else:
        ax.set_title("Network health over time: no periods")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    return ax


def _mark_partial_scores(ax: Axes, frame: pd.DataFrame, when: pd.DatetimeIndex) -> None:
    """Hollow markers on scores taken over fewer components than the others (with the count in
    the legend), a grey band behind low-confidence periods: columns of health_history."""
    if {"n_measurable", "n_components"} <= set(frame.columns):
        partial = (frame["n_measurable"] < frame["n_components"]).to_numpy(bool)
        if partial.any():
            counts = sorted(
                {f"{m} of {n}" for m, n in frame.loc[partial, ["n_measurable", "n_components"]].values}
            )
            ax.plot(
                when[partial],
                frame.loc[partial, S.SCORE].astype(float),
                ls="none",
                marker="o",
                markersize=7,
                markerfacecolor="white",
                markeredgecolor=OKABE_ITO["black"],
                zorder=5,
                label=f"score over {' / '.join(counts)} components",
            )
    if "low_confidence" in frame.columns:
        low = frame["low_confidence"].fillna(False).to_numpy(bool)
        if low.any():
            half = pd.Timedelta(days=40)
            for i in np.flatnonzero(low):
                ax.axvspan(when[i] - half, when[i] + half, color="0.88", zorder=0, lw=0)
            ax.plot([], [], ls="none", marker="s", markersize=9, color="0.88", label="low confidence")


# --- 9. Dunbar layers ------------------------------------------------------------------------


def plot_layers(strength: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Dunbar's layers as rings: how many of my ties are in the 5, 15, 50 and 150 layers.

    Parameters
    ----------
    strength : DataFrame
        A :func:`~netanalytics.metrics.strength.tie_strength` (or ``dormancy``) result with a
        ``layer`` column (5, 15, 50, 150, missing outside).
    ax : matplotlib Axes, optional
        Axes to draw on; default ``plt.gca()``.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    One dot per tie, in the ring of its layer (innermost = 5). Layers are nested, so each
    ring's label gives the cumulative count (everyone in that layer or an inner one) beside
    Dunbar's expected size: 5, 15, 50, 150 (Zhou et al. 2005; Hill & Dunbar 2003). Ties
    outside layer 150 (no contact in the last year) are counted below the rings.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from netanalytics.plotting import plot_layers
    >>> s = pd.DataFrame({"layer": pd.array([5, 15, 15, 150, None], dtype="Int64")})
    >>> ax = plot_layers(s)
    >>> [t.get_text() for t in ax.texts][:2]
    ['Layer 5: 1 (expected 5)', 'Layer 15: 3 (expected 15)']
    >>> plt.close("all")
    """
    ax = _axes(ax)
    _require(strength, [S.LAYER], "strength", "netanalytics.tie_strength(net)")
    layer = pd.to_numeric(strength[S.LAYER], errors="coerce")
    counts = {k: int((layer == k).sum()) for k in _LAYERS}
    outside = int(layer.isna().sum())
    text_gap = math.radians(50)  # keep the top of each ring free for its label
    cumulative = 0
    for ring, k in enumerate(_LAYERS):
        inner, outer = float(ring), float(ring + 1)
        color = _LAYER_COLORS[k]
        ax.add_patch(
            Wedge(
                (0, 0), outer, 0, 360, width=1.0, facecolor=color, alpha=0.12, edgecolor="0.6", linewidth=0.8
            )
        )
        n = counts[k]
        cumulative += n
        if n:
            # rows of dots on concentric circles inside the band, angle gap at the top
            n_rows = max(1, min(4, math.ceil(n / max(8, int(12 * (ring + 0.5))))))
            radii = (
                np.linspace(inner + 0.5 / n_rows * (1 if ring else 0.6), outer - 0.5 / n_rows, n_rows)
                if n_rows > 1
                else np.array([inner + 0.55 if ring else 0.55])
            )
            lengths = radii / radii.sum()
            per_row = np.maximum(1, np.round(lengths * n).astype(int))
            per_row[-1] = n - per_row[:-1].sum()
            xs, ys = [], []
            for r, m in zip(radii, per_row):
                if m <= 0:
                    continue
                if ring:  # the whole band but a gap at the top for the label
                    thetas = math.pi / 2 + text_gap / 2 + (2 * math.pi - text_gap) * (np.arange(m) + 0.5) / m
                else:  # the label sits across the middle of the inner disc: dots go below it
                    thetas = math.radians(190) + math.radians(160) * (np.arange(m) + 0.5) / m
                xs.extend(r * np.cos(thetas))
                ys.extend(r * np.sin(thetas))
            ax.scatter(
                xs, ys, s=max(6, 40 - 6 * ring), color=color, edgecolor="white", linewidth=0.3, zorder=3
            )
        y_text = (outer - 0.5) if ring else 0.35
        ax.text(
            0,
            y_text,
            f"Layer {k}: {cumulative} (expected {k})",
            ha="center",
            va="center",
            fontsize=8,
            fontweight="bold",
            color="0.15",
            zorder=4,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
        )
    r_max = float(len(_LAYERS))
    ax.text(
        0,
        -r_max - 0.35,
        f"{outside} ties outside layer 150 (no contact in the last 365 days)",
        ha="center",
        va="top",
        fontsize=8,
        color="0.3",
    )
    ax.set_xlim(-r_max - 0.2, r_max + 0.2)
    ax.set_ylim(-r_max - 0.9, r_max + 0.2)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"Dunbar layers: {cumulative} ties in touch over the last year")
    return ax


# --- channel mix -------------------------------------------------------------------------------

#: Fixed colour of each channel (the same in every figure); channels not listed take the
#: remaining colours in order of first appearance.
CHANNEL_COLORS: dict[str, str] = {
    "email": OKABE_ITO["blue"],
    "linkedin": OKABE_ITO["sky_blue"],
    "meeting": OKABE_ITO["orange"],
    "in_person": OKABE_ITO["vermillion"],
    "call": OKABE_ITO["green"],
    "video": OKABE_ITO["purple"],
    "whatsapp": OKABE_ITO["yellow"],
    "other": OKABE_ITO["grey"],
}
_SPARE_COLORS = ("#332288", "#882255", "#117733", "#AA4499", "#44AA99", "#999933", "#661100", "#6699CC")


def plot_channel_mix(
    net: Network,
    *,
    top: int = 15,
    days: float = 365,
    as_of: object = None,
    ax: Axes | None = None,
) -> Axes:
    """Which ties live on which channels: interactions per channel for the busiest ties.

    Parameters
    ----------
    net : Network
        A loaded network (its ``interactions`` and ``people``).
    top : int, default 15
        Draw this many ties: the people with most interactions in the window.
    days : float, default 365
        The window: the ``days`` days up to ``as_of``.
    as_of : timestamp, optional
        End of the window; default the latest interaction.
    ax : matplotlib Axes, optional
        Axes to draw on; default ``plt.gca()``.

    Returns
    -------
    matplotlib.axes.Axes
        One horizontal stacked bar per person (busiest at the top), one segment per channel
        (``ax.containers``, labelled by channel, in the legend).

    Notes
    -----
    Draws :func:`netanalytics.metrics.channels.channel_mix`. A segment's length is the number
    of interactions (a message, a call, a meeting ...) with the person on that channel in the
    window. A tie that *moved channel* (its main channel in the first half of the window is
    not the one in the second half) ends with ``before → after`` ("email → whatsapp"), so a
    tie that left email for chat reads as moved, not as fading. Channel colours are fixed
    (:data:`CHANNEL_COLORS`).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import netanalytics as na
    >>> from netanalytics.plotting import plot_channel_mix
    >>> ax = plot_channel_mix(na.datasets.load_sample(), top=5)
    >>> len(ax.get_yticklabels())
    5
    >>> plt.close("all")
    """
    from netanalytics.metrics.channels import AFTER, BEFORE, MOVED, channel_mix

    ax = _axes(ax)
    table = channel_mix(net, days=days, as_of=as_of, top=top)
    if table.empty:
        ax.text(0.5, 0.5, f"No interaction in the {days:g} days to the end of the data", ha="center",
                va="center", transform=ax.transAxes)  # fmt: skip
        ax.set_axis_off()
        return ax
    end = table.attrs["as_of"]
    channels = [c for c in table.columns if c not in (BEFORE, AFTER, MOVED)]
    spare = iter(_SPARE_COLORS * 3)
    colors = {c: CHANNEL_COLORS.get(c) or next(spare) for c in channels}
    names = _names(pd.DataFrame(index=table.index), net.people[S.NAME] if S.NAME in net.people else None)
    y = np.arange(len(table))[::-1]  # busiest at the top
    left = np.zeros(len(table))
    for channel in channels:
        width = table[channel].to_numpy(dtype=float)
        ax.barh(y, width, left=left, color=colors[channel], edgecolor="white", linewidth=0.5,
                label=channel.replace("_", " "), height=0.7)  # fmt: skip
        left += width
    for yi, total, before, after, moved in zip(y, left, table[BEFORE], table[AFTER], table[MOVED]):
        if moved:
            ax.text(total + left.max() * 0.01, yi, f" {before.replace('_', ' ')} → {after.replace('_', ' ')}",
                    va="center", ha="left", fontsize=8, color="0.2")  # fmt: skip
    ax.set_yticks(y)
    ax.set_yticklabels([textwrap.shorten(n, 28, placeholder="…") for n in names])
    ax.set_xlim(0, left.max() * 1.35)
    ax.set_xlabel(f"interactions in the {days:g} days to {end:%Y-%m-%d}")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(title="channel", loc="lower right", fontsize=8, title_fontsize=8, frameon=False)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    moved = int(table[MOVED].sum())
    only = f"all on {channels[0].replace('_', ' ')}" if len(channels) == 1 else f"{len(channels)} channels"
    moves = {0: "none moved channel", 1: "1 tie moved channel"}.get(moved, f"{moved} ties moved channel")
    ax.set_title(f"Channel mix of the {len(table)} busiest ties ({only}; {moves})", fontsize=10)
    return ax
