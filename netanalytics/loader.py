"""``na.load``: read every export, resolve people, build interactions — one call to a :class:`Network`."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from netanalytics import _namesearch, identity
from netanalytics import schema as S
from netanalytics._fork import Children, default_workers, may_spawn
from netanalytics._gc import gc_paused
from netanalytics.exceptions import FormatError
from netanalytics.identity import (
    _email_domains,
    _names_searched,
    _shown_name,
    email_domain,
    is_free_mail,
    read_annotations,
    read_overrides,
    resolve_identities,
)
from netanalytics.io import _native
from netanalytics.io._lists import first_of_numbers, first_rows
from netanalytics.io.report import LoadReport
from netanalytics.network import EGO, Network, _first_of_each, _run_positions

__all__ = ["load", "discover", "build_interactions"]

_CACHE_VERSION = "2"  # 2: Parquet frames and a JSON manifest (was a pickle)
_KNOWN_KINDS = {
    "mentor": "mentor",
    "mentors": "mentor",
    "mentee": "mentee",
    "mentees": "mentee",
    "client": "client",
    "clients": "client",
    "customer": "client",
    "customers": "client",
    "vendor": "vendor",
    "vendors": "vendor",
    "supplier": "vendor",
    "colleague": "colleague",
    "colleagues": "colleague",
    "coworkers": "colleague",
    "friend": "friend",
    "friends": "friend",
    "family": "family",
    "recruiter": "recruiter",
    "recruiters": "recruiter",
}
_SYSTEM_LABELS = {"mycontacts", "starred", "imported", "other contacts", "friends (system)"}
_PARTICIPATION = {"message_id": "str", S.PERSON_ID: "str", S.ROLE: "str"}


def _as_list(value) -> list[Path]:
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike)):
        return [Path(value)]
    return [Path(v) for v in value]


def discover(folder: str | os.PathLike) -> dict[str, list[Path]]:
    """Find the exports in a folder by what the files are.

    Returns a dict with keys ``linkedin``, ``email``, ``contacts``, ``calendar``, ``chats``,
    ``calls``, ``crm`` and ``ignored``. A folder (or zip) holding ``Connections.csv`` or ``messages.csv`` is a
    LinkedIn export; ``.mbox`` files, Outlook data files (``.pst``, ``.ost``), Maildirs and
    folders of ``.eml`` or ``.msg`` files are email (a folder is read with everything below
    it); ``.vcf`` files and ``.csv`` files whose header names people and addresses are
    contacts; ``.ics`` files are calendars; WhatsApp exports (``WhatsApp Chat with <name>.txt``
    or ``.zip``, iOS ``_chat.txt``) and Telegram Desktop exports (``result.json``) are chats; a
    ``.csv`` whose header has ``date``, ``person`` and ``channel``, ``direction`` or
    ``duration_minutes`` is a log of calls and meetings; a Monica export (``.json``) and a CRM's
    contacts or activities export (``.csv`` with HubSpot's ``Record ID`` and ``First Name`` or
    ``Email``, or ``Activity date`` and ``Activity type``) are ``crm``. Every other file (a ``.csv`` whose header names no person, a
    ``.pdf``, ...) is listed under ``ignored``: :func:`load` reports it as not read, with
    the reason, and never reads it silently. Hidden files are left out.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "calendar.ics").write_text("BEGIN:VCALENDAR\\nEND:VCALENDAR\\n")
    >>> {k: [p.name for p in v] for k, v in discover(d).items()}
    {'linkedin': [], 'email': [], 'contacts': [], 'calendar': ['calendar.ics'], 'chats': [], 'calls': [], 'crm': [], 'ignored': []}
    """
    found: dict[str, list[Path]] = {
        "linkedin": [], "email": [], "contacts": [], "calendar": [], "chats": [], "calls": [], "crm": [],
        "ignored": [],
    }  # fmt: skip
    _visit(Path(folder), found)
    # a folder of message files is read as a tree: what lies below it is read with it
    folders = [p for p in found["email"] if p.is_dir()]
    found["email"] = [p for p in found["email"] if not any(f in p.parents for f in folders)]
    return found


#: The kind :func:`_file_kind` gives a ``.eml`` or ``.msg`` file: its folder is one email input.
_MESSAGE_FILE = "message file"


def _squash(name: str) -> str:
    return name.lower().replace(" ", "").replace("_", "").replace("-", "")


def _visit(path: Path, found: dict[str, list[Path]]) -> None:
    """List ``path`` in ``found`` under its kind; a folder that is no export, by its files and
    folders (hidden ones left out)."""
    from netanalytics.io.slack import is_slack_export

    if is_slack_export(path):
        found["chats"].append(path)
        return
    if path.is_dir():
        kind = _folder_kind(path)
        if kind is not None:
            found[kind].append(path)
            return
        for child in sorted(path.iterdir()):
            if not child.name.startswith("."):
                _visit(child, found)
        return
    kind = _file_kind(path)
    if kind == _MESSAGE_FILE:
        if path.parent not in found["email"]:
            found["email"].append(path.parent)
    elif kind is not None:
        found[kind].append(path)


def _folder_kind(path: Path) -> str | None:
    """``linkedin`` for a folder holding a LinkedIn export's files, ``email`` for a Maildir,
    else None (a folder whose content is visited)."""
    names = {_squash(p.name) for p in path.iterdir()}
    if {"connections.csv", "messages.csv", "profile.csv"} & names:
        return "linkedin"
    if {"cur", "new"} <= names:
        return "email"
    return None


def _file_kind(path: Path) -> str | None:
    """The key of :func:`discover` a file is listed under, :data:`_MESSAGE_FILE` for a message
    file, None for a file read as a message file with the ``.eml`` files beside it."""
    from netanalytics.io.calllog import is_call_log
    from netanalytics.io.crm import is_crm_csv
    from netanalytics.io.monica import is_monica_export
    from netanalytics.io.telegram import is_telegram_export
    from netanalytics.io.whatsapp import is_whatsapp_export

    suffix = path.suffix.lower()
    name = _squash(path.name)
    if suffix == ".zip" and "linkedin" in name:
        return "linkedin"
    if is_monica_export(path):
        return "crm"
    if is_whatsapp_export(path) or is_telegram_export(path):
        return "chats"
    if suffix == ".mbox" or name.endswith("mbox") or suffix in (".pst", ".ost"):
        return "email"
    if suffix in (".eml", ".msg"):
        return _MESSAGE_FILE
    if suffix in (".vcf", ".vcard"):
        return "contacts"
    if suffix == ".csv" and is_call_log(path):
        return "calls"
    if suffix == ".csv" and is_crm_csv(path):
        return "crm"
    if suffix == ".csv":
        return "contacts" if _looks_like_contacts(path) else "ignored"
    if suffix == ".ics":
        return "calendar"
    if not any(s.suffix.lower() in (".eml", ".msg") for s in path.parent.iterdir()):
        return "ignored"
    return None  # (beside .eml files it is read as a message file)


def _outlook_data_files(path: Path, report) -> list[Path]:
    """The ``.pst``/``.ost`` files an email input read that hold items in contacts folders."""
    return [
        Path(f.path)
        for f in report.files
        if f.kind == "pst"
        and f.not_read is None
        and f.notes.get("counters", {}).get("items_in_contacts_folders")
    ]


_CONTACT_HEADER_WORDS = (
    "e-mail",
    "email",
    "messagerie",
    "correo",
    "first name",
    "given name",
    "firstname",
    "vorname",
    "prénom",
    "nombre",
    "phone",
    "telefon",
    "téléphone",
    "teléfono",
)


def _looks_like_contacts(path: Path) -> bool:
    """Peek at the first lines: does the header name people and their addresses?"""
    with open(path, "rb") as fh:
        head = fh.read(8192).decode("utf-8", errors="replace").lower()
    lines = [ln for ln in head.splitlines() if ln.strip(" ,;\t") and not ln.startswith("notes:")]
    return bool(lines) and any(word in lines[0] for word in _CONTACT_HEADER_WORDS)


_FOLDER = "folder"
_LOOKED_FOR = {
    _FOLDER: "no export found (looked for a LinkedIn export, mbox files, Maildirs, .eml message files, Outlook "
    ".pst/.ost/.msg files, contacts .csv and .vcf files, .ics calendars, WhatsApp and Telegram chat exports, "
    "call-log .csv files, Monica and CRM exports)",
    # (an export none of whose files can be read is refused by read_linkedin, which names them)
    "linkedin": "no LinkedIn record found (the export's files hold no row)",
    "email": "no mail found (looked for mbox files, Maildir folders with cur/ or new/, message files such as .eml, "
    "Outlook .pst, .ost and .msg files)",
    "contacts": "no contacts found (looked for Google, Outlook or LinkedIn contacts .csv files and vCard .vcf files)",
    "calendar": "no calendar events found (looked for .ics files)",
    "chats": "no chat found (looked for WhatsApp exports: 'WhatsApp Chat with <name>.txt' or .zip, _chat.txt; "
    "Telegram Desktop result.json)",
    "calls": "no logged call or meeting found (looked for .csv files)",
    "crm": "no CRM export found (looked for a Monica export .json and CRM contacts or activities .csv files)",
}
_NONE_IN_FILE = {
    "email": "no messages found",
    "contacts": "no contacts found",
    "calendar": "no calendar events found",
    "chats": "no chat messages found",
    "calls": "no logged call or meeting found",
    "crm": "no CRM contact or activity found",
}
_SUFFIXES = {
    "contacts": (".csv", ".vcf", ".vcard"),
    "calendar": (".ics",),
    "chats": (".txt", ".zip", ".json"),
    "calls": (".csv",),
    "crm": (".csv", ".json"),
}


@dataclass(frozen=True)
class _Job:
    """One path to read, and the input it belongs to (the path the caller gave)."""

    kind: str  # linkedin, email, contacts, calendar, chats, calls, crm, or ignored (reported, not read)
    path: Path
    origin_kind: str
    origin: Path

    @property
    def in_folder(self) -> bool:
        """Found inside a folder the caller gave: a file we cannot read is reported, not raised."""
        return self.path != self.origin


def _files_below(folder: Path) -> list[Path]:
    return sorted(
        Path(d) / name
        for d, dirs, names in os.walk(folder)
        for name in names
        if not name.startswith(".")
        and not any(part.startswith(".") for part in Path(d).relative_to(folder).parts)
    )


def _jobs(given: list[tuple[str, Path]]) -> list[_Job]:
    """Expand the inputs into files to read: a folder by what its files are, contact and
    calendar folders file by file; every other input is read as one."""
    jobs = []
    for kind, path in given:
        if kind == _FOLDER:
            found = discover(path)
            for sub in ("linkedin", "contacts", "email", "calendar", "chats", "calls", "crm", "ignored"):
                jobs += [_Job(sub, p, kind, path) for p in found[sub]]
        elif kind == "chats" and path.is_dir():
            # exports are recognised as discover() does: an unpacked Slack export is one input,
            # not one chat per JSON file; anything that is no chat export is reported, not read
            found = discover(path)
            jobs += [_Job("chats", p, kind, path) for p in found.pop("chats")]
            others = sorted(p for ps in found.values() for p in ps)
            jobs += [
                _Job("ignored", f, kind, path)
                for p in others
                for f in (_files_below(p) if p.is_dir() else [p])
            ]
        elif kind in _SUFFIXES and path.is_dir():
            for p in _files_below(path):
                sub = kind if p.suffix.lower() in _SUFFIXES[kind] else "ignored"
                jobs.append(_Job(sub, p, kind, path))
        else:
            jobs.append(_Job(kind, path, kind, path))
    # chats after email and LinkedIn: the owner's names seen there identify them in chats
    order = {
        "linkedin": 0,
        "contacts": 1,
        "email": 2,
        "calendar": 3,
        "chats": 4,
        "calls": 5,
        "crm": 6,
        "ignored": 7,
    }
    return sorted(jobs, key=lambda j: order[j.kind])  # stable: the caller's order within a kind


def _glimpse(path: Path) -> str:
    """What a file we do not read looks like: its first line for text, else its type."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        return f"cannot be opened: {exc.strerror}"
    text = head.lstrip(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    first = text.splitlines()[0].strip() if text.strip() else ""
    if not first or "\x00" in text or "\ufffd" in first:
        return f"{path.suffix or 'no suffix'} file, not text" if head else "empty file"
    return f"first line: {first[:120]}"


def _reason(exc: Exception, path: Path) -> str:
    """The reader's message without the path it starts with (the report names the file)."""
    if isinstance(exc, OSError):
        return f"cannot be read ({exc.strerror or exc})"
    text = str(exc)
    for prefix in (f"{path}: ", f"{path} "):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def _nothing_found(kind: str, origin: Path, files: list) -> str:
    unread = [f for f in files if f.not_read is not None]
    shown = "; ".join(f"{Path(f.path).name}: {f.not_read.split('. ')[0].rstrip('.')}" for f in unread[:3])
    more = f"; and {len(unread) - 3} more" if len(unread) > 3 else ""
    if origin.is_file() and kind != "linkedin":  # read, but empty: a header only, no message, no event
        return f"{origin}: {_NONE_IN_FILE[kind]} (the file holds no record)"
    return f"{origin}: {_LOOKED_FOR[kind]}" + (f". Not read: {shown}{more}" if unread else "")


def _fingerprint(paths: Iterable[Path]) -> list:
    out = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for sub in sorted(path.rglob("*")):
                if sub.is_file():
                    st = sub.stat()
                    out.append((str(sub.resolve()), st.st_size, st.st_mtime_ns))
        elif path.exists():
            st = path.stat()
            out.append((str(path.resolve()), st.st_size, st.st_mtime_ns))
    return out


def _code_digest() -> str:
    """Hash of the package source, so a cached network never outlives the code that built it."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_root(cache_dir) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    return Path(os.environ.get("NETANALYTICS_CACHE", Path.home() / ".cache" / "netanalytics"))


def load(
    path: str | os.PathLike | None = None,
    *,
    linkedin=None,
    email=None,
    contacts=None,
    calendar=None,
    chats=None,
    calls=None,
    crm=None,
    call_columns: dict[str, str] | None = None,
    contact_columns: dict[str, str] | None = None,
    crm_columns: dict[str, str] | None = None,
    phone_region: str | None = None,
    tz: str | None = None,
    me: str | Iterable[str] | None = None,
    overrides=None,
    annotations=None,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
    progress: bool | None = None,
) -> Network:
    """Load exports into a :class:`~netanalytics.network.Network`.

    Parameters
    ----------
    path : path, optional
        A folder holding several exports; its content is sorted by :func:`discover`.
    linkedin : path or list of paths, optional
        LinkedIn data export(s): zip, unpacked folder, or a single CSV of one (``Connections.csv``).
    email : path or list of paths, optional
        mbox files (Gmail Takeout or any), Maildirs, folders of ``.eml`` files, Outlook
        data files (``.pst``, ``.ost``: their mail, meetings and contacts) and saved
        Outlook messages (``.msg`` files or folders of them).
    contacts : path or list of paths, optional
        Google / Outlook / LinkedIn contact CSVs and vCard files, or folders of them.
    calendar : path or list of paths, optional
        ``.ics`` calendar exports (or folders of them); meetings with attendees become
        interactions.
    chats : path or list of paths, optional
        WhatsApp chat exports (``.txt`` or ``.zip``) and Telegram Desktop exports
        (``result.json``), or folders of them. WhatsApp exports are read together by
        :func:`netanalytics.io.read_whatsapp`: the owner is the name their sent mail or
        LinkedIn profile gives them when it writes in the chats, else the name that writes in
        every chat; their local times are read in ``tz`` (UTC by default). Telegram:
        :func:`netanalytics.io.read_telegram`.
    calls : path or list of paths, optional
        Logs of calls, meetings and coffees (``.csv`` with the columns of
        :func:`netanalytics.io.read_call_log`, or folders of them); the owner is written as
        their email address or LinkedIn URL when one is known.
    crm : path or list of paths, optional
        Exports of other relationship tools, or folders of them: a Monica export (``.json``,
        :func:`netanalytics.io.read_monica`) and a CRM's contacts and activities exports
        (``.csv``, HubSpot's column names or ``crm_columns=``, read together by
        :func:`netanalytics.io.read_crm`). Their contacts are address-book records, their
        activities, calls and logged conversations interactions.
    call_columns : dict, optional
        The call logs' column names for the standard ones (``{"When": "date", "Who":
        "person"}``), as ``columns=`` of :func:`netanalytics.io.read_call_log`.
    contact_columns : dict, optional
        For contact sheets whose columns are not recognised: header -> field
        (``{"Who": "name", "Addr": "email"}``), as ``columns=`` of
        :func:`netanalytics.io.read_contacts_csv`; used for every contacts ``.csv``.
    crm_columns : dict, optional
        A CRM export's column names for the fields of :data:`netanalytics.io.crm.CRM_FIELDS`
        (``{"Kontakt": "contact", "Datum": "date"}``), as ``columns=`` of
        :func:`netanalytics.io.read_crm`.
    phone_region : str, optional
        Country (ISO 3166, ``"DE"``) of phone numbers written without their country code
        (address books, call logs). Default: the owner's country from their Telegram
        export, else the country most international numbers in the address books have.
        Phone numbers are identity keys (``tel:`` + E.164): a WhatsApp writer shown by
        number joins the address-book entry that lists it.
    tz : str, optional
        The time zone (``"Europe/Berlin"``) of times written without one: WhatsApp exports,
        old Telegram exports without ``date_unixtime``, call logs, Monica and CRM exports.
        Default UTC (the time as written is taken as UTC, whatever the machine's zone).
    me : str or list of str, optional
        The owner's email addresses and/or LinkedIn URL. Found from the data when None
        (Sent mail, the LinkedIn profile). With ``chats=``, a value that is neither is the
        name the owner's chat messages carry.
    overrides : path, optional
        CSV ``key,key,same|different`` of identity corrections, honoured on every load.
    annotations : path, optional
        CSV ``key,kind,tags,cadence_days`` (see :func:`netanalytics.identity.read_annotations`).
    cache : bool, default True
        Reuse parsed mail archives and the resolved network when the inputs did not change
        (keyed by path, size and modification time).
    cache_dir : path, optional
        Where the cache lives (default ``$NETANALYTICS_CACHE`` or ``~/.cache/netanalytics``).
    progress : bool, optional
        Show a progress bar (default: when stderr is a terminal).

    Returns
    -------
    Network

    Raises
    ------
    FormatError
        When no input was given, a path does not exist, a file given on its own cannot be
        read, or an input yields no record (an empty folder, a folder none of whose files can
        be read, a file with a header only): the message names the path and what was
        looked for.

    Notes
    -----
    Each path given is one input. In a folder (``path``, or a folder given as ``contacts``,
    ``calendar`` or ``email``), a file that cannot be read (an unrecognised CSV, a broken
    vCard, an unknown file type) does not stop the load: it is in ``net.report.files`` with
    ``not_read`` set to the reason and what was seen, and the other files load.
    ``net.report.read`` counts the records of the input files once each; what identity
    resolution leaves out of the kept records is in ``net.report.stages``.

    Where the senders show 20,000 display names or more, identity resolution's similar-name
    search runs in a fresh process of its own while the load goes on
    (:class:`netanalytics._namesearch.Searcher`; on two cores or more, in a Jupyter kernel too).
    Where workers can be forked (Linux, and no other thread running in this process: not in a
    Jupyter kernel; :func:`netanalytics._fork.default_workers`), from 200,000 messages each key's
    activity and what the interactions and the people frame need of the messages alone are
    computed in a forked worker while identities are resolved, and from 100,000 people the people
    frame while the interactions are built. The network is the same either way; a worker's error
    is raised here with its message. Big mail files are also read by worker processes
    (:func:`netanalytics.io.read_mbox`).

    Examples
    --------
    >>> import netanalytics as na
    >>> net = na.datasets.load_sample()
    >>> int(net.people["is_me"].sum())
    1
    """
    given = [(kind, p) for kind, value in (("linkedin", linkedin), ("email", email), ("contacts", contacts),
             ("calendar", calendar), ("chats", chats), ("calls", calls), ("crm", crm))
             for p in _as_list(value)]  # fmt: skip
    if path is not None:
        given.append((_FOLDER, Path(path)))  # after the named paths, as before: first copy kept
    if not given:
        raise FormatError(
            "na.load() was given no input. Pass linkedin=, email=, contacts=, calendar=, chats=, calls= or crm= paths, "
            "or a folder holding your exports."
        )
    if tz is not None:
        from netanalytics.io._rows import time_zone

        time_zone(tz)  # a wrong name is refused before any file is read
    for _, p in given:
        if not p.exists():
            raise FormatError(f"{p}: no such file or folder. Check the path given to na.load().")
    jobs = _jobs(given)
    all_paths = [p for _, p in given]
    me_list = [me] if isinstance(me, str) else list(me or [])
    extra_files = [Path(p) for p in (overrides, annotations) if p is not None]

    entry = None
    if cache:
        blob = repr(
            (
                _CACHE_VERSION,
                _versions(),
                _code_digest(),
                [(j.kind, str(j.path), str(j.origin)) for j in jobs],
                sorted((call_columns or {}).items()),
                sorted((contact_columns or {}).items()),
                sorted((crm_columns or {}).items()),
                phone_region,
                tz,
                sorted(me_list),
                _fingerprint(all_paths + extra_files),
            )
        ).encode()
        entry = _cache_root(cache_dir) / "networks" / hashlib.sha256(blob).hexdigest()[:24]
        net = _load_cached(entry)
        if net is not None:
            return net

    net = _load_uncached(
        given,
        jobs,
        me_list,
        overrides,
        annotations,
        cache,
        cache_dir,
        progress,
        call_columns,
        phone_region,
        contact_columns,
        crm_columns,
        tz,
    )
    if entry is not None:
        _save_cached(entry, net)
    return net


def _versions() -> tuple[str, ...]:
    """Library versions in the cache key: a cached network is re-read after an upgrade."""
    import pyarrow

    from netanalytics import __version__

    return (__version__, pd.__version__, pyarrow.__version__)


_NETWORK_FRAMES = (
    "people", "identities", "interactions", "messages", "contacts", "endorsements",
    "recommendations", "invitations", "participation", "candidates",
)  # fmt: skip


def _save_cached(entry: Path, net: Network) -> None:
    """Store a network as Parquet frames and a JSON manifest (no pickle: nothing read back
    from the cache can run code)."""
    from netanalytics.io import cache as C

    C.private_dir(entry.parent)
    meta = {
        "me": net.me,
        "report": [f.to_dict() for f in net.report.files],
        "missing": net.report.missing,
        "stages": [f.to_dict() for f in net.report.stages],
    }
    C.save_frames(entry, {name: getattr(net, name) for name in _NETWORK_FRAMES}, meta)


def _load_cached(entry: Path) -> Network | None:
    """The network stored under ``entry``; None when there is none, or when it is damaged
    (then it is removed with a warning and the sources are read again)."""
    from netanalytics.io import cache as C
    from netanalytics.io.report import FileReport

    try:
        hit = C.load_frames(entry)
        if hit is None:
            return None
        frames, meta = hit
        report = LoadReport(
            [FileReport.from_dict(f) for f in meta["report"]],
            list(meta["missing"]),
            [FileReport.from_dict(f) for f in meta["stages"]],
        )
        return Network(**frames, report=report, me=meta["me"])
    except (ValueError, KeyError, TypeError) as err:
        warnings.warn(f"netanalytics: {err}; reading the sources again", stacklevel=3)
        C.clear(entry)
        entry.rmdir()
        return None


# people from whom the people frame is built in a forked worker while the interactions are built:
# with fewer, the worker's fixed costs (the fork, the pages copied on write while it lives, the frame
# pickled back) cost more than the frame takes here. The load's last steps, from the end of
# resolution, on the machine of docs/performance.md: 176-220 ms in place against 219-257 ms in a
# worker at 30,000 people, 354-391 against 381-446 ms at 60,000, 1,001-1,008 against 931-938 ms at
# 120,000 (the namesake mailboxes; best and median)
PEOPLE_WORKER_FROM = 100_000
# messages from which each key's activity and the messages' codes are computed in a forked worker
# while identities are resolved (see _load_uncached)
STEPS_WORKER_FROM = 200_000


def _load_uncached(
    given,
    jobs: list[_Job],
    me_list,
    overrides,
    annotations,
    cache,
    cache_dir,
    progress,
    call_columns=None,
    phone_region=None,
    contact_columns=None,
    crm_columns=None,
    tz=None,
) -> Network:
    from netanalytics import io as nio

    report = LoadReport()
    got = _read_sources(
        given,
        jobs,
        me_list,
        report,
        cache=cache,
        cache_dir=cache_dir,
        progress=progress,
        call_columns=call_columns,
        phone_region=phone_region,
        contact_columns=contact_columns,
        crm_columns=crm_columns,
        tz=tz,
    )
    # the frames are built from many small objects that reference counting frees; Python's
    # cyclic collector would walk the whole heap (the messages' per-row lists) again and again
    with gc_paused(), Children(default_workers()) as children, contextlib.ExitStack() as stack:
        me_keys, owner_name = got.me_keys, got.owner_name

        contacts = _concat(got.contacts, S.CONTACTS)
        # record ids are numbers within a file: qualify them by the file, so that two exports (or
        # Connections.csv and Contacts.csv) never share a record key
        labels = _file_labels(contacts[S.SOURCE_FILE].astype(str).unique())
        contacts[S.RECORD_ID] = (
            contacts[S.SOURCE_FILE].astype(str).map(labels) + "#" + contacts[S.RECORD_ID].astype(str)
        )
        messages = _concat(got.messages, S.MESSAGES)
        endorsements_f = _concat(got.endorsements, S.ENDORSEMENTS)
        recommendations_f = _concat(got.recommendations, S.RECOMMENDATIONS)
        invitations_f = _concat(got.invitations, S.INVITATIONS)

        resolution_report = report.new_stage("(identity resolution)")
        messages = _dedupe_messages(messages, resolution_report)
        # automated senders and mailing-list addresses are not people
        # (a person whose post reached me through a list is still a person: a key is automated
        # only when every message it sent is)
        automated = _automated_senders(messages) | set(messages[S.MAILING_LIST].dropna().unique())

        # the similar-name search in a process of its own (netanalytics._namesearch.Searcher),
        # started now: it imports what it needs (0.1 s) while the participants are gathered here,
        # then searches their names while the key activity is counted and the rules before the
        # fuzzy one run. Only where the senders alone show WORKER_FROM display names or more (a
        # part of the names searched); with fewer, resolution decides as it does on its own, so
        # that a mailbox of few people (a mailing list's) starts no process
        searcher = None
        if may_spawn() and messages[S.SENDER_NAME].nunique() >= identity.WORKER_FROM:
            searcher = _namesearch.Searcher.start()
            if searcher is not None:
                stack.enter_context(searcher)
        # from STEPS_WORKER_FROM messages, where workers can be forked: each key's activity, then
        # the messages' codes (what the interactions and the people frame need of the messages
        # alone) in a forked worker while the participants are gathered and identities resolved
        # here; from PEOPLE_WORKER_FROM people, the people frame in another while the interactions
        # are built. Below, in turn, the same frames: every page this process writes while a
        # forked worker lives is copied, which costs more than the worker saves
        # (docs/performance.md)
        later = [
            functools.partial(_key_activity, messages, me_keys),
            functools.partial(_message_codes, messages),
        ]
        if len(messages) >= STEPS_WORKER_FROM:
            later = children.compute_each(later)
        activity_later, codes_later = later
        participants = _participants(messages, endorsements_f, recommendations_f, invitations_f, me_keys)
        keys = participants[S.KEY].unique().tolist()
        automated |= {k for k, listed in zip(keys, nio.email.list_addresses(keys)) if listed}
        override_frame = read_overrides(overrides) if overrides is not None else None
        region, region_rule = _phone_region(phone_region, report, [contacts])
        resolution_report.notes["phone_region"] = f"{region} ({region_rule})" if region else region_rule
        name_search = normalised = None
        if searcher is not None:
            names, normalised = _names_searched(contacts, participants)
            found = searcher.search(names, identity.CANDIDATE_THRESHOLD)

            def name_search():
                return names, found()

        resolution = resolve_identities(
            contacts,
            participants,
            me_keys=me_keys,
            automated=automated,
            overrides=override_frame,
            phone_region=region,
            activity=activity_later(),
            name_search=name_search,
            normalised=normalised,
        )
        resolution_report.notes["owner_keys"] = sorted(me_keys)
        resolution_report.notes["merge_candidates"] = len(resolution.candidates)

        k2p = resolution.key_to_person
        codes = codes_later()
        people_later = functools.partial(
            _people, resolution, contacts, messages, owner_name=owner_name, by_source=codes.by_source
        )
        if len(resolution.clusters) >= PEOPLE_WORKER_FROM:  # (below, in place when it is asked for)
            people_later = children.compute(people_later)
        interactions, participation, messages = build_interactions(messages, k2p, resolution_report, codes)
        people = people_later()
        if annotations is not None:
            people = _annotate(people, read_annotations(annotations), k2p, resolution_report)

        endorsements_f = _attach_person(endorsements_f, k2p)
        recommendations_f = _attach_person(recommendations_f, k2p)
        invitations_f = _attach_person(invitations_f, k2p)

        net = Network(
            people=people,
            identities=resolution.identities,
            interactions=interactions,
            messages=messages,
            contacts=contacts,
            endorsements=endorsements_f,
            recommendations=recommendations_f,
            invitations=invitations_f,
            report=report,
            participation=participation,
            candidates=resolution.candidates,
        )
    return net


@dataclass
class _Sources:
    """What the readers of one load give, gathered file by file."""

    me_keys: set[str]  # the owner's keys: me= and those the readers find
    chat_me: set[str]  # me= names: how the owner's messages are signed in chats
    my_emails: list[str] | None  # the me= addresses, given to the mail and calendar readers
    # the frames read, one list per canonical frame
    contacts: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    endorsements: list = field(default_factory=list)
    recommendations: list = field(default_factory=list)
    invitations: list = field(default_factory=list)
    owner_name: str | None = None  # the name Profile.csv gives the account owner, if any
    # the owner's display names in mail, to find them in chats
    owner_names: set[str] = field(default_factory=set)
    chat_jobs: list[_Job] = field(default_factory=list)
    crm_jobs: list[_Job] = field(default_factory=list)


def _owner_keys(me_list, has_chats: bool) -> tuple[set[str], set[str]]:
    """(the keys, the chat names) ``me=`` gives: an email address or LinkedIn URL is a key; with
    chats to read, anything else that is a name is how the owner signs in chats."""
    me_keys: set[str] = set()
    chat_me: set[str] = set()
    for value in me_list:
        k = S.normalize_email(value) or S.normalize_linkedin_url(value)
        if k is None and has_chats and S.clean_name(value):
            chat_me.add(S.clean_name(value))
            continue
        if k is None:
            raise FormatError(f"me={value!r} is neither an email address nor a LinkedIn profile URL")
        me_keys.add(k)
    return me_keys, chat_me


def _read_sources(
    given,
    jobs: list[_Job],
    me_list,
    report: LoadReport,
    *,
    cache,
    cache_dir,
    progress,
    call_columns,
    phone_region,
    contact_columns,
    crm_columns,
    tz,
) -> _Sources:
    """Read every file of the load into ``report``; FormatError when an input holds nothing
    readable. A file found in a folder that cannot be read is reported, and the others are read."""
    show = sys.stderr.isatty() if progress is None else progress
    me_keys, chat_me = _owner_keys(me_list, any(j.kind == "chats" for j in jobs))
    got = _Sources(me_keys, chat_me, sorted(k for k in me_keys if S.key_kind(k) == S.KEY_EMAIL) or None)
    from netanalytics._progress import ProgressBar  # tqdm, imported when a load runs

    bar = ProgressBar(jobs, desc="netanalytics: loading", unit="file", disable=not show)
    files_of: dict[tuple[str, Path], list] = {origin: [] for origin in given}
    for job in bar:
        kind, p = job.kind, job.path
        if show and hasattr(bar, "set_postfix_str"):
            bar.set_postfix_str(p.name)
        first = len(report.files)
        try:
            _read_file(
                job,
                got,
                report,
                cache=cache,
                cache_dir=cache_dir,
                show=show,
                call_columns=call_columns,
                phone_region=phone_region,
                contact_columns=contact_columns,
                tz=tz,
            )
        except (FormatError, OSError, UnicodeError) as exc:
            if not job.in_folder:
                raise
            # one file of a folder: reported with the reason, the folder's other files still load
            del report.files[first:]
            report.skip_file(str(p), kind, _reason(exc, p))
        files_of.setdefault((job.origin_kind, job.origin), []).extend(report.files[first:])
    if got.chat_jobs:
        frame, me_chat = _read_chats(
            got.chat_jobs, got.chat_me or got.owner_names | {got.owner_name} - {None}, report, files_of, tz
        )
        got.messages.append(frame)
        got.me_keys |= me_chat
    if got.crm_jobs:
        owner = next((k for k in sorted(got.me_keys) if S.key_kind(k) == S.KEY_EMAIL), None)
        region, _ = _phone_region(phone_region, report, got.contacts)
        people, frame, me_crm = _read_crm(got.crm_jobs, owner, crm_columns, tz, region, report, files_of)
        got.contacts.append(people)
        got.messages.append(frame)
        got.me_keys |= me_crm
    for (origin_kind, origin), files in files_of.items():
        if not any(f.read for f in files):
            raise FormatError(_nothing_found(origin_kind, origin, files))
    return got


def _read_file(
    job: _Job,
    got: _Sources,
    report: LoadReport,
    *,
    cache,
    cache_dir,
    show,
    call_columns,
    phone_region,
    contact_columns,
    tz,
) -> None:
    """Read one file (or folder) of the load by its kind into ``got`` and ``report``; WhatsApp
    chats and CRM ``.csv`` files are only queued in ``got`` (they are read together)."""
    from netanalytics import io as nio

    kind, p = job.kind, job.path
    if kind == "ignored":
        report.skip_file(str(p), "ignored", f"not a recognised export ({_glimpse(p)})")
    elif kind == "linkedin":
        export = nio.read_linkedin(p)
        report.extend(export.report)
        got.contacts += [export.connections, export.imported_contacts]
        got.messages.append(export.messages)
        got.endorsements.append(export.endorsements)
        got.recommendations.append(export.recommendations)
        got.invitations.append(export.invitations)
        got.me_keys |= set(export.owner_keys)
        got.owner_name = got.owner_name or S.clean_name(
            f"{export.profile.get('first_name', '')} {export.profile.get('last_name', '')}"
        )
    elif kind == "contacts":
        if p.suffix.lower() in (".vcf", ".vcard"):
            frame, rep = nio.read_vcard(p)
        else:
            frame, rep = nio.read_contacts_csv(p, columns=contact_columns)
        report.extend(rep)
        got.contacts.append(frame)
    elif kind == "email":
        frame, rep = nio.read_email(p, me=got.my_emails, cache=cache, cache_dir=cache_dir, progress=show)
        report.extend(rep)
        got.messages.append(frame)
        # (each distinct value once: iterating an Arrow column costs a Python object per cell)
        got.me_keys |= set(frame.loc[frame[S.IS_FROM_ME], S.SENDER].dropna().unique())
        # the owner the reader found (Sent mail, Delivered-To ...), even one who never wrote
        got.me_keys |= {a for f in rep.files for a in f.notes.get("me", {}).get("addresses", [])}
        got.owner_names |= set(frame.loc[frame[S.IS_FROM_ME], S.SENDER_NAME].dropna().unique())
        for data_file in _outlook_data_files(p, rep):  # their contacts folders
            people, contacts_rep = nio.read_pst_contacts(data_file)
            report.extend(contacts_rep)
            got.contacts.append(people)
    elif kind == "chats" and nio.slack.is_slack_export(p):
        frame, rep = nio.read_slack(p, me=sorted(set(got.my_emails or []) | set(got.chat_me or [])) or None)
        report.extend(rep)
        got.messages.append(frame)
        got.me_keys |= set(frame.loc[frame[S.IS_FROM_ME], S.SENDER])
    elif kind == "chats" and p.suffix.lower() == ".json":
        frame, rep = nio.read_telegram(
            p, me=sorted(got.chat_me or got.owner_names | {got.owner_name} - {None}) or None, tz=tz
        )
        report.extend(rep)
        got.messages.append(frame)
        got.me_keys |= set(frame.loc[frame[S.IS_FROM_ME], S.SENDER])
    elif kind == "chats":
        got.chat_jobs.append(job)  # read together after the other files: the owner is found across chats
    elif kind == "calls":
        owner = next((k for k in sorted(got.me_keys) if S.key_kind(k) in (S.KEY_EMAIL, S.KEY_URL)), None)
        region, _ = _phone_region(phone_region, report, got.contacts)
        frame, rep = nio.read_call_log(p, me=owner, columns=call_columns, region=region, tz=tz)
        report.extend(rep)
        got.messages.append(frame)
        got.me_keys.add(rep.files[0].notes["owner_key"])
    elif kind == "crm" and p.suffix.lower() == ".json":
        owner = next((k for k in sorted(got.me_keys) if S.key_kind(k) == S.KEY_EMAIL), None)
        region, _ = _phone_region(phone_region, report, got.contacts)
        people, frame, rep = nio.read_monica(p, me=owner, tz=tz, region=region)
        report.extend(rep)
        got.contacts.append(people)
        got.messages.append(frame)
        got.me_keys.add(rep.files[0].notes["owner_key"])
    elif kind == "crm":
        got.crm_jobs.append(job)  # read together after the other files: activities name contacts by their id
    else:
        frame, rep = nio.read_ics(p, me=got.my_emails)
        report.extend(rep)
        got.messages.append(frame)


def _phone_region(explicit: str | None, report: LoadReport, contacts_frames: list) -> tuple[str | None, str]:
    """The country national phone numbers are read in, and how it was found."""
    if explicit:
        return explicit.upper(), "phone_region= given"
    owner = next((f.notes["owner_region"] for f in report.files if f.notes.get("owner_region")), None)
    if owner:
        return owner, "the owner's number in the Telegram export"
    regions: dict[str, int] = {}
    for frame in contacts_frames:
        for phones in frame[S.PHONES] if frame is not None and len(frame) else []:
            for phone in phones:
                key = S.normalize_phone(phone) if str(phone).strip().startswith(("+", "00")) else None
                region = S.phone_region(key) if key else None
                if region:
                    regions[region] = regions.get(region, 0) + 1
    if regions:
        best = max(sorted(regions), key=regions.get)
        return best, f"most international numbers in the address books ({regions[best]})"
    return None, "unknown: national numbers without a country code are not keys; pass phone_region="


def _read_crm(jobs: list[_Job], owner, columns, tz, region, report: LoadReport, files_of: dict):
    """Read every CRM ``.csv`` in one call (an activity names its contact by the id the contacts
    file gives); returns the contacts, the messages and the owner's keys. A file found in a
    folder that cannot be read is reported, and the others are read."""
    from netanalytics import io as nio

    readable = []
    for job in jobs:
        if not job.in_folder:  # given by the caller: an error in it stops the load
            readable.append(job)
            continue
        try:  # a trial read (a CSV, quick): a file that cannot be read is reported, not raised
            nio.read_crm(job.path, columns=columns, me=owner, tz=tz, region=region)
        except (FormatError, OSError, UnicodeError) as exc:
            if not job.in_folder:
                raise
            files_of.setdefault((job.origin_kind, job.origin), []).append(
                report.skip_file(str(job.path), "crm", _reason(exc, job.path))
            )
        else:
            readable.append(job)
    people, frame, rep = nio.read_crm(
        [j.path for j in readable], columns=columns, me=owner, tz=tz, region=region
    )
    report.extend(rep)
    origin = {str(j.path): (j.origin_kind, j.origin) for j in readable}
    for f in rep.files:
        files_of.setdefault(origin[f.path], []).append(f)
    return people, frame, {owner or nio.crm.OWNER_KEY}


def _read_chats(jobs: list[_Job], owner_names: set[str], report: LoadReport, files_of: dict, tz=None):
    """Read every WhatsApp export in one call (the owner is the name that writes in all of
    them, unless a name the owner has in mail or on LinkedIn writes in them); returns the
    messages and the owner's keys. A file found in a folder that cannot be read is reported."""
    from netanalytics import io as nio

    paths = [j.path for j in jobs]
    errors = "report" if all(j.in_folder for j in jobs) else "raise"
    frame, rep = nio.read_whatsapp(paths, me=owner_names or None, errors=errors, tz=tz)
    if owner_names and not frame[S.IS_FROM_ME].any():  # those names are not the ones in the chats
        frame, rep = nio.read_whatsapp(paths, errors=errors, tz=tz)
    report.extend(rep)
    origin = {str(j.path): (j.origin_kind, j.origin) for j in jobs}
    for f in rep.files:
        files_of.setdefault(origin[f.path.split("!")[0]], []).append(f)
    return frame, set(frame.loc[frame[S.IS_FROM_ME], S.SENDER])


def _file_labels(paths) -> dict[str, str]:
    """A short name for each input file that holds none of the user's folders.

    Identity keys end up in notebooks, caches and shared reports; the user's paths must not.
    A file is named by its base name (a zip member by its name inside the zip); two inputs
    with the same name get a short digest of their full path appended, which is stable across
    runs and tells them apart without showing the path.

    Examples
    --------
    >>> _file_labels(["/home/ann/x/Connections.csv", "/tmp/a.zip!data/c.csv"])
    {'/home/ann/x/Connections.csv': 'Connections.csv', '/tmp/a.zip!data/c.csv': 'data/c.csv'}
    """

    def base(path: str) -> str:
        if "!" in path:  # "export.zip!member": the member's name inside the zip
            return path.rsplit("!", 1)[1]
        return Path(path).name

    names = {p: base(p) for p in paths}
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {
        p: name if counts[name] == 1 else f"{name}~{hashlib.blake2b(p.encode(), digest_size=4).hexdigest()}"
        for p, name in names.items()
    }


def _concat(frames: list[pd.DataFrame], spec: dict) -> pd.DataFrame:
    frames = [f for f in frames if f is not None and len(f)]
    if not frames:
        return S.empty_frame(spec)
    out = pd.concat(frames, ignore_index=True)
    for col, kind in spec.items():
        if kind == "datetime":
            out[col] = pd.to_datetime(out[col], utc=True)
    return out


def _dedupe_messages(messages: pd.DataFrame, rep) -> pd.DataFrame:
    """The same message read from two archives is kept once (same Message-ID, sender and date:
    :func:`netanalytics.io.email.drop_duplicate_messages`)."""
    from netanalytics.io.email import drop_duplicate_messages

    messages, n_dup, warnings = drop_duplicate_messages(messages)
    rep.skip("duplicate message across sources", n_dup)
    for text in warnings:
        rep.warn(text)
    return messages


def _automated_senders(messages: pd.DataFrame) -> set[str]:
    """The senders every message of whom is flagged automated (a message with no flag does not
    count against it, as ``groupby(sender)[flag].all()`` skips it): every sender but those of a
    message flagged not automated, by Arrow (0.0085 -> 0.005 s of 100,000 messages)."""
    senders = _arrow_strings(messages[S.SENDER])
    flag = messages[S.IS_AUTOMATED]
    by_person = (flag.notna() & ~flag.fillna(True).astype(bool)).to_numpy(bool)
    people = pc.unique(senders.filter(pa.array(by_person)))
    every = pc.unique(senders).drop_null()
    return set(every.filter(pc.invert(pc.is_in(every, value_set=people))).to_pylist())


def _bcc_keys(messages: pd.DataFrame, me_keys=()) -> pd.Series:
    """The Bcc lists of the owner's own messages (empty lists elsewhere): a Bcc list on
    incoming mail, if any, names me and adds no one (see :func:`build_interactions`)."""
    if S.BCC not in messages.columns:
        return pd.Series([[]] * len(messages), index=messages.index, dtype=object)
    return messages[S.BCC].where(
        _mine(messages, me_keys), pd.Series([[]] * len(messages), index=messages.index, dtype=object)
    )


def _mine(messages: pd.DataFrame, me_keys=()) -> np.ndarray:
    """Whether each message is the owner's own: flagged so by its reader, or sent from one of ``me_keys``."""
    return messages[S.IS_FROM_ME].fillna(False).to_numpy(bool) | messages[S.SENDER].isin(
        list(me_keys)
    ).to_numpy(bool)


def _key_activity(messages: pd.DataFrame, me_keys=()) -> pd.DataFrame:
    """key, n_messages, first_seen, last_seen over senders and To/Cc (and my Bcc) recipients."""
    every_row = np.arange(len(messages))
    sightings, keys = _key_codes(
        [(every_row, every_row, messages[S.SENDER].tolist())]
        + [_flatten(col.tolist()) for col in (messages[S.TO], messages[S.CC], _bcc_keys(messages, me_keys))]
    )
    key = np.concatenate([code for _at, code in sightings])
    known = key >= 0
    key, row = key[known], np.concatenate([at for at, _code in sightings])[known]
    stamps = messages[S.TIMESTAMP].array
    nat, never = np.iinfo(np.int64).min, np.iinfo(np.int64).max  # NaT is the least int64
    ns = stamps.asi8[row]  # each sighting's time
    dated = ns != nat
    first, last = np.full(len(keys), never), np.full(len(keys), nat)
    np.minimum.at(first, key[dated], ns[dated])
    np.maximum.at(last, key[dated], ns[dated])
    first[first == never] = nat  # a key never seen with a date: NaT
    # the keys in string order, by one Arrow sort (UTF-8 byte order is code point order, as str's;
    # numpy's sort of Python strings took 0.13 s for 122,703 keys)
    order = pc.sort_indices(pa.array(keys)).to_numpy()

    def as_stamps(values):  # integer times back to the stamps' own unit and zone
        times = pd.DatetimeIndex(values.view(f"M8[{stamps.unit}]"))
        return times if stamps.tz is None else times.tz_localize("UTC").tz_convert(stamps.tz)

    return pd.DataFrame(
        {
            "key": keys.take(order),
            "n_messages": np.bincount(key, minlength=len(keys))[order],
            "first_seen": as_stamps(first[order]),
            "last_seen": as_stamps(last[order]),
        }
    )


def _participants(messages, endorsements, recommendations, invitations, me_keys=()) -> pd.DataFrame:
    """(key, display_name) pairs for every participant sighting, deduplicated (in the order first seen)."""
    # each sender's (key, name) once, by pandas, before Python sees them (a correspondent sends
    # many messages: 89,870 pairs among 400,000 messages of the 120,000-person namesake mailbox)
    senders = messages[[S.SENDER, S.SENDER_NAME]].drop_duplicates()
    keys, names = senders[S.SENDER].tolist(), senders[S.SENDER_NAME].tolist()
    for keys_col, names_col in ((S.TO, S.TO_NAMES), (S.CC, S.CC_NAMES)):
        flat_k, flat_n = _recipient_pairs(messages[keys_col].tolist(), messages[names_col].tolist())
        keys += flat_k
        names += flat_n
    # keys only (Bcc names are not kept), of my own messages (see _bcc_keys)
    bcc = _elements(messages.loc[_mine(messages, me_keys), S.BCC].tolist())[1] if S.BCC in messages else []
    keys += bcc
    names += [None] * len(bcc)
    for extras in (endorsements, recommendations):
        if len(extras):
            full = (extras[S.FIRST_NAME].fillna("") + " " + extras[S.LAST_NAME].fillna("")).str.strip()
            if S.LINKEDIN_URL in extras.columns:
                url = extras[S.LINKEDIN_URL]
                keys += [u if isinstance(u, str) and u else S.name_key(n) for u, n in zip(url, full)]
            else:
                keys += [S.name_key(n) for n in full]
            names += list(full)
    if len(invitations):
        keys += [
            u if isinstance(u, str) and u else S.name_key(n)
            for u, n in zip(invitations[S.LINKEDIN_URL], invitations[S.NAME].fillna(""))
        ]
        names += list(invitations[S.NAME])
    # missing names as None (not NaN, which is never equal to itself), then each pair once (a
    # text column gives a missing name as NaN; the lists give strings and None)
    if float in set(map(type, names)):
        names = [None if n is None or n != n else n for n in names]
    pairs = dict.fromkeys(zip(keys, names))
    key_col, name_col = map(list, zip(*pairs)) if pairs else ([], [])
    if set(map(type, key_col)) - {str} or "name:" in key_col:  # (a missing key, or a name key of no name)
        kept = [i for i, k in enumerate(key_col) if isinstance(k, str) and k != "name:"]
        key_col, name_col = [key_col[i] for i in kept], [name_col[i] for i in kept]
    return pd.DataFrame(
        {S.KEY: key_col, S.DISPLAY_NAME: name_col}, columns=[S.KEY, S.DISPLAY_NAME], dtype=object
    )


def _recipient_pairs(key_lists: list, name_lists: list) -> tuple[list, list]:
    """The (key, display name) sightings of a column of recipient lists and its column of names,
    in the order first seen row by row, each pair of objects once (equal pairs of two objects
    may both come: the participants are deduplicated by value after). A list of names of another
    length than its keys gives no names (None); a missing cell, no sightings.

    Where the C speedups are built and every cell is a list, both columns are coded by one pass of
    ``FlatTable`` each and the pairs deduplicated as integers (0.011 -> 0.003 s of the 100,000
    To lists of the namesake mailbox); otherwise each pair of list objects is read at its first
    row (a sighting first seen there is first seen in the same order as row by row)."""
    keys = _coded(key_lists)
    names = _coded(name_lists) if keys is not None else None
    if names is not None:
        (key_codes, key_at, key_strings), (name_codes, name_at, name_strings) = keys, names
        lengths = np.diff(key_at)
        row = np.repeat(np.arange(len(key_lists)), lengths)
        named = (lengths == np.diff(name_at))[row]  # (rows whose names match their keys)
        name = np.full(len(key_codes), -1, np.int64)  # -1: no name
        place = np.flatnonzero(named)
        name[place] = name_codes[name_at[row[place]] + (place - key_at[row[place]])]
        stride = len(name_strings) + 1
        pairs = pd.unique(key_codes * stride + (name + 1))  # (in the order first seen)
        name_strings = [*name_strings, None]  # (code -1: None)
        return [key_strings[k] for k in (pairs // stride).tolist()], [
            name_strings[n] for n in (pairs % stride - 1).tolist()
        ]
    first = first_rows(key_lists, name_lists)[1].tolist()
    key_lists, name_lists = [key_lists[i] for i in first], [name_lists[i] for i in first]
    n_keys, flat_k = _elements(key_lists)
    n_names, flat_n = _elements(name_lists)
    if (n_keys != n_names).any():  # a list of names of another length than its keys: no names
        flat_n = list(chain.from_iterable(
            ns if n == k and k else [None] * k  # (a missing cell: none)
            for ns, n, k in zip(name_lists, n_names.tolist(), n_keys.tolist())
        ))  # fmt: skip
    return flat_k, flat_n


def _people(
    resolution,
    contacts: pd.DataFrame,
    messages: pd.DataFrame,
    *,
    owner_name: str | None = None,
    by_source: list | None = None,
) -> pd.DataFrame:
    """The ``people`` frame: one row per resolved person and the owner, named by their records,
    else their most frequent display name, else their first address. ``by_source``:
    :func:`_keys_by_source` of ``messages``, made here when not given."""
    records = {S.record_key(r[S.SOURCE], r[S.RECORD_ID]): r for r in contacts.to_dict("records")}
    clusters = resolution.clusters
    pids = sorted(pid for pid in clusters if pid is not None)
    if EGO not in clusters:  # the owner, known by no key: a row with nothing known
        pids.append(EGO)
    if by_source is None:
        by_source = _keys_by_source(messages)
    columns = _people_columns(pids, clusters, records, messages[S.SENDER], by_source)
    ident = resolution.identities
    shown = ident.dropna(subset=[S.DISPLAY_NAME, S.PERSON_ID])
    # each person's name as their keys show it: a person with one key showing a name (most) has
    # that name; for the others their keys' names are counted by a group-by (over every person
    # it took 0.15 s at 120,000 people) and chosen as a key's are (_shown_name: the most
    # frequent that is not an address, the first seen among ties)
    several = shown[S.PERSON_ID].duplicated(keep=False).to_numpy()
    fallback = dict(zip(shown[S.PERSON_ID].to_numpy()[~several], shown[S.DISPLAY_NAME].to_numpy()[~several]))
    counted: dict[str, dict] = {}
    for (pid, name), n in shown[several].groupby([S.PERSON_ID, S.DISPLAY_NAME], sort=False).size().items():
        counted.setdefault(pid, {})[name] = n
    fallback.update((pid, _shown_name(names)) for pid, names in counted.items())
    names, emails = columns[S.NAME], columns[S.EMAILS]
    columns[S.NAME] = [
        # the owner's own profile names them best (a contact card or a display name may be a nickname)
        owner_name if pid == EGO and owner_name
        else name or fallback.get(pid) or (address[0] if address else pid)
        for pid, name, address in zip(pids, names, emails)
    ]  # fmt: skip
    index = pd.Index(pids, name=S.PERSON_ID)
    typed = {}
    for col, kind in S.PEOPLE.items():
        if kind in ("str", "list"):  # (Python objects as they are: no string dtype inferred, then undone)
            values = pd.Series(columns[col], index=index, dtype=object)
            if kind == "str" and values.isna().any():  # (a missing text as None)
                values = values.where(values.notna(), None)
            typed[col] = values
        elif kind == "datetime":  # (nanoseconds, as every time of the frames: with no date at all
            # pandas would choose seconds)
            typed[col] = pd.to_datetime(pd.Series(columns[col], index=index), utc=True).dt.as_unit("ns")
        else:
            typed[col] = pd.Series(columns[col], index=index, dtype=kind)
    return pd.DataFrame(typed, index=index)


def _arrow_strings(values) -> pa.Array:
    """``values`` (a list, or a column of strings) as one Arrow array of strings, missing values
    null. A column read in parts is several chunks: they are joined."""
    values = pa.array(values, type=pa.large_string(), from_pandas=True)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _keys_by_source(messages: pd.DataFrame) -> list[tuple[str, pa.Array]]:
    """Each source (in sorted order) and the keys that send or receive (To) messages in it, as
    Arrow strings: each distinct To list's keys once, none made a Python string here."""
    by_source = []
    for src, part in messages.groupby(S.SOURCE, sort=True, observed=True):
        senders, to = _arrow_strings(part[S.SENDER]), _arrow_strings(_flatten(part[S.TO].tolist())[2])
        by_source.append((src, pc.unique(pa.concat_arrays([senders, to]).drop_null())))
    return by_source


def _sources_of(keys: list, by_source: list[tuple[str, pa.Array]]) -> list[list[str]]:
    """The sources each of ``keys`` (a key or None) sends or receives messages in, sorted: a new
    list each, one Arrow ``is_in`` per source rather than a lookup per key."""
    if not by_source:
        return [[] for _ in keys]
    keys = _arrow_strings(keys)
    masks = [
        pc.is_in(keys, value_set=in_source).to_numpy(zero_copy_only=False) for _src, in_source in by_source
    ]
    # each key's combination of sources numbered (a handful: numbers stay below the keys'
    # count, whatever the sources), its list made once, then copied for each key
    code = np.zeros(len(keys), np.int64)
    for inside in masks:
        code = pd.factorize(code * 2 + inside)[0]
    first = np.flatnonzero(first_of_numbers(code)).tolist()  # the first key of each combination
    lists = [[src for (src, _keys), inside in zip(by_source, masks) if inside[i]] for i in first]
    return [list(lists[c]) for c in code.tolist()]


def _people_columns(pids: list, clusters: dict, records: dict, senders: pd.Series, by_source: list) -> dict:
    """The columns of ``people`` (:data:`schema.PEOPLE`), a list each, in the order of ``pids``;
    the name None where no record gives one (:func:`_people` fills it in). ``senders``: the
    messages' senders; ``by_source``: see :func:`_keys_by_source`.

    The people of one key and no record (most mailbox correspondents) are filled in column by
    column, their key's kind and domain read by Arrow; the others a row at a time
    (:func:`_person_row`)."""
    keys_of = [clusters.get(pid, ()) for pid in pids]
    # one key each, or None: a person with more keys, or any record to read, goes by the row
    only = (
        [next(iter(keys)) if len(keys) == 1 else None for keys in keys_of]
        if not records
        else [None] * len(pids)
    )
    rows = [i for i, key in enumerate(only) if key is None]
    row_keys = list(dict.fromkeys(k for i in rows for k in keys_of[i]))
    sources = _sources_of(only + row_keys, by_source)  # (the sources of both, at once)
    source_of_key = dict(zip(row_keys, sources[len(only) :]))
    key = _arrow_strings(only)
    not_email = functools.reduce(pc.or_, [pc.starts_with(key, prefix) for prefix in S.NOT_EMAIL])
    email = pc.invert(not_email).fill_null(False)  # (a missing key, None, is no email)
    domain = _email_domains(key)  # (none without an "@")
    n = len(pids)
    columns = {
        S.NAME: [None] * n,
        S.EMAILS: [[k] if e else [] for k, e in zip(only, email.to_pylist())],
        S.LINKEDIN_URL: pc.if_else(pc.starts_with(key, "https://"), key, None).to_pylist(),
        S.COMPANY: [None] * n,
        S.TITLE: [None] * n,
        S.DOMAIN: domain.to_pylist(),
        S.SOURCES: sources[: len(only)],
        S.CONNECTED_ON: [pd.NaT] * n,
        S.TAGS: [[] for _ in range(n)],
        S.KIND: [None] * n,
        S.CADENCE_DAYS: [np.nan] * n,
        S.IS_ME: [False] * n,
    }
    if EGO in pids:  # (person ids are distinct: one at most)
        columns[S.IS_ME][pids.index(EGO)] = True
    sender_counts = _sent_by(senders, row_keys)  # (read only for the people filled in by the row)
    for i in rows:
        row = _person_row(pids[i], keys_of[i], records, sender_counts, source_of_key)
        for values, value in zip(columns.values(), row):
            values[i] = value
    return columns


def _sent_by(senders: pd.Series, keys: list) -> dict:
    """The messages each of ``keys`` sent (of those that sent any), from the column of ``senders``:
    those keys' alone, by Arrow (a count of every sender took 0.006 s of 100,000 messages, and
    0.08 s of 400,000 from 120,000 people, for the 2-3 % of the people that have several keys)."""
    if not keys:
        return {}
    column = _arrow_strings(senders)
    counts = pc.value_counts(column.filter(pc.is_in(column, value_set=_arrow_strings(keys))))
    return dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()))


