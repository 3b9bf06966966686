"""Identity resolution: which identity keys (addresses, profile URLs, names, contact records) are one person."""

from __future__ import annotations

import bisect
import contextlib
import functools
import re
import types
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz

from netanalytics import _namesearch
from netanalytics import schema as S
from netanalytics._fork import may_spawn
from netanalytics._gc import gc_paused
from netanalytics.network import _run_positions

__all__ = [
    "normalize_person_name",
    "company_key",
    "email_domain",
    "is_free_mail",
    "Resolution",
    "resolve_identities",
    "similar_names",
    "read_overrides",
    "read_annotations",
]

# Rules, strongest first. The rule that linked a key is reported in ``identities.match_rule``.
RULE_ME = "owner"
RULE_SELF = "self"  # the key that founded its cluster
RULE_EXACT = "exact key"  # the same email / URL seen in several sources
RULE_ON_RECORD = "listed on contact"  # email or URL written on a contact or connection
RULE_OVERRIDE = "override"
RULE_NAME_CONNECTION = "name of a unique connection"
RULE_NAME_COMPANY = "name + company or domain"
RULE_NAME_UNIQUE = "name, no conflicting record"
RULE_FUZZY = "fuzzy name + company or domain"

_CREDENTIALS = {
    "mba",
    "phd",
    "md",
    "cpa",
    "pmp",
    "jd",
    "msc",
    "ms",
    "ma",
    "ba",
    "bsc",
    "mph",
    "cfa",
    "esq",
    "jr",
    "sr",
    "ii",
    "iii",
    "iv",
    "dds",
    "rn",
    "pe",
    "ceng",
    "frsa",
    "facs",
    "mbbs",
    "llm",
    "dr",
    "mr",
    "mrs",
    "ms.",
    "prof",
    "sir",
}
_PREFIXES = {"dr", "mr", "mrs", "ms", "prof", "sir", "mx"}

# Common English nicknames → formal first name (both directions resolve to the formal one).
_NICKNAMES = {
    "bob": "robert",
    "rob": "robert",
    "robbie": "robert",
    "bobby": "robert",
    "bert": "robert",
    "bill": "william",
    "will": "william",
    "billy": "william",
    "liam": "william",
    "willy": "william",
    "jim": "james",
    "jimmy": "james",
    "jamie": "james",
    "mike": "michael",
    "mick": "michael",
    "mikey": "michael",
    "dave": "david",
    "davy": "david",
    "tom": "thomas",
    "tommy": "thomas",
    "chris": "christopher",
    "kit": "christopher",
    "dan": "daniel",
    "danny": "daniel",
    "joe": "joseph",
    "joey": "joseph",
    "jon": "jonathan",
    "nick": "nicholas",
    "nicky": "nicholas",
    "tony": "anthony",
    "steve": "steven",
    "stephen": "steven",
    "matt": "matthew",
    "pat": "patrick",
    "rick": "richard",
    "rich": "richard",
    "dick": "richard",
    "ricky": "richard",
    "ed": "edward",
    "eddie": "edward",
    "ted": "edward",
    "ben": "benjamin",
    "benny": "benjamin",
    "sam": "samuel",
    "alex": "alexander",
    "andy": "andrew",
    "drew": "andrew",
    "greg": "gregory",
    "jeff": "jeffrey",
    "geoff": "jeffrey",
    "ken": "kenneth",
    "kenny": "kenneth",
    "larry": "lawrence",
    "len": "leonard",
    "charlie": "charles",
    "chuck": "charles",
    "hank": "henry",
    "harry": "henry",
    "jack": "john",
    "johnny": "john",
    "fred": "frederick",
    "freddie": "frederick",
    "gerry": "gerald",
    "jerry": "gerald",
    "don": "donald",
    "ron": "ronald",
    "ronnie": "ronald",
    "tim": "timothy",
    "timmy": "timothy",
    "vince": "vincent",
    "walt": "walter",
    "zach": "zachary",
    "zack": "zachary",
    "phil": "philip",
    "pete": "peter",
    "ray": "raymond",
    "russ": "russell",
    "stu": "stuart",
    "al": "albert",
    "abe": "abraham",
    "liz": "elizabeth",
    "beth": "elizabeth",
    "betty": "elizabeth",
    "lizzie": "elizabeth",
    "eliza": "elizabeth",
    "kate": "katherine",
    "katie": "katherine",
    "kathy": "katherine",
    "cathy": "katherine",
    "catherine": "katherine",
    "kat": "katherine",
    "jen": "jennifer",
    "jenny": "jennifer",
    "jess": "jessica",
    "jessie": "jessica",
    "sue": "susan",
    "susie": "susan",
    "maggie": "margaret",
    "meg": "margaret",
    "peggy": "margaret",
    "patty": "patricia",
    "trish": "patricia",
    "tricia": "patricia",
    "becky": "rebecca",
    "becca": "rebecca",
    "mandy": "amanda",
    "abby": "abigail",
    "vicky": "victoria",
    "tori": "victoria",
    "debbie": "deborah",
    "deb": "deborah",
    "sandy": "sandra",
    "cindy": "cynthia",
    "pam": "pamela",
    "barb": "barbara",
    "chrissy": "christine",
    "tina": "christina",
    "nat": "natalie",
    "steph": "stephanie",
    "sam.": "samantha",
    "annie": "anne",
    "ann": "anne",
    "nancy": "anne",
    "mandi": "amanda",
    "nikki": "nicole",
    "ally": "allison",
    "alli": "allison",
    "jo": "joanne",
}

_FREE_MAIL = {
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "yahoo.de",
    "ymail.com",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "hotmail.de",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "t-online.de",
    "yandex.ru",
    "yandex.com",
    "mail.ru",
    "qq.com",
    "163.com",
    "126.com",
    "fastmail.com",
    "hey.com",
    "zoho.com",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "libero.it",
    "btinternet.com",
    "comcast.net",
    "verizon.net",
    "att.net",
    "naver.com",
}
_COMPANY_SUFFIXES = {
    "inc",
    "incorporated",
    "llc",
    "ltd",
    "limited",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "sarl",
    "bv",
    "nv",
    "plc",
    "corp",
    "corporation",
    "co",
    "company",
    "group",
    "holdings",
    "the",
    "kg",
    "srl",
    "spa",
    "ab",
    "as",
    "oy",
    "pty",
    "lp",
    "llp",
    "se",
}
_NON_ALNUM = re.compile(r"[^a-z0-9 ]+")


# Letters that Unicode does not decompose into a base letter and an accent.
_TRANSLITERATE = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "TH",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
        "ð": "d",
        "Ð": "D",
    }
)


class _Uncombined(dict):
    """A ``str.translate`` table that drops combining characters (``unicodedata.combining``, the
    accents NFKD splits off) and keeps the others, filled as characters are met: one C-level
    lookup a character, where a generator asked ``combining`` of each (the 2,726 accented
    names of the namesake mailbox: 0.015 -> 0.006 s)."""

    def __missing__(self, point: int) -> int | None:
        kept = self[point] = None if unicodedata.combining(chr(point)) else point
        return kept


_UNCOMBINED = _Uncombined()


def _fold(text: str) -> str:
    """Lower-case, strip accents (José → jose, Sørensen → sorensen), keep letters, digits and spaces."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    ascii_ish = decomposed.translate(_UNCOMBINED)
    return " ".join(_NON_ALNUM.sub(" ", ascii_ish.lower().replace("'", "")).split())


def normalize_person_name(name: object) -> str | None:
    """Reduce a display name to ``"first last"`` for matching.

    Accents and case are folded, credentials (", MBA", "PhD", "(IoT)") and prefixes
    ("Dr.") dropped, "Last, First" turned around, middle names dropped and common
    nicknames mapped to the formal first name (Bob → robert).

    Examples
    --------
    >>> normalize_person_name("Dr. José  María Núñez, PhD")
    'jose nunez'
    >>> normalize_person_name("Bob Chen")
    'robert chen'
    >>> normalize_person_name("Chen, Robert")
    'robert chen'
    >>> normalize_person_name("Amra Mehic-Dzanic (IoT), MBA")
    'amra mehicdzanic'
    >>> normalize_person_name("support") is None
    True
    """
    if not isinstance(name, str):
        return None
    if name.isascii() and name.replace(" ", "").isalpha():
        # plain ASCII letters and spaces (most names): nothing to fold, drop or turn around
        return _first_last(name.lower().split())
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", name)
    # hyphenated surnames compare as one word: Mehic-Dzanic -> mehicdzanic
    text = text.replace('"', " ").replace("-", "").strip()
    if "@" in text:
        return None
    parts = [p.strip() for p in text.split(",") if p.strip()]
    # "Last, First" when the part after the comma is not a credential
    if len(parts) >= 2 and _fold(parts[1]) and _fold(parts[1]).split()[0] not in _CREDENTIALS:
        if len(parts[0].split()) == 1:
            parts = [parts[1], parts[0], *parts[2:]]
    if not parts:
        return None
    kept = [parts[0]] + [p for p in parts[1:] if _fold(p) and _fold(p).split()[0] not in _CREDENTIALS]
    return _first_last(_fold(" ".join(kept)).split())


def _first_last(tokens: list[str]) -> str | None:
    """``"first last"`` from a name's folded words: credentials and leading prefixes dropped, the
    first name's nickname mapped; None with fewer than two words left."""
    if len(tokens) == 2:  # (most names: the same as below, a quarter faster)
        first, last = tokens
        if first not in _CREDENTIALS and first not in _PREFIXES and last not in _CREDENTIALS:
            return f"{_NICKNAMES.get(first, first)} {last}"
    tokens = [t for t in tokens if t not in _CREDENTIALS]
    while tokens and tokens[0] in _PREFIXES:
        tokens = tokens[1:]
    if len(tokens) < 2:
        return None
    first, last = tokens[0], tokens[-1]
    first = _NICKNAMES.get(first, first)
    return f"{first} {last}"


# "First Last" in ASCII letters, one space between: most display names (see _normalized)
_TWO_PLAIN_WORDS = r"^(?P<first>[A-Za-z]+) (?P<last>[A-Za-z]+)$"
# two words of Latin letters, accented ones included (Latin-1 Supplement to Latin Extended-B,
# whose decompositions have not changed since Unicode 3), and the combining marks NFKD splits off
# them (U+0300-U+036F, all but U+034F, which joins graphemes and is no accent): see _normalized
_TWO_LATIN_WORDS = re.compile(r"[A-Za-z\u00c0-\u024f]+ [A-Za-z\u00c0-\u024f]+")
_LATIN_MARKS = (
    "[" + "".join(f"\\x{{{c:04x}}}" for c in range(0x300, 0x370) if unicodedata.combining(chr(c))) + "]"
)


