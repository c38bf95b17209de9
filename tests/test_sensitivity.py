"""Model error, the linear sensitivity bounds, bias bounds, sweeps and counterexamples
(identifiability.sensitivity).

Each claim test cites ``proofs/<id>.md``.  Numbers stated by note ``misspecification.md``
(§2.2, §8) are checked against closed forms computed here (``logit``, ``sigma'``, KL summed
term by term), not only against the package's own fit.
"""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import identifiability as idf
from identifiability.claims.sensitivity import _sig as sig  # shared with the theorem registry
from identifiability.errors import InvalidParameterError, InvalidRewardError
from identifiability.inference import ChoiceModel, ComparisonModel, MCEModel
from identifiability.sensitivity import (
    certified_alpha,
    false_dynamics_model_error,
    hong_bounds,
    ill_conditioned_features,
    model_error,
    myopia_model_error,
    near_indifference_flip,
    planner_reward_nonidentifiability,
    plot_sweep,
    saturation_counterexample,
    segment_curvature,
    sensitivity_sweep,
    softmax_tv_bound,
)

seeds = st.integers(0, 2 ** 32 - 1)
kappas = st.sampled_from([0.001, 0.01, 0.05, 0.2, 0.5])


def _assert_all_hold(tv, kl):
    for r in (tv, kl):
        assert r.holds, r.explain()
        # the average-curvature form is exact (tight) when the model can fit the data in
        # the visible subspace; near-saturated instances then lose ~1e-4 relative precision
        # in d_KL (1 - P computed from P ~ 1), hence the slack on this auxiliary form only
        assert r.error <= r.mean_bound * (1 + 1e-3) + 1e-10, r.explain()
        if r.certified_bound is not None:
            assert r.error <= r.certified_bound * (1 + 1e-9) + 1e-10, r.explain()
            assert r.alpha_certified <= r.alpha_seg * (1 + 1e-9) + 1e-15


# ---------------------------------------------------------------------- Example A (§8)
def test_example_A_numbers():
    """proofs/hong-tv-bound.md and proofs/hong-kl-bound.md: note §8 Example A."""
    p1 = sig(1.0)
    q = np.array([1 - p1 + 0.05, p1 - 0.05])
    tv, kl = hong_bounds(ChoiceModel([[0.0], [1.0]]), [1.0], q)
    theta_hat = math.log(q[1] / q[0])               # closed form of the 2-option MLE
    alpha = p1 * (1 - p1)                           # sigma'(1): min of sigma' on [0.76, 1]
    KL = float(sum(qi * math.log(qi / pi) for qi, pi in zip(q, (1 - p1, p1))))
    assert tv.theta_hat[0] == pytest.approx(theta_hat, abs=1e-10)
    assert tv.alpha_seg == pytest.approx(alpha, rel=1e-12)
    assert tv.bound == pytest.approx(0.05 / alpha, rel=1e-9)
    assert kl.model_error.weighted_kl == pytest.approx(KL, rel=1e-9)
    assert kl.bound == pytest.approx(math.sqrt(2 * KL / alpha), rel=1e-9)
    # the note's rounded numbers
    assert round(theta_hat, 4) == 0.7586 and round(tv.error, 4) == 0.2414
    assert round(alpha, 4) == 0.1966 and round(tv.bound, 4) == 0.2543
    assert round(KL, 5) == 0.00613 and round(kl.bound, 4) == 0.2498
    _assert_all_hold(tv, kl)
    assert "holds" in tv.explain() and "derived" in tv.explain()


# ---------------------------------------------------------------------- bounds on random instances
def _contaminate(p, kappa, rng):
    return (1 - kappa) * p + kappa * rng.dirichlet(np.ones(p.shape[-1]), size=p.shape[:-1])


@settings(max_examples=60)
@given(seed=seeds, n=st.integers(2, 6), d=st.integers(1, 3), kappa=kappas,
       family=st.sampled_from(["mixture", "features", "beta"]))
