"""A registry of named, versioned example MDPs.

Papers can cite an example by its stable name: ``examples.get("cao2021-example1-v0")``
always builds the same MDP.  A changed construction gets a new version suffix;
old versions are kept.

>>> import identifiability as idf
>>> idf.examples.names()[:3]
['bandit-v0', 'branching-v0', 'cao2021-example1-v0']
>>> idf.examples.get("gridworld-v0", width=3, height=2).n_states
6

Every builder is also a plain function of this module (``gridworld``, ``chain``,
``random_mdp``, ``cao2021_example1``, ``wielandt`` ...).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ._numbers import parse_scalar
from .errors import InvalidMDPError, UnknownExampleError
from .mdp import MDP

__all__ = [
    "get",
    "names",
    "describe",
    "register",
    "gridworld",
    "chain",
    "random_mdp",
    "bandit",
    "cao2021_example1",
    "wielandt",
    "stochastic_fork",
    "two_state_swap",
    "risky_path",
    "branching",
    "early_termination",
]


@dataclass(frozen=True)
class _Entry:
    name: str
    builder: object
    description: str
    source: str


_REGISTRY: dict[str, _Entry] = {}


def register(name, builder, *, description=None, source="constructed here"):
    """Add an example to the registry.

    Parameters
    ----------
    name : str
        Versioned name ending in ``-v<k>``, e.g. ``"my-example-v0"``.
    builder : callable
        Returns an :class:`~identifiability.MDP`; keyword arguments are its parameters.
    description : str, optional
        One line; defaults to the first line of the builder's docstring.
    source : str
        Provenance (a citation, or "constructed here").

    Examples
    --------
    >>> import identifiability as idf
    >>> idf.examples.register("demo-v0", lambda: idf.MDP([[[1]]], horizon=1))
    >>> idf.examples.get("demo-v0").n_states
    1
    >>> idf.examples._REGISTRY.pop("demo-v0").name
    'demo-v0'
    """
    import re

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*-v\d+", name):
        raise ValueError(f"example name {name!r} must look like 'some-name-v0'")
    if name in _REGISTRY:
        raise ValueError(f"example {name!r} is already registered")
    if description is None:
        doc = inspect.getdoc(builder) or ""
        description = doc.splitlines()[0] if doc else name
    _REGISTRY[name] = _Entry(name, builder, description, source)


def names():
    """Sorted names of all registered examples.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import identifiability as idf
    >>> "wielandt-v0" in idf.examples.names()
    True
    """
    return sorted(_REGISTRY)


def _entry(name):
    try:
        return _REGISTRY[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, names(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownExampleError(f"no example named {name!r}{hint} "
                                  f"(known: {', '.join(names())})") from None


def describe(name):
    """A dict with the example's name, description, source and parameters.

    Parameters
    ----------
    name : str
        A registered example name.

    Returns
    -------
    dict
        Keys ``name``, ``description``, ``source`` and ``parameters`` (defaults).

    Examples
    --------
    >>> import identifiability as idf
    >>> idf.examples.describe("chain-v0")["parameters"]["n"]
    5
    """
    e = _entry(name)
    params = {p.name: (None if p.default is inspect.Parameter.empty else p.default)
              for p in inspect.signature(e.builder).parameters.values()}
    return {"name": e.name, "description": e.description, "source": e.source,
            "parameters": params}


def get(name, **params):
    """Build the registered example ``name`` with optional parameter overrides.

    Parameters
    ----------
    name : str
        A name from :func:`names`.
    **params
        Keyword arguments for the builder (see :func:`describe`).

    Returns
    -------
    MDP

    Raises
    ------
    UnknownExampleError
        For an unknown name (the message suggests close matches).

    Examples
    --------
    >>> import identifiability as idf
    >>> idf.examples.get("cao2021-example1-v0").state_labels
    ('A', 'B', 'C')
    """
    e = _entry(name)
    sig = inspect.signature(e.builder)
    unknown = set(params) - set(sig.parameters)
    if unknown:
        raise TypeError(f"example {name!r} has no parameter(s) {sorted(unknown)}; "
                        f"it takes {list(sig.parameters)}")
    return e.builder(**params)


def _delta(n, s):
    init = np.zeros(n, dtype=np.int64)
    init[s] = 1
    return init


def _prob(x, name):
    p = parse_scalar(x, where=name, error=InvalidMDPError)
    if not 0 <= p <= 1:
        raise InvalidMDPError(f"{name} must lie in [0, 1], got {p}")
    return p


def _with_slip(intended, n_states, slip, *, where="slip"):
    """Entries for 'intended move w.p. 1 - slip, uniformly random action w.p. slip'.

    ``intended`` is an (S, A) array of successor states.  Vectorised.
    """
    S, A = intended.shape
    slip = _prob(slip, where)
    s = np.repeat(np.arange(S), A)
    a = np.tile(np.arange(A), S)
    sn = intended.reshape(-1)
    if slip == 0:
        return (s, a, sn, np.ones(S * A, dtype=np.int64))
    exact = not isinstance(slip, float)
    main = (1 - slip) if exact else 1.0 - slip
    share = (slip / A) if exact else slip / A
    # Each (s, a) row: the intended successor, plus slip/A on the successor of every action.
    s_all = np.concatenate([s, np.repeat(s, A)])
    a_all = np.concatenate([a, np.repeat(a, A)])
    sn_all = np.concatenate([sn, intended[np.repeat(s, A), np.tile(np.arange(A), S * A)]])
    if exact:
        p_all = np.empty(len(s_all), dtype=object)
        p_all[:S * A] = Fraction(main)
        p_all[S * A:] = Fraction(share)
    else:
        p_all = np.concatenate([np.full(S * A, main), np.full(S * A * A, share)])
    return (s_all, a_all, sn_all, p_all)


def gridworld(width=5, height=5, *, stay=False, slip=0, gamma="9/10", horizon=None,
              start=0, goal=None):
    """A ``width x height`` gridworld with moves up/down/left/right (and optionally stay).

    State ``s = y * width + x``.  A move into the border leaves the agent in place.
    With probability ``1 - slip`` the chosen move happens; with probability
    ``slip`` a uniformly random action (of all ``A``) is executed instead.

    Parameters
    ----------
    width, height : int
        Grid size (``S = width * height``).
    stay : bool
        Add a fifth action that stays put.
    slip : number
        Slip probability; exact if given exactly (``"1/10"``), float if a float.
    gamma, horizon
        Passed to :class:`~identifiability.MDP`.
    start : int
        Start state (all initial mass there).
    goal : int, optional
        If given, this state is absorbing and flagged terminal.

    Returns
    -------
    MDP
        Built sparsely in ``O(S A^2)``; never forms a dense ``(S, A, S)`` array.

    Examples
    --------
    >>> m = gridworld(3, 3, stay=True, slip="1/10", horizon=4)
    >>> m.n_states, m.n_actions, m.is_exact, m.next_state_distribution(4, 0)[1]
    (9, 5, True, Fraction(23, 25))
    """
    for nm, v in (("width", width), ("height", height)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise InvalidMDPError(f"gridworld {nm} must be a positive integer, got {v!r}")
    S = width * height
    x, y = np.arange(S) % width, np.arange(S) // width
    moves = [(0, -1), (0, 1), (-1, 0), (1, 0)] + ([(0, 0)] if stay else [])
    intended = np.empty((S, len(moves)), dtype=np.int64)
    for k, (dx, dy) in enumerate(moves):
        nx_, ny_ = np.clip(x + dx, 0, width - 1), np.clip(y + dy, 0, height - 1)
        intended[:, k] = ny_ * width + nx_
    term = None
    if goal is not None:
        intended[goal, :] = goal
        term = [goal]
    labels = ["up", "down", "left", "right"] + (["stay"] if stay else [])
    entries = _with_slip(intended, S, slip)
    return MDP.from_entries(entries, S, len(moves), _delta(S, start), gamma=gamma,
                            horizon=horizon, action_labels=labels, terminal=term,
                            sum_duplicates=True,
                            state_labels=[f"({i},{j})" for i, j in zip(x.tolist(), y.tolist())])


def chain(n=5, *, slip=0, stay=False, gamma="9/10", horizon=None, start=0):
    """A chain of ``n`` states with actions left/right (and optionally stay).

    Moving past an end leaves the agent in place; ``slip`` as in :func:`gridworld`.

    Parameters
    ----------
    n : int
        Number of states.
    slip : number
        Probability that a uniformly random action is executed instead.
    stay : bool
        Add a third action that stays put.
    gamma, horizon
        Passed to :class:`~identifiability.MDP`.
    start : int
        Start state.

    Returns
    -------
    MDP

    Examples
    --------
    >>> chain(4, horizon=3).successors(3, 1)
    (3,)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InvalidMDPError(f"chain length n must be a positive integer, got {n!r}")
    s = np.arange(n)
    cols = [np.maximum(s - 1, 0), np.minimum(s + 1, n - 1)] + ([s] if stay else [])
    intended = np.stack(cols, axis=1)
    labels = ["left", "right"] + (["stay"] if stay else [])
    return MDP.from_entries(_with_slip(intended, n, slip), n, intended.shape[1], _delta(n, start),
                            gamma=gamma, horizon=horizon, action_labels=labels,
                            sum_duplicates=True)


