"""Read a log of calls, meetings and coffees (a CSV the user keeps, or a call-log app's export)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from netanalytics import schema as S
from netanalytics.channels import channel_kind, raw_channel_label
from netanalytics.exceptions import FormatError
from netanalytics.io._csvtext import decode_bytes
from netanalytics.io._rows import head_text, message_frame, message_row, parse_when, stable_id, time_zone
from netanalytics.io.report import MAX_WARNINGS, LoadReport

__all__ = ["read_call_log", "is_call_log", "CALL_LOG_COLUMNS", "OWNER_KEY"]

#: The columns a call log has (any case; spaces and hyphens read as ``_``). ``date`` and
#: ``person`` are required; ``note`` is never read into the frame.
CALL_LOG_COLUMNS = ("date", "person", "channel", "direction", "duration_minutes", "note")
#: The owner's key in a log read without ``me=`` (:func:`netanalytics.load` passes the
#: owner's address instead when it knows it).
OWNER_KEY = "name:(me)"

_DIRECTIONS = {
    "in": "in", "incoming": "in", "inbound": "in", "received": "in",
    "out": "out", "outgoing": "out", "outbound": "out", "made": "out", "dialed": "out", "dialled": "out",
    "mutual": "mutual", "both": "mutual", "": "mutual",
    "missed": "missed", "rejected": "missed", "declined": "missed", "unanswered": "missed",
}  # fmt: skip
_DELIMITERS = (",", ";", "\t")


def _column(name: str) -> str:
    return "_".join(name.replace("\ufeff", "").replace("-", " ").casefold().split())


def is_call_log(path: str | Path) -> bool:
    """Whether a ``.csv`` file's header has the call-log columns ``date`` and ``person``
    and one of ``channel``, ``direction``, ``duration_minutes``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "interactions.csv"
    >>> _ = p.write_text("date,person,channel,direction,duration_minutes,note\\n")
    >>> is_call_log(p)
    True
    """
    head = head_text(Path(path), ".csv")
    if head is None:
        return False
    first = next((ln for ln in head.splitlines() if ln.strip()), "")
    delimiter = max(_DELIMITERS, key=first.count)
    names = {_column(c.strip().strip('"')) for c in first.split(delimiter)}
    return {"date", "person"} <= names and bool(names & {"channel", "direction", "duration_minutes"})


def _key(text: str, region: str | None = None) -> tuple[str | None, str | None]:
    """(identity key, display name) of one person cell: an email, a LinkedIn URL, a phone
    number or a name."""
    email = S.normalize_email(text)
    if email:
        return email, None
    url = S.normalize_linkedin_url(text)
    if url:
        return url, None
    phone = S.normalize_phone(text, region)
    if phone:
        return phone, None
    name = S.clean_name(text)
    return (S.name_key(name), name) if name else (None, None)


def _owner(me: str | None) -> str:
    if me is None:
        return OWNER_KEY
    key, _ = _key(me)
    if key is None:
        raise ValueError(f"me={me!r}: give the owner's email address, LinkedIn URL or name")
    return key


def read_call_log(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    me: str | None = None,
    tz: str | None = None,
    date_format: str | None = None,
    default_channel: str = "call",
    region: str | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Read a log of calls, meetings and coffees: one messages row per logged interaction.

    Parameters
    ----------
    path : str or Path
        A CSV (``,``, ``;`` or tab separated) with the columns ``date, person, channel,
        direction, duration_minutes, note`` (:data:`CALL_LOG_COLUMNS`; any case, in any
        order). ``date`` and ``person`` are required.
    columns : mapping, optional
        The file's column names for the log's ones, e.g. ``{"When": "date", "Who":
        "person", "Type": "channel", "Minutes": "duration_minutes"}``. Columns named
        neither way are listed in ``notes["columns_not_read"]`` with a warning.
    me : str, optional
        The owner's email address, LinkedIn URL or name (their key in the frame); default
        :data:`OWNER_KEY`.
    tz : str, optional
        Zone of dates without an offset (default UTC).
    date_format : str, optional
        :func:`~datetime.datetime.strptime` format for dates that are not ISO 8601
        (``"%d/%m/%Y %H:%M"``). By default ``2025-03-04``, ``2025-03-04 14:30`` and
        ``2025-03-04T14:30:00+01:00`` are read.
    default_channel : str, default "call"
        The kind of channel of a row whose ``channel`` is blank (or of every row, when the file
        has no channel column).
    region : str, optional
        Country (ISO 3166, ``"DE"``) of phone numbers written without their country code.

    Returns
    -------
    messages : DataFrame
        :data:`netanalytics.schema.MESSAGES` with ``source == "calllog"``, ``channel`` the
        kind of the row's channel (:func:`netanalytics.channels.channel_kind`: ``call``,
        ``video``, ``meeting``, ``in_person``, ``sms`` ... or ``other``), the text as written in
        the label ``"channel:<text>"`` (``"channel:Coffee chat"``). ``direction`` in:
        the person is the sender and the owner in ``to``; out and mutual: the owner is the
        sender and the people in ``to`` (a mutual row carries the label ``"mutual"``).
        ``thread_id`` is None: a logged interaction is no conversation thread.
    report : LoadReport
        One :class:`~netanalytics.io.report.FileReport`; a record is a data row;
        ``read == kept + skipped``. ``notes``: ``delimiter``, ``columns`` (file column ->
        log column), ``columns_not_read``, ``owner_key``, ``channels`` (rows kept per
        kind of channel), ``channels_as_written`` (rows kept per channel text), ``minutes_total``.

    Raises
    ------
    FormatError
        No ``date`` or ``person`` column (the message shows the header and the
        ``columns=`` fix), or no row has a readable date.

    Notes
    -----
    ``person`` holds one person or several separated by ``;`` (a coffee with two people),
    each an email address, a LinkedIn profile URL, a phone number (a ``tel:`` key in E.164,
    linked to the address-book entry that lists it) or a name (a name-only key, matched to
    address-book and LinkedIn people by name like any other). ``direction`` is ``in``,
    ``out`` or ``mutual`` (also ``incoming``/``outgoing``/``inbound``/``outbound``/
    ``both``; blank is mutual). Since the log does not say who started a mutual
    interaction, it counts as the owner's, like a meeting they organised.

    Channels are read through :data:`netanalytics.channels.CHANNEL_VOCABULARY`, so that
    "Coffee", "coffee chat" and "lunch" are one kind of channel (``in_person``) and tie
    strength's ``channels`` (multiplexity) counts kinds of channel, not spellings.

    *Skipped, with the reason:* rows without a person, with an unreadable date or an unknown
    direction (each with a warning naming the line), missed calls (direction ``missed``,
    ``rejected``, ``declined``, ``unanswered``, or a duration of 0), and rows with every
    cell blank. The ``note`` column is never read: no content
    is kept. ``duration_minutes`` is summed into ``notes["minutes_total"]``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "log.csv"
    >>> _ = p.write_text("date,person,channel,direction,duration_minutes,note\\n"
    ...                  "2025-03-04 08:30,Bo Chen,coffee,mutual,45,talked about the move\\n"
    ...                  "2025-03-06,bo@example.org,call,in,0,missed\\n")
    >>> log, report = read_call_log(p, me="ann@example.org")
    >>> log[["channel", "sender", "to", "labels"]].values.tolist()
    [['in_person', 'ann@example.org', ['name:Bo Chen'], ['mutual', 'channel:coffee']]]
    >>> dict(report.files[0].skipped)
    {'missed call': 1}
    """
    path = Path(path)
    zone = time_zone(tz)
    mapping = _column_mapping(columns)
    owner = _owner(me)
    header_at, delimiter, reader = _open_log(path)
    header = next(reader)
    where, not_read = _locate_columns(header, mapping)
    _require_columns(path, header_at, header, where)

    report = LoadReport()
    rep = report.new_file(str(path), "calllog")
    rep.notes.update(
        delimiter=delimiter,
        columns={header[i].strip(): c for c, i in where.items()},
        columns_not_read=not_read,
        owner_key=owner,
    )
    if not_read:
        rep.warn(
            f"columns not read: {', '.join(not_read)} (name them with columns= to read them)",
            limit=MAX_WARNINGS,
        )
    if "note" in where:
        rep.notes["note_column"] = "present, never read"

    def cell(row: list[str], name: str) -> str:
        i = where.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    rows: list[dict] = []
    seen: Counter = Counter()
    channels: Counter = Counter()
    as_written: Counter = Counter()
    minutes = 0.0
    unreadable_dates = []
    for row in reader:
        line = header_at + reader.line_num
        if not any(c.strip() for c in row):
            if row:
                rep.skip("empty row")
            continue
        people = [_key(p, region) for p in cell(row, "person").split(";")]
        people = [(k, n) for k, n in people if k is not None and k != owner]
        if not people:
            rep.skip("no person")
            rep.warn(f"line {line}: no person named", limit=MAX_WARNINGS)
            continue
        when = parse_when(cell(row, "date"), zone, date_format)
        if when is None:
            rep.skip("unreadable date")
            unreadable_dates.append((line, cell(row, "date")))
            rep.warn(f"line {line}: date {cell(row, 'date')!r} not read", limit=MAX_WARNINGS)
            continue
        direction = _direction(cell(row, "direction"), line, rep)
        if direction is None:
            continue
        duration = _duration(cell(row, "duration_minutes"), line, rep)
        if duration == 0:
            rep.skip("missed call")
            continue
        minutes += duration or 0.0
        written = cell(row, "channel")
        channel = channel_kind(written, default_channel)
        sender, sender_name, to, to_names = _parties(people, direction, owner)
        basis = (cell(row, "date"), cell(row, "person"), channel, direction)
        seen[basis] += 1
        rows.append(
            message_row(
                message_id=stable_id("calllog", *basis, seen[basis]),
                source="calllog",
                source_file=str(path),
                channel=channel,
                timestamp=when,
                sender=sender,
                sender_name=sender_name,
                to=to,
                to_names=to_names,
                thread_id=None,
                is_from_me=sender == owner,
                labels=(["mutual"] if direction == "mutual" else []) + raw_channel_label(written, channel),
            )
        )
        channels[channel] += 1
        if written:
            as_written[written] += 1
        rep.keep()
    rep.notes["channels"] = dict(channels)
    rep.notes["channels_as_written"] = dict(as_written)
    rep.notes["minutes_total"] = minutes
    if unreadable_dates and not rows:
        line, value = unreadable_dates[0]
        raise FormatError(
            f"{path}: line {line}: no row has a readable date (first: {value!r}). Write dates as "
            f"2025-03-04 or 2025-03-04 14:30, or pass date_format= (e.g. '%d/%m/%Y')."
        )
    return message_frame(rows), report


