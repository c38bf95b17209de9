"""Counterexample search: find, shrink, re-verify and export a violation of a claim.

A *conjecture* is either a claim of the theorem registry (:mod:`identifiability.theorems`:
any kind, ``theorem``, ``conjecture`` or a known-false teaching statement ``false-...``),
or a user predicate given as ``"module:function"``.  Its check decides it on one
:class:`~identifiability.theorems.Instance`; a *counterexample* is an instance on which
the check says the conjecture fails.

:func:`find_counterexample` drives hypothesis: ``find`` with :func:`hypothesis.target`
guidance on the check's :attr:`~identifiability.theorems.Outcome.score`, hypothesis'
shrinking (fewer states, actions, a shorter horizon, simpler rationals: the exact
strategies of :mod:`identifiability.testing.strategies` shrink towards small integers and
small denominators), then an explicit post-pass that searches again among strictly smaller
instances (lexicographically fewer states, then actions, then horizon) until none is
found.  The result is re-verified exactly: the instance is written to JSON, read back and
checked again.  :meth:`Counterexample.save` writes ``counterexample.json`` (read it with
:func:`identifiability.load` or :meth:`Instance.load
<identifiability.theorems.Instance.load>`), ``counterexample.tex`` (a standalone TikZ
picture, :func:`identifiability.export.to_tikz`) and ``counterexample.png`` (when
matplotlib is installed).

The user-predicate protocol
---------------------------
``"module:function"`` names a callable ``function(instance) -> holds`` in an importable
module (the current directory is importable from the command line).  It returns True when
the conjecture holds on the instance, or ``(holds, detail)``, or an
:class:`~identifiability.theorems.Outcome` (whose ``score``, larger = closer to a
violation, steers the search).  Instances come from, in this order:

1. ``function.strategy``: a hypothesis strategy of ``Instance``, or a zero-argument
   callable returning one;
2. a module attribute ``STRATEGY`` (same);
3. :func:`default_strategy`: small exact MDPs with a reward ``"R"`` (exact or float).

An exception of the package's own types (or an arithmetic / value error) raised by a check
counts as a failure, as in :meth:`identifiability.theorems.Theorem.run`.
"""

from __future__ import annotations

import functools
import importlib
import json
import random as _random
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from .errors import InvalidParameterError, MissingDependencyError
from .theorems import Instance, Theorem

__all__ = ["Counterexample", "find_counterexample", "resolve", "default_strategy",
           "reward_tables"]


def default_strategy(*, max_states=3, max_actions=2, max_horizon=3):
    """Instances for a user predicate that declares no strategy.

    Small exact MDPs (finite horizon ``1..max_horizon`` or infinite, ``gamma`` a small
    rational) with one reward table ``"R"`` of any shape, exact (preferred by shrinking)
    or float.

    Parameters
    ----------
    max_states, max_actions, max_horizon : int, default 3, 2 and 3
        Size bounds.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of Instance

    Raises
    ------
    MissingDependencyError
        Without hypothesis.

    Examples
    --------
    >>> from hypothesis import find
    >>> inst = find(default_strategy(), lambda i: i.mdp.n_states == 2)
    >>> inst.mdp.n_states, sorted(inst.rewards)
    (2, ['R'])
    """
    st, ist = _hypothesis()

    @st.composite
    def build(draw):
        mdp = draw(ist.mdps(max_states=max_states, max_actions=max_actions,
                            horizon=st.one_of(ist.horizons(max_horizon), st.none())))
        exact = draw(st.sampled_from([True, False]))
        arity = draw(st.sampled_from([2, 1, 3]))
        shape = (mdp.n_states, mdp.n_actions, mdp.n_states)[:arity]
        R = draw(reward_tables(shape)) if exact else draw(ist.rewards(mdp, arity=arity))
        return Instance(mdp, {"R": R})

    return build()


