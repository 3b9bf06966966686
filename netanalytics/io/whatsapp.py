"""Read WhatsApp chat exports ("Export chat": a ``.txt``, or the ``.zip`` with media) into messages."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io._rows import message_frame, message_row, stable_id, time_zone
from netanalytics.io.report import MAX_WARNINGS, FileReport, LoadReport

__all__ = ["read_whatsapp", "is_whatsapp_export"]

_SP = "[ \u00a0\u202f]"  # exports put a (narrow) no-break space before AM/PM
_DATE = r"(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4})\.?"
_TIME = (
    rf"(?P<time>\d{{1,2}}[:.]\d{{2}}(?:[:.]\d{{2}})?)"
    rf"(?:{_SP}?(?P<ampm>[AaPp]\.?{_SP}?[Mm]\.?))?"
)
#: ``24/12/2025, 21:41 - Ann Lee: text`` (Android); ``[24/12/2025, 21:41:05] Ann Lee: text`` (iOS).
_LAYOUTS = {
    "android": re.compile(rf"^\u200e?{_DATE},?{_SP}{_TIME}{_SP}-{_SP}(?P<rest>.*)$"),
    "ios": re.compile(rf"^\u200e?\[{_DATE},?{_SP}{_TIME}\]{_SP}(?P<rest>.*)$"),
}
_LRM = "\u200e"

#: Media and deletion markers in the locales of the fixtures (English, German, Spanish, French);
#: a marker in another language is kept as a message (it is still a contact that day).
_MEDIA = re.compile(
    r"^(?:<(?:media omitted|medien ausgeschlossen|multimedia omitido|médias omis)>"
    r"|<(?:attached|anhang): [^>]*>|.* \((?:file attached|datei angehängt|archivo adjunto)\)"
    r"|(?:image|video|audio|sticker|gif|document|contact card|video note) omitted|.* document omitted"
    r"|(?:bild|video|audio|sticker|gif|dokument) weggelassen|.* dokument weggelassen)$",
    re.IGNORECASE,
)
_DELETED = re.compile(
    r"^(?:this message was deleted|you deleted this message|diese nachricht wurde gelöscht"
    r"|du hast diese nachricht gelöscht|se eliminó este mensaje|eliminaste este mensaje"
    r"|ce message a été supprimé|vous avez supprimé ce message)\.?$",
    re.IGNORECASE,
)
#: (reason, words): the first whose words occur in a system line names its reason.
_SYSTEM_REASONS = (
    ("system: encryption notice", ("end-to-end encrypted", "ende-zu-ende-verschlüsselt",
                                   "cifrados de extremo a extremo", "chiffrés de bout en bout")),
    ("system: group created", ("created group", "created this group")),
    ("system: changed the group", ("changed the subject", "changed the group", "changed this group",
                                   "deleted this group", "changed group")),
    ("system: joined", (" joined",)),
    ("system: left", (" left",)),
    ("system: added", (" added", "were added")),
    ("system: removed", (" removed",)),
    ("system: security code changed", ("security code",)),
    ("system: phone number changed", ("changed their phone number", "changed to +")),
    ("system: missed call", ("missed voice call", "missed video call")),
    ("system: disappearing messages", ("disappearing messages",)),
)  # fmt: skip
_GROUP_REASONS = {
    "system: group created", "system: changed the group", "system: joined", "system: left",
    "system: added", "system: removed",
}  # fmt: skip
_FILE_NAME = re.compile(r"^WhatsApp Chat (?:with|-|–) (?P<name>.+)$", re.IGNORECASE)


def is_whatsapp_export(path: str | Path) -> bool:
    """Whether a file's name is one WhatsApp gives an export (``WhatsApp Chat with X.txt``,
    ``WhatsApp Chat - X.zip``, iOS ``_chat.txt``).

    Examples
    --------
    >>> is_whatsapp_export("WhatsApp Chat with Bo Chen.txt"), is_whatsapp_export("notes.txt")
    (True, False)
    """
    path = Path(path)
    return path.suffix.lower() in (".txt", ".zip") and (
        path.name.lower() == "_chat.txt" or bool(_FILE_NAME.match(path.stem))
    )


@dataclass
class _Line:
    """One timestamped line of an export (a message or a system line) and where it is."""

    number: int
    date: tuple[int, int, int]
    time: tuple[int, int, int]
    sender: str | None
    reason: str | None  # why it is skipped; None for a message kept


@dataclass
class _Chat:
    path: str  # as reported ("export.zip!_chat.txt" for a zip member)
    name: str | None  # the chat's name from the file name (the other person, or the group)
    layout: str
    lines: list[_Line] = field(default_factory=list)
    system_sender: str | None = None  # iOS writes system lines as from the chat itself
    twelve_hour: bool = False
    report: FileReport | None = None

    @property
    def writers(self) -> list[str]:
        return list(dict.fromkeys(ln.sender for ln in self.lines if ln.reason is None))

    @property
    def is_group(self) -> bool:
        if len(self.writers) > 2 or any(ln.reason in _GROUP_REASONS for ln in self.lines):
            return True
        return self.system_sender is not None and self.system_sender not in self.writers


def _system_reason(text: str) -> str:
    low = " " + text.lower()
    for reason, words in _SYSTEM_REASONS:
        if any(w in low for w in words):
            return reason
    return "system: other notice"


def _classify(layout: str, rest: str) -> tuple[str | None, str | None, bool]:
    """(sender, skip reason, is a system line written as from the chat) of a line's text."""
    head, sep, text = rest.partition(": ")
    name = S.clean_name(head.replace(_LRM, ""))
    is_message = bool(sep) and name is not None and len(name) <= 100 and not any(q in head for q in '"“”«»')
    if not is_message:
        return None, _system_reason(rest), False
    body = text.strip()
    bare = body.replace(_LRM, "").strip()
    if _MEDIA.match(bare):
        return name, "media omitted (no text)", False
    if _DELETED.match(bare):
        return name, "deleted message", False
    if layout == "ios" and body.startswith(_LRM):
        return name, _system_reason(bare), True
    return name, None, False