def random_mdp(n_states=4, n_actions=2, *, support=2, seed=0, exact=True, denominator=6,
               gamma="9/10", horizon=None, n_starts=1):
    """A random MDP from a seed: every ``(s, a)`` has ``support`` successors.

    Probabilities are integer compositions ``k / denominator`` (exact) or their
    float values; ``support=1`` gives a deterministic MDP.  The same arguments
    always give the same MDP (numpy ``default_rng(seed)``).

    Parameters
    ----------
    n_states, n_actions : int
        ``S`` and ``A``.
    support : int
        Successors per ``(s, a)``, in ``1..S``.
    seed : int
        Seed of ``numpy.random.default_rng``.
    exact : bool
        Fractions (exact MDP) or floats.
    denominator : int
        Common denominator of the probabilities (at least ``support``).
    gamma, horizon
        Passed to :class:`~identifiability.MDP`.
    n_starts : int
        Number of start states (uniform initial distribution over them).

    Returns
    -------
    MDP

    Examples
    --------
    >>> m = random_mdp(5, 2, support=2, seed=3, horizon=4)
    >>> m == random_mdp(5, 2, support=2, seed=3, horizon=4), m.is_exact
    (True, True)
    """
    if not 1 <= support <= n_states:
        raise InvalidMDPError(f"support must be in 1..n_states={n_states}, got {support}")
    if denominator < support:
        raise InvalidMDPError(f"denominator={denominator} is smaller than support={support}; "
                              "every successor needs probability >= 1/denominator")
    rng = np.random.default_rng(seed)
    S, A = n_states, n_actions
    succ = np.argsort(rng.random((S * A, S)), axis=1)[:, :support]
    # Integer composition of `denominator` into `support` positive parts.
    cuts = np.sort(np.argsort(rng.random((S * A, denominator - 1)), axis=1)[:, :support - 1] + 1,
                   axis=1)
    bounds = np.concatenate([np.zeros((S * A, 1), int), cuts, np.full((S * A, 1), denominator)], 1)
    parts = np.diff(bounds, axis=1)
    s = np.repeat(np.arange(S), A * support)
    a = np.tile(np.repeat(np.arange(A), support), S)
    if exact:
        p = np.array([Fraction(int(k), denominator) for k in parts.reshape(-1)], dtype=object)
    else:
        p = parts.reshape(-1) / denominator
    starts = rng.choice(S, size=min(n_starts, S), replace=False)
    init = np.zeros(S, dtype=np.int64)
    init[starts] = 1
    initial = (np.array([Fraction(int(v), len(starts)) for v in init], dtype=object)
               if exact else init / len(starts))
    return MDP.from_entries((s, a, succ.reshape(-1), p), S, A, initial, gamma=gamma,
                            horizon=horizon)


