"""The progress bar the readers and the loader show (tqdm), without tqdm's monitor thread."""

from __future__ import annotations

from tqdm import tqdm

__all__ = ["ProgressBar"]


class ProgressBar(tqdm):
    """A tqdm bar that starts no thread.

    Notes
    -----
    tqdm starts a monitor thread with its first bar, even a disabled one, and the thread lives
    as long as the process. It only adjusts the refresh rate of bars that stall. A process
    that runs another thread is unsafe to fork (the report's figure workers are forked, see
    :func:`netanalytics._fork.default_workers`), so netanalytics' bars go without it.
    """

    monitor_interval = 0
