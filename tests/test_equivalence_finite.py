"""Finite-horizon policy models: the class K_Gamma of the time-varying policy on Access.

Claim: ``proofs/finite-horizon-policy-class.md``.  Oracles, independent of the
implementation's backward substitution:

* the forward models ``soft_policy`` / ``soft_value_iteration(time_varying=True)`` and
  ``boltzmann_policy`` with the finite horizon (float, compared to 1e-10);
* the accessible layers recomputed here by a breadth-first sweep over ``mdp.transitions``;
* ``identify.policy_class`` (the Gamma-system recursion of issue 3) for the subspace, and
  ``linalg.Subspace`` intersections for the ``R(s)`` restriction;
* the transformations of ``identifiability.transforms`` (``TimeDependentShaping``,
  ``SPrimeRedistribution``, ``PotentialShaping``) for soundness.
"""

import json
from fractions import Fraction
from io import StringIO

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import identifiability as idf
from identifiability.claims.equivalence import _access as access
from identifiability.claims.transforms import _as_float as as_float
from identifiability.cli import main
from identifiability.equivalence import FiniteHorizonDecomposition, ambiguity, equivalent
from identifiability.errors import InvalidParameterError
from identifiability.identify import policy_class
from identifiability.linalg import Subspace
from identifiability.reward import broadcast_reward
from identifiability.testing import strategies as ist
from identifiability.transforms import (
    PotentialShaping,
    SPrimeRedistribution,
    TimeDependentShaping,
)

MODELS = ("mce", "mce-trajectories", "boltzmann", "boltzmann-trajectories")
ARITY = {"s": 1, "sa": 2, "sas": 3}
finite_mdps = ist.mdps(horizon=st.integers(1, 4), max_states=4, max_actions=3)
betas = st.sampled_from([0.5, 1.0, 2.0])


# ---------------------------------------------------------------------- independent helpers
def dense(mdp):
    return np.array(np.asarray(mdp.transitions).tolist(), dtype=object)


def generic(rng, shape):
    """Rationals in [-5, 5] from a grid of 2e6 values per coordinate (generic w.h.p.)."""
    num = rng.integers(-10 ** 6, 10 ** 6, size=shape)
    out = np.empty(shape, dtype=object)
    out.reshape(-1)[:] = [Fraction(int(n), 200000) for n in num.reshape(-1)]
    return out


def policies(mdp, model, R, beta):
    """The time-varying policy (H, S, A) of the model, from the forward models."""
    if model.startswith("boltzmann"):
        return as_float(idf.boltzmann_policy(mdp, R, beta=beta))
    return idf.soft_policy(mdp, as_float(broadcast_reward(R, mdp)), temperature=1.0 / beta)


def access_gap(mdp, pi1, pi2):
    return float(np.max(np.where(access(mdp)[:, :, None], np.abs(pi1 - pi2), 0.0)))


# ---------------------------------------------------------------------- the class
@settings(max_examples=40, deadline=None)
@given(finite_mdps)
def test_class_is_policy_class_lifted_to_each_domain(mdp):
    """proofs/finite-horizon-policy-class.md (2): "sa" is K_Gamma; "sas" is the expectation's
    pre-image (dim S A S - S A + dim K_Gamma, every basis vector's expectation in K_Gamma);
    "s" is {x : x broadcast over actions in K_Gamma}; all four models share the class."""
    K = policy_class(mdp)
    S, A = mdp.n_states, mdp.n_actions
    P = dense(mdp)
    for model in MODELS:
        assert ambiguity(mdp, model, domain="sa").basis.equals(K)
    N = ambiguity(mdp, "mce", domain="sas")
    assert N.dim == S * A * S - S * A + K.dim
    B = N.basis.basis.reshape(S, A, S, -1)
    expect = np.einsum("sat,satk->sak", P, B).reshape(S * A, -1)
    assert all(K.contains_vector(expect[:, j]) for j in range(expect.shape[1]))
    E = np.zeros((S * A, S), dtype=object)
    E[...] = Fraction(0)
    for s in range(S):
        E[s * A:(s + 1) * A, s] = Fraction(1)
    assert ambiguity(mdp, "mce", domain="s").dim == Subspace.span(E).intersect(K).dim


# ---------------------------------------------------------------------- soundness
@settings(max_examples=30, deadline=None)
@given(finite_mdps, st.sampled_from(["sas", "sa", "s"]), st.sampled_from(MODELS), betas,
       st.integers(0, 2 ** 31))
