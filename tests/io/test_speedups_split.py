"""The C header split (``_speedups.header_values``) gives exactly the result of the numpy route
(``_headers._header_values_numpy``): on generated awkward blocks, on exact examples, and on every
header block of the real corpora in ``../shared/corpora``."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from header_blocks import (  # tests/io is on sys.path when its tests run
    corpus_blocks,
    header_block,
    token_soup,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from routes import in_c_and_python

from netanalytics.io import _headers as H
from netanalytics.io import _native

if _native.SPEEDUPS is None:
    pytest.skip(
        "netanalytics.io._speedups is not built (no C compiler, or NETANALYTICS_PURE_PYTHON=1); "
        "build it with `python setup.py build_ext --inplace`",
        allow_module_level=True,
    )


def c_route(blocks: list, names=H._BULK_NAMES) -> tuple[list[np.ndarray], list[list[bytes]]]:
    rows, values, unclean = _native.SPEEDUPS.header_values(blocks, names)
    assert len(unclean) == len(names)
    # a name is flagged exactly when one of its values holds a byte of 0x0a-0x0d or ends with
    # a blank: where it is not, cleaning changes nothing (_headers skips it)
    for vs, flag in zip(values, unclean, strict=True):
        assert flag == any(_needs_cleaning(v) for v in vs)
        if not flag:
            assert H._clean_column(list(vs)) == vs
    return [np.frombuffer(r, dtype=np.int64) for r in rows], values


def _needs_cleaning(value: bytes) -> bool:
    return any(0x0A <= c <= 0x0D for c in value) or value[-1:] in (b" ", b"\t")


def assert_same(blocks: list[bytes]) -> tuple[list[np.ndarray], list[list[bytes]]]:
    """The C result equals the numpy route's (rows, their dtype, values); returns it."""
    (c_rows, c_values), (rows, values) = c_route(blocks), H._header_values_numpy(blocks)
    assert len(c_rows) == len(c_values) == len(rows) == len(values) == len(H._BULK_NAMES)
    for name, a, b, va, vb in zip(H._BULK_NAMES, c_rows, rows, c_values, values, strict=True):
        assert b.dtype == np.int64, name
        assert (a.tolist(), va) == (b.tolist(), vb), name
        assert all(type(v) is bytes for v in va), name
    return c_rows, c_values


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(header_block(), token_soup), min_size=1, max_size=8))
def test_c_equals_numpy_on_awkward_blocks(blocks):
    assert_same(blocks)


def found(result, names=H._BULK_NAMES) -> list[tuple[int, bytes, bytes]]:
    """(block, name, value) of each value found, by name, then by block."""
    rows, values = result
    return [
        (b, name, v)
        for name, r, vs in zip(names, rows, values, strict=True)
        for b, v in zip(r.tolist(), vs, strict=True)
    ]


def test_unclean_flag_at_every_place_of_a_value():
    # each byte that cleaning acts on (a bare CR or LF, VT, FF, and a blank at the end) at every
    # place of values of 1 to 40 bytes (the C reads 16 bytes at a time, then byte by byte)
    for length in range(1, 41):
        for at in range(length):
            for odd in (b"\r", b"\x0b", b"\x0c", b"\n"):
                value = b"x" * at + odd + b"y" * (length - at - 1)
                block = b"\nSubject: " + value.replace(b"\n", b"\n ") + b"\nTo: a\n"
                _, values, unclean = _native.SPEEDUPS.header_values([block], [b"subject", b"to"])
                assert list(unclean) == [1, 0], (length, at, odd)
        for blank in (b" ", b"\t"):
            block = b"\nSubject: " + b"x" * length + blank + b"\nTo: a\n"
            assert list(_native.SPEEDUPS.header_values([block], [b"subject", b"to"])[2]) == [1, 0]
        block = b"\nSubject: " + bytes(range(0x0E, 0x0E + length)) + b"\t\x80\xff\x00\x09y\nTo: a \n"
        assert list(_native.SPEEDUPS.header_values([block], [b"subject", b"to"])[2]) == [0, 1], length


