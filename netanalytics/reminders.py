"""Reach-out reminders: overdue ties, replies owed, birthdays and connection anniversaries."""

from __future__ import annotations

import csv
import hashlib
import os
from datetime import date, timedelta

import numpy as np
import pandas as pd

from netanalytics import schema as S
from netanalytics.network import Network, to_utc

__all__ = [
    "ANNIVERSARY",
    "BIRTHDAY",
    "OVERDUE",
    "OWES_REPLY",
    "REMINDER_COLUMNS",
    "reminders",
    "write_reminders_csv",
    "write_reminders_ics",
]

#: Values of the ``kind`` column.
OVERDUE, OWES_REPLY, BIRTHDAY, ANNIVERSARY = "overdue", "owes_reply", "birthday", "anniversary"

#: Columns of :func:`reminders`, in order (its index is ``person_id``, the first column of its CSV).
REMINDER_COLUMNS: list[str] = [S.NAME, S.REASON, S.KIND, S.DUE_DATE, S.PRIORITY]

_KIND_ORDER = {OWES_REPLY: 0, OVERDUE: 1, BIRTHDAY: 2, ANNIVERSARY: 3}
_SUMMARY = {
    OWES_REPLY: "Reply to {name}",
    OVERDUE: "Get in touch with {name}",
    BIRTHDAY: "Birthday: {name}",
    ANNIVERSARY: "Connection anniversary: {name}",
}
_VIA = {"email": "by email", "linkedin": "on LinkedIn"}
#: Our priority 1/2/3 → iCalendar PRIORITY (RFC 5545: 1 highest, 5 medium, 9 lowest).
_ICS_PRIORITY = {1: 1, 2: 5, 3: 9}
# Spreadsheets evaluate cells starting with these (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _day(d: date) -> pd.Timestamp:
    return pd.Timestamp(d.year, d.month, d.day, tz="UTC")


def _on_or_after(month: int, day: int, start: date) -> date:
    """Next date with this month and day on or after ``start`` (29 February → 28 February)."""
    for year in (start.year, start.year + 1, start.year + 2):
        try:
            d = date(year, month, day)
        except ValueError:  # 29 February outside a leap year
            d = date(year, month, 28)
        if d >= start:
            return d
    raise AssertionError("unreachable: a month/day recurs within two years")


def _parse_birthday(text: object) -> tuple[int | None, int, int] | None:
    """``(year or None, month, day)`` from ``--MM-DD`` / ``YYYY-MM-DD`` (``YYYYMMDD``, ``--MMDD``); None if unreadable."""
    if not isinstance(text, str):
        return None
    s = text.strip()[:10]
    year: int | None = None
    if s.startswith("--"):
        rest = s[2:].replace("-", "")
    else:
        digits = s.replace("-", "")
        if len(digits) != 8 or not digits.isdigit():
            return None
        year, rest = int(digits[:4]), digits[4:]
        if year <= 1604:  # Apple/vCard "no year" placeholder
            year = None
    if len(rest) != 4 or not rest.isdigit():
        return None
    month, day = int(rest[:2]), int(rest[2:])
    try:
        date(2000, month, day)  # a leap year, so 29 February is valid
    except ValueError:
        return None
    return year, month, day


def _fmt_days(days: float) -> str:
    return "1 day" if round(days) == 1 else f"{round(days):.0f} days"


def _ago(days: int) -> str:
    """``days`` (calendar days between two dates) as "today", "yesterday" or "N days ago"."""
    return "today" if days == 0 else ("yesterday" if days == 1 else f"{days} days ago")


