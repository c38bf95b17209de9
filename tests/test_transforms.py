"""Reward transformations (identifiability.transforms): soundness and completeness-lite.

Each claim test cites ``proofs/<id>.md``.  Oracles: the forward models of
``identifiability.behaviour`` (soft value iteration, policy iteration for the optimal
actions) and ``reward.expected_reward``; the completeness test builds the class with
``linalg.Subspace`` from the transformations' own directions.
"""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import identifiability as idf
from identifiability.errors import InvalidParameterError
from identifiability.linalg import Subspace
from identifiability.reward import broadcast_reward, expected_reward
from identifiability.testing import strategies as ist
from identifiability.transforms import (
    Composition,
    ConstantShift,
    ImpossibleTransitionMask,
    PositiveScaling,
    PotentialShaping,
    SPrimeRedistribution,
    Transform,
    compose,
)

infinite_mdps = ist.mdps(horizon=st.none(), max_states=4)
finite_mdps = ist.mdps(horizon=ist.horizons(4), max_states=4)
seeds = st.integers(0, 2 ** 32 - 1)
temperatures = st.sampled_from([0.5, 1.0, 2.0])


def as_float(x):
    return np.array(np.asarray(x).tolist(), dtype=float)


def soft_pi(mdp, R, lam=1.0):
    return idf.soft_policy(mdp, as_float(R), temperature=lam, tol=1e-13)


@st.composite
def mdp_and_reward(draw, mdps=infinite_mdps, exact=True):
    mdp = draw(mdps)
    return mdp, draw(ist.rewards(mdp, exact=exact))


def all_exact(arr):
    return arr.dtype == object and all(isinstance(v, Fraction) for v in arr.reshape(-1).tolist())


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
    """proofs/shaping-invariance-mce.md (remark): stationary Phi fails in finite horizon."""
    mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], horizon=1, gamma=1)
    R = np.zeros((2, 2))
    R2 = PotentialShaping([0, 3]).apply(R, mdp)
    assert np.max(np.abs(soft_pi(mdp, R) - soft_pi(mdp, R2))) > 0.1


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


# ---------------------------------------------------------------------- completeness-lite
def invariance_image(mdp, rng):
    """The MCE class mapped to (S, A) by expected reward, spanned by transformation directions."""
    S, A = mdp.n_states, mdp.n_actions
    cols = [expected_reward(mdp, PotentialShaping(np.eye(S, dtype=np.int64)[s]).delta(mdp))
            for s in range(S)]
    cols += [expected_reward(mdp, cls.sample(mdp, rng).delta(mdp))
             for cls in (SPrimeRedistribution, ImpossibleTransitionMask)]
    V = np.empty((S * A, len(cols)), dtype=object)
    for j, c in enumerate(cols):
        V[:, j] = c.reshape(-1)
    return Subspace.span(V)


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
    for cls in (PotentialShaping, ConstantShift, PositiveScaling, SPrimeRedistribution,
                ImpossibleTransitionMask, Composition):
        out = cls.sample(mdp, seed).apply(R, mdp)
        assert out.dtype == np.float64
    t = SPrimeRedistribution.sample(mdp, seed)
    assert np.max(np.abs(expected_reward(mdp, t.table))) <= 1e-9
