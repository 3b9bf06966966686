"""The sample loads from an installed wheel, not only from a source checkout."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_load_sample_from_the_built_wheel(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next((tmp_path / "dist").glob("netanalytics-*.whl"))
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    code = (
        "import netanalytics as na; net = na.datasets.load_sample(); "
        "print(na.__file__); print(len(net.alters), len(net.interactions))"
    )
    env = dict(os.environ, PYTHONPATH=str(site), NETANALYTICS_CACHE=str(tmp_path / "cache"))
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, check=True, capture_output=True, text=True
    )
    where, sizes = out.stdout.splitlines()
    assert where.startswith(str(site))  # the wheel's copy, not the checkout
    n_people, n_interactions = map(int, sizes.split())
    print(f"\nfrom the wheel: {n_people} people, {n_interactions} interactions")
    assert n_people > 250 and n_interactions > 5000
