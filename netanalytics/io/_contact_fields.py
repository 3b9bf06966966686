"""Contact fields read alike by every address-book reader (CSV exports, vCard): birthdays, Google's groups."""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["GOOGLE_BOOKKEEPING_GROUPS", "parse_birthday"]

#: Google membership bookkeeping groups: every contact has one, they say nothing about the person.
GOOGLE_BOOKKEEPING_GROUPS = {"mycontacts", "my contacts", "other contacts", "othercontacts"}

_EMPTY_DATE = re.compile(r"^[0\W]*$")
_ISO_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")


def parse_birthday(value: str | None, *, month_first: bool = False) -> str | None:
    """Birthday as ISO text (``YYYY-MM-DD``, or ``--MM-DD`` without a year); ``None`` when empty.

    Raises ``ValueError`` when the text is not a date the exports write.
    """
    if value is None:
        return None
    text = value.strip()
    if not text or _EMPTY_DATE.match(text):  # Outlook's empty date "0.0.00" / "0/0/00"
        return None
    if m := _NO_YEAR.match(text):
        month, day = int(m.group(1)), int(m.group(2))
        pd.Timestamp(2000, month, day)  # validates (leap year allows --02-29)
        return f"--{month:02d}-{day:02d}"
    if m := _ISO_DATE.match(text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := (_DOTTED.match(text) or _SLASHED.match(text)):
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day, month = (b, a) if (month_first and "/" in text) else (a, b)
        if year < 100:  # two-digit years: 00-29 -> 20xx, 30-99 -> 19xx
            year += 2000 if year < 30 else 1900
    else:
        raise ValueError(f"not a date: {text!r}")
    return pd.Timestamp(year, month, day).strftime("%Y-%m-%d")