def _column_mapping(columns: Mapping[str, str] | None) -> dict[str, str]:
    """``columns=`` by the file's column name as :func:`_column` reads it; ValueError when it
    maps to a column a call log does not have."""
    mapping = {_column(k): v for k, v in (columns or {}).items()}
    wrong = sorted(set(mapping.values()) - set(CALL_LOG_COLUMNS))
    if wrong:
        raise ValueError(f"columns= maps to {wrong}: the log's columns are {', '.join(CALL_LOG_COLUMNS)}")
    return mapping


def _require_columns(path: Path, header_at: int, header: list[str], where: dict[str, int]) -> None:
    """FormatError, with the header found and the ``columns=`` fix, when ``date`` or ``person`` is missing."""
    missing = [c for c in ("date", "person") if c not in where]
    if missing:
        raise FormatError(
            f"{path}: line {header_at + 1} has no {' or '.join(missing)} column "
            f"(found: {', '.join(h.strip() for h in header) or 'nothing'}). A call log has the columns "
            f"{', '.join(CALL_LOG_COLUMNS)}; for other names pass columns=, e.g. "
            f"columns={{'When': 'date', 'Who': 'person'}}."
        )


def _direction(text: str, line: int, rep) -> str | None:
    """``in``, ``out`` or ``mutual`` of a row; None when the row is skipped (a missed call, or an
    unknown direction, warned)."""
    direction = _DIRECTIONS.get(text.casefold())
    if direction == "missed":
        rep.skip("missed call")
        return None
    if direction is None:
        rep.skip("unknown direction")
        rep.warn(f"line {line}: direction {text!r} is not in, out or mutual", limit=MAX_WARNINGS)
        return None
    return direction


