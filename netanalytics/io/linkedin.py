"""Read a LinkedIn data export (zip or folder, any vintage since 2018) into canonical frames."""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io._csvtext import decode_bytes, file_key, gc_paused, parse_dates, read_table, warn_capped
from netanalytics.io.report import FileReport, LoadReport
from netanalytics.schema import clean_name, name_key, normalize_email, normalize_linkedin_url

__all__ = ["LinkedInExport", "read_linkedin"]

SOURCE_NAME = "linkedin"
#: ``source`` of the address book a user imported into LinkedIn (not connections).
IMPORTED_SOURCE_NAME = "linkedin_contacts"

#: Largest uncompressed zip member read (bytes); bigger ones are refused as a zip-bomb guard.
MAX_MEMBER_BYTES = 2 * 1024**3
#: Largest uncompressed/compressed ratio accepted for members over 1 MiB (deflate tops out near 1032).
MAX_COMPRESSION_RATIO = 1000

# File kinds, by file_key() of the file name.
_KINDS = {
    "connections": "connections",
    "messages": "messages",
    "coachmessages": "assistant",
    "learningcoachmessages": "assistant",
    "guidemessages": "assistant",
    "contacts": "imported_contacts",
    "importedcontacts": "imported_contacts",
    "invitations": "invitations",
    "endorsementreceivedinfo": "endorsements_received",
    "endorsementgiveninfo": "endorsements_given",
    "recommendationsreceived": "recommendations_received",
    "recommendationsgiven": "recommendations_given",
    "profile": "profile",
    "positions": "positions",
}
# Files an export usually has, reported in LoadReport.missing when absent.
_EXPECTED = {
    "profile": "Profile.csv",
    "connections": "Connections.csv",
    "messages": "messages.csv",
    "invitations": "Invitations.csv",
    "positions": "Positions.csv",
    "endorsements_received": "Endorsement_Received_Info.csv",
    "endorsements_given": "Endorsement_Given_Info.csv",
    "recommendations_received": "Recommendations_Received.csv",
    "recommendations_given": "Recommendations_Given.csv",
}
# Reading order: the owner (Profile.csv) first, messages before the files that need the owner.
_ORDER = [
    "profile",
    "connections",
    "messages",
    "assistant",
    "invitations",
    "endorsements_received",
    "endorsements_given",
    "recommendations_received",
    "recommendations_given",
    "positions",
    "imported_contacts",
]

# Date formats per file, most likely first; the fallbacks cover Excel re-saves (US order).
_EXCEL_FALLBACKS = ["%m/%d/%Y %H:%M", "%m/%d/%y %H:%M", "%m/%d/%Y %I:%M %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]
_CONNECTED_ON_FORMATS = ["%d %b %Y", "%m/%d/%y, %I:%M %p", "%d-%b-%y", "%d-%b-%Y", "%m/%d/%Y", "%m/%d/%y"]
_MESSAGE_FORMATS = ["%Y-%m-%d %H:%M:%S UTC", "%m/%d/%y, %I:%M %p", "%Y-%m-%d %H:%M"] + _EXCEL_FALLBACKS
_US_FORMATS = ["%m/%d/%y, %I:%M %p", "%m/%d/%Y, %I:%M %p", "%Y-%m-%d %H:%M:%S UTC"] + _EXCEL_FALLBACKS
_ENDORSEMENT_FORMATS = [
    "%Y/%m/%d %H:%M:%S UTC",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S UTC",
] + _EXCEL_FALLBACKS

# Skip reasons (the words users read in the load report).
R_HIDDEN = "hidden profile (no name, no URL)"
R_DRAFT = "draft (never sent)"
R_SPONSORED = "sponsored / InMail message"
R_SYSTEM = "system message (no sender)"
R_MEMBER = "sender is a deleted member (LinkedIn Member)"
R_ASSISTANT = "LinkedIn assistant conversation"
R_DATE = "date not understood"
R_DIRECTION = "direction unknown (no Direction column and owner not a party)"
R_EMPTY_CONTACT = "empty contact (no name, email or phone)"
R_EXTRA_PROFILE = "additional profile row (the first row is the owner)"

_MEMBER = "linkedin member"
_MERGE_FIELD = re.compile(r"%(?:FIRST|LAST)NAME%", re.IGNORECASE)
_YES = {"yes", "true", "1", "y"}

# Tokens that, alone after a comma in a TO list, belong to the previous name ("Lee, MBA").
_CREDENTIALS = {
    "jr", "sr", "ii", "iii", "iv", "v", "phd", "md", "mba", "msc", "bsc", "ma", "ms", "ba", "bs",
    "mphil", "dphil", "llm", "jd", "esq", "cpa", "cfa", "pmp", "pe", "peng", "rn", "dds", "dr", "prof",
    "mph", "msw", "lcsw", "cissp", "acca", "aca", "fca", "frcs", "facs", "mbe", "obe", "cbe",
}  # fmt: skip
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&+/.\-]{1,9}$")


