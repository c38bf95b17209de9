"""Claims about the forward behavioural models (``identifiability.behaviour``) and the
brute-force oracles (``identifiability.reference``).

Also the shared instance helpers of the claims modules: :func:`_mdp_reward_instances`,
:func:`_instances` (any MDP strategy, an optional reward, parameters drawn per MDP),
:func:`_relabel` and the small conversions used by several areas."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..behaviour import soft_value_iteration
from ..mdp import MDP
from ..theorems import Instance, register


def _mdp_reward_instances(*, extra=None, max_states=4, max_actions=3, arity=None,
                          horizon=None):
    """Instances with an MDP (finite or infinite horizon), a float reward ``R`` and the
    parameters drawn by ``extra`` (a dict of strategies)."""
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    @st.composite
    def build(draw):
        mdp = draw(ist.mdps(max_states=max_states, max_actions=max_actions,
                            horizon=horizon if horizon is not None else st.one_of(
                                st.none(), st.integers(1, 4))))
        R = draw(ist.rewards(mdp, arity=arity))
        params = {k: draw(v) for k, v in (extra or {}).items()}
        return Instance(mdp, {"R": R}, params)

    return build()


def _shift_strategy():
    from hypothesis import strategies as st

    return _mdp_reward_instances(extra={"shift": st.floats(-10, 10),
                                        "temperature": st.sampled_from([0.5, 1.0, 2.0])})


@register("soft-policy-shift-invariance", identity=True,
          statement="Adding a constant to the reward leaves the soft-optimal policy unchanged "
                    "at every step (finite and infinite horizon); the values shift by "
                    "c sum_{k < H - t} gamma^k (c / (1 - gamma) when H is infinite).",
          provenance="derived", area="foundations",
          tests=("tests/test_behaviour.py::test_soft_policy_shift_invariance",
                 "tests/test_behaviour.py::test_soft_policy_shift_invariance_needs_a_constant"),
          strategy=_shift_strategy)
def _soft_policy_shift_invariance(inst):
    mdp, R = inst.mdp, np.asarray(inst.reward("R"), dtype=float)
    c, lam = float(inst.array("shift")), float(inst.array("temperature"))
    sol = soft_value_iteration(mdp, R, temperature=lam)
    shifted = soft_value_iteration(mdp, R + c, temperature=lam)
    g = float(mdp.gamma)
    gap = float(np.abs(shifted.policy - sol.policy).max())
    if mdp.horizon is None:
        want = np.full_like(sol.v, c / (1 - g))
        tol = 1e-7 / (1 - g)
    else:
        H = mdp.horizon
        want = np.array([c * sum(g ** k for k in range(H - t)) for t in range(H + 1)])
        want = want[:, None] + 0 * sol.v
        tol = 1e-8 * max(1.0, abs(c)) * (H + 1)
    vgap = float(np.abs(shifted.v - sol.v - want).max())
    return gap <= 1e-7 and vgap <= tol, f"max policy change {gap:.2e}, value-shift error {vgap:.2e}"


# ---------------------------------------------------------------------- shared helpers
def _instances(*, mdps=None, reward=None, extra=None, **mdp_kwargs):
    """Instances drawn from a strategy of MDPs (default ``ist.mdps(**mdp_kwargs)``).

    ``reward``: None (no reward) or a dict of :func:`ist.rewards` options (``arity``,
    ``exact``); the table is stored as ``"R"``.  ``extra``: a callable ``mdp -> dict of
    strategies``; each drawn value becomes a parameter."""
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    base = mdps if mdps is not None else ist.mdps(**mdp_kwargs)

    @st.composite
    def build(draw):
        mdp = draw(base)
        rewards = {} if reward is None else {"R": draw(ist.rewards(mdp, **reward))}
        params = {k: draw(v) for k, v in (extra(mdp) if extra else {}).items()}
        return Instance(mdp, rewards, params)

    return build()


def _seeds():
    from hypothesis import strategies as st

    return st.integers(0, 2 ** 32 - 1)


def _temperatures():
    from hypothesis import strategies as st

    return st.sampled_from([0.25, 0.5, 1.0, 2.0])


def _floats(x):
    """A float64 copy of an exact or float array."""
    return np.array(np.asarray(x, dtype=object).tolist(), dtype=float)


def _relabel(mdp, ps, pa):
    """The MDP with state ``i`` renamed ``ps[i]`` and action ``j`` renamed ``pa[j]``
    (``P'[ps[s], pa[a], ps[s']] = P[s, a, s']``, ``mu'[ps[s]] = mu[s]``)."""
    s, a, sn, p = mdp.entries()
    init = np.empty(mdp.n_states, dtype=mdp.initial.dtype)
    init[ps] = mdp.initial
    return MDP.from_entries((ps[s], pa[a], ps[sn], p), mdp.n_states, mdp.n_actions, init,
                            gamma=mdp.gamma, horizon=mdp.horizon)


def _relabel_table(table, ps, pa, lead=0):
    """``out[..., ps[s], pa[a], ps[s']] = table[..., s, a, s']`` over the trailing axes
    after ``lead`` leading axes."""
    table = np.asarray(table)
    out = np.empty_like(table)
    idx = (ps, pa, ps)[:table.ndim - lead]
    out[(slice(None),) * lead + np.ix_(*idx)] = table
    return out


def _close(a, b, atol):
    gap = float(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)).max()) \
        if np.size(a) else 0.0
    return gap <= atol, gap


# ---------------------------------------------------------------------- soft-optimal agent
def _soft_strategy():
    return _instances(max_states=4, max_actions=3, reward={},
                      extra=lambda m: {"temperature": _temperatures()})


def _dense(mdp, R):
    """Dense float ``P`` and ``r(s, a) = sum_s' P R`` without ``expected_reward``."""
    from ..reward import broadcast_reward

    P = _floats(mdp.transitions)
    return P, (P * _floats(broadcast_reward(R, mdp))).sum(axis=2)


@register("soft-bellman-consistency",
          statement="The soft-optimal agent satisfies Q_t = r + gamma P V_{t+1}, V_t = lambda "
                    "logsumexp(Q_t / lambda), log pi_t = (Q_t - V_t) / lambda (finite H); for "
                    "H infinite V is the soft Bellman fixed point to gamma * residual.",
          provenance="derived", area="foundations",
          tests=("tests/test_behaviour.py::test_soft_policy_is_a_distribution",
                 "tests/test_behaviour.py::test_soft_bellman_consistency_finite",
                 "tests/test_behaviour.py::test_soft_bellman_fixed_point_infinite",
                 "tests/test_reference.py::test_trajectory_distribution_bandit_is_product_of_softmax"),
          strategy=_soft_strategy)
def _soft_bellman_consistency(inst):
    mdp, R, lam = inst.mdp, inst.reward("R"), float(inst.params["temperature"])
    P, r = _dense(mdp, R)
    g = float(mdp.gamma)
    if mdp.horizon is not None:
        sol = soft_value_iteration(mdp, _floats(R), temperature=lam)
        H = mdp.horizon
        V = np.zeros((H + 1, mdp.n_states))
        Q = np.zeros((H, mdp.n_states, mdp.n_actions))
        for t in reversed(range(H)):   # an independent textbook re-implementation
            Q[t] = r + g * np.einsum("ijk,k->ij", P, V[t + 1])
            m = Q[t].max(axis=1)
            V[t] = m + lam * np.log(np.exp((Q[t] - m[:, None]) / lam).sum(axis=1))
        scale = 1 + np.abs(V).max()
        errs = [_close(sol.v, V, 1e-11 * scale)[1], _close(sol.q, Q, 1e-11 * scale)[1],
                _close(np.log(sol.policy), (Q - V[:-1, :, None]) / lam, 1e-9 * scale)[1],
                _close(sol.policy.sum(axis=-1), 1.0, 1e-12)[1]]
        ok = errs[0] <= 1e-11 * scale and errs[1] <= 1e-11 * scale and \
            errs[2] <= 1e-9 * scale and errs[3] <= 1e-12 and bool(np.all(sol.v[-1] == 0)) \
            and bool(np.all(sol.policy > 0))
        return ok, f"finite H={H}: errors V {errs[0]:.1e}, Q {errs[1]:.1e}, log pi {errs[2]:.1e}"
    sol = soft_value_iteration(mdp, _floats(R), temperature=lam, tol=1e-11)
    scale = 1 + np.abs(sol.v).max()
    floor = 16 * 2.3e-16 * scale
    Z = (r + g * P @ sol.v) / lam
    m = Z.max(axis=1)
    TV = lam * (m + np.log(np.exp(Z - m[:, None]).sum(axis=1)))
    fix = float(np.abs(TV - sol.v).max())
    qerr = float(np.abs(sol.q - (r + g * P @ sol.v)).max())
    perr = float(np.abs(np.log(sol.policy) - (sol.q - sol.v[:, None]) / lam).max())
    ok = fix <= g * max(sol.residual, floor) + 1e-12 * scale and \
        qerr <= g * sol.residual + 1e-12 * scale and perr <= 1e-10 * scale and \
        float(np.abs(sol.policy.sum(axis=-1) - 1).max()) <= 1e-12
    return ok, f"infinite: |TV - v| {fix:.1e}, q error {qerr:.1e}, residual {sol.residual:.1e}"


def _ziebart_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    chain = MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], gamma="1/2", horizon=3)
    cx = Instance(chain, {"R": [[0, 0], [1, 1]]}, {"temperature": 1.0, "counterexample": True})
    random = _instances(max_states=3, max_actions=2, deterministic=True,
                        horizon=st.integers(1, 3),
                        gamma=st.one_of(st.just(1), ist.discounts(allow_one=False,
                                                                  allow_zero=True)),
                        reward={}, extra=lambda m: {"temperature": _temperatures()})
    return st.one_of(st.just(cx), random)


