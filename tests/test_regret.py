"""The regret side of reward distances (identifiability.regret).

Each claim test cites ``proofs/<id>.md``.  The oracles are independent of the code under
test:

* returns of every deterministic stationary policy by
  :func:`identifiability.reference.deterministic_policy_returns` (one
  ``policy_evaluation`` per policy, never ``optimal_values``);
* STARC's strong regret over *all* policies by the planar-hull enumeration of
  :func:`identifiability.reference.brute_force_strong_regret`, itself checked on a
  hand-computed bandit and against sampled stochastic policies;
* the laws ``D_pi(t, .)`` of EPIC's ``K`` by explicit dense matrix powers here;
* equivalent rewards built with :mod:`identifiability.transforms`.
"""

import json
import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import identifiability as idf
from identifiability.behaviour import optimal_actions, optimal_values
from identifiability.claims.regret import (  # shared with the theorem registry
    _exact_mdps,
    _explicit_K,
    _explicit_K_occ,
)
from identifiability.distances import epic_canonical, epic_distance, starc_distance
from identifiability.errors import InvalidMDPError, InvalidParameterError, InvalidPolicyError
from identifiability.reference import (
    brute_force_strong_regret,
    deterministic_policy_returns,
    same_policy_order,
)
from identifiability.regret import (
    check_starc_soundness,
    distance_regret_table,
    epic_regret_bound,
    expected_regret,
    interpolated_pairs,
    normalised_regret,
    policy_return,
    policy_returns,
    regret,
    return_range,
    starc_soundness_constant,
    worst_case_regret,
)
from identifiability.testing import strategies as ist

seeds = st.integers(0, 2 ** 32 - 1)


def _float_mdps(max_states=4, max_actions=3, gammas=(0.0, 0.5, 0.9), initial="uniform",
                min_actions=1):
    return ist.mdps(min_states=1, max_states=max_states, min_actions=min_actions,
                    max_actions=max_actions,
                    exact=False, horizon=st.none(), gamma=st.sampled_from(gammas),
                    initial=initial)


@st.composite
def tie_rewards(draw, mdp):
    """Small-integer rewards, so that proxies often have several optimal actions."""
    k = draw(st.sampled_from((1, 2, 3)))
    shape = (mdp.n_states, mdp.n_actions, mdp.n_states)[:k]
    vals = draw(st.lists(st.integers(-1, 1), min_size=int(np.prod(shape)),
                         max_size=int(np.prod(shape))))
    return np.array(vals, dtype=np.int64).reshape(shape)


def _switch():
    """Case A of the note: the two-state switch MDP (stay / switch), gamma = 9/10."""
    return idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")


# ---------------------------------------------------------------------- regret-range-exact
@settings(max_examples=25)
@given(data=st.data())
def test_return_range_equals_enumeration(data):
    """proofs/regret-range-exact.md: ``return_range`` is the min and max of ``J`` over all
    deterministic policies (exactly), and ``policy_return(s)`` agree with enumeration."""
    mdp = data.draw(_exact_mdps())
    R = data.draw(ist.rewards(mdp, exact=True))
    acts, J = deterministic_policy_returns(mdp, [R])
    lo, hi = return_range(mdp, R)
    assert isinstance(lo, Fraction) and isinstance(hi, Fraction)
    assert (lo, hi) == (min(J[0]), max(J[0]))
    batch = policy_returns(mdp, R, acts)
    assert batch.tolist() == J[0].tolist()
    # the batched float path agrees with the exact enumeration
    fl = policy_returns(mdp.to_float(), idf.as_reward(R, mdp).astype(float), acts)
    np.testing.assert_allclose(fl, J[0].astype(float), rtol=1e-9, atol=1e-9)
    n = data.draw(st.integers(0, len(acts) - 1))
    pi = np.eye(mdp.n_actions, dtype=np.int64)[acts[n]]
    assert policy_return(mdp, R, pi) == J[0][n]
    assert regret(mdp, R, pi) == hi - J[0][n]
    nr = normalised_regret(mdp, R, pi)
    assert nr == (0 if hi == lo else (hi - J[0][n]) / (hi - lo))