@dataclass
class LinkedInExport:
    """Everything read from one LinkedIn data export.

    Attributes
    ----------
    connections : DataFrame
        :data:`netanalytics.schema.CONTACTS` from ``Connections.csv``.
    messages : DataFrame
        :data:`netanalytics.schema.MESSAGES` from ``messages.csv`` (channel ``"linkedin"``).
    invitations : DataFrame
        :data:`netanalytics.schema.INVITATIONS` from ``Invitations.csv``.
    endorsements : DataFrame
        :data:`netanalytics.schema.ENDORSEMENTS`, given and received.
    recommendations : DataFrame
        :data:`netanalytics.schema.RECOMMENDATIONS`, given and received.
    positions : DataFrame
        :data:`netanalytics.schema.POSITIONS` from ``Positions.csv``.
    imported_contacts : DataFrame
        :data:`netanalytics.schema.CONTACTS` from ``Contacts.csv`` (address book imported into
        LinkedIn; ``source`` is ``"linkedin_contacts"``: these people are not connections).
    profile : dict
        ``Profile.csv`` first row, snake_case keys (``first_name``, ``headline``, ``industry`` ...).
    owner_name, owner_url : str or None
        The account owner, as far as the export tells.
    owner_keys : list of str
        Identity keys that are the owner (URL, ``name:<owner>``).
    report : LoadReport
        One FileReport per file read; expected files not found are in ``report.missing``.
    """

    connections: pd.DataFrame = field(default_factory=lambda: S.empty_frame(S.CONTACTS))
    messages: pd.DataFrame = field(default_factory=lambda: S.empty_frame(S.MESSAGES))
    invitations: pd.DataFrame = field(default_factory=lambda: S.empty_frame(S.INVITATIONS))
    endorsements: pd.DataFrame = field(default_factory=lambda: S.empty_frame(S.ENDORSEMENTS))
    recommendations: pd.DataFrame = field(default_factory=lambda: S.empty_frame(S.RECOMMENDATIONS))
    positions: pd.DataFrame = field(default_factory=lambda: S.empty_frame(S.POSITIONS))
    imported_contacts: pd.DataFrame = field(default_factory=lambda: S.empty_frame(S.CONTACTS))
    profile: dict = field(default_factory=dict)
    owner_name: str | None = None
    owner_url: str | None = None
    owner_keys: list[str] = field(default_factory=list)
    report: LoadReport = field(default_factory=LoadReport)

    def __repr__(self) -> str:
        return (
            f"<LinkedInExport owner={self.owner_name!r}: {len(self.connections)} connections, "
            f"{len(self.messages)} messages, {len(self.invitations)} invitations, "
            f"{len(self.endorsements)} endorsements, {len(self.recommendations)} recommendations>"
        )


# --- finding the files ------------------------------------------------------------------------


@dataclass
class _Member:
    display: str  # as shown in reports: "export.zip!Connections.csv" or "folder/Connections.csv"
    kind: str
    read: Callable[[], bytes]


def _zip_reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo, display: str) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            with zf.open(info) as handle:
                data = handle.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise FormatError(
                f"{display}: the zip member is damaged and cannot be decompressed ({exc}). "
                "Download the export again."
            ) from None
        except (NotImplementedError, RuntimeError) as exc:
            raise FormatError(
                f"{display}: the zip member cannot be read ({exc}); extract the export with your "
                "system's unzip tool and pass the folder instead."
            ) from None
        if len(data) > MAX_MEMBER_BYTES:
            raise FormatError(f"{display}: the member decompresses past {MAX_MEMBER_BYTES} bytes; refused.")
        return data

    return read


