"""Tests for netanalytics.io.contacts (Google, Outlook, LinkedIn, Windows Live Mail CSV)."""

from __future__ import annotations

from pathlib import Path

import pytest
from contact_rows import assert_reconciled, records  # tests/io is on sys.path when its tests run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io import read_contacts_csv

FIXTURES = Path(__file__).parent / "fixtures" / "contacts"


def read(name: str):
    frame, report = read_contacts_csv(FIXTURES / name)
    S.validate(frame, S.CONTACTS)
    (file_report,) = report.files
    assert file_report.read == file_report.kept + file_report.n_skipped
    assert file_report.kept == len(frame)
    assert frame[S.CONNECTED_ON].isna().all()
    assert (frame[S.SOURCE_FILE] == str(FIXTURES / name)).all()
    return frame, file_report


def test_google_legacy_bom_groups_primary_multiline_birthday():
    frame, rep = read("google_legacy.csv")
    assert rep.kind == "contacts.google.legacy"
    assert rep.notes["encoding"] == "utf-8-sig"
    assert set(frame[S.SOURCE]) == {"google"}
    assert records(frame) == [
        {
            S.RECORD_ID: "1",
            S.FULL_NAME: "Amélie Dufour",
            S.FIRST_NAME: "Amélie",
            S.MIDDLE_NAME: None,
            S.LAST_NAME: "Dufour",
            # the "* Work" group is primary: its two values first, in order, lower-cased
            S.EMAILS: ["a.dufour@example.com", "amelie@dufour-conseil.example", "amelie.home@example.fr"],
            S.PHONES: ["+33 6 12 34 56 78"],
            S.COMPANY: "Dufour Conseil",
            S.TITLE: "Gérante",
            S.LINKEDIN_URL: "https://www.linkedin.com/in/amelie-dufour-42",
            S.LABELS: ["Clients", "starred"],
            S.BIRTHDAY: "--03-14",
        },
        {
            S.RECORD_ID: "2",
            S.FULL_NAME: "Bjørn Ås 🚀",
            S.FIRST_NAME: "Bjørn",
            S.MIDDLE_NAME: None,
            S.LAST_NAME: "Ås 🚀",
            S.EMAILS: [],
            # "* " on a value inside a ::: cell makes that value primary
            S.PHONES: ["+47 900 00 000", "+47 22 00 00 00"],
            S.COMPANY: None,
            S.TITLE: None,
            S.LINKEDIN_URL: None,
            S.LABELS: [],
            S.BIRTHDAY: "1980-11-02",
        },
        {
            S.RECORD_ID: "4",
            S.FULL_NAME: None,
            S.FIRST_NAME: None,
            S.MIDDLE_NAME: None,
            S.LAST_NAME: None,
            S.EMAILS: ["no-name@example.org"],
            S.PHONES: [],
            S.COMPANY: None,
            S.TITLE: None,
            S.LINKEDIN_URL: None,
            S.LABELS: ["friends"],
            S.BIRTHDAY: None,
        },
    ]
    # record 3 has only a company and a note: no name, e-mail or phone
    assert rep.read == 4
    assert dict(rep.skipped) == {"no name, e-mail or phone": 1}


def test_google_2023_labels_and_slots():
    frame, rep = read("google_2023.csv")
    assert rep.kind == "contacts.google.2023"
    assert records(frame) == [
        {
            S.RECORD_ID: "1",
            S.FULL_NAME: "Chiara Maria Rossi",
            S.FIRST_NAME: "Chiara",
            S.MIDDLE_NAME: "Maria",
            S.LAST_NAME: "Rossi",
            # primary slot 2 first; slot 3 repeats slot 1 in another case and is dropped
            S.EMAILS: ["c.rossi@lumen.example", "chiara@rossi.example"],
            S.PHONES: ["+39 333 000 1111"],
            S.COMPANY: "Lumen S.r.l.",
            S.TITLE: "CTO",
            S.LINKEDIN_URL: None,
            S.LABELS: ["Investors", "Clients"],
            S.BIRTHDAY: "1979-07-21",
        },
        {
            S.RECORD_ID: "2",
            S.FULL_NAME: "Đorđe Kovač",
            S.FIRST_NAME: "Đorđe",
            S.MIDDLE_NAME: None,
            S.LAST_NAME: "Kovač",
            S.EMAILS: [],
            S.PHONES: ["+381 11 123 4567"],
            S.COMPANY: None,
            S.TITLE: None,
            S.LINKEDIN_URL: None,
            S.LABELS: ["starred"],
            S.BIRTHDAY: "--12-31",
        },
    ]
    assert rep.read == 3 and dict(rep.skipped) == {"no name, e-mail or phone": 1}


