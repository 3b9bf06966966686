"""Stream a large Gmail Takeout style mbox to disk for benchmarks, with bounded memory."""

from __future__ import annotations

import base64
import random
from collections import deque
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from netanalytics.datasets import _names as N
from netanalytics.datasets._formats import DEFAULT_END, address, ascii_fold, from_line, gmail_id, rfc2822

__all__ = ["write_mbox"]

_WORDS = [
    "the",
    "roadmap",
    "review",
    "customer",
    "pilot",
    "metrics",
    "launch",
    "design",
    "team",
    "sprint",
    "pricing",
    "onboarding",
    "funnel",
    "release",
    "feedback",
    "integration",
    "timeline",
    "proposal",
    "budget",
    "quarter",
    "planning",
    "research",
    "interview",
    "dashboard",
    "feature",
    "scope",
    "risk",
    "decision",
    "owner",
    "follow",
    "up",
    "notes",
    "agenda",
    "draft",
    "update",
    "numbers",
    "churn",
    "retention",
    "growth",
    "support",
    "ticket",
    "escalation",
    "partner",
    "contract",
    "renewal",
    "meeting",
    "thursday",
    "friday",
    "monday",
    "next",
    "week",
    "today",
    "please",
    "thanks",
]
_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Singapore",
]


def _paragraphs(rng: random.Random, n: int = 256) -> list[str]:
    out = []
    for _ in range(n):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(25, 90))]
        words[0] = words[0].capitalize()
        lines, line = [], ""
        for word in words:
            if len(line) + len(word) > 72:
                lines.append(line)
                line = ""
            line = f"{line} {word}" if line else word
        lines.append(line + ".")
        out.append("\n".join(lines))
    return out