@register("ziebart-law-deterministic", identity=True,
          statement="Deterministic P, finite H: lambda log p(tau|s0) - (r(tau) - V_0(s0)) = "
                    "sum_t (1 - gamma^t) r_t + (gamma - 1) sum_{t=1}^{H-1} V_t(s_t); so "
                    "Ziebart's law p = exp((r(tau) - V_0)/lambda) holds for gamma = 1 and "
                    "fails in general for gamma < 1.",
          provenance="reconstructed", area="foundations",
          tests=("tests/test_behaviour.py::test_ziebart_law_deterministic_gamma_one",
                 "tests/test_behaviour.py::test_ziebart_law_discount_defect",
                 "tests/test_behaviour.py::test_ziebart_law_fails_for_discount",
                 "tests/test_behaviour.py::test_ziebart_law_sympy",
                 "tests/test_reference.py::test_ziebart_probability_two_state_by_hand"),
          strategy=_ziebart_strategy)
def _ziebart_law_deterministic(inst):
    import math

    from .. import reference
    from ..behaviour import trajectory_return

    mdp, R, lam = inst.mdp, inst.reward("R"), float(inst.params["temperature"])
    if not mdp.is_deterministic:
        return False, "the instance is not deterministic"
    g = float(mdp.gamma)
    sol = soft_value_iteration(mdp, _floats(R), temperature=lam)
    V, log_pi = sol.v, sol.log_policy()
    _, r = _dense(mdp, R)
    worst, gap_z = 0.0, 0.0
    for states, actions, _ in reference.enumerate_trajectories(mdp, start=range(mdp.n_states)):
        log_p = sum(log_pi[t, s, a] for t, (s, a) in enumerate(zip(states, actions)))
        G = float(trajectory_return(mdp, R, states, actions))
        log_pz = (G - V[0, states[0]]) / lam
        defect = sum((1 - g ** t) * r[s, a] for t, (s, a) in enumerate(zip(states, actions)))
        defect += (g - 1) * sum(V[t, states[t]] for t in range(1, mdp.horizon))
        worst = max(worst, abs(log_p - log_pz - defect / lam))
        gap_z = max(gap_z, abs(log_p - log_pz))
    ok = worst <= 1e-9 * (1 + np.abs(V).max())
    if mdp.gamma == 1:
        ok = ok and gap_z <= 1e-9 * (1 + np.abs(V).max())
        law = reference.trajectory_distribution(mdp, _floats(R), temperature=lam)
        mu = _floats(mdp.initial)
        for (states, actions), p in law.items():
            z = reference.ziebart_probability(mdp, _floats(R), states, actions, temperature=lam)
            ok = ok and math.isclose(p, mu[states[0]] * z, rel_tol=1e-9, abs_tol=1e-300)
    if inst.params.get("counterexample"):
        ok = ok and gap_z > 1e-3
    return ok, f"defect formula error {worst:.1e}; max |log p - log p_Ziebart| {gap_z:.3f}"