def _overdue_rows(net: Network, as_of: pd.Timestamp, names: pd.Series) -> list[dict]:
    from netanalytics.metrics.dormancy import dormancy

    dorm = dormancy(net, as_of=as_of)
    rows = []
    for pid, d in dorm[dorm[S.DUE]].iterrows():
        days, last = d[S.DAYS_SINCE], d[S.LAST_CONTACT]
        cadence = d[S.CADENCE_DAYS]
        if not np.isnan(cadence):
            reason = (
                f"You want to be in touch every {_fmt_days(cadence)}; last contact was "
                f"{_fmt_days(days)} ago ({last:%Y-%m-%d})"
            )
            ratio = days / cadence if cadence > 0 else np.inf
        else:
            reason = (
                f"Usually in touch every {_fmt_days(d[S.TYPICAL_GAP_DAYS])}; last contact was "
                f"{_fmt_days(days)} ago ({last:%Y-%m-%d})"
            )
            ratio = d[S.OVERDUE_RATIO]
        rows.append(
            {
                S.PERSON_ID: pid,
                S.NAME: names.get(pid, pid),
                S.REASON: reason,
                S.KIND: OVERDUE,
                S.DUE_DATE: d[S.DUE_DATE].normalize(),
                S.PRIORITY: 1 if ratio >= 2 else 2,
            }
        )
    return rows


def owed_reply_rows(
    net: Network,
    as_of: pd.Timestamp,
    names: pd.Series,
    owes_days: float,
    *,
    reciprocity_frame: pd.DataFrame | None = None,
) -> list[dict]:
    """Reminder rows for replies owed (also used by the HTML report, which has ``reciprocity`` at hand)."""
    from netanalytics.metrics._common import as_dict, in_index
    from netanalytics.metrics.reciprocity import reciprocity

    rec = (
        reciprocity(net, as_of=as_of, owes_days=owes_days) if reciprocity_frame is None else reciprocity_frame
    )
    owed = rec.index[rec[S.OWES_REPLY]]
    if not len(owed):
        return []
    inter = net.interactions
    incoming = inter[
        (inter[S.DIRECTION] == S.IN)
        & (inter[S.TIMESTAMP] <= as_of)
        & in_index(inter[S.PERSON_ID], owed)
        & ~inter[S.CHANNEL].isin(("meeting", "invitation"))
    ]
    last = incoming.loc[incoming.groupby(S.PERSON_ID)[S.TIMESTAMP].idxmax()].set_index(S.PERSON_ID)
    subjects: dict = {}
    if len(net.messages) and S.SUBJECT in net.messages.columns:
        # the subjects of these messages only (a dict of every message's cost 0.2 s at 100,000)
        wanted = pd.Index(last[S.MESSAGE_ID].dropna().unique())
        messages = net.messages[in_index(net.messages[S.MESSAGE_ID], wanted)]
        subjects = as_dict(messages.drop_duplicates(S.MESSAGE_ID).set_index(S.MESSAGE_ID)[S.SUBJECT])
    # plain dicts: a scalar lookup in a frame or Series per person costs ~60 µs
    # (and the dates formatted at once: a Timestamp's normalize or strftime costs ~20 µs)
    last_id, last_channel = (as_dict(last[c]) for c in (S.MESSAGE_ID, S.CHANNEL))
    last_day = last[S.TIMESTAMP].dt.normalize()
    day_of, days_ago = as_dict(last_day), as_dict((as_of.normalize() - last_day).dt.days)
    date_of = as_dict(last_day.dt.strftime("%Y-%m-%d"))
    name_of = as_dict(names)
    rows = []
    for pid in owed:
        subject = subjects.get(last_id[pid])
        about = f' about "{subject.strip()}"' if isinstance(subject, str) and subject.strip() else ""
        channel = last_channel[pid]
        rows.append(
            {
                S.PERSON_ID: pid,
                S.NAME: name_of.get(pid, pid),
                S.REASON: f"Wrote to you{about} {_VIA.get(channel, f'by {channel}')} on {date_of[pid]} "
                f"({_ago(days_ago[pid])}); no answer yet",
                S.KIND: OWES_REPLY,
                S.DUE_DATE: day_of[pid],
                S.PRIORITY: 1,
            }
        )
    return rows


