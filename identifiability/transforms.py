"""Reward transformations as first-class objects.

Each transformation is a frozen object with

* ``apply(R, mdp)``: the transformed reward, of shape ``(S, A, S)`` (the input is
  broadcast by the shape-prefix rule of :func:`identifiability.reward.broadcast_reward`;
  :class:`TimeDependentShaping` alone returns a time-varying ``(H, S, A, S)`` reward);
  exact (object array of :class:`fractions.Fraction`) when the reward, the
  transformation's parameters and, where the MDP enters, the MDP are exact;
* ``sample(mdp, rng)`` (a classmethod): a random instance valid on ``mdp``, exact on an
  exact MDP.

The definitions follow ``theory/equivalence-and-distances.md`` section 2:

* :class:`PotentialShaping`: ``R + gamma Phi(s') - Phi(s)`` (discounted setting), with
  optional constraints ``Phi = k`` on initial states (``initial_value=k``) and ``Phi = 0``
  on terminal states (``fix_terminal=True``); :class:`KInitialShaping` and
  :class:`ZeroInitialShaping` are the k-initial and zero-initial special cases;
* :class:`TimeDependentShaping`: ``R + gamma Phi_{t+1}(s') - Phi_t(s)`` for a finite
  horizon, ``Phi_H`` constant; output ``(H, S, A, S)``;
* :class:`ConstantShift`: ``R + c``;
* :class:`PositiveScaling`: ``alpha R`` with ``alpha > 0``;
* :class:`SPrimeRedistribution`: ``R + delta`` with ``sum_s' P(s'|s,a) delta(s,a,s') = 0``;
* :class:`ImpossibleTransitionMask`: ``R + delta`` with ``delta = 0`` wherever ``P > 0``;
* :class:`UnreachableMask`: ``R + delta`` with ``delta = 0`` on the reachable transitions
  (:func:`reachable_transitions`);
* :class:`OptimalityPreserving`: the OPT reward with prescribed optimal values ``Psi``
  and suboptimality gaps, keeping the optimal-action sets; :func:`optimality_certificate`
  builds (and :class:`OptimalityCertificate` re-checks) the ``Psi`` certificate;

and :func:`compose` chains them.  Which transformations leave which observation
unchanged is the subject of the claims ``shaping-invariance-mce``,
``redistribution-invariance``, ``mask-invariance``,
``scaling-not-invariant-known-temperature``, ``constant-shift-finite-horizon``,
``mce-invariance-complete``, ``k-initial-shaping-returns``,
``time-dependent-shaping-finite-horizon``, ``unreachable-mask-invariance`` and
``optimality-preserving-certificate`` (see ``proofs/``).

Finite horizons: a *stationary* potential applied at every step is **not** an invariance
of the finite-horizon soft-optimal policy (the last step picks up ``gamma E Phi(s')``);
time-dependent potentials with a constant final potential are
(:class:`TimeDependentShaping`).
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from fractions import Fraction

import numpy as np

from ._numbers import format_number, is_exact_array, parse_array, parse_scalar, to_fractions, \
    to_float_array
from .behaviour import optimal_actions, optimal_values
from .errors import InvalidMDPError, InvalidParameterError, InvalidRewardError
from .graph import reachable_states
from .reward import as_reward, broadcast_reward, expected_reward

__all__ = ["Transform", "PotentialShaping", "KInitialShaping", "ZeroInitialShaping",
           "TimeDependentShaping", "ConstantShift", "PositiveScaling", "SPrimeRedistribution",
           "ImpossibleTransitionMask", "UnreachableMask", "reachable_transitions",
           "OptimalityPreserving", "OptimalityCertificate", "optimality_certificate",
           "Composition", "compose"]


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
    initial_value : number, optional (keyword-only)
        ``k``: require ``Phi(s) = k`` on every initial state (``mdp.initial[s] > 0``),
        which makes this *k-initial* potential shaping (``k = 0``: *zero-initial*).
        Default None: no constraint.  See also :class:`KInitialShaping` and
        :class:`ZeroInitialShaping`.
    fix_terminal : bool, default False (keyword-only)
        Require ``Phi(s) = 0`` on the states flagged terminal (``mdp.terminal``), the
        note's convention for potential shaping with terminal states.

    Raises
    ------
    InvalidParameterError
        From :meth:`delta` / :meth:`apply`, when ``phi`` has the wrong length or breaks
        a constraint; the message names the state and its ``Phi`` value.  Exact
        comparison on exact input, ``1e-9`` relative in float.

    Notes
    -----
    An invariance of the infinite-horizon (discounted) soft-optimal, Boltzmann-rational
    and optimal policies (claim ``shaping-invariance-mce``).  In a finite horizon a
    stationary potential is *not* an invariance (use :class:`TimeDependentShaping`).
    A length-``n`` trajectory fragment from ``s_0`` changes its discounted return by
    ``gamma^n Phi(s_n) - Phi(s_0)``; with ``k``-initial shaping every full discounted
    trajectory from an initial state changes by exactly ``-k`` (claim
    ``k-initial-shaping-returns``).  ``O(S^2 A)`` (dense output).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
    >>> R = PotentialShaping([2, 0]).apply([[[0, 0]], [[0, 0]]], mdp)
    >>> R[0, 0].tolist(), R[1, 0].tolist()
    ([Fraction(-1, 1), Fraction(-2, 1)], [Fraction(1, 1), Fraction(0, 1)])

    The constraints are checked on the MDP the shaping is applied on:

    >>> m1 = idf.MDP([[[0, 1]], [[1, 0]]], initial=[1, 0], gamma="1/2", terminal=[1])
    >>> PotentialShaping([2, 0], initial_value=2, fix_terminal=True).delta(m1).shape
    (2, 1, 2)
    >>> PotentialShaping([2, 0], initial_value=1).delta(m1)
    Traceback (most recent call last):
    ...
    identifiability.errors.InvalidParameterError: k-initial shaping needs Phi(s) = k = 1 on every initial state, but Phi(s=0) = 2 and initial(s=0) = 1 > 0
    >>> PotentialShaping([2, 5], fix_terminal=True).delta(m1)
    Traceback (most recent call last):
    ...
    identifiability.errors.InvalidParameterError: shaping with fix_terminal=True needs Phi(s) = 0 on terminal states, but Phi(s=1) = 5 and s=1 is flagged terminal
    """

    phi: np.ndarray
    gamma: object = None
    _: KW_ONLY
    initial_value: object = None
    fix_terminal: bool = False

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
        if self.initial_value is not None:
            object.__setattr__(self, "initial_value", _scalar(self.initial_value, "initial_value"))
        if not isinstance(self.fix_terminal, (bool, np.bool_)):
            raise InvalidParameterError(f"fix_terminal must be a bool, got {self.fix_terminal!r}")
        object.__setattr__(self, "fix_terminal", bool(self.fix_terminal))

    def check(self, mdp):
        """Validate ``phi`` on ``mdp``: its length and the optional constraints.

        Parameters
        ----------
        mdp : MDP

        Raises
        ------
        InvalidParameterError
            Wrong length; ``Phi(s) != k`` at an initial state (``initial_value=k``);
            ``Phi(s) != 0`` at a terminal state (``fix_terminal=True``).

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0]], [[0, 1]]], initial=[0, 1], gamma="1/2")
        >>> PotentialShaping([7, 3], initial_value=3).check(mdp) is None
        True
        """
        _check_shape(self.phi, (mdp.n_states,), "phi")
        if self.initial_value is not None:
            starts = np.asarray(mdp.start_states, dtype=np.int64)
            k = _first_mismatch(self.phi[starts], self.initial_value)
            if k is not None:
                s = int(starts[k])
                raise InvalidParameterError(
                    f"k-initial shaping needs Phi(s) = k = {format_number(self.initial_value)} "
                    f"on every initial state, but Phi(s={s}) = {format_number(self.phi[s])} "
                    f"and initial(s={s}) = {format_number(mdp.initial[s])} > 0")
        if self.fix_terminal and mdp.terminal:
            term = np.asarray(mdp.terminal, dtype=np.int64)
            k = _first_mismatch(self.phi[term], Fraction(0))
            if k is not None:
                s = int(term[k])
                raise InvalidParameterError(
                    f"shaping with fix_terminal=True needs Phi(s) = 0 on terminal states, but "
                    f"Phi(s={s}) = {format_number(self.phi[s])} and s={s} is flagged terminal")

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
        self.check(mdp)
        g = mdp.gamma if self.gamma is None else self.gamma
        phi = self.phi
        if phi.dtype != object or not isinstance(g, Fraction):
            phi, g = to_float_array(phi), float(g)
        d = g * phi[None, None, :] - phi[:, None, None]
        return np.array(np.broadcast_to(d, (S, mdp.n_actions, S)), dtype=d.dtype)

    @classmethod
    def sample(cls, mdp, rng=None, *, fix_terminal=False):
        """A random potential (entries in ``[-5, 5]``, exact on an exact MDP).

        Parameters
        ----------
        mdp : MDP
        rng : numpy Generator, int or None
        fix_terminal : bool, default False
            Set ``Phi = 0`` on the terminal states and require it.

        Returns
        -------
        PotentialShaping

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0]], [[0, 1]]], gamma="1/2", terminal=[1])
        >>> PotentialShaping.sample(mdp, 0).phi.shape
        (2,)
        >>> PotentialShaping.sample(mdp, 0, fix_terminal=True).phi[1]
        Fraction(0, 1)
        """
        phi = _random_values(_rng(rng), (mdp.n_states,), mdp.is_exact)
        if fix_terminal:
            phi[list(mdp.terminal)] = Fraction(0) if mdp.is_exact else 0.0
        return cls(phi, fix_terminal=fix_terminal)

    def _phi_repr(self):
        return f"phi=[{', '.join(format_number(v) for v in self.phi.tolist())}]"

    def _options_repr(self, with_initial=True):
        out = "" if self.gamma is None else f", gamma={format_number(self.gamma)}"
        if with_initial and self.initial_value is not None:
            out += f", initial_value={format_number(self.initial_value)}"
        return out + (", fix_terminal=True" if self.fix_terminal else "")

    def __repr__(self):
        return f"PotentialShaping({self._phi_repr()}{self._options_repr()})"


