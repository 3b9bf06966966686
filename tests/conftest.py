"""Fixtures shared by the test packages: the two routes of the mbox reader (C speedups or pure
Python)."""

from __future__ import annotations

import pytest

from netanalytics.io import _mbox, _native


@pytest.fixture
def speedups():
    """The C speedups module; the test is skipped where it is not built (no C compiler at
    install, or NETANALYTICS_PURE_PYTHON=1). ``.ci/run`` requires it (tests/io/test_native.py),
    so there these tests run."""
    if _native.SPEEDUPS is None:
        pytest.skip("the C speedups are not built (no C compiler at install, or NETANALYTICS_PURE_PYTHON=1)")
    return _native.SPEEDUPS


@pytest.fixture(params=["python", "C"])
def route(request, monkeypatch):
    """The test runs on the pure-Python route and on the C speedups."""
    if request.param == "C":
        request.getfixturevalue("speedups")
    else:
        monkeypatch.setattr(_native, "SPEEDUPS", None)
        monkeypatch.setitem(_mbox._CACHES, "flat", _mbox.FlatTable())  # (the process's table is C's)
    return request.param


@pytest.fixture
def python_route(monkeypatch):
    """The pure-Python route only (a test of its own machinery: pre-scan, page drops)."""
    monkeypatch.setattr(_native, "SPEEDUPS", None)
    monkeypatch.setitem(_mbox._CACHES, "flat", _mbox.FlatTable())
