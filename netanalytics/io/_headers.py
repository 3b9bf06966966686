"""Tolerant parsing of RFC 5322 header blocks (bytes in, plain Python values out); private."""

from __future__ import annotations

import contextlib
import datetime as _dt
import email.utils
import functools
import re
from base64 import b64decode
from binascii import Error as _BinasciiError
from operator import itemgetter
from quopri import decodestring as _qp_decode

import numpy as np

from netanalytics.schema import clean_name, name_key, normalize_email

__all__ = [
    "DRAFTS_NAMES",
    "JUNK_NAMES",
    "SENT_NAMES",
    "WANTED",
    "decode_bytes",
    "decode_words",
    "extract_ids",
    "is_chat_label",
    "is_drafts_folder",
    "is_junk_folder",
    "is_sent_folder",
    "parse_addresses",
    "parse_date",
    "parse_from_line_date",
    "parse_labels",
    "received_date_text",
    "split_header_block",
]

# The only headers we look at; everything else in the block is skipped without decoding.
WANTED = frozenset(
    {
        b"from",
        b"to",
        b"cc",
        b"bcc",
        b"date",
        b"message-id",
        b"in-reply-to",
        b"references",
        b"subject",
        b"x-gm-thrid",
        b"x-gmail-labels",
        b"delivered-to",
        b"x-original-to",
        b"reply-to",
        b"x-original-from",
        b"list-id",
        b"list-post",
        b"list-unsubscribe",
        b"precedence",
        b"auto-submitted",
        b"received",
    }
)

_FOLD = re.compile(rb"\r?\n[ \t]+")
_FOLD_LF = re.compile(rb"\n[ \t]+")


def _any_case(word: bytes) -> bytes:
    # explicit [Ff][Rr]... classes: much faster in CPython's re than the IGNORECASE flag
    return b"".join(
        b"[" + bytes([c]).upper() + bytes([c]) + b"]" if chr(c).isalpha() else re.escape(bytes([c]))
        for c in word
    )


# first letters of the wanted names, the most frequent in real header blocks first
_FIRST_LETTERS = b"xrftdmsiclapb"


def _trie(names) -> bytes:
    # an alternation grouped by first letter, each group twice (upper and lower case first
    # letter, literally): sre rejects a branch that starts with a literal inline, without a
    # character-class call, so a line costs a few byte compares until its branch is found
    groups: dict[bytes, list[bytes]] = {}
    for n in sorted(names, key=len, reverse=True):
        groups.setdefault(n[:1], []).append(n[1:])
    branches = []
    for first in sorted(groups, key=lambda c: (_FIRST_LETTERS + c).index(c)):
        rest = b"(?:" + b"|".join(_any_case(r) for r in groups[first]) + b")"
        for letter in dict.fromkeys((first.upper(), first)):
            branches.append(re.escape(letter) + rest)
    return b"|".join(branches)


_WANTED_AFTER_NL = re.compile(b"\n(" + _trie(WANTED) + b")[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)")


def split_header_lines(block: bytes) -> dict[bytes, bytes]:
    """As :func:`split_header_block` for a block that starts with the newline ending the line
    before it (the mbox scanner hands blocks over that way, saving a copy)."""
    out: dict[bytes, bytes] = {}
    for name, value in _WANTED_AFTER_NL.findall(block):
        name = name.lower()
        if name not in out:
            if b"\n" in value:
                value = _FOLD.sub(b" ", value)
            out[name] = value.strip()
    return out


# The usual spelling of each wanted name: columns are keyed by these (raw_header_columns);
# a block spelling a name otherwise takes the general route.
PRIMARY = {
    n.lower(): n
    for n in (
        b"From", b"To", b"Cc", b"Bcc", b"Date", b"Message-ID", b"In-Reply-To", b"References", b"Subject",
        b"X-GM-THRID", b"X-Gmail-Labels", b"Delivered-To", b"X-Original-To", b"Reply-To",
        b"X-Original-From", b"List-Id", b"List-Post", b"List-Unsubscribe", b"Precedence",
        b"Auto-Submitted", b"Received",
    )
}  # fmt: skip
_PRIMARY_NAMES = frozenset(PRIMARY.values())
# A value after "[ \t]*:[ \t]*" is final unless it holds a fold, a CR, a vertical tab / form
# feed, or ends with a blank (checked a whole column at once, values joined with NULs).
_UNCLEAN = (b"\n", b"\r", b"\x0b", b"\x0c")
_RAW_AFTER_NL = re.compile(b"\n(" + _trie(WANTED) + b")[ \t]*:[ \t]*([^\n]*(?:\n[ \t][^\n]*)*)")


def _ends_blank(joined: bytes) -> bool:
    """Whether a value in ``joined`` (values each followed by a NUL) ends with a blank
    (numpy: ``b" \\x00" in joined`` is several times slower, blanks being frequent)."""
    a = np.frombuffer(joined, dtype=np.uint8)
    last = a[np.flatnonzero(a == 0) - 1]
    return bool(((last == 32) | (last == 9)).any())


