"""Reward equivalence classes of behavioural models and data sources.

A *data source* (or behavioural model) is a map ``f`` from rewards to observations: the
optimal Q-function, a Boltzmann-rational or soft-optimal policy, trajectories, returns,
comparisons.  Two rewards are *equivalent* under ``f`` when ``f(R1) = f(R2)``; the
*ambiguity* of ``f`` on an MDP is the set of rewards it cannot tell from a given one
(theory note ``equivalence-and-distances.md`` §1-3).

For every model except ``"optimal"`` the class of ``R`` is the affine space ``R + N`` of a
linear subspace ``N`` (the *invariance subspace*) that depends only on the MDP.  This
module builds ``N`` as ``{x : M x in im G}``:

* ``M`` maps a reward to the coordinates the data source sees: the expected reward
  ``r(s, a) = E_{s'} R(s, a, s')`` of the observed state-action pairs (models that are
  invariant to S'-redistribution) or the reward of each observed transition (models
  built on returns);
* ``G`` spans the changes of those coordinates the data source cannot see: potential
  shaping ``gamma Phi(s') - Phi(s)`` with a free, zero-initial or k-initial potential,
  or nothing.

Coordinates no row of ``M`` reads are free: that is the mask of impossible (or
unreachable) transitions.  Every question reduces to one weighted least-squares problem
``min_c ||M x - G c||`` in the potential's coordinates (``O(nnz)`` assembly plus one
``|S| x |S|`` Gram solve, :class:`identifiability.linalg.GramSolver`), exact on exact
input.

=========================  ==============================================  ================
model                      observation                                     invariances
=========================  ==============================================  ================
``"q"``                    ``Q*`` (same class for ``Q^pi``, fixed ``pi``)    S'R
``"boltzmann"``            ``softmax(beta A*)``, ``beta`` known              shaping + S'R
``"mce"``                  soft-optimal policy (soft Bellman), ``beta``      shaping + S'R
``"boltzmann-trajectories"``  trajectories of the Boltzmann policy          + unreachable mask
``"mce-trajectories"``     trajectories of the soft-optimal policy           + unreachable mask
``"returns"``              discounted returns of initial trajectories        zero-initial
                                                                            shaping + mask
``"comparisons"``          Bradley-Terry comparisons of initial trajectories  k-initial
                                                                            shaping + mask
``"fragment-returns"``     returns of trajectory fragments                   impossible mask
``"fragment-comparisons"`` Bradley-Terry comparisons of fragments            impossible mask
``"noiseless-fragment-     the order of fragment returns                     between PLS and
comparisons"``                                                              ZPMT (+ mask):
                                                                            decided or
                                                                            "undecided"
``"noiseless-              the order of the returns of initial               at least PLS +
comparisons"``             trajectories                                      k-initial
                                                                            shaping + mask;
                                                                            decided or
                                                                            "undecided"
``"optimal"``              the set of optimal policies                       OPT (a cone)
=========================  ==============================================  ================

Finite horizons (``mdp.horizon = H``, any ``gamma`` in ``[0, 1]``): the policy models of
:data:`FINITE_HORIZON_MODELS` observe the time-varying policy ``pi_t`` of a *stationary*
reward on Access ``{(t, s) : s in L_t, t < H}``; their class is ``K_Gamma``
(:func:`identifiability.identify.policy_class`, Shehab et al. 2024 Cor 8 as reconstructed in
``identifiability.md`` §4.1), i.e. the stationary rewards reachable by time-dependent
shaping with a constant final potential, S'-redistribution and a mask of the inaccessible
``(t, s)`` (:class:`FiniteHorizonClass`, :class:`FiniteHorizonDecomposition`).  The
Boltzmann-rational model has the same class (derived here: ``softmax(beta A*_t)`` determines
``A*_t``, whose row maximum is 0, as ``pi_t`` determines ``Q_t - V_t``).  The return and
comparison models of full trajectories and ``"optimal"`` refuse finite horizons.

(Skalse, Farrugia-Roberts, Russell, Abate & Gleave, ICLR 2022 submission, Thms 3.1-3.12,
as read in §3.1 of the note; the ``R(s, a)`` and ``R(s)`` restrictions and the
``gamma = 0`` fragment-comparison case are derived here.)  The soft-optimal policy is
the soft-Bellman (Ziebart 2010; Haarnoja et al. 2017) one of
:func:`identifiability.soft_value_iteration`, not the ICLR-2022 fixed point
``pi = Boltzmann(A^pi)``; both have the same invariances (note §1).

Proofs: ``proofs/<id>.md`` for the ids named in each docstring.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from . import linalg
from ._numbers import format_number, to_fractions, to_float_array
from ._numbers import zeros as _zeros
from .errors import InvalidParameterError, InvalidRewardError, ToleranceWarning
from .linalg import Subspace
from .reward import as_reward, broadcast_reward
from .transforms import _random_values, _rng

__all__ = [
    "MODELS",
    "Model",
    "RewardClass",
    "OptimalityClass",
    "Decomposition",
    "EquivalenceResult",
    "Lasso",
    "FiniteHorizonClass",
    "FiniteHorizonDecomposition",
    "FINITE_HORIZON_MODELS",
    "ambiguity",
    "equivalent",
    "observe",
    "refines",
    "Refinement",
    "ordering_table",
    "OrderingTable",
    "mce_inversion",
    "boltzmann_inversion",
    "EQUIVALENCE_RTOL",
]

#: Float decisions: a reward difference is in the invariance subspace when the
#: least-squares residual is at most ``EQUIVALENCE_RTOL * max(1, scale)``; residuals
#: within a factor 1e3 of that threshold raise a :class:`ToleranceWarning`.
EQUIVALENCE_RTOL = 1e-9

#: Largest ambient dimension for which :attr:`RewardClass.basis` is built.
MAX_BASIS_AMBIENT = 20000

_DOMAINS = {"s": 1, "sa": 2, "sas": 3}


# ---------------------------------------------------------------------- models
@dataclass(frozen=True)
class Model:
    """A data source: what it observes and which reward changes it cannot see.

    Parameters
    ----------
    name : str
    summary : {"mean", "transition", "optimal", "order"}
        ``"mean"``: sees ``R`` only through ``r(s, a) = E_{s'} R(s, a, s')``;
        ``"transition"``: sees every observed transition's reward; ``"optimal"``: the
        non-linear optimal-policy model; ``"order"``: a noiseless order of returns
        (only bounds on the class are known; three-valued decisions).
    shaping : {"none", "free", "zero-initial", "k-initial"}
        The potential shaping the source cannot see.
    mask : {"impossible", "unreachable"}
        Which transitions it never observes.
    observation : str
        What the source observes.
    invariances : str
        Its invariances, in words.
    provenance : str
        Where the invariance theorem comes from.

    Examples
    --------
    >>> MODELS["mce"].invariances
    "potential shaping and S'-redistribution"
    """

    name: str
    summary: str
    shaping: str
    mask: str
    observation: str
    invariances: str
    provenance: str
    trajectories: bool = False

    @property
    def is_linear(self):
        """True when the equivalence classes are affine spaces ``R + N``."""
        return self.summary not in ("optimal", "order")


_ICLR = "Skalse et al. (ICLR 2022 submission), "
MODELS = {m.name: m for m in [
    Model("q", "mean", "none", "impossible",
          "the optimal Q-function Q* (Q^pi of a fixed policy pi has the same class)",
          "S'-redistribution", _ICLR + "Thm 3.1 [READ in note §3.1]"),
    Model("boltzmann", "mean", "free", "impossible",
          "the Boltzmann-rational policy softmax(beta (Q* - V*)), beta known",
          "potential shaping and S'-redistribution", _ICLR + "Thm 3.2 [READ in note §3.1]"),
    Model("mce", "mean", "free", "impossible",
          "the soft-optimal (MCE, soft-Bellman) policy at temperature 1/beta, beta known",
          "potential shaping and S'-redistribution",
          _ICLR + "Thm 3.2 (stated for its MaxEnt fixed point; the soft-Bellman variant "
          "implemented here has the same invariances, note §1 [VERIFIED])"),
    Model("boltzmann-trajectories", "mean", "free", "unreachable",
          "the distribution of trajectories from the initial states under the "
          "Boltzmann-rational policy",
          "potential shaping, S'-redistribution and a mask of unreachable transitions",
          _ICLR + "Thm 3.4 [READ in note §3.1]", True),
    Model("mce-trajectories", "mean", "free", "unreachable",
          "the distribution of trajectories from the initial states under the "
          "soft-optimal policy",
          "potential shaping, S'-redistribution and a mask of unreachable transitions",
          _ICLR + "Thm 3.4 [READ in note §3.1]", True),
    Model("returns", "transition", "zero-initial", "unreachable",
          "the discounted return of every possible trajectory from an initial state",
          "zero-initial potential shaping and a mask of unreachable transitions",
          _ICLR + "Thm 3.7 [READ in note §3.1]", True),
    Model("comparisons", "transition", "k-initial", "unreachable",
          "Bradley-Terry comparisons sigma(beta (G(xi2) - G(xi1))) of possible trajectories "
          "from initial states, beta known",
          "k-initial potential shaping and a mask of unreachable transitions",
          _ICLR + "Thm 3.9 [READ in note §3.1]", True),
    Model("fragment-returns", "transition", "none", "impossible",
          "the discounted return of every possible trajectory fragment",
          "a mask of impossible transitions", _ICLR + "Thm 3.6 [READ in note §3.1]"),
    Model("fragment-comparisons", "transition", "none", "impossible",
          "Bradley-Terry comparisons of possible trajectory fragments, beta known",
          "a mask of impossible transitions (and a constant shift when gamma = 0)",
          _ICLR + "Thm 3.8 [READ in note §3.1]; the gamma = 0 case derived here"),
    Model("noiseless-fragment-comparisons", "order", "none", "impossible",
          "the noiseless order of the returns of possible trajectory fragments",
          "at least positive scaling and a mask of impossible transitions, at most "
          "zero-preserving monotonic maps and that mask (only bounds are known)",
          _ICLR + "Thm 3.10 [READ in note §3.1]"),
    Model("noiseless-comparisons", "order", "k-initial", "unreachable",
          "the noiseless order of the discounted returns of possible trajectories from "
          "initial states",
          "at least positive scaling, k-initial potential shaping and a mask of unreachable "
          "transitions; at most the maps that preserve the order of every initial-trajectory "
          "return (only bounds are known)",
          _ICLR + "Thm 3.11 (the lower bound) [READ in note §3.1]; the upper bound and the "
          "decision procedure derived here", True),
    Model("optimal", "optimal", "free", "impossible",
          "the set of optimal policies (equivalently the optimal-action sets)",
          "optimality-preserving transformations (a cone, not a subspace)",
          _ICLR + "Thms 3.3 and 3.12 [READ in note §3.1]"),
]}


def _model(model):
    if isinstance(model, Model):
        return model
    if not isinstance(model, str) or model not in MODELS:
        raise InvalidParameterError(f"unknown model {model!r}; choose one of "
                                    f"{', '.join(sorted(MODELS))}")
    return MODELS[model]


def _domain(domain):
    if domain not in _DOMAINS:
        raise InvalidParameterError(f"domain={domain!r}; expected 's' (R(s)), 'sa' (R(s, a)) "
                                    f"or 'sas' (R(s, a, s'))")
    return domain


#: Models that also accept a finite horizon: the time-varying policy on Access has the
#: class ``K_Gamma`` (:func:`identifiability.identify.policy_class`).
FINITE_HORIZON_MODELS = ("mce", "mce-trajectories", "boltzmann", "boltzmann-trajectories")


def _check_setting(mdp, model):
    """The invariance theorems are for the discounted infinite-horizon setting.

    Exceptions: ``"q"`` and the fragment models accept any MDP, and the policy models of
    :data:`FINITE_HORIZON_MODELS` accept a finite horizon (any ``gamma`` in ``[0, 1]``).
    """
    if model.name in ("q", "fragment-returns", "noiseless-fragment-comparisons"):
        return
    if model.name == "fragment-comparisons":
        return
    if mdp.horizon is not None:
        if model.name in FINITE_HORIZON_MODELS:
            return
        raise InvalidParameterError(
            f"model {model.name!r} is implemented for the discounted infinite-horizon setting "
            f"(mdp.horizon is None, gamma < 1); this MDP has horizon {mdp.horizon}.  With a "
            f"finite horizon use one of {', '.join(repr(m) for m in FINITE_HORIZON_MODELS)} "
            f"(class K_Gamma: time-dependent potentials, identifiability.policy_class) or "
            f"'q', 'fragment-returns', 'fragment-comparisons', "
            f"'noiseless-fragment-comparisons'; the return and comparison models of full "
            f"trajectories and 'optimal' have no finite-horizon theorem here")
    if not mdp.gamma < 1:
        raise InvalidParameterError(f"model {model.name!r} needs gamma < 1, got "
                                    f"gamma={format_number(mdp.gamma)}")
    if model.name in ("returns", "comparisons", "noiseless-comparisons") and mdp.gamma == 0:
        raise InvalidParameterError(
            f"model {model.name!r} needs 0 < gamma < 1: with gamma = 0 a return sees only the "
            f"first transition and the shaping characterisation does not hold")


def _reachable(mdp):
    from .graph import reachable_states

    return reachable_states(mdp)


def _random(rng, n, exact):
    """``n`` random numbers in ``[-5, 5]`` (Fractions when exact): the transforms' sampler."""
    return _random_values(rng, (n,), exact)


def _add_at(n, idx, vals, exact):
    out = _zeros((n,), exact)
    if len(idx):
        np.add.at(out, idx, vals)
    return out


def _nonzero(v):
    return np.array([x != 0 for x in v.tolist()], dtype=bool) if v.dtype == object else v != 0


def _absmax(v):
    if v.size == 0:
        return 0.0
    return float(np.max(np.abs(to_float_array(v)))) if v.dtype == object else \
        float(np.max(np.abs(v)))


