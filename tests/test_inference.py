"""Maximum-likelihood reward inference under an assumed model (identifiability.inference).

Each claim test cites ``proofs/<id>.md``.  Oracles independent of the Newton solver:

* the forward models of :mod:`identifiability.behaviour` (``soft_value_iteration``'s
  log-policy, ``boltzmann_policy``) and a weighted negative log-likelihood summed here;
* central finite differences of that likelihood (gradients and Hessians);
* closed forms: ``logit`` for two options, ``equivalent(..., model=...)`` for the
  tabular inverses.
"""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import identifiability as idf
from identifiability.claims.inference import (  # shared with the theorem registry
    _fd_hess,
    _link,
)
from identifiability.errors import (
    InvalidMDPError,
    InvalidParameterError,
    InvalidPolicyError,
    InvalidRewardError,
)
from identifiability.inference import (
    BoltzmannModel,
    ChoiceModel,
    ComparisonModel,
    MCEModel,
    SaturationError,
    fit_boltzmann,
    fit_choice,
    fit_comparisons,
    fit_mce,
)

seeds = st.integers(0, 2 ** 32 - 1)


def _random_mdp(seed, S, A, gamma=0.9):
    return idf.examples.random_mdp(S, A, support=min(2, S), seed=seed % 10 ** 6, exact=False,
                                   gamma=gamma)


def _nll_mce(mdp, phi, theta, weights, temperature=1.0):
    """``-sum w(s, a) log pi_theta(a|s)`` with pi from the one soft value iteration."""
    lp = idf.soft_value_iteration(mdp, phi @ theta, temperature=temperature,
                                  tol=1e-13).log_policy()
    return -float((weights * lp).sum())


def _fd_grad(f, x, h=1e-5):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])


# ---------------------------------------------------------------------- well-specified recovery
@settings(max_examples=40)
@given(seed=seeds, n=st.integers(2, 6), d=st.integers(1, 3))
@example(seed=0, n=2, d=1)
def test_choice_recovers_theta(seed, n, d):
    """With data from the assumed model itself the MLE is theta* (full-rank features)."""
    rng = np.random.default_rng(seed)
    phi = rng.normal(size=(n, d))
    if np.linalg.matrix_rank(phi - phi.mean(0)) < d:
        return
    th = rng.normal(size=d)
    beta = float(rng.uniform(0.5, 2))
    res = fit_choice(phi, ChoiceModel(phi, beta).predict(th), beta=beta)
    assert res.converged and res.null_space.shape[1] == 0
    assert np.allclose(res.theta_hat, th, atol=1e-6)


@settings(max_examples=40)
@given(seed=seeds, m=st.integers(1, 6), d=st.integers(1, 3))
def test_comparisons_recover_theta(seed, m, d):
    rng = np.random.default_rng(seed)
    fa, fb = rng.normal(size=(m, d)), rng.normal(size=(m, d))
    if np.linalg.matrix_rank(fa - fb) < d:
        return
    th = rng.normal(size=d)
    res = fit_comparisons(fa, fb, ComparisonModel(fa, fb).predict(th))
    assert res.converged
    assert np.allclose(res.theta_hat, th, atol=1e-6)


@settings(max_examples=20)
@given(seed=seeds, S=st.integers(2, 5), A=st.integers(2, 3), d=st.integers(1, 3))
def test_mce_recovers_theta(seed, S, A, d):
    rng = np.random.default_rng(seed)
    mdp = _random_mdp(seed, S, A)
    phi = rng.normal(size=(S, A, d))
    th = rng.normal(size=d)
    pi = idf.soft_policy(mdp, phi @ th)
    res = fit_mce(mdp, phi, pi)
    assert res.converged
    # theta is identified up to the null space; the policy is reproduced exactly
    assert np.allclose(idf.soft_policy(mdp, res.reward), pi, atol=1e-7)
    N = res.null_space
    diff = res.theta_hat - th
    assert np.linalg.norm(diff - N @ (N.T @ diff)) < 1e-5


