"""The registered claims, one module per area (see :mod:`identifiability.theorems`).

Each module registers its claims with :func:`identifiability.theorems.register` when it is
imported; :func:`identifiability.theorems.load_all` imports every module of this package.
A claim's *strategy* draws :class:`~identifiability.theorems.Instance` objects (use the
public strategies of :mod:`identifiability.testing.strategies`); its *check* decides the
claim on one instance by recomputing with the package's own functions, and returns
``(holds, detail)`` so a failure explains itself.
"""
