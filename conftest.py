"""The doctests' setting: the example files they write (``tempfile.mkdtemp()`` in the examples)
go under pytest's own temporary folders, which it prunes to the last three runs, rather than
into the system's temporary folder, where each run of the suite left some thirty folders."""

from __future__ import annotations

import tempfile

import pytest


@pytest.fixture(autouse=True)
def _doctest_temporary_folder(request, monkeypatch):
    if isinstance(request.node, pytest.DoctestItem):
        monkeypatch.setattr(tempfile, "tempdir", str(request.getfixturevalue("tmp_path")))
