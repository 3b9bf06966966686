"""Tests of netanalytics.report: escaping, section order, self-contained page, rendering in Chromium."""

import base64
import multiprocessing
import os
import re
import shutil
import subprocess
import threading
import time
from html.parser import HTMLParser

import pandas as pd
import pytest

import netanalytics as na
from netanalytics import plotting
from netanalytics import schema as S
from netanalytics._figures import FigureDrawer
from netanalytics._fork import Children, WorkerTraceback, can_fork, default_workers
from netanalytics.network import build_network
from netanalytics.report import SECTIONS, build_report, write_report

HOSTILE = "<script>alert(1)</script>"
HOSTILE_COMPANY = '<img src=x onerror="alert(2)">'
HOSTILE_SUBJECT = '"><script>alert(3)</script>'


def _hostile_network():
    """bo: a former weekly tie with a hostile name and company, dormant; ann active;
    eve wrote last week with a hostile subject and has no answer; the load report names a hostile file."""
    weekly = list(pd.date_range("2021-01-04", periods=20, freq="7D"))
    recent = ["2023-04-03", "2023-04-10", "2023-04-17", "2023-04-24", "2023-05-01"]
    inter = pd.DataFrame(
        {
            S.TIMESTAMP: weekly + recent + ["2023-04-28", "2021-03-01"] + ["2023-04-20"] * 6,
            S.PERSON_ID: ["bo"] * 20
            + ["ann"] * 5
            + ["eve", "cy"]
            + ["ann", "eve", "cy", "dan", "fay", "dan"],
            S.DIRECTION: ([S.OUT, S.IN] * 10)
            + [S.OUT, S.IN, S.OUT, S.IN, S.OUT]
            + [S.IN, S.OUT]
            + [S.OUT, S.OUT, S.OUT, S.IN, S.IN, S.OUT],
            S.MESSAGE_ID: [f"b{i}" for i in range(20)]
            + [f"a{i}" for i in range(5)]
            + ["e1", "c1"]
            + ["g1", "g1", "g1", "g2", "g3", "g4"],
            S.N_PARTICIPANTS: [2] * 27 + [4, 4, 4, 2, 2, 2],
        }
    )
    people = pd.DataFrame(
        {
            S.NAME: [HOSTILE, "Ann Lee", "Cy Ng", "Eve Oh", "Dan Ko", "Fay Wu"],
            S.COMPANY: [HOSTILE_COMPANY, "Initech", "Initech", "Initech", "Acme", "Acme"],
        },
        index=pd.Index(["bo", "ann", "cy", "eve", "dan", "fay"], name=S.PERSON_ID),
    )
    net = build_network(inter, people)
    net = net.with_frames(messages=pd.DataFrame({S.MESSAGE_ID: ["e1"], S.SUBJECT: [HOSTILE_SUBJECT]}))
    file = net.report.new_file("<b>contacts</b>.csv", "contacts.google")
    file.keep(2)
    file.skip("<i>no name</i>")
    return net


@pytest.fixture(scope="module")
def page():
    return build_report(_hostile_network(), figures=True)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_hostile_text_is_escaped(page):
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in page  # inside the reconnect reason
    assert "&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in page  # the owed reply's subject
    assert "&lt;b&gt;contacts&lt;/b&gt;.csv" in page and "&lt;i&gt;no name&lt;/i&gt;" in page
    tags = _tags(page)
    assert not [t for t, _ in tags if t == "script"]
    assert not [a for _, a in tags if any(k.startswith("on") for k in a)]
    assert {a.get("src", "")[:22] for t, a in tags if t == "img"} == {"data:image/png;base64,"}


def test_sections_in_order(page):
    positions = [page.index(f'<section id="{sid}">') for sid in SECTIONS]
    assert positions == sorted(positions)
    assert SECTIONS == (
        "health", "reconnect", "replies-owed", "one-sided", "layers", "channels", "communities", "load",
    )  # fmt: skip
    # the reasons come with the score, the hostile dormant tie is suggested with its reason
    health = page[positions[0] : positions[1]]
    assert "/ 100" in health and "people contacted in the last 365 days" in health
    # what the score is over, what it stands on, and what it cannot measure
    assert "<strong>over 7 of 8 components</strong>" in health
    assert "Data: email. Last 365 days: 7 sent and 5 received with 5 people (3 of them on group" in health
    assert "<strong>Low confidence:</strong> 7 messages sent in the last 365 days (fewer than 20);" in health
    assert '<td class="num" data-label="Points">not measurable</td>' in health
    assert "no layer-15/50 ties a year ago to compare" in health
    reconnect = page[positions[1] : positions[2]]
    assert "Former close tie" in reconnect and "&lt;script&gt;" in reconnect
    owed = page[positions[2] : positions[3]]
    assert "Eve Oh" in owed and "no answer yet" in owed


