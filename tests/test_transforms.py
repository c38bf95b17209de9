"""Reward transformations (identifiability.transforms): soundness and completeness-lite.

Each claim test cites ``proofs/<id>.md``.  Oracles: the forward models of
``identifiability.behaviour`` (soft value iteration, policy iteration for the optimal
actions) and ``reward.expected_reward``; the completeness test builds the class with
``linalg.Subspace`` from the transformations' own directions.
"""

from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import identifiability as idf
from identifiability.claims.transforms import (  # shared with the theorem registry
    _as_float as as_float,
    _soft_pi as soft_pi,
    _all_exact as all_exact,
    _random_walk as random_walk,
    _lasso_return as lasso_return,
    _invariance_image as invariance_image,
)
from identifiability.errors import InvalidMDPError, InvalidParameterError, InvalidRewardError
from identifiability.reward import broadcast_reward, expected_reward
from identifiability.testing import strategies as ist
from identifiability.transforms import (
    Composition,
    ConstantShift,
    ImpossibleTransitionMask,
    KInitialShaping,
    OptimalityPreserving,
    PositiveScaling,
    PotentialShaping,
    SPrimeRedistribution,
    TimeDependentShaping,
    Transform,
    UnreachableMask,
    ZeroInitialShaping,
    compose,
    optimality_certificate,
    reachable_transitions,
)

infinite_mdps = ist.mdps(horizon=st.none(), max_states=4)
finite_mdps = ist.mdps(horizon=ist.horizons(4), max_states=4)
seeds = st.integers(0, 2 ** 32 - 1)
temperatures = st.sampled_from([0.5, 1.0, 2.0])


@st.composite
def mdp_and_reward(draw, mdps=infinite_mdps, exact=True):
    mdp = draw(mdps)
    return mdp, draw(ist.rewards(mdp, exact=exact))


# ---------------------------------------------------------------------- soundness
@given(mdp_and_reward(), seeds, temperatures)
def test_shaping_invariance_mce(case, seed, lam):
    """proofs/shaping-invariance-mce.md: shaping keeps the soft policy and optimal sets."""
    mdp, R = case
    t = PotentialShaping.sample(mdp, seed)
    R2 = t.apply(R, mdp)
    assert R2.shape == (mdp.n_states, mdp.n_actions, mdp.n_states) and all_exact(R2)
    assert np.max(np.abs(soft_pi(mdp, R, lam) - soft_pi(mdp, R2, lam))) <= 1e-9
    assert np.array_equal(idf.optimal_actions(mdp, R), idf.optimal_actions(mdp, R2))


@given(mdp_and_reward(), st.data())
def test_shaping_invariance_mce_given_potential(case, data):
    """proofs/shaping-invariance-mce.md: any potential from the public strategy, float input."""
    mdp, R = case
    phi = data.draw(ist.potentials(mdp))
    R2 = PotentialShaping(phi).apply(R, mdp)
    assert R2.dtype == np.float64
    assert np.max(np.abs(soft_pi(mdp, R) - soft_pi(mdp, R2))) <= 1e-9


@given(mdp_and_reward(), seeds)
def test_redistribution_invariance(case, seed):
    """proofs/redistribution-invariance.md: S'R keeps r(s, a) exactly, hence every policy."""
    mdp, R = case
    t = SPrimeRedistribution.sample(mdp, seed)
    R2 = t.apply(R, mdp)
    assert all_exact(R2)
    r, r2 = expected_reward(mdp, R), expected_reward(mdp, R2)
    assert np.array_equal(r, r2)
    assert np.array_equal(idf.optimal_actions(mdp, R), idf.optimal_actions(mdp, R2))
    # the solvers see R only through r, so the policies are bitwise equal given r;
    # from the (S, A, S) table the float rounding of the expectation may differ
    assert np.array_equal(soft_pi(mdp, r), soft_pi(mdp, r2))
    assert np.max(np.abs(soft_pi(mdp, R) - soft_pi(mdp, R2))) <= 1e-12
    # it changes nothing off the support, and exactly delta on it
    assert np.array_equal(R2 - broadcast_reward(R, mdp), t.table)
    assert not np.any(np.asarray(t.table, dtype=float)[~mdp.support])


