"""Tests of accessible layers, coverage, periods and the unrolled support DAG.

Each test is named after the claim it checks and cites ``proofs/<id>.md``.  The
oracles are independent: :func:`identifiability.reference.accessible_layers` (a
Python loop over states, actions and successors), dense Boolean matrix powers, and
trajectory enumeration.  Coverage "never" is decided exactly by the oracle through
pigeonhole: among ``L_1 .. L_{2^S + 1}`` two layers coincide, so every layer that ever
occurs at ``t >= 1`` occurs there.
"""

import re
from fractions import Fraction

import networkx as nx
import numpy as np
import pytest
from hypothesis import example, given, note
from hypothesis import strategies as st

import identifiability as idf
from identifiability import examples, reference
from identifiability import graph as g
from identifiability.claims.graph import _walk_gcd  # shared with the theorem registry
from identifiability.errors import InvalidMDPError
from identifiability.graph import Walk
from identifiability.testing import strategies as ist


# ---------------------------------------------------------------------- helpers / oracles
def with_starts(mdp, starts):
    """The same MDP with the uniform start distribution on ``starts``."""
    starts = sorted(set(starts))
    if mdp.is_exact:
        init = [Fraction(1, len(starts)) if s in starts else Fraction(0)
                for s in range(mdp.n_states)]
    else:
        init = [1.0 / len(starts) if s in starts else 0.0 for s in range(mdp.n_states)]
    return mdp.replace(initial=np.array(init, dtype=object if mdp.is_exact else float))


def brute_layers(mdp, H, starts=None):
    """``(H + 1, S)`` bool from the reference oracle (a loop over states and actions)."""
    m = mdp if starts is None else with_starts(mdp, starts)
    out = np.zeros((H + 1, mdp.n_states), dtype=bool)
    for t, L in enumerate(reference.accessible_layers(m, H)):
        out[t, sorted(L)] = True
    return out


def brute_coverage_time(mdp, starts=None):
    """First ``t >= 1`` with ``L_t = S``, or None; exact by pigeonhole over ``2^S + 1`` layers."""
    S = mdp.n_states
    layers = brute_layers(mdp, 2 ** S + 1, starts)
    full = np.flatnonzero(layers[1:].all(axis=1))
    return int(full[0]) + 1 if full.size else None


def brute_period(mdp, starts=None):
    """gcd of the lengths k <= S of closed walks through states reachable from the starts."""
    return _walk_gcd(mdp, brute_layers(mdp, mdp.n_states, starts).any(axis=0))


def relabel(mdp, ps, pa):
    """``P'[ps[s], pa[a], ps[s']] = P[s, a, s']`` and ``mu'[ps[s]] = mu[s]``."""
    s, a, sn, p = mdp.entries()
    init = np.empty(mdp.n_states, dtype=object if mdp.is_exact else float)
    init[ps] = mdp.initial
    return idf.MDP.from_entries((ps[s], pa[a], ps[sn], p), mdp.n_states, mdp.n_actions, init,
                                gamma=mdp.gamma, horizon=mdp.horizon)


def graph_mdp(succ, starts, horizon=3):
    """A deterministic MDP from successor lists (action k goes to succ[s][k mod deg])."""
    S = len(succ)
    A = max(len(x) for x in succ)
    entries = [(s, a, succ[s][a % len(succ[s])], 1) for s in range(S) for a in range(A)]
    init = [1 if s in starts else 0 for s in range(S)]
    init = [Fraction(x, sum(init)) for x in init]
    return idf.MDP.from_entries(entries, S, A, init, horizon=horizon)


@st.composite
def mdps_and_starts(draw, **kwargs):
    """An MDP and a start argument: None (its support), one state, or a set of states."""
    mdp = draw(ist.mdps(**kwargs))
    S = mdp.n_states
    start = draw(st.one_of(st.none(), st.integers(0, S - 1),
                           st.lists(st.integers(0, S - 1), min_size=1, max_size=S)))
    return mdp, start


def start_tuple(mdp, start):
    if start is None:
        return mdp.start_states
    if isinstance(start, int):
        return (start,)
    return tuple(sorted(set(start)))


SWAP = examples.two_state_swap()
CYCLE2 = graph_mdp([[1], [0]], [0], horizon=3)