def test_outlook_english_x500_dropped_and_empty_dates():
    frame, rep = read("outlook_en.csv")
    assert rep.kind == "contacts.outlook.en"
    assert set(frame[S.SOURCE]) == {"outlook"}
    got = records(frame)
    assert got[0] == {
        S.RECORD_ID: "1",
        S.FULL_NAME: "Grace O'Neill",
        S.FIRST_NAME: "Grace",
        S.MIDDLE_NAME: None,
        S.LAST_NAME: "O'Neill",
        S.EMAILS: ["grace@harbourlabs.example"],
        # Primary Phone first; the assistant's phone and fax numbers are not hers
        S.PHONES: ["+1 617 555 0123", "+1 (617) 555-0100", "+1 617 555 0199"],
        S.COMPANY: "Harbour Labs",
        S.TITLE: "Research Lead",  # "Job Title", not the salutation column "Title" (Dr.)
        S.LINKEDIN_URL: None,
        S.LABELS: ["Clients", "Conference 2025"],
        S.BIRTHDAY: "1985-03-04",  # English Outlook writes month first: 3/4/1985
    }
    assert got[1][S.EMAILS] == ["hiro.tanaka@example.jp"]
    assert got[1][S.BIRTHDAY] is None  # 0/0/00
    assert got[1][S.LINKEDIN_URL] == "https://www.linkedin.com/in/hiro-tanaka"
    assert rep.notes["x500_dropped"] == 2
    assert sum("X.500" in w for w in rep.warnings) == 2
    assert dict(rep.skipped) == {"no name, e-mail or phone": 1}  # record 3 had only an X.500 path


def test_outlook_german_cp1252():
    frame, rep = read("outlook_de_cp1252.csv")
    assert rep.kind == "contacts.outlook.de"
    assert rep.notes["encoding"] == "cp1252"
    assert records(frame) == [
        {
            S.RECORD_ID: "1",
            S.FULL_NAME: "Jürgen Weiß",
            S.FIRST_NAME: "Jürgen",
            S.MIDDLE_NAME: None,
            S.LAST_NAME: "Weiß",
            S.EMAILS: ["juergen.weiss@mueller-soehne.example", "j.weiss@privat.example"],
            S.PHONES: ["+49 30 1234500", "+49 30 1234567", "+49 171 7654321"],
            S.COMPANY: "Müller & Söhne GmbH",
            S.TITLE: "Geschäftsführer",
            S.LINKEDIN_URL: None,
            S.LABELS: ["Lieferanten"],
            S.BIRTHDAY: "1985-03-14",
        },
        {
            S.RECORD_ID: "2",
            S.FULL_NAME: "Käthe Groß",
            S.FIRST_NAME: "Käthe",
            S.MIDDLE_NAME: None,
            S.LAST_NAME: "Groß",
            S.EMAILS: [],
            S.PHONES: ["030 998877"],
            S.COMPANY: None,
            S.TITLE: None,
            S.LINKEDIN_URL: None,
            S.LABELS: [],
            S.BIRTHDAY: None,  # 0.0.00
        },
    ]


