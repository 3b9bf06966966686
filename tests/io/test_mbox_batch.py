"""A reader Batch fed in several pieces gives the frame of one piece.

The mbox path holds columns as lists, numpy arrays, Arrow arrays and dictionary-encoded
columns; these tests join them across pieces (and with rows from the per-message route) and
check that nothing changes.
"""

from __future__ import annotations

import base64
import gc
import mmap
import pickle
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from header_blocks import ADDRESS_VALUES, corpus_blocks  # tests/io is on sys.path when its tests run
from hypothesis import given, settings
from hypothesis import strategies as st
from routes import in_c_and_python  # tests/io is on sys.path when its tests run

from netanalytics import schema as S
from netanalytics.io import _headers as H
from netanalytics.io import _mbox as M
from netanalytics.io import _native
from netanalytics.io._lists import FlatLists

FIXTURE = Path(__file__).parent / "fixtures" / "email" / "gmail_takeout.mbox"

# messages for the tolerant route: a list rewrite, a chat item, no Message-ID, two From addresses
EXTRA = (
    b"From - Tue Jan  7 10:00:00 2025\n"
    b"From: Ann via Team <team@lists.x.org>\nReply-To: ann@x.org\nList-Id: <team.lists.x.org>\n"
    b"To: team@lists.x.org\nMessage-ID: <l1@x>\nDate: Tue, 7 Jan 2025 10:00:00 +0000\n\nhi\n\n"
    b"From 1@xxx Tue Jan  7 10:05:00 +0000 2025\nX-Gmail-Labels: Chat\nFrom: b@y.org\n\nchat\n\n"
    b"From - Tue Jan  7 10:10:00 2025\nFrom: c@z.org\nTo: d@z.org\nDate: Tue, 7 Jan 2025 10:10:00 +0000\n\nx\n\n"
    b"From - Tue Jan  7 10:20:00 2025\nFrom: e@z.org, f@z.org\nTo: g@z.org\nMessage-ID: <m4@z>\n"
    b"Date: Tue, 7 Jan 2025 10:20:00 +0000\nList-Unsubscribe: <mailto:u@z.org>\n\nx\n"
)


@pytest.fixture
def pieces(tmp_path):
    path = tmp_path / "box.mbox"
    path.write_bytes(FIXTURE.read_bytes().rstrip(b"\n") + b"\n\n" + EXTRA)
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        start = M.check_mbox_start(mm, str(path))
        return M.mbox_blocks(mm, start, len(mm))


def frame_of(feed) -> tuple[pd.DataFrame, dict]:
    batch = M.Batch("mbox", "box", "box.mbox")
    feed(batch)
    result = M.clear_caches() or batch.finish()
    return M.frame_from_parts([M.prepare_parts(result["parts"])]), result


def test_a_range_read_as_a_worker_reads_it_leaves_no_reference_cycle(route, tmp_path):
    # a reader worker runs without the cyclic collector (email._worker_started): a cycle made
    # while parsing would keep a range's values for the life of the worker (a closure calling
    # itself once kept each group's header values: 1 MB per range of real list mail)
    path = tmp_path / "box.mbox"
    path.write_bytes(FIXTURE.read_bytes().rstrip(b"\n") + b"\n\n" + EXTRA)
    M.parse_mbox_range(str(path), 0, path.stat().st_size, "box", "mbox", "box.mbox")  # caches filled
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        result = M.parse_mbox_range(str(path), 0, path.stat().st_size, "box", "mbox", "box.mbox")
        assert result["parts"]["n"] > 5
        del result
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_one_piece_reads_every_message(pieces):
    blocks, lines, positions = pieces
    frame, result = frame_of(lambda b: b.add_mbox_blocks(blocks, lines, positions))
    assert result["read"] == len(blocks) == 8
    assert result["skipped"] == {"Gmail chat item": 2}  # one in the fixture, one here
    assert len(frame) == 6
    row = frame.set_index(S.MESSAGE_ID).loc["l1@x"]
    assert (row[S.SENDER], row[S.MAILING_LIST]) == ("ann@x.org", "team@lists.x.org")
    assert frame[S.MESSAGE_ID].str.startswith("synthetic-").sum() == 1
    assert frame.set_index(S.MESSAGE_ID).loc["m4@z", S.IS_AUTOMATED]


@pytest.mark.parametrize("cut", [1, 4, 7, 9])
def test_pieces_join_to_one(pieces, cut):
    blocks, lines, positions = pieces
    whole, r1 = frame_of(lambda b: b.add_mbox_blocks(blocks, lines, positions))

    def two_pieces(b):
        b.add_mbox_blocks(blocks[:cut], lines[:cut], positions[:cut])
        b.add_mbox_blocks(blocks[cut:], lines[cut:], positions[cut:])

    def with_single_messages(b):
        b.add_mbox_blocks(blocks[:cut], lines[:cut], positions[:cut])
        for block, line, at in zip(blocks[cut:], lines[cut:], positions[cut:], strict=True):
            b.add_block(block, line, at)

    for feed in (two_pieces, with_single_messages):
        frame, result = frame_of(feed)
        pd.testing.assert_frame_equal(frame, whole)
        assert (result["read"], result["skipped"]) == (r1["read"], r1["skipped"])


# dates for each fallback of Batch.finish: the Date, Received, the From_ line, none
DATED = (
    b"From - 6 Jan 2025\nFrom: e@x.org\nMessage-ID: <d0@x>\n\nx\n\n"  # the first: any From_ line
    b"From - Mon Jan  6 09:00:00 2025\nFrom: a@x.org\nMessage-ID: <d1@x>\n"
    b"Date: Mon, 6 Jan 2025 09:00:00 +0000\n\nx\n\n"
    b"From - Mon Jan  6 09:10:00 2025\nFrom: b@x.org\nMessage-ID: <d2@x>\n"
    b"Received: from a by b; Mon, 6 Jan 2025 09:11:00 +0000\n\nx\n\n"
    b"From - Mon Jan  6 09:20:00 2025\nFrom: c@x.org\nMessage-ID: <d3@x>\nDate: never\n\nx\n\n"
    b"From c Mon Jan  6 09:30:00 2025\nFrom: d@x.org\nMessage-ID: <d4@x>\n"
    b"Date: Mon, 6 Jan 2025 09:30:00 +0000\n\nx\n"
)


@pytest.mark.parametrize("cut", [1, 2, 3, 4])
def test_groups_keep_their_date_parse(tmp_path, monkeypatch, cut):
    path = tmp_path / "dated.mbox"
    path.write_bytes(DATED)
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        blocks, lines, positions = M.mbox_blocks(mm, 0, len(mm))
    assert len(blocks) == 5
    whole, r1 = frame_of(lambda b: b.add_mbox_group(blocks, lines, positions))
    assert r1["dates"] == {"date_header": 2, "received": 1, "from_line": 1, "missing": 1}
    assert whole[S.TIMESTAMP].isna().tolist() == [True, False, False, False, False]

    calls = []
    fast_dates = M._fast_dates
    monkeypatch.setattr(M, "_fast_dates", lambda texts: calls.append(len(texts)) or fast_dates(texts))

    def two_groups(b):
        b.add_mbox_group(blocks[:cut], lines[:cut], positions[:cut])
        b.add_mbox_group(blocks[cut:], lines[cut:], positions[cut:])

    frame, result = frame_of(two_groups)
    pd.testing.assert_frame_equal(frame, whole)
    assert (result["read"], result["dates"], result["warnings"]) == (r1["read"], r1["dates"], r1["warnings"])
    assert calls == [cut, 5 - cut]  # each group's dates parsed once, by add_mbox_blocks; none again


# the owner's Sent copies keep Bcc (Gmail); any spelling, folded, on either route
BCC_MBOX = (
    b"From - Mon Jan  6 09:00:00 2025\n"
    b"X-Gmail-Labels: Sent\nFrom: Me <me@x.org>\nTo: Ann <ann@a.com>\nBcc: Bob <Bob@B.com>\n"
    b"Message-ID: <b1@x>\nDate: Mon, 6 Jan 2025 09:00:00 +0000\n\nx\n\n"
    b"From - Mon Jan  6 09:10:00 2025\n"
    b"X-Gmail-Labels: Sent\nFrom: Me <me@x.org>\nBCC: Bob <bob@b.com>,\n Cy <cy@c.com>\n"
    b"Message-ID: <b2@x>\nDate: Mon, 6 Jan 2025 09:10:00 +0000\n\nx\n\n"
    b"From - Mon Jan  6 09:20:00 2025\n"
    b"X-Gmail-Labels: Sent\nFrom: Me <me@x.org>\nTo: Ann <ann@a.com>\nbcc: Bob <Bob@B.com>\n"
    b"Message-ID: <b3@x>\nDate: Mon, 6 Jan 2025 09:20:00 +0000\n\nx\n\n"
    b"From - Mon Jan  6 09:30:00 2025\n"
    b"From: Ann <ann@a.com>\nTo: Me <me@x.org>\nMessage-ID: <b4@x>\nDate: Mon, 6 Jan 2025 09:30:00 +0000\n\nx\n\n"
    # the tolerant route (two From addresses) with a Bcc
    b"From - Mon Jan  6 09:40:00 2025\n"
    b"X-Gmail-Labels: Sent\nFrom: me@x.org, me@y.org\nBcc: dee@d.com\n"
    b"Message-ID: <b5@x>\nDate: Mon, 6 Jan 2025 09:40:00 +0000\n\nx\n"
)
BCC_EXPECTED = {
    "b1@x": ["bob@b.com"],
    "b2@x": ["bob@b.com", "cy@c.com"],
    "b3@x": ["bob@b.com"],
    "b4@x": [],
    "b5@x": ["dee@d.com"],
}


@pytest.fixture
def bcc_pieces(tmp_path):
    path = tmp_path / "sent.mbox"
    path.write_bytes(BCC_MBOX)
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        start = M.check_mbox_start(mm, str(path))
        return M.mbox_blocks(mm, start, len(mm))


