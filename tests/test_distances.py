"""Reward distances and canonicalisations (identifiability.distances).

Each claim test cites ``proofs/<id>.md``.  The oracles are independent of the fast code:

* the defining expectations of EPIC and DARD (``reference.epic_canonical_naive``, a triple
  loop, and ``reference.dard_canonical_naive``, the 5-D tensor of the STARC code);
* iterative policy evaluation written here for VAL, and ``behaviour.policy_evaluation``;
* a dense basis of ``N`` (shaping columns plus the null space of every row ``P(. | s, a)``)
  built here from ``mdp.transitions``, with ``linalg.Subspace`` (exact) or a weighted
  ``numpy.linalg.lstsq`` (float) projections for the minimal canonicalisation;
* ``equivalence.ambiguity(mdp, "mce")`` to decide whether two rewards are equivalent;
* the numbers of §6 of the theory note (Cases A and B), each also recomputed here.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import identifiability as idf
from identifiability import distances as D
from identifiability import linalg, reference
from identifiability.behaviour import optimal_actions, policy_evaluation
from identifiability.claims.distances import (  # shared with the theorem registry
    _generic as generic,
    _canon as canon,
    _dense_N_basis as dense_N_basis,
    _iterative_advantage as iterative_advantage,
    _case_a as case_a,
    _case_b as case_b,
    _quiet as quiet,
)
from identifiability.claims.transforms import _as_float as fl
from identifiability.equivalence import ambiguity
from identifiability.errors import (
    InvalidMDPError,
    InvalidParameterError,
    InvalidPolicyError,
    InvalidRewardError,
    UnreachableStatesWarning,
)
from identifiability.linalg import Subspace
from identifiability.reward import broadcast_reward, expected_reward
from identifiability.testing import strategies as ist
from identifiability.transforms import PotentialShaping, SPrimeRedistribution

seeds = st.integers(0, 2 ** 32 - 1)
infinite_mdps = ist.mdps(horizon=st.none(), max_states=4, max_actions=3)
STARC = ("val", "minimal")
NORMS = (1, 2, math.inf)


# ---------------------------------------------------------------------- helpers
def shaping(mdp, phi):
    g = mdp.gamma
    phi = np.asarray(phi)
    return g * phi[None, None, :] - phi[:, None, None]


# ---------------------------------------------------------------------- note §6, Case A
def test_case_a_numbers():
    """Case A of note §6: EPIC canonical form, VAL advantage, minimal-L2 Phi* and entries,
    d(R, -R) = 1 (our scale), EPIC(R, -R) = 1, shaping gives 0, R + 1 = shaping by -10.

    proofs/distance-note-cases.md
    """
    mdp, R = case_a()
    C = D.epic_canonical(R, mdp)
    note = np.array([[[-0.1375, -0.3625], [-0.1375, 0.6375]],
                     [[0.1125, -0.1125], [0.1125, -0.1125]]])
    np.testing.assert_allclose(fl(C), note, atol=5e-5)
    assert C.tolist() == reference.epic_canonical_naive(R, mdp).tolist()
    # VAL: V^unif = (2.75, 2.25) and the advantage table
    pi = np.full((2, 2), Fraction(1, 2), dtype=object)
    V = policy_evaluation(mdp, R, pi)
    assert V.tolist() == [Fraction(11, 4), Fraction(9, 4)]
    c = D.val_canonical(R, mdp)
    assert c.tolist() == [[Fraction(-11, 40), Fraction(11, 40)], [Fraction(-9, 40), Fraction(9, 40)]]
    np.testing.assert_allclose(fl(c), [[-0.275, 0.275], [-0.225, 0.225]], atol=1e-12)
    # minimal L2: Phi* and the four nonzero entries
    m, phi = D.minimal_canonical(R, mdp, return_potential=True)
    np.testing.assert_allclose(fl(phi), [2.7624, 2.2376], atol=5e-5)
    nz = {(0, 0, 0): -0.2762, (0, 1, 1): 0.2514, (1, 0, 1): -0.2238, (1, 1, 0): 0.2486}
    for (s, a, sn), v in nz.items():
        assert abs(float(m[s, a, sn]) - v) < 5e-5
    assert sum(1 for x in m.reshape(-1).tolist() if x != 0) == 4
    assert ambiguity(mdp, "mce").canonical(R).tolist() == m.tolist()
    # distances
    for method in STARC:
        assert D.starc_distance(R, -R, mdp, method) == 1.0
        assert D.starc_distance(R, 0 * R, mdp, method) == 0.5
    assert D.epic_distance(R, -R, mdp) == 1.0
    shaped = PotentialShaping([3, -1]).apply(R, mdp)
    assert D.epic_distance(R, shaped, mdp) == 0.0
    assert D.starc_distance(R, shaped, mdp) == 0.0
    Rf = fl(R)
    shaped_f = fl(shaped)
    assert D.epic_distance(Rf, shaped_f, mdp) <= 1e-15
    assert D.starc_distance(Rf, shaped_f, mdp.to_float()) <= 1e-15
    assert (R + 1).tolist() == (R + shaping(mdp, [Fraction(-10)] * 2)).tolist()


# ---------------------------------------------------------------------- note §6, Case B
def test_case_b_numbers():
    """Case B of note §6: S'R makes EPIC 0.503 and DARD 0.370 although Q and the policies
    agree; STARC-VAL is 0 (exactly).

    proofs/distance-note-cases.md
    """
    mdp, Rb, Z = case_b()
    pi = np.ones((3, 1), dtype=np.int64)
    assert policy_evaluation(mdp, Rb, pi).tolist() == policy_evaluation(mdp, Z, pi).tolist()
    assert expected_reward(mdp, Rb).tolist() == expected_reward(mdp, Z).tolist()
    assert round(D.epic_distance(Rb, Z, mdp), 3) == 0.503
    assert round(D.dard_distance(Rb, Z, mdp), 3) == 0.370
    for method in STARC:
        assert D.starc_distance(Rb, Z, mdp, method) == 0.0
    # the same numbers from the reference canonical forms and a textbook Pearson rho
    for naive, value in ((reference.epic_canonical_naive, 0.503),
                         (reference.dard_canonical_naive, 0.370)):
        x, y = fl(naive(Rb, mdp)).ravel(), fl(naive(Z, mdp)).ravel()
        rho = np.corrcoef(x, y)[0, 1]
        assert round(math.sqrt((1 - rho) / 2), 3) == value
    # without the extra signal C(0) = 0: no NaN, the documented convention (1/2, 0)
    zero = 0 * Z
    assert D.epic_distance(zero, Z, mdp) == 0.5
    assert D.epic_distance(zero, zero, mdp) == 0.0
    assert D.epic_distance(fl(zero), fl(zero), mdp) == 0.0


# ---------------------------------------------------------------------- Case D: unreachable
def unreachable_mdp():
    """States 0, 1 are closed and hold the initial mass; 2, 3 are unreachable."""
    P = np.zeros((4, 2, 4), dtype=object)
    P[...] = Fraction(0)
    P[0, 0, 0] = P[0, 1, 1] = P[1, 0, 1] = P[1, 1, 0] = Fraction(1)
    P[2, 0, 3] = P[2, 1, 0] = P[3, 0, 2] = Fraction(1)
    P[3, 1, 0] = P[3, 1, 3] = Fraction(1, 2)
    return idf.MDP(P, initial=[1, 0, 0, 0], gamma="9/10")


def test_case_d_unreachable_mask():
    """Rewards that differ only at unreachable states have identical returns for all 16
    deterministic policies; unmasked STARC-VAL is large, masked it is 0 with a warning;
    'raise' refuses; masked VAL is the whole-MDP advantage restricted to reachable states.

    proofs/starc-unreachable-mask.md
    """
    mdp = unreachable_mdp()
    rng = np.random.default_rng(4)
    R1 = generic(rng, (4, 2, 4))
    R2 = R1.copy()
    R2[2:] = -50 * R1[2:]
    for k in range(16):
        choice = [(k >> i) & 1 for i in range(4)]
        pi = np.eye(2, dtype=np.int64)[choice]
        J1, J2 = (policy_evaluation(mdp, R, pi)[0] for R in (R1, R2))
        assert J1 == J2
    unmasked = D.starc_distance(R1, R2, mdp, unreachable="ignore")
    assert unmasked > 0.3
    with pytest.warns(UnreachableStatesWarning, match="2, 3"):
        assert D.starc_distance(R1, R2, mdp) == 0.0
    for method in STARC:
        with pytest.warns(UnreachableStatesWarning):
            assert D.starc_distance(R1, R2, mdp, method) == 0.0
    with pytest.raises(InvalidMDPError, match="unreachable"):
        D.starc_distance(R1, R2, mdp, unreachable="raise")
    with pytest.warns(UnreachableStatesWarning):
        M = D.pairwise_distances([R1, R2, -R1], mdp)
    assert M[0, 1] == 0.0 and M[0, 2] == 1.0
    # masked VAL = restriction of the whole-MDP advantage (which ignores states 2, 3)
    c = D.val_canonical(R1, mdp)
    R3 = R1.copy()
    R3[:2] = generic(rng, (2, 2, 4))
    with pytest.warns(UnreachableStatesWarning):
        d_masked = D.starc_distance(R1, R3, mdp)
    c3 = D.val_canonical(R3, mdp)
    u, v = fl(c[:2]), fl(c3[:2])
    expect = 0.5 * np.linalg.norm(u / np.linalg.norm(u) - v / np.linalg.norm(v))
    assert d_masked == pytest.approx(expect, rel=1e-12)


# ---------------------------------------------------------------------- Case F: impossible
def test_case_f_epic_reads_impossible_transitions():
    """A 6 x 3 MDP with mostly impossible transitions: changing R only there (by -k C(R))
    keeps the optimal sets and STARC-VAL = 0 exactly, while EPIC grows towards 1; EPIC
    restricted to a coverage on possible transitions is still positive.

    proofs/epic-not-sprime-invariant.md
    """
    mdp = idf.examples.get("random-v0", n_states=6, n_actions=3, support=2, seed=11)
    possible = np.asarray(mdp.support)
    assert (~possible).mean() > 0.6
    R = generic(np.random.default_rng(5), (6, 3, 6))
    C = D.epic_canonical(R, mdp)
    epics = []
    for k in (1, 10, 100):
        R2 = R.copy()
        R2[~possible] = R[~possible] - k * C[~possible]
        assert optimal_actions(mdp, R2).tolist() == optimal_actions(mdp, R).tolist()
        assert D.starc_distance(R, R2, mdp) == 0.0
        assert D.starc_distance(R, R2, mdp, "minimal") == 0.0
        epics.append(D.epic_distance(R, R2, mdp))
    assert epics[0] > 0.2 and epics[0] < epics[1] < epics[2] and epics[2] > 0.9
    cov = fl(possible) / possible.sum()
    assert D.epic_distance(R, R2, mdp, coverage=cov) > 0.2


# ---------------------------------------------------------------------- invariances
@settings(max_examples=30)
@given(mdp=infinite_mdps, data=st.data())
def test_canonicalisation_invariance(mdp, data):
    """VAL and minimal are invariant to shaping + S'R (exactly), EPIC and DARD to shaping;
    all four are linear; EPIC, VAL and minimal are idempotent; R - c(R) is in N for VAL and
    minimal; VAL's output has pi-mean zero in every state.

    proofs/canonicalisation-invariance.md
    """
    rng = np.random.default_rng(data.draw(seeds))
    R = data.draw(ist.rewards(mdp, exact=True))
    R2 = data.draw(ist.rewards(mdp, exact=True))
    a = data.draw(st.fractions(-3, 3, max_denominator=5))
    b = data.draw(st.fractions(-3, 3, max_denominator=5))
    phi = data.draw(ist.potentials(mdp, exact=True))
    sh = PotentialShaping(phi).apply(R, mdp)
    both = SPrimeRedistribution.sample(mdp, rng).apply(sh, mdp)
    N = ambiguity(mdp, "mce")
    for method in ("val", "minimal", "epic", "dard"):
        c = canon(mdp, R, method)
        assert c.dtype == object
        assert canon(mdp, sh, method).tolist() == c.tolist()
        lin = canon(mdp, a * broadcast_reward(R, mdp) + b * broadcast_reward(R2, mdp), method)
        assert lin.tolist() == (a * c + b * canon(mdp, R2, method)).tolist()
        if method != "dard":
            assert canon(mdp, c, method).tolist() == c.tolist()
        if method in STARC:
            assert canon(mdp, both, method).tolist() == c.tolist()
            assert N.contains(broadcast_reward(R, mdp) - c)
    v = D.val_canonical(R, mdp)
    assert all(x == 0 for x in v.sum(axis=1).tolist())          # uniform pi-mean zero
    pi = np.full((mdp.n_states, mdp.n_actions), Fraction(1, mdp.n_actions), dtype=object)
    if mdp.n_actions > 1:
        pi[:, 0] += Fraction(1, 3 * mdp.n_actions)
        pi[:, 1] -= Fraction(1, 3 * mdp.n_actions)
    vp = D.val_canonical(R, mdp, policy=pi)
    assert all(x == 0 for x in (pi * vp).sum(axis=1).tolist())
    assert D.val_canonical(both, mdp, policy=pi).tolist() == vp.tolist()


@settings(max_examples=25)
@given(mdp=infinite_mdps, data=st.data())
def test_canonical_kernel_is_N(mdp, data):
    """c(R) = 0 iff R in N (ambiguity(mdp, 'mce').contains) for VAL and minimal; members of
    N sampled from the class map to 0.

    proofs/canonicalisation-invariance.md
    """
    rng = np.random.default_rng(data.draw(seeds))
    R = data.draw(ist.rewards(mdp, exact=True))
    N = ambiguity(mdp, "mce")
    member = N.sample(np.zeros((mdp.n_states, mdp.n_actions, mdp.n_states), dtype=np.int64), rng)
    for method in STARC:
        c = canon(mdp, R, method)
        assert N.contains(R) == all(x == 0 for x in c.reshape(-1).tolist())
        assert all(x == 0 for x in canon(mdp, member, method).reshape(-1).tolist())


@settings(max_examples=15)
@given(mdp=ist.mdps(horizon=st.none(), min_states=1, max_states=3, max_actions=3))
def test_image_dimension(mdp):
    """dim Im(c) = S (A - 1) for VAL and minimal: exact rank of the canonicalisation matrix
    (claim 17); hence dim N = S + S A (S - 1).

    proofs/canonicalisation-invariance.md
    """
    S, A = mdp.n_states, mdp.n_actions
    n = S * A * S
    eye = np.eye(n, dtype=np.int64)
    for method in STARC:
        cols = np.stack([canon(mdp, eye[i].reshape(S, A, S), method).reshape(-1)
                         for i in range(n)], axis=1)
        assert linalg.rank(cols) == S * (A - 1)
    assert ambiguity(mdp, "mce").dim == S + S * A * (S - 1)


def test_epic_dard_not_sprime_invariant():
    """EPIC and DARD see S'-redistribution (Case B, and a random stochastic MDP), while
    STARC does not; both remove shaping.

    proofs/epic-not-sprime-invariant.md
    """
    mdp = idf.examples.get("random-v0", n_states=5, n_actions=2, support=3, seed=2)
    rng = np.random.default_rng(1)
    R = generic(rng, (5, 2, 5))
    R2 = SPrimeRedistribution.sample(mdp, rng).apply(R, mdp)
    assert D.epic_canonical(R2, mdp).tolist() != D.epic_canonical(R, mdp).tolist()
    assert D.dard_canonical(R2, mdp).tolist() != D.dard_canonical(R, mdp).tolist()
    assert D.epic_distance(R, R2, mdp) > 0.05
    assert D.dard_distance(R, R2, mdp) > 0.05
    assert D.starc_distance(R, R2, mdp) == 0.0
    phi = generic(rng, (5,))
    sh = PotentialShaping(phi).apply(R, mdp)
    assert D.epic_distance(R, sh, mdp) == 0.0 and D.dard_distance(R, sh, mdp) == 0.0


def test_dard_not_idempotent():
    """DARD is not idempotent: on Case A, C_T(C_T(R)) != C_T(R) (exactly), and on a random
    stochastic MDP by a wide margin.

    proofs/dard-not-idempotent.md
    """
    mdp, R = case_a()
    C = D.dard_canonical(R, mdp)
    CC = D.dard_canonical(C, mdp)
    assert CC.tolist() != C.tolist()
    assert reference.dard_canonical_naive(C, mdp).tolist() == CC.tolist()
    m = idf.examples.get("random-v0", n_states=5, n_actions=3, support=2, seed=0, exact=False)
    Rf = np.random.default_rng(0).normal(size=(5, 3, 5))
    C = D.dard_canonical(Rf, m)
    assert np.abs(D.dard_canonical(C, m) - C).max() > 0.1


# ---------------------------------------------------------------------- closed forms
@settings(max_examples=30)
@given(mdp=infinite_mdps, data=st.data())
def test_minimal_closed_form_vs_generic_projection(mdp, data):
    """Unit weights: the closed form equals the exact orthogonal projection onto N^perp
    (Subspace of an explicit basis) and RewardClass.canonical.  Random positive weights:
    it equals the W-orthogonal projection by dense weighted least squares, is zero on
    impossible transitions, and no member of the class has a smaller weighted norm.

    proofs/minimal-l2-closed-form.md
    """
    rng = np.random.default_rng(data.draw(seeds))
    S, A = mdp.n_states, mdp.n_actions
    R = data.draw(ist.rewards(mdp, exact=True))
    Rs = broadcast_reward(R, mdp)
    c = D.minimal_canonical(R, mdp)
    B = Subspace.span(dense_N_basis(mdp))
    x = Rs.reshape(-1)
    assert (x - B.project(x)).tolist() == c.reshape(-1).tolist()
    assert ambiguity(mdp, "mce").canonical(R).tolist() == c.tolist()
    W = rng.uniform(0.2, 5.0, size=(S, A, S))
    cw = D.minimal_canonical(fl(R), mdp, weights=W)
    Bf = fl(dense_N_basis(mdp))
    sw = np.sqrt(W.reshape(-1))
    coef = np.linalg.lstsq(sw[:, None] * Bf, sw * fl(x), rcond=None)[0]
    np.testing.assert_allclose(cw.reshape(-1), fl(x) - Bf @ coef, atol=1e-9, rtol=1e-9)
    assert np.all(cw[~np.asarray(mdp.support)] == 0)
    n0 = D.reward_norm(cw, weights=W)
    for _ in range(3):
        other = fl(x) + Bf @ rng.normal(size=Bf.shape[1])
        assert n0 <= D.reward_norm(other.reshape(S, A, S), weights=W) * (1 + 1e-12)


@settings(max_examples=20)
@given(mdp=ist.mdps(horizon=st.none(), max_states=4, max_actions=3, exact=st.booleans()),
       data=st.data())
def test_epic_dard_closed_forms_match_definitions(mdp, data):
    """EPIC's closed form equals the triple loop of its definition, the efficient DARD the
    naive 5-D tensor (sparse and dense paths, every reward shape, random D_S, D_A); VAL's
    linear solve equals iterative policy evaluation (claim 25).

    proofs/epic-dard-closed-forms.md
    """
    S, A = mdp.n_states, mdp.n_actions
    R = data.draw(ist.rewards(mdp, exact=mdp.is_exact))
    ds = data.draw(ist.distributions(S, exact=mdp.is_exact))
    da = data.draw(ist.distributions(A, exact=mdp.is_exact))
    if mdp.is_exact:
        assert D.epic_canonical(R, mdp, state_dist=ds, action_dist=da).tolist() == \
            reference.epic_canonical_naive(R, mdp, ds, da).tolist()
        assert D.dard_canonical(R, mdp, action_dist=da).tolist() == \
            reference.dard_canonical_naive(R, mdp, da).tolist()
    else:
        np.testing.assert_allclose(D.epic_canonical(R, mdp, state_dist=ds, action_dist=da),
                                   reference.epic_canonical_naive(R, mdp, ds, da),
                                   atol=1e-10)
        np.testing.assert_allclose(D.dard_canonical(R, mdp, action_dist=da),
                                   reference.dard_canonical_naive(R, mdp, da), atol=1e-10)
    pi = fl(data.draw(ist.policies(mdp)))
    np.testing.assert_allclose(fl(D.val_canonical(fl(R), mdp, policy=pi)),
                               iterative_advantage(mdp, R, pi), atol=1e-8)


def test_dard_dense_and_sparse_paths_agree():
    """The BLAS path (dense MDP) and the gather path (sparse MDP) both match the naive DARD.

    proofs/epic-dard-closed-forms.md
    """
    rng = np.random.default_rng(3)
    for support in (1, 2, 7):
        mdp = idf.examples.get("random-v0", n_states=7, n_actions=2, support=support, seed=3,
                               exact=False, denominator=7)
        for shape in ((7,), (7, 2), (7, 2, 7)):
            R = rng.normal(size=shape)
            np.testing.assert_allclose(D.dard_canonical(R, mdp),
                                       reference.dard_canonical_naive(R, mdp), atol=1e-12)


def test_exact_input_gives_fractions():
    """Exact MDP and reward: every canonical form is an object array of Fractions; a float
    reward (or distribution) gives float64; distances are Python floats.

    proofs/canonicalisation-invariance.md
    """
    mdp, R = case_a()
    for method in ("val", "minimal", "epic", "dard", "none"):
        c = D.canonicalize(R, mdp, method)
        assert c.dtype == object and all(isinstance(x, Fraction) for x in c.reshape(-1).tolist())
        assert D.canonicalize(fl(R), mdp, method).dtype == np.float64
    assert D.epic_canonical(R, mdp, state_dist=[0.5, 0.5]).dtype == np.float64
    assert D.minimal_canonical(R, mdp, weights=[1, 2]).dtype == object
    assert type(D.starc_distance(R, R, mdp)) is float


# ---------------------------------------------------------------------- distances
def all_distances(mdp, R1, R2, **kw):
    out = {}
    for method in STARC + ("epic", "dard", "none"):
        for norm in NORMS:
            out[("starc", method, norm)] = quiet(D.starc_distance, R1, R2, mdp, method, norm)
    out[("epic",)] = D.epic_distance(R1, R2, mdp)
    out[("dard",)] = D.dard_distance(R1, R2, mdp)
    return out


@settings(max_examples=25)
@given(mdp=infinite_mdps, data=st.data())
def test_pseudometric_laws(mdp, data):
    """Symmetry, zero diagonal, range [0, 1] and the triangle inequality on random triples for
    every STARC variant (val, minimal, epic, dard, none x L1, L2, Linf), EPIC and DARD.

    proofs/distance-pseudometric.md
    """
    rew = ist.rewards(mdp, exact=data.draw(st.booleans()))
    R1, R2, R3 = data.draw(rew), data.draw(rew), data.draw(rew)
    d12, d21 = all_distances(mdp, R1, R2), all_distances(mdp, R2, R1)
    d13, d23 = all_distances(mdp, R1, R3), all_distances(mdp, R2, R3)
    d11 = all_distances(mdp, R1, R1)
    for key in d12:
        assert d12[key] == pytest.approx(d21[key], abs=1e-12), key
        assert d11[key] <= 1e-12, key
        assert 0.0 <= d12[key] <= 1.0
        assert d13[key] <= d12[key] + d23[key] + 1e-12, key


@settings(max_examples=12)
@given(mdp=infinite_mdps, data=st.data())
@example(mdp=idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10"), data=None)
def test_zero_iff_equivalent(mdp, data):
    """Distance 0 for equivalent rewards: PLS (shaping + S'R) for STARC-VAL / minimal (any
    norm), PLS shaping for EPIC and DARD; for generic non-equivalent rewards (decided by
    ambiguity(mdp, 'mce').contains) every STARC distance is positive; d(R, -R) = 1.

    proofs/distance-pseudometric.md
    """
    seed = data.draw(seeds) if data is not None else 0
    rng = np.random.default_rng(seed)
    S, A = mdp.n_states, mdp.n_actions
    R = generic(rng, (S, A, S))
    k = Fraction(int(rng.integers(1, 20)), int(rng.integers(1, 20)))
    sh = k * PotentialShaping(generic(rng, (S,))).apply(R, mdp)
    both = SPrimeRedistribution.sample(mdp, rng).apply(sh, mdp)
    N = ambiguity(mdp, "mce")
    for method in STARC:
        for norm in NORMS:
            assert quiet(D.starc_distance, R, both, mdp, method, norm) == 0.0
            assert quiet(D.starc_distance, fl(R), fl(both), mdp, method, norm) < 1e-9
    assert D.epic_distance(R, sh, mdp) == 0.0 and D.dard_distance(R, sh, mdp) == 0.0
    assert D.epic_distance(fl(R), fl(sh), mdp) < 1e-9
    R2 = generic(rng, (S, A, S))
    if S * (A - 1) >= 2:
        assert not N.contains(R2 - R)
        for method in STARC:
            for norm in NORMS:
                # unmasked: masking compares the reachable part only (Case D)
                kw = {"unreachable": "ignore"}
                assert D.starc_distance(R, R2, mdp, method, norm, **kw) > 1e-6
                assert D.starc_distance(R, -R, mdp, method, norm, **kw) == 1.0
        assert D.epic_distance(R, -R, mdp) == 1.0


@settings(max_examples=20)
@given(mdp=infinite_mdps, data=st.data())
def test_positive_scaling_invariance(mdp, data):
    """d(aR1, bR2) = d(R1, R2) for a, b > 0, every distance (float tolerance 1e-9).

    proofs/distance-pseudometric.md
    """
    R1 = fl(data.draw(ist.rewards(mdp)))
    R2 = fl(data.draw(ist.rewards(mdp)))
    a = data.draw(st.floats(0.1, 10))
    b = data.draw(st.floats(0.1, 10))
    base, scaled = all_distances(mdp, R1, R2), all_distances(mdp, a * R1, b * R2)
    for key in base:
        assert scaled[key] == pytest.approx(base[key], abs=1e-9), key


@settings(max_examples=40)
@given(x=st.lists(st.floats(-100, 100), min_size=2, max_size=12), data=st.data())
def test_pearson_identity(x, data):
    """sqrt((1 - rho) / 2) = 1/2 ||x~ - y~|| (claim 24), weighted, against a textbook weighted
    correlation; constant vectors give 0 or 1/2, never NaN.

    proofs/pearson-identity.md
    """
    n = len(x)
    x = np.array(x)
    y = np.array(data.draw(st.lists(st.floats(-100, 100), min_size=n, max_size=n)))
    w = np.array(data.draw(st.lists(st.floats(0.01, 1), min_size=n, max_size=n)))
    d = D.pearson_distance(x, y, w)
    p = w / w.sum()
    cx, cy = x - p @ x, y - p @ y
    vx, vy = p @ (cx * cx), p @ (cy * cy)
    tol = 1e-9
    if vx > (1e-6 * max(1, np.abs(x).max())) ** 2 and vy > (1e-6 * max(1, np.abs(y).max())) ** 2:
        rho = (p @ (cx * cy)) / math.sqrt(vx * vy)
        assert d == pytest.approx(math.sqrt(max(0.0, (1 - rho) / 2)), abs=1e-6)
    assert not math.isnan(d) and 0 <= d <= 1 + tol
    assert D.pearson_distance(np.full(n, 3.0), np.full(n, -2.0), w) == 0.0
    assert D.pearson_distance(np.full(n, 3.0), np.arange(n, dtype=float), w) == 0.5
    assert D.pearson_distance([1, 2, 4], [2, 4, 8]) == 0.0          # exact, positively proportional


def test_pairwise_matches_pairs_and_is_shared():
    """pairwise_distances equals the pairwise functions entry by entry (symmetric, zero
    diagonal), for STARC (val, minimal, norms), EPIC and DARD, exact and float.

    proofs/distance-pseudometric.md
    """
    mdp = idf.examples.get("random-v0", n_states=5, n_actions=3, support=2, seed=7)
    rng = np.random.default_rng(7)
    Rs = [generic(rng, (5, 3, 5)), generic(rng, (5, 3)), generic(rng, (5,))]
    Rs.append(PotentialShaping(generic(rng, (5,))).apply(Rs[0], mdp))
    Rs.append(-Rs[1])
    for exact in (True, False):
        rs = Rs if exact else [fl(R) for R in Rs]
        m = mdp if exact else mdp.to_float()
        for kw in ({}, {"canonicalization": "minimal"}, {"norm": 1}, {"norm": "inf"}):
            M = quiet(D.pairwise_distances, rs, m, **kw)
            assert np.array_equal(M, M.T) and np.all(np.diag(M) == 0)
            for i in range(len(rs)):
                for j in range(len(rs)):
                    assert M[i, j] == pytest.approx(
                        quiet(D.starc_distance, rs[i], rs[j], m, **kw), abs=1e-12)
            assert M[0, 3] <= 1e-12 and M[1, 4] == pytest.approx(1.0)
        for name, fn in (("epic", D.epic_distance), ("dard", D.dard_distance)):
            M = D.pairwise_distances(rs, m, name)
            for i in range(len(rs)):
                for j in range(len(rs)):
                    assert M[i, j] == pytest.approx(fn(rs[i], rs[j], m), abs=1e-12)
    # the Gram path (long rows) agrees with direct differences
    big = idf.examples.get("random-v0", n_states=40, n_actions=4, support=3, seed=1, exact=False,
                           n_starts=40)
    rs = [rng.normal(size=(40, 4, 40)) for _ in range(12)]
    rs.append(rs[0] * 3.0)
    M = D.pairwise_distances(rs, big, canonicalization="minimal")
    assert M[0, 12] < 1e-12
    assert M[1, 2] == pytest.approx(D.starc_distance(rs[1], rs[2], big, "minimal"), abs=1e-12)


def test_norms_and_normalize():
    """Weighted L1 / L2 / Linf norms of a reward equal those of its (S, A, S) broadcast.

    proofs/distance-pseudometric.md
    """
    mdp = idf.examples.get("random-v0", n_states=3, n_actions=2, seed=0)
    rng = np.random.default_rng(0)
    W = rng.uniform(0, 2, size=(3, 2, 3))
    W[0, 0, 0] = 0.0
    for shape in ((3,), (3, 2), (3, 2, 3)):
        x = rng.normal(size=shape)
        X = fl(broadcast_reward(x, mdp))
        for ord_, ref in ((1, (W * np.abs(X)).sum()), (2, math.sqrt((W * X * X).sum())),
                          (math.inf, np.abs(X[W > 0]).max())):
            assert D.reward_norm(x, mdp, ord=ord_, weights=W) == pytest.approx(ref, rel=1e-12)
        assert D.reward_norm(x, mdp) == pytest.approx(np.linalg.norm(X), rel=1e-12)
        nx = D.normalize(x, mdp, weights=W)
        assert D.reward_norm(nx, mdp, weights=W) == pytest.approx(1.0)
    assert D.normalize([0, 0]).tolist() == [0, 0]
    assert D.reward_norm([Fraction(1, 2), -1], ord=1) == Fraction(3, 2)


# ---------------------------------------------------------------------- errors
def test_errors_are_typed_and_named():
    """Bad shapes, bad distributions (named entries), gamma = 1 / finite horizon for VAL and
    minimal, bad weights, unknown options.

    proofs/distance-pseudometric.md
    """
    mdp, R = case_a()
    with pytest.raises(InvalidRewardError, match="expected"):
        D.epic_canonical([[1, 2, 3]], mdp)
    with pytest.raises(InvalidParameterError, match=r"state_dist\[1\] = -1/2 is negative"):
        D.epic_canonical(R, mdp, state_dist=["3/2", "-1/2"])
    with pytest.raises(InvalidParameterError, match="sums to 1/2"):
        D.dard_canonical(R, mdp, action_dist=["1/4", "1/4"])
    with pytest.raises(InvalidParameterError, match="shape"):
        D.epic_distance(R, R, mdp, coverage=[1])
    finite = mdp.replace(horizon=3, gamma=1)
    for fn in (D.val_canonical, D.minimal_canonical):
        with pytest.raises(InvalidParameterError, match="infinite-horizon"):
            fn(R, finite)
    with pytest.raises(InvalidParameterError, match="horizon=3"):
        D.starc_distance(R, R, mdp.replace(horizon=3))
    assert D.epic_canonical(R, finite).shape == (2, 2, 2)        # EPIC takes gamma = 1
    with pytest.raises(InvalidPolicyError):
        D.val_canonical(R, mdp, policy=[[1, 1], [0, 1]])
    with pytest.raises(InvalidParameterError, match=r"weights\[0, 0, 0\] = 0"):
        D.minimal_canonical(R, mdp, weights=np.array([[[0, 1], [1, 1]], [[1, 1], [1, 1]]]))
    with pytest.raises(InvalidParameterError, match="negative"):
        D.reward_norm([1, 2], weights=[1, -1])
    with pytest.raises(InvalidParameterError, match="norm order"):
        D.starc_distance(R, R, mdp, norm=3)
    with pytest.raises(InvalidParameterError, match="unknown canonicalization"):
        D.canonicalize(R, mdp, "foo")
    with pytest.raises(InvalidParameterError, match="unreachable="):
        D.starc_distance(R, R, mdp, unreachable="drop")
    with pytest.raises(InvalidParameterError, match="unknown distance"):
        D.pairwise_distances([R], mdp, "npec")
    with pytest.raises(InvalidParameterError, match="same shape"):
        D.pearson_distance([1, 2], [1, 2, 3])
