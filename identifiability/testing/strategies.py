"""Hypothesis strategies for MDPs, rewards, potentials and policies.

Every strategy here is *exact by default*: probabilities are built as integer
compositions ``k_i / d`` (``k_i >= 1``, ``sum k_i = d``), so each row of a
transition kernel sums to exactly one with no ``filter`` or ``assume``, and
theorem tests can assert equality instead of ``allclose``.  Pass
``exact=False`` for the float64 twin of the same construction (for
differential tests of the float path against the exact one).

Conventions (copied from :mod:`xarray.testing.strategies`):

* arguments after the first are keyword-only;
* most parameters accept either a fixed value or a hypothesis strategy that
  draws it (``mdps(max_states=st.integers(2, 4))`` is not needed, but
  ``mdps(gamma=discounts(allow_one=False))``, ``mdps(horizon=3)`` and
  ``mdps(horizon=st.none())`` (infinite horizon) are all fine);
* bad arguments raise :class:`hypothesis.errors.InvalidArgument` (a
  :class:`TypeError`) when the strategy is *built*, not when it is drawn from;
* sizes are bounded by default (``max_states=5``, ``max_actions=3``) so a test
  with 100 examples stays well under a second of generation.

Examples
--------
>>> from hypothesis import given, strategies as st
>>> from identifiability.testing import strategies as ist
>>> @given(ist.mdps(horizon=st.none()))
... def test_infinite_horizon_is_discounted(mdp):
...     assert mdp.gamma < 1
>>> test_infinite_horizon_is_discounted()  # doctest: +SKIP
"""

from __future__ import annotations

import numbers
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..mdp import MDP

__all__ = [
    "distributions",
    "transition_kernels",
    "discounts",
    "horizons",
    "mdps",
    "deterministic_mdps",
    "rewards",
    "potentials",
    "policies",
    "state_action_pairs",
    "permutations_of",
    "decorated_mdps",
]

_INITIAL_MODES = ("random", "uniform", "single")

#: Float rewards with a magnitude below this are flushed to 0.0, so products of
#: rewards, probabilities and discounts stay far from underflow.
_FLUSH_TO_ZERO = 1e-6


# ---------------------------------------------------------------------- argument checks
def _is_strategy(x):
    return isinstance(x, st.SearchStrategy)


def _draw(draw, x):
    """``draw(x)`` when ``x`` is a strategy, else ``x`` itself."""
    return draw(x) if _is_strategy(x) else x


def _check_int(name, value, *, min_value=None, allow_none=False, allow_strategy=True):
    if value is None and allow_none:
        return
    if allow_strategy and _is_strategy(value):
        return
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        kinds = "an int" + (" or None" if allow_none else "") + \
            (" or a strategy of ints" if allow_strategy else "")
        raise InvalidArgument(f"{name} must be {kinds}, got {value!r} "
                              f"of type {type(value).__name__}")
    if min_value is not None and value < min_value:
        raise InvalidArgument(f"{name} must be >= {min_value}, got {value!r}")


def _check_bool(name, value, *, allow_none=False, allow_strategy=True):
    if value is None and allow_none:
        return
    if allow_strategy and _is_strategy(value):
        return
    if not isinstance(value, (bool, np.bool_)):
        kinds = "a bool" + (" or None" if allow_none else "") + \
            (" or a strategy of bools" if allow_strategy else "")
        raise InvalidArgument(f"{name} must be {kinds}, got {value!r} "
                              f"of type {type(value).__name__}")


def _check_range(lo_name, lo, hi_name, hi):
    """Both ints (already checked): ``lo <= hi``."""
    if not _is_strategy(lo) and not _is_strategy(hi) and lo is not None and hi is not None \
            and lo > hi:
        raise InvalidArgument(f"{lo_name}={lo!r} must not exceed {hi_name}={hi!r}")


def _check_real(name, value):
    if _is_strategy(value):
        return
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InvalidArgument(f"{name} must be a real number (int, Fraction or float) "
                              f"or a strategy, got {value!r} of type {type(value).__name__}")
    if isinstance(value, float) and not np.isfinite(value):
        raise InvalidArgument(f"{name} must be finite, got {value!r}")


