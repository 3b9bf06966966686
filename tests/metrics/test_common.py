"""Helpers shared by the metrics (netanalytics.metrics._common)."""

import numpy as np
import pandas as pd
import pytest

from netanalytics.metrics._common import as_dict

_IDS = pd.Index(["p1", "p2", "p3", "p4"])  # pandas 3 infers Arrow-backed `str`


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(["Acme", None, "Globex", "acme"], index=_IDS),  # Arrow-backed str, a missing value
        pd.Series(["Acme", None, "Globex", "acme"], index=_IDS, dtype=object),
        pd.Series([0.5, np.nan, 2.0, -1.0], index=_IDS),
        pd.Series([True, False, False, True], index=_IDS),
        pd.Series([3, 0, 7, 1], index=_IDS),
        pd.Series(pd.to_datetime(["2024-01-02", None, "2023-05-06", "2025-07-08"], utc=True), index=_IDS),
        pd.Series(["x", "y", "z", "w"], index=pd.Index(["p1", None, "p3", "p4"], dtype=object)),
    ],
    ids=["str", "object", "float", "bool", "int", "timestamp", "object-index"],
)
def test_as_dict_gives_what_to_dict_gives(values):
    got, want = as_dict(values), values.to_dict()
    assert list(got) == list(want)
    for key in want:  # the same values, of the same Python types (NaN and NaT compared as missing)
        a, b = got[key], want[key]
        assert type(a) is type(b)
        assert (a == b) or (pd.isna(a) and pd.isna(b))
    assert as_dict(values.iloc[:0]) == {}
