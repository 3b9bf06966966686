"""Running one call on both routes of the mbox reader: the C speedups, then pure Python.

For hypothesis tests, which cannot take the function-scoped ``speedups`` fixture (hypothesis
would run it once for all examples): they skip where the speedups are not built, and compare
the two routes with :func:`in_c_and_python`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from netanalytics.io import _native


def in_c_and_python(call: Callable[[], Any]) -> tuple[Any, Any]:
    """(``call()`` with the C speedups, ``call()`` on the pure-Python route)."""
    speedups = _native.SPEEDUPS
    try:
        in_c = call()
        _native.SPEEDUPS = None
        return in_c, call()
    finally:
        _native.SPEEDUPS = speedups
