"""Reward transformations as first-class objects.

Each transformation is a frozen object with

* ``apply(R, mdp)``: the transformed reward, always of shape ``(S, A, S)`` (the input
  is broadcast by the shape-prefix rule of :func:`identifiability.reward.broadcast_reward`);
  exact (object array of :class:`fractions.Fraction`) when the reward, the
  transformation's parameters and, where the MDP enters, the MDP are exact;
* ``sample(mdp, rng)`` (a classmethod): a random instance valid on ``mdp``, exact on an
  exact MDP.

The definitions follow ``theory/equivalence-and-distances.md`` section 2:

* :class:`PotentialShaping`: ``R + gamma Phi(s') - Phi(s)`` (discounted setting);
* :class:`ConstantShift`: ``R + c``;
* :class:`PositiveScaling`: ``alpha R`` with ``alpha > 0``;
* :class:`SPrimeRedistribution`: ``R + delta`` with ``sum_s' P(s'|s,a) delta(s,a,s') = 0``;
* :class:`ImpossibleTransitionMask`: ``R + delta`` with ``delta = 0`` wherever ``P > 0``;

and :func:`compose` chains them.  Which transformations leave which observation
unchanged is the subject of the claims ``shaping-invariance-mce``,
``redistribution-invariance``, ``mask-invariance``,
``scaling-not-invariant-known-temperature``, ``constant-shift-finite-horizon`` and
``mce-invariance-complete`` (see ``proofs/``).

Finite horizons: a *stationary* potential applied at every step is **not** an invariance
of the finite-horizon soft-optimal policy (the last step picks up ``gamma E Phi(s')``);
time-dependent potentials with a constant final potential are (not implemented here yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ._numbers import format_number, is_exact_array, parse_array, parse_scalar, to_fractions, \
    to_float_array
from .errors import InvalidParameterError
from .reward import broadcast_reward

__all__ = ["Transform", "PotentialShaping", "ConstantShift", "PositiveScaling",
           "SPrimeRedistribution", "ImpossibleTransitionMask", "Composition", "compose"]


# ---------------------------------------------------------------------- helpers
def _rng(rng):
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _exact_array(values, where):
    """Parse ``values``; exact input becomes an object array of Fractions (read-only)."""
    arr = parse_array(values, where=where, error=InvalidParameterError)
    arr = to_fractions(arr) if is_exact_array(arr) else arr.astype(np.float64)
    arr.setflags(write=False)
    return arr


def _scalar(value, where):
    if isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(f"{where} must be a number, got the boolean {value!r}")
    x = parse_scalar(value, where=where, error=InvalidParameterError)
    return Fraction(x) if isinstance(x, int) else x


def _common(*arrays):
    """Bring arrays to one arithmetic: all object (exact) or all float64."""
    if all(a.dtype == object for a in arrays):
        return arrays
    return tuple(to_float_array(a) for a in arrays)


def _random_values(rng, shape, exact, scale=5):
    """Random numbers in ``[-scale, scale]``: Fractions ``k/d`` (``d <= 4``) or floats."""
    if exact:
        den = rng.integers(1, 5, size=shape)
        num = rng.integers(-scale * den, scale * den + 1)
        out = np.empty(shape, dtype=object)
        out.reshape(-1)[:] = [Fraction(int(n), int(d)) for n, d in
                              zip(num.reshape(-1).tolist(), den.reshape(-1).tolist())]
        return out
    return rng.uniform(-scale, scale, size=shape)


def _check_shape(arr, shape, where):
    if arr.shape != shape:
        raise InvalidParameterError(f"{where} has shape {arr.shape}; expected {shape} on this MDP")


class Transform:
    """Base class of reward transformations.

    Subclasses implement :meth:`apply` and the classmethod :meth:`sample`.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0]], [[0, 1]]], gamma="1/2")
    >>> t = ConstantShift(1)
    >>> isinstance(t, Transform), t.apply([0, 0], mdp).tolist()
    (True, [[[Fraction(1, 1), Fraction(1, 1)]], [[Fraction(1, 1), Fraction(1, 1)]]])
    """

    def apply(self, reward, mdp):  # pragma: no cover - abstract
        """Transform ``reward`` on ``mdp``; returns an ``(S, A, S)`` array."""
        raise NotImplementedError

    @classmethod
    def sample(cls, mdp, rng=None):  # pragma: no cover - abstract
        """A random instance of this transformation, valid on ``mdp``."""
        raise NotImplementedError

    def __call__(self, reward, mdp):
        return self.apply(reward, mdp)


class _Additive(Transform):
    """A transformation ``R -> R + delta(mdp)``."""

    def delta(self, mdp):
        """The added ``(S, A, S)`` table on ``mdp`` (exact when possible)."""
        raise NotImplementedError  # pragma: no cover

    def apply(self, reward, mdp):
        R = broadcast_reward(reward, mdp)
        R, d = _common(R, self.delta(mdp))
        return R + d


# ---------------------------------------------------------------------- shaping
@dataclass(frozen=True, eq=False)
class PotentialShaping(_Additive):
    """Potential shaping ``R'(s, a, s') = R(s, a, s') + gamma Phi(s') - Phi(s)``.

    Parameters
    ----------
    phi : (S,) array_like
        The potential.  Exact input stays exact.
    gamma : number, optional
        The discount used in the shaping term; default ``mdp.gamma`` of the MDP the
        transformation is applied on.

    Notes
    -----
    An invariance of the infinite-horizon (discounted) soft-optimal, Boltzmann-rational
    and optimal policies (claim ``shaping-invariance-mce``).  In a finite horizon a
    stationary potential is *not* an invariance; the note's terminal-state convention
    (``Phi = 0`` on terminal states) is not enforced here.  ``O(S^2 A)`` (dense output).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
    >>> R = PotentialShaping([2, 0]).apply([[[0, 0]], [[0, 0]]], mdp)
    >>> R[0, 0].tolist(), R[1, 0].tolist()
    ([Fraction(-1, 1), Fraction(-2, 1)], [Fraction(1, 1), Fraction(0, 1)])
    """

    phi: np.ndarray
    gamma: object = None

    def __post_init__(self):
        phi = _exact_array(self.phi, "phi")
        if phi.ndim != 1:
            raise InvalidParameterError(f"phi must be a vector of shape (S,), got shape {phi.shape}")
        object.__setattr__(self, "phi", phi)
        if self.gamma is not None:
            g = _scalar(self.gamma, "gamma")
            if not 0 <= g <= 1:
                raise InvalidParameterError(f"gamma must lie in [0, 1], got {format_number(g)}")
            object.__setattr__(self, "gamma", g)

    def delta(self, mdp):
        """``gamma Phi(s') - Phi(s)`` as an ``(S, A, S)`` table.

        Parameters
        ----------
        mdp : MDP

        Returns
        -------
        (S, A, S) ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1]]], gamma="1/2")
        >>> PotentialShaping([4]).delta(mdp).tolist()
        [[[Fraction(-2, 1)]]]
        """
        S = mdp.n_states
        _check_shape(self.phi, (S,), "phi")
        g = mdp.gamma if self.gamma is None else self.gamma
        phi = self.phi
        if phi.dtype != object or not isinstance(g, Fraction):
            phi, g = to_float_array(phi), float(g)
        d = g * phi[None, None, :] - phi[:, None, None]
        return np.array(np.broadcast_to(d, (S, mdp.n_actions, S)), dtype=d.dtype)

    @classmethod
    def sample(cls, mdp, rng=None):
        """A random potential (entries in ``[-5, 5]``, exact on an exact MDP).

        Parameters
        ----------
        mdp : MDP
        rng : numpy Generator, int or None

        Returns
        -------
        PotentialShaping

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0]], [[0, 1]]], gamma="1/2")
        >>> PotentialShaping.sample(mdp, 0).phi.shape
        (2,)
        """
        return cls(_random_values(_rng(rng), (mdp.n_states,), mdp.is_exact))

    def __repr__(self):
        g = "" if self.gamma is None else f", gamma={format_number(self.gamma)}"
        return f"PotentialShaping(phi=[{', '.join(format_number(v) for v in self.phi.tolist())}]{g})"


# ---------------------------------------------------------------------- constant, scaling
@dataclass(frozen=True, eq=False)
class ConstantShift(_Additive):
    """Constant shift ``R' = R + c``.

    Parameters
    ----------
    c : number

    Notes
    -----
    An invariance of the finite-horizon soft-optimal policy (claim
    ``constant-shift-finite-horizon``).  With ``gamma < 1`` it equals potential
    shaping with ``Phi = -c / (1 - gamma)``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1]]], horizon=2)
    >>> ConstantShift("1/2").apply([1], mdp).tolist()
    [[[Fraction(3, 2)]]]
    """

    c: object

    def __post_init__(self):
        object.__setattr__(self, "c", _scalar(self.c, "c"))

    def delta(self, mdp):
        """The constant table ``c`` of shape ``(S, A, S)``.

        Parameters
        ----------
        mdp : MDP

        Returns
        -------
        (S, A, S) ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> ConstantShift(2.0).delta(idf.MDP([[[1]]], horizon=1)).tolist()
        [[[2.0]]]
        """
        shape = (mdp.n_states, mdp.n_actions, mdp.n_states)
        if isinstance(self.c, Fraction):
            out = np.empty(shape, dtype=object)
            out[...] = self.c
            return out
        return np.full(shape, float(self.c))

    @classmethod
    def sample(cls, mdp, rng=None):
        """A random constant in ``[-5, 5]`` (exact on an exact MDP).

        Parameters
        ----------
        mdp : MDP
        rng : numpy Generator, int or None

        Returns
        -------
        ConstantShift

        Examples
        --------
        >>> import identifiability as idf
        >>> isinstance(ConstantShift.sample(idf.MDP([[[1]]], horizon=1), 0).c, Fraction)
        True
        """
        return cls(_random_values(_rng(rng), (1,), mdp.is_exact)[0])

    def __repr__(self):
        return f"ConstantShift({format_number(self.c)})"


@dataclass(frozen=True, eq=False)
class PositiveScaling(Transform):
    """Positive linear scaling ``R' = alpha R`` with ``alpha > 0``.

    Parameters
    ----------
    alpha : number
        Must be ``> 0``.

    Raises
    ------
    InvalidParameterError
        When ``alpha <= 0`` or is not a number.

    Notes
    -----
    Leaves the optimal-action sets unchanged but is **not** an invariance of the
    soft-optimal policy at a known temperature (claim
    ``scaling-not-invariant-known-temperature``).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1]]], horizon=1)
    >>> PositiveScaling(3).apply([[["1/2"]]], mdp).tolist()
    [[[Fraction(3, 2)]]]
    >>> PositiveScaling(0)
    Traceback (most recent call last):
    ...
    identifiability.errors.InvalidParameterError: alpha must be > 0 for a positive scaling, got 0
    """

    alpha: object

    def __post_init__(self):
        a = _scalar(self.alpha, "alpha")
        if not a > 0:
            raise InvalidParameterError(f"alpha must be > 0 for a positive scaling, got {format_number(a)}")
        object.__setattr__(self, "alpha", a)

    def apply(self, reward, mdp):
        """``alpha R`` as an ``(S, A, S)`` table.

        Parameters
        ----------
        reward : (S,), (S, A) or (S, A, S) array_like
        mdp : MDP

        Returns
        -------
        (S, A, S) ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> PositiveScaling(0.5).apply([2.0], idf.MDP([[[1]]], horizon=1)).tolist()
        [[[1.0]]]
        """
        R = broadcast_reward(reward, mdp)
        if R.dtype == object and isinstance(self.alpha, Fraction):
            return R * self.alpha
        return to_float_array(R) * float(self.alpha)

    @classmethod
    def sample(cls, mdp, rng=None):
        """A random ``alpha = k / d`` with ``1 <= k <= 8``, ``1 <= d <= 4`` (float on a float MDP).

        Parameters
        ----------
        mdp : MDP
        rng : numpy Generator, int or None

        Returns
        -------
        PositiveScaling

        Examples
        --------
        >>> import identifiability as idf
        >>> PositiveScaling.sample(idf.MDP([[[1]]], horizon=1), 0).alpha > 0
        True
        """
        r = _rng(rng)
        a = Fraction(int(r.integers(1, 9)), int(r.integers(1, 5)))
        return cls(a if mdp.is_exact else float(a))

    def __repr__(self):
        return f"PositiveScaling({format_number(self.alpha)})"


# ---------------------------------------------------------------------- S'R and masks
def _transition_table(delta, mdp, where):
    d = _exact_array(delta, where)
    _check_shape(d, (mdp.n_states, mdp.n_actions, mdp.n_states), where)
    return d


def _float_atol(d):
    return 1e-9 * max(1.0, float(np.max(np.abs(to_float_array(d))))) if d.size else 1e-9


@dataclass(frozen=True, eq=False, init=False)
class _TableAdditive(_Additive):
    """An additive transformation given by an ``(S, A, S)`` table ``delta``."""

    table: np.ndarray

    def __init__(self, delta):
        object.__setattr__(self, "table", _exact_array(delta, "delta"))


@dataclass(frozen=True, eq=False, init=False)
class SPrimeRedistribution(_TableAdditive):
    """S'-redistribution ``R' = R + delta`` with ``sum_s' P(s'|s,a) delta(s,a,s') = 0``.

    Parameters
    ----------
    delta : (S, A, S) array_like
        The redistribution.  Its values off the support of ``P`` are allowed (they
        are then also a mask of impossible transitions).

    Raises
    ------
    InvalidParameterError
        From :meth:`apply`, when ``delta`` has the wrong shape or its expectation
        under ``P`` is not zero (exactly on exact input, to ``1e-9`` relative in float).

    Notes
    -----
    Leaves the expected reward ``r(s, a)`` unchanged, exactly on exact input (claim
    ``redistribution-invariance``), hence every observation that depends on ``R``
    only through ``r``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[["1/2", "1/2"]], [[0, 1]]], gamma="1/2")
    >>> t = SPrimeRedistribution([[[1, -1]], [[0, 0]]])
    >>> t.apply([0, 0], mdp)[0, 0].tolist()
    [Fraction(1, 1), Fraction(-1, 1)]
    >>> SPrimeRedistribution([[[1, 0]], [[0, 0]]]).apply([0, 0], mdp)
    Traceback (most recent call last):
    ...
    identifiability.errors.InvalidParameterError: delta is not an S'-redistribution: its expectation at (s=0, a=0) is 1/2, not 0
    """

    def delta(self, mdp):
        """The validated ``(S, A, S)`` table ``delta``.

        Parameters
        ----------
        mdp : MDP

        Returns
        -------
        (S, A, S) ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> SPrimeRedistribution([[[0]]]).delta(idf.MDP([[[1]]], horizon=1)).tolist()
        [[[Fraction(0, 1)]]]
        """
        d = _transition_table(self.table, mdp, "delta")
        s, a, sn, p = mdp.entries(exact=mdp.is_exact and d.dtype == object)
        dd = d if (d.dtype == object and mdp.is_exact) else to_float_array(d)
        e = np.add.reduceat(dd[s, a, sn] * p, mdp.row_pointer[:-1])
        bad = (np.array([v != 0 for v in e.tolist()], dtype=bool) if e.dtype == object
               else np.abs(e) > _float_atol(dd))
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            A = mdp.n_actions
            raise InvalidParameterError(
                f"delta is not an S'-redistribution: its expectation at (s={k // A}, "
                f"a={k % A}) is {format_number(e[k])}, not 0")
        return np.array(d)

    @classmethod
    def sample(cls, mdp, rng=None):
        """A random redistribution supported on the transitions of ``mdp``.

        A random ``(S, A, S)`` table ``x`` restricted to the support is projected,
        per ``(s, a)`` and vectorised over the sparse entries, onto
        ``{d : sum_s' P d = 0}``: ``d = x - P (P . x) / (P . P)``.  Exact on an
        exact MDP.  Zero off the support.

        Parameters
        ----------
        mdp : MDP
        rng : numpy Generator, int or None

        Returns
        -------
        SPrimeRedistribution

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[["1/3", "2/3"]], [[0, 1]]], gamma="1/2")
        >>> t = SPrimeRedistribution.sample(mdp, 0)
        >>> idf.expected_reward(mdp, t.table).tolist()
        [[Fraction(0, 1)], [Fraction(0, 1)]]
        """
        S, A = mdp.n_states, mdp.n_actions
        s, a, sn, p = mdp.entries()
        x = _random_values(_rng(rng), (len(p),), mdp.is_exact)
        ptr = mdp.row_pointer[:-1]
        row = s * A + a
        px = np.add.reduceat(p * x, ptr)
        pp = np.add.reduceat(p * p, ptr)
        d = x - p * (px / pp)[row]
        if mdp.is_exact:
            out = np.empty((S, A, S), dtype=object)
            out[...] = Fraction(0)
        else:
            out = np.zeros((S, A, S))
        out[s, a, sn] = d
        return cls(out)

    def __repr__(self):
        return f"SPrimeRedistribution(<{'x'.join(map(str, self.table.shape))} table>)"


@dataclass(frozen=True, eq=False, init=False)
class ImpossibleTransitionMask(_TableAdditive):
    """Mask of impossible transitions: ``R' = R + delta`` with ``delta = 0`` where ``P > 0``.

    Parameters
    ----------
    delta : (S, A, S) array_like
        The change; must vanish on every possible transition.

    Raises
    ------
    InvalidParameterError
        From :meth:`apply`, when ``delta`` is non-zero on a possible transition.

    Notes
    -----
    A special case of S'-redistribution; leaves the expected reward exactly unchanged
    (claim ``mask-invariance``).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0]], [[0, 1]]], gamma="1/2")
    >>> ImpossibleTransitionMask([[[0, 7]], [[0, 0]]]).apply([0, 0], mdp)[0, 0].tolist()
    [Fraction(0, 1), Fraction(7, 1)]
    >>> ImpossibleTransitionMask([[[7, 0]], [[0, 0]]]).apply([0, 0], mdp)
    Traceback (most recent call last):
    ...
    identifiability.errors.InvalidParameterError: a mask of impossible transitions must be 0 on possible transitions; delta(s=0, a=0, s'=0) = 7 but P(s'|s, a) > 0
    """

    def delta(self, mdp):
        """The validated ``(S, A, S)`` table ``delta``.

        Parameters
        ----------
        mdp : MDP

        Returns
        -------
        (S, A, S) ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> ImpossibleTransitionMask([[[0]]]).delta(idf.MDP([[[1]]], horizon=1)).shape
        (1, 1, 1)
        """
        d = _transition_table(self.table, mdp, "delta")
        s, a, sn, _ = mdp.entries()
        on = d[s, a, sn]
        bad = (np.array([v != 0 for v in on.tolist()], dtype=bool) if on.dtype == object
               else on != 0)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise InvalidParameterError(
                "a mask of impossible transitions must be 0 on possible transitions; "
                f"delta(s={int(s[k])}, a={int(a[k])}, s'={int(sn[k])}) = {format_number(on[k])} "
                "but P(s'|s, a) > 0")
        return np.array(d)

    @classmethod
    def sample(cls, mdp, rng=None):
        """Random values on the impossible transitions, zero on the support.

        Parameters
        ----------
        mdp : MDP
        rng : numpy Generator, int or None

        Returns
        -------
        ImpossibleTransitionMask

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0]], [[0, 1]]], gamma="1/2")
        >>> d = ImpossibleTransitionMask.sample(mdp, 0).table
        >>> d[0, 0, 0], d[1, 0, 1]
        (Fraction(0, 1), Fraction(0, 1))
        """
        shape = (mdp.n_states, mdp.n_actions, mdp.n_states)
        x = _random_values(_rng(rng), shape, mdp.is_exact)
        x[mdp.support] = Fraction(0) if mdp.is_exact else 0.0
        return cls(x)

    def __repr__(self):
        return f"ImpossibleTransitionMask(<{'x'.join(map(str, self.table.shape))} table>)"


# ---------------------------------------------------------------------- composition
@dataclass(frozen=True, eq=False)
class Composition(Transform):
    """Transformations applied in order, left to right.

    Parameters
    ----------
    transforms : tuple of Transform

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1]]], horizon=1)
    >>> compose(ConstantShift(1), PositiveScaling(2)).apply([1], mdp).tolist()
    [[[Fraction(4, 1)]]]
    """

    transforms: tuple

    def apply(self, reward, mdp):
        """Apply each transformation in turn (the first one first).

        Parameters
        ----------
        reward : (S,), (S, A) or (S, A, S) array_like
        mdp : MDP

        Returns
        -------
        (S, A, S) ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> compose().apply([2], idf.MDP([[[1]]], horizon=1)).tolist()
        [[[Fraction(2, 1)]]]
        """
        R = broadcast_reward(reward, mdp)
        for t in self.transforms:
            R = t.apply(R, mdp)
        return R

    @classmethod
    def sample(cls, mdp, rng=None):
        """A random invariance of the discounted MCE policy: shaping, S'R, then a mask.

        Parameters
        ----------
        mdp : MDP
        rng : numpy Generator, int or None

        Returns
        -------
        Composition

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0]], [[0, 1]]], gamma="1/2")
        >>> len(Composition.sample(mdp, 0).transforms)
        3
        """
        r = _rng(rng)
        return cls((PotentialShaping.sample(mdp, r), SPrimeRedistribution.sample(mdp, r),
                    ImpossibleTransitionMask.sample(mdp, r)))

    def __repr__(self):
        return f"compose({', '.join(map(repr, self.transforms))})"


def compose(*transforms):
    """Chain transformations; ``compose(t1, t2).apply(R, mdp) == t2.apply(t1.apply(R, mdp), mdp)``.

    Parameters
    ----------
    *transforms : Transform
        Applied left to right.  Nested compositions are flattened.

    Returns
    -------
    Composition

    Raises
    ------
    InvalidParameterError
        When an argument is not a :class:`Transform`.

    Examples
    --------
    >>> compose(ConstantShift(1), compose(PositiveScaling(2)))
    compose(ConstantShift(1), PositiveScaling(2))
    """
    flat = []
    for t in transforms:
        if isinstance(t, Composition):
            flat.extend(t.transforms)
        elif isinstance(t, Transform):
            flat.append(t)
        else:
            raise InvalidParameterError(f"compose() takes Transform objects, got {t!r}")
    return Composition(tuple(flat))
