"""The validated, immutable MDP: every bad input is rejected with a typed, specific
error, and every view (dense, sparse, graph, summary, expectation) agrees with the
transition array it came from."""

import copy
import decimal
import math
import pickle
import re
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from identifiability import FLOAT_ATOL, MDP, InvalidMDPError
from identifiability._numbers import format_number
from identifiability.errors import IdentifiabilityError
from identifiability.testing import strategies as ist

F = Fraction
# Two states, one action: s0 -> s1, s1 -> s1.
OK = [[[0, 1]], [[0, 1]]]


def _dense_sum(P, v):
    """Brute-force oracle for (P v)(s, a) = sum_s' P[s, a, s'] v[s'] in Python arithmetic."""
    S, A, _ = P.shape
    V = v.reshape(S, -1)
    out = np.empty((S, A, V.shape[1]), dtype=object)
    for s in range(S):
        for a in range(A):
            for k in range(V.shape[1]):
                out[s, a, k] = sum((P[s, a, t] * V[t, k] for t in range(S)), F(0))
    return out.reshape((S, A) + v.shape[1:])


def _relabel(mdp, ps, pa):
    """The MDP with state i renamed ps[i] and action j renamed pa[j]."""
    P = np.empty_like(mdp.transitions)
    P[np.ix_(ps, pa, ps)] = mdp.transitions
    init = np.empty_like(mdp.initial)
    init[ps] = mdp.initial
    return MDP(P, init, gamma=mdp.gamma, horizon=mdp.horizon)


def _reachable(mdp):
    """Brute-force oracle: states reachable from the start states (dense boolean closure)."""
    adj = mdp.transitions.astype(float).sum(axis=1) > 0
    reach = np.asarray(mdp.initial, dtype=float) > 0
    for _ in range(mdp.n_states):
        reach = reach | (reach @ adj > 0)
    return int(reach.sum())


# ====================================================================== errors
def test_invalid_mdp_error_is_a_value_error():
    assert issubclass(InvalidMDPError, ValueError)
    assert issubclass(InvalidMDPError, IdentifiabilityError)
    with pytest.raises(ValueError):
        MDP([[[2]]], horizon=1)


@pytest.mark.parametrize("P, match", [
    # NaN and infinities: Python floats, numpy floats, numpy arrays, Decimals.
    ([[[float("nan"), 1]], [[0, 1]]], r"transitions\[0, 0, 0\] is nan"),
    ([[[0, 1]], [[0, float("nan")]]], r"transitions\[1, 0, 1\] is nan"),
    ([[[float("inf"), 1]], [[0, 1]]], r"transitions\[0, 0, 0\] is inf"),
    ([[[0, -math.inf]], [[0, 1]]], r"transitions\[0, 0, 1\] is -inf"),
    ([[[np.float32("inf"), 1]], [[0, 1]]], r"transitions\[0, 0, 0\] is inf"),
    (np.array([[[0, 1.0]], [[np.nan, 1]]]), r"transitions\[1, 0, 0\] is nan; NaN and infinite"),
    (np.array([[[0, np.inf]], [[0, 1]]]), r"transitions\[0, 0, 1\] is inf"),
    ([[[decimal.Decimal("NaN"), 1]], [[0, 1]]], r"transitions\[0, 0, 0\] is Decimal\('NaN'\)"),
    # Negative probabilities name (s, a, s').
    ([[["-1/2", "3/2"]], [[0, 1]]], r"negative probability -1/2 at \(s=0, a=0, s'=0\)"),
    ([[[0, 1]], [[1.5, -0.5]]], r"negative probability -0.5 at \(s=1, a=0, s'=1\)"),
    (np.array([[[0, 1], [1, 0]], [[0, 1], [2, -1]]]),
     r"negative probability -1 at \(s=1, a=1, s'=1\)"),
    # Rows that do not sum to one name state, action and sum.
    ([[["1/2", "1/3"]], [[0, 1]]], r"row \(state 0, action 0\) sums to 5/6 instead of 1"),
    ([[[0, 1]], [[1, 1]]], r"row \(state 1, action 0\) sums to 2 instead of 1"),
    ([[[0, 1]], [[0, 0]]], r"row \(state 1, action 0\) sums to 0 instead of 1"),
    ([[[0.5, 0.4]], [[0, 1]]], r"row \(state 0, action 0\) sums to 0.9 instead of 1 "
                               r"\(float rows must sum to 1 within atol=1e-08"),
    ([[[0, 0]], [[0, 0]]], r"sums to 0 instead of 1; 1 more row\(s\) are wrong too"),
    # Ranks and shapes.
    ([[1, 0], [0, 1]], r"must have 3 dimensions \(S, A, S\).*got 2 \(shape \(2, 2\)\)"),
    ([OK], r"must have 3 dimensions.*got 4 \(shape \(1, 2, 1, 2\)\)"),
    ([1], r"must have 3 dimensions.*got 1"),
    (1, r"must have 3 dimensions.*got 0"),
    (np.full((2, 1, 3), F(1, 3)), r"same number of states on axes 0 and 2, got shape \(2, 1, 3\)"),
    (np.ones((1, 1, 2)) / 2, r"axes 0 and 2, got shape \(1, 1, 2\)"),
    # Ragged nested lists.
    ([[[1, 0]], [[0, 1, 0]]],
     r"ragged nested list: transitions\[1\]\[0\] has length 3, expected 2"),
    ([[[1, 0]], [0]], r"ragged nested list: transitions\[1\]\[0\] is a number"),
    ([[[1, 0]], [[[0], 1]]], r"ragged nested list: transitions\[1\]\[0\]\[0\] is a list"),
    # Empty state or action sets.
    (np.zeros((0, 1, 0)), r"empty state or action set \(shape \(0, 1, 0\)\)"),
    (np.zeros((2, 0, 2)), r"empty state or action set \(shape \(2, 0, 2\)\)"),
    ([], r"must have 3 dimensions"),
    # Entries that are not real numbers name their position.
    ([[["abc", 1]], [[0, 1]]], r"transitions\[0, 0, 0\]: the string 'abc' is not a number"),
    ([[[0, 1]], [[0, "1/0"]]], r"transitions\[1, 0, 1\]: the string '1/0' is not a number"),
    (np.array([[["0", "1"]], [["x", "1"]]]), r"transitions\[1, 0, 0\]: the string 'x'"),
    ([[[1j, 1]], [[0, 1]]], r"transitions\[0, 0, 0\] has type complex"),
    (np.array([[[0j, 1]], [[0, 1]]]), r"unsupported dtype complex128"),
    ([[[None, 1]], [[0, 1]]], r"transitions\[0, 0, 0\] has type NoneType"),
    ([[[0, 1]], [[object(), 1]]], r"transitions\[1, 0, 0\] has type object"),
    ([[[sympy.Symbol("p"), 1]], [[0, 1]]], r"transitions\[0, 0, 0\] is the symbolic expression p"),
    ([[[sympy.sqrt(2) / 2, 1]], [[0, 1]]], r"transitions\[0, 0, 0\] is the symbolic expression"),
    (np.array(["2021-01-01"], dtype="datetime64[D]"), r"unsupported dtype datetime64"),
])
def test_bad_transitions_raise_invalid_mdp_error(P, match):
    with pytest.raises(InvalidMDPError, match=match):
        MDP(P, horizon=1)