def _clean_values(vals: list[bytes], joined: bytes) -> list[bytes]:
    """Unfold and strip raw values (``joined``: the values each followed by a NUL)."""
    if joined.count(b"\x00") == len(vals):
        # no NUL inside a value: unfold the whole column at once (a fold cannot run across the
        # NUL between two values); without CR the pattern starts with its newline, which sre
        # finds fast
        fold = _FOLD if b"\r" in joined else _FOLD_LF
        return [v.strip() for v in fold.sub(b" ", joined)[:-1].split(b"\x00")]
    return [_FOLD.sub(b" ", v).strip() if b"\n" in v else v.strip() for v in vals]


# A line that starts every block in the joined text: one findall() call then parses them all.
_MARK = b"\x00\x01\x02"
# The headers raw_header_columns reads. Received (often ten per message, folded) is left out:
# the mbox reader looks it up only for the rare message whose Date is unusable.
_BULK = WANTED - {b"received"}
# the usual spellings; any other spelling is matched case-blind after them
_USUAL = (
    b"X-GM-THRID", b"X-Gmail-Labels", b"From", b"To", b"Date", b"Message-ID", b"Subject", b"References",
    b"In-Reply-To", b"Cc", b"Delivered-To", b"Reply-To", b"X-Original-To", b"X-Original-From",
    b"List-Id", b"List-Post", b"List-Unsubscribe", b"Precedence", b"Auto-Submitted", b"Bcc",
)  # fmt: skip
assert {n.lower() for n in _USUAL} == _BULK
# a line whose first byte starts no wanted name (continuation lines, most of a real header
# block) is passed over after one class test
_BULK_FIRST = bytes(sorted({c for n in _BULK for c in (n[0], n[0] - 32)})) + _MARK[:1]
# first letters of header lines in real list mail, the most frequent first (Received, X-*,
# List-*, Authentication-Results / ARC-*, To, Content-*, ...)
_LINE_LETTERS = b"RXLATCSDMFIPB"


def _by_first_letter(usual) -> bytes:
    """An alternation matching the names of ``usual`` in any case, one branch per first
    letter (as written, capital letters first, in :data:`_LINE_LETTERS` order).

    Notes
    -----
    A branch starts with its literal letter, so sre passes over a branch of another letter
    after one byte compare; inside it, the usual spellings come first as literals, then every
    name of that letter case-blind (``[Ff][Rr]...``). A line whose first letter starts a
    wanted name but whose name is not wanted (Received, X-Mailer, List-Archive: a third of
    a real block's lines) is rejected after a few compares.
    """
    names = {u.lower() for u in usual}
    branches = []
    for letter in _LINE_LETTERS + _LINE_LETTERS.lower():
        first = bytes([letter])
        group = sorted((n for n in names if n[:1] == first.lower()), key=len, reverse=True)
        if not group:
            continue
        literal = [re.escape(u[1:]) for u in usual if u[:1] == first]
        any_case = b"|".join(_any_case(n[1:]) for n in group)
        branches.append(re.escape(first) + b"(?:" + b"|".join([*literal, any_case]) + b")")
    assert {c for n in names for c in (n[0], n[0] - 32)} <= set(_LINE_LETTERS + _LINE_LETTERS.lower())
    return b"|".join(branches)


# possessive quantifiers: the same matches (nothing after the value can fail), no backtracking state
_RAW_MARKED = re.compile(
    b"\n(?=["
    + re.escape(_BULK_FIRST)
    + b"])("
    + _by_first_letter(_USUAL)
    + b"|"
    + re.escape(_MARK)
    + b")[ \t]*+:[ \t]*+([^\n]*+(?:\n[ \t][^\n]*+)*+)"
)


def _not_in(names) -> str:
    """An RE2 pattern (no lookahead) for a header-name token that is none of ``names`` in any case.

    Notes
    -----
    A token is what may stand before the colon of a header line: bytes 0x21-0x7e but ``:``.
    The pattern walks the trie of ``names``: at each node, either the next letter of a name
    (then that node), any other token byte (then any token), or the end of the token where
    the node is not a whole name.
    """
    token = "[!-9;-~]"
    words = {n.lower() for n in names}

    def letter(c: str) -> str:
        return re.escape(c.upper()) + re.escape(c) if c.isalpha() else re.escape(c)

    def node(prefix: bytes) -> str:
        nexts = sorted({w[len(prefix)] for w in words if w.startswith(prefix) and len(w) > len(prefix)})
        branches = [f"[{letter(chr(c))}]" + node(prefix + bytes([c])) for c in nexts]
        branches.append(f"[^\\x00-\\x20:\\x7f-\\xff{''.join(letter(chr(c)) for c in nexts)}]{token}*")
        if prefix and prefix not in words:
            branches.append("")
        return "(?:" + "|".join(branches) + ")"

    return node(b"")


# RE2 (through Arrow): runs of header lines, with their continuation lines, that the split
# below would pass over (Received, DKIM-Signature, ARC-*: most of a real header block)
UNWANTED_LINES_RE2 = r"(?:\n" + _not_in(_BULK) + r"[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*)+"


def _clean_column(vals: list[bytes]) -> list[bytes]:
    joined = b"\x00".join(vals) + b"\x00"
    if any(d in joined for d in _UNCLEAN) or _ends_blank(joined):
        return _clean_values(vals, joined)
    return vals


