"""The pairs the name rules weigh: found through indexes, the same as trying every pair.

``_employer_pairs`` must find exactly the pairs :func:`_corroboration` accepts; the fuzzy rule's
candidates must be every pair of people of two similar names when no name has more than
FUZZY_PEOPLE people, in the documented order, and only the most active of a larger name
(with every pair tied to one employer still weighed for a merge).
"""

from __future__ import annotations

import itertools
from unittest import mock

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from mailbox_index import mailbox_index  # tests/identity is on sys.path when its tests run
from rapidfuzz import fuzz

from netanalytics import _namesearch, identity
from netanalytics._namesearch import similar_name_search
from netanalytics.identity import (
    FUZZY_PEOPLE,
    RULE_FUZZY,
    _Cluster,
    _corroboration,
    _employer_pairs,
    _fuzzy_candidates,
    _rule_fuzzy,
    _similar_name_pairs,
)

# companies and domains that tie in every way _corroboration knows: the same company, the same
# domain, a domain whose label is the company or a prefix of it (acme.co.uk / acmecorp), and
# labels too short to tie (um)
COMPANIES = ["acme", "acmecorp", "globex", "initech", "um"]
DOMAINS = ["acme.com", "mail.acme.co.uk", "globex.io", "init.com", "um.org", "hooli.com"]


@st.composite
def clusters_and_sides(draw):
    n = draw(st.integers(1, 9))
    clusters = {
        f"k{i}": _Cluster(
            keys={f"k{i}"},
            companies=set(draw(st.lists(st.sampled_from(COMPANIES), max_size=2))),
            domains=set(draw(st.lists(st.sampled_from(DOMAINS), max_size=2))),
        )
        for i in range(n)
    }
    roots = list(clusters)
    left = draw(st.lists(st.sampled_from(roots), unique=True))
    right = draw(st.one_of(st.just(left), st.lists(st.sampled_from(roots), unique=True)))
    return clusters, left, right


def employers(clusters):
    """Each root's (companies, corporate domains), as ``_Clusters.employers`` gives them."""
    return lambda root: (clusters[root].companies, clusters[root].domains)


@settings(max_examples=300, deadline=None)
@given(clusters_and_sides())
def test_employer_pairs_are_the_pairs_corroboration_accepts(case):
    clusters, left, right = case
    every_pair = {(a, b) for a in left for b in right if a != b and _corroboration(clusters[a], clusters[b])}
    assert _employer_pairs(left, right, employers(clusters)) == every_pair


def test_employer_pairs_exact():
    clusters = {
        "a": _Cluster(keys={"a"}, companies={"acmecorp"}),
        "b": _Cluster(keys={"b"}, domains={"mail.acme.co.uk"}),
        "c": _Cluster(keys={"c"}, domains={"globex.io"}, companies={"um"}),
        "d": _Cluster(keys={"d"}, domains={"um.org", "globex.io"}),
        "e": _Cluster(keys={"e"}),
    }
    roots = list(clusters)
    # a-b: domain label acme is a prefix of company acmecorp; c-d: the same domain (um is too
    # short a label to tie c's company to d's um.org)
    assert _employer_pairs(roots, roots, employers(clusters)) == {
        ("a", "b"),
        ("b", "a"),
        ("c", "d"),
        ("d", "c"),
    }
    assert _employer_pairs(["a"], ["c", "d", "e"], employers(clusters)) == set()


def index_of(participants: list[tuple[str, str]], activity: dict[str, int]):
    """The identity index of mailbox participants, each key seen ``activity[key]`` times."""
    day = pd.Timestamp("2024-01-01", tz="UTC").value  # (as the index keeps times: nanoseconds)
    return mailbox_index(participants, {key: (n, day, day) for key, n in activity.items()})


def test_near_misses_pair_the_most_active_people_of_each_name_and_tied_pairs_still_merge():
    # five people named Wisniewska and five named Wisniewski (token_sort_ratio 95): free mail,
    # nothing ties them, except the two least active, who share an employer; the most active
    # are not the first keys in string order
    assert FUZZY_PEOPLE == 3
    participants, activity = [], {}
    for surname in ("wisniewska", "wisniewski"):
        for i, n in enumerate([50, 20, 40, 30, 10]):
            key = f"k.{surname}{i}@gmail.com" if i < 4 else f"k.{surname}@umbrella.com"
            participants.append((key, f"Katarzyna {surname.title()}"))
            activity[key] = n
    index = index_of(participants, activity)
    merges = _rule_fuzzy(index)
    assert [(m.rule, m.key_a, m.key_b) for m in merges] == [
        (RULE_FUZZY, "k.wisniewska@umbrella.com", "k.wisniewski@umbrella.com")
    ]
    near = {(a, b) for a, b, _score in index.near_misses}
    most_active = [f"k.{s}{i}@gmail.com" for s in ("wisniewska", "wisniewski") for i in (0, 2, 3)]
    assert near == {(a, b) for a in most_active[:3] for b in most_active[3:]}
    assert {score for _a, _b, score in index.near_misses} == {95.0}