@given(mdp_and_reward(), seeds)
def test_mask_invariance(case, seed):
    """proofs/mask-invariance.md: a mask of impossible transitions keeps r(s, a) exactly."""
    mdp, R = case
    t = ImpossibleTransitionMask.sample(mdp, seed)
    R2 = t.apply(R, mdp)
    assert all_exact(R2)
    assert np.array_equal(expected_reward(mdp, R2), expected_reward(mdp, R))
    changed = R2 != broadcast_reward(R, mdp)
    assert not np.any(changed & mdp.support)


@given(mdp_and_reward(), seeds)
def test_scaling_keeps_optimal_actions(case, seed):
    """proofs/scaling-not-invariant-known-temperature.md: alpha > 0 keeps argmax sets."""
    mdp, R = case
    t = PositiveScaling.sample(mdp, seed)
    assert np.array_equal(idf.optimal_actions(mdp, R), idf.optimal_actions(mdp, t.apply(R, mdp)))


def test_scaling_not_invariant_known_temperature():
    """proofs/scaling-not-invariant-known-temperature.md: a concrete bandit."""
    mdp = idf.MDP([[[1], [1]]], gamma="1/2")
    R = [[0, 1]]
    pi = soft_pi(mdp, R)
    pi2 = soft_pi(mdp, PositiveScaling(2).apply(R, mdp))
    assert pi[0, 1] == pytest.approx(1 / (1 + np.exp(-1)), abs=1e-12)
    assert pi2[0, 1] == pytest.approx(1 / (1 + np.exp(-2)), abs=1e-12)
    assert abs(pi2[0, 1] - pi[0, 1]) > 0.1


@given(ist.mdps(horizon=st.none(), max_states=1, min_actions=2), seeds)
def test_scaling_changes_soft_policy_of_single_state_mdps(mdp, seed):
    """proofs/scaling-not-invariant-known-temperature.md: S = 1, r not constant."""
    rng = np.random.default_rng(seed)
    r = rng.integers(-3, 4, size=(1, mdp.n_actions))
    assume(r.max() > r.min())
    alpha = PositiveScaling.sample(mdp, rng).alpha
    assume(alpha != 1)
    pi, pi2 = soft_pi(mdp, r), soft_pi(mdp, PositiveScaling(alpha).apply(r, mdp))
    assert np.max(np.abs(pi - pi2)) > 1e-6


@given(mdp_and_reward(finite_mdps), seeds)
def test_constant_shift_finite_horizon(case, seed):
    """proofs/constant-shift-finite-horizon.md: R + c keeps the soft policy and optimal sets."""
    mdp, R = case
    t = ConstantShift.sample(mdp, seed)
    R2 = t.apply(R, mdp)
    assert all_exact(R2)
    assert np.max(np.abs(soft_pi(mdp, R) - soft_pi(mdp, R2))) <= 1e-9
    assert np.array_equal(idf.optimal_actions(mdp, R), idf.optimal_actions(mdp, R2))


@given(mdp_and_reward(), seeds)
def test_constant_shift_is_shaping_when_discounted(case, seed):
    """proofs/constant-shift-finite-horizon.md: with gamma < 1, R + c is shaping by -c/(1-gamma)."""
    mdp, R = case
    c = ConstantShift.sample(mdp, seed).c
    phi = [-c / (1 - mdp.gamma)] * mdp.n_states
    assert np.array_equal(ConstantShift(c).apply(R, mdp), PotentialShaping(phi).apply(R, mdp))


def test_stationary_shaping_is_not_a_finite_horizon_invariance():
    """proofs/shaping-invariance-mce.md (remark), proofs/time-dependent-shaping-finite-horizon.md:
    stationary Phi fails in finite horizon; the same Phi with Phi_H = 0 does not."""
    mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], horizon=1, gamma=1)
    R = np.zeros((2, 2))
    R2 = PotentialShaping([0, 3]).apply(R, mdp)
    assert np.max(np.abs(soft_pi(mdp, R) - soft_pi(mdp, R2))) > 0.1
    with pytest.raises(InvalidParameterError, match=r"Phi_H\(s=1\) = 3"):
        TimeDependentShaping([[0, 3], [0, 3]])
    R3 = TimeDependentShaping([[0, 3], [0, 0]]).apply(R, mdp)
    pi3 = idf.soft_policy(mdp, as_float(R3), time_varying=True)
    assert np.max(np.abs(soft_pi(mdp, R) - pi3)) <= 1e-12