def _check_mdp(name, value):
    if _is_strategy(value) or isinstance(value, MDP):
        return
    raise InvalidArgument(f"{name} must be an identifiability.MDP or a strategy of MDPs, "
                          f"got {value!r} of type {type(value).__name__}")


def _as_exact_bound(x):
    return Fraction(x) if not isinstance(x, float) else Fraction(x).limit_denominator(10 ** 6)


def _object_array(values, shape):
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out.reshape(shape)


# ---------------------------------------------------------------------- distributions
@st.composite
def _compositions(draw, n, max_support, max_denominator):
    """Integer parts ``k`` of shape (n,) and their sum ``d``; support size in 1..max_support."""
    k = draw(st.integers(1, min(max_support, n)))
    d = draw(st.integers(k, max(k, max_denominator)))
    # k - 1 distinct cut points in 1..d-1 split d into k positive parts.
    cuts = sorted(draw(st.lists(st.integers(1, d - 1), min_size=k - 1, max_size=k - 1,
                                unique=True))) if k > 1 else []
    parts = np.diff([0] + cuts + [d])
    positions = draw(st.permutations(range(n)))[:k]
    counts = np.zeros(n, dtype=np.int64)
    counts[list(positions)] = parts
    return counts, d


def _counts_to_distribution(counts, d, exact):
    if exact:
        return _object_array([Fraction(int(c), d) for c in counts.tolist()], counts.shape)
    return counts.astype(np.float64) / d


def distributions(n, *, exact=True, max_support=None, max_denominator=6):
    """Probability vectors of length ``n`` that sum to exactly one.

    Built as an integer composition: ``k_i >= 0`` with ``sum k_i = d`` and
    ``p_i = k_i / d``, where ``d <= max(max_denominator, support size)``.  The
    support (the positive entries) has a random size in ``1..max_support`` and
    sits at random positions.  Shrinks towards a one-hot vector at index 0.

    Parameters
    ----------
    n : int or strategy of int
        Length of the vector, ``>= 1``.
    exact : bool, default True
        Object array of :class:`fractions.Fraction` (sums to exactly 1), or the
        float64 version of the same vector (sums to 1 up to rounding).
    max_support : int or strategy, optional
        Largest number of positive entries; default ``n``.
    max_denominator : int or strategy, default 6
        Largest common denominator ``d`` (raised to the support size when smaller).

    Returns
    -------
    SearchStrategy of (n,) ndarray

    Examples
    --------
    >>> distributions(3).example()  # doctest: +SKIP
    array([Fraction(1, 3), Fraction(0, 1), Fraction(2, 3)], dtype=object)
    >>> distributions(4, exact=False, max_support=1).example()  # doctest: +SKIP
    array([0., 1., 0., 0.])
    """
    _check_int("n", n, min_value=1)
    _check_bool("exact", exact)
    _check_int("max_support", max_support, min_value=1, allow_none=True)
    _check_int("max_denominator", max_denominator, min_value=1)
    return _distributions(n, exact, max_support, max_denominator)


@st.composite
def _distributions(draw, n, exact, max_support, max_denominator):
    n = _draw(draw, n)
    exact = _draw(draw, exact)
    ms = _draw(draw, max_support)
    ms = n if ms is None else ms
    counts, d = draw(_compositions(n, ms, _draw(draw, max_denominator)))
    return _counts_to_distribution(counts, d, exact)