# ---------------------------------------------------------------------- derivatives and curvature
@settings(max_examples=10)
@given(seed=seeds)
def test_mce_gradient_and_hessian_match_finite_differences(seed):
    """The solver's gradient/Hessian equal finite differences of the occupancy-weighted NLL."""
    rng = np.random.default_rng(seed)
    S, A, d = 4, 3, 2
    mdp = _random_mdp(seed, S, A)
    phi = rng.normal(size=(S, A, d))
    data_pi = rng.dirichlet(np.ones(A), size=S)
    w = 0.1 * np.asarray(idf.state_action_occupancy(mdp, data_pi), dtype=float)
    model = MCEModel(mdp, phi)
    t0 = rng.normal(size=d)
    D = model._prepare(data_pi)
    F, g, H = model._fgh(t0, D, 2)
    f = lambda t: _nll_mce(mdp, phi, t, w)
    assert F == pytest.approx(f(t0), abs=1e-9)
    assert np.allclose(g, _fd_grad(f, t0), atol=1e-6)
    assert np.allclose(H, _fd_hess(f, t0), atol=1e-4)


@settings(max_examples=15)
@given(seed=seeds)
def test_curvature_data_independent(seed):
    """Claim 4 (proofs/curvature-data-independent.md): the Hessian of the population NLL is
    the same for two different data sources (finite-difference Hessians of the data NLL)."""
    rng = np.random.default_rng(seed)
    # finite choice
    phi = rng.normal(size=(4, 2))
    th = rng.normal(size=2)
    q1, q2 = rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(4))
    nll = lambda q: (lambda t: -float(q @ (2.0 * phi @ t - np.log(np.exp(2.0 * phi @ t).sum()))))
    H1, H2 = _fd_hess(nll(q1), th), _fd_hess(nll(q2), th)
    assert np.allclose(H1, H2, atol=1e-5)
    assert np.allclose(H1, ChoiceModel(phi, 2.0).hessian(th), atol=1e-5)
    # Bradley-Terry
    fa, fb = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    psi = fa - fb
    p1, p2 = rng.uniform(size=5), rng.uniform(size=5)
    bt = lambda p: (lambda t: float(np.mean(p * np.logaddexp(0, -psi @ t)
                                            + (1 - p) * np.logaddexp(0, psi @ t))))
    B1, B2 = _fd_hess(bt(p1), th), _fd_hess(bt(p2), th)
    assert np.allclose(B1, B2, atol=1e-5)
    assert np.allclose(B1, ComparisonModel(fa, fb).hessian(th), atol=1e-5)
    # MCE with discounted-occupancy weights of two different data policies
    S, A = 3, 2
    mdp = _random_mdp(seed, S, A)
    phiM = rng.normal(size=(S, A, 2))
    Hs = []
    for _ in range(2):
        pi = rng.dirichlet(np.ones(A), size=S)
        w = 0.1 * np.asarray(idf.state_action_occupancy(mdp, pi), dtype=float)
        Hs.append(_fd_hess(lambda t: _nll_mce(mdp, phiM, t, w), th))
    assert np.allclose(Hs[0], Hs[1], atol=1e-4)
    assert np.allclose(Hs[0], MCEModel(mdp, phiM).hessian(th), atol=1e-4)


