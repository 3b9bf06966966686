"""Read calendar exports (.ics from Google Calendar, Outlook, Apple) into meetings in a messages frame."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import pandas as pd
from dateutil import rrule as du_rrule

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io.report import MAX_WARNINGS, FileReport, LoadReport

__all__ = ["read_ics"]

_UTC = dt.UTC
_NOT_PEOPLE = {"ROOM", "RESOURCE"}


def _count(report: FileReport, key: str, n: int = 1) -> None:
    report.notes[key] = report.notes.get(key, 0) + n


def _one(component, name: str):
    """A property that should occur once; the first when an export repeats it."""
    value = component.get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _many(component, name: str) -> list:
    value = component.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@dataclass
class _Clock:
    """Turns iCalendar date/datetime values into aware datetimes (see read_ics Notes)."""

    floating_tz: dt.tzinfo

    def aware(self, value: dt.date | dt.datetime) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value if value.tzinfo is not None else value.replace(tzinfo=self.floating_tz)
        return dt.datetime(value.year, value.month, value.day, tzinfo=self.floating_tz)

    def utc(self, value: dt.date | dt.datetime) -> dt.datetime:
        return self.aware(value).astimezone(_UTC)


_TZID_PARAM = re.compile(rb'(;TZID=)("?)([^;:"\r\n]+)', re.IGNORECASE)


def _unloadable_tzids(raw: bytes) -> set[bytes]:
    """TZID parameter values for which zoneinfo raises something other than "not found"."""
    bad = set()
    for value in {m[3] for m in _TZID_PARAM.finditer(raw)}:
        try:
            ZoneInfo(value.decode("utf-8", "replace").strip())
        except ZoneInfoNotFoundError:
            continue  # an unknown zone: icalendar handles it
        except (OSError, ValueError):
            bad.add(value)
    return bad


def _calendar_tz(calendars: list, path: Path, report: FileReport) -> dt.tzinfo:
    for cal in calendars:
        name = cal.get("X-WR-TIMEZONE")
        if name:
            try:
                return ZoneInfo(str(name).strip())
            except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder of zones
                report.warn(
                    f"X-WR-TIMEZONE {str(name)!r} is not a known zone; floating times read as UTC",
                    limit=MAX_WARNINGS,
                )
    return _UTC


def _when(prop) -> dt.date | None:
    """The date or datetime of a DTSTART-like property; ``None`` when absent or unreadable.

    icalendar keeps unparsable values as "broken" properties that raise on ``.dt``.
    """
    try:
        value = prop.dt
    except Exception:
        return None
    return value if isinstance(value, dt.date) else None


def _dates(props: Iterable) -> list[dt.date]:
    """Dates of RDATE / EXDATE properties (a property may list several); unreadable ones ignored."""
    out = []
    for prop in props:
        try:
            items = list(prop.dts)
        except Exception:
            items = []
        out.extend(w for w in map(_when, items) if w is not None)
    return out


def _rule(event):
    """The RRULE as an icalendar vRecur, or ``None`` (absent or unreadable)."""
    prop = _one(event, "RRULE")
    return prop if isinstance(prop, icalendar.vRecur) else None


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _uid(event) -> str:
    uid = _one(event, "UID")
    if uid is not None and str(uid).strip():
        return str(uid).strip()
    basis = "|".join(
        str(_one(event, k) and _one(event, k).to_ical()) for k in ("DTSTART", "SUMMARY", "ORGANIZER")
    )
    return "ics-" + hashlib.sha1(basis.encode("utf-8", "replace")).hexdigest()[:16]


def _party(prop) -> tuple[str | None, str | None]:
    """(identity key, display name) of an ORGANIZER / ATTENDEE value."""
    name = S.clean_name(prop.params.get("CN")) if hasattr(prop, "params") else None
    email = S.normalize_email(str(prop))
    if email is None and name and S.normalize_email(name):
        email, name = S.normalize_email(name), None  # some tools put the address in CN only
    key = email or (S.name_key(name) if name else None)
    return key, name


def _expand(
    event,
    start: dt.datetime,
    clock: _Clock,
    horizon: dt.datetime,
    max_occurrences: int,
    uid: str,
    report: FileReport,
) -> list[dt.datetime]:
    """Occurrence starts (aware) of a master event: RRULE + RDATE - EXDATE, capped."""
    rule_prop = _rule(event)
    starts = [start]
    if rule_prop is not None:
        rule = dict(rule_prop)
        until = rule.pop("UNTIL", [None])[0]
        bounded = until is not None or "COUNT" in rule
        text = icalendar.vRecur(rule).to_ical().decode()
        try:
            recurrence = du_rrule.rrulestr(text, dtstart=start)
            if until is not None:
                if isinstance(until, dt.datetime):
                    until_at = clock.aware(until)
                else:  # a date UNTIL includes that whole day
                    until_at = clock.aware(until) + dt.timedelta(days=1, microseconds=-1)
                recurrence = recurrence.replace(until=until_at)
        except (ValueError, TypeError, KeyError, OverflowError) as exc:
            report.warn(
                f"event {uid}: RRULE {text!r} not understood ({exc}); first occurrence only",
                limit=MAX_WARNINGS,
            )
            recurrence = None
        if recurrence is not None:
            starts = []
            try:
                for occurrence in recurrence:
                    if not bounded and occurrence.astimezone(_UTC) > horizon:
                        break
                    if len(starts) >= max_occurrences:
                        _count(report, "occurrence_cap_hits")
                        report.warn(
                            f"event {uid}: more than {max_occurrences} occurrences; the rest ignored",
                            limit=MAX_WARNINGS,
                        )
                        break
                    starts.append(occurrence)
            except (ValueError, OverflowError) as exc:  # the rule runs past year 9999
                report.warn(f"event {uid}: RRULE expansion stopped ({exc})", limit=MAX_WARNINGS)
            if not any(s == start for s in starts) and len(starts) < max_occurrences:
                starts.insert(0, start)  # RFC 5545: DTSTART is always the first instance
    for extra in _dates(_many(event, "RDATE")):
        moment = clock.aware(extra)
        if all(moment != s for s in starts):
            starts.append(moment)
    excluded = {clock.utc(x) for x in _dates(_many(event, "EXDATE"))}
    return sorted((s for s in starts if clock.utc(s) not in excluded), key=lambda s: s.astimezone(_UTC))


def _row(event, uid: str, slot: dt.datetime, clock: _Clock, path: Path, folder, me: set[str]) -> tuple:
    """Build a messages row, or return (None, skip reason, declined count)."""
    if str(_one(event, "STATUS") or "").strip().upper() == "CANCELLED":
        return None, "cancelled", 0
    organizer = _one(event, "ORGANIZER")
    sender, sender_name = _party(organizer) if organizer is not None else (None, None)
    to: list[str] = []
    names: list[str | None] = []
    declined = 0
    for attendee in _many(event, "ATTENDEE"):
        if str(attendee.params.get("CUTYPE", "")).upper() in _NOT_PEOPLE:
            continue
        key, name = _party(attendee)
        if key is None or key == sender or key in to:
            continue
        if str(attendee.params.get("PARTSTAT", "")).upper() == "DECLINED":
            declined += 1
            continue
        to.append(key)
        names.append(name)
    if not to:
        return (
            None,
            ("every other attendee declined" if declined else "no attendees besides the organizer"),
            0,
        )
    if sender is None:
        return None, "no ORGANIZER", 0
    summary = _one(event, "SUMMARY")
    start = _when(_one(event, "DTSTART"))
    categories = [str(c) for prop in _many(event, "CATEGORIES") for c in getattr(prop, "cats", [])]
    row = {
        S.MESSAGE_ID: f"{uid}/{_stamp(clock.utc(slot))}",
        S.SOURCE: "ics",
        S.SOURCE_FILE: str(path),
        S.CHANNEL: "meeting",
        S.TIMESTAMP: pd.Timestamp(clock.utc(start)),
        S.SENDER: sender,
        S.SENDER_NAME: sender_name,
        S.TO: to,
        S.CC: [],
        S.TO_NAMES: names if any(n is not None for n in names) else [],
        S.CC_NAMES: [],
        S.BCC: [],
        S.THREAD_ID: uid,
        S.IN_REPLY_TO: None,
        S.REFERENCES: [],
        S.SUBJECT: S.clean_name(str(summary)) if summary is not None else None,
        S.N_RECIPIENTS: len(to),
        S.IS_FROM_ME: sender in me,
        S.IS_AUTOMATED: False,
        S.MAILING_LIST: None,
        S.FOLDER: folder,
        S.LABELS: categories,
    }
    return row, None, declined


def read_ics(
    path: str | Path, *, me: str | Iterable[str] | None = None, max_occurrences: int = 500
) -> tuple[pd.DataFrame, LoadReport]:
    """Read a calendar export into meetings: one messages row per event occurrence with attendees.

    Parameters
    ----------
    path : str or Path
        An ``.ics`` file (Google Calendar, Outlook, Apple Calendar export).
    me : str or list of str, optional
        The owner's e-mail address(es); ``is_from_me`` is True for meetings they organised.
    max_occurrences : int, default 500
        Most occurrences generated per recurring event; hits are counted in
        ``report.files[0].notes["occurrence_cap_hits"]`` with a warning.

    Returns
    -------
    messages : DataFrame
        :data:`netanalytics.schema.MESSAGES` with ``channel == "meeting"``, ``source == "ics"``:
        ``sender`` the organizer, ``to`` the other attendees who did not decline (``to_names``
        from their CN), ``subject`` the SUMMARY, ``thread_id`` the UID, ``message_id`` the UID
        plus the occurrence's scheduled start in UTC, ``timestamp`` the (possibly moved) start
        in UTC.
    report : LoadReport
        One :class:`~netanalytics.io.report.FileReport`; ``read == kept + skipped``.

    Raises
    ------
    FormatError
        The file is not an iCalendar file or cannot be parsed.

    Notes
    -----
    *Records.* Each occurrence of a kept event is one record; a VEVENT skipped as a whole
    (cancelled, no attendees besides the organizer, no organizer, no DTSTART) is one
    record. Declined attendees are left out of ``to`` and counted in
    ``notes["declined_attendees"]``; rooms and resources (CUTYPE) are not people and are
    left out. The organizer is never in ``to``.

    *Time.* Times with a TZID use that zone (VTIMEZONE definitions included, as Outlook
    writes them); ``Z`` times are UTC. Floating times (no zone) and all-day dates are read
    in the calendar's ``X-WR-TIMEZONE`` when the export names one (Google does), else in
    UTC; an all-day event starts at midnight of its date in that zone.

    *Recurrence.* RRULE is expanded with :mod:`dateutil.rrule` in the event's own wall
    time (so a 10:00 meeting stays at 10:00 across DST). A rule with UNTIL or COUNT is
    expanded to its end; an open-ended rule up to the latest DTSTART/DTEND in the file (the
    export's range). RDATE adds and EXDATE removes occurrences. A VEVENT with a
    RECURRENCE-ID replaces the occurrence it names (a cancelled one removes it); one that
    matches no generated occurrence is read as a standalone event. Duplicated occurrences
    (same UID and start) are skipped as ``"duplicate event"``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp()) / "cal.ics"
    >>> _ = tmp.write_text("\\r\\n".join([
    ...     "BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "UID:kickoff-1",
    ...     "DTSTART:20250310T090000Z", "SUMMARY:Kick-off",
    ...     "ORGANIZER;CN=Ann Lee:mailto:Ann@Example.org",
    ...     "ATTENDEE;CN=Bo Chen;PARTSTAT=ACCEPTED:mailto:bo@example.org",
    ...     "END:VEVENT", "END:VCALENDAR", ""]))
    >>> meetings, report = read_ics(tmp, me="ann@example.org")
    >>> meetings.loc[0, ["sender", "to", "to_names"]].tolist()
    ['ann@example.org', ['bo@example.org'], ['Bo Chen']]
    >>> bool(meetings.loc[0, "is_from_me"])
    True
    >>> str(meetings.loc[0, "timestamp"])
    '2025-03-10 09:00:00+00:00'
    """
    path = Path(path)
    me_set = {S.normalize_email(me)} if isinstance(me, str) else {S.normalize_email(m) for m in (me or [])}
    me_set.discard(None)
    calendars = _parse_calendars(path)
    report = LoadReport()
    file_report = report.new_file(str(path), "ics")
    clock = _Clock(_calendar_tz(calendars, path, file_report))
    file_report.notes["floating_tz"] = str(clock.floating_tz)
    folder = next(
        (S.clean_name(str(c.get("X-WR-CALNAME"))) for c in calendars if c.get("X-WR-CALNAME")), None
    )

    events = [ev for cal in calendars for ev in cal.walk("VEVENT")]
    moments = [
        clock.utc(w)
        for ev in events
        for w in (_when(_one(ev, "DTSTART")), _when(_one(ev, "DTEND")))
        if w is not None
    ]
    horizon = max(moments) if moments else dt.datetime.max.replace(tzinfo=_UTC)
    series, overrides = _series_and_overrides(events, clock, file_report)

    out = _Occurrences(clock, path, folder, me_set, file_report)
    for uid, ev in series:
        _emit_series(out, ev, uid, overrides.get(uid, {}), horizon, max_occurrences)
    for uid, slots in overrides.items():
        for slot, ev in slots.items():  # moved outside the expansion, or no master in the file
            out.emit(ev, uid, slot)

    frame = pd.DataFrame(out.rows, columns=list(S.MESSAGES)) if out.rows else S.empty_frame(S.MESSAGES)
    frame[S.TIMESTAMP] = pd.to_datetime(frame[S.TIMESTAMP], utc=True)
    frame[S.N_RECIPIENTS] = frame[S.N_RECIPIENTS].astype("int64")
    frame[S.IS_FROM_ME] = frame[S.IS_FROM_ME].astype(bool)
    frame[S.IS_AUTOMATED] = frame[S.IS_AUTOMATED].astype(bool)
    S.validate(frame, S.MESSAGES)
    return frame, report


def _parse_calendars(path: Path) -> list:
    """The VCALENDARs of an .ics file; FormatError naming the file and the fix otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"{path}: cannot be read ({exc.strerror}). Check the path.") from None
    head = raw[:512].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    if not head.startswith(b"BEGIN:VCALENDAR"):
        raise FormatError(
            f"{path}: does not start with BEGIN:VCALENDAR, so it is not an iCalendar (.ics) file. "
            f"Export the calendar as .ics (Google Calendar: Settings > Import & export; Outlook: "
            f"Save Calendar)."
        )
    try:
        return icalendar.Calendar.from_ical(raw, multiple=True)
    except Exception as exc:
        # A TZID naming a folder of the zone database ("Europe") makes zoneinfo raise
        # IsADirectoryError, which icalendar passes on: such TZIDs are renamed to something
        # that is plainly not a zone, and the events read as floating times (with a warning).
        bad = _unloadable_tzids(raw)
        try:
            if not bad:
                raise
            return icalendar.Calendar.from_ical(
                _TZID_PARAM.sub(
                    lambda m: m[1] + m[2] + (m[3] + b" (not a zone)" if m[3] in bad else m[3]), raw
                ),
                multiple=True,
            )
        except Exception:
            raise FormatError(
                f"{path}: cannot be parsed as iCalendar ({exc}). Re-export the calendar."
            ) from None


