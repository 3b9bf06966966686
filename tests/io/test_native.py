"""The optional C speedups: built where CI requires them, switched off on request, and equal to
the pure-Python functions they stand for (the scan, split and interning have their own tests
beside the Python rule's)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from routes import in_c_and_python  # tests/io is on sys.path when its tests run

from netanalytics.io import _headers as H
from netanalytics.io import _native


@pytest.mark.skipif(
    not os.environ.get("NETANALYTICS_REQUIRE_SPEEDUPS"),
    reason="only where the C speedups must have been built (.ci/run sets NETANALYTICS_REQUIRE_SPEEDUPS=1)",
)
def test_the_speedups_are_built():
    # a failed compile is not an install error (the extension is optional): CI must notice it
    assert _native.SPEEDUPS is not None
    assert set(dir(_native.SPEEDUPS)) >= {
        "scan",
        "dated_from_line",
        "header_values",
        "encode",
        "interned",
        "address_lists",
        "FlatTable",
        "lists_from_flat",
        "ElementTable",
        "text_hashes",
        "id_lists",
        "first_ids",
        "address_flat",
        "layout_dates",
    }


def test_pure_python_on_request():
    code = "from netanalytics.io import _native; print(_native.SPEEDUPS is None)"
    env = dict(os.environ, NETANALYTICS_PURE_PYTHON="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


# (a skip, not the speedups fixture: hypothesis runs a function-scoped fixture once for all examples)
@pytest.mark.skipif(_native.SPEEDUPS is None, reason="the C speedups are not built")
@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.binary(max_size=3), st.sampled_from([b"a", b"b"]), st.integers(0, 2)))
)
def test_encode_in_c_equals_the_python_encode(values):
    in_c, in_python = in_c_and_python(lambda: H.encode(values))
    assert in_c[0] == in_python[0]
    assert in_c[1].dtype == np.int32 and in_c[1].tolist() == in_python[1].tolist()
    in_c[1][:] = 0  # writable, as the Python route's codes are


# (hypothesis takes no function-scoped fixture: the routes are switched inside, tests/io/routes.py)
@pytest.mark.skipif(_native.SPEEDUPS is None, reason="the C speedups are not built")
@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(), st.binary(max_size=40), st.sampled_from([b"", b"a", b"Inbox,Opened", b"x" * 17])
        ),
        max_size=300,
    )
)
def test_encode_of_a_header_column_in_c_equals_the_python_encode(values):
    # bytes and None only: the C route's own table (hashes of 0-40 bytes, probing, the empty
    # value, None) rather than a dict
    in_c, in_python = in_c_and_python(lambda: H.encode(values))
    assert in_c[0] == in_python[0] and in_c[1].tolist() == in_python[1].tolist()
    assert all(a is b for a, b in zip(in_c[0], dict.fromkeys(values), strict=True))  # the first of equals


def test_encode_exact():
    distinct, codes = H.encode([b"x", None, b"y", b"x", None])
    assert distinct == [b"x", None, b"y"]
    assert codes.tolist() == [0, 1, 2, 0, 1]
