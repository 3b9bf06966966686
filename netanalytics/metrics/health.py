"""Network health of the ego: size, structure, diversity, concentration, vitality, and a 0–100 score."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from netanalytics import schema as S
from netanalytics.exceptions import NotDefinedError
from netanalytics.identity import is_free_mail
from netanalytics.metrics._common import (
    BALANCE_PRIOR,
    balance,
    in_index,
    interactions_upto,
    memoised,
    normalized_text,
    one_sided,
)
from netanalytics.metrics.dormancy import contacts_last_year, dormancy_at, dunbar_layer
from netanalytics.metrics.structure import blau, ego_structure_of_edges, gini, normalized_entropy
from netanalytics.network import Network, _louvain, coparticipation, edge_order

__all__ = [
    "COMPONENTS",
    "HEALTH_WEIGHTS",
    "MIN_EVIDENCE",
    "Component",
    "Coverage",
    "HealthReport",
    "health",
    "health_history",
    "HISTORY_COLUMNS",
]

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
#: Default minimum evidence of a confident score (see :func:`health`, Notes): messages I sent
#: and received and people in contact in the last 365 days, and the share of the total weight
#: whose components are measurable.
MIN_EVIDENCE: dict[str, float] = {"sent": 20, "received": 20, "ties": 15, "measurable_share": 0.5}
_YEAR = pd.Timedelta(days=365)
_LAYERS = (5, 15, 50, 150)
_DIMENSIONS = (S.COMPANY, S.DOMAIN, S.COMMUNITY)
_STATES = (S.ACTIVE, S.COOLING, S.DORMANT, S.LONG_DORMANT)
#: A diversity dimension counts when known for at least this share of last year's contacts (and 2).
_MIN_KNOWN_SHARE = 0.2
#: Channels whose messages can show two of my contacts together (co-recipients, attendees).
_GROUP_CHANNELS = ("email", "meeting")


class Component(NamedTuple):
    """One score component, as a component function returns it."""

    value: float
    points: float
    weight: float
    reason: str
    measurable: bool


@dataclass(frozen=True)
class Coverage:
    """What evidence a :class:`HealthReport` stands on; ``str()`` gives the one-line statement.

    Attributes
    ----------
    sources : tuple of str
        Sources loaded (``people.sources`` and ``messages.source``; the interaction channels
        for a network built by hand).
    sent, received : int
        Interaction rows out / in in the 365 days to ``as_of`` (broadcasts left out).
    ties : int
        People in contact in those 365 days.
    group_ties : int
        Of them, people seen on at least one group message or meeting (the alter–alter
        evidence of structure).
    connections : int
        LinkedIn connections made up to ``as_of``.
    first_interaction : Timestamp
        The earliest interaction up to ``as_of`` (NaT without any).
    measurable : int
        Components with weight > 0 the data can measure ...
    components : int
        ... out of this many.
    low_confidence : bool
        True when any minimum of evidence is not met; ``reasons`` says which.
    reasons : tuple of str
    """

    sources: tuple[str, ...]
    sent: int
    received: int
    ties: int
    group_ties: int
    connections: int
    first_interaction: pd.Timestamp
    measurable: int
    components: int
    low_confidence: bool
    reasons: tuple[str, ...] = ()

    @property
    def data(self) -> str:
        """The statement of sources and counts, without the confidence verdict."""
        since = (
            ""
            if pd.isna(self.first_interaction)
            else f"; interactions since {self.first_interaction:%Y-%m-%d}"
        )
        text = (
            f"Data: {', '.join(self.sources) or 'no source'}. Last 365 days: {self.sent:,} sent and "
            f"{self.received:,} received with {self.ties:,} people ({self.group_ties:,} of them on group "
            f"messages or meetings); {self.connections:,} LinkedIn connections{since}."
        )
        return text

    def __str__(self) -> str:
        verdict = " Low confidence: " + "; ".join(self.reasons) + "." if self.low_confidence else ""
        return self.data + verdict


@dataclass
class HealthReport:
    """The health of one ego network at one moment; :func:`health` builds it.

    Attributes
    ----------
    score : float
        0–100 over the measurable components: 100 × (sum of their points) / (sum of their
        weights). NaN points of unmeasurable components are not counted as zero.
    components : DataFrame
        One row per score component: ``component``, ``value`` (the measure; NaN when not
        measurable), ``weight``, ``points`` (0 … weight; NaN when not measurable),
        ``measurable`` (bool) and ``reason`` (one line; for an unmeasurable component, what
        evidence is missing and how to add it).
    coverage : Coverage
        The evidence behind the score and whether it is low-confidence; ``str(coverage)`` is
        the statement to print beside the score.
    as_of : Timestamp
    active_size_28d, size_365d : int
        Alters with ≥ 2 interactions in both directions in the last 28 days; alters with a
        contact in the last 365 days.
    layer_sizes : Series
        Alters in Dunbar layers 5, 15, 50, 150 (nested: the 15 include the 5).
    constraint, effective_size, efficiency, density : float
        Burt's measures and the alter–alter density of the last year's ego network; NaN
        when structure is not measurable.
    communities : int or None
        Louvain communities (≥ 2 alters) spanned by the last year's alters; None when
        structure is not measurable.
    bridging_ties : int or None
        Last year's alters sharing at most ``bridge_overlap`` neighbours with me; None when
        structure is not measurable.
    diversity : DataFrame
        Per dimension (company, domain, community): ``blau``, ``entropy``, ``categories``,
        ``n_people`` (alters with a known value).
    gini, top5_share : float
        Concentration of the last year's interaction volume across alters.
    dormant_share, cooling_share : float
        Share of the alters who were in layers 15/50 a year ago that are now dormant /
        cooling.
    new_ties_per_quarter : float
        New ties (first LinkedIn connection or first contact) in the last 365 days, / 4.
    reciprocity_balance : float
        Median over the last year's alters of the shrunk balance
        (min(sent, received) + 1) / (max + 1); NaN when reciprocity is not measurable.
    by_kind : DataFrame
        Per relationship kind and per tag: ``group_by``, ``group``, ``n_people`` and the
        number of them ``active`` / ``cooling`` / ``dormant`` / ``long_dormant``.
    """

    score: float
    components: pd.DataFrame
    coverage: Coverage
    as_of: pd.Timestamp
    active_size_28d: int
    size_365d: int
    layer_sizes: pd.Series
    constraint: float
    effective_size: float
    efficiency: float
    density: float
    communities: int | None
    bridging_ties: int | None
    diversity: pd.DataFrame
    gini: float
    top5_share: float
    dormant_share: float
    cooling_share: float
    new_ties_per_quarter: float
    reciprocity_balance: float
    by_kind: pd.DataFrame = field(repr=False)

    @property
    def low_confidence(self) -> bool:
        """True when the evidence is below :data:`MIN_EVIDENCE` (``coverage.reasons`` says why)."""
        return self.coverage.low_confidence

    @property
    def headline(self) -> str:
        """The score and what it is over, e.g. ``"72/100 over 6 of 8 components (low confidence)"``."""
        c = self.coverage
        text = f"{self.score:.0f}/100 over {c.measurable} of {c.components} components"
        return text + (" (low confidence)" if c.low_confidence else "")

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{c} {p:.1f}/{w:g}" if m else f"{c} not measurable"
            for c, p, w, m in zip(
                self.components[S.COMPONENT],
                self.components[S.POINTS],
                self.components[S.WEIGHT],
                self.components[S.MEASURABLE],
            )
        )
        return f"<HealthReport {self.as_of:%Y-%m-%d}: score {self.score:.1f}, {self.headline} ({parts})>"


def _domain(people: pd.DataFrame) -> pd.Series:
    """Work email domain per person: ``domain``, else the first email's; free-mail is unknown."""
    first_email = people[S.EMAILS].map(lambda es: es[0].rsplit("@", 1)[-1] if es else None)
    dom = people[S.DOMAIN].astype(object).where(people[S.DOMAIN].notna(), first_email)
    return normalized_text(dom).map(lambda d: None if is_free_mail(d) else d)


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
    counts = contacts_last_year(net.interactions, at, broadcast=broadcast).reindex(
        net.alters.index, fill_value=0
    )
    return pd.Series(dunbar_layer(counts.to_numpy()), index=net.alters.index, dtype=float)


