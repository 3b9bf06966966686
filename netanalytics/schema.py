"""Canonical frames: column names, kinds and validators, defined once.

Every reader returns these frames and every metric consumes them. Modules refer to
columns through the constants below, never by re-typing the string.

Column kinds
------------
``str``       text or missing (object or pandas string dtype)
``list``      a Python list in every row (never NaN); object dtype
``datetime``  tz-aware UTC ``datetime64``; NaT where unknown
``bool``      numpy bool (no missing values)
``int``       integer (no missing values)
``float``     float; NaN where undefined

Identity keys
-------------
A participant is named by an *identity key*: a lower-cased email address
(``ann@example.com``), a normalised LinkedIn profile URL
(``https://www.linkedin.com/in/ann-lee``), a phone number in E.164 (``tel:+4917055502020``),
a name seen without any address (``name:Ann Lee``) or a contact record
(``record:<source>:<record_id>``).
:func:`key_kind` tells them apart.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from itertools import repeat

import pandas as pd

from netanalytics.exceptions import SchemaError

__all__ = [
    "CONTACTS",
    "MESSAGES",
    "IDENTITIES",
    "PEOPLE",
    "INTERACTIONS",
    "ENDORSEMENTS",
    "RECOMMENDATIONS",
    "INVITATIONS",
    "POSITIONS",
    "PRIVACY",
    "empty_frame",
    "validate",
    "validate_contacts",
    "validate_messages",
    "validate_identities",
    "validate_people",
    "validate_interactions",
    "normalize_email",
    "normalize_linkedin_url",
    "normalize_phone",
    "phone_region",
    "name_key",
    "record_key",
    "key_kind",
    "key_kinds",
]

# --- column names -------------------------------------------------------------------

# shared
SOURCE = "source"  # "linkedin", "gmail", "mbox", "maildir", "eml", "google", "outlook", "vcard", "ics",
# "pst", "msg", "whatsapp", "telegram", "calllog", "monica", "crm"
SOURCE_FILE = "source_file"
TIMESTAMP = "timestamp"
PERSON_ID = "person_id"
DIRECTION = "direction"
CHANNEL = "channel"  # "email", "linkedin", "meeting", "invitation", "whatsapp", "telegram", "call",
# or a kind of channel of netanalytics.channels for what a person typed (call logs, Monica, CRMs:
# "video", "in_person", "sms", "other" ...)
THREAD_ID = "thread_id"
MESSAGE_ID = "message_id"
NAME = "name"
EMAILS = "emails"
LINKEDIN_URL = "linkedin_url"
COMPANY = "company"
TITLE = "title"
CONNECTED_ON = "connected_on"

# contacts
RECORD_ID = "record_id"
FULL_NAME = "full_name"
FIRST_NAME = "first_name"
MIDDLE_NAME = "middle_name"
LAST_NAME = "last_name"
PHONES = "phones"
LABELS = "labels"
BIRTHDAY = "birthday"  # ISO text, "--MM-DD" when the year is unknown

# messages
SENDER = "sender"
SENDER_NAME = "sender_name"
TO = "to"
CC = "cc"
TO_NAMES = "to_names"  # display names parallel to TO when known, else []
CC_NAMES = "cc_names"
BCC = "bcc"  # blind-copy recipients: known only on the owner's own sent copies (Gmail Sent, Outlook)
IN_REPLY_TO = "in_reply_to"
REFERENCES = "references"
SUBJECT = "subject"
N_RECIPIENTS = "n_recipients"  # To + Cc (who the message showed); Bcc is not counted
IS_FROM_ME = "is_from_me"
IS_AUTOMATED = "is_automated"
MAILING_LIST = "mailing_list"  # address of the list that distributed the message (None: direct mail)
FOLDER = "folder"  # mail folder or Gmail labels joined; LinkedIn FOLDER

# identities
KEY = "key"
KEY_KIND = "key_kind"
DISPLAY_NAME = "display_name"
MATCH_RULE = "match_rule"
MATCH_SCORE = "match_score"

# people
DOMAIN = "domain"
SOURCES = "sources"
TAGS = "tags"
KIND = "kind"
CADENCE_DAYS = "cadence_days"
IS_ME = "is_me"

# interactions
ROLE = "role"  # "from", "to", "cc", "bcc"
N_PARTICIPANTS = "n_participants"
IS_REPLY = "is_reply"
STARTS_THREAD = "starts_thread"

# LinkedIn extras
SKILL = "skill"
TEXT_CHARS = "text_chars"  # length of a text that is not kept (a recommendation)
STATUS = "status"
STARTED_ON = "started_on"
FINISHED_ON = "finished_on"
HAS_MESSAGE = "has_message"

# direction values
OUT, IN = "out", "in"
GIVEN, RECEIVED = "given", "received"

# key kinds
KEY_EMAIL, KEY_URL, KEY_NAME, KEY_RECORD, KEY_PHONE = "email", "url", "name", "record", "phone"

# --- frame specifications -------------------------------------------------------------

CONTACTS: dict[str, str] = {
    SOURCE: "str",
    SOURCE_FILE: "str",
    RECORD_ID: "str",
    FULL_NAME: "str",
    FIRST_NAME: "str",
    MIDDLE_NAME: "str",
    LAST_NAME: "str",
    EMAILS: "list",
    PHONES: "list",
    COMPANY: "str",
    TITLE: "str",
    LINKEDIN_URL: "str",
    CONNECTED_ON: "datetime",
    LABELS: "list",
    BIRTHDAY: "str",
}

MESSAGES: dict[str, str] = {
    MESSAGE_ID: "str",
    SOURCE: "str",
    SOURCE_FILE: "str",
    CHANNEL: "str",
    TIMESTAMP: "datetime",
    SENDER: "str",
    SENDER_NAME: "str",
    TO: "list",
    CC: "list",
    TO_NAMES: "list",
    CC_NAMES: "list",
    BCC: "list",
    THREAD_ID: "str",
    IN_REPLY_TO: "str",
    REFERENCES: "list",
    SUBJECT: "str",
    N_RECIPIENTS: "int",
    IS_FROM_ME: "bool",
    IS_AUTOMATED: "bool",
    MAILING_LIST: "str",
    FOLDER: "str",
    LABELS: "list",
}

IDENTITIES: dict[str, str] = {
    KEY: "str",
    KEY_KIND: "str",
    DISPLAY_NAME: "str",
    PERSON_ID: "str",
    MATCH_RULE: "str",
    MATCH_SCORE: "float",
}

PEOPLE: dict[str, str] = {
    NAME: "str",
    EMAILS: "list",
    LINKEDIN_URL: "str",
    COMPANY: "str",
    TITLE: "str",
    DOMAIN: "str",
    SOURCES: "list",
    CONNECTED_ON: "datetime",
    TAGS: "list",
    KIND: "str",
    CADENCE_DAYS: "float",
    IS_ME: "bool",
}

INTERACTIONS: dict[str, str] = {
    TIMESTAMP: "datetime",
    PERSON_ID: "str",
    DIRECTION: "str",
    CHANNEL: "str",
    THREAD_ID: "str",
    MESSAGE_ID: "str",
    IN_REPLY_TO: "str",
    ROLE: "str",
    N_PARTICIPANTS: "int",
    IS_REPLY: "bool",
    STARTS_THREAD: "bool",
}

ENDORSEMENTS: dict[str, str] = {
    DIRECTION: "str",  # given / received
    TIMESTAMP: "datetime",
    SKILL: "str",
    FIRST_NAME: "str",
    LAST_NAME: "str",
    LINKEDIN_URL: "str",
    STATUS: "str",
}

RECOMMENDATIONS: dict[str, str] = {
    DIRECTION: "str",  # given / received
    TIMESTAMP: "datetime",
    FIRST_NAME: "str",
    LAST_NAME: "str",
    COMPANY: "str",
    TITLE: "str",
    TEXT_CHARS: "int",
    STATUS: "str",
}

INVITATIONS: dict[str, str] = {
    DIRECTION: "str",  # out / in
    TIMESTAMP: "datetime",
    NAME: "str",  # the other person
    LINKEDIN_URL: "str",
    HAS_MESSAGE: "bool",
}

POSITIONS: dict[str, str] = {
    COMPANY: "str",
    TITLE: "str",
    STARTED_ON: "str",
    FINISHED_ON: "str",
}

# --- privacy ----------------------------------------------------------------------------

#: Every column of every frame a :class:`~netanalytics.network.Network` carries, with its
#: privacy class (``identifying``, ``quasi-identifying``, ``safe``) and what
#: :meth:`~netanalytics.network.Network.anonymize` does with it. A column name means the same
#: in every frame. A column missing here makes anonymize raise (tested), so a new column can
#: never be shared unclassified. Treatments: ``key``/``keys`` identity keys -> pseudonym keys;
#: ``name``/``names`` -> the person's pseudonym; ``first_name``/``last_name`` -> its parts;
#: ``id``/``ids`` message and thread ids -> consistent hashes (threads stay threads);
#: ``company``, ``domain`` (free-mail domains kept), ``label``/``labels``, ``path``,
#: ``record`` -> consistent pseudonyms; ``remove`` -> empty; ``keep``.
PRIVACY: dict[str, tuple[str, str]] = {
    # identifying
    NAME: ("identifying", "name"),
    FULL_NAME: ("identifying", "name"),
    SENDER_NAME: ("identifying", "name"),
    DISPLAY_NAME: ("identifying", "name"),
    "name_a": ("identifying", "name"),
    "name_b": ("identifying", "name"),
    TO_NAMES: ("identifying", "names"),
    CC_NAMES: ("identifying", "names"),
    FIRST_NAME: ("identifying", "first_name"),
    LAST_NAME: ("identifying", "last_name"),
    MIDDLE_NAME: ("identifying", "remove"),
    KEY: ("identifying", "key"),
    SENDER: ("identifying", "key"),
    LINKEDIN_URL: ("identifying", "key"),
    MAILING_LIST: ("identifying", "key"),
    "key_a": ("identifying", "key"),
    "key_b": ("identifying", "key"),
    EMAILS: ("identifying", "keys"),
    TO: ("identifying", "keys"),
    CC: ("identifying", "keys"),
    BCC: ("identifying", "keys"),
    PHONES: ("identifying", "remove"),
    BIRTHDAY: ("identifying", "remove"),
    MESSAGE_ID: ("identifying", "id"),
    THREAD_ID: ("identifying", "id"),
    IN_REPLY_TO: ("identifying", "id"),
    REFERENCES: ("identifying", "ids"),
    SUBJECT: ("identifying", "remove"),
    SOURCE_FILE: ("identifying", "path"),
    RECORD_ID: ("identifying", "record"),
    # quasi-identifying: with other facts they can single someone out
    COMPANY: ("quasi-identifying", "company"),
    DOMAIN: ("quasi-identifying", "domain"),
    TITLE: ("quasi-identifying", "remove"),
    TAGS: ("quasi-identifying", "labels"),
    LABELS: ("quasi-identifying", "labels"),
    FOLDER: ("quasi-identifying", "label"),
    "evidence": ("quasi-identifying", "remove"),
    SKILL: ("quasi-identifying", "keep"),
    TIMESTAMP: ("quasi-identifying", "keep"),
    CONNECTED_ON: ("quasi-identifying", "keep"),
    # safe: categories, counts, flags, the library's own person ids
    PERSON_ID: ("safe", "keep"),
    "person_a": ("safe", "keep"),
    "person_b": ("safe", "keep"),
    SOURCE: ("safe", "keep"),
    SOURCES: ("safe", "keep"),
    CHANNEL: ("safe", "keep"),
    DIRECTION: ("safe", "keep"),
    ROLE: ("safe", "keep"),
    N_PARTICIPANTS: ("safe", "keep"),
    N_RECIPIENTS: ("safe", "keep"),
    IS_REPLY: ("safe", "keep"),
    TEXT_CHARS: ("safe", "keep"),
    STARTS_THREAD: ("safe", "keep"),
    IS_FROM_ME: ("safe", "keep"),
    IS_AUTOMATED: ("safe", "keep"),
    IS_ME: ("safe", "keep"),
    KEY_KIND: ("safe", "keep"),
    MATCH_RULE: ("safe", "keep"),
    MATCH_SCORE: ("safe", "keep"),
    "score": ("safe", "keep"),
    "likelihood": ("safe", "keep"),  # merge candidates
    "n_messages": ("safe", "keep"),
    KIND: ("safe", "keep"),
    CADENCE_DAYS: ("safe", "keep"),
    STATUS: ("safe", "keep"),
    HAS_MESSAGE: ("safe", "keep"),
}


_FRAME_NAMES = {
    id(CONTACTS): "contacts",
    id(MESSAGES): "messages",
    id(IDENTITIES): "identities",
    id(PEOPLE): "people",
    id(INTERACTIONS): "interactions",
    id(ENDORSEMENTS): "endorsements",
    id(RECOMMENDATIONS): "recommendations",
    id(INVITATIONS): "invitations",
    id(POSITIONS): "positions",
}

_EMPTY_DTYPES = {
    "str": object,
    "list": object,
    "datetime": "datetime64[ns, UTC]",
    "bool": bool,
    "int": "int64",
    "float": float,
}


def empty_frame(spec: dict[str, str]) -> pd.DataFrame:
    """Return an empty frame with the columns and dtypes of ``spec``.

    Examples
    --------
    >>> from netanalytics import schema
    >>> list(schema.empty_frame(schema.INVITATIONS).columns)
    ['direction', 'timestamp', 'name', 'linkedin_url', 'has_message']
    """
    return pd.DataFrame({col: pd.Series(dtype=_EMPTY_DTYPES[kind]) for col, kind in spec.items()})


def _kind_ok(series: pd.Series, kind: str) -> bool:
    dtype = series.dtype
    if kind == "str":
        return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
    if kind == "list":
        # (isinstance mapped over a plain list: a generator over the Series took four times as
        # long, 0.33 s for the list columns of 400,000 messages)
        return pd.api.types.is_object_dtype(dtype) and all(map(isinstance, series.tolist(), repeat(list)))
    if kind == "datetime":
        return isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC"
    if kind == "bool":
        return pd.api.types.is_bool_dtype(dtype) and not series.isna().any()
    if kind == "int":
        return pd.api.types.is_integer_dtype(dtype) and not series.isna().any()
    if kind == "float":
        return pd.api.types.is_float_dtype(dtype)
    raise ValueError(f"unknown column kind {kind!r}")


def validate(frame: pd.DataFrame, spec: dict[str, str], name: str | None = None) -> pd.DataFrame:
    """Check that ``frame`` has every column of ``spec`` with the right kind.

    Extra columns are allowed. Returns ``frame`` unchanged so calls can be chained.

    Raises
    ------
    SchemaError
        Naming the first missing or mistyped column and what was found.

    Examples
    --------
    >>> import pandas as pd
    >>> from netanalytics import schema
    >>> schema.validate(pd.DataFrame({"key": ["a"]}), schema.IDENTITIES)
    Traceback (most recent call last):
    ...
    netanalytics.exceptions.SchemaError: identities frame has no 'key_kind' column (found: key). ...
    """
    name = name or _FRAME_NAMES.get(id(spec), "frame")
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    found = ", ".join(map(str, frame.columns)) or "no columns"
    for col, kind in spec.items():
        if col not in frame.columns:
            raise SchemaError(
                f"{name} frame has no {col!r} column (found: {found}). "
                f"Build it with a netanalytics reader or add the column."
            )
        if not _kind_ok(frame[col], kind):
            raise SchemaError(
                f"{name} column {col!r} should hold {kind} values but has dtype "
                f"{frame[col].dtype}" + (" (with missing values)" if kind in ("bool", "int") else "")
            )
    return frame


def validate_contacts(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate a ``contacts`` frame (see :data:`CONTACTS`)."""
    return validate(frame, CONTACTS, "contacts")


