"""The similar-name search in a process of its own (``netanalytics._namesearch.Searcher``): what it
finds is what the search in this process finds, and a process that cannot start or ends without its
result leaves the search to this one."""

import sys

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from netanalytics import _namesearch, identity
from netanalytics import schema as S

NAMES = ["anna berg", "anna berge", "jon bergman", "ana berg"]


def _same(got, want) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(got[:3], want[:3], strict=True)) and got[3] == want[3]


def test_a_searcher_finds_what_the_search_here_finds():
    with _namesearch.Searcher.start() as searcher:
        got = searcher.search(NAMES, 80.0)()
    want = _namesearch.similar_name_search(NAMES, 80.0)
    assert _same(got, want) and want[3] == []
    # (a pair comes once for each block it is found in: the words "anna" and "berg", the start "berg")
    assert [got[0].tolist(), got[1].tolist()] == [[0, 0, 0, 0, 1], [1, 3, 1, 3, 3]]
    assert got[2].tolist() == [fuzz.token_sort_ratio(NAMES[i], NAMES[j]) for i, j in zip(got[0], got[1])]
    assert searcher._proc.returncode == 0  # (it ended of itself)


def test_names_beyond_ascii_and_a_lone_surrogate_reach_the_process_as_they_are():
    # a name read with a byte UTF-8 cannot decode (kept as a lone surrogate), and letters beyond ASCII
    names = [
        "jörgen östergård",
        "jorgen ostergard",
        "ann\udcffa berg",
        "anna berg",
        "名前 テスト",
        "名前 テス",
    ]
    with _namesearch.Searcher.start() as searcher:
        got = searcher.search(names, 60.0)()
    want = _namesearch.similar_name_search(names, 60.0)
    assert _same(got, want)
    pairs = {(names[i], names[j]) for i, j in zip(got[0].tolist(), got[1].tolist(), strict=True)}
    assert pairs == {("ann\udcffa berg", "anna berg"), ("名前 テスト", "名前 テス")}


def test_a_searcher_process_that_ends_without_its_result_leaves_the_search_to_this_one():
    # killed before it answers (or never able to start its work): the same search, made here
    searcher = _namesearch.Searcher.start()
    with searcher:
        searcher._proc.kill()
        got = searcher.search(NAMES, 80.0)()
    assert _same(got, _namesearch.similar_name_search(NAMES, 80.0))
    assert searcher._proc.returncode is not None


def test_a_searcher_left_without_its_names_is_ended():
    # an error between its start and the search: leaving the block ends the process
    searcher = _namesearch.Searcher.start()
    with searcher:
        assert searcher._proc.poll() is None  # (running: waiting for its names)
    assert searcher._proc.returncode is not None and searcher._proc.stdout.closed


def test_no_searcher_without_a_python_to_start_and_resolution_searches_here(monkeypatch):
    # an embedding application (no sys.executable), or one frozen by PyInstaller
    monkeypatch.setattr(sys, "executable", "")
    assert _namesearch.Searcher.start() is None
    monkeypatch.undo()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert _namesearch.Searcher.start() is None
    # resolution, asked to search in a process (WORKER_FROM 0), makes the search here
    monkeypatch.setattr(identity, "WORKER_FROM", 0)
    monkeypatch.setattr(identity, "may_spawn", lambda: True)
    participants = pd.DataFrame(
        {
            S.KEY: ["ann@acme.com", "anne@acme.com", "bo@x.org"],
            S.DISPLAY_NAME: ["Anna Berg", "Anna Berge", "Bo Lind"],
        }
    )
    contacts = S.empty_frame(S.CONTACTS)
    resolution = identity.resolve_identities(contacts, participants, me_keys=set())
    # the fuzzy rule merged the two of one company domain (token_sort_ratio 94.7)
    k2p = resolution.key_to_person
    assert k2p["ann@acme.com"] == k2p["anne@acme.com"] != k2p["bo@x.org"]
    assert resolution.merges["rule"].tolist() == [identity.RULE_FUZZY]


def test_display_names_given_normalised_are_not_normalised_again(monkeypatch):
    # the loader normalises every display name for its search, and resolution takes them as they are
    participants = pd.DataFrame(
        {
            S.KEY: ["ann@acme.com", "anne@acme.com", "bo@x.org", "cy@y.org"],
            S.DISPLAY_NAME: ["Anna Berg", "Berg, Anna", "Bo Lind", "Cy Moor"],
        }
    )
    contacts = S.empty_frame(S.CONTACTS)
    names, normalised = identity._names_searched(contacts, participants)
    assert names == ["anna berg", "bo lind", "cy moor"]
    assert normalised == {
        "Anna Berg": "anna berg",
        "Berg, Anna": "anna berg",
        "Bo Lind": "bo lind",
        "Cy Moor": "cy moor",
    }
    normalising = []
    original = identity._normalized
    monkeypatch.setattr(
        identity, "_normalized", lambda names: normalising.append(list(names)) or original(names)
    )
    given = identity.resolve_identities(contacts, participants, me_keys=set(), normalised=normalised)
    assert normalising == []
    # one name missing from the mapping: that one alone is normalised here, and the result is the same
    del normalised["Cy Moor"]
    again = identity.resolve_identities(contacts, participants, me_keys=set(), normalised=normalised)
    assert normalising == [["Cy Moor"]]
    made_here = identity.resolve_identities(contacts, participants, me_keys=set())
    for resolution in (given, again):
        pd.testing.assert_frame_equal(resolution.identities, made_here.identities)
    k2p = made_here.key_to_person
    assert k2p["ann@acme.com"] == k2p["anne@acme.com"]  # (one name, one company domain)
