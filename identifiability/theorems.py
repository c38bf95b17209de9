"""The theorem registry: every claim the toolkit tests, registered once.

A *claim* has a stable id (``"shaping-invariance-mce"``), a one-line statement, an honest
provenance tag, the tests that check it, a generator of instances (a hypothesis strategy)
and a check that decides the claim on one instance.  The same entry serves four places:

* ``proofs/<id>.md``: the statement, provenance and proof (the index ``proofs/README.md``
  is generated from this registry by :func:`render_index` and checked to be current);
* the test suite: ``tests/test_registry.py`` runs every registered check on generated
  instances, and checks that every cited test exists and every proof file is registered;
* ``identifiability verify``: the same checks on many instances, in-process, on a process
  pool or on a Dask cluster;
* ``identifiability counterexample``: hypothesis searches the instances of a claim (or of a
  known-false teaching statement) for a violation and shrinks it.

Claims live in the modules of :mod:`identifiability.claims`, one per area; they register
themselves on import and :func:`load_all` imports them.  An *instance* is an
:class:`Instance`: an MDP (or none), named reward tables and JSON parameters, so that any
instance, in particular a counterexample, is saved as an ``identifiability.mdp/1`` JSON
file that :func:`identifiability.load` reads back.

Provenance tags (:data:`PROVENANCES`): ``"read"`` (the statement was read in the source),
``"reconstructed"`` (recalled or rebuilt from a source that could not be read in full),
``"derived"`` (derived here or in the theory notes), ``"empirical"`` (an observation:
labelled a conjecture).  Kinds (:data:`KINDS`): ``"theorem"`` (a proof exists),
``"conjecture"`` (evidence only) and ``"false"`` (a known-false statement kept as a teaching
example: verification expects to refute it).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from ._numbers import parse_array
from .errors import IdentifiabilityError, InvalidParameterError, MissingDependencyError
from .mdp import MDP

__all__ = [
    "Theorem",
    "Instance",
    "Outcome",
    "VerifyResult",
    "register",
    "get",
    "theorems",
    "load_all",
    "check_instance",
    "verify",
    "render_index",
    "PROVENANCES",
    "KINDS",
    "AREAS",
    "REGISTRY",
]

PROVENANCES = ("read", "reconstructed", "derived", "empirical")
KINDS = ("theorem", "conjecture", "false")

#: Areas of the index, in order: ``(key, title)``.
AREAS = (
    ("foundations", "MDPs, behavioural models and brute-force oracles "
                    "(`identifiability.behaviour`, `identifiability.reference`)"),
    ("graph", "Reachability, coverage and the unrolled support (`identifiability.graph`)"),
    ("identify", "Finite-horizon MaxEnt identifiability (`identifiability.identify`)"),
    ("infinite", "Infinite-horizon discounted conditions (`identifiability.infinite`)"),
    ("symbolic", "Symbolic (parametric) identifiability (`identifiability.symbolic`)"),
    ("transforms", "Reward transformations (`identifiability.transforms`)"),
    ("equivalence", "Equivalence classes of data sources (`identifiability.equivalence`)"),
    ("distances", "Reward distances (`identifiability.distances`)"),
    ("regret", "Regret and the distance bounds (`identifiability.regret`)"),
    ("inference", "Reward inference under an assumed model (`identifiability.inference`)"),
    ("sensitivity", "Sensitivity bounds (`identifiability.sensitivity`)"),
    ("robustness", "Robustness to misspecification (`identifiability.robustness`)"),
    ("teaching", "Known-false statements kept as teaching examples"),
)

#: Every registered claim by id (fill with :func:`load_all`).
REGISTRY: dict[str, "Theorem"] = {}

_ROOT = Path(__file__).resolve().parents[1]
INSTANCE_FORMAT = "identifiability.instance/1"


# ---------------------------------------------------------------------- instances
def _plain(value, where):
    """JSON-ready copy of a parameter: Fractions as ``"p/q"``, arrays as nested lists."""
    if isinstance(value, (bool, type(None), str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, Fraction):
        return str(value) if value.denominator != 1 else str(value.numerator)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray):
        return [_plain(v, where) for v in value.tolist()] if value.ndim else _plain(
            value.item(), where)
    if isinstance(value, (list, tuple)):
        return [_plain(v, where) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v, where) for k, v in value.items()}
    raise InvalidParameterError(f"{where}: {type(value).__name__} is not a JSON parameter "
                                f"(use numbers, Fractions, strings, lists, arrays or dicts)")


@dataclass(frozen=True)
class Instance:
    """One instance of a claim: an MDP (or None), named rewards and JSON parameters.

    Parameters
    ----------
    mdp : MDP or None
    rewards : dict of str to array_like, optional
        Named reward tables of ``mdp`` (shape ``(S,)``, ``(S, A)`` or ``(S, A, S)``).
    params : dict, optional
        Everything else the check needs (horizons, temperatures, potentials, policies,
        seeds, ...): numbers, Fractions (kept exact as ``"p/q"`` strings), strings,
        lists, arrays and dicts of those.

    Notes
    -----
    :meth:`dumps` writes an ``identifiability.mdp/1`` document when there is an MDP (the
    parameters go into ``metadata``), so :func:`identifiability.load` reads the MDP of a
    saved instance back; :meth:`loads` restores the whole instance.

    Examples
    --------
    >>> import identifiability as idf
    >>> inst = Instance(idf.MDP([[[1]]], gamma="1/2"), {"R": [1]}, {"phi": ["1/3"]})
    >>> back = Instance.loads(inst.dumps())
    >>> back.array("phi").tolist(), back.reward("R").tolist(), back.mdp.gamma
    ([Fraction(1, 3)], [Fraction(1, 1)], Fraction(1, 2))
    """

    mdp: MDP | None = None
    rewards: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.mdp is not None and not isinstance(self.mdp, MDP):
            raise InvalidParameterError(f"Instance.mdp must be an identifiability.MDP or None, "
                                        f"got {type(self.mdp).__name__}")
        if self.rewards and self.mdp is None:
            raise InvalidParameterError("Instance.rewards need an MDP")
        from .reward import as_reward

        object.__setattr__(self, "rewards", {str(k): as_reward(v, self.mdp)
                                             for k, v in dict(self.rewards).items()})
        object.__setattr__(self, "params", {str(k): _plain(v, f"params[{k!r}]")
                                            for k, v in dict(self.params).items()})

    def reward(self, name):
        """The reward table ``name`` (exact object array or float64).

        Examples
        --------
        >>> import identifiability as idf
        >>> Instance(idf.MDP([[[1]]], gamma="1/2"), {"R": ["1/2"]}).reward("R").tolist()
        [Fraction(1, 2)]
        """
        return self.rewards[name]

    def array(self, name):
        """Parameter ``name`` as an array: exact for ``"p/q"`` strings and ints.

        Examples
        --------
        >>> Instance(params={"v": [1, "1/2"]}).array("v").tolist()
        [Fraction(1, 1), Fraction(1, 2)]
        """
        return parse_array(self.params[name], where=f"params[{name!r}]",
                           error=InvalidParameterError)

    def to_dict(self, *, theorem=None):
        """The JSON document (plain types).

        Examples
        --------
        >>> Instance(params={"k": 2}).to_dict()["params"]
        {'k': 2}
        """
        meta = {"instance": INSTANCE_FORMAT, "params": dict(self.params)}
        if theorem is not None:
            meta["theorem"] = theorem
        if self.mdp is None:
            return {"format": INSTANCE_FORMAT, **{k: v for k, v in meta.items()
                                                  if k != "instance"}}
        from .io import to_dict

        return to_dict(self.mdp, rewards=dict(self.rewards), metadata=meta)

    def dumps(self, *, theorem=None):
        """The JSON text (an ``identifiability.mdp/1`` document when there is an MDP).

        Examples
        --------
        >>> '"params"' in Instance(params={"k": 2}).dumps()
        True
        """
        if self.mdp is None:
            return json.dumps(self.to_dict(theorem=theorem), indent=1)
        from .io import dumps

        meta = self.to_dict(theorem=theorem)["metadata"]
        return dumps(self.mdp, rewards=dict(self.rewards), metadata=meta)

    def save(self, path, *, theorem=None):
        """Write :meth:`dumps` to ``path``; returns the path.

        Examples
        --------
        >>> import os, tempfile
        >>> p = Instance(params={"k": 2}).save(os.path.join(tempfile.mkdtemp(), "i.json"))
        >>> Instance.load(p).params
        {'k': 2}
        """
        Path(path).write_text(self.dumps(theorem=theorem) + "\n")
        return str(path)

    @classmethod
    def loads(cls, text):
        """Read an instance written by :meth:`dumps` (or a plain MDP document).

        Examples
        --------
        >>> Instance.loads(Instance(params={"k": 2}).dumps()).params
        {'k': 2}
        """
        doc = json.loads(text)
        if isinstance(doc, dict) and doc.get("format") == INSTANCE_FORMAT:
            return cls(None, {}, doc.get("params", {}))
        from .io import from_dict

        d = from_dict(doc, with_rewards=True)
        meta = d.metadata or {}
        return cls(d.mdp, dict(d.rewards), meta.get("params", {}))

    @classmethod
    def load(cls, path):
        """Read an instance file.

        Examples
        --------
        >>> import os, tempfile
        >>> p = Instance(params={"k": 2}).save(os.path.join(tempfile.mkdtemp(), "i.json"))
        >>> Instance.load(p).params["k"]
        2
        """
        return cls.loads(Path(path).read_text())

    def size(self):
        """A shrinking order: ``(S, A, horizon, sum of denominators, JSON length)``.

        Examples
        --------
        >>> import identifiability as idf
        >>> Instance(idf.MDP([[["1/2", "1/2"]], [[0, 1]]], gamma="1/2")).size()[:2]
        (2, 1)
        """
        text = self.dumps()
        den = sum(int(t.split("/")[1]) for t in __import__("re").findall(r'"-?\d+/\d+"', text)
                  for t in [t.strip('"')])
        if self.mdp is None:
            return (0, 0, 0, den, len(text))
        H = self.mdp.horizon if self.mdp.horizon is not None else 0
        return (self.mdp.n_states, self.mdp.n_actions, H, den, len(text))


# ---------------------------------------------------------------------- claims
@dataclass(frozen=True)
class Outcome:
    """The result of one check: whether the claim held, with a short detail.

    Parameters
    ----------
    holds : bool
    detail : str, default ""
        What was compared (numbers), or why it failed.
    score : float, optional
        How close the instance came to a violation (larger = closer); counterexample
        searches steer towards large scores with ``hypothesis.target``.

    Examples
    --------
    >>> bool(Outcome(True, "0 <= 1"))
    True
    """

    holds: bool
    detail: str = ""
    score: float | None = None

    def __bool__(self):
        return bool(self.holds)


def _outcome(value):
    if isinstance(value, Outcome):
        return value
    if isinstance(value, tuple) and len(value) in (2, 3) and isinstance(value[0],
                                                                        (bool, np.bool_)):
        return Outcome(bool(value[0]), str(value[1]), None if len(value) < 3 else value[2])
    if isinstance(value, (bool, np.bool_)):
        return Outcome(bool(value))
    raise TypeError(f"a check must return a bool, (bool, detail) or an Outcome, got "
                    f"{type(value).__name__}")


@dataclass(frozen=True)
class Theorem:
    """A registered claim.

    Parameters
    ----------
    id : str
        Stable id, also the name of ``proofs/<id>.md``.
    statement : str
        One line.
    provenance : {"read", "reconstructed", "derived", "empirical"}
    area : str
        A key of :data:`AREAS`.
    tests : tuple of str
        The tests that check it, as ``"tests/test_x.py::test_name"``.
    strategy : callable
        ``strategy()`` returns a hypothesis strategy of :class:`Instance` (called lazily,
        so importing the registry does not import hypothesis).
    check : callable
        ``check(instance)`` returns a bool, ``(bool, detail)`` or an :class:`Outcome`:
        True when the claim holds on the instance.
    kind : {"theorem", "conjecture", "false"}, default "theorem"
    examples : int, optional
        Largest useful number of examples (1 for a claim about one fixed instance).
    module : str
        Where it was registered.

    Examples
    --------
    >>> thm = get("soft-policy-shift-invariance")
    >>> thm.provenance in PROVENANCES and thm.proof_path().name
    'soft-policy-shift-invariance.md'
    """

    id: str
    statement: str
    provenance: str
    area: str
    tests: tuple
    strategy: Callable
    check: Callable
    kind: str = "theorem"
    examples: int | None = None
    module: str = ""

    def proof_path(self):
        """``proofs/<id>.md`` in the source tree.

        Examples
        --------
        >>> get("soft-policy-shift-invariance").proof_path().parent.name
        'proofs'
        """
        return _ROOT / "proofs" / f"{self.id}.md"

    def run(self, instance):
        """Decide the claim on one instance; an exception in the check is a failure.

        Returns
        -------
        Outcome

        Examples
        --------
        >>> thm = get("soft-policy-shift-invariance")
        >>> from hypothesis import find
        >>> inst = find(thm.strategy(), lambda i: True)
        >>> bool(thm.run(inst))
        True
        """
        try:
            return _outcome(self.check(instance))
        except IdentifiabilityError as err:
            return Outcome(False, f"the check raised {type(err).__name__}: {err}")
        except (ArithmeticError, ValueError, np.linalg.LinAlgError) as err:
            return Outcome(False, f"the check raised {type(err).__name__}: {err}")

    def line(self):
        """One index line: ``id``, statement, provenance and kind.

        Examples
        --------
        >>> get("soft-policy-shift-invariance").line().startswith("* [`soft-policy")
        True
        """
        kind = "" if self.kind == "theorem" else f", {self.kind}"
        return f"* [`{self.id}`]({self.id}.md): {self.statement} ({self.provenance}{kind})"


def register(id, *, statement, provenance, area, tests, strategy, kind="theorem",
             examples=None):
    """Decorator registering ``check`` as the claim ``id``.

    Parameters
    ----------
    id, statement, provenance, area, tests, strategy, kind, examples
        As for :class:`Theorem`.

    Returns
    -------
    callable
        The decorator; it returns the check unchanged.

    Raises
    ------
    InvalidParameterError
        A duplicate id, an unknown provenance, kind or area, or no tests.

    Examples
    --------
    >>> from hypothesis import strategies as st
    >>> @register("example-claim", statement="1 + 1 = 2.", provenance="derived",
    ...           area="foundations", tests=("tests/test_registry.py::test_register",),
    ...           strategy=lambda: st.just(Instance()), examples=1)
    ... def _check(inst):
    ...     return 1 + 1 == 2
    >>> bool(get("example-claim").run(Instance()))
    True
    >>> _ = REGISTRY.pop("example-claim")
    """
    if provenance not in PROVENANCES:
        raise InvalidParameterError(f"{id}: provenance {provenance!r} is not one of "
                                    f"{PROVENANCES}")
    if kind not in KINDS:
        raise InvalidParameterError(f"{id}: kind {kind!r} is not one of {KINDS}")
    if area not in dict(AREAS):
        raise InvalidParameterError(f"{id}: area {area!r} is not one of "
                                    f"{[a for a, _ in AREAS]}")
    tests = (tests,) if isinstance(tests, str) else tuple(tests)
    if not tests:
        raise InvalidParameterError(f"{id}: a claim needs at least one test")

    def deco(check):
        if id in REGISTRY and REGISTRY[id].check is not check:
            raise InvalidParameterError(f"claim {id!r} is registered twice "
                                        f"({REGISTRY[id].module} and {check.__module__})")
        REGISTRY[id] = Theorem(id, " ".join(statement.split()), provenance, area, tests,
                               strategy, check, kind, examples, check.__module__)
        return check

    return deco


_LOADED = False


def load_all():
    """Import every module of :mod:`identifiability.claims`; returns :data:`REGISTRY`.

    Examples
    --------
    >>> "soft-policy-shift-invariance" in load_all()
    True
    """
    global _LOADED
    if not _LOADED:
        from . import claims

        for mod in sorted(pkgutil.iter_modules(claims.__path__), key=lambda m: m.name):
            importlib.import_module(f"{claims.__name__}.{mod.name}")
        _LOADED = True
    return REGISTRY


def get(id):
    """The claim ``id``.

    Raises
    ------
    InvalidParameterError
        Unknown id (the message lists close matches).

    Examples
    --------
    >>> get("soft-policy-shift-invariance").area
    'foundations'
    """
    load_all()
    if id not in REGISTRY:
        import difflib

        close = difflib.get_close_matches(id, REGISTRY, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InvalidParameterError(f"no registered claim {id!r}{hint} "
                                    f"(`identifiability theorems` lists them)")
    return REGISTRY[id]


def theorems(*, kind=None, area=None):
    """The registered claims, sorted by area then id.

    Parameters
    ----------
    kind, area : str, optional
        Filters.

    Returns
    -------
    list of Theorem

    Examples
    --------
    >>> all(t.kind == "theorem" for t in theorems(kind="theorem"))
    True
    """
    load_all()
    order = {a: i for i, (a, _) in enumerate(AREAS)}
    out = [t for t in REGISTRY.values() if (kind is None or t.kind == kind)
           and (area is None or t.area == area)]
    return sorted(out, key=lambda t: (order[t.area], t.id))


def check_instance(id, instance):
    """Decide claim ``id`` on one instance (:meth:`Theorem.run`).

    Examples
    --------
    >>> import identifiability as idf
    >>> inst = Instance(idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2"),
    ...                 {"R": [[0, 1], [2, 0]]},
    ...                 {"shift": "3", "temperature": 1.0})
    >>> bool(check_instance("soft-policy-shift-invariance", inst))
    True
    """
    return get(id).run(instance)


# ---------------------------------------------------------------------- verification
@dataclass
class VerifyResult:
    """What :func:`verify` found for one claim.

    Attributes
    ----------
    id, kind : str
    examples : int
        Instances checked.
    failure : Instance or None
        The first failing instance (shrunk by hypothesis), or None.
    detail : str
        The failing check's detail.
    seconds : float

    Examples
    --------
    >>> r = verify("soft-policy-shift-invariance", examples=3)
    >>> r.status, r.examples > 0
    ('passed', True)
    """

    id: str
    kind: str
    examples: int
    failure: Instance | None
    detail: str
    seconds: float

    @property
    def status(self):
        """``"passed"``, ``"failed"``; for known-false statements ``"refuted"`` (expected)
        or ``"not refuted"``."""
        if self.kind == "false":
            return "refuted" if self.failure is not None else "not refuted"
        return "failed" if self.failure is not None else "passed"

    @property
    def ok(self):
        """True when the result is the expected one."""
        return self.status in ("passed", "refuted")

    def to_dict(self):
        """JSON-ready summary (the failing instance as its JSON document)."""
        return {"id": self.id, "kind": self.kind, "status": self.status,
                "examples": self.examples, "seconds": round(self.seconds, 3),
                "detail": self.detail,
                "failure": None if self.failure is None else self.failure.to_dict(
                    theorem=self.id)}


class _Violation(Exception):
    def __init__(self, instance, outcome):
        super().__init__(outcome.detail)
        self.instance, self.outcome = instance, outcome


def verify(id, examples=20, seed=0, *, shrink=True):
    """Check claim ``id`` on ``examples`` generated instances (in this process).

    Parameters
    ----------
    id : str
    examples : int, default 20
    seed : int, default 0
        Hypothesis seed: the same seed checks the same instances.
    shrink : bool, default True
        Shrink a failing instance to a minimal one.

    Returns
    -------
    VerifyResult

    Raises
    ------
    MissingDependencyError
        Without hypothesis (``pip install "identifiability[test]"``).

    Notes
    -----
    Hypothesis drives the generation (and shrinking); a claim about one fixed instance
    (``Theorem.examples == 1``) is checked once.

    Examples
    --------
    >>> verify("soft-policy-shift-invariance", examples=2, seed=1).ok
    True
    """
    thm = get(id)
    try:
        from hypothesis import HealthCheck, Phase, Verbosity, given, settings
        from hypothesis import seed as hseed
    except ImportError:  # pragma: no cover - hypothesis is a test dependency
        raise MissingDependencyError('verification needs hypothesis: pip install '
                                     '"identifiability[test]"') from None
    n = int(examples)
    if n < 1:
        raise InvalidParameterError(f"examples must be >= 1, got {examples!r}")
    if thm.examples is not None:
        n = min(n, thm.examples)
    count = [0]
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])

    @hseed(int(seed))
    @settings(max_examples=n, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
              phases=phases, report_multiple_bugs=False)
    @given(thm.strategy())
    def probe(instance):
        count[0] += 1
        out = thm.run(instance)
        if not out.holds:
            raise _Violation(instance, out)

    t0 = time.perf_counter()
    try:
        probe()
    except _Violation as v:
        return VerifyResult(thm.id, thm.kind, count[0], v.instance, v.outcome.detail,
                            time.perf_counter() - t0)
    return VerifyResult(thm.id, thm.kind, count[0], None, "", time.perf_counter() - t0)


# ---------------------------------------------------------------------- the proofs index
_INDEX_HEAD = """# Proofs

One file per registered claim: the statement, its provenance, a proof or proof sketch (or
"conjecture" with the evidence), and the tests that check it. Provenance tags: **read** (the
statement was read in the cited source), **reconstructed** (recalled or rebuilt from a source
that could not be read in full; never quoted as "Theorem k of paper X"), **derived** (derived
here or in the theory notes), **empirical** (an observation, kept as a conjecture). Kinds
other than theorem are marked: *conjecture*, or *false* for known-false statements kept as
teaching examples (`identifiability counterexample ID` finds, shrinks and exports a
counterexample).

This index is generated from the theorem registry (`identifiability.theorems`,
`python -m identifiability theorems --index > proofs/README.md`); a test checks it is
current. `identifiability theorems` lists the claims, `identifiability verify --theorem ID`
checks one on generated instances.
"""


def render_index():
    """The text of ``proofs/README.md``, generated from the registry.

    Examples
    --------
    >>> render_index().startswith("# Proofs")
    True
    """
    parts = [_INDEX_HEAD]
    for key, title in AREAS:
        items = theorems(area=key)
        if not items:
            continue
        parts.append(f"\n## {title}\n\n" + "\n".join(t.line() for t in items) + "\n")
    return "".join(parts)
