"""Fast header-only scanning of mbox files and message files into column lists; private."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import mmap
import re
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from netanalytics import schema as S
from netanalytics.io import _headers as H

__all__ = [
    "FROM_LINE",
    "MAX_WARNINGS",
    "Batch",
    "align",
    "check_mbox_start",
    "find_separators",
    "parse_mbox_range",
    "parse_message_files",
]

MAX_WARNINGS = 20

# A From_ line with an asctime date: "From ann@x Mon Jan  1 00:00:00 2001", Thunderbird's
# "From - ...", Gmail's "From 1538...@xxx Thu Jun 30 12:31:44 +0000 2016" (zone optional).
FROM_LINE = re.compile(
    rb"From \S*[ \t]+(?:[A-Z][a-z]{2},?[ \t]+)?[A-Z][a-z]{2}[ \t]+\d{1,2}[ \t]+\d{1,2}:\d\d(?::\d\d)?"
    rb"[ \t]+(?:(?:[+-]\d{4}|[A-Z]{2,5})[ \t]+)?\d{4}"
)

# a machine word anywhere in the local part, as a whole token: noreply@, messages-noreply@,
# calendar-notification@, notify@ ...
_AUTOMATED_LOCAL = re.compile(
    r"(?:^|[-+_.])(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|notifications?|notify|mailer[-_.]?daemon"
    r"|postmaster|bounces?|automated|auto[-_.]?confirm|alerts?|newsletters?)(?:$|[-+_.])"
)
_AUTOMATED_DOMAINS = (
    "facebookmail.com",
    "bounce.linkedin.com",
    "mcsv.net",
    "mailchimp.com",
    "sendgrid.net",
    "amazonses.com",
    "mandrillapp.com",
    "mktomail.com",
    "hubspotemail.net",
    "intercom-mail.com",
    "salesforce.com",
    "exacttarget.com",
)
_BULK_PRECEDENCE = (b"bulk", b"list", b"junk")
_SOURCE_GMAIL = "gmail"

# Private evidence columns kept in cached frames and dropped before a reader returns.
SENT_LABEL = "_sent_label"
DELIVERED_TO = "_delivered_to"
STR_DTYPE = pd.StringDtype(na_value=np.nan)  # pandas' default "str" dtype, whatever the values
CHANNEL_EMAIL = "email"
TEXT_COLUMNS = (
    S.MESSAGE_ID,
    S.SOURCE,
    S.SENDER,
    S.SENDER_NAME,
    S.THREAD_ID,
    S.IN_REPLY_TO,
    S.SUBJECT,
    S.MAILING_LIST,
    S.FOLDER,
    DELIVERED_TO,
)

COLUMNS = (
    S.MESSAGE_ID,
    S.SOURCE,
    S.FOLDER,
    S.LABELS,
    S.SENDER,
    S.SENDER_NAME,
    S.TO,
    S.TO_NAMES,
    S.CC,
    S.CC_NAMES,
    S.IN_REPLY_TO,
    S.REFERENCES,
    S.THREAD_ID,
    S.SUBJECT,
    S.IS_AUTOMATED,
    S.MAILING_LIST,
    SENT_LABEL,
    DELIVERED_TO,
)


def is_automated_address(key: str | None) -> bool:
    """Whether an identity key looks like a machine sender (no-reply, notifications, ...)."""
    if not key or "@" not in key:
        return False
    local, _, domain = key.partition("@")
    return bool(_AUTOMATED_LOCAL.search(local)) or domain.endswith(_AUTOMATED_DOMAINS)


_CACHE_LIMIT = 50_000


@contextlib.contextmanager
def no_gc():
    """Pause the cyclic garbage collector: building millions of small lists makes it rescan
    every live container again and again, and nothing here creates reference cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _fast_ids(raw: bytes) -> list[str]:
    """Ids of a well-formed ``<a@b> <c@d>`` value without regexes; tolerant path otherwise."""
    if raw[:1] == b"<" and raw[-1:] == b">" and raw.count(b"<") == 1 and raw.isascii() and b" " not in raw:
        return [raw[1:-1].decode("ascii")] if len(raw) > 2 else []
    tokens = raw.split()
    if (
        tokens
        and all(t[:1] == b"<" and t[-1:] == b">" and t.count(b"<") == 1 for t in tokens)
        and raw.isascii()
    ):
        out = []
        for t in tokens:
            i = t[1:-1].decode("ascii")
            if i and i not in out:
                out.append(i)
        return out
    return H.extract_ids(raw)


