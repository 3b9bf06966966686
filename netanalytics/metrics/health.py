"""Network health of the ego: size, structure, diversity, concentration, vitality, and a 0–100 score."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from netanalytics import schema as S
from netanalytics.exceptions import NotDefinedError
from netanalytics.identity import is_free_mail
from netanalytics.metrics.dormancy import _norm_text, contacts_last_year, dormancy, dunbar_layer
from netanalytics.metrics.reciprocity import _upto
from netanalytics.metrics.strength import _ego_graph
from netanalytics.metrics.structure import blau, ego_structure, gini, normalized_entropy
from netanalytics.network import Network

__all__ = ["HEALTH_WEIGHTS", "HealthReport", "health", "health_history"]

SIZE, CORE, STRUCTURE, DIVERSITY = "size", "core", "structure", "diversity"
CONCENTRATION, VITALITY, GROWTH, RECIPROCITY = "concentration", "vitality", "growth", "reciprocity"

#: Default weight of each score component (they sum to 100).
HEALTH_WEIGHTS: dict[str, float] = {
    SIZE: 15,
    CORE: 10,
    STRUCTURE: 15,
    DIVERSITY: 15,
    CONCENTRATION: 10,
    VITALITY: 15,
    GROWTH: 10,
    RECIPROCITY: 10,
}
_YEAR = pd.Timedelta(days=365)
_LAYERS = (5, 15, 50, 150)
_DIMENSIONS = (S.COMPANY, S.DOMAIN, S.COMMUNITY)
_STATES = (S.ACTIVE, S.COOLING, S.DORMANT, S.LONG_DORMANT)


@dataclass
class HealthReport:
    """The health of one ego network at one moment; :func:`health` builds it.

    Attributes
    ----------
    score : float
        0–100, the sum of ``components.points``.
    components : DataFrame
        One row per score component: ``component``, ``value`` (the measure), ``weight``,
        ``points`` (its share of the score) and ``reason`` (one line).
    as_of : Timestamp
    active_size_28d, size_365d : int
        Alters with ≥ 2 interactions in both directions in the last 28 days; alters with a
        contact in the last 365 days.
    layer_sizes : Series
        Alters in Dunbar layers 5, 15, 50, 150 (nested: the 15 include the 5).
    constraint, effective_size, efficiency, density : float
        Burt's measures and the alter–alter density of the last year's ego network.
    communities : int
        Louvain communities (≥ 2 alters) spanned by the last year's alters.
    bridging_ties : int
        Last year's alters sharing at most ``bridge_overlap`` neighbours with me.
    diversity : DataFrame
        Per dimension (company, domain, community): ``blau``, ``entropy``, ``categories``,
        ``n_people`` (alters with a known value).
    gini, top5_share : float
        Concentration of the last year's interaction volume across alters.
    dormant_share, cooling_share : float
        Share of the alters who were in layers 15/50 a year ago that are now dormant /
        cooling.
    new_ties_per_quarter : float
        First contacts in the last 365 days, divided by 4.
    reciprocity_balance : float
        Median over the last year's alters of (min(sent, received) + 1) / (max + 1).
    by_kind : DataFrame
        Per relationship kind and per tag: ``group_by``, ``group``, ``n_people`` and the
        number of them ``active`` / ``cooling`` / ``dormant`` / ``long_dormant``.
    """

    score: float
    components: pd.DataFrame
    as_of: pd.Timestamp
    active_size_28d: int
    size_365d: int
    layer_sizes: pd.Series
    constraint: float
    effective_size: float
    efficiency: float
    density: float
    communities: int
    bridging_ties: int
    diversity: pd.DataFrame
    gini: float
    top5_share: float
    dormant_share: float
    cooling_share: float
    new_ties_per_quarter: float
    reciprocity_balance: float
    by_kind: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{c} {p:.1f}" for c, p in zip(self.components[S.COMPONENT], self.components[S.POINTS])
        )
        return f"<HealthReport {self.as_of:%Y-%m-%d}: score {self.score:.1f} ({parts})>"


def _domain(people: pd.DataFrame) -> pd.Series:
    """Work email domain per person: ``domain``, else the first email's; free-mail is unknown."""
    first_email = people[S.EMAILS].map(lambda es: es[0].rsplit("@", 1)[-1] if es else None)
    dom = people[S.DOMAIN].astype(object).where(people[S.DOMAIN].notna(), first_email)
    return _norm_text(dom).map(lambda d: None if is_free_mail(d) else d)


