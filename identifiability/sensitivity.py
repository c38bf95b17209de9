"""How wrong can the inferred reward be when the assumed human model is wrong?

The Hong, Bhatia & Dragan side of note ``misspecification.md`` (§2): a robot fits
``theta`` by maximum likelihood under an assumed model (:mod:`identifiability.inference`)
while the data come from a different, true behaviour.  This module measures

* **model error** between the true and the assumed behaviour (:func:`model_error`):
  per-state total variation and KL (data first, model second), worst case over states
  and weighted by the true behaviour's normalised discounted state occupancy ``rho``;
* the **linear sensitivity bounds** under strong log-concavity (:func:`hong_tv_bound`,
  :func:`hong_kl_bound`)::

      ||theta_hat - theta*|| <= G E_rho TV / alpha         (TV form)
      ||theta_hat - theta*|| <= sqrt(2 d_KL / alpha)       (KL form)

  with ``alpha`` the curvature of the population NLL along the segment
  ``[theta*, theta_hat]`` (``alpha_seg``) or a *certified* constant from the assumed
  model alone (:func:`certified_alpha`; finite choice and Bradley-Terry), and ``G`` the
  largest per-state diameter of the score vectors (:func:`gradient_spread`).  Every
  bound result carries the actual error on the instance, so its tightness is visible;
* **bias -> model error** inequalities for false internal dynamics and myopia
  (:func:`false_dynamics_model_error`, :func:`myopia_model_error`,
  :func:`softmax_tv_bound`);
* **sweeps** of a misspecification parameter (:func:`sensitivity_sweep`,
  :func:`plot_sweep`) and the **counterexamples** of note §7 (saturation, near-indifference
  sign flip, ill-conditioned features, planner/reward non-identifiability).

Provenance: the bound statements and constants are *derived* in the note (§2.3, §2.4)
and re-derived in ``proofs/``; they are not quoted from Hong et al., whose text the note
could not read.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np

from ._numbers import parse_array, to_float_array
from .behaviour import _parameter, soft_value_iteration, state_occupancy
from .errors import InvalidMDPError, InvalidParameterError, InvalidRewardError
from .mdp import require_discounted
from .inference import ChoiceModel, ComparisonModel, _range_basis

__all__ = [
    "ModelError",
    "model_error",
    "softmax_tv_bound",
    "gradient_spread",
    "segment_curvature",
    "certified_alpha",
    "BoundResult",
    "hong_tv_bound",
    "hong_kl_bound",
    "hong_bounds",
    "BiasBound",
    "false_dynamics_model_error",
    "myopia_model_error",
    "SweepResult",
    "sensitivity_sweep",
    "plot_sweep",
    "Counterexample",
    "saturation_counterexample",
    "near_indifference_flip",
    "ill_conditioned_features",
    "planner_reward_nonidentifiability",
]

#: Relative slack when deciding ``error <= bound`` in float.
BOUND_RTOL = 1e-9


def _sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _rows(x, name):
    arr = parse_array(x, where=name, error=InvalidParameterError)
    arr = to_float_array(arr) if arr.dtype == object else np.asarray(arr, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] < 1:
        raise InvalidParameterError(f"{name} must be a distribution (m,) or rows of "
                                    f"distributions (K, m), got shape {arr.shape}")
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        k, j = (int(i) for i in np.argwhere(bad)[0])
        raise InvalidParameterError(f"{name}[{k}, {j}] = {float(arr[k, j])!r} is negative or not "
                                    f"finite; {name} must hold probability distributions")
    bad = np.abs(arr.sum(axis=1) - 1.0) > 1e-8
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(f"{name}: row {k} sums to {arr[k].sum():.12g}, not 1")
    return arr


# ---------------------------------------------------------------------- model error
@dataclass(frozen=True, eq=False)
class ModelError:
    """Per-row (per-state) and aggregated model error between true and assumed behaviour.

    Attributes
    ----------
    tv : (K,) float64 ndarray
        ``TV(true(.|s), assumed(.|s))`` per row.
    kl : (K,) float64 ndarray
        ``KL(true(.|s) || assumed(.|s))`` (data first, model second); ``inf`` where the
        model gives probability 0 to an outcome of the data.
    weights : (K,) float64 ndarray
        Row weights ``rho`` (sum to one).
    worst_tv, weighted_tv, worst_kl, weighted_kl : float
        ``max_s tv``, ``rho . tv``, ``max_s kl``, ``rho . kl``.

    Examples
    --------
    >>> import identifiability as idf
    >>> me = idf.model_error([0.5, 0.5], [0.25, 0.75])
    >>> me.worst_tv, round(me.weighted_kl, 6)
    (0.25, 0.143841)
    """

    tv: np.ndarray
    kl: np.ndarray
    weights: np.ndarray
    worst_tv: float
    weighted_tv: float
    worst_kl: float
    weighted_kl: float

    def explain(self):
        """One paragraph describing the error.

        Returns
        -------
        str

        Examples
        --------
        >>> import identifiability as idf
        >>> print(idf.model_error([0.5, 0.5], [0.25, 0.75]).explain())  # doctest: +ELLIPSIS
        Model error over 1 state(s): worst-case TV 0.25, rho-weighted TV 0.25, ...
        """
        return (f"Model error over {self.tv.size} state(s): worst-case TV {self.worst_tv:.4g}, "
                f"rho-weighted TV {self.weighted_tv:.4g}, worst-case KL(data || model) "
                f"{self.worst_kl:.4g}, rho-weighted KL {self.weighted_kl:.4g}.")


def model_error(true, assumed, *, weights=None, mdp=None):
    """Total variation and KL between a true and an assumed behaviour, per state and aggregated.

    Parameters
    ----------
    true : (m,) or (K, m) array_like
        Rows of distributions of the data (a policy ``(S, A)``, a choice distribution,
        or Bradley-Terry rows ``(p, 1 - p)``).
    assumed : same shape as ``true``
        The assumed model's behaviour at the true parameter.
    weights : (K,) array_like, optional
        Row weights (normalised).  Default: with ``mdp``, the true policy's normalised
        discounted state occupancy ``rho = (1 - gamma) d^{true}`` in ``mdp``; otherwise
        uniform.
    mdp : MDP, optional
        Infinite horizon, ``gamma < 1``; needed only for the occupancy weights.

    Returns
    -------
    ModelError

    Raises
    ------
    InvalidParameterError
        Shapes that differ, rows not summing to one, negative weights.

    Notes
    -----
    ``O(K m)`` (plus one ``O(S^3)`` occupancy solve with ``mdp``).  KL is taken with the
    data first, because the maximum-likelihood fit minimises ``E_rho KL(true || model)``
    (note §1).  Theorem ids: ``hong-tv-bound``, ``hong-kl-bound``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], initial=[1, 0], gamma="1/2")
    >>> me = idf.model_error([[0.5, 0.5], [1.0, 0.0]], [[0.5, 0.5], [0.5, 0.5]], mdp=mdp)
    >>> me.tv.tolist(), me.weights.round(6).tolist(), round(me.weighted_tv, 6)
    ([0.0, 0.5], [0.666667, 0.333333], 0.166667)
    """
    P, Q = _rows(true, "true"), _rows(assumed, "assumed")
    if P.shape != Q.shape:
        raise InvalidParameterError(f"true and assumed must have the same shape, got {P.shape} "
                                    f"and {Q.shape}")
    K = P.shape[0]
    if weights is None and mdp is not None:
        require_discounted(mdp, "occupancy weights")
        d = state_occupancy(mdp, P)
        d = to_float_array(d) if d.dtype == object else np.asarray(d, dtype=np.float64)
        w = (1 - float(mdp.gamma)) * d
    elif weights is None:
        w = np.full(K, 1.0 / K)
    else:
        w = parse_array(weights, where="weights", error=InvalidParameterError)
        w = to_float_array(w) if w.dtype == object else np.asarray(w, dtype=np.float64)
        if w.shape != (K,) or np.any(w < 0) or not w.sum() > 0:
            raise InvalidParameterError(f"weights must be {K} non-negative numbers with a "
                                        f"positive sum, got shape {w.shape}")
    w = w / w.sum()
    tv = 0.5 * np.abs(P - Q).sum(axis=1)
    kl = _kl_rows(P, Q)
    wkl = float(w[w > 0] @ kl[w > 0]) if np.any(w > 0) else 0.0
    return ModelError(tv, kl, w, float(tv.max()), float(w @ tv), float(kl.max()), wkl)


def _kl_rows(P, Q):
    """Row-wise ``KL(P || Q)`` without cancellation.

    ``KL = sum_i q_i f(x_i)`` with ``x = (p - q) / q`` and ``f(x) = (1 + x) log1p(x) - x >= 0``
    (the ``- p + q`` terms sum to zero), so tiny divergences are not lost to rounding.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        pos_q = Q > 0
        x = np.where(pos_q, (P - Q) / np.where(pos_q, Q, 1.0), 0.0)
        small = np.abs(x) < 1e-4
        f_series = x * x * (0.5 - x * (1.0 / 6.0 - x / 12.0))
        f_direct = np.where(x > -1, (1 + x) * np.log1p(np.maximum(x, -1 + 1e-300)) - x, 1.0)
        terms = np.where(small, f_series, f_direct) * Q
    kl = np.where(pos_q, terms, 0.0).sum(axis=1)
    kl[np.any((Q <= 0) & (P > 0), axis=1)] = np.inf
    return np.maximum(kl, 0.0)


