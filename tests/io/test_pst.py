"""Tests for netanalytics.io.outlook: Outlook data files (.pst, .ost) and saved messages (.msg).

The .pst files are real ones in ``../shared/corpora/pst`` (not ours to copy into the
repository; CI has them beside the clone and ``.ci/run`` sets ``NETANALYTICS_REQUIRE_CORPORA=1``
so that these tests fail rather than skip there). Expected counts are the corpora README's;
expected header values are read here with the standard library's parser from the transport
headers libpff returns, not with netanalytics' own parser. The .msg fixtures are ours, written
by ``scripts/make_msg_fixtures.py`` (aspose-email-foss): every value asserted is one set there.
"""

from __future__ import annotations

import collections
import email
import email.policy
import email.utils
import os
import random
import shutil
from pathlib import Path

import pandas as pd
import pypff
import pytest

import netanalytics as na
from netanalytics import schema as S
from netanalytics.cli import main
from netanalytics.exceptions import FormatError
from netanalytics.io import outlook as O
from netanalytics.io import read_email, read_msg, read_pst, read_pst_contacts

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "pst"
NAMES = ("support.pst", "outlook.pst", "32-bit.pst")
MSG = Path(__file__).parent / "fixtures" / "msg"

if not all((CORPORA / n).is_file() for n in NAMES):
    if os.environ.get("NETANALYTICS_REQUIRE_CORPORA"):
        raise RuntimeError(f"the real .pst corpora are missing: expected {CORPORA}/<{'|'.join(NAMES)}>")
    pytest.skip(f"real .pst corpora not found at {CORPORA}", allow_module_level=True)


def read(path, **kwargs):
    frame, report = read_pst(path, cache=False, **kwargs)
    S.validate(frame, S.MESSAGES)
    for f in report.files:
        assert f.read == f.kept + f.n_skipped
    assert report.kept == len(frame)
    assert frame[S.MESSAGE_ID].is_unique
    assert (frame[S.SOURCE] == "pst").all()
    assert (frame[S.N_RECIPIENTS] == frame[S.TO].map(len) + frame[S.CC].map(len)).all()
    return frame, report.files[0]


def _stdlib_headers(path: Path, folder: str) -> list[email.message.Message]:
    """The transport headers of a folder's items, parsed by the standard library."""
    pst = pypff.file()
    pst.open(str(path))
    try:
        top = pst.root_folder.get_sub_folder(1)
        (wanted,) = [
            top.get_sub_folder(i)
            for i in range(top.number_of_sub_folders)
            if top.get_sub_folder(i).name == folder
        ]
        return [
            email.message_from_string(
                wanted.get_sub_message(i).transport_headers, policy=email.policy.compat32
            )
            for i in range(wanted.number_of_sub_messages)
        ]
    finally:
        pst.close()


# --- support.pst: 17 items, Drafts 6, Sent Messages 11, all with transport headers -----------------


def test_support_pst_counts():
    frame, report = read(CORPORA / "support.pst")
    assert (report.read, report.kept) == (17, 11)
    assert dict(report.skipped) == {O.SKIP_DRAFT: 6}
    assert report.notes["counters"]["transport_headers"] == 11
    assert "mapi_properties" not in report.notes["counters"]
    assert report.notes["message_classes"] == {"Note": 17}
    assert set(frame[S.FOLDER]) == {"Sent Messages"}
    assert frame[S.LABELS].map(list).tolist() == [[]] * 11
    assert (frame[S.CHANNEL] == "email").all()
    # filed in Sent Messages: the owner is found from them, and every row is from me
    assert report.notes["me"]["rule"] == "sent_label"
    assert frame[S.IS_FROM_ME].all()


