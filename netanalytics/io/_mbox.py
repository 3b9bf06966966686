"""Fast header-only scanning of mbox files and message files into column lists; private."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import mmap
import os
import re
from collections import Counter
from operator import itemgetter
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from netanalytics import schema as S
from netanalytics._gc import gc_paused
from netanalytics.io import _headers as H
from netanalytics.io import _native
from netanalytics.io._lists import FlatLists, flat_lists, lists_from_codes
from netanalytics.io.report import MAX_WARNINGS, FileReport

__all__ = [
    "FROM_LINE",
    "MAX_WARNINGS",
    "Batch",
    "align",
    "check_mbox_start",
    "find_separators",
    "forget_pages",
    "is_automated_address",
    "is_bot_name",
    "is_bulk_by_headers",
    "is_list_address",
    "is_list_distribution",
    "list_address",
    "list_addresses",
    "mbox_block_groups",
    "mbox_blocks",
    "parse_mbox_range",
    "parse_message_files",
]


# A From_ line with an asctime date: "From ann@x Mon Jan  1 00:00:00 2001", Thunderbird's
# "From - ...", Gmail's "From 1538...@xxx Thu Jun 30 12:31:44 +0000 2016" (zone optional).
FROM_LINE = re.compile(
    rb"From \S*[ \t]+(?:[A-Z][a-z]{2},?[ \t]+)?[A-Z][a-z]{2}[ \t]+\d{1,2}[ \t]+\d{1,2}:\d\d(?::\d\d)?"
    rb"[ \t]+(?:(?:[+-]\d{4}|[A-Z]{2,5})[ \t]+)?\d{4}"
)

# a machine word anywhere in the local part, as a whole token: noreply@, messages-noreply@,
# calendar-notification@, notify@ ...; and a mailing list's management addresses
# (openbmc-bounces@, dev-request@, kasan-dev+owners@, owner-dev@, mailman@, majordomo@ ...;
# a bare owner@ or admin@ may be a person)
_MACHINE_WORDS = (
    r"no[-_.]?reply|do[-_.]?not[-_.]?reply|notifications?|notify|mailer[-_.]?daemon"
    r"|postmaster|bounces?|automated|auto[-_.]?confirm|alerts?|newsletters?"
)
_LIST_ROLES = r"request|owners?|admin"
_LIST_PROGRAMS = r"mailman|majordomo|listserv|sympa|ezmlm"
# a bot: bot@, robot@, or the word joined by "-", "_" or "+" (pr-tracker-bot@kernel.org,
# patchwork-bot+netdevbpf@kernel.org, ci_robot@); not after a dot, where firstname.lastname puts
# a surname (Bot is one)
_BOT_WORDS = r"(?:ro)?bot"
_AUTOMATED_LOCAL = re.compile(
    rf"(?:^|[-+_.])(?:{_MACHINE_WORDS})(?:$|[-+_.])|(?:^|[-+_]){_BOT_WORDS}(?:$|[-+_])"
    rf"|[-+](?:{_LIST_ROLES})$|^owner-|^(?:{_LIST_PROGRAMS})$"
)
# Domains only programs send from: bulk-mail services' sending and bounce domains. Not a company's
# own domain, where its staff write from (jane@salesforce.com, ann@mailchimp.com are people: the
# services' newsletters are bulk by their headers, their no-reply senders by the words above).
_AUTOMATED_DOMAINS = (
    "facebookmail.com",
    "bounce.linkedin.com",
    "mcsv.net",
    "sendgrid.net",
    "amazonses.com",
    "mandrillapp.com",
    "mktomail.com",
    "hubspotemail.net",
    "intercom-mail.com",
    "exacttarget.com",
    # Google App Engine's mail: only programs send from it (syzbot's bug reports on the kernel
    # lists, syzbot+<hash>@syzkaller.appspotmail.com, a new address for every bug)
    "appspotmail.com",
)
# is_automated_address's rule over whole keys, for RE2 over a column of them: the local part
# ends at the first "@" (the $ of _AUTOMATED_LOCAL is that "@"), a domain's suffix follows an
# "@"; a key without "@" matches nothing, as the rule says. (Python's $ also matches before a
# final newline: keys holding one take the per-key rule.)
_RE2_AUTOMATED = (
    rf"^(?:[^@]*?[-+_.])?(?:{_MACHINE_WORDS})(?:[-+_.][^@]*)?@|^(?:[^@]*?[-+_])?{_BOT_WORDS}(?:[-+_][^@]*)?@"
    rf"|^[^@]*[-+](?:{_LIST_ROLES})@|^owner-[^@]*@"
    rf"|^(?:{_LIST_PROGRAMS})@|@.*(?:{'|'.join(map(re.escape, _AUTOMATED_DOMAINS))})$"
)
_BULK_PRECEDENCE = (b"bulk", b"list", b"junk")
SKIP_CHAT = "Gmail chat item"
SKIP_SPAM_LABEL = "spam (Gmail Spam label)"
SKIP_JUNK_FOLDER = "spam or junk folder"
# Hosts that only run mailing lists: every address there is a list, never a person
# (linux-kernel@vger.kernel.org, dev@lists.example.org, team@googlegroups.com ...).
_LIST_HOSTS = re.compile(
    r"^(?:lists?|mailman|groups)\.|^(?:vger\.kernel\.org|googlegroups\.com|groups\.io|freelists\.org)$"
)
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
    S.BCC,
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


# a sender's display name that says a program wrote: its last word "robot" (the kernel's "kernel
# test robot", which writes from lkp@intel.com, an address like a person's), or GitHub's "[bot]"
# ending (dependabot[bot]); a last word "Bot" is not enough, it is a surname. One pattern for
# Python's re and for RE2 (ASCII spaces and tabs only, as both read them alike)
_BOT_NAME = r"(?i)(?:^|[ \t])robot[ \t]*$|\[bot\][ \t]*$"
_BOT_NAME_RE = re.compile(_BOT_NAME)


def is_bot_name(name: str | None) -> bool:
    """Whether a sender's display name says a program wrote the message (:data:`_BOT_NAME`).

    Examples
    --------
    >>> [is_bot_name(n) for n in ["kernel test robot", "dependabot[bot]", "Marc Bot", "Robot Framework", None]]
    [True, True, False, False, False]
    """
    return bool(name) and _BOT_NAME_RE.search(name) is not None


def bot_names(names: list) -> list[bool]:
    """:func:`is_bot_name` of each of ``names``, matched together by RE2."""
    return _each_matched(names, _BOT_NAME, is_bot_name)


def automated_addresses(keys: list) -> list[bool]:
    """:func:`is_automated_address` of each key, the keys matched together by RE2
    (:data:`_RE2_AUTOMATED`): a worker meets each of a mailbox's senders first in a group of
    thousands, where the per-key rule took 12 ms of the 0.37 s that half the high-cardinality
    archive (15,000 people) cost a worker, most of it the first time each sender was seen."""
    return _each_matched(keys, _RE2_AUTOMATED, is_automated_address)


def _each_matched(keys: list, pattern: str, rule) -> list[bool]:
    """Whether each key matches the RE2 ``pattern``, all matched in one call, which gives what
    ``rule`` gives key by key; a key holding a newline is left to ``rule`` (RE2's ``^`` and
    ``$`` do not stop at one as Python's ``re`` does)."""
    if not keys:
        return []
    hit = pc.match_substring_regex(pa.array(keys, type=pa.large_string()), pattern)
    return [
        rule(k) if k is not None and "\n" in k else h
        for k, h in zip(keys, hit.fill_null(False).to_pylist(), strict=True)
    ]


# List names: linux-mm@, dev-announce@, rails-users@, tools-devel@, XYZ-L@ (LISTSERV) ...
_LIST_LOCAL = re.compile(r"^linux-|[-_.](?:devel?|users?|announce|discuss|general|list|l)$")


def is_list_address(key: str | None) -> bool:
    """Whether an address is a mailing list's own, one of its management addresses, or a
    machine's: never a person, even when it only receives mail (the loader keeps these keys out
    of people; a reply to a bot's report goes to the bot's address).

    A list's own: on a host that only runs lists (``lists.*``, ``vger.kernel.org``,
    ``googlegroups.com`` ...) or named like a list (``linux-*``, ``*-devel``, ``*-users``,
    ``*-announce``, ``*-l`` ...). Management: ``-request``, ``-owner``, ``-bounces``,
    ``mailman`` ... Lists met in the mail itself (List-Post, List-Id) are known from the
    ``mailing_list`` column; this catches the ones a message was cross-posted to. A machine's:
    the no-reply, notification and bot words and the bulk- and application-mail domains of
    :func:`is_automated_address` (a bot known by its display name alone is not caught here).

    Examples
    --------
    >>> [is_list_address(k) for k in ["linux-mm@kvack.org", "dev@lists.x.org", "ann@x.org", "ann.list@x.org"]]
    [True, True, False, True]
    """
    if not key or "@" not in key:
        return False
    local, _, domain = key.partition("@")
    return bool(_LIST_HOSTS.search(domain) or _LIST_LOCAL.search(local)) or is_automated_address(key)


# is_list_address over whole keys, for RE2: the host rule anchored after the first "@", the
# list-name rules before it, then _RE2_AUTOMATED's (a machine's address is never a person either)
_RE2_LIST = (
    r"^[^@]*@(?:lists?|mailman|groups)\.|^[^@]*@(?:vger\.kernel\.org|googlegroups\.com|groups\.io|freelists\.org)$"
    r"|^linux-[^@]*@|^[^@]*[-_.](?:devel?|users?|announce|discuss|general|list|l)@|"
) + _RE2_AUTOMATED


def list_addresses(keys: list) -> list[bool]:
    """:func:`is_list_address` of each key, the keys matched together by RE2 (:data:`_RE2_LIST`):
    the loader asks it of every key of a mailbox (30,000 in the namesake benchmark)."""
    return _each_matched(keys, _RE2_LIST, is_list_address)


def list_address(list_post: bytes | None, list_id: bytes | None) -> str | None:
    """The address a mailing list distributes from: List-Post's ``mailto:``, else the List-Id
    read the Mailman / Google Groups way (``<dev.lists.x.org>`` -> ``dev@lists.x.org``).

    Examples
    --------
    >>> list_address(b"<https://groups.google.com/group/k/post>, <mailto:k@googlegroups.com>", None)
    'k@googlegroups.com'
    >>> list_address(None, b"Development list <openbmc.lists.ozlabs.org>")
    'openbmc@lists.ozlabs.org'
    """
    if list_post is not None:
        for target in re.findall(rb"<mailto:([^>?]+)", list_post, flags=re.I):
            keys = H.parse_addresses(target)[0]
            if keys and "@" in keys[0]:
                return keys[0]
    if list_id is not None:
        ids = re.findall(rb"<([^<>@\s]+)>", list_id) or [list_id.strip()]
        name, dot, host = H.decode_bytes(ids[-1]).strip().lower().partition(".")
        if name and dot and "." in host:
            return f"{name}@{host}"
    return None


def is_list_distribution(list_post: bytes | None, list_id: bytes | None) -> bool:
    """Whether a message was distributed by a discussion list: it carries List-Post or List-Id,
    and is not an announce-only list (``List-Post: NO``, RFC 2369) or a bulk-mail service's
    list (a List-Id on a bulk-mail domain, e.g. Mailchimp's ``...list-id.mcsv.net``)."""
    if list_post is not None and list_post.strip().upper() == b"NO":
        return False
    if list_id is not None:
        lid = H.decode_bytes(list_id).lower().rstrip(">").strip()
        if lid.endswith(_AUTOMATED_DOMAINS):
            return False
    return list_post is not None or list_id is not None


@functools.lru_cache(maxsize=4096)
def _list_own(list_id: bytes, list_post: bytes | None) -> tuple[list[str], str]:
    """A list's own addresses as its headers spell them: List-Post's, and the List-Id text
    (cached: a list's messages all carry the same two values)."""
    post_keys = H.parse_addresses(list_post.replace(b"mailto:", b""))[0] if list_post else []
    lid = H.extract_ids(list_id)
    return post_keys, (lid[0] if lid else H.decode_bytes(list_id)).lower()


def _is_list_own_sender(sender: str | None, own: tuple[list[str], str]) -> bool:
    """Whether From is the list's own address (named in List-Post, or spelled like List-Id);
    ``own`` from :func:`_list_own`."""
    if not sender or "@" not in sender:
        return False
    post_keys, lid_text = own
    local, _, dom = sender.partition("@")
    return sender in post_keys or lid_text in (f"{local}.{dom}", sender)


class ListSender(NamedTuple):
    """The sender of a message once a mailing list's From rewrite is undone."""

    sender: str | None
    sender_name: str | None
    mailing_list: str | None  # the list's address when the list rewrote From, else None
    rewritten: bool  # the person was taken from X-Original-From or Reply-To


def resolve_list_sender(
    sender: str | None,
    sender_name: str | None,
    list_id: bytes | None,
    list_post: bytes | None,
    original: bytes | None,
    reply_to: bytes | None,
) -> ListSender:
    """Undo a mailing list's From rewrite: the person from X-Original-From or Reply-To.

    Notes
    -----
    A list rewrote From when From is the list's own address (named in List-Post or spelled
    like List-Id), when the display name reads "Ann via List" (Google Groups), or when
    X-Original-From names someone else. The person is then X-Original-From's first address
    if it differs from From, else, for the first two cases, Reply-To's address if it holds
    exactly one and it differs from From. Without a person, a "via" message still names the
    list (From). The " via List" tail is cut from the display name. One rule for both the
    column route and the per-message route of the mbox reader.
    """
    via = sender_name is not None and " via " in sender_name
    list_addr = None
    if list_id is not None and _is_list_own_sender(sender, _list_own(list_id, list_post)):
        list_addr = sender
    mailing_list = None
    rewritten = False
    if via or list_addr or (original is not None and sender is not None):
        person = None
        if original is not None:
            keys, names = _parsed_addresses(original)
            if keys and keys[0] != sender:
                person = (keys[0], names[0] or None)
        if person is None and (via or list_addr) and reply_to is not None:
            keys, names = _parsed_addresses(reply_to)
            if len(keys) == 1 and keys[0] != sender:
                person = (keys[0], names[0] or None)
        if person is not None:
            mailing_list = sender
            sender = person[0]
            if person[1]:
                sender_name = person[1]
            rewritten = True
        elif via:
            mailing_list = sender
    if via and sender_name and " via " in sender_name:
        sender_name = sender_name.split(" via ", 1)[0].strip() or None
    return ListSender(sender, sender_name, mailing_list, rewritten)


# X-Original-From and Reply-To values repeat across a list's messages
_parsed_addresses = functools.lru_cache(maxsize=4096)(H.parse_addresses)


def is_bulk_by_headers(unsub: bytes | None, prec: bytes | None, autosub: bytes | None, listed: bool) -> bool:
    """Whether headers mark a message as machine-made.

    ``Auto-Submitted`` (other than ``no``) always does. A list's distribution marks
    (``List-Unsubscribe``, ``Precedence: list`` or ``bulk``) do not when the message was
    distributed by a discussion list (``listed``): a person's post reaching me through a list is
    human mail. Without a list, they mark bulk mail (marketing, notifications)."""
    if autosub is not None and autosub.strip().lower() not in (b"no", b""):
        return True
    if listed:
        return False
    return unsub is not None or (prec is not None and prec.strip().lower() in _BULK_PRECEDENCE)


_CACHE_LIMIT = 50_000
# The address elements read (one per person and way of writing them) are kept longer: a mailbox
# of 100,000 correspondents (write_mbox(correspondents=100_000, unique_recipients=True), 100,000
# messages) emptied a table of 50,000 four times per worker, each element then read again: 0.82-0.93
# s against 0.66-0.67 s with this limit, a worker's peak 229 against 233-239 MB
_ELEMENT_LIMIT = 4 * _CACHE_LIMIT
_CACHES: dict[str, dict] = {
    k: {} for k in ("shared", "addresses", "from", "labels", "automated", "bot names")
}
# the elements of plain address lists already read, for the C loop of Batch._address_lists
_CACHES["elements"] = {} if _native.SPEEDUPS is None else _native.SPEEDUPS.ElementTable()
# the strings of list columns this process has sent (see FlatTable; defined below)
_CACHES["flat"] = None  # type: ignore[assignment]


def clear_caches() -> None:
    """Forget the parsed header values (the main process does after each file)."""
    for cache in _CACHES.values():
        cache.clear()


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


# One empty list shared by every row without recipients or labels (nothing
# edits list cells in place; pickle keeps the sharing).
_EMPTY: list = []
# Batch._senders' (key, name, number of addresses) of a message without From
_NO_SENDER = (None, None, 0)


# A value _fast_ids reads as plain ids: ASCII blanks and "<id>" tokens, a blank between two (RE2,
# whole value). Its ids are its tokens without their brackets, each once.
_RE2_PLAIN_IDS = r"^[\t-\r ]*(?:<[!-;=?-~]+>(?:[\t-\r ]+<[!-;=?-~]+>)*[\t-\r ]*)?$"
_ID_LIST = pa.large_list(pa.large_string())


def _binary_buffers(raw: pa.Array) -> tuple:
    """(int64 offsets, data, validity or None) of a large_binary or large_string array, as the
    C readers of a column take them (see ``na_column`` in ``_speedups_src/speedups.h``): value ``i`` is
    ``data[offsets[i]:offsets[i + 1]]``, null where its validity byte is 0 (None: no nulls)."""
    n = len(raw)
    _, offsets, data = raw.buffers()
    if offsets is None:  # (an array of no rows may have no buffers)
        return np.zeros(1, dtype=np.int64), b"", None
    offsets = np.frombuffer(offsets, dtype=np.int64, count=n + 1, offset=raw.offset * 8)
    valid = raw.is_valid().to_numpy(zero_copy_only=False).view(np.uint8) if raw.null_count else None
    return offsets, b"" if data is None else data, valid


def _id_list_array(raw: pa.Array) -> pa.LargeListArray:
    """``[_fast_ids(v) if v else [] for v in raw.to_pylist()]`` (``raw``: a large_binary array,
    null where the header is absent) as an Arrow list column, made by a few Arrow calls over
    the whole column for the usual values.

    Notes
    -----
    A value of plain ``<id>`` tokens between ASCII blanks (:data:`_RE2_PLAIN_IDS`: folded
    References, tabs) is split on its blanks and each token's brackets dropped, as
    ``_fast_ids`` reads it; a list holding an id twice keeps its first. The other values
    (commas, comments, missing brackets, non-ASCII) take ``_fast_ids`` one by one.

    Where the C speedups are built, ``id_lists`` reads the plain values in one pass over the
    raw bytes (the same rule; a test compares the two) and gives the list column's buffers.
    """
    n = len(raw)
    if _native.SPEEDUPS is not None:
        list_offsets, id_offsets, data, odd = _native.SPEEDUPS.id_lists(*_binary_buffers(raw))
        ids = pa.LargeStringArray.from_buffers(
            len(id_offsets) // 8 - 1, pa.py_buffer(id_offsets), pa.py_buffer(data)
        )
        lists = pa.LargeListArray.from_buffers(
            _ID_LIST, n, [None, pa.py_buffer(list_offsets)], children=[ids]
        )
        return _patched(lists, np.array(odd, dtype=np.int64), [_fast_ids(v) for v in _values_at(raw, odd)])
    plain = pc.fill_null(pc.match_substring_regex(raw, _RE2_PLAIN_IDS), True)  # absent: no ids
    text = pc.cast(pc.if_else(plain, pc.fill_null(raw, b""), b""), pa.large_string())
    tokens = pc.ascii_split_whitespace(text)  # blanks at the edges leave empty tokens: dropped
    flat = tokens.flatten()
    kept = pc.greater(pc.binary_length(flat), 0)
    rows = pc.list_parent_indices(tokens).filter(kept).to_numpy()
    ids = pc.utf8_slice_codeunits(flat.filter(kept), 1, -1)
    offsets = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n))))
    lists = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), ids)
    # rows holding an id twice: (row, id code) pairs that repeat
    codes = pc.dictionary_encode(ids).indices.to_numpy()
    pair = np.sort(rows.astype(np.int64) * max(len(ids), 1) + codes)
    twice = np.unique(pair[1:][pair[1:] == pair[:-1]] // max(len(ids), 1)).tolist()
    fixes = {i: list(dict.fromkeys(lists[i].as_py())) for i in twice}
    odd = np.flatnonzero(~plain.to_numpy(zero_copy_only=False)).tolist()
    fixes.update((i, _fast_ids(v)) for i, v in zip(odd, _values_at(raw, odd), strict=True))
    if not fixes:
        return lists
    rows_fixed = sorted(fixes)
    return _patched(lists, np.array(rows_fixed, dtype=np.int64), [fixes[i] for i in rows_fixed])


def _first_elements(lists: pa.LargeListArray) -> pa.Array:
    """The first element of each list (null for an empty list)."""
    offsets = lists.offsets.to_numpy()
    starts, empty = offsets[:-1], offsets[1:] == offsets[:-1]
    flat = lists.values
    if not len(flat):
        return pa.nulls(len(lists), flat.type)
    return flat.take(pa.array(np.minimum(starts, len(flat) - 1), mask=empty))


def _at(column, i: int):
    """Row ``i`` of a column held as a list or as an Arrow array, as a Python value."""
    value = column[i]
    return value.as_py() if isinstance(value, pa.Scalar) else value


class _Coded(NamedTuple):
    """A column of repeating values, dictionary-encoded: row ``i`` holds ``values[codes[i]]``.
    Columns derived from one raw header share its codes (never changed in place)."""

    values: list
    codes: np.ndarray


def _pairs(a: tuple[list, np.ndarray], b: tuple[list, np.ndarray]) -> tuple[list[tuple], np.ndarray]:
    """``H.encode(list(zip(A, B)))`` of two encoded columns ``a`` = ``H.encode(A)``, ``b`` = ``H.encode(B)``."""
    (a_values, a_codes), (b_values, b_codes) = a, b
    pair = a_codes.astype(np.int64) * len(b_values) + b_codes
    distinct, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # first-seen order
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    values = [(a_values[p // len(b_values)], b_values[p % len(b_values)]) for p in distinct[order].tolist()]
    return values, rank[inverse.reshape(-1)]


def _with_rows(column, rows: list[int], values: list, table=None):
    """``column`` (list, numpy, Arrow, :class:`_Coded` or :class:`_Flat`, whose codes index
    ``table``) with ``values`` at ``rows`` (ascending)."""
    if isinstance(column, pa.Array):
        return _patched(column, np.array(rows, dtype=np.int64), values)
    if isinstance(column, _Flat):  # the new lists appended, the rows pointed at them
        added = _flat(table, _Coded(values, None))
        codes = _row_codes(column)
        codes[rows] = np.arange(len(column.offsets) - 1, len(column.offsets) - 1 + len(rows), dtype=np.int32)
        return _Flat(
            np.concatenate([column.elements, added.elements]),
            np.concatenate([column.offsets, column.offsets[-1] + added.offsets[1:]]),
            codes,
        )
    if isinstance(column, _Coded):
        codes = column.codes.copy()
        codes[rows] = np.arange(len(column.values), len(column.values) + len(rows), dtype=np.int32)
        return _Coded([*column.values, *values], codes)
    if isinstance(column, np.ndarray):
        column = column.copy()
    for i, v in zip(rows, values, strict=True):
        column[i] = v
    return column


def _row_codes(column: _Flat) -> np.ndarray:
    """A new int32 array of the list each row of a :class:`_Flat` column holds."""
    if column.codes is None:
        return np.arange(len(column.offsets) - 1, dtype=np.int32)
    return column.codes.astype(np.int32, copy=True)


def _without_rows(column, keep: np.ndarray):
    """``column`` (list, numpy, Arrow, :class:`_Coded` or :class:`_Flat`) with only the rows ``keep``."""
    if isinstance(column, pa.Array):
        return column.take(pa.array(keep, type=pa.int64()))
    if isinstance(column, _Flat):
        return _Flat(column.elements, column.offsets, _row_codes(column)[keep])
    if isinstance(column, _Coded):
        return _Coded(column.values, column.codes[keep])
    if isinstance(column, np.ndarray):
        return column[keep]
    return [column[i] for i in keep.tolist()]


def _concat(chunks: tuple, table=None):
    """One column from the chunks of several batches (lists, numpy, Arrow, :class:`_Coded`, or
    :class:`_Flat` with codes into ``table``, where list chunks are then flattened)."""
    if any(isinstance(c, _Flat) for c in chunks):
        flats = [c if isinstance(c, _Flat) else _flat(table, _Coded(list(c), None)) for c in chunks]
        n_lists = np.cumsum([0, *(len(f.offsets) - 1 for f in flats)])
        n_elements = np.cumsum([0, *(len(f.elements) for f in flats)])
        return _Flat(
            np.concatenate([f.elements for f in flats]),
            np.concatenate([[0], *(f.offsets[1:] + n_elements[k] for k, f in enumerate(flats))]).astype(
                np.int64
            ),
            np.concatenate([_row_codes(f) + np.int32(n_lists[k]) for k, f in enumerate(flats)]),
        )
    lists = [c for c in chunks if isinstance(c, pa.Array) and pa.types.is_large_list(c.type)]
    if lists:
        return pa.concat_arrays(
            [c if isinstance(c, pa.Array) else pa.array(c, lists[0].type) for c in chunks]
        )
    if any(isinstance(c, pa.Array) for c in chunks):
        return pa.concat_arrays(
            [
                c.cast(pa.large_string()) if isinstance(c, pa.Array) else pa.array(c, pa.large_string())
                for c in chunks
            ]
        )
    if any(isinstance(c, _Coded) for c in chunks):
        values: list = []
        codes = []
        for c in chunks:
            if not isinstance(c, _Coded):
                c = _Coded(list(c), np.arange(len(c), dtype=np.int32))
            codes.append(c.codes + np.int32(len(values)))
            values.extend(c.values)
        return _Coded(values, np.concatenate(codes))
    if any(isinstance(c, np.ndarray) for c in chunks):
        return np.concatenate([np.asarray(c, dtype=bool) for c in chunks])
    return list(itertools.chain.from_iterable(chunks))


def _patched(arr: pa.Array, rows: np.ndarray, values: list) -> pa.Array:
    """``arr`` with ``values`` at ``rows`` (ascending); any type, lists too."""
    if not len(rows):
        return arr
    at = np.arange(len(arr), dtype=np.int64)
    at[rows] = len(arr) + np.arange(len(rows))
    return pa.concat_arrays([arr, pa.array(values, type=arr.type)]).take(pa.array(at))


def _odd_rows(raw: pa.Array, fast: pa.Array) -> np.ndarray:
    """Rows holding a value that the fast rule ``fast`` (a boolean array) does not cover."""
    odd = pc.and_(raw.is_valid(), pc.invert(pc.fill_null(fast, True)))
    return np.flatnonzero(odd.to_numpy(zero_copy_only=False))


_NULL_TEXT = pa.scalar(None, pa.large_binary())
# _fast_ids' first rule: one "<", no space, ASCII, ends with ">" (and a non-empty id)
_RE2_PLAIN_ID = r"^<[\x00-\x1f\x21-\x3b\x3d-\x7f]+>$"
_RE2_ASCII = r"^[\x00-\x7f]*$"


def _values_at(raw: pa.Array, rows) -> list:
    """The values of ``raw`` at ``rows`` (a few: the odd ones), as Python objects."""
    return raw.take(pa.array(rows, type=pa.int64())).to_pylist()


def _first_id(value: bytes | None) -> str | None:
    return (_fast_ids(value) or [None])[0] if value else None


def _first_id_array(raw: pa.Array) -> pa.Array:
    """The first id of each value (``_fast_ids(v)[0]``) of ``raw`` (a large_binary array) as a
    large_string array; null where a value is absent or holds no usable id. Where the C
    speedups are built, ``first_ids`` reads the plain values (the same rule,
    :data:`_RE2_PLAIN_ID`; a test compares the two)."""
    if _native.SPEEDUPS is not None:
        offsets, data, valid, odd = _native.SPEEDUPS.first_ids(*_binary_buffers(raw))
        mask = pa.py_buffer(np.packbits(np.frombuffer(valid, dtype=bool), bitorder="little"))
        ids = pa.LargeStringArray.from_buffers(len(raw), pa.py_buffer(offsets), pa.py_buffer(data), mask)
        return _patched(ids, np.array(odd, dtype=np.int64), list(map(_first_id, _values_at(raw, odd))))
    plain = pc.fill_null(pc.match_substring_regex(raw, _RE2_PLAIN_ID), False)
    ids = pc.cast(pc.if_else(plain, pc.binary_slice(raw, 1, -1), _NULL_TEXT), pa.large_string())
    odd = _odd_rows(raw, plain)
    return _patched(ids, odd, list(map(_first_id, _values_at(raw, odd))))


def _spanned_bytes(raw: pa.Array) -> np.ndarray:
    """The bytes that the values of ``raw`` (a large_binary array) span, as uint8: every value's
    bytes, and any that a null row spans (checks on them are stricter, never looser)."""
    offsets, data, _ = _binary_buffers(raw)
    return np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]]


# the bytes of an X-GM-THRID as Gmail writes it (digits; letters for other stores' ids)
_ALNUM = np.zeros(256, dtype=bool)
_ALNUM[np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)] = (
    True
)


def _thread_id_array(raw: pa.Array) -> pa.Array:
    """X-GM-THRID values (a large_binary array) decoded and stripped; null where absent or empty.

    Where every value is letters and digits, none empty (Gmail's), they are the values as they
    are: one pass over the column's bytes (a regular expression per value took 0.3 ms per
    1,000 values)."""
    if raw.null_count == len(raw):
        return pa.nulls(len(raw), pa.large_string())
    if _ALNUM[_spanned_bytes(raw)].all() and pc.min(pc.binary_length(raw)).as_py() > 0:
        return pc.cast(raw, pa.large_string())
    return pa.array(
        [H.decode_bytes(v).strip() if v else None for v in raw.to_pylist()], type=pa.large_string()
    )


def _date_array(raw: pa.Array) -> pa.Array:
    """Date header texts of ``raw`` (a large_binary array; null where absent or empty): ASCII
    values as they are, the others decoded (``decode_bytes``). A column all of ASCII (the usual)
    is told by one pass over its bytes, not by a regular expression per value."""
    kept = pc.greater(pc.binary_length(raw), 0)  # (empty values: null)
    if not (_spanned_bytes(raw) & 0x80).any():
        return pc.cast(pc.if_else(kept, raw, _NULL_TEXT), pa.large_string())
    fast = pc.match_substring_regex(raw, _RE2_ASCII)
    text = pc.cast(pc.if_else(pc.and_(fast, kept), raw, _NULL_TEXT), pa.large_string())
    odd = _odd_rows(raw, fast)
    return _patched(text, odd, [H.decode_bytes(v) if v else None for v in _values_at(raw, odd)])


def _subject(raw: bytes) -> str:
    text = H.decode_bytes(raw)
    return H.decode_words(text) if "=?" in text else text


def _subject_array(values: list) -> pa.Array:
    """Subjects decoded, encoded words too (null where absent)."""
    raw = pa.array(values, type=pa.large_binary())
    fast = pc.and_(pc.match_substring_regex(raw, _RE2_ASCII), pc.invert(pc.match_substring(raw, "=?")))
    text = pc.cast(pc.if_else(fast, raw, _NULL_TEXT), pa.large_string())
    odd = _odd_rows(raw, fast)
    return _patched(text, odd, [_subject(values[i]) for i in odd.tolist()])


def _cached(cache: dict, keys: list, read) -> list:
    """``cache[k]`` for each of ``keys``, those not in it read together (``read(missing)`` gives
    their values, in order, none of them None) and kept: when all were met before, one C-level
    map over the keys. The cache is emptied first when it holds more than :data:`_CACHE_LIMIT`,
    never between the lookups (the From cache was once emptied after them, when the new values
    would overfill it, and the values found in it were lost: ``KeyError`` on a mailbox of more
    than 50,000 distinct senders)."""
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    found = list(map(cache.get, keys))
    if None in found:
        missing = [k for k, f in zip(keys, found, strict=True) if f is None]
        cache.update(zip(missing, read(missing), strict=True))
        found = list(map(cache.__getitem__, keys))
    return found


class Batch:
    """Column lists for the messages of one byte range or list of files."""

    def __init__(self, source: str, folder: str | None, source_file: str):
        self.source = source
        self.source_file = source_file
        self.folder = folder
        self.folder_is_sent = H.is_sent_folder(folder)
        self.folder_is_junk = H.is_junk_folder(folder)
        self._fast_ts: tuple | None = None  # (date texts, their fast parse) of add_mbox_blocks
        self._fast_chunks: list[tuple] = []  # the same of each chunk added by add_mbox_group
        self.rows: list[tuple] = []
        self.columns: list[list[list]] = []  # column lists from add_mbox_blocks
        self.cols: dict[str, list] = {k: [] for k in COLUMNS}
        self.skipped: Counter = Counter()
        self.counters: Counter = Counter()
        self.report = FileReport(source_file, "batch")  # its warnings (the rest is counted below)
        self.read = 0
        # Addresses, labels and folders repeat across messages: share one object per value
        # (pickle keeps the sharing when a worker sends its columns back), and parse each
        # distinct raw header value once.
        # The caches live as long as the process: a worker keeps them from one task to the next.
        self._shared: dict = _CACHES["shared"]
        self._addr_cache: dict[bytes, tuple[list[str], list[str]]] = _CACHES["addresses"]
        # H._plain_address of each element of a plain address list, its key already the shared
        # string (an ElementTable: see _speedups_src/addresses.c): the C loop of _address_lists
        # looks an element up here before it calls the LRU-cached function (emptied with
        # _shared: _forget_shared)
        self._element_cache = _CACHES["elements"]
        self._from_cache: dict[bytes | None, tuple] = _CACHES["from"]
        self._label_cache: dict[bytes, tuple] = _CACHES["labels"]
        self._auto_cache: dict[str | None, bool] = _CACHES["automated"]
        self._bot_cache: dict[str | None, bool] = _CACHES["bot names"]
        # the table of strings this part's list columns are coded into (see _frame): a reader
        # worker's lasts from one task to the next; elsewhere each part has one of its own (so
        # that reads in threads of one process never share one). It is emptied only here, at a
        # part's start, as codes made during the part must hold until it is sent.
        self._table = _CACHES["flat"] if _IN_READER_WORKER else _new_flat_table()
        if len(self._table) > _FLAT_LIMIT:
            self._table.clear()
        self._table_start = len(self._table)

    def warn(self, text: str) -> None:
        self.report.warn(text, limit=MAX_WARNINGS)

    def _addresses(self, raw: bytes) -> tuple[list[str], list[str]]:
        hit = self._addr_cache.get(raw)
        if hit is None:
            keys, names = H.parse_addresses(raw)
            share = self._shared.setdefault
            keys = [share(k, k) for k in keys]
            if not any(names):
                names = _EMPTY
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
            skip = None
            if any(H.is_chat_label(x) for x in labels):
                skip = SKIP_CHAT
            elif any(H.is_junk_folder(x) for x in labels):
                skip = SKIP_SPAM_LABEL
            hit = (
                labels,
                skip,
                any(H.is_sent_folder(x) for x in labels),
                share(joined, joined) if labels else None,
            )
            if len(self._label_cache) > _CACHE_LIMIT:
                self._label_cache.clear()
            self._label_cache[raw] = hit
        return hit

    def _sender(self, raw: bytes) -> tuple:
        keys, names, counts = self._senders([raw])
        return keys[0], names[0], counts[0]

    def _senders(self, raws: list) -> tuple[tuple, tuple, tuple]:
        """The sender keys, names and numbers of addresses of the distinct raw From values
        ``raws`` (None: no From), as three tuples: :func:`H.sender_from`'s rule, on the (keys,
        names) that :meth:`_address_lists` reads for the values not met before (a mailbox's
        senders are among its recipients, whose elements it has read already)."""
        if not raws:
            return (), (), ()
        share = self._shared.setdefault

        def read(missing: list) -> list[tuple]:
            out = []
            for raw, (keys, names) in zip(missing, self._address_lists(missing), strict=True):
                if not raw:  # no From, or an empty one: no sender
                    out.append(_NO_SENDER)
                    continue
                sender, name, n = H.sender_of(raw, keys, names)
                out.append((sender if sender is None else share(sender, sender), name, n))
            return out

        keys, names, counts = zip(*_cached(self._from_cache, raws, read))
        return keys, names, counts

    def add(
        self, block: bytes, from_line: bytes | None, where: str, position: str, thread_id: str | None = None
    ) -> None:
        """Parse one header block; ``where`` names it in warnings, ``position`` feeds synthetic ids.

        ``thread_id`` replaces the thread id the headers give (a store that keeps its own
        conversation key, such as Outlook's conversation index)."""
        self._add(H.split_header_block(block), from_line, where, position, thread_id)

    def add_block(self, block: bytes, from_line: bytes | None, offset: int) -> None:
        """Parse the header block (with the newline before it) of the mbox message at byte ``offset``."""
        self._add(H.split_header_lines(block), from_line, None, offset)

    # complexity exception: the per-message route, one rule after another for an odd message
    def _add(  # noqa: C901
        self, h: dict, from_line: bytes | None, where: str | None, position, thread: str | None = None
    ) -> None:
        # ``where`` None: an mbox message at byte ``position`` (names made only when needed)
        self.read += 1
        if not h:
            self.skipped["no header lines (not an email message)"] += 1
            return
        if self.folder_is_junk:
            self.skipped[SKIP_JUNK_FOLDER] += 1
            return
        get = h.get
        labels_raw = get(b"x-gmail-labels")
        if labels_raw is not None:
            labels, skip, sent_label, folder = self._labels(labels_raw)
            labels = list(labels)
            if skip is not None:
                self.skipped[skip] += 1
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
        list_id, list_post = get(b"list-id"), get(b"list-post")
        listed = is_list_distribution(list_post, list_id)
        sender, sender_name, mailing_list, rewritten = resolve_list_sender(
            sender, sender_name, list_id, list_post, get(b"x-original-from"), get(b"reply-to")
        )
        if rewritten:
            self.counters["sender_from_mailing_list_rewrite"] += 1
        if listed and mailing_list is None:
            mailing_list = list_address(list_post, list_id)

        to_raw, cc_raw = get(b"to"), get(b"cc")
        to, to_names = self._addresses(to_raw) if to_raw else ([], [])
        cc, cc_names = self._addresses(cc_raw) if cc_raw else ([], [])
        bcc_raw = get(b"bcc")  # on the owner's Sent copy only (Gmail keeps it there)
        bcc = self._addresses(bcc_raw)[0] if bcc_raw else []

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
                "\x1f".join(
                    (raw_from.decode("latin-1"), date_text or "", subject or "", str(position))
                ).encode("utf-8", "surrogatepass")
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
        if thread is not None:
            thread_id = thread

        automated = self._is_automated(
            sender, sender_name, get(b"list-unsubscribe"), get(b"precedence"), get(b"auto-submitted"), listed
        )
        delivered_to = self._delivered_key(get(b"delivered-to") or get(b"x-original-to"))

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
                bcc,
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

    # complexity exception: the mbox fast path, one hot loop over the header blocks of a range
    def add_mbox_blocks(self, blocks: list[bytes], from_lines: list, positions: list[int]) -> None:  # noqa: C901
        """Parse the header blocks of a range of mbox messages (see :meth:`add_block`), column
        by column: each distinct raw value of a repeating header (From, To, Cc, labels...) is
        parsed once and its lists are shared by every row holding it. Mailing-list rewrites
        are undone with the same rule as the per-message route (:func:`resolve_list_sender`).
        Messages needing the tolerant route (missing ids, several From addresses, chat items,
        non-mail blocks) go through :meth:`_add`."""
        n = len(blocks)
        if not n:
            return
        raw_column = H.raw_header_columns(blocks)
        P = H.PRIMARY

        def col(name: bytes) -> list:
            return raw_column(P[name])

        def coded(name: bytes) -> tuple[list, np.ndarray]:  # H.encode(col(name)), cheaper
            return raw_column(P[name], coded=True)

        def binary(name: bytes) -> pa.Array:  # pa.array(col(name), pa.large_binary()), cheaper
            return raw_column(P[name], arrow=True)

        # rows for the tolerant route; blocks without a wanted header have no Message-ID either
        slow: set[int] = set()

        # Repeating headers are dictionary-encoded: each distinct raw value is parsed once, and
        # the columns derived from it share its codes (see _Coded).
        # labels, folder, Sent evidence, chat items
        lab_raw, lab_codes = coded(b"x-gmail-labels")
        no_label = (_EMPTY, False, self.folder_is_sent, self.folder)
        lab = []
        for r in lab_raw:
            if r is None:
                lab.append(no_label)
                continue
            labels, skip, sent_label, folder = self._labels(r)
            lab.append(
                (
                    labels,
                    skip is not None,
                    sent_label or self.folder_is_sent,
                    self.folder if folder is None else folder,
                )
            )
        # chat and spam items are skipped by the tolerant route (it counts them by reason)
        skipped_label = np.array([v[1] for v in lab], dtype=bool)[lab_codes]
        if skipped_label.any() or self.folder_is_junk:
            slow.update(range(n) if self.folder_is_junk else np.flatnonzero(skipped_label).tolist())

        thrid = binary(b"x-gm-thrid")
        gmail = np.array([r is not None for r in lab_raw], dtype=bool)[lab_codes]
        gmail |= thrid.is_valid().to_numpy(zero_copy_only=False)
        source = _Coded([self.source, _SOURCE_GMAIL], gmail.astype(np.int32))

        # sender; a From with several addresses takes the tolerant route (it warns)
        from_raw, from_codes = coded(b"from")
        sender_keys, sender_names, counts = self._senders(from_raw)
        several = (np.array(counts, dtype=np.int64) > 1)[from_codes]
        if several.any():
            slow.update(np.flatnonzero(several).tolist())

        # mailing lists: List-Id and List-Post repeat across a list's messages, judged once per
        # distinct pair
        list_raw, list_codes = _pairs(coded(b"list-id"), coded(b"list-post"))
        distributed = [is_list_distribution(post, lid) for lid, post in list_raw]
        listed = np.array(distributed, dtype=bool)[list_codes]
        lists = [list_address(post, lid) if d else None for (lid, post), d in zip(list_raw, distributed)]
        sender = _Coded(list(sender_keys), from_codes)
        sender_name = _Coded(list(sender_names), from_codes)
        mailing_list = _Coded(lists, list_codes)
        sender, sender_name, mailing_list = self._undo_list_rewrites(
            sender, sender_name, mailing_list, list_raw, col(b"x-original-from"), col(b"reply-to")
        )

        # recipients: the keys and names of each distinct raw value, as codes into the part's
        # table of strings (_Flat), shared by the rows holding it
        to_keys, to_names = self._address_columns(*coded(b"to"))
        cc_keys, cc_names = self._address_columns(*coded(b"cc"))
        bcc_raw, bcc_codes = coded(b"bcc")  # rare (the owner's Sent copies)
        bcc = _Coded([self._shared_addresses(r)[0] if r else _EMPTY for r in bcc_raw], bcc_codes)

        # ids, thread ids, dates and subjects stay in Arrow, no Python string per message;
        # values outside the fast rules are made by the per-value rules and patched in
        mids = _first_id_array(binary(b"message-id"))
        if mids.null_count:  # no usable id: a synthetic one, the tolerant route makes it
            slow.update(np.flatnonzero(mids.is_null().to_numpy(zero_copy_only=False)).tolist())
        irt = _first_id_array(binary(b"in-reply-to"))
        refs = _id_list_array(binary(b"references"))
        first_ref = _first_elements(refs)
        thread_id = pc.coalesce(_thread_id_array(thrid), first_ref, irt, mids)
        date_text = _date_array(binary(b"date"))
        subject_raw, subject_codes = coded(b"subject")  # a thread's messages share a subject
        subject = _subject_array(subject_raw).take(pa.array(subject_codes))
        # Received only where the Date is unusable (it is the first fallback; see finish)
        self._fast_ts = (date_text, _fast_dates(date_text))
        received: list = [None] * n
        for i in np.flatnonzero(np.isnat(self._fast_ts[1])).tolist():
            received[i] = H.split_header_lines(blocks[i]).get(b"received")

        if len(self._shared) > 4 * _CACHE_LIMIT:
            self._forget_shared()
        automated = self._automated_column(
            sender,
            sender_name,
            coded(b"list-unsubscribe"),
            coded(b"precedence"),
            coded(b"auto-submitted"),
            listed,
        )
        deliv_raw, deliv_codes = _pairs(coded(b"delivered-to"), coded(b"x-original-to"))
        delivered = _Coded([self._delivered_key(a or b) for a, b in deliv_raw], deliv_codes)

        columns = [
            mids,
            source,
            _Coded([v[3] for v in lab], lab_codes),
            _Coded([v[0] for v in lab], lab_codes),
            sender,
            sender_name,
            to_keys,
            to_names,
            cc_keys,
            cc_names,
            bcc,
            irt,
            refs,
            thread_id,
            subject,
            automated,
            mailing_list,
            _Coded([v[2] for v in lab], lab_codes),
            delivered,
            date_text,
            received,
            from_lines,
        ]
        self.read += n
        if slow:
            self.read -= len(slow)
            patched, rows, skipped = [], [], []
            for i in sorted(slow):
                before = len(self.rows)
                self._add(H.split_header_lines(blocks[i]), from_lines[i], None, positions[i])
                if len(self.rows) > before:
                    patched.append(i)
                    rows.append(self.rows.pop())
                else:
                    skipped.append(i)
            if rows:
                columns = [
                    _with_rows(c, patched, list(v), self._table)
                    for c, v in zip(columns, zip(*rows), strict=True)
                ]
            if skipped:
                keep = np.setdiff1d(np.arange(n), np.array(skipped, dtype=np.int64))
                columns = [_without_rows(c, keep) for c in columns]
        self.columns.append(columns)

    def add_mbox_group(self, blocks: list[bytes], from_lines: list, positions: list[int]) -> None:
        """:meth:`add_mbox_blocks`, one of several groups of a range: the group's fast date
        parse is kept for :meth:`finish` (``add_mbox_blocks`` keeps only its last call's)."""
        self._fast_ts = None
        self.add_mbox_blocks(blocks, from_lines, positions)
        if self._fast_ts is not None:
            self._fast_chunks.append(self._fast_ts)
            self._fast_ts = None

    def _undo_list_rewrites(
        self, sender: _Coded, sender_name: _Coded, mailing_list: _Coded, list_raw: list, original, reply_to
    ) -> tuple[_Coded, _Coded, _Coded]:
        """The sender, sender name and mailing-list columns with every mailing list's From
        rewrite undone (:func:`resolve_list_sender`, judged once per distinct set of the
        headers it reads); counts the rewrites as the per-message route does."""
        n = len(sender.codes)
        own = [None if lid is None else _list_own(lid, post) for lid, post in list_raw]
        suspect = np.zeros(n, dtype=bool)
        listed = np.flatnonzero(np.array([o is not None for o in own], dtype=bool)[mailing_list.codes])
        if len(listed):  # From the list's own address: judged once per distinct (sender, list)
            m = len(own)
            pair = sender.codes[listed].astype(np.int64) * m + mailing_list.codes[listed]
            distinct, inverse = np.unique(pair, return_inverse=True)
            own_sender = [_is_list_own_sender(sender.values[p // m], own[p % m]) for p in distinct.tolist()]
            suspect[listed] = np.array(own_sender, dtype=bool)[inverse.reshape(-1)]
        via = [name is not None and " via " in name for name in sender_name.values]
        suspect |= np.array(via, dtype=bool)[sender.codes]
        if original.count(None) != n:
            suspect |= np.array([v is not None for v in original], dtype=bool)
        rows = np.flatnonzero(suspect).tolist()
        if not rows:
            return sender, sender_name, mailing_list
        done: dict[tuple, ListSender] = {}
        resolved = []
        for k in rows:
            s, m = int(sender.codes[k]), int(mailing_list.codes[k])
            key = (s, m, original[k], reply_to[k])
            r = done.get(key)
            if r is None:
                lid, post = list_raw[m]
                r = done[key] = resolve_list_sender(
                    sender.values[s], sender_name.values[s], lid, post, original[k], reply_to[k]
                )
            resolved.append(r)
        n_rewritten = sum(r.rewritten for r in resolved)
        if n_rewritten:
            self.counters["sender_from_mailing_list_rewrite"] += n_rewritten
        ml_rows = [k for k, r in zip(rows, resolved, strict=True) if r.mailing_list is not None]
        return (
            _with_rows(sender, rows, [r.sender for r in resolved]),
            _with_rows(sender_name, rows, [r.sender_name for r in resolved]),
            _with_rows(
                mailing_list, ml_rows, [r.mailing_list for r in resolved if r.mailing_list is not None]
            ),
        )

    def _is_automated(
        self,
        sender: str | None,
        sender_name: str | None,
        unsub: bytes | None,
        prec: bytes | None,
        autosub: bytes | None,
        listed,
    ) -> bool:
        """Whether a message is machine-made: by its sender's address or display name (each
        judged once), else by its bulk headers (:func:`is_bulk_by_headers`). One rule, both routes."""
        automated = self._auto_cache.get(sender)
        if automated is None:
            automated = self._auto_cache[sender] = is_automated_address(sender)
        if not automated:
            bot = self._bot_cache.get(sender_name)
            if bot is None:
                bot = self._bot_cache[sender_name] = is_bot_name(sender_name)
            automated = bot
        if not automated and (unsub is not None or prec is not None or autosub is not None):
            automated = is_bulk_by_headers(unsub, prec, autosub, bool(listed))
        return automated

    def _automated_column(
        self, sender: _Coded, sender_name: _Coded, unsub: tuple, prec: tuple, autosub: tuple, listed
    ) -> np.ndarray:
        """:meth:`_is_automated` for every row: per distinct sender and per distinct display
        name, then per distinct set of the bulk headers (``unsub``, ``prec``, ``autosub``:
        encoded columns, see ``H.encode``) and ``listed``."""
        # _is_automated by sender and name alone, one dict lookup per distinct sender and name
        flags = _cached(self._auto_cache, sender.values, automated_addresses)
        bots = _cached(self._bot_cache, sender_name.values, bot_names)
        automated = np.array(flags, dtype=bool)[sender.codes] | np.array(bots, dtype=bool)[sender_name.codes]
        if unsub[0] == [None] and prec[0] == [None] and autosub[0] == [None]:
            return automated
        (u_values, u), (p_values, p), (a_values, a) = unsub, prec, autosub
        key = ((u.astype(np.int64) * len(p_values) + p) * len(a_values) + a) * 2 + listed
        distinct, inverse = np.unique(key, return_inverse=True)
        bulk = []
        for k in distinct.tolist():
            k, is_listed = divmod(k, 2)
            k, ak = divmod(k, len(a_values))
            uk, pk = divmod(k, len(p_values))
            bulk.append(is_bulk_by_headers(u_values[uk], p_values[pk], a_values[ak], bool(is_listed)))
        return automated | np.array(bulk, dtype=bool)[inverse.reshape(-1)]

    def _delivered_key(self, raw: bytes | None) -> str | None:
        """The first address of Delivered-To (else X-Original-To): whose mailbox this copy is in."""
        if not raw:
            return None
        keys = self._shared_addresses(raw)[0]
        return keys[0] if keys else None

    def _address_lists(self, raws: list) -> list[tuple[list[str], list[str]]]:
        """``self._shared_addresses(r)`` for each distinct value ``r`` of an address header (and
        two empty lists for None), the values not met before parsed together
        (:func:`H.parse_address_lists`). Where the C speedups are built, ``address_lists`` runs
        the same loop, with the same rules (the Python functions, called from C); a test
        compares the two."""
        cache = self._addr_cache
        if _native.SPEEDUPS is not None:  # the same loop in C
            return _native.SPEEDUPS.address_lists(raws, *self._c_address_rules(len(raws)))
        missing = [r for r in raws if r and r not in cache]
        if missing and len(cache) + len(missing) > _CACHE_LIMIT:
            cache.clear()
            missing = [r for r in raws if r]
        if missing:
            keys, names, starts, ends = H.parse_address_lists(missing)
            share = self._shared.setdefault
            keys = list(map(share, keys, keys))
            named = np.concatenate([[0], np.cumsum(np.array([n != "" for n in names], dtype=np.int64))])
            has_names = (named[ends] - named[starts] > 0).tolist()
            slices = list(map(slice, starts.tolist(), ends.tolist()))
            key_lists = map(keys.__getitem__, slices)
            name_lists = [names[s] if h else _EMPTY for s, h in zip(slices, has_names, strict=True)]
            cache.update(zip(missing, zip(key_lists, name_lists, strict=True), strict=True))
        no_addr = (_EMPTY, _EMPTY)
        return [cache[r] if r else no_addr for r in raws]

    def _c_address_rules(self, n_raws: int) -> tuple:
        """The caches and rules the C address loops take after the raw values (``address_lists``,
        ``address_flat``), the caches emptied first when ``n_raws`` new values may overfill them."""
        if len(self._addr_cache) + n_raws > _CACHE_LIMIT:  # (at most that many new values)
            self._addr_cache.clear()
        if len(self._element_cache) > _ELEMENT_LIMIT:
            self._element_cache.clear()
        return (
            self._addr_cache,
            self._element_cache,
            self._shared,
            H._plain_address,
            H.parse_addresses,
            H.decode_bytes,
            _EMPTY,
        )

    def _address_columns(self, raws: list, codes: np.ndarray) -> tuple[_Flat, _Flat]:
        """The keys and names columns of an address header (To, Cc) dictionary-encoded as
        ``raws`` (its distinct raw values) and ``codes``: the lists of :meth:`_address_lists`
        as codes into the part's table of strings (:class:`_Flat`, ``codes`` its rows'). Where
        the C speedups are built, ``address_flat`` makes the codes straight from each raw value
        (no list per value; the same lists, and the same strings added to the table: a test
        compares the two)."""
        if _native.SPEEDUPS is None:
            pairs = self._address_lists(raws)
            return (
                _flat(self._table, _Coded([k for k, _ in pairs], codes)),
                _flat(self._table, _Coded([v for _, v in pairs], codes)),
            )
        rules = self._c_address_rules(len(raws))
        keys, key_offsets, names, name_offsets = _native.SPEEDUPS.address_flat(raws, *rules, self._table)
        return (
            _Flat(np.frombuffer(keys, dtype=np.int32), np.frombuffer(key_offsets, dtype=np.int64), codes),
            _Flat(np.frombuffer(names, dtype=np.int32), np.frombuffer(name_offsets, dtype=np.int64), codes),
        )

    def _forget_shared(self) -> None:
        """Empty the shared strings, and the parsed address elements whose keys are among them."""
        self._shared.clear()
        self._element_cache.clear()

    def _shared_addresses(self, raw: bytes) -> tuple[list[str], list[str]]:
        """(keys, names) of an address header, the same list objects for the same raw value."""
        hit = self._addr_cache.get(raw)
        if hit is None:
            self._addresses(raw)
            hit = self._addr_cache[raw]
        return hit

    def finish(self) -> dict:
        """Resolve dates (vectorised fast path, tolerant fallbacks) and return plain data."""
        if self.rows:
            self.columns.append([list(c) for c in zip(*self.rows)])
            self.rows = []
        chunks, self.columns = self.columns, []
        # each chunk's dates as add_mbox_blocks parsed them (a chunk it did not add is parsed here)
        done = [*self._fast_chunks, *([] if self._fast_ts is None else [self._fast_ts])]
        known = {id(text): ts for text, ts in done}
        fast = [known.get(id(c[len(COLUMNS)])) for c in chunks]
        fast = [_fast_dates(c[len(COLUMNS)]) if t is None else t for c, t in zip(chunks, fast, strict=True)]
        self._fast_ts, self._fast_chunks = None, []
        if not chunks:
            columns = [()] * (len(COLUMNS) + 3)
            ts = _fast_dates(())
        elif len(chunks) == 1:
            columns, ts = chunks[0], fast[0]
        else:
            columns = [_concat(c, self._table) for c in zip(*chunks, strict=True)]
            ts = np.concatenate(fast)
        del chunks, fast, done, known
        self.cols = {
            name: values if isinstance(values, (pa.Array, _Coded, _Flat, np.ndarray)) else list(values)
            for name, values in zip(COLUMNS, columns)
        }
        self.date_text, self.received_raw, self.from_lines = columns[len(COLUMNS) :]
        n = len(self.date_text)
        stats = Counter()
        where_bad = np.flatnonzero(np.isnat(ts))
        stats["date_header"] = n - len(where_bad)
        epoch = np.datetime64(0, "ns")
        for i in where_bad.tolist():
            date_text = _at(self.date_text, i)
            value, exact = H.parse_date(date_text)
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
                    f"message {_at(self.cols[S.MESSAGE_ID], i)}: Date {date_text!r} unusable; "
                    + ("no date found (NaT)" if rule == "missing" else f"used the {rule.replace('_', ' ')}")
                )
            if value is not None:
                ts[i] = epoch + np.timedelta64(int(value.timestamp() * 1_000_000), "us")
        return {
            "parts": self._frame(ts),
            "read": self.read,
            "skipped": dict(self.skipped),
            "counters": dict(self.counters),
            "dates": dict(stats),
            "warnings": self.report.warnings,
            "n_warnings": len(self.report.warnings) + self.report.notes.get("warnings_not_shown", 0),
        }

    def _frame(self, ts: np.ndarray) -> dict:
        """The columns in a compact form that pickles fast (see :func:`frame_from_parts`): text
        as Arrow arrays, lists shared by many rows as codes into their distinct lists."""
        c = self.cols
        n = len(c[S.MESSAGE_ID])
        parts: dict = {"n": n, "source_file": self.source_file, S.TIMESTAMP: ts}
        for col in TEXT_COLUMNS:
            values = c[col]
            if isinstance(values, pa.Array):
                parts[col] = values.cast(pa.large_string())
            elif isinstance(values, _Coded):
                table = pa.array(values.values, type=pa.large_string())  # None becomes null
                parts[col] = table.take(pa.array(values.codes))
            elif col in _REPEATED_TEXT:
                parts[col] = _repeated_text(values)
            else:
                parts[col] = pa.array(values, type=pa.large_string())
        # list columns of strings go flat (_Flat): each distinct list once, as codes into the
        # part's table of strings (see __init__), of which the part carries only the strings new
        # to it. To and Cc are flat already where add_mbox_blocks read them
        table, start = self._table, self._table_start
        recipients = np.zeros(n, dtype=np.int64)
        for keys_col, names_col in ((S.TO, S.TO_NAMES), (S.CC, S.CC_NAMES)):
            keys, names = c[keys_col], c[names_col]
            if isinstance(keys, _Flat):
                parts[keys_col], parts[names_col] = keys, names
                lengths = np.diff(keys.offsets)
                recipients += lengths if keys.codes is None else lengths[keys.codes]
                continue
            if not isinstance(keys, _Coded):
                # rows holding the same To list object hold the same To names list object
                # (both come from one parse of the raw header)
                coded = _shared_lists(keys)
                if isinstance(coded, tuple):
                    distinct, codes, rows = coded
                    keys, names = _Coded(distinct, codes), _Coded([names[i] for i in rows], codes)
                else:
                    keys, names = _Coded(keys, None), _Coded(names, None)
            parts[keys_col], parts[names_col] = _flat(table, keys), _flat(table, names)
            lengths = np.diff(parts[keys_col].offsets)
            recipients += lengths if keys.codes is None else lengths[keys.codes]
        for col in (S.BCC, S.LABELS):  # Bcc is not in n_recipients (To and Cc: who the message showed)
            values = c[col]
            if not isinstance(values, _Coded):
                coded = _shared_lists(values)
                values = _Coded(*coded[:2]) if isinstance(coded, tuple) else _Coded(values, None)
            parts[col] = _flat(table, values)
        parts["strings"] = _Strings(os.getpid(), start, table.strings(start))
        # References: nearly one list per row, but a thread's ids recur in its later messages'
        # lists (and siblings' lists are equal): each distinct id and each distinct list once,
        # flat (the reading process makes the lists); its ids rarely recur from one part to the
        # next, so they go with the part, not into the worker's table of strings
        refs = c[S.REFERENCES]
        parts[S.REFERENCES] = flat_lists(refs if isinstance(refs, pa.Array) else pa.array(refs, _ID_LIST))
        parts[S.N_RECIPIENTS] = recipients
        parts["id_hash"] = _text_hashes(parts[S.MESSAGE_ID])
        for col in (S.IS_AUTOMATED, SENT_LABEL):
            values = c[col]
            if isinstance(values, _Coded):
                parts[col] = np.array(values.values, dtype=bool)[values.codes]
            else:
                parts[col] = np.array(values, dtype=bool)
        self.cols = {k: [] for k in COLUMNS}
        return parts


_LIST_COLUMNS = (S.TO, S.CC, S.TO_NAMES, S.CC_NAMES, S.BCC, S.REFERENCES, S.LABELS)


def _shared_lists(values: list):
    """A list column as (distinct list objects, int32 codes, the first row of each) when rows
    share list objects (pickle then sends each distinct list once, and rebuilding is one numpy
    gather); as the plain list otherwise."""
    n = len(values)
    first: dict[int, int] = {}
    at = np.fromiter(map(first.setdefault, map(id, values), range(n)), dtype=np.int64, count=n)
    if len(first) * 2 > n:
        return values
    rows = np.fromiter(first.values(), dtype=np.int64, count=len(first))
    ordinal = np.zeros(n, dtype=np.int32)
    ordinal[rows] = np.arange(len(rows), dtype=np.int32)
    rows_list = rows.tolist()
    return ([values[i] for i in rows_list], ordinal[at], rows_list)


_HASH_BASE = np.uint64(1099511628211)
_MAX_HASHED = 4096


def _text_hashes(arr: pa.Array) -> np.ndarray | None:
    """A 64-bit polynomial hash of each string of a large_string array, vectorised; None when
    it does not apply (nulls, empty or very long strings). Equal strings get equal hashes, so
    distinct hashes prove distinct strings. Where the C speedups are built, ``text_hashes``
    computes the same sums (in numpy, 4-5 % of a worker's time on high-cardinality mail)."""
    n = len(arr)
    if not n or arr.null_count:
        return None
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=n + 1, offset=arr.offset * 8)
    lengths = np.diff(offsets)
    if lengths.min() < 1 or lengths.max() > _MAX_HASHED:
        return None
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    starts = offsets[:-1] - offsets[0]
    if _native.SPEEDUPS is not None:  # the same sums in C, string by string
        return np.frombuffer(_native.SPEEDUPS.text_hashes(offsets - offsets[0], data), dtype=np.uint64)
    powers = np.full(int(lengths.max()), _HASH_BASE, dtype=np.uint64)
    powers[0] = 1
    with np.errstate(over="ignore"):
        powers = np.cumprod(powers, dtype=np.uint64)  # base ** position, mod 2 ** 64
    with np.errstate(over="ignore"):
        weighted = (data.astype(np.uint64) + np.uint64(1)) * powers[
            np.arange(len(data)) - np.repeat(starts, lengths)
        ]
        return np.add.reduceat(weighted, starts) ^ lengths.astype(np.uint64)


def id_hashes(parts: list[dict]) -> np.ndarray | None:
    """The message-id hashes of the rows of ``parts`` (:func:`_text_hashes`), or None when a
    part has none."""
    hashes = [p.get("id_hash") for p in parts]
    if any(h is None for h in hashes):
        return None
    return np.concatenate(hashes) if hashes else np.empty(0, dtype=np.uint64)


def ids_all_distinct(parts: list[dict]) -> bool:
    """True when the message ids of ``parts`` are certainly all distinct (by their hashes);
    False means "maybe not" (the caller checks exactly)."""
    joined = id_hashes(parts)
    return joined is not None and not pd.Series(joined).duplicated().any()


def _coded_chunk(chunk, table: list | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """A list column of a part (:class:`_Flat`, a :class:`FlatLists`, or prepared already) as
    (an object array of lists, int32 codes into it or None when the array holds one list per
    row). The codes of a :class:`_Flat` chunk index ``table``, the strings of the process that
    made it (see :func:`prepare_parts`); a :class:`FlatLists` brings its own."""
    if isinstance(chunk, _Flat):
        lists = _lists_from_flat(chunk, table)
        return np.fromiter(lists, dtype=object, count=len(lists)), chunk.codes
    if isinstance(chunk, FlatLists):
        lists = lists_from_codes(chunk.elements, chunk.codes, chunk.offsets)
        return np.fromiter(lists, dtype=object, count=len(lists)), chunk.rows
    if isinstance(chunk, tuple):  # prepared: (object array, codes)
        return chunk
    if isinstance(chunk, np.ndarray):
        return chunk, None
    return np.fromiter(chunk, dtype=object, count=len(chunk)), None


class _Flat(NamedTuple):
    """A list column as a worker sends it: list ``j``'s elements as int32 codes into its
    process's strings (:class:`FlatTable`), ``elements[offsets[j]:offsets[j + 1]]``; row ``i``
    holding list ``codes[i]`` (or list ``i`` when ``codes`` is None).

    Numpy arrays pickle and unpickle at memory speed. Per 100,000 high-cardinality messages
    (every To list distinct), the four recipient columns as lists took the workers 0.20 s to
    pickle, and the reading process 0.20 s to unpickle and 0.22-0.39 s to share string by
    string; flat, with a table of strings in each part, 0.06 s to flatten and 0.04 s to pickle,
    and 0.16-0.18 s to unpickle, share and rebuild (timed part by part)."""

    elements: np.ndarray
    offsets: np.ndarray
    codes: np.ndarray | None


class _Strings(NamedTuple):
    """What a part adds to the strings of the process that made it (its :class:`FlatTable`):
    ``strings`` get the codes from ``start`` on. ``start`` 0: the process's table started
    anew (a new process, or a table emptied). The reading process keeps each process's strings
    (:func:`prepare_parts`): a worker's parts come in the order it made them (a worker takes
    its tasks in task order, and results are read in task order)."""

    process: int
    start: int
    strings: list


# A process's FlatTable is emptied when it holds more strings than this (every part then
# resends the strings it uses): about 16 MB of strings held by a worker and by the reading process
_FLAT_LIMIT = 4 * _CACHE_LIMIT


class FlatTable:
    """The strings put in flat lists (:class:`_Flat`) so far, each with its code, its place in
    first-seen order: one table per reader worker, lasting from one task to the next (elsewhere,
    one per part). Strings are told apart by identity, not equality: a worker's
    equal strings are mostly one object already (``Batch._shared``), and the reading process
    merges the rest (:func:`prepare_parts`). A part sends only the strings new to the table
    (:class:`_Strings`): a worker's parts share most of its people, and sending its whole table
    with every part (about 40,000 strings per part of high-cardinality mail) cost 0.1 s of CPU
    per 50,000 messages, to pickle, unpickle and share again.

    Where the C speedups are built, ``_speedups.FlatTable`` does the same, finding each string
    by its address."""

    def __init__(self) -> None:
        self._codes: dict[int, int] = {}  # id(string) -> code
        self._strings: list = []  # in code order; keeps the strings alive, so their ids hold

    def flat(self, lists: list) -> tuple[np.ndarray, np.ndarray]:
        """(Each list's elements as int32 codes, one list after the other; the ``len(lists) +
        1`` int64 offsets of the lists in those codes), adding the strings not met before."""
        codes, strings = self._codes, self._strings
        for i, v in enumerate(lists):
            if not isinstance(v, list):
                raise TypeError(f"FlatTable.flat: value {i} is a {type(v).__name__}, not a list")
        out = []
        for v in lists:
            for x in v:
                c = codes.get(id(x))
                if c is None:
                    c = codes[id(x)] = len(strings)
                    strings.append(x)
                out.append(c)
        offsets = np.zeros(len(lists) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, lists), dtype=np.int64, count=len(lists)), out=offsets[1:])
        return np.array(out, dtype=np.int32), offsets

    def strings(self, start: int) -> list:
        """The strings from code ``start`` on."""
        if not 0 <= start <= len(self._strings):
            raise ValueError(f"FlatTable.strings: start {start} is outside the table of {len(self._strings)}")
        return self._strings[start:]

    def __len__(self) -> int:
        return len(self._strings)

    def clear(self) -> None:
        self._codes.clear()
        self._strings.clear()


def _new_flat_table():
    return FlatTable() if _native.SPEEDUPS is None else _native.SPEEDUPS.FlatTable()


def _forget_strings() -> None:
    _CACHES["flat"].clear()


_CACHES["flat"] = _new_flat_table()
# a process made by fork starts its own table: the reading process knows only what it was sent
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_strings)


