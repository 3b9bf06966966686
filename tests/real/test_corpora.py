"""Real mail, not our generator: the public list archives in ``../shared/corpora``.

Every expectation is computed here, independently, with the standard library's header parser
(as the corpora's README computed its facts), never with netanalytics' own functions. The
corpora are not ours to copy into the repository; CI has them beside the clone, and there
these tests must run (``.ci/run`` sets ``NETANALYTICS_REQUIRE_CORPORA=1``)."""

from __future__ import annotations

import collections
import email
import email.header
import email.policy
import email.utils
import os
import re
from pathlib import Path

import pytest

import netanalytics as na
from netanalytics import schema as S
from netanalytics.io import read_maildir

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"
NAMES = ("openbmc", "kasan-dev")
_ID = re.compile(r"<([^<>\s]+)>")

if not all((CORPORA / n / "cur").is_dir() for n in NAMES):
    if os.environ.get("NETANALYTICS_REQUIRE_CORPORA"):
        raise RuntimeError(f"the real corpora are missing: expected {CORPORA}/<{'|'.join(NAMES)}>/cur")
    pytest.skip(f"real corpora not found at {CORPORA}", allow_module_level=True)


def _decoded(value: str) -> str:
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (UnicodeError, LookupError, email.errors.HeaderParseError):
        return value


def _first_id(value) -> str | None:
    if value is None:
        return None
    ids = _ID.findall(str(value))
    return ids[0] if ids else (str(value).strip() or None)


class Facts:
    """What the standard library finds in one corpus, and the top poster's correspondents."""

    def __init__(self, name: str):
        self.path = CORPORA / name
        self.messages = []
        for f in sorted((self.path / "cur").iterdir()):
            m = email.message_from_bytes(f.read_bytes(), policy=email.policy.compat32)
            raw_from = str(m.get("From", ""))
            via = " via " in _decoded(raw_from)
            real = m.get("X-Original-From") or m.get("Reply-To")
            author = email.utils.parseaddr(str(real) if via and real else raw_from)[1].lower()
            rcpt = m.get_all("To", []) + m.get_all("Cc", [])
            self.messages.append(
                {
                    "author": author,
                    "via": via,
                    "id": _first_id(m["Message-ID"]),
                    "in_reply_to": _first_id(m["In-Reply-To"]),
                    "recipients": {a.lower() for _, a in email.utils.getaddresses([str(x) for x in rcpt])},
                    "date": email.utils.parsedate_to_datetime(m["Date"]),
                    "list": email.utils.parseaddr(str(m["List-Post"]).split("mailto:")[-1])[1].lower(),
                }
            )
        self.me = collections.Counter(x["author"] for x in self.messages).most_common(1)[0][0]
        by_id = {x["id"]: x for x in self.messages}
        mine = {x["id"] for x in self.messages if x["author"] == self.me}
        replied_to = {by_id[x["in_reply_to"]]["author"] for x in self.messages
                      if x["author"] == self.me and x["in_reply_to"] in by_id}  # fmt: skip
        answered_by = {
            x["author"] for x in self.messages if x["author"] != self.me and x["in_reply_to"] in mine
        }
        wrote_to_me = {
            x["author"] for x in self.messages if x["author"] != self.me and self.me in x["recipients"]
        }
        self.correspondents = (replied_to | answered_by | wrote_to_me) - {self.me}
        self.list_addresses = {x["list"] for x in self.messages}


@pytest.fixture(scope="module", params=NAMES)
def corpus(request):
    facts = Facts(request.param)
    net = na.load(email=facts.path, me=facts.me, cache=False, progress=False)
    frame, report = read_maildir(facts.path, cache=False)
    return facts, net, frame, report


def test_every_message_is_read_and_only_true_duplicates_dropped(corpus):
    facts, _, frame, report = corpus
    distinct = {(x["id"], x["author"], x["date"]) for x in facts.messages}
    assert report.files[0].read == len(facts.messages)
    assert len(frame) == len(distinct) == len(facts.messages)  # no message repeats in these archives
    assert report.files[0].skipped == {}


def test_every_thread_link_is_kept(corpus):
    facts, _, frame, _ = corpus
    ours = frame[S.IN_REPLY_TO].notna().sum()
    theirs = sum(x["in_reply_to"] is not None for x in facts.messages)
    assert ours == theirs
    ids = set(frame[S.MESSAGE_ID])
    resolved = {"openbmc": 1529, "kasan-dev": 801}[facts.path.name]  # the corpora README
    assert frame[S.IN_REPLY_TO].isin(ids).sum() == resolved


def test_every_via_sender_is_the_person(corpus):
    facts, _, frame, _ = corpus
    via = [x["author"] for x in facts.messages if x["via"]]
    assert len(via) == {"openbmc": 0, "kasan-dev": 326}[facts.path.name]
    by_id = dict(zip(frame[S.MESSAGE_ID], frame[S.SENDER]))
    assert [by_id[x["id"]] for x in facts.messages if x["via"]] == via
    assert not frame[S.SENDER].isin(facts.list_addresses).any()


