"""Converters: array layouts, networkx graphs, Gymnasium P dicts, pymdptoolbox.

Round trips are property tests over exact and float MDPs (with and without labels
and terminal flags); every bad input is checked for a typed error whose message
names what is wrong.
"""

import re
from fractions import Fraction

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identifiability
from identifiability import MDP, InvalidMDPError, InvalidRewardError
from identifiability.convert import (
    LAYOUTS,
    from_arrays,
    from_graph,
    from_gymnasium,
    to_arrays,
    to_gymnasium_dict,
    to_mdptoolbox,
)
from identifiability.reward import broadcast_reward, expected_reward
from identifiability.testing import strategies as ist

F = Fraction


decorated = ist.decorated_mdps


exact_mdps = decorated(ist.mdps(exact=True))
float_mdps = decorated(ist.mdps(exact=False))
any_mdps = st.one_of(exact_mdps, float_mdps)


def meta(m):
    """The keyword arguments that rebuild everything of ``m`` except its transitions."""
    return dict(gamma=m.gamma, horizon=m.horizon, terminal=m.terminal,
                state_labels=m.state_labels if m.has_labels[0] else None,
                action_labels=m.action_labels if m.has_labels[1] else None)


# ---------------------------------------------------------------------------- layouts
@given(any_mdps, st.sampled_from(sorted(LAYOUTS)))
def test_layout_round_trip(m, layout):
    P = to_arrays(m, layout)
    back = from_arrays(P, m.initial, layout=layout, **meta(m))
    assert back == m
    assert back.is_exact == m.is_exact


@given(any_mdps)
def test_layouts_are_the_documented_axis_orders(m):
    sas, ass, ssa = (to_arrays(m, L) for L in ("sas", "ass", "ssa"))
    S, A = m.n_states, m.n_actions
    assert sas.shape == (S, A, S) and ass.shape == (A, S, S) and ssa.shape == (S, S, A)
    for s in range(S):
        for a in range(A):
            for t in range(S):
                assert sas[s, a, t] == ass[a, s, t] == ssa[s, t, a] == m.transitions[s, a, t]
    # Conversions between foreign layouts go through the MDP losslessly.
    assert from_arrays(ass, m.initial, layout="ass", **meta(m)) == \
        from_arrays(ssa, m.initial, layout="ssa", **meta(m))


@given(any_mdps)
def test_to_arrays_returns_a_writable_copy(m):
    P = to_arrays(m)
    assert P.flags.writeable and P.flags.c_contiguous
    P[0, 0, 0] = 7
    assert m.transitions[0, 0, 0] != 7


def test_exactness_is_kept():
    m = from_arrays([[["1/3", "2/3"]], [[0, 1]]], layout="sas", gamma="1/2")
    assert m.is_exact and m.transitions[0, 0, 0] == F(1, 3)
    assert to_arrays(m).dtype == object
    f = from_arrays(np.array([[[0.25, 0.75]], [[0.0, 1.0]]]), gamma=0.5)
    assert not f.is_exact and to_arrays(f).dtype == np.float64


def test_ass_list_of_matrices():
    P0 = np.array([[1, 0], [0, 1]])
    P1 = np.array([[0, 1], [1, 0]])
    m = from_arrays([P0, P1], layout="ass", horizon=2)
    assert m.n_actions == 2 and m.successors(0, 1) == (1,) and m.is_exact
    # A float matrix among exact ones makes the whole MDP float.
    mf = from_arrays([P0, P1.astype(float)], layout="ass", horizon=2)
    assert not mf.is_exact and mf == m.to_float()
    # Fractions in one matrix stay exact.
    half = np.array([[F(1, 2), F(1, 2)], [0, 1]], dtype=object)
    assert from_arrays([P0, half], layout="ass", horizon=1).transitions[0, 1, 1] == F(1, 2)
    with pytest.raises(InvalidMDPError, match="different shapes"):
        from_arrays([P0, np.eye(3)], layout="ass", horizon=1)


