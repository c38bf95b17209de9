"""Property tests of the forward behavioural models (identifiability.behaviour).

Each test is named after the claim it checks and cites ``proofs/<id>.md``.  Four
families (DESIGN.md): bounds, differential against the brute-force oracles of
:mod:`identifiability.reference` and against independent dense re-computations,
metamorphic (shift, relabel), and exact-vs-float.
"""

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import identifiability as idf
from identifiability import reference
from identifiability.errors import (
    ConvergenceError,
    InvalidMDPError,
    InvalidParameterError,
    InvalidPolicyError,
    InvalidTrajectoryError,
    ToleranceWarning,
)
from identifiability.testing import strategies as ist

temperatures = st.sampled_from([0.25, 0.5, 1.0, 2.0])


@st.composite
def mdp_and_reward(draw, exact_reward=False, arity=None, **mdp_kwargs):
    mdp = draw(ist.mdps(**mdp_kwargs))
    return mdp, draw(ist.rewards(mdp, exact=exact_reward, arity=arity))


def dense_float(mdp, reward):
    """Dense ``P`` and ``r(s, a)`` computed without expected_reward / expectation."""
    P = np.array(mdp.transitions.tolist(), dtype=float)
    R = np.array(idf.broadcast_reward(reward, mdp).tolist(), dtype=float)
    return P, (P * R).sum(axis=2)


def dense_soft_vi(P, r, gamma, H, lam):
    """Textbook soft value iteration on dense arrays (an independent re-implementation)."""
    S, A, _ = P.shape
    V = np.zeros((H + 1, S))
    Q = np.zeros((H, S, A))
    for t in reversed(range(H)):
        Q[t] = r + gamma * np.einsum("ijk,k->ij", P, V[t + 1])
        V[t] = lam * np.log(np.exp(Q[t] / lam).sum(axis=1))
    return V, Q


# ---------------------------------------------------------------------- soft-optimal agent
@given(mdp_and_reward(), temperatures)
def test_soft_policy_is_a_distribution(case, lam):
    """Soft policies are non-negative and sum to one, finite and infinite horizon.

    proofs/soft-bellman-consistency.md
    """
    mdp, r = case
    pi = idf.soft_policy(mdp, r, temperature=lam)
    expected = (mdp.n_states, mdp.n_actions) if mdp.horizon is None else \
        (mdp.horizon, mdp.n_states, mdp.n_actions)
    assert pi.shape == expected
    assert np.all(pi >= 0)
    np.testing.assert_allclose(pi.sum(axis=-1), 1.0, rtol=0, atol=1e-12)


@given(mdp_and_reward(horizon=ist.horizons()), temperatures)
def test_soft_bellman_consistency_finite(case, lam):
    """log pi_t = (Q_t - V_t)/lambda, V_t = lambda logsumexp(Q_t/lambda), Q_t = r + gamma P V_{t+1}.

    Checked against a dense textbook re-implementation.
    proofs/soft-bellman-consistency.md
    """
    mdp, r = case
    sol = idf.soft_value_iteration(mdp, r, temperature=lam)
    P, rr = dense_float(mdp, r)
    V, Q = dense_soft_vi(P, rr, float(mdp.gamma), mdp.horizon, lam)
    np.testing.assert_allclose(sol.v, V, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sol.q, Q, rtol=1e-12, atol=1e-12)
    assert np.all(sol.v[-1] == 0)
    np.testing.assert_allclose(np.log(sol.policy), (Q - V[:-1, :, None]) / lam, atol=1e-10)
    np.testing.assert_allclose(sol.log_policy(), np.log(sol.policy), atol=1e-10)


