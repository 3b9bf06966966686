"""Tests for netanalytics.metrics.reciprocity on hand-built networks with exact expected values."""

import math

import networkx as nx
import pandas as pd
import pytest

from netanalytics import schema as S
from netanalytics.exceptions import NotDefinedError
from netanalytics.metrics.reciprocity import give_take_ratio, overall_reciprocity, reciprocity
from netanalytics.network import build_network

AS_OF = "2024-03-01 12:00"


def _net(rows, **frames):
    cols = [
        S.TIMESTAMP,
        S.PERSON_ID,
        S.DIRECTION,
        S.MESSAGE_ID,
        S.IN_REPLY_TO,
        S.THREAD_ID,
        S.N_PARTICIPANTS,
        S.CHANNEL,
    ]
    df = pd.DataFrame(rows, columns=cols)
    df[S.N_PARTICIPANTS] = df[S.N_PARTICIPANTS].astype("int64")
    df[S.IN_REPLY_TO] = df[S.IN_REPLY_TO].astype(object)
    return build_network(df, **frames)


def _replies_net():
    return _net(
        [
            # ann, direct, replies linked by in_reply_to; one thread per message
            ("2024-01-01 09:00", "ann", "out", "a1", None, "ta1", 2, "email"),
            ("2024-01-01 11:00", "ann", "in", "a2", "a1", "ta2", 2, "email"),  # she answers in 2 h
            ("2024-01-10 09:00", "ann", "out", "a3", None, "ta3", 2, "email"),  # never answered
            ("2024-01-20 09:00", "ann", "in", "a4", None, "ta4", 2, "email"),
            ("2024-01-20 13:00", "ann", "out", "a5", "a4", "ta5", 2, "email"),  # I answer in 4 h
            ("2024-02-01 09:00", "ann", "in", "a6", None, "ta6", 2, "email"),
            ("2024-02-15 09:00", "ann", "out", "a7", "a6", "ta7", 2, "email"),  # 14 days: too late
            # bob, group thread, replies found through the thread only
            ("2024-01-01 09:00", "bob", "out", "b1", None, "tb1", 3, "email"),
            ("2024-01-01 15:00", "bob", "in", "b2", None, "tb1", 3, "email"),  # 6 h, same thread
            ("2024-02-25 09:00", "bob", "in", "b3", None, "tb2", 2, "email"),  # window still open
        ]
    )


def test_reply_rates_and_latencies():
    r = reciprocity(_replies_net(), as_of=AS_OF)
    ann, bob = r.loc["ann"], r.loc["bob"]
    print(r[[S.MY_REPLY_RATE, S.THEIR_REPLY_RATE, S.MY_MEDIAN_REPLY_HOURS, S.THEIR_MEDIAN_REPLY_HOURS]])
    # my messages to ann: a1 (answered), a3, a5, a7 (not) -> 1/4
    assert ann[S.THEIR_REPLY_RATE] == 0.25
    assert ann[S.THEIR_MEDIAN_REPLY_HOURS] == 2.0
    # her messages: a2 (not), a4 (4 h), a6 (answered after 14 days, outside the 7-day window) -> 1/3
    assert ann[S.MY_REPLY_RATE] == pytest.approx(1 / 3)
    assert ann[S.MY_MEDIAN_REPLY_HOURS] == 4.0
    assert ann[S.MY_REPLY_RATE_DIRECT] == pytest.approx(1 / 3)
    assert math.isnan(ann[S.MY_REPLY_RATE_GROUP])
    assert (ann[S.SENT], ann[S.RECEIVED]) == (4, 3)
    # bob: b1 answered through the thread after 6 h (group message); b2 unanswered; b3 censored
    assert bob[S.THEIR_REPLY_RATE] == 1.0 and bob[S.THEIR_REPLY_RATE_GROUP] == 1.0
    assert math.isnan(bob[S.THEIR_REPLY_RATE_DIRECT])
    assert bob[S.THEIR_MEDIAN_REPLY_HOURS] == 6.0
    assert bob[S.MY_REPLY_RATE] == 0.0
    assert math.isnan(bob[S.MY_MEDIAN_REPLY_HOURS])