def _person_row(pid: str, keys, records: dict, sender_counts: dict, source_of_key: dict) -> tuple:
    """One person's row of ``people`` (the values in the order of :data:`schema.PEOPLE`) from their
    keys' records (LinkedIn first) and messages; the name is None when no record gives one
    (:func:`_people` fills it in)."""
    ordered = sorted(keys)
    emails, urls = [], []
    for k in ordered:
        kind = S.key_kind(k)
        if kind == S.KEY_EMAIL:
            emails.append(k)
        elif kind == S.KEY_URL:
            urls.append(k)
    if len(emails) == 1:
        domain = email_domain(emails[0])
    elif emails:
        domain_pool = [e for e in emails if not is_free_mail(email_domain(e))] or emails
        domain = email_domain(max(domain_pool, key=lambda e: (sender_counts.get(e, 0), e)))
    else:
        domain = None
    if len(ordered) == 1:
        sources = source_of_key.get(ordered[0], [])
    else:
        sources = sorted({s for k in ordered for s in source_of_key.get(k, ())})
    recs = [records[k] for k in ordered if k in records]
    if not recs:  # a mailbox correspondent: nothing on record
        return (None, emails, urls[0] if urls else None, None, None, domain, list(sources), pd.NaT, [], None,
                np.nan, pid == EGO)  # fmt: skip
    # LinkedIn connections know the current company; address books come next
    recs.sort(key=lambda r: (r[S.SOURCE] != "linkedin", r[S.RECORD_ID]))
    name = next((r[S.FULL_NAME] for r in recs if isinstance(r[S.FULL_NAME], str) and r[S.FULL_NAME]), None)
    company = next((r[S.COMPANY] for r in recs if isinstance(r[S.COMPANY], str) and r[S.COMPANY]), None)
    title = next((r[S.TITLE] for r in recs if isinstance(r[S.TITLE], str) and r[S.TITLE]), None)
    connected = next((r[S.CONNECTED_ON] for r in recs if pd.notna(r[S.CONNECTED_ON])), pd.NaT)
    labels = _labels(recs)
    sources = sorted({*sources, *(r[S.SOURCE] for r in recs)})
    kind = next((_KNOWN_KINDS[t.lower()] for t in labels if t.lower() in _KNOWN_KINDS), None)
    return (name, emails, urls[0] if urls else None, company, title, domain, sources, connected, labels,
            kind, np.nan, pid == EGO)  # fmt: skip


