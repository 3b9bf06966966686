"""Outlook data files (.pst, .ost) and saved messages (.msg): headers and MAPI properties only."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path

import pandas as pd

from netanalytics import schema as S
from netanalytics._gc import gc_paused
from netanalytics.exceptions import FormatError
from netanalytics.io import _headers as H
from netanalytics.io import _mbox as M
from netanalytics.io import email as E
from netanalytics.io.report import FileReport, LoadReport

__all__ = ["read_msg", "read_pst", "read_pst_contacts"]

PST_SUFFIXES = (".pst", ".ost")
MSG_SUFFIX = ".msg"

# MAPI property tags ([MS-OXPROPS]); the value type is read from each entry.
_MESSAGE_CLASS = 0x001A
_SENT_REPR_NAME, _SENT_REPR_ADDRTYPE, _SENT_REPR_EMAIL, _SENT_REPR_SMTP = 0x0042, 0x0064, 0x0065, 0x5D02
_SENDER_NAME, _SENDER_ADDRTYPE, _SENDER_EMAIL, _SENDER_SMTP = 0x0C1A, 0x0C1E, 0x0C1F, 0x5D01
_SUBMIT_TIME, _DELIVERY_TIME = 0x0039, 0x0E06
_MESSAGE_FLAGS = 0x0E07
_INTERNET_MESSAGE_ID, _IN_REPLY_TO, _REFERENCES = 0x1035, 0x1042, 0x1039
_CONVERSATION_INDEX = 0x0071
_SEARCH_KEY = 0x300B
_START_DATE = 0x0060
_CONTAINER_CLASS = 0x3613
# recipient table
_RECIPIENT_TYPE, _DISPLAY_NAME, _ADDRTYPE, _EMAIL_ADDRESS, _SMTP_ADDRESS = (
    0x0C15,
    0x3001,
    0x3002,
    0x3003,
    0x39FE,
)
_RECIPIENT_FLAGS, _TRACK_STATUS = 0x5FFD, 0x5FFF
# contacts
_GIVEN_NAME, _SURNAME, _MIDDLE_NAME, _COMPANY, _JOB_TITLE = 0x3A06, 0x3A11, 0x3A44, 0x3A16, 0x3A17
_PHONES = (
    0x3A08,
    0x3A09,
    0x3A1C,
    0x3A1A,
    0x3A1B,
    0x3A2F,
)  # business, home, mobile, primary, business 2, home 2
_BIRTHDAY = 0x3A42

_MSGFLAG_UNSENT = 0x8
_TO, _CC, _BCC = 1, 2, 3
_RECIP_ORGANIZER = 0x2
_RESPONSE_DECLINED = 4
_STRING_TYPES = (0x001E, 0x001F)
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")

SKIP_DRAFT = "draft (never sent)"
SKIP_UNREADABLE = "unreadable item (damaged file)"
SKIP_REPORT = "delivery or read report (not a message between people)"
SKIP_OTHER = "task, note, journal or other Outlook item (not mail, a meeting or a contact)"
SKIP_CONTACT_ELSEWHERE = "contact item outside a contacts folder (read_pst_contacts reads contacts folders)"
SKIP_NO_ATTENDEES = "meeting with no attendees besides the organizer"
SKIP_NO_ORGANIZER = "meeting with no organizer"
SKIP_NO_START = "meeting with no start time"
SKIP_DISTLIST = "distribution list (not a person)"
SKIP_NOT_CONTACT = "not a contact item"

_FIX = (
    "Export it again from Outlook (File > Open & Export > Import/Export > Export to a file > "
    "Outlook Data File (.pst)), or repair it with Outlook's Inbox Repair Tool (scanpst.exe)."
)


def _source_digest() -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    return digest.hexdigest()[:12]


_VERSION = f"pst-2026.1+{_source_digest()}"


# --- reading properties ----------------------------------------------------------------------------


class _Props:
    """The properties of one item (or recipient), read on demand by tag; bodies are never read."""

    __slots__ = ("_rs",)

    def __init__(self, record_set):
        self._rs = record_set

    def _entry(self, tag: int):
        if self._rs is None:
            return None
        try:
            return self._rs.get_entry_by_type(tag)
        except (OSError, TypeError):
            return None

    def text(self, tag: int) -> str | None:
        entry = self._entry(tag)
        if entry is None or entry.value_type not in _STRING_TYPES:
            return None
        try:
            value = entry.data_as_string
        except (OSError, UnicodeError):
            data = entry.data or b""
            value = data.decode("utf-16-le" if entry.value_type == 0x001F else "latin-1", "replace")
        if value is None:
            return None
        value = value.replace("\x00", "").strip()
        return value or None

    def integer(self, tag: int) -> int | None:
        entry = self._entry(tag)
        if entry is None or entry.value_type not in (0x0002, 0x0003, 0x0014):
            return None
        try:
            return entry.data_as_integer
        except OSError:
            return None

    def time(self, tag: int) -> dt.datetime | None:
        entry = self._entry(tag)
        if entry is None or entry.value_type != 0x0040:
            return None
        try:
            value = entry.data_as_datetime
        except (OSError, ValueError, OverflowError):
            return None
        # FILETIME is UTC; zero (1601) means "not set"
        if value is None or value.year < 1971:
            return None
        return value.replace(tzinfo=dt.UTC)

    def binary(self, tag: int) -> bytes | None:
        entry = self._entry(tag)
        if entry is None:
            return None
        try:
            return entry.data or None
        except OSError:
            return None

    def strings_with_addresses(self) -> list[str]:
        """Bare e-mail addresses held in named string properties (0x8000 and up): pypff does not
        expose the name-to-id map, and a contact's Email1..3 addresses are named properties."""
        out = []
        for entry in self._rs.entries if self._rs is not None else ():
            if entry.entry_type < 0x8000 or entry.value_type not in _STRING_TYPES:
                continue
            try:
                value = (entry.data_as_string or "").strip()
            except (OSError, UnicodeError):
                continue
            if _EMAIL.fullmatch(value):
                key = S.normalize_email(value)
                if key and key not in out:
                    out.append(key)
        return out


