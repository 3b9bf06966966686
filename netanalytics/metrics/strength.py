"""Tie strength per alter: decayed intensity, recency, duration, balance, overlap, channels, Dunbar layer."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from netanalytics import schema as S
from netanalytics.metrics._common import balance, in_index, interactions_upto, memoised
from netanalytics.metrics.dormancy import contacts_last_year, dunbar_layer
from netanalytics.network import Network, coparticipation

__all__ = ["STRENGTH_COMPONENTS", "tie_strength"]

#: Columns combined into ``strength`` (rank-normalised), with their default weights.
STRENGTH_COMPONENTS: dict[str, float] = {
    S.INTENSITY_SHORT: 1.0,
    S.INTENSITY_LONG: 1.0,
    S.RECENCY_DAYS: 1.0,  # ranked in reverse: more recent is stronger
    S.DURATION_DAYS: 1.0,
    S.BALANCE: 1.0,
    S.OVERLAP: 1.0,
    S.CHANNELS: 1.0,
}
_DAY = pd.Timedelta(days=1)


def _broadcast_weight(n_participants: pd.Series, broadcast: int) -> pd.Series:
    """1 per row; a broadcast row (more than ``broadcast`` participants) counts 1/(n − 1)."""
    others = (n_participants - 1).clip(lower=1).astype(float)
    return pd.Series(np.where(n_participants > broadcast, 1.0 / others, 1.0), index=n_participants.index)


def _overlap(net: Network, core: pd.DataFrame, index: pd.Index) -> pd.Series:
    """Shared neighbours of me and each alter: alters who were on a message with both of us."""
    edges = coparticipation(core)
    ends = pd.concat([edges[S.PERSON_ID + "_u"], edges[S.PERSON_ID + "_v"]])
    return ends.value_counts().reindex(index, fill_value=0).astype("int64")


@memoised
def tie_strength(
    net: Network,
    *,
    as_of: object = None,
    short_half_life_days: float = 42,
    long_half_life_days: float = 180,
    weights: Mapping[str, float] | None = None,
    broadcast: int = 10,
) -> pd.DataFrame:
    """How strong is each tie: Granovetter's dimensions as far as metadata shows them.

    Parameters
    ----------
    net : Network
        The ego network.
    as_of : timestamp-like, optional
        Moment of measurement; later interactions are ignored. Default: the latest interaction.
    short_half_life_days : float, default 42
        Half-life in days of ``intensity_short`` (≈ a 60-day window).
    long_half_life_days : float, default 180
        Half-life in days of ``intensity_long`` (a yearly contact keeps ≈ 25 % after a year).
    weights : dict, optional
        Weight of each component of ``strength`` (keys of :data:`STRENGTH_COMPONENTS`);
        components not named keep weight 1, weight 0 drops one.
    broadcast : int, default 10
        Messages with more participants (me included) are weak evidence (see Notes).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``person_id`` (every alter), columns

        ``intensity_short``, ``intensity_long``
            Decayed contact counts :math:`S(t)` at ``as_of``.
        ``recency_days``
            Days from the last contact to ``as_of`` (NaN: never in contact).
        ``duration_days``
            Days from the first contact to ``as_of`` (NaN: never in contact).
        ``sent``, ``received`` (int)
            Interaction rows out / in.
        ``balance``
            :math:`(\\min(s, r) + 1) / (\\max(s, r) + 1)`: the shrunk balance of
            :func:`~netanalytics.metrics._common.balance` (Beta(1, 1) prior), beside its
            raw counts ``sent`` and ``received``.
        ``overlap`` (int)
            Alters linked to both me and this alter in the co-participation graph.
        ``channels`` (int)
            Distinct kinds of channel used (email, linkedin, meeting, call, in_person, whatsapp ...;
            see :data:`netanalytics.channels.CHANNEL_VOCABULARY`): multiplexity.
        ``n_365d`` (int)
            Interaction rows (message × counterpart, broadcasts excluded) in the trailing
            365 days: the count the Dunbar layer rule of METRICS.md uses.
        ``strength``
            Weighted mean of the rank-normalised components, in [0, 1]; 0 without contact.
        ``layer`` (Int64)
            Dunbar layer 5 / 15 / 50 / 150 from ``n_365d``; <NA> outside.

    Raises
    ------
    NotDefinedError
        When ``as_of`` is None and the network has no interactions.

    Notes
    -----
    **Intensity** (Granovetter's "amount of time"): with contacts at :math:`t_k`,

    .. math:: S(t) = \\sum_{t_k \\le t} w_k \\exp(-\\ln 2 \\, (t - t_k) / h),

    so events at 0 and h give S(h) = 1.5 and S(2h) = 0.75. This is
    :func:`~netanalytics.metrics.dormancy.decayed_intensity`, evaluated for all alters in
    one vectorised pass.

    **Broadcasts.** A row from a message with n > ``broadcast`` participants has weight
    :math:`w_k = 1/(n-1)` in the intensities (one contact shared among the other
    participants, as in :meth:`Network.graph`), and is left out of every other column:
    it neither refreshes recency, nor counts as sent/received, a contact day or a channel,
    nor creates shared neighbours. Kossinets & Watts (2006) used a threshold of 4.

    **Layer.** Same-day contacts are one contact day (threads are bursty), as in
    :func:`~netanalytics.metrics.dormancy.dormancy`; Dunbar layers: ≥ 52 days → 5,
    ≥ 12 → 15, ≥ 4 → 50, ≥ 1 → 150 (Zhou et al. 2005; Hill & Dunbar 2003).

    **Strength.** Each component is turned into its percentile rank among the alters in
    contact (recency reversed: more recent ranks higher), and ``strength`` is their
    weighted mean, :math:`\\sum_c w_c\\, \\mathrm{rank}_c / \\sum_c w_c`, equal weights
    by default. Ranks make components on different scales comparable and are robust to the
    heavy tails of message counts (Marsden & Campbell 1984 found closeness best measured
    by several indicators; duration and frequency alone are contaminated by context).
    ``overlap`` is Granovetter's "the stronger the tie, the larger the overlap of the two
    friendship circles"; ``channels`` is multiplexity.

    References
    ----------
    Granovetter, M. (1973). The strength of weak ties. *AJS* 78(6), 1360–1380.
    Marsden, P. V. & Campbell, K. E. (1984). Measuring tie strength. *Social Forces* 63(2).
    Kossinets, G. & Watts, D. J. (2006). Empirical analysis of an evolving social network.
    *Science* 311, 88–90.
    Zhou, W.-X., Sornette, D., Hill, R. A. & Dunbar, R. I. M. (2005). Discrete hierarchical
    organization of social group sizes. *Proc. R. Soc. B* 272, 439–444.

    Examples
    --------
    Two contacts with ann 42 days (one short half-life) apart, measured at the second:

    >>> import pandas as pd
    >>> from netanalytics.network import build_network
    >>> net = build_network(pd.DataFrame({
    ...     "timestamp": ["2024-01-01", "2024-02-12"],
    ...     "person_id": ["ann", "ann"], "direction": ["out", "in"]}))
    >>> t = tie_strength(net, as_of="2024-02-12")
    >>> t[["intensity_short", "recency_days", "duration_days", "balance", "n_365d", "layer"]]  # doctest: +NORMALIZE_WHITESPACE
               intensity_short  recency_days  duration_days  balance  n_365d  layer
    person_id
    ann                    1.5           0.0           42.0      1.0       2    150
    """
    as_of = net.resolve_as_of(as_of)
    index = net.alters.index
    unknown = set(weights or {}) - set(STRENGTH_COMPONENTS)
    if unknown:
        raise ValueError(
            f"unknown strength component(s) {sorted(unknown)}; use {sorted(STRENGTH_COMPONENTS)}"
        )
    w_comp = {**STRENGTH_COMPONENTS, **(weights or {})}

    inter = interactions_upto(net, as_of)
    is_bc = inter[S.N_PARTICIPANTS] > broadcast
    core = inter[~is_bc]
    row_w = _broadcast_weight(inter[S.N_PARTICIPANTS], broadcast)
    out = pd.DataFrame(index=index)
    # The per-row terms of decayed_intensity, summed per alter in one pass: calling it once
    # per alter costs ~2 ms each, too slow for 20,000 alters (equality is tested).
    age = ((as_of - inter[S.TIMESTAMP]) / _DAY).to_numpy(dtype=float)
    for col, h in ((S.INTENSITY_SHORT, short_half_life_days), (S.INTENSITY_LONG, long_half_life_days)):
        terms = pd.Series(row_w.to_numpy() * np.exp(-np.log(2.0) * age / h), index=inter.index)
        out[col] = terms.groupby(inter[S.PERSON_ID]).sum().reindex(index, fill_value=0.0).astype(float)

    by = core.groupby(S.PERSON_ID)[S.TIMESTAMP]
    out[S.RECENCY_DAYS] = ((as_of - by.max()) / _DAY).reindex(index).astype(float)
    out[S.DURATION_DAYS] = ((as_of - by.min()) / _DAY).reindex(index).astype(float)
    counts = core.groupby([S.PERSON_ID, S.DIRECTION]).size().unstack(fill_value=0)
    for col, d in ((S.SENT, S.OUT), (S.RECEIVED, S.IN)):
        series = counts[d] if d in counts.columns else pd.Series(dtype="int64")
        out[col] = series.reindex(index, fill_value=0).astype("int64")
    out[S.BALANCE] = balance(out[S.SENT], out[S.RECEIVED])
    out[S.OVERLAP] = _overlap(net, core, index)
    out[S.CHANNELS] = (
        core.groupby(S.PERSON_ID)[S.CHANNEL].nunique().reindex(index, fill_value=0).astype("int64")
    )
    out[S.N_365D] = (
        contacts_last_year(inter, as_of, broadcast=broadcast).reindex(index, fill_value=0).astype("int64")
    )

    in_contact = in_index(out.index, pd.Index(inter[S.PERSON_ID].unique()))
    ranks = pd.DataFrame(index=out.index[in_contact])
    for col in STRENGTH_COMPONENTS:
        values = -out.loc[in_contact, col] if col == S.RECENCY_DAYS else out.loc[in_contact, col]
        ranks[col] = values.rank(pct=True, method="average").fillna(0.0)
    total = sum(w_comp.values())
    strength = sum(ranks[c] * w for c, w in w_comp.items()) / total if total > 0 else np.nan
    out[S.STRENGTH] = pd.Series(strength, index=ranks.index, dtype=float).reindex(index, fill_value=0.0)
    out[S.LAYER] = pd.array(dunbar_layer(out[S.N_365D].to_numpy()), dtype="Float64").astype("Int64")
    out.index.name = S.PERSON_ID
    return out