@dataclass
class _Evidence:
    """Everything the component functions read, measured once per :func:`health` call."""

    as_of: pd.Timestamp
    year_ids: pd.Index
    first_interaction: pd.Timestamp
    channels: frozenset
    active_28: int
    size_365: int
    layer_sizes: pd.Series
    ego: pd.Series
    structure_ok: bool
    group_ties: int
    min_group_share: float
    n_comm: int
    bridging: int
    diversity: pd.DataFrame
    volume: pd.Series
    gini: float
    top5: float
    n_prior: int
    dormant_share: float
    cooling_share: float
    new_ties: int
    new_connections: int
    evidence_start: pd.Timestamp
    renewal_target: float
    sent: pd.Series
    received: pd.Series
    balance: pd.Series


def _scored(weight: float, value: float, share: float, reason: str) -> Component:
    """A measurable component: its sub-score ``share`` (clipped to [0, 1]) times its weight."""
    return Component(
        float(value), float(weight) * min(max(float(share), 0.0), 1.0), float(weight), reason, True
    )


def _not_measurable(weight: float, reason: str) -> Component:
    return Component(np.nan, np.nan, float(weight), reason, False)


def _size(m: _Evidence, weight: float) -> Component:
    """People contacted in the last 365 days; full marks at Dunbar's 150."""
    return _scored(
        weight,
        m.size_365,
        m.size_365 / 150,
        f"{m.size_365} people contacted in the last 365 days (full marks at Dunbar's 150)",
    )