def test_window_parameter_changes_rate():
    r = reciprocity(_replies_net(), as_of=AS_OF, window_days=20)
    print(r.loc["ann", [S.MY_REPLY_RATE, S.MY_MEDIAN_REPLY_HOURS]])
    assert r.loc["ann", S.MY_REPLY_RATE] == pytest.approx(2 / 3)
    assert r.loc["ann", S.MY_MEDIAN_REPLY_HOURS] == pytest.approx((4 + 14 * 24) / 2)


def test_owes_reply():
    r = reciprocity(_replies_net(), as_of=AS_OF)
    print(r[S.OWES_REPLY])
    assert not r.loc["ann", S.OWES_REPLY]  # her last message (a6) was answered, if late
    assert r.loc["bob", S.OWES_REPLY]  # b3, 4.1 days old, unanswered
    later = reciprocity(_replies_net(), as_of="2024-04-15")
    print(later[S.OWES_REPLY])
    assert not later.loc["bob", S.OWES_REPLY]  # older than owes_days=30
    assert later.loc["bob", S.MY_REPLY_RATE] == 0.0  # b3's window has closed: 0 of 2


def test_initiation_share_threads_and_episodes():
    net = _net(
        [
            ("2024-01-01 09:00", "carl", "out", "c1", None, "T1", 2, "email"),  # I start T1
            ("2024-01-01 10:00", "carl", "in", "c2", "c1", "T1", 2, "email"),
            ("2024-01-03 09:00", "carl", "in", "c3", None, "T2", 2, "email"),  # carl starts T2
            ("2024-01-03 10:00", "carl", "out", "c4", "c3", "T2", 2, "email"),
            ("2024-01-04 09:00", "carl", "out", "c5", None, "T3", 2, "email"),  # I start T3
            ("2024-01-05 09:00", "carl", "out", "m1", None, None, 2, "meeting"),  # episode 1: me
            ("2024-01-20 09:00", "carl", "in", "m2", None, None, 2, "meeting"),  # 15 days: same episode
            ("2024-03-01 09:00", "carl", "in", "m3", None, None, 2, "meeting"),  # 41 days: carl's episode
            ("2024-02-01 09:00", "dan", "in", "d1", None, "T4", 3, "email"),  # dan starts T4 ...
            ("2024-02-01 10:00", "dan", "out", "d2", "d1", "T4", 3, "email"),  # ... I reply to all,
            ("2024-02-01 10:00", "carl", "out", "d2", "d1", "T4", 3, "email"),  # carl included
        ]
    )
    r = reciprocity(net, as_of=AS_OF)
    print(r[S.INITIATION_SHARE])
    # carl: threads 2 mine (T1, T3), 1 his (T2), T4 neither; episodes 1 mine, 1 his -> 3/5
    assert r.loc["carl", S.INITIATION_SHARE] == pytest.approx(0.6)
    assert r.loc["dan", S.INITIATION_SHARE] == 0.0
    # meetings are not answerable: carl's reply rates count emails only (c1 answered; c4, c5, d2 not)
    assert r.loc["carl", S.THEIR_REPLY_RATE] == 0.25


def test_initiation_prefers_direct_threads_over_group_threads():
    net = _net(
        [
            # I start three group threads that include eve ...
            ("2024-01-01 09:00", "eve", "out", "g1", None, "G1", 4, "email"),
            ("2024-01-02 09:00", "eve", "out", "g2", None, "G2", 4, "email"),
            ("2024-01-03 09:00", "eve", "out", "g3", None, "G3", 4, "email"),
            # ... but eve starts both of our one-to-one threads
            ("2024-01-05 09:00", "eve", "in", "e1", None, "E1", 2, "email"),
            ("2024-01-06 09:00", "eve", "in", "e2", None, "E2", 2, "email"),
            # gus and I only share group threads: those are all there is to judge by
            ("2024-01-07 09:00", "gus", "out", "g4", None, "G4", 3, "email"),
            ("2024-01-08 09:00", "gus", "in", "g5", None, "G5", 3, "email"),
            ("2024-01-09 09:00", "gus", "in", "g6", None, "G6", 3, "email"),
        ]
    )
    r = reciprocity(net, as_of=AS_OF)
    print(r[S.INITIATION_SHARE])
    assert r.loc["eve", S.INITIATION_SHARE] == 0.0
    assert r.loc["gus", S.INITIATION_SHARE] == pytest.approx(1 / 3)