def test_bcc_column_route_equals_per_message_route(bcc_pieces):
    blocks, lines, positions = bcc_pieces
    columns, _ = frame_of(lambda b: b.add_mbox_blocks(blocks, lines, positions))

    def one_by_one(b):
        for block, line, at in zip(blocks, lines, positions, strict=True):
            b.add_block(block, line, at)

    single, _ = frame_of(one_by_one)
    pd.testing.assert_frame_equal(columns, single)
    assert columns.set_index(S.MESSAGE_ID)[S.BCC].to_dict() == BCC_EXPECTED
    # Bcc is not in n_recipients (To and Cc: who the message showed)
    assert columns[S.N_RECIPIENTS].tolist() == [1, 0, 1, 1, 0]


def test_bcc_without_any_in_the_piece_is_empty_lists(pieces):
    blocks, lines, positions = pieces
    frame, _ = frame_of(lambda b: b.add_mbox_blocks(blocks, lines, positions))
    assert frame[S.BCC].map(list).tolist() == [[]] * len(frame)


def test_warnings_past_the_limit_are_counted_not_shown(tmp_path):
    from netanalytics.io import read_mbox

    path = tmp_path / "many.mbox"
    path.write_bytes(
        b"\n".join(
            b"From - Tue Jan  7 10:00:00 2025\nFrom: a@z.org, b%d@z.org\nTo: c@z.org\n"
            b"Message-ID: <w%d@z>\nDate: Tue, 7 Jan 2025 10:00:00 +0000\n\nx\n" % (i, i)
            for i in range(M.MAX_WARNINGS + 5)
        )
    )
    frame, load_report = read_mbox(path, cache=False, workers=1)
    (report,) = load_report.files
    assert len(frame) == M.MAX_WARNINGS + 5
    assert len(report.warnings) == M.MAX_WARNINGS
    assert report.warnings[0] == f"{path} message at byte 0: From holds 2 addresses; kept the first (a@z.org)"
    assert report.notes["warnings_not_shown"] == 5
    assert report.notes["counters"] == {"from_with_several_addresses": M.MAX_WARNINGS + 5}


def test_a_list_rewrite_is_undone_once_per_distinct_headers_on_both_routes(pieces):
    # the same "via" post twice more (other ids): the column route reuses one resolution
    blocks, lines, positions = pieces
    via = next(b for b in blocks if b"via Team" in b)
    extra = [via.replace(b"<l1@x>", b"<l%d@x>" % k) for k in (2, 3)]
    feed = (blocks + extra, lines + lines[-2:], positions + [10**6, 10**6 + 1])
    columns, r1 = frame_of(lambda b: b.add_mbox_blocks(*feed))
    per_message, r2 = frame_of(lambda b: [b.add_block(*x) for x in zip(*feed, strict=True)])
    pd.testing.assert_frame_equal(columns, per_message)
    assert (
        r1["counters"]["sender_from_mailing_list_rewrite"]
        == 3
        == r2["counters"]["sender_from_mailing_list_rewrite"]
    )
    rows = columns.set_index(S.MESSAGE_ID).loc[["l1@x", "l2@x", "l3@x"]]
    assert rows[S.SENDER].tolist() == ["ann@x.org"] * 3
    assert rows[S.SENDER_NAME].tolist() == ["Ann"] * 3
    assert rows[S.MAILING_LIST].tolist() == ["team@lists.x.org"] * 3


def binary(values: list) -> pa.Array:
    """A header column as the reader gives it to the id rules: large_binary, null where absent."""
    return pa.array(values, type=pa.large_binary())


def test_date_texts_of_ascii_and_other_columns():
    """A column all of ASCII is taken as it is (one pass over its bytes); one value past ASCII
    sends the column to the per-value rule, which decodes that value. Empty values are null
    either way, and a sliced column is checked on its own rows only."""
    dates = [b"Mon, 6 Jan 2025 10:00:00 +0000", None, b"", b"6 Jan 2025 10:00 -0500"]
    assert M._date_array(binary(dates)).to_pylist() == [dates[0].decode(), None, None, dates[3].decode()]
    mixed = [*dates, b"Lun, 6 janv. 2025 10:00:00 +0100 (heure \xe9t\xe9)"]
    assert M._date_array(binary(mixed)).to_pylist()[4] == "Lun, 6 janv. 2025 10:00:00 +0100 (heure été)"
    assert M._date_array(binary(mixed)).to_pylist()[:4] == [dates[0].decode(), None, None, dates[3].decode()]
    assert M._date_array(binary(mixed).slice(0, 2)).to_pylist() == [dates[0].decode(), None]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([b"1789abc", None, b"17AB"], ["1789abc", None, "17AB"]),  # Gmail's: as they are
        ([b"1789", b" 17 "], ["1789", "17"]),  # blanks: each decoded and stripped
        ([b"1789", b""], ["1789", None]),  # an empty one: null
        ([b"17-89", b"\xe917"], ["17-89", "\xe917"]),  # other bytes: decoded (cp1252 here)
        ([None, None], [None, None]),
    ],
)
def test_thread_ids_as_they_are_or_decoded(values, expected):
    assert M._thread_id_array(binary(values)).to_pylist() == expected


def test_id_lists_of_folded_references_equal_the_per_value_rule(route):
    values = [
        b"<a@x> <b@x>",
        b"<a@x>\n <b@x>\t<a@x>",  # folded (as the column holds it before unfolding), a repeat
        None,
        b"<c@x>  <d@x>",
        b"<e@x> junk <f@x>",  # not plain: the tolerant rule
        b"<g\tx@y>",  # a blank inside the brackets: the tolerant rule
        b"",
    ]
    assert M._id_list_array(binary(values)).to_pylist() == [[] if not v else M._fast_ids(v) for v in values]
    assert M._id_list_array(binary(values)).to_pylist()[:4] == [
        ["a@x", "b@x"],
        ["a@x", "b@x"],
        [],
        ["c@x", "d@x"],
    ]
    # the first id of each list, null for none (a thread's root in the thread_id fallback)
    first = M._first_elements(M._id_list_array(binary(values))).to_pylist()
    assert first == ["a@x", "a@x", None, "c@x", "e@x", "g\tx@y", None]


def test_references_go_flat_and_come_back_as_lists(route):
    """A part sends References as FlatLists (each distinct id and list once, its own ids); the
    reading process makes the lists: equal lists one object, an id one str across its lists."""
    blocks = [
        b"\nFrom: a@x.org\nMessage-ID: <m%d@x>\nReferences: %s\nDate: Tue, 7 Jan 2025 10:00:00 +0000"
        % (k, refs)
        for k, refs in enumerate([b"<r1@x> <r2@x>", b"<r1@x>", b"<r1@x> <r2@x>", b"<r3@x>\n <r1@x>"])
    ]
    blocks.append(b"\nFrom: a@x.org\nMessage-ID: <m4@x>\nDate: Tue, 7 Jan 2025 10:00:00 +0000")
    batch = M.Batch("mbox", "box", "box.mbox")
    batch.add_mbox_blocks(blocks, [None] * 5, list(range(5)))
    parts = pickle.loads(pickle.dumps(batch.finish()["parts"]))  # as the reading process gets it
    sent = parts[S.REFERENCES]
    assert isinstance(sent, FlatLists) and sent.offsets.tolist() == [0, 2, 3, 5, 5]
    assert sorted(x for x in sent.elements if x) == ["r1@x", "r2@x", "r3@x"]  # each id once
    refs = M.frame_from_parts([M.prepare_parts(parts)])[S.REFERENCES].tolist()
    assert refs == [["r1@x", "r2@x"], ["r1@x"], ["r1@x", "r2@x"], ["r3@x", "r1@x"], []]
    assert refs[0] is refs[2] and refs[0][0] is refs[1][0] is refs[3][1]


ID_VALUES = [
    b"<a@x>",
    b"<a@x> <b@x>",
    b"<b@x> <a@x> <b@x>",  # a repeat
    b"<c@x>, <d@x>",  # comma: not plain
    b"<c@x>  <d@x>",  # two spaces: plain once the blanks are single
    b"<e@x> junk <f@x>",
    b"<g\tx@y>",
    b"<>",
    b"<h@\xc3\xa9x>",  # not ASCII
    b"i@x",  # no brackets
    b"<a@x>\n <b@x>",  # folded (as the column holds it before unfolding)
    b" \t<a@x>\r\n\t<b@x>\x0b ",  # blanks of every kind, at the edges too
    b"(a comment) <a@x> <b@x> (another)",
    b"<a@x><b@x>",  # no blank between
    b"<a@x> <a@x>",  # the same id twice
    b"<a@x>\x00<b@x>",  # a NUL inside the value: the whole column one value at a time
    b"<a@x>,\n <b@x> ,<c@x>",
    None,
    b"",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(ID_VALUES), max_size=30))
def test_id_lists_of_mixed_columns_equal_the_per_value_rule(values):
    # plain values are read together, the others one by one: the same lists as value by value
    assert M._id_list_array(binary(values)).to_pylist() == [[] if not v else M._fast_ids(v) for v in values]


def test_first_ids_exact(route):
    values = [
        b"<a@x>",
        b"<a\tb@x>",
        b"<a>b@x>",
        b"<a@x> <b@x>",
        b"<a b@x>",
        b"<>",
        b"<\xc3\xa9@x>",
        None,
        b"",
    ]
    ids = M._first_id_array(binary(values))
    assert ids.type == pa.large_string()
    # a tab and ">" are allowed inside the one-token rule; the others take _fast_ids, whose
    # tolerant rule (extract_ids) keeps what follows a space, and non-ASCII ids; "<>" holds none
    assert ids.to_pylist() == ["a@x", "a\tb@x", "a>b@x", "a@x", "b@x", None, "é@x", None, None]
    assert ids.to_pylist() == [(M._fast_ids(v) or [None])[0] if v else None for v in values]


