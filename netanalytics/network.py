"""The :class:`Network` container: people, identities, interactions, the load report, the graph."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import combinations

import networkx as nx
import pandas as pd

from netanalytics import schema as S
from netanalytics.io.report import LoadReport

__all__ = ["Network", "EGO"]

#: person_id of the network's owner ("me").
EGO = "me"


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
    me : str
        person_id of the owner (always ``EGO``).
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
    me: str = EGO

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

    def graph(self, directed: bool = False, *, broadcast: int = 10) -> nx.Graph:
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
        G: nx.Graph = nx.DiGraph() if directed else nx.Graph()
        for pid, row in self.people.iterrows():
            attrs = {k: (tuple(v) if isinstance(v, list) else v) for k, v in row.items()}
            G.add_node(pid, **attrs)
        inter = self.interactions
        if directed:
            counts = inter.groupby([S.PERSON_ID, S.DIRECTION]).size()
            for (pid, direction), n in counts.items():
                u, v = (self.me, pid) if direction == S.OUT else (pid, self.me)
                G.add_edge(u, v, weight=int(n))
        else:
            for pid, n in inter.groupby(S.PERSON_ID).size().items():
                G.add_edge(self.me, pid, weight=int(n))
        weights: Counter = Counter()
        shared: Counter = Counter()
        by_message = inter.groupby(S.MESSAGE_ID, sort=False)
        for _, group in by_message:
            alters = sorted(set(group[S.PERSON_ID]))
            if len(alters) < 2:
                continue
            n_participants = int(group[S.N_PARTICIPANTS].iloc[0])
            w = 1.0 if n_participants <= broadcast else 1.0 / (len(alters) - 1)
            for pair in combinations(alters, 2):
                weights[pair] += w
                shared[pair] += 1
        for (u, v), w in weights.items():
            G.add_edge(u, v, weight=w, messages=shared[(u, v)])
            if directed:
                G.add_edge(v, u, weight=w, messages=shared[(u, v)])
        return G

    def with_frames(self, **frames) -> "Network":
        """Return a copy with some frames replaced (the original is not changed)."""
        return replace(self, **frames)