@given(mdp_and_reward(ist.mdps(horizon=ist.horizons(4), max_states=4, min_actions=2)),
       st.data())
def test_stationary_shaping_changes_the_last_step(case, data):
    """proofs/time-dependent-shaping-finite-horizon.md (negative control): with a stationary
    Phi, log pi_{H-1}(.|s) moves by gamma (P Phi)(s, .) up to a constant in a."""
    mdp, R = case
    phi = data.draw(ist.potentials(mdp, exact=True))
    D = as_float(mdp.gamma * mdp.expectation(phi))
    spread = D.max(axis=1) - D.min(axis=1)
    assume(spread.max() > 0)  # a generic Phi: P Phi depends on the action somewhere
    H = mdp.horizon
    sol, sol2 = (idf.soft_value_iteration(mdp, as_float(Rx), tol=1e-13)
                 for Rx in (R, PotentialShaping(phi).apply(R, mdp)))
    diff = sol2.log_policy()[H - 1] - sol.log_policy()[H - 1]
    assert np.allclose(diff.max(axis=1) - diff.min(axis=1), spread, atol=1e-9)
    assert np.max(np.abs(sol2.policy - sol.policy)) > 0


@given(mdp_and_reward(), seeds)
def test_composition_is_sequential_and_invariant(case, seed):
    """proofs/mce-invariance-complete.md: shaping + S'R + mask keeps the soft policy."""
    mdp, R = case
    t = Composition.sample(mdp, seed)
    R2 = t.apply(R, mdp)
    seq = broadcast_reward(R, mdp)
    for part in t.transforms:
        seq = part.apply(seq, mdp)
    assert np.array_equal(R2, seq) and all_exact(R2)
    assert np.max(np.abs(soft_pi(mdp, R) - soft_pi(mdp, R2))) <= 1e-9


# ---------------------------------------------------------------------- k-initial shaping
@given(mdp_and_reward(), seeds, st.integers(0, 6))
def test_k_initial_shaping_returns(case, seed, n):
    """proofs/k-initial-shaping-returns.md: fragments from s_0 change by gamma^n Phi(s_n) - k,
    full (lasso) trajectories from initial states by exactly -k; zero-initial: by 0."""
    mdp, R = case
    rng = np.random.default_rng(seed)
    for t in (KInitialShaping.sample(mdp, rng), ZeroInitialShaping.sample(mdp, rng)):
        k, phi, g = t.k, t.phi, mdp.gamma
        assert all(phi[s] == k for s in mdp.start_states)
        R2 = t.apply(R, mdp)
        assert all_exact(R2)
        states, actions, _ = random_walk(mdp, rng, n)
        G = idf.trajectory_return(mdp, R, states, actions)
        G2 = idf.trajectory_return(mdp, R2, states, actions)
        assert isinstance(G2, Fraction) and G2 - G == g ** n * phi[states[-1]] - k
        states, actions, i = random_walk(mdp, rng)
        L, L2 = (lasso_return(mdp, Rx, states, actions, i) for Rx in (R, R2))
        assert isinstance(L2, Fraction) and L2 - L == -k
        if isinstance(t, ZeroInitialShaping):
            assert k == 0 and L2 == L


def test_k_initial_shaping_validation():
    """proofs/k-initial-shaping-returns.md: the constraints name the state and its Phi."""
    mdp = idf.MDP([[[0, 1]], [["1/2", "1/2"]]], initial=["1/3", "2/3"], gamma="1/2",
                  terminal=[1])
    with pytest.raises(InvalidParameterError, match=r"Phi\(s=1\) = 2 and initial\(s=1\) = 2/3"):
        KInitialShaping([1, 2], 1).apply([0, 0], mdp)
    with pytest.raises(InvalidParameterError, match=r"Phi\(s=1\) = 1 and s=1 is flagged terminal"):
        PotentialShaping([1, 1], fix_terminal=True).delta(mdp)
    with pytest.raises(InvalidParameterError):
        PotentialShaping([1, 1], fix_terminal="yes")
    assert KInitialShaping([1, 1], 1).delta(mdp).shape == (2, 1, 2)
    t = KInitialShaping.sample(mdp, 0, fix_terminal=True)
    assert t.k == 0 and t.phi[1] == 0 and t.fix_terminal  # state 1 is initial and terminal
    assert PotentialShaping.sample(mdp, 0, fix_terminal=True).phi[1] == 0
    with pytest.raises(InvalidParameterError):
        KInitialShaping.sample(mdp, 0, k=1, fix_terminal=True).delta(mdp)
    assert repr(ZeroInitialShaping([0, 0])) == "ZeroInitialShaping(phi=[0, 0])"
    assert repr(KInitialShaping([2, 2], 2, fix_terminal=True)) == \
        "KInitialShaping(phi=[2, 2], k=2, fix_terminal=True)"
    # float potentials are compared to 1e-9 relative
    fmdp = mdp.to_float()
    KInitialShaping([1.0, 1.0 + 1e-12], 1).delta(fmdp)
    with pytest.raises(InvalidParameterError):
        KInitialShaping([1.0, 1.001], 1).delta(fmdp)


