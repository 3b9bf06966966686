"""Dormancy of each tie (rhythm, P(alive), state, due date) and ranked reconnection suggestions."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from netanalytics import schema as S
from netanalytics.exceptions import NotDefinedError
from netanalytics.identity import is_free_mail
from netanalytics.metrics._common import as_dict, memoised, normalized_text
from netanalytics.metrics.btyd import fit_bgnbd, fit_mbgnbd, fit_paretonbd
from netanalytics.network import Network, to_utc

__all__ = [
    "contacts_last_year",
    "DormancyModel",
    "DUNBAR_LAYERS",
    "LAYER_GAP_DAYS",
    "decayed_intensity",
    "dormancy",
    "dunbar_layer",
    "reconnect",
]

#: (minimum contacts in the trailing 365 days, Dunbar layer), innermost first.
DUNBAR_LAYERS: tuple[tuple[int, int], ...] = ((52, 5), (12, 15), (4, 50), (1, 150))

#: Expected gap between contacts, in days, for a tie in each Dunbar layer.
LAYER_GAP_DAYS: dict[int, float] = {5: 7.0, 15: 30.0, 50: 120.0, 150: 365.0}

_FITTERS = {"paretonbd": fit_paretonbd, "mbgnbd": fit_mbgnbd, "bgnbd": fit_bgnbd}
_RULE = "rule"
_NS_PER_DAY = 86_400 * 10**9
_DAY = pd.Timedelta(days=1)

#: Contact days needed before a tie has a rhythm of its own (two gaps at least).
MIN_RHYTHM_DAYS = 3


def dunbar_layer(counts: ArrayLike | pd.Series | float) -> np.ndarray | pd.Series | float:
    """Dunbar layer (5, 15, 50, 150) of a tie from its number of contacts in the trailing 365 days.

    Parameters
    ----------
    counts : scalar, array-like or Series
        Contacts in the trailing 365 days (what counts as a contact is the caller's choice;
        :func:`contacts_last_year` gives the count METRICS.md defines).

    Returns
    -------
    float, ndarray or Series
        5.0 for >= 52, 15.0 for >= 12, 50.0 for >= 4, 150.0 for >= 1, NaN for 0 or NaN
        (outside the 150 layer). A Series keeps its index.

    Notes
    -----
    The thresholds correspond to weekly, monthly, quarterly and yearly contact; the layer
    sizes scale by about 3 (Zhou, Sornette, Hill & Dunbar 2005) up to the ≈ 150 of Hill &
    Dunbar (2003). The expected gap between contacts per layer is :data:`LAYER_GAP_DAYS`.

    References
    ----------
    Hill, R. A. & Dunbar, R. I. M. (2003). Social network size in humans. Human Nature 14, 53–72.
    Zhou, W.-X., Sornette, D., Hill, R. A. & Dunbar, R. I. M. (2005). Discrete hierarchical
    organization of social group sizes. Proc. R. Soc. B 272, 439–444.

    Examples
    --------
    >>> from netanalytics.metrics.dormancy import dunbar_layer
    >>> dunbar_layer([60, 52, 51, 12, 4, 3, 1, 0]).tolist()
    [5.0, 5.0, 15.0, 15.0, 50.0, 150.0, 150.0, nan]
    """
    values = np.asarray(counts, dtype=float)
    layer = np.full(values.shape, np.nan)
    for threshold, size in reversed(DUNBAR_LAYERS):
        layer = np.where(values >= threshold, float(size), layer)
    if isinstance(counts, pd.Series):
        return pd.Series(layer, index=counts.index, name=S.LAYER)
    return float(layer) if layer.ndim == 0 else layer


def contacts_last_year(interactions: pd.DataFrame, as_of: pd.Timestamp, *, broadcast: int = 10) -> pd.Series:
    """Contacts per alter in the 365 days up to ``as_of``: the count behind the Dunbar layer.

    One contact per interaction row (message × counterpart), as METRICS.md counts; messages
    with more than ``broadcast`` participants are weak evidence and left out.

    Examples
    --------
    >>> import pandas as pd
    >>> inter = pd.DataFrame({"timestamp": pd.to_datetime(["2024-01-01", "2024-06-01", "2022-01-01"], utc=True),
    ...                       "person_id": ["ann", "ann", "bob"], "n_participants": [2, 3, 2]})
    >>> contacts_last_year(inter, pd.Timestamp("2024-06-30", tz="UTC")).to_dict()
    {'ann': 2}
    """
    ts = interactions[S.TIMESTAMP]
    recent = (ts > as_of - pd.Timedelta(days=365)) & (ts <= as_of)
    recent &= interactions[S.N_PARTICIPANTS] <= broadcast
    return interactions[recent].groupby(S.PERSON_ID).size()


def decayed_intensity(
    timestamps: ArrayLike,
    as_of: object,
    half_life_days: float,
    *,
    weights: ArrayLike | None = None,
) -> float:
    """Exponentially decayed count of contacts at ``as_of``.

    Parameters
    ----------
    timestamps : array-like of datetimes
        Contact times (naive values are taken as UTC). Contacts after ``as_of`` are ignored.
    as_of : datetime-like
        The time at which the intensity is measured.
    half_life_days : float
        Half-life h in days (METRICS.md: 42 for the short scale, 180 for the long one).
    weights : array-like, optional
        Weight w_k of each contact (default 1).

    Returns
    -------
    float
        S(as_of); 0.0 when there is no contact up to ``as_of``.

    Notes
    -----
    .. math:: S(t) = \\sum_{t_k \\le t} w_k \\exp(-\\ln 2 \\, (t - t_k) / h)

    A contact counts 1 on its day, 1/2 one half-life later, 1/4 two half-lives later; with
    contacts at 0 and h, S(h) = 1.5 and S(2h) = 0.75.

    Examples
    --------
    >>> from netanalytics.metrics.dormancy import decayed_intensity
    >>> decayed_intensity(["2024-01-01", "2024-06-29"], "2024-06-29", 180)
    1.5
    >>> decayed_intensity(["2024-01-01", "2024-06-29"], "2024-12-26", 180)
    0.75
    """
    ts = pd.DatetimeIndex(pd.to_datetime(timestamps))
    ts = ts.tz_localize("UTC") if ts.tz is None else ts.tz_convert("UTC")
    t = to_utc(as_of)
    age = np.asarray((t - ts) / _DAY, dtype=float)
    w = np.ones_like(age) if weights is None else np.asarray(weights, dtype=float)
    keep = age >= 0
    return float(np.sum(w[keep] * np.exp(-np.log(2.0) * age[keep] / half_life_days)))


def _contacts(net: Network) -> pd.DataFrame:
    inter = net.interactions
    keep = inter[S.PERSON_ID].notna() & (inter[S.PERSON_ID] != net.me)
    inter = inter.loc[keep, [S.TIMESTAMP, S.PERSON_ID, S.N_PARTICIPANTS]]
    if inter.empty:
        raise NotDefinedError(
            "dormancy is not defined for a network with no interactions; load email, LinkedIn "
            "messages or a calendar so that there are contacts to measure"
        )
    return inter


class _Summary:
    """Per-person contact summary, computed once with numpy on sorted codes."""

    def __init__(self, inter: pd.DataFrame, as_of: pd.Timestamp) -> None:
        ts = inter[S.TIMESTAMP].dt.tz_convert("UTC").dt.tz_localize(None)
        tns = ts.to_numpy().astype("datetime64[ns]").view("int64")
        codes, self.people = pd.factorize(inter[S.PERSON_ID], sort=True)
        order = np.lexsort((tns, codes))
        self.codes, self.tns = codes[order], tns[order]
        k = len(self.people)
        self.k = k
        self.as_of_ns = as_of.as_unit("ns").value
        self.as_of_day = self.as_of_ns // _NS_PER_DAY
        self.n_rows = np.bincount(self.codes, minlength=k)
        self.starts = np.searchsorted(self.codes, np.arange(k))
        self.last_ns = self.tns[self.starts + self.n_rows - 1]

        day = self.tns // _NS_PER_DAY
        new_day = np.ones(len(day), dtype=bool)
        new_day[1:] = (self.codes[1:] != self.codes[:-1]) | (day[1:] != day[:-1])
        self.dcodes, self.ddays = self.codes[new_day], day[new_day]
        self.n_days = np.bincount(self.dcodes, minlength=k)
        dstarts = np.searchsorted(self.dcodes, np.arange(k))
        self.first_day = self.ddays[dstarts]
        self.last_day = self.ddays[dstarts + self.n_days - 1]

    def typical_gap(self) -> np.ndarray:
        """Mean gap between contact days: (last − first) / (contact days − 1).

        NaN below :data:`MIN_RHYTHM_DAYS` contact days: one gap is not a rhythm. Not the
        median of the gaps: contact comes in bursts (a thread over three days, then
        a month of silence), and the median gap measures the gaps inside the bursts.
        """
        out = np.full(self.k, np.nan)
        several = self.n_days >= MIN_RHYTHM_DAYS
        out[several] = (self.last_day[several] - self.first_day[several]) / (self.n_days[several] - 1)
        return out

    def rfm(self, unit_days: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = (self.n_days - 1).astype(float)
        t_x = (self.last_day - self.first_day) / unit_days
        T = (self.as_of_day - self.first_day) / unit_days
        return x, t_x.astype(float), T.astype(float)

    def peak_intensity(self, half_life_days: float) -> np.ndarray:
        """max over time of S(t): S jumps at each contact and decays after, so take it at contacts."""
        lam = np.log(2.0) / half_life_days
        tdays = self.tns / _NS_PER_DAY
        rel = tdays - tdays[self.starts][self.codes]
        span = np.zeros(self.k)
        np.maximum.at(span, self.codes, rel)
        s = np.empty(len(rel))
        safe = (lam * span < 600.0)[self.codes]
        if safe.any():
            e = np.exp(lam * rel[safe])
            csum = pd.Series(e).groupby(self.codes[safe]).cumsum().to_numpy()
            s[safe] = csum / e
        for code in np.flatnonzero(lam * span >= 600.0):
            # Spans beyond 600 half-lives would overflow exp(); use the recurrence instead.
            idx = np.arange(self.starts[code], self.starts[code] + self.n_rows[code])
            acc, prev = 0.0, tdays[idx[0]]
            for i in idx:
                acc = acc * np.exp(-lam * (tdays[i] - prev)) + 1.0
                s[i], prev = acc, tdays[i]
        peak = np.zeros(self.k)
        np.maximum.at(peak, self.codes, s)
        return peak


def _fit_models(model: str, x, t_x, T, min_dyads: int, max_fit_dyads: int):
    """Fit BG/NBD and the chosen model on (a sample of) the dyads.

    Returns (chosen fit or None, BG/NBD fit or None, reason for the fallback or "").
    """
    if len(x) < min_dyads:
        return None, None, f"{len(x)} dyads < min_dyads={min_dyads}"
    if int((x > 0).sum()) < 2:
        return None, None, "fewer than 2 dyads with a repeat contact day"
    if len(x) > max_fit_dyads:
        pick = np.sort(np.random.default_rng(0).choice(len(x), max_fit_dyads, replace=False))
        x, t_x, T = x[pick], t_x[pick], T[pick]
    bg = fit_bgnbd(x, t_x, T)
    if not np.isfinite(bg.log_likelihood_):
        return None, None, "BG/NBD fit failed: non-finite log-likelihood"
    if model == "bgnbd":
        return bg, bg, ""
    r, alpha, a, b = (bg.params_[k] for k in ("r", "alpha", "a", "b"))
    if model == "mbgnbd":
        start = dict(bg.params_)
    else:
        # Same purchase process; a mean drop-out rate s/beta = P(drop per contact) * mean rate r/alpha.
        start = {"r": r, "alpha": alpha, "s": 1.0, "beta": 1.0 / (a / (a + b) * r / alpha)}
    fit = _FITTERS[model](x, t_x, T, start=start)
    if not np.isfinite(fit.log_likelihood_):
        return None, bg, f"{model} fit failed: non-finite log-likelihood"
    return fit, bg, ""


@dataclass(frozen=True)
class DormancyModel:
    """The buy-till-you-die model behind a :func:`dormancy` frame: what was fitted, or why not.

    Returned by ``dormancy(net, return_model=True)`` beside the frame.

    Attributes
    ----------
    model : str
        The model behind ``p_alive``: ``"paretonbd"``, ``"mbgnbd"``, ``"bgnbd"``, or ``"rule"``
        when none could be fitted (the fallback of :func:`dormancy`).
    as_of : pandas.Timestamp
        The moment of measurement (UTC), as in the frame's ``attrs["as_of"]``.
    n_dyads : int
        Dyads summarised (every alter with a contact up to ``as_of``); at most
        ``max_fit_dyads`` of them were fitted.
    params : dict or None
        Fitted parameters of ``model`` (None under the fallback).
    log_likelihood : float or None
        Its log-likelihood at the optimum.
    converged : bool or None
        Whether its optimiser reported convergence.
    params_bgnbd : dict or None
        Fitted BG/NBD parameters (always fitted first, behind ``p_alive_bgnbd``).
    log_likelihood_bgnbd : float or None
    reason : str
        Why the fallback was used; empty when ``model`` was fitted.
    """

    model: str
    as_of: pd.Timestamp
    n_dyads: int
    params: dict[str, float] | None = None
    log_likelihood: float | None = None
    converged: bool | None = None
    params_bgnbd: dict[str, float] | None = None
    log_likelihood_bgnbd: float | None = None
    reason: str = ""


def _model_info(model: str, chosen, bg, why: str, as_of: pd.Timestamp, n_dyads: int) -> DormancyModel:
    """What :func:`_fit_models` fitted, as a :class:`DormancyModel`."""
    return DormancyModel(
        model=model if chosen else _RULE,
        as_of=as_of,
        n_dyads=n_dyads,
        params=dict(chosen.params_) if chosen else None,
        log_likelihood=chosen.log_likelihood_ if chosen else None,
        converged=chosen.converged_ if chosen else None,
        params_bgnbd=dict(bg.params_) if bg else None,
        log_likelihood_bgnbd=bg.log_likelihood_ if bg else None,
        reason="" if chosen else why,
    )


def _empty_dormancy(columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    frame[S.LAST_CONTACT] = pd.Series(dtype="datetime64[ns, UTC]")
    frame[S.DUE_DATE] = pd.Series(dtype="datetime64[ns, UTC]")
    frame[S.STATE] = pd.Series(dtype=object)
    frame[S.MODEL] = pd.Series(dtype=object)
    frame[S.DUE] = pd.Series(dtype=bool)
    frame[S.N_CONTACTS] = pd.Series(dtype="int64")
    frame[S.N_CONTACT_DAYS] = pd.Series(dtype="int64")
    frame.index = pd.Index([], name=S.PERSON_ID, dtype=object)
    return frame


@memoised
def dormancy(
    net: Network,
    *,
    as_of: object = None,
    model: Literal["paretonbd", "mbgnbd", "bgnbd"] = "paretonbd",
    unit_days: float = 7,
    horizon_days: float = 90,
    min_dyads: int = 30,
    max_fit_dyads: int = 2500,
    alive_threshold: float = 0.5,
    dormant_days: float = 365,
    long_dormant_days: float = 3 * 365,
    return_model: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, DormancyModel]:
    """How alive is each tie: last contact, rhythm, overdue ratio, P(alive), state, due date.

    Parameters
    ----------
    net : Network
        The network; only ``net.interactions`` and ``net.people`` are read.
    as_of : datetime-like, optional
        The time of measurement (naive means UTC). Default: the latest interaction in the
        network (never the wall clock). Interactions after ``as_of`` are ignored.
    model : {"paretonbd", "mbgnbd", "bgnbd"}, default "paretonbd"
        The buy-till-you-die model behind ``p_alive`` and ``expected_next_90d``. BG/NBD is
        always fitted too and reported as ``p_alive_bgnbd``.
    unit_days : float, default 7
        Time unit of the model fit, in days (weeks, as in the literature).
    horizon_days : float, default 90
        Horizon of the expected contacts. The column is named ``expected_next_<h>d``
        (``expected_next_90d`` by default).
    min_dyads : int, default 30
        Fewest dyads for which the model is fitted; below it (or with fewer than 2 dyads
        having a repeat contact day) the rule-based fallback is used (see Notes).
    max_fit_dyads : int, default 2500
        The models are fitted on at most this many dyads, drawn at random with a fixed seed
        (0), and then applied to all; 2,500 dyads (the size of the CDNOW sample) pin four
        parameters down well and keep the fit fast on large networks.
    alive_threshold : float, default 0.5
        P(alive) needed for the ``active`` state.
    dormant_days, long_dormant_days : float, default 365 and 1095
        Silence after which a tie is ``dormant`` / ``long_dormant``.
    return_model : bool, default False
        Also return the fitted model (a :class:`DormancyModel`).

    Returns
    -------
    DataFrame, or (DataFrame, DormancyModel) with ``return_model=True``
        The frame is indexed by ``person_id`` (every alter with at least one interaction up to
        ``as_of``, sorted), with columns

        - ``last_contact`` (UTC timestamp), ``days_since`` (float days to ``as_of``),
        - ``n_contacts`` (interaction rows), ``n_contact_days`` (distinct UTC days),
        - ``typical_gap_days`` — mean gap between contact days, (last − first contact day) /
          (contact days − 1), robust to bursts (NaN with fewer than ``MIN_RHYTHM_DAYS`` = 3 contact days),
          ``overdue_ratio`` = days_since / typical_gap_days,
        - ``p_alive`` (the chosen model), ``p_alive_bgnbd``, ``expected_next_90d`` —
          expected contact days in the next ``horizon_days``, ``model`` (the model name or
          ``"rule"``),
        - ``layer`` (5/15/50/150, NaN outside), ``layer_gap_days`` (7/30/120/365),
        - ``state`` (``active``/``cooling``/``dormant``/``long_dormant``),
        - ``cadence_days`` (from ``net.people``), ``due`` (bool), ``due_date`` (UTC).

        ``attrs["as_of"]`` holds the ``as_of`` used: the metrics that accept this frame
        (``dormancy_frame=``) check it against their own. The :class:`DormancyModel` holds the
        fitted parameters and log-likelihoods, or the reason for the fallback.

    Raises
    ------
    NotDefinedError
        If the network has no interactions at all.
    ValueError
        If ``model`` is unknown.

    Notes
    -----
    **Contacts.** Each interaction row is one contact (``n_contacts``). Same-day contacts
    are merged for everything about rhythm (gaps, layer, model), because email threads are
    bursty: ten messages in one afternoon are one contact day.
    Every channel counts the same way: an email, a LinkedIn, WhatsApp or Telegram message, a
    meeting, a call or a logged coffee is a contact on its day, so a tie that moved from
    mail to a chat app stays alive.

    **Model.** Each dyad is summarised in weeks from its first contact day: x = contact
    days − 1, t_x = (last − first contact day) / 7, T = (day of ``as_of`` − first contact
    day) / 7. The model is fitted once, across all dyads (or ``max_fit_dyads`` of them), by
    maximum likelihood (:mod:`netanalytics.metrics.btyd`): BG/NBD first, then the chosen
    model started from it. Pareto/NBD (default) and MBG/NBD give P(alive) < 1
    to one-contact dyads; BG/NBD gives them 1, which is why it is only reported beside.
    ``expected_next_90d`` is E[Y(h) | x, t_x, T], in contact days.
    **Fallback:** with fewer than ``min_dyads`` dyads, fewer than two repeat dyads, or a
    failed fit, ``p_alive``, ``p_alive_bgnbd`` and ``expected_next_90d`` are NaN,
    ``model`` is ``"rule"``, and the state uses the gap rules alone.

    **Layer.** Contacts in the trailing 365 days, counted as METRICS.md does (interaction
    rows, broadcasts left out: :func:`contacts_last_year`), give the Dunbar layer by
    :func:`dunbar_layer` — the same layer :func:`netanalytics.tie_strength` reports; the
    layer gap is :data:`LAYER_GAP_DAYS`.

    **State** (first match wins):

    1. ``long_dormant`` — days_since ≥ ``long_dormant_days`` (Levin, Walter & Murnighan 2011
       study ties dormant for 3+ years);
    2. ``dormant`` — days_since ≥ ``dormant_days``;
    3. ``active`` — all of: p_alive ≥ ``alive_threshold`` (skipped when p_alive is NaN,
       i.e. the fallback); days_since ≤ 2 × typical_gap_days (skipped for dyads with fewer
       than three contact days, which have no rhythm of their own); days_since ≤
       layer_gap_days (always
       applied; a tie outside every layer has not been contacted in the last year and
       cannot be active);
    4. ``cooling`` — everything else.

    So a single-contact-day dyad is active while the model still believes in it and its
    layer gap (365 days for a single contact in the last year) has not passed; under the
    fallback it stays active until the gap passes, which is then also when it turns dormant.

    **Due.** With a cadence (``cadence_days``, the user's wish): due when days_since ≥
    cadence, in any state, and ``due_date`` = last_contact + cadence. Without one: due when
    overdue_ratio ≥ 1 and the tie is active or cooling, and ``due_date`` = last_contact +
    typical gap (NaT for single-contact-day and dormant ties).

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way.
    Marketing Science 24(2), 275–284.
    Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and comparison of
    models for customer base analysis. IJRM 24(3), 201–209.
    Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your customers.
    Management Science 33(1), 1–24.
    Levin, D. Z., Walter, J. & Murnighan, J. K. (2011). Dormant ties: the value of reconnecting.
    Organization Science 22(4), 923–939.

    Examples
    --------
    >>> import pandas as pd
    >>> from netanalytics.network import build_network
    >>> from netanalytics.metrics.dormancy import dormancy
    >>> net = build_network(pd.DataFrame({
    ...     "timestamp": ["2023-01-02", "2024-01-01", "2024-01-15", "2024-01-29", "2024-02-12"],
    ...     "person_id": ["old", "ann", "ann", "ann", "ann"],
    ...     "direction": ["out", "out", "in", "out", "in"]}))
    >>> d = dormancy(net)
    >>> d[["days_since", "typical_gap_days", "overdue_ratio", "state", "due"]]  # doctest: +NORMALIZE_WHITESPACE
               days_since  typical_gap_days  overdue_ratio    state    due
    person_id
    ann               0.0              14.0            0.0   active  False
    old             406.0               NaN            NaN  dormant  False
    >>> d["model"].unique().tolist()   # two dyads are too few to fit a model
    ['rule']
    >>> d, fitted = dormancy(net, return_model=True)
    >>> fitted.model, fitted.n_dyads, fitted.reason
    ('rule', 2, '2 dyads < min_dyads=30')
    """
    if model not in _FITTERS:
        raise ValueError(f"model must be one of {sorted(_FITTERS)}, got {model!r}")
    inter = _contacts(net)
    as_of = net.resolve_as_of(as_of)
    inter = inter[inter[S.TIMESTAMP] <= as_of]
    horizon_col = S.EXPECTED_NEXT_90D if horizon_days == 90 else f"expected_next_{horizon_days:g}d"
    columns = [
        S.LAST_CONTACT,
        S.DAYS_SINCE,
        S.N_CONTACTS,
        S.N_CONTACT_DAYS,
        S.TYPICAL_GAP_DAYS,
        S.OVERDUE_RATIO,
        S.P_ALIVE,
        S.P_ALIVE_BGNBD,
        horizon_col,
        S.MODEL,
        S.LAYER,
        S.LAYER_GAP_DAYS,
        S.STATE,
        S.CADENCE_DAYS,
        S.DUE,
        S.DUE_DATE,
    ]
    if inter.empty:
        out = _empty_dormancy(columns)[columns]
        out.attrs["as_of"] = as_of
        info = DormancyModel(model=_RULE, as_of=as_of, n_dyads=0, reason="no interactions up to as_of")
        return (out, info) if return_model else out

    summ = _Summary(inter, as_of)
    days_since = (summ.as_of_ns - summ.last_ns) / _NS_PER_DAY
    typical = summ.typical_gap()
    with np.errstate(divide="ignore", invalid="ignore"):
        overdue = days_since / typical

    x, t_x, T = summ.rfm(unit_days)
    # the fits (seconds on 20,000 dyads) are kept on the network, keyed by their exact inputs:
    # calling dormancy again (the report does, after the user) reuses them
    key = ("btyd", model, min_dyads, max_fit_dyads, x.tobytes(), t_x.tobytes(), T.tobytes())
    if key not in net._memo:
        net._memo[key] = _fit_models(model, x, t_x, T, min_dyads, max_fit_dyads)
    chosen, bg, why = net._memo[key]
    nan = np.full(summ.k, np.nan)
    p_alive = chosen.p_alive(x, t_x, T) if chosen else nan
    p_alive_bg = bg.p_alive(x, t_x, T) if bg else nan
    expected = chosen.expected_purchases(horizon_days / unit_days, x, t_x, T) if chosen else nan

    year_counts = contacts_last_year(inter, as_of).reindex(pd.Index(summ.people), fill_value=0)
    layer = dunbar_layer(year_counts.to_numpy())
    layer_gap = np.select(
        [layer == size for size in LAYER_GAP_DAYS], list(LAYER_GAP_DAYS.values()), default=np.nan
    )

    alive_ok = np.isnan(p_alive) | (p_alive >= alive_threshold)
    rhythm_ok = np.isnan(typical) | (days_since <= 2.0 * typical)
    layer_ok = days_since <= layer_gap  # NaN gap (outside every layer) -> False
    state = np.select(
        [days_since >= long_dormant_days, days_since >= dormant_days, alive_ok & rhythm_ok & layer_ok],
        [S.LONG_DORMANT, S.DORMANT, S.ACTIVE],
        default=S.COOLING,
    ).astype(object)

    people_index = pd.Index(summ.people, name=S.PERSON_ID)
    cadence = net.people[S.CADENCE_DAYS].reindex(people_index).to_numpy(dtype=float)
    has_cadence = ~np.isnan(cadence)
    not_dormant = (state == S.ACTIVE) | (state == S.COOLING)
    due = np.where(has_cadence, days_since >= cadence, not_dormant & (overdue >= 1.0))
    last_contact = pd.to_datetime(summ.last_ns, unit="ns", utc=True)
    wait_days = np.where(has_cadence, cadence, np.where(not_dormant, typical, np.nan))
    due_date = last_contact + pd.to_timedelta(wait_days, unit="D")

    out = pd.DataFrame(
        {
            S.LAST_CONTACT: last_contact,
            S.DAYS_SINCE: days_since,
            S.N_CONTACTS: summ.n_rows.astype("int64"),
            S.N_CONTACT_DAYS: summ.n_days.astype("int64"),
            S.TYPICAL_GAP_DAYS: typical,
            S.OVERDUE_RATIO: overdue,
            S.P_ALIVE: p_alive,
            S.P_ALIVE_BGNBD: p_alive_bg,
            horizon_col: expected,
            S.MODEL: np.full(summ.k, model if chosen else _RULE, dtype=object),
            S.LAYER: layer,
            S.LAYER_GAP_DAYS: layer_gap,
            S.STATE: state,
            S.CADENCE_DAYS: cadence,
            S.DUE: due.astype(bool),
            S.DUE_DATE: due_date,
        },
        index=people_index,
    )
    out.attrs["as_of"] = as_of
    if return_model:
        return out, _model_info(model, chosen, bg, why, as_of, summ.k)
    return out


def dormancy_at(net: Network, as_of: pd.Timestamp, frame: pd.DataFrame | None) -> pd.DataFrame:
    """``frame`` when it is a :func:`dormancy` result for ``as_of``, else computed for it.

    Raises
    ------
    ValueError
        When ``frame`` was computed for another moment (``frame.attrs["as_of"]``): mixing two
        moments would silently mislabel states.
    """
    if frame is None:
        return dormancy(net, as_of=as_of)
    made = frame.attrs.get("as_of")
    if made is not None and pd.Timestamp(made) != pd.Timestamp(as_of):
        raise ValueError(
            f"dormancy_frame was computed as of {pd.Timestamp(made)}, not {pd.Timestamp(as_of)}: "
            "compute it with dormancy(net, as_of=...) for the same moment, or leave it out"
        )
    return frame


def _alter_communities(net: Network, seed: int) -> dict[Hashable, int]:
    return {node: i for i, part in enumerate(net.communities(seed=seed)) for node in part}


def _silence(days: float) -> str:
    months = round(days / 30.4375)
    if months < 2:
        return f"{int(days)} days"
    if months < 24:
        return f"{months} months"
    return f"{days / 365.25:.1f} years"


def _tie_kind(peak: float) -> str:
    if peak >= 8:
        return "Former close tie"
    if peak >= 2.5:
        return "Former regular contact"
    return "Former occasional contact"


def reconnect(
    net: Network,
    *,
    n: int = 20,
    as_of: object = None,
    include_cooling: bool = False,
    half_life_days: float = 180,
    novelty_weight: float = 1.0,
    communities: Mapping[Hashable, Hashable] | None = None,
    seed: int = 0,
    dormancy_frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rank dormant ties worth reviving: formerly strong ones, and ones that open new circles.

    Parameters
    ----------
    net : Network
        The network.
    n : int, default 20
        Number of suggestions returned.
    as_of : datetime-like, optional
        Time of measurement; default the latest interaction (as in :func:`dormancy`).
    include_cooling : bool, default False
        Also suggest ``cooling`` ties (by default only ``dormant`` and ``long_dormant``).
    half_life_days : float, default 180
        Half-life of the decayed intensity whose maximum over time is the peak strength.
    novelty_weight : float, default 1.0
        Weight of novelty in the score (see Notes).
    communities : mapping person_id -> label, optional
        Communities of the alters (e.g. from the health metrics). Default: Louvain
        communities (``seed``) of the alter–alter co-participation graph of
        ``net.graph()``; alters alone in their community count as having none.
    seed : int, default 0
        Seed of the Louvain run when ``communities`` is not given.
    dormancy_frame : DataFrame, optional
        A :func:`dormancy` result to reuse (it must be computed at the same ``as_of``).

    Returns
    -------
    DataFrame
        At most ``n`` rows ranked by ``score`` (highest first; ties by peak strength, then
        person_id), indexed by ``person_id``, with columns ``name``, ``state``, ``days_since``,
        ``peak_strength``, ``novelty``, ``score``, ``reason``.

    Raises
    ------
    NotDefinedError
        If the network has no interactions at all.

    Notes
    -----
    ``peak_strength`` = max over t ≤ as_of of S(t) = Σ exp(−ln2 (t − t_k)/h) with h =
    ``half_life_days``, one term per interaction row (:func:`decayed_intensity`); S jumps at
    each contact and decays in between, so the maximum is reached at a contact. A steady
    rate of one contact per week gives S ≈ 37, per month ≈ 8.7, per quarter ≈ 2.9; the
    reason calls a tie "close" from 8, "regular" from 2.5, "occasional" below.

    ``novelty`` = (number of dimensions among company, email domain and community on which
    the tie's known value is held by none of my currently ``active`` ties) / 3. Unknown
    values and free-mail domains never count as novel.
    ``score`` = peak_strength × (1 + novelty_weight × novelty): formerly strong ties come
    first, and novelty can at most double a score — Levin, Walter & Murnighan (2011) found
    reconnected dormant ties give more novel knowledge than current ties, most of all
    formerly strong ones.

    References
    ----------
    Levin, D. Z., Walter, J. & Murnighan, J. K. (2011). Dormant ties: the value of reconnecting.
    Organization Science 22(4), 923–939.

    Examples
    --------
    >>> import pandas as pd
    >>> from netanalytics.network import build_network
    >>> from netanalytics.metrics.dormancy import reconnect
    >>> weekly = pd.date_range("2021-01-04", periods=20, freq="7D")
    >>> net = build_network(
    ...     pd.DataFrame({"timestamp": [*weekly, "2021-03-01", "2023-05-01", "2023-05-20"],
    ...                   "person_id": ["bo"] * 20 + ["cy", "ann", "ann"],
    ...                   "direction": "out"}),
    ...     people=pd.DataFrame({"name": ["Bo Li", "Cy Ng", "Ann Lee"], "company": ["Acme", "Initech", "Initech"]},
    ...                         index=pd.Index(["bo", "cy", "ann"], name="person_id")))
    >>> r = reconnect(net)
    >>> r[["state", "novelty"]].reset_index().values.tolist()
    [['bo', 'dormant', 0.3333333333333333], ['cy', 'dormant', 0.0]]
    >>> print(r["reason"].iloc[0])
    Former close tie (peak 15.7 contacts/half-life), silent 2.0 years; works at Acme, where none of your active ties are
    """
    ranking = _ranking(
        net,
        as_of=as_of,
        include_cooling=include_cooling,
        half_life_days=half_life_days,
        novelty_weight=novelty_weight,
        communities=communities,
        seed=seed,
        dormancy_frame=dormancy_frame,
    )
    return ranking.head(n)


@memoised
def _ranking(
    net: Network,
    *,
    as_of: object,
    include_cooling: bool,
    half_life_days: float,
    novelty_weight: float,
    communities: Mapping[Hashable, Hashable] | None,
    seed: int,
    dormancy_frame: pd.DataFrame | None,
) -> pd.DataFrame:
    """Every candidate of :func:`reconnect`, ranked (kept per network: reconnect takes the first n)."""
    inter = _contacts(net)
    as_of = net.resolve_as_of(as_of)
    dorm = dormancy_at(net, as_of, dormancy_frame)
    inter = inter[inter[S.TIMESTAMP] <= as_of]
    columns = [S.NAME, S.STATE, S.DAYS_SINCE, S.PEAK_STRENGTH, S.NOVELTY, S.SCORE, S.REASON]
    if dorm.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype=object) for c in columns}, index=pd.Index([], dtype=object, name=S.PERSON_ID)
        )

    summ = _Summary(inter, as_of)
    peak = pd.Series(summ.peak_intensity(half_life_days), index=pd.Index(summ.people, name=S.PERSON_ID))

    people = net.people.reindex(dorm.index)
    company = normalized_text(people[S.COMPANY])
    domain = normalized_text(people[S.DOMAIN]).map(
        lambda d: None if is_free_mail(d) else d
    )  # free mail says nothing of work
    if communities is None:
        communities = _alter_communities(net, seed)
    community = pd.Series([communities.get(pid) for pid in dorm.index], index=dorm.index, dtype=object)

    active = dorm.index[dorm[S.STATE] == S.ACTIVE]
    wanted = [S.DORMANT, S.LONG_DORMANT] + ([S.COOLING] if include_cooling else [])
    cand = dorm.index[dorm[S.STATE].isin(wanted)]
    novel = {}
    for dim, values in (("company", company), ("domain", domain), ("community", community)):
        held = set(values.loc[active].dropna())
        novel[dim] = values.loc[cand].map(
            lambda v, held=held: v is not None and not pd.isna(v) and v not in held
        )
    novelty = (
        novel["company"].astype(int) + novel["domain"].astype(int) + novel["community"].astype(int)
    ) / 3
    score = peak.loc[cand] * (1.0 + novelty_weight * novelty)

    # plain dicts: a scalar lookup in a Series or frame per person costs tens of µs
    raw_company = as_dict(people[S.COMPANY])
    raw_domain = as_dict(people[S.DOMAIN])
    peak_of, silent_days = as_dict(peak), as_dict(dorm[S.DAYS_SINCE])
    novel_of = {dim: as_dict(flags) for dim, flags in novel.items()}
    reasons = []
    for pid in cand:
        text = (
            f"{_tie_kind(peak_of[pid])} (peak {peak_of[pid]:.1f} contacts/half-life), "
            f"silent {_silence(silent_days[pid])}"
        )
        clauses = []
        if novel_of["company"][pid]:
            clauses.append(f"works at {str(raw_company[pid]).strip()}, where none of your active ties are")
        elif novel_of["domain"][pid]:
            clauses.append(
                f"writes from {str(raw_domain[pid]).strip().lower()}, a domain none of your active ties use"
            )
        if novel_of["community"][pid]:
            clauses.append("belongs to a circle none of your active ties are in")
        reasons.append("; ".join([text, *clauses]))

    out = pd.DataFrame(
        {
            S.PERSON_ID: cand.to_numpy(dtype=object),
            S.NAME: people.loc[cand, S.NAME].to_numpy(dtype=object),
            S.STATE: dorm.loc[cand, S.STATE].to_numpy(dtype=object),
            S.DAYS_SINCE: dorm.loc[cand, S.DAYS_SINCE].to_numpy(dtype=float),
            S.PEAK_STRENGTH: peak.loc[cand].to_numpy(dtype=float),
            S.NOVELTY: novelty.to_numpy(dtype=float),
            S.SCORE: score.to_numpy(dtype=float),
            S.REASON: np.array(reasons, dtype=object),
        }
    )
    out = out.sort_values(
        [S.SCORE, S.PEAK_STRENGTH, S.PERSON_ID], ascending=[False, False, True], kind="stable"
    )
    return out.set_index(S.PERSON_ID)
