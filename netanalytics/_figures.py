"""The report's figures: drawn in place, or each in a forked worker process while the report goes on."""

from __future__ import annotations

import base64
import io
import multiprocessing
import os
import re
import secrets
import sys
import traceback
from collections import deque
from collections.abc import Callable
from html import escape

from netanalytics.exceptions import NotDefinedError

__all__ = ["FigureDrawer", "can_fork", "default_workers", "render_figure"]

#: Networks with fewer interactions draw their figures in place by default: their figures take
#: a few hundredths of a second each, about what starting a worker costs.
PARALLEL_FROM = 20_000


def render_figure(draw: Callable, caption: str, size: tuple[float, float]) -> str:
    """Render ``draw(ax)`` to an embedded PNG; a failing figure becomes a one-line note.

    matplotlib's object API is used (no pyplot), so the report never touches global state.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=150, layout="constrained")
    FigureCanvasAgg(fig)  # a real canvas: label placement needs its renderer
    ax = fig.subplots()
    try:
        draw(ax)
    except NotDefinedError as exc:
        return f'<p class="muted">Figure not drawn: {escape(str(exc), quote=True)}</p>'
    buf = io.BytesIO()
    # zlib's fastest level: the same pixels, encoded in a fraction of the time, and no larger here
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'<figure><img alt="{escape(caption, quote=True)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def can_fork() -> bool:
    """Whether workers can be forked: they must inherit the computed frames, not rebuild them.

    Notes
    -----
    Only the fork start method lets a worker see the network and the metric results as they
    are, with nothing pickled. Windows has no fork; on macOS fork is unsafe with the system's
    frameworks (Python's default there is spawn), so both draw in place.
    """
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


def default_workers(n_interactions: int) -> int:
    """Worker processes for a report on a network with ``n_interactions`` rows: 1 means in place.

    Notes
    -----
    Two workers (fewer on a one-core machine) where fork is available and the network has at
    least :data:`PARALLEL_FROM` interactions; one (in place) otherwise.
    """
    if not can_fork() or n_interactions < PARALLEL_FROM:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


class WorkerTraceback(Exception):
    """The traceback of an error raised in a figure worker (the cause of the error raised here)."""


def _work(conn, draw: Callable, caption: str, size: tuple[float, float]) -> None:
    """In the worker: send back the figure's HTML, or the exception it raised and its traceback."""
    try:
        conn.send((True, render_figure(draw, caption, size)))
    except BaseException as exc:  # every error goes back to the report, raised there
        tb = f"raised in the figure worker {os.getpid()}:\n" + traceback.format_exc()
        try:
            conn.send((False, (exc, tb)))
        except Exception:  # the exception does not pickle: its type and message, as text
            conn.send((False, (RuntimeError(f"{type(exc).__name__}: {exc}"), tb)))
    finally:
        conn.close()


class FigureDrawer:
    """The figures of one report, each returned by :meth:`add` as a placeholder in its section.

    With ``workers`` > 1 each figure is drawn in its own forked worker process, started when the
    figure is added: it inherits the network and the results computed so far, and the report goes
    on (the next metrics, the text) while it draws. At most ``workers`` run at once. :meth:`fill`
    waits for them and puts each figure's HTML in place of its placeholder. With ``workers`` = 1
    (or no fork) each figure is drawn in place, when added.

    Use as a context manager: on leaving, workers still running (after an error) are stopped.
    """

    def __init__(self, workers: int):
        self.workers = workers if can_fork() else 1
        self._tag = secrets.token_hex(8)  # no name or subject in the page can spell a placeholder
        self._html: dict[int, str] = {}
        self._running: deque = deque()  # (key, process, connection), oldest first

    def __enter__(self) -> FigureDrawer:
        return self

    def __exit__(self, *exc_info) -> None:
        for _, proc, conn in self._running:
            if proc.is_alive():
                proc.terminate()
            proc.join()
            conn.close()
        self._running.clear()

    def add(self, draw: Callable, caption: str, size: tuple[float, float]) -> str:
        """Draw ``draw(ax)`` (here or in a worker); returns the figure's placeholder."""
        key = len(self._html) + len(self._running)
        if self.workers <= 1:
            self._html[key] = render_figure(draw, caption, size)
        else:
            while len(self._running) >= self.workers:
                self._collect()
            ctx = multiprocessing.get_context("fork")
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_work, args=(send, draw, caption, size), daemon=True)
            proc.start()
            send.close()
            self._running.append((key, proc, recv))
        return f"\x00figure {self._tag} {key}\x00"

    def _collect(self) -> None:
        """Wait for the oldest worker: keep its figure, or raise its error here."""
        key, proc, conn = self._running[0]
        try:
            ok, value = conn.recv()
        except EOFError:
            proc.join()
            raise RuntimeError(
                f"the figure worker {proc.pid} ended without a result (exit code {proc.exitcode}); "
                "draw the figures in place with workers=1"
            ) from None
        self._running.popleft()
        proc.join()
        conn.close()
        if not ok:
            exc, tb = value
            raise exc from WorkerTraceback(tb)
        self._html[key] = value

    def fill(self, text: str) -> str:
        """``text`` with every placeholder replaced by its figure's HTML (waits for the workers)."""
        while self._running:
            self._collect()
        return re.sub(f"\x00figure {self._tag} (\\d+)\x00", lambda m: self._html[int(m[1])], text)