def _first_nonzero(values):
    """Index of the first entry that is not exactly 0, or None."""
    bad = (np.array([v != 0 for v in values.tolist()], dtype=bool) if values.dtype == object
           else values != 0)
    idx = np.flatnonzero(bad)
    return int(idx[0]) if idx.size else None


def _first_mismatch(values, target):
    """Index of the first entry of ``values`` that differs from ``target``, or None.

    Exact comparison when both are exact, else ``1e-9`` relative.
    """
    if values.size == 0:
        return None
    if values.dtype == object and isinstance(target, Fraction):
        bad = np.array([v != target for v in values.tolist()], dtype=bool)
    else:
        v = to_float_array(values)
        t = float(target)
        bad = np.abs(v - t) > 1e-9 * max(1.0, abs(t), float(np.max(np.abs(v))))
    idx = np.flatnonzero(bad)
    return int(idx[0]) if idx.size else None


@dataclass(frozen=True, eq=False, init=False, repr=False)
class KInitialShaping(PotentialShaping):
    """k-initial potential shaping: :class:`PotentialShaping` with ``Phi = k`` on initial states.

    ``R'(s, a, s') = R(s, a, s') + gamma Phi(s') - Phi(s)`` where ``Phi(s) = k`` for every
    state with ``mdp.initial[s] > 0`` (the note's §2 table).  Same as
    ``PotentialShaping(phi, gamma, initial_value=k, fix_terminal=...)``.

    Parameters
    ----------
    phi : (S,) array_like
    k : number
        The common potential of the initial states.
    gamma : number, optional
        As for :class:`PotentialShaping`.
    fix_terminal : bool, default False (keyword-only)
        Also require ``Phi = 0`` on terminal states.

    Raises
    ------
    InvalidParameterError
        From :meth:`delta` / :meth:`apply`, naming an initial state whose ``Phi`` is
        not ``k``.

    Notes
    -----
    Every full (infinite, discounted, ``gamma < 1``) trajectory from an initial state
    has its return changed by exactly ``-k``; a length-``n`` fragment from an initial
    state by ``gamma^n Phi(s_n) - k`` (claim ``k-initial-shaping-returns``).  So
    Boltzmann comparisons of initial trajectories are unchanged.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[0, 1]], [[0, 1]]], initial=[1, 0], gamma="1/2")
    >>> t = KInitialShaping([3, 2], k=3)
    >>> t.k, t.initial_value
    (Fraction(3, 1), Fraction(3, 1))
    >>> idf.trajectory_return(mdp, t.apply([0, 0], mdp), [0, 1, 1], [0, 0])  # -3 + 2/4
    Fraction(-5, 2)
    """

    def __init__(self, phi, k, gamma=None, *, fix_terminal=False):
        PotentialShaping.__init__(self, phi, gamma, initial_value=k, fix_terminal=fix_terminal)

    @property
    def k(self):
        """Fraction or float: the potential on every initial state."""
        return self.initial_value

    @classmethod
    def sample(cls, mdp, rng=None, *, k=None, fix_terminal=False):
        """A random potential with ``Phi = k`` on the initial states (exact on an exact MDP).

        Parameters
        ----------
        mdp : MDP
        rng : numpy Generator, int or None
        k : number, optional
            Default: random in ``[-5, 5]`` (0 when ``fix_terminal`` and some initial
            state is terminal).
        fix_terminal : bool, default False
            Also set and require ``Phi = 0`` on terminal states.

        Returns
        -------
        KInitialShaping

        Raises
        ------
        InvalidParameterError
            ``fix_terminal=True`` with ``k != 0`` while an initial state is terminal.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0]], [[0, 1]]], initial=[1, 0], gamma="1/2")
        >>> t = KInitialShaping.sample(mdp, 0, k=2)
        >>> t.phi[0], t.k
        (Fraction(2, 1), Fraction(2, 1))
        """
        r = _rng(rng)
        phi = _random_values(r, (mdp.n_states,), mdp.is_exact)
        starts = list(mdp.start_states)
        term = list(mdp.terminal) if fix_terminal else []
        if k is None:
            k = Fraction(0) if set(starts) & set(term) else \
                _random_values(r, (1,), mdp.is_exact)[0]
        k = _scalar(k, "k")
        phi[starts] = k if mdp.is_exact else float(k)
        phi[term] = Fraction(0) if mdp.is_exact else 0.0
        return cls(phi, k, fix_terminal=fix_terminal)

    def __repr__(self):
        return (f"KInitialShaping({self._phi_repr()}, k={format_number(self.k)}"
                f"{self._options_repr(with_initial=False)})")