# ---------------------------------------------------------------------- transition kernels
def transition_kernels(n_states, n_actions, *, exact=True, deterministic=False,
                       max_support=3, max_denominator=6):
    """Transition arrays ``P[s, a, s']`` of shape ``(S, A, S)`` whose rows are distributions.

    Parameters
    ----------
    n_states, n_actions : int or strategy of int
        ``S >= 1`` and ``A >= 1``.
    exact : bool, default True
        Fractions (object array; every row sums to exactly 1) or float64.
    deterministic : bool, None or strategy, default False
        True gives one-hot rows (``int64`` when exact, float64 otherwise); None
        draws either.
    max_support : int or strategy, default 3
        Largest number of successors of a state-action pair (stochastic kernels).
    max_denominator : int or strategy, default 6
        Largest common denominator within a row.

    Returns
    -------
    SearchStrategy of (S, A, S) ndarray

    Examples
    --------
    >>> transition_kernels(2, 1).example()  # doctest: +SKIP
    array([[[Fraction(1, 2), Fraction(1, 2)]],
           [[Fraction(0, 1), Fraction(1, 1)]]], dtype=object)
    """
    _check_int("n_states", n_states, min_value=1)
    _check_int("n_actions", n_actions, min_value=1)
    _check_bool("exact", exact)
    _check_bool("deterministic", deterministic, allow_none=True)
    _check_int("max_support", max_support, min_value=1)
    _check_int("max_denominator", max_denominator, min_value=1)
    return _transition_kernels(n_states, n_actions, exact, deterministic, max_support,
                               max_denominator)


@st.composite
def _transition_kernels(draw, n_states, n_actions, exact, deterministic, max_support,
                        max_denominator):
    S = _draw(draw, n_states)
    A = _draw(draw, n_actions)
    exact = _draw(draw, exact)
    det = _draw(draw, st.booleans() if deterministic is None else deterministic)
    if det:
        succ = draw(st.lists(st.integers(0, S - 1), min_size=S * A, max_size=S * A))
        P = np.zeros((S * A, S), dtype=np.int64 if exact else np.float64)
        P[np.arange(S * A), succ] = 1
        return P.reshape(S, A, S)
    ms = _draw(draw, max_support)
    md = _draw(draw, max_denominator)
    rows = [draw(_compositions(S, ms, md)) for _ in range(S * A)]
    if exact:
        flat = [Fraction(int(c), d) for counts, d in rows for c in counts.tolist()]
        return _object_array(flat, (S, A, S))
    return np.stack([counts / d for counts, d in rows]).astype(np.float64).reshape(S, A, S)


# ---------------------------------------------------------------------- discount, horizon
def discounts(*, exact=True, allow_zero=False, allow_one=True, max_denominator=10):
    """Discount factors ``gamma`` in ``[0, 1]``, drawn as ``p / q`` with ``q <= max_denominator``.

    Parameters
    ----------
    exact : bool, default True
        A :class:`fractions.Fraction`, or its float value.
    allow_zero : bool, default False
        Whether ``gamma = 0`` may be drawn.
    allow_one : bool, default True
        Whether ``gamma = 1`` may be drawn (pass False for infinite horizons).
    max_denominator : int, default 10
        Largest denominator ``q``.

    Returns
    -------
    SearchStrategy of Fraction or float

    Examples
    --------
    >>> discounts(allow_one=False).example()  # doctest: +SKIP
    Fraction(9, 10)
    """
    _check_bool("exact", exact)
    _check_bool("allow_zero", allow_zero, allow_strategy=False)
    _check_bool("allow_one", allow_one, allow_strategy=False)
    _check_int("max_denominator", max_denominator, min_value=1, allow_strategy=False)
    if not allow_zero and not allow_one and max_denominator < 2:
        raise InvalidArgument("discounts(allow_zero=False, allow_one=False) needs "
                              f"max_denominator >= 2, got {max_denominator}")
    return _discounts(exact, allow_zero, allow_one, max_denominator)


@st.composite
def _discounts(draw, exact, allow_zero, allow_one, max_denominator):
    q_min = 1 if (allow_zero or allow_one) else 2
    q = draw(st.integers(q_min, max_denominator))
    lo = 0 if allow_zero else 1
    hi = q if allow_one else q - 1
    if lo > hi:  # q == 1 and only the excluded endpoint fits
        lo = hi = 0 if allow_zero else 1
    g = Fraction(draw(st.integers(lo, hi)), q)
    return g if _draw(draw, exact) else float(g)


def horizons(max_horizon=6, *, min_horizon=1):
    """Finite horizons (numbers of decisions) ``H`` in ``min_horizon..max_horizon``.

    Parameters
    ----------
    max_horizon : int, default 6
        Largest horizon.
    min_horizon : int, default 1
        Smallest horizon (``>= 1``).

    Returns
    -------
    SearchStrategy of int

    Examples
    --------
    >>> horizons(3).example()  # doctest: +SKIP
    2
    """
    _check_int("max_horizon", max_horizon, min_value=1, allow_strategy=False)
    _check_int("min_horizon", min_horizon, min_value=1, allow_strategy=False)
    _check_range("min_horizon", min_horizon, "max_horizon", max_horizon)
    return st.integers(min_horizon, max_horizon)