def test_support_pst_headers_match_the_standard_library():
    frame, _ = read(CORPORA / "support.pst")
    sent = _stdlib_headers(CORPORA / "support.pst", "Sent Messages")
    assert len(sent) == 11
    expected = {
        m["Message-ID"].strip("<> "): (
            email.utils.parseaddr(m["From"])[1].lower(),
            pd.Timestamp(email.utils.parsedate_to_datetime(m["Date"])).tz_convert("UTC"),
            m["Subject"],
        )
        for m in sent
    }
    got = {
        r.message_id: (r.sender, r.timestamp, r.subject)
        for r in frame[[S.MESSAGE_ID, S.SENDER, S.TIMESTAMP, S.SUBJECT]].itertuples()
    }
    assert got == expected
    # the one message with a To header; the others went out by Bcc only
    test = frame.set_index(S.MESSAGE_ID).loc["A2E2D8FE-61EC-49CA-855D-925EFDA4A28F@hackingteam.com"]
    assert (test[S.TO], test[S.SENDER_NAME], test[S.BCC]) == (["vale@hackingteam.it"], "ht", [])
    assert frame[S.TO].map(len).sum() == 1
    # the BCC header of the other ten, as the standard library reads it (folded, with names)
    bcc = {
        m["Message-ID"].strip("<> "): [
            a.lower() for _, a in email.utils.getaddresses(m.get_all("Bcc") or []) if a
        ]
        for m in sent
    }
    assert frame.set_index(S.MESSAGE_ID)[S.BCC].to_dict() == bcc
    assert sum(map(bool, bcc.values())) == 10 and sum(map(len, bcc.values())) == 782


def test_support_pst_bcc_only_messages_become_interactions():
    """Before the bcc column, the ten Bcc-only sent messages were dropped as self-mail."""
    net = na.load(email=[CORPORA / "support.pst"], cache=False)
    inter = net.interactions
    assert len(net.messages) == 11
    (stage,) = net.report.stages  # was {"self-mail (only me on it)": 10}, and 1 interaction
    assert dict(stage.skipped) == {}
    assert (inter[S.DIRECTION] == S.OUT).all()
    assert inter[S.ROLE].value_counts().to_dict() == {"bcc": 773, "to": 1}
    # 782 Bcc addresses: 1 is the owner, 8 are one newsletter address (automated, not a person)
    assert inter.loc[inter[S.ROLE] == "bcc", S.MESSAGE_ID].nunique() == 10
    assert inter[S.PERSON_ID].nunique() == 151
    per_message = inter.groupby(S.MESSAGE_ID).agg(rows=(S.PERSON_ID, "size"), n=(S.N_PARTICIPANTS, "first"))
    assert sorted(per_message["rows"]) == [1, 1, 51, 79, 79, 87, 90, 92, 93, 96, 105]
    assert (per_message["n"] == per_message["rows"] + 1).all()  # the counterparts and me
    # Bcc recipients are linked to me only: no alter-alter edge, no participation row
    assert set(net.participation[S.ROLE]) == {"from", "to"}
    G = net.graph()
    assert G.number_of_edges() == 151 and all(net.me in edge for edge in G.edges)


def test_support_pst_threads_by_conversation_index():
    frame, _ = read(CORPORA / "support.pst")
    assert frame[S.THREAD_ID].str.startswith("outlook-conversation-").all()
    # 44 hex digits: the 22-byte header block of the conversation index
    assert (frame[S.THREAD_ID].str.len() == len("outlook-conversation-") + 44).all()


# --- outlook.pst: 2 items without transport headers ---------------------------------------------


def test_outlook_pst_from_mapi_properties():
    frame, report = read(CORPORA / "outlook.pst")
    assert report.read == 2
    assert report.notes["counters"]["mapi_properties"] == 2
    assert "transport_headers" not in report.notes["counters"]
    # Inbox and Recovered_Group2 hold the same message (same search key, sender and times):
    # the second copy is the first one again
    assert (report.kept, dict(report.skipped)) == (1, {"duplicate Message-ID": 1})
    row = frame.iloc[0]
    assert row[S.SENDER] == "olteam@microsoft.com"
    assert row[S.SENDER_NAME] == "Outlook 2003 Team"
    assert row[S.SUBJECT] == "Welcome to Microsoft Office Outlook 2003"
    assert row[S.TIMESTAMP] == pd.Timestamp("2007-04-29 22:27:33", tz="UTC")  # client submit time
    assert row[S.FOLDER] == "Inbox"
    assert row[S.MESSAGE_ID].startswith("synthetic-")  # no Internet Message-ID property
    # its one recipient ("New Outlook User") has no address at all
    assert row[S.TO] == [] and report.notes["counters"]["recipients_without_smtp_address"] == 2


# --- 32-bit.pst: ANSI format, one appointment in Calendar -----------------------------------------