def _check_member(info: zipfile.ZipInfo, display: str) -> None:
    if info.file_size > MAX_MEMBER_BYTES:
        raise FormatError(
            f"{display}: declares {info.file_size} bytes uncompressed, over the {MAX_MEMBER_BYTES}-byte "
            "bound for one export file (a zip bomb or not a LinkedIn export). Extract it yourself if "
            "you trust it."
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > 1024**2 and ratio > MAX_COMPRESSION_RATIO:
        raise FormatError(
            f"{display}: compression ratio {ratio:.0f}:1 is beyond any real CSV (limit "
            f"{MAX_COMPRESSION_RATIO}:1); refused as a possible zip bomb."
        )


def _members_of_zip(zf: zipfile.ZipFile, label: str) -> list[_Member]:
    members = []
    for info in zf.infolist():
        name = info.filename
        if info.is_dir() or name.startswith("__MACOSX/") or name.rsplit("/", 1)[-1].startswith("._"):
            continue
        if not name.lower().endswith(".csv"):
            continue
        kind = _KINDS.get(file_key(name))
        if kind is None:
            continue
        display = f"{label}!{name}"
        _check_member(info, display)
        members.append(_Member(display, kind, _zip_reader(zf, info, display)))
    return members


def _members_of_folder(folder: Path) -> list[_Member]:
    members = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix.lower() != ".csv" or path.name.startswith("._"):
            continue
        kind = _KINDS.get(file_key(path.name))
        if kind is not None:
            members.append(_Member(str(path), kind, path.read_bytes))
    return members


# --- small helpers --------------------------------------------------------------------------


def _text(value: str) -> str | None:
    value = value.strip()
    return value or None


_CANONICAL_URL = re.compile(r"https://www\.linkedin\.com/in/[^/?#\sA-Z]+\Z")


def _url(value: str) -> str | None:
    if _CANONICAL_URL.match(value):  # already normalised: the common case, skip the general parser
        return value
    return normalize_linkedin_url(value)


def _urls(values: list[str]) -> list[str | None]:
    return _per_unique(values, _url)


def _clean(value: str) -> str | None:
    # clean_name() for the common case of printable ASCII with single spaces, which it leaves as is.
    if value.isascii() and value.isprintable() and "  " not in value and value == value.strip():
        return value or None
    return clean_name(value)


def _full_name(first: str | None, last: str | None) -> str | None:
    if first and last:
        return f"{first} {last}"
    return first or last


def _per_unique(values: list[str], fn: Callable) -> list:
    """``[fn(v) for v in values]``, calling ``fn`` once per distinct value (export columns repeat a lot)."""
    cache = {v: fn(v) for v in set(values)}
    return [cache[v] for v in values]


def _cleans(values: list[str]) -> list[str | None]:
    return [_clean(v) for v in values]


def _emails(values: list[str]) -> list[list[str]]:
    return [[e] if v and (e := normalize_email(v)) else [] for v in values]


def _hash_ids(prefix: str, texts: list[str]) -> list[str]:
    """``prefix`` + 16 hex digits of a keyed SipHash of each text (vectorised, stable across runs)."""
    hashes = pd.util.hash_array(np.array(texts, dtype=object), categorize=False)
    return [f"{prefix}{h:016x}" for h in hashes.tolist()]


def _stable_id(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).hexdigest()


def _is_credential(piece: str) -> bool:
    tokens = piece.split()
    if not tokens or len(tokens) > 3:
        return False
    return all(t.replace(".", "").casefold() in _CREDENTIALS or _ACRONYM.match(t) for t in tokens)


def _split_names(text: str) -> list[str]:
    """Split a TO cell into display names, keeping credentials with their name.

    LinkedIn joins recipient names with ``", "`` but a name may itself hold commas
    (``"Ann Lee, MBA"``). The cell is split on commas; a piece made only of credentials or
    suffixes (``MBA``, ``PhD``, ``Jr.``, an all-capitals acronym of 2-10 characters such as
    ``CISSP``, at most three such tokens) is joined back to the name before it. Anything
    else starts a new name, so ``"Lee, Ann"`` (surname first) reads as two people: exports
    never write names that way, and URLs are used instead of names whenever the file has them.
    """
    names: list[str] = []
    for piece in text.split(","):
        piece = clean_name(piece)
        if piece is None:
            continue
        if names and _is_credential(piece):
            names[-1] = f"{names[-1]}, {piece}"
        else:
            names.append(piece)
    return names


def _drop_members(names: list[str]) -> tuple[list[str], int]:
    kept = [n for n in names if n.casefold() != _MEMBER]
    return kept, len(names) - len(kept)


def _recipients(to_text: str, url_text: str) -> tuple[list[str], list[str], int]:
    """Identity keys, parallel display names (or []) and the count of LinkedIn Member names dropped."""
    names = _split_names(to_text)
    pieces = [p.strip() for p in re.split(r"[,;]", url_text) if p.strip()]
    if not pieces:
        real, dropped = _drop_members(names)
        return [name_key(n) for n in real], real, dropped
    urls = [normalize_linkedin_url(p) for p in pieces]
    if len(urls) == len(names):
        keys, shown, dropped = [], [], 0
        for url, nm in zip(urls, names):
            if nm.casefold() == _MEMBER and url is None:
                dropped += 1
                continue
            keys.append(url or name_key(nm))
            shown.append(nm)
        return keys, shown, dropped
    real, dropped = _drop_members(names)
    keys = [u for u in urls if u]
    return keys, (real if len(real) == len(keys) else []), dropped


def _frame(columns: dict, spec: dict[str, str]) -> pd.DataFrame:
    dtypes = {"datetime": "datetime64[ns, UTC]", "bool": bool, "int": "int64"}
    data = {}
    for col, kind in spec.items():
        values = columns[col]
        if isinstance(values, pd.Series):
            values = values.reset_index(drop=True)
        data[col] = pd.Series(values, dtype=dtypes.get(kind, object))
    return pd.DataFrame(data)


def _warn_dates(
    report: FileReport, column: str, raw: list[str], parsed: pd.Series, lines: list[int], *, kept: bool
):
    bad = parsed.isna().to_numpy()
    outcome = "kept with NaT" if kept else "skipped"
    for i in bad.nonzero()[0]:
        if raw[i].strip():
            warn_capped(report, f"line {lines[i]}: {column} {raw[i]!r} not understood; {outcome}")


# --- one reader per file kind -----------------------------------------------------------------


def _read_connections(text: str, name: str, report: FileReport) -> pd.DataFrame:
    table = read_table(
        text, name, report, required=["first name", "last name", "connected on"],
        what="LinkedIn Connections export (Connections.csv)",
    )  # fmt: skip
    first, last = _cleans(table.get("first name")), _cleans(table.get("last name"))
    urls = _urls(table.get("url", "profile url"))
    idx = [i for i, (f, la, u) in enumerate(zip(first, last, urls)) if f or la or u]
    report.skip(R_HIDDEN, len(table) - len(idx))
    report.keep(len(idx))
    raw_dates = table.get("connected on")
    dates = parse_dates(raw_dates, _CONNECTED_ON_FORMATS)
    _warn_dates(report, "Connected On", raw_dates, dates, table.lines, kept=True)
    emails, companies, positions = (
        _emails(table.get("email address")),
        table.get("company"),
        table.get("position"),
    )
    columns = {
        S.SOURCE: [SOURCE_NAME] * len(idx),
        S.SOURCE_FILE: [name] * len(idx),
        S.RECORD_ID: [str(table.lines[i]) for i in idx],
        S.FULL_NAME: [_full_name(first[i], last[i]) for i in idx],
        S.FIRST_NAME: [first[i] for i in idx],
        S.MIDDLE_NAME: [None] * len(idx),
        S.LAST_NAME: [last[i] for i in idx],
        S.EMAILS: [emails[i] for i in idx],
        S.PHONES: [[] for _ in idx],
        S.COMPANY: [companies[i].strip() or None for i in idx],
        S.TITLE: [positions[i].strip() or None for i in idx],
        S.LINKEDIN_URL: [urls[i] for i in idx],
        S.CONNECTED_ON: dates.iloc[idx],
        S.LABELS: [[] for _ in idx],
        S.BIRTHDAY: [None] * len(idx),
    }
    return _frame(columns, S.CONTACTS)


@dataclass
class _RawMessages:
    """Kept LinkedIn messages before the owner is known."""

    columns: dict
    direction_hint: list  # True (OUTGOING), False (INCOMING) or None, from the 2018 Direction column


def _read_messages(text: str, name: str, report: FileReport) -> _RawMessages:
    table = read_table(
        text, name, report, required=["from", "to", "date"], what="LinkedIn messages export (messages.csv)"
    )
    n = len(table)
    sender_name, sender_url = table.get("from"), table.get("sender profile url")
    to_text, url_text = table.get("to"), table.get("recipient profile urls")
    titles, content, drafts = (
        table.get("conversation title"),
        table.get("content"),
        table.get("is message draft"),
    )
    conv, subjects, folders = table.get("conversation id"), table.get("subject"), table.get("folder")
    directions, raw_dates = table.get("direction"), table.get("date")
    dates = parse_dates(raw_dates, _MESSAGE_FORMATS)
    date_ok = dates.notna().to_numpy()
    surls = _urls(sender_url)

    senders = _per_unique(sender_name, _clean)
    is_draft = _per_unique(drafts, lambda v: v.strip().casefold() in _YES)
    sponsored_title = _per_unique(titles, lambda v: "sponsored" in v.casefold())
    # Checks in order; the first that applies is the reason a row is skipped (0 = kept).
    reasons = [R_DRAFT, R_SPONSORED, R_SYSTEM, R_MEMBER, R_DATE]
    code = [
        1 if is_draft[i]
        else 2 if sponsored_title[i] or ("%" in content[i] and _MERGE_FIELD.search(content[i]))
        else 3 if senders[i] is None and surls[i] is None
        else 4 if surls[i] is None and senders[i].casefold() == _MEMBER
        else 5 if not date_ok[i]
        else 0
        for i in range(n)
    ]  # fmt: skip
    for number, count in sorted(Counter(code).items()):
        if number:
            report.skip(reasons[number - 1], count)
    for i in (i for i in range(n) if code[i] == 5):
        warn_capped(report, f"line {table.lines[i]}: DATE {raw_dates[i]!r} not understood; skipped")
    kept_rows = [i for i in range(n) if code[i] == 0]

    recipients = {cell: _recipients(*cell) for cell in {(to_text[i], url_text[i]) for i in kept_rows}}
    cells = [recipients[(to_text[i], url_text[i])] for i in kept_rows]
    members_dropped = sum(cell[2] for cell in cells)
    out: dict[str, list] = {}
    out[S.SENDER] = [surls[i] or name_key(senders[i] or "") for i in kept_rows]
    out[S.SENDER_NAME] = [senders[i] for i in kept_rows]
    out[S.TO] = [list(cell[0]) for cell in cells]
    out[S.TO_NAMES] = [list(cell[1]) for cell in cells]
    out[S.THREAD_ID] = [
        conv[i].strip()
        or "linkedin-thread:"
        + _stable_id(*sorted({(senders[i] or "").casefold(), *(t.casefold() for t in cell[1])}))
        for i, cell in zip(kept_rows, cells)
    ]
    out[S.SUBJECT] = [subjects[i].strip() or None for i in kept_rows]
    out[S.FOLDER] = [folders[i].strip() or None for i in kept_rows]
    direction_of = {"OUTGOING": True, "INCOMING": False}
    hints = [direction_of.get(directions[i].strip().upper()) for i in kept_rows]
    fields = (conv, sender_name, sender_url, raw_dates, to_text, url_text, subjects)
    out[S.MESSAGE_ID] = _hash_ids("linkedin:", ["\x1f".join([f[i] for f in fields]) for i in kept_rows])
    k = len(kept_rows)
    report.keep(k)
    if members_dropped:
        report.notes["linkedin_member_recipients_dropped"] = members_dropped
        report.warn(
            f"{members_dropped} 'LinkedIn Member' recipients (deleted accounts) dropped from TO lists"
        )
    out[S.SOURCE] = [SOURCE_NAME] * k
    out[S.SOURCE_FILE] = [name] * k
    out[S.CHANNEL] = ["linkedin"] * k
    out[S.TIMESTAMP] = dates.iloc[kept_rows]
    out[S.CC] = [[] for _ in range(k)]
    out[S.CC_NAMES] = [[] for _ in range(k)]
    out[S.IN_REPLY_TO] = [None] * k
    out[S.REFERENCES] = [[] for _ in range(k)]
    out[S.N_RECIPIENTS] = [len(t) for t in out[S.TO]]
    out[S.IS_AUTOMATED] = [False] * k
    out[S.MAILING_LIST] = [None] * k
    out[S.LABELS] = [[] for _ in range(k)]
    return _RawMessages(out, hints)


def _count_records(text: str, name: str, report: FileReport, reason: str) -> None:
    table = read_table(text, name, report, required=["from", "date"], what="LinkedIn messages export")
    report.skip(reason, len(table))


def _read_profile(text: str, name: str, report: FileReport) -> dict:
    table = read_table(
        text, name, report, required=["first name", "last name"], what="LinkedIn profile export (Profile.csv)"
    )
    if not len(table):
        return {}
    report.keep()
    report.skip(R_EXTRA_PROFILE, len(table) - 1)
    profile = {}
    for column, values in table.columns.items():
        value = clean_name(values[0])
        if value is not None:
            profile[re.sub(r"\W+", "_", column).strip("_")] = value
    return profile


def _read_invitations(text: str, name: str, report: FileReport, owner: str | None) -> pd.DataFrame:
    table = read_table(
        text,
        name,
        report,
        required=["from", "to", "sent at"],
        what="LinkedIn invitations export (Invitations.csv)",
    )
    senders, receivers = table.get("from"), table.get("to")
    inviter, invitee = _urls(table.get("inviterprofileurl")), _urls(table.get("inviteeprofileurl"))
    directions, messages = table.get("direction"), table.get("message")
    raw_dates = table.get("sent at")
    dates = parse_dates(raw_dates, _US_FORMATS)
    owner_cf = owner.casefold() if owner else None
    out: dict[str, list] = {S.DIRECTION: [], S.NAME: [], S.LINKEDIN_URL: [], S.HAS_MESSAGE: []}
    idx = []
    for i in range(len(table)):
        direction = directions[i].strip().upper()
        if direction not in ("OUTGOING", "INCOMING") and owner_cf:
            if (clean_name(senders[i]) or "").casefold() == owner_cf:
                direction = "OUTGOING"
            elif (clean_name(receivers[i]) or "").casefold() == owner_cf:
                direction = "INCOMING"
        if direction == "OUTGOING":
            out[S.DIRECTION].append(S.OUT)
            out[S.NAME].append(clean_name(receivers[i]))
            out[S.LINKEDIN_URL].append(invitee[i])
        elif direction == "INCOMING":
            out[S.DIRECTION].append(S.IN)
            out[S.NAME].append(clean_name(senders[i]))
            out[S.LINKEDIN_URL].append(inviter[i])
        else:
            report.skip(R_DIRECTION)
            continue
        out[S.HAS_MESSAGE].append(bool(messages[i].strip()))
        idx.append(i)
    report.keep(len(idx))
    _warn_dates(report, "Sent At", [raw_dates[i] for i in idx], dates.iloc[idx], [table.lines[i] for i in idx],
                kept=True)  # fmt: skip
    out[S.TIMESTAMP] = dates.iloc[idx]
    return _frame(out, S.INVITATIONS)


def _column_ending(table, suffix: str) -> list[str]:
    for column in table.columns:
        if column.endswith(suffix):
            return table.columns[column]
    return [""] * len(table)


def _read_endorsements(text: str, name: str, report: FileReport, direction: str) -> pd.DataFrame:
    table = read_table(
        text, name, report, required=["endorsement date", "skill name"],
        what="LinkedIn endorsements export (Endorsement_Received_Info.csv / Endorsement_Given_Info.csv)",
    )  # fmt: skip
    n = len(table)
    report.keep(n)
    raw_dates = table.get("endorsement date")
    dates = parse_dates(raw_dates, _ENDORSEMENT_FORMATS)
    _warn_dates(report, "Endorsement Date", raw_dates, dates, table.lines, kept=True)
    columns = {
        S.DIRECTION: [direction] * n,
        S.TIMESTAMP: dates,
        S.SKILL: [_text(v) for v in table.get("skill name")],
        S.FIRST_NAME: [clean_name(v) for v in _column_ending(table, "first name")],
        S.LAST_NAME: [clean_name(v) for v in _column_ending(table, "last name")],
        S.LINKEDIN_URL: _urls(_column_ending(table, "url")),
        S.STATUS: [_text(v) for v in table.get("endorsement status", "status")],
    }
    return _frame(columns, S.ENDORSEMENTS)


def _read_recommendations(text: str, name: str, report: FileReport, direction: str) -> pd.DataFrame:
    table = read_table(
        text, name, report, required=["first name", "last name", "text"],
        what="LinkedIn recommendations export (Recommendations_Received.csv / Recommendations_Given.csv)",
    )  # fmt: skip
    n = len(table)
    report.keep(n)
    raw_dates = table.get("creation date")
    dates = parse_dates(raw_dates, _US_FORMATS)
    _warn_dates(report, "Creation Date", raw_dates, dates, table.lines, kept=True)
    columns = {
        S.DIRECTION: [direction] * n,
        S.TIMESTAMP: dates,
        S.FIRST_NAME: [clean_name(v) for v in table.get("first name")],
        S.LAST_NAME: [clean_name(v) for v in table.get("last name")],
        S.COMPANY: [_text(v) for v in table.get("company")],
        S.TITLE: [_text(v) for v in table.get("job title", "title")],
        S.TEXT: [_text(v) for v in table.get("text")],
        S.STATUS: [_text(v) for v in table.get("status")],
    }
    return _frame(columns, S.RECOMMENDATIONS)


def _month(value: str) -> str | None:
    """``Jun 2018`` → ``2018-06``, ``2017`` → ``2017``; other text unchanged; empty → None."""
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d{4}", value):
        return value
    parsed = pd.to_datetime(value, format="%b %Y", errors="coerce")
    return value if pd.isna(parsed) else parsed.strftime("%Y-%m")


def _read_positions(text: str, name: str, report: FileReport) -> pd.DataFrame:
    table = read_table(
        text,
        name,
        report,
        required=["company name", "title"],
        what="LinkedIn positions export (Positions.csv)",
    )
    report.keep(len(table))
    columns = {
        S.COMPANY: [_text(v) for v in table.get("company name")],
        S.TITLE: [_text(v) for v in table.get("title")],
        S.STARTED_ON: [_month(v) for v in table.get("started on")],
        S.FINISHED_ON: [_month(v) for v in table.get("finished on")],
    }
    return _frame(columns, S.POSITIONS)


def _split_list(value: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,;]", value) if p.strip()]


def _read_imported_contacts(text: str, name: str, report: FileReport) -> pd.DataFrame:
    table = read_table(
        text, name, report, required=["firstname", "lastname", "emails"],
        what="LinkedIn imported contacts export (Contacts.csv / ImportedContacts.csv)",
    )  # fmt: skip
    first = [clean_name(v) for v in table.get("firstname")]
    last = [clean_name(v) for v in table.get("lastname")]
    emails = [[e for p in _split_list(v) if (e := normalize_email(p))] for v in table.get("emails")]
    phones = [_split_list(v) for v in table.get("phonenumbers")]
    idx = [i for i in range(len(table)) if first[i] or last[i] or emails[i] or phones[i]]
    report.skip(R_EMPTY_CONTACT, len(table) - len(idx))
    report.keep(len(idx))
    sources, companies, titles = table.get("source"), table.get("companies"), table.get("title")
    full = table.get("fullname")
    birthdays = table.get("birthday")
    columns = {
        S.SOURCE: [IMPORTED_SOURCE_NAME] * len(idx),
        S.SOURCE_FILE: [name] * len(idx),
        S.RECORD_ID: [str(table.lines[i]) for i in idx],
        S.FULL_NAME: [clean_name(full[i]) or clean_name(f"{first[i] or ''} {last[i] or ''}") for i in idx],
        S.FIRST_NAME: [first[i] for i in idx],
        S.MIDDLE_NAME: [None] * len(idx),
        S.LAST_NAME: [last[i] for i in idx],
        S.EMAILS: [emails[i] for i in idx],
        S.PHONES: [phones[i] for i in idx],
        S.COMPANY: [_text(companies[i]) for i in idx],
        S.TITLE: [_text(titles[i]) for i in idx],
        S.LINKEDIN_URL: [None] * len(idx),
        S.CONNECTED_ON: [pd.NaT] * len(idx),
        S.LABELS: [[s.strip()] if s.strip() else [] for s in (sources[i] for i in idx)],
        S.BIRTHDAY: [_text(birthdays[i]) for i in idx],
    }
    return _frame(columns, S.CONTACTS)


# --- the owner --------------------------------------------------------------------------------


def _most_frequent_participant(raw: list[_RawMessages]) -> tuple[str | None, int, int]:
    """The display name on most messages (sender or recipient), with its count and the total."""
    combos: Counter = Counter()
    for part in raw:
        cols = part.columns
        combos.update(zip(cols[S.SENDER_NAME], map(tuple, cols[S.TO_NAMES]), map(tuple, cols[S.TO])))
    counts: Counter = Counter()
    for (sender, names, keys), n in combos.items():
        people = {name.casefold(): name for name in names}
        if not names:
            people.update((k[5:].casefold(), k[5:]) for k in keys if k.startswith("name:"))
        if sender:
            people.setdefault(sender.casefold(), sender)
        for person in people.values():
            counts[person] += n
    if not counts:
        return None, 0, 0
    best = max(counts.items(), key=lambda item: (item[1], item[0]))
    return best[0], best[1], sum(combos.values())


def _owner_from_direction(raw: list[_RawMessages]) -> str | None:
    counts = Counter(
        sender
        for part in raw
        for sender, hint in zip(part.columns[S.SENDER_NAME], part.direction_hint)
        if hint is True and sender
    )
    return counts.most_common(1)[0][0] if counts else None


def _owner_url_from_messages(raw: list[_RawMessages], owner_name: str) -> str | None:
    target = owner_name.casefold()
    counts = Counter(
        sender
        for part in raw
        for sender, name in zip(part.columns[S.SENDER], part.columns[S.SENDER_NAME])
        if name and name.casefold() == target and sender.startswith("https://")
    )
    return counts.most_common(1)[0][0] if counts else None


def _finish_messages(raw: list[_RawMessages], owner_keys: list[str], owner_name: str | None) -> pd.DataFrame:
    frames = []
    keys = set(owner_keys)
    owner_cf = owner_name.casefold() if owner_name else None
    for part in raw:
        cols = part.columns
        cols[S.IS_FROM_ME] = [
            hint
            if hint is not None
            else (sender in keys or (owner_cf is not None and (name or "").casefold() == owner_cf))
            for hint, sender, name in zip(part.direction_hint, cols[S.SENDER], cols[S.SENDER_NAME])
        ]
        frames.append(_frame(cols, S.MESSAGES))
    if not frames:
        return S.empty_frame(S.MESSAGES)
    messages = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    # Two messages identical in every field we hash (same sender, second, thread): number the repeats.
    repeat = messages.groupby(S.MESSAGE_ID, sort=False).cumcount()
    if (repeat > 0).any():
        messages[S.MESSAGE_ID] = messages[S.MESSAGE_ID].where(
            repeat == 0, messages[S.MESSAGE_ID] + "-" + (repeat + 1).astype(str)
        )
    return messages


# --- entry point ------------------------------------------------------------------------------


def read_linkedin(path: str | Path, *, owner: str | None = None) -> LinkedInExport:
    """Read a LinkedIn data export, zip or extracted folder, of any vintage since 2018.

    Parameters
    ----------
    path : str or Path
        ``Basic_LinkedInDataExport_*.zip`` / ``Complete_*.zip`` (read in place, never extracted)
        or the folder it was extracted to (CSVs at the root or in subfolders). File names are
        matched case-insensitively, ignoring spaces, underscores and hyphens.
    owner : str, optional
        The account owner's name or profile URL. Default: ``Profile.csv``'s first and last name,
        else the 2018 ``Direction`` column, else the most frequent message participant.

    Returns
    -------
    LinkedInExport
        Canonical frames for each file found, the owner and a :class:`LoadReport` in which every
        row of every file is kept or skipped with a reason.

    Raises
    ------
    FormatError
        When ``path`` is neither a zip nor a folder, the zip is corrupt or a member is too large
        (zip-bomb guard), a file is not of the kind its name says (the message names the columns
        found and expected), or a CSV cannot be split into records.

    Notes
    -----
    *Rows not kept* (reasons in the report): connections with no name and no URL (hidden
    profiles); messages that are drafts, sponsored/InMail (title containing "Sponsored" or
    ``%FIRSTNAME%`` merge fields in the content), system rows (empty FROM), rows from deleted
    members (``LinkedIn Member``), and every row of ``coach_messages.csv``,
    ``learning_coach_messages.csv`` and ``guide_messages.csv`` (assistant conversations), checked
    in that order. A ``LinkedIn Member`` that is only a recipient is dropped from ``to`` and
    counted in the file's notes. Damaged CSV records (wrong field count, unterminated quote at
    the end of the file) are skipped with a reason naming the line.

    *Dates*: each file's own formats are tried first, then Excel re-save formats (US order).
    Times without a zone (2018 files, Excel) are taken as UTC. A message whose DATE is not
    understood is **skipped** (reason "date not understood"): an undated message cannot be
    placed on any timeline. In every other file the row is **kept with NaT** and a warning
    names the line.

    *Recipients*: ``to`` holds the normalised ``RECIPIENT PROFILE URLS`` (split on ``,`` or
    ``;``) when present, else ``name:<display name>`` keys from ``TO`` split on commas with
    credentials (``MBA``, ``PhD``, ``Jr.``, acronyms) kept attached to the name before them.
    ``to_names`` is parallel to ``to`` when the counts agree, else empty.

    *Identifiers*: ``thread_id`` is CONVERSATION ID (2018 files: a hash of the participants'
    names); ``message_id`` is ``linkedin:`` + a hash of conversation, sender, date, recipients and
    subject (not the content), with ``-2``, ``-3`` ... appended to exact repeats. Message
    content is read only to spot merge fields and is never stored.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "Connections.csv").write_text(
    ...     "Notes:\\n\\"Some emails are missing.\\"\\n\\n"
    ...     "First Name,Last Name,URL,Email Address,Company,Position,Connected On\\n"
    ...     "Ann,Lee,https://www.linkedin.com/in/ann-lee,,Acme,CTO,17 Jun 2021\\n"
    ...     ",,,,,,03 Jan 2022\\n")
    >>> export = read_linkedin(folder)
    >>> export.connections[["full_name", "linkedin_url", "connected_on"]]
      full_name                         linkedin_url              connected_on
    0   Ann Lee  https://www.linkedin.com/in/ann-lee 2021-06-17 00:00:00+00:00
    >>> dict(export.report.files[0].skipped)
    {'hidden profile (no name, no URL)': 1}
    """
    with gc_paused():
        return _read_path(Path(path), owner)


def _read_path(path: Path, owner: str | None) -> LinkedInExport:
    label = str(path)
    if path.is_dir():
        return _read_members(_members_of_folder(path), owner)
    if not path.exists():
        raise FormatError(
            f"{label} does not exist. Pass the LinkedIn export zip or the folder it was extracted to."
        )
    with open(path, "rb") as handle:
        magic = handle.read(4)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        if magic.startswith(b"PK") or path.suffix.lower() == ".zip":
            raise FormatError(
                f"{label} is a corrupt or truncated zip ({exc}). Download the LinkedIn export again."
            ) from None
        raise FormatError(
            f"{label} is neither a zip file nor a folder. Pass the LinkedIn export zip "
            "(Basic_LinkedInDataExport_*.zip) or the folder it was extracted to."
        ) from None
    except OSError as exc:
        raise FormatError(f"{label} cannot be opened as a zip ({exc}).") from None
    with zf:
        return _read_members(_members_of_zip(zf, label), owner)


def _read_members(members: list[_Member], owner: str | None) -> LinkedInExport:
    report = LoadReport()
    by_kind: dict[str, list[_Member]] = {}
    for member in members:
        by_kind.setdefault(member.kind, []).append(member)
    report.missing.extend(shown for kind, shown in _EXPECTED.items() if kind not in by_kind)
    export = LinkedInExport(report=report)
    owner_url = normalize_linkedin_url(owner) if owner else None
    owner_name = clean_name(owner) if owner and owner_url is None else None
    evidence = f"owner= argument ({owner!r})" if owner else None
    frames: dict[str, list[pd.DataFrame]] = {}
    raw_messages: list[_RawMessages] = []
    message_reports: list[FileReport] = []
    profile_reports: list[FileReport] = []

    for kind in _ORDER:
        for member in by_kind.get(kind, []):
            fr = report.new_file(member.display, f"linkedin.{kind}")
            text, encoding = decode_bytes(member.read(), member.display)
            if encoding not in ("utf-8", "utf-8-sig"):
                fr.notes["encoding"] = encoding
            if kind == "profile":
                profile_reports.append(fr)
                profile = _read_profile(text, member.display, fr)
                if profile and not export.profile:
                    export.profile = profile
                    full = clean_name(f"{profile.get('first_name', '')} {profile.get('last_name', '')}")
                    if owner_name is None and owner_url is None and full:
                        owner_name = full
                        evidence = f"{member.display} first and last name"
            elif kind == "connections":
                frames.setdefault(kind, []).append(_read_connections(text, member.display, fr))
            elif kind == "messages":
                message_reports.append(fr)
                raw_messages.append(_read_messages(text, member.display, fr))
            elif kind == "assistant":
                _count_records(text, member.display, fr, R_ASSISTANT)
            else:
                frames.setdefault(kind, []).append(_read_other(kind, text, member.display, fr, owner_name))
        if kind == "messages":
            if owner_name is None:
                owner_name, owner_url, evidence = _infer_owner(raw_messages, owner_url, evidence)
            elif owner_url is None and raw_messages:
                owner_url = _owner_url_from_messages(raw_messages, owner_name)

    export.owner_name, export.owner_url = owner_name, owner_url
    export.owner_keys = [k for k in (owner_url, name_key(owner_name) if owner_name else None) if k]
    for fr in message_reports + profile_reports:
        fr.notes["owner_evidence"] = evidence or "none: no Profile.csv and no messages"
        fr.notes["owner"] = owner_name or owner_url
    export.messages = _finish_messages(raw_messages, export.owner_keys, owner_name)

    def combined(kinds: list[str], spec: dict[str, str]) -> pd.DataFrame:
        parts = [f for kind in kinds for f in frames.get(kind, [])]
        if not parts:
            return S.empty_frame(spec)
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]

    export.connections = combined(["connections"], S.CONTACTS)
    export.invitations = combined(["invitations"], S.INVITATIONS)
    export.endorsements = combined(["endorsements_received", "endorsements_given"], S.ENDORSEMENTS)
    export.recommendations = combined(
        ["recommendations_received", "recommendations_given"], S.RECOMMENDATIONS
    )
    export.positions = combined(["positions"], S.POSITIONS)
    export.imported_contacts = combined(["imported_contacts"], S.CONTACTS)
    return export


