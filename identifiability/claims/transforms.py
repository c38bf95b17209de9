"""Claims about the reward transformations (``identifiability.transforms``): which
transformation leaves which observation unchanged, and the negative controls.

The checks follow the cited tests of ``tests/test_transforms.py``: a transformation is
sampled from a seed in the instance's parameters, both sides are recomputed with the
package's forward models, and exact quantities are compared exactly.  The strategy helpers
at the top (:func:`_instances`, :func:`_as_float`, :func:`_soft_pi`) are shared by the
other claim modules of this engineer (equivalence, distances, regret).
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from ..behaviour import (optimal_actions, optimal_values, soft_policy, soft_value_iteration,
                         trajectory_return)
from ..reward import broadcast_reward, expected_reward
from ..theorems import Instance, register

_SEED_MAX = 2 ** 32 - 1


# ---------------------------------------------------------------------- shared helpers
def _as_float(x):
    """Float64 copy of an exact or float array."""
    return np.array(np.asarray(x).tolist(), dtype=float)


def _all_exact(arr):
    arr = np.asarray(arr)
    return arr.dtype == object and all(isinstance(v, Fraction) for v in arr.reshape(-1).tolist())


def _soft_pi(mdp, R, lam=1.0, **kw):
    return soft_policy(mdp, _as_float(R), temperature=lam, tol=1e-13, **kw)


def _instances(*, max_states=4, min_states=1, min_actions=1, max_actions=3, horizon=None,
               exact=True, reward_exact=True, initial="random", max_support=3,
               deterministic=None, arity=None, extra=None, mdp=None, rewards=("R",)):
    """Instances with an MDP, reward tables named ``rewards`` and a ``seed`` parameter.

    ``horizon`` is a strategy (default: infinite horizon only); ``extra`` a dict of
    strategies for further parameters; ``mdp`` replaces the MDP strategy altogether.
    """
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    mdp_strategy = mdp if mdp is not None else ist.mdps(
        min_states=min_states, max_states=max_states, min_actions=min_actions,
        max_actions=max_actions, horizon=st.none() if horizon is None else horizon,
        exact=exact, initial=initial, max_support=max_support, deterministic=deterministic)

    @st.composite
    def build(draw):
        m = draw(mdp_strategy)
        Rs = {name: draw(ist.rewards(m, exact=reward_exact, arity=arity)) for name in rewards}
        params = {"seed": draw(st.integers(0, _SEED_MAX))}
        params.update({k: draw(v) for k, v in (extra or {}).items()})
        return Instance(m, Rs, params)

    return build()


def _seed(inst):
    return int(inst.params["seed"])


# ---------------------------------------------------------------------- constant shift
def _constant_shift_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    return _instances(horizon=st.one_of(st.none(), ist.horizons(4)))


@register("constant-shift-finite-horizon", identity=True,
          statement="(a) With a finite horizon, R + c has the same soft-optimal policy at every "
                    "step and the same optimal-action sets as R; (b) with gamma < 1, R + c is "
                    "exactly potential shaping by Phi = -c / (1 - gamma).",
          provenance="derived", area="transforms",
          tests=("tests/test_transforms.py::test_constant_shift_finite_horizon",
                 "tests/test_transforms.py::test_constant_shift_is_shaping_when_discounted"),
          strategy=_constant_shift_strategy)
def _constant_shift_finite_horizon(inst):
    from ..transforms import ConstantShift, PotentialShaping

    mdp, R = inst.mdp, inst.reward("R")
    t = ConstantShift.sample(mdp, _seed(inst))
    R2 = t.apply(R, mdp)
    out = [f"c = {t.c}"]
    ok = _all_exact(R2)
    if mdp.horizon is not None:
        gap = float(np.max(np.abs(_soft_pi(mdp, R) - _soft_pi(mdp, R2))))
        same = np.array_equal(optimal_actions(mdp, R), optimal_actions(mdp, R2))
        ok = ok and gap <= 1e-9 and same
        out.append(f"H = {mdp.horizon}: policy change {gap:.1e}, same optimal sets {same}")
    if mdp.gamma < 1:
        phi = [-t.c / (1 - mdp.gamma)] * mdp.n_states
        eq = np.array_equal(R2, PotentialShaping(phi).apply(R, mdp))
        ok = ok and eq
        out.append(f"equals shaping by -c/(1-gamma): {eq}")
    return bool(ok), "; ".join(out)


# ---------------------------------------------------------------------- k-initial shaping
def _random_walk(mdp, rng, n=None):
    """A possible walk from a start state: n steps, or until a state repeats (a lasso)."""
    s = int(rng.choice(mdp.start_states))
    states, actions = [s], []
    while True:
        if n is not None and len(actions) == n:
            return states, actions, None
        a = int(rng.integers(mdp.n_actions))
        succ = mdp.successors(s, a)
        s = int(succ[int(rng.integers(len(succ)))])
        actions.append(a)
        if n is None and s in states:
            states.append(s)
            return states, actions, states.index(s)
        states.append(s)


def _lasso_return(mdp, R, states, actions, i):
    """Exact discounted return of prefix + cycle repeated forever."""
    g = mdp.gamma
    head = trajectory_return(mdp, R, states[:i + 1], actions[:i])
    cycle = trajectory_return(mdp, R, states[i:], actions[i:])
    c = len(actions) - i
    return head + g ** i * cycle / (1 - g ** c)


def _k_initial_strategy():
    from hypothesis import strategies as st

    return _instances(extra={"n": st.integers(0, 6)})


@register("k-initial-shaping-returns", identity=True,
          statement="Shaping changes the return of any fragment s_0..s_n by gamma^n Phi(s_n) - "
                    "Phi(s_0) and of any infinite trajectory (e.g. a lasso) by -Phi(s_0): by -k "
                    "for k-initial, 0 for zero-initial shaping, exactly.",
          provenance="derived", area="transforms",
          tests=("tests/test_transforms.py::test_k_initial_shaping_returns",
                 "tests/test_transforms.py::test_k_initial_shaping_validation"),
          strategy=_k_initial_strategy)
def _k_initial_shaping_returns(inst):
    from ..transforms import KInitialShaping, ZeroInitialShaping

    mdp, R = inst.mdp, inst.reward("R")
    n = int(inst.params["n"])
    rng = np.random.default_rng(_seed(inst))
    g = mdp.gamma
    for t in (KInitialShaping.sample(mdp, rng), ZeroInitialShaping.sample(mdp, rng)):
        k, phi = t.k, t.phi
        name = type(t).__name__
        if not all(phi[s] == k for s in mdp.start_states):
            return False, f"{name}: Phi is not k = {k} on the start states"
        R2 = t.apply(R, mdp)
        states, actions, _ = _random_walk(mdp, rng, n)
        G = trajectory_return(mdp, R, states, actions)
        G2 = trajectory_return(mdp, R2, states, actions)
        want = g ** n * phi[states[-1]] - k
        if not (isinstance(G2, Fraction) and G2 - G == want):
            return False, f"{name}: fragment {states} changed by {G2 - G}, expected {want}"
        states, actions, i = _random_walk(mdp, rng)
        L, L2 = (_lasso_return(mdp, Rx, states, actions, i) for Rx in (R, R2))
        if not (isinstance(L2, Fraction) and L2 - L == -k):
            return False, f"{name}: lasso {states} (cycle from {i}) changed by {L2 - L}, not {-k}"
        if isinstance(t, ZeroInitialShaping) and k != 0:
            return False, f"zero-initial shaping has k = {k}"
    return True, f"fragment of length {n} and a lasso: exact shifts for k-initial and zero-initial"


# ---------------------------------------------------------------------- masks and S'R
@register("mask-invariance",
          statement="A mask of impossible transitions (delta = 0 wherever P > 0) leaves the "
                    "expected reward r(s, a) exactly unchanged and changes R only on impossible "
                    "transitions.",
          provenance="derived", area="transforms",
          tests=("tests/test_transforms.py::test_mask_invariance",),
          strategy=lambda: _instances())
def _mask_invariance(inst):
    from ..transforms import ImpossibleTransitionMask

    mdp, R = inst.mdp, inst.reward("R")
    t = ImpossibleTransitionMask.sample(mdp, _seed(inst))
    R2 = t.apply(R, mdp)
    same_r = np.array_equal(expected_reward(mdp, R2), expected_reward(mdp, R))
    changed = R2 != broadcast_reward(R, mdp)
    on_possible = int(np.sum(changed & mdp.support))
    return (bool(_all_exact(R2) and same_r and on_possible == 0),
            f"r unchanged {same_r}; {int(changed.sum())} entries changed, {on_possible} on "
            f"possible transitions")


@register("redistribution-invariance", identity=True,
          statement="An S'-redistribution (sum_s' P delta = 0 for every (s, a)) leaves r(s, a) "
                    "exactly unchanged, hence every policy computed from r; the sampler's delta "
                    "is zero off the support.",
          provenance="derived", area="transforms",
          tests=("tests/test_transforms.py::test_redistribution_invariance",
                 "tests/test_transforms.py::test_float_samples_are_valid"),
          strategy=lambda: _instances())
def _redistribution_invariance(inst):
    from ..transforms import SPrimeRedistribution

    mdp, R = inst.mdp, inst.reward("R")
    t = SPrimeRedistribution.sample(mdp, _seed(inst))
    R2 = t.apply(R, mdp)
    r, r2 = expected_reward(mdp, R), expected_reward(mdp, R2)
    same_r = np.array_equal(r, r2)
    same_O = np.array_equal(optimal_actions(mdp, R), optimal_actions(mdp, R2))
    gap = float(np.max(np.abs(_soft_pi(mdp, R) - _soft_pi(mdp, R2))))
    is_delta = np.array_equal(R2 - broadcast_reward(R, mdp), t.table)
    off = bool(np.any(_as_float(t.table)[~mdp.support]))
    # the float sampler on the float twin is an S'R to rounding
    fm = mdp.to_float()
    ft = SPrimeRedistribution.sample(fm, _seed(inst))
    fmean = float(np.max(np.abs(expected_reward(fm, ft.table))))
    ok = (_all_exact(R2) and same_r and same_O and gap <= 1e-12 and is_delta and not off
          and fmean <= 1e-9)
    return bool(ok), (f"r unchanged {same_r}, optimal sets {same_O}, policy change {gap:.1e}, "
                      f"nonzero off support {off}, float sample mean {fmean:.1e}")


# ---------------------------------------------------------------------- scaling
def _scaling_strategy():
    from hypothesis import strategies as st

    alphas = st.fractions(Fraction(1, 5), 5, max_denominator=5).filter(lambda a: a != 1)
    bandit = st.integers(2, 3).flatmap(
        lambda A: st.lists(st.integers(-3, 3), min_size=A, max_size=A)).filter(
        lambda r: max(r) > min(r))
    return _instances(extra={"alpha": alphas, "bandit": bandit,
                             "temperature": st.sampled_from([0.5, 1.0, 2.0])})


@register("scaling-not-invariant-known-temperature",
          statement="alpha R (alpha > 0) keeps the optimal-action sets, but is not an invariance "
                    "of the soft-optimal policy at a known temperature: on a one-state MDP with "
                    "non-constant r and alpha != 1 the policies differ (sigma(1) vs sigma(2)).",
          provenance="derived", area="transforms",
          tests=("tests/test_transforms.py::test_scaling_keeps_optimal_actions",
                 "tests/test_transforms.py::test_scaling_not_invariant_known_temperature",
                 "tests/test_transforms.py::test_scaling_changes_soft_policy_of_single_state_mdps"),
          strategy=_scaling_strategy)
def _scaling_not_invariant(inst):
    from ..mdp import MDP
    from ..transforms import PositiveScaling

    mdp, R = inst.mdp, inst.reward("R")
    alpha = inst.array("alpha").item()
    lam = float(inst.params["temperature"])
    # (a) optimal sets, on the instance's MDP, exactly
    same = np.array_equal(optimal_actions(mdp, R),
                          optimal_actions(mdp, PositiveScaling(alpha).apply(R, mdp)))
    # (b) the fixed witness: one state, r = (0, 1), gamma = 1/2, lambda = 1
    w = MDP([[[1], [1]]], gamma="1/2")
    p1 = _soft_pi(w, [[0, 1]])[0, 1]
    p2 = _soft_pi(w, PositiveScaling(2).apply([[0, 1]], w))[0, 1]
    witness = (abs(p1 - 1 / (1 + np.exp(-1))) <= 1e-12 and abs(p2 - 1 / (1 + np.exp(-2))) <= 1e-12
               and abs(p2 - p1) > 0.1)
    # (b) general one-state MDP with non-constant r, alpha != 1: the policies differ
    r = np.array([inst.params["bandit"]], dtype=np.int64)
    A = r.shape[1]
    one = MDP(np.ones((1, A, 1), dtype=np.int64), gamma=mdp.gamma if mdp.gamma < 1 else "1/2")
    pi, pi2 = _soft_pi(one, r, lam), _soft_pi(one, PositiveScaling(alpha).apply(r, one), lam)
    diff = float(np.max(np.abs(pi - pi2)))
    return (bool(same and witness and diff > 1e-6),
            f"alpha = {alpha}: same optimal sets {same}; witness sigma(1) = {p1:.4f}, "
            f"sigma(2) = {p2:.4f}; one-state r = {r[0].tolist()}: policy change {diff:.3g}")


# ---------------------------------------------------------------------- shaping
def _shaping_strategy():
    from hypothesis import strategies as st

    return _instances(extra={"temperature": st.sampled_from([0.5, 1.0, 2.0]),
                             "phi": st.lists(st.floats(-5, 5), min_size=4, max_size=4)})


@register("shaping-invariance-mce", identity=True,
          statement="With gamma < 1 (infinite horizon), potential shaping R + gamma Phi(s') - "
                    "Phi(s) keeps the soft-optimal (MCE) policy at every temperature and the "
                    "optimal-action sets.",
          provenance="derived", area="transforms",
          tests=("tests/test_transforms.py::test_shaping_invariance_mce",
                 "tests/test_transforms.py::test_shaping_invariance_mce_given_potential",
                 "tests/test_transforms.py::test_stationary_shaping_is_not_a_finite_horizon_"
                 "invariance"),
          strategy=_shaping_strategy)
def _shaping_invariance_mce(inst):
    from ..transforms import PotentialShaping

    mdp, R = inst.mdp, inst.reward("R")
    lam = float(inst.params["temperature"])
    t = PotentialShaping.sample(mdp, _seed(inst))
    R2 = t.apply(R, mdp)
    gap = float(np.max(np.abs(_soft_pi(mdp, R, lam) - _soft_pi(mdp, R2, lam))))
    same = np.array_equal(optimal_actions(mdp, R), optimal_actions(mdp, R2))
    phi = np.array(inst.params["phi"][:mdp.n_states], dtype=float)
    R3 = PotentialShaping(phi).apply(R, mdp)
    gap3 = float(np.max(np.abs(_soft_pi(mdp, R, lam) - _soft_pi(mdp, R3, lam))))
    ok = _all_exact(R2) and gap <= 1e-9 and same and gap3 <= 1e-9
    return bool(ok), (f"exact sampled Phi: policy change {gap:.1e}, same optimal sets {same}; "
                      f"float Phi: policy change {gap3:.1e}")


# ---------------------------------------------------------------------- finite horizon
def _time_dependent_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    return _instances(horizon=ist.horizons(4),
                      extra={"temperature": st.sampled_from([0.5, 1.0, 2.0]),
                             "phi": st.lists(st.fractions(-5, 5, max_denominator=4),
                                             min_size=4, max_size=4)})


@register("time-dependent-shaping-finite-horizon",
          statement="With a finite horizon, time-dependent shaping gamma Phi_{t+1}(s') - Phi_t(s) "
                    "with constant Phi_H keeps every step's soft policy, V'_t = V_t - Phi_t + "
                    "gamma^(H-t) Phi_H; a stationary Phi moves log pi_{H-1} by gamma P Phi.",
          provenance="derived", area="transforms",
          tests=("tests/test_transforms.py::test_time_dependent_shaping_finite_horizon",
                 "tests/test_transforms.py::test_time_dependent_shaping_validation",
                 "tests/test_transforms.py::test_stationary_shaping_is_not_a_finite_horizon_"
                 "invariance",
                 "tests/test_transforms.py::test_stationary_shaping_changes_the_last_step",
                 "tests/test_transforms.py::test_soft_value_iteration_time_varying"),
          strategy=_time_dependent_strategy, identity=True)
def _time_dependent_shaping(inst):
    from ..transforms import PotentialShaping, TimeDependentShaping

    mdp, R = inst.mdp, inst.reward("R")
    lam = float(inst.params["temperature"])
    t = TimeDependentShaping.sample(mdp, _seed(inst))
    H, S, A = mdp.horizon, mdp.n_states, mdp.n_actions
    R2 = t.apply(R, mdp)
    if R2.shape != (H, S, A, S) or not _all_exact(R2):
        return False, f"output shape {R2.shape}, exact {_all_exact(R2)}"
    sol = soft_value_iteration(mdp, _as_float(R), temperature=lam)
    sol2 = soft_value_iteration(mdp, _as_float(R2), temperature=lam, time_varying=True)
    gap = float(np.max(np.abs(sol.policy - sol2.policy)))
    g, phis = float(mdp.gamma), _as_float(t.phis)
    shift = -phis + (g ** (H - np.arange(H + 1)) * phis[H, 0])[:, None]
    shift[H] = 0.0
    verr = float(np.max(np.abs(sol2.v - sol.v - shift)))
    # negative control: a stationary potential, at the last step
    phi = np.array([Fraction(v) for v in inst.array("phi").tolist()[:S]], dtype=object)
    D = _as_float(mdp.gamma * mdp.expectation(phi))
    spread = D.max(axis=1) - D.min(axis=1)
    st1 = soft_value_iteration(mdp, _as_float(R), tol=1e-13)
    st2 = soft_value_iteration(mdp, _as_float(PotentialShaping(phi).apply(R, mdp)), tol=1e-13)
    diff = st2.log_policy()[H - 1] - st1.log_policy()[H - 1]
    serr = float(np.max(np.abs(diff.max(axis=1) - diff.min(axis=1) - spread)))
    moved = float(np.max(np.abs(st2.policy[H - 1] - st1.policy[H - 1])))
    neg_ok = serr <= 1e-9 and ((moved > 0) == (spread.max() > 1e-12) or spread.max() <= 1e-12)
    ok = gap <= 1e-10 and verr <= 1e-9 and neg_ok
    return bool(ok), (f"policy change {gap:.1e}, value formula error {verr:.1e}; stationary Phi: "
                      f"spread error {serr:.1e}, max spread {spread.max():.3g}, last-step policy "
                      f"change {moved:.3g}")


# ---------------------------------------------------------------------- unreachable masks
def _unreachable_strategy():
    from hypothesis import strategies as st

    from ..mdp import MDP
    from ..testing import strategies as ist

    @st.composite
    def build(draw):
        base = draw(ist.mdps(horizon=st.none(), max_states=3, max_actions=3, max_support=2,
                             initial=st.sampled_from(["single", "random"])))
        if draw(st.booleans()):  # append a state u that nothing enters and is not initial
            S, A = base.n_states, base.n_actions
            P = np.empty((S + 1, A, S + 1), dtype=object)
            P[...] = Fraction(0)
            P[:S, :, :S] = base.transitions
            for a in range(A):
                P[S, a] = draw(ist.distributions(S + 1))
            base = MDP(P, np.append(base.initial, Fraction(0)), gamma=base.gamma)
        R = draw(ist.rewards(base, exact=True))
        return Instance(base, {"R": R}, {"seed": draw(st.integers(0, _SEED_MAX))})

    return build()


@register("unreachable-mask-invariance",
          statement="A mask of unreachable transitions keeps r, the soft policy, V*, Q* and the "
                    "optimal sets at every reachable state (any horizon); at an unreachable state "
                    "with A >= 2 a mask can change the optimal set.",
          provenance="derived", area="transforms",
          tests=("tests/test_transforms.py::test_unreachable_mask_invariance",
                 "tests/test_transforms.py::test_unreachable_mask_changes_unreachable_"
                 "optimal_sets"),
          strategy=_unreachable_strategy)
def _unreachable_mask_invariance(inst):
    from ..graph import reachable_states
    from ..transforms import ImpossibleTransitionMask, UnreachableMask, reachable_transitions

    mdp, R = inst.mdp, inst.reward("R")
    seed = _seed(inst)
    mask = reachable_transitions(mdp)
    reach = np.asarray(reachable_states(mdp), dtype=bool)
    if not np.array_equal(mask, mdp.support & reach[:, None, None]):
        return False, "reachable_transitions is not the support restricted to reachable states"
    t = UnreachableMask.sample(mdp, seed)
    R2 = t.apply(R, mdp)
    if np.any((R2 != broadcast_reward(R, mdp)) & mask):
        return False, "the mask changed a reachable transition"
    gap = float(np.max(np.abs(_soft_pi(mdp, R)[reach] - _soft_pi(mdp, R2)[reach])))
    (V, _), (V2, _) = optimal_values(mdp, R), optimal_values(mdp, R2)
    sameV = np.array_equal(V[reach], V2[reach])
    sameO = np.array_equal(optimal_actions(mdp, R)[reach], optimal_actions(mdp, R2)[reach])
    fin = mdp.replace(horizon=3)
    gapH = float(np.max(np.abs(_soft_pi(fin, R)[:, reach] - _soft_pi(fin, R2)[:, reach])))
    UnreachableMask(ImpossibleTransitionMask.sample(mdp, seed).table).delta(mdp)
    ok = gap <= 1e-9 and sameV and sameO and gapH <= 1e-12
    detail = (f"{int(reach.sum())}/{mdp.n_states} reachable: policy change {gap:.1e}, "
              f"horizon 3 {gapH:.1e}, same V* {sameV}, same optimal sets {sameO}")
    # negative control at an unreachable state
    un = np.flatnonzero(~reach)
    if un.size and mdp.n_actions >= 2:
        u, A, g = int(un[0]), mdp.n_actions, mdp.gamma
        O = optimal_actions(mdp, R)
        free = np.flatnonzero(~O[u])
        b = int(free[0]) if free.size else 0
        M = max(abs(v) for v in expected_reward(mdp, R).reshape(-1).tolist())
        C = 2 * M + 2 * M / (1 - g) + 1
        delta = np.empty((mdp.n_states, A, mdp.n_states), dtype=object)
        delta[...] = Fraction(0)
        delta[u, [a for a in range(A) if a != b]] = -C
        O2 = optimal_actions(mdp, UnreachableMask(delta).apply(R, mdp))
        neg = O2[u].tolist() == [a == b for a in range(A)] and not np.array_equal(O2[u], O[u])
        ok = ok and neg and np.array_equal(O2[reach], O[reach])
        detail += f"; mask at unreachable u={u} makes O(u) = {{{b}}}: {neg}"
    return bool(ok), detail


# ---------------------------------------------------------------------- OPT
@register("optimality-preserving-certificate",
          statement="The OPT reward Psi - gamma P Psi - [a not in O] g (+ S'R) has V* = Psi and "
                    "optimal sets O; a certificate Psi holds iff O = argmax Q*_R and Psi = V*_R; "
                    "scaling, shaping, S'R and masks pass it with the original sets.",
          provenance="derived", area="transforms",
          tests=("tests/test_transforms.py::test_optimality_preserving_certificate",
                 "tests/test_transforms.py::test_opt_special_cases",
                 "tests/test_transforms.py::test_optimality_preserving_validation"),
          strategy=lambda: _instances())
def _optimality_preserving(inst):
    from ..transforms import (Composition, ImpossibleTransitionMask, OptimalityPreserving,
                              PositiveScaling, PotentialShaping, SPrimeRedistribution,
                              optimality_certificate)

    mdp, R = inst.mdp, inst.reward("R")
    seed = _seed(inst)
    rng = np.random.default_rng(seed)
    t = OptimalityPreserving.sample(mdp, rng)
    O = optimal_actions(mdp, R)
    R2 = t.apply(R, mdp)
    if not np.array_equal(optimal_actions(mdp, R2), O):
        return False, "the OPT reward changed the optimal sets"
    V2, Q2 = optimal_values(mdp, R2)
    if not (np.array_equal(V2, t.psi) and np.array_equal((V2[:, None] - Q2)[~O], t.gaps[~O])):
        return False, "V* != Psi or the gaps off O differ"
    for reward in (R, R2):
        cert = optimality_certificate(mdp, reward, O)
        if not cert.verify():
            return False, f"certificate with the true sets fails: {cert.violation()}"
    cert = optimality_certificate(mdp, R2, O)
    if not np.array_equal(cert.psi, t.psi):
        return False, "certificate Psi differs from the construction's Psi"
    if replace(cert, psi=cert.psi + Fraction(1, 7)).verify():
        return False, "a tampered Psi verifies"
    if mdp.n_actions >= 2:
        S, A = O.shape
        s, a = int(rng.integers(S)), int(rng.integers(A))
        W = O.copy()
        if W[s, a] and W[s].sum() == 1:
            a = (a + 1) % A
        W[s, a] = not W[s, a]
        if optimality_certificate(mdp, R2, W).verify():
            return False, f"certificate with perturbed sets (s={s}, a={a}) verifies"
    for cls in (PositiveScaling, PotentialShaping, SPrimeRedistribution,
                ImpossibleTransitionMask, Composition):
        c2 = optimality_certificate(mdp, cls.sample(mdp, seed).apply(R, mdp), O)
        if not c2.verify():
            return False, f"{cls.__name__} output fails its certificate: {c2.violation()}"
    return True, (f"V* = Psi, optimal sets kept; true-set certificates verify, tampered and "
                  f"perturbed ones fail; 5 special cases OPT")


# ---------------------------------------------------------------------- completeness-lite
def _invariance_image(mdp, rng):
    from ..linalg import Subspace
    from ..transforms import ImpossibleTransitionMask, PotentialShaping, SPrimeRedistribution

    S, A = mdp.n_states, mdp.n_actions
    cols = [expected_reward(mdp, PotentialShaping(np.eye(S, dtype=np.int64)[s]).delta(mdp))
            for s in range(S)]
    cols += [expected_reward(mdp, cls.sample(mdp, rng).delta(mdp))
             for cls in (SPrimeRedistribution, ImpossibleTransitionMask)]
    V = np.empty((S * A, len(cols)), dtype=object)
    for j, c in enumerate(cols):
        V[:, j] = c.reshape(-1)
    return Subspace.span(V)


@register("mce-invariance-complete",
          statement="With gamma < 1 the (S, A) image U of shaping + S'R + impossible masks is "
                    "range(E - gamma P), of dimension S, and lambda ||log pi_{R+d} - log pi_R|| "
                    ">= dist(d, U): directions outside the class change the soft policy.",
          provenance="derived", area="transforms",
          tests=("tests/test_transforms.py::test_mce_invariance_complete",
                 "tests/test_transforms.py::test_composition_is_sequential_and_invariant"),
          strategy=lambda: _instances(min_actions=2))
def _mce_invariance_complete(inst):
    from ..transforms import Composition

    mdp, R = inst.mdp, inst.reward("R")
    rng = np.random.default_rng(_seed(inst))
    U = _invariance_image(mdp, rng)
    if not (U.is_exact and U.dim == mdp.n_states):
        return False, f"dim U = {U.dim}, expected S = {mdp.n_states}"
    S, A = mdp.n_states, mdp.n_actions
    x = np.array([Fraction(int(v)) for v in rng.integers(-3, 4, size=S * A)], dtype=object)
    perp = x - U.project(x)
    outside = any(v != 0 for v in perp.tolist())
    if outside and U.contains_vector(perp):
        return False, "the projection residual lies in U"
    d = perp.reshape(S, A)
    sol, sol2 = (soft_value_iteration(mdp, _as_float(Rx), tol=1e-13)
                 for Rx in (R, broadcast_reward(R, mdp) + d[:, :, None]))
    gap = float(np.linalg.norm(sol2.log_policy() - sol.log_policy()))
    dist = float(U.distance(d.reshape(-1)))
    ok = gap >= dist - 1e-7 and (gap > 1e-6 or not outside)
    # compositions of the transformations are sequential and invariant
    t = Composition.sample(mdp, _seed(inst))
    R2 = t.apply(R, mdp)
    seq = broadcast_reward(R, mdp)
    for part in t.transforms:
        seq = part.apply(seq, mdp)
    cgap = float(np.max(np.abs(_soft_pi(mdp, R) - _soft_pi(mdp, R2))))
    ok = ok and np.array_equal(R2, seq) and _all_exact(R2) and cgap <= 1e-9
    return bool(ok), (f"dim U = {U.dim}; ||d_perp|| = {dist:.4g} <= lambda ||log pi' - log pi|| "
                      f"= {gap:.4g}; composition policy change {cgap:.1e}")
