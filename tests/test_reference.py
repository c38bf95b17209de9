"""Hand-checked tests of the brute-force oracles in identifiability.reference.

The oracles are the ground truth of the differential tests in test_behaviour.py,
so each is checked here against values computed by hand (written out in the
comments), never against the code it is meant to check.
"""

import math
from fractions import Fraction

import numpy as np
import pytest

import identifiability as idf
from identifiability import reference
from identifiability.errors import InvalidParameterError
from identifiability.errors import InvalidMDPError

LOG3 = math.log(3)
E = math.e


def bandit(H, gamma=1):
    """One state, two actions, both staying put."""
    return idf.MDP([[[1], [1]]], gamma=gamma, horizon=H)


def chain(gamma=1, H=2):
    """s0 --a0--> s0, s0 --a1--> s1, s1 --a*--> s1; start in s0."""
    return idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], gamma=gamma, horizon=H)


def test_enumerate_trajectories_deterministic_count():
    """A 1-state, 2-action bandit with H = 3 has 2^3 trajectories, each of dynamics probability 1."""
    trajs = list(reference.enumerate_trajectories(bandit(3)))
    assert [a for _, a, _ in trajs] == [(0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1),
                                        (1, 0, 0), (1, 0, 1), (1, 1, 0), (1, 1, 1)]
    assert all(s == (0, 0, 0, 0) and p == 1 and isinstance(p, Fraction) for s, _, p in trajs)


def test_enumerate_trajectories_stochastic_by_hand():
    """s0 -> {s0, s1} w.p. 1/2 each, s1 -> s1.  From s0 with H = 2:
    (0,0,0): 1/4, (0,0,1): 1/4, (0,1,1): 1/2; from s1 only (1,1,1) with probability 1.

    proofs/occupancy-normalisation.md
    """
    mdp = idf.MDP([[["1/2", "1/2"]], [[0, 1]]], initial=[1, 0], horizon=2)
    got = {s: p for s, _, p in reference.enumerate_trajectories(mdp)}
    assert got == {(0, 0, 0): Fraction(1, 4), (0, 0, 1): Fraction(1, 4), (0, 1, 1): Fraction(1, 2)}
    got1 = list(reference.enumerate_trajectories(mdp, start=1))
    assert got1 == [((1, 1, 1), (0, 0), Fraction(1))]
    assert len(list(reference.enumerate_trajectories(mdp, horizon=3, start=[0, 1]))) == 5
    floats = list(reference.enumerate_trajectories(mdp.to_float()))
    assert [p for *_, p in floats] == [0.25, 0.25, 0.5]
    with pytest.raises(InvalidMDPError, match="finite horizon"):
        list(reference.enumerate_trajectories(mdp.replace(gamma="1/2", horizon=None)))


@pytest.mark.parametrize("lam", [1.0, 2.0])
def test_trajectory_distribution_bandit_is_product_of_softmax(lam):
    """1-state bandit, r = (0, log 3), gamma = 1: V_{t+1} is the same for both actions, so
    pi_t = softmax(r / lambda) at every t and p(a_0, a_1) = q(a_0) q(a_1) with
    q = (1, 3^(1/lambda)) / (1 + 3^(1/lambda)).

    proofs/soft-bellman-consistency.md
    """
    law = reference.trajectory_distribution(bandit(2), [[0.0, LOG3]], temperature=lam)
    w = 3 ** (1 / lam)
    q = [1 / (1 + w), w / (1 + w)]
    assert set(law) == {((0, 0, 0), (a, b)) for a in (0, 1) for b in (0, 1)}
    for (_, (a, b)), p in law.items():
        assert math.isclose(p, q[a] * q[b], rel_tol=1e-12)
    if lam == 1.0:
        assert math.isclose(law[(0, 0, 0), (1, 1)], 9 / 16, rel_tol=1e-12)


