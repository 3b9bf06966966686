"""Read address-book CSV exports (Google, Outlook in any locale, LinkedIn Contacts.csv) into contacts."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io._contact_fields import GOOGLE_BOOKKEEPING_GROUPS, parse_birthday
from netanalytics.io._csvtext import decode_bytes
from netanalytics.io.report import MAX_WARNINGS, FileReport, LoadReport

__all__ = ["read_contacts_csv"]

#: Per-record warnings kept in a FileReport; the rest are only counted.
#: Lines searched for the header row (exports may carry a short preamble).
HEADER_SEARCH_LINES = 10

_MULTI_SEP = " ::: "

FORMATS_EXPECTED = (
    "Google Contacts CSV (legacy 'Name,Given Name,...,E-mail 1 - Value' or 2023+ "
    "'First Name,Last Name,...,Labels,E-mail 1 - Value'), Outlook CSV (English, German, French or "
    "Spanish column names), Outlook.com CSV, Windows Live Mail CSV, or LinkedIn Contacts.csv "
    "('FirstName,LastName,Emails,...')"
)


def _norm(text: str) -> str:
    """Header key: case-folded, accents removed, whitespace collapsed (``'Prénom '`` -> ``'prenom'``)."""
    text = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


# --- Outlook alias table -------------------------------------------------------------------------
# Keys are _norm()-ed header names as Outlook desktop (EN/DE/FR/ES), Outlook.com and Windows Live
# Mail write them. Outlook's English "Title" and French "Titre" are the salutation (Mr., M.), not
# the job title, so they are deliberately absent.
_OUTLOOK_ALIASES: dict[str, tuple[str, ...]] = {
    "first": ("first name", "vorname", "prenom", "nombre", "given name"),
    "middle": (
        "middle name",
        "weitere vornamen",
        "deuxieme prenom",
        "autre prenom",
        "segundo nombre",
    ),
    "last": ("last name", "nachname", "nom", "apellidos", "apellido", "surname", "family name"),
    "full": ("name", "display name", "full name", "anzeigename", "nom complet", "nombre completo"),
    "company": ("company", "firma", "societe", "organizacion", "compania", "empresa", "organisation"),
    "title": ("job title", "position", "fonction", "puesto", "cargo", "titre du poste"),
    "birthday": ("birthday", "geburtstag", "anniversaire", "cumpleanos", "fecha de nacimiento"),
    "categories": ("categories", "kategorien", "categorias"),
    "web": (
        "web page",
        "personal web page",
        "business web page",
        "webseite",
        "webseite (privat)",
        "webseite geschaftlich",
        "page web",
        "page web personnelle",
        "pagina web",
        "pagina web personal",
    ),
}
_OUTLOOK_FIELD = {alias: fld for fld, aliases in _OUTLOOK_ALIASES.items() for alias in aliases}

# (address pattern, type pattern) per language; group 1 is the slot number (absent for slot 1).
_OUTLOOK_EMAIL = [
    (re.compile(r"^e-?mail(?: (\d+))? address$"), re.compile(r"^e-?mail(?: (\d+))? type$")),  # EN
    (re.compile(r"^e-mail(?: (\d+):)?[- ]adresse$"), re.compile(r"^e-mail(?: (\d+):)?[- ]typ$")),  # DE
    (re.compile(r"^adresse de messagerie(?: (\d+))?$"), re.compile(r"^type de messagerie(?: (\d+))?$")),
    (
        re.compile(r"^direccion de correo electronico(?: (\d+))?$"),
        re.compile(r"^tipo de correo electronico(?: (\d+))?$"),
    ),  # ES
]
_PHONE_WORDS = ("phone", "telefon", "telephon", "tel.", "tel ", "mobil", "movil", "handy", "portable")
_NOT_PHONE_WORDS = ("fax", "assist", "asist", "ayudante")
_PHONE_HEADERS = {"particular", "isdn", "rdsi", "rnis"}  # Spanish home phone; ISDN lines
_PRIMARY_PHONE_WORDS = ("primary phone", "haupttelefon", "telephone principal", "telefono principal")

# Google repeated groups: "E-mail 3 - Value", "Phone 1 - Label", "Organization 1 - Title".
_GOOGLE_GROUP = re.compile(r"^(e-mail|phone|website|organization) (\d+) - (\w+)$")


@dataclass
class _Layout:
    """Where each field lives in one file's header (column indexes)."""

    source: str
    kind: str
    locale: str = "en"
    first: int | None = None
    middle: int | None = None
    last: int | None = None
    full: int | None = None
    company: int | None = None
    title: int | None = None
    birthday: int | None = None
    labels: list[int] = field(default_factory=list)
    web: list[int] = field(default_factory=list)
    # list of (type/label column or None, value column), in slot order
    emails: list[tuple[int | None, int]] = field(default_factory=list)
    phones: list[tuple[int | None, int]] = field(default_factory=list)
    # LinkedIn Contacts.csv: comma-joined lists in one cell
    comma_lists: bool = False