@given(mdp_and_reward(horizon=st.none()), temperatures)
def test_soft_bellman_fixed_point_infinite(case, lam):
    """The infinite-horizon solution is a fixed point of the soft Bellman operator.

    proofs/soft-bellman-consistency.md
    """
    mdp, r = case
    sol = idf.soft_value_iteration(mdp, r, temperature=lam, tol=1e-11)
    g = float(mdp.gamma)
    P, rr = dense_float(mdp, r)
    TV = lam * np.log(np.exp((rr + g * P @ sol.v) / lam).sum(axis=1))
    scale = 1 + np.abs(sol.v).max()
    assert np.abs(TV - sol.v).max() <= g * max(sol.residual, 16 * 2.3e-16 * scale) + 1e-12 * scale
    assert sol.residual <= max(1e-11, 16 * 2.3e-16 * scale)
    np.testing.assert_allclose(sol.q, rr + g * P @ sol.v, rtol=0, atol=g * sol.residual + 1e-12 * scale)
    np.testing.assert_allclose(np.log(sol.policy), (sol.q - sol.v[:, None]) / lam,
                               atol=1e-10 * scale)
    assert 1 <= sol.iterations


@given(mdp_and_reward(), temperatures, st.floats(-10, 10))
def test_soft_policy_shift_invariance(case, lam, c):
    """r + c gives the same soft policy; V_t shifts by c * sum_{k < H - t} gamma^k (c/(1-gamma) if H = inf).

    proofs/soft-policy-shift-invariance.md
    """
    mdp, r = case
    sol = idf.soft_value_iteration(mdp, r, temperature=lam)
    shifted = idf.soft_value_iteration(mdp, r + c, temperature=lam)
    g = float(mdp.gamma)
    if mdp.horizon is None:
        np.testing.assert_allclose(shifted.policy, sol.policy, atol=1e-7)
        np.testing.assert_allclose(shifted.v - sol.v, c / (1 - g), atol=1e-7 / (1 - g))
    else:
        H = mdp.horizon
        np.testing.assert_allclose(shifted.policy, sol.policy, atol=1e-9)
        offsets = np.array([c * sum(g ** k for k in range(H - t)) for t in range(H + 1)])
        np.testing.assert_allclose(shifted.v - sol.v, offsets[:, None] + 0 * sol.v, atol=1e-9)


@given(mdp_and_reward(max_states=3, max_actions=3, arity=2, horizon=st.integers(1, 3)),
       temperatures)
@settings(max_examples=20)
def test_log_policy_jacobian_annihilates_constants(case, lam):
    """Derivative form of shift invariance: J_{r -> log pi} 1 = 0 on Access, while J != 0
    whenever some accessible state has two actions.

    proofs/soft-policy-shift-invariance.md
    """
    mdp, r = case
    J, rows = reference.log_policy_jacobian(mdp, r, temperature=lam)
    np.testing.assert_allclose(J @ np.ones(J.shape[1]), 0.0, atol=1e-6)
    if mdp.n_actions > 1:
        assert np.abs(J).max() > 1e-3


def test_soft_policy_shift_invariance_needs_a_constant():
    """A non-constant shift does change the policy (the invariance test can fail).

    proofs/soft-policy-shift-invariance.md
    """
    mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], horizon=3)
    r = np.array([[0.0, 1.0], [2.0, -1.0]])
    bump = np.array([[0.0, 1.0], [0.0, 0.0]])
    assert np.abs(idf.soft_policy(mdp, r + bump) - idf.soft_policy(mdp, r)).max() > 0.1


# ---------------------------------------------------------------------- Ziebart's law
@given(mdp_and_reward(max_states=3, deterministic=True, gamma=Fraction(1),
                      horizon=st.integers(1, 4)), temperatures)
def test_ziebart_law_deterministic_gamma_one(case, lam):
    """Deterministic P, gamma = 1: p(tau | s0) = exp((r(tau) - V_0(s0)) / lambda) for every tau.

    proofs/ziebart-law-deterministic.md
    """
    mdp, r = case
    law = reference.trajectory_distribution(mdp, r, temperature=lam)
    mu = np.array([float(x) for x in mdp.initial])
    assert math.isclose(sum(law.values()), 1.0, abs_tol=1e-12)
    for (states, actions), p in law.items():
        z = reference.ziebart_probability(mdp, r, states, actions, temperature=lam)
        assert math.isclose(p, mu[states[0]] * z, rel_tol=1e-9, abs_tol=1e-300)


