"""Read a Monica account export (the personal CRM's "Export to JSON"): contacts, activities, calls
and logged conversations."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from netanalytics import schema as S
from netanalytics.channels import OTHER, channel_kind, raw_channel_label
from netanalytics.exceptions import FormatError
from netanalytics.io._rows import head_text, message_frame, message_row, parse_when, stable_id, time_zone
from netanalytics.io.report import MAX_WARNINGS, FileReport, LoadReport

__all__ = ["read_monica", "is_monica_export", "OWNER_KEY"]

#: The owner's key when neither ``me=`` nor the export's user gives an address.
OWNER_KEY = "name:(me)"
#: The contact collections read; every other one (notes, gifts, debts, tasks, reminders, pets,
#: addresses, life events, photos, documents) is counted in ``notes["collections_not_read"]``.
_READ = {"contact_field", "call", "conversation", "activity"}
_HOW_TO = "Export it in Monica: Settings > Export data > Export to JSON (a .json file)."


def is_monica_export(path: str | Path) -> bool:
    """Whether a ``.json`` file starts like a Monica account export (its first 4 kB name the
    export's ``app_version``, ``exported_by`` and ``account``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "monica.json"
    >>> _ = p.write_text('{"version": "1.0-preview.1", "app_version": "3.7.0", '
    ...                  '"exported_by": "u-1", "account": {}}')
    >>> is_monica_export(p)
    True
    """
    head = head_text(Path(path), ".json")
    return head is not None and all(f'"{w}"' in head for w in ("app_version", "exported_by", "account"))


def _collections(node: object) -> dict[str, list]:
    """A record's ``data``: a list (or a dict with keys "0", "1" ...) of ``{"count", "type",
    "values"}`` collections, by type. Absent when empty (Monica leaves an empty collection out)."""
    data = node.get("data") if isinstance(node, dict) else None
    items = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    out: dict[str, list] = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("type"), str):
            out.setdefault(item["type"], []).extend(v for v in _list(item.get("values")) if v is not None)
    return out


def _list(value: object) -> list:
    """``value`` when it is a list, else empty: a damaged export's wrong type reads as absent."""
    return value if isinstance(value, list) else []


def _by_uuid(types: dict[str, dict], uuid: object) -> dict:
    """The properties of the type ``uuid`` names; empty for an unknown or malformed reference."""
    return types.get(uuid, {}) if isinstance(uuid, str) else {}


def _props(node: object) -> dict:
    props = node.get("properties") if isinstance(node, dict) else None
    return props if isinstance(props, dict) else {}


def _birthday(special: object) -> str | None:
    """ISO birthday of a Monica special date; ``--MM-DD`` when the year is unknown."""
    if not isinstance(special, dict) or not special.get("date"):
        return None
    day = str(special["date"])[:10]
    if len(day) != 10:
        return None
    return f"--{day[5:]}" if special.get("is_year_unknown") else day