def _variational_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    return _instances(max_states=3, max_actions=2, max_support=2, horizon=st.integers(1, 3),
                      reward={}, extra=lambda m: {
                          "temperature": _temperatures(),
                          "policy": ist.policies(m, horizon=m.horizon, exact=False)})


@register("soft-value-variational",
          statement="Finite H: V_0(s) - J_pi(s) = lambda sum_t gamma^t sum_s' d^pi_t(s'|s) "
                    "KL(pi_t(.|s') || pi*_t(.|s')) for the entropy-regularised return J_pi, so "
                    "V_0 = J_{pi*} = max_pi J_pi.",
          provenance="derived", area="foundations",
          tests=("tests/test_behaviour.py::test_soft_value_is_max_regularised_return",
                 "tests/test_reference.py::test_regularised_return_bandit_by_hand"),
          strategy=_variational_strategy)
def _soft_value_variational(inst):
    from .. import reference
    from ..behaviour import state_occupancy

    mdp, R, lam = inst.mdp, _floats(inst.reward("R")), float(inst.params["temperature"])
    pi = _floats(inst.array("policy"))
    sol = soft_value_iteration(mdp, R, temperature=lam)
    scale = 1 + np.abs(sol.v).max()
    J_soft = reference.regularised_return(mdp, R, sol.policy, temperature=lam)
    J = reference.regularised_return(mdp, R, pi, temperature=lam)
    g = float(mdp.gamma)
    kl = (pi * (np.log(pi) - sol.log_policy())).sum(axis=-1)
    fm = mdp.to_float()
    starts = np.eye(mdp.n_states)
    pred = np.array([lam * sum(g ** t * d[t] @ kl[t] for t in range(mdp.horizon))
                     for d in (state_occupancy(fm.replace(initial=e), pi) for e in starts)])
    e1 = float(np.abs(J_soft - sol.v[0]).max())
    e2 = float(np.abs(sol.v[0] - J - pred).max())
    ok = e1 <= 1e-9 * scale and e2 <= 1e-9 * scale and bool(np.all(J <= sol.v[0] + 1e-9 * scale))
    return ok, f"|J(pi*) - V_0| {e1:.1e}, KL identity error {e2:.1e}"