@given(mdp_and_reward(max_states=3, deterministic=True, horizon=st.integers(1, 4),
                      gamma=ist.discounts(allow_one=False, allow_zero=True)), temperatures)
def test_ziebart_law_discount_defect(case, lam):
    """gamma < 1: log p - log p_Z = (sum_t (1 - gamma^t) r_t + (gamma - 1) sum_{t>=1} V_t(s_t)) / lambda.

    The exact size of the failure of Ziebart's law for discounted soft agents.
    proofs/ziebart-law-deterministic.md
    """
    mdp, r = case
    g = float(mdp.gamma)
    sol = idf.soft_value_iteration(mdp, r, temperature=lam)
    V, log_pi = sol.v, sol.log_policy()
    _, rr = dense_float(mdp, r)
    # Logs throughout: long trajectories can have probabilities below the float range.
    for states, actions, _ in reference.enumerate_trajectories(mdp, start=range(mdp.n_states)):
        log_p = sum(log_pi[t, s, a] for t, (s, a) in enumerate(zip(states, actions)))
        G = float(idf.trajectory_return(mdp, r, states, actions))
        log_pz = (G - V[0, states[0]]) / lam
        defect = sum((1 - g ** t) * rr[s, a] for t, (s, a) in enumerate(zip(states, actions)))
        defect += (g - 1) * sum(V[t, states[t]] for t in range(1, mdp.horizon))
        assert math.isclose(log_p - log_pz, defect / lam, abs_tol=1e-9)


def test_ziebart_law_fails_for_discount():
    """A concrete gamma = 1/2 MDP where the soft agent's law is far from Ziebart's.

    proofs/ziebart-law-deterministic.md
    """
    chain = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], gamma="1/2",
                    horizon=3)
    r = [[0, 0], [1, 1]]
    law = reference.trajectory_distribution(chain, r)
    gaps = [abs(math.log(p) - math.log(reference.ziebart_probability(chain, r, s, a)))
            for (s, a), p in law.items()]
    assert max(gaps) > 1e-3
    # The same chain with gamma = 1 satisfies the law: the failure is the discount's.
    undiscounted = chain.replace(gamma=1)
    law1 = reference.trajectory_distribution(undiscounted, r)
    for (s, a), p in law1.items():
        assert math.isclose(p, reference.ziebart_probability(undiscounted, r, s, a),
                            rel_tol=1e-12)


def test_ziebart_law_sympy():
    """Symbolic telescoping on a 2-step deterministic MDP with generic rewards.

    For gamma = 1, log prod pi_t - (r(tau) - V_0(s_0)) / lambda simplifies to 0 for every
    trajectory; for symbolic gamma it equals (1 - gamma)(r_1 - V_1(s_1)) / lambda.
    proofs/ziebart-law-deterministic.md
    """
    sp = pytest.importorskip("sympy")
    lam, gam = sp.symbols("lambda gamma", positive=True)
    r = {(s, a): sp.Symbol(f"r_{s}{a}") for s in range(2) for a in range(2)}
    T = {(s, a): a for s in range(2) for a in range(2)}  # action a moves to state a

    def soft_agent(g):
        V = {2: {0: 0, 1: 0}}
        pi = {}
        for t in (1, 0):
            Q = {k: r[k] + g * V[t + 1][T[k]] for k in r}
            Z = {s: sum(sp.exp(Q[s, b] / lam) for b in range(2)) for s in range(2)}
            V[t] = {s: lam * sp.log(Z[s]) for s in range(2)}
            pi[t] = {k: sp.exp(Q[k] / lam) / Z[k[0]] for k in r}
        return V, pi

    for g in (sp.Integer(1), gam):
        V, pi = soft_agent(g)
        for s0, a0, a1 in [(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)]:
            s1 = T[s0, a0]
            log_p = sp.expand_log(sp.log(pi[0][s0, a0] * pi[1][s1, a1]), force=True)
            ziebart = (r[s0, a0] + g * r[s1, a1] - V[0][s0]) / lam
            predicted = (1 - g) * (r[s1, a1] - V[1][s1]) / lam
            assert sp.simplify(sp.expand_log(log_p - ziebart - predicted, force=True)) == 0
    # The gamma-defect is not identically zero.
    V, _ = soft_agent(gam)
    defect = (1 - gam) * (r[1, 1] - V[1][1]) / lam
    assert defect.subs({gam: sp.Rational(1, 2), lam: 1, **{v: 0 for v in r.values()}}) != 0