def test_ansi_pst_appointment_is_a_meeting():
    frame, report = read(CORPORA / "32-bit.pst")
    assert (report.read, report.kept, report.n_skipped) == (1, 1, 0)
    assert report.notes["message_classes"] == {"Appointment": 1}
    row = frame.iloc[0]
    assert row[S.CHANNEL] == "meeting"
    assert row[S.FOLDER] == "Calendar"
    assert row[S.SUBJECT] == "Updated: Olympus training for new hires"
    assert row[S.TIMESTAMP] == pd.Timestamp("2004-08-19 18:30", tz="UTC")
    # the organizer has only an Exchange legacy DN; a recipient row carries the same DN
    # with its SMTP address
    assert (row[S.SENDER], row[S.SENDER_NAME]) == ("cyndy.foulkrod@stellent.com", "Cyndy Foulkrod")
    assert row[S.TO] == [
        "patty.fukasawa@stellent.com",
        "barb.tentinger@stellent.com",
        "zeeshan.farooq@stellent.com",
        "john.harrison@stellent.com",
        "al.senzamici@stellent.com",
        "vince.raso@stellent.com",
    ]
    assert row[S.TO_NAMES][:2] == ["Patty Fukasawa", "Barb Tentinger"]


def test_me_overrides_owner_detection():
    frame, report = read(CORPORA / "32-bit.pst", me="Cyndy.Foulkrod@stellent.com")
    assert report.notes["me"]["rule"] == "explicit"
    assert frame[S.IS_FROM_ME].tolist() == [True]


def test_several_files_are_one_archive():
    frame, report = read_pst([CORPORA / "support.pst", CORPORA / "32-bit.pst"], cache=False)
    assert [f.kept for f in report.files] == [11, 1]
    assert sorted(frame[S.CHANNEL].value_counts().items()) == [("email", 11), ("meeting", 1)]


def test_cache_round_trip(tmp_path):
    first, r1 = read_pst(CORPORA / "support.pst", cache_dir=tmp_path)
    again, r2 = read_pst(CORPORA / "support.pst", cache_dir=tmp_path)
    pd.testing.assert_frame_equal(first, again)
    assert (r2.files[0].kept, dict(r2.files[0].skipped)) == (11, {O.SKIP_DRAFT: 6})


def test_progress_bar_over_items(capsys):
    read_pst(CORPORA / "support.pst", cache=False, progress=True)
    err = capsys.readouterr().err
    assert err.startswith("\rsupport.pst:") and "/17" in err and "item/s" in err  # a bar over 17 items


def test_exchange_sender_resolved_by_a_later_item():
    """A sender known only by a legacy DN when its item was read gets the SMTP address that a
    later item's recipient table pairs with the same DN (compared without case)."""
    dn = "/O=ACME/OU=EXCHANGE ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=ANN"
    frame = pd.DataFrame({S.MESSAGE_ID: ["m1", "m2"], S.SENDER: ["name:Ann Lee", "name:Bo Chen"]}).astype(
        "str"
    )
    directory = O._Directory()
    directory.learn([O._Recipient("Ann Lee", "ann@acme.example", dn.lower(), 1, False, False)])
    counters, warnings = collections.Counter(), []
    pending = {"m1": (dn, "Ann Lee"), "m2": ("/O=ACME/CN=RECIPIENTS/CN=BO", "Bo Chen")}
    out = O._resolve_late(frame, pending, directory, counters, warnings.append, "x.pst")
    assert out[S.SENDER].tolist() == ["ann@acme.example", "name:Bo Chen"]
    assert counters == {"sender_exchange_dn_resolved": 1, "sender_exchange_dn_unresolved": 1}
    assert warnings == [
        "x.pst: message m2: sender Bo Chen has an Exchange address (/O=ACME/CN=RECIPIENTS/CN=BO) and no SMTP "
        "address in the file; kept by name"
    ]


# --- broken input -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1_000, 100_000, 900_000])
def test_truncated_pst_is_one_format_error(tmp_path, size):
    cut = tmp_path / "cut.pst"
    cut.write_bytes((CORPORA / "support.pst").read_bytes()[:size])
    with pytest.raises(FormatError) as info:
        read_pst(cut, cache=False)
    text = str(info.value)
    assert text.startswith(f"{cut}: damaged or truncated Outlook data file")
    assert "scanpst" in text and "\n" not in text