def test_ziebart_probability_two_state_by_hand():
    """Chain, r(s0, .) = 0, r(s1, .) = 1, H = 2.

    gamma = 1: V_1 = (log 2, 1 + log 2); Q_0(s0) = (log 2, 1 + log 2), so
    pi_0(a1|s0) = e / (1 + e), pi_1 uniform, and every trajectory has
    p = exp(r(tau) - V_0(s0)) with V_0(s0) = log 2 + log(1 + e).
    gamma = 1/2: Q_0(s0) = (log 2 / 2, (1 + log 2) / 2), p(s0 a1 s1 a0 s1) = e^(1/2) / (2 (1 + e^(1/2))),
    while Ziebart's law gives e^(1/2) / (sqrt 2 (1 + e^(1/2))): ratio 1/sqrt 2.

    proofs/ziebart-law-deterministic.md
    """
    r = [[0, 0], [1, 1]]
    law = reference.trajectory_distribution(chain(), r)
    expected = {((0, 0, 0), (0, 0)): 1 / (2 * (1 + E)), ((0, 0, 1), (0, 1)): 1 / (2 * (1 + E)),
                ((0, 1, 1), (1, 0)): E / (2 * (1 + E)), ((0, 1, 1), (1, 1)): E / (2 * (1 + E))}
    assert set(law) == set(expected)
    for key, p in law.items():
        assert math.isclose(p, expected[key], rel_tol=1e-12)
        assert math.isclose(reference.ziebart_probability(chain(), r, *key), p, rel_tol=1e-12)
    assert math.isclose(reference.ziebart_probability(chain(), r, (0, 1, 1), (1, 0)),
                        math.exp(1 - math.log(2) - math.log(1 + E)), rel_tol=1e-12)

    half = chain(gamma="1/2")
    p = reference.trajectory_distribution(half, r)[(0, 1, 1), (1, 0)]
    eh = math.exp(0.5)
    assert math.isclose(p, eh / (2 * (1 + eh)), rel_tol=1e-12)
    z = reference.ziebart_probability(half, r, (0, 1, 1), (1, 0))
    assert math.isclose(z, eh / (math.sqrt(2) * (1 + eh)), rel_tol=1e-12)
    assert math.isclose(p / z, 1 / math.sqrt(2), rel_tol=1e-12)


def test_ziebart_probability_includes_dynamics():
    """A stochastic step multiplies the law by P: s0 -> s1 w.p. 1/3 under the only action,
    r = 0, H = 1: V_0 = log 1 = 0, so the Ziebart value is exactly 1/3."""
    mdp = idf.MDP([[["2/3", "1/3"]], [[0, 1]]], horizon=1)
    assert math.isclose(reference.ziebart_probability(mdp, [0, 0], (0, 1), (0,)), 1 / 3)
    assert reference.ziebart_probability(mdp, [0, 0], (1, 0), (0,)) == 0.0


def test_regularised_return_bandit_by_hand():
    """H = 1: J(uniform) = E[r] + lambda log 2 = log(3)/2 + log 2 and J(soft) = log 4 = V_0.
    H = 2, gamma = 1/2, uniform policy: J = (1 + 1/2)(log(3)/2 + log 2).

    proofs/soft-value-variational.md
    """
    r = [[0.0, LOG3]]
    J = reference.regularised_return(bandit(1), r, [[0.5, 0.5]])
    assert math.isclose(J[0], LOG3 / 2 + math.log(2), rel_tol=1e-12)
    J = reference.regularised_return(bandit(1), r, [[0.25, 0.75]])
    assert math.isclose(J[0], math.log(4), rel_tol=1e-12)
    J = reference.regularised_return(bandit(2, gamma="1/2"), r, [[0.5, 0.5]])
    assert math.isclose(J[0], 1.5 * (LOG3 / 2 + math.log(2)), rel_tol=1e-12)
    # A deterministic policy has no entropy bonus: J = r(a) (1 + gamma).
    J = reference.regularised_return(bandit(2, gamma="1/2"), r, [[0.0, 1.0]])
    assert math.isclose(J[0], 1.5 * LOG3, rel_tol=1e-12)
    # Temperature 2 doubles the bonus: J = log(3)/2 + 2 log 2.
    J = reference.regularised_return(bandit(1), r, [[0.5, 0.5]], temperature=2.0)
    assert math.isclose(J[0], LOG3 / 2 + 2 * math.log(2), rel_tol=1e-12)


