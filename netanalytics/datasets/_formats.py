"""Small writers shared by the generators: Gmail ids and dates, address headers, folding."""

from __future__ import annotations

import base64
import random
import unicodedata
from datetime import datetime, timezone

import pandas as pd

__all__: list[str] = []

UTC = timezone.utc  # noqa: UP017 (one name for both generators)
#: Default end of the synthetic period.
DEFAULT_END = pd.Timestamp("2026-10-31", tz="UTC")
_SPECIALS = set('()<>[]:;@\\,."')
_FOLD = {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE"}


def ascii_fold(text: str) -> str:
    """Drop accents the way people type names on a US keyboard (``José`` -> ``Jose``)."""
    text = "".join(_FOLD.get(ch, ch) for ch in text)
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def gmail_id(t: datetime, rng: random.Random, used: set[int]) -> int:
    """A 19-digit Gmail message id: milliseconds since the epoch shifted left 20 bits, plus noise."""
    ms = int(t.timestamp() * 1000)
    while True:
        value = (ms << 20) | rng.getrandbits(20)
        if value not in used:
            used.add(value)
            return value


def from_line(gid: int, t: datetime) -> str:
    """The Takeout ``From_`` separator, e.g. ``From 1538...@xxx Thu Jun 30 12:31:44 +0000 2016``."""
    return f"From {gid}@xxx {t.astimezone(UTC).strftime('%a %b %d %H:%M:%S +0000 %Y')}"


def rfc2822(t: datetime) -> str:
    """``Tue, 14 Mar 2023 09:12:44 -0400`` in the zone ``t`` carries."""
    return t.strftime("%a, %d %b %Y %H:%M:%S %z")


def encoded_word(text: str, rng: random.Random | None = None) -> str:
    """RFC 2047 encode non-ASCII text as one ``=?UTF-8?B?...?=`` (or ``Q``) word."""
    raw = text.encode("utf-8")
    if rng is not None and rng.random() < 0.5:
        q = "".join(
            chr(b)
            if (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122)
            else ("_" if b == 32 else f"={b:02X}")
            for b in raw
        )
        return f"=?UTF-8?Q?{q}?="
    return f"=?UTF-8?B?{base64.b64encode(raw).decode('ascii')}?="


def address(name: str, addr: str, rng: random.Random | None = None) -> str:
    """Format ``Name <addr>`` as mail clients do: encoded when non-ASCII, quoted when needed."""
    if not name:
        return addr
    if not name.isascii():
        return f"{encoded_word(name, rng)} <{addr}>"
    if any(ch in _SPECIALS for ch in name):
        escaped = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}" <{addr}>'
    return f"{name} <{addr}>"


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line at ``limit`` octets with CRLF + space (RFC 5545 / RFC 2425)."""
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out)