def test_class_members_keep_every_accessible_policy(mdp, domain, model, beta, seed):
    """proofs/finite-horizon-policy-class.md (1, soundness): a random member of R's class
    has the same time-varying policy at every accessible (t, s), to 1e-10."""
    rng = np.random.default_rng(seed)
    shape = (mdp.n_states, mdp.n_actions, mdp.n_states)[:ARITY[domain]]
    R1 = generic(rng, shape)
    N = ambiguity(mdp, model, domain=domain)
    R2 = N.sample(R1, rng)
    assert N.contains(R2 - R1)
    assert access_gap(mdp, policies(mdp, model, R1, beta), policies(mdp, model, R2, beta)) < 1e-10


@settings(max_examples=30, deadline=None)
@given(finite_mdps, st.integers(0, 2 ** 31))
def test_time_dependent_transformations_keep_accessible_policies(mdp, seed):
    """proofs/finite-horizon-policy-class.md (1): time-dependent shaping with a constant
    final potential, a time-varying S'-redistribution and arbitrary values at inaccessible
    (t, s) keep the soft-optimal pi_t at every accessible (t, s) (time-varying solver)."""
    rng = np.random.default_rng(seed)
    S, A, H = mdp.n_states, mdp.n_actions, mdp.horizon
    R = generic(rng, (S, A, S))
    Rt = TimeDependentShaping.sample(mdp, rng).apply(R, mdp)
    acc = access(mdp)
    for t in range(H):
        Rt[t] = Rt[t] + SPrimeRedistribution.sample(mdp, rng).table
        junk = generic(rng, (S, A, S))
        Rt[t][~acc[t]] = junk[~acc[t]]
    pi_t = idf.soft_value_iteration(mdp, as_float(Rt), time_varying=True).policy
    assert access_gap(mdp, pi_t, idf.soft_policy(mdp, as_float(R))) < 1e-10


# ---------------------------------------------------------------------- completeness
@settings(max_examples=40, deadline=None)
@given(finite_mdps, st.sampled_from(MODELS), betas, st.integers(0, 2 ** 31))
def test_directions_outside_the_class_change_some_accessible_policy(mdp, model, beta, seed):
    """proofs/finite-horizon-policy-class.md (1, completeness; 3): a generic direction, a
    stationary potential shaping and a random member of K_Gamma are each decided by the
    backward substitution exactly as policy_class's subspace says, and a direction outside
    changes some accessible pi_t; the reported (t, s, a) and size are recomputed here."""
    rng = np.random.default_rng(seed)
    S, A = mdp.n_states, mdp.n_actions
    K = policy_class(mdp)
    N = ambiguity(mdp, model, domain="sa")
    R1 = generic(rng, (S, A))
    inside = (K.basis @ generic(rng, (K.dim,))).reshape(S, A)
    phi = generic(rng, (S,))
    stationary = idf.expected_reward(mdp, PotentialShaping(phi).apply(np.zeros((S, A)), mdp)) \
        if mdp.gamma != 0 else generic(rng, (S, A))
    for delta in (generic(rng, (S, A)), inside, np.asarray(stationary, dtype=object)):
        flat = np.asarray(delta, dtype=object).reshape(-1)
        assert N.contains(delta) == K.contains_vector(flat)
        pi1 = policies(mdp, model, R1, beta)
        pi2 = policies(mdp, model, R1 + delta, beta)
        res = equivalent(R1, R1 + delta, mdp, model, beta=beta)
        if N.contains(delta):
            assert res.equivalent is True
            assert access_gap(mdp, pi1, pi2) < 1e-10
        else:
            assert res.equivalent is False
            d = res.difference
            t, s, a = d["time"], d["state"], d["action"]
            assert access(mdp)[t, s]
            assert abs(abs(pi1[t, s, a] - pi2[t, s, a]) - d["size"]) < 1e-12
            assert d["size"] == pytest.approx(access_gap(mdp, pi1, pi2), abs=1e-12)
            assert d["size"] > 1e-9


def test_stationary_potential_is_not_an_invariance_example():
    """proofs/finite-horizon-policy-class.md (negative control): on a two-state MDP whose
    actions lead to different states, a stationary potential changes the last step's policy,
    and the class says so; the time-dependent potential from the decomposition does not."""
    mdp = idf.MDP([[[1, 0], [0, 1]], [[1, 0], [0, 1]]], horizon=2, gamma="1/2")
    delta = PotentialShaping([0, 2]).apply(np.zeros((2, 2)), mdp)
    N = ambiguity(mdp, "mce")
    assert not N.contains(delta)
    res = equivalent(np.zeros((2, 2, 2)), delta, mdp, "mce")
    assert res.equivalent is False and res.difference["time"] == 1
    R2 = np.zeros((2, 2, 2), dtype=object) + TimeDependentShaping(
        [[0, 2], [1, 3], [5, 5]]).delta(mdp)[0]       # stationary only if Phi_t works at all t
    assert not N.contains(R2)                          # Phi_0 != Phi_1: not stationary-invariant
    assert N.contains(np.ones((2, 2)))                 # a constant shift is (note §3.5)


