"""Claims about infinite-horizon discounted identifiability (``identifiability.infinite``):
Cao et al.'s reward-from-policy formula, several experts, state-only rewards, transfer,
error bounds and linear features.

An instance's MDP is the first expert; further experts are parameters
``{"P": kernel, "gamma": discount}`` (exact ``"p/q"`` strings), so every instance is one JSON
document.  "The policy is preserved / changed" is always decided by soft value iteration.
"""

from __future__ import annotations

import numpy as np

from .._numbers import parse_array
from ..errors import InvalidParameterError
from ..mdp import MDP
from ..theorems import Instance, register
from .foundations import _floats, _instances, _seeds, _temperatures


# ---------------------------------------------------------------------- helpers
def _expert_param(mdp):
    return {"P": mdp.transitions, "gamma": mdp.gamma}


def _experts(inst):
    """The instance's experts: its MDP followed by the ``experts`` parameter."""
    out = [inst.mdp]
    for k, e in enumerate(inst.params.get("experts", [])):
        P = parse_array(e["P"], where=f"params['experts'][{k}]['P']",
                        error=InvalidParameterError)
        g = parse_array([e["gamma"]], where=f"params['experts'][{k}]['gamma']",
                        error=InvalidParameterError)[0]
        out.append(MDP(P, gamma=g))
    return out


def _experts_strategy(min_experts=2, max_experts=2, max_states=4, max_actions=3, extra=None,
                      **mdp_kwargs):
    """Instances with ``k`` infinite-horizon experts on one ``(S, A)`` and the parameters of
    ``extra(experts, draw)`` (a function returning a dict)."""
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    @st.composite
    def build(draw):
        S = draw(st.integers(1, max_states))
        A = draw(st.integers(1, max_actions))
        k = draw(st.integers(min_experts, max_experts))
        ms = [draw(ist.mdps(min_states=S, max_states=S, min_actions=A, max_actions=A,
                            horizon=st.none(), **mdp_kwargs)) for _ in range(k)]
        params = {"experts": [_expert_param(m) for m in ms[1:]]}
        params.update(extra(ms, draw) if extra else {})
        return Instance(ms[0], {}, params)

    return build()


def _soft(mdp, r, lam):
    from ..behaviour import soft_value_iteration

    return soft_value_iteration(mdp, _floats(r), temperature=lam, tol=1e-12)


def _policy_gap(mdp, r1, r2, lam):
    return float(np.abs(_soft(mdp, r1, lam).policy - _soft(mdp, r2, lam).policy).max())


def _iterated_intersection(experts):
    from ..infinite import consistent_class

    out = consistent_class(experts[0])
    for e in experts[1:]:
        out = out.intersect(consistent_class(e))
    return out


def _dense_shaping(mdp):
    """``E - gamma P`` from the dense kernel (an independent construction)."""
    P = np.asarray(mdp.transitions, dtype=object)
    S, A, _ = P.shape
    E = np.repeat(np.eye(S, dtype=np.int64), A, axis=0).astype(object)
    return E - mdp.gamma * P.reshape(S * A, S)


def _combination(U, rng):
    """A random integer combination of the basis of an exact subspace."""
    c = rng.integers(-2, 3, size=U.dim).astype(object)
    return U.basis @ c


def _changes_policy(mdp, r, w, lam):
    """``r`` and ``r + w`` have different soft policies, by at least ``dist(w, U) / lambda``
    in log-policy (the error identity)."""
    from ..infinite import consistent_class

    dist = consistent_class(mdp).distance(_floats(w).reshape(-1))
    gap = float(np.linalg.norm(_soft(mdp, r, lam).log_policy()
                               - _soft(mdp, _floats(r) + _floats(w), lam).log_policy()))
    return dist > 1e-9 and gap >= dist / lam * (1 - 1e-6) - 1e-9, dist, gap


# ---------------------------------------------------------------------- one expert
def _cao_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    return _instances(max_states=4, horizon=st.none(), reward={"arity": 2}, extra=lambda m: {
        "policy": ist.policies(m, full_support=True), "value": ist.potentials(m),
        "shift": ist.potentials(m), "temperature": _temperatures()})


