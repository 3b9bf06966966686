"""Tests of the ``netanalytics`` command line: help, exit codes, one-line errors, each command end to end."""

import re
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
    # the three files given (identity resolution is a stage, not a file)
    assert out.startswith("Network of 11 people (Zoe Owner is 'me') from 3 files")
    # the fixtures' ties are all recent; none has the three contact days a rhythm needs
    assert "Health score " in out and "Ties: 6 active, 0 cooling, 0 dormant, 0 long dormant" in out
    # the score says what it is over and what it stands on; unmeasurable components say so
    assert "Health score 45/100 over 6 of 8 components (low confidence) (as of 2025-03-28):" in out
    assert "  Data: google, ics, linkedin. Last 365 days: 2 sent and 14 received with 6 people" in out
    assert "  Low confidence: 2 messages sent in the last 365 days (fewer than 20);" in out
    assert "  vitality      not measurable  needs interactions from before 2024-03-28" in out


def test_report(capsys, tmp_path):
    out = tmp_path / "report.html"
    assert main(["report", *INPUTS, "--out", str(out), "--quiet", "--no-figures"]) == 0
    assert capsys.readouterr().out == f"Report written to {out}\n"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Zoe Owner" in page and "google.ics" in page


def test_report_workers_draw_the_same_page(capsys, tmp_path):
    pages = []
    for n in ("1", "2"):
        out = tmp_path / f"report{n}.html"
        assert main(["report", *INPUTS, "--out", str(out), "--quiet", "--workers", n]) == 0
        pages.append(out.read_text(encoding="utf-8"))
    assert pages[0].count("data:image/png;base64,") == 6
    assert pages[1] == pages[0]
    assert main(["report", *INPUTS, "--out", str(tmp_path / "r.html"), "--workers", "0"]) == 2
    assert "argument --workers: must be 1 (draw in this process) or more, got 0" in capsys.readouterr().err


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
    assert page.count("data:image/png;base64,") == 6 and "<script" not in page


def test_demo_bad_folder(capsys, tmp_path):
    assert main(["demo", "--out", str(tmp_path / "missing")]) == 1
    assert "no such folder" in _one_line_error(capsys.readouterr().err)


# --- issue 11: one as_of rule, CLI wording, help, empty inputs, exact counts, unreadable files -----


def _write_connections(folder: Path) -> Path:
    """A LinkedIn export with connections only: dated records, but no interaction."""
    folder.mkdir()
    (folder / "Connections.csv").write_text(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Ann,Lee,https://www.linkedin.com/in/ann-lee,,Acme,CTO,01 Mar 2024\n"
        "Bo,Li,https://www.linkedin.com/in/bo-li,,,,20 Feb 2025\n",
        encoding="utf-8",
    )
    return folder


