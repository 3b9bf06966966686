"""na.load end to end on the sample files: overrides, annotations, cache, folders, errors, anonymize."""

import re
from pathlib import Path

import pandas as pd
import pytest

import netanalytics as na
from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io.contacts import FORMATS_EXPECTED

MBOX = Path(__file__).parents[1] / "io" / "fixtures" / "email" / "gmail_takeout.mbox"


def _mbox_messages(path) -> int:
    """Messages of an mbox counted by their separator lines ('From ' + sender + a time)."""
    separator = re.compile(rb"From \S+ .*\d\d:\d\d:\d\d")
    return sum(bool(separator.match(line)) for line in Path(path).read_bytes().splitlines())


@pytest.fixture(scope="module")
def sample():
    return na.datasets.sample_path()


def _inputs(root):
    return dict(
        linkedin=root / "linkedin",
        email=sorted((root / "mail").glob("*.mbox")),
        contacts=[root / "contacts" / "google.csv", root / "contacts" / "contacts.vcf"],
        calendar=[root / "calendar" / "calendar.ics"],
    )


@pytest.fixture(scope="module")
def net(sample, tmp_path_factory):
    return na.load(**_inputs(sample), cache_dir=tmp_path_factory.mktemp("cache"))


def test_a_folder_of_exports_loads_like_the_explicit_paths(sample, net, tmp_path):
    from_folder = na.load(sample, cache=False)
    # the folder also holds ground_truth/*.csv, which are not exports: listed, not read
    ignored = [f for f in from_folder.report.files if f.kind == "ignored"]
    assert sorted(f.path.rsplit("/", 1)[1] for f in ignored) == ["counts.csv", "edges.csv", "identities.csv", "people.csv"]
    assert len(from_folder.people) == len(net.people)
    pd.testing.assert_frame_equal(from_folder.interactions, net.interactions)


def test_cache_returns_the_same_network(sample, tmp_path):
    first = na.load(**_inputs(sample), cache_dir=tmp_path)
    again = na.load(**_inputs(sample), cache_dir=tmp_path)
    assert list((tmp_path / "networks").glob("*.pkl"))
    pd.testing.assert_frame_equal(first.people, again.people)
    pd.testing.assert_frame_equal(first.interactions, again.interactions)


def test_overrides_are_honoured_on_load(sample, net, tmp_path):
    cand = net.merge_candidates().iloc[0]
    assert cand["person_a"] != cand["person_b"]
    path = tmp_path / "overrides.csv"
    path.write_text(f"key_a,key_b,decision\n{cand['key_a']},{cand['key_b']},same\n")
    merged = na.load(**_inputs(sample), overrides=path, cache=False)
    ident = merged.identities.set_index(S.KEY)
    assert ident.loc[cand["key_a"], S.PERSON_ID] == ident.loc[cand["key_b"], S.PERSON_ID]
    assert len(merged.people) == len(net.people) - 1


def test_annotations_set_kind_tags_and_cadence(sample, net, tmp_path):
    alter = net.people[~net.people[S.IS_ME] & net.people[S.EMAILS].map(bool)].iloc[0]
    email = alter[S.EMAILS][0]
    path = tmp_path / "annotations.csv"
    path.write_text(f"key,kind,tags,cadence_days\n{email.upper()},mentor,board;alumni,21\nkind:client,,,45\n")
    annotated = na.load(**_inputs(sample), annotations=path, cache=False)
    pid = annotated.identities.set_index(S.KEY).loc[email, S.PERSON_ID]
    row = annotated.people.loc[pid]
    assert row[S.KIND] == "mentor" and row[S.CADENCE_DAYS] == 21.0
    assert row[S.TAGS][-2:] == ["board", "alumni"]
    clients = annotated.people[annotated.people[S.KIND] == "client"]
    assert len(clients) > 0 and (clients[S.CADENCE_DAYS] == 45.0).all()
    d = na.dormancy(annotated)
    assert d.loc[pid, "cadence_days"] == 21.0
    assert bool(d.loc[pid, "due"]) == bool(d.loc[pid, "days_since"] >= 21.0)