# ---------------------------------------------------------------------- hard optimality
def _exact_reward_strategy():
    return _instances(max_states=4, max_actions=3, reward={"exact": True},
                      extra=lambda m: {"beta_gaps": _beta_gaps()})


def _beta_gaps():
    from hypothesis import strategies as st

    return st.sampled_from([0.5, 2.0, 10.0, 50.0])


@register("boltzmann-limits",
          statement="The Boltzmann policy exp(beta A*) / Z is uniform at beta = 0; for beta >= 0 "
                    "a non-optimal action has probability <= exp(-beta g) and an optimal one is "
                    "within A exp(-beta g) of 1/|O(s)| (g the smallest positive gap).",
          provenance="derived", area="foundations",
          tests=("tests/test_behaviour.py::test_boltzmann_limits",),
          strategy=_exact_reward_strategy)
def _boltzmann_limits(inst):
    import math

    from ..behaviour import boltzmann_policy, optimal_actions, optimal_values

    mdp, R = inst.mdp, inst.reward("R")
    A = mdp.n_actions
    if not np.all(boltzmann_policy(mdp, R, beta=0) == 1.0 / A):
        return False, "beta = 0 is not uniform"
    V, Q = optimal_values(mdp, R)
    Vb = (V[:-1] if Q.ndim == 3 else V)[..., None]
    gaps = [x for x in np.asarray(Vb - Q, dtype=object).ravel() if x > 0]
    g = float(min(gaps)) if gaps else 1.0
    beta = float(inst.params["beta_gaps"]) / g
    pi = boltzmann_policy(mdp, R, beta=beta)
    opt = optimal_actions(mdp, R)
    # optimal_actions agrees with the exact zero advantages
    if not np.array_equal(opt, np.asarray(Vb - Q == 0, dtype=bool)):
        return False, "optimal_actions disagrees with the exact advantages"
    bound = math.exp(-beta * g)
    slack = 1e-12
    worst_non = float(pi[~opt].max()) if (~opt).any() else 0.0
    n_opt = opt.sum(axis=-1, keepdims=True)
    worst_opt = float(np.abs(np.where(opt, pi - 1.0 / n_opt, 0)).max())
    ok = worst_non <= bound * (1 + 1e-9) + slack and worst_opt <= A * bound * (1 + 1e-9) + slack \
        and float(np.abs(pi.sum(axis=-1) - 1).max()) <= 1e-12
    return ok, (f"beta g = {beta * g}: max non-optimal {worst_non:.3e} <= {bound:.3e}, "
                f"max optimal deviation {worst_opt:.3e} <= {A * bound:.3e}")