def softmax_tv_bound(x, y):
    """``TV(softmax(x), softmax(y)) <= span(x - y) / 4 <= ||x - y||_inf / 2``.

    Parameters
    ----------
    x, y : (..., m) array_like
        Logits (the softmax is over the last axis).

    Returns
    -------
    float or ndarray
        ``(max(x - y) - min(x - y)) / 4`` over the last axis.

    Notes
    -----
    Claim ``bias-linearity`` (the Lipschitz fact under §2.4): along
    ``z_t = y + t (x - y)``, ``d/dt TV`` is at most the mean absolute deviation of
    ``x - y`` under ``softmax(z_t)``, which is at most half the span.  ``O(m)``.

    Examples
    --------
    >>> import identifiability as idf
    >>> idf.softmax_tv_bound([0.0, 1.0], [0.0, 0.0])
    0.25
    """
    a = np.asarray(x, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    out = (a.max(axis=-1) - a.min(axis=-1)) / 4.0
    return float(out) if np.ndim(out) == 0 else out


# ---------------------------------------------------------------------- constants
def _check_model(model):
    if not hasattr(model, "_fgh") or not hasattr(model, "score_spread"):
        raise InvalidParameterError(f"model must be a ChoiceModel, ComparisonModel or MCEModel "
                                    f"(a concave likelihood), got {type(model).__name__}")


def gradient_spread(model, theta, true_behaviour=None):
    """``G``: the largest per-state diameter of the score vectors ``grad log pi_theta(.|s)``.

    Parameters
    ----------
    model : ChoiceModel, ComparisonModel or MCEModel
    theta : (d,) array_like
        Usually ``theta*``.
    true_behaviour : array_like, optional
        When given, only rows (states / pairs) with positive data weight count.

    Returns
    -------
    float

    Notes
    -----
    Finite choice ``beta diam(phi)``; Bradley-Terry ``beta max ||psi_k||``; MCE
    ``max_s diam_a psi_theta(s, a) / lambda`` (successor features).  Claim
    ``hong-tv-bound``.

    Examples
    --------
    >>> import identifiability as idf
    >>> idf.gradient_spread(idf.ChoiceModel([[0.0], [1.0]], beta=2.0), [1.0])
    2.0
    """
    _check_model(model)
    spread = model.score_spread(theta)
    if true_behaviour is not None:
        w = model._weights(true_behaviour)
        spread = spread[w > 0]
    return float(spread.max(initial=0.0))


def segment_curvature(model, theta_a, theta_b, *, n_nodes=8):
    """Curvature ``c(t) = u^T grad^2 F(theta_a + t (theta_b - theta_a)) u`` along a segment.

    Parameters
    ----------
    model : ChoiceModel, ComparisonModel or MCEModel
    theta_a, theta_b : (d,) array_like
        Usually ``theta*`` and ``theta_hat``.
    n_nodes : int, default 8
        Gauss-Legendre nodes on ``(0, 1)``; the endpoints are always included.

    Returns
    -------
    alpha_seg : float
        ``min c(t)`` over the nodes and endpoints (the note's ``alpha_seg``).
    alpha_mean : float
        ``int_0^1 c(t) dt`` (Gauss-Legendre): the constant the TV proof actually uses.
    alpha_kl : float
        ``2 int_0^1 t c(t) dt``: the constant the KL proof uses.

    Notes
    -----
    The Hessian is data-independent (claim ``curvature-data-independent``), so no data
    are needed.  ``n_nodes + 2`` Hessians.  ``alpha_seg <= alpha_mean`` and
    ``alpha_seg <= alpha_kl`` up to the grid (``c`` is smooth); a zero-length segment
    gives the smallest visible eigenvalue at ``theta_a`` for all three.

    Examples
    --------
    Example A of note §8: ``alpha_seg = sigma'(1) = 0.1966``.

    >>> import identifiability as idf
    >>> m = idf.ChoiceModel([[0.0], [1.0]])
    >>> a_seg, a_mean, a_kl = idf.segment_curvature(m, [1.0], [0.7586])
    >>> round(a_seg, 4)
    0.1966
    """
    _check_model(model)
    ta, tb = model._theta(theta_a), model._theta(theta_b)
    if isinstance(n_nodes, bool) or not isinstance(n_nodes, (int, np.integer)) or n_nodes < 1:
        raise InvalidParameterError(f"n_nodes must be an int >= 1, got {n_nodes!r}")
    delta = tb - ta
    norm = float(np.linalg.norm(delta))
    if norm == 0.0:
        H = model.hessian(ta)
        B, _ = _range_basis(H)
        lam = float(np.linalg.eigvalsh(B.T @ H @ B).min(initial=np.inf)) if B.shape[1] else 0.0
        return lam, lam, lam
    u = delta / norm
    x, wq = np.polynomial.legendre.leggauss(int(n_nodes))
    t, wq = (x + 1) / 2, wq / 2
    first = u @ model.hessian(ta) @ u   # ta first: a cached soft solve for the MCE model
    curv = np.array([u @ model.hessian(ta + ti * delta) @ u for ti in t])
    ends = [first, u @ model.hessian(tb) @ u]
    return (float(min(curv.min(), *ends)), float(wq @ curv), float(2 * (wq * t) @ curv))


def certified_alpha(model, radius):
    """A curvature constant valid on the whole ball ``||theta|| <= radius``, from the model alone.

    Parameters
    ----------
    model : ChoiceModel or ComparisonModel
    radius : float
        ``B >= 0``.

    Returns
    -------
    float
        Finite choice: ``beta^2 exp(-beta diam(phi) B) lambda_min(scatter) / n`` with
        ``scatter = sum_i (phi_i - mean)(phi_i - mean)^T``.  Bradley-Terry:
        ``beta^2 sigma'(beta L B) lambda_min(E_w psi psi^T)`` with ``L = max ||psi_k||``
        and ``sigma'(x) = 1 / (2 + e^x + e^-x)``.  ``lambda_min`` is taken on the
        visible subspace (the range of the scatter), where the fit lives.

    Raises
    ------
    InvalidParameterError
        Another model (for MCE no data-free global constant is derived; use
        :func:`segment_curvature`) or a negative radius.

    Notes
    -----
    Derived (note §2.3, claim 3), re-derived in ``proofs/certified-alpha.md``.
    ``O(n d^2 + d^3)``.

    Examples
    --------
    >>> import math, identifiability as idf
    >>> a = idf.certified_alpha(idf.ChoiceModel([[0.0], [1.0]]), 1.0)
    >>> round(a, 6) == round(math.exp(-1) * 0.5 / 2, 6)
    True
    """
    B = _parameter(radius, "radius", allow_zero=True)
    if isinstance(model, ChoiceModel):
        phi = model.features
        c = phi - phi.mean(axis=0)
        scatter = c.T @ c
        diff = phi[:, None, :] - phi[None, :, :]
        diam = float(np.sqrt((diff ** 2).sum(-1)).max())
        lam = _visible_min_eig(scatter)
        return model.beta ** 2 * math.exp(-model.beta * diam * B) * lam / phi.shape[0]
    if isinstance(model, ComparisonModel):
        w = model.weights
        psi = model.psi[w > 0]
        L = float(np.linalg.norm(psi, axis=1).max(initial=0.0))
        x = model.beta * L * B
        sprime = 1.0 / (2.0 + math.exp(x) + math.exp(-x)) if x < 700 else 0.0
        lam = _visible_min_eig(model.psi.T @ (model.psi * w[:, None]))
        return model.beta ** 2 * sprime * lam
    raise InvalidParameterError(f"no certified global alpha is derived for "
                                f"{type(model).__name__}; use segment_curvature (the MCE "
                                f"Hessian is data-independent, so alpha_seg depends on the "
                                f"model and the segment only)")


def _visible_min_eig(M):
    B, _ = _range_basis(M)
    if B.shape[1] == 0:
        return 0.0
    return float(np.linalg.eigvalsh(B.T @ M @ B).min())


# ---------------------------------------------------------------------- the bounds
@dataclass(frozen=True, eq=False, repr=False)
class BoundResult:
    """A sensitivity bound next to the actual error on the instance.

    Attributes
    ----------
    kind : str
        ``"tv"`` or ``"kl"``.
    bound : float
        With ``alpha_seg`` (the note's form); ``inf`` when ``alpha_seg <= 0``.
    error : float
        ``||theta_hat - theta*||_2`` modulo the model's invisible directions (``inf``
        when the MLE does not exist).
    holds : bool
        ``error <= bound`` up to the relative slack ``BOUND_RTOL`` and the absolute
        ``numerical_slack``.
    ratio : float
        ``error / bound`` (tightness; 1 is tight).
    alpha_seg, alpha_mean : float
        Minimum and average curvature along ``[theta*, theta_hat]``
        (:func:`segment_curvature`); for the KL form ``alpha_mean`` is the
        ``2 t``-weighted average.
    mean_bound : float
        The bound with ``alpha_mean`` (tighter, still proved).
    alpha_certified, certified_bound, radius : float or None
        Data-free curvature on the ball of ``radius = max(||theta*||, ||theta_hat||)``
        (or the given radius) and the bound it gives; None where not derived.
    G : float
        Score-vector spread (TV form; ``nan`` for KL).
    model_error : ModelError
    theta_star, theta_hat : (d,) float64 ndarray
    fit : MLEResult
    numerical_slack : float
        Accuracy of the computed ``theta_hat``: ``2 ||grad F(theta_hat)|| / lambda_min``
        (visible Hessian) plus ``1e-12 (1 + ||theta*||)``; matters only when the bound is
        at rounding level (zero model error).

    Examples
    --------
    >>> import identifiability as idf
    >>> m = idf.ChoiceModel([[0.0], [1.0]])
    >>> res = idf.hong_tv_bound(m, [1.0], [0.31894142, 0.68105858])
    >>> round(res.bound, 4), round(res.error, 4), res.holds
    (0.2543, 0.2414, True)
    """

    kind: str
    bound: float
    error: float
    holds: bool
    ratio: float
    alpha_seg: float
    alpha_mean: float
    mean_bound: float
    alpha_certified: float | None
    certified_bound: float | None
    radius: float | None
    G: float
    model_error: ModelError
    theta_star: np.ndarray
    theta_hat: np.ndarray
    fit: object = field(default=None)
    numerical_slack: float = 1e-12

    def explain(self):
        """The bound, the actual error and how tight the bound is, in words.

        Returns
        -------
        str

        Examples
        --------
        >>> import identifiability as idf
        >>> m = idf.ChoiceModel([[0.0], [1.0]])
        >>> print(idf.hong_kl_bound(m, [1.0], [0.31894142, 0.68105858]).explain())  # doctest: +ELLIPSIS
        KL bound: ||theta_hat - theta*|| = 0.2414 <= sqrt(2 d_KL / alpha_seg) = 0.2498 ...
        """
        if self.kind == "tv":
            form = (f"G E_rho TV / alpha_seg = {self.G:.4g} x {self.model_error.weighted_tv:.4g}"
                    f" / {self.alpha_seg:.4g}")
        else:
            form = (f"sqrt(2 d_KL / alpha_seg) = sqrt(2 x {self.model_error.weighted_kl:.4g} / "
                    f"{self.alpha_seg:.4g})")
        lines = [f"{self.kind.upper()} bound: ||theta_hat - theta*|| = {self.error:.4g} "
                 f"{'<=' if self.holds else '>'} {form.split(' = ')[0]} = {self.bound:.4g} "
                 f"({'holds' if self.holds else 'VIOLATED'}; error/bound = {self.ratio:.3g})."]
        lines[0] = lines[0].replace(f"= {self.bound:.4g} (", f"= {self.bound:.4g} [{form}] (")
        lines.append(f"With the average curvature along the segment ({self.alpha_mean:.4g}) the "
                     f"bound is {self.mean_bound:.4g}.")
        if self.certified_bound is not None:
            lines.append(f"Certified from the assumed model alone on the ball of radius "
                         f"{self.radius:.4g}: alpha >= {self.alpha_certified:.4g}, bound "
                         f"{self.certified_bound:.4g}.")
        if self.fit is not None and getattr(self.fit, "saturated", False):
            lines.append("The MLE does not exist (saturation): the error is infinite and no "
                         "finite bound can hold; alpha_seg is 0 on an infinite segment.")
        lines.append("Statement and constants derived in note §2.3 (re-derived in proofs/), "
                     "not quoted from Hong et al.")
        return "\n".join(lines)

    def __repr__(self):
        return (f"BoundResult(kind={self.kind!r}, bound={self.bound:.6g}, error={self.error:.6g}, "
                f"holds={self.holds}, ratio={self.ratio:.3g})")


def _holds(error, bound, slack=1e-12):
    return bool(error <= bound * (1 + BOUND_RTOL) + slack)


def _fit_accuracy(fit, theta_star):
    """A bound on ``||theta_hat - exact maximiser||``: ``||grad F|| / lambda_min`` (strong
    convexity at the end point), doubled, plus rounding of ``theta*``."""
    base = 1e-12 * (1.0 + float(np.linalg.norm(theta_star)))
    if fit.hessian is None or not fit.gradient_norm:
        return base
    lam = _visible_min_eig(fit.hessian)
    return base + (2.0 * fit.gradient_norm / lam if lam > 0 else 0.0)


def hong_bounds(model, theta_star, true_behaviour, *, radius=None, n_nodes=8, fit_options=None):
    """Both linear sensitivity bounds (TV and KL) from one maximum-likelihood fit.

    Parameters
    ----------
    model : ChoiceModel, ComparisonModel or MCEModel
        The *assumed* model.
    theta_star : (d,) array_like
        The true parameter.
    true_behaviour : array_like
        Population data of the true (biased) human in the model's data format: a choice
        distribution ``(n,)``, comparison probabilities ``(m,)``, or a policy ``(S, A)``
        acting in the model's MDP.
    radius : float, optional
        Ball for :func:`certified_alpha`; default ``max(||theta*||, ||theta_hat||)``.
    n_nodes : int, default 8
        Quadrature nodes of :func:`segment_curvature`.
    fit_options : dict, optional
        Passed to ``model.fit`` (``tol``, ``max_iter``, ``saturation_tol``).

    Returns
    -------
    (BoundResult, BoundResult)
        The TV form and the KL form.

    Raises
    ------
    InvalidParameterError

    Notes
    -----
    One fit, ``n_nodes + 2`` Hessians, one model-error evaluation.  Claims
    ``hong-tv-bound`` and ``hong-kl-bound``.

    Examples
    --------
    >>> import identifiability as idf
    >>> tv, kl = idf.hong_bounds(idf.ChoiceModel([[0.0], [1.0]]), [1.0], [0.31894142, 0.68105858])
    >>> round(tv.bound, 4), round(kl.bound, 4), round(kl.model_error.weighted_kl, 5)
    (0.2543, 0.2498, 0.00613)
    """
    _check_model(model)
    th = model._theta(theta_star)
    opts = dict(fit_options or {})
    opts["on_saturation"] = "flag"
    fit = model.fit(true_behaviour, **opts)
    assumed = model.predict(th)
    me = model_error(model._rows(true_behaviour), model._rows(assumed),
                     weights=model._weights(true_behaviour))
    G = gradient_spread(model, th, true_behaviour)
    N = fit.null_space
    if fit.saturated:
        err, a_seg, a_mean, a_kl = math.inf, 0.0, 0.0, 0.0
    else:
        diff = fit.theta_hat - th
        if N.size:
            diff = diff - N @ (N.T @ diff)
        err = float(np.linalg.norm(diff))
        # curvature along the visible part of the segment
        a_seg, a_mean, a_kl = segment_curvature(model, th, th + diff, n_nodes=n_nodes)
    a_cert = c_tv = c_kl = rad = None
    if isinstance(model, (ChoiceModel, ComparisonModel)) and not fit.saturated:
        rad = float(radius) if radius is not None else float(max(np.linalg.norm(th),
                                                                 np.linalg.norm(fit.theta_hat)))
        a_cert = certified_alpha(model, rad)
        c_tv = G * me.weighted_tv / a_cert if a_cert > 0 else math.inf
        c_kl = math.sqrt(2 * me.weighted_kl / a_cert) if a_cert > 0 else math.inf

    def _div(num, den):
        if num == 0:
            return 0.0
        return num / den if den > 0 else math.inf

    tv_b, tv_m = _div(G * me.weighted_tv, a_seg), _div(G * me.weighted_tv, a_mean)
    kl_b = math.sqrt(_div(2 * me.weighted_kl, a_seg))
    kl_m = math.sqrt(_div(2 * me.weighted_kl, a_kl))
    slack = _fit_accuracy(fit, th) if not fit.saturated else 0.0
    out = []
    for kind, b, mb, cb, am, g in (("tv", tv_b, tv_m, c_tv, a_mean, G),
                                   ("kl", kl_b, kl_m, c_kl, a_kl, math.nan)):
        ratio = err / b if b > 0 and math.isfinite(b) else (0.0 if err == 0 else math.nan)
        out.append(BoundResult(kind, b, err, _holds(err, b, slack), ratio, a_seg, am, mb,
                               a_cert, cb, rad, g, me, th, np.array(fit.theta_hat), fit,
                               slack))
    return tuple(out)


def hong_tv_bound(model, theta_star, true_behaviour, *, radius=None, n_nodes=8,
                  fit_options=None):
    """``||theta_hat - theta*|| <= G E_rho TV(true, assumed) / alpha``, with the actual error.

    Parameters
    ----------
    model, theta_star, true_behaviour, radius, n_nodes, fit_options
        As for :func:`hong_bounds`.

    Returns
    -------
    BoundResult

    Notes
    -----
    Derived (note §2.3), re-derived in ``proofs/hong-tv-bound.md``: the score has mean
    zero under the assumed model, so ``||grad F(theta*)|| <= G E_rho TV``; first-order
    optimality and the curvature along the segment give the bound.  Cost of
    :func:`hong_bounds`.

    Examples
    --------
    >>> import identifiability as idf
    >>> res = idf.hong_tv_bound(idf.ChoiceModel([[0.0], [1.0]]), [1.0], [0.31894142, 0.68105858])
    >>> round(res.alpha_seg, 4), round(res.model_error.weighted_tv, 4), res.holds
    (0.1966, 0.05, True)
    """
    return hong_bounds(model, theta_star, true_behaviour, radius=radius, n_nodes=n_nodes,
                       fit_options=fit_options)[0]


def hong_kl_bound(model, theta_star, true_behaviour, *, radius=None, n_nodes=8,
                  fit_options=None):
    """``||theta_hat - theta*|| <= sqrt(2 E_rho KL(true || assumed) / alpha)``, with the actual error.

    Parameters
    ----------
    model, theta_star, true_behaviour, radius, n_nodes, fit_options
        As for :func:`hong_bounds`.

    Returns
    -------
    BoundResult

    Notes
    -----
    Derived (note §2.3), re-derived in ``proofs/hong-kl-bound.md``:
    ``F(theta*) - F(theta_hat) <= d_KL`` and ``>= alpha ||theta_hat - theta*||^2 / 2``.

    Examples
    --------
    >>> import identifiability as idf
    >>> res = idf.hong_kl_bound(idf.ChoiceModel([[0.0], [1.0]]), [1.0], [0.31894142, 0.68105858])
    >>> round(res.bound, 4), res.holds
    (0.2498, True)
    """
    return hong_bounds(model, theta_star, true_behaviour, radius=radius, n_nodes=n_nodes,
                       fit_options=fit_options)[1]


# ---------------------------------------------------------------------- bias -> model error
@dataclass(frozen=True, eq=False)
class BiasBound:
    """A bias-to-model-error inequality evaluated on an instance.

    Attributes
    ----------
    kind : str
        ``"false-dynamics"`` or ``"myopia"``.
    actual : float
        ``max_s TV(biased human, assumed model)``.
    bound : float
        The a-priori bound of note §2.4 (only the bias size, ``span r`` and ``|A|``).
    bound_posterior : float
        The tighter bound with the human's actual soft values.
    holds : bool
        ``actual <= bound_posterior <= bound`` (float slack).
    human_policy, model_policy : (S, A) float64 ndarray
    tv : (S,) float64 ndarray
    size : float
        The bias size (``eps_tau`` or ``|gamma - gamma_human|``).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> res = idf.myopia_model_error(mdp, [[0, 1], [1, 0]], 0.25)
    >>> res.holds
    True
    """

    kind: str
    actual: float
    bound: float
    bound_posterior: float
    holds: bool
    human_policy: np.ndarray
    model_policy: np.ndarray
    tv: np.ndarray
    size: float

    def explain(self):
        """The inequality in words.

        Returns
        -------
        str

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
        >>> print(idf.myopia_model_error(mdp, [[0, 1], [1, 0]], 0.25).explain())  # doctest: +ELLIPSIS
        myopia of size 0.25: max_s TV(human, model) = ... <= ... (a-posteriori) <= ... (a-priori)...
        """
        return (f"{self.kind} of size {self.size:.4g}: max_s TV(human, model) = "
                f"{self.actual:.4g} <= {self.bound_posterior:.4g} (a-posteriori) <= "
                f"{self.bound:.4g} (a-priori); {'holds' if self.holds else 'VIOLATED'}.  "
                f"Derived in note §2.4 (softmax TV <= span/4), re-derived in proofs/.")


def _reward_sa(mdp, reward):
    R = parse_array(reward, where="reward", error=InvalidRewardError)
    R = to_float_array(R) if R.dtype == object else np.asarray(R, dtype=np.float64)
    S, A = mdp.n_states, mdp.n_actions
    if R.shape == (S,):
        R = np.repeat(R[:, None], A, axis=1)
    if R.shape != (S, A):
        raise InvalidRewardError(f"reward must have shape (S,) or (S, A) = ({S}, {A}) here (the "
                                 f"bias bounds compare planners with different dynamics, so an "
                                 f"(S, A, S) reward is ambiguous); got {R.shape}")
    return R


def _check_infinite(mdp, what):
    require_discounted(mdp, what)


def false_dynamics_model_error(mdp, reward, internal, *, temperature=1.0):
    """Model error of a soft-optimal human who plans with false internal dynamics.

    The human plans with ``internal`` (``tilde tau``); the assumed model plans with the
    true ``mdp.P``.  With ``eps = max_{s,a} ||tilde tau(s, a) - tau(s, a)||_1``::

        max_s TV <= gamma eps span(tilde V) / (4 lambda (1 - gamma))            (posterior)
                 <= gamma eps (span r + lambda log|A|) / (4 lambda (1 - gamma)^2)  (a priori)

    Parameters
    ----------
    mdp : MDP
        The world (infinite horizon, ``gamma < 1``).
    reward : (S,) or (S, A) array_like
    internal : MDP or (S, S*) array_like
        The human's internal dynamics: an MDP with the same ``S, A`` or an ``(S, A, S)``
        transition array.
    temperature : float, default 1.0
        ``lambda`` of both planners.

    Returns
    -------
    BiasBound

    Raises
    ------
    InvalidMDPError, InvalidRewardError, InvalidParameterError

    Notes
    -----
    Derived (note §2.4, for ``lambda = 1``), re-derived with a temperature in
    ``proofs/false-dynamics-model-error.md``.  Two soft value iterations and a dense
    ``(S, A, S)`` difference.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> res = idf.false_dynamics_model_error(mdp, [[0, 1], [1, 0]],
    ...                                      [[[0.9, 0.1], [0, 1]], [[0, 1], [1, 0]]])
    >>> res.holds, round(res.size, 3)
    (True, 0.2)
    """
    from .mdp import MDP

    _check_infinite(mdp, "false_dynamics_model_error")
    lam = _parameter(temperature, "temperature", allow_zero=False)
    if not isinstance(internal, MDP):
        internal = MDP(internal, mdp.initial, gamma=mdp.gamma)
    if (internal.n_states, internal.n_actions) != (mdp.n_states, mdp.n_actions):
        raise InvalidMDPError(f"internal dynamics have S={internal.n_states}, "
                              f"A={internal.n_actions}; the MDP has S={mdp.n_states}, "
                              f"A={mdp.n_actions}")
    internal = internal.replace(gamma=mdp.gamma, horizon=None)
    r = _reward_sa(mdp, reward)
    g = float(mdp.gamma)
    P = to_float_array(mdp.transitions) if mdp.is_exact else np.asarray(mdp.transitions)
    Pt = to_float_array(internal.transitions) if internal.is_exact else \
        np.asarray(internal.transitions)
    eps = float(np.abs(Pt - P).sum(axis=2).max())
    human = soft_value_iteration(internal, r, temperature=lam, tol=1e-12)
    model = soft_value_iteration(mdp, r, temperature=lam, tol=1e-12)
    tv = 0.5 * np.abs(np.asarray(human.policy) - np.asarray(model.policy)).sum(axis=1)
    A = mdp.n_actions
    span_v = float(np.ptp(human.v))
    post = g * eps * span_v / (4 * lam * (1 - g))
    prior = g * eps * (float(np.ptp(r)) + lam * math.log(A)) / (4 * lam * (1 - g) ** 2)
    actual = float(tv.max())
    holds = actual <= post * (1 + 1e-9) + 1e-12 and post <= prior * (1 + 1e-9) + 1e-12
    return BiasBound("false-dynamics", actual, prior, post, bool(holds),
                     np.array(human.policy), np.array(model.policy), tv, eps)


def myopia_model_error(mdp, reward, gamma_human, *, temperature=1.0):
    """Model error of a myopic soft-optimal human (discount ``gamma_human`` instead of ``gamma``).

    ::

        max_s TV <= |gamma - gamma_h| ||tilde V||_inf / (2 lambda (1 - gamma))          (posterior)
        ||tilde V||_inf <= max(|r_min|, |r_max + lambda log|A||) / (1 - gamma_h)      (a priori)

    Parameters
    ----------
    mdp : MDP
        Infinite horizon, ``gamma < 1`` (the assumed discount).
    reward : (S,) or (S, A) array_like
    gamma_human : float
        The human's discount in ``[0, 1)`` (myopia: ``< gamma``; any value is allowed).
    temperature : float, default 1.0

    Returns
    -------
    BiasBound

    Raises
    ------
    InvalidParameterError, InvalidMDPError, InvalidRewardError

    Notes
    -----
    Derived (note §2.4), re-derived in ``proofs/myopia-model-error.md``.  Two soft value
    iterations.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    >>> res = idf.myopia_model_error(mdp, [[0, 1], [1, 0]], 0.8)
    >>> res.actual <= res.bound_posterior <= res.bound
    True
    """
    _check_infinite(mdp, "myopia_model_error")
    lam = _parameter(temperature, "temperature", allow_zero=False)
    gh = _parameter(gamma_human, "gamma_human", allow_zero=True)
    if not gh < 1:
        raise InvalidParameterError(f"gamma_human must lie in [0, 1), got {gamma_human!r}")
    r = _reward_sa(mdp, reward)
    g = float(mdp.gamma)
    human = soft_value_iteration(mdp.replace(gamma=gh), r, temperature=lam, tol=1e-12)
    model = soft_value_iteration(mdp, r, temperature=lam, tol=1e-12)
    tv = 0.5 * np.abs(np.asarray(human.policy) - np.asarray(model.policy)).sum(axis=1)
    A = mdp.n_actions
    vmax = float(np.abs(human.v).max())
    post = abs(g - gh) * vmax / (2 * lam * (1 - g))
    vbound = max(abs(float(r.min())), abs(float(r.max()) + lam * math.log(A))) / (1 - gh)
    prior = abs(g - gh) * vbound / (2 * lam * (1 - g))
    actual = float(tv.max())
    holds = actual <= post * (1 + 1e-9) + 1e-12 and post <= prior * (1 + 1e-9) + 1e-12
    return BiasBound("myopia", actual, prior, post, bool(holds), np.array(human.policy),
                     np.array(model.policy), tv, abs(g - gh))


# ---------------------------------------------------------------------- sweeps
@dataclass(frozen=True, eq=False, repr=False)
class SweepResult:
    """Model error, reward error and bounds along a misspecification parameter.

    Attributes
    ----------
    values : (k,) float64 ndarray
        The swept parameter.
    weighted_tv, worst_tv, weighted_kl : (k,) float64 ndarray
        Model error (:func:`model_error`).
    error : (k,) float64 ndarray
        ``||theta_hat - theta*||`` (``inf`` where the MLE does not exist).
    tv_bound, kl_bound : (k,) float64 ndarray
        The bounds with ``alpha_seg``.
    alpha_seg : (k,) float64 ndarray
    holds : (k,) bool ndarray
        Both bounds hold.
    results : list of (BoundResult, BoundResult)
    seconds : float
        Wall time of the sweep.

    Examples
    --------
    >>> import identifiability as idf
    >>> m = idf.ChoiceModel([[0.0], [1.0]])
    >>> build = lambda eps: (m, [1.0], [0.26894142 + eps, 0.73105858 - eps])
    >>> res = idf.sensitivity_sweep(build, [0.0, 0.05])
    >>> res.error.round(4).tolist(), bool(res.holds.all())
    ([0.0, 0.2414], True)
    """

    values: np.ndarray
    weighted_tv: np.ndarray
    worst_tv: np.ndarray
    weighted_kl: np.ndarray
    error: np.ndarray
    tv_bound: np.ndarray
    kl_bound: np.ndarray
    alpha_seg: np.ndarray
    holds: np.ndarray
    results: list
    seconds: float

    def explain(self):
        """A summary of the sweep.

        Returns
        -------
        str

        Examples
        --------
        >>> import identifiability as idf
        >>> m = idf.ChoiceModel([[0.0], [1.0]])
        >>> build = lambda eps: (m, [1.0], [0.26894142 + eps, 0.73105858 - eps])
        >>> print(idf.sensitivity_sweep(build, [0.0, 0.05]).explain())  # doctest: +ELLIPSIS
        Sweep of 2 value(s) in ... s: every bound holds; ...
        """
        k = self.values.size
        ok = "every bound holds" if self.holds.all() else \
            f"{int((~self.holds).sum())} VIOLATION(S)"
        # ratios only where the model error is above rounding level (a value with no
        # misspecification has TV ~ 1e-17 and an error at the fit's accuracy)
        fin = np.isfinite(self.error) & (self.weighted_tv > 1e-9) & (self.error > 1e-12)
        slope = ""
        if fin.any():
            ratio = self.error[fin] / self.weighted_tv[fin]
            slope = (f"error / weighted TV ranges over [{ratio.min():.3g}, {ratio.max():.3g}]; "
                     f"the TV bound is within a factor "
                     f"{np.nanmax(self.tv_bound[fin] / self.error[fin]):.3g} "
                     f"of the error at worst.")
        sat = int((~np.isfinite(self.error)).sum())
        more = f"  {sat} value(s) have no MLE (saturation)." if sat else ""
        return f"Sweep of {k} value(s) in {self.seconds:.3g} s: {ok}; {slope}{more}"

    def __repr__(self):
        return (f"SweepResult(values={self.values.size}, max error={np.max(self.error):.4g}, "
                f"all bounds hold={bool(self.holds.all())}, seconds={self.seconds:.3g})")


def sensitivity_sweep(build, values, *, progress=None, n_nodes=4, fit_options=None):
    """Sweep a misspecification parameter: model error, reward error and bounds per value.

    Parameters
    ----------
    build : callable
        ``build(value) -> (model, theta_star, true_behaviour)``: the assumed model
        (:class:`ChoiceModel`, :class:`ComparisonModel` or :class:`MCEModel`), the true
        parameter and the true human's population behaviour for that bias size (e.g. a
        myopic policy for ``value = gamma - gamma_human``).
    values : sequence of float
    progress : bool or callable, optional
        True prints ``i/k`` to stderr; a callable is called as ``progress(i, k, value)``
        after each value.
    n_nodes : int, default 4
        Quadrature nodes for ``alpha`` (:func:`segment_curvature`; 4 Gauss-Legendre
        nodes integrate a degree-7 polynomial exactly, and the curvature is smooth).
    fit_options : dict, optional
        Passed to ``model.fit``.

    Returns
    -------
    SweepResult

    Raises
    ------
    InvalidParameterError
        ``build`` does not return a triple, or returns an unsupported model.

    Notes
    -----
    One :func:`hong_bounds` per value: one Newton fit and ``n_nodes + 2`` Hessians.  For
    the MCE model on a 100-state MDP about 0.2-0.4 s per value
    (``benchmarks/bench_sensitivity.py``).  Plot with :func:`plot_sweep`.

    Examples
    --------
    >>> import identifiability as idf
    >>> m = idf.ChoiceModel([[0.0], [1.0]])
    >>> build = lambda eps: (m, [1.0], [0.26894142 + eps, 0.73105858 - eps])
    >>> res = idf.sensitivity_sweep(build, [0.01, 0.02, 0.04])
    >>> (res.error <= res.tv_bound).all(), res.weighted_tv.round(3).tolist()
    (np.True_, [0.01, 0.02, 0.04])
    """
    import time

    vals = np.asarray(values, dtype=np.float64).ravel()
    if not callable(build):
        raise InvalidParameterError("build must be a callable value -> (model, theta_star, "
                                    "true_behaviour)")
    t0 = time.perf_counter()
    rows, results = [], []
    for i, v in enumerate(vals):
        out = build(float(v))
        if not isinstance(out, (tuple, list)) or len(out) != 3:
            raise InvalidParameterError(f"build({v!r}) must return (model, theta_star, "
                                        f"true_behaviour), got {type(out).__name__}")
        tv, kl = hong_bounds(*out, n_nodes=n_nodes, fit_options=fit_options)
        results.append((tv, kl))
        me = tv.model_error
        rows.append((me.weighted_tv, me.worst_tv, me.weighted_kl, tv.error, tv.bound, kl.bound,
                     tv.alpha_seg, tv.holds and kl.holds))
        if progress is True:
            print(f"sensitivity_sweep: {i + 1}/{vals.size} (value {v:g})", file=sys.stderr)
        elif callable(progress):
            progress(i + 1, vals.size, float(v))
    arr = np.array(rows, dtype=np.float64).reshape(-1, 8)
    return SweepResult(vals, arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4], arr[:, 5],
                       arr[:, 6], arr[:, 7].astype(bool), results, time.perf_counter() - t0)


