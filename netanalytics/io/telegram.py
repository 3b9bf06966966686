"""Read Telegram Desktop exports (``result.json``: the whole account or one chat) into messages."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io._rows import count, head_text, message_frame, message_row, time_zone
from netanalytics.io.report import MAX_WARNINGS, LoadReport

__all__ = ["read_telegram", "is_telegram_export"]

#: Chat types whose records are not person-to-person conversation, with the skip reason.
_NOT_CONVERSATION = {
    "bot_chat": "bot chat",
    "saved_messages": "saved messages (only me)",
    "public_channel": "channel post (broadcast)",
    "private_channel": "channel post (broadcast)",
}
_MISSED = {"missed", "busy"}
#: Words the first kilobytes of an export carry (its chat types, its date field).
_MARKERS = (
    "personal_information", "date_unixtime", "personal_chat", "private_group", "private_supergroup",
    "public_supergroup", "saved_messages", "bot_chat", "private_channel", "public_channel",
)  # fmt: skip
_HOW_TO = (
    "Export it with Telegram Desktop: Settings > Advanced > Export Telegram data (or a chat's "
    "menu > Export chat history), format 'Machine-readable JSON'."
)


def is_telegram_export(path: str | Path) -> bool:
    """Whether a ``.json`` file starts like a Telegram Desktop export (peeks at its first 4 kB).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "result.json"
    >>> _ = p.write_text('{"name": "Bo", "type": "personal_chat", "id": 7, "messages": []}')
    >>> is_telegram_export(p)
    True
    """
    head = head_text(Path(path), ".json")
    return head is not None and any(f'"{word}"' in head for word in _MARKERS)


def _chats(data: dict) -> tuple[list[dict], str]:
    """The chats of an export, and which kind of export it is."""
    if isinstance(data.get("chats"), dict):
        chats = list(data["chats"].get("list") or [])
        left = data.get("left_chats")
        if isinstance(left, dict):
            chats += list(left.get("list") or [])
        return chats, "full account"
    if isinstance(data.get("messages"), list):
        return [data], "one chat"
    found = ", ".join(list(data)[:8]) or "nothing"
    raise FormatError(
        f"has neither 'chats' nor 'messages' (found: {found}), so it is not a Telegram Desktop export."
    )


def _owner_id(data: dict, chats: list[dict], me: set[str], kind: str) -> tuple[str | None, str]:
    info = data.get("personal_information")
    if isinstance(info, dict) and info.get("user_id") is not None:
        return f"user{info['user_id']}", "personal_information in the export"
    if me:
        for chat in chats:
            for m in chat.get("messages") or []:
                if m.get("from_id") in me or S.clean_name(m.get("from")) in me:
                    return m.get("from_id"), "me= given"
    if kind == "one chat" and chats and chats[0].get("type") == "personal_chat":
        peer = f"user{chats[0].get('id')}"
        others = {m.get("from_id") for m in chats[0].get("messages") or [] if m.get("from_id")} - {peer}
        if len(others) == 1:
            return others.pop(), "the writer of a personal chat who is not the chat's person"
    return None, "not identified: pass me= your name or from_id (user...)"


def read_telegram(
    path: str | Path, *, me: str | Iterable[str] | None = None, tz: str | None = None
) -> tuple[pd.DataFrame, LoadReport]:
    """Read a Telegram Desktop export into messages: one row per message between people.

    Parameters
    ----------
    path : str or Path
        ``result.json`` of a Telegram Desktop export in machine-readable JSON: the whole
        account (``chats.list``, ``left_chats.list``) or one chat (``messages``).
    me : str or list of str, optional
        The owner's name as their messages carry it (``from``) or their ``from_id``
        (``user123...``). Not needed for a whole-account export (its
        ``personal_information`` names the owner), nor for a one-to-one chat export.
    tz : str, optional
        Zone of the local ``date`` of old exports that lack ``date_unixtime`` (default UTC).

    Returns
    -------
    messages : DataFrame
        :data:`netanalytics.schema.MESSAGES` with ``source == "telegram"`` and ``channel``
        ``"telegram"`` (``"call"`` for phone calls): ``sender`` the name key of ``from``
        (the name the export gives that ``from_id`` most often), ``to`` the chat's other
        participants (everyone who wrote in it, and a personal chat's person),
        ``thread_id`` ``"telegram:<chat id>"``, ``message_id`` ``"telegram:<chat id>:<id>"``,
        ``in_reply_to`` from ``reply_to_message_id``, ``timestamp`` from ``date_unixtime``.
        No text is kept (nor the owner's phone number: only its country, in
        ``notes["owner_region"]``).
    report : LoadReport
        One :class:`~netanalytics.io.report.FileReport`; a record is one entry of a chat's
        ``messages``; ``read == kept + skipped``. ``notes``: ``export``, ``chats``,
        ``chat_types``, ``owner_rule``.

    Raises
    ------
    FormatError
        The file is not JSON (the message gives the line and column), or not a Telegram
        export.

    Notes
    -----
    *Skipped, with the reason:* service messages (``"service: <action>"``: joins, pins,
    group creation ...), missed or busy calls, bot chats, Saved Messages, channel posts
    (broadcasts), messages of deleted accounts (no ``from_id``), posts made as a channel,
    and messages in a chat where nobody else is known. A phone call (service action
    ``phone_call``) that was answered is kept as a ``"call"`` from its caller.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "result.json"
    >>> _ = p.write_text(json.dumps({"name": "Bo Chen", "type": "personal_chat", "id": 42, "messages": [
    ...     {"id": 1, "type": "message", "date_unixtime": "1741946400", "from": "Bo Chen",
    ...      "from_id": "user42", "text": "hi"},
    ...     {"id": 2, "type": "message", "date_unixtime": "1741946700", "from": "Ann Lee",
    ...      "from_id": "user7", "text": "hello", "reply_to_message_id": 1}]}))
    >>> msgs, report = read_telegram(p)
    >>> msgs[["sender", "to", "is_from_me", "in_reply_to"]].values.tolist()
    [['name:Bo Chen', ['name:Ann Lee'], False, None], ['name:Ann Lee', ['name:Bo Chen'], True, 'telegram:42:1']]
    >>> str(msgs.loc[0, "timestamp"])
    '2025-03-14 10:00:00+00:00'
    """
    path = Path(path)
    zone = time_zone(tz)
    data = _read_json(path)
    try:
        chats, kind = _chats(data)
    except FormatError as exc:
        raise FormatError(f"{path}: {exc} {_HOW_TO}") from None

    me_set = {me} if isinstance(me, str) else set(me or [])
    me_set = {S.clean_name(m) or m for m in me_set}
    owner, rule = _owner_id(data, chats, me_set, kind)

    report = LoadReport()
    rep = report.new_file(str(path), "telegram")
    rep.notes.update(export=kind, chats=len(chats), owner_rule=rule)
    info = data.get("personal_information")
    own_phone = S.normalize_phone(info.get("phone_number")) if isinstance(info, dict) else None
    if own_phone:  # the owner's country: national numbers elsewhere are read in it
        rep.notes["owner_region"] = S.phone_region(own_phone)
    if owner is None:
        rep.warn(f"owner {rule}", limit=MAX_WARNINGS)
    rep.notes["chat_types"] = dict(Counter(str(c.get("type")) for c in chats))

    known = _names_by_id(data, chats, owner)
    rows: list[dict] = []
    for chat in chats:
        rows += _chat_rows(chat, str(path), zone, rep, known, owner)
    return message_frame(rows), report


def _read_json(path: Path) -> dict:
    """The export's JSON object; FormatError naming the file, the place and the fix otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"{path}: cannot be read ({exc.strerror}). Check the path.") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise FormatError(f"{path}: is not UTF-8 text. {_HOW_TO}") from None
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"{path}: is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). "
            f"A Telegram export cut short or edited by hand does not load; export it again. {_HOW_TO}"
        ) from None
    if not isinstance(data, dict):
        raise FormatError(f"{path}: holds a JSON {type(data).__name__}, not a Telegram export. {_HOW_TO}")
    return data