def _labels(recs: list[dict]) -> list[str]:
    """The records' labels in order, once each, without the address books' system groups."""
    labels = []
    for r in recs:
        for label in r[S.LABELS]:
            clean = label.lstrip("* ").strip()
            if clean and clean.lower() not in _SYSTEM_LABELS and clean not in labels:
                labels.append(clean)
    return labels


def _annotate(people: pd.DataFrame, notes: pd.DataFrame, k2p: dict, rep) -> pd.DataFrame:
    people = people.copy()
    by_kind = {}
    for row in notes.itertuples(index=False):
        if row.key.startswith("kind:"):
            by_kind[row.key[5:].lower()] = row.cadence_days
            continue
        pid = k2p.get(row.key)
        if pid is None:
            rep.warn(f"annotation for {row.key!r}: no such identity key in the loaded data")
            continue
        if row.kind:
            people.at[pid, S.KIND] = row.kind
        if row.tags:
            people.at[pid, S.TAGS] = list(dict.fromkeys([*people.at[pid, S.TAGS], *row.tags]))
        if pd.notna(row.cadence_days):
            people.at[pid, S.CADENCE_DAYS] = float(row.cadence_days)
    for kind, days in by_kind.items():
        mask = people[S.KIND].fillna("").str.lower().eq(kind) & people[S.CADENCE_DAYS].isna()
        people.loc[mask, S.CADENCE_DAYS] = days
    return people