def _first(keys: list[str], *names: str) -> int | None:
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


def _google_layout(keys: list[str]) -> _Layout | None:
    legacy = "given name" in keys and "family name" in keys
    modern = "first name" in keys and "last name" in keys and ("labels" in keys or "e-mail 1 - label" in keys)
    has_groups = any(_GOOGLE_GROUP.match(k) for k in keys)
    if not (legacy or modern) or not (has_groups or "group membership" in keys or "labels" in keys):
        return None
    lay = _Layout("google", "google.legacy" if legacy else "google.2023")
    if legacy:
        lay.full = _first(keys, "name")
        lay.first, lay.middle, lay.last = (
            _first(keys, "given name"),
            _first(keys, "additional name"),
            _first(keys, "family name"),
        )
        lay.labels = [i for i, k in enumerate(keys) if k == "group membership"]
    else:
        lay.first, lay.middle, lay.last = (
            _first(keys, "first name"),
            _first(keys, "middle name"),
            _first(keys, "last name"),
        )
        lay.labels = [i for i, k in enumerate(keys) if k == "labels"]
        lay.company = _first(keys, "organization name")
        lay.title = _first(keys, "organization title")
    lay.birthday = _first(keys, "birthday")
    slots: dict[tuple[str, int], dict[str, int]] = {}
    for i, k in enumerate(keys):
        m = _GOOGLE_GROUP.match(k)
        if m:
            slots.setdefault((m.group(1), int(m.group(2))), {})[m.group(3)] = i
    for (group, _n), cols in sorted(slots.items(), key=lambda item: item[0][1]):
        label = cols.get("type", cols.get("label"))
        if group == "e-mail" and "value" in cols:
            lay.emails.append((label, cols["value"]))
        elif group == "phone" and "value" in cols:
            lay.phones.append((label, cols["value"]))
        elif group == "website" and "value" in cols:
            lay.web.append(cols["value"])
        elif group == "organization" and _n == 1:
            lay.company = cols.get("name", lay.company)
            lay.title = cols.get("title", lay.title)
    return lay


def _linkedin_layout(keys: list[str]) -> _Layout | None:
    if not ("firstname" in keys and "lastname" in keys and "emails" in keys):
        return None
    lay = _Layout("linkedin", "linkedin.contacts", comma_lists=True)
    lay.first, lay.last, lay.full = (
        _first(keys, "firstname"),
        _first(keys, "lastname"),
        _first(keys, "fullname"),
    )
    lay.company, lay.title, lay.birthday = (
        _first(keys, "companies"),
        _first(keys, "title"),
        _first(keys, "birthday"),
    )
    lay.emails = [(None, keys.index("emails"))]
    if "phonenumbers" in keys:
        lay.phones = [(None, keys.index("phonenumbers"))]
    lay.web = [i for i, k in enumerate(keys) if k in ("sites", "profiles")]
    return lay


