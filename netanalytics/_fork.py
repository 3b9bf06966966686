"""Work done in forked child processes while this one goes on: the report's metrics and figures,
and the loader's and identity resolution's independent steps."""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
import traceback
from collections.abc import Callable

__all__ = ["Children", "WorkerTraceback", "can_fork", "default_workers", "may_spawn", "may_start_processes"]


def can_fork() -> bool:
    """Whether workers can be forked: they must inherit the computed frames, not rebuild them.

    Notes
    -----
    Only the fork start method lets a worker see the network and the results computed so far
    as they are, with nothing pickled. Windows has no fork; on macOS fork is unsafe with the
    system's frameworks (Python's default there is spawn), so both work in place.
    """
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


def may_start_processes() -> bool:
    """False in a daemonic process (a ``multiprocessing.Pool`` worker), which may not start
    processes of its own ("daemonic processes are not allowed to have children")."""
    return not multiprocessing.current_process().daemon


def may_spawn() -> bool:
    """Whether a fresh Python process may take a part of a load's work (the similar-name search,
    :class:`netanalytics._namesearch.Searcher`): on two cores or more, where
    :func:`may_start_processes` says yes. Unlike a fork, a fresh process is safe while other
    threads run (in a Jupyter kernel) and shares no page of this process's heap."""
    return (os.cpu_count() or 1) > 1 and may_start_processes()


def default_workers() -> int:
    """Processes sharing a report's or a load's work by default: 2 where workers can be forked, else 1.

    Notes
    -----
    Measured on a 2-core machine at load average 6: the report of a 33-interaction network
    took 2.9-3.1 s wall with 2 processes against 3.7-4.2 s in place, the bundled sample
    (7,502 interactions) 5.1-5.3 s against 6.4-6.6 s, for 0.0-0.1 s more CPU; so there is no
    size below which drawing in place pays. 1 on a one-core machine or without fork, and 1
    when the calling process runs other threads (a Jupyter kernel does): a forked child holds
    only the forking thread, and a lock another thread held at that moment (the kernel's
    output stream, a logging handler) would never be released in it. 1 as well where
    :func:`may_start_processes` says no. ``workers=`` given explicitly is obeyed.
    """
    if not can_fork() or threading.active_count() > 1 or not may_start_processes():
        return 1
    return max(1, min(2, os.cpu_count() or 1))


class WorkerTraceback(Exception):
    """The traceback of an error raised in a forked worker (the cause of the error raised here)."""


def as_text(exc: BaseException) -> RuntimeError:
    """An error that may not pickle (a local class), as its type and message: what a worker sends."""
    return RuntimeError(f"{type(exc).__name__}: {exc}")


def _compute(conn, fns: list[Callable]) -> None:
    """In a worker: for each of ``fns`` in turn, send back ``(True, fn())``, or ``(False,
    (exception, traceback))``, as soon as it is computed."""
    try:
        for fn in fns:
            try:
                result = (True, fn())
            except Exception as exc:
                result = (False, (exc, f"raised in the worker {os.getpid()}:\n" + traceback.format_exc()))
            try:
                conn.send(result)
            except Exception as exc:  # a value or an exception that does not pickle: say which
                conn.send((False, (as_text(result[1][0] if not result[0] else exc), traceback.format_exc())))
    finally:
        conn.close()


class Children:
    """Forked workers of one piece of work: :meth:`compute` starts one; leaving the ``with``
    block stops any still running (after an error), so none outlives it.

    With ``workers`` = 1, or where fork is not available, nothing is forked and
    :meth:`compute` gives back the function itself, called when its value is asked for: the
    result is the same either way.
    """

    def __init__(self, workers: int, *, fix: str = "run in place with workers=1"):
        self.workers = workers if can_fork() else 1
        self._procs: list = []  # (process, connection)
        self._fix = fix  # what to do when a worker ends without a result

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        for proc, conn in self._procs:
            if proc.is_alive():
                proc.terminate()
            proc.join()
            conn.close()
        self._procs.clear()

    def compute(self, fn: Callable[[], object]) -> Callable[[], object]:
        """``fn()``, computed from now on in a new worker (with ``workers`` > 1); returns the
        function that waits for its value, pickled back. With ``workers`` = 1 it is ``fn``
        itself, called when the value is asked for (so ``fn`` must not read what this process
        changes meanwhile: bind its arguments, ``functools.partial``).

        An error ``fn`` raised is raised by the returned function, with the worker's traceback
        as its cause (as text, when the error does not pickle).
        """
        return self.compute_each([fn])[0]

    def compute_each(self, fns: list[Callable[[], object]]) -> list[Callable[[], object]]:
        """Each of ``fns``, computed in turn in one new worker (as :meth:`compute` does one):
        each value is sent back as soon as it is made, so the first may be used while the
        worker computes the next. One worker, not one each: each fork costs this process the
        call (7 ms for a 400 MB process on the machine of docs/performance.md) and then a fault
        and a copy of each page it writes while the worker lives (0.02-0.06 s a worker in a load
        of the namesake mailbox there). Returns the functions that wait for the values, in order."""
        if self.workers == 1:
            return list(fns)
        proc, conn = self.fork(_compute, list(fns))
        received: list = []  # what the worker sent, in order

        def waiter(i: int) -> Callable[[], object]:
            def value():
                while len(received) <= i:  # (asked again: the same answer)
                    received.append(self.receive(proc, conn))
                ok, got = received[i]
                if not ok:
                    exc, tb = got
                    raise exc from WorkerTraceback(tb)
                return got

            return value

        return [waiter(i) for i in range(len(fns))]

    def fork(self, target: Callable, work) -> tuple:
        """A worker running ``target(connection, work)``: its process and the connection to read."""
        ctx = multiprocessing.get_context("fork")
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=target, args=(send, work), daemon=True)
        # the worker's collections leave the inherited objects (and their pages) alone; a freeze
        # made by the caller is left as it is
        freeze = gc.get_freeze_count() == 0
        if freeze:
            gc.freeze()
        try:
            proc.start()
        finally:
            if freeze:
                gc.unfreeze()
        send.close()
        self._procs.append((proc, recv))
        return proc, recv

    def receive(self, proc, conn):
        """What the worker sent; a RuntimeError that says so when it ended without sending."""
        try:
            return conn.recv()
        except EOFError:
            proc.join()
            raise RuntimeError(
                f"the worker {proc.pid} ended without a result (exit code {proc.exitcode}); {self._fix}"
            ) from None
