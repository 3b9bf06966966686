"""Network.graph and Network.communities: the graph's edges and the communities computed from arrays."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import netanalytics as na
from netanalytics import schema as S
from netanalytics.network import build_network, louvain_communities


def _group_network(n_people: int, n_messages: int, seed: int):
    """Messages to 1-5 people drawn from 6 clusters, people listed in an order unrelated to the
    order in which they first share a message (so node order and first appearance differ)."""
    rng = np.random.default_rng(seed)
    cluster = rng.integers(0, 6, n_people)
    rows = []
    for m in range(n_messages):
        first = int(rng.integers(n_people))
        pool = np.flatnonzero(cluster == cluster[first])
        k = min(int(rng.integers(1, 6)), len(pool))
        people = {first, *map(int, rng.choice(pool, k - 1, replace=False))}
        for p in people:
            rows.append((pd.Timestamp("2025-01-01", tz="UTC") + pd.Timedelta(days=m % 300), f"p{p:03d}", f"m{m}",
                         len(people) + 1))  # fmt: skip
    inter = pd.DataFrame(rows, columns=[S.TIMESTAMP, S.PERSON_ID, S.MESSAGE_ID, S.N_PARTICIPANTS])
    inter[S.DIRECTION] = S.OUT
    ids = [f"p{i:03d}" for i in rng.permutation(n_people)]
    people = pd.DataFrame({S.NAME: ids}, index=pd.Index(ids, name=S.PERSON_ID))
    return build_network(inter, people=people)


def _louvain_of_plain_graph(net, seed: int) -> list[frozenset]:
    """The definition: Louvain of a plain graph of the alter-alter edges, in ``net.graph()``'s order."""
    H = nx.Graph()
    H.add_weighted_edges_from(
        (u, v, w) for u, v, w in net.graph().edges(data="weight") if net.me not in (u, v)
    )
    return [p for p in louvain_communities(H, seed=seed) if len(p) > 1]


@pytest.mark.parametrize("seed", [0, 3])
def test_communities_are_louvain_of_the_plain_alter_graph(seed):
    for net in (na.datasets.load_sample(), _group_network(120, 400, 1), _group_network(40, 30, 2)):
        expected = _louvain_of_plain_graph(net, seed)
        assert len(expected) >= 2
        assert net.communities(seed=seed) == expected


def test_graph_edges_in_insertion_order_with_python_values():
    rows = [("m1", "b"), ("m1", "a"), ("m2", "c"), ("m2", "a"), ("m3", "b"), ("m3", "c"), ("m3", "a")]
    inter = pd.DataFrame(rows, columns=[S.MESSAGE_ID, S.PERSON_ID])
    inter[S.TIMESTAMP] = pd.Timestamp("2025-01-01", tz="UTC")
    inter[S.DIRECTION] = S.IN
    inter[S.N_PARTICIPANTS] = inter.groupby(S.MESSAGE_ID)[S.PERSON_ID].transform("size") + 1
    people = pd.DataFrame({S.NAME: ["C", "A", "B"]}, index=pd.Index(["c", "a", "b"], name=S.PERSON_ID))
    net = build_network(inter, people=people)
    G = net.graph()
    me = net.me
    # me first, then the people in build_network's order; ego edges (ints), then alter-alter
    # edges (u < v by id, added in that order) from the endpoint that comes first
    assert list(G) == [me, "b", "a", "c"]
    assert list(G.edges(data=True)) == [
        (me, "a", {"weight": 3}),
        (me, "b", {"weight": 2}),
        (me, "c", {"weight": 2}),
        ("b", "a", {"weight": 2.0, "messages": 2}),
        ("b", "c", {"weight": 1.0, "messages": 1}),
        ("a", "c", {"weight": 2.0, "messages": 2}),
    ]
    assert {type(w) for u, v, w in G.edges(data="weight") if me in (u, v)} == {int}
    D = net.graph(directed=True)  # all messages came in: ego edges point to me
    assert list(D.edges(data=True)) == [
        ("b", me, {"weight": 2}),
        ("b", "c", {"weight": 1.0, "messages": 1}),
        ("b", "a", {"weight": 2.0, "messages": 2}),
        ("a", me, {"weight": 3}),
        ("a", "b", {"weight": 2.0, "messages": 2}),
        ("a", "c", {"weight": 2.0, "messages": 2}),
        ("c", me, {"weight": 2}),
        ("c", "a", {"weight": 2.0, "messages": 2}),
        ("c", "b", {"weight": 1.0, "messages": 1}),
    ]
