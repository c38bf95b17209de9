"""identifiability: check the theory of reward learning on finite MDPs.

The public API is flat and function-first (like networkx and POT)::

    import identifiability as idf
    mdp = idf.examples.get("cao2021-example1-v0")
    pi = idf.soft_policy(mdp, [0, 1, 0])

Modules
-------
mdp        the validated immutable :class:`MDP`
reward     rewards by the shape-prefix rule ``(S,)``, ``(S, A)``, ``(S, A, S)``
behaviour  forward behavioural models: soft-optimal (MaxEnt), Boltzmann, optimal,
           policy evaluation, occupancy measures, Bradley-Terry comparisons
convert    converters from other libraries' layouts, networkx graphs and Gymnasium
io         the versioned JSON file format ``identifiability.mdp/1``
examples   a registry of named, versioned example MDPs
identify   finite-horizon MaxEnt identifiability: coverage quick paths, the policy
           class K_Gamma, trajectory classes W, verdicts with witnesses and certificates
graph      accessible layers, coverage times with walk certificates, period, the
           time-unrolled support DAG
infinite   infinite-horizon (discounted) identifiability: consistent-reward classes,
           several experts, state-only and feature rewards, transfer
transforms reward transformations as objects (potential shaping, S'-redistribution,
           masks of impossible / unreachable transitions, constant shift, positive
           scaling, optimality-preserving maps)
inference  maximum-likelihood reward under an assumed behavioural model (Boltzmann
           choice, Bradley-Terry, MCE, Boltzmann-rational), saturation detection
sensitivity model-error measures (TV, KL), the linear sensitivity bounds with certified
           curvature, bias-to-model-error bounds, sweeps and counterexamples
robustness robustness of a behavioural model to misspecification (Skalse & Abate):
           verdicts with certificates / witnesses, the discount and transition flips,
           the STARC Lipschitz bound, counterexample constructions
regret     regret of optimising a proxy reward: worst-case and expected regret,
           STARC soundness and EPIC regret bounds, distance-vs-regret tables
plot       matplotlib pictures (``[plot]`` extra); import it explicitly
equivalence the equivalence classes of data sources (Q, Boltzmann, MCE, optimal,
           trajectories, returns, comparisons): ambiguity, canonical forms,
           equivalence with decompositions, the ambiguity ordering
distances  reward distances: STARC (VAL, minimal L2), EPIC and DARD canonicalisations,
           weighted norms, pairwise distance matrices
symbolic   parameter families: generic verdicts over QQ(params), exceptional values
theorems   the theorem registry (every tested claim: statement, provenance, generator,
           check) and ``verify``; claims live in ``identifiability.claims``
search     counterexample search with shrinking; ``export``: TikZ and PNG pictures;
           import them explicitly
linalg     the one linear-algebra core (exact rational and float)
errors     the typed exceptions
reference  brute-force oracles (trajectory enumeration) used by the tests;
           import it explicitly
testing    public hypothesis strategies (``identifiability.testing.strategies``,
           needs ``pip install identifiability[test]``); import it explicitly

Optional extras are imported lazily, only by the functions that need them:
gymnasium (``[gym]``) by :func:`from_gymnasium`.
"""

