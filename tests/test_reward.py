"""Rewards by the shape-prefix rule (seals): R(s, a, s') = R[(s, a, s')[:R.ndim]]."""

import itertools
import re
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from identifiability import InvalidRewardError, MDP, as_reward, broadcast_reward, expected_reward
from identifiability.testing import strategies as ist

F = Fraction
# S = 3 states, A = 2 actions.
MDP32 = MDP([[[0, 1, 0], [0, 0, 1]],
             [["1/2", "1/2", 0], [0, 0, 1]],
             [[0, 0, 1], [1, 0, 0]]], horizon=2)


def _all_indices(mdp):
    return itertools.product(range(mdp.n_states), range(mdp.n_actions), range(mdp.n_states))


@given(st.data(), st.booleans())
def test_broadcast_follows_the_shape_prefix_rule(data, exact):
    mdp = data.draw(ist.mdps(exact=st.booleans()))
    R = data.draw(ist.rewards(mdp, exact=exact))
    out = broadcast_reward(R, mdp)
    assert out.shape == (mdp.n_states, mdp.n_actions, mdp.n_states)
    assert out.dtype == (object if exact else np.float64)
    for idx in _all_indices(mdp):
        assert out[idx] == R[idx[:R.ndim]]
    out[...] = 0                                  # a new writable array, input untouched
    assert R.shape == (mdp.n_states, mdp.n_actions, mdp.n_states)[:R.ndim]


@given(st.data())
def test_as_reward_keeps_shape_and_exactness(data):
    mdp = data.draw(ist.mdps())
    R = data.draw(ist.rewards(mdp, exact=True))
    for form in (R, R.tolist(), np.vectorize(lambda q: f"{q.numerator}/{q.denominator}",
                                             otypes=[object])(R)):
        got = as_reward(form, mdp)
        assert got.dtype == object and got.shape == R.shape and np.array_equal(got, R)
        assert all(type(x) is F for x in got.reshape(-1).tolist())
    ints = as_reward(np.zeros(mdp.n_states, dtype=np.int64), mdp)
    assert ints.dtype == object and all(type(x) is F for x in ints.tolist())
    Rf = data.draw(ist.rewards(mdp, exact=False))
    assert as_reward(Rf, mdp).dtype == np.float64 and np.array_equal(as_reward(Rf, mdp), Rf)


def _expected_message(S, A):
    return re.escape(f"expected ({S},), ({S}, {A}) or ({S}, {A}, {S}) for an MDP with "
                     f"S={S} states and A={A} actions")


@pytest.mark.parametrize("shape", [(4,), (2,), (3, 3), (2, 2), (3, 1), (3, 2, 2), (3, 1, 3),
                                   (2, 2, 3), (3, 2, 3, 1), (1, 3), (2, 3), (), (0,)])
def test_wrong_shapes_name_the_expected_shapes(shape):
    with pytest.raises(InvalidRewardError, match=re.escape(f"reward has shape {shape}; ") +
                       _expected_message(3, 2)):
        as_reward(np.zeros(shape), MDP32)
    with pytest.raises(InvalidRewardError, match=_expected_message(3, 2)):
        broadcast_reward(np.zeros(shape), MDP32)
    with pytest.raises(InvalidRewardError, match=_expected_message(3, 2)):
        expected_reward(MDP32, np.zeros(shape))


@given(st.data())
def test_any_non_prefix_shape_is_rejected(data):
    mdp = data.draw(ist.mdps())
    full = (mdp.n_states, mdp.n_actions, mdp.n_states)
    shape = tuple(data.draw(st.lists(st.integers(1, 6), min_size=1, max_size=4)))
    if shape == full[:len(shape)]:
        broadcast_reward(np.ones(shape), mdp)     # valid: accepted
    else:
        with pytest.raises(InvalidRewardError,
                           match=_expected_message(mdp.n_states, mdp.n_actions)):
            broadcast_reward(np.ones(shape), mdp)


