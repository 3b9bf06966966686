"""Tests for netanalytics.metrics.strength on hand-built networks with exact expected values."""

import math

import pandas as pd
import pytest

from netanalytics import schema as S
from netanalytics.exceptions import NotDefinedError
from netanalytics.metrics.strength import STRENGTH_COMPONENTS, tie_strength
from netanalytics.network import build_network


def _net(rows, people=None):
    df = pd.DataFrame(
        rows, columns=[S.TIMESTAMP, S.PERSON_ID, S.DIRECTION, S.MESSAGE_ID, S.N_PARTICIPANTS, S.CHANNEL]
    )
    df[S.N_PARTICIPANTS] = df[S.N_PARTICIPANTS].astype("int64")
    return build_network(df, people)


@pytest.mark.parametrize("h", [42, 180])
def test_decay_published_check(h):
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    net = _net(
        [(t0, "ann", "out", "m1", 2, "email"), (t0 + pd.Timedelta(days=h), "ann", "in", "m2", 2, "email")]
    )
    at_h = tie_strength(net, as_of=t0 + pd.Timedelta(days=h), short_half_life_days=h, long_half_life_days=h)
    at_2h = tie_strength(
        net, as_of=t0 + pd.Timedelta(days=2 * h), short_half_life_days=h, long_half_life_days=h
    )
    print(h, at_h.loc["ann", S.INTENSITY_SHORT], at_2h.loc["ann", S.INTENSITY_LONG])
    assert at_h.loc["ann", S.INTENSITY_SHORT] == pytest.approx(1.5)
    assert at_2h.loc["ann", S.INTENSITY_LONG] == pytest.approx(0.75)


def test_default_half_lives_and_future_rows_ignored():
    net = _net(
        [
            ("2024-01-01", "ann", "out", "m1", 2, "email"),
            ("2024-02-12", "ann", "in", "m2", 2, "email"),
            ("2024-12-01", "ann", "in", "m3", 2, "email"),
        ]
    )
    t = tie_strength(net, as_of="2024-03-25")  # 84 days = 2 short half-lives after the first row
    print(t.loc["ann"])
    assert t.loc["ann", S.INTENSITY_SHORT] == pytest.approx(0.75)
    assert t.loc["ann", S.INTENSITY_LONG] == pytest.approx(2 ** (-84 / 180) + 2 ** (-42 / 180))
    assert (t.loc["ann", S.SENT], t.loc["ann", S.RECEIVED]) == (1, 1)
    assert t.loc["ann", S.RECENCY_DAYS] == 42.0 and t.loc["ann", S.DURATION_DAYS] == 84.0


def test_broadcast_rows_are_weak_evidence():
    net = _net(
        [
            ("2024-01-01", "ann", "out", "m1", 2, "email"),
            ("2024-03-01", "ann", "out", "news", 12, "email"),
            ("2024-03-01", "bob", "out", "news", 12, "email"),
        ]
    )
    t = tie_strength(net, as_of="2024-03-01")
    print(t[[S.INTENSITY_SHORT, S.RECENCY_DAYS, S.SENT, S.N_365D, S.OVERLAP, S.LAYER]])
    # bob only got a mailing to 11 people: 1/11 of a contact, nothing else
    assert t.loc["bob", S.INTENSITY_SHORT] == pytest.approx(1 / 11)
    assert math.isnan(t.loc["bob", S.RECENCY_DAYS]) and t.loc["bob", S.SENT] == 0
    assert pd.isna(t.loc["bob", S.LAYER]) and t.loc["bob", S.N_365D] == 0
    # the mailing does not refresh ann's recency nor make ann and bob share a neighbour
    assert t.loc["ann", S.RECENCY_DAYS] == 60.0
    assert t.loc["ann", S.OVERLAP] == 0
    assert t.loc["ann", S.INTENSITY_SHORT] == pytest.approx(2 ** (-60 / 42) + 1 / 11)
    wider = tie_strength(net, as_of="2024-03-01", broadcast=12)
    assert wider.loc["bob", S.INTENSITY_SHORT] == 1.0 and wider.loc["ann", S.OVERLAP] == 1


def test_dunbar_layers_from_interactions_in_the_last_year():
    as_of = pd.Timestamp("2024-12-31", tz="UTC")
    rows = []
    for pid, n in (("w", 26), ("m", 6), ("q", 2), ("y", 1)):
        for d in range(n):
            ts = as_of - pd.Timedelta(days=d * 7)
            # a message and its answer on the same day are two contacts (message × counterpart)
            rows += [(ts, pid, "out", f"{pid}{d}a", 2, "email"), (ts, pid, "in", f"{pid}{d}b", 2, "email")]
    rows = rows[:-1]  # y: only my message
    rows.append((as_of - pd.Timedelta(days=400), "old", "out", "o1", 2, "email"))
    t = tie_strength(_net(rows), as_of=as_of)
    print(t[[S.N_365D, S.LAYER]])
    assert t[S.N_365D].to_dict() == {"w": 52, "m": 12, "q": 4, "y": 1, "old": 0}
    assert t.loc[["w", "m", "q", "y"], S.LAYER].tolist() == [5, 15, 50, 150]
    assert pd.isna(t.loc["old", S.LAYER])
    assert str(t[S.LAYER].dtype) == "Int64"


