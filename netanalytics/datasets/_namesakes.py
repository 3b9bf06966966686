"""A mailbox of many distinct people with realistic name frequencies, for identity resolution at scale."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pandas as pd

from netanalytics.datasets import _names as N
from netanalytics.datasets._formats import DEFAULT_END, address, ascii_fold, from_line, rfc2822
from netanalytics.datasets._stream import _delivery_headers

__all__ = ["write_namesake_mbox"]

_ONSETS = [
    "b",
    "br",
    "d",
    "dr",
    "f",
    "g",
    "gr",
    "h",
    "k",
    "kr",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "st",
    "t",
    "v",
    "w",
    "z",
]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ei", "ou"]
_CODAS = ["", "n", "r", "l", "s", "k", "m", "nd", "rt", "st", "th"]
_SUFFIXES = ["", "son", "er", "ski", "ová", "ez", "ini", "sen", "ley", "berg", "ford", "ton", "ic", "ov"]
_FREE = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com", "proton.me"]
ME = ("Elena Marsh", "elena.marsh.pm@gmail.com")


def _invented(rng: random.Random, n: int, taken: set[str], *, suffixes: bool) -> list[str]:
    out = []
    while len(out) < n:
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
            for _ in range(rng.choice((1, 2, 2)))
        )
        if suffixes:
            word += rng.choice(_SUFFIXES)
        word = word.capitalize()
        if len(word) >= 3 and word.lower() not in taken:
            taken.add(word.lower())
            out.append(word)
    return out


def _zipf_weights(n: int, exponent: float) -> list[float]:
    return [1.0 / (rank**exponent) for rank in range(1, n + 1)]


def write_namesake_mbox(
    path: str | Path,
    *,
    n_people: int = 30_000,
    n_messages: int = 100_000,
    n_first_names: int = 300,
    n_surnames: int = 3_000,
    exponent: float = 0.42,
    job_change_share: float = 0.03,
    seed: int = 0,
    end: pd.Timestamp = DEFAULT_END,
    delivery_headers: bool = False,
) -> pd.DataFrame:
    """Write an mbox between the owner and ``n_people`` distinct people; return the ground truth.

    First names and surnames are drawn independently from Zipf distributions (weight
    ``1 / rank ** exponent``) over ``n_first_names`` and ``n_surnames`` names (the generator's
    real names first, then invented ones), so common names are shared by several people, as in
    a real address book (with the defaults about 6 % of 30,000 people share their full name with
    someone else). Each person has one address, at one of a few hundred companies (sizes Zipf
    too) or at a free-mail provider, and is active in one window of the ten years before ``end``;
    ``job_change_share`` of them change company: their first address stops as the second
    starts (one person, two addresses). Every address is on at least one message; the rest
    go to people in proportion to a heavy-tailed activity, in their active window, half of
    them from the owner.

    Parameters
    ----------
    path : str or Path
        mbox to write (parent directories are created).
    n_people, n_messages : int
        People (each with one address, two for a job change) and messages (at least one per address).
    n_first_names, n_surnames : int
        Sizes of the name pools.
    exponent : float, default 0.42
        Zipf exponent of both name distributions.
    job_change_share : float, default 0.03
        Share of people with two company addresses in succession.
    seed : int, default 0
        Random seed; the same arguments give the same file.
    end : Timestamp
        Date of the latest possible message.
    delivery_headers : bool, default False
        Add the ~3 KB of headers Gmail's delivery writes above each message (Received chain,
        ARC, DKIM, ...; see :func:`netanalytics.datasets.write_mbox`): a file of the size a
        real Takeout of these messages has, rather than the bare minimum.

    Returns
    -------
    DataFrame
        Ground truth, one row per address: key, person_id, name, company, first_seen,
        last_seen, job_change (bool). The owner is not listed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from netanalytics.datasets import write_namesake_mbox
    >>> truth = write_namesake_mbox(pathlib.Path(tempfile.mkdtemp()) / "n.mbox", n_people=50, n_messages=80)
    >>> truth["person_id"].nunique(), truth["key"].is_unique
    (50, True)
    """
    rng = random.Random(f"netanalytics-namesakes-{seed}")
    taken = {n.lower() for n in N.FIRST_NAMES + N.LAST_NAMES}
    firsts = list(N.FIRST_NAMES) + _invented(
        rng, max(0, n_first_names - len(N.FIRST_NAMES)), taken, suffixes=False
    )
    lasts = list(N.LAST_NAMES) + _invented(rng, max(0, n_surnames - len(N.LAST_NAMES)), taken, suffixes=True)
    firsts, lasts = firsts[:n_first_names], lasts[:n_surnames]
    rng.shuffle(firsts)
    rng.shuffle(lasts)
    companies = [w.lower() for w in _invented(rng, 400, set(taken), suffixes=False)]
    company_w = _zipf_weights(len(companies), 1.0)
    first_w, last_w = _zipf_weights(len(firsts), exponent), _zipf_weights(len(lasts), exponent)

    end_ts = pd.Timestamp(end)
    end_ts = end_ts.tz_localize("UTC") if end_ts.tzinfo is None else end_ts.tz_convert("UTC")
    end_dt = end_ts.to_pydatetime().replace(microsecond=0)
    span_days = 10 * 365
    used: set[str] = set()

    def new_address(first: str, last: str, domain: str) -> str:
        base = ascii_fold(f"{first}.{last}").lower().replace(" ", "").replace("'", "")
        local, k = base, 1
        while f"{local}@{domain}" in used:
            k += 1
            local = f"{base[0]}{base.split('.')[-1]}" if k == 2 else f"{base}{k}"
        used.add(f"{local}@{domain}")
        return f"{local}@{domain}"

    drawn_first = rng.choices(firsts, first_w, k=n_people)
    drawn_last = rng.choices(lasts, last_w, k=n_people)
    drawn_company = rng.choices(companies, company_w, k=n_people)
    rows = []
    for i in range(n_people):
        first, last = drawn_first[i], drawn_last[i]
        name = f"{first} {last}"
        start = rng.uniform(0, span_days - 30)
        stop = min(span_days, start + max(30.0, rng.expovariate(1 / (3 * 365))))
        activity = rng.lognormvariate(0, 1.2)
        pid = f"n{i + 1:06d}"
        job_change = rng.random() < job_change_share and stop - start > 240
        if job_change:
            old, new = rng.sample(range(len(companies)), 2)
            cut = rng.uniform(start + 60, stop - 60)
            for company, (a, b) in ((companies[old], (start, cut)), (companies[new], (cut, stop))):
                rows.append(
                    (new_address(first, last, f"{company}.com"), pid, name, company, a, b, True, activity)
                )
        elif rng.random() < 0.4:
            rows.append(
                (new_address(first, last, rng.choice(_FREE)), pid, name, None, start, stop, False, activity)
            )
        else:
            company = drawn_company[i]
            rows.append(
                (new_address(first, last, f"{company}.com"), pid, name, company, start, stop, False, activity)
            )

    # every address once, then the rest by activity
    picks = list(range(len(rows)))
    weights = [r[7] for r in rows]
    picks += rng.choices(range(len(rows)), weights, k=max(0, n_messages - len(rows)))
    rng.shuffle(picks)
    origin = end_dt - timedelta(days=span_days)
    messages = []
    for k, idx in enumerate(picks):
        key, _pid, name, _company, a, b, _jc, _act = rows[idx]
        t = (origin + timedelta(days=rng.uniform(a, b))).replace(microsecond=0)
        messages.append((t, k, name, key))
    messages.sort()

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for t, k, name, key in messages:
            outgoing = k % 2 == 0
            sender, recipient = (ME, (name, key)) if outgoing else ((name, key), ME)
            delivery = (
                "\n".join(_delivery_headers(random.Random(k), t, sender[1], outgoing)) + "\n"
                if delivery_headers
                else ""
            )
            fh.write(
                f"{from_line(10**18 + k, t)}\n"
                f"{delivery}"
                f"X-Gmail-Labels: {'Sent' if outgoing else 'Inbox,Opened'}\n"
                f"Date: {rfc2822(t)}\n"
                f"Message-ID: <m{k}.{seed}@namesakes.example>\n"
                f"Subject: note {k}\n"
                f"From: {address(*sender)}\n"
                f"To: {address(*recipient)}\n"
                "\n"
                f"Hi {recipient[0].split()[0]},\n\nA short note.\n\n"
            )
    truth = pd.DataFrame(
        [
            (key, pid, name, company, origin + timedelta(days=a), origin + timedelta(days=b), jc)
            for key, pid, name, company, a, b, jc, _act in rows
        ],
        columns=["key", "person_id", "name", "company", "first_seen", "last_seen", "job_change"],
    )
    return truth