@functools.lru_cache(maxsize=64)
def reward_tables(shape, *, bound=8, denominators=(1, 2, 3, 4)):
    """Exact reward tables of a fixed shape: entries ``n / d``, ``|n| <= bound``.

    A cheap twin of :func:`identifiability.testing.strategies.rewards` for searches (no
    strategy is built per draw).  Shrinks each entry towards 0, then towards small
    integers and small denominators (the simplest rationals).

    Parameters
    ----------
    shape : tuple of int
    bound : int, default 8
        Largest ``|n|``.
    denominators : tuple of int, default (1, 2, 3, 4)
        Allowed ``d``, simplest first.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of object ndarray of Fractions

    Raises
    ------
    MissingDependencyError
        Without hypothesis.

    Examples
    --------
    >>> from hypothesis import find
    >>> find(reward_tables((2,)), lambda R: R.sum() > 1).tolist()
    [Fraction(0, 1), Fraction(2, 1)]
    """
    st, _ = _hypothesis()
    shape = tuple(int(n) for n in shape)
    n = int(np.prod(shape)) if shape else 1
    value = st.tuples(st.integers(-int(bound), int(bound)),
                      st.sampled_from(tuple(denominators))).map(lambda t: Fraction(*t))

    def table(vals):
        out = np.empty(n, dtype=object)
        out[:] = vals
        return out.reshape(shape)

    return st.lists(value, min_size=n, max_size=n).map(table)


def _hypothesis():
    try:
        from hypothesis import strategies as st

        from .testing import strategies as ist
    except ImportError:  # pragma: no cover - hypothesis is a test dependency
        raise MissingDependencyError('counterexample search needs hypothesis: pip install '
                                     '"identifiability[test]"') from None
    return st, ist


def _as_strategy(obj, where):
    from hypothesis.strategies import SearchStrategy

    if isinstance(obj, SearchStrategy):
        return obj
    if callable(obj):
        out = obj()
        if isinstance(out, SearchStrategy):
            return out
    raise InvalidParameterError(f"{where} must be a hypothesis strategy of Instance or a "
                                f"zero-argument callable returning one, got "
                                f"{type(obj).__name__}")


def resolve(conjecture):
    """The claim behind ``conjecture``: a registered id or ``"module:function"``.

    Parameters
    ----------
    conjecture : str or Theorem

    Returns
    -------
    Theorem
        For a user predicate, an unregistered :class:`~identifiability.theorems.Theorem`
        with ``id = "module:function"``, ``kind = "conjecture"`` and the strategy of the
        protocol above (its ``run`` gives the same failure semantics as a registered claim).

    Raises
    ------
    InvalidParameterError
        Unknown claim id (with close matches), a module that cannot be imported, a missing
        or non-callable function, or a bad strategy attribute.

    Examples
    --------
    >>> resolve("false-epic-sprime-invariant").kind
    'false'
    >>> resolve("fractions:Fraction").id
    'fractions:Fraction'
    """
    from . import theorems as T

    if isinstance(conjecture, Theorem):
        return conjecture
    if not isinstance(conjecture, str) or not conjecture.strip():
        raise InvalidParameterError(f"a conjecture is a claim id or 'module:function', got "
                                    f"{conjecture!r}")
    if ":" not in conjecture:
        return T.get(conjecture)
    modname, _, fname = conjecture.partition(":")
    if not modname or not fname:
        raise InvalidParameterError(f"bad predicate {conjecture!r}: expected 'module:function'")
    try:
        mod = importlib.import_module(modname)
    except ImportError as err:
        raise InvalidParameterError(f"cannot import module {modname!r} of {conjecture!r}: "
                                    f"{err}") from None
    fn = mod
    for part in fname.split("."):
        fn = getattr(fn, part, None)
        if fn is None:
            raise InvalidParameterError(f"module {modname!r} has no attribute {fname!r}")
    if not callable(fn):
        raise InvalidParameterError(f"{conjecture!r} is not callable")
    if getattr(fn, "strategy", None) is not None:
        strat_src, where = fn.strategy, f"{conjecture}.strategy"
    elif getattr(mod, "STRATEGY", None) is not None:
        strat_src, where = mod.STRATEGY, f"{modname}.STRATEGY"
    else:
        strat_src, where = default_strategy, "default_strategy"
    doc = (getattr(fn, "__doc__", None) or "").strip().splitlines()
    return Theorem(conjecture, doc[0] if doc else f"the predicate {conjecture}", "empirical",
                   "teaching", (), lambda: _as_strategy(strat_src, where), fn,
                   kind="conjecture", module=modname)