# Blocks are joined and split this many bytes at a time, so that the joined text and the
# split's pieces reuse the memory of the group before. Joined all at once (about 30 MB of real
# list mail per 64 MB range), they took fresh pages from the kernel every time, a page fault
# every 4 KB: about 3 per real message, 5-10 us of system time (raw_header_columns 24.9 ->
# 17.9 us per real block; 1-2 MB groups measured best).
_SPLIT_BYTES = 2 << 20


def _split_names_values(blocks: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    """The names (and marks) and values that :data:`_RAW_MARKED` finds in ``blocks``, each
    block behind a marker line, split a few MB of blocks at a time."""
    mark_line = b"\n" + _MARK + b":"
    ends = np.cumsum([len(b) + len(mark_line) for b in blocks], dtype=np.int64)
    cuts = np.searchsorted(ends, np.arange(_SPLIT_BYTES, ends[-1] if len(ends) else 0, _SPLIT_BYTES))
    names: list[bytes] = []
    values: list[bytes] = []
    lo = 0
    for hi in [*np.unique(cuts).tolist(), len(blocks)]:
        if hi <= lo:
            continue
        # split, not findall: [text between, name, value, text between, ...] without a tuple per header
        pieces = _RAW_MARKED.split(mark_line + mark_line.join(blocks[lo:hi]))
        names += pieces[1::3]
        values += pieces[2::3]
        lo = hi
    return names, values


def raw_header_columns(blocks: list[bytes]):
    """The wanted headers of many blocks as columns: returns ``column(name)``, a function giving
    the list of the value (or None) of header ``name`` (a :data:`PRIMARY` spelling) per block,
    as :func:`split_header_lines` would have it; Received is not read (always None).
    ``column(name, coded=True)`` gives ``encode(column(name))``, cleaning only the distinct
    values (for repeating headers, see :func:`_coded_column`).

    All blocks are parsed by one ``split`` over their concatenation, each block behind a
    marker line. Blocks are told apart by the sequence of header names they hold (a mail
    client writes the same few), so each value is picked out with index arithmetic; values are
    stripped / unfolded only in columns that need it. Names are matched in any case
    ("Message-Id", "CC") and keyed by their :data:`PRIMARY` spelling.
    """
    n = len(blocks)
    names, values = _split_names_values(blocks)
    sigs = (b",".join(names) + b",").split(_MARK)[1:] if n else []
    if len(sigs) != n:  # a block holds the marker itself
        by_block = _columns_by_block(blocks)
        return lambda name, coded=False: encode(by_block(name)) if coded else by_block(name)
    distinct = list(dict.fromkeys(sigs))
    code_of = {sig: k for k, sig in enumerate(distinct)}
    codes = np.fromiter(map(code_of.__getitem__, sigs), dtype=np.int32, count=n)
    # names per block, counted once per distinct signature
    counts = np.array([sig.count(b",") - 1 for sig in distinct], dtype=np.int64)[codes]
    start = np.cumsum(counts + 1) - counts - 1  # index of each block's marker in ``values``
    layouts: list[tuple[np.ndarray, dict]] = []  # (rows, first position of each name)
    for k, sig in enumerate(distinct):
        rows = np.flatnonzero(codes == k) if len(distinct) > 1 else np.arange(n)
        sig_names = sig.split(b",")[1:-1]
        if not _PRIMARY_NAMES.issuperset(sig_names):  # "Message-Id", "CC": the usual spelling
            sig_names = [PRIMARY[name.lower()] for name in sig_names]
        first: dict[bytes, int] = {}
        for j, name in enumerate(sig_names):
            first.setdefault(name, j + 1)
        layouts.append((rows, first))

    def column(name: bytes, coded: bool = False):
        idx = np.full(n, -1, dtype=np.int64)
        for rows, first in layouts:
            j = first.get(name)
            if j is not None:
                idx[rows] = start[rows] + j
        present = np.flatnonzero(idx >= 0)
        if not len(present):
            return ([None], np.zeros(n, dtype=np.int32)) if coded else [None] * n
        picked = idx[present].tolist()
        vals = list(itemgetter(*picked)(values)) if len(picked) > 1 else [values[picked[0]]]
        if coded:
            return _coded_column(vals, present, n)
        vals = _clean_column(vals)
        if len(present) == n:
            return vals
        pos = np.full(n, len(vals), dtype=np.int64)
        pos[present] = np.arange(len(vals))
        vals.append(None)
        return list(itemgetter(*pos.tolist())(vals)) if n > 1 else [vals[pos[0]]]

    return column


def encode(values: list) -> tuple[list, np.ndarray]:
    """(the distinct values in first-seen order, the int32 code of each value)."""
    index = {v: k for k, v in enumerate(dict.fromkeys(values))}
    return list(index), np.fromiter(map(index.__getitem__, values), dtype=np.int32, count=len(values))


def _coded_column(raw: list[bytes], present: np.ndarray, n: int) -> tuple[list, np.ndarray]:
    """``encode(column)`` of a column whose raw values ``raw`` stand at rows ``present`` (of
    ``n``; None elsewhere), cleaning only the distinct raw values.

    Notes
    -----
    A repeating header (From, To, Cc, List-Id) holds a few hundred distinct raw values in tens
    of thousands of blocks: the raw values are encoded first, then the distinct ones cleaned
    (unfolded, stripped) and encoded again (two raw spellings may clean to one value). Codes
    stay in first-seen order, None taking its place at the first block without the header.
    """
    distinct, codes = encode(raw)
    clean, remap = encode(_clean_column(distinct))
    codes = remap[codes]
    if len(present) == n:
        return clean, codes
    full = np.empty(n, dtype=np.int32)
    full[present] = codes
    absent = np.ones(n, dtype=bool)
    absent[present] = False
    first = int(np.argmax(absent))
    k = int(full[:first].max()) + 1 if first else 0  # values first seen before None's first row
    full[full >= k] += 1  # (absent rows are set next)
    full[absent] = k
    clean.insert(k, None)
    return clean, full


def _columns_by_block(blocks: list[bytes]):
    """:func:`raw_header_columns` one block at a time (blocks that hold the marker line)."""
    findall = _RAW_AFTER_NL.findall
    n = len(blocks)
    groups: dict[tuple, tuple[list, list]] = {}
    odd: list[int] = []
    empty: tuple = ()
    for i, block in enumerate(blocks):
        pairs = findall(block)
        names, values = zip(*pairs) if pairs else (empty, empty)
        g = groups.get(names)
        if g is None:
            g = groups[names] = ([], [])
        g[0].append(i)
        g[1].append(values)
    # per group: where each wanted name first appears, or the general route
    layout: list[tuple[list, list, dict]] = []
    for names, (rows, values) in groups.items():
        if not rows:
            continue
        if not _PRIMARY_NAMES.issuperset(names):
            odd.extend(rows)
            continue
        first: dict[bytes, int] = {}
        for j, name in enumerate(names):
            first.setdefault(name, j)
        layout.append((rows, values, first))
    for i in odd:
        h = {PRIMARY[k]: v for k, v in split_header_lines(blocks[i]).items()}
        layout.append(([i], [tuple(h.values())], {k: j for j, k in enumerate(h)}))
    order = [i for rows, _, _ in layout for i in rows]
    inverse = None
    if order != list(range(n)):
        inverse = itemgetter(*np.argsort(np.asarray(order, dtype=np.int64), kind="stable").tolist())

    def column(name: bytes) -> list:
        if not any(name in first for _, _, first in layout):
            return [None] * n
        out: list = []
        for rows, values, first in layout:
            j = first.get(name)
            if j is None:
                out.extend([None] * len(rows))
                continue
            vals = list(map(itemgetter(j), values))
            joined = b"\x00".join(vals) + b"\x00"
            if any(d in joined for d in _UNCLEAN) or _ends_blank(joined):
                vals = _clean_values(vals, joined)
            out.extend(vals)
        if inverse is not None:
            out = list(inverse(out)) if n > 1 else out
        return out

    return column


def split_header_block(block: bytes) -> dict[bytes, bytes]:
    """Map lower-cased header name to its unfolded raw value (first occurrence wins).

    Only the names in :data:`WANTED` are returned; other lines are never looked at.

    Examples
    --------
    >>> split_header_block(b"From: a@b.org\\nSubject: hi\\n  there\\nX-Other: 1\\nSUBJECT: 2\\n")
    {b'from': b'a@b.org', b'subject': b'hi there'}
    """
    return split_header_lines(b"\n" + block)


def decode_bytes(raw: bytes) -> str:
    """Decode raw header bytes: ASCII, else UTF-8, else cp1252/latin-1 (never raises).

    Examples
    --------
    >>> decode_bytes("Zoë".encode("latin-1")), decode_bytes("Zoë".encode())
    ('Zoë', 'Zoë')
    """
    if raw.isascii():
        return raw.decode("ascii")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


_CHARSET_ALIASES = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "x-unknown": "utf-8",
    "unknown-8bit": "utf-8",
    "unknown": "utf-8",
    "x-user-defined": "utf-8",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "x-mac-roman": "mac_roman",
    "utf8": "utf-8",
    "ascii": "utf-8",
    "us-ascii": "utf-8",
}

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=")
_BETWEEN_WORDS = re.compile(r"(\?=)\s+(=\?)")


