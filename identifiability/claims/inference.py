"""Claims about maximum-likelihood reward inference under an assumed model
(``identifiability.inference``): curvature, closed-form inverses, saturation, a wrong
temperature and a wrong Bradley-Terry link.

Instances that are not MDP-based (finite choice sets, Bradley-Terry designs) are
``Instance(None, {}, params)`` with the features and probabilities in ``params``; the MDP
claims draw their MDP with :mod:`identifiability.testing.strategies`.  Every array a check
needs is stored in the instance (drawn from a seed inside the strategy), so a saved
counterexample re-checks on its own.
"""

from __future__ import annotations

import math

import numpy as np

from ..theorems import Instance, register

_SEEDS = (0, 2 ** 32 - 1)


def _st():
    """``hypothesis.strategies``, imported lazily (the registry imports without hypothesis)."""
    from hypothesis import strategies as st

    return st


def _fl(inst, name):
    """Parameter ``name`` as a float64 array (exact ``"p/q"`` entries converted)."""
    try:
        return np.asarray(inst.params[name], dtype=float)
    except (TypeError, ValueError):     # "p/q" strings: the exact parser
        a = inst.array(name)
        return np.asarray(a.astype(float) if a.dtype == object else a, dtype=float)


def _small_float_mdps(max_states=4, min_actions=2, max_actions=3, gammas=(0.5, 0.7, 0.9)):
    """Float, discounted, infinite-horizon MDPs (as the robustness and inference tests)."""
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    return ist.mdps(min_states=1, max_states=max_states, min_actions=min_actions,
                    max_actions=max_actions, exact=False,
                    gamma=st.sampled_from(list(gammas)), horizon=st.none(),
                    initial="uniform")


def _fd_hess(f, x, h=1e-4):
    """Central finite-difference Hessian (the oracle of ``tests/test_inference.py``); for a
    vector-valued ``f`` the Hessians of its components, stacked on the last axes."""
    d = x.size
    E = np.eye(d)
    H = np.empty((d, d) + np.shape(f(x)))
    for i in range(d):
        for j in range(i, d):
            H[i, j] = H[j, i] = (f(x + h * E[i] + h * E[j]) - f(x + h * E[i] - h * E[j])
                                 - f(x - h * E[i] + h * E[j])
                                 + f(x - h * E[i] - h * E[j])) / (4 * h * h)
    return H


def _link(name, x):
    """Increasing symmetric links ``F(-x) = 1 - F(x)``: the true preference model."""
    x = np.asarray(x, dtype=float)
    if name == "logistic":
        return 1.0 / (1.0 + np.exp(-x))
    if name == "probit":
        return np.array([0.5 * (1.0 + math.erf(v / math.sqrt(2.0))) for v in x.ravel()])
    if name == "linear-clipped":
        return np.clip(0.5 + x / 4.0, 0.0, 1.0)
    return 0.5 + np.arctan(x) / np.pi          # Cauchy


# ---------------------------------------------------------------------- bt-link-ranking-tabular
def _bt_link_strategy():
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        seed = draw(st.integers(*_SEEDS))
        n = draw(st.integers(3, 6))
        link = draw(st.sampled_from(["logistic", "probit", "linear-clipped", "cauchy"]))
        rng = np.random.default_rng(seed)
        u = (rng.permutation(n) + rng.uniform(-0.3, 0.3, n)) * rng.uniform(0.2, 1.5)
        return Instance(None, {}, {"utilities": u, "link": link})

    return build()


@register("bt-link-ranking-tabular",
          statement="A tabular, complete, balanced Bradley-Terry (logistic) MLE orders the items "
                    "as the true utilities for any increasing symmetric true link; false in "
                    "general with linear features.",
          provenance="derived", area="inference",
          tests=("tests/test_inference.py::test_bt_link_misspecification_tabular_ranking",
                 "tests/test_inference.py::"
                 "test_bt_link_misspecification_linear_features_is_not_order_preserving"),
          strategy=_bt_link_strategy)