def _birthday_rows(net: Network, start: date, end: date, names: pd.Series) -> list[dict]:
    contacts = net.contacts
    if contacts.empty or S.BIRTHDAY not in contacts.columns:
        return []
    ids = net.identities
    record_to_person = dict(zip(ids[S.KEY], ids[S.PERSON_ID]))
    alters = set(net.alters.index)
    seen: set[str] = set()
    rows = []
    for source, record_id, text in zip(contacts[S.SOURCE], contacts[S.RECORD_ID], contacts[S.BIRTHDAY]):
        parsed = _parse_birthday(text)
        if parsed is None:
            continue
        pid = record_to_person.get(S.record_key(source, record_id))
        if pid is None or pid not in alters or pid in seen:
            continue
        year, month, day = parsed
        when = _on_or_after(month, day, start)
        if when > end:
            continue
        seen.add(pid)
        if year is not None and when.year - year > 0:
            reason = f"Turns {when.year - year} on {when:%A %d %B}"
        else:
            reason = f"Birthday on {when:%A %d %B}"
        rows.append(
            {
                S.PERSON_ID: pid,
                S.NAME: names.get(pid, pid),
                S.REASON: reason,
                S.KIND: BIRTHDAY,
                S.DUE_DATE: _day(when),
                S.PRIORITY: 2 if (when - start).days <= 7 else 3,
            }
        )
    return rows


def _anniversary_rows(net: Network, start: date, end: date, names: pd.Series) -> list[dict]:
    alters = net.alters
    rows = []
    for pid, connected in alters[S.CONNECTED_ON].dropna().items():
        first = connected.date()
        when = _on_or_after(first.month, first.day, max(start, first + timedelta(days=1)))
        years = when.year - first.year
        if when > end or years < 1:
            continue
        rows.append(
            {
                S.PERSON_ID: pid,
                S.NAME: names.get(pid, pid),
                S.REASON: f"Connected {years} year{'s' if years > 1 else ''} ago ({first:%Y-%m-%d}) — "
                f"anniversary on {when:%A %d %B}",
                S.KIND: ANNIVERSARY,
                S.DUE_DATE: _day(when),
                S.PRIORITY: 3,
            }
        )
    return rows


