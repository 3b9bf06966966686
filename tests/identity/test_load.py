"""na.load end to end on the sample files: overrides, annotations, cache, folders, errors, anonymize."""

import multiprocessing
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

import netanalytics as na
from netanalytics import schema as S
from netanalytics._fork import WorkerTraceback, can_fork
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
        chats=root / "chats",
        calls=root / "calls" / "interactions.csv",
    )


@pytest.fixture(scope="module")
def net(sample, tmp_path_factory):
    return na.load(**_inputs(sample), cache_dir=tmp_path_factory.mktemp("cache"))


def test_a_folder_of_exports_loads_like_the_explicit_paths(sample, net, tmp_path):
    from_folder = na.load(sample, cache=False)
    # the folder also holds ground_truth/*.csv, which are not exports: listed, not read
    ignored = [f for f in from_folder.report.files if f.kind == "ignored"]
    assert sorted(f.path.rsplit("/", 1)[1] for f in ignored) == [
        "counts.csv",
        "edges.csv",
        "identities.csv",
        "people.csv",
    ]
    assert len(from_folder.people) == len(net.people)
    pd.testing.assert_frame_equal(from_folder.interactions, net.interactions)


NETWORK_FRAMES = ("people", "identities", "interactions", "messages", "contacts", "endorsements",
                  "recommendations", "invitations", "participation", "candidates")  # fmt: skip


def test_cache_returns_the_same_network_and_runs_no_code(sample, tmp_path):
    first = na.load(**_inputs(sample), cache_dir=tmp_path)
    entries = list((tmp_path / "networks").iterdir())
    assert len(entries) == 1 and entries[0].is_dir()
    # Parquet frames and a JSON manifest: nothing that unpickles
    assert sorted(p.name for p in entries[0].iterdir()) == sorted(
        [f"{n}.parquet" for n in NETWORK_FRAMES] + ["manifest.json"]
    )
    assert not [p for p in tmp_path.rglob("*") if p.suffix in (".pkl", ".pickle")]
    again = na.load(**_inputs(sample), cache_dir=tmp_path)

    def missing_as_none(frame):  # text columns mix None and NaN for "missing"; both come back None
        text = [c for c in frame.columns if frame[c].dtype == object]
        return frame.assign(**{c: frame[c].where(frame[c].notna(), None) for c in text})

    for name in NETWORK_FRAMES:
        a, b = getattr(first, name), getattr(again, name)
        pd.testing.assert_frame_equal(missing_as_none(a), b, obj=name)
    assert str(again.report) == str(first.report)
    assert again.me == first.me


def test_a_mailbox_network_comes_back_from_the_cache_as_loaded(tmp_path):
    # mail alone: no contact gives a connection date, so the people's connected_on is all NaT;
    # it is in nanoseconds as every time of the frames (pandas would choose seconds, which
    # Parquet stores as milliseconds: the reload's dtype differed), and every frame comes back
    # from the cache exactly as loaded, dtypes included
    loaded = na.load(email=MBOX, cache=False)
    assert loaded.people[S.CONNECTED_ON].isna().all()
    for name in NETWORK_FRAMES:
        frame = getattr(loaded, name)
        times = [c for c in frame.columns if isinstance(frame[c].dtype, pd.DatetimeTZDtype)]
        assert [str(frame[c].dtype) for c in times] == ["datetime64[ns, UTC]"] * len(times), name
    na.load(email=MBOX, cache_dir=tmp_path)
    again = na.load(email=MBOX, cache_dir=tmp_path)
    for name in NETWORK_FRAMES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(loaded, name), check_exact=True, obj=name)


needs_fork = pytest.mark.skipif(not can_fork(), reason="workers are forked: no fork start method here")


@needs_fork
def test_forked_workers_build_the_same_network_and_none_outlives_the_load(sample, monkeypatch):
    import netanalytics.loader as L

    monkeypatch.setattr(L, "PEOPLE_WORKER_FROM", 0)  # (the people frame in a worker at any size)
    monkeypatch.setattr(L, "STEPS_WORKER_FROM", 0)  # (the key activity and the messages' codes too)
    nets = {}
    for workers in (1, 2):
        monkeypatch.setattr(L, "default_workers", lambda workers=workers: workers)
        nets[workers] = na.load(**_inputs(sample), cache=False)
        assert multiprocessing.active_children() == []
    for name in NETWORK_FRAMES:
        pd.testing.assert_frame_equal(getattr(nets[1], name), getattr(nets[2], name), obj=name)
    assert str(nets[1].report) == str(nets[2].report)


