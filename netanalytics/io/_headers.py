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
import pyarrow as pa

from netanalytics.io import _native
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


# The headers raw_header_columns reads. Received (often ten per message, folded) is left out:
# the mbox reader looks it up only for the rare message whose Date is unusable.
_BULK = WANTED - {b"received"}
# column k of raw_header_columns: the k-th wanted name, lower case, as a 16-byte key
_BULK_NAMES = sorted(_BULK)
_BULK_KEYS = np.array(_BULK_NAMES, dtype="S16")
_BULK_INDEX = {name: k for k, name in enumerate(_BULK_NAMES)}
# The columns the mbox reader takes as Arrow arrays (raw_header_columns' ``arrow=True``): where
# the C speedups are built, header_values writes their values, cleaned, into one buffer per name,
# with no Python bytes per value
_FLAT_NAMES = frozenset({b"date", b"message-id", b"in-reply-to", b"references", b"x-gm-thrid"})
# The columns the mbox reader dictionary-encodes (``coded=True``): where the C speedups are
# built, header_values encodes them as it meets their values, a bytes object per distinct value
_CODED_NAMES = frozenset(
    {
        *(b"from", b"to", b"cc", b"bcc", b"subject", b"x-gmail-labels", b"delivered-to", b"x-original-to"),
        *(b"list-id", b"list-post", b"list-unsubscribe", b"precedence", b"auto-submitted"),
    }
)
# each wanted name's kind for header_values (the numbers of split.c's LIST, FLAT and CODED)
_LIST, _FLAT, _CODED = 0, 1, 2
_KINDS = bytes(
    _FLAT if name in _FLAT_NAMES else _CODED if name in _CODED_NAMES else _LIST for name in _BULK_NAMES
)
assert max(map(len, _BULK_NAMES)) <= 16
_IS_BLANK = np.zeros(256, dtype=bool)
_IS_BLANK[[ord(" "), ord("\t")]] = True
# Lines are sifted on their first three bytes, each with bit 0x20 set (ASCII letters made lower
# case) before their names are compared: a wanted name's first three letters, or a two-letter
# name (To, Cc) and a blank or the colon. Two tables: the first two bytes give a group (0: no
# wanted name starts so), the group and the third byte whether a wanted name may follow.
_SIFT_PREFIXES = sorted(
    {
        bytes(c | 0x20 for c in p)
        for n in _BULK_NAMES
        for p in ([n[:3]] if len(n) >= 3 else [n + b" ", n + b"\t", n + b":"])
    }
)
_SIFT_GROUP = np.zeros(1 << 16, dtype=np.uint8)
for _k, _two in enumerate(sorted({p[:2] for p in _SIFT_PREFIXES}), start=1):
    _SIFT_GROUP[int.from_bytes(_two, "big")] = _k
_SIFT_THIRD = np.zeros((int(_SIFT_GROUP.max()) + 1, 256), dtype=bool)
for _p in _SIFT_PREFIXES:
    _SIFT_THIRD[_SIFT_GROUP[int.from_bytes(_p[:2], "big")], _p[2]] = True
# the name of a candidate line, as two 8-byte numbers (little-endian): bit 0x20 set in each byte,
# the bytes from the name's length on cleared (_NAME_MASKS[length])
_NAME_MASKS = np.array(
    [np.frombuffer(b"\xff" * k + bytes(16 - k), dtype="<u8") for k in range(17)], dtype=np.uint64
)
# bit 0x20 of each "-" of each wanted name: a "-" has it, a CR (0x0d) that matched it has not
_NAME_DASHES = np.frombuffer(
    b"".join(bytes(0x20 if c == ord("-") else 0 for c in n.ljust(16, b"\x00")) for n in _BULK_NAMES),
    dtype="<u8",
).reshape(-1, 2)
# bytes looked at from a candidate line's start for its colon: a name of 16 and 8 blanks; the
# joined text ends with as many zero bytes, so that every window lies inside it
_NAME_WINDOW = 24
_PAD = bytes(_NAME_WINDOW)
# a wanted name and its colon farther than the window (many blanks between), matched the slow way
_NAME_THEN_COLON = re.compile(b"(" + _trie(_BULK) + b")[ \t]*:")