# ---------------------------------------------------------------------- saturation
def test_saturation_detected_and_typed():
    """proofs/saturation-counterexample.md: deterministic data have no MLE; we never return
    a silent huge theta."""
    with pytest.raises(SaturationError) as err:
        fit_choice([[0.0], [1.0]], [0.0, 1.0])
    res = err.value.result
    assert res.saturated and not res.converged and res.direction[0] == pytest.approx(1.0)
    assert "does NOT exist" in res.explain()
    flagged = fit_choice([[0.0], [1.0]], [0.0, 1.0], on_saturation="flag")
    assert flagged.status == "saturated"
    # separable comparisons
    with pytest.raises(SaturationError):
        fit_comparisons([[1.0], [2.0]], [[0.0], [0.0]], [1.0, 1.0])
    # MCE: a data policy with a zero at an occupied state, where only theta -> inf fits it
    # (state 1's actions are identical, so its policy is uniform for every theta)
    mdp = idf.MDP([[[1, 0], [0, 1]], [[1, 0], [1, 0]]], gamma="1/2")
    phi = np.array([[[1.0], [0.0]], [[0.0], [0.0]]])
    with pytest.raises(SaturationError):
        fit_mce(mdp, phi, [[1.0, 0.0], [0.5, 0.5]])
    # ... whereas with informative dynamics at state 1 the same zero does not saturate
    mdp2 = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    assert fit_mce(mdp2, phi, [[1.0, 0.0], [0.5, 0.5]]).converged
    with pytest.raises(SaturationError):
        fit_mce(mdp, policy=[[1.0, 0.0], [0.5, 0.5]])
    with pytest.raises(SaturationError):
        fit_boltzmann(mdp, policy=[[1.0, 0.0], [0.5, 0.5]])
    # zeros in the data but an interior data mean: the MLE exists and is found
    res = fit_choice([[0.0], [1.0], [2.0]], [0.5, 0.0, 0.5])
    assert res.converged and abs(res.theta_hat[0]) < 1e-9


@settings(max_examples=30)
@given(seed=seeds, n=st.integers(2, 5))
def test_full_support_data_never_saturate(seed, n):
    rng = np.random.default_rng(seed)
    phi = rng.normal(size=(n, 2))
    q = rng.dirichlet(np.ones(n))
    res = fit_choice(phi, q)
    assert res.converged and not res.saturated


# ---------------------------------------------------------------------- temperature
@settings(max_examples=25)
@given(seed=seeds, bt=st.floats(0.3, 3.0), ba=st.floats(0.3, 3.0))
def test_temperature_misspecification_scale(seed, bt, ba):
    """Claim 7 (proofs/temperature-misspecification-scale.md): theta_hat = (beta_true /
    beta_assumed) theta*, so the direction is exact (cosine 1)."""
    rng = np.random.default_rng(seed)
    th = rng.normal(size=2)
    fa, fb = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    p = ComparisonModel(fa, fb, beta=bt).predict(th)
    res = fit_comparisons(fa, fb, p, beta=ba)
    assert np.allclose(res.theta_hat, bt / ba * th, atol=1e-8 * max(1, bt / ba))
    cos = res.theta_hat @ th / (np.linalg.norm(res.theta_hat) * np.linalg.norm(th))
    assert cos == pytest.approx(1.0, abs=1e-12)
    phi = rng.normal(size=(4, 2))
    res = fit_choice(phi, ChoiceModel(phi, bt).predict(th), beta=ba)
    assert np.allclose(res.theta_hat, bt / ba * th, atol=1e-7 * max(1, bt / ba))
    # MCE: temperature lambda = 1 / beta
    mdp = _random_mdp(seed, 3, 2)
    phiM = rng.normal(size=(3, 2, 2))
    pi = idf.soft_policy(mdp, phiM @ th, temperature=1 / bt)
    res = fit_mce(mdp, phiM, pi, temperature=1 / ba)
    N = res.null_space
    diff = res.theta_hat - bt / ba * th
    assert np.linalg.norm(diff - N @ (N.T @ diff)) < 1e-5


# ---------------------------------------------------------------------- closed forms
@settings(max_examples=20)
@given(seed=seeds, S=st.integers(1, 4), A=st.integers(2, 3), beta=st.sampled_from([0.5, 1.0, 2.0]))
def test_inverse_exactness(seed, S, A, beta):
    """Claim 9 (proofs/inverse-exactness.md): b(R_b(pi)) = pi and c(R_c(pi)) = pi for every
    full-support pi; R_b(b(R)) and R_c(c(R)) are in R's class."""
    rng = np.random.default_rng(seed)
    mdp = _random_mdp(seed, S, A, gamma=0.8)
    pi = rng.dirichlet(np.ones(A), size=S)
    rc = fit_mce(mdp, policy=pi, temperature=1 / beta)
    rb = fit_boltzmann(mdp, policy=pi, beta=beta)
    assert rc.status == rb.status == "closed-form"
    assert np.allclose(idf.soft_policy(mdp, rc.reward, temperature=1 / beta), pi, atol=1e-8)
    assert np.allclose(idf.boltzmann_policy(mdp, rb.reward, beta=beta), pi, atol=1e-10)
    R = rng.normal(size=(S, A))
    Rc = fit_mce(mdp, policy=idf.soft_policy(mdp, R, temperature=1 / beta),
                 temperature=1 / beta).reward
    Rb = fit_boltzmann(mdp, policy=idf.boltzmann_policy(mdp, R, beta=beta), beta=beta).reward
    assert idf.equivalent(Rc, R, mdp, model="mce")
    assert idf.equivalent(Rb, R, mdp, model="boltzmann")


