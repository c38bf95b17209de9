"""Infinite-horizon, discounted reward identifiability (identifiability.infinite).

Claims 16-22 of §10 of ``identifiability.md``; each test is named after its claim and
cites ``proofs/<id>.md``.  The oracles are independent of the implementation: soft
value iteration (the forward model) for every "the policy is / is not preserved"
statement, dense ``E - gamma P`` built from ``mdp.transitions``, iterated
``Subspace.intersect`` of the classes, networkx components for the co-successor graph.
Policy *changes* are asserted quantitatively with the exact identity of claim 21:
``||log pi' - log pi||_2 >= dist(r' - r, U_P) / lambda``.
"""

from fractions import Fraction

import networkx as nx
import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import identifiability as idf
from identifiability import linalg
from identifiability.claims.transforms import _as_float as as_float
from identifiability.errors import (
    InvalidMDPError,
    InvalidParameterError,
    InvalidPolicyError,
    InvalidRewardError,
)
from identifiability.infinite import (
    action_difference_matrix,
    consistent_class,
    feature_identifiability,
    identify_experts,
    reward_error_bound,
    reward_from_policy,
    shaping_matrix,
    state_only_identifiable,
    transfers,
)
from identifiability.linalg import Subspace
from identifiability.testing import strategies as ist

temperatures = st.sampled_from([0.25, 0.5, 1.0, 2.0])
infinite_mdps = ist.mdps(horizon=st.none(), max_states=4)


# ---------------------------------------------------------------------- helpers
@st.composite
def experts_on(draw, min_experts=2, max_experts=2, deterministic=None, exact=True,
               max_states=4, max_actions=3):
    """Several infinite-horizon MDPs on the same (S, A): different P and gamma."""
    S = draw(st.integers(1, max_states))
    A = draw(st.integers(1, max_actions))
    k = draw(st.integers(min_experts, max_experts))
    return [draw(ist.mdps(min_states=S, max_states=S, min_actions=A, max_actions=A,
                          horizon=st.none(), deterministic=deterministic, exact=exact))
            for _ in range(k)]


def dense_shaping(mdp):
    """``E - gamma P`` from the dense kernel: an independent construction."""
    P = np.asarray(mdp.transitions)
    S, A, _ = P.shape
    E = np.repeat(np.eye(S, dtype=np.int64), A, axis=0)
    g = mdp.gamma
    M = E.astype(object) - g * P.reshape(S * A, S) if mdp.is_exact else E - g * P.reshape(S * A, S)
    if mdp.is_exact:
        M = np.array([[Fraction(x) for x in row] for row in M.tolist()], dtype=object)
    return M


def log_policy(mdp, r, lam=1.0):
    return soft(mdp, r, lam).log_policy()


def soft(mdp, r, lam=1.0):
    return idf.soft_value_iteration(mdp, as_float(r), temperature=lam, tol=1e-12)


def relabel(mdp, ps, pa):
    """``P_new[ps[s], pa[a], ps[s']] = P[s, a, s']`` (keeps exactness and gamma)."""
    P = np.asarray(mdp.transitions)
    Pn = np.empty_like(P)
    Pn[np.ix_(ps, pa, ps)] = P
    return idf.MDP(Pn, gamma=mdp.gamma)


def iterated_intersection(experts):
    """∩ U_i by successive Subspace.intersect (not the coupling matrix)."""
    out = consistent_class(experts[0])
    for e in experts[1:]:
        out = out.intersect(consistent_class(e))
    return out


def random_combination(U, data):
    """A random rational combination of the basis of an exact subspace."""
    c = data.draw(st.lists(st.fractions(-2, 2, max_denominator=3), min_size=U.dim,
                           max_size=U.dim))
    return U.basis @ np.array(c, dtype=object)


def assert_policy_changes(mdp, r, w, lam=1.0):
    """``r`` and ``r + w`` give different soft policies, by at least the §5.5 identity."""
    dist = consistent_class(mdp).distance(as_float(w).reshape(-1))
    assert dist > 1e-9, "w is in the consistent class: the policy cannot change"
    gap = np.linalg.norm(log_policy(mdp, r, lam) - log_policy(mdp, as_float(r) + as_float(w),
                                                              lam))
    assert gap >= dist / lam * (1 - 1e-6) - 1e-9
    assert gap > 1e-9


# ---------------------------------------------------------------------- matrices
@given(infinite_mdps)
def test_shaping_matrix_equals_dense_E_minus_gamma_P(mdp):
    """``shaping_matrix`` is ``E - gamma P`` exactly (and in float on the float twin).

    proofs/cao-thm1-reward-from-policy.md
    """
    M = shaping_matrix(mdp)
    assert M.dtype == object and M.tolist() == dense_shaping(mdp).tolist()
    Mf = shaping_matrix(mdp.to_float())
    assert Mf.dtype == np.float64
    np.testing.assert_allclose(Mf, as_float(M), atol=1e-15)