@pytest.mark.parametrize("reward, match", [
    ([1.0, float("nan"), 0.0], r"reward\[1\] is nan; NaN and infinite values are not allowed"),
    (np.array([[0.0, 1.0], [np.inf, 0.0], [0.0, 0.0]]), r"reward\[1, 0\] is inf"),
    ([[1, 2], [3], [4, 5]], r"reward: ragged nested list: reward\[1\] has length 1, expected 2"),
    ([1, [2], 3], r"reward: ragged nested list"),
    ([1, "one", 0], r"reward\[1\]: the string 'one' is not a number"),
    ([1, None, 0], r"reward\[1\] has type NoneType"),
    ([1, 2j, 0], r"reward\[1\] has type complex"),
    ([1, sympy.Symbol("r"), 0], r"reward\[1\] is the symbolic expression r"),
    (np.array([1j, 0, 0]), r"reward has unsupported dtype complex128"),
    ({0: 1, 1: 2, 2: 3}, r"reward has type dict"),
])
def test_bad_reward_entries(reward, match):
    with pytest.raises(InvalidRewardError, match=match):
        as_reward(reward, MDP32)
    with pytest.raises(InvalidRewardError, match=match):
        expected_reward(MDP32, reward)


def test_invalid_reward_error_is_a_value_error():
    assert issubclass(InvalidRewardError, ValueError)


def _dense_expected(mdp, R):
    """Brute-force oracle: sum over s' of P[s, a, s'] * R(s, a, s'), in Python arithmetic."""
    P = mdp.transitions
    out = np.empty((mdp.n_states, mdp.n_actions), dtype=object)
    for s in range(mdp.n_states):
        for a in range(mdp.n_actions):
            out[s, a] = sum((P[s, a, t] * R[(s, a, t)[:R.ndim]] for t in range(mdp.n_states)),
                            F(0))
    return out


@given(st.data())
def test_expected_reward_exact_equals_dense_sum(data):
    mdp = data.draw(ist.mdps())
    R = data.draw(ist.rewards(mdp, exact=True))
    got = expected_reward(mdp, R)
    assert got.shape == (mdp.n_states, mdp.n_actions) and got.dtype == object
    assert np.array_equal(got, _dense_expected(mdp, R))
    # the prefix rule: (S,) and (S, A) rewards do not depend on P at all
    if R.ndim == 1:
        assert all(got[s, a] == R[s] for s in range(mdp.n_states)
                   for a in range(mdp.n_actions))
    if R.ndim == 2:
        assert np.array_equal(got, R)


@given(st.data())
def test_expected_reward_float_matches_dense_sum(data):
    mdp = data.draw(ist.mdps(exact=st.booleans()))
    R = data.draw(ist.rewards(mdp))
    got = expected_reward(mdp, R)
    assert got.dtype == np.float64
    want = (mdp.transitions.astype(float) * broadcast_reward(R, mdp)).sum(axis=2)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@given(st.data())
def test_expected_reward_exactness_switch(data):
    mdp = data.draw(ist.mdps())
    R = data.draw(ist.rewards(mdp, exact=True))
    exact = expected_reward(mdp, R)
    flt = expected_reward(mdp, R, exact=False)
    assert flt.dtype == np.float64
    np.testing.assert_allclose(flt, exact.astype(float), rtol=1e-12, atol=1e-12)
    assert expected_reward(mdp.to_float(), R).dtype == np.float64
    with pytest.raises(InvalidRewardError, match=r"exact=True\) needs an exact reward on an "
                                                 r"exact MDP"):
        expected_reward(mdp.to_float(), R, exact=True)
    with pytest.raises(InvalidRewardError, match=r"needs an exact reward"):
        expected_reward(mdp, R.astype(float), exact=True)


def test_expected_reward_example():
    mdp = MDP([[["1/2", "1/2"]], [[0, 1]]], horizon=1)
    assert expected_reward(mdp, [[[0, 2]], [[5, 1]]]).tolist() == [[F(1)], [F(1)]]
    assert expected_reward(MDP32, [1, 2, 3]).tolist() == [[1, 1], [2, 2], [3, 3]]
    R = np.arange(18).reshape(3, 2, 3)
    assert expected_reward(MDP32, R).tolist() == [[1, 5], [F(13, 2), 11], [14, 15]]
