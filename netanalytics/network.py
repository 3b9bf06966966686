"""The :class:`Network` container: people, identities, interactions, the load report, the graph."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import networkx as nx
import numpy as np
import pandas as pd

from netanalytics import schema as S
from netanalytics.exceptions import NotDefinedError
from netanalytics.io._lists import first_rows
from netanalytics.io.report import LoadReport

__all__ = ["Network", "EGO", "build_network", "coparticipation", "louvain_communities", "to_utc"]

#: person_id of the network's owner ("me").
EGO = "me"


def to_utc(value: object) -> pd.Timestamp:
    """A timestamp in UTC; naive values are taken as UTC.

    Examples
    --------
    >>> to_utc("2024-03-01 12:00")
    Timestamp('2024-03-01 12:00:00+0000', tz='UTC')
    """
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def louvain_communities(G: nx.Graph, *, weight: str | None = "weight", seed: int = 0) -> list[frozenset]:
    """Louvain communities (Blondel et al. 2008) of an undirected graph, largest first.

    The method of :func:`networkx.community.louvain_communities`, computed by igraph's C
    implementation (``community_multilevel``), several times faster on large graphs; ``seed``
    makes it reproducible. Nodes without edges are communities of their own.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
    >>> [sorted(c) for c in louvain_communities(G)]
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    edges = list(G.edges(data=weight, default=1.0)) if weight else [(u, v, 1.0) for u, v in G.edges()]
    nodes = list(G)
    index = {n: i for i, n in enumerate(nodes)}
    return _louvain(nodes, [(index[u], index[v]) for u, v, _ in edges], [float(w) for _, _, w in edges], seed)


def _louvain(nodes: list, pairs: list[tuple[int, int]], weights: list[float], seed: int) -> list[frozenset]:
    """:func:`louvain_communities` of the graph with these nodes and edges, in this order: ``pairs``
    of positions in ``nodes``, with their ``weights``."""
    import random

    import igraph as ig

    g = ig.Graph(n=len(nodes), edges=pairs)
    g.es["weight"] = weights
    ig.set_random_number_generator(random.Random(seed))
    try:
        membership = g.community_multilevel(weights="weight").membership if len(nodes) else []
    finally:
        ig.set_random_number_generator(random)
    groups: dict[int, set] = {}
    for node, k in zip(nodes, membership):
        groups.setdefault(k, set()).add(node)
    return sorted((frozenset(c) for c in groups.values()), key=lambda c: (-len(c), min(map(str, c))))