def test_outlook_french_bom():
    frame, rep = read("outlook_fr.csv")
    assert rep.kind == "contacts.outlook.fr"
    (row,) = records(frame)
    assert row == {
        S.RECORD_ID: "1",
        S.FULL_NAME: "François Lefèvre",
        S.FIRST_NAME: "François",
        S.MIDDLE_NAME: None,
        S.LAST_NAME: "Lefèvre",
        S.EMAILS: ["francois.lefevre@quai.example"],
        S.PHONES: ["+33 1 23 45 67 89", "+33 6 98 76 54 32"],
        S.COMPANY: "Éditions du Quai",
        S.TITLE: "Directeur éditorial",
        S.LINKEDIN_URL: "https://www.linkedin.com/in/francois-lefevre",
        S.LABELS: ["Auteurs", "Presse"],
        S.BIRTHDAY: "1970-01-02",  # day first outside English locales
    }


def test_outlook_spanish():
    frame, rep = read("outlook_es.csv")
    assert rep.kind == "contacts.outlook.es"
    (row,) = records(frame)
    assert row[S.FULL_NAME] == "Lucía Fernández Núñez"
    assert row[S.LAST_NAME] == "Fernández Núñez"
    assert row[S.EMAILS] == ["lucia@vinedos.example", "lucia.fn@correo.example"]
    assert row[S.PHONES] == ["+34 91 123 45 67", "+34 95 555 55 55", "+34 612 345 678"]
    assert (row[S.COMPANY], row[S.TITLE]) == ("Viñedos del Sur", "Enóloga")
    assert row[S.LABELS] == ["Proveedores"]
    assert row[S.BIRTHDAY] == "1990-11-09"


def test_outlook_com_web_export():
    frame, rep = read("outlook_com.csv")
    assert rep.kind == "contacts.outlook.en"
    (row,) = records(frame)
    assert row[S.EMAILS] == ["noor.haddad@example.com", "noor@haddad.example"]
    assert (row[S.COMPANY], row[S.TITLE]) == ("Sand & Stone", "Architect")
    assert row[S.BIRTHDAY] == "1988-02-29"


def test_windows_live_mail_semicolon_cp1252():
    frame, rep = read("windows_live_mail.csv")
    assert rep.notes["delimiter"] == ";"
    assert rep.notes["encoding"] == "cp1252"
    assert set(frame[S.SOURCE]) == {"csv"}
    got = records(frame)
    assert [r[S.FULL_NAME] for r in got] == ["Olaf Lindqvist", "Pat"]
    assert [r[S.EMAILS] for r in got] == [["olaf@lindqvist.example"], ["pat@example.net"]]
    assert got[0][S.TITLE] == "Säljare"
    assert got[0][S.PHONES] == ["+46 70 123 45 67"]


def test_linkedin_contacts_csv():
    frame, rep = read("linkedin_contacts.csv")
    assert rep.kind == "contacts.linkedin.contacts"
    assert set(frame[S.SOURCE]) == {"linkedin"}
    (row,) = records(frame)
    assert row[S.FULL_NAME] == "Rania Saleh"
    assert row[S.EMAILS] == ["rania@orbit.example", "rania.saleh@mail.example"]
    assert (row[S.COMPANY], row[S.TITLE]) == ("Orbit Analytics", "Data Scientist")
    assert rep.read == 2 and dict(rep.skipped) == {"no name, e-mail or phone": 1}


def test_not_contacts_names_columns_and_formats():
    with pytest.raises(FormatError) as info:
        read_contacts_csv(FIXTURES / "not_contacts.csv")
    message = str(info.value)
    assert "not_contacts.csv" in message
    assert "Date, Amount, Description" in message
    assert "Google Contacts CSV" in message and "LinkedIn Contacts.csv" in message


def test_binary_file_is_format_error(tmp_path):
    path = tmp_path / "book.csv"
    path.write_bytes(b"PK\x03\x04" + bytes(200))
    with pytest.raises(FormatError, match="book.csv"):
        read_contacts_csv(path)


def test_missing_file_is_format_error(tmp_path):
    with pytest.raises(FormatError, match="cannot be read"):
        read_contacts_csv(tmp_path / "nope.csv")