def _elements(lists: list) -> tuple[np.ndarray, list]:
    """The length of each list of a column and their elements in order (a cell that is not a
    list, such as None, has none)."""
    try:
        lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    except TypeError:  # a missing cell (None, NaN): no elements
        lists = [c if isinstance(c, list | tuple | np.ndarray) else () for c in lists]
        lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    return lengths, list(chain.from_iterable(lists))


def _key_codes(
    parts: list[tuple[np.ndarray, np.ndarray, list]],
) -> tuple[list, pd.api.extensions.ExtensionArray]:
    """Keys of several columns numbered together. ``parts``: for each column, as
    :func:`_flatten` gives it, the row of each sighting, its place in ``flat`` and ``flat``.
    Returns for each column the row and the key code of each sighting (-1: a missing key), and
    the keys by code, in order of first sight (numbered as Arrow strings: pandas' hash table of
    Python strings took twice as long)."""
    offsets = np.cumsum([0] + [len(flat) for _at, _index, flat in parts])
    code, keys = pd.factorize(
        pd.array(list(chain.from_iterable(flat for _at, _i, flat in parts)), dtype="str")
    )
    return [(at, code[index + start]) for (at, index, _flat), start in zip(parts, offsets.tolist())], keys


def _coded(lists: list) -> tuple[np.ndarray, np.ndarray, list] | None:
    """A column of lists coded by one pass of the C ``FlatTable`` (the mail reader's): each
    element's code (int64), where each row's codes start and end (``len(lists) + 1`` offsets), and
    the distinct element objects by code, in the order first met. None where the C speedups are
    not built, or a cell is not a list (None, NaN, a tuple): the caller reads the lists then."""
    if _native.SPEEDUPS is None:
        return None
    table = _native.SPEEDUPS.FlatTable()
    try:
        codes, offsets = table.flat(lists)
    except TypeError:
        return None
    return np.frombuffer(codes, np.int32).astype(np.int64), np.frombuffer(offsets, np.int64), table.strings(0)