def _decode(raw: bytes, where: str) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise FormatError(
        f"{where}: is not UTF-8 text. A WhatsApp export is UTF-8; export the chat again from the phone."
    )


def _numbers(date: str) -> tuple[int, int, int]:
    a, b, c = (int(x) for x in re.split(r"[./-]", date))
    return a, b, c


def _clock(time: str, ampm: str | None) -> tuple[int, int, int]:
    parts = [int(x) for x in re.split(r"[:.]", time)]
    hour, minute, second = parts[0], parts[1], parts[2] if len(parts) > 2 else 0
    if ampm:
        pm = ampm.lower().startswith("p")
        if hour == 12:
            hour = 12 if pm else 0
        elif pm:
            hour += 12
    return hour, minute, second


def _parse(text: str, path: str, name: str | None) -> _Chat:
    lines = text.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        return _Chat(path, name, "android")
    layout = next((k for k, rx in _LAYOUTS.items() if rx.match(lines[first].lstrip("\ufeff"))), None)
    if layout is None:
        raise FormatError(
            f"{path}: line {first + 1} does not start with a WhatsApp date and time "
            f"(found: {lines[first][:80]!r}). Expected an Android line '24/12/2025, 21:41 - Name: ...' or "
            f"an iOS line '[24/12/2025, 21:41:05] Name: ...'; export the chat with WhatsApp's "
            f"'Export chat' and give the .txt or .zip unchanged."
        )
    chat = _Chat(path, name, layout)
    pattern = _LAYOUTS[layout]
    for number, line in enumerate(lines, 1):
        match = pattern.match(line)
        if match is None:
            continue  # a continuation of the message above (multi-line message), or a blank line
        date, time = _numbers(match["date"]), _clock(match["time"], match["ampm"])
        chat.twelve_hour = chat.twelve_hour or bool(match["ampm"])
        sender, reason, from_chat = _classify(layout, match["rest"])
        if from_chat and chat.system_sender is None:
            chat.system_sender = sender
        chat.lines.append(_Line(number, date, time, None if from_chat else sender, reason))
    return chat


