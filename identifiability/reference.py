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
deterministic_policy_returns ``J`` of every deterministic stationary policy
brute_force_strong_regret    STARC's strong regret (all policies, via the 2-D hull)
same_policy_order            do two rewards order all policies alike (affine returns)
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
    "deterministic_policy_returns",
    "brute_force_strong_regret",
    "same_policy_order",
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


# ---------------------------------------------------------------------- regret oracles
def deterministic_policy_returns(mdp, rewards, *, max_policies=20000):
    """Returns ``J`` of every deterministic stationary policy, by enumeration.

    Parameters
    ----------
    mdp : MDP
        Infinite discounted horizon (``horizon=None``, ``gamma < 1``).
    rewards : sequence of (S,), (S, A) or (S, A, S) array_like
        One or more rewards; each is evaluated on every policy.
    max_policies : int, default 20000
        Refuse (InvalidParameterError) when ``A^S`` exceeds this.

    Returns
    -------
    actions : (N, S) int64 ndarray
        ``N = A^S`` policies in lexicographic order; ``actions[n, s]`` is the action.
    J : (len(rewards), N) ndarray
        ``J[k, n] = E_{mu0} V^{pi_n}`` under ``rewards[k]``, each by
        :func:`identifiability.policy_evaluation` (object Fractions when everything
        is exact, else float64).

    Notes
    -----
    Exponential: ``A^S`` policy evaluations per reward.  The independent oracle of
    :mod:`identifiability.regret` (it never calls ``optimal_values``).

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.reference import deterministic_policy_returns
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], gamma="1/2")
    >>> acts, J = deterministic_policy_returns(mdp, [[0, 1]])
    >>> acts.tolist(), J.tolist()
    ([[0, 0], [0, 1], [1, 0], [1, 1]], [[Fraction(0, 1), Fraction(0, 1), Fraction(1, 1), Fraction(1, 1)]])
    """
    S, A = mdp.n_states, mdp.n_actions
    if mdp.horizon is not None:
        raise InvalidMDPError("deterministic_policy_returns enumerates stationary policies of "
                              "the infinite discounted horizon; pass mdp.replace(horizon=None)")
    if A ** S > max_policies:
        raise InvalidParameterError(f"{A}^{S} deterministic policies exceed "
                                    f"max_policies={max_policies}")
    actions = np.array(list(itertools.product(range(A), repeat=S)), dtype=np.int64).reshape(-1, S)
    rows = []
    for reward in rewards:
        vals = []
        for choice in actions:
            pi = np.zeros((S, A), dtype=np.int64)
            pi[np.arange(S), choice] = 1
            V = policy_evaluation(mdp, reward, pi)
            if V.dtype == object:
                vals.append(sum((m * v for m, v in zip(mdp.initial.tolist(), V.tolist())),
                                Fraction(0)))
            else:
                vals.append(float(to_float_array(np.asarray(mdp.initial)) @ V))
        rows.append(vals)
    exact = bool(rows) and all(isinstance(v, Fraction) for row in rows for v in row)
    J = np.empty((len(rows), len(actions)), dtype=object)
    J[...] = rows if rows else J
    return actions, (J if exact else J.astype(np.float64))


def _hull(points):
    """Convex hull (Andrew's monotone chain) of 2-D points, exact on Fractions.

    Returns the hull vertices in counter-clockwise order (collinear points dropped).
    """
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _extreme_x_on_side(hull, t, below, maximise):
    """max (or min) of ``x`` over the polygon ``hull`` intersected with ``y <= t``
    (``below``) or ``y >= t``; ``None`` if the intersection is empty."""
    cands = [p[0] for p in hull if (p[1] <= t if below else p[1] >= t)]
    n = len(hull)
    for i in range(n if n > 2 else n - 1):
        p, q = hull[i], hull[(i + 1) % n]
        if (p[1] - t) * (q[1] - t) < 0:  # the edge crosses the line y = t
            cands.append(p[0] + (q[0] - p[0]) * (t - p[1]) / (q[1] - p[1]))
    if not cands:
        return None
    return max(cands) if maximise else min(cands)