# ---------------------------------------------------------------------- finite horizon
@given(mdp_and_reward(finite_mdps), seeds, temperatures)
def test_time_dependent_shaping_finite_horizon(case, seed, lam):
    """proofs/time-dependent-shaping-finite-horizon.md: Phi_t with constant Phi_H keeps the soft
    policy at every step; V'_t = V_t - Phi_t + gamma^(H - t) Phi_H."""
    mdp, R = case
    t = TimeDependentShaping.sample(mdp, seed)
    H, S, A = mdp.horizon, mdp.n_states, mdp.n_actions
    R2 = t.apply(R, mdp)
    assert R2.shape == (H, S, A, S) and all_exact(R2)
    sol = idf.soft_value_iteration(mdp, as_float(R), temperature=lam)
    sol2 = idf.soft_value_iteration(mdp, as_float(R2), temperature=lam, time_varying=True)
    assert np.max(np.abs(sol.policy - sol2.policy)) <= 1e-10
    g, phis = float(mdp.gamma), as_float(t.phis)
    shift = -phis + (g ** (H - np.arange(H + 1)) * phis[H, 0])[:, None]
    shift[H] = 0.0  # V_H = 0 by convention
    assert np.allclose(sol2.v, sol.v + shift, atol=1e-9)
    # composing two time-dependent shapings stays one
    t2 = TimeDependentShaping.sample(mdp, seed + 1)
    R3 = t2.apply(R2, mdp)
    assert np.array_equal(R3, TimeDependentShaping(t.phis + t2.phis).apply(R, mdp))


def test_time_dependent_shaping_validation():
    """proofs/time-dependent-shaping-finite-horizon.md: shapes, horizon and Phi_H are checked."""
    mdp = idf.MDP([[[1, 0]], [[0, 1]]], horizon=2, gamma="1/2")
    for bad in ([0, 1], [[0, 1]], [[0, 1], [1, 2]]):
        with pytest.raises(InvalidParameterError):
            TimeDependentShaping(bad)
    with pytest.raises(InvalidParameterError, match="horizon 2"):
        TimeDependentShaping([[0, 1], [1, 1]]).apply([0, 0], mdp)
    with pytest.raises(InvalidParameterError, match="infinite horizon"):
        TimeDependentShaping([[0, 1], [1, 1]]).apply([0, 0], mdp.replace(horizon=None))
    with pytest.raises(InvalidParameterError):
        TimeDependentShaping.sample(mdp.replace(horizon=None))
    with pytest.raises(InvalidRewardError):
        TimeDependentShaping([[0, 1], [1, 1], [2, 2]]).apply(np.zeros((3, 2, 1, 2)), mdp)
    t = TimeDependentShaping([[0.0, 1.0], [1.0, 1.0], [2.0, 2.0 + 1e-13]])
    assert t.apply([0, 0], mdp).dtype == np.float64