def test_id_rules_read_a_sliced_column_with_nulls(route):
    column = binary([b"<z@x>", b"<a@x> <b@x>", None, b"<c@x> junk", b"<d@x>", None]).slice(1, 4)
    assert M._id_list_array(column).to_pylist() == [["a@x", "b@x"], [], ["c@x"], ["d@x"]]
    assert M._first_id_array(column).to_pylist() == ["a@x", None, "c@x", "d@x"]
    assert M._first_id_array(binary([])).to_pylist() == [] and M._id_list_array(binary([])).to_pylist() == []


def test_id_rules_in_c_refuse_a_malformed_column(speedups):
    offsets, data = np.array([0, 5, 5], dtype=np.int64), b"<a><"
    with pytest.raises(ValueError, match="offset 1 is out of order or past the 4 bytes of data"):
        speedups.first_ids(offsets, data, None)
    with pytest.raises(ValueError, match="offset 2 is out of order"):
        speedups.id_lists(np.array([0, 3, 2], dtype=np.int64), data, None)
    with pytest.raises(ValueError, match="3 validity bytes for 2 values"):
        speedups.id_lists(np.array([0, 2, 4], dtype=np.int64), data, b"\x01\x01\x01")
    with pytest.raises(ValueError, match="int64, one more than there are values"):
        speedups.first_ids(b"", data, None)


# pieces of which the values below are made: brackets, every ASCII blank, the edges of the id
# bytes of both rules (controls, "!", ";", "=", "?", "~", DEL), non-ASCII, commas, comments
ID_PIECES = [
    *(b"<", b">", b" ", b"\t", b"\n", b"\r", b"\x0b", b"\x0c", b"a", b"b@x", b"!", b";", b"=", b"?", b"~"),
    *(b"\x00", b"\x1f", b"\x7f", b"\x80", b"\xc3\xa9", b",", b"(c)", b"<a@x>", b"<b@x>", b"<a@x> "),
]
ID_COLUMN = st.lists(
    st.one_of(st.none(), st.lists(st.sampled_from(ID_PIECES), max_size=12).map(b"".join)), max_size=20
)


# (a skip, not the speedups fixture: hypothesis runs a function-scoped fixture once for all examples)
@pytest.mark.skipif(_native.SPEEDUPS is None, reason="the C speedups are not built")
@settings(max_examples=500, deadline=None)
@given(ID_COLUMN)
def test_ids_in_c_equal_the_arrow_route(values):
    in_c, in_python = in_c_and_python(
        lambda: (M._id_list_array(binary(values)), M._first_id_array(binary(values)))
    )
    for c, python in zip(in_c, in_python, strict=True):
        c.validate(full=True)
        assert c.type == python.type
        assert c.to_pylist() == python.to_pylist()
    assert in_c[0].to_pylist() == [[] if not v else M._fast_ids(v) for v in values]


def test_address_elements_are_parsed_alike_in_any_list():
    from netanalytics.io import _headers as H

    H._plain_address.cache_clear()
    a = H.parse_addresses(b"bob@y.org, Ann Lee <Ann@X.org>")
    b = H.parse_addresses(b"Cy <cy@z.org>, Ann Lee <Ann@X.org>,, not an address")
    assert a == (["bob@y.org", "ann@x.org"], ["", "Ann Lee"])
    assert b == (["cy@z.org", "ann@x.org"], ["Cy", "Ann Lee"])
    info = H._plain_address.cache_info()
    assert (info.hits, info.misses) == (1, 5)  # " Ann Lee <Ann@X.org>" once parsed for both lists


ELEMENT_PIECES = [
    "Ann",
    "Lee",
    "<",
    ">",
    "a@x.org",
    "@",
    ".",
    " ",
    "\t",
    '"',
    "(c)",
    "=?UTF-8?B?Wm/Dqw==?=",
    "mailto:",
    "Zoë",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(ELEMENT_PIECES), max_size=8),
    st.sampled_from(["", " ", "\t", " \t "]),
    st.sampled_from(["", " ", "\t "]),
)
def test_an_address_element_reads_the_same_with_spaces_around_it(pieces, before, after):
    # the address-list loops strip them, so that one cache entry serves an element first and
    # later in a list
    from netanalytics.io import _headers as H

    element = "".join(pieces)
    assert H._plain_address(before + element + after) == H._plain_address(element.strip(" \t"))


@pytest.fixture
def three_parts_as(tmp_path):
    """The generated mailbox's 300 messages parsed as three results of one worker (100 rows
    each, its caches and table of strings kept from one to the next), as they arrive."""
    from netanalytics.datasets import write_mbox

    path = write_mbox(tmp_path / "gen.mbox", 300, seed=3)
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        blocks, lines, positions = M.mbox_blocks(mm, M.check_mbox_start(mm, str(path)), len(mm))
    assert len(blocks) == 300

    def parse():
        M.clear_caches()
        results = []
        patch = pytest.MonkeyPatch()
        patch.setattr(M, "_IN_READER_WORKER", True)  # its table goes on from part to part
        for a in (0, 100, 200):
            batch = M.Batch("mbox", "gen", "gen.mbox")
            batch.add_mbox_blocks(blocks[a : a + 100], lines[a : a + 100], positions[a : a + 100])
            results.append(pickle.loads(pickle.dumps(batch.finish())))  # as a worker sends it
        patch.undo()
        M.clear_caches()
        return results

    return parse


@pytest.fixture
def three_parts(three_parts_as):
    return three_parts_as()


def _prepared(results: list[dict], shared: dict | None = None) -> list[dict]:
    """The parts of one read, prepared in order as combine_parts does."""
    tables: dict = {}
    return [M.prepare_parts(r["parts"], shared, tables) for r in results]


def test_parts_share_equal_recipient_lists_across_parts(route, three_parts):
    # the second and third parts send only the strings new to the worker
    sent = [r["parts"]["strings"] for r in three_parts]
    assert [x.start for x in sent] == [0, len(sent[0].strings), len(sent[0].strings) + len(sent[1].strings)]
    assert len(sent[1].strings) < len(sent[0].strings) / 2

    # as if another worker had made the third part: its strings are objects of its own
    def two_workers() -> list[dict]:
        copies = [pickle.loads(pickle.dumps(r)) for r in three_parts]
        other = copies[2]["parts"]["strings"]
        everything = sent[0].strings + sent[1].strings + other.strings
        copies[2]["parts"]["strings"] = other._replace(process=other.process + 1, start=0, strings=everything)
        return copies

    frame = M.frame_from_parts(_prepared([pickle.loads(pickle.dumps(r)) for r in three_parts], {}))
    assert len(frame) == 300
    for col in (S.TO, S.CC, S.TO_NAMES, S.CC_NAMES, S.LABELS):
        cells = frame[col].tolist()
        assert len({id(c) for c in cells}) == len({tuple(c) for c in cells}), col  # one list per value
        strings = [x for c in cells for x in c]
        assert len({id(x) for x in strings}) == len(set(strings)), col  # one str per value
    shared_by_two = M.frame_from_parts(_prepared(two_workers(), {}))
    pd.testing.assert_frame_equal(shared_by_two, frame)
    cells = shared_by_two[S.TO].tolist()
    assert len({id(x) for c in cells for x in c}) == len({x for c in cells for x in c})
    # without the shared dict, the two workers' strings stay two objects
    alone = M.frame_from_parts(_prepared(two_workers()))
    assert alone[S.TO].tolist() == frame[S.TO].tolist()
    cells = alone[S.TO].tolist()
    assert len({id(x) for c in cells for x in c}) > len({x for c in cells for x in c})


@pytest.mark.parametrize(
    ("dropped", "chunks"),
    [([], 3), ([0], 3), ([5, 150, 299], 5), ([100, 101, 199], 3), (list(range(0, 300, 3)), 3)],
)
def test_frame_of_kept_rows_equals_rows_of_the_frame(three_parts, dropped, chunks):
    # a few dropped rows: the parts' Arrow text is sliced; every third row: filtered (copied)
    parts = _prepared(three_parts, {})
    keep = np.ones(300, dtype=bool)
    keep[dropped] = False
    whole = M.frame_from_parts(parts)
    kept = M.frame_from_parts(parts, keep)
    pd.testing.assert_frame_equal(kept, whole.loc[keep].reset_index(drop=True))
    assert kept[S.MESSAGE_ID].array.__arrow_array__().num_chunks == chunks
    keys = M.frame_from_parts(parts, columns=[S.MESSAGE_ID, S.TIMESTAMP])
    pd.testing.assert_frame_equal(keys, whole[[S.MESSAGE_ID, S.TIMESTAMP]])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from([None, b"a", b"b"]), st.sampled_from([None, b"p", b"q"])), min_size=1)
)
def test_pairs_of_encoded_columns_encode_the_pairs(rows):
    from netanalytics.io import _headers as H

    a, b = [H.encode(list(col)) for col in zip(*rows, strict=True)]
    values, codes = M._pairs(a, b)
    expected_values, expected_codes = H.encode(rows)
    assert (values, codes.tolist()) == (expected_values, expected_codes.tolist())


BULK = [None, b"<mailto:u@x>", b"", b"list", b"bulk", b" Junk ", b"no", b"auto-generated"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ann@x.org", "noreply@x.org", None]),
            st.sampled_from(["Ann Lee", "kernel test robot", "Marc Bot", None]),
            st.sampled_from(BULK),
            st.sampled_from(BULK),
            st.sampled_from(BULK),
            st.booleans(),
        ),
        min_size=1,
    )
)
def test_automated_column_equals_the_per_message_rule(rows):
    import numpy as np

    from netanalytics.io import _headers as H

    batch = M.Batch("mbox", None, "f")
    senders, names, unsub, prec, autosub, listed = (list(c) for c in zip(*rows, strict=True))
    sender, name = M._Coded(*H.encode(senders)), M._Coded(*H.encode(names))
    got = batch._automated_column(
        sender, name, H.encode(unsub), H.encode(prec), H.encode(autosub), np.array(listed, dtype=bool)
    )
    assert got.tolist() == [batch._is_automated(*row) for row in rows]


