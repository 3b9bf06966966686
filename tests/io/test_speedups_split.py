"""The C header split (``_speedups.wanted_lines``) gives exactly the arrays of the numpy route
(``_headers._wanted_lines_numpy``): on generated awkward blocks, on exact examples, and on every
header block of the real corpora in ``../shared/corpora``."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from header_blocks import header_block, joined, token_soup  # tests/io is on sys.path when its tests run
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalytics.io import _headers as H
from netanalytics.io import _mbox as M
from netanalytics.io import _native

if _native.SPEEDUPS is None:
    pytest.skip(
        "netanalytics.io._speedups is not built (no C compiler, or NETANALYTICS_PURE_PYTHON=1); "
        "build it with `python setup.py build_ext --inplace`",
        allow_module_level=True,
    )

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"


def c_route(text: bytes, ends: np.ndarray, names=H._BULK_NAMES) -> tuple[np.ndarray, ...]:
    return tuple(np.frombuffer(a, dtype=np.int64) for a in _native.SPEEDUPS.wanted_lines(text, ends, names))


def assert_same(text: bytes, ends: np.ndarray) -> tuple[np.ndarray, ...]:
    """The C arrays equal the numpy arrays (values and dtype); returns them."""
    c, py = c_route(text, ends), H._wanted_lines_numpy(text, ends)
    for what, a, b in zip(("block", "name", "value", "value end"), c, py, strict=True):
        assert b.dtype == np.int64, what
        assert a.tolist() == b.tolist(), what
    return c


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(header_block(), token_soup), min_size=1, max_size=8))
def test_c_equals_numpy_on_awkward_blocks(blocks):
    assert_same(*joined(blocks))


def found(text: bytes, arrays) -> list[tuple[int, bytes, bytes]]:
    """(block, name, value) of each line found, in the order found."""
    block, name, value, value_end = (a.tolist() for a in arrays)
    return [
        (b, H._BULK_NAMES[k], text[v:e]) for b, k, v, e in zip(block, name, value, value_end, strict=True)
    ]


def test_lines_found_in_each_block_sorted_by_name():
    blocks = [
        # a name in upper case with blanks before its colon and a folded value; a From repeated
        b"\nFrom: a\nTO  :  b\n\tc\nX: y\nfrom: z\n",
        b"",  # empty
        b"To: no\nCc: c",  # no newline before the first line (not a header line), none after the last
        b"\nList\rId: x\nlist-id:\t<y>\n",  # a CR where the "-" should be
        b"\tnot a continuation\nLIST-UNSUBSCRIBE" + b"\t" * 40 + b": <u>\n",  # a colon far after its name
        b"\nX-Original-Sender: s\nList-Unsubscribe-Post: p\nTo-Foo: f\nSubject:   \n \n\tfolded only\n",
    ]
    text, ends = joined(blocks)
    assert found(text, assert_same(text, ends)) == [
        (2, b"cc", b"c"),
        (0, b"from", b"a"),
        (3, b"list-id", b"<y>"),
        (4, b"list-unsubscribe", b"<u>"),
        (5, b"subject", b"\n \n\tfolded only"),  # unfolded and stripped later, per column
        (0, b"to", b"b\n\tc"),
    ]


def test_a_value_ends_with_its_block():
    # the newline joining two blocks ends a value even when the next block starts with a blank
    text, ends = joined([b"\nTo: a\n continued", b"\tb: no\nCc:c", b" "])
    assert found(text, assert_same(text, ends)) == [(1, b"cc", b"c"), (0, b"to", b"a\n continued")]


def test_block_ends_followed_by_blanks_anywhere_in_the_text():
    # the C walk takes 64 bytes at a time, passing over newlines followed by a blank, but never
    # over a block's end: put the ends at every place of such a stretch
    for shift in range(130):
        blocks = [b"\nX: " + b"y" * shift + b"\nTo: a", b"\tb\nCc: c\n continued", b"", b" ", b"\nFrom: f"]
        text, ends = joined(blocks)
        assert found(text, assert_same(text, ends)) == [
            (1, b"cc", b"c\n continued"),
            (4, b"from", b"f"),
            (0, b"to", b"a"),
        ], shift


def test_the_names_come_from_the_caller():
    text, ends = joined([b"\nTo: a\nX-MAILER: m\nFrom: f\n", b"\nx-mailer:n\n"])
    block, name, value, value_end = c_route(text, ends, [b"x-mailer", b"to"])
    assert (block.tolist(), name.tolist()) == ([0, 1, 0], [0, 0, 1])
    assert [text[v:e] for v, e in zip(value.tolist(), value_end.tolist(), strict=True)] == [b"m", b"n", b"a"]


def test_no_blocks_and_no_lines():
    assert [a.tolist() for a in c_route(H._PAD, np.zeros(0, dtype=np.int64))] == [[]] * 4
    assert [a.tolist() for a in assert_same(*joined([b"", b"\nX: y\n"]))] == [[]] * 4


def test_inputs_that_are_not_joined_blocks_are_refused():
    text, ends = joined([b"\nTo: a", b"\nCc: b"])
    with pytest.raises(TypeError, match=r"ends must be a one-dimensional contiguous int64 array \(got 1 "):
        c_route(text, ends.astype(np.int32))
    with pytest.raises(TypeError, match="ends must be a one-dimensional contiguous int64 array"):
        c_route(text, ends[::-1][::-1].reshape(1, 2))
    with pytest.raises(ValueError, match=r"ends\[0\] = 5 is not the newline after block 0"):
        c_route(text, ends - 1)
    with pytest.raises(ValueError, match=r"ends\[1\] = 6 is not the newline after block 1"):
        c_route(text, np.array([6, 6], dtype=np.int64))
    with pytest.raises(ValueError, match="the last block ends at 6, but the text has 14 bytes before"):
        c_route(text, ends[:1])
    with pytest.raises(ValueError, match="the text has 3 bytes; it must end with 24 zero bytes of padding"):
        c_route(b"\n\n\n", ends)
    with pytest.raises(ValueError, match=r"name 1 \(b'To'\) holds a byte other than a-z"):
        c_route(text, ends, [b"cc", b"To"])
    with pytest.raises(ValueError, match=r"name 0 \(b'x'\) has 1 bytes; 2 to 16 are supported"):
        c_route(text, ends, [b"x"])
    with pytest.raises(ValueError, match=r"name 1 \(b'cc'\) is given twice"):
        c_route(text, ends, [b"cc", b"cc"])
    with pytest.raises(TypeError, match="name 0 is not bytes"):
        c_route(text, ends, ["cc"])


def _corpus_blocks(name: str) -> list[bytes]:
    cur = CORPORA / name / "cur"
    if not cur.is_dir():
        if os.environ.get("NETANALYTICS_REQUIRE_CORPORA"):
            raise RuntimeError(f"the real corpora are missing: expected {cur}")
        pytest.skip(f"real corpora not found at {cur}")
    # as the mbox scan hands a block over: from the newline before its first line
    return [b"\n" + M.read_header_block(str(f))[0] for f in sorted(cur.iterdir())]


@pytest.mark.parametrize(
    ("name", "counts"),
    # blocks with From, To, Cc, Reply-To: the corpora README's figures (stdlib parser)
    [("openbmc", (2000, 2000, 1472, 7)), ("kasan-dev", (1000, 1000, 958, 365))],
)
def test_c_equals_numpy_and_the_one_block_rule_on_real_headers(name, counts):
    blocks = _corpus_blocks(name)
    for eol in (b"\n", b"\r\n"):  # as they are (LF), and as CRLF
        text, ends = joined([b.replace(b"\n", eol) for b in blocks])
        block, names, value, value_end = assert_same(text, ends)
        per_name = np.bincount(names, minlength=len(H._BULK_NAMES))
        assert [per_name[H._BULK_INDEX[n]] for n in (b"from", b"to", b"cc", b"reply-to")] == list(counts)
    # and each value is the one-block rule's, once unfolded and stripped (LF)
    text, ends = joined(blocks)
    block, names, value, value_end = (a.tolist() for a in c_route(text, ends))
    got = {
        (b, H._BULK_NAMES[k]): H._FOLD.sub(b" ", text[v:e]).strip()
        for b, k, v, e in zip(block, names, value, value_end, strict=True)
    }
    expected = {
        (b, k): v
        for b, one in enumerate(blocks)
        for k, v in H.split_header_lines(one).items()
        if k != b"received"
    }
    assert got == expected