def _diversity_row(values: pd.Series) -> dict[str, float]:
    known = values.dropna()
    counts = known.value_counts()
    if counts.empty:
        return {S.BLAU: np.nan, S.ENTROPY: np.nan, S.CATEGORIES: 0.0, S.N_PEOPLE: 0.0}
    return {
        S.BLAU: blau(counts),
        S.ENTROPY: normalized_entropy(counts),
        S.CATEGORIES: float(len(counts)),
        S.N_PEOPLE: float(len(known)),
    }


def _by_kind(people: pd.DataFrame, state: pd.Series) -> pd.DataFrame:
    rows = []
    st = state.reindex(people.index)
    for group_by, labels in (
        (S.KIND, people[S.KIND].map(lambda k: [k] if isinstance(k, str) and k else [])),
        (S.TAGS, people[S.TAGS]),
    ):
        exploded = labels.explode().dropna()
        for group, members in exploded.groupby(exploded, sort=True):
            s = st.loc[members.index]
            rows.append(
                {
                    S.GROUP_BY: group_by,
                    S.GROUP: group,
                    S.N_PEOPLE: len(members),
                    **{k: int((s == k).sum()) for k in _STATES},
                }
            )
    cols = [S.GROUP_BY, S.GROUP, S.N_PEOPLE, *_STATES]
    return pd.DataFrame(rows, columns=cols)


def _layers(net: Network, at: pd.Timestamp, broadcast: int) -> pd.Series:
    """Dunbar layer of every alter at ``at`` (NaN outside): the layer column of tie_strength."""
    counts = contacts_last_year(net.interactions, at, broadcast=broadcast).reindex(net.alters.index, fill_value=0)
    return pd.Series(dunbar_layer(counts.to_numpy()), index=net.alters.index, dtype=float)


def _capped(x: float, target: float) -> float:
    return float(min(x / target, 1.0)) if target > 0 and not math.isnan(x) else np.nan