# ---------------------------------------------------------------------- layers
@given(mdps_and_starts(max_states=5), st.integers(1, 6))
@example((CYCLE2, None), 4)
def test_layers_equal_brute_force(case, H):
    """The vectorised layers equal the reference loop, deterministic and stochastic, any starts.

    Claim: ``L_0`` = the starts, ``L_{t+1}`` = successors of ``L_t`` (theory note §1);
    the definition itself, checked against an independent implementation.
    """
    mdp, start = case
    starts = start_tuple(mdp, start)
    expected = brute_layers(mdp, H, starts)
    assert np.array_equal(g.accessible_layers(mdp, H, start=start), expected)
    assert np.array_equal(g.coverage(mdp, horizon=H, start=start).layers, expected)
    assert np.array_equal(g.unrolled_support(mdp, H, start=start).layers, expected)


@given(ist.mdps(max_states=5, initial="random"), st.integers(1, 40))
def test_coverage_is_absorbing(mdp, H):
    """proofs/coverage-is-absorbing.md: L_T = S with T >= 1 implies L_t = S for all t >= T.

    Also the lemma behind it: then every state has an incoming transition.
    """
    layers = g.accessible_layers(mdp, H)
    full = np.flatnonzero(layers[1:].all(axis=1)) + 1
    if full.size:
        T = int(full[0])
        assert layers[T:].all()
        assert mdp.support.any(axis=(0, 1)).all()
        rep = g.coverage(mdp, horizon=H)
        assert rep.coverage_time == T


def test_coverage_is_absorbing_is_exercised():
    """The absorbing property on cases that do cover (so the property test is not vacuous)."""
    for n in range(2, 6):
        w = examples.wielandt(n, horizon=3 * n * n)
        layers = g.accessible_layers(w)
        T = (n - 1) ** 2 + 1
        assert not layers[T - 1].all() and layers[T:].all()


# ---------------------------------------------------------------------- coverage times
@given(mdps_and_starts(max_states=5))
@example((SWAP, None))
@example((CYCLE2, None))
def test_coverage_time_matches_brute_force(case):
    """Union and single-start coverage times equal the exact pigeonhole oracle.

    proofs/coverage-obstructions.md (the decision procedure) and erratum 1 (single starts).
    """
    mdp, start = case
    starts = start_tuple(mdp, start)
    rep = g.coverage(mdp, start=start)
    T = brute_coverage_time(mdp, starts)
    note(f"T={T}, report: {rep}")
    assert rep.coverage_time == T
    assert (rep.reason is None) == (T is not None)
    assert rep.starts == starts
    assert dict(rep.coverage_time_by_start) == {s0: brute_coverage_time(mdp, [s0])
                                                for s0 in starts}
    assert g.coverage_time(mdp, start=start) == T
    if T is not None:
        assert g.coverage_time(mdp, start=start, max_time=T) == T
        assert g.coverage_time(mdp, start=start, max_time=T - 1) is None
        assert rep.decided_by == "coverage"
    else:
        assert rep.decided_by in ("structure", "repetition")


@pytest.mark.parametrize("n", range(2, 9))
def test_wielandt_coverage_time_via_coverage(n):
    """proofs/wielandt-coverage-time.md: T_cov = (n-1)^2 + 1 on Wielandt graphs, via coverage()."""
    w = examples.wielandt(n)
    rep = g.coverage(w)
    T = (n - 1) ** 2 + 1
    assert rep.coverage_time == T
    assert dict(rep.coverage_time_by_start) == {0: T}
    assert g.coverage_time(w, max_time=T - 1) is None
    assert rep.period == 1


def deterministic_graphs(max_states):
    """Deterministic MDPs with a single start: random functional digraphs unioned over actions."""
    return ist.deterministic_mdps(min_states=1, max_states=max_states, max_actions=3,
                                  initial="single")


@given(deterministic_graphs(7))
def test_coverage_time_bound(mdp):
    """proofs/coverage-time-bound.md: single-start coverage time <= (n-1)^2 + 1.

    The search runs to n^2 + 1 steps, past the bound, and agrees with the exact oracle,
    so a violation would be seen.
    """
    n = mdp.n_states
    rep = g.coverage(mdp)
    (s0,) = mdp.start_states
    T = rep.coverage_time_by_start[s0]
    if n <= 6:
        assert T == brute_coverage_time(mdp)
    if T is not None:
        assert 1 <= T <= (n - 1) ** 2 + 1