def test_balance_imbalance_one_sided_and_broadcasts():
    rows = [
        (f"2024-01-{d:02d} 09:00", "fay", "out", f"f{d}", None, f"tf{d}", 2, "email") for d in range(1, 9)
    ]
    rows.append(("2024-01-20 09:00", "fay", "in", "fr", None, "tfr", 2, "email"))
    rows += [
        (f"2024-01-{d:02d} 10:00", "gus", "out", f"g{d}", None, f"tg{d}", 2, "email") for d in range(1, 4)
    ]
    rows.append(("2024-01-25 09:00", "gus", "out", "news", None, "tn", 15, "email"))  # a mailing to 14
    r = reciprocity(_net(rows), as_of=AS_OF)
    print(r[[S.SENT, S.RECEIVED, S.BALANCE, S.LOG_IMBALANCE, S.ONE_SIDED, S.BROADCAST_SENT]])
    fay, gus = r.loc["fay"], r.loc["gus"]
    assert fay[S.BALANCE] == pytest.approx(2 / 9)
    assert fay[S.LOG_IMBALANCE] == pytest.approx(math.log(9 / 2))
    assert fay[S.ONE_SIDED]  # 4.5x and 9 messages
    assert (gus[S.SENT], gus[S.BROADCAST_SENT]) == (3, 1)
    assert gus[S.LOG_IMBALANCE] == pytest.approx(math.log(4))
    assert not gus[S.ONE_SIDED]  # 4x, but only 3 messages


def test_six_sent_none_received_reads_one_sided_with_its_counts():
    rows = [
        (f"2024-01-{d:02d} 09:00", "hal", "out", f"h{d}", None, f"th{d}", 2, "email") for d in range(1, 7)
    ]
    rows += [
        (f"2024-01-{d:02d} 10:00", "ivy", "out", f"i{d}", None, f"ti{d}", 2, "email") for d in range(1, 4)
    ]
    rows += [("2024-01-05 11:00", "jo", "in", "j1", None, "tj1", 2, "email")]
    r = reciprocity(_net(rows), as_of=AS_OF)
    print(r[[S.SENT, S.RECEIVED, S.BALANCE, S.ONE_SIDED, S.ONE_SIDED_EVIDENCE]].to_string())
    hal, ivy, jo = r.loc["hal"], r.loc["ivy"], r.loc["jo"]
    # Beta(1, 1) prior: (0 + 1) / (6 + 1), not 0.50; raw counts beside it
    assert (hal[S.SENT], hal[S.RECEIVED]) == (6, 0)
    assert hal[S.BALANCE] == pytest.approx(1 / 7)
    assert hal[S.ONE_SIDED]
    assert hal[S.ONE_SIDED_EVIDENCE] == "you wrote 6, they wrote 0: balance 0.14 ≤ 0.25 on 6 messages"
    # 3 / 0 is 4x after the prior but only 3 messages: not called, and the evidence says why
    assert ivy[S.BALANCE] == 0.25 and not ivy[S.ONE_SIDED]
    assert ivy[S.ONE_SIDED_EVIDENCE] == (
        "you wrote 3, they wrote 0: lopsided, but 3 messages are too few to call (≥ 5 needed)"
    )
    # a single message: balance 0.5 by the prior, not lopsided, no evidence to show
    assert jo[S.BALANCE] == 0.5 and not jo[S.ONE_SIDED] and jo[S.ONE_SIDED_EVIDENCE] is None


def test_balance_prior_and_one_sided_thresholds_are_parameters():
    rows = [
        (f"2024-01-{d:02d} 09:00", "hal", "out", f"h{d}", None, f"th{d}", 2, "email") for d in range(1, 4)
    ]
    net = _net(rows)
    raw = reciprocity(net, as_of=AS_OF, balance_prior=0, one_sided_min_messages=3)
    print(raw.loc["hal", [S.BALANCE, S.ONE_SIDED]])
    assert raw.loc["hal", S.BALANCE] == 0.0 and raw.loc["hal", S.ONE_SIDED]
    jeffreys = reciprocity(net, as_of=AS_OF, balance_prior=0.5)
    assert jeffreys.loc["hal", S.BALANCE] == pytest.approx(0.5 / 3.5)
    strict = reciprocity(net, as_of=AS_OF, one_sided_ratio=5, one_sided_min_messages=3)
    assert not strict.loc["hal", S.ONE_SIDED]  # balance 1/4 > 1/5