def brute_force_strong_regret(mdp, reward1, reward2, *, stochastic=True, max_policies=20000,
                              atol=1e-9):
    """STARC's strong regret ``max {J1(pi1) - J1(pi2) : J2(pi2) >= J2(pi1)}``, by enumeration.

    Parameters
    ----------
    mdp : MDP
        Infinite discounted horizon.
    reward1, reward2 : (S,), (S, A) or (S, A, S) array_like
        The true reward ``R1`` (whose return is regretted) and the proxy ``R2``.
    stochastic : bool, default True
        True: the supremum over **all** policies.  The set of achievable pairs
        ``(J1(pi), J2(pi))`` is the convex hull of the deterministic policies' pairs
        (returns are linear in the occupancy measure, whose polytope has the
        deterministic policies as vertices), and on a planar convex set the supremum
        is attained at ``J2``-levels of hull vertices, computed exactly.  False: the
        maximum over pairs of deterministic policies only, which can be strictly
        smaller (see the example).
    max_policies : int, default 20000
        As for :func:`deterministic_policy_returns`.
    atol : float, default 1e-9
        Float input only: ``J2`` levels within ``atol * max(1, max |J2|)`` of each other
        count as ties (policies that tie exactly under ``R2`` differ by rounding).

    Returns
    -------
    Fraction or float
        ``>= 0``; exact when the MDP and both rewards are exact.

    Notes
    -----
    ``A^S`` policy evaluations per reward, then ``O(N log N)`` for the hull and
    ``O(h^2)`` for the ``h`` hull vertices.  With ``t`` the ``J2``-level,
    ``f(t) = max{J1 : J2 <= t}`` is concave and ``g(t) = min{J1 : J2 >= t}`` convex
    on the hull, so ``f - g`` is concave and piecewise linear with breakpoints at
    vertex levels.  Theorem id: ``starc-soundness-bound``.

    Examples
    --------
    A three-armed bandit whose arms have ``(J1, J2) = (0, 0), (2, 2), (0, 1)`` times
    ``1 / (1 - gamma)``: no pair of arms has regret, but mixing the first two arms
    half-half gives ``J2 = 1 / (1 - gamma)`` like the third arm, and ``J1`` higher by
    ``1 / (1 - gamma) = 2``.

    >>> import identifiability as idf
    >>> from identifiability.reference import brute_force_strong_regret
    >>> bandit = idf.MDP([[[1], [1], [1]]], gamma="1/2")
    >>> R1, R2 = [[0, 2, 0]], [[0, 2, 1]]
    >>> brute_force_strong_regret(bandit, R1, R2, stochastic=False)
    Fraction(0, 1)
    >>> brute_force_strong_regret(bandit, R1, R2)
    Fraction(2, 1)
    """
    _, J = deterministic_policy_returns(mdp, [reward1, reward2], max_policies=max_policies)
    J1, J2 = J[0], J[1]
    exact = J.dtype == object
    zero = Fraction(0) if exact else 0.0
    if not exact:
        # float: returns that tie exactly under R2 come out a few ulps apart; snap J2
        # levels within atol * scale of each other to one level so the tie constraint
        # J2(pi2) >= J2(pi1) sees them as equal (exact input needs no tolerance)
        J2 = np.array(J2, dtype=np.float64)
        order = np.argsort(J2, kind="stable")
        tol = atol * max(1.0, float(np.abs(J2).max()) if J2.size else 1.0)
        level = J2[order[0]] if J2.size else 0.0
        for k in order:
            if J2[k] - level > tol:
                level = J2[k]
            J2[k] = level
    if not stochastic:
        ok = np.asarray(J2[None, :] >= J2[:, None], dtype=bool)  # ok[i, j]: pi1 = i, pi2 = j
        diff = J1[:, None] - J1[None, :]
        best = max((d for d in diff[ok].tolist()), default=zero)
        return max(best, zero)
    hull = _hull(list(zip(J1.tolist(), J2.tolist())))
    best = zero
    for t in sorted({p[1] for p in hull}):
        hi = _extreme_x_on_side(hull, t, below=True, maximise=True)
        lo = _extreme_x_on_side(hull, t, below=False, maximise=False)
        if hi is not None and lo is not None and hi - lo > best:
            best = hi - lo
    return best


def same_policy_order(mdp, reward1, reward2, *, max_policies=20000, atol=1e-9):
    """Do two rewards order all policies the same way?  Decided by enumeration.

    Parameters
    ----------
    mdp : MDP
        Infinite discounted horizon.
    reward1, reward2 : (S,), (S, A) or (S, A, S) array_like
    max_policies : int, default 20000
        As for :func:`deterministic_policy_returns`.
    atol : float, default 1e-9
        Float input only: tolerance (relative to the spread of the returns).

    Returns
    -------
    bool
        True iff ``J2 = c J1 + b`` on every deterministic policy for some ``c > 0``
        (or both are constant).  Returns are linear in the occupancy measure and the
        deterministic policies span its polytope, so this is equivalent to
        ``J1(pi) >= J1(pi') <=> J2(pi) >= J2(pi')`` for **all** policies.  Comparing
        only the order of the deterministic policies would not be enough (mixtures
        can break ties differently).

    Notes
    -----
    ``A^S`` policy evaluations per reward.  Theorem id: ``starc-zero-iff-same-order``.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.reference import same_policy_order
    >>> bandit = idf.MDP([[[1], [1], [1]]], gamma="1/2")
    >>> same_policy_order(bandit, [[0, 1, 2]], [[1, 3, 5]]), same_policy_order(bandit, [[0, 1, 2]], [[0, 1, 5]])
    (True, False)
    """
    _, J = deterministic_policy_returns(mdp, [reward1, reward2], max_policies=max_policies)
    J1, J2 = J[0], J[1]
    i, j = int(np.argmin(J1)), int(np.argmax(J1))
    if J.dtype == object:
        if J1[i] == J1[j]:
            return bool(np.all(J2 == J2[0]))
        c = (J2[j] - J2[i]) / (J1[j] - J1[i])
        return c > 0 and bool(np.all(J2 - J2[i] == c * (J1 - J1[i])))
    J1, J2 = J1.astype(float), J2.astype(float)
    s1, s2 = np.ptp(J1), np.ptp(J2)
    tol1, tol2 = atol * max(1.0, np.max(np.abs(J1))), atol * max(1.0, np.max(np.abs(J2)))
    if s1 <= tol1 or s2 <= tol2:
        return bool(s1 <= tol1 and s2 <= tol2)
    c = (J2[j] - J2[i]) / (J1[j] - J1[i])
    return bool(c > 0 and np.all(np.abs(J2 - J2[i] - c * (J1 - J1[i])) <= tol2 * 10))