@example(seed=0, n=2, d=1, kappa=0.5, family="mixture")
def test_hong_bounds_choice(seed, n, d, kappa, family):
    """Claims 1-3 (proofs/hong-tv-bound.md, proofs/hong-kl-bound.md,
    proofs/certified-alpha.md) for finite-choice Boltzmann, three bias families."""
    rng = np.random.default_rng(seed)
    phi = rng.normal(size=(n, d))
    th = rng.normal(size=d) * rng.uniform(0.2, 2)
    beta = float(rng.uniform(0.5, 2))
    model = ChoiceModel(phi, beta)
    if family == "mixture":
        q = _contaminate(model.predict(th), kappa, rng)
    elif family == "features":      # the human misperceives the features
        q = ChoiceModel(phi + kappa * rng.normal(size=phi.shape), beta).predict(th)
    else:                           # a different rationality level
        q = ChoiceModel(phi, beta * (1 + kappa)).predict(th)
    tv, kl = hong_bounds(model, th, q)
    _assert_all_hold(tv, kl)


@settings(max_examples=50)
@given(seed=seeds, m=st.integers(1, 6), d=st.integers(1, 3), kappa=kappas,
       family=st.sampled_from(["mixture", "probit", "beta"]))
def test_hong_bounds_comparisons(seed, m, d, kappa, family):
    """Claims 1-3 for Bradley-Terry (logistic regression on psi = phi_a - phi_b)."""
    rng = np.random.default_rng(seed)
    fa, fb = rng.normal(size=(m, d)), rng.normal(size=(m, d))
    th = rng.normal(size=d)
    w = rng.dirichlet(np.ones(m))
    model = ComparisonModel(fa, fb, w)
    p = model.predict(th)
    if family == "mixture":
        p = (1 - kappa) * p + kappa * rng.uniform(size=m)
    elif family == "probit":        # a different link: Phi(1.7 x) blended in by kappa
        x = (fa - fb) @ th
        probit = 0.5 * (1 + np.vectorize(math.erf)(1.7 * x / math.sqrt(2)))
        p = (1 - kappa) * p + kappa * probit
    else:
        p = ComparisonModel(fa, fb, w, beta=1 + kappa).predict(th)
    tv, kl = hong_bounds(model, th, p)
    _assert_all_hold(tv, kl)


def _mce_instance(seed, kappa, family):
    rng = np.random.default_rng(seed)
    S, A, d = int(rng.integers(2, 6)), int(rng.integers(2, 4)), int(rng.integers(1, 4))
    mdp = idf.examples.random_mdp(S, A, support=min(2, S), seed=seed % 10 ** 6, exact=False,
                                  gamma=float(rng.uniform(0.5, 0.9)))
    phi = rng.normal(size=(S, A, d))
    th = rng.normal(size=d)
    r = phi @ th
    if family == "dynamics":        # false internal dynamics: a mixture with another kernel
        other = idf.examples.random_mdp(S, A, support=min(2, S), seed=seed % 10 ** 6 + 1,
                                        exact=False)
        P = (1 - kappa) * np.asarray(mdp.transitions) + kappa * np.asarray(other.transitions)
        human = idf.soft_policy(idf.MDP(P, mdp.initial, gamma=float(mdp.gamma)), r)
    elif family == "myopia":
        human = idf.soft_policy(mdp.replace(gamma=float(mdp.gamma) * (1 - kappa)), r)
    else:
        human = _contaminate(idf.soft_policy(mdp, r), kappa, rng)
    return MCEModel(mdp, phi), th, human


@settings(max_examples=25)
@given(seed=seeds, kappa=kappas, family=st.sampled_from(["dynamics", "myopia", "mixture"]))
def test_hong_bounds_mce(seed, kappa, family):
    """Claims 1-2 for the MCE model with linear features (occupancy-weighted likelihood)."""
    model, th, human = _mce_instance(seed, kappa, family)
    tv, kl = hong_bounds(model, th, human)
    _assert_all_hold(tv, kl)
    assert tv.alpha_certified is None


@settings(max_examples=40)
@given(seed=seeds, radius=st.floats(0.1, 3.0))
def test_certified_alpha(seed, radius):
    """Claim 3 (proofs/certified-alpha.md): the data-free constant is below the curvature
    at every point of the ball, for finite choice and Bradley-Terry."""
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 4))
    choice = ChoiceModel(rng.normal(size=(int(rng.integers(d + 1, 6)), d)),
                         float(rng.uniform(0.5, 2)))
    comp = ComparisonModel(rng.normal(size=(6, d)), rng.normal(size=(6, d)),
                           rng.dirichlet(np.ones(6)), float(rng.uniform(0.5, 2)))
    for model in (choice, comp):
        a = certified_alpha(model, radius)
        assert a >= 0
        for _ in range(5):
            v = rng.normal(size=d)
            theta = v / np.linalg.norm(v) * radius * rng.uniform() ** (1 / d)
            lam = np.linalg.eigvalsh(model.hessian(theta)).min()
            assert a <= lam * (1 + 1e-9) + 1e-14
    with pytest.raises(InvalidParameterError):
        certified_alpha(MCEModel(idf.MDP([[[1]]], gamma="1/2"), [[[1.0]]]), 1.0)


