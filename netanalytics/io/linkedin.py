"""Read a LinkedIn data export (zip or folder, any vintage since 2018) into canonical frames."""

from __future__ import annotations

import csv
import functools
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
from netanalytics._gc import gc_paused
from netanalytics.exceptions import FormatError
from netanalytics.io._csvtext import (
    Table,
    decode_bytes,
    file_key,
    normalize_column,
    parse_dates,
    read_table,
)
from netanalytics.io.report import MAX_WARNINGS, FileReport, LoadReport
from netanalytics.schema import clean_name, name_key, normalize_email, normalize_linkedin_url

__all__ = ["LinkedInExport", "read_linkedin"]

SOURCE_NAME = "linkedin"
#: ``source`` of the address book a user imported into LinkedIn (not connections).
IMPORTED_SOURCE_NAME = "linkedin_contacts"

#: Largest uncompressed zip member read (bytes); bigger ones are refused as a zip-bomb guard.
MAX_MEMBER_BYTES = 2 * 1024**3
#: Largest uncompressed/compressed ratio accepted for members over 1 MiB (deflate tops out near 1032).
MAX_COMPRESSION_RATIO = 1000

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
R_SPAM = "in the SPAM folder"
R_TO_MEMBER = "sent only to a deleted LinkedIn account (LinkedIn Member)"
R_DUPLICATE = "same record as in another file of the export"
# Why a whole file is not read (FileReport.notes["file_skipped"]; the header seen is in notes["header"]).
R_UNKNOWN_FILE = "not a file netanalytics reads"
R_NOT_CSV = "not a CSV file"
R_PLACEHOLDER = "no table in the file (a placeholder, such as 'No conversations found')"

_MEMBER = "linkedin member"
_MERGE_FIELD = re.compile(r"%(?:FIRST|LAST)NAME%", re.IGNORECASE)
# Sponsored InMail bodies are HTML whose elements carry LinkedIn's "spinmail-..." / "spin..." classes.
_SPINMAIL = re.compile(r"""class\s*=\s*["']?\s*spin""", re.IGNORECASE)
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
        One FileReport per file of the export. A file not read (unknown, unrecognised header,
        placeholder, damaged) has ``kind`` ``"linkedin.unknown"`` or its kind, 0 records, and
        ``notes["file_skipped"]`` (why) and ``notes["header"]`` (the header line seen, if any).
        Expected files not found are in ``report.missing``.
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
    name: str  # the file's name inside the export, which tells its kind
    read: Callable[[int | None], bytes]  # the bytes, or only the first ``n`` when given n


def _zip_reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo, display: str) -> Callable[[int | None], bytes]:
    def read(limit: int | None = None) -> bytes:
        if limit is None:
            _check_member(info, display)
        try:
            with zf.open(info) as handle:
                data = handle.read(MAX_MEMBER_BYTES + 1 if limit is None else limit)
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


def _is_os_litter(name: str) -> bool:
    """Files the operating system adds beside an export (macOS resource forks, .DS_Store)."""
    base = name.rsplit("/", 1)[-1]
    return name.startswith("__MACOSX/") or base.startswith(".")


def _members_of_zip(zf: zipfile.ZipFile, label: str) -> list[_Member]:
    return [
        _Member(f"{label}!{info.filename}", info.filename, _zip_reader(zf, info, f"{label}!{info.filename}"))
        for info in zf.infolist()
        if not info.is_dir() and not _is_os_litter(info.filename)
    ]


def _file_reader(path: Path) -> Callable[[int | None], bytes]:
    def read(limit: int | None = None) -> bytes:
        try:
            with open(path, "rb") as handle:
                return handle.read() if limit is None else handle.read(limit)
        except OSError as exc:
            raise FormatError(f"{path} cannot be read ({exc.strerror or exc}).") from None

    return read


