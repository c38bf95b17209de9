"""Tests of identifiability.identify: the finite-horizon classes, verdicts and evidence.

Each test is named after the claim it checks and cites ``proofs/<id>.md``.  Claims
marked EMPIRICAL in their proof file are *conjectures*: their tests are named
``test_conjecture_...`` and a failure is a counterexample worth reporting.

Models are drawn with :mod:`identifiability.testing.strategies` (exact rationals, random
deterministic and stochastic kernels, random start sets), horizons 1..6 and
``gamma in {1, 4/5}``.
"""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import identifiability as idf
from identifiability import examples
from identifiability.claims.identify import (  # shared with the theorem registry
    _enumerated_class as enumerated_class,
    _ones as ones,
    _soft_log_policy as soft_log_policy,
    _access as access_mask,
    _single_start_cover,
    _reach_depth,
)
from identifiability.errors import InvalidMDPError, InvalidParameterError
from identifiability.graph import accessible_layers, coverage_time
from identifiability.identify import (
    Certificate,
    IdentifiabilityReport,
    _policy_class_dense,
    gamma_system,
    identify,
    is_identifiable,
    minimal_horizon,
    policy_class,
    potential_system,
    trajectory_classes,
    verify_witness,
)
from identifiability.linalg import Subspace
from identifiability.reference import log_policy_jacobian
from identifiability.testing import strategies as ist

GAMMAS = st.sampled_from([Fraction(1), Fraction(4, 5)])


def models(max_states=4, max_actions=3, max_horizon=6, deterministic=None, initial="random",
           max_support=3):
    return ist.mdps(max_states=max_states, max_actions=max_actions, deterministic=deterministic,
                    horizon=st.integers(1, max_horizon), gamma=GAMMAS, initial=initial,
                    max_support=max_support)


def small_for_enumeration(mdp, limit=3000):
    k = max(len(mdp.successors(s, a)) for s in range(mdp.n_states)
            for a in range(mdp.n_actions))
    return len(mdp.start_states) * (mdp.n_actions * k) ** mdp.horizon <= limit


# ---------------------------------------------------------------------- claim 4
@settings(max_examples=80)
@given(models(), st.integers(0, 2 ** 32 - 1))
def test_gamma_class_exact(mdp, seed):
    """Claim gamma-class-exact (proofs/gamma-class-exact.md): ``r + k``, ``k in K_Gamma``,
    has the same policy on Access; ``ker J = K_Gamma``; a direction outside changes it."""
    rng = np.random.default_rng(seed)
    S, A = mdp.n_states, mdp.n_actions
    K = policy_class(mdp)
    Kf = K.to_float()
    r = rng.normal(size=(S, A))
    lam = float(rng.uniform(0.2, 2.0))
    acc = access_mask(mdp)
    base = soft_log_policy(mdp, r, lam)
    k = (Kf.basis @ rng.normal(size=K.dim)).reshape(S, A) * 3
    assert np.allclose(soft_log_policy(mdp, r + k, lam)[acc], base[acc], atol=1e-8)
    J, _ = log_policy_jacobian(mdp, r, temperature=lam)
    KJ = Subspace.kernel(J, rtol=1e-7)
    assert KJ.dim == K.dim
    assert np.abs(J @ Kf.basis).max() < 1e-6
    if K.dim < S * A:
        out = K.orthogonal_complement().to_float().basis @ rng.normal(size=S * A - K.dim)
        out = out.reshape(S, A) / np.abs(out).max()
        assert np.abs(soft_log_policy(mdp, r + out, lam)[acc] - base[acc]).max() > 1e-6


# ---------------------------------------------------------------------- claim 5
def _realisability_residual(mdp, logpi, lam):
    G = gamma_system(mdp.to_float())
    Gd = G.to_dense()
    xi = np.array([lam * logpi[t, s, a] for _, t, s, a in G.row_labels])
    x, *_ = np.linalg.lstsq(Gd, xi, rcond=None)
    return float(np.abs(Gd @ x - xi).max()), Gd