def test_values_found_in_each_block_by_name():
    blocks = [
        # a name in upper case with blanks before its colon and a folded value; a From repeated
        b"\nFrom: a\nTO  :  b\n\tc\nX: y\nfrom: z\n",
        b"",  # empty
        b"To: no\nCc: c",  # no newline before the first line (not a header line), none after the last
        b"\nList\rId: x\nlist-id:\t<y>\n",  # a CR where the "-" should be
        b"\tnot a continuation\nLIST-UNSUBSCRIBE" + b"\t" * 40 + b": <u>\n",  # a colon far after its name
        b"\nX-Original-Sender: s\nList-Unsubscribe-Post: p\nTo-Foo: f\nSubject:   \n \n\tfolded only\n",
        b"\nTo",  # a name cut by the block's end, then one whose colon is the block's last byte
        b"\nCc:",
    ]
    assert found(assert_same(blocks)) == [
        (2, b"cc", b"c"),
        (7, b"cc", b""),
        (0, b"from", b"a"),
        (3, b"list-id", b"<y>"),
        (4, b"list-unsubscribe", b"<u>"),
        (5, b"subject", b"\n \n\tfolded only"),  # unfolded and stripped later, per column
        (0, b"to", b"b\n\tc"),
    ]


def test_a_value_ends_with_its_block():
    # in the joined text of the numpy route the newline joining two blocks ends a value even
    # when the next block starts with a blank; a block's last newline is followed by nothing
    blocks = [b"\nTo: a\n continued", b"\tb: no\nCc:c\n", b" ", b"\nFrom: f \n", b"\tg"]
    assert found(assert_same(blocks)) == [(1, b"cc", b"c"), (3, b"from", b"f "), (0, b"to", b"a\n continued")]


def test_block_ends_and_continuations_at_every_place_of_a_64_byte_stretch():
    # the C walk takes 64 bytes at a time, its last 64 or fewer from a zeroed copy: put each
    # block's end, a newline followed by a blank and a line's start at every place of a stretch
    for shift in range(140):
        pad = b"y" * shift
        blocks = [
            b"\nX: " + pad + b"\nTo: a",
            b"\tb\nCc: c\n continued\n",
            b"\nFrom: " + pad + b"\n\tf\n",
            b"\nX: " + pad + b"\nSubject: s",
            b" ",
            b"\nDate: " + pad,
        ]
        assert found(assert_same(blocks)) == [
            (1, b"cc", b"c\n continued"),
            (5, b"date", pad),
            (2, b"from", pad + b"\n\tf"),
            (3, b"subject", b"s"),
            (0, b"to", b"a"),
        ], shift


def test_a_value_equal_to_the_one_before_it_is_that_object():
    # (values of two bytes or more: CPython keeps one object per one-byte bytes anyway)
    blocks = [
        b"\nList-Id: <l>\nTo: a@x",
        b"\nList-Id: <l>\nTo: b@x",
        b"\nTo: a@x",
        b"\nList-Id: <l>\nTo: a@x",
    ]
    rows, values = c_route(blocks)
    list_id, to = values[H._BULK_INDEX[b"list-id"]], values[H._BULK_INDEX[b"to"]]
    assert (list_id, to) == ([b"<l>"] * 3, [b"a@x", b"b@x", b"a@x", b"a@x"])
    # one List-Id object; To's third value is the one before it, its first is not (b between)
    assert [v is list_id[0] for v in list_id] == [True, True, True]
    assert [v is to[2] for v in to] == [False, False, True, True]


def test_the_names_come_from_the_caller():
    blocks = [b"\nTo: a\nX-MAILER: m\nFrom: f\n", b"\nx-mailer:n\n"]
    names = [b"x-mailer", b"to"]
    assert found(c_route(blocks, names), names) == [
        (0, b"x-mailer", b"m"),
        (1, b"x-mailer", b"n"),
        (0, b"to", b"a"),
    ]


def test_no_blocks_and_no_values():
    empty = ([[]] * len(H._BULK_NAMES), [[]] * len(H._BULK_NAMES))
    rows, values = c_route([])
    assert ([r.tolist() for r in rows], values) == empty
    rows, values = assert_same([b"", b"\nX: y\n", b"\n"])
    assert ([r.tolist() for r in rows], values) == empty


def test_inputs_that_are_not_lists_of_bytes_are_refused():
    with pytest.raises(TypeError, match=r"blocks\[1\] is a bytearray, not bytes \(the mbox scan gives bytes"):
        c_route([b"\nTo: a", bytearray(b"\nCc: b")])
    with pytest.raises(TypeError, match=r"blocks\[0\] is a memoryview, not bytes"):
        c_route([memoryview(b"\nTo: a")])
    with pytest.raises(TypeError, match=r"blocks\[0\] is a str, not bytes"):
        c_route(["\nTo: a"])
    with pytest.raises(TypeError, match="blocks must be a list of bytes"):
        c_route(None)
    with pytest.raises(ValueError, match=r"name 1 \(b'To'\) holds a byte other than a-z"):
        c_route([], [b"cc", b"To"])
    with pytest.raises(ValueError, match=r"name 0 \(b'x'\) has 1 bytes; 2 to 16 are supported"):
        c_route([], [b"x"])
    with pytest.raises(ValueError, match=r"name 1 \(b'cc'\) is given twice"):
        c_route([], [b"cc", b"cc"])
    with pytest.raises(TypeError, match="name 0 is not bytes"):
        c_route([], ["cc"])
    with pytest.raises(ValueError, match="65 names, at most 64 are supported"):
        c_route([], [b"x-%02d" % k for k in range(65)])


