"""The theorem registry: every claim the toolkit tests, registered once.

A *claim* has a stable id (``"shaping-invariance-mce"``), a one-line statement, an honest
provenance tag, the tests that check it, a generator of instances (a hypothesis strategy)
and a check that decides the claim on one instance.  The same entry serves four places:

* ``proofs/<id>.md``: the statement, provenance and proof (the index ``proofs/README.md``
  is generated from this registry by :func:`render_index` and checked to be current);
* the test suite: ``tests/test_registry.py`` runs every registered check on generated
  instances, and checks that every cited test exists and every proof file is registered;
* ``identifiability verify`` (:func:`verify`, :func:`verify_many`): the same checks on many
  instances, in-process, on a process pool or on a Dask cluster, each claim's *pinned*
  instances first (:func:`pin`: found counterexamples are kept in
  ``identifiability/data/pinned/<id>/*.json``, as ``@example`` s are kept in a test);
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
    "verify_many",
    "pin",
    "ProgressBar",
    "render_index",
    "PINNED_DIR",
    "CHUNK_SIZE",
    "EXECUTORS",
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
    identity : bool, default False
        The claim is an algebraic identity; its proof file then carries a sympy script
        (a ```` ```python ```` block under ``**Sympy check.**``) that proves it over
        generic symbols, and ``tests/test_proofs.py`` runs it.

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
    identity: bool = False

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

    def pinned(self):
        """The pinned instances of the claim (read from ``PINNED_DIR/<id>/*.json``).

        :func:`verify` checks them first, before generating instances; :func:`pin` adds
        one.  Read on each call (a few small files), so a new pin is seen at once.

        Returns
        -------
        list of Instance
            In file-name order.

        Examples
        --------
        >>> isinstance(get("soft-policy-shift-invariance").pinned(), list)
        True
        """
        return [Instance.load(p) for p in _pinned_files(self.id)]

    def line(self):
        """One index line: ``id``, statement, provenance and kind.

        Examples
        --------
        >>> get("soft-policy-shift-invariance").line().startswith("* [`soft-policy")
        True
        """
        kind = "" if self.kind == "theorem" else f", {self.kind}"
        kind += ", identity: sympy check" if self.identity else ""
        return f"* [`{self.id}`]({self.id}.md): {self.statement} ({self.provenance}{kind})"


def register(id, *, statement, provenance, area, tests, strategy, kind="theorem",
             examples=None, identity=False):
    """Decorator registering ``check`` as the claim ``id``.

    Parameters
    ----------
    id, statement, provenance, area, tests, strategy, kind, examples, identity
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
                               strategy, check, kind, examples, check.__module__,
                               bool(identity))
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

    Parameters
    ----------
    id : str

    Returns
    -------
    Theorem

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

    Parameters
    ----------
    id : str
        A registered claim.
    instance : Instance

    Returns
    -------
    Outcome

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


# ---------------------------------------------------------------------- pinned instances
#: Where pinned instances live: ``PINNED_DIR/<id>/*.json`` (package data).
PINNED_DIR = Path(__file__).resolve().parent / "data" / "pinned"


def _pinned_files(id):
    folder = Path(PINNED_DIR) / id
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def pin(id, instance, *, name=None):
    """Pin ``instance`` to claim ``id``: :func:`verify` checks it first, always.

    Found counterexamples to the toolkit's own claims (and the counterexamples of the
    known-false teaching statements) are kept this way, as hypothesis ``@example`` s are
    kept in a test: every later verification re-checks them before generating anything.

    Parameters
    ----------
    id : str
        A registered claim.
    instance : Instance
    name : str, optional
        File name without ``.json`` (letters, digits, ``-``, ``_``, ``.``); default
        ``"cx-"`` followed by a hash of the instance's JSON, so pinning the same instance
        twice writes one file.

    Returns
    -------
    str
        The path written, ``PINNED_DIR/<id>/<name>.json``.

    Raises
    ------
    InvalidParameterError
        An unknown claim, something that is not an :class:`Instance`, or a bad name.

    Notes
    -----
    The file is an ``identifiability.mdp/1`` document (when the instance has an MDP) whose
    metadata names the claim; :meth:`Theorem.pinned` reads the pins of a claim back.

    Examples
    --------
    >>> import tempfile, identifiability as idf
    >>> from identifiability import theorems as T
    >>> saved, T.PINNED_DIR = T.PINNED_DIR, tempfile.mkdtemp()
    >>> inst = Instance(idf.MDP([[[1]]], gamma="1/2"), {"R": [1]},
    ...                 {"shift": "2", "temperature": 1.0})
    >>> path = pin("soft-policy-shift-invariance", inst)
    >>> len(get("soft-policy-shift-invariance").pinned())
    1
    >>> verify("soft-policy-shift-invariance", examples=2).pinned
    1
    >>> T.PINNED_DIR = saved
    """
    import hashlib
    import re

    thm = get(id)
    if not isinstance(instance, Instance):
        raise InvalidParameterError(f"pin: instance must be an identifiability.theorems."
                                    f"Instance, got {type(instance).__name__}")
    text = instance.dumps(theorem=thm.id)
    if name is None:
        name = "cx-" + hashlib.sha256(text.encode()).hexdigest()[:12]
    name = str(name)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or name.startswith("."):
        raise InvalidParameterError(f"pin: name {name!r} must be letters, digits, '-', '_' "
                                    f"or '.', not starting with '.'")
    folder = Path(PINNED_DIR) / thm.id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(text + "\n")
    return str(path)


# ---------------------------------------------------------------------- verification
@dataclass
class VerifyResult:
    """What :func:`verify` found for one claim.

    Attributes
    ----------
    id, kind : str
    examples : int
        Instances checked (pinned ones included), up to the first failure.
    failure : Instance or None
        The first failing instance (a pinned one, or a generated one shrunk by
        hypothesis), or None.
    detail : str
        The failing check's detail.
    seconds : float
        Time spent checking (summed over chunks).
    pinned : int
        Pinned instances checked.
    error : bool
        The check crashed (an exception that is not a verdict: a bug in the check or in
        the package) or the generation failed; ``failure`` is the instance, if any.

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
    pinned: int = 0
    error: bool = False

    @property
    def status(self):
        """``"passed"``, ``"failed"``; for known-false statements ``"refuted"`` (expected)
        or ``"not refuted"``; ``"error"`` when the check crashed."""
        if self.error:
            return "error"
        if self.kind == "false":
            return "refuted" if self.failure is not None else "not refuted"
        return "failed" if self.failure is not None else "passed"

    @property
    def ok(self):
        """True when the result is the expected one."""
        return self.status in ("passed", "refuted")

    def to_dict(self):
        """JSON-ready summary (the failing instance as its JSON document)."""
        return {"id": self.id, "kind": self.kind, "status": self.status, "ok": self.ok,
                "examples": self.examples, "pinned": self.pinned,
                "seconds": round(self.seconds, 3), "detail": self.detail,
                "failure": None if self.failure is None else self.failure.to_dict(
                    theorem=self.id)}


class _Violation(Exception):
    def __init__(self, instance, outcome, error=False):
        super().__init__(outcome.detail)
        self.instance, self.outcome, self.error = instance, outcome, error


def _crash_detail(err):
    """``Type: message (at file:line)`` of an exception, naming its innermost frame."""
    import traceback

    frames = traceback.extract_tb(err.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(err).__name__}: {err}{where}"


def _hypothesis():
    try:
        import hypothesis
    except ImportError:  # pragma: no cover - hypothesis is a test dependency
        raise MissingDependencyError('verification needs hypothesis: pip install '
                                     '"identifiability[test]"') from None
    return hypothesis


def _check_examples(examples):
    if isinstance(examples, bool) or not isinstance(examples, (int, np.integer)) \
            or examples < 1:
        raise InvalidParameterError(f"examples must be an integer >= 1, got {examples!r}")
    return int(examples)


def verify(id, examples=20, seed=0, *, shrink=True, pinned=True):
    """Check claim ``id`` on its pinned instances, then on ``examples`` generated ones.

    Parameters
    ----------
    id : str
    examples : int, default 20
        Generated instances (capped by ``Theorem.examples``).
    seed : int, default 0
        Hypothesis seed: the same seed checks the same instances.
    shrink : bool, default True
        Shrink a failing generated instance to a minimal one.
    pinned : bool, default True
        First check the pinned instances (:meth:`Theorem.pinned`, :func:`pin`).

    Returns
    -------
    VerifyResult

    Raises
    ------
    InvalidParameterError
        An unknown id or ``examples < 1``.
    MissingDependencyError
        Without hypothesis (``pip install "identifiability[test]"``).

    Notes
    -----
    Runs in this process; :func:`verify_many` spreads many claims and many seeds over a
    process pool or a Dask cluster.  Hypothesis drives the generation (and the
    shrinking); a claim about one fixed instance (``Theorem.examples == 1``) is checked
    once.  A check that returns False (or raises a typed error of the package, an
    arithmetic or linear-algebra error) refutes the claim on the instance; any other
    exception is reported as status ``"error"`` with the instance that raised it.

    Examples
    --------
    >>> verify("soft-policy-shift-invariance", examples=2, seed=1).ok
    True
    """
    thm = get(id)
    n = _check_examples(examples)
    hyp = _hypothesis()
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings

    if thm.examples is not None:
        n = min(n, thm.examples)
    t0 = time.perf_counter()
    n_pinned = 0
    if pinned:
        for path in _pinned_files(thm.id):
            try:
                inst = Instance.load(path)
            except (IdentifiabilityError, ValueError, OSError) as err:
                return VerifyResult(thm.id, thm.kind, n_pinned, None,
                                    f"pinned {path.name} does not load: {err}",
                                    time.perf_counter() - t0, n_pinned, True)
            n_pinned += 1
            try:
                out = thm.run(inst)
            except Exception as err:  # noqa: BLE001 - a crash is reported, not raised
                return VerifyResult(thm.id, thm.kind, n_pinned, inst,
                                    f"pinned {path.name}: the check crashed: "
                                    f"{_crash_detail(err)}",
                                    time.perf_counter() - t0, n_pinned, True)
            if not out.holds:
                return VerifyResult(thm.id, thm.kind, n_pinned, inst,
                                    f"pinned {path.name}: {out.detail}",
                                    time.perf_counter() - t0, n_pinned)
    count, found = [0], [False]
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])

    @hyp.seed(int(seed))
    @settings(max_examples=n, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
              phases=phases, report_multiple_bugs=False, print_blob=False)
    @given(thm.strategy())
    def probe(instance):
        if not found[0]:            # the shrinking phase re-runs the check: not examples
            count[0] += 1
        try:
            out = thm.run(instance)
        except Exception as err:  # noqa: BLE001
            found[0] = True
            raise _Violation(instance, Outcome(False, f"the check crashed: "
                                                      f"{_crash_detail(err)}"),
                             error=True) from None
        if not out.holds:
            found[0] = True
            raise _Violation(instance, out)

    try:
        probe()
    except _Violation as v:
        return VerifyResult(thm.id, thm.kind, n_pinned + count[0], v.instance,
                            v.outcome.detail, time.perf_counter() - t0, n_pinned, v.error)
    except Exception as err:  # noqa: BLE001 - e.g. a strategy that cannot generate
        return VerifyResult(thm.id, thm.kind, n_pinned + count[0], None,
                            f"verification crashed: {_crash_detail(err)}",
                            time.perf_counter() - t0, n_pinned, True)
    return VerifyResult(thm.id, thm.kind, n_pinned + count[0], None, "",
                        time.perf_counter() - t0, n_pinned)


# ---------------------------------------------------------------------- at scale
#: Default number of generated examples per task of :func:`verify_many`.
CHUNK_SIZE = 100
EXECUTORS = ("process", "dask", "serial")


def _chunk_plan(n, chunk_size):
    """Split ``n`` examples into ``ceil(n / chunk_size)`` near-equal chunks."""
    k = max(1, -(-n // chunk_size))
    base, extra = divmod(n, k)
    return [base + (1 if i < extra else 0) for i in range(k)]


def _run_chunk(id, examples, seed, pinned, shrink):
    """One task: ``verify`` on one seed chunk (module level, so it pickles by name)."""
    return verify(id, examples, seed, shrink=shrink, pinned=pinned)


def _merge(thm, parts):
    """Merge the chunk results of one claim, in chunk order: examples, pins and seconds
    are summed up to the first failing chunk, whose failure wins."""
    out = VerifyResult(thm.id, thm.kind, 0, None, "", 0.0)
    for r in parts:
        if r is None:
            break
        out.examples += r.examples
        out.pinned += r.pinned
        out.seconds += r.seconds
        if r.failure is not None or r.error:
            out.failure, out.detail, out.error = r.failure, r.detail, r.error
            break
    return out


class ProgressBar:
    """A small text progress bar on a stream (standard error by default).

    Parameters
    ----------
    stream : file, optional
        Default ``sys.stderr``.
    enabled : bool, optional
        Default: only when ``stream`` is a terminal.
    width : int, default 28
    label : str, default "verify"

    Notes
    -----
    Call it as ``bar(done, total, text)`` (the ``progress`` callback of
    :func:`verify_many`); it redraws at most ten times a second, shows the elapsed time
    and an estimate of the time left, and :meth:`close` erases the line.

    Examples
    --------
    >>> import io
    >>> s = io.StringIO()
    >>> bar = ProgressBar(s, enabled=True)
    >>> bar(1, 4, "claim-a"); bar(4, 4, "claim-b"); bar.close()
    >>> "4/4" in s.getvalue()
    True
    """

    def __init__(self, stream=None, enabled=None, width=28, label="verify"):
        import sys

        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled, self.width, self.label = bool(enabled), int(width), label
        self._t0 = time.perf_counter()
        self._last, self._shown = -1.0, 0

    def __call__(self, done, total, text=""):
        if not self.enabled:
            return
        now = time.perf_counter()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        frac = done / total if total else 1.0
        fill = int(round(self.width * frac))
        elapsed = now - self._t0
        eta = f" ~{elapsed * (1 - frac) / frac:.0f}s left" if 0 < frac < 1 else ""
        line = (f"{self.label} [{'#' * fill}{'.' * (self.width - fill)}] {done}/{total} "
                f"{elapsed:.0f}s{eta}  {text[:40]}")
        pad = max(0, self._shown - len(line))
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()
        self._shown = len(line)

    def close(self):
        """Erase the bar's line.

        Examples
        --------
        >>> ProgressBar(enabled=False).close()
        """
        if self.enabled and self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self.stream.flush()
            self._shown = 0


def _process_pool(workers):
    import multiprocessing as mp
    import sys
    from concurrent.futures import ProcessPoolExecutor

    # fork (where it is safe) keeps this process's registry, including claims registered at
    # run time, and skips re-importing the package in every worker
    ctx = mp.get_context("fork") if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


def _dask_client(workers, scheduler):
    try:
        import distributed
    except ImportError:
        raise MissingDependencyError('the dask executor needs distributed: pip install '
                                     '"identifiability[dask]"') from None
    if isinstance(scheduler, distributed.Client):
        return scheduler, lambda: None
    if scheduler:
        client = distributed.Client(scheduler)
        return client, client.close
    cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
    client = distributed.Client(cluster)

    def close():
        client.close()
        cluster.close()

    return client, close


def verify_many(ids=None, examples=20, seed=0, *, executor="process", workers=None,
                scheduler=None, progress=None, chunk_size=None, shrink=True):
    """Check many claims, each on ``examples`` instances, serially, on a process pool or
    on a Dask cluster.

    Parameters
    ----------
    ids : str or list of str, optional
        Claim ids (default: every registered claim, in :func:`theorems` order).
    examples : int, default 20
        Generated instances per claim (capped by ``Theorem.examples``).
    seed : int, default 0
        Chunk ``k`` of a claim uses the hypothesis seed ``seed + k``.
    executor : {"process", "dask", "serial"}, default "process"
        ``"process"``: a local :class:`concurrent.futures.ProcessPoolExecutor` (run in
        this process when there is one task or one worker); ``"dask"``: a
        ``distributed`` cluster; ``"serial"``: in this process.
    workers : int, optional
        Processes of the pool or of the local Dask cluster (default ``os.cpu_count()``).
    scheduler : str or distributed.Client, optional
        With ``executor="dask"``: the scheduler address (``"tcp://host:8786"``) or a
        client; default: start a ``distributed.LocalCluster`` for this call.
    progress : callable, optional
        ``progress(done, total, text)`` after each task (e.g. a :class:`ProgressBar`).
    chunk_size : int, optional
        Generated examples per task (default :data:`CHUNK_SIZE`): a claim's examples are
        split into ``ceil(examples / chunk_size)`` chunks with distinct seeds, so one claim
        spreads over many workers.
    shrink : bool, default True
        Shrink failing instances.

    Returns
    -------
    list of VerifyResult
        One per claim, in the order of ``ids``; chunk results are merged (examples and
        seconds summed up to the first failing chunk, whose failure wins).

    Raises
    ------
    InvalidParameterError
        Unknown ids, executor, ``examples``, ``workers`` or ``chunk_size`` < 1, or a
        scheduler without the dask executor.
    MissingDependencyError
        ``executor="dask"`` without ``distributed`` (``pip install
        "identifiability[dask]"``), or no hypothesis.

    Notes
    -----
    The chunking depends only on ``examples`` and ``chunk_size``, never on the executor
    or the number of workers, so every executor gives the same results for a fixed seed
    (with ``examples <= chunk_size`` a claim's result is ``verify(id, examples, seed)``).
    Pinned instances are checked once per claim, by its first chunk.  When a chunk fails,
    the claim's later chunks are cancelled.  Cost: the sum of the checks' costs, divided
    among the workers; the pool forks this process (on Linux) so run-time registered
    claims are seen; Dask workers import the package and load the registry (start them
    with one thread each, ``dask worker ADDRESS --nthreads 1``: hypothesis runs one test
    per thread best).

    Examples
    --------
    >>> rs = verify_many(["soft-policy-shift-invariance"], examples=4, executor="serial")
    >>> [(r.id, r.status, r.examples) for r in rs]
    [('soft-policy-shift-invariance', 'passed', 4)]
    >>> r = verify_many(["soft-policy-shift-invariance"], examples=4, chunk_size=2,
    ...                 executor="serial")[0]
    >>> r.examples
    4
    """
    import os

    if executor not in EXECUTORS:
        raise InvalidParameterError(f"executor must be one of {EXECUTORS}, got {executor!r}")
    if scheduler is not None and executor != "dask":
        raise InvalidParameterError(f"a scheduler needs executor='dask' (got {executor!r})")
    n = _check_examples(examples)
    if chunk_size is None:
        chunk_size = CHUNK_SIZE
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) \
            or chunk_size < 1:
        raise InvalidParameterError(f"chunk_size must be an integer >= 1, got {chunk_size!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(
            workers, (int, np.integer)) or workers < 1):
        raise InvalidParameterError(f"workers must be an integer >= 1, got {workers!r}")
    _hypothesis()
    if ids is None:
        thms = theorems()
    else:
        ids = [ids] if isinstance(ids, str) else list(ids)
        thms = [get(i) for i in dict.fromkeys(ids)]
    tasks = []                                  # (claim index, chunk index, args)
    for ci, thm in enumerate(thms):
        m = n if thm.examples is None else min(n, thm.examples)
        for k, size in enumerate(_chunk_plan(m, int(chunk_size))):
            tasks.append((ci, k, (thm.id, size, int(seed) + k, k == 0, shrink)))
    n_chunks = [0] * len(thms)
    for ci, _, _ in tasks:
        n_chunks[ci] += 1
    parts = [[None] * c for c in n_chunks]
    failed_at = {}                              # claim index -> first failing chunk seen
    total, done = len(tasks), 0

    def record(ci, k, res):
        nonlocal done
        parts[ci][k] = res
        if res is not None and (res.failure is not None or res.error):
            failed_at[ci] = min(k, failed_at.get(ci, k))
        done += 1
        if progress is not None:
            progress(done, total, thms[ci].id)

    workers = int(workers) if workers is not None else (os.cpu_count() or 1)
    if executor == "serial" or (executor == "process" and (total == 1 or workers == 1)):
        for ci, k, args in tasks:
            record(ci, k, None if failed_at.get(ci, k + 1) < k else _run_chunk(*args))
    else:
        if executor == "process":
            from concurrent.futures import as_completed

            pool = _process_pool(min(workers, total))
            close = lambda: pool.shutdown(wait=True, cancel_futures=True)  # noqa: E731
            submit = pool.submit
        else:
            client, close = _dask_client(workers, scheduler)
            from distributed import as_completed

            submit = lambda *a: client.submit(*a, pure=False)  # noqa: E731
        try:
            futs = {}
            for ci, k, args in tasks:
                futs[submit(_run_chunk, *args)] = (ci, k)
            by_claim = {}
            for f, (ci, k) in futs.items():
                by_claim.setdefault(ci, []).append((k, f))
            for f in as_completed(list(futs)):
                ci, k = futs[f]
                if f.cancelled() or failed_at.get(ci, k + 1) < k:
                    record(ci, k, None)
                    continue
                try:
                    res = f.result()
                except Exception as err:  # noqa: BLE001 - a lost worker, a pickling error
                    if failed_at.get(ci, k + 1) < k:
                        record(ci, k, None)
                        continue
                    res = VerifyResult(thms[ci].id, thms[ci].kind, 0, None,
                                       f"task failed: {type(err).__name__}: {err}", 0.0,
                                       error=True)
                record(ci, k, res)
                if failed_at.get(ci) == k and (res.failure is not None or res.error):
                    for j, g in by_claim[ci]:       # a new first failure: drop later chunks
                        if j > k:
                            g.cancel()
        finally:
            close()
    return [_merge(thm, parts[ci]) for ci, thm in enumerate(thms)]


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
