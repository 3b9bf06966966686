"""Reply latencies one by one: how long I take to answer each alter, and they me."""

from __future__ import annotations

import pandas as pd

from netanalytics import schema as S
from netanalytics.metrics._common import ANSWERABLE_CHANNELS, answer_times, interactions_upto
from netanalytics.network import Network

__all__ = ["reply_latencies"]

_HOUR = pd.Timedelta(hours=1)


def reply_latencies(
    net: Network,
    *,
    window_days: float = 7,
    as_of: object = None,
    broadcast: int = 10,
) -> pd.DataFrame:
    """Every answered message with its reply latency, in my direction and in theirs.

    Parameters
    ----------
    net : Network
        The ego network.
    window_days : float, default 7
        Only answers that came within this many days count (as in
        :func:`~netanalytics.metrics.reciprocity.reciprocity`).
    as_of : timestamp-like, optional
        Only interactions at or before this moment count. Default: the latest interaction.
    broadcast : int, default 10
        Messages with more participants (me included) are left out, as in ``reciprocity``.

    Returns
    -------
    pandas.DataFrame
        One row per answered message, sorted by time, columns

        ``person_id``
            The alter.
        ``direction``
            ``"mine"`` when I answered their message, ``"theirs"`` when they answered mine.
        ``timestamp``
            When the answered message was sent (UTC).
        ``hours`` (float)
            Hours from the message to its answer.

    Raises
    ------
    NotDefinedError
        When ``as_of`` is None and the network has no interactions.

    Notes
    -----
    The answer to a message is found with the same rule as in
    :func:`~netanalytics.metrics.reciprocity.reciprocity` (its helper is reused, not copied):
    the row in the other direction whose ``in_reply_to`` names the message, else the next
    row in the other direction in the same thread. Meetings and invitations are not
    answerable. The per-alter medians of ``hours`` are therefore exactly
    ``my_median_reply_hours`` / ``their_median_reply_hours``. Latencies are heavy-tailed
    (Kooti et al. 2015: median reply time under an hour), so plot them on a log scale.

    Examples
    --------
    I write to ann; she answers two hours later; I answer her the next morning:

    >>> import pandas as pd
    >>> from netanalytics.network import build_network
    >>> net = build_network(pd.DataFrame({
    ...     "timestamp": ["2024-03-01 09:00", "2024-03-01 11:00", "2024-03-02 08:00"],
    ...     "person_id": ["ann", "ann", "ann"],
    ...     "direction": ["out", "in", "out"],
    ...     "thread_id": ["t1", "t1", "t1"]}))
    >>> reply_latencies(net)[["person_id", "direction", "hours"]]
      person_id direction  hours
    0       ann    theirs    2.0
    1       ann      mine   21.0
    """
    as_of = net.resolve_as_of(as_of)
    inter = interactions_upto(net, as_of)
    core = inter[inter[S.N_PARTICIPANTS] <= broadcast]
    rows = core[core[S.CHANNEL].isin(ANSWERABLE_CHANNELS)]
    latency = answer_times(rows) - rows[S.TIMESTAMP]
    answered = latency.notna() & (latency <= pd.Timedelta(days=window_days))
    rows = rows[answered]
    out = pd.DataFrame(
        {
            S.PERSON_ID: rows[S.PERSON_ID].to_numpy(dtype=object),
            S.DIRECTION: [S.MINE if d == S.IN else S.THEIRS for d in rows[S.DIRECTION]],
            S.TIMESTAMP: rows[S.TIMESTAMP].to_numpy(),
            S.HOURS: (latency[answered] / _HOUR).to_numpy(dtype=float),
        }
    )
    out[S.DIRECTION] = out[S.DIRECTION].astype(object)
    out[S.TIMESTAMP] = pd.to_datetime(out[S.TIMESTAMP], utc=True)
    return out.sort_values(S.TIMESTAMP, kind="stable").reset_index(drop=True)