def reference_candidates(best_name: dict[str, str], threshold: float) -> list[tuple[tuple[str, str], float]]:
    """Every pair of roots with different names that share a word or a surname's first four
    letters and score at least ``threshold``, in the documented order (tried pair by pair)."""
    initial: dict[str, int] = {}
    for name in best_name.values():
        initial.setdefault(name.split()[-1][:1], len(initial))

    def blocks(name):
        words = name.split()
        return set(words) | ({"p:" + words[-1][:4]} if len(words[-1]) >= 4 else set())

    found = {}
    for a, b in itertools.combinations(sorted(best_name), 2):
        name_a, name_b = best_name[a], best_name[b]
        if name_a == name_b or not blocks(name_a) & blocks(name_b):
            continue
        score = fuzz.token_sort_ratio(name_a, name_b)
        if score >= threshold:
            found[a, b] = score

    def order(item):
        (a, b), _score = item
        ia, ib = initial[best_name[a].split()[-1][:1]], initial[best_name[b].split()[-1][:1]]
        return (ia != ib, ia, a, b)

    return sorted(found.items(), key=order)


# similar and dissimilar names, with surnames of three initials (pairs across initials come last)
NAMES = [
    "anna berg",
    "anna berge",
    "ana berg",
    "anne borg",
    "jan berg",
    "anna verg",
    "jon bergman",
    "anna kerg",
    "anna bergstrom",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(NAMES), min_size=2, max_size=14))
def test_fuzzy_candidates_are_every_pair_when_no_name_has_more_than_the_cap(names):
    # at most FUZZY_PEOPLE people a name: the cap leaves nothing out
    per_name = {name: names.count(name) for name in names}
    if max(per_name.values()) > FUZZY_PEOPLE:
        names = [n for i, n in enumerate(names) if names[:i].count(n) < FUZZY_PEOPLE]
    best_name = {f"r{i:02d}": name for i, name in enumerate(names)}
    index = index_of([(root, name) for root, name in best_name.items()], {})
    clusters = index.clusters()
    a, b, score = _fuzzy_candidates(index, clusters, best_name)
    got = [((x, y), z) for x, y, z in zip(a.tolist(), b.tolist(), score.tolist(), strict=True)]
    assert got == reference_candidates(best_name, 80.0)


# the fuzzy rule's names among more (those a worker searched: every name the keys carry)
MORE_NAMES = [
    *NAMES,
    "anna bjork",
    "hanna berg",
    "jan borg",
    "jon berg",
    "anne berge",
    "ana kerg",
    "oskar berg",
]


def _pairs(names, pairs):
    """Index arrays of pairs as name pairs, each in name order, sorted."""
    return sorted(tuple(sorted((names[i], names[j]))) for i, j in zip(*pairs, strict=True))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(MORE_NAMES), min_size=1, unique=True),
    st.lists(st.sampled_from(MORE_NAMES), unique=True),
    st.sampled_from([2, 3, 4, 5000]),
)
def test_similar_name_pairs_taken_from_a_search_of_more_names_are_those_of_these_names(
    names, extra, max_block
):
    # MAX_BLOCK small: blocks too big among the more names, and some of them not among these
    more = list(dict.fromkeys([*extra, *names]))
    with mock.patch.object(_namesearch, "MAX_BLOCK", max_block):
        alone = _similar_name_pairs(names, 80.0)
        searched = similar_name_search(more, 80.0)
        taken = _similar_name_pairs(names, 80.0, lambda: (more, searched))
    assert all(np.array_equal(x, y) for x, y in zip(alone, taken, strict=True))


def test_a_block_too_big_for_the_search_of_more_names_is_searched_among_these():
    # at MAX_BLOCK 3, two blocks of NAMES are too big to search: the word "anna" (5 names) and the
    # surname start "berg" (6); among the 3 names here they are small enough
    names = ["anna verg", "anna berg", "anna berge"]
    with mock.patch.object(_namesearch, "MAX_BLOCK", 3):
        more_found = similar_name_search(NAMES, 80.0)
        too_big = sorted(sorted(NAMES[i] for i in block) for block in more_found[3])
        taken = _similar_name_pairs(names, 80.0, lambda: (NAMES, more_found))
    assert too_big == [
        ["ana berg", "anna berg", "anna berge", "anna bergstrom", "jan berg", "jon bergman"],
        ["anna berg", "anna berge", "anna bergstrom", "anna kerg", "anna verg"],
    ]
    # the search of NAMES found one pair, in the block of the word "berg" (3 names)
    assert _pairs(NAMES, more_found[:2]) == [("ana berg", "anna berg")]
    # every pair here (token_sort_ratio 88.9, 94.7, 84.2) comes from those blocks, searched again
    assert _pairs(names, taken[:2]) == [
        ("anna berg", "anna berge"),
        ("anna berg", "anna verg"),
        ("anna berge", "anna verg"),
    ]
    # with the scores the search gave, each the pair's token_sort_ratio in double precision
    scored = {(names[i], names[j]): s for i, j, s in zip(*taken, strict=True)}
    assert scored == {(a, b): fuzz.token_sort_ratio(a, b) for a, b in scored}
    assert sorted(round(s, 1) for s in scored.values()) == [84.2, 88.9, 94.7]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), max_size=60))
