"""The whole pipeline on the sample world, scored against the truth planted by the generator.

The library never reads ``ground_truth/``; these tests do, and print the figure each asserts.
"""

from itertools import combinations
from pathlib import Path

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
    votes = (
        ours.assign(true=ours[S.KEY].map(gt))
        .groupby(S.PERSON_ID)["true"]
        .agg(lambda s: s.value_counts().index[0])
    )
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
        tuple(sorted((true_of_pid.get(u), true_of_pid.get(v)))) for u, v in G.edges() if net.me not in (u, v)
    }
    planted = {tuple(sorted(p)) for p in truth["edges"][["person_a", "person_b"]].itertuples(index=False)}
    tp = len(ours & planted)
    precision, recall = tp / len(ours), tp / len(planted)
    print(
        f"\nalter–alter edges: ours {len(ours)}, planted {len(planted)}, precision {precision:.3f}, recall {recall:.3f}"
    )
    assert precision >= 0.99 and recall >= 0.99  # achieved: 1.000 / 1.000


def test_every_record_of_the_files_is_read(net):
    """Records read per file against the generator's own count of what it wrote (counts.csv),
    not against kept + skipped (which is true by construction)."""
    counts = pd.read_csv(na.datasets.sample_path() / "ground_truth" / "counts.csv")
    counts = counts[~counts["file"].str.contains(r"\(")]  # notes such as "(From-lines in bodies)"
    read = {str(Path(f.path).relative_to(na.datasets.sample_path())): f.read for f in net.report.files}
    print("\n" + net.report.to_frame().to_string())
    checked = 0
    for file, records in counts.itertuples(index=False):
        if file.endswith(".ics"):
            continue  # the generator counts events, the reader occurrences of recurring ones
        assert read[file] == records, file
        checked += 1
    assert checked == 15


# --- metrics against the planted truth -------------------------------------------------------


@pytest.fixture(scope="module")
def planted(net, truth, true_of_pid):
    """The planted people table indexed by our person_id (alters we resolved to a true person)."""
    people = truth["people"].set_index("person_id")
    ours = pd.Series(true_of_pid)
    ours = ours[ours.isin(people.index) & (ours.index != net.me)]
    return people.loc[ours.values].set_index(ours.index)


STATES = ["active", "cooling", "dormant"]
#: METRICS.md's gaps per Dunbar layer, restated (not imported) so that a changed constant fails.
LAYER_GAP = {5: 7, 15: 30, 50: 120, 150: 365}


