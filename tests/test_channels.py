"""The channel vocabulary: free text to kinds of channel, and multiplexity counting kinds."""

from __future__ import annotations

import pandas as pd

import netanalytics as na
from netanalytics import schema as S
from netanalytics.channels import CHANNEL_VOCABULARY, OTHER, channel_kind, raw_channel_label
from netanalytics.metrics.strength import tie_strength


def test_channel_kinds():
    cases = {
        "Coffee": "in_person", "coffee chat": "in_person", "Lunch": "in_person", "in-person": "in_person",
        "Coffee with the team": "in_person", "Zoom": "video", "zoom call": "video", "Video Call": "video",
        "FaceTime": "video", "phone": "call", "Phone call": "call", "CALL": "call", "MEETING": "meeting",
        "sms": "sms", "iMessage": "sms", "E-Mail": "email", "LinkedIn": "linkedin", "WhatsApp": "whatsapp",
        "Tarot reading": OTHER,
    }  # fmt: skip
    assert {text: channel_kind(text) for text in cases} == cases
    assert channel_kind("", default="meeting") == "meeting" and channel_kind(None) == "call"
    assert set(CHANNEL_VOCABULARY) == {
        "call", "video", "meeting", "in_person", "sms", "email", "linkedin", "whatsapp", "telegram", "slack",
    }  # fmt: skip


def test_raw_label():
    assert raw_channel_label("Coffee  chat", "in_person") == ["channel:Coffee chat"]
    assert raw_channel_label("Call", "call") == [] and raw_channel_label("", "call") == []
    assert raw_channel_label("in person", "in_person") == []


def test_multiplexity_counts_kinds_not_spellings(tmp_path):
    log = tmp_path / "interactions.csv"
    log.write_text(
        "date,person,channel,direction,duration_minutes,note\n"
        "2025-01-06,bo@example.org,Coffee,mutual,30,\n"
        "2025-01-13,bo@example.org,coffee chat,mutual,30,\n"
        "2025-01-20,bo@example.org,lunch,mutual,60,\n"
        "2025-01-27,bo@example.org,Zoom,out,20,\n"
        "2025-02-03,bo@example.org,phone,in,10,\n"
    )
    net = na.load(calls=log, me="ann@example.org", cache=False)
    bo = net.people.index[net.people[S.EMAILS].map(lambda e: "bo@example.org" in e)][0]
    assert sorted(net.interactions[S.CHANNEL]) == ["call", "in_person", "in_person", "in_person", "video"]
    strength = tie_strength(net, as_of=pd.Timestamp("2025-02-10", tz="UTC"))
    assert strength.loc[bo, S.CHANNELS] == 3  # in person, video, call: not five spellings