def plot_sweep(result, ax=None, *, x="value", log=False):
    """Plot a :class:`SweepResult`: reward error and both bounds against the parameter.

    Parameters
    ----------
    result : SweepResult
    ax : matplotlib Axes, optional
        Drawn into (default: a new figure).
    x : {"value", "tv"}, default "value"
        Horizontal axis: the swept parameter or the weighted model error (TV).
    log : bool, default False
        Logarithmic axes.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    MissingDependencyError
        matplotlib is not installed (``pip install "identifiability[plot]"``).
    InvalidParameterError
        ``x`` is not "value" or "tv".

    Notes
    -----
    The same picture as :func:`identifiability.plot.sensitivity_curve`, which draws it.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import identifiability as idf
    >>> m = idf.ChoiceModel([[0.0], [1.0]])
    >>> build = lambda eps: (m, [1.0], [0.26894142 + eps, 0.73105858 - eps])
    >>> ax = idf.plot_sweep(idf.sensitivity_sweep(build, [0.01, 0.02]))
    >>> len(ax.lines)
    3
    """
    from .plot import sensitivity_curve

    return sensitivity_curve(result, ax=ax, x=x, log=log)


# ---------------------------------------------------------------------- counterexamples
@dataclass(frozen=True, eq=False, repr=False)
class Counterexample:
    """A regenerated construction of note §7 with its numbers.

    Attributes
    ----------
    name : str
        The claim id (``proofs/<name>.md``).
    description : str
    numbers : dict
        The quantities the note states (and a few more).
    objects : dict
        The model, data and fits, to re-check the numbers.

    Examples
    --------
    >>> import identifiability as idf
    >>> ce = idf.sensitivity.saturation_counterexample(10.0, 0.01)
    >>> round(ce.numbers["theta_hat"], 3)
    4.591
    """

    name: str
    description: str
    numbers: dict
    objects: dict = field(default_factory=dict)

    def explain(self):
        """The construction and its numbers.

        Returns
        -------
        str

        Examples
        --------
        >>> import identifiability as idf
        >>> print(idf.sensitivity.near_indifference_flip(0.01).explain())  # doctest: +ELLIPSIS
        near-indifference-flip: ...
        """
        nums = ", ".join(f"{k} = {v:.6g}" if isinstance(v, float) else f"{k} = {v}"
                         for k, v in self.numbers.items())
        return f"{self.name}: {self.description}\n{nums}"

    def __repr__(self):
        return f"Counterexample({self.name!r}, {len(self.numbers)} numbers)"