@settings(max_examples=60)
@given(models(max_horizon=4), st.integers(0, 2 ** 32 - 1))
def test_realisability(mdp, seed):
    """Claim realisability (proofs/realisability.md): the policy of a time-homogeneous
    reward solves ``Gamma x = Xi``; a random time-varying policy typically does not."""
    rng = np.random.default_rng(seed)
    S, A, H = mdp.n_states, mdp.n_actions, mdp.horizon
    lam = float(rng.uniform(0.2, 2.0))
    logpi = soft_log_policy(mdp, rng.normal(size=(S, A)), lam)
    res, Gd = _realisability_residual(mdp, logpi, lam)
    assert res < 1e-8
    # random policies: a.s. outside the image once they have more free parameters than
    # the realisable set (dimension S A - dim K_Gamma)
    free = int(access_mask(mdp).sum()) * (A - 1)
    if free > S * A - policy_class(mdp).dim:
        pi = rng.dirichlet(np.ones(A), size=(H, S))
        res_random, _ = _realisability_residual(mdp, np.log(pi), lam)
        assert res_random > 1e-6


# ---------------------------------------------------------------------- claim 6
@settings(max_examples=150)
@given(models())
def test_class_nesting(mdp):
    """Claim class-nesting (proofs/class-nesting.md): span(1) ⊆ W_Omega ⊆ ∩ W_s0 ⊆ K_Gamma,
    for every kernel and start set."""
    K = policy_class(mdp)
    by_start, inter, shared = trajectory_classes(mdp)
    assert shared.contains(ones(mdp))
    assert inter.contains(shared)
    assert K.contains(inter)
    for W in by_start.values():
        assert W.contains(inter)


# ---------------------------------------------------------------------- claim 7
@settings(max_examples=100)
@given(models(max_horizon=4))
@example(examples.stochastic_fork(horizon=3))
@example(examples.two_state_swap(horizon=2))
def test_potential_system_equals_enumeration(mdp):
    """Claim potential-system-equals-enumeration (proofs/potential-system-equals-enumeration.md):
    the potential system (recursion and explicit) equals the centred kernel of the enumerated
    trajectory features, per start and with one shared constant."""
    assume(small_for_enumeration(mdp))
    by_start, inter, shared = trajectory_classes(mdp)
    by_sys, inter_sys, shared_sys = trajectory_classes(mdp, method="system")
    for s0, W in by_start.items():
        brute = enumerated_class(mdp, [s0])
        assert W.equals(brute), s0
        assert by_sys[s0].equals(brute), s0
    brute_all = enumerated_class(mdp, mdp.start_states)
    assert shared.equals(brute_all) and shared_sys.equals(brute_all)
    assert inter.equals(inter_sys)


# ---------------------------------------------------------------------- claim 8
@settings(max_examples=150)
@given(models(deterministic=True))
def test_deterministic_weak(mdp):
    """Claim deterministic-weak (proofs/deterministic-weak.md): deterministic dynamics give
    K_Gamma = ∩ W_s0 (Kim's weak identifiability), any gamma and start set."""
    K = policy_class(mdp)
    _, inter, _ = trajectory_classes(mdp)
    assert K.equals(inter)
    assert identify(mdp).weak is True


# ---------------------------------------------------------------------- claim 10
@settings(max_examples=150)
@given(models())
@example(examples.stochastic_fork(horizon=2))
def test_terminal_coverage_necessary(mdp):
    """Claim terminal-coverage-necessary (proofs/terminal-coverage-necessary.md): strong
    needs L_H = S; for u not in L_H, (E - gamma P) 1_u is in K_Gamma, and it is not
    constant when u is accessible at some t <= H - 1."""
    H = mdp.horizon
    layers = accessible_layers(mdp)
    K = policy_class(mdp)
    if K.dim == 1:
        assert layers[H].all()
    P = mdp.transitions
    S, A = mdp.n_states, mdp.n_actions
    for u in np.flatnonzero(~layers[H]).tolist():
        k = -mdp.gamma * P[:, :, u]
        k[u, :] += 1
        assert K.contains_vector(k.reshape(-1))
        if layers[:H, u].any():
            assert len(set(k.reshape(-1).tolist())) > 1
    rep = identify(mdp)
    if not layers[H].all():
        assert rep.strong is False


