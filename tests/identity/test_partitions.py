"""Identity resolution gives the same people as before on the sample and on the real corpora.

``data/partitions.json`` holds, per world, the sorted key groups of every person as the code
computed them before identity rules became functions (issue 15); rewrite it only when a change
of result is intended: ``PYTHONPATH=. python tests/identity/test_partitions.py``.
"""

from __future__ import annotations

import collections
import email
import email.header
import email.policy
import email.utils
import json
import os
from pathlib import Path

import pytest

import netanalytics as na
from netanalytics import schema as S

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"
NAMES = ("openbmc", "kasan-dev")
DATA = Path(__file__).with_name("data") / "partitions.json"


def top_poster(path: Path) -> str:
    """The address that wrote most messages in a Maildir (standard library parser; a post
    relayed by a list, "X via kasan-dev", counts for its author, as in tests/real)."""
    counts = collections.Counter()
    for f in (path / "cur").iterdir():
        m = email.message_from_bytes(f.read_bytes(), policy=email.policy.compat32)
        raw_from = str(m.get("From", ""))
        real = m.get("X-Original-From") or m.get("Reply-To")
        via = " via " in str(email.header.make_header(email.header.decode_header(raw_from)))
        counts[email.utils.parseaddr(str(real) if via and real else raw_from)[1].lower()] += 1
    return counts.most_common(1)[0][0]


def partition(net) -> list[list[str]]:
    """Sorted list of the sorted key groups of each person (automated keys left out). Phone
    keys (``tel:``, added after the record was made) are left out too: they join a record's
    own keys, and a phone that joined two recorded people would still show as a change."""
    ids = net.identities.dropna(subset=[S.PERSON_ID])
    ids = ids[~ids[S.KEY].str.startswith("tel:")]
    groups = ids.groupby(S.PERSON_ID)[S.KEY].apply(lambda s: sorted(s))
    return sorted(groups.tolist())


def load_world(name: str, me: str | None = None):
    if name == "sample":
        return na.datasets.load_sample()
    return na.load(email=CORPORA / name, me=me, cache=False, progress=False)


def record() -> None:
    out = {"sample": {"me": None, "partition": partition(load_world("sample"))}}
    for name in NAMES:
        me = top_poster(CORPORA / name)
        out[name] = {"me": me, "partition": partition(load_world(name, me))}
    DATA.write_text(json.dumps(out, indent=0, sort_keys=True) + "\n")


@pytest.mark.parametrize("name", ("sample", *NAMES))
def test_partition_unchanged(name):
    recorded = json.loads(DATA.read_text())[name]
    if name != "sample" and not (CORPORA / name / "cur").is_dir():
        if os.environ.get("NETANALYTICS_REQUIRE_CORPORA"):
            raise RuntimeError(f"the real corpora are missing: expected {CORPORA / name}")
        pytest.skip(f"real corpus not found at {CORPORA / name}")
    now = partition(load_world(name, recorded["me"]))
    changed = [g for g in now if g not in recorded["partition"]]
    print(f"\n{name}: {len(now)} people, {len(changed)} differ from the record")
    assert now == recorded["partition"], changed[:10]


if __name__ == "__main__":
    record()