def _core(m: _Evidence, weight: float) -> Component:
    """People in layer 15 (≥ 12 contacts a year); full marks at 15."""
    n15 = int(m.layer_sizes[15])
    return _scored(
        weight,
        n15,
        n15 / 15,
        f"{n15} people in your inner layers (≥ 12 contacts a year; full marks at 15); "
        f"{m.active_28} active in the last 28 days",
    )


def _structure(m: _Evidence, weight: float) -> Component:
    """Burt efficiency of the last year's ego network; needs alter–alter evidence."""
    if not m.structure_ok:
        if m.group_ties == 0 and not m.channels & set(_GROUP_CHANNELS):
            why = "no source shows ties between your contacts: load mail or a calendar"
        elif m.group_ties == 0:
            why = (
                "no group message or meeting in the last 365 days shows ties between your contacts: "
                "load mail or a calendar"
            )
        else:
            why = (
                f"only {m.group_ties} of {m.size_365} contacts ({m.group_ties / max(m.size_365, 1):.0%}) appear "
                f"on group messages or meetings, too few to tell redundant ties from unseen ones (at least "
                f"{m.min_group_share:.0%} needed): load more mail or a calendar"
            )
        return _not_measurable(weight, why)
    e = m.ego
    return _scored(
        weight,
        e[S.EFFICIENCY],
        e[S.EFFICIENCY],
        f"effective size {e[S.EFFECTIVE_SIZE]:.1f} of {e[S.DEGREE]:.0f} ties are non-redundant; "
        f"constraint {e[S.CONSTRAINT]:.2f}, {m.n_comm} communities, {m.bridging} bridging ties",
    )


def _diversity(m: _Evidence, weight: float) -> Component:
    """Mean normalised entropy of company, work domain and community, over the dimensions known enough."""
    n = m.diversity[S.N_PEOPLE]
    ties = len(m.year_ids)
    enough = (n >= 2) & (n >= _MIN_KNOWN_SHARE * ties)
    entropy = m.diversity.loc[enough, S.ENTROPY].dropna()
    thin = [f"{d} known for {n[d]:.0f} of {ties}" for d in m.diversity.index[~enough & (n > 0)]]
    notes = ([] if m.structure_ok else ["community (structure not measurable)"]) + thin
    left_out = f"; left out: {', '.join(notes)}" if notes else ""
    if entropy.empty:
        return _not_measurable(
            weight, f"no company, work domain or community known for enough of last year's contacts{left_out}"
        )
    parts = ", ".join(f"{d} {e:.2f} ({n[d]:.0f} known)" for d, e in entropy.items())
    return _scored(
        weight,
        entropy.mean(),
        entropy.mean(),
        f"evenness (normalised entropy) of last year's {ties} contacts over {parts}{left_out}",
    )


def _concentration(m: _Evidence, weight: float) -> Component:
    """1 − Gini of last year's interactions per alter; needs ≥ 2 people in contact."""
    if len(m.volume) < 2:
        return _not_measurable(
            weight, f"{len(m.volume)} people in contact in the last 365 days: a spread needs two"
        )
    return _scored(
        weight,
        m.gini,
        1 - m.gini,
        f"the top 5 people take {m.top5:.0%} of last year's interactions (Gini {m.gini:.2f})",
    )


def _vitality(m: _Evidence, weight: float) -> Component:
    """1 − dormant − cooling/2 among last year's layer-15/50 ties; needs a year of history."""
    if m.first_interaction > m.as_of - _YEAR:
        return _not_measurable(
            weight,
            f"needs interactions from before {m.as_of - _YEAR:%Y-%m-%d} (yours start on "
            f"{m.first_interaction:%Y-%m-%d}): load older mail",
        )
    if m.n_prior == 0:
        return _not_measurable(weight, "no layer-15/50 ties a year ago to compare")
    return _scored(
        weight,
        m.dormant_share,
        1 - m.dormant_share - m.cooling_share / 2,
        f"of {m.n_prior} close-to-medium ties a year ago, {m.dormant_share:.0%} went dormant and "
        f"{m.cooling_share:.0%} are cooling",
    )


