"""Tests for netanalytics.metrics.health on a hand-built network with every component worked out by hand."""

import math

import pandas as pd
import pytest

from netanalytics import schema as S
from netanalytics.exceptions import NotDefinedError
from netanalytics.metrics.dormancy import dormancy, reconnect
from netanalytics.metrics.health import HEALTH_WEIGHTS, HISTORY_COLUMNS, HealthReport, health, health_history
from netanalytics.network import build_network

AS_OF = "2024-12-31 12:00"


@pytest.fixture(scope="module")
def net():
    return _fixture_net()


def _fixture_net():
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
    return health(net, as_of=AS_OF)


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
    h = health(net, as_of=AS_OF, bridge_overlap=0)
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
    assert list(report.components.columns) == [
        S.COMPONENT,
        S.VALUE,
        S.WEIGHT,
        S.POINTS,
        S.MEASURABLE,
        S.REASON,
    ]
    assert report.components[S.MEASURABLE].all()
    assert isinstance(report, HealthReport) and "score 47.0" in repr(report)
    # every component measurable: the score is the plain sum, over 8 of 8, but on 3 people and
    # 8 messages it is flagged
    assert report.headline == "47/100 over 8 of 8 components (low confidence)"
    cov = report.coverage
    print(cov)
    assert (cov.sent, cov.received, cov.ties, cov.group_ties, cov.connections) == (
        6,
        2,
        3,
        2,
        0,
    )  # g1 twice, a2, b1, b2, c2 / a3, c1
    assert cov.sources == ("email",)
    assert cov.reasons == (
        "6 messages sent in the last 365 days (fewer than 20)",
        "2 messages received in the last 365 days (fewer than 20)",
        "3 people in contact in the last 365 days (fewer than 15)",
    )
    relaxed = health(
        report_net := _fixture_net(), as_of=AS_OF, min_evidence={"sent": 1, "received": 1, "ties": 1}
    )
    assert not relaxed.low_confidence and relaxed.headline == "47/100 over 8 of 8 components"
    with pytest.raises(ValueError, match="unknown minimum"):
        health(report_net, as_of=AS_OF, min_evidence={"messages": 3})


def test_weights_override(net, report):
    h = health(net, as_of=AS_OF, weights={"vitality": 0, "size": 0})
    print(h.score)
    # the same sub-scores over 70 weight points instead of 100
    assert h.score == pytest.approx((report.score - 0.3) * 100 / 70)
    with pytest.raises(ValueError, match="unknown health component"):
        health(net, as_of=AS_OF, weights={"happiness": 3})


def test_unmeasurable_components_are_nan_and_the_score_is_renormalised():
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
    print(h.components[[S.COMPONENT, S.VALUE, S.POINTS, S.MEASURABLE]])
    gone = ["structure", "diversity", "vitality", "growth"]
    assert c.loc[gone, S.POINTS].isna().all() and c.loc[gone, S.VALUE].isna().all()
    assert not c.loc[gone, S.MEASURABLE].any()
    assert c.loc["vitality", S.REASON] == (
        "needs interactions from before 2023-05-05 (yours start on 2024-05-01): load older mail"
    )
    assert c.loc["diversity", S.REASON] == (
        "no company, work domain or community known for enough of last year's contacts; "
        "left out: community (structure not measurable)"
    )
    assert c.loc["growth", S.REASON] == (
        "needs ties known from before 2023-05-05 to tell the new ones (your earliest starts on 2024-05-01): "
        "load older mail or your LinkedIn connections"
    )
    # points stay out of the weight shown (no longer 100 * 10 / 70 = 14.3 of 10) ...
    assert c.loc["concentration", S.POINTS] == 10.0 and c.loc["concentration", S.WEIGHT] == 10.0
    assert c.loc["reciprocity", S.POINTS] == 10.0
    assert c.loc["size", S.POINTS] == pytest.approx(15 * 2 / 150)
    # ... and the score is renormalised over the measurable weight 15 + 10 + 10 + 10
    assert h.score == pytest.approx(100 * (0.2 + 0 + 10 + 10) / 45)
    assert h.headline == "45/100 over 4 of 8 components (low confidence)"
    assert math.isnan(h.efficiency) and h.communities is None and h.bridging_ties is None


AS_OF_LI = "2024-12-31 12:00"