def _members_of_folder(folder: Path) -> list[_Member]:
    return [
        _Member(str(path), path.relative_to(folder).as_posix(), _file_reader(path))
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not _is_os_litter(path.relative_to(folder).as_posix())
    ]


# --- small helpers --------------------------------------------------------------------------


def _text(value: str) -> str | None:
    value = value.strip()
    return value or None


# Plain ASCII slugs only: anything else (percent-escapes, accents) goes through the full canonicaliser.
_CANONICAL_URL = re.compile(r"https://www\.linkedin\.com/in/[-a-z0-9_.]+\Z")


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
            report.warn(f"line {lines[i]}: {column} {raw[i]!r} not understood; {outcome}", limit=MAX_WARNINGS)


# --- one reader per file kind -----------------------------------------------------------------


@dataclass
class _Context:
    """What the files read so far tell the files read next (the owner, from Profile.csv and messages)."""

    owner_name: str | None = None
    owner_url: str | None = None
    evidence: str | None = None  # how the owner was found, shown in the load report
    profile: dict = field(default_factory=dict)
    raw_messages: list = field(default_factory=list)


def _parse_connections(table: Table, report: FileReport, ctx: _Context) -> pd.DataFrame:
    name = table.name
    first, last = _cleans(table.get("first name")), _cleans(table.get("last name"))
    urls = _urls(table.get("url"))
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
    report: FileReport | None = None  # the file's report, where repeats of another file are counted


def _is_spinmail(body: str) -> bool:
    return _SPINMAIL.search(body) is not None


def _parse_messages(table: Table, report: FileReport, ctx: _Context) -> _RawMessages:
    name = table.name
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
    spam = _per_unique(folders, lambda v: v.strip().upper() == "SPAM")
    # Checks in order; the first that applies is the reason a row is skipped (0 = kept).
    # Sponsored InMail: a "Sponsored" title or merge fields, or (often with neither) an HTML body
    # with LinkedIn's spinmail classes from a sender without a profile URL.
    reasons = [R_DRAFT, R_SPONSORED, R_SPAM, R_SYSTEM, R_MEMBER, R_DATE, R_TO_MEMBER]
    code = [
        1 if is_draft[i]
        else 2 if sponsored_title[i] or ("%" in content[i] and _MERGE_FIELD.search(content[i]))
        or (surls[i] is None and _is_spinmail(content[i]))
        else 3 if spam[i]
        else 4 if senders[i] is None and surls[i] is None
        else 5 if surls[i] is None and senders[i].casefold() == _MEMBER
        else 6 if not date_ok[i]
        else 0
        for i in range(n)
    ]  # fmt: skip
    candidates = [i for i in range(n) if code[i] == 0]
    recipients = {cell: _recipients(*cell) for cell in {(to_text[i], url_text[i]) for i in candidates}}
    for i in candidates:
        keys, _, dropped = recipients[(to_text[i], url_text[i])]
        if not keys and dropped:  # every recipient was a deleted account: nobody left to talk to
            code[i] = 7
    for number, count in sorted(Counter(code).items()):
        if number:
            report.skip(reasons[number - 1], count)
    for i in (i for i in range(n) if code[i] == 6):
        report.warn(
            f"line {table.lines[i]}: DATE {raw_dates[i]!r} not understood; skipped", limit=MAX_WARNINGS
        )
    kept_rows = [i for i in range(n) if code[i] == 0]

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
    out[S.BCC] = [[] for _ in range(k)]
    out[S.IN_REPLY_TO] = [None] * k
    out[S.REFERENCES] = [[] for _ in range(k)]
    out[S.N_RECIPIENTS] = [len(t) for t in out[S.TO]]
    out[S.IS_AUTOMATED] = [False] * k
    out[S.MAILING_LIST] = [None] * k
    out[S.LABELS] = [[] for _ in range(k)]
    return _RawMessages(out, hints, report)


def _parse_assistant(table: Table, report: FileReport, ctx: _Context) -> None:
    report.skip(R_ASSISTANT, len(table))