def write_mbox(
    path: str | Path,
    n_messages: int,
    *,
    seed: int = 0,
    attachment_share: float = 0.02,
    end: pd.Timestamp = DEFAULT_END,
    delivery_headers: bool = False,
    correspondents: int | None = None,
    unique_recipients: bool = False,
) -> Path:
    """Stream ``n_messages`` Gmail Takeout style messages into an mbox file, for benchmarks.

    Messages are written one at a time as they are generated (only a bounded window of open
    threads is kept), so a million messages (several GB) need no more memory than a hundred.
    Each has the Takeout ``From_`` separator, ``X-GM-THRID``, ``X-Gmail-Labels``, ``Message-ID``
    (``In-Reply-To`` / ``References`` on replies), a plain-text body of 0.5-5 KB, and about
    ``attachment_share`` of them a base64 attachment of 50-500 KB. Timestamps rise over the four
    years before ``end``.

    Parameters
    ----------
    path : str or Path
        File to write (parent directories are created; an existing file is replaced).
    n_messages : int
        Number of messages.
    seed : int, default 0
        Random seed; the same arguments give a byte-identical file.
    attachment_share : float, default 0.02
        Share of messages with an attachment, between 0 and 1.
    end : Timestamp, default 2026-10-31 UTC
        Date of the last message. A naive timestamp is taken as UTC.
    delivery_headers : bool, default False
        Add the headers Gmail's delivery writes above a message (Delivered-To, a chain of
        Received, X-Received, ARC-*, Authentication-Results, Received-SPF, DKIM-Signature,
        X-Google-Smtp-Source ...; about 3 KB, much of it folded), as in a real Takeout. The
        default leaves them out; the other content is the same either way.
    correspondents : int, optional
        How many people (besides the owner) the mailbox corresponds with; default
        ``max(50, min(5000, n_messages // 100 + 50))``. A high number (15,000) makes an archive
        where few header values repeat.
    unique_recipients : bool, default False
        Address each message to its correspondent and to 2-5 more people drawn at random, with
        0-3 more in Cc, so that nearly every To list is distinct (as in a large organisation's
        mail). The extra draws come from their own random stream: the rest of the file is as
        without them.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        If ``n_messages`` is negative, ``attachment_share`` is outside [0, 1] or
        ``correspondents`` is below 1.

    Examples
    --------
    >>> import mailbox, tempfile, pathlib
    >>> from netanalytics.datasets import write_mbox
    >>> path = write_mbox(pathlib.Path(tempfile.mkdtemp()) / "big.mbox", 20, attachment_share=0.0)
    >>> len(mailbox.mbox(path))
    20
    """
    if n_messages < 0:
        raise ValueError(f"n_messages must be >= 0, got {n_messages}")
    if not 0.0 <= attachment_share <= 1.0:
        raise ValueError(f"attachment_share must be between 0 and 1, got {attachment_share}")
    if correspondents is not None and correspondents < 1:
        raise ValueError(f"correspondents must be >= 1, got {correspondents}")
    end_ts = pd.Timestamp(end)
    end_ts = end_ts.tz_localize("UTC") if end_ts.tzinfo is None else end_ts.tz_convert("UTC")
    end_dt = end_ts.to_pydatetime().replace(microsecond=0)
    start = end_dt - timedelta(days=4 * 365)
    rng = random.Random(f"netanalytics-bench-{seed}")
    paragraphs = _paragraphs(rng)
    me = ("Elena Marsh", "elena.marsh.pm@gmail.com")
    people = []
    n_people = max(50, min(5000, n_messages // 100 + 50)) if correspondents is None else correspondents
    for i in range(n_people):
        first, last = rng.choice(N.FIRST_NAMES), rng.choice(N.LAST_NAMES)
        local = ascii_fold(f"{first}.{last}").lower().replace(" ", "").replace("'", "")
        domain = rng.choice(N.PERSONAL_DOMAINS + [d for _, d in N.CLIENTS + N.OTHER_COMPANIES])
        people.append((f"{first} {last}", f"{local}{i}@{domain}", ZoneInfo(rng.choice(_ZONES))))
    extra_rng = random.Random(f"netanalytics-bench-{seed}-recipients")
    open_threads: deque[list] = deque(maxlen=2000)
    used: set[int] = set()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    span = (end_dt - start).total_seconds()
    with open(path, "wb") as fh:
        for k in range(n_messages):
            t = start + timedelta(seconds=span * (k + rng.random()) / max(n_messages, 1))
            t = min(t, end_dt).replace(microsecond=0)
            gid = gmail_id(t, rng, used)
            if open_threads and rng.random() < 0.55:
                thread = rng.choice(open_threads)
            else:
                thread = [
                    gid,
                    rng.choice(list(N.SUBJECTS.values()))[rng.randrange(4)],
                    rng.choice(people),
                    [],
                ]
                open_threads.append(thread)
            thrid, subject, other, refs = thread
            outgoing = rng.random() < 0.35
            sender, recipient = (me, other) if outgoing else (other, me)
            zone = ZoneInfo("America/New_York") if outgoing else other[2]
            mid = f"<{rng.randbytes(12).hex()}.{k}@{sender[1].split('@')[1]}>"
            headers = [
                f"X-GM-THRID: {thrid}",
                "X-Gmail-Labels: "
                + (
                    "Sent"
                    if outgoing
                    else rng.choice(
                        ["Inbox,Opened", "Inbox,Important,Opened", "Archived,Opened", "Inbox,Unread"]
                    )
                ),
                "MIME-Version: 1.0",
                f"Date: {rfc2822(t.astimezone(zone))}",
                f"Message-ID: {mid}",
            ]
            if refs:
                headers += [f"In-Reply-To: {refs[-1]}", "References: " + "\n ".join(refs[-5:])]
            headers += [
                f"Subject: {'Re: ' if refs else ''}{subject}",
                f"From: {address(*sender[:2])}",
                f"To: {address(*recipient[:2])}",
            ]
            if unique_recipients:
                headers[-1] += "".join(f", {address(*p[:2])}" for p in _draw(extra_rng, people, 2, 5))
                cc = _draw(extra_rng, people, 0, 3)
                if cc:
                    headers.append("Cc: " + ", ".join(address(*p[:2]) for p in cc))
            if delivery_headers:
                headers = _delivery_headers(random.Random(k), t, sender[1], outgoing) + headers
            refs.append(mid)
            target = int(min(5000, max(500, rng.lognormvariate(7.3, 0.6))))
            parts, size = [f"Hi {recipient[0].split()[0]},", ""], 0
            while size < target:
                para = rng.choice(paragraphs)
                parts += [para, ""]
                size += len(para) + 1
            parts.append(f"Best,\n{sender[0].split()[0]}\n")
            text = "\n".join(parts)
            if rng.random() < attachment_share:
                boundary = f"000000000000{rng.randbytes(8).hex()}"
                blob = base64.encodebytes(rng.randbytes(rng.randint(50_000, 500_000))).decode("ascii")
                headers.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
                body = (
                    f'--{boundary}\nContent-Type: text/plain; charset="UTF-8"\n\n{text}\n'
                    f'--{boundary}\nContent-Type: application/pdf; name="notes-{k}.pdf"\n'
                    f'Content-Disposition: attachment; filename="notes-{k}.pdf"\n'
                    f"Content-Transfer-Encoding: base64\n\n{blob}--{boundary}--\n"
                )
            else:
                headers.append('Content-Type: text/plain; charset="UTF-8"')
                body = text
            msg = from_line(gid, t) + "\n" + "\n".join(headers) + "\n\n" + body + "\n"
            fh.write(msg.encode("utf-8"))
    return path


def _draw(rng: random.Random, people: list, low: int, high: int) -> list:
    """Between ``low`` and ``high`` people drawn at random (fewer if there are fewer)."""
    return rng.sample(people, min(rng.randint(low, high), len(people)))


def _b64(rng: random.Random, n: int) -> str:
    return base64.b64encode(rng.randbytes(n * 3 // 4)).decode("ascii")[:n]


def _delivery_headers(rng: random.Random, t, sender: str, outgoing: bool) -> list[str]:
    """What Gmail's delivery puts above a message (folded the way Gmail folds them)."""
    local = t.astimezone(ZoneInfo("America/Los_Angeles"))
    stamp = f"{rfc2822(local)} ({local.strftime('%Z')})"
    domain = sender.split("@")[1]
    smtp = f"X-Google-Smtp-Source: {_b64(rng, 86)}"
    received = [
        f"Received: by 2002:a05:{rng.randrange(6000, 7000):x}:{rng.randrange(4096):x}:b0:{rng.randrange(999)}:"
        f"{rng.randrange(4096):x} with SMTP id {_b64(rng, 10)};\n        {stamp}"
        for _ in range(rng.randint(1, 3))
    ]
    if outgoing:
        return [
            smtp,
            f"X-Received: by 2002:a17:906:{rng.randrange(4096):x} with SMTP id {_b64(rng, 14)};\n        {stamp}",
        ]
    signature = "\n        ".join(_b64(rng, 76) for _ in range(5))
    return [
        "Delivered-To: elena.marsh.pm@gmail.com",
        *received,
        smtp,
        f"X-Received: by 2002:a17:906:{rng.randrange(4096):x} with SMTP id {_b64(rng, 14)};\n        {stamp}",
        f"ARC-Seal: i=1; a=rsa-sha256; t={int(t.timestamp())}; cv=none;\n        d=google.com; s=arc-20240605;\n        b={signature}",
        "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=google.com; s=arc-20240605;\n"
        f"        h=to:subject:message-id:date:from:mime-version:dkim-signature;\n        bh={_b64(rng, 44)};\n"
        f"        b={signature}",
        f"ARC-Authentication-Results: i=1; mx.google.com;\n       dkim=pass header.i=@{domain} header.s=s1;\n"
        f"       spf=pass (google.com: domain of {sender} designates 209.85.220.41 as permitted sender)",
        f"Return-Path: <{sender}>",
        f"Received: from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\n"
        f"        by mx.google.com with SMTPS id {_b64(rng, 20)}\n        for <elena.marsh.pm@gmail.com>;\n"
        f"        {stamp}",
        f"Received-SPF: pass (google.com: domain of {sender} designates 209.85.220.41 as permitted sender) "
        "client-ip=209.85.220.41;",
        f"Authentication-Results: mx.google.com;\n       dkim=pass header.i=@{domain} header.s=s1;\n"
        f"       spf=pass (google.com: domain of {sender} designates 209.85.220.41 as permitted sender)",
        f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n        d={domain}; s=s1; t={int(t.timestamp())};"
        f" x={int(t.timestamp()) + 604800};\n        h=to:subject:message-id:date:from:mime-version;\n"
        f"        bh={_b64(rng, 44)};\n        b={signature}",
        f"X-Gm-Message-State: AOJu0Y{_b64(rng, 60)}",
    ]
