"""dormancy, reconnect, dunbar_layer and decayed_intensity on hand-built networks."""

import math

import numpy as np
import pandas as pd
import pytest

from netanalytics import schema as S
from netanalytics.exceptions import NotDefinedError
from netanalytics.metrics.dormancy import DormancyModel, decayed_intensity, dormancy, dunbar_layer, reconnect
from netanalytics.network import build_network

AS_OF = "2024-07-01 12:00"


def _net(rows, people=None):
    ts, pid = zip(*rows)
    frame = pd.DataFrame(
        {S.TIMESTAMP: [pd.Timestamp(t) for t in ts], S.PERSON_ID: list(pid), S.DIRECTION: S.OUT}
    )
    return build_network(frame, people)


@pytest.fixture(scope="module")
def small():
    eve = [(str((pd.Timestamp("2023-07-03") + pd.Timedelta(days=30 * k)).date()), "eve") for k in range(12)]
    rows = [
        ("2024-06-01 09:00", "ann"),
        ("2024-06-01 15:00", "ann"),
        ("2024-06-11 10:00", "ann"),
        ("2024-06-21 10:00", "ann"),
        ("2024-08-01 10:00", "ann"),  # the last one is after as_of
        ("2024-06-28 12:00", "bob"),
        ("2024-01-01", "cat"),
        ("2024-01-31", "cat"),
        ("2024-03-01", "cat"),
        *eve,
        ("2023-06-01", "fay"),
        ("2020-01-01", "gus"),
        ("2020-02-01", "gus"),
        ("2023-01-01", "hal"),
    ]
    people = pd.DataFrame({S.CADENCE_DAYS: [7.0, 90.0]}, index=pd.Index(["bob", "hal"], name=S.PERSON_ID))
    return dormancy(_net(rows, people), as_of=AS_OF)


EXPECTED = {
    # person: (last_contact, days_since, n_contacts, typical_gap, overdue_ratio, layer, state, due, due_date)
    # ann: 4 interaction rows in the year (two on one day) -> layer 50
    "ann": (
        "2024-06-21 10:00",
        10 + 2 / 24,
        4,
        10.0,
        (10 + 2 / 24) / 10,
        50,
        "active",
        True,
        "2024-07-01 10:00",
    ),
    "bob": ("2024-06-28 12:00", 3.0, 1, np.nan, np.nan, 150, "active", False, "2024-07-05 12:00"),
    "cat": ("2024-03-01", 122.5, 3, 30.0, 122.5 / 30, 150, "cooling", True, "2024-03-31"),
    "eve": ("2024-05-28", 34.5, 12, 30.0, 34.5 / 30, 15, "cooling", True, "2024-06-27"),
    "fay": ("2023-06-01", 396.5, 1, np.nan, np.nan, np.nan, "dormant", False, None),
    # gus: two contact days are one gap, not a rhythm
    "gus": ("2020-02-01", 1612.5, 2, np.nan, np.nan, np.nan, "long_dormant", False, None),
    "hal": ("2023-01-01", 547.5, 1, np.nan, np.nan, np.nan, "dormant", True, "2023-04-01"),
}


def test_index_and_columns(small):
    print(small.to_string())
    assert list(small.index) == sorted(EXPECTED)
    assert small.index.name == S.PERSON_ID
    for col in [
        S.LAST_CONTACT,
        S.DAYS_SINCE,
        S.N_CONTACTS,
        S.TYPICAL_GAP_DAYS,
        S.OVERDUE_RATIO,
        S.P_ALIVE,
        S.P_ALIVE_BGNBD,
        S.EXPECTED_NEXT_90D,
        S.LAYER_GAP_DAYS,
        S.STATE,
        S.CADENCE_DAYS,
        S.DUE,
        S.DUE_DATE,
        S.MODEL,
    ]:
        assert col in small.columns


