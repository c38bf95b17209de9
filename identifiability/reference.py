"""Brute-force oracles for the tests: slow on purpose, and EXPONENTIAL.

Everything here enumerates trajectories or policies explicitly, so its cost grows
like ``(A * max_successors) ** H`` or ``A ** (S * H)``.  Use it only on tiny MDPs,
as an independent check of the fast code in :mod:`identifiability.behaviour`
(the differential family of property tests).  The oracles are themselves tested
on hand-computed cases in ``tests/test_reference.py``.

Functions
---------
enumerate_trajectories       every trajectory with positive dynamics probability
trajectory_distribution      law of the soft-optimal agent's trajectories
ziebart_probability          Ziebart's MaxEnt law ``exp((r(tau) - V_0(s_0)) / lambda) prod P``
expected_return              expected discounted return of a policy, by enumeration (exact)
regularised_return           entropy-regularised objective of a policy, by enumeration
brute_force_optimal_values   optimal values as a max over all deterministic policies
accessible_layers            the layers ``L_t`` of states reachable at time ``t``
numerical_jacobian           central finite differences of any function
log_policy_jacobian          finite-difference Jacobian of ``r -> log pi_t`` on Access
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np

from ._numbers import is_exact_array, parse_array, to_fractions, to_float_array
from .behaviour import (
    _horizon,
    policy_evaluation,
    soft_policy,
    soft_value_iteration,
    soft_values,
    trajectory_return,
)
from .errors import InvalidMDPError, InvalidParameterError, InvalidPolicyError
from .reward import as_reward, expected_reward

__all__ = [
    "enumerate_trajectories",
    "trajectory_distribution",
    "ziebart_probability",
    "expected_return",
    "regularised_return",
    "brute_force_optimal_values",
    "accessible_layers",
    "numerical_jacobian",
    "log_policy_jacobian",
]


def _finite_horizon(mdp, horizon, who):
    H = _horizon(mdp, horizon)
    if H is None:
        raise InvalidMDPError(f"{who} enumerates trajectories and needs a finite horizon; "
                              "pass horizon=H")
    return H


def _starts(mdp, start):
    if start is None:
        return mdp.start_states
    if isinstance(start, (int, np.integer)) and not isinstance(start, bool):
        return (mdp._check_state(start, "start"),)
    return tuple(mdp._check_state(s, "start") for s in start)


def enumerate_trajectories(mdp, horizon=None, start=None):
    """Yield every trajectory with positive dynamics probability.

    Parameters
    ----------
    mdp : MDP
    horizon : int, optional
        Number of decisions ``H`` (default ``mdp.horizon``; must be finite).
    start : int or sequence of int, optional
        Start state(s); default: the support of ``mdp.initial``.

    Yields
    ------
    states : tuple of int, length ``H + 1``
    actions : tuple of int, length ``H``
    prob : Fraction or float
        ``prod_t P(s_{t+1} | s_t, a_t)`` (the initial probability is *not*
        included); a Fraction when the MDP is exact.

    Notes
    -----
    Depth-first, in lexicographic order of ``(s_0, a_0, s_1, a_1, ...)``.
    ``O(|starts| (A k)^H)`` for at most ``k`` successors per pair: exponential.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.reference import enumerate_trajectories
    >>> mdp = idf.MDP([[["1/2", "1/2"]], [[0, 1]]], initial=[1, 0], horizon=2)
    >>> for tau in enumerate_trajectories(mdp):
    ...     print(tau)
    ((0, 0, 0), (0, 0), Fraction(1, 4))
    ((0, 0, 1), (0, 0), Fraction(1, 4))
    ((0, 1, 1), (0, 0), Fraction(1, 2))
    """
    H = _finite_horizon(mdp, horizon, "enumerate_trajectories")
    one = Fraction(1) if mdp.is_exact else 1.0
    # Successor lists once, so the recursion does no validation work.
    succ = {(s, a): list(mdp.next_state_distribution(s, a).items())
            for s in range(mdp.n_states) for a in range(mdp.n_actions)}

    def walk(states, actions, prob):
        if len(actions) == H:
            yield tuple(states), tuple(actions), prob
            return
        s = states[-1]
        for a in range(mdp.n_actions):
            for sn, p in succ[(s, a)]:
                yield from walk(states + [sn], actions + [a], prob * p)

    for s0 in _starts(mdp, start):
        yield from walk([s0], [], one)


def trajectory_distribution(mdp, reward, *, horizon=None, temperature=1.0):
    """Law of the soft-optimal agent's trajectories, started from ``mdp.initial``.

    ``p(tau) = initial(s_0) prod_t pi_t(a_t | s_t) P(s_{t+1} | s_t, a_t)`` with the
    policy of :func:`identifiability.soft_policy`.

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
    horizon : int, optional
        Must be finite (default ``mdp.horizon``).
    temperature : float, default 1.0

    Returns
    -------
    dict
        ``{(states, actions): probability}`` (floats) over every trajectory with
        positive dynamics probability from a start state; the values sum to 1.

    Notes
    -----
    Exponential, see :func:`enumerate_trajectories`.

    Examples
    --------
    >>> import math, identifiability as idf
    >>> from identifiability.reference import trajectory_distribution
    >>> bandit = idf.MDP([[[1], [1]]], horizon=2)
    >>> law = trajectory_distribution(bandit, [[0.0, math.log(3)]])
    >>> round(law[(0, 0, 0), (1, 1)], 6)     # (3/4) ** 2
    0.5625
    """
    H = _finite_horizon(mdp, horizon, "trajectory_distribution")
    pi = soft_policy(mdp, reward, horizon=H, temperature=temperature)
    mu = np.asarray([float(x) for x in mdp.initial])
    out = {}
    for states, actions, prob in enumerate_trajectories(mdp, H):
        p = mu[states[0]] * float(prob)
        for t, (s, a) in enumerate(zip(states, actions)):
            p *= pi[t, s, a]
        out[(states, actions)] = float(p)
    return out


def ziebart_probability(mdp, reward, states, actions, temperature=1.0):
    """Ziebart's MaxEnt trajectory law ``exp((r(tau) - V_0(s_0)) / lambda) prod_t P``.

    As reconstructed in our theory notes (§3.1 of ``identifiability.md``): for a
    deterministic MDP with ``gamma = 1`` this equals the soft-optimal agent's
    ``p(tau | s_0)``; for ``gamma < 1`` it does not (theorem id
    ``ziebart-law-deterministic``).

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
    states : sequence of int, length ``T + 1``
    actions : sequence of int, length ``T``
        The horizon is ``T = len(actions)``.
    temperature : float, default 1.0

    Returns
    -------
    float
        Conditional on ``s_0`` (the initial probability is not included).
        ``r(tau) = sum_t gamma^t R(s_t, a_t, s_{t+1})`` is
        :func:`identifiability.trajectory_return` and ``V_0`` the soft value at
        horizon ``T``.

    Examples
    --------
    >>> import math, identifiability as idf
    >>> from identifiability.reference import ziebart_probability
    >>> bandit = idf.MDP([[[1], [1]]], horizon=2)
    >>> round(ziebart_probability(bandit, [[0.0, math.log(3)]], [0, 0, 0], [1, 0]), 6)
    0.1875
    """
    T = len(actions)
    V, _ = soft_values(mdp, reward, horizon=T, temperature=temperature)
    G = float(trajectory_return(mdp, reward, states, actions))
    dyn = 1.0
    for t in range(T):
        dyn *= float(mdp.next_state_distribution(states[t], actions[t]).get(states[t + 1], 0))
    return math.exp((G - V[0, states[0]]) / float(temperature)) * dyn


def expected_return(mdp, reward, policy, *, horizon=None):
    """Expected discounted return of a policy from every state, by enumerating trajectories.

    ``G(s) = sum_tau P_pi(tau | s_0 = s) sum_t gamma^t R(s_t, a_t, s_{t+1})``.

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
    policy : (S, A) or (H, S, A) array_like
        Exact entries (ints, Fractions, ``"p/q"``) keep the result exact.
    horizon : int, optional
        Must be finite.

    Returns
    -------
    (S,) ndarray
        Fractions when the MDP, reward and policy are exact; float64 otherwise.

    Notes
    -----
    Exponential; the independent oracle for :func:`identifiability.policy_evaluation`.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.reference import expected_return
    >>> mdp = idf.MDP([[["1/2", "1/2"]], [[0, 1]]], horizon=2)
    >>> expected_return(mdp, [0, 1], [[1], [1]]).tolist()     # 0 + 1/2, and 1 + 1
    [Fraction(1, 2), Fraction(2, 1)]
    """
    H = _finite_horizon(mdp, horizon, "expected_return")
    pi = parse_array(policy, where="policy", error=InvalidPolicyError)
    if pi.ndim == 2:
        pi = np.broadcast_to(pi, (H,) + pi.shape)
    R = as_reward(reward, mdp)
    exact = mdp.is_exact and is_exact_array(pi) and R.dtype == object
    if exact:
        pi = to_fractions(pi)
    else:
        pi = to_float_array(np.asarray(pi))
    out = np.empty(mdp.n_states, dtype=object) if exact else np.zeros(mdp.n_states)
    out[:] = Fraction(0) if exact else 0.0
    for states, actions, prob in enumerate_trajectories(mdp, H, start=range(mdp.n_states)):
        p = prob if exact else float(prob)
        for t, (s, a) in enumerate(zip(states, actions)):
            p = p * pi[t, s, a]
        if p != 0:
            G = trajectory_return(mdp, reward, states, actions)
            out[states[0]] += p * (G if exact else float(G))
    return out


def regularised_return(mdp, reward, policy, *, horizon=None, temperature=1.0):
    """Entropy-regularised objective of a policy, by enumerating trajectories.

    ``J(s) = E[sum_t gamma^t (R(s_t, a_t, s_{t+1}) - lambda log pi_t(a_t | s_t)) | s_0 = s]``
    for every start state ``s`` (terms with ``pi = 0`` contribute 0).

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
    policy : (S, A) or (H, S, A) array_like of float
    horizon : int, optional
        Must be finite.
    temperature : float, default 1.0

    Returns
    -------
    (S,) float64 ndarray

    Notes
    -----
    Exponential: enumerates every trajectory from every state.  The soft value
    ``V_0`` is the maximum of ``J`` over policies, attained by the soft policy
    (theorem id ``soft-value-variational``).

    Examples
    --------
    >>> import math, identifiability as idf
    >>> from identifiability.reference import regularised_return
    >>> bandit = idf.MDP([[[1], [1]]], horizon=1)
    >>> J = regularised_return(bandit, [[0.0, math.log(3)]], [[0.5, 0.5]])
    >>> round(float(J[0]), 6) == round(math.log(3) / 2 + math.log(2), 6)
    True
    """
    H = _finite_horizon(mdp, horizon, "regularised_return")
    pi = np.asarray(policy, dtype=np.float64)
    if pi.ndim == 2:
        pi = np.broadcast_to(pi, (H,) + pi.shape)
    lam = float(temperature)
    g = float(mdp.gamma)
    J = np.zeros(mdp.n_states)
    for states, actions, prob in enumerate_trajectories(mdp, H, start=range(mdp.n_states)):
        p = float(prob)
        bonus = 0.0
        for t, (s, a) in enumerate(zip(states, actions)):
            p *= pi[t, s, a]
            if pi[t, s, a] > 0:
                bonus -= lam * g ** t * math.log(pi[t, s, a])
        if p > 0:
            J[states[0]] += p * (float(trajectory_return(mdp, reward, states, actions)) + bonus)
    return J


def brute_force_optimal_values(mdp, reward, *, horizon=None, max_policies=200000):
    """Optimal values as the state-wise maximum over all deterministic policies.

    Finite horizon: over all ``A^(S H)`` deterministic Markov policies, each
    evaluated by :func:`identifiability.policy_evaluation`; infinite horizon: over
    all ``A^S`` deterministic stationary policies.

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
    horizon : int, optional
    max_policies : int, default 200000
        Refuse (InvalidParameterError) when there are more policies than this.

    Returns
    -------
    (H + 1, S) or (S,) ndarray
        Exact (Fractions) when the MDP and reward are exact.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.reference import brute_force_optimal_values
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], gamma="1/2")
    >>> brute_force_optimal_values(mdp, [[0, 0], [1, 1]]).tolist()
    [Fraction(1, 1), Fraction(2, 1)]
    """
    H = _horizon(mdp, horizon)
    S, A = mdp.n_states, mdp.n_actions
    cells = S * (1 if H is None else H)
    if A ** cells > max_policies:
        raise InvalidParameterError(f"{A}^{cells} deterministic policies exceed "
                                    f"max_policies={max_policies}")
    shape = (S, A) if H is None else (H, S, A)
    best = None
    for choice in itertools.product(range(A), repeat=cells):
        pi = np.zeros(shape, dtype=np.int64)
        pi.reshape(cells, A)[np.arange(cells), choice] = 1
        V = policy_evaluation(mdp, reward, pi, horizon=H)
        best = V if best is None else np.where(np.asarray(V > best, dtype=bool), V, best)
    return best


def accessible_layers(mdp, horizon=None):
    """The accessible layers ``L_0 = supp(initial)``, ``L_{t+1} = successors(L_t)``.

    Parameters
    ----------
    mdp : MDP
    horizon : int, optional
        Must be finite.

    Returns
    -------
    list of frozenset of int
        ``[L_0, ..., L_H]``; "Access" is ``{(t, s) : s in L_t, t <= H - 1}``.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.reference import accessible_layers
    >>> mdp = idf.MDP([[[0, 1, 0]], [[0, 0, 1]], [[0, 0, 1]]], initial=[1, 0, 0], horizon=2)
    >>> [sorted(L) for L in accessible_layers(mdp)]
    [[0], [1], [2]]
    """
    H = _finite_horizon(mdp, horizon, "accessible_layers")
    layers = [frozenset(mdp.start_states)]
    for _ in range(H):
        layers.append(frozenset(sn for s in layers[-1] for a in range(mdp.n_actions)
                                for sn in mdp.successors(s, a)))
    return layers


def numerical_jacobian(f, x, eps=1e-6):
    """Central finite-difference Jacobian of ``f : R^n -> R^m`` at ``x``.

    Parameters
    ----------
    f : callable
        Takes and returns 1-D float arrays.
    x : (n,) array_like
    eps : float, default 1e-6

    Returns
    -------
    (m, n) float64 ndarray
        Error ``O(eps^2)`` plus rounding ``O(eps_machine / eps)``.

    Examples
    --------
    >>> import numpy as np
    >>> from identifiability.reference import numerical_jacobian
    >>> numerical_jacobian(lambda v: np.array([v[0] * v[1]]), [2.0, 3.0]).round(6).tolist()
    [[3.0, 2.0]]
    """
    x = np.asarray(x, dtype=np.float64)
    cols = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = eps
        cols.append((np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * eps))
    return np.stack(cols, axis=1)


def log_policy_jacobian(mdp, reward, *, horizon=None, temperature=1.0, eps=1e-6):
    """Finite-difference Jacobian of ``r -> log pi_t(a | s)`` restricted to Access.

    The reward is an ``(S, A)`` table vectorised as ``r[s * A + a]`` (the note's
    index convention).

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
        Point of linearisation (converted to its ``(S, A)`` expected reward).
    horizon : int, optional
        Must be finite.
    temperature : float, default 1.0
    eps : float, default 1e-6

    Returns
    -------
    J : (K, S * A) float64 ndarray
        Row ``k`` is the gradient of ``log pi_t(a | s)`` for ``rows[k] = (t, s, a)``.
    rows : (K, 3) int64 ndarray
        Every ``(t, s, a)`` with ``s`` in the accessible layer ``L_t``, ``t < H``.

    Examples
    --------
    A one-step bandit: ``d log pi(a) / d r(b) = [a == b] - pi(b)``.

    >>> import identifiability as idf
    >>> from identifiability.reference import log_policy_jacobian
    >>> bandit = idf.MDP([[[1], [1]]], horizon=1)
    >>> J, rows = log_policy_jacobian(bandit, [[0.0, 0.0]])
    >>> J.round(6).tolist(), rows.tolist()
    ([[0.5, -0.5], [-0.5, 0.5]], [[0, 0, 0], [0, 0, 1]])
    """
    H = _finite_horizon(mdp, horizon, "log_policy_jacobian")
    S, A = mdp.n_states, mdp.n_actions
    layers = accessible_layers(mdp, H)
    rows = np.array([(t, s, a) for t in range(H) for s in sorted(layers[t]) for a in range(A)],
                    dtype=np.int64).reshape(-1, 3)
    r0 = expected_reward(mdp, reward, exact=False).reshape(-1)

    def f(r):
        logpi = soft_value_iteration(mdp, r.reshape(S, A), horizon=H,
                                     temperature=temperature).log_policy()
        return logpi[rows[:, 0], rows[:, 1], rows[:, 2]]

    return numerical_jacobian(f, r0, eps), rows
