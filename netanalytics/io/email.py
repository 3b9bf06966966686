"""Email archive readers (mbox, Gmail Takeout, Maildir, .eml trees): headers only, fast, cached."""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import functools
import gc
import hashlib
import itertools
import mmap
import os
import pickle
import shutil
import sys
import tempfile
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from netanalytics import schema as S
from netanalytics._fork import may_start_processes
from netanalytics._gc import gc_paused
from netanalytics.exceptions import FormatError
from netanalytics.io import _mbox as M
from netanalytics.io import cache as C
from netanalytics.io._mbox import is_list_address, list_addresses
from netanalytics.io.report import FileReport, LoadReport

__all__ = [
    "READER_VERSION",
    "drop_duplicate_messages",
    "duplicate_messages",
    "is_list_address",
    "list_addresses",
    "read_email",
    "read_eml",
    "read_maildir",
    "read_mbox",
]


def _source_digest() -> str:
    """Hash of the code that makes a messages frame, so a cached frame never outlives it."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in (
        here / "email.py",
        here / "_mbox.py",
        here / "_headers.py",
        here / "cache.py",
        here.parent / "schema.py",
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


#: Part of every cache key; it changes with the reader's source code.
READER_VERSION = f"email-2026.1+{_source_digest()}"

PathLike = str | os.PathLike
_LIST_COLUMNS = [S.TO, S.CC, S.TO_NAMES, S.CC_NAMES, S.BCC, S.REFERENCES, S.LABELS]
_SKIP_DUPLICATE = "duplicate Message-ID"
# Worker tasks are sized by their header blocks (_task_bytes), 16 to 64 MB of mbox. A worker holds
# its task's parsed columns until it sends them (it parses the header blocks in groups, see
# _mbox.mbox_block_groups): on real mail (7 KB headers) 64 MB tasks raised its peak from 184-190 MB
# to 210-218 (174 of it the interpreter and imports), so real mail keeps 16 MB tasks; Gmail-style
# mail (0.3 KB headers) gets 64 MB tasks, peak 198-202 MB against 172-178 in 16 MB tasks
_MBOX_TASK_HEADER_BYTES = 7 << 20
_MBOX_TASK_MIN_BYTES = 16 << 20
_MBOX_TASK_BYTES = 64 << 20  # the largest task
_MBOX_SAMPLES = 4  # places where the header share is measured
_MBOX_SAMPLE_BYTES = 1 << 20
_MBOX_PARALLEL_BYTES = 32 << 20  # below this, starting processes costs more than it saves
_FILES_PER_TASK = 2000
_NOT_MAIL_SUFFIXES = frozenset(
    {
        ".msf",
        ".dat",
        ".db",
        ".sqlite",
        ".json",
        ".xml",
        ".html",
        ".htm",
        ".js",
        ".css",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".pdf",
        ".zip",
        ".gz",
        ".tar",
        ".ini",
        ".toc",
        ".summary",
        ".ibex",
        ".emlxpart",
    }
)


# --- building frames from worker results ------------------------------------------------


def _n_workers(workers: int | None) -> int:
    """The worker processes of a read: ``workers`` as given, else 2 (1 on a one-core machine, and
    where :func:`netanalytics._fork.may_start_processes` says no: a ``multiprocessing.Pool``
    worker)."""
    if workers is None:
        if not may_start_processes():
            return 1
        return max(1, min(2, os.cpu_count() or 1))
    return max(1, int(workers))


#: Set by the public readers' ``progress=`` argument; read where the work is split into tasks.
SHOW_PROGRESS: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "netanalytics_email_progress", default=False
)


# glibc's mallopt parameters, and how much freed memory a worker keeps for its next task
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_WORKER_KEEPS = 256 << 20
# Linux's prctl option that turns transparent huge pages off for the calling process
_PR_SET_THP_DISABLE = 41


def _worker_started() -> None:
    """Set up a reader worker process: marked as one (it keeps its caches and table of strings
    from one task to the next, see ``_mbox._one_task``), no cyclic garbage collection, freed
    memory kept for the next task (glibc only) and no transparent huge pages (Linux only).

    Notes
    -----
    A task makes no reference cycles: a full collection after each task found nothing to free
    (high-cardinality generated mail, real list mail in mbox and in Maildir files). But the
    collections the interpreter runs on its own walk everything a task leaves alive, the
    worker's caches and the result being pickled: 0.07-0.08 s of about 2 s CPU per 100,000
    high-cardinality messages, 0.02 s per 200,000 messages of real list mail (timed with
    ``gc.callbacks`` in a process run as a worker). A worker lives for one read.

    A worker frees nearly all it allocated at the end of each task (one range of the mbox).
    At glibc's default thresholds its large buffers are mapped and unmapped per use and the
    top of its heap is given back to the kernel, so the next task faults the same memory in
    again, page by page. On real list mail in 16 MB tasks (``/tmp/taskcost2.py``-style run
    of 768 MB in one process, caches kept as in a worker) that was 169,000 page faults and
    2.82 s user + 0.46 s system CPU; with both thresholds at 256 MB, 12,000 faults and
    2.53 + 0.09 s, the same peak (236 MB).

    Arrow's allocator (mimalloc) asks the kernel for transparent huge pages for its arenas, so
    a worker's first touch of each one zeroes 2 MB at once, and when the kernel has no huge
    page free it compacts memory first (``defrag = madvise``, this machine's and many
    distributions' setting): a worker's system time then jumps from about 0.06 s to 0.2-0.3 s
    per half of the high-cardinality archive (``perf`` showed ``clear_page_erms`` under
    ``do_huge_pmd_anonymous_page``). Without them a worker's peak is 23 MB lower on that
    archive (197 against 220 MB) and 17 MB lower on real list mail (165 against 182 MB), at
    the same speed (alternated reads, 10 and 3 each). Only the workers are tuned, never the
    caller's process; elsewhere than glibc on Linux nothing is done.
    """
    M.reader_worker_started()
    gc.disable()
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return
    if hasattr(libc, "prctl"):
        libc.prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0)  # fails harmlessly on kernels before 3.15
    if hasattr(libc, "mallopt"):  # (a C library without it: musl)
        libc.mallopt(_M_TRIM_THRESHOLD, _WORKER_KEEPS)
        libc.mallopt(_M_MMAP_THRESHOLD, _WORKER_KEEPS)


# tasks handed to the worker pool ahead of the result being read, per worker (see _run)
_AHEAD = 2


# shared memory free enough for the results waiting at once (a result is 0.7-3.6 MB on the
# benchmark archives; containers often give /dev/shm only 64 MB)
_SPOOL_SHM_FREE = 256 << 20


_SPOOL_PREFIX = "netanalytics-read-"


def _spool_folder() -> str:
    """A new private folder (mode 0700) for the workers' results of one read: in shared memory
    where the system has it with room to spare (Linux's /dev/shm), else in the temporary folder.
    Its name holds the reading process's id; folders of this user's reads whose process is gone
    (killed before it could remove its folder) are removed first, headers being private."""
    shm = "/dev/shm"
    root = shm if _has_room(shm, _SPOOL_SHM_FREE) else None
    _remove_orphan_spools(Path(root or tempfile.gettempdir()))
    return tempfile.mkdtemp(prefix=f"{_SPOOL_PREFIX}{os.getpid()}-", dir=root)


def _has_room(folder: str, free: int) -> bool:
    """Whether ``folder`` can be written and has ``free`` bytes left."""
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):  # no such folder (/dev/shm on macOS), no statvfs (Windows)
        return False
    return os.access(folder, os.W_OK | os.X_OK) and st.f_bavail * st.f_frsize >= free


def _remove_orphan_spools(root: Path) -> None:
    if os.name != "posix":  # (os.kill(pid, 0) only asks on POSIX; on Windows it ends the process)
        return
    for folder in root.glob(f"{_SPOOL_PREFIX}*-*"):
        pid = folder.name[len(_SPOOL_PREFIX) :].split("-", 1)[0]
        try:
            if not pid.isdigit() or folder.stat().st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)  # the reading process still runs: its folder is in use
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # gone meanwhile, or another user's process of that id
            continue


def _spool_folder_if_any() -> str | None:
    try:
        return _spool_folder()
    except OSError:  # no writable temporary folder: the results come through the pool
        return None


class _Spooled(NamedTuple):
    """Where a worker left a result (see :func:`_spooled`)."""

    path: str


def _spooled(func, folder: str | None, name: str, *args):
    """``func(*args)``, run in a worker, its result left pickled in ``folder/name`` (read once,
    then removed, by :func:`_unspooled`); returns that place, a :class:`_Spooled`. Without a
    folder, or when the file cannot be written (a full /dev/shm or temporary folder), the result
    itself, sent through the pool."""
    result = func(*args)
    if folder is None:
        return result
    path = os.path.join(folder, name)
    try:
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return result
    return _Spooled(path)


def _unspooled(sent):
    """A worker's result from what :func:`_spooled` sent: the file it is in, or the result."""
    if not isinstance(sent, _Spooled):
        return sent
    with open(sent.path, "rb") as fh:
        data = fh.read()
    os.unlink(sent.path)
    return pickle.loads(data)


@contextlib.contextmanager
def _run(func, tasks: list[tuple], workers: int, *, amounts: list[int], unit: str, desc: str):
    """The results of ``func(*task)`` in task order (an iterator, given by ``with``), from
    worker processes when it pays.

    ``amounts`` (bytes or messages per task) drive a progress bar when ``progress=True``.

    Notes
    -----
    A worker leaves each result pickled in a file of a private folder (:func:`_spool_folder`,
    in shared memory on Linux) and sends only its name: a result (about 3.5 MB per range of
    high-cardinality mail) sent through the pool's pipe was written only as fast as the reading
    process took it, and that process, busy with the result before under its interpreter lock,
    left a worker waiting 5-45 ms after each range (75 ms of one worker's 0.6 s read of the
    high-cardinality archive; alternated medians with files against the pipe: 0.57 -> 0.53 s
    there, 1.79 -> 1.58 s on real list mail, 0.77 -> 0.69 s on Gmail-style). Tasks are handed
    to the pool :data:`_AHEAD` per worker ahead of the result the caller is at, so that no more
    results than that wait in the folder however far the caller falls behind (a pipe held the
    workers back; files would not). The folder, with anything left in it, is removed when the
    block ends.

    When the last result is in, the workers are told to stop and are waited for by a thread of
    their own while the caller works on the results; the block ends only when they have exited,
    so no worker outlives the read. The workers' exit (their memory given back) took 9-14 ms of
    the 0.6 s read of the high-cardinality archive, all of it in the read's serial tail.
    """
    bar = None
    if SHOW_PROGRESS.get():
        from netanalytics._progress import ProgressBar

        bar = ProgressBar(total=sum(amounts), unit=unit, unit_scale=True, desc=desc, leave=False)
    pool = closer = folder = None

    def spooled():  # the results' files, in task order, at most _AHEAD tasks per worker ahead
        queued: deque = deque()
        for k, task in enumerate(tasks):
            queued.append(pool.submit(_spooled, func, folder, f"{k}.pickle", *task))
            if len(queued) >= _AHEAD * workers:
                yield queued.popleft().result()
        while queued:
            yield queued.popleft().result()

    def results():
        nonlocal closer
        done = (func(*t) for t in tasks) if pool is None else map(_unspooled, spooled())
        for k, (result, amount) in enumerate(zip(done, amounts, strict=True), 1):
            if k == len(tasks) and pool is not None:  # the last: nothing is left to run
                closer = threading.Thread(target=pool.shutdown, name="netanalytics-workers-exit")
                closer.start()
            if bar is not None:
                bar.update(amount)
            yield result

    try:
        if workers > 1 and len(tasks) > 1:
            folder = _spool_folder_if_any()
            pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), initializer=_worker_started)
        yield results()
    finally:
        if closer is not None:
            closer.join()
        elif pool is not None:  # stopped before the last result (an error)
            pool.shutdown(cancel_futures=True)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if bar is not None:
            bar.close()