def test_figures_embedded_and_self_contained(page):
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 6  # health, dormancy map, reciprocity, layers, channel mix, network map
    assert all(base64.b64decode(img)[:8] == b"\x89PNG\r\n\x1a\n" for img in images)
    lowered = page.lower()
    for external in (
        'src="http',
        "src='http",
        'href="http',
        "url(",
        "<link",
        "@import",
        "<script",
        "<iframe",
    ):
        assert external not in lowered
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "default-src 'none'" in page  # the CSP forbids scripts even if escaping failed
    assert "img { max-width: 100%" in page and "overflow-x: auto" in page


def test_tables_only_and_write(tmp_path):
    net = _hostile_network()
    page = build_report(net, figures=False, as_of="2023-05-01")
    assert "data:image" not in page
    out = write_report(net, tmp_path / "r.html", figures=False, as_of="2023-05-01")
    assert out.read_text(encoding="utf-8") == page


def test_empty_network_still_renders():
    net = build_network(S.empty_frame(S.INTERACTIONS))
    page = build_report(net)
    assert page.count("Not defined for this data") == 6  # every metric section says why it is empty
    assert '<section id="load">' in page


def _chromium() -> str | None:
    return (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    )


_CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed (apt-get install -y chromium)")
def test_renders_in_headless_chromium_at_phone_width(tmp_path, page):
    html = tmp_path / "report.html"
    html.write_text(page, encoding="utf-8")
    png = tmp_path / "phone.png"
    subprocess.run(
        [
            _chromium(),
            *_CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={png}",
            "--window-size=390,1800",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000

    dom = subprocess.run(
        [
            _chromium(),
            *_CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile2'}",
            "--dump-dom",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        text=True,
    ).stdout
    assert '<section id="health">' in dom
    assert not [t for t, _ in _tags(dom) if t == "script"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


# --- figures drawn in worker processes (build_report's workers=) -----------------------------------

needs_fork = pytest.mark.skipif(not can_fork(), reason="workers are forked: no fork start method here")
# in place, and with a forked worker where fork is available
in_place_and_forked = pytest.mark.parametrize("workers", [1, pytest.param(2, marks=needs_fork)])


@needs_fork
@pytest.mark.parametrize("make", [_hostile_network, na.datasets.load_sample], ids=["hostile", "sample"])
def test_workers_draw_the_same_page_to_the_byte(make):
    in_place = build_report(make(), workers=1)
    in_workers = build_report(make(), workers=2)
    assert in_place.count("data:image/png;base64,") == 6
    assert in_workers == in_place


@needs_fork
def test_workers_share_the_figures_round_robin(tmp_path):
    def draw(ax):
        (tmp_path / f"{os.getpid()}.pid").write_text("")
        ax.plot([0, 1], [0, 1])

    with FigureDrawer(3) as drawer:
        text = drawer.fill("|".join(drawer.add(draw, f"fig {i}", (2, 2)) for i in range(5)))
    pids = {int(p.stem) for p in tmp_path.glob("*.pid")}
    assert len(pids) == 3 and os.getpid() in pids  # this process and two workers
    assert re.findall(r"<figcaption>(.*?)</figcaption>", text) == [f"fig {i}" for i in range(5)]
    assert text.count("|") == 4
    assert multiprocessing.active_children() == []


@needs_fork
def test_figures_started_early_are_drawn_by_their_own_worker_in_page_order(tmp_path):
    # start() hands the figures added since the last start to a new worker at once; fill()
    # shares the rest between this process and workers - 1 workers, as without start()
    def draw(i):
        def fig(ax):
            (tmp_path / f"{i}.pid").write_text(str(os.getpid()))
            ax.plot([0, 1], [0, i])

        return fig

    with FigureDrawer(2) as drawer:
        parts = [drawer.add(draw(i), f"fig {i}", (2, 2)) for i in range(2)]
        drawer.start()
        drawer.start()  # nothing added since: no worker
        parts.append(drawer.add(draw(2), "fig 2", (2, 2)))
        drawer.start()
        parts += [drawer.add(draw(i), f"fig {i}", (2, 2)) for i in range(3, 5)]
        text = drawer.fill("|".join(parts))
    pid = {i: int((tmp_path / f"{i}.pid").read_text()) for i in range(5)}
    assert pid[0] == pid[1] != os.getpid()  # the first worker
    assert pid[2] not in (pid[0], os.getpid())  # the second
    assert pid[3] == os.getpid() and pid[4] not in (pid[0], pid[2], os.getpid())  # fill: here and one more
    assert re.findall(r"<figcaption>(.*?)</figcaption>", text) == [f"fig {i}" for i in range(5)]
    assert multiprocessing.active_children() == []


def test_start_draws_nothing_early_in_place(tmp_path):
    def draw(ax):
        (tmp_path / f"{os.getpid()}.pid").write_text("")

    with FigureDrawer(1) as drawer:
        first = drawer.add(draw, "0", (2, 2))
        drawer.start()
        assert list(tmp_path.glob("*.pid")) == []  # waits for fill
        text = drawer.fill(first + drawer.add(draw, "1", (2, 2)))
    assert [int(p.stem) for p in tmp_path.glob("*.pid")] == [os.getpid()]
    assert text.count("<figure>") == 2


def _failing(message):
    """A figure that raises ValueError(message)."""

    def draw(ax):
        raise ValueError(message)

    return draw


@needs_fork
def test_an_error_in_a_figure_started_early_is_raised_in_page_order():
    with FigureDrawer(2) as drawer, pytest.raises(ValueError, match="^early$") as info:
        early = drawer.add(lambda ax: None, "0", (2, 2)) + drawer.add(_failing("early"), "1", (2, 2))
        drawer.start()
        drawer.fill(early + drawer.add(_failing("late"), "2", (2, 2)))
    assert isinstance(info.value.__cause__, WorkerTraceback)
    assert multiprocessing.active_children() == []


@needs_fork
def test_a_freeze_made_by_the_caller_is_left_as_it_is():
    import gc

    gc.freeze()
    try:
        with FigureDrawer(2) as drawer:
            drawer.fill(drawer.add(lambda ax: None, "0", (2, 2)) + drawer.add(lambda ax: None, "1", (2, 2)))
        assert gc.get_freeze_count() > 0  # not unfrozen (a few frozen objects may have been freed)
    finally:
        gc.unfreeze()
    with FigureDrawer(2) as drawer:
        drawer.fill(drawer.add(lambda ax: None, "0", (2, 2)) + drawer.add(lambda ax: None, "1", (2, 2)))
    assert gc.get_freeze_count() == 0


@needs_fork
def test_the_first_failing_figure_in_page_order_is_raised():
    with FigureDrawer(2) as drawer, pytest.raises(ValueError, match="^second$") as info:
        drawer.fill(
            drawer.add(lambda ax: None, "0", (2, 2))
            + drawer.add(_failing("second"), "1", (2, 2))
            + drawer.add(_failing("third"), "2", (2, 2))
        )
    assert isinstance(info.value.__cause__, WorkerTraceback)  # figure 1: the worker's
    with FigureDrawer(2) as drawer, pytest.raises(ValueError, match="^first$") as info:
        drawer.fill(drawer.add(_failing("first"), "0", (2, 2)) + drawer.add(_failing("second"), "1", (2, 2)))
    assert info.value.__cause__ is None  # figure 0: drawn here
    assert multiprocessing.active_children() == []


@needs_fork
def test_the_page_order_is_the_order_of_the_placeholders_not_of_adding():
    # build_report adds the reconnect figure after those of later sections; a failure is still
    # raised in the order the figures stand on the page
    with FigureDrawer(2) as drawer, pytest.raises(ValueError, match="^on the page first$"):
        later = drawer.add(_failing("added first"), "0", (2, 2))
        drawer.start()
        first = drawer.add(_failing("on the page first"), "1", (2, 2))
        drawer.fill(first + later)
    with FigureDrawer(2) as drawer:
        later = drawer.add(lambda ax: ax.plot([0, 1], [0, 1]), "added first", (2, 2))
        drawer.start()
        first = drawer.add(lambda ax: ax.plot([0, 1], [1, 0]), "on the page first", (2, 2))
        text = drawer.fill(first + "|" + later)
    assert re.findall(r"<figcaption>(.*?)</figcaption>", text) == ["on the page first", "added first"]
    assert multiprocessing.active_children() == []


class _LocalError(Exception):
    """Raised by a figure; pickles (a module-level class)."""


@in_place_and_forked
def test_a_figure_error_is_raised_with_its_message_and_no_worker_is_left(monkeypatch, workers):

    def broken(*args, **kwargs):
        raise _LocalError("layers cannot be drawn: ring 3 is empty")

    monkeypatch.setattr(plotting, "plot_layers", broken)
    with pytest.raises(_LocalError, match=r"^layers cannot be drawn: ring 3 is empty$") as info:
        build_report(_hostile_network(), workers=workers)
    assert multiprocessing.active_children() == []
    if workers > 1:  # the worker's traceback comes along as the cause
        assert isinstance(info.value.__cause__, WorkerTraceback)
        assert ", in broken\n" in str(info.value.__cause__)


@needs_fork
def test_an_error_that_does_not_pickle_comes_back_as_its_type_and_message():
    class Unpicklable(Exception):
        """A local class: pickle cannot find it by name."""

    def draw(ax):
        raise Unpicklable("no way back")

    with FigureDrawer(2) as drawer, pytest.raises(RuntimeError, match=r"^Unpicklable: no way back$"):
        drawer.fill(drawer.add(lambda ax: None, "here", (2, 2)) + drawer.add(draw, "in the worker", (2, 2)))
    assert multiprocessing.active_children() == []


@needs_fork
def test_a_worker_that_dies_is_reported_with_its_exit_code():
    with (
        FigureDrawer(2) as drawer,
        pytest.raises(RuntimeError, match=r"ended without a result \(exit code 3\)"),
    ):
        drawer.fill(
            drawer.add(lambda ax: None, "here", (2, 2)) + drawer.add(lambda ax: os._exit(3), "x", (2, 2))
        )
    assert multiprocessing.active_children() == []


@needs_fork
def test_compute_runs_in_a_worker_from_the_start_and_returns_its_value():
    with FigureDrawer(2) as drawer:
        value = drawer.compute(lambda: (os.getpid(), pd.DataFrame({"a": [1, 2]}, index=["x", "y"])))
        pid, frame = value()
        assert value()[0] == pid  # asked again: the same answer, not a second wait
    assert pid != os.getpid()
    pd.testing.assert_frame_equal(frame, pd.DataFrame({"a": [1, 2]}, index=["x", "y"]))
    assert multiprocessing.active_children() == []


def test_compute_in_place_runs_when_the_value_is_asked_for():
    calls = []
    with FigureDrawer(1) as drawer:
        value = drawer.compute(lambda: calls.append(os.getpid()) or len(calls))
        assert calls == []
        assert value() == 1
    assert calls == [os.getpid()]


@needs_fork
def test_an_error_in_compute_is_raised_with_the_workers_traceback():
    def broken():
        raise _LocalError("no reciprocity today")

    with FigureDrawer(2) as drawer, pytest.raises(_LocalError, match="^no reciprocity today$") as info:
        drawer.compute(broken)()
    assert isinstance(info.value.__cause__, WorkerTraceback)
    assert ", in broken\n" in str(info.value.__cause__)
    with (
        FigureDrawer(2) as drawer,
        pytest.raises(RuntimeError, match=r"^(AttributeError|PicklingError): .*local object"),
    ):
        drawer.compute(lambda: lambda: None)()  # a value that does not pickle: its error, as text
    assert multiprocessing.active_children() == []


@needs_fork
def test_compute_each_sends_each_value_as_soon_as_it_is_made_from_one_worker(tmp_path):
    gate = tmp_path / "go"  # the second function waits until the first value has been read here

    def second():  # (None when the first value was not sent before it: the test fails, not hangs)
        deadline = time.monotonic() + 20
        while not gate.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return os.getpid() if gate.exists() else None

    def broken():
        raise _LocalError("the third fails alone")

    with Children(2) as children:
        first_later, second_later, third_later = children.compute_each([os.getpid, second, broken])
        first = first_later()
        gate.touch()
        assert second_later() == first != os.getpid()  # one worker computed both
        with pytest.raises(_LocalError, match="^the third fails alone$"):
            third_later()
        assert first_later() == first  # asked again: the same answer
    assert multiprocessing.active_children() == []


def test_compute_each_in_place_calls_each_when_its_value_is_asked_for():
    calls = []
    with Children(1) as children:
        later = children.compute_each([lambda: calls.append("a") or "a", lambda: calls.append("b") or "b"])
        assert calls == []
        assert later[1]() == "b" and later[0]() == "a"
    assert calls == ["b", "a"]


def _metric_module(name):
    import importlib

    return importlib.import_module(f"netanalytics.metrics.{name}")


@in_place_and_forked
def test_an_error_in_a_metric_computed_by_the_worker_is_raised(monkeypatch, workers):

    def broken(*args, **kwargs):
        raise _LocalError("tie strength broke")

    monkeypatch.setattr(_metric_module("strength"), "tie_strength", broken)
    with pytest.raises(_LocalError, match="^tie strength broke$") as info:
        build_report(_hostile_network(), workers=workers)
    assert isinstance(info.value.__cause__, WorkerTraceback) == (workers > 1)
    assert multiprocessing.active_children() == []


@needs_fork
def test_a_metric_not_defined_in_the_worker_is_shown_in_its_section_as_in_place(monkeypatch):
    from netanalytics.exceptions import NotDefinedError

    def undefined(*args, **kwargs):
        raise NotDefinedError("no tie has two channels")

    monkeypatch.setattr(_metric_module("channels"), "channel_mix", undefined)
    net = _hostile_network()
    page = build_report(net, workers=2)
    assert page == build_report(net, workers=1)
    assert "Not defined for this data: no tie has two channels" in page


@in_place_and_forked
def test_a_network_built_from_no_interactions_reports_each_section_as_not_defined(workers):
    empty = pd.DataFrame(
        {
            "timestamp": pd.Series([], dtype="datetime64[ns, UTC]"),
            "person_id": pd.Series([], dtype=object),
            "direction": pd.Series([], dtype=object),
        }
    )
    net = build_network(empty)  # the default ids and roles of no rows are text, not float
    assert len(net.interactions) == 0 and net.interactions[S.THREAD_ID].dtype == "str"
    page = build_report(net, workers=workers)
    assert page.count("Not defined for this data") == 6
    assert multiprocessing.active_children() == []


@needs_fork
def test_warm_up_draws_one_figure_per_process_and_none_in_place(monkeypatch):
    from matplotlib.figure import Figure

    from netanalytics import _figures

    saved = []
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: saved.append(self))
    _figures._warm_up.cache_clear()
    try:
        FigureDrawer(1).warm_up()  # drawing in place: the report's own first figure warms up
        assert saved == []
        with FigureDrawer(2) as drawer:
            drawer.warm_up()
            drawer.warm_up()
        FigureDrawer(2).warm_up()
        assert len(saved) == 1 and saved[0].axes[0].get_xscale() == "log"  # once, with log axes
    finally:
        _figures._warm_up.cache_clear()


def test_workers_below_one_are_refused():
    with pytest.raises(ValueError, match=r"workers=0; give 1 \(draw in place\) or more"):
        build_report(_hostile_network(), workers=0)


def test_default_workers_two_where_fork_is_available():
    assert threading.active_count() == 1
    assert default_workers() == (min(2, os.cpu_count() or 1) if can_fork() else 1)


def test_loading_with_progress_bars_leaves_no_thread_behind():
    # tqdm starts a monitor thread with its first bar (even a disabled one) unless told not to;
    # one left running would make the report draw its figures in place (default_workers)
    from netanalytics.datasets.sample import load_sample

    before = threading.active_count()
    load_sample(cache=False, progress=True)
    assert threading.active_count() == before


def test_default_workers_one_in_a_daemonic_process():
    # a multiprocessing.Pool worker is daemonic: it may not start a process of its own
    with multiprocessing.Pool(1) as pool:
        assert pool.apply(default_workers) == 1
    assert default_workers() == (min(2, os.cpu_count() or 1) if can_fork() else 1)


def test_default_workers_one_while_other_threads_run():
    # a Jupyter kernel runs threads: forking it could leave a child waiting on a lock forever
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert default_workers() == 1
    finally:
        release.set()
        thread.join()
    assert default_workers() == (min(2, os.cpu_count() or 1) if can_fork() else 1)
