"""Parquet cache of parsed frames, keyed by what the input was (path, size, mtime, reader version).

Nothing read back from the cache can run code: frames are Parquet, everything else JSON (no
pickle). The cache holds the user's whole mailbox in structured form, so its folders are made
private (0700) and its files 0600; every entry is written under a temporary name and renamed
into place, so two processes loading at once never see a half-written entry."""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from netanalytics.io._lists import arrow_lists, shared_lists

__all__ = ["cache_key", "clear", "default_cache_dir", "load", "load_frames", "save", "save_frames"]


def default_cache_dir() -> Path:
    """``$NETANALYTICS_CACHE`` if set, else ``~/.cache/netanalytics``.

    Examples
    --------
    >>> default_cache_dir().name != ""
    True
    """
    env = os.environ.get("NETANALYTICS_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "netanalytics"


def _write_parquet(table: pa.Table, path: Path) -> None:
    """``table`` as a Parquet file the cache reads back whole: zstd (as fast to write here as lz4,
    snappy or none, for files 6-20x smaller); no column statistics, as nothing is filtered on them
    (writing them took 0.06 of 0.29 s for the parsed frame of 200,000 messages of real list mail);
    one row group, so one dictionary per column to read back (the text of seven, numbered together
    anew, took 0.7 s more for the 6.9 million participation rows of a million messages)."""
    pq.write_table(
        table, path, compression="zstd", write_statistics=False, row_group_size=max(1, table.num_rows)
    )


def cache_key(*parts: object) -> str:
    """A stable hex key for the given parts (paths, sizes, mtimes, version constants).

    Examples
    --------
    >>> cache_key("/a.mbox", 10, 1.5) == cache_key("/a.mbox", 10, 1.5) != cache_key("/a.mbox", 11, 1.5)
    True
    """
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()[:32]


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) readable by the owner only (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def _private_write(path: Path, write) -> Path:
    """Call ``write(tmp)`` on a temporary name beside ``path``, make it 0600, return it (the
    caller renames it into place when the whole entry is written)."""
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    write(tmp)
    os.chmod(tmp, 0o600)
    return tmp


def clear(cache_dir: str | os.PathLike | None = None) -> int:
    """Delete the cache (default :func:`default_cache_dir`); returns the number of files removed.

    Examples
    --------
    >>> import tempfile
    >>> where = tempfile.mkdtemp()
    >>> save(where, "k1", pd.DataFrame({"n": [1]}), {}, [])
    >>> clear(where)
    2
    """
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    if not root.is_dir():
        return 0
    removed = 0
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        else:
            path.unlink()
            removed += 1
    return removed


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
        private_dir(cache_dir)
        fields, arrays = [], []
        for col in frame.columns:
            values = frame[col]
            if col in list_columns:
                arrays.append(arrow_lists(values.to_numpy(object), type=pa.list_(pa.string())))
            else:
                arrays.append(pa.Array.from_pandas(values))
            fields.append(col)
        table = pa.table(arrays, names=fields)
        tmp = _private_write(data_path, lambda t: _write_parquet(table, t))
        tmp_meta = _private_write(meta_path, lambda t: t.write_text(json.dumps(meta)))
        os.replace(tmp, data_path)
        os.replace(tmp_meta, meta_path)
    except (OSError, TypeError, ValueError, pa.ArrowException):
        return


def _list_column(chunked: pa.ChunkedArray) -> np.ndarray:
    """Python lists (an object array) from an Arrow list column, as the readers make them: rows
    holding equal lists share one list object, and equal strings one str object
    (:func:`~netanalytics.io._lists.shared_lists`). A null row comes back as None."""
    # the batches of a Parquet row group share its dictionary: joined, they keep one
    chunk = chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)
    if chunk.null_count:  # never written by the readers: no sharing
        return np.fromiter(chunk.to_pylist(), dtype=object, count=len(chunk))
    distinct, codes = shared_lists(chunk)
    return np.fromiter(distinct, dtype=object, count=len(distinct))[codes]