class Batch:
    """Column lists for the messages of one byte range or list of files."""

    def __init__(self, source: str, folder: str | None, source_file: str):
        self.source = source
        self.source_file = source_file
        self.folder = folder
        self.folder_is_sent = H.is_sent_folder(folder)
        self.rows: list[tuple] = []
        self.cols: dict[str, list] = {k: [] for k in COLUMNS}
        self.skipped: Counter = Counter()
        self.counters: Counter = Counter()
        self.warnings: list[str] = []
        self.n_warnings = 0
        self.read = 0
        # Addresses, labels and folders repeat across messages: share one object per value
        # (pickle keeps the sharing when a worker sends its columns back), and parse each
        # distinct raw header value once.
        self._shared: dict = {}
        self._addr_cache: dict[bytes, tuple[list[str], list[str]]] = {}
        self._from_cache: dict[bytes, tuple] = {}
        self._label_cache: dict[bytes, tuple] = {}
        self._auto_cache: dict[str | None, bool] = {}

    def warn(self, text: str) -> None:
        self.n_warnings += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)

    def _addresses(self, raw: bytes) -> tuple[list[str], list[str]]:
        hit = self._addr_cache.get(raw)
        if hit is None:
            keys, names = H.parse_addresses(raw)
            share = self._shared.setdefault
            keys = [share(k, k) for k in keys]
            if not any(names):
                names = []
            if len(self._addr_cache) > _CACHE_LIMIT:
                self._addr_cache.clear()
            hit = self._addr_cache[raw] = (keys, names)
        return list(hit[0]), list(hit[1])

    def _labels(self, raw: bytes) -> tuple:
        hit = self._label_cache.get(raw)
        if hit is None:
            labels = H.parse_labels(raw)
            share = self._shared.setdefault
            labels = [share(x, x) for x in labels]
            joined = ",".join(labels)
            hit = (
                labels,
                any(H.is_chat_label(x) for x in labels),
                any(H.is_sent_folder(x) for x in labels),
                share(joined, joined) if labels else None,
            )
            if len(self._label_cache) > _CACHE_LIMIT:
                self._label_cache.clear()
            self._label_cache[raw] = hit
        return hit

    def _sender(self, raw: bytes) -> tuple:
        hit = self._from_cache.get(raw)
        if hit is None:
            sender, name, n = H.sender_from(raw)
            if sender is not None:
                sender = self._shared.setdefault(sender, sender)
            if len(self._from_cache) > _CACHE_LIMIT:
                self._from_cache.clear()
            hit = self._from_cache[raw] = (sender, name, n)
        return hit

    def add(self, block: bytes, from_line: bytes | None, where: str, position: str) -> None:
        """Parse one header block; ``where`` names it in warnings, ``position`` feeds synthetic ids."""
        self._add(H.split_header_block(block), from_line, where, position)

    def add_block(self, block: bytes, from_line: bytes | None, offset: int) -> None:
        """Parse the header block (with the newline before it) of the mbox message at byte ``offset``."""
        self._add(H.split_header_lines(block), from_line, None, offset)

    def _add(self, h: dict, from_line: bytes | None, where: str | None, position) -> None:
        # ``where`` None: an mbox message at byte ``position`` (names made only when needed)
        self.read += 1
        if not h:
            self.skipped["no header lines (not an email message)"] += 1
            return
        get = h.get
        labels_raw = get(b"x-gmail-labels")
        if labels_raw is not None:
            labels, is_chat, sent_label, folder = self._labels(labels_raw)
            labels = list(labels)
            if is_chat:
                self.skipped["Gmail chat item"] += 1
                return
            sent_label = sent_label or self.folder_is_sent
            if folder is None:
                folder = self.folder
        else:
            labels, sent_label, folder = [], self.folder_is_sent, self.folder
        if not (b"from" in h or b"to" in h or b"date" in h or b"message-id" in h or b"subject" in h):
            self.skipped["no From, To, Date, Subject or Message-ID header (not an email message)"] += 1
            return
        gmail = labels_raw is not None or b"x-gm-thrid" in h

        raw_from = get(b"from", b"")
        sender, sender_name, n_from = self._sender(raw_from) if raw_from else (None, None, 0)
        if n_from > 1:
            self.counters["from_with_several_addresses"] += 1
            if where is None:
                where = f"{self.source_file} message at byte {position}"
            self.warn(f"{where}: From holds {n_from} addresses; kept the first ({sender})")
        mailing_list = None
        list_id = get(b"list-id")
        original = get(b"x-original-from")
        via = sender_name is not None and " via " in sender_name
        if list_id is not None or original is not None or via:
            sender, sender_name, mailing_list = self._resolve_list(h, sender, sender_name, via)

        to_raw, cc_raw = get(b"to"), get(b"cc")
        to, to_names = self._addresses(to_raw) if to_raw else ([], [])
        cc, cc_names = self._addresses(cc_raw) if cc_raw else ([], [])

        mid_raw = get(b"message-id")
        mids = _fast_ids(mid_raw) if mid_raw else []
        date_raw = get(b"date")
        date_text = H.decode_bytes(date_raw) if date_raw else None
        subj_raw = get(b"subject")
        subject = None
        if subj_raw is not None:
            subject = subj_raw.decode("ascii") if subj_raw.isascii() else H.decode_bytes(subj_raw)
            if "=?" in subject:
                subject = H.decode_words(subject)
        if mids:
            message_id = mids[0]
        else:
            digest = hashlib.sha1(
                "\x1f".join((raw_from.decode("latin-1"), date_text or "", subject or "", str(position))).encode(
                    "utf-8", "surrogatepass"
                )
            ).hexdigest()[:24]
            message_id = f"synthetic-{digest}@netanalytics.invalid"
            self.counters["synthetic_message_id"] += 1
        irt_raw = get(b"in-reply-to")
        irt = _fast_ids(irt_raw) if irt_raw else []
        refs_raw = get(b"references")
        refs = _fast_ids(refs_raw) if refs_raw else []
        thrid = get(b"x-gm-thrid")
        if thrid:
            thread_id = H.decode_bytes(thrid).strip()
        elif refs:
            thread_id = refs[0]
        elif irt:
            thread_id = irt[0]
        else:
            thread_id = message_id

        automated = self._auto_cache.get(sender)
        if automated is None:
            automated = self._auto_cache[sender] = is_automated_address(sender)
        if not automated and (b"list-unsubscribe" in h or b"precedence" in h or b"auto-submitted" in h):
            prec = get(b"precedence")
            auto = get(b"auto-submitted")
            automated = (
                b"list-unsubscribe" in h
                or (prec is not None and prec.strip().lower() in _BULK_PRECEDENCE)
                or (auto is not None and auto.strip().lower() not in (b"no", b""))
            )

        delivered = get(b"delivered-to") or get(b"x-original-to")
        delivered_to = None
        if delivered:
            keys = self._addresses(delivered)[0]
            delivered_to = keys[0] if keys else None

        # one tuple per message, in COLUMNS order then the three date sources (transposed in finish)
        self.rows.append(
            (
                message_id,
                _SOURCE_GMAIL if gmail else self.source,
                folder,
                labels,
                sender,
                sender_name,
                to,
                to_names,
                cc,
                cc_names,
                irt[0] if irt else None,
                refs,
                thread_id,
                subject,
                automated,
                mailing_list,
                sent_label,
                delivered_to,
                date_text,
                get(b"received"),
                from_line,
            )
        )

    def _resolve_list(self, h: dict, sender, sender_name, via: bool):
        """Undo a mailing list's From rewrite: the person from X-Original-From or Reply-To."""
        list_id = h.get(b"list-id")
        original = h.get(b"x-original-from")
        list_addr = None
        if list_id is not None and sender and "@" in sender:
            post = h.get(b"list-post")
            post_keys = H.parse_addresses(post.replace(b"mailto:", b""))[0] if post else []
            lid = H.extract_ids(list_id)
            lid_text = (lid[0] if lid else H.decode_bytes(list_id)).lower()
            local, _, dom = sender.partition("@")
            if sender in post_keys or lid_text in (f"{local}.{dom}", sender):
                list_addr = sender
        mailing_list = None
        if via or list_addr or (original is not None and sender is not None):
            person = None
            if original is not None:
                keys, names = H.parse_addresses(original)
                if keys and keys[0] != sender:
                    person = (keys[0], names[0] or None)
            if person is None and (via or list_addr):
                reply_to = h.get(b"reply-to")
                if reply_to is not None:
                    keys, names = H.parse_addresses(reply_to)
                    if len(keys) == 1 and keys[0] != sender:
                        person = (keys[0], names[0] or None)
            if person is not None:
                mailing_list = sender
                sender = person[0]
                if person[1]:
                    sender_name = person[1]
                self.counters["sender_from_mailing_list_rewrite"] += 1
            elif via:
                mailing_list = sender
        if via and sender_name and " via " in sender_name:
            sender_name = sender_name.split(" via ", 1)[0].strip() or None
        return sender, sender_name, mailing_list

    def finish(self) -> dict:
        """Resolve dates (vectorised fast path, tolerant fallbacks) and return plain data."""
        columns = list(zip(*self.rows)) if self.rows else [()] * (len(COLUMNS) + 3)
        self.rows = []
        self.cols = {name: list(values) for name, values in zip(COLUMNS, columns)}
        self.date_text, self.received_raw, self.from_lines = columns[len(COLUMNS) :]
        n = len(self.date_text)
        ts = _fast_dates(self.date_text)
        stats = Counter()
        where_bad = np.flatnonzero(np.isnat(ts))
        stats["date_header"] = n - len(where_bad)
        epoch = np.datetime64(0, "ns")
        for i in where_bad:
            value, exact = H.parse_date(self.date_text[i])
            rule = "date_header"
            if value is None or not exact:
                rec_raw = self.received_raw[i]
                rec_text = H.received_date_text(rec_raw) if rec_raw else None
                rec, rec_exact = H.parse_date(rec_text) if rec_text else (None, False)
                line_dt = H.parse_from_line_date(self.from_lines[i]) if self.from_lines[i] else None
                if rec is not None and rec_exact:
                    value, rule = rec, "received"
                elif line_dt is not None:
                    value, rule = line_dt, "from_line"
                elif value is not None:
                    rule = "date_header_day_only"
                else:
                    rule = "missing"
            stats[rule] += 1
            if rule != "date_header":
                self.warn(
                    f"message {self.cols[S.MESSAGE_ID][i]}: Date {self.date_text[i]!r} unusable; "
                    + ("no date found (NaT)" if rule == "missing" else f"used the {rule.replace('_', ' ')}")
                )
            if value is not None:
                ts[i] = epoch + np.timedelta64(int(value.timestamp() * 1_000_000), "us")
        return {
            "frame": self._frame(ts),
            "read": self.read,
            "skipped": dict(self.skipped),
            "counters": dict(self.counters),
            "dates": dict(stats),
            "warnings": self.warnings,
            "n_warnings": self.n_warnings,
        }

    def _frame(self, ts: np.ndarray) -> pd.DataFrame:
        """The columns as a frame: text in pandas' Arrow-backed ``str`` dtype (compact to send
        between processes and to keep), lists as Python lists."""
        c = self.cols
        n = len(c[S.MESSAGE_ID])
        text = {col: pd.array(c[col], dtype=STR_DTYPE) for col in TEXT_COLUMNS}
        frame = pd.DataFrame(
            {
                S.MESSAGE_ID: text[S.MESSAGE_ID],
                S.SOURCE: text[S.SOURCE],
                S.SOURCE_FILE: pd.array([self.source_file] * n, dtype=STR_DTYPE),
                S.CHANNEL: pd.array([CHANNEL_EMAIL] * n, dtype=STR_DTYPE),
                S.TIMESTAMP: pd.DatetimeIndex(ts).tz_localize("UTC"),
                S.SENDER: text[S.SENDER],
                S.SENDER_NAME: text[S.SENDER_NAME],
                S.TO: _object_array(c[S.TO]),
                S.CC: _object_array(c[S.CC]),
                S.TO_NAMES: _object_array(c[S.TO_NAMES]),
                S.CC_NAMES: _object_array(c[S.CC_NAMES]),
                S.THREAD_ID: text[S.THREAD_ID],
                S.IN_REPLY_TO: text[S.IN_REPLY_TO],
                S.REFERENCES: _object_array(c[S.REFERENCES]),
                S.SUBJECT: text[S.SUBJECT],
                S.N_RECIPIENTS: np.fromiter(map(len, c[S.TO]), dtype=np.int64, count=n)
                + np.fromiter(map(len, c[S.CC]), dtype=np.int64, count=n),
                S.IS_FROM_ME: np.zeros(n, dtype=bool),
                S.IS_AUTOMATED: np.array(c[S.IS_AUTOMATED], dtype=bool),
                S.MAILING_LIST: text[S.MAILING_LIST],
                S.FOLDER: text[S.FOLDER],
                S.LABELS: _object_array(c[S.LABELS]),
                SENT_LABEL: np.array(c[SENT_LABEL], dtype=bool),
                DELIVERED_TO: text[DELIVERED_TO],
            }
        )
        self.cols = {k: [] for k in COLUMNS}
        return frame