def _flat(table, column: _Coded) -> _Flat:
    """A column of lists (its distinct lists and the rows' codes, None: one list per row) as a
    :class:`_Flat` with codes into ``table`` (a :class:`FlatTable`)."""
    elements, offsets = table.flat(column.values)
    return _Flat(
        np.frombuffer(elements, dtype=np.int32), np.frombuffer(offsets, dtype=np.int64), column.codes
    )


def _lists_from_flat(flat: _Flat, table: list) -> list[list]:
    """The distinct lists of a :class:`_Flat` column, as new Python lists of the strings of
    ``table`` (:func:`lists_from_codes`)."""
    return lists_from_codes(table, flat.elements, flat.offsets)


def _table_of(sent: _Strings, shared: dict | None, tables: dict) -> list:
    """The strings of the process that made a part, its new ones (``sent``) added, each made
    ``shared.setdefault(s, s)`` when ``shared`` is given; ``tables`` holds each process's strings
    from one part to the next."""
    if sent.start == 0:
        tables[sent.process] = []
    table = tables.get(sent.process)
    if table is None or len(table) != sent.start:
        known = "none" if table is None else len(table)
        raise RuntimeError(
            f"a part continues the strings of process {sent.process} from code {sent.start}, but "
            f"{known} of them are known: give prepare_parts one `tables` dict for all the parts of "
            "a read, each process's parts in the order it made them"
        )
    table += sent.strings if shared is None else map(shared.setdefault, sent.strings, sent.strings)
    return table