def _parse_profile(table: Table, report: FileReport, ctx: _Context) -> dict:
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


def _parse_invitations(table: Table, report: FileReport, ctx: _Context) -> pd.DataFrame:
    owner = ctx.owner_name
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


def _parse_endorsements(table: Table, report: FileReport, ctx: _Context, *, direction: str) -> pd.DataFrame:
    n = len(table)
    report.keep(n)
    raw_dates = table.get("endorsement date")
    dates = parse_dates(raw_dates, _ENDORSEMENT_FORMATS)
    _warn_dates(report, "Endorsement Date", raw_dates, dates, table.lines, kept=True)
    columns = {
        S.DIRECTION: [direction] * n,
        S.TIMESTAMP: dates,
        S.SKILL: [_text(v) for v in table.get("skill name")],
        S.FIRST_NAME: [clean_name(v) for v in table.get("first name")],
        S.LAST_NAME: [clean_name(v) for v in table.get("last name")],
        S.LINKEDIN_URL: _urls(table.get("url")),
        S.STATUS: [_text(v) for v in table.get("endorsement status")],
    }
    return _frame(columns, S.ENDORSEMENTS)


def _parse_recommendations(
    table: Table, report: FileReport, ctx: _Context, *, direction: str
) -> pd.DataFrame:
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
        S.TITLE: [_text(v) for v in table.get("job title")],
        # the recommendation itself is a message body: only its length is kept
        S.TEXT_CHARS: [len((v or "").strip()) for v in table.get("text")],
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


def _parse_positions(table: Table, report: FileReport, ctx: _Context) -> pd.DataFrame:
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


_PROFILE_IN_TEXT = re.compile(
    r"(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/(?:in|pub)/[^\s,;\"'<>\[\]]+", re.I
)


def _profile_in(text: str) -> str | None:
    """The first LinkedIn profile URL written anywhere in a cell (2018 ``Profiles`` / ``Sites`` lists)."""
    match = _PROFILE_IN_TEXT.search(text) if "linkedin" in text.casefold() else None
    return normalize_linkedin_url(match.group(0)) if match else None


def _parse_imported_contacts(table: Table, report: FileReport, ctx: _Context) -> pd.DataFrame:
    name = table.name
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
    profiles, sites = table.get("profiles"), table.get("sites")  # 2018 only
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
        S.LINKEDIN_URL: [_profile_in(profiles[i]) or _profile_in(sites[i]) for i in idx],
        # "Created At" (2018) is when the address book was imported, not a connection date
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
    if len(frames) > 1:
        # the same messages in two files of one export count once (as in _drop_repeats)
        seen: set = set()
        for k, (frame, part) in enumerate(zip(frames, raw)):
            repeat = frame[S.MESSAGE_ID].isin(seen).to_numpy()
            seen.update(frame[S.MESSAGE_ID])
            if repeat.any() and part.report is not None:
                part.report.kept -= int(repeat.sum())
                part.report.skip(R_DUPLICATE, int(repeat.sum()))
                frames[k] = frame[~repeat].reset_index(drop=True)
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


# --- the files of an export, declared -------------------------------------------------------


@dataclass(frozen=True)
class _FileKind:
    """One kind of file in a LinkedIn export: how to recognise it and what to make of it.

    A file is taken for this kind when its name (compared by :func:`file_key`, so case, spaces,
    ``_`` and ``-`` do not matter) is one of ``names``; it is read when a header line within its
    first 60 lines, split on ``,``, tab or ``;``, holds every ``required`` column once each cell is
    renamed through ``aliases`` (the spellings of other vintages). ``parse`` turns the records into
    rows for ``target``; it reads columns by the names after ``aliases``.
    """

    kind: str  # "linkedin.<kind>" in the load report
    names: tuple[str, ...]  # file_key() of every name the file has had
    required: tuple[str, ...]  # normalised columns (after aliases) that identify the header
    parse: Callable  # (Table, FileReport, _Context) -> rows for target
    target: str | None  # LinkedInExport frame the rows join; "profile", "messages" or None (counted only)
    what: str  # the file as users know it, for reasons and errors
    aliases: dict[str, str] = field(default_factory=dict)  # column in some vintage -> column parse reads
    expected: str | None = None  # listed in report.missing when an export has no file of this kind


