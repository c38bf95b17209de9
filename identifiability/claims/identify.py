"""Claims about finite-horizon MaxEnt identifiability (``identifiability.identify``): the
policy class ``K_Gamma``, the trajectory classes ``W_s0`` / ``W_Omega``, the verdicts, the
quick accepts and rejects, and the flow-space lemma behind the potential systems.

Models are small exact MDPs (``S <= 4``, ``A <= 3``, ``H <= 4``, ``gamma in {1, 4/5}``);
claims compared with trajectory enumeration use ``S <= 3``, ``A <= 2``, ``H <= 3``.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np

from ..mdp import MDP
from ..theorems import Instance, register
from .foundations import _floats, _instances, _relabel, _seeds

_GAMMAS = (Fraction(1), Fraction(4, 5))


def _models(max_states=4, max_actions=3, max_horizon=4, deterministic=None, initial="random",
            max_support=3, extra=None, min_horizon=1):
    from hypothesis import strategies as st

    return _instances(max_states=max_states, max_actions=max_actions,
                      deterministic=deterministic, horizon=st.integers(min_horizon,
                                                                       max_horizon),
                      gamma=st.sampled_from(_GAMMAS), initial=initial,
                      max_support=max_support, extra=extra)


def _seeded(**kw):
    return _models(extra=lambda m: {"seed": _seeds()}, **kw)


def _ones(mdp, exact=True):
    from ..linalg import Subspace

    return Subspace.constants(mdp.n_states * mdp.n_actions, exact=exact)


def _access(mdp, H=None):
    from ..graph import accessible_layers

    H = mdp.horizon if H is None else H
    return accessible_layers(mdp, H)[:H]


def _soft_log_policy(mdp, r, lam):
    from ..behaviour import soft_value_iteration

    return soft_value_iteration(mdp, np.asarray(r, dtype=float), horizon=mdp.horizon,
                                temperature=lam).log_policy()


def _enumerated_class(mdp, starts):
    """Brute force: directions with one discounted return on all trajectories from ``starts``."""
    from ..linalg import Subspace
    from ..reference import enumerate_trajectories

    S, A, g = mdp.n_states, mdp.n_actions, mdp.gamma
    rows = []
    for s0 in starts:
        for states, actions, _ in enumerate_trajectories(mdp, mdp.horizon, start=s0):
            phi = np.empty(S * A, dtype=object)
            phi[:] = Fraction(0)
            for t, (s, a) in enumerate(zip(states, actions)):
                phi[s * A + a] += g ** t
            rows.append(phi)
    M = np.array(rows, dtype=object)
    if M.shape[0] < 2:
        return Subspace.full(S * A)
    return Subspace.kernel(M[1:] - M[0])


def _single_start_cover(mdp):
    from ..graph import coverage_time

    times = [(coverage_time(mdp, start=s0), s0) for s0 in mdp.start_states]
    times = [(T, s0) for T, s0 in times if T is not None]
    return min(times) if times else (None, None)


# ---------------------------------------------------------------------- the classes
@register("gamma-class-exact",
          statement="k is in K_Gamma (k = nu_t - gamma P nu_{t+1} on Access) iff r and r + k have "
                    "the same soft policy on Access, for every r and lambda, iff J k = 0 for the "
                    "Jacobian J of r -> log pi on Access.",
          provenance="reconstructed", area="identify",
          tests=("tests/test_identify.py::test_gamma_class_exact",
                 "tests/test_identify.py::test_report_is_consistent_and_its_evidence_checks"),
          strategy=lambda: _seeded(max_states=3, max_horizon=3))
def _gamma_class_exact(inst):
    from ..identify import policy_class
    from ..linalg import Subspace
    from ..reference import log_policy_jacobian

    mdp = inst.mdp
    rng = np.random.default_rng(int(inst.params["seed"]))
    S, A = mdp.n_states, mdp.n_actions
    K = policy_class(mdp)
    Kf = K.to_float()
    r = rng.normal(size=(S, A))
    lam = float(rng.uniform(0.2, 2.0))
    acc = _access(mdp)
    base = _soft_log_policy(mdp, r, lam)
    k = (Kf.basis @ rng.normal(size=K.dim)).reshape(S, A) * 3
    same = float(np.abs(_soft_log_policy(mdp, r + k, lam)[acc] - base[acc]).max())
    J, _ = log_policy_jacobian(mdp, r, temperature=lam)
    KJ = Subspace.kernel(J, rtol=1e-7)
    JK = float(np.abs(J @ Kf.basis).max())
    moved = None
    if K.dim < S * A:
        out = K.orthogonal_complement().to_float().basis @ rng.normal(size=S * A - K.dim)
        out = out.reshape(S, A) / np.abs(out).max()
        moved = float(np.abs(_soft_log_policy(mdp, r + out, lam)[acc] - base[acc]).max())
    ok = same <= 1e-8 and KJ.dim == K.dim and JK < 1e-6 and (moved is None or moved > 1e-6)
    return ok, (f"dim K = {K.dim}, dim ker J = {KJ.dim}; policy change along K {same:.1e}, "
                f"outside K {moved}")


def _realisability_residual(mdp, logpi, lam):
    from ..identify import gamma_system

    Gd = gamma_system(mdp.to_float()).to_dense()
    G = gamma_system(mdp.to_float())
    xi = np.array([lam * logpi[t, s, a] for _, t, s, a in G.row_labels])
    x, *_ = np.linalg.lstsq(Gd, xi, rcond=None)
    return float(np.abs(Gd @ x - xi).max())


@register("realisability",
          statement="A full-support policy on Access is the soft policy of a time-homogeneous "
                    "reward iff lambda log pi is in the range of the Gamma system; when (A - 1) "
                    "sum_t |L_t| > S A - dim K_Gamma, random policies are a.s. not realisable.",
          provenance="reconstructed", area="identify",
          tests=("tests/test_identify.py::test_realisability",),
          strategy=lambda: _seeded(max_horizon=4))
def _realisability(inst):
    from ..identify import policy_class

    mdp = inst.mdp
    rng = np.random.default_rng(int(inst.params["seed"]))
    S, A, H = mdp.n_states, mdp.n_actions, mdp.horizon
    lam = float(rng.uniform(0.2, 2.0))
    res = _realisability_residual(mdp, _soft_log_policy(mdp, rng.normal(size=(S, A)), lam), lam)
    if res >= 1e-8:
        return False, f"the soft policy of a reward has residual {res:.1e}"
    free = int(_access(mdp).sum()) * (A - 1)
    if free > S * A - policy_class(mdp).dim:
        pi = rng.dirichlet(np.ones(A), size=(H, S))
        res_random = _realisability_residual(mdp, np.log(pi), lam)
        return res_random > 1e-6, f"realisable residual {res:.1e}; random {res_random:.1e}"
    return True, f"realisable residual {res:.1e} (dimension count does not force a gap)"


@register("class-nesting",
          statement="For every kernel, start support, gamma in (0, 1] and H >= 1: span(1) ⊆ "
                    "W_Omega ⊆ ∩_s0 W_s0 ⊆ K_Gamma, and the verdicts weak / almost-strong / "
                    "strong are the equalities of K_Gamma with these spaces.",
          provenance="derived", area="identify",
          tests=("tests/test_identify.py::test_class_nesting",
                 "tests/test_identify.py::test_report_is_consistent_and_its_evidence_checks"),
          strategy=lambda: _models())
def _class_nesting(inst):
    from ..identify import identify, policy_class, trajectory_classes

    mdp = inst.mdp
    K = policy_class(mdp)
    by_start, inter, shared = trajectory_classes(mdp)
    chain = shared.contains(_ones(mdp)) and inter.contains(shared) and K.contains(inter) and \
        all(W.contains(inter) for W in by_start.values())
    rep = identify(mdp)
    verdicts = rep.strong == (K.dim == 1) and rep.weak == K.equals(inter) and \
        rep.almost_strong == K.equals(shared)
    return chain and verdicts, (f"dims: W_Omega {shared.dim} <= ∩W {inter.dim} <= K {K.dim}; "
                                f"verdicts consistent: {verdicts}")


@register("potential-system-equals-enumeration",
          statement="The potential systems on the unrolled support DAG (recursion and explicit) "
                    "give exactly W_s0 per start and W_Omega with the shared constant: the "
                    "kernels of the enumerated, centred trajectory features.",
          provenance="derived", area="identify",
          tests=("tests/test_identify.py::test_potential_system_equals_enumeration",),
          strategy=lambda: _models(max_states=3, max_actions=2, max_horizon=3, max_support=2))
def _potential_system_equals_enumeration(inst):
    from ..identify import trajectory_classes

    mdp = inst.mdp
    by_start, inter, shared = trajectory_classes(mdp)
    by_sys, inter_sys, shared_sys = trajectory_classes(mdp, method="system")
    for s0, W in by_start.items():
        brute = _enumerated_class(mdp, [s0])
        if not (W.equals(brute) and by_sys[s0].equals(brute)):
            return False, f"W_{s0}: recursion {W.dim}, system {by_sys[s0].dim}, brute {brute.dim}"
    brute_all = _enumerated_class(mdp, mdp.start_states)
    ok = shared.equals(brute_all) and shared_sys.equals(brute_all) and inter.equals(inter_sys)
    return ok, f"W_Omega dim {shared.dim} (brute {brute_all.dim}), ∩W dim {inter.dim}"


@register("deterministic-weak",
          statement="Deterministic dynamics: K_Gamma = ∩_s0 W_s0 for every start support, gamma "
                    "in (0, 1] and H >= 1 (weak identifiability in Kim's sense).",
          provenance="read", area="identify",
          tests=("tests/test_identify.py::test_deterministic_weak",),
          strategy=lambda: _models(deterministic=True))
def _deterministic_weak(inst):
    from ..identify import identify, policy_class, trajectory_classes

    mdp = inst.mdp
    K = policy_class(mdp)
    _, inter, _ = trajectory_classes(mdp)
    ok = K.equals(inter) and identify(mdp).weak is True
    return ok, f"dim K_Gamma {K.dim}, dim ∩W {inter.dim}"


@register("fast-equals-dense",
          statement="policy_class (backward recursion) equals the null space of the dense Gamma "
                    "system projected on the reward block; float paths give the same dimensions "
                    "and verdicts on exact input.",
          provenance="derived", area="identify",
          tests=("tests/test_identify.py::test_fast_equals_dense",
                 "tests/test_identify.py::test_fast_equals_dense_float_verdicts",
                 "tests/test_identify.py::test_potential_system_equals_enumeration",
                 "tests/test_identify.py::test_float_path_reports_uncertain_rank_decisions"),
          strategy=lambda: _models())
def _fast_equals_dense(inst):
    from ..identify import _policy_class_dense, identify, policy_class

    mdp = inst.mdp
    K = policy_class(mdp)
    if not K.equals(_policy_class_dense(mdp)):
        return False, "recursion != dense null space"
    Kf = policy_class(mdp, arithmetic="float")
    if Kf.dim != K.dim or Kf.uncertain or not Kf.equals(K.to_float()):
        return False, f"float recursion dim {Kf.dim} (uncertain {Kf.uncertain}) != exact {K.dim}"
    if _policy_class_dense(mdp.to_float()).dim != K.dim:
        return False, "float dense dimension differs"
    rep, other = identify(mdp), identify(mdp.to_float())
    ok = other.verdicts() == rep.verdicts() and \
        (other.dim_policy_class, other.dim_trajectory_class, other.dim_shared_class) == \
        (rep.dim_policy_class, rep.dim_trajectory_class, rep.dim_shared_class)
    return ok, f"dim K_Gamma {K.dim} in every path; verdicts {rep.verdicts()}"


# ---------------------------------------------------------------------- necessary conditions
def _terminal_strategy():
    from hypothesis import strategies as st

    from .. import examples

    return st.one_of(_models(), st.just(Instance(examples.stochastic_fork(horizon=2))))


@register("terminal-coverage-necessary",
          statement="For u not in L_H, (E - gamma P) 1_u is in K_Gamma and is not constant when u "
                    "is in some L_t, t <= H - 1; so strong identifiability needs L_H = S "
                    "(and H >= the union coverage time).",
          provenance="derived", area="identify",
          tests=("tests/test_identify.py::test_terminal_coverage_necessary",
                 "tests/test_identify.py::test_two_state_swap_never_strong",
                 "tests/test_identify.py::test_E6_stochastic_fork"),
          strategy=_terminal_strategy)
def _terminal_coverage_necessary(inst):
    from ..graph import accessible_layers
    from ..identify import identify, policy_class

    mdp = inst.mdp
    H = mdp.horizon
    layers = accessible_layers(mdp)
    K = policy_class(mdp)
    if K.dim == 1 and not layers[H].all():
        return False, "strong although L_H != S"
    P = mdp.transitions
    missing = np.flatnonzero(~layers[H]).tolist()
    for u in missing:
        k = -mdp.gamma * P[:, :, u]
        k[u, :] += 1
        if not K.contains_vector(k.reshape(-1)):
            return False, f"(E - gamma P) 1_{u} is not in K_Gamma"
        if layers[:H, u].any() and len(set(k.reshape(-1).tolist())) <= 1:
            return False, f"k_{u} is constant although {u} is accessible before H"
    for u in np.flatnonzero(~layers[:H].any(axis=0)).tolist():
        for a in range(mdp.n_actions):
            e = np.zeros(mdp.n_states * mdp.n_actions, dtype=object)
            e[:] = Fraction(0)
            e[u * mdp.n_actions + a] = Fraction(1)
            if not K.contains_vector(e):
                return False, f"e_({u}, {a}) is not in K_Gamma although {u} is inaccessible"
    if missing and identify(mdp).strong is not False:
        return False, "identify says strong although L_H != S"
    return True, f"states missing from L_H: {missing}; dim K_Gamma {K.dim}"


def _kernel_p_strategy():
    from hypothesis import strategies as st

    h = Fraction(1, 2)
    P = [[[h, h, 0], [0, h, h]]] * 3
    pinned = Instance(MDP(P, initial=None, horizon=4, gamma=1))
    return st.one_of(_models(deterministic=False), st.just(pinned))


@register("kernel-P-remark20",
          statement="E ker P ⊆ K_Gamma for every horizon, start support and gamma; a nonzero x "
                    "in ker P gives a non-constant E x, so strong identifiability needs "
                    "ker P = {0}.",
          provenance="read", area="identify",
          tests=("tests/test_identify.py::test_kernel_P_remark20",
                 "tests/test_identify.py::test_kernel_P_quick_reject_on_a_stochastic_model"),
          strategy=_kernel_p_strategy)
def _kernel_P_remark20(inst):
    from ..identify import identify, policy_class, verify_witness
    from ..linalg import Subspace

    mdp = inst.mdp
    S, A = mdp.n_states, mdp.n_actions
    ker = Subspace.kernel(mdp.transitions.reshape(S * A, S))
    K = policy_class(mdp)
    for j in range(ker.dim):
        x = np.repeat(ker.basis[:, j], A)
        if not K.contains_vector(x):
            return False, "E x (x in ker P) is not in K_Gamma"
        if len(set(x.tolist())) <= 1:
            return False, "E x is constant for a nonzero x in ker P"
    if ker.dim:
        rep = identify(mdp)
        if rep.strong is not False or not verify_witness(mdp, rep.witness):
            return False, "ker P != 0 but identify does not reject with a valid witness"
    return True, f"dim ker P = {ker.dim}, dim K_Gamma = {K.dim}"


def _cor24_strategy():
    from hypothesis import strategies as st

    return st.one_of(_models(initial="uniform", max_horizon=1),
                     _models(initial="random", max_horizon=1))


def _action_difference(mdp):
    P = mdp.transitions
    A = mdp.n_actions
    if A == 1:
        return np.zeros((0, mdp.n_states), dtype=object)
    return np.concatenate([P[:, a, :] - P[:, 0, :] for a in range(1, A)], axis=0)


@register("cor24-rank-D",
          statement="H = 1 is never strongly identifiable when S >= 2 (dim K_Gamma >= S); if "
                    "L_{H-1} = L_{H-2} = S, H >= 2, gamma > 0 and rank D = S - 1 (D stacks "
                    "T(a) - T(a_0)), the model is strongly identifiable.",
          provenance="read", area="identify",
          tests=("tests/test_identify.py::test_cor24_h1_never_strong",
                 "tests/test_identify.py::test_cor24_rank_D"),
          strategy=_cor24_strategy)
def _cor24_rank_D(inst):
    from ..graph import accessible_layers
    from ..identify import identify, policy_class
    from ..linalg import rank

    mdp = inst.mdp
    S = mdp.n_states
    d1 = policy_class(mdp, 1).dim
    if S >= 2 and (d1 < S or identify(mdp, 1).strong is not False):
        return False, f"H = 1: dim K_Gamma = {d1} < S = {S} or reported strong"
    D = _action_difference(mdp)
    rD = rank(D) if D.shape[0] else 0
    layers = accessible_layers(mdp, 5)
    checked = []
    if rD == S - 1 and mdp.gamma > 0:
        for H in range(2, 6):
            if layers[H - 1].all() and layers[H - 2].all():
                if policy_class(mdp, H).dim != 1:
                    return False, f"H = {H}: full access, rank D = S - 1 but not strong"
                checked.append(H)
    return True, f"H = 1: dim {d1} >= S = {S}; rank D = {rD}; part (b) checked at H = {checked}"


# ---------------------------------------------------------------------- sufficient conditions
@register("coverage-sufficient-deterministic",
          statement="Deterministic P, gamma in (0, 1], a start s0 whose own layers cover S at T: "
                    "every H >= 2T + 1 is strongly identifiable; union-layer coverage does not "
                    "suffice (the two-state swap).",
          provenance="derived", area="identify",
          tests=("tests/test_identify.py::test_coverage_sufficient_deterministic",
                 "tests/test_identify.py::test_union_coverage_does_not_feed_the_quick_accept"),
          strategy=lambda: _covering_models())
def _coverage_sufficient_deterministic(inst):
    from ..identify import identify, policy_class

    mdp = inst.mdp
    if inst.params.get("swap"):
        for H in range(1, 7):
            rep = identify(mdp, H)
            if rep.strong is not False or rep.reason == "coverage" or \
                    policy_class(mdp, H).dim != 2:
                return False, f"swap at H = {H}: strong {rep.strong}, reason {rep.reason}"
        return True, "swap: never strong for H = 1..6 although the union layers cover"
    T, s0 = _single_start_cover(mdp)
    if T is None:
        return True, "no single start covers (premise not met)"
    for H in (2 * T + 1, 2 * T + 2):
        dim = policy_class(mdp, H).dim
        rep = identify(mdp, H)
        if dim != 1 or not rep.strong or rep.reason != "coverage" or \
                not rep.certificate.verify(mdp):
            return False, f"T({s0}) = {T}, H = {H}: dim K_Gamma = {dim}, reason {rep.reason}"
    return True, f"T({s0}) = {T}: strong at H = {2 * T + 1}, {2 * T + 2}"


def _covering_models(max_states=4):
    from hypothesis import strategies as st

    from .. import examples

    swap = Instance(examples.two_state_swap(), params={"swap": True})
    covering = _models(max_states=max_states, deterministic=True, max_horizon=1).filter(
        lambda i: _single_start_cover(i.mdp)[0] is not None)
    return st.one_of(covering, st.just(swap))


def _conjecture_2t_strategy():
    from hypothesis import strategies as st

    from .. import examples

    wiel = st.sampled_from([3, 4]).map(lambda n: Instance(examples.wielandt(n),
                                                          params={"n": n}))
    covering = _models(max_states=4, deterministic=True, max_horizon=1).filter(
        lambda i: _single_start_cover(i.mdp)[0] is not None)
    return st.one_of(covering, wiel)


@register("conjecture-horizon-2T",
          statement="Deterministic P, a start whose layers cover S at T: H = 2T is already "
                    "strongly identifiable; Wielandt graphs have H_min = T_cov + n - 1 at "
                    "gamma = 1.",
          provenance="empirical", area="identify", kind="conjecture",
          tests=("tests/test_identify.py::test_conjecture_horizon_2T",
                 "tests/test_identify.py::test_conjecture_wielandt_minimal_horizon"),
          strategy=_conjecture_2t_strategy)
def _conjecture_horizon_2T(inst):
    from ..graph import coverage_time
    from ..identify import minimal_horizon, policy_class

    mdp = inst.mdp
    if "n" in inst.params:
        n = int(inst.params["n"])
        T = (n - 1) ** 2 + 1
        Hmin = minimal_horizon(mdp)[0]
        return coverage_time(mdp) == T and Hmin == T + n - 1, \
            f"Wielandt n = {n}: T_cov {coverage_time(mdp)}, H_min {Hmin} (want {T + n - 1})"
    T, s0 = _single_start_cover(mdp)
    if T is None:
        return True, "no single start covers (premise not met)"
    dim = policy_class(mdp, 2 * T).dim
    return dim == 1, f"T({s0}) = {T}: dim K_Gamma at H = 2T = {2 * T} is {dim}"


@register("conjecture-monotone-horizon",
          statement="If a finite-horizon MaxEnt model is strongly identifiable at H, it is "
                    "strongly identifiable at H + 1 (same kernel, start support and gamma).",
          provenance="empirical", area="identify", kind="conjecture",
          tests=("tests/test_identify.py::test_conjecture_monotone_horizon",),
          strategy=lambda: _models(max_horizon=1))
def _conjecture_monotone_horizon(inst):
    from ..identify import policy_class

    mdp = inst.mdp
    verdicts = [policy_class(mdp, H).dim == 1 for H in range(1, 7)]
    first = verdicts.index(True) if True in verdicts else None
    ok = first is None or all(verdicts[first:])
    return ok, f"strong at H = 1..6: {verdicts}"


def _cor1_strategy():
    from hypothesis import strategies as st

    from ..graph import accessible_layers

    @st.composite
    def build(draw):
        S = draw(st.integers(1, 4))
        A = draw(st.integers(1, 3))
        succ = draw(st.lists(st.lists(st.integers(0, S - 1), min_size=A, max_size=A),
                             min_size=S, max_size=S))
        if draw(st.booleans()):
            succ[0][draw(st.integers(0, A - 1))] = 0          # a self-loop at s0 = 0
        P = np.zeros((S, A, S), dtype=np.int64)
        for s in range(S):
            P[s, np.arange(A), succ[s]] = 1
        init = np.zeros(S, dtype=np.int64)
        init[0] = 1
        return Instance(MDP(P, init, gamma=draw(st.sampled_from(_GAMMAS)), horizon=1))

    def reaches_all(inst):
        return accessible_layers(inst.mdp, inst.mdp.n_states, start=0).any(axis=0).all()

    return build().filter(reaches_all)


def _reach_depth(mdp, s0):
    from ..graph import accessible_layers

    seen = np.cumsum(accessible_layers(mdp, mdp.n_states, start=s0), axis=0) > 0
    return int(np.argmax(seen.all(axis=1))) if seen[-1].all() else None


@register("cao-cor1-horizons",
          statement="Deterministic, single start s0, every state reachable within d steps: a "
                    "self-loop at s0 gives strong identifiability for H >= d + 1; closed walks "
                    "at s0 of coprime lengths R, R' give it for H >= d + R R'.",
          provenance="read", area="identify",
          tests=("tests/test_identify.py::test_cao_cor1_horizons",),
          strategy=_cor1_strategy)
def _cao_cor1_horizons(inst):
    from ..graph import accessible_layers
    from ..identify import policy_class

    mdp = inst.mdp
    (s0,) = mdp.start_states
    d = _reach_depth(mdp, s0)
    if d is None:
        return True, "not every state is reachable (premise not met)"
    done = []
    if any(mdp.successors(s0, a) == (s0,) for a in range(mdp.n_actions)):
        for H in (d + 1, d + 2):
            if policy_class(mdp, H).dim != 1:
                return False, f"(ii) self-loop, d = {d}: not strong at H = {H}"
        done.append(f"(ii) H = {d + 1}, {d + 2}")
    layers = accessible_layers(mdp, 6, start=s0)
    lengths = [t for t in range(1, 7) if layers[t, s0]]
    pairs = [(R, Q) for R, Q in itertools.combinations(lengths, 2) if math.gcd(R, Q) == 1]
    if pairs:
        proper = [p for p in pairs if p[0] >= 2]      # prefer a pair without a self-loop
        R, Q = min(proper or pairs, key=lambda p: p[0] * p[1])
        sharp = 1 + (R - 1) * (Q - 1) + max(d, R + Q - 2)
        if sharp > d + R * Q:
            return False, f"sharper bound {sharp} > d + R R' = {d + R * Q}"
        Hs = sorted({sharp, d + R * Q})
        Hs = [H for H in Hs if H <= 10]
        for H in Hs:
            if policy_class(mdp, H).dim != 1:
                return False, f"(iii) R = {R}, R' = {Q}, d = {d}: not strong at H = {H}"
        done.append(f"(iii) R = {R}, R' = {Q} at H = {Hs}")
    return True, f"d = {d}; checked {done or 'nothing (no premise met)'}"


# ---------------------------------------------------------------------- invariance
def _verdict_strategy():
    from ..testing import strategies as ist

    return _models(extra=lambda m: {"perm": ist.permutations_of(m).map(lambda t: [t[0], t[1]]),
                                    "seed": _seeds()})


@register("verdict-invariance",
          statement="Verdicts and the dimensions of K_Gamma, ∩ W_s0 and W_Omega do not depend on "
                    "the reward or temperature and are unchanged by relabelling states and "
                    "actions; a witness works at every reward and temperature.",
          provenance="derived", area="identify",
          tests=("tests/test_identify.py::test_verdict_invariance",),
          strategy=_verdict_strategy)
def _verdict_invariance(inst):
    from ..identify import identify, verify_witness

    mdp = inst.mdp
    ps, pa = (np.asarray(p, dtype=np.int64) for p in inst.params["perm"])
    rep, new = identify(mdp), identify(_relabel(mdp, ps, pa))
    dims = (rep.dim_policy_class, rep.dim_trajectory_class, rep.dim_shared_class)
    dims2 = (new.dim_policy_class, new.dim_trajectory_class, new.dim_shared_class)
    if new.verdicts() != rep.verdicts() or dims != dims2:
        return False, f"verdicts/dims {rep.verdicts()} {dims} -> {new.verdicts()} {dims2}"
    if rep.witness is not None:
        rng = np.random.default_rng(int(inst.params["seed"]))
        k = _floats(rep.witness[1] - rep.witness[0])
        r = rng.normal(size=k.shape)
        if not verify_witness(mdp, (r, r + k), temperature=float(rng.uniform(0.2, 2.0))):
            return False, "the witness direction fails at a random reward and temperature"
    return True, f"dims {dims}, verdicts {rep.verdicts()}"


# ---------------------------------------------------------------------- flow space
def _dag_strategy():
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        n = draw(st.integers(2, 6))
        pairs = st.tuples(st.integers(0, n - 2), st.integers(1, n - 1)).filter(
            lambda p: p[0] < p[1])
        edges = draw(st.lists(pairs, max_size=10)) + [(0, n - 1)]
        reach, coreach = {0}, {n - 1}
        for _ in range(n):
            reach |= {j for i, j in edges if i in reach}
            coreach |= {i for i, j in edges if j in coreach}
        kept = [[i, j] for i, j in edges if i in reach and j in coreach]
        return Instance(params={"n": n, "edges": kept})

    return build()


def _paths(n, edges):
    """Edge-index sequences of all source-sink paths (brute force)."""
    out = []

    def walk(v, used):
        if v == n - 1:
            out.append(list(used))
            return
        for k, (i, j) in enumerate(edges):
            if i == v:
                walk(j, used + [k])

    walk(0, [])
    return out


@register("flow-space-lemma",
          statement="In a DAG multigraph whose every edge lies on an s-t path, the s-t path "
                    "incidence vectors span exactly the flow space (conservation at internal "
                    "vertices), of dimension |E| - |V| + 2.",
          provenance="derived", area="identify",
          tests=("tests/test_flow_space.py::test_flow_space_lemma",),
          strategy=_dag_strategy)
def _flow_space_lemma(inst):
    from ..linalg import Subspace, rank

    n = int(inst.params["n"])
    edges = [tuple(e) for e in inst.params["edges"]]
    E = len(edges)
    paths = _paths(n, edges)
    M = np.zeros((len(paths), E), dtype=np.int64)
    for row, p in enumerate(paths):
        M[row, p] = 1
    vertices = sorted({v for e in edges for v in e})
    internal = [v for v in vertices if v not in (0, n - 1)]
    C = np.zeros((len(internal), E), dtype=np.int64)
    for r, v in enumerate(internal):
        for k, (i, j) in enumerate(edges):
            C[r, k] += (j == v) - (i == v)
    spanned = Subspace.span(M.T.copy())
    conserving = Subspace.kernel(C) if internal else Subspace.full(E)
    rk = rank(M)
    ok = spanned.equals(conserving) and rk == E - len(vertices) + 2
    return ok, f"{len(paths)} paths, rank {rk}, |E| - |V| + 2 = {E - len(vertices) + 2}"