def read_monica(
    path: str | Path, *, me: str | None = None, tz: str | None = None, region: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, LoadReport]:
    """Read a Monica export: contacts as records, activities, calls and conversations as messages.

    Parameters
    ----------
    path : str or Path
        The ``.json`` account export of Monica 4 ("Export to JSON", ``"version":
        "1.0-preview.1"``).
    me : str, optional
        The owner's email address (their key in the messages); default the email of the
        export's user, else :data:`OWNER_KEY`.
    tz : str, optional
        Zone of times written without an offset (default UTC; Monica writes UTC with ``Z``).
    region : str, optional
        Country (ISO 3166, ``"DE"``) of phone numbers written without their country code.

    Returns
    -------
    contacts : DataFrame
        :data:`netanalytics.schema.CONTACTS`, ``source == "monica"``, ``record_id`` the
        contact's uuid; emails and phones from the contact fields whose type is ``email`` or
        ``phone`` (a LinkedIn profile URL in any field is ``linkedin_url``), ``company``,
        ``title`` (Monica's ``job``), ``birthday``, ``labels`` the tags.
    messages : DataFrame
        :data:`netanalytics.schema.MESSAGES`, ``source == "monica"``, one row per activity,
        call and conversation message; no subject and no content.
    report : LoadReport
        One file; a record is a contact, an activity, a call or a conversation message;
        ``read == kept + skipped``. ``notes``: ``version``, ``owner_key`` and how it was found,
        ``contacts``, ``activities``, ``calls``, ``conversation_messages`` (kept), ``channels``,
        ``collections_not_read`` (notes, gifts, tasks ... by type: never read).

    Raises
    ------
    FormatError
        The file is not JSON, or holds no Monica ``account`` (the message says how to export
        one).

    Notes
    -----
    The export is a tree of collections ``{"count", "type", "values"}`` under ``data``:
    the account's users, contacts and activities; each contact's contact fields, calls,
    conversations and the uuids of the activities it took part in. Field and activity types
    are uuids into ``account.instance``.

    - *Activity* (something done together: a meal, a walk, a film): the owner with every
      contact that lists it; direction mutual (the owner is the sender, label ``"mutual"``),
      a group interaction when several contacts took part. Channel: the kind its type names
      (:func:`netanalytics.channels.channel_kind`, "Zoom call" is ``video``), else
      ``in_person``; the type as written is the label ``"channel:<type>"``.
    - *Call*: channel ``call``; ``contact_called`` true is in (the contact called the owner),
      false is out, missing is mutual.
    - *Conversation* (a logged exchange of messages over a contact field type: email, phone,
      WhatsApp ...): one row per message, from the owner when ``written_by_me``; channel the
      kind of the field type (a phone conversation is ``sms``); the conversation is the
      thread. A conversation without messages is one mutual row on its day.

    A contact's key in the messages is its first email address, else its first phone number
    (``tel:`` E.164), else its name. The owner's own contact (the user's ``me_contact``) is no
    record: it is skipped with its reason. *Skipped, with the reason:* contacts with no name,
    email or phone; activities nobody took part in; records without a readable date. Note,
    call and message texts, activity descriptions and summaries are never read.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> export = {"version": "1.0-preview.1", "app_version": "3.7.0", "exported_by": "u1",
    ...     "account": {"uuid": "a1", "data": [{"count": 1, "type": "contact", "values": [
    ...         {"uuid": "c1", "properties": {"first_name": "Bo", "last_name": "Chen"},
    ...          "data": [{"count": 1, "type": "call", "values": [{"properties": {
    ...              "called_at": "2025-03-04T00:00:00.000000Z", "contact_called": True}}]}]}]}]}}
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "monica.json"
    >>> _ = p.write_text(json.dumps(export))
    >>> contacts, messages, report = read_monica(p, me="ann@example.org")
    >>> contacts["full_name"].tolist(), messages[["channel", "sender", "to"]].values.tolist()
    (['Bo Chen'], [['call', 'name:Bo Chen', ['ann@example.org']]])
    """
    path = Path(path)
    zone = time_zone(tz)
    data, account = _read_account(path)
    report = LoadReport()
    rep = report.new_file(str(path), "monica")
    rep.notes["version"] = data.get("version")
    top = _collections(account)
    instance = account.get("instance") if isinstance(account.get("instance"), dict) else {}
    field_types = _types(instance, "contact_field_types")
    activity_types = _types(instance, "activity_types")
    users = [u for u in top.get("user", []) if isinstance(u, dict)]
    me_contacts = {m for u in users if isinstance(m := _props(u).get("me_contact"), str)}
    owner, rule = _owner(me, users)
    rep.notes["owner_key"], rep.notes["owner_rule"] = owner, rule

    export = _Export(path, rep, owner, zone, region, field_types, activity_types)
    for contact in top.get("contact", []):
        export.read_contact(contact, me_contacts)
    for activity in top.get("activity", []):
        export.read_activity(activity)
    for kind, values in top.items():
        if kind not in {"contact", "activity", "user"}:
            export.not_read[kind] += len(values)

    kept = export.kept
    rep.notes.update(
        contacts=kept["contacts"],
        activities=kept["activities"],
        calls=kept["calls"],
        conversation_messages=kept["conversation_messages"],
        channels=dict(export.channels),
        collections_not_read=dict(sorted(export.not_read.items())),
    )
    records = export.records
    contacts = pd.DataFrame(records, columns=list(S.CONTACTS)) if records else S.empty_frame(S.CONTACTS)
    contacts[S.CONNECTED_ON] = pd.to_datetime(contacts[S.CONNECTED_ON], utc=True)
    S.validate(contacts, S.CONTACTS)
    return contacts, message_frame(export.rows), report


def _read_account(path: Path) -> tuple[dict, dict]:
    """The export's top-level object and its ``account``; FormatError when it is no Monica export."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise FormatError(f"{path}: cannot be read ({exc.strerror}). Check the path.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{path}: is not JSON ({exc}). {_HOW_TO}") from None
    account = data.get("account") if isinstance(data, dict) else None
    if not isinstance(account, dict):
        raise FormatError(f"{path}: holds no Monica 'account' (not a Monica export). {_HOW_TO}")
    return data, account


def _types(instance: dict, name: str) -> dict[str, dict]:
    """The properties of the account's field or activity types (``instance[name]``), by uuid."""
    return {
        t["uuid"]: _props(t)
        for t in _list(instance.get(name))
        if isinstance(t, dict) and isinstance(t.get("uuid"), str)
    }