def _bt_link_ranking_tabular(inst):
    from ..inference import fit_comparisons

    u = _fl(inst, "utilities")
    n = u.size
    I, J = np.triu_indices(n, k=1)
    E = np.eye(n)
    p = np.clip(_link(inst.params["link"], u[I] - u[J]), 1e-6, 1 - 1e-6)
    res = fit_comparisons(E[I], E[J], p)
    if not res.converged:
        return False, f"fit did not converge ({res.status})"
    th = np.asarray(res.theta_hat, dtype=float)
    wins, fitted = np.zeros(n), np.zeros(n)
    np.add.at(wins, I, p)
    np.add.at(wins, J, 1 - p)
    q = 1.0 / (1.0 + np.exp(-(th[I] - th[J])))
    np.add.at(fitted, I, q)
    np.add.at(fitted, J, 1 - q)
    score_gap = float(np.abs(fitted - wins).max())
    same = bool((np.argsort(th) == np.argsort(u)).all())
    wins_order = bool((np.argsort(wins) == np.argsort(u)).all())
    # the statement's "iff": every pair is ordered alike
    pairs = bool(np.all(np.sign(th[:, None] - th[None, :]) == np.sign(u[:, None] - u[None, :])))
    return (same and wins_order and pairs and score_gap <= 1e-7,
            f"order kept {same and pairs}, wins order {wins_order}, score-equation gap "
            f"{score_gap:.1e}")


# ---------------------------------------------------------------------- curvature-data-independent
def _curvature_strategy():
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        # gamma <= 0.6 keeps the 24 soft value iterations of the check fast
        mdp = draw(_small_float_mdps(max_states=3, max_actions=2, gammas=(0.5, 0.6)))
        rng = np.random.default_rng(draw(st.integers(*_SEEDS)))
        S, A = mdp.n_states, mdp.n_actions
        return Instance(mdp, {}, {
            "theta": rng.normal(size=2),
            "choice_features": rng.normal(size=(4, 2)),
            "choice_data": [rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(4))],
            "features_a": rng.normal(size=(5, 2)), "features_b": rng.normal(size=(5, 2)),
            "comparison_data": [rng.uniform(size=5), rng.uniform(size=5)],
            "mce_features": rng.normal(size=(S, A, 2)),
            "mce_data": [rng.dirichlet(np.ones(A), size=S), rng.dirichlet(np.ones(A), size=S)],
        })

    return build()


@register("curvature-data-independent",
          statement="The Hessian of the population NLL does not depend on the data for "
                    "finite-choice Boltzmann, Bradley-Terry and MCE with linear features and "
                    "discounted-occupancy weights: alpha is a property of the assumed model.",
          provenance="derived", area="inference",
          tests=("tests/test_inference.py::test_curvature_data_independent",
                 "tests/test_inference.py::test_mce_gradient_and_hessian_match_finite_differences",
                 "tests/test_sensitivity.py::"
                 "test_curvature_is_data_independent_through_segment_curvature"),
          strategy=_curvature_strategy)