@pytest.mark.parametrize("step", ["_people", "_key_activity"])
@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=needs_fork)])
def test_an_error_in_a_forked_step_is_raised_by_load_with_its_message(sample, monkeypatch, workers, step):
    import netanalytics.loader as L

    def broken(*args, **kwargs):
        raise FormatError(f"{step}: a record without its key")

    monkeypatch.setattr(L, "default_workers", lambda: workers)
    monkeypatch.setattr(L, "PEOPLE_WORKER_FROM", 0)  # (the people frame in a worker at any size)
    monkeypatch.setattr(L, "STEPS_WORKER_FROM", 0)  # (the key activity and the messages' codes too)
    monkeypatch.setattr(L, step, broken)
    with pytest.raises(FormatError, match=f"{step}: a record without its key") as info:
        na.load(email=MBOX, cache=False)
    # from a worker, its traceback comes along as the cause
    assert isinstance(info.value.__cause__, WorkerTraceback) == (workers > 1)
    assert multiprocessing.active_children() == []


def test_cache_is_private(sample, tmp_path):
    root = tmp_path / "cache"
    na.load(**_inputs(sample), cache_dir=root)
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_a_damaged_cache_entry_is_read_again_with_a_warning(sample, tmp_path):
    first = na.load(**_inputs(sample), cache_dir=tmp_path)
    (entry,) = (tmp_path / "networks").iterdir()
    people = entry / "people.parquet"
    people.write_bytes(people.read_bytes()[:100])  # truncated
    with pytest.warns(UserWarning, match="damaged cache entry .*reading the sources again"):
        again = na.load(**_inputs(sample), cache_dir=tmp_path)
    pd.testing.assert_frame_equal(first.people, again.people)
    # the entry was written again, whole
    na.load(**_inputs(sample), cache_dir=tmp_path)
    (entry,) = (tmp_path / "networks").iterdir()
    (entry / "manifest.json").write_text("{not json")
    with pytest.warns(UserWarning, match="damaged cache entry"):
        na.load(**_inputs(sample), cache_dir=tmp_path)


def test_cache_key_holds_library_versions(sample, tmp_path, monkeypatch):
    import netanalytics.loader as L

    na.load(**_inputs(sample), cache_dir=tmp_path)
    monkeypatch.setattr(L, "_versions", lambda: ("0.1.0", "9.9.9", "99.0.0"))
    na.load(**_inputs(sample), cache_dir=tmp_path)
    assert len(list((tmp_path / "networks").iterdir())) == 2


def test_cache_clear(sample, tmp_path):
    from netanalytics.io import cache

    na.load(**_inputs(sample), cache_dir=tmp_path)
    assert cache.clear(tmp_path) > 10
    assert list(tmp_path.iterdir()) == []


def test_overrides_are_honoured_on_load(sample, net, tmp_path):
    # two people known by one address each (the sample's review list is empty: nothing is left
    # to merge)
    ids = net.identities.dropna(subset=[S.PERSON_ID])
    sizes = ids[S.PERSON_ID].value_counts()
    single = ids[
        ids[S.PERSON_ID].map(sizes).eq(1) & ids[S.KEY_KIND].eq("email") & ids[S.PERSON_ID].ne(net.me)
    ]
    cand = {"key_a": single[S.KEY].iloc[0], "key_b": single[S.KEY].iloc[1]}
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
    assert not set(net.identities[S.KEY]) & set(anon.identities[S.KEY].dropna())
    assert anon.messages[S.SUBJECT].isna().all()
    # the same pseudonym in people and in the messages the person sent
    k2p = anon.identities.set_index(S.KEY)[S.PERSON_ID]
    sent = anon.messages.dropna(subset=[S.SENDER_NAME]).iloc[0]
    assert anon.people.loc[k2p[sent[S.SENDER]], S.NAME] == sent[S.SENDER_NAME]
    # threads stay threads, replies stay replies
    assert anon.interactions[S.THREAD_ID].nunique() == net.interactions[S.THREAD_ID].nunique()
    assert anon.messages[S.IN_REPLY_TO].isin(anon.messages[S.MESSAGE_ID]).sum() == (
        net.messages[S.IN_REPLY_TO].isin(net.messages[S.MESSAGE_ID]).sum()
    )
    # the metrics are the same numbers
    for metric in (na.tie_strength, na.dormancy, na.reciprocity):
        pd.testing.assert_frame_equal(metric(anon), metric(net), obj=metric.__name__)
    h_real, h_anon = na.health(net), na.health(anon)
    assert h_anon.score == h_real.score
    pd.testing.assert_frame_equal(h_anon.components, h_real.components)
    # the load report keeps its counts but no file names, addresses or message ids
    assert [(f.read, f.kept) for f in anon.report.files] == [(f.read, f.kept) for f in net.report.files]
    text = str(anon.report)
    assert "elena" not in text.lower() and ".mbox" not in text and "@" not in text