def _normalized(names: list[str]) -> list[str | None]:
    """:func:`normalize_person_name` of each of ``names`` (strings), the two-word plain names by
    Arrow, a column at a time, the others one by one.

    A name of two words of ASCII letters is lower-cased and its first word's nickname mapped,
    as :func:`_first_last` does, when neither word is a credential nor the first a prefix (0.024
    -> 0.006 s for the 28,955 display names of the namesake mailbox, the same names). So is a
    name of two words of accented Latin letters once NFKD has split its accents off and they are
    dropped, as :func:`_fold` does (José Núñez: jose nunez; 0.009 -> 0.002 s for the 2,726 such
    names there); a letter with no decomposition (ø, ß, ł) leaves it to :func:`normalize_person_name`,
    which transliterates it. Only ASCII and Latin names go to Arrow (a name read with a lone
    surrogate, which UTF-8 cannot hold, is neither).
    """
    latin = [name if name.isascii() or _TWO_LATIN_WORDS.fullmatch(name) else "" for name in names]
    unaccented = pc.replace_substring_regex(
        pc.utf8_normalize(pa.array(latin, type=pa.large_string()), form="NFKD"), _LATIN_MARKS, ""
    )
    words = pc.extract_regex(unaccented, _TWO_PLAIN_WORDS)
    first, last = (pc.ascii_lower(pc.struct_field(words, [i])) for i in (0, 1))  # (null: no match)
    nick = pc.index_in(first, value_set=pa.array(list(_NICKNAMES), type=pa.large_string()))
    formal = pc.coalesce(pa.array(list(_NICKNAMES.values()), type=pa.large_string()).take(nick), first)
    plain = pc.and_kleene(
        pc.invert(pc.is_in(first, value_set=pa.array(sorted(_CREDENTIALS | _PREFIXES), pa.large_string()))),
        pc.invert(pc.is_in(last, value_set=pa.array(sorted(_CREDENTIALS), pa.large_string()))),
    )
    fast = pc.if_else(
        plain, pc.binary_join_element_wise(formal, last, pa.scalar(" ", pa.large_string())), None
    ).to_pylist()
    return [normalize_person_name(name) if norm is None else norm for name, norm in zip(names, fast)]


def company_key(company: object) -> str | None:
    """Compact a company name for comparison: ``"Acme Robotics, Inc."`` → ``"acmerobotics"``.

    Examples
    --------
    >>> company_key("Acme Robotics, Inc.")
    'acmerobotics'
    >>> company_key(None) is None
    True
    """
    if not isinstance(company, str):
        return None
    tokens = [t for t in _fold(company).split() if t not in _COMPANY_SUFFIXES]
    return "".join(tokens) or None


def email_domain(email: object) -> str | None:
    """Domain of an email address, or None.

    Examples
    --------
    >>> email_domain("ann@mail.acme.co.uk")
    'mail.acme.co.uk'
    """
    if not isinstance(email, str) or "@" not in email:
        return None
    return email.rsplit("@", 1)[1]


def is_free_mail(domain: object) -> bool:
    """True for personal mail providers (gmail.com, outlook.com, ...), which say nothing about an employer.

    Examples
    --------
    >>> is_free_mail("gmail.com"), is_free_mail("acme.com")
    (True, False)
    """
    return isinstance(domain, str) and domain in _FREE_MAIL


def _domain_label(domain: str) -> str:
    """Registrable label of a domain: mail.acme.co.uk → acme."""
    labels = domain.split(".")
    if len(labels) >= 3 and labels[-2] in {"co", "com", "ac", "org", "net", "gov", "edu"}:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def _domain_matches_company(domain: str, company: str) -> bool:
    label = re.sub(r"[^a-z0-9]", "", _domain_label(domain))
    return len(label) >= 3 and (label == company or company.startswith(label) or label.startswith(company))


def _corporate_domain(key: str) -> str | None:
    """The domain of an address key when it is not a personal mail provider's, else None."""
    dom = None if key.startswith(S.NOT_EMAIL) else email_domain(key)
    return None if dom and is_free_mail(dom) else dom


def _email_domains(keys: pa.Array) -> pa.Array:
    """:func:`email_domain` of each of ``keys`` (Arrow strings) that is an address, by Arrow: what
    follows its last "@" (a split: a regular expression took 3.7 ms for 30,735 keys); null for
    a name, phone, record or profile-URL key, a key without "@" and a missing one."""
    email = pc.and_(
        pc.invert(functools.reduce(pc.or_, [pc.starts_with(keys, prefix) for prefix in S.NOT_EMAIL])),
        pc.match_substring(keys, "@"),
    ).fill_null(False)
    domain = pc.list_element(pc.split_pattern(keys.filter(email), "@", max_splits=1, reverse=True), 1)
    return pc.replace_with_mask(pa.nulls(len(keys), domain.type), email, domain)


def _corporate_domains(keys: list[str]) -> list[str | None]:
    """:func:`_corporate_domain` of each of ``keys``, by Arrow (9.2 -> 6.5 ms for the 30,735 keys of the
    namesake mailbox); one by one where Arrow cannot take a key (a lone surrogate)."""
    try:
        key = pa.array(keys, type=pa.large_string())
    except (pa.ArrowInvalid, UnicodeEncodeError):
        return [_corporate_domain(k) for k in keys]
    domain = _email_domains(key)
    free = pc.is_in(domain, value_set=pa.array(sorted(_FREE_MAIL), type=pa.large_string()))
    return pc.if_else(free, None, domain).to_pylist()


def _top(counter: dict):
    """The most common entry of a dict of counts, the first seen among ties (as
    ``Counter.most_common(1)``), faster."""
    if len(counter) == 1:
        return next(iter(counter))
    return max(counter, key=counter.__getitem__)


def _shown_name(display: dict) -> str:
    """The name a key or a cluster is shown by, of its display names (name → sightings, not
    empty): the most frequent that is not an address, the first seen among ties, else the most
    frequent. A list's Cc often writes ``"gregkh@linuxfoundation.org" <gregkh@...>``, which
    names no one, where another message says Greg Kroah-Hartman."""
    if len(display) == 1:
        return next(iter(display))
    return _top({name: n for name, n in display.items() if "@" not in name} or display)


# A cluster of one key shares these empty containers (read-only: _Index._joined copies them
# before a second key joins).
_NONE: frozenset = frozenset()
_NO_SPANS = types.MappingProxyType({})


@dataclass(slots=True)  # (one per person: attributes read in every rule)
class _Cluster:
    keys: set = field(default_factory=set)
    # counts in plain dicts (a Counter costs a Python-level __init__ per cluster)
    names: dict = field(default_factory=dict)  # normalised name → sightings
    display: dict = field(default_factory=dict)  # display name → sightings
    companies: set = field(default_factory=set)  # company keys from contact records
    domains: set = field(default_factory=set)  # corporate email domains
    n_connections: int = 0  # LinkedIn connection records in the cluster
    urls: set = field(default_factory=set)  # LinkedIn profile URLs (one account each)
    n_messages: int = 0  # messages that carry one of its keys
    # corporate domain → (first, last) dated sighting of its addresses, in nanoseconds since the epoch
    spans: dict = field(default_factory=dict)
    _best: object = field(default=False, repr=False, compare=False)  # best_name(), once computed

    def best_name(self) -> str | None:
        """The cluster's most frequent normalised name (None without one), computed once: a
        cluster is complete when the rules read it, and one that merges is rebuilt anew."""
        if self._best is False:
            self._best = _top(self.names) if self.names else None
        return self._best