_ENDORSEMENT_ALIASES = {
    f"{who} {column}": canonical
    for who in ("endorser", "endorsee")
    for column, canonical in (("first name", "first name"), ("last name", "last name"), ("public url", "url"))
} | {"status": "endorsement status"}
_IMPORTED_2018_ALIASES = {  # 2018 "Imported Contacts.csv" spells with spaces what later files join
    "first name": "firstname",
    "last name": "lastname",
    "email address": "emails",
    "phone numbers": "phonenumbers",
    "full name": "fullname",
}

#: The files read, in reading order: the owner (Profile.csv) first, messages before the files
#: whose direction depends on the owner.
_FILES: tuple[_FileKind, ...] = (
    _FileKind("profile", ("profile",), ("first name", "last name"), _parse_profile, "profile",
              "LinkedIn profile (Profile.csv)", expected="Profile.csv"),
    _FileKind("connections", ("connections",), ("first name", "last name", "connected on"), _parse_connections,
              "connections", "LinkedIn Connections export (Connections.csv)", aliases={"profile url": "url"},
              expected="Connections.csv"),
    _FileKind("messages", ("messages",), ("from", "to", "date"), _parse_messages, "messages",
              "LinkedIn messages export (messages.csv)", expected="messages.csv"),
    _FileKind("assistant", ("coachmessages", "learningcoachmessages", "guidemessages"), ("from", "date"),
              _parse_assistant, None, "LinkedIn assistant conversations (coach_messages.csv)"),
    _FileKind("invitations", ("invitations",), ("from", "to", "sent at"), _parse_invitations, "invitations",
              "LinkedIn invitations export (Invitations.csv)", expected="Invitations.csv"),
    _FileKind("endorsements_received", ("endorsementreceivedinfo",), ("endorsement date", "skill name"),
              functools.partial(_parse_endorsements, direction=S.RECEIVED), "endorsements",
              "LinkedIn endorsements export (Endorsement_Received_Info.csv)", aliases=_ENDORSEMENT_ALIASES,
              expected="Endorsement_Received_Info.csv"),
    _FileKind("endorsements_given", ("endorsementgiveninfo",), ("endorsement date", "skill name"),
              functools.partial(_parse_endorsements, direction=S.GIVEN), "endorsements",
              "LinkedIn endorsements export (Endorsement_Given_Info.csv)", aliases=_ENDORSEMENT_ALIASES,
              expected="Endorsement_Given_Info.csv"),
    _FileKind("recommendations_received", ("recommendationsreceived",), ("first name", "last name", "text"),
              functools.partial(_parse_recommendations, direction=S.RECEIVED), "recommendations",
              "LinkedIn recommendations export (Recommendations_Received.csv)", aliases={"title": "job title"},
              expected="Recommendations_Received.csv"),
    _FileKind("recommendations_given", ("recommendationsgiven",), ("first name", "last name", "text"),
              functools.partial(_parse_recommendations, direction=S.GIVEN), "recommendations",
              "LinkedIn recommendations export (Recommendations_Given.csv)", aliases={"title": "job title"},
              expected="Recommendations_Given.csv"),
    _FileKind("positions", ("positions",), ("company name", "title"), _parse_positions, "positions",
              "LinkedIn positions export (Positions.csv)", expected="Positions.csv"),
    _FileKind("imported_contacts", ("contacts", "importedcontacts"), ("firstname", "lastname", "emails"),
              _parse_imported_contacts, "imported_contacts",
              "LinkedIn imported contacts export (Contacts.csv / Imported Contacts.csv)",
              aliases=_IMPORTED_2018_ALIASES),
)  # fmt: skip
_KIND_BY_NAME = {name: spec for spec in _FILES for name in spec.names}
_DELIMITERS = (",", "\t", ";")
_HEADER_LINES = 60
#: Bytes read from a file that is not read, to show its header in the report.
_HEAD_BYTES = 64 * 1024