def test_reminders_succeeds_where_report_does_with_the_same_as_of(capsys, tmp_path):
    # no interaction: every command measures as of the latest dated record (Bo's connection)
    export = ["--linkedin", str(_write_connections(tmp_path / "export")), "--quiet"]
    page, rem = tmp_path / "r.html", tmp_path / "r.csv"
    assert main(["report", *export, "--out", str(page), "--no-figures"]) == 0
    assert "As of 2025-02-20." in page.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["reminders", *export, "--out", str(rem)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"1 reminders as of 2025-02-20 written to {rem}\n")
    frame = pd.read_csv(rem, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert frame[[S.NAME, S.KIND, S.DUE_DATE]].values.tolist() == [["Ann Lee", "anniversary", "2025-03-01"]]
    assert main(["summary", *export]) == 0
    assert "Reminders: 1 (0 replies owed)" in capsys.readouterr().out


def test_no_dated_record_every_command_succeeds_and_names_the_flag(capsys, tmp_path):
    contacts = ["--contacts", str(CONTACTS), "--quiet"]
    rem = tmp_path / "r.csv"
    assert main(["report", *contacts, "--out", str(tmp_path / "r.html"), "--no-figures"]) == 0
    capsys.readouterr()
    assert main(["reminders", *contacts, "--out", str(rem)]) == 0
    assert capsys.readouterr().out == (
        f"0 reminders written to {rem}: the input holds no dated record to measure from; "
        "pass --as-of YYYY-MM-DD (birthdays and anniversaries count from it)\n"
    )
    assert rem.read_text(encoding="utf-8-sig") == "person_id,name,reason,kind,due_date,priority\n"
    assert main(["summary", *contacts]) == 0
    assert capsys.readouterr().out.endswith(
        "Health: not defined (the input holds no dated record to measure from; pass --as-of YYYY-MM-DD)\n"
    )
    # with --as-of, the birthdays of the next 30 days (Chiara Rossi, 21 July)
    assert main(["reminders", *contacts, "--out", str(rem), "--as-of", "2025-07-10"]) == 0
    assert capsys.readouterr().out.startswith(f"1 reminders as of 2025-07-10 written to {rem}\n")


def test_library_as_of_error_is_worded_for_the_command_line(capsys, tmp_path, monkeypatch):
    import netanalytics.cli as cli

    # the library's own message, as an older CLI let it through: it names as_of=, not --as-of
    monkeypatch.setattr(cli, "_resolve_as_of", lambda net, given: net.resolve_as_of(given))
    assert main(["reminders", "--contacts", str(CONTACTS), "--out", str(tmp_path / "r.csv"), "-q"]) == 1
    assert _one_line_error(capsys.readouterr().err) == (
        "netanalytics: error: the metric is not defined for a network without interactions (load "
        "messages, meetings or LinkedIn conversations first, or pass --as-of YYYY-MM-DD)"
    )


@pytest.mark.parametrize(
    "argv, expected",
    [
        (
            ["--me", "not an address"],
            "--me 'not an address' is neither an email address nor a LinkedIn profile URL",
        ),
        (
            ["--contacts", str(FIXTURES / "vcard" / "not_vcard.vcf")],
            f"{FIXTURES / 'vcard' / 'not_vcard.vcf'}: no BEGIN:VCARD found, so this is not a vCard file. "
            "Export the contacts as vCard (.vcf), or give a contacts .csv file to --contacts.",
        ),
    ],
)
def test_input_errors_name_flags_not_library_calls(capsys, argv, expected):
    assert main(["summary", "--contacts", str(CONTACTS), *argv, "-q"]) == 1
    assert _one_line_error(capsys.readouterr().err) == f"netanalytics: error: {expected}"


@pytest.mark.parametrize("command", ["report", "reminders", "summary"])
def test_help_shows_the_inputs_once(capsys, command):
    assert main([command, "--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(bool(re.match(r"\s*inputs\b", line)) for line in lines) == 1
    for flag in ("FOLDER", "--linkedin", "--email", "--contacts", "--calendar"):
        described = [line for line in lines if re.match(rf"\s+{flag}( PATH)?\s{{2,}}\S", line)]
        assert len(described) == 1, flag


@pytest.mark.parametrize(
    "flag, looked_for",
    [
        ("--linkedin", "no file of it could be read as part of a LinkedIn data export. Looked for Profile.csv, "
         "Connections.csv, messages.csv, Invitations.csv, Endorsement_Received_Info.csv, "
         "Endorsement_Given_Info.csv, Recommendations_Received.csv, Recommendations_Given.csv, Positions.csv "
         "(names matched ignoring case, spaces, '_' and '-'), and found no files at all. Pass the export zip "
         "(Basic_LinkedInDataExport_*.zip or Complete_...), the folder it was extracted to, or one of its CSV "
         "files unchanged."),
        ("--email", "no mail found (looked for mbox files, Maildir folders with cur/ or new/, message files "
         "such as .eml, Outlook .pst, .ost and .msg files)"),
        ("--contacts", "no contacts found (looked for Google, Outlook or LinkedIn contacts .csv files and "
         "vCard .vcf files)"),
        ("--calendar", "no calendar events found (looked for .ics files)"),
        (None, "no export found (looked for a LinkedIn export, mbox files, Maildirs, .eml message files, "
         "Outlook .pst/.ost/.msg files, contacts .csv and .vcf files, .ics calendars, WhatsApp and Telegram chat "
         "exports, call-log .csv files, Monica and CRM exports)"),
    ],
)  # fmt: skip
def test_an_input_that_yields_nothing_is_an_error(capsys, tmp_path, flag, looked_for):
    empty = tmp_path / "empty"
    empty.mkdir()
    argv = [flag, str(empty)] if flag else [str(empty)]
    assert main(["summary", *argv, "-q"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert _one_line_error(captured.err) == f"netanalytics: error: {empty}: {looked_for}"


def _mail(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text.replace("\n", "\r\n"), encoding="utf-8")


def test_records_read_is_the_number_of_messages_in_a_maildir(capsys, tmp_path):
    root = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    head = "From: {}\nTo: {}\nMessage-ID: <{}>\nDate: Mon, 6 Jan 2025 1{}:00:00 +0000\n{}\nbody\n"
    _mail(root / "cur", "1:2,S", head.format("Ann <ann@x.org>", "me@me.org", "1@x", 0, ""))
    _mail(root / "cur", "2:2,S", head.format("Bob <bob@y.org>", "me@me.org", "2@y", 1, ""))
    _mail(root / "cur", "3:2,S", head.format("noreply@shop.example", "me@me.org", "3@s", 2, ""))
    _mail(
        root / ".Sent/cur", "4:2,S", head.format("me@me.org", "ann@x.org", "4@me", 3, "In-Reply-To: <1@x>\n")
    )
    _mail(root / ".Sent/cur", "5:2,S", head.format("me@me.org", "me@me.org", "5@me", 4, ""))  # self-mail
    n_files = sum(1 for p in root.rglob("*") if p.is_file())
    assert n_files == 5
    assert main(["summary", "--email", str(root), "--me", "me@me.org", "-q"]) == 0
    out = capsys.readouterr().out
    assert f"Load report: {n_files} records read, 5 kept, 0 skipped\n" in out
    # what identity resolution leaves out is told apart, never counted as read again
    assert "  (identity resolution): of the records kept, left out 2\n" in out
    assert "Network of 2 people (me@me.org is 'me') from 2 files" in out


def _csv_data_rows(path: Path) -> int:
    """Data rows of a CSV by the csv module: rows after the header (the first row of 2+ cells)."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        table = [row for row in csv.reader(fh) if any(cell.strip() for cell in row)]
    header = next(i for i, row in enumerate(table) if sum(bool(cell.strip()) for cell in row) >= 2)
    return len(table) - header - 1


def test_records_read_is_the_number_of_rows_in_the_linkedin_files(capsys, tmp_path):
    import shutil

    # the same export twice: its messages are duplicates across sources, left out once read
    first, second = LINKEDIN.parent / "v2021", tmp_path / "copy"
    shutil.copytree(first, second)
    rows = sum(_csv_data_rows(p) for folder in (first, second) for p in folder.glob("*.csv"))
    assert rows == 32
    assert main(["summary", "--linkedin", str(first), "--linkedin", str(second), "-q"]) == 0
    out = capsys.readouterr().out
    assert f"Load report: {rows} records read, " in out
    assert "  (identity resolution): of the records kept, left out 4\n" in out  # the copy's 4 messages


def test_a_folder_with_unreadable_files_loads_the_others(capsys, tmp_path):
    folder = tmp_path / "contacts"
    folder.mkdir()
    (folder / "google.csv").write_bytes(CONTACTS.read_bytes())
    (folder / "bank.csv").write_text("Date,Amount,Description\n2025-01-02,12.50,coffee\n", encoding="utf-8")
    (folder / "broken.vcf").write_text("BEGIN:VCALENDAR\nEND:VCALENDAR\n", encoding="utf-8")
    assert main(["summary", "--contacts", str(folder), "-q"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Network of 2 people (me is 'me') from 1 files\n")
    assert "Load report: 3 records read, 2 kept, 1 skipped\n" in out
    assert (
        f"  {folder / 'bank.csv'} [contacts]: not read: not a recognised contacts CSV "
        "(line 1 columns: Date, Amount, Description)."
    ) in out
    assert (
        f"  {folder / 'broken.vcf'} [contacts]: not read: no BEGIN:VCARD found, so this is not a vCard "
        "file. Export the contacts as vCard (.vcf), or give a contacts .csv file to --contacts.\n"
    ) in out
    # with the good file gone, nothing of the input can be read: exit 1, one line
    (folder / "google.csv").unlink()
    assert main(["summary", "--contacts", str(folder), "-q"]) == 1
    assert _one_line_error(capsys.readouterr().err).startswith(
        f"netanalytics: error: {folder}: no contacts found (looked for Google, Outlook or LinkedIn "
        "contacts .csv files and vCard .vcf files). Not read: bank.csv: not a recognised contacts CSV"
    )


def test_cache_where_and_clear(tmp_path, capsys):
    from netanalytics.io import cache

    root = tmp_path / "cache"
    cache.save(root, "k1", pd.DataFrame({"n": [1]}), {}, [])
    assert main(["cache", "where", "--cache-dir", str(root)]) == 0
    assert capsys.readouterr().out.strip() == str(root)
    assert main(["cache", "clear", "--cache-dir", str(root)]) == 0
    assert capsys.readouterr().out.strip() == f"removed 2 files from {root}"
    assert list(root.iterdir()) == []