# ---------------------------------------------------------------------- the result
@dataclass
class Counterexample:
    """A violation of a claim, shrunk and re-verified.

    Attributes
    ----------
    instance : Instance
        The (shrunk) counterexample.
    claim : str
        The claim id, or ``"module:function"``.
    kind : str
        ``"theorem"``, ``"conjecture"`` or ``"false"``.
    statement : str
    detail : str
        What the check reported on the re-loaded instance.
    verified : bool
        The check, re-run on the instance read back from its JSON text, reports a violation.
    examples : int
        Checks run in all (search, shrinking and post-pass).
    seconds : float
    size : tuple
        :meth:`Instance.size <identifiability.theorems.Instance.size>`:
        ``(S, A, H, sum of denominators, JSON length)``.

    Examples
    --------
    >>> cx = find_counterexample("false-ziebart-law-discounted", max_examples=200)
    >>> cx.verified, cx.size[:3]
    (True, (1, 2, 2))
    """

    instance: Instance
    claim: str
    kind: str
    statement: str
    detail: str
    verified: bool
    examples: int
    seconds: float

    @property
    def size(self):
        """``(S, A, H, sum of denominators, JSON length)`` of the instance."""
        return self.instance.size()

    def to_dict(self):
        """JSON-ready summary (the instance as its JSON document).

        Examples
        --------
        >>> cx = find_counterexample("false-one-step-strong-identifiability")
        >>> d = cx.to_dict()
        >>> d["claim"], d["size"]["states"], d["verified"]
        ('false-one-step-strong-identifiability', 2, True)
        """
        S, A, H = self.size[:3]
        return {"claim": self.claim, "kind": self.kind, "statement": self.statement,
                "detail": self.detail, "verified": self.verified,
                "size": {"states": S, "actions": A,
                         "horizon": None if self.instance.mdp is None
                         or self.instance.mdp.horizon is None else H},
                "examples": self.examples, "seconds": round(self.seconds, 3),
                "instance": self.instance.to_dict(theorem=self.claim)}

    def _document(self):
        meta_extra = {"counterexample": {"claim": self.claim, "kind": self.kind,
                                         "detail": self.detail, "verified": self.verified}}
        inst = self.instance
        doc = inst.to_dict(theorem=self.claim)
        if inst.mdp is None:
            doc.update(meta_extra)
            return json.dumps(doc, indent=1)
        from .io import dumps

        meta = dict(doc["metadata"], **meta_extra)
        return dumps(inst.mdp, rewards=dict(inst.rewards), metadata=meta)

    def save(self, out_dir, *, png=None):
        """Write ``counterexample.json``, ``counterexample.tex`` and ``counterexample.png``.

        Parameters
        ----------
        out_dir : str or Path
            Created when missing.
        png : bool, optional
            Write the PNG (:func:`identifiability.plot.mdp_graph`); default: when
            matplotlib is installed.

        Returns
        -------
        dict
            ``{"json": path, "tex": path, "png": path or None}``.  The TeX and PNG files
            need an MDP (an instance without one writes only the JSON).

        Raises
        ------
        MissingDependencyError
            ``png=True`` without matplotlib.

        Notes
        -----
        The JSON is an ``identifiability.mdp/1`` document (rewards included; the claim,
        the parameters and the detail in ``metadata``), so ``identifiability.load`` reads
        the MDP and :meth:`Instance.load <identifiability.theorems.Instance.load>` the
        whole instance.

        Examples
        --------
        >>> import tempfile, identifiability as idf
        >>> cx = find_counterexample("false-one-step-strong-identifiability")
        >>> paths = cx.save(tempfile.mkdtemp(), png=False)
        >>> idf.load(paths["json"]).n_states
        2
        >>> open(paths["tex"]).read().startswith("% counterexample")
        True
        """
        from .export import mdp_png, to_tikz

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"json": str(out / "counterexample.json"), "tex": None, "png": None}
        Path(paths["json"]).write_text(self._document() + "\n")
        mdp = self.instance.mdp
        if mdp is None:
            return paths
        rewards = dict(self.instance.rewards) or None
        head = (f"% counterexample to {self.claim} ({self.kind})\n"
                f"% {_tex_comment(self.statement)}\n% {_tex_comment(self.detail)}\n")
        tex = to_tikz(mdp, rewards=rewards, standalone=True)
        paths["tex"] = str(out / "counterexample.tex")
        Path(paths["tex"]).write_text(head + tex)
        if png is None:
            png = importlib.util.find_spec("matplotlib") is not None
        if png:
            paths["png"] = mdp_png(mdp, out / "counterexample.png", rewards=rewards,
                                   title=self.claim)
        return paths

    def explain(self):
        """The counterexample in words: claim, size, detail, transitions and rewards.

        Examples
        --------
        >>> print(find_counterexample("false-ziebart-law-discounted").explain())
        ... # doctest: +ELLIPSIS
        Counterexample to false-ziebart-law-discounted (false; expected: ...
        """
        inst, mdp = self.instance, self.instance.mdp
        expected = {"false": "expected: a known-false statement",
                    "theorem": "UNEXPECTED: a registered theorem fails",
                    "conjecture": "the conjecture is refuted"}.get(self.kind, self.kind)
        lines = [f"Counterexample to {self.claim} ({self.kind}; {expected})",
                 f"  statement: {self.statement}"]
        if mdp is not None:
            H = "infinite" if mdp.horizon is None else mdp.horizon
            lines.append(f"  size: S = {mdp.n_states} states, A = {mdp.n_actions} actions, "
                         f"horizon {H}, gamma = {mdp.gamma}")
            lines.append(f"  start states: {list(mdp.start_states)}"
                         + (f", terminal: {list(mdp.terminal)}" if mdp.terminal else ""))
            s, a, sn, p = mdp.entries()
            lines.append("  transitions: " + "; ".join(
                f"{int(i)} -a{int(j)}-> {int(k)} ({_num(q)})"
                for i, j, k, q in zip(s, a, sn, p)))
            for name, R in inst.rewards.items():
                lines.append(f"  reward {name} {tuple(R.shape)}: "
                             f"{_nested(R.tolist())}")
        if inst.params:
            lines.append(f"  params: {json.dumps(dict(inst.params))}")
        lines.append(f"  check: {self.detail}")
        lines.append("  re-verified exactly from its JSON: "
                     + ("yes" if self.verified else "NO (the re-loaded instance passes)"))
        return "\n".join(lines)

    def __repr__(self):
        S, A, H = self.size[:3]
        return (f"<Counterexample {self.claim}: S={S}, A={A}, H={H}, "
                f"verified={self.verified}>")