def _flatten(lists: list) -> tuple[np.ndarray, np.ndarray, list]:
    """The elements of a column of lists, in order: the row each comes from, and where it is in
    ``flat`` (a cell that is not a list, such as None, has no elements). ``flat`` holds each
    element once per distinct object it comes in: where the C speedups are built and every cell
    is a list (a mail reader's column), each distinct element object once, in the order first met,
    by one pass of ``FlatTable`` (0.007 -> 0.0014 s for the To lists of the 100,000 messages of the
    namesake mailbox); otherwise the elements of each distinct list object once, in the order of
    their first rows."""
    coded = _coded(lists)
    if coded is not None:
        codes, offsets, strings = coded
        return np.repeat(np.arange(len(lists)), np.diff(offsets)), codes, strings
    of_row, first = first_rows(lists)
    lengths, flat = _elements([lists[i] for i in first.tolist()])
    row_lengths = lengths[of_row]
    at = np.repeat(np.arange(len(lists)), row_lengths)
    # an element's place in flat: where its row's list starts there, plus its place in the row
    index = np.repeat((np.cumsum(lengths) - lengths)[of_row], row_lengths) + _run_positions(row_lengths)
    return at, index, flat


class _Persons:
    """The people of a key → person mapping as integer codes, numbered in the order of their ids
    (so that sorting codes sorts ids); -1 is no person (a key not known, or mapped to None).

    Keys are looked up by Arrow (``pyarrow.compute.index_in``), not in a dict: a column of Arrow
    strings (the senders) is not turned into a Python string per row first (the senders of the
    400,000 messages of the 120,000-person namesake mailbox: 0.16 -> 0.04 s)."""

    def __init__(self, k2p: dict):
        # the ids in sorted order (the owner among them) and each key's code: the distinct ids by
        # Arrow's dictionary encoding, then sorted (a sorted pd.factorize took 0.012 s at 30,000
        # people, this 0.005)
        encoded = pc.dictionary_encode(pa.array([*k2p.values(), EGO], type=pa.large_string()))
        order = pc.sort_indices(encoded.dictionary).to_numpy()
        rank = np.empty(len(order), np.int64)
        rank[order] = np.arange(len(order))
        code = np.append(rank, -1)[encoded.indices.fill_null(-1).to_numpy()]  # (None: -1)
        self.ids = np.array(encoded.dictionary.take(order).to_pylist(), dtype=object)
        self.ego = int(code[-1])
        self._keys = pa.array(list(k2p), type=pa.large_string())
        self._key_code = np.append(code[:-1], -1)  # (a key not found, -1, takes the trailing -1)
        self._with_none = np.append(self.ids, None)  # code -1 takes the trailing None

    def codes(self, keys) -> np.ndarray:
        """The code of each key's person (``keys``: a list or a column of strings)."""
        keys = _arrow_strings(keys)
        return self._key_code[pc.index_in(keys, value_set=self._keys).fill_null(-1).to_numpy()]

    def names(self, codes: np.ndarray) -> np.ndarray:
        """The person id of each code (None for -1)."""
        return self._with_none[codes]


