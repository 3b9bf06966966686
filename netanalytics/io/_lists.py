"""Python lists from an Arrow list column with one object per distinct value (list columns of the
``messages`` frame: To, Cc, their names, Bcc, References, labels).

Used where many rows' lists are made at once: a mail worker's result (References) and the
Parquet cache's reload. Nothing edits a list cell in place, so rows may share list objects."""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["shared_lists"]


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
    if lists.null_count:
        raise ValueError("shared_lists: the column has null rows (lists expected in every row)")
    n = len(lists)
    offsets = np.asarray(lists.offsets, dtype=np.int64)
    offsets = offsets - offsets[0]
    elements = lists.flatten()
    if not pa.types.is_dictionary(elements.type):  # (Parquet reads them dictionary-encoded)
        elements = pc.dictionary_encode(elements)
    values = np.empty(len(elements.dictionary) + 1, dtype=object)
    values[:-1] = elements.dictionary.to_pylist()  # a null element: the last slot, None
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
    flat = values[element_codes[at]].tolist()
    bounds = np.concatenate(([0], ends)).tolist()
    return [flat[a:b] for a, b in itertools.pairwise(bounds)], codes
