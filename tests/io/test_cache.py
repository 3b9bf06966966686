"""The Parquet cache gives back the frame it stored, list columns as Python lists."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq

from netanalytics.io import cache as C


def roundtrip(tmp_path, frame: pd.DataFrame, lists: list[str]) -> pd.DataFrame:
    C.save(tmp_path, "k", frame, {"kept": len(frame)}, lists)
    back, meta = C.load(tmp_path, "k", lists)
    assert meta == {"kept": len(frame)}
    return back


def test_repeating_lists_come_back_shared(tmp_path):
    to = [["a@x.org"], ["a@x.org", "b@y.org"], [], ["a@x.org"]] * 50
    refs = [[f"r{i}@x"] for i in range(200)]
    back = roundtrip(
        tmp_path, pd.DataFrame({"to": to, "references": refs, "n": range(200)}), ["to", "references"]
    )
    assert back["to"].tolist() == to and back["references"].tolist() == refs
    assert back["n"].tolist() == list(range(200))
    cells = back["to"].tolist()
    assert cells[0] is cells[3] and cells[0] is not cells[1]  # one list per distinct value
    assert all(type(c) is list for c in cells + back["references"].tolist())


def test_lists_holding_the_key_separator_or_nulls(tmp_path):
    # "a\x1fb" and ["a", "b"] would join to the same key: the column is built row by row
    tricky = [["a\x1fb"], ["a", "b"]] * 20
    with_none = [["x", None], ["x", None]] * 20
    back = roundtrip(tmp_path, pd.DataFrame({"t": tricky, "w": with_none}), ["t", "w"])
    assert back["t"].tolist() == tricky
    assert back["w"].tolist() == with_none


def test_empty_frame(tmp_path):
    back = roundtrip(tmp_path, pd.DataFrame({"to": pd.Series([], dtype=object)}), ["to"])
    assert len(back) == 0 and list(back.columns) == ["to"]


def test_a_list_column_of_empty_lists(tmp_path):
    # every list empty (people without e-mail, a LinkedIn export with connections only):
    # Arrow stores list<null>, whose values have no string buffer
    frame = pd.DataFrame({"emails": [[], [], []], "n": [1, 2, 3]})
    assert roundtrip(tmp_path, frame, ["emails"])["emails"].tolist() == [[], [], []]
    assert C.save_frames(tmp_path / "entry", {"people": frame}, {})
    frames, _ = C.load_frames(tmp_path / "entry")
    back = frames["people"]
    assert back["emails"].tolist() == [[], [], []] and back["n"].tolist() == [1, 2, 3]
    assert all(type(c) is list for c in back["emails"])


def test_reference_lists_share_their_ids_and_equal_lists(tmp_path):
    # a thread: each reply's References holds the ids before it; siblings' lists are equal
    refs = [[], ["m1"], ["m1", "m2"], ["m1", "m2"], ["m1", "m2", "m3"]] * 3
    back = roundtrip(tmp_path, pd.DataFrame({"references": refs}), ["references"])
    cells = back["references"].tolist()
    assert cells == refs
    assert cells[2] is cells[3] and cells[2][0] is cells[1][0] is cells[4][0]


def test_row_groups_with_different_dictionaries(tmp_path):
    # Parquet keeps one dictionary per row group: read back dictionary-encoded, the groups'
    # dictionaries are merged, and equal strings of different groups are one object
    to = [["a"], ["b", "a"], ["c"], ["d", "c"], ["a", "d"], ["e"]]
    C.save(tmp_path, "k", pd.DataFrame({"to": to, "n": range(6)}), {}, ["to"])
    table = pq.read_table(tmp_path / "k.parquet")
    pq.write_table(table, tmp_path / "k.parquet", row_group_size=2)
    assert pq.ParquetFile(tmp_path / "k.parquet").metadata.num_row_groups == 3
    back, _ = C.load(tmp_path, "k", ["to"])
    cells = back["to"].tolist()
    assert cells == to and back["n"].tolist() == list(range(6))
    assert cells[0][0] is cells[4][0]


def test_save_frames_writes_every_frame_with_its_layout_in_order(tmp_path):
    # frames are written two at a time: each comes back whole, with the manifest in frame order
    frames = {
        f"f{i}": pd.DataFrame(
            {"emails": [[f"a{i}@x.org"], [], None], "name": [f"n{i}", None, "z"], "n": [i, i + 1, i + 2]},
            index=pd.Index([f"p{i}", "q", "r"], dtype=object),
        )
        for i in range(5)
    }
    frames["absent"] = None
    assert C.save_frames(tmp_path / "entry", frames, {"k": 1})
    back, meta = C.load_frames(tmp_path / "entry")
    assert meta == {"k": 1} and list(back) == list(frames) and back["absent"] is None
    for name, frame in frames.items():
        if frame is not None:
            assert back[name]["emails"].tolist() == frame["emails"].tolist()
            assert back[name]["name"].tolist() == frame["name"].tolist()
            assert back[name].index.tolist() == frame.index.tolist()


def test_save_frames_leaves_nothing_when_a_frame_cannot_be_stored(tmp_path):
    # a column mixing lists and text has no Parquet type: no entry, no temporary folder, no error
    good = pd.DataFrame({"n": range(1000)})
    bad = pd.DataFrame({"mixed": [["a"], "b"]})
    assert not C.save_frames(tmp_path / "entry", {"a": good, "b": bad, "c": good, "d": good}, {})
    assert list(tmp_path.iterdir()) == []


def test_save_frames_finds_list_columns_after_missing_values(tmp_path):
    # a list column whose first rows are missing is still stored as lists (its layout says so);
    # text and numbers are not lists
    to = ["a@x.org"]
    frame = pd.DataFrame(
        {
            "to": [None, float("nan"), to, [], to],
            "name": pd.Series([None, "Ann", "Bob", None, "Ann"], dtype=object),
            "n": [1, 2, 3, 4, 5],
        }
    )
    assert C.save_frames(tmp_path / "entry", {"messages": frame}, {})
    manifest = json.loads((tmp_path / "entry" / "manifest.json").read_text())
    assert manifest["frames"]["messages"] == {"lists": ["to"], "objects": ["name"], "object_index": False}
    frames, _ = C.load_frames(tmp_path / "entry")
    back = frames["messages"]
    assert back["to"].tolist() == [None, None, to, [], to]
    assert back["name"].tolist() == [None, "Ann", "Bob", None, "Ann"] and back["n"].tolist() == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert type(back["to"].iloc[3]) is list


def test_save_frames_text_comes_back_as_shared_strings_across_row_groups(tmp_path):
    # text columns are read dictionary-encoded: each distinct string one object, None for
    # missing, whatever the row groups (each with its own dictionary) of the file
    ids = pd.Series(["<1@x>", "<2@x>", None, "<1@x>", "<3@x>", "<2@x>"], dtype=object)
    frame = pd.DataFrame({"message_id": ids, "n": range(6)}, index=pd.Index(list("abcdef"), dtype=object))
    assert C.save_frames(tmp_path / "entry", {"participation": frame}, {})
    path = tmp_path / "entry" / "participation.parquet"
    pq.write_table(pq.read_table(path), path, row_group_size=2)
    assert pq.ParquetFile(path).metadata.num_row_groups == 3
    frames, _ = C.load_frames(tmp_path / "entry")
    back = frames["participation"]
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    cells = back["message_id"].tolist()
    assert cells[0] is cells[3] and cells[1] is cells[5] and cells[2] is None
