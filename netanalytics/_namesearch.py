"""The similar-name search of identity resolution (:func:`similar_name_search`), and a fresh
Python process to make it in (:class:`Searcher`).

This module imports numpy and rapidfuzz and nothing of netanalytics (no pandas, no pyarrow), so
that Python running it as a script is ready to search in about 0.1 s, where the package takes
0.8 s to import. The loader starts one as soon as it has read the mail and gives it the names to
search; resolution meanwhile gathers its other inputs and runs its first rules in this process.
A forked worker would do the same search, but every page of this process's heap it shares is
copied when this process writes it while the worker lives (about 38,000 pages a load of the
namesake mailbox, docs/performance.md): a fresh process shares none.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from itertools import chain

import numpy as np
from rapidfuzz import fuzz, process

MAX_BLOCK = 5000  # a blocking token shared by more names than this is too common to block on
CDIST_ROWS = 500  # names of a block scored at once against the rest of it
SMALL_BLOCK = 12  # blocks of at most this many names are scored pair by pair (a matrix costs more)


def sorted_words(names: list[str]) -> list[str]:
    """Each name with its words sorted: rapidfuzz's ``token_sort_ratio`` of two names is the
    ``ratio`` of these, so each name's words are sorted once, not in every comparison."""
    return [" ".join(sorted(name.split())) for name in names]


def name_blocks(names: list[str]) -> list[list[int]]:
    """The blocks of ``names`` (their places, in increasing order): names sharing a word, or the
    first four letters of the surname (Wisniewska / Wisniewski).

    By arrays, not name by name: a code per distinct word and per distinct surname start, and
    the (block, name) pairs, each once, grouped by one sort (the words coded in a dict, not by
    Arrow: 0.023 s for the 28,954 names of the namesake mailbox against 0.011 s, but without
    pyarrow, whose first array imports pandas, this module's process is ready 0.15 s sooner).
    The blocks come in the order of their codes (no step depends on it)."""
    split = [name.split() for name in names]
    counts = np.fromiter(map(len, split), np.int64, len(names))
    codes: dict[str, int] = {}
    word = np.fromiter(
        (codes.setdefault(w, len(codes)) for w in chain.from_iterable(split)), np.int64, int(counts.sum())
    )
    # each surname of 4 letters or more (a name's last word) by its start, coded after the words
    starts: dict[str, int] = {}
    surnamed = [i for i, words in enumerate(split) if words and len(words[-1]) >= 4]
    start = [starts.setdefault(split[i][-1][:4], len(starts)) for i in surnamed]
    block = np.concatenate([word, np.array(start, np.int64) + len(codes)])
    name = np.concatenate(
        [np.repeat(np.arange(len(names), dtype=np.int64), counts), np.array(surnamed, np.int64)]
    )
    pairs = sorted_unique(block * len(names) + name)  # by block, then name; each pair once
    block, name = pairs // len(names), pairs % len(names)
    bounds = [*np.flatnonzero(np.r_[True, block[1:] != block[:-1]]).tolist(), len(block)]
    name = name.tolist()
    return [name[a:b] for a, b in zip(bounds, bounds[1:])] if len(block) else []


