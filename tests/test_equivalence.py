"""Reward equivalence classes of data sources (identifiability.equivalence).

Each claim test cites ``proofs/<id>.md``.  The oracles are independent of the
implementation's least-squares machinery:

* the forward models of :mod:`identifiability.behaviour` (exact policy iteration for
  ``Q*`` and ``Q^pi``, the Boltzmann policy of the exact optimal advantage, soft value
  iteration for the MCE policy);
* returns of lasso trajectories and of fragments summed here term by term from the
  dense ``(S, A, S)`` reward (prefix plus geometric cycle), never through
  ``Lasso.discounted_return`` or ``trajectory_return``;
* reachability by a breadth-first search over ``mdp.transitions``;
* dense ``[M | -G]`` matrices built here from ``mdp.transitions`` (``dim N = n -
  rank [M, -G] + rank G``), and ``linalg.Subspace`` projections;
* ``infinite.state_only_identifiable`` (co-successor components) for ``R(s)``.

"Generic" rewards are drawn from a seeded grid of 2e6 rationals per coordinate, so a
difference lies in a proper subspace with probability at most 5e-7 per example.
"""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import identifiability as idf
from identifiability.behaviour import optimal_values, policy_evaluation
from identifiability.claims.equivalence import (  # shared with the theorem registry
    _closed_block_mdps as closed_block_mdps,
    _dense_P as dense_P,
    _reachable as reachable,
    _generic as generic,
    _shape as shape_of,
    _sas as sas,
    _random_lassos as random_lassos,
    _lasso_return as lasso_return,
    _possible as possible_path,
    _fragments as all_fragments,
    _fragment_return as fragment_return,
    _policy_of as policy_of,
    _dense_dim as dense_dim,
    _relabel as relabel,
    _infinite_mdps,
)
from identifiability.claims.transforms import _as_float as as_float
from identifiability.equivalence import MODELS, Lasso, ambiguity, equivalent, observe
from identifiability.errors import InvalidParameterError, InvalidRewardError
from identifiability.infinite import state_only_identifiable
from identifiability.linalg import Subspace
from identifiability.reward import expected_reward
from identifiability.testing import strategies as ist

LINEAR = tuple(m for m in MODELS if MODELS[m].is_linear)
POLICY = ("boltzmann", "mce", "boltzmann-trajectories", "mce-trajectories")
RETURNS = ("returns", "comparisons")
FRAGMENTS = ("fragment-returns", "fragment-comparisons")
DOMAINS = ("sas", "sa", "s")
ARITY = {"s": 1, "sa": 2, "sas": 3}
betas = st.sampled_from([0.5, 1.0, 2.0])
seeds = st.integers(0, 2 ** 32 - 1)
#: Examples per (test, model): nine models share the ~90 s budget of this file.
PER_MODEL = 20


# ---------------------------------------------------------------------- MDP strategies
infinite_mdps = _infinite_mdps()