def _object_array(values: list) -> pd.Series:
    # a 1-D object column of lists (numpy alone would make equal-length lists 2-D)
    return pd.Series(values, dtype=object)


def empty_frame() -> pd.DataFrame:
    """An empty internal frame (canonical columns plus the private evidence columns)."""
    return Batch("mbox", None, "")._frame(np.array([], dtype="datetime64[ns]"))


_FAST_DATE = (
    r"^\s*(?:[A-Za-z]{3},?\s+)?(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]{3})\s+(?P<y>\d{4})\s+(?P<h>\d{1,2}):"
    r"(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s+(?P<z>[+-]\d{4}|GMT|UTC?|Z)(?:\s|$)"
)
_MONTHS = pa.array(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])


def _fast_dates(texts: list[str | None]) -> np.ndarray:
    """Vectorised parse of well-formed RFC 5322 dates (Arrow regex, numpy date arithmetic).

    NaT where the text needs the tolerant per-message route (zone names, localized
    names, broken times, impossible days, years outside 1970–2100).
    """
    out = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[ns]")
    if not texts:
        return out
    parts = pc.extract_regex(pa.array(texts, type=pa.string()), _FAST_DATE)
    ok = parts.is_valid().to_numpy(zero_copy_only=False)
    if not ok.any():
        return out
    parts = parts.filter(pa.array(ok))

    def number(name: str) -> np.ndarray:
        field = parts.field(name)
        return pc.cast(pc.if_else(pc.equal(field, ""), "0", field), pa.int64()).to_numpy()

    day, year, hour, minute, second = (number(k) for k in ("d", "y", "h", "mi", "s"))
    month = pc.fill_null(pc.index_in(pc.utf8_lower(parts.field("mon")), _MONTHS), -1).to_numpy()
    zone = parts.field("z")
    zone = pc.if_else(pc.equal(pc.utf8_length(zone), 5), zone, "+0000")
    zone_s = (
        pc.cast(pc.utf8_slice_codeunits(zone, 1, 3), pa.int64()).to_numpy() * 3600
        + pc.cast(pc.utf8_slice_codeunits(zone, 3, 5), pa.int64()).to_numpy() * 60
    ) * np.where(pc.starts_with(zone, "-").to_numpy(zero_copy_only=False), -1, 1)
    valid = (
        (year >= 1970)
        & (year <= 2100)
        & (hour <= 23)
        & (minute <= 59)
        & (second <= 60)
        & (month >= 0)
        & (day >= 1)
    )
    first = ((np.where(valid, year, 1970) - 1970) * 12 + np.where(valid, month, 0)).astype("datetime64[M]")
    date = first.astype("datetime64[D]") + (np.where(valid, day, 1) - 1).astype("timedelta64[D]")
    valid &= date.astype("datetime64[M]") == first  # 31 Feb is not a day
    seconds = hour * 3600 + minute * 60 + second - zone_s
    stamp = date.astype("datetime64[ns]") + (seconds * 1_000_000_000).astype("timedelta64[ns]")
    stamp[~valid] = np.datetime64("NaT")
    out[np.flatnonzero(ok)] = stamp
    return out