def _small_exact_strategy():
    from hypothesis import strategies as st

    return _instances(max_states=3, max_actions=2, horizon=st.one_of(st.none(),
                                                                       st.integers(1, 2)),
                      reward={"exact": True})


@register("optimal-values-bellman",
          statement="optimal_values returns V*_t(s) = max over deterministic Markov policies "
                    "(finite H, backward induction) or stationary policies (infinite H, policy "
                    "iteration), attained by any greedy policy; exact and float paths agree.",
          provenance="derived", area="foundations",
          tests=("tests/test_behaviour.py::test_optimal_values_match_brute_force",
                 "tests/test_behaviour.py::test_optimal_values_exact_matches_float",
                 "tests/test_reference.py::test_brute_force_optimal_values_by_hand"),
          strategy=_small_exact_strategy)
def _optimal_values_bellman(inst):
    from .. import reference
    from ..behaviour import optimal_actions, optimal_values, policy_evaluation

    mdp, R = inst.mdp, inst.reward("R")
    V, Q = optimal_values(mdp, R)
    brute = reference.brute_force_optimal_values(mdp, R)
    if V.tolist() != brute.tolist():
        return False, f"V* {V.tolist()} != brute force {brute.tolist()}"
    mask = optimal_actions(mdp, R)
    greedy = (mask & (np.cumsum(mask, axis=-1) == 1)).astype(np.int64)
    if policy_evaluation(mdp, R, greedy).tolist() != V.tolist():
        return False, "the greedy policy does not attain V*"
    Vf, Qf = optimal_values(mdp.to_float(), _floats(R))
    scale = 1 + np.abs(Vf).max()
    ok, gap = _close(_floats(V), Vf, 1e-9 * scale)
    ok2, gap2 = _close(_floats(Q), Qf, 1e-9 * scale)
    return ok and ok2, f"exact = brute force; float gap {max(gap, gap2):.1e}"


# ---------------------------------------------------------------------- given policies
def _policy_strategy(**kw):
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    @st.composite
    def policy(draw, m):
        tv = m.horizon is not None and draw(st.booleans())
        return draw(ist.policies(m, horizon=m.horizon if tv else None, exact=True))

    return _instances(reward={"exact": True}, extra=lambda m: {"policy": policy(m)}, **kw)


def _occupancy_strategy():
    from hypothesis import strategies as st

    return _policy_strategy(max_states=3, max_actions=2, max_support=2,
                            horizon=st.one_of(st.none(), st.integers(1, 3)))


def _path_law(mdp, pi):
    """Brute force: the law of ``s_t`` under the path measure, by enumerating trajectories."""
    from .. import reference

    H = mdp.horizon
    marg = np.empty((H + 1, mdp.n_states), dtype=object)
    marg[:] = Fraction(0)
    mu = mdp.initial
    for states, actions, p in reference.enumerate_trajectories(mdp):
        w = mu[states[0]] * p
        for t, (s, a) in enumerate(zip(states, actions)):
            w *= (pi[t] if pi.ndim == 3 else pi)[s, a]
        for t, s in enumerate(states):
            marg[t, s] += w
    return marg


@register("occupancy-normalisation",
          statement="State occupancies: finite H, d_0 = mu and d_{t+1} = d_t P_pi_t is the law "
                    "of s_t and a distribution (exactly); infinite H, d solves d (I - gamma P_pi) "
                    "= mu and sums to 1 / (1 - gamma).",
          provenance="derived", area="foundations",
          tests=("tests/test_behaviour.py::test_state_occupancy_normalisation",
                 "tests/test_behaviour.py::test_trajectory_law_marginals_match_occupancy",
                 "tests/test_reference.py::test_enumerate_trajectories_stochastic_by_hand"),
          strategy=_occupancy_strategy)