def _series_and_overrides(
    events: list, clock: _Clock, file_report: FileReport
) -> tuple[list[tuple[str, object]], dict[str, dict[dt.datetime, object]]]:
    """Events without a RECURRENCE-ID in file order, and per UID the ones with one by their UTC
    slot; a VEVENT without a readable DTSTART is skipped here."""
    overrides: dict[str, dict[dt.datetime, object]] = {}
    series: list[tuple[str, object]] = []
    for ev in events:
        uid = _uid(ev)
        start_prop = _one(ev, "DTSTART")
        start = _when(start_prop)
        if start is None:
            file_report.skip("no DTSTART" if start_prop is None else "unreadable DTSTART")
            continue
        if "TZID" in start_prop.params and getattr(start, "tzinfo", 1) is None:
            file_report.warn(
                f"event {uid}: unknown TZID {start_prop.params['TZID']!r}; read as floating time",
                limit=MAX_WARNINGS,
            )
        rid = _when(_one(ev, "RECURRENCE-ID"))
        if rid is not None:
            overrides.setdefault(uid, {})[clock.utc(rid)] = ev
        else:
            series.append((uid, ev))
    return series, overrides


@dataclass
class _Occurrences:
    """The rows of the occurrences kept, each once (by message_id); every one counted in ``report``."""

    clock: _Clock
    path: Path
    folder: str | None
    me: set[str]
    report: FileReport
    rows: list[dict] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def row(self, ev, uid: str, slot: dt.datetime) -> tuple:
        return _row(ev, uid, slot, self.clock, self.path, self.folder, self.me)

    def emit(self, ev, uid: str, slot: dt.datetime, start_override: dt.datetime | None = None) -> None:
        row, reason, declined = self.row(ev, uid, slot)
        if row is None:
            self.report.skip(reason)
            return
        if start_override is not None:
            row[S.TIMESTAMP] = pd.Timestamp(start_override.astimezone(_UTC))
        if row[S.MESSAGE_ID] in self.seen:
            self.report.skip("duplicate event")
            return
        self.seen.add(row[S.MESSAGE_ID])
        _count(self.report, "declined_attendees", declined)
        self.report.keep()
        self.rows.append(row)


