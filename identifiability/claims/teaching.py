"""Known-false statements kept as teaching examples (``kind="false"``, area ``teaching``).

Each entry states a plausible but false strengthening of a true claim of the toolkit; its
check returns False exactly when the instance refutes the statement (the hypotheses hold
and the conclusion fails), decided with the package's own machinery: exact :func:`identify`
for identifiability, soft value iteration against trajectory enumeration
(:mod:`identifiability.reference`) for trajectory laws, exact EPIC canonical forms for EPIC.
An instance outside the statement's hypotheses satisfies it vacuously (check True).

``identifiability counterexample ID`` (:func:`identifiability.search.find_counterexample`)
finds, shrinks, re-verifies and exports a counterexample of each; ``proofs/<id>.md`` derives
the size of the smallest counterexample, which ``tests/test_search.py`` checks.
"""

from __future__ import annotations

import math

import numpy as np

from ..theorems import Instance, Outcome, register

_TESTS = "tests/test_search.py::test_teaching_counterexample_found_shrunk_exported"
_MINIMAL = "tests/test_search.py::test_teaching_counterexample_is_minimal"


# ---------------------------------------------------------------------- Ziebart's law
def _ziebart_instances(*, deterministic, gamma_one):
    from hypothesis import strategies as st

    from ..search import reward_tables
    from ..testing import strategies as ist

    gamma = st.just(1) if gamma_one else ist.discounts(allow_one=False)
    # Stochastic dynamics: an R(s, a, s') reward refutes the law already at H = 1, so the
    # shrinker should prefer it; deterministic: r(s, a) is the simplest.
    arities = st.sampled_from([2, 1, 3] if deterministic else [3, 2, 1])

    mdps = ist.mdps(max_states=3, max_actions=3, deterministic=deterministic,
                    horizon=st.integers(1, 3), gamma=gamma)

    @st.composite
    def build(draw):
        mdp = draw(mdps)
        arity = draw(arities)
        R = draw(reward_tables((mdp.n_states, mdp.n_actions, mdp.n_states)[:arity]))
        lam = draw(st.sampled_from([1, 2, "1/2"]))
        return Instance(mdp, {"R": R}, {"temperature": lam})

    return build()


def _ziebart_gap(inst):
    """Largest ``|log p(tau | s0) - log p_Ziebart(tau | s0)|`` over the trajectories.

    ``p`` is the soft-optimal agent's law from soft value iteration
    (:func:`identifiability.reference.trajectory_distribution`, divided by ``mu(s0)``),
    ``p_Ziebart = exp((r_gamma(tau) - V_0(s0)) / lambda) prod_t P``
    (:func:`identifiability.reference.ziebart_probability`)."""
    from ..reference import trajectory_distribution, ziebart_probability

    mdp, R = inst.mdp, inst.reward("R")
    lam = float(inst.array("temperature"))
    mu = np.array([float(x) for x in mdp.initial])
    law = trajectory_distribution(mdp, R, temperature=lam)
    worst, where = 0.0, None
    for (states, actions), p in law.items():
        q = ziebart_probability(mdp, R, states, actions, temperature=lam)
        gap = abs(math.log(p / mu[states[0]]) - math.log(q))
        if gap > worst:
            worst, where = gap, (states, actions)
    return worst, where


_ZIEBART_TOL = 1e-7  # the law holds to ~1e-12 when it holds; refutations are >= ~1e-5


def _ziebart_outcome(inst, *, need_deterministic, need_gamma_one):
    mdp = inst.mdp
    if need_deterministic and not mdp.is_deterministic:
        return Outcome(True, "outside the hypotheses: stochastic kernel", -1.0)
    if need_gamma_one and mdp.gamma != 1:
        return Outcome(True, "outside the hypotheses: gamma != 1", -1.0)
    gap, where = _ziebart_gap(inst)
    if gap <= _ZIEBART_TOL:
        return Outcome(True, f"the law holds on every trajectory (max log gap {gap:.1e})",
                       gap)
    states, actions = where
    return Outcome(False, f"gamma = {mdp.gamma}, H = {mdp.horizon}: trajectory states "
                          f"{list(states)}, actions {list(actions)} has log p(tau|s0) - "
                          f"log p_Ziebart(tau|s0) of size {gap:.4g} (> {_ZIEBART_TOL:g})", gap)


