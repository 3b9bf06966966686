"""Network.graph and Network.communities: the graph's edges and the communities computed from arrays."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@st.composite
def participation_rows(draw):
    n = draw(st.integers(0, 40))
    message = draw(st.lists(st.sampled_from(["m1", "m2", "m3", "m4", None]), min_size=n, max_size=n))
    person = draw(
        st.lists(st.sampled_from(["ann", "bob", "cy", "dee", "eve", "fay", "gus"]), min_size=n, max_size=n)
    )
    role = draw(st.lists(st.sampled_from(["to", "cc", "bcc"]), min_size=n, max_size=n))
    # some ids as other objects of the same text (coparticipation numbers objects, then text)
    copied = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    message = [m if m is None or not c else "".join(list(m)) for m, c in zip(message, copied)]
    # as the loader makes them (Python objects) or as text
    dtype = draw(st.sampled_from([object, "str"]))
    return pd.DataFrame({S.MESSAGE_ID: pd.Series(message, dtype=dtype), S.PERSON_ID: person, S.ROLE: role})


def coparticipation_pair_by_pair(rows, n_people=None, broadcast=3):
    """The edges as the docstring defines them, message by message and pair by pair."""
    shared: dict[tuple, list] = {}
    kept = rows[(rows[S.ROLE] != "bcc") & rows[S.MESSAGE_ID].notna()]
    for mid, group in kept.groupby(S.MESSAGE_ID, sort=False):
        alters = sorted(set(group[S.PERSON_ID]))
        k = len(alters)
        n = n_people[mid] if n_people is not None else k + 1
        for i, a in enumerate(alters):
            for b in alters[i + 1 :]:
                shared.setdefault((a, b), []).append(1.0 / (k - 1) if n > broadcast else 1.0)
    return [[a, b, len(w), sum(w)] for (a, b), w in sorted(shared.items())]


@settings(max_examples=300, deadline=None)
@given(participation_rows(), st.booleans())
def test_coparticipation_equals_pairs_made_message_by_message(rows, given_counts):
    from netanalytics.network import coparticipation

    n_people = pd.Series({"m1": 2, "m2": 9, "m3": 4, "m4": 3}) if given_counts else None
    got = coparticipation(rows, n_people=n_people, broadcast=3).values.tolist()
    expected = coparticipation_pair_by_pair(rows, n_people)
    assert [row[:3] for row in got] == [row[:3] for row in expected]
    assert [row[3] for row in got] == pytest.approx([row[3] for row in expected], rel=1e-12)


def test_alter_edges_leave_out_me_unknown_people_and_messages_without_an_id():
    # participation: m1 has me, a, b and someone not among the people (x); a message without
    # an id has a and c on it; m3 has a, b, c, me and x: 5 participants (x and me counted)
    rows = [("m1", "me"), ("m1", "a"), ("m1", "x"), ("m1", "b"), (None, "a"), (None, "c")]
    rows += [("m3", "b"), ("m3", "me"), ("m3", "c"), ("m3", "x"), ("m3", "a")]
    part = pd.DataFrame(rows, columns=[S.MESSAGE_ID, S.PERSON_ID])
    part[S.ROLE] = "to"
    inter = part[~part[S.PERSON_ID].isin(["me", "x"])].assign(
        **{S.TIMESTAMP: pd.Timestamp("2025-01-01", tz="UTC"), S.DIRECTION: S.IN, S.N_PARTICIPANTS: 4}
    )
    people = pd.DataFrame({S.NAME: ["A", "B", "C"]}, index=pd.Index(["a", "b", "c"], name=S.PERSON_ID))
    net = build_network(inter, people=people)
    net.participation = part
    # broadcast 4: m3 (5 participants) is a broadcast, each of its pairs weighs 1 / (k - 1)
    # for its k = 3 alters (its alters plus me would be 4: not a broadcast); m1 (4) is not
    assert net._alter_edges(4).values.tolist() == [
        ["a", "b", 2, 1.0 + 0.5],  # m1 and m3
        ["a", "c", 1, 0.5],
        ["b", "c", 1, 0.5],
    ]
