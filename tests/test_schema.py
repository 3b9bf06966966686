"""The canonical frames: validators name what is wrong, normalisers agree with DESIGN.md."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalytics import schema as S
from netanalytics.exceptions import SchemaError


@pytest.mark.parametrize(
    "spec, validator",
    [
        (S.CONTACTS, S.validate_contacts),
        (S.MESSAGES, S.validate_messages),
        (S.IDENTITIES, S.validate_identities),
        (S.INTERACTIONS, S.validate_interactions),
    ],
)
def test_empty_frames_validate_and_a_missing_column_is_named(spec, validator):
    frame = S.empty_frame(spec)
    assert validator(frame) is frame
    for column in spec:
        with pytest.raises(SchemaError, match=rf"has no '{column}' column \(found: "):
            validator(frame.drop(columns=[column]))


def test_mistyped_columns_are_named():
    inter = S.empty_frame(S.INTERACTIONS)
    inter[S.TIMESTAMP] = inter[S.TIMESTAMP].dt.tz_localize(None)
    with pytest.raises(SchemaError, match="interactions column 'timestamp' should hold datetime values"):
        S.validate_interactions(inter)
    msgs = S.empty_frame(S.MESSAGES).reindex([0])
    msgs[S.TO] = ["a@b.org"]  # a string where a list belongs
    with pytest.raises(SchemaError, match="messages column 'to' should hold list values"):
        S.validate(msgs, S.MESSAGES)
    people = S.empty_frame(S.PEOPLE)
    with pytest.raises(SchemaError, match="people frame must be indexed by 'person_id'"):
        S.validate_people(people)


def test_key_normalisation():
    assert S.normalize_email(" Ann.Lee@Example.COM ") == "ann.lee@example.com"
    assert S.normalize_email("mailto:bo@x.io") == "bo@x.io"
    assert S.normalize_email("undisclosed-recipients:;") is None
    assert (
        S.normalize_linkedin_url("http://uk.linkedin.com/in/Ann-Lee/?trk=x")
        == "https://www.linkedin.com/in/ann-lee"
    )
    assert S.key_kind(S.name_key("Ann  Lee")) == "name" and S.name_key("Ann  Lee") == "name:Ann Lee"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["name:", "tel:", "record:", "https://", "http://", "a", "@", "b.org", ":", " "]),
            max_size=4,
        ).map("".join)
    )
)
def test_key_kinds_equal_key_kind_of_each_key(keys):
    assert S.key_kinds(keys) == [S.key_kind(k) for k in keys]


def test_key_kinds_exact():
    keys = ["a@b.org", "https://www.linkedin.com/in/a", "name:A", "record:vcard:1", "tel:+49", "http://x", ""]
    assert S.key_kinds(keys) == ["email", "url", "name", "record", "phone", "email", "email"]