def test_balance_formula_is_shared():
    from netanalytics.metrics import _common
    from netanalytics.metrics.strength import tie_strength

    rows = [
        (f"2024-01-{d:02d} 09:00", "hal", "out", f"h{d}", None, f"th{d}", 2, "email") for d in range(1, 7)
    ]
    net = _net(rows)
    assert (
        tie_strength(net).loc["hal", S.BALANCE]
        == reciprocity(net).loc["hal", S.BALANCE]
        == _common.balance(6, 0)
    )
    assert _common.one_sided(6, 0) and not _common.one_sided(3, 0)
    assert _common.one_sided(8, 1) and not _common.one_sided(7, 2)
    assert _common.one_sided(0, 7)


def test_linkedin_extras():
    end = pd.DataFrame(
        {
            S.DIRECTION: [S.GIVEN, S.RECEIVED, S.RECEIVED, S.RECEIVED],
            S.TIMESTAMP: pd.to_datetime(["2023-01-01", "2023-02-01", None, "2030-01-01"], utc=True),
            S.SKILL: ["Python", "SQL", "R", "Go"],
            S.PERSON_ID: ["ann", "ann", "ann", "ann"],
        }
    )
    rec = pd.DataFrame(
        {S.DIRECTION: [S.RECEIVED], S.TIMESTAMP: pd.to_datetime([None], utc=True), S.PERSON_ID: ["bob"]}
    )
    inv = pd.DataFrame(
        {
            S.DIRECTION: [S.OUT, S.IN, S.OUT],
            S.TIMESTAMP: pd.to_datetime(["2022-01-01", "2023-01-01", "2022-06-01"], utc=True),
            S.PERSON_ID: ["ann", "ann", None],
        }
    )
    net = _replies_net().with_frames(endorsements=end, recommendations=rec, invitations=inv)
    r = reciprocity(net, as_of=AS_OF)
    print(r[[S.ENDORSEMENTS_GIVEN, S.ENDORSEMENTS_RECEIVED, S.RECOMMENDATIONS_RECEIVED, S.INVITATION]])
    # the 2030 endorsement is after as_of; the undated one counts
    assert r.loc["ann", [S.ENDORSEMENTS_GIVEN, S.ENDORSEMENTS_RECEIVED]].tolist() == [1, 2]
    assert r.loc["bob", S.RECOMMENDATIONS_RECEIVED] == 1
    assert r.loc["ann", S.INVITATION] == S.IN  # the latest one
    assert r.loc["bob", S.INVITATION] is None
    # give/take: sent 4+1 + endorsement 1 = 6 given; received 3+2 + 2 endorsements + 1 rec = 8
    print("give/take", give_take_ratio(net, as_of=AS_OF))
    assert give_take_ratio(net, as_of=AS_OF) == pytest.approx(6 / 8)


def test_overall_reciprocity_published_toy():
    D = nx.DiGraph([(1, 2), (2, 1), (1, 3), (3, 4)])
    print(overall_reciprocity(D), overall_reciprocity(D, 1))
    assert overall_reciprocity(D) == 0.5
    assert overall_reciprocity(D, 1) == pytest.approx(2 / 3)


def test_overall_reciprocity_of_network_ignores_alter_alter_edges():
    net = _net(
        [
            ("2024-01-01", "ann", "out", "x1", None, "t1", 3, "email"),  # ann and bob co-recipients
            ("2024-01-01", "bob", "out", "x1", None, "t1", 3, "email"),
            ("2024-01-02", "ann", "in", "x2", None, "t2", 2, "email"),
            ("2024-01-03", "cy", "in", "x3", None, "t3", 2, "email"),
        ]
    )
    value = overall_reciprocity(net)
    print("overall", value)
    # me->ann, ann->me, me->bob, cy->me: 2 of 4 edges reciprocated
    assert value == 0.5
    assert overall_reciprocity(net, net.me) == 0.5


def test_empty_network_is_not_defined():
    empty = build_network(S.empty_frame(S.INTERACTIONS))
    with pytest.raises(NotDefinedError, match="without interactions"):
        reciprocity(empty)
    with pytest.raises(NotDefinedError):
        overall_reciprocity(nx.DiGraph())


def test_default_as_of_is_latest_interaction():
    a = reciprocity(_replies_net())
    b = reciprocity(_replies_net(), as_of="2024-02-25 09:00")
    print(a[S.OWES_REPLY].tolist())
    pd.testing.assert_frame_equal(a, b)
