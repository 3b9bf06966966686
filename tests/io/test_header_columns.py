"""The column split of many header blocks at once (``raw_header_columns``) gives, for every
block, the values the one-block rule (``split_header_lines``) gives: names in any case, the
first of a repeated header, folded and blank-padded values, unwanted names that share a
wanted name's first letters."""

from __future__ import annotations

import pyarrow as pa
import pytest
from header_blocks import ADDRESS_VALUES, header_block  # tests/io is on sys.path when its tests run
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalytics.io import _headers as H
from netanalytics.io import _native


@pytest.fixture(scope="module", params=["C", "numpy"])
def both_routes(request):
    """The test runs on both routes of ``_header_values``: the C one (where it is built) and numpy's."""
    if request.param == "C" and _native.SPEEDUPS is None:
        pytest.skip("netanalytics.io._speedups is not built (no C compiler, or NETANALYTICS_PURE_PYTHON=1)")
    with pytest.MonkeyPatch.context() as mp:
        if request.param == "numpy":
            mp.setattr(_native, "SPEEDUPS", None)
        yield request.param


@pytest.mark.usefixtures("both_routes")
@settings(max_examples=300, deadline=None)
@given(st.lists(header_block(), min_size=1, max_size=6))
def test_columns_equal_the_one_block_rule(blocks):
    column = H.raw_header_columns(blocks)
    for name in H.WANTED - {b"received"}:
        expected = [H.split_header_lines(b).get(name) for b in blocks]
        assert column(H.PRIMARY[name]) == expected, name
        arrow = column(H.PRIMARY[name], arrow=True)  # (C: the flat names from its buffers)
        assert arrow.type == pa.large_binary() and arrow.to_pylist() == expected, name
        values, codes = column(H.PRIMARY[name], coded=True)  # distinct values cleaned once
        expected_values, expected_codes = H.encode(expected)
        assert (values, codes.tolist()) == (expected_values, expected_codes.tolist()), name


@pytest.mark.usefixtures("both_routes")
def test_a_name_in_unusual_case_and_an_unwanted_look_alike():
    blocks = [
        b"\nreceived: by x\nMESSAGE-id: <m@x>\nTo-Foo: no\nX-Mailer: y\nTO: a@x\nList-Archive: z\n",
        b"\nMessage-ID: <n@x>\nlist-ID: <l.x>\n",
    ]
    column = H.raw_header_columns(blocks)
    assert column(b"Message-ID") == [b"<m@x>", b"<n@x>"]
    assert column(b"To") == [b"a@x", None]
    assert column(b"List-Id") == [None, b"<l.x>"]
    assert column(b"Received") == [None, None]


def test_blocks_indexed_in_groups_give_the_columns_of_one_group(monkeypatch):
    monkeypatch.setattr(_native, "SPEEDUPS", None)  # the numpy route joins blocks in groups; C does not
    blocks = [b"\nFrom: a%d@x\nX-Pad: %s\nTo: b%d@x\n" % (i, b"p" * (i * 7 % 50), i) for i in range(40)]
    blocks[7] = b"\nX-Only: unwanted\n"
    expected = [H.split_header_lines(b).get(b"to") for b in blocks]
    assert expected[:2] == [b"b0@x", b"b1@x"] and expected[7] is None
    for size in (1, 60, 200, 10_000):  # a group per block, a few blocks, one group
        monkeypatch.setattr(H, "_SPLIT_BYTES", size)
        column = H.raw_header_columns(blocks)
        assert column(b"To") == expected
        assert column(b"From")[39] == b"a39@x"