@register("cao-thm1-reward-from-policy", identity=True,
          statement="Infinite horizon: f = lambda log pi + (E - gamma P) v has soft policy pi and "
                    "soft value v; every reward with policy pi is of this form, so the rewards "
                    "with policy pi are f + im(E - gamma P), of dimension S.",
          provenance="reconstructed", area="infinite",
          tests=("tests/test_infinite.py::test_cao_thm1_reward_from_policy_reproduces_policy_and_value",
                 "tests/test_infinite.py::test_cao_thm1_consistent_rewards_are_exactly_the_shaping_class",
                 "tests/test_infinite.py::test_shaping_matrix_equals_dense_E_minus_gamma_P",
                 "tests/test_infinite.py::test_consistent_class_has_dimension_S_and_contains_constants",
                 "tests/test_infinite.py::test_reward_from_policy_rejects_bad_input",
                 "tests/test_infinite.py::test_cao_thm1_identity_sympy"),
          strategy=_cao_strategy)
def _cao_thm1_reward_from_policy(inst):
    from ..infinite import consistent_class, reward_from_policy, shaping_matrix
    from ..linalg import Subspace

    mdp, lam = inst.mdp, float(inst.params["temperature"])
    pi, v = _floats(inst.array("policy")), _floats(inst.array("value"))
    r, u = _floats(inst.reward("R")), _floats(inst.array("shift"))
    M = shaping_matrix(mdp)
    if M.tolist() != _dense_shaping(mdp).tolist():
        return False, "shaping_matrix != E - gamma P"
    U = consistent_class(mdp)
    S, A = mdp.n_states, mdp.n_actions
    if U.dim != S or not U.contains(Subspace.constants(S * A)):
        return False, f"dim U = {U.dim} != S = {S} or 1 not in U"
    f = reward_from_policy(mdp, pi, value=v, temperature=lam)
    sol = _soft(mdp, f, lam)
    e_pi = float(np.abs(sol.policy - pi).max())
    e_v = float(np.abs(sol.v - v).max())
    if e_pi > 1e-8 or e_v > 1e-8 * max(1.0, np.abs(v).max()):
        return False, f"f reproduces pi to {e_pi:.1e} and v to {e_v:.1e}"
    shaped = r + (_floats(M) @ u).reshape(r.shape)
    keep = _policy_gap(mdp, shaped, r, lam)
    g = reward_from_policy(mdp, _soft(mdp, r, lam).policy, temperature=lam)
    back = U.distance((r - g).reshape(-1))
    ok = keep <= 1e-8 and back <= 1e-7 * (1 + np.abs(r).max())
    return ok, (f"policy/value reproduced ({e_pi:.1e}, {e_v:.1e}); shaping changes the policy "
                f"by {keep:.1e}; dist(r - f_r, U) = {back:.1e}")


def _error_strategy():
    from ..testing import strategies as ist

    def extra(ms, draw):
        m = ms[0]
        return {"R": draw(ist.rewards(m, arity=2)), "R_hat": draw(ist.rewards(m, arity=2)),
                "estimates": [draw(ist.policies(e, full_support=True)) for e in ms],
                "temperature": draw(_temperatures())}

    return _experts_strategy(2, 2, extra=extra)


@register("error-identity-two-expert-bound",
          statement="dist(r_hat - r, U_P) = lambda dist(log pi_hat - log pi, U_P); with two "
                    "experts, U_1 ∩ U_2 = span(1) and second principal angle theta, "
                    "dist(r_hat - r, span 1) <= eps_1 + (eps_1 + eps_2) / sin(theta).",
          provenance="derived", area="infinite",
          tests=("tests/test_infinite.py::test_error_identity",
                 "tests/test_infinite.py::test_two_expert_principal_angle_bound",
                 "tests/test_infinite.py::test_error_bound_input_errors"),
          strategy=_error_strategy)
