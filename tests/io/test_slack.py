"""Slack workspace exports: users, channels, DMs, threads, bots and joins, big channels as broadcasts."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import netanalytics as na
from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io.slack import is_slack_export, read_slack

T0 = 1741946400  # 2025-03-14 10:00 UTC

USERS = [
    {"id": "U1", "name": "ann", "profile": {"real_name": "Ann Lee", "email": "Ann.Lee@Acme.example"}},
    {"id": "U2", "name": "bo", "profile": {"real_name": "Bo Chen", "email": "bo@acme.example"}},
    {"id": "U3", "name": "cy", "profile": {"real_name": "Cy Diaz"}},  # no email: a name key
    {"id": "B1", "name": "deploybot", "is_bot": True, "profile": {"real_name": "Deploy Bot", "bot_id": "BX"}},
] + [
    {"id": f"U{i}", "profile": {"real_name": f"Member {i}", "email": f"m{i}@acme.example"}}
    for i in range(10, 22)
]


def msg(user, dt, **kw):
    return {"type": "message", "user": user, "ts": f"{T0 + dt}.000100", "text": "not kept", **kw}


def write_export(path, *, dms=True):
    files = {
        "users.json": USERS,
        "channels.json": [
            {"id": "C1", "name": "design", "members": ["U1", "U2", "U3", "B1"]},
            {"id": "C2", "name": "general", "members": ["U1", "U2", "U3"] + [f"U{i}" for i in range(10, 22)]},
        ],
        "design/2025-03-14.json": [
            {"type": "message", "subtype": "channel_join", "user": "U3", "ts": f"{T0}.000001"},
            msg("U1", 60),
            msg("U2", 120, thread_ts=f"{T0 + 60}.000100"),  # a reply in Ann's thread
            {"type": "message", "subtype": "bot_message", "bot_id": "BX", "ts": f"{T0 + 180}.000100"},
            msg("B1", 200),  # a bot user
        ],
        "general/2025-03-15.json": [msg("U10", 86400), msg("U1", 86500, thread_ts=f"{T0 + 86400}.000100")],
    }
    if dms:
        files["dms.json"] = [{"id": "D1", "members": ["U1", "U2"]}, {"id": "D2", "members": ["U1", "U3"]}]
        files["D1/2025-03-16.json"] = [msg("U2", 172800), msg("U1", 172900)]
        files["D2/2025-03-16.json"] = [msg("U3", 173000)]
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, json.dumps(data))
    return path


def test_read_slack(tmp_path):
    export = write_export(tmp_path / "Acme Slack export Mar 14 2025 - Mar 16 2025.zip")
    assert is_slack_export(export)
    msgs, report = read_slack(export)
    S.validate(msgs, S.MESSAGES)
    got = msgs[[S.MESSAGE_ID, S.SENDER, S.TO, S.IS_FROM_ME, S.IN_REPLY_TO, S.MAILING_LIST]].values.tolist()
    assert got == [
        ["slack:C1:1741946460.000100", "ann.lee@acme.example", ["bo@acme.example", "name:Cy Diaz"], True, None, None],
        ["slack:C1:1741946520.000100", "bo@acme.example", ["ann.lee@acme.example", "name:Cy Diaz"], False,
         "slack:C1:1741946460.000100", None],
        ["slack:C2:1742032800.000100", "m10@acme.example", [], False, None, "slack:#general"],
        ["slack:C2:1742032900.000100", "ann.lee@acme.example", [], True, "slack:C2:1742032800.000100",
         "slack:#general"],
        ["slack:D1:1742119200.000100", "bo@acme.example", ["ann.lee@acme.example"], False, None, None],
        ["slack:D1:1742119300.000100", "ann.lee@acme.example", ["bo@acme.example"], True, None, None],
        ["slack:D2:1742119400.000100", "name:Cy Diaz", ["ann.lee@acme.example"], False, None, None],
    ]  # fmt: skip
    assert msgs[S.TIMESTAMP].iloc[0] == pd.Timestamp("2025-03-14 10:01:00.0001", tz="UTC")
    assert (msgs[S.CHANNEL] == "slack").all() and msgs[S.SUBJECT].isna().all()
    f = report.files[0]
    assert (f.read, f.kept, dict(f.skipped)) == (
        10,
        7,
        {"system message (channel_join)": 1, "bot message": 2},
    )
    assert f.notes["owner"] == "the member of all 2 direct-message conversations"
    assert f.notes["conversations"] == {"channel": 2, "DM": 2}


def test_owner_given_and_not_found(tmp_path):
    export = write_export(tmp_path / "export.zip", dms=False)
    msgs, report = read_slack(export, me="bo@acme.example")
    assert msgs.loc[msgs[S.IS_FROM_ME], S.SENDER].unique().tolist() == ["bo@acme.example"]
    msgs, report = read_slack(export)
    assert not msgs[S.IS_FROM_ME].any()
    assert report.files[0].warnings == [
        "owner not identified (pass me= your Slack email): no message is marked as yours"
    ]


def test_errors_name_the_file_and_the_fix(tmp_path):
    with pytest.raises(FormatError, match="not a Slack export"):
        read_slack(tmp_path)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "users.json").write_text("[")
    (bad / "channels.json").write_text("[]")
    with pytest.raises(FormatError, match=r"users.json is not valid JSON \(line 1, column 2\)"):
        read_slack(bad)


def test_slack_people_join_mail_people_and_broadcasts_weigh_as_broadcasts(tmp_path):
    export = write_export(tmp_path / "slack.zip")
    box = tmp_path / "mail.mbox"
    box.write_text(
        "From ann@x Mon Mar 10 10:00:00 2025\nFrom: Bo Chen <bo@acme.example>\nTo: ann.lee@acme.example\n"
        "Message-ID: <1@acme>\nDate: Mon, 10 Mar 2025 10:00:00 +0000\n\nhi\n"
    )
    net = na.load(email=box, chats=export, me="ann.lee@acme.example", cache=False)
    k2p = dict(zip(net.identities[S.KEY], net.identities[S.PERSON_ID]))
    bo = k2p["bo@acme.example"]
    assert sorted(net.interactions.loc[net.interactions[S.PERSON_ID] == bo, S.CHANNEL].unique()) == [
        "email",
        "slack",
    ]
    inter = net.interactions.set_index(S.MESSAGE_ID)
    # Member 10's post in #general (15 members) is a broadcast; Ann's thread reply to it is direct
    assert inter.loc["slack:C2:1742032800.000100", S.N_PARTICIPANTS] > 10
    reply = inter.loc["slack:C2:1742032900.000100"]
    assert (reply[S.PERSON_ID], reply[S.DIRECTION], reply[S.N_PARTICIPANTS]) == (
        k2p["m10@acme.example"],
        "out",
        2,
    )
    assert "slack:#general" not in k2p or k2p["slack:#general"] is None


def test_slack_replies_count_in_reciprocity(tmp_path):
    export = write_export(tmp_path / "slack.zip")
    net = na.load(chats=export, me="ann.lee@acme.example", cache=False)
    rec = na.reciprocity(net)
    bo = dict(zip(net.identities[S.KEY], net.identities[S.PERSON_ID]))["bo@acme.example"]
    # Bo answered Ann's thread post, Ann answered Bo's DM: one reply each way
    assert (rec.loc[bo, "my_reply_rate"], rec.loc[bo, "their_reply_rate"]) == (1.0, 1.0)


def test_an_unpacked_export_in_a_chats_folder_is_one_export(tmp_path):
    """The export as people unzip it, in a folder of chats given as chats=: read as one Slack
    export (not each daily JSON file as a chat), the other files reported, not read."""
    folder = tmp_path / "chats"
    slack = folder / "Acme Slack export"
    with zipfile.ZipFile(write_export(tmp_path / "slack.zip")) as zf:
        zf.extractall(slack)
    (folder / "notes.md").write_text("not a chat")
    net = na.load(chats=folder, me="ann.lee@acme.example", cache=False)
    zipped = na.load(chats=tmp_path / "slack.zip", me="ann.lee@acme.example", cache=False)
    assert len(net.interactions) == len(zipped.interactions) > 0
    assert sorted(net.interactions[S.CHANNEL].unique()) == ["slack"]
    assert [Path(f.path).name for f in net.report.files if f.kind.startswith("slack")] == [
        "Acme Slack export"
    ]
    assert [Path(f.path).name for f in net.report.unread_files] == ["notes.md"]