_NAME_PIECES = [
    "kernel", " ", "\t", "test", "robot", "ROBOT", "Robot", "ro", "bot", "[bot]", "[", "]", "x", "\n", "é",
]  # fmt: skip


def test_bot_names_exact():
    names = ["kernel test robot", "Kernel Test Robot ", "dependabot[bot]", "github-actions[bot]", "robot"]
    names += ["Marc Bot", "Robot Framework", "Robotics Team", "robotnik", "ann robotson", "", None]
    assert M.bot_names(names) == [True] * 5 + [False] * 7


_KEY_PIECES = [
    "no", "reply", "do", "not", "notifications", "mailer", "daemon", "bounce", "s", "alerts",
    "owner", "owners", "request", "admin", "mailman", "sympa", "-", "_", ".", "+", "@", "@", "x",
    "mcsv.net", "facebookmail.com", "intercom-mail.com", "appspotmail.com", "bot", "robot", "ro", "\n",
    "é", "A",
]  # fmt: skip


@pytest.mark.parametrize(
    "pieces, together, one",
    [
        (_KEY_PIECES, M.automated_addresses, M.is_automated_address),
        (_NAME_PIECES, M.bot_names, M.is_bot_name),
    ],
    ids=["addresses", "bot names"],
)
@settings(max_examples=500, deadline=None)
@given(data=st.data())
def test_automated_rules_together_equal_the_per_value_rule(pieces, together, one, data):
    # the RE2 rule over whole values, for addresses: the local part's end is the first "@", a
    # domain follows an "@"; None, no "@", several "@", a newline (the per-value rule's), non-ASCII
    values = data.draw(
        st.lists(st.one_of(st.none(), st.lists(st.sampled_from(pieces), max_size=8).map("".join)))
    )
    assert together(values) == [one(v) for v in values]


def test_automated_addresses_exact():
    keys = ["a.noreply@x.com", "noreply-x@y", "xnoreply@y", "dev-request@l.org", "dev-request.x@l.org"]
    keys += ["owner-dev@x", "owner-dev", "x@em.mcsv.net", "mcsv.net@x", "a@b@facebookmail.com", "noreply\n@x"]
    assert M.automated_addresses(keys) == [
        True,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        True,
    ]


def test_address_lists_of_a_batch_survive_a_full_cache(monkeypatch):
    monkeypatch.setattr(M, "_CACHE_LIMIT", 2)
    M.clear_caches()
    batch = M.Batch("mbox", None, "f")
    first = batch._address_lists([b"a@x.org", None, b"Ann <b@x.org>, c@x.org"])
    assert first == [(["a@x.org"], []), ([], []), (["b@x.org", "c@x.org"], ["Ann", ""])]
    # two values met before, two new: more than the limit, the cache starts again
    second = batch._address_lists([b"d@x.org", b"a@x.org", b"", b"Ann <b@x.org>, c@x.org", b"e@x.org"])
    assert second == [(["d@x.org"], []), (["a@x.org"], []), ([], []), first[2], (["e@x.org"], [])]
    assert second[3][0] is batch._shared_addresses(b"Ann <b@x.org>, c@x.org")[0]
    M.clear_caches()


def _address_lists_run(calls: list[list]) -> tuple[list, list]:
    """The pairs of ``Batch._address_lists`` over several calls on one batch, and which of the
    pairs, lists and keys are one object (each named by the place it was first seen)."""
    M.clear_caches()
    batch = M.Batch("mbox", None, "f")
    pairs = [pair for raws in calls for pair in batch._address_lists(raws)]
    M.clear_caches()
    first: dict = {}
    name = lambda obj: first.setdefault(id(obj), len(first))  # noqa: E731
    return pairs, [(name(p), name(p[0]), name(p[1]), [name(k) for k in p[0]]) for p in pairs]


LONG_LIST = b", ".join(b"P%d <p%d@x.org>" % (i, i) for i in range(40))
# past the commas the C split keeps (64): 64, 65 and 100 elements, blanks around some
SPLIT_LISTS = [b",\t".join(b"q%d@x.org " % i for i in range(k)) for k in (64, 65, 100)]
_RULES = (H._plain_address, H.parse_addresses, H.decode_bytes, M._EMPTY)


def test_address_lists_in_c_equal_the_python_loop(speedups, monkeypatch):
    calls = [
        [*ADDRESS_VALUES, None, ADDRESS_VALUES[1]],
        # met before (from the cache), new, and a key of an earlier list in a new one
        [ADDRESS_VALUES[1], None, b"Cy <cy@z.org>, ann@x.org", b"Zo\xeb <zoe@x.org>, Ann <ann@x.org>"],
        # not UTF-8 after an element that is (read first as bytes, then the whole value as text)
        [b"Dee <dee@z.org>, Zo\xeb <zoe@x.org>", b"Dee <dee@z.org>"],
        # past the elements the C loop looks up ahead (32): padded, met before, without an address
        [LONG_LIST, LONG_LIST + b", \tann@x.org , nobody", LONG_LIST + b",\t Cy <cy@z.org>  "],
        SPLIT_LISTS,
    ]
    in_c = _address_lists_run(calls)
    monkeypatch.setattr(_native, "SPEEDUPS", None)
    in_python = _address_lists_run(calls)
    assert in_c == in_python
    pairs, shape = in_c
    assert pairs[1] == (["ann@x.org", "bob@y.org"], ["Ann Lee", ""])
    assert pairs[2] == (["ann@x.org", "bob@y.org"], ["Lee, Ann", ""])  # a quoted comma
    assert pairs[11] == (["zoe@x.org"], ["Zoë"])  # cp1252
    assert pairs[-9] == (["zoe@x.org", "ann@x.org"], ["Zoë", "Ann"])
    assert pairs[-8:-6] == [(["dee@z.org", "zoe@x.org"], ["Dee", "Zoë"]), (["dee@z.org"], ["Dee"])]
    assert pairs[0][1] is M._EMPTY and pairs[len(ADDRESS_VALUES)] == ([], [])  # no names; None
    assert shape[1][0] == shape[len(ADDRESS_VALUES) + 1][0] == shape[len(ADDRESS_VALUES) + 2][0]  # cached
    assert shape[-9][3][1] == shape[1][3][0]  # ann@x.org: one key object in every list
    assert shape[-8][3][0] == shape[-7][3][0]  # dee@z.org too, read as bytes and as text
    assert [p[0] for p in pairs[-3:]] == [[f"q{i}@x.org" for i in range(k)] for k in (64, 65, 100)]
    assert all(p[1] is M._EMPTY for p in pairs[-3:])  # no names
    people = [f"p{i}@x.org" for i in range(40)]
    assert pairs[-6:-3] == [
        (people, [f"P{i}" for i in range(40)]),
        ([*people, "ann@x.org"], [*(f"P{i}" for i in range(40)), ""]),  # "nobody" dropped, as the rule says
        ([*people, "cy@z.org"], [*(f"P{i}" for i in range(40)), "Cy"]),
    ]


def _decoded(table, flat: M._Flat) -> list[list]:
    """The lists of each row of a flat column, from the table's strings."""
    lists = M._lists_from_flat(flat, table.strings(0))
    return [lists[k] for k in (range(len(lists)) if flat.codes is None else flat.codes.tolist())]


def _address_columns_run(calls: list[list], seen_before: list, flattened: bool = False) -> tuple[list, list]:
    """Each call's To columns as ``Batch._address_columns`` makes them (decoded), on one batch
    that met ``seen_before`` through ``_address_lists`` first; and the strings of its table.
    ``flattened``: the lists of ``_address_lists`` put through ``FlatTable.flat`` instead."""
    M.clear_caches()
    batch = M.Batch("mbox", None, "f")
    batch._address_lists(seen_before)
    out = []
    for raws in calls:
        codes = np.arange(len(raws), dtype=np.int32)
        if flattened:
            pairs = batch._address_lists(raws)
            keys = M._flat(batch._table, M._Coded([k for k, _ in pairs], codes))
            names = M._flat(batch._table, M._Coded([v for _, v in pairs], codes))
        else:
            keys, names = batch._address_columns(raws, codes)
        out.append((_decoded(batch._table, keys), _decoded(batch._table, names)))
    strings = batch._table.strings(0)
    M.clear_caches()
    return out, sorted(strings)


def test_address_flat_in_c_equals_the_lists_flattened(speedups, monkeypatch):
    # the same values as the lists test: cached, new, not UTF-8, past the look-ahead
    calls = [
        [*ADDRESS_VALUES, None, ADDRESS_VALUES[1]],
        [ADDRESS_VALUES[1], None, b"Cy <cy@z.org>, ann@x.org", b"Zo\xeb <zoe@x.org>, Ann <ann@x.org>"],
        [b"Dee <dee@z.org>, Zo\xeb <zoe@x.org>", b"Dee <dee@z.org>", b"Dee <dee@z.org>, eve@z.org"],
        [LONG_LIST, LONG_LIST + b", \tann@x.org , nobody", LONG_LIST + b",\t Cy <cy@z.org>  "],
        SPLIT_LISTS,
    ]
    seen_before = [b"Cy <cy@z.org>, ann@x.org", b"eve@z.org"]  # (read from the cache)
    in_c = _address_columns_run(calls, seen_before)
    # the same lists, and the same strings added to the table, as the lists flattened
    assert in_c == _address_columns_run(calls, seen_before, flattened=True)
    monkeypatch.setattr(_native, "SPEEDUPS", None)
    monkeypatch.setitem(M._CACHES, "flat", M.FlatTable())
    in_python = _address_columns_run(calls, seen_before)
    # and the same lists as the Python route (whose strings are equal, not always one object:
    # a list read whole gets names of its own on either route, differently)
    assert in_c[0] == in_python[0] and set(in_c[1]) == set(in_python[1])
    lists = [pair for call in in_c[0] for pair in zip(*call, strict=True)]
    assert lists[1] == (["ann@x.org", "bob@y.org"], ["Ann Lee", ""])
    assert lists[0] == (["a@x.org"], []) and lists[len(ADDRESS_VALUES)] == ([], [])  # no names; None
    assert lists[-8] == (["dee@z.org"], ["Dee"]) and lists[-7] == (["dee@z.org", "eve@z.org"], ["Dee", ""])
    assert lists[-3:] == [([f"q{i}@x.org" for i in range(k)], []) for k in (64, 65, 100)]
    assert "" in in_c[1]  # the name of an element of a list with names