class _FakeCOO:
    """The part of the scipy.sparse interface the converter uses (duck typing)."""

    def __init__(self, dense):
        dense = np.asarray(dense)
        self.shape = dense.shape
        self.row, self.col = np.nonzero(dense)
        self.data = dense[self.row, self.col]

    def tocoo(self):
        return self


def test_ass_list_of_sparse_matrices_duck_typed():
    P0 = [[0.5, 0.5], [0.0, 1.0]]
    P1 = [[0.0, 1.0], [1.0, 0.0]]
    m = from_arrays([_FakeCOO(P0), _FakeCOO(P1)], layout="ass", gamma=0.5)
    assert m == from_arrays(np.array([P0, P1]), layout="ass", gamma=0.5)
    with pytest.raises(InvalidMDPError, match="layout 'ass'"):
        from_arrays([_FakeCOO(P0), _FakeCOO(P1)], layout="sas", gamma=0.5)
    with pytest.raises(InvalidMDPError, match="matrix 1 has shape"):
        from_arrays([_FakeCOO(P0), _FakeCOO(np.eye(3))], layout="ass", gamma=0.5)
    # Sparse and dense matrices may be mixed.
    assert from_arrays([_FakeCOO(P0), P1], layout="ass", gamma=0.5) == m
    with pytest.raises(InvalidMDPError, match="a single sparse matrix"):
        from_arrays(_FakeCOO(P0), layout="ass", gamma=0.5)


def test_ass_list_of_scipy_sparse_matrices():
    sparse = pytest.importorskip("scipy.sparse")
    P0 = np.array([[0.5, 0.5], [0.0, 1.0]])
    P1 = np.array([[0.0, 1.0], [1.0, 0.0]])
    dense = from_arrays(np.array([P0, P1]), layout="ass", gamma=0.5)
    kinds = [sparse.csr_matrix, sparse.csc_matrix, sparse.coo_matrix]
    kinds += [getattr(sparse, k) for k in ("csr_array", "coo_array") if hasattr(sparse, k)]
    for fmt in kinds:
        assert from_arrays([fmt(P0), fmt(P1)], layout="ass", gamma=0.5) == dense
    # pymdptoolbox keeps its sparse matrices in a 1-D object array.
    arr = np.empty(2, dtype=object)
    arr[:] = [sparse.csr_matrix(P0), sparse.csr_matrix(P1)]
    assert from_arrays(arr, layout="ass", gamma=0.5) == dense


def test_unknown_layout_names_the_allowed_ones():
    with pytest.raises(InvalidMDPError, match=r"unknown layout 'sss'.*'sas'.*'ass'.*'ssa'"):
        from_arrays(np.ones((1, 1, 1)), layout="sss", horizon=1)
    with pytest.raises(InvalidMDPError, match="unknown layout"):
        to_arrays(MDP([[[1]]], horizon=1), layout="SAS")


@pytest.mark.parametrize("layout,shape", [
    ("sas", (2, 3, 3)), ("ass", (2, 2, 3)), ("ssa", (2, 3, 2)), ("ass", (2, 2)),
    ("sas", (1, 1, 1, 1)),
])
def test_shape_errors_mention_the_layout(layout, shape):
    expected = LAYOUTS[layout].split(" with")[0]
    with pytest.raises(InvalidMDPError, match=rf"layout '{layout}' expects shape "
                                              rf"{re.escape(expected)}.*got shape"):
        from_arrays(np.ones(shape), layout=layout, horizon=1)


def test_validator_errors_pass_through():
    with pytest.raises(InvalidMDPError, match=r"row \(state 0, action 1\) sums to 1/2"):
        from_arrays([[[1, 0], ["1/2", 0]], [[0, 1], [0, 1]]], horizon=1)
    with pytest.raises(InvalidMDPError, match="not a number"):
        from_arrays([[["x"]]], horizon=1)
    with pytest.raises(InvalidMDPError, match="already an MDP"):
        from_arrays(MDP([[[1]]], horizon=1))


def test_mdp_classmethods_delegate():
    m = MDP([[[0, 1]], [[1, 0]]], horizon=2)
    assert MDP.from_arrays(to_arrays(m, "ssa"), layout="ssa", horizon=2) == m
    assert m.to_arrays("ass").shape == (1, 2, 2)
    assert MDP.from_graph(m.graph()) == m
    assert MDP.from_gymnasium(to_gymnasium_dict(m), exact=True, horizon=2) == m


