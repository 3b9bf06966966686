"""Read vCard 2.1 / 3.0 / 4.0 files (phones, Google, Outlook, iCloud) into a contacts frame."""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import vobject

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io._contact_fields import GOOGLE_BOOKKEEPING_GROUPS, parse_birthday
from netanalytics.io.report import MAX_WARNINGS, FileReport, LoadReport

__all__ = ["read_vcard"]

#: Properties holding inline binary blobs; dropped while streaming, never held in memory.
_BLOB_PROPERTIES = {"PHOTO", "LOGO", "SOUND", "KEY"}
_PROPERTY_START = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]")
_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)


@dataclass
class _Prop:
    """One property, whichever parser produced it."""

    name: str
    group: str | None
    types: set[str]  # upper-cased TYPE values and 2.1 bare params
    params: dict[str, list[str]]  # upper-cased parameter names
    parts: list[str]  # structured value split on ";" (N, ORG) or "," (CATEGORIES), unescaped

    @property
    def value(self) -> str:
        return ";".join(self.parts)

    @property
    def is_pref(self) -> bool:
        return "PREF" in self.types or "PREF" in self.params


@dataclass
class _Card:
    number: int
    start_line: int
    lines: list[str] = field(default_factory=list)
    terminated: bool = False


# --- streaming: physical lines -> unfolded logical lines -> cards --------------------------------


def _physical_lines(handle, report: FileReport) -> Iterator[str]:
    """Decoded lines without line ends; CR CR LF (iPhone) and lone CR both end a line."""
    for raw in handle:
        for piece in raw.rstrip(b"\r\n").split(b"\r"):
            try:
                yield piece.decode("utf-8")
            except UnicodeDecodeError:
                report.notes["non_utf8_lines"] = report.notes.get("non_utf8_lines", 0) + 1
                yield piece.decode("cp1252", errors="replace")


def _is_qp(line: str) -> bool:
    head = line.split(":", 1)[0].upper()
    return "QUOTED-PRINTABLE" in head


def _logical_lines(lines: Iterator[str], report: FileReport) -> Iterator[tuple[int, str]]:
    """Unfold continuation lines and QP soft breaks; drop PHOTO blobs as they stream past."""
    current: str | None = None
    start = 0
    dropping = False
    for number, line in enumerate(lines, 1):
        folded = line[:1] in (" ", "\t")
        if dropping:
            if folded or not line or not _PROPERTY_START.match(line):
                continue  # base64 continuation, indented or not, and the blank line ending it
            dropping = False
        if current is not None and current.endswith("=") and _is_qp(current):
            current = current[:-1] + (line[1:] if folded else line)
            continue
        if folded and current is not None:
            current += line[1:]
            continue
        if current is not None:
            yield start, current
        current, start = None, number
        if not line.strip():
            continue
        match = _PROPERTY_START.match(line)
        if match and match.group(1).upper() in _BLOB_PROPERTIES:
            dropping = True
            report.notes["blobs_dropped"] = report.notes.get("blobs_dropped", 0) + 1
            continue
        current = line
    if current is not None:
        yield start, current


def _cards(logical: Iterator[tuple[int, str]], report: FileReport) -> Iterator[_Card]:
    card: _Card | None = None
    count = 0
    for number, line in logical:
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            if card is not None:
                report.warn(
                    f"card {card.number} (line {card.start_line}) has no END:VCARD", limit=MAX_WARNINGS
                )
                yield card
            count += 1
            card = _Card(count, number)
        elif upper == "END:VCARD" and card is not None:
            card.terminated = True
            yield card
            card = None
        elif card is not None:
            card.lines.append(line)
        else:
            report.notes["lines_outside_cards"] = report.notes.get("lines_outside_cards", 0) + 1
    if card is not None:
        report.warn(f"card {card.number} (line {card.start_line}) has no END:VCARD", limit=MAX_WARNINGS)
        yield card