def _date_order(chat: _Chat) -> tuple[str, str]:
    """(order, evidence): "year-first", "day-first" or "month-first", from the values."""
    if not chat.lines:
        return "day-first", "no dated line"
    if all(ln.date[0] > 31 for ln in chat.lines):
        return "year-first", "four-digit year first"
    day_first = next((ln for ln in chat.lines if ln.date[0] > 12), None)
    month_first = next((ln for ln in chat.lines if ln.date[1] > 12), None)
    if day_first and month_first:
        raise FormatError(
            f"{chat.path}: the dates mix day-first and month-first orders (line {day_first.number} "
            f"has a first number above 12, line {month_first.number} a second number above 12). "
            f"Export the chat again without editing it, or read it with date_order='day-first' / "
            f"'month-first'."
        )
    if day_first:
        return "day-first", f"line {day_first.number} has a first number above 12"
    if month_first:
        return "month-first", f"line {month_first.number} has a second number above 12"
    # every number is 12 or less: an export is in time order, so take the order that keeps it so
    steps = {}
    for order, pick in (
        ("day-first", lambda d: (d[2], d[1], d[0])),
        ("month-first", lambda d: (d[2], d[0], d[1])),
    ):
        keys = [pick(ln.date) for ln in chat.lines]
        steps[order] = sum(b < a for a, b in zip(keys, keys[1:]))
    if steps["day-first"] != steps["month-first"]:
        order = min(steps, key=steps.get)
        return order, "no day above 12; the other order would put lines out of time order"
    return "day-first", "ambiguous: no day above 12 and both orders keep time order; day-first assumed"


def _timestamp(line: _Line, order: str, zone: dt.tzinfo) -> dt.datetime | None:
    a, b, c = line.date
    year, month, day = (
        (a, b, c) if order == "year-first" else (c, b, a) if order == "day-first" else (c, a, b)
    )
    if year < 100:
        year += 2000
    try:
        local = dt.datetime(year, month, day, *line.time, tzinfo=zone)
    except ValueError:
        return None
    return local.astimezone(dt.UTC)  # a plain datetime: message_frame converts the column at once


def _sources(path: Path) -> tuple[list[tuple[str, str | None, str]], int]:
    """(reported path, chat name, text) of each chat in a .txt or a .zip export, and the
    number of other (media) files in the zip."""
    if path.suffix.lower() != ".zip":
        match = _FILE_NAME.match(path.stem)
        return [
            (str(path), match["name"].strip() if match else None, _decode(path.read_bytes(), str(path)))
        ], 0
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise FormatError(f"{path}: is not a readable zip file. Export the chat again.") from None
    with archive:
        texts = [n for n in archive.namelist() if n.lower().endswith(".txt") and not n.startswith("__MACOSX")]
        if not texts:
            raise FormatError(
                f"{path}: holds no chat .txt file (found: {', '.join(archive.namelist()[:5]) or 'nothing'}). "
                f"Is this a WhatsApp 'Export chat' zip?"
            )
        match = _FILE_NAME.match(path.stem)
        out = []
        for member in texts:
            inner = _FILE_NAME.match(Path(member).stem)
            name = inner["name"] if inner else match["name"] if match else None
            out.append(
                (f"{path}!{member}", name and name.strip(), _decode(archive.read(member), f"{path}!{member}"))
            )
        return out, len(archive.namelist()) - len(texts)


def _key(writer: str) -> tuple[str, str | None]:
    """(identity key, display name) of a writer: a number (WhatsApp shows people not in the
    phone's address book by their number, with its country code) or a name."""
    phone = S.normalize_phone(writer)
    return (phone, None) if phone else (S.name_key(writer), writer)


def _owner(chats: list[_Chat], me: set[str]) -> tuple[set[str], str]:
    writers = [set(c.writers) for c in chats if c.writers]
    if me:
        return me, "me= given"
    if len(writers) >= 2:
        common = set.intersection(*writers)
        if len(common) == 1:
            return common, f"writes in every one of the {len(writers)} chats"
        return set(), (
            f"{len(common)} names write in every chat" if common else "no name writes in every chat"
        )
    return set(), "a single chat: the owner cannot be told from the other writer"