@pytest.mark.parametrize("pid", sorted(EXPECTED))
def test_hand_built_values(small, pid):
    last, days, n, gap, ratio, layer, state, due, due_date = EXPECTED[pid]
    row = small.loc[pid]
    print(pid, row[S.DAYS_SINCE], row[S.TYPICAL_GAP_DAYS], row[S.OVERDUE_RATIO], row[S.STATE], row[S.DUE])
    assert row[S.LAST_CONTACT] == pd.Timestamp(last, tz="UTC")
    assert row[S.DAYS_SINCE] == pytest.approx(days, abs=1e-9)
    assert row[S.N_CONTACTS] == n
    np.testing.assert_allclose(row[S.TYPICAL_GAP_DAYS], gap)
    np.testing.assert_allclose(row[S.OVERDUE_RATIO], ratio)
    np.testing.assert_allclose(row[S.LAYER], layer)
    assert row[S.STATE] == state
    assert bool(row[S.DUE]) is due
    if due_date is None:
        assert pd.isna(row[S.DUE_DATE])
    else:
        assert row[S.DUE_DATE] == pd.Timestamp(due_date, tz="UTC")


def test_same_day_contacts_merge_for_rhythm(small):
    assert small.at["ann", S.N_CONTACTS] == 4
    assert small.at["ann", S.N_CONTACT_DAYS] == 3


def test_too_few_dyads_fall_back_to_rule(small):
    assert set(small[S.MODEL]) == {"rule"}
    assert small[S.P_ALIVE].isna().all() and small[S.EXPECTED_NEXT_90D].isna().all()
    assert "btyd" not in small.attrs  # the model is returned, not hidden in attrs


def test_fallback_model_says_why():
    net = _net([("2024-01-01", "a"), ("2024-01-11", "a"), ("2024-02-01", "b")])
    d, fitted = dormancy(net, return_model=True)
    assert fitted == DormancyModel(
        model="rule", as_of=pd.Timestamp("2024-02-01", tz="UTC"), n_dyads=2, reason="2 dyads < min_dyads=30"
    )
    d, fitted = dormancy(net, as_of="2023-01-01", return_model=True)
    assert d.empty and fitted.n_dyads == 0 and fitted.reason == "no interactions up to as_of"
    assert fitted.params is None and fitted.log_likelihood is None


def test_layer_gap_and_days_columns(small):
    assert small.at["eve", S.LAYER_GAP_DAYS] == 30.0
    assert small.at["ann", S.LAYER_GAP_DAYS] == 120.0  # layer 50
    assert small.at["cat", S.LAYER_GAP_DAYS] == 365.0  # layer 150
    assert small[S.DUE].dtype == bool


def test_default_as_of_is_latest_interaction():
    net = _net([("2024-01-01", "a"), ("2024-01-11", "a"), ("2024-02-01", "b")])
    d, fitted = dormancy(net, return_model=True)
    assert d.attrs["as_of"] == fitted.as_of == pd.Timestamp("2024-02-01", tz="UTC")
    assert d.at["a", S.DAYS_SINCE] == 21.0
    assert d.at["b", S.DAYS_SINCE] == 0.0


def test_no_interactions_raises():
    empty = _net([("2024-01-01", "a")]).with_frames(interactions=S.empty_frame(S.INTERACTIONS))
    with pytest.raises(NotDefinedError, match="no interactions"):
        dormancy(empty)
    with pytest.raises(NotDefinedError):
        reconnect(empty)


def test_as_of_before_everything_gives_empty_frame():
    d = dormancy(_net([("2024-01-01", "a")]), as_of="2023-01-01")
    assert d.empty and S.STATE in d.columns
    r = reconnect(_net([("2024-01-01", "a")]), as_of="2023-01-01")
    assert r.empty and r.index.name == S.PERSON_ID
    assert list(r.columns) == [S.NAME, S.STATE, S.DAYS_SINCE, S.PEAK_STRENGTH, S.NOVELTY, S.SCORE, S.REASON]


def test_unknown_model_rejected():
    with pytest.raises(ValueError, match="model must be one of"):
        dormancy(_net([("2024-01-01", "a")]), model="bgndb")


@pytest.fixture(scope="module")
def planted():
    """60 steady weekly ties up to as_of, 60 ties silent for 400-900 days, 30 one-off contacts."""
    rng = np.random.default_rng(7)
    as_of = pd.Timestamp("2025-06-30", tz="UTC")
    rows = []
    for i in range(60):
        last = as_of - pd.Timedelta(days=int(rng.integers(0, 4)))
        rows += [(last - pd.Timedelta(days=7 * k), f"steady{i:02d}") for k in range(100)]
    for i in range(60):
        last = as_of - pd.Timedelta(days=int(rng.integers(400, 900)))
        n = int(rng.integers(3, 30))
        rows += [(last - pd.Timedelta(days=10 * k), f"gone{i:02d}") for k in range(n)]
    for i in range(30):
        rows.append((as_of - pd.Timedelta(days=int(rng.integers(30, 700))), f"once{i:02d}"))
    return _net(rows)


