"""Reward distances: STARC, EPIC and DARD, with their canonicalisations.

A reward distance compares two rewards *up to* the transformations that do not change
what an agent should do.  All three families here have the same shape: canonicalise
(remove the invisible part), normalise or standardise, then measure a difference
(theory note ``equivalence-and-distances.md`` §4-7).

Canonicalisations (each a *linear* map of the reward):

===============================  =======================  =============================
function                         removes                  does NOT remove
===============================  =======================  =============================
:func:`val_canonical`            shaping + S'R            (a STARC canonicalisation)
:func:`minimal_canonical`        shaping + S'R            (a STARC canonicalisation)
:func:`epic_canonical`           potential shaping        S'-redistribution, masks of
                                                          impossible transitions
:func:`dard_canonical`           potential shaping        S'-redistribution
===============================  =======================  =============================

Here ``N = {gamma Phi(s') - Phi(s) + delta : E_{s'~P(s,a)} delta(s, a, s') = 0}`` is the
invariance subspace of the soft-optimal (MCE) and Boltzmann-rational policies
(:func:`identifiability.ambiguity` with ``model="mce"``).  A STARC canonicalisation is
a linear projection whose kernel is exactly ``N`` (claim ``canonicalisation-invariance``).

Distances (all float, in ``[0, 1]``):

* :func:`starc_distance`: ``1/2 n(c(R1)/n(c(R1)) - c(R2)/n(c(R2)))``.  **Scale.** The
  note and the STARC paper use the norm of the difference itself, on ``[0, 2]``; we
  report half of it so that 1 means "opposite" (``d(R, -R) = 1``) as for EPIC.
* :func:`epic_distance`, :func:`dard_distance`: the Pearson distance
  ``sqrt((1 - rho) / 2)`` of the canonical forms under a coverage distribution.
* :func:`pairwise_distances`: the ``(n, n)`` matrix for many rewards, sharing the
  canonicalisation (one batched linear solve for VAL) and using a Gram matrix for L2.

Exactness: canonical forms are exact (object arrays of :class:`fractions.Fraction`)
when the MDP, the reward and every distribution / policy / weight given are exact;
float64 otherwise.  Distances involve square roots and are always float; on exact input
a distance of exactly 0 is decided exactly (the normalised canonical forms are
positively proportional).

Zero canonical forms: ``c(R) = 0`` (``R`` in ``N``) cannot be normalised; STARC then
keeps ``c(R) = 0`` (so ``d(R, R') = 1/2`` for a nontrivial ``R'`` and ``0`` for a trivial
one) and the Pearson distances standardise a zero-variance form to 0 (the same values:
``0`` if both are constant, ``1/2`` if exactly one is), never NaN.  In float,
"zero" means at most ``zero_rtol`` times the reward's scale (see each function).

Unreachable states (STARC): rewards at states no trajectory from ``mdp.initial`` visits
change no return, yet they change the canonical forms (note §6, Case D: 0.70 on our
scale between rewards with identical returns).  By default such states are masked with
an :class:`~identifiability.errors.UnreachableStatesWarning`.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np

from . import linalg
from ._numbers import format_number, is_exact_array, parse_array, to_fractions, \
    to_float_array
from ._numbers import zeros as _zeros
from .behaviour import _check_policy, _policy_matrix
from .errors import (
    InvalidMDPError,
    InvalidParameterError,
    InvalidRewardError,
    ToleranceWarning,
    UnreachableStatesWarning,
)
from .mdp import MDP, check_distribution, require_discounted
from .reward import as_reward, broadcast_reward, expected_reward

__all__ = [
    "CANONICALIZATIONS",
    "ZERO_RTOL",
    "epic_canonical",
    "dard_canonical",
    "val_canonical",
    "minimal_canonical",
    "canonicalize",
    "reward_norm",
    "normalize",
    "starc_distance",
    "epic_distance",
    "dard_distance",
    "pearson_distance",
    "pairwise_distances",
]

#: The canonicalisations :func:`canonicalize` dispatches on.
CANONICALIZATIONS = ("val", "minimal", "epic", "dard", "none")

#: Float path: a canonical form whose norm (STARC) or standard deviation (Pearson) is at
#: most ``ZERO_RTOL`` times the reward's scale counts as zero.
ZERO_RTOL = 1e-9

_DISTANCES = ("starc", "epic", "dard")


# ---------------------------------------------------------------------- validation helpers
def _frac_array(values):
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _uniform(n):
    """Exact uniform distribution over ``n`` items (object Fractions)."""
    return _frac_array([Fraction(1, n)] * n)


def _bool(x):
    """Elementwise truth of an object comparison as a bool ndarray."""
    return np.asarray(x, dtype=bool)


def _index(idx):
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def _check_distribution(dist, shape, name):
    """:func:`identifiability.mdp.check_distribution` raising InvalidParameterError."""
    return check_distribution(dist, shape, where=name, error=InvalidParameterError)


def _dist_or_uniform(dist, n, name):
    if dist is None:
        return _uniform(n), True
    return _check_distribution(dist, (n,), name)


def _check_weights(weights, shape, name="weights"):
    """Nonnegative finite weights whose shape is a prefix of ``shape``: ``(array, exact)``."""
    W = parse_array(weights, where=name, error=InvalidParameterError)
    if W.ndim == 0 or W.ndim > len(shape) or W.shape != tuple(shape[:W.ndim]):
        want = " or ".join(str(tuple(shape[:k])) for k in range(1, len(shape) + 1))
        raise InvalidParameterError(f"{name} has shape {W.shape}; expected {want}")
    exact = is_exact_array(W)
    W = to_fractions(W) if exact else W
    neg = _bool(W < 0)
    if neg.any():
        idx = np.unravel_index(int(np.flatnonzero(neg)[0]), W.shape)
        raise InvalidParameterError(f"{name}{_index(idx)} = {format_number(W[idx])} is "
                                    f"negative; weights must be >= 0")
    return W, exact


def _ord(ord):
    if isinstance(ord, str) and ord.lower() in ("inf", "infinity"):
        return math.inf
    if isinstance(ord, (bool, np.bool_)) or ord not in (1, 2, math.inf):
        raise InvalidParameterError(f"norm order {ord!r} is not supported; use 1, 2 or inf")
    return math.inf if ord == math.inf else int(ord)


def _float(x):
    return to_float_array(x) if x.dtype == object else np.asarray(x, dtype=np.float64)


def _gamma(mdp, exact):
    return mdp.gamma if exact else float(mdp.gamma)


def _require_discounted(mdp, who):
    require_discounted(mdp, who, error=InvalidParameterError,
                       hint=", or the 'epic' / 'dard' canonicalisations, which accept any "
                            "gamma in [0, 1]")


def _rewards(rewards, mdp, where="reward"):
    """``as_reward`` on each reward; the error names which one was wrong."""
    out = []
    for i, R in enumerate(rewards):
        try:
            out.append(as_reward(R, mdp))
        except InvalidRewardError as err:
            raise InvalidRewardError(f"{where} {i}: {err}" if len(rewards) > 1 else str(err)) \
                from None
    return out


def _full(R, mdp, exact):
    """``R`` broadcast to ``(S, A, S)`` as an exact object array or float64 (a new array)."""
    F = broadcast_reward(R, mdp)
    return F if exact else _float(F)


# ---------------------------------------------------------------------- EPIC
def _epic_one(R, mdp, ds, da, exact):
    g = _gamma(mdp, exact)
    if not exact:
        R, ds, da = _float(R), _float(ds), _float(da)
    if R.ndim == 3:
        gx = np.einsum("xay,a,y->x", R, da, ds)
    elif R.ndim == 2:
        gx = (R @ da) * ds.sum()
    else:
        gx = R * (da.sum() * ds.sum())
    gbar = ds @ gx
    C = _full(R, mdp, exact)
    C += g * gx[None, None, :]
    C -= (gx + g * gbar)[:, None, None]
    return C


def epic_canonical(reward, mdp, *, state_dist=None, action_dist=None):
    """EPIC's canonically shaped reward ``C(R) = R + gamma g(s') - g(s) - gamma gbar``.

    With ``S, S' ~ D_S`` and ``A ~ D_A`` independent,
    ``C(R)(s, a, s') = R(s, a, s') + E[gamma R(s', A, S') - R(s, A, S') - gamma R(S, A, S')]``,
    computed in closed form: ``g(x) = E_{A, S'} R(x, A, S')`` and ``gbar = E_S g(S)``.

    **Removes** potential shaping (for every ``gamma`` in ``[0, 1]``).  **Does not
    remove** S'-redistribution, and it reads the reward on impossible transitions: it
    ignores the dynamics altogether (claim ``epic-not-sprime-invariant``).  Linear and
    idempotent.

    Parameters
    ----------
    reward : (S,), (S, A) or (S, A, S) array_like
    mdp : MDP
        Only ``S``, ``A`` and ``gamma`` are used.
    state_dist : (S,) array_like, optional
        ``D_S``; default uniform.
    action_dist : (A,) array_like, optional
        ``D_A``; default uniform.

    Returns
    -------
    (S, A, S) ndarray
        Exact (Fractions) when the MDP, the reward and the distributions are exact.

    Raises
    ------
    InvalidRewardError
        Bad reward shape or entries.
    InvalidParameterError
        A distribution with the wrong shape, a negative entry or a total other than 1.

    Notes
    -----
    ``O(S^2 A)``.  Definition as recalled in note §4.1 (Gleave et al., ICLR 2021, Def. 4.1
    [RECALLED], matching both reference implementations [READ]); the closed form is
    checked against the defining triple loop
    (:func:`identifiability.reference.epic_canonical_naive`, claim
    ``epic-dard-closed-forms``).

    Examples
    --------
    Case A of the note (two-state switch, ``R(0, 1, 1) = 1``, ``gamma = 0.9``):

    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> R = [[[0, 0], [0, 1]], [[0, 0], [0, 0]]]
    >>> C = epic_canonical(R, mdp)
    >>> [str(x) for x in C[0].ravel()]
    ['-11/80', '-29/80', '-11/80', '51/80']
    """
    R = as_reward(reward, mdp)
    ds, e1 = _dist_or_uniform(state_dist, mdp.n_states, "state_dist")
    da, e2 = _dist_or_uniform(action_dist, mdp.n_actions, "action_dist")
    exact = mdp.is_exact and R.dtype == object and e1 and e2
    return _epic_one(R, mdp, ds, da, exact)


# ---------------------------------------------------------------------- DARD
def _dense_float_P(mdp):
    """Dense float ``P[s, a, s']`` (the MDP's cached view when the MDP is float)."""
    if not mdp.is_exact:
        return mdp.transitions
    S, A = mdp.n_states, mdp.n_actions
    s, a, sn, p = mdp.entries(exact=False)
    P = np.zeros((S, A, S))
    P[s, a, sn] = p
    return P


def _is_dense(mdp):
    """More than 1/8 of the transitions possible: dense BLAS beats sparse gathers."""
    return mdp.n_transitions * 8 > mdp.n_states ** 2 * mdp.n_actions


def _dard_h(R, mdp, da, exact):
    """``h(s, s') = sum_a D_A(a) [T_a R_a T_a^T](s, s')`` for an ``(S, A, S)`` reward."""
    S, A = mdp.n_states, mdp.n_actions
    s, a, sn, p = mdp.entries(exact=exact)
    if not exact and _is_dense(mdp):
        # dense enough: BLAS, O(A S^3)
        P = _dense_float_P(mdp)
        h = np.zeros((S, S))
        for b in range(A):
            if da[b] != 0:
                T = P[:, b, :]
                h += da[b] * ((T @ R[:, b, :]) @ T.T)
        return h
    # sparse: O(A nnz S).  Entries of action b are sorted by s, one segment per state.
    h = _zeros((S, S), exact)
    for b in range(A):
        if da[b] == 0:
            continue
        k = np.flatnonzero(a == b)
        sb, yb, pb = s[k], sn[k], p[k]
        starts = np.flatnonzero(np.r_[True, sb[1:] != sb[:-1]])
        X = np.add.reduceat(pb[:, None] * R[yb, b, :], starts, axis=0)   # (T_b R_b)[s, :]
        Y = np.add.reduceat(X[:, yb] * pb[None, :], starts, axis=1)      # (X T_b^T)[s, s']
        h = h + da[b] * Y
    return h


def _dard_one(R, mdp, da, exact):
    g = _gamma(mdp, exact)
    if not exact:
        R, da = _float(R), _float(da)
    r = expected_reward(mdp, R, exact=exact)                      # (S, A)
    gT = r @ da
    if R.ndim == 3:
        h = _dard_h(R, mdp, da, exact)
    else:
        # R(x, a, y) = r0(x, a) does not depend on y: h(s, s') = sum_a D_A(a) (P r0_a)(s, a)
        r0 = np.array(np.broadcast_to(R.reshape(R.shape + (1,) * (2 - R.ndim)),
                                      (mdp.n_states, mdp.n_actions)), dtype=R.dtype)
        E = mdp.expectation(r0, exact=exact)                      # (S, A, A)
        u = np.einsum("saa,a->s", E, da)
        h = np.broadcast_to(u[:, None], (mdp.n_states, mdp.n_states))
    C = _full(R, mdp, exact)
    C += g * gT[None, None, :]
    C -= gT[:, None, None]
    C -= g * h[:, None, :]
    return C


def dard_canonical(reward, mdp, *, action_dist=None):
    """DARD's dynamics-aware canonical form ``C_T(R) = R + gamma g_T(s') - g_T(s) - gamma h``.

    The defining expectation, with ``A ~ D_A``, ``S' ~ T(. | s, A)`` and
    ``S'' ~ T(. | s', A)`` (the *same* ``A``), is
    ``C_T(R)(s, a, s') = R(s, a, s') + E[gamma R(s', A, S'') - R(s, A, S') - gamma R(S', A, S'')]``.
    Closed form: ``g_T(x) = sum_a D_A(a) sum_y T(y|x, a) R(x, a, y)`` and
    ``h(s, s') = sum_a D_A(a) [T_a R_a T_a^T](s, s')``.

    **Removes** potential shaping.  **Does not remove** S'-redistribution, is **not
    idempotent** (claims ``epic-not-sprime-invariant``, ``dard-not-idempotent``), and
    ``R(S', A, S'')`` is read on transitions ``S' -> S''`` that may be impossible.

    Parameters
    ----------
    reward : (S,), (S, A) or (S, A, S) array_like
    mdp : MDP
        Any ``gamma`` in ``[0, 1]``.
    action_dist : (A,) array_like, optional
        ``D_A``; default uniform.

    Returns
    -------
    (S, A, S) ndarray
        Exact when the MDP, the reward and ``action_dist`` are exact.

    Raises
    ------
    InvalidRewardError, InvalidParameterError

    Notes
    -----
    ``O(A nnz(T) S)`` with sparse gathers and segmented sums when the MDP is sparse,
    ``O(A S^3)`` BLAS when it is dense, ``O(nnz A + S^2 A)`` for ``(S,)`` / ``(S, A)``
    rewards; never the ``O(S^4 A)`` tensor of the defining formula
    (:func:`identifiability.reference.dard_canonical_naive`, claim
    ``epic-dard-closed-forms``).  Formula as read from the STARC authors' code in note
    §4.2 (Wulfe et al., ICLR 2022; paper body not re-read there).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> C = dard_canonical([[[0, 0], [0, 1]], [[0, 0], [0, 0]]], mdp)
    >>> C.shape, str(C[0, 1, 1])
    ((2, 2, 2), '1/2')
    """
    R = as_reward(reward, mdp)
    da, e = _dist_or_uniform(action_dist, mdp.n_actions, "action_dist")
    exact = mdp.is_exact and R.dtype == object and e
    return _dard_one(R, mdp, da, exact)


# ---------------------------------------------------------------------- VAL
def _val_many(Rs, mdp, pi, exact):
    """Advantages ``A^pi_R`` of a list of rewards: ``(n, S, A)`` from one batched solve."""
    S, A = mdp.n_states, mdp.n_actions
    g = _gamma(mdp, exact)
    if not exact:
        pi = _float(pi)
    dense = not exact and _is_dense(mdp)
    P = _dense_float_P(mdp) if dense else None
    # expected rewards r(s, a), stacked (S, A, n)
    r = np.stack([np.einsum("sax,sax->sa", _float(R), P) if (dense and R.ndim == 3)
                  else expected_reward(mdp, R, exact=exact) for R in Rs], axis=-1)
    M = np.einsum("sa,sax->sx", pi, P) if dense else _policy_matrix(mdp, pi, exact)
    M = -g * M
    M[np.arange(S), np.arange(S)] += Fraction(1) if exact else 1.0
    r_pi = np.einsum("sa,san->sn", pi, r)
    V = linalg.solve(M, r_pi)                                                    # (S, n)
    EV = (P.reshape(S * A, S) @ V).reshape(S, A, -1) if dense else \
        mdp.expectation(V, exact=exact)
    adv = r + g * EV - V[:, None, :]
    return np.moveaxis(adv, -1, 0)


def _policy(policy, mdp):
    if policy is None:
        pi = np.empty((mdp.n_states, mdp.n_actions), dtype=object)
        pi[...] = Fraction(1, mdp.n_actions)
        return pi, True
    return _check_policy(mdp, policy, None)


def val_canonical(reward, mdp, *, policy=None):
    """STARC's value-adjusted levelling: the advantage ``A^pi_R(s, a)``.

    ``c(R)(s, a, s') = E_{S' ~ P(s, a)}[R(s, a, S') - V^pi_R(s) + gamma V^pi_R(S')]
    = Q^pi_R(s, a) - V^pi_R(s)``, with ``V^pi_R`` evaluated under ``R`` itself.  It does
    not depend on ``s'``: this function returns the ``(S, A)`` table; the ``(S, A, S)``
    canonical reward is its broadcast (``broadcast_reward(c, mdp)``).

    **Removes** potential shaping and S'-redistribution, exactly: it is a linear
    projection with kernel ``N`` and image ``{x(s, a) : sum_a pi(a|s) x(s, a) = 0}`` of
    dimension ``S (A - 1)`` for a full-support ``pi`` (claim
    ``canonicalisation-invariance``).  The "ValuePotential" variant without the
    expectation over ``s'`` would keep S'R; this is not it.

    Parameters
    ----------
    reward : (S,), (S, A) or (S, A, S) array_like
    mdp : MDP
        Discounted, infinite horizon (``mdp.horizon is None``, ``gamma < 1``).
    policy : (S, A) array_like, optional
        The reference policy ``pi``; default uniform.

    Returns
    -------
    (S, A) ndarray
        Exact when the MDP, the reward and the policy are exact.

    Raises
    ------
    InvalidParameterError
        A finite horizon or ``gamma = 1``.
    InvalidPolicyError
        A policy with the wrong shape, a negative entry or a row not summing to 1.
    InvalidRewardError

    Notes
    -----
    One policy evaluation by a linear solve (:func:`identifiability.linalg.solve`):
    ``O(nnz + S^2)`` to build ``P_pi`` and ``O(S^3)``.  Definition as in note §4.3
    (Skalse et al., ICLR 2024, Prop. 2 [REVIEWS + code READ]).

    Examples
    --------
    Case A of the note: ``V^unif = (2.75, 2.25)`` and the advantage below.

    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> val_canonical([[[0, 0], [0, 1]], [[0, 0], [0, 0]]], mdp).tolist()
    [[Fraction(-11, 40), Fraction(11, 40)], [Fraction(-9, 40), Fraction(9, 40)]]
    """
    _require_discounted(mdp, "VAL canonicalisation")
    R = as_reward(reward, mdp)
    pi, pe = _policy(policy, mdp)
    exact = mdp.is_exact and R.dtype == object and pe
    return _val_many([R], mdp, pi, exact)[0]


# ---------------------------------------------------------------------- minimal weighted L2
class _Minimal:
    """The minimal weighted-L2 canonicalisation of one MDP, factored once (note §4.3).

    ``alpha(s, a) = 1 / sum_s' P(s'|s, a)^2 / W(s, a, s')`` and the Gram matrix
    ``G^T diag(alpha) G`` of the shaping generator ``G = gamma P - E``.
    """

    def __init__(self, mdp, W, exact):
        S, A = mdp.n_states, mdp.n_actions
        self.mdp, self.exact = mdp, exact
        s, a, sn, p = mdp.entries(exact=exact)
        self.entries = (s, a, sn, p)
        row = s * A + a
        ptr = mdp.row_pointer[:-1]
        if W is None:
            w = None
            q = p * p
        else:
            Wf = W if W.ndim == 3 else np.broadcast_to(W.reshape(W.shape + (1,) * (3 - W.ndim)),
                                                       (S, A, S))
            w = Wf[s, a, sn]
            if not exact:
                w = _float(np.asarray(w))
            bad = _bool(w <= 0)
            if bad.any():
                k = int(np.flatnonzero(bad)[0])
                raise InvalidParameterError(
                    f"weights[{int(s[k])}, {int(a[k])}, {int(sn[k])}] = {format_number(w[k])}; "
                    f"the minimal canonicalisation needs weights > 0 on every possible "
                    f"transition")
            q = p * p / w
        self.w = w
        self.alpha = 1 / np.add.reduceat(q, ptr) if exact else 1.0 / np.add.reduceat(q, ptr)
        g = _gamma(mdp, exact)
        self.g = g
        alpha = self.alpha
        # Gram matrix N = G^T diag(alpha) G, G[(s, a), y] = g P(y|s, a) - [y == s]
        counts = np.diff(mdp.row_pointer)
        pairs = int(((counts + 1) ** 2).sum())
        if not exact and pairs * 50 > S * A * S * S // 2:
            if W is None and _is_dense(mdp):
                Gd = g * _dense_float_P(mdp).reshape(S * A, S)
            else:
                Gd = np.zeros((S * A, S))
                Gd[row, sn] = g * p
            Gd[np.arange(S * A), np.repeat(np.arange(S), A)] -= 1.0
            B = np.sqrt(alpha)[:, None] * Gd
            N = B.T @ B
        else:
            gr = np.concatenate([row, np.arange(S * A)])
            gc = np.concatenate([sn, np.repeat(np.arange(S), A)])
            one = Fraction(1) if exact else 1.0
            gv = np.concatenate([g * p, _frac_array([-one] * (S * A)) if exact
                                 else np.full(S * A, -1.0)])
            order = np.lexsort((gc, gr))
            gr, gc, gv = gr[order], gc[order], gv[order]
            cnt = np.bincount(gr, minlength=S * A)
            start = np.concatenate([[0], np.cumsum(cnt)])
            rep = cnt[gr]
            e = np.repeat(np.arange(len(gr)), rep)
            offs = np.arange(len(e)) - np.repeat(np.cumsum(rep) - rep, rep)
            f = start[gr[e]] + offs
            vals = gv[e] * gv[f] * alpha[gr[e]]
            if exact:
                N = _zeros((S, S), True)
                np.add.at(N, (gc[e], gc[f]), vals)
            else:
                N = np.bincount(gc[e] * S + gc[f], weights=vals, minlength=S * S).reshape(S, S)
        self.factor = linalg.GramSolver(N, shape=(S * A, S))

    def __call__(self, R):
        mdp, exact = self.mdp, self.exact
        S, A = mdp.n_states, mdp.n_actions
        s, a, sn, p = self.entries
        r = expected_reward(mdp, R, exact=exact).reshape(-1)          # (S A,)
        z = self.alpha * r
        # b = -G^T diag(alpha) r
        if exact:
            Gt = _zeros((S,), True)
            np.add.at(Gt, sn, self.g * p * z[s * A + a])
        else:
            Gt = np.bincount(sn, weights=self.g * p * z[s * A + a], minlength=S)
        Gt = Gt - z.reshape(S, A).sum(axis=1)
        phi = self.factor.solve(-Gt)
        if not exact:
            phi = _float(np.asarray(phi))
        r_phi = (r.reshape(S, A) + self.g * mdp.expectation(phi, exact=exact)
                 - phi[:, None]).reshape(-1)
        out = _zeros((S, A, S), exact)
        row = s * A + a
        vals = r_phi[row] * self.alpha[row] * p
        if self.w is not None:
            vals = vals / self.w
        out[s, a, sn] = vals
        return out, phi


def minimal_canonical(reward, mdp, *, weights=None, return_potential=False):
    """STARC's minimal canonicalisation for the weighted L2 norm ``sum W x^2``, in closed form.

    The unique member of ``R + N`` of least weighted L2 norm (``N`` = potential shaping
    plus S'-redistribution), computed as in note §4.3:

    1. S'R lets each fibre ``x(s, a, .)`` be any vector with the ``P``-mean ``m``; the
       norm-minimiser is ``m alpha(s, a) P(s'|s, a) / W(s, a, s')`` with
       ``alpha(s, a) = (sum_s' P(s'|s, a)^2 / W(s, a, s'))^-1``, 0 on impossible transitions;
    2. ``Phi*`` minimises ``sum_{s,a} alpha (r + gamma P Phi - Phi)^2`` (one weighted
       least-squares solve in ``S`` unknowns, :class:`identifiability.linalg.GramSolver`);
    3. the output is ``r_{Phi*}(s, a) alpha(s, a) P(s'|s, a) / W(s, a, s')``.

    **Removes** potential shaping and S'-redistribution: a linear projection with kernel
    ``N`` (orthogonal in the ``W`` inner product).  With unit weights it equals
    ``ambiguity(mdp, "mce", domain="sas").canonical(R)`` (claim ``minimal-l2-closed-form``).

    Parameters
    ----------
    reward : (S,), (S, A) or (S, A, S) array_like
    mdp : MDP
        Discounted, infinite horizon.
    weights : (S,), (S, A) or (S, A, S) array_like, optional
        ``W`` by the shape-prefix rule; must be ``> 0`` on every possible transition
        (its values on impossible transitions are not used).  Default: unit weights.
    return_potential : bool, default False
        Also return ``Phi*``.

    Returns
    -------
    (S, A, S) ndarray
        Exact when the MDP, the reward and the weights are exact.  With
        ``return_potential``, the pair ``(canonical, Phi*)``; then ``canonical`` is
        the class member ``R + gamma Phi*(s') - Phi*(s)`` after the S'R step.

    Raises
    ------
    InvalidParameterError
        A finite horizon or ``gamma = 1``; weights of a wrong shape, negative, or not
        positive on a possible transition (named).
    InvalidRewardError

    Notes
    -----
    ``O(nnz)`` assembly plus the Gram matrix (``O(sum_{s,a} k_{sa}^2)`` sparse, or a
    dense ``O(S^3 A)`` product for dense MDPs) and one ``S x S`` factorisation,
    ``O(S^3)``.  No iterative optimisation (the STARC code uses Adam for up to 10^6 steps).

    Examples
    --------
    Case A of the note: ``Phi* = (2.7624, 2.2376)``.

    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma=0.9)
    >>> c, phi = minimal_canonical([[[0, 0], [0, 1]], [[0, 0], [0, 0]]], mdp,
    ...                            return_potential=True)
    >>> phi.round(4).tolist(), round(float(c[0, 1, 1]), 4)
    ([2.7624, 2.2376], 0.2514)
    """
    _require_discounted(mdp, "the minimal canonicalisation")
    R = as_reward(reward, mdp)
    W, we = (None, True) if weights is None else _check_weights(weights, (mdp.n_states,
                                                                          mdp.n_actions,
                                                                          mdp.n_states))
    exact = mdp.is_exact and R.dtype == object and we
    if not exact and W is not None:
        W = _float(W)
    c, phi = _Minimal(mdp, W, exact)(R)
    return (c, phi) if return_potential else c


# ---------------------------------------------------------------------- dispatch
def _method(method):
    if method not in CANONICALIZATIONS:
        raise InvalidParameterError(f"unknown canonicalization {method!r}; choose one of "
                                    f"{', '.join(repr(m) for m in CANONICALIZATIONS)}")
    return method


def _canonical_forms(Rs, mdp, method, *, policy=None, weights=None, state_dist=None,
                     action_dist=None):
    """Canonical forms of validated rewards ``Rs``: ``(forms (n, ...), exact)``.

    ``weights`` (validated, or None) are used by ``"minimal"`` only.
    """
    S, A = mdp.n_states, mdp.n_actions
    r_exact = mdp.is_exact and all(R.dtype == object for R in Rs)
    if method == "val":
        _require_discounted(mdp, "VAL canonicalisation")
        pi, pe = _policy(policy, mdp)
        exact = r_exact and pe
        return _val_many(Rs, mdp, pi, exact), exact
    if method == "minimal":
        _require_discounted(mdp, "the minimal canonicalisation")
        W, we = weights if weights is not None else (None, True)
        exact = r_exact and we
        if W is not None and not exact:
            W = _float(W)
        m = _Minimal(mdp, W, exact)
        return np.stack([m(R)[0] for R in Rs]), exact
    if method == "epic":
        ds, e1 = _dist_or_uniform(state_dist, S, "state_dist")
        da, e2 = _dist_or_uniform(action_dist, A, "action_dist")
        exact = r_exact and e1 and e2
        return np.stack([_epic_one(R, mdp, ds, da, exact) for R in Rs]), exact
    if method == "dard":
        da, e = _dist_or_uniform(action_dist, A, "action_dist")
        exact = r_exact and e
        return np.stack([_dard_one(R, mdp, da, exact) for R in Rs]), exact
    exact = r_exact
    return np.stack([_full(R, mdp, exact) for R in Rs]), exact


def canonicalize(reward, mdp, method="val", **kwargs):
    """Canonicalise a reward with one of :data:`CANONICALIZATIONS`.

    Parameters
    ----------
    reward : (S,), (S, A) or (S, A, S) array_like
    mdp : MDP
    method : {"val", "minimal", "epic", "dard", "none"}, default "val"
        :func:`val_canonical` (returns ``(S, A)``), :func:`minimal_canonical`,
        :func:`epic_canonical`, :func:`dard_canonical`, or ``"none"`` (the reward
        broadcast to ``(S, A, S)``).
    **kwargs
        Passed on: ``policy`` (val), ``weights`` (minimal), ``state_dist`` and
        ``action_dist`` (epic), ``action_dist`` (dard).

    Returns
    -------
    ndarray
        ``(S, A)`` for ``"val"``, ``(S, A, S)`` otherwise.

    Raises
    ------
    InvalidParameterError
        An unknown method.
    TypeError
        A keyword the method does not take.

    Notes
    -----
    Cost and theorem id: see each canonicalisation.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> canonicalize([[0, 1], [0, 0]], mdp, "val").tolist()
    [[Fraction(-11, 40), Fraction(11, 40)], [Fraction(-9, 40), Fraction(9, 40)]]
    >>> canonicalize([1, 2], mdp, "none").shape
    (2, 2, 2)
    """
    fn = {"val": val_canonical, "minimal": minimal_canonical, "epic": epic_canonical,
          "dard": dard_canonical}.get(_method(method))
    if fn is None:
        if kwargs:
            raise TypeError(f"canonicalize(method='none') takes no keywords, got "
                            f"{sorted(kwargs)}")
        R = as_reward(reward, mdp)
        return _full(R, mdp, mdp.is_exact and R.dtype == object)
    return fn(reward, mdp, **kwargs)


# ---------------------------------------------------------------------- norms
def _norm_flat(x, w, ord):
    """Norm of a flat vector ``x`` with weights ``w`` (None: unit).  Exact for ord 1 / inf."""
    exact = x.dtype == object and (w is None or w.dtype == object)
    if not exact:
        x = _float(x)
        w = None if w is None else _float(w)
    if ord == math.inf:
        a = np.abs(x) if w is None else np.abs(x[_bool(w > 0)])
        if a.size == 0:
            return Fraction(0) if exact else 0.0
        return max(a.tolist()) if exact else float(a.max())
    if ord == 1:
        v = np.abs(x) if w is None else w * np.abs(x)
        return sum(v.tolist(), Fraction(0)) if exact else float(v.sum())
    v = x * x if w is None else w * x * x
    return math.sqrt(sum(v.tolist(), Fraction(0))) if exact else math.sqrt(float(v.sum()))


def _domain_weights(W, k, mdp, ord):
    """Reward-space weights ``W`` (shape prefix of (S, A, S), or None) pulled back to a
    reward of ``k`` dimensions: ``sum_{trailing axes} W`` (ord 1, 2) or ``any W > 0``
    (ord inf).  Returns a flat array or None (unit weights up to a constant factor)."""
    if W is None:
        return None
    S, A = mdp.n_states, mdp.n_actions
    full = (S, A, S)
    j = W.ndim
    if j < k:
        W = np.broadcast_to(W.reshape(W.shape + (1,) * (k - j)), full[:k])
        j = k
    axes = tuple(range(k, j))
    if ord == math.inf:
        out = _bool(W > 0)
        out = out.any(axis=axes) if axes else out
        return out.astype(np.int64).reshape(-1)
    # the sum over the trailing axes of the reward-space weights; axes W does not spell
    # out contribute one copy per entry.
    out = W.sum(axis=axes) if axes else W
    factor = int(np.prod(full[max(j, k):]))
    out = np.asarray(out) * factor if factor != 1 else np.asarray(out)
    return np.asarray(out).reshape(-1)


def reward_norm(x, mdp=None, *, ord=2, weights=None):
    """Weighted L1, L2 or L-infinity norm of a reward or any array.

    ``||x||_1 = sum W |x|``, ``||x||_2 = sqrt(sum W x^2)``, ``||x||_inf = max_{W > 0} |x|``
    (the limit of ``(sum W |x|^p)^(1/p)``).

    Parameters
    ----------
    x : array_like
        With ``mdp``: a reward of shape ``(S,)``, ``(S, A)`` or ``(S, A, S)``, measured as
        its ``(S, A, S)`` broadcast (so ``[1, 1]`` on a 2-state 2-action MDP has L2 norm
        ``sqrt(8)``), without building the broadcast.  Without ``mdp``: any array.
    mdp : MDP, optional
    ord : {1, 2, inf}, default 2
    weights : array_like, optional
        Nonnegative.  With ``mdp``: reward-space weights of shape ``(S,)``, ``(S, A)`` or
        ``(S, A, S)`` (shape-prefix rule); without: the shape of ``x``.  Default: unit.

    Returns
    -------
    float or Fraction
        A Fraction for ``ord`` 1 or inf on exact input, float otherwise.

    Raises
    ------
    InvalidParameterError
        An unsupported ``ord``; weights of the wrong shape or negative.
    InvalidRewardError
        ``x`` does not fit ``mdp``.

    Notes
    -----
    ``O(size of x + size of weights)``.  These are the norms ``n`` of STARC (note §4.3).

    Examples
    --------
    >>> import identifiability as idf
    >>> reward_norm([3, -4]), reward_norm([3, -4], ord=1), reward_norm([3, -4], ord="inf")
    (5.0, Fraction(7, 1), Fraction(4, 1))
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> round(reward_norm([1, 1], mdp) ** 2, 12)      # sqrt(8): 8 entries of the broadcast
    8.0
    """
    o = _ord(ord)
    if mdp is None:
        X = parse_array(x, where="x", error=InvalidRewardError)
        W = None
        if weights is not None:
            W, _ = _check_weights(weights, X.shape if X.ndim else (1,))
            if W.shape != X.shape:
                raise InvalidParameterError(f"weights has shape {W.shape}; expected the shape "
                                            f"of x, {X.shape}")
        X = to_fractions(X) if is_exact_array(X) else X
        return _norm_flat(X.reshape(-1), None if W is None else W.reshape(-1), o)
    X = as_reward(x, mdp)
    S, A = mdp.n_states, mdp.n_actions
    W = None if weights is None else _check_weights(weights, (S, A, S))[0]
    w = _domain_weights(W, X.ndim, mdp, o)
    if w is None and o != math.inf:
        copies = int(np.prod((S, A, S)[X.ndim:]))
        w = np.full(X.size, copies, dtype=np.int64 if X.dtype == object else np.float64)
        if X.dtype == object:
            w = to_fractions(w)
    return _norm_flat(X.reshape(-1), w, o)


def normalize(x, mdp=None, *, ord=2, weights=None):
    """``x / n(x)``, or ``x`` itself when ``n(x) = 0`` (STARC's normalisation step).

    Parameters
    ----------
    x : array_like
    mdp : MDP, optional
    ord : {1, 2, inf}, default 2
    weights : array_like, optional
        As for :func:`reward_norm`.

    Returns
    -------
    ndarray
        The shape of ``x``; exact for ``ord`` 1 / inf on exact input, float otherwise.

    Raises
    ------
    InvalidParameterError, InvalidRewardError
        As for :func:`reward_norm`.

    Notes
    -----
    ``O(size of x)``.  The zero test is exact; the distances apply a relative tolerance
    (:data:`ZERO_RTOL`) to float canonical forms instead.

    Examples
    --------
    >>> normalize([3, -4]).tolist()
    [0.6, -0.8]
    >>> normalize([0, 0], ord=1).tolist()
    [0, 0]
    """
    n = reward_norm(x, mdp, ord=ord, weights=weights)
    X = parse_array(x, where="x", error=InvalidRewardError) if mdp is None else as_reward(x, mdp)
    if n == 0:
        return X
    if isinstance(n, Fraction) and X.dtype.kind in "iuO":
        return (to_fractions(X) if X.dtype != object else X) / n
    return _float(X) / float(n)


# ---------------------------------------------------------------------- reachability
def _check_unreachable(unreachable):
    if unreachable not in ("mask", "ignore", "raise"):
        raise InvalidParameterError(f"unreachable={unreachable!r}; expected 'mask', 'ignore' "
                                    f"or 'raise'")


def _reachable_part(mdp, unreachable, stacklevel=3):
    """``None`` when nothing is masked, else ``(keep, sub_mdp)``."""
    _check_unreachable(unreachable)
    if unreachable == "ignore" or len(mdp.start_states) == mdp.n_states:
        return None                                   # every state is a start state
    from .graph import reachable_states

    reach = reachable_states(mdp)
    if reach.all():
        return None
    bad = np.flatnonzero(~reach).tolist()
    shown = ", ".join(map(str, bad[:10])) + (", ..." if len(bad) > 10 else "")
    if unreachable == "raise":
        raise InvalidMDPError(f"states {shown} ({len(bad)} of {mdp.n_states}) are unreachable "
                              f"from mdp.initial; their rewards change no return.  Pass "
                              f"unreachable='mask' to compare the reachable part only")
    warnings.warn(f"states {shown} ({len(bad)} of {mdp.n_states}) are unreachable from "
                  f"mdp.initial and were masked: the distance compares the rewards on the "
                  f"reachable part of the MDP (unreachable='ignore' keeps them)",
                  UnreachableStatesWarning, stacklevel=stacklevel)
    keep = np.flatnonzero(reach)
    new = np.full(mdp.n_states, -1, dtype=np.int64)
    new[keep] = np.arange(len(keep))
    s, a, sn, p = mdp.entries()
    sel = reach[s]
    init = mdp.initial[keep]
    sub = MDP.from_entries((new[s[sel]], a[sel], new[sn[sel]], p[sel]), len(keep),
                           mdp.n_actions, init, gamma=mdp.gamma, horizon=mdp.horizon)
    return keep, sub


def _restrict(X, keep):
    """A reward-shaped array (prefix of (S, A, S)) restricted to the states ``keep``."""
    if X.ndim == 3:
        return X[keep][:, :, keep]
    return X[keep]


# ---------------------------------------------------------------------- distance core
def _scale(R):
    if R.size == 0:
        return 0.0
    return float(np.max(np.abs(_float(R))))


def _proportionality(u, v):
    """Exact test on nonzero object vectors: ``+1`` if ``v = t u`` with ``t > 0``, ``-1`` if
    ``t < 0``, ``0`` if they are not proportional."""
    nz_u = np.flatnonzero(_bool(u != 0))
    nz_v = np.flatnonzero(_bool(v != 0))
    if not np.array_equal(nz_u, nz_v):
        return 0
    k = nz_u[0]
    if not bool(np.all(_bool(v[nz_u] * u[k] == u[nz_u] * v[k]))):
        return 0
    return 1 if v[k] / u[k] > 0 else -1


def _zero_flags(norms, thresholds, what):
    zero = norms <= thresholds
    near = (~zero) & (norms <= thresholds * 1e3)
    if near.any():
        i = int(np.flatnonzero(near)[0])
        warnings.warn(f"the {what} of reward {i} is {norms[i]:.3g}, within a factor 1e3 of the "
                      f"zero tolerance {thresholds[i]:.3g}; it is treated as nonzero.  Use exact "
                      f"input (Fractions) for a reliable decision", ToleranceWarning, stacklevel=4)
    return zero


def _matrix(U, w, ord, zero, exact_vecs=None):
    """``D[i, j] = 1/2 ||U_i - U_j||_w`` for unit (or zero) rows ``U``; float ``(n, n)``.

    L2 uses a Gram matrix when the rows are long, with the entries below 1e-4 (where
    ``sqrt(2 - 2 <u, v>)`` loses half the digits) recomputed directly.
    """
    n, m = U.shape
    D = np.zeros((n, n))
    if ord == math.inf:
        Uk = U if w is None else U[:, w > 0]
    if ord == 2 and n > 2 and n * n * m > 5e7:
        Uw = U if w is None else U * w[None, :]
        G = Uw @ U.T
        sq = np.diag(G).copy()
        D = 0.5 * np.sqrt(np.clip(sq[:, None] + sq[None, :] - 2 * G, 0.0, None))
        close = np.argwhere(np.triu(D < 1e-4, 1))
        for i, j in close:
            d = U[i] - U[j]
            D[i, j] = D[j, i] = 0.5 * math.sqrt(float(d @ d if w is None else (w * d) @ d))
    else:
        for i in range(n - 1):
            if ord == math.inf:
                diff = np.abs(Uk[i + 1:] - Uk[i][None, :])
                row = 0.5 * (diff.max(axis=1) if diff.shape[1] else np.zeros(n - i - 1))
            else:
                diff = U[i + 1:] - U[i][None, :]
                if ord == 1:
                    row = 0.5 * (np.abs(diff).sum(axis=1) if w is None else np.abs(diff) @ w)
                else:
                    row = 0.5 * np.sqrt((diff * diff).sum(axis=1) if w is None
                                        else (diff * diff) @ w)
            D[i, i + 1:] = row
            D[i + 1:, i] = row
    # zero forms: 0 between two of them, 1/2 against a unit vector (exactly)
    D[zero, :] = 0.5
    D[:, zero] = 0.5
    D[np.ix_(zero, zero)] = 0.0
    np.fill_diagonal(D, 0.0)
    if exact_vecs is not None:
        # exact decisions: 0 iff positively proportional, 1 iff negatively proportional
        for i in range(n):
            for j in range(i + 1, n):
                if zero[i] or zero[j]:
                    continue
                sign = _proportionality(exact_vecs[i], exact_vecs[j])
                if sign:
                    D[i, j] = D[j, i] = 0.0 if sign > 0 else 1.0
    return np.clip(D, 0.0, 1.0)


def _starc_matrix(rewards, mdp, canonicalization, norm, policy, weights, unreachable,
                  state_dist, action_dist, zero_rtol, stacklevel):
    o = _ord(norm)
    method = _method(canonicalization)
    S, A = mdp.n_states, mdp.n_actions
    Rs = _rewards(rewards, mdp)
    W = None if weights is None else _check_weights(weights, (S, A, S))
    pi = None if policy is None else _check_policy(mdp, policy, None)[0]
    sd = None if state_dist is None else _check_distribution(state_dist, (S,), "state_dist")[0]
    part = _reachable_part(mdp, unreachable, stacklevel=stacklevel)
    if part is not None:
        keep, mdp = part
        Rs = [_restrict(R, keep) for R in Rs]
        W = None if W is None else (_restrict(W[0], keep), W[1])
        pi = None if pi is None else pi[keep]
        if sd is not None:
            sub = sd[keep]
            total = sum(sub.tolist(), Fraction(0)) if sub.dtype == object else float(sub.sum())
            if total == 0:
                raise InvalidParameterError("state_dist puts no mass on the reachable states")
            sd = sub / total
    forms, exact = _canonical_forms(Rs, mdp, method, policy=pi, weights=W, state_dist=sd,
                                    action_dist=action_dist)
    n = len(Rs)
    k = forms.ndim - 1                                   # 2 for val, 3 otherwise
    Wd = None if W is None else W[0]
    w = _domain_weights(Wd, k, mdp, o)
    flat = forms.reshape(n, -1)
    exact_norm = exact and (w is None or w.dtype == object or w.dtype.kind in "iu")
    if exact_norm:
        norms_exact = [_norm_flat(flat[i], w if w is None or w.dtype == object else
                                  to_fractions(w), o) for i in range(n)]
        zero = np.array([v == 0 for v in norms_exact], dtype=bool)
    wf = None if w is None else _float(np.asarray(w))
    Uf = _float(flat)
    norms = np.array([_norm_flat(Uf[i], wf, o) for i in range(n)])
    if not exact_norm:
        ones = _norm_flat(np.ones(flat.shape[1]), wf, o)
        g = float(mdp.gamma)
        cond = 1.0 / (1.0 - g) if g < 1 else 1.0
        thr = np.array([zero_rtol * _scale(R) * cond * ones for R in Rs])
        zero = _zero_flags(norms, thr, "canonical form's norm")
    U = Uf / np.where(zero, 1.0, norms)[:, None]
    U[zero] = 0.0
    if exact_norm:
        keepw = slice(None) if w is None else _bool(w > 0) if w.dtype == object else w > 0
        vecs = [flat[i][keepw] for i in range(n)]
        return _matrix(U, wf, o, zero, vecs)
    return _matrix(U, wf, o, zero)


def starc_distance(R1, R2, mdp, canonicalization="val", norm=2, *, policy=None, weights=None,
                   unreachable="mask", state_dist=None, action_dist=None, zero_rtol=ZERO_RTOL):
    """STARC distance on ``[0, 1]``: ``1/2 n(s(R1) - s(R2))``, ``s(R) = c(R) / n(c(R))``.

    ``c`` is a canonicalisation (:data:`CANONICALIZATIONS`), ``n`` a weighted L1 / L2 /
    L-inf norm (:func:`reward_norm`), and the metric is the same norm.  **Scale:** the note
    and the STARC paper report ``n(s(R1) - s(R2))`` on ``[0, 2]``; this is half of it, so
    ``d(R, -R) = 1`` and ``d(R, 0) = 1/2`` when ``c(R) != 0`` (``s(R) = c(R) = 0``
    otherwise).

    With ``"val"`` or ``"minimal"`` (STARC canonicalisations) the distance is a
    pseudometric that is 0 exactly when the rewards differ by positive scaling of a
    shaping-plus-S'R change, or both lie in ``N`` (claims ``distance-pseudometric``,
    ``canonicalisation-invariance``).

    Parameters
    ----------
    R1, R2 : (S,), (S, A) or (S, A, S) array_like
    mdp : MDP
        Discounted infinite horizon for ``"val"`` and ``"minimal"``.
    canonicalization : {"val", "minimal", "epic", "dard", "none"}, default "val"
    norm : {1, 2, inf}, default 2
    policy : (S, A) array_like, optional
        Reference policy of ``"val"`` (default uniform).
    weights : array_like, optional
        Reward-space weights ``W`` (shape prefix of ``(S, A, S)``) of the norm and, for
        ``"minimal"``, of the minimal canonicalisation.  For ``"val"`` the ``(S, A)``
        forms are measured as their ``(S, A, S)`` broadcast: ``sum_s' W`` (L1, L2), any
        ``W > 0`` (L-inf).  Default: unit weights.
    unreachable : {"mask", "ignore", "raise"}, default "mask"
        States not reachable from ``mdp.initial`` (:func:`identifiability.graph.reachable_states`):
        ``"mask"`` canonicalises and compares on the reachable part of the MDP (closed
        under transitions) with an :class:`~identifiability.errors.UnreachableStatesWarning`;
        for ``"val"`` that is exactly the whole-MDP advantage restricted to reachable
        states.  ``"ignore"`` keeps every state, ``"raise"`` raises InvalidMDPError.
    state_dist, action_dist : array_like, optional
        ``D_S`` and ``D_A`` of ``"epic"`` / ``"dard"`` (``state_dist`` is renormalised on
        the reachable states when masking).
    zero_rtol : float, default :data:`ZERO_RTOL`
        Float input: ``c(R)`` counts as zero when ``n(c(R)) <= zero_rtol max|R| n(1) /
        (1 - gamma)``; a :class:`ToleranceWarning` is issued within a factor 1e3 of it.

    Returns
    -------
    float
        In ``[0, 1]``.  On exact input the zero decision is exact.

    Raises
    ------
    InvalidRewardError, InvalidParameterError, InvalidPolicyError, InvalidMDPError

    Notes
    -----
    The cost of one canonicalisation per reward plus ``O(size of the forms)``.
    Definitions: Skalse et al., ICLR 2024 (note §4.3, [REVIEWS + RECALLED]).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> R = [[[0, 0], [0, 1]], [[0, 0], [0, 0]]]
    >>> minus = [[[0, 0], [0, -1]], [[0, 0], [0, 0]]]
    >>> starc_distance(R, minus, mdp), starc_distance(R, [[0, 0], [0, 0]], mdp)
    (1.0, 0.5)
    >>> shaped = idf.PotentialShaping([3, -1]).apply(R, mdp)
    >>> starc_distance(R, shaped, mdp, "minimal")
    0.0
    """
    D = _starc_matrix([R1, R2], mdp, canonicalization, norm, policy, weights, unreachable,
                      state_dist, action_dist, zero_rtol, stacklevel=4)
    return float(D[0, 1])


def _pearson_matrix(forms, exact, cov, scales, zero_rtol):
    """Pearson distances ``1/2 ||x~_i - x~_j||_cov`` of the rows of ``forms``."""
    n = forms.shape[0]
    flat = forms.reshape(n, -1)
    c = cov
    if exact and c is not None and c.dtype == object:
        mu = [sum((flat[i] * c).tolist(), Fraction(0)) for i in range(n)]
        keep = _bool(c > 0)
        vecs = [(flat[i] - mu[i])[keep] for i in range(n)]
        zero = np.array([not _bool(v != 0).any() for v in vecs], dtype=bool)
    X = _float(flat)
    if c is None:                                     # uniform coverage
        cf = None
        X = X - X.mean(axis=1)[:, None]
        sd = np.sqrt(np.einsum("ij,ij->i", X, X) / X.shape[1])
    else:
        cf = _float(c)
        cf = cf / cf.sum()
        X = X - (X @ cf)[:, None]
        sd = np.sqrt(np.maximum((X * X) @ cf, 0.0))
    if not (exact and c is not None and c.dtype == object):
        zero = _zero_flags(sd, zero_rtol * np.asarray(scales), "standard deviation")
    # uniform coverage: ||x||_uniform = ||x|| / sqrt(m), folded into the scaling
    X /= np.where(zero, 1.0, sd)[:, None] * (1.0 if cf is not None else math.sqrt(X.shape[1]))
    X[zero] = 0.0
    if exact and c.dtype == object:
        return _matrix(X, cf, 2, zero, vecs)
    return _matrix(X, cf, 2, zero)


def _coverage(coverage, mdp, state_dist, action_dist, exact):
    """The coverage distribution as a flat array ``(cov, exact)``; ``cov`` is None for the
    uniform default on a float computation (unit weights, never materialised)."""
    S, A = mdp.n_states, mdp.n_actions
    if coverage is not None:
        cov, ce = _check_distribution(coverage, (S, A, S), "coverage")
        return cov.reshape(-1), ce
    if state_dist is None and action_dist is None and not exact:
        return None, False
    ds, e1 = _dist_or_uniform(state_dist, S, "state_dist")
    da, e2 = _dist_or_uniform(action_dist, A, "action_dist")
    if exact and e1 and e2:
        return (ds[:, None, None] * da[None, :, None] * ds[None, None, :]).reshape(-1), True
    ds, da = _float(ds), _float(da)
    return (ds[:, None, None] * da[None, :, None] * ds[None, None, :]).reshape(-1), False


def _epic_matrix(rewards, mdp, method, state_dist, action_dist, coverage, zero_rtol):
    Rs = _rewards(rewards, mdp)
    forms, exact = _canonical_forms(Rs, mdp, method, state_dist=state_dist,
                                    action_dist=action_dist)
    cov, ce = _coverage(coverage, mdp, state_dist, action_dist, exact)
    return _pearson_matrix(forms, exact and ce, cov, [_scale(R) for R in Rs], zero_rtol)


def epic_distance(R1, R2, mdp, *, state_dist=None, action_dist=None, coverage=None,
                  zero_rtol=ZERO_RTOL):
    """EPIC distance ``sqrt((1 - rho) / 2)``: the Pearson distance of EPIC canonical forms.

    ``rho`` is the correlation of ``C(R1)(s, a, s')`` and ``C(R2)(s, a, s')`` under the
    coverage distribution (:func:`epic_canonical`), computed in the stable form
    ``1/2 ||x~ - y~||`` of the standardised forms (claim ``pearson-identity``).
    **Zero variance:** a canonical form with zero variance under the coverage (``R`` is
    shaping plus a constant there) standardises to 0, so the distance is 0 when both
    are constant and 1/2 when exactly one is; never NaN.

    EPIC is invariant to potential shaping and positive scaling but **not** to
    S'-redistribution, and it reads rewards on impossible transitions (note §4.1,
    Case F; claim ``epic-not-sprime-invariant``).

    Parameters
    ----------
    R1, R2 : (S,), (S, A) or (S, A, S) array_like
    mdp : MDP
        Any ``gamma`` in ``[0, 1]``; the dynamics are not used.
    state_dist, action_dist : array_like, optional
        ``D_S`` and ``D_A`` of the canonicalisation; default uniform.
    coverage : (S, A, S) array_like, optional
        The distribution of the Pearson correlation; default ``D_S x D_A x D_S``.
    zero_rtol : float, default :data:`ZERO_RTOL`
        Float input: standard deviation at most ``zero_rtol max|R|`` counts as zero.

    Returns
    -------
    float
        In ``[0, 1]``.

    Raises
    ------
    InvalidRewardError, InvalidParameterError

    Notes
    -----
    ``O(S^2 A)``.  Gleave et al., ICLR 2021 (note §4.1, Thm 4.7 [RECALLED]).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> R = [[[0, 0], [0, 1]], [[0, 0], [0, 0]]]
    >>> epic_distance(R, [[[0, 0], [0, -1]], [[0, 0], [0, 0]]], mdp)
    1.0
    >>> epic_distance(R, idf.PotentialShaping([3, -1]).apply(R, mdp), mdp)
    0.0
    """
    return float(_epic_matrix([R1, R2], mdp, "epic", state_dist, action_dist, coverage,
                              zero_rtol)[0, 1])


def dard_distance(R1, R2, mdp, *, action_dist=None, coverage=None, state_dist=None,
                  zero_rtol=ZERO_RTOL):
    """DARD distance: the Pearson distance ``sqrt((1 - rho) / 2)`` of DARD canonical forms.

    As :func:`epic_distance` with :func:`dard_canonical`.  Invariant to potential
    shaping and positive scaling, **not** to S'-redistribution.

    Parameters
    ----------
    R1, R2 : (S,), (S, A) or (S, A, S) array_like
    mdp : MDP
    action_dist : (A,) array_like, optional
        ``D_A`` of the canonicalisation; default uniform.
    coverage : (S, A, S) array_like, optional
        Default ``D_S x D_A x D_S``.
    state_dist : (S,) array_like, optional
        ``D_S`` of the default coverage only; default uniform.
    zero_rtol : float, default :data:`ZERO_RTOL`

    Returns
    -------
    float
        In ``[0, 1]``; zero-variance forms as in :func:`epic_distance`.

    Raises
    ------
    InvalidRewardError, InvalidParameterError

    Notes
    -----
    The cost of :func:`dard_canonical`.  Wulfe et al., ICLR 2022 (note §4.2).

    Examples
    --------
    Case B of the note: S'-redistribution is visible to DARD (0.370) although both
    rewards have the same ``Q`` and the same policies.

    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[0, "1/2", "1/2"]], [[1, 0, 0]], [[1, 0, 0]]], gamma="9/10")
    >>> Z = [[[0, 0, 0]], [["1/2", 0, 0]], [[0, 0, 0]]]
    >>> Rb = [[[0, 1, -1]], [["1/2", 0, 0]], [[0, 0, 0]]]
    >>> round(dard_distance(Rb, Z, mdp), 3), round(epic_distance(Rb, Z, mdp), 3)
    (0.37, 0.503)
    """
    return float(_epic_matrix([R1, R2], mdp, "dard", state_dist, action_dist, coverage,
                              zero_rtol)[0, 1])


def pearson_distance(x, y, weights=None, *, zero_rtol=ZERO_RTOL):
    """Pearson distance ``sqrt((1 - rho(x, y)) / 2)`` in ``[0, 1]``, weighted.

    Computed as ``1/2 ||x~ - y~||_w`` with ``x~ = (x - mean) / sd`` under the
    normalised weights (claim ``pearson-identity``).  A constant ``x`` (standard
    deviation at most ``zero_rtol max|x|``; exactly zero on exact input) standardises
    to 0: the distance is 0 between two constants and 1/2 between a constant and a
    non-constant vector.

    Parameters
    ----------
    x, y : array_like
        The same shape.
    weights : array_like, optional
        Nonnegative, the shape of ``x``, positive total (normalised here); default uniform.
    zero_rtol : float, default :data:`ZERO_RTOL`

    Returns
    -------
    float

    Raises
    ------
    InvalidParameterError
        Shapes differ, negative weights or a zero total.

    Notes
    -----
    ``O(size)``.

    Examples
    --------
    >>> pearson_distance([1, 2, 3], [2, 4, 6]), pearson_distance([1, 2, 3], [3, 2, 1])
    (0.0, 1.0)
    >>> pearson_distance([1, 1, 1], [1, 2, 3])
    0.5
    """
    X = parse_array(x, where="x", error=InvalidParameterError)
    Y = parse_array(y, where="y", error=InvalidParameterError)
    if X.shape != Y.shape:
        raise InvalidParameterError(f"x and y must have the same shape, got {X.shape} and "
                                    f"{Y.shape}")
    if weights is None:
        w = np.ones(X.shape, dtype=np.int64)
    else:
        w, _ = _check_weights(weights, X.shape if X.ndim else (1,))
        if w.shape != X.shape:
            raise InvalidParameterError(f"weights has shape {w.shape}; expected {X.shape}")
    exact = is_exact_array(X) and is_exact_array(Y) and is_exact_array(w)
    total = sum(to_fractions(w).reshape(-1).tolist(), Fraction(0)) if exact else \
        float(_float(w).sum())
    if total == 0:
        raise InvalidParameterError("weights sum to 0; at least one weight must be positive")
    if exact:
        forms = np.stack([to_fractions(X), to_fractions(Y)])
        cov = to_fractions(w) / total
    else:
        forms = np.stack([_float(X), _float(Y)])
        cov = _float(w) / total
    return float(_pearson_matrix(forms, exact, cov, [_scale(X), _scale(Y)], zero_rtol)[0, 1])


def pairwise_distances(rewards, mdp, distance="starc", **kwargs):
    """The symmetric ``(n, n)`` matrix of distances between ``n`` rewards.

    The canonicalisation work is shared: VAL canonicalises every reward in one batched
    linear solve (stacked right-hand sides), the minimal canonicalisation factors its
    Gram matrix once; L2 distances come from one Gram matrix of the normalised forms
    (entries below 1e-4 recomputed directly), L1 / L-inf by broadcasting.

    Parameters
    ----------
    rewards : sequence of array_like
        Each ``(S,)``, ``(S, A)`` or ``(S, A, S)`` (shapes may differ).
    mdp : MDP
    distance : {"starc", "epic", "dard"}, default "starc"
    **kwargs
        The keywords of :func:`starc_distance` (``canonicalization``, ``norm``,
        ``policy``, ``weights``, ``unreachable``, ``state_dist``, ``action_dist``,
        ``zero_rtol``), :func:`epic_distance` or :func:`dard_distance`.

    Returns
    -------
    (n, n) float ndarray
        Symmetric, zero diagonal, entries in ``[0, 1]``; ``D[i, j]`` equals the pairwise
        function on ``(rewards[i], rewards[j])`` up to rounding.

    Raises
    ------
    InvalidParameterError
        An unknown distance; otherwise as the pairwise functions.
    TypeError
        A keyword the distance does not take.

    Notes
    -----
    STARC-VAL: one ``O(S^3 + n S^2)`` solve plus ``O(n nnz)`` and ``O(n^2 S A)``; the
    acceptance benchmark (100 rewards, 256 states, 4 actions) runs in
    ``benchmarks/bench_distances.py``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> R = [[0, 1], [0, 0]]
    >>> pairwise_distances([R, [[0, -1], [0, 0]], [[0, 0], [0, 0]]], mdp).tolist()
    [[0.0, 1.0, 0.5], [1.0, 0.0, 0.5], [0.5, 0.5, 0.0]]
    """
    if distance not in _DISTANCES:
        raise InvalidParameterError(f"unknown distance {distance!r}; choose one of "
                                    f"{', '.join(repr(d) for d in _DISTANCES)}")
    rewards = list(rewards)
    if not rewards:
        return np.zeros((0, 0))
    if distance == "starc":
        return _starc_pairwise(rewards, mdp, **kwargs)
    return _pearson_pairwise(rewards, mdp, distance, **kwargs)


def _starc_pairwise(rewards, mdp, canonicalization="val", norm=2, *, policy=None, weights=None,
                    unreachable="mask", state_dist=None, action_dist=None, zero_rtol=ZERO_RTOL):
    return _starc_matrix(rewards, mdp, canonicalization, norm, policy, weights, unreachable,
                         state_dist, action_dist, zero_rtol, stacklevel=5)


def _pearson_pairwise(rewards, mdp, distance, *, state_dist=None, action_dist=None,
                      coverage=None, zero_rtol=ZERO_RTOL):
    return _epic_matrix(rewards, mdp, distance, state_dist, action_dist, coverage, zero_rtol)