# --- mbox ------------------------------------------------------------------------------


def check_mbox_start(mm, path: str) -> int:
    """Offset of the first From_ line, after an optional BOM and blank lines; FormatError if none."""
    from netanalytics.exceptions import FormatError

    head = bytes(mm[:4096])
    offset = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while offset < len(head) and head[offset : offset + 1] in (b"\n", b"\r", b" ", b"\t"):
        offset += 1
    if offset >= len(head) and len(mm) <= 4096:
        return len(mm)  # empty or blank file: no messages
    if head[offset : offset + 5] != b"From ":
        first = head[offset:].split(b"\n", 1)[0][:60].decode("latin-1")
        raise FormatError(
            f"{path}: not an mbox file: line 1 should be a 'From ' separator line, found {first!r}. "
            "For single messages use read_eml; for a folder use read_email."
        )
    return offset


def _is_separator(mm, i: int) -> bool:
    """Whether the newline at ``i`` ends a blank line and starts a dated From_ line."""
    prev = mm[i - 1] if i >= 1 else 10
    if prev != 10 and not (prev == 13 and i >= 2 and mm[i - 2] == 10):
        return False
    return FROM_LINE.match(mm, i + 1) is not None


def align(mm, offset: int, end: int) -> int:
    """First separator at or after ``offset`` (or ``end``)."""
    cur = max(offset - 1, 0)
    while True:
        i = mm.find(b"\nFrom ", cur, end)
        if i < 0:
            return end
        if _is_separator(mm, i):
            return i + 1
        cur = i + 1