@register("false-ziebart-law-discounted",
          statement="FALSE: for a deterministic finite-horizon MDP with gamma < 1 the "
                    "soft-optimal agent's trajectory law is Ziebart's "
                    "p(tau | s0) = exp((r_gamma(tau) - V_0(s0)) / lambda) "
                    "(it holds only at gamma = 1; smallest counterexample S = 1, A = 2, H = 2).",
          provenance="derived", area="teaching", kind="false", tests=(_TESTS, _MINIMAL),
          strategy=lambda: _ziebart_instances(deterministic=True, gamma_one=False))
def _false_ziebart_law_discounted(inst):
    return _ziebart_outcome(inst, need_deterministic=True, need_gamma_one=False)


@register("false-ziebart-law-stochastic",
          statement="FALSE: with gamma = 1 Ziebart's law p(tau | s0) = "
                    "exp((r(tau) - V_0(s0)) / lambda) prod_t P(s_{t+1} | s_t, a_t) holds for "
                    "stochastic dynamics too (it holds for deterministic ones; smallest "
                    "counterexample S = 2, A = 1, H = 1 with a reward R(s, a, s'), H = 2 "
                    "with a reward r(s, a)).",
          provenance="derived", area="teaching", kind="false", tests=(_TESTS, _MINIMAL),
          strategy=lambda: _ziebart_instances(deterministic=False, gamma_one=True))
def _false_ziebart_law_stochastic(inst):
    return _ziebart_outcome(inst, need_deterministic=False, need_gamma_one=True)


# ---------------------------------------------------------------------- identifiability
def _coverage_instances():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    return st.builds(Instance, ist.deterministic_mdps(max_states=4, max_actions=3,
                                                      initial="single",
                                                      horizon=st.integers(1, 5)))


@register("false-coverage-time-horizon-suffices",
          statement="FALSE: a deterministic MDP with one start state s0 whose layers cover "
                    "the state space at time T_cov (L_T({s0}) = S) is strongly identifiable "
                    "at every horizon H >= T_cov (true from H >= 2 T_cov + 1; smallest "
                    "counterexample S = 2, A = 2, H = 1).",
          provenance="derived", area="teaching", kind="false", tests=(_TESTS, _MINIMAL),
          strategy=_coverage_instances)
def _false_coverage_time_horizon_suffices(inst):
    from ..graph import coverage_time
    from ..identify import identify

    mdp = inst.mdp
    H = mdp.horizon
    if not mdp.is_deterministic or len(mdp.start_states) != 1 or H is None:
        return Outcome(True, "outside the hypotheses", -10.0)
    T = coverage_time(mdp, start=mdp.start_states[0], max_time=H)
    if T is None:
        return Outcome(True, f"the layers of s0 do not cover S by H = {H}", -10.0)
    rep = identify(mdp, H, arithmetic="exact")
    dim = rep.dim_policy_class
    return Outcome(bool(rep.strong), f"T_cov = {T}, H = {H}: dim K_Gamma = {dim} "
                                     f"({'strong' if rep.strong else 'not strong'}, "
                                     f"reason {rep.reason})", float(dim - 1 - (H - T)))


def _full_access_instances():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    return st.builds(Instance, ist.mdps(max_states=3, max_actions=3, horizon=1,
                                        initial="uniform"))


def _rank_D(mdp):
    """``rank D`` with ``D`` the stacked ``T(a) - T(a_0)``, ``a != a_0`` (theory note §4.3)."""
    from ..linalg import rank

    P = mdp.transitions
    if mdp.n_actions == 1:
        return 0
    D = np.concatenate([P[:, a, :] - P[:, 0, :] for a in range(1, mdp.n_actions)], axis=0)
    return rank(D)