# ---------------------------------------------------------------------- MDPs
def mdps(*, min_states=1, max_states=5, min_actions=1, max_actions=3, deterministic=None,
         exact=True, max_support=3, max_denominator=6, gamma=None, horizon=None,
         initial="random"):
    """Valid :class:`~identifiability.MDP` objects, exact by default.

    Parameters
    ----------
    min_states, max_states : int, default 1 and 5
        Bounds on ``S``.
    min_actions, max_actions : int, default 1 and 3
        Bounds on ``A``.
    deterministic : bool, None or strategy, default None
        True: every ``(s, a)`` has one successor; False: stochastic rows
        (support ``1..max_support``, so some rows may still be one-hot); None: either.
    exact : bool or strategy, default True
        Fractions everywhere (transitions, initial, gamma) or float64.
    max_support, max_denominator : int, default 3 and 6
        Passed to :func:`transition_kernels`.
    gamma : number or strategy, optional
        Default :func:`discounts` with ``allow_one`` only when the drawn horizon is
        finite, so an infinite horizon always has ``gamma < 1``.  A strategy may
        also draw None, meaning the default.  When ``gamma`` is given (or drawn)
        as 1 the default horizon is finite; combined with an explicit infinite
        horizon it raises :class:`InvalidArgument`.  A float gamma makes the MDP
        float.
    horizon : int, strategy or None, optional
        A fixed number of decisions, or a strategy drawing ints and/or None
        (infinite horizon).  ``None`` (the default) means
        ``one_of(none(), horizons())``; for infinite horizons only pass
        ``st.none()``.
    initial : {"random", "uniform", "single"}, strategy, or callable
        ``"random"``: a random distribution (:func:`distributions`);
        ``"uniform"``: ``initial=None``; ``"single"``: one start state chosen at
        random.  A strategy is drawn from (it may produce one of these strings or
        an array); a callable is called with ``S`` and must return a strategy.

    Returns
    -------
    SearchStrategy of MDP

    Examples
    --------
    >>> mdps(max_states=3, horizon=2).example()  # doctest: +SKIP
    <MDP exact stochastic: S=3, A=2, nnz=8, gamma=3/5, horizon=2>
    >>> mdps(exact=False, deterministic=True, horizon=st.none()).example()  # doctest: +SKIP
    <MDP float deterministic: S=4, A=1, nnz=4, gamma=0.5, horizon=inf>
    """
    _check_int("min_states", min_states, min_value=1, allow_strategy=False)
    _check_int("max_states", max_states, min_value=1, allow_strategy=False)
    _check_range("min_states", min_states, "max_states", max_states)
    _check_int("min_actions", min_actions, min_value=1, allow_strategy=False)
    _check_int("max_actions", max_actions, min_value=1, allow_strategy=False)
    _check_range("min_actions", min_actions, "max_actions", max_actions)
    _check_bool("deterministic", deterministic, allow_none=True)
    _check_bool("exact", exact)
    _check_int("max_support", max_support, min_value=1)
    _check_int("max_denominator", max_denominator, min_value=1)
    if horizon is not None:
        _check_int("horizon", horizon, min_value=1)
    if gamma is not None:
        _check_real("gamma", gamma)
        if not _is_strategy(gamma):
            if not 0 <= gamma <= 1:
                raise InvalidArgument(f"gamma must lie in [0, 1], got {gamma!r}")
    if isinstance(initial, str):
        if initial not in _INITIAL_MODES:
            raise InvalidArgument(f"initial must be one of {_INITIAL_MODES}, a strategy or a "
                                  f"callable S -> strategy, got {initial!r}")
    elif not (_is_strategy(initial) or callable(initial)):
        raise InvalidArgument(f"initial must be one of {_INITIAL_MODES}, a strategy or a "
                              f"callable S -> strategy, got {initial!r} of type "
                              f"{type(initial).__name__}")
    return _mdps(min_states, max_states, min_actions, max_actions, deterministic, exact,
                 max_support, max_denominator, gamma, horizon, initial)