def validate_messages(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate a ``messages`` frame (see :data:`MESSAGES`)."""
    return validate(frame, MESSAGES, "messages")


def validate_identities(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate an ``identities`` frame (see :data:`IDENTITIES`)."""
    return validate(frame, IDENTITIES, "identities")


def validate_people(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate a ``people`` frame (see :data:`PEOPLE`); its index is ``person_id``."""
    if frame.index.name != PERSON_ID:
        raise SchemaError(f"people frame must be indexed by {PERSON_ID!r} (index is {frame.index.name!r})")
    return validate(frame, PEOPLE, "people")


def validate_interactions(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate an ``interactions`` frame (see :data:`INTERACTIONS`)."""
    return validate(frame, INTERACTIONS, "interactions")


# --- identity keys and normalisation ------------------------------------------------------

_LINKEDIN_RE = re.compile(r"^(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/(in|pub)/([^/?#]+)", re.I)


def normalize_email(value: object) -> str | None:
    """Lower-case and strip an email address; ``None`` when it is not one.

    Examples
    --------
    >>> normalize_email("  Ann.Lee@Example.COM ")
    'ann.lee@example.com'
    >>> normalize_email("/o=ExchangeLabs/ou=Exchange/cn=Recipients/cn=ann") is None
    True
    """
    if not isinstance(value, str):
        return None
    text = value.strip().strip("<>").strip().lower()
    if text.startswith("mailto:"):
        text = text[7:]
    if text.count("@") != 1 or " " in text or text.startswith("/"):
        return None
    local, domain = text.split("@")
    if not local or "." not in domain:
        return None
    return text


def normalize_linkedin_url(value: object) -> str | None:
    """Canonical LinkedIn profile URL ``https://www.linkedin.com/in/<slug>``; ``None`` if not one.

    The slug is percent-decoded, NFC-normalised and lower-cased; scheme, host (any country
    sub-domain), query, fragment and trailing slash do not matter. Exports spell one profile
    both ways (percent-encoded in Connections.csv, decoded in messages.csv), and the URL is a
    person's identity key, so both spellings must give the same key.

    Examples
    --------
    >>> normalize_linkedin_url("www.linkedin.com/in/ann-lee-12ab/")
    'https://www.linkedin.com/in/ann-lee-12ab'
    >>> normalize_linkedin_url("https://WWW.LinkedIn.com/in/j%C3%B6rg-M%C3%BCller-1a2b3c/?trk=x#top")
    'https://www.linkedin.com/in/jörg-müller-1a2b3c'
    >>> normalize_linkedin_url("") is None
    True
    """
    if not isinstance(value, str):
        return None
    match = _LINKEDIN_RE.match(value.strip())
    if not match:
        return None
    slug = unicodedata.normalize("NFC", urllib.parse.unquote(match.group(2))).lower()
    if not slug or "/" in slug or slug.isspace():
        return None  # an encoded slash or blank slug names no profile
    return f"https://www.linkedin.com/{match.group(1).lower()}/{slug}"


#: What a phone number is written with (a date such as 12/03/2025 is not one).
_PHONE_CHARS = re.compile(r"^\+?[\d\s()\-\u00a0\u202f\u2011]{6,}$")


def normalize_phone(value: object, region: str | None = None) -> str | None:
    """Identity key ``tel:<E.164>`` of a phone number; ``None`` when it is not one.

    A number written with its country code (``+44 7700 900456``, ``0044 ...``) needs no
    region; a national number (``030 5550 1010``) is read in ``region`` (ISO 3166 code such
    as ``"DE"``, the owner's country) and is ``None`` without one. Parsed with
    `phonenumbers <https://github.com/daviddrysdale/python-phonenumbers>`_ (Google's
    libphonenumber); a number that is not possible in its country is ``None``.

    Examples
    --------
    >>> normalize_phone("+44 7700 900456")
    'tel:+447700900456'
    >>> normalize_phone("030 5550 1010", region="DE")
    'tel:+493055501010'
    >>> normalize_phone("030 5550 1010") is None, normalize_phone("Ann Lee") is None
    (True, True)
    """
    import phonenumbers

    if not isinstance(value, str) or not _PHONE_CHARS.match(value.strip()):
        return None
    text = value.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_region(key: str) -> str | None:
    """The country (ISO 3166 code) of a ``tel:`` key; ``None`` when it has none.

    Examples
    --------
    >>> phone_region("tel:+493055501010")
    'DE'
    """
    import phonenumbers

    try:
        number = phonenumbers.parse(key.removeprefix("tel:"), None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_country_code(number.country_code)
    return None if region in (None, "ZZ", "001") else region


def clean_name(value: object) -> str | None:
    """Collapse whitespace in a display name; ``None`` for empty text.

    Examples
    --------
    >>> clean_name("  Ann   Lee ")
    'Ann Lee'
    """
    if not isinstance(value, str):
        return None
    text = " ".join(unicodedata.normalize("NFC", value).split())
    return text or None


def name_key(name: str) -> str:
    """Identity key for a participant known only by name.

    Examples
    --------
    >>> name_key(" Ann  Lee ")
    'name:Ann Lee'
    """
    return "name:" + (clean_name(name) or "")


def record_key(source: str, record_id: str) -> str:
    """Identity key for a contact record.

    Examples
    --------
    >>> record_key("google", "17")
    'record:google:17'
    """
    return f"record:{source}:{record_id}"


# What a key that is not an email address starts with (key_kind: any other key is one).
NOT_EMAIL = ("name:", "tel:", "record:", "https://")


def key_kind(key: str) -> str:
    """Tell what an identity key names: ``email``, ``url``, ``name``, ``record`` or ``phone``.

    Examples
    --------
    >>> keys = ["a@b.org", "https://www.linkedin.com/in/a", "name:A", "record:vcard:1", "tel:+4930555"]
    >>> [key_kind(k) for k in keys]
    ['email', 'url', 'name', 'record', 'phone']
    """
    if key.startswith("name:"):
        return KEY_NAME
    if key.startswith("tel:"):
        return KEY_PHONE
    if key.startswith("record:"):
        return KEY_RECORD
    if key.startswith("https://"):
        return KEY_URL
    return KEY_EMAIL


def key_kinds(keys: list[str]) -> list[str]:
    """:func:`key_kind` of each key, an email address (most keys) told by one ``startswith``.

    Examples
    --------
    >>> key_kinds(["a@b.org", "tel:+4930555", "odd"])
    ['email', 'phone', 'email']
    """
    return [key_kind(k) if k.startswith(NOT_EMAIL) else KEY_EMAIL for k in keys]


# --- metric output columns (appended by the tie-strength / reciprocity / health metrics) ---

# tie strength (metrics.strength)
INTENSITY_SHORT = "intensity_short"
INTENSITY_LONG = "intensity_long"
RECENCY_DAYS = "recency_days"
DURATION_DAYS = "duration_days"
SENT = "sent"
RECEIVED = "received"
BALANCE = "balance"
OVERLAP = "overlap"
CHANNELS = "channels"
N_365D = "n_365d"
STRENGTH = "strength"
LAYER = "layer"

# reciprocity (metrics.reciprocity)
LOG_IMBALANCE = "log_imbalance"
ONE_SIDED = "one_sided"
ONE_SIDED_EVIDENCE = "one_sided_evidence"
INITIATION_SHARE = "initiation_share"
MY_REPLY_RATE = "my_reply_rate"
THEIR_REPLY_RATE = "their_reply_rate"
MY_REPLY_RATE_DIRECT = "my_reply_rate_direct"
THEIR_REPLY_RATE_DIRECT = "their_reply_rate_direct"
MY_REPLY_RATE_GROUP = "my_reply_rate_group"
THEIR_REPLY_RATE_GROUP = "their_reply_rate_group"
MY_MEDIAN_REPLY_HOURS = "my_median_reply_hours"
THEIR_MEDIAN_REPLY_HOURS = "their_median_reply_hours"
OWES_REPLY = "owes_reply"
ENDORSEMENTS_GIVEN = "endorsements_given"
ENDORSEMENTS_RECEIVED = "endorsements_received"
RECOMMENDATIONS_GIVEN = "recommendations_given"
RECOMMENDATIONS_RECEIVED = "recommendations_received"
INVITATION = "invitation"
BROADCAST_SENT = "broadcast_sent"
BROADCAST_RECEIVED = "broadcast_received"

# ego structure and health (metrics.structure, metrics.health)
DEGREE = "degree"
CONSTRAINT = "constraint"
EFFECTIVE_SIZE = "effective_size"
EFFICIENCY = "efficiency"
DENSITY = "density"
NODES = "nodes"
EDGES = "edges"
AVERAGE_CLUSTERING = "average_clustering"
TRANSITIVITY = "transitivity"
TRIANGLES = "triangles"
SCORE = "score"
COMPONENT = "component"
VALUE = "value"
WEIGHT = "weight"
POINTS = "points"
REASON = "reason"
MEASURABLE = "measurable"
DIMENSION = "dimension"
BLAU = "blau"
ENTROPY = "entropy"
CATEGORIES = "categories"
GROUP_BY = "group_by"
GROUP = "group"
N_PEOPLE = "n_people"

# dormancy and reconnect (metrics.dormancy); LAYER, SCORE, REASON are defined above
LAST_CONTACT = "last_contact"
DAYS_SINCE = "days_since"
N_CONTACTS = "n_contacts"
N_CONTACT_DAYS = "n_contact_days"
TYPICAL_GAP_DAYS = "typical_gap_days"
OVERDUE_RATIO = "overdue_ratio"
P_ALIVE = "p_alive"
P_ALIVE_BGNBD = "p_alive_bgnbd"
EXPECTED_NEXT_90D = "expected_next_90d"
LAYER_GAP_DAYS = "layer_gap_days"
STATE = "state"
DUE = "due"
DUE_DATE = "due_date"
MODEL = "model"
PEAK_STRENGTH = "peak_strength"
NOVELTY = "novelty"

# dormancy state values
ACTIVE, COOLING, DORMANT, LONG_DORMANT = "active", "cooling", "dormant", "long_dormant"

# reminders (netanalytics.reminders); PERSON_ID, NAME, REASON, KIND, DUE_DATE are defined above
PRIORITY = "priority"  # 1 high, 2 medium, 3 low

# reply latencies (metrics.latency); PERSON_ID, DIRECTION, TIMESTAMP are defined above
HOURS = "hours"
# reply-latency direction values: my answers to them / their answers to me
MINE, THEIRS = "mine", "theirs"
COMMUNITY = "community"