@given(ist.mdps(max_states=6, initial="random"))
def test_coverage_time_bound_union(mdp):
    """proofs/coverage-time-bound.md, part 2: the union coverage time also obeys (n-1)^2 + 1."""
    T = g.coverage(mdp, by_start=False).coverage_time
    assert T == brute_coverage_time(mdp)
    if T is not None:
        assert T <= (mdp.n_states - 1) ** 2 + 1


def _all_graphs(n):
    """Every digraph on n states in which every state has at least one successor."""
    import itertools

    subsets = [c for k in range(1, n + 1) for c in itertools.combinations(range(n), k)]
    return itertools.product(subsets, repeat=n)


def test_coverage_time_bound_exhaustive_small():
    """proofs/coverage-time-bound.md on every graph with n <= 3 and every single start.

    The bound is attained (by the Wielandt graph) for each n.
    """
    for n in (1, 2, 3):
        worst = 0
        for succ in _all_graphs(n):
            mdp = graph_mdp([list(x) for x in succ], [0], horizon=1)
            rep = g.coverage(mdp, start=list(range(n)))
            assert rep.coverage_time == brute_coverage_time(mdp, list(range(n)))
            for s0, T in rep.coverage_time_by_start.items():
                assert T == brute_coverage_time(mdp, [s0])
                if T is not None:
                    worst = max(worst, T)
        assert worst == (n - 1) ** 2 + 1


# ---------------------------------------------------------------------- walk certificates
@given(ist.mdps(max_states=5, min_actions=2, initial="random"))
@example(examples.wielandt(4))
@example(SWAP)
def test_walk_certificates_verify(mdp):
    """proofs/coverage-walk-certificates.md: paths[s] is a T-step walk from a start to s."""
    rep = g.coverage(mdp)
    if not rep.covered:
        assert len(rep.paths) == 0
        return
    T = rep.coverage_time
    assert len(rep.paths) == mdp.n_states
    for s in range(mdp.n_states):
        w = rep.paths[s]
        assert isinstance(w, Walk) and w.end == s and w.length == T
        assert g.verify_path(mdp, w, length=T)
        assert g.verify_path(mdp, (list(w.steps), w.end))


def test_walk_certificates_bit_mode_equals_table_mode(monkeypatch):
    """proofs/coverage-walk-certificates.md: the memory-saving mode gives the same walks."""
    for mdp in (examples.wielandt(5), examples.cao2021_example1(),
                examples.gridworld(3, 3, stay=True, slip="1/10", horizon=2),
                examples.random_mdp(7, 2, support=2, seed=5, n_starts=2, horizon=2)):
        rep = g.coverage(mdp)
        assert rep.covered
        table = [rep.paths[s] for s in range(mdp.n_states)]
        monkeypatch.setattr(g, "_PARENT_CELLS", 0)
        bits = [g.coverage(mdp).paths[s] for s in range(mdp.n_states)]
        monkeypatch.undo()
        assert bits == table
        assert all(g.verify_path(mdp, w, length=rep.coverage_time) for w in bits)


def test_verify_path_rejects_bad_walks():
    """verify_path can fail: wrong transition, non-start first state, bad indices, wrong length."""
    mdp = examples.cao2021_example1()          # A -> {B (a0), C (a1)}, B -> A, C -> B
    good = Walk(((0, 1), (2, 0)), 1)           # A -a1-> C -a0-> B
    assert g.verify_path(mdp, good)
    assert not g.verify_path(mdp, Walk(((0, 0), (2, 0)), 1))     # A -a0-> B, not C
    assert not g.verify_path(mdp, Walk(((1, 0),), 0))            # B is not a start
    assert g.verify_path(mdp, Walk(((1, 0),), 0), start=1)
    assert not g.verify_path(mdp, Walk(((0, 5),), 1))            # no action 5
    assert not g.verify_path(mdp, Walk(((0, 0),), 7))            # no state 7
    assert not g.verify_path(mdp, good, length=3)
    assert not g.verify_path(mdp, "not a walk")
    assert g.verify_path(mdp, Walk((), 0))                        # the empty walk at a start


