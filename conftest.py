"""Shared pytest configuration: hypothesis profiles and the ``slow`` marker.

Hypothesis profiles
-------------------
``ci``       loaded when ``CI`` is set (as on our CI): derandomized, no database,
             no deadline, a moderate number of examples.
``dev``      the default locally: random, 50 examples, generous deadline.
``explore``  for counterexample hunting by hand: 5000 examples, database on,
             target phase on.  ``HYPOTHESIS_PROFILE=explore pytest ...``

Long sweeps carry ``@pytest.mark.slow`` and run only with ``--runslow``.
"""

import os

import pytest
from hypothesis import HealthCheck, Phase, settings

settings.register_profile(
    "ci", settings.get_profile("ci"), max_examples=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "dev", max_examples=50, deadline=5000,
    suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "explore", max_examples=5000, deadline=None, derandomize=False,
    phases=list(Phase), suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False,
                     help="also run tests marked slow (long sweeps)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow sweep: pass --runslow to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
