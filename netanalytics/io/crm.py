"""Read a CRM's contacts and activities exports (CSV): HubSpot's column names by default, any
other CRM's with a ``columns=`` mapping."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from netanalytics import schema as S
from netanalytics.channels import OTHER, channel_kind, raw_channel_label
from netanalytics.exceptions import FormatError
from netanalytics.io._csvtext import decode_bytes
from netanalytics.io._rows import head_text, message_frame, message_row, parse_when, stable_id, time_zone
from netanalytics.io.report import MAX_WARNINGS, FileReport, LoadReport

__all__ = ["read_crm", "is_crm_csv", "CRM_COLUMNS", "CRM_FIELDS", "OWNER_KEY"]

#: The owner's key when ``me=`` is not given.
OWNER_KEY = "name:(me)"
#: The fields a CRM export is read into: a contacts file's, then an activities file's.
CRM_FIELDS = (
    "record_id", "first_name", "last_name", "full_name", "email", "phone", "company", "title",
    "date", "type", "contact", "contact_id", "contact_email", "direction", "duration", "outcome", "note",
)  # fmt: skip
#: Column names read without configuration (any case; HubSpot's export names first), by field.
#: ``note`` columns (notes, bodies, titles) are recognised so that they are never read.
CRM_COLUMNS: dict[str, tuple[str, ...]] = {
    "record_id": ("record id", "contact id", "id"),
    "first_name": ("first name", "firstname"),
    "last_name": ("last name", "lastname"),
    "full_name": ("full name", "name", "contact name"),
    "email": ("email", "email address", "additional email addresses", "work email"),
    "phone": ("phone number", "mobile phone number", "phone", "mobile phone", "work phone"),
    "company": ("company name", "company", "associated company", "organization"),
    "title": ("job title", "title"),
    "date": ("activity date", "date", "activity timestamp", "call date", "meeting start time"),
    "type": ("activity type", "engagement type", "type"),
    "contact": ("associated contact", "associated contacts"),
    "contact_id": ("associated contact ids", "associated contact id", "contact record id"),
    "contact_email": ("contact email", "associated contact email", "attendee email"),
    "direction": ("call direction", "direction", "email direction"),
    "duration": ("call duration (hh:mm:ss)", "call duration", "duration", "duration minutes"),
    "outcome": ("call outcome", "meeting outcome", "outcome", "call status"),
    "note": (
        "call notes", "notes", "note", "body", "note body", "activity body", "meeting description",
        "call title", "meeting name", "email subject", "subject", "email body", "description",
    ),
}  # fmt: skip
_ACTIVITY_COLUMNS = {"date", "type"}

#: Activity types that are no interaction with anyone (skipped with the reason).
_NOT_INTERACTIONS = {"note": "note (not an interaction)", "task": "task (not an interaction)"}
#: HubSpot's type names for its channels, read before the vocabulary.
_TYPES = {
    "call": "call", "meeting": "meeting", "email": "email", "incoming email": "email",
    "forwarded email": "email", "linkedin message": "linkedin", "whats app": "whatsapp",
    "whatsapp": "whatsapp", "sms": "sms", "postal mail": "postal_mail",
}  # fmt: skip
_DIRECTIONS = {
    "in": "in", "inbound": "in", "incoming": "in", "incoming email": "in", "received": "in",
    "out": "out", "outbound": "out", "outgoing": "out", "outgoing email": "out", "sent": "out",
    "email": "out", "forwarded email": "out",
    "": "mutual", "mutual": "mutual", "both": "mutual",
}  # fmt: skip
#: The direction of a type when the row gives none (a logged email is one the owner sent).
_BY_TYPE = {"incoming email": "in", "email": "out", "forwarded email": "out"}
#: Outcomes of a call or meeting that did not take place (skipped with the reason).
_NOT_HELD = {
    "no answer": "call not connected", "busy": "call not connected", "wrong number": "call not connected",
    "left voicemail": "call not connected", "left live message": "call not connected",
    "no show": "meeting did not take place", "canceled": "meeting did not take place",
    "cancelled": "meeting did not take place", "rescheduled": "meeting did not take place",
}  # fmt: skip
_DELIMITERS = (",", ";", "\t")
_HOW_TO = (
    "Export it from HubSpot: Contacts > Export (all properties) and Activities (or Calls, Meetings) > "
    "Export; another CRM's columns load with columns={'its column': 'field'} (fields: "
    + ", ".join(CRM_FIELDS)
    + ")."
)


def _norm(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").replace("_", " ").casefold().split())


_KNOWN = {name: field for field, names in CRM_COLUMNS.items() for name in names}


def _header(path: Path) -> list[str]:
    head = head_text(path, ".csv") or ""
    first = next((ln for ln in head.splitlines() if ln.strip()), "")
    delimiter = max(_DELIMITERS, key=first.count)
    return next(csv.reader([first], delimiter=delimiter), [])


def is_crm_csv(path: str | Path) -> bool:
    """Whether a ``.csv`` file's header is a CRM export's: HubSpot's ``Record ID`` (or ``Contact
    ID``) with ``First Name`` or ``Email``, or an activities export's ``Activity date`` and
    ``Activity type``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "hubspot-contacts.csv"
    >>> _ = p.write_text("Record ID,First Name,Last Name,Email,Create Date\\n")
    >>> is_crm_csv(p)
    True
    """
    names = {_norm(c) for c in _header(Path(path))}
    ids = bool(names & {"record id", "contact id"}) and bool(names & {"first name", "email"})
    return ids or {"activity date", "activity type"} <= names


def _owner(me: str | None) -> str:
    if me is None:
        return OWNER_KEY
    key = S.normalize_email(me)
    if key is None:
        raise ValueError(f"me={me!r}: give the owner's email address")
    return key


def _people(text: str, region: str | None) -> list[tuple[str, str | None]]:
    """(key, name) of each person a cell names: ``Jane Doe (jane@example.com)``, an address, a
    phone number or a name; several separated by ``;``."""
    out = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        inside = re.search(r"\(([^()]*)\)\s*$", part)
        email = S.normalize_email(inside.group(1)) if inside else S.normalize_email(part)
        name = S.clean_name(part[: inside.start()]) if inside else None
        if email:
            out.append((email, name))
            continue
        phone = S.normalize_phone(part, region)
        if phone:
            out.append((phone, None))
        elif S.clean_name(part):
            out.append((S.name_key(part), S.clean_name(part)))
    return out


class _Sheet:
    """One CSV file: its header mapped to fields, its rows."""

    def __init__(self, path: Path, mapping: dict[str, str], report: LoadReport) -> None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise FormatError(f"{path}: cannot be read ({exc.strerror}). Check the path.") from None
        text, _ = decode_bytes(raw, str(path))
        lines = text.splitlines()
        at = next((i for i, ln in enumerate(lines) if ln.strip()), None)
        if at is None:
            raise FormatError(f"{path}: is empty. {_HOW_TO}")
        self.delimiter = max(_DELIMITERS, key=lines[at].count)
        self.reader = csv.reader(io.StringIO("\n".join(lines[at:])), delimiter=self.delimiter)
        self.header = next(self.reader)
        self.first_line = at + 1
        self.where: dict[str, list[int]] = {}
        not_read = []
        for i, name in enumerate(self.header):
            field = mapping.get(_norm(name)) or _KNOWN.get(_norm(name))
            if field:
                self.where.setdefault(field, []).append(i)
            elif name.strip():
                not_read.append(name.strip())
        self.activities = _ACTIVITY_COLUMNS <= set(self.where) or (
            "date" in self.where and bool({"contact", "contact_id", "contact_email"} & set(self.where))
        )
        if not self.activities and not {"first_name", "last_name", "full_name", "email", "phone"} & set(
            self.where
        ):
            raise FormatError(
                f"{path}: line {at + 1} is neither a CRM contacts header (a name, Email or Phone Number column) "
                f"nor an activities header (Activity date and Activity type) (found: "
                f"{', '.join(h.strip() for h in self.header) or 'nothing'}). {_HOW_TO}"
            )
        self.rep: FileReport = report.new_file(
            str(path), "crm.activities" if self.activities else "crm.contacts"
        )
        self.rep.notes.update(
            delimiter=self.delimiter,
            columns={self.header[i].strip(): f for f, idx in self.where.items() for i in idx},
            columns_not_read=not_read,
        )
        if "note" in self.where:
            self.rep.notes["note_columns"] = "present, never read"
        if not_read:
            self.rep.warn(
                f"columns not read: {', '.join(not_read)} (no field of a CRM export; if one is, "
                f"map it with columns=)",
                limit=MAX_WARNINGS,
            )

    def cells(self, row: list[str], field: str) -> list[str]:
        return [row[i].strip() for i in self.where.get(field, []) if i < len(row) and row[i].strip()]

    def cell(self, row: list[str], field: str) -> str:
        values = self.cells(row, field)
        return values[0] if values else ""

    def rows(self) -> Iterable[tuple[int, list[str]]]:
        for row in self.reader:
            line = self.first_line + self.reader.line_num - 1
            if not any(c.strip() for c in row):
                if row:
                    self.rep.skip("empty row")
                continue
            yield line, row


def read_crm(
    paths: str | Path | Iterable[str | Path],
    *,
    columns: Mapping[str, str] | None = None,
    me: str | None = None,
    tz: str | None = None,
    date_format: str | None = None,
    region: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, LoadReport]:
    """Read a CRM's contacts export and/or activities export: contacts become records,
    calls, meetings and logged emails become messages.

    Parameters
    ----------
    paths : path or list of paths
        ``.csv`` files (``,``, ``;`` or tab separated). Each is a contacts file (a name,
        ``Email`` or ``Phone Number`` column) or an activities file (``Activity date`` and
        ``Activity type``), told apart by its header. Contacts files are read first, so that an
        activity naming its contact by ``Associated Contact IDs`` finds them.
    columns : mapping, optional
        Another CRM's column names for the fields of :data:`CRM_FIELDS`, e.g. ``{"Kontakt":
        "contact", "Datum": "date", "Art": "type"}``. HubSpot's names (:data:`CRM_COLUMNS`) are
        read without it. Columns named neither way are in ``notes["columns_not_read"]`` with a
        warning.
    me : str, optional
        The owner's email address (their key in the messages); default :data:`OWNER_KEY`.
    tz : str, optional
        Zone of dates without an offset (HubSpot writes the account's local time; default UTC).
    date_format : str, optional
        :func:`~datetime.datetime.strptime` format of dates that are not ISO 8601
        (``"%m/%d/%Y %H:%M"``).
    region : str, optional
        Country (ISO 3166, ``"DE"``) of phone numbers written without their country code.

    Returns
    -------
    contacts : DataFrame
        :data:`netanalytics.schema.CONTACTS`, ``source == "crm"``, ``record_id`` the CRM's
        (``Record ID``) or the row number.
    messages : DataFrame
        :data:`netanalytics.schema.MESSAGES`, ``source == "crm"``: one row per activity.
    report : LoadReport
        One file report per file (``crm.contacts`` or ``crm.activities``); a record is a data
        row; ``read == kept + skipped``. ``notes``: ``delimiter``, ``columns`` (file column ->
        field), ``columns_not_read``, ``channels`` (activities kept per channel).

    Raises
    ------
    FormatError
        A file whose header is neither a contacts nor an activities header, or an activities
        file none of whose dates can be read (the message names the file, line and the fix).

    Notes
    -----
    *Activity type* (HubSpot: ``CALL``, ``MEETING``, ``EMAIL``, ``INCOMING_EMAIL``, ``NOTE``,
    ``TASK``, ``SMS``, ``WHATS_APP``, ``LINKEDIN_MESSAGE``; any case, ``_`` read as a space) is
    the channel: ``call``, ``meeting``, ``email``, ``sms``, ``whatsapp``, ``linkedin``; any
    other type is read through :func:`netanalytics.channels.channel_kind` (``"Coffee"`` is
    ``in_person``), the type as written kept as the label ``"channel:<type>"``. Notes and tasks
    are no interaction with anyone: skipped with the reason.

    *Direction* (``Call direction``: ``INBOUND``/``OUTBOUND``; ``Email direction``: ``Incoming
    email``/``Outgoing email``...): in is from the contact to the owner, out from the owner; a
    blank direction is mutual (the owner is the sender, label ``"mutual"``), as a meeting;
    but a blank ``INCOMING_EMAIL`` is in, and ``EMAIL`` (logged from the owner's mailbox) is out.

    *Contact*: ``Associated Contact`` (``Jane Doe (jane@example.com)``, several separated by
    ``;``), else ``Contact email``, else ``Associated Contact IDs`` looked up in the contacts
    file (the contact's first email, else phone, else name is its key). Several contacts make
    a group interaction.

    *Skipped, with the reason:* notes and tasks; calls whose outcome says they were not
    connected (``No answer``, ``Busy``, ``Wrong number``, ``Left voicemail``) or whose duration
    is 0 (``00:00:00``), and meetings that
    did not take place (``No show``, ``Canceled``, ``Rescheduled``); rows without a contact or
    a readable date, or with an unknown direction (each with a warning naming the line);
    contacts with no name, email or phone; empty rows. Notes, bodies, subjects and titles are
    never read: no content is kept.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "activities.csv").write_text(
    ...     "Activity date,Activity type,Associated Contact,Call direction,Call notes\\n"
    ...     "2025-03-04 09:30,CALL,Bo Chen (bo@example.org),INBOUND,asked about the offer\\n"
    ...     "2025-03-05 10:00,TASK,Bo Chen (bo@example.org),,send the deck\\n")
    >>> contacts, messages, report = read_crm(d / "activities.csv", me="ann@example.org")
    >>> messages[["channel", "sender", "to"]].values.tolist()
    [['call', 'bo@example.org', ['ann@example.org']]]
    >>> dict(report.files[0].skipped)
    {'task (not an interaction)': 1}
    """
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    zone = time_zone(tz)
    mapping = {_norm(k): v for k, v in (columns or {}).items()}
    wrong = sorted(set(mapping.values()) - set(CRM_FIELDS))
    if wrong:
        raise ValueError(f"columns= maps to {wrong}: the fields of a CRM export are {', '.join(CRM_FIELDS)}")
    owner = _owner(me)
    report = LoadReport()
    sheets = [_Sheet(p, mapping, report) for p in paths]
    records: list[dict] = []
    key_of_id: dict[str, tuple[str, str | None]] = {}
    for sheet in (s for s in sheets if not s.activities):
        _read_contacts(sheet, records, key_of_id, region)
    rows: list[dict] = []
    for sheet in (s for s in sheets if s.activities):
        _read_activities(sheet, rows, key_of_id, owner, zone, date_format, region)
    contacts = pd.DataFrame(records, columns=list(S.CONTACTS)) if records else S.empty_frame(S.CONTACTS)
    contacts[S.CONNECTED_ON] = pd.to_datetime(contacts[S.CONNECTED_ON], utc=True)
    S.validate(contacts, S.CONTACTS)
    return contacts, message_frame(rows), report


def _read_contacts(sheet: _Sheet, records: list, key_of_id: dict, region: str | None) -> None:
    rep = sheet.rep
    for line, row in sheet.rows():
        first, last = S.clean_name(sheet.cell(row, "first_name")), S.clean_name(sheet.cell(row, "last_name"))
        full = S.clean_name(sheet.cell(row, "full_name")) or S.clean_name(
            " ".join(p for p in (first, last) if p)
        )
        emails: list[str] = []
        for value in sheet.cells(row, "email"):
            for part in re.split(r"[;,]", value):
                email = S.normalize_email(part)
                if email and email not in emails:
                    emails.append(email)
                elif part.strip() and not email:
                    rep.warn(
                        f"line {line}: {part.strip()!r} is not an e-mail address; ignored", limit=MAX_WARNINGS
                    )
        phones = list(dict.fromkeys(sheet.cells(row, "phone")))
        if not (full or emails or phones):
            rep.skip("no name, e-mail or phone")
            continue
        record_id = sheet.cell(row, "record_id") or str(line)
        records.append(
            {
                S.SOURCE: "crm",
                S.SOURCE_FILE: rep.path,
                S.RECORD_ID: record_id,
                S.FULL_NAME: full,
                S.FIRST_NAME: first,
                S.MIDDLE_NAME: None,
                S.LAST_NAME: last,
                S.EMAILS: emails,
                S.PHONES: phones,
                S.COMPANY: S.clean_name(sheet.cell(row, "company")),
                S.TITLE: S.clean_name(sheet.cell(row, "title")),
                S.LINKEDIN_URL: None,
                S.CONNECTED_ON: pd.NaT,
                S.LABELS: [],
                S.BIRTHDAY: None,
            }
        )
        phone = next((k for k in (S.normalize_phone(p, region) for p in phones) if k), None)
        key = emails[0] if emails else phone or S.name_key(full or "")
        key_of_id[record_id] = (key, full if key.startswith("name:") else None)
        rep.keep()


def _read_activities(
    sheet: _Sheet, rows: list, key_of_id: dict, owner: str, zone, date_format: str | None, region: str | None
) -> None:
    rep = sheet.rep
    channels: Counter = Counter()
    seen: Counter = Counter()
    unreadable = []
    for line, row in sheet.rows():
        written = sheet.cell(row, "type")
        kind = _norm(written)
        if kind in _NOT_INTERACTIONS:
            rep.skip(_NOT_INTERACTIONS[kind])
            continue
        outcome = _norm(sheet.cell(row, "outcome"))
        if outcome in _NOT_HELD:
            rep.skip(_NOT_HELD[outcome])
            continue
        people = _people(sheet.cell(row, "contact"), region) or _people(
            sheet.cell(row, "contact_email"), region
        )
        if not people:
            ids = [i.strip() for i in sheet.cell(row, "contact_id").split(";") if i.strip()]
            people = [key_of_id[i] for i in ids if i in key_of_id]
        people = [(k, n) for k, n in people if k != owner]
        if not people:
            rep.skip("no contact")
            rep.warn(f"line {line}: no contact named (or its id is in no contacts file)", limit=MAX_WARNINGS)
            continue
        when = parse_when(sheet.cell(row, "date"), zone, date_format)
        if when is None:
            rep.skip("unreadable date")
            unreadable.append((line, sheet.cell(row, "date")))
            rep.warn(f"line {line}: date {sheet.cell(row, 'date')!r} not read", limit=MAX_WARNINGS)
            continue
        if re.fullmatch(r"[0:.,\s]+", sheet.cell(row, "duration") or "x"):  # 00:00:00, 0
            rep.skip("call not connected")
            continue
        direction = _DIRECTIONS.get(_norm(sheet.cell(row, "direction")) or _BY_TYPE.get(kind, ""))
        if direction is None:
            rep.skip("unknown direction")
            rep.warn(
                f"line {line}: direction {sheet.cell(row, 'direction')!r} is not inbound, outbound or blank",
                limit=MAX_WARNINGS,
            )
            continue
        channel = _TYPES.get(kind) or channel_kind(written, OTHER)
        keys, names = [k for k, _ in people], [n for _, n in people]
        if direction == "in":
            sender, sender_name, to, to_names = keys[0], names[0], [owner, *keys[1:]], [None, *names[1:]]
        else:
            sender, sender_name, to, to_names = owner, None, keys, names
        basis = (rep.path, sheet.cell(row, "date"), written, *keys, direction)
        seen[basis] += 1
        rows.append(
            message_row(
                message_id=stable_id("crm", *basis, seen[basis]),
                source="crm",
                source_file=rep.path,
                channel=channel,
                timestamp=when,
                sender=sender,
                sender_name=sender_name,
                to=to,
                to_names=to_names,
                thread_id=None,
                is_from_me=sender == owner,
                labels=(["mutual"] if direction == "mutual" else [])
                + ([] if kind in _TYPES else raw_channel_label(written, channel)),
            )
        )
        channels[channel] += 1
        rep.keep()
    rep.notes["channels"] = dict(channels)
    if unreadable and not channels:
        line, value = unreadable[0]
        raise FormatError(
            f"{rep.path}: line {line}: no row has a readable date (first: {value!r}). Write dates as "
            f"2025-03-04 14:30, or pass date_format= (e.g. '%m/%d/%Y %H:%M')."
        )