@given(ist.mdps(max_states=4, min_actions=2, initial="random"), st.data())
def test_verify_path_rejects_corrupted_certificates(mdp, data):
    """Changing one action of a certificate to one that cannot make the step is caught."""
    rep = g.coverage(mdp)
    if not rep.covered:
        return
    s = data.draw(st.integers(0, mdp.n_states - 1))
    w = rep.paths[s]
    t = data.draw(st.integers(0, w.length - 1))
    st_, a = w.steps[t]
    nxt = w.states[t + 1]
    bad = [b for b in range(mdp.n_actions) if not mdp.support[st_, b, nxt]]
    if bad:
        steps = list(w.steps)
        steps[t] = (st_, bad[0])
        assert not g.verify_path(mdp, Walk(tuple(steps), w.end))


# ---------------------------------------------------------------------- never covered
NEVER_CASES = {
    # name: (successor lists, starts, tag, offending state, period)
    "periodic-2-cycle": ([[1], [0]], [0], "periodic", 0, 2),
    "no-in-edge": ([[0], [0]], [0], "no-in-edge", 1, 1),
    "start-not-on-cycle": ([[1], [1]], [0], "start-not-on-cycle", 0, 1),
    "unreachable": ([[0], [1]], [0], "unreachable", 1, 1),
    "periodic-part-aperiodic-graph": ([[0], [2], [1]], [0, 1], "periodic", 1, 1),
    "periodic-3-cycle-two-actions": ([[1], [2], [0, 0]], [0], "periodic", 0, 3),
}


@pytest.mark.parametrize("name", sorted(NEVER_CASES))
def test_never_covered_reasons(name):
    """proofs/coverage-obstructions.md: each obstruction is named, with the right state."""
    succ, starts, tag, state, d = NEVER_CASES[name]
    mdp = graph_mdp(succ, starts, horizon=4)
    rep = g.coverage(mdp)
    assert brute_coverage_time(mdp) is None
    assert rep.coverage_time is None and not rep.covered
    assert rep.reason[0] == tag
    assert re.search(rf"state {state}\b", rep.reason[1])
    assert rep.period == d == brute_period(mdp)
    assert all(T is None for T in rep.coverage_time_by_start.values())
    assert len(rep.paths) == 0
    assert rep.reason[1] in rep.explain()
    assert rep.decided_by == ("repetition" if tag == "periodic" else "structure")


@given(ist.mdps(max_states=5, initial="random"))
@example(CYCLE2)
@example(graph_mdp([[0], [2], [1]], [0, 1]))
def test_never_covered_reason_is_sound(mdp):
    """proofs/coverage-obstructions.md: the named state really is missing infinitely often."""
    rep = g.coverage(mdp)
    if rep.covered:
        return
    S = mdp.n_states
    tag, words = rep.reason
    v = int(re.search(r"state (\d+)", words).group(1))
    layers = brute_layers(mdp, 2 ** S + 2 * S + 2)
    assert not layers[1:].all(axis=1).any()
    starts = mdp.start_states
    if tag == "no-in-edge":
        assert not mdp.support[:, :, v].any() and v not in starts
    elif tag == "start-not-on-cycle":
        assert v in starts and not layers[S:, v].any()
    elif tag == "unreachable":
        assert not layers[:, v].any()
    else:
        assert tag == "periodic"
        m = re.search(r"missing from L_(\d+), L_(\d+)", words)
        j, j2 = int(m.group(1)), int(m.group(2))
        p = j2 - j
        assert j >= 1 and p >= 1
        assert not layers[j::p, v].any()


def test_step_bound_fallback_is_labelled(monkeypatch):
    """When the step budget runs out without a decision, "never" is labelled index-bound.

    (Forced here with a budget of 3 on a graph that covers at T = 10: the label is what
    tells a reader that the verdict rests on the RECALLED index bound.)
    """
    monkeypatch.setattr(g, "_step_bound", lambda n: 3)
    rep = g.coverage(examples.wielandt(4))
    assert rep.coverage_time is None
    assert rep.decided_by == "index-bound" and rep.reason[0] == "periodic"
    assert "RECALLED" in rep.reason[1]