# --- parsing one card ----------------------------------------------------------------------------


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, buf, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(text[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return parts


def _unescape(text: str) -> str:
    return _UNESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


_STRUCTURED = {"N": ";", "ORG": ";", "ADR": ";", "CATEGORIES": ","}


def _parse_line(line: str) -> _Prop | None:
    """The fallback parser: ``group.NAME;param=a,b;BARE:value``."""
    in_quotes = False
    for colon, ch in enumerate(line):  # noqa: B007  (colon is used after the loop)
        if ch == '"':
            in_quotes = not in_quotes
        elif ch == ":" and not in_quotes:
            break
    else:
        return None
    head, value = line[:colon], line[colon + 1 :]
    segments = head.split(";")
    name = segments[0].strip()
    group = None
    if "." in name:
        group, name = name.rsplit(".", 1)
    if not name:
        return None
    params: dict[str, list[str]] = {}
    types: set[str] = set()
    for seg in segments[1:]:
        if "=" in seg:
            key, vals = seg.split("=", 1)
            values = [v.strip().strip('"') for v in vals.split(",")]
            params.setdefault(key.strip().upper(), []).extend(values)
            if key.strip().upper() == "TYPE":
                types.update(v.upper() for v in values)
        elif seg.strip():
            types.add(seg.strip().upper())
    encoding = [v.upper() for v in params.get("ENCODING", [])]
    if "QUOTED-PRINTABLE" in encoding or "QUOTED-PRINTABLE" in types:
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        data = quopri.decodestring(value.encode("latin-1", errors="replace"))
        try:
            value = data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            value = data.decode("cp1252", errors="replace")
    sep = _STRUCTURED.get(name.upper())
    parts = [_unescape(p) for p in _split_unescaped(value, sep)] if sep else [_unescape(value)]
    return _Prop(name.upper(), group, types, params, parts)


def _from_vobject(card: _Card) -> list[_Prop]:
    """Parse with vobject; raises whatever vobject raises on what it rejects."""
    text = "\r\n".join(["BEGIN:VCARD", *card.lines, "END:VCARD"]) + "\r\n"
    component = vobject.readOne(text, ignoreUnreadable=False)
    props = []
    for line in component.getChildren():
        if not isinstance(line, vobject.base.ContentLine):
            continue  # a nested component (AGENT card)
        params = {k.upper(): [str(v) for v in vals] for k, vals in line.params.items()}
        types = {str(v).upper() for v in params.get("TYPE", [])}
        types.update(str(v).upper() for v in getattr(line, "singletonparams", []))
        value = line.value
        if isinstance(value, vobject.vcard.Name):
            parts = [
                " ".join(v) if isinstance(v, list) else str(v)
                for v in (value.family, value.given, value.additional, value.prefix, value.suffix)
            ]
        elif isinstance(value, list):
            parts = [str(v) for v in value]
        elif isinstance(value, str):
            parts = [value.replace("\\:", ":")]  # vobject leaves 2.1/4.0 "\:" escapes in place
        else:
            continue  # ADR and other structured values we do not use
        props.append(_Prop(line.name.upper(), line.group, types, params, parts))
    return props


def _clean(value: str | None) -> str | None:
    return S.clean_name(value) if value else None


def _ordered(props: list[_Prop], name: str) -> list[_Prop]:
    return sorted((p for p in props if p.name == name), key=lambda p: not p.is_pref)


def _name_parts(props: list[_Prop]) -> tuple[str | None, str | None, str | None]:
    """(first, middle, last) from the first N property."""
    for p in props:
        if p.name == "N":
            parts = [*p.parts, "", "", ""]
            return _clean(parts[1]), _clean(parts[2]), _clean(parts[0])
    return None, None, None


def _emails(card: _Card, props: list[_Prop], report: FileReport) -> list[str]:
    """EMAIL addresses, preferred first, each once; a value that is no address is warned about."""
    emails: list[str] = []
    for p in _ordered(props, "EMAIL"):
        email = S.normalize_email(p.value)
        if email is None:
            report.warn(
                f"card {card.number}: EMAIL {p.value[:60]!r} is not an address; ignored", limit=MAX_WARNINGS
            )
        elif email not in emails:
            emails.append(email)
    return emails


def _phones(props: list[_Prop]) -> list[str]:
    """TEL values (``tel:`` URIs unwrapped), preferred first, each once."""
    phones: list[str] = []
    for p in _ordered(props, "TEL"):
        phone = _clean(re.sub(r"^tel:", "", p.value, flags=re.IGNORECASE))
        if phone and phone not in phones:
            phones.append(phone)
    return phones


def _labels(props: list[_Prop]) -> list[str]:
    """CATEGORIES, each once, without Google's membership bookkeeping groups."""
    labels: list[str] = []
    for p in props:
        if p.name == "CATEGORIES":
            for part in p.parts:
                label = _clean(part)
                if label and label.casefold() in GOOGLE_BOOKKEEPING_GROUPS:
                    continue  # Google writes its membership bookkeeping group into CATEGORIES
                if label and label not in labels:
                    labels.append(label)
    return labels


def _linkedin(props: list[_Prop]) -> str | None:
    """The first LinkedIn profile URL among URL and X-SOCIALPROFILE (value or X-USER parameter)."""
    for p in props:
        if p.name in ("URL", "X-SOCIALPROFILE"):
            candidates = [p.value, *p.params.get("X-USER", [])]
            linkedin = next((u for u in map(S.normalize_linkedin_url, candidates) if u), None)
            if linkedin is not None:
                return linkedin
    return None


def _record(card: _Card, props: list[_Prop], path: Path, report: FileReport) -> dict | None:
    first, middle, last = _name_parts(props)
    full = next((_clean(p.value) for p in props if p.name == "FN" and _clean(p.value)), None)
    full = full or S.clean_name(" ".join(x for x in (first, middle, last) if x))
    emails = _emails(card, props, report)
    phones = _phones(props)
    company = next((_clean(p.parts[0]) for p in props if p.name == "ORG" and _clean(p.parts[0])), None)
    if not full:
        full = company or (emails[0] if emails else None)
    if not full and not phones:
        report.skip("no name, organisation, e-mail or phone")
        return None
    birthday = None
    bday = next((p.value.strip() for p in props if p.name == "BDAY"), None)
    try:
        birthday = parse_birthday(bday)
    except ValueError:
        report.warn(f"card {card.number}: BDAY {bday!r} is not a date; ignored", limit=MAX_WARNINGS)
    report.keep()
    return {
        S.SOURCE: "vcard",
        S.SOURCE_FILE: str(path),
        S.RECORD_ID: str(card.number),
        S.FULL_NAME: full,
        S.FIRST_NAME: first,
        S.MIDDLE_NAME: middle,
        S.LAST_NAME: last,
        S.EMAILS: emails,
        S.PHONES: phones,
        S.COMPANY: company,
        S.TITLE: next((_clean(p.value) for p in props if p.name == "TITLE" and _clean(p.value)), None),
        S.LINKEDIN_URL: _linkedin(props),
        S.CONNECTED_ON: pd.NaT,
        S.LABELS: _labels(props),
        S.BIRTHDAY: birthday,
    }


def read_vcard(path: str | Path) -> tuple[pd.DataFrame, LoadReport]:
    """Read a vCard file (2.1, 3.0 or 4.0; one or many cards) into a contacts frame.

    Each card is parsed with ``vobject``; a card vobject rejects is parsed by a tolerant line
    parser instead (counted in ``report.files[0].notes["fallback_cards"]``).

    Parameters
    ----------
    path : str or Path
        A ``.vcf`` file. UTF-8 is expected; lines that are not UTF-8 are read as cp1252.

    Returns
    -------
    contacts : DataFrame
        :data:`netanalytics.schema.CONTACTS` with ``source == "vcard"`` and ``record_id`` the
        1-based position of the card in the file.
    report : LoadReport
        One :class:`~netanalytics.io.report.FileReport`; a record is a card;
        ``read == kept + skipped``.

    Raises
    ------
    FormatError
        The file cannot be opened or holds no ``BEGIN:VCARD``.

    Notes
    -----
    The file is streamed line by line. Before parsing: folded lines (CRLF + space or tab) are
    joined, CR CR LF and lone CR end a line, ``=`` soft breaks of QUOTED-PRINTABLE values are
    joined even when the next line is not indented, and PHOTO / LOGO / SOUND / KEY blobs
    (base64 or URI, with their continuation lines) are dropped without being kept.

    Field rules: ``full_name`` is FN, else N joined, else ORG, else the first e-mail; a card
    with none of these and no phone is skipped with a reason. Preferred (``PREF`` /
    ``TYPE=pref`` / ``PREF=1``) e-mails and phones come first. ``itemN.`` groups (Apple,
    Google) are read like ungrouped properties; their ``X-ABLabel`` lines are not labels.
    CATEGORIES gives ``labels`` (Google's ``myContacts`` bookkeeping group is dropped); BDAY
    gives ``birthday`` as ISO text (``--0314`` -> ``--03-14``); the first URL or
    X-SOCIALPROFILE pointing at linkedin.com gives ``linkedin_url``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp()) / "one.vcf"
    >>> _ = tmp.write_text("BEGIN:VCARD\\r\\nVERSION:3.0\\r\\nFN:Zoë Ng\\r\\n"
    ...                    "EMAIL;TYPE=work:Zoe@Ex.org\\r\\nCATEGORIES:Clients,VIP\\r\\nEND:VCARD\\r\\n",
    ...                    encoding="utf-8")
    >>> frame, report = read_vcard(tmp)
    >>> frame.loc[0, ["full_name", "emails", "labels"]].tolist()
    ['Zoë Ng', ['zoe@ex.org'], ['Clients', 'VIP']]
    """
    path = Path(path)
    report = LoadReport()
    file_report = report.new_file(str(path), "vcard")
    rows: list[dict] = []
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise FormatError(f"{path}: cannot be read ({exc.strerror}). Check the path.") from None
    with handle:
        logical = _logical_lines(_physical_lines(handle, file_report), file_report)
        n_cards = 0
        for card in _cards(logical, file_report):
            n_cards += 1
            try:
                props = _from_vobject(card)
            except Exception as exc:
                file_report.notes["fallback_cards"] = file_report.notes.get("fallback_cards", 0) + 1
                file_report.warn(
                    f"card {card.number} (line {card.start_line}): vobject: {exc}; line parser used",
                    limit=MAX_WARNINGS,
                )
                props = [p for p in map(_parse_line, card.lines) if p is not None]
            record = _record(card, props, path, file_report)
            if record is not None:
                rows.append(record)
    if n_cards == 0:
        raise FormatError(
            f"{path}: no BEGIN:VCARD found, so this is not a vCard file. "
            f"Export the contacts as vCard (.vcf), or use read_contacts_csv for CSV exports."
        )
    frame = pd.DataFrame(rows, columns=list(S.CONTACTS)) if rows else S.empty_frame(S.CONTACTS)
    frame[S.CONNECTED_ON] = pd.to_datetime(frame[S.CONNECTED_ON], utc=True)
    S.validate(frame, S.CONTACTS)
    return frame, report
