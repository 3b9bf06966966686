"""The whole pipeline on the sample world, scored against the truth planted by the generator.

The library never reads ``ground_truth/``; these tests do, and print the figure each asserts.
"""

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

import netanalytics as na
from netanalytics import schema as S


@pytest.fixture(scope="module")
def net():
    return na.datasets.load_sample()


@pytest.fixture(scope="module")
def truth():
    root = na.datasets.sample_path() / "ground_truth"
    return {
        "people": pd.read_csv(root / "people.csv", dtype={"person_id": str}, keep_default_na=False),
        "identities": pd.read_csv(root / "identities.csv", dtype=str, keep_default_na=False),
        "edges": pd.read_csv(root / "edges.csv", dtype={"person_a": str, "person_b": str}),
    }


@pytest.fixture(scope="module")
def true_of_pid(net, truth):
    """Our person_id → the true person most of its keys belong to."""
    gt = truth["identities"].set_index("key")["person_id"]
    ours = net.identities.dropna(subset=[S.PERSON_ID])
    ours = ours[ours[S.KEY].isin(gt.index)]
    votes = ours.assign(true=ours[S.KEY].map(gt)).groupby(S.PERSON_ID)["true"].agg(lambda s: s.value_counts().index[0])
    return votes.to_dict()


def _pairs(groups):
    out = set()
    for members in groups:
        out |= set(combinations(sorted(members), 2))
    return out


def test_identity_resolution_precision_and_recall(net, truth):
    gt = truth["identities"]
    gt = gt[gt["person_id"] != "automated"]
    ours = net.identities.set_index(S.KEY)[S.PERSON_ID]
    found = gt["key"].isin(ours.index)
    print(f"\nground-truth keys seen by the readers: {found.sum()} of {len(gt)}")
    assert found.mean() >= 0.98, gt.loc[~found, "key"].tolist()[:20]
    predicted = gt["key"].map(lambda k: ours.get(k) if k in ours.index else "missing:" + k)
    true_pairs = _pairs(gt.groupby("person_id")["key"].apply(list))
    pred_pairs = _pairs(gt.assign(p=predicted).groupby("p")["key"].apply(list))
    tp = len(true_pairs & pred_pairs)
    precision = tp / len(pred_pairs)
    recall = tp / len(true_pairs)
    print(f"identity pairs: precision {precision:.4f}, recall {recall:.4f} ({tp} true positives)")
    assert precision >= 0.99
    assert recall >= 0.95


def test_graph_edges_match_planted_co_participation(net, truth, true_of_pid):
    G = net.graph()
    ours = {
        tuple(sorted((true_of_pid.get(u), true_of_pid.get(v))))
        for u, v in G.edges()
        if net.me not in (u, v)
    }
    planted = {tuple(sorted(p)) for p in truth["edges"][["person_a", "person_b"]].itertuples(index=False)}
    tp = len(ours & planted)
    precision, recall = tp / len(ours), tp / len(planted)
    print(f"\nalter–alter edges: ours {len(ours)}, planted {len(planted)}, precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.95 and recall >= 0.95


def test_every_file_reconciles(net):
    for f in net.report.files:
        assert f.read == f.kept + f.n_skipped
    print("\n" + net.report.to_frame().to_string())