def test_transitions_that_are_already_an_mdp():
    mdp = MDP(OK, horizon=1)
    with pytest.raises(InvalidMDPError, match=r"already an MDP; use mdp.replace"):
        MDP(mdp)


@given(st.data())
def test_row_sum_error_names_state_action_and_exact_sum(data):
    mdp = data.draw(ist.mdps())
    s, a = data.draw(ist.state_action_pairs(mdp))
    t = data.draw(st.integers(0, mdp.n_states - 1))
    delta = data.draw(st.fractions(-1, 1, max_denominator=12).filter(bool))
    P = np.array(mdp.transitions)
    if P[s, a, t] + delta < 0:       # keep the entry non-negative: take from the row instead
        delta = -P[s, a, t] if P[s, a, t] != 0 else -delta
    P[s, a, t] += delta
    total = sum(P[s, a].tolist(), F(0))
    assert total != 1
    with pytest.raises(InvalidMDPError, match=re.escape(
            f"row (state {s}, action {a}) sums to {format_number(total)} instead of 1")):
        MDP(P, horizon=1)


@given(st.data())
def test_negative_entry_error_names_its_coordinates(data):
    mdp = data.draw(ist.mdps(exact=st.booleans()))
    s, a = data.draw(ist.state_action_pairs(mdp))
    t = data.draw(st.integers(0, mdp.n_states - 1))
    P = np.array(mdp.transitions)
    P[s, a, t] = -P[s, a, t] - F(1, 2)
    with pytest.raises(InvalidMDPError,
                       match=re.escape(f"negative probability {format_number(P[s, a, t])} "
                                       f"at (s={s}, a={a}, s'={t})")):
        MDP(P, horizon=2)


@given(st.data())
def test_nan_error_names_its_index(data):
    mdp = data.draw(ist.mdps())
    idx = data.draw(st.tuples(*(st.integers(0, n - 1) for n in mdp.transitions.shape)))
    P = mdp.transitions.astype(float)
    P[idx] = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    with pytest.raises(InvalidMDPError,
                       match=re.escape(f"transitions[{idx[0]}, {idx[1]}, {idx[2]}] is ")):
        MDP(P, horizon=1)


def test_float_row_sum_tolerance():
    inside = 0.5 + 0.5 * FLOAT_ATOL
    outside = 0.5 + 2 * FLOAT_ATOL
    assert not MDP([[[0.5, inside]], [[0, 1.0]]], horizon=1).is_exact
    assert MDP([[[0.5, 0.5 - 0.5 * FLOAT_ATOL]], [[0, 1.0]]], horizon=1)
    with pytest.raises(InvalidMDPError, match=r"row \(state 0, action 0\) sums to 1.00000001"):
        MDP([[[0.5, outside]], [[0, 1.0]]], horizon=1)
    with pytest.raises(InvalidMDPError, match=r"sums to 0.99999998"):
        MDP([[[0.5, 0.5 - 2 * FLOAT_ATOL]], [[0, 1.0]]], horizon=1)
    # A looser atol accepts it; the exact path has no tolerance at all.
    assert MDP([[[0.5, outside]], [[0, 1.0]]], horizon=1, atol=1e-6).n_states == 2
    with pytest.raises(InvalidMDPError, match=r"sums to 1000000001/1000000000"):
        MDP([[["1/2", "500000001/1000000000"]], [[0, 1]]], horizon=1)