@pytest.mark.usefixtures("both_routes")
def test_awkward_lines_read_as_the_one_block_rule_reads_them():
    blocks = [
        # a colon past the 24 bytes looked at first, after many blanks
        b"\nTo" + b" " * 30 + b":  a@x\nFrom" + b"\t" * 27 + b": b@x\n",
        # a longer name starting with a wanted one; a CR where a "-" would make a wanted name
        b"\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\nList\rId: <x>\nlist-id: <y>\n",
        # no newline before the first line (not a header line), none after the last
        b"To: not a header line\n\tcont\nCc: c@x",
        b"\tstarts with a blank\nSubject: s\n",  # not the continuation of the block before
        b"\nSubject:   \n\tfolded only\n",  # a value that starts on a continuation line
        b"",
        b"\n",
        b"\nX-Gm-Thrid:1\nTo :x\n  \n",  # no blank after the colon; blanks before it
    ]
    column = H.raw_header_columns(blocks)
    assert column(b"To") == [b"a@x", None, None, None, None, None, None, b"x"]
    assert column(b"From") == [b"b@x", *[None] * 7]
    assert column(b"List-Id") == [None, b"<y>", *[None] * 6]
    assert column(b"List-Unsubscribe") == [None] * 8
    assert column(b"Cc") == [None, None, b"c@x", *[None] * 5]
    assert column(b"Subject") == [None, None, None, b"s", b"folded only", None, None, None]
    assert column(b"X-GM-THRID") == [*[None] * 7, b"1"]
    for name in H.WANTED - {b"received"}:
        assert column(H.PRIMARY[name]) == [H.split_header_lines(b).get(name) for b in blocks], name


@pytest.mark.usefixtures("both_routes")
def test_coded_columns_clean_the_distinct_values_and_merge_spellings():
    blocks = [
        b"\nTo: a@x\n",
        b"\nFrom: z@x\n",  # no To: None takes its first-seen place
        b"\nTo: a@x \n",  # cleans to "a@x": one value with the first
        b"\nTo: Ann <b@x>,\n\tBob <c@x>\n",
        b"\nTo: Ann <b@x>,\n Bob <c@x>\n",  # another fold, the same value once unfolded
        b"\nTo: a@x\n",
    ]
    values, codes = H.raw_header_columns(blocks)(b"To", coded=True)
    assert values == [b"a@x", None, b"Ann <b@x>, Bob <c@x>"]
    assert codes.tolist() == [0, 1, 0, 2, 2, 0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(ADDRESS_VALUES), min_size=1, max_size=20, unique=True))
def test_address_lists_read_together_equal_the_one_value_rule(raws):
    # plain lists are split together, the others one by one: the same keys and names
    keys, names, starts, ends = H.parse_address_lists(raws)
    lists = [(keys[a:b], names[a:b]) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    assert lists == [H.parse_addresses(r) for r in raws]


def test_an_encoded_word_whose_charset_holds_a_nul_is_decoded_as_plain_bytes():
    # found by the mutation fuzzer: bytes.decode raises ValueError (not LookupError) for a codec
    # name holding a NUL; the word is decoded as if no charset were given, as for an unknown one
    assert H.decode_words("=?\x00tf-8?Q?Gesendet?=") == "Gesendet"
    assert H.decode_words("=?no-such-charset?Q?Gesendet?=") == "Gesendet"
    assert H.parse_labels(b"=?\x00tf-8?Q?Gesendet?=,Inbox") == ["Gesendet", "Inbox"]


@pytest.mark.usefixtures("both_routes")
def test_arrow_columns_hold_null_where_a_block_lacks_the_header():
    blocks = [
        b"\nDate: Tue, 7 Jan 2025\nMessage-ID: <a@x>\n",
        b"\nMessage-ID:\r\n <b@x> \n",  # folded after the colon, CRLF, a blank at the end
        b"\nSubject: no ids\n",
        b"\nReferences: <r@x>\n\t<s@x>\nmessage-id: <c@x>\n",
    ]
    column = H.raw_header_columns(blocks)
    assert column(b"Message-ID", arrow=True).to_pylist() == [b"<a@x>", b"<b@x>", None, b"<c@x>"]
    assert column(b"References", arrow=True).to_pylist() == [None, None, None, b"<r@x> <s@x>"]
    assert column(b"Date", arrow=True).null_count == 3
    assert column(b"X-GM-THRID", arrow=True).to_pylist() == [None] * 4
    assert column(b"Subject", arrow=True).to_pylist() == [None, None, b"no ids", None]
    assert column(b"Message-ID", coded=True)[0] == [b"<a@x>", b"<b@x>", None, b"<c@x>"]