@pytest.mark.parametrize("name", identifiability.examples.names())
def test_every_registered_example_round_trips(name):
    for m in (identifiability.examples.get(name), identifiability.examples.get(name).to_float()):
        for layout in LAYOUTS:
            assert from_arrays(to_arrays(m, layout), m.initial, layout=layout, **meta(m)) == m
        assert from_graph(m.graph()) == m
        assert from_gymnasium(to_gymnasium_dict(m), exact=m.is_exact, initial=m.initial,
                              **meta(m)) == m


# ---------------------------------------------------------------------------- networkx
@given(any_mdps)
def test_graph_round_trip_reads_everything_from_the_graph(m):
    assert from_graph(m.graph()) == m


@given(any_mdps)
def test_graph_round_trip_with_explicit_arguments(m):
    G = m.graph()
    assert from_graph(G, initial=m.initial, gamma=m.gamma, horizon=m.horizon) == m


@given(exact_mdps, st.data())
def test_graph_with_arbitrary_hashable_nodes(m, data):
    """Relabel the nodes to tuples and strings, drop the label attributes."""
    names = data.draw(st.lists(st.one_of(st.tuples(st.integers(), st.text(max_size=2)),
                                         st.text(min_size=1, max_size=3)),
                               min_size=m.n_states, max_size=m.n_states,
                               unique_by=str))
    G = nx.relabel_nodes(m.graph(), dict(enumerate(names)))
    for n in G:
        del G.nodes[n]["label"]
    del G.graph["gamma"]
    got = from_graph(G, gamma=m.gamma)
    expected_labels = tuple(str(n) for n in G)
    if expected_labels == tuple(f"s{i}" for i in range(m.n_states)):
        expected_labels = None
    # nx.relabel_nodes keeps the node order for a non-overlapping mapping.
    assert list(G) == names
    assert got == m.replace(state_labels=expected_labels)


def test_graph_deterministic_digraph_with_action_labels():
    G = nx.DiGraph()
    G.add_edge("A", "B", action="right")
    G.add_edge("B", "A", action="left")
    G.add_edge("A", "A", action="left")
    G.add_edge("B", "B", action="right")
    m = from_graph(G, horizon=3)
    assert m.state_labels == ("A", "B") and m.action_labels == ("right", "left")
    assert m.successors(0, 0) == (1,) and m.successors(0, 1) == (0,)
    assert m.is_exact and m.is_deterministic
    # action_labels= fixes the numbering of string actions.
    m2 = from_graph(G, horizon=3, action_labels=["left", "right"])
    assert m2.action_labels == ("left", "right") and m2.successors(0, 1) == (1,)
    with pytest.raises(InvalidMDPError, match="'right', which is not in action_labels"):
        from_graph(G, horizon=3, action_labels=["left", "up"])


def test_graph_has_labels_flag_keeps_explicit_default_looking_labels():
    m = MDP([[[1, 0]], [[0, 1]]], horizon=1, state_labels=["s0", "s1"], action_labels=["a0"])
    G = m.graph()
    G.graph.pop("has_labels", None)
    # Without the flag, labels that look like the defaults read as "none given" ...
    assert from_graph(G) == m.replace(state_labels=None, action_labels=None)
    # ... and with it (MDP.has_labels) they are kept, and vice versa.
    G.graph["has_labels"] = (True, True)
    assert from_graph(G) == m
    G.graph["has_labels"] = (False, True)
    assert from_graph(G) == m.replace(state_labels=None)


def test_graph_label_attribute_and_integer_nodes():
    G = nx.DiGraph()
    G.add_node(0, label="home")
    G.add_node(1)
    G.add_edge(0, 1, action=0)
    G.add_edge(1, 1, action=0)
    assert from_graph(G, horizon=1).state_labels == ("home", "1")
    H = nx.DiGraph([(0, 1, {"action": 0}), (1, 1, {"action": 0})])
    assert from_graph(H, horizon=1).has_labels == (False, False)
    # Node order is G's order: here state 0 is node 1.
    K = nx.DiGraph([(1, 0, {"action": 0}), (0, 0, {"action": 0})])
    k = from_graph(K, horizon=1)
    assert k.state_labels == ("1", "0") and k.successors(0, 0) == (1,)