# ---------------------------------------------------------------------- brute-force oracles
@given(mdp_and_reward(max_states=3, max_actions=2, max_support=2, horizon=st.integers(1, 3)),
       temperatures, st.data())
def test_soft_value_is_max_regularised_return(case, lam, data):
    """V_0 = J(pi_soft) >= J(pi), with V_0 - J(pi) = lambda E_pi[sum_t gamma^t KL(pi_t || pi_soft_t)].

    J is the entropy-regularised return, computed by enumerating trajectories.
    proofs/soft-value-variational.md
    """
    mdp, r = case
    sol = idf.soft_value_iteration(mdp, r, temperature=lam)
    J_soft = reference.regularised_return(mdp, r, sol.policy, temperature=lam)
    scale = 1 + np.abs(sol.v).max()
    np.testing.assert_allclose(J_soft, sol.v[0], atol=1e-9 * scale)
    pi = data.draw(ist.policies(mdp, horizon=mdp.horizon, exact=False))
    J = reference.regularised_return(mdp, r, pi, temperature=lam)
    g = float(mdp.gamma)
    kl = (pi * (np.log(pi) - sol.log_policy())).sum(axis=-1)  # (H, S), full support
    for s in range(mdp.n_states):
        start = np.zeros(mdp.n_states)
        start[s] = 1.0
        d = idf.state_occupancy(mdp.to_float().replace(initial=start), pi)
        predicted = lam * sum(g ** t * d[t] @ kl[t] for t in range(mdp.horizon))
        assert math.isclose(sol.v[0, s] - J[s], predicted, abs_tol=1e-9 * scale)
    assert np.all(J <= sol.v[0] + 1e-9 * scale)


@given(mdp_and_reward(max_states=3, max_actions=2, max_support=2, horizon=st.integers(1, 3)),
       temperatures)
def test_trajectory_law_marginals_match_occupancy(case, lam):
    """Enumerated soft trajectory law: time-t state marginals equal state_occupancy(pi_soft).

    proofs/occupancy-normalisation.md
    """
    mdp, r = case
    law = reference.trajectory_distribution(mdp, r, temperature=lam)
    marg = np.zeros((mdp.horizon + 1, mdp.n_states))
    for (states, _), p in law.items():
        marg[np.arange(mdp.horizon + 1), list(states)] += p
    d = idf.state_occupancy(mdp, idf.soft_policy(mdp, r, temperature=lam))
    np.testing.assert_allclose(marg, d, atol=1e-12)


@given(mdp_and_reward(exact_reward=True))
def test_optimal_values_exact_matches_float(case):
    """Exact (Fraction) optimal values agree with the float path.

    proofs/optimal-values-bellman.md
    """
    mdp, r = case
    V, Q = idf.optimal_values(mdp, r)
    assert V.dtype == object and all(isinstance(x, Fraction) for x in V.ravel())
    rf = np.array(r.tolist(), dtype=float)
    Vf, Qf = idf.optimal_values(mdp.to_float(), rf)
    assert Vf.dtype == np.float64
    scale = 1 + np.abs(Vf).max()
    np.testing.assert_allclose(np.array(V.tolist(), dtype=float), Vf, atol=1e-9 * scale)
    np.testing.assert_allclose(np.array(Q.tolist(), dtype=float), Qf, atol=1e-9 * scale)
    Vforced, _ = idf.optimal_values(mdp, r, exact=False)
    np.testing.assert_allclose(Vforced, Vf, atol=1e-9 * scale)