@given(infinite_mdps)
def test_consistent_class_has_dimension_S_and_contains_constants(mdp):
    """``U_{P,gamma}`` has dimension ``S`` (full column rank for gamma < 1) and holds ``1``.

    proofs/cao-thm1-reward-from-policy.md
    """
    U = consistent_class(mdp)
    S, A = mdp.n_states, mdp.n_actions
    assert U.is_exact and U.dim == S and U.ambient_dim == S * A
    assert U.contains(Subspace.constants(S * A))
    assert linalg.rank(shaping_matrix(mdp)) == S
    assert consistent_class(mdp.to_float()).dim == S


def test_consistent_class_rejects_finite_horizon_and_gamma_one():
    m = idf.MDP([[[1]]], gamma="1/2", horizon=3)
    with pytest.raises(InvalidMDPError, match="finite horizon"):
        consistent_class(m)
    assert consistent_class(m, gamma="1/2").dim == 1
    with pytest.raises(InvalidParameterError, match="gamma < 1"):
        consistent_class(m, gamma=1)
    with pytest.raises(InvalidParameterError, match="exact"):
        shaping_matrix(m.to_float(), exact=True)
    assert shaping_matrix(m, gamma=1).tolist() == [[Fraction(0)]]
    with pytest.raises(InvalidParameterError):
        shaping_matrix(m, gamma=2)


# ---------------------------------------------------------------------- claim 16
@given(infinite_mdps.flatmap(lambda m: st.tuples(
    st.just(m), ist.policies(m, full_support=True), ist.potentials(m))), temperatures)
def test_cao_thm1_reward_from_policy_reproduces_policy_and_value(case, lam):
    """Claim 16: ``f = lambda log pi + (E - gamma P) v`` has soft policy ``pi`` and value ``v``.

    proofs/cao-thm1-reward-from-policy.md
    """
    mdp, pi, v = case
    f = reward_from_policy(mdp, pi, value=v, temperature=lam)
    assert f.shape == (mdp.n_states, mdp.n_actions)
    sol = soft(mdp, f, lam)
    np.testing.assert_allclose(sol.policy, pi, atol=1e-8)
    np.testing.assert_allclose(sol.v, v, atol=1e-8 * max(1.0, np.abs(v).max()))
    # The default value is 0, and the two rewards differ by the shaping of v.
    f0 = reward_from_policy(mdp, pi, temperature=lam)
    np.testing.assert_allclose(soft(mdp, f0, lam).v, 0.0, atol=1e-8)
    np.testing.assert_allclose((f - f0).reshape(-1), as_float(shaping_matrix(mdp)) @ v,
                               atol=1e-10)


@given(infinite_mdps.flatmap(lambda m: st.tuples(
    st.just(m), ist.rewards(m, arity=2), ist.potentials(m), ist.rewards(m, arity=2))),
    temperatures)
def test_cao_thm1_consistent_rewards_are_exactly_the_shaping_class(case, lam):
    """Claim 16 (uniqueness): ``r + (E - gamma P) u`` keeps the policy; ``r + w`` with ``w``
    outside ``U`` changes it (by at least ``dist(w, U) / lambda`` in log-policy).

    proofs/cao-thm1-reward-from-policy.md
    """
    mdp, r, u, w = case
    shaped = r + (as_float(shaping_matrix(mdp)) @ u).reshape(r.shape)
    np.testing.assert_allclose(soft(mdp, shaped, lam).policy, soft(mdp, r, lam).policy,
                               atol=1e-8)
    if consistent_class(mdp).distance(w.reshape(-1)) > 1e-6:
        assert_policy_changes(mdp, r, w, lam)
    # reward_from_policy recovers r up to U: r - f lies in U (its soft value is the shaping).
    f = reward_from_policy(mdp, soft(mdp, r, lam).policy, temperature=lam)
    assert consistent_class(mdp).distance((r - f).reshape(-1)) <= 1e-7 * (1 + np.abs(r).max())


