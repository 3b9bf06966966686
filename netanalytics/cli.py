"""The ``netanalytics`` command line: demo, report, reminders and summary."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["build_parser", "main"]

PROG = "netanalytics"

_DESCRIPTION = """\
Measure the health, dormancy and reciprocity of your professional network from files you
already own (LinkedIn export, contact files, calendars, email archives, chats, call logs, CRM exports). Everything runs
locally; nothing is sent anywhere and message bodies are never kept.

commands:
  demo       run on the bundled synthetic sample: print a summary, write an HTML report
  report     your files -> one self-contained HTML report (opens offline, on a phone too)
  reminders  your files -> who to reach out to and why, as CSV (and .ics to-dos)
  summary    your files -> what was loaded and the headline numbers, printed

examples:
  netanalytics demo --out /tmp
  netanalytics report --linkedin Basic_LinkedInDataExport.zip --email mail.mbox --out report.html
  netanalytics reminders --linkedin export/ --contacts contacts.vcf --out reminders.csv --ics reminders.ics
  netanalytics summary --email Takeout/Mail --me ann@example.com

Run "netanalytics <command> --help" for the options of one command.
Exit codes: 0 ok, 1 input error (bad path, unreadable file, an input that yields nothing),
2 usage error.
"""

_EPILOGS = {
    "demo": """\
example:
  netanalytics demo --out /tmp
  # prints the summary of the synthetic sample (about 300 invented people over four years)
  # and writes /tmp/netanalytics-demo-report.html
""",
    "report": """\
example:
  netanalytics report --linkedin Basic_LinkedInDataExport_10-02-2026.zip \\
      --email "All mail Including Spam and Trash.mbox" --contacts contacts.vcf \\
      --calendar calendar.ics --out report.html
""",
    "reminders": """\
Reminders: ties overdue against their own rhythm (or the cadence you set in --annotations),
replies you owe, birthdays (from your contacts) and connection anniversaries coming within
--horizon days. The CSV is safe to open in a spreadsheet; the .ics holds one to-do each.

example:
  netanalytics reminders --linkedin export/ --contacts contacts.vcf \\
      --out reminders.csv --ics reminders.ics --as-of 2026-02-10
""",
    "summary": """\
example:
  netanalytics summary --linkedin export.zip --email mail.mbox --me ann@example.com
""",
    "cache": """\
examples:
  netanalytics cache where
  netanalytics cache clear
""",
}

_INPUT_KINDS = ("linkedin", "email", "contacts", "calendar", "chats", "calls", "crm")
_AS_OF_DEFAULT = "your latest interaction, else the latest dated record loaded"
_NO_DATE = "the input holds no dated record to measure from; pass --as-of YYYY-MM-DD"

# Library messages name arguments and functions; a command-line user needs the flags.
_CLI_WORDING = [
    (re.compile(r"\bor pass as_of="), "or pass --as-of YYYY-MM-DD"),
    (re.compile(r"\bas_of="), "--as-of"),
    (re.compile(r"\bme=(?=\S)"), "--me "),
    (re.compile(r"(?<![\w-])(linkedin|email|contacts|calendar|chats|calls|crm)=(?=[\s,])"), r"--\1"),
    (re.compile(r" ?Check the path given to na\.load\(\)\."), ""),
    (re.compile(r"\bna\.load\(\)"), "netanalytics"),
    (re.compile(r"or use read_contacts_csv for CSV exports"), "or give a contacts .csv file to --contacts"),
    (re.compile(r"For single messages use read_eml; for a folder use read_email\."), "Give mbox files, "
     "message files and mail folders to --email."),
    (re.compile(r"\bread_(?:email|eml|mbox|maildir|pst|msg)\b"), "--email"),
    (re.compile(r"\bread_(?:contacts_csv|vcard)\b"), "--contacts"),
    (re.compile(r"\bread_ics\b"), "--calendar"),
    (re.compile(r"\bread_(?:whatsapp|telegram)\b"), "--chats"),
    (re.compile(r"; for other names pass columns=, e\.g\. columns=\{[^}]*\}\."), "; rename the file's columns "
     "to these (the Python API reads other names with read_call_log(path, columns=...))."),
    (re.compile(r"; another CRM's columns load with columns=\{[^}]*\} \(fields: [^)]*\)\."), "; rename another "
     "CRM's columns to HubSpot's (the Python API reads other names with read_crm(paths, columns=...))."),
    (re.compile(r"\bread_linkedin\b"), "--linkedin"),
    (re.compile(r"(--\w+) \(or \1\)|(--\w+) or \2"), lambda m: m[1] or m[2]),
]  # fmt: skip


def _cli_wording(message: str) -> str:
    """A library message as a command-line user reads it: flags instead of argument names.

    Examples
    --------
    >>> _cli_wording("no interactions (load messages first, or pass as_of=)")
    'no interactions (load messages first, or pass --as-of YYYY-MM-DD)'
    >>> _cli_wording("me='ann' is neither an email address nor a LinkedIn profile URL")
    "--me 'ann' is neither an email address nor a LinkedIn profile URL"
    """
    for pattern, replacement in _CLI_WORDING:
        message = pattern.sub(replacement, message)
    return message


class _Parser(argparse.ArgumentParser):
    """argparse with the one error format of this tool: ``netanalytics: error: <message>``."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{PROG}: error: {message}\n")