def progress_option(read):
    """Give a public reader ``progress=False``: a progress bar over bytes (mbox) or files."""

    @functools.wraps(read)
    def wrapper(*args, progress: bool = False, **kwargs):
        token = SHOW_PROGRESS.set(bool(progress))
        try:
            return read(*args, **kwargs)
        finally:
            SHOW_PROGRESS.reset(token)

    return wrapper


def combine_parts(results: Iterable[dict], path: str, kind: str) -> tuple[pd.DataFrame, FileReport]:
    """One frame (with private evidence columns) and its FileReport from worker results."""
    report = FileReport(path, kind)
    parts = []
    skipped: Counter = Counter()
    counters: Counter = Counter()
    dates: Counter = Counter()
    hidden = 0  # warnings the workers counted but did not send
    shared: dict = {}  # equal recipient lists of different parts: one object
    tables: dict = {}  # the strings each worker has sent (M.prepare_parts)
    with gc_paused():
        for res in results:
            # (a part without rows may still add to its worker's strings: prepared all the same)
            prepared = M.prepare_parts(res["parts"], shared, tables)
            if prepared["n"]:
                parts.append(prepared)
            skipped.update(res["skipped"])
            counters.update(res["counters"])
            dates.update(res["dates"])
            for text in res["warnings"]:
                report.warn(text, limit=M.MAX_WARNINGS)
            hidden += res["n_warnings"] - len(res["warnings"])
        if not parts:
            frame, n_dup, dup_warnings = M.empty_frame(), 0, []
        elif M.ids_all_distinct(parts):
            frame, n_dup, dup_warnings = M.frame_from_parts(parts), 0, []
        else:
            # duplicates are found on the four columns that decide them; the whole frame is
            # then built of the kept rows only (the text of the parts is not copied)
            keys = M.frame_from_parts(parts, columns=[S.MESSAGE_ID, S.SENDER, S.TIMESTAMP, M.SENT_LABEL])
            frame, n_dup, dup_warnings = drop_duplicate_messages(
                keys, rows=functools.partial(M.frame_from_parts, parts), hashes=M.id_hashes(parts)
            )
            del keys
        del parts, shared, tables
    skipped[_SKIP_DUPLICATE] += n_dup
    for text in dup_warnings:
        report.warn(text, limit=M.MAX_WARNINGS)
    report.kept = len(frame)
    for reason, k in skipped.items():
        report.skip(reason, k)
    not_shown = report.notes.get("warnings_not_shown", 0) + hidden
    report.notes = {"dates": dict(dates), "counters": dict(counters)}
    if not_shown:
        report.notes["warnings_not_shown"] = not_shown
    return frame, report


