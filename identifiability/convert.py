"""Converters between :class:`~identifiability.MDP` and other libraries' data models.

Every converter normalises its input at the boundary into the one canonical form,
``P[s, a, s']`` of shape ``(S, A, S)``, and validates it with the MDP validator, so
a bad input fails here with a typed :class:`~identifiability.InvalidMDPError`
that names the offending state, action or row.

The array-convention zoo (``layout`` names the axis order of ``P``):

=========  ==================  ==========================================
layout     shape               used by
=========  ==================  ==========================================
``"sas"``  ``(S, A, S)``       seals, imitation, rlberry, mushroom-rl, STARC,
                               evaluating-rewards, this package
``"ass"``  ``(A, S, S)``       pymdptoolbox (also a list of ``A`` matrices,
                               dense or ``scipy.sparse``)
``"ssa"``  ``(S, S, A)``       irl-maxent (``p_transition[from, to, action]``)
=========  ==================  ==========================================

Other sources: networkx graphs (:func:`from_graph`, the inverse of
:meth:`MDP.graph <identifiability.MDP.graph>`) and Gymnasium's tabular
``env.unwrapped.P`` dict (:func:`from_gymnasium`, :func:`to_gymnasium_dict`).

Exactness: integers, Fractions and ``"p/q"`` strings stay exact through every
converter; floats make a float MDP.  Nothing is normalised or clipped, except
where :func:`from_gymnasium` is asked to rationalise floats (``exact=True``).
Heavy or optional libraries (networkx, gymnasium, scipy) are never imported by
this module; objects from them are recognised by their methods.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction

import numpy as np

from ._numbers import format_number, parse_array, parse_scalar, to_float_array, to_fractions
from .errors import InvalidMDPError
from .mdp import MDP
from .reward import as_reward, expected_reward

__all__ = [
    "LAYOUTS",
    "from_arrays",
    "to_arrays",
    "from_graph",
    "from_gymnasium",
    "to_gymnasium_dict",
    "to_mdptoolbox",
]

#: The accepted ``layout`` names and the axis order each one means.
LAYOUTS = {
    "sas": "(S, A, S) with P[s, a, s']",
    "ass": "(A, S, S) with P[a, s, s']",
    "ssa": "(S, S, A) with P[s, s', a]",
}

# Axis permutation from a layout to (s, a, s').  Each one is its own inverse, so the
# same tuple also maps (s, a, s') back to the layout.
_TO_SAS = {"sas": (0, 1, 2), "ass": (1, 0, 2), "ssa": (0, 2, 1)}
# The two axes of each layout that both count states.
_STATE_AXES = {"sas": (0, 2), "ass": (1, 2), "ssa": (0, 1)}


def _check_layout(layout):
    if not isinstance(layout, str) or layout not in LAYOUTS:
        raise InvalidMDPError(
            f"unknown layout {layout!r}; expected one of 'sas' (P[s, a, s'], seals/imitation), "
            "'ass' (P[a, s, s'], pymdptoolbox) or 'ssa' (P[s, s', a], irl-maxent)")
    return layout


def _is_sparse(x):
    """A scipy.sparse matrix or array (recognised without importing scipy)."""
    return not isinstance(x, np.ndarray) and callable(getattr(x, "tocoo", None)) and \
        len(getattr(x, "shape", ())) == 2


def _as_matrix_list(P):
    """``P`` as a list of per-action matrices, or None if it is not such a list."""
    if isinstance(P, np.ndarray) and P.dtype == object and P.ndim == 1 and P.size and \
            not isinstance(P[0], (int, float, str, Fraction)):
        return list(P)
    if isinstance(P, (list, tuple)) and P and any(
            isinstance(x, np.ndarray) or _is_sparse(x) for x in P):
        return list(P)
    return None


def _shape_error(layout, shape):
    return InvalidMDPError(f"layout {layout!r} expects shape {LAYOUTS[layout]}, got shape {shape}")


def _from_sparse_matrices(mats, layout, initial, gamma, horizon, mdp_kwargs):
    """pymdptoolbox's list of ``A`` sparse ``(S, S)`` matrices, without densifying."""
    if layout != "ass":
        raise InvalidMDPError(f"a list of sparse matrices is read as one (S, S) matrix per "
                              f"action, which is layout 'ass'; got layout {layout!r}")
    shapes = [tuple(int(n) for n in (m.shape if _is_sparse(m) else np.shape(m))) for m in mats]
    S = shapes[0][0]
    for a, shp in enumerate(shapes):
        if shp != (S, S):
            raise InvalidMDPError(f"layout 'ass' expects {len(mats)} matrices of shape (S, S); "
                                  f"matrix {a} has shape {shp}, matrix 0 has {shapes[0]}")
    s, act, sn, p = [], [], [], []
    for a, m in enumerate(mats):
        if _is_sparse(m):
            coo = m.tocoo()
            rows, cols = np.asarray(coo.row), np.asarray(coo.col)
            vals = parse_array(np.asarray(coo.data), where=f"transitions[{a}]",
                               error=InvalidMDPError, ndim=1)
        else:
            dense = parse_array(m, where=f"transitions[{a}]", error=InvalidMDPError, ndim=2)
            nz = dense != 0 if dense.dtype != object else np.array(
                [v != 0 for v in dense.reshape(-1).tolist()], dtype=bool).reshape(dense.shape)
            rows, cols = np.nonzero(nz)
            vals = dense[rows, cols]
        s.append(rows)
        sn.append(cols)
        act.append(np.full(len(rows), a, dtype=np.int64))
        p.append(vals)
    if any(v.dtype.kind == "f" for v in p):
        p = [to_float_array(v) for v in p]
    elif any(v.dtype == object for v in p):
        p = [to_fractions(v) for v in p]
    entries = tuple(np.concatenate(c) if c else np.zeros(0) for c in (s, act, sn, p))
    entries = tuple(c.astype(np.int64) for c in entries[:3]) + (entries[3],)
    # COO matrices may repeat a coordinate; scipy's own semantics is to add them up.
    return MDP.from_entries(entries, S, len(mats), initial, gamma=gamma, horizon=horizon,
                            sum_duplicates=True, **mdp_kwargs)


