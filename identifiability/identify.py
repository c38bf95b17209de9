"""Finite-horizon identifiability of MaxEnt rewards: classes, verdicts, witnesses, certificates.

The soft-optimal (MaxEnt) agent of temperature ``lambda`` acts for ``H`` decisions on a
finite MDP with a time-homogeneous reward ``r(s, a)`` and ``V_H = 0`` (theory note
``identifiability.md`` §1).  Three linear subspaces of reward space ``R^{S*A}`` (index
``s * A + a``) decide everything (§2):

* ``K_Gamma`` (:func:`policy_class`): reward directions that leave the soft policy
  unchanged on every accessible ``(t, s)``;
* ``W_s0`` and ``W_Omega`` (:func:`trajectory_classes`): directions whose discounted
  return is constant on the trajectories from ``s0`` (per start), or on all trajectories
  (one shared constant).

with ``span(1) ⊆ W_Omega ⊆ ∩ W_s0 ⊆ K_Gamma`` for every kernel (claim ``class-nesting``).
Then *weak* (Kim) ⇔ ``K_Gamma = ∩ W_s0``, *almost-strong* (Shehab) ⇔ ``K_Gamma = W_Omega``
and *strong* (Kim) ⇔ ``K_Gamma = span(1)``.  :func:`identify` returns all three verdicts
in an :class:`IdentifiabilityReport` with a witness (a pair of rewards with the same soft
policy on Access) or a certificate a reader can re-check, and :func:`minimal_horizon`
scans for the least strongly identifiable horizon.

Algorithms (§4.1, §3.3, §8).  Identifiability depends only on ``(P, gamma, H, start
support)``: no policy, reward or temperature is ever needed, so exact MDPs are decided in
exact rational arithmetic.

* ``K_Gamma`` by a backward recursion over ``t = H-1 .. 0`` on the Gamma rows
  ``r(s, a) - nu_t(s) + gamma (P nu_{t+1})(s, a) = 0`` for ``s in L_t``.  The solution
  space of the rows at times ``>= t`` is kept as a basis over parameters; a state seen for
  the first time (going backwards) only adds one parameter ``nu_t(s)``, a state seen
  before adds the linear constraints "``r(s, a) + gamma (P nu_{t+1})(s, a)`` does not
  depend on ``a``" (one sparse null space per step).  Pairs never accessible stay free.
* ``W_s0`` / ``W_Omega`` by the same recursion on the potential system of the unrolled
  support DAG (rescaled potentials ``nu_t = -gamma^{-t} p_t``), which adds the constraint
  "``nu_{t+1}`` is constant on the support of ``P(.|s, a)``" (and, for ``W_Omega``, "``nu_0``
  is constant on the start states").  The explicit systems are :func:`gamma_system` and
  :func:`potential_system`; the tests check the recursions against them and against
  trajectory enumeration.
* Quick rejects (graph only): a state missing from ``L_H`` (witness
  ``(E - gamma P) 1_u``), a pair never accessible (witness ``e_(u, a)``), and
  ``ker P != 0`` (witness ``E x``, Shehab Remark 20 as reconstructed in §4.3).  Quick
  accept: deterministic dynamics with the layers of ONE start covering ``S`` at ``T`` and
  ``2T + 1 <= H`` (§3.4(2), §13 erratum 1; proved here for every ``gamma`` in ``(0, 1]``,
  ``proofs/coverage-sufficient-deterministic.md``).

Exactness: exact MDPs use sparse rational elimination (sympy ``DomainMatrix``, with
python-flint's dense rational rref when installed); verdicts never depend on a
tolerance.  Float MDPs use SVD ranks with the tolerance of
:data:`identifiability.linalg.FLOAT_RANK_RTOL`; when a rank decision falls within a factor
1e3 of it the verdicts are ``None`` with reason ``"uncertain"`` (an exact MDP run with
``arithmetic="float"`` escalates to the exact path instead).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .errors import InvalidMDPError, InvalidParameterError
from .linalg import (FLOAT_RANK_RTOL, Subspace, rank_certificate, scaled_kernel,
                     sparse_nullspace)

__all__ = [
    "policy_class",
    "trajectory_classes",
    "identify",
    "is_identifiable",
    "verify_witness",
    "minimal_horizon",
    "gamma_system",
    "potential_system",
    "LinearSystem",
    "IdentifiabilityReport",
    "Certificate",
]

#: Largest ``rows * cols`` of a Gamma system for which a positive verdict carries a
#: precomputed :class:`~identifiability.linalg.RankCertificate` (larger systems are
#: re-checked on demand by :meth:`Certificate.verify`).
RANK_CERTIFICATE_MAX_ENTRIES = 250_000

_NOTIONS = ("weak", "almost_strong", "strong")

#: The quick accept tries at most this many start states (each costs ``O(H nnz)``)
#: before leaving the decision to the linear test.
_QUICK_ACCEPT_TRIES = 64


# ---------------------------------------------------------------------- arguments
def _finite_horizon(mdp, horizon, who):
    from .mdp import _validate_horizon

    H = mdp.horizon if horizon is None else _validate_horizon(horizon)
    if H is None:
        raise InvalidMDPError(f"{who} is about finite horizons: this MDP has an infinite horizon "
                              "(horizon=None); pass horizon=H (for the discounted infinite "
                              "horizon see identifiability.infinite)")
    return H


def _positive_gamma(mdp, who):
    if mdp.gamma == 0:
        raise InvalidParameterError(f"{who} needs gamma in (0, 1] (the setting of the theory "
                                    "note §1); this MDP has gamma = 0")


def _arithmetic(mdp, arithmetic):
    if arithmetic is None:
        return "exact" if mdp.is_exact else "float"
    if arithmetic not in ("exact", "float"):
        raise InvalidParameterError(f"arithmetic must be 'exact', 'float' or None, "
                                    f"got {arithmetic!r}")
    if arithmetic == "exact" and not mdp.is_exact:
        raise InvalidParameterError("arithmetic='exact' needs an exact MDP (ints, Fractions or "
                                    "'p/q' strings); this MDP has float entries")
    return arithmetic


def _layers(mdp, H, start=None):
    from .graph import accessible_layers

    return accessible_layers(mdp, H, start=start)


# ---------------------------------------------------------------------- the recursion
@dataclass
class _Recursion:
    """Result of :func:`_recurse`: the class is ``span(C) + span(e_(s,a) : s untouched)``."""

    exact: bool
    C: object            # exact: dict row -> {col: QQ}; float: (S*A, d) ndarray
    d: int
    touched: np.ndarray  # (S,) bool: states whose pairs are constrained
    V0: object           # nu_0 on L_0 (same representation as C, rows = states)
    uncertain: bool
    t_star: int | None   # Gamma mode: latest t after which the class is already span(1)


def _support_pairs(mdp):
    """``(state, s'_i, s'_0)`` for every transition that is not the first of its row."""
    src, act, dst, _ = mdp.entries(exact=False)
    A = mdp.n_actions
    ptr = mdp.row_pointer
    first = ptr[src * A + act]
    keep = np.arange(src.shape[0]) != first
    return src[keep], dst[keep], dst[first[keep]]


def _constancy_pairs(sup, layer, S):
    s, i1, i0 = sup
    sel = layer[s]
    key = np.unique(i0[sel] * S + i1[sel])
    return key % S, key // S        # (i1, i0)


def _qq(x):
    from sympy import QQ

    return QQ(int(x.numerator), int(x.denominator))


def _frac(x):
    return Fraction(int(x.numerator), int(x.denominator))


def _recurse(mdp, H, layers, *, exact, constancy=False, shared=None):
    """Backward elimination over ``t = H-1 .. 0``; see the module docstring.

    Gamma mode (``constancy=False``) gives ``K_Gamma`` for the accessible layers
    ``layers``; potential mode (``constancy=True``) gives ``W`` for the unrolled DAG with
    these layers, with ``nu_0`` forced constant on ``shared`` when given.
    """
    S, A = mdp.n_states, mdp.n_actions
    sup = _support_pairs(mdp) if constancy else None
    # states first seen at a time < t: the class is final once d == 1 and none remain
    seen_before = np.zeros((H + 1, S), dtype=bool)
    for t in range(1, H + 1):
        seen_before[t] = seen_before[t - 1] | layers[t - 1]
    if exact:
        return _recurse_exact(mdp, H, layers, sup, shared, seen_before)
    return _recurse_float(mdp, H, layers, sup, shared, seen_before)


def _recurse_exact(mdp, H, layers, sup, shared, seen_before):
    from sympy import QQ
    from sympy.polys.matrices import DomainMatrix

    S, A = mdp.n_states, mdp.n_actions
    src, act, dst, prob = mdp.entries(exact=True)
    prow = {}
    for r, c, p in zip((src * A + act).tolist(), dst.tolist(), prob.tolist()):
        prow.setdefault(r, {})[c] = _qq(p)
    g = _qq(Fraction(mdp.gamma))
    one = QQ.one

    def dm(rows, nrows, ncols):
        return DomainMatrix(rows, (nrows, ncols), QQ)

    def gather(M, idx):
        return {k: M[i] for k, i in enumerate(idx) if i in M}

    touched = np.zeros(S, dtype=bool)
    C, V, d = {}, {}, 0
    t_star = None
    for t in range(H - 1, -1, -1):
        Lt = np.flatnonzero(layers[t])
        old, new = Lt[touched[Lt]], Lt[~touched[Lt]]
        blocks = []
        if d:
            Vdm = dm(V, S, d)
            rows_old = (old[:, None] * A + np.arange(A)).ravel().tolist()
            rows_new = (new[:, None] * A + np.arange(A)).ravel().tolist()
            if old.size:
                M = (dm(gather(C, rows_old), len(rows_old), d)
                     + dm(gather(prow, rows_old), len(rows_old), S) * Vdm * g)
                if A > 1:
                    k = np.arange(old.size)[:, None] * A
                    hi = (k + np.arange(1, A)).ravel().tolist()
                    lo = np.repeat(k.ravel(), A - 1).tolist()
                    Dsel = {i: {h: one, l: -one} for i, (h, l) in enumerate(zip(hi, lo))}
                    blocks.append(dm(Dsel, len(hi), len(rows_old)) * M)
            if sup is not None:
                i1, i0 = _constancy_pairs(sup, layers[t], S)
                if i1.size:
                    Dsel = {i: {a: one, b: -one} for i, (a, b) in
                            enumerate(zip(i1.tolist(), i0.tolist()))}
                    blocks.append(dm(Dsel, i1.size, S) * Vdm)
            blocks = [b for b in blocks if b.shape[0]]
            if blocks:
                D = blocks[0].vstack(*blocks[1:]) if len(blocks) > 1 else blocks[0]
                N = sparse_nullspace(D)
            else:
                N = dm({j: {j: one} for j in range(d)}, d, d)
            d2 = N.shape[1]
            if d2:
                C = (dm(C, S * A, d) * N).rep.to_dod()
                M0 = {}
                if old.size:
                    M0 = (dm(gather(M.rep, (np.arange(old.size) * A).tolist()), old.size, d)
                          * N).rep.to_dod()
                PVn = (dm(gather(prow, rows_new), len(rows_new), S) * Vdm * N).rep.to_dod() \
                    if new.size else {}
            else:
                C, M0, PVn = {}, {}, {}
        else:
            d2, M0, PVn = 0, {}, {}
        # new states: one parameter nu_t(s) each; r(s, a) = nu_t(s) - gamma (P nu_{t+1})(s, a)
        V = {int(old[i]): row for i, row in M0.items()}
        for j, s in enumerate(new.tolist()):
            col = d2 + j
            V[s] = {col: one}
            for a in range(A):
                row = {c: -g * x for c, x in PVn.get(j * A + a, {}).items()}
                row[col] = one
                C[s * A + a] = row
        d = d2 + new.size
        touched[new] = True
        if t_star is None and sup is None and d == 1 and not (seen_before[t] & ~touched).any():
            t_star = t
    if shared is not None and d and len(shared) > 1:
        ref = shared[0]
        Dsel = {i: {s: one, ref: -one} for i, s in enumerate(shared[1:])}
        D = dm(Dsel, len(shared) - 1, S) * dm(V, S, d)
        N = sparse_nullspace(D)
        C = (dm(C, S * A, d) * N).rep.to_dod() if N.shape[1] else {}
        V = (dm(V, S, d) * N).rep.to_dod() if N.shape[1] else {}
        d = N.shape[1]
    return _Recursion(True, C, d, touched, V, False, t_star)


def _recurse_float(mdp, H, layers, sup, shared, seen_before):
    S, A = mdp.n_states, mdp.n_actions
    g = float(mdp.gamma)
    touched = np.zeros(S, dtype=bool)
    C, V = np.zeros((S * A, 0)), np.zeros((S, 0))
    uncertain = False
    t_star = None
    for t in range(H - 1, -1, -1):
        Lt = np.flatnonzero(layers[t])
        old, new = Lt[touched[Lt]], Lt[~touched[Lt]]
        d = C.shape[1]
        blocks = []
        PV = mdp.expectation(V, exact=False).reshape(S * A, d) if d else np.zeros((S * A, 0))
        if d and old.size:
            rows_old = (old[:, None] * A + np.arange(A)).ravel()
            M = (C[rows_old] + g * PV[rows_old]).reshape(old.size, A, d)
            if A > 1:
                blocks.append((M[:, 1:] - M[:, :1]).reshape(-1, d))
        if d and sup is not None:
            i1, i0 = _constancy_pairs(sup, layers[t], S)
            if i1.size:
                blocks.append(V[i1] - V[i0])
        if d and blocks:
            # rank tolerance relative to the terms the rows were formed from, not to the
            # rows themselves (which may be pure cancellation noise)
            scale = max(1.0, float(np.abs(C).max(initial=0.0)), float(np.abs(V).max(initial=0.0)))
            ker = scaled_kernel(np.concatenate(blocks, axis=0), scale)
            N, uncertain = ker.basis, uncertain or ker.uncertain
        else:
            N = np.eye(d)
        d2 = N.shape[1]
        C = C @ N
        Vn = np.zeros((S, d2 + new.size))
        if d and old.size:
            Vn[old, :d2] = M[:, 0] @ N
        if new.size:
            rows_new = (new[:, None] * A + np.arange(A)).ravel()
            C = np.concatenate([C, np.zeros((S * A, new.size))], axis=1)
            C[rows_new, :d2] = -g * (PV[rows_new] @ N)
            C[rows_new, d2 + np.repeat(np.arange(new.size), A)] = 1.0
            Vn[new, d2 + np.arange(new.size)] = 1.0
        V = Vn
        touched[new] = True
        if t_star is None and sup is None and C.shape[1] == 1 and \
                not (seen_before[t] & ~touched).any():
            t_star = t
    if shared is not None and C.shape[1] and len(shared) > 1:
        ker = scaled_kernel(V[list(shared[1:])] - V[shared[0]],
                            max(1.0, float(np.abs(V).max(initial=0.0))))
        uncertain = uncertain or ker.uncertain
        C, V = C @ ker.basis, V @ ker.basis
    return _Recursion(False, C, C.shape[1], touched, V, uncertain, t_star)


def _class_basis(res, S, A):
    """Dense basis of the class: the recursion's columns, then ``e_(s,a)`` for untouched ``s``."""
    free = np.flatnonzero(~res.touched)
    n_free = free.size * A
    free_rows = (free[:, None] * A + np.arange(A)).ravel()
    if res.exact:
        B = np.empty((S * A, res.d + n_free), dtype=object)
        B[...] = Fraction(0)
        for i, row in res.C.items():
            for j, x in row.items():
                B[i, j] = _frac(x)
        B[free_rows, res.d + np.arange(n_free)] = Fraction(1)
        return B
    B = np.zeros((S * A, res.d + n_free))
    B[:, :res.d] = res.C
    B[free_rows, res.d + np.arange(n_free)] = 1.0
    return B