def _num(x):
    from ._numbers import format_number

    return format_number(x) if not isinstance(x, float) else f"{x:.6g}"


def _nested(v):
    if isinstance(v, list):
        return "[" + ", ".join(_nested(x) for x in v) + "]"
    return _num(v)


def _tex_comment(text):
    return " ".join(str(text).split())


# ---------------------------------------------------------------------- the search
class _Timeout(BaseException):
    """Stops hypothesis at once (a BaseException is not a test failure, so it is not
    shrunk)."""


class _BadCheck(BaseException):
    """A check that returned something other than a verdict (escapes hypothesis at once)."""


def _search(thm, strategy, *, max_examples, seed, deadline, state, key_below=None):
    from hypothesis import HealthCheck, Phase, Verbosity, find, settings, target
    from hypothesis.errors import NoSuchExample, Unsatisfiable

    if key_below is not None:
        strategy = strategy.filter(lambda inst: inst.size()[:3] < key_below)

    def condition(inst):
        if time.perf_counter() > deadline:
            raise _Timeout
        state["examples"] += 1
        try:
            out = thm.run(inst)
        except TypeError as err:  # not a bool, (bool, detail) or Outcome
            raise _BadCheck(f"{thm.id}: {err}") from None
        if out.score is not None:
            score = float(out.score)
            if score == score and abs(score) != float("inf"):
                target(score, label="closeness to a violation")
        if out.holds:
            return False
        if state["best"] is None or inst.size() < state["best"].size():
            state["best"] = inst
        return True

    cfg = settings(max_examples=max(1, int(max_examples)), database=None, deadline=None,
                   suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
                   phases=[Phase.generate, Phase.target, Phase.shrink])
    try:
        return find(strategy, condition, settings=cfg, random=_random.Random(seed))
    except (NoSuchExample, Unsatisfiable):
        return None
    except _Timeout:
        return state["best"]
    except _BadCheck as err:
        raise InvalidParameterError(str(err).replace("a check must return",
                                                     "the check must return")) from None


