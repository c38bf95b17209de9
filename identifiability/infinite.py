"""Infinite-horizon, discounted, entropy-regularised reward identifiability.

The soft-optimal (MaxEnt) agent of temperature ``lambda`` on an MDP ``(P, gamma)``
with ``gamma < 1`` and an infinite horizon has a stationary policy ``pi``.  This
module answers which rewards ``r(s, a)`` are consistent with such policies, from
one or several experts (§5 of the theory note ``identifiability.md``).

Conventions: ``n = S`` states, ``m = A`` actions; a reward is an ``(S, A)`` table
or its vector of length ``S*A`` indexed ``s*A + a``; ``E`` is the ``(S*A, S)``
matrix ``E[(s, a), s'] = 1[s = s']``; ``P`` is the stacked ``(S*A, S)`` kernel;
``T(a)`` is the ``(S, S)`` matrix ``P[:, a, :]``.

=================================  =========================================================
function                           question
=================================  =========================================================
:func:`shaping_matrix`             the ``(S*A, S)`` matrix ``E - gamma P``
:func:`consistent_class`           ``U_{P,gamma} = im(E - gamma P)``: the rewards with the
                                   policy of the zero reward
:func:`action_difference_matrix`   ``D``: ``T(a) - T(a0)`` stacked over ``a != a0``
:func:`reward_from_policy`         a reward with a given soft policy and soft value
:func:`identify_experts`           identifiability up to a constant from several experts
:func:`state_only_identifiable`    the same question for action-independent rewards ``f(s)``
:func:`feature_identifiability`    rewards ``r = F theta`` with known features ``F``
:func:`transfers`                  do all consistent rewards give the true policy elsewhere?
:func:`reward_error_bound`         reward error from policy error, two experts
=================================  =========================================================

The linear structure (which reward directions are invisible) never needs exp or
log, so every verdict is exact (rational arithmetic via :mod:`identifiability.linalg`)
on exact MDPs and comes with a re-checkable rank certificate; on float MDPs it is a
float rank decision with its margin and an ``uncertain`` flag.  Policies, witnesses'
verification and principal angles are float.

The one fact everything rests on (Cao, Cohen & Szpruch 2021, Thm 1; statement READ
in the note, display formula reconstructed there and verified numerically): for
a full-support ``pi`` and *any* ``v``, ``f = lambda log pi + (E - gamma P) v`` is the
unique reward with soft-optimal policy ``pi`` and soft value ``v``; hence the rewards
with policy ``pi`` are exactly ``f + U_{P,gamma}``.  Proof files: ``proofs/<id>.md``
for the ids named in each docstring.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from . import linalg
from ._numbers import format_number, is_exact_array, parse_array, parse_scalar, to_fractions
from ._numbers import zeros as _zeros
from .behaviour import _check_policy, soft_value_iteration
from .errors import InvalidMDPError, InvalidParameterError, InvalidRewardError
from .linalg import Subspace
from .mdp import MDP

__all__ = [
    "shaping_matrix",
    "consistent_class",
    "action_difference_matrix",
    "reward_from_policy",
    "ExpertsReport",
    "identify_experts",
    "StateOnlyReport",
    "state_only_identifiable",
    "FeatureReport",
    "feature_identifiability",
    "TransferReport",
    "transfers",
    "ErrorBound",
    "reward_error_bound",
    "WITNESS_ATOL",
]

#: Default tolerance of :meth:`ExpertsReport.verify_witness` and friends: the soft
#: policies are computed by value iteration to a residual of 1e-10.
WITNESS_ATOL = 1e-7


# ---------------------------------------------------------------------- private helpers
def _parse_gamma(mdp, gamma):
    """``(g, exact)``: ``mdp.gamma`` or a validated override in ``[0, 1]``."""
    if gamma is None:
        g = mdp.gamma
    else:
        if isinstance(gamma, (bool, np.bool_)):
            raise InvalidParameterError(f"gamma must be a number, got the boolean {gamma!r}")
        g = parse_scalar(gamma, where="gamma", error=InvalidParameterError)
        if isinstance(g, float) and not math.isfinite(g):
            raise InvalidParameterError(f"gamma must be finite, got {gamma!r}")
        if not 0 <= g <= 1:
            raise InvalidParameterError(f"gamma must lie in [0, 1], got {gamma!r}")
        if isinstance(g, int):
            g = Fraction(g)
    return g, not isinstance(g, float)


def _resolve_exact(exact, available, what):
    if exact is None:
        return available
    if exact and not available:
        raise InvalidParameterError(f"exact arithmetic needs {what}; this input is float")
    return bool(exact)


def _arithmetic(arithmetic, available, what):
    if arithmetic not in (None, "exact", "float"):
        raise InvalidParameterError(f"arithmetic must be None, 'exact' or 'float', "
                                    f"got {arithmetic!r}")
    return _resolve_exact(None if arithmetic is None else arithmetic == "exact", available,
                          what)


def _require_infinite(mdp, where):
    if not isinstance(mdp, MDP):
        raise InvalidMDPError(f"{where} must be an identifiability.MDP, got "
                              f"{type(mdp).__name__}")
    if mdp.horizon is not None:
        raise InvalidMDPError(
            f"{where} has the finite horizon H={mdp.horizon}; this is the infinite-horizon "
            f"discounted theory (use mdp.replace(horizon=None) with gamma < 1, or the "
            f"finite-horizon checks of identifiability.identify)")


def _experts(experts, where="experts"):
    """A non-empty tuple of infinite-horizon MDPs on the same (S, A)."""
    if isinstance(experts, MDP):
        experts = (experts,)
    try:
        experts = tuple(experts)
    except TypeError:
        raise InvalidMDPError(f"{where} must be an MDP or a sequence of MDPs, got "
                              f"{type(experts).__name__}") from None
    if not experts:
        raise InvalidMDPError(f"{where} is empty; give at least one MDP")
    for k, e in enumerate(experts):
        _require_infinite(e, f"{where}[{k}]")
    S, A = experts[0].n_states, experts[0].n_actions
    for k, e in enumerate(experts[1:], start=1):
        if (e.n_states, e.n_actions) != (S, A):
            raise InvalidMDPError(f"{where}[{k}] has S={e.n_states}, A={e.n_actions}; "
                                  f"{where}[0] has S={S}, A={A}: all experts must share the "
                                  f"state and action sets")
    return experts


def _float(x):
    x = np.asarray(x)
    return np.array(x.tolist(), dtype=float) if x.dtype == object else x.astype(float)


def _fmt_vec(v, limit=8):
    items = [format_number(x) if not isinstance(x, float) else f"{x:.4g}" for x in
             np.asarray(v).tolist()]
    if len(items) > limit:
        items = items[:limit] + ["..."]
    return "[" + ", ".join(items) + "]"


def _is_constant(v):
    v = np.asarray(v)
    if v.dtype == object or v.dtype.kind in "iu":
        return all(x == v[0] for x in v.tolist())
    return bool(np.ptp(v) <= 1e-9 * max(1.0, float(np.max(np.abs(v)))))


def _policies_agree(mdps, r1, r2, temperature, atol):
    """Max |pi(r1) - pi(r2)| over the MDPs, from the one soft value iteration."""
    worst = 0.0
    for e in mdps:
        p1 = soft_value_iteration(e, _float(r1), temperature=temperature).policy
        p2 = soft_value_iteration(e, _float(r2), temperature=temperature).policy
        worst = max(worst, float(np.max(np.abs(p1 - p2))))
    return worst <= atol, worst


# ---------------------------------------------------------------------- the matrices
def shaping_matrix(mdp, gamma=None, *, exact=None):
    """The ``(S*A, S)`` potential-shaping matrix ``E - gamma P``.

    ``((E - gamma P) v)(s, a) = v(s) - gamma sum_s' P(s'|s, a) v(s')``: the reward
    change of potential shaping with potential ``v`` (in expectation over ``s'``).

    Parameters
    ----------
    mdp : MDP
        Any MDP (its horizon is ignored: the matrix is the same).
    gamma : number, optional
        Overrides ``mdp.gamma``; must lie in ``[0, 1]``.
    exact : bool, optional
        Default: exact when the MDP and ``gamma`` are exact.

    Returns
    -------
    (S*A, S) ndarray
        Object array of :class:`fractions.Fraction` when exact, float64 otherwise.
        Row ``s*A + a``.

    Raises
    ------
    InvalidParameterError
        ``gamma`` outside ``[0, 1]``, or ``exact=True`` on float input.

    Notes
    -----
    Built from the sparse entries in ``O(S^2 A)`` memory (the result is dense) and
    ``O(nnz + S A)`` vectorised work.  Full column rank when ``gamma < 1``:
    ``(E - gamma P) v = 0`` gives ``|v(s)| <= gamma max|v|``, so ``v = 0``.

    Examples
    --------
    >>> import identifiability as idf
    >>> swap = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
    >>> shaping_matrix(swap).tolist()
    [[Fraction(1, 1), Fraction(-1, 2)], [Fraction(-1, 2), Fraction(1, 1)]]
    >>> shaping_matrix(swap, 0.9, exact=False).round(2).tolist()
    [[1.0, -0.9], [-0.9, 1.0]]
    """
    g, g_exact = _parse_gamma(mdp, gamma)
    exact = _resolve_exact(exact, mdp.is_exact and g_exact, "an exact MDP and an exact gamma")
    S, A = mdp.n_states, mdp.n_actions
    s, a, sn, p = mdp.entries(exact=exact)
    M = _zeros((S * A, S), exact)
    M[np.arange(S * A), np.repeat(np.arange(S), A)] = Fraction(1) if exact else 1.0
    # Entries are unique per (s, a, s'), so a fancy-indexed subtraction is safe.
    gg = Fraction(g) if exact else float(g)
    rows = s * A + a
    M[rows, sn] = M[rows, sn] - gg * p
    return M


def _apply_shaping(mdp, X, exact):
    """``(E - gamma P) X`` for ``X`` of shape ``(S,)`` or ``(S, k)``, sparse: ``O(nnz k)``."""
    X = np.asarray(X)
    if exact:
        X = X if X.dtype == object else to_fractions(X)
        g = Fraction(mdp.gamma)
    else:
        X = _float(X)
        g = float(mdp.gamma)
    S, A = mdp.n_states, mdp.n_actions
    PX = mdp.expectation(X, exact=exact)
    out = np.repeat(X[:, None], A, axis=1) - g * PX
    return out.reshape((S * A,) + X.shape[1:])


def consistent_class(mdp, gamma=None, *, exact=None):
    """``U_{P,gamma} = im(E - gamma P)``: the reward directions invisible to a soft agent.

    Two rewards give the same infinite-horizon soft-optimal policy on ``(P, gamma)``
    (at any temperature) if and only if their difference lies in this subspace of
    ``R^{S*A}``.  It has dimension ``S`` and contains the constants
    (``(E - gamma P) 1 = (1 - gamma) 1``).

    Parameters
    ----------
    mdp : MDP
        Infinite horizon (``mdp.horizon is None``), unless ``gamma`` is given.
    gamma : number, optional
        A discount ``< 1`` that overrides ``mdp.gamma`` (and then the MDP's horizon
        is not checked: the question is asked of the discounted infinite-horizon agent).
    exact : bool, optional
        Default: exact when the MDP and ``gamma`` are exact.

    Returns
    -------
    Subspace
        Of ``R^{S*A}`` (vectors indexed ``s*A + a``), dimension ``S``.

    Raises
    ------
    InvalidMDPError
        A finite-horizon MDP and no ``gamma``.
    InvalidParameterError
        ``gamma >= 1`` (the class is then not the soft-policy class).

    Notes
    -----
    Theorem: Cao, Cohen & Szpruch (2021), Thm 1 and the remark after it, as read in
    §5.1 of the note; id ``cao-thm1-reward-from-policy``.  Exact: one rational row
    reduction of the ``(S, S*A)`` transpose, ``O(S^2 * S A)``; float: one SVD.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.examples.get("cao2021-example1-v0").replace(gamma="9/10", horizon=None)
    >>> U = consistent_class(mdp)
    >>> U.dim, U.contains(idf.linalg.Subspace.constants(6)), U.is_exact
    (3, True, True)
    """
    if gamma is None:
        _require_infinite(mdp, "mdp")
    g, _ = _parse_gamma(mdp, gamma)
    if g >= 1:
        raise InvalidParameterError(f"the infinite-horizon consistent class needs gamma < 1, "
                                    f"got gamma={format_number(g)}")
    return Subspace.span(shaping_matrix(mdp, gamma, exact=exact))


def action_difference_matrix(mdp, *, base_action=0, exact=None):
    """``D``: the matrices ``T(a) - T(a0)`` stacked over the actions ``a != a0``.

    ``(D v)`` is zero exactly when the expected next potential ``(P v)(s, a)`` does not
    depend on the action; ``ker D`` always contains the constants.

    Parameters
    ----------
    mdp : MDP
    base_action : int, default 0
        The action ``a0``.
    exact : bool, optional
        Default: exact when the MDP is exact.

    Returns
    -------
    ((A - 1) * S, S) ndarray
        Row ``k * S + s`` is ``P[s, a_k, :] - P[s, a0, :]`` where ``a_k`` is the
        ``k``-th action other than ``a0``.  Object Fractions when exact, float64
        otherwise.  No rows when ``A = 1``.

    Notes
    -----
    Dense, ``O(S^2 A)``.  Used by :func:`state_only_identifiable` (Cao Cor 3) and by
    the same-dynamics-two-discounts criterion (id ``two-discounts-rank-D``).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.examples.get("cao2021-example1-v0").replace(gamma="1/2", horizon=None)
    >>> action_difference_matrix(mdp).tolist() == [[0, -1, 1], [0, 0, 0], [0, 0, 0]]
    True
    """
    exact = _resolve_exact(exact, mdp.is_exact, "an exact MDP")
    if isinstance(base_action, (bool, np.bool_)) or not isinstance(base_action, (int, np.integer)) \
            or not 0 <= base_action < mdp.n_actions:
        raise InvalidParameterError(f"base_action={base_action!r} is not an action index in "
                                    f"0..{mdp.n_actions - 1}")
    S, A = mdp.n_states, mdp.n_actions
    s, a, sn, p = mdp.entries(exact=exact)
    T = _zeros((A, S, S), exact)
    T[a, s, sn] = p
    others = [b for b in range(A) if b != base_action]
    D = (T[others] - T[base_action][None]) if others else _zeros((0, S, S), exact)
    return D.reshape(len(others) * S, S)


def _nonempty(D):
    """``D``, or one zero row when it has none (so a certificate can be re-checked on it)."""
    if D.shape[0]:
        return D
    return _zeros((1, D.shape[1]), D.dtype == object)


# ---------------------------------------------------------------------- Cao Thm 1
def reward_from_policy(mdp, policy, *, value=None, temperature=1.0):
    """The reward whose soft-optimal policy is ``policy`` and whose soft value is ``value``.

    ``f(s, a) = lambda log pi(a|s) + v(s) - gamma sum_s' P(s'|s, a) v(s')``, i.e.
    ``f = lambda log pi + (E - gamma P) v``.  Every reward with soft-optimal policy
    ``pi`` is of this form for exactly one ``v`` (its soft value), so the rewards
    consistent with ``pi`` are ``f + U_{P,gamma}`` (:func:`consistent_class`).

    Parameters
    ----------
    mdp : MDP
        Infinite horizon, ``gamma < 1``.
    policy : (S, A) array_like
        A stationary policy with full support (every ``pi(a|s) > 0``).
    value : (S,) array_like, optional
        The soft value ``v`` the reward should have; default 0.
    temperature : float, default 1.0
        ``lambda > 0``.

    Returns
    -------
    (S, A) float64 ndarray
        The reward ``f`` (float: it involves ``log``).

    Raises
    ------
    InvalidPolicyError
        Wrong shape, rows not summing to one, or a zero probability (a soft-optimal
        policy has full support).
    InvalidMDPError
        A finite-horizon MDP, or ``value`` of the wrong shape.

    Notes
    -----
    Theorem: Cao, Cohen & Szpruch (2021), Thm 1 (statement READ in §5.1 of the
    note, display formula reconstructed there and verified); our proof in
    ``proofs/cao-thm1-reward-from-policy.md``.  ``O(nnz + S A)``.

    Examples
    --------
    >>> import numpy as np, identifiability as idf
    >>> mdp = idf.examples.get("cao2021-example1-v0").replace(gamma="9/10", horizon=None)
    >>> pi = np.array([[0.25, 0.75], [0.5, 0.5], [0.9, 0.1]])
    >>> f = reward_from_policy(mdp, pi, value=[1.0, 0.0, -2.0], temperature=0.5)
    >>> sol = idf.soft_value_iteration(mdp, f, temperature=0.5)
    >>> bool(np.allclose(sol.policy, pi)), sol.v.round(6).tolist()
    (True, [1.0, 0.0, -2.0])
    """
    from .behaviour import _parameter

    _require_infinite(mdp, "mdp")
    lam = _parameter(temperature, "temperature", allow_zero=False)
    pi, _ = _check_policy(mdp, policy, None)
    pif = _float(pi)
    if np.any(pif <= 0):
        s, a = np.argwhere(pif <= 0)[0]
        from .errors import InvalidPolicyError

        raise InvalidPolicyError(f"policy[{s}, {a}] = 0: a soft-optimal policy has full "
                                 f"support, so no reward produces it")
    S = mdp.n_states
    if value is None:
        v = np.zeros(S)
    else:
        v = _float(parse_array(value, where="value", error=InvalidMDPError))
        if v.shape != (S,):
            raise InvalidMDPError(f"value must have shape ({S},), got {v.shape}")
    return lam * np.log(pif) + v[:, None] - float(mdp.gamma) * mdp.expectation(v, exact=False)


# ---------------------------------------------------------------------- several experts
def _coupling_matrix(As, exact):
    """``[[A1, -A2, 0, ...], [A1, 0, -A3, ...], ...]``: its kernel is ``{(v_1..v_K)}`` with
    ``A1 v1 = ... = AK vK``; shape ``((K-1) S A, K S)``.  With ``K = 1`` there is no
    constraint: one zero row, so that the certificate has a matrix to be checked on."""
    K = len(As)
    nm, n = As[0].shape
    C = _zeros(((K - 1) * nm if K > 1 else 1, K * n), exact)
    for k in range(1, K):
        C[(k - 1) * nm:k * nm, :n] = As[0]
        C[(k - 1) * nm:k * nm, k * n:(k + 1) * n] = -As[k]
    return C


@dataclass(eq=False, repr=False)
class ExpertsReport:
    """Identifiability up to a constant from several soft-optimal experts.

    Attributes
    ----------
    identifiable : bool
        True when every reward consistent with all experts' policies equals the
        true reward up to an additive constant: ``dim(U_1 ∩ ... ∩ U_K) = 1``.
    dim_intersection : int
        ``dim ∩_i U_i`` (``>= 1``: the constants are always in it).
    intersection : Subspace
        ``∩_i U_i`` in ``R^{S*A}``: the reward directions invisible to every expert.
    classes : tuple of Subspace
        ``U_i = im(E - gamma_i P_i)`` per expert.
    potentials : tuple of ndarray
        ``potentials[i]`` has shape ``(S, dim_intersection)``; the columns ``W`` of
        ``(E - gamma_i P_i) potentials[i]`` are the same for every ``i`` and span the
        intersection.
    witness : (ndarray, ndarray) or None
        When not identifiable, ``(r1, r2)``: two ``(S, A)`` rewards (``r1 = 0``) with
        identical soft-optimal policies for every expert whose difference is not
        constant.  None when identifiable.
    witness_potentials : tuple of (S,) ndarray or None
        ``v_i`` with ``r2 - r1 = (E - gamma_i P_i) v_i`` (vectorised) for every expert.
    system : ndarray
        The coupling matrix ``C`` (``((K-1) S A, K S)``), rows ``[A_1, 0.., -A_k, 0..]``;
        ``dim_intersection = K S - rank C``.  For two experts ``C = [A_1, -A_2]``; for
        one expert a single zero row (no constraint).
    certificate : RankCertificate or None
        Exact path: re-check with ``certificate.verify(report.system)``.
    rank_decision : FloatRank or None
        Float path: the rank decision on ``C`` with its margin.
    principal_angles : dict
        ``(i, j) -> ndarray``: principal angles (radians, ascending, float) between
        ``U_i`` and ``U_j``.  The first is always 0 (both contain the constants).
    margin : float or None
        The second principal angle between ``U_1`` and ``U_2`` (two experts); with more
        experts the largest second angle over pairs (positive => identifiable, but
        three experts can identify with every pairwise angle 0).  None for one expert
        or one state.  Float; angles below ~1e-7 are the rounding floor of ``arccos``.
    exact : bool
        Whether the verdict was computed in rational arithmetic.
    uncertain : bool
        Float path: the rank decision was within a factor 1e3 of its tolerance.
    escalated : bool
        The float decision was uncertain and was redone exactly.

    Examples
    --------
    >>> import identifiability as idf
    >>> swap = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> rep = identify_experts(swap)            # one expert: only shaping is invisible
    >>> rep.dim_intersection, [[str(x) for x in row] for row in rep.witness[1]]
    (2, [['1/2', '1'], ['0', '-1/2']])
    >>> rep.witness_potentials[0].tolist()     # w = (E - gamma P) v with v = 1 at state 0
    [Fraction(1, 1), Fraction(0, 1)]
    >>> rep.verify_witness()
    True
    """

    identifiable: bool
    dim_intersection: int
    intersection: Subspace
    classes: tuple
    potentials: tuple
    witness: tuple | None
    witness_potentials: tuple | None
    system: np.ndarray
    certificate: object
    rank_decision: object
    principal_angles: dict
    margin: float | None
    exact: bool
    uncertain: bool
    escalated: bool = False
    experts: tuple = field(default=(), repr=False)

    @property
    def n_experts(self):
        """int: the number of experts ``K``."""
        return len(self.classes)

    def verify_witness(self, temperature=1.0, atol=WITNESS_ATOL):
        """Recompute every expert's soft policy for both witness rewards.

        Parameters
        ----------
        temperature : float, default 1.0
        atol : float, default 1e-7
            Largest allowed ``|pi_1 - pi_2|`` entry.

        Returns
        -------
        bool
            True when there is no witness, or when both rewards give the same policy
            for every expert (float), the potentials reproduce the difference (exactly
            on the exact path) and the difference is not constant.
        """
        if self.witness is None:
            return True
        r1, r2 = self.witness
        d = (r2 - r1).reshape(-1)
        for e, v in zip(self.experts, self.witness_potentials):
            dv = _apply_shaping(e, v, self.exact)
            if self.exact:
                if any(x != y for x, y in zip(dv.tolist(), d.tolist())):
                    return False
            elif not np.allclose(dv, _float(d), atol=1e-9 * max(1, np.abs(_float(d)).max())):
                return False
        if _is_constant(d):
            return False
        return _policies_agree(self.experts, r1, r2, temperature, atol)[0]

    def explain(self):
        """The verdict in words.

        Returns
        -------
        str
        """
        K, S = self.n_experts, self.classes[0].dim
        how = "exact rank certificate" if self.exact else (
            "float rank decision" + (", UNCERTAIN (near the tolerance)" if self.uncertain else ""))
        rank = K * S - self.dim_intersection
        lines = []
        if self.identifiable:
            lines.append(f"identifiable up to a constant from {K} expert(s): the rewards "
                         f"consistent with every expert's soft policy form r + span(1).")
        else:
            lines.append(f"not identifiable from {K} expert(s): dim ∩ U_i = "
                         f"{self.dim_intersection} > 1.")
            lines.append("a non-constant reward change is invisible to every expert.")
        if K > 1:
            lines.append(f"rank of the coupling matrix [A_1, -A_k] = {rank} = K*S - "
                         f"{self.dim_intersection} with K*S = {K * S} ({how}).")
        else:
            lines.append(f"a single expert identifies nothing beyond shaping: dim U = {S} "
                         f"({how}).")
        if self.margin is not None:
            lines.append(f"second principal angle (quantitative margin) = {self.margin:.4g} rad.")
        if self.witness is not None:
            w = self.witness[1].reshape(-1)
            lines.append(f"witness: r and r + w give the same soft policy for every expert, "
                         f"with w = {_fmt_vec(w)} = (E - gamma_i P_i) v_i, v_1 = "
                         f"{_fmt_vec(self.witness_potentials[0])}.")
        if self.escalated:
            lines.append("the float decision was near its tolerance and was redone exactly.")
        return "\n".join(lines)

    def __repr__(self):
        return (f"ExpertsReport(identifiable={self.identifiable}, dim_intersection="
                f"{self.dim_intersection}, n_experts={self.n_experts}, exact={self.exact}"
                f"{', uncertain=True' if self.uncertain else ''})")


def _intersection(experts, exact):
    """``(As, C, X, dim, certificate, rank_decision, uncertain)`` for the experts' classes."""
    As = [shaping_matrix(e, exact=exact) for e in experts]
    C = _coupling_matrix(As, exact)
    if exact:
        cert = linalg.rank_certificate(C)
        X = cert.kernel
        return As, C, X, X.shape[1], cert, None, False
    ker = Subspace.kernel(C)
    dec = linalg.float_rank(C)
    X = ker.basis
    return As, C, X, X.shape[1], None, dec, bool(ker.uncertain)


def identify_experts(experts, *, arithmetic=None):
    """Is the reward identified up to a constant by several soft-optimal experts?

    The experts share the state and action sets and the (unknown) reward ``r(s, a)``
    but may differ in dynamics ``P_i`` and discount ``gamma_i``; each is observed
    through its infinite-horizon soft-optimal policy.  By Cao's Thm 1 the rewards
    consistent with expert ``i`` are ``r + U_i`` with ``U_i = im(E - gamma_i P_i)``,
    so the rewards consistent with all of them are ``r + ∩_i U_i``, and ``r`` is
    identified up to a constant iff ``dim ∩_i U_i = 1``.  For two experts this is the
    rank condition ``rank [E - gamma_1 P_1, -(E - gamma_2 P_2)] = 2 S - 1``.

    Parameters
    ----------
    experts : MDP or sequence of MDP
        Infinite-horizon MDPs with the same ``S`` and ``A``.
    arithmetic : {None, "exact", "float"}
        Default: exact when every expert is exact.  A float decision that is near its
        tolerance is redone exactly when the experts are exact (``escalated``), and
        otherwise reported with ``uncertain=True``.

    Returns
    -------
    ExpertsReport

    Raises
    ------
    InvalidMDPError
        An empty list, a finite-horizon expert or mismatched ``(S, A)``.
    InvalidParameterError
        ``arithmetic="exact"`` on float experts.

    Notes
    -----
    Theorem ids ``multi-expert-rank`` (the criterion, and that witnesses preserve
    every expert's policy) and ``two-discounts-rank-D`` (same ``P``, two discounts:
    identifiable iff ``rank D = S - 1``).  Provenance: the two-expert rank condition
    is our reconstruction of Rolland et al. (2022) and of Cao's value-distinguishing
    pairs (Def 1, Thm 2, READ); the criterion is derived here from Cao's Thm 1.
    Cost: one exact rank certificate (two rational row reductions) of the
    ``((K-1) S A, K S)`` coupling matrix, ``O(K^3 S^3 A)``; float: one SVD, plus
    ``O(K^2)`` principal-angle SVDs of ``S x S`` matrices.

    Examples
    --------
    Two states, action 0 stays and action 1 swaps; the same dynamics with two
    discounts identify the reward (``rank D = S - 1``):

    >>> import identifiability as idf
    >>> swap = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> rep = identify_experts([swap, swap.replace(gamma="9/10")])
    >>> rep.identifiable, rep.dim_intersection, rep.certificate.verify(rep.system)
    (True, 1, True)
    >>> round(rep.margin, 4)
    0.2692

    Cao's Example 1 graph with two discounts does not (``rank D = 1 < S - 1``):

    >>> m = idf.examples.get("cao2021-example1-v0").replace(gamma="1/2", horizon=None)
    >>> rep = identify_experts([m, m.replace(gamma="9/10")])
    >>> rep.identifiable, rep.dim_intersection, rep.margin, rep.verify_witness()
    (False, 2, 0.0, True)
    >>> print(rep.explain().splitlines()[0])
    not identifiable from 2 expert(s): dim ∩ U_i = 2 > 1.
    """
    experts = _experts(experts)
    all_exact = all(e.is_exact for e in experts)
    exact = _arithmetic(arithmetic, all_exact, "exact experts")
    As, C, X, dim, cert, dec, unc = _intersection(experts, exact)
    escalated = False
    if unc and not exact and all_exact:
        exact, escalated = True, True
        As, C, X, dim, cert, dec, unc = _intersection(experts, True)
    n = experts[0].n_states
    K = len(experts)
    pots = tuple(X[k * n:(k + 1) * n] for k in range(K))
    W = _apply_shaping(experts[0], pots[0], exact) if dim else \
        _zeros((As[0].shape[0], 0), exact)
    inter = Subspace.span(W) if dim else Subspace.zero(As[0].shape[0], exact=exact)
    if not exact:
        inter.uncertain = inter.uncertain or unc
    classes = tuple(Subspace.span(A) for A in As)
    # Angles from the float shaping matrices themselves (singular values in
    # [(1 - gamma) / sqrt(S), (1 + gamma) sqrt(A)]), never from an exact canonical
    # basis converted to float: that basis can be ill-conditioned beyond repair
    # (a 10x10 gridworld's has condition number ~1e21).
    fl = classes if not exact else tuple(Subspace.span(_float(A)) for A in As)
    angles = {}
    for i in range(K):
        for j in range(i + 1, K):
            angles[(i, j)] = fl[i].principal_angles(fl[j])
    margin = None
    if K >= 2 and n >= 2:
        margin = float(max(a[1] for a in angles.values()))
        if K == 2 and exact and dim > 1:
            margin = 0.0  # known exactly: U_1 ∩ U_2 has a non-constant direction
    identifiable = dim == 1
    witness = wpots = None
    if not identifiable:
        j = _nonconstant_column(W, exact)
        w = W[:, j]
        witness = (_zeros((n, experts[0].n_actions), exact), w.reshape(n, -1).copy())
        wpots = tuple(p[:, j].copy() for p in pots)
    return ExpertsReport(identifiable, dim, inter, classes, pots, witness, wpots, C, cert, dec,
                         angles, margin, exact, unc, escalated, experts)


def _nonconstant_column(W, exact):
    """Index of the column of ``W`` farthest from the constants (any non-constant one if exact)."""
    if exact:
        for j in range(W.shape[1]):
            if not _is_constant(W[:, j]):
                return j
        raise AssertionError("every spanning vector is constant, yet dim > 1")  # pragma: no cover
    ones = Subspace.constants(W.shape[0], exact=False)
    d = [ones.distance(W[:, j]) for j in range(W.shape[1])]
    return int(np.argmax(d))


# ---------------------------------------------------------------------- state-only rewards
def _co_successor_components(mdp):
    """Connected components of the co-successor ("1-step linked") graph.

    Edges join every two successors (under any actions) of a common state.  A
    vectorised union-find (hook to the smaller root, then pointer jumping), so no
    Python loop over states or transitions; ``O(nnz log S)``.
    """
    S = mdp.n_states
    s, _, sn, _ = mdp.entries(exact=False)
    # Star edges: the first successor of each s (in entry order) to every successor of s.
    first = np.full(S, -1, dtype=np.int64)
    idx = np.arange(s.size)[::-1]
    first[s[idx]] = sn[idx]
    u, v = first[s], sn
    parent = np.arange(S, dtype=np.int64)
    while True:
        ru, rv = parent[u], parent[v]
        diff = ru != rv
        if not diff.any():
            break
        hi, lo = np.maximum(ru[diff], rv[diff]), np.minimum(ru[diff], rv[diff])
        np.minimum.at(parent, hi, lo)
        while True:  # pointer jumping until every node points at its root
            nxt = parent[parent]
            if np.array_equal(nxt, parent):
                break
            parent = nxt
    _, labels = np.unique(parent, return_inverse=True)
    return labels.astype(np.int64)


@dataclass(eq=False, repr=False)
class StateOnlyReport:
    """Identifiability of an action-independent reward ``f(s)`` from one soft-optimal expert.

    Attributes
    ----------
    identifiable : bool
        ``f`` is identified up to an additive constant: ``ker D = span(1)``.
    dim_ambiguity : int
        ``dim ker D = dim(im E ∩ U_P)`` (``>= 1``).
    kernel : Subspace
        ``ker(gamma D)`` in ``R^S`` (``= ker D`` when ``gamma > 0``): the potentials ``v``
        whose shaping ``(E - gamma P) v`` is action-independent.
    ambiguity : Subspace
        In ``R^S``: the state rewards ``v - gamma T(a0) v``, ``v`` in ``ker D``, that
        can be added to ``f`` without changing the policy (at this ``gamma``).
    components : (S,) int ndarray
        Co-successor component of each state (0, 1, ...).
    n_components : int
        Their number; equals ``dim_ambiguity`` on deterministic MDPs with ``gamma > 0``.
    decomposable : bool
        Cao's reward-decomposability: all states are 1-step linked (one component).
        Necessary for identifiability on every MDP, sufficient on deterministic ones
        with ``gamma > 0``.
    witness : (ndarray, ndarray) or None
        ``(f1, f2)``, two ``(S,)`` state rewards with the same soft policy and a
        non-constant difference; None when identifiable.
    witness_potential : (S,) ndarray or None
        ``v`` in ``ker D`` with ``f2 - f1 = v - gamma T(a0) v``.
    system : ndarray
        ``gamma D`` (:func:`action_difference_matrix`; one zero row when ``A = 1``).
    certificate : RankCertificate or None
        Exact path: ``certificate.verify(report.system)``; ``rank gamma D = S - dim_ambiguity``.
    rank_decision : FloatRank or None
    exact, uncertain : bool

    Examples
    --------
    >>> import identifiability as idf
    >>> stay_or_swap = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> state_only_identifiable(stay_or_swap)
    StateOnlyReport(identifiable=True, dim_ambiguity=1, decomposable=True, exact=True)
    """

    identifiable: bool
    dim_ambiguity: int
    kernel: Subspace
    ambiguity: Subspace
    components: np.ndarray
    n_components: int
    decomposable: bool
    witness: tuple | None
    witness_potential: np.ndarray | None
    system: np.ndarray
    certificate: object
    rank_decision: object
    exact: bool
    uncertain: bool
    mdp: MDP = field(default=None, repr=False)

    def verify_witness(self, temperature=1.0, atol=WITNESS_ATOL):
        """Recompute the soft policies of both witness rewards.

        Parameters
        ----------
        temperature : float, default 1.0
        atol : float, default 1e-7

        Returns
        -------
        bool
            True when there is no witness or both rewards give the same policy, the
            potential reproduces the difference and the difference is not constant.
        """
        if self.witness is None:
            return True
        f1, f2 = self.witness
        d = f2 - f1
        A = self.mdp.n_actions
        shaped = _apply_shaping(self.mdp, self.witness_potential, self.exact)
        target = np.repeat(d, A)
        if self.exact:
            if any(x != y for x, y in zip(shaped.tolist(), target.tolist())):
                return False
        elif not np.allclose(shaped, _float(target), atol=1e-9):
            return False
        if _is_constant(d):
            return False
        return _policies_agree([self.mdp], f1, f2, temperature, atol)[0]

    def explain(self):
        """The verdict in words.

        Returns
        -------
        str
        """
        labels = self.mdp.state_labels
        how = "exact" if self.exact else ("float, UNCERTAIN" if self.uncertain else "float")
        S = self.components.size
        if self.identifiable:
            head = ("a state-only reward f(s) is identified up to a constant: ker D = span(1), "
                    f"rank D = {S - 1} ({how}).")
        else:
            head = (f"a state-only reward f(s) is NOT identified: dim ker D = "
                    f"{self.dim_ambiguity} > 1 ({how}).")
        lines = [head]
        groups = [[labels[i] for i in np.flatnonzero(self.components == c)]
                  for c in range(self.n_components)]
        if self.decomposable:
            lines.append("the MDP is reward-decomposable (all states are 1-step linked).")
        else:
            shown = "; ".join("{" + ", ".join(g) + "}" for g in groups[:6])
            lines.append(f"not reward-decomposable: {self.n_components} co-successor classes "
                         f"{shown}{' ...' if len(groups) > 6 else ''}.")
        if self.witness is not None:
            lines.append(f"witness: adding {_fmt_vec(self.witness[1] - self.witness[0])} = "
                         f"v - gamma T(a0) v with v = {_fmt_vec(self.witness_potential)} "
                         f"leaves the soft policy unchanged.")
        return "\n".join(lines)

    def __repr__(self):
        return (f"StateOnlyReport(identifiable={self.identifiable}, dim_ambiguity="
                f"{self.dim_ambiguity}, decomposable={self.decomposable}, exact={self.exact})")


def state_only_identifiable(mdp, *, arithmetic=None):
    """Is an action-independent reward ``f(s)`` identified (up to a constant) by ``pi``?

    With ``r = E f`` the consistent state rewards are ``f + {v - gamma T(a0) v : D v = 0}``:
    ``E f' - E f`` lies in ``U_P`` iff it is ``(E - gamma P) v`` with ``(P v)(s, a)``
    independent of ``a``.  So (Cao Cor 3) ``f`` is identified up to a constant iff
    ``ker D = span(1)``, iff ``dim(im E ∩ U_P) = 1``; on deterministic MDPs iff the MDP
    is reward-decomposable (Cao Def 4 / Cor 4), since then ``dim ker D`` is the number
    of co-successor components.  The verdict does not depend on ``lambda``, nor on
    ``gamma`` as long as ``gamma > 0`` (a myopic agent, ``gamma = 0``, reveals nothing
    about ``f``: its policy is uniform).

    Parameters
    ----------
    mdp : MDP
        Infinite horizon, ``gamma < 1``.
    arithmetic : {None, "exact", "float"}
        Default: exact when the MDP is exact.

    Returns
    -------
    StateOnlyReport

    Notes
    -----
    Theorem id ``state-only-kernel-D``.  Provenance: Cao, Cohen & Szpruch (2021),
    Cor 3, Def 4, Cor 4 and Remark 8 (statements READ in §5.3 of the note, formulas
    RECON); the dimension equalities are DERIVED in the proof file.  Cost: exact rank
    certificate of the ``((A-1) S, S)`` matrix ``D``, ``O(S^3 A)``; the components by a
    vectorised union-find, ``O(nnz log S)``.

    Examples
    --------
    Cao's Example 1 graph: ``B`` and ``C`` are co-successors of ``A``, but ``A`` is only
    linked to itself, so there are two classes and ``f`` is not identified.

    >>> import identifiability as idf
    >>> m = idf.examples.get("cao2021-example1-v0").replace(gamma="9/10", horizon=None)
    >>> rep = state_only_identifiable(m)
    >>> rep.identifiable, rep.dim_ambiguity, rep.n_components, rep.verify_witness()
    (False, 2, 2, True)
    >>> print(rep.explain().splitlines()[1])
    not reward-decomposable: 2 co-successor classes {A}; {B, C}.
    """
    _require_infinite(mdp, "mdp")
    exact = _arithmetic(arithmetic, mdp.is_exact, "an exact MDP")
    S, A = mdp.n_states, mdp.n_actions
    g = Fraction(mdp.gamma) if exact else float(mdp.gamma)
    # Cao's system is gamma (T(a) - T(a0)) v = ...: for gamma = 0 (a myopic agent) every
    # potential is admissible and nothing about f(s) is identified.
    D = _nonempty(g * action_difference_matrix(mdp, exact=exact))
    cert = dec = None
    unc = False
    if exact:
        cert = linalg.rank_certificate(D)
        kernel = Subspace.span(cert.kernel)
    else:
        kernel = Subspace.kernel(D)
        dec = linalg.float_rank(D)
        unc = bool(kernel.uncertain)
    dim = kernel.dim
    V = kernel.basis
    # f-shift of potential v: v - gamma T(a0) v (any action: v is in ker D).
    TV = mdp.expectation(V, exact=exact)[:, 0, :]
    F = V - g * TV
    ambiguity = Subspace.span(F)
    labels = _co_successor_components(mdp)
    ncomp = int(labels.max()) + 1
    witness = wpot = None
    if dim > 1:
        j = _nonconstant_column(F, exact)
        wpot = V[:, j].copy()
        witness = (_zeros(S, exact), F[:, j].copy())
    return StateOnlyReport(dim == 1, dim, kernel, ambiguity, labels, ncomp, ncomp == 1, witness,
                           wpot, D, cert, dec, exact, unc, mdp)


# ---------------------------------------------------------------------- linear features
@dataclass(eq=False, repr=False)
class FeatureReport:
    """Identifiability of ``theta`` for rewards ``r = F theta`` (known features ``F``).

    Attributes
    ----------
    identifiable : bool
        ``theta`` is exactly identified: ``ker F = 0`` and ``ran F ∩ K = {0}``.
    identifiable_up_to_constant : bool
        The *reward* ``F theta`` is identified up to a constant: ``ran F ∩ K ⊆ span(1)``.
    dim_theta_ambiguity : int
        ``dim ker((I - Pi_K) F) = dim ker F + dim(ran F ∩ K)``.
    theta_ambiguity : Subspace
        ``{theta : F theta in K}`` in ``R^d``.
    reward_ambiguity : Subspace
        ``K ∩ ran F`` in ``R^{S*A}``: the reward class of ``F theta`` is
        ``F theta + reward_ambiguity``.
    feature_kernel : Subspace
        ``ker F``.
    ambiguity_class : Subspace
        ``K``: ``U_{P,gamma}`` for one MDP, ``∩_i U_i`` for several experts.
    witness : (ndarray, ndarray) or None
        ``(theta1, theta2)`` with ``theta1 = 0`` and ``F theta2`` in ``K`` (same
        policy for every expert), ``theta2 != 0``.
    exact, uncertain : bool

    Examples
    --------
    >>> import numpy as np, identifiability as idf
    >>> swap = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> rep = feature_identifiability(swap, np.eye(4, dtype=np.int64)[:, [0, 1]])
    >>> rep.identifiable, rep.reward_ambiguity.dim
    (True, 0)
    """

    identifiable: bool
    identifiable_up_to_constant: bool
    dim_theta_ambiguity: int
    theta_ambiguity: Subspace
    reward_ambiguity: Subspace
    feature_kernel: Subspace
    ambiguity_class: Subspace
    witness: tuple | None
    exact: bool
    uncertain: bool
    features: np.ndarray = field(default=None, repr=False)
    experts: tuple = field(default=(), repr=False)

    def verify_witness(self, temperature=1.0, atol=WITNESS_ATOL):
        """Recompute every expert's soft policy for ``F theta1`` and ``F theta2``.

        Parameters
        ----------
        temperature : float, default 1.0
        atol : float, default 1e-7

        Returns
        -------
        bool
        """
        if self.witness is None:
            return True
        t1, t2 = self.witness
        S, A = self.experts[0].n_states, self.experts[0].n_actions
        r1 = (self.features @ t1).reshape(S, A)
        r2 = (self.features @ t2).reshape(S, A)
        return _policies_agree(self.experts, r1, r2, temperature, atol)[0]

    def explain(self):
        """The verdict in words.

        Returns
        -------
        str
        """
        d = self.theta_ambiguity.ambient_dim
        if self.identifiable:
            return (f"theta (d={d}) is exactly identified: ker F = 0 and ran F ∩ K = {{0}} "
                    f"(K of dimension {self.ambiguity_class.dim}).")
        parts = [f"theta (d={d}) is NOT exactly identified: dim ker((I - Pi_K) F) = "
                 f"{self.dim_theta_ambiguity}"]
        if self.feature_kernel.dim:
            parts.append(f"ker F has dimension {self.feature_kernel.dim} (redundant features)")
        if self.reward_ambiguity.dim:
            parts.append(f"ran F ∩ K has dimension {self.reward_ambiguity.dim}"
                         + (" (only the constants: the reward is identified up to a constant)"
                            if self.identifiable_up_to_constant else ""))
        if self.witness is not None:
            parts.append(f"witness theta2 = {_fmt_vec(self.witness[1])} gives the policy of "
                         f"theta1 = 0")
        return "; ".join(parts) + "."

    def __repr__(self):
        return (f"FeatureReport(identifiable={self.identifiable}, dim_theta_ambiguity="
                f"{self.dim_theta_ambiguity}, exact={self.exact})")


def feature_identifiability(mdp_or_experts, F, *, arithmetic=None):
    """Identifiability of ``theta`` when the reward is linear in known features, ``r = F theta``.

    The rewards with the same policy (for every expert) as ``F theta`` are
    ``F theta + K`` with ``K = U_{P,gamma}`` (one MDP) or ``∩_i U_i`` (several experts);
    restricted to ``ran F`` the class is ``F theta + (K ∩ ran F)``, and the
    ``theta``-ambiguity is ``ker((I - Pi_K) F) = {theta : F theta in K}``.  So ``theta``
    is identified iff ``ker F = 0`` and ``ran F ∩ K = {0}`` (possible only when
    ``1`` is not in ``ran F``).

    Parameters
    ----------
    mdp_or_experts : MDP or sequence of MDP
        Infinite horizon; several MDPs share ``S`` and ``A``.
    F : (S*A, d) or (S, A, d) array_like
        Features; row ``s*A + a``.
    arithmetic : {None, "exact", "float"}
        Default: exact when the MDPs and ``F`` are exact.

    Returns
    -------
    FeatureReport

    Notes
    -----
    Theorem id ``feature-restriction``.  Provenance: Shehab et al. (2024), Thm 16-17
    (READ in the note, §5.2) and Rolland et al. (2022) (RECON); the projection form
    is DERIVED.  Cost: the class ``K`` (see :func:`identify_experts`) plus one
    projection and a kernel, ``O(S A (S + d)^2)``.

    Examples
    --------
    Indicator features of the three states' first action, on Cao's Example 1
    graph: ``1`` is not in ``ran F`` and ``theta`` is identified from one expert.

    >>> import numpy as np, identifiability as idf
    >>> m = idf.examples.get("cao2021-example1-v0").replace(gamma="9/10", horizon=None)
    >>> F = np.zeros((6, 1), dtype=np.int64); F[0, 0] = 1
    >>> feature_identifiability(m, F).identifiable
    True
    >>> F1 = np.ones((6, 1), dtype=np.int64)    # a constant feature is invisible
    >>> rep = feature_identifiability(m, F1)
    >>> rep.identifiable, rep.identifiable_up_to_constant, rep.verify_witness()
    (False, True, True)
    """
    experts = _experts(mdp_or_experts, "mdp_or_experts")
    S, A = experts[0].n_states, experts[0].n_actions
    Fm = parse_array(F, where="F", error=InvalidRewardError)
    if Fm.ndim == 3 and Fm.shape[:2] == (S, A):
        Fm = Fm.reshape(S * A, -1)
    if Fm.ndim != 2 or Fm.shape[0] != S * A:
        raise InvalidRewardError(f"F must have shape ({S * A}, d) or ({S}, {A}, d), got "
                                 f"{Fm.shape}")
    f_exact = is_exact_array(Fm)
    exact = _arithmetic(arithmetic, f_exact and all(e.is_exact for e in experts),
                        "exact MDPs and exact features")
    Fm = to_fractions(Fm) if exact else _float(Fm)
    if len(experts) == 1:
        K = consistent_class(experts[0], exact=exact)
        unc = bool(K.uncertain)
    else:
        rep = identify_experts(experts, arithmetic="exact" if exact else "float")
        K, unc = rep.intersection, rep.uncertain
    resid = Fm - K.project(Fm)
    # Float: the residual is a difference of O(|F|) numbers, so rank is judged against
    # the scale of F, not against the residual's own (possibly pure-noise) size.
    theta_amb = Subspace.kernel(resid) if exact else linalg.scaled_kernel(
        resid, max(1.0, float(np.abs(Fm).max(initial=0.0))))
    reward_amb = K.intersect(Subspace.span(Fm)) if Fm.shape[1] else Subspace.zero(S * A,
                                                                                   exact=exact)
    kerF = Subspace.kernel(Fm)
    unc = unc or bool(theta_amb.uncertain or reward_amb.uncertain or kerF.uncertain)
    ident = theta_amb.dim == 0
    up_to_const = Subspace.constants(S * A, exact=exact).contains(reward_amb)
    witness = None
    if not ident:
        d = Fm.shape[1]
        witness = (_zeros(d, exact), theta_amb.basis[:, 0].copy())
    return FeatureReport(ident, bool(up_to_const), theta_amb.dim, theta_amb, reward_amb, kerF,
                         K, witness, exact, unc, Fm, experts)


# ---------------------------------------------------------------------- transfer
@dataclass(eq=False, repr=False)
class TransferReport:
    """Do all rewards consistent with the experts give the true policy in a target MDP?

    Attributes
    ----------
    transfers : bool
        ``∩_i U_i ⊆ U_target``.
    experts_report : ExpertsReport
        The multi-expert analysis (``identifiable`` implies ``transfers``).
    target_class : Subspace
        ``U_target``.
    witness : (ndarray, ndarray) or None
        ``(r1, r2)``: ``r1 = 0`` and ``r2 = w`` in ``∩_i U_i`` but not in ``U_target``:
        every expert's soft policy is the same for both, the target's differs.
    witness_potentials : tuple of (S,) ndarray or None
        ``v_i`` with ``w = (E - gamma_i P_i) v_i``.
    certificate : RankCertificate or None
        Exact path: the rank of ``[A_target, W]`` for the spanning set ``W`` of the
        intersection (re-check with ``certificate.verify(report.system)``).  Rank ``S``
        (the rank of ``A_target``) certifies that every column of ``W`` lies in
        ``U_target = im A_target``; a larger rank certifies the opposite.
    system : ndarray or None
        ``[A_target, W]`` (exact path).
    exact, uncertain : bool

    Examples
    --------
    >>> import identifiability as idf
    >>> swap = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> rep = transfers(swap, swap.replace(gamma="9/10"))
    >>> rep.transfers, rep.certificate.rank > swap.n_states
    (False, True)
    """

    transfers: bool
    experts_report: ExpertsReport
    target_class: Subspace
    witness: tuple | None
    witness_potentials: tuple | None
    certificate: object
    system: np.ndarray | None
    exact: bool
    uncertain: bool
    target: MDP = field(default=None, repr=False)

    def verify_witness(self, temperature=1.0, atol=WITNESS_ATOL):
        """Recompute the policies: same for every expert, different in the target.

        Parameters
        ----------
        temperature : float, default 1.0
        atol : float, default 1e-7
            Tolerance of "same"; "different" means a gap above ``atol`` too.

        Returns
        -------
        bool
        """
        if self.witness is None:
            return True
        r1, r2 = self.witness
        same, _ = _policies_agree(self.experts_report.experts, r1, r2, temperature, atol)
        _, gap = _policies_agree([self.target], r1, r2, temperature, atol)
        return bool(same and gap > atol)

    def explain(self):
        """The verdict in words.

        Returns
        -------
        str
        """
        if self.transfers:
            why = ("the experts identify the reward up to a constant"
                   if self.experts_report.identifiable else
                   f"the {self.experts_report.dim_intersection}-dimensional ambiguity ∩ U_i "
                   f"lies inside the target's shaping class")
            return f"every reward consistent with the experts gives the true target policy: {why}."
        return (f"some consistent rewards give a different target policy: w = "
                f"{_fmt_vec(self.witness[1].reshape(-1))} is invisible to every expert but "
                f"not in U_target.")

    def __repr__(self):
        return f"TransferReport(transfers={self.transfers}, exact={self.exact})"


def transfers(experts, target_mdp, *, arithmetic=None):
    """Do all rewards consistent with the experts give the true soft policy in ``target_mdp``?

    Every reward consistent with the experts is ``r + w``, ``w`` in ``∩_i U_i``; it
    gives the target's true soft-optimal policy iff ``w`` is in ``U_target``.  So the
    answer is yes iff ``∩_i U_i ⊆ U_target`` (in particular whenever the experts
    identify ``r`` up to a constant).

    Parameters
    ----------
    experts : MDP or sequence of MDP
        Infinite horizon, common ``S`` and ``A``.
    target_mdp : MDP
        Infinite horizon, same ``S`` and ``A``.
    arithmetic : {None, "exact", "float"}
        Default: exact when every MDP is exact.

    Returns
    -------
    TransferReport

    Notes
    -----
    Theorem id ``transfer-criterion`` (DERIVED from Cao's Thm 1; matches the note's
    §5.4, PROVED + VERIFIED there; the Schlaginhaufen & Kamgarpour 2023 abstract,
    READ, states the "identified up to a constant" direction).  Cost: that of
    :func:`identify_experts` plus one containment test.

    Examples
    --------
    One expert does not determine the soft policy under other dynamics; the same
    dynamics with two discounts do (the swap example of :func:`identify_experts`):

    >>> import identifiability as idf
    >>> swap = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> stay = idf.MDP([[[1, 0], [1, 0]], [[0, 1], [0, 1]]], gamma="1/2")
    >>> rep = transfers(swap, stay)
    >>> rep.transfers, rep.verify_witness()
    (False, True)
    >>> transfers([swap, swap.replace(gamma="9/10")], stay).transfers
    True
    """
    experts = _experts(experts)
    _require_infinite(target_mdp, "target_mdp")
    S, A = experts[0].n_states, experts[0].n_actions
    if (target_mdp.n_states, target_mdp.n_actions) != (S, A):
        raise InvalidMDPError(f"target_mdp has S={target_mdp.n_states}, A={target_mdp.n_actions}; "
                              f"the experts have S={S}, A={A}")
    all_exact = all(e.is_exact for e in experts) and target_mdp.is_exact
    exact = _arithmetic(arithmetic, all_exact, "exact MDPs")
    rep = identify_experts(experts, arithmetic="exact" if exact else "float")
    exact = rep.exact  # the experts' analysis may have escalated
    if exact and not target_mdp.is_exact:
        exact = False
    At = shaping_matrix(target_mdp, exact=exact)
    W = _experts_span(rep, exact)
    system = np.concatenate([At, W], axis=1)
    witness = wpots = cert = None
    if exact:
        # One row reduction decides and certifies: At has rank S, so every column of W
        # lies in im At iff rank [At, W] = S; otherwise the first pivot column beyond
        # At is a spanning vector of the intersection outside U_target.
        cert = linalg.rank_certificate(system)
        ok = cert.rank == S
        j = None if ok else min(c for c in cert.cols if c >= S) - S
        Ut = Subspace.span(At)
        unc = False
    else:
        Ut = Subspace.span(At)
        ok = Ut.contains(rep.intersection)
        R = W - Ut.project(W)
        j = None if ok else int(np.argmax(np.linalg.norm(R, axis=0) /
                                          np.maximum(np.linalg.norm(W, axis=0), 1e-300)))
        unc = bool(rep.uncertain or Ut.uncertain)
        system = None
    if not ok:
        witness = (_zeros((S, A), exact), W[:, j].reshape(S, A).copy())
        wpots = tuple(p[:, j].copy() for p in rep.potentials)
    return TransferReport(bool(ok), rep, Ut, witness, wpots, cert, system, exact, unc, target_mdp)


def _experts_span(rep, exact):
    """The spanning set ``W = (E - gamma_1 P_1) potentials[0]`` of the intersection."""
    return _apply_shaping(rep.experts[0], rep.potentials[0], exact)


# ---------------------------------------------------------------------- error bounds
@dataclass(eq=False, repr=False)
class ErrorBound:
    """A bound on ``dist(r_hat - r, span(1))`` from two or more experts (§5.5 of the note).

    Attributes
    ----------
    bound : float
        ``min`` over ordered pairs ``(i, j)`` with ``U_i ∩ U_j = span(1)`` of
        ``eps_i + (eps_i + eps_j) / sin(theta2_ij)``; ``inf`` if no pair qualifies.
    eps : (K,) float ndarray
        ``eps_i = data_terms[i] + model_errors[i]``.
    data_terms : (K,) float ndarray
        ``dist(r_hat - lambda log pi_hat_i, U_i)`` (computable from data).
    angles : dict
        ``(i, j) -> theta2`` (second principal angle between ``U_i`` and ``U_j``).
    pair : tuple or None
        The ordered pair attaining the bound.

    Examples
    --------
    >>> import numpy as np, identifiability as idf
    >>> swap = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> pi = np.full((2, 2), 0.5)
    >>> reward_error_bound([swap, swap], np.zeros((2, 2)), [pi, pi])   # nothing identified
    ErrorBound(bound=inf, pair=None)
    """

    bound: float
    eps: np.ndarray
    data_terms: np.ndarray
    angles: dict
    pair: tuple | None

    def __repr__(self):
        return f"ErrorBound(bound={self.bound:.4g}, pair={self.pair})"


def reward_error_bound(experts, reward_estimate, policy_estimates, *, temperature=1.0,
                       model_errors=None):
    """Bound the error of a reward estimate modulo constants by two-expert policy errors.

    If ``pi_i`` is the soft policy of the true ``r`` for expert ``i``, then
    ``r - lambda log pi_i`` lies in ``U_i``, so ``dist(r_hat - r, U_i) <= eps_i`` with
    ``eps_i = dist(r_hat - lambda log pi_hat_i, U_i) + lambda ||log pi_hat_i - log pi_i||``.
    When ``U_i ∩ U_j = span(1)`` with second principal angle ``theta``,
    ``dist(r_hat - r, span(1)) <= eps_i + (eps_i + eps_j) / sin(theta)``.

    Parameters
    ----------
    experts : sequence of MDP
        At least two infinite-horizon experts on the same ``(S, A)``.
    reward_estimate : (S, A) array_like
        ``r_hat``.
    policy_estimates : sequence of (S, A) array_like
        ``pi_hat_i`` (full support), one per expert.
    temperature : float, default 1.0
        ``lambda``.
    model_errors : sequence of float, optional
        Upper bounds on ``lambda ||log pi_hat_i - log pi_i||_2`` (estimation or model
        error; default 0, i.e. the estimates are the true policies).

    Returns
    -------
    ErrorBound

    Notes
    -----
    Theorem id ``error-identity-two-expert-bound`` (DERIVED; §5.5 of the note).
    Float.  Cost: ``K`` projections onto ``S``-dimensional subspaces and ``K^2``
    principal-angle SVDs.

    Examples
    --------
    >>> import numpy as np, identifiability as idf
    >>> swap = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> experts = [swap, swap.replace(gamma="9/10")]
    >>> r = np.array([[0.0, 1.0], [2.0, 0.5]])
    >>> pis = [idf.soft_policy(e, r) for e in experts]
    >>> reward_error_bound(experts, r + 3, pis).bound < 1e-6     # right up to a constant
    True
    >>> b = reward_error_bound(experts, r + [[0, 0.1], [0, 0]], pis)
    >>> bool(0.1 / 2 ** 0.5 * (1 - 1e-9) <= b.bound)          # dist(r_hat - r, span 1) <= bound
    True
    """
    from .behaviour import _parameter

    experts = _experts(experts)
    if len(experts) < 2:
        raise InvalidMDPError("reward_error_bound needs at least two experts")
    lam = _parameter(temperature, "temperature", allow_zero=False)
    S, A = experts[0].n_states, experts[0].n_actions
    rh = _float(parse_array(reward_estimate, where="reward_estimate", error=InvalidRewardError))
    if rh.shape != (S, A):
        raise InvalidRewardError(f"reward_estimate must have shape ({S}, {A}), got {rh.shape}")
    pols = list(policy_estimates)
    if len(pols) != len(experts):
        raise InvalidParameterError(f"{len(pols)} policy estimates for {len(experts)} experts")
    K = len(experts)
    me = np.zeros(K) if model_errors is None else np.asarray(model_errors, dtype=float)
    if me.shape != (K,) or np.any(me < 0) or not np.all(np.isfinite(me)):
        raise InvalidParameterError(f"model_errors must be {K} finite numbers >= 0")
    rep = identify_experts(experts, arithmetic="float")
    data = np.empty(K)
    for i, (U, pi) in enumerate(zip(rep.classes, pols)):
        p, _ = _check_policy(experts[i], pi, None, where=f"policy_estimates[{i}]")
        pf = _float(p)
        if np.any(pf <= 0):
            raise InvalidParameterError(f"policy_estimates[{i}] has a zero entry; soft "
                                        f"policies have full support")
        data[i] = U.distance((rh - lam * np.log(pf)).reshape(-1))
    eps = data + me
    best, pair, angles = math.inf, None, {}
    if S == 1:  # U_i = span(1) already: dist(r_hat - r, span 1) <= eps_i
        i = int(np.argmin(eps))
        return ErrorBound(float(eps[i]), eps, data, angles, (i, i))
    for i in range(K):
        for j in range(K):
            if i == j:
                continue
            key = (min(i, j), max(i, j))
            if key not in angles:
                sub = identify_experts([experts[key[0]], experts[key[1]]], arithmetic="float")
                angles[key] = (sub.margin if sub.identifiable and sub.margin is not None
                               else 0.0)
            th = angles[key]
            if th <= 0:
                continue
            val = eps[i] + (eps[i] + eps[j]) / math.sin(th)
            if val < best:
                best, pair = val, (i, j)
    return ErrorBound(float(best), eps, data, angles, pair)