def _read_table(path: Path, list_columns: list[str]) -> pa.Table:
    """The Parquet file at ``path``; the elements of its list columns come dictionary-encoded
    (decoding each distinct string once is 4x faster than decoding a million lists of them)."""
    names = pq.read_schema(path).names
    lists = [f"{c}.list.element" for c in list_columns if c in names]
    return pq.read_table(path, read_dictionary=lists)


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
        table = _read_table(data_path, list_columns)
    except (OSError, ValueError, pa.ArrowException):
        return None
    lists = {c: _list_column(table.column(c)) for c in list_columns if c in table.column_names}
    rest = table.drop_columns(list(lists))
    frame = rest.to_pandas()
    for col, values in lists.items():
        frame[col] = pd.Series(values, index=frame.index, dtype=object)
    return frame[table.column_names], meta


# --- several frames and a manifest (the resolved Network) -------------------------------------

_MANIFEST = "manifest.json"


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON data")


def _holds_lists(values: pd.Series) -> bool:
    """Whether a column holds Python lists, as its first value that is not missing tells (a
    column mixing lists with other values cannot be stored: its conversion fails). The values
    are walked from the first (a vectorised test for missing values took 0.05-0.10 s per
    column of 200,000 rows)."""
    if values.dtype != object:
        return False
    for value in values:
        if not (value is None or value is pd.NA or (isinstance(value, float) and value != value)):
            return isinstance(value, list)
    return False


def save_frames(entry: str | os.PathLike, frames: dict[str, pd.DataFrame | None], meta: dict) -> bool:
    """Store ``frames`` (Parquet, one file each, index included) and ``meta`` (JSON) as the
    folder ``entry``, atomically: the folder is built under a temporary name and renamed.

    Returns whether the entry was written; failures (read-only disk, a value Parquet cannot
    hold) leave no entry behind and are not errors: the cache is an optimisation.
    """
    entry = Path(entry)
    tmp = entry.with_name(f".{entry.name}.tmp{os.getpid()}")

    def write(name: str, frame: pd.DataFrame) -> dict:
        """One frame's file, and its layout for the manifest."""
        columns = list(frame.columns)
        lists = [c for c in columns if _holds_lists(frame[c])]
        # list columns converted by distinct list objects (arrow_lists), set into a table made
        # with a missing value in their place (pandas' own conversion walks every list)
        table = pa.Table.from_pandas(frame.assign(**dict.fromkeys(lists)), preserve_index=True)
        for c in lists:
            lists_array = arrow_lists(frame[c].to_numpy(object), from_pandas=True)
            table = table.set_column(table.schema.get_field_index(c), c, lists_array)
        _private_write(tmp / f"{name}.parquet", lambda t: _write_parquet(table, t)).rename(
            tmp / f"{name}.parquet"
        )
        return {
            "lists": lists,
            "objects": [c for c in columns if frame[c].dtype == object and c not in lists],
            "object_index": frame.index.dtype == object,
        }

    try:
        private_dir(tmp)
        # two frames at a time: Parquet's writer runs without the interpreter lock while the next
        # frame is converted (the network of the 30,000-person namesake mailbox: 0.48 -> 0.36 s)
        with ThreadPoolExecutor(2) as pool:
            written = {
                name: pool.submit(write, name, frame) for name, frame in frames.items() if frame is not None
            }
            layout = {name: written[name].result() if name in written else None for name in frames}
        text = json.dumps({"frames": layout, "meta": meta}, default=_json_default)
        _private_write(tmp / _MANIFEST, lambda t: t.write_text(text)).rename(tmp / _MANIFEST)
        try:
            os.rename(tmp, entry)  # atomic; fails when another process got there first
        except OSError:
            clear(tmp)
            tmp.rmdir()
        return entry.is_dir()
    except (OSError, TypeError, ValueError, pa.ArrowException):
        if tmp.is_dir():
            clear(tmp)
            tmp.rmdir()
        return False


def _as_objects(values: pd.Series | pd.Index):
    """Text back as Python objects with ``None`` for missing (as the readers build them)."""
    out = values.astype(object)
    return out.where(out.notna(), None)