def _props(item) -> _Props:
    try:
        return _Props(item.get_record_set(0) if item.number_of_record_sets else None)
    except OSError:
        return _Props(None)


def _is_legacy_dn(value: str | None) -> bool:
    return bool(value) and value.lstrip().upper().startswith("/O=")


@dataclass
class _Party:
    name: str | None
    address: str | None  # an SMTP address, or None
    dn: str | None  # an Exchange legacy DN that no SMTP address was found for


@dataclass
class _Recipient(_Party):
    kind: int
    organizer: bool
    declined: bool


def _recipient_rows(item):
    """The property sets of an item's recipient table (unreadable rows passed over)."""
    try:
        table = item.recipients
        n = table.number_of_record_sets if table is not None else 0
    except OSError:
        return
    for i in range(n):
        try:
            yield _Props(table.get_record_set(i))
        except OSError:
            continue


def _recipients(item) -> list[_Recipient]:
    out = []
    for p in _recipient_rows(item):
        smtp = p.text(_SMTP_ADDRESS)
        addrtype = (p.text(_ADDRTYPE) or "").upper()
        email = p.text(_EMAIL_ADDRESS)
        address = smtp or (
            email if addrtype == "SMTP" or (email and "@" in email and not _is_legacy_dn(email)) else None
        )
        dn = email if _is_legacy_dn(email) else None
        out.append(
            _Recipient(
                name=p.text(_DISPLAY_NAME),
                address=S.normalize_email(address) if address else None,
                dn=dn,
                kind=p.integer(_RECIPIENT_TYPE) or _TO,
                organizer=bool((p.integer(_RECIPIENT_FLAGS) or 0) & _RECIP_ORGANIZER),
                declined=p.integer(_TRACK_STATUS) == _RESPONSE_DECLINED,
            )
        )
    return out


def _exchange_recipients(item) -> list[_Recipient]:
    """Only the recipients with an Exchange address and an SMTP one (what :class:`_Directory`
    learns from): one property read per recipient for the others."""
    out = []
    for p in _recipient_rows(item):
        if (p.text(_ADDRTYPE) or "").upper() != "EX":
            continue
        dn, smtp = p.text(_EMAIL_ADDRESS), p.text(_SMTP_ADDRESS)
        if _is_legacy_dn(dn) and smtp:
            out.append(_Recipient(None, S.normalize_email(smtp), dn, _TO, False, False))
    return out


class _Directory:
    """Exchange legacy DNs (``/O=ORG/OU=.../CN=RECIPIENTS/CN=ANN``) to SMTP addresses, learnt from
    the recipient tables of the file's items (a recipient row carries both)."""

    def __init__(self):
        self.smtp: dict[str, str] = {}

    def learn(self, recipients: list[_Recipient]) -> None:
        for r in recipients:
            if r.dn and r.address:
                self.smtp.setdefault(r.dn.upper(), r.address)

    def resolve(self, party: _Party) -> _Party:
        if party.address is None and party.dn:
            address = self.smtp.get(party.dn.upper())
            if address:
                return _Party(party.name, address, None)
        return party


def _sender(p: _Props) -> _Party:
    """The From of an item: the sent-representing party (who the mail is from), else the sender."""
    for name_tag, type_tag, email_tag, smtp_tag in (
        (_SENT_REPR_NAME, _SENT_REPR_ADDRTYPE, _SENT_REPR_EMAIL, _SENT_REPR_SMTP),
        (_SENDER_NAME, _SENDER_ADDRTYPE, _SENDER_EMAIL, _SENDER_SMTP),
    ):
        name, smtp, email = p.text(name_tag), p.text(smtp_tag), p.text(email_tag)
        addrtype = (p.text(type_tag) or "").upper()
        if not (name or smtp or email):
            continue
        address = smtp or (
            email if addrtype == "SMTP" or (email and "@" in email and not _is_legacy_dn(email)) else None
        )
        return _Party(
            name, S.normalize_email(address) if address else None, email if _is_legacy_dn(email) else None
        )
    return _Party(None, None, None)