# The numpy route joins and indexes blocks this many bytes at a time, so that the joined text and the
# index arrays reuse the memory of the group before (joined all at once, about 30 MB of real
# list mail per 64 MB range took fresh pages from the kernel every time: a page fault every
# 4 KB, 5-10 us of system time per real message; 1-2 MB groups measured best).
_SPLIT_BYTES = 2 << 20


def _clean_column(vals: list[bytes]) -> list[bytes]:
    """Each value unfolded and stripped (``_FOLD`` made one space, then ``bytes.strip``); the
    list itself when no value may need it. The values are the header split's: none starts with
    a blank (looked for at the end only).

    Where the C speedups are built, ``unfolded`` does it value by value (the list itself when
    none changes): 5.1 -> 1.7 ms on the References of 30,565 high-cardinality messages, 62 ->
    13 ms on the unclean columns of 25,681 real list messages, against the column joined for
    one regex pass."""
    if _native.SPEEDUPS is not None:  # the same rule in C
        return _native.SPEEDUPS.unfolded(vals)
    joined = b"\x00".join(vals) + b"\x00"
    if any(d in joined for d in _UNCLEAN) or _ends_blank(joined):
        return _clean_values(vals, joined)
    return vals


def _header_values(blocks: list[bytes]) -> tuple[list[np.ndarray], list, list[bool]]:
    """The raw value of each wanted header in each block: per name of :data:`_BULK_NAMES` (by
    index), the blocks holding it (int64, ascending) and its value in each of them, in the
    same order (not yet unfolded or stripped); and per name whether a value may need
    :func:`_clean_column` (False: none does; the C route tells, the numpy route says True).

    Found by ``_speedups.header_values`` (C) where it is built, walking each block where it
    lies (a value equal to its name's value before it is then that same object); else by
    :func:`_header_values_numpy`. The two give equal results (tests compare them), but for the
    names of :data:`_FLAT_NAMES`, whose values the C route gives cleaned already, as (int64
    offsets, bytes) of the values one after the other, and of :data:`_CODED_NAMES`, whose
    values it gives as ``encode`` gives them (distinct values, int32 codes as bytes; see
    :func:`raw_header_columns`).

    Notes
    -----
    The rule of :func:`split_header_lines` over each block:

    - a header line starts after a newline of the block (the block's first byte starts none)
      and holds a name, blanks (space, tab) and a colon; the name is wanted if, in lower case
      (ASCII letters only: a CR is no "-"), it is one of :data:`_BULK_NAMES`, however many
      blanks follow it;
    - its value starts after the colon and the blanks that follow it, and runs to the first
      newline of the block not followed by a blank (a continuation line starts with one;
      a newline that is the block's last byte is followed by nothing), or to the block's end;
    - a name's first line in a block wins.
    """
    if _native.SPEEDUPS is not None:
        rows, values, unclean = _native.SPEEDUPS.header_values(blocks, _BULK_NAMES, _KINDS)
        return [np.frombuffer(r, dtype=np.int64) for r in rows], values, list(map(bool, unclean))
    return (*_header_values_numpy(blocks), [True] * len(_BULK_NAMES))


