"""Tests for netanalytics.io.vcard (vCard 2.1 / 3.0 / 4.0 and what vobject rejects)."""

from __future__ import annotations

from pathlib import Path

import pytest
from contact_rows import assert_reconciled, records  # tests/io is on sys.path when its tests run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netanalytics import schema as S
from netanalytics.exceptions import FormatError
from netanalytics.io import read_vcard
from netanalytics.io.vcard import _parse_line

FIXTURES = Path(__file__).parent / "fixtures" / "vcard"


def read(path: Path):
    frame, report = read_vcard(path)
    S.validate(frame, S.CONTACTS)
    (file_report,) = report.files
    assert file_report.read == file_report.kept + file_report.n_skipped
    assert file_report.kept == len(frame)
    assert set(frame[S.SOURCE]) <= {"vcard"}
    return frame, file_report


def test_google_30_items_escapes_photo_categories():
    frame, rep = read(FIXTURES / "google_30.vcf")
    assert records(frame) == [
        {
            S.RECORD_ID: "1",
            S.FULL_NAME: "Amélie Dufour",
            S.FIRST_NAME: "Amélie",
            S.MIDDLE_NAME: None,
            S.LAST_NAME: "Dufour",
            # item1.EMAIL is TYPE=pref so it comes first; its X-ABLabel is not a label
            S.EMAILS: ["a.dufour@example.com", "amelie.home@example.fr"],
            S.PHONES: ["+33 6 12 34 56 78"],
            S.COMPANY: "Dufour Conseil, SARL",  # \, unescaped; second ORG unit dropped
            S.TITLE: "Gérante",
            S.LINKEDIN_URL: "https://www.linkedin.com/in/amelie-dufour-42",  # item2.URL with \:
            S.LABELS: ["Clients", "Amis, proches"],  # myContacts dropped, \, kept inside a label
            S.BIRTHDAY: "--03-14",
        },
        {
            S.RECORD_ID: "2",
            S.FULL_NAME: "Bjørn Ås 🚀",
            S.FIRST_NAME: "Bjørn",
            S.MIDDLE_NAME: None,
            S.LAST_NAME: "Ås 🚀",
            S.EMAILS: ["bjorn@fjord.example"],  # folded line joined
            S.PHONES: [],
            S.COMPANY: None,
            S.TITLE: None,
            S.LINKEDIN_URL: "https://www.linkedin.com/in/bjorn-as",  # X-SOCIALPROFILE
            S.LABELS: [],
            S.BIRTHDAY: "1980-11-02",
        },
        {
            S.RECORD_ID: "3",
            S.FULL_NAME: "Ghost Corp",  # no FN/N: ORG is the display name
            S.FIRST_NAME: None,
            S.MIDDLE_NAME: None,
            S.LAST_NAME: None,
            S.EMAILS: ["info@ghost.example"],
            S.PHONES: [],
            S.COMPANY: "Ghost Corp",
            S.TITLE: None,
            S.LINKEDIN_URL: None,
            S.LABELS: [],
            S.BIRTHDAY: None,
        },
    ]
    assert rep.read == 4
    assert dict(rep.skipped) == {"no name, organisation, e-mail or phone": 1}
    assert rep.notes["blobs_dropped"] == 1


def test_android_21_quoted_printable_bare_params_photo():
    frame, rep = read(FIXTURES / "android_21.vcf")
    got = records(frame)
    assert got[0] == {
        S.RECORD_ID: "1",
        # QP soft break whose continuation is not indented, UTF-8 charset
        S.FULL_NAME: "Jürgen Karl Müller – Müller & Söhne",
        S.FIRST_NAME: "Jürgen",
        S.MIDDLE_NAME: "Karl",
        S.LAST_NAME: "Müller",
        S.EMAILS: ["juergen@mueller-soehne.example", "j.mueller@privat.example"],  # bare PREF first
        S.PHONES: ["+49 171 7654321", "+49 30 1234567"],
        S.COMPANY: "Müller & Söhne GmbH",  # QP in ISO-8859-1
        S.TITLE: None,
        S.LINKEDIN_URL: None,
        S.LABELS: [],
        S.BIRTHDAY: "1985-03-14",  # basic format 19850314
    }
    assert (got[1][S.FULL_NAME], got[1][S.PHONES]) == ("Käthe Groß", ["030 998877"])
    assert rep.notes["blobs_dropped"] == 1
    assert rep.read == 2


def test_iphone_crcrlf_lowercase_then_v40():
    frame, rep = read(FIXTURES / "iphone_mixed.vcf")
    got = records(frame)
    assert [r[S.FULL_NAME] for r in got] == ["Noor Haddad", "Chiara Rossi"]
    assert got[0][S.EMAILS] == ["noor@sandstone.example"]
    assert got[0][S.PHONES] == ["+971 50 123 4567"]
    assert got[0][S.TITLE] == "Architect: Lead"  # \: escape
    assert got[0][S.COMPANY] == "Sand & Stone"
    assert got[0][S.BIRTHDAY] == "1988-02-29"
    assert got[1][S.EMAILS] == ["c.rossi@lumen.example", "chiara@rossi.example"]  # PREF=1 first
    assert got[1][S.PHONES] == ["+39-333-000-1111"]  # tel: URI scheme removed
    assert got[1][S.MIDDLE_NAME] == "Maria"
    assert got[1][S.BIRTHDAY] == "--07-21"
    assert got[1][S.LABELS] == ["Investors"]
    assert got[1][S.LINKEDIN_URL] is None  # a URL, but not LinkedIn
    assert rep.notes["blobs_dropped"] == 1  # 4.0 data: URI PHOTO
    assert rep.notes.get("lines_outside_cards", 0) == 0