def test_preamble_blank_lines_padding_and_record_ids(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "Exported by a tool,,\n\n"
        "First Name,Last Name,E-mail Address\n"
        'Ann,"Lee\nSmith",ANN@x.org\n'
        "\n"
        ",,\n"
        "Bo,Chen,bo@x.org,extra\n",
        encoding="utf-8",
    )
    frame, report = read_contacts_csv(path)
    rep = report.files[0]
    assert rep.notes["header_row"] == 3
    assert frame[S.RECORD_ID].tolist() == ["1", "3"]  # blank line is not a record, ",," is
    assert frame[S.LAST_NAME].tolist() == ["Lee Smith", "Chen"]  # quoted newline collapsed
    assert dict(rep.skipped) == {"empty row": 1}
    assert (rep.read, rep.kept) == (3, 2)
    assert any("extra ignored" in w for w in rep.warnings)


def test_utf16_outlook_unicode_export(tmp_path):
    path = tmp_path / "u.csv"
    text = '"First Name","Last Name","E-mail Address","E-mail Type"\r\n"Zoë","Ng","zoe@ex.org","SMTP"\r\n'
    path.write_bytes(text.encode("utf-16"))
    frame, report = read_contacts_csv(path)
    assert frame[S.FULL_NAME].tolist() == ["Zoë Ng"]
    assert report.files[0].notes["encoding"] == "utf-16"


def test_bad_birthday_warns_and_keeps_record(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("First Name,Last Name,Labels,E-mail 1 - Value,Birthday\nAl,Po,,al@x.org,31.02.1990\n")
    frame, report = read_contacts_csv(path)
    assert frame[S.BIRTHDAY].isna().all()
    assert report.files[0].kept == 1
    assert any("birthday" in w for w in report.files[0].warnings)


def test_warnings_are_capped(tmp_path):
    path = tmp_path / "w.csv"
    rows = "".join(f"P{i},Q,not-an-email-{i}\n" for i in range(30))
    path.write_text("First Name,Last Name,E-mail Address\n" + rows)
    _, report = read_contacts_csv(path)
    rep = report.files[0]
    assert len(rep.warnings) == 20
    assert rep.notes["warnings_not_shown"] == 10  # 30 warnings: 20 kept, 10 counted


GOOGLE_HEADER = "First Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Value,Birthday\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.lists(
        st.lists(
            st.one_of(
                st.text(alphabet='ab@.,;:"*\n\r\t é🚀-0123', max_size=12),
                st.sampled_from(["* Work", "a@b.org ::: * c@d.org", "--03-14", "0.0.00", "/o=Ex/cn=x", "EX"]),
            ),
            max_size=9,
        ),
        max_size=6,
    ),
    cut=st.integers(min_value=0, max_value=400),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_mutated_csv_loads_with_reconciled_counts_or_format_error(tmp_path, body, cut, encoding):
    lines = [",".join(cells) for cells in body]
    text = GOOGLE_HEADER + "\n".join(lines)
    text = text[: len(GOOGLE_HEADER) + cut] if cut < 200 else text  # truncated files too
    path = tmp_path / "m.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    try:
        frame, report = read_contacts_csv(path)
    except FormatError:
        return
    assert_reconciled(frame, report, S.CONTACTS)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_random_bytes_never_escape_as_other_errors(tmp_path, data):
    path = tmp_path / "r.csv"
    path.write_bytes(data)
    try:
        frame, report = read_contacts_csv(path)
    except FormatError:
        return
    assert report.files[0].read == report.files[0].kept + report.files[0].n_skipped
    S.validate(frame, S.CONTACTS)


def test_repeated_groups_any_width_in_numeric_order(tmp_path):
    path = tmp_path / "wide.csv"
    header = "Name,Given Name,Family Name,Group Membership,E-mail 2 - Type,E-mail 2 - Value,"
    header += "E-mail 10 - Type,E-mail 10 - Value,E-mail 1 - Type,E-mail 1 - Value\n"
    path.write_text(header + "Al Po,Al,Po,,Home,two@x.org,Other,ten@x.org,Work,one@x.org\n")
    frame, _ = read_contacts_csv(path)
    assert frame[S.EMAILS].tolist() == [["one@x.org", "two@x.org", "ten@x.org"]]


