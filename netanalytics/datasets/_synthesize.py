"""Generate a synthetic professional life in real export formats, with its ground truth."""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import random
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import combinations
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from netanalytics import schema as S
from netanalytics.datasets import _names as N
from netanalytics.datasets._formats import (
    DEFAULT_END,
    UTC,
    address,
    ascii_fold,
    encoded_word,
    fold,
    from_line,
    gmail_id,
    rfc2822,
)

__all__ = ["synthesize"]

ME = "me"
#: Channels of planned contact, and which files carry each (ground truth counts what was written).
CHANNELS = frozenset({"email", "linkedin", "meeting", "whatsapp", "slack", "call"})
#: Where each channel is written (ground truth counts the channels a persona writes).
CHANNEL_PARTS = {
    "email": "mail/",
    "linkedin": "linkedin/",
    "meeting": "calendar/",
    "whatsapp": "chats/WhatsApp",
    "slack": "chats/Tidewell Health Slack export",
    "call": "calls/",
}
AUTOMATED = "automated"
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

#: Layer thresholds of METRICS.md: contacts in the trailing 365 days -> layer.
LAYER_RULE = ((52, 5), (12, 15), (4, 50), (1, 150))
#: Nothing is planted in the two weeks before the 365-day window opens, so a reader whose
#: ``as_of`` (latest interaction) falls a few days before ``end`` still finds the same layers.
WINDOW_GUARD = timedelta(days=14)
#: The Slack export's file name in the sample (Slack names it after the workspace and dates).
SLACK_EXPORT = "chats/Tidewell Health Slack export Jun 2 2026 - Oct 31 2026.zip"
#: Chats, Slack and calls are planted in the last this many days (:meth:`_World.plan_chats`).
CHAT_DAYS = 150
#: METRICS.md's state thresholds, as the generator plants them (written here, not imported, so
#: that a changed metric constant fails a truth test): a tie is cooling once its silence passes
#: twice its usual gap between contact days (with at least three contact days) or its layer's
#: gap; dormant after 365 days of silence.
RHYTHM_FACTOR = 2.0
DORMANT_DAYS = 365
PLANTED_LAYER_GAP = {5: 7.0, 15: 30.0, 50: 120.0, 150: 365.0}
#: Planted silence over rhythm: cooling ties spread past the rhythm threshold, some just past it
#: and some far; "due" ties (steady ties waiting for their next contact) sit below it.
COOLING_RATIO = {15: (2.3, 3.8, 9.0), 50: (2.3, 3.8, 9.0), 150: (2.25, 3.4)}
DUE_RATIO = (1.15, 1.85)
#: Cooling by the layer rule alone: a share of the layer-15 cooling ties fall silent for between
#: 1.15 and 1.85 times their layer's gap (30 days) while still inside twice their rhythm (ratio
#: at most 0.9 × :data:`RHYTHM_FACTOR`), so only the layer gap finds them.
LAYER_PLAN_SHARE = 1.0
#: their contacts a year before the last year: a monthly catch-up, a few bursts a year (a
#: rhythm of a month or more, so that twice it lies past the 30-day gap)
LAYER_PLAN_BASE_RATE = (6.0, 10.0)
LAYER_PLAN_SILENCE = (1.15, 1.9)
#: Faded ties: a share of the yearly (layer-150) ties are new people met early in the last year on
#: two contact days a few days apart, then silent for 320-355 days. Two contact days give no rhythm
#: and the layer-150 gap is 365 days: only P(alive) (below one half for them) finds them cooling.
FADED_SHARE = 0.12
FADED_FIRST_DAYS = (8.0, 35.0)
#: Dormant ties: the last contact lies within three weeks before ``dormant_since``, which is at
#: least this many days before the end (just past the guard before the window); a third of
#: them fall silent less than 500 days before the end.
DORMANT_MIN_DAYS = 380

COMMUNITIES = {  # share of people, p(LinkedIn channel), work-mail community
    "current_team": (0.12, 0.02, True),
    "former_employer": (0.19, 0.10, True),
    "clients": (0.14, 0.03, True),
    "mentors_mentees": (0.07, 0.25, False),
    "university": (0.12, 0.30, False),
    "recruiters_vendors": (0.16, 0.55, True),
    "industry_peers": (0.20, 0.45, False),
}
KINDS = {
    "current_team": ["colleague"],
    "former_employer": ["former colleague"],
    "clients": ["client"],
    "mentors_mentees": ["mentor", "mentee"],
    "university": ["friend"],
    "recruiters_vendors": ["recruiter", "vendor"],
    "industry_peers": ["peer"],
}
LABELS = {
    "current_team": "Tidewell",
    "former_employer": "Corvane",
    "clients": "Clients",
    "mentors_mentees": "Mentors",
    "university": "Friends",
    "recruiters_vendors": "Recruiters",
    "industry_peers": "Industry",
}
ZONES = {
    "current_team": ["America/New_York", "America/New_York", "America/Chicago", "Europe/London"],
    "former_employer": ["America/New_York", "America/New_York", "Europe/Berlin"],
    "clients": ["America/New_York", "America/Chicago", "Europe/London", "America/Los_Angeles"],
    "mentors_mentees": ["America/Los_Angeles", "America/New_York"],
    "university": ["America/New_York", "America/Los_Angeles", "Europe/Paris"],
    "recruiters_vendors": ["America/New_York", "America/Los_Angeles"],
    "industry_peers": ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Singapore"],
}
PROFILES = ["balanced", "they_initiate", "i_initiate", "never_replies", "i_owe"]
REPLY_BY_ME = {"balanced": 0.82, "they_initiate": 0.85, "i_initiate": 0.8, "never_replies": 0.8, "i_owe": 0.8}
REPLY_BY_THEM = {
    "balanced": 0.9,
    "they_initiate": 0.85,
    "i_initiate": 0.72,
    "never_replies": 0.05,
    "i_owe": 0.78,
}
ME_STARTS = {"me": 0.9, "them": 0.1, "both": 0.5}
SKILLS = [
    "Product Management",
    "Roadmapping",
    "Agile Methodologies",
    "User Research",
    "SQL",
    "Healthcare IT",
    "Stakeholder Management",
    "A/B Testing",
    "Go-to-Market Strategy",
    "Data Analysis",
]

#: The ``list_heavy`` persona's mailing lists (name, address); the first is the PM Guild.
MAILING_LISTS = (
    N.GROUP_LIST,
    ("Product Analytics Circle", "product-analytics@googlegroups.com"),
    ("Healthtech PMs", "healthtech-pm@groups.io"),
)
LIST_TOPICS = [
    "Pricing page teardown",
    "Favourite discovery tools?",
    "Meetup venue ideas",
    "Job: Senior PM, remote",
    "How do you run quarterly planning?",
    "Metrics for onboarding funnels",
    "Reading list for new PMs",
    "Anyone using feature flags at scale?",
]
#: Personas of :func:`synthesize`: which files each writes.
PERSONAS = {
    "default": ("mail", "linkedin", "contacts", "calendar", "chats", "calls"),
    "linkedin_only": ("linkedin",),
    "new_graduate": ("mail", "linkedin", "contacts"),  # none of its people hold meetings with me
    "list_heavy": ("mail", "linkedin", "contacts", "calendar"),
}
#: The ``new_graduate`` persona's history, and the communities a graduate has met.
GRADUATE_DAYS = 120
GRADUATE_COMMUNITIES = ("university", "mentors_mentees", "recruiters_vendors", "industry_peers")
GRADUATE_PEOPLE = 12

OWNER = {
    "first": "Elena",
    "last": "Marsh",
    "slug": "elena-marsh-pm",
    "gmail": "elena.marsh.pm@gmail.com",
    "former": "elena.marsh@corvane.com",
    "current": "emarsh@tidewellhealth.com",
    "tz": "America/New_York",
}


# --- planned entities ------------------------------------------------------------------------


@dataclass
class _Person:
    pid: str
    first: str
    last: str
    community: str
    kind: str
    tz: ZoneInfo
    middle: str = ""
    nickname: str = ""
    credential: str = ""
    li_middle: bool = False
    trajectory: str = "steady"
    dormant_since: datetime | None = None
    profile: str = "balanced"
    initiation: str = "both"
    layer: int = 0
    target: int = 0
    base_rate: float = 0.0
    windows: list[tuple[datetime, datetime]] = field(default_factory=list)
    companies: list[tuple[str, str, datetime]] = field(default_factory=list)
    title: str = ""
    work: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    personal: str = ""
    slug: str = ""
    connected_on: datetime | None = None
    p_linkedin: float = 0.0
    owe_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    #: "cooling" or "due": the tie's silence is planted as a multiple of its rhythm
    #: (:meth:`_World.plant_silences`); ``group_until`` ends group events early to leave room.
    silence_plan: str = ""
    silence_ratio: float = 0.0
    #: "layer" plan: the silence aimed at, in days
    silence_target_days: float = 0.0
    group_until: datetime | None = None
    #: the mobile number the generator gives this person ("+1 617 555 0142"), or ""
    phone: str = ""

    @property
    def name(self) -> str:
        return " ".join(x for x in (self.first, self.middle, self.last) if x)

    @property
    def mail_first(self) -> str:
        return self.nickname or self.first

    @property
    def li_first(self) -> str:
        return f"{self.first} {self.middle[0]}." if self.li_middle and self.middle else self.first

    @property
    def li_last(self) -> str:
        return self.last + self.credential

    @property
    def li_name(self) -> str:
        if "deleted_member" in self.tags:
            return "LinkedIn Member"
        return f"{self.li_first} {self.li_last}"

    @property
    def url(self) -> str:
        return f"https://www.linkedin.com/in/{self.slug}" if self.slug else ""

    def allowed(self, t: datetime) -> bool:
        return any(a <= t < b for a, b in self.windows)


@dataclass
class _Msg:
    t: datetime
    sender: str
    to: list[str]
    cc: list[str] = field(default_factory=list)
    kind: str = "person"  # person | list | undisclosed | draft | system | sponsored
    parent: int = -1  # index of the answered message inside the thread


@dataclass
class _Thread:
    channel: str  # email | linkedin
    community: str
    subject: str
    msgs: list[_Msg] = field(default_factory=list)
    title: str = ""
    mailing_list: tuple[str, str] | None = None  # (name, address); None: the PM Guild
    shown_as: str = ""  # whatsapp: how the phone shows the other person ("" = their name)


@dataclass
class _Meeting:
    start: datetime
    minutes: int
    organizer: str
    attendees: list[tuple[str, str]]  # (participant, PARTSTAT)
    summary: str
    community: str
    until: datetime | None = None  # weekly recurrence end

    def occurrences(self) -> list[datetime]:
        if self.until is None:
            return [self.start]
        local, out = self.start.astimezone(ZoneInfo(OWNER["tz"])), []
        while local.astimezone(UTC) <= self.until:
            out.append(local.astimezone(UTC))
            local = (local.replace(tzinfo=None) + timedelta(days=7)).replace(tzinfo=local.tzinfo)
        return out


def _msg_contacts(msg: _Msg, parent: _Msg | None = None) -> list[str]:
    """People credited with one contact by ``msg`` (the rule of METRICS.md / the task brief).

    A list post is a broadcast, except where it answers across me: my post answering someone's
    post counts for its author, someone's post answering mine for its sender (``parent`` is the
    answered message)."""
    if msg.kind == "list":
        if parent is None or (msg.sender == ME) == (parent.sender == ME):
            return []
        return [parent.sender if msg.sender == ME else msg.sender]
    if msg.kind in ("draft", "system", "sponsored"):
        return []
    if msg.sender == ME:
        return [r for r in msg.to + msg.cc if r != ME]
    return [msg.sender]


def _meeting_contacts(mtg: _Meeting) -> list[str]:
    if mtg.organizer == ME:
        return [p for p, stat in mtg.attendees if p != ME and stat != "DECLINED"]
    return [mtg.organizer]


def _layer(count: int) -> int:
    return next((layer for low, layer in LAYER_RULE if count >= low), 0)


# --- the generator ---------------------------------------------------------------------------


