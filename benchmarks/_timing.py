"""What the benchmark scripts share: a call's best time of several (they run as scripts, so this
folder is first on ``sys.path`` and ``from _timing import best_of`` finds it)."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(func: Callable[[], object], repeat: int = 3) -> float:
    """The shortest wall-clock time, in seconds, of ``repeat`` calls of ``func``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)