def test_brute_force_optimal_values_by_hand():
    """Chain with gamma = 1/2, r(s0, .) = 0, r(s1, .) = 1.  Infinite horizon: V(s1) = 1/(1 - 1/2) = 2,
    V(s0) = max(V(s0)/2, 2/2) = 1.  H = 2: V_1 = (0, 1), V_0 = (1/2, 3/2).

    proofs/optimal-values-bellman.md
    """
    mdp = chain(gamma="1/2", H=None)
    r = [[0, 0], [1, 1]]
    assert reference.brute_force_optimal_values(mdp, r).tolist() == [1, 2]
    V = reference.brute_force_optimal_values(mdp, r, horizon=2)
    assert V.tolist() == [[Fraction(1, 2), Fraction(3, 2)], [0, 1], [0, 0]]
    # A policy that is good at t = 1 but bad at t = 0 does not hide the maximum.
    r2 = [[0, 2], [1, 1]]     # now a1 in s0 pays 2 and leads to s1 (worth 1/2 later)
    V2 = reference.brute_force_optimal_values(mdp, r2, horizon=2)
    assert V2[0].tolist() == [Fraction(5, 2), Fraction(3, 2)]
    with pytest.raises(InvalidParameterError, match="max_policies"):
        reference.brute_force_optimal_values(mdp, r, horizon=2, max_policies=10)


def test_accessible_layers_by_hand():
    """Chain from s0: L_0 = {0}, L_1 = {0, 1}, L_2 = {0, 1}; from s1 only {1}."""
    assert reference.accessible_layers(chain()) == [frozenset({0}), frozenset({0, 1}),
                                                    frozenset({0, 1})]
    assert reference.accessible_layers(chain().replace(initial=[0, 1]), horizon=3) == \
        [frozenset({1})] * 4


def test_numerical_jacobian_by_hand():
    """f(x, y) = (x^2 y, sin x): J = [[2xy, x^2], [cos x, 0]]."""
    f = lambda v: np.array([v[0] ** 2 * v[1], math.sin(v[0])])
    J = reference.numerical_jacobian(f, [1.5, -2.0])
    np.testing.assert_allclose(J, [[-6.0, 2.25], [math.cos(1.5), 0.0]], atol=1e-8)


def test_log_policy_jacobian_bandit_by_hand():
    """1-state bandit, gamma = 1: pi_t = softmax(r) for every t, so every Access row block is
    d log pi(a) / d r(b) = [a == b] - pi(b)."""
    r = np.array([[0.3, -1.0, 2.0]])
    mdp = idf.MDP([[[1], [1], [1]]], horizon=2)
    J, rows = reference.log_policy_jacobian(mdp, r)
    pi = np.exp(r[0]) / np.exp(r[0]).sum()
    block = np.eye(3) - pi[None, :]
    np.testing.assert_allclose(J, np.vstack([block, block]), atol=1e-8)
    assert rows.tolist() == [[t, 0, a] for t in range(2) for a in range(3)]


def test_log_policy_jacobian_restricted_to_access():
    """Chain from s0 with H = 1: only (t=0, s=0) is accessible; log pi_0(.|s0) = softmax of
    r(s0, .), which does not depend on r(s1, .)."""
    J, rows = reference.log_policy_jacobian(chain(H=1), [[0.0, 1.0], [5.0, -5.0]])
    assert rows.tolist() == [[0, 0, 0], [0, 0, 1]]
    p = 1 / (1 + E)
    np.testing.assert_allclose(J, [[1 - p, -(1 - p), 0, 0], [-p, p, 0, 0]], atol=1e-8)