def test_graph_stochastic_exact_and_float():
    G = nx.MultiDiGraph()
    G.add_edge(0, 0, action=0, prob="1/3")
    G.add_edge(0, 1, action=0, prob="2/3")
    G.add_edge(1, 1, action=0, prob=1)
    m = from_graph(G, gamma="1/2")
    assert m.is_exact and m.transitions[0, 0, 1] == F(2, 3)
    G.edges[0, 0, 0]["prob"] = 1 / 3
    G.edges[0, 1, 0]["prob"] = 2 / 3
    mf = from_graph(G, gamma=0.5)
    assert not mf.is_exact and mf.transitions[0, 0, 1] == 2 / 3


def test_graph_errors_name_node_and_action():
    G = nx.MultiDiGraph()
    G.add_edge("a", "b", action=0)
    G.add_edge("a", "a", action=1)
    G.add_edge("b", "b", action=1)
    with pytest.raises(InvalidMDPError, match=r"node 'b' \(state 1\) has no outgoing edge "
                                              r"for action 0"):
        from_graph(G, horizon=1)
    # Two deterministic edges for the same (state, action).
    G.add_edge("b", "b", action=0)
    G.add_edge("b", "a", action=0)
    with pytest.raises(InvalidMDPError, match=r"node 'b' \(state 1\) has 2 outgoing edges for "
                                              r"action 0 but edge 'b' -> 'b'.*no 'prob'"):
        from_graph(G, horizon=1)
    # Probabilities that do not sum to 1: the validator's message, with the node.
    for u, v, k in list(G.edges(keys=True)):
        if u == "b" and G.edges[u, v, k]["action"] == 0:
            G.edges[u, v, k]["prob"] = "1/3"
    with pytest.raises(InvalidMDPError, match=r"row \(state 1, action 0\) sums to 2/3 instead "
                                              r"of 1.*state 1 is node 'b'"):
        from_graph(G, horizon=1)
    # Parallel edges repeating (state, action, next state).
    G.add_edge("b", "a", action=0, prob="1/3")
    with pytest.raises(InvalidMDPError, match="two edges to 'a' for action 0"):
        from_graph(G, horizon=1)


def test_graph_other_errors():
    with pytest.raises(InvalidMDPError, match="directed"):
        from_graph(nx.Graph([(0, 1)]), horizon=1)
    with pytest.raises(InvalidMDPError, match="no nodes"):
        from_graph(nx.DiGraph(), horizon=1)
    with pytest.raises(InvalidMDPError, match="no edges"):
        from_graph(_lonely(), horizon=1)
    with pytest.raises(InvalidMDPError, match=r"edge 0 -> 1 has no 'action' attribute"):
        from_graph(nx.DiGraph([(0, 1)]), horizon=1)
    with pytest.raises(InvalidMDPError, match="mixes integer action ids and string"):
        from_graph(nx.DiGraph([(0, 1, {"action": 0}), (1, 0, {"action": "x"})]), horizon=1)
    with pytest.raises(InvalidMDPError, match="actions must be int ids or string labels"):
        from_graph(nx.DiGraph([(0, 0, {"action": 1.5})]), horizon=1)
    with pytest.raises(InvalidMDPError, match="action ids must be integers >= 0"):
        from_graph(nx.DiGraph([(0, 0, {"action": -1})]), horizon=1)
    with pytest.raises(InvalidMDPError, match="expects a networkx DiGraph"):
        from_graph({0: [1]}, horizon=1)
    with pytest.raises(InvalidMDPError, match="prob of edge 0 -> 0"):
        from_graph(nx.DiGraph([(0, 0, {"action": 0, "prob": "most"})]), horizon=1)


def _lonely():
    G = nx.DiGraph()
    G.add_node(0)
    return G


