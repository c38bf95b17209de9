"""identifiability: check the theory of reward learning on finite MDPs.

The public API is flat and function-first (like networkx and POT)::

    import identifiability as idf
    mdp = idf.examples.get("cao2021-example1-v0")
    pi = idf.soft_policy(mdp, reward)

Modules
-------
mdp        the validated immutable :class:`MDP`
reward     rewards by the shape-prefix rule ``(S,)``, ``(S, A)``, ``(S, A, S)``
behaviour  forward behavioural models: soft-optimal (MaxEnt), Boltzmann, optimal,
           policy evaluation, occupancy measures, Bradley-Terry comparisons
convert    converters from other libraries' layouts, networkx graphs and Gymnasium
io         the versioned JSON file format ``identifiability.mdp/1``
examples   a registry of named, versioned example MDPs
linalg     the one linear-algebra core (exact rational and float)
reference  brute-force oracles (trajectory enumeration) used by the tests
testing    public hypothesis strategies

Not imported automatically, because they need optional extras: nothing yet
(plotting will need ``pip install identifiability[plot]``).
"""

from . import examples
from .behaviour import (
    boltzmann_policy,
    bradley_terry_probability,
    optimal_actions,
    optimal_values,
    policy_evaluation,
    soft_policy,
    soft_value_iteration,
    soft_values,
    state_action_occupancy,
    state_occupancy,
    trajectory_return,
)
from .errors import (
    IdentifiabilityError,
    InvalidMDPError,
    InvalidPolicyError,
    InvalidRewardError,
    MissingDependencyError,
)
from .io import dumps, load, loads, save
from .mdp import FLOAT_ATOL, MDP
from .reward import as_reward, broadcast_reward, expected_reward

__version__ = "0.1.0.dev0"

__all__ = [
    "MDP",
    "FLOAT_ATOL",
    "examples",
    "as_reward",
    "broadcast_reward",
    "expected_reward",
    "soft_value_iteration",
    "soft_policy",
    "soft_values",
    "boltzmann_policy",
    "optimal_values",
    "optimal_actions",
    "policy_evaluation",
    "state_occupancy",
    "state_action_occupancy",
    "trajectory_return",
    "bradley_terry_probability",
    "load",
    "save",
    "loads",
    "dumps",
    "IdentifiabilityError",
    "InvalidMDPError",
    "InvalidRewardError",
    "InvalidPolicyError",
    "MissingDependencyError",
]