def _growth(m: _Evidence, weight: float) -> Component:
    """New ties (connection or first contact) in the last 365 days; needs a year of evidence before."""
    if m.evidence_start > m.as_of - _YEAR:
        return _not_measurable(
            weight,
            f"needs ties known from before {m.as_of - _YEAR:%Y-%m-%d} to tell the new ones (your earliest "
            f"starts on {m.evidence_start:%Y-%m-%d}): load older mail or your LinkedIn connections",
        )
    target = max(m.renewal_target * m.size_365, 1.0)
    by_contact = m.new_ties - m.new_connections
    return _scored(
        weight,
        m.new_ties,
        m.new_ties / target,
        f"{m.new_ties} new ties in the last year ({m.new_connections} LinkedIn connections, {by_contact} "
        f"more by first contact; {m.new_ties / 4:.1f} per quarter; full marks at "
        f"{m.renewal_target:.0%} of your network)",
    )


def _reciprocity(m: _Evidence, weight: float) -> Component:
    """Median shrunk give/take balance over last year's ties; needs messages both ways."""
    sent, received = int(m.sent.sum()), int(m.received.sum())
    if sent == 0:
        return _not_measurable(
            weight,
            f"no messages you sent in the last 365 days ({received} received): load your "
            "sent mail (e.g. the mbox of All mail, not only the inbox)",
        )
    if received == 0:
        return _not_measurable(
            weight, f"no messages you received in the last 365 days ({sent} sent): load your inbox"
        )
    flags = one_sided(m.sent, m.received)
    mine = int((flags & (m.sent > m.received)).sum())
    value = float(m.balance.median())
    return _scored(
        weight,
        value,
        value,
        f"median give/take balance {value:.2f} across last year's {len(m.balance)} ties (1 = even, "
        f"Beta({BALANCE_PRIOR:g}, {BALANCE_PRIOR:g}) prior); you sent {sent:,}, received {received:,}; "
        f"{int(flags.sum())} one-sided ({mine} mostly you)",
    )


#: The score's components in report order: name → function(evidence, weight) -> Component.
COMPONENTS: dict[str, Callable[[_Evidence, float], Component]] = {
    SIZE: _size,
    CORE: _core,
    STRUCTURE: _structure,
    DIVERSITY: _diversity,
    CONCENTRATION: _concentration,
    VITALITY: _vitality,
    GROWTH: _growth,
    RECIPROCITY: _reciprocity,
}


def _sources(net: Network, inter: pd.DataFrame) -> tuple[str, ...]:
    # sets of the distinct values (a set of every row's walks 100,000 Arrow strings in Python)
    found = (
        set(net.people[S.SOURCES].explode().dropna().unique()) if S.SOURCES in net.people.columns else set()
    )
    if S.SOURCE in net.messages.columns:
        found |= set(net.messages[S.SOURCE].dropna().unique())
    return tuple(sorted(map(str, found or set(inter[S.CHANNEL].dropna().unique()))))