@st.composite
def _mdps(draw, min_states, max_states, min_actions, max_actions, deterministic, exact,
          max_support, max_denominator, gamma, horizon, initial):
    S = draw(st.integers(min_states, max_states))
    A = draw(st.integers(min_actions, max_actions))
    exact = _draw(draw, exact)
    P = draw(_transition_kernels(S, A, exact, deterministic, max_support, max_denominator))
    g = _draw(draw, gamma)
    if g is None:  # the default, also when a gamma strategy draws None
        H = draw(st.one_of(st.none(), horizons())) if horizon is None else _draw(draw, horizon)
        g = draw(_discounts(exact, False, H is not None, 10))
    else:
        if horizon is None:
            # The default horizon adapts: gamma = 1 is only valid with a finite horizon.
            H = draw(horizons() if g == 1 else st.one_of(st.none(), horizons()))
        else:
            H = _draw(draw, horizon)
        if H is None and g == 1:
            raise InvalidArgument(f"gamma={gamma!r} produced 1 while the horizon is infinite; "
                                  "use discounts(allow_one=False) or a finite horizon")
    init = initial
    if callable(init) and not _is_strategy(init):
        init = init(S)
    init = _draw(draw, init)
    if isinstance(init, str):
        if init == "random":
            init = draw(_distributions(S, exact, None, max_denominator))
        elif init == "uniform":
            init = None
        elif init == "single":
            init = np.zeros(S, dtype=np.int64 if exact else np.float64)
            init[draw(st.integers(0, S - 1))] = 1
        else:
            raise InvalidArgument(f"the initial strategy drew {init!r}; expected one of "
                                  f"{_INITIAL_MODES} or an array")
    return MDP(P, init, gamma=g, horizon=H)


def deterministic_mdps(**kwargs):
    """Deterministic MDPs: :func:`mdps` with ``deterministic=True``.

    Parameters
    ----------
    **kwargs
        Any other argument of :func:`mdps`.

    Returns
    -------
    SearchStrategy of MDP

    Examples
    --------
    >>> deterministic_mdps(max_states=2, horizon=3).example()  # doctest: +SKIP
    <MDP exact deterministic: S=2, A=3, nnz=6, gamma=1, horizon=3>
    """
    if "deterministic" in kwargs:
        raise InvalidArgument("deterministic_mdps() fixes deterministic=True; "
                              "use mdps(deterministic=...) instead")
    return mdps(deterministic=True, **kwargs)


# ---------------------------------------------------------------------- rewards, potentials
def _values(exact, min_value, max_value, max_denominator=4):
    if exact:
        return st.fractions(_as_exact_bound(min_value), _as_exact_bound(max_value),
                            max_denominator=max_denominator)
    return st.floats(float(min_value), float(max_value), allow_nan=False, allow_infinity=False,
                     allow_subnormal=False).map(lambda x: x if abs(x) >= _FLUSH_TO_ZERO else 0.0)


def _table(draw, shape, exact, min_value, max_value):
    n = int(np.prod(shape))
    vals = draw(st.lists(_values(exact, min_value, max_value), min_size=n, max_size=n))
    if exact:
        return _object_array(vals, shape)
    return np.array(vals, dtype=np.float64).reshape(shape)


def _check_bounds(min_value, max_value):
    _check_real("min_value", min_value)
    _check_real("max_value", max_value)
    if not _is_strategy(min_value) and not _is_strategy(max_value) and min_value > max_value:
        raise InvalidArgument(f"min_value={min_value!r} must not exceed max_value={max_value!r}")