def _head_lines(text: str) -> list[str]:
    return text[: 256 * 1024].splitlines()[:_HEADER_LINES]


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a line the csv module refuses (a NUL byte ...) is still shown
        return line.split(delimiter)


def _cells(line: str, delimiter: str) -> list[str]:
    return [normalize_column(c) for c in _split(line, delimiter)]


def _locate_header(text: str, spec: _FileKind) -> tuple[str, list[str]] | None:
    """The delimiter and the required columns as this file writes them, or None if no header fits."""
    lines = _head_lines(text)
    for delimiter in _DELIMITERS:
        for line in lines:
            written: dict[str, str] = {}
            for cell in _cells(line, delimiter):
                written.setdefault(spec.aliases.get(cell, cell), cell)
            if all(column in written for column in spec.required):
                return delimiter, [written[column] for column in spec.required]
    return None


def _header_seen(text: str) -> tuple[str | None, bool]:
    """The first line that looks like a header, as cells, for the report; and whether one did.

    A header has two cells or more; a file without such a line holds no table (a placeholder
    like ``No conversations found``), and its first line is shown instead.
    """
    lines = [line for line in _head_lines(text) if line.strip()]
    for line in lines:
        cells = max((_split(line, d) for d in _DELIMITERS), key=len)
        if sum(1 for c in cells if c.strip()) >= 2:
            return ", ".join(c.strip() for c in cells)[:300], True
    return (lines[0].strip()[:300] if lines else None), False


def _skip_file(fr: FileReport, reason: str, header: str | None = None) -> None:
    """The whole file is not read: say why, and show the header seen, in the report."""
    fr.kept = 0
    fr.skipped.clear()
    fr.notes["file_skipped"] = reason
    if header is not None:
        fr.notes["header"] = header
    fr.not_read = reason + (f" (found: {header})" if header else "")  # what every reader sets
    fr.warn(f"file not read: {fr.not_read}")


_NOT_READ = object()


def _read_member(member: _Member, spec: _FileKind, report: LoadReport, ctx: _Context):
    """Read one file of a known kind; any defect of the file skips it (in the report), never raises."""
    fr = report.new_file(member.display, f"linkedin.{spec.kind}")
    try:
        text, encoding = decode_bytes(member.read(None), member.display)
    except FormatError as exc:
        _skip_file(fr, str(exc))
        return _NOT_READ, fr
    if encoding not in ("utf-8", "utf-8-sig"):
        fr.notes["encoding"] = encoding
    located = _locate_header(text, spec)
    if located is None:
        header, is_table = _header_seen(text)
        if not is_table:
            _skip_file(fr, R_PLACEHOLDER, header)
        else:
            looked_for = ", ".join(c.title() if c.islower() else c for c in spec.required)
            _skip_file(fr, f"columns not recognised as a {spec.what}: looked for {looked_for}", header)
        return _NOT_READ, fr
    delimiter, required = located
    if delimiter != ",":
        fr.notes["delimiter"] = delimiter
    try:
        table = read_table(text, member.display, fr, required=required, what=spec.what, delimiter=delimiter)
        renamed: dict[str, list[str]] = {}
        for column, values in table.columns.items():
            renamed.setdefault(spec.aliases.get(column, column), values)
        table.columns = renamed
        return spec.parse(table, fr, ctx), fr
    except FormatError as exc:  # a damaged CSV (a quote never closed ...): this file only
        _skip_file(fr, str(exc))
        return _NOT_READ, fr