@pytest.mark.parametrize(
    ("name", "counts"),
    # blocks with From, To, Cc, Reply-To: the corpora README's figures (stdlib parser)
    [("openbmc", (2000, 2000, 1472, 7)), ("kasan-dev", (1000, 1000, 958, 365))],
)
def test_c_equals_numpy_and_the_one_block_rule_on_real_headers(name, counts):
    blocks = corpus_blocks(name)
    for eol in (b"\n", b"\r\n"):  # as they are (LF), and as CRLF
        these = [b.replace(b"\n", eol) for b in blocks]
        rows, values = assert_same(these)
        assert [len(rows[H._BULK_INDEX[n]]) for n in (b"from", b"to", b"cc", b"reply-to")] == list(counts)
        # the kinds the reader asks for (flat, coded) give the same values, cleaned or encoded
        c_rows, c_values, _ = _native.SPEEDUPS.header_values(these, H._BULK_NAMES, H._KINDS)
        for k, (r, vs) in enumerate(zip(rows, values, strict=True)):
            assert np.frombuffer(c_rows[k], dtype=np.int64).tolist() == r.tolist()
            if H._KINDS[k] == H._FLAT:
                offsets, data = c_values[k]
                ends = np.frombuffer(offsets, dtype=np.int64).tolist()
                assert [bytes(data[a:b]) for a, b in itertools.pairwise(ends)] == H._clean_column(list(vs))
            elif H._KINDS[k] == H._CODED:
                distinct, codes = c_values[k]
                assert [distinct[c] for c in np.frombuffer(codes, dtype=np.int32).tolist()] == vs
    # and each value is the one-block rule's, once unfolded and stripped (LF)
    got = {(b, name): H._FOLD.sub(b" ", v).strip() for b, name, v in found(c_route(blocks))}
    expected = {
        (b, k): v
        for b, one in enumerate(blocks)
        for k, v in H.split_header_lines(one).items()
        if k != b"received"
    }
    assert got == expected


# --- unfolded: _clean_column's rule, value by value -------------------------------------------

_FOLD_PIECES = [b"a", b"<id@x>", b" ", b"\t", b"\r", b"\n", b"\r\n", b"\x0b", b"\x0c", b"\x00", b"\xe9"]


# values as the header split gives them: none starts with a blank (the split drops the blanks
# after the colon), so the Python route never looks for one there
_SPLIT_VALUES = (
    st.lists(st.sampled_from(_FOLD_PIECES), max_size=12)
    .map(b"".join)
    .filter(lambda v: v[:1] not in (b" ", b"\t"))
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_SPLIT_VALUES, min_size=1, max_size=6))
def test_unfolded_equals_the_python_rule(values):
    # folds (CR?LF and blanks) made one space, then bytes.strip; a NUL inside a value sends the
    # Python route value by value, which the C route always is
    in_c, in_python = in_c_and_python(lambda: H._clean_column(list(values)))
    assert in_c == in_python == [H._FOLD.sub(b" ", v).strip() for v in values]


def test_unfolded_exact_values_and_the_objects_kept():
    values = [b"a\r\n b", b"c\n\t\td", b"e\r\r\n f", b"g\r\nh", b" i \x0b", b"j", b"k\n"]
    out = _native.SPEEDUPS.unfolded(values)
    assert out == [b"a b", b"c d", b"e\r f", b"g\r\nh", b"i", b"j", b"k"]
    # a value that does not change is the same object; a list where none changes is the list
    assert out[3] is values[3] and out[5] is values[5] and out is not values
    same = [b"x", b"y\nz"]
    assert _native.SPEEDUPS.unfolded(same) is same
    with pytest.raises(TypeError, match=r"values\[1\] is a str, not bytes"):
        _native.SPEEDUPS.unfolded([b"a", "b"])