@given(mdp_and_reward(exact_reward=True, max_states=3, max_actions=2,
                      horizon=st.one_of(st.none(), st.integers(1, 2))))
def test_optimal_values_match_brute_force(case):
    """V* equals the state-wise max over all deterministic policies, exactly.

    proofs/optimal-values-bellman.md
    """
    mdp, r = case
    V, Q = idf.optimal_values(mdp, r)
    brute = reference.brute_force_optimal_values(mdp, r)
    assert V.tolist() == brute.tolist()
    # The greedy (optimal-action) policy attains V*.
    mask = idf.optimal_actions(mdp, r)
    greedy = (mask & (np.cumsum(mask, axis=-1) == 1)).astype(np.int64)
    assert idf.policy_evaluation(mdp, r, greedy).tolist() == V.tolist()


# ---------------------------------------------------------------------- occupancies
@st.composite
def exact_policy_case(draw, **mdp_kwargs):
    mdp, r = draw(mdp_and_reward(exact_reward=True, **mdp_kwargs))
    time_varying = mdp.horizon is not None and draw(st.booleans())
    pi = draw(ist.policies(mdp, horizon=mdp.horizon if time_varying else None, exact=True))
    return mdp, r, pi


@given(exact_policy_case())
def test_occupancy_value_duality(case):
    """sum_t gamma^t <x_t, r> = <initial, V^pi_0>, exactly on exact input.

    proofs/occupancy-value-duality.md
    """
    mdp, r, pi = case
    V = idf.policy_evaluation(mdp, r, pi)
    x = idf.state_action_occupancy(mdp, pi)
    rr = idf.expected_reward(mdp, r)
    assert V.dtype == object and x.dtype == object
    if mdp.horizon is None:
        lhs = (x * rr).sum()
        rhs = (mdp.initial * V).sum()
    else:
        lhs = sum(mdp.gamma ** t * (x[t] * rr).sum() for t in range(mdp.horizon))
        rhs = (mdp.initial * V[0]).sum()
    assert isinstance(lhs, Fraction) and lhs == rhs


@given(exact_policy_case(max_states=3, max_actions=2, max_support=2, horizon=st.integers(1, 3)),
       st.data())
def test_policy_evaluation_matches_enumeration(case, data):
    """V^pi_0(s) = E_pi[sum_t gamma^t R | s_0 = s] by enumerating trajectories, exactly,
    for stationary and time-varying policies.

    proofs/occupancy-value-duality.md
    """
    mdp, r, pi = case
    pi_tv = data.draw(ist.policies(mdp, horizon=mdp.horizon, exact=True))
    for policy in (pi, pi_tv):
        V = idf.policy_evaluation(mdp, r, policy)
        assert V[0].tolist() == reference.expected_return(mdp, r, policy).tolist()


@given(exact_policy_case())
def test_state_occupancy_normalisation(case):
    """Finite: each d_t sums to exactly 1; infinite: d sums to exactly 1 / (1 - gamma).

    proofs/occupancy-normalisation.md
    """
    mdp, _, pi = case
    d = idf.state_occupancy(mdp, pi)
    assert all(x >= 0 for x in d.ravel())
    if mdp.horizon is None:
        assert d.sum() == 1 / (1 - mdp.gamma)
    else:
        assert d.shape == (mdp.horizon + 1, mdp.n_states)
        assert all(row.sum() == 1 for row in d)
        assert d[0].tolist() == mdp.initial.tolist()


@given(exact_policy_case())
def test_policy_evaluation_exact_matches_float(case):
    """Exact and float policy evaluation and occupancy agree.

    proofs/occupancy-value-duality.md
    """
    mdp, r, pi = case
    V = idf.policy_evaluation(mdp, r, pi)
    pif = np.array(pi.tolist(), dtype=float)
    Vf = idf.policy_evaluation(mdp, np.array(r.tolist(), dtype=float), pif)
    scale = 1 + np.abs(Vf).max()
    np.testing.assert_allclose(np.array(V.tolist(), dtype=float), Vf, atol=1e-9 * scale)
    d = idf.state_occupancy(mdp, pi)
    df = idf.state_occupancy(mdp.to_float(), pif)
    np.testing.assert_allclose(np.array(d.tolist(), dtype=float), df, atol=1e-9 * (1 + df.max()))


