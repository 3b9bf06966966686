"""Regenerate ``sample_data/`` (seed 0, default arguments) with ``netanalytics.datasets.synthesize``."""

from __future__ import annotations

import shutil
from pathlib import Path

from netanalytics.datasets import synthesize

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
PARTS = ["calendar", "calls", "chats", "contacts", "ground_truth", "linkedin", "mail"]


def main() -> None:
    """Replace the generated folders of ``sample_data/`` (its README.md is kept)."""
    for part in PARTS:
        shutil.rmtree(SAMPLE / part, ignore_errors=True)
    synthesize(SAMPLE)
    total = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    print(f"wrote {SAMPLE} ({total / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
