"""Robustness of a behavioural model to misspecification (the Skalse & Abate side).

An IRL learner *assumes* a behavioural model ``f`` (reward -> policy) while the data come
from a *true* model ``g``.  It returns a reward ``R_hat`` with ``f(R_hat) = g(R)``; the
error is the STARC distance ``d_f(R, R_hat)`` measured in the assumed model's environment
(there it does not depend on which member of ``f``'s class the learner returns).
Following theory note ``misspecification.md`` §3.1 (definitions whose *names* were read in
the ICLR'24 reviews; exact forms recalled), ``f`` is *epsilon-robust to misspecification
with g* when (i) ``f != g``, (ii) ``Im(g) ⊆ Im(f)`` and (iii) ``f(R1) = g(R2)`` implies
``d(R1, R2) <= epsilon``.

**Scale.** :func:`identifiability.starc_distance` reports on ``[0, 1]``, half the note's
``[0, 2]`` value: every "2" / "diameter" of the note is 1 here, and ``d = sin(theta / 2)``
(note: ``2 sin(theta / 2)``, claim ``starc-angle-identity``).  All tolerances ``epsilon``
of this module are on OUR ``[0, 1]`` scale.

**What "decide" means.** The note gives constructions, not an algorithm for arbitrary
``(f, g)``.  A verdict is therefore backed by evidence a reader can re-check:

* a *certificate*: a transformation ``t`` with ``g = f o t`` and ``d(R, t(R)) <= epsilon``
  for every ``R`` (wrong temperature: ``t(R) = (beta_true / beta_assumed) R``, error 0;
  claim ``temperature-robustness``), or the trivial bound ``epsilon >= 1``;
* a *witness*: a concrete pair ``(R_true, R_inferred)`` with identical data
  ``f(R_inferred) = g(R_true)`` and ``d > epsilon`` (wrong discount / transitions:
  claims ``discount-misspecification-flip``, ``transition-misspecification-flip``), or a
  reward whose data ``g(R_true)`` lies outside ``Im(f)`` (optimal vs Boltzmann, claim
  ``optimality-never-opt-robust``);
* otherwise ``robust is None``: "undecided", never a guess.

Behavioural models (:class:`BehaviouralModel`): Boltzmann-rational ``b`` (softmax of
``beta A*``), maximal causal entropy ``c`` (soft-optimal, temperature ``1 / beta``),
optimal ``o`` (uniform over the optimal actions), each with its canonical inverse
``Lambda`` (:func:`identifiability.boltzmann_inversion`,
:func:`identifiability.mce_inversion`).

Counterexample constructions (each reproduces the note's numbers, §7-8):
:func:`discount_flip`, :func:`transition_flip`, :func:`non_separation`,
:func:`mce_mode_preservation_failure`, :func:`choice_set_misspecification`, and the
honest non-counterexample :func:`discount_error_baseline` (EMPIRICAL).

Provenance: the note could not read the papers beyond abstracts and reviews; statements
here are labelled in ``proofs/<id>.md`` as read / recalled / derived.  Nothing here is
"Theorem k of Skalse & Abate".
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from . import linalg
from ._numbers import is_exact_array, parse_scalar, to_float_array
from .behaviour import _parameter, boltzmann_policy, optimal_actions, soft_policy
from .distances import starc_distance
from .equivalence import boltzmann_inversion, mce_inversion
from .errors import InvalidMDPError, InvalidParameterError, InvalidPolicyError
from .infinite import shaping_matrix
from .mdp import MDP
from .reward import as_reward

__all__ = [
    "MODEL_KINDS",
    "MISSPECIFICATIONS",
    "BehaviouralModel",
    "boltzmann_model",
    "mce_model",
    "optimality_model",
    "ModePreservingMixture",
    "Misspecification",
    "misspecification",
    "RobustnessCertificate",
    "RobustnessWitness",
    "RobustnessVerdict",
    "is_robust",
    "is_opt_robust",
    "robustness",
    "misspecification_error",
    "twin_rewards",
    "TwinRewards",
    "starc_angle",
    "starc_lipschitz_bound",
    "LipschitzBound",
    "FlipExample",
    "discount_flip",
    "transition_flip",
    "NonSeparation",
    "non_separation",
    "ModeFailure",
    "mce_mode_preservation_failure",
    "ChoiceSetResult",
    "choice_set_misspecification",
    "BaselineResult",
    "discount_error_baseline",
]

#: The behavioural models of :class:`BehaviouralModel`.
MODEL_KINDS = ("boltzmann", "mce", "optimal")

#: The misspecification kinds of :func:`misspecification`.
MISSPECIFICATIONS = ("temperature", "discount", "transitions", "optimal-vs-boltzmann",
                     "mode-preserving", "perturbation")

#: Float tolerance for "identical data" (max |policy difference|) and mode comparisons.
POLICY_ATOL = 1e-9


# ---------------------------------------------------------------------- models
def _float(x):
    x = np.asarray(x)
    return to_float_array(x) if x.dtype == object else x.astype(float, copy=False)


@dataclass(frozen=True, eq=False)
class BehaviouralModel:
    """A behavioural model ``f : R -> policy`` with its environment overrides.

    The model is a *specification*: methods take the base MDP and use its transitions and
    discount unless the model overrides them (``gamma``, ``transitions``), so the same
    base MDP can host a true and an assumed model that disagree on ``gamma`` or ``tau``.

    Parameters
    ----------
    kind : {"boltzmann", "mce", "optimal"}
        Boltzmann-rational ``softmax(beta A*_R)``; maximal causal entropy (soft-optimal,
        temperature ``1 / beta``, :func:`identifiability.soft_policy`); optimal (uniform
        over ``argmax_a Q*_R``).
    beta : float, default 1.0
        Inverse temperature ``> 0`` (unused by ``"optimal"``).
    gamma : number, optional
        Discount override (``< 1``).  Default: the base MDP's.
    transitions : MDP or (S, A, S) array_like, optional
        Transition override; only its probabilities are used.  Default: the base MDP's.

    Raises
    ------
    InvalidParameterError
        An unknown kind or a bad ``beta``.

    Notes
    -----
    Forward cost: one policy iteration (``b``, ``o``) or soft value iteration (``c``);
    inverse cost ``O(S A)``.  Theorem ids: ``temperature-robustness`` (scaling),
    ``boltzmann-opt-robust-mode-preserving`` (the Boltzmann inverse keeps the modes).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> b = boltzmann_model(beta=2)
    >>> pi = b.policy(mdp, [[0, 1], [0, 0]])
    >>> bool(abs(b.policy(mdp, b.invert(mdp, pi)) - pi).max() < 1e-12)
    True
    >>> b.environment(mdp).gamma, boltzmann_model(gamma="89/100").environment(mdp).gamma
    (Fraction(9, 10), Fraction(89, 100))
    """

    kind: str
    beta: float = 1.0
    gamma: object = None
    transitions: object = None

    def __post_init__(self):
        if self.kind not in MODEL_KINDS:
            raise InvalidParameterError(f"unknown behavioural model {self.kind!r}; choose one "
                                        f"of {', '.join(map(repr, MODEL_KINDS))}")
        object.__setattr__(self, "beta", _parameter(self.beta, "beta", allow_zero=False))

    def environment(self, mdp):
        """The MDP this model plans in: ``mdp`` with the overrides applied.

        Parameters
        ----------
        mdp : MDP
            Discounted, infinite horizon.

        Returns
        -------
        MDP

        Raises
        ------
        InvalidMDPError, InvalidParameterError
            A finite horizon, ``gamma = 1`` or transitions of the wrong shape.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
        >>> m = mce_model(transitions=[[[1, 0], [1, 0]], [[0, 1], [0, 1]]])
        >>> m.environment(mdp).transitions[0, 1].tolist()
        [Fraction(1, 1), Fraction(0, 1)]
        """
        if not isinstance(mdp, MDP):
            raise InvalidMDPError(f"mdp must be an identifiability.MDP, got {type(mdp).__name__}")
        env = mdp
        if self.transitions is not None:
            P = self.transitions.transitions if isinstance(self.transitions, MDP) \
                else np.asarray(self.transitions, dtype=object)
            S, A = mdp.n_states, mdp.n_actions
            if P.shape != (S, A, S):
                raise InvalidParameterError(f"transitions have shape {P.shape}; expected "
                                            f"({S}, {A}, {S}) like the base MDP")
            exact = mdp.is_exact and is_exact_array(P)
            g = mdp.gamma if self.gamma is None else self.gamma
            env = MDP(P if exact else _float(P),
                      initial=mdp.initial if exact else _float(mdp.initial),
                      gamma=g if exact else float(parse_scalar(g, where="gamma",
                                                               error=InvalidParameterError)))
        elif self.gamma is not None:
            env = mdp.replace(gamma=self.gamma)
        if env.horizon is not None or env.gamma >= 1:
            raise InvalidParameterError(
                f"robustness needs a discounted infinite-horizon environment; got horizon "
                f"{env.horizon} and gamma {env.gamma}")
        return env

    def policy(self, mdp, reward):
        """``f(R)``: the ``(S, A)`` policy of ``reward`` in :meth:`environment`.

        Parameters
        ----------
        mdp : MDP
        reward : (S,), (S, A) or (S, A, S) array_like

        Returns
        -------
        (S, A) float64 ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
        >>> optimality_model().policy(mdp, [[0, 1], [0, 0]]).tolist()
        [[0.0, 1.0], [0.0, 1.0]]
        """
        env = self.environment(mdp)
        R = as_reward(reward, env)
        if self.kind == "boltzmann":
            return boltzmann_policy(env, R, beta=self.beta)
        if self.kind == "mce":
            return soft_policy(env, _float(R), temperature=1.0 / self.beta, tol=1e-13)
        mask = optimal_actions(env, R)
        return mask / mask.sum(axis=1, keepdims=True)

    def in_image(self, mdp, policy, atol=POLICY_ATOL):
        """Is ``policy`` in ``Im(f)``?  Full support (b, c) or uniform on its support (o).

        Parameters
        ----------
        mdp : MDP
        policy : (S, A) array_like
        atol : float

        Returns
        -------
        bool

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
        >>> boltzmann_model().in_image(mdp, [[1, 0], [0.5, 0.5]])
        False
        >>> optimality_model().in_image(mdp, [[1, 0], [0.5, 0.5]])
        True
        """
        pi = _float(np.asarray(policy))
        if self.kind != "optimal":          # exp never underflows to exactly 0 here
            return bool(np.all(pi > 0))
        supp = pi > atol
        k = supp.sum(axis=1, keepdims=True)
        return bool(np.all(k > 0) and np.all(np.abs(np.where(supp, pi - 1.0 / k, 0)) <= atol))

    def invert(self, mdp, policy):
        """The canonical inverse ``Lambda(pi)``: a reward ``R_hat`` with ``f(R_hat) = pi``.

        Boltzmann: ``(log pi - max_a log pi) / beta``; MCE: ``log(pi) / beta``
        (:func:`identifiability.boltzmann_inversion`, :func:`identifiability.mce_inversion`);
        optimal: 0 on the support of ``pi`` and -1 elsewhere (its optimal actions are the
        support, since ``V* = 0``).

        Parameters
        ----------
        mdp : MDP
        policy : (S, A) array_like
            In ``Im(f)`` (:meth:`in_image`).

        Returns
        -------
        (S, A) float64 ndarray

        Raises
        ------
        InvalidPolicyError
            ``policy`` is not in the image of the model.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
        >>> optimality_model().invert(mdp, [[0, 1], [0.5, 0.5]]).tolist()
        [[-1.0, 0.0], [0.0, 0.0]]
        """
        env = self.environment(mdp)
        if self.kind == "boltzmann":
            return boltzmann_inversion(env, policy, beta=self.beta)
        if self.kind == "mce":
            return mce_inversion(env, policy, beta=self.beta)
        if not self.in_image(env, policy):
            raise InvalidPolicyError("the optimality model only produces policies that are "
                                     "uniform over a nonempty set of actions in every state")
        return np.where(_float(np.asarray(policy)) > POLICY_ATOL, 0.0, -1.0)

    def distance(self, mdp, R1, R2, **starc):
        """STARC distance (our ``[0, 1]`` scale) in this model's environment.

        Parameters
        ----------
        mdp : MDP
        R1, R2 : array_like
        **starc
            Passed to :func:`identifiability.starc_distance`.

        Returns
        -------
        float

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
        >>> boltzmann_model().distance(mdp, [[0, 1], [0, 0]], [[0, -1], [0, 0]])
        1.0
        """
        return starc_distance(R1, R2, self.environment(mdp), **starc)

    def same_environment(self, other, mdp):
        """Do both models plan with the same ``gamma`` and transitions on ``mdp``?

        Parameters
        ----------
        other : BehaviouralModel
        mdp : MDP

        Returns
        -------
        bool

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
        >>> boltzmann_model(beta=2).same_environment(mce_model(gamma=0.9), mdp)
        True
        """
        a, b = self.environment(mdp), other.environment(mdp)
        return bool(float(a.gamma) == float(b.gamma)
                    and np.array_equal(_float(a.transitions), _float(b.transitions)))

    def same_as(self, other, mdp):
        """Is ``other`` the same model on ``mdp`` (kind, ``beta`` and environment)?

        Parameters
        ----------
        other : object
        mdp : MDP

        Returns
        -------
        bool

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
        >>> boltzmann_model(gamma="9/10").same_as(boltzmann_model(), mdp)
        True
        """
        return (isinstance(other, BehaviouralModel) and other.kind == self.kind
                and (self.kind == "optimal" or other.beta == self.beta)
                and self.same_environment(other, mdp))

    def describe(self):
        """A short name such as ``"boltzmann(beta=2, gamma=0.9)"``.

        Returns
        -------
        str

        Examples
        --------
        >>> boltzmann_model(beta=2, gamma="9/10").describe()
        'boltzmann(beta=2, gamma=9/10)'
        """
        parts = [] if self.kind == "optimal" else [f"beta={self.beta:g}"]
        if self.gamma is not None:
            parts.append(f"gamma={self.gamma}")
        if self.transitions is not None:
            parts.append("transitions=<override>")
        return f"{self.kind}({', '.join(parts)})"


def boltzmann_model(beta=1.0, *, gamma=None, transitions=None):
    """The Boltzmann-rational model ``b(R) = softmax(beta A*_R)``.

    Parameters
    ----------
    beta : float, default 1.0
    gamma, transitions : optional
        Environment overrides (:class:`BehaviouralModel`).

    Returns
    -------
    BehaviouralModel

    Notes
    -----
    Cost of :func:`identifiability.boltzmann_policy`.  Theorem id ``boltzmann-limits``.

    Examples
    --------
    >>> boltzmann_model(2).describe()
    'boltzmann(beta=2)'
    """
    return BehaviouralModel("boltzmann", beta, gamma, transitions)


def mce_model(beta=1.0, *, gamma=None, transitions=None):
    """The maximal-causal-entropy (soft-optimal) model at temperature ``1 / beta``.

    Parameters
    ----------
    beta : float, default 1.0
    gamma, transitions : optional
        Environment overrides (:class:`BehaviouralModel`).

    Returns
    -------
    BehaviouralModel

    Notes
    -----
    Cost of :func:`identifiability.soft_policy`.  Theorem id ``soft-bellman-consistency``.

    Examples
    --------
    >>> mce_model(gamma=0.5).describe()
    'mce(beta=1, gamma=0.5)'
    """
    return BehaviouralModel("mce", beta, gamma, transitions)


def optimality_model(*, gamma=None, transitions=None):
    """The optimality model ``o(R)``: uniform over the optimal actions of ``R``.

    Parameters
    ----------
    gamma, transitions : optional
        Environment overrides (:class:`BehaviouralModel`).

    Returns
    -------
    BehaviouralModel

    Notes
    -----
    Cost of :func:`identifiability.optimal_actions`.  Theorem id
    ``optimality-never-opt-robust``.

    Examples
    --------
    >>> optimality_model().describe()
    'optimal()'
    """
    return BehaviouralModel("optimal", 1.0, gamma, transitions)


@dataclass(frozen=True)
class ModePreservingMixture:
    """``g(R) = (1 - kappa) base(R) + kappa o(R)``: a mode-preserving misspecification.

    When ``base`` is Boltzmann-rational the modes of ``base(R)`` are the optimal actions of
    ``R``; adding mass ``kappa`` uniformly on those actions keeps the argmax set and, for
    ``kappa < 1``, full support (claim ``boltzmann-opt-robust-mode-preserving``).

    Parameters
    ----------
    base : BehaviouralModel
        Boltzmann or MCE.
    kappa : float
        In ``[0, 1)``.

    Raises
    ------
    InvalidParameterError

    Notes
    -----
    Cost: ``base`` plus one :func:`identifiability.optimal_actions`.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> g = ModePreservingMixture(boltzmann_model(), 0.5)
    >>> g.policy(mdp, [[0, 1], [0, 0]]).argmax(axis=1).tolist()
    [1, 1]
    """

    base: BehaviouralModel
    kappa: float

    def __post_init__(self):
        if not isinstance(self.base, BehaviouralModel) or self.base.kind == "optimal":
            raise InvalidParameterError("ModePreservingMixture needs a Boltzmann or MCE base "
                                        "model")
        k = _parameter(self.kappa, "kappa", allow_zero=True)
        if k >= 1:
            raise InvalidParameterError(f"kappa must be in [0, 1), got {self.kappa!r}")
        object.__setattr__(self, "kappa", k)

    def policy(self, mdp, reward):
        """``(1 - kappa) base(R) + kappa o(R)``.

        Parameters
        ----------
        mdp : MDP
        reward : array_like

        Returns
        -------
        (S, A) float64 ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
        >>> ModePreservingMixture(boltzmann_model(), 0).policy(mdp, [[0, 0], [0, 0]]).tolist()
        [[0.5, 0.5], [0.5, 0.5]]
        """
        o = BehaviouralModel("optimal", 1.0, self.base.gamma, self.base.transitions)
        return (1 - self.kappa) * self.base.policy(mdp, reward) + self.kappa * o.policy(mdp,
                                                                                        reward)

    def describe(self):
        """A short name.

        Returns
        -------
        str

        Examples
        --------
        >>> ModePreservingMixture(boltzmann_model(), 0.25).describe()
        'mixture(0.75 boltzmann(beta=1) + 0.25 optimal)'
        """
        return f"mixture({1 - self.kappa:g} {self.base.describe()} + {self.kappa:g} optimal)"


def _policy_fn(model, mdp):
    """A callable ``R -> policy`` for a model, an object with ``.policy`` or a callable."""
    if hasattr(model, "policy") and callable(model.policy):
        return lambda R: model.policy(mdp, R)
    if callable(model):
        return lambda R: _float(np.asarray(model(R), dtype=float))
    raise InvalidParameterError(f"a true model must be a BehaviouralModel, an object with "
                                f".policy(mdp, reward), or a callable reward -> policy; got "
                                f"{type(model).__name__}")


def _describe(model):
    return model.describe() if hasattr(model, "describe") else getattr(model, "__name__",
                                                                       repr(model))


def _check_assumed(model):
    if not isinstance(model, BehaviouralModel):
        raise InvalidParameterError(f"the assumed model must be a BehaviouralModel, got "
                                    f"{type(model).__name__}")


def _epsilon(epsilon):
    return _parameter(epsilon, "epsilon", allow_zero=True)


# ---------------------------------------------------------------------- misspecification error
def misspecification_error(mdp, true_model, assumed_model, reward, **starc):
    """The IRL error on one true reward: ``d_f(R, Lambda_f(g(R)))`` (our ``[0, 1]`` scale).

    When ``g = f o t`` this equals ``d_f(R, t(R))`` (claim
    ``misspecification-characterisation``, note S1): ``Lambda_f(f(t(R)))`` lies in
    ``t(R)``'s class of ``f``, on which ``d_f`` is constant.

    Parameters
    ----------
    mdp : MDP
    true_model : BehaviouralModel, object with ``.policy(mdp, R)``, or callable ``R -> pi``
    assumed_model : BehaviouralModel
        Boltzmann or MCE (their inverse is unique up to ``d_f = 0``).
    reward : array_like
    **starc
        Passed to :func:`identifiability.starc_distance`.

    Returns
    -------
    float

    Raises
    ------
    InvalidParameterError
        An optimality assumed model (its error depends on which reward of the class the
        learner returns).
    InvalidPolicyError
        ``g(R)`` is not in ``Im(f)``.

    Notes
    -----
    One forward model, one inverse, one STARC distance.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> misspecification_error(mdp, boltzmann_model(5), boltzmann_model(1), [[0, 1], [2, 0]])
    0.0
    """
    _check_assumed(assumed_model)
    if assumed_model.kind == "optimal":
        raise InvalidParameterError("misspecification_error needs a Boltzmann or MCE assumed "
                                    "model; the optimality model's error depends on the reward "
                                    "the learner picks from its class (use is_robust)")
    R = as_reward(reward, assumed_model.environment(mdp))
    pi = _policy_fn(true_model, mdp)(R)
    return assumed_model.distance(mdp, R, assumed_model.invert(mdp, pi), **starc)


# ---------------------------------------------------------------------- evidence objects
@dataclass(frozen=True, eq=False)
class RobustnessCertificate:
    """A transformation ``t`` with ``g = f o t`` and ``sup_R d(R, t(R)) <= bound``.

    Attributes
    ----------
    description : str
        ``t`` in words, e.g. ``"t(R) = (beta_true / beta_assumed) R = 2 R"``.
    bound : float
        Proven ``sup_R d(R, t(R))`` (our scale).
    transformation : callable or None
        ``R -> t(R)``; None for the trivial bound ``epsilon >= 1``.
    claim : str
        The theorem id.

    Examples
    --------
    >>> c = RobustnessCertificate("t(R) = 2 R", 0.0, lambda R: 2 * R, "temperature-robustness")
    >>> c.bound
    0.0
    """

    description: str
    bound: float
    transformation: object = None
    claim: str = ""


@dataclass(frozen=True, eq=False)
class RobustnessWitness:
    """A concrete failure: true reward, the data it produces and the inferred reward.

    Attributes
    ----------
    kind : {"identical-data", "image", "perturbation", "opt"}
        ``identical-data``: ``f(reward_inferred) = g(reward_true) = data`` and
        ``distance = d_f(reward_true, reward_inferred) > epsilon``.  ``image``: ``data =
        g(reward_true)`` is not in ``Im(f)`` (condition (ii) fails).  ``perturbation``:
        as identical-data, where ``data = f(R2)`` is the value at ``reward_true`` of a
        delta-perturbation ``g`` of ``f`` (``max_s TV(f(reward_true), data) = tv``).
        ``opt``: identical data, and the optimal-action sets of the two rewards differ.
    reward_true, reward_inferred : ndarray or None
    data : (S, A) ndarray
    distance : float or None
        Our ``[0, 1]`` scale.
    twin : tuple or None
        ``(R_a, R_b)`` with ``g(R_a) = g(R_b)`` when the witness comes from a twin
        construction (:func:`twin_rewards`).
    tv : float or None
        Perturbation witnesses: ``max_s TV``.

    Examples
    --------
    >>> import numpy as np
    >>> w = RobustnessWitness("image", np.zeros((1, 2)), None, np.array([[1.0, 0.0]]), None)
    >>> w.kind
    'image'
    """

    kind: str
    reward_true: object
    reward_inferred: object
    data: object
    distance: object
    twin: object = None
    tv: object = None


@dataclass(frozen=True, eq=False)
class RobustnessVerdict:
    """Is the assumed model epsilon-robust to misspecification with the true model?

    Attributes
    ----------
    robust : bool or None
        None means undecided (no certificate and no witness).
    epsilon : float
        Tolerance, our ``[0, 1]`` STARC scale (or None for OPT-robustness).
    error : float or None
        The error the evidence establishes: the certificate's bound, or the witness's
        distance.
    certificate : RobustnessCertificate or None
    witness : RobustnessWitness or None
    reason : str
        Which construction or rule decided.
    mdp, true_model, assumed_model, starc
        What :meth:`verify` recomputes with.
    delta : float or None
        Perturbation size (small-perturbation verdicts).
    criterion : {"starc", "opt"}

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> v = is_robust(mdp, boltzmann_model(3), boltzmann_model(1), 0.0)
    >>> v.robust, v.error, v.verify()
    (True, 0.0, True)
    """

    robust: object
    epsilon: object
    error: object
    certificate: object
    witness: object
    reason: str
    mdp: object = None
    true_model: object = None
    assumed_model: object = None
    starc: dict = field(default_factory=dict)
    delta: object = None
    criterion: str = "starc"

    def __bool__(self):
        if self.robust is None:
            raise ValueError("undecided robustness verdict has no truth value; test "
                             "`verdict.robust is True`")
        return bool(self.robust)

    def verify(self, *, n_rewards=8, seed=0, atol=1e-8):
        """Re-check the evidence from scratch.

        Witness: recompute ``g(reward_true)`` (unless a perturbation), ``f(reward_inferred)``
        and the distance (or the image / optimal-action condition).  Certificate: check
        ``g(R) = f(t(R))`` and ``d(R, t(R)) <= bound`` on ``n_rewards`` seeded random rewards
        (a spot check of a proven statement).

        Parameters
        ----------
        n_rewards : int, default 8
        seed : int, default 0
        atol : float, default 1e-8

        Returns
        -------
        bool
            True when the evidence checks (undecided verdicts: True, nothing to check).

        Examples
        --------
        >>> import identifiability as idf
        >>> v = discount_flip().verdict(0.4)
        >>> v.robust, v.verify()
        (False, True)
        """
        f, mdp, kw = self.assumed_model, self.mdp, self.starc
        if self.witness is not None:
            w = self.witness
            if w.kind != "perturbation":
                data = _policy_fn(self.true_model, mdp)(w.reward_true)
                if not np.allclose(data, w.data, atol=atol, rtol=0):
                    return False
            if w.kind == "image":
                return not f.in_image(mdp, w.data)
            inferred = f.policy(mdp, w.reward_inferred)
            if f.kind == "optimal":
                same = f.in_image(mdp, w.data) and np.array_equal(inferred > POLICY_ATOL,
                                                                  w.data > POLICY_ATOL)
            else:
                same = np.allclose(inferred, w.data, atol=atol, rtol=0)
            if not same:
                return False
            if w.kind == "opt":
                env = f.environment(mdp)
                return not np.array_equal(optimal_actions(env, w.reward_true),
                                          optimal_actions(env, w.reward_inferred))
            d = f.distance(mdp, w.reward_true, w.reward_inferred, **kw)
            ok = abs(d - w.distance) <= 1e-9 and (self.epsilon is None or d > self.epsilon)
            if w.kind == "perturbation":
                tv = 0.5 * np.abs(f.policy(mdp, w.reward_true) - w.data).sum(axis=1).max()
                ok = ok and tv <= self.delta + 1e-12
            return bool(ok)
        c = self.certificate
        if c is None or c.transformation is None:
            return True
        g = _policy_fn(self.true_model, mdp)
        rng = np.random.default_rng(seed)
        env = f.environment(mdp)
        for _ in range(n_rewards):
            R = rng.normal(size=(env.n_states, env.n_actions))
            tR = c.transformation(R)
            if not np.allclose(g(R), f.policy(mdp, tR), atol=atol, rtol=0):
                return False
            if self.criterion == "starc" and f.distance(mdp, R, tR, **kw) > c.bound + 1e-9:
                return False
        return True

    def explain(self):
        """The verdict in words.

        Returns
        -------
        str

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
        >>> print(is_robust(mdp, boltzmann_model(3), boltzmann_model(1), 0.0).explain())
        ... # doctest: +ELLIPSIS
        ROBUST: boltzmann(beta=1) is 0-robust (STARC, [0, 1] scale) to ...
        """
        f, g = _describe(self.assumed_model), _describe(self.true_model)
        what = (f"{self.epsilon:g}-robust (STARC, [0, 1] scale)" if self.criterion == "starc"
                else "OPT-robust")
        head = {True: "ROBUST", False: "NOT ROBUST", None: "UNDECIDED"}[self.robust]
        verb = {True: "is", False: "is not", None: "may or may not be"}[self.robust]
        lines = [f"{head}: {f} {verb} {what} to misspecification with {g}.",
                 f"Reason: {self.reason}"]
        if self.certificate is not None:
            lines.append(f"Certificate: {self.certificate.description}; sup_R d(R, t(R)) <= "
                         f"{self.certificate.bound:g} (claim {self.certificate.claim}).")
        if self.witness is not None:
            w = self.witness
            if w.kind == "image":
                lines.append("Witness: the data g(R_true) is not in the image of f "
                             "(condition (ii) fails); no reward explains it.")
            elif w.kind == "opt":
                lines.append("Witness: f(R_inferred) = g(R_true), but their optimal actions "
                             "differ.")
            else:
                lines.append(f"Witness: f(R_inferred) = g(R_true) (identical data) with STARC "
                             f"distance {w.distance:.6g} (note's [0, 2] scale: "
                             f"{2 * w.distance:.6g}).")
                if w.tv is not None:
                    lines.append(f"The data differ from f(R_true) by max_s TV = {w.tv:.3g} "
                                 f"<= delta = {self.delta:g}.")
        lines.append("Re-check with verdict.verify().")
        return "\n".join(lines)


# ---------------------------------------------------------------------- twin construction
def _dense_P(env, exact):
    P = env.transitions
    return P if exact else _float(P)


def _complement_residual(B, M):
    """``M - proj_{col B} M`` in float (orthogonal projection, unit weights)."""
    Q = linalg.Subspace.span(_float(B)).basis
    Mf = _float(M)
    return Mf - Q @ (Q.T @ Mf)


def _rank_increase(B, M, exact):
    """Does ``[B | M]`` have larger rank than ``B``?  ``(bool, uncertain)``."""
    if exact:
        return linalg.rank(np.concatenate([B, M], axis=1)) > linalg.rank(B), False
    both = linalg.float_rank(np.concatenate([_float(B), _float(M)], axis=1))
    base = linalg.float_rank(_float(B))
    return both.rank > base.rank, bool(both.uncertain or base.uncertain)


@dataclass(frozen=True, eq=False)
class TwinRewards:
    """Two rewards the true model cannot tell apart but the assumed model sees as opposite.

    ``reward_b - reward_a`` is invisible to ``g`` (``gamma_g tau_g Phi - Phi`` shaping, or
    a ``tau_g``-redistribution), while under ``f``'s environment ``reward_b ≡ -reward_a``,
    so ``d_f(reward_a, reward_b) = 1`` (our scale; note: 2) for every STARC
    canonicalisation whenever ``c_f(reward_a) != 0``.

    Attributes
    ----------
    reward_a, reward_b : ndarray
        ``(S, A)`` (state-action construction) or ``(S, A, S)`` (S'R construction).
    construction : {"shaping", "redistribution"}
    potential : ndarray or None
        ``Phi`` of the shaping construction.
    degenerate : bool
        True when no construction applies (then the rewards are None).
    uncertain : bool
        The float rank decision was within a factor 1e3 of its tolerance.
    singular_value : float
        ``||c_f(D Phi)||`` for the chosen unit ``Phi`` (0 when degenerate).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> t = twin_rewards(mdp, boltzmann_model(gamma="89/100"), boltzmann_model())
    >>> t.construction, t.degenerate
    ('shaping', False)
    """

    reward_a: object
    reward_b: object
    construction: str
    potential: object
    degenerate: bool
    uncertain: bool
    singular_value: float


def twin_rewards(mdp, true_model, assumed_model, *, construction="auto", states=None):
    """The S6 / S7 twin construction for a wrong discount and / or wrong transitions.

    With ``D = gamma_g tau_g - gamma_f tau_f`` (an ``(S A, S)`` matrix) and a potential
    ``Phi``: ``R_a = -D Phi / 2``, ``R_b = R_a + gamma_g tau_g Phi - Phi``.  Then
    ``R_b - R_a`` is a ``g``-shaping (identical data for every shaping-invariant ``g``:
    Boltzmann, MCE, optimal, any ``beta``), and under ``f``
    ``R_b ≡ R_a + D Phi = -R_a``.  This specialises to the note's S6
    (``D = (gamma_2 - gamma_1) tau``) and S7 (``D = gamma (tau_2 - tau_1)``).

    Non-degeneracy is the rank question ``col D ⊄ col(gamma_f tau_f - E)``
    (exact on exact MDPs).  For a wrong discount alone it fails iff every state's
    next-state law does not depend on the action (derived:
    ``proofs/discount-misspecification-flip.md``).
    ``Phi`` is the top right singular vector of ``D`` projected off the shaping space
    (float), or the best unit potential ``e_k`` (exact MDPs, so the rewards stay exact).

    If that fails and the transitions differ, the S'R construction: ``Delta(s, a, .)`` with
    ``E_{tau_g} Delta = 0`` and ``E_{tau_f} Delta = delta(s, a)``, ``R_a = -Delta / 2``,
    ``R_b = Delta / 2``, with ``delta`` supported on the pairs where ``tau_g != tau_f``.

    Parameters
    ----------
    mdp : MDP
    true_model, assumed_model : BehaviouralModel
    construction : {"auto", "shaping", "redistribution"}, default "auto"
        "auto": shaping, else redistribution.
    states : (S,) bool array_like, optional
        Build the witness on these states only (closed under the assumed transitions, e.g.
        the reachable states a masked STARC distance compares): ``Phi`` and ``delta`` vanish
        elsewhere.  Default: all states.

    Returns
    -------
    TwinRewards

    Notes
    -----
    Dense: ``O(S^3 A)`` for the projection and SVD.  Theorem ids
    ``discount-misspecification-flip``, ``transition-misspecification-flip``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> t = twin_rewards(mdp, boltzmann_model(gamma="89/100"), boltzmann_model())
    >>> [[str(x) for x in row] for row in t.reward_a]
    [['0', '1/200'], ['1/200', '0']]
    >>> [[str(x) for x in row] for row in t.reward_b]
    [['0', '179/200'], ['-21/200', '-1']]
    """
    _check_assumed(assumed_model)
    if not isinstance(true_model, BehaviouralModel):
        raise InvalidParameterError("twin_rewards needs BehaviouralModel objects")
    if construction not in ("auto", "shaping", "redistribution"):
        raise InvalidParameterError(f"construction must be 'auto', 'shaping' or "
                                    f"'redistribution', got {construction!r}")
    eg, ef = true_model.environment(mdp), assumed_model.environment(mdp)
    exact = eg.is_exact and ef.is_exact
    S, A = ef.n_states, ef.n_actions
    keep = np.ones(S, dtype=bool) if states is None else np.asarray(states, dtype=bool)
    if keep.shape != (S,):
        raise InvalidParameterError(f"states must be a boolean mask of shape ({S},)")
    rows = np.repeat(keep, A)
    # columns span the shaping space gamma P Phi - Phi of the assumed environment
    B = shaping_matrix(ef, exact=exact)[rows][:, keep]
    uncertain = False
    if construction != "redistribution":
        tw = _shaping_twin(eg, ef, B, exact, keep, rows)
        if not tw.degenerate or construction == "shaping":
            return tw
        uncertain = tw.uncertain
    tw = _redistribution_twin(eg, ef, _float(B), rows)
    return tw if not tw.degenerate else TwinRewards(None, None, "none", None, True,
                                                    uncertain or tw.uncertain, 0.0)


def _shaping_twin(eg, ef, B, exact, keep, rows):
    S, A = ef.n_states, ef.n_actions
    Pg = _dense_P(eg, exact)
    gg, gf = (eg.gamma, ef.gamma) if exact else (float(eg.gamma), float(ef.gamma))
    D = (gg * Pg - gf * _dense_P(ef, exact)).reshape(S * A, S)
    Dk = D[rows][:, keep]
    up, unc = _rank_increase(B, Dk, exact)
    if not up or unc:
        return TwinRewards(None, None, "none", None, True, unc, 0.0)
    res = _complement_residual(B, Dk)
    idx = np.flatnonzero(keep)
    if exact:
        k = idx[int(np.argmax(np.linalg.norm(res, axis=0)))]
        phi = np.array([Fraction(int(i == k)) for i in range(S)], dtype=object)
        sv = float(np.linalg.norm(res[:, np.searchsorted(idx, k)]))
    else:
        _, sing, Vt = np.linalg.svd(res)
        phi = np.zeros(S)
        phi[idx], sv = Vt[0], float(sing[0])
        phi = phi / np.abs(D @ phi).max() * 2          # so that max |R_a| = 1
    Ra = -(D @ phi).reshape(S, A) / 2
    shaping = (gg * Pg.reshape(S * A, S) @ phi).reshape(S, A) - phi[:, None]
    return TwinRewards(Ra, Ra + shaping, "shaping", phi, False, False, sv)


def _redistribution_twin(eg, ef, B, rows):
    """``Delta`` with ``E_{tau_g} Delta = 0``, ``E_{tau_f} Delta = delta``; ``R = -+Delta / 2``."""
    S, A = ef.n_states, ef.n_actions
    tg, tf = _float(eg.transitions), _float(ef.transitions)
    diff = np.any(tg != tf, axis=2).reshape(-1) & rows
    if not diff.any():
        return TwinRewards(None, None, "none", None, True, False, 0.0)
    U = np.eye(S * A)[:, diff]
    up, unc = _rank_increase(B, U[rows], False)
    if not up or unc:
        return TwinRewards(None, None, "none", None, True, unc, 0.0)
    _, sing, Vt = np.linalg.svd(_complement_residual(B, U[rows]))
    delta = (U @ Vt[0]).reshape(S, A)
    delta = delta / np.abs(delta).max()
    # v(s, a, .) orthogonal to tau_g(s, a) with <tau_f, v> = 1 (possible iff tau_f != tau_g)
    w = tf - (np.einsum("sax,sax->sa", tf, tg) / np.einsum("sax,sax->sa", tg, tg))[..., None] * tg
    den = np.einsum("sax,sax->sa", tf, w)
    v = np.where(diff.reshape(S, A)[..., None], w / np.where(den > 0, den, 1)[..., None], 0.0)
    Delta = delta[..., None] * v
    return TwinRewards(-Delta / 2, Delta / 2, "redistribution", None, False, False,
                       float(sing[0]))


# ---------------------------------------------------------------------- deciding
def _random_rewards(env, n, seed):
    rng = np.random.default_rng(seed)
    S, A = env.n_states, env.n_actions
    scales = np.array([0.1, 1.0, 10.0])
    return [rng.normal(size=(S, A)) * scales[i % 3] for i in range(n)]


def _verdict(robust, epsilon, error, reason, mdp, g, f, starc, *, certificate=None,
             witness=None, delta=None, criterion="starc"):
    return RobustnessVerdict(robust, epsilon, error, certificate, witness, reason, mdp, g, f,
                             dict(starc), delta, criterion)


def _image_witness(mdp, g, f, rewards):
    gf = _policy_fn(g, mdp)
    for R in rewards:
        pi = gf(R)
        if not f.in_image(mdp, pi):
            return RobustnessWitness("image", R, None, pi, None)
    return None


def _compared_states(env, starc):
    """The states a STARC distance with options ``starc`` compares (reachable unless ignored)."""
    if starc.get("unreachable", "mask") == "ignore":
        return None
    from .graph import reachable_states

    return reachable_states(env)


def _search_witness(mdp, g, f, epsilon, rewards, starc):
    """The worst S1 error ``d_f(R, Lambda_f(g(R)))`` over ``rewards``."""
    gf = _policy_fn(g, mdp)
    best = None
    for R in rewards:
        pi = gf(R)
        Rh = f.invert(mdp, pi)
        d = f.distance(mdp, R, Rh, **starc)
        if best is None or d > best.distance:
            best = RobustnessWitness("identical-data", R, Rh, pi, d)
    return best


def _optimal_class_witness(mdp, g, f, rewards, starc):
    """``f = o``: the learner may return any reward of ``o``'s class; the worst one."""
    gf = _policy_fn(g, mdp)
    best = None
    for R in rewards:
        pi = gf(R)
        supp = pi > POLICY_ATOL
        S, A = supp.shape
        cands = [np.where(supp, 0.0, -1.0)]
        for k in np.flatnonzero(~supp.reshape(-1)):
            w = np.ones(S * A)
            w[k] = 100.0
            cands.append(np.where(supp, 0.0, -w.reshape(S, A)))
        for Rh in cands:
            d = f.distance(mdp, R, Rh, **starc)
            if best is None or d > best.distance:
                best = RobustnessWitness("identical-data", R, Rh, pi, d)
    return best


def is_robust(mdp, true_model, assumed_model, epsilon=0.0, *, n_search=48, seed=0, starc=None):
    """Is ``assumed_model`` epsilon-robust (STARC, our ``[0, 1]`` scale) to ``true_model``?

    Decision rules, in order (each backed by a re-checkable certificate or witness):

    1. one action per state: every reward is trivial, ``d = 0``: robust;
    2. ``Im(g) ⊄ Im(f)`` (optimal vs Boltzmann / MCE, either way round): NOT robust, image
       witness (claim ``optimality-never-opt-robust``);
    3. ``f = g``: no misspecification (condition (i) excludes it); robust, error 0;
    4. ``epsilon >= 1``: robust (the STARC diameter is 1 on our scale);
    5. same kind and environment, different ``beta``: ROBUST with certificate
       ``t(R) = (beta_g / beta_f) R``, error 0 (claim ``temperature-robustness``);
    6. different discount and / or transitions: the twin construction
       (:func:`twin_rewards`); the learner's answer ``Lambda_f(g(R_a))`` is at distance
       ``>= 1/2`` from ``R_a`` or ``R_b`` (triangle inequality, ``d_f(R_a, R_b) = 1``), in
       practice about 1: NOT robust when the worse one exceeds ``epsilon``;
    7. ``f = o``: the learner may return any reward of ``o``'s (large) class: the worst
       member over seeded candidates;
    8. otherwise (e.g. MCE data, Boltzmann learner; a user's callable ``g``): the worst S1
       error ``d_f(R, Lambda_f(g(R)))`` over ``n_search`` seeded random rewards; a value
       ``> epsilon`` is a witness, else UNDECIDED.

    Parameters
    ----------
    mdp : MDP
        The base environment (discounted, infinite horizon).
    true_model : BehaviouralModel, object with ``.policy(mdp, R)``, or callable ``R -> pi``
        ``g``.
    assumed_model : BehaviouralModel
        ``f``; distances are measured in its environment.
    epsilon : float, default 0.0
        Our ``[0, 1]`` scale (the note's ``epsilon / 2``).
    n_search : int, default 48
        Random rewards tried by rules 2, 7 and 8.
    seed : int, default 0
    starc : dict, optional
        Keywords for :func:`identifiability.starc_distance` (default: its defaults, VAL
        canonicalisation, L2).

    Returns
    -------
    RobustnessVerdict

    Raises
    ------
    InvalidParameterError
        A bad model, epsilon or environment.

    Notes
    -----
    Cost: a few forward models, inverses and distances per candidate reward; the twin
    construction is one dense ``O(S^3 A)`` rank / SVD.  Theorem ids as in the rules.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> v = is_robust(mdp, boltzmann_model(gamma="89/100"), boltzmann_model(), 0.1)
    >>> v.robust, round(v.error, 6), v.verify()
    (False, 1.0, True)
    >>> is_robust(mdp, optimality_model(), boltzmann_model(), 0.5).robust
    False
    """
    _check_assumed(assumed_model)
    eps = _epsilon(epsilon)
    starc = dict(starc or {})
    f, g = assumed_model, true_model
    env = f.environment(mdp)
    known = isinstance(g, BehaviouralModel)
    args = (mdp, g, f, starc)
    if env.n_actions == 1:
        return _verdict(True, eps, 0.0, "one action per state: every reward is trivial, so "
                        "every STARC distance is 0", *args,
                        certificate=RobustnessCertificate("any t", 0.0, None,
                                                          "canonical-projection"))
    rewards = _random_rewards(env, n_search, seed)
    if not known or g.kind != f.kind and "optimal" in (g.kind, f.kind):
        w = _image_witness(mdp, g, f, rewards)
        if w is not None:
            return _verdict(False, eps, None, "condition (ii) fails: the true model produces "
                            "data no reward explains under the assumed model", *args, witness=w)
    if known and g.same_as(f, mdp):
        return _verdict(True, eps, 0.0, "g = f: no misspecification (condition (i) of the "
                        "definition excludes this case); the error is 0", *args,
                        certificate=RobustnessCertificate("t = identity", 0.0, lambda R: R,
                                                          "misspecification-characterisation"))
    if eps >= 1:
        return _verdict(True, eps, 1.0, "epsilon >= 1, the STARC diameter on our [0, 1] "
                        "scale", *args, certificate=RobustnessCertificate(
                            "any t (trivial bound)", 1.0, None, "starc-angle-identity"))
    same_env = known and g.same_environment(f, mdp)
    if known and same_env and g.kind == f.kind:
        k = g.beta / f.beta
        cert = RobustnessCertificate(f"t(R) = (beta_true / beta_assumed) R = {k:g} R: "
                                     f"{f.kind}_beta2(R) = {f.kind}_beta1((beta2/beta1) R), and "
                                     f"positive scaling has STARC distance 0", 0.0,
                                     lambda R, k=k: k * np.asarray(R, dtype=float),
                                     "temperature-robustness")
        return _verdict(True, eps, 0.0, "wrong temperature only (S2)", *args,
                        certificate=cert)
    best = None
    reason = None
    if known and not same_env:
        tw = twin_rewards(mdp, g, f, states=_compared_states(env, starc))
        if not tw.degenerate:
            pi = _policy_fn(g, mdp)(tw.reward_a)
            if f.kind == "optimal":
                w = _optimal_class_witness(mdp, g, f, [tw.reward_a, tw.reward_b], starc)
            else:
                Rh = f.invert(mdp, pi)
                da = f.distance(mdp, tw.reward_a, Rh, **starc)
                db = f.distance(mdp, tw.reward_b, Rh, **starc)
                Rt, d = (tw.reward_a, da) if da >= db else (tw.reward_b, db)
                w = RobustnessWitness("identical-data", Rt, Rh, pi, d,
                                      (tw.reward_a, tw.reward_b))
            best = w
            reason = (f"wrong discount / transitions: twin construction ({tw.construction}); "
                      f"g(R_a) = g(R_b) while R_b ≡ -R_a under the assumed environment (S6/S7)")
        elif not tw.uncertain and g.kind == f.kind and g.transitions is None \
                and f.transitions is None:
            # only gamma differs and tau does not depend on the action: b, c, o ignore gamma
            k = g.beta / f.beta if f.kind != "optimal" else 1.0
            cert = RobustnessCertificate(
                f"t(R) = {k:g} R: the next-state law does not depend on the action, so the "
                f"policy does not depend on gamma", 0.0,
                lambda R, k=k: k * np.asarray(R, dtype=float), "discount-misspecification-flip")
            return _verdict(True, eps, 0.0, "wrong discount, degenerate case: tau is "
                            "action-independent", *args, certificate=cert)
    if best is None and f.kind == "optimal":
        best = _optimal_class_witness(mdp, g, f, rewards[:8], starc)
        reason = ("the optimality model's class is a cone: the learner may return any member; "
                  "worst member over seeded candidates (S4)")
    elif best is None or best.distance <= eps:
        cand = _search_witness(mdp, g, f, eps, rewards, starc)
        if best is None or cand.distance > best.distance:
            best = cand
            reason = "search: worst S1 error d_f(R, Lambda_f(g(R))) over seeded random rewards"
    if best is not None and best.distance > eps:
        return _verdict(False, eps, best.distance, reason, *args, witness=best)
    return _verdict(None, eps, None if best is None else best.distance,
                    "no certificate applies and no witness above epsilon was found "
                    "(the note gives no construction for this pair)", *args)


def is_opt_robust(mdp, true_model, assumed_model, *, n_search=48, seed=0):
    """OPT-robustness: does every reward consistent with the data have the true optimal actions?

    * ``f = o``: never (S4; derived: if ``o(R1) = g(R2)`` forces ``R1 ≡_OPT R2`` then
      ``g(R) = o(R)`` for all ``R``, contradicting ``g != o``); witness searched.
    * ``f = b`` (Boltzmann): OPT-robust iff ``g != b``, ``g(R)`` has full support and
      ``argmax_a g(R)(a|s)`` is the optimal-action set of ``R`` (S3, derived).  Certified
      for a wrong ``beta`` and for :class:`ModePreservingMixture` of a Boltzmann base in the
      same environment; otherwise a witness is searched (twin construction, seeded rewards).
    * ``f = c`` (MCE): certified for a wrong ``beta`` only; mode preservation is NOT
      enough (claim ``mce-mode-preservation-failure``).

    Parameters
    ----------
    mdp : MDP
    true_model : BehaviouralModel, ModePreservingMixture, or callable ``R -> pi``
    assumed_model : BehaviouralModel
    n_search : int, default 48
    seed : int, default 0

    Returns
    -------
    RobustnessVerdict
        ``criterion = "opt"``, ``epsilon = None``.

    Notes
    -----
    Cost: one forward model, inverse and two optimal-action computations per candidate.
    Theorem ids ``boltzmann-opt-robust-mode-preserving``, ``optimality-never-opt-robust``,
    ``mce-mode-preservation-failure``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> is_opt_robust(mdp, ModePreservingMixture(boltzmann_model(), 0.3), boltzmann_model()).robust
    True
    >>> is_opt_robust(mdp, boltzmann_model(2), optimality_model()).robust
    False
    """
    _check_assumed(assumed_model)
    f, g = assumed_model, true_model
    env = f.environment(mdp)
    args = (mdp, g, f, {})
    kw = dict(criterion="opt")
    rewards = _random_rewards(env, n_search, seed)
    known = isinstance(g, BehaviouralModel)
    if known and g.same_as(f, mdp):
        return _verdict(True, None, 0.0, "g = f: no misspecification", *args, **kw)
    w = _image_witness(mdp, g, f, rewards)
    if w is not None:
        return _verdict(False, None, None, "condition (ii) fails", *args, witness=w, **kw)
    if f.kind == "optimal":
        reason = "S4: the optimality model is OPT-robust to no misspecification"
    else:
        sc = (known and g.kind == f.kind and g.same_environment(f, mdp)) or (
            f.kind == "boltzmann" and isinstance(g, ModePreservingMixture)
            and g.base.kind == "boltzmann" and g.base.same_environment(f, mdp))
        if sc:
            k = g.beta / f.beta if known else None
            cert = RobustnessCertificate(
                f"t(R) = {k:g} R (positive scaling keeps the optimal actions)" if known else
                "mode preservation: the modes of g(R) are the optimal actions of R, and the "
                "Boltzmann inverse has optimal actions = modes (S3)", 0.0,
                (lambda R, k=k: k * np.asarray(R, dtype=float)) if known else None,
                "boltzmann-opt-robust-mode-preserving" if not known else "temperature-robustness")
            return _verdict(True, None, 0.0, "certified (S2 / S3)", *args, certificate=cert, **kw)
        reason = "search for a reward whose inferred optimal actions differ"
    cands = list(rewards)
    if known and not g.same_environment(f, mdp):
        tw = twin_rewards(mdp, g, f)
        if not tw.degenerate:
            cands = [tw.reward_a, tw.reward_b] + cands
    gf = _policy_fn(g, mdp)
    for R in cands:
        pi = gf(R)
        Rh = f.invert(mdp, pi)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if not np.array_equal(optimal_actions(env, R), optimal_actions(env, Rh)):
                return _verdict(False, None, None, reason, *args,
                                witness=RobustnessWitness("opt", R, Rh, pi, None), **kw)
    return _verdict(None, None, None, "no certificate applies and no witness was found", *args,
                    **kw)


# ---------------------------------------------------------------------- named misspecifications
@dataclass(frozen=True)
class Misspecification:
    """A named pair (true model ``g``, assumed model ``f``), or a perturbation size.

    Build with :func:`misspecification`.

    Attributes
    ----------
    kind : str
        One of :data:`MISSPECIFICATIONS`.
    true_model : object or None
        None for ``"perturbation"`` (every delta-perturbation is considered).
    assumed_model : BehaviouralModel
    delta : float or None
        ``"perturbation"``: the policy-metric radius (max over states of TV).

    Examples
    --------
    >>> misspecification("temperature", boltzmann_model(1), 2).true_model.beta
    2.0
    """

    kind: str
    true_model: object
    assumed_model: BehaviouralModel
    delta: object = None


def misspecification(kind, assumed_model, value=None):
    """A named misspecification of ``assumed_model``.

    Parameters
    ----------
    kind : {"temperature", "discount", "transitions", "optimal-vs-boltzmann", \
"mode-preserving", "perturbation"}
    assumed_model : BehaviouralModel
    value
        ``temperature``: the true ``beta``; ``discount``: the true ``gamma``;
        ``transitions``: the true transitions (MDP or ``(S, A, S)``); ``mode-preserving``:
        ``kappa`` of :class:`ModePreservingMixture` (default 0.5); ``perturbation``: ``delta``;
        ``optimal-vs-boltzmann``: unused (the true model is ``o`` when ``f`` is Boltzmann /
        MCE, and ``b`` with ``f``'s environment when ``f = o``).

    Returns
    -------
    Misspecification

    Raises
    ------
    InvalidParameterError

    Notes
    -----
    O(1).  Theorem ids: see :func:`robustness`.

    Examples
    --------
    >>> misspecification("discount", boltzmann_model(), 0.89).true_model.describe()
    'boltzmann(beta=1, gamma=0.89)'
    """
    _check_assumed(assumed_model)
    f = assumed_model
    if kind not in MISSPECIFICATIONS:
        raise InvalidParameterError(f"unknown misspecification {kind!r}; choose one of "
                                    f"{', '.join(map(repr, MISSPECIFICATIONS))}")
    if kind in ("temperature", "discount", "transitions", "perturbation") and value is None:
        raise InvalidParameterError(f"misspecification {kind!r} needs a value")
    if kind == "temperature":
        return Misspecification(kind, BehaviouralModel(f.kind, value, f.gamma, f.transitions), f)
    if kind == "discount":
        return Misspecification(kind, BehaviouralModel(f.kind, f.beta, value, f.transitions), f)
    if kind == "transitions":
        return Misspecification(kind, BehaviouralModel(f.kind, f.beta, f.gamma, value), f)
    if kind == "optimal-vs-boltzmann":
        other = "boltzmann" if f.kind == "optimal" else "optimal"
        return Misspecification(kind, BehaviouralModel(other, f.beta, f.gamma, f.transitions), f)
    if kind == "mode-preserving":
        if f.kind == "optimal":
            raise InvalidParameterError("a mode-preserving misspecification needs a Boltzmann "
                                        "or MCE assumed model")
        return Misspecification(kind, ModePreservingMixture(f, 0.5 if value is None else value), f)
    d = _parameter(value, "delta", allow_zero=False)
    return Misspecification(kind, None, f, d)


def _perturbation_verdict(mdp, f, eps, delta, starc, seed):
    """S5: ``R1 = eta X``, ``R2 = -eta X``: ``d = 1`` while ``max_s TV -> 0`` as ``eta -> 0``."""
    args = (mdp, None, f, starc)
    env = f.environment(mdp)
    if eps >= 1:
        return _verdict(True, eps, 1.0, "epsilon >= 1, the STARC diameter", *args, delta=delta,
                        certificate=RobustnessCertificate("any t (trivial bound)", 1.0))
    if f.kind == "optimal":
        return _verdict(None, eps, None, "the optimality model is not continuous; the S5 "
                        "construction does not apply", *args, delta=delta)
    rng = np.random.default_rng(seed)
    for _ in range(8):
        X = rng.normal(size=(env.n_states, env.n_actions))
        if f.distance(mdp, X, -X, **starc) > 0.5:
            break
    else:
        return _verdict(None, eps, None, "no nontrivial reward found", *args, delta=delta)
    eta = 1.0 / np.abs(X).max()
    for _ in range(200):
        p1, p2 = f.policy(mdp, eta * X), f.policy(mdp, -eta * X)
        tv = 0.5 * np.abs(p1 - p2).sum(axis=1).max()
        if tv <= delta:
            break
        eta /= 2
    R1 = eta * X
    Rh = f.invert(mdp, p2)
    d = f.distance(mdp, R1, Rh, **starc)
    w = RobustnessWitness("perturbation", R1, Rh, p2, d, (R1, -eta * X), float(tv))
    if d > eps:
        return _verdict(False, eps, d, "S5: the model is continuous, so R1 = eta X and R2 = -eta "
                        "X (STARC distance 1) have policies within delta; the delta-perturbation "
                        "g(R1) := f(R2) (g = f elsewhere) makes the learner infer R2", *args,
                        witness=w, delta=delta)
    return _verdict(None, eps, None, "construction did not exceed epsilon", *args, delta=delta)


def robustness(mdp, misspecification, epsilon=0.0, **kwargs):
    """Decide robustness for a named :class:`Misspecification` (see :func:`is_robust`).

    ``"perturbation"`` asks whether ``f`` is epsilon-robust to EVERY delta-perturbation
    (``max_s TV(f(R), g(R)) <= delta`` for all ``R``): for continuous models (Boltzmann,
    MCE) never below the diameter (S5, claim ``continuous-models-not-separating``): witness
    ``R1 = eta X``, ``R2 = -eta X``.

    Parameters
    ----------
    mdp : MDP
    misspecification : Misspecification
    epsilon : float, default 0.0
        Our ``[0, 1]`` STARC scale.
    **kwargs
        ``n_search``, ``seed``, ``starc`` as for :func:`is_robust`.

    Returns
    -------
    RobustnessVerdict

    Raises
    ------
    InvalidParameterError

    Notes
    -----
    Cost of :func:`is_robust`; perturbations: a few dozen forward models (halving ``eta``).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> v = robustness(mdp, misspecification("perturbation", boltzmann_model(), 0.01), 0.5)
    >>> v.robust, round(v.error, 6), v.verify()
    (False, 1.0, True)
    """
    if not isinstance(misspecification, Misspecification):
        raise InvalidParameterError("robustness needs a Misspecification (use misspecification())")
    m = misspecification
    if m.kind == "perturbation":
        return _perturbation_verdict(mdp, m.assumed_model, _epsilon(epsilon), m.delta,
                                     dict(kwargs.get("starc") or {}), kwargs.get("seed", 0))
    return is_robust(mdp, m.true_model, m.assumed_model, epsilon, **kwargs)


# ---------------------------------------------------------------------- angle and Lipschitz bound
def _orthogonal_starc(env):
    """STARC options whose canonicalisation is the note's orthogonal L2 projection.

    ``"minimal"`` with weights ``W = P(s'|s, a)``: the S'R step then leaves the expected
    reward ``r(s, a)`` on the support with squared norm ``sum_s' P r^2 = r^2``, so the
    canonical form is the unit-weight L2 projection of ``r`` in ``R^{S A}`` onto the
    complement of the shaping space, and the norm is the plain L2 norm of ``r``.
    """
    return {"canonicalization": "minimal", "weights": _float(env.transitions),
            "unreachable": "ignore"}


def starc_angle(R1, R2, mdp, **starc):
    """The angle ``theta`` between the canonical forms ``c(R1)``, ``c(R2)``.

    Claim ``starc-angle-identity`` (note §3.2 S8 / claim 15, derived):
    ``starc_distance = sin(theta / 2)`` on our ``[0, 1]`` scale (note: ``2 sin(theta/2)``),
    so ``d <= epsilon`` iff ``theta <= 2 arcsin(epsilon)`` (note: ``2 arcsin(epsilon/2)``).

    Parameters
    ----------
    R1, R2 : array_like
    mdp : MDP
    **starc
        ``canonicalization`` ("val" or "minimal"), ``weights``, ``policy`` as for
        :func:`identifiability.starc_distance` (L2 norm only).  Unreachable states are
        kept: compare with ``starc_distance(..., unreachable="ignore")``.

    Returns
    -------
    float
        In ``[0, pi]``; ``nan`` when a canonical form is zero.

    Raises
    ------
    InvalidParameterError
        A norm other than 2 or another canonicalisation.

    Notes
    -----
    Two canonicalisations and an inner product in the weighted ``(S, A, S)`` space.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> round(starc_angle([[0, 1], [0, 0]], [[0, -1], [0, 0]], mdp), 6) == round(math.pi, 6)
    True
    """
    from .distances import minimal_canonical, val_canonical
    from .reward import broadcast_reward

    method = starc.pop("canonicalization", "val")
    if starc.pop("norm", 2) != 2:
        raise InvalidParameterError("starc_angle needs the L2 norm")
    starc.pop("unreachable", None)
    W = starc.pop("weights", None)
    if method == "val":
        forms = [val_canonical(R, mdp, **starc) for R in (R1, R2)]
    elif method == "minimal":
        forms = [minimal_canonical(R, mdp, weights=W, **starc) for R in (R1, R2)]
    else:
        raise InvalidParameterError(f"starc_angle supports 'val' and 'minimal', got {method!r}")
    u, v = (_float(broadcast_reward(_float(x), mdp)) for x in forms)
    w = np.ones_like(u) if W is None else _float(broadcast_reward(_float(np.asarray(W)), mdp))
    nu, nv = math.sqrt((w * u * u).sum()), math.sqrt((w * v * v).sum())
    if nu == 0 or nv == 0:
        return float("nan")
    return float(np.arccos(np.clip((w * u * v).sum() / (nu * nv), -1.0, 1.0)))


@dataclass(frozen=True)
class LipschitzBound:
    """Result of :func:`starc_lipschitz_bound` (our ``[0, 1]`` scale unless stated).

    Attributes
    ----------
    bound : float
        ``||Lambda(pi_o) - Lambda(pi_R)||_2 / (||c(R)|| + ||c(R_hat)||)`` (the note's
        expression halved).
    bound_note_scale : float
        ``2 * bound``, the note's S5' on ``[0, 2]``.
    loose_bound : float
        ``||Lambda(pi_o) - Lambda(pi_R)||_2 / ||c(R)||`` (our scale).
    distance : float
        The actual ``d(R, R_hat)`` with ``R_hat = Lambda(pi_o)``, same canonicalisation.
    numerator, norm_c_true, norm_c_inferred : float
    holds : bool
        ``distance <= bound`` (1e-12 relative slack).
    reward_inferred : ndarray

    Examples
    --------
    >>> LipschitzBound(0.1, 0.2, 0.2, 0.05, 1.0, 5.0, 5.0, True, None).holds
    True
    """

    bound: float
    bound_note_scale: float
    loose_bound: float
    distance: float
    numerator: float
    norm_c_true: float
    norm_c_inferred: float
    holds: bool
    reward_inferred: object


def starc_lipschitz_bound(mdp, reward, observed_policy, model):
    """S5': STARC error of the model's inverse against the log-policy error (derived).

    With ``R_hat = Lambda(pi_o)`` and the note's canonicalisation (orthogonal L2 projection
    of the expected reward, here ``"minimal"`` with weights ``P``), Dunkl-Williams gives,
    on OUR ``[0, 1]`` scale (half the note's)::

        d(R, R_hat) <= ||Lambda(pi_o) - Lambda(pi_R)||_2 / (||c(R)|| + ||c(R_hat)||)

    since ``c(Lambda(pi_R)) = c(R)`` and ``||c(x)|| <= ||x||`` (claim
    ``starc-lipschitz-inverse-bound``).  ``Lambda`` is the max-normalised Boltzmann inverse
    or ``log(pi) / beta`` (MCE); ``log(pi) / beta`` is NOT a Boltzmann inverse.

    Parameters
    ----------
    mdp : MDP
    reward : array_like
        The true reward ``R``.
    observed_policy : (S, A) array_like
        ``pi_o``, full support.
    model : BehaviouralModel
        Boltzmann or MCE (the assumed model; distances in its environment).

    Returns
    -------
    LipschitzBound

    Raises
    ------
    InvalidParameterError, InvalidPolicyError

    Notes
    -----
    Two inverses, one forward model and two minimal canonicalisations (``O(S^3)``).

    Examples
    --------
    >>> import numpy as np, identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma=0.9)
    >>> R = np.array([[0.0, 1.0], [0.5, 0.0]])
    >>> pi = boltzmann_model().policy(mdp, R)
    >>> res = starc_lipschitz_bound(mdp, R, 0.9 * pi + 0.05, boltzmann_model())
    >>> res.holds, res.distance <= res.bound
    (True, True)
    """
    from .distances import minimal_canonical

    _check_assumed(model)
    if model.kind == "optimal":
        raise InvalidParameterError("the Lipschitz bound needs a Boltzmann or MCE model")
    env = model.environment(mdp)
    R = as_reward(reward, env)
    opts = _orthogonal_starc(env)
    Rh = model.invert(mdp, observed_policy)
    LR = model.invert(mdp, model.policy(mdp, R))
    num = float(np.linalg.norm(Rh - LR))

    def cnorm(x):
        c = minimal_canonical(_float(x), env, weights=opts["weights"])
        return float(math.sqrt((opts["weights"] * _float(c) ** 2).sum()))

    a, b = cnorm(R), cnorm(Rh)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = starc_distance(_float(R), Rh, env, **opts)
    den = a + b
    bound = (0.0 if num == 0 else math.inf) if den == 0 else num / den
    loose = (0.0 if num == 0 else math.inf) if a == 0 else num / a
    return LipschitzBound(bound, 2 * bound, loose, d, num, a, b,
                          bool(d <= bound * (1 + 1e-12) + 1e-12), Rh)


# ---------------------------------------------------------------------- counterexamples
@dataclass(frozen=True, eq=False)
class FlipExample:
    """A discount or transition flip: identical true-model data, opposite assumed rewards.

    Attributes
    ----------
    mdp : MDP
        The base environment.
    true_model, assumed_model : BehaviouralModel
    reward_a, reward_b : ndarray
    potential : ndarray or None
    policy_a, policy_b : (S, A) ndarray
        ``g(R_a)``, ``g(R_b)`` (Boltzmann, ``beta`` of the true model).
    policy_gap : float
        ``max |policy_a - policy_b|`` (0 up to rounding).
    distance_true, distance_assumed : float
        STARC (our scale) in the true and the assumed environments.
    optimal_a, optimal_b : (S, A) bool ndarray
        Optimal actions under the assumed environment.
    error : float
        ``d_f(R_b, Lambda_f(g(R_b)))``, the inferred reward's error on ``R_b``.
    max_error : float
        ``max`` of the errors on ``R_a`` and ``R_b`` (at least 1/2 by the triangle inequality).

    Examples
    --------
    >>> ex = discount_flip()
    >>> ex.distance_assumed, ex.distance_true
    (1.0, 0.0)
    """

    mdp: object
    true_model: object
    assumed_model: object
    reward_a: object
    reward_b: object
    potential: object
    policy_a: object
    policy_b: object
    policy_gap: float
    distance_true: float
    distance_assumed: float
    optimal_a: object
    optimal_b: object
    error: float
    max_error: float

    def verdict(self, epsilon=0.0):
        """:func:`is_robust` for this example's pair of models.

        Parameters
        ----------
        epsilon : float, default 0.0

        Returns
        -------
        RobustnessVerdict

        Examples
        --------
        >>> discount_flip().verdict(0.9).robust
        False
        """
        return is_robust(self.mdp, self.true_model, self.assumed_model, epsilon)


def _flip(mdp, g, f, Ra, Rb, phi):
    eg = g.environment(mdp)
    pa, pb = g.policy(mdp, Ra), g.policy(mdp, Rb)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dt = starc_distance(Ra, Rb, eg)
        da = f.distance(mdp, Ra, Rb)
        Rh = f.invert(mdp, pb)
        ea, eb = f.distance(mdp, Ra, Rh), f.distance(mdp, Rb, Rh)
    env = f.environment(mdp)
    return FlipExample(mdp, g, f, Ra, Rb, phi, pa, pb, float(np.abs(pa - pb).max()), dt, da,
                       optimal_actions(env, Ra), optimal_actions(env, Rb), eb, max(ea, eb))


def discount_flip(gamma_true="89/100", gamma_assumed="9/10", beta=1.0):
    """The two-state discount flip (note §7.4 / §8 Example D), exact.

    States {0, 1}; action 0 stays, action 1 switches; ``Phi = (0, 1)``.  With the defaults
    ``R_a = [[0, 1/200], [1/200, 0]]``, ``R_b = [[0, 179/200], [-21/200, -1]]``
    (0.005, 0.895, -0.105): identical Boltzmann policies at ``gamma = 0.89`` for every
    ``beta`` ((0.4988, 0.5012 | 0.5012, 0.4988) at ``beta = 1``), opposite optimal
    policies at ``gamma = 0.9`` ("go to 1 and stay" vs "go to 0 and stay"), STARC 1.0 at
    0.9 and 0 at 0.89 (our scale; note: 2.000).

    Parameters
    ----------
    gamma_true, gamma_assumed : number, default "89/100" and "9/10"
    beta : float, default 1.0

    Returns
    -------
    FlipExample

    Notes
    -----
    Built by :func:`twin_rewards` (``D = (gamma_true - gamma_assumed) tau``).  Claim
    ``discount-misspecification-flip``.

    Examples
    --------
    >>> ex = discount_flip()
    >>> ex.policy_a.round(4).tolist(), ex.policy_gap < 1e-12
    ([[0.4988, 0.5012], [0.5012, 0.4988]], True)
    >>> ex.optimal_a.tolist(), ex.optimal_b.tolist()
    ([[False, True], [True, False]], [[True, False], [False, True]])
    """
    mdp = MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma=gamma_assumed)
    g = boltzmann_model(beta, gamma=gamma_true)
    f = boltzmann_model(beta)
    tw = twin_rewards(mdp, g, f)
    return _flip(mdp, g, f, tw.reward_a, tw.reward_b, tw.potential)