from . import convert, distances, equivalence, examples, graph, infinite, io, linalg, transforms
from . import identify as _identify_module  # noqa: F401  (the name `identify` is the function)
from .behaviour import (
    SoftSolution,
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
from .convert import (
    from_arrays,
    from_graph,
    from_gymnasium,
    to_arrays,
    to_gymnasium_dict,
    to_mdptoolbox,
)
from .errors import (
    ConvergenceError,
    UndecidedError,
    IdentifiabilityError,
    InvalidMDPError,
    InvalidParameterError,
    InvalidPolicyError,
    InvalidRewardError,
    InvalidTrajectoryError,
    MissingDependencyError,
    ToleranceWarning,
    UnknownExampleError,
    UnreachableStatesWarning,
)
from .distances import (
    canonicalize,
    dard_canonical,
    dard_distance,
    epic_canonical,
    epic_distance,
    minimal_canonical,
    normalize,
    pairwise_distances,
    pearson_distance,
    reward_norm,
    starc_distance,
    val_canonical,
)
from .identify import (
    IdentifiabilityReport,
    identify,
    is_identifiable,
    minimal_horizon,
    policy_class,
    trajectory_classes,
    verify_witness,
)
from .symbolic import (
    SymbolicMDP,
    SymbolicReport,
    identify_symbolic,
    parametric_sweep,
)
from .equivalence import (
    MODELS,
    EquivalenceResult,
    RewardClass,
    ambiguity,
    boltzmann_inversion,
    equivalent,
    mce_inversion,
    observe,
    ordering_table,
    refines,
)
from .io import MDPDocument, dumps, load, loads, save
from .transforms import (
    ConstantShift,
    KInitialShaping,
    ImpossibleTransitionMask,
    OptimalityPreserving,
    PositiveScaling,
    PotentialShaping,
    SPrimeRedistribution,
    TimeDependentShaping,
    UnreachableMask,
    ZeroInitialShaping,
    compose,
    optimality_certificate,
    reachable_transitions,
)
from .mdp import FLOAT_ATOL, MDP
from . import regret as _regret_module  # noqa: F401  (the name `regret` is the function)
from .regret import (
    EpicRegretBound,
    RegretResult,
    SoundnessCheck,
    check_starc_soundness,
    distance_regret_table,
    epic_regret_bound,
    expected_regret,
    interpolated_pairs,
    normalised_regret,
    policy_return,
    policy_returns,
    regret,
    return_range,
    starc_soundness_constant,
    worst_case_regret,
)
from .reward import as_reward, broadcast_reward, expected_reward
from . import inference
from .inference import (
    BoltzmannModel,
    ChoiceModel,
    ComparisonModel,
    MCEModel,
    MLEResult,
    SaturationError,
    fit_boltzmann,
    fit_choice,
    fit_comparisons,
    fit_mce,
    trajectory_features,
)
from . import robustness
from .robustness import (
    BehaviouralModel,
    LipschitzBound,
    Misspecification,
    RobustnessVerdict,
    is_opt_robust,
    is_robust,
    misspecification,
    misspecification_error,
    starc_angle,
    starc_lipschitz_bound,
    twin_rewards,
)
from . import sensitivity, theorems
from .sensitivity import (
    BiasBound,
    BoundResult,
    ModelError,
    SweepResult,
    certified_alpha,
    false_dynamics_model_error,
    gradient_spread,
    hong_bounds,
    hong_kl_bound,
    hong_tv_bound,
    model_error,
    myopia_model_error,
    plot_sweep,
    segment_curvature,
    sensitivity_sweep,
    softmax_tv_bound,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "SymbolicMDP",
    "SymbolicReport",
    "identify_symbolic",
    "parametric_sweep",
    # the model
    "MDP",
    "FLOAT_ATOL",
    "examples",
    # rewards
    "as_reward",
    "broadcast_reward",
    "expected_reward",
    # behavioural models
    "SoftSolution",
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
    # identifiability (finite horizon; see also the `infinite` module)
    "identify",
    "is_identifiable",
    "minimal_horizon",
    "policy_class",
    "trajectory_classes",
    "verify_witness",
    "IdentifiabilityReport",
    # reward transformations
    "PotentialShaping",
    "KInitialShaping",
    "ZeroInitialShaping",
    "TimeDependentShaping",
    "SPrimeRedistribution",
    "ImpossibleTransitionMask",
    "UnreachableMask",
    "ConstantShift",
    "PositiveScaling",
    "OptimalityPreserving",
    "optimality_certificate",
    "reachable_transitions",
    "compose",
    # equivalence classes of data sources
    "ambiguity",
    "equivalent",
    "refines",
    "ordering_table",
    "observe",
    "mce_inversion",
    "boltzmann_inversion",
    "MODELS",
    "RewardClass",
    "EquivalenceResult",
    "equivalence",
    # reward distances
    "starc_distance",
    "epic_distance",
    "dard_distance",
    "pearson_distance",
    "pairwise_distances",
    "canonicalize",
    "val_canonical",
    "minimal_canonical",
    "epic_canonical",
    "dard_canonical",
    "reward_norm",
    "normalize",
    "distances",
    "graph",
    "infinite",
    "linalg",
    "transforms",
    # converters and files
    "from_arrays",
    "to_arrays",
    "from_graph",
    "from_gymnasium",
    "to_gymnasium_dict",
    "to_mdptoolbox",
    "load",
    "save",
    "loads",
    "dumps",
    "MDPDocument",
    # regret (the regret side of reward distances)
    "policy_return",
    "policy_returns",
    "return_range",
    "regret",
    "normalised_regret",
    "worst_case_regret",
    "expected_regret",
    "RegretResult",
    "starc_soundness_constant",
    "check_starc_soundness",
    "SoundnessCheck",
    "epic_regret_bound",
    "EpicRegretBound",
    "distance_regret_table",
    "interpolated_pairs",
    # reward inference under an assumed behavioural model
    "inference",
    "fit_choice",
    "fit_comparisons",
    "fit_mce",
    "fit_boltzmann",
    "trajectory_features",
    "ChoiceModel",
    "ComparisonModel",
    "MCEModel",
    "BoltzmannModel",
    "MLEResult",
    "SaturationError",
    # model error and sensitivity bounds
    "sensitivity",
    "theorems",
    "model_error",
    "ModelError",
    "softmax_tv_bound",
    "gradient_spread",
    "segment_curvature",
    "certified_alpha",
    "hong_tv_bound",
    "hong_kl_bound",
    "hong_bounds",
    "BoundResult",
    "false_dynamics_model_error",
    "myopia_model_error",
    "BiasBound",
    "sensitivity_sweep",
    "SweepResult",
    "plot_sweep",
    # robustness to misspecification (the function `robustness` lives in the module)
    "robustness",
    "BehaviouralModel",
    "Misspecification",
    "misspecification",
    "is_robust",
    "is_opt_robust",
    "RobustnessVerdict",
    "misspecification_error",
    "twin_rewards",
    "starc_angle",
    "starc_lipschitz_bound",
    "LipschitzBound",
    # errors and warnings
    "IdentifiabilityError",
    "InvalidMDPError",
    "InvalidRewardError",
    "InvalidPolicyError",
    "InvalidParameterError",
    "InvalidTrajectoryError",
    "ConvergenceError",
    "UndecidedError",
    "UnknownExampleError",
    "MissingDependencyError",
    "ToleranceWarning",
    "UnreachableStatesWarning",
]