def _infer_owner(
    raw: list[_RawMessages], owner_url: str | None, evidence: str | None
) -> tuple[str | None, str | None, str | None]:
    if owner_url is not None:  # owner= gave a URL: take the name from the owner's own rows
        names = Counter(
            name
            for part in raw
            for sender, name in zip(part.columns[S.SENDER], part.columns[S.SENDER_NAME])
            if sender == owner_url and name
        )
        return (names.most_common(1)[0][0] if names else None), owner_url, evidence
    name = _owner_from_direction(raw)
    if name is not None:
        return (
            name,
            _owner_url_from_messages(raw, name),
            "sender of the OUTGOING rows of messages.csv (Direction)",
        )
    name, count, total = _most_frequent_participant(raw)
    if name is None:
        return None, None, evidence
    evidence = f"most frequent message participant ({name!r} in {count} of {total} messages)"
    return name, _owner_url_from_messages(raw, name), evidence


def _read_other(kind: str, text: str, name: str, fr: FileReport, owner_name: str | None) -> pd.DataFrame:
    if kind == "invitations":
        return _read_invitations(text, name, fr, owner_name)
    if kind == "endorsements_received":
        return _read_endorsements(text, name, fr, S.RECEIVED)
    if kind == "endorsements_given":
        return _read_endorsements(text, name, fr, S.GIVEN)
    if kind == "recommendations_received":
        return _read_recommendations(text, name, fr, S.RECEIVED)
    if kind == "recommendations_given":
        return _read_recommendations(text, name, fr, S.GIVEN)
    if kind == "positions":
        return _read_positions(text, name, fr)
    return _read_imported_contacts(text, name, fr)