def test_custom_atol_survives_replace_and_pickling():
    # Regression: replace() and unpickling used to re-validate with the default atol,
    # so an MDP accepted with atol=1e-6 could be neither copied nor pickled.
    mdp = MDP([[[0.5, 0.5 + 2e-8]], [[0, 1.0]]], horizon=1, atol=1e-6)
    assert pickle.loads(pickle.dumps(mdp)) == mdp
    assert mdp.replace(horizon=2).horizon == 2
    assert mdp.replace(initial=[0.5, 0.5 + 2e-8]).start_states == (0, 1)
    with pytest.raises(InvalidMDPError, match=r"initial sums to"):
        mdp.replace(initial=[0.5, 0.5 + 2e-6])


def test_thirds_as_floats_are_accepted_and_as_decimals_rejected():
    assert not MDP([[[1 / 3, 2 / 3]], [[0, 1]]], horizon=1).is_exact
    with pytest.raises(InvalidMDPError, match=r"sums to 999/1000 instead of 1"):
        MDP([[["0.333", "0.666"]], [[0, 1]]], horizon=1)


# ---------------------------------------------------------------------- gamma, horizon
@pytest.mark.parametrize("gamma, match", [
    (2, r"gamma must lie in \[0, 1\], got 2"),
    (-0.1, r"gamma must lie in \[0, 1\], got -0.1"),
    ("11/10", r"gamma must lie in \[0, 1\], got 11/10"),
    (F(-1, 3), r"got -1/3"),
    (float("nan"), r"gamma is nan"),
    (float("inf"), r"gamma is inf"),
    ("abc", r"gamma: the string 'abc' is not a number"),
    (None, r"gamma has type NoneType"),
    ([0.5], r"gamma has type list"),
    (0.5j, r"gamma has type complex"),
    (sympy.Symbol("g"), r"gamma is the symbolic expression g"),
    (True, r"gamma must be a number in \[0, 1\], got the boolean True"),
    (np.False_, r"got the boolean"),
])
def test_bad_gamma(gamma, match):
    with pytest.raises(InvalidMDPError, match=match):
        MDP(OK, gamma=gamma, horizon=3)


@pytest.mark.parametrize("kwargs", [{}, {"gamma": 1}, {"gamma": 1.0}, {"gamma": "1"},
                                    {"gamma": F(1)}, {"gamma": sympy.Integer(1)},
                                    {"gamma": 1, "horizon": None}])
def test_infinite_horizon_needs_gamma_below_one(kwargs):
    with pytest.raises(InvalidMDPError, match=r"infinite horizon \(horizon=None\) needs gamma < 1"):
        MDP(OK, **kwargs)


@pytest.mark.parametrize("horizon, match", [
    (0, r"horizon must be >= 1 \(number of decisions\), got 0"),
    (-3, r"got -3"),
    (np.int64(0), r"got 0"),
    (2.5, r"horizon must be an integer >= 1.*got 2.5"),
    (2.0, r"horizon must be an integer >= 1.*got 2.0"),
    ("3", r"horizon must be an integer >= 1.*got '3'"),
    (True, r"horizon must be an integer >= 1.*got True"),
    (F(3), r"horizon must be an integer"),
    (math.inf, r"horizon must be an integer"),
])
def test_bad_horizon(horizon, match):
    with pytest.raises(InvalidMDPError, match=match):
        MDP(OK, gamma="1/2", horizon=horizon)


def test_good_gamma_and_horizon_types():
    mdp = MDP(OK, gamma=sympy.Rational(9, 10), horizon=np.int64(4))
    assert mdp.gamma == F(9, 10) and type(mdp.gamma) is F
    assert mdp.horizon == 4 and type(mdp.horizon) is int
    for g in (0, 1, "0", F(0)):
        assert type(MDP(OK, gamma=g, horizon=1).gamma) is F
    assert MDP(OK, gamma=0, horizon=None).gamma == 0


# ---------------------------------------------------------------------- initial
@pytest.mark.parametrize("initial, match", [
    ([F(3, 2), F(-1, 2)], r"initial\[1\] = -1/2 is negative"),
    ([1.5, -0.5], r"initial\[1\] = -0.5 is negative"),
    (["1/3", "1/3"], r"initial sums to 2/3 instead of 1"),
    ([0.3, 0.3], r"initial sums to 0.6 instead of 1"),
    ([0, 0], r"initial sums to 0 instead of 1"),
    ([1, 0, 0], r"initial must be a distribution of shape \(2,\), got shape \(3,\)"),
    ([[1, 0]], r"got shape \(1, 2\)"),
    (1, r"got shape \(\)"),
    ([np.nan, 1], r"initial\[0\] is nan"),
    (["a", 1], r"initial\[0\]: the string 'a' is not a number"),
    ([[1], 0], r"initial: ragged nested list"),
])
def test_bad_initial(initial, match):
    with pytest.raises(InvalidMDPError, match=match):
        MDP(OK, initial, horizon=1)


def test_initial_float_tolerance_and_exactness():
    assert not MDP(OK, [0.3, 0.7 + 1e-9], horizon=1).is_exact
    exact = MDP(OK, ["1/3", F(2, 3)], horizon=1)
    assert exact.is_exact and exact.initial.tolist() == [F(1, 3), F(2, 3)]
    assert MDP(OK, horizon=1).initial.tolist() == [F(1, 2), F(1, 2)]
    assert MDP(OK, [1, 0], horizon=1).start_states == (0,)


