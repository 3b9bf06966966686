"""The HTML report: one self-contained, phone-readable page of health, dormancy and reciprocity."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence
from html import escape
from pathlib import Path

import pandas as pd

from netanalytics import schema as S
from netanalytics._figures import FigureDrawer
from netanalytics._fork import default_workers
from netanalytics.exceptions import NotDefinedError
from netanalytics.network import Network, to_utc

__all__ = ["SECTIONS", "build_report", "write_report"]

#: Section ids of the report, in the order they appear.
SECTIONS: tuple[str, ...] = (
    "health",
    "reconnect",
    "replies-owed",
    "one-sided",
    "layers",
    "channels",
    "communities",
    "load",
)

_TITLES = {
    "health": "Network health",
    "reconnect": "Reconnect",
    "replies-owed": "Replies you owe",
    "one-sided": "One-sided ties",
    "layers": "Dunbar layers",
    "channels": "Channel mix",
    "communities": "Communities and diversity",
    "load": "What was loaded",
}

# Columns of sentences: given room on wide screens.
_WIDE = (S.REASON,)

# Inline only: the page must open from a mail attachment or a USB stick, offline, with no JS.
_CSS = """
:root { color-scheme: light; --ink: #1d2430; --muted: #5b6574; --line: #dde2ea; --accent: #2b6cb0;
        --good: #2f855a; --warn: #b7791f; --bad: #c53030; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; color: var(--ink); background: #f6f7f9; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
header { margin-bottom: 1rem; }
h1 { font-size: 1.5rem; margin: 0.5rem 0 0.25rem; }
h2 { font-size: 1.2rem; margin: 0 0 0.5rem; }
p { margin: 0.4rem 0; }
.muted { color: var(--muted); font-size: 0.9rem; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 1rem;
          margin: 0 0 1rem; overflow-wrap: break-word; }
nav { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.5rem 0 1rem; }
nav a { font-size: 0.85rem; padding: 0.2rem 0.6rem; border: 1px solid var(--line); border-radius: 999px;
        color: var(--accent); text-decoration: none; background: #fff; }
.score { display: flex; align-items: center; gap: 1rem; flex-wrap: wrap; }
.score .big { font-size: 3rem; font-weight: 700; line-height: 1; }
.score .of { font-size: 1rem; color: var(--muted); font-weight: 400; }
.good { color: var(--good); } .fair { color: var(--warn); } .poor { color: var(--bad); }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: 0.5rem 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f0f3f7; font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.reason { min-width: 16rem; }
section > p { font-size: 0.95rem; }
figure { margin: 0.75rem 0; }
img { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.85rem; color: var(--muted); }
.bar { background: #e7ecf3; border-radius: 4px; height: 0.6rem; min-width: 4rem; }
.bar span { display: block; height: 100%; border-radius: 4px; background: var(--accent); }
@media (max-width: 600px) {
  main { padding: 0.5rem; }
  section { padding: 0.75rem; border-radius: 8px; }
  table { font-size: 0.85rem; }
  th, td { padding: 0.3rem 0.35rem; }
  .score .big { font-size: 2.4rem; }
  /* text-heavy tables become one card per row: no sideways scrolling to read a reason */
  table.stack thead { display: none; }
  table.stack tr { display: block; padding: 0.45rem 0; border-bottom: 1px solid var(--line); }
  table.stack td { display: block; border: 0; padding: 0.1rem 0; text-align: left; min-width: 0; }
  table.stack td.first { font-weight: 600; }
  table.stack td:empty { display: none; }
  table.stack td[data-label]:not(.first)::before { content: attr(data-label) ": "; color: var(--muted); }
}
"""


# --- small HTML helpers (every piece of data passes through _e) --------------------------


def _e(value: object) -> str:
    """HTML-escaped text of any cell; empty for missing values."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if value is pd.NaT or (isinstance(value, pd.Timestamp) and pd.isna(value)):
        return ""
    return escape(str(value), quote=True)


def _num(value: object, fmt: str = "{:.0f}") -> str:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return _e(value)
    return "" if math.isnan(x) else escape(fmt.format(x))


def _table(
    frame: pd.DataFrame,
    columns: Sequence[tuple[str, str, Callable[[object], str] | None]],
    *,
    empty: str,
    stack: bool = False,
) -> str:
    """``columns`` = (column, header, formatter or None); numeric when a formatter is given.

    ``stack`` tables turn into one card per row on a narrow screen (for tables of sentences).
    """
    if frame.empty:
        return f'<p class="muted">{escape(empty)}</p>'
    head = "".join(f'<th class="{"num" if f else ""}">{escape(h)}</th>' for _, h, f in columns)
    cell_attrs = []  # each column's <td> attributes
    for i, (col, header, fmt) in enumerate(columns):
        classes = (["num"] if fmt is not None else []) + (["reason"] if col in _WIDE else [])
        classes += ["first"] if i == 0 else []
        attrs = f' class="{" ".join(classes)}"' if classes else ""
        cell_attrs.append(attrs + (f' data-label="{escape(header, quote=True)}"' if stack else ""))
    formats = [fmt or _e for _, _, fmt in columns]
    body = [
        "<tr>" + "".join(f"<td{a}>{f(v)}</td>" for a, f, v in zip(cell_attrs, formats, row)) + "</tr>"
        for row in zip(*(frame[col].tolist() for col, _, _ in columns))
    ]
    cls = ' class="stack"' if stack else ""
    return (
        f'<div class="scroll"><table{cls}><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _section(sid: str, intro: str, *parts: str) -> str:
    return (
        f'<section id="{sid}"><h2>{escape(_TITLES[sid])}</h2>'
        + (f"<p>{intro}</p>" if intro else "")
        + "".join(parts)
        + "</section>"
    )


def _names(net: Network, ids: Iterable) -> list:
    names = net.people[S.NAME]
    return [names.get(pid, pid) for pid in ids]


def _undefined(exc: Exception) -> str:
    return f'<p class="muted">Not defined for this data: {_e(exc)}</p>'


# --- sections: each takes the metric results (or the NotDefinedError they raised) ----------------


def _fig(
    draw: Callable, caption: str, figures: FigureDrawer | None, *, size: tuple[float, float] = (6.4, 4.2)
) -> list[str]:
    """The figure (its placeholder until drawn), or nothing when figures are off.

    plotting, and pyplot, is imported only with figures, and before any worker starts.
    """
    if figures is None:
        return []
    from netanalytics import plotting

    return [figures.add(lambda ax: draw(plotting, ax), caption, size)]


def _pretty(value: object) -> str:
    return str(value).replace("_", " ") if isinstance(value, str) else value


def _health_section(h, figures: FigureDrawer | None) -> str:
    if isinstance(h, Exception):
        return _section("health", "", _undefined(h))
    grade = "good" if h.score >= 67 else ("fair" if h.score >= 40 else "poor")
    comp = h.components.copy()
    comp["_pts"] = [
        f"{p:.1f} / {w:g}" if ok else "not measurable"
        for p, w, ok in zip(comp[S.POINTS].astype(float), comp[S.WEIGHT], comp[S.MEASURABLE])
    ]
    cov = h.coverage
    structure = (
        f", {h.communities} communities, {h.bridging_ties} bridging ties" if h.communities is not None else ""
    )
    confidence = (
        f'<p class="fair"><strong>Low confidence:</strong> {_e("; ".join(cov.reasons))}.</p>'
        if cov.low_confidence
        else ""
    )
    score = (
        f'<div class="score"><div class="big {grade}">{h.score:.0f}<span class="of"> / 100</span></div>'
        f"<div><p><strong>over {cov.measurable} of {cov.components} components</strong>: the score counts only "
        f"what the loaded data can measure. {h.size_365d} people contacted in the last 365 days, "
        f"{h.active_size_28d} active in the last 28 days{structure}.</p>{confidence}"
        f'<p class="muted">{_e(cov.data)}</p>'
        f'<p class="muted">Measured on {h.as_of:%Y-%m-%d}. Each component earns points up to its '
        f"weight; one that the data cannot measure earns none and is left out of the score; the reason "
        f"says why.</p></div></div>"
    )
    table = _table(
        comp,
        [(S.COMPONENT, "Component", None), ("_pts", "Points", _e), (S.REASON, "Why", None)],
        empty="No components.",
        stack=True,
    )
    fig = _fig(
        lambda plt, ax: plt.plot_health(h, ax=ax),
        "Points earned per health component; hatched: not measurable from the loaded data",
        figures,
        size=(7.0, 4.6),
    )
    return _section("health", "", score, table, *fig)


def _reconnect_section(dorm, recon, figures: FigureDrawer | None) -> str:
    if isinstance(recon, Exception):
        return _section("reconnect", "", _undefined(recon))
    intro = (
        "Dormant ties worth reviving: formerly strong ones first, and ones that open circles your active "
        "ties do not reach (Levin, Walter &amp; Murnighan 2011: reconnecting pays, most of all with formerly "
        "strong ties)."
    )
    table = _table(
        recon.assign(**{S.STATE: recon[S.STATE].map(_pretty)}),
        [(S.NAME, "Name", None), (S.STATE, "State", None), (S.REASON, "Why", None)],
        empty="No dormant ties to suggest: everyone you were in touch with is still active or cooling.",
        stack=True,
    )
    fig = _fig(
        lambda plt, ax: plt.plot_dormancy_map(dorm, reconnect=recon, ax=ax),
        "Days since the last contact against each person's usual gap (log scales); "
        "above the diagonal is overdue, circled names are the suggestions",
        figures,
        size=(7.0, 5.0),
    )
    return _section("reconnect", intro, table, *fig)


def _owed_section(net: Network, rec, as_of, owes_days: float) -> str:
    from netanalytics.reminders import owed_reply_rows

    if isinstance(rec, Exception):
        return _section("replies-owed", "", _undefined(rec))
    rows = owed_reply_rows(net, as_of, net.people[S.NAME], owes_days, reciprocity_frame=rec)
    owed = pd.DataFrame(rows, columns=[S.NAME, S.REASON, S.DUE_DATE])
    owed = owed.sort_values(S.DUE_DATE, ascending=False, kind="stable")
    table = _table(
        owed,
        [(S.NAME, "Name", None), (S.REASON, "Message", None)],
        empty=f"No reply owed: every message you received in the last {owes_days:g} days has an answer.",
        stack=True,
    )
    intro = f"Their latest message has no answer from you yet (last {owes_days:g} days), newest first."
    return _section("replies-owed", intro, table)


def _one_sided_section(net: Network, rec, figures: FigureDrawer | None) -> str:
    if isinstance(rec, Exception):
        return _section("one-sided", "", _undefined(rec))
    one = rec[rec[S.ONE_SIDED]].sort_values(S.LOG_IMBALANCE, ascending=False, kind="stable").head(25)
    one = one.assign(**{S.NAME: _names(net, one.index)})
    one["_who"] = [  # 1 / balance: the ratio with the prior of metrics._common.balance
        f"{'you' if s > r else 'they'} write {1 / b:.1f}× more"
        for s, r, b in zip(one[S.SENT], one[S.RECEIVED], one[S.BALANCE])
    ]
    one["_sr"] = [f"{s} / {r}" for s, r in zip(one[S.SENT], one[S.RECEIVED])]
    n_one = int(rec[S.ONE_SIDED].sum())
    intro = (
        f"{n_one} ties where one side writes at least four times as much as the other (five messages or "
        "more). Some imbalance is normal; these are the extremes"
        + (", the 25 most lopsided shown." if n_one > 25 else ".")
    )

    def pct(v: object) -> str:
        return "" if pd.isna(v) else _num(100 * float(v), "{:.0f}%")

    table = _table(
        one,
        [
            (S.NAME, "Name", None),
            ("_who", "Balance", None),
            ("_sr", "Sent / received", None),
            (S.INITIATION_SHARE, "You start", pct),
            (S.THEIR_REPLY_RATE, "They answer", pct),
        ],
        empty="No one-sided ties: give and take is within a factor of four with everyone.",
        stack=True,
    )
    fig = _fig(
        lambda plt, ax: plt.plot_reciprocity(rec, names=net.people[S.NAME], ax=ax),
        "Messages sent against received, per person; one-sided ties highlighted",
        figures,
        size=(7.0, 5.0),
    )
    return _section("one-sided", intro, table, *fig)


def _layers_section(net: Network, ts, figures: FigureDrawer | None) -> str:
    if isinstance(ts, Exception):
        return _section("layers", "", _undefined(ts))
    layer = ts[S.LAYER]
    rows = []
    for size, rule in ((5, "≥ 52 contacts a year"), (15, "≥ 12"), (50, "≥ 4"), (150, "≥ 1")):
        within = (layer <= size).fillna(False).to_numpy(dtype=bool)
        exactly = (layer == size).fillna(False).to_numpy(dtype=bool)
        inner = ts[exactly].sort_values(S.STRENGTH, ascending=False, kind="stable")
        names = _names(net, inner.index[:8])
        more = len(inner) - len(names)
        rows.append(
            {
                S.LAYER: f"{size}",
                S.N_PEOPLE: int(within.sum()),
                "_rule": rule,
                "_who": ", ".join(map(str, names)) + (f" and {more} more" if more > 0 else ""),
            }
        )
    intro = (
        "People grouped by how many contacts (messages either way, meetings) you had in the last year (Dunbar's layers: about 5, 15, 50 and "
        "150 people; each layer includes the inner ones)."
    )
    table = _table(
        pd.DataFrame(rows),
        [
            (S.LAYER, "Layer", None),
            (S.N_PEOPLE, "People", _num),
            ("_rule", "Rule", None),
            ("_who", "Strongest there", None),
        ],
        empty="No contacts in the last year.",
        stack=True,
    )
    fig = _fig(
        lambda plt, ax: plt.plot_layers(ts, ax=ax), "Your ties in Dunbar's layers", figures, size=(6.0, 6.0)
    )
    return _section("layers", intro, table, *fig)


def _channels_section(net: Network, mix, figures: FigureDrawer | None) -> str:
    """Which channels the last year's ties live on, and the ties that moved channel."""
    from netanalytics.metrics.channels import AFTER, BEFORE, MOVED

    if isinstance(mix, Exception):
        return _section("channels", "", _undefined(mix))
    if mix.empty:
        return _section("channels", "", '<p class="muted">No interaction in the last year.</p>')
    counts = mix.drop(columns=[BEFORE, AFTER, MOVED]).sum()
    shares = ", ".join(f"{_pretty(c)} {n / counts.sum():.0%}" for c, n in counts.items())
    several = int((mix.drop(columns=[BEFORE, AFTER, MOVED]) > 0).sum(axis=1).gt(1).sum())
    moved = mix[mix[MOVED]]
    moves = "; ".join(
        f"{name} ({_pretty(b)} → {_pretty(a)})"
        for name, b, a in zip(_names(net, moved.index[:8]), moved[BEFORE], moved[AFTER])
    )
    more = f" and {len(moved) - 8} more" if len(moved) > 8 else ""
    intro = (
        f"Your interactions of the last 365 days by channel: {_e(shares)}. {several} of {len(mix)} ties use "
        f"more than one channel. "
        + (
            f"{len(moved)} moved channel (their main channel in the last six months is not the one of the six "
            f"months before; still in touch, elsewhere): {_e(moves)}{more}."
            if len(moved)
            else "No tie moved channel over the year."
        )
    )
    fig = _fig(
        lambda plt, ax: plt.plot_channel_mix(net, ax=ax, as_of=mix.attrs["as_of"]),
        "Interactions per channel with your busiest ties over the last year",
        figures,
        size=(7.0, 5.0),
    )
    return _section("channels", intro, *fig)


def _communities_section(net: Network, h, ts, figures: FigureDrawer | None) -> str:
    if isinstance(h, Exception):
        return _section("communities", "", _undefined(h))
    intro = (
        f"Last year's contacts form {h.communities} communities: people who appear on the same messages "
        f"(we only see what passes through you, so this is a lower bound). {h.bridging_ties} ties share at "
        f"most one acquaintance with you: bridges to other circles. Diversity is 0 when everyone is alike "
        f"and 1 when contacts spread evenly."
    )
    table = _table(
        h.diversity.reset_index(),
        [
            (S.DIMENSION, "Over", None),
            (S.CATEGORIES, "Groups", _num),
            (S.N_PEOPLE, "People known", _num),
            (S.BLAU, "Blau", lambda v: _num(v, "{:.2f}")),
            (S.ENTROPY, "Evenness", lambda v: _num(v, "{:.2f}")),
        ],
        empty="No diversity measures.",
    )
    parts = [table]
    if len(h.by_kind):
        parts.append("<p>By relationship kind and tag (from your annotations and contact labels):</p>")
        parts.append(
            _table(
                h.by_kind,
                [
                    (S.GROUP_BY, "By", None),
                    (S.GROUP, "Group", None),
                    (S.N_PEOPLE, "People", _num),
                    (S.ACTIVE, "Active", _num),
                    (S.COOLING, "Cooling", _num),
                    (S.DORMANT, "Dormant", _num),
                    (S.LONG_DORMANT, "Long dormant", _num),
                ],
                empty="",
            )
        )
    if not isinstance(ts, Exception):
        parts += _fig(
            lambda plt, ax: plt.plot_network_map(net, strength=ts, ax=ax),
            "Your network: circles of people who share messages; stronger ties sit nearer the centre",
            figures,
            size=(9.0, 5.6),
        )
    return _section("communities", intro, *parts)


def _load_section(net: Network) -> str:
    rep = net.report
    frame = rep.to_frame()
    real = [p for p in frame["path"] if not p.startswith("(")]
    try:
        root = os.path.commonpath(real) if len(real) > 1 else ""
    except ValueError:  # relative and absolute paths mixed
        root = ""
    if root:
        frame["path"] = [p[len(root) :].lstrip("/\\") if p.startswith(root) else p for p in frame["path"]]
    intro = (
        f"{rep.read} records read, {rep.kept} kept, {rep.skipped} skipped (with the reason)"
        + "".join(
            f"; {stage.n_skipped} of the kept left out at {_e(stage.path.strip('()'))} ("
            + _e(", ".join(f"{reason}: {n}" for reason, n in stage.skipped.most_common()))
            + ")"
            for stage in rep.stages
            if stage.n_skipped
        )
        + (f"; files under <code>{_e(root)}</code>" if root else "")
        + ". Message bodies are never kept."
    )
    table = _table(
        frame,
        [
            ("path", "File", None),
            ("kind", "Read as", None),
            ("read", "Read", _num),
            ("kept", "Kept", _num),
            ("skipped", "Skipped", _num),
            ("reasons", "Why skipped", None),
        ],
        empty="No load report (the network was built in memory).",
        stack=True,
    )
    parts = [table]
    if rep.missing:
        parts.append("<p>Not found in the exports: " + ", ".join(_e(m) for m in rep.missing) + "</p>")
    return _section("load", intro, *parts)


def _header(net: Network, as_of) -> str:
    inter = net.interactions
    me = net.people.loc[net.me, S.NAME] if net.me in net.people.index else net.me
    n_alters = int((~net.people[S.IS_ME]).sum())
    when = as_of if as_of is not None else (inter[S.TIMESTAMP].max() if len(inter) else None)
    span = (
        f"{len(inter)} interactions from {inter[S.TIMESTAMP].min():%Y-%m-%d} to {inter[S.TIMESTAMP].max():%Y-%m-%d}"
        if len(inter)
        else "no interactions"
    )
    channels = ", ".join(f"{c} {n}" for c, n in inter[S.CHANNEL].value_counts().items()) if len(inter) else ""
    nav = "".join(f'<a href="#{sid}">{escape(_TITLES[sid])}</a>' for sid in SECTIONS)
    return (
        f"<header><h1>Your professional network</h1>"
        f"<p>{_e(me)} · {n_alters} people · {_e(span)}"
        + (f" ({_e(channels)})" if channels else "")
        + "</p>"
        + (f'<p class="muted">As of {when:%Y-%m-%d}.</p>' if when is not None else "")
        + f"<nav>{nav}</nav></header>"
    )


def _attempt(fn: Callable, *args, **kwargs):
    """The metric's result, or the NotDefinedError it raised (shown in its section)."""
    try:
        return fn(*args, **kwargs)
    except NotDefinedError as exc:
        return exc


def build_report(
    net: Network,
    *,
    as_of: object = None,
    n_reconnect: int = 15,
    owes_days: float = 30,
    figures: bool = True,
    workers: int | None = None,
) -> str:
    """Render the network report as one self-contained HTML page.

    Parameters
    ----------
    net : Network
        The network.
    as_of : datetime-like, optional
        Moment of measurement for every metric (naive means UTC). Default: the latest
        interaction, as in the metrics.
    n_reconnect : int, default 15
        Number of reconnection suggestions listed.
    owes_days : float, default 30
        Unanswered messages at most this old are listed as replies owed.
    figures : bool, default True
        Embed the figures (PNG, base64). Without them the page is text and tables only.
    workers : int, optional
        1 computes every metric and draws every figure here. N > 1 computes reciprocity, tie
        strength and the channel mix in a forked worker while this process computes dormancy,
        health and then reconnect; draws each section's figures in a forked worker started as the
        section is written; and shares those of the last section between this process and
        N - 1 workers (Notes). Default: 2 where the fork
        start method is available (Linux; not Windows or macOS), 1 on a one-core machine,
        without fork, or while other threads run in this process (a Jupyter kernel; see
        :func:`netanalytics._fork.default_workers`). The page is the same either way, to
        the byte.

    Returns
    -------
    str
        The HTML document.

    Notes
    -----
    Sections, in order (ids in :data:`SECTIONS`): the health score and its reasons,
    reconnection suggestions with their reasons, replies owed, one-sided ties, Dunbar
    layers, the channel mix (which ties live on which channels, which moved channel),
    communities and diversity, and the load summary (what was read, kept and
    skipped).

    The page is one file with no external resource: CSS inline, figures as
    ``data:image/png;base64`` URIs, no JavaScript, and a Content-Security-Policy that
    forbids scripts and remote loads. Every name, subject, company, path and reason is
    escaped with :func:`html.escape`, so a contact called ``<script>…</script>`` is shown as
    text. The layout is responsive: tables scroll sideways inside their box on a phone and
    images shrink to the screen width.

    With ``workers`` = N > 1 the work is shared between forked worker processes, which
    inherit the network and the results computed so far. One, forked first, computes
    reciprocity, tie strength and the channel mix and sends them back (pickled) while this
    process computes dormancy and health; the sections of the three are written (their
    figures start) before this process computes reconnect. The figures are drawn by workers
    that send back their HTML: a section's figures by a worker started as soon as the
    section is written, while this process goes on; those of the last sections by this
    process and N - 1 workers. The metrics the first worker computed are not kept in the network's memo
    (a later ``reciprocity(net)`` computes again). A metric's or figure's error is raised
    here with its message, as it would be in place (from a worker with its traceback as the
    cause), and no worker is left running.

    Examples
    --------
    >>> import pandas as pd
    >>> from netanalytics.network import build_network
    >>> net = build_network(
    ...     pd.DataFrame({"timestamp": ["2024-05-01", "2024-05-02"], "person_id": ["ann", "ann"],
    ...                   "direction": ["out", "in"]}),
    ...     people=pd.DataFrame({"name": ["<b>Ann</b>"]}, index=pd.Index(["ann"], name="person_id")))
    >>> page = build_report(net, figures=False)
    >>> "<b>Ann</b>" in page, "&lt;b&gt;Ann&lt;/b&gt;" in page
    (False, True)
    """
    if as_of is not None:
        as_of = to_utc(as_of)
    from netanalytics.metrics.channels import channel_mix
    from netanalytics.metrics.dormancy import dormancy, reconnect
    from netanalytics.metrics.health import health
    from netanalytics.metrics.reciprocity import reciprocity
    from netanalytics.metrics.strength import tie_strength

    if workers is None:
        workers = default_workers()
    elif workers < 1:
        raise ValueError(f"build_report: workers={workers!r}; give 1 (draw in place) or more")
    owed_as_of = as_of if as_of is not None or net.interactions.empty else net.resolve_as_of()
    with FigureDrawer(workers) as drawer:  # the sections hold placeholders; fill draws the figures
        draw = drawer if figures else None
        # with workers: reciprocity, tie strength and the channel mix are computed in a worker
        # while dormancy and health are computed here; their sections are written (and their
        # figures start drawing in workers) before reconnect is computed here, so that no core
        # waits; each section's figures start as soon as it is written, the page keeps its order
        later = drawer.compute(
            lambda: (
                _attempt(reciprocity, net, as_of=as_of, owes_days=owes_days),
                _attempt(tie_strength, net, as_of=as_of),
                _attempt(channel_mix, net, as_of=as_of),
            )
        )
        dorm = _attempt(dormancy, net, as_of=as_of)
        h = _attempt(health, net, as_of=as_of, dormancy_frame=None if isinstance(dorm, Exception) else dorm)
        health_part = _health_section(h, draw)
        drawer.start()
        if draw is not None:
            drawer.warm_up()  # while the worker's metrics come in
        rec, ts, mix = later()
        gives = [_owed_section(net, rec, owed_as_of, owes_days), _one_sided_section(net, rec, draw)]
        drawer.start()
        layers = _layers_section(net, ts, draw)
        drawer.start()
        recon = (
            dorm
            if isinstance(dorm, Exception)
            else _attempt(reconnect, net, n=n_reconnect, as_of=as_of, dormancy_frame=dorm)
        )
        reconnect_part = _reconnect_section(dorm, recon, draw)
        drawer.start()
        body = [_header(net, as_of), health_part, reconnect_part, *gives, layers]
        body += [
            _channels_section(net, mix, draw),
            _communities_section(net, h, ts, draw),
            _load_section(net),
        ]
        text = drawer.fill("".join(body))
    csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="referrer" content="no-referrer">'
        "<title>netanalytics report</title>"
        f"<style>{_CSS}</style></head>"
        f"<body><main>{text}"
        '<footer class="muted"><p>Made with netanalytics, offline, from your own files. '
        "Metrics are defined in the documentation; nothing here was sent anywhere.</p></footer>"
        "</main></body></html>\n"
    )


def write_report(net: Network, path: str | os.PathLike, **kwargs) -> Path:
    """Write :func:`build_report` to ``path`` (UTF-8) and return the path.

    Parameters
    ----------
    net : Network
    path : path
        Target ``.html`` file; its folder must exist.
    **kwargs
        Passed to :func:`build_report` (``as_of``, ``n_reconnect``, ``figures``).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> from netanalytics.network import build_network
    >>> net = build_network(pd.DataFrame({"timestamp": ["2024-05-01"], "person_id": ["ann"], "direction": ["out"]}))
    >>> out = write_report(net, pathlib.Path(tempfile.mkdtemp()) / "r.html", figures=False)
    >>> out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    True
    """
    path = Path(path)
    path.write_text(build_report(net, **kwargs), encoding="utf-8")
    return path
