"""netanalytics._gc.gc_paused: the collector paused, then restored, and what the block left
alive handed to the oldest generation without a collection."""

import gc

import pytest

from netanalytics._gc import gc_paused


@pytest.fixture
def collector():
    """The collector enabled, nothing frozen, and a record of the collections it runs; restored after."""
    was = gc.isenabled()
    assert gc.get_freeze_count() == 0
    runs = []

    def record(phase, info):
        if phase == "start":
            runs.append(info["generation"])

    gc.enable()
    gc.callbacks.append(record)
    try:
        yield runs
    finally:
        gc.callbacks.remove(record)
        gc.unfreeze()
        (gc.enable if was else gc.disable)()


def test_what_the_block_leaves_alive_goes_to_the_oldest_generation_without_a_collection(collector):
    with gc_paused():
        assert not gc.isenabled()
        kept = [[str(i)] for i in range(50_000)]  # far more than one generation-0 threshold
    assert gc.isenabled()
    assert gc.get_count()[0] < 50  # (the few allocations since the block ended)
    assert any(x is kept[0] for x in gc.get_objects(generation=2))
    assert not any(x is kept[0] for x in gc.get_objects(generation=0))
    assert gc.get_freeze_count() == 0
    allocated = [[i] for i in range(1_000)]  # the collector runs again as usual
    assert collector, "no collection after 1,000 new lists"
    assert kept[-1] == ["49999"] and len(allocated) == 1_000


def test_no_collection_when_the_block_ends(collector):
    with gc_paused():
        kept = [[i] for i in range(50_000)]
    assert collector == []
    assert len(kept) == 50_000


def test_objects_frozen_by_the_caller_stay_frozen(collector):
    frozen = [["mine"]]
    gc.freeze()
    n = gc.get_freeze_count()
    with gc_paused():
        kept = [[i] for i in range(1_000)]
    assert gc.get_freeze_count() == n  # not unfrozen by the block
    assert not any(x is frozen[0] for x in gc.get_objects())  # still frozen (in no generation)
    assert not any(x is kept[0] for x in gc.get_objects(generation=2))  # not handed over
    assert frozen == [["mine"]]


def test_nested_blocks_hand_over_once_and_an_error_restores_the_collector(collector):
    with pytest.raises(ZeroDivisionError):
        with gc_paused():
            with gc_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # the inner block does not re-enable it
            raise ZeroDivisionError
    assert gc.isenabled()
    gc.disable()
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # a disabled collector stays disabled