def _outlook_layout(keys: list[str]) -> _Layout | None:
    lay = _Layout("outlook", "outlook")
    email_slots: dict[int, dict[str, int]] = {}
    locale_hits = {"en": 0, "de": 0, "fr": 0, "es": 0}
    for i, k in enumerate(keys):
        fld = _OUTLOOK_FIELD.get(k)
        if fld in ("labels", "categories"):
            lay.labels.append(i)
        elif fld == "web":
            lay.web.append(i)
        elif fld is not None and getattr(lay, fld) is None:
            setattr(lay, fld, i)
        for (addr, typ), loc in zip(_OUTLOOK_EMAIL, locale_hits):
            for part, pattern in (("value", addr), ("type", typ)):
                m = pattern.match(k)
                if m:
                    email_slots.setdefault(int(m.group(1) or 1), {})[part] = i
                    locale_hits[loc] += 1
        if (
            fld is None
            and (k in _PHONE_HEADERS or any(w in k for w in _PHONE_WORDS))
            and not any(w in k for w in _NOT_PHONE_WORDS)
        ):
            col = (None, i)
            if any(k.startswith(w) for w in _PRIMARY_PHONE_WORDS):
                lay.phones.insert(0, col)
            else:
                lay.phones.append(col)
    for _n, cols in sorted(email_slots.items()):
        if "value" in cols:
            lay.emails.append((cols.get("type"), cols["value"]))
    has_name = lay.first is not None or lay.last is not None or lay.full is not None
    if not has_name or not lay.emails:
        return None
    lay.locale = max(locale_hits, key=locale_hits.__getitem__)
    # Outlook (desktop and .com) writes typed / numbered e-mail columns; a lone address column
    # with names (Windows Live Mail, hand-made sheets) is a generic CSV.
    if len(email_slots) > 1 or any("type" in c for c in email_slots.values()) or lay.labels:
        lay.kind = f"outlook.{lay.locale}"
    else:
        # a sheet in common spellings reads more fields (Organization, Tags ...) than Outlook's table
        lay = _sheet_layout(keys) or lay
        if lay.source != "csv":
            lay.source, lay.kind = "csv", f"csv.{lay.locale}"
    return lay


# Hand-made sheets and other tools' exports: the common spellings of each field (normalised
# with _norm). "title" alone is left out: in Outlook files it is the salutation (Mr., Ms.).
SHEET_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "fullname", "display name", "contact", "contact name", "person"),
    "first_name": ("first", "first name", "firstname", "given name", "forename", "vorname", "prenom"),
    "last_name": ("last", "last name", "lastname", "surname", "family name", "nachname", "nom"),
    "email": ("email", "e-mail", "mail", "email address", "e-mail address", "emails", "courriel",
              "work email", "personal email", "email 1", "email 2"),
    "phone": ("phone", "phone number", "telephone", "tel", "mobile", "cell", "mobile phone", "phones"),
    "company": ("company", "organization", "organisation", "org", "employer", "firma", "company name",
                "organization name"),
    "title": ("job title", "position", "role", "job", "occupation"),
    "labels": ("tags", "tag", "labels", "label", "groups", "group", "categories", "category", "lists"),
    "birthday": ("birthday", "date of birth", "birth date", "dob"),
    "linkedin_url": ("linkedin", "linkedin url", "linkedin profile", "profile url", "url", "website"),
}  # fmt: skip
_SHEET_ALIAS = {alias: fld for fld, aliases in SHEET_FIELDS.items() for alias in aliases}


def _sheet_layout(keys: list[str], columns: dict[str, str] | None = None) -> _Layout | None:
    """A hand-made sheet: columns by their common spellings (or ``columns``: header -> field).
    Needs a name and an e-mail or phone column."""
    lay = _Layout("csv", "csv.sheet")
    mapping = {_norm(k): v for k, v in columns.items()} if columns is not None else _SHEET_ALIAS
    for i, k in enumerate(keys):
        fld = mapping.get(k)
        if fld == "email":
            lay.emails.append((None, i))
        elif fld == "phone":
            lay.phones.append((None, i))
        elif fld == "labels":
            lay.labels.append(i)
        elif fld == "linkedin_url":
            lay.web.append(i)
        elif fld is not None:
            attr = {"name": "full", "first_name": "first", "last_name": "last"}.get(fld, fld)
            if getattr(lay, attr) is None:
                setattr(lay, attr, i)
    has_name = lay.first is not None or lay.last is not None or lay.full is not None
    if columns is None and not (has_name and (lay.emails or lay.phones)):
        return None
    if columns is not None:
        lay.kind = "csv.mapped"
    return lay


def _detect(keys: list[str]) -> _Layout | None:
    return _google_layout(keys) or _linkedin_layout(keys) or _outlook_layout(keys) or _sheet_layout(keys)