def test_list_addresses_are_never_people(corpus):
    facts, net, _, _ = corpus
    emails = {e for es in net.people[S.EMAILS] for e in es}
    assert facts.list_addresses == {{"openbmc": "openbmc@lists.ozlabs.org",
                                     "kasan-dev": "kasan-dev@googlegroups.com"}[facts.path.name]}  # fmt: skip
    assert not emails & facts.list_addresses
    assert not {e for e in emails if re.search(r"@(vger\.kernel\.org|lists\.|googlegroups\.com)", e)}


def test_the_top_posters_correspondents_are_interactions(corpus):
    facts, net, _, _ = corpus
    k2p = dict(zip(net.identities[S.KEY], net.identities[S.PERSON_ID]))
    with_interactions = set(net.interactions[S.PERSON_ID])
    found = {k for k in facts.correspondents if k2p.get(k) in with_interactions}
    share = len(found) / len(facts.correspondents)
    print(f"{facts.path.name}: {len(found)} of {len(facts.correspondents)} correspondents ({share:.1%})")
    assert len(facts.correspondents) == {"openbmc": 59, "kasan-dev": 97}[facts.path.name]
    assert share >= 0.9


def test_list_broadcasts_weigh_as_broadcasts(corpus):
    """A post that neither has me in To/Cc nor answers me counts the list's audience."""
    facts, net, _, _ = corpus
    me, inter = facts.me, net.interactions
    to_me = {x["id"] for x in facts.messages if me in x["recipients"]}
    mine = {x["id"] for x in facts.messages if x["author"] == me}
    answers = {x["id"] for x in facts.messages if x["in_reply_to"] in mine}
    incoming = inter[inter[S.DIRECTION] == S.IN]
    broadcast = incoming[~incoming[S.MESSAGE_ID].isin(to_me | answers)]
    assert len(broadcast) > 0
    assert (broadcast[S.N_PARTICIPANTS] > 10).all()
    # a post to me or answering me counts at most its own people: the author, its recipients
    # that are not lists, and me
    own = {x["id"]: 2 + len(x["recipients"] - facts.list_addresses - {me}) for x in facts.messages}
    direct = incoming[incoming[S.MESSAGE_ID].isin(to_me | answers)]
    assert len(direct) > 0
    assert (direct[S.N_PARTICIPANTS] <= direct[S.MESSAGE_ID].map(own)).all()
    assert direct[S.N_PARTICIPANTS].min() < broadcast[S.N_PARTICIPANTS].min()


@pytest.mark.parametrize("name", NAMES)
def test_column_route_equals_the_per_message_route_on_real_mail(name, tmp_path):
    """The fast column route of the mbox reader and the per-message route give the same frame."""
    import mmap
    import subprocess
    import sys

    import pandas as pd

    from netanalytics.io import _mbox as M

    box = tmp_path / f"{name}.mbox"
    subprocess.run([sys.executable, str(CORPORA / "make_mbox.py"), str(CORPORA / name), str(box)], check=True)
    with open(box, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        blocks, lines, positions = M.mbox_blocks(mm, M.check_mbox_start(mm, str(box)), len(mm))

    def frame_of(feed):
        batch = M.Batch("mbox", name, str(box))
        feed(batch)
        result = M.clear_caches() or batch.finish()
        return M.frame_from_parts([M.prepare_parts(result["parts"])]), result

    columns, r1 = frame_of(lambda b: b.add_mbox_blocks(blocks, lines, positions))
    per_message, r2 = frame_of(
        lambda b: [b.add_block(x, line, at) for x, line, at in zip(blocks, lines, positions, strict=True)]
    )
    assert len(columns) == len(blocks) == {"openbmc": 2000, "kasan-dev": 1000}[name]
    pd.testing.assert_frame_equal(columns, per_message)
    assert (r1["read"], r1["skipped"], r1["counters"]) == (r2["read"], r2["skipped"], r2["counters"])


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.usefixtures("speedups")
def test_the_c_scan_finds_what_the_python_scan_finds_on_real_mail(name, crlf, tmp_path, monkeypatch):
    import mmap
    import subprocess
    import sys

    from netanalytics.io import _mbox as M
    from netanalytics.io import _native

    box = tmp_path / f"{name}.mbox"
    make = [sys.executable, str(CORPORA / "make_mbox.py"), str(CORPORA / name), str(box)]
    subprocess.run(make + (["--crlf"] if crlf else []), check=True)
    with open(box, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        start = M.check_mbox_start(mm, str(box))
        in_c = M.mbox_blocks(mm, start, len(mm))
        monkeypatch.setattr(_native, "SPEEDUPS", None)
        in_python = M.mbox_blocks(mm, start, len(mm))
    assert len(in_c[0]) == {"openbmc": 2000, "kasan-dev": 1000}[name]
    assert in_c == in_python