def test_curvature_is_data_independent_through_segment_curvature():
    """proofs/curvature-data-independent.md: segment_curvature needs no data; its value at
    Example A's segment is sigma'(1) at the theta* end."""
    a_seg, a_mean, a_kl = segment_curvature(ChoiceModel([[0.0], [1.0]]), [1.0], [0.7586])
    assert a_seg == pytest.approx(sig(1) * (1 - sig(1)))
    assert a_seg <= a_mean and a_seg <= a_kl


# ---------------------------------------------------------------------- linearity (claim 5)
@pytest.mark.parametrize("family", ["mixture", "myopia"])
def test_linearity_error_over_kappa_bounded(family):
    """Claim 5 (proofs/bias-linearity.md): for a bias differentiable at kappa = 0,
    error / kappa stays bounded and converges as kappa -> 0."""
    ratios = []
    for kappa in (1e-2, 1e-3, 1e-4):
        model, th, human = _mce_instance(7, kappa, family)
        if family == "mixture":     # a fixed direction D, so the bias is linear in kappa
            base = model.predict(th)
            D = np.random.default_rng(1).dirichlet(np.ones(base.shape[1]), size=base.shape[0])
            human = (1 - kappa) * base + kappa * D
        tv, _ = hong_bounds(model, th, human)
        assert tv.holds
        ratios.append(tv.error / kappa)
    assert max(ratios) < 1e3
    assert ratios[2] == pytest.approx(ratios[1], rel=0.05)
    assert ratios[1] == pytest.approx(ratios[0], rel=0.3)