def _text_column(chunked: pa.ChunkedArray) -> np.ndarray:
    """Python strings (an object array, None for missing) from a dictionary-encoded text
    column: each distinct string made once and shared by its rows (a string per row took
    0.17 s of the 1.37 million participation rows of 200,000 messages of real list mail).

    The batches of one Parquet row group share its dictionary; the distinct dictionaries (one per
    row group) are numbered together once. (``combine_chunks`` unified every batch's dictionary
    anew: 4.5 s for the 6.9 million rows of a million real messages.)"""
    if not chunked.num_chunks:
        return np.zeros(0, dtype=object)
    dictionaries: dict = {}  # the buffers of a dictionary -> (its number, the dictionary)
    which = []
    for chunk in chunked.chunks:
        d = chunk.dictionary
        key = (len(d), d.offset, *(b.address if b is not None else 0 for b in d.buffers()))
        which.append(dictionaries.setdefault(key, (len(dictionaries), d))[0])
    distinct = [d for _n, d in dictionaries.values()]
    if len(distinct) == 1:  # (one row group: its codes are the rows' own)
        values = np.append(distinct[0].to_numpy(zero_copy_only=False), None)  # a missing value: the last
        rows = [chunk.indices.fill_null(len(values) - 1).to_numpy() for chunk in chunked.chunks]
        return values[np.concatenate(rows)]
    joined = pc.dictionary_encode(pa.concat_arrays(distinct))
    values = np.append(joined.dictionary.to_numpy(zero_copy_only=False), None)
    codes, bounds = joined.indices.to_numpy(), np.cumsum([0, *(len(d) for d in distinct)])
    # each dictionary's codes into the joined one, and a missing value's (the last)
    maps = [np.append(codes[a:b], len(values) - 1) for a, b in zip(bounds[:-1], bounds[1:])]
    rows = [
        maps[w][chunk.indices.fill_null(len(maps[w]) - 1).to_numpy()]
        for chunk, w in zip(chunked.chunks, which)
    ]
    return values[np.concatenate(rows)]


def _read_frame(path: Path, layout: dict) -> pd.DataFrame:
    """One frame stored by :func:`save_frames`, as its ``layout`` in the manifest describes it.
    Its list and text columns are read dictionary-encoded and made here, each distinct list and
    string one Python object (:func:`_list_column`, :func:`_text_column`); Arrow's own
    conversion makes the rest (it made a Python object per row of these, then thrown away)."""
    schema = pq.read_schema(path)
    text = [
        c
        for c in layout["objects"]
        if pa.types.is_string(schema.field(c).type) or pa.types.is_large_string(schema.field(c).type)
    ]
    table = pq.read_table(path, read_dictionary=[*text, *(f"{c}.list.element" for c in layout["lists"])])
    made = {c: _list_column(table.column(c)) for c in layout["lists"]}
    made.update({c: _text_column(table.column(c)) for c in text})
    for c in made:
        table = table.set_column(table.schema.get_field_index(c), c, pa.nulls(len(table)))
    frame = table.to_pandas()
    for c, values in made.items():
        frame[c] = pd.Series(values, index=frame.index, dtype=object)
    for c in layout["objects"]:
        if c not in made:
            frame[c] = _as_objects(frame[c])
    if layout["object_index"]:
        frame.index = _as_objects(frame.index).rename(frame.index.name)
    return frame


def load_frames(entry: str | os.PathLike) -> tuple[dict[str, pd.DataFrame | None], dict] | None:
    """Frames and meta stored by :func:`save_frames`, or None when there is no entry.

    Raises
    ------
    ValueError
        When the entry exists but is damaged (truncated file, bad manifest): the caller
        rebuilds it.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> entry = Path(tempfile.mkdtemp()) / "k"
    >>> people = pd.DataFrame({"name": ["Ann", None], "emails": [["a@x.org"], []]}, index=["p1", "p2"])
    >>> save_frames(entry, {"people": people, "extra": None}, {"n": 2})
    True
    >>> frames, meta = load_frames(entry)
    >>> frames["people"].equals(people), frames["extra"], meta
    (True, None, {'n': 2})
    """
    entry = Path(entry)
    if not entry.is_dir():
        return None
    try:
        manifest = json.loads((entry / _MANIFEST).read_text())
        frames = {}
        for name, layout in manifest["frames"].items():
            frames[name] = None if layout is None else _read_frame(entry / f"{name}.parquet", layout)
        return frames, manifest["meta"]
    except (OSError, KeyError, TypeError, ValueError, pa.ArrowException) as err:
        raise ValueError(f"damaged cache entry {entry}: {err}") from err