class _UsageError(Exception):
    """A command line that parses but cannot work (exit code 2)."""


def _date(text: str):
    import pandas as pd

    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None
    if ts is pd.NaT:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _zone(text: str) -> str:
    from netanalytics.io._rows import time_zone

    try:
        time_zone(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a time zone: {text!r} (use a name such as Europe/Berlin)"
        ) from None
    return text


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _workers(text: str) -> int:
    value = _positive_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 (draw in this process) or more, got 0")
    return value


def _add_inputs(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(
        "inputs",
        "At least one input is needed; each flag can be given several times. A file of a "
        "folder that cannot be read is reported and skipped; an input that yields nothing is "
        "an error.",
    )
    g.add_argument(
        "folder",
        nargs="?",
        metavar="FOLDER",
        help="a folder holding several exports, sorted out by what the files are (optional)",
    )
    g.add_argument(
        "--linkedin",
        action="append",
        default=[],
        metavar="PATH",
        help="LinkedIn data export: the .zip or its unpacked folder",
    )
    g.add_argument(
        "--email",
        action="append",
        default=[],
        metavar="PATH",
        help="mbox file (Gmail Takeout or any), Maildir, folder of .eml files, Outlook .pst/.ost data file, "
        "or .msg files",
    )
    g.add_argument(
        "--contacts",
        action="append",
        default=[],
        metavar="PATH",
        help="Google / Outlook / LinkedIn contacts CSV, vCard (.vcf) file, or a folder of them",
    )
    g.add_argument(
        "--calendar",
        action="append",
        default=[],
        metavar="PATH",
        help="calendar export (.ics) or a folder of them; meetings with attendees count as contact",
    )
    g.add_argument(
        "--chats",
        action="append",
        default=[],
        metavar="PATH",
        help="WhatsApp chat export (.txt or .zip), Telegram Desktop result.json, or a folder of them",
    )
    g.add_argument(
        "--calls",
        action="append",
        default=[],
        metavar="PATH",
        help="log of calls, meetings and coffees (.csv: date,person,channel,direction,duration_minutes,note)",
    )
    g.add_argument(
        "--crm",
        action="append",
        default=[],
        metavar="PATH",
        help="export of another relationship tool: Monica's JSON export, or a CRM's contacts and activities "
        ".csv files (HubSpot's columns), or a folder of them",
    )
    g.add_argument(
        "--tz",
        type=_zone,
        metavar="ZONE",
        help="time zone of times written without one (WhatsApp, call logs, CRM exports), e.g. Europe/Berlin; "
        "default UTC",
    )
    g.add_argument(
        "--me",
        action="append",
        default=[],
        metavar="ADDR",
        help="your email address or LinkedIn URL, or with --chats your name in the chats "
        "(found from the data when omitted); repeatable",
    )
    g.add_argument("--overrides", metavar="CSV", help="identity corrections: rows 'key,key,same|different'")
    g.add_argument(
        "--annotations",
        metavar="CSV",
        help="relationship kinds, tags and wanted cadence: 'key,kind,tags,cadence_days'",
    )
    g.add_argument(
        "--no-cache", action="store_true", help="re-read every file instead of reusing the parsed cache"
    )


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument("--debug", action="store_true", help="show the full traceback on errors")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``netanalytics`` command (for documentation and tests).

    Examples
    --------
    >>> build_parser().parse_args(["report", "--email", "a.mbox", "--email", "b.mbox", "--out", "r.html"]).email
    ['a.mbox', 'b.mbox']
    """
    parser = _Parser(
        prog=PROG, description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    from netanalytics import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    fmt = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser(
        "demo",
        help="run on the bundled synthetic sample",
        formatter_class=fmt,
        description="Load the bundled synthetic sample network, print its summary and write the HTML report.",
        epilog=_EPILOGS["demo"],
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        default=".",
        help="folder for netanalytics-demo-report.html (default: the current folder)",
    )
    _add_common(p)

    p = sub.add_parser(
        "report",
        help="your files -> one HTML report",
        formatter_class=fmt,
        description="Load your exports and write one self-contained HTML report: health "
        "score and its reasons, reconnection suggestions, replies owed, one-sided ties, "
        "Dunbar layers, communities and what was loaded.",
        epilog=_EPILOGS["report"],
    )
    _add_inputs(p)
    p.add_argument("--out", metavar="FILE", required=True, help="the .html file to write")
    p.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help=f"measure as of this day (default: {_AS_OF_DEFAULT})",
    )
    p.add_argument("--no-figures", action="store_true", help="tables only (smaller file)")
    p.add_argument(
        "--workers",
        type=_workers,
        metavar="N",
        help="1 draws the figures in this process; 2 or more in forked workers as the report's "
        "sections are written, the last section's shared by this process and N - 1 workers "
        "(default: 2 on Linux, 1 on Windows and macOS)",
    )
    _add_common(p)

    p = sub.add_parser(
        "reminders",
        help="your files -> reach-out list (CSV, .ics)",
        formatter_class=fmt,
        description="Load your exports and list who to reach out to and why.",
        epilog=_EPILOGS["reminders"],
    )
    _add_inputs(p)
    p.add_argument("--out", metavar="FILE", required=True, help="the .csv file to write")
    p.add_argument("--ics", metavar="FILE", help="also write the reminders as calendar to-dos (.ics)")
    p.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help=f"'today' for the reminders (default: {_AS_OF_DEFAULT})",
    )
    p.add_argument(
        "--horizon",
        type=_positive_int,
        default=30,
        metavar="DAYS",
        help="list birthdays and anniversaries this many days ahead (default: 30)",
    )
    _add_common(p)

    p = sub.add_parser(
        "summary",
        help="your files -> printed summary",
        formatter_class=fmt,
        description="Load your exports and print what was read, kept and skipped, and the headline numbers.",
        epilog=_EPILOGS["summary"],
    )
    _add_inputs(p)
    p.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help=f"measure as of this day (default: {_AS_OF_DEFAULT})",
    )
    _add_common(p)

    p = sub.add_parser(
        "cache",
        help="show or clear the cache of parsed files",
        formatter_class=fmt,
        description="The cache keeps what was parsed and resolved (Parquet frames and JSON, no code) "
        "so that a second load of the same files is fast. 'clear' deletes it.",
        epilog=_EPILOGS["cache"],
    )
    p.add_argument("action", choices=["where", "clear"], help="print the cache folder, or delete its content")
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="the cache folder (default: $NETANALYTICS_CACHE or ~/.cache/netanalytics)",
    )
    _add_common(p)
    return parser


def _load(args: argparse.Namespace):
    from netanalytics.exceptions import FormatError
    from netanalytics.loader import load

    given = {kind: list(getattr(args, kind)) for kind in _INPUT_KINDS}
    if not args.folder and not any(given.values()):
        raise _UsageError(
            "no input given: name at least one export with --linkedin, --email, --contacts, --calendar, "
            "--chats, --calls, --crm, or give a folder"
        )
    flags = [("", args.folder)] if args.folder else []
    flags += [(f"--{kind}", p) for kind, paths in given.items() for p in paths]
    flags += [("--overrides", args.overrides), ("--annotations", args.annotations)]
    for flag, path in flags:
        if path is not None and not Path(path).exists():
            where = f"{flag} " if flag else ""
            raise FormatError(f"{where}{path}: no such file or folder")
    return load(
        args.folder,
        **{kind: (paths or None) for kind, paths in given.items()},
        me=args.me or None,
        tz=args.tz,
        overrides=args.overrides,
        annotations=args.annotations,
        cache=not args.no_cache,
        progress=False if args.quiet else None,
    )


def _resolve_as_of(net, given):
    """The day every command measures at: ``--as-of``, else the latest interaction, else the
    latest dated record loaded (a connection, invitation, endorsement, recommendation or
    message); None when the input holds no date at all."""
    import pandas as pd

    from netanalytics import schema as S

    if given is not None:
        return given
    if len(net.interactions):
        return net.interactions[S.TIMESTAMP].max()
    dated = [net.people[S.CONNECTED_ON], net.messages[S.TIMESTAMP]]
    dated += [frame[S.TIMESTAMP] for frame in (net.invitations, net.endorsements, net.recommendations)
              if S.TIMESTAMP in frame.columns]  # fmt: skip
    latest = max((col.max() for col in dated if col.notna().any()), default=None)
    return None if latest is None or pd.isna(latest) else latest


def _headline(net, as_of) -> list[str]:
    """A few lines of numbers after ``net.summary()``; a metric undefined for this data says so."""
    from netanalytics import schema as S
    from netanalytics.exceptions import NotDefinedError
    from netanalytics.metrics.dormancy import dormancy
    from netanalytics.metrics.health import health
    from netanalytics.reminders import OWES_REPLY, reminders

    lines = []
    try:
        dorm = dormancy(net, as_of=as_of)
        h = health(net, as_of=as_of, dormancy_frame=dorm)
    except NotDefinedError as exc:
        lines.append(f"Health: not defined ({exc})")
    else:
        lines.append(f"Health score {h.headline} (as of {h.as_of:%Y-%m-%d}):")
        lines.append(f"  {h.coverage.data}")
        if h.low_confidence:
            lines.append("  Low confidence: " + "; ".join(h.coverage.reasons) + ".")
        c = h.components
        for comp, points, weight, ok, reason in zip(
            c[S.COMPONENT], c[S.POINTS], c[S.WEIGHT], c[S.MEASURABLE], c[S.REASON]
        ):
            pts = f"{points:4.1f} / {weight:<3g}" if ok else "not measurable"
            lines.append(f"  {comp:<13} {pts:>14}  {reason}")
        states = dorm[S.STATE].value_counts()
        lines.append(
            "Ties: "
            + ", ".join(
                f"{states.get(s, 0)} {s.replace('_', ' ')}"
                for s in (S.ACTIVE, S.COOLING, S.DORMANT, S.LONG_DORMANT)
            )
        )
    rem = reminders(net, as_of=as_of)
    owed = int((rem[S.KIND] == OWES_REPLY).sum())
    lines.append(f"Reminders: {len(rem)} ({owed} replies owed); see 'netanalytics reminders'")
    return lines


def _cmd_summary(args) -> int:
    net = _load(args)
    print(_cli_wording(net.summary()))  # its "not read" reasons quote library messages
    as_of = _resolve_as_of(net, args.as_of)
    if as_of is None:
        print(f"Health: not defined ({_NO_DATE})")
    else:
        print("\n".join(_headline(net, as_of)))
    return 0


def _cmd_report(args) -> int:
    from netanalytics.report import write_report

    net = _load(args)
    out = write_report(
        net,
        args.out,
        as_of=_resolve_as_of(net, args.as_of),
        figures=not args.no_figures,
        workers=args.workers,
    )
    print(f"Report written to {out}")
    return 0


def _cmd_reminders(args) -> int:
    import pandas as pd

    from netanalytics import schema as S
    from netanalytics.reminders import REMINDER_COLUMNS, reminders, write_reminders_csv, write_reminders_ics

    net = _load(args)
    as_of = _resolve_as_of(net, args.as_of)
    if as_of is None:  # like report and summary: the run succeeds and says what is missing
        rem = pd.DataFrame(columns=REMINDER_COLUMNS, index=pd.Index([], name=S.PERSON_ID))
        write_reminders_csv(rem, args.out)
        print(f"0 reminders written to {args.out}: {_NO_DATE} (birthdays and anniversaries count from it)")
    else:
        rem = reminders(net, as_of=as_of, horizon_days=args.horizon)
        write_reminders_csv(rem, args.out)
        print(f"{len(rem)} reminders as of {rem.attrs['as_of']:%Y-%m-%d} written to {args.out}")
    if args.ics:
        write_reminders_ics(rem, args.ics)
        print(f"Calendar to-dos written to {args.ics}")
    for _, row in rem.head(10).iterrows():
        print(f"  [{row[S.PRIORITY]}] {row[S.DUE_DATE]:%Y-%m-%d} {row[S.NAME]}: {row[S.REASON]}")
    if len(rem) > 10:
        print(f"  ... and {len(rem) - 10} more in {args.out}")
    return 0


def _cmd_demo(args) -> int:
    from netanalytics.datasets.sample import load_sample
    from netanalytics.report import write_report

    out_dir = Path(args.out)
    if not out_dir.is_dir():
        from netanalytics.exceptions import FormatError

        raise FormatError(f"--out {out_dir}: no such folder (create it first, or pick another)")
    net = load_sample(progress=not args.quiet and sys.stderr.isatty())
    print(_cli_wording(net.summary()))  # its "not read" reasons quote library messages
    print("\n".join(_headline(net, _resolve_as_of(net, None))))
    out = write_report(net, out_dir / "netanalytics-demo-report.html")
    print(f"Report written to {out}")
    return 0


def _cmd_cache(args) -> int:
    from netanalytics.io import cache

    where = Path(args.cache_dir) if args.cache_dir else cache.default_cache_dir()
    if args.action == "where":
        print(where)
        return 0
    print(f"removed {cache.clear(where)} files from {where}")
    return 0


_COMMANDS = {
    "demo": _cmd_demo,
    "report": _cmd_report,
    "reminders": _cmd_reminders,
    "summary": _cmd_summary,
    "cache": _cmd_cache,
}


def _error(message: str) -> None:
    text = _cli_wording(" ".join(str(message).split()))  # one line, whatever the exception held
    print(f"{PROG}: error: {text}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``netanalytics`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit code: 0 success, 1 input error (missing file, unreadable export, metric not
        defined for the data, output not writable), 2 usage error.

    Notes
    -----
    Errors are printed as one line, ``netanalytics: error: <message>``, on stderr; pass
    ``--debug`` to see the traceback instead.

    Examples
    --------
    >>> main(["summary", "--email", "/no/such/mail.mbox"])
    1
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors: argparse already printed
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    from netanalytics.exceptions import NetAnalyticsError

    try:
        return _COMMANDS[args.command](args)
    except _UsageError as exc:
        if args.debug:
            raise
        _error(exc)
        return 2
    except (NetAnalyticsError, OSError, UnicodeError) as exc:
        if args.debug:
            raise
        if isinstance(exc, OSError) and exc.filename is not None:
            _error(f"{exc.filename}: {exc.strerror or exc}")
        else:
            _error(exc)
        return 1
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as exc:  # a bug, not the user's input: still one line, with the way to learn more
        if args.debug:
            raise
        _error(
            f"unexpected {type(exc).__name__}: {exc} (run again with --debug for the traceback and report it)"
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