@dataclass(frozen=True, eq=False, init=False, repr=False)
class ZeroInitialShaping(KInitialShaping):
    """Zero-initial potential shaping: :class:`KInitialShaping` with ``k = 0``.

    Parameters
    ----------
    phi : (S,) array_like
        Must vanish on every initial state.
    gamma : number, optional
    fix_terminal : bool, default False (keyword-only)

    Notes
    -----
    Leaves every full discounted trajectory return from an initial state unchanged;
    a length-``n`` fragment from an initial state changes by ``gamma^n Phi(s_n)``
    (claim ``k-initial-shaping-returns``).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[0, 1]], [[0, 1]]], initial=[1, 0], gamma="1/2")
    >>> ZeroInitialShaping([0, 4]).apply([0, 0], mdp)[0, 0].tolist()
    [Fraction(0, 1), Fraction(2, 1)]
    >>> ZeroInitialShaping([1, 4]).apply([0, 0], mdp)
    Traceback (most recent call last):
    ...
    identifiability.errors.InvalidParameterError: k-initial shaping needs Phi(s) = k = 0 on every initial state, but Phi(s=0) = 1 and initial(s=0) = 1 > 0
    """

    def __init__(self, phi, gamma=None, *, fix_terminal=False):
        KInitialShaping.__init__(self, phi, 0, gamma, fix_terminal=fix_terminal)

    @classmethod
    def sample(cls, mdp, rng=None, *, fix_terminal=False):
        """A random potential that vanishes on the initial states.

        Parameters
        ----------
        mdp : MDP
        rng : numpy Generator, int or None
        fix_terminal : bool, default False
            Also set and require ``Phi = 0`` on terminal states.

        Returns
        -------
        ZeroInitialShaping

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0]], [[0, 1]]], initial=[0, 1], gamma="1/2")
        >>> ZeroInitialShaping.sample(mdp, 0).phi[1]
        Fraction(0, 1)
        """
        base = KInitialShaping.sample(mdp, rng, k=0, fix_terminal=fix_terminal)
        return cls(base.phi, fix_terminal=fix_terminal)

    def __repr__(self):
        return f"ZeroInitialShaping({self._phi_repr()}{self._options_repr(with_initial=False)})"


# ---------------------------------------------------------------------- finite horizon
def _time_varying_input(reward, mdp, H):
    """``(H, S, A, S)`` from a stationary reward (prefix rule) or an ``(H, S, A, S)`` one."""
    arr = parse_array(reward, where="reward", error=InvalidRewardError)
    if arr.ndim == 4:
        S, A = mdp.n_states, mdp.n_actions
        if arr.shape != (H, S, A, S):
            raise InvalidRewardError(f"a time-varying reward has shape {arr.shape}; expected "
                                     f"{(H, S, A, S)} (H={H} decision steps)")
        return to_fractions(arr) if is_exact_array(arr) else arr.astype(np.float64)
    return broadcast_reward(arr, mdp)[None]