# ---------------------------------------------------------------------- independent helpers
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# ---------------------------------------------------------------------- the two directions
def check_same_observations(mdp, model, R1, R2, rng, beta):
    """Soundness: the forward observation of ``R2`` equals that of ``R1``."""
    R1s, R2s = sas(mdp, R1), sas(mdp, R2)
    if model == "q":
        assert optimal_values(mdp, R1)[1].tolist() == optimal_values(mdp, R2)[1].tolist()
        pi = np.full((mdp.n_states, mdp.n_actions), Fraction(1, mdp.n_actions), dtype=object)
        pi[:, 0] += Fraction(1, 7) if mdp.n_actions > 1 else 0
        pi[:, -1] -= Fraction(1, 7) if mdp.n_actions > 1 else 0
        Qpi = [expected_reward(mdp, R) + mdp.gamma * mdp.expectation(policy_evaluation(mdp, R, pi))
               for R in (R1, R2)]
        assert Qpi[0].tolist() == Qpi[1].tolist()         # Q^pi of a fixed pi: same class
    elif model in POLICY:
        rows = reachable(mdp) if model.endswith("trajectories") else np.ones(mdp.n_states, bool)
        p1, p2 = policy_of(mdp, model, R1, beta), policy_of(mdp, model, R2, beta)
        assert np.max(np.abs(p1 - p2)[rows]) <= 1e-10
    elif model in RETURNS:
        lassos = random_lassos(mdp, rng, 12)
        G1 = [lasso_return(mdp, R1s, xi) for xi in lassos]
        assert list(observe(mdp, R1, "returns", trajectories=lassos)) == G1
        d = [lasso_return(mdp, R2s, xi) - g1 for xi, g1 in zip(lassos, G1)]
        if model == "returns":
            assert all(x == 0 for x in d)
        else:   # k-initial shaping: every initial return shifts by the same constant
            assert len(set(d)) == 1
    else:
        frags = all_fragments(mdp)
        G1 = [fragment_return(mdp, R1s, s, a) for s, a in frags]
        assert list(observe(mdp, R1, "fragment-returns", trajectories=frags)) == G1
        d = [fragment_return(mdp, R2s, s, a) - g1 for (s, a), g1 in zip(frags, G1)]
        if model == "fragment-returns" or mdp.gamma > 0:
            assert all(x == 0 for x in d)
        else:   # gamma = 0 fragment comparisons: a constant shift is invisible
            assert len(set(d)) == 1


def check_difference(mdp, model, R1, R2, res, beta):
    """Completeness: the observation the result names really differs (recomputed here)."""
    diff = res.difference
    R1s, R2s = sas(mdp, R1), sas(mdp, R2)
    if model == "q":
        Q1, Q2 = optimal_values(mdp, R1)[1], optimal_values(mdp, R2)[1]
        assert ("time" in diff) == (mdp.horizon is not None)
        if mdp.horizon is not None:     # finite horizon: Q*_t at the reported step
            Q1, Q2 = Q1[diff["time"]], Q2[diff["time"]]
        s, a = diff["state"], diff["action"]
        assert diff["kind"] == "Q*" and Q1[s, a] != Q2[s, a]
        assert diff["first"] == Q1[s, a] and diff["second"] == Q2[s, a]
    elif model in POLICY:
        p1, p2 = policy_of(mdp, model, R1, beta), policy_of(mdp, model, R2, beta)
        s, a = diff["state"], diff["action"]
        assert diff["kind"] == "policy"
        assert abs(p1[s, a] - p2[s, a]) > 1e-9
        assert abs(float(diff["first"]) - p1[s, a]) <= 1e-9
        assert abs(float(diff["second"]) - p2[s, a]) <= 1e-9
        if model.endswith("trajectories"):
            assert reachable(mdp)[s]
    elif model in RETURNS:
        lassos = diff["trajectories"]
        assert lassos and all(isinstance(xi, Lasso) for xi in lassos)
        for xi in lassos:
            assert xi.is_possible(mdp)                 # the package's own check ...
            assert xi.states[0] in mdp.start_states    # ... and ours
            assert xi.states[-1] == xi.states[xi.loop] and xi.loop < len(xi.actions)
            assert possible_path(mdp, xi.states, xi.actions)
        G1 = [lasso_return(mdp, R1s, xi) for xi in lassos]
        G2 = [lasso_return(mdp, R2s, xi) for xi in lassos]
        d = [b - a for a, b in zip(G1, G2)]
        if model == "returns":
            assert any(x != 0 for x in d)
            for G, obs in ((G1, diff["first"]), (G2, diff["second"])):
                if mdp.is_exact:
                    assert list(obs) == G
                else:
                    np.testing.assert_allclose(as_float(obs), as_float(G), rtol=1e-12, atol=1e-12)
        else:
            assert len(lassos) >= 2 and len(set(d)) > 1
            for G, obs in ((G1, diff["first"]), (G2, diff["second"])):
                Gf = as_float(G) * beta
                np.testing.assert_allclose(obs, sigmoid(Gf[None, :] - Gf[:, None]), atol=1e-12)
    else:
        frags = [(f["states"], f["actions"]) for f in diff["trajectories"]]
        assert frags and all(possible_path(mdp, s, a) for s, a in frags)
        d = [fragment_return(mdp, R2s, s, a) - fragment_return(mdp, R1s, s, a) for s, a in frags]
        if model == "fragment-returns":
            assert any(x != 0 for x in d)
        else:
            assert len(frags) >= 2 and len(set(d)) > 1


