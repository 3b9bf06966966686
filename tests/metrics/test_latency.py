"""Tests of netanalytics.metrics.latency.reply_latencies."""

from __future__ import annotations

import pandas as pd
import pytest

from netanalytics import schema as S
from netanalytics.metrics.latency import reply_latencies
from netanalytics.metrics.reciprocity import reciprocity
from netanalytics.network import build_network


def _net(rows):
    cols = [
        S.TIMESTAMP,
        S.PERSON_ID,
        S.DIRECTION,
        S.MESSAGE_ID,
        S.IN_REPLY_TO,
        S.THREAD_ID,
        S.N_PARTICIPANTS,
        S.CHANNEL,
    ]
    return build_network(pd.DataFrame(rows, columns=cols))


@pytest.fixture
def net():
    return _net(
        [
            # ann: I write, she answers after 3 h (explicit In-Reply-To); she writes, I answer after 30 min
            ("2024-03-01 09:00", "ann", "out", "a1", None, "ta", 2, "email"),
            ("2024-03-01 12:00", "ann", "in", "a2", "a1", "ta", 2, "email"),
            ("2024-03-05 10:00", "ann", "in", "a3", None, "tb", 2, "email"),
            ("2024-03-05 10:30", "ann", "out", "a4", "a3", "tb", 2, "email"),
            # bob: same thread, no In-Reply-To: next message the other way answers (5 h)
            ("2024-03-02 08:00", "bob", "in", "b1", None, "tc", 2, "linkedin"),
            ("2024-03-02 13:00", "bob", "out", "b2", None, "tc", 2, "linkedin"),
            # cy: an answer after 10 days is outside the 7-day window
            ("2024-03-03 08:00", "cy", "out", "c1", None, "td", 2, "email"),
            ("2024-03-13 08:00", "cy", "in", "c2", "c1", "td", 2, "email"),
            # dee: broadcast (12 participants) and a meeting are never answered messages
            ("2024-03-04 08:00", "dee", "out", "d1", None, "te", 12, "email"),
            ("2024-03-04 09:00", "dee", "in", "d2", "d1", "te", 12, "email"),
            ("2024-03-06 08:00", "dee", "out", "d3", None, None, 2, "meeting"),
            ("2024-03-06 09:00", "dee", "in", "d4", None, None, 2, "meeting"),
        ]
    )


def test_one_row_per_answered_message_with_exact_hours(net):
    lat = reply_latencies(net)
    assert list(lat.columns) == [S.PERSON_ID, S.DIRECTION, S.TIMESTAMP, S.HOURS]
    got = lat[[S.PERSON_ID, S.DIRECTION, S.HOURS]].values.tolist()
    assert got == [["ann", S.THEIRS, 3.0], ["bob", S.MINE, 5.0], ["ann", S.MINE, 0.5]]
    dtype = lat[S.TIMESTAMP].dtype
    assert isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC"
    assert lat[S.TIMESTAMP].iloc[0] == pd.Timestamp("2024-03-01 09:00", tz="UTC")


def test_window_widens_to_include_slow_answers(net):
    lat = reply_latencies(net, window_days=14)
    assert lat.loc[lat[S.PERSON_ID] == "cy", S.HOURS].tolist() == [240.0]


def test_broadcast_threshold_is_a_parameter(net):
    lat = reply_latencies(net, broadcast=20)
    assert lat.loc[lat[S.PERSON_ID] == "dee", [S.DIRECTION, S.HOURS]].values.tolist() == [[S.THEIRS, 1.0]]


def test_as_of_hides_later_answers(net):
    lat = reply_latencies(net, as_of="2024-03-02 00:00")
    assert lat[[S.PERSON_ID, S.HOURS]].values.tolist() == [["ann", 3.0]]


def test_medians_agree_with_reciprocity(net):
    lat = reply_latencies(net)
    rec = reciprocity(net)
    for direction, col in ((S.MINE, S.MY_MEDIAN_REPLY_HOURS), (S.THEIRS, S.THEIR_MEDIAN_REPLY_HOURS)):
        med = lat[lat[S.DIRECTION] == direction].groupby(S.PERSON_ID)[S.HOURS].median()
        assert med.to_dict() == rec[col].dropna().to_dict()


def test_no_replies_gives_an_empty_frame_with_the_columns():
    net = _net([("2024-03-01 09:00", "ann", "out", "a1", None, "ta", 2, "email")])
    lat = reply_latencies(net)
    assert lat.empty and list(lat.columns) == [S.PERSON_ID, S.DIRECTION, S.TIMESTAMP, S.HOURS]
