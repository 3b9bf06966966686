"""List columns of the ``messages`` frame (To, Cc, their names, Bcc, References, labels) with one
object per distinct value, to and from Arrow.

Used where many rows' lists are made at once: a mail worker's result (References: the worker
sends :func:`flat_lists`, the reading process makes the lists) and the Parquet cache's reload.
Nothing edits a list cell in place, so rows may share list objects; what is done once per
distinct list object (:func:`first_rows`) is then not done once per row: the loader's work on
recipients, and the cache's conversion to Arrow (:func:`arrow_lists`)."""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from netanalytics.io import _native

__all__ = [
    "FlatLists",
    "arrow_lists",
    "first_of_numbers",
    "first_rows",
    "flat_lists",
    "lists_from_codes",
    "shared_lists",
]


class FlatLists(NamedTuple):
    """The distinct lists of a list column, flat: list ``j`` holds
    ``[elements[c] for c in codes[offsets[j]:offsets[j + 1]]]``, and row ``i`` holds list
    ``rows[i]``. Numpy arrays and a list of distinct elements pickle at memory speed, where the
    lists themselves pickle element by element."""

    elements: list
    codes: np.ndarray  # int32
    offsets: np.ndarray  # int64, one more than there are distinct lists
    rows: np.ndarray  # int32


def first_rows(*columns: list) -> tuple[np.ndarray, np.ndarray]:
    """Rows by the objects they hold: each row's combination of objects (one per column),
    numbered in the order of its first row, and the first row of each.

    The readers give equal recipient lists as one object (727 To lists among 200,000 messages
    of real list mail), so what is done once per combination is not done once per message."""
    code = None
    for column in columns:
        ids = pd.factorize(np.fromiter(map(id, column), np.int64, count=len(column)))[0]
        code = ids if code is None else pd.factorize(code * (int(ids.max(initial=0)) + 1) + ids)[0]
    return code, np.flatnonzero(first_of_numbers(code))


def first_of_numbers(code: np.ndarray) -> np.ndarray:
    """Whether each of ``code`` is the first of its number, for numbers given in order of first
    sight (as ``pd.factorize`` and Arrow's dictionary encoding give them): a first is a number
    that exceeds all before it."""
    first = np.ones(len(code), bool)
    first[1:] = code[1:] > np.maximum.accumulate(code)[:-1]
    return first


def arrow_lists(values, **kwargs) -> pa.Array:
    """A column of Python lists as an Arrow list array (``pyarrow.array(values, **kwargs)``),
    each distinct list object converted once and the rows taken from those: the readers give
    equal lists as one object (:func:`first_rows`), and converting a list element by element is
    what costs. A column of many distinct lists (References) is converted as it is.

    Examples
    --------
    >>> to = ["a@x.org"]
    >>> arrow_lists([to, [], to, to]).to_pylist()
    [['a@x.org'], [], ['a@x.org'], ['a@x.org']]
    """
    if not isinstance(values, np.ndarray):  # (np.asarray would make lists of one length a 2-D array)
        values = np.fromiter(values, dtype=object, count=len(values))
    code, first = first_rows(values)
    if 2 * len(first) > len(values):
        return pa.array(values, **kwargs)
    return pa.array(values[first], **kwargs).take(pa.array(code))


def lists_from_codes(elements: list, codes: np.ndarray, offsets: np.ndarray) -> list[list]:
    """New Python lists, list ``j`` of ``elements[c]`` for the int32 ``codes`` from ``offsets[j]``
    to ``offsets[j + 1]`` (int64). Where the C speedups are built, ``lists_from_flat`` runs the
    same loop (it checks the codes and offsets).

    Examples
    --------
    >>> import numpy as np
    >>> lists_from_codes(["a", "b"], np.array([1, 0, 1], np.int32), np.array([0, 2, 2, 3]))
    [['b', 'a'], [], ['b']]
    """
    codes = np.ascontiguousarray(codes, dtype=np.int32)
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    if _native.SPEEDUPS is not None:  # the same loop in C
        return _native.SPEEDUPS.lists_from_flat(elements, codes, offsets)
    values = [elements[k] for k in codes.tolist()]
    return [values[a:b] for a, b in itertools.pairwise(offsets.tolist())]


def shared_lists(lists: pa.Array) -> tuple[list[list], np.ndarray]:
    """The distinct lists of an Arrow list column as Python lists, and each row's code into them.

    Parameters
    ----------
    lists : pyarrow.ListArray or pyarrow.LargeListArray
        Without null rows (a null element is kept as ``None``); its elements may be
        dictionary-encoded already.

    Returns
    -------
    distinct : list of list
        One Python list per distinct value, in no particular order; equal elements are one
        Python object, whichever lists hold them.
    codes : numpy.ndarray of int32
        Row ``i`` holds ``distinct[codes[i]]``.

    Notes
    -----
    Everything is vectorised: the elements are dictionary-encoded, each row becomes the bytes of
    its elements' int32 codes (a binary array over the same buffer), and those keys are
    dictionary-encoded again; only the distinct lists are built in Python, from the distinct
    elements, each converted once.

    Examples
    --------
    >>> import pyarrow as pa
    >>> distinct, codes = shared_lists(pa.array([["a", "b"], [], ["a", "b"], ["b"]]))
    >>> [distinct[c] for c in codes]
    [['a', 'b'], [], ['a', 'b'], ['b']]
    >>> distinct[codes[0]] is distinct[codes[2]], distinct[codes[0]][1] is distinct[codes[3]][0]
    (True, True)
    """
    flat = flat_lists(lists)
    return lists_from_codes(flat.elements, flat.codes, flat.offsets), flat.rows


def flat_lists(lists: pa.Array) -> FlatLists:
    """The distinct lists of an Arrow list column, flat (see :class:`FlatLists`): what
    :func:`shared_lists` makes its lists of. Each distinct element is one Python object
    (a null element is None).

    Examples
    --------
    >>> import pyarrow as pa
    >>> flat = flat_lists(pa.array([["a", "b"], [], ["a", "b"], ["b"]]))
    >>> flat.elements[:2], flat.codes.tolist(), flat.offsets.tolist(), flat.rows.tolist()
    (['a', 'b'], [0, 1, 1], [0, 2, 2, 3], [0, 1, 0, 2])
    """
    if lists.null_count:
        raise ValueError("shared_lists: the column has null rows (lists expected in every row)")
    n = len(lists)
    offsets = np.asarray(lists.offsets, dtype=np.int64)
    offsets = offsets - offsets[0]
    elements = lists.flatten()
    if not pa.types.is_dictionary(elements.type):  # (Parquet reads them dictionary-encoded)
        elements = pc.dictionary_encode(elements)
    values = elements.dictionary.to_pylist()
    values.append(None)  # a null element: the last slot
    element_codes = elements.indices.fill_null(len(values) - 1).to_numpy().astype(np.int32, copy=False)
    keys = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), n, [None, pa.py_buffer(offsets * 4), pa.py_buffer(element_codes)]
    )
    encoded = pc.dictionary_encode(keys)
    codes = encoded.indices.to_numpy().astype(np.int32, copy=False)
    row_of = np.empty(len(encoded.dictionary), dtype=np.int64)
    row_of[codes] = np.arange(n)  # a row holding each distinct list
    starts, lengths = offsets[row_of], np.diff(offsets)[row_of]
    ends = np.cumsum(lengths)
    at = np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(starts - (ends - lengths), lengths)
    return FlatLists(values, element_codes[at], np.concatenate(([0], ends)).astype(np.int64), codes)
