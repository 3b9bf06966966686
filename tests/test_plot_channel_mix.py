"""plot_channel_mix: the counts it draws, the tie that moved channel, one channel and none."""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

import netanalytics as na
from netanalytics.plotting import plot_channel_mix


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    rows = ["date,person,channel,direction,duration_minutes,note"]
    rows += [f"2024-{m:02d}-05,Bo Chen,phone,out,10," for m in range(1, 7)]  # calls, then video
    for m in range(7, 13):
        rows += [f"2024-{m:02d}-05,Bo Chen,Zoom,out,30,", f"2024-{m:02d}-20,Bo Chen,zoom call,in,30,"]
    rows += [f"2024-{m:02d}-10,Cy Diaz,coffee,mutual,40," for m in range(1, 13)]
    rows += [
        "2024-11-11,Di Eng,Lunch,mutual,60,",
        "2023-05-01,Di Eng,call,out,5,",
    ]  # 2023: outside the window
    log = tmp_path_factory.mktemp("log") / "log.csv"
    log.write_text("\n".join(rows) + "\n")
    return na.load(calls=log, me="ann@example.org", cache=False)


def _drawn(ax) -> dict[str, list[float]]:
    return {c.get_label(): [round(p.get_width(), 6) for p in c.patches] for c in ax.containers}


def test_channel_mix_draws_the_counts(net):
    fig, ax = plt.subplots()
    plot_channel_mix(net, ax=ax, as_of="2024-12-31")
    # busiest on top: Bo at y = 2, Cy at 1, Di at 0
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Bo Chen", "Cy Diaz", "Di Eng"]
    assert list(ax.get_yticks()) == [2, 1, 0]
    # one container per channel (most used first), one bar per person in the order Bo, Cy, Di
    assert _drawn(ax) == {"in person": [0, 12, 1], "video": [12, 0, 0], "call": [6, 0, 0]}
    assert [t.get_text() for t in ax.texts] == [" call → video"]  # Bo moved from calls to video
    assert ax.get_title() == "Channel mix of the 3 busiest ties (3 channels; 1 tie moved channel)"
    assert ax.get_xlabel() == "interactions in the 365 days to 2024-12-31"
    plt.close(fig)


def test_channel_mix_top_and_window(net):
    fig, ax = plt.subplots()
    plot_channel_mix(net, ax=ax, top=1, days=90, as_of="2024-12-31")
    # Oct 2 - Dec 31: Bo's 6 video calls; no call in the first half either: he did not move here
    assert _drawn(ax) == {"video": [6]} and len(ax.texts) == 0
    assert ax.get_title() == "Channel mix of the 1 busiest ties (all on video; none moved channel)"
    plt.close(fig)


def test_channel_mix_email_only_and_empty():
    sample = na.datasets.load_sample()
    mail = sample.interactions[sample.interactions["channel"] == "email"]
    one = dataclasses.replace(sample, interactions=mail)
    fig, ax = plt.subplots()
    plot_channel_mix(one, ax=ax, top=4)
    assert list(_drawn(ax)) == ["email"] and len(_drawn(ax)["email"]) == 4
    assert ax.get_title().endswith("(all on email; none moved channel)")
    per_person = mail[mail["timestamp"] > mail["timestamp"].max() - pd.Timedelta(days=365)]
    assert _drawn(ax)["email"] == sorted(per_person["person_id"].value_counts().head(4).tolist())[::-1]
    plt.close(fig)
    fig, ax = plt.subplots()
    plot_channel_mix(one, ax=ax, as_of="1990-01-01")
    assert [t.get_text() for t in ax.texts] == ["No interaction in the 365 days to the end of the data"]
    plt.close(fig)


def test_channel_mix_frame(net):
    from netanalytics.metrics.channels import channel_mix

    mix = channel_mix(net, as_of="2024-12-31")
    names = net.people["name"]
    assert [names[p] for p in mix.index] == ["Bo Chen", "Cy Diaz", "Di Eng"]
    assert mix[["in_person", "video", "call"]].values.tolist() == [[0, 12, 6], [12, 0, 0], [1, 0, 0]]
    assert mix["main_before"].tolist() == ["call", "in_person", None]  # Di: no contact in the first half
    assert mix["main_after"].tolist() == ["video", "in_person", None]  # one lunch: fewer than 2, no habit
    assert mix["moved"].tolist() == [True, False, False]
    one = channel_mix(net, as_of="2024-12-31", min_interactions=1)
    assert one["main_after"].tolist() == ["video", "in_person", "in_person"]
    assert mix.attrs["as_of"] == pd.Timestamp("2024-12-31", tz="UTC")


def test_report_channels_section(net):
    from netanalytics.report import build_report

    page = build_report(net, as_of="2024-12-31", figures=False)
    section = page[page.index('<section id="channels">') :]
    section = section[: section.index("</section>")]
    # Bo used calls, then video: one tie on more than one channel, and it moved
    assert (
        "<p>Your interactions of the last 365 days by channel: in person 42%, video 39%, call 19%. "
        "1 of 3 ties use more than one channel. 1 moved channel (their main channel in the last six months "
        "is not the one of the six months before; still in touch, elsewhere): Bo Chen (call → video).</p>"
    ) in section
    with_figure = build_report(net, as_of="2024-12-31")
    section = with_figure[with_figure.index('<section id="channels">') :]
    assert section.index('<img alt="Interactions per channel with your busiest ties') < section.index(
        "</section>"
    )