def saturation_counterexample(theta_star=10.0, eps=0.01):
    """N1: a near-deterministic demonstrator; small TV, error unbounded in ``theta*``.

    Two options ``phi = (0, 1)``, ``beta = 1``.  Moving ``eps`` of probability from
    option 1 to option 0 gives TV ``eps`` and ``theta_hat = logit(sigma(M) - eps)``, which
    tends to ``log((1 - eps) / eps)`` as ``M = theta* -> infinity``: the error grows
    without bound.  Moving the mass the other way makes the data deterministic once
    ``1 - sigma(M) <= eps``, and the MLE does not exist.

    Parameters
    ----------
    theta_star : float, default 10.0
    eps : float, default 0.01
        In ``(0, sigma(M))``.

    Returns
    -------
    Counterexample
        ``numbers``: ``theta_hat``, ``closed_form`` (the logit), ``limit``, ``error``,
        ``tv``, ``curvature`` (``sigma(M)(1 - sigma(M))``), ``reverse_tv`` and
        ``reverse_mle_exists`` (False: saturated).

    Raises
    ------
    InvalidParameterError

    Notes
    -----
    Claim ``saturation-counterexample``; note §2.2 N1 / §8: ``eps = 0.01`` gives
    ``theta_hat = 4.591`` (``theta* = 10``) and ``4.595`` (``theta* = 20``).

    Examples
    --------
    >>> import identifiability as idf
    >>> ce = idf.sensitivity.saturation_counterexample(20.0, 0.01)
    >>> round(ce.numbers["theta_hat"], 3), round(ce.numbers["error"], 3), ce.numbers["reverse_mle_exists"]
    (4.595, 15.405, False)
    """
    M = float(theta_star)
    e = _parameter(eps, "eps", allow_zero=False)
    p1 = _sigmoid(M)
    if not e < p1:
        raise InvalidParameterError(f"eps must be below sigma(theta*) = {p1:.6g}")
    model = ChoiceModel([[0.0], [1.0]])
    q = np.array([1 - p1 + e, p1 - e])
    fit = model.fit(q)
    moved = min(e, 1 - p1)
    q_rev = np.array([1 - p1 - moved, p1 + moved])
    q_rev[0] = max(q_rev[0], 0.0)
    q_rev = q_rev / q_rev.sum()
    rev = model.fit(q_rev, on_saturation="flag")
    numbers = {
        "theta_hat": float(fit.theta_hat[0]),
        "closed_form": math.log((p1 - e) / (1 - p1 + e)),
        "limit": math.log((1 - e) / e),
        "error": abs(float(fit.theta_hat[0]) - M),
        "tv": e,
        "curvature": p1 * (1 - p1),
        "reverse_tv": moved,
        "reverse_mle_exists": not rev.saturated,
    }
    return Counterexample("saturation-counterexample",
                          "two options phi=(0,1), beta=1; eps of mass moved from option 1 to 0",
                          numbers, {"model": model, "data": q, "fit": fit, "reverse_data": q_rev,
                                    "reverse_fit": rev})