def test_graph_custom_attribute_names():
    G = nx.MultiDiGraph()
    G.add_edge(0, 1, move=0, p="1/2")
    G.add_edge(0, 0, move=0, p="1/2")
    G.add_edge(1, 1, move=0, p=1)
    m = from_graph(G, action_attr="move", prob_attr="p", horizon=2)
    assert m.transitions[0, 0, 1] == F(1, 2)


# ---------------------------------------------------------------------------- gymnasium dict
@given(any_mdps)
def test_gymnasium_dict_round_trip(m):
    P = to_gymnasium_dict(m)
    back = from_gymnasium(P, exact=m.is_exact, initial=m.initial, **meta(m))
    assert back == m


@given(any_mdps)
def test_gymnasium_terminal_flags_come_from_the_tuples(m):
    back = from_gymnasium(to_gymnasium_dict(m), exact=m.is_exact, initial=m.initial,
                          gamma=m.gamma, horizon=m.horizon)
    s, a, sn, p = m.entries()
    reached = set(sn.tolist())
    assert set(back.terminal) == set(m.terminal) & reached


@given(ist.mdps(exact=True).flatmap(lambda m: st.tuples(st.just(m),
                                                        ist.rewards(m, exact=True))))
def test_gymnasium_reward_round_trip_exact(pair):
    m, R = pair
    back, R2 = from_gymnasium(to_gymnasium_dict(m, R), exact=True, initial=m.initial,
                              gamma=m.gamma, horizon=m.horizon, with_reward=True)
    assert back == m and R2.shape == (m.n_states, m.n_actions, m.n_states)
    full = broadcast_reward(R, m)
    assert np.array_equal(R2[m.support], full[m.support])
    assert (R2[~m.support] == 0).all()
    assert np.array_equal(expected_reward(m, R2), expected_reward(m, R))


@given(ist.mdps(exact=False).flatmap(lambda m: st.tuples(st.just(m), ist.rewards(m))))
def test_gymnasium_reward_round_trip_float_is_bitwise(pair):
    m, R = pair
    back, R2 = from_gymnasium(to_gymnasium_dict(m, R), initial=m.initial, gamma=m.gamma,
                              horizon=m.horizon, with_reward=True)
    assert back == m and R2.dtype == np.float64
    assert np.array_equal(R2[m.support], broadcast_reward(R, m)[m.support])


def test_gymnasium_duplicates_are_summed_and_rewards_averaged():
    P = {0: {0: [(1 / 3, 0, -1.0, False), (1 / 3, 0, -100.0, False), (1 / 3, 1, 5.0, True)]},
         1: {0: [(1.0, 1, 0, True)]}}
    m, R = from_gymnasium(P, exact=True, horizon=2, with_reward=True)
    assert m.next_state_distribution(0, 0) == {0: F(2, 3), 1: F(1, 3)}
    assert R[0, 0, 0] == F(-101, 2) and R[0, 0, 1] == 5 and m.terminal == (1,)
    mf, Rf = from_gymnasium(P, horizon=2, with_reward=True)
    assert not mf.is_exact and Rf[0, 0, 0] == pytest.approx(-50.5) and Rf[0, 0, 1] == 5.0
    assert mf.transitions[0, 0, 0] == pytest.approx(2 / 3)


def test_gymnasium_zero_probability_tuples_are_ignored():
    P = {0: {0: [(1.0, 0, 0.0, False), (0.0, 1, 9.0, True)]}, 1: {0: [(1.0, 1, 0.0, False)]}}
    m, R = from_gymnasium(P, exact=True, gamma="1/2", with_reward=True)
    assert m.terminal == () and R[0, 0, 1] == 0 and m.successors(0, 0) == (0,)