def _dense_array(P, layout):
    mats = _as_matrix_list(P)
    if mats is not None:
        parts = [parse_array(m, where=f"transitions[{i}]", error=InvalidMDPError)
                 for i, m in enumerate(mats)]
        shapes = [p.shape for p in parts]
        if len(set(shapes)) != 1:
            raise InvalidMDPError(f"layout {layout!r}: the {len(parts)} sub-arrays of the "
                                  f"transitions have different shapes {shapes}")
        if any(p.dtype.kind == "f" for p in parts):
            parts = [to_float_array(p) for p in parts]
        elif any(p.dtype == object for p in parts):
            parts = [to_fractions(p) for p in parts]
        return np.stack(parts)
    return parse_array(P, where="transitions", error=InvalidMDPError)


def from_arrays(P, initial=None, *, layout="sas", gamma=1, horizon=None, **mdp_kwargs):
    """Build an MDP from a transition array in another library's axis order.

    Parameters
    ----------
    P : array_like, shape (S, A, S), (A, S, S) or (S, S, A) according to ``layout``
        Transition probabilities.  With ``layout="ass"`` a list of ``A`` matrices of
        shape ``(S, S)`` is also accepted (pymdptoolbox's form), including
        ``scipy.sparse`` matrices, which are read entry by entry without being
        densified (repeated coordinates are added, as scipy does).  Exactness
        follows :class:`~identifiability.MDP`: ints, Fractions and ``"p/q"``
        strings stay exact; any float makes a float MDP.
    initial : (S,) array_like, optional
        Start distribution; ``None`` is uniform.
    layout : {"sas", "ass", "ssa"}, default "sas"
        Axis order of ``P``: ``P[s, a, s']`` (seals, imitation, rlberry, mushroom-rl,
        STARC), ``P[a, s, s']`` (pymdptoolbox) or ``P[s, s', a]`` (irl-maxent).
    gamma : number, default 1
        Discount factor.
    horizon : int or None, default None
        Number of decisions; ``None`` is an infinite horizon (needs ``gamma < 1``).
    **mdp_kwargs
        ``state_labels``, ``action_labels``, ``terminal``, ``atol``: as for
        :class:`~identifiability.MDP`.

    Returns
    -------
    MDP

    Raises
    ------
    InvalidMDPError
        For an unknown ``layout``, a shape that does not fit it (the message names
        the layout and the expected shape), and everything the MDP validator rejects.

    Notes
    -----
    ``O(S^2 A)`` for dense input, ``O(nnz)`` for a list of sparse matrices.

    Examples
    --------
    pymdptoolbox's ``P[a, s, s']`` with one action that swaps two states:

    >>> import numpy as np
    >>> from identifiability.convert import from_arrays, to_arrays
    >>> mdp = from_arrays([[[0, 1], [1, 0]]], layout="ass", horizon=2)
    >>> mdp.n_states, mdp.n_actions, mdp.successors(0, 0)
    (2, 1, (1,))

    irl-maxent's ``P[s, s', a]``; exact strings stay exact:

    >>> P_ssa = [[["1/2"], ["1/2"]], [[0], [1]]]
    >>> m = from_arrays(P_ssa, layout="ssa", gamma="9/10")
    >>> m.transitions[0, 0, 1], m.is_exact
    (Fraction(1, 2), True)
    >>> to_arrays(m, "ssa")[:, :, 0].tolist()
    [[Fraction(1, 2), Fraction(1, 2)], [Fraction(0, 1), Fraction(1, 1)]]
    >>> from_arrays(np.zeros((2, 3, 3)), layout="sas")
    Traceback (most recent call last):
    ...
    identifiability.errors.InvalidMDPError: layout 'sas' expects shape (S, A, S) with P[s, a, s'], got shape (2, 3, 3)
    """
    _check_layout(layout)
    if isinstance(P, MDP):
        raise InvalidMDPError("P is already an MDP; use mdp.replace(...) to change it")
    if _is_sparse(P):
        raise InvalidMDPError(f"a single sparse matrix has 2 dimensions (shape {tuple(P.shape)}); "
                              "layout 'ass' takes a list of A sparse (S, S) matrices, one per "
                              "action")
    mats = _as_matrix_list(P)
    if mats is not None and any(_is_sparse(m) for m in mats):
        return _from_sparse_matrices(mats, layout, initial, gamma, horizon, mdp_kwargs)
    arr = _dense_array(P, layout)
    i, j = _STATE_AXES[layout]
    if arr.ndim != 3 or arr.shape[i] != arr.shape[j]:
        raise _shape_error(layout, arr.shape)
    return MDP(np.transpose(arr, _TO_SAS[layout]), initial, gamma=gamma, horizon=horizon,
               **mdp_kwargs)