@given(mdp_and_reward(finite_mdps), seeds)
def test_soft_value_iteration_time_varying(case, seed):
    """time_varying=True: H equal slices reproduce the stationary solver bit for bit; slices
    of different shapes are used at their own step; wrong lengths are typed errors."""
    mdp, R = case
    H = mdp.horizon
    Rf = as_float(R)
    sol = idf.soft_value_iteration(mdp, Rf)
    tv = idf.soft_value_iteration(mdp, np.stack([Rf] * H), time_varying=True)
    assert np.array_equal(sol.policy, tv.policy) and np.array_equal(sol.v, tv.v)
    # step t uses slice t: the last step alone sees a different reward
    rng = np.random.default_rng(seed)
    other = rng.uniform(-5, 5, size=mdp.n_states)
    mixed = [Rf] * (H - 1) + [other]
    last = idf.soft_value_iteration(mdp, other, horizon=1)
    tv = idf.soft_value_iteration(mdp, mixed, time_varying=True)
    assert np.array_equal(tv.policy[H - 1], last.policy[0])
    assert np.array_equal(idf.soft_policy(mdp, mixed, time_varying=True), tv.policy)
    with pytest.raises(InvalidRewardError, match=f"expected H={H}"):
        idf.soft_value_iteration(mdp, [Rf] * (H + 1), time_varying=True)
    with pytest.raises(InvalidRewardError, match="slice t=0"):
        idf.soft_value_iteration(mdp, [np.zeros(mdp.n_states + 1)] * H, time_varying=True)
    with pytest.raises(InvalidRewardError, match="finite horizon"):
        idf.soft_value_iteration(mdp.replace(horizon=None, gamma="1/2"), [Rf], time_varying=True)


# ---------------------------------------------------------------------- unreachable mask
def reachable_states_oracle(mdp):
    import networkx as nx

    G = idf.graph.state_graph(mdp)
    seen = set(mdp.start_states)
    for s in mdp.start_states:
        seen |= nx.descendants(G, s)
    return np.isin(np.arange(mdp.n_states), sorted(seen))


mdps_any_start = ist.mdps(horizon=st.none(), max_states=4,
                          initial=st.sampled_from(["single", "random"]), max_support=2)


@given(mdp_and_reward(mdps_any_start), seeds)
def test_unreachable_mask_invariance(case, seed):
    """proofs/unreachable-mask-invariance.md: soft policy, V* and optimal sets unchanged at
    reachable states; impossible-transition masks are unreachable masks."""
    mdp, R = case
    mask = reachable_transitions(mdp)
    reach = mask.any(axis=(1, 2))
    assert np.array_equal(reach, reachable_states_oracle(mdp))
    assert not np.any(mask & ~mdp.support)
    assert np.array_equal(mask, mdp.support & reach[:, None, None])
    t = UnreachableMask.sample(mdp, seed)
    R2 = t.apply(R, mdp)
    assert all_exact(R2)
    assert not np.any((R2 != broadcast_reward(R, mdp)) & mask)
    assert np.max(np.abs(soft_pi(mdp, R)[reach] - soft_pi(mdp, R2)[reach])) <= 1e-9
    (V, _), (V2, _) = idf.optimal_values(mdp, R), idf.optimal_values(mdp, R2)
    assert np.array_equal(V[reach], V2[reach])
    assert np.array_equal(idf.optimal_actions(mdp, R)[reach], idf.optimal_actions(mdp, R2)[reach])
    fin = mdp.replace(horizon=3)
    pi, pi2 = soft_pi(fin, R), soft_pi(fin, R2)
    assert np.max(np.abs(pi[:, reach] - pi2[:, reach])) <= 1e-12
    UnreachableMask(ImpossibleTransitionMask.sample(mdp, seed).table).delta(mdp)


@st.composite
def mdps_with_unreachable_state(draw):
    """A base MDP plus a state u = S that nothing enters and that is not initial."""
    base = draw(ist.mdps(horizon=st.none(), max_states=3, min_actions=2))
    S, A = base.n_states, base.n_actions
    P = np.empty((S + 1, A, S + 1), dtype=object)
    P[...] = Fraction(0)
    P[:S, :, :S] = base.transitions
    for a in range(A):
        P[S, a] = draw(ist.distributions(S + 1))
    init = np.append(base.initial, Fraction(0))
    return idf.MDP(P, init, gamma=base.gamma)