def test_boltzmann_rational_linear_fit():
    """The non-concave Boltzmann-rational model: the local method reproduces well-specified
    data from several random instances (a self-consistent optimum)."""
    for seed in range(5):
        rng = np.random.default_rng(seed)
        mdp = _random_mdp(seed, 4, 2)
        phi = rng.normal(size=(4, 2, 2))
        th = rng.normal(size=2)
        model = BoltzmannModel(mdp, phi, beta=1.5)
        pi = model.predict(th)
        res = model.fit(pi)
        assert res.converged, res
        assert np.allclose(model.predict(res.theta_hat), pi, atol=1e-6)
        assert "not concave" in res.explain()


# ---------------------------------------------------------------------- finite samples
def test_finite_samples():
    res = fit_choice([[0.0], [1.0]], samples=[1, 1, 1, 0])
    assert res.theta_hat[0] == pytest.approx(math.log(3))
    res = fit_comparisons([[1.0]] * 4, [[0.0]] * 4, [1, 1, 1, 0])
    assert res.theta_hat[0] == pytest.approx(math.log(3))
    # MCE from trajectories: the estimate approaches theta* with many long trajectories
    rng = np.random.default_rng(0)
    mdp = _random_mdp(3, 3, 2, gamma=0.5)
    phi = rng.normal(size=(3, 2, 2))
    th = np.array([0.5, -1.0])
    pi = idf.soft_policy(mdp, phi @ th)
    N, T = 4000, 30
    P = np.asarray(mdp.transitions, dtype=float)
    states = np.zeros((N, T + 1), int)
    actions = np.zeros((N, T), int)
    states[:, 0] = rng.choice(3, size=N, p=np.asarray(mdp.initial, float))
    for t in range(T):
        u = rng.random(N)
        actions[:, t] = (u[:, None] > np.cumsum(pi[states[:, t]], 1)).sum(1)
        u = rng.random(N)
        cdf = np.cumsum(P[states[:, t], actions[:, t]], 1)
        states[:, t + 1] = np.minimum((u[:, None] > cdf).sum(1), 2)
    res = fit_mce(mdp, phi, trajectories=(states, actions))
    assert res.converged
    assert np.linalg.norm(res.theta_hat - th) < 0.15
    # the same data summarised by their feature expectation give the same fit
    mu = 0.5 * idf.trajectory_features(mdp, phi, states, actions).mean(0)
    assert np.allclose(fit_mce(mdp, phi, feature_expectation=mu).theta_hat, res.theta_hat)


def test_null_space_is_reported():
    """A duplicated feature column: one invisible direction, theta_hat minimum-norm."""
    phi = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    res = fit_choice(phi, [0.2, 0.3, 0.5])
    assert res.null_space.shape == (2, 1)
    assert abs(res.theta_hat @ res.null_space[:, 0]) < 1e-12
    ref = fit_choice(phi[:, :1], [0.2, 0.3, 0.5]).theta_hat[0]
    assert res.theta_hat.sum() == pytest.approx(ref)
    assert "invisible" in res.explain()


