"""Shared by the header-split tests: hypothesis strategies for awkward header blocks, and the
header blocks of the real corpora."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import strategies as st

from netanalytics.io import _headers as H
from netanalytics.io import _mbox as M

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"


def corpus_blocks(name: str) -> list[bytes]:
    """The header block of each message of a real corpus (``../shared/corpora``), in file name
    order; the test is skipped without the corpora, and fails when CI says they must be there."""
    cur = CORPORA / name / "cur"
    if not cur.is_dir():
        if os.environ.get("NETANALYTICS_REQUIRE_CORPORA"):
            raise RuntimeError(f"the real corpora are missing: expected {cur}")
        # deliberate: a checkout without ../shared/corpora (a user's) skips; CI requires them above
        pytest.skip(f"real corpora not found at {cur}")
    # as the mbox scan hands a block over: from the newline before its first line
    return [b"\n" + M.read_header_block(str(f))[0] for f in sorted(cur.iterdir())]


NAMES = [
    *sorted(H.WANTED),
    b"Received",
    b"X-Mailer",
    b"X-Original-Sender",  # 17 bytes, starting with a wanted name's first letters
    b"List-Archive",
    b"To-Foo",
    b"Reply",
    b"DKIM-Signature",
    b"Authentication-Results",
    b"Content-Type",
    b"List-Unsubscribe-Post",
    b"List\rId",  # a CR where a "-" would make a wanted name
    b"\rTo",
    b"To\r",
    b"Re",
    b"T",
]
VALUES = [
    b"a@x.org",
    b" <m1@x> ",
    b"Ann <a@x>,\n\tBob <b@x>",
    b"Ann <a@x>,\r\n Bob <b@x>\r",  # folded, CRLF
    b"a\n \n\tb",  # two continuation lines, one of blanks only
    b"",
    b"v\t",
    b"\xc3\xa9t\xc3\xa9",
    b"x\r",
    b"a:b",
]
# blanks between the name and its colon: none, a few, up to and past the 24 bytes the numpy
# route looks at first (a 16-byte name and 7 or 8 blanks, a 2-byte name and 21 or 22)
GAPS = [b"", b" ", b"\t ", b" " * 7, b"\t" * 8, b" " * 21, b"\t" * 22, b" " * 25]


@st.composite
def header_line(draw) -> bytes:
    """A header line with the newline before it (LF, or CRLF: the line before ends with a CR)."""
    name = draw(st.sampled_from(NAMES))
    name = bytes(c ^ 32 if 97 <= (c | 32) <= 122 and draw(st.booleans()) else c for c in name)
    gap = draw(st.sampled_from(GAPS))
    newline = draw(st.sampled_from([b"\n", b"\n", b"\r\n"]))
    after = draw(st.sampled_from([b" ", b"", b"  ", b"\t"]))
    return newline + name + gap + b":" + after + draw(st.sampled_from(VALUES))


def header_block() -> st.SearchStrategy[bytes]:
    """A header block as the mbox scan hands it over (starting with the newline before its
    first line), or without that newline, or starting with a blank; ending with a newline,
    none, or a line of blanks; empty."""
    return st.tuples(
        st.lists(header_line(), max_size=12).map(b"".join),
        st.sampled_from([b"\n", b"", b"\n\t", b"\r\n"]),  # the block's end
        st.sampled_from([b"", b"\n", b"\t"]),  # its start: none, the newline before it, a blank
    ).map(lambda t: t[2] + (t[0] + t[1])[1:])


# pieces of header text mixed at random: what no well-formed block holds
TOKENS = [
    b"\n", b"\r\n", b"\n\t", b"\n ", b" ", b"\t", b":", b"\r", b"\x00", b"-", b"a", b"\xff",
    b"to", b"TO", b"Cc", b"from", b"List", b"-Id", b"list-unsubscribe", b"X-GM-THRID", b"Message-ID",
]  # fmt: skip
token_soup = st.lists(st.sampled_from(TOKENS), max_size=30).map(b"".join)

# awkward values of an address header (To, Cc): every route of the address parse must agree
ADDRESS_VALUES = [
    b"a@x.org",
    b"Ann Lee <Ann@X.org>, bob@y.org",
    b'"Lee, Ann" <ann@x.org>, bob@y.org',  # a quoted comma
    b"team: ann@x.org, bob@y.org;",  # a group
    b"undisclosed recipients: ;",
    b"team: ann@x.org, bob@y.org",  # a group without its closing ";"
    b"mailto:ann@x.org",
    b"=?UTF-8?B?SW5lcyBNw7xsbGVy?= <ines@x.org>, =?utf-8?q?Zo=C3=AB?= <zoe@x.org>",  # encoded words
    b"ann@x.org (Ann Lee), bob@y.org",  # a comment
    b",, ann@x.org ,",  # empty elements
    b"Zo\xc3\xab <zoe@x.org>",  # UTF-8
    b"Zo\xeb <zoe@x.org>",  # not UTF-8 (cp1252)
    b"not an address, <>, a@b",
    b"a@x.org\x00b@x.org",  # a NUL inside a value
    b"Ann <ann@x.org>, Ann <ann@x.org>",  # the same person twice
    b"",
]