# ---------------------------------------------------------------------- §2.4 (claim 6)
@settings(max_examples=60)
@given(seed=seeds, m=st.integers(1, 6), scale=st.floats(0.01, 20))
def test_softmax_tv_le_quarter_span(seed, m, scale):
    """proofs/bias-linearity.md (Lipschitz lemma): TV(softmax x, softmax y) <= span(x-y)/4."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=m) * scale, rng.normal(size=m) * scale
    px, py = np.exp(x - x.max()), np.exp(y - y.max())
    tv = 0.5 * np.abs(px / px.sum() - py / py.sum()).sum()
    assert tv <= softmax_tv_bound(x, y) + 1e-15
    assert softmax_tv_bound(x, y) <= 0.5 * np.abs(x - y).max() + 1e-15


@settings(max_examples=30)
@given(seed=seeds, kappa=st.floats(0.0, 1.0), lam=st.sampled_from([0.5, 1.0, 2.0]))
def test_false_dynamics_model_error(seed, kappa, lam):
    """Claim 6 (proofs/false-dynamics-model-error.md)."""
    rng = np.random.default_rng(seed)
    S, A = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    mdp = idf.examples.random_mdp(S, A, support=min(2, S), seed=seed % 10 ** 6, exact=False,
                                  gamma=float(rng.uniform(0.1, 0.95)))
    other = idf.examples.random_mdp(S, A, support=min(3, S), seed=seed % 10 ** 6 + 7,
                                    exact=False)
    P = (1 - kappa) * np.asarray(mdp.transitions) + kappa * np.asarray(other.transitions)
    r = rng.normal(size=(S, A)) * rng.uniform(0.1, 5)
    res = false_dynamics_model_error(mdp, r, P, temperature=lam)
    assert res.holds, res.explain()
    # independent recomputation of the actual model error
    human = idf.soft_policy(idf.MDP(P, mdp.initial, gamma=float(mdp.gamma)), r, temperature=lam)
    model = idf.soft_policy(mdp, r, temperature=lam)
    assert res.actual == pytest.approx(0.5 * np.abs(human - model).sum(1).max(), abs=1e-9)
    assert res.size == pytest.approx(np.abs(P - np.asarray(mdp.transitions)).sum(2).max())


@settings(max_examples=30)
@given(seed=seeds, frac=st.floats(0.0, 1.0), lam=st.sampled_from([0.5, 1.0, 2.0]))
def test_myopia_model_error(seed, frac, lam):
    """Claim 6 (proofs/myopia-model-error.md)."""
    rng = np.random.default_rng(seed)
    S, A = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    g = float(rng.uniform(0.1, 0.95))
    mdp = idf.examples.random_mdp(S, A, support=min(2, S), seed=seed % 10 ** 6, exact=False,
                                  gamma=g)
    r = rng.normal(size=(S, A)) * rng.uniform(0.1, 5)
    res = myopia_model_error(mdp, r, g * frac, temperature=lam)
    assert res.holds, res.explain()
    human = idf.soft_policy(mdp.replace(gamma=g * frac), r, temperature=lam)
    model = idf.soft_policy(mdp, r, temperature=lam)
    assert res.actual == pytest.approx(0.5 * np.abs(human - model).sum(1).max(), abs=1e-9)


def test_bias_bound_errors():
    mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    with pytest.raises(InvalidRewardError):
        myopia_model_error(mdp, np.zeros((2, 2, 2)), 0.3)
    with pytest.raises(InvalidParameterError):
        myopia_model_error(mdp, [0, 1], 1.0)


# ---------------------------------------------------------------------- model error
def test_model_error_definitions():
    me = model_error([[0.5, 0.5], [1.0, 0.0]], [[0.25, 0.75], [0.0, 1.0]], weights=[3, 1])
    assert me.tv.tolist() == [0.25, 1.0]
    assert me.weights.tolist() == [0.75, 0.25]
    assert me.weighted_tv == pytest.approx(0.75 * 0.25 + 0.25)
    assert me.kl[0] == pytest.approx(0.5 * math.log(2) + 0.5 * math.log(0.5 / 0.75))
    assert me.kl[1] == math.inf and me.worst_kl == math.inf
    # occupancy weights = normalised discounted state occupancy of the TRUE policy
    mdp = idf.examples.random_mdp(4, 2, seed=3, exact=False)
    rng = np.random.default_rng(0)
    pt, pa = rng.dirichlet(np.ones(2), 4), rng.dirichlet(np.ones(2), 4)
    me = model_error(pt, pa, mdp=mdp)
    d = np.asarray(idf.state_occupancy(mdp, pt), dtype=float)
    assert np.allclose(me.weights, d / d.sum())
    with pytest.raises(InvalidParameterError):
        model_error([0.5, 0.5], [0.2, 0.3, 0.5])


# ---------------------------------------------------------------------- counterexamples
def test_saturation_counterexample():
    """proofs/saturation-counterexample.md: note N1 numbers (4.591 / 4.595 at eps = 0.01)."""
    for M, expected in ((10.0, 4.591), (20.0, 4.595)):
        ce = saturation_counterexample(M, 0.01)
        closed = math.log((sig(M) - 0.01) / (1 - sig(M) + 0.01))
        assert ce.numbers["theta_hat"] == pytest.approx(closed, abs=1e-9)
        assert round(ce.numbers["theta_hat"], 3) == expected
        assert ce.numbers["tv"] == 0.01
        assert ce.numbers["curvature"] == pytest.approx(sig(M) * (1 - sig(M)))
        assert ce.numbers["reverse_mle_exists"] is False
    # the note (§2.2 N1) writes "error 15.41"; the exact value is 20 - 4.59512 = 15.40488
    # (it rounds to 15.40): a rounding slip in the note, see the proof file
    err20 = saturation_counterexample(20.0, 0.01).numbers["error"]
    assert err20 == pytest.approx(20 - math.log(0.99 / 0.01), abs=1e-6)
    assert round(err20, 3) == 15.405
    # the error grows without bound in M at fixed TV, towards log((1-eps)/eps)
    errs = [saturation_counterexample(M, 0.01).numbers["error"] for M in (5, 10, 40)]
    assert errs[0] < errs[1] < errs[2]
    assert saturation_counterexample(40.0, 0.01).numbers["theta_hat"] == \
        pytest.approx(math.log(99), abs=1e-6)


def test_near_indifference_flip():
    """proofs/near-indifference-flip.md: eta = 0.01 gives TV 3.75e-3, theta_hat = -5e-3."""
    for eta in (0.1, 0.01, 0.001):
        ce = near_indifference_flip(eta)
        assert ce.numbers["theta_hat"] == pytest.approx(-eta / 2, abs=1e-10)
        assert ce.numbers["tv"] == pytest.approx(sig(eta) - sig(-eta / 2), abs=1e-15)
        assert ce.numbers["tv_over_eta"] == pytest.approx(0.375, rel=1e-3)
        assert ce.numbers["cosine"] == -1.0 and ce.numbers["normalised_error"] == 1.0
    ce = near_indifference_flip(0.01)
    assert round(ce.numbers["tv"], 5) == 0.00375
    assert "near-indifference-flip" in ce.explain()


def test_ill_conditioned_features():
    """proofs/ill-conditioned-features.md: the N3 table of note §2.2 (all four rows)."""
    table = {1.0: ((0.98, 0.05), 0.053, 0.999, 1.0e-1),
             0.1: ((0.98, 0.47), 0.474, 0.900, 2.1e-3),
             0.03: ((0.98, 1.58), 1.579, 0.526, 1.9e-4),
             0.01: ((0.98, 4.74), 4.737, 0.202, 2.1e-5)}
    for h, (th, err, cos, lam) in table.items():
        n = ill_conditioned_features(h).numbers
        assert tuple(round(x, 2) for x in n["theta_hat"]) == th
        assert round(n["error"], 3) == err
        assert round(n["cosine"], 3) == cos
        assert n["lambda_min_cov"] == pytest.approx(lam, rel=0.1)
        assert n["tv"] == pytest.approx(0.01)
        assert n["error"] * h == pytest.approx(0.047, abs=0.01)
    # independent check of h = 0.01: the first-order condition E_P phi = E_q phi
    n = ill_conditioned_features(0.01)
    phi = np.array([[0, 0], [1, 0], [1, 0.01]])
    logits = phi @ np.array(n.numbers["theta_hat"])
    P = np.exp(logits) / np.exp(logits).sum()
    assert np.allclose(P @ phi, n.objects["data"] @ phi, atol=1e-12)


def test_planner_reward_nonidentifiability():
    """proofs/planner-reward-nonidentifiability.md (note §7.9)."""
    rng = np.random.default_rng(0)
    for seed in range(5):
        mdp = idf.examples.random_mdp(4, 3, seed=seed, exact=False)
        R = rng.normal(size=(4, 3))
        ce = planner_reward_nonidentifiability(mdp, R, beta=1.5)
        assert ce.numbers["anti_rational_gap"] < 1e-12
        assert ce.numbers["inversion_gap"] < 1e-10
        assert ce.numbers["reward_cosine"] == pytest.approx(-1.0)
        # the anti-rational pair (p^-, -R): b(-(-R)) = b(R), yet -R has opposite preferences
        opt = idf.optimal_actions(mdp, R)
        anti_opt = idf.optimal_actions(mdp, -R)
        assert not np.array_equal(opt, anti_opt)
        pi = rng.dirichlet(np.ones(3), 4)
        ce = planner_reward_nonidentifiability(mdp, R, beta=1.5, policy=pi)
        assert ce.numbers["inversion_gap"] < 1e-10


# ---------------------------------------------------------------------- sweeps
def test_sensitivity_sweep_and_plot():
    """A myopia sweep on a small MDP: every bound holds; plotting works (Agg)."""
    mdp = idf.examples.random_mdp(6, 3, seed=2, exact=False)
    rng = np.random.default_rng(2)
    phi = rng.normal(size=(6, 3, 3))
    th = rng.normal(size=3)
    model = MCEModel(mdp, phi)
    calls = []

    def build(delta):
        return model, th, idf.soft_policy(mdp.replace(gamma=0.9 - delta), phi @ th)

    res = sensitivity_sweep(build, [0.0, 0.01, 0.05, 0.1],
                            progress=lambda i, k, v: calls.append((i, k, v)))
    assert res.holds.all() and res.error[0] < 1e-6
    assert calls[-1] == (4, 4, 0.1)
    assert np.all(np.diff(res.weighted_tv) > 0)
    assert "every bound holds" in res.explain()
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = plot_sweep(res, x="tv", log=True)
    assert len(ax.lines) == 3
    with pytest.raises(InvalidParameterError):
        plot_sweep(res, x="kappa")
    with pytest.raises(InvalidParameterError):
        sensitivity_sweep(lambda v: (model, th), [0.1])