def test_invalid_input_raises_typed_errors():
    with pytest.raises(InvalidParameterError):
        fit_choice([[0.0], [1.0]], [0.5, 0.6])
    with pytest.raises(InvalidParameterError):
        fit_choice([[0.0], [1.0]], [0.5, 0.5], samples=[0])
    with pytest.raises(InvalidParameterError):
        fit_choice([[0.0], [1.0]], samples=[2])
    with pytest.raises(InvalidParameterError):
        fit_comparisons([[1.0]], [[0.0, 1.0]], [0.5])
    with pytest.raises(InvalidParameterError):
        fit_comparisons([[1.0]], [[0.0]], [1.5])
    with pytest.raises(InvalidParameterError):
        fit_choice([[0.0], [1.0]], [0.5, 0.5], beta=0)
    with pytest.raises(InvalidParameterError):
        fit_choice([[0.0], [1.0]], [0.5, 0.5], on_saturation="ignore")
    mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    with pytest.raises(InvalidRewardError):
        fit_mce(mdp, np.zeros((2, 3, 1)), [[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(InvalidPolicyError):
        fit_mce(mdp, np.zeros((2, 2, 1)), [[0.5, 0.6], [0.5, 0.5]])
    with pytest.raises(InvalidParameterError):
        fit_mce(mdp, np.zeros((2, 2, 1)))
    with pytest.raises(InvalidMDPError):
        fit_mce(mdp.replace(horizon=3), np.zeros((2, 2, 1)), [[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(InvalidParameterError):
        ChoiceModel([[0.0], [1.0]]).predict([1.0, 2.0])


@settings(max_examples=25, deadline=None)
@given(seed=seeds, n=st.integers(3, 7),
       link=st.sampled_from(["logistic", "probit", "linear-clipped", "cauchy"]))
@example(seed=0, n=3, link="probit")
def test_bt_link_misspecification_tabular_ranking(seed, n, link):
    """Claim ``bt-link-ranking-tabular``: a tabular, complete, balanced design fitted with
    the logistic (Bradley-Terry) model orders the items as the true utilities do, for any
    increasing symmetric true link; the MLE's order is that of the expected win totals."""
    rng = np.random.default_rng(seed)
    u = rng.permutation(n) + rng.uniform(-0.3, 0.3, n)      # distinct true utilities
    u = u * rng.uniform(0.2, 1.5)
    I, J = np.triu_indices(n, k=1)
    E = np.eye(n)
    p = _link(link, u[I] - u[J])
    p = np.clip(p, 1e-6, 1 - 1e-6)                          # full support: the MLE exists
    res = fit_comparisons(E[I], E[J], p)
    theta = np.asarray(res.theta_hat, dtype=float)
    assert res.converged
    # the MLE's score equations: expected wins of every item equal the fitted ones
    wins = np.zeros(n)
    np.add.at(wins, I, p)
    np.add.at(wins, J, 1 - p)
    fitted = np.zeros(n)
    q = 1.0 / (1.0 + np.exp(-(theta[I] - theta[J])))
    np.add.at(fitted, I, q)
    np.add.at(fitted, J, 1 - q)
    assert np.allclose(fitted, wins, atol=1e-7)
    # the order of theta_hat is the order of u (and of the win totals)
    assert (np.argsort(theta) == np.argsort(u)).all()
    assert (np.argsort(wins) == np.argsort(u)).all()


def test_bt_link_misspecification_linear_features_is_not_order_preserving():
    """Negative control for ``bt-link-ranking-tabular``: with linear features (complete
    design) the logistic MLE under probit data does not always keep the true order of
    every pair of items (note §5 (a)), so the claim is stated for tabular designs only.
    Fixed seeds; the flips are near-ties in the note's experiment, which is reported in
    the proof file and deliberately not asserted (the note: "flag these, do not assert
    them")."""
    flips = 0
    for seed in range(300):
        rng = np.random.default_rng(seed)
        n, d = 8, 2
        X = rng.normal(size=(n, d))
        u = X @ rng.normal(size=d)
        I, J = np.triu_indices(n, k=1)
        p = np.clip(_link("probit", 1.7 * (u[I] - u[J])), 1e-9, 1 - 1e-9)
        res = fit_comparisons(X[I], X[J], p)
        assert res.converged
        uh = X @ np.asarray(res.theta_hat, dtype=float)
        flips += bool((np.sign(uh[:, None] - uh[None, :])
                       * np.sign(u[:, None] - u[None, :]) < 0).any())
    assert flips >= 1