def test_address_flat_codes_follow_their_table(speedups):
    M.clear_caches()
    batch = M.Batch("mbox", None, "f")
    raws = [b"Ann <ann@x.org>, bob@y.org", b"bob@y.org, cy@z.org"]
    codes = np.arange(2, dtype=np.int32)
    rules = (batch._addr_cache, batch._element_cache, batch._shared, *_RULES)
    a, b = speedups.FlatTable(), speedups.FlatTable()
    # the elements' codes kept for table a, made again once a is emptied, then made for b
    for table in (a, a, b):
        if table is a and len(a):
            a.clear()
        keys, key_offsets, names, name_offsets = speedups.address_flat(raws, *rules, table)
        flat = M._Flat(np.frombuffer(keys, np.int32), np.frombuffer(key_offsets, np.int64), codes)
        assert _decoded(table, flat) == [["ann@x.org", "bob@y.org"], ["bob@y.org", "cy@z.org"]]
        flat = M._Flat(np.frombuffer(names, np.int32), np.frombuffer(name_offsets, np.int64), codes)
        assert _decoded(table, flat) == [["Ann", ""], []]  # the second list has no names
        # the strings table.flat would add: keys, and names of the lists that have one
        assert sorted(table.strings(0)) == ["", "Ann", "ann@x.org", "bob@y.org", "cy@z.org"]
    M.clear_caches()


def test_address_flat_refuses_what_it_cannot_read(speedups):
    table, elements = speedups.FlatTable(), speedups.ElementTable()
    with pytest.raises(TypeError, match="value 1 is a str, not bytes"):
        speedups.address_flat([b"a@x.org", "b@x.org"], {}, elements, {}, *_RULES, table)
    with pytest.raises(TypeError, match="must be netanalytics.io._speedups.FlatTable, not list"):
        speedups.address_flat([b"a@x.org"], {}, elements, {}, *_RULES, [])
    assert table.strings(0) == ["a@x.org"]  # coded before b"b@x.org" was refused


def test_flat_columns_take_patched_dropped_and_joined_rows(route):
    table = M._new_flat_table()
    a = M._flat(table, M._Coded([["x@a"], ["y@a", "z@a"]], np.array([0, 1, 0], dtype=np.int32)))
    b = M._flat(table, M._Coded([["z@a"]], None))
    patched = M._with_rows(a, [1, 2], [["p@a"], []], table)
    assert _decoded(table, patched) == [["x@a"], ["p@a"], []]
    assert _decoded(table, a) == [["x@a"], ["y@a", "z@a"], ["x@a"]]  # (not changed in place)
    assert _decoded(table, M._without_rows(patched, np.array([0, 2]))) == [["x@a"], []]
    joined = M._concat((a, b, [["q@a", "x@a"]]), table)  # a list chunk (the per-message route) too
    assert _decoded(table, joined) == [["x@a"], ["y@a", "z@a"], ["x@a"], ["z@a"], ["q@a", "x@a"]]
    assert joined.codes.dtype == np.int32 and joined.offsets.dtype == np.int64


def test_senders_of_a_group_follow_the_per_value_rule(route):
    from netanalytics.io import _headers as H

    names_only = [b"Ann Lee", b"=?UTF-8?B?Wm/DqyBTaGFybWE=?=", b"  ", b"<>"]
    raws = [*ADDRESS_VALUES, *names_only, None]
    M.clear_caches()
    batch = M.Batch("mbox", None, "f")
    got = list(zip(*batch._senders(raws), strict=True))  # (keys, names, counts) by row
    # the tolerant route's one-value call, and the rule itself
    assert got == [batch._sender(r) if r else (None, None, 0) for r in raws]
    assert got == [H.sender_from(r) if r else (None, None, 0) for r in raws]
    assert got[1] == ("ann@x.org", "Ann Lee", 2)
    assert got[-5:] == [
        ("name:Ann Lee", "Ann Lee", 0),
        ("name:Zoë Sharma", "Zoë Sharma", 0),
        (None, None, 0),
        ("name:<>", "<>", 0),
        (None, None, 0),
    ]
    # a sender is the shared string, the same object as the key in a recipient list
    ((to_keys, _),) = batch._address_lists([b"Ann Lee <Ann@X.org>"])
    assert got[1][0] is to_keys[0]
    M.clear_caches()


def test_senders_met_before_empty_or_absent_and_after_the_cache_is_emptied(route, monkeypatch):
    """Values met before come from the cache, an empty or absent From gives no sender, and a
    group that would overfill the cache empties it first: the same senders every way."""
    raws = [b"Ann <ann@x.org>", b"", None, b"bob@y.org"]
    expected = [("ann@x.org", "Ann", 1), (None, None, 0), (None, None, 0), ("bob@y.org", None, 1)]
    M.clear_caches()
    batch = M.Batch("mbox", None, "f")
    assert list(zip(*batch._senders(raws), strict=True)) == expected
    assert list(zip(*batch._senders(raws[::-1]), strict=True)) == expected[::-1]  # all met before
    monkeypatch.setattr(M, "_CACHE_LIMIT", 2)  # the next new value overfills it: emptied first
    more = [b"cy@z.org", *raws]
    assert list(zip(*batch._senders(more), strict=True)) == [("cy@z.org", None, 1), *expected]
    assert batch._senders([]) == ((), (), ())
    M.clear_caches()


def test_address_keys_stay_one_object_after_the_shared_strings_are_forgotten(route):
    M.clear_caches()
    batch = M.Batch("mbox", None, "f")
    batch._address_lists([b"Ann <ann@x.org>, bob@y.org"])
    batch._forget_shared()
    # ann@x.org again, in a plain list (its element met before) and in a quoted one (read whole)
    plain, quoted = batch._address_lists([b"Ann <ann@x.org>", b'"Lee, Ann" <ann@x.org>, cy@z.org'])
    M.clear_caches()
    assert (plain[0], quoted[0]) == (["ann@x.org"], ["ann@x.org", "cy@z.org"])
    assert plain[0][0] is quoted[0][0]


def test_address_lists_in_c_refuse_what_is_not_bytes(speedups):
    from netanalytics.io import _headers as H

    rules = (H._plain_address, H.parse_addresses, H.decode_bytes, [])
    table = speedups.ElementTable()
    with pytest.raises(TypeError, match="value 1 is a str, not bytes"):
        speedups.address_lists([b"a@x.org", "b@x.org"], {}, table, {}, *rules)
    with pytest.raises(TypeError, match=r"plain_address must give \(key, name\) or None"):
        # (not ASCII: an element the C loop does not read itself)
        speedups.address_lists(["Cé <c@x.org>".encode()], {}, table, {}, str, *rules[1:])
    with pytest.raises(TypeError, match=r"parse_addresses must give \(keys, names\) lists"):
        speedups.address_lists([b"group: a@x.org;"], {}, table, {}, H._plain_address, str, *rules[2:])
    with pytest.raises(TypeError, match=r"decode_bytes must give a str"):
        speedups.address_lists(
            [b"Zo\xeb <zoe@x.org>"], {}, table, {}, H._plain_address, H.parse_addresses, bytes, []
        )
    with pytest.raises(TypeError, match="must be netanalytics.io._speedups.ElementTable, not dict"):
        speedups.address_lists([b"a@x.org"], {}, {}, {}, *rules)
    assert len(table) == 1  # a@x.org, read before b"b@x.org" was refused


def test_element_table_grows_and_clears_and_the_lists_stay_equal(speedups, monkeypatch):
    people = [f"Person {i} <p{i}@x.org>" for i in range(3000)]  # past the first 1,024 slots
    raws = [", ".join(people[i : i + 4]).encode() for i in range(0, 3000, 2)]
    in_c = _address_lists_run([raws[:700], raws])
    table = M.Batch("mbox", None, "f")._element_cache
    batch = M.Batch("mbox", None, "f")
    batch._address_lists(raws)
    # one entry per person: " Person 1 <p1@x.org>" (later in a list) is read as "Person 1 <p1@x.org>"
    assert len(table) == len({e.strip() for r in raws for e in r.split(b",")}) == 3000
    table.clear()
    batch._addr_cache.clear()
    assert len(table) == 0
    assert batch._address_lists(raws[:1]) == [in_c[0][0]]  # read again after the clear
    assert len(table) == 4
    monkeypatch.setattr(_native, "SPEEDUPS", None)
    assert _address_lists_run([raws[:700], raws]) == in_c
    assert in_c[0][-1] == ([f"p{i}@x.org" for i in (2998, 2999)], ["Person 2998", "Person 2999"])


def test_a_long_list_finds_each_element_once_in_the_table(speedups):
    # the C loop hashes a list's first 32 elements ahead of its lookups, the rest one by one
    batch = M.Batch("mbox", None, "f")
    M.clear_caches()
    reordered = b", ".join(reversed(LONG_LIST.split(b", ")))
    first, second = batch._address_lists([LONG_LIST, reordered])
    assert len(batch._element_cache) == 40  # the second list found all 40 (its first 32 hashed ahead)
    assert first[0] == second[0][::-1] == [f"p{i}@x.org" for i in range(40)]
    assert all(a is b for a, b in zip(first[0], reversed(second[0]), strict=True))
    M.clear_caches()