def test_contact_groups_become_tags_and_kinds(net):
    tagged = net.people[net.people[S.TAGS].map(len) > 0]
    assert "Clients" in {t for ts in tagged[S.TAGS] for t in ts}
    assert (net.people.loc[net.people[S.TAGS].map(lambda ts: "Clients" in ts), S.KIND] == "client").all()


def test_bad_paths_and_empty_calls_raise_format_errors(tmp_path):
    with pytest.raises(FormatError, match="no such file or folder"):
        na.load(email=tmp_path / "missing.mbox")
    with pytest.raises(FormatError, match="was given no input"):
        na.load()
    with pytest.raises(FormatError, match="neither an email address nor a LinkedIn profile URL"):
        na.load(email=tmp_path, me="not an address")


def test_summary_and_report_account_for_everything(net):
    text = net.summary()
    assert text.startswith(f"Network of {len(net.alters)} people (Elena Marsh is 'me')")
    assert "elena.marsh.pm@gmail.com" in text and "https://www.linkedin.com/in/elena-marsh-pm" in text
    for f in net.report.files:
        assert f.read == f.kept + f.n_skipped


def test_anonymize_is_consistent_and_keeps_the_metrics(net):
    anon = net.anonymize(seed=3)
    real_names = set(net.people[S.NAME])
    assert not real_names & set(anon.people[S.NAME])
    real_keys = set(net.identities[S.KEY])
    assert not real_keys & set(anon.identities[S.KEY].dropna()) - {k for k in real_keys if k.startswith("record:")}
    assert anon.messages[S.SUBJECT].isna().all()
    # the same pseudonym in people and in the messages the person sent
    k2p = anon.identities.set_index(S.KEY)[S.PERSON_ID]
    sent = anon.messages.dropna(subset=[S.SENDER_NAME]).iloc[0]
    assert anon.people.loc[k2p[sent[S.SENDER]], S.NAME] == sent[S.SENDER_NAME]
    pd.testing.assert_frame_equal(na.tie_strength(anon), na.tie_strength(net))
    # the load report keeps its counts but no file names, addresses or message ids
    assert [(f.read, f.kept) for f in anon.report.files] == [(f.read, f.kept) for f in net.report.files]
    text = str(anon.report)
    assert "elena" not in text.lower() and ".mbox" not in text and "@" not in text


def test_records_of_two_files_never_share_a_key(tmp_path):
    header = "First Name,Last Name,Organization Name,Labels,E-mail 1 - Label,E-mail 1 - Value\n"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(header + "Ann,Able,Acme,* myContacts,Work,ann@acme.example\n")
    b.write_text(header + "Bob,Baker,Initech,* myContacts,Work,bob@initech.example\n")
    ics = tmp_path / "c.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:u1\nDTSTART:20250101T100000Z\n"
        "ORGANIZER:mailto:me@own.example\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ann@acme.example\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@initech.example\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    net = na.load(contacts=[a, b], calendar=ics, me="me@own.example", cache=False)
    k2p = net.identities.set_index(S.KEY)[S.PERSON_ID]
    # both records are line 1 of their file: before record ids were qualified by the file
    # they were one key, and Ann and Bob one person
    assert k2p["ann@acme.example"] != k2p["bob@initech.example"]
    assert sorted(net.alters[S.NAME]) == ["Ann Able", "Bob Baker"]


# --- issue 11: multi-file inputs never sink on one bad file; an input that yields nothing is an error ---

GOOD_CSV = (
    "First Name,Last Name,Organization Name,Labels,E-mail 1 - Label,E-mail 1 - Value\n"
    "Ann,Able,Acme,* myContacts,Work,ann@acme.example\n"
    "Bob,Baker,Initech,* myContacts,Work,bob@initech.example\n"
)