# list columns whose lists and strings recur from one worker's part to the next (a mailbox's
# recipients and labels); References rarely do
_RECURRING_LISTS = (S.TO, S.CC, S.TO_NAMES, S.CC_NAMES, S.BCC, S.LABELS)
# a part's lists of a column recur when it has at most this many distinct lists per row
_RECURRING_SHARE = 0.5


def _interned(values: np.ndarray, shared: dict) -> np.ndarray:
    """``values`` (an object array of a part's distinct lists) with each list equal to one seen
    before in ``shared`` (keyed by its tuple) that list's object; new lists are remembered."""
    if _native.SPEEDUPS is not None:  # the same loop in C
        lists = _native.SPEEDUPS.interned(values.tolist(), shared)
    else:
        lists = [shared.setdefault(tuple(v), v) for v in values.tolist()]
    return np.fromiter(lists, dtype=object, count=len(lists))


def prepare_parts(parts: dict, shared: dict | None = None, tables: dict | None = None) -> dict:
    """Turn the list columns of one :meth:`Batch.finish` result into object arrays (done as
    results arrive, while workers still run, so :func:`frame_from_parts` only gathers). Lists
    shared by many rows stay as (distinct lists, codes): one pointer per row is made once,
    for the whole frame.

    ``tables`` (one dict for all the parts of a read): the strings each process has sent so
    far (see :class:`FlatTable`); a part sends only the strings new to its process, so each
    process's parts must come in the order it made them. Without it, only parts that start
    their process's table (every part of a read made in the reading process) can be read.

    ``shared`` (one dict for all the parts of a frame): strings of different processes (and of
    one process, after its table was emptied) are different objects; with it, equal strings
    are one object (each string is looked up once, when it arrives), and so are equal lists
    that rows share, so that the frame's size does not grow with the number of parts.

    Notes
    -----
    Equal lists are looked for across parts only in a column whose lists recur within the part
    (:data:`_RECURRING_SHARE`): where nearly every row has a list of its own (a mailbox of many
    correspondents, each message to a different group), they would not recur across parts
    either, and keying ``shared`` by each list cost the reading process 0.2 s and 48 MB per
    100,000 messages for nothing (0.48 GB at 1M)."""
    if "strings" not in parts:  # prepared already
        return parts
    table = _table_of(parts.pop("strings"), shared, {} if tables is None else tables)
    for col in _LIST_COLUMNS:
        values, codes = _coded_chunk(parts[col], table)
        if shared is not None and col in _RECURRING_LISTS:
            if codes is not None and len(values) <= _RECURRING_SHARE * len(codes):
                values = _interned(values, shared)  # equal lists of the parts: one object
        parts[col] = (values, codes)
    return parts