def test_the_element_table_is_emptied_past_its_own_limit(speedups, monkeypatch):
    """The table of address elements read keeps up to _ELEMENT_LIMIT of them (not the smaller
    limit of the other caches), then starts again; the lists read are the same either way."""
    monkeypatch.setattr(M, "_CACHE_LIMIT", 10**6)  # (only the element table fills here)
    monkeypatch.setattr(M, "_ELEMENT_LIMIT", 40)
    M.clear_caches()
    batch = M.Batch("mbox", None, "f")
    people = [b"P%d <p%d@x.org>" % (i, i) for i in range(60)]
    first = batch._address_lists([b", ".join(people[:30]), b", ".join(people[30:45])])
    assert len(batch._element_cache) == 45  # past the limit only now: emptied before the next call
    second = batch._address_lists([b", ".join(people[40:60])])
    assert len(batch._element_cache) == 20
    assert first[1][0][10:] == second[0][0][:5] == [f"p{i}@x.org" for i in range(40, 45)]
    assert second[0][1] == [f"P{i}" for i in range(40, 60)]
    M.clear_caches()


def _identities(lists: list, shared: dict) -> tuple:
    """Which of ``lists`` (and of their strings, and of the values ``shared`` holds) are one
    object: each object named by the place it was first seen."""
    first: dict = {}
    name = lambda obj: first.setdefault(id(obj), len(first))  # noqa: E731
    return (
        [name(v) for v in lists],
        [name(x) for v in lists for x in v],
        sorted((k, name(v)) for k, v in shared.items() if isinstance(k, str)),
        sorted((k, name(v)) for k, v in shared.items() if isinstance(k, tuple)),
    )


@pytest.mark.usefixtures("speedups")
def test_interned_in_c_shares_what_python_shares(monkeypatch):
    def fresh(*xs):  # new string objects, equal to earlier ones
        return ["".join(list(x)) for x in xs]

    def run():
        old = ["old@x.org"]
        shared = {("old@x.org",): old}
        parts = [
            [fresh("ann@x.org", "bob@y.org"), fresh("bob@y.org"), [], fresh("old@x.org")],
            [fresh("bob@y.org"), fresh("ann@x.org", "bob@y.org"), fresh("cy@z.org", "cy@z.org"), []],
        ]
        inputs = [v for p in parts for v in p]
        out = [M._interned(np.fromiter(p, dtype=object, count=len(p)), shared) for p in parts]
        lists = [v for o in out for v in o]
        # which input list each output list is (-1: the one shared held before)
        which = [next((k for k, x in enumerate(inputs) if x is v), -1) for v in lists]
        return lists, which, sorted(shared)

    in_c = run()
    monkeypatch.setattr(_native, "SPEEDUPS", None)
    in_python = run()
    assert in_c == in_python
    lists, which, keys = in_c
    assert lists == [["ann@x.org", "bob@y.org"], ["bob@y.org"], [], ["old@x.org"],
                     ["bob@y.org"], ["ann@x.org", "bob@y.org"], ["cy@z.org", "cy@z.org"], []]  # fmt: skip
    # equal lists of two parts are the first one seen; the list shared held before is kept
    assert which == [0, 1, 2, -1, 1, 0, 6, 2]
    assert keys == [(), ("ann@x.org", "bob@y.org"), ("bob@y.org",), ("cy@z.org", "cy@z.org"), ("old@x.org",)]


def test_interned_refuses_what_is_not_a_list(speedups):
    with pytest.raises(TypeError, match="value 1 is a tuple, not a list"):
        speedups.interned([["a"], ("b",)], {})


# lists as a worker sends them: repeated elements, equal strings that are two objects, empty
# lists, None (a names list of the tolerant route may hold it), one list of its own
FLAT_LISTS = [
    ["ann@x.org", "bob@y.org"],
    [],
    ["bob@y.org", "".join(["ann", "@x.org"]), "bob@y.org"],
    [None, ""],
    [],
    ["cy@z.org"],
]


@pytest.mark.usefixtures("speedups")
def test_flat_tables_in_c_equal_the_python_loop():
    def run(table):
        first = table.flat(FLAT_LISTS)
        second = table.flat([["cy@z.org", "dee@z.org"], [FLAT_LISTS[0][1]]])  # codes go on
        strings = table.strings(0)
        return (
            [
                np.frombuffer(x, dtype=dtype).tolist()
                for x, dtype in zip([*first, *second], [np.int32, np.int64] * 2)
            ],
            strings,
            [x is FLAT_LISTS[0][0] for x in strings],
            table.strings(5),
            len(table),
        )

    in_c = run(_native.SPEEDUPS.FlatTable())
    assert in_c == run(M.FlatTable())
    (elements, offsets, more, more_offsets), strings, first_object, since_5, n = in_c
    # elements are told apart by identity: the second "ann@x.org" object has an entry of its own
    assert strings == ["ann@x.org", "bob@y.org", "ann@x.org", None, "", "cy@z.org", "dee@z.org"]
    assert elements == [0, 1, 1, 2, 1, 3, 4, 5]
    assert offsets == [0, 2, 2, 5, 7, 7, 8]
    assert more == [5, 6, 1] and more_offsets == [0, 2, 3]  # only "dee@z.org" is new
    assert first_object == [True, False, False, False, False, False, False]
    assert since_5 == ["cy@z.org", "dee@z.org"] and n == 7


@pytest.mark.parametrize("kind", ["python", "C"])
def test_flat_tables_grow_refuse_and_clear(kind, request):
    table = request.getfixturevalue("speedups").FlatTable() if kind == "C" else M.FlatTable()
    strings = [f"p{i}@x.org" for i in range(5000)]  # past the first table's 1,024 slots
    lists = [strings[i : i + 3] for i in range(0, 5000, 3)] + [strings[::-1]]
    elements, offsets = table.flat(lists)
    assert table.strings(0) == strings
    assert [strings[k] for k in np.frombuffer(elements, dtype=np.int32)] == [x for v in lists for x in v]
    assert np.frombuffer(offsets, dtype=np.int64)[-2:].tolist() == [5000, 10000]
    with pytest.raises(TypeError, match="value 1 is a tuple, not a list"):
        table.flat([["a"], ("b",)])
    with pytest.raises(ValueError, match="start 5001 is outside the table of 5000"):
        table.strings(5001)
    table.clear()
    assert len(table) == 0 and table.strings(0) == []
    elements, _ = table.flat([[strings[7]]])
    assert np.frombuffer(elements, dtype=np.int32).tolist() == [0] and table.strings(0) == [strings[7]]


def test_lists_from_flat_give_the_lists_back(route):
    table = M._CACHES["flat"]
    table.clear()
    flat = pickle.loads(
        pickle.dumps(M._flat(table, M._Coded(FLAT_LISTS, None)))
    )  # as the reading process gets it
    strings = pickle.loads(pickle.dumps(table.strings(0)))
    table.clear()
    lists = M._lists_from_flat(flat, strings)
    assert lists == FLAT_LISTS
    assert len({id(v) for v in lists}) == len(lists)  # new lists, one per distinct list
    assert {id(x) for v in lists for x in v if x == "bob@y.org"} == {id(strings[1])}
    # the worker's two "ann@x.org" objects stay two
    assert len({id(x) for v in lists for x in v if x == "ann@x.org"}) == 2


def _sent(strings: list, process: int = 7, start: int = 0) -> M._Strings:
    return M._Strings(process, start, strings)


def test_the_reading_process_keeps_each_process_strings_in_order():
    tables: dict = {}
    shared = {"bob@y.org": "".join(["bob", "@y.org"])}
    assert M._table_of(_sent(["ann@x.org", "bob@y.org"]), shared, tables) == ["ann@x.org", "bob@y.org"]
    assert tables[7][1] is shared["bob@y.org"]  # each string shared as it arrives
    assert M._table_of(_sent(["cy@z.org"], start=2), shared, tables) == ["ann@x.org", "bob@y.org", "cy@z.org"]
    assert M._table_of(_sent(["dee@z.org"], process=8), None, tables) == ["dee@z.org"]  # another process
    assert M._table_of(_sent(["eve@z.org"], start=0), shared, tables) == ["eve@z.org"]  # started anew
    with pytest.raises(RuntimeError, match="process 7 from code 3, but 1 of them are known"):
        M._table_of(_sent(["x@z.org"], start=3), shared, tables)
    with pytest.raises(RuntimeError, match="process 9 from code 2, but none of them are known"):
        M._table_of(_sent(["x@z.org"], process=9, start=2), shared, tables)


def test_parts_made_outside_a_reader_worker_have_tables_of_their_own(tmp_path):
    """Reads in threads of one process never share a table of strings: outside a reader worker
    each part starts its own, and the process's table is left alone."""
    from concurrent.futures import ThreadPoolExecutor

    from netanalytics.io import read_mbox

    M.clear_caches()
    first = _worker_result(
        tmp_path,
        "a",
        b"From - Tue Jan  7 10:00:00 2025\nFrom: a@z.org\nTo: b@z.org\nMessage-ID: <1@z>\n\nx\n",
    )
    second = _worker_result(
        tmp_path,
        "b",
        b"From - Tue Jan  7 10:00:00 2025\nFrom: a@z.org\nTo: c@z.org\nMessage-ID: <2@z>\n\nx\n",
    )
    assert (first["parts"]["strings"].start, second["parts"]["strings"].start) == (0, 0)
    assert second["parts"]["strings"].strings == ["c@z.org"] and len(M._CACHES["flat"]) == 0
    # small files read in threads (each in the reading process) give what one read at a time gives
    boxes = []
    for k in range(8):
        box = tmp_path / f"t{k}.mbox"
        box.write_bytes(
            b"".join(
                b"From - Tue Jan  7 10:00:00 2025\nFrom: a%d@z.org\nTo: b%d@z.org, c%d@z.org\nMessage-ID: <%d.%d@z>\n\nx\n\n"
                % (k, i, k * 100 + i, k, i)
                for i in range(200)
            )
        )
        boxes.append(box)
    alone = [read_mbox(b, cache=False, workers=1)[0] for b in boxes]
    for _ in range(3):  # (with one table per process, two runs in five failed)
        with ThreadPoolExecutor(4) as pool:
            together = list(pool.map(lambda b: read_mbox(b, cache=False, workers=1)[0], boxes))
        for a, b in zip(alone, together, strict=True):
            pd.testing.assert_frame_equal(a, b)