def _owner(me: str | None, users: list[dict]) -> tuple[str, str]:
    """(the owner's key, how it was found): ``me=``, else the export's user's email, else
    :data:`OWNER_KEY`."""
    if me is not None:
        owner = S.normalize_email(me)
        if owner is None:
            raise ValueError(f"me={me!r}: give the owner's email address")
        return owner, "me= given"
    user_email = next(
        (S.normalize_email(u.get("email")) for u in users if S.normalize_email(u.get("email"))), None
    )
    if user_email:
        return user_email, "the export's user"
    return OWNER_KEY, "unknown: no me= and no user email"


def _call_direction(called: object) -> tuple[bool, bool]:
    """(incoming, outgoing) of a call's ``contact_called``; neither when it is missing."""
    incoming = called is True or called in (1, "1", "true")
    outgoing = called is False or called in (0, "0", "false")
    return incoming, outgoing


@dataclass
class _Export:
    """What reading one export builds: contact records, message rows, counts, and each
    activity's participants (an activity lists no one: its contacts list it)."""

    path: Path
    rep: FileReport
    owner: str
    zone: dt.tzinfo
    region: str | None
    field_types: dict[str, dict]
    activity_types: dict[str, dict]
    records: list[dict] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    not_read: Counter = field(default_factory=Counter)
    channels: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    attendees: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)  # uuid -> (key, name)

    def add(self, kind: str, **row) -> None:
        self.rows.append(message_row(source="monica", source_file=str(self.path), **row))
        self.channels[row["channel"]] += 1
        self.kept[kind] += 1
        self.rep.keep()

    def field_kind(self, type_uuid: object) -> tuple[str, str]:
        """(email / phone / other, name as written) of a contact field type."""
        t = _by_uuid(self.field_types, type_uuid)
        name = str(t.get("name") or "")
        kind = str(t.get("type") or "").casefold()
        protocol = str(t.get("protocol") or "").casefold()
        if kind == "email" or protocol.startswith("mailto"):
            return "email", name or "Email"
        if kind == "phone" or protocol.startswith("tel"):
            return "phone", name or "Phone"
        return "other", name

    def read_contact(self, contact: object, me_contacts: set) -> None:
        """A contact's record, its calls and conversations, and the activities it lists."""
        rep = self.rep
        if not isinstance(contact, dict):
            rep.skip("not a contact record")
            return
        props, uuid = _props(contact), str(contact.get("uuid") or "")
        sub = _collections(contact)
        for kind, values in sub.items():
            if kind not in _READ:
                self.not_read[kind] += len(values)
        if uuid and uuid in me_contacts:
            rep.skip("the owner's own contact (me_contact)")
            return
        record = self.contact_record(props, uuid, sub.get("contact_field", []))
        if record is None:
            rep.skip("contact with no name, email or phone")
            return
        rep.keep()
        self.kept["contacts"] += 1
        self.records.append(record)
        full, emails, phones = record[S.FULL_NAME], record[S.EMAILS], record[S.PHONES]
        phone_key = next((k for k in (S.normalize_phone(p, self.region) for p in phones) if k), None)
        key = emails[0] if emails else phone_key or S.name_key(full or "")
        name = full if key.startswith("name:") else None
        who = full or key

        for activity in sub.get("activity", []):
            activity_uuid = (
                activity
                if isinstance(activity, str)
                else activity.get("uuid")
                if isinstance(activity, dict)
                else None
            )
            if activity_uuid:
                self.attendees.setdefault(str(activity_uuid), []).append((key, name))
        for n, call in enumerate(sub.get("call", []), 1):
            self.read_call(call, n, uuid, key, name, who)
        for n, conversation in enumerate(sub.get("conversation", []), 1):
            self.read_conversation(conversation, n, uuid, key, name, who)

    def contact_record(self, props: dict, uuid: str, fields: list) -> dict | None:
        """A contact's CONTACTS row; None when it has no name, email or phone."""
        first, middle, last = (S.clean_name(props.get(k)) for k in ("first_name", "middle_name", "last_name"))
        full = S.clean_name(" ".join(p for p in (first, middle, last) if p)) or S.clean_name(
            props.get("nickname")
        )
        emails, phones, linkedin = [], [], None
        for contact_field in fields:
            value = S.clean_name(_props(contact_field).get("data"))
            if not value:
                continue
            kind, _name = self.field_kind(_props(contact_field).get("type"))
            linkedin = linkedin or S.normalize_linkedin_url(value)
            if kind == "email" and S.normalize_email(value) and S.normalize_email(value) not in emails:
                emails.append(S.normalize_email(value))
            elif kind == "phone" and value not in phones:
                phones.append(value)
        if not (full or emails or phones):
            return None
        tags = props.get("tags") if isinstance(props.get("tags"), list) else []
        return {
            S.SOURCE: "monica",
            S.SOURCE_FILE: str(self.path),
            S.RECORD_ID: uuid or str(len(self.records) + 1),
            S.FULL_NAME: full,
            S.FIRST_NAME: first,
            S.MIDDLE_NAME: middle,
            S.LAST_NAME: last,
            S.EMAILS: emails,
            S.PHONES: phones,
            S.COMPANY: S.clean_name(props.get("company")),
            S.TITLE: S.clean_name(props.get("job")),
            S.LINKEDIN_URL: linkedin,
            S.CONNECTED_ON: pd.NaT,
            S.LABELS: [str(t) for t in tags if str(t).strip()],
            S.BIRTHDAY: _birthday(props.get("birthdate")),
        }

    def read_call(self, call: object, n: int, uuid: str, key: str, name: str | None, who: str) -> None:
        """The contact's ``n``-th call: one row, in, out or mutual."""
        cprops = _props(call)
        when = parse_when(cprops.get("called_at"), self.zone)
        if when is None:
            self.rep.skip("call without a readable date")
            self.rep.warn(f"{who}: call {n} has no readable called_at", limit=MAX_WARNINGS)
            return
        incoming, outgoing = _call_direction(cprops.get("contact_called"))
        owner = self.owner
        self.add(
            "calls",
            message_id=stable_id("monica", uuid, "call", cprops.get("called_at"), n),
            channel="call",
            timestamp=when,
            sender=key if incoming else owner,
            sender_name=name if incoming else None,
            to=[owner] if incoming else [key],
            to_names=[None] if incoming else [name],
            thread_id=None,
            is_from_me=not incoming,
            labels=[] if incoming or outgoing else ["mutual"],
        )

    def read_conversation(
        self, conversation: object, n: int, uuid: str, key: str, name: str | None, who: str
    ) -> None:
        """The contact's ``n``-th conversation: one row per message (one mutual row when it has none)."""
        cprops = _props(conversation)
        kind, written = self.field_kind(cprops.get("contact_field_type"))
        channel = "sms" if kind == "phone" else channel_kind(written, OTHER) if written else OTHER
        labels = raw_channel_label(written, channel)
        thread = stable_id("monica", uuid, "conversation", cprops.get("happened_at"), n)
        messages = [m for m in _list(cprops.get("messages")) if isinstance(m, dict)]
        if not messages:
            messages = [{"properties": {"written_at": cprops.get("happened_at"), "mutual": True}}]
        owner = self.owner
        for i, message in enumerate(messages, 1):
            mprops = _props(message)
            when = parse_when(mprops.get("written_at") or cprops.get("happened_at"), self.zone)
            if when is None:
                self.rep.skip("conversation message without a readable date")
                self.rep.warn(f"{who}: conversation {n} message {i} has no readable date", limit=MAX_WARNINGS)
                continue
            mine = bool(mprops.get("written_by_me")) or bool(mprops.get("mutual"))
            self.add(
                "conversation_messages",
                message_id=stable_id("monica", thread, i),
                channel=channel,
                timestamp=when,
                sender=owner if mine else key,
                sender_name=None if mine else name,
                to=[key] if mine else [owner],
                to_names=[name] if mine else [None],
                thread_id=thread,
                is_from_me=mine,
                labels=(["mutual"] if mprops.get("mutual") else []) + labels,
            )

    def read_activity(self, activity: object) -> None:
        """An account activity: one row from the owner to every contact that lists it."""
        aprops = _props(activity)
        uuid = str(activity.get("uuid") or "") if isinstance(activity, dict) else ""
        people = self.attendees.get(uuid, [])
        if not people:
            self.rep.skip("activity with no contact")
            return
        when = parse_when(aprops.get("happened_at"), self.zone)
        if when is None:
            self.rep.skip("activity without a readable date")
            self.rep.warn(
                f"activity {uuid}: happened_at {aprops.get('happened_at')!r} not read", limit=MAX_WARNINGS
            )
            return
        written = S.clean_name(_by_uuid(self.activity_types, aprops.get("type")).get("name")) or ""
        channel = channel_kind(written, "in_person")
        channel = "in_person" if channel == OTHER else channel
        self.add(
            "activities",
            message_id=stable_id("monica", "activity", uuid),
            channel=channel,
            timestamp=when,
            sender=self.owner,
            sender_name=None,
            to=[k for k, _ in people],
            to_names=[n for _, n in people],
            thread_id=None,
            is_from_me=True,
            labels=["mutual", *raw_channel_label(written, channel)],
        )
