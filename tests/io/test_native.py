"""The optional C speedups: built where CI requires them, and switched off on request."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from netanalytics.io import _native


@pytest.mark.skipif(
    not os.environ.get("NETANALYTICS_REQUIRE_SPEEDUPS"),
    reason="only where the C speedups must have been built (.ci/run sets NETANALYTICS_REQUIRE_SPEEDUPS=1)",
)
def test_the_speedups_are_built():
    # a failed compile is not an install error (the extension is optional): CI must notice it
    assert _native.SPEEDUPS is not None
    assert set(dir(_native.SPEEDUPS)) >= {"scan", "header_values"}


def test_pure_python_on_request():
    code = "from netanalytics.io import _native; print(_native.SPEEDUPS is None)"
    env = dict(os.environ, NETANALYTICS_PURE_PYTHON="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
