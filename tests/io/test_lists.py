"""shared_lists: Python lists from an Arrow list column, one object per distinct list and string;
flat_lists: the same, flat (as a mail worker sends References); lists_from_codes: the lists back;
arrow_lists: a column of Python lists to Arrow, each distinct list object converted once."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from netanalytics.io._lists import arrow_lists, first_rows, flat_lists, lists_from_codes, shared_lists


def rows(lists: pa.Array) -> list:
    distinct, codes = shared_lists(lists)
    return [distinct[c] for c in codes.tolist()]


def test_equal_lists_and_equal_strings_are_one_object():
    refs = [["a@x", "b@x"], [], ["a@x", "b@x"], ["b@x"], ["a@x", "b@x", "c@x"], []]
    distinct, codes = shared_lists(pa.array(refs))
    out = [distinct[c] for c in codes.tolist()]
    assert out == refs
    assert len(distinct) == 4 and codes.dtype.name == "int32"
    assert out[0] is out[2] and out[1] is out[5] and out[0] is not out[4]
    assert out[0][1] is out[3][0] is out[4][1]  # "b@x": one str in three lists
    assert all(type(x) is list for x in out)


def test_order_of_elements_and_repeats_within_a_list_are_kept():
    # ["a", "b"] and ["b", "a"] differ; so do ["a"] and ["a", "a"]
    refs = [["a", "b"], ["b", "a"], ["a"], ["a", "a"], ["b", "a"]]
    distinct, _ = shared_lists(pa.array(refs))
    assert rows(pa.array(refs)) == refs and len(distinct) == 4


def test_null_elements_large_lists_slices_and_dictionary_elements():
    assert rows(pa.array([["x", None], ["x", None], [None]])) == [["x", None], ["x", None], [None]]
    big = pa.array([["a"], ["b"], ["a"], ["c"]], type=pa.large_list(pa.large_string()))
    assert rows(big.slice(1, 3)) == [["b"], ["a"], ["c"]]
    coded = pa.ListArray.from_arrays(pa.array([0, 2, 2, 3]), pc.dictionary_encode(pa.array(["p", "q", "p"])))
    assert rows(coded) == [["p", "q"], [], ["p"]]


def test_empty_columns_and_columns_of_empty_lists():
    assert shared_lists(pa.array([], type=pa.list_(pa.string())))[0] == []
    distinct, codes = shared_lists(pa.array([[], [], []]))  # list<null>
    assert distinct == [[]] and codes.tolist() == [0, 0, 0]


def test_a_null_row_is_refused():
    with pytest.raises(ValueError, match="null rows"):
        shared_lists(pa.array([["a"], None]))


def test_flat_lists_hold_each_distinct_element_and_list_once():
    flat = flat_lists(pa.array([["<a@x>", "<b@x>"], [], ["<a@x>", "<b@x>"], ["<b@x>", None], []]))
    assert flat.elements == ["<a@x>", "<b@x>", None]  # (a null element: the last slot)
    assert flat.codes.dtype.name == "int32" and flat.codes.tolist() == [0, 1, 1, 2]
    assert flat.offsets.dtype.name == "int64" and flat.offsets.tolist() == [0, 2, 2, 4]
    assert flat.rows.dtype.name == "int32" and flat.rows.tolist() == [0, 1, 0, 2, 1]
    flat = flat_lists(pa.array([], type=pa.large_list(pa.large_string())))
    assert flat.codes.tolist() == [] and flat.offsets.tolist() == [0] and flat.rows.tolist() == []


def test_lists_from_codes_make_new_lists_of_the_elements(route):
    elements = ["p", "q", None]
    lists = lists_from_codes(elements, np.array([1, 0, 2, 1], np.int32), np.array([0, 2, 2, 4], np.int64))
    assert lists == [["q", "p"], [], [None, "q"]]
    assert lists[0][0] is elements[1] and lists[2][1] is elements[1]
    assert lists_from_codes([], np.array([], np.int32), np.array([0], np.int64)) == []


def test_shared_lists_are_the_same_on_both_routes(route):
    refs = [["<1@x>", "<2@x>"], [], ["<1@x>", "<2@x>"], ["<2@x>"], ["<3@x>", None]]
    distinct, codes = shared_lists(pa.array(refs, type=pa.large_list(pa.large_string())))
    out = [distinct[c] for c in codes.tolist()]
    assert out == refs and out[0] is out[2] and out[0][1] is out[3][0]


def test_arrow_lists_is_the_conversion_of_every_row():
    # rows sharing list objects (as the readers give them), a missing row, a null element, and
    # an equal list that is another object: the same array as converting row by row
    to, cc, empty = ["a@x", "b@y"], ["c@z", None], []
    column = np.array([to, empty, to, None, cc, to, ["a@x", "b@y"], empty, to, float("nan")], dtype=object)
    assert first_rows(column)[1].tolist() == [0, 1, 3, 4, 6, 9]  # 6 distinct objects of 10 rows
    for kwargs in ({"from_pandas": True}, {"type": pa.list_(pa.string()), "from_pandas": True}):
        got, want = arrow_lists(column, **kwargs), pa.array(column, **kwargs)
        assert got.type == want.type and got.equals(want)
    assert arrow_lists(column, from_pandas=True).to_pylist()[:5] == [to, [], to, None, cc]


def test_arrow_lists_of_empty_lists_and_of_distinct_lists():
    # every list empty: Arrow infers list<null>, as for the whole column
    empty = []
    assert arrow_lists([empty] * 4).type == pa.array([[]] * 4).type == pa.list_(pa.null())
    # more than half the rows distinct objects: converted as they are (nothing shared to save)
    refs = [[f"m{i}"] for i in range(5)] + [["m0"]]
    assert arrow_lists(refs).to_pylist() == refs
    assert arrow_lists([]).to_pylist() == []


def test_first_rows_number_each_combination_of_objects_in_order():
    a, b, c = ["x"], ["x"], ["y"]  # a and b are equal, not one object
    names_1, names_2 = ["X"], ["X"]
    code, first = first_rows([a, b, a, c, a], [names_1, names_1, names_2, names_1, names_1])
    assert code.tolist() == [0, 1, 2, 3, 0]
    assert first.tolist() == [0, 1, 2, 3]
    code, first = first_rows([c, a, c, a])
    assert (code.tolist(), first.tolist()) == ([0, 1, 0, 1], [0, 1])