def _object_column(chunks: list, keep: np.ndarray | None) -> pd.Series:
    """One object column of lists from the chunks of :func:`prepare_parts` (only the rows
    ``keep``): each chunk's rows gathered by its codes straight into their place in the column
    (one reference taken per row; joining the chunks' distinct lists first, then gathering, took
    each list twice and freed the joined array: 15 of the 18 ms that building the frame of
    100,000 high-cardinality messages took after the last worker was done)."""
    coded = [_coded_chunk(c) for c in chunks]
    sizes = [len(v) if c is None else len(c) for v, c in coded]
    out = np.empty(sum(sizes), dtype=object)
    at = 0
    for (values, codes), n in zip(coded, sizes, strict=True):
        if codes is None:
            out[at : at + n] = values
        else:  # (mode="clip": no buffered copy; the codes are in range)
            np.take(values, codes, out=out[at : at + n], mode="clip")
        at += n
    return pd.Series(out if keep is None else out[keep], dtype=object, copy=False)


# a part with more runs of kept rows than this is copied (filtered) instead of sliced
_MAX_SLICES = 16


def _kept_chunks(chunk: pa.Array, keep: np.ndarray) -> list[pa.Array]:
    """The rows ``keep`` (a mask) of one part's Arrow array: zero-copy slices around the few
    dropped rows (duplicates of messages already seen), a filtered copy when there are many."""
    if keep.all():
        return [chunk]
    edges = np.flatnonzero(np.diff(np.concatenate(([False], keep, [False])).view(np.int8)))
    if len(edges) > 2 * _MAX_SLICES:
        return [chunk.filter(pa.array(keep))]
    return [chunk.slice(a, b - a) for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True)]


