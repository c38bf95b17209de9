"""Accessible layers, coverage, the time-unrolled support DAG, networkx views.

Everything here depends on the *support graph* of the MDP only: state ``s`` has an
edge to ``s'`` when ``P[s, a, s'] > 0`` for some action ``a``.  Probabilities,
rewards, ``gamma`` and the temperature play no role (theory note
``identifiability.md`` §1, §3.3-3.6, §8).

* :func:`accessible_layers`: ``L_0`` = the start states, ``L_{t+1}`` = the successors
  of ``L_t`` under any action; a boolean ``(H + 1, S)`` array.
* :func:`coverage`: the first ``T >= 1`` with ``L_T = S`` (every state reachable in
  *exactly* ``T`` steps), the reason when there is none, per-start coverage times, the
  period, and a walk certificate per state (:class:`CoverageReport`).
* :func:`coverage_time`: the coverage time alone, optionally capped.
* :func:`period`: the gcd of the cycle lengths of the graph reachable from the starts.
* :func:`unrolled_support`: the time-unrolled support DAG on the nodes ``(t, s)``,
  ``s in L_t``, from which the identifiability systems are built
  (:class:`UnrolledSupport`).
* :func:`state_graph`: the support graph as a :class:`networkx.DiGraph`, actions collapsed.
* :func:`verify_path`: re-check a walk certificate (:class:`Walk`) against an MDP.

Union against single starts (theory note §13, erratum 1): the layers start from the
whole start support, so :attr:`CoverageReport.coverage_time` is a *descriptive* number.
The quick accept of strong identifiability ("``L_T = S`` and ``2T + 1 <= H``") is proved
for the layers of ONE start state; use :attr:`CoverageReport.coverage_time_by_start`.

Implementation: the support graph is deduplicated once into arrays of edges
``(u, v)``; one step of the layer recursion is a gather and a scatter on them,
``O(E)`` with ``E <= nnz`` distinct edges.  Python loops run over time steps (or
breadth-first levels), never over states.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Mapping, NamedTuple

import numpy as np

from .errors import InvalidMDPError
from .mdp import _validate_horizon

__all__ = [
    "reachable_states",
    "accessible_layers",
    "coverage",
    "coverage_time",
    "CoverageReport",
    "Walk",
    "verify_path",
    "period",
    "unrolled_support",
    "UnrolledSupport",
    "state_graph",
]

#: Largest number of (row, edge) pairs gathered at once when propagating several
#: single-start layer sequences together (memory of one batch, in bytes).
_BATCH_CELLS = 1 << 23

#: Walk certificates store a full ``(T, S)`` parent table up to this many cells
#: (8 bytes each); beyond, only the layers as bits.
_PARENT_CELLS = 1 << 24


# ---------------------------------------------------------------------- argument checks
def _resolve_horizon(mdp, horizon, who):
    """``horizon`` validated (int >= 1), defaulting to ``mdp.horizon``; never None."""
    H = mdp.horizon if horizon is None else _validate_horizon(horizon)
    if H is None:
        raise InvalidMDPError(f"{who} needs a finite horizon: this MDP has an infinite horizon "
                              "(horizon=None); pass horizon=H")
    return H


def _is_index(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _starts(mdp, start):
    """``(starts, mask)``: the sorted start states as a tuple and as an ``(S,)`` bool mask."""
    S = mdp.n_states
    if start is None:
        starts = tuple(mdp.start_states)
    else:
        items = [start] if _is_index(start) or isinstance(start, (bool, np.bool_)) else start
        try:
            items = list(items)
        except TypeError:
            raise InvalidMDPError(f"start must be a state index or a sequence of state indices, "
                                  f"got {start!r}") from None
        for x in items:
            if not _is_index(x) or not 0 <= x < S:
                raise InvalidMDPError(f"start={x!r} is not a state index in 0..{S - 1}")
        if not items:
            raise InvalidMDPError("start is an empty sequence; give at least one start state")
        starts = tuple(sorted({int(x) for x in items}))
    mask = np.zeros(S, dtype=bool)
    mask[list(starts)] = True
    return starts, mask


# ---------------------------------------------------------------------- the support graph
class _StateGraph:
    """Distinct support edges ``u -> v`` (actions collapsed) in two sparse orders.

    ``u, v`` are sorted by ``(u, v)`` with CSR pointer ``uptr``; ``bu, bv`` are the same
    edges sorted by ``(v, u)`` with pointer ``vptr`` (in-edges), and ``vstart``/``vtarget``
    the segments of ``bv`` (for a segmented OR over the in-edges of every state).
    """

    __slots__ = ("n", "u", "v", "uptr", "bu", "bv", "vptr", "vstart", "vtarget")

    def __init__(self, n, u, v):
        self.n = n
        self.u, self.v = u, v
        self.uptr = np.concatenate([[0], np.cumsum(np.bincount(u, minlength=n))]).astype(np.int64)
        order = np.argsort(v, kind="stable")
        self.bu, self.bv = u[order], v[order]
        self.vptr = np.concatenate([[0], np.cumsum(np.bincount(v, minlength=n))]).astype(np.int64)
        self.vstart = np.flatnonzero(np.r_[True, self.bv[1:] != self.bv[:-1]]) if len(v) else \
            np.zeros(0, dtype=np.int64)
        self.vtarget = self.bv[self.vstart]

    @classmethod
    def of(cls, mdp):
        src, _, dst, _ = mdp.entries(exact=False)
        n = mdp.n_states
        key = src * n + dst
        if n * n <= 8 * len(key) + (1 << 22):
            # dense enough: a bitmap dedups in O(nnz + S^2), far faster than sorting
            seen = np.zeros(n * n, dtype=bool)
            seen[key] = True
            key = np.flatnonzero(seen)
        else:
            key = np.unique(key)
        return cls(n, key // n, key % n)

    def restrict(self, keep):
        """The subgraph of the edges selected by the bool mask ``keep`` (order preserved)."""
        return _StateGraph(self.n, self.u[keep], self.v[keep])

    def out_edges(self, nodes):
        """Indices (into ``u, v``) of the out-edges of ``nodes``; ``O(len(nodes) + result)``."""
        return _ranges(self.uptr, nodes)

    def in_edges(self, nodes):
        """Indices (into ``bu, bv``) of the in-edges of ``nodes``."""
        return _ranges(self.vptr, nodes)

    def step(self, layer):
        """Successor set(s): ``(S,)`` -> ``(S,)`` or ``(K, S)`` -> ``(K, S)`` bool, ``O(K E)``.

        One row: a gather and a scatter on the edges.  Several rows: a segmented OR over
        the in-edges of every state (``np.logical_or.reduceat``).
        """
        if layer.ndim == 1:
            nxt = np.zeros(self.n, dtype=bool)
            nxt[self.v[layer[self.u]]] = True
            return nxt
        if layer.shape[0] == 1:
            return self.step(layer[0])[None, :]
        nxt = np.zeros(layer.shape, dtype=bool)
        if len(self.vstart):
            nxt[:, self.vtarget] = np.logical_or.reduceat(layer[:, self.bu], self.vstart, axis=1)
        return nxt


def _ranges(ptr, nodes):
    """Concatenated ``arange(ptr[x], ptr[x + 1])`` for ``x`` in ``nodes``, vectorised."""
    lo = ptr[nodes]
    cnt = ptr[nodes + 1] - lo
    total = int(cnt.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(cnt) - cnt
    return np.repeat(lo - offsets, cnt) + np.arange(total)


def _layers(G, L0, H):
    """``(H + 1, S)`` bool: ``L_0 = L0``, ``L_{t+1} = step(L_t)``.  ``O(H E)``."""
    out = np.zeros((H + 1, G.n), dtype=bool)
    out[0] = L0
    for t in range(H):
        out[t + 1] = G.step(out[t])
    return out


def _reach(G, mask):
    """States reachable from ``mask`` by walks of length >= 0.  BFS, ``O(S + E)``."""
    seen = mask.copy()
    frontier = np.flatnonzero(mask)
    while frontier.size:
        nxt = G.v[G.out_edges(frontier)]
        nxt = np.unique(nxt[~seen[nxt]])
        seen[nxt] = True
        frontier = nxt
    return seen


def reachable_states(mdp, *, start=None):
    """States reachable from the start states by possible transitions (any actions).

    Parameters
    ----------
    mdp : MDP
    start : int or sequence of int, optional
        Start states; default ``mdp.start_states`` (positive initial probability).

    Returns
    -------
    (S,) bool ndarray
        ``True`` for the start states and every state some possible trajectory from
        them visits.

    Notes
    -----
    Breadth-first search on the support graph, ``O(S + nnz)``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0, 0]], [[1, 0, 0]], [[0, 1, 0]]], initial=[1, 0, 0], gamma="1/2")
    >>> reachable_states(mdp).tolist()
    [True, False, False]
    >>> reachable_states(mdp, start=2).tolist()
    [True, True, True]
    """
    _, mask = _starts(mdp, start)
    return _reach(_StateGraph.of(mdp), mask)


def _recurrent(G, reach):
    """States of ``reach`` with an ancestor in ``reach`` that lies on a cycle.

    Exactly the states ``v`` that lie in ``L_t`` for infinitely many ``t``
    (proofs/coverage-obstructions.md).  Kahn's peeling of the in-degree-0 states of the
    subgraph induced by ``reach``, by levels; ``O(S + E)``.
    """
    indeg = np.bincount(G.v[reach[G.u]], minlength=G.n)
    removed = np.zeros(G.n, dtype=bool)
    frontier = np.flatnonzero(reach & (indeg == 0))
    while frontier.size:
        removed[frontier] = True
        tgt, cnt = np.unique(G.v[G.out_edges(frontier)], return_counts=True)
        indeg[tgt] -= cnt
        frontier = tgt[indeg[tgt] == 0]
    return reach & ~removed


def _priorities(n):
    """A fixed pseudo-random order of the states (only speed depends on it, not results)."""
    return np.random.default_rng(0x5CC).permutation(n).astype(np.int64)


def _scc(G, alive):
    """Strongly connected components of the subgraph induced by ``alive``.

    Returns an ``(S,)`` int64 array: for a state in ``alive`` the index of one state of
    its component (the same for the whole component), ``-1`` elsewhere.

    Forward-backward colouring, vectorised: every state takes the highest priority
    among its ancestors (label propagation); a state whose colour is its own priority
    is the root of a colour class, and its component is the set of states of its colour
    that reach it (backward search inside the colour class).  Each round removes at
    least the component of the highest-priority state; with random priorities a chain of
    ``k`` components takes ``O(log k)`` rounds in expectation.  Each round costs
    ``O(E)`` per colour change plus one numpy call per breadth-first level.
    """
    n = G.n
    prio = _priorities(n)
    node_of = np.empty(n, dtype=np.int64)
    node_of[prio] = np.arange(n)
    comp = np.full(n, -1, dtype=np.int64)
    alive = alive.copy()
    while alive.any():
        sub = G.restrict(alive[G.u] & alive[G.v])
        color = np.where(alive, prio, -1)
        frontier = np.flatnonzero(alive)
        while frontier.size:
            e = sub.out_edges(frontier)
            c, tgt = color[sub.u[e]], sub.v[e]
            better = c > color[tgt]
            if not better.any():
                break
            np.maximum.at(color, tgt[better], c[better])
            frontier = np.unique(tgt[better])
        roots = np.flatnonzero(alive & (color == prio))
        member = np.zeros(n, dtype=bool)
        member[roots] = True
        frontier = roots
        while frontier.size:
            e = sub.in_edges(frontier)
            s, t = sub.bu[e], sub.bv[e]
            s = np.unique(s[(color[s] == color[t]) & ~member[s]])
            member[s] = True
            frontier = s
        comp[member] = node_of[color[member]]
        alive &= ~member
    return comp


def _period(G, reach):
    """gcd of the cycle lengths of the subgraph induced by ``reach`` (0 if acyclic).

    Per strongly connected component, breadth-first levels ``l`` from one root along the
    edges inside the component; the component's period is the gcd of
    ``l(u) + 1 - l(v)`` over those edges (proofs/period-bfs-levels.md).
    """
    comp = _scc(G, reach)
    intra = (comp[G.u] >= 0) & (comp[G.u] == comp[G.v])
    if not intra.any():
        return 0
    sub = G.restrict(intra)
    roots = np.unique(comp[sub.u])
    level = np.full(G.n, -1, dtype=np.int64)
    level[roots] = 0
    frontier, depth = roots, 0
    while frontier.size:
        depth += 1
        nxt = sub.v[sub.out_edges(frontier)]
        nxt = np.unique(nxt[level[nxt] < 0])
        level[nxt] = depth
        frontier = nxt
    return int(np.gcd.reduce(np.abs(level[sub.u] + 1 - level[sub.v])))


# ---------------------------------------------------------------------- layers
def accessible_layers(mdp, horizon=None, *, start=None):
    """The accessible layers ``L_0, ..., L_H`` as a boolean array.

    ``L_0`` is the start support (or the given start states) and
    ``L_{t+1} = {s' : P[s, a, s'] > 0 for some s in L_t and some action a}``
    (theory note §1).  "Access", where the policy is observable, is
    ``{(t, s) : s in L_t, t <= H - 1}``.

    Parameters
    ----------
    mdp : MDP
    horizon : int, optional
        Number of decisions ``H >= 1``; default ``mdp.horizon``.  Required when the MDP
        has an infinite horizon.
    start : int or sequence of int, optional
        Start state(s); default the support of ``mdp.initial``.

    Returns
    -------
    (H + 1, S) bool ndarray
        ``layers[t, s]`` is True when ``s in L_t``.

    Raises
    ------
    InvalidMDPError
        No finite horizon, or a start that is not a state index.

    Notes
    -----
    ``O(nnz log nnz)`` to collapse actions into ``E <= nnz`` distinct edges, then
    ``O(E)`` per step: ``O(nnz log nnz + H E)`` time, ``O(H S)`` memory.  Exact and float
    MDPs are treated alike (only the support matters).

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.graph import accessible_layers
    >>> mdp = idf.examples.cao2021_example1(horizon=3)    # A -> {B, C}, B -> A, C -> B
    >>> accessible_layers(mdp).astype(int)
    array([[1, 0, 0],
           [0, 1, 1],
           [1, 1, 0],
           [1, 1, 1]])
    >>> accessible_layers(mdp, 2, start=2).astype(int)
    array([[0, 0, 1],
           [0, 1, 0],
           [1, 0, 0]])
    """
    H = _resolve_horizon(mdp, horizon, "accessible_layers")
    _, L0 = _starts(mdp, start)
    return _layers(_StateGraph.of(mdp), L0, H)


# ---------------------------------------------------------------------- walk certificates
class Walk(NamedTuple):
    """A walk ``s_0 -a_0-> s_1 -a_1-> ... -> s_T`` in the support graph of an MDP.

    The certificate that state ``end`` is reachable in exactly ``T = len(steps)`` steps
    from the start state ``steps[0][0]``; re-check it with :func:`verify_path`.

    Attributes
    ----------
    steps : tuple of (int, int)
        The pairs ``(s_t, a_t)`` for ``t = 0 .. T - 1``.
    end : int
        The final state ``s_T``.

    Examples
    --------
    >>> from identifiability.graph import Walk
    >>> w = Walk(((0, 0), (1, 0)), 0)
    >>> w.states, w.actions, w.length, w.start
    ((0, 1, 0), (0, 0), 2, 0)
    """

    steps: tuple
    end: int

    @property
    def states(self):
        """tuple of int: ``(s_0, ..., s_T)``."""
        return tuple(s for s, _ in self.steps) + (self.end,)

    @property
    def actions(self):
        """tuple of int: ``(a_0, ..., a_{T-1})``."""
        return tuple(a for _, a in self.steps)

    @property
    def length(self):
        """int: the number of steps ``T``."""
        return len(self.steps)

    @property
    def start(self):
        """int: the first state ``s_0``."""
        return self.steps[0][0] if self.steps else self.end


def verify_path(mdp, path, *, start=None, length=None):
    """Re-check a walk certificate: does it start at a start state and follow the support?

    Independent of how the walk was found: it reads ``P`` through
    :meth:`MDP.next_state_distribution` only.

    Parameters
    ----------
    mdp : MDP
    path : Walk or (steps, end)
        ``steps`` a sequence of ``(state, action)`` pairs, ``end`` the final state.
    start : int or sequence of int, optional
        Allowed first states; default the support of ``mdp.initial``.
    length : int, optional
        If given, the walk must have exactly this many steps.

    Returns
    -------
    bool
        True when ``s_0`` is an allowed start, every index is valid, every step has
        ``P[s_t, a_t, s_{t+1}] > 0`` and the length matches.  False otherwise (also for
        a malformed ``path``).

    Notes
    -----
    ``O(T * k)`` for ``T`` steps and at most ``k`` successors per pair.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.graph import Walk, verify_path
    >>> mdp = idf.examples.cao2021_example1()
    >>> verify_path(mdp, Walk(((0, 1), (2, 0)), 1))     # A -C-> ... : A -> C -> B
    True
    >>> verify_path(mdp, Walk(((0, 0), (1, 0)), 2))     # B never moves to C
    False
    """
    starts, _ = _starts(mdp, start)
    try:
        steps, end = path
        steps = [(s, a) for s, a in steps]
    except (TypeError, ValueError):
        return False
    S, A = mdp.n_states, mdp.n_actions
    if length is not None and len(steps) != length:
        return False
    states = [s for s, _ in steps] + [end]
    if not all(_is_index(s) and 0 <= s < S for s in states):
        return False
    if not all(_is_index(a) and 0 <= a < A for _, a in steps):
        return False
    if int(states[0]) not in starts:
        return False
    if not steps:
        return True
    return bool(np.all(mdp.has_transitions([int(s) for s, _ in steps],
                                           [int(a) for _, a in steps],
                                           [int(x) for x in states[1:]])))


class _WalkMap(Mapping):
    """Lazy ``{state: Walk}``, built on first access.

    The parent of ``s' in L_{t+1}`` is the entry ``(s, a, s')`` of ``mdp.entries()`` with
    ``s in L_t`` that comes first, i.e. the smallest ``(s, a)``.  When ``T S`` is at most
    :data:`_PARENT_CELLS` the forward pass stores every parent (a segmented minimum per
    step; ``O(T nnz)`` time, ``O(T S)`` int64 memory) and a walk is backtracked in
    ``O(T)``.  Beyond that it stores the layers as bits (``T S / 8`` bytes) and each walk
    step searches the in-entries of the current state, ``O(T k_in)`` per walk.  Both give
    the same walks.
    """

    def __init__(self, G, mdp, L0, T):
        self._G, self._mdp, self._L0, self._T = G, mdp, L0, T
        self._table = None

    def _build(self):
        src, act, dst, _ = self._mdp.entries(exact=False)
        S, T = self._mdp.n_states, self._T
        layer = self._L0
        if T * S <= _PARENT_CELLS:
            parents = np.empty((T, S), dtype=np.int64)
            big = np.iinfo(np.int64).max
            for t in range(T):
                live = np.flatnonzero(layer[src])
                row = np.full(S, big, dtype=np.int64)
                np.minimum.at(row, dst[live], live)
                layer = row < big
                row[~layer] = -1
                parents[t] = row
            self._table = ("parents", parents, src, act)
        else:
            bits = np.empty((T, (S + 7) // 8), dtype=np.uint8)
            for t in range(T):
                bits[t] = np.packbits(layer)
                layer = self._G.step(layer)
            by_dst = np.argsort(dst, kind="stable")     # in-entries, in entry order
            ptr = np.concatenate([[0], np.cumsum(np.bincount(dst, minlength=S))])
            self._table = ("bits", bits, src, act, by_dst, ptr)
        if not layer.all():  # cannot happen when T is a coverage time
            raise AssertionError("walk certificates: L_T is not the whole state space")

    def _parent(self, t, s):
        """Entry index of the parent of ``s in L_{t+1}``."""
        if self._table[0] == "parents":
            return int(self._table[1][t, s])
        _, bits, src, _, by_dst, ptr = self._table
        cand = by_dst[ptr[s]:ptr[s + 1]]
        u = src[cand]
        live = (bits[t, u >> 3] >> (7 - (u & 7))) & 1
        return int(cand[np.argmax(live)])

    def __getitem__(self, s):
        if not _is_index(s) or not 0 <= s < self._mdp.n_states:
            raise KeyError(s)
        if self._table is None:
            self._build()
        src, act = self._table[2], self._table[3]
        steps, cur = [], int(s)
        for t in range(self._T - 1, -1, -1):
            k = self._parent(t, cur)
            steps.append((int(src[k]), int(act[k])))
            cur = int(src[k])
        return Walk(tuple(reversed(steps)), int(s))

    def __iter__(self):
        return iter(range(self._mdp.n_states))

    def __len__(self):
        return self._mdp.n_states

    def __repr__(self):
        return f"<{self._mdp.n_states} walks of length {self._T}: paths[s] for s in 0..>"


# ---------------------------------------------------------------------- coverage
_COVERED, _NEVER, _UNDECIDED = 1, 0, -1


def _first_cover(G, X0, bound):
    """First ``t`` in ``1..bound`` with ``L_t = S`` for each row of ``X0`` (``(K, S)`` bool).

    Returns ``status, time, lag`` (each ``(K,)``):

    * ``_COVERED``: ``L_time = S`` and no earlier ``t >= 1`` has it;
    * ``_NEVER``: ``L_time = L_{time - lag}`` with no ``L_t = S`` for ``1 <= t <= time``,
      so the sequence cycles and never covers (proofs/coverage-obstructions.md);
    * ``_UNDECIDED``: neither happened by ``t = bound``.

    Repetition is found with Brent's cycle detection on the deterministic sequence
    ``L_{t+1} = step(L_t)``: one saved layer per row, ``O(K S)`` memory, ``O(K E)`` per
    step, and at most about ``2 (mu + lambda)`` steps for pre-period ``mu`` and period
    ``lambda``.
    """
    K = X0.shape[0]
    status = np.full(K, _UNDECIDED, dtype=np.int64)
    time = np.zeros(K, dtype=np.int64)
    lag = np.zeros(K, dtype=np.int64)
    rows = np.arange(K)
    saved = X0
    cur = G.step(X0)
    t, power, lam = 1, 1, 1
    while rows.size and t <= bound:
        full = cur.all(axis=1)
        status[rows[full]], time[rows[full]] = _COVERED, t
        rep = ~full & (cur == saved).all(axis=1)
        status[rows[rep]], time[rows[rep]], lag[rows[rep]] = _NEVER, t, lam
        keep = ~(full | rep)
        rows, cur, saved = rows[keep], cur[keep], saved[keep]
        if power == lam:
            saved, power, lam = cur.copy(), power * 2, 0
        cur = G.step(cur)
        lam += 1
        t += 1
    return status, time, lag


def _first_cover_batched(G, starts, bound):
    """:func:`_first_cover` for the single-start rows ``{s0}``, in memory-bounded batches."""
    n = G.n
    per = max(1, _BATCH_CELLS // max(1, len(G.u), n))
    out = []
    for lo in range(0, len(starts), per):
        chunk = np.asarray(starts[lo:lo + per], dtype=np.int64)
        X0 = np.zeros((len(chunk), n), dtype=bool)
        X0[np.arange(len(chunk)), chunk] = True
        out.append(_first_cover(G, X0, bound))
    return tuple(np.concatenate(parts) for parts in zip(*out))


def _step_bound(n):
    """Steps tried before "never" rests on the index bound (RECALLED): ``n^2 + 1``."""
    return n * n + 1


def _structural_reason(G, starts, L0, reach, recurrent):
    """Why some state is in only finitely many layers (``not recurrent.all()``).

    Tags in order of precedence: ``"no-in-edge"`` (a non-start state with no incoming
    transition), ``"start-not-on-cycle"`` (a start state with no cycle among its
    ancestors, itself included), ``"unreachable"``.  These are exhaustive: a reachable
    state descends from a start, and descendants of a recurrent state are recurrent
    (proofs/coverage-obstructions.md).
    """
    S = G.n
    indeg = np.bincount(G.v, minlength=S)
    start_mask = L0
    lonely = np.flatnonzero((indeg == 0) & ~start_mask)
    if lonely.size:
        v = int(lonely[0])
        return ("no-in-edge", f"state {v} has no incoming transition, so it is in no layer L_t "
                              f"with t >= 1")
    bad_start = np.flatnonzero(start_mask & ~recurrent)
    if bad_start.size:
        v = int(bad_start[0])
        return ("start-not-on-cycle",
                f"start state {v} lies on no cycle and no cycle leads to it, so it is reached "
                f"only by walks shorter than {S} steps and is missing from every L_t with "
                f"t >= {S}")
    # Every reachable state descends from a start; if all starts are recurrent, so is it.
    # What is left are unreachable states.
    v = int(np.flatnonzero(~reach)[0])
    return ("unreachable", f"state {v} is not reachable from the start states {list(starts)}")


@dataclass(frozen=True, eq=False)
class CoverageReport:
    """Coverage of the state space by the accessible layers (the result of :func:`coverage`).

    Attributes
    ----------
    starts : tuple of int
        The start states whose union is ``L_0``.
    horizon : int or None
        The horizon of :attr:`layers` (None when neither given nor set on the MDP).
    layers : (H + 1, S) bool ndarray or None
        ``L_0 .. L_H`` (see :func:`accessible_layers`); None without a horizon.
    coverage_time : int or None
        The first ``T >= 1`` with ``L_T = S`` for the union of the starts; then
        ``L_t = S`` for every ``t >= T`` (proofs/coverage-is-absorbing.md).  None if
        there is none.  Descriptive only: see :attr:`coverage_time_by_start`.
    coverage_time_by_start : mapping of int to int or None
        ``{s0: T(s0)}``, the coverage time of the layers of the single start ``s0``;
        the quick accept of strong identifiability uses ``min`` over these (theory note
        §13, erratum 1).  Empty when :func:`coverage` was called with ``by_start=False``.
    reason : (str, str) or None
        None when covered; else a machine tag and a sentence.  Tags:
        ``"no-in-edge"``, ``"start-not-on-cycle"`` and ``"unreachable"`` (a state that
        is in only finitely many layers), and ``"periodic"`` (the layer sequence cycles
        without reaching ``S``).  The sentence names the offending state.
    decided_by : str
        How "never" (or the time) was established: ``"coverage"`` (a full layer was
        found), ``"structure"`` (a state lies in finitely many layers),
        ``"repetition"`` (``L_t = L_{t - lag}`` with no full layer up to ``t``), or
        ``"index-bound"`` (no full layer within ``S^2 + 1`` steps; "never" then rests on
        the RECALLED index bound ``(S - 1)^2 + 1`` for Boolean matrices, see
        proofs/coverage-time-bound.md).
    paths : mapping of int to Walk
        When covered: for every state ``s`` a :class:`Walk` of exactly ``coverage_time``
        steps from a start to ``s`` (computed on first access; check it with
        :func:`verify_path`).  Empty when not covered.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.graph import coverage
    >>> rep = coverage(idf.examples.two_state_swap())      # swap 0 <-> 1, both start
    >>> rep.coverage_time, dict(rep.coverage_time_by_start), rep.period
    (1, {0: None, 1: None}, 2)
    """

    starts: tuple
    horizon: int | None
    layers: np.ndarray | None
    coverage_time: int | None
    coverage_time_by_start: Mapping
    reason: tuple | None
    decided_by: str
    paths: Mapping
    _graph: object = field(repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def covered(self):
        """bool: whether some ``L_T`` with ``T >= 1`` is the whole state space."""
        return self.coverage_time is not None

    @property
    def period(self):
        """int: gcd of the cycle lengths of the graph reachable from the starts (0 if acyclic).

        Computed on first access (see :func:`period`).
        """
        if "period" not in self._cache:
            G, L0 = self._graph
            self._cache["period"] = _period(G, _reach(G, L0))
        return self._cache["period"]

    @property
    def single_start_coverage_time(self):
        """int or None: ``min`` of :attr:`coverage_time_by_start` (for a quick accept)."""
        times = [T for T in self.coverage_time_by_start.values() if T is not None]
        return min(times) if times else None

    def explain(self):
        """The report in words.

        Returns
        -------
        str

        Examples
        --------
        >>> import identifiability as idf
        >>> from identifiability.graph import coverage
        >>> print(coverage(idf.examples.cao2021_example1()).explain())  # doctest: +NORMALIZE_WHITESPACE
        Coverage at T = 3: every state is reachable in exactly 3 steps from the start
        states [0], and at every later time.
        Single-start coverage times: 0: 3.
        At the horizon H = 5, L_H = S.
        The reachable graph has period 1 (aperiodic).
        """
        starts = list(self.starts)
        if self.covered:
            T = self.coverage_time
            lines = [f"Coverage at T = {T}: every state is reachable in exactly {T} steps from "
                     f"the start states {starts}, and at every later time."]
        else:
            lines = [f"No coverage from the start states {starts}: {self.reason[1]}."]
        if self.coverage_time_by_start:
            parts = ", ".join(f"{s}: {'never' if T is None else T}"
                              for s, T in self.coverage_time_by_start.items())
            lines.append(f"Single-start coverage times: {parts}.")
            if self.covered and self.single_start_coverage_time is None:
                lines.append("No single start covers the state space: the union coverage time "
                             "is descriptive only and must not feed a quick accept (theory "
                             "note §13, erratum 1).")
        if self.layers is not None:
            H = self.horizon
            missing = np.flatnonzero(~self.layers[H])
            if missing.size:
                lines.append(f"At the horizon H = {H}, L_H misses {missing.size} state(s), "
                             f"e.g. state {int(missing[0])}.")
            else:
                lines.append(f"At the horizon H = {H}, L_H = S.")
        d = self.period
        kind = "acyclic" if d == 0 else ("aperiodic" if d == 1 else "periodic")
        lines.append(f"The reachable graph has period {d} ({kind}).")
        return "\n".join(lines)


def coverage(mdp, *, horizon=None, start=None, by_start=True):
    """Coverage of the state space: the first ``T >= 1`` with ``L_T = S``, or why not.

    ``L_T = S`` means every state is reachable in *exactly* ``T`` steps from the start
    support (theory note §3.4).  Once it holds it holds for every later time
    (proofs/coverage-is-absorbing.md); if it never holds, the report names a state that
    is missing from infinitely many layers and why (proofs/coverage-obstructions.md).

    Parameters
    ----------
    mdp : MDP
    horizon : int, optional
        Horizon of the attached layers; default ``mdp.horizon``.  Without any finite
        horizon the report has ``layers=None`` (the coverage time does not need one).
    start : int or sequence of int, optional
        Start state(s); default the support of ``mdp.initial``.
    by_start : bool or sequence of int, default True
        Also compute the coverage time of each single start (True: every start; a
        sequence: those states, start states or not; False: none).

    Returns
    -------
    CoverageReport

    Raises
    ------
    InvalidMDPError
        A bad horizon or start.

    Notes
    -----
    Only the support graph matters, so exact and float MDPs are treated alike.
    Cost, with ``E <= nnz`` distinct edges and ``K`` single starts:

    * a state missing from all but finitely many layers is found by a peeling pass,
      ``O(S + E)``, with no iteration;
    * otherwise the layers are iterated until ``L_t = S``, or until a repeated layer
      proves that ``S`` never comes (Brent's cycle detection), or ``S^2 + 1`` steps:
      ``O(T E)`` for the union and ``O(K T E)`` for the single starts (which are only
      iterated when the union covers; ``T(s0) >= T``);
    * the layers ``L_0..L_H``: ``O(H E)``;
    * on first access only: the walk certificates (:attr:`~CoverageReport.paths`),
      ``O(T nnz)`` once and ``O(T)`` per walk, memory ``O(T S)`` (bits when large), and
      the period.

    The single-start coverage time is at most ``(S - 1)^2 + 1`` (Wielandt's bound,
    attained by :func:`identifiability.examples.wielandt`; proofs/coverage-time-bound.md).

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.graph import coverage, verify_path
    >>> rep = coverage(idf.examples.cao2021_example1())     # A -> {B, C}, B -> A, C -> B
    >>> rep.coverage_time, rep.reason
    (3, None)
    >>> rep.paths[1]                                        # a walk of 3 steps from A to B
    Walk(steps=((0, 0), (1, 0), (0, 0)), end=1)
    >>> verify_path(idf.examples.cao2021_example1(), rep.paths[1], length=3)
    True

    A periodic graph is never covered:

    >>> cycle = idf.MDP([[[0, 1]], [[1, 0]]], initial=[1, 0], horizon=4)
    >>> tag, words = coverage(cycle).reason
    >>> tag
    'periodic'
    >>> print(words)  # doctest: +NORMALIZE_WHITESPACE
    the layers cycle with period 2 from t = 0 on (L_2 = L_0) without reaching S: state 0
    is missing from L_1, L_3, L_5, ...; the reachable graph has period 2
    """
    H = mdp.horizon if horizon is None else _validate_horizon(horizon)
    starts, L0 = _starts(mdp, start)
    G = _StateGraph.of(mdp)
    S = mdp.n_states
    layers = _layers(G, L0, H) if H is not None else None
    if layers is not None:
        layers.setflags(write=False)

    reach = _reach(G, L0)
    recurrent = _recurrent(G, reach)
    T, reason = None, None
    if not recurrent.all():
        reason, decided_by = _structural_reason(G, starts, L0, reach, recurrent), "structure"
    else:
        status, time, lag = _first_cover(G, L0[None, :], _step_bound(S))
        if status[0] == _COVERED:
            T, decided_by = int(time[0]), "coverage"
        elif status[0] == _NEVER:
            t, p = int(time[0]), int(lag[0])
            decided_by = "repetition"
            # Brent's lag is the exact period; the first repetition L_mu = L_{mu + p} is
            # found on the stored prefix (this branch is not a hot path).
            seq = _layers(G, L0, t)
            mu = int(np.flatnonzero((seq[:-p] == seq[p:]).all(axis=1))[0])
            j = max(mu, 1)
            v = int(np.flatnonzero(~seq[j])[0])
            d = _period(G, reach)
            reason = ("periodic",
                      f"the layers cycle with period {p} from t = {mu} on (L_{mu + p} = "
                      f"L_{mu}) without reaching S: state {v} is missing from L_{j}, "
                      f"L_{j + p}, L_{j + 2 * p}, ...; the reachable graph has period {d}")
        else:
            bound = _step_bound(S)
            decided_by = "index-bound"
            v = int(np.flatnonzero(~_layers(G, L0, bound)[bound])[0])
            reason = ("periodic",
                      f"no layer L_t with 1 <= t <= {bound} is S (state {v} is missing from "
                      f"L_{bound}); by the index bound (S-1)^2+1 for Boolean matrices "
                      f"(RECALLED) the layers are periodic from there on and never reach S")

    # Single starts: for s0 in the start set, L_t({s0}) is inside L_t(union), so s0 can
    # only cover when the union covers, and never earlier
    # (proofs/union-coverage-is-descriptive.md).  Other states are always iterated.
    if by_start is True:
        chosen = starts
    elif by_start is False or by_start is None:
        chosen = ()
    else:
        chosen, _ = _starts(mdp, by_start)
    known = {}
    if T is None:
        known = {s0: None for s0 in chosen if L0[s0]}
    elif chosen == starts and len(starts) == 1:
        known = {starts[0]: T}
    todo = [s0 for s0 in chosen if s0 not in known]
    if todo:
        status, time, _ = _first_cover_batched(G, todo, _step_bound(S))
        known.update({s0: (int(tm) if st == _COVERED else None)
                      for s0, st, tm in zip(todo, status.tolist(), time.tolist())})
    by = {s0: known[s0] for s0 in chosen}
    paths = _WalkMap(G, mdp, L0, T) if T is not None else MappingProxyType({})
    return CoverageReport(starts=starts, horizon=H, layers=layers, coverage_time=T,
                          coverage_time_by_start=MappingProxyType(by), reason=reason,
                          decided_by=decided_by, paths=paths, _graph=(G, L0))


def coverage_time(mdp, *, start=None, max_time=None):
    """The first ``T >= 1`` with ``L_T = S`` (or ``T <= max_time``), else None.

    The cheap question behind the quick accept of strong identifiability: with a
    single ``start`` and ``max_time = (H - 1) // 2``, a result that is not None means
    ``L_T = S`` with ``2T + 1 <= H`` (theory note §3.4(2) and §13, erratum 1).

    Parameters
    ----------
    mdp : MDP
    start : int or sequence of int, optional
        Start state(s) (their union is ``L_0``); default the support of ``mdp.initial``.
    max_time : int, optional
        Stop after ``L_{max_time}``.  Default: until decided (see :func:`coverage`).

    Returns
    -------
    int or None
        None when no ``T <= max_time`` (or no ``T`` at all) has ``L_T = S``.

    Notes
    -----
    ``O(nnz log nnz + S + T E)``; with ``max_time`` at most ``O(max_time E)`` steps.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.graph import coverage_time
    >>> w = idf.examples.wielandt(5)
    >>> coverage_time(w), coverage_time(w, max_time=16), coverage_time(w, max_time=17)
    (17, None, 17)
    """
    starts, L0 = _starts(mdp, start)
    G = _StateGraph.of(mdp)
    S = mdp.n_states
    bound = _step_bound(S)
    if max_time is not None:
        if not _is_index(max_time):
            raise InvalidMDPError(f"max_time must be an integer, got {max_time!r}")
        bound = min(bound, int(max_time))
        if bound < 1:
            return None
    if not _recurrent(G, _reach(G, L0)).all():
        return None
    status, time, _ = _first_cover(G, L0[None, :], bound)
    return int(time[0]) if status[0] == _COVERED else None


def period(mdp, *, start=None):
    """The period of the graph reachable from the starts: the gcd of its cycle lengths.

    Parameters
    ----------
    mdp : MDP
    start : int or sequence of int, optional
        Start state(s); default the support of ``mdp.initial``.

    Returns
    -------
    int
        ``d >= 1``: ``1`` aperiodic, ``d >= 2`` every cycle length is a multiple of ``d``.
        ``0`` (the gcd of the empty set) would mean an acyclic reachable graph, which an
        MDP cannot have: every state has a successor, so walks from the starts revisit
        states.

    Notes
    -----
    Strongly connected components by vectorised forward-backward colouring, then, in
    each component, breadth-first levels ``l`` from one root: the period is the gcd of
    ``l(u) + 1 - l(v)`` over the edges inside components (proofs/period-bfs-levels.md).
    Levels from the *start states* over all edges would be wrong for graphs that are
    not strongly connected (entering a cycle at two points gives spurious differences).
    ``O(E)`` per propagation round and level; typically a few rounds.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.graph import period
    >>> period(idf.examples.two_state_swap()), period(idf.examples.cao2021_example1())
    (2, 1)
    """
    _, L0 = _starts(mdp, start)
    G = _StateGraph.of(mdp)
    return _period(G, _reach(G, L0))


# ---------------------------------------------------------------------- unrolled support
@dataclass(frozen=True, eq=False)
class UnrolledSupport:
    """The time-unrolled support DAG of an MDP (the result of :func:`unrolled_support`).

    Nodes are the pairs ``(t, s)`` with ``s in L_t``, ``t = 0 .. H``, sorted by
    ``(t, s)``.  Edges are ``(t, s) -a-> (t + 1, s')`` for every ``s in L_t``, ``t < H``
    and ``P[s, a, s'] > 0``, sorted by ``(t, s, a, s')``.  The source-sink paths (from
    the layer-0 nodes to the layer-``H`` nodes) are exactly the trajectories with
    positive probability (proofs/unrolled-paths-are-trajectories.md).  All arrays are
    read-only.

    Attributes
    ----------
    horizon : int
        ``H``.
    n_states : int
        ``S``.
    layers : (H + 1, S) bool ndarray
        ``L_0 .. L_H``.
    node_t, node_s : (N,) int64 ndarray
        Time and state of each node.
    node_ptr : (H + 2,) int64 ndarray
        The nodes of layer ``t`` are ``node_ptr[t]:node_ptr[t + 1]``.
    node_index : (H + 1, S) int64 ndarray
        ``node_index[t, s]`` is the node of ``(t, s)``, or ``-1`` when ``s not in L_t``.
    edge_t, edge_s, edge_a, edge_next : (M,) int64 ndarray
        ``(t, s, a, s')`` of each edge (``edge_s``, ``edge_a``, ``edge_next`` and
        ``edge_p`` are gathered from ``mdp.entries()`` on first access).
    edge_p : (M,) ndarray
        ``P[s, a, s']``: Fractions (object array) for an exact MDP, else float64.
    edge_entry : (M,) int64 ndarray
        Index of the edge's transition in ``mdp.entries()``, so any per-entry array
        ``x`` of the MDP gives the per-edge ``x[edge_entry]``.
    edge_tail, edge_head : (M,) int64 ndarray
        Node indices of ``(t, s)`` and ``(t + 1, s')``.
    edge_ptr : (H + 1,) int64 ndarray
        The edges leaving layer ``t`` are ``edge_ptr[t]:edge_ptr[t + 1]``.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.graph import unrolled_support
    >>> U = unrolled_support(idf.examples.cao2021_example1(), horizon=2)
    >>> U.n_nodes, U.n_edges
    (5, 6)
    >>> U.index(2, 0), U.edge_t.tolist(), U.edge_next.tolist()
    (3, [0, 0, 1, 1, 1, 1], [1, 2, 0, 0, 1, 1])
    """

    horizon: int
    n_states: int
    layers: np.ndarray
    node_t: np.ndarray
    node_s: np.ndarray
    node_ptr: np.ndarray
    node_index: np.ndarray
    edge_t: np.ndarray
    edge_entry: np.ndarray
    edge_tail: np.ndarray
    edge_head: np.ndarray
    edge_ptr: np.ndarray
    _entries: tuple = field(repr=False)

    def _gather(self, k):
        arr = self._entries[k][self.edge_entry]
        arr.setflags(write=False)
        return arr

    @cached_property
    def edge_s(self):
        """(M,) int64 ndarray: the state ``s`` of each edge."""
        return self._gather(0)

    @cached_property
    def edge_a(self):
        """(M,) int64 ndarray: the action ``a`` of each edge."""
        return self._gather(1)

    @cached_property
    def edge_next(self):
        """(M,) int64 ndarray: the next state ``s'`` of each edge."""
        return self._gather(2)

    @cached_property
    def edge_p(self):
        """(M,) ndarray: ``P[s, a, s']`` (Fractions for an exact MDP, else float64)."""
        return self._gather(3)

    @property
    def n_nodes(self):
        """int: number of nodes ``N = sum_t |L_t|``."""
        return int(self.node_t.shape[0])

    @property
    def n_edges(self):
        """int: number of edges ``M``."""
        return int(self.edge_t.shape[0])

    def index(self, t, s):
        """The node index of ``(t, s)``.

        Parameters
        ----------
        t : int
            Time in ``0..H``.
        s : int
            State.

        Returns
        -------
        int

        Raises
        ------
        KeyError
            When ``s`` is not in ``L_t`` (or the indices are out of range).

        Examples
        --------
        >>> import identifiability as idf
        >>> from identifiability.graph import unrolled_support
        >>> unrolled_support(idf.examples.cao2021_example1(), horizon=2).index(1, 2)
        2
        """
        if not (_is_index(t) and _is_index(s) and 0 <= t <= self.horizon
                and 0 <= s < self.n_states) or self.node_index[t, s] < 0:
            raise KeyError(f"(t={t!r}, s={s!r}) is not a node: the state is not in L_t")
        return int(self.node_index[t, s])

    def to_networkx(self):
        """The DAG as a :class:`networkx.MultiDiGraph` on the nodes ``(t, s)``.

        Edges are keyed by the action, with attributes ``action`` and ``prob``.

        Returns
        -------
        networkx.MultiDiGraph

        Examples
        --------
        >>> import identifiability as idf
        >>> from identifiability.graph import unrolled_support
        >>> G = unrolled_support(idf.examples.cao2021_example1(), horizon=2).to_networkx()
        >>> sorted(G.successors((1, 1)))
        [(2, 0)]
        """
        import networkx as nx

        G = nx.MultiDiGraph(horizon=self.horizon)
        G.add_nodes_from(zip(self.node_t.tolist(), self.node_s.tolist()))
        for t, s, a, sn, p in zip(self.edge_t.tolist(), self.edge_s.tolist(),
                                  self.edge_a.tolist(), self.edge_next.tolist(),
                                  self.edge_p.tolist()):
            G.add_edge((t, s), (t + 1, sn), key=a, action=a, prob=p)
        return G


def _readonly(*arrays):
    for arr in arrays:
        arr.setflags(write=False)


def unrolled_support(mdp, horizon=None, *, start=None):
    """The time-unrolled support DAG on the nodes ``(t, s)``, ``s in L_t``.

    The graph on which the trajectory classes ``W_s0`` and ``W_Omega`` become potential
    systems and ``K_Gamma`` a backward recursion (theory note §3.3, §4.1, §8).

    Parameters
    ----------
    mdp : MDP
    horizon : int, optional
        ``H``; default ``mdp.horizon`` (required for an infinite-horizon MDP).
    start : int or sequence of int, optional
        Start state(s); default the support of ``mdp.initial``.

    Returns
    -------
    UnrolledSupport

    Raises
    ------
    InvalidMDPError
        No finite horizon, or a bad start.

    Notes
    -----
    ``O(nnz log nnz + H nnz)`` time; ``O(H S + M)`` memory for ``M <= H nnz`` edges.
    Built by one gather per layer (``layers[t][s]`` over the entries), no loop over
    states.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.graph import unrolled_support
    >>> U = unrolled_support(idf.examples.stochastic_fork())    # 0 -> {1, 2}, absorbing
    >>> list(zip(U.node_t.tolist(), U.node_s.tolist()))
    [(0, 0), (1, 1), (1, 2), (2, 1), (2, 2)]
    >>> U.edge_p.tolist()
    [Fraction(1, 2), Fraction(1, 2), Fraction(1, 1), Fraction(1, 1)]
    """
    H = _resolve_horizon(mdp, horizon, "unrolled_support")
    _, L0 = _starts(mdp, start)
    S = mdp.n_states
    layers = _layers(_StateGraph.of(mdp), L0, H)
    node_t, node_s = np.nonzero(layers)
    node_t, node_s = node_t.astype(np.int64), node_s.astype(np.int64)
    node_index = np.full((H + 1, S), -1, dtype=np.int64)
    node_index[node_t, node_s] = np.arange(node_t.shape[0])
    node_ptr = np.concatenate([[0], np.cumsum(layers.sum(axis=1))]).astype(np.int64)

    entries = mdp.entries()
    src, dst = entries[0], entries[2]
    per_t = [np.flatnonzero(layers[t][src]) for t in range(H)]
    counts = np.array([len(k) for k in per_t], dtype=np.int64)
    entry = np.concatenate(per_t).astype(np.int64)
    edge_t = np.repeat(np.arange(H, dtype=np.int64), counts)
    edge_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    edge_tail = node_index[edge_t, src[entry]]
    edge_head = node_index[edge_t + 1, dst[entry]]
    _readonly(layers, node_t, node_s, node_ptr, node_index, edge_t, entry, edge_tail,
              edge_head, edge_ptr)
    return UnrolledSupport(horizon=H, n_states=S, layers=layers, node_t=node_t, node_s=node_s,
                           node_ptr=node_ptr, node_index=node_index, edge_t=edge_t,
                           edge_entry=entry, edge_tail=edge_tail, edge_head=edge_head,
                           edge_ptr=edge_ptr, _entries=entries)


# ---------------------------------------------------------------------- networkx views
def state_graph(mdp):
    """The support graph with actions collapsed, as a :class:`networkx.DiGraph`.

    One edge ``s -> s'`` when ``P[s, a, s'] > 0`` for some action; its attributes are
    ``actions`` (the sorted tuple of those actions) and ``probs`` (the matching
    ``P[s, a, s']``, Fractions when the MDP is exact).  Nodes carry ``label``,
    ``initial`` and ``terminal`` like :meth:`MDP.graph`.  For the multigraph with one
    edge per action use :meth:`MDP.graph`.

    Parameters
    ----------
    mdp : MDP

    Returns
    -------
    networkx.DiGraph

    Notes
    -----
    ``O(nnz log nnz)`` to group the entries, then one networkx insertion per distinct
    edge (networkx itself is pure Python).

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.graph import state_graph
    >>> G = state_graph(idf.examples.cao2021_example1())
    >>> G.edges[1, 0]["actions"], G.edges[0, 2]["actions"], G.nodes[0]["label"]
    ((0, 1), (1,), 'A')
    """
    import networkx as nx

    src, act, dst, prob = mdp.entries()
    S = mdp.n_states
    order = np.lexsort((act, dst, src))
    src, act, dst, prob = src[order], act[order], dst[order], prob[order]
    key = src * S + dst
    bounds = np.flatnonzero(np.r_[True, key[1:] != key[:-1], True])
    G = nx.DiGraph(gamma=mdp.gamma, horizon=mdp.horizon)
    init = mdp.initial
    term = set(mdp.terminal)
    for i, lab in enumerate(mdp.state_labels):
        G.add_node(i, label=lab, initial=init[i] if mdp.is_exact else float(init[i]),
                   terminal=i in term)
    acts, probs = act.tolist(), prob.tolist()
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        G.add_edge(int(src[lo]), int(dst[lo]), actions=tuple(acts[lo:hi]),
                   probs=tuple(probs[lo:hi]))
    return G
