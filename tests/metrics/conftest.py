"""The networkx route the metrics' array code stands for, kept here as the tests' reference."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from netanalytics import schema as S
from netanalytics.network import coparticipation


def _ego_graph(me: str, core: pd.DataFrame) -> nx.Graph:
    """Ego + alters of ``core`` rows; ego–alter weight = rows, alter–alter weight = shared messages."""
    G = nx.Graph()
    G.add_node(me)
    G.add_weighted_edges_from((me, pid, int(n)) for pid, n in core.groupby(S.PERSON_ID).size().items())
    edges = coparticipation(core)
    G.add_weighted_edges_from(
        edges[[S.PERSON_ID + "_u", S.PERSON_ID + "_v", "messages"]].itertuples(index=False, name=None)
    )
    return G


@pytest.fixture
def ego_graph():
    """``ego_graph(me, rows)``: the ego network of interaction rows as a networkx graph."""
    return _ego_graph
