"""Shared by the contact-reader tests: the compared fields of a contacts frame, row by row."""

import pandas as pd

from netanalytics import schema as S

FIELDS = [
    S.RECORD_ID,
    S.FULL_NAME,
    S.FIRST_NAME,
    S.MIDDLE_NAME,
    S.LAST_NAME,
    S.EMAILS,
    S.PHONES,
    S.COMPANY,
    S.TITLE,
    S.LINKEDIN_URL,
    S.LABELS,
    S.BIRTHDAY,
]


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of the compared fields, missing values as None."""
    return [
        {f: (None if not isinstance(row[f], list) and pd.isna(row[f]) else row[f]) for f in FIELDS}
        for _, row in frame.iterrows()
    ]


def assert_reconciled(frame: pd.DataFrame, report, spec: dict) -> None:
    """One file read: every record kept or skipped, one row per kept record, a valid frame."""
    rep = report.files[0]
    assert rep.read == rep.kept + rep.n_skipped
    assert len(frame) == rep.kept
    S.validate(frame, spec)