# ---------------------------------------------------------------------- equivalence-decisions
@pytest.mark.parametrize("model", LINEAR)
@settings(max_examples=PER_MODEL)
@given(mdp=infinite_mdps, data=st.data())
def test_equivalent_rewards_give_equal_observations(model, mdp, data):
    """Soundness of the decisions: a random member of R1's class is decided equivalent, the
    decomposition re-checks exactly, and the observation recomputed by the forward model
    is unchanged.

    proofs/equivalence-decisions.md
    """
    domain = data.draw(st.sampled_from(DOMAINS))
    rng = np.random.default_rng(data.draw(seeds))
    beta = data.draw(betas)
    R1 = data.draw(ist.rewards(mdp, arity=ARITY[domain], exact=True, min_value=-2, max_value=2))
    C = ambiguity(mdp, model, domain=domain)
    R2 = C.sample(R1, rng)
    assert R2.shape == R1.shape and R2.dtype == object
    res = equivalent(R1, R2, mdp, model, beta=beta, domain=domain)
    assert res and res.difference is None
    dec = res.decomposition
    assert dec.verify(R1, R2, mdp)
    assert dec.transforms.apply(R1, mdp).tolist() == sas(mdp, R2).tolist()
    assert C.contains(R2 - R1)
    check_same_observations(mdp, model, R1, R2, rng, beta)
    if model in RETURNS:    # the shift of every initial return is -Phi(initial states)
        xi = random_lassos(mdp, rng, 1)[0]
        shift = lasso_return(mdp, sas(mdp, R2), xi) - lasso_return(mdp, sas(mdp, R1), xi)
        phi = dec.potential
        k = {Fraction(0)} if phi is None else {phi[s] for s in mdp.start_states}
        assert k == {-shift} and (model == "comparisons" or shift == 0)


@pytest.mark.parametrize("model", LINEAR)
@settings(max_examples=PER_MODEL)
@given(mdp=infinite_mdps, data=st.data())
def test_inequivalent_rewards_report_a_real_difference(model, mdp, data):
    """Completeness of the decisions: a generic R2 is decided inequivalent whenever the
    source identifies anything, and the reported differing observation is recomputed
    independently (policies by more than 1e-9, exact returns, exact Q*); return witnesses
    are possible lasso trajectories from initial states.

    proofs/equivalence-decisions.md
    """
    domain = data.draw(st.sampled_from(DOMAINS))
    rng = np.random.default_rng(data.draw(seeds))
    beta = data.draw(betas)
    R1 = data.draw(ist.rewards(mdp, arity=ARITY[domain], exact=True, min_value=-2, max_value=2))
    R2 = R1 + generic(rng, R1.shape)
    C = ambiguity(mdp, model, domain=domain)
    res = equivalent(R1, R2, mdp, model, beta=beta, domain=domain)
    assert bool(res) == (C.identifiable_dim == 0)      # generic
    if res:
        assert res.decomposition.verify(R1, R2, mdp)
        check_same_observations(mdp, model, R1, R2, rng, beta)
    else:
        assert res.decomposition is None
        check_difference(mdp, model, R1, R2, res, beta)
        assert "Not equivalent" in res.explain()