def frame_from_parts(
    parts: list[dict], keep: np.ndarray | None = None, columns: list[str] | None = None
) -> pd.DataFrame:
    """The internal frame (canonical columns plus the private evidence columns) of the rows of
    several :meth:`Batch.finish` results, in order.

    ``keep`` (a boolean mask over all their rows) builds only those rows: the text of a part
    that loses a few rows is sliced, not copied. ``columns`` builds only those columns."""
    sizes = [p["n"] for p in parts]
    bounds = np.cumsum([0, *sizes]).tolist()
    kept = sizes if keep is None else [int(keep[a:b].sum()) for a, b in itertools.pairwise(bounds)]
    n = sum(kept)

    def text(col: str):
        chunks = [p[col] for p in parts]
        if keep is not None:
            chunks = [
                piece
                for c, (a, b) in zip(chunks, itertools.pairwise(bounds), strict=True)
                for piece in _kept_chunks(c, keep[a:b])
            ]
        return pd.array(pa.chunked_array(chunks, type=pa.large_string()), dtype=STR_DTYPE)

    def constant(values: list[str]):
        # one repeat per run of parts holding the same value (usually one for all)
        chunks = [
            pa.repeat(pa.scalar(v, pa.large_string()), sum(k for _, k in run))
            for v, run in itertools.groupby(zip(values, kept), key=itemgetter(0))
        ]
        return pd.array(pa.chunked_array(chunks, type=pa.large_string()), dtype=STR_DTYPE)

    def numbers(col: str, dtype) -> np.ndarray:
        out = np.concatenate([p[col] for p in parts]) if parts else np.array([], dtype=dtype)
        return out if keep is None else out[keep]

    def lists(col: str) -> pd.Series:
        return _object_column([p[col] for p in parts], keep)

    def timestamps() -> pd.DatetimeIndex:
        ts = numbers(S.TIMESTAMP, "datetime64[ns]").astype("datetime64[ns]", copy=False)
        return pd.DatetimeIndex(ts).tz_localize("UTC")

    build = {
        S.MESSAGE_ID: lambda: text(S.MESSAGE_ID),
        S.SOURCE: lambda: text(S.SOURCE),
        S.SOURCE_FILE: lambda: constant([p["source_file"] for p in parts]),
        S.CHANNEL: lambda: constant([CHANNEL_EMAIL] * len(parts)),
        S.TIMESTAMP: timestamps,
        S.SENDER: lambda: text(S.SENDER),
        S.SENDER_NAME: lambda: text(S.SENDER_NAME),
        S.TO: lambda: lists(S.TO),
        S.CC: lambda: lists(S.CC),
        S.TO_NAMES: lambda: lists(S.TO_NAMES),
        S.CC_NAMES: lambda: lists(S.CC_NAMES),
        S.BCC: lambda: lists(S.BCC),
        S.THREAD_ID: lambda: text(S.THREAD_ID),
        S.IN_REPLY_TO: lambda: text(S.IN_REPLY_TO),
        S.REFERENCES: lambda: lists(S.REFERENCES),
        S.SUBJECT: lambda: text(S.SUBJECT),
        S.N_RECIPIENTS: lambda: numbers(S.N_RECIPIENTS, np.int64),
        S.IS_FROM_ME: lambda: np.zeros(n, dtype=bool),
        S.IS_AUTOMATED: lambda: numbers(S.IS_AUTOMATED, bool),
        S.MAILING_LIST: lambda: text(S.MAILING_LIST),
        S.FOLDER: lambda: text(S.FOLDER),
        S.LABELS: lambda: lists(S.LABELS),
        SENT_LABEL: lambda: numbers(SENT_LABEL, bool),
        DELIVERED_TO: lambda: text(DELIVERED_TO),
    }
    return pd.DataFrame(
        {col: build[col]() for col in (build if columns is None else columns)},
        # the arrays are new and the frame's alone: no copy, and no consolidation of the
        # list columns into one 2-D block (a copy of every list column, ~50 MB at 1M rows)
        copy=False,
    )