def find_separators(mm, start: int, end: int) -> list[int]:
    """Start offsets of the messages beginning in ``[start, end)``; ``start`` is one of them."""
    seps = [start]
    cur = start
    find = mm.find
    while True:
        i = find(b"\nFrom ", cur, end)
        if i < 0:
            return seps
        if _is_separator(mm, i):
            seps.append(i + 1)
        cur = i + 1


def parse_mbox_range(path: str, start: int, end: int, folder: str | None, source: str, label: str) -> dict:
    """Parse the messages whose separators lie in ``[start, end)`` of an mbox file."""
    with no_gc():
        return _parse_mbox_range(path, start, end, folder, source, label)


# One C-level pass per range: the next separator (a dated From_ line after a blank line), its
# From_ line, and the header lines up to the first blank line (group 2 starts with the From_
# line's newline, so the header regex sees every header at a line start). Bodies are skipped
# by sre's literal-prefix search for "\nFrom ", never looked at line by line.
_MESSAGE = re.compile(
    rb"\n(From (?:(?<=\n\nFrom )|(?<=\n\r\nFrom ))"
    + FROM_LINE.pattern[len(b"From ") :]
    + rb"[^\n]*)(\n(?:[^\r\n][^\n]*\n|\r[^\n]+\n)*)?"
)


