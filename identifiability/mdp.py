"""The validated, immutable finite MDP.

Conventions used everywhere in the package:

* ``P[s, a, s']`` is the probability of moving to ``s'`` when action ``a`` is taken
  in state ``s``; the transition array has shape ``(S, A, S)``.
* ``initial`` is the start distribution, shape ``(S,)``.
* ``gamma`` is the discount in ``[0, 1]``; ``horizon`` is the number of decisions
  ``H >= 1``, or ``None`` for an infinite horizon (which needs ``gamma < 1``).

Internally transitions are stored sparsely (coordinate lists sorted by
``(s, a, s')``, one row per state-action pair), so an MDP with 10,000 states and
a handful of successors per pair costs memory proportional to its support, and
the expectation ``(P v)(s, a)`` used by every solver is one vectorised gather and
segmented sum.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ._numbers import (
    format_number,
    is_exact_array,
    parse_array,
    parse_scalar,
    to_fractions,
)
from .errors import InvalidMDPError

__all__ = ["MDP", "FLOAT_ATOL"]

#: Tolerance on row sums (and initial-distribution sums) of *float* MDPs.
#: Exact MDPs must sum to exactly one.  Pass ``atol=`` to :class:`MDP` to change it.
FLOAT_ATOL = 1e-8


def check_distribution(dist, shape, *, where, error=InvalidMDPError, atol=FLOAT_ATOL):
    """A validated probability distribution of ``shape``: ``(array, exact)`` (private helper).

    The one validator for distributions (the MDP's ``initial``, coverage, state and action
    distributions of the distances, data distributions of the inference code).  Exact
    input (ints, Fractions, ``"p/q"`` strings) comes back as a Fraction object array and
    must sum to exactly 1; float input as float64 within ``atol`` of 1.

    Raises ``error`` naming the problem: a wrong shape, the first negative entry (with its
    index and value), or the total when it is not 1.
    """
    x = parse_array(dist, where=where, error=error)
    shape = tuple(shape)
    if x.shape != shape:
        raise error(f"{where} must be a distribution of shape {shape}, got shape {x.shape}")
    exact = is_exact_array(x)
    if exact:
        x = to_fractions(x)
        neg = np.array([v < 0 for v in x.reshape(-1).tolist()], dtype=bool).reshape(shape)
    else:
        neg = x < 0
    if neg.any():
        idx = np.unravel_index(int(np.flatnonzero(neg)[0]), shape)
        at = "[" + ", ".join(str(int(i)) for i in idx) + "]"
        raise error(f"{where}{at} = {format_number(x[idx])} is negative; "
                    f"{where} must be a probability distribution")
    total = sum(x.reshape(-1).tolist(), Fraction(0)) if exact else float(x.sum())
    if (exact and total != 1) or (not exact and abs(total - 1.0) > atol):
        raise error(f"{where} sums to {format_number(total)} instead of 1; "
                    f"it must be a probability distribution")
    return x, exact


def require_discounted(mdp, who, *, error=InvalidMDPError, hint=""):
    """Raise ``error`` unless ``mdp`` is discounted with an infinite horizon (private helper).

    ``who`` names the caller in the message; ``hint`` is appended (what to use instead).
    """
    if mdp.horizon is not None or not mdp.gamma < 1:
        raise error(f"{who} is defined for the discounted infinite-horizon setting "
                    f"(mdp.horizon is None and gamma < 1); this MDP has horizon={mdp.horizon} "
                    f"and gamma={format_number(mdp.gamma)}.  Use mdp.replace(horizon=None) "
                    f"with gamma < 1{hint}")


def _check_index_array(values, n, what, where):
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InvalidMDPError(f"{where}: {what} indices must be a 1-D sequence, got shape {arr.shape}")
    if arr.size and arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise InvalidMDPError(f"{where}: {what} indices must be integers, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    bad = (arr < 0) | (arr >= n)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InvalidMDPError(f"{where}: entry {k} has {what} index {int(arr[k])}, "
                              f"outside 0..{n - 1}")
    return arr


def _validate_gamma(gamma):
    if isinstance(gamma, (bool, np.bool_)):
        raise InvalidMDPError(f"gamma must be a number in [0, 1], got the boolean {gamma!r}")
    g = parse_scalar(gamma, where="gamma", error=InvalidMDPError)
    if not (0 <= g <= 1):
        raise InvalidMDPError(f"gamma must lie in [0, 1], got {format_number(g)}")
    if isinstance(g, int):
        g = Fraction(g)
    return g


def _validate_horizon(horizon):
    if horizon is None:
        return None
    if isinstance(horizon, (bool, np.bool_)) or not isinstance(horizon, (int, np.integer)):
        raise InvalidMDPError(f"horizon must be an integer >= 1 (number of decisions) "
                              f"or None for an infinite horizon, got {horizon!r}")
    if horizon < 1:
        raise InvalidMDPError(f"horizon must be >= 1 (number of decisions), got {int(horizon)}")
    return int(horizon)


def _validate_labels(labels, n, what):
    if labels is None:
        return None
    if isinstance(labels, str):
        raise InvalidMDPError(f"{what}_labels must be a sequence of {n} strings, got one string")
    labels = tuple(labels)
    if len(labels) != n:
        raise InvalidMDPError(f"{what}_labels has {len(labels)} entries, expected {n} "
                              f"(one per {what})")
    for i, lab in enumerate(labels):
        if not isinstance(lab, str):
            raise InvalidMDPError(f"{what}_labels[{i}] is {lab!r} of type "
                                  f"{type(lab).__name__}; labels must be strings")
    if len(set(labels)) != n:
        seen = set()
        for lab in labels:
            if lab in seen:
                raise InvalidMDPError(f"{what}_labels must be unique; {lab!r} appears twice")
            seen.add(lab)
    return labels


def _validate_terminal(terminal, n):
    if terminal is None:
        return ()
    arr = np.asarray(terminal)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise InvalidMDPError(f"terminal as a boolean mask must have shape ({n},), got {arr.shape}")
        return tuple(int(i) for i in np.flatnonzero(arr))
    arr = _check_index_array(arr.reshape(-1) if arr.ndim == 0 else arr, n, "state", "terminal")
    return tuple(sorted(set(arr.tolist())))


class MDP:
    """A finite Markov decision process: validated, immutable, exact or float.

    Parameters
    ----------
    transitions : (S, A, S) array_like
        ``P[s, a, s']``.  Entries may be ints, :class:`fractions.Fraction`, sympy
        Rationals or numeric strings (``"1/3"``, ``"0.25"``): then the MDP is *exact*
        and every row must sum to exactly 1.  Any float entry makes it a *float* MDP,
        whose rows must sum to 1 within ``atol``.  Nothing is normalised or clipped.
    initial : (S,) array_like, optional
        Start distribution.  ``None`` means uniform over all states.
    gamma : number, default 1
        Discount factor in ``[0, 1]``.  A float gamma makes the MDP float.
    horizon : int or None, default None
        Number of decisions ``H >= 1``; ``None`` is an infinite horizon and then
        ``gamma < 1`` is required.
    state_labels, action_labels : sequence of str, optional
        Names of the states and actions (kept by files and exports).
    terminal : sequence of int or (S,) bool array, optional
        States flagged terminal (for example by a Gymnasium env).  The flag is
        informational: the dynamics are those given by ``transitions``.
    atol : float, default :data:`FLOAT_ATOL`
        Row-sum tolerance for float MDPs (ignored for exact ones).

    Raises
    ------
    InvalidMDPError
        For NaN or infinite entries, negative probabilities, a row ``(s, a)`` that
        does not sum to 1, wrong shapes, ragged lists, empty state or action sets,
        ``gamma`` outside ``[0, 1]``, an infinite horizon with ``gamma = 1``, a bad
        horizon, an initial vector that is not a distribution, non-numeric strings
        and invalid labels.  The message names the offending entry.

    Notes
    -----
    Memory and the cost of :meth:`expectation` are ``O(nnz)``, the number of
    positive transition probabilities.  The dense views (:attr:`transitions`,
    :attr:`support`) are built on first use and cost ``O(S^2 A)``.

    Examples
    --------
    >>> import identifiability as idf
    >>> P = [[[1, 0], [0, 1]],
    ...      [["1/2", "1/2"], [0, 1]]]
    >>> mdp = idf.MDP(P, initial=[1, 0], horizon=3)
    >>> mdp.n_states, mdp.n_actions, mdp.is_exact, mdp.is_deterministic
    (2, 2, True, False)
    >>> mdp.successors(1, 0)
    (0, 1)
    >>> mdp.transitions[1, 0, 0]
    Fraction(1, 2)
    """

    __slots__ = (
        "_n_states", "_n_actions", "_src", "_act", "_dst", "_row", "_row_start",
        "_prob", "_prob_exact", "_initial", "_initial_exact", "_gamma", "_horizon",
        "_state_labels", "_action_labels", "_terminal", "_atol", "_cache",
    )

    def __init__(self, transitions, initial=None, *, gamma=1, horizon=None,
                 state_labels=None, action_labels=None, terminal=None, atol=FLOAT_ATOL):
        if isinstance(transitions, MDP):
            raise InvalidMDPError("transitions is already an MDP; use mdp.replace(...) to change it")
        P = parse_array(transitions, where="transitions", error=InvalidMDPError)
        if P.ndim != 3:
            raise InvalidMDPError(f"transitions must have 3 dimensions (S, A, S) with "
                                  f"P[s, a, s'], got {P.ndim} (shape {P.shape})")
        S, A, S2 = P.shape
        if S == 0 or A == 0:
            raise InvalidMDPError(f"transitions has an empty state or action set (shape {P.shape}); "
                                  "an MDP needs at least one state and one action")
        if S != S2:
            raise InvalidMDPError(f"transitions must have shape (S, A, S) with the same number "
                                  f"of states on axes 0 and 2, got shape {P.shape}")
        if P.dtype == object:
            nz = np.array([v != 0 for v in P.reshape(-1).tolist()], dtype=bool).reshape(P.shape)
        else:
            nz = P != 0
        s, a, sn = np.nonzero(nz)
        self._setup(S, A, s, a, sn, P[s, a, sn], initial, gamma, horizon,
                    state_labels, action_labels, terminal, atol, where="transitions")

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_entries(cls, entries, n_states, n_actions, initial=None, *, gamma=1, horizon=None,
                     state_labels=None, action_labels=None, terminal=None, atol=FLOAT_ATOL,
                     sum_duplicates=False):
        """Build an MDP from a sparse list of transitions ``(s, a, s', p)``.

        This is the constructor for large sparse MDPs: no dense ``(S, A, S)`` array
        is ever built.

        Parameters
        ----------
        entries : sequence of (s, a, s', p), or a tuple of four arrays ``(s, a, s', p)``
            Transition probabilities; missing entries are zero.  ``p`` follows the
            same exactness rules as :class:`MDP`.
        n_states, n_actions : int
            ``S`` and ``A``.
        initial, gamma, horizon, state_labels, action_labels, terminal, atol
            As for :class:`MDP`.
        sum_duplicates : bool, default False
            Add up repeated ``(s, a, s')`` entries instead of raising.

        Returns
        -------
        MDP

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP.from_entries([(0, 0, 1, 1), (1, 0, 0, "1/2"), (1, 0, 1, "1/2")],
        ...                            n_states=2, n_actions=1, gamma="9/10")
        >>> mdp.gamma, mdp.horizon
        (Fraction(9, 10), None)
        """
        for name, n in (("n_states", n_states), ("n_actions", n_actions)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise InvalidMDPError(f"{name} must be a positive integer, got {n!r}")
        S, A = int(n_states), int(n_actions)
        if isinstance(entries, tuple) and len(entries) == 4 and all(
                isinstance(c, np.ndarray) for c in entries):
            s, a, sn, p = entries
        else:
            rows = list(entries)
            for k, e in enumerate(rows):
                if not isinstance(e, (tuple, list, np.ndarray)) or len(e) != 4:
                    raise InvalidMDPError(f"entries[{k}] must be (s, a, s', p), got {e!r}")
            s = [e[0] for e in rows]
            a = [e[1] for e in rows]
            sn = [e[2] for e in rows]
            p = [e[3] for e in rows]
        s = _check_index_array(s, S, "state", "entries")
        a = _check_index_array(a, A, "action", "entries")
        sn = _check_index_array(sn, S, "next-state", "entries")
        if not (len(s) == len(a) == len(sn)):
            raise InvalidMDPError("entries: the s, a and s' index arrays have different lengths")
        p = parse_array(list(p) if not isinstance(p, np.ndarray) else p,
                        where="entries probabilities", error=InvalidMDPError, ndim=1)
        if len(p) != len(s):
            raise InvalidMDPError(f"entries: {len(s)} index triples but {len(p)} probabilities")
        key = (s * A + a) * S + sn
        order = np.argsort(key, kind="stable")
        key, s, a, sn, p = key[order], s[order], a[order], sn[order], p[order]
        dup = np.flatnonzero(key[1:] == key[:-1])
        if dup.size:
            if not sum_duplicates:
                k = int(dup[0])
                raise InvalidMDPError(
                    f"entries: transition (s={int(s[k])}, a={int(a[k])}, s'={int(sn[k])}) "
                    "is listed more than once; pass sum_duplicates=True to add them up")
            starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
            if p.dtype == object or p.dtype.kind in "iu":
                p = np.add.reduceat(p.astype(object) if p.dtype == object else p, starts)
            else:
                p = np.add.reduceat(p, starts)
            s, a, sn = s[starts], a[starts], sn[starts]
        self = cls.__new__(cls)
        self._setup(S, A, s, a, sn, p, initial, gamma, horizon, state_labels,
                    action_labels, terminal, atol, where="entries")
        return self

    def _setup(self, S, A, s, a, sn, p, initial, gamma, horizon, state_labels,
               action_labels, terminal, atol, *, where):
        exact_p = is_exact_array(p)
        # Negative probabilities, checked before zero entries are dropped.
        if exact_p:
            pf = to_fractions(p) if p.dtype != object else p
            neg = np.array([v < 0 for v in pf.tolist()], dtype=bool)
        else:
            pf = p.astype(np.float64)
            neg = pf < 0
        if neg.any():
            k = int(np.flatnonzero(neg)[0])
            raise InvalidMDPError(
                f"{where}: negative probability {format_number(pf[k])} at "
                f"(s={int(s[k])}, a={int(a[k])}, s'={int(sn[k])})")
        keep = np.array([v != 0 for v in pf.tolist()], dtype=bool) if exact_p else pf != 0
        s, a, sn, pf = s[keep], a[keep], sn[keep], pf[keep]
        row = s * A + a
        counts = np.bincount(row, minlength=S * A)
        if exact_p:
            sums = np.zeros(S * A, dtype=object)
            sums[:] = Fraction(0)
            if len(row):
                starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])
                sums[row[starts]] = np.add.reduceat(pf, starts)
            bad = np.array([v != 1 for v in sums.tolist()], dtype=bool)
        else:
            sums = np.bincount(row, weights=pf, minlength=S * A)
            bad = np.abs(sums - 1.0) > atol
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            total = format_number(sums[k])
            hint = "" if exact_p else (f" (float rows must sum to 1 within atol={atol:g}; "
                                       "give exact fractions like '1/3' to avoid rounding)")
            more = f"; {int(bad.sum()) - 1} more row(s) are wrong too" if bad.sum() > 1 else ""
            raise InvalidMDPError(
                f"{where}: row (state {k // A}, action {k % A}) sums to {total} instead of 1"
                f"{hint}{more}")

        g = _validate_gamma(gamma)
        H = _validate_horizon(horizon)
        if H is None and g == 1:
            raise InvalidMDPError("an infinite horizon (horizon=None) needs gamma < 1; "
                                  "give a finite horizon=H or a discount gamma < 1")

        if initial is None:
            init = np.empty(S, dtype=object)
            init[:] = [Fraction(1, S)] * S
        else:
            init, _ = check_distribution(initial, (S,), where="initial", atol=atol)

        exact = exact_p and init.dtype == object and isinstance(g, Fraction)
        self._n_states, self._n_actions = S, A
        self._src = s.astype(np.int64)
        self._act = a.astype(np.int64)
        self._dst = sn.astype(np.int64)
        self._row = row.astype(np.int64)
        self._row_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        if exact:
            self._prob_exact = pf
            self._prob = np.array([float(v) for v in pf.tolist()], dtype=np.float64)
            self._initial_exact = init
            self._initial = np.array([float(v) for v in init.tolist()], dtype=np.float64)
            self._gamma = g
        else:
            self._prob_exact = None
            self._prob = (np.array([float(v) for v in pf.tolist()], dtype=np.float64)
                          if pf.dtype == object else pf.astype(np.float64))
            self._initial_exact = None
            self._initial = (np.array([float(v) for v in init.tolist()], dtype=np.float64)
                             if init.dtype == object else init.astype(np.float64))
            self._gamma = float(g)
        for arr in (self._src, self._act, self._dst, self._row, self._row_start, self._prob,
                    self._initial):
            arr.setflags(write=False)
        for arr in (self._prob_exact, self._initial_exact):
            if arr is not None:
                arr.setflags(write=False)
        self._horizon = H
        self._state_labels = _validate_labels(state_labels, S, "state")
        self._action_labels = _validate_labels(action_labels, A, "action")
        self._terminal = _validate_terminal(terminal, S)
        self._atol = atol  # kept so replace() and pickling re-validate with the same tolerance
        self._cache = {}

    def __setattr__(self, name, value):
        if name in MDP.__slots__ and not hasattr(self, "_cache"):
            object.__setattr__(self, name, value)
        elif name == "_cache" and not hasattr(self, "_cache"):
            object.__setattr__(self, name, value)
        else:
            raise AttributeError(f"MDP is immutable; use mdp.replace({name.lstrip('_')}=...) "
                                 "to build a modified copy")

    def __delattr__(self, name):
        raise AttributeError("MDP is immutable")

    # ------------------------------------------------------------------ basic properties
    @property
    def n_states(self):
        """int: number of states ``S``."""
        return self._n_states

    @property
    def n_actions(self):
        """int: number of actions ``A`` (every action is available in every state)."""
        return self._n_actions

    @property
    def gamma(self):
        """Fraction or float: the discount (a Fraction when the MDP is exact)."""
        return self._gamma

    @property
    def horizon(self):
        """int or None: number of decisions ``H``; ``None`` for an infinite horizon."""
        return self._horizon

    @property
    def is_exact(self):
        """bool: True when transitions, initial distribution and gamma are rational."""
        return self._prob_exact is not None

    @property
    def is_deterministic(self):
        """bool: True when every ``(s, a)`` has exactly one successor."""
        if "deterministic" not in self._cache:  # read on every expectation() call
            self._cache["deterministic"] = bool(np.all(np.diff(self._row_start) == 1))
        return self._cache["deterministic"]

    @property
    def n_transitions(self):
        """int: number of positive entries ``nnz`` of ``P``."""
        return int(self._prob.shape[0])

    @property
    def state_labels(self):
        """tuple of str: state names (``"s0"``, ``"s1"``, ... unless given)."""
        if self._state_labels is None:
            return tuple(f"s{i}" for i in range(self._n_states))
        return self._state_labels

    @property
    def action_labels(self):
        """tuple of str: action names (``"a0"``, ``"a1"``, ... unless given)."""
        if self._action_labels is None:
            return tuple(f"a{i}" for i in range(self._n_actions))
        return self._action_labels

    @property
    def atol(self):
        """float: the row-sum tolerance this MDP was validated with (float MDPs only)."""
        return self._atol

    @property
    def has_labels(self):
        """tuple of bool: whether state and action labels were given explicitly."""
        return (self._state_labels is not None, self._action_labels is not None)

    @property
    def terminal(self):
        """tuple of int: states flagged terminal (possibly empty)."""
        return self._terminal

    @property
    def initial(self):
        """(S,) ndarray: start distribution; object array of Fractions when exact. Read-only."""
        return self._initial_exact if self.is_exact else self._initial

    @property
    def start_states(self):
        """tuple of int: states with positive initial probability."""
        return tuple(int(i) for i in np.flatnonzero(self._initial > 0)) if not self.is_exact else \
            tuple(i for i, v in enumerate(self._initial_exact.tolist()) if v > 0)

    @property
    def transitions(self):
        """(S, A, S) ndarray: dense ``P[s, a, s']`` (object Fractions if exact). Read-only.

        Built on first access; costs ``O(S^2 A)`` memory.
        """
        if "P" not in self._cache:
            S, A = self._n_states, self._n_actions
            if self.is_exact:
                P = np.empty((S, A, S), dtype=object)
                P[...] = Fraction(0)
                P[self._src, self._act, self._dst] = self._prob_exact
            else:
                P = np.zeros((S, A, S), dtype=np.float64)
                P[self._src, self._act, self._dst] = self._prob
            P.setflags(write=False)
            self._cache["P"] = P
        return self._cache["P"]

    P = transitions

    @property
    def support(self):
        """(S, A, S) bool ndarray: ``P[s, a, s'] > 0``. Read-only."""
        if "support" not in self._cache:
            m = np.zeros((self._n_states, self._n_actions, self._n_states), dtype=bool)
            m[self._src, self._act, self._dst] = True
            m.setflags(write=False)
            self._cache["support"] = m
        return self._cache["support"]

    def _check_state(self, s, name="s"):
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)) or \
                not 0 <= s < self._n_states:
            raise InvalidMDPError(f"{name}={s!r} is not a state index in 0..{self._n_states - 1}")
        return int(s)

    def _check_action(self, a, name="a"):
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)) or \
                not 0 <= a < self._n_actions:
            raise InvalidMDPError(f"{name}={a!r} is not an action index in 0..{self._n_actions - 1}")
        return int(a)

    def successors(self, s, a):
        """States reachable in one step from ``s`` under ``a``.

        Parameters
        ----------
        s : int
            State index.
        a : int
            Action index.

        Returns
        -------
        tuple of int
            Sorted successor states ``s'`` with ``P[s, a, s'] > 0``.

        Examples
        --------
        >>> import identifiability as idf
        >>> idf.examples.get("cao2021-example1-v0").successors(0, 1)
        (2,)
        """
        r = self._check_state(s) * self._n_actions + self._check_action(a)
        lo, hi = self._row_start[r], self._row_start[r + 1]
        return tuple(int(x) for x in self._dst[lo:hi])

    def next_state_distribution(self, s, a):
        """The distribution ``P[s, a, :]`` as a dict ``{s': p}`` over its support.

        Parameters
        ----------
        s : int
            State index.
        a : int
            Action index.

        Returns
        -------
        dict of int to Fraction or float

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[["1/4", "3/4"]], [[0, 1]]], horizon=2)
        >>> mdp.next_state_distribution(0, 0)
        {0: Fraction(1, 4), 1: Fraction(3, 4)}
        """
        r = self._check_state(s) * self._n_actions + self._check_action(a)
        lo, hi = self._row_start[r], self._row_start[r + 1]
        probs = self._prob_exact if self.is_exact else self._prob
        return {int(self._dst[k]): (probs[k] if self.is_exact else float(probs[k]))
                for k in range(lo, hi)}

    def entries(self, exact=None):
        """The sparse transition list as four aligned arrays ``(s, a, s', p)``.

        Entries are sorted by ``(s, a, s')``; only positive probabilities appear.

        Parameters
        ----------
        exact : bool, optional
            Return ``p`` as an object array of Fractions (default when the MDP is
            exact) or as float64 (``exact=False``).

        Returns
        -------
        s, a, s_next : (nnz,) int64 ndarray
        p : (nnz,) ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> s, a, sn, p = idf.MDP([[[0, 1]], [[1, 0]]], horizon=1).entries()
        >>> s.tolist(), sn.tolist(), p.tolist()
        ([0, 1], [1, 0], [Fraction(1, 1), Fraction(1, 1)])
        """
        if exact is None:
            exact = self.is_exact
        if exact and not self.is_exact:
            raise InvalidMDPError("entries(exact=True) needs an exact MDP; this one is float")
        return self._src, self._act, self._dst, (self._prob_exact if exact else self._prob)

    def has_transitions(self, s, a, s_next):
        """Vectorised support test: ``P[s, a, s'] > 0`` for arrays of triples.

        Parameters
        ----------
        s, a, s_next : int or array_like of int
            Broadcastable indices; out-of-range indices give False.

        Returns
        -------
        bool or ndarray of bool

        Notes
        -----
        ``O(k log nnz)`` for ``k`` triples: a binary search in the sorted keys
        ``(s A + a) S + s'`` of the sparse entries (built once and cached).

        Examples
        --------
        >>> import identifiability as idf
        >>> m = idf.examples.get("cao2021-example1-v0")
        >>> m.has_transitions([0, 0, 1], [0, 1, 0], [1, 1, 0]).tolist()
        [True, False, True]
        """
        S, A = self._n_states, self._n_actions
        if "keys" not in self._cache:
            self._cache["keys"] = (self._row * S + self._dst).astype(np.int64)
        keys = self._cache["keys"]
        s, a, sn = np.broadcast_arrays(np.asarray(s), np.asarray(a), np.asarray(s_next))
        ok = (s >= 0) & (s < S) & (a >= 0) & (a < A) & (sn >= 0) & (sn < S)
        q = np.where(ok, (s.astype(np.int64) * A + a) * S + sn, -1)
        pos = np.clip(np.searchsorted(keys, q), 0, len(keys) - 1)
        found = ok & (keys[pos] == q)
        return bool(found) if found.ndim == 0 else found

    @property
    def row_pointer(self):
        """(S*A + 1,) int64 ndarray: CSR row pointer of the entries, row ``s*A + a``."""
        return self._row_start

    # ------------------------------------------------------------------ linear maps
    def expectation(self, values, exact=None):
        """Expected next-state values ``(P v)(s, a) = sum_s' P[s, a, s'] v[s']``.

        Parameters
        ----------
        values : (S,) or (S, k) array_like
            A value per state (or ``k`` columns of them).
        exact : bool, optional
            Compute with Fractions (object arrays).  Default: exact when the MDP is
            exact and ``values`` is an object array; otherwise float64.

        Returns
        -------
        (S, A) or (S, A, k) ndarray

        Notes
        -----
        ``O(nnz * k)``: one gather and one segmented sum over the sparse entries.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[["1/2", "1/2"]], [[0, 1]]], horizon=1)
        >>> mdp.expectation([2.0, 4.0])
        array([[3.],
               [4.]])
        """
        v = values if isinstance(values, np.ndarray) else np.asarray(values)
        if v.shape[:1] != (self._n_states,) or v.ndim > 2:
            raise InvalidMDPError(f"expectation: values must have shape ({self._n_states},) or "
                                  f"({self._n_states}, k), got {v.shape}")
        if exact is None:
            exact = self.is_exact and v.dtype == object
        S, A = self._n_states, self._n_actions
        if exact:
            if not self.is_exact:
                raise InvalidMDPError("expectation(exact=True) needs an exact MDP")
            vv = v if v.dtype == object else to_fractions(v)
            prod = vv[self._dst] * (self._prob_exact if v.ndim == 1 else self._prob_exact[:, None])
        else:
            vv = v.astype(np.float64, copy=False) if v.dtype != object else \
                np.array(v.tolist(), dtype=np.float64)
            prod = vv[self._dst] * (self._prob if v.ndim == 1 else self._prob[:, None])
        if self.is_deterministic:
            out = prod
        else:
            out = np.add.reduceat(prod, self._row_start[:-1], axis=0)
        return out.reshape((S, A) + v.shape[1:])

    # ------------------------------------------------------------------ derived objects
    def to_float(self):
        """A float copy of this MDP (same support, probabilities rounded to float64).

        Returns
        -------
        MDP
            ``is_exact`` is False.

        Examples
        --------
        >>> import identifiability as idf
        >>> m = idf.MDP([[["1/3", "2/3"]], [[0, 1]]], gamma="1/2").to_float()
        >>> m.is_exact, m.gamma
        (False, 0.5)
        """
        if not self.is_exact:
            return self
        return self._rebuild(prob=self._prob, initial=self._initial, gamma=float(self._gamma))

    def _rebuild(self, *, prob=None, initial=None, gamma=None, horizon=..., state_labels=...,
                 action_labels=..., terminal=...):
        new = MDP.__new__(MDP)
        new._setup(self._n_states, self._n_actions, self._src, self._act, self._dst,
                   self.entries()[3] if prob is None else prob,
                   self.initial if initial is None else initial,
                   self._gamma if gamma is None else gamma,
                   self._horizon if horizon is ... else horizon,
                   self._state_labels if state_labels is ... else state_labels,
                   self._action_labels if action_labels is ... else action_labels,
                   self._terminal if terminal is ... else terminal,
                   self._atol, where="transitions")
        return new

    def replace(self, **changes):
        """A copy with some fields changed (the MDP itself is immutable).

        Parameters
        ----------
        **changes
            Any of ``initial``, ``gamma``, ``horizon``, ``state_labels``,
            ``action_labels``, ``terminal``.  The result is validated like a new MDP.

        Returns
        -------
        MDP

        Examples
        --------
        >>> import identifiability as idf
        >>> m = idf.examples.get("cao2021-example1-v0")
        >>> m.replace(horizon=7).horizon
        7
        """
        allowed = {"initial", "gamma", "horizon", "state_labels", "action_labels", "terminal"}
        unknown = set(changes) - allowed
        if unknown:
            raise TypeError(f"replace() got unexpected field(s) {sorted(unknown)}; "
                            f"allowed: {sorted(allowed)}")
        kw = {k: v for k, v in changes.items()}
        if "initial" in kw and kw["initial"] is None:
            kw["initial"] = np.array([Fraction(1, self._n_states)] * self._n_states, dtype=object) \
                if self.is_exact else np.full(self._n_states, 1.0 / self._n_states)
        return self._rebuild(**kw)

    def graph(self):
        """The transition graph as a :class:`networkx.MultiDiGraph`.

        Nodes are state indices with attributes ``label``, ``initial`` and
        ``terminal``; there is one edge ``s -> s'`` per action with positive
        probability, keyed by the action index, with attributes ``action``,
        ``action_label`` and ``prob`` (a Fraction when the MDP is exact).

        Returns
        -------
        networkx.MultiDiGraph

        Examples
        --------
        >>> import identifiability as idf
        >>> G = idf.examples.get("cao2021-example1-v0").graph()
        >>> sorted(G.edges(0, keys=True, data="prob"))
        [(0, 1, 0, Fraction(1, 1)), (0, 2, 1, Fraction(1, 1))]
        """
        import networkx as nx

        G = nx.MultiDiGraph()
        init = self.initial
        term = set(self._terminal)
        for i, lab in enumerate(self.state_labels):
            G.add_node(i, label=lab, initial=init[i] if self.is_exact else float(init[i]),
                       terminal=i in term)
        alab = self.action_labels
        probs = self._prob_exact if self.is_exact else self._prob
        for k in range(self.n_transitions):
            a = int(self._act[k])
            p = probs[k] if self.is_exact else float(probs[k])
            G.add_edge(int(self._src[k]), int(self._dst[k]), key=a, action=a,
                       action_label=alab[a], prob=p)
        G.graph.update(gamma=self._gamma, horizon=self._horizon, has_labels=self.has_labels,
                       atol=self._atol)
        return G

    def summary(self):
        """A JSON-ready dict describing the model (used by ``identifiability info``).

        Returns
        -------
        dict

        Examples
        --------
        >>> import identifiability as idf
        >>> d = idf.examples.get("cao2021-example1-v0").summary()
        >>> d["n_states"], d["n_actions"], d["deterministic"], d["gamma"]
        (3, 2, True, '1')
        """
        starts = self.start_states
        out_deg = np.diff(self._row_start)
        # Breadth-first reachability on the sparse entries: O(nnz) per level, vectorised.
        reach = np.zeros(self._n_states, dtype=bool)
        reach[list(starts)] = True
        frontier = reach.copy()
        while frontier.any():
            nxt = np.zeros(self._n_states, dtype=bool)
            nxt[self._dst[frontier[self._src]]] = True
            frontier = nxt & ~reach
            reach |= nxt
        return {
            "n_states": self._n_states,
            "n_actions": self._n_actions,
            "n_transitions": self.n_transitions,
            "max_successors": int(out_deg.max()),
            "deterministic": self.is_deterministic,
            "exact": self.is_exact,
            "gamma": format_number(self._gamma),
            "horizon": self._horizon,
            "start_states": list(starts),
            "reachable_states": int(reach.sum()),
            "terminal_states": list(self._terminal),
            "state_labels": list(self.state_labels),
            "action_labels": list(self.action_labels),
        }

    # ------------------------------------------------------------------ dunder
    def _key(self):
        probs = tuple(self._prob_exact.tolist()) if self.is_exact else tuple(self._prob.tolist())
        init = tuple(self._initial_exact.tolist()) if self.is_exact else tuple(self._initial.tolist())
        return (self.is_exact, self._n_states, self._n_actions, tuple(self._src.tolist()),
                tuple(self._act.tolist()), tuple(self._dst.tolist()), probs, init, self._gamma,
                self._horizon, self._state_labels, self._action_labels, self._terminal)

    def __eq__(self, other):
        if not isinstance(other, MDP):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self):
        if "hash" not in self._cache:
            self._cache["hash"] = hash(self._key())
        return self._cache["hash"]

    def __repr__(self):
        kind = "exact" if self.is_exact else "float"
        det = "deterministic" if self.is_deterministic else "stochastic"
        H = "inf" if self._horizon is None else self._horizon
        return (f"<MDP {kind} {det}: S={self._n_states}, A={self._n_actions}, "
                f"nnz={self.n_transitions}, gamma={format_number(self._gamma)}, horizon={H}>")

    def __reduce__(self):
        P = (self._src, self._act, self._dst, self.entries()[3])
        return (_unpickle, (P, self._n_states, self._n_actions, self.initial, self._gamma,
                            self._horizon, self._state_labels, self._action_labels,
                            self._terminal, self._atol))

    # ------------------------------------------------------------------ converters
    @classmethod
    def from_arrays(cls, P, initial=None, *, layout="sas", **kwargs):
        """Build an MDP from a transition array in another library's axis order.

        See :func:`identifiability.convert.from_arrays` for the full description.

        Examples
        --------
        >>> import numpy as np, identifiability as idf
        >>> P_ass = np.array([[[0, 1], [1, 0]]])      # pymdptoolbox: P[a, s, s']
        >>> idf.MDP.from_arrays(P_ass, layout="ass", horizon=2).successors(0, 0)
        (1,)
        """
        from . import convert

        return convert.from_arrays(P, initial, layout=layout, **kwargs)

    def to_arrays(self, layout="sas"):
        """The dense transition array in the axis order ``layout``.

        See :func:`identifiability.convert.to_arrays`.

        Examples
        --------
        >>> import identifiability as idf
        >>> idf.examples.get("cao2021-example1-v0").to_arrays("ass").shape
        (2, 3, 3)
        """
        from . import convert

        return convert.to_arrays(self, layout=layout)

    @classmethod
    def from_graph(cls, G, initial=None, **kwargs):
        """Build an MDP from a networkx graph.

        See :func:`identifiability.convert.from_graph`.

        Examples
        --------
        >>> import networkx as nx, identifiability as idf
        >>> G = nx.MultiDiGraph([(0, 1, {"action": 0}), (1, 0, {"action": 0})])
        >>> idf.MDP.from_graph(G, horizon=2).successors(1, 0)
        (0,)
        """
        from . import convert

        return convert.from_graph(G, initial, **kwargs)

    @classmethod
    def from_gymnasium(cls, env, exact=False, **kwargs):
        """Build an MDP from a Gymnasium toy-text env's ``P`` dict.

        See :func:`identifiability.convert.from_gymnasium`.

        Examples
        --------
        >>> import identifiability as idf
        >>> env = {0: {0: [(1.0, 1, 0.0, False)]}, 1: {0: [(1.0, 1, 1.0, True)]}}
        >>> idf.MDP.from_gymnasium(env, horizon=3).terminal
        (1,)
        """
        from . import convert

        return convert.from_gymnasium(env, exact=exact, **kwargs)


def _unpickle(entries, S, A, initial, gamma, horizon, state_labels, action_labels, terminal,
              atol=FLOAT_ATOL):
    return MDP.from_entries(entries, S, A, initial, gamma=gamma, horizon=horizon,
                            state_labels=state_labels, action_labels=action_labels,
                            terminal=terminal, atol=atol)