def test_gymnasium_exact_rationalisation():
    P = {0: {0: [(0.1, 0, 0, False), (0.9, 0, 0, False)]}}
    assert from_gymnasium(P, exact=True, gamma=0).transitions[0, 0, 0] == 1
    with pytest.raises(InvalidMDPError, match=r"row \(state 0, action 0\) sums to 6/5.*"
                                              r"limit_denominator\(5\).*\[0.1, 0.9\]"):
        from_gymnasium(P, exact=True, gamma=0, max_denominator=5)
    # Exact inputs are never rationalised; float gamma is.
    P2 = {0: {0: [(F(1, 10 ** 9), 0, 0, False), (1 - F(1, 10 ** 9), 0, 0, False)]}}
    m = from_gymnasium(P2, exact=True, gamma=0.9, max_denominator=10)
    assert m.is_exact and m.gamma == F(9, 10)
    with pytest.raises(InvalidMDPError, match="max_denominator must be a positive integer"):
        from_gymnasium(P, exact=True, gamma=0, max_denominator=0)


def test_gymnasium_dict_errors():
    ok = [(1.0, 0, 0.0, False)]
    with pytest.raises(InvalidMDPError, match="no tabular transition dict P"):
        from_gymnasium(object(), gamma=0.5)
    with pytest.raises(InvalidMDPError, match="empty"):
        from_gymnasium({}, gamma=0.5)
    with pytest.raises(InvalidMDPError, match="states 0..1 as keys; found key 5"):
        from_gymnasium({0: {0: ok}, 5: {0: ok}}, gamma=0.5)
    with pytest.raises(InvalidMDPError, match=r"P\[1\] has actions \[0, 1\], but P\[0\] has 0..0"):
        from_gymnasium({0: {0: ok}, 1: {0: ok, 1: ok}}, gamma=0.5)
    with pytest.raises(InvalidMDPError, match=r"P\[0\]\[0\] is empty"):
        from_gymnasium({0: {0: []}}, gamma=0.5)
    with pytest.raises(InvalidMDPError, match=r"P\[0\]\[0\]\[0\] = \(1.0, 0\) is not a tuple"):
        from_gymnasium({0: {0: [(1.0, 0)]}}, gamma=0.5)
    with pytest.raises(InvalidMDPError, match=r"P\[0\]\[0\]\[0\]: next state 3 is not an index"):
        from_gymnasium({0: {0: [(1.0, 3, 0.0, False)]}}, gamma=0.5)
    with pytest.raises(InvalidMDPError, match=r"P\[0\]\[0\]\[0\] probability"):
        from_gymnasium({0: {0: [("lots", 0, 0.0, False)]}}, gamma=0.5)
    with pytest.raises(InvalidMDPError, match="negative probability"):
        from_gymnasium({0: {0: [(-0.5, 0, 0.0, False), (1.5, 0, 0.0, False)]}}, gamma=0.5)
    with pytest.raises(InvalidMDPError, match=r"row \(state 0, action 0\) sums to 0.5"):
        from_gymnasium({0: {0: [(0.5, 0, 0.0, False)]}}, gamma=0.5)
    with pytest.raises(InvalidMDPError, match="infinite horizon"):
        from_gymnasium({0: {0: ok}})


# ---------------------------------------------------------------------------- real envs
@pytest.fixture(scope="module")
def gymnasium():
    return pytest.importorskip("gymnasium")


def _hand_expected_reward(P, S, A):
    r = np.zeros((S, A))
    for s in range(S):
        for a in range(A):
            r[s, a] = sum(p * rew for p, _sn, rew, _d in P[s][a])
    return r


def _hand_kernel(P, S, A):
    T = np.zeros((S, A, S))
    for s in range(S):
        for a in range(A):
            for p, sn, _r, _d in P[s][a]:
                T[s, a, sn] += p
    return T


ENVS = [
    # id, kwargs, S, A, deterministic
    ("FrozenLake-v1", {}, 16, 4, False),
    ("FrozenLake-v1", {"is_slippery": False}, 16, 4, True),
    ("FrozenLake8x8-v1", {}, 64, 4, False),
    ("CliffWalking-v1", {}, 48, 4, True),
    ("CliffWalkingSlippery-v1", {}, 48, 4, False),
    ("Taxi-v4", {}, 500, 6, True),
]


@pytest.mark.parametrize("env_id,kwargs,S,A,det", ENVS,
                         ids=[f"{e}{'-' + str(k) if k else ''}" for e, k, *_ in ENVS])