# ---------------------------------------------------------------------- union vs single start
def test_two_state_swap_union_coverage_is_descriptive():
    """proofs/union-coverage-is-descriptive.md (theory note §13, erratum 1).

    Swap 0 <-> 1 with both states as starts: the union layers are S at every t >= 1,
    but no single start ever covers.
    """
    mdp = examples.two_state_swap(horizon=6)
    rep = g.coverage(mdp)
    assert rep.layers.all()
    assert rep.coverage_time == 1
    assert dict(rep.coverage_time_by_start) == {0: None, 1: None}
    assert rep.single_start_coverage_time is None
    assert rep.period == 2
    assert "erratum 1" in rep.explain()
    for s0 in (0, 1):
        single = g.coverage(mdp, start=s0)
        assert single.coverage_time is None and single.reason[0] == "periodic"
        assert g.coverage_time(mdp, start=s0) is None


@given(mdps_and_starts(max_states=5))
def test_single_start_layers_are_inside_union_layers(case):
    """proofs/union-coverage-is-descriptive.md: L_t({s0}) is inside L_t(S_0), so T(s0) >= T."""
    mdp, start = case
    starts = start_tuple(mdp, start)
    union = g.accessible_layers(mdp, 8, start=start)
    for s0 in starts:
        assert not (g.accessible_layers(mdp, 8, start=s0) & ~union).any()
    rep = g.coverage(mdp, start=start)
    for T in rep.coverage_time_by_start.values():
        if T is not None:
            assert rep.coverage_time is not None and T >= rep.coverage_time


def test_by_start_argument():
    """by_start selects the single starts; states outside the start set are computed too."""
    mdp = graph_mdp([[1], [0], [0, 2]], [0])     # 0 <-> 1 never covers; from 2 it does
    rep = g.coverage(mdp, by_start=[0, 2])
    assert rep.coverage_time is None
    assert dict(rep.coverage_time_by_start) == {0: None, 2: brute_coverage_time(mdp, [2])} \
        == {0: None, 2: 2}
    mdp = with_starts(examples.wielandt(4), [0, 1])
    assert dict(g.coverage(mdp, by_start=False).coverage_time_by_start) == {}
    assert dict(g.coverage(mdp, by_start=[1]).coverage_time_by_start) == \
        {1: brute_coverage_time(mdp, [1])}
    assert dict(g.coverage(mdp).coverage_time_by_start) == \
        {0: 10, 1: brute_coverage_time(mdp, [1])}


# ---------------------------------------------------------------------- period
@given(mdps_and_starts(max_states=6, deterministic=True, max_actions=2))
@example((CYCLE2, None))
@example((graph_mdp([[1], [2, 3], [0], [4], [1]], [0]), None))   # cycles of lengths 3 and 4
def test_period_equals_brute_force(case):
    """proofs/period-bfs-levels.md: period() = gcd of closed-walk lengths (dense powers)."""
    mdp, start = case
    starts = start_tuple(mdp, start)
    d = g.period(mdp, start=start)
    assert d == brute_period(mdp, starts)
    assert d >= 1   # an MDP's reachable graph always has a cycle


@given(ist.mdps(max_states=5, initial="random"))
def test_period_equals_brute_force_stochastic(mdp):
    """proofs/period-bfs-levels.md on stochastic supports."""
    assert g.period(mdp) == brute_period(mdp)


def test_period_needs_components_not_start_levels():
    """proofs/period-bfs-levels.md: BFS levels from the start over all edges would say 1 here.

    0 -> 1 and 0 -> 2 with the 2-cycle 1 <-> 2: the only cycle has length 2.
    """
    mdp = graph_mdp([[1, 2], [2], [1]], [0])
    assert g.period(mdp) == 2 == brute_period(mdp)


@given(st.integers(1, 9), st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), max_size=25))
def test_scc_equals_networkx(n, extra):
    """The vectorised strongly connected components (used by period) equal networkx's."""
    succ = [[(s + 1) % n] if s % 3 else [s] for s in range(n)]
    for u, v in extra:
        if u < n and v < n:
            succ[u].append(v)
    mdp = graph_mdp(succ, [0])
    G = g._StateGraph.of(mdp)
    comp = g._scc(G, np.ones(n, dtype=bool))
    ours = {frozenset(np.flatnonzero(comp == c).tolist()) for c in np.unique(comp)}
    nxg = nx.DiGraph([(u, v) for u in range(n) for v in succ[u]])
    nxg.add_nodes_from(range(n))
    assert ours == {frozenset(c) for c in nx.strongly_connected_components(nxg)}