# ---------------------------------------------------------------------- labels, terminal
@pytest.mark.parametrize("kwargs, match", [
    ({"state_labels": ["a"]}, r"state_labels has 1 entries, expected 2 \(one per state\)"),
    ({"state_labels": ["a", "b", "c"]}, r"state_labels has 3 entries, expected 2"),
    ({"action_labels": ["x", "y"]}, r"action_labels has 2 entries, expected 1 \(one per action\)"),
    ({"state_labels": ["a", "a"]}, r"state_labels must be unique; 'a' appears twice"),
    ({"state_labels": ["a", 1]}, r"state_labels\[1\] is 1 of type int; labels must be strings"),
    ({"action_labels": [None]}, r"action_labels\[0\] is None of type NoneType"),
    ({"state_labels": "ab"}, r"state_labels must be a sequence of 2 strings, got one string"),
    ({"terminal": [2]}, r"terminal: entry 0 has state index 2, outside 0..1"),
    ({"terminal": [0, -1]}, r"terminal: entry 1 has state index -1, outside 0..1"),
    ({"terminal": 5}, r"state index 5, outside 0..1"),
    ({"terminal": [0.5]}, r"terminal: state indices must be integers"),
    ({"terminal": ["s0"]}, r"terminal: state indices must be integers"),
    ({"terminal": [[0]]}, r"terminal: state indices must be a 1-D sequence"),
    ({"terminal": [True]}, r"terminal as a boolean mask must have shape \(2,\), got \(1,\)"),
])
def test_bad_labels_and_terminal(kwargs, match):
    with pytest.raises(InvalidMDPError, match=match):
        MDP(OK, horizon=1, **kwargs)


def test_good_labels_and_terminal():
    mdp = MDP(OK, horizon=1, state_labels=np.array(["x", "y"]), action_labels=("go",),
              terminal=[True, False])
    assert mdp.state_labels == ("x", "y") and mdp.action_labels == ("go",)
    assert mdp.has_labels == (True, True) and mdp.terminal == (0,)
    assert MDP(OK, horizon=1, terminal=[1, 1, 0]).terminal == (0, 1)
    assert MDP(OK, horizon=1, terminal=1).terminal == (1,)
    assert MDP(OK, horizon=1).state_labels == ("s0", "s1")
    assert MDP(OK, horizon=1).has_labels == (False, False)


# ---------------------------------------------------------------------- from_entries
@pytest.mark.parametrize("entries, kwargs, match", [
    ([(2, 0, 0, 1)], {}, r"entries: entry 0 has state index 2, outside 0..1"),
    ([(0, 0, 1, 1), (1, 1, 0, 1)], {}, r"entries: entry 1 has action index 1, outside 0..0"),
    ([(0, 0, -1, 1)], {}, r"entries: entry 0 has next-state index -1, outside 0..1"),
    ([(0.5, 0, 0, 1)], {}, r"entries: state indices must be integers, got dtype float64"),
    ([("0", 0, 0, 1)], {}, r"entries: state indices must be integers"),
    ([(0, 0, 0, "1/2"), (0, 0, 0, "1/2"), (1, 0, 1, 1)], {},
     r"transition \(s=0, a=0, s'=0\) is listed more than once; pass sum_duplicates=True"),
    ([(0, 0, 0)], {}, r"entries\[0\] must be \(s, a, s', p\), got \(0, 0, 0\)"),
    ([(0, 0, 1, 1), (1, 0, 1, 1, 0)], {}, r"entries\[1\] must be \(s, a, s', p\)"),
    ([(0, 0, 1, 1), 7], {}, r"entries\[1\] must be \(s, a, s', p\), got 7"),
    ([(0, 0, 1, 1)], {}, r"row \(state 1, action 0\) sums to 0 instead of 1"),
    ([], {}, r"row \(state 0, action 0\) sums to 0"),
    ([(0, 0, 1, "x"), (1, 0, 1, 1)], {}, r"entries probabilities\[0\]: the string 'x'"),
    ([(0, 0, 1, float("nan")), (1, 0, 1, 1)], {}, r"entries probabilities\[0\] is nan"),
    ([(0, 0, 1, [1]), (1, 0, 1, [1])], {}, r"entries probabilities must have 1 dimension"),
    ([(0, 0, 1, -1), (0, 0, 0, 2), (1, 0, 1, 1)], {},
     r"entries: negative probability -1 at \(s=0, a=0, s'=1\)"),
    ([(0, 0, 1, 1), (1, 0, 1, 1)], {"gamma": 2}, r"gamma must lie in \[0, 1\]"),
    ([(0, 0, 1, 1), (1, 0, 1, 1)], {"horizon": None}, r"needs gamma < 1"),
])
def test_from_entries_errors(entries, kwargs, match):
    kwargs = {"horizon": 1, **kwargs}
    with pytest.raises(InvalidMDPError, match=match):
        MDP.from_entries(entries, 2, 1, **kwargs)


@pytest.mark.parametrize("n_states, n_actions, match", [
    (0, 1, r"n_states must be a positive integer, got 0"),
    (2, -1, r"n_actions must be a positive integer, got -1"),
    (True, 1, r"n_states must be a positive integer, got True"),
    (2.0, 1, r"n_states must be a positive integer, got 2.0"),
])
def test_from_entries_bad_sizes(n_states, n_actions, match):
    with pytest.raises(InvalidMDPError, match=match):
        MDP.from_entries([(0, 0, 0, 1)], n_states, n_actions, horizon=1)


def test_from_entries_array_form_errors():
    i = np.array([0, 1])
    with pytest.raises(InvalidMDPError, match=r"s, a and s' index arrays have different lengths"):
        MDP.from_entries((i, np.array([0]), i, np.array([1, 1])), 2, 1, horizon=1)
    with pytest.raises(InvalidMDPError, match=r"2 index triples but 3 probabilities"):
        MDP.from_entries((i, i * 0, i, np.array([1, 1, 1])), 2, 1, horizon=1)


