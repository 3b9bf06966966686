"""Parquet cache of parsed frames, keyed by what the input was (path, size, mtime, reader version)."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = ["cache_key", "default_cache_dir", "load", "save"]


def default_cache_dir() -> Path:
    """``$NETANALYTICS_CACHE`` if set, else ``~/.cache/netanalytics``.

    Examples
    --------
    >>> default_cache_dir().name != ""
    True
    """
    env = os.environ.get("NETANALYTICS_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "netanalytics"


def cache_key(*parts: object) -> str:
    """A stable hex key for the given parts (paths, sizes, mtimes, version constants).

    Examples
    --------
    >>> cache_key("/a.mbox", 10, 1.5) == cache_key("/a.mbox", 10, 1.5) != cache_key("/a.mbox", 11, 1.5)
    True
    """
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()[:32]


def _paths(cache_dir: Path, key: str) -> tuple[Path, Path]:
    return cache_dir / f"{key}.parquet", cache_dir / f"{key}.json"


def save(
    cache_dir: str | os.PathLike, key: str, frame: pd.DataFrame, meta: dict, list_columns: list[str]
) -> None:
    """Store ``frame`` as Parquet and ``meta`` as JSON under ``key`` (atomic replace).

    ``list_columns`` are written as Parquet lists of strings. Failures to write (read-only
    disk, full disk) are ignored: the cache is an optimisation, never a requirement.
    """
    cache_dir = Path(cache_dir)
    data_path, meta_path = _paths(cache_dir, key)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fields, arrays = [], []
        for col in frame.columns:
            values = frame[col]
            if col in list_columns:
                arrays.append(pa.array(values.tolist(), type=pa.list_(pa.string())))
            else:
                arrays.append(pa.Array.from_pandas(values))
            fields.append(col)
        table = pa.table(arrays, names=fields)
        tmp = data_path.with_name(f"{data_path.name}.tmp{os.getpid()}")
        pq.write_table(table, tmp, compression="zstd")
        tmp_meta = meta_path.with_name(f"{meta_path.name}.tmp{os.getpid()}")
        tmp_meta.write_text(json.dumps(meta))
        os.replace(tmp, data_path)
        os.replace(tmp_meta, meta_path)
    except (OSError, TypeError, ValueError, pa.ArrowException):
        return


_SEP = "\x1f"


def _holds_separator(strings: pa.Array) -> bool:
    """Whether any string of ``strings`` may hold :data:`_SEP` (its whole data buffer is read)."""
    data = strings.buffers()[2]
    return data is not None and bool((np.frombuffer(data, dtype=np.uint8) == ord(_SEP)).any())


def _slices(chunk: pa.ListArray) -> list:
    """One Python list per row: the distinct values are converted once (addresses and labels
    repeat), gathered with numpy, then sliced by the offsets."""
    encoded = pc.dictionary_encode(chunk.flatten())
    values = np.asarray(encoded.dictionary.to_pylist() + [None], dtype=object)
    indices = encoded.indices.fill_null(len(values) - 1).to_numpy()
    flat = values[indices].tolist()
    offsets = np.asarray(chunk.offsets) - chunk.offsets[0].as_py()
    return [flat[a:b] for a, b in itertools.pairwise(offsets.tolist())]


def _list_column(chunked: pa.ChunkedArray) -> list | np.ndarray:
    """Python lists from an Arrow list column. When lists repeat (To, Cc, labels), rows holding
    equal lists share one list object, as the readers make them: each distinct list is built
    once (keyed by its elements joined with a separator no element holds)."""
    chunk = chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)
    if not len(chunk):
        return []
    flat = chunk.flatten()
    sample = chunk.slice(0, 4096)
    if (
        not (chunk.null_count or flat.null_count)
        and not _holds_separator(flat)
        and pc.count_distinct(pc.binary_join(sample, _SEP)).as_py() * 2 <= len(sample)
    ):
        encoded = pc.dictionary_encode(pc.binary_join(chunk, _SEP))
        n_distinct = len(encoded.dictionary)
        if n_distinct * 2 <= len(chunk):
            codes = encoded.indices.to_numpy()
            row_of = np.empty(n_distinct, dtype=np.int64)
            row_of[codes] = np.arange(len(codes))  # a row holding each distinct list
            distinct = _slices(chunk.take(pa.array(row_of)))
            return np.fromiter(distinct, dtype=object, count=n_distinct)[codes]
    return _slices(chunk)


def load(cache_dir: str | os.PathLike, key: str, list_columns: list[str]) -> tuple[pd.DataFrame, dict] | None:
    """Return ``(frame, meta)`` stored under ``key``, or ``None`` when absent or unreadable.

    ``list_columns`` come back as Python lists in every row.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> where = tempfile.mkdtemp()
    >>> save(where, "k1", pd.DataFrame({"to": [["a@x.org"], []], "n": [1, 0]}), {"kept": 2}, ["to"])
    >>> frame, meta = load(where, "k1", ["to"])
    >>> frame["to"].tolist(), meta
    ([['a@x.org'], []], {'kept': 2})
    >>> load(where, "other", ["to"]) is None
    True
    """
    data_path, meta_path = _paths(Path(cache_dir), key)
    if not data_path.exists() or not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text())
        table = pq.read_table(data_path)
    except (OSError, ValueError, pa.ArrowException):
        return None
    lists = {c: _list_column(table.column(c)) for c in list_columns if c in table.column_names}
    rest = table.drop_columns(list(lists))
    frame = rest.to_pandas()
    for col, values in lists.items():
        frame[col] = pd.Series(values, index=frame.index, dtype=object)
    return frame[table.column_names], meta