_ROLES = np.array(["from", "to", "cc", "bcc"], dtype=object)  # participation roles by code


def _text(codes: np.ndarray, values: np.ndarray):
    """``values[codes]`` as a ``str`` array (code -1 missing), cast from an Arrow dictionary
    rather than made of a Python string per row (0.18 s for the participation frame of 200,000
    messages of real list mail)."""
    dictionary = pa.array(values.tolist(), type=pa.string())
    indices = pa.array(np.where(codes < 0, 0, codes).astype(np.int32), mask=codes < 0)
    return pd.array(pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.string()), dtype="str")


FROM, TO, CC, BCC = range(4)


@dataclass
class _MessageCodes:
    """What :func:`build_interactions` reads of the messages alone, before any key has a person
    (:func:`_message_codes`): integer arrays over the messages it weighs, those not automated
    and with a date, in their order; and, for the people frame, each source's keys."""

    message: np.ndarray  # each message's id numbered in order of first sight (a missing id too)
    recipients: list  # for To then Cc: the message of each recipient, and its key's code in ``keys``
    keys: list  # the distinct recipient keys, by code (-1: a missing key)
    thread: np.ndarray  # each message's thread id numbered (a missing id too)
    order: np.ndarray  # the messages in time order (a stable sort)
    rank: np.ndarray  # each message's place in the order of (time, message id)
    by_source: list  # :func:`_keys_by_source` of all the messages (the people frame's)