def bandit(n_actions=3, *, horizon=1, gamma=1):
    """One state, ``n_actions`` self-loop actions: the repeated bandit.

    Parameters
    ----------
    n_actions : int
        Number of arms.
    horizon, gamma
        Passed to :class:`~identifiability.MDP`.

    Returns
    -------
    MDP

    Examples
    --------
    >>> bandit(3).successors(0, 2)
    (0,)
    """
    return MDP(np.ones((1, n_actions, 1), dtype=np.int64), gamma=gamma, horizon=horizon)


def cao2021_example1(*, horizon=5, gamma=1):
    """The three-state graph of Cao, Cohen & Szpruch (2021), Example 1: A->[B, C], B->[A, A], C->[B, B].

    Deterministic, two actions, start state A.  Our theory notes record
    ``dim K_Gamma = 5, 3, 2, 2, 1, 1`` for ``H = 1..6`` at ``gamma = 1``.

    Parameters
    ----------
    horizon, gamma
        Passed to :class:`~identifiability.MDP` (defaults ``H = 5``, ``gamma = 1``).

    Returns
    -------
    MDP

    Examples
    --------
    >>> m = cao2021_example1()
    >>> [m.successors(s, a) for s in range(3) for a in range(2)]
    [(1,), (2,), (0,), (0,), (1,), (1,)]
    """
    succ = np.array([[1, 2], [0, 0], [1, 1]])
    return MDP.from_entries(_with_slip(succ, 3, 0), 3, 2, [1, 0, 0], gamma=gamma,
                            horizon=horizon, state_labels=["A", "B", "C"])


