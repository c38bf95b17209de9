"""Maximum-likelihood reward inference under an *assumed* behavioural model.

A robot assumes the human acts by a model ``theta -> pi_theta`` and fits ``theta`` by
maximum likelihood.  The data may come from a *different* (true, biased) model; in the
infinite-data (population) limit the fit minimises

``F(theta) = - E_{data} log pi_theta(outcome)``,

which is the cross-entropy of the data against the model (note
``misspecification.md`` §2.1).  The reward is linear in features,
``r_theta = theta . phi``; a tabular reward is ``phi = identity``.

=========================  =========================================  ==================
model (class / function)   likelihood                                 concave in theta?
=========================  =========================================  ==================
:class:`ChoiceModel`       Boltzmann choice ``P_i ~ exp(beta th.phi_i)`` yes (exp. family)
:func:`fit_choice`         over a finite option set, features (n, d)
:class:`ComparisonModel`   Bradley-Terry ``P(a > b) = sigmoid(beta     yes (logistic)
:func:`fit_comparisons`    th.(phi_a - phi_b))``
:class:`MCEModel`          soft-optimal (MCE) policy in a discounted     yes (discounted-
:func:`fit_mce`            MDP, ``phi`` of shape (S, A, d)              occupancy weights)
:class:`BoltzmannModel`    Boltzmann-rational ``softmax(beta A*)``      **no** (A* is
:func:`fit_boltzmann`      (optimal advantage)                         piecewise linear)
=========================  =========================================  ==================

The concave models are fitted by Newton's method with a backtracking (Armijo) line
search; the Hessian is the Fisher information and does not depend on the data
(claim ``curvature-data-independent``).  Directions ``u`` along which the model cannot
see the reward (``u . phi`` invisible, e.g. a shaping inside the feature span) are the
null space of that Hessian; the fit is made in its orthogonal complement, so
``theta_hat`` is the minimum-norm maximiser and the null space is reported.

**Non-existence of the MLE (saturation).**  When the data put probability zero on
outcomes that the model can only reach with ``theta -> infinity`` (a deterministic
demonstrator, a comparison always won, claim ``saturation-counterexample``), there is no
maximiser: the likelihood increases along a ray.  Data with full support always have
an MLE (the data mean lies in the interior of the model's mean set).  When the data
have zeros, the fit is flagged as saturated if the fitted model gives an unobserved
outcome probability below ``saturation_tol``; :class:`SaturationError` is raised (or,
with ``on_saturation="flag"``, a result with ``status == "saturated"`` and the
diverging ``direction`` is returned).  A huge ``theta_hat`` is never returned silently.

The closed-form inverse maps of the tabular models are
:func:`identifiability.mce_inversion` and :func:`identifiability.boltzmann_inversion`;
:func:`fit_mce` and :func:`fit_boltzmann` use them when ``phi`` is None.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._numbers import parse_array, to_float_array
from .behaviour import (
    _check_policy,
    _parameter,
    _policy_matrix,
    _sigmoid,
    optimal_values,
    soft_value_iteration,
    state_action_occupancy,
    state_occupancy,
)
from .errors import (
    IdentifiabilityError,
    InvalidMDPError,
    InvalidParameterError,
    InvalidRewardError,
    InvalidTrajectoryError,
)
from .mdp import check_distribution, require_discounted

__all__ = [
    "MLEResult",
    "SaturationError",
    "ChoiceModel",
    "ComparisonModel",
    "MCEModel",
    "BoltzmannModel",
    "fit_choice",
    "fit_comparisons",
    "fit_mce",
    "fit_boltzmann",
    "trajectory_features",
]

#: Relative eigenvalue threshold separating invisible directions (null space of the
#: Fisher information at theta = 0) from visible ones.
NULL_RTOL = 1e-10


class SaturationError(IdentifiabilityError, ValueError):
    """The maximum-likelihood estimate does not exist: the data are on the boundary.

    Attributes
    ----------
    result : MLEResult
        The flagged fit (``status == "saturated"``), with the diverging ``direction``.
    """

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = result


# ---------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False, repr=False)
class MLEResult:
    """A maximum-likelihood fit under an assumed model.

    Attributes
    ----------
    theta_hat : (d,) float64 ndarray
        The (minimum-norm) maximiser; for a saturated fit, the last iterate.
    log_likelihood : float
        ``-F(theta_hat)``: the mean log-likelihood per unit of data weight.
    converged : bool
        Newton's decrement fell below ``tol`` (and the fit is not saturated).
    iterations : int
        Newton steps taken (outer steps for :class:`BoltzmannModel`).
    hessian : (d, d) float64 ndarray or None
        ``grad^2 F(theta_hat)``, the Fisher information (None for closed forms).
    status : str
        ``"converged"``, ``"closed-form"``, ``"saturated"``, ``"max-iter"`` or
        ``"stalled"`` (line search could not decrease ``F``).
    model : str
        ``"choice"``, ``"comparisons"``, ``"mce"`` or ``"boltzmann"``.
    gradient_norm : float
        ``||grad F(theta_hat)||_2`` in the visible subspace.
    null_space : (d, k) float64 ndarray
        Orthonormal basis of the invisible parameter directions (``k = 0`` when the
        model identifies ``theta``).
    reward : (S, A) float64 ndarray or None
        ``theta_hat . phi`` for the MDP models.
    direction : (d,) float64 ndarray or None
        For a saturated fit: the unit direction along which the likelihood keeps
        increasing.
    message : str

    Examples
    --------
    >>> import identifiability as idf
    >>> res = idf.fit_choice([[0.0], [1.0]], [0.25, 0.75])
    >>> round(float(res.theta_hat[0]), 6), res.status    # log 3
    (1.098612, 'converged')
    """

    theta_hat: np.ndarray
    log_likelihood: float
    converged: bool
    iterations: int
    hessian: np.ndarray | None
    status: str
    model: str
    gradient_norm: float = 0.0
    null_space: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    reward: np.ndarray | None = None
    direction: np.ndarray | None = None
    message: str = ""

    @property
    def saturated(self):
        """bool: the MLE does not exist (``status == "saturated"``)."""
        return self.status == "saturated"

    def explain(self):
        """A few sentences on what was fitted and how reliable it is.

        Returns
        -------
        str

        Examples
        --------
        >>> import identifiability as idf
        >>> print(idf.fit_choice([[0.0], [1.0]], [0.5, 0.5]).explain())  # doctest: +ELLIPSIS
        Maximum-likelihood fit of the 'choice' model: converged after ... Newton step(s)...
        """
        d = self.theta_hat.shape[0]
        k = self.null_space.shape[1] if self.null_space.ndim == 2 else 0
        lines = []
        if self.status == "closed-form":
            lines.append(f"Closed-form inverse of the '{self.model}' model (tabular reward): "
                         "the returned reward reproduces the data policy exactly.")
        elif self.status == "saturated":
            lines.append(f"The maximum-likelihood estimate of the '{self.model}' model does "
                         "NOT exist: the data put zero weight on outcomes the model can only "
                         "reach as theta -> infinity.  theta_hat is the last iterate, not an "
                         "estimate; the likelihood keeps increasing along `direction`.")
        else:
            what = "converged" if self.converged else f"did NOT converge ({self.status})"
            steps = "outer step(s)" if self.model == "boltzmann" else "Newton step(s)"
            lines.append(f"Maximum-likelihood fit of the '{self.model}' model: {what} after "
                         f"{self.iterations} {steps}; mean log-likelihood "
                         f"{self.log_likelihood:.6g}, gradient norm {self.gradient_norm:.3g}.")
        if self.model == "boltzmann" and self.status != "closed-form":
            lines.append("The Boltzmann-rational likelihood is not concave in theta (the "
                         "optimal advantage is piecewise linear); the fit is a self-consistent "
                         "local optimum, not a certified global one.")
        if k:
            lines.append(f"{k} of the {d} parameter directions are invisible to the model "
                         "(null space of the Fisher information); theta_hat has no component "
                         "in them (minimum-norm maximiser).")
        if self.hessian is not None and self.status == "converged":
            ev = np.linalg.eigvalsh(self.hessian)
            vis = ev[ev > NULL_RTOL * max(ev.max(initial=0.0), 1e-300)]
            if vis.size:
                lines.append(f"Curvature (Fisher information) eigenvalues in the visible "
                             f"subspace: min {vis.min():.3g}, max {vis.max():.3g}.")
        if self.message:
            lines.append(self.message)
        return "\n".join(lines)

    def __repr__(self):
        th = np.array2string(self.theta_hat, precision=4, threshold=8)
        return (f"MLEResult(model={self.model!r}, status={self.status!r}, theta_hat={th}, "
                f"log_likelihood={self.log_likelihood:.6g}, iterations={self.iterations})")


# ---------------------------------------------------------------------- validation helpers
def _float_matrix(x, name, ndim, error=InvalidParameterError):
    arr = parse_array(x, where=name, error=error)
    arr = to_float_array(arr) if arr.dtype == object else np.asarray(arr, dtype=np.float64)
    if arr.ndim != ndim:
        raise error(f"{name} must have {ndim} dimensions, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise error(f"{name} has a non-finite entry")
    return arr


def _distribution(x, n, name):
    q = check_distribution(x, (n,), where=name, error=InvalidParameterError, atol=1e-9)[0]
    q = to_float_array(q)
    return q / q.sum()


def _log_softmax(logits):
    m = logits.max(axis=-1, keepdims=True)
    z = np.log(np.exp(logits - m).sum(axis=-1, keepdims=True))
    return logits - m - z


def _range_basis(H, rtol=NULL_RTOL):
    """Orthonormal bases of the range and the null space of a PSD matrix."""
    ev, U = np.linalg.eigh((H + H.T) / 2)
    top = max(float(ev.max(initial=0.0)), 0.0)
    keep = ev > rtol * top if top > 0 else np.zeros(ev.shape, bool)
    return U[:, keep], U[:, ~keep]


def _newton_step(gz, Hz):
    """``-Hz^{-1} gz`` by Cholesky; falls back to an eigenvalue floor when numerically singular."""
    try:
        L = np.linalg.cholesky(Hz)
        return -np.linalg.solve(L.T, np.linalg.solve(L, gz))
    except np.linalg.LinAlgError:
        ev, U = np.linalg.eigh((Hz + Hz.T) / 2)
        ev = np.maximum(ev, max(float(ev.max(initial=0.0)), 1.0) * 1e-14)
        return -U @ ((U.T @ gz) / ev)


# ---------------------------------------------------------------------- the Newton solver
def _newton(model, data, theta0, *, tol, max_iter, saturation_tol, on_saturation):
    """Minimise the convex ``F(theta) = model._fgh(theta, data)`` by damped Newton."""
    d = model.dim
    B, N = _range_basis(model.hessian(np.zeros(d)))
    theta0 = np.zeros(d) if theta0 is None else _float_matrix(theta0, "theta0", 1)
    if theta0.shape != (d,):
        raise InvalidParameterError(f"theta0 must have shape ({d},), got {theta0.shape}")
    z = B.T @ theta0
    F, g, H = model._fgh(B @ z, data, 2)
    status, it, history = "max-iter", 0, [B @ z]
    for it in range(1, max_iter + 1):
        gz, Hz = B.T @ g, B.T @ H @ B
        if B.shape[1] == 0:
            status, it = "converged", 0
            break
        p = _newton_step(gz, Hz)
        dec = float(-gz @ p)  # squared Newton decrement, >= 0
        if dec < 0 or not math.isfinite(dec):
            p, dec = -gz, float(gz @ gz)
        if math.sqrt(max(dec, 0.0)) <= tol:
            status, it = "converged", it - 1
            break
        t, accepted = 1.0, False
        if dec <= 1e-8:
            # Quadratic phase: the Armijo decrease (~dec) is below the rounding of F, so
            # the full step is taken unless F visibly increases.
            Fn = model._fgh(B @ (z + p), data, 0)[0]
            accepted = math.isfinite(Fn) and Fn <= F + 1e-12 * max(1.0, abs(F))
        while not accepted and t >= 1e-14:
            Fn = model._fgh(B @ (z + t * p), data, 0)[0]
            if math.isfinite(Fn) and Fn <= F - 0.25 * t * dec:
                accepted = True
                break
            t *= 0.5
        if not accepted:
            # Rounding floor: F cannot decrease further.  Accept as converged only when the
            # decrement is already tiny relative to |F|.
            status = "converged" if dec <= 1e-10 * max(1.0, abs(F)) else "stalled"
            it -= 1
            break
        z = z + t * p
        history.append(B @ z)
        F, g, H = model._fgh(B @ z, data, 2)
    theta = B @ z
    gnorm = float(np.linalg.norm(B.T @ g)) if B.shape[1] else 0.0
    extra = model._extras(theta)
    sat = model._saturated(theta, data, saturation_tol)
    if sat:
        direction = history[-1] - history[max(0, len(history) - 6)]
        nrm = np.linalg.norm(direction)
        direction = direction / nrm if nrm > 0 else (theta / max(np.linalg.norm(theta), 1e-300))
        res = MLEResult(theta, -F, False, it, H, "saturated", model.name, gnorm, N,
                        extra, direction, sat)
        if on_saturation == "raise":
            raise SaturationError(f"the maximum-likelihood estimate of the '{model.name}' model "
                                  f"does not exist: {sat}", res)
        return res
    return MLEResult(theta, -F, status == "converged", it, H, status, model.name, gnorm, N,
                     extra, None, "")


def _check_fit_options(tol, max_iter, saturation_tol, on_saturation):
    tol = _parameter(tol, "tol", allow_zero=False)
    saturation_tol = _parameter(saturation_tol, "saturation_tol", allow_zero=True)
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise InvalidParameterError(f"max_iter must be an int >= 1, got {max_iter!r}")
    if on_saturation not in ("raise", "flag"):
        raise InvalidParameterError(f"on_saturation must be 'raise' or 'flag', got "
                                    f"{on_saturation!r}")
    return tol, int(max_iter), saturation_tol


def _saturation_message(mask, fitted, where):
    idx = np.argwhere(mask)[0]
    pos = ", ".join(str(int(i)) for i in idx)
    return (f"{int(mask.sum())} outcome(s) with zero data weight get fitted probability below "
            f"saturation_tol (first: {where}[{pos}] = {float(fitted[tuple(idx)]):.3g}); the "
            f"likelihood increases without bound along the reported direction")


# ---------------------------------------------------------------------- finite choice
class ChoiceModel:
    """Boltzmann choice over a finite option set: ``P_theta(i) ~ exp(beta theta . phi_i)``.

    Parameters
    ----------
    features : (n, d) array_like
        ``phi_i``, one row per option (a trajectory's feature sum for MaxEnt IRL with
        deterministic dynamics).
    beta : float, default 1.0
        Inverse temperature ``> 0``.

    Notes
    -----
    ``F(theta; q) = -beta theta . E_q phi + log sum_i exp(beta theta . phi_i)``;
    gradient ``beta (E_P phi - E_q phi)``; Hessian ``beta^2 Cov_P(phi)``, whatever the
    data ``q`` (claim ``curvature-data-independent``).  Each evaluation ``O(n d^2)``.

    Examples
    --------
    >>> import identifiability as idf
    >>> m = idf.ChoiceModel([[0.0], [1.0]])
    >>> m.predict([0.0]).tolist()
    [0.5, 0.5]
    >>> m.hessian([0.0]).tolist()
    [[0.25]]
    """

    name = "choice"

    def __init__(self, features, beta=1.0):
        self.features = _float_matrix(features, "features", 2)
        if self.features.shape[0] < 1 or self.features.shape[1] < 1:
            raise InvalidParameterError(f"features must have shape (n, d) with n, d >= 1, got "
                                        f"{self.features.shape}")
        self.beta = _parameter(beta, "beta", allow_zero=False)
        self.dim = self.features.shape[1]

    def _theta(self, theta):
        th = _float_matrix(theta, "theta", 1)
        if th.shape != (self.dim,):
            raise InvalidParameterError(f"theta must have shape ({self.dim},), got {th.shape}")
        return th

    def predict(self, theta):
        """Choice probabilities ``P_theta``.

        Parameters
        ----------
        theta : (d,) array_like

        Returns
        -------
        (n,) float64 ndarray

        Examples
        --------
        >>> import math, identifiability as idf
        >>> idf.ChoiceModel([[0.0], [1.0]]).predict([math.log(3)]).round(6).tolist()
        [0.25, 0.75]
        """
        return np.exp(_log_softmax(self.beta * self.features @ self._theta(theta)))

    def hessian(self, theta):
        """Fisher information ``beta^2 Cov_{P_theta}(phi)`` (data-independent).

        Parameters
        ----------
        theta : (d,) array_like

        Returns
        -------
        (d, d) float64 ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> idf.ChoiceModel([[0.0], [2.0]], beta=0.5).hessian([0.0]).tolist()
        [[0.25]]
        """
        P = self.predict(theta)
        c = self.features - P @ self.features
        return self.beta ** 2 * (c.T @ (c * P[:, None]))

    def score_spread(self, theta):
        """Per-row diameter of the score vectors ``grad log P_theta(i)``: ``beta diam(phi)``.

        Parameters
        ----------
        theta : (d,) array_like

        Returns
        -------
        (1,) float64 ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> idf.ChoiceModel([[0.0, 0.0], [3.0, 4.0]]).score_spread([0.0, 0.0]).tolist()
        [5.0]
        """
        self._theta(theta)
        diff = self.features[:, None, :] - self.features[None, :, :]
        return np.array([self.beta * float(np.sqrt((diff ** 2).sum(-1)).max())])

    # --- interface used by the solver and by identifiability.sensitivity
    def _prepare(self, data):
        return _distribution(data, self.features.shape[0], "probabilities")

    def _rows(self, behaviour):
        return np.asarray(behaviour, dtype=np.float64)[None, :]

    def _weights(self, data):
        return np.ones(1)

    def _fgh(self, theta, q, order):
        logits = self.beta * self.features @ theta
        lp = _log_softmax(logits)
        F = float(-(q @ lp))
        if order == 0:
            return F, None, None
        P = np.exp(lp)
        mean = P @ self.features
        g = self.beta * (mean - q @ self.features)
        c = self.features - mean
        return F, g, self.beta ** 2 * (c.T @ (c * P[:, None]))

    def _extras(self, theta):
        return None

    def _saturated(self, theta, q, tol):
        P = self.predict(theta)
        mask = (q == 0) & (P < tol)
        return _saturation_message(mask, P, "P") if mask.any() else ""

    def fit(self, data, *, theta0=None, tol=1e-10, max_iter=200, saturation_tol=1e-8,
            on_saturation="raise"):
        """Population (or empirical) maximum-likelihood fit; see :func:`fit_choice`.

        Parameters
        ----------
        data : (n,) array_like
            Choice distribution of the data.
        theta0, tol, max_iter, saturation_tol, on_saturation
            As for :func:`fit_choice`.

        Returns
        -------
        MLEResult

        Examples
        --------
        >>> import identifiability as idf
        >>> round(float(idf.ChoiceModel([[0.0], [1.0]]).fit([0.5, 0.5]).theta_hat[0]), 12)
        0.0
        """
        tol, max_iter, saturation_tol = _check_fit_options(tol, max_iter, saturation_tol,
                                                           on_saturation)
        return _newton(self, self._prepare(data), theta0, tol=tol, max_iter=max_iter,
                       saturation_tol=saturation_tol, on_saturation=on_saturation)


def fit_choice(features, probabilities=None, *, samples=None, beta=1.0, theta0=None, tol=1e-10,
               max_iter=200, saturation_tol=1e-8, on_saturation="raise"):
    """Maximum-likelihood ``theta`` of a Boltzmann choice model from choice data.

    Parameters
    ----------
    features : (n, d) array_like
        One feature vector per option.
    probabilities : (n,) array_like, optional
        The population choice distribution of the (possibly differently behaving)
        human: the infinite-data limit.
    samples : (N,) array_like of int, optional
        Observed choices (option indices); used instead of ``probabilities``.
    beta : float, default 1.0
        The *assumed* inverse temperature.
    theta0 : (d,) array_like, optional
        Starting point (default 0).
    tol : float, default 1e-10
        Stop when the Newton decrement ``sqrt(g^T H^-1 g)`` is below ``tol``.
    max_iter : int, default 200
    saturation_tol : float, default 1e-8
        A never-chosen option whose fitted probability falls below this marks the fit
        as saturated (the MLE does not exist).
    on_saturation : {"raise", "flag"}, default "raise"

    Returns
    -------
    MLEResult

    Raises
    ------
    SaturationError
        The MLE does not exist (``on_saturation="raise"``).
    InvalidParameterError
        Bad shapes, a distribution that does not sum to one, an index out of range, or
        both / neither of ``probabilities`` and ``samples``.

    Notes
    -----
    Newton with backtracking on the convex ``F``; each step ``O(n d^2 + d^3)``;
    quadratic convergence near the optimum.  With full-support data the MLE exists
    (claim ``saturation-counterexample``).  Theorem ids: ``hong-tv-bound`` (the fit the
    bounds are about), ``curvature-data-independent``.

    Examples
    --------
    Example A of note §8: options ``phi = (0, 1)``, data ``Q = (0.3189, 0.6811)``.

    >>> import identifiability as idf
    >>> res = idf.fit_choice([[0.0], [1.0]], [0.31894142, 0.68105858])
    >>> round(float(res.theta_hat[0]), 4), res.converged
    (0.7586, True)
    >>> idf.fit_choice([[0.0], [1.0]], samples=[1, 1, 0, 1]).theta_hat.round(6).tolist()
    [1.098612]
    """
    model = ChoiceModel(features, beta)
    n = model.features.shape[0]
    if (probabilities is None) == (samples is None):
        raise InvalidParameterError("pass exactly one of probabilities= (population) and "
                                    "samples= (observed choices)")
    if samples is not None:
        idx = np.asarray(samples)
        if idx.ndim != 1 or idx.size == 0 or idx.dtype.kind not in "iu":
            raise InvalidParameterError(f"samples must be a non-empty 1-D array of option "
                                        f"indices, got shape {idx.shape} dtype {idx.dtype}")
        if idx.min() < 0 or idx.max() >= n:
            raise InvalidParameterError(f"samples has an index outside 0..{n - 1}")
        probabilities = np.bincount(idx, minlength=n) / idx.size
    return model.fit(probabilities, theta0=theta0, tol=tol, max_iter=max_iter,
                     saturation_tol=saturation_tol, on_saturation=on_saturation)


# ---------------------------------------------------------------------- Bradley-Terry
class ComparisonModel:
    """Bradley-Terry comparisons: ``P(a > b) = sigmoid(beta theta . (phi_a - phi_b))``.

    Parameters
    ----------
    features_a, features_b : (m, d) array_like
        Feature vectors of the two items of each compared pair (for trajectories, their
        discounted feature sums: :func:`trajectory_features`).
    weights : (m,) array_like, optional
        How often each pair is asked (the design); default uniform.  Normalised.
    beta : float, default 1.0

    Notes
    -----
    Logistic regression on ``psi = phi_a - phi_b``.  Hessian
    ``beta^2 sum_k w_k sigma'(beta psi_k . theta) psi_k psi_k^T``, whatever the answers
    (claim ``curvature-data-independent``).  ``O(m d^2)`` per evaluation.

    Examples
    --------
    >>> import identifiability as idf
    >>> m = idf.ComparisonModel([[1.0], [2.0]], [[0.0], [0.0]])
    >>> m.predict([0.0]).tolist()
    [0.5, 0.5]
    """

    name = "comparisons"

    def __init__(self, features_a, features_b, weights=None, beta=1.0):
        fa = _float_matrix(features_a, "features_a", 2)
        fb = _float_matrix(features_b, "features_b", 2)
        if fa.shape != fb.shape or fa.shape[0] < 1 or fa.shape[1] < 1:
            raise InvalidParameterError(f"features_a and features_b must have the same shape "
                                        f"(m, d), m, d >= 1; got {fa.shape} and {fb.shape}")
        self.features_a, self.features_b = fa, fb
        self.psi = fa - fb
        m = fa.shape[0]
        if weights is None:
            w = np.full(m, 1.0 / m)
        else:
            w = _float_matrix(weights, "weights", 1)
            if w.shape != (m,) or np.any(w < 0) or w.sum() <= 0:
                raise InvalidParameterError(f"weights must be {m} non-negative numbers with a "
                                            f"positive sum, got shape {w.shape}")
            w = w / w.sum()
        self.weights = w
        self.beta = _parameter(beta, "beta", allow_zero=False)
        self.dim = fa.shape[1]

    _theta = ChoiceModel._theta

    def predict(self, theta):
        """``P(a_k > b_k)`` for every pair.

        Parameters
        ----------
        theta : (d,) array_like

        Returns
        -------
        (m,) float64 ndarray

        Examples
        --------
        >>> import math, identifiability as idf
        >>> idf.ComparisonModel([[1.0]], [[0.0]]).predict([math.log(3)]).round(6).tolist()
        [0.75]
        """
        return _sigmoid(self.beta * self.psi @ self._theta(theta))

    def hessian(self, theta):
        """Fisher information ``beta^2 E_w[sigma'(beta psi . theta) psi psi^T]``.

        Parameters
        ----------
        theta : (d,) array_like

        Returns
        -------
        (d, d) float64 ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> idf.ComparisonModel([[2.0]], [[0.0]]).hessian([0.0]).tolist()
        [[1.0]]
        """
        s = self.predict(theta)
        return self.beta ** 2 * (self.psi.T @ (self.psi * (self.weights * s * (1 - s))[:, None]))

    def score_spread(self, theta):
        """Per-pair diameter of the two score vectors: ``beta ||psi_k||``.

        Parameters
        ----------
        theta : (d,) array_like

        Returns
        -------
        (m,) float64 ndarray

        Examples
        --------
        >>> import identifiability as idf
        >>> idf.ComparisonModel([[3.0, 4.0]], [[0.0, 0.0]]).score_spread([0, 0]).tolist()
        [5.0]
        """
        self._theta(theta)
        return self.beta * np.linalg.norm(self.psi, axis=1)

    def _prepare(self, data):
        p = _float_matrix(data, "probabilities", 1)
        if p.shape != self.weights.shape:
            raise InvalidParameterError(f"probabilities must have shape {self.weights.shape} "
                                        f"(one P(a > b) per pair), got {p.shape}")
        if np.any((p < 0) | (p > 1)):
            raise InvalidParameterError("probabilities must lie in [0, 1]")
        return p

    def _rows(self, behaviour):
        b = np.asarray(behaviour, dtype=np.float64)
        return np.stack([b, 1.0 - b], axis=1)

    def _weights(self, data):
        return self.weights

    def _fgh(self, theta, p, order):
        x = self.beta * self.psi @ theta
        w = self.weights
        # -[p log sigma(x) + (1 - p) log sigma(-x)], stably
        F = float(w @ (p * np.logaddexp(0.0, -x) + (1 - p) * np.logaddexp(0.0, x)))
        if order == 0:
            return F, None, None
        s = _sigmoid(x)
        g = -self.beta * (self.psi.T @ (w * (p - s)))
        H = self.beta ** 2 * (self.psi.T @ (self.psi * (w * s * (1 - s))[:, None]))
        return F, g, H

    _extras = ChoiceModel._extras

    def _saturated(self, theta, p, tol):
        s = self.predict(theta)
        rows, fitted = self._rows(p), self._rows(s)
        mask = (self.weights[:, None] > 0) & (rows == 0) & (fitted < tol)
        return _saturation_message(mask, fitted, "P(pair, side)") if mask.any() else ""

    def fit(self, data, *, theta0=None, tol=1e-10, max_iter=200, saturation_tol=1e-8,
            on_saturation="raise"):
        """Maximum-likelihood fit; see :func:`fit_comparisons`.

        Parameters
        ----------
        data : (m,) array_like
            ``P(a_k > b_k)`` of the data (or 0/1 outcomes).
        theta0, tol, max_iter, saturation_tol, on_saturation
            As for :func:`fit_choice`.

        Returns
        -------
        MLEResult

        Examples
        --------
        >>> import identifiability as idf
        >>> idf.ComparisonModel([[1.0]], [[0.0]]).fit([0.75]).theta_hat.round(6).tolist()
        [1.098612]
        """
        tol, max_iter, saturation_tol = _check_fit_options(tol, max_iter, saturation_tol,
                                                           on_saturation)
        return _newton(self, self._prepare(data), theta0, tol=tol, max_iter=max_iter,
                       saturation_tol=saturation_tol, on_saturation=on_saturation)


def fit_comparisons(features_a, features_b, probabilities, *, weights=None, beta=1.0,
                    theta0=None, tol=1e-10, max_iter=200, saturation_tol=1e-8,
                    on_saturation="raise"):
    """Maximum-likelihood ``theta`` of a Bradley-Terry model from comparisons.

    Parameters
    ----------
    features_a, features_b : (m, d) array_like
        The compared items (for trajectories: :func:`trajectory_features`).
    probabilities : (m,) array_like
        Population ``P(a_k preferred to b_k)`` of the (possibly different) true
        preference model, or observed 0/1 outcomes, one row per answered comparison
        (finite samples: the empirical likelihood is the same formula).
    weights : (m,) array_like, optional
        Design weights of the pairs (default uniform).
    beta : float, default 1.0
        The assumed inverse temperature.
    theta0, tol, max_iter, saturation_tol, on_saturation
        As for :func:`fit_choice`.

    Returns
    -------
    MLEResult

    Raises
    ------
    SaturationError
        Separable outcomes: the MLE does not exist.
    InvalidParameterError

    Notes
    -----
    Newton on the convex logistic loss, ``O(m d^2 + d^3)`` per step.  A wrong assumed
    temperature only rescales: ``theta_hat = (beta_true / beta) theta*`` (claim
    ``temperature-misspecification-scale``).

    Examples
    --------
    >>> import identifiability as idf
    >>> fa, fb = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [[0.0, 0.0]] * 3
    >>> true = idf.ComparisonModel(fa, fb, beta=2.0).predict([1.0, -0.5])
    >>> idf.fit_comparisons(fa, fb, true, beta=1.0).theta_hat.round(8).tolist()
    [2.0, -1.0]
    """
    model = ComparisonModel(features_a, features_b, weights, beta)
    return model.fit(probabilities, theta0=theta0, tol=tol, max_iter=max_iter,
                     saturation_tol=saturation_tol, on_saturation=on_saturation)


# ---------------------------------------------------------------------- MDP models
def _check_discounted(mdp, what):
    require_discounted(mdp, what)


def _check_phi(mdp, phi):
    S, A = mdp.n_states, mdp.n_actions
    arr = _float_matrix(phi, "phi", 3, error=InvalidRewardError)
    if arr.shape[:2] != (S, A) or arr.shape[2] < 1:
        raise InvalidRewardError(f"phi must have shape (S, A, d) = ({S}, {A}, d), d >= 1; got "
                                 f"{arr.shape}")
    return arr


def trajectory_features(mdp, phi, states, actions):
    """Discounted feature sums ``sum_t gamma^t phi(s_t, a_t)`` of trajectories.

    Parameters
    ----------
    mdp : MDP
    phi : (S, A, d) array_like
    states : (T + 1,) or (N, T + 1) array_like of int
    actions : (T,) or (N, T) array_like of int

    Returns
    -------
    (d,) or (N, d) float64 ndarray
        ``theta . trajectory_features = trajectory_return(mdp, theta . phi, ...)``.

    Raises
    ------
    InvalidTrajectoryError, InvalidRewardError

    Notes
    -----
    ``O(N T d)``, one vectorised gather.

    Examples
    --------
    >>> import numpy as np, identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], gamma="1/2")
    >>> phi = np.eye(4).reshape(2, 2, 4)
    >>> idf.trajectory_features(mdp, phi, [0, 1, 1], [1, 0]).tolist()
    [0.0, 1.0, 0.5, 0.0]
    """
    from .behaviour import _trajectory_indices

    F = _check_phi(mdp, phi)
    s, a = _trajectory_indices(mdp, states, actions, "trajectory_features")
    T = a.shape[-1]
    disc = float(mdp.gamma) ** np.arange(T)
    return np.einsum("...t,...td->...d", np.broadcast_to(disc, a.shape), F[s[..., :-1], a])


@dataclass(frozen=True)
class _MCEData:
    mu: np.ndarray                 # (d,) normalised discounted feature expectation
    rows: np.ndarray | None        # (S, A) data policy, if known
    weights: np.ndarray | None     # (S,) data state weights, if known


class MCEModel:
    """Soft-optimal (MCE / MaxEnt) policy of ``r_theta = theta . phi`` in a discounted MDP.

    Parameters
    ----------
    mdp : MDP
        Infinite horizon, ``gamma < 1``: the world in which the data were produced.
    phi : (S, A, d) array_like
        Features; ``phi = eye(S*A).reshape(S, A, S*A)`` is the tabular reward.
    temperature : float, default 1.0
        The assumed ``lambda > 0``: ``pi_theta = exp((Q_theta - V_theta) / lambda)``.
    vi_tol : float, default 1e-12
        Residual of :func:`identifiability.soft_value_iteration`.

    Notes
    -----
    With data weights ``rho`` = the data's normalised discounted state-action occupancy
    in ``mdp``, the telescoping (flow) identity gives exactly (note §2.3, derived)::

        F(theta) = - sum rho log pi_theta
                 = -(theta . E_rho phi - (1 - gamma) mu0 . V_theta) / lambda,

    convex because soft values are convex in ``theta``.  Gradient
    ``(E_{rho_theta} phi - E_rho phi) / lambda`` (feature expectations under the
    normalised occupancy of ``pi_theta``, via
    :func:`identifiability.state_action_occupancy`); Hessian
    ``lambda^-2 E_{s ~ rho_theta} Cov_{pi_theta(.|s)}(psi_theta(s, .))`` with successor
    features ``psi_theta``: it does not involve the data (claim
    ``curvature-data-independent``).  One evaluation: one soft value iteration plus
    two dense ``S x S`` solves, ``O(k nnz d + S^3 + S^2 d + S A d^2)``.

    Examples
    --------
    >>> import numpy as np, identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> phi = np.array([[[1.0], [0.0]], [[0.0], [1.0]]])
    >>> m = idf.MCEModel(mdp, phi)
    >>> m.predict([0.0]).tolist()
    [[0.5, 0.5], [0.5, 0.5]]
    """

    name = "mce"

    def __init__(self, mdp, phi, temperature=1.0, *, vi_tol=1e-12):
        _check_discounted(mdp, "MCEModel")
        self.mdp = mdp
        self.phi = _check_phi(mdp, phi)
        self.temperature = _parameter(temperature, "temperature", allow_zero=False)
        self.vi_tol = _parameter(vi_tol, "vi_tol", allow_zero=False)
        self.dim = self.phi.shape[2]
        self.gamma = float(mdp.gamma)
        self.initial = to_float_array(mdp.initial)

    _theta = ChoiceModel._theta

    def _solve(self, theta):
        # One-entry cache: the line search evaluates F at the point where the next Newton
        # step then needs the gradient and Hessian.
        key = np.asarray(theta, dtype=np.float64).tobytes()
        cached = getattr(self, "_last_solve", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        r = self.phi @ theta
        sol = soft_value_iteration(self.mdp, r, temperature=self.temperature, tol=self.vi_tol)
        self._last_solve = (key, sol)
        return sol

    def predict(self, theta):
        """The soft-optimal policy ``pi_theta``.

        Parameters
        ----------
        theta : (d,) array_like

        Returns
        -------
        (S, A) float64 ndarray

        Examples
        --------
        >>> import numpy as np, identifiability as idf
        >>> bandit = idf.MDP([[[1], [1]]], gamma="1/2")
        >>> idf.MCEModel(bandit, [[[0.0], [1.0]]]).predict([np.log(3)]).round(6).tolist()
        [[0.25, 0.75]]
        """
        return np.array(self._solve(self._theta(theta)).policy)

    def successor_features(self, theta):
        """``psi_theta(s, a) = grad_theta Q_theta(s, a)``: discounted feature sums of ``pi_theta``.

        Parameters
        ----------
        theta : (d,) array_like

        Returns
        -------
        (S, A, d) float64 ndarray

        Notes
        -----
        ``Psi_V = (I - gamma P_pi)^-1 phi_pi`` (one dense solve, ``O(S^3 + S^2 d)``) and
        ``psi = phi + gamma P Psi_V``.

        Examples
        --------
        >>> import numpy as np, identifiability as idf
        >>> bandit = idf.MDP([[[1], [1]]], gamma="1/2")
        >>> idf.MCEModel(bandit, [[[0.0], [1.0]]]).successor_features([0.0])[:, :, 0].tolist()
        [[0.5, 1.5]]
        """
        return self._psi(np.array(self._solve(self._theta(theta)).policy))

    def _psi(self, pi):
        from . import linalg

        S = self.mdp.n_states
        M = np.eye(S) - self.gamma * _policy_matrix(self.mdp, pi, False)
        phi_pi = np.einsum("sa,sad->sd", pi, self.phi)
        Psi_V = linalg.solve(M, phi_pi)
        return self.phi + self.gamma * self.mdp.expectation(Psi_V)

    def _hessian_from(self, pi, rho_s):
        psi = self._psi(pi)
        c = psi - np.einsum("sa,sad->sd", pi, psi)[:, None, :]
        w = rho_s[:, None] * pi
        return np.einsum("sa,sai,saj->ij", w, c, c) / self.temperature ** 2

    def hessian(self, theta):
        """Fisher information ``lambda^-2 E_{rho_theta} Cov_pi(psi_theta)`` (data-independent).

        Parameters
        ----------
        theta : (d,) array_like

        Returns
        -------
        (d, d) float64 ndarray

        Examples
        --------
        >>> import numpy as np, identifiability as idf
        >>> bandit = idf.MDP([[[1], [1]]], gamma="1/2")
        >>> idf.MCEModel(bandit, [[[0.0], [1.0]]]).hessian([0.0]).tolist()
        [[0.25]]
        """
        pi = np.array(self._solve(self._theta(theta)).policy)
        rho_s = (1 - self.gamma) * np.asarray(state_occupancy(self.mdp, pi), dtype=np.float64)
        return self._hessian_from(pi, rho_s)

    def score_spread(self, theta):
        """Per-state diameter of the scores ``grad log pi_theta(a|s) = (psi(s, a) - E_pi psi) / lambda``.

        Parameters
        ----------
        theta : (d,) array_like

        Returns
        -------
        (S,) float64 ndarray

        Examples
        --------
        >>> import numpy as np, identifiability as idf
        >>> bandit = idf.MDP([[[1], [1]]], gamma="1/2")
        >>> idf.MCEModel(bandit, [[[0.0], [1.0]]]).score_spread([0.0]).tolist()
        [1.0]
        """
        psi = self.successor_features(theta)
        diff = psi[:, :, None, :] - psi[:, None, :, :]
        return np.sqrt((diff ** 2).sum(-1)).max(axis=(1, 2)) / self.temperature

    def state_weights(self, policy):
        """Normalised discounted state occupancy ``rho`` of a policy in ``mdp``.

        Parameters
        ----------
        policy : (S, A) array_like

        Returns
        -------
        (S,) float64 ndarray
            Sums to one.

        Examples
        --------
        >>> import numpy as np, identifiability as idf
        >>> bandit = idf.MDP([[[1], [1]]], gamma="1/2")
        >>> idf.MCEModel(bandit, [[[0.0], [1.0]]]).state_weights([[0.5, 0.5]]).tolist()
        [1.0]
        """
        d = state_occupancy(self.mdp, policy)
        return (1 - self.gamma) * np.asarray(to_float_array(d) if d.dtype == object else d,
                                             dtype=np.float64)

    def _prepare(self, data):
        if isinstance(data, _MCEData):
            return data
        pi, _ = _check_policy(self.mdp, data, None, where="policy")
        pi = to_float_array(np.asarray(pi)) if pi.dtype == object else np.asarray(pi, float)
        x = (1 - self.gamma) * np.asarray(state_action_occupancy(self.mdp, pi), dtype=float)
        return _MCEData(np.einsum("sa,sad->d", x, self.phi), pi, x.sum(axis=1))

    def _rows(self, behaviour):
        return np.asarray(behaviour, dtype=np.float64)

    def _weights(self, data):
        return self.state_weights(data)

    def _fgh(self, theta, data, order):
        sol = self._solve(theta)
        lam, g_ = self.temperature, self.gamma
        F = float(-(theta @ data.mu - (1 - g_) * (self.initial @ sol.v)) / lam)
        if order == 0:
            return F, None, None
        pi = np.array(sol.policy)
        x = (1 - g_) * np.asarray(state_action_occupancy(self.mdp, pi), dtype=float)
        grad = (np.einsum("sa,sad->d", x, self.phi) - data.mu) / lam
        return F, grad, self._hessian_from(pi, x.sum(axis=1))

    def _extras(self, theta):
        return self.phi @ theta

    def _saturated(self, theta, data, tol):
        pi = self.predict(theta)
        if data.rows is not None:
            mask = (data.weights[:, None] > 0) & (data.rows == 0) & (pi < tol)
        else:
            mask = pi < tol
        return _saturation_message(mask, pi, "pi") if mask.any() else ""

    def fit(self, data, *, theta0=None, tol=1e-9, max_iter=100, saturation_tol=1e-8,
            on_saturation="raise"):
        """Maximum-likelihood fit from a data policy; see :func:`fit_mce`.

        Parameters
        ----------
        data : (S, A) array_like
            The data policy (acting in ``mdp``).
        theta0, tol, max_iter, saturation_tol, on_saturation
            As for :func:`fit_choice`.

        Returns
        -------
        MLEResult

        Examples
        --------
        >>> import numpy as np, identifiability as idf
        >>> bandit = idf.MDP([[[1], [1]]], gamma="1/2")
        >>> idf.MCEModel(bandit, [[[0.0], [1.0]]]).fit([[0.25, 0.75]]).theta_hat.round(6).tolist()
        [1.098612]
        """
        tol, max_iter, saturation_tol = _check_fit_options(tol, max_iter, saturation_tol,
                                                           on_saturation)
        return _newton(self, self._prepare(data), theta0, tol=tol, max_iter=max_iter,
                       saturation_tol=saturation_tol, on_saturation=on_saturation)


def _closed_form_loglik(mdp, pi):
    """``sum rho(s) pi(a|s) log pi(a|s)``: the closed form reproduces ``pi`` exactly."""
    rho = (1 - float(mdp.gamma)) * np.asarray(state_occupancy(mdp, pi), dtype=float)
    return float((rho[:, None] * pi * np.log(pi)).sum())


def _saturated_closed_form(model_name, pi, where):
    s, a = np.argwhere(pi <= 0)[0]
    raise SaturationError(f"the tabular '{model_name}' MLE does not exist: the data policy has "
                          f"{where}[{s}, {a}] = 0, which needs reward -infinity")


def fit_mce(mdp, phi=None, policy=None, *, feature_expectation=None, trajectories=None,
            temperature=1.0, theta0=None, tol=1e-9, max_iter=100, saturation_tol=1e-8,
            on_saturation="raise"):
    """Maximum-likelihood (MCE / MaxEnt IRL) reward under an assumed soft-optimal human.

    Parameters
    ----------
    mdp : MDP
        Infinite horizon, ``gamma < 1``; the data are generated in it.
    phi : (S, A, d) array_like, optional
        Reward features.  None: tabular reward, solved in closed form by
        :func:`identifiability.mce_inversion` (needs ``policy``).
    policy : (S, A) array_like, optional
        Population data: the true (possibly biased) human's policy acting in ``mdp``.
    feature_expectation : (d,) array_like, optional
        Data summarised by ``E_rho phi`` (normalised discounted occupancy).
    trajectories : tuple (states, actions), optional
        Finite samples: ``(N, T + 1)`` states and ``(N, T)`` actions from
        ``mdp.initial``; ``E_rho phi`` is estimated by ``(1 - gamma)`` times the mean
        discounted feature sum (truncated at ``T``).
    temperature : float, default 1.0
        The assumed ``lambda``.
    theta0, tol, max_iter, saturation_tol, on_saturation
        As for :func:`fit_choice`.

    Returns
    -------
    MLEResult
        ``reward = theta_hat . phi``; closed form: ``theta_hat`` is the flattened
        ``(S, A)`` reward and ``status == "closed-form"``.

    Raises
    ------
    SaturationError
        The data policy has zeros the model cannot fit with a finite reward.
    InvalidParameterError
        Not exactly one of ``policy``, ``feature_expectation``, ``trajectories``.
    InvalidMDPError, InvalidRewardError, InvalidPolicyError, InvalidTrajectoryError

    Notes
    -----
    The objective is the discounted-occupancy-weighted negative log-likelihood; by the
    flow identity it depends on the data only through ``E_rho phi`` (Ziebart's MCE IRL
    dual; note §2.3 [derived]).  Newton per step: one soft value iteration, two
    ``S x S`` solves.  Theorem ids: ``curvature-data-independent``, ``hong-tv-bound``,
    ``inverse-exactness`` (closed form).

    Examples
    --------
    >>> import numpy as np, identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> phi = np.array([[[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 1.0]]])
    >>> pi = idf.soft_policy(mdp, phi @ np.array([1.0, -2.0]))
    >>> idf.fit_mce(mdp, phi, pi).theta_hat.round(6).tolist()
    [1.0, -2.0]
    >>> idf.fit_mce(mdp, policy=pi).status
    'closed-form'
    """
    _check_discounted(mdp, "fit_mce")
    given = [x is not None for x in (policy, feature_expectation, trajectories)]
    if sum(given) != 1:
        raise InvalidParameterError("pass exactly one of policy=, feature_expectation= and "
                                    "trajectories=")
    if phi is None:
        if policy is None:
            raise InvalidParameterError("the tabular closed form (phi=None) needs policy=")
        from .equivalence import mce_inversion

        pi, _ = _check_policy(mdp, policy, None)
        pif = to_float_array(np.asarray(pi)) if pi.dtype == object else np.asarray(pi, float)
        if np.any(pif <= 0):
            _saturated_closed_form("mce", pif, "policy")
        lam = _parameter(temperature, "temperature", allow_zero=False)
        R = mce_inversion(mdp, pif, beta=1.0 / lam)
        return MLEResult(R.ravel().copy(), _closed_form_loglik(mdp, pif), True, 0, None,
                         "closed-form", "mce", 0.0, np.zeros((R.size, 0)), R)
    model = MCEModel(mdp, phi, temperature)
    if policy is not None:
        data = model._prepare(policy)
    elif feature_expectation is not None:
        mu = _float_matrix(feature_expectation, "feature_expectation", 1)
        if mu.shape != (model.dim,):
            raise InvalidParameterError(f"feature_expectation must have shape ({model.dim},), "
                                        f"got {mu.shape}")
        data = _MCEData(mu, None, None)
    else:
        if not isinstance(trajectories, (tuple, list)) or len(trajectories) != 2:
            raise InvalidTrajectoryError("trajectories must be a pair (states, actions)")
        feats = trajectory_features(mdp, model.phi, trajectories[0], trajectories[1])
        feats = np.atleast_2d(feats)
        data = _MCEData((1 - model.gamma) * feats.mean(axis=0), None, None)
    tol, max_iter, saturation_tol = _check_fit_options(tol, max_iter, saturation_tol,
                                                       on_saturation)
    return _newton(model, data, theta0, tol=tol, max_iter=max_iter,
                   saturation_tol=saturation_tol, on_saturation=on_saturation)


# ---------------------------------------------------------------------- Boltzmann-rational
class BoltzmannModel:
    """Boltzmann-rational policy ``softmax(beta A*_theta)`` of ``r_theta = theta . phi``.

    Parameters
    ----------
    mdp : MDP
        Infinite horizon, ``gamma < 1``.
    phi : (S, A, d) array_like
    beta : float, default 1.0

    Notes
    -----
    ``A*_theta = Q*_theta - V*_theta`` is piecewise linear in ``theta`` (linear where the
    optimal policy is fixed): ``A*_theta(s, a) = theta . Delta(s, a)`` with
    ``Delta = psi*(s, a) - psi*(s, pi*(s))`` and ``psi*`` the successor features of the
    optimal policy.  So the likelihood is concave on each region of fixed optimal
    policy but **not concave** overall; :meth:`fit` uses successive convex
    approximation (documented there).

    Examples
    --------
    >>> import numpy as np, identifiability as idf
    >>> bandit = idf.MDP([[[1], [1]]], gamma="1/2")
    >>> idf.BoltzmannModel(bandit, [[[0.0], [1.0]]]).predict([np.log(3)]).round(6).tolist()
    [[0.25, 0.75]]
    """

    name = "boltzmann"

    def __init__(self, mdp, phi, beta=1.0):
        _check_discounted(mdp, "BoltzmannModel")
        self.mdp = mdp
        self.phi = _check_phi(mdp, phi)
        self.beta = _parameter(beta, "beta", allow_zero=False)
        self.dim = self.phi.shape[2]
        self.gamma = float(mdp.gamma)

    _theta = ChoiceModel._theta

    def _delta(self, theta):
        """``Delta`` (S, A, d) of the optimal policy at ``theta`` (ties: first maximiser)."""
        from . import linalg

        _, Q = optimal_values(self.mdp, self.phi @ theta, exact=False)
        Q = np.asarray(Q, dtype=float)
        S = self.mdp.n_states
        greedy = Q.argmax(axis=1)
        pi = np.zeros_like(Q)
        pi[np.arange(S), greedy] = 1.0
        M = np.eye(S) - self.gamma * _policy_matrix(self.mdp, pi, False)
        Psi_V = linalg.solve(M, self.phi[np.arange(S), greedy])
        psi = self.phi + self.gamma * self.mdp.expectation(Psi_V)
        return psi - psi[np.arange(S), greedy][:, None, :], greedy

    def predict(self, theta):
        """The Boltzmann-rational policy (:func:`identifiability.boltzmann_policy`).

        Parameters
        ----------
        theta : (d,) array_like

        Returns
        -------
        (S, A) float64 ndarray

        Examples
        --------
        >>> import numpy as np, identifiability as idf
        >>> bandit = idf.MDP([[[1], [1]]], gamma="1/2")
        >>> idf.BoltzmannModel(bandit, [[[0.0], [1.0]]]).predict([0.0]).tolist()
        [[0.5, 0.5]]
        """
        from .behaviour import boltzmann_policy

        return boltzmann_policy(self.mdp, self.phi @ self._theta(theta), beta=self.beta,
                                exact=False)

    def _nll(self, theta, w):
        _, Q = optimal_values(self.mdp, self.phi @ theta, exact=False)
        Q = np.asarray(Q, dtype=float)
        lp = _log_softmax(self.beta * (Q - Q.max(axis=1, keepdims=True)))
        return float(-(w * lp).sum())

    def fit(self, policy, *, theta0=None, tol=1e-9, max_iter=50, saturation_tol=1e-8,
            on_saturation="raise"):
        """Local maximum-likelihood fit by successive convex approximation.

        Outer loop: fix the optimal policy ``pi*_k`` of ``theta_k``; the likelihood with
        ``A*`` replaced by the linear ``theta . Delta_k`` is concave (a per-state
        Boltzmann choice model), maximise it by Newton; move from ``theta_k`` towards
        that maximiser with a backtracking search on the *true* likelihood; stop when
        the optimal policy of the new point is ``pi*_k`` again and the inner maximiser
        is reached (a self-consistent stationary point).  Not a certified global
        optimum; try several ``theta0``.

        Parameters
        ----------
        policy : (S, A) array_like
            The data policy; weights are its normalised discounted occupancy in ``mdp``.
        theta0, tol, max_iter, saturation_tol, on_saturation
            As for :func:`fit_choice` (``max_iter`` counts outer steps).

        Returns
        -------
        MLEResult

        Examples
        --------
        >>> import numpy as np, identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
        >>> phi = np.array([[[1.0], [0.0]], [[0.0], [0.5]]])
        >>> m = idf.BoltzmannModel(mdp, phi)
        >>> m.fit(m.predict([2.0])).theta_hat.round(6).tolist()
        [2.0]
        """
        tol, max_iter, saturation_tol = _check_fit_options(tol, max_iter, saturation_tol,
                                                           on_saturation)
        pi, _ = _check_policy(self.mdp, policy, None)
        pi = to_float_array(np.asarray(pi)) if pi.dtype == object else np.asarray(pi, float)
        rho = (1 - self.gamma) * np.asarray(state_occupancy(self.mdp, pi), dtype=float)
        w = rho[:, None] * pi
        theta = np.zeros(self.dim) if theta0 is None else self._theta(theta0)
        status, res_inner, it = "max-iter", None, 0
        F = self._nll(theta, w)
        for it in range(1, max_iter + 1):
            delta, greedy = self._delta(theta)
            inner = _PieceModel(delta, rho, self.beta)
            res_inner = _newton(inner, pi, theta, tol=tol, max_iter=200,
                                saturation_tol=saturation_tol, on_saturation="flag")
            if res_inner.saturated:
                direction = res_inner.direction
                msg = res_inner.message
                res = MLEResult(res_inner.theta_hat, -self._nll(res_inner.theta_hat, w), False,
                                it, res_inner.hessian, "saturated", self.name,
                                res_inner.gradient_norm, res_inner.null_space,
                                self.phi @ res_inner.theta_hat, direction, msg)
                if on_saturation == "raise":
                    raise SaturationError(f"the maximum-likelihood estimate of the 'boltzmann' "
                                          f"model does not exist: {msg}", res)
                return res
            target = res_inner.theta_hat
            step = target - theta
            t, moved = 1.0, False
            while t >= 1e-10:
                cand = theta + t * step
                Fc = self._nll(cand, w)
                if Fc <= F + 1e-15 * max(1.0, abs(F)):
                    moved = True
                    break
                t *= 0.5
            if not moved:
                status = "stalled"
                break
            theta, F = cand, Fc
            _, greedy_new = self._delta(theta)
            if t == 1.0 and np.array_equal(greedy_new, greedy):
                status = "converged"
                break
            if np.linalg.norm(t * step) <= tol * max(1.0, np.linalg.norm(theta)):
                status = "converged" if np.array_equal(greedy_new, greedy) else "stalled"
                break
        delta, _ = self._delta(theta)
        inner = _PieceModel(delta, rho, self.beta)
        _, g, H = inner._fgh(theta, pi, 2)
        return MLEResult(theta, -F, status == "converged", it, H, status, self.name,
                         float(np.linalg.norm(g)), res_inner.null_space, self.phi @ theta,
                         None, "")


class _PieceModel:
    """Per-state Boltzmann choice with fixed linear advantages ``theta . Delta``."""

    name = "boltzmann"

    def __init__(self, delta, rho, beta):
        self.delta, self.rho, self.beta = delta, rho, beta
        self.dim = delta.shape[2]

    def hessian(self, theta):
        return self._fgh(theta, None, 2)[2]

    def _fgh(self, theta, pi, order):
        lp = _log_softmax(self.beta * self.delta @ theta)
        F = float(-(self.rho[:, None] * pi * lp).sum()) if pi is not None else 0.0
        if order == 0:
            return F, None, None
        P = np.exp(lp)
        mean = np.einsum("sa,sad->sd", P, self.delta)
        g = None
        if pi is not None:
            g = self.beta * (self.rho @ (mean - np.einsum("sa,sad->sd", pi, self.delta)))
        c = self.delta - mean[:, None, :]
        H = self.beta ** 2 * np.einsum("sa,sai,saj->ij", self.rho[:, None] * P, c, c)
        return F, g, H

    def _extras(self, theta):
        return None

    def _saturated(self, theta, pi, tol):
        P = np.exp(_log_softmax(self.beta * self.delta @ theta))
        mask = (self.rho[:, None] > 0) & (pi == 0) & (P < tol)
        return _saturation_message(mask, P, "pi") if mask.any() else ""


def fit_boltzmann(mdp, phi=None, policy=None, *, beta=1.0, theta0=None, tol=1e-9, max_iter=50,
                  saturation_tol=1e-8, on_saturation="raise"):
    """Maximum-likelihood reward under an assumed Boltzmann-rational human (``softmax(beta A*)``).

    Parameters
    ----------
    mdp : MDP
        Infinite horizon, ``gamma < 1``.
    phi : (S, A, d) array_like, optional
        None: tabular closed form :func:`identifiability.boltzmann_inversion`.
    policy : (S, A) array_like
        The data policy (population limit).
    beta : float, default 1.0
    theta0, tol, max_iter, saturation_tol, on_saturation
        As for :func:`fit_choice`.

    Returns
    -------
    MLEResult

    Raises
    ------
    SaturationError, InvalidParameterError, InvalidPolicyError, InvalidMDPError

    Notes
    -----
    The likelihood is **not concave** in ``theta`` (``A*`` is piecewise linear); with
    features the method is successive convex approximation
    (:meth:`BoltzmannModel.fit`), a local optimum.  Tabular: exact closed form
    (claim ``inverse-exactness``).

    Examples
    --------
    >>> import numpy as np, identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> pi = idf.boltzmann_policy(mdp, [[0, 1], [2, 0]], beta=2)
    >>> res = idf.fit_boltzmann(mdp, policy=pi, beta=2)
    >>> bool(np.allclose(idf.boltzmann_policy(mdp, res.reward, beta=2), pi)), res.status
    (True, 'closed-form')
    """
    _check_discounted(mdp, "fit_boltzmann")
    if policy is None:
        raise InvalidParameterError("fit_boltzmann needs policy=")
    if phi is None:
        from .equivalence import boltzmann_inversion

        pi, _ = _check_policy(mdp, policy, None)
        pif = to_float_array(np.asarray(pi)) if pi.dtype == object else np.asarray(pi, float)
        if np.any(pif <= 0):
            _saturated_closed_form("boltzmann", pif, "policy")
        R = boltzmann_inversion(mdp, pif, beta=beta)
        return MLEResult(R.ravel().copy(), _closed_form_loglik(mdp, pif), True, 0, None,
                         "closed-form", "boltzmann", 0.0, np.zeros((R.size, 0)), R)
    return BoltzmannModel(mdp, phi, beta).fit(policy, theta0=theta0, tol=tol, max_iter=max_iter,
                                              saturation_tol=saturation_tol,
                                              on_saturation=on_saturation)