def _open_log(path: Path):
    """(line index of the header, delimiter, csv reader from the header on) of a call-log file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"{path}: cannot be read ({exc.strerror}). Check the path.") from None
    text, _encoding = decode_bytes(raw, str(path))
    lines = text.splitlines()
    header_at = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if header_at is None:
        raise FormatError(
            f"{path}: is empty. A call log starts with the header {','.join(CALL_LOG_COLUMNS)}."
        )
    delimiter = max(_DELIMITERS, key=lines[header_at].count)
    reader = csv.reader(io.StringIO("\n".join(lines[header_at:])), delimiter=delimiter)
    return header_at, delimiter, reader


def _locate_columns(header: list[str], mapping: Mapping[str, str]) -> tuple[dict[str, int], list[str]]:
    """Position of each log column in ``header`` (first one wins), and the file's columns not read."""
    where: dict[str, int] = {}
    not_read = []
    for i, name in enumerate(header):
        target = mapping.get(_column(name)) or (_column(name) if _column(name) in CALL_LOG_COLUMNS else None)
        if target and target not in where:
            where[target] = i
        elif name.strip():
            not_read.append(name.strip())
    return where, not_read


def _duration(text: str, line: int, rep) -> float | None:
    """Minutes of a row (decimal comma allowed); None when blank or unreadable (warned, row kept)."""
    text = text.replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        rep.warn(f"line {line}: duration {text!r} is not a number of minutes; row kept", limit=MAX_WARNINGS)
        return None


def _parties(people: list[tuple[str, str | None]], direction: str, owner: str):
    """(sender, sender_name, to, to_names): an incoming row is from its first person to the owner
    and the others; an outgoing or mutual one is the owner's, to the people."""
    keys = [k for k, _ in people]
    names = [n for _, n in people]
    if direction == "in":
        return keys[0], names[0], [owner, *keys[1:]], [None, *names[1:]]
    return owner, None, keys, names