def edge_order(pu: np.ndarray, pv: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The order in which a networkx graph iterates the edges added as rows ``(pu[i], pv[i])``
    (positions of their ends in the graph's node order, each pair once): ``order`` (row numbers),
    and each edge's end that comes first and its other end, in that order.

    Notes
    -----
    ``Graph.edges()`` walks the nodes in order, and each node's neighbours in the order they were
    added, yielding an edge once, from its end that comes first: the rows grouped by that end,
    in their own order within a group (a stable sort).

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from(range(4))
    >>> G.add_edges_from([(2, 3), (1, 2), (0, 3), (1, 0)])
    >>> order, a, b = edge_order(np.array([2, 1, 0, 1]), np.array([3, 2, 3, 0]))
    >>> list(G.edges()) == list(zip(a.tolist(), b.tolist())), order.tolist()
    (True, [2, 3, 1, 0])
    """
    order = np.argsort(np.minimum(pu, pv), kind="stable")
    return order, np.minimum(pu, pv)[order], np.maximum(pu, pv)[order]


def _run_positions(lengths: np.ndarray) -> np.ndarray:
    """Each element's place within its run, for consecutive runs of these lengths.

    Examples
    --------
    >>> _run_positions(np.array([2, 0, 3])).tolist()
    [0, 1, 0, 1, 2]
    """
    return np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)


def _first_of_each(values: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` (integers) is the first of its value, as
    ``~pd.Series(values).duplicated()`` says, by a stable sort rather than a hash table: rows
    of (message, person) pairs come in blocks already in message order (senders, then To, Cc ...),
    runs that the sort merges (7 million pairs: 0.17 s, where the hash table took 1.2 s).

    Examples
    --------
    >>> _first_of_each(np.array([5, 3, 5, 1, 3])).tolist()
    [True, True, False, True, False]
    """
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.ones(len(values), bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    first = np.zeros(len(values), bool)
    first[order[starts]] = True
    return first


def _numbered(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values)``, for a column of Python objects by each distinct object first:
    the participation rows the loader and the cache make share one string per message (6.9
    million rows of a million messages: their strings hashed took 1.46 s)."""
    if values.dtype != object:
        return pd.factorize(values)
    values = values.to_numpy(object)
    of_row, first = first_rows(values)
    code, uniques = pd.factorize(values[first])
    return code[of_row], uniques


def coparticipation(
    rows: pd.DataFrame, *, n_people: pd.Series | None = None, broadcast: int = 10
) -> pd.DataFrame:
    """Alter–alter pairs that appear on the same message: the edges of :meth:`Network.graph`.

    Parameters
    ----------
    rows : DataFrame
        ``message_id`` and ``person_id`` per person on a message (the owner left out), such as
        ``net.participation`` without the owner, or interaction rows. Rows whose ``role`` is
        ``bcc`` are left out: a Bcc recipient saw no one else on the message.
    n_people : Series, optional
        Participants per message (indexed by message_id), owner included; default: the
        number of rows of the message plus one (the owner).
    broadcast : int, default 10
        Above this many participants a message adds ``1 / (k − 1)`` to each of its pairs
        (``k`` alters) instead of 1.

    Returns
    -------
    DataFrame
        ``person_id_u`` < ``person_id_v``, ``messages`` (shared messages) and ``weight``.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"message_id": ["m1", "m1", "m1", "m2", "m2"],
    ...                      "person_id": ["a", "b", "c", "a", "b"]})
    >>> coparticipation(rows).values.tolist()
    [['a', 'b', 2, 2.0], ['a', 'c', 1, 1.0], ['b', 'c', 1, 1.0]]
    """
    u_col, v_col = S.PERSON_ID + "_u", S.PERSON_ID + "_v"
    if S.ROLE in rows.columns:
        rows = rows[(rows[S.ROLE] != "bcc").to_numpy(bool)]  # (compared as Arrow text, not as objects)
    # on integer codes from the start (grouping 200,000 text message ids costs a tenth of a second
    # each time): messages in order of first appearance, person codes sorted by the ids' text, so
    # u < v compares as the ids do
    message, messages = _numbered(rows[S.MESSAGE_ID])
    person, ids = pd.factorize(rows[S.PERSON_ID].astype(str), sort=True)
    codes = pd.DataFrame({"m": message, "p": person})
    # each person once per message
    codes = codes[(message >= 0) & _first_of_each(message * (len(ids) + 1) + person)]
    m = codes["m"].to_numpy()
    k = np.bincount(m, minlength=len(messages))[m]  # alters on the message
    codes, k = codes[k >= 2], k[k >= 2]
    if codes.empty:
        return pd.DataFrame(
            {
                u_col: pd.Series(dtype=object),
                v_col: pd.Series(dtype=object),
                "messages": pd.Series(dtype="int64"),
                "weight": pd.Series(dtype=float),
            }
        )
    m, p = codes["m"].to_numpy(), codes["p"].to_numpy()
    n = n_people.reindex(messages).to_numpy()[m] if n_people is not None else k + 1
    w = np.where(n > broadcast, 1.0 / (k - 1), 1.0)
    # each row paired with the rows of its message whose person comes after its own: the
    # k(k-1)/2 pairs of a message made as arrays (a self-join made k² rows: 1.1-1.8 s against
    # 0.7-0.9 s on 200,000 messages of real list mail). The rows sorted by message, then person:
    by_person = np.lexsort((p, m))
    place = np.empty(len(m), np.int64)
    place[by_person] = np.arange(len(m))
    first = np.ones(len(m), bool)  # the first row of each message
    first[1:] = m[by_person][1:] != m[by_person][:-1]
    end = np.flatnonzero(np.append(first[1:], True))[np.cumsum(first) - 1]  # its message's last row
    after = (end - np.arange(len(m)))[place]  # rows after each row (in its own order) on its message
    u = np.repeat(np.arange(len(m)), after)  # the pairs in row order, as a self-join gives them
    v = np.repeat(place + 1, after) + _run_positions(after)
    # summed in that order within each pair, as grouping the self-join did: the same weights
    edges = pd.Series(w[u]).groupby(p[u] * len(ids) + p[by_person][v]).agg(["size", "sum"])
    pair = edges.index.to_numpy()
    ids = np.asarray(ids, dtype=object)
    return pd.DataFrame(
        {
            u_col: ids[pair // len(ids)],
            v_col: ids[pair % len(ids)],
            "messages": edges["size"].to_numpy(dtype="int64"),
            "weight": edges["sum"].to_numpy(dtype=float),
        }
    )


@dataclass
class Network:
    """Everything loaded about one person's professional network.

    Build it with :func:`netanalytics.load`; the sample is :func:`netanalytics.datasets.load_sample`.

    Attributes
    ----------
    people : DataFrame
        :data:`netanalytics.schema.PEOPLE`, indexed by ``person_id``; the owner is the row
        ``EGO`` (``"me"``) with ``is_me`` True.
    identities : DataFrame
        :data:`netanalytics.schema.IDENTITIES`: every identity key seen, its person and the rule
        that linked it.
    interactions : DataFrame
        :data:`netanalytics.schema.INTERACTIONS`: one row per message × counterpart (never the
        owner), sorted by time.
    messages : DataFrame
        :data:`netanalytics.schema.MESSAGES`: every message kept, all sources.
    endorsements, recommendations, invitations : DataFrame
        LinkedIn extras with an added ``person_id`` column (``None`` when unresolved).
    report : LoadReport
        What was read, kept and skipped, per file.
    participation : DataFrame, optional
        One row per message × person on it (``message_id``, ``person_id``, ``role``), the
        owner and co-recipients included: the evidence for alter–alter edges. Bcc recipients
        are left out (they saw neither the To/Cc people nor each other; they are in the
        interactions, role ``bcc``, as my counterparts). When None, the interactions without
        their ``bcc`` rows stand in for it.
    candidates : DataFrame, optional
        Borderline identity pairs left apart (see :meth:`merge_candidates`).
    me : str
        person_id of the owner (always ``EGO``).

    Notes
    -----
    The frames are read-only: the graph, the communities and the metrics' results
    (:func:`~netanalytics.dormancy`, :func:`~netanalytics.health` ...) are computed once per
    network and arguments and kept, so the report reuses what was already computed. To change
    a frame, make a new network with :meth:`with_frames`; it starts with nothing kept.
    """

    people: pd.DataFrame
    identities: pd.DataFrame
    interactions: pd.DataFrame
    messages: pd.DataFrame = field(default_factory=lambda: S.empty_frame(S.MESSAGES))
    contacts: pd.DataFrame = field(default_factory=lambda: S.empty_frame(S.CONTACTS))
    endorsements: pd.DataFrame = field(
        default_factory=lambda: S.empty_frame({**S.ENDORSEMENTS, S.PERSON_ID: "str"})
    )
    recommendations: pd.DataFrame = field(
        default_factory=lambda: S.empty_frame({**S.RECOMMENDATIONS, S.PERSON_ID: "str"})
    )
    invitations: pd.DataFrame = field(
        default_factory=lambda: S.empty_frame({**S.INVITATIONS, S.PERSON_ID: "str"})
    )
    report: LoadReport = field(default_factory=LoadReport)
    participation: pd.DataFrame | None = None
    candidates: pd.DataFrame | None = None
    me: str = EGO
    # graphs, communities and metric results (metrics._common.memoised) computed once per network
    # (frames are treated as read-only: with_frames() makes a new network, with an empty memo)
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        S.validate_people(self.people)
        S.validate_identities(self.identities)
        S.validate_interactions(self.interactions)

    def __repr__(self) -> str:
        n_alters = int((~self.people[S.IS_ME]).sum())
        return (
            f"<Network: {n_alters} people, {len(self.interactions)} interactions, "
            f"{len(self.identities)} identity keys>"
        )

    @property
    def alters(self) -> pd.DataFrame:
        """``people`` without the owner."""
        return self.people[~self.people[S.IS_ME]]

    def resolve_as_of(self, as_of: object = None) -> pd.Timestamp:
        """The moment metrics are measured at: ``as_of`` in UTC, else the latest interaction.

        Never the wall clock, so results are reproducible.

        Raises
        ------
        NotDefinedError
            When ``as_of`` is None and there are no interactions to date the network by.

        Examples
        --------
        >>> import netanalytics as na
        >>> na.datasets.load_sample().resolve_as_of()
        Timestamp('2026-10-30 17:59:36+0000', tz='UTC')
        """
        if as_of is not None:
            return to_utc(as_of)
        if self.interactions.empty:
            raise NotDefinedError(
                "the metric is not defined for a network without interactions "
                "(load messages, meetings or LinkedIn conversations first, or pass as_of=)"
            )
        return self.interactions[S.TIMESTAMP].max()

    def graph(self, directed: bool = False, *, broadcast: int = 10, copy: bool = True) -> nx.Graph:
        """Build the ego network as a networkx graph.

        Parameters
        ----------
        directed : bool, default False
            If True, return a ``DiGraph`` with an edge ``u → v`` for every message from
            ``u`` to ``v`` (weight = number of such messages), for reciprocity work. Only
            ego–alter edges are directed this way; alter–alter co-participation edges are
            added in both directions.
        broadcast : int, default 10
            Messages with more participants than this count as weak evidence: their
            alter–alter co-participation weight is divided by the number of other
            participants (see Notes).
        copy : bool, default True
            False returns the network's shared graph, built once and frozen (read-only;
            ``networkx.freeze``): what the metrics and figures use, to build it once.

        Returns
        -------
        networkx.Graph or networkx.DiGraph
            Nodes are person_ids with the ``people`` columns as attributes (lists as tuples).
            The ego is ``net.me``.

        Notes
        -----
        Ego–alter edges: ``weight`` = number of interaction rows with that alter.

        Alter–alter edges come from **co-participation**: two alters who appear on the same
        message (as sender or recipient) are linked. A message with ``k`` alters adds
        ``1`` to each of its ``k (k - 1) / 2`` pairs when it has at most ``broadcast``
        participants and ``1 / (k - 1)`` otherwise, so a mass mailing does not turn its
        recipients into a clique of strong ties. ``messages`` counts the raw shared messages.
        Bcc recipients of my messages are linked to me only, never to the To/Cc people or to
        each other (no one on the message saw them); they count in ``n_participants``.
        We never see alters talking to each other without us, so these edges are a lower
        bound on the real alter–alter graph.

        Examples
        --------
        >>> import netanalytics as na
        >>> net = na.datasets.load_sample()
        >>> G = net.graph()
        >>> G.has_node(net.me)
        True
        """
        if not copy:
            key = ("graph", directed, broadcast)
            if key not in self._memo:
                self._memo[key] = nx.freeze(self.graph(directed, broadcast=broadcast))
            return self._memo[key]
        G: nx.Graph = nx.DiGraph() if directed else nx.Graph()
        people = self.people.astype(object)  # plain Python values, one pass per column
        columns = {c: [tuple(v) if isinstance(v, list) else v for v in people[c]] for c in people.columns}
        G.add_nodes_from(
            (pid, dict(zip(columns, values))) for pid, values in zip(people.index, zip(*columns.values()))
        )
        inter = self.interactions
        if directed:
            counts = inter.groupby([S.PERSON_ID, S.DIRECTION]).size()
            G.add_edges_from(
                ((self.me, pid) if direction == S.OUT else (pid, self.me)) + ({"weight": n},)
                for (pid, direction), n in zip(counts.index, counts.tolist())
            )
        else:
            counts = inter.groupby(S.PERSON_ID).size()
            G.add_edges_from((self.me, pid, {"weight": n}) for pid, n in zip(counts.index, counts.tolist()))
        edges = self._alter_edges(broadcast)
        # u, v, messages, weight; tolist: Python ints and floats. The edges go in from a generator:
        # a list of 130,000 (u, v, dict) rows held at once costs more in garbage collection than
        # networkx takes to add them
        columns = [edges[c].to_numpy().tolist() for c in edges.columns]
        G.add_edges_from((u, v, {"weight": w, "messages": n}) for u, v, n, w in zip(*columns))
        if directed:
            G.add_edges_from((v, u, {"weight": w, "messages": n}) for u, v, n, w in zip(*columns))
        return G

    def _alter_edges(self, broadcast: int) -> pd.DataFrame:
        """The alter–alter co-participation edges of :meth:`graph` (``u < v``, each pair once), in
        the order the graph adds them; computed once per ``broadcast``."""
        key = ("alter_edges", broadcast)
        if key not in self._memo:
            part = self.interactions if self.participation is None else self.participation
            # the message ids hashed once: coparticipation gets their codes (a message without
            # an id joins no one), and the people per message are counted on them
            message, _ids = _numbered(part[S.MESSAGE_ID])
            if self.participation is not None:
                n_people = pd.Series(np.bincount(message[message >= 0]))  # rows per message
            else:  # (coparticipation leaves out the interactions' Bcc rows)
                n_people = pd.Series(part[S.N_PARTICIPANTS].to_numpy()).groupby(message).first()
            # a known person other than me, looked up once per distinct id
            person, pids = pd.factorize(part[S.PERSON_ID])
            alter = self.people.index.unique().get_indexer(pids) >= 0
            alter &= np.asarray(pids, dtype=object) != self.me
            keep = (message >= 0) & (person >= 0) & np.append(alter, False)[person]
            alters_only = part[keep].assign(**{S.MESSAGE_ID: message[keep]})
            self._memo[key] = coparticipation(alters_only, n_people=n_people, broadcast=broadcast)
        return self._memo[key]

    def communities(self, *, seed: int = 0) -> list[frozenset]:
        """Louvain communities of the alter–alter co-participation graph, largest first.

        Computed once per network and seed (the reconnect ranking and the network map share
        them). Alters without a shared message, and communities of one, are left out.

        Parameters
        ----------
        seed : int, default 0
            Seed of :func:`networkx.community.louvain_communities`.

        Returns
        -------
        list of frozenset
            person_ids per community, sorted by size (then smallest id).

        Examples
        --------
        >>> import netanalytics as na
        >>> parts = na.datasets.load_sample().communities()
        >>> len(parts[0]) >= len(parts[-1]) >= 2
        True
        """
        key = ("communities", seed)
        if key not in self._memo:
            # Louvain on the alter-alter edges, as on a plain graph built from them, without building
            # it: its nodes in order of first appearance, its edges as its iteration gives them
            # (each from the endpoint that comes first, in insertion order), so the same communities.
            # On arrays: ``self.graph()`` iterates the alter-alter edges node by node in node order,
            # each node's edges in the order they were added (the rows of ``_alter_edges``), each
            # edge once, from its endpoint that comes first. Its nodes start with the people in
            # their index order, and every end of an alter-alter edge is one of them (the graph
            # itself is not built: 0.7 s at 20,000 people).
            people = self.people.index.unique()
            nodes = list(people)
            frame = self._alter_edges(10)
            pu, pv = (people.get_indexer(frame[c]).astype(np.int64) for c in frame.columns[:2])
            order, a, b = edge_order(pu, pv)
            weight = frame["weight"].to_numpy(dtype=float)[order]
            # rank: order of first appearance of a node along the edges (u before v in each)
            seen, first = np.unique(np.column_stack([a, b]).ravel(), return_index=True)
            by_rank = seen[np.argsort(first)]
            rank = np.empty(len(nodes), dtype=np.int64)
            rank[by_rank] = np.arange(len(by_rank))
            order, lo, hi = edge_order(rank[a], rank[b])
            pairs = list(zip(lo.tolist(), hi.tolist()))
            ranked = [nodes[i] for i in by_rank.tolist()]
            parts = (
                [p for p in _louvain(ranked, pairs, weight[order].tolist(), seed) if len(p) > 1]
                if pairs
                else []
            )
            self._memo[key] = parts
        return list(self._memo[key])

    def merge_candidates(self) -> pd.DataFrame:
        """Borderline pairs of people that identity resolution kept apart, for review.

        Returns
        -------
        DataFrame
            The review list, most worth a look first and at most 3 pairs per 100 people:
            person_a, person_b, name_a, name_b, key_a, key_b, score (name similarity 0–100),
            likelihood (0–1, that the two are one person), n_messages (of the two), evidence.
            Two LinkedIn accounts with different names are never listed. To merge or separate
            for good, write ``key_a,key_b,same`` (or ``different``) into the overrides CSV
            passed to :func:`netanalytics.load`.

        Examples
        --------
        >>> import netanalytics as na
        >>> list(na.datasets.load_sample().merge_candidates().columns)
        ['person_a', 'person_b', 'name_a', 'name_b', 'key_a', 'key_b', 'score', 'likelihood', 'n_messages', 'evidence']
        """
        from netanalytics.identity import CANDIDATE_COLUMNS

        columns = list(CANDIDATE_COLUMNS)
        if self.candidates is None:
            return pd.DataFrame(columns=columns)
        return self.candidates.copy()

    def summary(self) -> str:
        """What was loaded, from where, and what was skipped — as text.

        Examples
        --------
        >>> import netanalytics as na
        >>> print(na.datasets.load_sample().summary().splitlines()[0])  # doctest: +ELLIPSIS
        Network of ... people (...) from ... files
        """
        alters = self.alters
        me = self.people.loc[self.me]
        inter = self.interactions
        lines = [
            f"Network of {len(alters)} people ({me[S.NAME]} is 'me') from "
            f"{sum(f.not_read is None for f in self.report.files)} files",
            f"  {len(inter)} interactions "
            + (
                f"from {inter[S.TIMESTAMP].min():%Y-%m-%d} to {inter[S.TIMESTAMP].max():%Y-%m-%d}"
                if len(inter)
                else ""
            ),
        ]
        if len(inter):
            by_channel = inter[S.CHANNEL].value_counts()
            lines.append("  by channel: " + ", ".join(f"{c} {n}" for c, n in by_channel.items()))
            by_dir = inter[S.DIRECTION].value_counts()
            lines.append(f"  sent {by_dir.get(S.OUT, 0)}, received {by_dir.get(S.IN, 0)}")
        lines.append(
            f"  identity keys {len(self.identities)}; merge candidates to review {len(self.merge_candidates())}"
        )
        lines.append(
            f"  my keys: {', '.join(self.identities.loc[self.identities[S.PERSON_ID] == self.me, S.KEY])}"
        )
        lines.append("Load report: " + str(self.report))
        return "\n".join(lines)

    def anonymize(self, seed: int = 0) -> Network:
        """Return a copy with names, addresses, URLs and subjects replaced by consistent pseudonyms.

        The same person gets the same pseudonym everywhere (people, identities, messages,
        extras); timestamps, structure and all metrics are unchanged, so a notebook run on
        the copy can be shared.

        Parameters
        ----------
        seed : int, default 0
            Different seeds give different pseudonyms.

        Examples
        --------
        >>> import netanalytics as na
        >>> net = na.datasets.load_sample()
        >>> anon = net.anonymize(seed=1)
        >>> set(anon.people["name"]) & set(net.people["name"])
        set()
        """
        from netanalytics._anonymize import anonymize_network

        return anonymize_network(self, seed)

    def with_frames(self, **frames) -> Network:
        """Return a copy with some frames replaced (the original is not changed)."""
        return replace(self, **frames)


def build_network(
    interactions: pd.DataFrame,
    people: pd.DataFrame | None = None,
    **frames: pd.DataFrame,
) -> Network:
    """Build a :class:`Network` from an interactions frame, filling in what is not given.

    Useful for tests and for users who computed interactions elsewhere. Missing
    interaction columns get defaults (``channel`` "email", ``role`` from the direction,
    ``n_participants`` 2, ``is_reply`` False, ``starts_thread`` True, ids from the row
    number); missing people get a row named after their ``person_id``.

    Parameters
    ----------
    interactions : DataFrame
        At least ``timestamp`` (anything ``pd.to_datetime`` reads; naive means UTC),
        ``person_id`` and ``direction`` ("out"/"in").
    people : DataFrame, optional
        Rows of :data:`netanalytics.schema.PEOPLE` indexed by ``person_id``; missing columns
        get defaults. The owner row ``"me"`` is added when absent.
    **frames
        Other :class:`Network` fields (``messages``, ``endorsements``, ...).

    Returns
    -------
    Network

    Examples
    --------
    >>> import pandas as pd
    >>> from netanalytics.network import build_network
    >>> net = build_network(pd.DataFrame({
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-02 10:00"],
    ...     "person_id": ["ann", "ann"],
    ...     "direction": ["out", "in"]}))
    >>> net
    <Network: 1 people, 2 interactions, 0 identity keys>
    >>> net.interactions[["person_id", "direction", "role"]].values.tolist()
    [['ann', 'out', 'to'], ['ann', 'in', 'from']]
    """
    inter = interactions.copy()
    ts = pd.to_datetime(inter[S.TIMESTAMP])
    inter[S.TIMESTAMP] = ts.dt.tz_localize("UTC") if ts.dt.tz is None else ts.dt.tz_convert("UTC")
    n = len(inter)
    defaults = {
        S.CHANNEL: "email",
        S.THREAD_ID: [f"t{i}" for i in range(n)],
        S.MESSAGE_ID: [f"m{i}" for i in range(n)],
        S.IN_REPLY_TO: None,
        S.ROLE: [("from" if d == S.IN else "to") for d in inter[S.DIRECTION]],
        S.N_PARTICIPANTS: 2,
        S.IS_REPLY: False,
        S.STARTS_THREAD: True,
    }
    for col, value in defaults.items():
        if col not in inter.columns:
            # (the per-row defaults as a text column: from an empty list pandas would make floats)
            inter[col] = (
                pd.Series(value, index=inter.index, dtype="str") if isinstance(value, list) else value
            )
    inter[S.IN_REPLY_TO] = inter[S.IN_REPLY_TO].astype(object)
    inter[S.N_PARTICIPANTS] = inter[S.N_PARTICIPANTS].astype("int64")
    inter = inter.sort_values(S.TIMESTAMP, kind="stable").reset_index(drop=True)

    ids = list(dict.fromkeys([EGO, *inter[S.PERSON_ID]]))
    given = people if people is not None else pd.DataFrame(index=pd.Index([], name=S.PERSON_ID))
    given = given.copy()
    given.index.name = S.PERSON_ID
    seen = set(ids)
    ids += [pid for pid in given.index if pid not in seen]
    full = given.reindex(ids)
    list_cols = [c for c, kind in S.PEOPLE.items() if kind == "list"]
    fill = {
        S.NAME: pd.Series(ids, index=ids),
        S.IS_ME: pd.Series([pid == EGO for pid in ids], index=ids),
    }
    for col, kind in S.PEOPLE.items():
        if col in fill and (col not in given.columns):
            full[col] = fill[col]
        elif col == S.NAME:
            full[col] = full[col].where(full[col].notna(), fill[S.NAME])
        elif col == S.IS_ME:
            full[col] = full[col].where(full[col].notna(), fill[S.IS_ME]).astype(bool)
        elif col in list_cols:
            base = full[col] if col in full.columns else pd.Series(None, index=ids, dtype=object)
            full[col] = [v if isinstance(v, list) else [] for v in base]
        elif kind == "datetime":
            if col in given.columns:
                full[col] = pd.to_datetime(full[col], utc=True)
            else:
                full[col] = pd.Series(pd.NaT, index=ids, dtype="datetime64[ns, UTC]")
        elif kind == "float":
            full[col] = (full[col] if col in full.columns else pd.Series(float("nan"), index=ids)).astype(
                float
            )
        elif col not in full.columns:
            full[col] = pd.Series(None, index=ids, dtype=object)
    full.index.name = S.PERSON_ID
    return Network(
        people=full,
        identities=S.empty_frame(S.IDENTITIES),
        interactions=inter,
        **frames,
    )