def _header_block(mm, s: int, e: int) -> tuple[bytes, bytes | None]:
    """(newline + header block, From_ line) of the message at ``s`` ending by ``e``, the slow way."""
    find = mm.find
    nl = find(b"\n", s, e)
    if nl < 0:
        return b"", None
    from_line = mm[s:nl]
    first, second = (b"\n\r\n", b"\n\n") if mm[nl - 1] == 13 else (b"\n\n", b"\n\r\n")
    he = find(first, nl, e)
    he2 = find(second, nl, he if he >= 0 else e)
    if he2 >= 0:
        he = he2
    return (mm[nl : he + 1] if he >= 0 else mm[nl:e]), from_line


def _parse_mbox_range(path: str, start: int, end: int, folder: str | None, source: str, label: str) -> dict:
    batch = Batch(source, folder, label)
    add = batch.add_block
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        matches = _MESSAGE.finditer(mm, start, end)
        m = next(matches, None)
        # the first message: at ``start`` whatever its From_ line looks like
        block, from_line = _header_block(mm, start, m.start() + 1 if m is not None else end)
        add(block, from_line, start)
        while m is not None:
            s = m.start() + 1
            from_line, block = m.groups()
            p = m.end()
            nxt = next(matches, None)
            if block is None:  # no newline after the From_ line: the file ends there
                add(b"", None, s)
            elif p == end or mm[p] == 10 or (mm[p] == 13 and mm[p + 1 : p + 2] == b"\n"):
                add(block, from_line, s)
            else:  # a partial last line or an odd line ending: the exact slow rule
                block, from_line = _header_block(mm, s, nxt.start() + 1 if nxt is not None else end)
                add(block, from_line, s)
            m = nxt
    return batch.finish()