def flat_route(blocks: list) -> list:
    """The values of each name as ``header_values`` gives them with every name flat: cleaned,
    one after the other in a buffer, with their int64 ends."""
    flags = b"\x01" * len(H._BULK_NAMES)
    rows, values, unclean = _native.SPEEDUPS.header_values(blocks, H._BULK_NAMES, flags)
    assert list(unclean) == [0] * len(H._BULK_NAMES)  # (cleaned already)
    out = []
    for r, (offsets, data) in zip(rows, values, strict=True):
        ends = np.frombuffer(offsets, dtype=np.int64).tolist()
        assert ends[0] == 0 and ends[-1] == len(data) and len(ends) == len(r) // 8 + 1
        out.append(
            (np.frombuffer(r, dtype=np.int64).tolist(), [bytes(data[a:b]) for a, b in zip(ends, ends[1:])])
        )
    return out


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(header_block(), token_soup), min_size=1, max_size=8))
def test_flat_values_are_the_values_cleaned(blocks):
    rows, values = c_route(blocks)
    expected = [(r.tolist(), H._clean_column(list(vs))) for r, vs in zip(rows, values, strict=True)]
    assert flat_route(blocks) == expected


def test_flat_values_cleaned_exactly():
    blocks = [
        b"\nDate:\r\n Tue, 7 Jan\r\n\t 2025 \t\nMessage-ID: <a@x>",
        b"\nMessage-ID: \x0b<b@x>\x0c\nDate: \n \n",  # VT and FF at the ends; a value of blanks only
        b"\nReferences: <r@x>\n <s@x>\r\n\t<t@x>\nSubject: s \n",
    ]
    names = [b"date", b"message-id", b"references", b"subject"]
    rows, values, unclean = _native.SPEEDUPS.header_values(blocks, names, b"\x01\x01\x01\x00")
    flat = [
        [bytes(d[a:b]) for a, b in itertools.pairwise(np.frombuffer(o, dtype=np.int64).tolist())]
        for o, d in values[:3]
    ]
    assert flat == [[b"Tue, 7 Jan 2025", b""], [b"<a@x>", b"<b@x>"], [b"<r@x> <s@x> <t@x>"]]
    assert [np.frombuffer(r, dtype=np.int64).tolist() for r in rows] == [[0, 1], [0, 1], [2], [2]]
    assert values[3] == [b"s "] and list(unclean) == [0, 0, 0, 1]  # a list name: raw, flagged
    with pytest.raises(ValueError, match="3 kinds for 4 names"):
        _native.SPEEDUPS.header_values(blocks, names, b"\x01\x01\x01")
    with pytest.raises(ValueError, match="kind 3 of name 2 is none of 0"):
        _native.SPEEDUPS.header_values(blocks, names, b"\x01\x01\x03\x00")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(header_block(), token_soup), min_size=1, max_size=8))
def test_coded_values_are_the_values_encoded(blocks):
    rows, values = c_route(blocks)
    _, _, unclean = _native.SPEEDUPS.header_values(blocks, H._BULK_NAMES)
    kinds = b"\x02" * len(H._BULK_NAMES)
    c_rows, coded, c_unclean = _native.SPEEDUPS.header_values(blocks, H._BULK_NAMES, kinds)
    assert list(c_unclean) == list(unclean)  # (flagged on the distinct values: the same)
    for name, r, vs, cr, (distinct, codes) in zip(H._BULK_NAMES, rows, values, c_rows, coded, strict=True):
        expected_distinct, expected_codes = H.encode(vs)
        assert np.frombuffer(cr, dtype=np.int64).tolist() == r.tolist(), name
        assert distinct == expected_distinct, name
        assert np.frombuffer(codes, dtype=np.int32).tolist() == expected_codes.tolist(), name


def test_coded_values_exactly_and_past_the_table_s_first_size():
    # values met again after others, and 1,000 distinct ones (the table starts with 256 slots)
    blocks = [b"\nTo: a@x\nSubject: s%d\n" % (k % 1000) for k in range(3000)]
    blocks[5] = b"\nSubject: s5\n"  # no To
    blocks[6] = b"\nTo: a@x \nSubject: s6\n"  # a blank at the end: another raw value, flagged
    rows, values, unclean = _native.SPEEDUPS.header_values(blocks, [b"to", b"subject"], b"\x02\x02")
    (to, to_codes), (subjects, subject_codes) = values
    assert to == [b"a@x", b"a@x "] and list(unclean) == [1, 0]
    assert np.frombuffer(to_codes, dtype=np.int32).tolist() == [0] * 5 + [1] + [0] * 2993
    assert np.frombuffer(rows[0], dtype=np.int64).tolist() == [k for k in range(3000) if k != 5]
    assert subjects == [b"s%d" % k for k in range(1000)]
    assert np.frombuffer(subject_codes, dtype=np.int32).tolist() == [k % 1000 for k in range(3000)]