@pytest.mark.parametrize("model", ["paretonbd", "mbgnbd", "bgnbd"])
def test_planted_states_with_fitted_model(planted, model):
    d, fitted = dormancy(planted, model=model, return_model=True)
    steady = d[d.index.str.startswith("steady")]
    gone = d[d.index.str.startswith("gone")]
    print(
        model,
        fitted.params,
        "steady p_alive min",
        steady[S.P_ALIVE].min(),
        "gone p_alive max",
        gone[S.P_ALIVE].max(),
        "steady E[next 90d] median",
        steady[S.EXPECTED_NEXT_90D].median(),
    )
    assert set(d[S.MODEL]) == {model} and fitted.model == model and fitted.reason == ""
    assert fitted.n_dyads == len(d)
    assert np.isfinite(fitted.log_likelihood) and np.isfinite(fitted.log_likelihood_bgnbd)
    assert set(fitted.params_bgnbd) == {"r", "alpha", "a", "b"}
    assert (steady[S.STATE] == S.ACTIVE).all()
    assert gone[S.STATE].isin([S.DORMANT, S.LONG_DORMANT]).all()
    assert steady[S.P_ALIVE].min() > 0.9
    assert gone[S.P_ALIVE].max() < steady[S.P_ALIVE].min()
    # Weekly contact: about 90 / 7 = 12.9 contact days in the next 90 days.
    assert 10 < steady[S.EXPECTED_NEXT_90D].median() < 14
    assert d[S.P_ALIVE_BGNBD].between(0, 1).all()


def test_one_contact_dyads_get_p_alive_below_one_from_paretonbd(planted):
    d = dormancy(planted)
    once = d[d.index.str.startswith("once")]
    assert (once[S.P_ALIVE] < 1).all()
    assert (once[S.P_ALIVE_BGNBD] == 1).all()  # BG/NBD cannot tell: why it is not the default
    old = once[once[S.DAYS_SINCE] > 300]
    assert old[S.STATE].isin([S.COOLING, S.DORMANT, S.LONG_DORMANT]).all()


def test_max_fit_dyads_subsamples_deterministically(planted):
    a = dormancy(planted, max_fit_dyads=100, return_model=True)[1]
    b = dormancy(planted.with_frames(), max_fit_dyads=100, return_model=True)[1]  # a copy: fitted again
    assert a.params == b.params
    assert a.params != dormancy(planted, return_model=True)[1].params


def test_dunbar_layer_thresholds():
    got = dunbar_layer([60, 52, 51, 12, 11, 4, 3, 1, 0])
    print("layers", got)
    np.testing.assert_array_equal(got, [5, 5, 15, 15, 50, 50, 150, 150, np.nan])
    s = dunbar_layer(pd.Series([52, 0], index=["a", "b"]))
    assert list(s.index) == ["a", "b"] and s["a"] == 5.0 and math.isnan(s["b"])
    assert dunbar_layer(12) == 15.0


@pytest.mark.parametrize("h", [42, 180])
def test_decay_check_from_metrics(h):
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    events = [t0, t0 + pd.Timedelta(days=h)]
    s_h = decayed_intensity(events, t0 + pd.Timedelta(days=h), h)
    s_2h = decayed_intensity(events, t0 + pd.Timedelta(days=2 * h), h)
    print(f"h={h}: S(h)={s_h}, S(2h)={s_2h}")
    assert s_h == pytest.approx(1.5, abs=1e-12)
    assert s_2h == pytest.approx(0.75, abs=1e-12)
    assert decayed_intensity(events, t0 - pd.Timedelta(days=1), h) == 0.0
    assert decayed_intensity(events, t0, h, weights=[2.0, 5.0]) == 2.0