@dataclass(frozen=True, eq=False)
class TimeDependentShaping(Transform):
    """Time-dependent potential shaping for a finite horizon ``H``.

    ``R'_t(s, a, s') = R(s, a, s') + gamma Phi_{t+1}(s') - Phi_t(s)`` for the decision
    steps ``t = 0 .. H-1``, with the potentials ``Phi_0, ..., Phi_H`` and a **constant**
    final potential ``Phi_H``.

    A finite horizon needs time-dependent potentials with a constant final potential:
    a *stationary* potential applied at every step (``PotentialShaping``) is **not** an
    invariance of the finite-horizon soft-optimal or optimal policy, because the last
    step picks up ``gamma E Phi(s')``, which in general depends on the action.  This
    transformation is (claim ``time-dependent-shaping-finite-horizon``): the soft values
    change by ``V'_t = V_t - Phi_t + gamma^(H - t) c`` with ``c = Phi_H``, and every
    step's policy is unchanged.

    Parameters
    ----------
    phis : (H + 1, S) array_like
        ``phis[t]`` is ``Phi_t``; the last row must be constant.  Exact input stays exact.
    gamma : number, optional
        Default ``mdp.gamma``.

    Raises
    ------
    InvalidParameterError
        When ``phis`` is not 2-D with at least 2 rows, or its last row is not constant
        (the message names two states and their values); from :meth:`delta` /
        :meth:`apply`, when the MDP has an infinite horizon, a horizon other than
        ``H = len(phis) - 1``, or a different number of states.

    Notes
    -----
    :meth:`apply` returns the time-varying ``(H, S, A, S)`` reward, for
    ``soft_value_iteration(..., time_varying=True)``; it accepts a stationary reward
    (shape-prefix rule) or an ``(H, S, A, S)`` one.  ``O(H S^2 A)`` (dense output).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], horizon=1, gamma=1)
    >>> t = TimeDependentShaping([[0, 3], [5, 5]])
    >>> R2 = t.apply([0, 0], mdp)
    >>> R2.shape, R2[0, 0].tolist()
    ((1, 2, 2, 2), [[Fraction(5, 1), Fraction(5, 1)], [Fraction(5, 1), Fraction(5, 1)]])
    >>> pi = idf.soft_policy(mdp, [0.0, 0.0])
    >>> bool(abs(idf.soft_policy(mdp, R2, time_varying=True) - pi).max() < 1e-12)
    True
    >>> TimeDependentShaping([[0, 3], [0, 3]])
    Traceback (most recent call last):
    ...
    identifiability.errors.InvalidParameterError: the final potential Phi_H (H=1) must be constant, but Phi_H(s=0) = 0 and Phi_H(s=1) = 3; a stationary potential is not a finite-horizon invariance
    """

    phis: np.ndarray
    gamma: object = None

    def __post_init__(self):
        phis = _exact_array(self.phis, "phis")
        if phis.ndim != 2 or phis.shape[0] < 2:
            raise InvalidParameterError(f"phis must have shape (H + 1, S) with H >= 1, got shape "
                                        f"{phis.shape}")
        last = phis[-1]
        k = _first_mismatch(last, last[0] if last.dtype == object else float(last[0]))
        if k is not None:
            raise InvalidParameterError(
                f"the final potential Phi_H (H={phis.shape[0] - 1}) must be constant, but "
                f"Phi_H(s=0) = {format_number(last[0])} and Phi_H(s={k}) = "
                f"{format_number(last[k])}; a stationary potential is not a finite-horizon "
                "invariance")
        object.__setattr__(self, "phis", phis)
        if self.gamma is not None:
            g = _scalar(self.gamma, "gamma")
            if not 0 <= g <= 1:
                raise InvalidParameterError(f"gamma must lie in [0, 1], got {format_number(g)}")
            object.__setattr__(self, "gamma", g)

    @property
    def horizon(self):
        """int: ``H = len(phis) - 1``."""
        return self.phis.shape[0] - 1

    def delta(self, mdp):
        """``gamma Phi_{t+1}(s') - Phi_t(s)`` as an ``(H, S, A, S)`` table.

        Parameters
        ----------
        mdp : MDP
            Must have the finite horizon ``H``.

        Returns
        -------
        (H, S, A, S) ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1]]], horizon=2, gamma="1/2")
        >>> TimeDependentShaping([[1], [2], [4]]).delta(mdp)[:, 0, 0, 0].tolist()
        [Fraction(0, 1), Fraction(0, 1)]
        """
        H, S = self.horizon, mdp.n_states
        if mdp.horizon is None:
            raise InvalidParameterError("TimeDependentShaping needs a finite horizon; this MDP "
                                        "has an infinite horizon (use PotentialShaping)")
        if mdp.horizon != H:
            raise InvalidParameterError(f"phis has H + 1 = {H + 1} rows but the MDP has horizon "
                                        f"{mdp.horizon}; expected shape ({mdp.horizon + 1}, {S})")
        _check_shape(self.phis, (H + 1, S), "phis")
        g = mdp.gamma if self.gamma is None else self.gamma
        phis = self.phis
        if phis.dtype != object or not isinstance(g, Fraction):
            phis, g = to_float_array(phis), float(g)
        d = g * phis[1:, None, None, :] - phis[:-1, :, None, None]
        return np.array(np.broadcast_to(d, (H, S, mdp.n_actions, S)), dtype=d.dtype)

    def apply(self, reward, mdp):
        """The time-varying reward ``R'_t``, shape ``(H, S, A, S)``.

        Parameters
        ----------
        reward : (S,), (S, A), (S, A, S) or (H, S, A, S) array_like
            A stationary reward (shape-prefix rule) or a time-varying one.
        mdp : MDP

        Returns
        -------
        (H, S, A, S) ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1]]], horizon=2, gamma=1)
        >>> TimeDependentShaping([[3], [1], [0]]).apply([1], mdp)[:, 0, 0, 0].tolist()
        [Fraction(-1, 1), Fraction(0, 1)]
        """
        d = self.delta(mdp)
        R, d = _common(_time_varying_input(reward, mdp, self.horizon), d)
        return R + d

    @classmethod
    def sample(cls, mdp, rng=None):
        """Random potentials ``Phi_0 .. Phi_H`` (``Phi_H`` a random constant) for ``mdp.horizon``.

        Parameters
        ----------
        mdp : MDP
            Must have a finite horizon.
        rng : numpy Generator, int or None

        Returns
        -------
        TimeDependentShaping

        Raises
        ------
        InvalidParameterError
            When ``mdp.horizon`` is None.

        Examples
        --------
        >>> import identifiability as idf
        >>> t = TimeDependentShaping.sample(idf.MDP([[[1, 0]], [[0, 1]]], horizon=3), 0)
        >>> t.phis.shape, t.phis[3, 0] == t.phis[3, 1]
        ((4, 2), True)
        """
        if mdp.horizon is None:
            raise InvalidParameterError("TimeDependentShaping.sample needs a finite horizon; "
                                        "this MDP has an infinite horizon")
        r = _rng(rng)
        H, S = mdp.horizon, mdp.n_states
        phis = _random_values(r, (H + 1, S), mdp.is_exact)
        phis[H] = _random_values(r, (1,), mdp.is_exact)[0]
        return cls(phis)

    def __repr__(self):
        g = "" if self.gamma is None else f", gamma={format_number(self.gamma)}"
        return f"TimeDependentShaping(<{'x'.join(map(str, self.phis.shape))} potentials>{g})"


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