# ---------------------------------------------------------------------- claim 11
@settings(max_examples=120)
@given(models(max_states=5, deterministic=True, max_horizon=1))
def test_coverage_sufficient_deterministic(mdp):
    """Claim coverage-sufficient-deterministic (proofs/coverage-sufficient-deterministic.md):
    deterministic, one start's layers cover S at T, H >= 2T + 1 => strong (checked by the
    linear test, not the quick accept), for gamma = 1 and gamma = 4/5."""
    T, _ = _single_start_cover(mdp)
    assume(T is not None and 2 * T + 1 <= 12)
    for H in (2 * T + 1, 2 * T + 2):
        assert policy_class(mdp, H).dim == 1
        rep = identify(mdp, H)
        assert rep.strong and rep.reason == "coverage"
        assert rep.certificate.verify(mdp)


@settings(max_examples=120)
@given(models(max_states=5, deterministic=True, max_horizon=1))
def test_conjecture_horizon_2T(mdp):
    """EMPIRICAL conjecture conjecture-horizon-2T (proofs/conjecture-horizon-2T.md): the
    doubled horizon H = 2T already suffices (deterministic, single-start coverage at T)."""
    T, _ = _single_start_cover(mdp)
    assume(T is not None and 2 * T <= 12)
    assert policy_class(mdp, 2 * T).dim == 1


def test_union_coverage_does_not_feed_the_quick_accept():
    """Erratum 13.1 (proofs/coverage-sufficient-deterministic.md): union layers of the swap
    cover S at every t >= 1, but no single start does, and the model is never strong."""
    swap = examples.two_state_swap()
    for H in range(1, 9):
        rep = identify(swap, H)
        assert rep.strong is False and rep.reason != "coverage"
        assert rep.dim_policy_class == 2


# ---------------------------------------------------------------------- claim 12
@settings(max_examples=120)
@given(models(max_horizon=1), st.data())
def test_conjecture_monotone_horizon(mdp, data):
    """EMPIRICAL conjecture conjecture-monotone-horizon (proofs/conjecture-monotone-horizon.md):
    strong at H implies strong at H + 1."""
    verdicts = [policy_class(mdp, H).dim == 1 for H in range(1, 8)]
    first = verdicts.index(True) if True in verdicts else None
    if first is not None:
        assert all(verdicts[first:]), verdicts


# ---------------------------------------------------------------------- claim 13
@settings(max_examples=150)
@given(models(deterministic=False, max_support=3))
def test_kernel_P_remark20(mdp):
    """Claim kernel-P-remark20 (proofs/kernel-P-remark20.md): E ker P ⊆ K_Gamma, so
    ker P != 0 rules out strong identifiability."""
    S, A = mdp.n_states, mdp.n_actions
    P = mdp.transitions.reshape(S * A, S)
    ker = Subspace.kernel(P)
    K = policy_class(mdp)
    for j in range(ker.dim):
        x = ker.basis[:, j]
        assert K.contains_vector(np.repeat(x, A))
    if ker.dim:
        rep = identify(mdp)
        assert rep.strong is False
        assert verify_witness(mdp, rep.witness)


def test_kernel_P_quick_reject_on_a_stochastic_model():
    """Claim kernel-P-remark20: a model whose only obstruction is a kernel vector of P."""
    # states 0..2; every state reachable at every time; rows of P span only 2 dimensions
    h = Fraction(1, 2)
    P = [[[h, h, 0], [0, h, h]], [[h, h, 0], [0, h, h]], [[h, h, 0], [0, h, h]]]
    mdp = idf.MDP(P, initial=None, horizon=4)
    rep = identify(mdp)
    assert rep.reason == "kernel-P" and rep.strong is False
    assert verify_witness(mdp, rep.witness)
    assert minimal_horizon(mdp)[0] is None
    assert "Remark 20" in minimal_horizon(mdp)[1]