class _UnionFind:
    """Union–find over identity keys that remembers why each key joined and refuses forbidden merges."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.rule: dict[str, tuple[str, float]] = {}
        self.forbidden: dict[str, set[str]] = defaultdict(set)  # root → keys it must not join

    def add(self, key: str) -> None:
        if key not in self.parent:
            self.parent[key] = key
            self.rule[key] = (RULE_SELF, 1.0)

    def find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def members_forbidden(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        fa, fb = self.forbidden.get(ra, set()), self.forbidden.get(rb, set())
        return any(self.find(k) == rb for k in fa) or any(self.find(k) == ra for k in fb)

    def union(self, a: str, b: str, rule: str, score: float = 1.0, *, force: bool = False) -> bool:
        self.add(a)
        self.add(b)
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and self.members_forbidden(a, b):
            return False
        if self.rule[b][0] == RULE_SELF:
            self.rule[b] = (rule, score)
        elif self.rule[a][0] == RULE_SELF:
            self.rule[a] = (rule, score)
        self.parent[rb] = ra
        self.forbidden[ra] |= self.forbidden.pop(rb, set())
        return True

    def forbid(self, a: str, b: str) -> None:
        self.add(a)
        self.add(b)
        self.forbidden[self.find(a)].add(b)
        self.forbidden[self.find(b)].add(a)


@dataclass(frozen=True)
class Merge:
    """One merge a rule made: two keys (from the two clusters joined), the rule, its score and why."""

    rule: str
    key_a: str
    key_b: str
    score: float
    evidence: str


@dataclass
class _Index:
    """What every rule reads and writes: the union–find over keys and what each key tells about a person.

    Rules merge through :meth:`merge` (which records a :class:`Merge`) and read the current
    clusters through :meth:`clusters`; pairs a rule considered and left apart go to
    ``near_misses`` (key_a, key_b, score) for the review list, which weighs their evidence
    (two roots of the clusters as the fuzzy rule read them, whose best names differ there;
    ``merges`` from ``near_misses_since`` on are those made since).
    """

    contacts: pd.DataFrame
    overrides: pd.DataFrame | None
    me_keys: set
    fuzzy_threshold: float
    candidate_threshold: float
    # key → (n_messages, first, last): its first and last dated sightings in nanoseconds since the
    # epoch (UTC), None when it has none (see _epoch_ns)
    activity: dict = field(default_factory=dict)
    uf: _UnionFind = field(default_factory=_UnionFind)
    display: dict = field(default_factory=lambda: defaultdict(dict))  # key → {display name: sightings}
    key_company: dict = field(default_factory=dict)
    connection_records: set = field(default_factory=set)
    me_list: list = field(default_factory=list)
    merges: list = field(default_factory=list)
    near_misses: list = field(default_factory=list)
    near_misses_since: int | None = None  # len(merges) when the clusters of the first near misses were read
    _norm: dict = field(default_factory=dict)  # display name → normalised name, computed once
    # key → its normalised names (name → sightings) and the most frequent (None without one):
    # what the passes over every cluster read of a key alone (see _Clusters)
    _names_of: dict = field(default_factory=dict)
    _best_of: dict = field(default_factory=dict)
    _shown: dict = field(default_factory=dict)  # key → its most frequent display name (keys with one)
    # name → its keys, of the names that two keys or more carry (see shared_names); corporate
    # domain → its keys, of the domains of two keys or more (see organisations), once asked
    _keys_of_name: dict = field(default_factory=dict)
    _keys_of_domain: dict | None = None
    _facts: dict = field(default_factory=dict)  # key → what it tells: its cluster of one (see _fill_facts)
    # the clusters as last built (_Clusters.stored), and what rebuilding them needs
    _snapshot: dict | None = None
    _order: dict = field(default_factory=dict)  # key → position in the union–find
    _keys: list = field(default_factory=list)  # the keys by position
    _root_of: dict = field(default_factory=dict)  # key → its root in the snapshot
    _first: dict = field(default_factory=dict)  # root → position of its earliest key
    _dirty: set = field(default_factory=set)  # keys merged since the snapshot
    # the function giving a similar-name search made beforehand (in a process of its own): the
    # names searched and what it found among them (see _similar_name_pairs)
    similar_search: Callable[[], tuple[list[str], tuple]] | None = None

    def merge(self, a: str, b: str, rule: str, score: float, evidence: str, *, force: bool = False) -> bool:
        """Join the clusters of ``a`` and ``b``; False when an override forbids it (unless ``force``)."""
        joined_before = a in self.uf.parent and b in self.uf.parent and self.uf.find(a) == self.uf.find(b)
        ok = self.uf.union(a, b, rule, score, force=force)
        if ok and not joined_before:
            self.merges.append(Merge(rule, a, b, float(score), evidence))
            self._dirty.update((a, b))
        return ok

    def same(self, a: str, b: str) -> bool:
        return self.uf.find(a) == self.uf.find(b)

    def me_root(self) -> str | None:
        return self.uf.find(self.me_list[0]) if self.me_list else None

    def search_similar_names(self, searcher: _namesearch.Searcher) -> None:
        """Give ``searcher`` every name the keys carry to search for similar ones
        (:func:`netanalytics._namesearch.similar_name_search`): the rules before the fuzzy rule run
        here meanwhile, and the fuzzy rule takes the pairs of the clusters' best names, some of
        these names, from it (:func:`_similar_name_pairs`)."""
        self._fill_names([key for key in self.uf.parent if key not in self._names_of])
        names = list(dict.fromkeys(name for names in self._names_of.values() for name in names))
        found = searcher.search(names, self.candidate_threshold)
        self.similar_search = lambda: (names, found())

    def _key_facts(self, key: str) -> _Cluster:
        """What one key tells (see :meth:`_fill_facts`), computed once."""
        facts = self._facts.get(key)
        if facts is None:
            self._fill_facts([key])
            facts = self._facts[key]
        return facts

    def _fill_names(self, keys) -> None:
        """Each of ``keys``' normalised names (name → sightings; two display names may give
        one) from its display names, and the most frequent of them, in one pass; the display
        names not seen before normalised together (:func:`_normalized`). Each key's most
        frequent display name too (``_shown``: the identities frame shows it), in the same pass."""
        norm_of, display_of, names_of, best_of = self._norm, self.display, self._names_of, self._best_of
        shown = self._shown
        no_display: dict = {}
        displays = [display_of.get(key, no_display) for key in keys]
        new = [name for name in dict.fromkeys(chain.from_iterable(displays)) if name not in norm_of]
        if new:  # (a key looked up alone has its names: its facts were all that was missing)
            norm_of.update(zip(new, _normalized(new)))
        for key, display in zip(keys, displays):
            if len(display) == 1:  # (most keys: one display name, the same as below)
                ((name, n),) = display.items()
                shown[key] = name
                norm = norm_of[name]
                names_of[key], best_of[key] = ({norm: n}, norm) if norm else ({}, None)
                continue
            if display:
                shown[key] = _shown_name(display)
            names: dict[str, int] = {}
            for name, n in display.items():
                norm = norm_of[name]
                if norm:
                    names[norm] = names.get(norm, 0) + n
            names_of[key] = names
            best_of[key] = _top(names) if names else None

    def _fill_facts(self, keys) -> None:
        """What each of ``keys`` tells, in one pass, as the cluster of that key alone: display
        names (name → sightings), normalised names (:meth:`_fill_names`), company, connection
        record, corporate domain, profile URL, activity.

        These clusters are shared by every snapshot in which the key is alone, and their
        display dict is the index's own for the key (``display``), their names dict the one
        in ``_names_of``. They are never changed: a cluster that a second key joins is a copy
        (:meth:`_joined`).
        """
        self._fill_names([key for key in keys if key not in self._names_of])
        names_of, facts_of, display_of = self._names_of, self._facts, self.display
        key_company, records, activity = self.key_company, self.connection_records, self.activity
        no_display: dict = {}
        for key in keys:
            dom = _corporate_domain(key)
            company = key_company.get(key)
            seen = activity.get(key)
            if seen is None:
                n, spans = 0, _NO_SPANS
            else:
                n, first, last = seen
                spans = {dom: (first, last)} if dom and first is not None else _NO_SPANS
            facts_of[key] = _Cluster(
                {key},
                names_of[key],
                display_of.get(key, no_display),
                {company} if company else _NONE,
                {dom} if dom else _NONE,
                1 if key in records else 0,
                {key} if key.startswith("https://") else _NONE,
                n,
                spans,
            )

    @staticmethod
    def _joined(c: _Cluster) -> _Cluster:
        """A copy of ``c`` that keys may join (a cluster of one key is that key's facts, shared)."""
        return _Cluster(
            set(c.keys),
            dict(c.names),
            dict(c.display),
            set(c.companies),
            set(c.domains),
            c.n_connections,
            set(c.urls),
            c.n_messages,
            dict(c.spans),
        )

    def _add_key(self, c: _Cluster, key: str) -> None:
        """Count ``key``'s facts into ``c`` (a cluster of two keys or more, see :meth:`_joined`)."""
        f = self._key_facts(key)
        c.keys.add(key)
        counts = c.display
        for name, n in f.display.items():
            counts[name] = counts.get(name, 0) + n
        counts = c.names
        for norm, n in f.names.items():
            counts[norm] = counts.get(norm, 0) + n
        c.companies |= f.companies
        c.n_connections += f.n_connections
        c.domains |= f.domains
        c.urls |= f.urls
        c.n_messages += f.n_messages
        for dom, (first, last) in f.spans.items():
            was = c.spans.get(dom)
            c.spans[dom] = (first, last) if was is None else (min(was[0], first), max(was[1], last))

    def clusters(self) -> _Clusters:
        """Clusters by root as the union–find stands (a snapshot: rules read it as of their start).

        Only the clusters that merges touched since the last snapshot are rebuilt, from their
        keys in the order the keys were added (which decides ties between names). A key alone
        is its own root and stands for its cluster, its facts, made only when looked up
        (:class:`_Clusters`).
        """
        uf = self.uf
        if self._snapshot is None or len(uf.parent) != len(self._order):
            keys = self._keys = list(uf.parent)
            self._order = {key: i for i, key in enumerate(keys)}
            self._fill_names([key for key in keys if key not in self._names_of])
            by_name: dict[str, list[str]] = defaultdict(list)
            for key in keys:
                for name in self._names_of[key]:
                    by_name[name].append(key)
            self._keys_of_name = {name: ks for name, ks in by_name.items() if len(ks) > 1}
            self._keys_of_domain = None
            stored: dict[str, _Cluster | None] = {}
            root_of, first, parent = {}, {}, uf.parent
            for i, key in enumerate(keys):
                # (most keys are roots: find() only for the others)
                root = root_of[key] = key if parent[key] == key else uf.find(key)
                if root not in stored:
                    stored[root] = None  # (the key alone, so far)
                    first[root] = i  # keys come in order: the first is the least
                else:
                    self._count_in(stored, root, key, keys[first[root]])
            self._root_of, self._first = root_of, first
        else:
            stored = self._snapshot
            touched = {self._root_of[k] for k in self._dirty} & stored.keys()
            keys = sorted(
                (k for r in touched for k in _keys_of(stored.pop(r), r)), key=self._order.__getitem__
            )
            for root in touched:
                del self._first[root]
            for key in keys:
                root = uf.find(key)
                if root not in stored:
                    stored[root] = None
                    self._first[root] = self._order[key]  # keys come in order: the first is the least
                else:
                    self._count_in(stored, root, key, self._keys[self._first[root]])
                self._root_of[key] = root
            # the order a full rebuild gives: by each cluster's earliest key
            if touched:
                items = list(stored.items())
                order = np.argsort([self._first[root] for root in stored])
                stored = dict([items[i] for i in order.tolist()])
        self._snapshot = stored
        self._dirty = set()
        return _Clusters(self, dict(stored))

    def _count_in(self, stored: dict, root: str, key: str, first: str) -> None:
        """Count ``key`` into the cluster of ``root`` in ``stored``: when ``key`` is its second,
        the cluster is made, a copy of the facts of its ``first`` key (shared, never changed)."""
        c = stored[root]
        if c is None:
            c = stored[root] = self._joined(self._key_facts(first))
        self._add_key(c, key)

    def shared_names(self) -> list[tuple[str, list[str]]]:
        """The normalised names that two clusters or more carry (the owner's left out) as the
        clusters were last built, in name order, each with the roots of these clusters in their
        order. A cluster carries a name when one of its keys does: only the names of two keys
        or more are looked at (a name of one cluster joins no one)."""
        mroot = self.me_root()
        root_of, first = self._root_of, self._first
        shared = []
        for name, keys in self._keys_of_name.items():
            roots = [root for root in dict.fromkeys(map(root_of.__getitem__, keys)) if root != mroot]
            if len(roots) > 1:
                shared.append((name, sorted(roots, key=first.__getitem__)))
        shared.sort()
        return shared

    def organisations(self) -> set[str]:
        """Corporate domains of at least two clusters as last built: an employer, not someone's
        own domain (arndb.de, tanous.net), which says nothing about where its owner works. Only
        the domains of two keys or more are looked at."""
        if self._keys_of_domain is None:
            by_domain: dict[str, list[str]] = defaultdict(list)
            for key, dom in zip(self._keys, _corporate_domains(self._keys)):
                if dom:
                    by_domain[dom].append(key)
            self._keys_of_domain = {dom: keys for dom, keys in by_domain.items() if len(keys) > 1}
        root_of = self._root_of
        return {dom for dom, keys in self._keys_of_domain.items() if len({root_of[k] for k in keys}) > 1}


def _keys_of(c: _Cluster | None, root: str):
    """The keys of a cluster as :attr:`_Clusters.stored` holds it (None: its root alone)."""
    return (root,) if c is None else c.keys


class _Clusters(Mapping):
    """The clusters by root at a snapshot (root → :class:`_Cluster`), in the order of each
    cluster's earliest key: what :meth:`_Index.clusters` gives the rules.

    A key alone (most keys: a big mailbox's correspondents) is its own root, and its cluster,
    the key's facts (:meth:`_Index._key_facts`), is made only when looked up: the passes over
    every cluster read what they need of a key alone (names, best name, corporate domain,
    messages) from the index's per-key columns, through the methods here. Of the 30,735 keys
    of the namesake mailbox, 4,995 are looked up (their clusters made at once, :meth:`fill`, where
    a rule knows which it will read); making all took about 0.2 s with their names.
    """

    __slots__ = ("_index", "stored")

    def __init__(self, index: _Index, stored: dict):
        self._index = index
        self.stored = stored  # root → its cluster of two keys or more, None for a key alone

    def __getitem__(self, root: str) -> _Cluster:
        c = self.stored[root]
        return self._index._key_facts(root) if c is None else c

    def __iter__(self) -> Iterator[str]:
        return iter(self.stored)

    def __len__(self) -> int:
        return len(self.stored)

    def __contains__(self, root: object) -> bool:
        return root in self.stored

    def fill(self, roots) -> None:
        """Make at once the clusters of the keys alone among ``roots`` that a rule will look up
        (one by one, as lookups make them, each costs several times more)."""
        stored, facts = self.stored, self._index._facts
        self._index._fill_facts([r for r in dict.fromkeys(roots) if stored[r] is None and r not in facts])

    def employers(self, root: str) -> tuple[set, set]:
        """The companies and the corporate domains of the cluster of ``root`` (a key alone's
        without making its cluster: the employer rules look at every cluster of a name shared or
        similar, and join few)."""
        c = self.stored[root]
        if c is None:  # (as its facts have them, _Index._fill_facts)
            company, dom = self._index.key_company.get(root), _corporate_domain(root)
            return {company} if company else _NONE, {dom} if dom else _NONE
        return c.companies, c.domains

    def names(self, root: str) -> dict:
        """The normalised names (name → sightings) of the cluster of ``root`` (a key alone's
        without making its cluster)."""
        c = self.stored[root]
        return self._index._names_of[root] if c is None else c.names

    def best_names(self) -> dict[str, str]:
        """Root → best name (:meth:`_Cluster.best_name`) of every cluster that has one, in order."""
        best_of = self._index._best_of
        best = {}
        for root, c in self.stored.items():
            name = best_of[root] if c is None else c.best_name()
            if name is not None:
                best[root] = name
        return best

    def n_messages(self, roots: list[str]) -> list[int]:
        """The messages of each cluster of ``roots``."""
        activity, stored = self._index.activity, self.stored
        counts = []
        for root in roots:
            c = stored[root]
            if c is None:
                seen = activity.get(root)
                counts.append(0 if seen is None else seen[0])
            else:
                counts.append(c.n_messages)
        return counts


def _build_index(
    contacts,
    participants,
    *,
    me_keys,
    automated,
    overrides,
    fuzzy_threshold,
    candidate_threshold,
    phone_region=None,
) -> _Index:
    """Every key, in the order the sources list them, with its names, companies and connection records.

    The order keys are added in is kept: it decides ties between equally frequent names.
    """
    index = _Index(contacts, overrides, set(me_keys), fuzzy_threshold, candidate_threshold)
    uf, display = index.uf, index.display
    index.me_list = sorted(me_keys)
    for key in index.me_list:
        uf.add(key)
    if overrides is not None:
        for row in overrides.itertuples(index=False):
            if row.decision == "different":
                uf.forbid(row.key_a, row.key_b)
    shared_phones = _shared_phones(contacts, phone_region)
    index.record_phones = {}
    for rec in contacts.itertuples(index=False):
        _add_contact_record(index, rec, shared_phones, phone_region)
    for key, name in zip(participants[S.KEY].tolist(), participants[S.DISPLAY_NAME].tolist()):
        if key in automated and key not in me_keys:
            continue
        uf.add(key)
        if isinstance(name, str) and name:
            _count(display[key], name)
        elif key.startswith("name:"):
            _count(display[key], key[5:])
    return index


def _count(counts: dict, name: str) -> None:
    """One more sighting of ``name`` (a plain dict: a Counter per key costs a Python-level __init__)."""
    counts[name] = counts.get(name, 0) + 1


def _add_contact_record(index: _Index, rec, shared_phones, phone_region) -> None:
    """One contact record's keys into ``index``: its record key, phones, e-mails and profile URL,
    with its name, company and whether it is a LinkedIn connection."""
    uf, display = index.uf, index.display
    rkey = S.record_key(rec.source, rec.record_id)
    uf.add(rkey)
    if isinstance(rec.full_name, str) and rec.full_name:
        _count(display[rkey], rec.full_name)
    # phone numbers as tel: keys, except a line listed under two names (a switchboard)
    phones = [
        k for k in (S.normalize_phone(p, phone_region) for p in rec.phones) if k and k not in shared_phones
    ]
    for pkey in phones:
        uf.add(pkey)
    if phones:
        index.record_phones[rkey] = phones
    ckey = company_key(rec.company)
    if ckey:
        index.key_company[rkey] = ckey
    if rec.source == "linkedin":
        index.connection_records.add(rkey)
    for email in rec.emails:
        uf.add(email)
        if isinstance(rec.full_name, str):
            _count(display[email], rec.full_name)
    if isinstance(rec.linkedin_url, str) and rec.linkedin_url:
        uf.add(rec.linkedin_url)


def _corroboration(a: _Cluster, b: _Cluster) -> str | None:
    """What ties two clusters to one employer (shared company, shared corporate domain, domain of
    the other's company), or None."""
    if a.companies & b.companies:
        return f"same company ({min(a.companies & b.companies)})"
    if a.domains & b.domains:
        return f"same corporate domain ({min(a.domains & b.domains)})"
    if not (a.companies or b.companies):  # (most mailbox correspondents: no company on record)
        return None
    for x, y in ((a, b), (b, a)):
        for dom in sorted(x.domains):
            comp = next((c for c in sorted(y.companies) if _domain_matches_company(dom, c)), None)
            if comp:
                return f"domain {dom} matches company {comp}"
    return None


def _employer_pairs(
    left: list[str], right: list[str], employers: Callable[[str], tuple[set, set]]
) -> set[tuple[str, str]]:
    """The pairs (a, b) of two clusters, a of ``left`` and b of ``right``, that
    :func:`_corroboration` ties to one employer, found through the companies and domains of
    ``right`` rather than by trying every pair: the work grows with the people and the pairs
    found, not with the square of the people sharing a name. ``employers``: a root's cluster's
    (companies, corporate domains) (:meth:`_Clusters.employers`)."""
    by_company: dict[str, list[str]] = defaultdict(list)
    by_domain: dict[str, list[str]] = defaultdict(list)
    for b in right:
        companies, domains = employers(b)
        for company in companies:
            by_company[company].append(b)
        for dom in domains:
            by_domain[dom].append(b)
    found = set()
    for a in left:
        companies, domains = employers(a)
        tied = []
        for company in companies:
            tied += by_company.get(company, ())
            tied += (b for dom, bs in by_domain.items() if _domain_matches_company(dom, company) for b in bs)
        for dom in domains:
            tied += by_domain.get(dom, ())
            tied += (
                b for company, bs in by_company.items() if _domain_matches_company(dom, company) for b in bs
            )
        found.update((a, b) for b in tied if b != a)
    return found


# --- evidence that two clusters are one person --------------------------------------------------
# Odds in the Fellegi–Sunter sense: prior odds from how common the name is in the user's own data,
# times Bayes factors (how much likelier a feature is for two keys of one person than for two
# people). The factors are stated, not fitted; README "Identity resolution" gives the reasoning.

DAY_NS = 86_400 * 10**9  # a day in nanoseconds (the unit of the clusters' spans)
CONCURRENT_DAYS = 90  # active at two employers longer than this at once: two people
HANDOVER_DAYS = 180  # one address stops and another starts within this: a job change
BF_EMPLOYER = 20.0  # same company or corporate domain
BF_HANDOVER = 16.0  # one stops as the other starts
BF_OTHER_EMPLOYER = 1.0  # different employers years apart: sparse mail makes job changes look like this too
BF_CONCURRENT = 0.1  # different organisations in the same months (people do write from kernel.org and an employer at once)
BF_TWO_ACCOUNTS = 0.01  # two LinkedIn profile URLs, or two connection records
FUZZY_ODDS = 0.1  # prior odds for similar names whose first names and surnames agree (typo, transliteration)
FUZZY_ODDS_OTHER_NAME = (
    0.001  # similar names, another first name or surname (Maria / Maya Costa, Mateo Eriksen / Jensen)
)
MERGE_ODDS = (
    2.0  # the name rule merges at these odds of one person or more (a wrong merge is worse than a missed one)
)
MIN_LIKELIHOOD = 0.05  # pairs less likely than this are not worth a review
REVIEW_PER_100 = 3  # at most this many review pairs per 100 people


SAME_NAME_PRIOR = (9.0, 1.0)  # Beta pseudo-counts (one person, two people) for a same-name pair


@dataclass
class _NameFrequency:
    """How common each name is in the user's own data, and how often one name is one person.

    ``p(first)`` and ``p(last)`` are the shares of clusters whose name has that first name or
    surname. Two different people share a full name with probability ``u = p(first)·p(last)``
    (the term-frequency *u* of Fellegi–Sunter record linkage, as in splink). ``match_share`` is
    the share of same-name pairs of clusters that are one person: the pairs observed in excess
    of those expected if names were drawn independently, ``C(n, 2)·Σp(first)²·Σp(last)²``,
    with SAME_NAME_PRIOR added (in a small address book a shared name is mostly one person).
    """

    first: Counter
    last: Counter
    n: int
    match_share: float
    u_mean: float  # u of an average name: chance two different people share a full name, Σp(first)²·Σp(last)²

    def u(self, name: str, own: int = 2) -> float:
        """Chance that another person bears ``name``: the first-name and surname shares counted
        without the ``own`` clusters under test (a name is not made common by the keys being
        judged), with half a count added (a name seen nowhere else is rare, not impossible)."""
        tokens = name.split()
        n = max(self.n, 1)
        return (
            (max(self.first[tokens[0]] - own, 0) + 0.5) / n * (max(self.last[tokens[-1]] - own, 0) + 0.5) / n
        )

    def odds(self, name: str, own: int = 2) -> float:
        """Odds that ``own`` clusters carrying ``name`` are one person, from the name alone:
        ``match_share / (1 - match_share) · u_mean / u(name)`` (a name rarer than the average
        is stronger evidence)."""
        return self.match_share / (1.0 - self.match_share) * self.u_mean / self.u(name, own)


def _name_frequency(best: list[str]) -> _NameFrequency:
    """The :class:`_NameFrequency` of the clusters' best names (the owner's left out).

    Counted by arrays, not name by name (0.028 -> 0.013 s for the 30,000 clusters of the
    namesake mailbox, the same Counters and sums; 10 -> 7 ms with Arrow's dictionary encoding rather
    than pandas' factorize): the distinct names in the order first seen,
    each name's first name and surname (a normalised name is two words,
    :func:`normalize_person_name`), and the first names and surnames in the order first seen
    among the distinct names, as a pass over ``best`` meets them."""
    # (Arrow's dictionary encoding numbers in the order first seen, as pd.factorize; a normalised
    # name holds no lone surrogate, which Arrow could not take)
    encoded = pc.dictionary_encode(pa.array(best, type=pa.large_string()))
    names = encoded.dictionary
    counts = np.bincount(encoded.indices.to_numpy(), minlength=len(names))
    # [first, the rest] and [the rest, surname]
    firsts = pc.list_element(pc.split_pattern(names, " ", max_splits=1), 0)
    lasts = pc.list_element(pc.split_pattern(names, " ", max_splits=1, reverse=True), 1)

    def by_word(words: pa.Array) -> tuple[Counter, np.ndarray]:
        """Each word's names' count, words in the order first seen: a Counter, and the counts."""
        encoded = pc.dictionary_encode(words)
        sums = np.bincount(encoded.indices.to_numpy(), weights=counts, minlength=len(encoded.dictionary))
        sums = sums.astype(np.int64)
        return Counter(dict(zip(encoded.dictionary.to_pylist(), sums.tolist()))), sums

    (first, first_counts), (last, last_counts) = by_word(firsts), by_word(lasts)
    n = len(best)
    if n < 2:
        return _NameFrequency(first, last, n, SAME_NAME_PRIOR[0] / sum(SAME_NAME_PRIOR), 1.0)
    pf, pl = first_counts / n, last_counts / n
    observed = float((counts * (counts - 1) / 2).sum())  # (halves of integers: exact in any order)
    expected = n * (n - 1) / 2 * float((pf**2).sum() * (pl**2).sum())
    one, two = SAME_NAME_PRIOR
    share = (max(observed - expected, 0.0) + one) / (observed + one + two)
    u_mean = float((pf**2).sum() * (pl**2).sum())
    return _NameFrequency(first, last, n, share, u_mean)


def _time_relation(a: _Cluster, b: _Cluster, organisations: set[str]) -> str | None:
    """How the addresses of two clusters at different employers follow each other in time.

    ``"concurrent"`` when addresses at two different organisations were active in the same
    months (overlapping by more than CONCURRENT_DAYS), ``"handover"`` when one stops as the
    other starts (within HANDOVER_DAYS), ``"apart"`` when they are further apart; None when
    the two have no dated addresses at two different organisations.
    """
    relation = None
    for da, (fa, la) in a.spans.items():
        for db, (fb, lb) in b.spans.items():
            if da not in organisations or db not in organisations or _domain_label(da) == _domain_label(db):
                continue
            overlap = (min(la, lb) - max(fa, fb)) // DAY_NS  # whole days, rounded down
            if overlap > CONCURRENT_DAYS:
                return "concurrent"
            if overlap > -HANDOVER_DAYS:
                relation = "handover"
            elif relation is None:
                relation = "apart"
    return relation


def _two_accounts(a: _Cluster, b: _Cluster) -> bool:
    return bool(a.urls and b.urls and a.urls != b.urls) or bool(a.n_connections and b.n_connections)


def _names_agree(name_a: str, name_b: str) -> bool:
    """Two different names that can be one person's: first names equal, an initial of the other
    or a spelling away (ratio ≥ 80), and the same for surnames (Wisniewska / Wisniewski)."""
    (fa, la), (fb, lb) = (name_a.split()[0], name_a.split()[-1]), (name_b.split()[0], name_b.split()[-1])
    first = fa == fb or ((len(fa) == 1 or len(fb) == 1) and fa[0] == fb[0]) or fuzz.ratio(fa, fb) >= 80
    return first and fuzz.ratio(la, lb) >= 80


def _name_odds(name_a: str, name_b: str, freq: _NameFrequency) -> tuple[float, str]:
    """Odds that two clusters are one person from their names alone, and the evidence in words."""
    if name_a == name_b:
        odds = freq.odds(name_a)
        return odds, f"same name (odds {odds:.2g} from how common it is in your data)"
    agree = _names_agree(name_a, name_b)
    odds = (FUZZY_ODDS if agree else FUZZY_ODDS_OTHER_NAME) * _similar_scale(freq)
    return odds, "similar names" if agree else "similar names, different first names or surnames"


def _similar_scale(freq: _NameFrequency) -> float:
    """What the prior odds of two similar names are scaled by, like a shared name's: in data
    where a shared name is seldom one person, a similar one is seldom too (many people, many
    near-namesakes)."""
    one, two = SAME_NAME_PRIOR
    return min(1.0, freq.match_share / (1.0 - freq.match_share) / (one / two))


# The most the evidence beyond the names multiplies their odds by (see _pair_odds).
BF_MAX = max(BF_EMPLOYER, BF_HANDOVER, BF_OTHER_EMPLOYER, 1.0)


def _pair_odds(
    a: _Cluster, b: _Cluster, name_a: str, name_b: str, freq: _NameFrequency, organisations: set[str]
) -> tuple[float, list[str]]:
    """Odds that clusters ``a`` and ``b`` are one person, and the evidence in words."""
    odds, said = _name_odds(name_a, name_b, freq)
    evidence = [said]
    why = _corroboration(a, b)
    if why:
        odds *= BF_EMPLOYER
        evidence.append(why)
    else:
        relation = _time_relation(a, b, organisations)
        if relation == "concurrent":
            odds *= BF_CONCURRENT
            evidence.append("different employers in the same months")
        elif relation == "handover":
            odds *= BF_HANDOVER
            evidence.append("one address stops as the other starts (job change?)")
        elif relation == "apart":
            odds *= BF_OTHER_EMPLOYER
            evidence.append("different employers")
    if _two_accounts(a, b):
        odds *= BF_TWO_ACCOUNTS
        evidence.append("two LinkedIn accounts")
    return odds, evidence


# --- the rules, in the order they are applied -----------------------------------------------------


def _rule(func):
    """A rule mutates the index through ``index.merge``; wrapped, it returns the merges it made."""

    @functools.wraps(func)
    def apply(index: _Index) -> list[Merge]:
        start = len(index.merges)
        func(index)
        return index.merges[start:]

    return apply


@_rule
def _rule_owner(index: _Index) -> None:
    """Every key known to be the owner is the person ``"me"``."""
    for other in index.me_list[1:]:
        # the owner's keys are one person whatever an override says
        index.merge(index.me_list[0], other, RULE_ME, 1.0, "owner key", force=True)


@_rule
def _rule_on_record(index: _Index) -> None:
    """A contact record joins every email, profile URL and (unshared) phone number written on it."""
    for rec in index.contacts.itertuples(index=False):
        rkey = S.record_key(rec.source, rec.record_id)
        for email in rec.emails:
            index.merge(rkey, email, RULE_ON_RECORD, 1.0, f"written on {rkey}")
        if isinstance(rec.linkedin_url, str) and rec.linkedin_url:
            index.merge(rkey, rec.linkedin_url, RULE_ON_RECORD, 1.0, f"written on {rkey}")
        for pkey in index.record_phones.get(rkey, ()):
            index.merge(rkey, pkey, RULE_ON_RECORD, 1.0, f"written on {rkey}")


@_rule
def _rule_override(index: _Index) -> None:
    """The user's ``same`` overrides merge (their ``different`` ones were set as the index was built)."""
    if index.overrides is not None:
        for row in index.overrides.itertuples(index=False):
            if row.decision == "same":
                index.merge(row.key_a, row.key_b, RULE_OVERRIDE, 1.0, "overrides CSV: same")


@_rule
def _rule_name_company(index: _Index) -> None:
    """Same normalised name and a company or corporate domain in common (never two connections)."""
    clusters = index.clusters()
    for name, roots in index.shared_names():
        # the tied pairs in the order a scan of the roots in string order meets them
        for a, b in sorted({(a, b) for a, b in _employer_pairs(roots, roots, clusters.employers) if a < b}):
            if index.same(a, b):
                continue
            ca, cb = clusters[a], clusters[b]
            if _two_accounts(ca, cb):
                continue  # two connections, or two profile URLs, are two people
            index.merge(a, b, RULE_NAME_COMPANY, 0.95, f"name {name!r}; {_corroboration(ca, cb)}")


@_rule
def _rule_name_connection(index: _Index) -> None:
    """A name-only key joins the connection of that name when exactly one connection has it."""
    if not index.connection_records or not any(S.key_kind(k) == S.KEY_NAME for k in index.uf.parent):
        return  # nothing to join (a mailbox alone): spare the cluster rebuild
    clusters = index.clusters()
    mroot = index.me_root()
    names_of = {root: clusters.names(root) for root in clusters.stored}
    by_name_conn: dict[str, list[str]] = defaultdict(list)
    for root, c in clusters.stored.items():
        # (a key alone is a connection when it is a connection's record)
        if (root in index.connection_records) if c is None else c.n_connections:
            for norm in names_of[root]:
                by_name_conn[norm].append(root)
    for root in sorted(clusters.stored):
        keys = _keys_of(clusters.stored[root], root)
        if not all(S.key_kind(k) == S.KEY_NAME for k in keys) or root == mroot:
            continue
        norms = list(names_of[root])
        if len(norms) != 1:
            continue
        targets = sorted(set(index.uf.find(r) for r in by_name_conn.get(norms[0], [])))
        if len(targets) == 1:
            index.merge(targets[0], root, RULE_NAME_CONNECTION, 0.9, f"name {norms[0]!r} of one connection")


@_rule
def _rule_name_unique(index: _Index) -> None:
    """The clusters of one name merge when nothing tells them apart and the name is rare enough to
    say who it is.

    Nothing tells them apart: at most one connection and one profile URL, no two different
    companies on record, and at least one key that is more than a name. The name says who it
    is when the odds of one person reach MERGE_ODDS: the odds from how common the name is in this
    data (:class:`_NameFrequency`), times BF_HANDOVER when an address at one organisation stops as one at another
    starts, BF_OTHER_EMPLOYER when the two are years apart, BF_CONCURRENT when both were
    active in the same months (two people, unless the name is very rare).
    """
    clusters = index.clusters()
    mroot = index.me_root()
    freq = _name_frequency([name for root, name in clusters.best_names().items() if root != mroot])
    organisations = index.organisations()
    shared = index.shared_names()
    clusters.fill(root for _name, roots in shared for root in roots)
    for name, roots in shared:
        roots = sorted(set(index.uf.find(r) for r in roots))
        if len(roots) < 2:
            continue
        odds = freq.odds(name, own=len(roots))
        if odds * BF_HANDOVER < MERGE_ODDS:
            continue  # too common a name for any evidence here to settle it (most groups of a big mailbox)
        group = [clusters[r] for r in roots]
        if sum(1 for c in group if c.n_connections) > 1:
            continue  # two connections of one name are two people
        if len(set().union(*(c.urls for c in group))) > 1:
            continue  # two profile URLs are two accounts
        companies = [c.companies for c in group if c.companies]
        if any(not (a & b) for i, a in enumerate(companies) for b in companies[i + 1 :]):
            continue
        if all(S.key_kind(k) == S.KEY_NAME for c in group for k in c.keys):
            continue
        relations = {
            _time_relation(a, b, organisations)
            for i, a in enumerate(group)
            for b in group[i + 1 :]
            if not _corroboration(a, b)
        }
        why = f"name {name!r} (odds {odds:.2g} from how common it is)"
        if "concurrent" in relations:
            # two employers in the same months: two people, unless the name is so rare that
            # it is one person writing from two organisations (mingo@kernel.org, mingo@redhat.com)
            odds *= BF_CONCURRENT
            why += "; two organisations in the same months"
        if "handover" in relations:
            odds *= BF_HANDOVER
            why += "; one address stops as another starts"
        if "apart" in relations:
            odds *= BF_OTHER_EMPLOYER
            why += "; employers years apart"
        if odds < MERGE_ODDS:
            continue
        for other in roots[1:]:
            index.merge(roots[0], other, RULE_NAME_UNIQUE, 0.85, f"{why}; no conflicting record")


# distinct display names from which the similar-name search runs in a process of its own
# (netanalytics._namesearch.Searcher) while this one goes on (resolution's own search, and the
# loader's from as many sender names, see _names_searched). With fewer the process, ready 0.1 s
# after its start, finishes after the fuzzy rule asks: loads of the namesake mailboxes, eight each,
# three rounds, against the search in place: 12,000 people (8,219 sender names) 0.31-0.37 s against
# 0.28-0.30 s (median), 20,000 (14,464) 0.54-0.57 against 0.54-0.60 s, 30,000 (28,954) 0.84-0.99
# against 0.92-1.08 s
WORKER_FROM = 20_000
FUZZY_PEOPLE = 3  # the people of one name (the most active) paired as near misses with those of a similar one


CANDIDATE_THRESHOLD = 80.0  # resolve_identities' default candidate_threshold (and similar_names')


def similar_names(
    contacts: pd.DataFrame, participants: pd.DataFrame, threshold: float = CANDIDATE_THRESHOLD
) -> tuple[list[str], tuple]:
    """The similar-name search of :func:`resolve_identities`, made beforehand: over every name the
    keys of ``contacts`` and ``participants`` (its arguments) can carry, normalised
    (:func:`_names_searched`), the names and the pairs found among them
    (:func:`netanalytics._namesearch.similar_name_search`) at ``threshold`` (resolution's
    ``candidate_threshold``).

    Given to :func:`resolve_identities` (``name_search``), the fuzzy rule takes the pairs of its
    names from it, as from a search of its own (:func:`_similar_name_pairs`). The loader makes the
    same search in a process of its own while it gathers resolution's other inputs."""
    names, _normalised = _names_searched(contacts, participants)
    return names, _namesearch.similar_name_search(names, threshold)


def _names_searched(contacts: pd.DataFrame, participants: pd.DataFrame) -> tuple[list[str], dict]:
    """Every name the keys of ``contacts`` and ``participants`` can carry, normalised, each once:
    what :func:`similar_names` searches; and each display name's normalised name (None where it
    gives none), which :func:`resolve_identities` then takes as it is (``normalised``). The names
    may be more than the keys will carry (an automated sender's, a name beside a display name):
    the pairs of the keys' names are the same."""
    names = participants[S.DISPLAY_NAME].tolist()
    names += [
        key[5:] for key in participants[S.KEY].tolist() if isinstance(key, str) and key.startswith("name:")
    ]
    names += contacts[S.FULL_NAME].tolist() if len(contacts) else []
    displays = [name for name in dict.fromkeys(names) if isinstance(name, str) and name]
    normalised = dict(zip(displays, _normalized(displays)))
    return list(dict.fromkeys(name for name in normalised.values() if name)), normalised


def _similar_name_pairs(
    names: list[str], threshold: float, searched: Callable[[], tuple[list[str], tuple]] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs of :func:`netanalytics._namesearch.similar_name_search` among ``names``, each
    once, in the order of ``(i, j)``, and their scores.

    ``searched``: the function giving a search made beforehand (in a process of its own: see
    :meth:`_Index.search_similar_names` and :func:`similar_names`), ``(more_names, result)``: names
    that include ``names``, in any order, and what the search found among them. Its pairs of two
    of ``names`` are theirs (the blocks of ``names`` are
    those of the larger set, less the names not here); and of its blocks too big to search,
    those that ``names`` leave at MAX_BLOCK names or fewer are searched here. So the pairs are
    those a search of ``names`` alone finds. (The names' sorted words,
    :func:`netanalytics._namesearch.sorted_words`,
    are made only for blocks searched here: 0.012 s for the 28,954 names of the namesake mailbox.)
    """
    if searched is None:
        a, b, score, _ = _namesearch.similar_name_search(names, threshold)
    else:
        more_names, (found_a, found_b, found_score, too_big) = searched()
        place = {name: i for i, name in enumerate(names)}
        here = np.array([place.get(name, -1) for name in more_names], dtype=np.int64)
        a, b = here[found_a], here[found_b]
        both = (a >= 0) & (b >= 0)
        a, b, score = np.minimum(a[both], b[both]), np.maximum(a[both], b[both]), found_score[both]
        blocks = [np.sort(kept[kept >= 0]).tolist() for kept in (here[m] for m in too_big)]
        blocks = [m for m in blocks if 1 < len(m) <= _namesearch.MAX_BLOCK]
        words = _namesearch.sorted_words(names) if blocks else []
        more = _namesearch.block_pairs(blocks, words, threshold - 0.01)
        a, b, score = (np.concatenate(pair) for pair in zip((a, b, score), more))
    # each pair once (a < b), with its score (the same whichever block found it: the same words)
    pair = a * len(names) + b
    order = np.argsort(pair)
    pair, score = pair[order], score[order]
    first = np.ones(len(pair), bool)
    first[1:] = pair[1:] != pair[:-1]
    return pair[first] // len(names), pair[first] % len(names), score[first]


def _fuzzy_candidates(
    index: _Index, clusters: _Clusters, best_name: dict[str, str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs of roots the fuzzy rule weighs, with their names' score, in its order: arrays
    ``a``, ``b`` (roots, ``a < b``) and ``score`` (a pair of roots a row).

    Names are compared once per pair of distinct names, not once per pair of people. Between
    two names that score at least ``candidate_threshold``, the FUZZY_PEOPLE most active people
    of each are paired (a near miss for the review list unless they merge); between two that
    score at least ``fuzzy_threshold``, every pair tied to one employer as well (the pairs that
    may merge). So the pairs grow with the pairs of names, not with the square of the people
    sharing a name. They come in the order a scan of surname-initial blocks would meet them:
    those sharing the initial first, then by that initial (in the order the roots first show
    it), then by the two roots in string order.
    """
    # names numbered in the order best_name first shows them; roots as numbers in string order
    # (so the lesser number is the lesser root)
    name_code, names = pd.factorize(np.array(list(best_name.values()), dtype=object))
    names = names.tolist()
    # every pair's token_sort_ratio, in double precision, as the search scored it (the ratio of
    # the sorted words)
    pair_a, pair_b, scores = _similar_name_pairs(names, index.candidate_threshold, index.similar_search)
    if not len(pair_a):
        return np.array([], dtype=object), np.array([], dtype=object), np.array([], dtype=np.float64)
    roots = list(best_name)
    by_root = _string_order(roots)
    roots, name_of = np.array(roots, dtype=object)[by_root], name_code[by_root]
    active = np.array(clusters.n_messages(roots.tolist()), dtype=np.int64)
    # the FUZZY_PEOPLE most active roots of each name (ties in string order), -1 where it has fewer
    order = np.lexsort((np.arange(len(roots)), -active, name_of))
    counts = np.bincount(name_of, minlength=len(names))  # roots of each name
    place = _run_positions(counts)
    top = np.full((len(names), FUZZY_PEOPLE), -1, dtype=np.int64)
    kept = place < FUZZY_PEOPLE
    top[name_of[order][kept], place[kept]] = order[kept]
    listed = scores >= index.candidate_threshold
    pair_a, pair_b, scores = pair_a[listed], pair_b[listed], scores[listed]
    # the most active people of the two names, each with each: of each pair of names, the
    # products of their people paired (most names have one: a grid of FUZZY_PEOPLE squared a
    # pair, most of it empty, took 0.22 s at 120,000 people)
    paired = np.minimum(counts, FUZZY_PEOPLE)  # the people of each name paired
    width = paired[pair_b]
    n_pairs = paired[pair_a] * width  # the root pairs of each name pair
    pair = np.repeat(np.arange(len(pair_a)), n_pairs)  # each root pair's name pair
    cell = _run_positions(n_pairs)  # its place among them: (person of a, person of b) row by row
    width = width[pair]
    parts_a, parts_b = [top[pair_a[pair], cell // width]], [top[pair_b[pair], cell % width]]
    parts_score = [scores[pair]]
    # and, between names that may merge, every pair tied to one employer
    may_merge = np.flatnonzero(scores >= index.fuzzy_threshold)
    if len(may_merge):
        # the roots of a name (in string order): those of its run in ``order``
        ends = np.cumsum(counts)

        def people(name: int) -> list[str]:
            return roots[np.sort(order[ends[name] - counts[name] : ends[name]])].tolist()

        for i in may_merge.tolist():
            tied = _employer_pairs(people(pair_a[i]), people(pair_b[i]), clusters.employers)
            if tied:  # (roots in string order: a root's number is its place among them)
                parts_a.append(np.searchsorted(roots, np.array([a for a, _b in tied], dtype=object)))
                parts_b.append(np.searchsorted(roots, np.array([b for _a, b in tied], dtype=object)))
                parts_score.append(np.full(len(tied), scores[i]))
    a, b, score = np.concatenate(parts_a), np.concatenate(parts_b), np.concatenate(parts_score)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    # the surname initial's place among the roots (in the order best_name shows the names)
    initial = pd.factorize(np.array([name.split()[-1][:1] for name in names], dtype=object))[0]
    first = initial[name_of]
    # in order (sharing an initial first, then the initial, then the two roots), each root pair
    # once (one name pair per root pair: one score)
    by = _pair_order(first[lo], first[hi], lo, hi, len(roots))
    lo, hi, score = lo[by], hi[by], score[by]
    once = np.ones(len(lo), bool)
    once[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    return roots[lo[once]], roots[hi[once]], score[once]


def _pair_order(
    initial_lo: np.ndarray, initial_hi: np.ndarray, lo: np.ndarray, hi: np.ndarray, n: int
) -> np.ndarray:
    """The positions that sort pairs of roots (numbers ``lo < hi`` below ``n``, with their surname
    initials' numbers): those sharing the initial first, then by the initial, then by ``lo``, then
    ``hi``. By one sort of a number made of the four where it fits in 63 bits (1.2 million random
    pairs of 106,000 roots: 0.03 s, where ``np.lexsort`` of the four took 0.27 s), by ``np.lexsort``
    otherwise; equal pairs in any order."""
    n_initials = int(max(initial_lo.max(initial=0), initial_hi.max(initial=0))) + 1
    if 2 * n_initials * n * n < 2**63:
        return np.argsort((((initial_lo != initial_hi) * n_initials + initial_lo) * n + lo) * n + hi)
    return np.lexsort((hi, lo, initial_lo, initial_lo != initial_hi))


@_rule
def _rule_fuzzy(index: _Index) -> None:
    """Names that differ but score at least ``fuzzy_threshold`` merge with company or domain
    corroboration; pairs at or above ``candidate_threshold`` left apart are near misses."""
    clusters = index.clusters()
    since = len(index.merges)
    mroot = index.me_root()
    best_name = {root: name for root, name in clusters.best_names().items() if root != mroot}
    pair_a, pair_b, scores = _fuzzy_candidates(index, clusters, best_name)
    # every pair is a near miss for the review list, but those that merge here (or whose
    # clusters an earlier merge here joined); a pair below fuzzy_threshold whose clusters an
    # earlier merge joined is kept too: the review list skips pairs of one cluster
    near = np.ones(len(scores), dtype=bool)
    may_merge = np.flatnonzero(scores >= index.fuzzy_threshold)  # (most pairs score below)
    clusters.fill([*pair_a[may_merge].tolist(), *pair_b[may_merge].tolist()])
    for i in may_merge.tolist():
        a, b, score = pair_a[i], pair_b[i], float(scores[i])
        if index.same(a, b):
            near[i] = False
            continue
        ca, cb = clusters[a], clusters[b]
        why = _corroboration(ca, cb)
        if why and not _two_accounts(ca, cb):
            detail = f"{best_name[a]!r} ~ {best_name[b]!r} ({score:.0f}); {why}"
            if index.merge(a, b, RULE_FUZZY, score / 100, detail):
                near[i] = False
    index.near_misses += zip(pair_a[near].tolist(), pair_b[near].tolist(), scores[near].tolist())
    if index.near_misses_since is None:
        index.near_misses_since = since


# The declared order: the strongest evidence first (a wrong merge is worse than a missed one).
RULES = (
    _rule_owner,
    _rule_on_record,
    _rule_override,
    _rule_name_company,
    _rule_name_connection,
    _rule_name_unique,
    _rule_fuzzy,
)


@dataclass
class Resolution:
    """Result of :func:`resolve_identities`.

    Attributes
    ----------
    identities : DataFrame
        :data:`netanalytics.schema.IDENTITIES`; automated senders have ``person_id`` None.
    key_to_person : dict
        Identity key → person_id (owner keys → ``"me"``).
    clusters : dict
        person_id → set of keys.
    candidates : DataFrame
        The review list: pairs of people left apart that may be one (see
        :func:`resolve_identities`, Notes): person_a, person_b, name_a, name_b, key_a, key_b,
        score (name similarity 0–100), likelihood (0–1), n_messages, evidence.
    merges : DataFrame
        Every merge in the order made: rule, key_a, key_b, score, evidence.
    """

    identities: pd.DataFrame
    key_to_person: dict
    clusters: dict
    candidates: pd.DataFrame
    merges: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["rule", "key_a", "key_b", "score", "evidence"])
    )


def _epoch_ns(times: pd.Series) -> list:
    """Each time in nanoseconds since the epoch (naive times read as UTC), None where missing:
    integers the rules compare and subtract, without a Timestamp object per key (0.57 s for
    the 122,703 keys of the 120,000-person namesake mailbox)."""
    ns = pd.DatetimeIndex(pd.to_datetime(times, utc=True)).as_unit("ns")
    values = ns.asi8.tolist()
    if ns.hasnans:
        values = [None if missing else value for value, missing in zip(values, ns.isna().tolist())]
    return values


def _shared_phones(contacts: pd.DataFrame, region: str | None) -> set[str]:
    """Phone keys listed on contact records of different names (a household or office line)."""
    names: dict[str, set] = defaultdict(set)
    for full_name, phones in zip(contacts[S.FULL_NAME], contacts[S.PHONES]):
        for phone in phones:
            pkey = S.normalize_phone(phone, region)
            if pkey:
                names[pkey].add(normalize_person_name(full_name))
    return {k for k, v in names.items() if len(v) > 1}


def resolve_identities(
    contacts: pd.DataFrame,
    participants: pd.DataFrame,
    *,
    me_keys: set[str],
    automated: set[str] = frozenset(),
    overrides: pd.DataFrame | None = None,
    fuzzy_threshold: float = 90.0,
    candidate_threshold: float = CANDIDATE_THRESHOLD,
    phone_region: str | None = None,
    activity: pd.DataFrame | None = None,
    rules: tuple | None = None,
    name_search: Callable[[], tuple[list[str], tuple]] | None = None,
    normalised: Mapping[str, str | None] | None = None,
) -> Resolution:
    """Group identity keys into people, conservatively.

    Parameters
    ----------
    contacts : DataFrame
        :data:`netanalytics.schema.CONTACTS` rows from every contact source (LinkedIn
        connections included, ``source == "linkedin"``).
    participants : DataFrame
        Keys seen on messages and LinkedIn extras: columns ``key`` and ``display_name``
        (one row per sighting or per distinct pair).
    me_keys : set of str
        Keys known to be the owner; they form the person ``"me"``.
    automated : set of str
        Sender keys flagged as automated; they stay out of people (``person_id`` None).
    overrides : DataFrame, optional
        Columns ``key_a, key_b, decision`` (``same`` / ``different``), applied before any rule.
    fuzzy_threshold, candidate_threshold : float
        rapidfuzz ``token_sort_ratio`` needed for a corroborated fuzzy merge, and for listing
        a pair as a merge candidate.
    phone_region : str, optional
        Country (ISO 3166, ``"DE"``) in which national phone numbers on contact records are
        read (:func:`netanalytics.schema.normalize_phone`); numbers with a country code need
        none.
    activity : DataFrame, optional
        Columns ``key, n_messages, first_seen, last_seen``: how much and when each key was
        seen on messages. Dates tell a job change (one address stops as another starts) from
        two namesakes at two employers (a key never seen with a date tells nothing of it);
        counts rank the review list.
    rules : sequence of rule functions, optional
        The rules to apply, in order (default :data:`RULES`); a prefix of it shows what the
        later rules add.
    name_search : callable, optional
        A function that gives the similar-name search made beforehand, :func:`similar_names` of
        the same ``contacts`` and ``participants`` at ``candidate_threshold`` (the loader's, in
        a process of its own while it gathers these inputs); made here when not given.
    normalised : mapping, optional
        Display names already normalised (display name → :func:`normalize_person_name` of it,
        None where it gives none; the loader's, made for its search): taken as they are, not
        normalised again. Any display name not in it is normalised here.

    Returns
    -------
    Resolution

    Notes
    -----
    The rules are the functions in :data:`RULES`, applied in that order over one union–find
    of keys (a wrong merge is worse than a missed one); each records its merges with its
    name and evidence (``Resolution.merges``):

    1. *owner*: the owner's keys are the person ``"me"``. Overrides ``different`` forbid a
       merge before any rule runs.
    2. *listed on contact*: a contact record joins every email and profile URL written on
       it, and every phone number (as a ``tel:`` key) that no record of another name also
       lists — a shared line such as a switchboard joins nobody; keys that are the same
       string are one identity (*exact key*).
    3. *override*: the user's ``same`` pairs merge.
    4. *name + company or domain*: clusters of one normalised name
       (:func:`normalize_person_name`: accents, case, credentials, middle names, nicknames)
       merge when a company on one matches a company or corporate email domain on the other.
    5. *name of a unique connection*: a name-only key (``name:...``, a LinkedIn participant
       without URL, an endorser, a recommender) joins the connection of that name when
       exactly one connection has it.
    6. *name, no conflicting record*: the clusters left in a name group merge when nothing
       tells them apart (at most one LinkedIn connection and one profile URL, no two
       different companies on record) and the name is rare enough in this data to say who
       it is: odds of one person from the name's frequency (:class:`_NameFrequency`) times
       factors for time at organisations (an address that stops as another starts; two
       active in the same months) reach ``MERGE_ODDS``. A job change (old and new company
       address and a personal address under one name) is kept as one person this way.
    7. *fuzzy name + company or domain*: names that differ but score at least
       ``fuzzy_threshold`` merge only with company or domain corroboration.

    No name rule joins two LinkedIn connections or two profile URLs: two accounts are two
    people unless an override says otherwise.

    The review list (``candidates``) takes the pairs at or above ``candidate_threshold``
    that did not merge and the clusters of one name left apart, gives each a likelihood of
    being one person (odds from how common the name is in the data, times stated factors for
    a shared employer, a job-change handover, concurrent activity at two employers, two
    accounts), drops two accounts with two names and pairs below ``MIN_LIKELIHOOD``, ranks the
    rest by likelihood × log2(2 + messages of the two) and keeps ``REVIEW_PER_100`` per 100
    people.

    From WORKER_FROM distinct display names, where a process may be started
    (:func:`netanalytics._fork.may_spawn`), the similar-name search runs in a process of its own
    (:class:`netanalytics._namesearch.Searcher`, started here, given the names from the start of
    the rules: every name the keys carry; the fuzzy rule takes the pairs of its names from it),
    unless ``name_search`` gives it: the result is the same as in one process.
    """
    rules = RULES if rules is None else rules
    searcher = None
    if name_search is None and _rule_fuzzy in rules and may_spawn():
        shown = participants[S.DISPLAY_NAME].nunique() + (
            contacts[S.FULL_NAME].nunique() if len(contacts) else 0
        )
        if shown >= WORKER_FROM:
            searcher = _namesearch.Searcher.start()
    with gc_paused(), searcher or contextlib.nullcontext():
        index = _build_index(
            contacts,
            participants,
            me_keys=me_keys,
            automated=automated,
            overrides=overrides,
            fuzzy_threshold=fuzzy_threshold,
            candidate_threshold=candidate_threshold,
            phone_region=phone_region,
        )
        if activity is not None and len(activity):
            index.activity = dict(
                zip(
                    activity["key"].tolist(),
                    zip(
                        activity["n_messages"].astype("int64").tolist(),
                        _epoch_ns(activity["first_seen"]),
                        _epoch_ns(activity["last_seen"]),
                    ),
                )
            )
        if normalised is not None:
            index._norm.update(normalised)
        if name_search is not None:
            index.similar_search = name_search
        elif searcher is not None:
            index.search_similar_names(searcher)
        for rule in rules:
            rule(index)
        return _resolution(index, me_keys=me_keys, automated=automated)


CANDIDATE_COLUMNS = [
    "person_a",
    "person_b",
    "name_a",
    "name_b",
    "key_a",
    "key_b",
    "score",
    "likelihood",
    "n_messages",
    "evidence",
]
MAX_NAME_GROUP = 200  # clusters of one name compared pairwise for review (the most active first)


def _review_pairs(
    index: _Index,
    clusters: _Clusters,
    best: dict[str, str],
    skip_similar: bool,
    hopeless: Callable[[str], bool],
) -> dict[tuple[str, str], float]:
    """The review list's candidates: (root, root) in string order → name score, the fuzzy rule's
    near misses first, then the clusters of one name left apart (score 100). Left out here,
    as the review list would drop them whatever else is known: with ``skip_similar``, near
    misses whose best names differ; and two clusters whose best name is a name that
    ``hopeless`` says is too common to ever reach MIN_LIKELIHOOD."""
    root_of = index._root_of  # every key's root in ``clusters`` (the snapshot last built)
    pairs: dict[tuple[str, str], float] = {}
    near = index.near_misses
    if skip_similar and near:
        # a near miss pairs two clusters whose best names differed when the fuzzy rule read them;
        # where no merge since touched either, their names still differ and the pair is dropped
        # below: left out at once (most near misses of a big mailbox; on the 120,000-person
        # namesake one, 7,895 of 603,948 are looked at)
        touched = {root_of[k] for m in index.merges[index.near_misses_since :] for k in (m.key_a, m.key_b)}
        changed = {k for r in touched for k in clusters[r].keys}
        near = [m for m in near if m[0] in changed or m[1] in changed]
    for a, b, score in near:
        ra, rb = root_of[a], root_of[b]
        if rb < ra:
            ra, rb = rb, ra
        if ra != rb:
            if skip_similar:
                name_a, name_b = best.get(ra), best.get(rb)
                if name_a is not None and name_b is not None and name_a != name_b:
                    continue  # dropped by the review list whatever its score (most near misses)
            pairs.setdefault((ra, rb), float(score))
    for name, roots in index.shared_names():
        # (a common name's group: only the pairs with a cluster best known by another name)
        common = hopeless(name)
        if common and all(best[r] == name for r in roots):
            continue
        roots = sorted(roots, key=lambda r: (-clusters[r].n_messages, r))[:MAX_NAME_GROUP]
        others = [r for r in roots if best[r] != name] if common else roots
        for i, a in enumerate(others):
            for b in roots if others is not roots else roots[i + 1 :]:
                if b != a:
                    pairs.setdefault((a, b) if a < b else (b, a), 100.0)
    return pairs


def _review_list(index: _Index, clusters: _Clusters) -> tuple[pd.DataFrame, int]:
    """Pairs of clusters left apart that a person should look at, unranked: a frame of
    CANDIDATE_COLUMNS with the two roots for the two persons (:func:`_review_people` names
    them, ranks the pairs and keeps the first), and how many it keeps.

    Candidates are the near misses of the fuzzy rule and the clusters of one name left apart.
    Each gets a likelihood of being one person (:func:`_pair_odds`); pairs of two LinkedIn
    accounts with different names, and pairs below MIN_LIKELIHOOD, are dropped; the rest are
    ranked by likelihood × log2(2 + messages of the two) and cut at REVIEW_PER_100 per 100 people.
    """
    mroot = index.me_root()
    best = clusters.best_names()
    freq = _name_frequency([name for r, name in best.items() if r != mroot])
    organisations = index.organisations()
    # odds at half of MIN_LIKELIHOOD: a pair whose names' odds stay below them even with the best
    # other evidence is dropped unweighed (the margin keeps rounding from deciding)
    skip_odds = 0.5 * MIN_LIKELIHOOD / (1.0 - MIN_LIKELIHOOD)
    similar_best = FUZZY_ODDS * _similar_scale(freq)  # the odds of two agreeing names (see _name_odds)
    skip_similar = similar_best * BF_MAX < skip_odds  # every pair of two names is dropped here
    pairs = _review_pairs(
        index,
        clusters,
        best,
        skip_similar,
        lambda name: _name_odds(name, name, freq)[0] * BF_MAX < skip_odds,  # (as below)
    )
    by_names: dict[tuple[str, str], float] = {}
    rows = []
    for (ra, rb), score in pairs.items():
        ca, cb = clusters[ra], clusters[rb]
        name_a, name_b = best.get(ra), best.get(rb)
        if name_a is None or name_b is None:
            continue
        if _two_accounts(ca, cb) and name_a != name_b:
            continue  # two accounts with two names are two people
        if name_a != name_b and skip_similar:
            continue  # two names whose best odds are too low here (no need to weigh them)
        if (name_a, name_b) not in by_names:  # (many pairs share their names: weighed once)
            by_names[name_a, name_b] = _name_odds(name_a, name_b, freq)[0]
        if by_names[name_a, name_b] * BF_MAX < skip_odds:
            continue  # below MIN_LIKELIHOOD whatever else is known (most pairs of a common name)
        odds, evidence = _pair_odds(ca, cb, name_a, name_b, freq, organisations)
        likelihood = odds / (1.0 + odds)
        if likelihood < MIN_LIKELIHOOD:
            continue
        volume = ca.n_messages + cb.n_messages
        rows.append(
            {
                "person_a": ra,  # (a root: _review_people names the person)
                "person_b": rb,
                "name_a": _shown_name(ca.display) if ca.display else None,
                "name_b": _shown_name(cb.display) if cb.display else None,
                "key_a": min(ca.keys),
                "key_b": min(cb.keys),
                "score": float(score),
                "likelihood": float(likelihood),
                "n_messages": int(volume),
                "evidence": "; ".join(evidence),
                "_rank": likelihood * np.log2(2 + volume),
            }
        )
    limit = max(1, int(np.ceil(REVIEW_PER_100 * freq.n / 100)))
    return pd.DataFrame(rows, columns=[*CANDIDATE_COLUMNS, "_rank"]), limit


def _review_people(review: tuple[pd.DataFrame, int], key_to_person: dict) -> pd.DataFrame:
    """The review list of :func:`_review_list`'s pairs and cut: each pair's roots as person
    ids, the lesser first (its name and key with it; the rest is the same both ways), ranked by
    ``_rank`` then persons, the first kept."""
    cand, limit = review
    # by lists (a few hundred pairs): a pandas map through the 30,000-key dict, then swaps by
    # .loc, took 0.04 s at 30,000 people
    for col in ("person_a", "person_b"):  # (strings, as a pandas map gave them)
        cand[col] = pd.array([key_to_person[root] for root in cand[col].tolist()], dtype="str")
    swap = [a > b for a, b in zip(cand["person_a"].tolist(), cand["person_b"].tolist())]
    for a, b in (("person_a", "person_b"), ("name_a", "name_b"), ("key_a", "key_b")):
        va, vb, dtype = cand[a].tolist(), cand[b].tolist(), cand[a].dtype
        cand[a] = pd.array([y if s else x for x, y, s in zip(va, vb, swap)], dtype=dtype)
        cand[b] = pd.array([x if s else y for x, y, s in zip(va, vb, swap)], dtype=dtype)
    cand = cand.sort_values(["_rank", "person_a", "person_b"], ascending=[False, True, True], kind="stable")
    return cand.head(limit).drop(columns="_rank").reset_index(drop=True)


def _string_order(*columns: list[str]) -> np.ndarray:
    """The positions that sort the rows of ``columns`` (lists of strings of one length), by the
    first then the next: as sorting tuples of them would, by one Arrow sort (UTF-8 byte order
    is code point order, as str's; tuples of 30,000 people took 0.012 s, this 0.003). A string
    Arrow cannot hold (a lone surrogate) falls back to Python's sort."""
    try:
        table = pa.table({str(i): pa.array(col, type=pa.large_string()) for i, col in enumerate(columns)})
    except (pa.ArrowInvalid, UnicodeEncodeError):
        order = sorted(range(len(columns[0])), key=lambda i: tuple(col[i] for col in columns))
        return np.array(order, dtype=np.int64)
    keys = [(str(i), "ascending") for i in range(len(columns))]
    return pc.sort_indices(table, sort_keys=keys).to_numpy().astype(np.int64)


_PERSON_IDS: list[str] = []  # "p0001", "p0002" ...: made once, the strings shared by every resolution


def _person_ids(n: int) -> list[str]:
    """The first ``n`` person ids, p0001 on (formatting 30,000 of them took 4 ms a resolution)."""
    if len(_PERSON_IDS) < n:
        _PERSON_IDS.extend(f"p{i:04d}" for i in range(len(_PERSON_IDS) + 1, n + 1))
    return _PERSON_IDS[:n]


def _resolution(index: _Index, *, me_keys, automated) -> Resolution:
    """Person ids, the identities frame and the review list from the final clusters (the review
    list here, not in a worker: its pages copied on write cost this process what it saved,
    docs/performance.md, fifteenth round)."""
    uf = index.uf
    clusters = index.clusters()
    mroot = index.me_root()
    top = index._shown  # each key's most frequent display name (the clusters' keys all have theirs)
    # person ids: the owner is "me"; others numbered by most frequent display name, then least
    # key (which no two clusters share); a cluster of one key (most) by its own
    roots = [r for r in clusters.stored if r != mroot]
    first, names = roots[:], list(map(top.get, roots))
    for i, c in enumerate(map(clusters.stored.__getitem__, roots)):
        if c is not None:
            first[i] = min(c.keys)
            names[i] = _shown_name(c.display) if c.display else None
    lowered = [name.lower() if name is not None else "~" for name in names]
    person_of_root = dict(
        zip([roots[i] for i in _string_order(lowered, first).tolist()], _person_ids(len(roots)))
    )
    if mroot is not None:
        person_of_root[mroot] = "me"
    root_of = index._root_of  # each key's root as the snapshot just built has it (every key, in order)
    key_to_person = dict(zip(root_of, map(person_of_root.__getitem__, root_of.values())))

    # the identities frame, a list per column, in key order: each key shows the rule that joined
    # it, except the owner's keys (RULE_ME) and the key that founded a cluster of two keys or more,
    # which the others joined (RULE_EXACT when it is an address or profile URL: exact by definition)
    keys = sorted(uf.parent)  # (Python's sort: 4.7 ms for 30,735 keys, an Arrow sort 6.8)
    # (the scores as the rules gave them: the column is made float below)
    rules, scores = map(list, zip(*map(uf.rule.__getitem__, keys))) if keys else ([], [])
    owner = set(me_keys)
    founded = {k for c in clusters.stored.values() if c is not None for k in c.keys}
    for key in owner | founded:
        if key not in uf.parent:
            continue
        i = bisect.bisect_left(keys, key)
        if key in owner:
            rules[i], scores[i] = RULE_ME, 1.0
        elif rules[i] == RULE_SELF:
            rules[i] = RULE_EXACT if S.key_kind(key) in (S.KEY_EMAIL, S.KEY_URL) else RULE_SELF
    shown = list(map(top.get, keys))
    persons = list(map(key_to_person.__getitem__, keys))
    auto = sorted(automated - set(uf.parent))
    keys += auto
    shown += [None] * len(auto)
    persons += [None] * len(auto)
    rules += ["automated sender"] * len(auto)
    scores += [float("nan")] * len(auto)
    if keys:
        columns = [keys, S.key_kinds(keys), shown, persons, rules, scores]
        identities = pd.DataFrame(dict(zip(S.IDENTITIES, columns)), columns=list(S.IDENTITIES), dtype=object)
        identities[S.MATCH_SCORE] = identities[S.MATCH_SCORE].astype(float)
    else:
        identities = S.empty_frame(S.IDENTITIES)

    cand = _review_people(_review_list(index, clusters), key_to_person)
    # each person's keys: the clusters' own sets, in the order of their earliest keys (as a
    # pass over the keys in the order they were added would meet them)
    by_person = dict(
        zip(
            map(person_of_root.__getitem__, clusters.stored),
            [{r} if c is None else c.keys for r, c in clusters.stored.items()],
        )
    )
    merges = pd.DataFrame(
        [vars(m) for m in index.merges], columns=["rule", "key_a", "key_b", "score", "evidence"]
    )
    return Resolution(identities, key_to_person, by_person, cand, merges)


def read_overrides(path) -> pd.DataFrame:
    """Read a user's identity corrections: CSV rows ``key, key, same|different``.

    A header line is optional. Keys are normalised like the readers do (emails lower-cased,
    LinkedIn URLs in canonical form; anything else is taken as written).

    Raises
    ------
    FormatError
        Naming the line when a row does not have three fields or the decision is not
        ``same`` or ``different``.

    Examples
    --------
    >>> import io
    >>> read_overrides(io.StringIO("Ann@X.org,www.linkedin.com/in/ann,same\\n")).values.tolist()
    [['ann@x.org', 'https://www.linkedin.com/in/ann', 'same']]
    """
    import csv

    from netanalytics.exceptions import FormatError

    handle = open(path, encoding="utf-8-sig", newline="") if not hasattr(path, "read") else path
    rows = []
    with handle:
        for lineno, fields in enumerate(csv.reader(handle), start=1):
            fields = [f.strip() for f in fields]
            if not fields or not any(fields) or fields[0].startswith("#"):
                continue
            if lineno == 1 and fields[-1].lower() in ("decision", "same_or_different", "verdict"):
                continue
            if len(fields) != 3 or fields[2].lower() not in ("same", "different"):
                raise FormatError(
                    f"{getattr(path, 'name', 'overrides CSV') if hasattr(path, 'read') else path}, line {lineno}: expected 'key,key,same|different', "
                    f"got {','.join(fields)!r}"
                )
            rows.append([_normalize_key(fields[0]), _normalize_key(fields[1]), fields[2].lower()])
    return pd.DataFrame(rows, columns=["key_a", "key_b", "decision"])


def _normalize_key(text: str) -> str:
    return S.normalize_email(text) or S.normalize_linkedin_url(text) or text


def read_annotations(path) -> pd.DataFrame:
    """Read relationship annotations: CSV with a header ``key,kind,tags,cadence_days``.

    ``key`` is an identity key (email, LinkedIn URL, ``name:...``) or ``kind:<kind>`` to set
    the cadence of every person of that kind; ``tags`` are separated by ``;``; every column
    but ``key`` may be empty.

    Raises
    ------
    FormatError
        When the header has no ``key`` column or a cadence is not a positive number.

    Examples
    --------
    >>> import io
    >>> text = "key,kind,tags,cadence_days\\nann@x.org,mentor,board;alumni,30\\nkind:client,,,45\\n"
    >>> read_annotations(io.StringIO(text)).values.tolist()
    [['ann@x.org', 'mentor', ['board', 'alumni'], 30.0], ['kind:client', None, [], 45.0]]
    """
    from netanalytics.exceptions import FormatError

    name = getattr(path, "name", "annotations CSV") if hasattr(path, "read") else path
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [c.strip().lower() for c in frame.columns]
    if "key" not in frame.columns:
        raise FormatError(
            f"{name}: annotations need a 'key' column (found: {', '.join(frame.columns)}). "
            "Expected header: key,kind,tags,cadence_days"
        )
    out = []
    for lineno, row in enumerate(frame.to_dict("records"), start=2):
        cadence = (row.get("cadence_days") or "").strip()
        try:
            days = float(cadence) if cadence else float("nan")
        except ValueError:
            days = -1.0
        if cadence and not days > 0:
            raise FormatError(
                f"{name}, line {lineno}: cadence_days must be a positive number of days, got {cadence!r}"
            )
        key = row["key"].strip()
        out.append(
            [
                key if key.startswith("kind:") else _normalize_key(key),
                (row.get("kind") or "").strip().lower() or None,
                [t.strip() for t in (row.get("tags") or "").split(";") if t.strip()],
                days,
            ]
        )
    result = pd.DataFrame(out, columns=["key", "kind", "tags", "cadence_days"], dtype=object)
    result["cadence_days"] = result["cadence_days"].astype(float)
    return result
