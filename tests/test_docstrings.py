"""Every public function and class documents itself with a runnable example.

The bar (issue: foundation): each public name has a numpydoc docstring with an
``Examples`` section; ``pytest --doctest-modules`` runs those examples.
"""

import importlib
import inspect

import pytest

PUBLIC_MODULES = [
    "identifiability",
    "identifiability.mdp",
    "identifiability.reward",
    "identifiability.behaviour",
    "identifiability.convert",
    "identifiability.io",
    "identifiability.examples",
    "identifiability.linalg",
    "identifiability.graph",
    "identifiability.infinite",
    "identifiability.identify",
    "identifiability.transforms",
    "identifiability.equivalence",
    "identifiability.distances",
    "identifiability.errors",
    "identifiability.cli",
    "identifiability.inference",
    "identifiability.sensitivity",
    "identifiability.regret",
    "identifiability.robustness",
    "identifiability.plot",
    "identifiability.symbolic",
    "identifiability.theorems",
    "identifiability.search",
    "identifiability.export",
]


def _public_callables():
    seen = set()
    for modname in PUBLIC_MODULES:
        mod = importlib.import_module(modname)
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{modname}.{name}", obj


PUBLIC = sorted(_public_callables(), key=lambda kv: kv[0])


def test_there_are_public_callables():
    assert len(PUBLIC) > 20


@pytest.mark.parametrize("qualname,obj", PUBLIC, ids=[q for q, _ in PUBLIC])
def test_public_callable_has_numpydoc_with_example(qualname, obj):
    doc = inspect.getdoc(obj)
    assert doc, f"{qualname} has no docstring"
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        return  # exception classes: a docstring saying when they are raised is enough
    if inspect.isclass(obj) and not callable(getattr(obj, "__init__", None)):
        return
    assert ">>>" in doc, f"{qualname}: docstring has no runnable example"
    if inspect.isfunction(obj):
        assert "Examples" in doc, f"{qualname}: no 'Examples' section"
        params = [p for p in inspect.signature(obj).parameters if p not in ("self", "cls")]
        if params:
            assert "Parameters" in doc or "See " in doc, f"{qualname}: no 'Parameters' section"
