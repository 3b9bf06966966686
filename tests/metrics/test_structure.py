"""Tests for netanalytics.metrics.structure: published structural-hole and clustering values."""

import math

import networkx as nx
import numpy as np
import pytest

from netanalytics import schema as S
from netanalytics.exceptions import NotDefinedError
from netanalytics.metrics.structure import (
    blau,
    ego_structure,
    ego_structure_of_edges,
    gini,
    graph_summary,
    normalized_entropy,
)

BORGATTI_EDGES = [
    ("A", "B"),
    ("A", "F"),
    ("A", "G"),
    ("A", "E"),
    ("E", "G"),
    ("F", "G"),
    ("B", "G"),
    ("B", "D"),
    ("D", "G"),
    ("G", "C"),
]


@pytest.mark.parametrize(
    ("node", "constraint", "effective_size"),
    [("G", 0.400, 4.67), ("A", 0.595, 2.50), ("C", 1.000, 1.00)],
)
def test_borgatti_published_values(node, constraint, effective_size):
    s = ego_structure(nx.Graph(BORGATTI_EDGES), node)
    print(node, "constraint", round(s[S.CONSTRAINT], 3), "effective size", round(s[S.EFFECTIVE_SIZE], 2))
    assert round(s[S.CONSTRAINT], 3) == constraint
    assert round(s[S.EFFECTIVE_SIZE], 2) == effective_size
    assert s[S.EFFICIENCY] == pytest.approx(s[S.EFFECTIVE_SIZE] / s[S.DEGREE])


def test_borgatti_density_among_alters_only():
    # G's alters A,B,C,D,E,F: ties among them A-B, A-F, A-E, B-D = 4 of 15 pairs.
    s = ego_structure(nx.Graph(BORGATTI_EDGES), "G")
    print("density", s[S.DENSITY])
    assert s[S.DENSITY] == pytest.approx(4 / 15)
    assert s[S.DEGREE] == 6


def test_matches_networkx_on_weighted_graph():
    G = nx.gnp_random_graph(40, 0.15, seed=3)
    rng = np.random.default_rng(1)
    for u, v in G.edges:
        G[u][v]["weight"] = float(rng.integers(1, 6))
    for ego in (0, 5, 17):
        s = ego_structure(G, ego, weight="weight")
        c = nx.constraint(G, [ego], weight="weight")[ego]
        es = nx.effective_size(G, [ego], weight="weight")[ego]
        print(ego, s[S.CONSTRAINT], c, s[S.EFFECTIVE_SIZE], es)
        assert s[S.CONSTRAINT] == pytest.approx(c)
        assert s[S.EFFECTIVE_SIZE] == pytest.approx(es)


def test_directed_graph_uses_mutual_weights():
    D = nx.DiGraph([(0, 1), (1, 0), (0, 2), (2, 1), (3, 0)])
    s = ego_structure(D, 0)
    c = nx.constraint(D, [0])[0]
    print("directed constraint", s[S.CONSTRAINT], c)
    assert s[S.CONSTRAINT] == pytest.approx(c)
    assert s[S.DEGREE] == 3


def test_isolated_and_missing_ego():
    G = nx.Graph()
    G.add_node("me")
    s = ego_structure(G, "me")
    print(s.to_dict())
    assert s[S.DEGREE] == 0 and math.isnan(s[S.CONSTRAINT]) and math.isnan(s[S.DENSITY])
    with pytest.raises(NotDefinedError, match="not in the graph"):
        ego_structure(G, "nobody")


def test_karate_club_clustering():
    s = graph_summary(nx.karate_club_graph())
    print(s.to_dict())
    assert round(s[S.AVERAGE_CLUSTERING], 4) == 0.5706
    assert round(s[S.TRANSITIVITY], 4) == 0.2557
    assert s[S.TRIANGLES] == 45
    assert s[S.NODES] == 34 and s[S.EDGES] == 78


def test_graph_summary_empty_graph_raises():
    with pytest.raises(NotDefinedError, match="empty graph"):
        graph_summary(nx.Graph())


def test_diversity_published_values():
    v = [8, 4, 2, 1]
    print("gini", gini(v), "blau", blau(v), "entropy", normalized_entropy(v))
    assert round(gini(v), 4) == 0.3833
    assert round(blau(v), 4) == 0.6222
    assert round(normalized_entropy(v), 4) == 0.8201


def test_diversity_edge_cases():
    print(gini([0, 0]), gini([3]), blau([5]), normalized_entropy([5, 0]), normalized_entropy([2, 2]))
    assert gini([0, 0]) == 0.0
    assert gini([3]) == 0.0
    assert gini([0, 0, 0, 9]) == pytest.approx(0.75)
    assert blau([5]) == 0.0
    assert normalized_entropy([5, 0]) == 0.0
    assert normalized_entropy([2, 2]) == pytest.approx(1.0)
    for f in (gini, blau, normalized_entropy):
        with pytest.raises(NotDefinedError):
            f([])
    with pytest.raises(ValueError, match="non-negative"):
        gini([1, -2])


def test_ego_structure_of_edges_equals_the_graph_route_to_the_last_bit():
    # a random ego network: 300 alters, 1,500 alter-alter ties; alters numbered 1..n in the
    # order of the ego's neighbours, as health numbers them
    rng = np.random.default_rng(3)
    n = 300
    pairs = {tuple(sorted(p)) for p in rng.integers(1, n + 1, (1600, 2)).tolist() if p[0] != p[1]}
    u, v = np.array(sorted(pairs)).T
    G = nx.Graph()
    G.add_edges_from(("ego", i) for i in range(1, n + 1))
    G.add_edges_from(zip(u.tolist(), v.tolist()))
    want = ego_structure(G, "ego")
    got = ego_structure_of_edges(n, u, v)
    print(got.to_dict())
    assert got.to_dict() == want.to_dict()  # exact: the same matrix arithmetic
    assert ego_structure_of_edges(0, np.array([], int), np.array([], int))[S.DEGREE] == 0.0
