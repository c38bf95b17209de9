"""Forward behavioural models: reward -> what an agent does or prefers.

Every model here takes an :class:`~identifiability.MDP` and a reward (shape
``(S,)``, ``(S, A)`` or ``(S, A, S)`` by the shape-prefix rule; solvers use the
expected immediate reward :func:`~identifiability.expected_reward`, never a dense
``(S, A, S)`` broadcast) and returns the observable behaviour:

=============================  ==============================================  ============
function                       model                                           exact?
=============================  ==============================================  ============
:func:`soft_value_iteration`   soft-optimal (MaxEnt) agent, temperature lambda  float
:func:`soft_policy`            its policy                                      float
:func:`soft_values`            its values ``(V, Q)``                           float
:func:`boltzmann_policy`       ``softmax(beta * (Q* - V*))``                   float
:func:`optimal_values`         hard-max Bellman optimal ``(V*, Q*)``           exact/float
:func:`optimal_actions`        mask of optimal actions                         exact/float
:func:`policy_evaluation`      value ``V^pi`` of a given policy                exact/float
:func:`state_occupancy`        state occupancy of a given policy               exact/float
:func:`state_action_occupancy` state-action occupancy of a given policy        exact/float
:func:`trajectory_return`      discounted return of trajectories               exact/float
:func:`bradley_terry_probability`  preference ``sigmoid(beta * (G(a) - G(b)))``  float
=============================  ==============================================  ============

"exact/float" means: exact (object arrays of :class:`fractions.Fraction`) when the
MDP, the reward and (where one is given) the policy are all exact; float64 otherwise.

Conventions
-----------
* ``horizon`` ``H`` is the number of decisions.  Finite-horizon arrays are indexed
  by time: ``Q`` has shape ``(H, S, A)``, ``V`` has shape ``(H + 1, S)`` with
  ``V[H] = 0``, a policy has shape ``(H, S, A)``.  With an infinite horizon
  (``mdp.horizon is None``, ``gamma < 1``) they are ``(S, A)``, ``(S,)`` and ``(S, A)``.
* Every function takes ``horizon=None``, meaning "use ``mdp.horizon``"; an int
  ``>= 1`` overrides it (use ``mdp.replace(horizon=None)`` for an infinite horizon).
* ``temperature`` is the soft-optimal ``lambda > 0``; Boltzmann-rational and
  Bradley-Terry models take an inverse temperature ``beta = 1 / lambda >= 0``.

The soft-optimal agent is the one of §1 of the theory note ``identifiability.md``:
``Q_t = r + gamma P V_{t+1}``, ``V_t = lambda log sum_a exp(Q_t / lambda)``,
``pi_t = exp((Q_t - V_t) / lambda)``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import linalg
from ._numbers import format_number, is_exact_array, parse_array, parse_scalar, to_fractions, \
    to_float_array
from ._numbers import zeros as _zeros
from .errors import (
    ConvergenceError,
    InvalidParameterError,
    InvalidPolicyError,
    InvalidRewardError,
    InvalidTrajectoryError,
    ToleranceWarning,
)
from .mdp import FLOAT_ATOL, _validate_horizon
from .reward import as_reward, expected_reward

__all__ = [
    "SoftSolution",
    "soft_value_iteration",
    "soft_policy",
    "soft_values",
    "boltzmann_policy",
    "optimal_values",
    "optimal_actions",
    "policy_evaluation",
    "state_occupancy",
    "state_action_occupancy",
    "trajectory_return",
    "bradley_terry_probability",
]

_EPS = np.finfo(np.float64).eps

# Policy iteration never revisits a policy, so A^S bounds its steps; in practice a
# handful suffice.  This cap only guards against float trouble.
_PI_MAX_ITER = 10000


# ---------------------------------------------------------------------- private helpers
def _horizon(mdp, horizon):
    """``mdp.horizon`` when ``horizon`` is None, else the validated int override."""
    if horizon is None:
        return mdp.horizon
    return _validate_horizon(horizon)


def _parameter(value, name, *, allow_zero):
    """A finite float ``> 0`` (or ``>= 0``); anything else is an InvalidParameterError."""
    if isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(f"{name} must be a number, got the boolean {value!r}")
    x = float(parse_scalar(value, where=name, error=InvalidParameterError))
    if x < 0 or (x == 0 and not allow_zero) or not math.isfinite(x):
        bound = ">= 0" if allow_zero else "> 0"
        raise InvalidParameterError(f"{name} must be a finite number {bound}, got {value!r}")
    return x


def _gamma(mdp, exact):
    return mdp.gamma if exact else float(mdp.gamma)


def _reward_table(mdp, reward, exact):
    """``(S, A)`` expected reward; ``exact=None`` keeps it exact when possible.

    Returns the table and whether it is exact.
    """
    r = expected_reward(mdp, reward, exact=False if exact is False else None)
    is_exact = r.dtype == object
    if exact and not is_exact:
        raise InvalidParameterError("exact=True needs an exact MDP and an exact reward "
                                    "(ints, Fractions or 'p/q' strings)")
    return r, is_exact


def _check_policy(mdp, policy, horizon, *, where="policy"):
    """Validate a policy once for every function that takes one.

    Parameters
    ----------
    policy : (S, A) or (H, S, A) array_like
        Stationary or time-varying; ``(H, S, A)`` only for a finite horizon.
    horizon : int or None
        Resolved horizon.

    Returns
    -------
    pi : ndarray
        ``(H, S, A)`` (a read-only broadcast view for a stationary policy) when
        ``horizon`` is finite, ``(S, A)`` otherwise; object Fractions or float64.
    exact : bool

    Raises
    ------
    InvalidPolicyError
        Wrong shape, a negative entry, or a row ``(t, s)`` that does not sum to 1
        (exactly for exact policies, within :data:`~identifiability.FLOAT_ATOL` for
        float ones).  The message names the row and its sum.
    """
    S, A = mdp.n_states, mdp.n_actions
    pi = parse_array(policy, where=where, error=InvalidPolicyError)
    shapes = [(S, A)] if horizon is None else [(S, A), (horizon, S, A)]
    if pi.shape not in shapes:
        want = " or ".join(str(s) for s in shapes)
        why = "" if horizon is not None else " (a time-varying policy needs a finite horizon)"
        raise InvalidPolicyError(f"{where} has shape {pi.shape}; expected {want}{why}")
    exact = is_exact_array(pi)
    pi = to_fractions(pi) if exact else pi
    neg = pi < 0
    if neg.any():
        idx = np.unravel_index(int(np.flatnonzero(neg)[0]), pi.shape)
        raise InvalidPolicyError(f"{where}{list(int(i) for i in idx)} = "
                                 f"{format_number(pi[idx])} is negative")
    sums = pi.sum(axis=-1)
    bad = (sums != 1) if exact else (np.abs(sums - 1.0) > FLOAT_ATOL)
    if np.any(bad):
        idx = np.unravel_index(int(np.flatnonzero(bad)[0]), sums.shape)
        row = f"(t={idx[0]}, s={idx[1]})" if len(idx) == 2 else f"(s={idx[0]})"
        tol = "" if exact else f" within {FLOAT_ATOL:g}"
        raise InvalidPolicyError(f"{where}: row {row} sums to {format_number(sums[idx])}, "
                                 f"not 1{tol}")
    if horizon is not None and pi.ndim == 2:
        pi = np.broadcast_to(pi, (horizon, S, A))
    return pi, exact


def _policy_matrix(mdp, pi, exact):
    """Dense ``P_pi[s, s'] = sum_a pi(a|s) P(s'|s, a)`` from the sparse entries; O(nnz + S^2)."""
    S = mdp.n_states
    s, a, sn, p = mdp.entries(exact=exact)
    w = pi[s, a] * p
    if exact:
        M = _zeros((S, S), True)
        np.add.at(M, (s, sn), w)
        return M
    return np.bincount(s * S + sn, weights=w, minlength=S * S).reshape(S, S)


def _push_forward(mdp, d, pi_t, exact):
    """``(d P_pi)(s') = sum_{s,a} d(s) pi(a|s) P(s'|s,a)``, vectorised over entries; O(nnz)."""
    s, a, sn, p = mdp.entries(exact=exact)
    w = d[s] * pi_t[s, a] * p
    if exact:
        out = _zeros(mdp.n_states, True)
        np.add.at(out, sn, w)
        return out
    return np.bincount(sn, weights=w, minlength=mdp.n_states)


def _identity(n, exact):
    eye = _zeros((n, n), exact)
    eye[np.arange(n), np.arange(n)] = Fraction(1) if exact else 1.0
    return eye


def _soft_backup(Q, lam):
    """``V = lam * logsumexp(Q / lam)`` over actions and ``pi = exp((Q - V) / lam)``.

    The row maximum is subtracted first, so nothing overflows for any reward scale
    and ``pi`` sums to one to rounding.
    """
    m = Q.max(axis=-1)
    e = np.exp((Q - m[..., None]) / lam)
    z = e.sum(axis=-1)  # >= 1 since the maximal action contributes exp(0)
    return m + lam * np.log(z), e / z[..., None]


def _readonly(*arrays):
    for arr in arrays:
        arr.setflags(write=False)


def _check_allowed(mdp, allowed, H):
    """Validate an action mask: ``(S, A)`` or (finite horizon) ``(H, S, A)`` bool array.

    Returns the mask broadcast to ``(H, S, A)`` for a finite horizon, ``(S, A)``
    otherwise.  Raises InvalidParameterError for a wrong shape, a non-boolean dtype
    or a state (and step) with no allowed action.
    """
    S, A = mdp.n_states, mdp.n_actions
    m = np.asarray(allowed)
    shapes = [(S, A)] if H is None else [(S, A), (H, S, A)]
    if m.shape not in shapes:
        want = " or ".join(str(s) for s in shapes)
        raise InvalidParameterError(f"allowed has shape {m.shape}; expected {want}")
    if m.dtype != bool:
        raise InvalidParameterError(f"allowed must be a boolean mask, got dtype {m.dtype}")
    empty = ~m.any(axis=-1)
    if empty.any():
        idx = np.unravel_index(int(np.flatnonzero(empty)[0]), empty.shape)
        row = f"(t={idx[0]}, s={idx[1]})" if len(idx) == 2 else f"s={idx[0]}"
        raise InvalidParameterError(f"allowed: state {row} has no allowed action")
    if H is not None and m.ndim == 2:
        m = np.broadcast_to(m, (H, S, A))
    return m


def _masked(Q, mask):
    """``Q`` with the disallowed entries pushed strictly below every allowed entry.

    Float: ``-inf``.  Exact: ``min(Q) - 1`` (a Fraction), so the result stays an
    exact object array and ``max`` / ``argmax`` see only allowed actions.
    """
    if mask is None:
        return Q
    low = -np.inf if Q.dtype != object else Q.min() - 1
    return np.where(mask, Q, low)


# ---------------------------------------------------------------------- time-varying rewards
def _time_varying_reward_table(mdp, reward, H):
    """``(H, S, A)`` float expected rewards from a length-``H`` sequence of rewards.

    Slice ``t`` may be ``(S,)``, ``(S, A)`` or ``(S, A, S)`` (shape-prefix rule); slices of
    a list may differ in shape.  Raises InvalidRewardError naming the offending slice.
    """
    if H is None:
        raise InvalidRewardError("time_varying=True needs a finite horizon: this MDP has an "
                                 "infinite horizon (pass horizon=H)")
    if isinstance(reward, (list, tuple)):
        items = list(reward)
    else:
        arr = parse_array(reward, where="reward", error=InvalidRewardError)
        if arr.ndim < 2:
            raise InvalidRewardError(f"a time-varying reward needs a leading time axis of "
                                     f"length H={H} followed by a reward shape; got shape "
                                     f"{arr.shape}")
        items = list(arr)
    if len(items) != H:
        raise InvalidRewardError(f"a time-varying reward has {len(items)} slices along its "
                                 f"leading axis; expected H={H} (one reward per decision step)")
    r = np.empty((H, mdp.n_states, mdp.n_actions))
    for t, item in enumerate(items):
        try:
            r[t] = expected_reward(mdp, item, exact=False)
        except InvalidRewardError as err:
            raise InvalidRewardError(f"time-varying reward, slice t={t}: {err}") from None
    return r


# ---------------------------------------------------------------------- soft-optimal agent
@dataclass(frozen=True, eq=False, repr=False)
class SoftSolution:
    """The soft-optimal (MaxEnt) agent computed by :func:`soft_value_iteration`.

    Attributes
    ----------
    q : (H, S, A) or (S, A) float64 ndarray
        Soft Q-values ``Q_t = r + gamma P V_{t+1}``.
    v : (H + 1, S) or (S,) float64 ndarray
        Soft values ``V_t = lambda logsumexp(Q_t / lambda)``; ``v[H] = 0``.
    policy : (H, S, A) or (S, A) float64 ndarray
        ``pi_t(a|s) = exp((Q_t(s, a) - V_t(s)) / lambda)``.
    horizon : int or None
        ``H``, or None for the infinite discounted horizon.
    temperature : float
        ``lambda``.
    iterations : int
        Bellman backups performed (``H`` for a finite horizon).
    residual : float
        Finite horizon: 0.0.  Infinite: ``||V - V_prev||_inf`` at the last backup,
        where ``v = T(V_prev)`` and ``q = r + gamma P V_prev``; so ``(q, v, policy)``
        satisfy the log-sum-exp relations to rounding, the fixed-point equation to
        ``gamma * residual``, and ``||v - V_true||_inf <= gamma * residual / (1 - gamma)``.

    All arrays are read-only.

    Examples
    --------
    >>> import identifiability as idf
    >>> sol = idf.soft_value_iteration(idf.MDP([[[1], [1]]], horizon=2), [[0, 0]])
    >>> sol
    SoftSolution(horizon=2, temperature=1, policy shape=(2, 1, 2), iterations=2, residual=0)
    >>> sol.policy[0, 0].tolist(), sol.log_policy().shape
    ([0.5, 0.5], (2, 1, 2))
    """

    q: np.ndarray
    v: np.ndarray
    policy: np.ndarray
    horizon: int | None
    temperature: float
    iterations: int
    residual: float

    def log_policy(self):
        """``log pi = (Q - V) / lambda`` without the underflow of ``np.log(policy)``.

        Returns
        -------
        (H, S, A) or (S, A) float64 ndarray

        Examples
        --------
        >>> import math, identifiability as idf
        >>> bandit = idf.MDP([[[1], [1]]], horizon=1)
        >>> sol = idf.soft_value_iteration(bandit, [[0.0, 2000.0]])
        >>> sol.policy[0, 0, 0], float(sol.log_policy()[0, 0, 0])
        (np.float64(0.0), -2000.0)
        """
        v = self.v[:-1] if self.horizon is not None else self.v
        return (self.q - v[..., None]) / self.temperature

    def __repr__(self):
        H = "inf" if self.horizon is None else self.horizon
        return (f"SoftSolution(horizon={H}, temperature={self.temperature:g}, "
                f"policy shape={self.policy.shape}, iterations={self.iterations}, "
                f"residual={self.residual:.3g})")


def soft_value_iteration(mdp, reward, *, horizon=None, temperature=1.0, tol=1e-10,
                         max_iter=100000, time_varying=False):
    """Soft (MaxEnt, entropy-regularised) value iteration: the one soft solver.

    Finite horizon ``H``: backward induction from ``V_H = 0``::

        Q_t = r + gamma * P V_{t+1}
        V_t = lambda * log sum_a exp(Q_t / lambda)
        pi_t = exp((Q_t - V_t) / lambda)

    Infinite horizon (``gamma < 1``): the soft Bellman operator
    ``T V = lambda logsumexp((r + gamma P V) / lambda)`` is a ``gamma``-contraction
    in the sup norm; it is iterated from ``V = 0`` until the residual
    ``||T V - V||_inf <= max(tol, 16 eps ||V||_inf)`` (the second term is the float
    rounding floor: below it the residual is noise and cannot shrink further).

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
        Converted to the expected reward ``r(s, a)`` (float64).  With
        ``time_varying=True``: a sequence (or array) of length ``H`` whose slice ``t``
        is an ``(S,)``, ``(S, A)`` or ``(S, A, S)`` reward, used at decision step ``t``
        (for example the ``(H, S, A, S)`` output of
        :class:`identifiability.transforms.TimeDependentShaping`).
    horizon : int, optional
        Overrides ``mdp.horizon``.
    temperature : float, default 1.0
        ``lambda > 0``.
    tol : float, default 1e-10
        Infinite horizon: sup-norm residual to reach.
    max_iter : int, default 100000
        Infinite horizon: most backups before :class:`ConvergenceError`.
    time_varying : bool, default False
        Finite horizon only: the reward has a leading time axis of length ``H``
        (``Q_t = r_t + gamma P V_{t+1}``).  False keeps the stationary reward.

    Returns
    -------
    SoftSolution
        ``q``, ``v``, ``policy`` (float64, read-only), ``horizon``, ``temperature``,
        ``iterations``, ``residual``.

    Raises
    ------
    InvalidParameterError
        ``temperature <= 0``, ``tol <= 0`` or ``max_iter < 1``.
    InvalidMDPError
        A bad ``horizon``.
    InvalidRewardError
        ``time_varying=True`` with an infinite horizon, a leading axis whose length is
        not ``H``, or a slice that is not a reward on ``mdp`` (the message names ``t``).
    ConvergenceError
        The infinite-horizon iteration did not reach ``tol`` in ``max_iter`` backups.

    Notes
    -----
    Always float64 (exp and log are not rational).  Each backup is one sparse
    ``P V`` (:meth:`MDP.expectation`, ``O(nnz)``) and a vectorised log-sum-exp
    (``O(S A)``) with the row maximum subtracted, so it is stable for any reward
    scale.  Finite horizon: ``O(H (nnz + S A))`` time and ``O(H S A)`` memory.
    Infinite: ``O(k (nnz + S A))`` with ``k ~ log(tol / scale) / log(gamma)``.
    Theorem ids: ``soft-bellman-consistency``, ``soft-policy-shift-invariance``.

    Examples
    --------
    A one-state bandit with rewards 0 and log 3: the policy is a softmax.

    >>> import math, identifiability as idf
    >>> bandit = idf.MDP([[[1], [1]]], horizon=1)
    >>> sol = idf.soft_value_iteration(bandit, [[0.0, math.log(3)]])
    >>> sol.policy[0, 0].round(6).tolist(), round(float(sol.v[0, 0]), 6)
    ([0.25, 0.75], 1.386294)

    Infinite horizon: a fixed point of the soft Bellman operator.

    >>> disc = bandit.replace(gamma="1/2", horizon=None)
    >>> sol = idf.soft_value_iteration(disc, [[0.0, math.log(3)]])
    >>> round(float(sol.v[0]), 6), sol.residual <= 1e-10
    (2.772589, True)

    A time-varying reward: one ``(S, A)`` table per decision step.

    >>> sol = idf.soft_value_iteration(bandit.replace(horizon=2),
    ...                                [[[0.0, 0.0]], [[0.0, math.log(3)]]], time_varying=True)
    >>> sol.policy[:, 0].round(6).tolist()
    [[0.5, 0.5], [0.25, 0.75]]
    """
    H = _horizon(mdp, horizon)
    lam = _parameter(temperature, "temperature", allow_zero=False)
    # --- time-varying rewards (finite horizon): r has shape (H, S, A), r[t] used at step t
    if time_varying:
        r = _time_varying_reward_table(mdp, reward, H)
    else:
        r = expected_reward(mdp, reward, exact=False)
    # --- end time-varying rewards
    g = float(mdp.gamma)
    S, A = mdp.n_states, mdp.n_actions
    if H is not None:
        Q = np.empty((H, S, A))
        V = np.zeros((H + 1, S))
        pi = np.empty((H, S, A))
        for t in range(H - 1, -1, -1):
            Q[t] = (r[t] if time_varying else r) + g * mdp.expectation(V[t + 1])
            V[t], pi[t] = _soft_backup(Q[t], lam)
        _readonly(Q, V, pi)
        return SoftSolution(Q, V, pi, H, lam, H, 0.0)

    tol = _parameter(tol, "tol", allow_zero=False)
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise InvalidParameterError(f"max_iter must be an int >= 1, got {max_iter!r}")
    V = np.zeros(S)
    residual = math.inf
    for k in range(1, int(max_iter) + 1):
        Q = r + g * mdp.expectation(V)
        V_new, pi = _soft_backup(Q, lam)
        residual = float(np.max(np.abs(V_new - V)))
        V = V_new
        if residual <= max(tol, 16 * _EPS * float(np.max(np.abs(V)))):
            _readonly(Q, V, pi)
            return SoftSolution(Q, V, pi, None, lam, k, residual)
    raise ConvergenceError(f"soft value iteration did not converge in max_iter={max_iter} "
                           f"backups: residual {residual:.3g} > tol={tol:g} (gamma={g:g}; "
                           f"raise max_iter or tol)")


def soft_policy(mdp, reward, horizon=None, temperature=1.0, *, tol=1e-10, max_iter=100000,
                time_varying=False):
    """The soft-optimal (MaxEnt) policy.

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
    horizon : int, optional
        Overrides ``mdp.horizon``.
    temperature : float, default 1.0
        ``lambda > 0``.
    tol, max_iter
        As for :func:`soft_value_iteration` (infinite horizon only).
    time_varying : bool, default False
        As for :func:`soft_value_iteration`: a reward per decision step.

    Returns
    -------
    (H, S, A) or (S, A) float64 ndarray
        ``pi_t(a|s)``; every row is a full-support distribution.

    Notes
    -----
    Float; cost of :func:`soft_value_iteration`.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], horizon=2)
    >>> pi = idf.soft_policy(mdp, [[0, 0], [1, 1]])
    >>> pi.shape, pi[0, 0].round(4).tolist(), pi[1, 0].tolist()
    ((2, 2, 2), [0.2689, 0.7311], [0.5, 0.5])
    """
    return soft_value_iteration(mdp, reward, horizon=horizon, temperature=temperature,
                                tol=tol, max_iter=max_iter, time_varying=time_varying).policy


def soft_values(mdp, reward, horizon=None, temperature=1.0, *, tol=1e-10, max_iter=100000):
    """Soft values ``(V, Q)`` of the soft-optimal agent.

    Parameters
    ----------
    mdp, reward, horizon, temperature, tol, max_iter
        As for :func:`soft_policy`.

    Returns
    -------
    V : (H + 1, S) or (S,) float64 ndarray
        ``V[H] = 0`` for a finite horizon.
    Q : (H, S, A) or (S, A) float64 ndarray

    Examples
    --------
    >>> import identifiability as idf
    >>> bandit = idf.MDP([[[1], [1]]], horizon=2)
    >>> V, Q = idf.soft_values(bandit, [[0, 0]])     # log 2 per step
    >>> V[:, 0].round(6).tolist()
    [1.386294, 0.693147, 0.0]
    """
    sol = soft_value_iteration(mdp, reward, horizon=horizon, temperature=temperature,
                               tol=tol, max_iter=max_iter)
    return sol.v, sol.q


# ---------------------------------------------------------------------- optimal agent
def optimal_values(mdp, reward, *, horizon=None, exact=None, allowed=None):
    """Bellman-optimal values ``(V*, Q*)`` of the hard-max (reward-maximising) agent.

    Finite horizon: backward induction ``Q_t = r + gamma P V_{t+1}``,
    ``V_t = max_a Q_t``, ``V_H = 0``.  Infinite horizon: policy iteration from the
    greedy policy of ``r``; each evaluation solves ``(I - gamma P_pi) V = r_pi``
    with :func:`identifiability.linalg.solve`; a state switches action only when
    another action is *strictly* better (exactly, or by more than a rounding
    threshold in float), so ties are broken deterministically (the current action
    is kept, else the lowest index) and the iteration terminates.

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
    horizon : int, optional
        Overrides ``mdp.horizon``.
    exact : bool, optional
        Default: exact when the MDP and the reward are exact.  ``False`` forces
        float64 (useful for large exact MDPs); ``True`` on float input raises.
    allowed : (S, A) or (H, S, A) bool array_like, optional
        Restrict the agent to these actions (every state needs at least one):
        ``V*(s) = max_{a allowed} Q*(s, a)``, the optimal value among policies
        whose support lies in the mask.  ``Q*`` is still reported for every
        action (``r + gamma P V*``).  Default: all actions.  With ``-reward`` this
        gives the *worst* policy inside a mask in one solve
        (:func:`identifiability.regret.worst_case_regret`).

    Returns
    -------
    V : (H + 1, S) or (S,) ndarray
    Q : (H, S, A) or (S, A) ndarray
        Object arrays of Fractions (exact) or float64.

    Raises
    ------
    InvalidParameterError
        ``allowed`` has the wrong shape or dtype, or a state with no allowed action.

    Notes
    -----
    Finite horizon: ``O(H (nnz + S A))`` arithmetic operations (Fraction operations
    when exact).  Infinite horizon: each policy-iteration step costs ``O(S^3)``
    (dense float solve, or an exact rational LU), plus ``O(nnz + S^2)`` to build
    ``P_pi``; the number of steps is small in practice and finite always.
    Theorem id: ``optimal-values-bellman``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], gamma="1/2")
    >>> V, Q = idf.optimal_values(mdp, [[0, 0], [1, 1]])
    >>> V.tolist()
    [Fraction(1, 1), Fraction(2, 1)]
    >>> V, Q = idf.optimal_values(mdp, [[0, 0], [1, 1]], horizon=2)
    >>> V.tolist()
    [[Fraction(1, 2), Fraction(3, 2)], [Fraction(0, 1), Fraction(1, 1)], [Fraction(0, 1), Fraction(0, 1)]]

    Only action 0 allowed in state 0 (stay there forever, reward 0):

    >>> V, Q = idf.optimal_values(mdp, [[0, 0], [1, 1]], allowed=[[True, False], [True, True]])
    >>> V.tolist()
    [Fraction(0, 1), Fraction(2, 1)]
    """
    H = _horizon(mdp, horizon)
    r, ex = _reward_table(mdp, reward, exact)
    g = _gamma(mdp, ex)
    S, A = mdp.n_states, mdp.n_actions
    mask = None if allowed is None else _check_allowed(mdp, allowed, H)
    if H is not None:
        V = _zeros((H + 1, S), ex)
        Q = _zeros((H, S, A), ex)
        for t in range(H - 1, -1, -1):
            Q[t] = r + g * mdp.expectation(V[t + 1], exact=ex)
            V[t] = _masked(Q[t], None if mask is None else mask[t]).max(axis=1)
        return V, Q

    rows = np.arange(S)
    act = np.argmax(_masked(r, mask), axis=1)  # greedy start: first allowed largest reward
    eye = _identity(S, ex)
    # Float: only switch for an improvement above the rounding level of the solves,
    # so near-ties cannot make policy iteration cycle.
    thr = 0.0 if ex else 64 * _EPS * (1.0 + float(np.max(np.abs(r)))) / (1.0 - g) ** 2
    for _ in range(_PI_MAX_ITER):
        onehot = _zeros((S, A), ex)
        onehot[rows, act] = Fraction(1) if ex else 1.0
        V = linalg.solve(eye - g * _policy_matrix(mdp, onehot, ex), r[rows, act])
        Q = r + g * mdp.expectation(V, exact=ex)
        Qm = _masked(Q, mask)
        best = np.argmax(Qm, axis=1)
        gain = Qm[rows, best] - Q[rows, act]
        improve = np.asarray(gain > thr, dtype=bool)
        if not improve.any():
            return V, Q
        act = np.where(improve, best, act)
    raise ConvergenceError("policy iteration did not terminate; this indicates float "
                           "trouble (try exact input)")


def optimal_actions(mdp, reward, *, horizon=None, atol=None, exact=None, allowed=None):
    """Boolean mask of the optimal actions ``Q*(s, a) = V*(s)``.

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
    horizon : int, optional
        Overrides ``mdp.horizon``.
    atol : float, optional
        Float path only: an action is optimal when ``V* - Q* <= atol``.  Default
        ``1e-9 * max(1, max |Q*|)``.
    exact : bool, optional
        As for :func:`optimal_values`.
    allowed : (S, A) or (H, S, A) bool array_like, optional
        As for :func:`optimal_values`: the optimal actions of the restricted
        problem (always a subset of ``allowed``).

    Returns
    -------
    (H, S, A) or (S, A) bool ndarray

    Warns
    -----
    ToleranceWarning
        Float path: when some action's gap ``V* - Q*`` lies in the ambiguous band
        ``(atol, 1000 * atol]``.  Such actions are reported as *not* optimal, and
        the warning names the first ``(t, s, a)`` and its gap, so a near-tie is
        never decided silently.  Exact input never warns: equality is exact.

    Notes
    -----
    Cost of :func:`optimal_values` plus ``O(H S A)``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], gamma="1/2")
    >>> idf.optimal_actions(mdp, [[0, 0], [1, 1]]).tolist()
    [[False, True], [True, True]]
    >>> idf.optimal_actions(mdp, [[0, 0], [1, 1]], allowed=[[True, False], [True, True]]).tolist()
    [[True, False], [True, True]]
    """
    _, Q = optimal_values(mdp, reward, horizon=horizon, exact=exact, allowed=allowed)
    ok = None if allowed is None else _check_allowed(mdp, allowed, _horizon(mdp, horizon))
    # max_a Q* is V* exactly on exact input; in float it is the reference that makes every
    # gap >= 0 even when policy iteration stopped within its rounding threshold.
    Vb = _masked(Q, ok).max(axis=-1, keepdims=True)
    if Q.dtype == object:
        eq = np.asarray(Q == Vb, dtype=bool)
        return eq if ok is None else eq & ok
    if atol is None:
        atol = 1e-9 * max(1.0, float(np.max(np.abs(Q))))
    else:
        atol = _parameter(atol, "atol", allow_zero=True)
    gap = Vb - Q
    mask = gap <= atol
    band = (gap > atol) & (gap <= 1000 * atol)
    if ok is not None:
        mask, band = mask & ok, band & ok
    if band.any():
        idx = np.unravel_index(int(np.flatnonzero(band)[0]), band.shape)
        where = ", ".join(f"{n}={int(i)}" for n, i in zip(("t", "s", "a")[-len(idx):], idx))
        warnings.warn(f"optimal_actions: {int(band.sum())} action(s) are within 1000*atol of "
                      f"optimal but not within atol={atol:.3g} (first: {where}, gap "
                      f"{float(gap[idx]):.3g}); they are reported as not optimal.  Use an "
                      f"exact MDP and reward to decide exactly, or pass atol.",
                      ToleranceWarning, stacklevel=2)
    return mask


def boltzmann_policy(mdp, reward, beta=1.0, *, horizon=None, exact=None):
    """Boltzmann-rational policy ``pi(a|s) = softmax_a(beta * (Q*(s, a) - V*(s)))``.

    Uses the *optimal* advantage ``A* = Q* - V*`` of :func:`optimal_values` (not the
    soft values): time-varying for a finite horizon.

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
    beta : float, default 1.0
        Inverse temperature ``>= 0``; ``beta = 0`` is uniform, ``beta -> inf``
        concentrates on the optimal actions.
    horizon : int, optional
        Overrides ``mdp.horizon``.
    exact : bool, optional
        Compute ``A*`` exactly (default when inputs are exact, so optimal actions
        get advantage exactly 0) or in float.

    Returns
    -------
    (H, S, A) or (S, A) float64 ndarray

    Notes
    -----
    Cost of :func:`optimal_values` plus ``O(H S A)``; the softmax subtracts the row
    maximum (which is 0), so it never overflows.  Theorem id: ``boltzmann-limits``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], gamma="1/2")
    >>> idf.boltzmann_policy(mdp, [[0, 0], [1, 1]], beta=2).round(4).tolist()
    [[0.2689, 0.7311], [0.5, 0.5]]
    """
    b = _parameter(beta, "beta", allow_zero=True)
    _, Q = optimal_values(mdp, reward, horizon=horizon, exact=exact)
    adv = Q - Q.max(axis=-1, keepdims=True)  # = Q* - V*, and exactly 0 at a maximiser
    adv = to_float_array(adv) if adv.dtype == object else adv
    _, pi = _soft_backup(b * adv, 1.0)
    return pi


# ---------------------------------------------------------------------- given policies
def policy_evaluation(mdp, reward, policy, *, horizon=None):
    """Value ``V^pi`` of a given policy (no entropy bonus).

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
    policy : (S, A) or (H, S, A) array_like
        Stationary or (finite horizon only) time-varying ``pi[t, s, a]``.  Entries
        may be floats, ints, Fractions or ``"p/q"`` strings.
    horizon : int, optional
        Overrides ``mdp.horizon``.

    Returns
    -------
    (H + 1, S) or (S,) ndarray
        Finite: ``V[H] = 0``, ``V[t] = sum_a pi_t (r + gamma P V[t + 1])``.
        Infinite: the solution of ``(I - gamma P_pi) V = r_pi``.  Exact (Fractions)
        when the MDP, the reward and the policy are exact; float64 otherwise.

    Raises
    ------
    InvalidPolicyError
        Wrong shape, a negative entry, or a row that does not sum to 1.

    Notes
    -----
    Finite: ``O(H (nnz + S A))``.  Infinite: ``O(nnz + S^2)`` to build ``P_pi``
    and an ``O(S^3)`` linear solve (exact rational LU for exact input).
    Theorem id: ``occupancy-value-duality``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], gamma="1/2")
    >>> idf.policy_evaluation(mdp, [[0, 0], [1, 1]], [["1/2", "1/2"], [1, 0]]).tolist()
    [Fraction(2, 3), Fraction(2, 1)]
    """
    H = _horizon(mdp, horizon)
    pi, pi_exact = _check_policy(mdp, policy, H)
    r, ex = _reward_table(mdp, reward, None if (pi_exact and mdp.is_exact) else False)
    if not ex and pi_exact:
        pi = to_float_array(np.asarray(pi))
    g = _gamma(mdp, ex)
    S = mdp.n_states
    if H is not None:
        V = _zeros((H + 1, S), ex)
        for t in range(H - 1, -1, -1):
            Q = r + g * mdp.expectation(V[t + 1], exact=ex)
            V[t] = (pi[t] * Q).sum(axis=1)
        return V
    r_pi = (pi * r).sum(axis=1)
    return linalg.solve(_identity(S, ex) - g * _policy_matrix(mdp, pi, ex), r_pi)


def state_occupancy(mdp, policy, *, horizon=None):
    """State occupancy of a policy started from ``mdp.initial``.

    Parameters
    ----------
    mdp : MDP
    policy : (S, A) or (H, S, A) array_like
        As for :func:`policy_evaluation`.
    horizon : int, optional
        Overrides ``mdp.horizon``.

    Returns
    -------
    (H + 1, S) or (S,) ndarray
        Finite: ``d[t, s] = P(s_t = s)`` for ``t = 0..H`` (each row sums to 1).
        Infinite: the discounted occupancy ``d(s) = sum_t gamma^t P(s_t = s)``
        (sums to ``1 / (1 - gamma)``), the solution of
        ``(I - gamma P_pi)^T d = initial``.  Exact when the MDP and the policy are
        exact.

    Raises
    ------
    InvalidPolicyError

    Notes
    -----
    Finite: ``O(H nnz)``, one sparse push-forward ``d P_pi`` per step
    (a bincount over the transition entries).  Infinite: ``O(S^3)`` solve.
    Theorem ids: ``occupancy-normalisation``, ``occupancy-value-duality``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[["1/2", "1/2"]], [[0, 1]]], initial=[1, 0], horizon=2)
    >>> idf.state_occupancy(mdp, [[1], [1]]).tolist()
    [[Fraction(1, 1), Fraction(0, 1)], [Fraction(1, 2), Fraction(1, 2)], [Fraction(1, 4), Fraction(3, 4)]]
    """
    H = _horizon(mdp, horizon)
    pi, pi_exact = _check_policy(mdp, policy, H)
    ex = pi_exact and mdp.is_exact
    if pi_exact and not ex:
        pi = to_float_array(np.asarray(pi))
    mu = mdp.initial if ex else to_float_array(mdp.initial)
    S = mdp.n_states
    if H is not None:
        d = _zeros((H + 1, S), ex)
        d[0] = mu
        for t in range(H):
            d[t + 1] = _push_forward(mdp, d[t], pi[t], ex)
        return d
    g = _gamma(mdp, ex)
    M = _identity(S, ex) - g * _policy_matrix(mdp, pi, ex)
    return linalg.solve(np.ascontiguousarray(M.T), mu.copy())


def state_action_occupancy(mdp, policy, *, horizon=None):
    """State-action occupancy ``d(s) pi(a|s)`` of a policy started from ``mdp.initial``.

    Parameters
    ----------
    mdp : MDP
    policy : (S, A) or (H, S, A) array_like
    horizon : int, optional
        Overrides ``mdp.horizon``.

    Returns
    -------
    (H, S, A) or (S, A) ndarray
        Finite: ``x[t, s, a] = P(s_t = s, a_t = a)``, ``t = 0..H-1``.  Infinite:
        ``x(s, a) = sum_t gamma^t P(s_t = s, a_t = a)``.  Exact when the MDP and
        the policy are exact.

    Notes
    -----
    Cost of :func:`state_occupancy`.  Theorem id: ``occupancy-value-duality``:
    ``sum_t gamma^t <x_t, r> = <initial, V^pi_0>``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], gamma="1/2")
    >>> x = idf.state_action_occupancy(mdp, [["1/2", "1/2"], [1, 0]])
    >>> x.tolist()
    [[Fraction(2, 3), Fraction(2, 3)], [Fraction(2, 3), Fraction(0, 1)]]
    """
    H = _horizon(mdp, horizon)
    pi, pi_exact = _check_policy(mdp, policy, H)
    d = state_occupancy(mdp, pi, horizon=H)
    if d.dtype != object and pi_exact:
        pi = to_float_array(np.asarray(pi))
    if H is not None:
        return d[:H, :, None] * pi
    return d[:, None] * pi


# ---------------------------------------------------------------------- trajectories
def _trajectory_indices(mdp, states, actions, where):
    """Validated int64 ``(..., T + 1)`` states and ``(..., T)`` actions."""
    arrays = []
    for name, x, n in (("states", states, mdp.n_states), ("actions", actions, mdp.n_actions)):
        arr = np.asarray(x)
        if arr.dtype == object or arr.dtype.kind == "b" or (arr.size and arr.dtype.kind not in "iu"):
            if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
                arr = arr.astype(np.int64)
            else:
                raise InvalidTrajectoryError(f"{where}: {name} must be integer indices, "
                                             f"got dtype {arr.dtype}")
        arrays.append(arr.astype(np.int64))
    s, a = arrays
    if s.ndim not in (1, 2) or s.ndim != a.ndim:
        raise InvalidTrajectoryError(
            f"{where}: states must have shape (T+1,) or (N, T+1) and actions (T,) or (N, T); "
            f"got {s.shape} and {a.shape}")
    if s.shape[:-1] != a.shape[:-1] or s.shape[-1] != a.shape[-1] + 1:
        raise InvalidTrajectoryError(
            f"{where}: states has shape {s.shape} and actions {a.shape}; a trajectory "
            f"with T actions has T+1 states")
    for name, arr, n in (("states", s, mdp.n_states), ("actions", a, mdp.n_actions)):
        bad = (arr < 0) | (arr >= n)
        if bad.any():
            idx = np.unravel_index(int(np.flatnonzero(bad)[0]), arr.shape)
            pos = f"trajectory {idx[0]}, t={idx[1]}" if arr.ndim == 2 else f"t={idx[0]}"
            raise InvalidTrajectoryError(f"{where}: {name} has index {int(arr[idx])} at "
                                         f"{pos}, outside 0..{n - 1}")
    return s, a


def trajectory_return(mdp, reward, states, actions):
    """Discounted return ``G = sum_t gamma^t R(s_t, a_t, s_{t+1})`` of trajectories.

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
        The realised reward of each transition by the shape-prefix rule.
    states : (T + 1,) or (N, T + 1) array_like of int
    actions : (T,) or (N, T) array_like of int

    Returns
    -------
    scalar or (N,) ndarray
        Fraction (object array) when the MDP and the reward are exact, else float.

    Raises
    ------
    InvalidTrajectoryError
        Shapes that do not match or indices outside the MDP.  Whether the
        trajectory is possible under ``P`` is *not* checked: any index sequence is
        scored.

    Notes
    -----
    ``O(N T)``, one vectorised gather.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], gamma="1/2")
    >>> idf.trajectory_return(mdp, [[0, 0], [1, 1]], [0, 1, 1], [1, 0])
    Fraction(1, 2)
    >>> idf.trajectory_return(mdp, [0.0, 1.0], [[0, 1, 1], [1, 1, 1]], [[1, 0], [0, 0]])
    array([0.5, 1.5])
    """
    s, a = _trajectory_indices(mdp, states, actions, "trajectory_return")
    R = as_reward(reward, mdp)
    ex = R.dtype == object and mdp.is_exact
    if not ex and R.dtype == object:
        R = to_float_array(R)  # exact reward on a float MDP: the return is float
    T = a.shape[-1]
    if R.ndim == 1:
        vals = R[s[..., :-1]]
    elif R.ndim == 2:
        vals = R[s[..., :-1], a]
    else:
        vals = R[s[..., :-1], a, s[..., 1:]]
    if ex:
        disc = np.empty(T, dtype=object)
        disc[:] = [mdp.gamma ** t for t in range(T)]
        total = (vals * disc).sum(axis=-1) if T else _zeros(s.shape[:-1], True)
        return total if s.ndim == 2 else (Fraction(total) if T else Fraction(0))
    disc = float(mdp.gamma) ** np.arange(T)
    total = (vals * disc).sum(axis=-1)
    return total if s.ndim == 2 else float(total)


def _sigmoid(x):
    """Stable logistic function: never exponentiates a positive number."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def bradley_terry_probability(mdp, reward, traj_a, traj_b, *, beta=1.0):
    """Bradley-Terry preference ``P(a > b) = sigmoid(beta * (G(a) - G(b)))``.

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
    traj_a, traj_b : tuple (states, actions)
        Trajectories (or batches of ``N`` trajectories) as for
        :func:`trajectory_return`; the two may have different lengths.
    beta : float, default 1.0
        Inverse temperature ``>= 0`` (``beta = 0``: every comparison is 1/2).

    Returns
    -------
    float or (N,) float64 ndarray

    Notes
    -----
    ``O(N T)``.  The return difference is taken exactly for exact input and only
    then rounded, so ``P(a > b) + P(b > a) = 1`` to rounding.  Theorem id:
    ``bradley-terry-symmetry``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], gamma="1/2")
    >>> p = idf.bradley_terry_probability(mdp, [0, 1], ([1, 1], [0]), ([0, 0], [0]))
    >>> round(p, 4)
    0.7311
    """
    b = _parameter(beta, "beta", allow_zero=True)
    trajs = []
    for name, traj in (("traj_a", traj_a), ("traj_b", traj_b)):
        if not isinstance(traj, (tuple, list)) or len(traj) != 2:
            raise InvalidTrajectoryError(f"bradley_terry_probability: {name} must be a pair "
                                         f"(states, actions), got {type(traj).__name__}")
        trajs.append(trajectory_return(mdp, reward, traj[0], traj[1]))
    diff = np.asarray(trajs[0] - trajs[1])
    if diff.dtype == object:
        diff = to_float_array(diff)
    p = _sigmoid(b * diff.astype(np.float64))
    return float(p) if p.ndim == 0 else p