def test_return_range_finite_horizon_and_trivial_reward():
    """proofs/regret-range-exact.md: finite horizon (time-varying optimal policies) and the
    zero-range convention of the normalised regret."""
    mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], gamma=1, horizon=3)
    assert return_range(mdp, [0, 1]) == (Fraction(0), Fraction(2))   # move at t=0: 0+1+1
    stay = [[1, 0], [1, 0]]
    assert regret(mdp, [0, 1], stay) == 2 and normalised_regret(mdp, [0, 1], stay) == 1
    assert normalised_regret(mdp, [1, 1], stay) == 0                # trivial reward
    assert worst_case_regret(mdp, [0, 1], [1, 0]).regret == 2
    fl = mdp.to_float()
    assert normalised_regret(fl, [0.0, 0.0], stay) == 0.0


# ---------------------------------------------------------------------- worst-case regret
@settings(max_examples=30)
@given(data=st.data())
def test_worst_case_regret_equals_enumeration(data):
    """proofs/worst-case-regret-restricted.md: the restricted minimisation equals the
    largest regret over deterministic policies that maximise ``J_proxy`` from ``mu0``
    (exact input, so optimality is decided exactly)."""
    mdp = data.draw(_exact_mdps(max_states=3, max_actions=3).filter(
        lambda m: m.n_actions ** m.n_states <= 27))
    R = data.draw(ist.rewards(mdp, exact=True))
    proxy = data.draw(tie_rewards(mdp))
    _, J = deterministic_policy_returns(mdp, [R, proxy])
    opt = J[1] == max(J[1])
    brute = max(J[0]) - min(J[0][opt])
    res = worst_case_regret(mdp, R, proxy)
    assert res.exact and res.regret == brute
    assert res.best == max(J[0]) and res.worst == min(J[0])
    # the returned policy is deterministic, proxy-optimal and attains the worst case
    assert policy_return(mdp, proxy, res.policy) == max(J[1])
    assert policy_return(mdp, R, res.policy) == res.value == res.best - res.regret
    # the uniform-optimal policy is proxy-optimal, so its regret is at most the worst case
    avg = expected_regret(mdp, R, proxy)
    assert 0 <= avg.regret <= res.regret and avg.exact
    json.dumps(res.to_dict()), json.dumps(avg.to_dict())


@settings(max_examples=25)
@given(mdp=_float_mdps(max_states=4), data=st.data())
def test_worst_case_regret_float_matches_exact_oracle(mdp, data):
    """proofs/worst-case-regret-restricted.md: float path against enumeration (generic
    rewards: a unique optimal action per state, so the float mask is unambiguous)."""
    R = data.draw(ist.rewards(mdp))
    proxy = data.draw(ist.rewards(mdp))
    _, J = deterministic_policy_returns(mdp, [R, proxy])
    with warnings.catch_warnings():
        warnings.simplefilter("error", idf.ToleranceWarning)
        try:
            res = worst_case_regret(mdp, R, proxy)
        except idf.ToleranceWarning:
            return  # a near tie: the float path says so instead of guessing
    top = J[1] >= max(J[1]) - 1e-7 * max(1.0, abs(max(J[1])))
    lo_brute = max(J[0]) - min(J[0][top])
    hi_brute = max(J[0]) - max(J[0][top])
    assert hi_brute - 1e-7 <= res.regret <= lo_brute + 1e-7
    assert 0.0 <= res.normalised <= 1.0


@settings(max_examples=25)
@given(mdp=_exact_mdps(max_states=3, max_actions=3), seed=seeds, data=st.data())
def test_equivalent_proxy_has_zero_regret(mdp, seed, data):
    """proofs/worst-case-regret-restricted.md: a proxy equal to the true reward up to
    positive scaling, potential shaping and S'-redistribution has zero worst-case and
    zero uniform-optimal regret, exactly."""
    rng = np.random.default_rng(seed)
    R = data.draw(ist.rewards(mdp, exact=True))
    proxy = idf.PositiveScaling(Fraction(int(rng.integers(1, 9)), int(rng.integers(1, 9)))).apply(
        idf.PotentialShaping.sample(mdp, rng).apply(
            idf.SPrimeRedistribution.sample(mdp, rng).apply(R, mdp), mdp), mdp)
    assert worst_case_regret(mdp, R, proxy).regret == 0
    assert expected_regret(mdp, R, proxy).regret == 0
    # a different proxy-derived policy is not regret-free in general, but never negative
    assert expected_regret(mdp, R, proxy, policy="boltzmann").regret >= 0