def test_sorted_unique_is_numpy_unique(values):
    # the similar-name pairs are deduplicated by a sort (numpy 2.4's np.unique hashes, and is slow)
    values = np.array(values, dtype=np.int64)
    got = _namesearch.sorted_unique(values)
    assert got.dtype == np.int64
    assert got.tolist() == np.unique(values).tolist()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 9), st.integers(0, 9)), max_size=40
    )
)
def test_pair_order_is_that_of_sorting_the_four_keys(rows):
    # (initial of lo, initial of hi, lo, hi): the fuzzy candidates' order, by one sort of a
    # composite number, and by np.lexsort where the number would not fit (n beyond 2**31)
    initial_lo, initial_hi, lo, hi = (
        (np.array(col, dtype=np.int64) for col in zip(*rows)) if rows else [np.array([], dtype=np.int64)] * 4
    )
    want = sorted((a != b, a, x, y) for a, b, x, y in rows)
    for n in (10, 2**32):
        order = identity._pair_order(initial_lo, initial_hi, lo, hi, n).tolist()
        assert sorted(order) == list(range(len(rows)))
        assert [(rows[i][0] != rows[i][1], rows[i][0], rows[i][2], rows[i][3]) for i in order] == want


def test_name_frequency_exact():
    # first names and surnames counted over the distinct names, in the order a pass over the
    # best names first meets them; n, the share of same-name pairs that are one person and the
    # average name's u from the formula of _NameFrequency
    freq = identity._name_frequency(["ann lee", "bob lee", "ann lee", "ann kim", "cy lee"])
    assert list(freq.first.items()) == [("ann", 3), ("bob", 1), ("cy", 1)]
    assert list(freq.last.items()) == [("lee", 4), ("kim", 1)]
    assert freq.n == 5
    u_mean = (0.6**2 + 0.2**2 + 0.2**2) * (0.8**2 + 0.2**2)  # Σp(first)² · Σp(last)²
    assert freq.u_mean == u_mean
    one, two = identity.SAME_NAME_PRIOR
    observed, expected = 1.0, 5 * 4 / 2 * u_mean  # one pair shares a full name ("ann lee")
    assert expected > observed
    assert freq.match_share == (0.0 + one) / (observed + one + two)
    assert identity._name_frequency(["ann lee"]).n == 1  # fewer than two: the prior alone
    # a word seen nowhere counts 0 (Counters, as u() reads them); no names at all: nothing counted
    assert (freq.first["zed"], freq.last["zed"]) == (0, 0)
    empty = identity._name_frequency([])
    assert (dict(empty.first), dict(empty.last), empty.n, empty.u_mean) == ({}, {}, 0, 1.0)


def name_blocks_one_by_one(names):
    """The blocks of ``name_blocks`` as its definition says, name by name: a block per word, and
    one per surname start of four letters, each with its names' places in increasing order."""
    blocks = {}
    for i, name in enumerate(names):
        words = name.split()
        keys = {f"w:{word}" for word in words}
        if len(words[-1]) >= 4:
            keys.add(f"p:{words[-1][:4]}")
        for key in sorted(keys):
            blocks.setdefault(key, []).append(i)
    return sorted(blocks.values())


# words that repeat, a surname of exactly four letters and of three, letters beyond ASCII (a
# surname start counts letters, not bytes), one-word names
ODD_NAMES = ["anna anna", "jorg ostberg", "jörgen östergård", "名前 テスト", "li na", "ana berg", "zoe"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(MORE_NAMES + ODD_NAMES), max_size=30))
def test_name_blocks_are_those_of_each_name_in_turn(names):
    blocks = _namesearch.name_blocks(names)
    assert sorted(blocks) == name_blocks_one_by_one(names)
    assert all(block == sorted(set(block)) for block in blocks)


def test_name_blocks_exact():
    names = ["jörgen östergård", "jorg ostberg", "anna anna", "ana berg", "jörgen östlund"]
    assert sorted(_namesearch.name_blocks(names)) == [
        [0],  # p:öste (four letters, not four bytes)
        [0],  # w:östergård
        [0, 4],  # w:jörgen
        [1],  # p:ostb
        [1],  # w:jorg
        [1],  # w:ostberg
        [2],  # p:anna (the word twice: the name once)
        [2],  # w:anna
        [3],  # p:berg (a surname of four letters)
        [3],  # w:ana
        [3],  # w:berg
        [4],  # p:östl
        [4],  # w:östlund
    ]
