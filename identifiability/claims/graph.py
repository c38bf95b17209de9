"""Claims about reachability, coverage, periods and the unrolled support DAG
(``identifiability.graph``).

The checks compare :mod:`identifiability.graph` with independent oracles written here: layers
by dense Boolean matrix products, coverage "never" decided by pigeonhole (among
``L_1 .. L_{2^S + 1}`` two layers coincide, so every layer that ever occurs at ``t >= 1``
occurs there), periods from the traces of Boolean matrix powers, trajectory enumeration.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np

from ..mdp import MDP
from ..theorems import Instance, register
from .foundations import _instances, _relabel, _seeds


# ---------------------------------------------------------------------- oracles
def _adjacency(mdp):
    return mdp.support.any(axis=1)


def _starts(mdp, start):
    """The start tuple of a ``start`` parameter (None: the support of the initial law)."""
    if start is None:
        return tuple(int(s) for s in mdp.start_states)
    if isinstance(start, int):
        return (start,)
    return tuple(sorted({int(s) for s in start}))


def _brute_layers(mdp, H, starts):
    """``(H + 1, S)`` bool layers by dense Boolean products (independent of graph.py)."""
    adj = _adjacency(mdp).astype(np.int64)
    out = np.zeros((H + 1, mdp.n_states), dtype=bool)
    out[0, list(starts)] = True
    for t in range(H):
        out[t + 1] = (out[t].astype(np.int64) @ adj) > 0
    return out


def _brute_coverage_time(mdp, starts):
    """First ``t >= 1`` with ``L_t = S`` or None, exact by pigeonhole over ``2^S + 1`` layers."""
    layers = _brute_layers(mdp, 2 ** mdp.n_states + 1, starts)
    full = np.flatnonzero(layers[1:].all(axis=1))
    return int(full[0]) + 1 if full.size else None


def _brute_period(mdp, starts):
    """gcd of the lengths ``k <= S`` of closed walks through states reachable from ``starts``."""
    return _walk_gcd(mdp, _brute_layers(mdp, mdp.n_states, starts).any(axis=0))


def _walk_gcd(mdp, reach):
    """gcd of the lengths ``k <= S`` of closed walks inside the boolean state mask ``reach``."""
    S = mdp.n_states
    adj = _adjacency(mdp).astype(np.int64)
    sub = adj[np.ix_(reach, reach)]
    power, d = np.eye(sub.shape[0], dtype=np.int64), 0
    for k in range(1, S + 1):
        power = np.minimum(power @ sub, 1)
        if np.trace(power) > 0:
            d = math.gcd(d, k)
    return d


def _graph_mdp(succ, starts, horizon=3):
    """A deterministic MDP from successor lists (action ``k`` goes to ``succ[s][k mod deg]``)."""
    S, A = len(succ), max(len(x) for x in succ)
    entries = [(s, a, succ[s][a % len(succ[s])], 1) for s in range(S) for a in range(A)]
    init = [Fraction(int(s in starts), len(set(starts))) for s in range(S)]
    return MDP.from_entries(entries, S, A, init, horizon=horizon)


def _start_param(mdp):
    from hypothesis import strategies as st

    S = mdp.n_states
    return st.one_of(st.none(), st.integers(0, S - 1),
                     st.lists(st.integers(0, S - 1), min_size=1, max_size=S))


def _with_start(**kw):
    return _instances(extra=lambda m: {"start": _start_param(m)}, **kw)


# ---------------------------------------------------------------------- coverage
def _absorbing_strategy():
    from hypothesis import strategies as st

    from .. import examples

    wiel = st.integers(2, 5).map(lambda n: Instance(examples.wielandt(n, horizon=3 * n * n)))
    rand = _instances(max_states=5, initial="random", horizon=st.integers(1, 40))
    return st.one_of(rand, wiel)


@register("coverage-is-absorbing",
          statement="If the layers from a start set satisfy L_T = S for some T >= 1, every "
                    "state has an incoming transition and L_t = S for every t >= T.",
          provenance="derived", area="graph",
          tests=("tests/test_graph.py::test_coverage_is_absorbing",
                 "tests/test_graph.py::test_coverage_is_absorbing_is_exercised"),
          strategy=_absorbing_strategy)
def _coverage_is_absorbing(inst):
    from .. import graph as g

    mdp = inst.mdp
    layers = g.accessible_layers(mdp)
    if not np.array_equal(layers, _brute_layers(mdp, mdp.horizon, mdp.start_states)):
        return False, "accessible_layers differs from the dense oracle"
    full = np.flatnonzero(layers[1:].all(axis=1)) + 1
    if not full.size:
        return True, f"no full layer up to H = {mdp.horizon} (premise not met)"
    T = int(full[0])
    ok = bool(layers[T:].all()) and bool(mdp.support.any(axis=(0, 1)).all()) and \
        g.coverage(mdp, horizon=mdp.horizon).coverage_time == T
    return ok, f"first full layer T = {T}; all later layers full: {bool(layers[T:].all())}"


def _obstruction_strategy():
    from hypothesis import strategies as st

    pinned = [([[1], [0]], [0]), ([[0], [0]], [0]), ([[1], [1]], [0]), ([[0], [1]], [0]),
              ([[0], [2], [1]], [0, 1]), ([[1], [2], [0, 0]], [0])]
    fixed = st.sampled_from(pinned).map(lambda c: Instance(_graph_mdp(*c, horizon=4),
                                                           params={"start": None}))
    return st.one_of(_with_start(max_states=4, initial="random"), fixed)


@register("coverage-obstructions",
          statement="graph.coverage decides coverage exactly: its time equals the pigeonhole "
                    "oracle's, and a 'never' names a state that is in no layer t >= 1 of the "
                    "claimed kind (no-in-edge, start-not-on-cycle, unreachable, periodic).",
          provenance="derived", area="graph",
          tests=("tests/test_graph.py::test_coverage_time_matches_brute_force",
                 "tests/test_graph.py::test_never_covered_reasons",
                 "tests/test_graph.py::test_never_covered_reason_is_sound",
                 "tests/test_graph.py::test_step_bound_fallback_is_labelled"),
          strategy=_obstruction_strategy)
def _coverage_obstructions(inst):
    from .. import graph as g

    mdp, start = inst.mdp, inst.params.get("start")
    starts = _starts(mdp, start)
    rep = g.coverage(mdp, start=start)
    T = _brute_coverage_time(mdp, starts)
    if rep.coverage_time != T or (rep.reason is None) != (T is not None):
        return False, f"coverage_time {rep.coverage_time} != oracle {T}"
    by = {s0: _brute_coverage_time(mdp, [s0]) for s0 in starts}
    if dict(rep.coverage_time_by_start) != by:
        return False, f"per-start times {dict(rep.coverage_time_by_start)} != oracle {by}"
    if T is not None:
        return rep.decided_by == "coverage", f"covered at T = {T} ({rep.decided_by})"
    if rep.decided_by not in ("structure", "repetition"):
        return False, f"'never' decided by {rep.decided_by}"
    S = mdp.n_states
    tag, words = rep.reason
    v = int(re.search(r"state (\d+)", words).group(1))
    layers = _brute_layers(mdp, 2 ** S + 2 * S + 2, starts)
    if tag == "no-in-edge":
        ok = not mdp.support[:, :, v].any() and v not in starts
    elif tag == "start-not-on-cycle":
        ok = v in starts and not layers[S:, v].any()
    elif tag == "unreachable":
        ok = not layers[:, v].any()
    elif tag == "periodic":
        m = re.search(r"missing from L_(\d+), L_(\d+)", words)
        j, p = int(m.group(1)), int(m.group(2)) - int(m.group(1))
        ok = j >= 1 and p >= 1 and not layers[j::p, v].any()
    else:
        ok = False
    return ok, f"never covered: {tag} at state {v}"


def _bound_strategy():
    from hypothesis import strategies as st

    from .. import examples
    from ..testing import strategies as ist

    single = ist.deterministic_mdps(min_states=1, max_states=6, max_actions=3,
                                    initial="single").map(Instance)
    union = ist.mdps(max_states=5, initial="random").map(Instance)
    wiel = st.integers(2, 6).map(lambda n: Instance(examples.wielandt(n), params={"n": n}))
    return st.one_of(single, union, wiel)


@register("coverage-time-bound",
          statement="If the layers of a single start (or of any start set) ever equal S at some "
                    "T >= 1, the first such T is at most (n - 1)^2 + 1; the Wielandt graph "
                    "attains the bound.",
          provenance="reconstructed", area="graph",
          tests=("tests/test_graph.py::test_coverage_time_bound",
                 "tests/test_graph.py::test_coverage_time_bound_union",
                 "tests/test_graph.py::test_coverage_time_bound_exhaustive_small",
                 "tests/test_graph.py::test_wielandt_coverage_time_via_coverage"),
          strategy=_bound_strategy)
def _coverage_time_bound(inst):
    from .. import graph as g

    mdp = inst.mdp
    n = mdp.n_states
    bound = (n - 1) ** 2 + 1
    rep = g.coverage(mdp)
    times = {None: rep.coverage_time, **dict(rep.coverage_time_by_start)}
    oracle = {None: _brute_coverage_time(mdp, mdp.start_states),
              **{s0: _brute_coverage_time(mdp, [s0]) for s0 in mdp.start_states}}
    if times != oracle:
        return False, f"coverage times {times} != pigeonhole oracle {oracle}"
    over = [T for T in times.values() if T is not None and not 1 <= T <= bound]
    if over:
        return False, f"coverage time {over} exceeds (n - 1)^2 + 1 = {bound}"
    if "n" in inst.params and times[0] != bound:
        return False, f"Wielandt graph: T = {times[0]}, expected the bound {bound}"
    return True, f"times {times} <= {bound}"


def _certificate_strategy():
    from hypothesis import strategies as st

    from .. import examples

    rand = _instances(max_states=5, min_actions=2, initial="random",
                      extra=lambda m: {"seed": _seeds()})
    fixed = st.sampled_from([examples.wielandt(4), examples.two_state_swap()]).map(
        lambda m: Instance(m, params={"seed": 0}))
    return st.one_of(rand, fixed)


@register("coverage-walk-certificates",
          statement="If T >= 1 is the coverage time of the start set, coverage(mdp).paths[s] is "
                    "a walk of exactly T positive-probability steps from a start to s, for every "
                    "state s; verify_path accepts it and rejects a corrupted one.",
          provenance="derived", area="graph",
          tests=("tests/test_graph.py::test_walk_certificates_verify",
                 "tests/test_graph.py::test_verify_path_rejects_bad_walks",
                 "tests/test_graph.py::test_verify_path_rejects_corrupted_certificates",
                 "tests/test_graph.py::test_walk_certificates_bit_mode_equals_table_mode"),
          strategy=_certificate_strategy)
def _coverage_walk_certificates(inst):
    from .. import graph as g
    from ..graph import Walk

    mdp = inst.mdp
    rep = g.coverage(mdp)
    if not rep.covered:
        return len(rep.paths) == 0, "not covered: no certificates"
    T, starts, sup = rep.coverage_time, set(mdp.start_states), mdp.support
    rng = np.random.default_rng(int(inst.params["seed"]))
    for s in range(mdp.n_states):
        w = rep.paths[s]
        states = [st_ for st_, _ in w.steps] + [w.end]
        # by hand, without verify_path
        if w.end != s or len(w.steps) != T or states[0] not in starts or not all(
                sup[a_s, a, nxt] for (a_s, a), nxt in zip(w.steps, states[1:])):
            return False, f"paths[{s}] = {w} is not a {T}-step walk from a start to {s}"
        if not g.verify_path(mdp, w, length=T):
            return False, f"verify_path rejects paths[{s}]"
        t = int(rng.integers(T))
        st_, a = w.steps[t]
        bad = [b for b in range(mdp.n_actions) if not sup[st_, b, states[t + 1]]]
        if bad:
            steps = list(w.steps)
            steps[t] = (st_, bad[0])
            if g.verify_path(mdp, Walk(tuple(steps), w.end)):
                return False, f"verify_path accepts a corrupted copy of paths[{s}]"
    return True, f"{mdp.n_states} certificates of length {T} verified"


def _relabel_graph_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    return _instances(max_states=5, initial="random", horizon=st.integers(1, 6),
                      extra=lambda m: {"perm": ist.permutations_of(m).map(
                          lambda t: [t[0], t[1]])})


@register("graph-relabelling-equivariance",
          statement="Relabelling states and actions maps the layers to sigma(L_t), keeps the "
                    "union and per-start coverage times, the period and the reason tag, and maps "
                    "the unrolled DAG's edges accordingly.",
          provenance="derived", area="graph",
          tests=("tests/test_graph.py::test_relabelling_permutes_layers",),
          strategy=_relabel_graph_strategy)
def _graph_relabelling_equivariance(inst):
    from .. import graph as g

    mdp, H = inst.mdp, inst.mdp.horizon
    ps, pa = (np.asarray(p, dtype=np.int64) for p in inst.params["perm"])
    new = _relabel(mdp, ps, pa)
    rep, rep2 = g.coverage(mdp, horizon=H), g.coverage(new, horizon=H)
    checks = {
        "layers": np.array_equal(rep2.layers[:, ps], rep.layers),
        "time": rep2.coverage_time == rep.coverage_time,
        "by start": dict(rep2.coverage_time_by_start) == {
            int(ps[s0]): T for s0, T in rep.coverage_time_by_start.items()},
        "period": rep2.period == rep.period,
        "reason": (rep.reason is None and rep2.reason is None) or (
            rep.reason is not None and rep2.reason is not None
            and rep2.reason[0] == rep.reason[0]),
    }
    U, U2 = g.unrolled_support(mdp, H), g.unrolled_support(new, H)
    checks["dag"] = sorted(zip(U2.edge_t.tolist(), U2.edge_s.tolist(), U2.edge_a.tolist(),
                               U2.edge_next.tolist())) == sorted(zip(
        U.edge_t.tolist(), ps[U.edge_s].tolist(), pa[U.edge_a].tolist(),
        ps[U.edge_next].tolist())) and U.n_nodes == U2.n_nodes
    bad = [k for k, v in checks.items() if not v]
    return not bad, f"mismatch: {bad}" if bad else "every graph object maps as stated"


def _period_strategy():
    from hypothesis import strategies as st

    pinned = st.sampled_from([([[1, 2], [2], [1]], [0]), ([[1], [2, 3], [0], [4], [1]], [0]),
                              ([[1], [0]], [0])]).map(
        lambda c: Instance(_graph_mdp(*c), params={"start": None}))
    return st.one_of(_with_start(max_states=5, initial="random"), pinned)


@register("period-bfs-levels",
          statement="graph.period (shortest-path levels inside strongly connected components) "
                    "equals the gcd of the cycle lengths of the graph reachable from the starts.",
          provenance="derived", area="graph",
          tests=("tests/test_graph.py::test_period_equals_brute_force",
                 "tests/test_graph.py::test_period_equals_brute_force_stochastic",
                 "tests/test_graph.py::test_period_needs_components_not_start_levels",
                 "tests/test_graph.py::test_scc_equals_networkx",
                 "tests/test_graph.py::test_never_covered_reasons"),
          strategy=_period_strategy)
def _period_bfs_levels(inst):
    from .. import graph as g

    mdp, start = inst.mdp, inst.params.get("start")
    d = g.period(mdp, start=start)
    want = _brute_period(mdp, _starts(mdp, start))
    return d == want and d >= 1, f"period {d}, gcd of closed-walk lengths {want}"


def _union_strategy():
    from hypothesis import strategies as st

    from .. import examples

    swap = Instance(examples.two_state_swap(horizon=6), params={"start": None, "swap": True})
    return st.one_of(_with_start(max_states=5), st.just(swap))


@register("union-coverage-is-descriptive",
          statement="Single-start layers lie inside the union layers, so T(s0) >= T_union; the "
                    "converse fails (the two-state swap: union covered at T = 1, no single start "
                    "ever covers).",
          provenance="derived", area="graph",
          tests=("tests/test_graph.py::test_two_state_swap_union_coverage_is_descriptive",
                 "tests/test_graph.py::test_single_start_layers_are_inside_union_layers",
                 "tests/test_graph.py::test_coverage_time_matches_brute_force"),
          strategy=_union_strategy)
def _union_coverage_is_descriptive(inst):
    from .. import graph as g

    mdp, start = inst.mdp, inst.params.get("start")
    starts = _starts(mdp, start)
    union = g.accessible_layers(mdp, 8, start=start)
    for s0 in starts:
        if (g.accessible_layers(mdp, 8, start=s0) & ~union).any():
            return False, f"L_t({{{s0}}}) is not inside the union layers"
    rep = g.coverage(mdp, start=start)
    for s0, T in rep.coverage_time_by_start.items():
        if T is not None and (rep.coverage_time is None or T < rep.coverage_time):
            return False, f"T({s0}) = {T} < union time {rep.coverage_time}"
    if inst.params.get("swap"):
        by = dict(rep.coverage_time_by_start)
        ok = rep.coverage_time == 1 and by == {0: None, 1: None} and \
            _brute_coverage_time(mdp, starts) == 1 and \
            all(_brute_coverage_time(mdp, [s0]) is None for s0 in starts)
        return ok, f"swap: union time {rep.coverage_time}, per start {by}"
    return True, f"union time {rep.coverage_time}, per start {dict(rep.coverage_time_by_start)}"


def _unrolled_strategy():
    from hypothesis import strategies as st

    from .. import examples

    fork = Instance(examples.stochastic_fork(), params={"start": None})
    return st.one_of(_with_start(max_states=3, max_actions=2, horizon=st.integers(1, 3)),
                     st.just(fork))


@register("unrolled-paths-are-trajectories",
          statement="Source-sink paths of the unrolled support DAG are exactly the positive "
                    "trajectories from the start set, every edge lies on one, and the path "
                    "probabilities sum to |S_0| A^H.",
          provenance="derived", area="graph",
          tests=("tests/test_graph.py::test_unrolled_paths_are_trajectories",
                 "tests/test_graph.py::test_unrolled_support_indexing_is_consistent"),
          strategy=_unrolled_strategy)
def _unrolled_paths_are_trajectories(inst):
    from .. import graph as g
    from .. import reference

    mdp, start, H = inst.mdp, inst.params.get("start"), inst.mdp.horizon
    starts = _starts(mdp, start)
    U = g.unrolled_support(mdp, H, start=start)
    taus = list(reference.enumerate_trajectories(mdp, H, start=list(starts)))
    used = {(t, states[t], actions[t], states[t + 1])
            for states, actions, _ in taus for t in range(H)}
    edges = set(zip(U.edge_t.tolist(), U.edge_s.tolist(), U.edge_a.tolist(),
                    U.edge_next.tolist()))
    if edges != used or len(edges) != U.n_edges:
        return False, f"DAG edges {len(edges)} != transitions used by trajectories {len(used)}"
    count = np.zeros(U.n_nodes, dtype=object)
    mass = np.zeros(U.n_nodes, dtype=object)
    count[:U.node_ptr[1]] = 1
    mass[:U.node_ptr[1]] = Fraction(1)
    for k in range(U.n_edges):          # edges are sorted by time: a forward pass
        count[U.edge_head[k]] += count[U.edge_tail[k]]
        mass[U.edge_head[k]] += mass[U.edge_tail[k]] * U.edge_p[k]
    last = slice(U.node_ptr[H], U.node_ptr[H + 1])
    n_paths, total = sum(count[last]), sum(mass[last])
    want = len(starts) * mdp.n_actions ** H
    ok = n_paths == len(taus) and (total == want if mdp.is_exact else
                                   abs(total - want) < 1e-9 * want)
    return ok, f"{n_paths} paths, {len(taus)} trajectories, mass {total} (want {want})"


def _wielandt_strategy():
    from hypothesis import strategies as st

    from .. import examples

    return st.integers(2, 8).map(lambda n: Instance(examples.wielandt(n), params={"n": n}))


@register("wielandt-coverage-time",
          statement="The Wielandt graph W_n (cycle 0 -> ... -> n-1 -> 0 plus the chord n-1 -> 1, "
                    "start 0) has first coverage time (n - 1)^2 + 1.",
          provenance="derived", area="graph",
          tests=("tests/test_examples.py::test_wielandt_coverage_time_is_extremal",
                 "tests/test_graph.py::test_wielandt_coverage_time_via_coverage"),
          strategy=_wielandt_strategy, examples=7)
def _wielandt_coverage_time(inst):
    from .. import graph as g

    mdp, n = inst.mdp, int(inst.params["n"])
    want = (n - 1) ** 2 + 1
    adj = np.zeros((n, n), dtype=bool)
    adj[np.arange(n), (np.arange(n) + 1) % n] = True
    adj[n - 1, 1] = True
    if not np.array_equal(_adjacency(mdp), adj) or mdp.start_states != (0,):
        return False, f"the instance is not the Wielandt graph W_{n} started at 0"
    layers = _brute_layers(mdp, want + 2 * n, mdp.start_states)
    full = np.flatnonzero(layers[1:].all(axis=1))
    T = int(full[0]) + 1 if full.size else None
    T2 = g.coverage(mdp).coverage_time
    return T == want == T2, f"n = {n}: oracle T = {T}, coverage() T = {T2}, want {want}"