def _measure(
    net: Network,
    as_of: pd.Timestamp,
    *,
    broadcast: int,
    bridge_overlap: int,
    renewal_target: float,
    min_group_share: float,
    seed: int,
    dormancy_frame: pd.DataFrame | None,
) -> tuple[_Evidence, pd.Series, tuple[str, ...], int]:
    """The evidence every component reads; also the dormancy states, sources and connections."""
    inter = interactions_upto(net, as_of)
    core = inter[inter[S.N_PARTICIPANTS] <= broadcast]
    alters = net.alters
    if core.empty or not in_index(core[S.PERSON_ID], alters.index).any():
        if len(inter):
            raise NotDefinedError(
                f"network health is not defined: all {len(inter)} interactions up to {as_of} are broadcasts "
                f"(mailing-list posts, or messages to more than {broadcast} people); it needs direct "
                "exchanges (is the owner right? pass me=)"
            )
        raise NotDefinedError(f"network health is not defined: no interaction with anyone up to {as_of}")
    year = core[core[S.TIMESTAMP] > as_of - _YEAR]
    year_ids = pd.Index(year[S.PERSON_ID].unique())

    last28 = core[core[S.TIMESTAMP] > as_of - pd.Timedelta(days=28)].groupby(S.PERSON_ID)
    active_28 = int(((last28.size() >= 2) & (last28[S.DIRECTION].nunique() == 2)).sum())
    layer = _layers(net, as_of, broadcast)
    layer_sizes = pd.Series({L: int((layer <= L).sum()) for L in _LAYERS}, name=S.LAYER)
    layer_sizes.index.name = S.LAYER

    # structure: last year's ego network, unweighted; judged only with enough alter-alter evidence
    group_ties = int(year.loc[year[S.N_PARTICIPANTS] >= 3, S.PERSON_ID].nunique())
    structure_ok = len(year_ids) > 0 and group_ties / len(year_ids) >= min_group_share
    # The ego network of ``year`` (ego–alter and co-participation edges) on arrays, no networkx graph
    # (building one cost 0.6 s at 20,000 people): the alters in the order such a graph would hold
    # them, the alter-alter edges as positions among them (tests/metrics/conftest.py builds the
    # graph itself as the reference). The
    # same values: ego_structure_of_edges is ego_structure without the graph, and Louvain gets the
    # nodes and edges in the order the graph would give them (edge_order).
    alter_ids = year.groupby(S.PERSON_ID).size().index
    edges = coparticipation(year)
    pu, pv = (alter_ids.get_indexer(edges[c]).astype(np.int64) for c in edges.columns[:2])
    ego = ego_structure_of_edges(len(alter_ids), pu + 1, pv + 1)
    community: dict = {}
    n_comm = 0
    if structure_ok and len(edges):
        order, a, b = edge_order(pu, pv)
        weight = edges["messages"].to_numpy(dtype=float)[order]
        nodes = list(alter_ids)
        louvain = _louvain(nodes, list(zip(a.tolist(), b.tolist())), weight.tolist(), seed)
        comms = [c for c in louvain if len(c) >= 2]
        n_comm = len(comms)
        community = {
            node: i
            for i, c in enumerate(sorted(comms, key=lambda c: (-len(c), min(map(str, c)))))
            for node in c
        }
    # alter-alter ties per last-year alter (every one of them is in alter_ids)
    degree = np.bincount(np.concatenate([pu, pv]), minlength=len(alter_ids))
    bridging = int((degree <= bridge_overlap).sum())

    people = alters.reindex(year_ids)
    dims = {
        S.COMPANY: normalized_text(people[S.COMPANY]),
        S.DOMAIN: _domain(people),
        S.COMMUNITY: pd.Series([community.get(a) for a in year_ids], index=year_ids, dtype=object),
    }
    diversity = pd.DataFrame({d: _diversity_row(v) for d, v in dims.items()}).T
    diversity.index.name = S.DIMENSION

    volume = year.groupby(S.PERSON_ID).size()
    g = gini(volume) if len(volume) else np.nan
    top5 = float(volume.nlargest(5).sum() / volume.sum()) if len(volume) else np.nan

    dorm = dormancy_at(net, as_of, dormancy_frame)
    state = dorm[S.STATE]
    before = _layers(net, as_of - _YEAR, broadcast)
    prior = before.index[before.isin([15, 50]).fillna(False).to_numpy(dtype=bool)]
    prior_state = state.reindex(prior)
    dormant_share = float(prior_state.isin([S.DORMANT, S.LONG_DORMANT]).mean()) if len(prior) else np.nan
    cooling_share = float((prior_state == S.COOLING).mean()) if len(prior) else np.nan

    # a tie starts at the earliest of its LinkedIn connection and its first (non-broadcast) contact
    connected = alters[S.CONNECTED_ON].dropna()
    connected = connected[connected <= as_of]
    first_contact = core.groupby(S.PERSON_ID)[S.TIMESTAMP].min()
    start = pd.concat([first_contact, connected]).groupby(level=0).min()
    new = start[start > as_of - _YEAR]
    new_connections = int(in_index(new.index, connected[connected > as_of - _YEAR].index).sum())

    sent = year[year[S.DIRECTION] == S.OUT].groupby(S.PERSON_ID).size().reindex(year_ids, fill_value=0)
    received = year[year[S.DIRECTION] == S.IN].groupby(S.PERSON_ID).size().reindex(year_ids, fill_value=0)
    evidence = _Evidence(
        as_of=as_of,
        year_ids=year_ids,
        first_interaction=core[S.TIMESTAMP].min(),
        channels=frozenset(inter[S.CHANNEL].dropna().unique()),
        active_28=active_28,
        size_365=int(layer.notna().sum()),
        layer_sizes=layer_sizes,
        ego=ego,
        structure_ok=bool(structure_ok),
        group_ties=group_ties,
        min_group_share=min_group_share,
        n_comm=n_comm,
        bridging=bridging,
        diversity=diversity,
        volume=volume,
        gini=float(g),
        top5=top5,
        n_prior=len(prior),
        dormant_share=dormant_share,
        cooling_share=cooling_share,
        new_ties=len(new),
        new_connections=new_connections,
        evidence_start=start.min(),
        renewal_target=renewal_target,
        sent=sent,
        received=received,
        balance=balance(sent, received),
    )
    return evidence, state, _sources(net, inter), len(connected)