class _World:
    """Plans people and events, then renders them into export files."""

    def __init__(self, seed: int, n_people: int, years: int, n_messages: int, end: datetime) -> None:
        self.seed, self.n_people, self.n_messages = seed, n_people, n_messages
        self.end = end
        self.start = end - timedelta(days=round(365.25 * years))
        self.window = end - timedelta(days=365)
        jc = (end - timedelta(days=round(365.25 * years * 0.4))).date().replace(day=1)
        jc += timedelta(days=(7 - jc.weekday()) % 7)  # first Monday of the month
        self.job_change = datetime(jc.year, jc.month, jc.day, 13, tzinfo=UTC)
        self.my_tz = ZoneInfo(OWNER["tz"])
        self.rng = random.Random(f"netanalytics-synthetic-{seed}")
        #: draws for the layer-rule and faded plans, apart from the main stream
        self.aux = random.Random(f"netanalytics-synthetic-{seed}-plans")
        self.people: list[_Person] = []
        self.by_id: dict[str, _Person] = {}
        self.threads: list[_Thread] = []
        self.meetings: list[_Meeting] = []
        self.vacations = self._vacations()
        self.group_credit: Counter[str] = Counter()
        self.persona = "default"

    # ---- time -------------------------------------------------------------------------------

    def _vacations(self) -> list[tuple[datetime, datetime]]:
        out = []
        for year in range(self.start.year, self.end.year + 1):
            aug = date(year, 8, 1) + timedelta(days=(7 - date(year, 8, 1).weekday()) % 7)
            aug += timedelta(weeks=self.rng.randint(0, 2))
            for a, days in ((aug, 14), (date(year, 12, 23), 11)):
                b = a + timedelta(days=days)
                out.append((self._local(a, 0, self.my_tz), self._local(b, 0, self.my_tz)))
        return out

    @staticmethod
    def _local(day: date, hours: float, tz: ZoneInfo) -> datetime:
        return (
            (datetime(day.year, day.month, day.day) + timedelta(hours=hours))
            .replace(tzinfo=tz)
            .astimezone(UTC)
        )

    def _work_time(self, day: date, tz: ZoneInfo) -> datetime:
        rng = self.rng
        if day.weekday() >= 5 and rng.random() < 0.9:
            day += timedelta(days=7 - day.weekday())
        hours = min(max(rng.gauss(11.8, 2.6), 7.4), 19.6)
        return self._local(day, hours, tz).replace(microsecond=0)

    def _settle(self, t: datetime, tz: ZoneInfo) -> datetime:
        """Move ``t`` into working hours of ``tz`` most of the time, and out of my vacations."""
        for a, b in self.vacations:
            if a <= t < b:
                t = b + timedelta(minutes=self.rng.randint(30, 600))
        local = t.astimezone(tz)
        if (local.weekday() >= 5 or not 8 <= local.hour < 19) and self.rng.random() < 0.85:
            day = local.date() + (DAY if local.hour >= 19 else timedelta(0))
            while day.weekday() >= 5:
                day += DAY
            t = self._local(day, 8 + self.rng.random() * 2.5, tz)
        return t.replace(microsecond=0)

    def _delay(self, sender: str) -> timedelta:
        median_h = 2.5 if sender == ME else 3.5
        hours = math.exp(math.log(median_h) + 1.5 * self.rng.gauss(0, 1))
        return timedelta(hours=min(hours, 24 * 30) + 0.05)

    def _tz(self, who: str) -> ZoneInfo:
        return self.my_tz if who == ME else self.by_id[who].tz

    # ---- people -----------------------------------------------------------------------------

    def plan_people(self) -> None:
        rng, n = self.rng, self.n_people
        names = [(first, last) for first in N.FIRST_NAMES for last in N.LAST_NAMES]
        rng.shuffle(names)
        sizes = {c: round(share * n) for c, (share, _, _) in COMMUNITIES.items()}
        sizes["industry_peers"] += n - sum(sizes.values())
        comms = [c for c, k in sizes.items() for _ in range(k)]
        used_names: set[str] = set()
        for i, comm in enumerate(comms):
            while True:
                first, last = names.pop()
                if ascii_fold(first + " " + last).lower() not in used_names and (first, last) != (
                    "David",
                    "Kim",
                ):
                    break
            used_names.add(ascii_fold(first + " " + last).lower())
            p = _Person(
                f"p{i + 1:04d}", first, last, comm, rng.choice(KINDS[comm]), ZoneInfo(rng.choice(ZONES[comm]))
            )
            p.title = rng.choice(N.TITLES[comm])
            self.people.append(p)
        self.by_id = {p.pid: p for p in self.people}
        self._plan_layers()
        for p in self.people:
            self._plan_trajectory(p)
        self._plan_identity_mess(used_names)
        for p in self.people:
            self._plan_companies_and_addresses(p)
        self._check_unique_keys()

    def _plan_layers(self) -> None:
        rng, n = self.rng, self.n_people
        n5, n15, n50 = (max(1, round(n * k / 300)) for k in (5, 10, 35))
        free = {c: [p for p in self.people if p.community == c] for c in COMMUNITIES}
        for lst in free.values():
            rng.shuffle(lst)

        def take(comm: str, layer: int) -> bool:
            if not free[comm]:
                return False
            p = free[comm].pop()
            p.layer = layer
            return True

        prefs5 = ["current_team", "current_team", "former_employer", "mentors_mentees", "university"]
        prefs15 = (
            ["current_team"] * 4
            + ["clients"] * 2
            + ["former_employer", "mentors_mentees", "university", "industry_peers"]
        )
        for prefs, k, layer in ((prefs5, n5, 5), (prefs15, n15, 15)):
            for i in range(k):
                if not take(prefs[i % len(prefs)], layer):
                    take(max(free, key=lambda c: len(free[c])), layer)
        team_50 = min(len(free["current_team"]), round(n50 * 0.4))
        for _ in range(team_50):
            take("current_team", 50)
        weights = {
            "current_team": 0,
            "former_employer": 2,
            "clients": 2.5,
            "mentors_mentees": 1.5,
            "university": 1.5,
            "recruiters_vendors": 1,
            "industry_peers": 1.5,
        }
        for _ in range(n50 - team_50):
            comms = [c for c in weights if free[c] and weights[c] > 0]
            take(rng.choices(comms, [weights[c] * len(free[c]) for c in comms])[0], 50)
        for p in free["current_team"]:
            p.layer = 150
        free["current_team"] = []
        for comm, lst in free.items():
            share = {"recruiters_vendors": 0.25, "former_employer": 0.3}.get(comm, 0.4)
            for p in lst:
                p.layer = 150 if rng.random() < share else 0

    def _plan_trajectory(self, p: _Person) -> None:
        rng, comm = self.rng, p.community
        if p.layer == 5:
            p.trajectory = "growing" if comm == "current_team" or rng.random() < 0.25 else "steady"
        elif p.layer == 15:
            choices = {"current_team": (["growing"], [1])}.get(
                comm, (["steady", "growing", "cooling"], [35, 15, 50])
            )
            p.trajectory = rng.choices(*choices)[0]
        elif p.layer == 50:
            choices = {
                "current_team": (["growing", "steady", "cooling"], [2, 2, 1]),
                "former_employer": (["steady", "cooling"], [1, 1.5]),
            }.get(comm, (["steady", "growing", "cooling", "revived"], [35, 15, 35, 15]))
            p.trajectory = rng.choices(*choices)[0]
        elif p.layer == 150:
            # a tie of one to three contacts a year can cool only where it had a rhythm to lose:
            # cooling ties here were in touch several times a year before (a higher base rate)
            choices = (
                (["steady"], [1])
                if comm == "current_team"
                else (["steady", "revived", "growing", "cooling"], [50, 20, 12, 32])
            )
            p.trajectory = rng.choices(*choices)[0]
        else:
            # no contact in the last year is dormant by definition (METRICS.md), whatever came before
            p.trajectory = "dormant"
        if p.layer in (5, 15):
            p.profile = rng.choices(["balanced", "they_initiate", "i_initiate", "i_owe"], [6, 1.5, 1.5, 1])[0]
        elif p.layer == 0:
            p.profile = rng.choices(
                ["balanced", "they_initiate", "i_initiate", "never_replies"], [5, 2, 2, 1.5]
            )[0]
        else:
            p.profile = rng.choices(PROFILES, [5, 2, 2, 1.2, 1.2])[0]
        if p.community == "recruiters_vendors" and p.profile == "balanced" and rng.random() < 0.5:
            p.profile = "they_initiate"
        p.initiation = {"they_initiate": "them", "i_initiate": "me", "never_replies": "me"}.get(
            p.profile, rng.choices(["both", "me", "them"], [2, 1, 1])[0]
        )
        p.target = {
            5: rng.randint(70, 105),
            15: rng.randint(16, 40),
            50: rng.randint(5, 10),
            150: rng.randint(1, 3),
            0: 0,
        }[p.layer]
        p.base_rate = {
            5: rng.uniform(55, 85),
            15: rng.uniform(14, 28),
            50: rng.uniform(4, 9),
            150: rng.uniform(4, 7) if p.trajectory == "cooling" else rng.uniform(1, 3),
            0: rng.uniform(1, 3.5),
        }[p.layer]
        layer_plan = (
            p.trajectory in ("steady", "cooling")
            and p.layer == 15
            and comm != "current_team"
            and self.aux.random() < LAYER_PLAN_SHARE
        )
        if layer_plan:  # a monthly catch-up: a few bursts a year before the last one
            p.base_rate = self.aux.uniform(*LAYER_PLAN_BASE_RATE)
        first = self.start
        if comm == "current_team":
            first = self.job_change - timedelta(days=rng.randint(0, 25))
        elif p.trajectory == "growing" and rng.random() < 0.5:
            first = self.start + (self.window - self.start) * rng.uniform(0.1, 0.6)
        new_this_year = p.trajectory == "growing" and p.layer in (50, 150) and rng.random() < 0.5
        if new_this_year:  # people keep meeting new people: some ties begin in the last year
            first = self.window + (self.end - self.window) * rng.uniform(0.05, 0.6)
        first = max(first, self.start)
        pre_end = self.window - WINDOW_GUARD
        faded = p.layer == 150 and comm != "current_team" and self.aux.random() < FADED_SHARE
        if faded:  # two contact days early in the last year, then silence (_fill_window)
            p.trajectory, p.silence_plan, p.target = "cooling", "faded", 2
            first = self.window + timedelta(days=self.aux.uniform(*FADED_FIRST_DAYS))
            p.windows = [(first, first + timedelta(days=20))]
        elif p.trajectory == "dormant":
            lo, hi = first + timedelta(days=150), self.end - timedelta(days=DORMANT_MIN_DAYS)
            if comm == "former_employer":
                lo = max(lo, self.job_change - timedelta(days=60))
            if rng.random() < 1 / 3:  # near the 365-day rule
                lo = max(lo, hi - timedelta(days=500 - DORMANT_MIN_DAYS))
            mid = lo + (hi - lo) * rng.random() if hi > lo else hi
            p.dormant_since = datetime(mid.year, mid.month, mid.day, tzinfo=UTC)
            p.windows = [(first, p.dormant_since)]
        elif p.trajectory == "revived":
            revive = self.end - timedelta(days=rng.randint(25, 115))
            gap_start = max(first + timedelta(days=90), revive - timedelta(days=rng.randint(420, 700)))
            p.windows = [(first, min(gap_start, pre_end)), (revive, self.end)]
        elif p.layer == 0:
            p.windows = [(first, pre_end)]
        elif new_this_year:
            p.windows = [(first, self.end)]
        else:
            p.windows = [(first, pre_end), (self.window, self.end)]
        if (not faded and p.trajectory == "cooling") or (
            p.trajectory in ("steady", "growing")
            and comm != "current_team"
            and p.layer in (50, 150)
            and not new_this_year
            and rng.random() < 0.3
        ):
            # the silence is cut into the planned dialogs later (plant_silences); group events
            # end early so that only one-to-one dialogs lie in the part that may be cut
            p.silence_plan = "cooling" if p.trajectory == "cooling" else "due"
            band = COOLING_RATIO[p.layer] if p.trajectory == "cooling" else DUE_RATIO
            i = rng.randrange(len(band) - 1)  # (lo, mid, hi): half just past the threshold, half further
            p.silence_ratio = rng.uniform(band[i], band[i + 1])
            rhythm = {15: 15, 50: 30, 150: 45}[p.layer]  # a rough guess, for room only
            p.group_until = self.end - timedelta(days=p.silence_ratio * rhythm + 15)
            if p.trajectory == "cooling":  # more dialogs in the year, so that the cut can fall near the ratio
                p.target += 3
        if layer_plan:
            # planted steady (a steady rhythm before), cooling once the cut holds (plant_silences)
            p.silence_plan = "layer"
            p.silence_target_days = PLANTED_LAYER_GAP[15] * self.aux.uniform(*LAYER_PLAN_SILENCE)
            p.group_until = self.end - timedelta(days=p.silence_target_days + 15)
        if faded:  # two messages say nothing of who starts or who replies
            p.profile, p.initiation = "balanced", "both"
        if p.profile == "i_owe" and p.silence_plan:
            p.profile = "balanced"
        if p.profile == "i_owe":
            p.owe_at = self.end - timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 12))
            a, b = p.windows[-1]
            p.windows[-1] = (a, min(b, p.owe_at - DAY))
        p.p_linkedin = COMMUNITIES[comm][1]
        if comm == "recruiters_vendors" and p.kind == "vendor":
            p.p_linkedin = 0.1

    def _plan_identity_mess(self, used_names: set[str]) -> None:
        rng = self.rng
        people = list(self.people)
        # who is on LinkedIn, and connected
        for p in people:
            on_li = rng.random() < {"university": 0.85, "recruiters_vendors": 1.0}.get(p.community, 0.92)
            if on_li:
                p.slug = "?"  # chosen below, once names are final
            else:
                p.tags.append("no_linkedin")
                p.p_linkedin = 0.0
        # the two David Kims: a client and a university friend, never the same person
        kims = [p for p in people if p.community == "clients" and p.layer == 50][:1] + [
            p for p in people if p.community == "university" and p.layer in (50, 150)
        ][:1]
        for p, slug in zip(kims, ["david-kim-4a1b2c", "davidkim-bw"]):
            p.first, p.last, p.middle, p.slug = "David", "Kim", "", slug
            p.tags.append("common_name")
        special = [p for p in people if p not in kims]
        rng.shuffle(special)

        def pick(pred) -> _Person | None:
            for p in special:
                if pred(p):
                    special.remove(p)
                    return p
            return None

        # Bob in mail, Robert on LinkedIn
        for formal, nick in list(N.NICKNAMES.items())[: max(3, round(self.n_people / 40))]:
            p = pick(lambda q: q.slug and q.layer in (5, 15, 50, 150) and q.first.isascii())
            if p is None:
                break
            full = ascii_fold(f"{formal} {p.last}").lower()
            if full in used_names:
                continue
            used_names.add(full)
            p.first, p.nickname = formal, nick
            p.tags.append("nickname")
        # a name-only LinkedIn participant (old rows without profile URLs)
        p = pick(lambda q: q.community in ("industry_peers", "university") and q.trajectory == "dormant")
        if p is not None:
            p.first, p.last, p.slug, p.p_linkedin = "Priya", "Raman", "", 1.0
            p.tags.append("name_only_linkedin")
        # a recruiter who deleted their account: "LinkedIn Member" with no URL
        p = pick(lambda q: q.community == "recruiters_vendors" and q.trajectory == "dormant")
        if p is not None:
            p.slug, p.p_linkedin, p.kind = "", 1.0, "recruiter"
            p.tags.append("deleted_member")
        for p in list(special):
            r = rng.random()
            if r < 0.1:
                p.middle = rng.choice(N.MIDDLE_NAMES)
                p.li_middle = rng.random() < 0.5
                p.tags.append("middle_name")
            elif r < 0.17 and p.slug:
                p.credential = rng.choice(N.CREDENTIALS)
                p.tags.append("credentials")
        slugs: set[str] = {p.slug for p in kims}
        for p in people:
            if not (p.first + p.last).isascii():
                p.tags.append("accent")
            if p.slug == "?":
                base = ascii_fold(f"{p.first}-{p.last}").lower().replace(" ", "-").replace("'", "")
                p.slug = rng.choice([base, base.replace("-", ""), f"{base}-{rng.getrandbits(28):07x}"])
                while p.slug in slugs:
                    p.slug = f"{base}-{rng.getrandbits(28):07x}"
            slugs.add(p.slug)

    def _plan_companies_and_addresses(self, p: _Person) -> None:
        rng, comm = self.rng, p.community
        company = {
            "current_team": N.OWNER_CURRENT,
            "former_employer": N.OWNER_FORMER,
            "clients": rng.choice(N.CLIENTS),
            "recruiters_vendors": rng.choice(N.RECRUITERS if p.kind == "recruiter" else N.VENDORS),
        }.get(comm, rng.choice(N.OTHER_COMPANIES))
        if "common_name" in p.tags:
            company = N.CLIENTS[0] if comm == "clients" else N.OTHER_COMPANIES[6]
        p.companies = [(company[0], company[1], self.start - timedelta(days=rng.randint(200, 2000)))]
        if comm != "current_team" and "common_name" not in p.tags and rng.random() < 0.08:
            a, b = p.windows[0]
            change = a + (b - a) * rng.uniform(0.3, 0.8)
            nxt = rng.choice([c for c in N.OTHER_COMPANIES + N.CLIENTS if c[1] != company[1]])
            p.companies.append((nxt[0], nxt[1], change.replace(microsecond=0)))
            p.tags.append("job_change")
        first = ascii_fold(p.mail_first).lower().replace(" ", "")
        last = ascii_fold(p.last).lower().replace(" ", "").replace("'", "")
        has_work = COMMUNITIES[comm][2] or rng.random() < {"university": 0.3}.get(comm, 0.5)
        if has_work or len(p.companies) > 1:
            style = rng.randrange(3)
            for k, (_, domain, since) in enumerate(p.companies):
                local = [f"{first}.{last}", f"{first[0]}{last}", first][style]
                until = p.companies[k + 1][2] if k + 1 < len(p.companies) else self.end + DAY
                p.work.append((f"{local}@{domain}", since, until))
        wants_personal = {"university": 1.0, "mentors_mentees": 0.7, "industry_peers": 0.5}.get(comm, 0.12)
        if not p.work or rng.random() < wants_personal:
            domain = rng.choice(N.PERSONAL_DOMAINS)
            local = rng.choice(
                [
                    f"{first}.{last}",
                    f"{first}{last}",
                    f"{first}.{last}{rng.randint(1, 99)}",
                    f"{first[0]}{last}{rng.randint(70, 99)}",
                ]
            )
            p.personal = f"{local}@{domain}"
        # (a David Kim keeps to one address at a time: two namesakes, one of them switching
        # addresses, would look like one person's job change)
        if p.work and p.personal and rng.random() < 0.35 and "common_name" not in p.tags:
            p.tags.append("two_addresses")

    def _check_unique_keys(self) -> None:
        seen: dict[str, str] = {}
        for p in self.people:
            keys = (
                [a for a, _, _ in p.work] + ([p.personal] if p.personal else []) + ([p.url] if p.url else [])
            )
            for key in keys:
                while key in seen:  # collision: make the address distinct, keep the person's style
                    local, _, domain = key.partition("@")
                    key2 = f"{local}{self.rng.randint(2, 9)}@{domain}"
                    p.work = [(key2 if a == key else a, s, u) for a, s, u in p.work]
                    p.personal = key2 if p.personal == key else p.personal
                    key = key2
                seen[key] = p.pid

    # ---- addresses at a time -----------------------------------------------------------------

    def addr(self, who: str, t: datetime, community: str) -> tuple[str, str]:
        """(display name, address) ``who`` uses at time ``t``."""
        if who == ME:
            name = f"{OWNER['first']} {OWNER['last']}"
            if COMMUNITIES[community][2] and community != "recruiters_vendors":
                if t < self.job_change and community != "current_team":
                    return name, OWNER["former"]
                if t >= self.job_change - timedelta(days=7) and community != "former_employer":
                    return name, OWNER["current"]
            return name, OWNER["gmail"]
        p = self.by_id[who]
        valid = [a for a, s, u in p.work if s <= t < u]
        if p.personal and (
            not valid
            or ("two_addresses" in p.tags and self.rng.random() < 0.35)
            or not COMMUNITIES[p.community][2]
            and self.rng.random() < 0.7
        ):
            address_ = p.personal
        else:
            address_ = valid[0] if valid else p.work[-1][0]
        first = p.mail_first
        if "accent" in p.tags and self.rng.random() < 0.4:
            return ascii_fold(f"{first} {p.last}"), address_
        return f"{first} {p.last}", address_

    # ---- events -----------------------------------------------------------------------------

    def _eligible(self, p: _Person, t: datetime) -> bool:
        if not p.allowed(t) or "deleted_member" in p.tags or "name_only_linkedin" in p.tags:
            return False
        if p.group_until is not None and t >= p.group_until:
            return False
        if t >= self.window - WINDOW_GUARD and p.layer not in (5, 15, 50):
            return False
        if p.community == "former_employer" and t >= self.job_change:
            return p.layer in (5, 15, 50) or self.rng.random() < 0.3
        return True

    def _fits(self, credit: Counter[str], when: list[datetime]) -> bool:
        """Group events in the last year may not push anyone past their planned contact count."""
        if not any(t >= self.window for t in when):
            return True
        return all(
            self.group_credit[pid] + k <= self.by_id[pid].target - 1 - (self.by_id[pid].owe_at is not None)
            for pid, k in credit.items()
        )

    def _pick_group(self, comm: str, t: datetime, k: int, mix: str | None = None) -> list[str]:
        pool = [p for p in self.people if p.community == comm and self._eligible(p, t)]
        weights = [{5: 10, 15: 5, 50: 2.5, 150: 1, 0: 1}[p.layer] for p in pool]
        chosen: list[str] = []
        while pool and len(chosen) < k:
            i = self.rng.choices(range(len(pool)), weights)[0]
            chosen.append(pool.pop(i).pid)
            weights.pop(i)
        if mix and chosen:
            extra = [p for p in self.people if p.community == mix and self._eligible(p, t)]
            if extra:
                chosen.append(self.rng.choice(extra).pid)
        return chosen

    def _random_day(self, a: datetime, b: datetime) -> date:
        return (a + (b - a) * self.rng.random()).date()

    def plan_group_events(self) -> None:
        rng = self.rng
        jc, start, end = self.job_change, self.start, self.end
        # (community, channel, threads per year, period start, period end, mixed-in community)
        plans = [
            ("current_team", "email", 45, jc, end, None),
            ("current_team", "meeting", 30, jc, end, None),
            ("current_team", "meeting", 4, jc, end, "recruiters_vendors"),
            ("former_employer", "email", 40, start, jc, None),
            ("former_employer", "meeting", 25, start, jc, None),
            ("former_employer", "email", 2, jc, end, None),
            ("former_employer", "meeting", 3, start, jc, "clients"),
            ("clients", "email", 14, start, end, None),
            ("clients", "meeting", 12, start, end, None),
            ("university", "email", 4, start, end, None),
            ("university", "linkedin", 2, start, end, None),
            ("industry_peers", "email", 3, start, end, None),
            ("industry_peers", "linkedin", 1.5, start, end, None),
            ("mentors_mentees", "email", 1, start, end, None),
        ]
        for comm, channel, per_year, a, b, mix in plans:
            n = round(0.8 * per_year * (b - a).days / 365.25)
            for _ in range(n):
                day = self._random_day(a, b)
                t0 = self._work_time(day, self.my_tz)
                if t0 >= end:
                    continue
                others = self._pick_group(comm, t0, rng.choice([2, 2, 3, 3, 4, 5]), mix)
                if channel == "linkedin":
                    others = [o for o in others if self.by_id[o].slug]
                if len(others) < 2:
                    continue
                if channel == "meeting":
                    self._add_meeting(comm, t0, others)
                else:
                    self._add_group_thread(comm, channel, t0, others)
        self._plan_mailing_list()
        self._plan_recurring_one_on_one()

    def _add_group_thread(self, comm: str, channel: str, t0: datetime, others: list[str]) -> None:
        rng = self.rng
        members = [ME, *others]
        sender = ME if rng.random() < 0.4 else rng.choice(others)
        thread = _Thread(channel, comm, rng.choice(N.SUBJECTS[comm]))
        if channel == "linkedin":
            thread.title = rng.choice(["Reunion planning", "Alumni dinner", "PM meetup crew", "Panel prep"])
        t = self._settle(t0, self._tz(sender))
        for i in range(rng.choice([1, 2, 2, 3, 3, 4, 5, 6])):
            if i:
                prev = thread.msgs[-1].sender
                sender = rng.choice([m for m in members if m != prev])
                t = self._settle(t + self._delay(sender), self._tz(sender))
            guard = self.window - WINDOW_GUARD
            if t >= self.end or (t >= guard and t0 < guard) or guard <= t < self.window:
                break
            if any(m != ME and not self.by_id[m].allowed(t) for m in members):
                break
            rest = [m for m in members if m != sender]
            to, cc = (rest, []) if channel == "linkedin" or rng.random() < 0.5 else (rest[:1], rest[1:])
            thread.msgs.append(_Msg(t, sender, to, cc, parent=i - 1))
        credit = Counter(pid for m in thread.msgs for pid in _msg_contacts(m))
        if thread.msgs and self._fits(credit, [m.t for m in thread.msgs]):
            self.threads.append(thread)
            self._credit(credit, [m.t for m in thread.msgs], thread.msgs)

    def _credit(self, credit: Counter[str], when: list[datetime], msgs: list[_Msg] | None = None) -> None:
        if msgs is not None:
            for m in msgs:
                if m.t >= self.window:
                    self.group_credit.update(_msg_contacts(m))
        elif when[0] >= self.window:
            self.group_credit.update(credit)

    def _add_meeting(self, comm: str, t0: datetime, others: list[str]) -> None:
        rng = self.rng
        organizer = ME if rng.random() < 0.5 else others[0]
        start = t0.replace(minute=rng.choice([0, 30]), second=0)
        if start >= self.end or any(not self.by_id[o].allowed(start) for o in others):
            return
        if self.window - WINDOW_GUARD <= start < self.window:
            return
        for a, b in self.vacations:
            if a <= start < b:
                return
        attendees = [(o, "ACCEPTED" if rng.random() < 0.85 else "NEEDS-ACTION") for o in others]
        attendees.append((ME, "ACCEPTED"))
        summary = rng.choice(
            {
                "current_team": ["Sprint planning", "Design review", "Roadmap sync", "Retro"],
                "former_employer": ["Product sync", "Quarterly planning", "Release go/no-go"],
                "clients": ["Steering committee", "Integration check-in", "Pilot review"],
            }.get(comm, ["Catch-up"])
        )
        mtg = _Meeting(start, rng.choice([30, 45, 60]), organizer, attendees, summary, comm)
        credit = Counter(_meeting_contacts(mtg))
        if self._fits(credit, [start]):
            self.meetings.append(mtg)
            self._credit(credit, [start])

    def _plan_mailing_list(self) -> None:
        rng = self.rng
        posters = [
            p for p in self.people if p.community == "industry_peers" and "name_only_linkedin" not in p.tags
        ][:12]
        end = self.window - WINDOW_GUARD  # the list went quiet before the last year
        for _ in range(round(30 * (end - self.start).days / 365.25)):
            t = self._work_time(self._random_day(self.start, end), self.my_tz)
            thread = _Thread(
                "email",
                "industry_peers",
                rng.choice(
                    [
                        "[PM Guild] Pricing page teardown",
                        "[PM Guild] Favourite discovery tools?",
                        "[PM Guild] Meetup venue ideas",
                        "[PM Guild] Job: Senior PM, remote",
                    ]
                ),
            )
            for i in range(rng.choice([1, 1, 2, 3, 4])):
                live = [p for p in posters if p.allowed(t)]
                if not live or t >= end:
                    break
                thread.msgs.append(_Msg(t, rng.choice(live).pid, [], kind="list", parent=i - 1))
                t = self._settle(t + self._delay("list"), self.my_tz)
            if thread.msgs:
                self.threads.append(thread)

    def _plan_recurring_one_on_one(self) -> None:
        former = [
            p
            for p in self.people
            if p.community == "former_employer"
            and p.trajectory in ("steady", "cooling")
            and p.windows[0][0] == self.start
        ]
        if not former:
            return
        manager = max(former, key=lambda p: (p.layer in (50, 150), p.base_rate, p.pid))
        manager.title, manager.tags = "Director of Product", [*manager.tags, "former_manager"]
        day = self.start.astimezone(self.my_tz).date() + DAY
        while day.weekday() != 1:
            day += DAY
        start = self._local(day, 10, self.my_tz)
        until = self.job_change - timedelta(days=10)
        self.meetings.append(
            _Meeting(
                start,
                30,
                manager.pid,
                [(manager.pid, "ACCEPTED"), (ME, "ACCEPTED")],
                f"Elena / {manager.mail_first} 1:1",
                "former_employer",
                until=until,
            )
        )

    def plan_dialogs(self) -> None:
        """One-to-one threads: free before the window, exactly the planned count inside it."""
        for p in self.people:
            self._pre_window(p)
            self._fill_window(p)
        self._plan_oddities()
        self.plant_silences()

    def contact_days(
        self, channels: frozenset[str] = CHANNELS, skip: frozenset[int] = frozenset()
    ) -> dict[str, list[tuple[date, datetime]]]:
        """Per person, the UTC days with any planned message or meeting they take part in, each
        with its latest time (sorted): the contact days of METRICS.md. ``skip``: ``id()`` of
        threads left out."""
        days: dict[str, dict[date, datetime]] = {}

        def add(who: str, t: datetime) -> None:
            per = days.setdefault(who, {})
            per[t.date()] = max(per.get(t.date(), t), t)

        for th in self.threads:
            if th.channel not in channels or id(th) in skip:
                continue
            for m in th.msgs:
                if m.kind not in ("draft", "system", "sponsored"):
                    for who in {m.sender, *m.to, *m.cc} - {ME}:
                        add(who, m.t)
        for mtg in self.meetings if "meeting" in channels else []:
            for who in {mtg.organizer, *(a for a, s in mtg.attendees if s != "DECLINED")} - {ME}:
                for t in mtg.occurrences():
                    add(who, t)
        return {who: sorted(per.items()) for who, per in days.items()}

    def plant_silences(self) -> None:
        """Cut each planned silence into the tie's one-to-one dialogs.

        A tie with ``silence_plan`` keeps its contact days up to the day ``d`` whose silence
        (end − last contact on ``d``) over rhythm (mean gap between the contact days up to ``d``,
        at least three of them) is nearest ``silence_ratio`` within the plan's band (cooling:
        at least 1.1 × :data:`RHYTHM_FACTOR`; due: :data:`DUE_RATIO`, and within the layer's
        gap); its dialog messages after ``d`` are dropped. ``d`` lies in the last year and after
        the tie's last group thread or meeting. A tie where no day qualifies keeps its dialogs
        (a cooling tie is then planted steady, with one more dialog in the last quarter).
        """
        dialogs: dict[str, list[_Thread]] = {}
        for th in self.threads:
            who = {x for m in th.msgs for x in (m.sender, *m.to, *m.cc)} - {ME}
            if len(who) == 1 and all(m.kind == "person" for m in th.msgs):
                dialogs.setdefault(next(iter(who)), []).append(th)
        every = self.contact_days()
        fixed = self.contact_days(skip=frozenset(id(th) for ths in dialogs.values() for th in ths))
        credit: dict[str, list[datetime]] = {}
        for th in self.threads:
            for m in th.msgs:
                for who in _msg_contacts(m, th.msgs[m.parent] if m.parent >= 0 else None):
                    credit.setdefault(who, []).append(m.t)
        for mtg in self.meetings:
            for t in mtg.occurrences():
                for who in _meeting_contacts(mtg):
                    credit.setdefault(who, []).append(t)
        for p in self.people:
            if p.silence_plan in ("", "faded"):
                continue
            days = every.get(p.pid, [])
            fixed_last = fixed[p.pid][-1][0] if p.pid in fixed else date.min
            lo, hi = {
                "cooling": (RHYTHM_FACTOR * 1.1, math.inf),
                "due": DUE_RATIO,
                "layer": (0.0, RHYTHM_FACTOR * 0.95),
            }[p.silence_plan]
            cut, best = None, math.inf
            for k in range(len(days) - 1, 1, -1):
                day, last = days[k]
                if day < fixed_last or last < self.window:
                    break
                silence = (self.end - last) / DAY
                ratio = silence / ((day - days[0][0]).days / k)
                layer = _layer(sum(self.window <= t and t.date() <= day for t in credit.get(p.pid, [])))
                if p.silence_plan == "due" and (not layer or silence > PLANTED_LAYER_GAP[layer]):
                    continue
                if p.silence_plan == "layer":
                    a, b = (PLANTED_LAYER_GAP[15] * f for f in LAYER_PLAN_SILENCE)
                    miss = abs(silence - p.silence_target_days)
                    if layer == 15 and a <= silence <= b and ratio <= hi and miss < best:
                        cut, best = day, miss
                    continue
                if lo <= ratio <= hi and abs(math.log(ratio / p.silence_ratio)) < best:
                    cut, best = day, abs(math.log(ratio / p.silence_ratio))
            if cut is None and p.silence_plan == "layer" and len(days) >= 2:
                cut = self._layer_day(p, days, fixed_last, credit.get(p.pid, []))
            if cut is None:
                if p.trajectory == "cooling":  # planted steady: still in touch in the last quarter
                    p.trajectory = "steady"
                    self._dialog(
                        p, self.end - (self.end - self.window) * self.rng.uniform(0.05, 0.25), self.end, 2
                    )
                p.silence_plan = ""
                continue
            if p.silence_plan == "layer":
                p.trajectory = "cooling"
            for th in dialogs.get(p.pid, []):
                th.msgs = [m for m in th.msgs if m.t.date() <= cut]  # a prefix: threads run in time order
        self.threads = [th for th in self.threads if th.msgs]

    def _layer_day(
        self, p: _Person, days: list[tuple[date, datetime]], fixed_last: date, credit: list[datetime]
    ) -> date | None:
        """A last contact day for a "layer" plan where none of the tie's days qualifies.

        Tries silences nearest ``silence_target_days`` first: the day ``d`` must keep the tie in
        layer 15 (12 contacts in the last year up to ``d``), lie after its last group contact,
        and its silence stay under 0.95 × :data:`RHYTHM_FACTOR` × the rhythm with ``d``; a
        one-message dialog is planted on ``d`` (kept when its day still qualifies). None when no
        day does.
        """
        a, b = (PLANTED_LAYER_GAP[15] * f for f in LAYER_PLAN_SILENCE)
        first = days[0][0]
        for silence in sorted(
            range(math.ceil(a) + 1, math.floor(b)), key=lambda x: abs(x - p.silence_target_days)
        ):
            d = (self.end - timedelta(days=silence)).date()
            before = sum(x < d for x, _ in days)
            recent = sum(self.window <= t and t.date() < d for t in credit)
            if d <= fixed_last or before < 2 or recent + 1 < 12:
                continue
            if silence > RHYTHM_FACTOR * 0.9 * (d - first).days / before:  # a margin for the hour
                continue
            t0 = datetime(d.year, d.month, d.day, tzinfo=UTC)
            msgs = self._dialog(p, t0, self.end, 1)
            if not msgs:
                continue
            got = msgs[0].t
            k = sum(x < got.date() for x, _ in days)
            ok = a <= (self.end - got) / DAY <= b and got.date() > fixed_last
            if ok and (self.end - got) / DAY <= RHYTHM_FACTOR * 0.95 * (got.date() - first).days / k:
                return got.date()
            self.threads.pop()  # the dialog just planted: its day moved out of the band
        return None

    def _shape(self, p: _Person, t: datetime) -> float:
        a, b = p.windows[0][0], self.window
        x = min(max((t - a) / (b - a), 0.0), 1.0) if b > a else 0.5
        m0, m1 = {"growing": (0.3, 1.0), "cooling": (2.2, 0.5)}.get(p.trajectory, (1.0, 1.0))
        factor = 1.0
        if p.community == "former_employer":
            factor = 1.8 if t < self.job_change else 0.35
        return (m0 + (m1 - m0) * x) * factor

    def _poisson(self, lam: float) -> int:
        if lam > 30:
            return max(0, round(self.rng.gauss(lam, math.sqrt(lam))))
        k, prod, limit = 0, self.rng.random(), math.exp(-lam)
        while prod > limit:
            k += 1
            prod *= self.rng.random()
        return k

    def _pre_window(self, p: _Person) -> None:
        """Threads before the window: a Poisson number, shaped by the trajectory, in bursts."""
        rng = self.rng
        guard = self.window - WINDOW_GUARD
        made = 0
        for a, b in p.windows:
            b = min(b, guard)
            if b <= a:
                continue
            mean_len = 3.0 if p.profile != "never_replies" else 1.1
            n = self._poisson(p.base_rate * (b - a).days / 365.25 / mean_len)
            previous: datetime | None = None
            for _ in range(n):
                if previous is not None and rng.random() < 0.45:  # bursts: threads cluster
                    t = min(previous + timedelta(days=rng.expovariate(1 / 5)), b - HOUR)
                else:
                    while True:
                        t = a + (b - a) * rng.random()
                        if rng.random() * 4.0 < self._shape(p, t):
                            break
                previous = t
                made += len(self._dialog(p, t, b, 8))
        for a, b in p.windows:  # everybody was in touch at least once
            if made == 0 and min(b, guard) > a:
                made += len(self._dialog(p, a + (min(b, guard) - a) * rng.random(), min(b, guard), 2))
        if p.dormant_since is not None:  # a dormant tie's last dialog lies just before it fell silent
            t = p.dormant_since - timedelta(days=rng.uniform(3, 21))
            if t > p.windows[0][0]:
                self._dialog(p, t, p.dormant_since, 2)

    def _fill_window(self, p: _Person) -> None:
        if p.silence_plan == "faded":  # one message on each of two days a few days apart
            a, b = p.windows[0]
            days = {m.t.date() for m in self._dialog(p, a, b, 1)}
            for _ in range(5):  # until the second day holds (a weekend or vacation can eat one)
                if len(days) == 2:
                    break
                days |= {
                    m.t.date() for m in self._dialog(p, a + timedelta(days=self.aux.uniform(3, 8)), b, 1)
                }
            return
        need = p.target - self.group_credit[p.pid] - (1 if p.owe_at else 0)
        segments = [(max(a, self.window), b) for a, b in p.windows if b > self.window]
        tries = 0
        while need > 0 and segments and tries < 400:
            tries += 1
            a, b = segments[self.rng.randrange(len(segments))]
            x = self.rng.random()
            if p.trajectory in ("steady", "growing") and tries == 1:
                x = (
                    0.75 + 0.25 * x
                )  # a steady or growing tie is still in touch: one dialog in the last quarter
            if p.trajectory == "growing":
                x = math.sqrt(x)
            t = a + (b - a) * x
            need -= len(self._dialog(p, t, b, min(need, 8)))
        if p.owe_at:
            thread = _Thread("email", p.community, self.rng.choice(N.SUBJECTS[p.community]))
            thread.msgs.append(_Msg(p.owe_at.replace(microsecond=0), p.pid, [ME]))
            self.threads.append(thread)

    def _dialog(self, p: _Person, t0: datetime, seg_end: datetime, max_len: int) -> list[_Msg]:
        rng = self.rng
        channel = "linkedin" if rng.random() < p.p_linkedin else "email"
        if "deleted_member" in p.tags:
            channel = "linkedin"
        sender = ME if rng.random() < ME_STARTS[p.initiation] else p.pid
        thread = _Thread(channel, p.community, rng.choice(N.SUBJECTS[p.community]))
        t = self._settle(self._work_time(t0.date(), self._tz(sender)), self._tz(sender))
        for i in range(max_len):
            if i:
                sender = p.pid if sender == ME else ME
                reply_p = (REPLY_BY_ME if sender == ME else REPLY_BY_THEM)[p.profile]
                if rng.random() > reply_p:
                    break
                t = self._settle(t + self._delay(sender), self._tz(sender))
            if (
                t >= seg_end
                or t >= self.end
                or not p.allowed(t)
                or self.window - WINDOW_GUARD <= t < self.window
            ):
                break
            thread.msgs.append(_Msg(t, sender, [p.pid if sender == ME else ME], parent=i - 1))
        if thread.msgs:
            self.threads.append(thread)
        return thread.msgs

    def _plan_oddities(self) -> None:
        """Planted quirks whose credit is unambiguous: all sit before the guarded window."""
        rng, guard = self.rng, self.window - WINDOW_GUARD
        vendors = [p for p in self.people if p.kind == "vendor" and p.windows[0][0] < guard]
        for p in vendors[:2]:
            a, b = p.windows[0]
            t = self._work_time(self._random_day(a, min(b, guard)), p.tz)
            if p.allowed(t) and t < guard:
                th = _Thread("email", p.community, "Webinar: scaling product analytics")
                th.msgs.append(_Msg(t, p.pid, [], kind="undisclosed"))
                self.threads.append(th)
        # a declined invitation (one-to-one, so it creates no co-participation)
        cands = [p for p in self.people if p.community == "clients" and p.windows[0][0] < guard - 60 * DAY]
        if cands:
            p = cands[0]
            t = self._work_time(self._random_day(p.windows[0][0], min(p.windows[0][1], guard)), self.my_tz)
            if p.allowed(t):
                self.meetings.append(
                    _Meeting(
                        t.replace(minute=0, second=0),
                        30,
                        ME,
                        [(p.pid, "DECLINED"), (ME, "ACCEPTED")],
                        "Quick sync on renewal",
                        "clients",
                    )
                )
        # a LinkedIn draft to an inner-circle person (never sent; must not count)
        inner = [p for p in self.people if p.layer == 5 and p.slug]
        if inner:
            p = inner[0]
            th = _Thread("linkedin", p.community, "")
            t = self._work_time((self.end - timedelta(days=rng.randint(20, 60))).date(), self.my_tz)
            th.msgs.append(_Msg(t, ME, [p.pid], kind="draft"))
            self.threads.append(th)

    # ---- chats, Slack and the call log -------------------------------------------------------

    def vcard_people(self) -> list[_Person]:
        """The people in the phone's vCard export: mentors and friends with a personal address."""
        return [p for p in self.people if p.community in ("mentors_mentees", "university") and p.personal][:8]

    def _chat_pool(
        self,
        trajectories: tuple[str, ...],
        communities: tuple[str, ...],
        profiles: tuple[str, ...] = ("balanced",),
    ) -> list[_Person]:
        """People whose other planted truths a chat cannot disturb: a reply profile that replies,
        no planted silence, a plain name (as a phone saves it), and not in the inner layers."""
        messy = {"deleted_member", "name_only_linkedin", "common_name", "nickname", "accent", "middle_name"}
        return [
            p
            for p in self.people
            if p.trajectory in trajectories
            and p.community in communities
            and p.profile in profiles
            and not p.silence_plan
            and p.layer not in (5, 15)
            and not messy & set(p.tags)
        ]

    def plan_chats(self) -> None:
        """WhatsApp chats, a Slack workspace and a log of calls and coffees in the last
        :data:`CHAT_DAYS` days, drawn from their own random stream (the other files stay as
        they are).

        - ``moved`` ties: three people whose mail and LinkedIn went silent more than a year ago
          (dormant by those channels) and who chat with me on WhatsApp now — one of them is not
          saved in the phone, so the chat shows their number, which the vCard export lists —
          and two more who live only on the call log. All five must come out active.
        - A WhatsApp group (:data:`N.CHAT_GROUP`) with three university friends.
        - A Slack channel (:data:`N.SLACK_CHANNEL`) with five colleagues and DMs with two.
        """
        rng = random.Random(f"netanalytics-chats-{self.seed}")
        start, stop = self.end - timedelta(days=CHAT_DAYS), self.end - 2 * DAY
        cards = self.vcard_people()
        dormant = self._chat_pool(("dormant",), ("university", "mentors_mentees", "industry_peers"))
        by_number = next((p for p in dormant if p in cards), None)
        moved = ([by_number] if by_number else []) + [p for p in dormant if p is not by_number][:2]
        for p in moved:
            p.trajectory = "moved"
            thread = _Thread("whatsapp", p.community, "")
            if p is by_number:
                p.phone = f"+1 (617) 555-01{rng.randint(10, 99)}"
                thread.shown_as = p.phone
            self._chat_exchanges(rng, thread, [p.pid], start, stop, per_week=0.7)
        for p in [q for q in dormant if q not in moved][:2]:
            p.trajectory = "moved"
            t = start + timedelta(days=rng.uniform(0, 20))
            while t < stop:
                day = t.astimezone(self.my_tz).date()
                day += timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)
                when = self._local(day, rng.uniform(9, 17.5), self.my_tz).replace(microsecond=0)
                if when < stop:
                    kind = rng.choice(["call", "call", "coffee"])
                    sender = ME if rng.random() < 0.6 else p.pid
                    th = _Thread("call", p.community, str(rng.choice([15, 20, 30, 45, 60])), title=kind)
                    th.msgs.append(_Msg(when, sender, [p.pid if sender == ME else ME]))
                    self.threads.append(th)
                t += timedelta(days=rng.uniform(12, 30))
        friends = self._chat_pool(
            ("steady", "growing"),
            ("university", "mentors_mentees"),
            ("balanced", "they_initiate", "i_initiate"),
        )[:3]
        if len(friends) >= 2:
            group = _Thread("whatsapp", "university", "", title=N.CHAT_GROUP)
            self._chat_exchanges(rng, group, [p.pid for p in friends], start - 60 * DAY, stop, per_week=0.8)
        team = [p for p in self._chat_pool(("steady", "growing"), ("current_team",)) if p.work][:5]
        if len(team) >= 2:
            channel = _Thread("slack", "current_team", "", title=N.SLACK_CHANNEL)
            self._chat_exchanges(rng, channel, [p.pid for p in team], start, stop, per_week=1.2)
            for p in team[:2]:  # two DMs: the export is the owner's, the member of both
                self._chat_exchanges(
                    rng, _Thread("slack", "current_team", ""), [p.pid], start, stop, per_week=0.4
                )

    def _chat_exchanges(
        self,
        rng: random.Random,
        thread: _Thread,
        others: list[str],
        start: datetime,
        stop: datetime,
        per_week: float,
    ) -> None:
        """Fill a chat with short exchanges among me and ``others`` (everyone writes at least
        once, so that every member is a participant), and add it to the world."""
        members = [ME, *others]
        week = start
        while week < stop:
            if rng.random() < per_week:
                day = (week + timedelta(days=rng.uniform(0, 7))).astimezone(self.my_tz).date()
                t = self._local(day, rng.uniform(8.5, 22.5), self.my_tz)
                for _ in range(rng.choice([1, 2, 2, 3, 4])):
                    if t >= stop:
                        break
                    unwritten = [m for m in members if all(x.sender != m for x in thread.msgs)]
                    sender = unwritten[0] if unwritten and rng.random() < 0.5 else rng.choice(members)
                    to = [m for m in members if m != sender]
                    thread.msgs.append(
                        _Msg(t.replace(microsecond=0), sender, to, parent=len(thread.msgs) - 1)
                    )
                    t += timedelta(minutes=rng.uniform(1, 90))
            week += 7 * DAY
        written = {m.sender for m in thread.msgs}
        for missing in [m for m in members if m not in written]:  # the last exchange includes them
            t = (thread.msgs[-1].t if thread.msgs else start) + timedelta(minutes=5)
            thread.msgs.append(
                _Msg(t, missing, [m for m in members if m != missing], parent=len(thread.msgs) - 1)
            )
        thread.msgs.sort(key=lambda m: m.t)
        self.threads.append(thread)

    # ---- thin-data personas -------------------------------------------------------------------

    def keep_recent(self, days: int, communities: tuple[str, ...], n_people: int) -> None:
        """Keep the last ``days`` of the planned life and at most ``n_people`` of ``communities``
        met in them: the threads and meetings among them and me that start in those days."""
        cutoff = self.end - timedelta(days=days)

        def among(th: _Thread) -> set[str]:
            return {x for m in th.msgs for x in (m.sender, *m.to, *m.cc)} - {ME}

        recent = [th for th in self.threads if th.msgs[0].t >= cutoff and th.community in communities]
        met = sorted(set().union(*map(among, recent)))
        kept = set(self.rng.sample(met, min(n_people, len(met))))
        self.threads = [th for th in recent if among(th) <= kept]
        self.meetings = [
            m
            for m in self.meetings
            if m.until is None
            and m.start >= cutoff
            and m.community in communities
            and {m.organizer, *(a for a, _ in m.attendees)} - {ME} <= kept
        ]
        met_now = {x for th in self.threads for x in among(th)}
        met_now |= {x for m in self.meetings for x in (m.organizer, *(a for a, _ in m.attendees))}
        self.people = [p for p in self.people if p.pid in met_now]
        for p in self.people:  # (a message I still owe can lie after a window's end)
            p.windows = [(max(a, cutoff), b) for a, b in p.windows if b > cutoff] or [(cutoff, self.end)]
        self.start = cutoff

    def plan_lists(self, n_direct: int, posters_per_list: int) -> None:
        """Make mail mostly list traffic: direct mail and meetings only with ``n_direct`` people,
        and :data:`MAILING_LISTS` busy over the whole period, where I post and answer too."""
        rng = self.rng
        named = [p for p in self.people if not {"deleted_member", "name_only_linkedin"} & set(p.tags)]
        direct = {
            p.pid for p in sorted((p for p in named if p.layer), key=lambda p: (p.layer, p.pid))[:n_direct]
        }
        keep = direct | {ME}

        def only_direct(pids) -> bool:
            return set(pids) <= keep

        self.threads = [
            th
            for th in self.threads
            if th.channel != "email" or only_direct(x for m in th.msgs for x in (m.sender, *m.to, *m.cc))
        ]
        self.meetings = [m for m in self.meetings if only_direct([m.organizer, *(a for a, _ in m.attendees)])]
        pool = [p for p in named if p.pid not in direct]
        for (name, addr), per_year in zip(MAILING_LISTS, (200, 130, 80), strict=True):
            posters = rng.sample(pool, min(posters_per_list, len(pool)))
            for _ in range(round(per_year * (self.end - self.start).days / 365.25)):
                t = self._work_time(self._random_day(self.start, self.end), self.my_tz)
                thread = _Thread("email", "industry_peers", f"[{name}] {rng.choice(LIST_TOPICS)}")
                thread.mailing_list = (name, addr)
                for i in range(rng.choice([1, 1, 2, 3, 4, 5])):
                    live = [p.pid for p in posters if p.allowed(t)]
                    if not live or t >= self.end:
                        break
                    sender = ME if rng.random() < 0.12 else rng.choice(live)
                    thread.msgs.append(_Msg(t, sender, [], kind="list", parent=i - 1))
                    t = self._settle(t + self._delay("list"), self.my_tz)
                if not thread.msgs:
                    continue
                self.threads.append(thread)
                for m in thread.msgs:  # answered off the list, to one person
                    if m.sender != ME and rng.random() < 0.07:
                        self._off_list(thread.subject, ME, m.sender, m.t)
                    elif m.sender == ME and rng.random() < 0.5:
                        live = [p.pid for p in posters if p.allowed(m.t)]
                        if live:
                            self._off_list(thread.subject, rng.choice(live), ME, m.t)

    def _off_list(self, subject: str, sender: str, to: str, after: datetime) -> None:
        other = self.by_id[to if sender == ME else sender]
        thread = _Thread("email", "industry_peers", "Re: " + subject.split("] ", 1)[1])
        t = self._settle(after + self._delay(sender), self._tz(sender))
        for i in range(self.rng.choice([1, 2, 2, 3])):
            if i:
                sender, to = to, sender
                t = self._settle(t + self._delay(sender), self._tz(sender))
            if t >= self.end or not other.allowed(t):
                break
            thread.msgs.append(_Msg(t, sender, [to], parent=i - 1))
        if thread.msgs:
            self.threads.append(thread)

    # ---- ground truth -------------------------------------------------------------------------

    def contacts_in_window(self, channels: frozenset[str] = CHANNELS) -> Counter[str]:
        counts: Counter[str] = Counter()
        for th in self.threads:
            for m in th.msgs:
                if th.channel in channels and self.window <= m.t <= self.end:
                    counts.update(_msg_contacts(m, th.msgs[m.parent] if m.parent >= 0 else None))
        for mtg in self.meetings if "meeting" in channels else []:
            for t in mtg.occurrences():
                if self.window <= t <= self.end:
                    counts.update(_meeting_contacts(mtg))
        return counts

    def edges(self, channels: frozenset[str] = CHANNELS) -> Counter[tuple[str, str]]:
        pairs: Counter[tuple[str, str]] = Counter()
        for th in self.threads:
            for m in th.msgs:
                if m.kind in ("person",) and th.channel in channels:
                    people = sorted({m.sender, *m.to, *m.cc} - {ME})
                    pairs.update(combinations(people, 2))
        for mtg in self.meetings if "meeting" in channels else []:
            people = sorted({mtg.organizer, *(p for p, s in mtg.attendees if s != "DECLINED")} - {ME})
            pairs.update({pair: len(mtg.occurrences()) for pair in combinations(people, 2)})
        return pairs