@pytest.mark.parametrize("model", FRAGMENTS + ("q",))
@settings(max_examples=PER_MODEL)
@given(mdp=ist.mdps(max_states=3, gamma=st.sampled_from([0, Fraction(1, 2)])), data=st.data())
def test_fragment_and_q_decisions_any_horizon_and_gamma_zero(model, mdp, data):
    """The fragment and Q* sources also accept finite horizons and gamma = 0; at gamma = 0
    fragment comparisons are blind to exactly one more direction, a constant shift.

    proofs/equivalence-decisions.md
    """
    domain = data.draw(st.sampled_from(DOMAINS))
    rng = np.random.default_rng(data.draw(seeds))
    R1 = data.draw(ist.rewards(mdp, arity=ARITY[domain], exact=True))
    C = ambiguity(mdp, model, domain=domain)
    R2 = C.sample(R1, rng)
    res = equivalent(R1, R2, mdp, model, domain=domain)
    assert res and res.decomposition.verify(R1, R2, mdp)
    if model == "q":
        assert optimal_values(mdp, R1)[1].tolist() == optimal_values(mdp, R2)[1].tolist()
    else:
        check_same_observations(mdp, model, R1, R2, rng, 1.0)
    shift = C.contains(np.ones(shape_of(mdp, domain), dtype=np.int64))
    assert shift == (model == "fragment-comparisons" and mdp.gamma == 0)
    R3 = R1 + generic(rng, R1.shape)
    res = equivalent(R1, R3, mdp, model, domain=domain)
    assert bool(res) == (C.identifiable_dim == 0)
    if not res:
        check_difference(mdp, model, R1, R3, res, 1.0)


@pytest.mark.parametrize("model", LINEAR)
@settings(max_examples=PER_MODEL)
@given(mdp=infinite_mdps, data=st.data())
def test_exact_and_float_decisions_agree(model, mdp, data):
    """Deciding on ``mdp.to_float()`` with float rewards agrees with the exact decision, for
    members of the class and generic rewards; float decompositions re-check to 1e-8.

    proofs/equivalence-decisions.md
    """
    domain = data.draw(st.sampled_from(DOMAINS))
    rng = np.random.default_rng(data.draw(seeds))
    R1 = data.draw(ist.rewards(mdp, arity=ARITY[domain], exact=True, min_value=-2, max_value=2))
    C = ambiguity(mdp, model, domain=domain)
    fm = mdp.to_float()
    F = ambiguity(fm, model, domain=domain)
    if not F.uncertain:
        assert F.dim == C.dim
    for R2 in (C.sample(R1, rng), R1 + generic(rng, R1.shape)):
        exact = equivalent(R1, R2, mdp, model, domain=domain)
        flt = equivalent(as_float(R1), as_float(R2), fm, model, domain=domain)
        assert bool(exact) == bool(flt)
        if flt:
            assert flt.decomposition.verify(as_float(R1), as_float(R2), fm)
        else:
            check_difference(fm, model, as_float(R1), as_float(R2), flt, 1.0)
        # float rewards on the exact MDP use the float twin of the structure
        assert bool(equivalent(as_float(R1), as_float(R2), mdp, model, domain=domain)) == \
            bool(exact)


# ---------------------------------------------------------------------- ambiguity-dimensions
def n_possible_from(mdp, states):
    P = dense_P(mdp)
    return int(sum(int((P[s] != 0).sum()) for s in np.flatnonzero(states)))