def test_not_a_pst_is_one_format_error(tmp_path):
    fake = tmp_path / "mail.pst"
    fake.write_text("From: a@b.c\n\nnot an Outlook file\n")
    with pytest.raises(FormatError, match=r"mail\.pst: not an Outlook data file: .*'!BDN', found b'From'"):
        read_pst(fake, cache=False)
    with pytest.raises(FileNotFoundError):
        read_pst(tmp_path / "missing.pst", cache=False)


def test_damaged_bytes_give_a_format_error_or_skipped_items(tmp_path):
    """Random bytes written over parts of a real file: either one FormatError, or every item
    accounted for (an item that cannot be read is skipped with the reason), never a crash."""
    data = (CORPORA / "support.pst").read_bytes()
    rng = random.Random(1)
    outcomes = set()
    for k in range(40):
        damaged = bytearray(data)
        start, length = rng.randrange(len(data) - 20_000), rng.choice([512, 4096, 20_000])
        damaged[start : start + length] = rng.randbytes(length)
        path = tmp_path / f"damaged{k}.pst"
        path.write_bytes(bytes(damaged))
        try:
            frame, report = read_pst(path, cache=False)
        except FormatError as exc:
            assert str(exc).startswith(f"{path}: damaged or truncated Outlook data file")
            outcomes.add("error")
            continue
        (f,) = report.files
        assert f.read == 17 and f.kept == len(frame)
        outcomes.add("skipped items" if O.SKIP_UNREADABLE in f.skipped else "read")
    assert outcomes == {"error", "skipped items", "read"}


def test_broken_pst_in_a_folder_is_reported_not_raised(tmp_path):
    shutil.copy(CORPORA / "32-bit.pst", tmp_path / "good.pst")
    (tmp_path / "bad.pst").write_bytes((CORPORA / "support.pst").read_bytes()[:1000])
    frame, report = read_email(tmp_path, cache=False)
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["good.pst"].kept == 1 and len(frame) == 1
    assert by_name["bad.pst"].not_read.startswith("damaged or truncated Outlook data file")


# --- contacts -------------------------------------------------------------------------------------


def test_corpora_contacts_folders_are_empty():
    for name in NAMES:
        frame, report = read_pst_contacts(CORPORA / name)
        S.validate(frame, S.CONTACTS)
        assert (len(frame), report.read) == (0, 0)


class _Entry:
    def __init__(self, tag, value):
        self.entry_type = tag
        self.value_type = 0x001F if isinstance(value, str) else 0x0003
        self.data_as_string = value if isinstance(value, str) else None
        self.data_as_integer = value if isinstance(value, int) else None


class _RecordSet:
    """A stand-in for pypff's record set: none of the corpora's .pst files holds a contact."""

    def __init__(self, values: dict):
        self.entries = [_Entry(t, v) for t, v in values.items()]

    def get_entry_by_type(self, tag):
        return next((e for e in self.entries if e.entry_type == tag), None)


def test_contact_item_mapping():
    item = type("Item", (), {"identifier": 2097188})()
    props = O._Props(
        _RecordSet(
            {
                0x3001: "Ann Lee",
                0x3A06: "Ann",
                0x3A11: "Lee",
                0x3A16: "Acme",
                0x3A17: "CTO",
                0x3A08: "+1 555 0100",
                0x3A1C: "+1 555 0199",
                0x8083: "Ann.Lee@Example.org",  # Email1EmailAddress (a named property)
                0x8084: "Ann Lee (ann.lee@example.org)",  # its display form: not a bare address
                0x8093: "ann@home.example",
            }
        )
    )
    row = O._contact_row(item, props, Path("x.pst"), "Contacts")
    assert row[S.EMAILS] == ["ann.lee@example.org", "ann@home.example"]
    assert row[S.PHONES] == ["+1 555 0100", "+1 555 0199"]
    assert (row[S.FULL_NAME], row[S.FIRST_NAME], row[S.LAST_NAME]) == ("Ann Lee", "Ann", "Lee")
    assert (row[S.COMPANY], row[S.TITLE], row[S.LABELS], row[S.RECORD_ID]) == (
        "Acme",
        "CTO",
        ["Contacts"],
        "2097188",
    )