@pytest.mark.parametrize("exact", [False, True], ids=["float", "exact"])
def test_real_gymnasium_envs(gymnasium, env_id, kwargs, S, A, det, exact):
    env = gymnasium.make(env_id, **kwargs)
    P = env.unwrapped.P
    H = env.spec.max_episode_steps or 50
    m, R = from_gymnasium(env, exact=exact, horizon=H, with_reward=True)
    assert (m.n_states, m.n_actions, m.is_deterministic, m.is_exact) == (S, A, det, exact)
    assert m.horizon == H and m.gamma == 1
    # Rows sum to one (exactly when exact), and the kernel is env.P's, duplicates summed.
    # Sparse checks: a dense (500, 6, 500) object array would take seconds for Taxi.
    s, a, sn, p = m.entries()
    sums = np.add.reduceat(p, m.row_pointer[:-1])
    if exact:
        assert all(v == 1 for v in sums.tolist())
    else:
        np.testing.assert_allclose(sums, 1.0, atol=1e-12)
    dense = np.zeros((S, A, S))
    dense[s, a, sn] = np.asarray(p, dtype=float)
    np.testing.assert_allclose(dense, _hand_kernel(P, S, A), atol=1e-12)
    # Expected rewards against a hand computation from env.P.
    r = np.add.reduceat(np.asarray(R[s, a, sn] * p, dtype=float), m.row_pointer[:-1])
    np.testing.assert_allclose(r.reshape(S, A), _hand_expected_reward(P, S, A), atol=1e-9)
    assert not R[~m.support].any()
    # Initial distribution from the env.
    np.testing.assert_allclose(np.asarray(m.initial, dtype=float),
                               env.unwrapped.initial_state_distrib, atol=1e-12)
    # Terminal: every s' reached with terminated=True.
    term = {sn for s in P for a in P[s] for p, sn, _r, d in P[s][a] if d and p > 0}
    assert set(m.terminal) == term


def test_frozenlake_exact_probabilities(gymnasium):
    m = from_gymnasium(gymnasium.make("FrozenLake-v1"), exact=True, horizon=100)
    assert set(m.entries()[3].tolist()) == {F(1, 3), F(2, 3), F(1, 1)}
    # The raw tuples carry only 1/3 and 1; 2/3 comes from summing wall bounces.
    raw = {F(p).limit_denominator(10 ** 6) for s, d in
           gymnasium.make("FrozenLake-v1").unwrapped.P.items() for a in d for p, *_ in d[a]}
    assert raw == {F(1, 3), F(1)}
    assert m.terminal == (5, 7, 11, 12, 15) and m.start_states == (0,)
    assert m.successors(0, 0) == (0, 4)          # LEFT at the corner: stay or slip down


def test_cliffwalking_is_deterministic_with_cliff_rewards(gymnasium):
    m, R = from_gymnasium(gymnasium.make("CliffWalking-v1"), exact=True, gamma="9/10",
                          with_reward=True)
    assert m.is_deterministic and m.start_states == (36,) and m.terminal == (47,)
    assert set(R[m.support].tolist()) == {-1, -100}
    assert m.successors(36, 1) == (36,) and R[36, 1, 36] == -100   # RIGHT into the cliff


def test_cliffwalking_slippery_mixed_rewards_are_averaged(gymnasium):
    """From the start, UP slips LEFT (bounce, -1) or RIGHT (cliff, -100): both land on 36."""
    m, R = from_gymnasium(gymnasium.make("CliffWalkingSlippery-v1"), exact=True,
                          gamma="9/10", with_reward=True)
    assert m.next_state_distribution(36, 0) == {24: F(1, 3), 36: F(2, 3)}
    assert R[36, 0, 36] == F(-101, 2)
    assert expected_reward(m, R)[36, 0] == F(-1, 3) + F(-1, 3) + F(-100, 3)


def test_taxi_initial_distribution_is_exact(gymnasium):
    m = from_gymnasium(gymnasium.make("Taxi-v4"), exact=True, horizon=200)
    assert len(m.start_states) == 300
    assert set(m.initial[list(m.start_states)].tolist()) == {F(1, 300)}