def test_from_entries_sum_duplicates():
    entries = [(0, 0, 0, "1/4"), (1, 0, 1, 1), (0, 0, 0, "1/4"), (0, 0, 1, "1/2")]
    mdp = MDP.from_entries(entries, 2, 1, horizon=1, sum_duplicates=True)
    assert mdp.transitions.tolist() == [[[F(1, 2), F(1, 2)]], [[0, 1]]]
    mf = MDP.from_entries([(0, 0, 0, 0.25), (0, 0, 0, 0.75), (1, 0, 0, 1.0)], 2, 1,
                          horizon=1, sum_duplicates=True)
    assert not mf.is_exact and mf.transitions.tolist() == [[[1.0, 0.0]], [[1.0, 0.0]]]


# ====================================================================== exactness
def _convert(P, kind):
    flat = P.reshape(-1).tolist()
    conv = {"fraction": lambda x: x, "string": format_number,
            "sympy": lambda x: sympy.Rational(x.numerator, x.denominator),
            "int": lambda x: int(x)}[kind]
    out = np.empty(len(flat), dtype=object)
    out[:] = [conv(x) for x in flat]
    return out.reshape(P.shape)


@pytest.mark.parametrize("kind", ["fraction", "string", "sympy"])
@given(mdp=ist.mdps())
def test_exact_inputs_stay_exact(kind, mdp):
    P = _convert(mdp.transitions, kind)
    init = _convert(mdp.initial, kind)
    gamma = _convert(np.array([mdp.gamma], dtype=object), kind)[0]
    again = MDP(P.tolist(), init.tolist(), gamma=gamma, horizon=mdp.horizon)
    assert again.is_exact and again == mdp
    assert all(type(x) is F for x in again.transitions.reshape(-1).tolist())
    assert np.array_equal(again.transitions, mdp.transitions)


@given(ist.deterministic_mdps(horizon=3))
def test_integer_and_decimal_inputs_stay_exact(mdp):
    ints = mdp.transitions.astype(np.int64)
    assert MDP(ints, horizon=3).is_exact
    assert MDP(ints.tolist(), horizon=3).is_exact
    assert MDP(ints.astype(bool), horizon=3).is_exact
    assert MDP(ints.astype(np.uint8), horizon=3).is_exact
    dec = [[[decimal.Decimal(int(x)) for x in row] for row in block] for block in ints]
    assert MDP(dec, horizon=3).is_exact


def test_decimal_and_string_decimals_are_exact():
    for P in ([[[decimal.Decimal("0.25"), decimal.Decimal("0.75")]], [[0, 1]]],
              [[["0.25", "0.75"]], [[0, 1]]], [[["25e-2", "75e-2"]], [[0, 1]]]):
        mdp = MDP(P, horizon=1)
        assert mdp.is_exact and mdp.transitions[0, 0, 0] == F(1, 4)


@given(st.data())
def test_any_float_entry_makes_it_float(data):
    mdp = data.draw(ist.mdps(horizon=2))
    P = np.array(mdp.transitions)
    s, a = data.draw(ist.state_action_pairs(mdp))
    t = int(np.flatnonzero(P[s, a] != 0)[0])
    P[s, a, t] = float(P[s, a, t])
    m2 = MDP(P, mdp.initial, gamma=mdp.gamma, horizon=2)
    assert not m2.is_exact and m2.transitions.dtype == np.float64
    assert isinstance(m2.gamma, float)
    # float gamma or float initial also makes it float
    assert not mdp.replace(gamma=float(mdp.gamma)).is_exact
    init = mdp.initial.astype(float)
    assert not mdp.replace(initial=init).is_exact
    assert not MDP(mdp.transitions.astype(float), horizon=2).is_exact


def test_sympy_float_and_numpy_float_are_float():
    assert not MDP([[[sympy.Float(0.5), sympy.Float(0.5)]], [[0, 1]]], horizon=1).is_exact
    assert not MDP([[[np.float64(0.5), F(1, 2)]], [[0, 1]]], horizon=1).is_exact


def test_list_of_numpy_arrays_is_accepted():
    mdp = MDP([np.array([[1, 0]]), np.array([[0, 1]])], horizon=1)
    assert mdp.is_exact and mdp.successors(1, 0) == (1,)
    with pytest.raises(InvalidMDPError, match=r"ragged nested list"):
        MDP([np.array([[1, 0]]), np.array([[0, 0, 1]])], horizon=1)


# ====================================================================== structure
@given(ist.mdps(exact=st.booleans()))
def test_structure_matches_dense_transitions(mdp):
    P = mdp.transitions
    S, A = mdp.n_states, mdp.n_actions
    assert P.shape == (S, A, S)
    nz = P != 0
    assert np.array_equal(mdp.support, nz) and mdp.support.dtype == bool
    assert mdp.n_transitions == int(nz.sum())
    assert mdp.is_deterministic == bool(np.all(nz.sum(axis=2) == 1))
    s, a, sn, p = mdp.entries()
    assert len(s) == mdp.n_transitions
    assert np.array_equal(P[s, a, sn], p)
    keys = (s * A + a) * S + sn
    assert np.all(np.diff(keys) > 0)                          # sorted by (s, a, s')
    assert np.array_equal(np.diff(mdp.row_pointer), nz.sum(axis=2).reshape(-1))
    for i in range(S):
        for j in range(A):
            assert mdp.successors(i, j) == tuple(np.flatnonzero(nz[i, j]).tolist())
            dist = mdp.next_state_distribution(i, j)
            assert dist == {t: P[i, j, t] for t in np.flatnonzero(nz[i, j]).tolist()}
    assert mdp.start_states == tuple(np.flatnonzero(np.asarray(mdp.initial) != 0).tolist())


