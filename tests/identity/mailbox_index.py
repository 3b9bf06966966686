"""Shared by the identity tests: the identity index of mailbox participants, built as
``resolve_identities`` builds it."""

from __future__ import annotations

import pandas as pd

from netanalytics import schema as S
from netanalytics.identity import _build_index, _Index


def mailbox_index(participants: pd.DataFrame | list[tuple[str, str]], activity: dict | None = None) -> _Index:
    """The identity index of mailbox participants (``key, display_name`` rows; no contact, no
    owner, the default thresholds), with ``activity`` (key → (n_messages, first, last), the
    times in nanoseconds since the epoch) when given."""
    if not isinstance(participants, pd.DataFrame):
        participants = pd.DataFrame(participants, columns=[S.KEY, S.DISPLAY_NAME])
    index = _build_index(
        S.empty_frame(S.CONTACTS),
        participants,
        me_keys=set(),
        automated=set(),
        overrides=None,
        fuzzy_threshold=90.0,
        candidate_threshold=80.0,
    )
    if activity is not None:
        index.activity = activity
    return index