@pytest.fixture(scope="module")
def linkedin_only():
    """A LinkedIn export alone: 40 connections (10 made in 2024), 11 messages received, none sent."""
    old = {f"c{k:02d}": pd.Timestamp("2019-01-01") + pd.Timedelta(days=60 * k) for k in range(30)}
    new = {f"n{k}": pd.Timestamp("2024-02-01") + pd.Timedelta(days=30 * k) for k in range(10)}
    senders = ["c00", "c01", "c02", "n0", "n1", "n2", "x0", "x1", "x2", "x3", "x4"]
    rows = pd.DataFrame(
        {
            S.TIMESTAMP: [pd.Timestamp("2024-11-01") + pd.Timedelta(days=k) for k in range(11)],
            S.PERSON_ID: senders,
            S.DIRECTION: "in",
            S.CHANNEL: "linkedin",
        }
    )
    ids = [*old, *new, "x0", "x1", "x2", "x3", "x4"]
    company = {pid: "Acme" for pid in senders[:3]} | {pid: "Beta" for pid in senders[3:6]}
    people = pd.DataFrame(
        {
            S.CONNECTED_ON: [({**old, **new}).get(pid, pd.NaT) for pid in ids],
            S.COMPANY: [company.get(pid) for pid in ids],
            S.SOURCES: [["linkedin"] for _ in ids],
            S.EMAILS: [["x0@zeta.com"] if pid == "x0" else [] for pid in ids],  # one work domain known
        },
        index=pd.Index(ids, name=S.PERSON_ID),
    )
    return build_network(rows, people)


def test_linkedin_only_export_is_honest(linkedin_only):
    h = health(linkedin_only, as_of=AS_OF_LI)
    c = h.components.set_index(S.COMPONENT)
    print(h)
    print(h.components[[S.COMPONENT, S.VALUE, S.WEIGHT, S.POINTS, S.MEASURABLE]])
    print(h.coverage)
    # no alter-alter evidence: structure is not measurable (not 15 / 15, not 17.6 / 15)
    assert not c.loc["structure", S.MEASURABLE] and math.isnan(c.loc["structure", S.POINTS])
    assert (
        c.loc["structure", S.REASON] == "no source shows ties between your contacts: load mail or a calendar"
    )
    # nothing sent: reciprocity is not measurable (not a median balance of 0.50)
    assert not c.loc["reciprocity", S.MEASURABLE] and math.isnan(h.reciprocity_balance)
    assert c.loc["reciprocity", S.REASON].startswith(
        "no messages you sent in the last 365 days (11 received)"
    )
    assert not c.loc["vitality", S.MEASURABLE]  # messages start in 2024
    # growth counts the connections made in the year: 10, plus 5 first messages from non-connections
    assert c.loc["growth", S.MEASURABLE] and c.loc["growth", S.VALUE] == 15
    assert "(10 LinkedIn connections, 5 more by first contact;" in c.loc["growth", S.REASON]
    assert h.new_ties_per_quarter == 15 / 4
    # a work domain known for 1 of 11 contacts is left out, not averaged in as evenness 0
    assert c.loc["diversity", S.VALUE] == 1.0
    assert c.loc["diversity", S.REASON] == (
        "evenness (normalised entropy) of last year's 11 contacts over company 1.00 (6 known); "
        "left out: community (structure not measurable), domain known for 1 of 11"
    )
    # points never exceed the weight shown
    assert (c.loc[c[S.MEASURABLE], S.POINTS] <= c.loc[c[S.MEASURABLE], S.WEIGHT]).all()
    expected = {"size": 15 * 11 / 150, "core": 0.0, "diversity": 15.0, "concentration": 10.0, "growth": 10.0}
    assert c.loc[c[S.MEASURABLE], S.POINTS].to_dict() == pytest.approx(expected)
    assert h.score == pytest.approx(100 * sum(expected.values()) / 60)
    assert h.headline == "60/100 over 5 of 8 components (low confidence)"
    cov = h.coverage
    assert (cov.sources, cov.sent, cov.received, cov.ties, cov.connections) == (("linkedin",), 0, 11, 11, 40)
    assert cov.low_confidence and cov.reasons == (
        "0 messages sent in the last 365 days (fewer than 20)",
        "11 messages received in the last 365 days (fewer than 20)",
        "11 people in contact in the last 365 days (fewer than 15)",
    )
    assert str(cov).startswith(
        "Data: linkedin. Last 365 days: 0 sent and 11 received with 11 people (0 of them on group messages "
        "or meetings); 40 LinkedIn connections; interactions since 2024-11-01. Low confidence: 0 messages sent"
    )


