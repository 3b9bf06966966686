"""Shared helpers for CSV exports: decoding, header discovery, accounted record splitting, dates."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from netanalytics.exceptions import FormatError
from netanalytics.io.report import MAX_WARNINGS, FileReport

__all__ = [
    "MAX_WARNINGS",
    "Table",
    "decode_bytes",
    "file_key",
    "find_header",
    "normalize_column",
    "parse_dates",
    "read_table",
]

#: Per-record warnings kept in a FileReport; the rest are counted in one closing line.

# Magic numbers of files people rename to .csv by mistake.
_BINARY_MAGIC = {
    b"%PDF-": "a PDF document",
    b"PK\x03\x04": "a zip archive (or an .xlsx workbook)",
    b"\xd0\xcf\x11\xe0": "an old Excel/Word document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
}

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_EOF_SENTINEL = "\ue000netanalytics-eof\ue001"


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode the bytes of a text export, detecting BOM, UTF-8 and cp1252.

    Parameters
    ----------
    data : bytes
        The raw file content.
    name : str
        The file name, used in error messages.

    Returns
    -------
    text : str
        The decoded text, without a byte-order mark.
    encoding : str
        ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"`` (with a BOM), ``"utf-16-le"`` or ``"utf-16-be"``
        (without one), ``"cp1252"`` or ``"latin-1"``.

    Raises
    ------
    FormatError
        When the bytes are a binary file (PDF, image, workbook ...), not text.

    Notes
    -----
    Excel re-saves are often cp1252; bytes that cp1252 leaves undefined fall back to latin-1,
    which maps every byte, so decoding never fails on text.

    Examples
    --------
    >>> decode_bytes(b"\\xef\\xbb\\xbfFirst Name", "x.csv")
    ('First Name', 'utf-8-sig')
    >>> decode_bytes("Zoë".encode("cp1252"), "x.csv")
    ('Zoë', 'cp1252')
    """
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise FormatError(f"{name} is {what}, not a CSV text file. Export the data again as CSV.")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff"), "utf-16"
    bom_less = _utf16_without_bom(data[:4096])
    if bom_less:
        return data.decode(bom_less, errors="replace"), bom_less
    if b"\x00" in data[:4096]:
        raise FormatError(
            f"{name} contains NUL bytes near its start: it is a binary file, not a CSV text file. "
            "Export the data again as CSV."
        )
    # UTF-8 first, then Windows' cp1252 (Excel), then latin-1, which decodes any byte
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _utf16_without_bom(head: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when ``head`` looks like UTF-16 text written without a BOM.

    Text in the Latin range written as UTF-16 has a NUL in every other byte (the high byte of
    each code unit); a binary file has NULs scattered anywhere. Some exports (LinkedIn's 2022
    side files, Windows tools) write UTF-16, not always with a byte-order mark.
    """
    if len(head) < 4:
        return None
    head = head[: len(head) - len(head) % 2]
    even, odd = head[0::2], head[1::2]
    for zeros, text, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.6 * len(zeros) and text.count(0) == 0:
            return encoding
    return None


def normalize_column(name: str) -> str:
    """Header name as compared: case-folded, BOM and quotes removed, inner whitespace collapsed.

    Examples
    --------
    >>> normalize_column("  IS MESSAGE   DRAFT ")
    'is message draft'
    """
    return " ".join(name.replace("\ufeff", "").strip().strip('"').split()).casefold()


def file_key(filename: str) -> str:
    """Key a file name is matched by: the stem, lower-cased, without spaces, ``_`` or ``-``.

    Examples
    --------
    >>> file_key("exports/Imported Contacts.csv")
    'importedcontacts'
    >>> file_key("Endorsement_Received_Info.CSV")
    'endorsementreceivedinfo'
    """
    base = re.split(r"[\\/]", filename)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return re.sub(r"[\s_\-]+", "", stem).lower()


def _split_line(line: str, delimiter: str = ",") -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)


def find_header(
    text: str,
    required: Iterable[str],
    name: str,
    *,
    max_lines: int = 60,
    what: str = "export",
    delimiter: str = ",",
) -> tuple[int, int, list[str]]:
    """Locate the header line by its content (never by a fixed number of lines).

    Parameters
    ----------
    text : str
        The decoded file.
    required : iterable of str
        Normalised column names (see :func:`normalize_column`) that the header must contain.
    name : str
        File name for error messages.
    max_lines : int, default 60
        How many physical lines to search; preambles are a few lines long.
    what : str
        What the file should be, for the error message (``"LinkedIn Connections export"``).
    delimiter : str, default ","
        Field separator (``"\\t"`` for tab-separated files).

    Returns
    -------
    line_number : int
        1-based physical line of the header.
    offset : int
        Character offset of the header line in ``text``.
    columns : list of str
        The header cells as written.

    Raises
    ------
    FormatError
        Naming the file, the columns found and the columns expected.

    Examples
    --------
    >>> find_header('Notes:\\n"Some text"\\n\\nFirst Name,Last Name\\nAnn,Lee\\n', ["first name"], "c.csv")
    (4, 20, ['First Name', 'Last Name'])
    """
    required = list(required)
    offset = 0
    first_seen: list[str] | None = None
    for number, match in enumerate(itertools.chain(_LINE_BREAK.finditer(text), [None]), start=1):
        end = match.start() if match else len(text)
        line = text[offset:end]
        cells = _split_line(line, delimiter)
        names = {normalize_column(c) for c in cells}
        if all(r in names for r in required):
            return number, offset, cells
        if first_seen is None and sum(1 for c in cells if c.strip()) >= 2:
            first_seen = cells
        if match is None or number >= max_lines:
            break
        offset = match.end()
    found = ", ".join(c.strip() for c in first_seen if c.strip()) if first_seen else "no columns"
    expected = ", ".join(r.title() if r.islower() else r for r in required)
    raise FormatError(
        f"{name}: no header line with the columns {expected} in its first {max_lines} lines "
        f"(found: {found[:300]}). Is this a {what}? Pass the file of the right kind, or "
        "re-export it from LinkedIn."
    )


@dataclass
class Table:
    """The records of one CSV file that have the header's shape, columns by normalised name.

    Attributes
    ----------
    name : str
        File name (as shown in reports).
    header : list of str
        Header cells as written.
    columns : dict
        Normalised column name → list of values (first occurrence of a repeated name wins).
    lines : list of int
        1-based physical line where each record starts.
    """

    name: str
    header: list[str]
    columns: dict[str, list[str]] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.lines)

    def has(self, column: str) -> bool:
        """Whether the normalised ``column`` is present."""
        return column in self.columns

    def get(self, *candidates: str) -> list[str]:
        """Values of the first present column among ``candidates``, else empty strings."""
        for column in candidates:
            if column in self.columns:
                return self.columns[column]
        return [""] * len(self.lines)


def read_table(
    text: str,
    name: str,
    report: FileReport,
    *,
    required: Sequence[str],
    what: str = "export",
    max_header_lines: int = 60,
    delimiter: str = ",",
) -> Table:
    """Split a decoded CSV into records after its header, accounting for every damaged one.

    Records whose number of fields differs from the header's, repeated header lines, rows with
    every field empty, and a record cut off by an unterminated quote at the end of the file are
    skipped in ``report`` with a reason (and a capped warning naming the line). Blank lines are
    not records. Every other record is returned in the :class:`Table`; the caller keeps or skips
    each of them.

    Parameters
    ----------
    text : str
        Decoded file content.
    name : str
        File name for reports and errors.
    report : FileReport
        Where skipped records are counted.
    required : sequence of str
        Normalised column names the header must contain (see :func:`find_header`).
    what : str
        What the file should be, for error messages.
    max_header_lines : int, default 60
        Lines searched for the header.
    delimiter : str, default ","
        Field separator.

    Returns
    -------
    Table

    Raises
    ------
    FormatError
        When no header is found, or the CSV cannot be split (for example a quoted field that
        runs past the csv module's field size limit, the sign of a quote opened and never closed).

    Examples
    --------
    >>> from netanalytics.io.report import MAX_WARNINGS, FileReport
    >>> r = FileReport("c.csv", "demo")
    >>> t = read_table('Notes:\\n\\nA,B\\n1,2\\n3\\n4,"5', "c.csv", r, required=["a"])
    >>> t.columns, t.lines, sorted(r.skipped.items())
    ({'a': ['1'], 'b': ['2']}, [4], [('malformed row (field count differs from header)', 1), ('truncated record (unterminated quote at end of file)', 1)])
    """
    header_line, offset, header = find_header(
        text, required, name, max_lines=max_header_lines, what=what, delimiter=delimiter
    )
    n_fields = len(header)
    records, starts, last_line = _split_records(text[offset:], header, header_line, name, delimiter)
    if records and records[-1] == [_EOF_SENTINEL]:
        records.pop()
        starts.pop()
    elif records and records[-1] and records[-1][-1].endswith(_EOF_SENTINEL):
        records.pop()
        start = starts.pop()
        report.skip("truncated record (unterminated quote at end of file)")
        report.warn(
            f"{name} line {start}: a quote opened in this record is never closed; the record "
            f"(lines {start}-{last_line - 2}) is damaged and was skipped",
            limit=MAX_WARNINGS,
        )
    odd = [k for k, r in enumerate(records) if len(r) != n_fields or r == header or not any(r)]
    good, lines = records, starts
    if odd:
        dropped = set()
        for k in odd:
            record = records[k]
            if len(record) > n_fields and not any(record[n_fields:]):
                records[k] = record[:n_fields]  # Excel pads rows with empty trailing cells
                if any(records[k]) and records[k] != header:
                    continue
                record = records[k]
            dropped.add(k)
            if not record:
                continue  # a blank line is not a record
            if len(record) != n_fields:
                report.skip("malformed row (field count differs from header)")
                report.warn(
                    f"{name} line {starts[k]}: {len(record)} fields where the header has {n_fields}",
                    limit=MAX_WARNINGS,
                )
            elif record == header:
                report.skip("repeated header line")
            else:
                report.skip("empty row")
        good = [r for k, r in enumerate(records) if k not in dropped]
        lines = [line for k, line in enumerate(starts) if k not in dropped]
    columns: dict[str, list[str]] = {}
    if good:
        for cell, values in zip(header, zip(*good)):
            key = normalize_column(cell)
            if key and key not in columns:
                columns[key] = list(values)
    else:
        for cell in header:
            key = normalize_column(cell)
            if key and key not in columns:
                columns[key] = []
    return Table(name=name, header=header, columns=columns, lines=lines)


def _split_records(
    body: str, header: list[str], header_line: int, name: str, delimiter: str = ","
) -> tuple[list, list, int]:
    """Records after the header, the physical line where each starts, and the last line number."""
    reader = csv.reader(
        itertools.chain(io.StringIO(body, newline=""), ["\n", _EOF_SENTINEL]), delimiter=delimiter
    )
    first_line = header_line - 1
    records: list[list[str]] = []
    ends: list[int] = []
    add_record, add_end = records.append, ends.append
    try:
        if next(reader, None) != header:
            raise FormatError(
                f"{name} line {header_line}: the header line opens a quote it never closes. "
                "Fix the header line or re-export the file."
            )
        for record in reader:
            add_record(record)
            add_end(reader.line_num)
    except csv.Error as exc:
        raise FormatError(
            f"{name} line {first_line + reader.line_num}: the CSV cannot be split into records ({exc}). "
            "A quote is probably opened and never closed near that line; re-export the file or fix the quote."
        ) from None
    starts = [header_line + 1] + [first_line + end + 1 for end in ends[:-1]]
    return records, starts[: len(records)], first_line + reader.line_num


_NS_FIRST = pd.Timestamp("1678-01-01", tz="UTC")
_NS_LAST = pd.Timestamp("2262-01-01", tz="UTC")


def parse_dates(values: Sequence[str] | pd.Series, formats: Sequence[str]) -> pd.Series:
    """Parse date text with explicit formats tried in order; UTC, NaT where none fits.

    Each format is applied (vectorised) to the values not parsed by an earlier one. Times
    without a zone are taken as UTC. Empty text gives NaT.

    Parameters
    ----------
    values : sequence of str
    formats : sequence of str
        ``strftime`` formats, most likely first.

    Returns
    -------
    Series
        ``datetime64[ns, UTC]``, same length and order as ``values`` (default index).

    Examples
    --------
    >>> parse_dates(["17 Jun 2021", "23-Apr-23", "soon", "1 Aug 2333"], ["%d %b %Y", "%d-%b-%y"]).tolist()
    [Timestamp('2021-06-17 00:00:00+0000', tz='UTC'), Timestamp('2023-04-23 00:00:00+0000', tz='UTC'), NaT, NaT]
    """
    text = pd.Series(list(values), dtype=object).fillna("").astype(str).str.strip()
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    todo = text != ""
    for fmt in formats:
        if not todo.any():
            break
        candidates = text[todo]
        if fmt.endswith(" UTC"):
            # A literal suffix defeats pandas' fast ISO-8601 path; strip it and parse the rest.
            candidates = candidates[candidates.str.endswith(" UTC")].str.slice(0, -4)
            fmt = fmt[:-4]
        parsed = pd.to_datetime(candidates, format=fmt, errors="coerce", utc=True)
        # years outside what nanosecond timestamps hold (a mangled "2333") count as unparsed
        ok = parsed.notna() & parsed.between(_NS_FIRST, _NS_LAST)
        if ok.any():
            result.loc[ok[ok].index] = parsed[ok].astype("datetime64[ns, UTC]")
            todo.loc[ok[ok].index] = False
    return result
