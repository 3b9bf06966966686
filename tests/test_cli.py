"""Tests of the ``netanalytics`` command line: help, exit codes, one-line errors, each command end to end."""

import subprocess
import sys
from pathlib import Path

import icalendar
import pandas as pd
import pytest

from netanalytics import schema as S
from netanalytics.cli import build_parser, main

FIXTURES = Path(__file__).parent / "io" / "fixtures"
LINKEDIN = FIXTURES / "linkedin" / "v2024"
CALENDAR = FIXTURES / "ics" / "google.ics"
CONTACTS = FIXTURES / "contacts" / "google_2023.csv"
INPUTS = ["--linkedin", str(LINKEDIN), "--calendar", str(CALENDAR), "--contacts", str(CONTACTS)]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NETANALYTICS_CACHE", str(tmp_path / "cache"))


def _one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert lines and lines[-1].startswith("netanalytics: error: ")
    return lines[-1]


def test_help_explains_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("demo", "report", "reminders", "summary"):
        assert f"  {command}" in out
    assert "examples:" in out and "Exit codes: 0 ok, 1 input error" in out
    for command, flag in (
        ("report", "--linkedin"),
        ("reminders", "--ics"),
        ("summary", "--me"),
        ("demo", "--out"),
    ):
        assert main([command, "--help"]) == 0
        text = capsys.readouterr().out
        assert flag in text and "example:" in text and f"netanalytics {command}" in text


def test_input_flags_repeat():
    args = build_parser().parse_args(
        [
            "reminders",
            "--email",
            "a.mbox",
            "--email",
            "b.mbox",
            "--contacts",
            "c.vcf",
            "--out",
            "r.csv",
            "--me",
            "me@x.org",
            "--me",
            "https://www.linkedin.com/in/me",
        ]
    )
    assert args.email == ["a.mbox", "b.mbox"] and args.contacts == ["c.vcf"] and len(args.me) == 2
    assert args.horizon == 30 and args.ics is None


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["report", "--linkedin", str(LINKEDIN)], "the following arguments are required: --out"),
        (["summary"], "no input given"),
        (["summary", "--email", "x.mbox", "--as-of", "yesterday-ish"], "not a date: 'yesterday-ish'"),
        (["reminders", "--email", "x.mbox", "--out", "r.csv", "--horizon", "-3"], "must be 0 or more"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors_exit_2(capsys, argv, fragment):
    assert main(argv) == 2
    assert fragment in _one_line_error(capsys.readouterr().err)


def test_bad_path_exits_1_with_one_line(capsys, tmp_path):
    missing = tmp_path / "nope.mbox"
    assert main(["summary", "--linkedin", str(LINKEDIN), "--email", str(missing)]) == 1
    assert (
        _one_line_error(capsys.readouterr().err)
        == f"netanalytics: error: --email {missing}: no such file or folder"
    )


def test_format_error_exits_1_with_one_line(capsys):
    bad = FIXTURES / "contacts" / "not_contacts.csv"
    assert main(["report", "--contacts", str(bad), "--out", "never.html"]) == 1
    line = _one_line_error(capsys.readouterr().err)
    assert str(bad) in line and "not a recognised contacts CSV" in line
    assert not Path("never.html").exists()


def test_unwritable_output_exits_1(capsys, tmp_path):
    out = tmp_path / "no" / "such" / "dir" / "r.csv"
    assert main(["reminders", *INPUTS, "--out", str(out), "--quiet"]) == 1
    assert str(out) in _one_line_error(capsys.readouterr().err)


def test_summary(capsys):
    assert main(["summary", *INPUTS, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Network of 11 people (Zoe Owner is 'me') from 3 files")  # the three files given; identity resolution is no file
    # the fixtures' ties are all recent; none has the three contact days a rhythm needs
    assert "Health score " in out and "Ties: 6 active, 0 cooling, 0 dormant, 0 long dormant" in out


def test_report(capsys, tmp_path):
    out = tmp_path / "report.html"
    assert main(["report", *INPUTS, "--out", str(out), "--quiet", "--no-figures"]) == 0
    assert capsys.readouterr().out == f"Report written to {out}\n"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Zoe Owner" in page and "google.ics" in page


def test_reminders(capsys, tmp_path):
    csv_path, ics_path = tmp_path / "r.csv", tmp_path / "r.ics"
    argv = [
        "reminders",
        *INPUTS,
        "--out",
        str(csv_path),
        "--ics",
        str(ics_path),
        "--as-of",
        "2025-04-15",
        "--quiet",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    frame = pd.read_csv(csv_path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert out.startswith(f"{len(frame)} reminders as of 2025-04-15 written to {csv_path}\n")
    assert list(frame.columns) == [S.PERSON_ID, S.NAME, S.REASON, S.KIND, S.DUE_DATE, S.PRIORITY]
    assert len(frame) >= 1 and set(frame[S.KIND]) <= {"overdue", "owes_reply", "birthday", "anniversary"}
    todos = icalendar.Calendar.from_ical(ics_path.read_bytes()).walk("VTODO")
    assert len(todos) == len(frame)


def test_console_script_process(tmp_path):
    """The real process: exit code and stderr of ``python -m netanalytics.cli``."""
    run = subprocess.run(
        [sys.executable, "-m", "netanalytics.cli", "summary", "--calendar", str(tmp_path / "missing.ics")],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert (
        run.stderr.strip()
        == f"netanalytics: error: --calendar {tmp_path / 'missing.ics'}: no such file or folder"
    )


def test_demo_end_to_end(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("NETANALYTICS_CACHE")  # the sample is generated once and shared
    assert main(["demo", "--out", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    report = tmp_path / "netanalytics-demo-report.html"
    assert out.startswith("Network of ") and "Health score " in out
    assert out.endswith(f"Report written to {report}\n")
    page = report.read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 5 and "<script" not in page


def test_demo_bad_folder(capsys, tmp_path):
    assert main(["demo", "--out", str(tmp_path / "missing")]) == 1
    assert "no such folder" in _one_line_error(capsys.readouterr().err)