@settings(max_examples=40)
@given(mdp=infinite_mdps)
def test_ambiguity_dimension_formulas(mdp):
    """Dimension formulas for gamma < 1 (derived in the claim file), and every model and
    domain against the dense construction and the explicit basis.

    proofs/ambiguity-dimensions.md
    """
    S, A = mdp.n_states, mdp.n_actions
    reach = reachable(mdp)
    nr = int(reach.sum())
    init = np.zeros(S, dtype=bool)
    init[list(mdp.start_states)] = True
    nnz = int((dense_P(mdp) != 0).sum())
    dims = {(m, d): ambiguity(mdp, m, domain=d) for m in LINEAR for d in DOMAINS}
    for (m, d), C in dims.items():
        assert C.dim + C.identifiable_dim == C.ambient_dim == int(np.prod(shape_of(mdp, d)))
        assert C.dim == C.basis.dim == dense_dim(mdp, m, d), (m, d)
    dim = {k: C.dim for k, C in dims.items()}
    for m in ("mce", "boltzmann"):
        assert dim[m, "sas"] == S + S * A * (S - 1)
        assert dims[m, "sas"].identifiable_dim == S * (A - 1)
        assert dim[m, "sa"] == S
        assert dim[m + "-trajectories", "sas"] == S * S * A - nr * A + nr
        assert dim[m + "-trajectories", "sa"] == nr + A * (S - nr)
        if reach.all():
            assert all(dim[m + "-trajectories", d] == dim[m, d] for d in DOMAINS)
    assert dim["q", "sas"] == S * A * (S - 1)
    assert dim["q", "sa"] == dim["q", "s"] == 0
    for m in FRAGMENTS:
        assert dims[m, "sas"].identifiable_dim == nnz
        assert dim[m, "sa"] == dim[m, "s"] == 0
    assert dims["returns", "sas"].identifiable_dim == \
        n_possible_from(mdp, reach) - int((reach & ~init).sum())
    if mdp.is_deterministic:
        assert dim["returns", "sa"] == A * (S - nr) + int((reach & ~init).sum())
    for d in DOMAINS:   # the constant reward: the one extra direction of k-initial shaping
        assert dim["comparisons", d] == dim["returns", d] + 1
        assert dims["comparisons", d].contains(np.ones(shape_of(mdp, d), dtype=np.int64))
        assert not dims["returns", d].contains(np.ones(shape_of(mdp, d), dtype=np.int64))
        assert dims["mce", d].contains(np.ones(shape_of(mdp, d), dtype=np.int64))


@given(mdp=ist.mdps(horizon=st.none(), max_states=4))
def test_state_only_dimension_is_the_admissible_potentials(mdp):
    """R(s): the mce class has the dimension of {Phi : P_a Phi independent of a}, which is
    ``state_only_identifiable``'s ambiguity; on deterministic MDPs the number of
    co-successor components (note §3.4).

    proofs/ambiguity-dimensions.md
    """
    C = ambiguity(mdp, "mce", domain="s")
    rep = state_only_identifiable(mdp)
    assert C.dim == rep.dim_ambiguity
    assert C.basis.equals(rep.ambiguity)
    if mdp.is_deterministic:
        assert C.dim == rep.n_components
    if mdp.n_actions == 1:
        assert C.dim == mdp.n_states


@pytest.mark.parametrize("seed", range(6))
def test_state_only_dimension_examples(seed):
    """R(s): generic full-support stochastic dynamics give dimension 1 (the constants);
    identical actions give S; a deterministic chain gives S; a deterministic cycle with a
    stay action gives one co-successor component.

    proofs/ambiguity-dimensions.md
    """
    rng = np.random.default_rng(seed)
    S, A = 2 + seed % 3, 2 + seed % 2
    w = rng.integers(1, 1000, size=(S, A, S))
    P = np.array([[[Fraction(int(x), int(row.sum())) for x in row] for row in blk] for blk in w],
                 dtype=object)
    gamma = Fraction(9, 10)
    generic_mdp = idf.MDP(P, gamma=gamma)
    C = ambiguity(generic_mdp, "mce", domain="s")
    assert C.dim == 1 and C.basis.equals(Subspace.constants(S))
    same = idf.MDP(np.repeat(P[:, :1], A, axis=1), gamma=gamma)
    assert ambiguity(same, "mce", domain="s").dim == S
    chain = np.zeros((S, A, S), dtype=np.int64)
    for s in range(S):
        chain[s, :, min(s + 1, S - 1)] = 1
    m = idf.MDP(chain, gamma=gamma)
    assert ambiguity(m, "mce", domain="s").dim == S == state_only_identifiable(m).n_components
    cyc = np.zeros((S, 2, S), dtype=np.int64)
    for s in range(S):
        cyc[s, 0, s] = 1
        cyc[s, 1, (s + 1) % S] = 1
    m = idf.MDP(cyc, gamma=gamma)
    assert ambiguity(m, "mce", domain="s").dim == 1 == state_only_identifiable(m).n_components