def _curvature_data_independent(inst):
    from ..behaviour import soft_value_iteration, state_action_occupancy
    from ..inference import ChoiceModel, ComparisonModel, MCEModel

    th = _fl(inst, "theta")
    beta = 2.0
    phi = _fl(inst, "choice_features")

    def choice_nll(q):
        return lambda t: -float(q @ (beta * phi @ t - np.log(np.exp(beta * phi @ t).sum())))

    Hc = [_fd_hess(choice_nll(q), th) for q in _fl(inst, "choice_data")]
    psi = _fl(inst, "features_a") - _fl(inst, "features_b")

    def bt_nll(p):
        return lambda t: float(np.mean(p * np.logaddexp(0, -psi @ t)
                                       + (1 - p) * np.logaddexp(0, psi @ t)))

    Hb = [_fd_hess(bt_nll(p), th) for p in _fl(inst, "comparison_data")]
    mdp, phiM = inst.mdp, _fl(inst, "mce_features")
    g = float(mdp.gamma)

    # both data sources' NLLs from one soft value iteration per theta (the log-policy does
    # not depend on the data); finite differences of the vector of the two NLLs
    W = np.stack([(1 - g) * np.asarray(state_action_occupancy(mdp, pi), dtype=float)
                  for pi in _fl(inst, "mce_data")])

    def mce_nlls(t):
        lp = soft_value_iteration(mdp, phiM @ t, tol=1e-13).log_policy()
        return -(W * lp).sum(axis=(1, 2))

    Hm = np.moveaxis(_fd_hess(mce_nlls, th), -1, 0)
    gaps = {
        "choice data": np.abs(Hc[0] - Hc[1]).max(),
        "choice model": np.abs(Hc[0] - ChoiceModel(phi, beta).hessian(th)).max(),
        "BT data": np.abs(Hb[0] - Hb[1]).max(),
        "BT model": np.abs(Hb[0] - ComparisonModel(_fl(inst, "features_a"),
                                                   _fl(inst, "features_b")).hessian(th)).max(),
        "MCE data": np.abs(Hm[0] - Hm[1]).max(),
        "MCE model": np.abs(Hm[0] - MCEModel(mdp, phiM).hessian(th)).max(),
    }
    tol = {"choice data": 1e-5, "choice model": 1e-5, "BT data": 1e-5, "BT model": 1e-5,
           "MCE data": 1e-4, "MCE model": 1e-4}
    scale = {k: 1.0 + float(np.abs(H).max()) for k, H in
             zip(tol, (Hc[0], Hc[0], Hb[0], Hb[0], Hm[0], Hm[0]))}
    ok = all(gaps[k] <= tol[k] * scale[k] for k in gaps)
    return ok, ", ".join(f"{k} gap {v:.1e}" for k, v in gaps.items())


# ---------------------------------------------------------------------- inverse-exactness
def _inverse_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    @st.composite
    def build(draw):
        mdp = draw(_small_float_mdps())
        pi = draw(ist.policies(mdp, full_support=True))
        R = draw(ist.rewards(mdp, arity=2))
        beta = draw(st.sampled_from([0.5, 1.0, 2.0]))
        zero_state = draw(st.integers(0, mdp.n_states - 1))
        return Instance(mdp, {"R": R}, {"policy": pi, "beta": beta, "zero_state": zero_state})

    return build()


@register("inverse-exactness", identity=True,
          statement="On a discounted MDP the tabular MCE / Boltzmann MLEs (closed-form inverses) "
                    "reproduce every full-support policy exactly, R_c(c(R)) and R_b(b(R)) lie in "
                    "R's class, and a policy with a zero raises SaturationError.",
          provenance="derived", area="inference",
          tests=("tests/test_inference.py::test_inverse_exactness",
                 "tests/test_inference.py::test_saturation_detected_and_typed"),
          strategy=_inverse_strategy)