# ---------------------------------------------------------------------- Boltzmann
@given(mdp_and_reward(exact_reward=True))
def test_boltzmann_limits(case):
    """beta = 0 is uniform; large beta puts all but exp(-50) of the mass on optimal actions.

    proofs/boltzmann-limits.md
    """
    mdp, r = case
    A = mdp.n_actions
    assert np.all(idf.boltzmann_policy(mdp, r, beta=0) == 1.0 / A)
    V, Q = idf.optimal_values(mdp, r)
    Vb = (V[:-1] if Q.ndim == 3 else V)[..., None]
    gaps = np.array((Vb - Q).tolist(), dtype=object)
    positive = [x for x in gaps.ravel() if x > 0]
    beta = 50 / float(min(positive)) if positive else 1e6
    pi = idf.boltzmann_policy(mdp, r, beta=beta)
    opt = idf.optimal_actions(mdp, r)
    np.testing.assert_allclose(pi.sum(axis=-1), 1.0, atol=1e-12)
    assert np.all(pi[~opt] <= math.exp(-49))
    # Ties share the mass equally: the optimal advantage is exactly 0 on exact input.
    n_opt = opt.sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(np.where(opt, pi, 0), np.where(opt, 1.0 / n_opt, 0),
                               atol=A * math.exp(-49))


# ---------------------------------------------------------------------- comparisons
@st.composite
def trajectory_pair(draw):
    mdp, r = draw(mdp_and_reward())
    n = draw(st.integers(1, 4))

    def traj(T):
        s = draw(st.lists(st.lists(st.integers(0, mdp.n_states - 1), min_size=T + 1,
                                   max_size=T + 1), min_size=n, max_size=n))
        a = draw(st.lists(st.lists(st.integers(0, mdp.n_actions - 1), min_size=T,
                                   max_size=T), min_size=n, max_size=n))
        return np.array(s), np.array(a).reshape(n, T)

    return mdp, r, traj(draw(st.integers(0, 5))), traj(draw(st.integers(0, 5)))


@given(trajectory_pair(), st.floats(0, 20))
def test_bradley_terry_complement(case, beta):
    """P(a > b) + P(b > a) = 1 and P(a > a) = 1/2.

    proofs/bradley-terry-symmetry.md
    """
    mdp, r, ta, tb = case
    pab = idf.bradley_terry_probability(mdp, r, ta, tb, beta=beta)
    pba = idf.bradley_terry_probability(mdp, r, tb, ta, beta=beta)
    assert pab.shape == (len(ta[0]),)
    np.testing.assert_allclose(pab + pba, 1.0, rtol=0, atol=1e-15)
    assert np.all(idf.bradley_terry_probability(mdp, r, ta, ta, beta=beta) == 0.5)
    # Monotone in the return difference, as a sigmoid of it.
    diff = idf.trajectory_return(mdp, r, *ta) - idf.trajectory_return(mdp, r, *tb)
    np.testing.assert_allclose(pab, 1 / (1 + np.exp(-beta * diff)), rtol=1e-12, atol=1e-300)


@given(mdp_and_reward(exact_reward=True), st.data())
def test_trajectory_return_matches_loop(case, data):
    """The vectorised return equals sum_t gamma^t R(s_t, a_t, s_{t+1}) by a Python loop, exactly.

    proofs/bradley-terry-symmetry.md
    """
    mdp, r = case
    T = data.draw(st.integers(0, 5))
    s = data.draw(st.lists(st.integers(0, mdp.n_states - 1), min_size=T + 1, max_size=T + 1))
    a = data.draw(st.lists(st.integers(0, mdp.n_actions - 1), min_size=T, max_size=T))
    R = idf.broadcast_reward(r, mdp)
    expected = sum((mdp.gamma ** t * R[s[t], a[t], s[t + 1]] for t in range(T)), Fraction(0))
    G = idf.trajectory_return(mdp, r, s, a)
    assert isinstance(G, Fraction) and G == expected