# ---------------------------------------------------------------------- canonical-projection
@pytest.mark.parametrize("model", LINEAR)
@settings(max_examples=PER_MODEL)
@given(mdp=infinite_mdps, data=st.data())
def test_canonical_projection(model, mdp, data):
    """canonical is the orthogonal projection onto N's complement: linear, idempotent, kernel
    exactly N, R - c(R) in N, c(R) orthogonal to N, equal on equivalent rewards, exact, equal
    to the explicit-basis projection, and 0 on the coordinates the source never reads.

    proofs/canonical-projection.md
    """
    domain = data.draw(st.sampled_from(DOMAINS))
    rng = np.random.default_rng(data.draw(seeds))
    rew = ist.rewards(mdp, arity=ARITY[domain], exact=True)
    R, R2 = data.draw(rew), data.draw(rew)
    a, b = data.draw(st.fractions(-3, 3, max_denominator=5)), data.draw(
        st.fractions(-3, 3, max_denominator=5))
    C = ambiguity(mdp, model, domain=domain)
    c = C.canonical(R)
    assert c.shape == R.shape and c.dtype == object
    assert all(isinstance(x, Fraction) for x in c.reshape(-1).tolist())
    assert C.canonical(a * R + b * R2).tolist() == (a * c + b * C.canonical(R2)).tolist()
    assert C.canonical(c).tolist() == c.tolist()                       # idempotent
    assert C.contains(R - c)                                           # same class
    assert C.canonical(C.sample(R, rng)).tolist() == c.tolist()         # class invariant
    n = C.sample(np.zeros(R.shape, dtype=np.int64), rng)               # a member of N
    assert all(x == 0 for x in C.canonical(n).reshape(-1).tolist())
    assert C.contains(R) == all(x == 0 for x in c.reshape(-1).tolist())  # kernel is N
    B = C.basis
    x = R.reshape(-1)
    if B.dim:
        assert all(v == 0 for v in (B.basis.T @ c.reshape(-1)).tolist())  # orthogonal to N
        assert (x - B.project(x)).tolist() == c.reshape(-1).tolist()
    else:
        assert c.tolist() == R.tolist()
    if domain == "sas":
        P = dense_P(mdp)
        read = P != 0
        if MODELS[model].mask == "unreachable":
            read &= reachable(mdp)[:, None, None]
        assert all(v == 0 for v in c[~read].tolist())
    # float twin of the closed form agrees with the exact one
    np.testing.assert_allclose(C.canonical(as_float(R)), as_float(c), atol=1e-9)


# ---------------------------------------------------------------------- relabelling
@pytest.mark.parametrize("model", LINEAR)
@settings(max_examples=PER_MODEL)
@given(mdp=infinite_mdps, data=st.data())
def test_class_relabelling_equivariance(model, mdp, data):
    """Renaming states and actions gives the same dimension, renamed canonical forms and the
    same equivalence decisions.

    proofs/class-relabelling-equivariance.md
    """
    domain = data.draw(st.sampled_from(DOMAINS))
    rng = np.random.default_rng(data.draw(seeds))
    ps, pa = data.draw(ist.permutations_of(mdp))
    R1 = data.draw(ist.rewards(mdp, arity=ARITY[domain], exact=True))
    C = ambiguity(mdp, model, domain=domain)
    R2, R3 = C.sample(R1, rng), R1 + generic(rng, R1.shape)
    new, (N1, N2, N3, c1) = relabel(mdp, [R1, R2, R3, C.canonical(R1)], ps, pa)
    D = ambiguity(new, model, domain=domain)
    assert D.dim == C.dim
    assert D.canonical(N1).tolist() == c1.tolist()
    for A_, B_, NA, NB in ((R1, R2, N1, N2), (R1, R3, N1, N3)):
        assert bool(equivalent(A_, B_, mdp, model, domain=domain)) == \
            bool(equivalent(NA, NB, new, model, domain=domain))