def _coverage(
    m: _Evidence,
    frame: pd.DataFrame,
    sources: tuple[str, ...],
    connections: int,
    minimum: Mapping[str, float],
) -> Coverage:
    sent, received, ties = int(m.sent.sum()), int(m.received.sum()), len(m.year_ids)
    weighted = frame[frame[S.WEIGHT] > 0]
    share = weighted.loc[weighted[S.MEASURABLE], S.WEIGHT].sum() / weighted[S.WEIGHT].sum()
    reasons = []
    for what, n in (("sent", sent), ("received", received)):
        if n < minimum["sent" if what == "sent" else "received"]:
            reasons.append(f"{n} messages {what} in the last 365 days (fewer than {minimum[what]:g})")
    if ties < minimum["ties"]:
        reasons.append(f"{ties} people in contact in the last 365 days (fewer than {minimum['ties']:g})")
    if share < minimum["measurable_share"]:
        reasons.append(
            f"only {share:.0%} of the weight is measurable (less than {minimum['measurable_share']:.0%})"
        )
    return Coverage(
        sources=sources,
        sent=sent,
        received=received,
        ties=ties,
        group_ties=m.group_ties,
        connections=connections,
        first_interaction=m.first_interaction,
        measurable=int(weighted[S.MEASURABLE].sum()),
        components=len(weighted),
        low_confidence=bool(reasons),
        reasons=tuple(reasons),
    )