def test_header_only_file_gives_empty_frame(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("First Name,Last Name,E-mail Address\n")
    frame, report = read_contacts_csv(path)
    S.validate(frame, S.CONTACTS)
    assert frame.empty and report.read == 0


# --- hand-made sheets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "name;email;company\nAnn Lee;ann@x.org;Acme\nBo Chen;bo@y.org;\n",
            [("Ann Lee", ["ann@x.org"], "Acme", []), ("Bo Chen", ["bo@y.org"], None, [])],
        ),
        (
            "Full Name,Email Address,Organization,Phone\nAnn Lee,ann@x.org,Acme,+1 555 0100\n",
            [("Ann Lee", ["ann@x.org"], "Acme", [])],
        ),
        (
            "First,Last,E-mail,Company,Tags\nAnn,Lee,ann@x.org,Acme,mentor\n",
            [("Ann Lee", ["ann@x.org"], "Acme", ["mentor"])],
        ),
    ],
)
def test_hand_made_sheets_are_recognised(tmp_path, text, expected):
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    frame, report = read_contacts_csv(path)
    company = [c if isinstance(c, str) else None for c in frame[S.COMPANY]]
    got = list(zip(frame[S.FULL_NAME], frame[S.EMAILS], company, frame[S.LABELS]))
    assert got == expected
    f = report.files[0]
    assert (f.kind, f.read, f.kept) == ("contacts.csv.sheet", len(expected), len(expected))
    assert "columns_not_read" not in f.notes


def test_a_column_no_field_reads_is_reported(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("Name,Email,Notes,Met at\nAnn Lee,ann@x.org,likes chess,PyCon\n", encoding="utf-8")
    frame, report = read_contacts_csv(path)
    f = report.files[0]
    assert frame[S.EMAILS].tolist() == [["ann@x.org"]]
    assert f.notes["columns_not_read"] == ["Notes", "Met at"]
    assert f.warnings == ["columns not read: Notes, Met at (map them with columns={...})"]


def test_columns_maps_any_sheet(tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text("Who,Addr,Firm,Mobile,Extra\nAnn Lee,ann@x.org,Acme,+1 555 0100,x\n", encoding="utf-8")
    with pytest.raises(FormatError, match="not a recognised contacts CSV"):
        read_contacts_csv(path)
    frame, report = read_contacts_csv(
        path, columns={"Who": "name", "Addr": "email", "Firm": "company", "Mobile": "phone"}
    )
    row = frame.iloc[0]
    assert (row[S.FULL_NAME], row[S.EMAILS], row[S.COMPANY], row[S.PHONES]) == (
        "Ann Lee",
        ["ann@x.org"],
        "Acme",
        ["+1 555 0100"],
    )
    assert report.files[0].kind == "contacts.csv.mapped"
    assert report.files[0].notes["columns_not_read"] == ["Extra"]
    with pytest.raises(FormatError, match=r"unknown fields \['nickname'\]"):
        read_contacts_csv(path, columns={"Who": "nickname"})
    with pytest.raises(FormatError, match=r"columns= names \['Email'\], not in the header"):
        read_contacts_csv(path, columns={"Who": "name", "Email": "email"})


def test_load_takes_contact_columns(tmp_path):
    import netanalytics as na

    path = tmp_path / "crm.csv"
    path.write_text("Who,Addr,Firm\nAnn Lee,ann@x.org,Acme\n", encoding="utf-8")
    net = na.load(
        contacts=path, contact_columns={"Who": "name", "Addr": "email", "Firm": "company"}, cache=False
    )
    assert net.alters[[S.NAME, S.COMPANY]].values.tolist() == [["Ann Lee", "Acme"]]