def _subspace(res, S, A):
    B = _class_basis(res, S, A)
    U = Subspace.span(B)
    if not res.exact:
        U.uncertain = U.uncertain or res.uncertain
    return U


def policy_class(mdp, horizon=None, *, arithmetic=None):
    """``K_Gamma``: the reward directions that leave the soft policy unchanged on Access.

    ``k`` is in ``K_Gamma`` when ``r`` and ``r + k`` have the same soft-optimal policy
    ``pi_t(.|s)`` at every accessible ``(t, s)`` (``s in L_t``, ``t <= H - 1``), for every
    reward ``r`` and temperature.  Equivalently (Shehab et al. 2024, Prop 7 / Cor 8 as
    reconstructed in our theory note §4.1) ``k`` is the ``r``-part of a solution of the
    homogeneous Gamma system :func:`gamma_system`: there are ``nu_0..nu_{H-1}`` with
    ``k(s, a) = nu_t(s) - gamma (P nu_{t+1})(s, a)`` on Access, ``nu_H = 0``.

    Parameters
    ----------
    mdp : MDP
    horizon : int, optional
        Number of decisions ``H``; default ``mdp.horizon`` (must be finite).
    arithmetic : {"exact", "float"}, optional
        Default: exact for exact MDPs, float otherwise.

    Returns
    -------
    Subspace
        Of ``R^{S*A}`` (index ``s * A + a``); always contains the constants.  Exact
        subspaces have the canonical rational basis; float ones an orthonormal basis and
        ``uncertain=True`` when a rank decision was within a factor 1e3 of the tolerance.

    Notes
    -----
    Backward recursion over ``t`` (module docstring; claim ``fast-equals-dense`` checks
    it against the dense null space of :func:`gamma_system`).  Each step is one sparse
    null space with at most ``|L_t| (A - 1)`` rows and as many columns as the current
    dimension ``d_t <= S``: worst case ``O(H S^2 (S A))``, and in practice a few large
    steps followed by ``d_t = 1``.  Memory ``O(S A d)``.  Exact MDPs: sparse rational
    elimination (:func:`identifiability.linalg.sparse_nullspace`); float: SVD ranks
    with the tolerance taken relative to the magnitude of the terms
    (:func:`identifiability.linalg.scaled_kernel`).

    Theorem ids: ``gamma-class-exact`` (what the space is), ``fast-equals-dense`` (the
    recursion computes it).

    Examples
    --------
    Cao et al.'s Example 1 (theory note §9, E4) at ``H = 4`` and ``H = 5``:

    >>> import identifiability as idf
    >>> from identifiability.identify import policy_class
    >>> mdp = idf.examples.cao2021_example1()
    >>> policy_class(mdp, 4).dim, policy_class(mdp, 5).dim
    (2, 1)
    >>> policy_class(mdp, 5).basis.T.tolist()
    [[Fraction(1, 1), Fraction(1, 1), Fraction(1, 1), Fraction(1, 1), Fraction(1, 1), Fraction(1, 1)]]
    """
    H = _finite_horizon(mdp, horizon, "policy_class")
    exact = _arithmetic(mdp, arithmetic) == "exact"
    res = _recurse(mdp, H, _layers(mdp, H), exact=exact)
    return _subspace(res, mdp.n_states, mdp.n_actions)