def test_env_without_P_is_refused(gymnasium):
    env = gymnasium.make("Blackjack-v1")
    with pytest.raises(InvalidMDPError, match=r"env 'Blackjack-v1' has no tabular transition "
                                              r"dict P"):
        from_gymnasium(env, gamma=0.9)


def test_missing_horizon_hint_mentions_the_time_limit(gymnasium):
    with pytest.raises(InvalidMDPError, match=r"infinite horizon.*horizon=100: "
                                              r"env.spec.max_episode_steps"):
        from_gymnasium(gymnasium.make("FrozenLake-v1"))


def test_to_gymnasium_dict_drives_a_live_env(gymnasium):
    env = gymnasium.make("FrozenLake-v1", is_slippery=False)
    m, R = from_gymnasium(env, exact=True, horizon=100, with_reward=True)
    P = to_gymnasium_dict(m, R, exact=False)
    assert all(type(p) is float and type(r) is float
               for d in P.values() for ts in d.values() for p, _sn, r, _t in ts)
    env.unwrapped.P = P
    env.reset(seed=0)
    for a in (2, 2, 1, 1, 1, 2):                  # right, right, down x3, right: the goal
        obs, reward, terminated, truncated, info = env.step(a)
    assert (obs, reward, terminated) == (15, 1.0, True)
    with pytest.raises(InvalidMDPError, match=r"dict\(exact=True\) needs an exact MDP"):
        to_gymnasium_dict(m.to_float(), exact=True)


def test_gymnasium_env_round_trip_through_the_dict(gymnasium):
    env = gymnasium.make("FrozenLake-v1")
    m, R = from_gymnasium(env, exact=True, horizon=100, with_reward=True)
    back, R2 = from_gymnasium(to_gymnasium_dict(m, R), exact=True, initial=m.initial,
                              horizon=100, with_reward=True)
    assert back == m and np.array_equal(R2, R)


# ---------------------------------------------------------------------------- pymdptoolbox
@given(any_mdps.flatmap(lambda m: st.tuples(st.just(m), ist.rewards(m))))
def test_to_mdptoolbox(pair):
    m, R = pair
    P, r = to_mdptoolbox(m, R)
    assert P.dtype == r.dtype == np.float64
    assert P.shape == (m.n_actions, m.n_states, m.n_states) and r.shape == (m.n_states, m.n_actions)
    np.testing.assert_allclose(P.sum(axis=2), 1.0, atol=1e-12)
    np.testing.assert_allclose(r, np.asarray(expected_reward(m, R), dtype=float))
    assert from_arrays(P, m.initial, layout="ass", **meta(m)) == m.to_float()


def test_pymdptoolbox_forest_round_trip():
    example = pytest.importorskip("mdptoolbox.example")
    P, R = example.forest()                      # P[a, s, s'] (2, 3, 3), R[s, a] (3, 2)
    m = from_arrays(P, layout="ass", gamma=0.9)
    P2, R2 = to_mdptoolbox(m, R)
    np.testing.assert_array_equal(P2, P)
    np.testing.assert_allclose(R2, R)
    pytest.importorskip("scipy.sparse")
    Ps, _ = example.forest(is_sparse=True)        # a list of csr_matrix
    assert from_arrays(Ps, layout="ass", gamma=0.9) == m


def test_to_mdptoolbox_reward_errors():
    with pytest.raises(InvalidRewardError, match="reward has shape"):
        to_mdptoolbox(MDP([[[1]]], horizon=1), [1, 2])



def test_graph_round_trip_keeps_explicit_default_looking_labels_and_atol():
    """mdp.graph() records has_labels and atol, so from_graph restores them exactly."""
    m = MDP([[[0.5, 0.5004]], [[0.0, 1.0]]], horizon=1, atol=1e-3,
            state_labels=["s0", "s1"], action_labels=["a0"])
    back = from_graph(m.graph())
    assert back == m
    assert back.has_labels == (True, True) and back.atol == 1e-3
    plain = MDP([[[1, 0]], [[0, 1]]], horizon=1)
    assert from_graph(plain.graph()).has_labels == (False, False)