def reachable_transitions(mdp):
    """Boolean mask of the *reachable* transitions ``(s, a, s')``.

    A transition is reachable when ``s`` is reachable from an initial state
    (``mdp.initial[s] > 0``) by possible transitions, and ``P(s'|s, a) > 0``; every
    action at a reachable state counts.  Impossible transitions are never reachable.

    Parameters
    ----------
    mdp : MDP

    Returns
    -------
    (S, A, S) bool ndarray
        Read-only.  ``mask.any(axis=(1, 2))`` is the set of reachable states (every
        state has a successor).

    Notes
    -----
    Breadth-first search on the support graph
    (:func:`identifiability.graph.reachable_states`), ``O(S + nnz)``, then a scatter over
    the sparse entries; the dense output costs ``O(S^2 A)`` memory.  The horizon plays
    no role.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [1, 0]], [[0, 1], [1, 0]]], initial=[1, 0], gamma="1/2")
    >>> m = reachable_transitions(mdp)
    >>> m[0].tolist(), m[1].any()
    ([[True, False], [True, False]], np.False_)
    """
    reach = reachable_states(mdp)
    s, a, sn, _ = mdp.entries(exact=False)
    keep = reach[s]
    S = mdp.n_states
    out = np.zeros((S, mdp.n_actions, S), dtype=bool)
    out[s[keep], a[keep], sn[keep]] = True
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False, init=False)
class UnreachableMask(_TableAdditive):
    """Mask of unreachable transitions: ``R' = R + delta`` with ``delta = 0`` on reachable ones.

    Reachable transitions are those of :func:`reachable_transitions`: ``s`` reachable
    from an initial state by possible transitions and ``P(s'|s, a) > 0``.  Impossible
    transitions are unreachable, so this generalises :class:`ImpossibleTransitionMask`.

    Parameters
    ----------
    delta : (S, A, S) array_like
        The change; must vanish on every reachable transition.

    Raises
    ------
    InvalidParameterError
        From :meth:`apply`, when ``delta`` is non-zero on a reachable transition (the
        message names it and its value).

    Notes
    -----
    Leaves the expected reward unchanged at every reachable state, hence (the
    reachable states being closed under transitions) the soft-optimal policy, the
    optimal values and the optimal-action sets at reachable states (claim
    ``unreachable-mask-invariance``).  At unreachable states it can change all of
    them: it is **not** an invariance of the optimal-policy set on the whole state
    space (the note's §2).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0]], [[0, 1]]], initial=[1, 0], gamma="1/2")
    >>> UnreachableMask([[[0, 7]], [[7, 7]]]).apply([0, 0], mdp)[1, 0].tolist()
    [Fraction(7, 1), Fraction(7, 1)]
    >>> UnreachableMask([[[7, 0]], [[0, 0]]]).apply([0, 0], mdp)
    Traceback (most recent call last):
    ...
    identifiability.errors.InvalidParameterError: a mask of unreachable transitions must be 0 on reachable transitions; delta(s=0, a=0, s'=0) = 7 but s=0 is reachable from an initial state and P(s'|s, a) > 0
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
        >>> UnreachableMask([[[0]]]).delta(idf.MDP([[[1]]], horizon=1)).shape
        (1, 1, 1)
        """
        d = _transition_table(self.table, mdp, "delta")
        idx = np.flatnonzero(reachable_transitions(mdp).reshape(-1))
        on = d.reshape(-1)[idx]
        k = _first_nonzero(on)
        if k is not None:
            s, a, sn = np.unravel_index(int(idx[k]), d.shape)
            raise InvalidParameterError(
                "a mask of unreachable transitions must be 0 on reachable transitions; "
                f"delta(s={s}, a={a}, s'={sn}) = {format_number(on[k])} but s={s} is reachable "
                "from an initial state and P(s'|s, a) > 0")
        return np.array(d)

    @classmethod
    def sample(cls, mdp, rng=None):
        """Random values on the unreachable transitions, zero on the reachable ones.

        Parameters
        ----------
        mdp : MDP
        rng : numpy Generator, int or None

        Returns
        -------
        UnreachableMask

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0]], [[0, 1]]], initial=[1, 0], gamma="1/2")
        >>> d = UnreachableMask.sample(mdp, 0).table
        >>> d[0, 0, 0], d[1, 0, 1] != 0
        (Fraction(0, 1), True)
        """
        shape = (mdp.n_states, mdp.n_actions, mdp.n_states)
        x = _random_values(_rng(rng), shape, mdp.is_exact)
        x[reachable_transitions(mdp)] = Fraction(0) if mdp.is_exact else 0.0
        return cls(x)

    def __repr__(self):
        return f"UnreachableMask(<{'x'.join(map(str, self.table.shape))} table>)"