def _identifying_tokens(net) -> set[str]:
    """Every token of the original that names someone: name parts, email local parts,
    non-free-mail domains, profile slugs, companies, job titles, labels and the folders of
    the input files; collected from the frames' text, independently of the privacy table."""
    from netanalytics.identity import is_free_mail

    tokens: set[str] = set()
    names = [*net.people[S.NAME], *net.identities[S.DISPLAY_NAME], *net.messages[S.SENDER_NAME],
             *net.contacts[S.FULL_NAME], *net.invitations[S.NAME]]  # fmt: skip
    for name in names:
        if isinstance(name, str):
            tokens |= {part.strip(",.()") for part in name.split() if len(part.strip(",.()")) >= 4}
    # the keys of people (automated senders are services: messages-noreply@linkedin.com names no one)
    keys = net.identities.loc[net.identities[S.PERSON_ID].notna(), S.KEY]
    for key in keys:
        if isinstance(key, str) and "@" in key:
            local, _, domain = key.partition("@")
            tokens.add(local)
            if not is_free_mail(domain):
                tokens.add(domain)
        elif isinstance(key, str) and "/in/" in key:
            tokens.add(key.rsplit("/in/", 1)[1].strip("/"))
    for frame, column in ((net.people, S.COMPANY), (net.contacts, S.COMPANY), (net.contacts, S.TITLE),
                          (net.people, S.TAGS), (net.contacts, S.LABELS)):  # fmt: skip
        for value in frame[column]:
            for v in value if isinstance(value, list) else [value]:
                # (Google's system groups name no one)
                if isinstance(v, str) and v.lstrip("* ").lower() not in ("mycontacts", "friends", "starred"):
                    tokens.add(v.lstrip("* "))
    for path in net.messages[S.SOURCE_FILE].dropna().unique():
        tokens.add(str(Path(path).parent))
    return {t for t in tokens if len(t) >= 4}


def _text_cells(net):
    for name in ("people", "identities", "interactions", "messages", "contacts", "endorsements",
                 "recommendations", "invitations", "participation", "candidates"):  # fmt: skip
        frame = getattr(net, name)
        yield from (str(i) for i in frame.index)
        for column in frame.columns:
            for value in frame[column]:
                for v in value if isinstance(value, list) else [value]:
                    if isinstance(v, str):
                        yield v


def test_anonymize_leaves_no_identifying_token(net):
    tokens = _identifying_tokens(net)
    assert len(tokens) > 500  # names, addresses, domains, companies ... of 300 people
    # a token inside a longer word is not a hit ("Anne" in "channel_join", a Slack skip reason)
    alternatives = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
    pattern = re.compile(f"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])", re.IGNORECASE)
    anon = net.anonymize(seed=0)
    pseudonyms = set(anon.people[S.NAME])
    hits = Counter()
    for text in [*_text_cells(anon), str(anon.report)]:
        for match in pattern.finditer(text):
            if not any(match.group(0).lower() in p.lower() for p in pseudonyms):  # "Dale" is also a pseudonym
                hits[match.group(0)] += 1
    assert hits == Counter()


def test_anonymize_refuses_a_column_without_a_privacy_class(net):
    extra = net.with_frames(people=net.people.assign(nickname="x"))
    with pytest.raises(ValueError, match=r"column people\.nickname has no privacy class"):
        extra.anonymize()
    # and every column of every frame the sample network carries has one
    for name in ("people", "identities", "interactions", "messages", "contacts", "endorsements",
                 "recommendations", "invitations", "participation", "candidates"):  # fmt: skip
        assert set(getattr(net, name).columns) <= set(S.PRIVACY), name


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
                     f"Expected one of: {FORMATS_EXPECTED}; or map your columns with read_contacts_csv(path, "
                     "columns={'Your name column': 'name', 'Your e-mail column': 'email'})."),
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
        # the LinkedIn reader's own message (it knows the file names of every vintage)
        "linkedin": "no file of it could be read as part of a LinkedIn data export. Looked for Profile.csv, "
        "Connections.csv, messages.csv",
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
        "such as .eml, Outlook .pst, .ost and .msg files). Not read: Archive.mbox: not an mbox file: line 1 should be a 'From ' separator "
        "line, found 'garbage line'"
    )