def read_whatsapp(
    path: str | Path | Iterable[str | Path],
    *,
    me: str | Iterable[str] | None = None,
    tz: str | None = None,
    date_order: str | None = None,
    errors: str = "raise",
) -> tuple[pd.DataFrame, LoadReport]:
    """Read WhatsApp chat exports into messages: one row per message written in a chat.

    Parameters
    ----------
    path : path or list of paths
        Exports made with WhatsApp's *Export chat*: the ``.txt`` (Android names it
        ``WhatsApp Chat with <name>.txt``; iOS ``_chat.txt``) or the ``.zip`` (with or without
        media). Give every chat you exported in one call: the owner is found across them.
    me : str or list of str, optional
        The owner's name as their messages carry it in the chats. When None, the one name
        that writes in every chat is the owner (needs two chats or more).
    tz : str, optional
        The phone's time zone (``"Europe/Berlin"``); exports carry local times without a
        zone. Default: read as UTC.
    date_order : {"day-first", "month-first", "year-first"}, optional
        Force the date order; by default it is inferred per file from the values.
    errors : {"raise", "report"}, default "raise"
        What to do with a file that is not a readable export: raise :class:`FormatError`,
        or list it in the report as not read and go on.

    Returns
    -------
    messages : DataFrame
        :data:`netanalytics.schema.MESSAGES` with ``source == channel == "whatsapp"``:
        ``sender`` the writer's name key (:func:`netanalytics.schema.name_key`), or the
        ``tel:`` key of a writer shown by number (someone not in the phone's address book),
        ``to`` the other participants of the chat (everyone else who wrote in it), ``thread_id``
        ``"whatsapp:<chat name>"``, ``is_from_me`` for the owner's messages. No message text,
        media name or group subject is kept.
    report : LoadReport
        One :class:`~netanalytics.io.report.FileReport` per chat; ``read == kept + skipped``
        where a record is a line that starts with a date and time. ``notes`` give
        ``layout`` (android/ios), ``date_order`` and its ``date_order_evidence``, ``clock``
        (12-hour/24-hour), ``group``, ``continuation_lines`` and the ``owner`` rule.

    Raises
    ------
    FormatError
        A file does not start with a WhatsApp date and time, mixes date orders, or is not
        UTF-8 (the message names the file and the line).

    Notes
    -----
    *Skipped, with the reason:* system lines (the encryption notice, "created group",
    "joined", "left", "added", "removed", "changed the subject" / icon / description,
    security code and number changes, missed calls), media without text
    (``<Media omitted>``, ``image omitted``, ``<attached: ...>``, ``... (file attached)``),
    deleted messages, and a message in a chat where nobody else wrote and no other person
    is known. Lines that do not start with a date are the continuation of a multi-line
    message: counted in ``notes["continuation_lines"]``, not as records.

    *Participants.* A group chat's participants are everyone who wrote in it (members who
    never wrote leave no trace in an export); a one-to-one chat whose file names the other
    person (``WhatsApp Chat with Bo Chen.txt``) has that person even when only the owner
    wrote. The group's name (from the file name) is the thread.

    *Dates.* Android writes ``24/12/2025, 21:41 -`` and iOS ``[24/12/2025, 21:41:05]``, in
    the phone's locale: day-first or month-first, ``/``, ``.`` or ``-``, two- or four-digit
    years, 12-hour (``9:41 PM``, with a no-break space) or 24-hour times. The order is
    inferred per file: a first number above 12 means day-first, a second one month-first;
    when every number is 12 or less, the order that keeps the export in time order wins,
    and when both do, day-first is assumed with a warning.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp()) / "WhatsApp Chat with Bo Chen.txt"
    >>> _ = tmp.write_text("\\n".join([
    ...     "03/14/25, 9:05 PM - Bo Chen: Coffee tomorrow?",
    ...     "03/14/25, 9:07 PM - Ann Lee: Yes!",
    ...     "see you at 10", "03/14/25, 9:08 PM - Bo Chen: <Media omitted>"]), encoding="utf-8")
    >>> chat, report = read_whatsapp(tmp, me="Ann Lee")
    >>> chat[["sender", "to", "is_from_me"]].values.tolist()
    [['name:Bo Chen', ['name:Ann Lee'], False], ['name:Ann Lee', ['name:Bo Chen'], True]]
    >>> str(chat.loc[1, "timestamp"])
    '2025-03-14 21:07:00+00:00'
    >>> f = report.files[0]
    >>> f.read, f.kept, dict(f.skipped), f.notes["date_order"]
    (3, 2, {'media omitted (no text)': 1}, 'month-first')
    """
    paths = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
    if errors not in ("raise", "report"):
        raise ValueError(f"errors={errors!r}: use 'raise' or 'report'")
    if date_order not in (None, "day-first", "month-first", "year-first"):
        raise ValueError(f"date_order={date_order!r}: use 'day-first', 'month-first' or 'year-first'")
    zone = time_zone(tz)
    me_names = {S.clean_name(me)} if isinstance(me, str) else {S.clean_name(m) for m in (me or [])}
    me_names.discard(None)

    report = LoadReport()
    chats, orders = _read_chats(paths, date_order, errors, report)
    owner, rule = _owner(chats, me_names)
    rows: list[dict] = []
    for chat in chats:
        report.files.append(chat.report)
        _describe(chat, orders[id(chat)], owner, rule, me_names, zone)
        rows += _chat_rows(chat, orders[id(chat)][0], owner, zone)
    return message_frame(rows), report