# --- rendering -------------------------------------------------------------------------------


class _Renderer:
    """Writes the planned world into export files and records every identity key it writes."""

    def __init__(self, world: _World, out: Path) -> None:
        self.w, self.out = world, out
        self.rng = random.Random(f"netanalytics-render-{world.seed}")
        self.keys: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self.written: set[str] = set()
        #: False while rendering a part the persona does not write: the random draws are the
        #: same (so the written parts match the default byte for byte), nothing is written or keyed.
        self.active = True

    def key(self, raw: str, pid: str) -> None:
        """Record the identity key of ``raw`` for ``pid``, from the generator's own data.

        ``raw`` is what the generator planned, never a spelling read back from a file: an address
        (lower-case ASCII by construction), a profile URL ``https://www.linkedin.com/in/<slug>``
        built from the planned slug, or ``name:`` + a LinkedIn display name. No library
        normaliser is used, so that a bug in one fails a truth test instead of hiding in both.
        """
        if not self.active:
            return
        if _truth_key_kind(raw) is None:
            raise AssertionError(f"not a canonical identity key of the generator: {raw!r}")
        if self.keys.setdefault(raw, pid) != pid:
            raise AssertionError(f"identity key {raw} planted for {self.keys[raw]} and {pid}")

    def write(self, rel: str, text: str, *, newline: str = "\n") -> None:
        if not self.active:
            return
        self.written.add(rel)
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text if newline == "\n" else text.replace("\n", newline))

    @staticmethod
    def csv_text(
        header: list[str], rows: list[list[str]], *, quote_all: bool = False, terminator: str = "\n"
    ) -> str:
        buf = io.StringIO()
        writer = csv.writer(
            buf, lineterminator=terminator, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
        )
        writer.writerow(header)
        writer.writerows(rows)
        return buf.getvalue()

    # ---- mail ----------------------------------------------------------------------------

    def body(self, comm: str, to_first: str, signer: str, parent: dict | None) -> str:
        rng = self.rng
        if parent is None:
            lines = [f"Hi {to_first},", "", " ".join(rng.sample(N.SENTENCES[comm], rng.randint(1, 3)))]
        else:
            lines = [rng.choice(N.REPLIES)]
            if rng.random() < 0.4:
                lines.append(rng.choice(N.SENTENCES[comm]))
        lines += ["", rng.choice(N.SIGNOFFS), signer]
        if parent is not None and rng.random() < 0.5:
            lines += [
                "",
                f"On {parent['date']}, {parent['name']} <{parent['addr']}> wrote:",
                "> " + parent["first_line"],
            ]
        return "\n".join(lines) + "\n"

    def mbox(self) -> None:
        w, rng = self.w, self.rng
        gids: set[int] = set()
        items: list[tuple[datetime, int, str]] = []
        person_msgs = [(th, i, m) for th in w.threads if th.channel == "email" for i, m in enumerate(th.msgs)]
        guard = w.window - WINDOW_GUARD
        early_in = [
            k
            for k, (th, _, m) in enumerate(person_msgs)
            if m.kind == "person" and m.sender != ME and m.t < guard
        ]
        picks = [id(person_msgs[k][2]) for k in rng.sample(early_in, min(5, len(early_in)))]
        no_date, from_line_bodies = set(picks[:2]), set(picks[2:5])
        seq = 0
        for th in w.threads:
            if th.channel != "email":
                continue
            ids: list[str] = []
            info: list[dict] = []
            thrid = 0
            for _i, m in enumerate(th.msgs):
                gid = gmail_id(m.t, rng, gids)
                thrid = thrid or gid
                local_t = m.t.astimezone(w._tz(m.sender))
                sname, saddr = w.addr(m.sender, m.t, th.community)
                self.key(saddr, m.sender)
                dom = saddr.split("@")[1]
                mid = (
                    f"<CA+{base64.b32encode(rng.randbytes(20)).decode().rstrip('=')}@mail.gmail.com>"
                    if dom in ("gmail.com",) or rng.random() < 0.3
                    else f"<{rng.randbytes(12).hex()}@{dom}>"
                )
                ids.append(mid)
                to_hdr, cc_hdr = [], []
                for who, hdr in [(r, to_hdr) for r in m.to] + [(r, cc_hdr) for r in m.cc]:
                    rname, raddr = w.addr(who, m.t, th.community)
                    self.key(raddr, who)
                    hdr.append(address(rname, raddr, rng))
                parent = info[m.parent] if m.parent >= 0 and m.parent < len(info) else None
                subject = th.subject if parent is None else "Re: " + th.subject
                headers = [f"X-GM-THRID: {thrid}"]
                pm_index = id(m)
                if m.sender == ME:
                    labels = rng.choice(["Sent", "Sent", "Sent,Important", "Sent,Opened"])
                elif m.kind == "list":
                    labels = rng.choice(["Category Forums,Opened", "Inbox,Category Forums,Opened"])
                else:
                    labels = rng.choice(
                        [
                            "Inbox,Important,Opened",
                            "Inbox,Opened,Category Personal",
                            "Archived,Opened",
                            "Important,Opened,Inbox",
                            "Inbox,Unread",
                        ]
                    )
                if (
                    th.community in ("industry_peers", "university")
                    and m.sender != ME
                    and rng.random() < 0.15
                ):
                    labels = encoded_word(labels + ",Réseau")
                headers.append(f"X-Gmail-Labels: {labels}")
                if m.sender != ME:
                    headers.append(f"Delivered-To: {w.addr(ME, m.t, th.community)[1]}")
                headers.append("MIME-Version: 1.0")
                headers.append("Date: " if pm_index in no_date else f"Date: {rfc2822(local_t)}")
                headers.append(f"Message-ID: {mid}")
                if parent is not None:
                    headers.append(f"In-Reply-To: {ids[m.parent]}")
                    refs = [ids[j] for j in _chain(th.msgs, m.parent)]
                    headers.append("References: " + "\r\n ".join(refs).replace("\r\n", "\n"))
                headers.append(f"Subject: {subject}")
                first = w.by_id[m.sender].mail_first if m.sender != ME else OWNER["first"]
                if m.kind == "list":
                    gname, gaddr = th.mailing_list or N.GROUP_LIST
                    self.key(gaddr, AUTOMATED)
                    headers.append(f"From: \"'{sname}' via {gname}\" <{gaddr}>")
                    headers.append(f"Reply-To: {address(sname, saddr, rng)}")
                    headers.append(f"To: {gname} <{gaddr}>")
                    headers.append(f"List-ID: <{gaddr.replace('@', '.')}>")
                    headers.append(f"List-Unsubscribe: <mailto:{gaddr.replace('@', '+unsubscribe@')}>")
                    headers.append(f"X-Original-Sender: {saddr}")
                    to_first = "all"
                else:
                    headers.append(f"From: {address(sname, saddr, rng)}")
                    if m.kind == "undisclosed":
                        headers.append("To: undisclosed recipients: ;")
                        to_first = "there"
                    else:
                        headers.append("To: " + ", ".join(to_hdr))
                        to_first = w.by_id[m.to[0]].mail_first if m.to[0] != ME else OWNER["first"]
                        if len(m.to) + len(m.cc) > 1:
                            to_first = "all"
                    if cc_hdr:
                        headers.append("Cc: " + ", ".join(cc_hdr))
                headers.append('Content-Type: text/plain; charset="UTF-8"')
                headers.append("Content-Transfer-Encoding: 8bit")
                text = self.body(th.community, to_first, first, parent)
                if pm_index in from_line_bodies:
                    text = text.replace("\n\n", "\nFrom what I can tell the numbers hold up.\n\n", 1)
                info.append(
                    {
                        "date": local_t.strftime("%a, %b %d, %Y at %I:%M %p"),
                        "name": sname,
                        "addr": saddr,
                        "first_line": text.splitlines()[0],
                    }
                )
                msg = from_line(gid, m.t) + "\n" + "\n".join(headers) + "\n\n" + text
                items.append((m.t, seq, msg))
                seq += 1
        n_person = len(items)
        for t, msg in self.automated(
            max(self.w.n_messages - n_person - self._n_linkedin(), n_person // 10), gids
        ):
            items.append((t, seq, msg))
            seq += 1
        items.sort(key=lambda x: (x[0], x[1]))
        self.counts["mail/mail.mbox"] = len(items)
        self.counts["mail/mail.mbox (From-lines in bodies)"] = len(from_line_bodies)
        self.write("mail/mail.mbox", "\n".join(msg for _, _, msg in items))

    def _n_linkedin(self) -> int:
        return sum(len(th.msgs) for th in self.w.threads if th.channel == "linkedin")

    def automated(self, n: int, gids: set[int]) -> list[tuple[datetime, str]]:
        w, rng = self.w, self.rng
        out = []
        senders = N.NEWSLETTERS + N.NOREPLY
        for k in range(n):
            name, addr, subject = senders[rng.choices(range(len(senders)), [4, 3, 2, 5, 2, 1, 1, 1, 1])[0]]
            self.key(addr, AUTOMATED)
            t = (w.start + (w.end - w.start) * rng.random()).replace(microsecond=0)
            gid = gmail_id(t, rng, gids)
            domain = addr.split("@")[1]
            subject = subject.format(n=rng.randint(2, 180), first=OWNER["first"])
            news = any(addr == x[1] for x in N.NEWSLETTERS)
            labels = (
                "Category Promotions,Unread"
                if news
                else rng.choice(
                    ["Inbox,Category Updates", "Inbox,Important,Category Updates", "Category Updates,Opened"]
                )
            )
            headers = [
                f"X-GM-THRID: {gid}",
                f"X-Gmail-Labels: {labels}",
                f"Delivered-To: {OWNER['gmail']}",
                "MIME-Version: 1.0",
                f"Date: {rfc2822(t)}",
                f"Message-ID: <{rng.randbytes(10).hex()}.{k}@{domain}>",
                f"Subject: {subject}",
                f"From: {address(name, addr)}",
                f"To: {OWNER['gmail']}",
            ]
            if news:
                headers.append(
                    f"List-Unsubscribe: <mailto:unsubscribe@{domain}>, <https://{domain}/u/"
                    f"{rng.randbytes(6).hex()}>"
                )
                headers.append("Precedence: bulk")
            headers += ['Content-Type: text/plain; charset="UTF-8"', "Content-Transfer-Encoding: 7bit"]
            text = (
                f"{subject}\n\nHello {OWNER['first']},\n\nHere is your update. Read it online at "
                f"https://{domain}/v/{rng.randbytes(5).hex()}\n\nYou are receiving this email because you "
                f"signed up at {domain}.\n"
            )
            out.append((t, from_line(gid, t) + "\n" + "\n".join(headers) + "\n\n" + text))
        return out

    # ---- LinkedIn ------------------------------------------------------------------------

    def linkedin(self) -> None:
        w, rng = self.w, self.rng
        me_name, me_url = f"{OWNER['first']} {OWNER['last']}", f"https://www.linkedin.com/in/{OWNER['slug']}"
        self.key(me_url, ME)

        def who(x: str) -> tuple[str, str]:
            if x == ME:
                return me_name, me_url
            p = w.by_id[x]
            if "name_only_linkedin" in p.tags:
                self.key("name:" + p.li_name, p.pid)
                return p.li_name, ""
            if "deleted_member" in p.tags:
                self.key("name:LinkedIn Member", p.pid)
                return "LinkedIn Member", ""
            self.key(p.url, p.pid)
            return p.li_name, p.url

        convs = []
        special_done = False
        for th in w.threads:
            if th.channel != "linkedin":
                continue
            cid = "2-" + base64.b64encode(rng.randbytes(24)).decode()
            rows = []
            for m in th.msgs:
                fname, furl = who(m.sender)
                tos = [who(r) for r in m.to + m.cc]
                other = w.by_id[next(x for x in [m.sender, *m.to] if x != ME)]
                pool = N.LINKEDIN_TEXTS
                if other.kind == "recruiter":
                    pool = N.RECRUITER_REPLY if m.sender == ME else N.RECRUITER_PITCH
                content = rng.choice(pool).format(
                    first=other.mail_first if m.sender == ME else OWNER["first"],
                    company=other.companies[-1][0],
                )
                if not special_done and m.kind == "person" and len(th.msgs) > 1:
                    content = (
                        f'Thanks, {other.first}! As my old boss said, "ship it, then fix it".\nTalk soon.'
                    )
                    special_done = True
                draft = "Yes" if m.kind == "draft" else "No"
                rows.append(
                    [
                        cid,
                        th.title,
                        fname,
                        furl,
                        ", ".join(n for n, _ in tos),
                        ",".join(u for _, u in tos),
                        m.t.strftime("%Y-%m-%d %H:%M:%S UTC"),
                        th.subject if (m.parent < 0 and rng.random() < 0.3) else "",
                        content,
                        "INBOX" if rng.random() < 0.9 else "ARCHIVE",
                        "",
                        draft,
                        draft,
                    ]
                )
            if th.title and len(th.msgs) > 2 and not any(r[2] == "" for c in convs for r in c[1]):
                leaver = w.by_id[next(x for x in th.msgs[-1].to + [th.msgs[-1].sender] if x != ME)]
                t = th.msgs[-1].t + timedelta(hours=5)
                rows.append(
                    [
                        cid,
                        th.title,
                        "",
                        "",
                        "",
                        "",
                        t.strftime("%Y-%m-%d %H:%M:%S UTC"),
                        "",
                        f"{leaver.li_name} left the conversation.",
                        "INBOX",
                        "",
                        "No",
                        "No",
                    ]
                )
            convs.append((max(r[6] for r in rows), rows))
        # a sponsored InMail
        t = w.end - timedelta(days=rng.randint(30, 200), hours=rng.randint(1, 20))
        self.key("name:Nadia at Skillforge", AUTOMATED)
        convs.append(
            (
                t.strftime("%Y-%m-%d %H:%M:%S UTC"),
                [
                    [
                        "2-" + base64.b64encode(rng.randbytes(24)).decode(),
                        "Sponsored Conversation",
                        "Nadia at Skillforge",
                        "",
                        me_name,
                        me_url,
                        t.strftime("%Y-%m-%d %H:%M:%S UTC"),
                        "Grow your product career",
                        (
                            "<p>Hi %FIRSTNAME%,</p><p>Join 20,000 product leaders in our <b>Product Strategy</b> certificate."
                            '</p><p><a href="https://skillforge.example/pm">Learn more</a></p>'
                        ),
                        "INBOX",
                        "",
                        "No",
                        "No",
                    ]
                ],
            )
        )
        convs.sort(key=lambda c: (c[0], c[1][0][0]), reverse=True)
        rows = [r for _, rs in convs for r in sorted(rs, key=lambda r: r[6], reverse=True)]
        header = [
            "CONVERSATION ID",
            "CONVERSATION TITLE",
            "FROM",
            "SENDER PROFILE URL",
            "TO",
            "RECIPIENT PROFILE URLS",
            "DATE",
            "SUBJECT",
            "CONTENT",
            "FOLDER",
            "ATTACHMENTS",
            "IS MESSAGE DRAFT",
            "IS CONVERSATION DRAFT",
        ]
        self.counts["linkedin/messages.csv"] = len(rows)
        self.write("linkedin/messages.csv", self.csv_text(header, rows, quote_all=True))
        self.connections()
        self.linkedin_extras(me_name, me_url)

    def connections(self) -> None:
        w, rng = self.w, self.rng
        rows = []
        for p in w.people:
            if (
                not p.slug
                or (p.community == "recruiters_vendors" and rng.random() < 0.4)
                or rng.random() < 0.08
            ):
                continue
            a = p.windows[0][0]
            if w.persona == "new_graduate":  # all of a graduate's connections are recent
                when = min(a + timedelta(days=rng.randint(0, 30)), p.windows[-1][1] - DAY)
            elif p.community in ("university", "mentors_mentees", "former_employer") or rng.random() < 0.3:
                when = w.start - timedelta(days=rng.randint(30, 3000))
            elif a > w.start + timedelta(days=30):  # met in the data's years: connects soon after
                when = min(a + timedelta(days=rng.randint(0, 60)), p.windows[-1][1] - DAY)
            else:  # known since before the data: connects some day while in touch (a steady trickle)
                last = min(p.windows[-1][1], w.end) - DAY
                when = w.start + (last - w.start) * rng.random()
            p.connected_on = when
            self.key(p.url, p.pid)
            email = ""
            if rng.random() < 0.02 or (p.layer == 5 and not any(r[3] for r in rows)):
                email = p.personal or p.work[-1][0]
                self.key(email, p.pid)
            company, title = (p.companies[-1][0], p.title) if rng.random() > 0.08 else ("", "")
            first = p.li_first + (" " if rng.random() < 0.01 else "")
            rows.append([first, p.li_last, p.url, email, company, title, when.strftime("%d %b %Y"), when])
        for _ in range(3):  # hidden profiles
            when = w.start + (w.end - w.start) * rng.random()
            rows.append(["", "", "", "", "", "", when.strftime("%d %b %Y"), when])
        rows.sort(key=lambda r: (r[7], r[2]), reverse=True)
        notes = (
            'Notes:\n"When exporting your connection data, you may notice that some of the email addresses '
            "are missing. You will only see email addresses of connections who have allowed their "
            "connections to see or download their email address using this setting "
            "https://www.linkedin.com/psettings/privacy/email. You can learn more here "
            'https://www.linkedin.com/help/linkedin/answer/261"\n\n'
        )
        body = self.csv_text(
            ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"],
            [r[:7] for r in rows],
        )
        self.counts["linkedin/Connections.csv"] = len(rows)
        self.write("linkedin/Connections.csv", notes + body.rstrip("\n"))

    def linkedin_extras(self, me_name: str, me_url: str) -> None:
        w, rng = self.w, self.rng
        end = w.end

        def when_ok(p: _Person, lo: datetime) -> datetime | None:
            for _ in range(20):
                a, b = rng.choice(p.windows)
                t = max(a, lo) + (b - max(a, lo)) * rng.random()
                if p.allowed(t) and t < end and not (w.window - WINDOW_GUARD <= t < w.window):
                    return t.replace(microsecond=0)
            return None

        connected = [p for p in w.people if p.connected_on is not None]
        # invitations: pending, so only people who are not connections
        inv = []
        for p in [q for q in w.people if q.slug and q.connected_on is None][: max(4, w.n_people // 20)]:
            t = when_ok(p, end - timedelta(days=200))
            if t is None:
                continue
            self.key(p.url, p.pid)
            incoming = p.community == "recruiters_vendors" or rng.random() < 0.5
            msg = rng.choice(["", "", f"Hi {p.first if incoming else 'there'}, would love to connect."])
            if incoming:
                inv.append([p.li_name, me_name, t, msg, "INCOMING", p.url, me_url])
            else:
                inv.append([me_name, p.li_name, t, msg, "OUTGOING", me_url, p.url])
        inv.sort(key=lambda r: r[2], reverse=True)
        for r in inv:
            r[2] = _us_short(r[2])
        self.counts["linkedin/Invitations.csv"] = len(inv)
        self.write(
            "linkedin/Invitations.csv",
            self.csv_text(
                ["From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl", "inviteeProfileUrl"],
                inv,
            ),
        )
        for fname, role, k in (
            ("Endorsement_Received_Info.csv", "Endorser", 0.2),
            ("Endorsement_Given_Info.csv", "Endorsee", 0.1),
        ):
            rows = []
            for p in connected:
                if rng.random() >= k * (2 if p.layer in (5, 15, 50) else 1):
                    continue
                for skill in rng.sample(SKILLS, rng.randint(1, 2)):
                    t = when_ok(p, max(p.connected_on, w.start))
                    if t is None:
                        continue
                    self.key(p.url, p.pid)
                    rows.append(
                        [
                            t.strftime("%Y/%m/%d %H:%M:%S UTC"),
                            skill,
                            p.li_first,
                            p.li_last,
                            p.url.replace("https://", ""),
                            "ACCEPTED",
                        ]
                    )
            rows.sort(reverse=True)
            self.counts[f"linkedin/{fname}"] = len(rows)
            self.write(
                f"linkedin/{fname}",
                self.csv_text(
                    [
                        "Endorsement Date",
                        "Skill Name",
                        f"{role} First Name",
                        f"{role} Last Name",
                        f"{role} Public Url",
                        "Endorsement Status",
                    ],
                    rows,
                ),
            )
        recs = {"Recommendations_Received.csv": [], "Recommendations_Given.csv": []}
        closeness = {5: 0, 15: 1, 50: 2, 150: 3, 0: 4}
        ranked = sorted(connected, key=lambda p: ("former_manager" not in p.tags, closeness[p.layer], p.pid))
        texts = [
            (
                "Elena is the rare product manager who makes engineers, designers and customers feel heard. "
                "She led our billing redesign, cut support tickets by a third, and did it with humour."
            ),
            (
                "I worked with Elena for three years. She writes crisp specs, asks the uncomfortable questions "
                "early, and, above all, ships."
            ),
            'Elena mentored me through my first PM role; her advice on saying "no" kindly changed how I work.',
            "{first} is a thoughtful engineer who cares about users as much as code.",
            "{first} brought calm and clarity to a difficult client rollout.",
        ]
        for i, p in enumerate(ranked[:5]):
            t = when_ok(p, max(p.connected_on, w.start))
            if t is None:
                continue
            fname = "Recommendations_Received.csv" if i < 3 else "Recommendations_Given.csv"
            recs[fname].append(
                [
                    p.li_first,
                    p.li_last,
                    p.companies[-1][0],
                    p.title,
                    texts[i].format(first=p.first),
                    _us_short(t, zero=True),
                    "VISIBLE",
                ]
            )
        for fname, rows in recs.items():
            self.counts[f"linkedin/{fname}"] = len(rows)
            self.write(
                f"linkedin/{fname}",
                self.csv_text(
                    ["First Name", "Last Name", "Company", "Job Title", "Text", "Creation Date", "Status"],
                    rows,
                ),
            )
        self.write(
            "linkedin/Profile.csv",
            self.csv_text(
                [
                    "First Name",
                    "Last Name",
                    "Maiden Name",
                    "Address",
                    "Birth Date",
                    "Headline",
                    "Summary",
                    "Industry",
                    "Zip Code",
                    "Geo Location",
                    "Twitter Handles",
                    "Websites",
                    "Instant Messengers",
                ],
                [
                    [
                        OWNER["first"],
                        OWNER["last"],
                        "",
                        "",
                        "",
                        ("Senior Product Manager at Tidewell Health | Healthtech, B2B SaaS"),
                        "I build products clinicians actually like using.",
                        "Software Development",
                        "",
                        "Boston, Massachusetts, United States",
                        "",
                        "",
                        "",
                    ]
                ],
            ),
        )
        jc = w.job_change
        self.write(
            "linkedin/Positions.csv",
            self.csv_text(
                ["Company Name", "Title", "Description", "Location", "Started On", "Finished On"],
                [
                    [
                        N.OWNER_CURRENT[0],
                        "Senior Product Manager",
                        "Patient intake and scheduling.",
                        "Boston, MA",
                        jc.strftime("%b %Y"),
                        "",
                    ],
                    [
                        N.OWNER_FORMER[0],
                        "Product Manager",
                        "Billing, payments and the partner API.",
                        "Boston, MA",
                        "Jun 2019",
                        (jc - timedelta(days=20)).strftime("%b %Y"),
                    ],
                    [
                        N.OWNER_FIRST_JOB[0],
                        "Associate Product Manager",
                        "",
                        "Cambridge, MA",
                        "2016",
                        "May 2019",
                    ],
                ],
            ),
        )

    # ---- contacts ------------------------------------------------------------------------

    def google_csv(self) -> None:
        w, rng = self.w, self.rng
        share = {"recruiters_vendors": 0.1}
        chosen = [
            p
            for p in w.people
            if "deleted_member" not in p.tags
            and (p.layer in (5, 15, 50) or rng.random() < share.get(p.community, 0.35))
        ]
        records = []
        for p in chosen:
            groups: list[tuple[str, list[str]]] = []
            work = [a for a, _, _ in p.work]
            if rng.random() < 0.85:
                if work:
                    groups.append(("* Work", work if rng.random() < 0.6 else work[-1:]))
                if p.personal:
                    groups.append(("Home" if work else "* Home", [p.personal]))
            if len(groups) > 1 and rng.random() < 0.3:
                groups = groups[1:]  # the address book knows only one of the addresses
            for _, addrs in groups:
                for a in addrs:
                    self.key(a, p.pid)
            labels = ["* myContacts"] + (["* starred"] if p.layer == 5 else []) + [LABELS[p.community]]
            birthday = ""
            if rng.random() < 0.15:
                bd = date(rng.randint(1975, 1998), rng.randint(1, 12), rng.randint(1, 28))
                birthday = bd.strftime("--%m-%d") if rng.random() < 0.5 else bd.isoformat()
            website = p.url if p.slug and rng.random() < 0.2 else ""
            if website:
                self.key(website, p.pid)
            records.append(
                {
                    "p": p,
                    "emails": groups,
                    "labels": " ::: ".join(labels),
                    "birthday": birthday,
                    "phone": f"+1 {rng.choice(['617', '212', '415', '312'])}-555-01{rng.randint(0, 99):02d}"
                    if rng.random() < 0.5
                    else "",
                    "website": website,
                }
            )
        if records:
            records[0]["address"] = (
                "12 Harbor Street\nApt 4B\nBoston, MA 02110\nUS",
                "12 Harbor Street",
                "Boston",
                "MA",
                "02110",
                "US",
            )
        n_mail = max(max((len(r["emails"]) for r in records), default=1), 1)
        header = [
            "First Name",
            "Middle Name",
            "Last Name",
            "Phonetic First Name",
            "Phonetic Middle Name",
            "Phonetic Last Name",
            "Name Prefix",
            "Name Suffix",
            "Nickname",
            "File As",
            "Organization Name",
            "Organization Title",
            "Organization Department",
            "Birthday",
            "Notes",
            "Photo",
            "Labels",
        ]
        for k in range(1, n_mail + 1):
            header += [f"E-mail {k} - Label", f"E-mail {k} - Value"]
        header += [
            "Phone 1 - Label",
            "Phone 1 - Value",
            "Address 1 - Label",
            "Address 1 - Formatted",
            "Address 1 - Street",
            "Address 1 - City",
            "Address 1 - PO Box",
            "Address 1 - Region",
            "Address 1 - Postal Code",
            "Address 1 - Country",
            "Address 1 - Extended Address",
            "Website 1 - Label",
            "Website 1 - Value",
        ]
        rows = []
        for r in sorted(records, key=lambda r: (r["p"].first, r["p"].last, r["p"].pid)):
            p = r["p"]
            row = [
                p.first,
                p.middle,
                p.last,
                "",
                "",
                "",
                "",
                "",
                p.nickname,
                "",
                p.companies[-1][0],
                p.title,
                "",
                r["birthday"],
                "",
                "",
                r["labels"],
            ]
            for k in range(n_mail):
                row += (
                    [r["emails"][k][0], " ::: ".join(r["emails"][k][1])] if k < len(r["emails"]) else ["", ""]
                )
            row += ["Mobile" if r["phone"] else "", r["phone"]]
            addr = r.get("address")
            row += (
                ["Home", addr[0], addr[1], addr[2], "", addr[3], addr[4], addr[5], ""] if addr else [""] * 9
            )
            row += ["Profile" if r["website"] else "", r["website"]]
            rows.append(row)
        self.counts["contacts/google.csv"] = len(rows)
        self.write("contacts/google.csv", self.csv_text(header, rows, terminator="\r\n"))

    def vcard(self) -> None:
        w, rng = self.w, self.rng
        cards = w.vcard_people()
        out = []
        for i, p in enumerate(cards):
            lines = [
                "BEGIN:VCARD",
                "VERSION:3.0",
                "PRODID:-//Apple Inc.//iPhone OS 17.5//EN",
                f"N:{p.last};{p.first};{p.middle};;",
                f"FN:{p.name}",
            ]
            if p.nickname:
                lines.append(f"NICKNAME:{p.nickname}")
            lines.append(f"ORG:{p.companies[-1][0].replace(',', chr(92) + ',')};")
            lines.append(f"TITLE:{p.title}")
            if p.work:
                lines.append(f"EMAIL;type=INTERNET;type=WORK;type=pref:{p.work[-1][0]}")
                self.key(p.work[-1][0], p.pid)
            lines += [f"item1.EMAIL;type=INTERNET:{p.personal}", "item1.X-ABLabel:_$!<Other>!$_"]
            self.key(p.personal, p.pid)
            tel = f"+1 (617) 555-01{rng.randint(10, 99)}"
            if p.phone:  # the number a WhatsApp chat shows
                tel = p.phone
                self.key("tel:+" + "".join(ch for ch in tel if ch.isdigit()), p.pid)
            lines.append(f"TEL;type=CELL;type=VOICE;type=pref:{tel}")
            if p.slug and i % 2 == 0:
                lines += [f"item2.URL;type=pref:{p.url}", "item2.X-ABLabel:LinkedIn"]
                self.key(p.url, p.pid)
            lines.append(f"CATEGORIES:{LABELS[p.community]},myContacts")
            if i == 0:
                lines.append(
                    "NOTE:Met at the spring product conference\\; introduced me to half of the Boston "
                    "healthtech scene. Ask about the sailing trip."
                )
            lines.append("END:VCARD")
            out.append("\r\n".join(fold(x) for x in lines))
        self.counts["contacts/contacts.vcf"] = len(out)
        self.write("contacts/contacts.vcf", "\r\n".join(out) + "\r\n")

    # ---- chats, Slack and the call log ---------------------------------------------------

    def _chat_name(self, th: _Thread, pid: str) -> str:
        """How a chat shows ``pid`` (the owner's own name for her), and record its key."""
        if pid == ME:
            self.key(f"name:{OWNER['first']} {OWNER['last']}", ME)
            return f"{OWNER['first']} {OWNER['last']}"
        p = self.w.by_id[pid]
        if th.shown_as:  # not saved in the phone: the chat shows the number
            self.key("tel:+" + "".join(ch for ch in th.shown_as if ch.isdigit()), pid)
            return th.shown_as
        self.key("name:" + p.name, pid)
        return p.name

    def whatsapp(self) -> None:
        """One Android export per one-to-one chat (US locale: month-first, 12-hour clock) and the
        group as an iOS export (``_chat.txt`` in a zip; day-first, 24-hour clock), in the owner's
        local time; one record per timestamped line (messages and system lines)."""
        w, rng = self.w, self.rng
        notice = (
            "Messages and calls are end-to-end encrypted. No one outside of this chat, not even "
            "WhatsApp, can read or listen to them."
        )
        for th in [th for th in w.threads if th.channel == "whatsapp"]:
            names = {
                x: self._chat_name(th, x)
                for x in dict.fromkeys(x for m in th.msgs for x in (m.sender, *m.to))
            }
            local = [m.t.astimezone(w.my_tz) for m in th.msgs]
            if th.title:

                def stamp(t: datetime) -> str:
                    return f"[{t.day:02d}/{t.month:02d}/{t.year}, {t:%H:%M:%S}]"

                first = local[0] - timedelta(minutes=3)
                others = [names[x] for x in names if x != ME]
                lines = [
                    f"{stamp(first)} {th.title}: \u200e{notice}",
                    f"{stamp(first)} {th.title}: \u200e{names[ME]} created group \u201c{th.title}\u201d",
                    f"{stamp(first)} {th.title}: \u200e{names[ME]} added {', '.join(others[:-1])} and {others[-1]}",
                ]
                lines += [
                    f"{stamp(t)} {names[m.sender]}: {rng.choice(N.CHAT_LINES)}"
                    for m, t in zip(th.msgs, local, strict=True)
                ]
                text = "\r\n".join(lines) + "\r\n"
                rel = f"chats/WhatsApp Chat - {th.title}.zip"
                self.counts[rel + "!_chat.txt"] = len(lines)
                self.write_zip(rel, {"_chat.txt": text})
                continue

            def stamp(t: datetime) -> str:
                return f"{t.month}/{t.day}/{t.year % 100:02d}, {t.hour % 12 or 12}:{t:%M} {'AM' if t.hour < 12 else 'PM'}"

            other = names[next(x for x in names if x != ME)]
            lines = [f"{stamp(local[0] - timedelta(minutes=3))} - {notice} Tap to learn more."]
            for k, (m, t) in enumerate(zip(th.msgs, local, strict=True)):
                line = f"{stamp(t)} - {names[m.sender]}: {rng.choice(N.CHAT_LINES)}"
                lines.append(line + ("\nand one more thing" if k == 1 else ""))  # a two-line message
            rel = f"chats/WhatsApp Chat with {other}.txt"
            self.counts[rel] = len(lines)
            self.write(rel, "\n".join(lines) + "\n")

    def write_zip(self, rel: str, members: dict[str, str]) -> None:
        """A zip of text files (member name -> text), byte for byte the same on every run."""
        if not self.active:
            return
        self.written.add(rel)
        buf = io.BytesIO()
        stamp = (self.w.end.year, self.w.end.month, self.w.end.day, 0, 0, 0)
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for member, text in members.items():
                info = zipfile.ZipInfo(member, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, text.encode("utf-8"))
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(buf.getvalue())

    def slack(self) -> None:
        """A Slack workspace export (the zip Slack sends): ``users.json`` (profile emails are the people's work
        addresses), ``channels.json``, ``dms.json`` and daily files; a join and a bot post are
        records the reader skips. One record per entry of a daily file."""
        w, rng = self.w, self.rng
        threads = [th for th in w.threads if th.channel == "slack"]
        if not threads:
            return
        people = list(dict.fromkeys(x for th in threads for m in th.msgs for x in (m.sender, *m.to)))
        ids = {x: f"U0{rng.getrandbits(36):09X}" for x in people}
        bot = f"B0{rng.getrandbits(36):09X}"
        users = []
        for x in people:
            if x == ME:
                name, addr, first = f"{OWNER['first']} {OWNER['last']}", OWNER["current"], OWNER["first"]
            else:
                p = w.by_id[x]
                name, addr, first = f"{p.first} {p.last}", p.work[-1][0], p.first
            self.key(addr, x)
            users.append(
                {
                    "id": ids[x],
                    "team_id": "T0TIDEWELL",
                    "name": addr.split("@")[0],
                    "real_name": name,
                    "tz": "America/New_York",
                    "is_bot": False,
                    "profile": {"real_name": name, "display_name": first, "email": addr},
                }
            )
        users.append(
            {
                "id": bot,
                "name": "google_drive",
                "is_bot": True,
                "profile": {"real_name": "Google Drive", "bot_id": bot},
            }
        )
        files: dict[str, list[dict]] = {}
        channels, dms = [], []
        for th in threads:
            members = [ids[x] for x in dict.fromkeys(x for m in th.msgs for x in (m.sender, *m.to))]
            created = int(th.msgs[0].t.timestamp()) - 86_400
            if th.title:
                folder = th.title
                channels.append(
                    {
                        "id": f"C0{rng.getrandbits(36):09X}",
                        "name": th.title,
                        "created": created,
                        "creator": ids[ME],
                        "is_archived": False,
                        "members": members,
                        "topic": {"value": "", "creator": "", "last_set": 0},
                        "purpose": {
                            "value": "Product team day to day",
                            "creator": ids[ME],
                            "last_set": created,
                        },
                    }
                )
            else:
                folder = f"D0{rng.getrandbits(36):09X}"
                dms.append({"id": folder, "created": created, "members": members})
            entries = []
            if th.title:  # the owner joined when she made the channel
                entries.append(
                    (
                        created,
                        {
                            "type": "message",
                            "subtype": "channel_join",
                            "user": ids[ME],
                            "text": f"<@{ids[ME]}> has joined the channel",
                        },
                    )
                )
            last_ts = None
            for m in th.msgs:
                ts = f"{int(m.t.timestamp())}.{rng.randrange(10**6):06d}"
                entry = {
                    "type": "message",
                    "user": ids[m.sender],
                    "text": rng.choice(N.SLACK_LINES),
                    "ts": ts,
                }
                if last_ts and th.title and rng.random() < 0.3:
                    entry["thread_ts"] = last_ts  # a reply in the thread of the message before
                else:
                    last_ts = ts
                entries.append((m.t.timestamp(), entry))
            if th.title:  # a bot posts a file notice
                t = th.msgs[len(th.msgs) // 2].t.timestamp() + 60
                entries.append(
                    (
                        t,
                        {
                            "type": "message",
                            "subtype": "bot_message",
                            "bot_id": bot,
                            "text": "A file was shared",
                            "ts": f"{int(t)}.000100",
                        },
                    )
                )
            for t, entry in sorted(entries, key=lambda e: e[0]):
                entry.setdefault("ts", f"{int(t)}.000000")
                day = datetime.fromtimestamp(float(entry["ts"]), UTC).date().isoformat()
                files.setdefault(f"{folder}/{day}.json", []).append(entry)

        def text(data: list) -> str:
            return json.dumps(data, indent=4, ensure_ascii=False) + "\n"

        members = {"users.json": text(users), "channels.json": text(channels), "dms.json": text(dms)}
        members |= {rel: text(entries) for rel, entries in sorted(files.items())}
        self.write_zip(SLACK_EXPORT, members)
        self.counts[SLACK_EXPORT] = sum(len(e) for e in files.values())

    def call_log(self) -> None:
        """``calls/interactions.csv``: date (local, with offset), person (an address or the
        LinkedIn URL), channel, direction, duration_minutes, note; one missed call, which the
        reader skips. One record per row."""
        w = self.w
        calls = sorted((th for th in w.threads if th.channel == "call"), key=lambda th: th.msgs[0].t)
        if not calls:
            return
        cell: dict[str, str] = {}
        for th in calls:
            pid = next(x for x in (th.msgs[0].sender, *th.msgs[0].to) if x != ME)
            if pid not in cell:
                p = w.by_id[pid]
                cell[pid] = p.url if p.slug and len(cell) % 2 else (p.personal or p.work[-1][0])
                self.key(cell[pid], pid)
        rows = []
        for th in calls:
            m = th.msgs[0]
            pid = m.to[0] if m.sender == ME else m.sender
            when = m.t.astimezone(w.my_tz).isoformat(sep=" ", timespec="minutes")
            note = {"call": "Catch-up call", "coffee": "Coffee at Tatte"}[th.title]
            rows.append([when, cell[pid], th.title, "out" if m.sender == ME else "in", th.subject, note])
        first = calls[0].msgs[0]
        missed = (first.t + timedelta(days=3)).astimezone(w.my_tz).isoformat(sep=" ", timespec="minutes")
        rows.insert(1, [missed, rows[0][1], "call", "missed", "0", ""])
        self.counts["calls/interactions.csv"] = len(rows)
        self.write(
            "calls/interactions.csv",
            self.csv_text(["date", "person", "channel", "direction", "duration_minutes", "note"], rows),
        )

    # ---- calendar ------------------------------------------------------------------------

    def ics(self) -> None:
        w, rng = self.w, self.rng
        lines = [
            "BEGIN:VCALENDAR",
            "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
            "VERSION:2.0",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            f"X-WR-CALNAME:{OWNER['gmail']}",
            f"X-WR-TIMEZONE:{OWNER['tz']}",
            *_VTIMEZONE,
        ]
        stamp = w.end.strftime("%Y%m%dT%H%M%SZ")
        for mtg in sorted(w.meetings, key=lambda m: (m.start, m.summary)):
            comm = mtg.community
            lines.append("BEGIN:VEVENT")
            if mtg.until is not None:
                local = mtg.start.astimezone(w.my_tz)
                end_local = local + timedelta(minutes=mtg.minutes)
                lines.append(f"DTSTART;TZID={OWNER['tz']}:{local.strftime('%Y%m%dT%H%M%S')}")
                lines.append(f"DTEND;TZID={OWNER['tz']}:{end_local.strftime('%Y%m%dT%H%M%S')}")
                lines.append(
                    f"RRULE:FREQ=WEEKLY;WKST=MO;UNTIL={mtg.until.strftime('%Y%m%dT%H%M%SZ')};BYDAY=TU"
                )
            else:
                lines.append(f"DTSTART:{mtg.start.strftime('%Y%m%dT%H%M%SZ')}")
                lines.append(
                    f"DTEND:{(mtg.start + timedelta(minutes=mtg.minutes)).strftime('%Y%m%dT%H%M%SZ')}"
                )
            lines.append(f"DTSTAMP:{stamp}")
            oname, oaddr = w.addr(mtg.organizer, mtg.start, comm)
            self.key(oaddr, mtg.organizer)
            lines.append(f"ORGANIZER;CN={oname}:mailto:{oaddr}")
            lines.append(f"UID:{rng.randbytes(13).hex()}@google.com")
            for who, stat in mtg.attendees:
                name, addr_ = w.addr(who, mtg.start, comm)
                self.key(addr_, who)
                lines.append(
                    f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={stat};CN={name};"
                    f"X-NUM-GUESTS=0:mailto:{addr_}"
                )
            created = mtg.start - timedelta(days=rng.randint(1, 20))
            lines += [
                f"CREATED:{created.strftime('%Y%m%dT%H%M%SZ')}",
                "DESCRIPTION:",
                f"LAST-MODIFIED:{created.strftime('%Y%m%dT%H%M%SZ')}",
                "LOCATION:" + ("https://meet.google.com/" + rng.randbytes(5).hex()),
                "SEQUENCE:0",
                "STATUS:CONFIRMED",
                f"SUMMARY:{mtg.summary}",
                "TRANSP:OPAQUE",
                "END:VEVENT",
            ]
        lines.append("END:VCALENDAR")
        self.counts["calendar/calendar.ics"] = len(w.meetings)
        self.write("calendar/calendar.ics", "\r\n".join(fold(x) for x in lines) + "\r\n")

    # ---- ground truth --------------------------------------------------------------------

    def _counted_file_written(self, name: str) -> bool:
        """Whether the file a ``counts.csv`` entry names was written: ``a.mbox (note)`` names
        ``a.mbox``, ``a.zip!member`` the zip, ``chats/slack`` the export folder."""
        base = name.split("!")[0]
        if base not in self.written and " (" in base and not base.startswith("chats/WhatsApp"):
            base = base.split(" (")[0]
        return base in self.written or any(r.startswith(base + "/") for r in self.written)

    def ground_truth(self) -> None:
        w = self.w
        channels = frozenset(
            ch for ch, part in CHANNEL_PARTS.items() if any(r.startswith(part) for r in self.written)
        )
        counts = w.contacts_in_window(channels)
        days = w.contact_days(channels)
        chat_of: dict[str, set[str]] = {}
        for th in w.threads:
            if th.channel in channels - {"email", "linkedin"}:
                for m in th.msgs:
                    for x in {m.sender, *m.to} - {ME}:
                        chat_of.setdefault(x, set()).add(th.channel)
        rows = []
        for p in w.people:
            layer = _layer(counts[p.pid])
            mine = days.get(p.pid, [])
            rhythm = (mine[-1][0] - mine[0][0]).days / (len(mine) - 1) if len(mine) >= 3 else None
            tags = [t for t in p.tags if t != "inner_circle"]
            rows.append(
                [
                    p.pid,
                    p.name,
                    p.community,
                    p.kind,
                    p.trajectory,
                    p.dormant_since.date().isoformat() if p.dormant_since else "",
                    p.profile,
                    p.initiation,
                    str(layer),
                    str(p.layer == 5),
                    ";".join(c[0] for c in p.companies),
                    ";".join(sorted(tags)),
                    str(counts[p.pid]),
                    "" if rhythm is None else f"{rhythm:.2f}",
                    f"{(w.end - mine[-1][1]) / DAY:.2f}" if mine else "",
                    ";".join(sorted(chat_of.get(p.pid, ()))),
                ]
            )
        self.write(
            "ground_truth/people.csv",
            self.csv_text(
                [
                    "person_id",
                    "name",
                    "community",
                    "kind",
                    "trajectory",
                    "dormant_since",
                    "reciprocity_profile",
                    "initiation",
                    "expected_layer",
                    "inner_circle",
                    "companies",
                    "tags",
                    "contacts_365d",
                    "rhythm_days",
                    "silence_days",
                    "chat_channels",
                ],
                rows,
            ),
        )
        if any(r.startswith(("mail/", "contacts/", "calendar/")) for r in self.written):
            for addr in (OWNER["gmail"], OWNER["former"], OWNER["current"]):
                self.key(addr, ME)
        ident = sorted([k, _truth_key_kind(k), pid] for k, pid in self.keys.items())
        self.write("ground_truth/identities.csv", self.csv_text(["key", "key_kind", "person_id"], ident))
        edges = sorted([a, b, str(n)] for (a, b), n in w.edges(channels).items())
        self.write(
            "ground_truth/edges.csv", self.csv_text(["person_a", "person_b", "shared_messages"], edges)
        )
        lists = [th for th in w.threads if th.mailing_list and th.msgs]
        if lists:
            rows = []
            for name, addr in sorted({th.mailing_list for th in lists}, key=lambda x: x[1]):
                posts = [(th, m) for th in lists if th.mailing_list[1] == addr for m in th.msgs]
                answers = Counter(
                    m.sender == ME
                    for th, m in posts
                    if _msg_contacts(m, th.msgs[m.parent] if m.parent >= 0 else None)
                )
                rows.append(
                    [
                        addr,
                        name,
                        str(len({m.sender for _, m in posts} - {ME})),
                        str(len(posts)),
                        str(sum(m.sender == ME for _, m in posts)),
                        str(answers[True]),
                        str(answers[False]),
                    ]
                )
            header = ["address", "name", "posters", "posts", "posts_by_me", "my_answers", "answers_to_me"]
            self.write("ground_truth/lists.csv", self.csv_text(header, rows))
        self.write(
            "ground_truth/counts.csv",
            self.csv_text(
                ["file", "records"],
                [[k, str(v)] for k, v in sorted(self.counts.items()) if self._counted_file_written(k)],
            ),
        )


_PROFILE = "https://www.linkedin.com/in/"


def _truth_key_kind(key: str) -> str | None:
    """Kind of a ground-truth identity key as the generator writes it (``email``, ``url`` or
    ``name``), or None when ``key`` is not in the generator's canonical form."""
    if key.startswith("tel:+"):
        return S.KEY_PHONE if key[5:].isdigit() else None
    if key.startswith("name:"):
        return S.KEY_NAME if key[5:] and key[5:] == " ".join(key[5:].split()) else None
    if key.startswith(_PROFILE):
        slug = key[len(_PROFILE) :]
        return S.KEY_URL if slug and slug.isascii() and slug == slug.lower() and "/" not in slug else None
    local, at, domain = key.partition("@")
    if at and local and "." in domain and key.isascii() and key == key.lower() and " " not in key:
        return S.KEY_EMAIL
    return None


def _chain(msgs: list[_Msg], idx: int) -> list[int]:
    """Indices of the ancestors of message ``idx`` (oldest first), ending with ``idx`` itself."""
    out = []
    while idx >= 0:
        out.append(idx)
        idx = msgs[idx].parent
    return out[::-1]


def _us_short(t: datetime, zero: bool = False) -> str:
    """``3/12/24, 11:20 AM`` (or ``04/15/24, 09:25 PM`` with ``zero``) in UTC."""
    hour = t.hour % 12 or 12
    ampm = "AM" if t.hour < 12 else "PM"
    if zero:
        return f"{t.month:02d}/{t.day:02d}/{t.year % 100:02d}, {hour:02d}:{t.minute:02d} {ampm}"
    return f"{t.month}/{t.day}/{t.year % 100:02d}, {hour}:{t.minute:02d} {ampm}"


_VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    "TZID:America/New_York",
    "X-LIC-LOCATION:America/New_York",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:-0500",
    "TZOFFSETTO:-0400",
    "TZNAME:EDT",
    "DTSTART:19700308T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:-0400",
    "TZOFFSETTO:-0500",
    "TZNAME:EST",
    "DTSTART:19701101T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def synthesize(
    out_dir: str | Path,
    *,
    seed: int = 0,
    n_people: int = 300,
    years: int = 4,
    n_messages: int = 6000,
    end: pd.Timestamp = DEFAULT_END,
    persona: str | None = None,
) -> Path:
    """Write a synthetic professional life in real export formats, with its ground truth.

    One owner, Elena Marsh (a product manager with a personal Gmail address and a work address
    that changes with a job change during the period), and ``n_people`` invented people in seven
    communities. Files: ``linkedin/`` (Connections, messages, Invitations, endorsements,
    recommendations, Profile, Positions), ``mail/mail.mbox`` (Gmail Takeout), ``contacts/``
    (Google CSV, vCard), ``calendar/calendar.ics``, ``chats/`` (WhatsApp exports of three
    one-to-one chats and a group, a Slack workspace export zip), ``calls/interactions.csv`` (a
    log of calls and coffees) and ``ground_truth/`` (people, identities, edges, counts), which
    the library never reads. Chats, Slack and calls lie in the last 150 days
    (:meth:`_World.plan_chats`): five ties silent on mail for more than a year live there
    (trajectory ``moved``), and a WhatsApp chat shows a number the vCard lists.

    Parameters
    ----------
    out_dir : str or Path
        Directory to write into (created if missing; existing files are overwritten).
    seed : int, default 0
        Random seed. The same seed and arguments give byte-identical files.
    n_people : int, default 300
        Number of people besides the owner (at least 60).
    years : int, default 4
        Length of the period ending at ``end`` (at least 2).
    n_messages : int, default 6000
        Approximate total of emails and LinkedIn messages. Person-to-person volume follows from
        the people and their planned contact rates; automated mail (newsletters, notifications)
        fills the rest, at least a tenth of the person-to-person mail.
    end : Timestamp, default 2026-10-31 UTC
        End of the period; nothing is dated later. A naive timestamp is taken as UTC.
    persona : {None, "default", "linkedin_only", "new_graduate", "list_heavy"}, default None
        A thin-data world, to see what the library can and cannot say on little evidence
        (None and ``"default"`` write the full life above, byte for byte):

        - ``"linkedin_only"``: the same life, but only ``linkedin/`` is written (its files are
          byte-identical to the default's) — the usual first step of a real user. No source
          shows ties between contacts, so network structure cannot be measured.
        - ``"new_graduate"``: the last 120 days of a two-year life, with at most 12 people of
          the university, mentor, recruiter and industry communities (no colleagues, clients or
          meetings, so no ``calendar/``); LinkedIn connections are made in those days too.
          ``years`` only scales ``n_messages`` to the 120 days (× 120 / (365.25 × ``years``))
          and may be below 2: the persona plants no dormant ties, which need 400 days.
        - ``"list_heavy"``: direct mail and meetings only with 8 close people; most mail is
          three busy mailing lists (:data:`MAILING_LISTS`, 25 posters each) where I post too,
          and answer some authors off the list as they answer me. ``ground_truth/lists.csv``
          gives per list its posters, posts, my posts, my answers to others' posts and their
          answers to mine.

        Each persona's ``ground_truth/`` describes what it wrote: ``counts.csv`` counts the
        records of the files written, ``identities.csv`` the keys in them, and the layers and
        edges count the channels written.

    Returns
    -------
    Path
        ``out_dir``.

    Raises
    ------
    ValueError
        If ``n_people`` or ``years`` is too small to plant every planned pattern, or
        ``persona`` is unknown.

    Notes
    -----
    Ground-truth layers count one contact per message x counterpart in the 365 days before
    ``end``: a message I send counts once per recipient, a message someone sends me once for the
    sender; a meeting I organise once per attendee who did not decline, a meeting someone else
    organises once for the organiser. Drafts, system rows, sponsored messages and automated mail
    do not count; invitations, endorsements and recommendations are not contacts. Mailing-list
    posts, ``undisclosed recipients`` mail, the declined meeting and the weekly 1:1 all lie before
    the window (and nothing at all lies in the two weeks before it), so readers that treat them
    differently still find the same layers. A list post counts only where it answers across me
    (my post answering someone's counts for its author, a post answering mine for its sender):
    in ``"list_heavy"`` list traffic fills the window.

    Examples
    --------
    >>> import tempfile
    >>> from netanalytics.datasets import synthesize
    >>> out = synthesize(tempfile.mkdtemp(), n_people=60, years=2, n_messages=500)
    >>> sorted(p.name for p in out.iterdir())
    ['calendar', 'calls', 'chats', 'contacts', 'ground_truth', 'linkedin', 'mail']
    >>> (out / "linkedin" / "Connections.csv").read_text(encoding="utf-8").splitlines()[0]
    'Notes:'
    >>> thin = synthesize(tempfile.mkdtemp(), n_people=60, years=2, n_messages=500, persona="linkedin_only")
    >>> sorted(p.name for p in thin.iterdir())
    ['ground_truth', 'linkedin']
    """
    if n_people < 60:
        raise ValueError(
            f"n_people={n_people} is too small: use at least 60 to plant every community and layer"
        )
    persona = persona or "default"
    if persona not in PERSONAS:
        raise ValueError(f"unknown persona {persona!r}; use one of {sorted(PERSONAS)} (or None)")
    if years < 2 and persona != "new_graduate":
        raise ValueError(f"years={years} is too short: dormant ties need 400 days of silence; use years >= 2")
    end_ts = pd.Timestamp(end)
    end_ts = end_ts.tz_localize("UTC") if end_ts.tzinfo is None else end_ts.tz_convert("UTC")
    end_dt = end_ts.to_pydatetime().replace(microsecond=0)
    out = Path(out_dir)
    if persona == "new_graduate":
        # a two-year life cut to its last months; its share of the message total
        n_messages, years = round(n_messages * GRADUATE_DAYS / (365.25 * years)), 2
    world = _World(seed, n_people, years, n_messages, end_dt)
    world.persona = persona
    world.plan_people()
    world.plan_group_events()
    world.plan_dialogs()
    if persona == "new_graduate":
        world.keep_recent(GRADUATE_DAYS, GRADUATE_COMMUNITIES, GRADUATE_PEOPLE)
    elif persona == "list_heavy":
        world.plan_lists(n_direct=8, posters_per_list=25)
    if "chats" in PERSONAS[persona]:
        world.plan_chats()
    renderer = _Renderer(world, out)
    parts = PERSONAS[persona]
    for part, render in (
        ("mail", renderer.mbox),
        ("linkedin", renderer.linkedin),
        ("contacts", renderer.google_csv),
        ("contacts", renderer.vcard),
        ("calendar", renderer.ics),
        ("chats", renderer.whatsapp),
        ("chats", renderer.slack),
        ("calls", renderer.call_log),
    ):
        renderer.active = part in parts
        render()
    renderer.active = True
    renderer.ground_truth()
    return out