def _inverse_exactness(inst):
    from ..behaviour import boltzmann_policy, soft_policy
    from ..equivalence import equivalent
    from ..inference import SaturationError, fit_boltzmann, fit_mce

    mdp, pi, beta = inst.mdp, _fl(inst, "policy"), float(inst.params["beta"])
    R = np.asarray(inst.reward("R"), dtype=float)
    rc = fit_mce(mdp, policy=pi, temperature=1 / beta)
    rb = fit_boltzmann(mdp, policy=pi, beta=beta)
    if rc.status != "closed-form" or rb.status != "closed-form":
        return False, f"statuses {rc.status}, {rb.status}"
    gap_c = float(np.abs(soft_policy(mdp, rc.reward, temperature=1 / beta, tol=1e-13)
                         - pi).max())
    gap_b = float(np.abs(boltzmann_policy(mdp, rb.reward, beta=beta) - pi).max())
    Rc = fit_mce(mdp, policy=soft_policy(mdp, R, temperature=1 / beta, tol=1e-13),
                 temperature=1 / beta).reward
    Rb = fit_boltzmann(mdp, policy=boltzmann_policy(mdp, R, beta=beta), beta=beta).reward
    cls_c = bool(equivalent(Rc, R, mdp, model="mce"))
    cls_b = bool(equivalent(Rb, R, mdp, model="boltzmann"))
    # a zero entry: no finite tabular MLE
    zero = pi.copy()
    s = int(inst.params["zero_state"])
    zero[s] = 0.0
    zero[s, 0] = 1.0
    raised = []
    for fit in (lambda: fit_mce(mdp, policy=zero), lambda: fit_boltzmann(mdp, policy=zero)):
        try:
            fit()
            raised.append(False)
        except SaturationError:
            raised.append(True)
    ok = gap_c <= 1e-8 and gap_b <= 1e-10 and cls_c and cls_b and all(raised)
    return ok, (f"|c(R_c(pi)) - pi| = {gap_c:.1e}, |b(R_b(pi)) - pi| = {gap_b:.1e}, "
                f"classes {cls_c}/{cls_b}, zero policy saturates {raised}")


# ---------------------------------------------------------------------- saturation-counterexample
def _saturation_strategy():
    from hypothesis import strategies as st

    return st.just(Instance(None, {}, {"eps": 0.01, "theta_star": [10.0, 20.0],
                                       "theta_hat_rounded": [4.591, 4.595],
                                       "error_20_rounded": 15.405}))


@register("saturation-counterexample",
          statement="(N1) Two options, eps = 0.01 of mass moved: theta* = 10, 20 give "
                    "theta_hat = 4.591, 4.595 (error unbounded at fixed TV); deterministic data "
                    "raise SaturationError; full-support data always have an MLE.",
          provenance="reconstructed", area="inference",
          tests=("tests/test_sensitivity.py::test_saturation_counterexample",
                 "tests/test_inference.py::test_saturation_detected_and_typed",
                 "tests/test_inference.py::test_full_support_data_never_saturate"),
          strategy=_saturation_strategy, examples=1)
def _saturation_counterexample(inst):
    from ..inference import SaturationError, fit_choice
    from ..sensitivity import saturation_counterexample

    eps = float(inst.params["eps"])
    sig = lambda x: 1.0 / (1.0 + math.exp(-x))          # noqa: E731
    problems = []
    for M, want in zip(_fl(inst, "theta_star"), _fl(inst, "theta_hat_rounded")):
        ce = saturation_counterexample(float(M), eps).numbers
        closed = math.log((sig(M) - eps) / (1 - sig(M) + eps))
        if abs(ce["theta_hat"] - closed) > 1e-9 or round(ce["theta_hat"], 3) != want:
            problems.append(f"theta*={M}: theta_hat {ce['theta_hat']:.6f}, closed form "
                            f"{closed:.6f}, note {want}")
        if ce["tv"] != eps or ce["reverse_mle_exists"] is not False:
            problems.append(f"theta*={M}: tv {ce['tv']}, reverse MLE exists "
                            f"{ce['reverse_mle_exists']}")
    err20 = saturation_counterexample(20.0, eps).numbers["error"]
    if round(err20, 3) != float(inst.params["error_20_rounded"]) or \
            abs(err20 - (20 - math.log((1 - eps) / eps))) > 1e-6:
        problems.append(f"error at theta*=20 is {err20:.6f}")
    errs = [saturation_counterexample(M, eps).numbers["error"] for M in (5.0, 10.0, 40.0)]
    if not errs[0] < errs[1] < errs[2]:
        problems.append(f"errors not increasing in theta*: {errs}")
    try:
        fit_choice([[0.0], [1.0]], [0.0, 1.0])
        problems.append("deterministic data did not raise SaturationError")
    except SaturationError:
        pass
    rng = np.random.default_rng(0)
    for n in (2, 3, 5):
        res = fit_choice(rng.normal(size=(n, 2)), rng.dirichlet(np.ones(n)))
        if not res.converged or res.saturated:
            problems.append(f"full-support data with {n} options: {res.status}")
    return not problems, "; ".join(problems) or (
        f"theta_hat matches the closed form and the note; error at 20 = {err20:.5f}")