def _occupancy_normalisation(inst):
    from ..behaviour import state_occupancy

    mdp, pi = inst.mdp, inst.array("policy")
    d = state_occupancy(mdp, pi)
    if not all(x >= 0 for x in d.ravel()):
        return False, "a negative occupancy"
    if mdp.horizon is None:
        P = mdp.transitions
        Ppi = np.einsum("sa,sat->st", pi, P)
        lhs = d - mdp.gamma * (d @ Ppi)
        ok = d.sum() == 1 / (1 - mdp.gamma) and lhs.tolist() == mdp.initial.tolist()
        return ok, f"sum d = {d.sum()} (want {1 / (1 - mdp.gamma)}); d (I - gamma P_pi) = mu: " \
                   f"{lhs.tolist() == mdp.initial.tolist()}"
    sums = [row.sum() for row in d]
    law = _path_law(mdp, pi)
    ok = all(s == 1 for s in sums) and d[0].tolist() == mdp.initial.tolist() and \
        d.tolist() == law.tolist()
    return ok, f"row sums {sums}; equals the enumerated path law: {d.tolist() == law.tolist()}"


@register("occupancy-value-duality", identity=True,
          statement="sum_t gamma^t <x_t, r> = <mu, V^pi_0> (finite H) and <x, r> = <mu, V^pi> "
                    "(infinite H), exactly on exact input; V^pi_0 is the expected discounted "
                    "return over trajectories.",
          provenance="derived", area="foundations",
          tests=("tests/test_behaviour.py::test_occupancy_value_duality",
                 "tests/test_behaviour.py::test_policy_evaluation_matches_enumeration",
                 "tests/test_behaviour.py::test_policy_evaluation_exact_matches_float"),
          strategy=_occupancy_strategy)
def _occupancy_value_duality(inst):
    from .. import reference
    from ..behaviour import policy_evaluation, state_action_occupancy
    from ..reward import expected_reward

    mdp, R, pi = inst.mdp, inst.reward("R"), inst.array("policy")
    V = policy_evaluation(mdp, R, pi)
    x = state_action_occupancy(mdp, pi)
    rr = expected_reward(mdp, R)
    if mdp.horizon is None:
        lhs, rhs = (x * rr).sum(), (mdp.initial * V).sum()
    else:
        lhs = sum(mdp.gamma ** t * (x[t] * rr).sum() for t in range(mdp.horizon))
        rhs = (mdp.initial * V[0]).sum()
        if V[0].tolist() != reference.expected_return(mdp, R, pi).tolist():
            return False, "V^pi_0 differs from the enumerated expected return"
    if not (isinstance(lhs, Fraction) and lhs == rhs):
        return False, f"<x, r> = {lhs} != <mu, V> = {rhs}"
    Vf = policy_evaluation(mdp.to_float(), _floats(R), _floats(pi))
    ok, gap = _close(_floats(V), Vf, 1e-9 * (1 + np.abs(Vf).max()))
    return ok, f"<x, r> = <mu, V> = {lhs}; float gap {gap:.1e}"


def _relabel_strategy():
    from ..testing import strategies as ist

    return _instances(max_states=4, max_actions=3, reward={"exact": True}, extra=lambda m: {
        "perm": ist.permutations_of(m).map(lambda t: [t[0], t[1]]),
        "policy": ist.policies(m, exact=True)})


@register("relabelling-equivariance",
          statement="Renaming states and actions renames every model output the same way: soft "
                    "policies, V* and Q*, state occupancies and policy values.",
          provenance="derived", area="foundations",
          tests=("tests/test_behaviour.py::test_relabelling_equivariance",),
          strategy=_relabel_strategy)