@given(ist.mdps())
def test_successor_queries_reject_bad_indices(mdp):
    with pytest.raises(InvalidMDPError, match=rf"s={mdp.n_states} is not a state index in "
                                              rf"0..{mdp.n_states - 1}"):
        mdp.successors(mdp.n_states, 0)
    with pytest.raises(InvalidMDPError, match=r"a=-1 is not an action index"):
        mdp.next_state_distribution(0, -1)
    with pytest.raises(InvalidMDPError, match=r"s=True is not a state index"):
        mdp.successors(True, 0)
    with pytest.raises(InvalidMDPError, match=r"a=0.0 is not an action index"):
        mdp.successors(0, 0.0)


def test_deterministic_example_and_docstring_facts():
    P = [[[1, 0], [0, 1]], [["1/2", "1/2"], [0, 1]]]
    mdp = MDP(P, initial=[1, 0], horizon=3)
    assert (mdp.n_states, mdp.n_actions, mdp.is_exact, mdp.is_deterministic) == (2, 2, True, False)
    assert mdp.successors(1, 0) == (0, 1) and mdp.n_transitions == 5
    assert MDP([[[0, 1]], [[1, 0]]], horizon=1).is_deterministic


# ====================================================================== immutability
@given(ist.mdps(exact=st.booleans()))
def test_immutable(mdp):
    for name in ("gamma", "horizon", "n_states", "_gamma", "_prob", "new_attribute"):
        with pytest.raises(AttributeError, match="immutable"):
            setattr(mdp, name, 0)
    with pytest.raises(AttributeError, match="immutable"):
        del mdp._gamma
    s, a, sn, p = mdp.entries()
    for arr in (mdp.transitions, mdp.support, mdp.initial, mdp.row_pointer, s, a, sn, p,
                mdp.entries(exact=False)[3]):
        assert not arr.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            arr.reshape(-1)[0] = 0
    before = mdp.transitions.copy()
    v = np.zeros(mdp.n_states)
    mdp.expectation(v)[...] = 7                                 # results are fresh arrays
    assert np.array_equal(mdp.transitions, before)


def test_input_arrays_are_copied_not_frozen():
    P = np.array([[[0.25, 0.75]], [[0.0, 1.0]]])
    init = np.array([0.5, 0.5])
    mdp = MDP(P, init, horizon=1)
    assert P.flags.writeable and init.flags.writeable
    P[0, 0, 0] = 0.5
    init[0] = 1.0
    assert mdp.transitions[0, 0, 0] == 0.25 and mdp.initial[0] == 0.5


# ====================================================================== derived objects
@given(ist.mdps(exact=st.booleans()))
def test_to_float_preserves_support_and_is_close(mdp):
    mf = mdp.to_float()
    assert not mf.is_exact and isinstance(mf.gamma, float)
    assert np.array_equal(mf.support, mdp.support)
    np.testing.assert_allclose(mf.transitions, mdp.transitions.astype(float), rtol=0, atol=1e-15)
    np.testing.assert_allclose(mf.initial, np.asarray(mdp.initial, dtype=float), atol=1e-15)
    assert mf.gamma == float(mdp.gamma) and mf.horizon == mdp.horizon
    assert mf.to_float() == mf
    assert (mf == mdp) == (not mdp.is_exact)


@given(ist.mdps(), ist.horizons(), ist.discounts(allow_one=False))
def test_replace(mdp, H, g):
    assert mdp.replace() == mdp
    m2 = mdp.replace(horizon=H)
    assert m2.horizon == H and m2.gamma == mdp.gamma
    assert np.array_equal(m2.transitions, mdp.transitions)
    assert np.array_equal(m2.initial, mdp.initial) and m2.is_exact
    m3 = mdp.replace(gamma=g, horizon=None)
    assert m3.gamma == g and m3.horizon is None and m3.is_exact
    labels = [f"state {i}" for i in range(mdp.n_states)]
    m4 = mdp.replace(state_labels=labels, terminal=[0])
    assert m4.state_labels == tuple(labels) and m4.terminal == (0,)
    assert m4.replace(state_labels=None, terminal=None) == mdp.replace(terminal=())
    m5 = mdp.replace(initial=None)
    assert m5.initial.tolist() == [F(1, mdp.n_states)] * mdp.n_states
    assert mdp.replace(initial=m5.initial) == m5


def test_replace_validates():
    mdp = MDP(OK, gamma="1/2", horizon=2)
    with pytest.raises(TypeError, match=r"unexpected field\(s\) \['transitions'\]"):
        mdp.replace(transitions=OK)
    with pytest.raises(InvalidMDPError, match=r"needs gamma < 1"):
        mdp.replace(gamma=1, horizon=None)
    with pytest.raises(InvalidMDPError, match=r"initial sums to 2 instead of 1"):
        mdp.replace(initial=[1, 1])
    with pytest.raises(InvalidMDPError, match=r"horizon must be >= 1"):
        mdp.replace(horizon=0)
    with pytest.raises(InvalidMDPError, match=r"action_labels has 2 entries"):
        mdp.replace(action_labels=["a", "b"])
    assert mdp.replace(initial=None).initial.tolist() == [F(1, 2)] * 2
    mf = mdp.to_float().replace(initial=None)
    assert mf.initial.tolist() == [0.5, 0.5] and not mf.is_exact