# ---------------------------------------------------------------------- temperature scale
def _temperature_scale_strategy():
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        mdp = draw(_small_float_mdps(max_states=3, max_actions=2))
        rng = np.random.default_rng(draw(st.integers(*_SEEDS)))
        S, A = mdp.n_states, mdp.n_actions
        return Instance(mdp, {}, {
            "beta_true": draw(st.floats(0.3, 3.0)), "beta_assumed": draw(st.floats(0.3, 3.0)),
            "theta": rng.normal(size=2), "features_a": rng.normal(size=(4, 2)),
            "features_b": rng.normal(size=(4, 2)), "choice_features": rng.normal(size=(4, 2)),
            "mce_features": rng.normal(size=(S, A, 2))})

    return build()


@register("temperature-misspecification-scale", identity=True,
          statement="In scale-closed families (finite-choice Boltzmann, Bradley-Terry, MCE with "
                    "linear features) data at beta_t fitted with beta_a give theta_hat = "
                    "(beta_t / beta_a) theta* modulo invisible directions: cosine 1.",
          provenance="derived", area="inference",
          tests=("tests/test_inference.py::test_temperature_misspecification_scale",),
          strategy=_temperature_scale_strategy)
def _temperature_misspecification_scale(inst):
    from ..behaviour import soft_policy
    from ..inference import (ChoiceModel, ComparisonModel, MCEModel, fit_choice,
                             fit_comparisons, fit_mce)

    bt, ba = float(inst.params["beta_true"]), float(inst.params["beta_assumed"])
    k = bt / ba
    th = _fl(inst, "theta")
    fa, fb, phi = _fl(inst, "features_a"), _fl(inst, "features_b"), _fl(inst, "choice_features")
    gaps = {}
    res = fit_comparisons(fa, fb, ComparisonModel(fa, fb, beta=bt).predict(th), beta=ba)
    gaps["BT"] = (float(np.abs(res.theta_hat - k * th).max()), 1e-7 * max(1, k))
    cos = res.theta_hat @ th / (np.linalg.norm(res.theta_hat) * np.linalg.norm(th))
    gaps["BT cosine"] = (abs(cos - 1.0), 1e-9)
    res = fit_choice(phi, ChoiceModel(phi, bt).predict(th), beta=ba)
    gaps["choice"] = (float(np.abs(res.theta_hat - k * th).max()), 1e-6 * max(1, k))
    mdp, phiM = inst.mdp, _fl(inst, "mce_features")
    pi = soft_policy(mdp, phiM @ th, temperature=1 / bt, tol=1e-13)
    res = fit_mce(mdp, phiM, pi, temperature=1 / ba)
    # modulo invisible directions, numerically: near-deterministic data make some directions
    # almost flat (Fisher eigenvalue ~1e-13 at k theta*), where no fit is accurate; compare
    # theta in the well-curved eigenspace and the fitted policy everywhere
    ev, U = np.linalg.eigh(MCEModel(mdp, phiM, 1 / ba).hessian(k * th))
    U = U[:, ev > 1e-6 * max(float(ev.max()), 1e-300)]
    diff = res.theta_hat - k * th
    gaps["MCE"] = (float(np.linalg.norm(U.T @ diff)), 1e-5 * max(1, k))
    refit = soft_policy(mdp, phiM @ res.theta_hat, temperature=1 / ba, tol=1e-13)
    gaps["MCE policy"] = (float(np.abs(refit - pi).max()), 1e-7)
    ok = all(g <= t for g, t in gaps.values())
    return ok, ", ".join(f"{n} gap {g:.1e} (tol {t:.0e})" for n, (g, t) in gaps.items())