def wielandt(n=4, *, horizon=None, gamma=1):
    """The Wielandt graph: cycle ``0 -> 1 -> ... -> n-1 -> 0`` plus the chord ``n-1 -> 1``.

    Two actions: action 0 follows the cycle; action 1 follows it too except at
    ``n - 1``, where it takes the chord.  Start state 0.  The coverage time
    (first ``T`` with every state reachable in exactly ``T`` steps) is
    ``(n-1)^2 + 1``, the largest possible for ``n`` states.  The default horizon
    is ``(n-1)^2 + n``.

    Parameters
    ----------
    n : int
        Number of states, at least 2.
    horizon : int, optional
        Default ``(n-1)^2 + n``.
    gamma : number
        Discount.

    Returns
    -------
    MDP

    Examples
    --------
    >>> w = wielandt(4)
    >>> w.successors(3, 0), w.successors(3, 1), w.horizon
    ((0,), (1,), 13)
    """
    if n < 2:
        raise InvalidMDPError(f"the Wielandt graph needs n >= 2 states, got {n}")
    nxt = (np.arange(n) + 1) % n
    succ = np.stack([nxt, nxt], axis=1)
    succ[n - 1, 1] = 1
    if horizon is None:
        horizon = (n - 1) ** 2 + n
    return MDP.from_entries(_with_slip(succ, n, 0), n, 2, _delta(n, 0), gamma=gamma,
                            horizon=horizon, action_labels=["cycle", "chord"])


def stochastic_fork(*, horizon=2, gamma=1):
    """One action; state 0 moves to 1 or 2 with probability 1/2 each; 1 and 2 are absorbing.

    Parameters
    ----------
    horizon, gamma
        Passed to :class:`~identifiability.MDP`.

    Returns
    -------
    MDP

    Examples
    --------
    >>> stochastic_fork().next_state_distribution(0, 0)
    {1: Fraction(1, 2), 2: Fraction(1, 2)}
    """
    return MDP([[[0, "1/2", "1/2"]], [[0, 1, 0]], [[0, 0, 1]]], [1, 0, 0],
               gamma=gamma, horizon=horizon)


def two_state_swap(*, horizon=3, gamma=1):
    """Two states, one action that swaps them; both states are starts.

    Parameters
    ----------
    horizon, gamma
        Passed to :class:`~identifiability.MDP`.

    Returns
    -------
    MDP

    Examples
    --------
    >>> two_state_swap().start_states
    (0, 1)
    """
    return MDP([[[0, 1]], [[1, 0]]], ["1/2", "1/2"], gamma=gamma, horizon=horizon)


