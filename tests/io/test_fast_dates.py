"""The vectorised Date parse of the mbox fast route: texts in the common layout, whose digits are
read in place, parse as the general regex parses them, alone or mixed with other texts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from routes import in_c_and_python  # tests/io is on sys.path when its tests run

from netanalytics.io import _mbox as M
from netanalytics.io import _native

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


def _no_layout(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(len(arr), dtype=bool), np.empty(0, dtype="datetime64[ns]")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(LAYOUT_LIKE, OTHER, st.none()), min_size=1, max_size=30))
def test_the_layout_reads_what_the_regex_reads(texts):
    fast = M._fast_dates(pa.array(texts, type=pa.string()))
    layout_stamps = M._layout_stamps
    M._layout_stamps = _no_layout  # no text in the layout: all take the regex
    try:
        by_regex = M._fast_dates(pa.array(texts, type=pa.string()))
    finally:
        M._layout_stamps = layout_stamps
    np.testing.assert_array_equal(fast, by_regex)


# near misses of the layout: one character off at each place, other lengths, letters for digits
NEAR_MISSES = [
    "Mon, 07 Dec 2020 08:42:38 -0800",
    "Mon,07 Dec 2020 08:42:38 -0800",
    "Mon, 07 Dec 2020 08:42:38 -0800 ",
    " Mon, 07 Dec 2020 08:42:38 -0800",
    "Mon, 007 Dec 2020 08:42:38 -0800",
    "Mon, 7  Dec 2020 08:42:38 -0800",
    "Mon, x7 Dec 2020 08:42:38 -0800",
    "Mon, 07 D3c 2020 08:42:38 -0800",
    "Mon, 07 Dec 20a0 08:42:38 -0800",
    "Mon, 07 Dec 2020 08-42:38 -0800",
    "Mon, 07 Dec 2020 08:42:38 *0800",
    "Mon, 07 Dec 2020 08:42:38 -080",
    "M0n, 07 Dec 2020 08:42:38 -0800",
    "Mon; 07 Dec 2020 08:42:38 -0800",
    "Mon, 07 Dec 2020 08:42:3800800",
    "Mon, 29 Feb 2000 23:59:60 +9959",  # a leap day, a leap second, a zone out of range
    "Mon, 29 Feb 2100 00:00:00 +0000",  # 2100 is no leap year
    "Mon, 01 Jan 1970 00:00:00 +0100",  # before the epoch in UTC
    "Mon, 31 Dec 2100 23:59:59 -1400",
    "Mon, 00 Jan 2020 00:00:00 +0000",
    "Mon, 1 Jan 2020 24:00:00 +0000",
    "Mön, 1 Jan 2020 00:00:00 +0000",
]


# (a skip, not the speedups fixture: hypothesis runs a function-scoped fixture once for all examples)
@pytest.mark.skipif(_native.SPEEDUPS is None, reason="the C speedups are not built")
@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.one_of(LAYOUT_LIKE, st.sampled_from(NEAR_MISSES), OTHER, st.none()), min_size=1, max_size=30)
)
def test_the_layout_in_c_reads_what_numpy_reads(texts):
    arr = pa.array(texts, type=pa.large_string())[1:]  # (an array that starts at an offset)
    in_c, in_numpy = in_c_and_python(lambda: M._layout_stamps(arr))
    np.testing.assert_array_equal(in_c[0], in_numpy[0])
    np.testing.assert_array_equal(in_c[1], in_numpy[1])


def test_layout_near_misses_exact(route):
    common, stamps = M._layout_stamps(pa.array(NEAR_MISSES, type=pa.large_string()))
    assert common.tolist() == [True] + [False] * 14 + [True] * 6 + [False]  # (not ASCII: no layout)
    want = [
        "2020-12-07T16:42:38",
        "2000-02-25T20:01:00",  # 23:59:60 is the next midnight; then 99 h 59 min back
        "NaT",
        "1969-12-31T23:00:00",
        "2101-01-01T13:59:59",
        "NaT",
        "NaT",
    ]
    np.testing.assert_array_equal(stamps, np.array(want, dtype="datetime64[ns]"))


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
