"""Rewards by the shape-prefix rule.

A reward on an MDP with ``S`` states and ``A`` actions has shape ``(S,)``,
``(S, A)`` or ``(S, A, S)``; its value on a transition ``(s, a, s')`` is
``R[(s, a, s')[:R.ndim]]`` (the seals convention).  So an ``(S,)`` reward is paid
for the state the agent is in, and an ``(S, A)`` reward ``R[s, a]`` does not
depend on ``s'``.

Exact entries (ints, Fractions, "p/q" strings, sympy Rationals) stay exact: the
functions here return object arrays of :class:`fractions.Fraction` for them.
"""

from __future__ import annotations

import numpy as np

from ._numbers import is_exact_array, parse_array, to_fractions
from .errors import InvalidRewardError

__all__ = ["as_reward", "broadcast_reward", "expected_reward"]


def as_reward(reward, mdp):
    """Validate a reward against ``mdp`` and return it as an array of its own shape.

    Parameters
    ----------
    reward : (S,), (S, A) or (S, A, S) array_like
        Reward table.  Entries follow the package's exactness rules.
    mdp : MDP
        The MDP the reward lives on.

    Returns
    -------
    ndarray
        Same shape as ``reward``: an object array of Fractions if every entry is
        exact, float64 otherwise.

    Raises
    ------
    InvalidRewardError
        For a shape that is not ``(S,)``, ``(S, A)`` or ``(S, A, S)``, NaN or
        infinite values, ragged lists or non-numeric entries.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.examples.get("cao2021-example1-v0")
    >>> as_reward([1, "1/2", 0], mdp)
    array([Fraction(1, 1), Fraction(1, 2), Fraction(0, 1)], dtype=object)
    >>> as_reward([[1, 2]], mdp)
    Traceback (most recent call last):
    ...
    identifiability.errors.InvalidRewardError: reward has shape (1, 2); expected (3,), (3, 2) or (3, 2, 3) for an MDP with S=3 states and A=2 actions
    """
    R = parse_array(reward, where="reward", error=InvalidRewardError)
    S, A = mdp.n_states, mdp.n_actions
    full = (S, A, S)
    if R.ndim not in (1, 2, 3) or R.shape != full[:R.ndim]:
        raise InvalidRewardError(
            f"reward has shape {R.shape}; expected ({S},), ({S}, {A}) or ({S}, {A}, {S}) "
            f"for an MDP with S={S} states and A={A} actions")
    return to_fractions(R) if is_exact_array(R) else R


def broadcast_reward(reward, mdp):
    """Broadcast a reward of shape ``(S,)``, ``(S, A)`` or ``(S, A, S)`` to ``(S, A, S)``.

    This is the one place that implements the shape-prefix rule.

    Parameters
    ----------
    reward : (S,), (S, A) or (S, A, S) array_like
    mdp : MDP

    Returns
    -------
    (S, A, S) ndarray
        ``out[s, a, s'] = R[(s, a, s')[:R.ndim]]``; object Fractions if exact,
        float64 otherwise.  A new writable array.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.examples.get("cao2021-example1-v0")
    >>> R = broadcast_reward([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], mdp)
    >>> R.shape, R[1, 1, 0], R[1, 1, 2]
    ((3, 2, 3), np.float64(3.0), np.float64(3.0))
    """
    R = as_reward(reward, mdp)
    S, A = mdp.n_states, mdp.n_actions
    expand = R.reshape(R.shape + (1,) * (3 - R.ndim))
    return np.array(np.broadcast_to(expand, (S, A, S)), dtype=R.dtype)


def expected_reward(mdp, reward, exact=None):
    """Expected immediate reward ``r(s, a) = sum_s' P[s, a, s'] R(s, a, s')``.

    Solvers work with this ``(S, A)`` table.  It never builds a dense
    ``(S, A, S)`` array for ``(S,)`` or ``(S, A)`` rewards.

    Parameters
    ----------
    mdp : MDP
    reward : (S,), (S, A) or (S, A, S) array_like
    exact : bool, optional
        Return Fractions (object array).  Default: exact when both the MDP and the
        reward are exact.

    Returns
    -------
    (S, A) ndarray

    Notes
    -----
    ``O(S A)`` for ``(S,)`` and ``(S, A)`` rewards, ``O(nnz)`` for ``(S, A, S)``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[["1/2", "1/2"]], [[0, 1]]], horizon=1)
    >>> expected_reward(mdp, [[[0, 2]], [[5, 1]]])
    array([[Fraction(1, 1)],
           [Fraction(1, 1)]], dtype=object)
    """
    R = as_reward(reward, mdp)
    S, A = mdp.n_states, mdp.n_actions
    r_exact = R.dtype == object
    if exact is None:
        exact = r_exact and mdp.is_exact
    if exact and not (r_exact and mdp.is_exact):
        raise InvalidRewardError("expected_reward(exact=True) needs an exact reward on an exact MDP")
    if not exact and r_exact:
        R = np.array([float(v) for v in R.reshape(-1).tolist()], dtype=np.float64).reshape(R.shape)
    if R.ndim == 1:
        return np.array(np.broadcast_to(R[:, None], (S, A)))
    if R.ndim == 2:
        return R.copy()
    s, a, sn, p = mdp.entries(exact=exact)
    # Every row has at least one entry (rows sum to one), so reduceat segments are non-empty.
    return np.add.reduceat(R[s, a, sn] * p, mdp.row_pointer[:-1]).reshape(S, A)