def test_worst_case_regret_hand_example():
    """proofs/worst-case-regret-restricted.md: the all-zero proxy makes every policy optimal,
    so the worst case is the full range; a proxy that only rewards staying has regret 1."""
    mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], gamma="1/2")
    res = worst_case_regret(mdp, [0, 1], [0, 0])
    assert (res.regret, res.normalised) == (1, 1)
    res = worst_case_regret(mdp, [0, 1], [[1, 0], [0, 0]])
    assert res.regret == 1 and res.policy[0].tolist() == [1, 0]
    assert worst_case_regret(mdp, [0, 1], [0, 1]).regret == 0
    assert expected_regret(mdp, [0, 1], [0, 0]).regret == Fraction(1, 3)
    mce = expected_regret(mdp, [0, 1], [0, 1], policy="mce", temperature=0.01)
    assert not mce.exact and mce.regret < 1e-6              # cold soft policy: optimal
    with pytest.raises(InvalidParameterError, match="policy must be one of"):
        expected_regret(mdp, [0, 1], [0, 1], policy="greedy")
    with pytest.raises(InvalidParameterError, match="temperature"):
        expected_regret(mdp, [0, 1], [0, 1], policy="mce", temperature=0)


def test_optimal_values_allowed_mask():
    """proofs/worst-case-regret-restricted.md: the ``allowed=`` keyword of
    ``optimal_values`` / ``optimal_actions`` (all-true equals the default; the restricted
    value is the best value of policies inside the mask, by enumeration)."""
    mdp = idf.examples.random_mdp(3, 3, support=2, seed=4)
    R = np.array([[1, 0, Fraction(1, 2)], [0, 2, 1], [-1, 0, 3]], dtype=object)
    full = np.ones((3, 3), dtype=bool)
    V0, Q0 = optimal_values(mdp, R)
    V1, Q1 = optimal_values(mdp, R, allowed=full)
    assert V0.tolist() == V1.tolist() and Q0.tolist() == Q1.tolist()
    mask = np.array([[True, False, True], [False, True, False], [True, True, False]])
    V, _ = optimal_values(mdp, R, allowed=mask)
    acts, _ = deterministic_policy_returns(mdp, [R])
    inside = [a for a in acts if mask[np.arange(3), a].all()]
    best = None
    for a in inside:
        v = idf.policy_evaluation(mdp, R, np.eye(3, dtype=np.int64)[a])
        best = v if best is None else np.where(np.asarray(v > best, dtype=bool), v, best)
    assert V.tolist() == best.tolist()
    assert not (optimal_actions(mdp, R, allowed=mask) & ~mask).any()
    Vf, _ = optimal_values(mdp.to_float(), R.astype(float), allowed=mask)
    np.testing.assert_allclose(Vf, best.astype(float), rtol=1e-12)
    fin, _ = optimal_values(mdp.replace(horizon=2), R, allowed=mask)
    assert fin.shape == (3, 3)
    with pytest.raises(InvalidParameterError, match="state s=1 has no allowed action"):
        optimal_values(mdp, R, allowed=np.array([[True] * 3, [False] * 3, [True] * 3]))
    with pytest.raises(InvalidParameterError, match="shape"):
        optimal_values(mdp, R, allowed=np.ones((2, 3), dtype=bool))


# ---------------------------------------------------------------------- STARC soundness
def test_strong_regret_oracle_hand_cases():
    """proofs/starc-soundness-bound.md: the strong regret of the oracle is the supremum over
    stochastic policies: a bandit where no deterministic pair has regret but a mixture does
    (hand-computed value 2), and sampled stochastic pairs never exceed it."""
    bandit = idf.MDP([[[1], [1], [1]]], gamma="1/2")
    assert brute_force_strong_regret(bandit, [[0, 2, 0]], [[0, 2, 1]], stochastic=False) == 0
    assert brute_force_strong_regret(bandit, [[0, 2, 0]], [[0, 2, 1]]) == 2
    assert brute_force_strong_regret(bandit, [[0, 1, 2]], [[0, 1, 2]]) == 0
    assert brute_force_strong_regret(bandit, [[0, 1, 2]], [[2, 1, 0]]) == 4
    rng = np.random.default_rng(0)
    mdp = idf.examples.random_mdp(3, 2, support=2, seed=7, exact=False, n_starts=3)
    R1, R2 = rng.standard_normal((3, 2, 3)), rng.standard_normal((3, 2))
    sup = brute_force_strong_regret(mdp, R1, R2)
    det = brute_force_strong_regret(mdp, R1, R2, stochastic=False)
    assert det <= sup + 1e-12
    pis = rng.dirichlet(np.ones(2) * 0.3, size=(400, 3))
    J1, J2 = policy_returns(mdp, R1, pis), policy_returns(mdp, R2, pis)
    ok = J2[None, :] >= J2[:, None]
    sampled = (J1[:, None] - J1[None, :])[ok].max()
    assert sampled <= sup + 1e-9
    assert sampled >= 0.5 * sup   # the sampling gets close: the oracle is not vacuous