# ====================================================================== equality, pickling
@given(ist.mdps(exact=st.booleans()))
def test_equality_and_hash_are_consistent(mdp):
    same = MDP(mdp.transitions, mdp.initial, gamma=mdp.gamma, horizon=mdp.horizon)
    assert same == mdp and hash(same) == hash(mdp)
    assert MDP.from_entries(mdp.entries(), mdp.n_states, mdp.n_actions, mdp.initial,
                            gamma=mdp.gamma, horizon=mdp.horizon) == mdp
    assert len({mdp, same}) == 1
    other_h = mdp.replace(horizon=(mdp.horizon or 0) + 1)
    assert other_h != mdp
    assert mdp.replace(state_labels=[f"x{i}" for i in range(mdp.n_states)]) != mdp
    assert mdp.replace(terminal=[0]) != mdp
    assert mdp != "not an MDP" and mdp != mdp.transitions.tolist()


@given(ist.mdps(exact=st.booleans()), st.booleans())
def test_pickle_round_trip(mdp, labelled):
    if labelled:
        mdp = mdp.replace(state_labels=[f"q{i}" for i in range(mdp.n_states)],
                          action_labels=[f"act{j}" for j in range(mdp.n_actions)],
                          terminal=[mdp.n_states - 1])
    for again in (pickle.loads(pickle.dumps(mdp)), copy.deepcopy(mdp), copy.copy(mdp)):
        assert again == mdp and hash(again) == hash(mdp)
        assert again.is_exact == mdp.is_exact and again.terminal == mdp.terminal
        assert again.has_labels == mdp.has_labels and again.state_labels == mdp.state_labels
        assert np.array_equal(again.transitions, mdp.transitions)
        assert type(again.gamma) is type(mdp.gamma)


# ====================================================================== graph
@given(ist.mdps(exact=st.booleans()), st.booleans())
def test_graph_matches_transitions(mdp, labelled):
    if labelled:
        mdp = mdp.replace(action_labels=[f"move{j}" for j in range(mdp.n_actions)],
                          terminal=[0])
    G = mdp.graph()
    P = mdp.transitions
    assert G.is_multigraph() and G.is_directed()
    assert sorted(G.nodes) == list(range(mdp.n_states))
    assert G.number_of_edges() == mdp.n_transitions
    seen = set()
    for s, t, key, d in G.edges(keys=True, data=True):
        assert key == d["action"] and d["action_label"] == mdp.action_labels[key]
        assert d["prob"] == P[s, key, t] and d["prob"] > 0
        assert type(d["prob"]) is (F if mdp.is_exact else float)
        seen.add((s, key, t))
    assert seen == {tuple(x) for x in np.argwhere(mdp.support).tolist()}
    for i, d in G.nodes(data=True):
        assert d["label"] == mdp.state_labels[i] and d["initial"] == mdp.initial[i]
        assert d["terminal"] == (i in mdp.terminal)
    assert G.graph["gamma"] == mdp.gamma and G.graph["horizon"] == mdp.horizon


# ====================================================================== expectation
@given(st.data())
def test_expectation_exact_equals_dense_sum(data):
    mdp = data.draw(ist.mdps())
    v = data.draw(ist.potentials(mdp, exact=True))
    k = data.draw(st.integers(1, 3))
    V = np.stack([data.draw(ist.potentials(mdp, exact=True)) for _ in range(k)], axis=1)
    got = mdp.expectation(v)
    assert got.shape == (mdp.n_states, mdp.n_actions) and got.dtype == object
    assert np.array_equal(got, _dense_sum(mdp.transitions, v))
    gotV = mdp.expectation(V)
    assert gotV.shape == (mdp.n_states, mdp.n_actions, k)
    assert np.array_equal(gotV, _dense_sum(mdp.transitions, V))
    # integer values take the float path unless exact=True is asked for
    ints = np.arange(mdp.n_states)
    assert mdp.expectation(ints).dtype == np.float64
    assert np.array_equal(mdp.expectation(ints, exact=True),
                          _dense_sum(mdp.transitions, ints.astype(object)))


@given(st.data())
def test_expectation_float_matches_einsum(data):
    mdp = data.draw(ist.mdps(exact=st.booleans()))
    v = data.draw(ist.potentials(mdp))
    V = np.stack([v, 2 * v, -v + 1], axis=1)
    P = mdp.transitions.astype(float)
    got = mdp.expectation(v, exact=False)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, np.einsum("ijk,k->ij", P, v), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mdp.expectation(V), np.einsum("ijk,kl->ijl", P, V),
                               rtol=1e-12, atol=1e-12)


def test_expectation_errors():
    mdp = MDP([[["1/2", "1/2"]], [[0, 1]]], horizon=1)
    with pytest.raises(InvalidMDPError,
                       match=r"values must have shape \(2,\) or \(2, k\), got \(3,\)"):
        mdp.expectation([1, 2, 3])
    with pytest.raises(InvalidMDPError, match=r"got \(2, 1, 1\)"):
        mdp.expectation(np.zeros((2, 1, 1)))
    with pytest.raises(InvalidMDPError, match=r"got \(\)"):
        mdp.expectation(1.0)
    with pytest.raises(InvalidMDPError, match=r"expectation\(exact=True\) needs an exact MDP"):
        mdp.to_float().expectation([F(1), F(2)], exact=True)
    with pytest.raises(InvalidMDPError, match=r"entries\(exact=True\) needs an exact MDP"):
        mdp.to_float().entries(exact=True)