def _error_identity_two_expert_bound(inst):
    from ..infinite import consistent_class, identify_experts, reward_error_bound
    from ..linalg import Subspace

    experts, lam = _experts(inst), float(inst.params["temperature"])
    mdp = experts[0]
    r, rh = _floats(inst.array("R")), _floats(inst.array("R_hat"))
    U = consistent_class(mdp)
    lp, lph = _soft(mdp, r, lam).log_policy(), _soft(mdp, rh, lam).log_policy()
    lhs = U.distance((rh - r).reshape(-1))
    rhs = lam * U.distance((lph - lp).reshape(-1))
    if abs(lhs - rhs) > 1e-10 * max(1.0, np.abs(r).max() + np.abs(rh).max()) or \
            rhs > lam * np.linalg.norm(lph - lp) + 1e-12:
        return False, f"identity: dist(r_hat - r, U) = {lhs} vs lambda dist(log-ratio) = {rhs}"
    rep = identify_experts(experts)
    S, A = mdp.n_states, mdp.n_actions
    if not (rep.identifiable and S >= 2):
        return True, f"identity holds ({lhs:.3e}); pair not identifiable: bound not applicable"
    err = Subspace.constants(S * A, exact=False).distance((rh - r).reshape(-1))
    logs = [_soft(e, r, lam).log_policy() for e in experts]
    worst = 0.0
    for pih in ([_soft(e, rh, lam).policy for e in experts],
                [_floats(p) for p in inst.array("estimates")]):
        model = [lam * np.linalg.norm(np.log(p) - lg) for p, lg in zip(pih, logs)]
        b = reward_error_bound(experts, rh, pih, temperature=lam, model_errors=model)
        for i, Ui in enumerate(rep.classes):
            if Ui.distance((rh - r).reshape(-1)) > b.eps[i] * (1 + 1e-9) + 1e-9:
                return False, f"dist(r_hat - r, U_{i}) exceeds eps_{i} = {b.eps[i]}"
        formula = b.eps[0] + (b.eps[0] + b.eps[1]) / np.sin(rep.margin)
        if err > b.bound * (1 + 1e-9) + 1e-9 or b.bound > formula + 1e-9:
            return False, f"error {err} vs bound {b.bound} (formula {formula})"
        worst = max(worst, err / b.bound if b.bound else 0.0)
    return True, f"identity holds; error / bound <= {worst:.3f}"


def _state_only_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    return _instances(max_states=4, horizon=st.none(),
                      gamma=ist.discounts(allow_zero=True, allow_one=False),
                      extra=lambda m: {"f": ist.rewards(m, arity=1),
                                       "temperature": _temperatures()})


def _co_successor_components(mdp):
    """Union-find over 'both successors of a common state' (an independent loop)."""
    parent = list(range(mdp.n_states))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for s in range(mdp.n_states):
        succ = sorted({t for a in range(mdp.n_actions) for t in mdp.successors(s, a)})
        for t in succ[1:]:
            parent[find(t)] = find(succ[0])
    return len({find(x) for x in range(mdp.n_states)})


@register("state-only-kernel-D",
          statement="State-only rewards, one infinite-horizon expert: the ambiguity has dimension "
                    "dim ker(gamma D) = dim(im E ∩ U_P); identifiable => co-successor graph "
                    "connected, with equality of dim ker D and components for deterministic P.",
          provenance="reconstructed", area="infinite",
          tests=("tests/test_infinite.py::test_state_only_kernel_D_equals_im_E_cap_U",
                 "tests/test_infinite.py::test_state_only_deterministic_decomposable",
                 "tests/test_infinite.py::test_state_only_exact_float_and_relabelling",
                 "tests/test_infinite.py::test_state_only_catalogue_I4_bipartite",
                 "tests/test_infinite.py::test_state_only_cao_example1_and_action_independent_dynamics",
                 "tests/test_infinite.py::test_state_only_myopic_agent_identifies_nothing"),
          strategy=_state_only_strategy)
