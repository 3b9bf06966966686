"""The report's figures: drawn in place, or each in a forked worker process while the report goes on."""

from __future__ import annotations

import base64
import functools
import io
import os
import re
import secrets
import traceback
from collections.abc import Callable
from html import escape

from netanalytics._fork import Children, WorkerTraceback, as_text
from netanalytics.exceptions import NotDefinedError

__all__ = ["FigureDrawer", "render_figure"]


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


def _draw_all(jobs: list, where: str) -> list:
    """Each job's ``(True, html)``; at the first error ``(False, (exception, traceback))``, then None."""
    out: list = [None] * len(jobs)
    for i, (draw, caption, size) in enumerate(jobs):
        try:
            out[i] = (True, render_figure(draw, caption, size))
        except Exception as exc:  # raised by build_report in the figures' order
            out[i] = (False, (exc, f"raised {where}:\n" + traceback.format_exc()))
            break
    return out


def _work(conn, jobs: list) -> None:
    """In a worker: draw ``jobs`` and send back their HTML, or the error one raised."""
    try:
        results = _draw_all(jobs, f"in the figure worker {os.getpid()}")
        try:
            conn.send(results)
        except Exception:  # an exception that does not pickle
            conn.send([r if r is None or r[0] else (False, (as_text(r[1][0]), r[1][1])) for r in results])
    finally:
        conn.close()


@functools.cache
def _warm_up() -> None:
    """Draw a small figure with log axes, a legend and boxed text, once per process (a forked
    worker inherits the call as made): a process's first figure loads fonts and builds the
    mathtext parser of log-axis labels, about 0.1 s that each worker would pay again."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1.5, 1.5), dpi=40, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.scatter([1, 100], [1, 100], label="a")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_title("t")
    ax.text(1, 1, "x", bbox={"fc": "white"})
    ax.legend(title="t")
    fig.savefig(io.BytesIO(), format="png", pil_kwargs={"compress_level": 1})


class FigureDrawer(Children):
    """The figures of one report: :meth:`add` returns a placeholder, :meth:`fill` draws them all.

    With ``workers`` = N > 1, :meth:`start` forks a worker that draws the figures added since
    the last start while the report goes on computing (the worker inherits what they need,
    nothing is pickled), and :meth:`fill` shares the figures not started between this process
    and N - 1 workers forked then: of those, the 1st, (N+1)th, ... are drawn here and the
    (k+1)th, (k+N+1)th, ... in worker k; each worker sends back its figures' HTML. With
    ``workers`` = 1 (or no fork) every figure is drawn here, by :meth:`fill`.

    :meth:`compute` (of :class:`~netanalytics._fork.Children`) runs other work of the report in
    a worker meanwhile (one that returns a value, pickled back).

    Use as a context manager: on leaving, workers still running (after an error) are stopped.
    """

    def __init__(self, workers: int):
        super().__init__(workers, fix="build the report in place with workers=1")
        self._tag = secrets.token_hex(8)  # no name or subject in the page can spell a placeholder
        self._jobs: list = []  # (draw, caption, size), in the page's order
        self._started: list = []  # (the jobs' places, process, connection) of the workers started

    def add(self, draw: Callable, caption: str, size: tuple[float, float]) -> str:
        """Keep ``draw(ax)`` to be drawn by :meth:`fill`; returns the figure's placeholder."""
        self._jobs.append((draw, caption, size))
        return f"\x00figure {self._tag} {len(self._jobs) - 1}\x00"

    def start(self) -> None:
        """Start drawing the figures added since the last start in a new worker, now (with
        ``workers`` > 1; else they wait for :meth:`fill`)."""
        places = self._not_started()
        if self.workers > 1 and places:
            self._started.append((places, *self.fork(_work, [self._jobs[i] for i in places])))

    def warm_up(self) -> None:
        """With workers: draw one small figure in this process (once per process, see
        :func:`_warm_up`), so that the workers forked afterwards inherit what a first figure
        loads rather than each paying for it."""
        if self.workers > 1:
            _warm_up()

    def _not_started(self) -> list[int]:
        """The places of the figures added since the last worker started (all, before one)."""
        first = self._started[-1][0][-1] + 1 if self._started else 0
        return list(range(first, len(self._jobs)))

    def fill(self, text: str) -> str:
        """``text`` with every placeholder replaced by its figure's HTML.

        The first figure in the page's order (the order of the placeholders in ``text``) that
        fails raises its error here, with its message; from a worker, with the worker's
        traceback as its cause.
        """
        rest = self._not_started()
        n = max(1, min(self.workers, len(rest)))
        workers = [(rest[k::n], *self.fork(_work, [self._jobs[i] for i in rest[k::n]])) for k in range(1, n)]
        results: list = [None] * len(self._jobs)
        here = rest[0::n]
        for i, result in zip(here, _draw_all([self._jobs[i] for i in here], "here")):
            results[i] = result
        for places, proc, conn in self._started + workers:
            for i, result in zip(places, self.receive(proc, conn)):
                results[i] = result
        here = set(here)
        placeholder = f"\x00figure {self._tag} (\\d+)\x00"
        # the figures in the page's order (the order their placeholders stand in ``text``, which
        # need not be the order they were added in), then any not in it
        in_page = [int(m[1]) for m in re.finditer(placeholder, text)]
        for k in in_page + sorted(set(range(len(results))) - set(in_page)):
            if results[k] is None:
                continue  # not drawn: an earlier figure of its process failed, and is raised
            ok, value = results[k]
            if not ok:
                exc, tb = value
                if k in here:
                    raise exc
                raise exc from WorkerTraceback(tb)
        html = [value for _, value in results]
        return re.sub(placeholder, lambda m: html[int(m[1])], text)