def near_indifference_flip(eta=0.01):
    """N2: near-indifference; TV ``~0.375 eta`` flips the sign of ``theta_hat``.

    ``theta* = eta``, two options ``phi = (0, 1)``; the data are the model's behaviour at
    ``-eta / 2``, so ``theta_hat = -eta / 2`` exactly and
    ``TV = sigma(eta) - sigma(-eta / 2) ~ 0.375 eta``.

    Parameters
    ----------
    eta : float, default 0.01

    Returns
    -------
    Counterexample
        ``numbers``: ``theta_hat``, ``tv``, ``cosine`` (-1), ``normalised_error`` on the
        toolkit's ``[0, 1]`` STARC scale (1.0, i.e. 2 on the note's ``[0, 2]`` scale).

    Raises
    ------
    InvalidParameterError

    Notes
    -----
    Claim ``near-indifference-flip``; note §2.2 N2: ``eta = 0.01`` gives
    ``TV = 3.75e-3`` and ``theta_hat = -5e-3``.

    Examples
    --------
    >>> import identifiability as idf
    >>> ce = idf.sensitivity.near_indifference_flip(0.01)
    >>> round(ce.numbers["tv"], 6), round(ce.numbers["theta_hat"], 8), ce.numbers["cosine"]
    (0.00375, -0.005, -1.0)
    """
    eta = _parameter(eta, "eta", allow_zero=False)
    model = ChoiceModel([[0.0], [1.0]])
    data = model.predict([-eta / 2])
    fit = model.fit(data)
    th = float(fit.theta_hat[0])
    me = model_error(data, model.predict([eta]))
    cos = float(np.sign(th) * np.sign(eta))
    numbers = {"theta_star": eta, "theta_hat": th, "tv": me.worst_tv,
               "tv_over_eta": me.worst_tv / eta, "cosine": cos,
               "normalised_error": 0.5 * abs(np.sign(th) - np.sign(eta))}
    return Counterexample("near-indifference-flip",
                          "theta*=eta near 0: data of theta=-eta/2 are TV~0.375 eta away",
                          numbers, {"model": model, "data": data, "fit": fit})