def _mixed_contacts(folder):
    folder.mkdir()
    (folder / "google.csv").write_text(GOOD_CSV, encoding="utf-8")
    (folder / "bank.csv").write_text("Date,Amount,Description\n2025-01-02,12.50,coffee\n", encoding="utf-8")
    (folder / "broken.vcf").write_bytes(b"\xff\xfe\x00\x00\x01 not a card at all\n")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    return folder


def _not_read(net):
    unread = net.report.unread_files
    return {f.path.rsplit("/", 1)[1]: (f.kind, f.not_read) for f in unread}


def test_a_contacts_folder_reports_the_files_it_cannot_read(tmp_path):
    folder = _mixed_contacts(tmp_path / "contacts")
    net = na.load(contacts=folder, cache=False)
    assert sorted(net.alters[S.NAME]) == ["Ann Able", "Bob Baker"]
    assert (net.report.read, net.report.kept, net.report.skipped) == (2, 2, 0)
    assert _not_read(net) == {
        "bank.csv": ("contacts", "not a recognised contacts CSV (line 1 columns: Date, Amount, Description). "
                     f"Expected one of: {FORMATS_EXPECTED}."),
        "broken.vcf": ("contacts", "no BEGIN:VCARD found, so this is not a vCard file. Export the contacts as "
                       "vCard (.vcf), or use read_contacts_csv for CSV exports."),
        "photo.jpg": ("ignored", "not a recognised export (.jpg file, not text)"),
    }  # fmt: skip
    line = f"  {folder / 'bank.csv'} [contacts]: not read: not a recognised contacts CSV (line 1 columns"
    assert line in str(net.report)
    # read as a folder of exports, the same files load and the others are reported
    takeout = na.load(folder, cache=False)
    assert sorted(takeout.alters[S.NAME]) == ["Ann Able", "Bob Baker"]
    assert _not_read(takeout) == {
        "bank.csv": ("ignored", "not a recognised export (first line: Date,Amount,Description)"),
        "broken.vcf": ("contacts", "no BEGIN:VCARD found, so this is not a vCard file. Export the contacts as "
                       "vCard (.vcf), or use read_contacts_csv for CSV exports."),
        "photo.jpg": ("ignored", "not a recognised export (.jpg file, not text)"),
    }  # fmt: skip


def test_a_takeout_like_folder_loads_around_a_broken_file(tmp_path):
    import shutil

    root = tmp_path / "Takeout"
    (root / "Mail").mkdir(parents=True)
    shutil.copy(MBOX, root / "Mail" / "All mail Including Spam and Trash.mbox")
    (root / "Contacts").mkdir()
    (root / "Contacts" / "All Contacts.vcf").write_text("BEGIN:VCALENDAR\nEND:VCALENDAR\n", encoding="utf-8")
    (root / "archive_browser.html").write_text("<html>Takeout</html>\n", encoding="utf-8")
    net = na.load(root, cache=False)
    mail = [f for f in net.report.files if f.kind == "mbox"]
    assert len(mail) == 1 and mail[0].read == _mbox_messages(MBOX) == 4
    assert _not_read(net) == {
        "All Contacts.vcf": ("contacts", "no BEGIN:VCARD found, so this is not a vCard file. Export the "
                             "contacts as vCard (.vcf), or use read_contacts_csv for CSV exports."),
        "archive_browser.html": ("ignored", "not a recognised export (first line: <html>Takeout</html>)"),
    }  # fmt: skip