# ---------------------------------------------------------------------- optimality preserving
def _require_discounted(mdp, who):
    if mdp.horizon is not None:
        raise InvalidMDPError(f"{who} is defined for an infinite horizon with gamma < 1; this MDP "
                              f"has horizon={mdp.horizon} (use mdp.replace(horizon=None) with "
                              f"gamma < 1)")


def _optimal_sets(mdp, optimal_sets):
    """Validated read-only ``(S, A)`` bool mask with no empty row."""
    O = np.asarray(optimal_sets)
    S, A = mdp.n_states, mdp.n_actions
    if O.dtype != bool:
        if O.dtype.kind in "iu" and np.all((O == 0) | (O == 1)):
            O = O.astype(bool)
        else:
            raise InvalidParameterError(f"optimal_sets must be a boolean (S, A) mask, got dtype "
                                        f"{O.dtype}")
    if O.shape != (S, A):
        raise InvalidParameterError(f"optimal_sets has shape {O.shape}; expected {(S, A)} on "
                                    "this MDP")
    empty = np.flatnonzero(~O.any(axis=1))
    if empty.size:
        raise InvalidParameterError(f"optimal_sets has no optimal action at state s="
                                    f"{int(empty[0])}; every state needs at least one")
    O = np.array(O, dtype=bool)
    O.setflags(write=False)
    return O


def _positive_values(rng, shape, exact, scale=5):
    """Random numbers in ``(0, scale]``: Fractions ``k/d`` (``d <= 4``) or floats."""
    if exact:
        den = rng.integers(1, 5, size=shape)
        num = rng.integers(1, scale * den + 1)
        out = np.empty(shape, dtype=object)
        out.reshape(-1)[:] = [Fraction(int(n), int(d)) for n, d in
                              zip(num.reshape(-1).tolist(), den.reshape(-1).tolist())]
        return out
    return rng.uniform(0.1, scale, size=shape)