# --- .msg ----------------------------------------------------------------------------------------


def test_read_msg_fixtures():
    frame, report = read_msg(MSG)
    S.validate(frame, S.MESSAGES)
    (f,) = report.files
    assert (f.read, f.kept, f.kind) == (2, 2, "msg")
    by_id = frame.set_index(S.MESSAGE_ID)
    # MAPI properties only
    mapi = by_id.loc["plan-2@example.org"]
    assert (mapi[S.SENDER], mapi[S.SENDER_NAME]) == ("ann.lee@example.org", "Ann Lee")
    assert (mapi[S.TO], mapi[S.TO_NAMES]) == (["bo@example.net"], ["Bo Chen"])
    assert (mapi[S.CC], mapi[S.CC_NAMES]) == (["cy@example.com"], ["Cy, Dee"])
    assert mapi[S.BCC] == ["hidden@example.com"]  # the Bcc recipient of the owner's sent item
    assert by_id.loc["plan-3@example.net", S.BCC] == []
    assert mapi[S.IN_REPLY_TO] == "plan-1@example.org"
    assert mapi[S.TIMESTAMP] == pd.Timestamp("2025-03-10 09:15:00", tz="UTC")  # submit time
    assert mapi[S.SUBJECT] == "Quarterly plan"
    # transport headers win over the MAPI properties of the same message
    hdr = by_id.loc["plan-3@example.net"]
    assert (hdr[S.SENDER], hdr[S.SENDER_NAME]) == ("zoe@example.net", "Zoë Ng")
    assert (hdr[S.TO], hdr[S.CC]) == (["ann.lee@example.org"], ["bo@example.net"])
    assert hdr[S.TIMESTAMP] == pd.Timestamp("2025-03-11 08:00:00", tz="UTC")
    assert hdr[S.REFERENCES] == ["plan-1@example.org", "plan-2@example.org"]
    assert hdr[S.THREAD_ID] == "plan-1@example.org" == mapi[S.THREAD_ID]


def test_read_msg_skips_a_file_that_is_not_one(tmp_path):
    shutil.copy(MSG / "mapi.msg", tmp_path / "a.msg")
    (tmp_path / "b.msg").write_text("not a compound file")
    frame, report = read_msg(tmp_path)
    (f,) = report.files
    assert (f.read, f.kept, len(frame)) == (2, 1, 1)
    ((reason, n),) = f.skipped.items()
    assert reason.startswith("not an Outlook message") and n == 1


# --- load, discover, CLI -------------------------------------------------------------------------


def test_load_and_discover(tmp_path):
    mail = tmp_path / "mail"
    mail.mkdir()
    for name in NAMES:
        shutil.copy(CORPORA / name, mail / name)
    shutil.copy(MSG / "mapi.msg", mail / "mapi.msg")
    found = na.loader.discover(tmp_path)
    assert found["email"] == [mail] and found["ignored"] == []
    net = na.load(tmp_path, cache=False, progress=False)
    kinds = sorted((Path(f.path).name, f.kind, f.read, f.kept) for f in net.report.files)
    assert kinds == [
        ("32-bit.pst", "pst", 1, 1),
        ("mail", "msg", 1, 1),
        ("outlook.pst", "pst", 2, 1),
        ("support.pst", "pst", 17, 11),
    ]
    assert net.people.loc[net.people[S.IS_ME], S.NAME].tolist() == ["RCS Support"]
    assert "cyndy.foulkrod@stellent.com" in set(net.people[S.EMAILS].explode())


def test_load_email_given_a_pst_file():
    net = na.load(email=CORPORA / "32-bit.pst", me="cyndy.foulkrod@stellent.com", cache=False, progress=False)
    assert (net.interactions[S.CHANNEL] == "meeting").all()
    assert len(net.interactions) == 6


def test_cli_takes_a_pst(capsys):
    assert main(["summary", "--email", str(CORPORA / "support.pst"), "--quiet"]) == 0
    assert "RCS Support" in capsys.readouterr().out


def test_read_msg_without_the_optional_extra_says_how_to_install_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "extract_msg", None)  # as if not installed
    with pytest.raises(FormatError, match=r"pip install 'netanalytics\[msg\]'"):
        read_msg(MSG)