def test_a_task_in_the_reading_process_starts_its_table_anew(tmp_path):
    box = tmp_path / "one.mbox"
    box.write_bytes(b"From - Tue Jan  7 10:00:00 2025\nFrom: a@z.org\nTo: b@z.org\nMessage-ID: <1@z>\n\nx\n")
    M._CACHES["flat"].flat([["left@over.org"]])  # left by an earlier use of a Batch
    result = M.parse_mbox_range(str(box), 0, box.stat().st_size, None, "mbox", "one.mbox")
    assert result["parts"]["strings"].start == 0
    assert result["parts"]["strings"].strings == ["b@z.org"]
    assert len(M._CACHES["flat"]) == 0  # emptied after the task too


def _table_size() -> int:
    return len(M._CACHES["flat"])


def test_a_forked_process_starts_its_own_table():
    import multiprocessing

    table = M._CACHES["flat"]
    table.flat([["ann@x.org", "bob@y.org"]])
    try:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(1) as pool:
            assert pool.apply(_table_size) == 0
        assert len(table) >= 2  # the parent's table is its own
    finally:
        table.clear()


@pytest.mark.usefixtures("route")
def test_a_full_table_starts_anew_and_the_frame_is_the_same(three_parts_as, monkeypatch):
    whole = M.frame_from_parts(_prepared(three_parts_as()))
    monkeypatch.setattr(M, "_FLAT_LIMIT", 10)  # the table is emptied before each part
    parts = three_parts_as()
    assert [r["parts"]["strings"].start for r in parts] == [0, 0, 0]
    pd.testing.assert_frame_equal(M.frame_from_parts(_prepared(parts)), whole)


@pytest.mark.usefixtures("speedups")
def test_text_hashes_in_c_equal_the_numpy_sums(monkeypatch):
    ids = ["a@x", "b@x", "a@x", "é<ü>@y.org", "x" * 4096, "z"]
    arr = pa.array(["skipped", *ids], type=pa.large_string()).slice(1)  # an offset into its buffers
    in_c = M._text_hashes(arr)
    monkeypatch.setattr(_native, "SPEEDUPS", None)
    in_numpy = M._text_hashes(arr)
    assert in_c.dtype == np.uint64 and in_c.tolist() == in_numpy.tolist()
    assert in_c[0] == in_c[2] and len(set(in_c.tolist())) == 5
    # the sum of (byte + 1) * base ** position, XOR the length, modulo 2 ** 64
    base = 1099511628211
    assert in_c[0] == (sum((b + 1) * base**k for k, b in enumerate(b"a@x")) % 2**64) ^ 3
    assert M._text_hashes(pa.array(["a", ""], type=pa.large_string())) is None  # an empty id


def test_text_hashes_in_c_refuse_offsets_outside_the_data(speedups):
    with pytest.raises(ValueError, match="offset 2 is out of order or outside the data"):
        speedups.text_hashes(np.array([0, 2, 9], dtype=np.int64), b"abcd")
    with pytest.raises(ValueError, match="offsets must be int64"):
        speedups.text_hashes(b"abc", b"abcd")


def test_lists_from_flat_in_c_refuse_bad_codes_and_offsets(speedups):
    table = ["a", "b"]

    def flat(elements, offsets):
        return np.array(elements, dtype=np.int32), np.array(offsets, dtype=np.int64)

    with pytest.raises(ValueError, match="code 2 is outside the table of 2"):
        speedups.lists_from_flat(table, *flat([0, 2], [0, 2]))
    with pytest.raises(ValueError, match="code -1 is outside"):
        speedups.lists_from_flat(table, *flat([-1], [0, 1]))
    with pytest.raises(ValueError, match="offset 2 is out of order"):
        speedups.lists_from_flat(table, *flat([0, 1], [0, 2, 1, 2]))
    with pytest.raises(ValueError, match="must run from 0 to the number of codes"):
        speedups.lists_from_flat(table, *flat([0, 1], [0, 1]))
    with pytest.raises(ValueError, match="codes must be int32"):
        speedups.lists_from_flat(table, b"abc", np.array([0], dtype=np.int64))
    with pytest.raises(TypeError):
        speedups.lists_from_flat(tuple(table), *flat([0], [0, 1]))
    with pytest.raises(TypeError, match="takes no arguments"):
        speedups.FlatTable(table)