def _message_codes(messages: pd.DataFrame) -> _MessageCodes:
    """The :class:`_MessageCodes` of ``messages``: computed in a forked worker while identities
    are resolved (the load's), or in place by :func:`build_interactions`."""
    weighed = ~messages[S.IS_AUTOMATED].to_numpy(bool) & messages[S.TIMESTAMP].notna().to_numpy()
    # (the columns read, not every column filtered: 0.04 -> 0.01 s of 200,000 real messages)
    msgs = messages.loc[weighed, [S.MESSAGE_ID, S.TO, S.CC, S.THREAD_ID, S.TIMESTAMP]]
    # ids and thread ids numbered by Arrow, a missing one as one more (as pd.factorize of Python
    # strings with use_na_sentinel=False numbered them, in 0.045 s of 200,000 ids rather than 0.01)
    ids = _arrow_strings(msgs[S.MESSAGE_ID])
    message = pc.dictionary_encode(ids, null_encoding="encode").indices.to_numpy().astype(np.int64)
    recipients, keys = _key_codes([_flatten(msgs[col].tolist()) for col in (S.TO, S.CC)])
    stamps = msgs[S.TIMESTAMP].array.asi8
    thread = pc.dictionary_encode(
        _arrow_strings(msgs[S.THREAD_ID]), null_encoding="encode"
    ).indices.to_numpy()
    order, rank = np.argsort(stamps, kind="stable"), _time_rank(stamps, ids)
    # positions and codes as int32 (rows and keys number far fewer than 2**31): half the bytes
    # pickled back from the worker (31 -> 16 MB for 200,000 messages of real list mail)
    recipients = [(at.astype(np.int32), key.astype(np.int32)) for at, key in recipients]
    order, rank = order.astype(np.int32), rank.astype(np.int32)
    return _MessageCodes(message, recipients, keys.tolist(), thread, order, rank, _keys_by_source(messages))


def build_interactions(messages: pd.DataFrame, k2p: dict, rep, codes: _MessageCodes | None = None):
    """Turn messages into (message × counterpart) rows; see DESIGN.md and the Network docs.

    Returns (interactions, participation, kept messages). A message from me has one out row
    per person in To/Cc (roles ``to``, ``cc``) and per person in Bcc (role ``bcc``, when the
    owner's copy kept the list: Gmail Sent, Outlook); Bcc recipients count in
    ``n_participants``. ``participation`` (the co-participation evidence) leaves Bcc
    recipients out: they did not see the To/Cc people nor each other, so they are linked to
    me only. Bcc on incoming mail names me and adds nothing.

    ``codes``: :func:`_message_codes` of ``messages``, computed beforehand (in a worker); made
    here when not given.

    Notes
    -----
    Messages are keyed by their id (unique once :func:`_dedupe_messages` has run). Inside, each
    message id, person and role is an integer code, so that rows are deduplicated, counted,
    joined and sorted on integers rather than by hashing and sorting strings (0.1-0.2 s per
    operation at 100,000 messages)."""
    if codes is None:
        codes = _message_codes(messages)
    rep.skip("automated sender (no-reply, list, bulk)", int(messages[S.IS_AUTOMATED].sum()))
    msgs = messages[~messages[S.IS_AUTOMATED]]  # (a new frame: copy-on-write keeps messages as they are)
    # ids as Python objects, None where missing
    for col in (S.MESSAGE_ID, S.IN_REPLY_TO, S.THREAD_ID):
        msgs[col] = msgs[col].astype(object).where(msgs[col].notna(), None)
    people = _Persons(k2p)
    sender = people.codes(msgs[S.SENDER])
    msgs[S.IS_FROM_ME] = sender == people.ego
    no_time = msgs[S.TIMESTAMP].isna().to_numpy()
    rep.skip("message without a usable date", int(no_time.sum()))
    if no_time.any():  # (a frame filtered with nothing to drop is copied all the same)
        msgs, sender = msgs[~no_time], sender[~no_time]
    # each message id once, at its first message (pd.factorize's uniques: a missing id as NaN)
    code = codes.message
    ids = msgs[S.MESSAGE_ID].to_numpy(object)[first_of_numbers(code)]
    ids[pd.isna(ids)] = np.nan

    part_m, part_p, part_r, addressed_to_me = _participation_rows(msgs, code, ids, sender, people, codes)
    n_part = np.bincount(part_m, minlength=len(ids))
    n_part = _with_list_audience(n_part, msgs, code, addressed_to_me, sender, people)

    # Bcc of my messages: counterparts of mine, not co-participants (kept out of participation)
    bcc_m, bcc_p = _bcc_rows(msgs, code, people, part_m, part_p)
    np.add.at(n_part, bcc_m, 1)

    has_others = np.zeros(len(ids), bool)
    has_others[part_m[part_p != people.ego]] = True
    has_others[bcc_m] = True
    self_mail = msgs[S.IS_FROM_ME].to_numpy(bool) & ~has_others[code]
    list_post = self_mail & msgs[S.MAILING_LIST].notna().to_numpy()
    rep.skip("post to a mailing list, no person addressed", int(list_post.sum()))
    rep.skip("self-mail (only me on it)", int((self_mail & ~list_post).sum()))
    msgs, code, rows = msgs[~self_mail], code[~self_mail], np.flatnonzero(~self_mail)
    kept = np.zeros(len(ids), bool)
    kept[code] = True
    on_kept = kept[part_m]
    part = part_m, part_p, part_r = part_m[on_kept], part_p[on_kept], part_r[on_kept]
    participation = pd.DataFrame(
        {S.MESSAGE_ID: pd.Series(ids.take(part_m), dtype=object),
         S.PERSON_ID: _text(part_p, people.ids), S.ROLE: _text(part_r, _ROLES)}
    )  # fmt: skip
    bcc_rows = (bcc_m, bcc_p, np.full(len(bcc_m), BCC))
    inter = _interaction_frame(msgs, code, ids, n_part, part, bcc_rows, people, codes, rows)
    return inter, participation, msgs.reset_index(drop=True)


