"""Load with the cache off, a first time with it on (which writes the caches), and from the cache.

    python benchmarks/bench_load.py [--repeat 3]
    python benchmarks/bench_load.py --email FILE --me ADDRESS

(FILE: say the real-mail archive ``bench_email.py --real 200000 --path FILE`` writes, with
``--me joel@jms.id.au``, or the namesake mailbox of ``bench_identity.py --path FILE``, with
``--me elena.marsh.pm@gmail.com``.)

Without ``--email`` the sample world is loaded. Targets (issue 5): the full sample under 5 s
cold, under 1 s from the cache. The baseline in the same run is the load with the cache off:
the first load with the cache on costs the writing of the read's and the network's caches on top
of it, and the reload must beat it by far. Each repeat uses a fresh cache folder; the runs of one
repeat go off, first, reload.
"""

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from netanalytics.datasets import sample_path
from netanalytics.loader import load


def _sample_inputs() -> dict:
    root = sample_path()
    return dict(
        linkedin=root / "linkedin",
        email=sorted((root / "mail").glob("*.mbox")),
        contacts=sorted(p for p in (root / "contacts").iterdir() if p.suffix in (".csv", ".vcf")),
        calendar=sorted((root / "calendar").glob("*.ics")),
    )


def _timed(**kwargs):
    t0 = time.perf_counter()
    net = load(**kwargs)
    return time.perf_counter() - t0, net


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--email", help="a mail archive to load instead of the sample world")
    parser.add_argument("--me", help="the owner's address (with --email)")
    args = parser.parse_args()
    inputs = dict(email=args.email, me=args.me, progress=False) if args.email else _sample_inputs()
    times: dict[str, list[float]] = {"cache off": [], "first, cache on": [], "from the cache": []}
    for _ in range(args.repeat):
        off, net = _timed(**inputs, cache=False)
        cache_dir = Path(tempfile.mkdtemp(prefix="bench-load-"))
        first, _ = _timed(**inputs, cache=True, cache_dir=cache_dir)
        again, _ = _timed(**inputs, cache=True, cache_dir=cache_dir)
        shutil.rmtree(cache_dir)
        for label, t in zip(times, (off, first, again)):
            times[label].append(t)
    what = args.email or "sample"
    print(
        f"{what}: {len(net.alters)} people, {len(net.interactions)} interactions, {net.report.read} records read"
    )
    targets = {"cache off": 5.0, "from the cache": 1.0} if not args.email else {}
    print(f"{'load':<18}{'best s':>10}{'median s':>10}{'x off':>8}{'target s':>10}")
    base = sorted(times["cache off"])[len(times["cache off"]) // 2]
    for label, ts in times.items():
        ts = sorted(ts)
        median = ts[len(ts) // 2]
        target = f"{targets[label]:>10.1f}" if label in targets else f"{'—':>10}"
        print(f"{label:<18}{ts[0]:>10.3f}{median:>10.3f}{median / base:>8.2f}{target}")
    print(
        f"from the cache: {base / sorted(times['from the cache'])[0]:.1f}x faster than the load with it off"
    )


if __name__ == "__main__":
    main()
