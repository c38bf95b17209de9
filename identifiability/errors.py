"""Typed exceptions raised by :mod:`identifiability`.

Every error raised on bad user input is one of these classes, and its message
names what was wrong and where (which state, which action, which row sums to
what, which shape was expected).  Users can catch :class:`ValueError` as well:
the input errors subclass it.
"""

__all__ = [
    "IdentifiabilityError",
    "InvalidMDPError",
    "InvalidRewardError",
    "InvalidPolicyError",
    "MissingDependencyError",
    "UnknownExampleError",
    "InvalidParameterError",
    "InvalidTrajectoryError",
    "ConvergenceError",
    "UndecidedError",
    "ToleranceWarning",
    "UnreachableStatesWarning",
]


class IdentifiabilityError(Exception):
    """Base class of every exception raised by :mod:`identifiability`."""


class InvalidMDPError(IdentifiabilityError, ValueError):
    """An MDP (transitions, initial distribution, gamma, horizon, labels or file) is invalid.

    Examples
    --------
    >>> import identifiability as idf
    >>> idf.MDP([[[1, 1]]], horizon=1)
    Traceback (most recent call last):
    ...
    identifiability.errors.InvalidMDPError: transitions must have shape (S, A, S) with the same number of states on axes 0 and 2, got shape (1, 1, 2)
    """


class InvalidRewardError(IdentifiabilityError, ValueError):
    """A reward does not fit the MDP (shape-prefix rule) or has invalid entries."""


class InvalidPolicyError(IdentifiabilityError, ValueError):
    """A policy has the wrong shape, negative entries or rows that do not sum to one."""


class MissingDependencyError(IdentifiabilityError, ImportError):
    """An optional dependency is needed; the message names the extra to install."""


class UnknownExampleError(IdentifiabilityError, KeyError):
    """A name that is not in the :mod:`identifiability.examples` registry."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class InvalidParameterError(IdentifiabilityError, ValueError):
    """A numeric parameter (temperature, beta, tolerance, ...) is out of range."""


class InvalidTrajectoryError(IdentifiabilityError, ValueError):
    """A trajectory has the wrong shape or an index outside the MDP."""


class UndecidedError(IdentifiabilityError, ValueError):
    """A three-valued answer was undecided and was used as a bool."""


class ConvergenceError(IdentifiabilityError, RuntimeError):
    """An iterative solver stopped at ``max_iter`` before reaching its tolerance."""


class ToleranceWarning(UserWarning):
    """A float decision was close to its tolerance: the result is reported, not guessed.

    See :func:`identifiability.optimal_actions`.
    """


class UnreachableStatesWarning(UserWarning):
    """Some states cannot be reached from the initial distribution, so they were masked.

    Raised as a warning by :func:`identifiability.distances.starc_distance` (and
    :func:`~identifiability.distances.pairwise_distances`) with ``unreachable="mask"``:
    rewards at unreachable states change no return, so the distance is computed on the
    reachable part of the MDP.  Pass ``unreachable="ignore"`` to keep them or
    ``"raise"`` to refuse.
    """