def trajectory_classes(mdp, horizon=None, *, arithmetic=None, method="recursion"):
    """``W_s0`` per start, their intersection, and ``W_Omega`` (one shared constant).

    ``k`` is in ``W_s0`` when the discounted return ``sum_t gamma^t k(s_t, a_t)`` is the
    same for every trajectory with positive probability from ``s0``; in ``W_Omega`` when
    it is the same for every trajectory from every start (Kim's weak and Shehab's strong
    trajectory equivalence, theory note §2).  By the flow/cut duality of §3.3 these are
    the ``dr``-parts of the solutions of :func:`potential_system`.

    Parameters
    ----------
    mdp : MDP
    horizon : int, optional
        ``H``; default ``mdp.horizon`` (must be finite).
    arithmetic : {"exact", "float"}, optional
        Default: exact for exact MDPs, float otherwise.
    method : {"recursion", "system"}, default "recursion"
        ``"recursion"``: backward elimination on the unrolled DAG (like
        :func:`policy_class`, with the potentials rescaled as ``nu_t = -gamma^{-t} p_t``);
        ``"system"``: the null space of the explicit sparse :func:`potential_system`.

    Returns
    -------
    W_by_start : dict of int to Subspace
        ``{s0: W_s0}`` for every start state ``s0``, each from the unrolled support of
        that single start.
    W_intersection : Subspace
        ``∩_s0 W_s0`` (weak identifiability compares it with ``K_Gamma``).
    W_shared : Subspace
        ``W_Omega`` (almost-strong identifiability compares it with ``K_Gamma``).

    Raises
    ------
    InvalidParameterError
        ``gamma = 0``, or a bad ``arithmetic`` / ``method``.

    Notes
    -----
    ``K + 1`` recursions for ``K`` start states, each of the cost of
    :func:`policy_class` plus the support-constancy rows (``O(H nnz)`` of them).  The
    ``"system"`` method eliminates ``S A + sum_t |L_t|`` unknowns at once (sparse rref;
    fine for small models, used by the tests).  Exact on exact MDPs; float subspaces
    carry ``uncertain`` flags.

    Theorem ids: ``potential-system-equals-enumeration``, ``class-nesting``.

    Examples
    --------
    The stochastic fork (theory note §9, E6): one action, ``0 -> {1, 2}`` w.p. 1/2, both
    absorbing.  At ``H = 2`` the policy is trivial (``K_Gamma`` is everything) but the
    returns of the two trajectories differ unless ``r(1) = r(2)``:

    >>> import identifiability as idf
    >>> from identifiability.identify import trajectory_classes
    >>> by_start, inter, shared = trajectory_classes(idf.examples.stochastic_fork(horizon=2))
    >>> by_start[0].dim, inter.dim, shared.dim
    (2, 2, 2)
    >>> shared.contains_vector([0, 1, 1]), shared.contains_vector([0, 1, 0])
    (True, False)
    """
    H = _finite_horizon(mdp, horizon, "trajectory_classes")
    _positive_gamma(mdp, "trajectory_classes")
    exact = _arithmetic(mdp, arithmetic) == "exact"
    if method not in ("recursion", "system"):
        raise InvalidParameterError(f"method must be 'recursion' or 'system', got {method!r}")
    S, A = mdp.n_states, mdp.n_actions
    starts = mdp.start_states

    def one(start, shared):
        if method == "system":
            return _system_class(potential_system(mdp, H, start=start, shared=shared), exact)
        layers = _layers(mdp, H, start=start)
        res = _recurse(mdp, H, layers, exact=exact, constancy=True,
                       shared=starts if shared else None)
        return _subspace(res, S, A)

    by_start = {s0: one(s0, False) for s0 in starts}
    inter = _intersection(list(by_start.values()))
    shared = one(None, True) if len(starts) > 1 else by_start[starts[0]]
    return by_start, inter, shared


def _intersection(spaces):
    """``∩ spaces``; float ones as ``(Σ U^⊥)^⊥`` (SVD rank decisions with margins).

    The float path avoids :meth:`Subspace.intersect`, which flags every exact
    intersection (principal cosine 1) as uncertain.
    """
    if len(spaces) == 1:
        return spaces[0]
    if all(U.is_exact for U in spaces):
        out = spaces[0]
        for U in spaces[1:]:
            out = out.intersect(U)
        return out
    comp = spaces[0].to_float().orthogonal_complement()
    for U in spaces[1:]:
        comp = comp.sum(U.to_float().orthogonal_complement())
    out = comp.orthogonal_complement()
    out.uncertain = out.uncertain or comp.uncertain or any(U.uncertain for U in spaces)
    return out


# ---------------------------------------------------------------------- explicit systems
@dataclass(frozen=True, eq=False)
class LinearSystem:
    """A sparse homogeneous linear system ``A x = 0`` with labelled rows and columns.

    Attributes
    ----------
    rows, cols : (nnz,) int64 ndarray
        Coordinates of the nonzero entries.
    vals : (nnz,) ndarray
        Their values: Fractions (object array) for an exact MDP, float64 otherwise.
    shape : (int, int)
    row_labels : tuple
        One label per row, e.g. ``("gamma", t, s, a)`` or ``("edge", t, s, a, s')``.
    col_labels : tuple
        One label per unknown, e.g. ``("r", s, a)``, ``("nu", t, s)`` or ``("p", t, s)``;
        the first ``S * A`` columns are always the reward block ``r[s * A + a]``.
    exact : bool

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.identify import gamma_system
    >>> G = gamma_system(idf.examples.bandit(2), 1)
    >>> G.shape, G.col_labels
    ((2, 3), (('r', 0, 0), ('r', 0, 1), ('nu', 0, 0)))
    >>> [[int(x) for x in row] for row in G.to_dense()]    # r(0, a) - nu_0(0) = 0
    [[1, 0, -1], [0, 1, -1]]
    """

    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    shape: tuple
    row_labels: tuple
    col_labels: tuple
    exact: bool

    @property
    def nnz(self):
        """int: number of stored entries."""
        return int(self.rows.shape[0])

    def to_dense(self):
        """The matrix as a dense ndarray (object Fractions when exact, else float64).

        Returns
        -------
        (m, n) ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> from identifiability.identify import gamma_system
        >>> gamma_system(idf.examples.bandit(1), 1).to_dense()
        array([[Fraction(1, 1), Fraction(-1, 1)]], dtype=object)
        """
        if self.exact:
            out = np.empty(self.shape, dtype=object)
            out[...] = Fraction(0)
        else:
            out = np.zeros(self.shape)
        np.add.at(out, (self.rows, self.cols), self.vals)
        return out

    def to_domain_matrix(self):
        """The matrix as a sparse sympy ``DomainMatrix`` over QQ (exact systems only).

        Returns
        -------
        sympy.polys.matrices.DomainMatrix

        Examples
        --------
        >>> import identifiability as idf
        >>> from identifiability.identify import gamma_system
        >>> gamma_system(idf.examples.bandit(1), 1).to_domain_matrix().rank()
        1
        """
        from sympy import QQ
        from sympy.polys.matrices import DomainMatrix

        if not self.exact:
            raise InvalidParameterError("to_domain_matrix needs an exact system")
        d = {}
        for i, j, v in zip(self.rows.tolist(), self.cols.tolist(), self.vals.tolist()):
            row = d.setdefault(i, {})
            row[j] = row.get(j, QQ.zero) + _qq(v)
        d = {i: {j: v for j, v in row.items() if v} for i, row in d.items()}
        return DomainMatrix({i: r for i, r in d.items() if r}, self.shape, QQ)

    def kernel(self):
        """The null space of the system.

        Returns
        -------
        Subspace

        Examples
        --------
        >>> import identifiability as idf
        >>> from identifiability.identify import gamma_system
        >>> gamma_system(idf.examples.bandit(2), 1).kernel().dim
        1
        """
        if self.exact:
            N = sparse_nullspace(self.to_domain_matrix())
            B = np.empty(N.shape, dtype=object)
            B[...] = Fraction(0)
            for i, row in N.rep.to_dod().items():
                for j, x in row.items():
                    B[i, j] = _frac(x)
            return Subspace.span(B)
        return Subspace.kernel(self.to_dense())

    def __repr__(self):
        kind = "exact" if self.exact else "float"
        return f"<LinearSystem {self.shape[0]}x{self.shape[1]}, {self.nnz} nonzeros ({kind})>"