def test_overlap_channels_balance():
    net = _net(
        [
            ("2024-01-01", "ann", "out", "g1", 3, "email"),
            ("2024-01-01", "bob", "out", "g1", 3, "email"),
            ("2024-01-02", "ann", "in", "l1", 2, "linkedin"),
            ("2024-01-03", "ann", "out", "mt", 2, "meeting"),
            ("2024-01-04", "cy", "in", "c1", 2, "email"),
        ]
    )
    t = tie_strength(net)
    print(t[[S.OVERLAP, S.CHANNELS, S.BALANCE]])
    assert t[S.OVERLAP].to_dict() == {"ann": 1, "bob": 1, "cy": 0}
    assert t[S.CHANNELS].to_dict() == {"ann": 3, "bob": 1, "cy": 1}
    assert t.loc["ann", S.BALANCE] == pytest.approx(2 / 3)  # sent 2, received 1
    assert t.loc["cy", S.BALANCE] == 0.5


def test_strength_is_weighted_mean_of_ranks():
    net = _net(
        [
            ("2024-01-01", "ann", "out", "a", 2, "email"),
            ("2024-01-05", "bob", "out", "b", 2, "email"),
            ("2024-01-10", "cy", "out", "c", 2, "email"),
        ]
    )
    only_recency = {c: 0.0 for c in STRENGTH_COMPONENTS} | {S.RECENCY_DAYS: 1.0}
    t = tie_strength(net, as_of="2024-01-11", weights=only_recency)
    print(t[S.STRENGTH])
    assert t[S.STRENGTH].to_dict() == pytest.approx({"ann": 1 / 3, "bob": 2 / 3, "cy": 1.0})
    equal = tie_strength(net, as_of="2024-01-11")
    # cy is most recent and most intense; ties elsewhere (balance, overlap, channels, duration reversed)
    print(equal[S.STRENGTH])
    assert equal[S.STRENGTH].idxmax() == "cy"
    assert ((equal[S.STRENGTH] > 0) & (equal[S.STRENGTH] <= 1)).all()
    with pytest.raises(ValueError, match="unknown strength component"):
        tie_strength(net, weights={"closeness": 1})


def test_alters_without_contact_and_empty_network():
    people = pd.DataFrame({S.NAME: ["Dee"]}, index=pd.Index(["dee"], name=S.PERSON_ID))
    net = _net([("2024-01-01", "ann", "out", "a", 2, "email")], people)
    t = tie_strength(net)
    print(t.loc["dee"])
    assert t.loc["dee", S.STRENGTH] == 0.0 and t.loc["dee", S.INTENSITY_LONG] == 0.0
    assert math.isnan(t.loc["dee", S.RECENCY_DAYS]) and pd.isna(t.loc["dee", S.LAYER])
    assert t.loc["ann", S.STRENGTH] == 1.0
    with pytest.raises(NotDefinedError):
        tie_strength(build_network(S.empty_frame(S.INTERACTIONS)))


def test_fast_ego_graph_matches_network_graph(ego_graph):
    net = _net(
        [
            ("2024-01-01", "ann", "out", "g1", 4, "email"),
            ("2024-01-01", "bob", "out", "g1", 4, "email"),
            ("2024-01-01", "cy", "out", "g1", 4, "email"),
            ("2024-01-02", "ann", "in", "x", 2, "email"),
            ("2024-01-03", "ann", "out", "g2", 3, "email"),
            ("2024-01-03", "bob", "out", "g2", 3, "email"),
        ]
    )
    G, H = net.graph(), ego_graph(net.me, net.interactions)
    print(sorted(H.edges(data="weight")))
    assert {frozenset(e): w for *e, w in G.edges(data="weight")} == {
        frozenset(e): w for *e, w in H.edges(data="weight")
    }


def test_intensity_equals_dormancy_decayed_intensity():
    from netanalytics.metrics.dormancy import decayed_intensity

    net = _net(
        [
            ("2024-01-01 00:00", "ann", "out", "a", 2, "email"),
            ("2024-02-03 13:30", "ann", "in", "b", 2, "email"),
            ("2024-02-20 08:00", "bob", "out", "n", 14, "email"),
            ("2024-03-01 00:00", "bob", "in", "c", 2, "email"),
        ]
    )
    as_of = pd.Timestamp("2024-04-01", tz="UTC")
    t = tie_strength(net, as_of=as_of)
    inter = net.interactions
    for pid in ("ann", "bob"):
        rows = inter[inter[S.PERSON_ID] == pid]
        w = [1 / 13 if n > 10 else 1.0 for n in rows[S.N_PARTICIPANTS]]
        ref = decayed_intensity(rows[S.TIMESTAMP], as_of, 42, weights=w)
        print(pid, t.loc[pid, S.INTENSITY_SHORT], ref)
        assert t.loc[pid, S.INTENSITY_SHORT] == pytest.approx(ref)