def transition_flip(kappa=0.01, n_states=4, n_actions=2, seed=0, beta=1.0, gamma=0.9,
                    construction="shaping"):
    """The transition flip (note §7.5, S7): a ``kappa`` mixture misspecification of ``tau``.

    ``tau_true = (1 - kappa) tau + kappa tau'`` with ``tau, tau'`` from
    :func:`identifiability.examples.random_mdp` (seeds ``seed``, ``seed + 1``); the learner
    assumes ``tau``.  ``construction="shaping"``: ``R_a = -gamma (tau_2 - tau_1) Phi / 2``,
    ``R_b = R_a + gamma tau_2 Phi - Phi``; ``"redistribution"``: the S'R version
    (``(S, A, S)`` rewards).

    Parameters
    ----------
    kappa : float, default 0.01
    n_states, n_actions, seed : int
    beta, gamma : float
    construction : {"shaping", "redistribution"}

    Returns
    -------
    FlipExample

    Notes
    -----
    Claim ``transition-misspecification-flip``.

    Examples
    --------
    >>> ex = transition_flip()
    >>> round(ex.distance_assumed, 9), ex.policy_gap < 1e-12, ex.max_error >= 0.5
    (1.0, True, True)
    """
    from .examples import random_mdp

    base = random_mdp(n_states, n_actions, support=min(2, n_states), seed=seed, exact=False)
    other = random_mdp(n_states, n_actions, support=min(2, n_states), seed=seed + 1, exact=False)
    P = _float(base.transitions)
    mdp = MDP(P, gamma=gamma)
    Pt = (1 - kappa) * P + kappa * _float(other.transitions)
    g = boltzmann_model(beta, transitions=Pt)
    f = boltzmann_model(beta)
    tw = twin_rewards(mdp, g, f, construction=construction)
    if tw.degenerate:
        raise InvalidParameterError("degenerate instance: choose another seed")
    return _flip(mdp, g, f, tw.reward_a, tw.reward_b, tw.potential)