def rewards(mdp, *, arity=None, exact=False, min_value=-5, max_value=5):
    """Reward tables for ``mdp`` by the shape-prefix rule.

    Parameters
    ----------
    mdp : MDP or strategy of MDP
    arity : {1, 2, 3}, None or strategy, default None
        Shape ``(S,)``, ``(S, A)`` or ``(S, A, S)``; None draws any of them.
    exact : bool, default False
        Object array of Fractions with denominators ``<= 4``, or float64.
        Float values are finite, never subnormal, and magnitudes below ``1e-6``
        are flushed to ``0.0``.
    min_value, max_value : number, default -5 and 5
        Bounds on every entry.

    Returns
    -------
    SearchStrategy of ndarray

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0]], [[0, 1]]], horizon=2)
    >>> rewards(mdp, arity=2, exact=True).example()  # doctest: +SKIP
    array([[Fraction(-3, 2)],
           [Fraction(0, 1)]], dtype=object)
    """
    _check_mdp("mdp", mdp)
    if arity is not None and not _is_strategy(arity):
        if isinstance(arity, bool) or arity not in (1, 2, 3):
            raise InvalidArgument(f"arity must be 1, 2, 3, None or a strategy, got {arity!r}")
    _check_bool("exact", exact)
    _check_bounds(min_value, max_value)
    return _rewards(mdp, arity, exact, min_value, max_value)


@st.composite
def _rewards(draw, mdp, arity, exact, min_value, max_value):
    m = _draw(draw, mdp)
    k = draw(st.sampled_from((1, 2, 3))) if arity is None else _draw(draw, arity)
    shape = (m.n_states, m.n_actions, m.n_states)[:k]
    return _table(draw, shape, _draw(draw, exact), _draw(draw, min_value),
                  _draw(draw, max_value))


def potentials(mdp, *, exact=False, min_value=-5, max_value=5):
    """Potential functions ``Phi`` of shape ``(S,)`` for potential shaping.

    Parameters
    ----------
    mdp : MDP or strategy of MDP
    exact : bool, default False
        Fractions (denominators ``<= 4``) or float64, with the value rules of
        :func:`rewards`.
    min_value, max_value : number, default -5 and 5
        Bounds on every entry.

    Returns
    -------
    SearchStrategy of (S,) ndarray

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0]], [[0, 1]]], horizon=2)
    >>> potentials(mdp).example()  # doctest: +SKIP
    array([ 0.5, -3.25])
    """
    _check_mdp("mdp", mdp)
    _check_bool("exact", exact)
    _check_bounds(min_value, max_value)
    return _potentials(mdp, exact, min_value, max_value)


@st.composite
def _potentials(draw, mdp, exact, min_value, max_value):
    m = _draw(draw, mdp)
    return _table(draw, (m.n_states,), _draw(draw, exact), _draw(draw, min_value),
                  _draw(draw, max_value))


# ---------------------------------------------------------------------- policies
def policies(mdp, *, horizon=None, exact=False, full_support=None):
    """Policies ``pi[s, a]`` (stationary) or ``pi[t, s, a]`` (time-dependent).

    Parameters
    ----------
    mdp : MDP or strategy of MDP
    horizon : int, None or strategy, default None
        None gives a stationary ``(S, A)`` policy; an int ``H`` gives ``(H, S, A)``.
    exact : bool, default False
        Exact policies are object arrays of Fractions whose rows sum to exactly 1
        (built like :func:`distributions`).  Float policies are float64 rows of
        normalised positive weights.
    full_support : bool or None, default None
        Whether every action has positive probability.  None: full support for
        float policies, any support (including deterministic rows) for exact ones.

    Returns
    -------
    SearchStrategy of (S, A) or (H, S, A) ndarray

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], horizon=2)
    >>> policies(mdp, exact=True).example()  # doctest: +SKIP
    array([[Fraction(1, 3), Fraction(2, 3)],
           [Fraction(1, 1), Fraction(0, 1)]], dtype=object)
    >>> policies(mdp, horizon=2).example().shape  # doctest: +SKIP
    (2, 2, 2)
    """
    _check_mdp("mdp", mdp)
    _check_int("horizon", horizon, min_value=1, allow_none=True)
    _check_bool("exact", exact)
    _check_bool("full_support", full_support, allow_none=True)
    return _policies(mdp, horizon, exact, full_support)