def reminders(
    net: Network,
    *,
    as_of: object = None,
    horizon_days: int = 30,
    owes_days: float = 30,
) -> pd.DataFrame:
    """Who to reach out to, and why: overdue ties, replies owed, birthdays, anniversaries.

    Parameters
    ----------
    net : Network
        The network.
    as_of : datetime-like, optional
        "Today" (naive means UTC). Default: the latest interaction in the network, never
        the wall clock.
    horizon_days : int, default 30
        Birthdays and connection anniversaries from ``as_of``'s day to this many days later
        are listed.
    owes_days : float, default 30
        Unanswered messages older than this are no longer a reply owed (passed to
        :func:`~netanalytics.metrics.reciprocity.reciprocity`).

    Returns
    -------
    DataFrame
        One row per reminder, indexed by ``person_id``; columns ``name``, ``reason`` (a sentence),
        ``kind`` (``overdue`` / ``owes_reply`` / ``birthday`` / ``anniversary``),
        ``due_date`` (UTC midnight) and ``priority`` (1 high, 2 medium, 3 low), sorted by
        priority, due date, kind and name. ``attrs["as_of"]`` holds the ``as_of`` used.
        A person can appear once per kind.

    Raises
    ------
    NotDefinedError
        When ``as_of`` is None and the network has no interactions to date it from.

    Notes
    -----
    - **overdue**: ``dormancy(net, as_of=as_of)["due"]`` — past the user's ``cadence_days`` when
      set, else past the tie's own typical gap while still active or cooling. Due date:
      last contact + cadence (or typical gap). Priority 1 when at least twice the cadence
      or gap has passed, else 2.
    - **owes_reply**: ``reciprocity(net)["owes_reply"]`` — their last message (not a
      meeting) has no answer and is at most ``owes_days`` old. Due date: the day it came.
      Priority 1.
    - **birthday**: ``net.contacts["birthday"]`` (``--MM-DD`` or ``YYYY-MM-DD``), joined to
      people through the identity key ``record:<source>:<record_id>``; 29 February falls on
      28 February outside leap years. Priority 2 within a week, else 3.
    - **anniversary**: the yearly return of ``people["connected_on"]`` (one year or more).
      Priority 3.

    Examples
    --------
    >>> import pandas as pd
    >>> from netanalytics.network import build_network
    >>> net = build_network(
    ...     pd.DataFrame({"timestamp": ["2024-01-01", "2024-01-08", "2024-01-15", "2024-03-01"],
    ...                   "person_id": ["ann", "ann", "ann", "bo"],
    ...                   "direction": ["out", "in", "out", "in"]}),
    ...     people=pd.DataFrame({"name": ["Ann Lee", "Bo Li"],
    ...                          "connected_on": [pd.NaT, pd.Timestamp("2020-03-20")]},
    ...                         index=pd.Index(["ann", "bo"], name="person_id")))
    >>> r = reminders(net)
    >>> r[["name", "kind", "due_date", "priority"]]  # doctest: +NORMALIZE_WHITESPACE
                  name         kind                  due_date  priority
    person_id
    ann        Ann Lee      overdue 2024-01-22 00:00:00+00:00         1
    bo           Bo Li   owes_reply 2024-03-01 00:00:00+00:00         1
    bo           Bo Li  anniversary 2024-03-20 00:00:00+00:00         3
    >>> print(r["reason"].iloc[0])
    Usually in touch every 7 days; last contact was 46 days ago (2024-01-15)
    """
    as_of_ts = net.resolve_as_of(as_of)
    names = net.people[S.NAME]
    start = as_of_ts.date()
    end = start + timedelta(days=int(horizon_days))
    rows: list[dict] = []
    if not net.interactions.empty and (net.interactions[S.TIMESTAMP] <= as_of_ts).any():
        rows += owed_reply_rows(net, as_of_ts, names, owes_days)
        rows += _overdue_rows(net, as_of_ts, names)
    rows += _birthday_rows(net, start, end, names)
    rows += _anniversary_rows(net, start, end, names)
    out = pd.DataFrame(rows, columns=[S.PERSON_ID, *REMINDER_COLUMNS])
    out[S.DUE_DATE] = pd.to_datetime(out[S.DUE_DATE], utc=True).astype("datetime64[ns, UTC]")
    out[S.PRIORITY] = out[S.PRIORITY].astype("int64")
    for col in (S.PERSON_ID, S.NAME, S.REASON, S.KIND):
        out[col] = out[col].astype(object)
    order = out[S.KIND].map(_KIND_ORDER)
    out = (
        out.assign(_k=order)
        .sort_values([S.PRIORITY, S.DUE_DATE, "_k", S.NAME, S.PERSON_ID], kind="stable")
        .drop(columns="_k")
        .set_index(S.PERSON_ID)
    )
    out.attrs["as_of"] = as_of_ts
    return out


