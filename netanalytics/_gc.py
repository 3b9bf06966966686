"""One context manager shared by the readers and identity resolution."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block, and restore its state after
    (also on error).

    Parsing a big file or resolving identities allocates millions of small acyclic objects
    (lists, sets, counters) that reference counting frees; each allocation burst would
    otherwise trigger collections that walk the whole heap, the loaded frames included, and
    cost a third of the time.

    When the block ends, what it left alive goes to the oldest generation unwalked (a freeze
    then an unfreeze, when nothing else is frozen): re-enabled, the collector would otherwise
    start with one collection of everything allocated during the pause, the loaded frames'
    lists included (0.06 s at the end of reading 100,000 high-cardinality messages).

    Examples
    --------
    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()  # (moves every tracked object to the permanent generation, O(1))
                gc.unfreeze()  # ... and from there to the oldest one
            gc.enable()