def _skip_unknown(member: _Member, report: LoadReport) -> None:
    fr = report.new_file(member.display, "linkedin.unknown")
    if not member.name.lower().endswith((".csv", ".tsv", ".txt")):
        _skip_file(fr, R_NOT_CSV)
        return
    try:
        text, encoding = decode_bytes(member.read(_HEAD_BYTES), member.display)
    except FormatError as exc:
        _skip_file(fr, f"{R_UNKNOWN_FILE}; {exc}")
        return
    if encoding not in ("utf-8", "utf-8-sig"):
        fr.notes["encoding"] = encoding
    _skip_file(fr, R_UNKNOWN_FILE, _header_seen(text)[0])


def _kind_by_header(member: _Member) -> _FileKind | None:
    """For a lone CSV whose name tells nothing (renamed by the user): the kind its header fits."""
    try:
        text, _ = decode_bytes(member.read(_HEAD_BYTES), member.display)
    except FormatError:
        return None
    # most specific first: several kinds need only First Name and Last Name
    for spec in sorted(_FILES, key=lambda s: -len(s.required)):
        if _locate_header(text, spec) is not None:
            return spec
    return None


def _drop_repeats(parts: list[tuple[pd.DataFrame, FileReport]]) -> list[pd.DataFrame]:
    """The frames of the files feeding one table, without records already read from another file.

    Exports sometimes carry one file twice under two names (the 2022 ``Endorsement Received
    Info.csv`` beside ``Endorsement_Received_Info.csv``); counting its records twice would double
    every endorsement. A record identical in every column (file and line aside) to one of an
    earlier file is dropped and counted in its file's report.
    """
    if len(parts) < 2:
        return [frame for frame, _ in parts]
    seen: set = set()
    out = []
    for frame, fr in parts:
        compared = frame.drop(columns=[c for c in (S.SOURCE_FILE, S.RECORD_ID) if c in frame.columns])
        rows = [
            tuple(tuple(v) if isinstance(v, list) else (None if v is pd.NaT else v) for v in row)
            for row in compared.itertuples(index=False, name=None)
        ]
        repeat = [row in seen for row in rows]
        seen.update(rows)
        n = sum(repeat)
        if n:
            fr.kept -= n
            fr.skip(R_DUPLICATE, n)
            frame = frame[[not r for r in repeat]].reset_index(drop=True)
        out.append(frame)
    return out


# --- entry point ------------------------------------------------------------------------------