# ---------------------------------------------------------------------- claim 14
@settings(max_examples=100)
@given(models(max_horizon=1))
def test_cor24_h1_never_strong(mdp):
    """Claim cor24-rank-D (proofs/cor24-rank-D.md), part H = 1: never strong when S >= 2."""
    assume(mdp.n_states >= 2)
    assert policy_class(mdp, 1).dim >= mdp.n_states
    assert identify(mdp, 1).strong is False


@settings(max_examples=100)
@given(models(max_states=4, max_actions=3, initial="uniform", max_horizon=1))
def test_cor24_rank_D(mdp):
    """Claim cor24-rank-D (proofs/cor24-rank-D.md): full access at every t (start support S)
    and rank D = S - 1 give strong identifiability for every H >= 2."""
    S, A = mdp.n_states, mdp.n_actions
    assume(A >= 2)
    layers = accessible_layers(mdp, 6)
    assume(layers.all())
    P = mdp.transitions
    D = np.concatenate([P[:, a, :] - P[:, 0, :] for a in range(1, A)], axis=0)
    assume(idf.linalg.rank(D) == S - 1)
    for H in range(2, 6):
        assert policy_class(mdp, H).dim == 1, H


# ---------------------------------------------------------------------- claim 15
def _closed_walk_lengths(mdp, s0, bound):
    layers = accessible_layers(mdp, bound, start=s0)
    return [t for t in range(1, bound + 1) if layers[t, s0]]


@settings(max_examples=120)
@given(models(max_states=5, deterministic=True, initial="single", max_horizon=1))
def test_cao_cor1_horizons(mdp):
    """Claim cao-cor1-horizons (proofs/cao-cor1-horizons.md): Cao et al. Cor 1 (ii) self-loop
    at s0 and reach within d steps => strong for H >= d + 1; (iii) closed walks of coprime
    lengths R, R' at s0 => strong for H >= d + R R'."""
    (s0,) = mdp.start_states
    d = _reach_depth(mdp, s0)
    assume(d is not None)
    loops = [a for a in range(mdp.n_actions) if mdp.successors(s0, a) == (s0,)]
    checked = False
    if loops:
        for H in (d + 1, d + 2):
            assert policy_class(mdp, H).dim == 1, ("(ii)", d, H)
        checked = True
    lengths = _closed_walk_lengths(mdp, s0, 8)
    pairs = [(R, Q) for R, Q in itertools.combinations(lengths, 2) if math.gcd(R, Q) == 1]
    if pairs:
        R, Q = min(pairs, key=lambda p: p[0] * p[1])
        if d + R * Q <= 14:
            assert policy_class(mdp, d + R * Q).dim == 1, ("(iii)", d, R, Q)
            checked = True
    assume(checked)


# ---------------------------------------------------------------------- claim 23
@settings(max_examples=150)
@given(models())
def test_fast_equals_dense(mdp):
    """Claim fast-equals-dense (proofs/fast-equals-dense.md): the backward recursion gives the
    null space of the dense Gamma system (exact); exact and float dimensions agree."""
    K = policy_class(mdp)
    assert K.equals(_policy_class_dense(mdp))
    Kf = policy_class(mdp, arithmetic="float")
    assert Kf.dim == K.dim and not Kf.uncertain
    assert Kf.equals(K.to_float())
    Kd = _policy_class_dense(mdp.to_float())
    assert Kd.dim == K.dim


@settings(max_examples=100)
@given(models())
def test_fast_equals_dense_float_verdicts(mdp):
    """Claim fast-equals-dense: exact and float paths give the same verdicts and dimensions
    (float MDP, and an exact MDP run in float)."""
    rep = identify(mdp)
    for other in (identify(mdp, arithmetic="float"), identify(mdp.to_float())):
        assert other.verdicts() == rep.verdicts()
        assert (other.dim_policy_class, other.dim_trajectory_class, other.dim_shared_class) == \
            (rep.dim_policy_class, rep.dim_trajectory_class, rep.dim_shared_class)
        if not other.strong:
            assert verify_witness(mdp, other.witness)


