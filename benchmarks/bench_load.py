"""Load the sample world cold and from cache; print the times against the targets.

    python benchmarks/bench_load.py [--repeat 3]

Targets (issue 5): full sample under 5 s cold, under 1 s from cache. The baseline in the
same run is the cold load itself: the cache must beat it by far.
"""

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from netanalytics.datasets import sample_path
from netanalytics.loader import load


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = sample_path()
    inputs = dict(
        linkedin=root / "linkedin",
        email=sorted((root / "mail").glob("*.mbox")),
        contacts=sorted(p for p in (root / "contacts").iterdir() if p.suffix in (".csv", ".vcf")),
        calendar=sorted((root / "calendar").glob("*.ics")),
    )
    cold, warm = [], []
    for _ in range(args.repeat):
        cache_dir = Path(tempfile.mkdtemp(prefix="bench-load-"))
        t0 = time.perf_counter()
        net = load(**inputs, cache=True, cache_dir=cache_dir)
        cold.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        load(**inputs, cache=True, cache_dir=cache_dir)
        warm.append(time.perf_counter() - t0)
        shutil.rmtree(cache_dir)
    print(
        f"sample: {len(net.alters)} people, {len(net.interactions)} interactions, {net.report.read} records read"
    )
    print(f"{'load':<14}{'best s':>10}{'median s':>10}{'target s':>10}")
    for label, times, target in (("cold", cold, 5.0), ("from cache", warm, 1.0)):
        times = sorted(times)
        print(f"{label:<14}{times[0]:>10.3f}{times[len(times) // 2]:>10.3f}{target:>10.1f}")
    print(f"cache speed-up over cold: {sorted(cold)[0] / sorted(warm)[0]:.0f}x")


if __name__ == "__main__":
    main()