def health(
    net: Network,
    as_of: object = None,
    *,
    weights: Mapping[str, float] | None = None,
    broadcast: int = 10,
    bridge_overlap: int = 1,
    renewal_target: float = 0.10,
    seed: int = 0,
    dormancy_frame: pd.DataFrame | None = None,
) -> HealthReport:
    """How big, well-structured, diverse, balanced and alive the ego network is, scored 0–100.

    Parameters
    ----------
    net : Network
        The ego network.
    as_of : timestamp-like, optional
        Moment of measurement; later interactions are ignored. Default: the latest interaction.
    weights : dict, optional
        Weight per score component (keys of :data:`HEALTH_WEIGHTS`); components not named
        keep their default weight, 0 drops one.
    broadcast : int, default 10
        Messages with more participants are left out of every measure except the
        intensities inside :func:`tie_strength`.
    bridge_overlap : int, default 1
        A last-year alter sharing at most this many neighbours with me is a bridging tie.
    renewal_target : float, default 0.10
        New ties per year, as a share of ``size_365d``, that earn full growth points.
    seed : int, default 0
        Seed of the Louvain community detection.
    dormancy_frame : DataFrame, optional
        A :func:`~netanalytics.metrics.dormancy.dormancy` result for the same ``as_of``, to
        reuse instead of computing it again.

    Returns
    -------
    HealthReport

    Raises
    ------
    NotDefinedError
        When no alter has an interaction up to ``as_of``.
    ValueError
        For unknown component names in ``weights``, or weights summing to 0.

    Notes
    -----
    **Measures.** ``active_size_28d`` counts alters with ≥ 2 interactions, at least one in
    each direction, in the 28 days to ``as_of`` (the Viva Insights "active connections").
    ``size_365d`` and ``layer_sizes`` use the layers of :func:`tie_strength` (interaction rows in the
    trailing year; Dunbar layers, Zhou et al. 2005).

    Structure is measured on the **last year's** ego network (interactions in the 365 days
    to ``as_of``), unweighted: alter–alter edges are co-participation — two alters on the same
    message — so they are a lower bound on who knows whom. Constraint, effective size and
    efficiency follow Burt (1992) and Borgatti (1997) (:func:`ego_structure`); density is
    among alters only. ``communities`` are Louvain communities (``seed``) of the alter–alter
    graph with at least two alters (isolated alters are no community). A **bridging tie** is
    a last-year alter sharing at most ``bridge_overlap`` neighbours with me: a local bridge
    (0) or nearly one — the weak-to-moderate ties that reach other circles (Granovetter
    1973; Rajkumar et al. 2022 found moderately weak ties carry most job mobility).

    Diversity over the last year's alters: Blau :math:`1 - \\sum_k p_k^2` and normalised
    entropy :math:`-\\sum_k p_k \\ln p_k / \\ln K` of company, email domain (free-mail
    domains count as unknown) and community (unknown values left out).
    Concentration: Gini and top-5 share of the last year's interaction rows per alter.

    Vitality: of the alters in layers 15 or 50 one year before ``as_of``, the share whose
    :func:`~netanalytics.metrics.dormancy.dormancy` state is now dormant or long-dormant
    (``dormant_share``) or cooling (``cooling_share``).

    **Score.** Each component maps its value to a sub-score :math:`s_c \\in [0, 1]`:

    ============== ============================ ====================================
    component      value                        sub-score
    ============== ============================ ====================================
    size           ``size_365d``                min(size / 150, 1) (Dunbar's number)
    core           alters in layer 15           min(n / 15, 1)
    structure      ``efficiency``               efficiency
    diversity      mean normalised entropy      the value
    concentration  ``gini``                     1 − gini
    vitality       ``dormant_share``            1 − dormant − cooling / 2
    growth         new ties in the year         min(new / (target × size), 1)
    reciprocity    ``reciprocity_balance``      the value
    ============== ============================ ====================================

    and :math:`\\text{points}_c = 100\\, w_c s_c / \\sum_{c\\ \\text{defined}} w_c`, so the
    points add up to the score; a component that is undefined (NaN value, e.g. no alter
    graph) gets no points and its weight is spread over the others, as its reason says.

    References
    ----------
    Burt, R. S. (1992). *Structural Holes.* Harvard University Press.
    Borgatti, S. P. (1997). Structural holes: unpacking Burt's redundancy measures.
    *Connections* 20(1).
    Granovetter, M. (1973). The strength of weak ties. *AJS* 78(6).
    Rajkumar, K. et al. (2022). A causal test of the strength of weak ties. *Science* 377.
    Zhou, W.-X. et al. (2005). Discrete hierarchical organization of social group sizes.
    *Proc. R. Soc. B* 272.
    Microsoft Viva Insights, "Active connections" metric definition.

    Examples
    --------
    >>> import pandas as pd
    >>> from netanalytics.network import build_network
    >>> net = build_network(pd.DataFrame({
    ...     "timestamp": ["2024-05-01", "2024-05-02", "2024-05-03", "2024-05-04"],
    ...     "person_id": ["ann", "ann", "bob", "bob"],
    ...     "direction": ["out", "in", "out", "in"]}))
    >>> h = health(net)
    >>> h.active_size_28d, h.size_365d, h.gini
    (2, 2, 0.0)
    >>> h.components.set_index("component").loc["concentration", ["value", "points"]].tolist()
    [0.0, 14.285714285714286]
    """
    as_of = net.resolve_as_of(as_of)
    unknown = set(weights or {}) - set(HEALTH_WEIGHTS)
    if unknown:
        raise ValueError(f"unknown health component(s) {sorted(unknown)}; use {sorted(HEALTH_WEIGHTS)}")
    w = {**HEALTH_WEIGHTS, **(weights or {})}
    if sum(w.values()) <= 0:
        raise ValueError("health weights must not all be 0")

    inter = _upto(net, as_of)
    core = inter[inter[S.N_PARTICIPANTS] <= broadcast]
    alters = net.alters
    if core.empty or not core[S.PERSON_ID].isin(alters.index).any():
        raise NotDefinedError(f"network health is not defined: no interaction with anyone up to {as_of}")
    year = core[core[S.TIMESTAMP] > as_of - _YEAR]
    year_ids = pd.Index(year[S.PERSON_ID].unique())

    last28 = core[core[S.TIMESTAMP] > as_of - pd.Timedelta(days=28)].groupby(S.PERSON_ID)
    active_28 = int(((last28.size() >= 2) & (last28[S.DIRECTION].nunique() == 2)).sum())

    layer = _layers(net, as_of, broadcast)
    size_365 = int(layer.notna().sum())
    layer_sizes = pd.Series({L: int((layer <= L).sum()) for L in _LAYERS}, name=S.LAYER)
    layer_sizes.index.name = S.LAYER

    # structure: last year's ego network, unweighted
    G = _ego_graph(net.me, year)
    ego = ego_structure(G, net.me)
    A = G.subgraph([n for n in G if n != net.me])
    community: dict = {}
    n_comm = 0
    if A.number_of_edges():
        comms = [c for c in nx.community.louvain_communities(A, weight=S.WEIGHT, seed=seed) if len(c) >= 2]
        n_comm = len(comms)
        community = {
            node: i
            for i, c in enumerate(sorted(comms, key=lambda c: (-len(c), min(map(str, c)))))
            for node in c
        }
    bridging = int(sum(1 for a in year_ids if a in A and A.degree(a) <= bridge_overlap))

    people = alters.reindex(year_ids)
    dims = {
        S.COMPANY: _norm_text(people[S.COMPANY]),
        S.DOMAIN: _domain(people),
        S.COMMUNITY: pd.Series([community.get(a) for a in year_ids], index=year_ids, dtype=object),
    }
    diversity = pd.DataFrame({d: _diversity_row(v) for d, v in dims.items()}).T
    diversity.index.name = S.DIMENSION
    mean_entropy = float(diversity[S.ENTROPY].mean()) if diversity[S.ENTROPY].notna().any() else np.nan

    volume = year.groupby(S.PERSON_ID).size()
    g = gini(volume) if len(volume) else np.nan
    top5 = float(volume.nlargest(5).sum() / volume.sum()) if len(volume) else np.nan

    dorm = dormancy(net, as_of) if dormancy_frame is None else dormancy_frame
    state = dorm[S.STATE]
    before = _layers(net, as_of - _YEAR, broadcast)
    prior = before.index[before.isin([15, 50]).fillna(False).to_numpy(dtype=bool)]
    prior_state = state.reindex(prior)
    dormant_share = float(prior_state.isin([S.DORMANT, S.LONG_DORMANT]).mean()) if len(prior) else np.nan
    cooling_share = float((prior_state == S.COOLING).mean()) if len(prior) else np.nan

    first = core.groupby(S.PERSON_ID)[S.TIMESTAMP].min()
    new_year = int((first > as_of - _YEAR).sum())
    sent = year[year[S.DIRECTION] == S.OUT].groupby(S.PERSON_ID).size().reindex(year_ids, fill_value=0)
    recv = year[year[S.DIRECTION] == S.IN].groupby(S.PERSON_ID).size().reindex(year_ids, fill_value=0)
    balance = (np.minimum(sent, recv) + 1) / (np.maximum(sent, recv) + 1)
    rec_balance = float(balance.median()) if len(balance) else np.nan

    n15 = int(layer_sizes[15])
    evenness = [f"{d} {e:.2f}" for d, e in diversity[S.ENTROPY].items() if not math.isnan(e)]
    diversity_reason = (
        "evenness (normalised entropy) of last year's contacts over " + ", ".join(evenness)
        if evenness
        else "no company, work domain or community known for last year's contacts"
    )
    comp = [
        (
            SIZE,
            float(size_365),
            _capped(size_365, 150),
            f"{size_365} people contacted in the last 365 days (full marks at Dunbar's 150)",
        ),
        (
            CORE,
            float(n15),
            _capped(n15, 15),
            (
                f"{n15} people in your inner layers (≥ 12 contacts a year; full marks at 15); "
                f"{active_28} active in the last 28 days"
            ),
        ),
        (
            STRUCTURE,
            ego[S.EFFICIENCY],
            ego[S.EFFICIENCY],
            (
                f"effective size {ego[S.EFFECTIVE_SIZE]:.1f} of {ego[S.DEGREE]:.0f} ties are non-redundant; "
                f"constraint {ego[S.CONSTRAINT]:.2f}, {n_comm} communities, {bridging} bridging ties"
            ),
        ),
        (
            DIVERSITY,
            mean_entropy,
            mean_entropy,
            diversity_reason,
        ),
        (
            CONCENTRATION,
            g,
            1 - g if not math.isnan(g) else np.nan,
            f"the top 5 people take {top5:.0%} of last year's interactions (Gini {g:.2f})",
        ),
        (
            VITALITY,
            dormant_share,
            (1 - dormant_share - cooling_share / 2) if len(prior) else np.nan,
            (
                f"of {len(prior)} close-to-medium ties a year ago, {dormant_share:.0%} went dormant and "
                f"{cooling_share:.0%} are cooling"
                if len(prior)
                else "no layer-15/50 ties a year ago to compare"
            ),
        ),
        (
            GROWTH,
            float(new_year),
            _capped(new_year, renewal_target * size_365),
            (
                f"{new_year} new ties in the last year ({new_year / 4:.1f} per quarter; "
                f"full marks at {renewal_target:.0%} of your network)"
            ),
        ),
        (
            RECIPROCITY,
            rec_balance,
            rec_balance,
            f"median give/take balance {rec_balance:.2f} across last year's ties (1 = even)",
        ),
    ]
    frame = pd.DataFrame(comp, columns=[S.COMPONENT, S.VALUE, "_sub", S.REASON])
    frame[S.WEIGHT] = frame[S.COMPONENT].map(w).astype(float)
    defined = frame["_sub"].notna() & frame[S.VALUE].notna()
    total = frame.loc[defined, S.WEIGHT].sum()
    if total <= 0:
        raise NotDefinedError("network health is not defined: every weighted component is undefined")
    frame[S.POINTS] = (100 * frame[S.WEIGHT] * frame["_sub"] / total).where(defined)
    frame.loc[~defined, S.REASON] = (
        frame.loc[~defined, S.REASON] + " — undefined, weight spread over the others"
    )
    frame = frame[[S.COMPONENT, S.VALUE, S.WEIGHT, S.POINTS, S.REASON]]

    return HealthReport(
        score=float(frame[S.POINTS].sum()),
        components=frame,
        as_of=as_of,
        active_size_28d=active_28,
        size_365d=size_365,
        layer_sizes=layer_sizes,
        constraint=float(ego[S.CONSTRAINT]),
        effective_size=float(ego[S.EFFECTIVE_SIZE]),
        efficiency=float(ego[S.EFFICIENCY]),
        density=float(ego[S.DENSITY]),
        communities=n_comm,
        bridging_ties=bridging,
        diversity=diversity,
        gini=float(g),
        top5_share=top5,
        dormant_share=dormant_share,
        cooling_share=cooling_share,
        new_ties_per_quarter=new_year / 4,
        reciprocity_balance=rec_balance,
        by_kind=_by_kind(alters, state),
    )