def _thread_key(p: _Props) -> str | None:
    """The conversation index's first 22 bytes (its header block: the conversation's time and
    GUID), shared by every message of an Outlook conversation; replies only append 5-byte blocks."""
    index = p.binary(_CONVERSATION_INDEX)
    if index is None or len(index) < 22:
        return None
    return "outlook-conversation-" + index[:22].hex()


def _header_value(text: str) -> bytes:
    return " ".join(text.split()).encode("utf-8")


def _mailbox(party: _Party) -> bytes:
    name = (party.name or "").replace("\\", "\\\\").replace('"', '\\"')
    if party.address is None:
        return _header_value(name)
    if name and name.lower() != party.address:
        return b'"' + _header_value(name) + b'" <' + party.address.encode("utf-8") + b">"
    return party.address.encode("utf-8")


def _mapi_block(item, p: _Props, sender: _Party, recipients: list[_Recipient]) -> bytes:
    """A header block holding what the item's MAPI properties say, for the one header parser."""
    lines = []
    if sender.name or sender.address:
        lines.append(b"From: " + _mailbox(sender))
    for kind, field in ((_TO, b"To"), (_CC, b"Cc"), (_BCC, b"Bcc")):
        parties = [r for r in recipients if r.kind == kind and r.address]
        if parties:
            lines.append(field + b": " + b", ".join(_mailbox(r) for r in parties))
    when = p.time(_SUBMIT_TIME) or p.time(_DELIVERY_TIME)
    if when is not None:
        lines.append(b"Date: " + format_datetime(when).encode("ascii"))
    for tag, field in (
        (_INTERNET_MESSAGE_ID, b"Message-ID"),
        (_IN_REPLY_TO, b"In-Reply-To"),
        (_REFERENCES, b"References"),
    ):
        value = p.text(tag)
        if value:
            lines.append(field + b": " + _header_value(value))
    try:
        subject = item.subject
    except OSError:
        subject = None
    if subject:
        lines.append(b"Subject: " + _header_value(subject))
    return b"\n".join(lines) + b"\n"


# --- walking the file -------------------------------------------------------------------------------


@dataclass
class _Folder:
    path: str | None  # below the root ("Inbox", "Archive/2019"); None for the root itself
    folder: object
    n_items: int
    container_class: str | None


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise FormatError(f"{path} is a folder, not an Outlook data file. Give the .pst or .ost file.")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such Outlook data file (.pst or .ost).")


def _open(path: Path):
    import pypff

    _check_file(path)
    try:
        signed = pypff.check_file_signature(str(path))
    except OSError as exc:
        raise FormatError(f"{path}: cannot be read ({exc.__class__.__name__}). Check the path.") from None
    if not signed:
        with open(path, "rb") as fh:
            head = fh.read(4)
        raise FormatError(
            f"{path}: not an Outlook data file: a .pst or .ost starts with the bytes '!BDN', "
            f"found {head!r}. Export the mailbox from Outlook as an Outlook Data File (.pst); "
            "Outlook for Mac exports .olm, which this reader does not read (see the README)."
        )
    pst = pypff.file()
    try:
        pst.open(str(path))
    except OSError as exc:
        raise FormatError(
            f"{path}: damaged or truncated Outlook data file ({_first_cause(exc)}). {_FIX}"
        ) from None
    return pst


def _first_cause(exc: Exception) -> str:
    """libpff's message chain, shortened to its first useful clause."""
    parts = [p.strip() for p in str(exc).split(". ") if p.strip()]
    detail = next((p for p in parts[1:2]), parts[0] if parts else exc.__class__.__name__)
    return detail.split(": ", 1)[-1][:160]


_TOP_NAMES = ("top of personal folders", "top of outlook data file", "top of information store")


def _folders(pst, path: Path) -> list[_Folder]:
    """Every folder of the file, depth first, with its item count (no item is opened)."""
    out: list[_Folder] = []

    def visit(folder, parent: str | None, depth: int) -> None:
        name = folder.name
        if depth == 0:
            here = None
        elif depth == 1 and name and name.strip().lower() in _TOP_NAMES:
            here = None  # the mailbox's own root: its folders are named from it
        else:
            here = (f"{parent}/{name}" if parent else name) or "(unnamed folder)"
        out.append(
            _Folder(
                here,
                folder,
                folder.number_of_sub_messages,
                _Props(_first_record_set(folder)).text(_CONTAINER_CLASS),
            )
        )
        for i in range(folder.number_of_sub_folders):
            visit(folder.get_sub_folder(i), here, depth + 1)

    try:
        visit(pst.root_folder, None, 0)
    except OSError as exc:
        raise FormatError(
            f"{path}: damaged or truncated Outlook data file: its folder tree cannot be read "
            f"({_first_cause(exc)}). {_FIX}"
        ) from None
    return out


def _first_record_set(folder):
    try:
        return folder.get_record_set(0) if folder.number_of_record_sets else None
    except OSError:
        return None