def _safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_reminders_csv(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write reminders to a CSV that is safe to open in a spreadsheet.

    Parameters
    ----------
    frame : DataFrame
        The result of :func:`reminders` (indexed by ``person_id``).
    path : path
        Target file (UTF-8 with a byte-order mark, so Excel shows accents right).

    Notes
    -----
    Any text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
    prefixed with ``'`` so that Excel, LibreOffice and Google Sheets show it as text instead
    of evaluating it as a formula (OWASP, "CSV Injection"). Dates are written ``YYYY-MM-DD``.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> frame = pd.DataFrame({"name": ["=HYPERLINK(1)"], "reason": ["hi"],
    ...                       "kind": ["overdue"], "due_date": [pd.Timestamp("2024-05-01", tz="UTC")],
    ...                       "priority": [1]}, index=pd.Index(["p1"], name="person_id"))
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> write_reminders_csv(frame, path)
    >>> print(path.read_text(encoding="utf-8-sig"), end="")
    person_id,name,reason,kind,due_date,priority
    p1,'=HYPERLINK(1),hi,overdue,2024-05-01,1
    """
    frame = frame.reset_index()  # person_id: the first column of the file
    order = [S.PERSON_ID, *REMINDER_COLUMNS]
    columns = [c for c in order if c in frame.columns] + [c for c in frame.columns if c not in order]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")  # RFC 4180; also quotes a lone CR
        writer.writerow([_safe_cell(str(c)) for c in columns])
        for row in frame[columns].itertuples(index=False):
            cells = []
            for value in row:
                if isinstance(value, pd.Timestamp):
                    value = "" if pd.isna(value) else f"{value:%Y-%m-%d}"
                elif value is None or (isinstance(value, float) and np.isnan(value)):
                    value = ""
                cells.append(_safe_cell(value))
            writer.writerow(cells)


def _uid(row: pd.Series) -> str:
    due = row[S.DUE_DATE]
    blob = f"{row[S.PERSON_ID]}|{row[S.KIND]}|{'' if pd.isna(due) else f'{due:%Y-%m-%d}'}"
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()[:20] + "@netanalytics"


def write_reminders_ics(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write reminders as calendar to-dos (one ``VTODO`` each) in an ``.ics`` file.

    Parameters
    ----------
    frame : DataFrame
        The result of :func:`reminders` (indexed by ``person_id``).
    path : path
        Target ``.ics`` file; calendar apps (Apple Reminders/Calendar, Thunderbird, Outlook)
        import it.

    Notes
    -----
    Each to-do has ``SUMMARY`` (e.g. "Reply to Ann Lee"), ``DESCRIPTION`` (the reason),
    ``DUE`` (the due day, a date value), ``PRIORITY`` (1/5/9 for priorities 1/2/3),
    ``STATUS:NEEDS-ACTION`` and a ``UID`` derived from person, kind and due day, so
    importing a newer list updates the same to-dos instead of duplicating them.
    ``DTSTAMP`` is the reminders' ``as_of`` (``frame.attrs["as_of"]``) when known, so the
    file depends on the data only.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib, icalendar
    >>> frame = pd.DataFrame({"name": ["Ann Lee"], "reason": ["Birthday on Monday 06 May"],
    ...                       "kind": ["birthday"], "due_date": [pd.Timestamp("2024-05-06", tz="UTC")],
    ...                       "priority": [3]}, index=pd.Index(["p1"], name="person_id"))
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.ics"
    >>> write_reminders_ics(frame, path)
    >>> todo = icalendar.Calendar.from_ical(path.read_bytes()).walk("VTODO")[0]
    >>> str(todo["SUMMARY"]), todo["DUE"].dt
    ('Birthday: Ann Lee', datetime.date(2024, 5, 6))
    """
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//netanalytics//reminders//EN")
    cal.add("version", "2.0")
    stamp = frame.attrs.get("as_of")
    for _, row in frame.reset_index().iterrows():
        todo = icalendar.Todo()
        name = row[S.NAME] if isinstance(row[S.NAME], str) and row[S.NAME] else row[S.PERSON_ID]
        todo.add("uid", _uid(row))
        todo.add("summary", _SUMMARY.get(row[S.KIND], "{name}").format(name=name))
        todo.add("description", str(row[S.REASON]))
        due = row[S.DUE_DATE]
        ts = stamp if stamp is not None else (due if not pd.isna(due) else pd.Timestamp(0, tz="UTC"))
        todo.add("dtstamp", to_utc(ts).to_pydatetime())
        if not pd.isna(due):
            todo.add("due", due.date())
        todo.add("priority", _ICS_PRIORITY.get(int(row[S.PRIORITY]), 5))
        todo.add("status", "NEEDS-ACTION")
        todo.add("categories", [str(row[S.KIND])])
        cal.add_component(todo)
    with open(path, "wb") as fh:
        fh.write(cal.to_ical())