# ---------------------------------------------------------------------- relabelling
def relabel(mdp, reward, ps, pa):
    """The MDP and reward with state i renamed ps[i] and action j renamed pa[j]."""
    s, a, sn, p = mdp.entries()
    init = np.empty(mdp.n_states, dtype=mdp.initial.dtype)
    init[ps] = mdp.initial
    new = idf.MDP.from_entries((ps[s], pa[a], ps[sn], p), mdp.n_states, mdp.n_actions, init,
                               gamma=mdp.gamma, horizon=mdp.horizon)
    r = np.asarray(reward)
    rn = np.empty_like(r)
    rn[np.ix_(*(ps, pa, ps)[:r.ndim])] = r
    return new, rn


@given(mdp_and_reward(exact_reward=True), st.data())
def test_relabelling_equivariance(case, data):
    """Renaming states and actions renames every output the same way.

    proofs/relabelling-equivariance.md
    """
    mdp, r = case
    ps, pa = data.draw(ist.permutations_of(mdp))
    new, rn = relabel(mdp, r, ps, pa)
    idx = (slice(None),) if mdp.horizon is not None else ()

    def back(x):  # new-labelled array -> old labels, over the trailing (S, A) axes
        return x[idx + (ps,)][idx + (slice(None), pa)]

    np.testing.assert_allclose(back(idf.soft_policy(new, rn)), idf.soft_policy(mdp, r),
                               atol=1e-9)
    V, Q = idf.optimal_values(mdp, r)
    Vn, Qn = idf.optimal_values(new, rn)
    assert Vn[..., ps].tolist() == V.tolist() and back(Qn).tolist() == Q.tolist()
    pi = data.draw(ist.policies(mdp, exact=True))
    pin = np.empty_like(pi)
    pin[np.ix_(ps, pa)] = pi
    assert idf.state_occupancy(new, pin)[..., ps].tolist() == \
        idf.state_occupancy(mdp, pi).tolist()
    assert idf.policy_evaluation(new, rn, pin)[..., ps].tolist() == \
        idf.policy_evaluation(mdp, r, pi).tolist()


# ---------------------------------------------------------------------- errors and warnings
BANDIT = idf.MDP([[[1], [1]]], horizon=2)


@pytest.mark.parametrize("lam", [0, -1.0, float("nan"), float("inf"), True, "x"])
def test_bad_temperature_raises(lam):
    with pytest.raises(InvalidParameterError, match="temperature"):
        idf.soft_policy(BANDIT, [[0, 0]], temperature=lam)


@pytest.mark.parametrize("H", [0, -2, 1.5, "3", True])
def test_bad_horizon_raises(H):
    with pytest.raises(InvalidMDPError, match="horizon"):
        idf.soft_value_iteration(BANDIT, [[0, 0]], horizon=H)


def test_horizon_override():
    disc = BANDIT.replace(gamma="1/2", horizon=None)
    assert idf.soft_policy(disc, [[0, 1]], horizon=3).shape == (3, 1, 2)
    assert idf.optimal_values(BANDIT, [[0, 1]], horizon=5)[0].shape == (6, 1)


def test_negative_beta_raises():
    with pytest.raises(InvalidParameterError, match="beta"):
        idf.boltzmann_policy(BANDIT, [[0, 0]], beta=-1)


def test_bad_policy_names_row_and_sum():
    mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], horizon=2)
    bad = [[[1, 0], [1, 0]], [[1, 0], ["1/2", "1/3"]]]
    with pytest.raises(InvalidPolicyError, match=r"row \(t=1, s=1\) sums to 5/6"):
        idf.policy_evaluation(mdp, [0, 1], bad)
    with pytest.raises(InvalidPolicyError, match="negative"):
        idf.state_occupancy(mdp, [[2, -1], [1, 0]])
    with pytest.raises(InvalidPolicyError, match="shape"):
        idf.state_action_occupancy(mdp, [[1, 0]])
    with pytest.raises(InvalidPolicyError, match="finite horizon"):
        idf.state_occupancy(mdp.replace(gamma="1/2", horizon=None), bad)