@dataclass(frozen=True)
class NonSeparation:
    """The S5 bandit: ``R1 = (eta, 0)``, ``R2 = (0, eta)`` on one state with two actions.

    Attributes
    ----------
    eta, beta : float
    tv : float
        ``max_s TV(b(R1), b(R2)) = tanh(beta eta / 2)``.
    tv_formula : float
        ``tanh(beta eta / 2)``, computed independently.
    distance : float
        STARC, our scale: 1.0 (note: 2).
    mdp : MDP

    Examples
    --------
    >>> round(non_separation(0.1).tv, 5)
    0.04996
    """

    eta: float
    beta: float
    tv: float
    tv_formula: float
    distance: float
    mdp: object


def non_separation(eta=0.1, beta=1.0, model="boltzmann"):
    """Non-separation of small perturbations (note §3.2 S5, §8 Example I).

    Parameters
    ----------
    eta : float, default 0.1
    beta : float, default 1.0
    model : {"boltzmann", "mce"}

    Returns
    -------
    NonSeparation
        ``tv = tanh(beta eta / 2)``: 0.462, 0.0500, 0.00500 for ``eta = 1, 0.1, 0.01``
        (``beta = 1``), with STARC distance 1 (our scale) throughout.

    Notes
    -----
    Claim ``continuous-models-not-separating``.

    Examples
    --------
    >>> [round(non_separation(e).tv, 5) for e in (1, 0.1, 0.01)]
    [0.46212, 0.04996, 0.005]
    >>> non_separation(0.01).distance
    1.0
    """
    mdp = MDP([[[1], [1]]], gamma="1/2")
    m = BehaviouralModel(model, beta)
    R1, R2 = np.array([[eta, 0.0]]), np.array([[0.0, eta]])
    p1, p2 = m.policy(mdp, R1), m.policy(mdp, R2)
    tv = float(0.5 * np.abs(p1 - p2).sum(axis=1).max())
    return NonSeparation(float(eta), float(beta), tv, math.tanh(beta * eta / 2),
                         starc_distance(R1, R2, mdp), mdp)