def _read_chats(
    paths: list[Path], date_order: str | None, errors: str, report: LoadReport
) -> tuple[list[_Chat], dict[int, tuple[str, str]]]:
    """The chats of every file (a zip may hold several) with their date order and its evidence;
    a file that is not a readable export raises, or with ``errors="report"`` is a skipped file."""
    chats: list[_Chat] = []
    orders: dict[int, tuple[str, str]] = {}
    for p in paths:
        try:
            sources, media = _sources(p)
            for where, name, text in sources:
                chat = _parse(text, where, name)
                orders[id(chat)] = (date_order, "given") if date_order else _date_order(chat)
                chat.report = FileReport(where, "whatsapp")
                chat.report.notes["continuation_lines"] = sum(
                    1 for ln in text.splitlines() if not _LAYOUTS[chat.layout].match(ln)
                )
                if media:
                    chat.report.notes["media_files_in_zip"] = media
                chats.append(chat)
        except (FormatError, OSError) as exc:
            if errors == "raise":
                if isinstance(exc, OSError):
                    raise FormatError(
                        f"{p}: cannot be read ({exc.strerror or exc}). Check the path."
                    ) from None
                raise
            report.skip_file(str(p), "whatsapp", str(exc).removeprefix(f"{p}: "))
    return chats, orders


def _participants(chat: _Chat) -> list[str]:
    """Everyone who wrote in the chat, and the person a one-to-one chat's file is named after."""
    participants = list(chat.writers)
    if not chat.is_group and chat.name and chat.name not in participants and len(participants) < 2:
        participants.append(chat.name)  # a one-to-one chat where the other person never wrote
    return participants


def _describe(
    chat: _Chat, order: tuple[str, str], owner: set[str], rule: str, me_names: set[str], zone: dt.tzinfo
) -> None:
    """The chat's notes (layout, date order, owner ...) and warnings about the owner."""
    rep, writers = chat.report, chat.writers
    rep.notes.update(
        layout=chat.layout,
        date_order=order[0],
        date_order_evidence=order[1],
        clock="12-hour" if chat.twelve_hour else "24-hour",
        group=chat.is_group,
        participants=len(_participants(chat)),
        owner=sorted(owner & set(writers)) if owner else [],
        owner_rule=rule,
        tz=str(zone),
    )
    if me_names and not me_names & set(writers):
        rep.warn(
            f"none of me={sorted(me_names)} writes in this chat (writers: {', '.join(writers[:5])})",
            limit=MAX_WARNINGS,
        )
    if not owner:
        rep.warn(
            f"owner not identified ({rule}); pass me= the name your own messages carry",
            limit=MAX_WARNINGS,
        )


def _chat_rows(chat: _Chat, order: str, owner: set[str], zone: dt.tzinfo) -> list[dict]:
    """Message rows of one chat; every line is kept or skipped with its reason in ``chat.report``."""
    rep = chat.report
    participants = _participants(chat)
    thread = f"whatsapp:{chat.name or chat.system_sender or Path(chat.path.split('!')[0]).stem}"
    # keys and audiences once per writer (a chat has few writers and many lines)
    keys = {p: _key(p) for p in participants}
    audience = {
        w: ([keys[p][0] for p in participants if p != w], [keys[p][1] for p in participants if p != w])
        for w in chat.writers
    }
    rows: list[dict] = []
    seen: Counter = Counter()
    for line in chat.lines:
        if line.reason is not None:
            rep.skip(line.reason)
            continue
        when = _timestamp(line, order, zone)
        if when is None:
            rep.skip("impossible date")
            rep.warn(
                f"line {line.number}: the date {line.date} is not a calendar date as {order}",
                limit=MAX_WARNINGS,
            )
            continue
        sender_key, sender_name = keys[line.sender]
        to, to_names = audience[line.sender]
        if not to:
            rep.skip("no other participant in the chat")
            continue
        key = (when, line.sender)
        seen[key] += 1
        rows.append(
            message_row(
                message_id=stable_id("whatsapp", thread, when.isoformat(), line.sender, seen[key]),
                source="whatsapp",
                source_file=chat.path,
                channel="whatsapp",
                timestamp=when,
                sender=sender_key,
                sender_name=sender_name,
                to=to,
                to_names=to_names,
                thread_id=thread,
                is_from_me=line.sender in owner,
            )
        )
        rep.keep()
    return rows