@pytest.fixture(scope="module")
def rec_net():
    weekly = [(str(d), "bo") for d in pd.date_range("2021-01-04", periods=20, freq="7D")]
    rows = [
        *weekly,
        ("2021-03-01", "cy"),
        *[(str(d), "di") for d in pd.date_range("2019-01-01", periods=5, freq="30D")],
        ("2023-04-20", "ann"),
        ("2023-05-01", "ann"),
        ("2023-05-20", "ann"),
        ("2023-05-20", "eli"),
    ]
    people = pd.DataFrame(
        {
            S.NAME: ["Bo Li", "Cy Ng", "Di Ray", "Ann Lee", "Eli Sun"],
            S.COMPANY: ["Acme", "Initech", "initech ", "Initech", None],
            S.DOMAIN: ["acme.com", "initech.com", "globex.com", "initech.com", "gmail.com"],
        },
        index=pd.Index(["bo", "cy", "di", "ann", "eli"], name=S.PERSON_ID),
    )
    return _net(rows, people)


def test_reconnect_ordering_and_reasons(rec_net):
    r = reconnect(rec_net, communities={})
    print(r.to_string())
    assert r.index.name == S.PERSON_ID
    assert list(r.columns) == [
        S.NAME,
        S.STATE,
        S.DAYS_SINCE,
        S.PEAK_STRENGTH,
        S.NOVELTY,
        S.SCORE,
        S.REASON,
    ]
    assert r.index.tolist() == ["bo", "di", "cy"]
    peak_bo = sum(2 ** (-7 * k / 180) for k in range(20))
    peak_di = sum(2 ** (-30 * k / 180) for k in range(5))
    assert r[S.PEAK_STRENGTH].tolist() == pytest.approx([peak_bo, peak_di, 1.0])
    assert r[S.NOVELTY].tolist() == pytest.approx([2 / 3, 1 / 3, 0.0])
    assert r[S.SCORE].tolist() == pytest.approx([peak_bo * 5 / 3, peak_di * 4 / 3, 1.0])
    assert r[S.STATE].tolist() == [S.DORMANT, S.LONG_DORMANT, S.DORMANT]
    assert r[S.REASON].tolist() == [
        (
            "Former close tie (peak 15.7 contacts/half-life), silent 2.0 years; "
            "works at Acme, where none of your active ties are"
        ),
        (
            "Former regular contact (peak 4.0 contacts/half-life), silent 4.1 years; "
            "writes from globex.com, a domain none of your active ties use"
        ),
        "Former occasional contact (peak 1.0 contacts/half-life), silent 2.2 years",
    ]


def test_reconnect_community_novelty_and_n(rec_net):
    r = reconnect(rec_net, n=1, communities={"ann": 0, "cy": 1, "di": 1, "bo": 0})
    assert r.index.tolist() == ["bo"]
    r = reconnect(rec_net, communities={"ann": 0, "cy": 1})
    cy = r.loc["cy"]
    assert cy[S.NOVELTY] == pytest.approx(1 / 3)
    assert cy[S.REASON].endswith("; belongs to a circle none of your active ties are in")


def test_reconnect_include_cooling():
    net = _net(
        [
            ("2024-01-01", "a"),
            ("2024-01-11", "a"),
            ("2024-01-21", "a"),
            ("2024-06-01", "b"),
            ("2024-06-02", "b"),
        ]
    )
    assert reconnect(net, communities={}).empty
    r = reconnect(net, include_cooling=True, communities={})
    assert r.index.tolist() == ["a"] and r[S.STATE].iloc[0] == S.COOLING
    assert "silent 4 months" in r[S.REASON].iloc[0]


def test_fit_reused_for_the_same_inputs(planted, monkeypatch):
    import sys

    dormancy_module = sys.modules[dormancy.__module__]  # (the package exports the function by that name)
    net = planted.with_frames()  # a fresh copy: nothing fitted yet
    fits = []
    fit_models = dormancy_module._fit_models
    monkeypatch.setattr(dormancy_module, "_fit_models", lambda *a: fits.append(a[0]) or fit_models(*a))
    first, model = dormancy(net, return_model=True)
    again, model_again = dormancy(
        net, horizon_days=30, return_model=True
    )  # the horizon does not change the fit
    assert fits == ["paretonbd"]
    assert model_again == model
    pd.testing.assert_frame_equal(dormancy(net), first)
    assert fits == ["paretonbd"]
    dormancy(net, as_of="2025-03-01")  # other summaries: fitted again
    dormancy(net, model="bgnbd")
    assert fits == ["paretonbd", "paretonbd", "bgnbd"]
    fresh = dormancy(planted.with_frames())  # another network: its own fit, the same values
    assert fits == ["paretonbd", "paretonbd", "bgnbd", "paretonbd"]
    pd.testing.assert_frame_equal(fresh, first)