@dataclass(frozen=True, eq=False)
class ModeFailure:
    """The MCE mode-preservation failure (note §3.2 S3).

    Attributes
    ----------
    mdp : MDP
        States 0 decide, 1 trap, 2 good; ``gamma = 0.9``.
    reward_true : ndarray
    policy : (S, A) ndarray
        Mode-preserving for ``reward_true``.
    reward_boltzmann, reward_mce : ndarray
        The two canonical inverses of ``policy``.
    optimal_true, optimal_boltzmann, optimal_mce : (S, A) bool ndarray

    Examples
    --------
    >>> ex = mce_mode_preservation_failure()
    >>> ex.optimal_true[0].tolist(), ex.optimal_mce[0].tolist()
    ([True, False, False], [False, True, False])
    """

    mdp: object
    reward_true: object
    policy: object
    reward_boltzmann: object
    reward_mce: object
    optimal_true: object
    optimal_boltzmann: object
    optimal_mce: object


def mce_mode_preservation_failure(temperature=1.0):
    """The 3-state example where MCE IRL loses a mode-preserving optimum (note §3.2 S3).

    States {0: decide, 1: trap, 2: good}, three actions, ``gamma = 0.9``.  At state 0, a0
    leads to the trap with reward 10, a1 to the good state, a2 stays; states 1 and 2 are
    absorbing.  The note does not fix a2 or the true reward beyond "a0 is optimal at 0 and
    the mode"; we take ``R(0, a0) = 10``, ``R(2, a0) = 1`` (so that a0 is also the strict
    mode-optimum at state 2), 0 elsewhere.  Observed ``pi(.|0) = (0.6, 0.3, 0.1)``,
    ``pi(.|1)`` uniform, ``pi(.|2) = (0.98, 0.01, 0.01)``: its modes are the optimal actions
    of ``R``.  The Boltzmann inverse keeps a0 optimal at 0; the MCE inverse
    ``temperature * log(pi)`` makes a1 optimal (the uniform trap has low soft value).

    Parameters
    ----------
    temperature : float, default 1.0
        MCE temperature of the inverse (the optimal actions do not depend on it).

    Returns
    -------
    ModeFailure

    Notes
    -----
    Claim ``mce-mode-preservation-failure``.

    Examples
    --------
    >>> ex = mce_mode_preservation_failure()
    >>> ex.optimal_boltzmann[0].tolist()
    [True, False, False]
    """
    T = np.zeros((3, 3, 3), dtype=int)
    T[0, 0, 1] = T[0, 1, 2] = T[0, 2, 0] = 1
    T[1, :, 1] = 1
    T[2, :, 2] = 1
    mdp = MDP(T, gamma="9/10")
    R = np.zeros((3, 3), dtype=int)
    R[0, 0], R[2, 0] = 10, 1
    pi = np.array([[0.6, 0.3, 0.1], [1 / 3, 1 / 3, 1 / 3], [0.98, 0.01, 0.01]])
    Rb = boltzmann_model().invert(mdp, pi)
    Rm = mce_model(1.0 / temperature).invert(mdp, pi)
    mf = mdp.to_float()
    return ModeFailure(mdp, R, pi, Rb, Rm, optimal_actions(mdp, R), optimal_actions(mf, Rb),
                       optimal_actions(mf, Rm))