def read_linkedin(path: str | Path, *, owner: str | None = None) -> LinkedInExport:
    """Read a LinkedIn data export, zip, extracted folder or one of its CSVs, of any vintage since 2018.

    Parameters
    ----------
    path : str or Path
        ``Basic_LinkedInDataExport_*.zip`` / ``Complete_*.zip`` (read in place, never extracted),
        the folder it was extracted to (CSVs at the root or in subfolders), or a single CSV of
        the export (``Connections.csv``, ``messages.csv`` ...; a renamed one is recognised by its
        header). File names are matched case-insensitively, ignoring spaces, underscores and
        hyphens.
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
        When ``path`` is neither a zip, a folder nor a CSV, the zip is corrupt, or **no** file of
        the export can be read (the message names the path, the files looked for, and each file
        found with the reason it was not read).

    Notes
    -----
    *Files*: the files read are declared in one table (``_FILES``: name, header columns with
    the aliases of older vintages, target frame, parse function). Encoding (UTF-8, UTF-16 with
    or without BOM, cp1252) and delimiter (comma, tab, semicolon) are detected per file. A file
    the table does not name, one whose header is not recognised, a placeholder without a table
    (``No conversations found``), a damaged zip member or a CSV that cannot be split is **not
    read**, never raised: its FileReport carries ``notes["file_skipped"]`` (the reason) and
    ``notes["header"]`` (the header line seen), and the other files load. When two files feed
    one table (``Endorsement Received Info.csv`` beside ``Endorsement_Received_Info.csv``), a
    record identical to one of an earlier file is skipped as a repeat.

    *Rows not kept* (reasons in the report): connections with no name and no URL (hidden
    profiles); messages that are drafts, sponsored/InMail (title containing "Sponsored",
    ``%FIRSTNAME%`` merge fields in the content, or no sender URL and an HTML body with
    LinkedIn's ``spinmail``/``spin...`` classes, whatever the folder), in the ``SPAM`` folder,
    system rows (empty FROM), rows from deleted members (``LinkedIn Member``), undated rows,
    and rows sent only to deleted members, checked in that order; every row of
    ``coach_messages.csv``, ``learning_coach_messages.csv`` and ``guide_messages.csv``
    (assistant conversations). A ``LinkedIn Member`` beside other recipients is dropped from
    ``to`` and counted in the file's notes. Damaged CSV records (wrong field count,
    unterminated quote at the end of the file) are skipped with a reason naming the line.

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
    content is read only to spot merge fields and spinmail markup, and is never stored. URLs
    are canonical (:func:`~netanalytics.schema.normalize_linkedin_url`: percent-decoded, lower-case).

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
        return _read_members(_members_of_folder(path), owner, label)
    if not path.exists():
        raise FormatError(
            f"{label} does not exist. Pass the LinkedIn export zip, the folder it was extracted to, "
            "or one of its CSV files."
        )
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if path.suffix.lower() in (".csv", ".tsv") and not magic.startswith(b"PK"):
        # one file of an export (Connections.csv, messages.csv ...) given on its own
        return _read_members([_Member(label, path.name, _file_reader(path))], owner, label, single=True)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        if magic.startswith(b"PK") or path.suffix.lower() == ".zip":
            raise FormatError(
                f"{label} is a corrupt or truncated zip ({exc}). Download the LinkedIn export again."
            ) from None
        raise FormatError(
            f"{label} is neither a zip file nor a folder. Pass the LinkedIn export zip "
            "(Basic_LinkedInDataExport_*.zip), the folder it was extracted to, or one of its CSV files."
        ) from None
    except OSError as exc:
        raise FormatError(f"{label} cannot be opened as a zip ({exc}).") from None
    with zf:
        return _read_members(_members_of_zip(zf, label), owner, label)


def _read_members(
    members: list[_Member], owner: str | None, label: str, *, single: bool = False
) -> LinkedInExport:
    """Read every file of an export through the :data:`_FILES` table; unknown files are report rows."""
    report = LoadReport()
    by_kind, unknown = _members_by_kind(members, single=single)
    if not single:  # a lone CSV was never meant to hold the others
        report.missing.extend(spec.expected for spec in _FILES if spec.expected and not by_kind[spec.kind])

    ctx = _Context()
    ctx.owner_url = normalize_linkedin_url(owner) if owner else None
    ctx.owner_name = clean_name(owner) if owner and ctx.owner_url is None else None
    ctx.evidence = f"owner= argument ({owner!r})" if owner else None
    parts: dict[str, list[tuple[pd.DataFrame, FileReport]]] = {}
    reports: dict[str, list[FileReport]] = {"profile": [], "messages": []}
    for spec in _FILES:
        for member in by_kind[spec.kind]:
            rows, fr = _read_member(member, spec, report, ctx)
            if rows is _NOT_READ or spec.target is None:
                continue
            if spec.target == "profile":
                reports["profile"].append(fr)
                _take_profile(rows, member.display, ctx)
            elif spec.target == "messages":
                reports["messages"].append(fr)
                ctx.raw_messages.append(rows)
            else:
                parts.setdefault(spec.target, []).append((rows, fr))
        if spec.kind == "messages":  # the files after this one need the owner
            _settle_owner(ctx)
    for member in unknown:
        _skip_unknown(member, report)
    if not any("file_skipped" not in fr.notes for fr in report.files):
        raise _nothing_read(label, report)

    export = LinkedInExport(report=report, profile=ctx.profile)
    export.owner_name, export.owner_url = ctx.owner_name, ctx.owner_url
    export.owner_keys = [
        k for k in (ctx.owner_url, name_key(ctx.owner_name) if ctx.owner_name else None) if k
    ]
    for fr in reports["messages"] + reports["profile"]:
        fr.notes["owner_evidence"] = ctx.evidence or "none: no Profile.csv and no messages"
        fr.notes["owner"] = ctx.owner_name or ctx.owner_url
    export.messages = _finish_messages(ctx.raw_messages, export.owner_keys, ctx.owner_name)
    _set_frames(export, parts)
    return export


def _members_by_kind(
    members: list[_Member], *, single: bool
) -> tuple[dict[str, list[_Member]], list[_Member]]:
    """The members of each kind of the :data:`_FILES` table (by file name; a lone CSV also by its
    header), and the members of no known kind."""
    by_kind: dict[str, list[_Member]] = {spec.kind: [] for spec in _FILES}
    unknown: list[_Member] = []
    for member in members:
        spec = _KIND_BY_NAME.get(file_key(member.name))
        if spec is None and single:
            spec = _kind_by_header(member)
        if spec is None:
            unknown.append(member)
        else:
            by_kind[spec.kind].append(member)
    return by_kind, unknown


def _set_frames(export: LinkedInExport, parts: dict[str, list[tuple[pd.DataFrame, FileReport]]]) -> None:
    """Each target frame of ``export`` from its parts (repeats dropped), or empty in its schema."""
    for target, spec_frame in (
        ("connections", S.CONTACTS),
        ("invitations", S.INVITATIONS),
        ("endorsements", S.ENDORSEMENTS),
        ("recommendations", S.RECOMMENDATIONS),
        ("positions", S.POSITIONS),
        ("imported_contacts", S.CONTACTS),
    ):
        frames = _drop_repeats(parts.get(target, []))
        if frames:
            setattr(export, target, pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])
        else:
            setattr(export, target, S.empty_frame(spec_frame))


def _take_profile(profile: dict, display: str, ctx: _Context) -> None:
    if not profile or ctx.profile:
        return
    ctx.profile = profile
    full = clean_name(f"{profile.get('first_name', '')} {profile.get('last_name', '')}")
    if ctx.owner_name is None and ctx.owner_url is None and full:
        ctx.owner_name = full
        ctx.evidence = f"{display} first and last name"


def _settle_owner(ctx: _Context) -> None:
    if ctx.owner_name is None:
        ctx.owner_name, ctx.owner_url, ctx.evidence = _infer_owner(
            ctx.raw_messages, ctx.owner_url, ctx.evidence
        )
    elif ctx.owner_url is None and ctx.raw_messages:
        ctx.owner_url = _owner_url_from_messages(ctx.raw_messages, ctx.owner_name)


def _nothing_read(label: str, report: LoadReport) -> FormatError:
    looked_for = ", ".join(spec.expected for spec in _FILES if spec.expected)
    seen = [f"{fr.path}: {fr.notes['file_skipped']}" + (f" (found: {fr.notes['header']})" if fr.notes.get("header") else "")
            for fr in report.files]  # fmt: skip
    shown = "; ".join(seen[:10]) + (f"; and {len(seen) - 10} more" if len(seen) > 10 else "")
    return FormatError(
        f"{label}: no file of it could be read as part of a LinkedIn data export. Looked for {looked_for} "
        "(names matched ignoring case, spaces, '_' and '-'), and found "
        f"{shown or 'no files at all'}. Pass the export zip (Basic_LinkedInDataExport_*.zip or "
        "Complete_...), the folder it was extracted to, or one of its CSV files unchanged."
    )


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