def health_history(net: Network, freq: str = "QE", **kwargs) -> pd.DataFrame:
    """The health score and its component values at the end of every period.

    Parameters
    ----------
    net : Network
    freq : str, default "QE"
        pandas offset alias of the periods (``"QE"`` quarter ends, ``"ME"`` month ends,
        ``"YE"`` year ends).
    **kwargs
        Passed to :func:`health` (``weights``, ``broadcast``, ...).

    Returns
    -------
    pandas.DataFrame
        Indexed by period end (UTC), from the first period end after the first interaction to
        the last one before the latest interaction; columns ``score`` and one per component
        (its value). Periods with no interaction yet are left out.

    Raises
    ------
    NotDefinedError
        When the network has no interactions.

    Notes
    -----
    Each row is :func:`health` with ``as_of`` at the period end, so it only uses what was
    known then.

    Examples
    --------
    >>> import pandas as pd
    >>> from netanalytics.network import build_network
    >>> net = build_network(pd.DataFrame({
    ...     "timestamp": ["2024-02-01", "2024-02-02", "2024-05-03", "2024-07-04"],
    ...     "person_id": ["ann", "ann", "bob", "bob"],
    ...     "direction": ["out", "in", "out", "in"]}))
    >>> hist = health_history(net)
    >>> hist.index.strftime("%Y-%m-%d").tolist(), hist["size"].tolist()
    (['2024-03-31', '2024-06-30'], [1.0, 2.0])
    """
    last = net.resolve_as_of()
    start = net.interactions[S.TIMESTAMP].min()
    ends = pd.date_range(start.normalize(), last, freq=freq)
    rows = {}
    for end in ends:
        as_of = end + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
        try:
            h = health(net, as_of, **kwargs)
        except NotDefinedError:
            continue
        rows[end] = {S.SCORE: h.score, **dict(zip(h.components[S.COMPONENT], h.components[S.VALUE]))}
    out = pd.DataFrame.from_dict(rows, orient="index", columns=[S.SCORE, *HEALTH_WEIGHTS])
    return out.astype(float)