def test_structure_needs_enough_group_evidence(net):
    # the fixture: 2 of last year's 3 contacts are on group message g1
    assert (
        health(net, as_of=AS_OF, min_group_share=2 / 3)
        .components.set_index(S.COMPONENT)
        .loc["structure", S.MEASURABLE]
    )
    h = health(net, as_of=AS_OF, min_group_share=0.7)
    c = h.components.set_index(S.COMPONENT)
    print(c.loc["structure", S.REASON])
    assert not c.loc["structure", S.MEASURABLE]
    assert c.loc["structure", S.REASON].startswith(
        "only 2 of 3 contacts (67%) appear on group messages or meetings"
    )
    # community diversity is left out with structure
    assert c.loc["diversity", S.REASON].endswith("; left out: community (structure not measurable)")
    assert h.communities is None


def test_no_component_measurable_is_not_defined(linkedin_only):
    weights = {"size": 0, "core": 0, "diversity": 0, "concentration": 0, "growth": 0}
    with pytest.raises(NotDefinedError, match="no weighted component is measurable"):
        health(linkedin_only, as_of=AS_OF_LI, weights=weights)


def test_sample_scores_sensibly_with_every_component_within_its_weight():
    from netanalytics.datasets import load_sample

    h = health(load_sample())
    c = h.components.set_index(S.COMPONENT)
    print(h)
    print(h.coverage)
    assert c[S.MEASURABLE].all() and not h.low_confidence
    assert (c[S.POINTS] <= c[S.WEIGHT]).all()
    assert h.score == pytest.approx(c[S.POINTS].sum())
    assert round(h.score, 2) == 75.81  # the sample with chats, Slack, calls and 41 cooling ties
    assert h.headline == "76/100 over 8 of 8 components"
    # growth: 5 LinkedIn connections made in the year + 5 more people first contacted in it
    assert c.loc["growth", S.VALUE] == 10


def test_by_kind_matches_dormancy_states(net, report):
    states = dormancy(net, as_of=AS_OF)[S.STATE]
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
    h2023 = health(net, as_of="2023-12-31 23:59:59.999999")
    assert hist.loc[hist.index[0], S.SCORE] == pytest.approx(h2023.score)
    assert hist.loc[hist.index[0], "size"] == 2  # ann and ed in 2023
    assert list(hist.columns) == [S.SCORE, *HEALTH_WEIGHTS, *HISTORY_COLUMNS]


def test_history_says_what_each_period_could_measure(net):
    """Per quarter: which components were measurable and whether the score is low-confidence.

    ed alone is in contact in the first quarter of 2023 (concentration needs two people,
    diversity two known companies); ann joins in June 2023; a year of history (from
    2023-01-05) makes vitality and growth measurable by 2024-03-31; the one group message
    (g1, 2024-11-01) comes after the last period, so structure never is. The evidence stays
    below :data:`MIN_EVIDENCE` throughout; with minimums of 1 sent, 1 received and 2 people
    only the first quarter (one person, 35 % of the weight measurable) is low-confidence.
    """
    hist = health_history(net, freq="QE")
    print(hist[["score", *HISTORY_COLUMNS]].to_string())
    assert hist.index.strftime("%Y-%m-%d").tolist() == [
        "2023-03-31",
        "2023-06-30",
        "2023-09-30",
        "2023-12-31",
        "2024-03-31",
        "2024-06-30",
        "2024-09-30",
    ]
    assert hist["n_measurable"].tolist() == [3, 5, 5, 5, 7, 7, 7]
    assert (hist["n_components"] == 8).all()
    assert hist["not_measurable"].tolist() == [
        "structure, diversity, concentration, vitality, growth",
        *["structure, vitality, growth"] * 3,
        *["structure"] * 3,
    ]
    assert hist["low_confidence"].tolist() == [True] * 7
    for end, row in hist.iterrows():  # each row is what health() says at that period's end
        h = health(net, as_of=end + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1))
        assert (row["n_measurable"], row["low_confidence"]) == (h.coverage.measurable, h.low_confidence)
    lenient = health_history(net, freq="QE", min_evidence={"sent": 1, "received": 1, "ties": 2})
    assert lenient["low_confidence"].tolist() == [True] + [False] * 6