def _decode_payload(charset: str, data: bytes) -> str:
    charset = charset.split("*", 1)[0].strip().lower()  # RFC 2231 language suffix
    codec = _CHARSET_ALIASES.get(charset, charset)
    try:
        return data.decode(codec)
    except (LookupError, ValueError):  # unknown charset, a NUL in its name, undecodable bytes
        return decode_bytes(data)


def _decode_word(match: re.Match) -> str:
    charset, enc, text = match.group(1), match.group(2), match.group(3)
    try:
        if enc in "Bb":
            raw = text.encode("ascii", "ignore")
            data = b64decode(raw + b"=" * (-len(raw) % 4))
        else:
            data = _qp_decode(text.replace("_", " ").encode("ascii", "ignore"), header=False)
    except (_BinasciiError, ValueError):
        return match.group(0)
    return _decode_payload(charset, data)


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words with charset fallbacks; never raises.

    Examples
    --------
    >>> decode_words("=?UTF-8?Q?Gesendet?=, =?ks_c_5601-1987?B?vcW/67jt?=")
    'Gesendet, 신용명'
    >>> decode_words("=?X-UNKNOWN?Q?Ren=C3=A9?= Roy")
    'René Roy'
    """
    if "=?" not in text:
        return text
    text = _BETWEEN_WORDS.sub(r"\1\2", text)  # whitespace between adjacent encoded words is dropped
    return _ENCODED_WORD.sub(_decode_word, text)


_EMAIL_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def _clean_display(name: str) -> str | None:
    if "(" in name:  # RFC 5322 comments are not part of the name
        name = re.sub(r"\s*\([^()]*\)", " ", name).strip() or name
    name = decode_words(name).strip().strip("\"'").strip()
    return clean_name(name.replace('\\"', '"'))


@functools.lru_cache(maxsize=1 << 16)
def _plain_address(part: str) -> tuple[str, str] | None:
    """(key, display name) of one element of an address list without quotes, comments or
    groups (``Ann Lee <ann@x.org>`` or ``ann@x.org``), None without a usable address.
    Cached: in a large mailbox the same people fill many different recipient lists."""
    lt = part.find("<")
    if lt >= 0:
        gt = part.find(">", lt)
        addr = part[lt + 1 : gt if gt > 0 else None]
        name = part[:lt]
    else:
        addr, name = part, ""
    key = addr.strip().lower()
    at = key.find("@")
    if at <= 0 or "@" in key[at + 1 :] or " " in key or "." not in key[at:] or key.startswith("/"):
        key = normalize_email(addr)
    if key is None:
        found = _EMAIL_RE.search(part)
        key = normalize_email(found.group(0)) if found else None
        if key is None:
            return None
    return key, (_clean_display(name) or "") if name.strip() else ""


def parse_addresses(raw: bytes) -> tuple[list[str], list[str]]:
    """Parse an address-list header into (identity keys, display names), tolerantly.

    Groups with no members, empty elements and stray commas yield nothing; elements
    without a usable address are dropped. Names are RFC 2047 decoded; a missing name is ``""``.

    Examples
    --------
    >>> parse_addresses(b'"Lee, Ann" <Ann@X.org>, , bob@y.org,')
    (['ann@x.org', 'bob@y.org'], ['Lee, Ann', ''])
    >>> parse_addresses(b"undisclosed recipients: ;")
    ([], [])
    >>> parse_addresses(b'"ann@x.org" <ann.lee@y.org>')
    (['ann.lee@y.org'], ['ann@x.org'])
    """
    text = decode_bytes(raw)
    keys: list[str] = []
    names: list[str] = []
    if '"' not in text and "(" not in text and ":" not in text and ";" not in text:
        found = list(map(_plain_address, text.split(",")))
        if None in found:
            found = [f for f in found if f is not None]
        return [f[0] for f in found], [f[1] for f in found]
    # Slow path: quoting, comments or groups. Drop group labels ("undisclosed recipients:").
    text = re.sub(r'^[^"<>@,]*:\s*;?', "", text.strip())
    text = text.replace(";", ",")
    try:
        pairs = email.utils.getaddresses([text])
    except Exception:
        pairs = []
    for name, addr in pairs:
        key = normalize_email(addr)
        if key is None:
            continue
        keys.append(key)
        names.append(_clean_display(name) or "")
    if not keys:
        for found in _EMAIL_RE.finditer(text):
            key = normalize_email(found.group(0))
            if key is not None and key not in keys:
                keys.append(key)
                names.append("")
    return keys, names


def parse_address_lists(raws: list[bytes]) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """The keys and names of many address headers, flat: ``parse_addresses(raws[i])`` is
    ``(keys[starts[i]:ends[i]], names[starts[i]:ends[i]])``.

    Notes
    -----
    The values are decoded at once (joined by NULs) when all of them are UTF-8. Plain lists
    (no quotes, comments or groups: :func:`parse_addresses`' first route) are joined by commas
    and split into their elements by one ``split``; each element is read by the cached
    :func:`_plain_address` (a person recurs across many lists), and each list is a slice of
    the elements. The other lists, and the plain ones holding an element without an address,
    take :func:`parse_addresses` and are added at the end.
    """
    joined = b"\x00".join(raws)
    texts = None
    if joined.count(b"\x00") == len(raws) - 1:
        try:
            texts = joined.decode("utf-8").split("\x00")  # decode_bytes of each value
        except UnicodeDecodeError:
            texts = None  # a value not in UTF-8: each decoded by decode_bytes below
    if texts is None:
        texts = list(map(decode_bytes, raws))
    plain = np.array([not ('"' in t or "(" in t or ":" in t or ";" in t) for t in texts], dtype=bool)
    rows = np.flatnonzero(plain)
    plain_texts = [texts[i] for i in rows.tolist()] if len(rows) < len(texts) else texts
    counts = np.fromiter((t.count(",") + 1 for t in plain_texts), dtype=np.int64, count=len(plain_texts))
    found = list(map(_plain_address, ",".join(plain_texts).split(","))) if plain_texts else []
    ends = np.zeros(len(raws), dtype=np.int64)
    ends[rows] = np.cumsum(counts)
    starts = ends.copy()
    starts[rows] -= counts
    if None in found:  # lists with an element without an address: parsed alone (below)
        owner = np.repeat(rows, counts)
        missing = np.array([f is None for f in found], dtype=bool)
        plain[owner[missing]] = False
        found = [f if f is not None else ("", "") for f in found]
    keys = [f[0] for f in found]
    names = [f[1] for f in found]
    for i in np.flatnonzero(~plain).tolist():
        k, v = parse_addresses(raws[i])
        starts[i] = len(keys)
        keys += k
        names += v
        ends[i] = len(keys)
    return keys, names, starts, ends


def sender_from(raw: bytes) -> tuple[str | None, str | None, int]:
    """Sender key and display name from a From header, and how many addresses it held.

    A From with a name but no address gives a ``name:`` key.

    Examples
    --------
    >>> sender_from(b"Ann Lee <ann@x.org>, Bob <bob@y.org>")
    ('ann@x.org', 'Ann Lee', 2)
    >>> sender_from(b"Ann Lee")
    ('name:Ann Lee', 'Ann Lee', 0)
    """
    keys, names = parse_addresses(raw)
    if keys:
        return keys[0], (names[0] or None), len(keys)
    name = _clean_display(decode_bytes(raw))
    if name:
        return name_key(name), name, 0
    return None, None, 0


_BRACKETED = re.compile(r"<([^<>\s]+)>")
_TOKEN = re.compile(r"[^\s<>,;()\"]+")


def extract_ids(raw: bytes) -> list[str]:
    """Message ids in a Message-ID / In-Reply-To / References value, without brackets.

    Tolerates ids without angle brackets, unterminated ids and comments.

    Examples
    --------
    >>> extract_ids(b"<a@x> <b@y")
    ['a@x', 'b@y']
    >>> extract_ids(b"c@z (Ann's message)")
    ['c@z']
    """
    text = decode_bytes(raw)
    ids = _BRACKETED.findall(text)
    rest = _BRACKETED.sub(" ", text) if ids else text
    if "@" in rest:
        ids.extend(tok for tok in _TOKEN.findall(rest) if "@" in tok and not tok.startswith("@"))
    elif not ids:
        tokens = _TOKEN.findall(rest)
        if len(tokens) == 1:
            ids = tokens
    seen: set[str] = set()
    out = []
    for i in ids:
        i = i.strip(".")
        if i and i not in seen:
            seen.add(i)
            out.append(i)
    return out


_LABEL_RE = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)')


def parse_labels(raw: bytes) -> list[str]:
    """Split an ``X-Gmail-Labels`` value into labels (RFC 2047 decoded, quoted labels kept whole).

    Examples
    --------
    >>> parse_labels(b'Inbox,"Clients, 2024",=?UTF-8?Q?Envoy=C3=A9s?=')
    ['Inbox', 'Clients, 2024', 'Envoyés']
    """
    text = decode_bytes(raw)
    out = []
    for quoted, plain in _LABEL_RE.findall(text):
        label = quoted if quoted else plain
        label = decode_words(label.strip()).strip()
        if label:
            out.append(label)
    return out


SENT_NAMES = frozenset(
    {
        "sent",
        "sent mail",
        "sent items",
        "sent messages",
        "gesendet",
        "gesendete objekte",
        "gesendete elemente",
        "envoyés",
        "envoyes",
        "messages envoyés",
        "éléments envoyés",
        "enviados",
        "enviadas",
        "elementos enviados",
        "itens enviados",
        "e-mails enviados",
        "inviati",
        "posta inviata",
        "verzonden",
        "verzonden items",
        "verstuurd",
        "skickat",
        "skickade",
        "sendt",
        "sendte",
        "lähetetyt",
        "wysłane",
        "odeslané",
        "elküldött",
        "отправленные",
        "gönderilmiş",
        "送信済み",
        "已发送",
        "寄件備份",
        "보낸편지함",
    }
)


def _norm_folder(name: str) -> str:
    return " ".join(name.strip().lstrip("._").replace("_", " ").split()).lower()


def is_sent_folder(name: str | None) -> bool:
    """Whether a Gmail label or mail folder name means "Sent" (in the languages Gmail uses).

    Maildir++ names (``.INBOX.Sent``) and paths (``ann/sent_items``) are judged by their
    last component.

    Examples
    --------
    >>> [is_sent_folder(n) for n in ["Sent", ".INBOX.Sent", "Gesendet", "ann/sent_items", "Inbox"]]
    [True, True, True, True, False]
    """
    return any(_norm_folder(c) in SENT_NAMES for c in _folder_candidates(name))


def _folder_candidates(name: str | None) -> tuple[str, ...]:
    """The spellings a folder name is judged by: whole, its last path component, that
    component without ``.mbox``, and its last Maildir++ part (``.INBOX.Sent`` -> ``Sent``)."""
    if not name:
        return ()
    last = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    stem = last[:-5] if last.lower().endswith(".mbox") else last
    return (name, last, stem, stem.rsplit(".", 1)[-1])


# Spam and junk folders or labels in the languages mail programs use (Gmail's label is
# "Spam" in most languages; Outlook "Junk Email", "Junk-E-Mail", "Courrier indésirable" ...).
JUNK_NAMES = frozenset(
    {
        "spam",
        "junk",
        "junk email",
        "junk e-mail",
        "junk mail",
        "bulk mail",
        "junk-e-mail",
        "spam-verdacht",
        "courrier indésirable",
        "courrier indesirable",
        "pourriel",
        "indésirables",
        "correo no deseado",
        "lixo eletrônico",
        "posta indesiderata",
        "ongewenste e-mail",
        "skräppost",
        "спам",
        "迷惑メール",
        "垃圾邮件",
    }
)


def is_junk_folder(name: str | None) -> bool:
    """Whether a Gmail label or mail folder name means spam / junk (judged as
    :func:`is_sent_folder` judges Sent; ``Junk.mbox`` by its stem).

    Examples
    --------
    >>> [is_junk_folder(n) for n in ["Spam", ".Junk", "Junk Email", "mail/Junk.mbox", "Trash"]]
    [True, True, True, True, False]
    """
    return any(_norm_folder(c) in JUNK_NAMES for c in _folder_candidates(name))


# Drafts folders in the languages mail programs use (Outlook, Apple Mail, Thunderbird, Gmail).
DRAFTS_NAMES = frozenset(
    {
        "drafts",
        "draft",
        "entwürfe",
        "brouillons",
        "borradores",
        "rascunhos",
        "bozze",
        "concepten",
        "utkast",
        "kladder",
        "luonnokset",
        "wersje robocze",
        "koncepty",
        "piszkozatok",
        "черновики",
        "taslaklar",
        "下書き",
        "草稿",
        "임시 보관함",
    }
)


def is_drafts_folder(name: str | None) -> bool:
    """Whether a mail folder name means Drafts (judged as :func:`is_sent_folder` judges Sent).

    Examples
    --------
    >>> [is_drafts_folder(n) for n in ["Drafts", "Bozze", "[Gmail]/Drafts", "Inbox"]]
    [True, True, True, False]
    """
    if not name:
        return False
    last = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return any(_norm_folder(c) in DRAFTS_NAMES for c in (name, last, last.rsplit(".", 1)[-1]))


def is_chat_label(name: str) -> bool:
    """Whether a Gmail label marks a chat (Hangouts/Talk) item."""
    return name.strip().lower() in ("chat", "chats")


# --- dates ---------------------------------------------------------------------------

_MIN_YEAR, _MAX_YEAR = 1970, 2100

_MONTHS = {
    # German
    "januar": "Jan",
    "jän": "Jan",
    "jänner": "Jan",
    "februar": "Feb",
    "märz": "Mar",
    "mär": "Mar",
    "mrz": "Mar",
    "mai": "May",
    "juni": "Jun",
    "juli": "Jul",
    "okt": "Oct",
    "oktober": "Oct",
    "dez": "Dec",
    "dezember": "Dec",
    # French
    "janv": "Jan",
    "janvier": "Jan",
    "févr": "Feb",
    "fevr": "Feb",
    "février": "Feb",
    "mars": "Mar",
    "avr": "Apr",
    "avril": "Apr",
    "juin": "Jun",
    "juil": "Jul",
    "juillet": "Jul",
    "août": "Aug",
    "aout": "Aug",
    "sept": "Sep",
    "septembre": "Sep",
    "octobre": "Oct",
    "novembre": "Nov",
    "déc": "Dec",
    "décembre": "Dec",
    # Spanish / Portuguese
    "ene": "Jan",
    "enero": "Jan",
    "febrero": "Feb",
    "marzo": "Mar",
    "abr": "Apr",
    "abril": "Apr",
    "mayo": "May",
    "junio": "Jun",
    "julio": "Jul",
    "ago": "Aug",
    "agosto": "Aug",
    "set": "Sep",
    "septiembre": "Sep",
    "octubre": "Oct",
    "noviembre": "Nov",
    "dic": "Dec",
    "diciembre": "Dec",
    "fev": "Feb",
    "mai.": "May",
    "out": "Oct",
    "dez.": "Dec",
    # Italian
    "gen": "Jan",
    "gennaio": "Jan",
    "febbraio": "Feb",
    "aprile": "Apr",
    "mag": "May",
    "maggio": "May",
    "giu": "Jun",
    "giugno": "Jun",
    "lug": "Jul",
    "luglio": "Jul",
    "settembre": "Sep",
    "ott": "Oct",
    "ottobre": "Oct",
    # Dutch
    "mrt": "Mar",
    "mei": "May",
    "augustus": "Aug",
}
_WEEKDAY_OR_WORD = re.compile(r"[^\W\d_][^\W\d_.]*\.?")
_TIME_RE = re.compile(r"\b(\d{1,2}):(\d{2})(?::(\d{2}))?\b")
_ZONE_RE = re.compile(r"(?:^|\s)([+-]\d{4}|UT|UTC|GMT|[ECMP][SD]T|Z)(?:\s|$)")
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+([A-Z][a-z]{2})[a-z]*\.?\s+(\d{4}|\d{2})\b")
_ENGLISH_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
_ENGLISH_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _sane(value: _dt.datetime | None) -> _dt.datetime | None:
    if value is None or not (_MIN_YEAR <= value.year <= _MAX_YEAR):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.UTC)
    return value.astimezone(_dt.UTC)


def _strip_comments(text: str) -> str:
    while "(" in text:
        new = re.sub(r"\([^()]*\)?", " ", text)
        if new == text:
            break
        text = new
    return text


def _localize(text: str) -> str:
    def repl(match: re.Match) -> str:
        word = match.group(0)
        low = word.lower()
        if low.rstrip(".") in _ENGLISH_MONTHS_LOWER:
            return word
        month = _MONTHS.get(low) or _MONTHS.get(low.rstrip("."))
        if month:
            return month
        if word.isupper() and len(word) <= 4:
            return word  # a zone name such as GMT or PST
        if low[:3] in _ENGLISH_DAYS or len(low.rstrip(".")) <= 3:
            return ""  # weekday in some language (or a stray word): not needed
        return word

    return _WEEKDAY_OR_WORD.sub(repl, text)


_ENGLISH_MONTHS_LOWER = {m.lower() for m in _ENGLISH_MONTHS}


def parse_date(text: str | None) -> tuple[_dt.datetime | None, bool]:
    """Parse a Date header tolerantly; returns (UTC datetime or None, time_was_valid).

    Tries :func:`email.utils.parsedate_to_datetime`, then again after removing comments,
    8-bit text and localized day/month names. Years outside 1970–2100 count as
    unparseable. When only the time is broken (``59:10``), returns midnight of the day
    and ``False`` so callers can prefer another source.

    Examples
    --------
    >>> parse_date("Do, 14 Mär 2019 09:05:00 +0100 (MEZ)")
    (datetime.datetime(2019, 3, 14, 8, 5, tzinfo=datetime.timezone.utc), True)
    >>> parse_date("Mon, 3 Jan 3609 10:00:00 +0000")
    (None, False)
    >>> parse_date("4 Feb 2013 59:10 -0800")
    (datetime.datetime(2013, 2, 4, 0, 0, tzinfo=datetime.timezone.utc), False)
    """
    if not text:
        return None, False
    for candidate in _date_candidates(text):
        try:
            value = _sane(email.utils.parsedate_to_datetime(candidate))
        except (TypeError, ValueError, IndexError, OverflowError):
            value = None
        if value is not None:
            return value, True
    match = _DAY_MONTH_YEAR.search(_localize(_strip_comments(text)))
    if match:
        day, mon, year = int(match.group(1)), _ENGLISH_MONTHS.get(match.group(2)), int(match.group(3))
        if year < 100:
            year += 2000 if year < 70 else 1900
        if mon:
            with contextlib.suppress(ValueError):  # e.g. 31 Feb: no date from this header
                return _sane(_dt.datetime(year, mon, day, tzinfo=_dt.UTC)), False
    return None, False


def _date_candidates(text: str):
    yield text
    cleaned = _strip_comments(text)
    cleaned = "".join(ch for ch in cleaned if ch.isascii()) if not cleaned.isascii() else cleaned
    cleaned = " ".join(cleaned.replace(",", " ").split())
    yield cleaned
    localized = " ".join(_localize(_strip_comments(text)).replace(",", " ").split())
    if localized != cleaned:
        yield localized


def received_date_text(raw: bytes) -> str | None:
    """The date part of a Received header (after the last ``;``).

    Examples
    --------
    >>> received_date_text(b"from mx.x.org by mx.y.org; Tue, 5 Mar 2019 10:00:00 +0000")
    'Tue, 5 Mar 2019 10:00:00 +0000'
    """
    text = decode_bytes(raw)
    if ";" not in text:
        return None
    return text.rsplit(";", 1)[1].strip() or None


_FROM_LINE_DATE = re.compile(
    r"([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:([+-]\d{4}|[A-Z]{2,5})\s+)?(\d{4})"
    r"(?:\s+([+-]\d{4}))?"
)


def parse_from_line_date(line: bytes) -> _dt.datetime | None:
    """The date of an mbox ``From_`` line (asctime; Gmail puts the zone before the year).

    Examples
    --------
    >>> parse_from_line_date(b"From 1538564978720419823@xxx Thu Jun 30 12:31:44 +0200 2016")
    datetime.datetime(2016, 6, 30, 10, 31, 44, tzinfo=datetime.timezone.utc)
    >>> parse_from_line_date(b"From - Mon Jan  1 00:00:00 2001")
    datetime.datetime(2001, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    match = _FROM_LINE_DATE.search(decode_bytes(line))
    if not match:
        return None
    mon, day, hh, mm, ss, zone1, year, zone2 = match.groups()
    month = _ENGLISH_MONTHS.get(mon)
    if month is None:
        return None
    zone = zone1 or zone2
    offset = 0
    if zone and zone[0] in "+-":
        offset = (int(zone[1:3]) * 60 + int(zone[3:5])) * (1 if zone[0] == "+" else -1)
    try:
        value = _dt.datetime(
            int(year),
            month,
            int(day),
            int(hh),
            int(mm),
            int(ss or 0),
            tzinfo=_dt.timezone(_dt.timedelta(minutes=offset)),
        )
    except ValueError:
        return None
    return _sane(value)