def test_not_vcard_is_format_error():
    with pytest.raises(FormatError, match="no BEGIN:VCARD") as info:
        read_vcard(FIXTURES / "not_vcard.vcf")
    assert "not_vcard.vcf" in str(info.value)


def test_missing_file_is_format_error(tmp_path):
    with pytest.raises(FormatError, match="cannot be read"):
        read_vcard(tmp_path / "none.vcf")


def test_fallback_parser_used_for_what_vobject_rejects(tmp_path):
    path = tmp_path / "bad.vcf"
    # a line with no colon makes vobject reject the card; the line parser keeps the rest
    path.write_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ïda Berg\nthis line is garbage\nEMAIL:IDA@berg.example\nEND:VCARD\n"
    )
    frame, report = read(path)
    assert records(frame)[0][S.FULL_NAME] == "Ïda Berg"
    assert records(frame)[0][S.EMAILS] == ["ida@berg.example"]
    assert report.notes["fallback_cards"] == 1
    assert any("line parser used" in w for w in report.warnings)


def test_unterminated_card_kept_with_warning(tmp_path):
    path = tmp_path / "cut.vcf"
    path.write_text("BEGIN:VCARD\nFN:A One\nEND:VCARD\nBEGIN:VCARD\nFN:B Two\nEMAIL:b@two.example\n")
    frame, report = read(path)
    assert frame[S.FULL_NAME].tolist() == ["A One", "B Two"]
    assert any("no END:VCARD" in w for w in report.warnings)


def test_phone_only_card_kept_without_display_name(tmp_path):
    path = tmp_path / "p.vcf"
    path.write_text("BEGIN:VCARD\nVERSION:3.0\nTEL:+1 555 0100\nEND:VCARD\n")
    frame, _ = read(path)
    assert records(frame)[0][S.FULL_NAME] is None
    assert records(frame)[0][S.PHONES] == ["+1 555 0100"]


def test_2_1_base64_photo_unindented_continuation_dropped(tmp_path):
    path = tmp_path / "photo.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Lund;Eva\r\nPHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQ\r\n"
        "AAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR8eHR\r\n\r\n"
        "EMAIL:eva@lund.example\r\nEND:VCARD\r\n"
    )
    frame, report = read(path)
    assert records(frame)[0][S.FULL_NAME] == "Eva Lund"
    assert records(frame)[0][S.EMAILS] == ["eva@lund.example"]
    assert report.notes["blobs_dropped"] == 1


def test_line_parser_unit():
    prop = _parse_line('item3.X-SOCIALPROFILE;type=linkedin;x-user="a:b":https\\://linkedin.com/in/x')
    assert (prop.group, prop.name, prop.types, prop.params["X-USER"]) == (
        "item3",
        "X-SOCIALPROFILE",
        {"LINKEDIN"},
        ["a:b"],
    )
    assert prop.value == "https://linkedin.com/in/x"
    n = _parse_line("N;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Ma=EFa;Zo=E9\\;x;;;")
    assert n.parts == ["Maïa", "Zoé;x", "", "", ""]
    assert _parse_line("no colon here") is None
    lower = _parse_line("email;type=pref:A@b.org")
    assert (lower.name, lower.types, lower.is_pref, lower.value) == ("EMAIL", {"PREF"}, True, "A@b.org")


CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Ng\r\nN:Ng;Zoë;;;\r\nitem1.EMAIL;TYPE=pref:zoe@ex.org\r\n"
    "item1.X-ABLabel:Work\r\nTEL;WORK;VOICE:+1 555\r\nNOTE;ENCODING=QUOTED-PRINTABLE:a=\r\nb\r\n"
    "CATEGORIES:A\\,B,C\r\nBDAY:--0314\r\nPHOTO;ENCODING=b:QUJD\r\n REVG\r\nEND:VCARD\r\n"
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cards=st.integers(min_value=1, max_value=3),
    cuts=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 30)), max_size=4),
    inserts=st.lists(
        st.tuples(st.integers(0, 400), st.text(alphabet=":;=\\,\r\n \tABCé🚀.-", max_size=8)), max_size=4
    ),
    newline=st.sampled_from(["\r\n", "\n", "\r\r\n", "\r"]),
)
def test_mutated_vcard_loads_with_reconciled_counts_or_format_error(tmp_path, cards, cuts, inserts, newline):
    text = (CARD * cards).replace("\r\n", newline)
    for at, length in cuts:
        text = text[:at] + text[at + length :]
    for at, chunk in inserts:
        text = text[:at] + chunk + text[at:]
    path = tmp_path / "m.vcf"
    path.write_bytes(text.encode("utf-8"))
    try:
        frame, report = read_vcard(path)
    except FormatError:
        return
    assert_reconciled(frame, report, S.CONTACTS)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_random_bytes_in_a_card_never_escape_as_other_errors(tmp_path, data):
    path = tmp_path / "r.vcf"
    path.write_bytes(b"BEGIN:VCARD\r\n" + data + b"\r\nEND:VCARD\r\n")
    try:
        frame, report = read_vcard(path)
    except FormatError:  # e.g. the data starts with a space: BEGIN:VCARD is folded away
        return
    rep = report.files[0]
    assert rep.read == rep.kept + rep.n_skipped
    assert rep.read >= 1  # the data may itself open more cards
    S.validate(frame, S.CONTACTS)
