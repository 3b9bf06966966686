"""Message rows for the non-mail channels (chats, call logs): one builder, one frame finisher."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from netanalytics import schema as S
from netanalytics.io.report import FileReport

__all__ = ["message_row", "message_frame", "stable_id", "count", "head_text", "time_zone", "parse_when"]


def time_zone(tz: str | None) -> dt.tzinfo:
    """The zone named ``tz`` (UTC when None), for a reader's ``tz=`` argument.

    Examples
    --------
    >>> time_zone(None), str(time_zone("Europe/Berlin"))
    (datetime.timezone.utc, 'Europe/Berlin')
    """
    try:
        return ZoneInfo(tz) if tz else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"tz={tz!r} is not a known time zone (e.g. 'Europe/Berlin')") from None


def head_text(path: Path, suffix: str, n: int = 4096) -> str | None:
    """The first ``n`` bytes of a ``suffix`` file as text (to recognise its format), or None
    when it has another suffix or cannot be read."""
    if path.suffix.lower() != suffix:
        return None
    try:
        with open(path, "rb") as fh:
            return fh.read(n).decode("utf-8", errors="replace")
    except OSError:
        return None


def count(report: FileReport, key: str, n: int = 1) -> None:
    report.notes[key] = report.notes.get(key, 0) + n


def stable_id(prefix: str, *parts: object) -> str:
    """A message id that is the same on every read of the same record (and of an overlapping export)."""
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{prefix}:{digest[:20]}"


def message_row(
    *,
    message_id: str,
    source: str,
    source_file: str,
    channel: str,
    timestamp: pd.Timestamp,
    sender: str,
    sender_name: str | None,
    to: list[str],
    to_names: list[str | None],
    thread_id: str | None,
    is_from_me: bool,
    in_reply_to: str | None = None,
    labels: list[str] | None = None,
) -> dict:
    """One :data:`netanalytics.schema.MESSAGES` row; no subject and no content (none is kept)."""
    return {
        S.MESSAGE_ID: message_id,
        S.SOURCE: source,
        S.SOURCE_FILE: source_file,
        S.CHANNEL: channel,
        S.TIMESTAMP: timestamp,
        S.SENDER: sender,
        S.SENDER_NAME: sender_name,
        S.TO: list(to),
        S.CC: [],
        S.TO_NAMES: list(to_names) if any(n is not None for n in to_names) else [],
        S.CC_NAMES: [],
        S.BCC: [],
        S.THREAD_ID: thread_id,
        S.IN_REPLY_TO: in_reply_to,
        S.REFERENCES: [],
        S.SUBJECT: None,
        S.N_RECIPIENTS: len(to),
        S.IS_FROM_ME: bool(is_from_me),
        S.IS_AUTOMATED: False,
        S.MAILING_LIST: None,
        S.FOLDER: None,
        S.LABELS: list(labels or []),
    }


def message_frame(rows: list[dict]) -> pd.DataFrame:
    """The rows as a validated messages frame (an empty one with the right dtypes when none)."""
    frame = pd.DataFrame(rows, columns=list(S.MESSAGES)) if rows else S.empty_frame(S.MESSAGES)
    frame[S.TIMESTAMP] = pd.to_datetime(frame[S.TIMESTAMP], utc=True)
    frame[S.N_RECIPIENTS] = frame[S.N_RECIPIENTS].astype("int64")
    frame[S.IS_FROM_ME] = frame[S.IS_FROM_ME].astype(bool)
    frame[S.IS_AUTOMATED] = frame[S.IS_AUTOMATED].astype(bool)
    for col, kind in S.MESSAGES.items():
        if kind == "str":  # None, never NaN, where a value is missing
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return S.validate(frame, S.MESSAGES)


def parse_when(text: object, zone: dt.tzinfo, date_format: str | None = None) -> pd.Timestamp | None:
    """A UTC timestamp from ISO 8601 text (``2025-03-04``, ``2025-03-04 14:30``,
    ``2025-03-04T14:30:00.000000Z``) or text in ``date_format``; a time without an offset is in
    ``zone``. None when the text is blank or no date."""
    text = str(text).strip() if text is not None else ""
    if not text:
        return None
    try:
        moment = dt.datetime.strptime(text, date_format) if date_format else dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return pd.Timestamp(moment.astimezone(dt.UTC))