def _used_columns(lay: _Layout) -> set[int]:
    used = {i for i in (lay.first, lay.middle, lay.last, lay.full, lay.company, lay.title, lay.birthday)
            if i is not None}  # fmt: skip
    used.update(lay.labels, lay.web)
    for pairs in (lay.emails, lay.phones):
        used.update(i for pair in pairs for i in pair if i is not None)
    return used


# --- decoding ------------------------------------------------------------------------------------


def _delimiter_candidates(text: str) -> list[str]:
    head = text[:4096]
    counts = {d: head.count(d) for d in (",", ";", "\t")}
    return sorted(counts, key=lambda d: -counts[d])


# --- value helpers -------------------------------------------------------------------------------


def _cell(row: list[str], idx: int | None) -> str | None:
    if idx is None or idx >= len(row):
        return None
    return S.clean_name(row[idx])


def _split_multi(value: str | None) -> list[str]:
    if not value:
        return []
    return [v.strip() for v in value.split(_MULTI_SEP.strip()) if v.strip()]


def _is_primary(text: str) -> bool:
    return text.startswith("*")


def _ordered_values(row: list[str], columns: list[tuple[int | None, int]], comma_lists: bool) -> list[str]:
    """Values of a repeated group, primary ones (``* `` on the label or the value) first."""
    primary: list[str] = []
    others: list[str] = []
    for label_idx, value_idx in columns:
        label = _cell(row, label_idx) or ""
        cell = row[value_idx] if value_idx < len(row) else ""
        parts = [p.strip() for p in cell.split(",")] if comma_lists else _split_multi(cell)
        for part in parts:
            if not part:
                continue
            if _is_primary(part):
                primary.append(part.lstrip("* ").strip())
            elif _is_primary(label):
                primary.append(part)
            else:
                others.append(part)
    return primary + others


def _labels(row: list[str], lay: _Layout) -> list[str]:
    out: list[str] = []
    for idx in lay.labels:
        cell = row[idx] if idx < len(row) else ""
        # Outlook separates categories with ";" (or "," in some locales); Google with " ::: ".
        parts = _split_multi(cell) if lay.source == "google" else re.split(r"[;,]", cell)
        for part in parts:
            label = S.clean_name(part)
            if not label:
                continue
            if label.startswith("*"):
                system = label.lstrip("* ").strip()
                if system.casefold() in GOOGLE_BOOKKEEPING_GROUPS:
                    continue
                label = system.casefold()
            if label not in out:
                out.append(label)
    return out


# --- reader --------------------------------------------------------------------------------------


def _find_header(rows: list[list[str]], columns: dict[str, str] | None = None) -> tuple[int, _Layout] | None:
    for i, row in enumerate(rows[:HEADER_SEARCH_LINES]):
        keys = [_norm(c) for c in row]
        if columns is not None:
            if {_norm(k) for k in columns} <= set(keys):
                return i, _sheet_layout(keys, columns)
            continue
        lay = _detect(keys)
        if lay is not None:
            return i, lay
    return None


def _parse_rows(text: str, delimiter: str, path: Path) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error as exc:  # e.g. NUL bytes
        raise FormatError(
            f"{path}: cannot be read as CSV ({exc}). Export the contacts again as CSV, "
            f"or open and re-save it as 'CSV UTF-8'."
        ) from None