# ---------------------------------------------------------------------- decompositions
@settings(max_examples=30, deadline=None)
@given(finite_mdps, st.sampled_from(["sas", "sa", "s"]), st.integers(0, 2 ** 31))
def test_decomposition_verifies_and_reproduces_the_policy(mdp, domain, seed):
    """proofs/finite-horizon-policy-class.md (3): the decomposition of an equivalent pair is a
    TimeDependentShaping (constant final potential) plus S'R and an inaccessible mask; it
    re-verifies exactly, its time-varying reward has R2's policy on Access, and a tampered
    R2 fails verification."""
    rng = np.random.default_rng(seed)
    shape = (mdp.n_states, mdp.n_actions, mdp.n_states)[:ARITY[domain]]
    R1 = generic(rng, shape)
    R2 = ambiguity(mdp, "mce", domain=domain).sample(R1, rng)
    res = equivalent(R1, R2, mdp, "mce")
    assert res.equivalent is True
    dec = res.decomposition
    assert isinstance(dec, FiniteHorizonDecomposition)
    assert isinstance(dec.shaping, TimeDependentShaping)
    assert len(set(dec.shaping.phis[-1].tolist())) == 1
    assert dec.verify(R1, R2, mdp)
    Rt = dec.apply(R1, mdp)
    acc = access(mdp)
    B2 = broadcast_reward(R2, mdp)
    assert all(np.all(Rt[t][acc[t]] == B2[acc[t]]) for t in range(mdp.horizon))
    pi_t = idf.soft_value_iteration(mdp, as_float(Rt), time_varying=True).policy
    assert access_gap(mdp, pi_t, idf.soft_policy(mdp, as_float(B2))) < 1e-10
    bad = np.array(B2, dtype=object)
    s0 = int(np.flatnonzero(acc[0])[0])
    bad[s0, 0, :] = bad[s0, 0, :] + 1
    assert not dec.verify(R1, bad, mdp)
    json.dumps(res.to_json())
    assert "time-dependent" in res.explain()


@settings(max_examples=20, deadline=None)
@given(finite_mdps, st.integers(0, 2 ** 31))
def test_float_input_agrees_with_exact(mdp, seed):
    """proofs/finite-horizon-policy-class.md (3): float rewards on the float MDP are decided
    as the exact ones (members of the class and generic directions)."""
    rng = np.random.default_rng(seed)
    S, A = mdp.n_states, mdp.n_actions
    R1 = generic(rng, (S, A, S))
    fm = mdp.to_float()
    for R2 in (ambiguity(mdp, "mce").sample(R1, rng), generic(rng, (S, A, S))):
        exact = equivalent(R1, R2, mdp, "mce")
        flt = equivalent(as_float(R1), as_float(R2), fm, "mce")
        assert flt.equivalent == exact.equivalent
        if flt.equivalent:
            assert flt.decomposition.verify(as_float(R1), as_float(R2), fm)
    assert ambiguity(fm, "mce", domain="sa").dim == ambiguity(mdp, "mce", domain="sa").dim


def test_cli_and_errors():
    """The CLI's ``ambiguity`` / ``equivalent`` accept finite-horizon policy models; the
    return models and 'optimal' still refuse a finite horizon with a message naming the
    models that accept one."""
    mdp = idf.examples.get("cao2021-example1-v0")
    out = StringIO()
    assert main(["ambiguity", "example:cao2021-example1-v0", "--model", "mce", "--domain", "sa",
                 "--json"], out=out) == 0
    data = json.loads(out.getvalue())
    assert data["dim"] == policy_class(mdp).dim and data["horizon"] == mdp.horizon
    out = StringIO()
    assert main(["equivalent", "example:cao2021-example1-v0", "[0, 1, 2]", "[1, 2, 4]",
                 "--json"], out=out) == 0
    data = json.loads(out.getvalue())
    assert data["equivalent"] is False and "time" in data["difference"]
    for model in ("returns", "comparisons", "optimal"):
        with pytest.raises(InvalidParameterError, match="'mce', 'mce-trajectories'"):
            ambiguity(mdp, model, reward=[0, 1, 2])