def _header_values_numpy(blocks: list[bytes]) -> tuple[list[np.ndarray], list[list[bytes]]]:
    """:func:`_header_values` by :func:`_wanted_lines` over the blocks joined a few MB at a
    time (:data:`_SPLIT_BYTES`), the values sliced out of the joined text."""
    n = len(blocks)
    lengths = np.fromiter(map(len, blocks), dtype=np.int64, count=n)
    ends = np.cumsum(lengths + 1) - 1  # the newline after each block, all blocks joined
    cuts = np.searchsorted(ends, np.arange(_SPLIT_BYTES, ends[-1] if n else 0, _SPLIT_BYTES))
    found_rows: list[list[np.ndarray]] = [[] for _ in _BULK_NAMES]
    found_values: list[list[bytes]] = [[] for _ in _BULK_NAMES]
    lo = 0
    for hi in [*np.unique(cuts).tolist(), n]:
        if hi <= lo:
            continue
        text = b"\n".join([*blocks[lo:hi], _PAD])
        base = ends[lo - 1] + 1 if lo else 0
        block, name, value, value_end = _wanted_lines(text, ends[lo:hi] - base)
        bounds = np.searchsorted(name, np.arange(len(_BULK_NAMES) + 1)).tolist()
        value, value_end = value.tolist(), value_end.tolist()
        for k in np.unique(name).tolist():
            a, b = bounds[k], bounds[k + 1]
            found_rows[k].append(block[a:b] + lo)
            found_values[k] += [text[s:e] for s, e in zip(value[a:b], value_end[a:b], strict=True)]
        lo = hi
    rows = [np.concatenate(r) if r else np.zeros(0, dtype=np.int64) for r in found_rows]
    return rows, found_values


def _wanted_lines(text: bytes, ends: np.ndarray) -> tuple[np.ndarray, ...]:
    """(block, name, value start, value end) of the first line of each wanted header in each
    block of ``text`` (the rules of :func:`_header_values`): blocks joined by newlines, then
    :data:`_PAD`; block ``k`` ends at ``ends[k]`` (int64), the newline after it. Names are
    indices into :data:`_BULK_NAMES`, values are ``text[start:end]``. Sorted by name, then by
    block.

    Whole-array numpy steps over the lines, with no Python per line: lines are first sifted by
    their first three bytes (:data:`_SIFT_PREFIXES`), then the survivors' first
    :data:`_NAME_WINDOW` bytes are compared. The newlines joining blocks start no line and end
    every value (a block's end).
    """
    a = np.frombuffer(text, dtype=np.uint8)
    size = len(a) - len(_PAD)
    # the text seen from every offset as a 4-byte number, and as 24-byte windows (no copies)
    word = np.ndarray((len(a) - 3,), dtype=">u4", buffer=text, strides=(1,))
    windows = np.ndarray((len(a) - _NAME_WINDOW + 1,), dtype=f"V{_NAME_WINDOW}", buffer=text, strides=(1,))
    nl = np.flatnonzero(a[:size] == 10)
    own = np.ones(len(nl), dtype=bool)
    own[np.searchsorted(nl, ends)] = False  # the newlines joining blocks start no line of a block
    # the newlines that start no continuation line (a newline joining two blocks never does):
    # a value runs to the first of them after its line
    stops = np.append(nl[~(_IS_BLANK[a[nl + 1]] & own)], size)
    head = word[nl + 1]
    sifted = _SIFT_THIRD[_SIFT_GROUP[(head >> 16) | 0x2020], ((head >> 8) & 0xFF) | 0x20]
    cand = np.flatnonzero(own & sifted)
    start = nl[cand] + 1
    window = windows[start].view(np.uint8).reshape(len(cand), _NAME_WINDOW)
    is_colon = window == ord(":")
    colon = is_colon.argmax(axis=1)
    rows = np.arange(len(cand))
    found = is_colon[rows, colon] & (start + colon < size)
    # the name's length: blanks before the colon are not part of it
    length = colon.copy()
    # a window of blanks to its end: a wanted name may stand before a colon farther on
    for r in np.flatnonzero(~found & _IS_BLANK[window[:, -1]]).tolist():
        if (m := _NAME_THEN_COLON.match(text, start[r], size)) is not None:
            found[r], colon[r], length[r] = True, m.end() - 1 - start[r], m.end(1) - m.start(1)
    while (blank := found & (length > 0) & _IS_BLANK[window[rows, np.maximum(length - 1, 0)]]).any():
        length[blank] -= 1
    found &= (length >= 2) & (length <= 16)
    length = np.minimum(length, 16)
    # compared with bit 0x20 set in each byte: letters in any case match; a CR would match a "-"
    # but lacks that bit (_NAME_DASHES)
    raw = window.view("<u8")[:, :2]
    keys = (
        np.ascontiguousarray((raw | np.uint64(0x2020202020202020)) & _NAME_MASKS[length]).view("S16").ravel()
    )
    name = np.minimum(np.searchsorted(_BULK_KEYS, keys), len(_BULK_KEYS) - 1)
    found &= _BULK_KEYS[name] == keys
    if b"\r" in text:
        found &= ((raw & _NAME_DASHES[name]) == _NAME_DASHES[name]).all(axis=1)
    cand, name, value, start = cand[found], name[found], (start + colon + 1)[found], start[found]
    block = np.searchsorted(ends, start)
    value_end = stops[np.searchsorted(stops, start)]
    while (blank := (value < value_end) & _IS_BLANK[a[value]]).any():
        value[blank] += 1
    # the first line of each name in each block (lines are in block order), then by name
    key = block * len(_BULK_NAMES) + name
    if np.bincount(key).max(initial=0) > 1:  # a name twice in a block (Delivered-To ...)
        first_line = np.unique(key, return_index=True)[1]
        block, name, value, value_end = (
            block[first_line],
            name[first_line],
            value[first_line],
            value_end[first_line],
        )
    order = np.argsort(name.astype(np.uint8), kind="stable")  # a radix sort
    return block[order], name[order], value[order], value_end[order]