def test_planted_silences_spread_across_the_state_thresholds(truth):
    """The truth is planted where a wrong threshold shows: cooling ties just past twice their rhythm
    (some still inside their layer's gap, so only the rhythm rule finds them) and far past it;
    layer-15 ties silent for between their layer's gap and twice it while inside twice their rhythm
    (only the layer gap finds them); faded ties with two contact days (no rhythm) silent for most
    of a year inside the layer-150 gap (only P(alive) finds them); dormant ties from just past 365
    days of silence on. Figures from the generator's own plan."""
    people = truth["people"]
    cooling = people[people["trajectory"] == "cooling"]
    silence = cooling["silence_days"].astype(float)
    faded = cooling[cooling["rhythm_days"] == ""]
    rhythmic = cooling[cooling["rhythm_days"] != ""]
    ratio = rhythmic["silence_days"].astype(float) / rhythmic["rhythm_days"].astype(float)
    by_layer = ratio[(ratio < 2) & (rhythmic["expected_layer"] == 15)]
    by_rhythm = ratio[ratio > 2]
    within_gap = silence.loc[by_rhythm.index] <= cooling.loc[by_rhythm.index, "expected_layer"].map(LAYER_GAP)
    dormant = people[people["trajectory"] == "dormant"]["silence_days"].astype(float)
    bands = pd.cut(by_rhythm, [2, 3, 4, 6, np.inf]).value_counts().sort_index()
    print(f"\ncooling ties: {len(cooling)}; by the rhythm rule, silence / rhythm:\n{bands.to_string()}")
    print(f"cooling within their layer's gap (only the rhythm rule finds them): {within_gap.sum()}")
    print(
        f"layer-15 cooling inside twice their rhythm (only the layer gap finds them): {len(by_layer)}, "
        f"silence {sorted(silence.loc[by_layer.index].round(1))}, silence / rhythm {sorted(by_layer.round(2))}"
    )
    print(
        f"faded (two contact days, no rhythm; only P(alive) finds them): {len(faded)}, contacts "
        f"{sorted(faded['contacts_365d'].astype(int).unique())}, silence {silence.loc[faded.index].min():.1f}-"
        f"{silence.loc[faded.index].max():.1f} days"
    )
    print(
        f"dormant ties: {len(dormant)}; silent < 500 days: {(dormant < 500).sum()}, min {dormant.min():.1f}"
    )
    assert len(cooling) == len(by_rhythm) + len(by_layer) + len(faded)
    assert by_rhythm.min() > 2.2
    assert bands.to_dict() == {
        pd.Interval(2, 3): 3,
        pd.Interval(3, 4): 6,
        pd.Interval(4, 6): 9,
        pd.Interval(6, np.inf): 9,
    }
    assert within_gap.sum() == 12
    assert len(by_layer) == 5 and (by_layer <= 1.9).all()
    assert silence.loc[by_layer.index].between(30, 60).all()
    assert len(faded) == 9 and faded["contacts_365d"].astype(int).between(2, 3).all()  # layer 150
    assert silence.loc[faded.index].between(300, 358).all()
    assert len(dormant) == 162 and (dormant < 500).sum() == 61 and dormant.min() > 365


def test_dormancy_state_recovers_planted_trajectories(net, planted):
    """Confusion matrix of our state against the planted trajectory, with per-class precision
    and recall. Floors sit just under what the code achieves, so that moving a threshold of
    ``dormancy`` (the rhythm factor, the dormant days, the layer-15 gap, the P(alive) threshold)
    fails here. Measured by applying each mutation to ``dormancy.py`` (precision / recall):

    - layer-15 gap 30 -> 60 days: the five layer-rule ties turn active (cooling recall 0.878,
      active precision 0.950);
    - P(alive) threshold 0.5 -> 0.1: the faded ties turn active (cooling recall 0.780, active
      precision 0.914);
    - rhythm factor 2 -> 1: active recall 0.898; 2 -> 4: cooling recall 0.878, active precision 0.950;
    - dormant days 365 -> 500: cooling precision 0.398, dormant recall 0.627.

    The layer-50 gap 120 -> 240 days passes: no planted tie is silent for 120-240 days inside
    twice its rhythm.
    """
    d = na.dormancy(net)
    expected = planted["trajectory"].map(
        {
            "steady": "active",
            "growing": "active",
            "revived": "active",
            "cooling": "cooling",
            "dormant": "dormant",
            "moved": "active",  # silent on mail and LinkedIn, alive on WhatsApp or the call log
        }
    )
    state = d["state"].replace({"long_dormant": "dormant"}).reindex(expected.index)
    table = pd.crosstab(expected, state).reindex(index=STATES, columns=STATES, fill_value=0)
    print("\nplanted (rows) vs our state (columns):\n" + table.to_string())
    precision = {s: table.loc[s, s] / table[s].sum() for s in STATES}
    recall = {s: table.loc[s, s] / table.loc[s].sum() for s in STATES}
    for s in STATES:
        print(f"{s:8s} precision {precision[s]:.3f}  recall {recall[s]:.3f}  (n={table.loc[s].sum()})")
    assert table.loc["cooling"].sum() >= 30
    # achieved: active 1.000 / 0.980, cooling 0.953 / 1.000, dormant 1.000 / 1.000
    assert precision["active"] >= 0.98 and recall["active"] >= 0.97
    assert precision["cooling"] >= 0.94 and recall["cooling"] >= 0.98  # every planted cooling tie
    assert precision["dormant"] >= 0.99 and recall["dormant"] >= 0.99