def gamma_system(mdp, horizon=None, *, start_time=0):
    """The homogeneous Gamma system whose solutions project onto ``K_Gamma``.

    Unknowns ``x = (r, nu_t(s) for t in [start_time, H), s in L_t)``; one row per
    accessible ``(t, s, a)`` with ``start_time <= t < H``::

        r(s, a) - nu_t(s) + gamma * sum_s' P(s'|s, a) nu_{t+1}(s') = 0     (nu_H = 0)

    the homogeneous version of Shehab et al.'s ``Gamma_Acc x = Xi_Acc`` (Prop 7 / Cor 8 as
    reconstructed in our theory note §4.1), with ``nu`` only on accessible nodes so that
    ``dim ker = dim K_Gamma`` (the ``nu`` of a solution are determined by its ``r``).
    With ``start_time = t* > 0`` it is the subsystem of the rows at times ``>= t*``,
    whose kernel contains the kernel of the full system projected on these unknowns:
    a rank certificate for it bounds ``K_Gamma`` from above.

    Parameters
    ----------
    mdp : MDP
    horizon : int, optional
        ``H``; default ``mdp.horizon`` (finite).
    start_time : int, default 0
        First time whose rows are included.

    Returns
    -------
    LinearSystem
        ``S A + sum_{t >= start_time} |L_t|`` columns (the ``r`` block first) and
        ``A sum_{t >= start_time} |L_t|`` rows; exact for an exact MDP.

    Notes
    -----
    ``O(H nnz)`` entries, built with one vectorised gather per time step.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.identify import gamma_system
    >>> G = gamma_system(idf.examples.cao2021_example1(), 5)
    >>> G.shape, G.kernel().dim      # |L_0..L_4| = 1, 2, 2, 3, 3: 22 rows, 6 + 11 unknowns
    ((22, 17), 1)
    """
    H = _finite_horizon(mdp, horizon, "gamma_system")
    if not (isinstance(start_time, (int, np.integer)) and 0 <= start_time < H):
        raise InvalidParameterError(f"start_time must be an integer in 0..H-1={H - 1}, "
                                    f"got {start_time!r}")
    S, A = mdp.n_states, mdp.n_actions
    layers = _layers(mdp, H)
    exact = mdp.is_exact
    src, act, dst, prob = mdp.entries()
    g = mdp.gamma
    nu_index = np.full((H + 1, S), -1, dtype=np.int64)
    tt, ss = np.nonzero(layers[start_time:H])
    tt = tt + start_time
    nu_index[tt, ss] = S * A + np.arange(tt.size)
    rows, cols, vals, row_labels = [], [], [], []
    m = 0
    one = Fraction(1) if exact else 1.0
    ent_row = src * A + act
    for t in range(start_time, H):
        Lt = np.flatnonzero(layers[t])
        pairs = (Lt[:, None] * A + np.arange(A)).ravel()
        r_id = m + np.arange(pairs.size)
        rows += [r_id, r_id]
        cols += [pairs, nu_index[t, pairs // A]]
        vals += [np.full(pairs.size, one, dtype=object if exact else float),
                 np.full(pairs.size, -one, dtype=object if exact else float)]
        if t + 1 < H:
            e = np.flatnonzero(layers[t][src])
            pos = np.searchsorted(pairs, ent_row[e])
            rows.append(m + pos)
            cols.append(nu_index[t + 1, dst[e]])
            vals.append(g * prob[e])
        row_labels += [("gamma", t, int(p // A), int(p % A)) for p in pairs.tolist()]
        m += pairs.size
    col_labels = tuple(("r", s, a) for s in range(S) for a in range(A)) + \
        tuple(("nu", int(t), int(s)) for t, s in zip(tt.tolist(), ss.tolist()))
    rows = np.concatenate(rows).astype(np.int64)
    cols = np.concatenate(cols).astype(np.int64)
    vals = np.concatenate(vals)
    if not exact:
        vals = vals.astype(float)
    return LinearSystem(rows, cols, vals, (m, S * A + tt.size), tuple(row_labels), col_labels,
                        exact)


def potential_system(mdp, horizon=None, *, start=None, shared=False):
    """The potential system of the unrolled support DAG (theory note §3.3).

    Unknowns ``(dr, p)`` with ``dr`` the ``S * A`` reward block and one potential
    ``p[t, s]`` per node ``(t, s)``, ``s in L_t``, ``t = 0..H`` of
    :func:`identifiability.graph.unrolled_support`.  Rows::

        gamma^t dr[s, a] - p[t+1, s'] + p[t, s] = 0     for every support edge (t, s, a, s')
        p[H, s] - p[H, s_ref] = 0                       for s in L_H (terminal constant)
        p[0, s] - p[0, s_ref] = 0                       for start nodes, if ``shared``

    ``dr`` is in ``W_s0`` (one start) or ``W_Omega`` (all starts, ``shared=True``) iff it
    extends to a solution (flow/cut duality, §3.3; claim
    ``potential-system-equals-enumeration``).

    Parameters
    ----------
    mdp : MDP
    horizon : int, optional
        ``H``; default ``mdp.horizon`` (finite).
    start : int or sequence of int, optional
        Start state(s) of the DAG; default the start support.
    shared : bool, default False
        Force one shared constant: equal potentials on all start nodes.

    Returns
    -------
    LinearSystem
        Exact for an exact MDP.

    Notes
    -----
    ``S A + N`` unknowns and ``M + |L_H| - 1 (+ |L_0| - 1)`` rows for ``N`` nodes and
    ``M <= H nnz`` edges; three nonzeros per edge row.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.identify import potential_system
    >>> Z = potential_system(idf.examples.stochastic_fork(horizon=1))
    >>> Z.shape, Z.kernel().dim     # 2 edges, 1 terminal row; 6 unknowns of rank 2
    ((3, 6), 4)
    """
    from .graph import unrolled_support

    H = _finite_horizon(mdp, horizon, "potential_system")
    S, A = mdp.n_states, mdp.n_actions
    U = unrolled_support(mdp, H, start=start)
    exact = mdp.is_exact
    g = mdp.gamma
    M = U.n_edges
    nA = S * A
    powers = np.array([g ** t for t in range(H)], dtype=object if exact else float)
    e = np.arange(M)
    rows = [e, e, e]
    cols = [U.edge_s * A + U.edge_a, nA + U.edge_head, nA + U.edge_tail]
    one = Fraction(1) if exact else 1.0
    kind = object if exact else float
    vals = [powers[U.edge_t], np.full(M, -one, dtype=kind), np.full(M, one, dtype=kind)]
    labels = [("edge", int(t), int(s), int(a), int(sn)) for t, s, a, sn in
              zip(U.edge_t.tolist(), U.edge_s.tolist(), U.edge_a.tolist(),
                  U.edge_next.tolist())]
    m = M
    groups = [(H, np.flatnonzero(U.layers[H]), "terminal")]
    if shared:
        groups.append((0, np.flatnonzero(U.layers[0]), "start"))
    for t, states, tag in groups:
        if states.size > 1:
            k = states.size - 1
            r_id = m + np.arange(k)
            rows += [r_id, r_id]
            cols += [nA + U.node_index[t, states[1:]], np.full(k, nA + U.node_index[t, states[0]])]
            vals += [np.full(k, one, dtype=kind), np.full(k, -one, dtype=kind)]
            labels += [(tag, t, int(s), int(states[0])) for s in states[1:].tolist()]
            m += k
    col_labels = tuple(("dr", s, a) for s in range(S) for a in range(A)) + \
        tuple(("p", int(t), int(s)) for t, s in zip(U.node_t.tolist(), U.node_s.tolist()))
    vals = np.concatenate(vals)
    return LinearSystem(np.concatenate(rows).astype(np.int64),
                        np.concatenate(cols).astype(np.int64),
                        vals if exact else vals.astype(float), (m, nA + U.n_nodes),
                        tuple(labels), col_labels, exact)


def _system_class(system, exact):
    """``dr``-projection of the kernel of an explicit system (first ``S*A`` unknowns)."""
    nA = sum(1 for lab in system.col_labels if lab[0] in ("r", "dr"))
    if exact != system.exact:
        raise InvalidParameterError("float arithmetic on an exact system: use the recursion")
    K = system.kernel()
    return Subspace.span(K.basis[:nA].copy())


def _policy_class_dense(mdp, horizon=None, *, arithmetic=None):
    """``K_Gamma`` from the dense null space of the whole :func:`gamma_system` (reference).

    The slow baseline of claim ``fast-equals-dense``: ``O((S A + H S)^2 H S A)``.
    """
    H = _finite_horizon(mdp, horizon, "policy_class")
    exact = _arithmetic(mdp, arithmetic) == "exact"
    G = gamma_system(mdp, H)
    A = G.to_dense()
    nA = mdp.n_states * mdp.n_actions
    if exact:
        K = Subspace.kernel(A)
        return Subspace.span(K.basis[:nA].copy())
    Af = np.array(A.tolist(), dtype=float) if A.dtype == object else A
    K = Subspace.kernel(Af)
    U = Subspace.span(K.basis[:nA].copy())
    U.uncertain = U.uncertain or K.uncertain
    return U


# ---------------------------------------------------------------------- potentials of a direction
class _Numbers:
    """``P v`` and ``gamma`` in the arithmetic of a check: sympy QQ (python-flint's fast
    rationals when installed) for exact, float64 otherwise."""

    def __init__(self, mdp, exact):
        self.S, self.A, self.exact = mdp.n_states, mdp.n_actions, exact
        src, act, dst, p = mdp.entries(exact=exact)
        self.dst, self.ptr, self.det = dst, mdp.row_pointer, mdp.is_deterministic
        if exact:
            self.p = np.array([_qq(x) for x in p.tolist()] + [None], dtype=object)[:-1]
            self.g = _qq(Fraction(mdp.gamma))
            self.zero = _qq(Fraction(0))
        else:
            self.p, self.g, self.zero = np.asarray(p, float), float(mdp.gamma), 0.0

    def vector(self, k):
        k = np.asarray(k).reshape(-1)
        if not self.exact:
            return np.array(k.tolist(), dtype=float)
        out = np.empty(k.size, dtype=object)
        out[:] = [_qq(Fraction(x)) for x in k.tolist()]
        return out

    def zeros(self, shape):
        if not self.exact:
            return np.zeros(shape)
        out = np.empty(shape, dtype=object)
        out[...] = self.zero
        return out

    def expect(self, v):
        prod = v[self.dst] * self.p
        out = prod if self.det else np.add.reduceat(prod, self.ptr[:-1])
        return out.reshape(self.S, self.A)


def _potentials(mdp, H, layers, k, exact, num=None):
    """The ``nu`` of a direction ``k`` (``nu_H = 0``), read off action 0; ``(H + 1, S)``.

    If ``k`` is in ``K_Gamma`` these are its unique potentials on the accessible nodes
    (zero elsewhere); membership is then checked by :func:`_gamma_residual`.  Exact
    values are sympy QQ elements.
    """
    num = num or _Numbers(mdp, exact)
    kk = num.vector(k).reshape(num.S, num.A)
    nu = num.zeros((H + 1, num.S))
    for t in range(H - 1, -1, -1):
        val = kk[:, 0] + num.g * num.expect(nu[t + 1])[:, 0]
        nu[t, layers[t]] = val[layers[t]]
    return nu


def _gamma_residual(mdp, H, layers, k, nu, exact, num=None):
    """Largest ``|k(s,a) - nu_t(s) + gamma (P nu_{t+1})(s,a)|`` over Access (0 exactly in K)."""
    num = num or _Numbers(mdp, exact)
    kk = num.vector(k).reshape(num.S, num.A)
    worst = 0
    for t in range(H):
        L = layers[t]
        R = kk[L] - nu[t, L][:, None] + num.g * num.expect(nu[t + 1])[L]
        if R.size:
            m = max(abs(x) for x in R.reshape(-1).tolist()) if exact else float(np.abs(R).max())
            worst = max(worst, m)
    return worst


def _constancy_violation(mdp, H, layers, nu, exact):
    """First ``(t, s, s', s'')`` with ``s in L_t`` and ``nu_{t+1}(s') != nu_{t+1}(s'')`` for
    two successors of one pair ``(s, a)``, or None (then ``k`` is in every ``W_s0``)."""
    sup_s, i1, i0 = _support_pairs(mdp)
    scale = 1.0 if exact else max(1.0, float(np.abs(nu).max()))
    for t in range(H):
        sel = layers[t][sup_s]
        a, b = nu[t + 1][i1[sel]], nu[t + 1][i0[sel]]
        bad = np.flatnonzero(a != b) if exact else \
            np.flatnonzero(np.abs(np.asarray(a, float) - np.asarray(b, float)) > 1e-9 * scale)
        if bad.size:
            j = np.flatnonzero(sel)[bad[0]]
            return t, int(sup_s[j]), int(i1[j]), int(i0[j])
    return None


def _in_policy_class(mdp, H, layers, k, exact, atol=1e-9):
    """``(k in K_Gamma, nu)`` by backward substitution: ``O(H nnz)``, no elimination."""
    num = _Numbers(mdp, exact)
    nu = _potentials(mdp, H, layers, k, exact, num)
    res = _gamma_residual(mdp, H, layers, k, nu, exact, num)
    if exact:
        return res == 0, nu
    scale = max(1.0, float(np.abs(np.asarray(k, float)).max()))
    return res <= atol * scale, nu


# ---------------------------------------------------------------------- report objects
@dataclass(frozen=True, eq=False)
class Certificate:
    """Evidence for a positive verdict that a reader can re-check with :meth:`verify`.

    Kinds
    -----
    ``"coverage"``
        Strong by the quick accept (theory note §3.4(2), §13 erratum 1;
        ``proofs/coverage-sufficient-deterministic.md``): deterministic dynamics, one
        start ``s0`` whose layers cover ``S`` at ``T``, ``2T + 1 <= H``.  ``data``:
        ``start``, ``T`` and ``walks`` (``{s: Walk}``, a walk of exactly ``T`` steps from
        ``s0`` to every state; see :func:`identifiability.graph.verify_path`).
    ``"rank"``
        Strong by the linear test: the rows of :func:`gamma_system` at the times
        ``>= start_time`` alone have a one-dimensional kernel (the constant reward with
        its values), so ``K_Gamma = span(1)``.  ``data``: ``start_time``, ``ncols``,
        ``rank`` (``= ncols - 1``) and ``rank_certificate`` (a
        :class:`~identifiability.linalg.RankCertificate` of the dense system, or None
        when it is large; :meth:`verify` then recomputes the rank by sparse
        elimination).
    ``"potentials"``
        Weak (and possibly almost-strong) without strong: ``basis`` spans ``K_Gamma``
        (``dim K_Gamma <= d`` from the rank of the full Gamma system, ``rank =
        ncols - d``), and every basis vector's potentials ``nu`` solve the Gamma rows and
        are constant on the support of every accessible ``P(.|s, a)`` (so the vector is
        in every ``W_s0``, with ``p_t = -gamma^t nu_t``); for almost-strong ``nu_0`` is
        also constant on the start states (one shared constant).

    Attributes
    ----------
    kind : str
    statement : str
        The claim in words.
    horizon : int
    data : dict
        Kind-specific, see above.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.identify import identify
    >>> mdp = idf.examples.cao2021_example1()
    >>> cert = identify(mdp, 7).certificate
    >>> cert.kind, cert.data["start"], cert.data["T"], cert.verify(mdp)
    ('coverage', 0, 3, True)
    >>> cert.data["walks"][2]                       # A -> B -> A -> C: 3 steps to C
    Walk(steps=((0, 0), (1, 0), (0, 1)), end=2)
    """

    kind: str
    statement: str
    horizon: int
    data: dict = field(repr=False)

    def potentials(self, mdp):
        """The potentials ``nu`` of each basis vector (kind ``"potentials"`` only).

        Parameters
        ----------
        mdp : MDP

        Returns
        -------
        list of (H + 1, S) object ndarray
            ``nu[t, s]`` (Fractions) on the accessible nodes, 0 elsewhere; ``nu_H = 0``.
            With ``p_t = -gamma^t nu_t`` they solve :func:`potential_system`.

        Examples
        --------
        >>> import identifiability as idf
        >>> from identifiability.identify import identify
        >>> mdp = idf.examples.cao2021_example1()
        >>> cert = identify(mdp, 4).certificate
        >>> cert.kind, len(cert.potentials(mdp)), cert.potentials(mdp)[0].shape
        ('potentials', 2, (5, 3))
        """
        if self.kind != "potentials":
            raise InvalidParameterError("only 'potentials' certificates carry potentials")
        layers = _layers(mdp, self.horizon)
        B = self.data["basis"]
        out = []
        for j in range(B.shape[1]):
            nu = _potentials(mdp, self.horizon, layers, B[:, j], True)
            out.append(np.vectorize(_frac, otypes=[object])(nu))
        return out

    def verify(self, mdp):
        """Re-check the certificate against ``mdp``; True, or AssertionError saying what failed.

        Parameters
        ----------
        mdp : MDP
            The model the verdict was about (its horizon is taken from the certificate).

        Returns
        -------
        bool

        Examples
        --------
        >>> import identifiability as idf
        >>> from identifiability.identify import identify
        >>> mdp = idf.examples.cao2021_example1()
        >>> identify(mdp, 5).certificate.verify(mdp)
        True
        """
        from .graph import verify_path

        H, d = self.horizon, self.data
        if self.kind == "coverage":
            assert mdp.is_deterministic, "the quick accept needs deterministic dynamics"
            T, s0 = d["T"], d["start"]
            assert s0 in mdp.start_states, f"{s0} is not a start state"
            assert 2 * T + 1 <= H, f"2T + 1 = {2 * T + 1} > H = {H}"
            walks = d["walks"]
            for s in range(mdp.n_states):
                w = walks[s]
                assert w.end == s and verify_path(mdp, w, start=s0, length=T), \
                    f"bad walk certificate for state {s}"
            return True
        exact = True
        assert mdp.is_exact, "rank and potential certificates are exact: the MDP must be exact"
        if self.kind == "rank":
            G = gamma_system(mdp, H, start_time=d["start_time"])
            assert G.shape[1] == d["ncols"], "the Gamma system has changed shape"
            # the constant direction, with nu_t = sum_{j < H - t} gamma^j, solves the rows
            g = mdp.gamma
            x = np.empty(G.shape[1], dtype=object)
            for j, lab in enumerate(G.col_labels):
                x[j] = Fraction(1) if lab[0] == "r" else sum(g ** i for i in range(H - lab[1]))
            Ax = np.zeros(G.shape[0], dtype=object)
            np.add.at(Ax, G.rows, G.vals * x[G.cols])
            assert all(v == 0 for v in Ax.tolist()), "the constant reward does not solve the rows"
            rc = d["rank_certificate"]
            if rc is not None:
                assert rc.rank == G.shape[1] - 1 and rc.verify(G.to_dense())
            else:
                assert G.kernel().dim == 1, "the kernel is not one-dimensional"
            return True
        if self.kind == "potentials":
            layers = _layers(mdp, H)
            B = d["basis"]
            assert Subspace.span(B).dim == B.shape[1], "the basis is dependent"
            for j in range(B.shape[1]):
                ok, nu = _in_policy_class(mdp, H, layers, B[:, j], exact)
                assert ok, f"basis vector {j} is not in K_Gamma"
                assert _constancy_violation(mdp, H, layers, nu, exact) is None, \
                    f"basis vector {j} is not trajectory-equivalent to 0"
                if "almost_strong" in d["notions"]:
                    starts = list(mdp.start_states)
                    assert all(nu[0, s] == nu[0, starts[0]] for s in starts), \
                        f"basis vector {j} has start-dependent constants"
            G = gamma_system(mdp, H)
            rc = d["rank_certificate"]
            if rc is not None:
                assert rc.rank == G.shape[1] - B.shape[1] and rc.verify(G.to_dense())
            else:
                assert G.kernel().dim == B.shape[1], "dim K_Gamma differs from the basis size"
            return True
        raise AssertionError(f"unknown certificate kind {self.kind!r}")


@dataclass(frozen=True, eq=False)
class IdentifiabilityReport:
    """Weak / almost-strong / strong identifiability of an MDP model, with evidence.

    The result of :func:`identify`.  Theory note §2: weak ⇔ ``K_Gamma = ∩ W_s0``,
    almost-strong ⇔ ``K_Gamma = W_Omega``, strong ⇔ ``K_Gamma = span(1)``.

    Attributes
    ----------
    weak, almost_strong, strong : bool or None
        None only on the float path when a rank decision was uncertain (``reason`` is
        then ``"uncertain"``).
    dim_policy_class, dim_trajectory_class, dim_shared_class : int
        ``dim K_Gamma``, ``dim ∩_s0 W_s0``, ``dim W_Omega``.
    policy_class, trajectory_class, shared_class : Subspace
        The three spaces (of ``R^{S*A}``, index ``s * A + a``).
    witness : (ndarray, ndarray) or None
        None when strong.  Otherwise ``(r1, r2)``, two ``(S, A)`` rewards with the same
        soft policy at every accessible ``(t, s)`` whose difference is not constant; when
        weak (or almost-strong) fails, ``r2 - r1`` is moreover not trajectory-equivalent
        to 0 (per start, resp. with one shared constant).  Exact Fractions on the exact
        path.  Check it with :func:`verify_witness`.
    certificate : Certificate or None
        For the strongest positive verdict (see :class:`Certificate`); None when no
        notion holds, and on the float path (except the graph-only coverage certificate).
    reason : str
        ``"coverage"`` (quick accept), ``"terminal-layer"``, ``"inaccessible-pair"``,
        ``"kernel-P"`` (quick rejects), ``"linear-test"`` or ``"uncertain"``.
    details : dict
        Data behind ``reason`` (the state ``u``, the start and coverage time, ...).
    horizon : int
    gamma : Fraction or float
    arithmetic : str
        ``"exact"``, ``"float"`` or ``"exact (escalated from float)"``.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.identify import identify, verify_witness
    >>> rep = identify(idf.examples.cao2021_example1(), 4)
    >>> rep.weak, rep.almost_strong, rep.strong, rep.dim_policy_class
    (True, True, False, 2)
    >>> verify_witness(idf.examples.cao2021_example1(), rep.witness, 4)
    True
    """

    weak: bool | None
    almost_strong: bool | None
    strong: bool | None
    dim_policy_class: int
    dim_trajectory_class: int
    dim_shared_class: int
    policy_class: Subspace = field(repr=False)
    trajectory_class: Subspace = field(repr=False)
    shared_class: Subspace = field(repr=False)
    witness: tuple | None = field(repr=False)
    certificate: Certificate | None = field(repr=False)
    reason: str
    details: dict = field(repr=False)
    horizon: int
    gamma: object
    arithmetic: str

    def verdicts(self):
        """``{"weak": ..., "almost_strong": ..., "strong": ...}``.

        Returns
        -------
        dict

        Examples
        --------
        >>> import identifiability as idf
        >>> from identifiability.identify import identify
        >>> identify(idf.examples.bandit(3), 2).verdicts()
        {'weak': True, 'almost_strong': True, 'strong': True}
        """
        return {n: getattr(self, n) for n in _NOTIONS}

    def explain(self):
        """The verdicts and their cause in words.

        Returns
        -------
        str

        Examples
        --------
        >>> import identifiability as idf
        >>> from identifiability.identify import identify
        >>> print(identify(idf.examples.cao2021_example1(), 2).explain())
        ... # doctest: +ELLIPSIS
        Not strongly identifiable (H = 2, gamma = 1, exact arithmetic): state 2 is not reachable at t = H = 2 (not in L_H): shaping witness (E - gamma P) 1_u with u = 2 ...
        """
        return _explain(self)

    def to_json(self, **kwargs):
        """The report as a JSON string (verdicts, dimensions, reason, witness, certificate).

        Parameters
        ----------
        **kwargs
            Passed to :func:`json.dumps` (e.g. ``indent=1``).

        Returns
        -------
        str

        Examples
        --------
        >>> import json, identifiability as idf
        >>> from identifiability.identify import identify
        >>> d = json.loads(identify(idf.examples.stochastic_fork(), 2).to_json())
        >>> d["weak"], d["dim_policy_class"], d["witness"]["r2"]
        (False, 3, [['0'], ['1'], ['0']])
        """
        return json.dumps(self.to_dict(), **kwargs)

    def to_dict(self):
        """The report as plain JSON-ready data (exact numbers as ``"p/q"`` strings).

        Returns
        -------
        dict

        Examples
        --------
        >>> import identifiability as idf
        >>> from identifiability.identify import identify
        >>> identify(idf.examples.bandit(2), 1).to_dict()["strong"]
        True
        """
        def num(x):
            return str(x) if isinstance(x, Fraction) else float(x)

        wit = None
        if self.witness is not None:
            wit = {"r1": [[num(x) for x in row] for row in self.witness[0].tolist()],
                   "r2": [[num(x) for x in row] for row in self.witness[1].tolist()]}
        cert = None
        if self.certificate is not None:
            cert = {"kind": self.certificate.kind, "statement": self.certificate.statement}
        det = {k: (v if isinstance(v, (int, str, bool, type(None), list)) else str(v))
               for k, v in self.details.items()}
        return {"weak": self.weak, "almost_strong": self.almost_strong, "strong": self.strong,
                "dim_policy_class": self.dim_policy_class,
                "dim_trajectory_class": self.dim_trajectory_class,
                "dim_shared_class": self.dim_shared_class,
                "reason": self.reason, "details": det, "horizon": self.horizon,
                "gamma": num(self.gamma), "arithmetic": self.arithmetic,
                "witness": wit, "certificate": cert, "explanation": self.explain()}

    def __repr__(self):
        return (f"IdentifiabilityReport(weak={self.weak}, almost_strong={self.almost_strong}, "
                f"strong={self.strong}, dims=({self.dim_policy_class}, "
                f"{self.dim_trajectory_class}, {self.dim_shared_class}), "
                f"reason={self.reason!r}, H={self.horizon})")


def _yes(v):
    return "unknown (uncertain float rank decision)" if v is None else ("yes" if v else "no")


def _explain(rep):
    d = rep.details
    g = rep.gamma
    head_ctx = f"(H = {rep.horizon}, gamma = {g}, {rep.arithmetic} arithmetic)"
    lines = []
    if rep.reason == "uncertain":
        lines.append(f"Undecided {head_ctx}: a float rank decision was within a factor 1e3 of "
                     "its tolerance; give the MDP exactly (Fractions or 'p/q' strings) for an "
                     "exact verdict.")
    elif rep.strong:
        if rep.reason == "coverage":
            T, s0 = d["T"], d["start"]
            lines.append(f"Strongly identifiable {head_ctx}: deterministic dynamics, coverage at "
                         f"T = {T} from start {s0} (every state is reachable in exactly {T} "
                         f"steps from state {s0}) and H >= 2T + 1 = {2 * T + 1} "
                         "(proofs/coverage-sufficient-deterministic.md).")
        else:
            lines.append(f"Strongly identifiable {head_ctx}: the linear test gives "
                         f"dim K_Gamma = 1 (only constant reward shifts keep the soft policy on "
                         f"every accessible (t, s)); the Gamma rows at times >= "
                         f"{d.get('start_time', 0)} already force it.")
        lines.append("Hence also almost-strongly and weakly identifiable.")
    else:
        cause = {
            "terminal-layer": lambda: (
                f"state {d['u']} is not reachable at t = H = {rep.horizon} (not in L_H): "
                f"shaping witness (E - gamma P) 1_u with u = {d['u']} (potential 1_u at every "
                "t < H) leaves the policy unchanged on Access "
                "(proofs/terminal-coverage-necessary.md)"),
            "inaccessible-pair": lambda: (
                f"state {d['u']} is never accessible at any t <= H - 1, so its rewards "
                f"r({d['u']}, .) are free: witness e_(u, a) with u = {d['u']}, a = {d['a']}"),
            "kernel-P": lambda: (
                "the stacked transition matrix P (rows (s, a)) has a nonzero kernel vector x: "
                "witness E x (the reward x(s) on every action) leaves the policy unchanged "
                "(Remark 20, proofs/kernel-P-remark20.md)"),
            "linear-test": lambda: (
                f"the linear test gives dim K_Gamma = {rep.dim_policy_class} > 1"),
        }[rep.reason]()
        lines.append(f"Not strongly identifiable {head_ctx}: {cause}.")
        lines.append(f"Weakly identifiable: {_yes(rep.weak)}; almost-strongly identifiable: "
                     f"{_yes(rep.almost_strong)}.")
        if rep.weak is False:
            lines.append("The witness is policy-equivalent but its return differs between "
                         "trajectories from one start (not weakly trajectory-equivalent).")
        elif rep.almost_strong is False:
            lines.append("The witness is policy-equivalent and has a constant return per start, "
                         "but the constants differ between starts.")
    lines.append(f"dim K_Gamma = {rep.dim_policy_class}, dim ∩ W_s0 = "
                 f"{rep.dim_trajectory_class}, dim W_Omega = {rep.dim_shared_class}.")
    if rep.certificate is not None:
        lines.append(f"Certificate ({rep.certificate.kind}): {rep.certificate.statement}")
    return "\n".join(lines)


# ---------------------------------------------------------------------- identify
def _quick_reject(mdp, H, layers, exact):
    """``(reason, details, k)`` for the graph-based rejects, or None."""
    S, A = mdp.n_states, mdp.n_actions
    accessed = layers[:H].any(axis=0)
    never = np.flatnonzero(~accessed)
    missing = np.flatnonzero(~layers[H])
    for u in missing.tolist():
        k = _shaping_direction(mdp, u, exact)
        if not _is_constant(k):
            return "terminal-layer", {"u": u}, k
    if never.size and S * A > 1:
        u = int(never[0])
        k = _unit(S * A, u * A, exact)
        return "inaccessible-pair", {"u": u, "a": 0}, k
    return None


def _unit(n, i, exact):
    if exact:
        k = np.empty(n, dtype=object)
        k[:] = Fraction(0)
        k[i] = Fraction(1)
        return k
    k = np.zeros(n)
    k[i] = 1.0
    return k


def _shaping_direction(mdp, u, exact):
    """``(E - gamma P) 1_u`` as a vector of length ``S * A``."""
    S, A = mdp.n_states, mdp.n_actions
    e = _unit(S, u, exact)
    g = mdp.gamma if exact else float(mdp.gamma)
    k = -g * mdp.expectation(e, exact=exact)
    k[u, :] = k[u, :] + (Fraction(1) if exact else 1.0)
    return k.reshape(-1)


def _is_constant(k):
    vals = list(np.asarray(k).reshape(-1).tolist())
    if isinstance(vals[0], Fraction):
        return all(v == vals[0] for v in vals)
    v = np.asarray(vals, dtype=float)
    return bool(np.ptp(v) <= 1e-12 * max(1.0, np.abs(v).max()))


def _kernel_P(mdp, exact):
    """A nonzero ``x`` with ``P x = 0`` (stacked rows ``(s, a)``), or None."""
    S, A = mdp.n_states, mdp.n_actions
    src, act, dst, prob = mdp.entries(exact=exact)
    rows = src * A + act
    if exact:
        sysP = LinearSystem(rows, dst, prob, (S * A, S), (), (), True)
        N = sparse_nullspace(sysP.to_domain_matrix())
        if N.shape[1] == 0:
            return None
        x = np.empty(S, dtype=object)
        x[:] = Fraction(0)
        for i, row in N.rep.to_dod().items():
            if 0 in row:
                x[i] = _frac(row[0])
        return x
    Pd = np.zeros((S * A, S))
    np.add.at(Pd, (rows, dst), prob)
    ker = scaled_kernel(Pd, 1.0)
    if ker.dim == 0 or ker.uncertain:
        return None
    return ker.basis[:, 0]


def _witness_pair(mdp, k, exact):
    """``(r1, r2) = (0, k / max|k|)`` as ``(S, A)`` arrays."""
    S, A = mdp.n_states, mdp.n_actions
    k = np.asarray(k).reshape(S, A)
    if exact:
        scale = max(abs(x) for x in k.reshape(-1).tolist())
        r2 = np.empty((S, A), dtype=object)
        r2[...] = [[x / scale for x in row] for row in k.tolist()]
        r1 = np.empty((S, A), dtype=object)
        r1[...] = Fraction(0)
        return r1, r2
    k = np.asarray(k, dtype=float)
    return np.zeros((S, A)), k / np.abs(k).max()


def _gamma_shape(mdp, layers, H, start_time):
    """Shape of ``gamma_system(mdp, H, start_time=start_time)`` without building it."""
    nodes = int(layers[start_time:H].sum())
    return mdp.n_actions * nodes, mdp.n_states * mdp.n_actions + nodes


def _rank_evidence(mdp, H, start_time, layers):
    """A RankCertificate of the (small) exact Gamma system, else None."""
    m, n = _gamma_shape(mdp, layers, H, start_time)
    if m * n > RANK_CERTIFICATE_MAX_ENTRIES:
        return None
    return rank_certificate(gamma_system(mdp, H, start_time=start_time).to_dense())


def identify(mdp, horizon=None, *, arithmetic=None, _strong_only=False):
    """Weak, almost-strong and strong identifiability of the MaxEnt reward, with evidence.

    The model: soft-optimal (MaxEnt) agent with any temperature, time-homogeneous reward
    ``r(s, a)``, ``V_H = 0``, the MDP's kernel, start support and ``gamma`` in
    ``(0, 1]``, horizon ``H`` (theory note §1-§2).  The verdicts do not depend on the
    reward or the temperature (claim ``verdict-invariance``).

    Parameters
    ----------
    mdp : MDP or SymbolicMDP
        A :class:`~identifiability.symbolic.SymbolicMDP` is dispatched to
        :func:`identifiability.symbolic.identify_symbolic` (generic verdicts and the
        exceptional set, a :class:`~identifiability.symbolic.SymbolicReport`).
    horizon : int, optional
        Number of decisions ``H``; default ``mdp.horizon`` (must be finite).
    arithmetic : {"exact", "float"}, optional
        Default exact for exact MDPs, float otherwise.  ``"float"`` on an exact MDP
        escalates to exact arithmetic when a rank decision is uncertain.

    Returns
    -------
    IdentifiabilityReport
        Verdicts, dimensions, bases, witness or certificate, ``reason`` and
        :meth:`~IdentifiabilityReport.explain`.

    Raises
    ------
    InvalidMDPError
        An infinite horizon.
    InvalidParameterError
        ``gamma = 0`` or a bad ``arithmetic``.

    Notes
    -----
    Steps, cheapest first:

    1. quick rejects from the layers (``O(H nnz)``): a state ``u`` missing from ``L_H``
       (witness ``(E - gamma P) 1_u``, ``proofs/terminal-coverage-necessary.md``), a state
       never accessible at ``t <= H - 1`` (witness ``e_(u, a)``);
    2. quick accept (deterministic): the layers of ONE start cover ``S`` at ``T`` with
       ``2T + 1 <= H`` (``proofs/coverage-sufficient-deterministic.md``, every gamma in
       ``(0, 1]``; never from union layers, theory note §13 erratum 1).  Then every class
       is ``span(1)`` and the report costs ``O(K H nnz)`` for ``K`` starts;
    3. stochastic only: ``ker P != 0`` (Remark 20; deterministic kernels are covered by 1);
    4. the linear test :func:`policy_class`; when not strong, :func:`trajectory_classes`
       and the subspace comparisons (when strong, nesting gives every class ``span(1)``).

    The dimensions and bases are always those of the linear computations; the quick
    rejects only supply the explanation and the witness.  Cost: the quick checks
    ``O(H nnz)`` (plus ``O(K H E)`` for ``K`` tried starts); otherwise dominated by
    :func:`policy_class` and, when not strong, ``K + 1`` potential recursions.  Exact MDPs
    are decided exactly; float MDPs return None verdicts with reason ``"uncertain"``
    when a rank decision is within a factor 1e3 of its tolerance.

    Theorem ids: ``class-nesting`` (verdicts from the spaces),
    ``terminal-coverage-necessary``, ``kernel-P-remark20`` (quick rejects),
    ``coverage-sufficient-deterministic`` (quick accept), ``gamma-class-exact``
    (witnesses), ``fast-equals-dense`` (the rank certificate), ``verdict-invariance``.

    Examples
    --------
    Cao et al.'s Example 1 (theory note §9, E4; gamma = 1): minimal strong horizon 5.

    >>> import identifiability as idf
    >>> from identifiability.identify import identify
    >>> mdp = idf.examples.cao2021_example1()
    >>> [identify(mdp, H).strong for H in range(1, 7)]
    [False, False, False, False, True, True]
    >>> rep = identify(mdp, 7)
    >>> rep.reason, rep.certificate.kind
    ('coverage', 'coverage')

    The stochastic fork (E6) is weakly identifiable only at ``H = 1``:

    >>> fork = idf.examples.stochastic_fork()
    >>> [(identify(fork, H).weak, identify(fork, H).almost_strong) for H in (1, 2)]
    [(True, True), (False, False)]
    """
    from .symbolic import SymbolicMDP, identify_symbolic

    if isinstance(mdp, SymbolicMDP):
        return identify_symbolic(mdp, horizon)
    H = _finite_horizon(mdp, horizon, "identify")
    _positive_gamma(mdp, "identify")
    arith = _arithmetic(mdp, arithmetic)
    rep = _identify(mdp, H, arith == "exact", _strong_only)
    if rep.reason == "uncertain" and mdp.is_exact and arith == "float":
        rep = _identify(mdp, H, True, _strong_only)
        object.__setattr__(rep, "arithmetic", "exact (escalated from float)")
    return rep


def _identify(mdp, H, exact, strong_only):
    from .graph import coverage_time

    S, A = mdp.n_states, mdp.n_actions
    nA = S * A
    layers = _layers(mdp, H)
    starts = mdp.start_states
    g = mdp.gamma if exact else float(mdp.gamma)
    arith = "exact" if exact else "float"
    ones = Subspace.constants(nA, exact=exact)

    def report(**kw):
        base = dict(horizon=H, gamma=g, arithmetic=arith)
        base.update(kw)
        return IdentifiabilityReport(**base)

    quick = _quick_reject(mdp, H, layers, exact)

    # quick accept: one start's layers cover S at T with 2T + 1 <= H (deterministic)
    # T(s0) >= T(union), so only try when the union layers are full by (H - 1) // 2; stop
    # at the first start that works (any one suffices), after at most _QUICK_ACCEPT_TRIES
    half = (H - 1) // 2
    if quick is None and mdp.is_deterministic and half >= 1 and \
            layers[1:half + 1].all(axis=1).any():
        best = None
        for s0 in starts[:_QUICK_ACCEPT_TRIES]:
            T = coverage_time(mdp, start=s0, max_time=half)
            if T is not None:
                best = (s0, T)
                break
        if best is not None:
            from .graph import coverage

            s0, T = best
            walks = coverage(mdp, start=s0, by_start=False).paths
            cert = Certificate(
                "coverage",
                f"deterministic dynamics; every state is reachable in exactly T = {T} steps "
                f"from the start state {s0} (one walk per state in data['walks']); "
                f"H = {H} >= 2T + 1 = {2 * T + 1}",
                H, {"start": s0, "T": T, "walks": walks})
            return report(weak=True, almost_strong=True, strong=True, dim_policy_class=1,
                          dim_trajectory_class=1, dim_shared_class=1, policy_class=ones,
                          trajectory_class=ones, shared_class=ones, witness=None,
                          certificate=cert, reason="coverage", details={"start": s0, "T": T})

    if quick is None and not mdp.is_deterministic:
        x = _kernel_P(mdp, exact)
        if x is not None:
            k = np.repeat(np.asarray(x), A) if exact else np.repeat(x, A)
            quick = ("kernel-P", {"x": [str(v) for v in np.asarray(x).tolist()]}, k)

    res = _recurse(mdp, H, layers, exact=exact)
    K = _subspace(res, S, A)
    if K.uncertain:
        return _uncertain_report(report, K, quick)
    strong = K.dim == 1
    if quick is not None:
        # the quick-reject witnesses are theorems (Remark 20, terminal coverage); check
        # them against the linear computation anyway
        if strong or not K.contains_vector(quick[2]):  # pragma: no cover
            raise AssertionError(f"internal error: the {quick[0]} witness is not in K_Gamma "
                                 "(or the linear test disagrees); please report this model")
    if strong:
        t0 = res.t_star if res.t_star is not None else 0
        cert = None
        if exact:
            m, n = _gamma_shape(mdp, layers, H, t0)
            cert = Certificate(
                "rank",
                f"the Gamma rows at times {t0}..{H - 1} (gamma_system(mdp, {H}, "
                f"start_time={t0}), {m} x {n}) have rank {n - 1}: their kernel is the "
                "constant reward with its values, so K_Gamma = span(1)",
                H, {"start_time": t0, "ncols": n, "rank": n - 1,
                    "rank_certificate": _rank_evidence(mdp, H, t0, layers)})
        return report(weak=True, almost_strong=True, strong=True, dim_policy_class=1,
                      dim_trajectory_class=1, dim_shared_class=1, policy_class=K,
                      trajectory_class=ones, shared_class=ones, witness=None,
                      certificate=cert, reason="linear-test", details={"start_time": t0})

    if strong_only:
        W_int = W_sh = None
        weak = almost = None
    else:
        _, W_int, W_sh = trajectory_classes(mdp, H, arithmetic=arith)
        if W_int.uncertain or W_sh.uncertain:
            return _uncertain_report(report, K, quick)
        weak = K.equals(W_int)
        almost = K.equals(W_sh)
    if weak is False:
        k = K.vector_not_in(W_int)
    elif almost is False:
        k = K.vector_not_in(W_sh)
    elif quick is not None:
        k = quick[2]
    else:
        k = K.vector_not_in(ones)
    reason, details = (quick[0], quick[1]) if quick is not None else ("linear-test", {})
    cert = None
    if exact and weak:
        B = K.basis
        notions = ("weak", "almost_strong") if almost else ("weak",)
        m, n = _gamma_shape(mdp, layers, H, 0)
        cert = Certificate(
            "potentials",
            f"K_Gamma has dimension {K.dim} (rank of gamma_system(mdp, {H}) is "
            f"{n - K.dim} of {n} columns) and each of its {K.dim} basis vectors has "
            "potentials (Certificate.potentials()) constant on the support of every "
            "accessible P(.|s, a)" + (" and on the start states" if almost else "")
            + ", so K_Gamma ⊆ " + ("W_Omega" if almost else "∩ W_s0"),
            H, {"basis": B, "notions": notions, "ncols": n,
                "rank_certificate": _rank_evidence(mdp, H, 0, layers)})
    if strong_only:
        W_int = W_sh = K
    return report(weak=weak, almost_strong=almost, strong=False, dim_policy_class=K.dim,
                  dim_trajectory_class=W_int.dim, dim_shared_class=W_sh.dim, policy_class=K,
                  trajectory_class=W_int, shared_class=W_sh,
                  witness=_witness_pair(mdp, k, exact), certificate=cert, reason=reason,
                  details=details)


def _uncertain_report(report, K, quick):
    wit = None
    return report(weak=None, almost_strong=None, strong=False if quick else None,
                  dim_policy_class=K.dim, dim_trajectory_class=K.dim, dim_shared_class=K.dim,
                  policy_class=K, trajectory_class=K, shared_class=K, witness=wit,
                  certificate=None, reason="uncertain",
                  details={"quick_reject": quick[0] if quick else None})


def is_identifiable(mdp, horizon=None, notion="strong", *, arithmetic=None):
    """Whether the model is identifiable in the given sense (a thin wrapper of :func:`identify`).

    Parameters
    ----------
    mdp : MDP
    horizon : int, optional
        ``H``; default ``mdp.horizon``.
    notion : {"strong", "almost_strong", "weak"}, default "strong"
    arithmetic : {"exact", "float"}, optional

    Returns
    -------
    bool or None
        None only when a float rank decision was uncertain.

    Notes
    -----
    ``notion="strong"`` skips the trajectory classes.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.identify import identify, verify_witness, is_identifiable
    >>> mdp = idf.examples.cao2021_example1()
    >>> is_identifiable(mdp, 4), is_identifiable(mdp, 4, "weak")
    (False, True)
    """
    if notion not in _NOTIONS:
        raise InvalidParameterError(f"notion must be one of {_NOTIONS}, got {notion!r}")
    rep = identify(mdp, horizon, arithmetic=arithmetic, _strong_only=notion == "strong")
    return getattr(rep, notion)


def verify_witness(mdp, witness, horizon=None, *, temperature=1.0, rtol=1e-8):
    """Re-check a witness: same soft policy on Access, difference not constant.

    Recomputes both soft-optimal policies with :func:`identifiability.soft_policy` (float)
    and compares them at every accessible ``(t, s)`` (``s in L_t``, ``t <= H - 1``).

    Parameters
    ----------
    mdp : MDP
    witness : (r1, r2)
        Two rewards of shape ``(S, A)`` (or any shape :func:`identifiability.as_reward`
        accepts).
    horizon : int, optional
        ``H``; default ``mdp.horizon``.
    temperature : float, default 1.0
        Any ``lambda > 0`` (the class does not depend on it).
    rtol : float, default 1e-8
        Tolerance on ``|log pi_1 - log pi_2|``, relative to ``max(1, max |r|) H``.

    Returns
    -------
    bool
        True when the policies agree on Access and ``r1 - r2`` is not constant.

    Notes
    -----
    Two soft value iterations, ``O(H (nnz + S A))``; float (exp and log).  Independent of
    how the witness was found (theorem id ``gamma-class-exact``, item 1).

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.identify import identify, verify_witness
    >>> mdp = idf.examples.stochastic_fork()
    >>> verify_witness(mdp, identify(mdp, 2).witness, 2)
    True
    >>> verify_witness(mdp, ([[0], [0], [0]], [[1], [1], [1]]), 2)   # a constant shift
    False
    """
    from .behaviour import soft_value_iteration
    from .reward import expected_reward

    H = _finite_horizon(mdp, horizon, "verify_witness")
    r1, r2 = witness
    R1 = expected_reward(mdp, r1, exact=False)
    R2 = expected_reward(mdp, r2, exact=False)
    layers = _layers(mdp, H)
    lp1 = soft_value_iteration(mdp, R1, horizon=H, temperature=temperature).log_policy()
    lp2 = soft_value_iteration(mdp, R2, horizon=H, temperature=temperature).log_policy()
    acc = layers[:H]
    scale = max(1.0, float(np.abs(R1).max()), float(np.abs(R2).max())) * H / float(temperature)
    same = bool(np.all(np.abs(lp1 - lp2)[acc] <= rtol * scale))
    diff = np.asarray(expected_reward(mdp, r2) , dtype=object) - \
        np.asarray(expected_reward(mdp, r1), dtype=object)
    return same and not _is_constant(diff)


def minimal_horizon(mdp, *, max_horizon=None, arithmetic=None):
    """The least ``H`` at which the model is strongly identifiable, or None with the reason.

    A linear scan ``H = H_lo, H_lo + 1, ...`` with the cheap checks of :func:`identify`
    (monotonicity in ``H`` is only an empirical conjecture, claim
    ``conjecture-monotone-horizon``, so no binary search).

    * ``H_lo``: the coverage time ``T`` of the union layers (strong needs ``L_H = S``,
      ``proofs/terminal-coverage-necessary.md``, and ``L_H = S`` first happens at ``T``).
    * Never strong, proved: no coverage (the layers never equal ``S``); or ``ker P != 0``
      (Remark 20, for every ``H``).
    * Deterministic with a single-start coverage time ``T(s0)``: ``H = 2 T(s0) + 1`` is
      strong (quick accept), so the scan is conclusive up to there.
    * Otherwise the scan stops at ``max_horizon`` (default ``S^2 + S + 1``) and a None
      answer means "not strong for any ``H`` up to the bound" (no proof beyond it).

    Parameters
    ----------
    mdp : MDP
    max_horizon : int, optional
        Largest ``H`` tried; default ``S^2 + S + 1`` (and never beyond a quick-accept
        horizon ``2 T(s0) + 1``).
    arithmetic : {"exact", "float"}, optional

    Returns
    -------
    H : int or None
    reason : str

    Notes
    -----
    Up to ``cap - T`` calls of the strong-only :func:`identify`, each ``O(H)`` recursion
    steps: ``O(cap^2)`` steps in the worst case.  Theorem ids:
    ``terminal-coverage-necessary``, ``kernel-P-remark20``,
    ``coverage-sufficient-deterministic``, ``conjecture-monotone-horizon`` (not used).

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.identify import minimal_horizon
    >>> minimal_horizon(idf.examples.cao2021_example1())[0]
    5
    >>> minimal_horizon(idf.examples.cao2021_example1(gamma="1/2"))[0]
    4
    >>> cycle = idf.MDP([[[0, 1]], [[1, 0]]], initial=[1, 0], horizon=4)   # period 2
    >>> print(minimal_horizon(cycle)[1])  # doctest: +NORMALIZE_WHITESPACE
    never: the layers never cover the state space (the layers cycle with period 2 from
    t = 0 on (L_2 = L_0) without reaching S: state 0 is missing from L_1, L_3, L_5, ...;
    the reachable graph has period 2); strong identifiability needs L_H = S
    (proofs/terminal-coverage-necessary.md)

    The same swap with both states as starts covers ``S`` at every ``t >= 1`` (union
    layers), yet is not strongly identifiable at any horizon tried:

    >>> minimal_horizon(idf.examples.two_state_swap(), max_horizon=6)
    (None, 'not strong for any H <= 6 (scanned from the coverage time 1); no proof for larger H')
    """
    from .graph import coverage

    _positive_gamma(mdp, "minimal_horizon")
    S = mdp.n_states
    arith = _arithmetic(mdp, arithmetic)
    cap = S * S + S + 1 if max_horizon is None else int(max_horizon)
    if cap < 1:
        raise InvalidParameterError(f"max_horizon must be >= 1, got {max_horizon!r}")
    cov = coverage(mdp, horizon=None)
    if not cov.covered:
        return None, (f"never: the layers never cover the state space ({cov.reason[1]}); "
                      "strong identifiability needs L_H = S "
                      "(proofs/terminal-coverage-necessary.md)")
    if not mdp.is_deterministic:
        x = _kernel_P(mdp, arith == "exact")
        if x is not None:
            return None, ("never: P has a nonzero kernel vector x, and E x leaves the policy "
                          "unchanged at every horizon (Remark 20, proofs/kernel-P-remark20.md)")
    guaranteed = None
    if mdp.is_deterministic and cov.single_start_coverage_time is not None:
        guaranteed = 2 * cov.single_start_coverage_time + 1
        cap = min(cap, guaranteed)
    for H in range(max(1, cov.coverage_time), cap + 1):
        rep = identify(mdp, H, arithmetic=arith, _strong_only=True)
        if rep.strong is None:
            return None, f"undecided: the float rank decision at H = {H} was uncertain"
        if rep.strong:
            return H, (f"strong at H = {H} ({rep.reason}); not strong for every H < {H} "
                       f"(H < {cov.coverage_time} by terminal coverage, the rest by the scan)")
    msg = f"not strong for any H <= {cap} (scanned from the coverage time {cov.coverage_time})"
    if guaranteed is not None:  # only when max_horizon < 2 T(s0) + 1
        return None, (f"{msg}; H = {guaranteed} = 2 T(s0) + 1 is strong (quick accept), so the "
                      f"least strong horizon lies in {cap + 1}..{guaranteed}")
    return None, f"{msg}; no proof for larger H"