def raw_header_columns(blocks: list[bytes]):
    """The wanted headers of many blocks as columns: returns ``column(name)``, a function giving
    the list of the value (or None) of header ``name`` (a :data:`PRIMARY` spelling) per block,
    as :func:`split_header_lines` would have it; Received is not read (always None).
    ``column(name, coded=True)`` gives ``encode(column(name))``, cleaning only the distinct
    values (for repeating headers, see :func:`_coded_column`). ``column(name, arrow=True)``
    gives the same values as a pyarrow large_binary array, null where a block has no such
    header: made straight from the buffers of the C route for :data:`_FLAT_NAMES`.

    The values are found by :func:`_header_values`; they are stripped / unfolded only in
    columns that need it. Names are matched in any case ("Message-Id", "CC").
    """
    n = len(blocks)
    found_rows, found_values, unclean = _header_values(blocks)

    def kind(k: int) -> int:  # _LIST, or the form the C route gave: _FLAT or _CODED
        return _KINDS[k] if isinstance(found_values[k], tuple) else _LIST

    def encoded(k: int) -> tuple[list, np.ndarray]:  # encode(column k's present values)
        if kind(k) == _CODED:
            distinct, codes = found_values[k]
            return list(distinct), np.frombuffer(codes, dtype=np.int32)
        return encode(list(found_values[k]))

    def listed(k: int | None) -> list:  # column k's value (or None) per block
        if k is None or not len(found_rows[k]):
            return [None] * n
        if kind(k) == _FLAT:  # (a flat name asked for as a list)
            return _binary_column(*found_values[k], found_rows[k], n).to_pylist()
        if kind(k) == _CODED:
            distinct, codes = found_values[k]
            vals = list(map(distinct.__getitem__, np.frombuffer(codes, dtype=np.int32).tolist()))
        else:
            vals = list(found_values[k])
        return _scattered(_clean_column(vals) if unclean[k] else vals, found_rows[k], n)

    # (column calls no function that refers to column: a closure referring to itself is a
    # reference cycle, and a reader worker, which runs without the cyclic collector, would
    # keep every group's values)
    def column(name: bytes, coded: bool = False, arrow: bool = False):
        k = _BULK_INDEX.get(name.lower())
        if arrow:
            if k is not None and kind(k) == _FLAT:  # the C route's buffers
                return _binary_column(*found_values[k], found_rows[k], n)
            return pa.array(listed(k), type=pa.large_binary())
        if k is None or not len(found_rows[k]):
            return ([None], np.zeros(n, dtype=np.int32)) if coded else [None] * n
        if not coded:
            return listed(k)
        if kind(k) == _FLAT:
            return encode(listed(k))
        return _coded_column(*encoded(k), found_rows[k], n, unclean[k])

    return column