def test_reply_rates_recover_planted_profiles(net, planted):
    """Planted reply behaviour is one-to-one: compare direct reply rates (Karagiannis & Vojnovic).

    Each pair's rate is a binomial estimate, so pairs need evidence: never-repliers are judged
    when I wrote them at least 5 times, balanced pairs (telling 0.75 from 0.6 takes more
    messages than telling 0.05 from 0.2) at least 10 times; a few pairs can still land on the
    wrong side by chance, so the test asks for 90 % / 80 % of them.
    """
    r = na.reciprocity(net).reindex(planted.index)
    rate = r["their_reply_rate_direct"]
    never = rate[(planted["reciprocity_profile"] == "never_replies") & (r["sent"] >= 5)].dropna()
    balanced = rate[(planted["reciprocity_profile"] == "balanced") & (r["sent"] >= 10)].dropna()
    print(
        f"\nnever-repliers (n={len(never)}): median {never.median():.3f}, max {never.max():.3f}, "
        f"share below 0.2 {(never < 0.2).mean():.3f}"
    )
    print(
        f"balanced (n={len(balanced)}): median {balanced.median():.3f}, share above 0.6 {(balanced > 0.6).mean():.3f}"
    )
    assert len(never) >= 10 and never.median() < 0.1 and (never < 0.2).mean() >= 0.93  # achieved 0.957
    assert (
        len(balanced) >= 20 and balanced.median() > 0.6 and (balanced > 0.6).mean() >= 0.9
    )  # achieved 0.924


def test_initiation_share_recovers_who_starts(net, planted):
    r = na.reciprocity(net).reindex(planted.index)
    share = r["initiation_share"]
    me_first = share[planted["initiation"] == "me"].dropna()
    them_first = share[planted["initiation"] == "them"].dropna()
    ok = pd.concat([me_first > 0.5, them_first < 0.5])
    print(
        f"\ninitiation: I start (n={len(me_first)}) median {me_first.median():.2f}; "
        f"they start (n={len(them_first)}) median {them_first.median():.2f}; agreement {ok.mean():.3f}"
    )
    # achieved 0.851 (0.900 on the sample before the faded and layer-rule ties were planted, which
    # redrew the world); the misses are mostly ties with two threads, one started by each side (0.5)
    assert ok.mean() >= 0.84


def _nmi(a, b):
    """Normalised mutual information (arithmetic mean normalisation)."""
    a, b = np.asarray(a), np.asarray(b)
    table = pd.crosstab(a, b).to_numpy().astype(float)
    n = table.sum()
    pij = table / n
    pi, pj = pij.sum(1), pij.sum(0)
    nz = pij > 0
    mi = (pij[nz] * np.log(pij[nz] / np.outer(pi, pj)[nz])).sum()
    h = lambda p: -(p[p > 0] * np.log(p[p > 0])).sum()  # noqa: E731
    return mi / ((h(pi) + h(pj)) / 2)


def test_louvain_communities_match_planted_communities(net, planted):
    parts = net.communities(seed=0)  # what the reconnect ranking and the network map use
    label = {n: i for i, part in enumerate(parts) for n in part}
    nodes = [n for n in label if n in planted.index]
    score = _nmi([planted.loc[n, "community"] for n in nodes], [label[n] for n in nodes])
    print(f"\nLouvain vs planted communities on {len(nodes)} connected alters: NMI {score:.3f}")
    assert score >= 0.9  # achieved: 0.927 (networkx and igraph Louvain alike)


def test_strongest_layer_holds_the_inner_circle(net, planted):
    s = na.tie_strength(net)
    inner = set(planted.index[planted["inner_circle"].astype(str) == "True"])
    layer5 = set(s.index[s["layer"] == 5])
    print(f"\nplanted inner circle {len(inner)}, our layer 5: {len(layer5)}, overlap {len(inner & layer5)}")
    assert inner and inner <= layer5
    assert len(layer5 - inner) <= 1