# ---------------------------------------------------------------------- claim 24
def _relabel(mdp, ps, pa):
    S, A = mdp.n_states, mdp.n_actions
    P = np.empty((S, A, S), dtype=object)
    P[np.ix_(ps, pa, ps)] = mdp.transitions
    init = np.empty(S, dtype=object)
    init[ps] = mdp.initial
    return idf.MDP(P, init, gamma=mdp.gamma, horizon=mdp.horizon)


@settings(max_examples=100)
@given(models().flatmap(lambda m: st.tuples(st.just(m), ist.permutations_of(m))),
       st.integers(0, 2 ** 32 - 1))
def test_verdict_invariance(args, seed):
    """Claim verdict-invariance (proofs/verdict-invariance.md): verdicts and dimensions do not
    change when states and actions are relabelled; the witness works for any reward and
    temperature."""
    mdp, (ps, pa) = args
    rep = identify(mdp)
    new = identify(_relabel(mdp, ps, pa))
    assert new.verdicts() == rep.verdicts()
    assert (new.dim_policy_class, new.dim_trajectory_class, new.dim_shared_class) == \
        (rep.dim_policy_class, rep.dim_trajectory_class, rep.dim_shared_class)
    if rep.witness is not None:
        rng = np.random.default_rng(seed)
        k = np.array((rep.witness[1] - rep.witness[0]).tolist(), dtype=float)
        r = rng.normal(size=k.shape)
        lam = float(rng.uniform(0.2, 2.0))
        assert verify_witness(mdp, (r, r + k), temperature=lam)


# ---------------------------------------------------------------------- reports
@settings(max_examples=150)
@given(models())
def test_report_is_consistent_and_its_evidence_checks(mdp):
    """Every report: verdicts follow the subspaces; witnesses recompute (verify_witness);
    certificates re-check (Certificate.verify)."""
    rep = identify(mdp)
    K = policy_class(mdp)
    _, inter, shared = trajectory_classes(mdp)
    assert rep.strong == (K.dim == 1)
    assert rep.weak == K.equals(inter)
    assert rep.almost_strong == K.equals(shared)
    assert rep.dim_policy_class == K.dim
    assert rep.dim_trajectory_class == inter.dim and rep.dim_shared_class == shared.dim
    if rep.strong:
        assert rep.witness is None and rep.certificate is not None
    else:
        assert verify_witness(mdp, rep.witness)
        k = (rep.witness[1] - rep.witness[0]).reshape(-1)
        assert K.contains_vector(k)
        if rep.weak is False:
            assert not inter.contains_vector(k)
        elif rep.almost_strong is False:
            assert not shared.contains_vector(k)
    if rep.weak:
        assert rep.certificate.verify(mdp)
    else:
        assert rep.certificate is None
    assert rep.explain()
    assert is_identifiable(mdp) == rep.strong
    assert is_identifiable(mdp, notion="weak") == rep.weak


def test_certificates_catch_a_wrong_model():
    """A certificate is evidence about one model: it fails on another."""
    cao = examples.cao2021_example1()
    rank = identify(cao, 5).certificate
    assert rank.kind == "rank" and rank.verify(cao)
    with pytest.raises(AssertionError):
        rank.verify(cao.replace(gamma="1/2", horizon=5).replace(initial=[0, 1, 0]))
    pot = identify(cao, 4).certificate
    assert pot.kind == "potentials" and pot.verify(cao)
    with pytest.raises(AssertionError):
        pot.verify(cao.replace(gamma="1/2"))
    cov = identify(cao, 7).certificate
    assert cov.kind == "coverage" and cov.verify(cao)
    with pytest.raises(AssertionError):
        cov.verify(examples.two_state_swap())


def test_verify_witness_rejects_bad_witnesses():
    cao = examples.cao2021_example1()
    rep = identify(cao, 4)
    r1, r2 = rep.witness
    assert verify_witness(cao, rep.witness, 4)
    assert not verify_witness(cao, (r1, r2), 5)          # strong at H = 5: no witness exists
    assert not verify_witness(cao, (r1, r1 + Fraction(3)), 4)      # constant shift
    bump = np.array(r1, dtype=float)
    bump[1, 0] = 1.0
    assert not verify_witness(cao, (r1, bump), 4)        # changes the policy