def test_a_folder_none_of_whose_files_can_be_read_is_an_error(tmp_path):
    folder = _mixed_contacts(tmp_path / "contacts")
    (folder / "google.csv").unlink()
    message = (
        f"{folder}: no contacts found (looked for Google, Outlook or LinkedIn contacts .csv files and vCard "
        ".vcf files). Not read: bank.csv: not a recognised contacts CSV (line 1 columns: Date, Amount, "
        "Description); broken.vcf: no BEGIN:VCARD found, so this is not a vCard file; photo.jpg: not a "
        "recognised export (.jpg file, not text)"
    )
    with pytest.raises(FormatError) as info:
        na.load(contacts=folder, cache=False)
    assert str(info.value) == message
    # a file named on its own is read or refused: its error is the reader's
    with pytest.raises(FormatError, match="no BEGIN:VCARD found"):
        na.load(contacts=folder / "broken.vcf", cache=False)


@pytest.mark.parametrize("kind", ["linkedin", "email", "contacts", "calendar", None])
def test_an_empty_folder_is_an_error(tmp_path, kind):
    empty = tmp_path / "empty"
    empty.mkdir()
    looked_for = {
        "linkedin": "no LinkedIn export files found (looked for Connections.csv, messages.csv",
        "email": "no mail found (looked for mbox files, Maildir folders",
        "contacts": "no contacts found (looked for Google, Outlook or LinkedIn contacts .csv files",
        "calendar": "no calendar events found (looked for .ics files)",
        None: "no export found (looked for a LinkedIn export, mbox files, Maildirs",
    }[kind]
    with pytest.raises(FormatError) as info:
        na.load(**{kind: empty}, cache=False) if kind else na.load(empty, cache=False)
    assert str(info.value).startswith(f"{empty}: {looked_for}")


def test_records_read_counts_each_record_once(tmp_path):
    # the same mbox twice: the second copy's messages are duplicates, left out by identity
    # resolution; the files hold 8 records and the total says 8 (it said 8 + the duplicates)
    import shutil

    copy = tmp_path / "copy.mbox"
    shutil.copy(MBOX, copy)
    net = na.load(email=[MBOX, copy], cache=False)
    records = _mbox_messages(MBOX) + _mbox_messages(copy)
    assert records == 8
    assert net.report.read == records == sum(f.read for f in net.report.files)
    assert net.report.left_out == sum(f.n_skipped for f in net.report.stages) > 0
    assert [s.path for s in net.report.stages] == ["(identity resolution)"]


def test_a_file_without_records_is_an_error(tmp_path):
    header_only = tmp_path / "google.csv"
    header_only.write_text(GOOD_CSV.splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(FormatError) as info:
        na.load(contacts=header_only, cache=False)
    assert str(info.value) == f"{header_only}: no contacts found (the file holds no record)"
    no_events = tmp_path / "calendar.ics"
    no_events.write_text("BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", encoding="utf-8")
    with pytest.raises(FormatError) as info:
        na.load(calendar=no_events, cache=False)
    assert str(info.value) == f"{no_events}: no calendar events found (the file holds no record)"


def test_a_mail_folder_loads_around_a_broken_mbox(tmp_path):
    import shutil

    folder = tmp_path / "Mail"
    folder.mkdir()
    shutil.copy(MBOX, folder / "Inbox.mbox")
    (folder / "Archive.mbox").write_text("garbage line\nmore\n", encoding="utf-8")
    net = na.load(email=folder, cache=False)
    assert net.report.read == _mbox_messages(MBOX) == 4
    assert _not_read(net) == {
        "Archive.mbox": ("mbox", "not an mbox file: line 1 should be a 'From ' separator line, found "
                         "'garbage line'. For single messages use read_eml; for a folder use read_email."),
    }  # fmt: skip
    (folder / "Inbox.mbox").unlink()
    with pytest.raises(FormatError) as info:
        na.load(email=folder, cache=False)
    assert str(info.value) == (
        f"{folder}: no mail found (looked for mbox files, Maildir folders with cur/ or new/, message files "
        "such as .eml). Not read: Archive.mbox: not an mbox file: line 1 should be a 'From ' separator "
        "line, found 'garbage line'"
    )