def _naive_inputs(mdp, reward, dists):
    """Dense ``(S, A, S)`` reward and transitions plus distributions, all exact or all float."""
    from .reward import broadcast_reward

    R = broadcast_reward(reward, mdp)
    ds = [np.array([Fraction(1, n)] * n, dtype=object) if d is None else
          parse_array(d, where="dist", error=InvalidParameterError) for d, n in dists]
    exact = mdp.is_exact and R.dtype == object and all(is_exact_array(d) for d in ds)
    P = np.asarray(mdp.transitions)
    if exact:
        return R, P, [to_fractions(d) for d in ds], mdp.gamma
    return (to_float_array(R), to_float_array(P), [to_float_array(d) for d in ds],
            float(mdp.gamma))


def epic_canonical_naive(reward, mdp, state_dist=None, action_dist=None):
    """EPIC's canonical reward computed entry by entry from its definition.

    ``C(R)(s, a, s') = R(s, a, s') + E[gamma R(s', A, S') - R(s, A, S') - gamma R(S, A, S')]``
    with ``S, S' ~ D_S`` and ``A ~ D_A`` independent: a triple loop over ``(s, a, s')``,
    each expectation summed over its own variables.  ``O(S^3 A (S A + S^2 A))``.

    Parameters
    ----------
    reward : (S,), (S, A) or (S, A, S) array_like
    mdp : MDP
    state_dist, action_dist : array_like, optional
        Default uniform.

    Returns
    -------
    (S, A, S) ndarray
        Exact when every input is exact.

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.reference import epic_canonical_naive
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> str(epic_canonical_naive([[[0, 0], [0, 1]], [[0, 0], [0, 0]]], mdp)[0, 1, 1])
    '51/80'
    """
    S, A = mdp.n_states, mdp.n_actions
    R, _, (dS, dA), g = _naive_inputs(mdp, reward, [(state_dist, S), (action_dist, A)])
    out = np.empty((S, A, S), dtype=R.dtype)
    for s in range(S):
        for a in range(A):
            for sn in range(S):
                e_next = sum(dA[b] * dS[y] * R[sn, b, y] for b in range(A) for y in range(S))
                e_here = sum(dA[b] * dS[y] * R[s, b, y] for b in range(A) for y in range(S))
                e_any = sum(dS[x] * dA[b] * dS[y] * R[x, b, y]
                            for x in range(S) for b in range(A) for y in range(S))
                out[s, a, sn] = R[s, a, sn] + g * e_next - e_here - g * e_any
    return out


def dard_canonical_naive(reward, mdp, action_dist=None):
    """DARD's canonical reward from the 5-D tensor of its definition (as in the STARC code).

    ``C_T(R)(s, a, s') = R(s, a, s') + E[gamma R(s', A, S'') - R(s, A, S') - gamma R(S', A, S'')]``
    with ``A ~ D_A``, ``S' ~ T(. | s, A)`` and ``S'' ~ T(. | s', A)``: the expectation is
    one sum over the broadcast tensor indexed ``[s, s', S', A, S'']``.  Memory and time
    ``O(S^4 A)``.

    Parameters
    ----------
    reward : (S,), (S, A) or (S, A, S) array_like
    mdp : MDP
    action_dist : (A,) array_like, optional
        Default uniform.

    Returns
    -------
    (S, A, S) ndarray

    Examples
    --------
    >>> import identifiability as idf
    >>> from identifiability.reference import dard_canonical_naive
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> str(dard_canonical_naive([[[0, 0], [0, 1]], [[0, 0], [0, 0]]], mdp)[0, 1, 1])
    '1/2'
    """
    S, A = mdp.n_states, mdp.n_actions
    R, P, (dA,), g = _naive_inputs(mdp, reward, [(action_dist, A)])
    T = np.transpose(P, (0, 2, 1))                     # T[s, x, a] = P(x | s, a)
    Rr = np.transpose(R, (0, 2, 1))                    # Rr[s, y, a] = R(s, a, y)
    # [s, s', x, a, y]: D_A(a) T(x | s, a) T(y | s', a) (g R(s', a, y) - R(s, a, x) - g R(x, a, y))
    w = dA[None, None, None, :, None] * T[:, None, :, :, None] * \
        np.transpose(T, (0, 2, 1))[None, :, None, :, :]
    term = (g * np.transpose(R, (0, 1, 2))[None, :, None, :, :]
            - Rr[:, None, :, :, None]
            - g * R[None, None, :, :, :])
    E = (w * term).sum(axis=(2, 3, 4))                # [s, s']
    return R + E[:, None, :]