@dataclass(frozen=True, eq=False)
class OptimalityPreserving(Transform):
    """An optimality-preserving (OPT) transformation built from its certificate ``(Psi, gaps)``.

    With optimal-action sets ``O`` (here ``O = optimal_actions(mdp, R)``) the output has
    expected reward::

        r'(s, a) = Psi(s) - gamma (P Psi)(s, a) - [a not in O(s)] gaps(s, a)

    placed as a table constant in ``s'``, plus an optional S'-redistribution.  Then
    ``E_{tau(s, a)}[R'(s, a, S') + gamma Psi(S')] = Psi(s) - [a not in O(s)] gaps(s, a)``,
    which is ``<= Psi(s)`` with equality iff ``a in O(s)``: the OPT condition of the
    note's §2 table, so ``V*_{R'} = Psi`` and the optimal-action sets of ``R'`` are
    exactly ``O`` (claim ``optimality-preserving-certificate``).

    Parameters
    ----------
    psi : (S,) array_like
        The optimal values ``V*`` of the output.
    gaps : (S, A) array_like
        The suboptimality gaps ``V* - Q*`` of the output off ``O``; every entry must be
        ``> 0`` (entries at optimal actions are not used).
    redistribution : SPrimeRedistribution or (S, A, S) array_like, optional
        Added to the output (validated on the MDP).

    Raises
    ------
    InvalidParameterError
        Wrong shapes, a gap ``<= 0`` (the message names ``(s, a)`` and the value), an
        invalid redistribution.
    InvalidMDPError
        A finite horizon: OPT is defined here for the infinite discounted horizon only.

    Notes
    -----
    The output depends on ``R`` only through its optimal sets.  Exact when the MDP, the
    reward and the parameters are exact.  Cost: :func:`~identifiability.optimal_actions`
    plus ``O(nnz + S^2 A)``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], gamma="1/2")
    >>> R = [[0, 0], [1, 1]]
    >>> idf.optimal_actions(mdp, R).tolist()
    [[False, True], [True, True]]
    >>> t = OptimalityPreserving([4, 2], [[3, 3], [1, 1]])
    >>> R2 = t.apply(R, mdp)
    >>> idf.expected_reward(mdp, R2).tolist()
    [[Fraction(-1, 1), Fraction(3, 1)], [Fraction(1, 1), Fraction(1, 1)]]
    >>> idf.optimal_actions(mdp, R2).tolist(), idf.optimal_values(mdp, R2)[0].tolist()
    ([[False, True], [True, True]], [Fraction(4, 1), Fraction(2, 1)])
    """

    psi: np.ndarray
    gaps: np.ndarray
    redistribution: object = None

    def __post_init__(self):
        psi = _exact_array(self.psi, "psi")
        if psi.ndim != 1:
            raise InvalidParameterError(f"psi must be a vector of shape (S,), got shape "
                                        f"{psi.shape}")
        gaps = _exact_array(self.gaps, "gaps")
        if gaps.ndim != 2:
            raise InvalidParameterError(f"gaps must have shape (S, A), got shape {gaps.shape}")
        bad = np.flatnonzero(np.asarray(gaps <= 0, dtype=bool).reshape(-1))
        if bad.size:
            s, a = np.unravel_index(int(bad[0]), gaps.shape)
            raise InvalidParameterError(f"gaps must be > 0 (suboptimality gaps); gaps(s={s}, "
                                        f"a={a}) = {format_number(gaps[s, a])}")
        object.__setattr__(self, "psi", psi)
        object.__setattr__(self, "gaps", gaps)
        red = self.redistribution
        if red is not None and not isinstance(red, SPrimeRedistribution):
            red = SPrimeRedistribution(red)
        object.__setattr__(self, "redistribution", red)

    def table(self, mdp, optimal_sets):
        """The OPT reward for prescribed optimal sets ``O``, shape ``(S, A, S)``.

        Parameters
        ----------
        mdp : MDP
            Infinite horizon, ``gamma < 1``.
        optimal_sets : (S, A) bool array_like
            ``O``; every row needs a True entry.

        Returns
        -------
        (S, A, S) ndarray
            Exact when the MDP and the parameters are exact.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1], [1]]], gamma="1/2")
        >>> R = OptimalityPreserving([2], [[1, 1]]).table(mdp, [[True, False]])
        >>> R[:, :, 0].tolist(), idf.optimal_actions(mdp, R).tolist()
        ([[Fraction(1, 1), Fraction(0, 1)]], [[True, False]])
        """
        _require_discounted(mdp, "OptimalityPreserving")
        S, A = mdp.n_states, mdp.n_actions
        _check_shape(self.psi, (S,), "psi")
        _check_shape(self.gaps, (S, A), "gaps")
        O = _optimal_sets(mdp, optimal_sets)
        exact = mdp.is_exact and self.psi.dtype == object and self.gaps.dtype == object
        if exact:
            psi, gaps, g, zero = self.psi, self.gaps, mdp.gamma, Fraction(0)
        else:
            psi, gaps, g, zero = (to_float_array(self.psi), to_float_array(self.gaps),
                                  float(mdp.gamma), 0.0)
        r = psi[:, None] - g * mdp.expectation(psi, exact=exact) - np.where(O, zero, gaps)
        out = np.array(np.broadcast_to(r[:, :, None], (S, A, S)), dtype=r.dtype)
        if self.redistribution is not None:
            out, d = _common(out, self.redistribution.delta(mdp))
            out = out + d
        return out

    def apply(self, reward, mdp):
        """The OPT reward for the optimal sets of ``reward``.

        Equals ``table(mdp, optimal_actions(mdp, reward))``.

        Parameters
        ----------
        reward : (S,), (S, A) or (S, A, S) array_like
        mdp : MDP
            Infinite horizon, ``gamma < 1``.

        Returns
        -------
        (S, A, S) ndarray
            Exact when the MDP, the reward and the parameters are exact; else float64.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1], [1]]], gamma="1/2")
        >>> OptimalityPreserving([2], [[1, 1]]).apply([[0, 5]], mdp)[:, :, 0].tolist()
        [[Fraction(0, 1), Fraction(1, 1)]]
        """
        _require_discounted(mdp, "OptimalityPreserving")
        R = as_reward(reward, mdp)
        out = self.table(mdp, optimal_actions(mdp, R))
        return out if R.dtype == object else to_float_array(out)

    @classmethod
    def sample(cls, mdp, rng=None):
        """Random ``Psi`` in ``[-5, 5]``, gaps in ``(0, 5]`` and an S'-redistribution.

        Parameters
        ----------
        mdp : MDP
            Infinite horizon, ``gamma < 1``.
        rng : numpy Generator, int or None

        Returns
        -------
        OptimalityPreserving
            Exact parameters on an exact MDP.

        Examples
        --------
        >>> import identifiability as idf
        >>> t = OptimalityPreserving.sample(idf.MDP([[[1, 0]], [[0, 1]]], gamma="1/2"), 0)
        >>> t.psi.shape, t.gaps.shape, bool((t.gaps > 0).all())
        ((2,), (2, 1), True)
        """
        _require_discounted(mdp, "OptimalityPreserving.sample")
        r = _rng(rng)
        S, A = mdp.n_states, mdp.n_actions
        return cls(_random_values(r, (S,), mdp.is_exact), _positive_values(r, (S, A), mdp.is_exact),
                   SPrimeRedistribution.sample(mdp, r))

    def __repr__(self):
        red = "" if self.redistribution is None else ", redistribution=<S'R>"
        psi = ", ".join(format_number(v) for v in self.psi.tolist())
        return (f"OptimalityPreserving(psi=[{psi}], <{'x'.join(map(str, self.gaps.shape))} "
                f"gaps>{red})")