@dataclass(frozen=True)
class ChoiceSetResult:
    """Choice-set misspecification (note §4, Freedman, Shah & Dragan 2020 as reproduced).

    Attributes
    ----------
    radius : float
        ``B`` of the constraint ``||theta|| <= B``.
    theta_hat : (2,) ndarray
        The constrained MLE (on the boundary: the unconstrained MLE diverges).
    cosine : float
        ``cos(theta_hat, theta*)``: -0.850 (B=1), -0.973 (B=5), -0.987 (B=20).
    human_probabilities : (3,) ndarray
        Data over (A, C, N); C is never chosen (the human never sees it).
    limit_direction_cosine : float
        ``cos((-2, 1), theta*)``: the direction the unconstrained MLE diverges along.

    Examples
    --------
    >>> round(choice_set_misspecification(1).cosine, 3)
    -0.85
    """

    radius: float
    theta_hat: object
    cosine: float
    human_probabilities: object
    limit_direction_cosine: float


def choice_set_misspecification(radius=1.0, *, beta=1.0, n_grid=200001):
    """The "opposite inference" case of choice-set misspecification (note §4).

    Options (quality, cost): A = (1, 2), C = (2, 0.5), N = (0, 0); ``theta* = (3, -1)``.
    The human chooses Boltzmann-rationally from {A, N}; the robot assumes {A, C, N}.  The
    NLL is convex and its infimum is not attained (the moments force ``P(C) = 0``), so the
    minimiser over the ball ``||theta|| <= radius`` lies on the sphere: a 1-D search over the
    angle (``n_grid`` points, then golden-section refinement in the best cell).

    Parameters
    ----------
    radius : float, default 1.0
    beta : float, default 1.0
    n_grid : int, default 200001

    Returns
    -------
    ChoiceSetResult

    Notes
    -----
    ``O(n_grid)``.  Claim ``choice-set-opposite-inference``.  The likelihood is that of
    :class:`identifiability.ChoiceModel`.

    Examples
    --------
    >>> [round(choice_set_misspecification(B).cosine, 3) for B in (5, 20)]
    [-0.973, -0.987]
    """
    from .inference import ChoiceModel

    B = _parameter(radius, "radius", allow_zero=False)
    phi = np.array([[1.0, 2.0], [2.0, 0.5], [0.0, 0.0]])
    theta_star = np.array([3.0, -1.0])
    human = ChoiceModel(phi[[0, 2]], beta).predict(theta_star)
    q = np.array([human[0], 0.0, human[1]])
    def nll(angles):
        T = B * np.stack([np.cos(angles), np.sin(angles)], axis=1)
        Z = beta * T @ phi.T
        m = Z.max(axis=1, keepdims=True)
        return -(Z @ q) + np.log(np.exp(Z - m).sum(axis=1)) + m[:, 0]

    a = np.linspace(-np.pi, np.pi, int(n_grid))
    i = int(np.argmin(nll(a)))
    lo, hi = a[max(i - 1, 0)], a[min(i + 1, len(a) - 1)]
    r = (math.sqrt(5) - 1) / 2
    for _ in range(80):                      # golden section on the bracketing cell
        x1, x2 = hi - r * (hi - lo), lo + r * (hi - lo)
        f1, f2 = nll(np.array([x1, x2]))
        lo, hi = (lo, x2) if f1 <= f2 else (x1, hi)
    best = (lo + hi) / 2
    th = B * np.array([math.cos(best), math.sin(best)])
    # check against the package's choice model at the optimum (same likelihood)
    p = ChoiceModel(phi, beta).predict(th)
    if not abs(-(q @ np.log(p)) - nll(np.array([best]))[0]) < 1e-9:   # pragma: no cover
        raise ArithmeticError("choice-set likelihood mismatch")
    cos = float(th @ theta_star / (np.linalg.norm(th) * np.linalg.norm(theta_star)))
    lim = np.array([-2.0, 1.0])
    return ChoiceSetResult(B, th, cos, q,
                           float(lim @ theta_star / (np.linalg.norm(lim)
                                                     * np.linalg.norm(theta_star))))


