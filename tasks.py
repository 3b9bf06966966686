#!/usr/bin/env python3
"""Set-up and main jobs for a fresh machine that has only Python >= 3.11.

    python3 tasks.py demo   # create/reuse .venv, install netanalytics, run it on the sample data
    python3 tasks.py test   # create/reuse .venv with the dev extras, run the whole test suite
    python3 tasks.py lint   # ruff check and ruff format --check (the style .ci/run enforces)

The virtual environment is re-installed only when pyproject.toml, setup.py or the C sources change.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
SPEEDUPS = Path("netanalytics", "io", "_speedups_src")


def ensure_venv() -> None:
    # what the installation is built from: the metadata and the C speedups' sources
    built_from = [ROOT / "pyproject.toml", ROOT / "setup.py", *sorted((ROOT / SPEEDUPS).glob("*.[ch]"))]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in built_from)).hexdigest()[:16]
    stamp = VENV / f".installed-{digest}"
    if stamp.exists():
        return
    if not (BIN / "python").exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True)
    print("installing netanalytics with its dev and notebook extras", flush=True)
    subprocess.run(pip + ["-e", f"{ROOT}[dev,notebooks]"], check=True)
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test", "lint"):
        print(__doc__)
        return 2
    ensure_venv()
    if argv[0] == "demo":
        (ROOT / "out").mkdir(exist_ok=True)
        cmd = [str(BIN / "netanalytics"), "demo", "--out", str(ROOT / "out"), *argv[1:]]
    elif argv[0] == "lint":
        ruff = str(BIN / "ruff")
        paths = ["netanalytics", "tests", "benchmarks", "notebooks", "scripts", "tasks.py", "setup.py"]
        checked = subprocess.run([ruff, "check", *paths], cwd=ROOT).returncode
        return checked or subprocess.run([ruff, "format", "--check", *paths], cwd=ROOT).returncode
    else:
        cmd = [str(BIN / "python"), "-m", "pytest", "-q", *argv[1:]]
    return subprocess.run(cmd, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