@memoised
def health(
    net: Network,
    *,
    as_of: object = None,
    weights: Mapping[str, float] | None = None,
    broadcast: int = 10,
    bridge_overlap: int = 1,
    renewal_target: float = 0.10,
    min_group_share: float = 0.2,
    min_evidence: Mapping[str, float] | None = None,
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
        New ties per year, as a share of ``size_365d`` (at least one tie), that earn full
        growth points.
    min_group_share : float, default 0.2
        Structure is measurable only when at least this share of last year's contacts appear
        on a group message or meeting (the evidence of ties between them).
    min_evidence : dict, optional
        Minimum evidence of a confident score; keys of :data:`MIN_EVIDENCE` (``sent``,
        ``received``, ``ties``, ``measurable_share``), missing keys keep their default.
    seed : int, default 0
        Seed of the Louvain community detection.
    dormancy_frame : DataFrame, optional
        A :func:`~netanalytics.metrics.dormancy.dormancy` result for the same ``as_of``, to
        reuse instead of computing it again.

    Returns
    -------
    HealthReport
        With ``components`` (value, weight, points, measurable, reason per component),
        ``score``, ``headline`` ("72/100 over 6 of 8 components") and ``coverage``.

    Raises
    ------
    NotDefinedError
        When no alter has an interaction up to ``as_of``, or no weighted component is
        measurable.
    ValueError
        For unknown component names in ``weights`` or ``min_evidence``, or weights summing
        to 0.

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
    (``dormant_share``) or cooling (``cooling_share``). Growth: a tie starts at the earlier of
    its LinkedIn connection (``connected_on``) and its first non-broadcast contact, so a new
    connection and a first message from a new person both count, once per person.

    **Components and the evidence they need.** Each component is a function in
    :data:`COMPONENTS` that maps its value to a sub-score :math:`s_c \\in [0, 1]`, or says it
    is **not measurable** (value and points NaN, ``measurable`` False, the reason naming the
    missing evidence) — missing evidence never earns a default that scores well:

    ============== ============================ ================================= ==========================================
    component      value                        sub-score                         not measurable when
    ============== ============================ ================================= ==========================================
    size           ``size_365d``                min(size / 150, 1) (Dunbar)       —
    core           alters in layer 15           min(n / 15, 1)                    —
    structure      ``efficiency``               efficiency                        < ``min_group_share`` of last year's
                                                                                  contacts on a group message or meeting
                                                                                  (a LinkedIn export alone has none)
    diversity      mean normalised entropy      the value                         no company, domain or community known
                   of the dimensions known for                                    for ≥ 20 % of last year's contacts (and
                   ≥ 20 % (and ≥ 2) contacts                                      ≥ 2)
    concentration  ``gini``                     1 − gini                          fewer than 2 people in contact
    vitality       ``dormant_share``            1 − dormant − cooling / 2         interactions start within the last year,
                                                                                  or no layer-15/50 ties a year ago
    growth         new ties in the year         min(new / max(target × size, 1),  no tie known from before the last year
                                                1)
    reciprocity    ``reciprocity_balance``      the value                         no message sent, or none received, in
                                                                                  the last year
    ============== ============================ ================================= ==========================================

    (Community diversity is left out when structure is not measurable; a dimension known for
    too few contacts is left out, since its evenness would say more about the gaps than the
    network.)

    **Score.** A component's points are out of its own weight, :math:`\\text{points}_c =
    w_c s_c \\le w_c`, exactly as shown; the score is renormalised over the measurable
    components :math:`M`,

    .. math:: \\text{score} = 100 \\sum_{c \\in M} \\text{points}_c / \\sum_{c \\in M} w_c,

    and says so: :attr:`HealthReport.headline` reads "72/100 over 6 of 8 components". With
    every component measurable and the default weights (summing to 100) the score is the sum
    of the points.

    **Coverage and confidence.** :attr:`HealthReport.coverage` states the sources, the
    messages sent and received and the people in contact in the 365 days to ``as_of``, how
    many of them appear on group messages or meetings, and the LinkedIn connections. The
    score is flagged **low-confidence** when any of :data:`MIN_EVIDENCE` is not met: fewer
    than 20 messages sent or 20 received, fewer than 15 people in contact (one Dunbar layer
    15) in the year, or less than half of the weight measurable. The reasons are in
    ``coverage.reasons`` and in the report and command-line output beside the score.

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
    Two people, one message each way, over four days: structure (no group message), vitality
    and growth (no year of history) cannot be measured, and the score says so.

    >>> import pandas as pd
    >>> from netanalytics.network import build_network
    >>> net = build_network(pd.DataFrame({
    ...     "timestamp": ["2024-05-01", "2024-05-02", "2024-05-03", "2024-05-04"],
    ...     "person_id": ["ann", "ann", "bob", "bob"],
    ...     "direction": ["out", "in", "out", "in"]}))
    >>> h = health(net)
    >>> h.active_size_28d, h.size_365d, h.gini
    (2, 2, 0.0)
    >>> h.components.set_index("component").loc["concentration", ["value", "points", "weight"]].tolist()
    [0.0, 10.0, 10.0]
    >>> h.components.set_index("component").loc["structure", "reason"]
    'no group message or meeting in the last 365 days shows ties between your contacts: load mail or a calendar'
    >>> h.headline
    '45/100 over 4 of 8 components (low confidence)'
    """
    as_of = net.resolve_as_of(as_of)
    unknown = set(weights or {}) - set(HEALTH_WEIGHTS)
    if unknown:
        raise ValueError(f"unknown health component(s) {sorted(unknown)}; use {sorted(HEALTH_WEIGHTS)}")
    unknown = set(min_evidence or {}) - set(MIN_EVIDENCE)
    if unknown:
        raise ValueError(f"unknown minimum(s) of evidence {sorted(unknown)}; use {sorted(MIN_EVIDENCE)}")
    w = {**HEALTH_WEIGHTS, **(weights or {})}
    if sum(w.values()) <= 0:
        raise ValueError("health weights must not all be 0")

    m, state, sources, connections = _measure(
        net,
        as_of,
        broadcast=broadcast,
        bridge_overlap=bridge_overlap,
        renewal_target=renewal_target,
        min_group_share=min_group_share,
        seed=seed,
        dormancy_frame=dormancy_frame,
    )
    frame = pd.DataFrame(
        [(name, *fn(m, float(w[name]))) for name, fn in COMPONENTS.items()],
        columns=[S.COMPONENT, S.VALUE, S.POINTS, S.WEIGHT, S.REASON, S.MEASURABLE],
    )[[S.COMPONENT, S.VALUE, S.WEIGHT, S.POINTS, S.MEASURABLE, S.REASON]]
    measured_weight = frame.loc[frame[S.MEASURABLE], S.WEIGHT].sum()
    if measured_weight <= 0:
        raise NotDefinedError(
            "network health is not defined: no weighted component is measurable ("
            + "; ".join(frame.loc[~frame[S.MEASURABLE], S.REASON])
            + ")"
        )
    coverage = _coverage(m, frame, sources, connections, {**MIN_EVIDENCE, **(min_evidence or {})})

    structural = m.structure_ok
    return HealthReport(
        score=float(100 * frame[S.POINTS].sum() / measured_weight),
        components=frame,
        coverage=coverage,
        as_of=as_of,
        active_size_28d=m.active_28,
        size_365d=m.size_365,
        layer_sizes=m.layer_sizes,
        constraint=float(m.ego[S.CONSTRAINT]) if structural else np.nan,
        effective_size=float(m.ego[S.EFFECTIVE_SIZE]) if structural else np.nan,
        efficiency=float(m.ego[S.EFFICIENCY]) if structural else np.nan,
        density=float(m.ego[S.DENSITY]) if structural else np.nan,
        communities=m.n_comm if structural else None,
        bridging_ties=m.bridging if structural else None,
        diversity=m.diversity,
        gini=m.gini,
        top5_share=m.top5,
        dormant_share=m.dormant_share,
        cooling_share=m.cooling_share,
        new_ties_per_quarter=m.new_ties / 4,
        reciprocity_balance=float(frame.set_index(S.COMPONENT).at[RECIPROCITY, S.VALUE]),
        by_kind=_by_kind(net.alters, state),
    )


#: The confidence columns of :func:`health_history`, after the score and the components.
HISTORY_COLUMNS = ("n_measurable", "n_components", "not_measurable", "low_confidence")


def health_history(net: Network, *, freq: str = "QE", **kwargs) -> pd.DataFrame:
    """The health score, its component values and its confidence at the end of every period.

    Parameters
    ----------
    net : Network
    freq : str, default "QE"
        pandas offset alias of the periods (``"QE"`` quarter ends, ``"ME"`` month ends,
        ``"YE"`` year ends).
    **kwargs
        Passed to :func:`health` (``weights``, ``broadcast``, ``min_evidence``, ...).

    Returns
    -------
    pandas.DataFrame
        Indexed by period end (UTC), from the first period end after the first interaction to
        the last one before the latest interaction; columns ``score``, one per component (its
        value; NaN where the component was not measurable then — e.g. vitality in the first
        year — and the score is over the components that were), then what the score of that
        period stands on, as :func:`health` says it for one ``as_of``: ``n_measurable`` and
        ``n_components`` (components with a weight, measurable / all: the score is "over
        n_measurable of n_components"), ``not_measurable`` (their names, comma-separated;
        ``""`` when all were) and ``low_confidence`` (bool: a minimum of
        :data:`MIN_EVIDENCE` was not met then). Periods with no interaction yet are left out.

    Raises
    ------
    NotDefinedError
        When the network has no interactions.

    Notes
    -----
    Each row is :func:`health` with ``as_of`` at the period end, so it only uses what was
    known then; ``n_measurable``, ``n_components`` and ``low_confidence`` are that report's
    ``coverage.measurable``, ``coverage.components`` and ``low_confidence``.

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
    >>> hist[["n_measurable", "n_components", "low_confidence"]].values.tolist()
    [[3, 8, True], [4, 8, True]]
    >>> hist["not_measurable"].tolist()[1]  # concentration is measurable once there are two people
    'structure, diversity, vitality, growth'
    """
    last = net.resolve_as_of()
    start = net.interactions[S.TIMESTAMP].min()
    ends = pd.date_range(start.normalize(), last, freq=freq)
    rows = {}
    for end in ends:
        as_of = end + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
        try:
            h = health(net, as_of=as_of, **kwargs)
        except NotDefinedError:
            continue
        weighted = h.components[h.components[S.WEIGHT] > 0]
        rows[end] = {
            S.SCORE: h.score,
            **dict(zip(h.components[S.COMPONENT], h.components[S.VALUE].astype(float), strict=True)),
            "n_measurable": h.coverage.measurable,
            "n_components": h.coverage.components,
            "not_measurable": ", ".join(weighted.loc[~weighted[S.MEASURABLE], S.COMPONENT]),
            "low_confidence": h.low_confidence,
        }
    columns = [S.SCORE, *HEALTH_WEIGHTS, *HISTORY_COLUMNS]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    types = {S.SCORE: float, **dict.fromkeys(HEALTH_WEIGHTS, float)}
    types |= {
        "n_measurable": "int64",
        "n_components": "int64",
        "not_measurable": object,
        "low_confidence": bool,
    }
    return out.astype(types)