def _is_contacts_folder(f: _Folder) -> bool:
    return bool(f.container_class) and f.container_class.upper().startswith("IPF.CONTACT")


def _items(f: _Folder, skipped: Counter, warn, label: str):
    """(index, item) of a folder's items; an item that cannot be opened is counted as skipped."""
    for i in range(f.n_items):
        try:
            item = f.folder.get_sub_message(i)
        except OSError as exc:
            skipped[SKIP_UNREADABLE] += 1
            warn(f"{label}: item {i + 1} of folder {f.path or '(root)'} cannot be read ({_first_cause(exc)})")
            continue
        yield i, item


def _progress_bar(total: int, desc: str):
    if not E.SHOW_PROGRESS.get():
        return None
    from netanalytics._progress import ProgressBar

    return ProgressBar(total=total, unit="item", unit_scale=True, desc=desc, leave=False)


def _meeting_row(
    item, p: _Props, organizer: _Party, recipients: list[_Recipient], path: Path, folder, sent: bool
):
    """A meetings row (as :func:`netanalytics.io.read_ics` makes them), or (None, skip reason)."""
    start = p.time(_START_DATE)
    if start is None:
        return None, SKIP_NO_START
    key = organizer.address or (S.name_key(organizer.name) if organizer.name else None)
    if key is None:
        return None, SKIP_NO_ORGANIZER
    to, names = [], []
    for r in recipients:
        # resources (rooms) are Bcc recipients of a meeting; declined attendees did not meet
        if (
            r.kind == _BCC
            or r.organizer
            or r.declined
            or not r.address
            or r.address == key
            or r.address in to
        ):
            continue
        to.append(r.address)
        names.append(r.name)
    if not to:
        return None, SKIP_NO_ATTENDEES
    uid = "pst-" + ((p.binary(_SEARCH_KEY) or b"").hex() or str(item.identifier))
    try:
        subject = item.subject
    except OSError:
        subject = None
    row = {
        S.MESSAGE_ID: f"{uid}/{start.strftime('%Y%m%dT%H%M%SZ')}",
        S.SOURCE: "pst",
        S.SOURCE_FILE: str(path),
        S.CHANNEL: "meeting",
        S.TIMESTAMP: pd.Timestamp(start),
        S.SENDER: key,
        S.SENDER_NAME: organizer.name,
        S.TO: to,
        S.CC: [],
        S.TO_NAMES: names if any(n is not None for n in names) else [],
        S.CC_NAMES: [],
        S.BCC: [],  # a meeting's Bcc recipients are its rooms and resources
        S.THREAD_ID: uid,
        S.IN_REPLY_TO: None,
        S.REFERENCES: [],
        S.SUBJECT: S.clean_name(subject) if subject else None,
        S.N_RECIPIENTS: len(to),
        S.IS_FROM_ME: False,
        S.IS_AUTOMATED: False,
        S.MAILING_LIST: None,
        S.FOLDER: folder,
        S.LABELS: [],  # as for mail read from folders; the categories are a named property
        M.SENT_LABEL: sent,
        M.DELIVERED_TO: None,
    }
    return row, None


def _meetings_frame(rows: list[dict], like: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(like.columns))
    frame[S.TIMESTAMP] = pd.to_datetime(frame[S.TIMESTAMP], utc=True).astype(like[S.TIMESTAMP].dtype)
    for col in like.columns:
        if col != S.TIMESTAMP and like[col].dtype != object:
            frame[col] = frame[col].astype(like[col].dtype)
    return frame


def _parse_pst(path: Path) -> tuple[pd.DataFrame, FileReport]:
    label = str(path)
    pst = _open(path)
    try:
        folders = _folders(pst, path)
        directory = _Directory()
        results: list[dict] = []
        meetings: list[dict] = []
        meeting_skips: Counter = Counter()
        counters: Counter = Counter()
        classes: Counter = Counter()
        pending: dict[str, tuple[str, str | None]] = {}  # message id -> (legacy DN, name) of its sender
        warnings: list[str] = []

        def warn(text: str) -> None:
            counters["warnings"] += 1
            if len(warnings) < M.MAX_WARNINGS:
                warnings.append(text)

        bar = _progress_bar(sum(f.n_items for f in folders if not _is_contacts_folder(f)), path.name)
        try:
            for f in folders:
                if not f.n_items:
                    continue
                if _is_contacts_folder(f):
                    counters["items_in_contacts_folders"] += f.n_items  # read by read_pst_contacts
                    continue
                batch = M.Batch("pst", f.path, label)
                is_drafts = H.is_drafts_folder(f.path)
                for i, item in _items(f, batch.skipped, warn, label):
                    if bar is not None:
                        bar.update(1)
                    try:
                        _read_item(item, i, f, batch, is_drafts, directory, meetings, meeting_skips,
                                   counters, classes, pending, path, warn)  # fmt: skip
                    except OSError as exc:
                        batch.skipped[SKIP_UNREADABLE] += 1
                        warn(f"{label}: item {i + 1} of folder {f.path} cannot be read ({_first_cause(exc)})")
                results.append(batch.finish())
                M.clear_caches()
        finally:
            if bar is not None:
                bar.close()
    finally:
        pst.close()

    frame, report = E.combine_parts(results, label, "pst")
    if meetings:
        meeting_frame = _meetings_frame(meetings, frame)
        frame = pd.concat([frame, meeting_frame], ignore_index=True) if len(frame) else meeting_frame
        report.kept += len(meeting_frame)
    for reason, n in meeting_skips.items():
        report.skip(reason, n)
    frame = _resolve_late(frame, pending, directory, counters, warn, label)
    report.warnings = (report.warnings + warnings)[: M.MAX_WARNINGS]
    report.notes["counters"] = {
        **report.notes.get("counters", {}),
        **{k: v for k, v in counters.items() if v},
    }
    report.notes["message_classes"] = dict(classes)
    return frame, report