def _state_only_kernel_D(inst):
    from ..infinite import action_difference_matrix, consistent_class, state_only_identifiable
    from ..linalg import Subspace, rank

    mdp, lam = inst.mdp, float(inst.params["temperature"])
    S, A = mdp.n_states, mdp.n_actions
    rep = state_only_identifiable(mdp)
    E = np.repeat(np.eye(S, dtype=np.int64), A, axis=0)
    cap = Subspace.span(E).intersect(consistent_class(mdp))
    D = action_difference_matrix(mdp)
    kerD = S if mdp.gamma == 0 or D.shape[0] == 0 else S - rank(D)
    comps = _co_successor_components(mdp)
    checks = {
        "dims": rep.dim_ambiguity == cap.dim == kerD,
        "verdict": rep.identifiable == (cap.dim == 1),
        "lifted": Subspace.span(np.repeat(rep.ambiguity.basis, A, axis=0)).equals(cap),
        "components": rep.n_components == comps,
        "decomposable": (not rep.identifiable) or rep.decomposable,
        "deterministic": (not mdp.is_deterministic or mdp.gamma == 0)
        or kerD == comps,
    }
    if rep.witness is not None:
        f = _floats(inst.array("f"))
        w = _floats(rep.witness[1] - rep.witness[0])
        checks["witness"] = np.ptp(w) > 0 and _policy_gap(mdp, f + w, f, lam) <= 1e-8
    bad = [k for k, v in checks.items() if not v]
    return not bad, (f"dim ambiguity {rep.dim_ambiguity}, dim(im E ∩ U) {cap.dim}, "
                     f"dim ker D {kerD}, components {comps}" + (f"; failed {bad}" if bad else ""))


def _two_discounts_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    swap = Instance(MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2"),
                    params={"gamma2": "9/10"})
    return st.one_of(_instances(max_states=4, horizon=st.none(), extra=lambda m: {
        "gamma2": ist.discounts(allow_one=False)}), st.just(swap))


@register("two-discounts-rank-D",
          statement="One kernel, two discounts gamma_1 != gamma_2 in [0, 1): dim(U_1 ∩ U_2) = "
                    "dim ker D, so identifiable iff rank D = S - 1; equal discounts give "
                    "dim = S.",
          provenance="derived", area="infinite",
          tests=("tests/test_infinite.py::test_two_discounts_rank_D",),
          strategy=_two_discounts_strategy)
def _two_discounts_rank_D(inst):
    from ..infinite import action_difference_matrix, identify_experts
    from ..linalg import rank

    mdp = inst.mdp
    g2 = parse_array([inst.params["gamma2"]], where="params['gamma2']",
                     error=InvalidParameterError)[0]
    S = mdp.n_states
    rep = identify_experts([mdp, mdp.replace(gamma=g2)])
    if g2 == mdp.gamma:
        return rep.dim_intersection == S, f"equal discounts: dim {rep.dim_intersection} (S = {S})"
    D = action_difference_matrix(mdp)
    rD = rank(D) if D.shape[0] else 0
    ok = rep.dim_intersection == S - rD and rep.identifiable == (rD == S - 1)
    return ok, f"dim(U_1 ∩ U_2) = {rep.dim_intersection}, dim ker D = {S - rD}"


# ---------------------------------------------------------------------- several experts
def _multi_strategy():
    from hypothesis import strategies as st

    from .. import examples

    cao = examples.get("cao2021-example1-v0").replace(gamma="1/2", horizon=None)
    pinned = Instance(cao, params={"experts": [_expert_param(cao.replace(gamma="9/10"))],
                                   "seed": 0, "temperature": 1.0})
    return st.one_of(_experts_strategy(1, 3, extra=lambda ms, draw: {
        "seed": draw(_seeds()), "temperature": draw(_temperatures())}), st.just(pinned))


@register("multi-expert-rank",
          statement="Experts (P_i, gamma_i) sharing r: the consistent rewards are r + ∩_i U_i; "
                    "identifiable up to a constant iff dim ∩ U_i = 1, where dim ∩ U_i = K S - "
                    "rank C; a non-constant w in ∩ U_i keeps every expert's policy.",
          provenance="derived", area="infinite",
          tests=("tests/test_infinite.py::test_multi_expert_rank_condition",
                 "tests/test_infinite.py::test_multi_expert_witness_preserves_every_policy",
                 "tests/test_infinite.py::test_multi_expert_exact_and_float_agree",
                 "tests/test_infinite.py::test_multi_expert_verdict_invariant_under_relabelling",
                 "tests/test_infinite.py::test_multi_expert_catalogue_I1_single_expert_identifies_nothing",
                 "tests/test_infinite.py::test_multi_expert_input_errors"),
          strategy=_multi_strategy)