@st.composite
def _policies(draw, mdp, horizon, exact, full_support):
    m = _draw(draw, mdp)
    H = _draw(draw, horizon)
    exact = _draw(draw, exact)
    full = (not exact) if full_support is None else _draw(draw, full_support)
    S, A = m.n_states, m.n_actions
    n_rows = S * (1 if H is None else H)
    if full:
        weights = draw(st.lists(st.lists(st.integers(1, 20), min_size=A, max_size=A),
                                min_size=n_rows, max_size=n_rows))
        W = np.array(weights, dtype=np.int64)
        if exact:
            rows = [[Fraction(int(w), int(sum(r))) for w in r] for r in W.tolist()]
            pi = _object_array([x for r in rows for x in r], (n_rows, A))
        else:
            Wf = W.astype(np.float64)
            pi = Wf / Wf.sum(axis=1, keepdims=True)
    else:
        rows = [draw(_compositions(A, A, 6)) for _ in range(n_rows)]
        if exact:
            pi = _object_array([Fraction(int(c), d) for counts, d in rows
                                for c in counts.tolist()], (n_rows, A))
        else:
            pi = np.stack([counts / d for counts, d in rows]).astype(np.float64)
    return pi.reshape((S, A) if H is None else (H, S, A))


# ---------------------------------------------------------------------- small helpers
def state_action_pairs(mdp):
    """Pairs ``(s, a)`` of valid indices for ``mdp``.

    Parameters
    ----------
    mdp : MDP or strategy of MDP

    Returns
    -------
    SearchStrategy of (int, int)

    Examples
    --------
    >>> import identifiability as idf
    >>> state_action_pairs(idf.MDP([[[1, 0]], [[0, 1]]], horizon=2)).example()  # doctest: +SKIP
    (1, 0)
    """
    _check_mdp("mdp", mdp)
    if _is_strategy(mdp):
        return mdp.flatmap(state_action_pairs)
    return st.tuples(st.integers(0, mdp.n_states - 1), st.integers(0, mdp.n_actions - 1))


def permutations_of(mdp):
    """Relabellings ``(perm_states, perm_actions)`` as int64 arrays, for metamorphic tests.

    ``perm_states[i]`` is the new index of old state ``i`` (likewise for actions),
    so the relabelled MDP has ``P_new[ps[s], pa[a], ps[s']] = P[s, a, s']``, that is
    ``P_new[np.ix_(ps, pa, ps)] = P``.

    Parameters
    ----------
    mdp : MDP or strategy of MDP

    Returns
    -------
    SearchStrategy of (perm_states, perm_actions)
        Two int64 ndarrays of shapes ``(S,)`` and ``(A,)``.

    Examples
    --------
    >>> import identifiability as idf
    >>> permutations_of(idf.MDP([[[1, 0]], [[0, 1]]], horizon=2)).example()  # doctest: +SKIP
    (array([1, 0]), array([0]))
    """
    _check_mdp("mdp", mdp)
    if _is_strategy(mdp):
        return mdp.flatmap(permutations_of)
    return st.tuples(st.permutations(range(mdp.n_states)),
                     st.permutations(range(mdp.n_actions))).map(
        lambda t: (np.array(t[0], dtype=np.int64), np.array(t[1], dtype=np.int64)))


@st.composite
def decorated_mdps(draw, base=None):
    """MDPs from ``base`` with random state/action labels (or none) and terminal flags.

    For round-trip tests of files and converters, which must keep labels and flags.

    Parameters
    ----------
    base : strategy of MDP, optional
        Default :func:`mdps`.

    Returns
    -------
    strategy of MDP

    Examples
    --------
    >>> decorated_mdps(mdps(exact=False)).example()  # doctest: +SKIP
    <MDP float stochastic: S=3, A=2, nnz=9, gamma=0.5, horizon=2>
    """
    m = draw(mdps() if base is None else base)
    S, A = m.n_states, m.n_actions
    labels = st.text(min_size=1, max_size=4)
    slabels = draw(st.none() | st.lists(labels, min_size=S, max_size=S, unique=True))
    alabels = draw(st.none() | st.lists(labels, min_size=A, max_size=A, unique=True))
    terminal = draw(st.lists(st.integers(0, S - 1), max_size=S))
    return m.replace(state_labels=slabels, action_labels=alabels, terminal=terminal)