# text columns holding a few distinct values: built from the distinct values and indices
_REPEATED_TEXT = frozenset({S.SOURCE, S.FOLDER, S.SENDER, S.SENDER_NAME, S.MAILING_LIST, DELIVERED_TO})


def _repeated_text(values: list) -> pa.Array:
    """``pa.array(values, type=pa.large_string())`` for values that repeat: each distinct value
    is converted once and gathered by index."""
    distinct = {v: i for i, v in enumerate(dict.fromkeys(values))}
    if len(distinct) * 4 > len(values):
        return pa.array(values, type=pa.large_string())
    get = distinct.__getitem__
    indices = np.fromiter(map(get, values), dtype=np.int32, count=len(values))
    table = pa.array(list(distinct), type=pa.large_string())  # None becomes null
    return table.take(pa.array(indices))


def empty_frame() -> pd.DataFrame:
    """An empty internal frame (canonical columns plus the private evidence columns)."""
    # (made in the reading process: its part has a table of strings of its own, see Batch._frame)
    return frame_from_parts(
        [prepare_parts(Batch("mbox", None, "")._frame(np.array([], dtype="datetime64[ns]")))]
    )


_FAST_DATE = (
    r"^\s*(?:[A-Za-z]{3},?\s+)?(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]{3})\s+(?P<y>\d{4})\s+(?P<h>\d{1,2}):"
    r"(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s+(?P<z>[+-]\d{4}|GMT|UTC?|Z)(?:\s|$)"
)
_MONTHS = pa.array(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])


