"""Consistent pseudonyms for a Network, so a notebook can be shared.

Every column is rewritten by its privacy treatment in :data:`netanalytics.schema.PRIVACY`;
a column without one makes :func:`anonymize_network` raise, so none is shared by oversight."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import replace

import numpy as np
import pandas as pd

from netanalytics import schema as S
from netanalytics.identity import email_domain, is_free_mail
from netanalytics.io.report import FileReport, LoadReport

_FIRST = [
    "Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Gray", "Harper", "Indy", "Jules", "Kai",
    "Logan", "Marlo", "Noel", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Tatum", "Umber", "Vale",
    "Wren", "Yael", "Zion", "Arden", "Briar", "Cody", "Dale", "Eden",
]  # fmt: skip
_LAST = [
    "Ashby", "Brook", "Carver", "Dalton", "Ellery", "Fairley", "Garnet", "Hollis", "Ingram", "Jarvis",
    "Kestrel", "Lowell", "Mercer", "Norwood", "Oakes", "Penrose", "Quarry", "Rowan", "Sutton", "Thorne",
    "Underhill", "Vance", "Whitby", "Yardley", "Zephyr", "Alder", "Bexley", "Colby", "Darby", "Easton",
]  # fmt: skip

# Frames a Network carries, in the order they are rewritten.
FRAMES = (
    "people", "identities", "interactions", "messages", "contacts", "endorsements",
    "recommendations", "invitations", "participation", "candidates",
)  # fmt: skip

# Mail folders and Gmail labels that name no one (kept; any other label becomes "label N").
_SYSTEM_LABELS = frozenset(
    {"inbox", "sent", "sent mail", "sent items", "drafts", "draft", "trash", "deleted items", "spam",
     "junk", "important", "starred", "unread", "opened", "archived", "chat", "outbox", "mycontacts",
     "starred contacts", "friends", "family", "coworkers"}
)  # fmt: skip


def _digest(seed: int, text: str) -> str:
    return hashlib.sha256(f"{seed}:{text}".encode()).hexdigest()


class _Pseudonyms:
    """One consistent pseudonym per name, key, id, company, domain, label and file."""

    def __init__(self, net, seed: int):
        self.seed = seed
        rng = np.random.default_rng(seed)
        combos = [(first, last) for first in _FIRST for last in _LAST]
        order = rng.permutation(len(combos))
        self.name: dict = {}
        for i, pid in enumerate(net.people.index):
            first, last = combos[order[i % len(combos)]]
            suffix = "" if i < len(combos) else f" {i // len(combos) + 1}"
            self.name[pid] = f"{first} {last}{suffix}"
        self.k2p = dict(zip(net.identities[S.KEY], net.identities[S.PERSON_ID]))
        self._numbered: dict[str, dict] = {"company": {}, "domain": {}, "label": {}, "path": {}}
        self.key_map = self._keys(net.identities)

    def numbered(self, kind: str, value, template: str):
        """``template`` numbered by first sight of ``value`` (None stays None)."""
        if not isinstance(value, str) or not value:
            return None
        seen = self._numbered[kind]
        if value not in seen:
            seen[value] = template.format(len(seen) + 1)
        return seen[value]

    def domain(self, domain):
        if isinstance(domain, str) and is_free_mail(domain):
            return domain  # a free-mail provider names no one and is a category of its own
        return self.numbered("domain", domain, "org{}.example")

    def label(self, label):
        if not isinstance(label, str):
            return label
        if label.lstrip("* ").strip().lower() in _SYSTEM_LABELS or label.lower().startswith("category "):
            return label
        return self.numbered("label", label, "label {}")

    def record(self, record_id):
        return None if not isinstance(record_id, str) else "r" + _digest(self.seed, record_id)[:12]

    def ident(self, value):
        return (
            value if not isinstance(value, str) else "id" + _digest(self.seed, value)[:16] + "@anon.invalid"
        )

    def _keys(self, identities: pd.DataFrame) -> dict[str, str]:
        out: dict[str, str] = {}
        count: Counter = Counter()
        for key, pid in sorted(zip(identities[S.KEY], identities[S.PERSON_ID]), key=lambda kp: kp[0]):
            kind = S.key_kind(key)
            base = self.name.get(pid) or "sender " + _digest(self.seed, key)[:6]
            slug = base.lower().replace(" ", ".")
            count[(pid, kind)] += 1
            tag = "" if count[(pid, kind)] == 1 else str(count[(pid, kind)])
            if kind == S.KEY_EMAIL:
                out[key] = f"{slug}{tag}@{self.domain(email_domain(key))}"
            elif kind == S.KEY_URL:
                out[key] = (
                    f"https://www.linkedin.com/in/{slug.replace('.', '-')}{tag}-{_digest(self.seed, key)[:4]}"
                )
            elif kind == S.KEY_NAME:
                out[key] = S.name_key(base)
            elif kind == S.KEY_PHONE:  # a number in the reserved fictional range, same per key
                out[key] = "tel:+1555" + str(int(_digest(self.seed, key)[:8], 16) % 10_000_000).zfill(7)
            else:
                source, _, record_id = key.removeprefix("record:").partition(":")
                out[key] = S.record_key(source, self.record(record_id))
        return out

    def key(self, key):
        if not isinstance(key, str):
            return key
        return self.key_map.get(key) or "anon:" + _digest(self.seed, key)[:10]

    # --- whose name is on a row -----------------------------------------------------------

    def row_people(self, frame: pd.DataFrame, column: str) -> list:
        """The person (or, for name lists, the people) each row's name belongs to."""
        k2p = self.k2p
        if column == S.SENDER_NAME:
            return [k2p.get(k) for k in frame[S.SENDER]]
        if column in (S.TO_NAMES, S.CC_NAMES):
            keys = frame[S.TO if column == S.TO_NAMES else S.CC]
            return [[k2p.get(k) for k in ks] for ks in keys]
        if column in ("name_a", "name_b"):
            return list(frame["person_" + column[-1]])
        if S.PERSON_ID in frame.columns:
            return list(frame[S.PERSON_ID])
        if frame.index.name == S.PERSON_ID:
            return list(frame.index)
        if S.RECORD_ID in frame.columns:  # contact records
            return [k2p.get(S.record_key(s, r)) for s, r in zip(frame[S.SOURCE], frame[S.RECORD_ID])]
        raise ValueError(f"anonymize: cannot tell whose name the column {column!r} holds")

    def column(self, frame: pd.DataFrame, column: str, where: str) -> list | None:
        """The column's new values, or None when it is kept as it is."""
        if column not in S.PRIVACY:
            raise ValueError(
                f"anonymize: column {where}.{column} has no privacy class; add it to "
                "netanalytics.schema.PRIVACY before it can be shared"
            )
        treatment = S.PRIVACY[column][1]
        values = frame[column]
        if treatment == "keep":
            return None
        if treatment == "remove":
            return [[] if isinstance(v, list) else None for v in values]
        if treatment in ("name", "first_name", "last_name"):
            names = [self.name.get(p) if isinstance(p, str) else None for p in self.row_people(frame, column)]
            if treatment == "first_name":
                return [n.split()[0] if n else None for n in names]
            if treatment == "last_name":
                return [n.split()[-1] if n else None for n in names]
            return names
        if treatment == "names":
            return [[self.name.get(p) for p in ps] for ps in self.row_people(frame, column)]
        one = {
            "key": self.key,
            "keys": self.key,
            "id": self.ident,
            "ids": self.ident,
            "company": lambda v: self.numbered("company", v, "Company {}"),
            "domain": self.domain,
            "label": self.label,
            "labels": self.label,
            "path": lambda v: self.numbered("path", v, "file {}"),
            "record": self.record,
        }[treatment]
        if treatment in ("keys", "ids", "labels"):
            return [[one(v) for v in vs] for vs in values]
        return [one(v) for v in values]

    def frame(self, frame: pd.DataFrame, where: str) -> pd.DataFrame:
        if frame.index.name is not None and frame.index.name not in S.PRIVACY:
            raise ValueError(f"anonymize: the index {where}.{frame.index.name} has no privacy class")
        out = frame.copy()
        for column in frame.columns:
            values = self.column(frame, column, where)
            if values is not None:
                out[column] = pd.Series(values, index=frame.index, dtype=object)
        return out


def anonymize_network(net, seed: int = 0):
    """See :meth:`netanalytics.network.Network.anonymize`."""
    pseudo = _Pseudonyms(net, seed)
    frames = {}
    for name in FRAMES:
        frame = getattr(net, name)
        if frame is not None:
            frames[name] = pseudo.frame(frame, name)
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
    return replace(net, report=report, **frames)


__all__: list[str] = []