@given(mdps_with_unreachable_state(), st.data())
def test_unreachable_mask_changes_unreachable_optimal_sets(mdp, data):
    """proofs/unreachable-mask-invariance.md (negative control): at an unreachable state with
    two or more actions a mask can make any chosen action uniquely optimal."""
    u, A, g = mdp.n_states - 1, mdp.n_actions, mdp.gamma
    R = data.draw(ist.rewards(mdp, exact=True))
    assert not reachable_transitions(mdp)[u].any()
    O = idf.optimal_actions(mdp, R)
    free = np.flatnonzero(~O[u])
    b = int(free[0]) if free.size else 0  # then O(u) = A, and {b} differs since A >= 2
    M = max(abs(v) for v in expected_reward(mdp, R).reshape(-1).tolist())
    C = 2 * M + 2 * M / (1 - g) + 1
    delta = np.empty((mdp.n_states, A, mdp.n_states), dtype=object)
    delta[...] = Fraction(0)
    delta[u, [a for a in range(A) if a != b]] = -C
    R2 = UnreachableMask(delta).apply(R, mdp)
    O2 = idf.optimal_actions(mdp, R2)
    assert O2[u].tolist() == [a == b for a in range(A)] and not np.array_equal(O2[u], O[u])
    assert np.array_equal(O2[:u], O[:u])


# ---------------------------------------------------------------------- optimality preserving
def wrong_sets(O, rng):
    """Toggle one entry of O, keeping every row non-empty (needs A >= 2)."""
    S, A = O.shape
    s = int(rng.integers(S))
    a = int(rng.integers(A))
    W = O.copy()
    if W[s, a] and W[s].sum() == 1:
        a = (a + 1) % A
    W[s, a] = not W[s, a]
    return W


@given(mdp_and_reward(), seeds)
def test_optimality_preserving_certificate(case, seed):
    """proofs/optimality-preserving-certificate.md: an OPT transform keeps the optimal sets
    exactly with V* = Psi; the certificate holds for the true sets only."""
    mdp, R = case
    rng = np.random.default_rng(seed)
    t = OptimalityPreserving.sample(mdp, rng)
    O = idf.optimal_actions(mdp, R)
    R2 = t.apply(R, mdp)
    assert R2.shape == (mdp.n_states, mdp.n_actions, mdp.n_states) and all_exact(R2)
    assert np.array_equal(idf.optimal_actions(mdp, R2), O)
    V2, Q2 = idf.optimal_values(mdp, R2)
    assert np.array_equal(V2, t.psi)
    assert np.array_equal((V2[:, None] - Q2)[~O], t.gaps[~O])
    for reward in (R, R2):
        cert = optimality_certificate(mdp, reward, O)
        assert cert.verify() and cert.atol is None and cert.violation() is None
    cert = optimality_certificate(mdp, R2, O)
    assert np.array_equal(cert.psi, t.psi)
    tampered = replace(cert, psi=cert.psi + Fraction(1, 7))
    assert not tampered.verify()
    if mdp.n_actions >= 2:
        bad = optimality_certificate(mdp, R2, wrong_sets(O, rng))
        assert not bad.verify() and "O(s=" in bad.violation()
    # float twin: same sets, psi to rounding
    fm = mdp.to_float()
    fR2 = t.apply(as_float(R), fm)
    assert fR2.dtype == np.float64
    fcert = optimality_certificate(fm, fR2, O)
    assert fcert.verify() and np.allclose(fcert.psi, as_float(t.psi), atol=1e-9)


@given(mdp_and_reward(), seeds)
def test_opt_special_cases(case, seed):
    """proofs/optimality-preserving-certificate.md: scaling, shaping, S'R, impossible masks and
    their compositions are OPT: their outputs get a verifying certificate with the original sets."""
    mdp, R = case
    O = idf.optimal_actions(mdp, R)
    for cls in (PositiveScaling, PotentialShaping, SPrimeRedistribution,
                ImpossibleTransitionMask, Composition):
        R2 = cls.sample(mdp, seed).apply(R, mdp)
        cert = optimality_certificate(mdp, R2, O)
        assert cert.verify(), (cls.__name__, cert.violation())