def test_empty_network_not_defined():
    empty = build_network(S.empty_frame(S.INTERACTIONS))
    with pytest.raises(NotDefinedError):
        health(empty)
    with pytest.raises(NotDefinedError):
        health_history(empty)


def test_a_given_dormancy_frame_is_reused_not_recomputed(net, report):
    d = dormancy(net, as_of=report.as_of)
    again = health(net, as_of=report.as_of, dormancy_frame=d)
    assert again.score == report.score
    pd.testing.assert_frame_equal(again.components, report.components)
    # a frame saying everyone is active changes vitality and nothing structural
    changed = health(net, as_of=report.as_of, dormancy_frame=d.assign(state="active"))
    assert changed.constraint == report.constraint
    assert report.dormant_share == 1.0 and changed.dormant_share == 0.0


def test_a_dormancy_frame_for_another_moment_is_refused():
    net = _fixture_net()
    d = dormancy(net, as_of=AS_OF)
    assert d.attrs["as_of"] == pd.Timestamp(AS_OF, tz="UTC")
    health(net, as_of=AS_OF, dormancy_frame=d)  # the same moment: reused
    earlier = dormancy(net, as_of=pd.Timestamp(AS_OF) - pd.Timedelta(days=30))
    with pytest.raises(ValueError, match=r"dormancy_frame was computed as of .*, not .*"):
        health(net, as_of=AS_OF, dormancy_frame=earlier)
    with pytest.raises(ValueError, match="dormancy_frame was computed as of"):
        reconnect(net, as_of=AS_OF, dormancy_frame=earlier)


def test_only_broadcasts_is_not_defined_and_says_why():
    rows = pd.DataFrame(
        {
            S.TIMESTAMP: pd.to_datetime(["2024-01-01", "2024-02-01"], utc=True),
            S.PERSON_ID: ["ann", "bob"],
            S.DIRECTION: S.IN,
            S.MESSAGE_ID: ["m1", "m2"],
            S.N_PARTICIPANTS: [40, 40],
        }
    )
    with pytest.raises(
        NotDefinedError, match=r"all 2 interactions up to .* are broadcasts \(mailing-list posts"
    ):
        health(build_network(rows), as_of="2024-03-01")


def test_structure_and_communities_equal_the_networkx_route_on_the_sample(ego_graph):
    # health reads the last year's ego network from arrays; the graph it stands for, built with
    # networkx, gives the same Burt measures, communities and bridging ties
    import netanalytics as na
    from netanalytics.metrics._common import interactions_upto
    from netanalytics.metrics.structure import ego_structure
    from netanalytics.network import louvain_communities

    sample = na.datasets.load_sample()
    h = health(sample)
    as_of = sample.resolve_as_of()
    rows = interactions_upto(sample, as_of)
    year = rows[(rows[S.N_PARTICIPANTS] <= 10) & (rows[S.TIMESTAMP] > as_of - pd.Timedelta(days=365))]
    G = ego_graph(sample.me, year)
    ego = ego_structure(G, sample.me)
    G.remove_node(sample.me)
    comms = [c for c in louvain_communities(G, weight=S.WEIGHT, seed=0) if len(c) >= 2]
    print(h.constraint, h.effective_size, h.communities, h.bridging_ties)
    assert (h.constraint, h.effective_size, h.density) == (
        ego[S.CONSTRAINT],
        ego[S.EFFECTIVE_SIZE],
        ego[S.DENSITY],
    )
    assert h.communities == len(comms) == 7
    assert h.bridging_ties == sum(1 for a in G if G.degree(a) <= 1) == 97


def test_results_are_kept_per_network_and_returned_as_copies():
    net = _fixture_net()  # nothing kept yet
    first = health(net, as_of=AS_OF)
    first.components.loc[0, S.POINTS] = -1.0  # the caller's copy
    again = health(net, as_of=AS_OF)
    assert again.components.loc[0, S.POINTS] != -1.0
    kept = [k for k in net._memo if k[0] == "result" and k[2] == "health"]
    assert len(kept) == 1
    d = dormancy(net, as_of=AS_OF)
    # the same dormancy frame, passed again or as a copy, is the same key: one health result more
    health(net, as_of=AS_OF, dormancy_frame=d)
    health(net, as_of=AS_OF, dormancy_frame=d.copy())
    kept_after = [k for k in net._memo if k[0] == "result" and k[2] == "health"]
    assert len(kept_after) == len(kept) + 1
