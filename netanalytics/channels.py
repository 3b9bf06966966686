"""The channel vocabulary: the free text a call log or a CRM gives a channel ("Coffee", "coffee chat",
"Zoom", "phone", "MEETING") mapped to a few kinds of channel, so that multiplexity counts kinds of
channel, not spellings."""

from __future__ import annotations

__all__ = ["CHANNEL_VOCABULARY", "OTHER", "channel_kind", "raw_channel_label"]

#: Kinds of channel and the words that name them (compared case-blind, with ``-`` and ``_`` read
#: as spaces). The readers of mail, LinkedIn, calendars and chats set their channel themselves
#: (``email``, ``linkedin``, ``meeting``, ``whatsapp``, ``telegram``, ``slack``); this vocabulary
#: is for the sources where a person typed it: call logs, Monica, CRM exports.
CHANNEL_VOCABULARY: dict[str, tuple[str, ...]] = {
    "call": (
        "call", "calls", "phone", "phone call", "telephone", "voice", "voice call", "mobile", "cell",
        "ring", "rang",
    ),
    "video": (
        "video", "video call", "videocall", "zoom", "teams", "microsoft teams", "google meet", "meet",
        "facetime", "skype", "webex", "hangouts", "jitsi",
    ),
    "meeting": ("meeting", "meetings", "appointment", "scheduled meeting"),
    "in_person": (
        "in person", "coffee", "coffee chat", "lunch", "dinner", "breakfast", "brunch", "meal", "drinks",
        "drink", "beer", "visit", "walk", "hangout", "hung out", "party", "event", "conference", "meetup",
        "meet up", "restaurant", "bar", "sport", "concert", "movie", "theater", "theatre", "museum",
    ),
    "sms": ("sms", "text", "texts", "text message", "imessage", "mms", "signal"),
    "email": ("email", "e mail", "mail"),
    "linkedin": ("linkedin", "linkedin message", "inmail"),
    "whatsapp": ("whatsapp",),
    "telegram": ("telegram",),
    "slack": ("slack",),
}  # fmt: skip
#: The kind of a channel no word of the vocabulary names (the text is kept in a label).
OTHER = "other"

_PHRASE = {word: kind for kind, words in CHANNEL_VOCABULARY.items() for word in (kind, *words)}
_PHRASE["in person"] = "in_person"


def _words(text: str) -> str:
    return " ".join(text.replace("-", " ").replace("_", " ").casefold().split())


def channel_kind(text: str | None, default: str = "call") -> str:
    """The kind of channel (a key of :data:`CHANNEL_VOCABULARY`, or :data:`OTHER`) free text names.

    Parameters
    ----------
    text : str or None
        The channel as the user or the tool wrote it.
    default : str, default "call"
        The kind of a blank channel.

    Returns
    -------
    str

    Notes
    -----
    The whole text is looked up first ("coffee chat", "video call"); else its words, the first
    word the vocabulary knows deciding ("Coffee with the team" is ``in_person``, "Zoom call" is
    ``video``: the more specific word comes first in how people write). Text no word of which is
    known is :data:`OTHER`. A ``meeting`` is a scheduled meeting, in person or not (calendars
    give no more); a coffee, a meal, a visit or an event is ``in_person``.

    Examples
    --------
    >>> [channel_kind(t) for t in ("Coffee", "coffee chat", "Zoom", "phone", "MEETING", "", "Tarot")]
    ['in_person', 'in_person', 'video', 'call', 'meeting', 'call', 'other']
    """
    words = _words(text or "")
    if not words:
        return default
    if words in _PHRASE:
        return _PHRASE[words]
    tokens = words.split()
    for i in range(len(tokens)):
        for n in (2, 1):  # a two-word phrase ("video call") before its first word
            phrase = " ".join(tokens[i : i + n])
            if len(phrase.split()) == n and phrase in _PHRASE:
                return _PHRASE[phrase]
    return OTHER


def raw_channel_label(text: str | None, kind: str) -> list[str]:
    """The label that keeps a channel's text as written (``["channel:Coffee chat"]``), or none
    when the text is blank or is the kind's own name."""
    text = " ".join((text or "").split())
    if not text or _words(text) == _words(kind):
        return []
    return [f"channel:{text}"]