def test_optimality_preserving_validation():
    """proofs/optimality-preserving-certificate.md: typed errors for bad parameters."""
    mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], gamma="1/2")
    with pytest.raises(InvalidParameterError, match=r"gaps\(s=1, a=0\) = 0"):
        OptimalityPreserving([0, 0], [[1, 1], [0, 1]])
    with pytest.raises(InvalidParameterError):
        OptimalityPreserving([[0, 0]], [[1, 1], [1, 1]])
    with pytest.raises(InvalidParameterError, match="no optimal action at state s=1"):
        OptimalityPreserving([0, 0], [[1, 1], [1, 1]]).table(mdp, [[True, False], [False, False]])
    with pytest.raises(InvalidParameterError, match="shape"):
        optimality_certificate(mdp, [0, 0], [[True, False]])
    with pytest.raises(InvalidMDPError, match="infinite horizon"):
        optimality_certificate(mdp.replace(horizon=2), [0, 0], [[True, True], [True, True]])
    with pytest.raises(InvalidMDPError):
        OptimalityPreserving([0, 0], [[1, 1], [1, 1]]).apply([0, 0], mdp.replace(horizon=2))
    with pytest.raises(InvalidParameterError):  # not an S'-redistribution
        OptimalityPreserving([0, 0], [[1, 1], [1, 1]], np.ones((2, 2, 2))).apply([0, 0], mdp)
    cert = optimality_certificate(mdp, [[0, 0], [1, 1]])
    assert cert.verify() and cert.optimal_sets.tolist() == [[False, True], [True, True]]
    assert "holds=True" in repr(cert)


# ---------------------------------------------------------------------- completeness-lite
@given(mdp_and_reward(ist.mdps(horizon=st.none(), max_states=4, min_actions=2)), seeds)
def test_mce_invariance_complete(case, seed):
    """proofs/mce-invariance-complete.md: a direction outside shaping + S'R + mask changes pi."""
    mdp, R = case
    rng = np.random.default_rng(seed)
    U = invariance_image(mdp, rng)
    assert U.is_exact and U.dim == mdp.n_states  # shaping is injective when gamma < 1
    x = np.array([Fraction(int(v)) for v in rng.integers(-3, 4, size=mdp.n_states * mdp.n_actions)],
                 dtype=object)
    perp = x - U.project(x)
    assume(any(v != 0 for v in perp.tolist()))
    assert not U.contains_vector(perp)
    d = perp.reshape(mdp.n_states, mdp.n_actions)
    lam = 1.0
    sol, sol2 = (idf.soft_value_iteration(mdp, as_float(Rx), temperature=lam, tol=1e-13)
                 for Rx in (R, broadcast_reward(R, mdp) + d[:, :, None]))
    gap = np.linalg.norm(sol2.log_policy() - sol.log_policy())
    # lambda (log pi' - log pi) = d - (E - gamma P)(V' - V), so its norm >= dist(d, U)
    assert lam * gap >= U.distance(d.reshape(-1)) - 1e-7
    assert gap > 1e-6


# ---------------------------------------------------------------------- objects
def test_transforms_are_frozen_and_typed():
    t = PotentialShaping([1, 2])
    with pytest.raises(AttributeError):
        t.phi = np.zeros(2)
    assert not t.phi.flags.writeable
    for bad in (0, -1, "-1/2"):
        with pytest.raises(InvalidParameterError):
            PositiveScaling(bad)
    with pytest.raises(InvalidParameterError):
        compose(ConstantShift(1), "not a transform")
    with pytest.raises(InvalidParameterError):
        PotentialShaping([[1]])
    mdp = idf.MDP([[[1, 0]], [[0, 1]]], gamma="1/2")
    with pytest.raises(InvalidParameterError):
        PotentialShaping([1, 2, 3]).apply([0, 0], mdp)
    with pytest.raises(InvalidParameterError):
        SPrimeRedistribution(np.zeros((2, 1, 3))).apply([0, 0], mdp)
    assert isinstance(compose(), Transform)


@given(ist.mdps(horizon=st.none(), max_states=4, exact=False), seeds)
def test_float_samples_are_valid(mdp, seed):
    """Float MDPs: samples are float and pass their own validation (to 1e-9 relative)."""
    R = np.zeros((mdp.n_states, mdp.n_actions))
    for cls in (PotentialShaping, KInitialShaping, ZeroInitialShaping, ConstantShift,
                PositiveScaling, SPrimeRedistribution, ImpossibleTransitionMask, UnreachableMask,
                OptimalityPreserving, Composition):
        out = cls.sample(mdp, seed).apply(R, mdp)
        assert out.dtype == np.float64
    fin = mdp.replace(horizon=2)
    assert TimeDependentShaping.sample(fin, seed).apply(R, fin).dtype == np.float64
    t = SPrimeRedistribution.sample(mdp, seed)
    assert np.max(np.abs(expected_reward(mdp, t.table))) <= 1e-9