def to_arrays(mdp, layout="sas"):
    """The dense transition array of ``mdp`` in the axis order ``layout``.

    Parameters
    ----------
    mdp : MDP
    layout : {"sas", "ass", "ssa"}, default "sas"
        See :func:`from_arrays`.

    Returns
    -------
    ndarray, shape (S, A, S), (A, S, S) or (S, S, A)
        A new writable C-contiguous array: object Fractions when ``mdp`` is exact,
        float64 otherwise.

    Notes
    -----
    ``O(S^2 A)`` memory.  ``from_arrays(to_arrays(m, L), m.initial, layout=L, ...)``
    rebuilds ``m`` exactly.

    Examples
    --------
    >>> from identifiability import MDP
    >>> from identifiability.convert import to_arrays
    >>> mdp = MDP([[[1, 0], [0, 1]], [[1, 0], [1, 0]]], horizon=1)   # S=2, A=2
    >>> to_arrays(mdp, "ass")[1].tolist()                             # action 1
    [[Fraction(0, 1), Fraction(1, 1)], [Fraction(1, 1), Fraction(0, 1)]]
    """
    _check_layout(layout)
    if not isinstance(mdp, MDP):
        raise InvalidMDPError(f"to_arrays expects an identifiability.MDP, got {type(mdp).__name__}")
    return np.array(np.transpose(mdp.transitions, _TO_SAS[layout]), order="C", copy=True)


# ---------------------------------------------------------------------------- networkx
def _edge_name(u, v, k, multigraph):
    return f"{u!r} -> {v!r}" + (f" (key {k!r})" if multigraph else "")