def test_soundness_constant_and_scale():
    """proofs/starc-soundness-bound.md: U = 2|S| sqrt|A| / ((1 - gamma) min mu0), the
    toolkit-scale factor 2, and inf (vacuous) with an unreachable start mass of 0."""
    mdp = _switch()
    assert starc_soundness_constant(mdp) == pytest.approx(2 * 2 * math.sqrt(2) / (0.1 * 0.5))
    assert starc_soundness_constant(mdp.replace(initial=[1, 0])) == math.inf
    with pytest.raises(InvalidMDPError, match="discounted infinite-horizon"):
        starc_soundness_constant(mdp.replace(horizon=3))
    R1, R2 = [[0, 1], [0, 0]], [[0, 0], [1, 0]]
    chk = check_starc_soundness(mdp, R1, R2)
    lo, hi = return_range(mdp, R1)
    d = starc_distance(R1, R2, mdp)
    assert chk.bound == pytest.approx(2 * starc_soundness_constant(mdp) * float(hi - lo) * d)
    assert chk.holds and chk.lower_bound <= chk.strong_regret <= chk.bound
    assert chk.ratio == pytest.approx(float(chk.strong_regret) / (float(hi - lo) * d))
    json.dumps(chk.to_dict())
    # R against -R: the strong regret is the full range and d = 1
    neg = check_starc_soundness(mdp, R1, [[0, -1], [0, 0]])
    assert neg.distance == pytest.approx(1.0) and neg.strong_regret == hi - lo
    assert neg.ratio == pytest.approx(1.0)
    # too many policies: only the polynomial lower bound, undecided unless violated
    big = check_starc_soundness(mdp, R1, R2, max_policies=1)
    assert big.strong_regret is None and big.holds is None and big.lower_bound >= 0


MAX_RATIO = {"starc": 0.0}


@settings(max_examples=60)
@given(mdp=_float_mdps(initial=st.sampled_from(["uniform", "random"]), min_actions=2),
       data=st.data())
@example(mdp=idf.MDP([[[1], [1], [1]]], gamma=0.5), data=None)
def test_starc_soundness_bound_holds(mdp, data):
    """proofs/starc-soundness-bound.md: on random instances (S <= 4, A <= 3) the strong
    regret over all policies is at most ``2 U range(J1) d`` (toolkit scale)."""
    if data is None:  # the pinned bandit whose strong regret needs a stochastic policy
        R1, R2 = np.array([[0.0, 2.0, 0.0]]), np.array([[0.0, 2.0, 1.0]])
    else:
        R1, R2 = data.draw(ist.rewards(mdp)), data.draw(ist.rewards(mdp))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chk = check_starc_soundness(mdp, R1, R2)
    assert chk.strong_regret is not None
    assert chk.lower_bound <= chk.strong_regret + 1e-9
    if math.isinf(chk.constant):
        assert chk.holds
        return
    assert chk.holds, chk
    if chk.ratio is not None:
        MAX_RATIO["starc"] = max(MAX_RATIO["starc"], chk.ratio)
        assert chk.ratio <= 2 * chk.constant * (1 + 1e-9)


# ---------------------------------------------------------------------- claim 21
@settings(max_examples=20)
@given(mdp=_exact_mdps(max_states=3, max_actions=2), seed=seeds, equivalent=st.booleans(),
       data=st.data())