def ill_conditioned_features(h=0.01, eps=0.01):
    """N3: nearly collinear features; TV ``eps`` gives error ``~0.047 / h`` and a wrong direction.

    Options ``(0, 0), (1, 0), (1, h)``, ``theta* = (1, 0)``, ``beta = 1``; ``eps`` of mass
    moves from option ``(1, 0)`` to option ``(1, h)``.

    Parameters
    ----------
    h : float, default 0.01
    eps : float, default 0.01

    Returns
    -------
    Counterexample
        ``numbers``: ``theta_hat`` (tuple), ``error``, ``cosine``, ``lambda_min_cov``,
        ``tv``.

    Raises
    ------
    InvalidParameterError

    Notes
    -----
    Claim ``ill-conditioned-features``; note §2.2 N3 / §8: ``h = 0.01`` gives
    ``theta_hat = (0.98, 4.74)`` and cosine ``0.202``.

    Examples
    --------
    >>> import identifiability as idf
    >>> ce = idf.sensitivity.ill_conditioned_features(0.01)
    >>> [round(x, 2) for x in ce.numbers["theta_hat"]], round(ce.numbers["cosine"], 3)
    ([0.98, 4.74], 0.202)
    """
    h = _parameter(h, "h", allow_zero=False)
    e = _parameter(eps, "eps", allow_zero=False)
    model = ChoiceModel([[0.0, 0.0], [1.0, 0.0], [1.0, h]])
    ts = np.array([1.0, 0.0])
    P = model.predict(ts)
    if not e < P[1]:
        raise InvalidParameterError(f"eps must be below P(option 1) = {P[1]:.6g}")
    q = P.copy()
    q[1] -= e
    q[2] += e
    fit = model.fit(q)
    th = fit.theta_hat
    numbers = {"theta_hat": (float(th[0]), float(th[1])),
               "error": float(np.linalg.norm(th - ts)),
               "cosine": float(th @ ts / np.linalg.norm(th)),
               "lambda_min_cov": float(np.linalg.eigvalsh(model.hessian(ts)).min()),
               "tv": float(model_error(q, P).worst_tv)}
    return Counterexample("ill-conditioned-features",
                          f"options (0,0),(1,0),(1,{h:g}); theta*=(1,0); {e:g} of mass moved",
                          numbers, {"model": model, "data": q, "fit": fit})