def read_contacts_csv(
    path: str | Path, *, columns: dict[str, str] | None = None
) -> tuple[pd.DataFrame, LoadReport]:
    """Read an address-book CSV export into a contacts frame.

    The format is recognised from the header row, read by column name: Google Contacts
    (legacy and 2023+), Outlook desktop (English, German, French, Spanish column names),
    Outlook.com, Windows Live Mail (semicolon-delimited) and LinkedIn's ``Contacts.csv``.

    Parameters
    ----------
    path : str or Path
        The CSV file. UTF-8 (with or without BOM), UTF-16 with BOM or cp1252; comma, semicolon
        or tab separated.
    columns : dict, optional
        For a sheet whose columns are not recognised: header name -> field, the fields being
        the keys of :data:`SHEET_FIELDS` (``name``, ``first_name``, ``last_name``, ``email``,
        ``phone``, ``company``, ``title``, ``labels``, ``birthday``, ``linkedin_url``); e.g.
        ``{"Who": "name", "Addr": "email"}``. A field may be given by several columns.

    Returns
    -------
    contacts : DataFrame
        :data:`netanalytics.schema.CONTACTS`, one row per kept record. ``source`` is
        ``"google"``, ``"outlook"``, ``"linkedin"`` or ``"csv"`` (Windows Live Mail and other
        sheets with a name and one e-mail column). ``record_id`` is the 1-based position of
        the record after the header (stable across re-reads, quoted newlines do not shift it).
    report : LoadReport
        One :class:`~netanalytics.io.report.FileReport`; ``read == kept + skipped``.

    Raises
    ------
    FormatError
        The file is not a contacts CSV (the message lists the columns found and the formats
        expected), or cannot be parsed as CSV at all.

    Notes
    -----
    * Multi-valued cells (``a@x.org ::: b@x.org``) are split; values marked primary with a
      leading ``* `` (on the value or on its ``Type``/``Label`` column) come first.
    * Google groups: ``* myContacts`` (membership bookkeeping) is dropped; other system
      groups are kept lower-cased without the star (``* starred`` -> ``starred``,
      ``* Friends`` -> ``friends``); user labels are kept as written (``Clients``).
    * Outlook ``E-mail Type = EX`` entries hold an Exchange X.500 path, not an address: they
      are dropped and counted in ``report.files[0].notes["x500_dropped"]`` with a warning.
    * Birthdays become ISO text; a year-less ``--03-14`` stays ``--03-14``; Outlook's empty
      date ``0.0.00`` becomes missing. Slashed dates are month-first for English Outlook
      files and day-first otherwise; two-digit years 00-29 mean 20xx.
    * A record with no name and no e-mail or phone is skipped with a reason; a row with no
      value at all (Excel padding) is skipped as ``"empty row"``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp()) / "google.csv"
    >>> _ = tmp.write_text(
    ...     "First Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value\\n"
    ...     "Zoë,Ng,Clients ::: * myContacts,* Work,zoe@ex.org ::: ZN@home.org\\n",
    ...     encoding="utf-8")
    >>> frame, report = read_contacts_csv(tmp)
    >>> frame.loc[0, ["source", "full_name", "emails", "labels"]].tolist()
    ['google', 'Zoë Ng', ['zoe@ex.org', 'zn@home.org'], ['Clients']]
    >>> report.read, report.kept
    (1, 1)
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"{path}: cannot be read ({exc.strerror}). Check the path.") from None
    text, encoding = decode_bytes(raw, str(path))  # BOM, UTF-8, UTF-16 (Outlook "Unicode"), cp1252
    if "\x00" in text[:4096]:
        raise FormatError(
            f"{path}: looks binary or UTF-16 (NUL bytes near the start), not a contacts CSV. "
            f"Re-save it as 'CSV UTF-8'. Expected one of: {FORMATS_EXPECTED}."
        )
    if columns is not None:
        unknown = sorted(set(columns.values()) - set(SHEET_FIELDS))
        if unknown:
            raise FormatError(
                f"{path}: columns= maps to unknown fields {unknown}; the fields are {sorted(SHEET_FIELDS)}"
            )
    found = None
    rows: list[list[str]] = []
    for delimiter in _delimiter_candidates(text):
        rows = _parse_rows(text, delimiter, path)
        found = _find_header(rows, columns)
        if found:
            break
    if not found and columns is not None:
        first = next((r for r in _parse_rows(text, _delimiter_candidates(text)[0], path) if r), [])
        missing = sorted(set(columns) - {c.strip() for c in first})
        raise FormatError(
            f"{path}: columns= names {missing}, not in the header (found: {', '.join(c.strip() for c in first[:30])})"
        )
    if not found:
        first = next((r for r in _parse_rows(text, _delimiter_candidates(text)[0], path) if r), [])
        seen = ", ".join(c.strip() for c in first[:30]) or "none (empty file)"
        raise FormatError(
            f"{path}: not a recognised contacts CSV (line 1 columns: {seen}). "
            f"Expected one of: {FORMATS_EXPECTED}; or map your columns with "
            "read_contacts_csv(path, columns={'Your name column': 'name', 'Your e-mail column': 'email'})."
        )
    header_at, lay = found
    report = LoadReport()
    file_report = report.new_file(str(path), f"contacts.{lay.kind}")
    file_report.notes.update(encoding=encoding, delimiter=delimiter, header_row=header_at + 1)
    if not encoding.startswith("utf"):
        file_report.warn(f"not UTF-8: decoded as {encoding}", limit=MAX_WARNINGS)
    width = len(rows[header_at])
    # a column read into no field is said, never dropped without a word
    unread = [c.strip() for i, c in enumerate(rows[header_at]) if c.strip() and i not in _used_columns(lay)]
    if unread:
        file_report.notes["columns_not_read"] = unread
        file_report.warn(
            f"columns not read: {', '.join(unread)} (map them with columns={{...}})", limit=MAX_WARNINGS
        )
    month_first = lay.source in ("outlook", "csv") and lay.locale == "en"
    records: list[dict] = []
    record_no = 0
    for row in rows[header_at + 1 :]:
        if not row:  # a blank line is not a record
            continue
        record_no += 1
        if len(row) > width and any(c.strip() for c in row[width:]):
            file_report.warn(
                f"record {record_no}: {len(row)} fields, header has {width}; extra ignored",
                limit=MAX_WARNINGS,
            )
        if not any(c.strip() for c in row):
            file_report.skip("empty row")
            continue
        records.append(_record(row, lay, record_no, path, file_report, month_first))
    kept = [r for r in records if r is not None]
    frame = pd.DataFrame(kept, columns=list(S.CONTACTS)) if kept else S.empty_frame(S.CONTACTS)
    frame[S.CONNECTED_ON] = pd.to_datetime(frame[S.CONNECTED_ON], utc=True)
    S.validate(frame, S.CONTACTS)
    return frame, report


def _record(
    row: list[str], lay: _Layout, record_no: int, path: Path, report: FileReport, month_first: bool
) -> dict | None:
    first, middle, last = _cell(row, lay.first), _cell(row, lay.middle), _cell(row, lay.last)
    full = _cell(row, lay.full) or S.clean_name(" ".join(p for p in (first, middle, last) if p))
    emails: list[str] = []
    email_columns = []
    for label_idx, value_idx in lay.emails:
        raw = _cell(row, value_idx) or ""
        if raw.startswith("/") or (raw and (_cell(row, label_idx) or "").upper() == "EX" and "@" not in raw):
            report.notes["x500_dropped"] = report.notes.get("x500_dropped", 0) + 1
            report.warn(
                f"record {record_no}: Exchange X.500 address dropped (not an e-mail): {raw[:40]!r}",
                limit=MAX_WARNINGS,
            )
        else:
            email_columns.append((label_idx, value_idx))
    for value in _ordered_values(row, email_columns, lay.comma_lists):
        email = S.normalize_email(value)
        if email is None:
            report.warn(
                f"record {record_no}: {value!r} is not an e-mail address; ignored", limit=MAX_WARNINGS
            )
        elif email not in emails:
            emails.append(email)
    phones: list[str] = []
    for value in _ordered_values(row, lay.phones, lay.comma_lists):
        phone = S.clean_name(value)
        if phone and phone not in phones:
            phones.append(phone)
    if not full and not emails and not phones:
        report.skip("no name, e-mail or phone")
        return None
    linkedin = None
    for idx in lay.web:
        for value in re.split(r"[\s,]+| ::: ", row[idx] if idx < len(row) else ""):
            linkedin = linkedin or S.normalize_linkedin_url(value)
    birthday = None
    raw_birthday = _cell(row, lay.birthday)
    try:
        birthday = parse_birthday(raw_birthday, month_first=month_first)
    except ValueError:
        report.warn(
            f"record {record_no}: birthday {raw_birthday!r} is not a date; ignored", limit=MAX_WARNINGS
        )
    report.keep()
    return {
        S.SOURCE: lay.source,
        S.SOURCE_FILE: str(path),
        S.RECORD_ID: str(record_no),
        S.FULL_NAME: full,
        S.FIRST_NAME: first,
        S.MIDDLE_NAME: middle,
        S.LAST_NAME: last,
        S.EMAILS: emails,
        S.PHONES: phones,
        S.COMPANY: _cell(row, lay.company),
        S.TITLE: _cell(row, lay.title),
        S.LINKEDIN_URL: linkedin,
        S.CONNECTED_ON: pd.NaT,
        S.LABELS: _labels(row, lay),
        S.BIRTHDAY: birthday,
    }