# ---------------------------------------------------------------------- errors
MDP2 = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: ambiguity(MDP2, "maxent"), InvalidParameterError, "unknown model 'maxent'"),
    (lambda: equivalent([0, 0], [0, 1], MDP2, "bolzmann"), InvalidParameterError,
     "choose one of"),
    (lambda: ambiguity(MDP2, "mce", domain="sas'"), InvalidParameterError, "domain=\"sas'\""),
    (lambda: equivalent([0, 0], [0, 1], MDP2, "mce", domain="ss"), InvalidParameterError,
     "expected 's' (R(s)), 'sa' (R(s, a)) or 'sas'"),
    (lambda: equivalent([0, 0, 0], [0, 1, 0], MDP2, "mce"), InvalidRewardError,
     "reward has shape (3,)"),
    (lambda: ambiguity(MDP2, "q", domain="sa").contains(np.zeros((2, 2, 2))),
     InvalidRewardError, "pass domain='sas'"),
    (lambda: ambiguity(MDP2, "mce", domain="s").canonical(np.zeros((2, 2))),
     InvalidRewardError, "domain 's'"),
    (lambda: ambiguity(MDP2.replace(horizon=3), "returns"), InvalidParameterError,
     "infinite-horizon"),
    (lambda: equivalent([0, 0], [0, 1], MDP2.replace(horizon=3), "comparisons"),
     InvalidParameterError, "horizon 3"),
    (lambda: ambiguity(MDP2.replace(gamma=0), "returns"), InvalidParameterError,
     "0 < gamma < 1"),
    (lambda: ambiguity(MDP2.replace(gamma=0), "comparisons"), InvalidParameterError,
     "0 < gamma < 1"),
    (lambda: observe(MDP2, [0, 1], "returns"), InvalidParameterError, "trajectories=[...]"),
    (lambda: ambiguity(MDP2, "optimal"), InvalidParameterError, "reward=R"),
])
def test_clear_errors(call, error, fragment):
    """Typed errors with messages that say what to do.

    proofs/equivalence-decisions.md
    """
    with pytest.raises(error) as info:
        call()
    assert fragment in str(info.value)


def test_gamma_one_is_rejected_by_policy_models():
    """Infinite horizon needs gamma < 1 (the MDP refuses it); finite horizons are refused
    by the return models even with gamma = 1, and accepted by the policy models (their
    finite-horizon class is K_Gamma: tests/test_equivalence_finite.py)."""
    m = MDP2.replace(horizon=2, gamma=1)
    for model in RETURNS + ("noiseless-comparisons",):
        with pytest.raises(InvalidParameterError, match="infinite-horizon"):
            ambiguity(m, model)
    for model in POLICY:
        assert ambiguity(m, model, domain="sa").dim == idf.policy_class(m).dim
    assert ambiguity(m, "fragment-returns").dim == 4


# ---------------------------------------------------------------------- slow sweep
@pytest.mark.slow
@settings(max_examples=400)
@given(mdp=st.one_of(ist.mdps(horizon=st.none(), max_states=5),
                     ist.mdps(horizon=st.none(), max_states=5, max_support=1,
                              initial="single"),
                     closed_block_mdps(max_states=5)),
       data=st.data())
def test_decision_sweep_slow(mdp, data):
    """Both directions of every linear model on larger MDPs (``--runslow``).

    proofs/equivalence-decisions.md
    """
    model = data.draw(st.sampled_from(LINEAR))
    domain = data.draw(st.sampled_from(DOMAINS))
    rng = np.random.default_rng(data.draw(seeds))
    beta = data.draw(betas)
    R1 = data.draw(ist.rewards(mdp, arity=ARITY[domain], exact=True, min_value=-2, max_value=2))
    C = ambiguity(mdp, model, domain=domain)
    R2 = C.sample(R1, rng)
    res = equivalent(R1, R2, mdp, model, beta=beta, domain=domain)
    assert res and res.decomposition.verify(R1, R2, mdp)
    check_same_observations(mdp, model, R1, R2, rng, beta)
    R3 = R1 + generic(rng, R1.shape)
    res = equivalent(R1, R3, mdp, model, beta=beta, domain=domain)
    assert bool(res) == (C.identifiable_dim == 0)
    if not res:
        check_difference(mdp, model, R1, R3, res, beta)