def _scattered(vals: list, present: np.ndarray, n: int) -> list:
    """The ``n`` values of a column whose values ``vals`` stand at rows ``present``; None elsewhere."""
    if len(present) == n:
        return vals
    pos = np.full(n, len(vals), dtype=np.int64)
    pos[present] = np.arange(len(vals))
    vals.append(None)
    return list(itemgetter(*pos.tolist())(vals)) if n > 1 else [vals[pos[0]]]


def _binary_column(offsets: bytearray, data: bytearray, present: np.ndarray, n: int) -> pa.Array:
    """A large_binary array of ``n`` rows from one name's values as the C ``header_values``
    gives them (``offsets``: int64, one more than there are values; ``data``: the values one
    after the other) and the rows holding them (``present``, ascending); null elsewhere. No
    copy of the values."""
    if len(present) == n:
        return pa.LargeBinaryArray.from_buffers(
            pa.large_binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
        )
    lengths = np.zeros(n, dtype=np.int64)
    lengths[present] = np.diff(np.frombuffer(offsets, dtype=np.int64))
    ends = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=ends[1:])
    valid = np.zeros(n, dtype=bool)
    valid[present] = True
    mask = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), n, [mask, pa.py_buffer(ends), pa.py_buffer(data)], null_count=n - len(present)
    )


def encode(values: list) -> tuple[list, np.ndarray]:
    """(the distinct values in first-seen order, the int32 code of each value)."""
    if _native.SPEEDUPS is not None:  # the same in C
        distinct, codes = _native.SPEEDUPS.encode(values)
        return distinct, np.frombuffer(codes, dtype=np.int32)
    index = {v: k for k, v in enumerate(dict.fromkeys(values))}
    return list(index), np.fromiter(map(index.__getitem__, values), dtype=np.int32, count=len(values))


def _coded_column(
    distinct: list[bytes], codes: np.ndarray, present: np.ndarray, n: int, unclean: bool = True
) -> tuple[list, np.ndarray]:
    """``encode(column)`` of a column whose raw values, ``encode``d as ``distinct`` and
    ``codes``, stand at rows ``present`` (of ``n``; None elsewhere), cleaning only the distinct
    raw values (none when ``unclean`` is False: none needs it).

    Notes
    -----
    A repeating header (From, To, Cc, List-Id) holds a few hundred distinct raw values in tens
    of thousands of blocks: the raw values are encoded first, then the distinct ones cleaned
    (unfolded, stripped) and encoded again (two raw spellings may clean to one value). Codes
    stay in first-seen order, None taking its place at the first block without the header.
    """
    clean = _clean_column(distinct) if unclean else distinct
    if clean is not distinct:  # some values were cleaned: two of them may now be one
        clean, remap = encode(clean)
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
    Cached: in a large mailbox the same people fill many different recipient lists. The same
    with spaces or tabs around the element (a test checks): callers strip them, so that
    ``"Ann <a@x.org>"`` and ``" Ann <a@x.org>"`` (first and later in a list) are read once."""
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
    elements = [e.strip(" \t") for e in ",".join(plain_texts).split(",")] if plain_texts else []
    found = list(map(_plain_address, elements))
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
    return sender_of(raw, *parse_addresses(raw))


def sender_of(raw: bytes, keys: list[str], names: list[str]) -> tuple[str | None, str | None, int]:
    """:func:`sender_from` of the From header ``raw`` whose :func:`parse_addresses` gave
    ``keys`` and ``names`` (``names`` may be empty for a list without names)."""
    if keys:
        return keys[0], ((names[0] if names else "") or None), len(keys)
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