def test_starc_zero_iff_same_order(mdp, seed, equivalent, data):
    """proofs/starc-zero-iff-same-order.md: ``starc_distance == 0`` iff ``J2 = c J1 + b``
    (c > 0) over all deterministic policies, i.e. the same order of all policies; the
    default masks unreachable states so the claim holds for any ``mu0``."""
    rng = np.random.default_rng(seed)
    R1 = data.draw(ist.rewards(mdp, exact=True))
    if equivalent:
        R2 = idf.PositiveScaling(Fraction(int(rng.integers(1, 5)), 3)).apply(
            idf.PotentialShaping.sample(mdp, rng).apply(
                idf.SPrimeRedistribution.sample(mdp, rng).apply(R1, mdp), mdp), mdp)
    else:
        R2 = data.draw(ist.rewards(mdp, exact=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", idf.errors.UnreachableStatesWarning)
        d = starc_distance(R1, R2, mdp)
    same = same_policy_order(mdp, R1, R2)
    assert (d == 0.0) == same
    if equivalent:
        assert d == 0.0


def test_case_d_unreachable_negative_control():
    """proofs/starc-zero-iff-same-order.md: note §6 Case D.  States 2, 3 are unreachable
    from mu0 = delta_0; changing the reward there leaves J of all 16 deterministic policies
    unchanged, yet STARC-VAL without masking is 0.70 (1.405 / 2); masked it is 0."""
    P = np.zeros((4, 2, 4), dtype=object)
    P[...] = Fraction(0)
    P[0, 0, 0] = P[0, 1, 1] = P[1, 0, 0] = P[1, 1, 1] = Fraction(1)
    P[2, 0, 3] = P[2, 1, 2] = P[3, 0, 2] = P[3, 1, 3] = Fraction(1)
    mdp = idf.MDP(P, initial=[1, 0, 0, 0], gamma="9/10")
    R1 = np.array([[0, 1], [1, 0], [0, 0], [0, 0]], dtype=object)
    R2 = R1.copy()
    R2[2] = [5, -3]
    R2[3] = [-2, 7]
    _, J = deterministic_policy_returns(mdp, [R1, R2])
    assert J.shape == (2, 16) and J[0].tolist() == J[1].tolist()
    assert same_policy_order(mdp, R1, R2)
    raw = starc_distance(R1, R2, mdp, unreachable="ignore")
    assert raw > 0.3          # the unmasked distance is misleading
    with pytest.warns(idf.errors.UnreachableStatesWarning):
        assert starc_distance(R1, R2, mdp) == 0.0
    assert worst_case_regret(mdp, R1, R2).regret == 0


# ---------------------------------------------------------------------- EPIC regret bound
def test_epic_bound_case_a():
    """proofs/epic-regret-bound.md: Case A (switch MDP, started in state 0): a deterministic
    policy puts probability 1 on one transition at t = 0, so K = 1 / (1/8) = 8 under the
    uniform product coverage (4 with the uniform start); R against -R has D_EPIC = 1 and
    the full regret."""
    mdp = _switch().replace(initial=[1, 0])
    R = np.zeros((2, 2, 2), dtype=object)
    R[...] = Fraction(0)
    R[0, 1, 1] = Fraction(1)
    res = epic_regret_bound(mdp, R, -R)
    assert res.K == 8.0 and res.distance == pytest.approx(1.0)
    assert epic_regret_bound(_switch(), R, -R).K == 4.0
    lo, hi = return_range(mdp, R)
    assert res.regret == hi - lo and res.holds
    assert res.bound_sigma <= res.bound_norm
    json.dumps(res.to_dict())
    same = epic_regret_bound(mdp, R, idf.PotentialShaping([3, -1]).apply(R, mdp))
    assert same.regret == 0 and same.distance == 0.0 and same.bound_sigma == 0.0
    with pytest.raises(InvalidMDPError):
        epic_regret_bound(mdp.replace(horizon=4), R, R)
    with pytest.raises(InvalidParameterError, match="coverage must be a distribution of shape"):
        epic_regret_bound(mdp, R, R, coverage=np.ones((2, 2)))


@settings(max_examples=40)
@given(mdp=_float_mdps(max_states=4, gammas=(0.0, 0.5, 0.9, 0.99), initial="random",
                       min_actions=2), seed=seeds,
       data=st.data())
def test_epic_regret_bound_holds(mdp, seed, data):
    """proofs/epic-regret-bound.md: on random instances both forms hold for the product
    coverage and the 4 K sigma form for an arbitrary full-support coverage; K equals
    ``max(K_T, K_occ)`` recomputed by dense matrix powers."""
    rng = np.random.default_rng(seed)
    RA, RB = data.draw(ist.rewards(mdp)), data.draw(ist.rewards(mdp))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = epic_regret_bound(mdp, RA, RB)
    assert res.holds, res
    assert res.regret <= res.bound_sigma + 1e-9 and res.bound_sigma <= res.bound_norm + 1e-9
    S, A = mdp.n_states, mdp.n_actions
    D = np.full((S, A, S), 1.0 / (S * A * S))
    K = max(_explicit_K(mdp, res.policy_a, D, res.horizon),
            _explicit_K(mdp, res.policy_b, D, res.horizon),
            _explicit_K_occ(mdp, res.policy_a, D), _explicit_K_occ(mdp, res.policy_b, D))
    assert res.K == pytest.approx(K, rel=1e-9)
    assert res.regret == pytest.approx(worst_case_regret(mdp, RA, RB).regret, abs=1e-12)
    # sigma and the Pearson identity, recomputed
    C = epic_canonical(RA, mdp).astype(float)
    assert res.sigma == pytest.approx(np.sqrt(((C - C.mean()) ** 2).mean()), rel=1e-9, abs=1e-12)
    cov = rng.dirichlet(np.ones(S * A * S)).reshape(S, A, S)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other = epic_regret_bound(mdp, RA, RB, coverage=cov)
    assert other.holds, other
    assert (other.bound_norm is None) == (not np.allclose(cov, 1.0 / (S * A * S)))
    assert other.distance == pytest.approx(epic_distance(RA, RB, mdp, coverage=cov), abs=1e-12)


# ---------------------------------------------------------------------- tables
def test_distance_regret_table_and_interpolation():
    """The table has one row per pair, the distances of the distances module, normalised
    regrets in [0, 1]; t = 0 pairs are identical rewards (distance and regret 0)."""
    mdp = idf.examples.random_mdp(4, 2, seed=1, exact=False, n_starts=4)
    pairs = interpolated_pairs(mdp, np.random.default_rng(3), n_pairs=2, n_steps=3)
    assert len(pairs) == 6
    assert np.array_equal(pairs[0][0], pairs[0][1])
    np.testing.assert_allclose(pairs[1][1], 0.5 * (pairs[0][0] + pairs[2][1]))
    calls = []
    rows = distance_regret_table(mdp, pairs, progress=lambda k, n: calls.append((k, n)),
                                 distance_options={"starc": {"canonicalization": "minimal"}})
    assert calls == [(k, 6) for k in range(1, 7)]
    assert [r["pair"] for r in rows] == list(range(6))
    for (R1, R2), row in zip(pairs, rows):
        assert row["starc"] == pytest.approx(starc_distance(R1, R2, mdp, "minimal"))
        assert row["epic"] == pytest.approx(epic_distance(R1, R2, mdp))
        assert 0 <= row["worst_case_regret"] <= 1 and 0 <= row["expected_regret"] <= 1
        assert row["expected_regret"] <= row["worst_case_regret"] + 1e-12
    assert rows[0]["starc"] == rows[0]["worst_case_regret"] == 0.0
    json.dumps(rows)
    custom = distance_regret_table(mdp, pairs[:1], distances=[("zero", lambda a, b, m: 0)],
                                   expected=None)
    assert custom == [{"pair": 0, "zero": 0.0, "worst_case_regret": 0.0,
                       "return_range": pytest.approx(rows[0]["return_range"])}]
    with pytest.raises(InvalidParameterError, match="unknown distance"):
        distance_regret_table(mdp, pairs, distances=("npec",))
    with pytest.raises(InvalidParameterError, match="n_steps"):
        interpolated_pairs(mdp, 0, n_pairs=1, n_steps=0)
    assert interpolated_pairs(mdp, 0, 1, 1, arity=1)[0][0].shape == (4,)


def test_policy_returns_validation():
    """Bad deterministic policies name the policy and state."""
    mdp = _switch()
    with pytest.raises(InvalidPolicyError, match=r"policies\[1\] picks action 5 in state 0"):
        policy_returns(mdp, [0, 1], np.array([[0, 0], [5, 0]]))
    out = policy_returns(mdp.to_float(), [0.0, 1.0], [[[1, 0], [1, 0]], [[0.5, 0.5], [1, 0]]])
    assert out.shape == (2,) and out.dtype == np.float64


def test_epic_bound_vacuous_when_coverage_misses_a_visited_transition():
    """proofs/epic-regret-bound.md: a coverage with D = 0 on a transition an optimal policy
    takes gives K = inf and infinite (vacuous) bounds, never a false violation."""
    mdp = _switch().replace(initial=[1, 0])
    cov = np.full((2, 2, 2), 1.0 / 7)
    cov[0, 1, 1] = 0.0          # the switch from state 0, taken at t = 0 by pi*_A
    R = np.zeros((2, 2, 2))
    R[0, 1, 1] = 1.0
    res = epic_regret_bound(mdp, R, -R, coverage=cov)
    assert math.isinf(res.K) and math.isinf(res.bound_sigma) and res.bound_norm is None
    assert res.holds and res.regret > 0