def test_dunbar_layers_match_the_planted_layers(net, planted):
    """Our layer (contacts in the trailing 365 days, METRICS.md's thresholds) against the
    generator's own count of planted contacts per person."""
    s = na.tie_strength(net).reindex(planted.index)
    ours = s["layer"].fillna(0).astype(int)
    expected = planted["expected_layer"].astype(int)
    table = pd.crosstab(expected, ours)
    print("\nplanted layer (rows) vs ours (columns):\n" + table.to_string())
    agreement = (ours == expected).mean()
    print(f"agreement {agreement:.3f} over {len(expected)} alters")
    assert agreement == 1.0  # achieved: 300 of 300 (the count is exact, so the floor is too)


# --- chats, Slack and the call log ----------------------------------------------------------


def test_chat_and_call_channels_reach_the_planted_people(net, truth, true_of_pid):
    """Which people each chat and call channel reaches, against the generator's chat_channels."""
    people = truth["people"]
    planted = {
        (pid, ch)
        for pid, chans in zip(people["person_id"], people["chat_channels"], strict=True)
        for ch in chans.split(";")
        if ch
    }
    inter = net.interactions[net.interactions[S.PERSON_ID] != net.me]
    channel = inter[S.CHANNEL].replace({"coffee": "call"})  # the log's coffees are calls' kin
    ours = {
        (true_of_pid.get(pid), ch)
        for pid, ch in zip(inter[S.PERSON_ID], channel, strict=True)
        if ch in ("whatsapp", "slack", "call")
    }
    counts = pd.Series([ch for _, ch in planted]).value_counts().sort_index()
    print(f"\npeople per chat channel (planted): {counts.to_dict()}; ours equal: {ours == planted}")
    assert counts.to_dict() == {"call": 2, "slack": 5, "whatsapp": 6}
    assert ours == planted


def test_ties_that_moved_to_chat_or_calls_are_active_not_dormant(net, truth, true_of_pid):
    """Five people fell silent on mail and LinkedIn more than a year ago and live on WhatsApp
    (three) or the call log (two) now: with every channel loaded they are active; loaded without
    the chats and the call log, the same people are dormant."""
    people = truth["people"].set_index("person_id")
    moved = people.index[people["trajectory"] == "moved"]
    ours = {t: p for p, t in true_of_pid.items()}
    state = na.dormancy(net)["state"].reindex([ours[t] for t in moved])
    root = na.datasets.sample_path()
    mail_only = na.load(
        linkedin=root / "linkedin",
        email=root / "mail" / "mail.mbox",
        contacts=[root / "contacts" / "google.csv", root / "contacts" / "contacts.vcf"],
        calendar=root / "calendar" / "calendar.ics",
    )
    mail_ids = mail_only.identities.set_index(S.KEY)[S.PERSON_ID]
    keys = truth["identities"].groupby("person_id")["key"].apply(list)
    without = na.dormancy(mail_only)["state"]
    before = [without.get(next(mail_ids[k] for k in keys[t] if k in mail_ids.index)) for t in moved]
    print(
        f"\nmoved ties: {len(moved)}; with chats and calls: {state.value_counts().to_dict()}; without: {before}"
    )
    assert len(moved) == 5 and people.loc[moved, "chat_channels"].tolist().count("whatsapp") == 3
    assert (state == "active").all()
    assert before == ["dormant"] * 5


def test_a_whatsapp_number_joins_its_address_book_entry(net, truth):
    """The chat that shows a number (the person is not saved in the phone) is the same person
    as the vCard entry listing that number and as their mail addresses."""
    ident = truth["identities"]
    phones = ident[ident["key_kind"] == S.KEY_PHONE]
    assert len(phones) == 1
    pid = phones["person_id"].iloc[0]
    keys = ident.loc[ident["person_id"] == pid, "key"]
    ours = net.identities.set_index(S.KEY)[S.PERSON_ID].reindex(keys)
    print(f"\n{phones['key'].iloc[0]}: {len(keys)} planted keys -> our people {sorted(set(ours))}")
    assert ours.notna().all() and ours.nunique() == 1