# ---------------------------------------------------------------------- relabelling
@given(ist.mdps(max_states=5, initial="random").flatmap(
    lambda m: st.tuples(st.just(m), ist.permutations_of(m))), st.integers(1, 6))
def test_relabelling_permutes_layers(case, H):
    """proofs/graph-relabelling-equivariance.md: renaming states permutes every graph object."""
    mdp, (ps, pa) = case
    new = relabel(mdp, ps, pa)
    rep, rep2 = g.coverage(mdp, horizon=H), g.coverage(new, horizon=H)
    assert np.array_equal(rep2.layers[:, ps], rep.layers)
    assert rep2.coverage_time == rep.coverage_time
    assert dict(rep2.coverage_time_by_start) == \
        {int(ps[s0]): T for s0, T in rep.coverage_time_by_start.items()}
    assert rep2.period == rep.period
    assert (rep2.reason is None) == (rep.reason is None)
    if rep.reason is not None:
        assert rep2.reason[0] == rep.reason[0]
    U, U2 = g.unrolled_support(mdp, H), g.unrolled_support(new, H)
    assert U.n_nodes == U2.n_nodes and U.n_edges == U2.n_edges
    assert sorted(zip(U2.edge_t.tolist(), U2.edge_s.tolist(), U2.edge_a.tolist(),
                      U2.edge_next.tolist())) == \
        sorted(zip(U.edge_t.tolist(), ps[U.edge_s].tolist(), pa[U.edge_a].tolist(),
                   ps[U.edge_next].tolist()))


# ---------------------------------------------------------------------- unrolled support
@given(mdps_and_starts(max_states=4, max_actions=2), st.integers(1, 4))
@example((examples.stochastic_fork(), None), 2)
def test_unrolled_paths_are_trajectories(case, H):
    """proofs/unrolled-paths-are-trajectories.md: source-sink paths = positive trajectories.

    Edge sets agree with the edges used by enumerated trajectories, the number of
    source-sink paths (dynamic programming over the DAG) equals the number of
    trajectories, and the path probabilities add up to ``A^H`` per start (one unit of
    mass per action sequence).
    """
    mdp, start = case
    starts = start_tuple(mdp, start)
    U = g.unrolled_support(mdp, H, start=start)
    taus = list(reference.enumerate_trajectories(mdp, H, start=list(starts)))
    used = {(t, states[t], actions[t], states[t + 1])
            for states, actions, _ in taus for t in range(H)}
    edges = set(zip(U.edge_t.tolist(), U.edge_s.tolist(), U.edge_a.tolist(),
                    U.edge_next.tolist()))
    assert edges == used and len(edges) == U.n_edges
    # Count paths and add up probabilities layer by layer on the DAG.
    count = np.zeros(U.n_nodes, dtype=object)
    mass = np.zeros(U.n_nodes, dtype=object)
    count[:U.node_ptr[1]] = 1
    mass[:U.node_ptr[1]] = Fraction(1) if mdp.is_exact else 1.0
    for t in range(H):
        lo, hi = U.edge_ptr[t], U.edge_ptr[t + 1]
        for k in range(lo, hi):
            count[U.edge_head[k]] += count[U.edge_tail[k]]
            mass[U.edge_head[k]] += mass[U.edge_tail[k]] * U.edge_p[k]
    last = slice(U.node_ptr[H], U.node_ptr[H + 1])
    assert sum(count[last]) == len(taus)
    total = len(starts) * mdp.n_actions ** H
    if mdp.is_exact:
        assert sum(mass[last]) == total
    else:
        assert abs(sum(mass[last]) - total) < 1e-9 * total