# --- message files (Maildir, eml, Enron trees) ------------------------------------------

_CHUNK = 65536


def read_header_block(path: str) -> tuple[bytes, bytes | None]:
    """The header block of a message file (and its From_ line if it starts with one)."""
    with open(path, "rb") as fh:
        data = fh.read(_CHUNK)
        while True:
            he = data.find(b"\n\n")
            he2 = data.find(b"\n\r\n", 0, he if he >= 0 else len(data))
            if he2 >= 0:
                he = he2
            if he >= 0:
                data = data[: he + 1]
                break
            more = fh.read(_CHUNK)
            if not more:
                break
            data += more
    from_line = None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"From ", b">From ")):
        nl = data.find(b"\n")
        first = data[: nl if nl >= 0 else len(data)]
        if FROM_LINE.match(first.lstrip(b">")):
            from_line = first.lstrip(b">")
        data = data[nl + 1 :] if nl >= 0 else b""
    return data, from_line


def parse_message_files(items: list[tuple[str, str]], folder: str | None, source: str, label: str) -> dict:
    """Parse message files ``[(absolute path, relative path), ...]`` of one folder."""
    with no_gc():
        return _parse_message_files(items, folder, source, label)


def _parse_message_files(items: list[tuple[str, str]], folder: str | None, source: str, label: str) -> dict:
    batch = Batch(source, folder, label)
    for path, rel in items:
        try:
            block, from_line = read_header_block(path)
        except OSError as exc:
            batch.read += 1
            batch.skipped[f"unreadable file ({exc.__class__.__name__})"] += 1
            continue
        batch.add(block, from_line, rel, rel)
    return batch.finish()
