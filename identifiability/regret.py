"""Regret: what optimising one reward costs when another one is true.

A reward distance is only useful if it bounds regret.  This module computes the regret
side exactly (on exact input), so that the bounds of the theory note
``theory/equivalence-and-distances.md`` §4.1 and §4.3 can be checked on any MDP and users
can plot distance against regret for their own reward pairs.

=================================  =================================================  ==========
function                           quantity                                           exact?
=================================  =================================================  ==========
:func:`policy_return`              ``J(pi) = E_{s ~ mu0} V^pi(s)``                    exact/float
:func:`policy_returns`             ``J`` of many policies at once (batched solve)     exact/float
:func:`return_range`               ``(min_pi J, max_pi J)``                           exact/float
:func:`regret`                     ``max J - J(pi)``                                  exact/float
:func:`normalised_regret`          ``(max J - J(pi)) / (max J - min J)``              exact/float
:func:`worst_case_regret`          largest regret over the proxy-optimal policies     exact/float
:func:`expected_regret`            regret of one policy derived from the proxy        exact/float
:func:`starc_soundness_constant`   the explicit ``U`` of STARC-VAL / L2 (note §4.3)   float
:func:`check_starc_soundness`      ``strong regret <= 2 U range(J1) d`` (our scale)    float
:func:`epic_regret_bound`          EPIC's regret bound with ``K`` computed exactly      float
:func:`distance_regret_table`      distances and normalised regrets of many pairs     float
:func:`interpolated_pairs`         STARC's interpolation experiment design            float
=================================  =================================================  ==========

"exact/float" means: Fractions when the MDP, the reward(s) and the policy are exact;
float64 otherwise.  ``J`` is taken from ``mdp.initial`` (the note's ``mu0``).  Every
function takes ``horizon=None`` (use ``mdp.horizon``) where a finite horizon makes sense;
the bounds (STARC soundness, EPIC) are stated for the infinite discounted horizon only.

Scale of distances.  :func:`identifiability.distances.starc_distance` reports half the
note's STARC distance, on ``[0, 1]`` (Erratum of the note).  The note's soundness bound
``regret <= U range(J1) d_note`` therefore reads ``regret <= 2 U range(J1) d`` in the
toolkit's scale, and that is what :func:`check_starc_soundness` checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ._numbers import format_number, to_float_array
from .behaviour import (
    _check_policy,
    _horizon,
    _parameter,
    boltzmann_policy,
    optimal_actions,
    optimal_values,
    policy_evaluation,
    soft_policy,
    state_occupancy,
)
from .errors import InvalidMDPError, InvalidParameterError, InvalidPolicyError, InvalidRewardError
from .mdp import check_distribution, require_discounted
from .reward import as_reward, broadcast_reward, expected_reward

__all__ = [
    "RegretResult",
    "SoundnessCheck",
    "EpicRegretBound",
    "policy_return",
    "policy_returns",
    "return_range",
    "regret",
    "normalised_regret",
    "worst_case_regret",
    "expected_regret",
    "starc_soundness_constant",
    "check_starc_soundness",
    "epic_regret_bound",
    "distance_regret_table",
    "interpolated_pairs",
]

EXPECTED_POLICIES = ("uniform-optimal", "mce", "boltzmann")


# ---------------------------------------------------------------------- private helpers
def _json_number(x):
    """Fraction -> ``"p/q"`` string (lossless), float -> float, None -> None."""
    if x is None:
        return None
    if isinstance(x, (Fraction, int, np.integer)) and not isinstance(x, bool):
        return format_number(x)
    x = float(x)
    return x if math.isfinite(x) else repr(x)


def _json_array(arr):
    arr = np.asarray(arr)
    if arr.dtype == object:
        return np.vectorize(format_number, otypes=[object])(arr).tolist() if arr.size else []
    return arr.tolist()


def _expect_initial(mdp, V):
    """``sum_s mu0(s) V(s)``: a Fraction when ``V`` is exact (then ``mdp`` is exact)."""
    if V.dtype == object:
        return sum((m * v for m, v in zip(mdp.initial.tolist(), V.tolist()) if m != 0),
                   Fraction(0))
    return float(to_float_array(np.asarray(mdp.initial)) @ V.astype(np.float64))


def _first(V, H):
    """``V[0]`` for a finite horizon (shape ``(H + 1, S)``), ``V`` itself otherwise."""
    return V if H is None else V[0]


def _negate(mdp, reward):
    return -as_reward(reward, mdp)


def _ratio(num, den):
    """``num / den``, exact when both are, and 0 when ``den == 0`` (a trivial reward)."""
    if den == 0:
        return Fraction(0) if isinstance(num, Fraction) and isinstance(den, Fraction) else 0.0
    if isinstance(num, Fraction) and isinstance(den, Fraction):
        return num / den
    return float(num) / float(den)


def _clip0(x):
    """Float rounding can leave ``-1e-16`` where the mathematics says ``>= 0``."""
    return x if isinstance(x, Fraction) else max(0.0, float(x))


def _require_discounted(mdp, who):
    require_discounted(mdp, who)


def _one_hot(actions, A, exact):
    """One-hot policy from an integer action array ``(..., S)``: ints (exact) or floats."""
    out = np.zeros(actions.shape + (A,), dtype=np.int64 if exact else np.float64)
    np.put_along_axis(out, actions[..., None], 1, axis=-1)
    return out


# ---------------------------------------------------------------------- result objects
@dataclass(frozen=True, eq=False)
class RegretResult:
    """The regret of one policy under the true reward, with its context.

    Attributes
    ----------
    regret : Fraction or float
        ``max_pi J(pi) - J(policy)`` under the true reward, ``>= 0``.
    normalised : Fraction or float
        ``regret / (max J - min J)`` in ``[0, 1]``; 0 when the range is 0 (the true
        reward is trivial: every policy is optimal, so there is nothing to regret).
    value : Fraction or float
        ``J(policy)`` under the true reward.
    best, worst : Fraction or float
        ``max_pi J`` and ``min_pi J`` under the true reward.
    policy : ndarray
        The policy evaluated: ``(S, A)`` (or ``(H, S, A)`` for a finite horizon).
    kind : str
        How the policy was chosen: ``"worst-case"``, ``"uniform-optimal"``, ``"mce"``,
        ``"boltzmann"``.
    exact : bool
        Whether the numbers are Fractions.

    ``float(result)`` is the regret; :meth:`to_dict` is JSON-ready (exact numbers as
    ``"p/q"`` strings).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], gamma="1/2")
    >>> res = idf.worst_case_regret(mdp, [0, 1], [0, 0])   # every policy is proxy-optimal
    >>> res.regret, res.normalised, float(res)
    (Fraction(1, 2), Fraction(1, 1), 0.5)
    >>> res.to_dict()["regret"]
    '1/2'
    """

    regret: object
    normalised: object
    value: object
    best: object
    worst: object
    policy: np.ndarray = field(repr=False)
    kind: str
    exact: bool

    def __float__(self):
        return float(self.regret)

    def to_dict(self):
        """JSON-ready dictionary (exact numbers as ``"p/q"`` strings).

        Returns
        -------
        dict

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1], [1]]], gamma="1/2")
        >>> idf.worst_case_regret(mdp, [[0, 1]], [[1, 0]]).to_dict()["normalised"]
        '1'
        """
        return {"kind": self.kind, "exact": self.exact,
                "regret": _json_number(self.regret),
                "normalised": _json_number(self.normalised),
                "value": _json_number(self.value), "best": _json_number(self.best),
                "worst": _json_number(self.worst), "policy": _json_array(self.policy)}


# ---------------------------------------------------------------------- returns
def policy_return(mdp, reward, policy, *, horizon=None):
    """Expected return ``J(pi) = E_{s ~ mu0} V^pi(s)`` of a policy.

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
    policy : (S, A) or (H, S, A) array_like
        As for :func:`identifiability.policy_evaluation`.
    horizon : int, optional
        Overrides ``mdp.horizon``.

    Returns
    -------
    Fraction or float
        Exact when the MDP, the reward and the policy are exact.

    Raises
    ------
    InvalidPolicyError, InvalidRewardError

    Notes
    -----
    One :func:`identifiability.policy_evaluation` (``O(S^3)`` infinite horizon,
    ``O(H nnz)`` finite) and a dot product with ``mdp.initial``.  Theorem id:
    ``occupancy-value-duality``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], gamma="1/2")
    >>> idf.policy_return(mdp, [0, 1], [[0, 1], [1, 0]])       # 0 + 1/2 + 1/4 + ...
    Fraction(1, 1)
    """
    H = _horizon(mdp, horizon)
    return _expect_initial(mdp, _first(policy_evaluation(mdp, reward, policy, horizon=H), H))


def _deterministic_stack(mdp, policies):
    """``(N, S)`` int action array -> validated int64 array, or None if not that form."""
    arr = np.asarray(policies) if not isinstance(policies, np.ndarray) else policies
    if arr.dtype.kind not in "iu" or arr.ndim != 2 or arr.shape[1] != mdp.n_states:
        return None
    bad = (arr < 0) | (arr >= mdp.n_actions)
    if bad.any():
        n, s = np.unravel_index(int(np.flatnonzero(bad)[0]), arr.shape)
        raise InvalidPolicyError(f"policies[{n}] picks action {int(arr[n, s])} in state {s}; "
                                 f"actions are 0..{mdp.n_actions - 1}")
    return arr.astype(np.int64)


def policy_returns(mdp, reward, policies, *, horizon=None):
    """Expected returns ``J`` of many policies at once.

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
    policies : (N, S) int array_like, or a sequence of N policies
        Either deterministic policies as an integer array of actions
        (``policies[n, s]`` is the action of policy ``n`` in state ``s``), or ``N``
        policies each accepted by :func:`policy_return` (an ``(N, S, A)`` array is
        such a sequence).
    horizon : int, optional
        Overrides ``mdp.horizon``.

    Returns
    -------
    (N,) ndarray
        Object array of Fractions when everything is exact, float64 otherwise.

    Raises
    ------
    InvalidPolicyError

    Notes
    -----
    Float, infinite horizon, stationary policies: one batched dense solve,
    ``O(N (nnz + S^3))`` with a single numpy call.  Otherwise (exact input or a finite
    horizon) one :func:`policy_return` per policy.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], gamma="1/2")
    >>> idf.policy_returns(mdp, [0, 1], [[0, 0], [1, 0]]).tolist()
    [Fraction(0, 1), Fraction(1, 1)]
    >>> idf.policy_returns(mdp.to_float(), [0, 1], [[0, 0], [1, 0]]).tolist()
    [0.0, 1.0]
    """
    H = _horizon(mdp, horizon)
    S, A = mdp.n_states, mdp.n_actions
    det = _deterministic_stack(mdp, policies)
    r = expected_reward(mdp, reward)
    exact = r.dtype == object
    if det is not None:
        pis = _one_hot(det, A, exact)
    else:
        pis = [p for p in policies]
    if exact or H is not None or not len(pis):
        out = np.empty(len(pis), dtype=object)
        out[:] = [policy_return(mdp, reward, p, horizon=H) for p in pis]
        if len(pis) and not isinstance(out[0], Fraction):
            out = out.astype(np.float64)
        return out
    # batched float path: validate each policy (cheap), then one stacked solve
    pi = np.stack([to_float_array(np.asarray(_check_policy(mdp, p, None, where=f"policies[{n}]")[0]))
                   for n, p in enumerate(pis)])
    N = pi.shape[0]
    s, a, sn, p = mdp.entries(exact=False)
    w = pi[:, s, a] * p  # (N, nnz)
    idx = (np.arange(N)[:, None] * S + s) * S + sn
    P = np.bincount(idx.ravel(), weights=w.ravel(), minlength=N * S * S).reshape(N, S, S)
    g = float(mdp.gamma)
    M = np.eye(S)[None] - g * P
    r_pi = (pi * r).sum(axis=2)
    V = np.linalg.solve(M, r_pi[..., None])[..., 0]
    return V @ to_float_array(np.asarray(mdp.initial))


def return_range(mdp, reward, *, horizon=None):
    """``(min_pi J(pi), max_pi J(pi))`` over all policies.

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
    horizon : int, optional
        Overrides ``mdp.horizon``.

    Returns
    -------
    (low, high) : tuple of Fraction or float
        Exact when the MDP and the reward are exact.

    Notes
    -----
    Deterministic optimal policies attain both ends (for ``R`` and for ``-R``), so
    this is two :func:`identifiability.optimal_values` solves:
    ``max J = mu0 . V*_R`` and ``min J = -mu0 . V*_{-R}``.  Theorem id:
    ``regret-range-exact``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], gamma="1/2")
    >>> idf.return_range(mdp, [0, 1])
    (Fraction(0, 1), Fraction(1, 1))
    """
    H = _horizon(mdp, horizon)
    hi = _expect_initial(mdp, _first(optimal_values(mdp, reward, horizon=H)[0], H))
    lo = -_expect_initial(mdp, _first(optimal_values(mdp, _negate(mdp, reward), horizon=H)[0], H))
    return lo, hi


def regret(mdp, true_reward, policy, *, horizon=None):
    """Regret ``max_pi J(pi) - J(policy)`` of a policy under the true reward.

    Parameters
    ----------
    mdp : MDP
    true_reward : (S,), (S, A) or (S, A, S) array_like
    policy : (S, A) or (H, S, A) array_like
    horizon : int, optional
        Overrides ``mdp.horizon``.

    Returns
    -------
    Fraction or float
        ``>= 0``; exact when the MDP, the reward and the policy are exact.

    Notes
    -----
    One :func:`identifiability.optimal_values` and one policy evaluation.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], gamma="1/2")
    >>> idf.regret(mdp, [0, 1], [["1/2", "1/2"], [1, 0]])
    Fraction(1, 3)
    """
    H = _horizon(mdp, horizon)
    best = _expect_initial(mdp, _first(optimal_values(mdp, true_reward, horizon=H)[0], H))
    value = policy_return(mdp, true_reward, policy, horizon=H)
    if isinstance(best, Fraction) and isinstance(value, Fraction):
        return best - value
    return _clip0(float(best) - float(value))


def normalised_regret(mdp, true_reward, policy, *, horizon=None):
    """Regret divided by the return range ``max J - min J`` of the true reward.

    Parameters
    ----------
    mdp : MDP
    true_reward : (S,), (S, A) or (S, A, S) array_like
    policy : (S, A) or (H, S, A) array_like
    horizon : int, optional
        Overrides ``mdp.horizon``.

    Returns
    -------
    Fraction or float
        In ``[0, 1]``.  **0 when the range is 0**: then every policy has the same
        return, so no policy has regret (the convention of the STARC experiments).

    Notes
    -----
    Three solves: :func:`return_range` and one policy evaluation.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], gamma="1/2")
    >>> idf.normalised_regret(mdp, [0, 1], [["1/2", "1/2"], [1, 0]])
    Fraction(1, 3)
    >>> idf.normalised_regret(mdp, [1, 1], [[1, 0], [1, 0]])
    Fraction(0, 1)
    """
    H = _horizon(mdp, horizon)
    lo, hi = return_range(mdp, true_reward, horizon=H)
    return _ratio(regret(mdp, true_reward, policy, horizon=H), hi - lo)


def _result(mdp, true_reward, policy, H, kind, lo_hi=None):
    lo, hi = return_range(mdp, true_reward, horizon=H) if lo_hi is None else lo_hi
    value = policy_return(mdp, true_reward, policy, horizon=H)
    exact = all(isinstance(x, Fraction) for x in (lo, hi, value))
    if exact:
        reg = hi - value
    else:
        lo, hi, value = float(lo), float(hi), float(value)
        reg = _clip0(hi - value)
    norm = _ratio(reg, hi - lo)
    if not exact:
        norm = min(1.0, norm)
    return RegretResult(reg, norm, value, hi, lo, policy, kind, exact)


def worst_case_regret(mdp, true_reward, proxy_reward, *, horizon=None, atol=None):
    """The largest true-reward regret of a policy that is optimal for the proxy.

    ``max { max J_true - J_true(pi) : pi optimal for proxy_reward }``.

    Parameters
    ----------
    mdp : MDP
    true_reward, proxy_reward : (S,), (S, A) or (S, A, S) array_like
    horizon : int, optional
        Overrides ``mdp.horizon``.
    atol : float, optional
        Float input only: the gap tolerance of the proxy's optimal-action sets
        (:func:`identifiability.optimal_actions`, which warns with a
        :class:`~identifiability.ToleranceWarning` on near-ties).  Exact input decides
        optimality exactly.

    Returns
    -------
    RegretResult
        ``kind="worst-case"``; ``policy`` is a deterministic proxy-optimal policy that
        attains the worst case (one-hot, ints when exact).

    Notes
    -----
    The policies maximising ``J_proxy`` from ``mu0`` are those that pick proxy-optimal
    actions (``Q*_proxy = V*_proxy``) in every state they visit; changing a policy on
    states it never visits changes neither ``J_proxy`` nor ``J_true``, so the worst
    case equals the minimum of ``J_true`` over policies supported on the optimal-action
    mask.  That is one restricted optimal-value solve for ``-true_reward``
    (:func:`identifiability.optimal_values` with ``allowed=``), attained by a
    deterministic policy: polynomial, no enumeration.  Cost: three
    :func:`~identifiability.optimal_values` solves (proxy, ``R`` and ``-R``) plus one
    restricted solve.  Theorem id: ``worst-case-regret-restricted``.

    Examples
    --------
    State 0 can stay (reward 0) or move to the absorbing state 1 (reward 1 there).
    The proxy rewards only staying in state 0:

    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], gamma="1/2")
    >>> res = idf.worst_case_regret(mdp, [0, 1], [[1, 0], [0, 0]])
    >>> res.regret, res.normalised, res.policy[0].tolist()
    (Fraction(1, 1), Fraction(1, 1), [1, 0])
    """
    H = _horizon(mdp, horizon)
    mask = optimal_actions(mdp, proxy_reward, horizon=H, atol=atol)
    V, Q = optimal_values(mdp, _negate(mdp, true_reward), horizon=H, allowed=mask)
    low = -np.inf if Q.dtype != object else Q.min() - 1
    act = np.argmax(np.where(mask, Q, low), axis=-1)
    exact = Q.dtype == object
    return _result(mdp, true_reward, _one_hot(act, mdp.n_actions, exact), H, "worst-case")


def expected_regret(mdp, true_reward, proxy_reward, *, policy="uniform-optimal",
                    temperature=1.0, horizon=None, atol=None):
    """True-reward regret of one specific policy derived from the proxy reward.

    Parameters
    ----------
    mdp : MDP
    true_reward, proxy_reward : (S,), (S, A) or (S, A, S) array_like
    policy : {"uniform-optimal", "mce", "boltzmann"}, default "uniform-optimal"
        * ``"uniform-optimal"``: uniform over the proxy's optimal actions in every state
          (the maximally supportive optimal policy of note §3.1; exact on exact input).
          Its regret is the *average-case* counterpart of :func:`worst_case_regret`.
        * ``"mce"``: the proxy's soft-optimal (MaxEnt) policy at ``temperature``
          (:func:`identifiability.soft_policy`; float).
        * ``"boltzmann"``: the Boltzmann-rational policy ``softmax(A*_proxy / temperature)``
          (:func:`identifiability.boltzmann_policy` with ``beta = 1 / temperature``;
          float).
    temperature : float, default 1.0
        ``lambda > 0`` for ``"mce"`` and ``"boltzmann"``; ignored otherwise.
    horizon : int, optional
        Overrides ``mdp.horizon``.
    atol : float, optional
        Gap tolerance of the optimal-action sets (``"uniform-optimal"``, float input).

    Returns
    -------
    RegretResult
        ``kind`` is the policy name.  The regret is never above the
        :func:`worst_case_regret` for ``"uniform-optimal"``.

    Raises
    ------
    InvalidParameterError
        Unknown ``policy`` or a bad ``temperature``.

    Notes
    -----
    Cost of the proxy's policy plus :func:`return_range` and one policy evaluation.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], gamma="1/2")
    >>> idf.expected_regret(mdp, [0, 1], [0, 0]).regret   # uniform: stay or move
    Fraction(1, 3)
    >>> round(float(idf.expected_regret(mdp, [0, 1], [0, 1], policy="mce")), 4)
    0.2097
    """
    H = _horizon(mdp, horizon)
    if policy == "uniform-optimal":
        mask = optimal_actions(mdp, proxy_reward, horizon=H, atol=atol)
        counts = mask.sum(axis=-1, keepdims=True)
        if expected_reward(mdp, proxy_reward).dtype == object:
            pi = np.empty(mask.shape, dtype=object)
            pi[...] = Fraction(0)
            inv = np.vectorize(lambda c: Fraction(1, int(c)), otypes=[object])(counts)
            pi = np.where(mask, np.broadcast_to(inv, mask.shape), pi)
        else:
            pi = mask / counts
    elif policy == "mce":
        lam = _parameter(temperature, "temperature", allow_zero=False)
        pi = soft_policy(mdp, proxy_reward, horizon=H, temperature=lam)
    elif policy == "boltzmann":
        lam = _parameter(temperature, "temperature", allow_zero=False)
        pi = boltzmann_policy(mdp, proxy_reward, beta=1.0 / lam, horizon=H)
    else:
        raise InvalidParameterError(f"policy must be one of {EXPECTED_POLICIES}, got {policy!r}")
    return _result(mdp, true_reward, pi, H, policy)


# ---------------------------------------------------------------------- STARC soundness
def starc_soundness_constant(mdp):
    """The explicit soundness constant ``U`` of STARC-VAL with unweighted L2.

    ``U = 2 |S| sqrt(|A|) / ((1 - gamma) min_s mu0(s))``, so that for all rewards
    ``R1, R2`` and all policies ``pi1, pi2`` with ``J2(pi2) >= J2(pi1)``::

        J1(pi1) - J1(pi2) <= U (max J1 - min J1) d_note(R1, R2)
                           = 2 U (max J1 - min J1) d(R1, R2)

    where ``d_note`` is the note's STARC-VAL distance on ``[0, 2]`` and ``d`` the
    toolkit's :func:`~identifiability.distances.starc_distance` on ``[0, 1]``.

    Parameters
    ----------
    mdp : MDP
        Infinite discounted horizon (``gamma < 1``).

    Returns
    -------
    float
        ``U``; ``math.inf`` when some state has ``mu0(s) = 0`` (the bound is then
        vacuous: rewards at states never started from need not show up in regret).

    Raises
    ------
    InvalidMDPError
        A finite horizon or ``gamma = 1``.

    Notes
    -----
    ``O(S)``.  Provenance: derived in note §4.3 (three steps: regret is at most
    ``n(c(R1)) rho(s1 - s2)``; the performance-difference lemma with the greedy and
    anti-greedy policies; ``||x||_2 <= |S| sqrt|A| max_s span_a x(s, .)`` on the image
    of ``c_VAL``), re-derived in ``proofs/starc-soundness-bound.md``.  Not a constant
    read from the STARC paper, whose Theorem 1 only asserts that some ``U`` exists.
    Theorem id: ``starc-soundness-bound``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")   # uniform mu0
    >>> round(idf.starc_soundness_constant(mdp), 4)    # 2 * 2 * sqrt(2) / (1/2 * 1/2)
    22.6274
    """
    _require_discounted(mdp, "starc_soundness_constant")
    m = float(np.min(to_float_array(np.asarray(mdp.initial))))
    if m <= 0:
        return math.inf
    S, A = mdp.n_states, mdp.n_actions
    return 2.0 * S * math.sqrt(A) / ((1.0 - float(mdp.gamma)) * m)


@dataclass(frozen=True, eq=False)
class SoundnessCheck:
    """Result of :func:`check_starc_soundness`.

    Attributes
    ----------
    constant : float
        ``U`` of :func:`starc_soundness_constant` (note scale).
    distance : float
        ``d = starc_distance(R1, R2, mdp)`` (VAL, L2, toolkit scale ``[0, 1]``).
    return_range : tuple
        ``(min J1, max J1)`` (exact on exact input).
    bound : float
        ``2 U (max J1 - min J1) d``.
    strong_regret : Fraction, float or None
        ``max {J1(pi1) - J1(pi2) : J2(pi2) >= J2(pi1)}`` over all policies, from
        :func:`identifiability.reference.brute_force_strong_regret`; None when the MDP
        has more than ``max_policies`` deterministic policies.
    lower_bound : Fraction or float
        :func:`worst_case_regret` of ``R1`` against ``R2``: always a lower bound of the
        strong regret (take ``pi2`` proxy-optimal), computed in polynomial time.
    holds : bool or None
        ``strong_regret <= bound`` (with a ``1e-9`` relative slack for float rounding);
        False as soon as ``lower_bound`` exceeds the bound; None when undecided (strong
        regret not enumerated and the lower bound is below the bound).
    ratio : float or None
        ``strong_regret / ((max J1 - min J1) d)``: the *empirical* constant to compare
        with ``2 U``; None when undefined.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> chk = idf.check_starc_soundness(mdp, [[0, 1], [0, 0]], [[0, 0], [1, 0]])
    >>> chk.holds
    True
    """

    constant: float
    distance: float
    return_range: tuple
    bound: float
    strong_regret: object
    lower_bound: object
    holds: object
    ratio: object

    def to_dict(self):
        """JSON-ready dictionary (exact numbers as ``"p/q"`` strings).

        Returns
        -------
        dict

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
        >>> sorted(idf.check_starc_soundness(mdp, [[0, 1], [0, 0]], [[0, 1], [0, 0]]).to_dict())
        ['bound', 'constant', 'distance', 'holds', 'lower_bound', 'ratio', 'return_range', 'strong_regret']
        """
        return {"constant": _json_number(self.constant), "distance": _json_number(self.distance),
                "return_range": [_json_number(x) for x in self.return_range],
                "bound": _json_number(self.bound),
                "strong_regret": _json_number(self.strong_regret),
                "lower_bound": _json_number(self.lower_bound), "holds": self.holds,
                "ratio": _json_number(self.ratio)}


def check_starc_soundness(mdp, reward1, reward2, *, max_policies=20000, rtol=1e-9):
    """Check the STARC-VAL soundness bound ``strong regret <= 2 U range(J1) d`` on a pair.

    Parameters
    ----------
    mdp : MDP
        Infinite discounted horizon.
    reward1, reward2 : (S,), (S, A) or (S, A, S) array_like
        ``R1`` (true) and ``R2`` (proxy).
    max_policies : int, default 20000
        Enumerate the ``A^S`` deterministic policies for the strong regret only up to
        this many (otherwise ``strong_regret`` is None and only the polynomial lower
        bound is reported).
    rtol : float, default 1e-9
        Relative slack of the comparison (float rounding of ``d``).

    Returns
    -------
    SoundnessCheck

    Raises
    ------
    InvalidMDPError
        A finite horizon or ``gamma = 1``.

    Notes
    -----
    ``d`` is :func:`identifiability.distances.starc_distance` with its defaults
    (``canonicalization="val"`` with the uniform reference policy, ``norm=2``
    unweighted), the setting for which ``U`` is derived; the factor 2 converts the
    note's ``[0, 2]`` scale to the toolkit's ``[0, 1]``.  Cost: ``A^S`` policy
    evaluations when enumerating, plus the solves of :func:`worst_case_regret`.
    Theorem id: ``starc-soundness-bound`` (derived in note §4.3, re-derived in the
    proof file; STARC Thm 1 is only existential).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> chk = idf.check_starc_soundness(mdp, [[0, 1], [0, 0]], [[0, 0], [1, 0]])
    >>> chk.holds, chk.strong_regret <= chk.bound
    (True, True)
    """
    from .distances import starc_distance

    _require_discounted(mdp, "check_starc_soundness")
    U = starc_soundness_constant(mdp)
    d = float(starc_distance(reward1, reward2, mdp))
    lo, hi = return_range(mdp, reward1)
    rng = hi - lo
    if math.isinf(U):
        bound = math.inf  # some mu0(s) = 0: the derived bound is vacuous
    else:
        bound = 2.0 * U * float(rng) * d if (rng != 0 and d != 0) else 0.0
    lower = worst_case_regret(mdp, reward1, reward2).regret
    strong = None
    if mdp.n_actions ** mdp.n_states <= max_policies:
        from .reference import brute_force_strong_regret
        strong = brute_force_strong_regret(mdp, reward1, reward2, max_policies=max_policies)
    slack = rtol * max(1.0, abs(float(hi)), abs(float(lo)))
    if float(lower) > bound + slack:
        holds = False
    elif strong is not None:
        holds = bool(float(strong) <= bound + slack)
    else:
        holds = None
    ratio = None
    if strong is not None and rng != 0 and d > 0:
        ratio = float(strong) / (float(rng) * d)
    return SoundnessCheck(U, d, (lo, hi), bound, strong, lower, holds, ratio)


# ---------------------------------------------------------------------- EPIC regret bound
@dataclass(frozen=True, eq=False)
class EpicRegretBound:
    """Result of :func:`epic_regret_bound`.

    Attributes
    ----------
    regret : Fraction or float
        ``G_RA(pi*_A) - G_RA(pi*_B)`` with ``pi*_B`` the worst ``R_B``-optimal policy
        for ``R_A`` (so this is :func:`worst_case_regret` of ``R_A`` against ``R_B``).
    distance : float
        ``D_EPIC(R_A, R_B)`` under the same coverage.
    K : float
        ``max(K_T, K_occ)``: ``K_T = max_{t < T} max_x D_pi(t, x) / D(x)`` over both
        policies (the note's ``K``, truncated where ``gamma^T < tol``) and
        ``K_occ = max_x (1 - gamma) eta_pi(x) / D(x)`` from the discounted transition
        occupancy (exact, no truncation).  Both are at most the theorem's ``K``, and the
        bounds stay valid with ``K_occ`` (see the proof file), so they are valid with
        this ``K``.  ``inf`` when a policy reaches a transition with ``D(x) = 0``.
    horizon : int
        ``T``, the number of steps whose laws were computed.
    sigma : float
        ``sigma_D(C(R_A))``, the coverage standard deviation of the canonical reward.
    reward_norm : float
        ``||R_A||_{2, D} = sqrt(E_D R_A^2)``.
    bound_sigma : float
        ``4 K sigma D_EPIC / (1 - gamma)`` (any coverage).
    bound_norm : float or None
        ``16 K ||R_A||_{2, D} D_EPIC / (1 - gamma)``; only for the product coverage
        ``D_S x D_A x D_S`` of the canonicalisation, None otherwise.
    holds : bool
        ``regret <= bound_sigma`` (and ``<= bound_norm`` when defined), with a ``1e-9``
        relative slack.
    policy_a, policy_b : (S, A) ndarray
        The deterministic optimal policies used for ``R_A`` and ``R_B``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> res = idf.epic_regret_bound(mdp, [[0, 1], [0, 0]], [[0, 0], [1, 0]])
    >>> res.holds
    True
    """

    regret: object
    distance: float
    K: float
    horizon: int
    sigma: float
    reward_norm: float
    bound_sigma: float
    bound_norm: object
    holds: bool
    policy_a: np.ndarray = field(repr=False)
    policy_b: np.ndarray = field(repr=False)

    def to_dict(self):
        """JSON-ready dictionary (exact numbers as ``"p/q"`` strings).

        Returns
        -------
        dict

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
        >>> d = idf.epic_regret_bound(mdp, [[0, 1], [0, 0]], [[0, 1], [0, 0]]).to_dict()
        >>> d["regret"]
        '0'
        """
        return {"regret": _json_number(self.regret), "distance": _json_number(self.distance),
                "K": _json_number(self.K), "horizon": int(self.horizon),
                "sigma": _json_number(self.sigma), "reward_norm": _json_number(self.reward_norm),
                "bound_sigma": _json_number(self.bound_sigma),
                "bound_norm": _json_number(self.bound_norm), "holds": self.holds,
                "policy_a": _json_array(self.policy_a), "policy_b": _json_array(self.policy_b)}


def _distribution(x, n, name):
    """A float probability vector of length ``n`` (uniform when None)."""
    if x is None:
        return np.full(n, 1.0 / n)
    return to_float_array(check_distribution(x, (n,), where=name, error=InvalidParameterError)[0])


def _coverage(mdp, coverage, ds, da):
    """``(D, is_product)``: the coverage over ``(s, a, s')`` as a float array summing to 1."""
    S, A = mdp.n_states, mdp.n_actions
    product = ds[:, None, None] * da[None, :, None] * ds[None, None, :]
    if coverage is None:
        return product, True
    D = to_float_array(check_distribution(coverage, (S, A, S), where="coverage",
                                          error=InvalidParameterError)[0])
    return D, bool(np.allclose(D, product, rtol=1e-12, atol=1e-15))


def _law_ratios(mdp, pi, D, T):
    """``(K_T, K_occ)`` of one stationary policy against the coverage ``D`` (float)."""
    g = float(mdp.gamma)
    s, a, sn, p = mdp.entries(exact=False)
    law = pi[s, a] * p  # P(a_t = a, s_{t+1} = s' | s_t = s)
    Dv = D[s, a, sn]
    d_t = state_occupancy(mdp.replace(horizon=T), pi)[:T]  # (T, S): P(s_t = s)
    occ = state_occupancy(mdp, pi)  # sum_t gamma^t P(s_t = s)
    out = []
    for mass in (d_t.max(axis=0)[s] * law, (1.0 - g) * occ[s] * law):
        pos = mass > 0
        if np.any(pos & (Dv <= 0)):
            out.append(math.inf)
            continue
        out.append(float(np.max(mass[pos] / Dv[pos])) if pos.any() else 0.0)
    return out


def epic_regret_bound(mdp, reward_a, reward_b, *, state_dist=None, action_dist=None,
                      coverage=None, tol=1e-12, max_steps=100000):
    """EPIC's regret bound on one pair, with ``K`` computed from the exact transition laws.

    With ``pi*_A, pi*_B`` optimal for ``R_A, R_B`` and ``K D(x) >= D_pi(t, x)`` for all
    ``t``, transitions ``x`` and both policies (``D_pi(t, .)`` the law of the ``t``-th
    transition ``(s_t, a_t, s_{t+1})``)::

        G_RA(pi*_A) - G_RA(pi*_B) <= 4 K sigma_D(C(R_A)) D_EPIC(R_A, R_B) / (1 - gamma)
                                  <= 16 K ||R_A||_{2, D} D_EPIC(R_A, R_B) / (1 - gamma)

    (the second form for the product coverage ``D = D_S x D_A x D_S`` only).

    Parameters
    ----------
    mdp : MDP
        Infinite discounted horizon.
    reward_a, reward_b : (S,), (S, A) or (S, A, S) array_like
        ``R_A`` (true) and ``R_B`` (proxy).
    state_dist, action_dist : (S,) and (A,) array_like, optional
        EPIC's ``D_S`` and ``D_A`` (uniform by default), passed to
        :func:`identifiability.distances.epic_canonical` and ``epic_distance``.
    coverage : (S, A, S) array_like, optional
        The coverage distribution ``D`` of the Pearson distance and of ``K`` (it must
        sum to 1).  Default ``D_S x D_A x D_S``.
    tol : float, default 1e-12
        ``T`` is the first step with ``gamma^T < tol`` (the laws ``D_pi(t)`` are
        computed for ``t < T``).
    max_steps : int, default 100000
        Cap on ``T``.

    Returns
    -------
    EpicRegretBound

    Raises
    ------
    InvalidMDPError
        A finite horizon or ``gamma = 1``.
    InvalidParameterError
        Bad distributions or coverage.

    Notes
    -----
    ``pi*_B`` is the *worst* ``R_B``-optimal policy for ``R_A``
    (:func:`worst_case_regret`), so the check is the strongest one over the ties of
    ``R_B``; ``pi*_A`` is the first greedy optimal policy of ``R_A``.  Cost: the
    solves of :func:`worst_case_regret`, ``T`` sparse push-forwards per policy
    (:func:`identifiability.state_occupancy` with horizon ``T``, ``O(T nnz)``) and
    ``O(S^2 A)`` for the canonical reward.  Provenance: EPIC Thm 4.9 is RECALLED in
    note §4.1; the constant 16 and the tighter ``4 K sigma`` form are derived there
    and re-derived in ``proofs/epic-regret-bound.md``.  Theorem id:
    ``epic-regret-bound``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> res = idf.epic_regret_bound(mdp, [[0, 1], [0, 0]], [[0, 0], [1, 0]])
    >>> res.holds, res.K, res.regret <= res.bound_sigma <= res.bound_norm
    (True, 8.0, True)
    """
    from .distances import epic_canonical, epic_distance

    _require_discounted(mdp, "epic_regret_bound")
    S, A = mdp.n_states, mdp.n_actions
    ds = _distribution(state_dist, S, "state_dist")
    da = _distribution(action_dist, A, "action_dist")
    D, product = _coverage(mdp, coverage, ds, da)
    g = float(mdp.gamma)
    if g == 0:
        T = 1
    else:
        T = int(min(max_steps, max(1, math.ceil(math.log(tol) / math.log(g)))))
    # the policies
    _, QA = optimal_values(mdp, reward_a)
    pi_a = _one_hot(np.argmax(QA, axis=1), A, QA.dtype == object)
    worst = worst_case_regret(mdp, reward_a, reward_b)
    pi_b = worst.policy
    fm = mdp.to_float() if mdp.is_exact else mdp
    K = 0.0
    for pi in (pi_a, pi_b):
        K = max(K, *_law_ratios(fm, to_float_array(np.asarray(pi)), D, T))
    # the canonical reward, its spread, the reward norm and the distance
    C = to_float_array(np.asarray(epic_canonical(reward_a, mdp, state_dist=state_dist,
                                                 action_dist=action_dist)))
    mean = float((D * C).sum())
    sigma = math.sqrt(max(0.0, float((D * (C - mean) ** 2).sum())))
    RA = to_float_array(broadcast_reward(reward_a, mdp))
    norm = math.sqrt(float((D * RA ** 2).sum()))
    # the user's own arguments, so that exact input keeps the exact zero decision
    dist = float(epic_distance(reward_a, reward_b, mdp, state_dist=state_dist,
                               action_dist=action_dist, coverage=coverage))
    scale = dist / (1.0 - g)
    if math.isinf(K):  # a policy reaches a transition the coverage never samples: vacuous
        bound_sigma, bound_norm = math.inf, (math.inf if product else None)
    else:
        bound_sigma = 4.0 * K * sigma * scale
        bound_norm = 16.0 * K * norm * scale if product else None
    reg = worst.regret
    slack = 1e-9 * max(1.0, abs(float(worst.best)), abs(float(worst.worst)))
    holds = float(reg) <= bound_sigma + slack and (bound_norm is None
                                                    or float(reg) <= bound_norm + slack)
    return EpicRegretBound(reg, dist, K, T, sigma, norm, bound_sigma, bound_norm, bool(holds),
                           pi_a, pi_b)


# ---------------------------------------------------------------------- tables
_DISTANCE_NAMES = {"starc": "starc_distance", "epic": "epic_distance", "dard": "dard_distance"}


def _distance_functions(distances):
    from . import distances as _dist

    out = []
    for item in distances:
        if isinstance(item, str):
            if item not in _DISTANCE_NAMES:
                raise InvalidParameterError(f"unknown distance {item!r}; expected one of "
                                            f"{sorted(_DISTANCE_NAMES)} or a (name, callable) pair")
            out.append((item, getattr(_dist, _DISTANCE_NAMES[item])))
        elif isinstance(item, tuple) and len(item) == 2 and callable(item[1]):
            out.append((str(item[0]), item[1]))
        else:
            raise InvalidParameterError(f"distances entries must be names or (name, callable) "
                                        f"pairs, got {item!r}")
    return out


def distance_regret_table(mdp, pairs, *, distances=("starc", "epic", "dard"),
                          expected="uniform-optimal", temperature=1.0, atol=None,
                          distance_options=None, progress=None):
    """Distances and normalised regrets of many ``(R_true, R_proxy)`` pairs.

    Parameters
    ----------
    mdp : MDP
    pairs : iterable of (R_true, R_proxy)
        Rewards of shape ``(S,)``, ``(S, A)`` or ``(S, A, S)``.
    distances : sequence, default ("starc", "epic", "dard")
        Names from :mod:`identifiability.distances` (``"starc"``, ``"epic"``,
        ``"dard"``) or ``(name, f)`` pairs with ``f(R1, R2, mdp) -> float``.
    expected : {"uniform-optimal", "mce", "boltzmann"} or None, default "uniform-optimal"
        The proxy-derived policy of :func:`expected_regret`; None skips that column.
    temperature : float, default 1.0
        For ``"mce"`` / ``"boltzmann"``.
    atol : float, optional
        Gap tolerance of the optimal-action sets (float input).
    distance_options : dict, optional
        ``{name: {keyword: value}}`` passed to the distance of that name, e.g.
        ``{"starc": {"canonicalization": "minimal"}}``.
    progress : callable, optional
        Called as ``progress(done, total)`` after each pair (``total`` is None when
        ``pairs`` has no length).  No progress-bar library is needed.

    Returns
    -------
    list of dict
        One JSON-ready row per pair: ``"pair"`` (index), one float per distance name,
        ``"worst_case_regret"`` and ``"expected_regret"`` (normalised, in ``[0, 1]``:
        :func:`worst_case_regret` and :func:`expected_regret` divided by the return
        range, 0 for a trivial true reward) and ``"return_range"`` (``max J - min J``).

    Raises
    ------
    InvalidParameterError
        An unknown distance name or ``expected`` policy.

    Notes
    -----
    Per pair: each distance, plus the solves of :func:`worst_case_regret` and
    :func:`expected_regret`.  The STARC paper reports the correlation of distance with
    normalised regret over such tables (note §4.3); see
    :func:`identifiability.plot.distance_regret_scatter`.

    Examples
    --------
    >>> import numpy as np, identifiability as idf
    >>> mdp = idf.examples.random_mdp(4, 2, seed=0, exact=False, n_starts=4)
    >>> pairs = idf.interpolated_pairs(mdp, 0, n_pairs=1, n_steps=3)
    >>> rows = idf.distance_regret_table(mdp, pairs, distances=("starc", "epic"))
    >>> len(rows), sorted(rows[0])
    (3, ['epic', 'expected_regret', 'pair', 'return_range', 'starc', 'worst_case_regret'])
    >>> rows[0]["starc"], rows[0]["worst_case_regret"]     # R against itself
    (0.0, 0.0)
    """
    funcs = _distance_functions(distances)
    opts = dict(distance_options or {})
    if expected is not None and expected not in EXPECTED_POLICIES:
        raise InvalidParameterError(f"expected must be one of {EXPECTED_POLICIES} or None, "
                                    f"got {expected!r}")
    try:
        total = len(pairs)
    except TypeError:
        total = None
    rows = []
    for k, pair in enumerate(pairs):
        try:
            true, proxy = pair
        except (TypeError, ValueError):
            raise InvalidRewardError(f"pairs[{k}] is not a (R_true, R_proxy) pair") from None
        row = {"pair": k}
        for name, f in funcs:
            row[name] = float(f(true, proxy, mdp, **opts.get(name, {})))
        worst = worst_case_regret(mdp, true, proxy, atol=atol)
        row["worst_case_regret"] = float(worst.normalised)
        if expected is not None:
            row["expected_regret"] = float(expected_regret(
                mdp, true, proxy, policy=expected, temperature=temperature, atol=atol).normalised)
        row["return_range"] = float(worst.best) - float(worst.worst)
        rows.append(row)
        if progress is not None:
            progress(k + 1, total)
    return rows


def interpolated_pairs(mdp, rng=None, n_pairs=8, n_steps=16, *, arity=3):
    """Reward pairs ``(R, (1 - t) R + t R')`` interpolating from ``R`` to a random ``R'``.

    The experiment design of the STARC paper as described in note §4.3 (there: 128
    random environments x 8 reward pairs x 16 interpolation steps, 32 states, 4
    actions, ``gamma = 0.95``); call this once per environment.

    Parameters
    ----------
    mdp : MDP
    rng : numpy.random.Generator, int or None
        Generator or seed (``numpy.random.default_rng``).
    n_pairs : int, default 8
        Number of random ``(R, R')`` draws.
    n_steps : int, default 16
        Interpolation steps ``t = 0, 1/(n_steps - 1), ..., 1`` (``t = 0`` only when
        ``n_steps = 1``).
    arity : {1, 2, 3}, default 3
        Shape of the rewards: ``(S,)``, ``(S, A)`` or ``(S, A, S)``.

    Returns
    -------
    list of (ndarray, ndarray)
        ``n_pairs * n_steps`` pairs ``(R, R_t)``; pair ``i * n_steps + j`` uses draw
        ``i`` and ``t_j = j / (n_steps - 1)``.  Entries are i.i.d. standard normal
        (our choice: the note does not record the paper's reward distribution).  The
        ``n_steps`` pairs of one draw share the same ``R`` array (not copies).

    Raises
    ------
    InvalidParameterError
        ``n_pairs < 1``, ``n_steps < 1`` or a bad ``arity``.

    Notes
    -----
    ``O(n_pairs n_steps S A S)`` memory for ``arity=3``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.examples.random_mdp(3, 2, seed=0)
    >>> pairs = idf.interpolated_pairs(mdp, 0, n_pairs=2, n_steps=4)
    >>> len(pairs), pairs[0][0].shape, bool((pairs[0][0] == pairs[0][1]).all())
    (8, (3, 2, 3), True)
    """
    for name, v in (("n_pairs", n_pairs), ("n_steps", n_steps)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise InvalidParameterError(f"{name} must be an int >= 1, got {v!r}")
    if arity not in (1, 2, 3) or isinstance(arity, bool):
        raise InvalidParameterError(f"arity must be 1, 2 or 3, got {arity!r}")
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    shape = (mdp.n_states, mdp.n_actions, mdp.n_states)[:arity]
    ts = np.linspace(0.0, 1.0, int(n_steps)) if n_steps > 1 else np.zeros(1)
    out = []
    for _ in range(int(n_pairs)):
        R, R2 = gen.standard_normal(shape), gen.standard_normal(shape)
        for t in ts:
            out.append((R, (1.0 - t) * R + t * R2))
    return out