def block_pairs(
    blocks: list[list[int]], words: list[str], cutoff: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs ``i < j`` of one block whose ``words`` score at least ``cutoff`` (``ratio``), as
    arrays, with their scores; a pair two blocks share comes twice. A block is compared at once
    with ``rapidfuzz.process.cdist``, a small one pair by pair.

    The scores are those ``ratio`` gives the pair in double precision: with a cutoff, a pair at
    or above it scores as without one (checked on the 156,397 pairs of 300 blocks of the
    120,000-person namesake mailbox), so the fuzzy rule takes them as they are, where it scored
    every pair found once more (its candidates 1.40-1.50 -> 1.33-1.39 s CPU there)."""
    # positions of the pairs scoring at least the cutoff, and their scores: arrays from the
    # matrices, and numbers from the small blocks
    pairs_a, pairs_b, pairs_s, small_a, small_b, small_s = [], [], [], [], [], []
    for members in blocks:
        block = [words[i] for i in members]
        if len(members) <= SMALL_BLOCK:  # a few names: pair by pair costs less than a matrix
            for i in range(len(members)):
                for j in range(i + 1, len(members)):
                    score = fuzz.ratio(block[i], block[j], score_cutoff=cutoff)
                    if score:
                        small_a.append(members[i])
                        small_b.append(members[j])
                        small_s.append(score)
            continue
        at = np.array(members)
        # each name against the names after it, CDIST_ROWS names at a time: half the matrix (a
        # score below the cutoff is 0; doubles cost no more time than bytes)
        for start in range(0, len(block) - 1, CDIST_ROWS):
            scores = process.cdist(
                block[start : start + CDIST_ROWS],
                block[start:],
                scorer=fuzz.ratio,
                score_cutoff=cutoff,
                dtype=np.float64,
            )
            rows, cols = np.nonzero(scores)
            after = rows < cols
            rows, cols = rows[after], cols[after]
            pairs_a.append(at[rows + start])
            pairs_b.append(at[cols + start])
            pairs_s.append(scores[rows, cols])
    return (
        np.concatenate([*pairs_a, np.array(small_a, np.int64)]),
        np.concatenate([*pairs_b, np.array(small_b, np.int64)]),
        np.concatenate([*pairs_s, np.array(small_s, np.float64)]),
    )


def similar_name_search(
    names: list[str], threshold: float, words: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[list[int]]]:
    """Pairs of distinct ``names`` that may score at least ``threshold`` (rapidfuzz
    ``token_sort_ratio``), found without comparing every pair: arrays ``i < j`` of their places
    in ``names`` (a pair may come more than once) and their scores, and the blocks of more than
    MAX_BLOCK names, left unsearched (too common a word to tell anything). Names are compared
    within their blocks (:func:`name_blocks`). ``words``: the names with their words sorted
    (:func:`sorted_words`), made here when not given."""
    if words is None:
        words = sorted_words(names)
    blocks = name_blocks(names)
    a, b, score = block_pairs([m for m in blocks if 1 < len(m) <= MAX_BLOCK], words, threshold - 0.01)
    return a, b, score, [m for m in blocks if len(m) > MAX_BLOCK]


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of an integer array, by a sort: numpy 2.4's ``np.unique`` hashes, and took
    0.45 s for 855,000 integers where this takes 0.01 s (the (block, name) pairs of
    :func:`name_blocks`; the similar-name pairs, which carry their scores, are deduplicated by an
    ``argsort``: 57 ms for 1.55 million at 120,000 people, where a sort of the pairs alone took 13)."""
    values = np.sort(values)
    first = np.ones(len(values), bool)
    first[1:] = values[1:] != values[:-1]
    return values[first]


class Searcher:
    """A fresh Python process, started now, that makes one :func:`similar_name_search` of the
    names given later (:meth:`search`), while this process goes on.

    Use it as a context manager: leaving the block ends the process if it still runs (after an
    error). Where no process can be started (:meth:`start` gives None) or it ends without a
    result, the search is made in this process: the result is the same either way.
    """

    def __init__(self, proc: subprocess.Popen):
        self._proc = proc
        self._received = False  # (the result read: the process is ending of itself)
        self._writer: threading.Thread | None = None  # (writing the names to the process)

    @classmethod
    def start(cls) -> Searcher | None:
        """A searcher, its process importing what it needs from now on (about 0.1 s); None where
        no process can be started (no Python executable known, as in an embedding application, or
        one that is the application itself, frozen by PyInstaller; or the system refused it)."""
        if not sys.executable or getattr(sys, "frozen", False):
            return None
        try:
            # -P: nothing from this module's folder on the new process's path (its modules are
            # not to shadow the standard library's)
            proc = subprocess.Popen(
                [sys.executable, "-P", os.path.abspath(__file__)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return None
        return cls(proc)

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def search(self, names: list[str], threshold: float) -> Callable[[], tuple]:
        """Send ``names`` to the process to search at ``threshold``; returns the function that
        gives what :func:`similar_name_search` finds, waiting for it (made here when the process
        ended without sending it)."""
        # written by a thread: the process reads them once it has imported what it needs, and
        # until then this process would wait on the full pipe (20-27 ms of a load of the namesake
        # mailbox, whose names come 0.07 s after the process was started)
        data = pickle.dumps((names, threshold), protocol=pickle.HIGHEST_PROTOCOL)
        self._writer = threading.Thread(target=self._write, args=(data,), daemon=True)
        self._writer.start()

        def found() -> tuple:
            try:
                result = pickle.load(self._proc.stdout)
                self._received = True
                return result
            except (EOFError, OSError, pickle.UnpicklingError):
                return similar_name_search(names, threshold)
            finally:
                self.close()

        return found

    def _write(self, data: bytes) -> None:
        with contextlib.suppress(OSError):  # (the process has ended: a broken pipe; found() searches here)
            self._proc.stdin.write(data)
            self._proc.stdin.close()

    def close(self) -> None:
        """End the process if it still runs, and wait for it."""
        if not self._received and self._proc.poll() is None:
            self._proc.kill()  # (its result not asked for: an error came first)
        if self._writer is not None:
            self._writer.join()  # (the names written, or the pipe broken by the kill)
        self._proc.wait()
        for pipe in (self._proc.stdin, self._proc.stdout):
            pipe.close()


def _serve() -> None:
    """The searcher's process: names and threshold read from stdin, what the search finds
    written to stdout."""
    names, threshold = pickle.load(sys.stdin.buffer)
    pickle.dump(similar_name_search(names, threshold), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()
    os._exit(0)  # (no interpreter teardown: the caller waits for the process to end)


if __name__ == "__main__":
    _serve()