# ---------------------------------------------------------------------- linear structure
class _Structure:
    """``N = {x : M x in im G}`` for a linear model on one MDP and one reward domain.

    ``M`` and ``G`` are kept sparse as ``(row, col, value)`` triples; ``lam[i]`` is the
    squared norm of row ``i`` of ``M`` (positive), ``disjoint`` says whether the rows of
    ``M`` have disjoint supports (then ``M M^T = diag(lam)`` and the orthogonal projection
    onto ``N``'s complement has a closed form).
    """

    def __init__(self, mdp, model, domain):
        self.mdp, self.model, self.domain = mdp, model, domain
        S, A = mdp.n_states, mdp.n_actions
        self.S, self.A = S, A
        exact = self.exact = mdp.is_exact
        g = Fraction(mdp.gamma) if exact else float(mdp.gamma)
        self.gamma = g
        s, a, sn, p = mdp.entries(exact=exact)
        self.entries = (s, a, sn, p)
        one = Fraction(1) if exact else 1.0
        reach = _reachable(mdp) if model.mask == "unreachable" else np.ones(S, dtype=bool)
        self.reach = reach
        self.shape = {"s": (S,), "sa": (S, A), "sas": (S, A, S)}[domain]
        self.n_dom = int(np.prod(self.shape))
        sa_of_entry = s * A + a
        if domain == "sas":
            dom_of_entry = (s * A + a) * S + sn
        elif domain == "sa":
            dom_of_entry = sa_of_entry
        else:
            dom_of_entry = s
        # -- observed rows and M
        if model.summary == "mean":
            rows_sa = np.flatnonzero(np.repeat(reach, A))      # observed (s, a), flat s*A + a
            pos = np.full(S * A, -1, dtype=np.int64)
            pos[rows_sa] = np.arange(len(rows_sa))
            self.obs_sa = rows_sa
            n_obs = len(rows_sa)
            if domain == "sas":
                keep = pos[sa_of_entry] >= 0
                Mr, Mc, Mv = pos[sa_of_entry[keep]], dom_of_entry[keep], p[keep]
            elif domain == "sa":
                Mr, Mc = np.arange(n_obs), rows_sa
                Mv = np.full(n_obs, one, dtype=object if exact else float)
            else:
                Mr, Mc = np.arange(n_obs), rows_sa // A
                Mv = np.full(n_obs, one, dtype=object if exact else float)
            self.disjoint = domain in ("sas", "sa")
            # shaping generator on mean rows: gamma (P Phi)(s, a) - Phi(s)
            Gr = np.concatenate([pos[sa_of_entry], np.arange(n_obs)])
            Gs = np.concatenate([sn, rows_sa // A])
            Gv = np.concatenate([g * p, np.full(n_obs, -one, dtype=object if exact else float)])
            keep = Gr >= 0
            Gr, Gs, Gv = Gr[keep], Gs[keep], Gv[keep]
        else:
            obs_k = np.flatnonzero(reach[s])                 # observed transitions (entries)
            self.obs_k = obs_k
            n_obs = len(obs_k)
            Mr, Mc = np.arange(n_obs), dom_of_entry[obs_k]
            Mv = np.full(n_obs, one, dtype=object if exact else float)
            self.disjoint = domain == "sas"
            Gr = np.concatenate([np.arange(n_obs), np.arange(n_obs)])
            Gs = np.concatenate([sn[obs_k], s[obs_k]])
            Gv = np.concatenate([np.full(n_obs, g, dtype=object if exact else float),
                                 np.full(n_obs, -one, dtype=object if exact else float)])
        self.n_obs = n_obs
        self.M = (Mr.astype(np.int64), Mc.astype(np.int64), Mv)
        lam = _add_at(n_obs, Mr, Mv * Mv, exact)
        self.lam = lam
        # -- parameters: Phi = C theta
        col = self._columns(model, mdp)
        if model.shaping == "none":
            if model.name == "fragment-comparisons" and mdp.gamma == 0:
                Gr, Gq = np.arange(n_obs), np.zeros(n_obs, dtype=np.int64)
                Gv = np.full(n_obs, one, dtype=object if exact else float)
                n_par, self.constant = 1, True
            else:
                Gr = Gq = np.zeros(0, dtype=np.int64)
                Gv = np.zeros(0, dtype=object if exact else float)
                n_par, self.constant = 0, False
        else:
            self.constant = False
            keep = col[Gs] >= 0
            Gr, Gq, Gv = Gr[keep], col[Gs[keep]], Gv[keep]
            n_par = int(col.max()) + 1 if col.size and col.max() >= 0 else 0
        # combine duplicates (row, param) and drop exact zeros / all-zero params
        if len(Gr):
            key = Gr * max(n_par, 1) + Gq
            uk, inv = np.unique(key, return_inverse=True)
            vals = _add_at(len(uk), inv, Gv, exact)
            nz = _nonzero(vals)
            uk, vals = uk[nz], vals[nz]
            Gr, Gq, Gv = uk // max(n_par, 1), uk % max(n_par, 1), vals
        used = np.zeros(n_par, dtype=bool)
        used[Gq] = True
        renum = np.full(n_par, -1, dtype=np.int64)
        renum[used] = np.arange(int(used.sum()))
        if model.shaping != "none" and n_par:
            self.param_of_state = np.where(col >= 0, renum[np.maximum(col, 0)], -1)
        else:
            self.param_of_state = np.full(S, -1, dtype=np.int64)
        self.G = (Gr, renum[Gq] if len(Gq) else Gq, Gv)
        self.n_par = int(used.sum())
        self._gram = None
        self._factor = None
        self._basis = None

    @staticmethod
    def _columns(model, mdp):
        S = mdp.n_states
        init = np.zeros(S, dtype=bool)
        init[list(mdp.start_states)] = True
        col = np.arange(S, dtype=np.int64)
        if model.shaping == "zero-initial":
            col = np.full(S, -1, dtype=np.int64)
            col[~init] = np.arange(int((~init).sum()))
        elif model.shaping == "k-initial":
            col = np.zeros(S, dtype=np.int64)
            col[~init] = 1 + np.arange(int((~init).sum()))
        return col

    # -- sparse products
    def m_apply(self, x):
        r, c, v = self.M
        return _add_at(self.n_obs, r, v * x[c], self.exact)

    def mt_apply(self, z):
        r, c, v = self.M
        return _add_at(self.n_dom, c, v * z[r], self.exact)

    def g_apply(self, theta):
        r, q, v = self.G
        return _add_at(self.n_obs, r, v * theta[q], self.exact)

    def gt_apply(self, z):
        r, q, v = self.G
        return _add_at(self.n_par, q, v * z[r], self.exact)

    def gram(self):
        """``G^T diag(lam)^-1 G`` (dense ``(p, p)``) from the per-row pairs of ``G``."""
        if self._gram is None:
            r, q, v = self.G
            p = self.n_par
            N = _zeros((p, p), self.exact)
            if len(r):
                order = np.argsort(r, kind="stable")
                r, q, v = r[order], q[order], v[order]
                counts = np.bincount(r, minlength=self.n_obs)
                start = np.concatenate([[0], np.cumsum(counts)])
                rep = counts[r]
                e = np.repeat(np.arange(len(r)), rep)
                offs = np.arange(len(e)) - np.repeat(np.cumsum(rep) - rep, rep)
                f = start[r[e]] + offs
                vals = v[e] * v[f] / self.lam[r[e]]
                if self.exact:
                    np.add.at(N, (q[e], q[f]), vals)
                else:
                    N = np.bincount(q[e] * p + q[f], weights=vals, minlength=p * p).reshape(p, p)
            self._gram = N
        return self._gram

    def factor(self):
        """The Gram factorisation, computed once per structure."""
        if self._factor is None:
            self._factor = linalg.GramSolver(self.gram(), shape=(self.n_obs, self.n_par))
        return self._factor

    def solve(self, y):
        """Weighted least squares ``min_c ||y - G c||_{lam^-1}``: ``(c, rank)``."""
        f = self.factor()
        return f.solve(self.gt_apply(y / self.lam)), f.rank

    def rank(self):
        return self.factor().rank

    def to_domain(self, reward, where="reward"):
        """Validate ``reward`` and return it as a flat vector of this domain."""
        R = as_reward(reward, self.mdp)
        want = _DOMAINS[self.domain]
        if R.ndim > want:
            raise InvalidRewardError(
                f"{where} has shape {R.shape} but this class is for rewards of shape "
                f"{self.shape} (domain {self.domain!r}); pass domain='sas' for R(s, a, s')")
        if R.ndim < want:
            R = np.array(np.broadcast_to(R.reshape(R.shape + (1,) * (want - R.ndim)), self.shape),
                         dtype=R.dtype)
        x = R.reshape(-1)
        if self.exact and x.dtype == object:
            return x
        return to_float_array(x)

    # -- explicit basis (small problems)
    def basis(self):
        if self._basis is None:
            if self.n_dom > MAX_BASIS_AMBIENT:
                raise InvalidParameterError(
                    f"the invariance subspace lives in R^{self.n_dom} (> {MAX_BASIS_AMBIENT}); "
                    f"an explicit basis is not built at this size.  Use dim, contains, "
                    f"canonical and sample, which never need it")
            exact = self.exact
            r, c, v = self.M
            if self.disjoint:
                cols = []
                covered = np.zeros(self.n_dom, dtype=bool)
                covered[c] = True
                free = np.flatnonzero(~covered)
                Fm = _zeros((self.n_dom, len(free)), exact)
                Fm[free, np.arange(len(free))] = Fraction(1) if exact else 1.0
                cols.append(Fm)
                order = np.argsort(r, kind="stable")
                r2, c2, v2 = r[order], c[order], v[order]
                first = np.r_[True, r2[1:] != r2[:-1]]
                head = np.flatnonzero(first)
                lead = np.repeat(head, np.diff(np.r_[head, len(r2)]))
                rest = np.flatnonzero(~first)
                K = _zeros((self.n_dom, len(rest)), exact)
                K[c2[lead[rest]], np.arange(len(rest))] = v2[rest]
                K[c2[rest], np.arange(len(rest))] = -v2[lead[rest]]
                cols.append(K)
                if self.n_par:
                    L = _zeros((self.n_dom, self.n_par), exact)
                    eye = np.eye(self.n_par, dtype=np.int64)
                    for j in range(self.n_par):
                        th = to_fractions(eye[j]) if exact else eye[j].astype(float)
                        L[:, j] = self.mt_apply(self.g_apply(th) / self.lam)
                    cols.append(L)
                self._basis = Subspace.span(np.concatenate(cols, axis=1))
            else:
                Md = _zeros((self.n_obs, self.n_dom), exact)
                Md[r, c] = v
                Gd = _zeros((self.n_obs, self.n_par), exact)
                gr, gq, gv = self.G
                Gd[gr, gq] = gv
                K = linalg.nullspace(np.concatenate([Md, -Gd], axis=1))
                self._basis = Subspace.span(K[:self.n_dom])
        return self._basis


# ---------------------------------------------------------------------- decompositions
@dataclass(frozen=True, eq=False)
class Decomposition:
    """How one reward becomes another by a data source's invariances.

    ``R2 = scale * R1 + gamma Phi(s') - Phi(s) + shift + redistribution + mask`` on the
    ``(S, A, S)`` embedding (all parts optional), or, for the ``"optimal"`` model, an
    optimality-preserving map certified by ``certificate``.

    Attributes
    ----------
    scale : number
        Positive scaling (1 for linear models).
    potential : (S,) ndarray or None
        ``Phi``.
    shift : number or None
        A constant shift (``fragment-comparisons`` at ``gamma = 0``).
    redistribution : (S, A, S) ndarray or None
        An S'-redistribution (zero expectation on every observed ``(s, a)``).
    mask : (S, A, S) ndarray or None
        Values on transitions the source never observes.
    mask_kind : str or None
        ``"impossible"`` or ``"unreachable"``.
    certificate : object or None
        ``"optimal"`` model: the optimality certificate (``Psi`` and the action sets).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
    >>> res = idf.equivalent([[1], [1]], [[0], [0]], mdp, model="mce")
    >>> res.decomposition.potential.tolist()
    [Fraction(2, 1), Fraction(2, 1)]
    """

    scale: object = 1
    potential: np.ndarray = None
    shift: object = None
    redistribution: np.ndarray = None
    mask: np.ndarray = None
    mask_kind: str = None
    certificate: object = None

    @property
    def transforms(self):
        """The parts as a :class:`~identifiability.transforms.Composition`.

        Returns
        -------
        Composition
            Applying it to ``R1`` gives ``R2`` (not for an optimality certificate).

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
        >>> d = idf.equivalent([[1], [1]], [[0], [0]], mdp).decomposition
        >>> d.transforms
        compose(PotentialShaping(phi=[2, 2]))
        """
        from . import transforms as T

        parts = []
        if self.scale != 1:
            parts.append(T.PositiveScaling(self.scale))
        if self.potential is not None:
            parts.append(T.PotentialShaping(self.potential))
        if self.shift is not None:
            parts.append(T.ConstantShift(self.shift))
        if self.redistribution is not None:
            parts.append(T.SPrimeRedistribution(self.redistribution))
        if self.mask is not None:
            parts.append(T.ImpossibleTransitionMask(self.mask) if self.mask_kind == "impossible"
                         else T.UnreachableMask(self.mask))
        return T.compose(*parts)

    def verify(self, reward1, reward2, mdp, *, atol=1e-8):
        """Re-check independently that the parts map ``reward1`` to ``reward2``.

        Parameters
        ----------
        reward1, reward2 : array_like
        mdp : MDP
        atol : float
            Float input only (relative to the rewards' magnitude).

        Returns
        -------
        bool
            Exact comparison on exact input.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
        >>> res = idf.equivalent([[1], [1]], [[0], [0]], mdp)
        >>> res.decomposition.verify([[1], [1]], [[0], [0]], mdp)
        True
        """
        if self.certificate is not None:
            return bool(self.certificate.verify())
        out = self.transforms.apply(reward1, mdp)
        R2 = broadcast_reward(reward2, mdp)
        if out.dtype == object and R2.dtype == object:
            return bool(np.all(out == R2))
        a, b = to_float_array(out), to_float_array(R2)
        return bool(np.max(np.abs(a - b), initial=0.0) <= atol * max(1.0, _absmax(b), _absmax(a)))

    def to_json(self):
        """A JSON-ready dict (numbers as strings when exact).

        Returns
        -------
        dict

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
        >>> idf.equivalent([[1], [1]], [[0], [0]], mdp).decomposition.to_json()["potential"]
        ['2', '2']
        """
        def arr(x):
            return None if x is None else [format_number(v) for v in np.asarray(x).reshape(-1)]

        return {"scale": format_number(self.scale), "potential": arr(self.potential),
                "shift": None if self.shift is None else format_number(self.shift),
                "redistribution": arr(self.redistribution), "mask": arr(self.mask),
                "mask_kind": self.mask_kind,
                "certificate": None if self.certificate is None else repr(self.certificate)}


@dataclass(frozen=True, eq=False)
class FiniteHorizonDecomposition:
    """How one stationary reward becomes another under a finite-horizon policy model.

    For ``t = 0 .. H-1``, as ``(H, S, A, S)`` time-varying tables::

        R2 = R1 + gamma Phi_{t+1}(s') - Phi_t(s) + redistribution_t + mask_t

    with ``Phi_H = 0`` (a constant final potential), ``redistribution_t`` of zero
    expectation under ``P(.|s, a)`` at every ``(s, a)``, nonzero only at accessible
    ``(t, s)``, and ``mask_t`` zero at every accessible ``(t, s)``.  The soft-optimal and
    Boltzmann-rational time-varying policies of the right-hand side equal those of ``R1``
    on Access (claims ``time-dependent-shaping-finite-horizon``,
    ``finite-horizon-policy-class``).

    Attributes
    ----------
    shaping : TimeDependentShaping
        The potentials ``Phi_0 .. Phi_H`` (``phis``, shape ``(H + 1, S)``).
    difference : (S, A, S) ndarray
        ``R2 - R1`` (stationary).
    accessible : (H, S) bool ndarray
    redistribution : (H, S, A, S) ndarray or None
        Built on access (``O(H S^2 A)`` memory, like ``shaping.delta``).
    mask : (H, S, A, S) ndarray or None
        Values at inaccessible ``(t, s)`` (the policy there is never observed).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], horizon=2, gamma=1)
    >>> d = idf.equivalent([0, 0], [1, 1], mdp, "mce").decomposition
    >>> d.shaping.phis.tolist()
    [[Fraction(-2, 1), Fraction(-2, 1)], [Fraction(-1, 1), Fraction(-1, 1)], [Fraction(0, 1), Fraction(0, 1)]]
    >>> d.verify([0, 0], [1, 1], mdp)
    True
    """

    shaping: object
    difference: np.ndarray = field(repr=False, default=None)
    accessible: np.ndarray = field(repr=False, default=None)
    scale = 1
    shift = None
    certificate = None
    mask_kind = "inaccessible"

    def _rest(self):
        # the dense (H, S, A, S) tables are built on demand (O(H S^2 A) memory)
        sh = self.shaping.phis
        exact = sh.dtype == object and self.difference.dtype == object
        D = self.difference if exact else to_float_array(self.difference)
        g = self.shaping.gamma
        d = self.shaping.phis if exact else to_float_array(self.shaping.phis)
        return D[None] - (d[1:, None, None, :] * (g if exact else float(g)) -
                          d[:-1, :, None, None]), exact

    def _part(self, on_access):
        rest, exact = self._rest()
        zero = Fraction(0) if exact else 0.0
        acc = self.accessible[:, :, None, None]
        out = np.where(acc if on_access else ~acc, rest, zero)
        return out if _nonzero(out.reshape(-1)).any() else None

    @property
    def redistribution(self):
        """``(H, S, A, S)`` ndarray or None: the S'-redistribution, supported on Access."""
        return self._part(True)

    @property
    def mask(self):
        """``(H, S, A, S)`` ndarray or None: the values at the inaccessible ``(t, s)``."""
        return self._part(False)

    @property
    def potential(self):
        """``(H + 1, S)`` ndarray: the potentials ``Phi_t``."""
        return self.shaping.phis

    def apply(self, reward, mdp):
        """The time-varying reward ``R1 + shaping + redistribution + mask``, ``(H, S, A, S)``.

        Parameters
        ----------
        reward : array_like
            A stationary reward.
        mdp : MDP

        Returns
        -------
        (H, S, A, S) ndarray
            For ``soft_value_iteration(..., time_varying=True)``.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], horizon=2, gamma=1)
        >>> d = idf.equivalent([0, 0], [1, 1], mdp, "mce").decomposition
        >>> d.apply([0, 0], mdp)[:, 0, 0, 0].tolist()
        [Fraction(1, 1), Fraction(1, 1)]
        """
        out = self.shaping.apply(reward, mdp)
        for part in (self.redistribution, self.mask):
            if part is not None:
                if out.dtype == object and part.dtype != object:
                    out = to_float_array(out)
                elif out.dtype != object and part.dtype == object:
                    part = to_float_array(part)
                out = out + part
        return out

    def verify(self, reward1, reward2, mdp, *, atol=1e-8):
        """Re-check the parts independently: the sum, the S'R condition, the mask's support.

        Parameters
        ----------
        reward1, reward2 : array_like
            Stationary rewards.
        mdp : MDP
        atol : float
            Float input only (relative to the rewards' magnitude).

        Returns
        -------
        bool
            ``apply(R1)`` equals ``R2`` at every step; every ``redistribution_t`` has zero
            expectation (:class:`~identifiability.transforms.SPrimeRedistribution`'s check)
            and vanishes at inaccessible ``(t, s)``; ``mask_t`` vanishes at accessible
            ``(t, s)`` (layers recomputed by
            :func:`identifiability.graph.accessible_layers`).  ``Phi_H`` constant is
            enforced by :class:`~identifiability.transforms.TimeDependentShaping`.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], horizon=2, gamma=1)
        >>> idf.equivalent([0, 0], [1, 1], mdp, "mce").decomposition.verify([0, 0], [1, 2], mdp)
        False
        """
        from .graph import accessible_layers
        from .transforms import SPrimeRedistribution

        H = mdp.horizon
        if H is None or self.shaping.horizon != H:
            return False
        acc = accessible_layers(mdp, H)[:H]
        for part, where in ((self.redistribution, ~acc), (self.mask, acc)):
            if part is not None and _nonzero(part[where].reshape(-1)).any():
                return False
        if self.redistribution is not None:
            try:
                for t in range(H):
                    SPrimeRedistribution(self.redistribution[t]).delta(mdp)
            except InvalidParameterError:
                return False
        out = self.apply(reward1, mdp)
        R2 = broadcast_reward(reward2, mdp)[None]
        if out.dtype == object and R2.dtype == object:
            return bool(np.all(out == R2))
        a, b = to_float_array(out), to_float_array(R2)
        return bool(np.max(np.abs(a - b), initial=0.0) <= atol * max(1.0, _absmax(b), _absmax(a)))

    def to_json(self):
        """A JSON-ready dict (numbers as strings when exact).

        Returns
        -------
        dict

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [0, 1]]], horizon=2, gamma=1)
        >>> idf.equivalent([0, 0], [1, 1], mdp, "mce").decomposition.to_json()["potentials"][0]
        ['-2', '-2']
        """
        def arr(x):
            return None if x is None else [format_number(v) for v in np.asarray(x).reshape(-1)]

        return {"scale": "1", "potentials": [arr(p) for p in self.shaping.phis],
                "redistribution": arr(self.redistribution), "mask": arr(self.mask),
                "mask_kind": self.mask_kind}


# ---------------------------------------------------------------------- reward classes
class RewardClass:
    """The invariance subspace ``N`` of a linear data source on one MDP.

    The class of a reward ``R`` is ``R + N``.  Built by :func:`ambiguity`.

    Attributes
    ----------
    mdp : MDP
    model : Model
    domain : {"s", "sa", "sas"}
    shape : tuple
        The reward shape of the domain.
    ambient_dim : int
        Number of reward coordinates.
    dim : int
        ``dim N``.
    identifiable_dim : int
        ``ambient_dim - dim``: the reward directions the source does determine.
    is_exact : bool
    uncertain : bool
        A float rank decision was within a factor 1e3 of its tolerance.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.examples.get("random-v0", n_states=3, n_actions=2, seed=0)
    >>> N = idf.ambiguity(mdp, model="mce")
    >>> N.dim, N.identifiable_dim    # S + S A (S - 1) and S (A - 1)
    (15, 3)
    """

    def __init__(self, mdp, model, domain):
        self.mdp, self.model, self.domain = mdp, model, domain
        self._st = _Structure(mdp, model, domain)
        st = self._st
        r = st.rank()
        self.rank_decision = r
        rk = r if isinstance(r, int) else r.rank
        self.uncertain = (not isinstance(r, int)) and bool(r.uncertain)
        self.shape = st.shape
        self.ambient_dim = st.n_dom
        self.is_exact = st.exact
        if st.disjoint:
            self.dim = st.n_dom - st.n_obs + rk
        else:
            self.dim = self.basis.dim
        self.identifiable_dim = self.ambient_dim - self.dim

    def _for(self, x):
        """The structure to compute with: the float twin for float input on an exact MDP."""
        if self._st.exact and x.dtype != object:
            if getattr(self, "_fst", None) is None:
                self._fst = _Structure(self.mdp.to_float(), self.model, self.domain)
            return self._fst
        return self._st

    # -- linear algebra
    @property
    def basis(self):
        """The invariance subspace as a :class:`~identifiability.linalg.Subspace`.

        Exact (canonical rational basis) on an exact MDP.  Built on first use, for
        ambient dimension at most :data:`MAX_BASIS_AMBIENT`.

        Returns
        -------
        Subspace

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
        >>> idf.ambiguity(mdp, model="q", domain="sa").basis.dim
        0
        """
        return self._st.basis()

    def _solve(self, x):
        st = self._for(x)
        y = st.m_apply(x)
        c, _ = st.solve(y)
        resid = y - st.g_apply(c)
        return y, c, resid

    def _residual_ok(self, x, y, c, resid, what="difference"):
        if resid.dtype == object:
            return not bool(_nonzero(resid).any())
        gc = self._for(x).g_apply(c)
        scale = max(1.0, _absmax(x), _absmax(y), _absmax(gc))
        tol = EQUIVALENCE_RTOL * scale
        res = _absmax(resid)
        if tol / 1e3 < res <= tol * 1e3:
            warnings.warn(f"the {what} is within a factor 1e3 of the float tolerance of the "
                          f"invariance subspace (residual {res:.3g}, tolerance {tol:.3g}); "
                          f"use exact input for a reliable decision", ToleranceWarning,
                          stacklevel=3)
        return res <= tol

    def contains(self, delta):
        """Whether the reward change ``delta`` is invisible to the data source.

        Parameters
        ----------
        delta : array_like
            A reward difference of the domain's shape (smaller shapes broadcast).

        Returns
        -------
        bool
            Exact on exact input; float to :data:`EQUIVALENCE_RTOL` (relative), with a
            :class:`ToleranceWarning` near the threshold.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
        >>> N = idf.ambiguity(mdp, model="mce")
        >>> N.contains([1, 1]), N.contains([[1, 0], [0, 0]])
        (True, False)
        """
        x = self._st.to_domain(delta, "delta")
        y, c, resid = self._solve(x)
        return self._residual_ok(x, y, c, resid)

    def decompose(self, delta):
        """Split ``delta`` into the source's invariances, or None when it is visible.

        Parameters
        ----------
        delta : array_like

        Returns
        -------
        Decomposition or None
            On the ``(S, A, S)`` embedding: ``R + delta ==
            decomposition.transforms.apply(R)``.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
        >>> idf.ambiguity(mdp, model="mce").decompose([1, 1]).potential.tolist()
        [Fraction(-2, 1), Fraction(-2, 1)]
        """
        x = self._st.to_domain(delta, "delta")
        y, c, resid = self._solve(x)
        if not self._residual_ok(x, y, c, resid):
            return None
        return self._parts(x, c)

    def _parts(self, x, c):
        st, mdp = self._for(x), self.mdp
        S, A, exact = st.S, st.A, st.exact
        D = broadcast_reward(x.reshape(st.shape), mdp)
        if D.dtype != object and exact:
            exact = False
        zero = Fraction(0) if exact else 0.0
        phi, shift = None, None
        rest = D if exact else to_float_array(D)
        if st.model.shaping != "none" and st.n_par:
            phi = _zeros((S,), exact)
            known = st.param_of_state >= 0
            cc = c if exact else to_float_array(np.asarray(c))
            phi[known] = cc[st.param_of_state[known]]
            g = st.gamma if exact else float(st.gamma)
            rest = rest - (g * phi[None, None, :] - phi[:, None, None])
            if not _nonzero(phi).any():
                phi = None
        elif st.constant and st.n_par:
            shift = c[0]
            rest = rest - shift
        s, a, sn, p = st.entries
        observed = np.zeros((S, A, S), dtype=bool)
        if st.model.summary == "mean":
            obs_rows = np.zeros(S * A, dtype=bool)
            obs_rows[st.obs_sa] = True
            sel = obs_rows[s * A + a]
            observed[s[sel], a[sel], sn[sel]] = True
            redis = np.where(observed, rest, zero)
            if not _nonzero(redis.reshape(-1)).any():
                redis = None
        else:
            observed[s[st.obs_k], a[st.obs_k], sn[st.obs_k]] = True
            redis = None
        mask = np.where(observed, zero, rest)
        if not _nonzero(mask.reshape(-1)).any():
            mask = None
        kind = None
        if mask is not None:
            possible = np.zeros((S, A, S), dtype=bool)
            possible[s, a, sn] = True
            kind = "unreachable" if _nonzero(mask[possible]).any() else "impossible"
        return Decomposition(1, phi, shift, redis, mask, kind)

    def canonical(self, reward):
        """The canonical representative: a linear projection whose kernel is exactly ``N``.

        The orthogonal projection onto ``N``'s orthogonal complement (the minimal-norm
        member of the class in the unweighted L2 norm of the domain): two rewards have
        the same canonical form iff they are equivalent, ``canonical`` is idempotent, and
        ``reward - canonical(reward)`` lies in ``N``.

        Parameters
        ----------
        reward : array_like

        Returns
        -------
        ndarray
            Of the domain's shape; exact on exact input.

        Notes
        -----
        When the rows of ``M`` have disjoint supports (``R(s, a, s')`` rewards, and
        ``R(s, a)`` rewards under S'R-invariant sources) the closed form of note §4.3
        with unit weights: ``M^T diag(lam)^-1 (M x - G c*)`` with ``c*`` one weighted
        least-squares solve in the potential (``O(nnz)`` plus an ``|S| x |S|`` solve).
        Otherwise the projection on an explicit basis.  Claim ``canonical-projection``.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
        >>> N = idf.ambiguity(mdp, model="mce", domain="sa")
        >>> c = N.canonical([[3, 1], [0, 0]])
        >>> N.contains(c - [[3, 1], [0, 0]]), bool((N.canonical(c) == c).all())
        (True, True)
        """
        x = self._st.to_domain(reward)
        st = self._for(x)
        if st.disjoint:
            y, c, _ = self._solve(x)
            out = st.mt_apply((y - st.g_apply(c)) / st.lam)
        else:
            B = self.basis
            out = x - B.project(x) if B.dim else x.copy()
            if st.exact and out.dtype != object:
                out = to_float_array(out)
        return out.reshape(st.shape)

    def sample(self, reward, rng=None):
        """A random member of ``reward``'s class.

        Parameters
        ----------
        reward : array_like
        rng : numpy Generator, int or None

        Returns
        -------
        ndarray
            ``reward + n`` with ``n`` a random element of ``N`` (exact on exact input),
            of the domain's shape.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[["1/2", "1/2"]], [[0, 1]]], gamma="1/2")
        >>> N = idf.ambiguity(mdp, model="mce")
        >>> R2 = N.sample([[[0, 0]], [[1, 1]]], rng=0)
        >>> bool(idf.equivalent([[[0, 0]], [[1, 1]]], R2, mdp))
        True
        """
        r = _rng(rng)
        x = self._st.to_domain(reward)
        st = self._for(x)
        exact = st.exact
        if st.disjoint:
            u = _random(r, st.n_dom, exact)
            th = _random(r, st.n_par, exact)
            n = u - st.mt_apply((st.m_apply(u) - st.g_apply(th)) / st.lam)
        else:
            B = self.basis
            if B.dim == 0:
                n = _zeros((st.n_dom,), exact)
            else:
                coef = _random(r, B.dim, exact and B.is_exact)
                Bm = B.basis if exact else to_float_array(B.basis)
                n = Bm @ coef
        return (x + n).reshape(st.shape)

    def explain(self):
        """A plain-text account of the class.

        Returns
        -------
        str

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
        >>> print(idf.ambiguity(mdp, model="q").explain().splitlines()[0])
        Data source 'q': the optimal Q-function Q* (Q^pi of a fixed policy pi has the same class).
        """
        st, m = self._st, self.model
        S, A = st.S, st.A
        what = {"s": "R(s)", "sa": "R(s, a)", "sas": "R(s, a, s')"}[self.domain]
        lines = [f"Data source {m.name!r}: {m.observation}.",
                 f"Rewards {what} on an MDP with S={S}, A={A}, gamma={format_number(self.mdp.gamma)} "
                 f"({'exact' if self.is_exact else 'float'} arithmetic).",
                 f"Invariances: {m.invariances} ({m.provenance}).",
                 f"The class of R is R + N with dim N = {self.dim} of {self.ambient_dim}: the data "
                 f"determine {self.identifiable_dim} reward directions."]
        if m.mask == "unreachable":
            k = int((~st.reach).sum())
            lines.append(f"{k} state(s) are unreachable from the initial states; rewards there "
                         f"are never observed.")
        if self.uncertain:
            lines.append("Warning: a float rank decision was close to its tolerance; use exact "
                         "input to confirm the dimension.")
        return "\n".join(lines)

    def to_json(self):
        """A JSON-ready summary.

        Returns
        -------
        dict

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
        >>> idf.ambiguity(mdp, model="mce", domain="sa").to_json()["dim"]
        2
        """
        return {"model": self.model.name, "domain": self.domain, "dim": self.dim,
                "ambient_dim": self.ambient_dim, "identifiable_dim": self.identifiable_dim,
                "invariances": self.model.invariances, "provenance": self.model.provenance,
                "exact": self.is_exact, "uncertain": self.uncertain}

    def __repr__(self):
        return (f"<RewardClass {self.model.name!r} {self.domain}: dim {self.dim} of "
                f"{self.ambient_dim}{', uncertain' if self.uncertain else ''}>")


class FiniteHorizonClass(RewardClass):
    """``K_Gamma`` lifted to a reward domain: the finite-horizon policy models' class.

    For an MDP with a finite horizon ``H`` and a *stationary* reward, the soft-optimal
    (``"mce"``) and Boltzmann-rational (``"boltzmann"``) agents act with time-varying
    policies ``pi_t``, observed on Access ``{(t, s) : s in L_t, t < H}`` (theory note
    ``identifiability.md`` §1; the ``-trajectories`` variants observe the same thing,
    since the trajectory law from the initial states determines ``pi_t`` exactly there).
    Two rewards give the same ``pi_t`` on Access iff their expected rewards differ by a
    ``k`` in ``K_Gamma`` (:func:`identifiability.identify.policy_class`): there are
    ``nu_0 .. nu_{H-1}`` (``nu_H = 0``) with ``k(s, a) = nu_t(s) - gamma (P nu_{t+1})(s, a)``
    at every accessible ``(t, s)``.  So the class of ``R`` is ``R + N`` with

    * ``"sa"``: ``N = K_Gamma``;
    * ``"sas"``: ``N = {x : E_{s'} x in K_Gamma}`` (S'-redistribution plus the lift of
      ``K_Gamma``);
    * ``"s"``: ``N = {x : x(s) (constant in a) in K_Gamma}``.

    In words: time-dependent potential shaping ``gamma Phi_{t+1}(s') - Phi_t(s)`` with a
    constant final potential (``Phi_t = -nu_t``), S'-redistribution and a mask of the
    inaccessible ``(t, s)``, *restricted to the stationary rewards* (claim
    ``finite-horizon-policy-class``).  Built by :func:`ambiguity` for a finite-horizon
    MDP and the models of :data:`FINITE_HORIZON_MODELS`.

    Attributes
    ----------
    horizon : int
    accessible : (H, S) bool ndarray
        ``accessible[t, s]``: ``s in L_t``.
    policy_class : Subspace
        ``K_Gamma`` in ``R^{S*A}`` (index ``s * A + a``).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.examples.cao2021_example1(horizon=5)
    >>> N = idf.ambiguity(mdp, "mce", domain="sa")
    >>> N.dim, N.contains([[1, 1], [1, 1], [1, 1]]), N.contains([[1, 0], [0, 0], [0, 0]])
    (1, True, False)
    """

    def __init__(self, mdp, model, domain):
        from .graph import accessible_layers

        self.mdp, self.model, self.domain = mdp, model, domain
        self._st = _Structure(mdp, MODELS["q"], domain)   # validation; ker E_{s'} for "sas"
        st = self._st
        self.horizon = H = mdp.horizon
        self.accessible = accessible_layers(mdp, H)[:H]
        self.shape = st.shape
        self.ambient_dim = st.n_dom
        self.is_exact = st.exact
        self._K = None
        self._basis = None

    # K_Gamma and the basis are built on first use: decisions and decompositions only
    # need the O(H nnz) backward substitution.
    @property
    def policy_class(self):
        """``K_Gamma`` in ``R^{S*A}`` (:func:`identifiability.identify.policy_class`), built once."""
        if self._K is None:
            from .identify import policy_class

            self._K = policy_class(self.mdp)
        return self._K

    @property
    def dim(self):
        """int: ``dim N`` (``S A S - S A + dim K_Gamma`` for ``"sas"``)."""
        if self.domain == "sa":
            return self.policy_class.dim
        if self.domain == "sas":
            return self.ambient_dim - self._st.S * self._st.A + self.policy_class.dim
        return self.basis.dim

    @property
    def identifiable_dim(self):
        """int: ``ambient_dim - dim``."""
        return self.ambient_dim - self.dim

    @property
    def uncertain(self):
        """bool: a float rank decision of ``K_Gamma`` was near its tolerance."""
        return bool(self.policy_class.uncertain)

    @property
    def rank_decision(self):
        return self.dim

    @property
    def basis(self):
        """The invariance subspace (from ``K_Gamma``) as a :class:`~identifiability.linalg.Subspace`.

        Built on first use; for ``"sas"`` only up to :data:`MAX_BASIS_AMBIENT` coordinates.

        Returns
        -------
        Subspace

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.examples.cao2021_example1(horizon=4)
        >>> idf.ambiguity(mdp, "mce", domain="sa").basis.dim
        2
        """
        if self._basis is None:
            st, K = self._st, self.policy_class
            S, A = st.S, st.A
            if self.domain == "sa":
                B = K
            elif self.domain == "sas":
                lift = np.repeat(K.basis, S, axis=0)             # k(s, a) constant in s'
                kerE = st.basis().basis
                if not K.is_exact:
                    kerE = to_float_array(kerE)
                B = Subspace.span(np.concatenate([kerE, lift], axis=1))
            else:
                E = _zeros((S * A, S), K.is_exact)
                E[np.arange(S * A), np.repeat(np.arange(S), A)] = \
                    Fraction(1) if K.is_exact else 1.0
                Z = linalg.nullspace(np.concatenate([E, -K.basis], axis=1))
                B = Subspace.span(Z[:S]) if Z.shape[1] else Subspace.zero(S, exact=K.is_exact)
            self._basis = B
        return self._basis

    def _expected(self, x):
        """``k(s, a) = E_{s'} x`` as a flat ``(S*A,)`` vector."""
        st = self._st
        if self.domain == "sa":
            return x
        if self.domain == "s":
            return np.repeat(x, st.A)
        if x.dtype != object:
            return to_float_array(_expected_flat(self.mdp, x.reshape(st.shape)))
        return _expected_flat(self.mdp, x.reshape(st.shape))

    def _recursion(self, x):
        """Backward substitution in the Gamma rows: ``(ok, nu)`` with ``nu`` of shape ``(H + 1, S)``.

        ``nu_H = 0``; for ``t = H-1 .. 0`` and ``s in L_t``, ``nu_t(s) = k(s, a) + gamma (P
        nu_{t+1})(s, a)`` must not depend on ``a`` (``P nu_{t+1}`` at ``s in L_t`` only reads
        ``L_{t+1}``, where ``nu_{t+1}`` is already fixed, so ``nu`` on Access is unique).
        ``O(H nnz)``; exact on exact input.
        """
        st, mdp = self._st, self.mdp
        S, A, H = st.S, st.A, self.horizon
        k = self._expected(x)
        exact = k.dtype == object and mdp.is_exact
        if not exact:
            k = to_float_array(k)
        k = k.reshape(S, A)
        g = Fraction(mdp.gamma) if exact else float(mdp.gamma)
        nu = _zeros((H + 1, S), exact)
        worst, scale = 0.0, max(1.0, _absmax(k))
        ok = True
        for t in range(H - 1, -1, -1):
            cand = k + g * mdp.expectation(nu[t + 1], exact=exact)
            acc = self.accessible[t]
            dev = (cand - cand[:, :1])[acc]
            if exact:
                if _nonzero(dev.reshape(-1)).any():
                    ok = False
            else:
                worst = max(worst, _absmax(dev))
            nu[t] = np.where(acc, cand[:, 0], Fraction(0) if exact else 0.0)
            scale = max(scale, _absmax(nu[t]))
        if not exact:
            tol = EQUIVALENCE_RTOL * scale
            if tol / 1e3 < worst <= tol * 1e3:
                warnings.warn(f"the difference is within a factor 1e3 of the float tolerance of "
                              f"K_Gamma (residual {worst:.3g}, tolerance {tol:.3g}); use exact "
                              f"input for a reliable decision", ToleranceWarning, stacklevel=3)
            ok = worst <= tol
        return ok, nu

    def contains(self, delta):
        """Whether the stationary reward change ``delta`` leaves every accessible ``pi_t`` unchanged.

        Parameters
        ----------
        delta : array_like
            Of the domain's shape (smaller shapes broadcast).

        Returns
        -------
        bool
            Exact on exact input (backward substitution in the Gamma rows, ``O(H nnz)``).

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.examples.cao2021_example1(horizon=4)
        >>> N = idf.ambiguity(mdp, "mce", domain="sa")
        >>> [N.contains(v.reshape(3, 2)) for v in N.basis.basis.T]
        [True, True]
        """
        x = self._st.to_domain(delta, "delta")
        return self._recursion(x)[0]

    def decompose(self, delta):
        """Split ``delta`` into time-dependent shaping, S'-redistribution and an inaccessible mask.

        Parameters
        ----------
        delta : array_like

        Returns
        -------
        FiniteHorizonDecomposition or None
            None when ``delta`` changes some accessible ``pi_t``.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.examples.cao2021_example1(horizon=4)
        >>> d = idf.ambiguity(mdp, "mce", domain="sa").decompose([[1, 1], [1, 1], [1, 1]])
        >>> d.shaping.phis[:, 0].tolist()     # gamma = 1; state 0 is inaccessible at t = 1
        [Fraction(-4, 1), Fraction(0, 1), Fraction(-2, 1), Fraction(-1, 1), Fraction(0, 1)]
        """
        from .transforms import TimeDependentShaping

        st, mdp = self._st, self.mdp
        x = st.to_domain(delta, "delta")
        ok, nu = self._recursion(x)
        if not ok:
            return None
        exact = nu.dtype == object
        shaping = TimeDependentShaping(-nu, gamma=mdp.gamma if exact else float(mdp.gamma))
        D = broadcast_reward(x.reshape(st.shape), mdp)
        D = D if exact and D.dtype == object else to_float_array(D)
        return FiniteHorizonDecomposition(shaping, D, self.accessible)

    def canonical(self, reward):
        """The orthogonal projection onto ``N``'s complement (kernel exactly ``N``).

        Parameters
        ----------
        reward : array_like

        Returns
        -------
        ndarray
            Of the domain's shape; exact on exact input.  ``O(n d^2)`` on the explicit
            basis of dimension ``d``.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.examples.cao2021_example1(horizon=5)
        >>> idf.ambiguity(mdp, "mce", domain="sa").canonical([[2, 2], [2, 2], [2, 3]]).tolist()[2]
        [Fraction(-1, 6), Fraction(5, 6)]
        """
        x = self._st.to_domain(reward)
        B = self.basis
        out = x - B.project(x) if B.dim else x.copy()
        if not (x.dtype == object and B.is_exact):
            out = to_float_array(out)
        return out.reshape(self.shape)

    def sample(self, reward, rng=None):
        """A random member of ``reward``'s class.

        Parameters
        ----------
        reward : array_like
        rng : numpy Generator, int or None

        Returns
        -------
        ndarray
            Exact on exact input, of the domain's shape.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.examples.cao2021_example1(horizon=4)
        >>> R2 = idf.ambiguity(mdp, "mce").sample([0, 1, 2], rng=0)
        >>> bool(idf.equivalent([0, 1, 2], R2, mdp, "mce"))
        True
        """
        r = _rng(rng)
        x = self._st.to_domain(reward)
        B = self.basis
        exact = x.dtype == object and B.is_exact
        if B.dim == 0:
            n = _zeros((self.ambient_dim,), exact)
        else:
            coef = _random(r, B.dim, exact)
            Bm = B.basis if exact else to_float_array(B.basis)
            n = Bm @ coef
        return ((x if exact else to_float_array(x)) + n).reshape(self.shape)

    def explain(self):
        """A plain-text account of the class.

        Returns
        -------
        str

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.examples.cao2021_example1(horizon=5)
        >>> print(idf.ambiguity(mdp, "mce", domain="sa").explain().splitlines()[2])
        Invariances: stationary rewards reachable by time-dependent potential shaping gamma Phi_{t+1}(s') - Phi_t(s) with a constant final potential Phi_H, S'-redistribution and a mask of the inaccessible (t, s): the class K_Gamma (identifiability.policy_class).
        """
        m = self.model
        what = {"s": "R(s)", "sa": "R(s, a)", "sas": "R(s, a, s')"}[self.domain]
        n_acc = int(self.accessible.sum())
        lines = [f"Data source {m.name!r}: {m.observation}, time-varying pi_t over a finite "
                 f"horizon H={self.horizon}, observed on the {n_acc} accessible (t, s).",
                 f"Stationary rewards {what} on an MDP with S={self._st.S}, A={self._st.A}, "
                 f"gamma={format_number(self.mdp.gamma)} "
                 f"({'exact' if self.is_exact else 'float'} arithmetic).",
                 "Invariances: stationary rewards reachable by time-dependent potential shaping "
                 "gamma Phi_{t+1}(s') - Phi_t(s) with a constant final potential Phi_H, "
                 "S'-redistribution and a mask of the inaccessible (t, s): the class K_Gamma "
                 "(identifiability.policy_class).",
                 f"The class of R is R + N with dim N = {self.dim} of {self.ambient_dim}: the data "
                 f"determine {self.identifiable_dim} reward directions (dim K_Gamma = "
                 f"{self.policy_class.dim})."]
        if self.uncertain:
            lines.append("Warning: a float rank decision was close to its tolerance; use exact "
                         "input to confirm the dimension.")
        return "\n".join(lines)

    def to_json(self):
        """A JSON-ready summary (with ``horizon``).

        Returns
        -------
        dict

        Examples
        --------
        >>> import identifiability as idf
        >>> idf.ambiguity(idf.examples.cao2021_example1(horizon=5), "mce").to_json()["horizon"]
        5
        """
        out = super().to_json()
        out["horizon"] = self.horizon
        out["policy_class_dim"] = self.policy_class.dim
        return out

    def __repr__(self):
        return (f"<FiniteHorizonClass {self.model.name!r} {self.domain} H={self.horizon}: dim "
                f"{self.dim} of {self.ambient_dim}{', uncertain' if self.uncertain else ''}>")


def _expected_flat(mdp, R):
    """``E_{s'} R(s, a, s')`` flattened to ``(S*A,)`` (exact on exact input)."""
    from .reward import expected_reward

    return np.asarray(expected_reward(mdp, R)).reshape(-1)


class OptimalityClass:
    """The rewards with the same optimal-policy set as a given reward (a cone).

    Not a subspace: it contains positive scalings and the optimality-preserving
    transformations of note §2.  Built by ``ambiguity(mdp, "optimal", reward=R)``.

    Attributes
    ----------
    optimal_sets : (S, A) bool ndarray
        ``O(s)``: the optimal actions of the reference reward.
    linear_part : RewardClass
        The largest subspace ``L`` with ``R' + L`` inside the class for every member
        ``R'``: shaping and S'-redistribution (the ``"mce"`` class).
    dim : None
        There is no dimension; see :meth:`cone`.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> C = idf.ambiguity(mdp, model="optimal", reward=[[0, 1], [0, 0]])
    >>> C.optimal_sets.tolist(), C.contains([[0, 5], [0, 0]]), C.contains([[1, 0], [0, 0]])
    ([[False, True], [False, True]], True, False)
    """

    dim = None

    def __init__(self, mdp, reward, domain):
        from .behaviour import optimal_actions

        self.mdp, self.model, self.domain = mdp, MODELS["optimal"], domain
        self.linear_part = RewardClass(mdp, MODELS["mce"], domain)
        x = self.linear_part._st.to_domain(reward)
        self.reference = x.reshape(self.linear_part.shape)
        self.optimal_sets = optimal_actions(mdp, self.reference)
        self.is_exact = self.linear_part.is_exact
        self.shape = self.linear_part.shape
        self.ambient_dim = self.linear_part.ambient_dim

    def contains(self, reward):
        """Whether ``reward`` (a reward, not a difference) has the same optimal sets.

        Parameters
        ----------
        reward : array_like

        Returns
        -------
        bool

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
        >>> idf.ambiguity(mdp, model="optimal", reward=[[0, 1], [0, 0]]).contains([[0, 2], [1, 1]])
        True
        """
        from .behaviour import optimal_actions

        x = self.linear_part._st.to_domain(reward).reshape(self.shape)
        return bool(np.array_equal(optimal_actions(self.mdp, x), self.optimal_sets))

    def cone(self):
        """The cone in ``(r, Psi)``: ``r(s, a) + gamma (P Psi)(s, a) - Psi(s)`` is 0 on ``O``, < 0 off it.

        Returns
        -------
        dict
            ``"A"``: the ``(S*A, S)`` matrix ``gamma P - E`` acting on ``Psi``;
            ``"equal"`` / ``"strict"``: bool masks (length ``S*A``) of the rows that must
            be ``= 0`` and ``< 0`` for ``r + A Psi``; ``r`` is the expected reward.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
        >>> idf.ambiguity(mdp, model="optimal", reward=[[0, 1], [0, 0]]).cone()["strict"].tolist()
        [True, False, True, False]
        """
        from .infinite import shaping_matrix

        E = shaping_matrix(self.mdp)
        O = self.optimal_sets.reshape(-1)
        return {"A": -E, "equal": O.copy(), "strict": ~O}

    def canonical(self, reward):
        """A class invariant: ``-1`` on suboptimal actions, ``0`` on optimal ones.

        The reward with ``V* = 0`` and unit gaps: two rewards get the same canonical
        form iff they have the same optimal sets (not linear).

        Parameters
        ----------
        reward : array_like

        Returns
        -------
        ndarray
            Of the domain's shape (constant in ``s'`` and, for ``R(s)``, only when
            defined: raises for the ``"s"`` domain).

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
        >>> C = idf.ambiguity(mdp, model="optimal", reward=[[0, 1], [0, 0]], domain="sa")
        >>> C.canonical([[0, 7], [3, 3]]).tolist()
        [[Fraction(-1, 1), Fraction(0, 1)], [Fraction(-1, 1), Fraction(0, 1)]]
        """
        from .behaviour import optimal_actions

        if self.domain == "s":
            raise InvalidParameterError("the optimal-set canonical form needs R(s, a) or "
                                        "R(s, a, s') rewards (domain 'sa' or 'sas')")
        x = self.linear_part._st.to_domain(reward).reshape(self.shape)
        O = optimal_actions(self.mdp, x)
        one = Fraction(1) if self.is_exact else 1.0
        zero = Fraction(0) if self.is_exact else 0.0
        table = np.where(O, zero, -one)
        if self.domain == "sas":
            table = np.array(np.broadcast_to(table[:, :, None], self.shape), dtype=table.dtype)
        return table

    def sample(self, reward, rng=None):
        """A random reward with the same optimal sets (via an optimality-preserving map).

        Parameters
        ----------
        reward : array_like
        rng : numpy Generator, int or None

        Returns
        -------
        ndarray
            Of the domain's shape: an OPT reward for ``"sas"``, its expectation
            ``E_{s'}`` for ``"sa"``; for ``"s"`` (OPT rewards need not be state-only) a
            positive scaling of a member of :attr:`linear_part`'s class.

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
        >>> C = idf.ambiguity(mdp, model="optimal", reward=[[0, 1], [0, 0]])
        >>> C.contains(C.sample([[0, 1], [0, 0]], rng=1))
        True
        """
        from .reward import expected_reward
        from .transforms import OptimalityPreserving, PositiveScaling

        r = _rng(rng)
        x = self.linear_part._st.to_domain(reward).reshape(self.shape)
        if self.domain == "s":
            return PositiveScaling.sample(self.mdp, r).alpha * self.linear_part.sample(x, r)
        out = OptimalityPreserving.sample(self.mdp, r).apply(x, self.mdp)
        return out if self.domain == "sas" else expected_reward(self.mdp, out)

    def explain(self):
        """A plain-text account of the class.

        Returns
        -------
        str

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
        >>> "cone" in idf.ambiguity(mdp, model="optimal", reward=[[0, 1], [0, 0]]).explain()
        True
        """
        O = self.optimal_sets
        sets = "; ".join(f"s={s}: {{{', '.join(str(a) for a in np.flatnonzero(O[s]))}}}"
                         for s in range(O.shape[0]))
        return "\n".join([
            f"Data source 'optimal': {self.model.observation}.",
            f"Invariances: {self.model.invariances} ({self.model.provenance}).",
            f"The class is a cone: all rewards with optimal action sets {sets}.",
            f"It contains every positive scaling and, as its linear part, potential shaping and "
            f"S'-redistribution (dim {self.linear_part.dim} of {self.ambient_dim}).",
        ])

    def __repr__(self):
        return f"<OptimalityClass {self.domain}: optimal sets {self.optimal_sets.astype(int).tolist()}>"


def ambiguity(mdp, model="mce", *, domain="sas", reward=None):
    """The rewards a data source cannot tell apart on ``mdp``.

    Parameters
    ----------
    mdp : MDP
        Infinite horizon with ``gamma < 1`` for the trajectory-return and comparison
        models and ``"optimal"``; the policy models (:data:`FINITE_HORIZON_MODELS`) also
        accept a finite horizon (then a :class:`FiniteHorizonClass`); ``"q"`` and the
        fragment models accept any MDP.
    model : str or Model
        One of :data:`MODELS`: ``"q"``, ``"boltzmann"``, ``"mce"``,
        ``"boltzmann-trajectories"``, ``"mce-trajectories"``, ``"returns"``,
        ``"comparisons"``, ``"fragment-returns"``, ``"fragment-comparisons"``,
        ``"optimal"`` (the two noiseless-order models have no class object: use
        :func:`equivalent`).
    domain : {"sas", "sa", "s"}, default "sas"
        The reward class: ``R(s, a, s')``, ``R(s, a)`` or ``R(s)``.
    reward : array_like, optional
        Required for ``"optimal"`` (its class depends on the reward).

    Returns
    -------
    RewardClass, FiniteHorizonClass or OptimalityClass

    Raises
    ------
    InvalidParameterError
        Unknown model or domain, a setting the theorem does not cover, or ``"optimal"``
        without a reward.

    Notes
    -----
    Dimension formulas (claim ``ambiguity-dimensions``): for ``gamma < 1`` and
    ``R(s, a, s')`` the ``"mce"`` / ``"boltzmann"`` class has dimension
    ``S + S A (S - 1)``, leaving ``S (A - 1)`` identifiable directions; ``"q"`` has
    ``S A (S - 1)``.  Cost: ``O(nnz)`` assembly and one ``|S| x |S|`` Gram
    factorisation.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.examples.get("random-v0", n_states=4, n_actions=3, seed=1)
    >>> [idf.ambiguity(mdp, model=m).identifiable_dim for m in ("q", "mce", "fragment-returns")]
    [12, 8, 24]
    """
    m = _model(model)
    d = _domain(domain)
    _check_setting(mdp, m)
    if m.summary == "order":
        raise InvalidParameterError(
            f"the class of {m.name!r} is only known between bounds ({m.invariances}; "
            f"{m.provenance}); use equivalent(R1, R2, mdp, {m.name!r}), which decides when "
            f"a bound settles it and says so otherwise")
    if m.summary == "optimal":
        if reward is None:
            raise InvalidParameterError("the 'optimal' class depends on the reward: pass "
                                        "ambiguity(mdp, 'optimal', reward=R)")
        return OptimalityClass(mdp, reward, d)
    return _linear_class(mdp, m, d)


# ---------------------------------------------------------------------- trajectories
@dataclass(frozen=True, eq=False)
class Lasso:
    """An eventually periodic infinite trajectory: a prefix, then a cycle forever.

    Parameters
    ----------
    states : sequence of int
        ``s_0 .. s_n`` with ``s_n == s_loop``.
    actions : sequence of int
        ``a_0 .. a_{n-1}``.
    loop : int
        Index where the cycle starts (``0 <= loop < n``).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
    >>> xi = Lasso((0, 1, 0), (0, 0), 0)
    >>> xi.discounted_return(mdp, [[[0, 1]], [[0, 0]]])
    Fraction(4, 3)
    """

    states: tuple
    actions: tuple
    loop: int

    def discounted_return(self, mdp, reward):
        """``sum_t gamma^t R(s_t, a_t, s_{t+1})`` in closed form (exact on exact input).

        Parameters
        ----------
        mdp : MDP
            ``gamma < 1``.
        reward : array_like

        Returns
        -------
        number

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1]]], gamma="1/2")
        >>> Lasso((0, 0), (0,), 0).discounted_return(mdp, [1])
        Fraction(2, 1)
        """
        from .behaviour import trajectory_return

        g = mdp.gamma
        k, n = self.loop, len(self.actions)
        pre = trajectory_return(mdp, reward, list(self.states[:k + 1]), list(self.actions[:k])) \
            if k else 0
        cyc = trajectory_return(mdp, reward, list(self.states[k:]), list(self.actions[k:]))
        if isinstance(cyc, Fraction) and isinstance(g, Fraction):
            return pre + g ** k * cyc / (1 - g ** (n - k))
        return float(pre) + float(g) ** k * float(cyc) / (1 - float(g) ** (n - k))

    def is_possible(self, mdp, *, from_initial=True):
        """Whether every transition is possible (and ``s_0`` is an initial state).

        Parameters
        ----------
        mdp : MDP
        from_initial : bool, default True

        Returns
        -------
        bool

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[0, 1]], [[1, 0]]], initial=[1, 0], gamma="1/2")
        >>> Lasso((0, 1, 0), (0, 0), 0).is_possible(mdp), Lasso((1, 0, 1), (0, 0), 0).is_possible(mdp)
        (True, False)
        """
        s = np.asarray(self.states)
        if from_initial and int(s[0]) not in mdp.start_states:
            return False
        if s[-1] != s[self.loop]:
            return False
        return bool(np.all(mdp.has_transitions(s[:-1], np.asarray(self.actions), s[1:])))

    def to_json(self):
        """A JSON-ready dict.

        Returns
        -------
        dict

        Examples
        --------
        >>> Lasso((0, 0), (0,), 0).to_json()
        {'states': [0, 0], 'actions': [0], 'loop': 0}
        """
        return {"states": [int(x) for x in self.states],
                "actions": [int(x) for x in self.actions], "loop": int(self.loop)}


def _follow(succ, act, start):
    """The lasso obtained by following the path policy ``s -> (act[s], succ[s])``."""
    states, seen = [start], {start: 0}
    actions = []
    s = start
    while True:
        actions.append(int(act[s]))
        s = int(succ[s])
        states.append(s)
        if s in seen:
            return states, actions, seen[s]
        seen[s] = len(states) - 1


def _prefix_paths(mdp, reach):
    """For every reachable state, a path (states, actions) from an initial state (BFS tree)."""
    s, a, sn, _ = mdp.entries(exact=False)
    frontier = list(mdp.start_states)
    out = {}
    for x in frontier:
        out[x] = ([x], [])
    order = np.argsort(s, kind="stable")
    ptr = np.searchsorted(s[order], np.arange(mdp.n_states + 1))
    while frontier:
        nxt = []
        for u in frontier:
            for k in order[ptr[u]:ptr[u + 1]]:
                v = int(sn[k])
                if v not in out:
                    st, ac = out[u]
                    out[v] = (st + [v], ac + [int(a[k])])
                    nxt.append(v)
        frontier = nxt
    return out


def _return_witness(mdp, delta, model):
    """Lasso trajectories whose returns differ under ``delta`` (returns / comparisons)."""
    S, A = mdp.n_states, mdp.n_actions
    exact = delta.dtype == object and mdp.is_exact
    s, a, sn, p = mdp.entries(exact=exact)
    reach = _reachable(mdp)
    # path policy: the first possible transition of action 0.. at every state
    first = np.full(S, -1, dtype=np.int64)
    rev = np.arange(len(s))[::-1]
    first[s[rev]] = rev
    succ, act = sn[first], a[first]
    d = delta[s[first], a[first], sn[first]]
    I = _zeros((S, S), exact)
    one = Fraction(1) if exact else 1.0
    I[np.arange(S), np.arange(S)] = one
    g = Fraction(mdp.gamma) if exact else float(mdp.gamma)
    I[np.arange(S), succ] = I[np.arange(S), succ] - g
    W = linalg.solve(I, d if exact else to_float_array(d))
    dv = delta[s, a, sn] if exact else to_float_array(delta[s, a, sn])
    viol = dv + g * W[sn] - W[s]
    viol = np.where(reach[s], viol, 0)
    paths = _prefix_paths(mdp, reach)
    tol = 0 if exact else EQUIVALENCE_RTOL * max(1.0, _absmax(dv), _absmax(W))
    bad = np.flatnonzero(np.abs(to_float_array(viol)) > tol) if not exact else \
        np.flatnonzero(_nonzero(viol))
    if bad.size:
        k = int(bad[np.argmax(np.abs(to_float_array(viol[bad])))])
        u, v = int(s[k]), int(sn[k])
        pst, pac = paths[u]
        st1, ac1, l1 = _follow(succ, act, v)
        st2, ac2, l2 = _follow(succ, act, u)
        xi1 = Lasso(tuple(pst + st1), tuple(pac + [int(a[k])] + ac1), len(pst) + l1)
        xi2 = Lasso(tuple(pst[:-1] + st2), tuple(pac + ac2), len(pst) - 1 + l2)
        return [xi1, xi2]
    inits = list(mdp.start_states)
    if model.name == "returns":
        for x in inits:
            if (W[x] != 0) if exact else abs(float(W[x])) > tol:
                st1, ac1, l1 = _follow(succ, act, x)
                return [Lasso(tuple(st1), tuple(ac1), l1)]
    else:
        for x in inits[1:]:
            if (W[x] != W[inits[0]]) if exact else abs(float(W[x] - W[inits[0]])) > tol:
                st1, ac1, l1 = _follow(succ, act, inits[0])
                st2, ac2, l2 = _follow(succ, act, x)
                return [Lasso(tuple(st1), tuple(ac1), l1), Lasso(tuple(st2), tuple(ac2), l2)]
    return []


# ---------------------------------------------------------------------- observations
def observe(mdp, reward, model="mce", *, beta=1.0, trajectories=None):
    """The observation a data source makes of ``reward``.

    Parameters
    ----------
    mdp : MDP
    reward : array_like
    model : str
    beta : float, default 1.0
        Inverse temperature (Boltzmann, soft-optimal, comparisons).
    trajectories : list, optional
        For the return- and comparison-based models, which observe infinitely many
        trajectories: the ones to evaluate, as :class:`Lasso` objects (full
        trajectories) or ``(states, actions)`` pairs (fragments).

    Returns
    -------
    ndarray
        ``"q"``: ``Q*`` ``(S, A)`` (exact on exact input); ``"boltzmann"`` / ``"mce"``:
        the policy ``(S, A)``; the ``-trajectories`` variants: the policy with the rows of
        unreachable states set to 0 (never observed); with a finite horizon all four:
        the time-varying policy ``(H, S, A)`` with the inaccessible ``(t, s)`` set to 0;
        ``"noiseless-comparisons"`` / ``"noiseless-fragment-comparisons"``: the sign
        matrix ``sign(G_j - G_i)``; ``"optimal"``: the optimal-action
        mask; ``"returns"`` / ``"fragment-returns"``: the returns of ``trajectories``;
        ``"comparisons"`` / ``"fragment-comparisons"``: the matrix
        ``sigma(beta (G_j - G_i))`` over ``trajectories``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
    >>> observe(mdp, [[[0, 1]], [[0, 0]]], "returns", trajectories=[Lasso((0, 1, 0), (0, 0), 0)])
    array([Fraction(4, 3)], dtype=object)
    """
    from .behaviour import (boltzmann_policy, optimal_actions, optimal_values, soft_policy,
                            trajectory_return)

    m = _model(model)
    if m.name == "q":
        return optimal_values(mdp, reward)[1]
    if m.name in ("boltzmann", "boltzmann-trajectories", "mce", "mce-trajectories"):
        _check_setting(mdp, m)
        if m.name.startswith("boltzmann"):
            pi = boltzmann_policy(mdp, reward, beta=beta)
        else:
            pi = soft_policy(mdp, to_float_array(broadcast_reward(reward, mdp)),
                             temperature=1.0 / float(beta), tol=1e-13)
        if mdp.horizon is not None:     # time-varying pi_t, observed on Access only
            from .graph import accessible_layers

            return np.where(accessible_layers(mdp)[:mdp.horizon, :, None], pi, 0.0)
        if m.trajectories:
            pi = np.where(_reachable(mdp)[:, None], pi, 0.0)
        return pi
    if m.name == "optimal":
        return optimal_actions(mdp, reward)
    if trajectories is None:
        raise InvalidParameterError(f"model {m.name!r} observes infinitely many trajectories; "
                                    f"pass trajectories=[...] to evaluate some of them")
    G = []
    for xi in trajectories:
        if isinstance(xi, Lasso):
            G.append(xi.discounted_return(mdp, reward))
        else:
            st, ac = xi
            G.append(trajectory_return(mdp, reward, list(st), list(ac)))
    exact = all(isinstance(x, Fraction) for x in G)
    G = np.array(G, dtype=object if exact else float)
    if m.name in ("returns", "fragment-returns"):
        return G
    if m.summary == "order":
        return np.sign(G[None, :] - G[:, None]).astype(int)
    diff = to_float_array(G[None, :] - G[:, None]) * float(beta)
    return 1.0 / (1.0 + np.exp(-diff))


# ---------------------------------------------------------------------- equivalence
@dataclass(frozen=True, eq=False)
class EquivalenceResult:
    """The answer of :func:`equivalent`; truthy when the rewards are equivalent.

    Attributes
    ----------
    equivalent : bool
    model : str
    decomposition : Decomposition or None
        When equivalent: how ``R1`` becomes ``R2``.
    difference : dict or None
        When not: an observation that differs (``kind``, where, the two values and the
        size of the difference).

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> res = idf.equivalent([[0, 1], [0, 0]], [[1, 0], [0, 0]], mdp, model="mce")
    >>> bool(res), res.difference["kind"], res.difference["state"]
    (False, 'policy', 0)
    """

    equivalent: bool
    model: str
    decomposition: Decomposition = None
    difference: dict = None
    details: dict = field(default_factory=dict)

    def __bool__(self):
        if self.equivalent is None:
            from .errors import UndecidedError

            raise UndecidedError(f"undecided under {self.model!r}: {self.details.get('text', '')}"
                                 f" (test result.equivalent is None before using it as a bool)")
        return bool(self.equivalent)

    def explain(self):
        """A plain-text account.

        Returns
        -------
        str

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
        >>> print(idf.equivalent([[1], [1]], [[0], [0]], mdp).explain().splitlines()[0])
        Equivalent under 'mce': R2 = R1 + gamma Phi(s') - Phi(s) with Phi = [2, 2].
        """
        if self.equivalent is None:
            return f"Undecided under {self.model!r}: {self.details.get('text', '')}"
        if self.equivalent:
            d = self.decomposition
            if isinstance(d, FiniteHorizonDecomposition):
                parts = ["R1", "gamma Phi_{t+1}(s') - Phi_t(s) (time-dependent, Phi_H = 0)"]
                if d.redistribution is not None:
                    parts.append("an S'-redistribution")
                if d.mask is not None:
                    parts.append("a mask of the inaccessible (t, s)")
                return (f"Equivalent under {self.model!r} (finite horizon H="
                        f"{d.shaping.horizon}): R2 = {' + '.join(parts)} at every step t.\n"
                        f"(Check: result.decomposition.verify(R1, R2, mdp).)")
            if d.certificate is not None:
                return (f"Equivalent under {self.model!r}: the optimal action sets agree; "
                        f"certificate: {d.certificate!r}.")
            parts = []
            if d.scale != 1:
                parts.append(f"{format_number(d.scale)} * R1")
            else:
                parts.append("R1")
            if d.potential is not None:
                parts.append("gamma Phi(s') - Phi(s)")
            if d.shift is not None:
                parts.append(f"{format_number(d.shift)}")
            if d.redistribution is not None:
                parts.append("an S'-redistribution")
            if d.mask is not None:
                parts.append(f"a mask of {d.mask_kind} transitions")
            text = f"Equivalent under {self.model!r}: R2 = {' + '.join(parts)}"
            if d.potential is not None:
                text += f" with Phi = [{', '.join(format_number(v) for v in d.potential)}]"
            return text + ".\n(Check: result.decomposition.verify(R1, R2, mdp).)"
        diff = self.difference
        return f"Not equivalent under {self.model!r}: {diff['text']}"

    def to_json(self):
        """A JSON-ready dict.

        Returns
        -------
        dict

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
        >>> idf.equivalent([[1], [1]], [[0], [0]], mdp).to_json()["equivalent"]
        True
        """
        diff = None
        if self.difference is not None:
            diff = {k: (v.to_json() if hasattr(v, "to_json") else
                        [x.to_json() for x in v] if isinstance(v, list) else
                        format_number(v) if isinstance(v, (Fraction, float)) else v)
                    for k, v in self.difference.items()}
        return {"equivalent": None if self.equivalent is None else bool(self.equivalent),
                "model": self.model,
                "decomposition": None if self.decomposition is None else
                self.decomposition.to_json(), "difference": diff}


def _linear_class(mdp, m, d):
    """The class object of a linear model: finite-horizon policy models get K_Gamma."""
    if mdp.horizon is not None and m.name in FINITE_HORIZON_MODELS:
        return FiniteHorizonClass(mdp, m, d)
    return RewardClass(mdp, m, d)


def _infer_domain(R1, R2):
    n = max(np.ndim(np.asarray(R1, dtype=object)), np.ndim(np.asarray(R2, dtype=object)))
    return {1: "s", 2: "sa", 3: "sas"}.get(n, "sas")


def _policy_difference(mdp, R1, R2, m, beta):
    o1 = observe(mdp, R1, m.name, beta=beta)
    o2 = observe(mdp, R2, m.name, beta=beta)
    a, b = to_float_array(np.asarray(o1)), to_float_array(np.asarray(o2))
    gap = np.abs(a - b)
    t = None
    if gap.ndim == 3:   # finite-horizon Q*_t ("q" accepts any horizon): the worst step
        t = int(np.unravel_index(int(np.argmax(gap)), gap.shape)[0])
        o1, o2, gap = o1[t], o2[t], gap[t]
    s, act = np.unravel_index(int(np.argmax(gap)), gap.shape)
    kind = "Q*" if m.name == "q" else "policy"
    out = {"kind": kind, "state": int(s), "action": int(act), "first": o1[s, act],
           "second": o2[s, act], "size": float(gap[s, act]),
           "text": f"{kind}{'' if t is None else f'_{t}'}(s={s}, a={act}) is "
                   f"{format_number(o1[s, act])} under R1 and {format_number(o2[s, act])} "
                   f"under R2 (difference {float(gap[s, act]):.3g})"}
    if t is not None:
        out["time"] = t
    return out


def _transition_difference(mdp, R1, R2, delta, m, beta):
    if m.name in ("fragment-returns", "fragment-comparisons"):
        s, a, sn, _ = mdp.entries()
        dv = delta[s, a, sn]
        nz = _nonzero(dv) if dv.dtype == object else np.abs(dv) > 0
        if m.name == "fragment-comparisons" and mdp.gamma > 0 and not np.any(
                _nonzero(dv - dv[0]) if dv.dtype == object else np.abs(dv - dv[0]) > 0):
            # a constant c on every possible transition: compare length 1 with length 2
            k = 0
            u, v = int(s[k]), int(sn[k])
            k2 = int(np.flatnonzero(s == v)[0])
            frags = [([u, v], [int(a[k])]), ([u, v, int(sn[k2])], [int(a[k]), int(a[k2])])]
        else:
            k = int(np.flatnonzero(nz)[0])
            frags = [([int(s[k]), int(sn[k])], [int(a[k])])]
            if m.name == "fragment-comparisons":
                # pair it with a fragment whose return changes differently
                other = np.flatnonzero(_nonzero(dv - dv[k]) if dv.dtype == object
                                       else np.abs(dv - dv[k]) > 0)
                if other.size:
                    j = int(other[0])
                    frags.append(([int(s[j]), int(sn[j])], [int(a[j])]))
                else:
                    v = int(sn[k])
                    k2 = int(np.flatnonzero(s == v)[0])
                    frags.append(([int(s[k]), v, int(sn[k2])], [int(a[k]), int(a[k2])]))
        trajs = frags
    else:
        trajs = _return_witness(mdp, delta, m)
    o1 = observe(mdp, R1, m.name, beta=beta, trajectories=trajs)
    o2 = observe(mdp, R2, m.name, beta=beta, trajectories=trajs)
    gap = np.abs(to_float_array(np.asarray(o1)) - to_float_array(np.asarray(o2)))
    what = "return" if m.name.endswith("returns") else "comparison probability"
    return {"kind": what, "trajectories": [t if isinstance(t, Lasso) else
                                           {"states": t[0], "actions": t[1]} for t in trajs],
            "first": o1, "second": o2, "size": float(gap.max()) if gap.size else 0.0,
            "text": f"the {what} of the trajectories {trajs} is {o1.tolist()} under R1 and "
                    f"{o2.tolist()} under R2"}


def equivalent(reward1, reward2, mdp, model="mce", *, beta=1.0, domain=None):
    """Whether a data source sees the same thing for two rewards, with the evidence.

    Parameters
    ----------
    reward1, reward2 : array_like
        Rewards of shape ``(S,)``, ``(S, A)`` or ``(S, A, S)``.
    mdp : MDP
    model : str, default "mce"
        See :data:`MODELS`.
    beta : float, default 1.0
        Inverse temperature, used only to report the differing observation (the classes
        do not depend on it).
    domain : {"s", "sa", "sas"}, optional
        Default: the larger of the two rewards' shapes.

    Returns
    -------
    EquivalenceResult
        Truthy when equivalent; ``decomposition`` (scale, ``Phi``, redistribution, mask)
        re-checkable with ``decomposition.verify(R1, R2, mdp)``, or ``difference``: an
        observation that differs.

    Notes
    -----
    Linear models: one least-squares problem (exact on exact input).  ``"optimal"``:
    the optimal-action sets (exact on exact input); the decomposition is a positive
    scaling plus shaping and S'-redistribution when one exists, otherwise an
    optimality certificate ``Psi = V*_{R2}``.  Claim ``equivalence-decisions``.

    Finite horizon (policy models): a backward substitution in the Gamma rows,
    ``O(H nnz)``; the decomposition is a :class:`FiniteHorizonDecomposition` (a
    :class:`~identifiability.transforms.TimeDependentShaping` plus S'R and a mask of the
    inaccessible ``(t, s)``), the difference a ``(t, s, a)`` where the time-varying
    policies differ (``difference["time"]``).  Claim ``finite-horizon-policy-class``.

    ``"noiseless-fragment-comparisons"`` and ``"noiseless-comparisons"`` are
    three-valued: ``result.equivalent`` is True (a lower-bound decomposition), False (a
    pair of fragments / initial lassos ordered differently) or None (undecided; ``bool``
    raises :class:`~identifiability.errors.UndecidedError`).  The initial-trajectory
    search tries ``O(nnz)`` lassos (two path policies, one deviation per reachable
    transition), never an enumeration.  Claims ``noiseless-fragment-order-bounds``,
    ``noiseless-trajectory-order-bounds``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[["1/2", "1/2"], [1, 0]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> R1 = [[[0, 0], [1, 1]], [[0, 0], [0, 0]]]
    >>> R2 = [[[1, -1], [1, 1]], [[0, 0], [0, 0]]]     # an S'-redistribution
    >>> bool(idf.equivalent(R1, R2, mdp, model="q")), bool(idf.equivalent(R1, R2, mdp, model="returns"))
    (True, False)
    """
    m = _model(model)
    d = _domain(domain) if domain is not None else _infer_domain(reward1, reward2)
    _check_setting(mdp, m)
    if m.summary == "optimal":
        return _equivalent_optimal(reward1, reward2, mdp, d)
    if m.name == "noiseless-comparisons":
        return _equivalent_trajectory_order(reward1, reward2, mdp, d)
    if m.summary == "order":
        return _equivalent_order(reward1, reward2, mdp, d)
    C = _linear_class(mdp, m, d)
    x1, x2 = C._st.to_domain(reward1, "reward1"), C._st.to_domain(reward2, "reward2")
    R1, R2 = x1.reshape(C.shape), x2.reshape(C.shape)
    dec = C.decompose((x2 - x1).reshape(C.shape))
    if dec is not None:
        return EquivalenceResult(True, m.name, decomposition=dec)
    if m.summary == "mean":
        diff = _policy_difference(mdp, R1, R2, m, beta)
    else:
        delta = broadcast_reward(R2, mdp) - broadcast_reward(R1, mdp)
        diff = _transition_difference(mdp, R1, R2, delta, m, beta)
    return EquivalenceResult(False, m.name, difference=diff)


def _equivalent_optimal(reward1, reward2, mdp, domain):
    from .behaviour import optimal_actions
    from .transforms import optimality_certificate

    C = RewardClass(mdp, MODELS["mce"], domain)
    st = C._st
    x1, x2 = st.to_domain(reward1, "reward1"), st.to_domain(reward2, "reward2")
    R1, R2 = x1.reshape(C.shape), x2.reshape(C.shape)
    O1, O2 = optimal_actions(mdp, R1), optimal_actions(mdp, R2)
    if not np.array_equal(O1, O2):
        s = int(np.flatnonzero(np.any(O1 != O2, axis=1))[0])
        a1 = [int(a) for a in np.flatnonzero(O1[s])]
        a2 = [int(a) for a in np.flatnonzero(O2[s])]
        return EquivalenceResult(False, "optimal", difference={
            "kind": "optimal actions", "state": s, "first": a1, "second": a2, "size": 1.0,
            "text": f"the optimal actions at state {s} are {a1} under R1 and {a2} under R2"})
    # try R2 = c R1 + shaping + S'R with c > 0
    y1, y2 = st.m_apply(x1), st.m_apply(x2)
    dec = None
    if _nonzero(y1).any() if y1.dtype == object else np.any(y1 != 0):
        c = _best_scale(st, y1, y2)
        if c is not None and c > 0:
            part = C.decompose((x2 - c * x1).reshape(C.shape))
            if part is not None:
                dec = Decomposition(c, part.potential, part.shift, part.redistribution,
                                    part.mask, part.mask_kind)
    if dec is None:
        dec = Decomposition(certificate=optimality_certificate(mdp, broadcast_reward(R2, mdp), O1))
    return EquivalenceResult(True, "optimal", decomposition=dec)


def _short_fragments(mdp):
    """Every possible fragment of length 1 and 2 as ``(states, actions)`` index arrays.

    ``O(nnz * k)`` for at most ``k`` successors per state (length-2 fragments are pairs of
    consecutive possible transitions); not an enumeration of trajectories of growing length.
    """
    s, a, sn, _ = mdp.entries(exact=False)
    one = [((int(s[k]), int(sn[k])), (int(a[k]),)) for k in range(len(s))]
    order = np.argsort(s, kind="stable")
    ptr = np.searchsorted(s[order], np.arange(mdp.n_states + 1))
    two = [((int(s[k]), int(sn[k]), int(sn[j])), (int(a[k]), int(a[j])))
           for k in range(len(s)) for j in order[ptr[sn[k]]:ptr[sn[k] + 1]]]
    return one + two


def _order_conflict(u, v, tol):
    """Indices ``(i, j)`` ordered differently by ``u`` and ``v`` (ties count), or None.

    Sort by ``(u, v)``; the orders agree iff every adjacent pair keeps ties as ties and
    strict increases as strict increases.  ``O(n log n)``.
    """
    idx = sorted(range(len(u)), key=lambda i: (u[i], v[i]))
    for i, j in zip(idx, idx[1:]):
        du, dv = u[j] - u[i], v[j] - v[i]
        if (abs(du) <= tol) != (abs(dv) <= tol) or (du > tol and dv < -tol):
            return i, j
    return None


def _equivalent_order(reward1, reward2, mdp, domain):
    """Noiseless fragment order: decided by the bounds of Thm 3.10 where they settle it."""
    from .behaviour import trajectory_return

    m = MODELS["noiseless-fragment-comparisons"]
    C = RewardClass(mdp, MODELS["fragment-returns"], domain)
    st = C._st
    x1, x2 = st.to_domain(reward1, "reward1"), st.to_domain(reward2, "reward2")
    R1, R2 = x1.reshape(C.shape), x2.reshape(C.shape)
    # lower bound: R2 = c R1 + mask of impossible transitions, c > 0
    y1, y2 = st.m_apply(x1), st.m_apply(x2)
    if not (_nonzero(y1).any() or _nonzero(y2).any()):
        c = Fraction(1) if y1.dtype == object else 1.0
    else:
        c = _best_scale(st, y1, y2) if _nonzero(y1).any() else None
    if c is not None and c > 0:
        part = C.decompose((x2 - c * x1).reshape(C.shape))
        if part is not None:
            return EquivalenceResult(True, m.name, decomposition=Decomposition(
                c, None, None, None, part.mask, part.mask_kind))
    # a pair of short fragments ordered differently
    frags = _short_fragments(mdp)
    g1 = [trajectory_return(mdp, R1, list(f[0]), list(f[1])) for f in frags]
    g2 = [trajectory_return(mdp, R2, list(f[0]), list(f[1])) for f in frags]
    exact = all(isinstance(v, Fraction) for v in g1 + g2)
    tol = 0 if exact else EQUIVALENCE_RTOL * max([1.0] + [abs(float(v)) for v in g1 + g2])
    hit = _order_conflict(g1, g2, tol)
    if hit is not None:
        i, j = hit
        pair = [{"states": list(frags[k][0]), "actions": list(frags[k][1])} for k in (i, j)]
        return EquivalenceResult(False, m.name, difference={
            "kind": "fragment order", "trajectories": pair, "first": [g1[i], g1[j]],
            "second": [g2[i], g2[j]], "size": 1.0,
            "text": f"the fragments {pair} have returns {[format_number(g1[i]), format_number(g1[j])]}"
                    f" under R1 and {[format_number(g2[i]), format_number(g2[j])]} under R2: "
                    f"their order differs"})
    return EquivalenceResult(None, m.name, details={
        "text": "R2 is not a positive scaling of R1 plus a mask of impossible transitions, and "
                "every pair of fragments of length <= 2 is ordered alike; the exact invariances "
                "of noiseless fragment comparisons lie between positive scaling and "
                "zero-preserving monotonic maps (Thm 3.10) and longer fragments were not "
                "compared"})


#: Most candidate lassos the noiseless initial-trajectory search evaluates: the two base
#: path policies always, then one "switch" policy per reachable transition while the
#: total stays below this bound.
MAX_ORDER_CANDIDATES = 20000


def _path_policy(mdp, which):
    """A path policy ``s -> (a, s')`` as one entry index per state.

    ``"first"`` / ``"last"``: the first / last possible transition at every state; an
    entry index ``k``: ``"first"`` except that state ``s[k]`` takes transition ``k``.
    """
    s, a, sn, _ = mdp.entries(exact=False)
    e = np.full(mdp.n_states, -1, dtype=np.int64)
    idx = np.arange(len(s))
    if which == "last":
        e[s] = idx
    else:
        e[s[idx[::-1]]] = idx[::-1]
        if which != "first":
            e[s[which]] = which
    return e


def _trajectory_candidates(mdp, R1, R2, exact):
    """Returns of a polynomial family of initial lassos under ``R1`` and ``R2``.

    For each path policy ``pi`` (first / last possible transition, then the "switch"
    policies of :func:`_path_policy`, one per reachable transition, while at most
    :data:`MAX_ORDER_CANDIDATES` candidates are collected): the lasso that follows ``pi``
    from every initial state, and for every reachable transition ``k = (u, a, v)`` the
    lasso "BFS prefix to ``u``, then ``k``, then follow ``pi`` from ``v``".  Yields,
    after each policy, the cumulative ``(g1, g2, keys, paths)``: the two return lists
    (exact on exact input), a key per candidate from which :func:`_candidate_lasso`
    rebuilds the lasso, and the BFS prefixes.
    Cost: ``O(nnz)`` candidates and one ``S x S`` solve per policy and reward, at most
    ``O(nnz)`` policies, ``O(S * depth)`` for the prefix returns; no enumeration of
    trajectories.
    """
    S = mdp.n_states
    s, a, sn, _ = mdp.entries(exact=exact)
    reach = _reachable(mdp)
    g = Fraction(mdp.gamma) if exact else float(mdp.gamma)
    one = Fraction(1) if exact else 1.0
    paths = _prefix_paths(mdp, reach)
    reach_k = np.flatnonzero(reach[s])
    inits = list(mdp.start_states)
    g1, g2, keys = [], [], []
    rewards = [R1, R2]
    # prefix returns and discounts gamma^depth of the BFS path to every reachable state
    pre = [_zeros((S,), exact), _zeros((S,), exact)]
    disc = _zeros((S,), exact)
    for u, (pst, pac) in paths.items():
        d = one
        acc = [0 * one, 0 * one]
        for i in range(len(pac)):
            for j in range(2):
                acc[j] = acc[j] + d * rewards[j][pst[i], pac[i], pst[i + 1]]
            d = d * g
        pre[0][u], pre[1][u], disc[u] = acc[0], acc[1], d
    per = len(inits) + len(reach_k)
    first = _path_policy(mdp, "first")
    switches = [k for k in reach_k.tolist() if first[s[k]] != k]
    budget = max(0, MAX_ORDER_CANDIDATES // max(per, 1) - 2)
    for which in ["first", "last"] + switches[:budget]:
        e = _path_policy(mdp, which)
        succ = sn[e]
        I = _zeros((S, S), exact)
        I[np.arange(S), np.arange(S)] = one
        I[np.arange(S), succ] = I[np.arange(S), succ] - g
        W = [linalg.solve(I, R[s[e], a[e], sn[e]]) for R in rewards]
        for x in inits:
            g1.append(W[0][x])
            g2.append(W[1][x])
            keys.append((which, "start", x))
        for k in reach_k.tolist():
            u, v = int(s[k]), int(sn[k])
            vals = [pre[j][u] + disc[u] * (rewards[j][u, int(a[k]), v] + g * W[j][v])
                    for j in range(2)]
            g1.append(vals[0])
            g2.append(vals[1])
            keys.append((which, "deviation", k))
        yield g1, g2, keys, paths


def _candidate_lasso(mdp, key, paths):
    which, kind, k = key
    s, a, sn, _ = mdp.entries(exact=False)
    e = _path_policy(mdp, which)
    succ, act = sn[e], a[e]
    if kind == "start":
        st1, ac1, l1 = _follow(succ, act, k)
        return Lasso(tuple(st1), tuple(ac1), l1)
    u, v = int(s[k]), int(sn[k])
    pst, pac = paths[u]
    st1, ac1, l1 = _follow(succ, act, v)
    return Lasso(tuple(pst + st1), tuple(pac + [int(a[k])] + ac1), len(pst) + l1)


def _sign(x, tol):
    return 0 if abs(x) <= tol else (1 if x > 0 else -1)


def _equivalent_trajectory_order(reward1, reward2, mdp, domain):
    """Noiseless order of initial-trajectory returns (three-valued; claim
    ``noiseless-trajectory-order-bounds``).

    True when ``R2 = c R1 + n`` with ``c > 0`` and ``n`` in the ``"comparisons"`` class
    (k-initial shaping plus a mask of unreachable transitions: Thm 3.11's lower bound);
    False with two initial lassos ordered differently (from the polynomial family of
    :func:`_trajectory_candidates`, re-evaluated with :meth:`Lasso.discounted_return`);
    otherwise undecided.
    """
    m = MODELS["noiseless-comparisons"]
    C = RewardClass(mdp, MODELS["comparisons"], domain)
    st = C._st
    x1, x2 = st.to_domain(reward1, "reward1"), st.to_domain(reward2, "reward2")
    R1, R2 = x1.reshape(C.shape), x2.reshape(C.shape)
    exact = x1.dtype == object and x2.dtype == object and st.exact
    if not exact:
        x1, x2 = to_float_array(x1), to_float_array(x2)
    t1, t2 = C.contains(x1.reshape(C.shape)), C.contains(x2.reshape(C.shape))
    dec = None
    if t1 and t2:       # both orders are "all trajectories tie"
        part = C.decompose((x2 - x1).reshape(C.shape))
        if part is not None:
            dec = Decomposition(1, part.potential, None, None, part.mask, part.mask_kind)
    elif not (t1 or t2):
        sf = C._for(x1)
        c = _best_scale(sf, sf.m_apply(x1), sf.m_apply(x2))
        if c is not None and c > 0:
            part = C.decompose((x2 - c * x1).reshape(C.shape))
            if part is not None:
                dec = Decomposition(c, part.potential, None, None, part.mask, part.mask_kind)
    if dec is not None:
        return EquivalenceResult(True, m.name, decomposition=dec)
    B1, B2 = broadcast_reward(R1, mdp), broadcast_reward(R2, mdp)
    if not exact:
        B1, B2 = to_float_array(B1), to_float_array(B2)
    fmdp = mdp if exact or not mdp.is_exact else mdp.to_float()
    hit, n_pol, checked = None, 0, 0
    for g1, g2, keys, paths in _trajectory_candidates(fmdp, B1, B2, exact):
        n_pol += 1
        if n_pol < 2 * max(checked, 1):     # check after 2, 4, 8, ... policies and at the end
            continue
        checked = n_pol
        tol = 0 if exact else EQUIVALENCE_RTOL * max([1.0] + [abs(float(v)) for v in g1 + g2])
        hit = _order_conflict(g1, g2, tol)
        if hit is not None:
            break
    if hit is None and checked != n_pol:
        tol = 0 if exact else EQUIVALENCE_RTOL * max([1.0] + [abs(float(v)) for v in g1 + g2])
        hit = _order_conflict(g1, g2, tol)
    if hit is not None:
        xis = [_candidate_lasso(mdp, keys[i], paths) for i in hit]
        G1 = [xi.discounted_return(mdp, R1) for xi in xis]
        G2 = [xi.discounted_return(mdp, R2) for xi in xis]
        if _sign(G1[1] - G1[0], tol) != _sign(G2[1] - G2[0], tol):
            return EquivalenceResult(False, m.name, difference={
                "kind": "trajectory order", "trajectories": xis, "first": G1, "second": G2,
                "size": 1.0,
                "text": f"the initial trajectories {[xi.to_json() for xi in xis]} have returns "
                        f"{[format_number(v) for v in G1]} under R1 and "
                        f"{[format_number(v) for v in G2]} under R2: their order differs"})
    return EquivalenceResult(None, m.name, details={
        "text": "R2 is not c R1 plus k-initial shaping and a mask of unreachable transitions "
                "(c > 0), and the searched initial trajectories (two path policies from every "
                "initial state and one deviation at every reachable transition) are ordered "
                "alike by both rewards: their returns under R2 are a strictly increasing, "
                "non-affine function of those under R1.  The exact invariances of noiseless "
                "trajectory comparisons lie between the lower bound (Thm 3.11) and all "
                "order-preserving maps, and other trajectories were not compared"})


def _best_scale(st, y1, y2):
    """The ``c`` minimising ``||y2 - c y1 - G theta||`` (exact on exact input)."""
    c1, _ = st.solve(y1)
    r1 = y1 - st.g_apply(c1)            # y1 with its shaping part removed
    c2, _ = st.solve(y2)
    r2 = y2 - st.g_apply(c2)
    den = np.sum(r1 * r1 / st.lam)
    if (den == 0) if r1.dtype == object else abs(den) < 1e-300:
        return None
    return np.sum(r1 * r2 / st.lam) / den


# ---------------------------------------------------------------------- refinement
@dataclass(frozen=True, eq=False)
class Refinement:
    """The answer of :func:`refines`: truthy when source ``a``'s ambiguity is inside ``b``'s.

    Attributes
    ----------
    refines : bool
    model_a, model_b : str
    witness : tuple or None
        When not: ``(R1, R2)`` with the same ``a``-observation and different
        ``b``-observations.
    difference : dict or None
        The ``b``-observation that differs on the witness.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> bool(idf.refines("q", "mce", mdp)), bool(idf.refines("mce", "q", mdp))
    (True, False)
    """

    refines: bool
    model_a: str
    model_b: str
    witness: tuple = None
    difference: dict = None

    def __bool__(self):
        return bool(self.refines)


def refines(model_a, model_b, mdp, *, domain="sas", reward=None):
    """Whether data source ``a`` is no more ambiguous than ``b`` on ``mdp`` (``b`` tolerates ``a``).

    ``a`` refines ``b`` when ``f_a(R1) = f_a(R2)`` implies ``f_b(R1) = f_b(R2)`` for all
    rewards (note §1, Def. 4.1 of the ICLR-2022 text).

    Parameters
    ----------
    model_a, model_b : str
    mdp : MDP
    domain : {"sas", "sa", "s"}, default "sas"
    reward : array_like, optional
        Unused for linear pairs; reserved.

    Returns
    -------
    Refinement
        With a witness pair ``(R1, R2)`` when ``a`` does not refine ``b``.

    Notes
    -----
    Linear pairs: ``N_a`` inside ``N_b`` by explicit bases (small MDPs).  A linear ``a``
    refines ``"optimal"`` iff ``N_a`` lies in the ``"mce"`` subspace (a direction ``d``
    outside it gives ``R1 = -d``, whose optimal sets differ from those of ``R2 = 0``);
    ``"optimal"`` refines a linear ``b`` only if ``N_b`` is everything (it tolerates
    scaling: ``R`` and ``2 R``).  Claim ``ambiguity-ordering``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> r = idf.refines("optimal", "mce", mdp)
    >>> R1, R2 = r.witness
    >>> bool(r), bool((R2 == 2 * R1).all())
    (False, True)
    """
    ma, mb = _model(model_a), _model(model_b)
    d = _domain(domain)
    for x in (ma, mb):
        if x.summary == "order":
            raise InvalidParameterError(f"refines does not handle {x.name!r}: its class is only "
                                        f"known between bounds ({x.provenance})")
    if ma.summary == "optimal" and mb.summary == "optimal":
        return Refinement(True, ma.name, mb.name)
    if ma.summary == "optimal":
        Nb = ambiguity(mdp, mb, domain=d)
        if Nb.dim == Nb.ambient_dim:
            return Refinement(True, ma.name, mb.name)
        full = Subspace.full(Nb.ambient_dim, exact=Nb.is_exact)
        v = full.vector_not_in(Nb.basis)
        R1 = v.reshape(Nb.shape)
        R2 = 2 * R1
        res = equivalent(R1, R2, mdp, mb.name, domain=d)
        return Refinement(False, ma.name, mb.name, (R1, R2), res.difference)
    Na = ambiguity(mdp, ma, domain=d)
    target = ambiguity(mdp, "mce", domain=d) if mb.summary == "optimal" else \
        ambiguity(mdp, mb, domain=d)
    v = Na.basis.vector_not_in(target.basis)
    if v is None:
        return Refinement(True, ma.name, mb.name)
    v = v.reshape(Na.shape)
    if mb.summary == "optimal":
        R1, R2 = -v, v * 0
    else:
        R1, R2 = v * 0, v
    res = equivalent(R1, R2, mdp, mb.name, domain=d)
    return Refinement(False, ma.name, mb.name, (R1, R2), res.difference)


@dataclass(frozen=True, eq=False)
class OrderingTable:
    """``refines(a, b)`` for every pair of data sources on one MDP (note §3.3).

    Attributes
    ----------
    models : tuple of str
    matrix : (k, k) bool ndarray
        ``matrix[i, j]``: model ``i`` refines model ``j``.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> t = idf.ordering_table(mdp, models=("q", "mce", "optimal"))
    >>> t.matrix.astype(int).tolist()
    [[1, 1, 1], [0, 1, 1], [0, 0, 1]]
    """

    models: tuple
    matrix: np.ndarray

    def to_text(self):
        """The table as aligned text (``<=`` where the row refines the column).

        Returns
        -------
        str

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
        >>> print(idf.ordering_table(mdp, models=("q", "mce")).to_text())
              q    mce
        q     <=   <=
        mce   .    <=
        """
        w = max(len(m) for m in self.models) + 2
        head = " " * w + "".join(f"{m:<{w}}" for m in self.models)
        rows = [head.rstrip()]
        for i, m in enumerate(self.models):
            cells = "".join(f"{'<=' if self.matrix[i, j] else '.':<{w}}"
                            for j in range(len(self.models)))
            rows.append((f"{m:<{w}}" + cells).rstrip())
        return "\n".join(rows)

    def to_json(self):
        """A JSON-ready dict.

        Returns
        -------
        dict

        Examples
        --------
        >>> import identifiability as idf
        >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
        >>> idf.ordering_table(mdp, models=("q",)).to_json()
        {'models': ['q'], 'refines': [[True]]}
        """
        return {"models": list(self.models), "refines": self.matrix.tolist()}


#: The data sources of note §3.3, finest first.
ORDER_MODELS = ("fragment-returns", "fragment-comparisons", "q", "boltzmann", "mce",
                "mce-trajectories", "returns", "comparisons", "optimal")


def ordering_table(mdp, models=None, *, domain="sas"):
    """The ambiguity ordering of note §3.3 on ``mdp``: ``refines`` for every pair.

    Parameters
    ----------
    mdp : MDP
        Infinite horizon, ``0 < gamma < 1``.
    models : sequence of str, optional
        Default :data:`ORDER_MODELS`.
    domain : {"sas", "sa", "s"}, default "sas"

    Returns
    -------
    OrderingTable

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> bool(ordering_table(mdp).matrix[0].all())    # fragment returns refine everything
    True
    """
    models = tuple(ORDER_MODELS if models is None else (_model(m).name for m in models))
    k = len(models)
    M = np.zeros((k, k), dtype=bool)
    for i, a in enumerate(models):
        for j, b in enumerate(models):
            M[i, j] = True if i == j else bool(refines(a, b, mdp, domain=domain))
    return OrderingTable(models, M)


# ---------------------------------------------------------------------- inversions
def _check_inversion_setting(mdp, who):
    """The closed-form inversions are stationary: infinite horizon, ``gamma < 1``."""
    if mdp.horizon is not None:
        raise InvalidParameterError(
            f"{who} inverts a stationary policy of the discounted infinite-horizon setting; "
            f"this MDP has horizon {mdp.horizon} (for a finite horizon, the time-varying "
            f"policy's reward class is identifiability.policy_class)")
    _check_setting(mdp, MODELS["mce"])


def mce_inversion(mdp, policy, beta=1.0):
    """``(1/beta) log pi``: a reward whose soft-optimal policy is ``pi`` (soft value 0).

    When ``pi`` is the soft-optimal policy of ``R`` at inverse temperature ``beta``, the
    result lies in ``R``'s ``"mce"`` class (claim ``closed-form-inversions``).

    Parameters
    ----------
    mdp : MDP
        Infinite horizon, ``gamma < 1``.
    policy : (S, A) array_like
        Full support.
    beta : float, default 1.0

    Returns
    -------
    (S, A) float64 ndarray

    Examples
    --------
    >>> import numpy as np, identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> pi = idf.soft_policy(mdp, [[0, 1], [2, 0]], temperature=0.5)
    >>> bool(np.allclose(idf.soft_policy(mdp, mce_inversion(mdp, pi, beta=2), temperature=0.5), pi))
    True
    """
    from .behaviour import _parameter
    from .infinite import reward_from_policy

    _check_inversion_setting(mdp, "mce_inversion")
    b = _parameter(beta, "beta", allow_zero=False)
    return reward_from_policy(mdp, policy, temperature=1.0 / float(b))


def boltzmann_inversion(mdp, policy, beta=1.0):
    """``(1/beta)(log pi - max_a log pi)``: a reward whose Boltzmann-rational policy is ``pi``.

    Its optimal values are 0 and its optimal advantage is itself, so its Boltzmann
    policy at ``beta`` is ``pi``; when ``pi`` is the Boltzmann-rational policy of ``R`` the
    result lies in ``R``'s ``"boltzmann"`` class (claim ``closed-form-inversions``).

    Parameters
    ----------
    mdp : MDP
        Infinite horizon, ``gamma < 1``.
    policy : (S, A) array_like
        Full support.
    beta : float, default 1.0

    Returns
    -------
    (S, A) float64 ndarray
        Non-positive, with maximum 0 in every state.

    Examples
    --------
    >>> import numpy as np, identifiability as idf
    >>> mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    >>> pi = idf.boltzmann_policy(mdp, [[0, 1], [2, 0]], beta=2)
    >>> bool(np.allclose(idf.boltzmann_policy(mdp, boltzmann_inversion(mdp, pi, beta=2), beta=2), pi))
    True
    """
    from .behaviour import _check_policy, _parameter
    from .errors import InvalidPolicyError

    _check_inversion_setting(mdp, "boltzmann_inversion")
    b = _parameter(beta, "beta", allow_zero=False)
    pi, _ = _check_policy(mdp, policy, None)
    pif = to_float_array(np.asarray(pi))
    if np.any(pif <= 0):
        s, a = np.argwhere(pif <= 0)[0]
        raise InvalidPolicyError(f"policy[{s}, {a}] = 0: a Boltzmann policy has full support, "
                                 f"so no reward produces it")
    lp = np.log(pif)
    return (lp - lp.max(axis=1, keepdims=True)) / float(b)
