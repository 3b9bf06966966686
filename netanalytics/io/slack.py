"""Slack workspace exports: messages between people, from the JSON files of the export."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import pandas as pd

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io._rows import message_frame, message_row
from netanalytics.io.report import MAX_WARNINGS, LoadReport

__all__ = ["is_slack_export", "read_slack"]

SOURCE = "slack"
#: Conversations with more members than this are broadcasts: a post reaches the channel, not a
#: person (the loader weighs it by the channel's audience, as a mailing list's).
BROADCAST = 10
# message subtypes that are not a person talking to people
_SYSTEM_SUBTYPES = {
    "channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name", "channel_archive",
    "channel_unarchive", "group_join", "group_leave", "group_topic", "group_purpose", "group_name",
    "group_archive", "group_unarchive", "pinned_item", "unpinned_item", "bot_add", "bot_remove",
    "reminder_add", "tombstone", "sh_room_created", "joiner_notification",
}  # fmt: skip
_LISTS = {
    "channels.json": "channel",
    "groups.json": "private channel",
    "mpims.json": "group DM",
    "dms.json": "DM",
}


class _Export:
    """The files of an export, from a zip or a folder, by their path inside it."""

    def __init__(self, path: Path):
        self.path = path
        if path.is_dir():
            self.names = sorted(str(p.relative_to(path).as_posix()) for p in path.rglob("*.json"))
            self._zip = None
        else:
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise FormatError(
                    f"{path}: not a zip or folder of a Slack export ({exc}). Pass the export's zip."
                ) from None
            self.names = sorted(n for n in self._zip.namelist() if n.endswith(".json"))

    def load(self, name: str):
        try:
            raw = (self.path / name).read_bytes() if self._zip is None else self._zip.read(name)
            return json.loads(raw.decode("utf-8-sig"))
        except json.JSONDecodeError as exc:
            raise FormatError(
                f"{self.path}: {name} is not valid JSON (line {exc.lineno}, column {exc.colno}). "
                "Export the workspace again."
            ) from None


def is_slack_export(path: str | Path) -> bool:
    """Whether a folder or zip holds a Slack export (``users.json`` and ``channels.json`` at its top).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "users.json").write_text("[]"); _ = (d / "channels.json").write_text("[]")
    >>> is_slack_export(d), is_slack_export(d / "users.json")
    (True, False)
    """
    path = Path(path)
    if path.is_dir():
        return (path / "users.json").is_file() and (path / "channels.json").is_file()
    if path.suffix.lower() != ".zip":
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            top = {PurePosixPath(n).name for n in zf.namelist() if "/" not in n.strip("/")}
    except (zipfile.BadZipFile, OSError):
        return False
    return {"users.json", "channels.json"} <= top


def _user_keys(users: list[dict]) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """user id -> identity key (the profile's email, else the name key), id -> name, bot ids."""
    keys, names, bots = {}, {}, set()
    for u in users:
        uid = u.get("id")
        if not uid:
            continue
        profile = u.get("profile") or {}
        name = (
            profile.get("real_name")
            or u.get("real_name")
            or profile.get("display_name")
            or u.get("name")
            or uid
        )
        names[uid] = name
        keys[uid] = S.normalize_email(profile.get("email") or "") or S.name_key(name)
        if u.get("is_bot") or uid == "USLACKBOT" or profile.get("bot_id"):
            bots.add(uid)
    return keys, names, bots


def _owner(me, keys: dict[str, str], names: dict[str, str], dms: list[dict]) -> tuple[set[str], str]:
    """The owner's user ids: given (email, user id or name), else the one member of every DM."""
    if me:
        wanted = {me} if isinstance(me, str) else set(me)
        low = {w.lower() for w in wanted}
        ids = {u for u in keys if u in wanted or keys[u] in low or names.get(u, "").lower() in low}
        return ids, f"given (me={sorted(wanted)})"
    if dms:
        common = set.intersection(*(set(d.get("members") or []) for d in dms))
        if len(common) == 1:
            return common, f"the member of all {len(dms)} direct-message conversations"
    return set(), "not identified (pass me= your Slack email): no message is marked as yours"


def _when(ts: str) -> pd.Timestamp:
    """A Slack ``ts`` ("1741946400.000100": seconds and microseconds) as a UTC time, exactly."""
    seconds, _, micro = ts.partition(".")
    return pd.Timestamp(int(seconds) * 1_000_000 + int((micro + "000000")[:6]), unit="us", tz="UTC")


def read_slack(path: str | Path, *, me: str | Iterable[str] | None = None) -> tuple[pd.DataFrame, LoadReport]:
    """Read a Slack workspace export (zip or unpacked folder) into messages between people.

    Parameters
    ----------
    path : str or Path
        The export: ``users.json``, ``channels.json`` (and ``groups.json``, ``mpims.json``,
        ``dms.json`` when the export has them), one folder per conversation of daily
        ``YYYY-MM-DD.json`` files.
    me : str or list of str, optional
        The owner's Slack email, user id or name. Default: the one member of every
        direct-message conversation (an export that holds DMs is the owner's).

    Returns
    -------
    messages : DataFrame
        :data:`netanalytics.schema.MESSAGES` with ``source`` and ``channel`` ``"slack"``:
        ``sender`` the user's profile email (so Slack people join the same people as mail),
        else the name key of their real name; ``to`` the conversation's other members;
        ``thread_id`` ``"slack:<conversation>:<thread_ts>"`` (a DM or group DM without
        threads is one thread, ``"slack:<conversation>"``, as a chat), a thread reply's
        ``in_reply_to`` the thread's first message. A conversation of more than :data:`BROADCAST` members is
        a broadcast: ``to`` is empty, ``n_recipients`` its other members and ``mailing_list``
        names it (``slack:#<name>``), so the loader weighs a post there like a mailing-list
        post to that many people (direct when it answers me or when I answer someone). No
        text is kept.
    report : LoadReport
        One :class:`~netanalytics.io.report.FileReport`; a record is one entry of a daily
        file; ``read == kept + skipped``; ``notes["owner"]`` says how the owner was found.

    Raises
    ------
    FormatError
        The path is not a Slack export, or one of its files is not JSON (named, with the line).

    Notes
    -----
    *Skipped, with the reason:* system messages (joins, leaves, topic, purpose, pins ...),
    bot messages and bot users, messages without a user, and messages in a conversation
    with nobody else in it.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "users.json").write_text(json.dumps([
    ...     {"id": "U1", "profile": {"real_name": "Ann Lee", "email": "ann@x.org"}},
    ...     {"id": "U2", "profile": {"real_name": "Bo Chen", "email": "bo@y.org"}}]))
    >>> _ = (d / "channels.json").write_text(json.dumps([{"id": "C1", "name": "dev", "members": ["U1", "U2"]}]))
    >>> (d / "dev").mkdir()
    >>> _ = (d / "dev" / "2025-03-14.json").write_text(json.dumps([
    ...     {"type": "message", "user": "U1", "ts": "1741946400.000100", "text": "hi"},
    ...     {"type": "message", "user": "U2", "ts": "1741946500.000200", "thread_ts": "1741946400.000100"}]))
    >>> msgs, report = read_slack(d, me="ann@x.org")
    >>> msgs[["sender", "to", "is_from_me", "in_reply_to"]].values.tolist()
    [['ann@x.org', ['bo@y.org'], True, None], ['bo@y.org', ['ann@x.org'], False, 'slack:C1:1741946400.000100']]
    """
    path = Path(path)
    if not path.exists():
        raise FormatError(f"{path}: no such file or folder. Check the path of the Slack export.")
    if not is_slack_export(path):
        raise FormatError(
            f"{path}: not a Slack export (no users.json and channels.json at its top). "
            "Pass the workspace export's zip (Workspace settings -> Import/Export Data -> Export)."
        )
    export = _Export(path)
    keys, names, bots = _user_keys(export.load("users.json"))
    conversations = []  # (id, folder, members, kind)
    for list_name, kind in _LISTS.items():
        if list_name in export.names:
            for c in export.load(list_name):
                folder = c.get("name") or c.get("id")
                conversations.append(
                    (c.get("id") or folder, folder, list(c.get("members") or []), kind, c.get("name"))
                )
    dms = [{"members": m} for _, _, m, kind, _ in conversations if kind == "DM"]
    my_ids, rule = _owner(me, keys, names, dms)

    report = LoadReport()
    rep = report.new_file(str(path), "slack")
    rep.notes.update(owner=rule, conversations=dict(Counter(kind for *_, kind, _ in conversations)))
    if not my_ids:
        rep.warn(f"owner {rule}", limit=MAX_WARNINGS)
    rows = []
    for conv_id, folder, members, kind, name in conversations:
        direct = kind in ("DM", "group DM")  # a direct conversation is one thread, as a chat
        days = sorted(n for n in export.names if PurePosixPath(n).parent.as_posix() == folder)
        broadcast = len(members) > BROADCAST
        for day in days:
            entries = export.load(day)
            if not isinstance(entries, list):
                rep.warn(f"{day}: not a list of messages; file skipped", limit=MAX_WARNINGS)
                continue
            for m in entries:
                uid, subtype = m.get("user"), m.get("subtype")
                if subtype in _SYSTEM_SUBTYPES:
                    rep.skip(f"system message ({subtype})")
                    continue
                if subtype == "bot_message" or m.get("bot_id") or uid in bots:
                    rep.skip("bot message")
                    continue
                if not uid or "ts" not in m:
                    rep.skip("no user or time (not a person's message)")
                    continue
                others = [u for u in members if u != uid and u not in bots] if members else []
                if not others and not broadcast:
                    rep.skip("nobody else in the conversation")
                    continue
                ts = str(m["ts"])
                thread = str(m.get("thread_ts") or ts)
                thread_id = (
                    f"slack:{conv_id}" if direct and "thread_ts" not in m else f"slack:{conv_id}:{thread}"
                )
                rep.keep()
                rows.append(
                    message_row(
                        message_id=f"slack:{conv_id}:{ts}",
                        source=SOURCE,
                        source_file=str(path),
                        channel=SOURCE,
                        timestamp=_when(ts),
                        sender=keys.get(uid) or S.name_key(uid),
                        sender_name=names.get(uid),
                        to=[] if broadcast else [keys.get(u) or S.name_key(u) for u in others],
                        to_names=[] if broadcast else [names.get(u) for u in others],
                        thread_id=thread_id,
                        is_from_me=uid in my_ids,
                        in_reply_to=None if thread == ts else f"slack:{conv_id}:{thread}",
                    )
                    # a broadcast names its channel and counts its members as recipients
                    | (
                        {S.MAILING_LIST: f"slack:#{name or folder}", S.N_RECIPIENTS: len(others)}
                        if broadcast
                        else {}
                    )
                )
    return message_frame(rows), report