@dataclass(frozen=True)
class BaselineResult:
    """EMPIRICAL: errors of a Boltzmann learner with a slightly wrong discount on random rewards.

    Attributes
    ----------
    errors : ndarray
        ``d_{gamma_f}(R, Lambda_f(b_{gamma_g}(R)))`` per instance (our scale).
    gamma_errors : ndarray
        ``gamma_g - gamma_f``.
    median, maximum, q90 : float
    worst_case : float
        The twin construction's error on the same MDPs (max over instances): the worst case
        is large even when typical errors are small.

    Examples
    --------
    >>> r = discount_error_baseline(n=5)
    >>> r.errors.shape
    (5,)
    """

    errors: object
    gamma_errors: object
    median: float
    maximum: float
    q90: float
    worst_case: float


def discount_error_baseline(n=200, max_gamma_error=0.05, *, seed=0, model="boltzmann",
                            max_states=8, max_actions=4):
    """The honest non-counterexample (note §7.10): small discount errors on random rewards.

    Random MDPs (:func:`identifiability.examples.random_mdp`, ``2..max_states`` states,
    ``2..max_actions`` actions), ``gamma_f ~ U[0.5, 0.95]``, ``gamma_g = gamma_f + U[-e, e]``,
    Gaussian ``R(s, a)``.  EMPIRICAL: the note measured median 0.007, max 0.018 on ITS
    ``[0, 2]`` scale with its own generator (0.0035 / 0.009 on ours); we record what we
    measure (``proofs/discount-error-benign-baseline.md``).

    Parameters
    ----------
    n : int, default 200
    max_gamma_error : float, default 0.05
    seed : int, default 0
    model : {"boltzmann", "mce"}
    max_states, max_actions : int

    Returns
    -------
    BaselineResult

    Notes
    -----
    ``n`` forward models, inverses and distances (about 1 ms each on small MDPs) plus
    ``n`` twin constructions.  Claim ``discount-error-benign-baseline``.

    Examples
    --------
    >>> r = discount_error_baseline(n=20)
    >>> bool(r.median < 0.05), bool(r.worst_case > 0.5)
    (True, True)
    """
    from .examples import random_mdp

    rng = np.random.default_rng(seed)
    errs, dgs, worst = [], [], 0.0
    for _ in range(int(n)):
        S = int(rng.integers(2, max_states + 1))
        A = int(rng.integers(2, max_actions + 1))
        base = random_mdp(S, A, support=min(S, 3), seed=int(rng.integers(1 << 30)), exact=False)
        gf = float(rng.uniform(0.5, 0.95))
        gg = float(np.clip(gf + rng.uniform(-max_gamma_error, max_gamma_error), 0.0, 0.99))
        mdp = base.replace(gamma=gf)
        f = BehaviouralModel(model, 1.0)
        g = BehaviouralModel(model, 1.0, gg)
        R = rng.normal(size=(S, A))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            errs.append(misspecification_error(mdp, g, f, R, unreachable="ignore"))
            tw = twin_rewards(mdp, g, f)
            if not tw.degenerate:
                Rh = f.invert(mdp, g.policy(mdp, tw.reward_a))
                worst = max(worst, f.distance(mdp, tw.reward_a, Rh, unreachable="ignore"),
                            f.distance(mdp, tw.reward_b, Rh, unreachable="ignore"))
        dgs.append(gg - gf)
    e = np.array(errs)
    return BaselineResult(e, np.array(dgs), float(np.median(e)), float(e.max()),
                          float(np.quantile(e, 0.9)), float(worst))