def test_bad_trajectory_raises():
    mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], horizon=2)
    with pytest.raises(InvalidTrajectoryError, match=r"states has index 2 at trajectory 1, t=1"):
        idf.trajectory_return(mdp, [0, 1], [[0, 1], [0, 2]], [[0], [0]])
    with pytest.raises(InvalidTrajectoryError, match="T\\+1 states"):
        idf.trajectory_return(mdp, [0, 1], [0, 1], [0, 1])
    with pytest.raises(InvalidTrajectoryError, match="integer"):
        idf.trajectory_return(mdp, [0, 1], [0.5, 1], [0])
    with pytest.raises(InvalidTrajectoryError, match="pair"):
        idf.bradley_terry_probability(mdp, [0, 1], ([0, 1],), ([0, 1], [0]))


def test_convergence_error():
    disc = BANDIT.replace(gamma="99/100", horizon=None)
    with pytest.raises(ConvergenceError, match="max_iter=3"):
        idf.soft_value_iteration(disc, [[0, 1]], max_iter=3)


def test_optimal_actions_warns_on_near_tie():
    """Float near-ties inside (atol, 1000 atol] are flagged, not decided silently."""
    bandit = idf.MDP([[[1.0], [1.0]]], horizon=1)
    with pytest.warns(ToleranceWarning, match=r"s=0, a=0"):
        mask = idf.optimal_actions(bandit, [[0.0, 1e-7]])
    assert mask.tolist() == [[[False, True]]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert idf.optimal_actions(bandit, [[0.0, 1e-2]]).tolist() == [[[False, True]]]
        assert idf.optimal_actions(bandit, [[0.0, 1e-12]]).tolist() == [[[True, True]]]
        exact = idf.MDP([[[1], [1]]], horizon=1)
        assert idf.optimal_actions(exact, [[0, Fraction(1, 10 ** 30)]]).tolist() == \
            [[[False, True]]]


def test_exactness_of_outputs():
    mdp = idf.MDP([[["1/2", "1/2"], [0, 1]], [[0, 1], [1, 0]]], gamma="2/3")
    r = [[0, "1/3"], [1, 0]]
    V, Q = idf.optimal_values(mdp, r)
    assert all(isinstance(x, Fraction) for x in list(V) + list(Q.ravel()))
    pi = [["1/4", "3/4"], [1, 0]]
    assert all(isinstance(x, Fraction) for x in idf.policy_evaluation(mdp, r, pi))
    assert all(isinstance(x, Fraction) for x in idf.state_occupancy(mdp, pi))
    assert idf.policy_evaluation(mdp, [[0.0, 0.5], [1.0, 0.0]], pi).dtype == np.float64
    assert idf.soft_policy(mdp, r).dtype == np.float64
    with pytest.raises(InvalidParameterError, match="exact"):
        idf.optimal_values(mdp.to_float(), r, exact=True)


def test_reward_shapes_agree():
    """(S,), (S, A) and (S, A, S) rewards meaning the same r(s, a) give the same behaviour."""
    mdp = idf.MDP([[["1/2", "1/2"], [0, 1]], [[0, 1], [1, 0]]], horizon=3)
    r1 = np.array([1.0, -2.0])
    r2 = np.repeat(r1[:, None], 2, axis=1)
    r3 = np.repeat(r2[:, :, None], 2, axis=2)
    p = idf.soft_policy(mdp, r1)
    np.testing.assert_array_equal(p, idf.soft_policy(mdp, r2))
    np.testing.assert_allclose(p, idf.soft_policy(mdp, r3), atol=1e-15)


def test_soft_solution_is_frozen():
    sol = idf.soft_value_iteration(BANDIT, [[0, 1]])
    with pytest.raises(Exception):
        sol.q = None
    with pytest.raises(ValueError):
        sol.policy[0, 0, 0] = 1.0
    assert "horizon=2" in repr(sol)