def _names_by_id(data: dict, chats: list[dict], owner: str | None) -> dict[str, str]:
    """One name per ``from_id`` for the whole file: a user renamed keeps their id, and the name
    they carry most often (ties: the larger name) is theirs."""
    names: dict[str, Counter] = defaultdict(Counter)
    for chat in chats:
        for m in chat.get("messages") or []:
            who, name = m.get("from_id") or m.get("actor_id"), m.get("from") or m.get("actor")
            if isinstance(who, str) and isinstance(name, str) and S.clean_name(name):
                names[who][S.clean_name(name)] += 1
        if chat.get("type") == "personal_chat" and S.clean_name(chat.get("name")):
            names[f"user{chat.get('id')}"][S.clean_name(chat["name"])] += 0  # known, if never seen writing
    if isinstance(data.get("personal_information"), dict) and owner:
        info = data["personal_information"]
        full = S.clean_name(f"{info.get('first_name') or ''} {info.get('last_name') or ''}")
        if full:
            names[owner][full] += 0
    return {user: max(counter, key=lambda n, c=counter: (c[n], n)) for user, counter in names.items()}


def _members(messages: list[dict], chat_type: str, chat_id, known: dict[str, str]) -> list[str]:
    """The people of a chat: everyone known who wrote in it, and a personal chat's person."""
    members = list(dict.fromkeys(
        m["from_id"] for m in messages
        if m.get("type") == "message" and isinstance(m.get("from_id"), str)
        and m["from_id"].startswith("user") and m["from_id"] in known
    ))  # fmt: skip
    if chat_type == "personal_chat" and f"user{chat_id}" not in members:
        members.append(f"user{chat_id}")
    return members