def _is_action_id(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _default_labels(labels, prefix):
    return tuple(labels) == tuple(f"{prefix}{i}" for i in range(len(labels)))


def from_graph(G, initial=None, *, gamma=None, horizon=None, action_attr="action",
               prob_attr="prob", **mdp_kwargs):
    """Build an MDP from a networkx transition graph.

    States are the nodes of ``G`` numbered in ``G``'s node order (``list(G)``);
    each edge ``u -> v`` is a transition taken by one action.  This is the inverse
    of :meth:`MDP.graph <identifiability.MDP.graph>`:
    ``from_graph(mdp.graph()) == mdp``.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.MultiDiGraph
        Nodes may be any hashable.  Every edge carries an ``action`` attribute:
        either integer action ids ``0..A-1`` (``A`` is the largest id plus one) or
        action labels (strings), numbered in order of first appearance over
        ``G.edges`` unless ``action_labels=`` fixes the order.  Deterministic MDPs
        need nothing else; stochastic ones put ``prob`` on every edge (exact
        numbers and ``"p/q"`` strings stay exact).  An edge without ``prob`` has
        probability 1, so it must be the only edge of its ``(state, action)``.
        Parallel edges are needed when two actions join the same pair of states,
        so use a MultiDiGraph for those.  The MultiDiGraph *key* is ignored (not
        read as the action): networkx numbers parallel edges 0, 1, ... by
        itself, and a key silently taken for an action would hide mistakes.
    initial : (S,) array_like, optional
        Start distribution.  Default: the node attribute ``initial`` where present
        (missing nodes get 0), else uniform.
    gamma : number, optional
        Default ``G.graph["gamma"]`` if present, else 1.
    horizon : int, optional
        Default ``G.graph["horizon"]`` if present, else None (infinite).  To drop a
        graph's finite horizon use ``from_graph(G).replace(horizon=None)``.
    action_attr, prob_attr : str, default "action" and "prob"
        Edge attribute names.
    **mdp_kwargs
        ``state_labels``, ``action_labels``, ``terminal``, ``atol`` as for
        :class:`~identifiability.MDP`.  Defaults read from the graph:
        ``state_labels`` from the node attribute ``label``, or ``str(node)``
        (none when the nodes are just ``0..S-1`` without labels, or the labels are
        the defaults ``"s0", "s1", ...``, unless ``G.graph["has_labels"]``, a pair
        of bools like :attr:`MDP.has_labels <identifiability.MDP.has_labels>`,
        decides); ``action_labels`` from the edge attribute ``action_label`` or
        the action labels themselves; ``terminal`` from the node attribute
        ``terminal``.

    Returns
    -------
    MDP

    Raises
    ------
    InvalidMDPError
        If ``G`` is undirected or empty, an edge has no action, a
        ``(state, action)`` pair has no outgoing edge (the message names the node
        and the action), a pair has several edges and one of them lacks ``prob``,
        two parallel edges repeat the same ``(state, action, next state)``, action
        ids and labels are mixed, or the MDP validator rejects the result (e.g.
        the probabilities of a pair do not sum to 1).

    Notes
    -----
    ``O(|V| + |E|)`` Python work: a boundary converter, not a hot path.

    Examples
    --------
    >>> import networkx as nx
    >>> from identifiability.convert import from_graph
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("start", "left", action="go-left")
    0
    >>> G.add_edge("start", "right", action="go-right", prob=1)
    0
    >>> G.add_edge("left", "left", action="go-left", prob="1/2")
    0
    >>> G.add_edge("left", "start", action="go-left", prob="1/2")
    0
    >>> for node in ("left", "right"):
    ...     _ = G.add_edge(node, node, action="go-right")
    >>> _ = G.add_edge("right", "right", action="go-left")
    >>> mdp = from_graph(G, gamma="9/10")
    >>> mdp.state_labels, mdp.action_labels
    (('start', 'left', 'right'), ('go-left', 'go-right'))
    >>> mdp.next_state_distribution(1, 0)
    {0: Fraction(1, 2), 1: Fraction(1, 2)}
    >>> G.remove_edge("right", "right", key=1)          # right has no go-left now
    >>> from_graph(G, gamma="9/10")
    Traceback (most recent call last):
    ...
    identifiability.errors.InvalidMDPError: node 'right' (state 2) has no outgoing edge for action 'go-left' (action 0); every action must be available in every state (give a terminal state a self-loop for each action)
    """
    if not (hasattr(G, "is_directed") and hasattr(G, "nodes") and hasattr(G, "edges")):
        raise InvalidMDPError(f"from_graph expects a networkx DiGraph or MultiDiGraph, "
                              f"got {type(G).__name__}")
    if not G.is_directed():
        raise InvalidMDPError("from_graph needs a directed graph (DiGraph or MultiDiGraph); "
                              "an undirected edge does not say which way the transition goes")
    nodes = list(G.nodes)
    S = len(nodes)
    if S == 0:
        raise InvalidMDPError("the graph has no nodes; an MDP needs at least one state")
    index = {node: i for i, node in enumerate(nodes)}
    multi = G.is_multigraph()
    edges = G.edges(keys=True, data=True) if multi else (
        (u, v, None, d) for u, v, d in G.edges(data=True))

    raw = []                # (s, s', action value, prob or None, edge name)
    for u, v, k, d in edges:
        if action_attr not in d:
            raise InvalidMDPError(
                f"edge {_edge_name(u, v, k, multi)} has no {action_attr!r} attribute; every "
                "edge needs the action that takes it (an int id 0..A-1 or an action label)")
        raw.append((index[u], index[v], d[action_attr], d.get(prob_attr), d.get("action_label"),
                    _edge_name(u, v, k, multi)))
    if not raw:
        raise InvalidMDPError("the graph has no edges; every state needs an outgoing edge "
                              "for every action")

    # Actions: integer ids or labels, never a mix.
    values = [r[2] for r in raw]
    given_alabels = mdp_kwargs.pop("action_labels", None)
    if all(_is_action_id(x) for x in values):
        ids = [int(x) for x in values]
        bad = [(x, r[5]) for x, r in zip(ids, raw) if x < 0]
        if bad:
            raise InvalidMDPError(f"edge {bad[0][1]} has action {bad[0][0]}; action ids "
                                  "must be integers >= 0")
        A = max(ids) + 1
        found = {}
        for a, r in zip(ids, raw):
            if r[4] is not None:
                if found.setdefault(a, r[4]) != r[4]:
                    raise InvalidMDPError(f"action {a} has two different action_label "
                                          f"attributes, {found[a]!r} and {r[4]!r} "
                                          f"(edge {r[5]})")
        alabels = tuple(str(found[a]) for a in range(A)) if len(found) == A else None
        if given_alabels is not None:
            alabels = given_alabels
    elif all(isinstance(x, str) for x in values):
        if given_alabels is not None:
            alabels = tuple(given_alabels)
            where = {lab: a for a, lab in enumerate(alabels)}
            for x, r in zip(values, raw):
                if x not in where:
                    raise InvalidMDPError(f"edge {r[5]} has action {x!r}, which is not in "
                                          f"action_labels {list(alabels)}")
        else:
            where = {}
            for x in values:
                where.setdefault(x, len(where))
            alabels = tuple(where)
        ids = [where[x] for x in values]
        A = len(alabels)
    else:
        for x, r in zip(values, raw):
            if not (_is_action_id(x) or isinstance(x, str)):
                raise InvalidMDPError(f"edge {r[5]} has action {x!r} of type "
                                      f"{type(x).__name__}; actions must be int ids or "
                                      "string labels")
        raise InvalidMDPError("the graph mixes integer action ids and string action labels; "
                              "use one kind for every edge")
    if alabels is not None and _default_labels(alabels, "a") and given_alabels is None:
        alabels = None

    def aname(a):
        return f"{alabels[a]!r} (action {a})" if alabels is not None else f"{a}"

    # Group edges by (s, a) and check the structural rules with node names.
    rows = {}
    for a, (s, sn, _x, p, _lab, name) in zip(ids, raw):
        rows.setdefault((s, a), []).append((sn, p, name))
    s_l, a_l, sn_l, p_l = [], [], [], []
    for s in range(S):
        for a in range(A):
            out = rows.get((s, a))
            if not out:
                raise InvalidMDPError(
                    f"node {nodes[s]!r} (state {s}) has no outgoing edge for action {aname(a)}; "
                    "every action must be available in every state "
                    "(give a terminal state a self-loop for each action)")
            seen = set()
            for sn, p, name in out:
                if p is None and len(out) > 1:
                    raise InvalidMDPError(
                        f"node {nodes[s]!r} (state {s}) has {len(out)} outgoing edges for action "
                        f"{aname(a)} but edge {name} has no {prob_attr!r} attribute; a "
                        f"deterministic transition is one edge, several successors need "
                        f"{prob_attr!r} on every edge")
                if sn in seen:
                    raise InvalidMDPError(
                        f"node {nodes[s]!r} (state {s}) has two edges to {nodes[sn]!r} for "
                        f"action {aname(a)}; merge them into one edge")
                seen.add(sn)
                s_l.append(s)
                a_l.append(a)
                sn_l.append(sn)
                p_l.append(1 if p is None else parse_scalar(
                    p, where=f"{prob_attr} of edge {name}", error=InvalidMDPError))

    # Graph-level defaults.
    attrs = [G.nodes[n] for n in nodes]
    if initial is None and any("initial" in d for d in attrs):
        initial = [d.get("initial", 0) for d in attrs]
    if gamma is None:
        gamma = G.graph.get("gamma", 1)
    if horizon is None:
        horizon = G.graph.get("horizon")
    if "terminal" not in mdp_kwargs:
        mdp_kwargs["terminal"] = [i for i, d in enumerate(attrs) if d.get("terminal")]
    if "atol" not in mdp_kwargs and G.graph.get("atol") is not None:
        mdp_kwargs["atol"] = G.graph["atol"]
    if "state_labels" not in mdp_kwargs:
        has = G.graph.get("has_labels")
        if any("label" in d for d in attrs):
            slabels = tuple(str(d.get("label", n)) for n, d in zip(nodes, attrs))
            # mdp.graph() always writes label attributes; "s0", "s1", ... mean "none
            # given" unless the graph says otherwise (G.graph["has_labels"]).
            if not has[0] if has is not None else _default_labels(slabels, "s"):
                slabels = None
        elif nodes == list(range(S)):
            slabels = None
        else:  # node names are the labels (G.graph["has_labels"] would be stale here)
            slabels = tuple(str(n) for n in nodes)
            if _default_labels(slabels, "s"):
                slabels = None
        mdp_kwargs["state_labels"] = slabels
    if given_alabels is None and G.graph.get("has_labels") is not None:
        if not G.graph["has_labels"][1]:
            alabels = None
        elif alabels is None and A:
            alabels = tuple(f"a{i}" for i in range(A))

    try:
        return MDP.from_entries(list(zip(s_l, a_l, sn_l, p_l)), S, A, initial, gamma=gamma,
                                horizon=horizon, action_labels=alabels, **mdp_kwargs)
    except InvalidMDPError as e:
        m = re.search(r"\(state (\d+), action \d+\)", str(e))
        if m:
            raise InvalidMDPError(f"{e} [state {m.group(1)} is node "
                                  f"{nodes[int(m.group(1))]!r}]") from None
        raise


# ---------------------------------------------------------------------------- gymnasium
def _env_name(env):
    spec = getattr(env, "spec", None)
    name = getattr(spec, "id", None)
    if name:
        return name
    return type(getattr(env, "unwrapped", env)).__name__


def _gym_P(env):
    if isinstance(env, Mapping):
        return env, None
    u = getattr(env, "unwrapped", env)
    P = getattr(u, "P", None)
    if not isinstance(P, Mapping):
        raise InvalidMDPError(
            f"env {_env_name(env)!r} has no tabular transition dict P (env.unwrapped.P = "
            "{s: {a: [(prob, next_state, reward, terminated), ...]}}); only tabular envs "
            "such as FrozenLake-v1, CliffWalking-v1 and Taxi-v4 can be converted")
    return P, u


def _check_index(x, n, what, where):
    if not _is_action_id(x) or not 0 <= x < n:
        raise InvalidMDPError(f"{where}: {what} {x!r} is not an index in 0..{n - 1}")
    return int(x)


def from_gymnasium(env, exact=False, *, gamma=1, horizon=None, max_denominator=10 ** 6,
                   with_reward=False, initial=None, **mdp_kwargs):
    """Build an MDP from a Gymnasium tabular env (its ``env.unwrapped.P`` dict).

    Parameters
    ----------
    env : gymnasium.Env or dict
        A toy-text env (FrozenLake, CliffWalking, Taxi, ...; wrappers are looked
        through via ``env.unwrapped``) or the raw dict
        ``P[s][a] = [(prob, next_state, reward, terminated), ...]`` with states
        ``0..S-1`` and the same actions ``0..A-1`` in every state.
    exact : bool, default False
        False: a float MDP (probabilities as float64).  True: an exact MDP; every
        float (probability, reward, initial probability, gamma) is rationalised with
        ``Fraction(x).limit_denominator(max_denominator)`` (exact numbers are kept
        as they are), and then every row must sum to exactly 1.
    gamma : number, default 1
        Discount factor (Gymnasium envs carry none).
    horizon : int or None, default None
        Number of decisions.  Gymnasium's episodes end by ``terminated`` or by the
        ``TimeLimit`` wrapper; for the latter pass
        ``horizon=env.spec.max_episode_steps``.  ``None`` is an infinite horizon
        and needs ``gamma < 1``.
    max_denominator : int, default 10**6
        Largest denominator when rationalising (``exact=True``).
    with_reward : bool, default False
        Also return the reward table ``R[s, a, s']``.
    initial : (S,) array_like, optional
        Start distribution.  Default: ``env.unwrapped.initial_state_distrib`` when
        the env has it, else uniform.
    **mdp_kwargs
        ``state_labels``, ``action_labels``, ``terminal``, ``atol`` as for
        :class:`~identifiability.MDP`.

    Returns
    -------
    mdp : MDP
        Repeated next states of one ``(s, a)`` are added up (slippery FrozenLake lists
        a wall-bounce several times).  ``mdp.terminal`` holds every state ``s'``
        reached with positive probability by a tuple with ``terminated=True``
        (unless ``terminal=`` is given).  Zero-probability tuples are ignored.
    reward : (S, A, S) ndarray
        Only with ``with_reward=True``.  When one ``(s, a, s')`` appears in several
        tuples with different rewards, ``R[s, a, s']`` is their
        probability-weighted mean, which keeps the expected reward
        ``sum_s' P[s, a, s'] R[s, a, s']`` of every pair equal to the env's.
        Transitions that never occur get reward 0.  Object Fractions when
        ``exact=True``, float64 otherwise.

    Raises
    ------
    InvalidMDPError
        If the env has no ``P`` dict (e.g. Blackjack), the dict is malformed (the
        message names ``P[s][a][k]``), or a row does not sum to 1 (with
        ``exact=True`` this can be caused by the rationalisation; the message says
        so and names the row).

    Notes
    -----
    ``O(number of tuples)`` Python work, plus ``O(S^2 A)`` for the dense reward.
    Gymnasium's terminal states are absorbing in FrozenLake's ``P`` but not in
    CliffWalking's or Taxi's (the env just stops there); the ``terminal`` flag is
    informational and the dynamics are exactly those of ``P``.

    Examples
    --------
    >>> from identifiability.convert import from_gymnasium
    >>> P = {0: {0: [(0.5, 1, 1.0, True), (0.25, 0, 0.0, False), (0.25, 0, 0.0, False)]},
    ...      1: {0: [(1.0, 1, 0.0, True)]}}
    >>> mdp, R = from_gymnasium(P, exact=True, horizon=3, with_reward=True)
    >>> mdp.next_state_distribution(0, 0), mdp.terminal
    ({0: Fraction(1, 2), 1: Fraction(1, 2)}, (1,))
    >>> R[0, 0, 1]
    Fraction(1, 1)
    >>> from_gymnasium({0: {0: [(0.3333333, 0, 0.0, False)] * 3}}, exact=True, gamma=0).P
    array([[[Fraction(1, 1)]]], dtype=object)
    >>> from_gymnasium({0: {0: [(0.1, 0, 0.0, False), (0.9, 0, 0.0, False)]}}, exact=True,
    ...                gamma=0, max_denominator=5)
    Traceback (most recent call last):
    ...
    identifiability.errors.InvalidMDPError: entries: row (state 0, action 0) sums to 6/5 instead of 1; exact=True rationalised each probability with Fraction(p).limit_denominator(5) and the row no longer sums to 1 (the floats were [0.1, 0.9]); use exact=False, or give exact probabilities
    """
    P, u = _gym_P(env)
    if isinstance(max_denominator, bool) or not isinstance(max_denominator, (int, np.integer)) \
            or max_denominator < 1:
        raise InvalidMDPError(f"max_denominator must be a positive integer, "
                              f"got {max_denominator!r}")

    def number(x, where):
        v = parse_scalar(x, where=where, error=InvalidMDPError)
        if not exact:
            return float(v)
        if isinstance(v, float):
            return Fraction(v).limit_denominator(max_denominator)
        return Fraction(v)

    S = len(P)
    if S == 0:
        raise InvalidMDPError("the P dict is empty; an MDP needs at least one state")
    if set(P) != set(range(S)):
        extra = sorted((k for k in P if not (_is_action_id(k) and 0 <= k < S)), key=repr)
        raise InvalidMDPError(f"the P dict must have the states 0..{S - 1} as keys; found "
                              f"key {extra[0]!r}" if extra else "the P dict has repeated keys")
    A = None
    s_l, a_l, sn_l, p_l, r_l = [], [], [], [], []
    floats = {}              # row -> the original probabilities, for the error message
    terminal = set()
    for s in range(S):
        acts = P[s]
        if not isinstance(acts, Mapping):
            raise InvalidMDPError(f"P[{s}] must be a dict {{action: [(prob, next_state, "
                                  f"reward, terminated), ...]}}, got {type(acts).__name__}")
        if A is None:
            A = len(acts)
            if A == 0:
                raise InvalidMDPError("P[0] has no actions; an MDP needs at least one action")
        if len(acts) != A or set(acts) != set(range(A)):
            raise InvalidMDPError(f"P[{s}] has actions {sorted(acts, key=repr)}, but P[0] has "
                                  f"0..{A - 1}; every state needs the same actions 0..A-1")
        for a in range(A):
            outcomes = acts[a]
            if isinstance(outcomes, tuple) and len(outcomes) == 4 and not isinstance(
                    outcomes[0], (tuple, list)):
                outcomes = [outcomes]
            if len(outcomes) == 0:
                raise InvalidMDPError(f"P[{s}][{a}] is empty; every (state, action) needs "
                                      "at least one outcome")
            for k, t in enumerate(outcomes):
                where = f"P[{s}][{a}][{k}]"
                if not isinstance(t, (tuple, list)) or len(t) != 4:
                    raise InvalidMDPError(f"{where} = {t!r} is not a tuple "
                                          "(prob, next_state, reward, terminated)")
                p, sn, r, done = t
                sn = _check_index(sn, S, "next state", where)
                pv = number(p, f"{where} probability")
                if exact and isinstance(p, (float, np.floating)):
                    floats.setdefault((s, a), []).append(float(p))
                if pv == 0:
                    continue
                if pv < 0:
                    raise InvalidMDPError(f"{where}: negative probability {format_number(pv)}")
                if done:
                    terminal.add(sn)
                s_l.append(s)
                a_l.append(a)
                sn_l.append(sn)
                p_l.append(pv)
                r_l.append(number(r, f"{where} reward") if with_reward else 0)

    if initial is None and u is not None and getattr(u, "initial_state_distrib", None) is not None:
        initial = u.initial_state_distrib
    if exact:
        if initial is not None:
            initial = [number(x, f"initial[{i}]") for i, x in
                       enumerate(parse_array(initial, where="initial", error=InvalidMDPError,
                                             ndim=1).tolist())]
        gamma = number(gamma, "gamma")
    mdp_kwargs.setdefault("terminal", sorted(terminal))

    s_a, a_a, sn_a = (np.array(c, dtype=np.int64) for c in (s_l, a_l, sn_l))
    if exact:
        p_a = np.empty(len(p_l), dtype=object)
        p_a[:] = p_l
    else:
        p_a = np.array(p_l, dtype=np.float64)
    try:
        mdp = MDP.from_entries((s_a, a_a, sn_a, p_a), S, A, initial, gamma=gamma,
                               horizon=horizon, sum_duplicates=True, **mdp_kwargs)
    except InvalidMDPError as e:
        m = re.search(r"row \(state (\d+), action (\d+)\)", str(e))
        if exact and m and (int(m.group(1)), int(m.group(2))) in floats:
            raise InvalidMDPError(
                f"{e}; exact=True rationalised each probability with "
                f"Fraction(p).limit_denominator({max_denominator}) and the row no longer sums "
                f"to 1 (the floats were {floats[int(m.group(1)), int(m.group(2))]}); use "
                "exact=False, or give exact probabilities") from None
        steps = getattr(getattr(env, "spec", None), "max_episode_steps", None)
        if horizon is None and steps and "infinite horizon" in str(e):
            raise InvalidMDPError(f"{e} (this env's TimeLimit is "
                                  f"horizon={steps}: env.spec.max_episode_steps)") from None
        raise
    if not with_reward:
        return mdp

    # Probability-weighted mean reward per (s, a, s'), which keeps the expected reward.
    # Equal rewards are copied, not averaged, so float rewards come back bit for bit.
    groups = {}
    for key in zip(s_l, a_l, sn_l, p_l, r_l):
        groups.setdefault(key[:3], []).append(key[3:])
    R = np.zeros((S, A, S), dtype=object if exact else np.float64)
    if exact:
        R[...] = Fraction(0)
    for key, pr in groups.items():
        first = pr[0][1]
        if all(r == first for _, r in pr):
            R[key] = first
        else:
            R[key] = sum(p * r for p, r in pr) / sum(p for p, _ in pr)
    return mdp, R


def to_gymnasium_dict(mdp, reward=None, *, exact=None):
    """The Gymnasium ``P`` dict of ``mdp``, the inverse of :func:`from_gymnasium`.

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like, optional
        Put ``R[(s, a, s')[:R.ndim]]`` on each tuple (shape-prefix rule); default 0.
    exact : bool, optional
        Write probabilities and rewards as Fractions (the default for an exact
        ``mdp`` with an exact reward) or as Python floats (``exact=False``: what
        Gymnasium's env checker expects when the dict is put into a live env).

    Returns
    -------
    dict
        ``P[s][a] = [(prob, next_state, reward, terminated), ...]`` with one tuple per
        positive ``P[s, a, s']``, in increasing ``s'``;  ``terminated`` is
        ``s' in mdp.terminal``.

    Notes
    -----
    ``O(nnz)``.  ``from_gymnasium(to_gymnasium_dict(m), exact=m.is_exact,
    initial=m.initial, gamma=m.gamma, horizon=m.horizon, terminal=m.terminal)``
    rebuilds ``m`` (pass the labels too if it has any).

    Examples
    --------
    >>> from identifiability import MDP
    >>> from identifiability.convert import to_gymnasium_dict
    >>> mdp = MDP([[["1/2", "1/2"]], [[0, 1]]], horizon=2, terminal=[1])
    >>> to_gymnasium_dict(mdp, reward=[0, 1])[0][0]
    [(Fraction(1, 2), 0, Fraction(0, 1), False), (Fraction(1, 2), 1, Fraction(0, 1), True)]
    >>> to_gymnasium_dict(mdp, reward=[0, 1], exact=False)[0][0]
    [(0.5, 0, 0.0, False), (0.5, 1, 0.0, True)]
    """
    if not isinstance(mdp, MDP):
        raise InvalidMDPError(f"to_gymnasium_dict expects an identifiability.MDP, "
                              f"got {type(mdp).__name__}")
    if exact and not mdp.is_exact:
        raise InvalidMDPError("to_gymnasium_dict(exact=True) needs an exact MDP; "
                              "this one is float")
    s, a, sn, p = mdp.entries(exact=mdp.is_exact if exact is None else exact)
    if reward is None:
        r = [0.0 if exact is False or not mdp.is_exact else 0] * len(s)
    else:
        R = as_reward(reward, mdp)
        r = R[(s, a, sn)[:R.ndim]].tolist()
        if exact is False:
            r = [float(v) for v in r]
    probs = p.tolist()
    term = set(mdp.terminal)
    out = {i: {j: [] for j in range(mdp.n_actions)} for i in range(mdp.n_states)}
    for si, ai, ni, pi, ri in zip(s.tolist(), a.tolist(), sn.tolist(), probs, r):
        out[si][ai].append((pi, ni, ri, ni in term))
    return out


def to_mdptoolbox(mdp, reward):
    """Arrays for pymdptoolbox: ``(P[a, s, s'], R[s, a])``, both float64.

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
        Reduced to the expected immediate reward
        ``R[s, a] = sum_s' P[s, a, s'] R(s, a, s')``, which is one of the reward
        forms pymdptoolbox accepts and the only thing its solvers use.

    Returns
    -------
    P : (A, S, S) float64 ndarray
    R : (S, A) float64 ndarray

    Notes
    -----
    Pass ``discount=float(mdp.gamma)``; for a finite horizon use
    ``mdptoolbox.mdp.FiniteHorizon(P, R, discount, N=mdp.horizon)``.

    Examples
    --------
    >>> from identifiability import MDP
    >>> from identifiability.convert import to_mdptoolbox
    >>> mdp = MDP([[["1/2", "1/2"]], [[0, 1]]], gamma="9/10")
    >>> P, R = to_mdptoolbox(mdp, [[[0, 2]], [[5, 1]]])
    >>> P.shape, R.tolist()
    ((1, 2, 2), [[1.0], [1.0]])
    """
    P = to_arrays(mdp, "ass")
    return to_float_array(P), np.asarray(expected_reward(mdp, reward, exact=False),
                                         dtype=np.float64)