def planner_reward_nonidentifiability(mdp, reward, beta=1.0, policy=None):
    """Planner/reward pairs that all explain the same behaviour (note §7.9).

    For the Boltzmann-rational planner ``b`` and reward ``R``: the anti-rational planner
    ``p^-(R') = b(-R')`` with reward ``-R``; the rational planner with the reward
    :func:`identifiability.boltzmann_inversion` of any full-support ``policy``; and the
    indifferent planner (always ``policy``) with reward 0.  All reproduce the data, so
    the reward is not identified without assumptions on the planner.

    Parameters
    ----------
    mdp : MDP
        Infinite horizon, ``gamma < 1``.
    reward : (S,), (S, A) or (S, A, S) array_like
    beta : float, default 1.0
    policy : (S, A) array_like, optional
        The behaviour to explain; default ``b(R)``.

    Returns
    -------
    Counterexample
        ``numbers``: ``anti_rational_gap`` (``max |b(-(-R)) - b(R)|``, 0),
        ``inversion_gap`` (``max |b(R_hat) - policy|``, rounding), ``reward_cosine``
        (cosine between the expected rewards ``R`` and ``-R``: -1).

    Raises
    ------
    InvalidMDPError, InvalidRewardError, InvalidPolicyError

    Notes
    -----
    Claim ``planner-reward-nonidentifiability``.  Provenance: Armstrong & Mindermann
    (2018), abstract read; constructions reconstructed in the note.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> ce = idf.sensitivity.planner_reward_nonidentifiability(mdp, [[0, 1], [2, 0]])
    >>> ce.numbers["anti_rational_gap"] < 1e-12, ce.numbers["inversion_gap"] < 1e-12
    (True, True)
    """
    from .behaviour import boltzmann_policy
    from .equivalence import boltzmann_inversion
    from .reward import expected_reward

    _check_infinite(mdp, "planner_reward_nonidentifiability")
    b = _parameter(beta, "beta", allow_zero=False)
    r = np.asarray(to_float_array(expected_reward(mdp, reward, exact=False)), dtype=float)
    pi_R = boltzmann_policy(mdp, r, beta=b, exact=False)
    pi = pi_R if policy is None else np.asarray(_rows(policy, "policy"))
    anti = boltzmann_policy(mdp, -(-r), beta=b, exact=False)  # p^-(-R) = b(-(-R))
    R_hat = boltzmann_inversion(mdp, pi, beta=b)
    inv = boltzmann_policy(mdp, R_hat, beta=b, exact=False)
    nr = np.linalg.norm(r)
    numbers = {"anti_rational_gap": float(np.abs(anti - pi_R).max()),
               "inversion_gap": float(np.abs(inv - pi).max()),
               "indifferent_gap": 0.0,
               "reward_cosine": float((r.ravel() @ -r.ravel()) / (nr * nr)) if nr > 0 else 0.0}
    return Counterexample("planner-reward-nonidentifiability",
                          "(b, R), (anti-rational, -R), (b, boltzmann_inversion(pi)), "
                          "(indifferent, 0) explain the same behaviour",
                          numbers, {"policy": pi, "R_hat": R_hat, "reward": r})