def _fast_dates(texts: list[str | None] | pa.Array) -> np.ndarray:
    """Vectorised parse of well-formed RFC 5322 dates (Arrow regex, numpy date arithmetic).

    NaT where the text needs the tolerant per-message route (zone names, localized
    names, broken times, impossible days, years outside 1970–2100). The texts in the common
    layout (:data:`_LAYOUT`) have their digits read in place; the others take the regex.
    """
    out = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[ns]")
    if not len(texts):
        return out
    arr = (
        texts.cast(pa.large_string())
        if isinstance(texts, pa.Array)
        else pa.array(texts, type=pa.large_string())
    )
    common, stamps = _layout_stamps(arr)
    if common.all():
        return stamps
    if common.any():
        out[common] = stamps
        rows = np.flatnonzero(~common)
        arr = arr.filter(pa.array(~common))
    else:
        rows = np.arange(len(arr))
    parts = pc.extract_regex(arr, _FAST_DATE)
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
    out[rows[ok]] = _stamps(day, month, year, hour, minute, second, zone_s)
    return out


def _layout_stamps(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Which texts of a large_string array have the common layout (:data:`_LAYOUT`), and the
    UTC datetime64[ns] of those (:func:`_stamps` of :func:`_layout_fields`; NaT where a field is
    out of range). Where the C speedups are built, ``layout_dates`` reads each text once, by the
    same rules (a test compares the two): it gives a stamp for every row, NaT where the layout
    is not met, and those of the common rows are kept."""
    if _native.SPEEDUPS is not None:
        offsets, data, _ = _binary_buffers(arr)  # (a null reads as an empty text: not the layout)
        stamps, common = _native.SPEEDUPS.layout_dates(offsets, data)
        common = np.frombuffer(common, dtype=bool)
        return common, np.frombuffer(stamps, dtype="datetime64[ns]")[common]
    common = pc.fill_null(pc.match_substring_regex(arr, _LAYOUT), False).to_numpy(zero_copy_only=False)
    if not common.any():
        return common, np.empty(0, dtype="datetime64[ns]")
    return common, _stamps(*_layout_fields(arr if common.all() else arr.filter(pa.array(common))))


# The layout nearly every mailer writes ("Mon, 31 Oct 2022 20:19:23 -0400", day of one or two
# digits, or a blank and one digit as git send-email writes it: "Mon,  7 Dec ..."): a subset of
# _FAST_DATE whose fields sit at fixed places from the right.
_LAYOUT = r"^[A-Za-z]{3}, (?: \d|\d{1,2}) [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$"
_MONTH_KEYS = np.array(
    [(ord(m[0]) << 16) | (ord(m[1]) << 8) | ord(m[2]) for m in _MONTHS.to_pylist()], dtype=np.int64
)
_MONTH_ORDER = np.argsort(_MONTH_KEYS)


def _layout_fields(arr: pa.Array) -> tuple:
    """(day, month, year, hour, minute, second, zone seconds) as numpy arrays of texts that all
    have the common layout (:data:`_LAYOUT`), their digits read in place."""
    n = len(arr)
    padded = pc.utf8_lpad(arr, 31, "0")  # a one-digit day gets a leading character
    wide = pa.types.is_large_string(padded.type)
    offsets = np.frombuffer(padded.buffers()[1], dtype=np.int64 if wide else np.int32, count=n + 1)
    m = np.frombuffer(padded.buffers()[2], dtype=np.uint8, count=31 * n, offset=int(offsets[0])).reshape(
        n, 31
    )
    d = m.astype(np.int64) - 48
    day = np.where(m[:, 5] == 32, 0, d[:, 5]) * 10 + d[:, 6]
    year = d[:, 12] * 1000 + d[:, 13] * 100 + d[:, 14] * 10 + d[:, 15]
    hour = d[:, 17] * 10 + d[:, 18]
    minute = d[:, 20] * 10 + d[:, 21]
    second = d[:, 23] * 10 + d[:, 24]
    zone_s = ((d[:, 27] * 10 + d[:, 28]) * 3600 + (d[:, 29] * 10 + d[:, 30]) * 60) * np.where(
        m[:, 26] == 45, -1, 1
    )
    low = m[:, 8:11].astype(np.int64) | 0x20
    key = (low[:, 0] << 16) | (low[:, 1] << 8) | low[:, 2]
    pos = np.searchsorted(_MONTH_KEYS, key, sorter=_MONTH_ORDER).clip(0, 11)
    month = np.where(_MONTH_KEYS[_MONTH_ORDER[pos]] == key, _MONTH_ORDER[pos], -1)
    return day, month, year, hour, minute, second, zone_s


def _stamps(day, month, year, hour, minute, second, zone_s) -> np.ndarray:
    """UTC datetime64[ns] of date fields; NaT where a field is out of range."""
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
    return stamp


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


# True in the reader's own worker processes (see reader_worker_started)
_IN_READER_WORKER = False


def reader_worker_started() -> None:
    """Mark this process as one of the reader's workers (``email._worker_started``, the pool's
    initializer): it keeps the caches and its table of strings from one task to the next."""
    global _IN_READER_WORKER
    _IN_READER_WORKER = True


@contextlib.contextmanager
def _one_task():
    """Run one reader task: the cyclic GC paused; outside the reader's own worker processes,
    the caches emptied before and after. A reader worker keeps them from one task to the next,
    and its table of strings goes on from one part to the next (see :class:`FlatTable`). Any
    other process starts afresh: the reading process, and a process of the caller's own pool
    (whose reads each start a new table, which a table kept from its last read would break)."""
    in_worker = _IN_READER_WORKER
    with gc_paused():
        if not in_worker:
            clear_caches()
        try:
            yield
        finally:
            if not in_worker:
                clear_caches()


def parse_mbox_range(path: str, start: int, end: int, folder: str | None, source: str, label: str) -> dict:
    """Parse the messages whose separators lie in ``[start, end)`` of an mbox file."""
    with _one_task():
        return _parse_mbox_range(path, start, end, folder, source, label)


# The scan finds each message's start, From_ line and header block by C-level searches, never
# walking the header lines in Python's ``re``: the next ``"\nFrom "`` (sre's literal search,
# faster than ``bytes.find`` for this needle), a check that it is a separator (a blank line
# before it, a dated From_ line: :data:`FROM_LINE`), then the header's end, the first blank
# line (:func:`_header_end`). Bodies are skipped by the literal search.
_FROM_CANDIDATE = re.compile(rb"\nFrom ")
_EMPTY_LINE = re.compile(rb"\n\n")  # sre's two-byte literal search: about twice bytes.find's speed
_LINE_STARTING_CR_OR_EMPTY = re.compile(rb"\n[\r\n]")
# a header longer than this is left to the line-by-line rule of _header_end
_FAST_HEADER = 1 << 20


def _header_end(mm, nl: int, end: int) -> tuple[int, bool]:
    """Where the header lines after the From_ line's newline ``nl`` stop, and whether they stop
    at an odd place (left to :func:`_header_block`).

    Notes
    -----
    A header line is a complete line (ending in ``"\n"`` before ``end``) that does not start
    with ``"\n"`` or ``"\r\n"``. The header stops at the first line start after ``nl`` that
    is no header line; that stop is regular at an empty line, a ``"\r\n"`` line or at ``end``,
    and odd at a partial last line (no newline before ``end``). A line starting with ``"\r"``
    but not ``"\r\n"`` is a header line, as in an LF file. The common case, an LF header
    without a carriage return, is one search for ``"\n\n"`` and one ``memchr`` for ``"\r"``;
    after a CRLF From_ line that search is skipped (it would run :data:`_FAST_HEADER` bytes
    ahead for nothing: 450 us per message of CRLF mail).
    """
    if mm[nl - 1] != 13:  # after a CRLF From_ line (a CRLF header) no "\n\n" is to be found
        he = _EMPTY_LINE.search(mm, nl, min(end, nl + _FAST_HEADER))
        if he is not None and mm.find(b"\r", nl, he.start()) < 0:
            return he.start() + 1, False
    search = _LINE_STARTING_CR_OR_EMPTY.search
    q = nl
    while (m := search(mm, q, end)) is not None:
        q = m.start()  # "\n\n" or "\n\r"
        if mm[q + 1] == 10 or (q + 2 < end and mm[q + 2] == 10):
            return q + 1, False
        q += 1  # a line starting with "\r": a header line, or a partial last line (below)
    if mm[end - 1] == 10:
        return end, False
    return mm.rfind(b"\n", nl, end) + 1, True


def _header_block(mm, s: int, e: int) -> tuple[bytes, bytes | None]:
    """(newline + header block, From_ line) of the message at ``s`` ending by ``e``, the slow way."""
    find = mm.find
    nl = find(b"\n", s, e)
    if nl < 0:
        return b"", None
    from_line = mm[s:nl]
    first, second = (b"\n\r\n", b"\n\n") if mm[nl - 1] == 13 else (b"\n\n", b"\n\r\n")
    he = find(first, nl, e)
    # the other empty line, if it starts before: its match may end after he ("\n\r\n" at nl
    # when "\n\n" is at nl + 2), so the search runs to he + 2
    he2 = find(second, nl, he + 2 if he >= 0 else e)
    if he2 >= 0:
        he = he2
    return (mm[nl : he + 1] if he >= 0 else mm[nl:e]), from_line


_SCAN_STEP = 16 << 20
# Windows of the mapping holding no line that starts with "From " are never shown to sre:
# RE2 (through Arrow) tells which windows hold one at several GB/s (it finds the literal with
# memchr), where sre's literal search runs at about 3 GB/s. The bodies of large attachments,
# most of an archive's bytes, then cost one RE2 pass.
_WINDOW = 16 << 10
_RE2_FROM_LINE = "\nFrom "


def _busy_windows(mm, data: pa.Buffer, offsets: np.ndarray) -> tuple[np.ndarray, bool]:
    """Flags of the windows ``[offsets[k], offsets[k + 1])`` of ``data`` (the mapping) that hold
    a ``"\nFrom "``; a window holding the start of one that runs into the next flags both. Also
    whether one runs across the last offset into what follows (its window is flagged)."""
    n = len(offsets) - 1
    windows = pa.LargeBinaryArray.from_buffers(pa.large_binary(), n, [None, pa.py_buffer(offsets), data])
    busy = pc.match_substring_regex(windows, _RE2_FROM_LINE).to_numpy(zero_copy_only=False)
    del windows
    # "\nFrom " across the boundary at offsets[k] starts in its 5 bytes before: look at the
    # 10 bytes around each boundary after a window
    around = np.clip(offsets[1:, None] + np.arange(-5, 5), 0, len(mm) - 1).ravel()
    edges = np.frombuffer(data, dtype=np.uint8)[around]
    seams = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(),
        n,
        [None, pa.py_buffer(np.arange(0, len(edges) + 1, 10, dtype=np.int64)), pa.py_buffer(edges)],
    )
    across = np.flatnonzero(pc.match_substring_regex(seams, _RE2_FROM_LINE).to_numpy(zero_copy_only=False))
    busy[across] = True
    busy[across[across < n - 1] + 1] = True
    return busy, bool(len(across)) and across[-1] == n - 1


def _drop_pages(mm, dropped: int, upto: int) -> int:
    """Drop the pages of the mapping in ``[dropped, upto)`` from the process's resident memory
    (the file stays cached by the kernel); returns the new low mark."""
    dropped = dropped // mmap.PAGESIZE * mmap.PAGESIZE
    upto = upto // mmap.PAGESIZE * mmap.PAGESIZE
    if upto > dropped and hasattr(mm, "madvise"):
        with contextlib.suppress(OSError, ValueError):
            mm.madvise(mmap.MADV_DONTNEED, dropped, upto - dropped)
        return upto
    return dropped


# The most the kernel may map around one page looked at: the page cache keeps a file in folios
# of up to 2 MB (Linux 6.x), and a fault maps the whole folio (each align() of a 12 GB file's
# 736 task boundaries added 2 MB to the resident set: 1.5 GB at its peak).
_MAPPED_AT_ONCE = 2 << 20


def forget_pages(mm, lo: int, hi: int) -> None:
    """Drop the mapping's pages around ``[lo, hi)`` (widened to :data:`_MAPPED_AT_ONCE`
    boundaries) from the process's resident memory; the file stays cached by the kernel."""
    step = _MAPPED_AT_ONCE
    _drop_pages(mm, max(lo, 0) // step * step, min(-(-hi // step) * step, len(mm)))


def _runs(busy: np.ndarray, offsets: np.ndarray) -> list[tuple[int, int]]:
    """``[a, b)`` byte ranges of the runs of consecutive busy windows."""
    edges = np.diff(np.concatenate(([0], busy.view(np.int8), [0])))
    starts, stops = offsets[np.flatnonzero(edges == 1)], offsets[np.flatnonzero(edges == -1)]
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


# After a step whose windows are nearly all busy (list mail, short messages: most steps), the
# pre-scan would save little on the next steps, and costs more than sre's search of the few
# idle windows: those are searched whole.
_BUSY_STEP = 0.75
_WHOLE_STEPS = 3
# The steps left to search whole, carried from one call of _busy_runs to the next in a process:
# the pieces of a range, and a worker's ranges, follow one another through the same kind of mail
# (real list mail in 16 MB ranges pre-scanned every one of them: 3.4 ms per range, 2.5 us per
# message). Either way the same messages are found; only the cost differs.
_whole_left = 0


def _busy_runs(mm, start: int, end: int):
    """Yield, in order, merged ``[a, b)`` runs of busy windows (:func:`_busy_windows`) of
    ``[start, end)``: no ``"\nFrom "`` lies outside them. Read 16 MB at a time, one step ahead
    of the caller, who drops the pages it has passed (steps without a run are dropped here).
    The :data:`_WHOLE_STEPS` steps after a step more than :data:`_BUSY_STEP` busy are one run
    each, not pre-scanned, in this call or the next ones (:data:`_whole_left`)."""
    global _whole_left
    data = pa.py_buffer(mm)
    try:
        held = None  # a run reaching the end of the step: it may go on in the next one
        carry = False  # a "\nFrom " runs across the seam: the next step's first window is busy
        for lo in range(start, end, _SCAN_STEP):
            hi = min(lo + _SCAN_STEP, end)
            if _whole_left:
                _whole_left -= 1
                offsets = np.array([lo, hi], dtype=np.int64)
                busy, into_next = np.ones(1, dtype=bool), True
            else:
                offsets = np.append(np.arange(lo, hi, _WINDOW, dtype=np.int64), hi)
                busy, into_next = _busy_windows(mm, data, offsets)
                if busy.mean() > _BUSY_STEP:
                    _whole_left = _WHOLE_STEPS
            busy[0] |= carry
            carry = into_next and hi < end
            runs = _runs(busy, offsets)
            if held is not None:
                if runs and runs[0][0] == lo:
                    runs[0] = (held[0], runs[0][1])
                else:
                    yield held
                held = None
            if runs and runs[-1][1] == hi and hi < end:
                held = runs.pop()
            if not runs and held is None:
                _drop_pages(mm, lo, hi)
            yield from runs
        if held is not None:
            yield held
    finally:
        del data


def _scan(mm, start: int, end: int) -> tuple[list, list, list, list]:
    """(header blocks, From_ lines, offsets of the newline before each From_ line, odd flags)
    of the messages after the first one in ``[start, end)``.

    Notes
    -----
    A message starts at a ``"\nFrom "`` that follows an empty line (``"\n"`` or ``"\r\n"``)
    and starts a dated From_ line (:data:`FROM_LINE`, within ``end``). Its From_ line runs to
    the next newline (or ``end``: then its header block is ``None``); its header block runs
    from that newline to where :func:`_header_end` stops, and the search for the next message
    goes on from there, so no ``"\nFrom "`` inside a header block starts a message. An odd
    flag is ``b""`` where the header stops at an odd place, else ``None``.

    Where the C speedups are built (:mod:`netanalytics.io._native`), ``_speedups.scan`` does
    all of this (it applies :data:`FROM_LINE`'s rule, written out in C, to each candidate, and
    the exact rule of :func:`_header_end` to LF and CRLF headers alike). It searches every
    byte, at memory speed (SSE2, 16 byte pairs at a time: 18 GB/s against 2.4 GB/s for sre), so
    it needs no pre-scan, and it leaves the mapping's pages to its caller
    (:func:`mbox_block_groups` drops each 16 MB piece's).

    Otherwise only the runs of windows that hold a ``"\nFrom "`` are searched
    (:func:`_busy_runs`); a From_ line or header block may run past the end of its run. Pages
    already passed are dropped from the process's resident memory as the scan goes, so that a
    worker holds a few MB of the mapping, not its whole range.
    """
    if _native.SPEEDUPS is not None:  # the same, searched in C at memory speed (no pre-scan)
        return _native.SPEEDUPS.scan(mm, start, end)
    blocks: list = []
    from_lines: list = []
    starts: list = []
    odd: list = []
    search, dated, find = _FROM_CANDIDATE.search, FROM_LINE.match, mm.find
    last_end = start
    dropped = start
    for rs, run_end in _busy_runs(mm, start, end):
        cur = max(rs, last_end)
        while cur < run_end and (m := search(mm, cur, run_end)) is not None:
            i = m.start()
            cur = i + 1
            prev = mm[i - 1]
            if (prev != 10 and not (prev == 13 and i >= 2 and mm[i - 2] == 10)) or dated(
                mm, i + 1, end
            ) is None:
                continue
            starts.append(i)
            nl = find(b"\n", i + 1, end)
            if nl < 0:  # the From_ line runs to the end
                from_lines.append(mm[i + 1 : end])
                blocks.append(None)
                odd.append(None)
                last_end = end
                break
            from_lines.append(mm[i + 1 : nl])
            cur, stop_is_odd = _header_end(mm, nl, end)
            blocks.append(mm[nl:cur])
            odd.append(b"" if stop_is_odd else None)
            last_end = cur
            if cur - dropped > _SCAN_STEP:
                dropped = _drop_pages(mm, dropped, cur)
        if last_end - dropped > _SCAN_STEP:
            dropped = _drop_pages(mm, dropped, last_end)
    return blocks, from_lines, starts, odd


def mbox_blocks(mm, start: int, end: int) -> tuple[list[bytes], list, list[int]]:
    """(header blocks, From_ lines, start offsets) of the messages starting in ``[start, end)``
    of a mapped mbox; ``start`` begins a message whatever its From_ line looks like."""
    found, found_lines, starts, odd = _scan(mm, start, end)
    block, from_line = _header_block(mm, start, starts[0] + 1 if starts else end)
    blocks = [block, *found]
    from_lines = [from_line, *found_lines]
    del found, found_lines
    positions = [start, *(np.array(starts, dtype=np.int64) + 1).tolist()]
    if odd.count(None) != len(odd):
        for k, flag in enumerate(odd):
            if flag is not None:  # the exact slow rule
                nxt = starts[k + 1] + 1 if k + 1 < len(starts) else end
                blocks[k + 1], from_lines[k + 1] = _header_block(mm, positions[k + 1], nxt)
    if None in blocks:  # no newline after the From_ line: the file ends there
        k = blocks.index(None)
        blocks[k], from_lines[k] = b"", None
    return blocks, from_lines, positions


# A worker's range is scanned in pieces of _PIECE_BYTES, cut at separators; the header blocks of
# consecutive pieces are parsed together (one add_mbox_blocks call) until they reach
# _GROUP_HEADER_BYTES or _GROUP_MESSAGES. A worker holds one group's header blocks and their parse
# at once, about 1.8 bytes per header byte plus 3.7 KB per message: on real list mail (7 KB
# headers, 12 KB messages) a group is one piece, 7 MB of headers and 1,450 messages; on
# Gmail-style mail (0.3 KB headers, 10 KB messages) a whole 64 MB range, about 6,400 messages;
# on the high-cardinality archive (0.7 KB headers) six pieces, about 9,000. A group has a cost of
# its own (some 40 calls into Arrow and numpy, the columns of its parse joined at the end of a
# range): at 3,000 messages the high-cardinality archive read in 0.53-0.60 s (median 0.56 s,
# 1.04 s CPU), at 12,000 in 0.52-0.59 s (0.53 s, 0.98 s CPU), Gmail-style mail in 0.78-0.81 s
# against 0.72-0.80 s, workers' peaks the same (alternated, 8 and 4 reads each).
_PIECE_BYTES = 16 << 20
_GROUP_HEADER_BYTES = 6 << 20
_GROUP_MESSAGES = 12000


def mbox_block_groups(mm, start: int, end: int):
    """Yield (header blocks, From_ lines, start offsets) of the messages starting in
    ``[start, end)`` of a mapped mbox, in order, in groups (:data:`_GROUP_HEADER_BYTES`).

    Notes
    -----
    The range is cut into pieces of about :data:`_PIECE_BYTES` at separators (:func:`align`;
    the last piece up to twice that), each scanned by :func:`mbox_blocks` exactly as if it were
    a range of its own. Pieces are added to a group until its header blocks hold
    :data:`_GROUP_HEADER_BYTES` or more, or it holds :data:`_GROUP_MESSAGES` messages; a group is
    one or more whole pieces. The generator drops a group when it resumes, so the caller holds
    the only reference to it.
    """
    blocks: list = []
    from_lines: list = []
    positions: list = []
    held = 0
    a = start
    while a < end:
        # a short rest joins the piece before it: every piece, and so every parse, costs a little
        b = align(mm, a + _PIECE_BYTES, end) if end - a >= 2 * _PIECE_BYTES else end
        more, more_lines, more_positions = mbox_blocks(mm, a, b)
        _drop_pages(mm, a, b)
        held += sum(map(len, more))
        blocks += more
        from_lines += more_lines
        positions += more_positions
        del more, more_lines, more_positions
        a = b
        if held >= _GROUP_HEADER_BYTES or len(blocks) >= _GROUP_MESSAGES or a >= end:
            yield blocks, from_lines, positions
            blocks, from_lines, positions, held = [], [], [], 0


def _parse_mbox_range(path: str, start: int, end: int, folder: str | None, source: str, label: str) -> dict:
    batch = Batch(source, folder, label)
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        for blocks, from_lines, positions in mbox_block_groups(mm, start, end):
            batch.add_mbox_group(blocks, from_lines, positions)
            del blocks, from_lines, positions  # before the next group is scanned
    return batch.finish()


# --- message files (Maildir, eml, Enron trees) ------------------------------------------

_CHUNK = 65536


def read_header_block(path: str) -> tuple[bytes, bytes | None]:
    """The header block of a message file (and its From_ line if it starts with one)."""
    with open(path, "rb") as fh:
        data = fh.read(_CHUNK)
        while True:
            he = data.find(b"\n\n")
            he2 = data.find(b"\n\r\n", 0, he + 2 if he >= 0 else len(data))
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
    with _one_task():
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
