"""Tests for netanalytics.metrics.health on a hand-built network with every component worked out by hand."""

import math

import pandas as pd
import pytest

from netanalytics import schema as S
from netanalytics.exceptions import NotDefinedError
from netanalytics.metrics.dormancy import dormancy
from netanalytics.metrics.health import HEALTH_WEIGHTS, HealthReport, health, health_history
from netanalytics.network import build_network

AS_OF = "2024-12-31 12:00"


@pytest.fixture(scope="module")
def net():
    rows = [
        ("2023-06-01 09:00", "ann", "out", "a0", 2),
        ("2023-06-01 10:00", "ann", "in", "a1", 2),
        ("2024-11-01 09:00", "ann", "out", "g1", 3),
        ("2024-11-01 09:00", "bob", "out", "g1", 3),
        ("2024-12-20 09:00", "ann", "out", "a2", 2),
        ("2024-12-21 09:00", "ann", "in", "a3", 2),
        ("2024-12-10 09:00", "bob", "out", "b1", 2),
        ("2024-12-11 09:00", "bob", "out", "b2", 2),
        ("2024-06-01 09:00", "cy", "in", "c1", 2),
        ("2024-06-02 09:00", "cy", "out", "c2", 2),
        ("2024-12-01 09:00", "dee", "out", "news", 15),  # a broadcast: left out
    ]
    # ed: 12 contact days in 2023 (layer 15 a year before AS_OF), silent since
    t0 = pd.Timestamp("2023-01-05 09:00")
    rows += [(t0 + pd.Timedelta(days=28 * k), "ed", "out" if k % 2 else "in", f"e{k}", 2) for k in range(12)]
    df = pd.DataFrame(rows, columns=[S.TIMESTAMP, S.PERSON_ID, S.DIRECTION, S.MESSAGE_ID, S.N_PARTICIPANTS])
    people = pd.DataFrame(
        {
            S.COMPANY: ["Acme", "Acme", "Beta", None, "Gamma"],
            S.DOMAIN: ["acme.com", None, "beta.org", None, None],
            S.EMAILS: [["ann@acme.com"], ["bob@acme.com"], [], ["dee@gmail.com"], []],
            S.KIND: ["colleague", "colleague", "client", None, "client"],
            S.TAGS: [["python"], [], ["python"], [], []],
        },
        index=pd.Index(["ann", "bob", "cy", "dee", "ed"], name=S.PERSON_ID),
    )
    return build_network(df, people)


@pytest.fixture(scope="module")
def report(net):
    return health(net, AS_OF)


def test_size_measures(report):
    print(report.active_size_28d, report.size_365d, report.layer_sizes.to_dict())
    assert report.active_size_28d == 1  # ann; bob's two recent messages are both mine
    assert report.size_365d == 3  # ann, bob, cy (dee only got a broadcast, ed is silent)
    assert report.layer_sizes.to_dict() == {5: 0, 15: 0, 50: 0, 150: 3}


def test_structure_of_last_years_ego_network(report):
    # alters ann, bob, cy; one alter-alter tie (ann-bob, from g1)
    print(report.constraint, report.effective_size, report.efficiency, report.density)
    assert report.effective_size == pytest.approx(3 - 2 * 1 / 3)
    assert report.efficiency == pytest.approx(7 / 9)
    assert report.constraint == pytest.approx(2 * (1 / 3 + 1 / 6) ** 2 + (1 / 3) ** 2)
    assert report.density == pytest.approx(1 / 3)
    assert report.communities == 1  # {ann, bob}; cy alone is no community
    assert report.bridging_ties == 3  # each shares <= 1 neighbour with me


def test_bridge_overlap_parameter(net):
    h = health(net, AS_OF, bridge_overlap=0)
    print(h.bridging_ties)
    assert h.bridging_ties == 1  # only cy is a local bridge


def test_diversity_concentration(report):
    d = report.diversity
    print(d)
    entropy_21 = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3)) / math.log(2)
    assert d.loc[S.COMPANY, S.BLAU] == pytest.approx(4 / 9)
    assert d.loc[S.COMPANY, S.ENTROPY] == pytest.approx(entropy_21)
    assert d.loc[S.DOMAIN, S.BLAU] == pytest.approx(4 / 9)  # bob's domain from his email
    assert d.loc[S.COMMUNITY, S.ENTROPY] == 0.0 and d.loc[S.COMMUNITY, S.N_PEOPLE] == 2
    print(report.gini, report.top5_share)
    assert report.gini == pytest.approx(4 / 48)  # volumes 3, 3, 2
    assert report.top5_share == 1.0


def test_vitality_growth_reciprocity(report):
    print(report.dormant_share, report.cooling_share, report.new_ties_per_quarter, report.reciprocity_balance)
    assert report.dormant_share == 1.0  # ed was layer 15 a year ago, silent for 418 days
    assert report.cooling_share == 0.0
    assert report.new_ties_per_quarter == 0.5  # bob and cy
    assert report.reciprocity_balance == pytest.approx(2 / 3)  # median of 2/3, 1/4, 1