def _part(tmp_path: Path, name: str, recipients: list[str]) -> dict:
    """A worker's result for messages from ann@x.org to each of ``recipients``, as it arrives."""
    box = tmp_path / f"{name}.mbox"
    box.write_bytes(
        b"".join(
            b"From ann@x.org Mon Jan  6 10:00:00 2025\nFrom: Ann <ann@x.org>\nTo: %s\n"
            b"Message-ID: <%s.%d@x.org>\nDate: Mon, 6 Jan 2025 10:00:00 +0000\n\nbody\n\n"
            % (to.encode(), name.encode(), i)
            for i, to in enumerate(recipients)
        )
    )
    with open(box, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        blocks, lines, positions = M.mbox_blocks(mm, 0, len(mm))
    batch = M.Batch("mbox", None, str(box))
    batch.add_mbox_blocks(blocks, lines, positions)
    M.clear_caches()
    return pickle.loads(pickle.dumps(batch.finish()))["parts"]


def test_lists_are_shared_across_parts_only_where_they_recur_within_a_part(route, tmp_path):
    everyone = [f"p{i}@y.org" for i in range(6)]  # each message to someone else: no list recurs
    shared: dict = {}
    first = M.prepare_parts(_part(tmp_path, "a", everyone), shared)
    second = M.prepare_parts(_part(tmp_path, "b", everyone), shared)
    third = M.prepare_parts(_part(tmp_path, "c", ["team@y.org"] * 4 + ["p0@y.org"]), shared)
    fourth = M.prepare_parts(_part(tmp_path, "d", ["team@y.org"] * 3), shared)
    lists = {k for k in shared if isinstance(k, tuple)}
    # To of "a" and "b": 6 distinct lists in 6 rows, not keyed; of "c" and "d": 2 in 5 rows and 1
    # in 3, keyed; the empty lists of every part's Cc and names: 1 in each part, keyed
    assert lists == {("team@y.org",), ("p0@y.org",), ()}
    a, b = first[S.TO][0], second[S.TO][0]
    assert a.tolist() == b.tolist() == [[x] for x in everyone]
    assert all(x is not y and x[0] is y[0] for x, y in zip(a, b, strict=True))  # strings shared, lists not
    team_c, team_d = third[S.TO][0][0], fourth[S.TO][0][0]
    assert team_c == ["team@y.org"] and team_c is team_d  # a recurring list: one object


def _worker_result(tmp_path: Path, name: str, data: bytes) -> dict:
    """A worker's result for the mbox ``data``, its caches and strings kept (as a worker's)."""
    box = tmp_path / f"{name}.mbox"
    box.write_bytes(data)
    with open(box, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        blocks, lines, positions = M.mbox_blocks(mm, 0, len(mm))
    batch = M.Batch("mbox", None, str(box))
    batch.add_mbox_blocks(blocks, lines, positions)
    return pickle.loads(pickle.dumps(batch.finish()))


def test_a_part_without_rows_still_passes_on_its_worker_strings(tmp_path, monkeypatch):
    from netanalytics.io import email as E

    monkeypatch.setattr(M, "_IN_READER_WORKER", True)
    M.clear_caches()
    # a range of Gmail chat items only: skipped, no rows, but its To list reached the strings
    chat = _worker_result(
        tmp_path,
        "chat",
        b"From 1@xxx Tue Jan  7 10:05:00 +0000 2025\nX-Gmail-Labels: Chat\nFrom: a@z.org\nTo: b@z.org\n\nhi\n",
    )
    mail = _worker_result(
        tmp_path,
        "mail",
        b"From - Tue Jan  7 10:00:00 2025\nFrom: a@z.org\nTo: b@z.org, c@z.org\nMessage-ID: <1@z>\n\nx\n",
    )
    M.clear_caches()
    assert chat["parts"]["n"] == 0 and chat["parts"]["strings"].strings == ["b@z.org", "Chat"]  # To, labels
    assert mail["parts"]["strings"].start == 2
    frame, report = E.combine_parts([chat, mail], "box.mbox", "mbox")
    assert frame[S.TO].tolist() == [["b@z.org", "c@z.org"]]
    assert report.skipped == {"Gmail chat item": 1}


# elements of address lists near the C loop's own reading (printable ASCII "Name <addr>" or
# "addr") and just past it: quotes at a name's ends, encoded words, runs of spaces, '>' inside a
# name or after the address, a second '@' or '<', spaces inside the address, no '.', a leading
# '/', upper case, tabs and non-ASCII letters
_NAMES = st.sampled_from(
    [
        "",
        "Ann",
        "Ann  Lee",
        " Ann ",
        "'Ann'",
        "O'Brien",
        "=?UTF-8?Q?Ren=C3=A9?=",
        "a>b",
        "Zoë",
        "A\tB",
        "x=?",
        "\\",
    ]
)
_LOCALS = st.sampled_from(["ann", "Ann.Lee", "a+b", "", "/ann", "a b", "a<b", " ann"])
_DOMAINS = st.sampled_from(["x.org", "X.Org", "y.co.uk", "xorg", ".", "x.org ", "x.org@y.org", "x.org>"])


# encoded words near the C loop's own decoding (encoded_name in addresses.c: UTF-8, its aliases
# and ISO-8859-1, plain base64 or "=XX" quoted-printable, letters before U+0300) and past it:
# other charsets, a language suffix, missing or extra padding, letters outside the alphabet, a
# "=" without two hex digits, letters NFC changes, no-break spaces, controls and quotes
_WORD_TEXTS = [
    "Renée",
    "Zoë Núñez",
    "Søren",
    "Ann",
    "a_b",
    "x  y",
    "'q'",
    "\\",
    "e\u0301",
    "\u00a0a",
    "a\tb",
    "",
    "日本",
    "ł",
    "Ω",
]
_CHARSETS = [
    "utf-8",
    "UTF-8",
    "utf8",
    "us-ascii",
    "iso-8859-1",
    "ISO-8859-1",
    "latin1",
    "koi8-r",
    "utf-8*en",
    "x-unknown",
]


@st.composite
def _encoded_words(draw):
    text, charset, encoding = (
        draw(st.sampled_from(_WORD_TEXTS)),
        draw(st.sampled_from(_CHARSETS)),
        draw(st.sampled_from("BbQq")),
    )
    codec = (
        "latin-1"
        if charset.lower() in ("iso-8859-1", "latin1")
        else "koi8-r"
        if charset == "koi8-r"
        else "utf-8"
    )
    data = text.encode(codec, "replace")
    if encoding in "Bb":
        payload = base64.b64encode(data).decode()
        payload = draw(
            st.sampled_from(
                [payload, payload.rstrip("="), payload + "=", payload[:-1], payload.replace("A", " A")]
            )
        )
    else:
        hexes = draw(st.sampled_from(["=%02X", "=%02x"]))
        payload = "".join(chr(b) if 33 <= b < 127 and chr(b) not in "=?_" else hexes % b for b in data)
        payload = draw(
            st.sampled_from(
                [payload, payload + "=", payload.replace("=", "=G", 1), payload.replace("20", " ")]
            )
        )
    return f"=?{charset}?{encoding}?{payload}?="


_ENCODED_NAMES = st.lists(
    st.one_of(_encoded_words(), st.sampled_from(["Ann", "O'Brien", "'", "=?", "?=", "x=?y", "a?= =?b"])),
    min_size=1,
    max_size=3,
).flatmap(lambda pieces: st.sampled_from(["", " ", "  "]).map(lambda gap: gap.join(pieces)))


@st.composite
def _elements(draw):
    address = draw(_LOCALS) + draw(st.sampled_from(["@", "@", "@", ""])) + draw(_DOMAINS)
    form = draw(
        st.sampled_from(["{name} <{address}>", "{address}", "{name}<{address}>", "{name} <{address}> x"])
    )
    return form.format(name=draw(st.one_of(_NAMES, _ENCODED_NAMES)), address=address)


# (a skip, not the speedups fixture: hypothesis runs a function-scoped fixture once for all examples)
@pytest.mark.skipif(_native.SPEEDUPS is None, reason="the C speedups are not built")
@settings(max_examples=400, deadline=None)
@given(st.lists(_elements(), min_size=1, max_size=5))
def test_the_c_loop_reads_elements_as_plain_address_does(elements):
    """The elements the C loop reads without calling _headers._plain_address (printable ASCII,
    see ascii_plain in addresses.c) give what the Python loop gives, and so do the rest."""
    raws = [
        ", ".join(elements).encode(),
        *(e.encode() for e in elements),
    ]  # (one bad element: all read whole)
    in_c = _address_lists_run([raws])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_native, "SPEEDUPS", None)
        in_python = _address_lists_run([raws])
    assert in_c == in_python


# (element, key, name, read by the C loop itself): encoded_name in addresses.c takes the common
# encoded words and names with "'"; the rest go to _headers._plain_address
_ENCODED_ELEMENTS = [
    ("=?UTF-8?B?UmVuw6llIFNpbHZh?= <Renee@X.org>", "renee@x.org", "Renée Silva", True),
    ("=?utf-8?q?Ren=C3=A9e?=  Silva <r@x.org>", "r@x.org", "Renée Silva", True),
    ("=?iso-8859-1?Q?Zo=EB_?=  Lee <z@x.org>", "z@x.org", "Zoë Lee", True),
    ("=?utf-8?q?Ren=C3=A9?=   =?UTF-8?B?ZQ?= <r@x.org>", "r@x.org", "Renée", True),  # words joined
    ("=?us-ascii?Q?Ann?= <a@x.org>", "a@x.org", "Ann", True),
    ("O'Brien <o@x.org>", "o@x.org", "O'Brien", True),
    ("'Ann Lee' <a@x.org>", "a@x.org", "Ann Lee", True),
    ("' Ann  Lee ' <a@x.org>", "a@x.org", "Ann Lee", True),  # blanks inside the quotes: stripped again
    ("=?latin1?q?=27Ann=27?= <a@x.org>", "a@x.org", "Ann", True),
    ("=?utf-8?b??= <e@x.org>", "e@x.org", "", True),
    ("a=?b ?= <x@x.org>", "x@x.org", "a=?b ?=", True),  # no encoded word
    ("=?koi8-r?B?8NLJ18XU?= <k@x.org>", "k@x.org", "Привет", False),  # another charset
    ("=?utf-8?b?5pel5pys?= <j@x.org>", "j@x.org", "日本", False),  # past U+0300
    ("=?utf-8?q?e=CC=81?= <e@x.org>", "e@x.org", "é", False),  # NFC joins the accent
    ("=?utf-8?q?a=C2=A0b?= <n@x.org>", "n@x.org", "a b", False),  # a no-break space
    ("=?utf-8?q?=E9?= <l@x.org>", "l@x.org", "é", False),  # not UTF-8: guessed
    ("=?utf-8?q?a=2?= <q@x.org>", "q@x.org", "a=2", False),  # "=" without two hex digits
    ("=?utf-8?b?UmVu=?= <r@x.org>", "r@x.org", "Ren", False),  # extra padding
]


@pytest.mark.parametrize(("element", "key", "name", "in_c"), _ENCODED_ELEMENTS)
def test_the_c_loop_decodes_the_common_encoded_names_itself(speedups, monkeypatch, element, key, name, in_c):
    """A name in encoded words of UTF-8 or ISO-8859-1, or with a "'", is read without calling
    _plain_address; the others are left to it. The pair is the same either way."""
    asked = []
    read = H._plain_address.__wrapped__  # (not its cache: each element asked for once here)

    def plain_address(part):
        asked.append(part)
        return read(part)

    monkeypatch.setattr(H, "_plain_address", plain_address)
    (pairs, _) = _address_lists_run([[element.encode()]])
    assert pairs == [([key], [name] if name else [])]  # (a list without names has none)
    assert asked == ([] if in_c else [element])


@pytest.mark.parametrize("name", ["openbmc", "kasan-dev"])
def test_the_c_loop_reads_every_address_list_of_the_real_corpora_as_python_does(speedups, name):
    """Every From, To and Cc value of the real corpora (their names in encoded words, with "'",
    quoted, in lists of dozens) gives the same pairs, and the same shared objects, in C and in
    the Python loop."""
    raws = [
        value
        for block in corpus_blocks(name)
        for header, value in H.split_header_lines(block).items()
        if header in (b"from", b"to", b"cc")
    ]
    in_c = _address_lists_run([raws])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_native, "SPEEDUPS", None)
        assert _address_lists_run([raws]) == in_c


def test_no_text_of_letters_before_u0300_changes_under_nfc():
    """encoded_name (addresses.c) leaves NFC out for letters before U+0300: none of them, alone
    or after another, is changed by it (every pair)."""
    letters = [chr(c) for c in range(0x20, 0x300) if c not in (0x85, 0xA0)]
    assert all(unicodedata.is_normalized("NFC", a + b) for a in letters for b in letters)


_LIST_PIECES = [
    "linux", "-", "_", ".", "+", "@", "@", "dev", "devel", "user", "users", "announce", "l", "list",
    "lists", "mailman", "groups", "vger.kernel.org", "googlegroups.com", "groups.io", "x.org",
    "request", "owner", "noreply", "sympa", "appspotmail.com", "mcsv.net", "bot", "robot", "\n", "é", "A",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.none(), st.lists(st.sampled_from(_LIST_PIECES), max_size=8).map("".join))))
def test_list_addresses_together_equal_the_per_key_rule(keys):
    # the RE2 rule over whole keys: hosts after the first "@", list names, management and
    # machine addresses before it, machine domains at the end; None, no "@", several "@", a
    # newline, non-ASCII
    assert M.list_addresses(keys) == [M.is_list_address(k) for k in keys]


def test_list_addresses_exact():
    cases = [
        ("linux-mm@kvack.org", True),
        ("dev@lists.x.org", True),
        ("ann@x.org", False),
        ("ann.list@x.org", True),
        ("k@googlegroups.com", True),
        ("k@googlegroups.com.x", False),
        ("x@y@lists.z", False),
        ("tools-devel@x", True),
        ("a-request@x", True),
        ("mailman@x", True),
        ("linux-", False),
        (None, False),
        # a bot's address, a reply to it making it a recipient (an App Engine program: syzbot)
        ("syzbot+8d41ad9c@syzkaller.appspotmail.com", True),
        ("ann@appspotmail.com.example.org", False),
        # bots by name, and people whose addresses only look so (a surname after a dot)
        ("pr-tracker-bot@kernel.org", True),
        ("bot@kernelci.org", True),
        ("marc.bot@example.nl", False),
        ("talbot@example.org", False),
        # a mail service's staff, who also receive mail, are people
        ("jane.doe@salesforce.com", False),
    ]
    assert M.list_addresses([key for key, _ in cases]) == [listed for _, listed in cases]
    assert M.list_addresses([]) == []