def _relabelling_equivariance(inst):
    from ..behaviour import optimal_values, policy_evaluation, soft_policy, state_occupancy

    mdp, R, pi = inst.mdp, inst.reward("R"), inst.array("policy")
    ps, pa = (np.asarray(p, dtype=np.int64) for p in inst.params["perm"])
    new = _relabel(mdp, ps, pa)
    Rn = _relabel_table(R, ps, pa)
    idx = (slice(None),) if mdp.horizon is not None else ()

    def back(x):
        return x[idx + (ps,)][idx + (slice(None), pa)]

    ok_soft, gap = _close(back(soft_policy(new, Rn)), soft_policy(mdp, R), 1e-9)
    V, Q = optimal_values(mdp, R)
    Vn, Qn = optimal_values(new, Rn)
    ok_opt = Vn[..., ps].tolist() == V.tolist() and back(Qn).tolist() == Q.tolist()
    pin = _relabel_table(pi, ps, pa)
    ok_occ = state_occupancy(new, pin)[..., ps].tolist() == state_occupancy(mdp, pi).tolist()
    ok_val = policy_evaluation(new, Rn, pin)[..., ps].tolist() == \
        policy_evaluation(mdp, R, pi).tolist()
    return ok_soft and ok_opt and ok_occ and ok_val, \
        f"soft policy gap {gap:.1e}; V*/Q* {ok_opt}, occupancy {ok_occ}, value {ok_val}"


# ---------------------------------------------------------------------- comparisons
def _bt_strategy():
    from hypothesis import strategies as st

    @st.composite
    def trajectories(draw, m):
        n, T = draw(st.integers(1, 3)), draw(st.integers(0, 4))
        s = draw(st.lists(st.lists(st.integers(0, m.n_states - 1), min_size=T + 1,
                                   max_size=T + 1), min_size=n, max_size=n))
        a = draw(st.lists(st.lists(st.integers(0, m.n_actions - 1), min_size=T, max_size=T),
                          min_size=n, max_size=n))
        return {"states": s, "actions": a, "T": T}

    @st.composite
    def build(draw):
        inst = draw(_instances(max_states=4, max_actions=3, reward={"exact": True}))
        ta = draw(trajectories(inst.mdp))
        tb = draw(trajectories(inst.mdp))
        n = len(ta["states"])
        tb["states"] = (tb["states"] * n)[:n]
        tb["actions"] = (tb["actions"] * n)[:n]
        return Instance(inst.mdp, dict(inst.rewards), {"a": ta, "b": tb,
                                                       "beta": draw(st.floats(0, 20))})

    return build()


@register("bradley-terry-symmetry", identity=True,
          statement="For returns G(tau) = sum_t gamma^t R_t (exact on exact input) and p(a, b) = "
                    "sigmoid(beta (G(a) - G(b))): p(a, b) + p(b, a) = 1 and p(a, a) = 1/2.",
          provenance="derived", area="foundations",
          tests=("tests/test_behaviour.py::test_bradley_terry_complement",
                 "tests/test_behaviour.py::test_trajectory_return_matches_loop"),
          strategy=_bt_strategy)
def _bradley_terry_symmetry(inst):
    from ..behaviour import bradley_terry_probability, trajectory_return
    from ..reward import broadcast_reward

    mdp, R, beta = inst.mdp, inst.reward("R"), float(inst.params["beta"])

    def traj(p):
        n, T = len(p["states"]), int(p["T"])
        return (np.asarray(p["states"], dtype=np.int64).reshape(n, T + 1),
                np.asarray(p["actions"], dtype=np.int64).reshape(n, T))

    ta, tb = traj(inst.params["a"]), traj(inst.params["b"])
    Rb = broadcast_reward(R, mdp)
    for s, a in zip(*ta):
        loop = sum((mdp.gamma ** t * Rb[s[t], a[t], s[t + 1]] for t in range(len(a))),
                   Fraction(0))
        G = trajectory_return(mdp, R, s, a)
        if not (isinstance(G, Fraction) and G == loop):
            return False, f"return {G} != loop sum {loop}"
    pab = bradley_terry_probability(mdp, R, ta, tb, beta=beta)
    pba = bradley_terry_probability(mdp, R, tb, ta, beta=beta)
    paa = bradley_terry_probability(mdp, R, ta, ta, beta=beta)
    diff = _floats(trajectory_return(mdp, R, *ta) - trajectory_return(mdp, R, *tb))
    want = 1 / (1 + np.exp(-beta * diff))
    sym = float(np.abs(pab + pba - 1).max())
    ok = sym <= 1e-15 and bool(np.all(paa == 0.5)) and \
        bool(np.allclose(pab, want, rtol=1e-12, atol=1e-300))
    return ok, f"|p(a,b) + p(b,a) - 1| = {sym:.1e}; p(a,a) = {paa.tolist()}"