def test_score_components(report):
    c = report.components.set_index(S.COMPONENT)
    print(report.components[[S.COMPONENT, S.VALUE, S.WEIGHT, S.POINTS]])
    entropy_21 = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3)) / math.log(2)
    expected = {
        "size": 15 * 3 / 150,
        "core": 0.0,
        "structure": 15 * 7 / 9,
        "diversity": 15 * (2 * entropy_21 / 3),
        "concentration": 10 * (1 - 1 / 12),
        "vitality": 0.0,
        "growth": 10.0,
        "reciprocity": 10 * 2 / 3,
    }
    assert c[S.POINTS].to_dict() == pytest.approx(expected)
    assert report.score == pytest.approx(sum(expected.values()))
    assert round(report.score, 2) == 46.98
    assert c[S.WEIGHT].to_dict() == {k: float(v) for k, v in HEALTH_WEIGHTS.items()}
    assert report.components[S.REASON].str.len().gt(20).all()
    assert list(report.components.columns) == [S.COMPONENT, S.VALUE, S.WEIGHT, S.POINTS, S.REASON]
    assert isinstance(report, HealthReport) and "score 47.0" in repr(report)


def test_weights_override(net, report):
    h = health(net, AS_OF, weights={"vitality": 0, "size": 0})
    print(h.score)
    # the same sub-scores over 70 weight points instead of 100
    assert h.score == pytest.approx((report.score - 0.3) * 100 / 70)
    with pytest.raises(ValueError, match="unknown health component"):
        health(net, AS_OF, weights={"happiness": 3})


def test_undefined_component_spreads_its_weight():
    net = build_network(
        pd.DataFrame(
            {
                S.TIMESTAMP: ["2024-05-01", "2024-05-02", "2024-05-03", "2024-05-04"],
                S.PERSON_ID: ["ann", "ann", "bob", "bob"],
                S.DIRECTION: ["out", "in", "out", "in"],
            }
        )
    )
    h = health(net)
    c = h.components.set_index(S.COMPONENT)
    print(h.components[[S.COMPONENT, S.VALUE, S.POINTS]])
    assert math.isnan(c.loc["vitality", S.POINTS]) and math.isnan(c.loc["diversity", S.POINTS])
    assert "undefined" in c.loc["vitality", S.REASON]
    assert c.loc["concentration", S.POINTS] == pytest.approx(100 * 10 / 70)
    assert h.score == pytest.approx(c[S.POINTS].sum())


def test_by_kind_matches_dormancy_states(net, report):
    states = dormancy(net, AS_OF)[S.STATE]
    print(report.by_kind)
    bk = report.by_kind.set_index([S.GROUP_BY, S.GROUP])
    assert bk[S.N_PEOPLE].to_dict() == {
        (S.KIND, "client"): 2,
        (S.KIND, "colleague"): 2,
        (S.TAGS, "python"): 2,
    }
    for (group_by, group), members in {
        (S.KIND, "client"): ["cy", "ed"],
        (S.TAGS, "python"): ["ann", "cy"],
    }.items():
        for state in (S.ACTIVE, S.COOLING, S.DORMANT, S.LONG_DORMANT):
            assert bk.loc[(group_by, group), state] == (states[members] == state).sum()
    assert bk.loc[(S.KIND, "client"), S.DORMANT] == 1  # ed


def test_history_uses_only_what_was_known(net):
    hist = health_history(net, freq="YE")
    print(hist)
    assert hist.index.strftime("%Y-%m-%d").tolist() == ["2023-12-31"]
    h2023 = health(net, "2023-12-31 23:59:59.999999")
    assert hist.loc[hist.index[0], S.SCORE] == pytest.approx(h2023.score)
    assert hist.loc[hist.index[0], "size"] == 2  # ann and ed in 2023
    assert list(hist.columns) == [S.SCORE, *HEALTH_WEIGHTS]


def test_empty_network_not_defined():
    empty = build_network(S.empty_frame(S.INTERACTIONS))
    with pytest.raises(NotDefinedError):
        health(empty)
    with pytest.raises(NotDefinedError):
        health_history(empty)


def test_a_given_dormancy_frame_is_reused_not_recomputed(net, report):
    d = dormancy(net, report.as_of)
    again = health(net, report.as_of, dormancy_frame=d)
    assert again.score == report.score
    pd.testing.assert_frame_equal(again.components, report.components)
    # a frame saying everyone is active changes vitality and nothing structural
    changed = health(net, report.as_of, dormancy_frame=d.assign(state="active"))
    assert changed.constraint == report.constraint
    assert report.dormant_share == 1.0 and changed.dormant_share == 0.0