@register("false-one-step-strong-identifiability",
          statement="FALSE: with full access (every state a start state and in every layer, "
                    "L_t = S) and rank D = S - 1 (D the stacked T(a) - T(a_0)), the horizon "
                    "H = 1 is strongly identifiable (the 'for all T >= 1' reading of Shehab "
                    "et al.'s Cor. 24; true from H = 2; smallest counterexample S = 2, A = 2, "
                    "H = 1).",
          provenance="derived", area="teaching", kind="false", tests=(_TESTS, _MINIMAL),
          strategy=_full_access_instances)
def _false_one_step_strong_identifiability(inst):
    from ..graph import accessible_layers
    from ..identify import identify

    mdp = inst.mdp
    if mdp.horizon != 1:
        return Outcome(True, "outside the hypotheses: H != 1", -10.0)
    if not accessible_layers(mdp, 1).all():
        return Outcome(True, "outside the hypotheses: no full access", -10.0)
    r = _rank_D(mdp)
    if r != mdp.n_states - 1:
        return Outcome(True, f"outside the hypotheses: rank D = {r} != S - 1", -5.0)
    rep = identify(mdp, 1, arithmetic="exact")
    return Outcome(bool(rep.strong), f"full access, rank D = {r} = S - 1, H = 1: dim K_Gamma = "
                                     f"{rep.dim_policy_class} "
                                     f"({'strong' if rep.strong else 'not strong'})",
                   float(rep.dim_policy_class))


# ---------------------------------------------------------------------- EPIC
def _sprime_instances():
    from hypothesis import strategies as st

    from ..search import reward_tables
    from ..testing import strategies as ist

    mdps = ist.mdps(max_states=3, max_actions=2, horizon=st.none())

    @st.composite
    def build(draw):
        mdp = draw(mdps)
        R = draw(reward_tables((mdp.n_states, mdp.n_actions, mdp.n_states)))
        D = draw(reward_tables((mdp.n_states, mdp.n_actions, mdp.n_states)))
        P = mdp.transitions
        # S'-redistribution: remove the expected value under P(. | s, a) (exact).
        D = D - (P * D).sum(axis=2)[:, :, None]
        return Instance(mdp, {"R": R, "R2": R + D})

    return build()


def _positively_proportional(x, y):
    """Exact: ``y = c x`` with ``c > 0``, or both zero (EPIC distance 0 on centred forms)."""
    nz = [i for i, v in enumerate(x) if v != 0]
    if not nz:
        return all(v == 0 for v in y)
    c = y[nz[0]] / x[nz[0]]
    return c > 0 and all(b == c * a for a, b in zip(x, y))


@register("false-epic-sprime-invariant",
          statement="FALSE: EPIC ignores S'-redistribution: two rewards with the same "
                    "expected reward sum_s' P(s' | s, a) R(s, a, s') have EPIC distance 0 "
                    "(EPIC reads R on every (s, a, s'), impossible transitions included; "
                    "smallest counterexample S = 2, A = 1).",
          provenance="derived", area="teaching", kind="false", tests=(_TESTS, _MINIMAL),
          strategy=_sprime_instances)
def _false_epic_sprime_invariant(inst):
    from ..distances import epic_canonical, epic_distance

    mdp, R1, R2 = inst.mdp, inst.reward("R"), inst.reward("R2")
    P = mdp.transitions
    diff = (P * (R2 - R1)).sum(axis=2)
    if not mdp.is_exact or R1.dtype != object or R2.dtype != object:
        return Outcome(True, "outside the exact setting (float input)", -1.0)
    if any(v != 0 for v in diff.ravel()):
        return Outcome(True, "outside the hypotheses: the expected rewards differ", -1.0)
    x = epic_canonical(R1, mdp).ravel()
    y = epic_canonical(R2, mdp).ravel()
    x = x - sum(x) / len(x)
    y = y - sum(y) / len(y)
    same = _positively_proportional(list(x), list(y))
    d = epic_distance(R1, R2, mdp)
    return Outcome(same, f"same expected reward r(s, a); EPIC canonical forms "
                         f"{'are' if same else 'are not'} positively proportional after "
                         f"centring: EPIC distance {d:.4g}", d)
