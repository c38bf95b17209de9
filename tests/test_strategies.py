"""The public hypothesis strategies produce valid objects within their stated bounds."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import find, given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from identifiability import MDP
from identifiability.testing import strategies as ist


def _denominators(arr):
    return {Fraction(x).denominator for x in np.asarray(arr).reshape(-1).tolist()}


# ---------------------------------------------------------------------- distributions
@given(st.data(), st.integers(1, 7), st.integers(1, 7), st.integers(1, 8))
def test_distributions_exact_sum_to_one_with_bounded_support(data, n, max_support, max_den):
    p = data.draw(ist.distributions(n, max_support=max_support, max_denominator=max_den))
    assert p.shape == (n,) and p.dtype == object
    assert all(type(x) is Fraction and x >= 0 for x in p.tolist())
    assert sum(p.tolist(), Fraction(0)) == 1
    k = int(np.count_nonzero(p != 0))
    assert 1 <= k <= min(n, max_support)
    assert max(_denominators(p)) <= max(max_den, k)


@given(st.data(), st.integers(1, 7))
def test_distributions_float_is_float_version(data, n):
    p = data.draw(ist.distributions(n, exact=False))
    assert p.shape == (n,) and p.dtype == np.float64
    assert np.all(p >= 0) and abs(p.sum() - 1.0) < 1e-12


def test_distributions_hit_every_support_size():
    # No hidden filtering: a full-support vector and a one-hot vector are both reachable.
    full = find(ist.distributions(4), lambda p: np.count_nonzero(p != 0) == 4)
    assert np.count_nonzero(full != 0) == 4
    one = find(ist.distributions(4), lambda p: p[3] == 1)
    assert one.tolist() == [0, 0, 0, 1]


def test_distributions_shrink_to_one_hot_at_zero():
    assert find(ist.distributions(3), lambda p: True).tolist() == [1, 0, 0]


# ---------------------------------------------------------------------- kernels
@given(st.data(), st.integers(1, 5), st.integers(1, 3), st.integers(1, 4), st.booleans())
def test_transition_kernels_rows_are_distributions(data, S, A, max_support, exact):
    P = data.draw(ist.transition_kernels(S, A, exact=exact, max_support=max_support))
    assert P.shape == (S, A, S)
    nnz = np.count_nonzero(P != 0, axis=2)
    assert np.all((1 <= nnz) & (nnz <= max_support))
    if exact:
        assert P.dtype == object
        for row in P.reshape(S * A, S).tolist():
            assert sum(row, Fraction(0)) == 1 and min(row) >= 0
    else:
        assert P.dtype == np.float64
        np.testing.assert_allclose(P.sum(axis=2), 1.0, rtol=0, atol=1e-12)


@given(st.data(), st.integers(1, 5), st.integers(1, 3), st.booleans())
def test_deterministic_kernels_are_one_hot(data, S, A, exact):
    P = data.draw(ist.transition_kernels(S, A, exact=exact, deterministic=True))
    assert P.dtype == (np.int64 if exact else np.float64)
    assert np.all(P.sum(axis=2) == 1) and np.all((P == 0) | (P == 1))
    assert MDP(P, horizon=1).is_exact == exact


# ---------------------------------------------------------------------- gamma, horizon
@given(st.data(), st.booleans(), st.booleans(), st.integers(2, 12))
def test_discounts_respect_endpoints_and_denominator(data, allow_zero, allow_one, max_den):
    g = data.draw(ist.discounts(allow_zero=allow_zero, allow_one=allow_one,
                                max_denominator=max_den))
    assert type(g) is Fraction and 0 <= g <= 1
    assert g.denominator <= max_den
    assert allow_zero or g != 0
    assert allow_one or g != 1


@given(ist.discounts(exact=False, allow_one=False))
def test_float_discounts(g):
    assert type(g) is float and 0 < g < 1


def test_discounts_reach_both_endpoints_when_allowed():
    assert find(ist.discounts(allow_zero=True), lambda g: g == 0) == 0
    assert find(ist.discounts(), lambda g: g == 1) == 1


@given(st.data(), st.integers(1, 10))
def test_horizons_in_range(data, max_h):
    h = data.draw(ist.horizons(max_h))
    assert type(h) is int and 1 <= h <= max_h


# ---------------------------------------------------------------------- MDPs
@given(ist.mdps())
def test_default_mdps_are_valid_exact_and_bounded(mdp):
    assert isinstance(mdp, MDP) and mdp.is_exact
    assert 1 <= mdp.n_states <= 5 and 1 <= mdp.n_actions <= 3
    assert mdp.horizon is None or 1 <= mdp.horizon <= 6
    assert mdp.summary()["max_successors"] <= 3
    for row in mdp.transitions.reshape(-1, mdp.n_states).tolist():
        assert sum(row, Fraction(0)) == 1
    assert sum(mdp.initial.tolist(), Fraction(0)) == 1


@given(ist.mdps(exact=st.booleans(), gamma=st.one_of(st.none(), st.just(1))))
def test_infinite_horizon_always_has_gamma_below_one(mdp):
    # gamma drawn from `just(1)` must push the default horizon to a finite one.
    assert mdp.horizon is not None or mdp.gamma < 1


@given(ist.mdps(horizon=st.none()))
def test_explicit_infinite_horizon(mdp):
    assert mdp.horizon is None and 0 < mdp.gamma < 1


@given(ist.mdps(min_states=3, max_states=4, min_actions=2, max_actions=2, horizon=3,
                gamma=Fraction(1, 2), exact=False))
def test_mdps_fixed_values_and_float(mdp):
    assert 3 <= mdp.n_states <= 4 and mdp.n_actions == 2
    assert mdp.horizon == 3 and mdp.gamma == 0.5 and not mdp.is_exact


@given(ist.deterministic_mdps(exact=st.booleans()))
def test_deterministic_mdps(mdp):
    assert mdp.is_deterministic


@given(ist.mdps(deterministic=False, max_support=1))
def test_max_support_one_gives_deterministic(mdp):
    assert mdp.is_deterministic


@pytest.mark.parametrize("mode", ["random", "uniform", "single"])
@given(data=st.data())
def test_initial_modes(mode, data):
    mdp = data.draw(ist.mdps(initial=mode))
    init = mdp.initial.tolist()
    assert sum(init, Fraction(0)) == 1
    if mode == "uniform":
        assert init == [Fraction(1, mdp.n_states)] * mdp.n_states
    if mode == "single":
        assert len(mdp.start_states) == 1


@given(ist.mdps(initial=lambda S: st.just([1] + [0] * (S - 1))))
def test_initial_callable(mdp):
    assert mdp.start_states == (0,)


def test_mdps_explicit_gamma_one_with_infinite_horizon_raises():
    with pytest.raises(InvalidArgument, match="infinite"):
        find(ist.mdps(gamma=1, horizon=st.none()), lambda m: True)


# ---------------------------------------------------------------------- rewards etc.
@pytest.mark.parametrize("arity", [1, 2, 3, None])
@given(data=st.data(), exact=st.booleans())
def test_rewards_arity_bounds_and_type(arity, data, exact):
    mdp = data.draw(ist.mdps(max_states=3))
    R = data.draw(ist.rewards(mdp, arity=arity, exact=exact, min_value=-2, max_value=3))
    full = (mdp.n_states, mdp.n_actions, mdp.n_states)
    assert R.shape == full[:R.ndim] and (arity is None or R.ndim == arity)
    if exact:
        assert R.dtype == object and all(type(x) is Fraction for x in R.reshape(-1).tolist())
        assert max(_denominators(R)) <= 4
    else:
        assert R.dtype == np.float64 and np.all(np.isfinite(R))
        assert np.all((R == 0) | (np.abs(R) >= 1e-6))      # no subnormals / near-underflow
    assert np.all(R >= -2) and np.all(R <= 3)


def test_rewards_any_arity_reaches_all_three():
    mdp = MDP([[[1, 0]], [[0, 1]]], horizon=1)
    for k in (1, 2, 3):
        assert find(ist.rewards(mdp), lambda R, k=k: R.ndim == k).ndim == k


@given(st.data())
def test_rewards_from_an_mdp_strategy(data):
    R = data.draw(ist.rewards(ist.mdps(max_states=2, max_actions=1), arity=2))
    assert R.ndim == 2 and R.shape[0] <= 2 and R.shape[1] == 1


@given(st.data(), st.booleans())
def test_potentials(data, exact):
    mdp = data.draw(ist.mdps())
    phi = data.draw(ist.potentials(mdp, exact=exact))
    assert phi.shape == (mdp.n_states,)
    assert phi.dtype == (object if exact else np.float64)
    assert np.all(np.abs(phi.astype(float)) <= 5)


@given(st.data(), st.booleans(), st.one_of(st.none(), st.integers(1, 4)))
def test_policies_rows_sum_to_one(data, exact, horizon):
    mdp = data.draw(ist.mdps())
    pi = data.draw(ist.policies(mdp, horizon=horizon, exact=exact))
    S, A = mdp.n_states, mdp.n_actions
    assert pi.shape == ((S, A) if horizon is None else (horizon, S, A))
    rows = pi.reshape(-1, A)
    if exact:
        assert pi.dtype == object
        for row in rows.tolist():
            assert sum(row, Fraction(0)) == 1 and min(row) >= 0
    else:
        assert pi.dtype == np.float64
        assert np.all(rows > 0)                             # full support by default
        np.testing.assert_allclose(rows.sum(axis=1), 1.0, rtol=0, atol=1e-12)


@given(st.data())
def test_exact_full_support_policies(data):
    mdp = data.draw(ist.mdps())
    pi = data.draw(ist.policies(mdp, exact=True, full_support=True))
    assert all(x > 0 for x in pi.reshape(-1).tolist())


@given(st.data())
def test_state_action_pairs_and_permutations(data):
    mdp = data.draw(ist.mdps())
    s, a = data.draw(ist.state_action_pairs(mdp))
    assert 0 <= s < mdp.n_states and 0 <= a < mdp.n_actions
    ps, pa = data.draw(ist.permutations_of(mdp))
    assert sorted(ps.tolist()) == list(range(mdp.n_states))
    assert sorted(pa.tolist()) == list(range(mdp.n_actions))


# ---------------------------------------------------------------------- argument checks
_MDP = MDP([[[1]]], horizon=1)


@pytest.mark.parametrize("make, match", [
    (lambda: ist.distributions(0), "n must be >= 1"),
    (lambda: ist.distributions(2.0), "n must be an int"),
    (lambda: ist.distributions(3, exact="yes"), "exact must be a bool"),
    (lambda: ist.distributions(3, max_support=0), "max_support must be >= 1"),
    (lambda: ist.transition_kernels(2, True), "n_actions must be an int"),
    (lambda: ist.discounts(allow_zero=False, allow_one=False, max_denominator=1),
     "max_denominator >= 2"),
    (lambda: ist.horizons(0), "max_horizon must be >= 1"),
    (lambda: ist.horizons(2, min_horizon=3), "must not exceed"),
    (lambda: ist.mdps(min_states=4, max_states=2), "min_states=4 must not exceed"),
    (lambda: ist.mdps(max_actions=0), "max_actions must be >= 1"),
    (lambda: ist.mdps(gamma=1.5), r"gamma must lie in \[0, 1\]"),
    (lambda: ist.mdps(gamma="1/2"), "gamma must be a real number"),
    (lambda: ist.mdps(horizon=0), "horizon must be >= 1"),
    (lambda: ist.mdps(initial="ones"), "initial must be one of"),
    (lambda: ist.mdps(initial=3), "initial must be one of"),
    (lambda: ist.deterministic_mdps(deterministic=False), "fixes deterministic=True"),
    (lambda: ist.rewards("mdp"), "mdp must be an identifiability.MDP"),
    (lambda: ist.rewards(_MDP, arity=0), "arity must be 1, 2, 3"),
    (lambda: ist.rewards(_MDP, min_value=3, max_value=1), "must not exceed"),
    (lambda: ist.rewards(_MDP, max_value=float("inf")), "must be finite"),
    (lambda: ist.potentials(_MDP, exact=1), "exact must be a bool"),
    (lambda: ist.policies(_MDP, horizon=-1), "horizon must be >= 1"),
    (lambda: ist.policies(_MDP, full_support="no"), "full_support must be a bool"),
])
def test_bad_arguments_raise_type_errors_at_construction(make, match):
    with pytest.raises(TypeError, match=match) as info:
        make()
    assert isinstance(info.value, InvalidArgument)


def test_public_api_is_explicit():
    assert set(ist.__all__) >= {"distributions", "transition_kernels", "discounts", "horizons",
                                "mdps", "deterministic_mdps", "rewards", "potentials",
                                "policies"}
    for name in ist.__all__:
        assert callable(getattr(ist, name)) and getattr(ist, name).__doc__
