"""Consistent pseudonyms for a Network, so a notebook can be shared."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import replace

import numpy as np

from netanalytics import schema as S
from netanalytics.io.report import FileReport, LoadReport

_FIRST = [
    "Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Gray", "Harper", "Indy", "Jules", "Kai",
    "Logan", "Marlo", "Noel", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Tatum", "Umber", "Vale",
    "Wren", "Yael", "Zion", "Arden", "Briar", "Cody", "Dale", "Eden",
]
_LAST = [
    "Ashby", "Brook", "Carver", "Dalton", "Ellery", "Fairley", "Garnet", "Hollis", "Ingram", "Jarvis",
    "Kestrel", "Lowell", "Mercer", "Norwood", "Oakes", "Penrose", "Quarry", "Rowan", "Sutton", "Thorne",
    "Underhill", "Vance", "Whitby", "Yardley", "Zephyr", "Alder", "Bexley", "Colby", "Darby", "Easton",
]


def _digest(seed: int, text: str) -> str:
    return hashlib.sha256(f"{seed}:{text}".encode()).hexdigest()


def anonymize_network(net, seed: int = 0):
    """See :meth:`netanalytics.network.Network.anonymize`."""
    rng = np.random.default_rng(seed)
    pids = list(net.people.index)
    combos = [(first, last) for first in _FIRST for last in _LAST]
    order = rng.permutation(len(combos))
    pseudo_name = {}
    for i, pid in enumerate(pids):
        first, last = combos[order[i % len(combos)]]
        suffix = "" if i < len(combos) else f" {i // len(combos) + 1}"
        pseudo_name[pid] = f"{first} {last}{suffix}"
    domains = {}

    def pseudo_domain(domain: str) -> str:
        if domain not in domains:
            domains[domain] = f"org{len(domains) + 1}.example"
        return domains[domain]

    companies: dict = {}

    def pseudo_company(company):
        if not isinstance(company, str) or not company:
            return None
        if company not in companies:
            companies[company] = f"Company {len(companies) + 1}"
        return companies[company]

    key_map: dict[str, str] = {}
    ident = net.identities.sort_values(S.KEY)
    per_person_count: dict = {}
    for key, pid in zip(ident[S.KEY], ident[S.PERSON_ID]):
        kind = S.key_kind(key)
        base = pseudo_name.get(pid, "Sender " + _digest(seed, key)[:6]) if pid is not None else "sender " + _digest(seed, key)[:6]
        slug = base.lower().replace(" ", ".")
        n = per_person_count.get((pid, kind), 0)
        per_person_count[(pid, kind)] = n + 1
        tag = "" if n == 0 else str(n + 1)
        if kind == S.KEY_EMAIL:
            key_map[key] = f"{slug}{tag}@{pseudo_domain(key.rsplit('@', 1)[1])}"
        elif kind == S.KEY_URL:
            key_map[key] = f"https://www.linkedin.com/in/{slug.replace('.', '-')}{tag}-{_digest(seed, key)[:4]}"
        elif kind == S.KEY_NAME:
            key_map[key] = S.name_key(base)
        else:
            key_map[key] = f"record:anon:{_digest(seed, key)[:10]}"

    def mk(k):
        if not isinstance(k, str):
            return k
        return key_map.get(k, k if S.key_kind(k) == S.KEY_RECORD else "anon:" + _digest(seed, k)[:10])

    people = net.people.copy()
    people[S.NAME] = [pseudo_name[p] for p in people.index]
    people[S.EMAILS] = [[mk(e) for e in es] for es in people[S.EMAILS]]
    people[S.LINKEDIN_URL] = [mk(u) for u in people[S.LINKEDIN_URL]]
    people[S.COMPANY] = [pseudo_company(c) for c in people[S.COMPANY]]
    people[S.TITLE] = None
    people[S.DOMAIN] = [pseudo_domain(d) if isinstance(d, str) else None for d in people[S.DOMAIN]]

    identities = net.identities.copy()
    identities[S.KEY] = [mk(k) for k in identities[S.KEY]]
    identities[S.DISPLAY_NAME] = [
        pseudo_name.get(p) if p is not None else None for p in identities[S.PERSON_ID]
    ]

    messages = net.messages.copy()
    messages[S.SENDER] = [mk(k) for k in messages[S.SENDER]]
    for col in (S.TO, S.CC):
        messages[col] = [[mk(k) for k in ks] for ks in messages[col]]
    k2p = dict(zip(net.identities[S.KEY], net.identities[S.PERSON_ID]))
    messages[S.SENDER_NAME] = [pseudo_name.get(k2p.get(k)) for k in net.messages[S.SENDER]]
    for keys_col, names_col in ((S.TO, S.TO_NAMES), (S.CC, S.CC_NAMES)):
        messages[names_col] = [[pseudo_name.get(k2p.get(k)) for k in ks] for ks in net.messages[keys_col]]
    messages[S.SUBJECT] = None
    messages[S.MAILING_LIST] = [mk(k) if isinstance(k, str) else None for k in messages[S.MAILING_LIST]]

    contacts = net.contacts.copy()
    if len(contacts):
        k2name = {S.record_key(s, r): None for s, r in zip(contacts[S.SOURCE], contacts[S.RECORD_ID])}
        contacts[S.FULL_NAME] = [pseudo_name.get(k2p.get(k)) for k in k2name]
        contacts[S.FIRST_NAME] = [n.split()[0] if n else None for n in contacts[S.FULL_NAME]]
        contacts[S.MIDDLE_NAME] = None
        contacts[S.LAST_NAME] = [n.split()[-1] if n else None for n in contacts[S.FULL_NAME]]
        contacts[S.EMAILS] = [[mk(e) for e in es] for es in contacts[S.EMAILS]]
        contacts[S.PHONES] = [[] for _ in range(len(contacts))]
        contacts[S.LINKEDIN_URL] = [mk(u) for u in contacts[S.LINKEDIN_URL]]
        contacts[S.COMPANY] = [pseudo_company(c) for c in contacts[S.COMPANY]]
        contacts[S.BIRTHDAY] = None

    extras = {}
    for name in ("endorsements", "recommendations", "invitations"):
        frame = getattr(net, name).copy()
        names = [pseudo_name.get(p) if p is not None else None for p in frame[S.PERSON_ID]]
        if S.FIRST_NAME in frame.columns:
            frame[S.FIRST_NAME] = [n.split()[0] if n else None for n in names]
            frame[S.LAST_NAME] = [n.split()[-1] if n else None for n in names]
        if S.NAME in frame.columns:
            frame[S.NAME] = names
        if S.LINKEDIN_URL in frame.columns:
            frame[S.LINKEDIN_URL] = [mk(u) for u in frame[S.LINKEDIN_URL]]
        if S.TEXT in frame.columns:
            frame[S.TEXT] = None
        if S.COMPANY in frame.columns:
            frame[S.COMPANY] = [pseudo_company(c) for c in frame[S.COMPANY]]
        extras[name] = frame

    candidates = net.candidates
    if candidates is not None and len(candidates):
        candidates = candidates.copy()
        candidates["name_a"] = [pseudo_name.get(p) for p in candidates["person_a"]]
        candidates["name_b"] = [pseudo_name.get(p) for p in candidates["person_b"]]
        candidates["key_a"] = [mk(k) for k in candidates["key_a"]]
        candidates["key_b"] = [mk(k) for k in candidates["key_b"]]

    # warnings and notes quote addresses, names and message ids: keep only the counts
    report = LoadReport(
        files=[
            FileReport(
                path=f"file {i + 1} ({f.kind})",
                kind=f.kind,
                kept=f.kept,
                skipped=Counter(f.skipped),
                warnings=[f"{len(f.warnings)} warnings removed by anonymize()"] if f.warnings else [],
                not_read=None if f.not_read is None else "removed by anonymize()",
            )
            for i, f in enumerate(net.report.files)
        ],
        missing=list(net.report.missing),
        stages=[
            FileReport(path=f.path, kind=f.kind, kept=f.kept, skipped=Counter(f.skipped))
            for f in net.report.stages
        ],
    )
    return replace(
        net,
        report=report,
        people=people,
        identities=identities,
        messages=messages,
        contacts=contacts,
        candidates=candidates,
        **extras,
    )


__all__: list[str] = []