def _record_skip_reason(m: dict, who, known: dict[str, str]) -> str | None:
    """Why a record is not a message between people, judged before its date (None: keep going)."""
    row_kind = m.get("type")
    if row_kind == "service":
        if m.get("action") != "phone_call":
            return f"service: {m.get('action') or 'unknown'}"
        if m.get("discard_reason") in _MISSED:
            return "missed call"
    elif row_kind != "message":
        return "unknown record type"
    if not isinstance(who, str) or who not in known:
        return "sender unknown (deleted account)"
    if not who.startswith("user"):
        return "posted as a channel"
    return None


def _chat_rows(
    chat: dict, source_file: str, zone: dt.tzinfo, rep, known: dict[str, str], owner: str | None
) -> list[dict]:
    """Message rows of one chat; every record is kept or skipped with its reason in ``rep``."""
    messages = chat.get("messages") or []
    chat_type = str(chat.get("type"))
    if chat_type in _NOT_CONVERSATION:
        rep.skip(_NOT_CONVERSATION[chat_type], len(messages))
        return []
    chat_id = chat.get("id")
    thread = f"telegram:{chat_id}"
    members = _members(messages, chat_type, chat_id, known)
    rows = []
    for m in messages:
        row_kind = m.get("type")
        who = m.get("from_id") if row_kind == "message" else m.get("actor_id")
        reason = _record_skip_reason(m, who, known)
        when = None
        if reason is None:
            when = _when(m, zone, rep)
            if when is None:
                reason = "no date"
        others = [u for u in members if u != who] if reason is None else []
        if reason is None and not others:
            reason = "no other participant in the chat"
        if reason is not None:
            rep.skip(reason)
            continue
        reply = m.get("reply_to_message_id")
        cross_chat = m.get("reply_to_peer_id") not in (None, chat_id)
        rows.append(
            message_row(
                message_id=f"{thread}:{m.get('id')}",
                source="telegram",
                source_file=source_file,
                channel="call" if row_kind == "service" else "telegram",
                timestamp=when,
                sender=S.name_key(known[who]),
                sender_name=known[who],
                to=[S.name_key(known.get(u) or u) for u in others],
                to_names=[known.get(u) for u in others],
                thread_id=thread,
                is_from_me=who == owner,
                in_reply_to=f"{thread}:{reply}" if reply is not None and not cross_chat else None,
            )
        )
        rep.keep()
    return rows


def _when(m: dict, zone: dt.tzinfo, rep) -> pd.Timestamp | None:
    unix = m.get("date_unixtime")
    if unix is not None:
        try:
            return pd.Timestamp(int(unix), unit="s", tz="UTC")
        except (TypeError, ValueError):
            count(rep, "unreadable_date_unixtime")  # counted; the local "date" below is used instead
    local = m.get("date")
    try:
        moment = dt.datetime.fromisoformat(str(local))
    except ValueError:
        return None
    count(rep, "local_dates")  # an old export: the local "date" only
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return pd.Timestamp(moment.astimezone(dt.UTC))
