"""Tests of netanalytics.plotting: the Axes contract and what each figure draws."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, QuadMesh
from matplotlib.colors import to_hex

from netanalytics import plotting as P
from netanalytics import schema as S
from netanalytics.exceptions import SchemaError
from netanalytics.network import build_network


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _people(**rows):
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=[S.NAME, S.COMPANY])
    frame.index.name = S.PERSON_ID
    return frame


@pytest.fixture
def net():
    """Six alters: ann+bob share messages (Acme), cy+dee share messages (Initech), eve and fay alone."""
    rows = []
    t0 = pd.Timestamp("2024-01-01 09:00", tz="UTC")
    for k in range(6):  # three-person messages: me, ann, bob
        rows.append((t0 + pd.Timedelta(days=7 * k), "ann", "out", f"ab{k}", 3, "email"))
        rows.append((t0 + pd.Timedelta(days=7 * k), "bob", "out", f"ab{k}", 3, "email"))
    for k in range(3):
        rows.append((t0 + pd.Timedelta(days=30 * k), "cy", "out", f"cd{k}", 3, "email"))
        rows.append((t0 + pd.Timedelta(days=30 * k), "dee", "out", f"cd{k}", 3, "email"))
    for k in range(4):
        rows.append((t0 + pd.Timedelta(days=10 * k, hours=2), "ann", "in", f"a{k}", 2, "email"))
    rows.append((t0 + pd.Timedelta(days=3), "ann", "out", "meet1", 2, "meeting"))
    rows.append((t0 + pd.Timedelta(days=40), "eve", "out", "e1", 2, "linkedin"))
    rows.append((t0 + pd.Timedelta(days=90), "fay", "in", "f1", 2, "email"))
    inter = pd.DataFrame(
        rows, columns=[S.TIMESTAMP, S.PERSON_ID, S.DIRECTION, S.MESSAGE_ID, S.N_PARTICIPANTS, S.CHANNEL]
    )
    people = _people(
        ann=["Ann Lee", "Acme"],
        bob=["Bob Roy", "Acme"],
        cy=["Cy Ng", "Initech"],
        dee=["Dee Fox", "Initech"],
        eve=["Eve Kim", None],
        fay=["Fay Wu", None],
    )
    endorsements = pd.DataFrame(
        {
            S.DIRECTION: [S.GIVEN, S.RECEIVED],
            S.TIMESTAMP: pd.to_datetime(["2024-01-20", "2024-02-10"], utc=True),
            S.SKILL: ["Python", "SQL"],
            S.FIRST_NAME: ["Ann", "Ann"],
            S.LAST_NAME: ["Lee", "Lee"],
            S.LINKEDIN_URL: [None, None],
            S.STATUS: ["ACCEPTED", "ACCEPTED"],
            S.PERSON_ID: ["ann", "ann"],
        }
    )
    invitations = pd.DataFrame(
        {
            S.DIRECTION: [S.IN],
            S.TIMESTAMP: pd.to_datetime(["2023-12-15"], utc=True),
            S.NAME: ["Ann Lee"],
            S.LINKEDIN_URL: [None],
            S.HAS_MESSAGE: [False],
            S.PERSON_ID: ["ann"],
        }
    )
    return build_network(inter, people, endorsements=endorsements, invitations=invitations)


def _points(ax) -> int:
    return sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))


def _no_overlap(ax, texts) -> bool:
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    return not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


# --- the Axes contract, for every function ------------------------------------------------------


def _calls(net):
    dorm = pd.DataFrame(
        {S.TYPICAL_GAP_DAYS: [7.0], S.DAYS_SINCE: [3.0], S.STATE: [S.ACTIVE]},
        index=pd.Index(["ann"], name=S.PERSON_ID),
    )
    recip = pd.DataFrame(
        {S.SENT: [3], S.RECEIVED: [1], S.ONE_SIDED: [False]}, index=pd.Index(["ann"], name=S.PERSON_ID)
    )
    lat = pd.DataFrame({S.PERSON_ID: ["ann"], S.DIRECTION: [S.MINE], S.HOURS: [2.0]})
    report = SimpleNamespace(
        score=50.0,
        components=pd.DataFrame(
            {S.COMPONENT: ["size"], S.VALUE: [3.0], S.WEIGHT: [100.0], S.POINTS: [50.0], S.REASON: [""]}
        ),
    )
    hist = pd.DataFrame({S.SCORE: [50.0]}, index=pd.to_datetime(["2024-03-31"], utc=True))
    layers = pd.DataFrame({S.LAYER: pd.array([5], dtype="Int64")})
    return {
        "network_map": lambda ax: P.plot_network_map(net, ax=ax),
        "dormancy_map": lambda ax: P.plot_dormancy_map(dorm, ax=ax),
        "reciprocity": lambda ax: P.plot_reciprocity(recip, ax=ax),
        "reply_latency": lambda ax: P.plot_reply_latency(lat, ax=ax),
        "activity_calendar": lambda ax: P.plot_activity_calendar(net.interactions, ax=ax),
        "timeline": lambda ax: P.plot_timeline(net, "ann", ax=ax),
        "health": lambda ax: P.plot_health(report, ax=ax),
        "health_history": lambda ax: P.plot_health_history(hist, ax=ax),
        "layers": lambda ax: P.plot_layers(layers, ax=ax),
        "channel_mix": lambda ax: P.plot_channel_mix(net, ax=ax),
    }


@pytest.mark.parametrize("name", list(_calls(None)))
def test_returns_the_axes_it_was_given_and_draws_only_there(net, name):
    _fig, (ax, other) = plt.subplots(1, 2)
    assert _calls(net)[name](ax) is ax
    assert ax.has_data() or ax.texts or ax.patches
    assert not other.has_data() and not other.texts and not other.get_title()


@pytest.mark.parametrize("name", list(_calls(None)))
def test_draws_on_current_axes_when_none_given(net, name):
    _fig, ax = plt.subplots()
    assert _calls(net)[name](None) is ax
    assert len(plt.get_fignums()) == 1


def test_all_public_functions_are_tested():
    tested = {f"plot_{n}" for n in _calls(None)}
    assert tested == {n for n in P.__all__ if n.startswith("plot_")}


# --- 1. network map ----------------------------------------------------------------------------


def test_network_map_draws_ego_and_every_alter_coloured_by_circle(net):
    ax = P.plot_network_map(net)
    assert _points(ax) == 6 + 1
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        "me",
        "circle 1: Acme (2)",
        "circle 2: Initech (2)",
        "no shared messages (2)",
        "shared messages",
    ]
    assert ax.get_title() == "Network map: 6 people in 2 circles"
    colours = {to_hex(c.get_facecolor()[0]) for c in ax.collections if isinstance(c, PathCollection)}
    assert {
        P.OKABE_ITO["blue"].lower(),
        P.OKABE_ITO["orange"].lower(),
        P.OKABE_ITO["grey"].lower(),
    } <= colours


def test_network_map_draws_the_strongest_ties_and_says_how_many_are_left_out(net):
    from matplotlib.collections import LineCollection

    ids = ["ann", "bob", "cy", "dee", "eve", "fay"]
    strength = pd.DataFrame(
        {S.STRENGTH: [0.9, 0.5, 0.4, 0.3, 0.2, 0.0]}, index=pd.Index(ids, name=S.PERSON_ID)
    )
    ax = P.plot_network_map(net, strength=strength, max_people=3, top_labels=0)
    assert _points(ax) == 3 + 1
    # ann and bob share messages (a circle); cy's partner dee is not drawn
    assert ax.get_title() == "Network map: 3 people in 1 circle\n(the 3 strongest ties; 3 more not drawn)"
    # edges and spokes are one collection each, whatever their number
    edges, spokes = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert not ax.lines
    assert len(edges.get_segments()) == 1  # ann-bob
    assert len(spokes.get_segments()) == 3


def test_labels_keep_off_the_legend():
    # a labelled point right under the legend (as a one-sided tie near the top left can be)
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot([0, 10], [0, 10], label="a line with a long legend entry")
    ax.scatter([1.5], [9.2], label="points")
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.legend(loc="upper left")
    (text,) = P._place_labels(ax, [1.5], [9.2], ["Sofia Sullivan"])
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert not text.get_window_extent(renderer).overlaps(ax.get_legend().get_window_extent(renderer))
    assert ax.get_window_extent(renderer).contains(*text.get_window_extent(renderer).p0)
    plt.close(fig)


def test_network_map_labels_only_the_top_ties_without_overlap(net):
    strength = pd.DataFrame(
        {S.STRENGTH: [0.9, 0.8, 0.7, 0.1, 0.05, 0.0]},
        index=pd.Index(["ann", "bob", "cy", "dee", "eve", "fay"], name=S.PERSON_ID),
    )
    ax = P.plot_network_map(net, strength=strength, top_labels=3)
    assert sorted(t.get_text() for t in ax.texts) == ["Ann Lee", "Bob Roy", "Cy Ng"]
    assert _no_overlap(ax, ax.texts)


def test_network_map_legend_stays_inside_a_wide_report_figure():
    # the report draws the map at 9 x 5.6 in; the equal-aspect disc used to sit in the middle of
    # its box and push the legend 16 px past the figure's right edge (its last characters cut)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from netanalytics.datasets import load_sample

    fig = Figure(figsize=(9.0, 5.6), dpi=150, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    P.plot_network_map(load_sample(), ax=ax)
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent(fig.canvas.get_renderer())
    assert 0 <= legend.x0 and legend.x1 <= fig.bbox.width


def test_network_map_puts_stronger_ties_closer_to_me(net):
    ids = ["ann", "bob", "cy", "dee", "eve", "fay"]
    strength = pd.DataFrame(
        {S.STRENGTH: [0.9, 0.5, 0.4, 0.3, 0.2, 0.0]}, index=pd.Index(ids, name=S.PERSON_ID)
    )
    ax = P.plot_network_map(net, strength=strength, top_labels=0)
    radii = sorted(
        round(float(np.hypot(x, y)), 3)
        for c in ax.collections
        if isinstance(c, PathCollection)
        for x, y in c.get_offsets()
    )
    # me at 0; r = 1 - 0.85 * percentile rank of strength; no contact (fay) on the rim
    assert radii == [0.0, 0.15, 0.292, 0.433, 0.575, 0.717, 1.0]
    assert not ax.texts


def test_network_map_rejects_a_frame_without_strength(net):
    with pytest.raises(SchemaError, match="no 'strength' column"):
        P.plot_network_map(net, strength=pd.DataFrame({"x": [1]}))


# --- 2. dormancy map --------------------------------------------------------------------------


@pytest.fixture
def dorm():
    return pd.DataFrame(
        {
            S.TYPICAL_GAP_DAYS: [7.0, 30.0, 20.0, 60.0, 14.0, np.nan],
            S.DAYS_SINCE: [3.0, 50.0, 400.0, 1200.0, 0.0, 10.0],
            S.STATE: [S.ACTIVE, S.COOLING, S.DORMANT, S.LONG_DORMANT, S.ACTIVE, S.COOLING],
        },
        index=pd.Index(["ann", "bob", "cy", "dee", "eve", "fay"], name=S.PERSON_ID),
    )


def test_dormancy_map_is_log_log_and_coloured_by_state(dorm):
    ax = P.plot_dormancy_map(dorm)
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    by_colour = {to_hex(c.get_facecolor()[0]): len(c.get_offsets()) for c in ax.collections}
    assert by_colour == {
        P.STATE_COLORS[S.ACTIVE].lower(): 2,
        P.STATE_COLORS[S.COOLING].lower(): 1,
        P.STATE_COLORS[S.DORMANT].lower(): 1,
        P.STATE_COLORS[S.LONG_DORMANT].lower(): 1,
    }
    assert (
        ax.get_title()
        == "Dormancy map: 5 ties with a rhythm\n(1 without a rhythm, under 3 contact days, not shown)"
    )
    assert "days since last contact" in ax.get_ylabel() and "typical gap" in ax.get_xlabel()
    # zero days since is drawn at half a day, not lost on the log axis
    active = next(
        c for c in ax.collections if to_hex(c.get_facecolor()[0]) == P.STATE_COLORS[S.ACTIVE].lower()
    )
    assert sorted(active.get_offsets()[:, 1].tolist()) == [0.5, 3.0]


def test_dormancy_map_draws_the_1x_and_2x_overdue_diagonals(dorm):
    ax = P.plot_dormancy_map(dorm)
    slopes = {}
    for line in ax.get_lines():
        x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        if len(x) > 2:
            slopes[line.get_label()] = np.round(y / x, 6)
    assert set(slopes["overdue: silence = typical gap"]) == {1.0}
    assert set(slopes["2 × typical gap"]) == {2.0}


def test_dormancy_map_labels_reconnect_candidates_by_name(dorm):
    rec = pd.DataFrame(
        {S.NAME: ["Cy Ng", "Dee Fox", "Fay Wu"]}, index=pd.Index(["cy", "dee", "fay"], name=S.PERSON_ID)
    )
    ax = P.plot_dormancy_map(dorm, reconnect=rec)
    names = [t.get_text() for t in ax.texts if t.get_text() in {"Cy Ng", "Dee Fox", "Fay Wu"}]
    assert sorted(names) == ["Cy Ng", "Dee Fox"]  # fay has no rhythm, so she is not drawn
    assert "reconnect candidate (2)" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert _no_overlap(ax, [t for t in ax.texts if t.get_text() in names])


def test_dormancy_map_wants_reconnect_indexed_by_person_id(dorm):
    rec = pd.DataFrame({S.PERSON_ID: ["cy"], S.NAME: ["Cy Ng"]})
    with pytest.raises(SchemaError, match="indexed by None, not 'person_id'.*netanalytics.reconnect"):
        P.plot_dormancy_map(dorm, reconnect=rec)


def test_dormancy_map_names_the_missing_column():
    with pytest.raises(SchemaError, match="no 'state' column.*netanalytics.dormancy"):
        P.plot_dormancy_map(pd.DataFrame({S.TYPICAL_GAP_DAYS: [1.0], S.DAYS_SINCE: [1.0]}))


# --- 3. reciprocity ------------------------------------------------------------------------------


@pytest.fixture
def recip():
    ids = ["ann", "bob", "cy", "dee", "eve", "fay"]
    return pd.DataFrame(
        {
            S.SENT: [20, 1, 5, 12, 0, 0],
            S.RECEIVED: [2, 15, 5, 1, 0, 30],
            S.ONE_SIDED: [True, True, False, True, False, True],
        },
        index=pd.Index(ids, name=S.PERSON_ID),
    )


def test_reciprocity_is_log_log_with_balance_diagonal(recip):
    ax = P.plot_reciprocity(recip)
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    balance = next(ln for ln in ax.get_lines() if ln.get_label() == "balanced (sent = received)")
    assert np.allclose(balance.get_xdata(), balance.get_ydata())
    assert _points(ax) == 5  # eve has no message either way
    assert ax.get_title() == "Reciprocity: 5 ties, 4 one-sided\n(1 without direct messages not shown)"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:3] == ["balanced enough (1)", "one-sided: mostly me (2)", "one-sided: mostly them (2)"]


def test_reciprocity_highlights_one_sided_ties_at_sent_plus_one(recip):
    ax = P.plot_reciprocity(recip)
    me = next(c for c in ax.collections if to_hex(c.get_facecolor()[0]) == P.OKABE_ITO["vermillion"].lower())
    assert sorted(map(tuple, me.get_offsets().tolist())) == [(13.0, 2.0), (21.0, 3.0)]


def test_reciprocity_labels_the_top_one_sided_ties(recip):
    ax = P.plot_reciprocity(recip, label_top=2, names=pd.Series({"fay": "Fay Wu", "ann": "Ann Lee"}))
    assert sorted(t.get_text() for t in ax.texts) == ["Ann Lee", "Fay Wu"]  # 30 and 22 messages
    assert _no_overlap(ax, ax.texts)
    ax2 = P.plot_reciprocity(recip, ax=plt.figure().gca(), label_top=0)
    assert not ax2.texts


# --- 4. reply latency ----------------------------------------------------------------------------


def test_reply_latency_histograms_and_medians():
    lat = pd.DataFrame(
        {
            S.PERSON_ID: ["a"] * 5,
            S.DIRECTION: [S.MINE, S.MINE, S.MINE, S.THEIRS, S.THEIRS],
            S.HOURS: [1.0, 2.0, 30.0, 0.0, 48.0],
        }
    )
    ax = P.plot_reply_latency(lat)
    assert ax.get_xscale() == "log"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["my replies (n=3)", "their replies (n=2)"]
    medians = sorted(line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == "--")
    assert medians == pytest.approx([2.0, (1 / 60 + 48) / 2])  # 0 h is drawn at one minute
    texts = [t.get_text().strip() for t in ax.texts]
    assert "my median 2.0 h" in texts and "their median 24.0 h" in texts
    assert "hours" in ax.get_xlabel()


def test_reply_latency_without_replies_says_so():
    ax = P.plot_reply_latency(pd.DataFrame({S.DIRECTION: [], S.HOURS: []}))
    assert ax.get_title() == "Reply latency: no answered messages"


# --- 5. activity calendar -------------------------------------------------------------------------


def test_activity_calendar_one_year_is_weeks_by_weekdays():
    ts = pd.to_datetime(
        ["2024-01-01 08:00", "2024-01-01 17:00", "2024-01-03 00:00", "2024-12-31 00:00"], utc=True
    )
    ax = P.plot_activity_calendar(pd.DataFrame({S.TIMESTAMP: ts}))
    mesh = [c for c in ax.collections if isinstance(c, QuadMesh)][-1]
    grid = mesh.get_array()
    assert grid.shape == (7, 53)  # 2024-01-01 is a Monday; 31 Dec falls in week 53
    assert grid[0, 0] == 2 and grid[2, 0] == 1 and grid[1, 52] == 1
    assert np.ma.count(grid) == 3  # empty days are masked (drawn grey underneath)
    assert ax.get_title() == "Activity in 2024: 4 interactions on 3 days"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    (colorbar,) = ax.child_axes  # an inset: nothing is drawn outside this axes
    assert colorbar.get_ylabel() == "interactions per day"


def test_activity_calendar_several_years_is_months_by_years_or_one_chosen_year():
    ts = pd.to_datetime(["2022-03-05", "2022-03-09", "2023-11-01", "2024-01-15"], utc=True)
    inter = pd.DataFrame({S.TIMESTAMP: ts})
    ax = P.plot_activity_calendar(inter)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2022", "2023", "2024"]
    assert ax.child_axes[0].get_ylabel() == "interactions per month"
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "2"]
    assert ax.get_title() == "Interactions per month, 2022–2024 (4 in total)"
    ax2 = P.plot_activity_calendar(inter, ax=plt.figure().gca(), year=2023)
    assert ax2.get_title() == "Activity in 2023: 1 interactions on 1 day"


# --- 6. timeline -----------------------------------------------------------------------------------


def test_timeline_messages_out_above_in_below_and_extras_as_markers(net):
    ax = P.plot_timeline(net, "ann")
    assert ax.get_title() == "Timeline with Ann Lee: 6 sent, 4 received, 1 meeting"
    out, inn = [c for c in ax.collections if c.__class__.__name__ == "LineCollection"][:2]
    assert all(seg[1][1] > 0 for seg in out.get_segments())
    assert all(seg[1][1] < 0 for seg in inn.get_segments())
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [
        "I wrote (6)",
        "they wrote (4)",
        "meeting (1)",
        "endorsement (2)",
        "LinkedIn invitation (1)",
    ]
    markers = {c.get_paths()[0].vertices.shape[0] for c in ax.collections if isinstance(c, PathCollection)}
    assert len(markers) >= 3  # circles, squares, stars/triangles differ


def test_timeline_of_unknown_person_raises(net):
    with pytest.raises(KeyError, match="'zed' is not in net.people"):
        P.plot_timeline(net, "zed")


# --- 7./8. health ------------------------------------------------------------------------------------


def test_health_bars_of_points_against_weight():
    comp = pd.DataFrame(
        {
            S.COMPONENT: ["size", "active_share", "reciprocity"],
            S.VALUE: [120.0, 0.5, np.nan],
            S.WEIGHT: [40.0, 30.0, 30.0],
            S.POINTS: [30.0, 5.0, np.nan],
            S.REASON: ["", "", ""],
        }
    )
    ax = P.plot_health(SimpleNamespace(score=35.0, components=comp))
    # NaN points without a measurable column: not measurable, left out of "over k of n"
    assert ax.get_title() == "Network health: 35 / 100 over 2 of 3 components"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Size", "Active share", "Reciprocity"]
    widths = [p.get_width() for p in ax.patches]
    assert widths == [40.0, 30.0, 30.0, 30.0, 5.0]  # weights of measurable, of unmeasurable; points
    assert [t.get_text() for t in ax.texts] == [
        "30.0 / 40   (value 120)",
        "5.0 / 30   (value 0.5)",
        "not measurable",
    ]


def test_health_marks_unmeasurable_components_and_writes_the_coverage():
    comp = pd.DataFrame(
        {
            S.COMPONENT: ["size", "structure"],
            S.VALUE: [11.0, np.nan],
            S.WEIGHT: [15.0, 15.0],
            S.POINTS: [1.1, np.nan],
            S.MEASURABLE: [True, False],
            S.REASON: ["", "no source"],
        }
    )
    coverage = type(
        "Cov", (), {"low_confidence": True, "__str__": lambda self: "Data: linkedin. Low confidence."}
    )()
    ax = P.plot_health(SimpleNamespace(score=7.3, components=comp, coverage=coverage))
    assert ax.get_title() == "Network health: 7 / 100 over 1 of 2 components (low confidence)"
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert [p.get_width() for p in hatched] == [15.0]
    assert [t.get_text() for t in ax.texts] == [
        "1.1 / 15   (value 11)",
        "not measurable",
        "Data: linkedin. Low confidence.",
    ]
    assert ax.get_yticklabels()[1].get_color() == "0.45"
    assert "not measurable\n(left out of the score)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_health_rejects_something_that_is_not_a_report():
    with pytest.raises(SchemaError, match="HealthReport"):
        P.plot_health(pd.DataFrame())


def test_health_history_score_and_share_components():
    hist = pd.DataFrame(
        {
            S.SCORE: [40.0, 50.0, 60.0],
            "size": [10.0, 20.0, 30.0],
            "concentration": [0.5, 0.4, 0.3],
            "diversity": [0.2, np.nan, 0.4],
        },
        index=pd.to_datetime(["2024-03-31", "2024-06-30", "2024-09-30"], utc=True),
    )
    ax = P.plot_health_history(hist)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert list(lines) == ["score", "concentration ×100 (lower is better)", "diversity ×100"]
    assert np.allclose(lines["concentration ×100 (lower is better)"].get_ydata(), [50, 40, 30])
    assert ax.get_ylim() == (0.0, 100.0)
    assert ax.get_title() == "Network health over time: 60 / 100 at 2024-09-30"
    with pytest.raises(SchemaError, match="'growth'"):
        P.plot_health_history(hist, ax=plt.figure().gca(), components=["growth"])


def test_health_history_marks_partial_and_low_confidence_periods():
    hist = pd.DataFrame(
        {
            S.SCORE: [40.0, 50.0, 60.0, 70.0],
            "diversity": [0.2, 0.3, 0.4, 0.5],
            "n_measurable": [6, 7, 8, 8],
            "n_components": [8, 8, 8, 8],
            "not_measurable": ["vitality, growth", "vitality", "", ""],
            "low_confidence": [True, False, False, False],
        },
        index=pd.to_datetime(["2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"], utc=True),
    )
    ax = P.plot_health_history(hist)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert list(lines) == [
        "score",
        "score over 6 of 8 / 7 of 8 components",
        "low confidence",
        "diversity ×100",
    ]
    partial = lines["score over 6 of 8 / 7 of 8 components"]
    assert list(partial.get_ydata()) == [40.0, 50.0] and partial.get_markerfacecolor() == "white"
    bands = [p for p in ax.patches if p.get_facecolor()[:3] == pytest.approx((0.88, 0.88, 0.88))]
    assert len(bands) == 1  # one low-confidence period, one band
    x0 = matplotlib.dates.num2date(bands[0].get_x()).date()
    assert str(x0) == "2024-02-20"  # 40 days before the period end
    plain = hist.drop(columns=["n_measurable", "n_components", "not_measurable", "low_confidence"])
    assert [ln.get_label() for ln in P.plot_health_history(plain, ax=plt.figure().gca()).get_lines()] == [
        "score",
        "diversity ×100",
    ]


# --- 9. layers -----------------------------------------------------------------------------------------


def test_layers_rings_with_counts_and_expected_sizes():
    layer = pd.array([5, 5, 15, 50, 50, 50, 150, None, None], dtype="Int64")
    ax = P.plot_layers(pd.DataFrame({S.LAYER: layer}))
    assert [t.get_text() for t in ax.texts] == [
        "Layer 5: 2 (expected 5)",
        "Layer 15: 3 (expected 15)",
        "Layer 50: 6 (expected 50)",
        "Layer 150: 7 (expected 150)",
        "2 ties outside layer 150 (no contact in the last 365 days)",
    ]
    assert len(ax.patches) == 4
    assert [len(c.get_offsets()) for c in ax.collections] == [2, 1, 3, 1]
    assert (ax.collections[0].get_offsets()[:, 1] < 0).all()  # inner dots stay clear of the label
    assert ax.get_title() == "Dunbar layers: 7 ties in touch over the last year"