def _read_item(item, i, f: _Folder, batch, is_drafts, directory, meetings, meeting_skips, counters, classes,
               pending, path: Path, warn) -> None:  # fmt: skip
    label = str(path)
    p = _props(item)
    cls = p.text(_MESSAGE_CLASS) or "IPM.Note"
    classes[cls.split(".")[1] if cls.count(".") else cls] += 1
    upper = cls.upper()
    if upper.startswith("REPORT."):
        batch.skipped[SKIP_REPORT] += 1
        return
    if upper.startswith("IPM.CONTACT") or upper.startswith("IPM.DISTLIST"):
        batch.skipped[SKIP_CONTACT_ELSEWHERE] += 1
        return
    is_meeting = upper.startswith("IPM.APPOINTMENT")
    if not (
        is_meeting or upper.startswith(("IPM.NOTE", "IPM.SCHEDULE.MEETING", "IPM.POST")) or upper == "IPM"
    ):
        batch.skipped[SKIP_OTHER] += 1
        return
    if not is_meeting and (is_drafts or (p.integer(_MESSAGE_FLAGS) or 0) & _MSGFLAG_UNSENT):
        batch.skipped[SKIP_DRAFT] += 1
        return
    if batch.folder_is_junk:
        batch.skipped[M.SKIP_JUNK_FOLDER] += 1
        return
    try:
        headers = None if is_meeting else item.transport_headers
    except OSError:
        headers = None
    if headers and headers.strip():
        # the headers name every address; the recipient table only teaches Exchange DNs
        directory.learn(_exchange_recipients(item))
        counters["transport_headers"] += 1
        where = f"{label} item {i + 1} of {f.path}"
        position = (p.binary(_SEARCH_KEY) or b"").hex() or f"{f.path}#{i}"
        batch.add(headers.encode("utf-8", "surrogateescape"), None, where, position, _thread_key(p))
        return
    recipients = _recipients(item)
    directory.learn(recipients)
    sender = directory.resolve(_sender(p))
    where = f"{label} item {i + 1} of {f.path}"
    if is_meeting:
        if sender.address is None and sender.dn:
            counters["sender_exchange_dn_unresolved"] += 1
            warn(
                f"{where}: organizer {sender.name or ''} has an Exchange address ({sender.dn}) and no SMTP address in the file; kept by name"
            )
        row, reason = _meeting_row(item, p, sender, recipients, path, f.path, batch.folder_is_sent)
        if row is None:
            meeting_skips[reason] += 1
        else:
            meetings.append(row)
        return
    position = (p.binary(_SEARCH_KEY) or b"").hex() or f"{f.path}#{i}"
    before = len(batch.rows)
    counters["mapi_properties"] += 1
    unresolved = [r for r in recipients if r.address is None and r.kind in (_TO, _CC, _BCC)]
    if unresolved:
        counters["recipients_without_smtp_address"] += len(unresolved)
    batch.add(_mapi_block(item, p, sender, recipients), None, where, position, _thread_key(p))
    if sender.address is None and sender.dn and len(batch.rows) > before:
        pending[batch.rows[-1][0]] = (sender.dn, sender.name)


def _resolve_late(frame, pending, directory: _Directory, counters: Counter, warn, label: str) -> pd.DataFrame:
    """Senders known only by an Exchange legacy DN whose SMTP address a later item showed."""
    if not pending:
        return frame
    late = {mid: directory.smtp.get(dn.upper()) for mid, (dn, _) in pending.items()}
    found = {mid: a for mid, a in late.items() if a}
    for mid, (dn, name) in pending.items():
        if mid not in found:
            counters["sender_exchange_dn_unresolved"] += 1
            warn(
                f"{label}: message {mid}: sender {name or ''} has an Exchange address ({dn}) and no SMTP address in the file; kept by name"
            )
    if found:
        counters["sender_exchange_dn_resolved"] += len(found)
        rows = frame[S.MESSAGE_ID].isin(list(found)).to_numpy()
        senders = frame[S.SENDER].to_numpy(dtype=object).copy()
        senders[rows] = frame.loc[rows, S.MESSAGE_ID].map(found).to_numpy(dtype=object)
        frame = frame.assign(**{S.SENDER: pd.array(senders, dtype=frame[S.SENDER].dtype)})
    return frame