@dataclass(frozen=True, eq=False, repr=False)
class OptimalityCertificate:
    """The ``Psi`` certificate that ``optimal_sets`` are the optimal-action sets of a reward.

    Built by :func:`optimality_certificate`; re-checked by :meth:`verify`.

    Attributes
    ----------
    mdp : MDP
    reward : (S, A) ndarray
        The expected reward ``r(s, a)`` (exact or float).
    psi : (S,) ndarray
        ``Psi = V*`` of the reward.
    optimal_sets : (S, A) bool ndarray
        The claimed sets ``O``.
    slack : (S, A) ndarray
        ``Psi(s) - r(s, a) - gamma (P Psi)(s, a)``; the certificate holds iff it is
        ``>= 0`` everywhere and ``= 0`` exactly on ``O``.
    atol : float or None
        Float tolerance of the checks (None: exact).

    All arrays are read-only.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1], [1]]], gamma="1/2")
    >>> cert = optimality_certificate(mdp, [[0, 1]], [[False, True]])
    >>> cert.psi.tolist(), cert.slack.tolist(), cert.verify()
    ([Fraction(2, 1)], [[Fraction(1, 1), Fraction(0, 1)]], True)
    """

    mdp: object
    reward: np.ndarray
    psi: np.ndarray
    optimal_sets: np.ndarray
    slack: np.ndarray
    atol: float | None = None

    def violation(self):
        """The first reason the certificate fails, or None when it holds.

        Recomputes the slack from ``mdp``, ``reward`` and ``psi`` (independently of the
        stored ``slack`` and of the solver that produced ``psi``) and checks
        ``slack >= 0`` everywhere, ``slack = 0`` on ``O`` and ``slack > 0`` off ``O``
        (exactly on exact input, to ``atol`` in float).  These conditions with
        non-empty ``O(s)`` imply ``psi = V*`` (the Bellman optimality fixed point) and
        ``O = argmax_a Q*``.

        Returns
        -------
        str or None

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1], [1]]], gamma="1/2")
        >>> optimality_certificate(mdp, [[0, 1]], [[True, True]]).violation()
        'a=0 is in O(s=0) but the slack Psi(s) - E[R + gamma Psi] is 1 > 0'
        """
        mdp, r, psi, O = self.mdp, self.reward, self.psi, self.optimal_sets
        S, A = mdp.n_states, mdp.n_actions
        if r.shape != (S, A) or psi.shape != (S,) or O.shape != (S, A) or \
                self.slack.shape != (S, A):
            return "shapes do not match the MDP"
        if not O.any(axis=1).all():
            return f"O(s={int(np.flatnonzero(~O.any(axis=1))[0])}) is empty"
        exact = self.atol is None
        if exact:
            g = mdp.gamma
            q = r + g * mdp.expectation(psi, exact=True)
            slack = psi[:, None] - q
            neg = np.asarray(slack < 0, dtype=bool)
            zero = np.asarray(slack == 0, dtype=bool)
            stored = np.asarray(slack == self.slack, dtype=bool)
        else:
            g = float(mdp.gamma)
            slack = to_float_array(psi)[:, None] - (to_float_array(r) + g * mdp.expectation(
                to_float_array(psi), exact=False))
            neg = slack < -self.atol
            zero = np.abs(slack) <= self.atol
            stored = np.abs(slack - to_float_array(self.slack)) <= self.atol
        checks = (
            (~stored, "the stored slack at (s={s}, a={a}) does not match the recomputed {v}"),
            (neg, "E[R + gamma Psi] exceeds Psi(s) at (s={s}, a={a}): slack {v} < 0"),
            (O & ~zero, "a={a} is in O(s={s}) but the slack Psi(s) - E[R + gamma Psi] is {v} > 0"),
            (~O & zero, "a={a} is not in O(s={s}) but its slack is {v}: it is also optimal"),
        )
        for bad, msg in checks:
            idx = np.flatnonzero(bad.reshape(-1))
            if idx.size:
                s, a = divmod(int(idx[0]), A)
                return msg.format(s=s, a=a, v=format_number(slack[s, a]))
        return None

    def verify(self):
        """Re-check the certificate; True when it holds (see :meth:`violation`).

        Returns
        -------
        bool

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1], [1]]], gamma="1/2")
        >>> optimality_certificate(mdp, [[0, 1]], [[True, False]]).verify()
        False
        """
        return self.violation() is None

    def __repr__(self):
        kind = "exact" if self.atol is None else f"float, atol={self.atol:.3g}"
        return (f"OptimalityCertificate(S={self.mdp.n_states}, A={self.mdp.n_actions}, {kind}, "
                f"holds={self.verify()})")


def optimality_certificate(mdp, reward, optimal_sets=None):
    """The ``Psi`` certificate of the OPT relation for ``reward`` and the sets ``optimal_sets``.

    ``Psi = V*`` of ``reward`` (:func:`~identifiability.optimal_values`, exact on exact
    input) and the slack ``Psi(s) - E_{tau(s, a)}[R(s, a, S') + gamma Psi(S')]``.  The
    certificate holds (:meth:`OptimalityCertificate.verify`) iff the slack is ``>= 0``
    with equality exactly on ``optimal_sets``, i.e. iff ``optimal_sets`` are the
    optimal-action sets of ``reward`` (note §2, OPT row).  A reward ``R'`` is
    OPT-related to ``R`` iff ``optimality_certificate(mdp, R', optimal_actions(mdp, R))``
    holds.

    Parameters
    ----------
    mdp : MDP
        Infinite horizon, ``gamma < 1``.
    reward : (S,), (S, A) or (S, A, S) array_like
    optimal_sets : (S, A) bool array_like, optional
        The claimed sets ``O`` (non-empty rows).  Default: ``optimal_actions(mdp, reward)``.

    Returns
    -------
    OptimalityCertificate
        Built even when the sets are wrong; then ``verify()`` is False and
        ``violation()`` names the first offending ``(s, a)``.

    Raises
    ------
    InvalidMDPError
        A finite horizon.
    InvalidParameterError
        ``optimal_sets`` of the wrong shape or with an empty row.

    Notes
    -----
    Cost of :func:`~identifiability.optimal_values` plus ``O(nnz + S A)``.  Float input:
    the checks use ``atol = 1e-9 * max(1, max |Psi|, max |r|)``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], gamma="1/2")
    >>> R = [[0, 0], [1, 1]]
    >>> R2 = PositiveScaling(3).apply(R, mdp)
    >>> optimality_certificate(mdp, R2, idf.optimal_actions(mdp, R)).verify()
    True
    >>> optimality_certificate(mdp, R2, [[True, True], [True, True]]).violation()
    'a=0 is in O(s=0) but the slack Psi(s) - E[R + gamma Psi] is 3/2 > 0'
    """
    _require_discounted(mdp, "optimality_certificate")
    r = expected_reward(mdp, reward)
    V, Q = optimal_values(mdp, r)
    O = optimal_actions(mdp, r) if optimal_sets is None else optimal_sets
    O = _optimal_sets(mdp, O)
    slack = V[:, None] - Q
    atol = None
    if slack.dtype != object:
        atol = 1e-9 * max(1.0, float(np.max(np.abs(V))), float(np.max(np.abs(to_float_array(r)))))
        r, V, slack = to_float_array(r), to_float_array(V), to_float_array(slack)
    for arr in (r, V, slack):
        arr.setflags(write=False)
    return OptimalityCertificate(mdp, r, V, O, slack, atol)


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