def _multi_expert_rank(inst):
    from ..infinite import consistent_class, identify_experts
    from ..linalg import Subspace, rank

    experts, lam = _experts(inst), float(inst.params["temperature"])
    rng = np.random.default_rng(int(inst.params["seed"]))
    rep = identify_experts(experts)
    S, A, K = experts[0].n_states, experts[0].n_actions, len(experts)
    inter = _iterated_intersection(experts)
    # an independent coupling matrix: dim ker [A_1 -A_k ...] = K S - rank
    blocks = [_dense_shaping(e) for e in experts]
    C = np.zeros(((K - 1) * S * A if K > 1 else 1, K * S), dtype=object)
    C[:] = 0
    for k in range(1, K):
        C[(k - 1) * S * A:k * S * A, :S] = blocks[0]
        C[(k - 1) * S * A:k * S * A, k * S:(k + 1) * S] = -blocks[k]
    dimC = K * S - rank(C)
    checks = {
        "intersection": rep.intersection.equals(inter) and rep.dim_intersection == inter.dim
        == dimC,
        "constants": rep.intersection.contains(Subspace.constants(S * A)),
        "verdict": rep.identifiable == (inter.dim == 1),
        "certificate": rep.certificate.verify(rep.system)
        and rep.certificate.rank == K * S - rep.dim_intersection,
    }
    r = rng.normal(size=(S, A))
    if rep.identifiable:
        w = rep.classes[0].vector_not_in(Subspace.constants(S * A))
        if w is not None and K >= 2:
            changed = [e for e in experts[1:]
                       if consistent_class(e).distance(_floats(w)) > 1e-9]
            checks["changes"] = bool(changed) and _changes_policy(
                changed[0], r, _floats(w).reshape(S, A), lam)[0]
    else:
        w = _floats(rep.witness[1] - rep.witness[0])
        w2 = _floats(_combination(rep.intersection, rng)).reshape(S, A)
        checks["witness"] = np.ptp(w) > 0 and all(
            _policy_gap(e, r + w, r, lam) <= 1e-8 and _policy_gap(e, r + w2, r, lam) <= 1e-8
            for e in experts)
    bad = [k for k, v in checks.items() if not v]
    return not bad, (f"K = {K}, dim ∩ U_i = {inter.dim} (coupling {dimC}), identifiable "
                     f"{rep.identifiable}" + (f"; failed {bad}" if bad else ""))


def _transfer_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    def extra(ms, draw):
        S, A = ms[0].n_states, ms[0].n_actions
        target = draw(ist.mdps(min_states=S, max_states=S, min_actions=A, max_actions=A,
                               horizon=st.none()))
        return {"target": _expert_param(target), "seed": draw(_seeds()),
                "temperature": draw(_temperatures())}

    return _experts_strategy(1, 2, extra=extra)


@register("transfer-criterion",
          statement="Every reward consistent with all experts' soft policies gives the target "
                    "(P', gamma') the true target policy iff ∩_i U_i ⊆ U' = im(E - gamma' P'); "
                    "independent of r and lambda.",
          provenance="derived", area="infinite",
          tests=("tests/test_infinite.py::test_transfer_criterion",),
          strategy=_transfer_strategy)
