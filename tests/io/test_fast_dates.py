"""The vectorised Date parse of the mbox fast route: texts in the common layout, whose digits are
read in place, parse as the general regex parses them, alone or mixed with other texts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalytics.io import _mbox as M

LAYOUT_LIKE = st.builds(
    lambda wd, day, mon, y, h, mi, s, sign, zh, zm, pad: (
        f"{wd}, {' ' + str(day) if pad and day < 10 else day} {mon} {y} {h:02d}:{mi:02d}:{s:02d} {sign}{zh:02d}{zm:02d}"
    ),
    st.sampled_from(["Mon", "tue", "WED", "Xyz"]),
    st.integers(0, 39),
    st.sampled_from(["Jan", "feb", "DEC", "Foo", "Sep"]),
    st.integers(1960, 2110),
    st.integers(0, 25),
    st.integers(0, 61),
    st.integers(0, 61),
    st.sampled_from("+-"),
    st.integers(0, 14),
    st.sampled_from([0, 30, 45]),
    st.booleans(),
)
OTHER = st.sampled_from(
    [
        "Mon, 7 Dec 2020 08:42:38 -0800 (PST)",
        "7 Dec 2020 08:42 +0100",
        "Mon,  7 Dec 2020 08:42:38 GMT",
        "Thu, 31 Feb 2021 10:00:00 +0000",
        "garbage",
        "",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(LAYOUT_LIKE, OTHER, st.none()), min_size=1, max_size=30))
def test_the_layout_reads_what_the_regex_reads(texts):
    fast = M._fast_dates(pa.array(texts, type=pa.string()))
    layout = M._LAYOUT
    M._LAYOUT = r"$x"  # no text in the layout: all take the regex
    try:
        by_regex = M._fast_dates(pa.array(texts, type=pa.string()))
    finally:
        M._LAYOUT = layout
    np.testing.assert_array_equal(fast, by_regex)


def test_exact_dates_of_both_layouts_in_one_column():
    texts = [
        "Mon,  7 Dec 2020 08:42:38 -0800",  # git send-email: a blank before a one-digit day
        "Mon, 7 Dec 2020 08:42:38 -0800",
        "Mon, 07 Dec 2020 08:42:38 -0800 (PST)",  # a comment: the regex
        "Thu, 31 Feb 2021 10:00:00 +0000",  # no such day
        None,
    ]
    got = M._fast_dates(pa.array(texts, type=pa.string()))
    want = np.array(["2020-12-07T16:42:38"] * 3 + ["NaT", "NaT"], dtype="datetime64[ns]")
    np.testing.assert_array_equal(got, want)