def load_pst_part(path: Path, cache: bool, cache_dir) -> tuple[pd.DataFrame, FileReport]:
    _check_file(path)
    st = path.stat()
    key = ("pst", _VERSION, str(path.resolve()), st.st_size, st.st_mtime_ns)
    return E.cached_part(key, cache, cache_dir, lambda: _parse_pst(path))


@E.progress_option
def read_pst(
    path: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    me: str | Iterable[str] | None = None,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Read the mail and meetings of Outlook data files (``.pst``, ``.ost``; ANSI or Unicode).

    Parameters
    ----------
    path : path or list of paths
        One ``.pst``/``.ost`` file, or several (a message seen in two files is kept once).
    me : str or list of str, optional
        The owner's addresses. When omitted they are inferred as :func:`read_mbox` infers
        them; a ``Sent Items`` folder (in any language Outlook uses) names the owner.
    cache : bool, default True
        Reuse / store the parsed frame as Parquet, keyed by path, size, mtime and reader version.
    cache_dir : path, optional
        Where the cache lives; default ``$NETANALYTICS_CACHE`` or ``~/.cache/netanalytics``.
    progress : bool, default False
        Show a progress bar over the file's items.

    Returns
    -------
    messages : DataFrame
        :data:`netanalytics.schema.MESSAGES`, ``source == "pst"``: one row per e-mail
        (``channel == "email"``) and per calendar item (``channel == "meeting"``, as
        :func:`read_ics` makes them). ``folder`` is the folder path below the file's root
        (``Inbox``, ``Archive/2019``); ``labels`` stay empty, as for mail read from folders.
    report : LoadReport
        One :class:`FileReport` per file, ``read == kept + skipped``. ``notes["counters"]``
        counts items read from transport headers and from MAPI properties, Exchange senders
        resolved or not, recipients without an SMTP address; ``notes["message_classes"]``
        counts items by class (Note, Appointment, Contact...).

    Raises
    ------
    FormatError
        The file is not an Outlook data file, or it is damaged or truncated so that its
        folder tree cannot be read. An item that alone cannot be read is skipped with the
        reason ``unreadable item (damaged file)``.
    FileNotFoundError
        The path does not exist.

    Notes
    -----
    The file is read with libpff (``pypff``), one folder and one item at a time; bodies and
    attachments are never read, so memory stays bounded whatever the file's size.

    *Mail.* An item that kept its Internet transport headers (mail received over SMTP) is
    parsed from them by the same header parser as mbox. Other items (mail created or
    received inside Exchange) are read from their MAPI properties: the sent-representing
    sender (else the sender), its SMTP address (an Exchange legacy DN ``/O=.../CN=...`` is
    resolved through the recipient tables of the file's items, where some item carries the
    same DN with its SMTP address; otherwise the sender is kept by name and the report says
    so), To, Cc and Bcc recipients (``bcc``: the owner's sent items list them), the client submit time (else the delivery time), the Internet
    Message-ID, In-Reply-To and References. The thread id is the conversation index's
    header block, for both kinds of items, when the item has one.

    *Folders.* Drafts (the unsent flag, or a Drafts folder in any language) are skipped;
    Junk E-mail is skipped; Deleted Items is kept, its rows have ``folder == "Deleted
    Items"``. Contacts folders are left to :func:`read_pst_contacts` (their item count is
    in ``notes["counters"]["items_in_contacts_folders"]``); tasks, notes and journal
    entries, delivery reports are skipped with their reason.

    *Meetings.* An appointment is one row at its start time: the organizer is the sender,
    the attendees who did not decline are ``to`` (rooms and resources are left out).
    Recurring appointments are not expanded: libpff does not expose the recurrence
    pattern (a named property), so a series counts once.

    Examples
    --------
    The real files of the project's test corpora (``../shared/corpora/pst``):

    >>> msgs, report = read_pst("../shared/corpora/pst/32-bit.pst", cache=False)  # doctest: +SKIP
    >>> msgs.loc[0, ["channel", "folder", "sender"]].tolist()  # doctest: +SKIP
    ['meeting', 'Calendar', 'cyndy.foulkrod@stellent.com']
    >>> msgs, report = read_pst("../shared/corpora/pst/support.pst", cache=False)  # doctest: +SKIP
    >>> report.read, report.kept, dict(report.files[0].skipped)  # doctest: +SKIP
    (17, 11, {'draft (never sent)': 6})

    A file that is not one says so:

    >>> import tempfile, pathlib
    >>> fake = pathlib.Path(tempfile.mkdtemp()) / "mail.pst"
    >>> _ = fake.write_bytes(b"From: ann@x.org\\n\\n")
    >>> read_pst(fake, cache=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    netanalytics.exceptions.FormatError: ...mail.pst: not an Outlook data file: a .pst or .ost starts with ...
    """
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    with gc_paused():
        parts = [load_pst_part(Path(p), cache, cache_dir) for p in paths]
        return E.assemble_parts(parts, me)


# --- contacts --------------------------------------------------------------------------------------


def _contact_row(item, p: _Props, path: Path, folder: str | None) -> dict:
    """A contacts row (as :func:`read_vcard` makes them) from a contact item's properties."""
    emails = []
    for tag in (_SMTP_ADDRESS, _EMAIL_ADDRESS):
        key = S.normalize_email(p.text(tag) or "")
        if key and key not in emails:
            emails.append(key)
    emails += [e for e in p.strings_with_addresses() if e not in emails]
    phones = []
    for tag in _PHONES:
        value = p.text(tag)
        if value and value not in phones:
            phones.append(value)
    birthday = p.time(_BIRTHDAY)
    first, last = p.text(_GIVEN_NAME), p.text(_SURNAME)
    return {
        S.SOURCE: "pst",
        S.SOURCE_FILE: str(path),
        S.RECORD_ID: str(item.identifier),
        S.FULL_NAME: S.clean_name(p.text(_DISPLAY_NAME) or " ".join(x for x in (first, last) if x)),
        S.FIRST_NAME: S.clean_name(first),
        S.MIDDLE_NAME: S.clean_name(p.text(_MIDDLE_NAME)),
        S.LAST_NAME: S.clean_name(last),
        S.EMAILS: emails,
        S.PHONES: phones,
        S.COMPANY: S.clean_name(p.text(_COMPANY)),
        S.TITLE: S.clean_name(p.text(_JOB_TITLE)),
        S.LINKEDIN_URL: None,
        S.CONNECTED_ON: pd.NaT,
        S.LABELS: [folder] if folder else [],
        S.BIRTHDAY: birthday.date().isoformat() if birthday is not None else None,
    }


def read_pst_contacts(path: str | os.PathLike) -> tuple[pd.DataFrame, LoadReport]:
    """Read the contacts folders of an Outlook data file (``.pst``, ``.ost``) into contacts.

    Parameters
    ----------
    path : path
        One ``.pst`` or ``.ost`` file.

    Returns
    -------
    contacts : DataFrame
        :data:`netanalytics.schema.CONTACTS`, ``source == "pst"``, one row per contact item
        of a contacts folder (container class ``IPF.Contact``); ``labels`` holds the folder.
    report : LoadReport
        One :class:`FileReport` of kind ``pst.contacts``: distribution lists and other
        items of those folders are skipped with their reason.

    Raises
    ------
    FormatError
        As :func:`read_pst`.

    Notes
    -----
    Name, company, job title, phone numbers and birthday come from their MAPI properties.
    A contact's e-mail addresses are named properties whose ids libpff does not map to
    names: the addresses are taken from the contact's named string properties that hold a
    bare e-mail address (Email1..3), so their order is not guaranteed to be Outlook's.
    """
    path = Path(path)
    pst = _open(path)
    report = LoadReport()
    file_report = report.new_file(str(path), "pst.contacts")
    rows = []
    try:
        for f in _folders(pst, path):
            if not (f.n_items and _is_contacts_folder(f)):
                continue
            for _, item in _items(f, file_report.skipped, file_report.warn, str(path)):
                try:
                    p = _props(item)
                    cls = (p.text(_MESSAGE_CLASS) or "").upper()
                    if cls.startswith("IPM.DISTLIST"):
                        file_report.skip(SKIP_DISTLIST)
                    elif not cls.startswith("IPM.CONTACT"):
                        file_report.skip(SKIP_NOT_CONTACT)
                    else:
                        rows.append(_contact_row(item, p, path, f.path))
                        file_report.keep()
                except OSError:
                    file_report.skip(SKIP_UNREADABLE)
    finally:
        pst.close()
    frame = pd.DataFrame(rows, columns=list(S.CONTACTS)) if rows else S.empty_frame(S.CONTACTS)
    frame[S.CONNECTED_ON] = pd.to_datetime(frame[S.CONNECTED_ON], utc=True)
    S.validate(frame, S.CONTACTS)
    return frame, report


# --- .msg ------------------------------------------------------------------------------------------


def _msg_files(paths: list[Path]) -> list[Path]:
    out = []
    for p in paths:
        if p.is_dir():
            out += sorted(
                q
                for q in p.rglob("*")
                if q.suffix.lower() == MSG_SUFFIX and q.is_file() and not q.name.startswith(".")
            )
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such .msg file or folder.")
    return out


def _msg_block(msg) -> bytes:
    """The header block of a saved message: its transport headers, else its MAPI properties."""
    extract_msg = _extract_msg()

    headers = msg.headerText if hasattr(msg, "headerText") else None
    if headers and headers.strip() and ":" in headers:
        return headers.encode("utf-8", "surrogateescape")
    lines = []
    name, address = msg.getStringStream("__substg1.0_0C1A"), msg.getStringStream("__substg1.0_5D01")
    name = msg.getStringStream("__substg1.0_0042") or name
    address = msg.getStringStream("__substg1.0_5D02") or address
    if not address:
        email = msg.getStringStream("__substg1.0_0065") or msg.getStringStream("__substg1.0_0C1F")
        address = email if email and "@" in email and not _is_legacy_dn(email) else None
    if name or address:
        lines.append(
            b"From: " + _mailbox(_Party(name, S.normalize_email(address) if address else None, None))
        )
    for kind, field in (
        (extract_msg.enums.RecipientType.TO, b"To"),
        (extract_msg.enums.RecipientType.CC, b"Cc"),
        (extract_msg.enums.RecipientType.BCC, b"Bcc"),
    ):
        parties = []
        for r in msg.recipients:
            if r.type != kind:
                continue
            address = r.getStringStream("__substg1.0_39FE") or r.email
            if address and "@" in address and not _is_legacy_dn(address):
                parties.append(_mailbox(_Party(r.name, S.normalize_email(address), None)))
        if parties:
            lines.append(field + b": " + b", ".join(parties))
    when = msg.date
    if when is not None:
        when = when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
        lines.append(b"Date: " + format_datetime(when.astimezone(dt.UTC)).encode("ascii"))
    for value, field in (
        (msg.messageId, b"Message-ID"),
        (msg.inReplyTo, b"In-Reply-To"),
        (msg.subject, b"Subject"),
    ):
        if value:
            lines.append(field + b": " + _header_value(value))
    return b"\n".join(lines) + b"\n"


@E.progress_option
def read_msg(
    path_or_folder: str | os.PathLike | Iterable[str | os.PathLike], *, me: str | Iterable[str] | None = None
) -> tuple[pd.DataFrame, LoadReport]:
    """Read the headers and recipients of Outlook saved messages (``.msg``): files or a folder tree.

    Parameters
    ----------
    path_or_folder : path or list of paths
        ``.msg`` files, or folders searched recursively for them.
    me : str or list of str, optional
        The owner's addresses (see :func:`read_mbox`).
    progress : bool, default False
        Show a progress bar over the files.

    Returns
    -------
    messages, report
        As :func:`read_mbox`; ``source == "msg"``, ``folder`` the file's folder (relative to
        the folder given). One :class:`FileReport` per folder of ``.msg`` files.

    Raises
    ------
    FileNotFoundError
        A path does not exist.

    Notes
    -----
    Read with ``extract-msg``. A message that kept its transport headers is parsed from them
    (the mbox header parser); otherwise From, To, Cc, the date, Message-ID, In-Reply-To and
    the subject come from its MAPI properties. Bodies and attachments are not read. A file
    that is not an Outlook message is skipped with the reason.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "saved.msg").write_bytes(b"not a compound file")
    >>> msgs, report = read_msg(folder)
    >>> len(msgs), dict(report.files[0].skipped)
    (0, {'not an Outlook message (InvalidFileFormatError)': 1})
    """
    paths = [path_or_folder] if isinstance(path_or_folder, (str, os.PathLike)) else list(path_or_folder)
    paths = [Path(p) for p in paths]
    parts = []
    for p in paths:
        if p.is_dir():
            parts += msg_parts(_msg_files([p]), p)
        else:
            parts += msg_parts(_msg_files([p]), None)
    return E.assemble_parts(parts, me)


def _extract_msg():
    """extract-msg, an optional extra (it is GPL-3.0): a clear error when it is missing."""
    try:
        import extract_msg
    except ImportError as err:
        raise FormatError(
            "reading .msg files needs the optional extract-msg package (GPL-3.0): "
            "pip install 'netanalytics[msg]'"
        ) from err
    return extract_msg


def msg_parts(files: list[Path], root: Path | None) -> list[tuple[pd.DataFrame, FileReport]]:
    """One (frame, FileReport) per folder of ``.msg`` files; ``folder`` is the folder relative
    to ``root`` (its name when ``root`` is None or the folder itself)."""
    extract_msg = _extract_msg()

    groups: dict[Path, list[Path]] = {}
    for f in files:
        groups.setdefault(f.parent, []).append(f)
    bar = _progress_bar(len(files), "msg")
    parts = []
    try:
        for d, members in groups.items():
            folder = d.name if root is None or d == root else str(d.relative_to(root)).replace(os.sep, "/")
            batch = M.Batch("msg", folder, str(d))
            for f in members:
                if bar is not None:
                    bar.update(1)
                try:
                    msg = extract_msg.openMsg(str(f), delayAttachments=True)
                except Exception as exc:  # extract-msg raises many kinds for a file that is not a .msg
                    batch.read += 1
                    batch.skipped[f"not an Outlook message ({exc.__class__.__name__})"] += 1
                    continue
                try:
                    if not isinstance(msg, extract_msg.msg_classes.MessageBase):
                        batch.skipped[f"not a mail message ({msg.__class__.__name__})"] += 1
                        continue
                    block = _msg_block(msg)
                finally:
                    msg.close()
                batch.add(block, None, str(f), f.name)
            parts.append(E.combine_parts([batch.finish()], str(d), "msg"))
            M.clear_caches()
    finally:
        if bar is not None:
            bar.close()
    return parts