def _transfer_criterion(inst):
    from ..infinite import consistent_class, transfers

    experts, lam = _experts(inst), float(inst.params["temperature"])
    target = _experts(Instance(inst.mdp, {}, {"experts": [inst.params["target"]]}))[1]
    rng = np.random.default_rng(int(inst.params["seed"]))
    S, A = experts[0].n_states, experts[0].n_actions
    rep = transfers(experts, target)
    inter = _iterated_intersection(experts)
    want = consistent_class(target).contains(inter)
    if rep.transfers != want or not rep.certificate.verify(rep.system) or \
            (rep.certificate.rank == S) != rep.transfers:
        return False, f"transfers = {rep.transfers}, containment {want}"
    r = rng.normal(size=(S, A))
    if rep.transfers:
        w = _floats(_combination(inter, rng)).reshape(S, A)
        gap = _policy_gap(target, r + w, r, lam)
        ok = gap <= 1e-8
        detail = f"transfers; a consistent reward moves the target policy by {gap:.1e}"
    else:
        w = _floats(rep.witness[1] - rep.witness[0])
        ok = all(_policy_gap(e, r + w, r, lam) <= 1e-8 for e in experts)
        changed, dist, gap = _changes_policy(target, r, w, lam)
        ok = ok and changed
        detail = f"does not transfer; witness moves the target by {gap:.2e} >= {dist / lam:.2e}"
    if rep.experts_report.identifiable and not rep.transfers:
        return False, "identifiable experts but no transfer"
    return ok, detail


def _feature_strategy():
    from hypothesis import strategies as st

    def extra(ms, draw):
        S, A = ms[0].n_states, ms[0].n_actions
        d = draw(st.integers(1, 4))
        F = np.array(draw(st.lists(st.lists(st.integers(-2, 2), min_size=S * A,
                                            max_size=S * A), min_size=d, max_size=d)),
                     dtype=np.int64).T
        if draw(st.booleans()):
            F[:, draw(st.integers(0, d - 1))] = 1
        theta = draw(st.lists(st.integers(-3, 3), min_size=d, max_size=d))
        return {"F": F, "theta": theta, "temperature": draw(_temperatures())}

    return _experts_strategy(1, 2, extra=extra)


@register("feature-restriction",
          statement="Rewards r = F theta: the theta with the same policies are theta + "
                    "ker((I - Pi_K) F), of dimension dim ker F + dim(K ∩ ran F); theta is "
                    "identified iff ker F = 0 and K ∩ ran F = 0, and then recovered from the "
                    "policy.",
          provenance="derived", area="infinite",
          tests=("tests/test_infinite.py::test_feature_restriction",
                 "tests/test_infinite.py::test_feature_restriction_examples_and_errors"),
          strategy=_feature_strategy)
def _feature_restriction(inst):
    from ..infinite import consistent_class, feature_identifiability
    from ..linalg import Subspace

    experts, lam = _experts(inst), float(inst.params["temperature"])
    F = np.asarray(inst.params["F"], dtype=np.int64)
    theta = np.asarray(inst.params["theta"], dtype=float)
    S, A = experts[0].n_states, experts[0].n_actions
    rep = feature_identifiability(experts, F)
    K = _iterated_intersection(experts)
    kerF = Subspace.kernel(F)
    cap = K.intersect(Subspace.span(F))
    checks = {
        "class": rep.ambiguity_class.equals(K),
        "reward ambiguity": rep.reward_ambiguity.equals(cap),
        "dimension": rep.dim_theta_ambiguity == kerF.dim + cap.dim,
        "maps into K": all(K.contains_vector(F @ rep.theta_ambiguity.basis[:, j])
                           for j in range(rep.theta_ambiguity.dim)),
        "verdict": rep.identifiable == (kerF.dim == 0 and cap.dim == 0),
    }
    r = (F @ theta).reshape(S, A)
    if rep.witness is not None:
        t2 = _floats(rep.witness[1])
        checks["witness"] = all(_policy_gap(e, r + (F @ t2).reshape(S, A), r, lam) <= 1e-8
                                for e in experts)
    if rep.identifiable and len(experts) == 1:
        e = experts[0]
        b = lam * _soft(e, r, lam).log_policy().reshape(-1)
        U = consistent_class(e)
        Ff = F.astype(float)
        theta_hat = np.linalg.lstsq(Ff - U.project(Ff), b - U.project(b), rcond=None)[0]
        checks["recovery"] = bool(np.allclose(theta_hat, theta, atol=1e-6))
    bad = [k for k, v in checks.items() if not v]
    return not bad, (f"dim theta-ambiguity {rep.dim_theta_ambiguity} = dim ker F {kerF.dim} + "
                     f"dim(K ∩ ran F) {cap.dim}" + (f"; failed {bad}" if bad else ""))