def _arrow_text(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def _rows(frame: pd.DataFrame, columns: list[str], rows: np.ndarray) -> pd.DataFrame:
    """``frame[columns].take(rows)`` with a fresh index; an Arrow column made of many chunks
    (a mail frame's) is gathered chunk by chunk, never joined into one array first."""
    out = {}
    for col in columns:
        values = frame[col]
        arrow = pa.array(values.array) if _arrow_text(values) else None
        if isinstance(arrow, pa.ChunkedArray) and arrow.num_chunks > 1:
            starts = np.cumsum([0, *(len(c) for c in arrow.chunks)])
            which = np.searchsorted(starts, rows, side="right") - 1
            pieces = [
                arrow.chunk(k).take(pa.array(rows[which == k] - starts[k])) for k in np.unique(which).tolist()
            ]
            joined = pa.chunked_array(pieces, type=arrow.type)
            out[col] = pd.array(joined, dtype=values.dtype)
        else:
            out[col] = values.take(rows).reset_index(drop=True)
    return pd.DataFrame(out, index=pd.RangeIndex(len(rows)))


def _repeated_ids(frame: pd.DataFrame, hashes: np.ndarray | None = None) -> np.ndarray:
    """The rows whose Message-ID (not missing) is on more than one row: the only rows that
    can be duplicates or reuse an id, so the rules run on them alone.

    ``hashes`` (one per row, equal for equal ids: the workers' ``id_hash``) narrow the search
    to the rows sharing a hash first, without hashing the whole text column again."""
    rows = None
    if hashes is not None:
        order = np.argsort(hashes, kind="stable")
        same = hashes[order[1:]] == hashes[order[:-1]]
        maybe = np.zeros(len(hashes), dtype=bool)
        maybe[order[1:][same]] = True
        maybe[order[:-1][same]] = True
        rows = np.flatnonzero(maybe)
    ids = frame[S.MESSAGE_ID] if rows is None else _rows(frame, [S.MESSAGE_ID], rows)[S.MESSAGE_ID]
    if _arrow_text(ids):
        # pandas' factorize makes Arrow text into Python strings first (~250 B a row)
        encoded = pc.dictionary_encode(pa.chunked_array(pa.array(ids.array)))  # one dictionary
        parts = [c.indices.fill_null(-1).to_numpy() for c in encoded.chunks]
        codes = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    else:
        codes = pd.factorize(ids, use_na_sentinel=True)[0]
    counts = np.bincount(codes[codes >= 0])
    if not len(counts):
        return np.empty(0, dtype=np.int64)
    repeated = np.flatnonzero((codes >= 0) & (counts[np.maximum(codes, 0)] > 1))
    return repeated if rows is None else rows[repeated]


def _duplicates_among(frame: pd.DataFrame, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`duplicate_messages` worked out on the rows ``candidates`` (:func:`_repeated_ids`)."""
    none = np.zeros(len(frame), dtype=bool)
    if not len(candidates):
        return none, none
    sub = _rows(frame, [S.MESSAGE_ID, S.SENDER, S.TIMESTAMP], candidates)
    seen = sub[S.MESSAGE_ID].duplicated().to_numpy()
    keys = [S.MESSAGE_ID, S.SENDER]
    same_sender = sub.duplicated(keys).to_numpy() & seen
    ts = sub[S.TIMESTAMP]
    first = sub.groupby(keys, sort=False, dropna=False)[S.TIMESTAMP].transform("first")
    same_date = (ts.isna() | first.isna() | ts.eq(first)).to_numpy()
    duplicate, reused = none.copy(), none.copy()
    duplicate[candidates] = same_sender & same_date
    reused[candidates] = seen & ~(same_sender & same_date)
    return duplicate, reused


def duplicate_messages(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Which rows repeat an earlier message, and which reuse an earlier row's Message-ID for a
    different message.

    A row is a duplicate when an earlier row has its Message-ID, its sender and its date (a
    missing date agrees with any). Real archives hold different messages under one
    Message-ID (broken mail programs, RFC examples): those are kept.

    Returns
    -------
    duplicate, reused : numpy.ndarray of bool
    """
    return _duplicates_among(frame, _repeated_ids(frame))


def drop_duplicate_messages(
    frame: pd.DataFrame,
    rows: Callable[[np.ndarray], pd.DataFrame] | None = None,
    hashes: np.ndarray | None = None,
) -> tuple[pd.DataFrame, int, list[str]]:
    """Keep the first row of each message (:func:`duplicate_messages`); it inherits a Sent label
    from any copy. A different message under a Message-ID already seen keeps its row, with
    ``#2``, ``#3`` ... appended to the id (ids key the rows downstream); the warnings say which.

    ``rows(keep)``, when given, builds the whole frame of the rows ``keep`` (a boolean mask);
    ``frame`` then needs only the id, sender, date and Sent-label columns, and no row is copied
    twice. ``hashes``: see :func:`_repeated_ids`."""
    # ids and Sent labels change only on rows whose id repeats: all is worked out on those rows
    repeated = _repeated_ids(frame, hashes)
    duplicate, reused = _duplicates_among(frame, repeated)
    warnings = []
    # the ids of the repeated rows, as they come out (a reused id gets its "#k")
    ids = _rows(frame, [S.MESSAGE_ID], repeated)[S.MESSAGE_ID].to_numpy(dtype=object)
    reused_rows = np.flatnonzero(reused)
    if len(reused_rows):
        kept = ~duplicate[repeated]
        rank = pd.Series(ids[kept]).groupby(ids[kept], sort=False).cumcount().to_numpy()
        rank_of = dict(zip(repeated[kept].tolist(), rank.tolist(), strict=True))
        at = np.searchsorted(repeated, reused_rows)
        for i, j in zip(reused_rows.tolist(), at.tolist(), strict=True):
            k = rank_of[i] + 1
            warnings.append(
                f"Message-ID <{ids[j]}> is on different messages (another sender or date): "
                f"kept both, this one as <{ids[j]}#{k}>"
            )
            ids[j] = f"{ids[j]}#{k}"
    sent = None
    if duplicate.any() and M.SENT_LABEL in frame.columns:
        # a duplicate keeps the id of the row it repeats
        sent = frame[M.SENT_LABEL].to_numpy(dtype=bool).copy()
        sent[repeated] = pd.Series(sent[repeated]).groupby(ids, sort=False).transform("any").to_numpy(bool)
    keep = ~duplicate
    if rows is not None:
        out = rows(keep)
    elif duplicate.any():
        out = frame.loc[keep].reset_index(drop=True)
    else:
        out, keep = frame, np.ones(len(frame), dtype=bool)
    changed = {}
    if len(reused_rows):
        renamed = out[S.MESSAGE_ID].copy()
        renamed.iloc[np.cumsum(keep)[reused_rows] - 1] = ids[np.searchsorted(repeated, reused_rows)]
        changed[S.MESSAGE_ID] = renamed.array
    if sent is not None:
        changed[M.SENT_LABEL] = sent[keep]
    return out.assign(**changed) if changed else out, int(duplicate.sum()), warnings


def cached_part(
    key_parts: tuple, cache: bool, cache_dir: PathLike | None, compute
) -> tuple[pd.DataFrame, FileReport]:
    """``compute()``'s (frame, FileReport), from the parse cache under ``key_parts`` when ``cache``
    (used by every mail reader, Outlook's included)."""
    if not cache:
        return compute()
    directory = Path(cache_dir) if cache_dir is not None else C.default_cache_dir()
    key = C.cache_key(READER_VERSION, *key_parts)
    with gc_paused():
        hit = C.load(directory, key, _LIST_COLUMNS)
    if hit is not None:
        frame, meta = hit
        return frame, FileReport.from_dict(meta)
    frame, report = compute()
    C.save(directory, key, frame, report.to_dict(), _LIST_COLUMNS)
    return frame, report


# --- mbox ----------------------------------------------------------------------------------


def _mbox_folder(path: Path) -> str:
    return path.stem if path.suffix.lower() == ".mbox" else path.name


def _task_bytes(mm, start: int, size: int) -> int:
    """Bytes of mbox per worker task: about :data:`_MBOX_TASK_HEADER_BYTES` of header blocks,
    within [:data:`_MBOX_TASK_MIN_BYTES`, :data:`_MBOX_TASK_BYTES`].

    Notes
    -----
    A task's cost has a fixed part (its Arrow columns, pickling, the merge in the calling
    process: about 3 ms) and a memory part: a worker holds the parsed columns of its whole task
    until it sends them, and they grow with its header blocks. The header share of the file is
    the header bytes (from the From_ line's newline to the first empty line) of the messages
    starting in :data:`_MBOX_SAMPLES` samples of :data:`_MBOX_SAMPLE_BYTES` at evenly spaced
    places, found as the reader finds them (:func:`_mbox.mbox_blocks`: about 1 ms in C, where
    1,600 byte searches had taken 4-9 ms before the workers could start). Real list mail (7 KB
    headers in 12 KB messages, a share of 0.44) gets 16 MB tasks; Gmail-style mail (0.3 KB
    headers in 10 KB messages) 64 MB tasks: on a 2 GB archive 30 tasks instead of 121.
    """
    header = scanned = 0
    for k in range(_MBOX_SAMPLES):
        a = M.align(mm, start + (size - start) * k // _MBOX_SAMPLES, size)
        b = min(a + _MBOX_SAMPLE_BYTES, size)
        if a >= b:
            continue
        header += sum(map(len, M.mbox_blocks(mm, a, b)[0]))
        scanned += b - a
        M.forget_pages(mm, a - 2, b + mmap.PAGESIZE)  # what the sample looked at
    wanted = _MBOX_TASK_HEADER_BYTES * scanned // max(header, 1)
    return min(max(wanted, _MBOX_TASK_MIN_BYTES), _MBOX_TASK_BYTES)


def _parse_mbox(path: Path, workers: int) -> tuple[pd.DataFrame, FileReport]:
    label = str(path)
    folder = _mbox_folder(path)
    size = path.stat().st_size
    if size == 0:
        return combine_parts([], label, "mbox")
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        start = M.check_mbox_start(mm, label)
        if start >= size:
            return combine_parts([], label, "mbox")
        n_tasks = 1
        if workers > 1 and size >= _MBOX_PARALLEL_BYTES:
            n_tasks = max(workers, size // _task_bytes(mm, start, size))
        # the last tasks are smaller, so the workers finish together
        weights = [1.0] * n_tasks
        if n_tasks >= 4 * workers:
            weights[-2 * workers :] = [0.5] * workers + [0.25] * workers
        total = sum(weights)
        bounds = [start]
        done = 0.0
        for w in weights[:-1]:
            done += w
            at = start + int((size - start) * done / total)
            b = M.align(mm, at, size)
            M.forget_pages(mm, at - 2, b + mmap.PAGESIZE)  # what align looked at (see forget_pages)
            if b > bounds[-1] and b < size:
                bounds.append(b)
        bounds.append(size)
    tasks = [(str(path), a, b, folder, "mbox", label) for a, b in itertools.pairwise(bounds)]
    # the results unpickled here hold millions of small lists: without this pause the cyclic
    # collector rescans them again and again (about 3x the cost of unpickling)
    with gc_paused(), _run(
        M.parse_mbox_range, tasks, workers,
        amounts=[b - a for a, b in itertools.pairwise(bounds)], unit="B", desc=path.name,
    ) as results:  # fmt: skip
        return combine_parts(results, label, "mbox")


def _load_mbox(path: Path, cache: bool, cache_dir, workers: int) -> tuple[pd.DataFrame, FileReport]:
    if path.is_dir():
        raise FormatError(
            f"{path} is a folder, not an mbox file. Use read_email (or read_maildir) for folders."
        )
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no such mbox file. Give the path of an .mbox file (Gmail Takeout: "
            "'All mail Including Spam and Trash.mbox')."
        )
    st = path.stat()
    key = ("mbox", str(path.resolve()), st.st_size, st.st_mtime_ns)
    return cached_part(key, cache, cache_dir, lambda: _parse_mbox(path, workers))


def _mbox_of_tree(path: Path, cache: bool, cache_dir, workers: int) -> tuple[pd.DataFrame, FileReport]:
    """An mbox found in a folder tree; one that cannot be read is reported as not read, with
    the reason, so that the folder's other archives still load."""
    try:
        return _load_mbox(path, cache, cache_dir, workers)
    except FormatError as exc:
        reason = str(exc).removeprefix(f"{path}: ")
        return M.empty_frame(), FileReport(str(path), "mbox", not_read=" ".join(reason.split()))


# --- message files ------------------------------------------------------------------------------


def _parse_files(label: str, folder: str | None, items: list[tuple[str, str]], kind: str, workers: int):
    tasks = [
        (items[i : i + _FILES_PER_TASK], folder, kind, label) for i in range(0, len(items), _FILES_PER_TASK)
    ]
    with gc_paused(), _run(
        M.parse_message_files, tasks, workers,
        amounts=[len(t[0]) for t in tasks], unit="msg", desc=Path(label).name,
    ) as results:  # fmt: skip
        return combine_parts(results, label, kind)


def _load_files(
    label: str, folder: str | None, items: list[tuple[str, str]], kind: str, cache, cache_dir, workers: int
) -> tuple[pd.DataFrame, FileReport]:
    listing = []
    for full, rel in items:
        try:
            st = os.stat(full)
            listing.append((rel, st.st_size, st.st_mtime_ns))
        except OSError:
            listing.append((rel, -1, -1))
    key = (kind, str(Path(label).resolve()), folder, C.cache_key(*listing))
    return cached_part(key, cache, cache_dir, lambda: _parse_files(label, folder, items, kind, workers))


def _is_mail_candidate(name: str) -> bool:
    return not name.startswith(".") and Path(name).suffix.lower() not in _NOT_MAIL_SUFFIXES


def _maildir_folders(root: Path) -> list[tuple[str, Path]]:
    """Every Maildir folder under ``root``: a directory holding ``cur/`` or ``new/``."""
    found = []
    for dirpath, dirnames, _ in os.walk(root):
        here = Path(dirpath)
        if "cur" in dirnames or "new" in dirnames:
            rel = here.relative_to(root)
            name = "INBOX" if str(rel) == "." else "/".join(p.lstrip(".") for p in rel.parts)
            found.append((name, here))
        dirnames[:] = sorted(d for d in dirnames if d not in ("cur", "new", "tmp"))
    return found


def _is_maildir(root: Path) -> bool:
    return bool(_maildir_folders(root))


def _maildir_items(folder_dir: Path) -> list[tuple[str, str]]:
    items = []
    for sub in ("cur", "new"):
        d = folder_dir / sub
        if d.is_dir():
            for name in sorted(os.listdir(d)):
                full = d / name
                if not name.startswith(".") and full.is_file():
                    items.append((str(full), f"{sub}/{name}"))
    return items


def _starts_like_mbox(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(512).lstrip(b"\xef\xbb\xbf").lstrip()
    except OSError:
        return False
    return bool(M.FROM_LINE.match(head))


def _tree(root: Path) -> tuple[list[Path], dict[Path, list[tuple[str, str]]], list[Path]]:
    """Split a folder tree into mbox files, message files grouped by directory, and Outlook
    files (``.pst``, ``.ost``, ``.msg``)."""
    mboxes: list[Path] = []
    groups: dict[Path, list[tuple[str, str]]] = {}
    outlook: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(dirpath)
        for name in sorted(filenames, key=_natural):
            full = here / name
            if not _is_mail_candidate(name) or not full.is_file():
                continue
            if Path(name).suffix.lower() in _OUTLOOK_SUFFIXES:
                outlook.append(full)
            elif name.lower().endswith(".mbox") or _starts_like_mbox(full):
                mboxes.append(full)
            else:
                groups.setdefault(here, []).append((str(full), name))
    return mboxes, groups, outlook


_OUTLOOK_SUFFIXES = (".pst", ".ost", ".msg")


def _outlook_parts(files: list[Path], cache, cache_dir, root: Path | None = None):
    """Parts of Outlook data files (each its own report) and of ``.msg`` files (one report per
    folder); a data file of a folder tree that cannot be read is reported as not read."""
    from netanalytics.io import outlook

    parts = []
    msgs = []
    for f in files:
        if f.suffix.lower() == ".msg":
            msgs.append(f)
            continue
        try:
            parts.append(outlook.load_pst_part(f, cache, cache_dir))
        except FormatError as exc:
            if root is None:
                raise
            reason = str(exc).removeprefix(f"{f}: ")
            parts.append((M.empty_frame(), FileReport(str(f), "pst", not_read=" ".join(reason.split()))))
    if msgs:
        parts += outlook.msg_parts(msgs, root)
    return parts


def _natural(name: str) -> tuple:
    stem = name.rstrip(".")
    return (0, int(stem), name) if stem.isdigit() else (1, 0, name)


# --- owner detection and final assembly -------------------------------------------------------------


def _as_addresses(me: str | Iterable[str]) -> list[str]:
    values = [me] if isinstance(me, str) else list(me)
    out = []
    for v in values:
        key = S.normalize_email(v) or (str(v).strip().lower() or None)
        if key and key not in out:
            out.append(key)
    return out


def _detect_me(frame: pd.DataFrame, me) -> dict:
    if me is not None:
        addresses = _as_addresses(me)
        return {"rule": "explicit", "addresses": addresses, "evidence": "given by the caller (me=...)"}
    # (the column, then its rows: .loc[rows, column] took the rows of every column first, 9 ms
    # of the serial tail of reading 100,000 messages)
    senders = frame[S.SENDER][frame[M.SENT_LABEL].to_numpy(bool)].dropna()
    senders = senders[senders.str.contains("@", regex=False).to_numpy(bool)]
    if len(senders):
        counts = senders.value_counts()
        keep = counts[counts >= max(1, 0.02 * len(senders))]
        shown = ", ".join(f"{a} ({n})" for a, n in keep.items())
        return {
            "rule": "sent_label",
            "addresses": list(keep.index),
            "evidence": f"From of {len(senders)} messages labelled or filed as Sent: {shown}",
        }
    delivered = frame[M.DELIVERED_TO].dropna()
    if len(delivered):
        counts = delivered.value_counts()
        keep = counts[counts >= max(1, 0.1 * counts.iloc[0])]
        shown = ", ".join(f"{a} ({n})" for a, n in keep.items())
        return {
            "rule": "delivered_to",
            "addresses": list(keep.index),
            "evidence": f"Delivered-To / X-Original-To of {len(delivered)} messages: {shown}",
        }
    counts: Counter = Counter()
    for sender, to, cc in zip(frame[S.SENDER], frame[S.TO], frame[S.CC]):
        seen = set(to) | set(cc)
        if isinstance(sender, str):
            seen.add(sender)
        counts.update(k for k in seen if "@" in k)
    if counts:
        n = max(counts.values())
        tied = sorted(k for k, c in counts.items() if c == n)  # sorted: the same owner on every run
        top = tied[0]
        evidence = f"{top} takes part in {n} of {len(frame)} messages, more than any other address"
        if len(tied) > 1:
            evidence = (
                f"{top} takes part in {n} of {len(frame)} messages, as many as {', '.join(tied[1:4])}"
                + (f" and {len(tied) - 4} more" if len(tied) > 4 else "")
                + ": the first in alphabetical order was taken; pass me= to say which address is yours"
            )
        return {"rule": "most_frequent_participant", "addresses": [top], "evidence": evidence}
    return {"rule": "none", "addresses": [], "evidence": "no message names any address"}


def assemble_parts(parts: list[tuple[pd.DataFrame, FileReport]], me) -> tuple[pd.DataFrame, LoadReport]:
    """The public readers' result from per-file parts: one frame, duplicates dropped, ``me`` found,
    and the LoadReport (used by every mail reader, Outlook's included)."""
    report = LoadReport()
    for _, file_report in parts:
        report.files.append(file_report)
    if not parts:
        frame = M.empty_frame()
    elif len(parts) == 1:
        frame = parts[0][0]
    else:
        frame = pd.concat([p[0] for p in parts], ignore_index=True)
        part = np.repeat(np.arange(len(parts)), [len(p[0]) for p in parts])
        dup, reused = duplicate_messages(frame)
        for i, n in zip(*np.unique(part[dup], return_counts=True)):
            parts[i][1].kept -= int(n)
            parts[i][1].skip(_SKIP_DUPLICATE, int(n))
        frame, _, dup_warnings = drop_duplicate_messages(frame)
        for i, text in list(zip(part[reused], dup_warnings))[: M.MAX_WARNINGS]:
            parts[i][1].warn(text)
    owner = _detect_me(frame, me)
    mine = frame[S.SENDER].isin(owner["addresses"]).to_numpy(dtype=bool) | frame[M.SENT_LABEL].to_numpy(bool)
    frame = frame.drop(columns=[M.SENT_LABEL, M.DELIVERED_TO])
    frame[S.IS_FROM_ME] = mine
    for file_report in report.files:
        file_report.notes["me"] = owner
    # Not S.validate here: its per-row list check costs seconds on millions of rows; the
    # tests validate every path that builds these frames.
    if list(frame.columns) != list(S.MESSAGES):  # readers build them in order: no copy then
        frame = frame[list(S.MESSAGES)]
    return frame, report


# --- public readers ---------------------------------------------------------------------------------


@progress_option
def read_mbox(
    path: PathLike | Iterable[PathLike],
    *,
    me: str | Iterable[str] | None = None,
    cache: bool = True,
    cache_dir: PathLike | None = None,
    workers: int | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Read the headers of an mbox file (Gmail Takeout, Thunderbird, mboxo/mboxrd) into messages.

    Parameters
    ----------
    path : path or list of paths
        One mbox file, or several (a message seen in two files is kept once).
    me : str or list of str, optional
        The owner's addresses. When omitted they are inferred (see Notes).
    cache : bool, default True
        Reuse / store the parsed frame as Parquet, keyed by path, size, mtime and
        :data:`READER_VERSION`.
    cache_dir : path, optional
        Where the cache lives; default ``$NETANALYTICS_CACHE`` or ``~/.cache/netanalytics``.
    workers : int, optional
        Processes to parse with; default ``min(2, cpu_count)``. Files under 32 MB are
        parsed in-process.
    progress : bool, default False
        Show a progress bar (bytes of mbox, or message files) while parsing.

    Returns
    -------
    messages : DataFrame
        The ``messages`` frame (:data:`netanalytics.schema.MESSAGES`), one row per message.
    report : LoadReport
        Read / kept / skipped per file; ``notes["dates"]`` counts which source gave each
        timestamp, ``notes["me"]`` says how the owner was identified and on what evidence.

    Raises
    ------
    FormatError
        The file does not start with a ``From `` separator line.
    FileNotFoundError
        The path does not exist.

    Notes
    -----
    Only header blocks are parsed; bodies are skipped without being decoded. A ``From ``
    line starts a message only at the start of the file or after a blank line, and only
    when it carries an asctime date, so unescaped ``From `` lines in bodies do not split
    messages. Dates fall back from the Date header to the first Received header, then to
    the ``From_`` line, then to NaT. The owner is, in order: ``me``; the From of mail
    labelled or filed as Sent (any Gmail language); the Delivered-To / X-Original-To
    address; the most frequent participant. ``is_from_me`` is true when the sender is one
    of the owner's addresses or the message is labelled Sent. Gmail chat items are skipped.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> box = pathlib.Path(tempfile.mkdtemp()) / "mail.mbox"
    >>> _ = box.write_bytes(
    ...     b"From ann@x.org Mon Jan  6 10:00:00 2025\\n"
    ...     b"From: Ann Lee <ann@x.org>\\nTo: bob@y.org\\nDate: Mon, 6 Jan 2025 10:00:00 +0000\\n"
    ...     b"Message-ID: <1@x.org>\\nSubject: hi\\n\\nFrom the body, not a separator.\\n")
    >>> msgs, report = read_mbox(box, me="ann@x.org", cache=False)
    >>> msgs[["sender", "to", "is_from_me"]].to_dict("records")
    [{'sender': 'ann@x.org', 'to': ['bob@y.org'], 'is_from_me': True}]
    >>> report.read, report.kept
    (1, 1)
    """
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    n = _n_workers(workers)
    # GC paused throughout: the frame holds a few hundred thousand lists, and a full collection
    # triggered while it is assembled rescans all of them for nothing
    with gc_paused():
        parts = [_load_mbox(Path(p), cache, cache_dir, n) for p in paths]
        return assemble_parts(parts, me)


def _maildir_parts(root: Path, cache, cache_dir, workers: int):
    parts = []
    for name, folder_dir in _maildir_folders(root):
        items = _maildir_items(folder_dir)
        parts.append(_load_files(str(folder_dir), name, items, "maildir", cache, cache_dir, workers))
    return parts


@progress_option
def read_maildir(
    path: PathLike,
    *,
    me: str | Iterable[str] | None = None,
    cache: bool = True,
    cache_dir: PathLike | None = None,
    workers: int | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Read the headers of a Maildir (``cur/``, ``new/``; Maildir++ ``.Folder/`` subfolders).

    ``tmp/`` is ignored. Each folder gets its own entry in the report and its name in the
    ``folder`` column (``INBOX`` for the top level, ``Sent`` for ``.Sent/``). Parameters,
    returns and owner detection are as in :func:`read_mbox`.

    Raises
    ------
    FormatError
        The folder holds no ``cur/`` or ``new/`` directory anywhere.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for d in ("cur", "new", "tmp", ".Sent/cur"):
    ...     (root / d).mkdir(parents=True)
    >>> _ = (root / ".Sent/cur/1:2,S").write_bytes(
    ...     b"From: ann@x.org\\nTo: bob@y.org\\nDate: Mon, 6 Jan 2025 10:00:00 +0000\\n\\nbody\\n")
    >>> msgs, report = read_maildir(root, cache=False)
    >>> msgs[["folder", "sender", "is_from_me"]].to_dict("records")
    [{'folder': 'Sent', 'sender': 'ann@x.org', 'is_from_me': True}]
    >>> report.files[0].notes["me"]["rule"]
    'sent_label'
    """
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such Maildir folder.")
    if not _is_maildir(root):
        raise FormatError(
            f"{root}: not a Maildir: no cur/ or new/ folder inside. For a folder of .eml or "
            "Enron-style message files use read_eml or read_email."
        )
    return assemble_parts(_maildir_parts(root, cache, cache_dir, _n_workers(workers)), me)


def _eml_parts(paths: list[Path], cache, cache_dir, workers: int):
    groups: dict[Path, list[tuple[str, str]]] = {}
    parts = []
    for p in paths:
        if p.is_dir():
            mboxes, tree_groups, outlook = _tree(p)
            parts += _outlook_parts(outlook, cache, cache_dir, p)
            for m in mboxes:  # asked for message files: a From_ line first is tolerated
                tree_groups.setdefault(m.parent, []).append((str(m), m.name))
            for d, items in tree_groups.items():
                rel = d.relative_to(p)
                folder = p.name if str(rel) == "." else str(rel).replace(os.sep, "/")
                parts.append(_load_files(str(d), folder, items, "eml", cache, cache_dir, workers))
        elif p.is_file() and p.suffix.lower() in _OUTLOOK_SUFFIXES:
            parts += _outlook_parts([p], cache, cache_dir)
        elif p.is_file():
            groups.setdefault(p.parent, []).append((str(p), p.name))
        else:
            raise FileNotFoundError(f"{p}: no such message file or folder.")
    for d, items in groups.items():
        parts.append(_load_files(str(d), d.name, items, "eml", cache, cache_dir, workers))
    return parts


@progress_option
def read_eml(
    path_or_paths: PathLike | Iterable[PathLike],
    *,
    me: str | Iterable[str] | None = None,
    cache: bool = True,
    cache_dir: PathLike | None = None,
    workers: int | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Read the headers of RFC 5322 message files: one file, a list, or a folder tree.

    Folder trees such as the Enron corpus (``<user>/<folder>/<N>.``) are read recursively;
    the ``folder`` column holds the directory relative to the root, so ``sent`` /
    ``sent_items`` folders mark sent mail. Hidden files and obvious non-mail files
    (``.msf``, ``.json``, images...) are left out. Parameters, returns and owner detection
    are as in :func:`read_mbox`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "note.eml"
    >>> _ = f.write_bytes(b"From: =?UTF-8?Q?Zo=C3=AB?= <zoe@x.org>\\nTo: ann@y.org\\nSubject: x\\n\\nbody")
    >>> msgs, _ = read_eml(f, cache=False)
    >>> msgs.loc[0, "sender_name"], msgs.loc[0, "message_id"].startswith("synthetic-")
    ('Zoë', True)
    """
    paths = [path_or_paths] if isinstance(path_or_paths, (str, os.PathLike)) else list(path_or_paths)
    return assemble_parts(_eml_parts([Path(p) for p in paths], cache, cache_dir, _n_workers(workers)), me)


@progress_option
def read_email(
    path: PathLike | Iterable[PathLike],
    *,
    me: str | Iterable[str] | None = None,
    cache: bool = True,
    cache_dir: PathLike | None = None,
    workers: int | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Read any email store, deciding by what the path is.

    An Outlook data file (``.pst``, ``.ost``: :func:`netanalytics.io.read_pst`) or saved
    message (``.msg``: :func:`netanalytics.io.read_msg`); an mbox file (starts with a
    ``From `` line); any other file (one message); a Maildir or Maildir++ folder
    (``cur/``/``new/`` anywhere inside); any other folder tree, whose mbox files (``*.mbox``
    or files starting with a ``From `` line) are read as mbox, Outlook files by their
    readers and the rest as message files; an mbox or ``.pst`` of the tree that cannot be
    read is reported as not read (:attr:`FileReport.not_read`, with the reason) and the
    others load. A list of paths is read as one archive: a Message-ID seen again is kept
    once and counted as skipped ``duplicate Message-ID``.

    Parameters, returns and owner detection are as in :func:`read_mbox`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "Inbox.mbox").write_bytes(
    ...     b"From - Mon Jan  6 10:00:00 2025\\nFrom: bob@y.org\\nTo: ann@x.org\\nMessage-ID: <7@y>\\n\\n")
    >>> _ = (root / "Sent.mbox").write_bytes(
    ...     b"From - Mon Jan  6 11:00:00 2025\\nFrom: ann@x.org\\nTo: bob@y.org\\nIn-Reply-To: <7@y>\\n\\n")
    >>> msgs, report = read_email(root, cache=False)
    >>> msgs[["folder", "sender", "is_from_me", "thread_id"]].values.tolist()
    [['Inbox', 'bob@y.org', False, '7@y'], ['Sent', 'ann@x.org', True, '7@y']]
    >>> str(msgs.loc[1, "timestamp"])
    '2025-01-06 11:00:00+00:00'
    """
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    n = _n_workers(workers)
    parts = []
    for p in map(Path, paths):
        if p.is_file():
            if p.suffix.lower() in _OUTLOOK_SUFFIXES:
                parts += _outlook_parts([p], cache, cache_dir)
            elif _starts_like_mbox(p) or p.suffix.lower() == ".mbox":
                parts.append(_load_mbox(p, cache, cache_dir, n))
            else:
                parts.extend(_eml_parts([p], cache, cache_dir, n))
        elif p.is_dir():
            if _is_maildir(p):
                parts.extend(_maildir_parts(p, cache, cache_dir, n))
            else:
                mboxes, groups, outlook = _tree(p)
                parts.extend(_mbox_of_tree(m, cache, cache_dir, n) for m in mboxes)
                parts += _outlook_parts(outlook, cache, cache_dir, p)
                for d, items in groups.items():
                    rel = d.relative_to(p)
                    folder = p.name if str(rel) == "." else str(rel).replace(os.sep, "/")
                    parts.append(_load_files(str(d), folder, items, "eml", cache, cache_dir, n))
        else:
            raise FileNotFoundError(f"{p}: no such file or folder.")
    return assemble_parts(parts, me)