def test_to_json_round_trips_the_verdicts():
    import json

    rep = identify(examples.stochastic_fork(), 2)
    d = json.loads(rep.to_json())
    assert (d["weak"], d["almost_strong"], d["strong"]) == (False, False, False)
    assert d["dim_policy_class"] == 3 and d["reason"] == rep.reason
    assert d["witness"]["r2"] == [[str(x) for x in row] for row in rep.witness[1].tolist()]
    assert isinstance(rep, IdentifiabilityReport) and "Not strongly" in d["explanation"]


# ---------------------------------------------------------------------- worked cases (§9)
@pytest.mark.parametrize("A", [1, 2, 3, 4])
def test_E1_bandit_strong_for_all_horizons(A):
    """Worked case E1 (theory note §9): the repeated bandit is strong for every H."""
    for H in range(1, 7):
        rep = identify(examples.bandit(A), H)
        assert rep.strong and rep.weak and rep.almost_strong, H
        assert rep.certificate.verify(examples.bandit(A))


def test_E4_cao_example1_dimensions_gamma_one():
    """Worked case E4 (theory note §9): dim K_Gamma = 5, 3, 2, 2, 1, 1 for H = 1..6, gamma = 1;
    minimal strong horizon 5 (Cao's sufficient bound is 7)."""
    cao = examples.cao2021_example1()
    assert [policy_class(cao, H).dim for H in range(1, 7)] == [5, 3, 2, 2, 1, 1]
    assert [identify(cao, H).strong for H in range(1, 7)] == [False] * 4 + [True] * 2
    assert minimal_horizon(cao)[0] == 5
    assert coverage_time(cao) == 3


@pytest.mark.parametrize("gamma", ["1/10", "1/2", "4/5", "99/100"])
def test_E4_cao_example1_dimensions_gamma_below_one(gamma):
    """Erratum 13.2: for gamma < 1 the dimensions are 5, 3, 2, 1, 1, 1 (minimal horizon 4)."""
    cao = examples.cao2021_example1(gamma=gamma)
    assert [policy_class(cao, H).dim for H in range(1, 7)] == [5, 3, 2, 1, 1, 1]
    assert minimal_horizon(cao)[0] == 4


def test_E6_stochastic_fork():
    """Worked case E6 (theory note §9): dim K = 3; H = 1 weak; H >= 2 neither weak nor
    almost-strong."""
    fork = examples.stochastic_fork()
    for H in range(1, 6):
        rep = identify(fork, H)
        assert rep.dim_policy_class == 3 and rep.strong is False
        assert rep.weak is (H == 1) and rep.almost_strong is (H == 1), H
        assert verify_witness(fork, rep.witness, H)


def test_E12_complete_two_state_graph_weak_not_almost_strong():
    """Worked case E12 (theory note §3.6): the complete 2-state graph, starts {0, 1}, H = 1,
    is weakly but not almost-strongly identifiable (the start constants differ)."""
    complete = idf.MDP([[[1, 0], [0, 1]], [[1, 0], [0, 1]]], initial=["1/2", "1/2"], horizon=1)
    rep = identify(complete)
    assert (rep.weak, rep.almost_strong, rep.strong) == (True, False, False)
    k = (rep.witness[1] - rep.witness[0]).reshape(-1)
    assert rep.trajectory_class.contains_vector(k) and not rep.shared_class.contains_vector(k)
    assert verify_witness(complete, rep.witness)


def test_two_state_swap_never_strong():
    """The swap with both states as starts (theory note §13, erratum 1) is never strong."""
    swap = examples.two_state_swap()
    for H in range(1, 9):
        assert identify(swap, H).strong is False
    H, why = minimal_horizon(swap, max_horizon=10)
    assert H is None and "no proof for larger H" in why


