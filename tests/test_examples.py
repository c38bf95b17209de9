"""Tests of the example registry (identifiability.examples)."""

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identifiability as idf
from identifiability import examples
from identifiability.errors import InvalidMDPError, UnknownExampleError


@pytest.mark.parametrize("name", examples.names())
def test_every_example_builds_a_valid_exact_mdp(name):
    mdp = examples.get(name)
    assert isinstance(mdp, idf.MDP)
    assert mdp.is_exact
    d = examples.describe(name)
    assert d["name"] == name and d["description"] and d["source"]


def test_unknown_example_suggests_close_names():
    with pytest.raises(UnknownExampleError, match="did you mean cao2021-example1-v0"):
        examples.get("cao2021-example-v0")
    with pytest.raises(KeyError):  # also a KeyError, for dict-like use
        examples.get("no-such-thing-v0")


def test_unknown_parameter_is_named():
    with pytest.raises(TypeError, match="no parameter.*'size'"):
        examples.get("gridworld-v0", size=3)


def test_register_rejects_unversioned_and_duplicate_names():
    with pytest.raises(ValueError, match="-v0"):
        examples.register("unversioned", lambda: None)
    with pytest.raises(ValueError, match="already registered"):
        examples.register("chain-v0", lambda: None)


def _naive_gridworld(width, height, stay, slip):
    """Reference construction with explicit loops (tests only)."""
    moves = [(0, -1), (0, 1), (-1, 0), (1, 0)] + ([(0, 0)] if stay else [])
    S, A = width * height, len(moves)
    P = np.zeros((S, A, S), dtype=object)
    P[...] = Fraction(0)
    for s in range(S):
        x, y = s % width, s // width
        succ = []
        for dx, dy in moves:
            nx_, ny_ = min(max(x + dx, 0), width - 1), min(max(y + dy, 0), height - 1)
            succ.append(ny_ * width + nx_)
        for a in range(A):
            P[s, a, succ[a]] += 1 - slip
            for b in range(A):
                P[s, a, succ[b]] += slip / A
    return P


@given(st.integers(1, 4), st.integers(1, 4), st.booleans(),
       st.fractions(0, 1, max_denominator=7))
def test_gridworld_matches_naive_construction(width, height, stay, slip):
    mdp = examples.gridworld(width, height, stay=stay, slip=slip, horizon=2)
    expected = _naive_gridworld(width, height, stay, slip)
    assert mdp.n_states == width * height
    assert (mdp.transitions == expected).all()


def test_gridworld_float_slip_gives_float_mdp_and_large_grid_is_sparse():
    m = examples.gridworld(100, 100, stay=True, slip=0.1, horizon=100)
    assert not m.is_exact and m.n_states == 10_000 and m.n_actions == 5
    assert m.n_transitions < 6 * m.n_states * m.n_actions  # sparse: a few successors per pair
    d = m.next_state_distribution(5050, 0)
    assert abs(sum(d.values()) - 1) < 1e-12


def test_gridworld_goal_is_absorbing_and_terminal():
    m = examples.gridworld(3, 3, goal=8, horizon=3)
    assert m.terminal == (8,)
    assert all(m.successors(8, a) == (8,) for a in range(m.n_actions))


@pytest.mark.parametrize("bad", [dict(width=0), dict(width=2.5), dict(slip="3/2"), dict(slip=-0.1)])
def test_gridworld_bad_parameters_raise(bad):
    with pytest.raises(InvalidMDPError):
        examples.gridworld(**{"width": 3, "height": 3, "horizon": 2, **bad})


def _coverage_time(mdp, limit):
    """First T >= 1 with every state reachable in exactly T steps from the start (tests only)."""
    adj = mdp.support.any(axis=1)
    layer = np.zeros(mdp.n_states, dtype=bool)
    layer[list(mdp.start_states)] = True
    for t in range(1, limit + 1):
        layer = adj[layer].any(axis=0)
        if layer.all():
            return t
    return None


@pytest.mark.parametrize("n", range(2, 8))
def test_wielandt_coverage_time_is_extremal(n):
    """proofs/wielandt-coverage-time.md: T_cov = (n-1)^2 + 1 on the Wielandt graph."""
    w = examples.wielandt(n)
    assert _coverage_time(w, 2 * n * n) == (n - 1) ** 2 + 1


@given(st.integers(1, 6), st.integers(1, 3), st.integers(1, 4), st.integers(0, 10**6),
       st.booleans())
def test_random_mdp_is_reproducible_with_requested_support(S, A, support, seed, exact):
    support = min(support, S)
    m = examples.random_mdp(S, A, support=support, seed=seed, exact=exact, horizon=3)
    assert m == examples.random_mdp(S, A, support=support, seed=seed, exact=exact, horizon=3)
    assert m.is_exact == exact
    assert (np.diff(m.row_pointer) == support).all()
    assert m.is_deterministic == (support == 1)


def test_cao_example1_graph():
    m = examples.get("cao2021-example1-v0")
    assert [[m.successors(s, a) for a in range(2)] for s in range(3)] == \
        [[(1,), (2,)], [(0,), (0,)], [(1,), (1,)]]
    assert m.start_states == (0,) and m.gamma == 1


def test_stochastic_fork_and_risky_path_are_stochastic():
    assert not examples.get("stochastic-fork-v0").is_deterministic
    rp = examples.get("risky-path-v0", risk="1/4")
    assert rp.next_state_distribution(0, 1) == {2: Fraction(3, 4), 3: Fraction(1, 4)}
    assert rp.terminal == (2, 3)


BUNDLED = sorted((Path(idf.__file__).parent / "data").glob("*.json"))


def test_there_are_bundled_example_files():
    assert any(p.stem == "cao2021-example1-v0" for p in BUNDLED)


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_files_equal_the_registry(path):
    """The JSON files shipped in identifiability/data are the registry's examples, exactly.

    Regenerate one with ``identifiability examples NAME --save identifiability/data/NAME.json``.
    """
    doc = idf.load(path, with_rewards=True)
    assert doc.metadata == {"example": path.stem}
    assert doc.mdp == examples.get(path.stem)