@given(mdps_and_starts(max_states=5), st.integers(1, 5))
def test_unrolled_support_indexing_is_consistent(case, H):
    """Node and edge arrays agree with each other and with the MDP (the DAG's bookkeeping)."""
    mdp, start = case
    U = g.unrolled_support(mdp, H, start=start)
    assert np.array_equal(U.node_t, np.repeat(np.arange(H + 1), U.layers.sum(axis=1)))
    assert np.array_equal(U.node_index[U.node_t, U.node_s], np.arange(U.n_nodes))
    assert (U.node_index >= 0).sum() == U.n_nodes
    assert np.array_equal(U.node_t[U.edge_tail], U.edge_t)
    assert np.array_equal(U.node_s[U.edge_tail], U.edge_s)
    assert np.array_equal(U.node_t[U.edge_head], U.edge_t + 1)
    assert np.array_equal(U.node_s[U.edge_head], U.edge_next)
    assert np.array_equal(U.edge_ptr, np.searchsorted(U.edge_t, np.arange(H + 1)))
    key = ((U.edge_t * mdp.n_states + U.edge_s) * mdp.n_actions + U.edge_a) * mdp.n_states \
        + U.edge_next
    assert (np.diff(key) > 0).all()                      # sorted by (t, s, a, s')
    P = mdp.transitions
    assert all(P[s, a, sn] == p for s, a, sn, p in
               zip(U.edge_s.tolist(), U.edge_a.tolist(), U.edge_next.tolist(), U.edge_p.tolist()))
    for t in range(H):                                    # every support edge from L_t is there
        assert mdp.support[U.layers[t]].sum() == U.edge_ptr[t + 1] - U.edge_ptr[t]
    with pytest.raises(ValueError):
        U.edge_tail[0:1] = 0
    nxg = U.to_networkx()
    assert nxg.number_of_nodes() == U.n_nodes and nxg.number_of_edges() == U.n_edges


def test_unrolled_support_index_lookup():
    U = g.unrolled_support(examples.cao2021_example1(), horizon=2)
    assert U.index(0, 0) == 0
    with pytest.raises(KeyError):
        U.index(0, 1)            # B is not a start
    with pytest.raises(KeyError):
        U.index(3, 0)            # beyond the horizon


# ---------------------------------------------------------------------- networkx view
@given(ist.mdps(max_states=5))
def test_state_graph_is_the_collapsed_support(mdp):
    """state_graph has an edge s -> s' exactly when some action moves s to s', listing them."""
    G = g.state_graph(mdp)
    support = mdp.support
    adj = support.any(axis=1)
    assert set(G.edges) == {(int(s), int(sn)) for s, sn in zip(*np.nonzero(adj))}
    for s, sn, data in G.edges(data=True):
        assert data["actions"] == tuple(np.flatnonzero(support[s, :, sn]).tolist())
        assert data["probs"] == tuple(mdp.transitions[s, a, sn] for a in data["actions"])
    assert G.number_of_nodes() == mdp.n_states


# ---------------------------------------------------------------------- errors
def test_infinite_horizon_needs_an_explicit_horizon():
    mdp = examples.cao2021_example1(gamma="1/2").replace(horizon=None)
    with pytest.raises(InvalidMDPError, match="infinite horizon"):
        g.accessible_layers(mdp)
    with pytest.raises(InvalidMDPError, match="pass horizon=H"):
        g.unrolled_support(mdp)
    assert g.accessible_layers(mdp, 3).shape == (4, 3)
    rep = g.coverage(mdp)                     # coverage needs no horizon
    assert rep.layers is None and rep.horizon is None and rep.coverage_time == 3
    assert "horizon" not in rep.explain()


@pytest.mark.parametrize("bad", [-1, 3, 2.0, True, [], [0, 7], "0"])
def test_bad_start_is_rejected(bad):
    mdp = examples.cao2021_example1()
    with pytest.raises(InvalidMDPError, match="start"):
        g.accessible_layers(mdp, start=bad)


@pytest.mark.parametrize("bad", [0, -2, 1.5, True])
def test_bad_horizon_is_rejected(bad):
    mdp = examples.cao2021_example1()
    with pytest.raises(InvalidMDPError, match="horizon"):
        g.accessible_layers(mdp, bad)
    with pytest.raises(InvalidMDPError, match="horizon"):
        g.coverage(mdp, horizon=bad)


def test_float_and_exact_mdps_have_the_same_graph_objects():
    """Only the support matters: the float copy gives identical layers and coverage."""
    m = examples.gridworld(4, 3, stay=True, slip="1/10", horizon=6)
    f = m.to_float()
    assert np.array_equal(g.accessible_layers(m), g.accessible_layers(f))
    assert g.coverage(m).coverage_time == g.coverage(f).coverage_time
    assert g.unrolled_support(f).edge_p.dtype == np.float64