def _emit_series(
    out: _Occurrences,
    ev,
    uid: str,
    slot_events: dict[dt.datetime, object],
    horizon: dt.datetime,
    max_occurrences: int,
) -> None:
    """The occurrences of one event (one, or its RRULE/RDATE expansion); an override in
    ``slot_events`` replaces the occurrence it names and is removed from it."""
    start = out.clock.aware(_when(_one(ev, "DTSTART")))
    if _one(ev, "RRULE") is not None and _rule(ev) is None:
        out.report.warn(f"event {uid}: RRULE unreadable; first occurrence only", limit=MAX_WARNINGS)
    if _rule(ev) is None and not _many(ev, "RDATE"):
        replaced = slot_events.pop(out.clock.utc(start), None)
        out.emit(replaced if replaced is not None else ev, uid, start)
        return
    row, reason, _ = out.row(ev, uid, start)
    if row is None:
        out.report.skip(reason)  # the whole series; its overrides are still read by the caller
        return
    for occurrence in _expand(ev, start, out.clock, horizon, max_occurrences, uid, out.report):
        replaced = slot_events.pop(occurrence.astimezone(_UTC), None)
        if replaced is not None:
            out.emit(replaced, uid, occurrence)
        else:
            out.emit(ev, uid, occurrence, start_override=occurrence)