def test_reward_from_policy_rejects_bad_input():
    m = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    with pytest.raises(InvalidPolicyError, match="full"):
        reward_from_policy(m, [[1, 0], [0.5, 0.5]])
    with pytest.raises(InvalidPolicyError):
        reward_from_policy(m, [[0.7, 0.7], [0.5, 0.5]])
    with pytest.raises(InvalidMDPError, match="finite horizon"):
        reward_from_policy(m.replace(horizon=2), [[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(InvalidMDPError, match="shape"):
        reward_from_policy(m, [[0.5, 0.5], [0.5, 0.5]], value=[1, 2, 3])
    with pytest.raises(InvalidParameterError):
        reward_from_policy(m, [[0.5, 0.5], [0.5, 0.5]], temperature=0)


# ---------------------------------------------------------------------- claim 17
@given(experts_on(1, 3))
@example([idf.examples.get("cao2021-example1-v0").replace(gamma="1/2", horizon=None),
          idf.examples.get("cao2021-example1-v0").replace(gamma="9/10", horizon=None)])
def test_multi_expert_rank_condition(experts):
    """Claim 17: identifiable iff ``dim ∩ U_i = 1`` iff (two experts)
    ``rank [E - g1 P1, -(E - g2 P2)] = 2S - 1``; the certificate re-checks.

    proofs/multi-expert-rank.md
    """
    rep = identify_experts(experts)
    S, K = experts[0].n_states, len(experts)
    assert rep.exact and not rep.uncertain and rep.n_experts == K
    inter = iterated_intersection(experts)
    assert rep.intersection.equals(inter)
    assert rep.dim_intersection == inter.dim >= 1
    assert rep.intersection.contains(Subspace.constants(S * experts[0].n_actions))
    assert rep.identifiable == (inter.dim == 1)
    assert rep.certificate.verify(rep.system)
    assert rep.certificate.rank == K * S - rep.dim_intersection
    if K == 2:
        M = np.concatenate([dense_shaping(experts[0]), -dense_shaping(experts[1])], axis=1)
        assert rep.identifiable == (linalg.rank(M) == 2 * S - 1)
    # The potentials reproduce one common spanning set W, exactly, for every expert.
    W = [dense_shaping(e) @ p for e, p in zip(experts, rep.potentials)]
    assert all(w.tolist() == W[0].tolist() for w in W)
    assert Subspace.span(W[0]).equals(rep.intersection) if rep.dim_intersection else True
    if rep.identifiable and K >= 2:
        # Cao's value-distinguishing pairs: the potentials are constants c_i with
        # (1 - gamma_i) c_i equal across experts.
        c = [p[0, 0] for p in rep.potentials]
        assert all(p[:, 0].tolist() == [ci] * S for p, ci in zip(rep.potentials, c))
        assert len({(1 - e.gamma) * ci for e, ci in zip(experts, c)}) == 1
    # Principal angles: the first is 0 (constants), the margin is positive iff identifiable.
    for angles in rep.principal_angles.values():
        assert angles.shape == (S,) and angles[0] < 1e-6
    if K == 2 and S >= 2:
        assert (rep.margin > 1e-7) == rep.identifiable
    if K == 1:
        assert rep.dim_intersection == S and rep.margin is None
    text = rep.explain()
    assert ("not identifiable" in text) != rep.identifiable


@settings(max_examples=40)
@given(experts_on(2, 3), st.data(), temperatures)
def test_multi_expert_witness_preserves_every_policy(experts, data, lam):
    """Claim 17: non-identifiable witnesses ``r, r + w`` (``w`` in ``∩ U_i``, not constant)
    preserve every expert's soft policy; when identifiable, a non-constant direction of
    ``U_1`` changes some expert's policy.

    proofs/multi-expert-rank.md
    """
    rep = identify_experts(experts)
    r = data.draw(ist.rewards(experts[0], arity=2))
    if rep.identifiable:
        assert rep.witness is None and rep.verify_witness()
        U1 = rep.classes[0]
        w = U1.vector_not_in(Subspace.constants(U1.ambient_dim))
        if w is not None:
            changed = [e for e in experts[1:]
                       if consistent_class(e).distance(as_float(w)) > 1e-9]
            assert changed, "a non-constant w in U_1 ∩ U_k would contradict dim ∩ = 1"
            assert_policy_changes(changed[0], r, w.reshape(r.shape), lam)
        return
    r1, r2 = rep.witness
    w = as_float(r2 - r1)
    assert np.ptp(w) > 0
    assert rep.verify_witness(temperature=lam)
    for e in experts:  # with a random base reward as well
        np.testing.assert_allclose(soft(e, r + w, lam).policy, soft(e, r, lam).policy,
                                   atol=1e-8)
    # Any random element of the intersection works too.
    w2 = random_combination(rep.intersection, data).reshape(r.shape)
    for e in experts:
        np.testing.assert_allclose(soft(e, r + as_float(w2), lam).policy,
                                   soft(e, r, lam).policy, atol=1e-8)


@given(experts_on(2, 3, max_states=4))
def test_multi_expert_exact_and_float_agree(experts):
    """Claim 17 on the float path: the same dimension as the exact path unless the float
    decision says it is uncertain; ``arithmetic="float"`` on exact input escalates when
    uncertain.

    proofs/multi-expert-rank.md
    """
    ex = identify_experts(experts)
    fl = identify_experts([e.to_float() for e in experts])
    assert not fl.exact and fl.certificate is None
    if not fl.uncertain:
        assert fl.dim_intersection == ex.dim_intersection
        assert fl.identifiable == ex.identifiable
        assert fl.intersection.equals(ex.intersection)
        if fl.witness is not None:
            assert fl.verify_witness()
    fe = identify_experts(experts, arithmetic="float")
    assert fe.dim_intersection == ex.dim_intersection or fe.uncertain
    assert fe.exact == fe.escalated


@given(experts_on(2, 2), st.data())
def test_multi_expert_verdict_invariant_under_relabelling(experts, data):
    """Claim 17 is about subspaces, so relabelling states and actions (the same way for
    every expert) leaves the dimension and verdict unchanged.

    proofs/multi-expert-rank.md
    """
    ps, pa = data.draw(ist.permutations_of(experts[0]))
    rep = identify_experts(experts)
    new = identify_experts([relabel(e, ps, pa) for e in experts])
    assert (new.identifiable, new.dim_intersection) == (rep.identifiable, rep.dim_intersection)
    if rep.margin is not None:
        assert abs(new.margin - rep.margin) < 1e-7


def test_multi_expert_catalogue_I1_single_expert_identifies_nothing():
    """Catalogue I1 (§12): one expert: ``dim ∩ = n`` (here ``n = 4``).

    proofs/multi-expert-rank.md
    """
    m = idf.examples.get("gridworld-v0", width=2, height=2).replace(horizon=None)
    rep = identify_experts(m)
    assert m.n_states == 4
    assert rep.dim_intersection == 4 and not rep.identifiable and rep.verify_witness()


def test_multi_expert_input_errors():
    a = idf.MDP([[[1]]], gamma="1/2")
    b = idf.MDP([[[1, 0]], [[0, 1]]], gamma="1/2")
    with pytest.raises(InvalidMDPError, match="share"):
        identify_experts([a, b])
    with pytest.raises(InvalidMDPError, match="empty"):
        identify_experts([])
    with pytest.raises(InvalidMDPError, match="finite horizon"):
        identify_experts([a, a.replace(horizon=2)])
    with pytest.raises(InvalidParameterError, match="exact"):
        identify_experts([a.to_float()], arithmetic="exact")
    with pytest.raises(InvalidParameterError, match="arithmetic"):
        identify_experts([a], arithmetic="fast")
    with pytest.raises(InvalidMDPError, match="MDP"):
        identify_experts([a, "b"])


# ---------------------------------------------------------------------- claim 18
@given(infinite_mdps, ist.discounts(allow_one=False))
@example(idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2"), Fraction(9, 10))
def test_two_discounts_rank_D(mdp, g2):
    """Claim 18: same ``P``, ``gamma_1 != gamma_2``: ``dim(U_1 ∩ U_2) = dim ker D``, so
    identifiable iff ``rank D = S - 1``; equal discounts identify nothing.

    proofs/two-discounts-rank-D.md
    """
    S = mdp.n_states
    rep = identify_experts([mdp, mdp.replace(gamma=g2)])
    if g2 == mdp.gamma:
        assert rep.dim_intersection == S
        return
    rD = linalg.rank(action_difference_matrix(mdp))
    assert rep.dim_intersection == S - rD
    assert rep.identifiable == (rD == S - 1)


# ---------------------------------------------------------------------- claim 19
def co_successor_components(mdp):
    """networkx oracle: components of 'both successors of a common state'."""
    G = nx.Graph()
    G.add_nodes_from(range(mdp.n_states))
    for s in range(mdp.n_states):
        succ = sorted({t for a in range(mdp.n_actions) for t in mdp.successors(s, a)})
        G.add_edges_from((succ[0], t) for t in succ[1:])
    return nx.number_connected_components(G)


@given(ist.mdps(horizon=st.none(), max_states=4,
               gamma=ist.discounts(allow_zero=True, allow_one=False)))
def test_state_only_kernel_D_equals_im_E_cap_U(mdp):
    """Claim 19: ``dim ker D = dim(im E ∩ U_P)`` (so ``ker D = span 1`` iff the latter is 1);
    the ambiguity rewards lie in ``im E ∩ U_P``; non-decomposable => not identifiable.

    proofs/state-only-kernel-D.md
    """
    S, A = mdp.n_states, mdp.n_actions
    rep = state_only_identifiable(mdp)
    E = np.repeat(np.eye(S, dtype=np.int64), A, axis=0)
    cap = Subspace.span(E).intersect(consistent_class(mdp))
    assert rep.dim_ambiguity == cap.dim == rep.kernel.dim == rep.ambiguity.dim
    assert rep.identifiable == (cap.dim == 1)
    assert rep.certificate.verify(rep.system) and rep.certificate.rank == S - rep.dim_ambiguity
    assert rep.kernel.contains(Subspace.constants(S))
    lifted = Subspace.span(np.repeat(rep.ambiguity.basis, A, axis=0))
    assert lifted.equals(cap)
    assert rep.n_components == co_successor_components(mdp)
    if rep.identifiable:
        assert rep.decomposable
    assert rep.verify_witness()


@given(ist.mdps(horizon=st.none(), deterministic=True, max_states=5), st.data())
def test_state_only_deterministic_decomposable(mdp, data):
    """Claim 19 (deterministic): ``dim ker D`` = number of co-successor components, so
    identifiable iff reward-decomposable; the witness preserves the policy.

    proofs/state-only-kernel-D.md
    """
    rep = state_only_identifiable(mdp)
    assert rep.dim_ambiguity == rep.n_components == co_successor_components(mdp)
    assert rep.identifiable == rep.decomposable
    if not rep.identifiable:
        f = data.draw(ist.rewards(mdp, arity=1))
        lam = data.draw(temperatures)
        w = as_float(rep.witness[1] - rep.witness[0])
        assert np.ptp(w) > 0
        np.testing.assert_allclose(soft(mdp, f + w, lam).policy, soft(mdp, f, lam).policy,
                                   atol=1e-8)


@given(infinite_mdps, st.data())
def test_state_only_exact_float_and_relabelling(mdp, data):
    """Claim 19: the float path agrees with the exact one (unless uncertain), and the
    verdict is invariant under relabelling states and actions.

    proofs/state-only-kernel-D.md
    """
    rep = state_only_identifiable(mdp)
    fl = state_only_identifiable(mdp.to_float())
    if not fl.uncertain:
        assert fl.dim_ambiguity == rep.dim_ambiguity
    ps, pa = data.draw(ist.permutations_of(mdp))
    new = state_only_identifiable(relabel(mdp, ps, pa))
    assert (new.dim_ambiguity, new.n_components) == (rep.dim_ambiguity, rep.n_components)


def bipartite(self_loop=False):
    """States {0, 1} -> {2, 3} -> {0, 1}: all transitions cross the bipartition."""
    succ = [[2, 3], [2, 3], [0, 1], [0, 1]]
    if self_loop:
        succ = [row + [row[0]] for row in succ]
        succ[0][2] = 0
    S, A = 4, len(succ[0])
    P = np.zeros((S, A, S), dtype=np.int64)
    for s in range(S):
        for a in range(A):
            P[s, a, succ[s][a]] = 1
    return idf.MDP(P, gamma="9/10")


def test_state_only_catalogue_I4_bipartite():
    """Catalogue I4 (§12): a bipartite graph has ``dim(im E ∩ U_P) = 2``; a self-loop at 0
    makes it 1.  Cao's bipartite witness: ``c`` on one side, ``-c / gamma`` on the other
    (disjoint sides) leaves the policy unchanged.

    proofs/state-only-kernel-D.md
    """
    rep = state_only_identifiable(bipartite())
    assert rep.dim_ambiguity == 2 and not rep.decomposable and rep.verify_witness()
    g = Fraction(9, 10)
    cao = np.array([1, 1, -1 / g, -1 / g], dtype=object)
    assert rep.ambiguity.contains_vector(cao)
    r = np.array([0.3, -1.0, 2.0, 0.5])
    np.testing.assert_allclose(soft(bipartite(), r + as_float(cao)).policy,
                               soft(bipartite(), r).policy, atol=1e-8)
    loop = state_only_identifiable(bipartite(self_loop=True))
    assert loop.dim_ambiguity == 1 and loop.identifiable and loop.decomposable
    assert loop.witness is None


def test_state_only_cao_example1_and_action_independent_dynamics():
    """Cao's Example 1 graph: classes {A} and {B, C}; one action (D empty): nothing beyond
    constants... nothing at all is identified (dim ker D = S).

    proofs/state-only-kernel-D.md
    """
    m = idf.examples.get("cao2021-example1-v0").replace(gamma="9/10", horizon=None)
    rep = state_only_identifiable(m)
    assert rep.components.tolist() == [0, 1, 1] and rep.dim_ambiguity == 2
    assert "{A}; {B, C}" in rep.explain()
    one = idf.MDP([[["1/2", "1/2"]], [["1/3", "2/3"]]], gamma="1/2")
    rep = state_only_identifiable(one)
    assert rep.dim_ambiguity == 2 and rep.decomposable and not rep.identifiable
    assert rep.verify_witness()


def test_state_only_myopic_agent_identifies_nothing():
    """``gamma = 0``: the soft policy of any ``f(s)`` is uniform, so ``dim = S`` even on a
    decomposable deterministic MDP (the deterministic equivalence needs ``gamma > 0``).

    proofs/state-only-kernel-D.md
    """
    m = bipartite(self_loop=True).replace(gamma=0)
    rep = state_only_identifiable(m)
    assert rep.decomposable and rep.dim_ambiguity == 4 and not rep.identifiable
    assert rep.verify_witness() and rep.certificate.verify(rep.system)
    E = np.repeat(np.eye(4, dtype=np.int64), 3, axis=0)
    assert Subspace.span(E).intersect(consistent_class(m)).dim == 4


# ---------------------------------------------------------------------- claim 20
@settings(max_examples=40)
@given(experts_on(1, 2), st.data(), temperatures)
def test_transfer_criterion(experts, data, lam):
    """Claim 20: all consistent rewards give the true target policy iff ``∩ U_i ⊆ U'``;
    checked both ways with soft value iteration.

    proofs/transfer-criterion.md
    """
    S, A = experts[0].n_states, experts[0].n_actions
    target = data.draw(ist.mdps(min_states=S, max_states=S, min_actions=A, max_actions=A,
                                horizon=st.none()))
    rep = transfers(experts, target)
    inter = iterated_intersection(experts)
    assert rep.transfers == consistent_class(target).contains(inter)
    assert rep.certificate.verify(rep.system) and (rep.certificate.rank == S) == rep.transfers
    r = data.draw(ist.rewards(target, arity=2))
    if rep.transfers:
        assert rep.witness is None
        w = as_float(random_combination(inter, data)).reshape(S, A)
        np.testing.assert_allclose(soft(target, r + w, lam).policy, soft(target, r, lam).policy,
                                   atol=1e-8)
    else:
        assert rep.verify_witness(temperature=lam)
        w = as_float(rep.witness[1] - rep.witness[0])
        for e in experts:
            np.testing.assert_allclose(soft(e, r + w, lam).policy, soft(e, r, lam).policy,
                                       atol=1e-8)
        assert_policy_changes(target, r, w, lam)
    if rep.experts_report.identifiable:
        assert rep.transfers
    assert ("every reward" in rep.explain()) == rep.transfers


# ---------------------------------------------------------------------- claim 21
@given(infinite_mdps.flatmap(lambda m: st.tuples(
    st.just(m), ist.rewards(m, arity=2), ist.rewards(m, arity=2))), temperatures)
def test_error_identity(case, lam):
    """Claim 21: ``dist(r_hat - r, U_P) = lambda dist(log pi_hat - log pi, U_P)`` to 1e-10.

    proofs/error-identity-two-expert-bound.md
    """
    mdp, r, rh = case
    U = consistent_class(mdp)
    lhs = U.distance((rh - r).reshape(-1))
    rhs = lam * U.distance((log_policy(mdp, rh, lam) - log_policy(mdp, r, lam)).reshape(-1))
    assert abs(lhs - rhs) <= 1e-10 * max(1.0, np.abs(r).max() + np.abs(rh).max())
    assert rhs <= lam * np.linalg.norm(log_policy(mdp, rh, lam) - log_policy(mdp, r, lam)) \
        + 1e-12


@settings(max_examples=40)
@given(experts_on(2, 2, max_states=4, max_actions=3), st.data(), temperatures)
def test_two_expert_principal_angle_bound(experts, data, lam):
    """Claim 21: with ``U_1 ∩ U_2 = span 1`` and second principal angle ``theta``,
    ``dist(r_hat - r, span 1) <= eps_1 + (eps_1 + eps_2) / sin(theta)``, where
    ``eps_i = dist(r_hat - lambda log pi_hat_i, U_i) + lambda ||log pi_hat_i - log pi_i||``;
    for arbitrary estimates ``pi_hat_i`` and for the policies of ``r_hat``.

    proofs/error-identity-two-expert-bound.md
    """
    rep = identify_experts(experts)
    assume(rep.identifiable and experts[0].n_states >= 2)
    S, A = experts[0].n_states, experts[0].n_actions
    r = data.draw(ist.rewards(experts[0], arity=2))
    rh = data.draw(ist.rewards(experts[0], arity=2))
    ones = Subspace.constants(S * A, exact=False)
    err = ones.distance((rh - r).reshape(-1))
    pis = [soft(e, r, lam).policy for e in experts]
    logs = [soft(e, r, lam).log_policy() for e in experts]
    for kind in ("policies of r_hat", "arbitrary"):
        if kind == "arbitrary":
            pih = [data.draw(ist.policies(e, full_support=True)) for e in experts]
        else:
            pih = [soft(e, rh, lam).policy for e in experts]
        model = [lam * np.linalg.norm(np.log(p) - lg) for p, lg in zip(pih, logs)]
        b = reward_error_bound(experts, rh, pih, temperature=lam, model_errors=model)
        for i, U in enumerate(rep.classes):
            assert U.distance((rh - r).reshape(-1)) <= b.eps[i] * (1 + 1e-9) + 1e-9
        assert err <= b.bound * (1 + 1e-9) + 1e-9
        th = rep.margin
        assert b.bound <= b.eps[0] + (b.eps[0] + b.eps[1]) / np.sin(th) + 1e-9
    # With exact policies and the true reward up to a constant, the bound is ~0.
    b0 = reward_error_bound(experts, r + 1.5, pis, temperature=lam)
    assert b0.bound <= 1e-6
    del pis


def test_error_bound_input_errors():
    m = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    pi = np.full((2, 2), 0.5)
    with pytest.raises(InvalidMDPError, match="two"):
        reward_error_bound([m], np.zeros((2, 2)), [pi])
    with pytest.raises(InvalidRewardError):
        reward_error_bound([m, m], np.zeros(3), [pi, pi])
    with pytest.raises(InvalidParameterError):
        reward_error_bound([m, m], np.zeros((2, 2)), [pi])
    with pytest.raises(InvalidParameterError):
        reward_error_bound([m, m], np.zeros((2, 2)), [pi, [[1, 0], [0.5, 0.5]]])
    b = reward_error_bound([m, m], np.zeros((2, 2)), [pi, pi])
    assert b.bound == np.inf and b.pair is None     # same expert twice: nothing identified


# ---------------------------------------------------------------------- claim 22
@st.composite
def features_for(draw, S, A):
    d = draw(st.integers(1, 4))
    cols = draw(st.lists(st.lists(st.integers(-2, 2), min_size=S * A, max_size=S * A),
                         min_size=d, max_size=d))
    F = np.array(cols, dtype=np.int64).T
    if draw(st.booleans()):
        F[:, draw(st.integers(0, d - 1))] = 1        # a constant feature
    return F


@settings(max_examples=50)
@given(experts_on(1, 2), st.data(), temperatures)
def test_feature_restriction(experts, data, lam):
    """Claim 22: the class of ``F theta`` is ``F theta + (K ∩ ran F)``; the theta-ambiguity
    is ``ker((I - Pi_K) F)``, of dimension ``dim ker F + dim(K ∩ ran F)``; identified iff
    ``ker F = 0`` and ``K ∩ ran F = 0``, and then ``theta`` is recovered from the policies.

    proofs/feature-restriction.md
    """
    S, A = experts[0].n_states, experts[0].n_actions
    F = data.draw(features_for(S, A))
    rep = feature_identifiability(experts, F)
    K = iterated_intersection(experts)
    assert rep.ambiguity_class.equals(K)
    kerF = Subspace.kernel(F)
    cap = K.intersect(Subspace.span(F))
    assert rep.reward_ambiguity.equals(cap)
    assert rep.dim_theta_ambiguity == kerF.dim + cap.dim
    for j in range(rep.theta_ambiguity.dim):
        assert K.contains_vector(F @ rep.theta_ambiguity.basis[:, j])
    assert rep.identifiable == (kerF.dim == 0 and cap.dim == 0)
    if F.shape[1] and np.all(F == 1, axis=0).any() and kerF.dim == 0:
        assert not rep.identifiable       # 1 in ran F: never exactly identified
    assert rep.identifiable_up_to_constant == Subspace.constants(S * A).contains(cap)
    assert rep.verify_witness(temperature=lam)
    theta = np.array(data.draw(st.lists(st.integers(-3, 3), min_size=F.shape[1],
                                        max_size=F.shape[1])), dtype=float)
    r = (F @ theta).reshape(S, A)
    if rep.witness is not None:
        t2 = as_float(rep.witness[1])
        for e in experts:
            np.testing.assert_allclose(soft(e, r + (F @ t2).reshape(S, A), lam).policy,
                                       soft(e, r, lam).policy, atol=1e-8)
    if rep.identifiable and len(experts) == 1:
        # Exact recovery: the unique theta' with F theta' - lambda log pi in U.
        e = experts[0]
        b = lam * log_policy(e, r, lam).reshape(-1)
        U = consistent_class(e)
        Ff = as_float(F)
        G = Ff - U.project(Ff)
        theta_hat = np.linalg.lstsq(G, b - U.project(b), rcond=None)[0]
        np.testing.assert_allclose(theta_hat, theta, atol=1e-6)
    fl = feature_identifiability([e.to_float() for e in experts], F.astype(float))
    if not fl.uncertain:
        assert fl.dim_theta_ambiguity == rep.dim_theta_ambiguity


def test_feature_restriction_examples_and_errors():
    """Claim 22 regression: a constant feature is invisible (identified only up to a
    constant); a single indicator feature is identified.

    proofs/feature-restriction.md
    """
    m = idf.examples.get("cao2021-example1-v0").replace(gamma="9/10", horizon=None)
    rep = feature_identifiability(m, np.ones((3, 2, 1), dtype=np.int64))
    assert not rep.identifiable and rep.identifiable_up_to_constant
    assert rep.reward_ambiguity.dim == 1 and rep.feature_kernel.dim == 0
    F = np.eye(6, dtype=np.int64)[:, :1]
    assert feature_identifiability(m, F).identifiable
    F2 = np.concatenate([F, F], axis=1)      # duplicated feature: ker F != 0
    rep2 = feature_identifiability(m, F2)
    assert not rep2.identifiable and rep2.feature_kernel.dim == 1
    assert "redundant" in rep2.explain()
    with pytest.raises(InvalidRewardError, match="shape"):
        feature_identifiability(m, np.ones((5, 1)))


def test_multi_expert_uncertain_float_decision_escalates(monkeypatch):
    """Exactness policy: a float decision flagged uncertain is redone exactly when the
    experts are exact, and reported as uncertain otherwise (never a silent guess).

    proofs/multi-expert-rank.md
    """
    from identifiability import infinite

    real = infinite._intersection

    def flagged(experts, exact):
        out = real(experts, exact)
        return out if exact else out[:-1] + (True,)

    monkeypatch.setattr(infinite, "_intersection", flagged)
    swap = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    experts = [swap, swap.replace(gamma="9/10")]
    rep = identify_experts(experts, arithmetic="float")
    assert rep.escalated and rep.exact and not rep.uncertain and rep.identifiable
    assert "redone exactly" in rep.explain()
    fl = identify_experts([e.to_float() for e in experts])
    assert fl.uncertain and not fl.exact and "UNCERTAIN" in fl.explain()


def test_feature_restriction_float_matches_exact_on_constant_feature():
    """Regression (found by hypothesis): proofs/feature-restriction.md.

    One state, two actions, F = [1, 1]^T: the constant feature lies in K = span(1), so
    theta is not identified (dim ambiguity 1) in exact AND float arithmetic.  The float
    residual (I - Pi_K) F is pure rounding noise and must be judged against |F|.
    """
    m = idf.MDP([[[1], [1]]], gamma="1/2")
    F = np.array([[1], [1]])
    exact = idf.infinite.feature_identifiability(m, F)
    flt = idf.infinite.feature_identifiability(m.to_float(), F.astype(float))
    assert exact.dim_theta_ambiguity == flt.dim_theta_ambiguity == 1
    assert not exact.identifiable and not flt.identifiable


def test_cao_thm1_identity_sympy():
    """proofs/cao-thm1-reward-from-policy.md, over generic symbols.

    Two states, two actions, symbolic kernel rows, discount, temperature, policy and
    value: the reward f = lambda log pi + v - gamma P v has soft Q-values
    Q = f + gamma P v = lambda log pi + v, whose soft maximum is v and whose softmax is pi.
    """
    import sympy as sp

    lam, g = sp.symbols("lambda gamma", positive=True)
    p0, p1 = sp.symbols("p0 p1", positive=True)          # pi(a0|s) for s = 0, 1
    v = sp.symbols("v0 v1", real=True)
    q = sp.symbols("q0:4", positive=True)                 # P(s'=0 | s, a) for 4 pairs
    pi = [[p0, 1 - p0], [p1, 1 - p1]]
    P = [[[q[0], 1 - q[0]], [q[1], 1 - q[1]]], [[q[2], 1 - q[2]], [q[3], 1 - q[3]]]]
    for s in range(2):
        Q = []
        for a in range(2):
            Pv = P[s][a][0] * v[0] + P[s][a][1] * v[1]
            f = lam * sp.log(pi[s][a]) + v[s] - g * Pv
            Q.append(f + g * Pv)
        Z = sum(sp.exp(Qa / lam) for Qa in Q)
        V = lam * sp.log(Z)
        assert sp.simplify(sp.expand_log(sp.powsimp(sp.expand(V)), force=True) - v[s]) == 0
        for a in range(2):
            assert sp.simplify(sp.exp((Q[a] - v[s]) / lam) - pi[s][a]) == 0
