"""The optional C parts of the mbox reader (``netanalytics.io._speedups``), or None.

They are built with the package where a C compiler is found (``setup.py``); each does exactly
what a pure-Python function does (tests compare the two), at memory speed. Set
``NETANALYTICS_PURE_PYTHON=1`` to use the Python functions even where the C ones are built.
"""

from __future__ import annotations

import os

__all__ = ["SPEEDUPS"]

try:
    from netanalytics.io import _speedups as SPEEDUPS
except ImportError:  # built without a C compiler: the pure-Python route, identical results
    SPEEDUPS = None

if os.environ.get("NETANALYTICS_PURE_PYTHON"):
    SPEEDUPS = None