@pytest.mark.parametrize("n", [3, 4, 5])
def test_conjecture_wielandt_minimal_horizon(n):
    """EMPIRICAL (theory note §3.4(3)): the Wielandt graph has H_min = T_cov + n - 1 with
    T_cov = (n-1)^2 + 1 (gamma = 1)."""
    w = examples.wielandt(n)
    T = (n - 1) ** 2 + 1
    assert coverage_time(w) == T
    assert minimal_horizon(w)[0] == T + n - 1


# ---------------------------------------------------------------------- systems and errors
def test_gamma_and_potential_systems_have_the_documented_shape():
    cao = examples.cao2021_example1()
    G = gamma_system(cao, 3)
    layers = accessible_layers(cao, 3)
    nodes = int(layers[:3].sum())
    assert G.shape == (2 * nodes, 6 + nodes)
    assert G.col_labels[:6] == tuple(("r", s, a) for s in range(3) for a in range(2))
    Z = potential_system(cao, 3)
    assert Z.shape[1] == 6 + int(layers.sum())
    assert Subspace.span(Z.kernel().basis[:6].copy()).equals(trajectory_classes(cao, 3)[2])
    with pytest.raises(InvalidParameterError):
        gamma_system(cao, 3, start_time=3)


def test_bad_arguments_raise_typed_errors():
    cao = examples.cao2021_example1()
    with pytest.raises(InvalidMDPError):
        identify(cao.replace(gamma="1/2", horizon=None))
    with pytest.raises(InvalidParameterError):
        identify(cao.replace(gamma=0))
    with pytest.raises(InvalidParameterError):
        identify(cao.to_float(), arithmetic="exact")
    with pytest.raises(InvalidParameterError):
        identify(cao, arithmetic="symbolic")
    with pytest.raises(InvalidParameterError):
        is_identifiable(cao, notion="very")
    with pytest.raises(InvalidParameterError):
        trajectory_classes(cao, method="enumerate")


def test_float_path_reports_uncertain_rank_decisions():
    """A float model whose rank decision sits near the tolerance gives None verdicts with
    reason "uncertain" instead of a guess; its exact twin is decided, and an exact model run
    in float escalates to exact arithmetic."""
    eps = 1e-9      # two action rows differ by eps: a singular value ~ eps, near the tolerance
    P = np.array([[[0.5, 0.5], [0.5 + eps, 0.5 - eps]], [[0.5, 0.5], [0.5, 0.5]]])
    rep = identify(idf.MDP(P, horizon=3))
    assert rep.reason == "uncertain" and rep.strong is None and rep.weak is None
    assert "Undecided" in rep.explain()
    h, e = Fraction(1, 2), Fraction(1, 10 ** 9)
    exact = idf.MDP([[[h, h], [h + e, h - e]], [[h, h], [h, h]]], horizon=3)
    assert identify(exact).strong is True
    esc = identify(exact, arithmetic="float")
    assert esc.strong is True and esc.arithmetic == "exact (escalated from float)"
    assert identify(idf.MDP(P.round(3), horizon=3)).reason != "uncertain"


@pytest.mark.slow
@settings(max_examples=500)
@given(models(max_states=5, max_horizon=8))
def test_sweep_fast_equals_dense_and_nesting(mdp):
    """Long sweep (--runslow): claims fast-equals-dense and class-nesting on bigger models."""
    K = policy_class(mdp)
    assert K.equals(_policy_class_dense(mdp))
    _, inter, shared = trajectory_classes(mdp)
    assert K.contains(inter) and inter.contains(shared)


def test_minimal_horizon_reports_the_bracket_when_capped():
    """minimal_horizon never relies on monotonicity; below a quick-accept horizon it brackets."""
    cao = examples.cao2021_example1()
    H, why = minimal_horizon(cao, max_horizon=4)
    assert H is None and "lies in 5..7" in why          # T(s0) = 3: 2T + 1 = 7 is strong
    assert minimal_horizon(cao, max_horizon=5)[0] == 5
    assert minimal_horizon(examples.bandit(3))[0] == 1
    fork_H, fork_why = minimal_horizon(examples.stochastic_fork())
    assert fork_H is None and fork_why.startswith("never")