def test_the_cached_network_keeps_the_report_stages_and_unread_files(tmp_path):
    import shutil

    folder = tmp_path / "Mail"
    folder.mkdir()
    shutil.copy(MBOX, folder / "Inbox.mbox")
    shutil.copy(MBOX, folder / "Copy.mbox")
    (folder / "Archive.mbox").write_text("garbage line\n", encoding="utf-8")
    first = na.load(folder, cache_dir=tmp_path / "cache")
    again = na.load(folder, cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache" / "networks").iterdir())
    assert str(again.report) == str(first.report)
    assert again.report.left_out == first.report.left_out > 0
    assert [f.not_read is not None for f in again.report.files] == [True, False, False]


# --- Bcc: the owner's Sent copies name their Bcc recipients --------------------------------------

BCC_MBOX = (
    "From - Mon Jan  6 09:00:00 2025\n"
    "X-Gmail-Labels: Sent\nFrom: Mira Okafor <mira@home.example>\nTo: Ann Zeller <ann.zeller@acme.example>\n"
    "Bcc: Bob Quist <bob.quist@bobco.example>\nMessage-ID: <b1@home.example>\n"
    "Date: Mon, 6 Jan 2025 09:00:00 +0000\nSubject: plans\n\nx\n\n"
    "From - Mon Jan  6 10:00:00 2025\n"
    "X-Gmail-Labels: Sent\nFrom: Mira Okafor <mira@home.example>\nBcc: bob.quist@bobco.example\n"
    "Message-ID: <b2@home.example>\nDate: Mon, 6 Jan 2025 10:00:00 +0000\nSubject: only bob\n\nx\n\n"
    "From - Mon Jan  6 11:00:00 2025\n"
    "X-Gmail-Labels: Inbox\nFrom: Ann Zeller <ann.zeller@acme.example>\nTo: mira@home.example\n"
    "Message-ID: <b3@acme.example>\nIn-Reply-To: <b1@home.example>\n"
    "Date: Mon, 6 Jan 2025 11:00:00 +0000\nSubject: Re: plans\n\nx\n"
)


@pytest.fixture
def bcc_mbox(tmp_path):
    path = tmp_path / "mail" / "all.mbox"
    path.parent.mkdir()
    path.write_text(BCC_MBOX)
    return path


def test_a_bcc_recipient_of_my_sent_mail_is_an_out_interaction(bcc_mbox, tmp_path):
    net = na.load(email=[bcc_mbox], cache_dir=tmp_path / "cache")
    assert net.messages.set_index(S.MESSAGE_ID)[S.BCC].to_dict() == {
        "b1@home.example": ["bob.quist@bobco.example"],
        "b2@home.example": ["bob.quist@bobco.example"],
        "b3@acme.example": [],
    }
    k2p = dict(zip(net.identities[S.KEY], net.identities[S.PERSON_ID]))
    bob, ann = k2p["bob.quist@bobco.example"], k2p["ann.zeller@acme.example"]
    got = net.interactions[[S.MESSAGE_ID, S.PERSON_ID, S.DIRECTION, S.ROLE, S.N_PARTICIPANTS]].values.tolist()
    assert got == [
        ["b1@home.example", ann, "out", "to", 3],
        ["b1@home.example", bob, "out", "bcc", 3],
        ["b2@home.example", bob, "out", "bcc", 2],
        ["b3@acme.example", ann, "in", "from", 2],
    ]
    G = net.graph()
    assert not G.has_edge(ann, bob)  # Bob was not seen by Ann
    # the cache gives the same network back, Bcc lists included
    again = na.load(email=[bcc_mbox], cache_dir=tmp_path / "cache")
    for name in NETWORK_FRAMES:
        a, b = getattr(net, name), getattr(again, name)
        text = [c for c in a.columns if a[c].dtype == object]
        # (without contacts, people.connected_on is all NaT: datetime64[s] here, [ms] from the cache)
        pd.testing.assert_frame_equal(a.assign(**{c: a[c].where(a[c].notna(), None) for c in text}), b, obj=name,
                                      check_dtype=name != "people")  # fmt: skip
    # anonymize leaves nothing of Bob (nor of anyone else) behind
    anon = net.anonymize(seed=0)
    pattern = re.compile(r"bob|quist|bobco|ann\.zeller|zeller|acme|mira|okafor|home\.example", re.IGNORECASE)
    pseudonyms = set(anon.people[S.NAME])
    leaks = [
        m.group(0)
        for text in [*_text_cells(anon), str(anon.report)]
        for m in pattern.finditer(text)
        if not any(m.group(0).lower() in p.lower() for p in pseudonyms)
    ]
    assert leaks == []
    assert anon.messages[S.BCC].map(len).tolist() == [1, 1, 0]


def test_a_bots_address_is_never_a_person_not_even_as_a_recipient(tmp_path):
    """An App Engine program's report (syzbot writes each bug from a new appspotmail.com
    address) is automated, and the reply to it, which names that address in To, gives no
    person for it: the people are the owner and the one human on both messages."""
    bot = "syzbot+5a1e@syzkaller.appspotmail.com"
    mbox = tmp_path / "bot.mbox"
    mbox.write_text(
        "From MAILER-DAEMON Mon Jan  5 10:00:00 2026\n"
        f"From: syzbot <{bot}>\nTo: me@home.org, ann@work.org\n"
        "Date: Mon, 05 Jan 2026 10:00:00 +0000\nMessage-ID: <r1@google.com>\nSubject: [syzbot] oops\n\nreport\n\n"
        "From me@home.org Mon Jan  5 11:00:00 2026\n"
        f"From: Me <me@home.org>\nTo: {bot}, Ann Lee <ann@work.org>\n"
        "Date: Mon, 05 Jan 2026 11:00:00 +0000\nMessage-ID: <r2@home.org>\nIn-Reply-To: <r1@google.com>\n"
        "Subject: Re: [syzbot] oops\n\nfixed\n",
        encoding="utf-8",
    )
    net = na.load(email=mbox, me="me@home.org", cache=False, progress=False)
    assert net.messages.set_index(S.MESSAGE_ID)[S.IS_AUTOMATED].to_dict() == {"r2@home.org": False}
    ident = net.identities.set_index(S.KEY)
    assert ident.loc[bot, S.PERSON_ID] is None and ident.loc[bot, S.MATCH_RULE] == "automated sender"
    assert sorted(net.people[S.EMAILS].map(tuple)) == [("ann@work.org",), ("me@home.org",)]
    assert net.interactions[[S.MESSAGE_ID, S.DIRECTION]].values.tolist() == [["r2@home.org", "out"]]


def test_a_person_is_shown_by_a_name_not_by_an_address_written_as_one(tmp_path):
    """A list's Cc often writes ``"ann@work.org" <ann@work.org>``, which names no one: a key
    shown so first and as Ann Lee later is shown as Ann Lee, and a person whose other key has
    only its address for a name (here the lesser key, met first) is named by the key that has
    one. A key with no other name keeps its address."""
    mbox = tmp_path / "names.mbox"
    messages = [
        ('"ann@work.org" <ann@work.org>', "a1"),
        ("Ann Lee <ann@work.org>", "a2"),
        ('"a.bob@x.org" <a.bob@x.org>', "b1"),
        ("Bob Stone <bob@new.org>", "b2"),
        ('"cy@solo.org" <cy@solo.org>', "c1"),
    ]
    mbox.write_text(
        "".join(
            f"From x Mon Jan  5 1{i}:00:00 2026\nFrom: {sender}\nTo: Me <me@home.org>\n"
            f"Date: Mon, 05 Jan 2026 1{i}:00:00 +0000\nMessage-ID: <{mid}@x>\nSubject: hi\n\nhello\n\n"
            for i, (sender, mid) in enumerate(messages)
        ),
        encoding="utf-8",
    )
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("a.bob@x.org,bob@new.org,same\n", encoding="utf-8")
    net = na.load(email=mbox, me="me@home.org", overrides=overrides, cache=False, progress=False)
    shown = net.identities.set_index(S.KEY)[S.DISPLAY_NAME]
    assert shown["ann@work.org"] == "Ann Lee" and shown["a.bob@x.org"] == "a.bob@x.org"
    by_email = {e: name for emails, name in zip(net.people[S.EMAILS], net.people[S.NAME]) for e in emails}
    assert by_email == {
        "ann@work.org": "Ann Lee",
        "a.bob@x.org": "Bob Stone",
        "bob@new.org": "Bob Stone",
        "cy@solo.org": "cy@solo.org",
        "me@home.org": by_email["me@home.org"],
    }