def risky_path(*, risk="1/2", gamma="9/10", horizon=4):
    """A safe two-step path to the goal, or a risky shortcut that may fall into a trap.

    States: 0 start, 1 safe waypoint, 2 goal (absorbing, terminal), 3 trap
    (absorbing, terminal).  Action ``safe`` walks 0 -> 1 -> 2; action ``risky``
    from 0 reaches the goal with probability ``1 - risk`` and the trap otherwise,
    and from 1 stays at 1.  In the spirit of the seals diagnostics (a construction of
    our own, not their code).

    Parameters
    ----------
    risk : number
        Probability that the risky shortcut ends in the trap.
    gamma, horizon
        Passed to :class:`~identifiability.MDP`.

    Returns
    -------
    MDP

    Examples
    --------
    >>> risky_path().next_state_distribution(0, 1)
    {2: Fraction(1, 2), 3: Fraction(1, 2)}
    """
    q = _prob(risk, "risk")
    one = Fraction(1) if not isinstance(q, float) else 1.0
    P = np.zeros((4, 2, 4), dtype=object)
    P[...] = 0 * one
    P[0, 0, 1] = one
    P[1, 0, 2] = one
    P[0, 1, 2] = one - q
    P[0, 1, 3] = q
    P[1, 1, 1] = one
    P[2, :, 2] = one
    P[3, :, 3] = one
    return MDP(P, _delta(4, 0), gamma=gamma, horizon=horizon, terminal=[2, 3],
               state_labels=["start", "waypoint", "goal", "trap"], action_labels=["safe", "risky"])


def branching(depth=3, n_actions=2, *, gamma=1, horizon=None):
    """A chain where only action 0 advances; every other action returns to the start.

    Exploration is exponentially hard in ``depth`` for a random agent.  The last
    state is absorbing under action 0.  Default horizon ``depth + 1``.

    Parameters
    ----------
    depth : int
        Number of advancing steps to the last state.
    n_actions : int
        Actions per state (only action 0 advances).
    gamma, horizon
        Passed to :class:`~identifiability.MDP`.

    Returns
    -------
    MDP

    Examples
    --------
    >>> b = branching(3)
    >>> b.successors(1, 0), b.successors(1, 1), b.horizon
    ((2,), (0,), 4)
    """
    n = depth + 1
    succ = np.zeros((n, n_actions), dtype=np.int64)
    succ[:, 0] = np.minimum(np.arange(n) + 1, n - 1)
    return MDP.from_entries(_with_slip(succ, n, 0), n, n_actions, _delta(n, 0), gamma=gamma,
                            horizon=depth + 1 if horizon is None else horizon)


def early_termination(*, gamma=1, horizon=3):
    """A start state with an action into an absorbing terminal state and one that continues.

    States: 0 start, 1 continue, 2 terminal (absorbing, flagged terminal).  Action
    ``stop`` goes to 2; action ``go`` moves 0 -> 1 -> 1.  Absorbing terminal
    states are how episodic tasks are encoded in a fixed-horizon MDP.

    Parameters
    ----------
    gamma, horizon
        Passed to :class:`~identifiability.MDP`.

    Returns
    -------
    MDP

    Examples
    --------
    >>> early_termination().terminal
    (2,)
    """
    succ = np.array([[2, 1], [2, 1], [2, 2]])
    return MDP.from_entries(_with_slip(succ, 3, 0), 3, 2, _delta(3, 0), gamma=gamma,
                            horizon=horizon, terminal=[2], action_labels=["stop", "go"])


register("gridworld-v0", gridworld)
register("chain-v0", chain)
register("random-v0", random_mdp)
register("bandit-v0", bandit, source="theory note identifiability.md §9, case E1")
register("cao2021-example1-v0", cao2021_example1,
         source="Cao, Cohen & Szpruch, Identifiability in inverse reinforcement learning, "
                "NeurIPS 2021, Example 1 (graph as restated in our theory notes §9, E4)")
register("wielandt-v0", wielandt,
         source="the classical extremal graph for the exponent of primitive matrices "
                "(Wielandt); theory note identifiability.md §3.4")
register("stochastic-fork-v0", stochastic_fork, source="theory note identifiability.md §9, case E6")
register("two-state-swap-v0", two_state_swap, source="theory note identifiability.md §13, erratum 1")
register("risky-path-v0", risky_path, source="constructed here, in the spirit of seals diagnostics")
register("branching-v0", branching, source="constructed here, in the spirit of seals diagnostics")
register("early-termination-v0", early_termination,
         source="constructed here, in the spirit of seals diagnostics")