# ====================================================================== from_entries
@given(st.data())
def test_from_entries_equals_dense_constructor(data):
    mdp = data.draw(ist.mdps(exact=st.booleans()))
    P = mdp.transitions
    S, A = mdp.n_states, mdp.n_actions
    idx = [tuple(x) for x in np.argwhere(np.ones(P.shape, dtype=bool)).tolist()]
    # Any order, and explicit zeros are allowed (they are dropped).
    keep_zeros = data.draw(st.booleans())
    rows = [(s, a, t, P[s, a, t]) for s, a, t in idx if keep_zeros or P[s, a, t] != 0]
    rows = data.draw(st.permutations(rows))
    kw = dict(gamma=mdp.gamma, horizon=mdp.horizon)
    from_list = MDP.from_entries(rows, S, A, mdp.initial, **kw)
    assert from_list == mdp
    cols = tuple(np.array([r[i] for r in rows]) for i in range(4))
    assert MDP.from_entries(cols, S, A, mdp.initial, **kw) == mdp
    assert MDP.from_entries(mdp.entries(), S, A, mdp.initial, **kw) == mdp


# ====================================================================== relabelling
@given(st.data())
def test_relabelling_states_and_actions_permutes_everything(data):
    mdp = data.draw(ist.mdps(exact=st.booleans()))
    ps, pa = data.draw(ist.permutations_of(mdp))
    m2 = _relabel(mdp, ps, pa)
    S, A = mdp.n_states, mdp.n_actions
    assert m2.n_transitions == mdp.n_transitions
    assert m2.is_deterministic == mdp.is_deterministic and m2.is_exact == mdp.is_exact
    assert np.array_equal(m2.support[np.ix_(ps, pa, ps)], mdp.support)
    for s in range(S):
        for a in range(A):
            assert m2.successors(ps[s], pa[a]) == tuple(sorted(ps[list(mdp.successors(s, a))]))
    assert m2.start_states == tuple(sorted(ps[list(mdp.start_states)]))
    v = data.draw(ist.potentials(mdp, exact=mdp.is_exact))
    v2 = np.empty_like(v)
    v2[ps] = v
    E, E2 = mdp.expectation(v), m2.expectation(v2)
    if mdp.is_exact:
        assert np.array_equal(E2[np.ix_(ps, pa)], E)
    else:
        np.testing.assert_allclose(E2[np.ix_(ps, pa)], E, rtol=1e-12, atol=1e-12)
    d, d2 = mdp.summary(), m2.summary()
    for key in ("n_transitions", "max_successors", "deterministic", "reachable_states"):
        assert d[key] == d2[key]
    assert _relabel(m2, np.argsort(ps), np.argsort(pa)) == mdp


# ====================================================================== summary
@given(ist.mdps(exact=st.booleans()), st.booleans())
def test_summary_fields(mdp, flag):
    if flag:
        mdp = mdp.replace(terminal=[mdp.n_states - 1],
                          state_labels=[f"z{i}" for i in range(mdp.n_states)])
    d = mdp.summary()
    assert d == {
        "n_states": mdp.n_states,
        "n_actions": mdp.n_actions,
        "n_transitions": int(mdp.support.sum()),
        "max_successors": int(mdp.support.sum(axis=2).max()),
        "deterministic": bool(np.all(mdp.support.sum(axis=2) == 1)),
        "exact": mdp.is_exact,
        "gamma": format_number(mdp.gamma),
        "horizon": mdp.horizon,
        "start_states": np.flatnonzero(np.asarray(mdp.initial, dtype=float) > 0).tolist(),
        "reachable_states": _reachable(mdp),
        "terminal_states": list(mdp.terminal),
        "state_labels": list(mdp.state_labels),
        "action_labels": list(mdp.action_labels),
    }
    import json
    json.dumps(d)                                               # JSON-ready


def test_summary_reachability_on_a_chain():
    # 0 -> 1 -> 2 -> 2, 3 -> 0 is never reached from 0.
    P = np.zeros((4, 1, 4), dtype=np.int64)
    P[0, 0, 1] = P[1, 0, 2] = P[2, 0, 2] = P[3, 0, 0] = 1
    assert MDP(P, [1, 0, 0, 0], horizon=2).summary()["reachable_states"] == 3
    assert MDP(P, [0, 0, 0, 1], horizon=2).summary()["reachable_states"] == 4
    assert MDP(P, [0, 0, 1, 0], horizon=2).summary()["reachable_states"] == 1


def test_repr():
    assert repr(MDP(OK, gamma="9/10")) == \
        "<MDP exact deterministic: S=2, A=1, nnz=2, gamma=9/10, horizon=inf>"
    assert repr(MDP([[[0.5, 0.5]], [[0, 1]]], horizon=4)) == \
        "<MDP float stochastic: S=2, A=1, nnz=3, gamma=1.0, horizon=4>"


@given(ist.mdps(max_states=4, max_actions=3))
def test_has_transitions_equals_the_support_mask(m):
    """The vectorised support test agrees with the dense support on every triple,
    and out-of-range indices are simply absent."""
    S, A = m.n_states, m.n_actions
    s, a, sn = np.meshgrid(np.arange(S), np.arange(A), np.arange(S), indexing="ij")
    assert (m.has_transitions(s, a, sn) == m.support).all()
    assert not m.has_transitions(S, 0, 0) and not m.has_transitions(0, A, 0)
    assert not m.has_transitions(-1, 0, 0)