def find_counterexample(conjecture, *, max_examples=1000, seed=0, timeout=60,
                        post_passes=3):
    """Search the instances of a claim for a violation; shrink and re-verify it.

    Parameters
    ----------
    conjecture : str
        A registered claim id (any kind) or ``"module:function"`` (see the module
        docstring for the predicate and strategy protocol).
    max_examples : int, default 1000
        Hypothesis examples of the main search (the post-pass gets a fifth, at least 50).
    seed : int, default 0
        The same seed gives the same search and the same counterexample.
    timeout : float, default 60
        Seconds for the whole search, shrinking and post-pass included.  When time runs
        out, the smallest violation seen so far is returned.
    post_passes : int, default 3
        Rounds of the post-pass: search again among instances strictly smaller in
        ``(S, A, H)``; stop at the first round that finds none.

    Returns
    -------
    Counterexample or None
        None when no violation was found within the budget.

    Raises
    ------
    InvalidParameterError
        Unknown claim, bad ``module:function``, a check that returns something other
        than a bool, ``(bool, detail)`` or an Outcome, or a bad budget.
    MissingDependencyError
        Without hypothesis.

    Notes
    -----
    Cost: ``max_examples`` checks plus hypothesis' shrinking (typically a few hundred
    checks) plus the post-pass.  Hypothesis' shrinker minimises the *choice sequence*, which
    usually but not always minimises ``(S, A, H)``: changing ``A`` changes how the
    transition table is drawn, so a violation with more actions than needed can be a local
    minimum; the post-pass catches these.  The result is the smallest violation found in
    the order of :meth:`Instance.size <identifiability.theorems.Instance.size>`; it is not a
    proof of minimality (``proofs/false-*.md`` derive the minima of the teaching examples).

    Examples
    --------
    >>> cx = find_counterexample("false-coverage-time-horizon-suffices")
    >>> cx.size[:3], cx.verified
    ((2, 2, 1), True)
    >>> find_counterexample("soft-policy-shift-invariance", max_examples=5) is None
    True
    """
    thm = resolve(conjecture)
    try:
        max_examples = int(max_examples)
        timeout = float(timeout)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"max_examples and timeout must be numbers, got "
                                    f"{max_examples!r}, {timeout!r}") from None
    if max_examples < 1:
        raise InvalidParameterError(f"max_examples must be >= 1, got {max_examples}")
    if not timeout > 0:
        raise InvalidParameterError(f"timeout must be positive, got {timeout}")
    _hypothesis()
    strategy = thm.strategy()
    t0 = time.perf_counter()
    deadline = t0 + timeout
    state = {"best": None, "examples": 0}
    found = _search(thm, strategy, max_examples=max_examples, seed=seed, deadline=deadline,
                    state=state)
    if found is None:
        found = state["best"]
    if found is None:
        return None
    best = min((found, state["best"]), key=lambda i: i.size())
    for k in range(int(post_passes)):
        if time.perf_counter() > deadline or best.size()[:3] <= (1, 1, 0):
            break
        smaller = _search(thm, strategy, max_examples=max(50, max_examples // 5),
                          seed=seed + k + 1, deadline=deadline, state=state,
                          key_below=best.size()[:3])
        if smaller is None or smaller.size()[:3] >= best.size()[:3]:
            break
        best = smaller
    # Re-verify exactly: the check on the instance read back from its JSON text.
    back = Instance.loads(best.dumps(theorem=thm.id))
    out = thm.run(back)
    return Counterexample(back, thm.id, thm.kind, thm.statement, out.detail,
                          not out.holds, state["examples"], time.perf_counter() - t0)