def _participation_rows(
    msgs: pd.DataFrame, code: np.ndarray, ids: np.ndarray, sender: np.ndarray, people, codes: _MessageCodes
):
    """The participation rows as code arrays (message, person, role): each message's sender,
    its To then Cc people, the author a list post of mine answers, and me; the first row of
    each (message, person) kept. Also, by message code, whether I am in its To or Cc."""
    rows_m, rows_p, rows_r = [code], [sender], [np.full(len(msgs), FROM)]
    addressed_to_me = np.zeros(len(ids), bool)
    person_of_key = np.append(people.codes(codes.keys), -1)  # (code -1, a missing key, takes the -1)
    for (at, key), role in zip(codes.recipients, (TO, CC)):
        persons = person_of_key[key]
        addressed_to_me[code[at[persons == people.ego]]] = True
        rows_m.append(code[at])
        rows_p.append(persons)
        rows_r.append(np.full(len(at), role))
    at, persons = _list_reply_parents(msgs, code, ids, sender, people.ego)
    rows_m += [code[at], code]
    rows_p += [persons, np.full(len(msgs), people.ego)]
    rows_r += [np.full(len(at), TO), np.full(len(msgs), TO)]
    part_m, part_p, part_r = (np.concatenate(r) for r in (rows_m, rows_p, rows_r))
    known = part_p >= 0
    part_m, part_p, part_r = part_m[known], part_p[known], part_r[known]
    first = _first_of_each(part_m * (len(people.ids) + 1) + part_p)
    return part_m[first], part_p[first], part_r[first], addressed_to_me


def _interaction_frame(
    msgs, code, ids, n_part, part, bcc, people, codes: _MessageCodes, rows
) -> pd.DataFrame:
    """The interactions frame: for each of my messages a row per counterpart (participation
    rows and Bcc rows, ``(message, person, role)`` code arrays), for each message to me a row
    for its sender; sorted by time, message id and person. ``rows``: where ``msgs`` are among
    the messages ``codes`` number."""
    stamps = msgs[S.TIMESTAMP].array
    # the time order of msgs: that of all the messages, those left out dropped (a stable sort
    # of a part is the part of the stable sort)
    place = np.full(len(codes.order), -1)
    place[rows] = np.arange(len(rows))
    order = place[codes.order]
    order = order[order >= 0]
    starts = np.zeros(len(msgs), bool)  # the first message of each thread in time
    thread = codes.thread[rows][order]
    starts[order[np.unique(thread, return_index=True)[1]]] = True
    reply_to = msgs[S.IN_REPLY_TO].to_numpy(object)
    channel = msgs[S.CHANNEL].astype(object).where(msgs[S.CHANNEL].notna(), None).to_numpy(object)
    is_reply = pd.notna(reply_to) | ((channel == "linkedin") & ~starts)
    row_of = np.full(len(ids), -1, np.int64)  # message code -> row of msgs
    row_of[code] = np.arange(len(msgs))
    from_me = np.zeros(len(ids), bool)
    from_me[code] = msgs[S.IS_FROM_ME].to_numpy(bool)

    # out: my messages' counterparts (Bcc included), in: the sender of each message to me
    out_m, out_p, out_r = (np.concatenate([p, b]) for p, b in zip(part, bcc))
    out = from_me[out_m] & (out_p != people.ego) & (out_r != FROM)
    part_m, part_p, part_r = part
    inn = ~from_me[part_m] & (part_r == FROM)
    inter_m, inter_p, inter_r = (
        np.concatenate([o[out], p[inn]]) for o, p in zip((out_m, out_p, out_r), part)
    )
    direction = np.repeat(np.array([S.OUT, S.IN], object), [int(out.sum()), int(inn.sum())])
    r = row_of[inter_m]
    # person codes are numbered in id order: sorting on them sorts on the ids; by one stable sort
    # of (rank, person) as one integer (np.lexsort of the two: 0.012 s of 100,000 rows, this 0.006)
    stride = len(people.ids) + 1  # (codes from -1 up)
    sort = np.argsort(codes.rank[rows][r].astype(np.int64) * stride + (inter_p + 1), kind="stable")
    r, inter_m = r[sort], inter_m[sort]

    def obj(values):
        return pd.Series(values, dtype=object)

    return pd.DataFrame(
        {
            S.TIMESTAMP: stamps.take(r),
            S.PERSON_ID: obj(people.names(inter_p[sort])),
            S.DIRECTION: obj(direction[sort]),
            S.CHANNEL: obj(channel[r]),
            S.THREAD_ID: obj(msgs[S.THREAD_ID].to_numpy(object)[r]),
            S.MESSAGE_ID: obj(ids.take(inter_m)),
            S.IN_REPLY_TO: obj(reply_to[r]),
            S.ROLE: obj(_ROLES[inter_r[sort]]),
            S.N_PARTICIPANTS: n_part[inter_m].astype("int64"),
            S.IS_REPLY: is_reply[r],
            S.STARTS_THREAD: starts[r],
        }
    )


def _time_rank(when: np.ndarray, ids) -> np.ndarray:
    """Each message's position in the order of (time, id), a missing id as ""; one stable Arrow
    sort on the two columns (a pandas sort of the ids tied on time took 0.3 s of real list mail
    at 200,000 messages, where copies share their times). ``ids``: as :func:`_arrow_strings`
    takes them."""
    table = pa.table({"when": when, "id": pc.fill_null(_arrow_strings(ids), "")})
    order = pc.sort_indices(table, sort_keys=[("when", "ascending"), ("id", "ascending")]).to_numpy()
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    return rank


def _bcc_rows(
    msgs: pd.DataFrame, code: np.ndarray, people: _Persons, part_m: np.ndarray, part_p: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The Bcc recipients of my messages who are not already on the message (as sender, in To or
    Cc: the participation rows ``part_m``, ``part_p``) and are not me: their message and person
    codes, in the order of the messages and their lists, each pair once."""
    none = np.zeros(0, np.int64)
    if S.BCC not in msgs.columns:
        return none, none
    mine = np.flatnonzero(msgs[S.IS_FROM_ME].to_numpy(bool))
    lengths, keys = _elements(msgs[S.BCC].to_numpy(object)[mine].tolist())
    if not keys:
        return none, none
    bcc_m, bcc_p = np.repeat(code[mine], lengths), people.codes(keys)
    keep = (bcc_p >= 0) & (bcc_p != people.ego)  # (-1: a key of no person)
    bcc_m, bcc_p = bcc_m[keep], bcc_p[keep]
    pair = bcc_m * (len(people.ids) + 1) + bcc_p
    first = _first_of_each(pair)
    bcc_m, bcc_p, pair = bcc_m[first], bcc_p[first], pair[first]
    # the participation rows of these messages only (a message's rows, not all of them, compared)
    has_bcc = np.zeros(int(code.max()) + 1, bool)
    has_bcc[bcc_m] = True
    on = has_bcc[part_m]
    seen = np.isin(pair, part_m[on] * (len(people.ids) + 1) + part_p[on])
    return bcc_m[~seen], bcc_p[~seen]


def _list_reply_parents(
    msgs: pd.DataFrame, code: np.ndarray, ids: np.ndarray, sender: np.ndarray, ego: int
) -> tuple[np.ndarray, np.ndarray]:
    """My list posts answer a person: the author of the message each replies to becomes its
    counterpart (role ``to``), as a direct reply would have them in To. Lists that set
    Reply-To to themselves leave only the list in To.

    Returns the positions in ``msgs`` of those posts of mine and the person code of each one's
    author (``sender`` of the first message of its id: ``code`` numbers the messages' ``ids``)."""
    mine = np.flatnonzero(msgs[S.IS_FROM_ME].to_numpy(bool) & msgs[S.MAILING_LIST].notna().to_numpy())
    if not len(mine):
        return mine, np.zeros(0, np.int64)
    # the message each replies to: the code of its id (-1: none, or a missing In-Reply-To), the
    # few ids replied to looked for among all (a hash table of all ids cost twice as much)
    replied = msgs[S.IN_REPLY_TO].to_numpy(object)[mine]
    wanted = _arrow_strings(pd.unique(replied[pd.notna(replied)]))
    found = np.flatnonzero(pc.is_in(_arrow_strings(ids), value_set=wanted).to_numpy(zero_copy_only=False))
    code_of = dict(zip(ids[found].tolist(), found.tolist()))
    parent = np.fromiter((code_of.get(r, -1) for r in replied.tolist()), np.int64, count=len(replied))
    author = np.full(len(ids) + 1, -1, np.int64)  # message code -> its first message's sender (-1: none)
    first = first_of_numbers(code)
    author[code[first]] = sender[first]
    persons = author[parent]
    keep = (persons >= 0) & (persons != ego)
    return mine[keep], persons[keep]


def _with_list_audience(
    n_part: np.ndarray, msgs: pd.DataFrame, code: np.ndarray, addressed_to_me, sender: np.ndarray, people
) -> np.ndarray:
    """Participants per message (by message code), where a post a list distributed to me counts
    its audience.

    A list post that neither has me in To/Cc nor replies to a message of mine is a broadcast:
    its participants are at least everyone seen posting to that list (and me), or the list's
    members where the source knows them (a Slack channel's ``n_recipients``), so that it
    weighs like any message over the broadcast threshold. A post that has me in To/Cc, or
    replies to me, is a direct exchange and keeps its own count."""
    listed = msgs[S.MAILING_LIST].notna().to_numpy()
    if not listed.any():
        return n_part
    from_me = msgs[S.IS_FROM_ME].to_numpy(bool)
    # (a missing In-Reply-To replies to nothing, not to a message of mine without an id)
    mine = set(msgs.loc[from_me, S.MESSAGE_ID]) - {None}
    to_me = addressed_to_me[code] | msgs[S.IN_REPLY_TO].isin(mine).to_numpy()
    # by list codes and person codes (a map of every post's list name took 0.07 s of 200,000
    # messages of real list mail): each list's posters but me, and me
    lists = pd.factorize(msgs[S.MAILING_LIST])[0]
    posted = listed & (sender >= 0) & (sender != people.ego)
    stride = len(people.ids) + 1
    posters = pd.unique(lists[posted] * stride + sender[posted]) // stride
    audience = np.bincount(posters, minlength=int(lists.max()) + 1) + 1
    # a list whose members are known (a Slack channel) counts them all
    members = np.zeros(len(audience), np.int64)
    np.maximum.at(members, lists[listed], msgs[S.N_RECIPIENTS].to_numpy(np.int64)[listed])
    audience = np.maximum(audience, members + 1)
    broadcast = listed & ~to_me & ~from_me
    out = n_part.copy()
    out[code[broadcast]] = np.maximum(n_part[code[broadcast]], audience[lists[broadcast]])
    return out


def _attach_person(frame: pd.DataFrame, k2p: dict) -> pd.DataFrame:
    frame = frame.copy()
    if S.LINKEDIN_URL in frame.columns:
        urls = frame[S.LINKEDIN_URL]
    else:
        urls = pd.Series(None, index=frame.index, dtype=object)
    if S.FIRST_NAME in frame.columns:
        names = (frame[S.FIRST_NAME].fillna("") + " " + frame[S.LAST_NAME].fillna("")).str.strip()
    else:
        names = frame[S.NAME].fillna("")
    pids = []
    for url, name in zip(urls, names):
        pid = k2p.get(url) if isinstance(url, str) and url else None
        pids.append(pid or k2p.get(S.name_key(name)))
    frame[S.PERSON_ID] = pd.Series(pids, index=frame.index, dtype=object)
    return frame
