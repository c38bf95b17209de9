"""The ambiguity ordering of data sources, the optimal-set cone, closed-form inversions.

Each claim test cites ``proofs/<id>.md``.  Oracles are independent of
``identifiability.equivalence``: the forward models of ``identifiability.behaviour``
(``optimal_values``, ``optimal_actions``, ``soft_policy``, ``boltzmann_policy``), returns
of lassos and fragments summed here from the reward table, and reachability from
``transforms.reachable_transitions``.
"""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import identifiability as idf
from identifiability.claims.transforms import (  # shared with the theorem registry
    _as_float as as_float,
    _all_exact as all_exact,
)
from identifiability.equivalence import Lasso, boltzmann_inversion, mce_inversion
from identifiability.errors import InvalidParameterError, InvalidPolicyError
from identifiability.reward import broadcast_reward, expected_reward
from identifiability.testing import strategies as ist
from identifiability.transforms import (
    OptimalityPreserving,
    PositiveScaling,
    PotentialShaping,
    SPrimeRedistribution,
    reachable_transitions,
)

seeds = st.integers(0, 2 ** 32 - 1)
betas = st.sampled_from([0.5, 1.0, 2.0])

#: Every data source, finest first (note §3.3).
ALL = ("fragment-returns", "fragment-comparisons", "q", "boltzmann", "mce",
       "boltzmann-trajectories", "mce-trajectories", "returns", "comparisons", "optimal")
POLICIES = ("boltzmann", "mce", "boltzmann-trajectories", "mce-trajectories")


# ---------------------------------------------------------------------- independent observations
def reachable_states(mdp):
    return reachable_transitions(mdp).any(axis=(1, 2))


def policy_observation(mdp, R, model):
    """The policy (float) a policy source sees; trajectory variants see reachable rows only."""
    R = as_float(broadcast_reward(R, mdp))
    if model.startswith("boltzmann"):
        pi = idf.boltzmann_policy(mdp, R, beta=1.0)
    else:
        pi = idf.soft_policy(mdp, R, temperature=1.0, tol=1e-13)
    return pi[reachable_states(mdp)] if model.endswith("trajectories") else pi


def path_return(mdp, R, states, actions):
    """``sum_t gamma^t R(s_t, a_t, s_{t+1})`` summed here (exact on exact input)."""
    R = broadcast_reward(R, mdp)
    g, out = mdp.gamma, 0
    for t, a in enumerate(actions):
        out = out + g ** t * R[states[t], a, states[t + 1]]
    return out


def lasso_return(mdp, R, xi):
    """Closed form of an eventually periodic trajectory: prefix + g^k cycle / (1 - g^L)."""
    k, n = xi.loop, len(xi.actions)
    pre = path_return(mdp, R, xi.states[:k + 1], xi.actions[:k])
    cyc = path_return(mdp, R, xi.states[k:], xi.actions[k:])
    return pre + mdp.gamma ** k * cyc / (1 - mdp.gamma ** (n - k))


def random_lasso(mdp, rng, start):
    """A random possible eventually periodic trajectory from ``start``."""
    P = mdp.transitions
    states, actions, seen = [start], [], {start: 0}
    while True:
        s = states[-1]
        a = int(rng.integers(mdp.n_actions))
        succ = np.flatnonzero(as_float(P[s, a]) > 0)
        sn = int(rng.choice(succ))
        actions.append(a)
        states.append(sn)
        if sn in seen:
            return Lasso(tuple(states), tuple(actions), seen[sn])
        seen[sn] = len(states) - 1


def fragments(mdp, length):
    """Every possible fragment with ``length`` transitions, as (states, actions)."""
    out = [([s], []) for s in range(mdp.n_states)]
    for _ in range(length):
        out = [(st_ + [sn], ac + [a]) for st_, ac in out for a in range(mdp.n_actions)
               for sn in range(mdp.n_states) if mdp.support[st_[-1], a, sn]]
    return out


def constant(v):
    return all(x == v[0] for x in v)


def same_observation(mdp, model, R1, R2, rng):
    """Source ``model`` cannot tell R1 from R2 (exact where the source is exact)."""
    if model == "q":
        return np.array_equal(idf.optimal_values(mdp, R1)[1], idf.optimal_values(mdp, R2)[1])
    if model in POLICIES:
        diff = policy_observation(mdp, R1, model) - policy_observation(mdp, R2, model)
        return np.max(np.abs(diff), initial=0.0) <= 1e-9
    if model == "optimal":
        return np.array_equal(idf.optimal_actions(mdp, R1), idf.optimal_actions(mdp, R2))
    if model in ("returns", "comparisons"):
        xis = [random_lasso(mdp, rng, s) for s in mdp.start_states for _ in range(6)]
        d = [lasso_return(mdp, R2, xi) - lasso_return(mdp, R1, xi) for xi in xis]
    else:
        frs = fragments(mdp, 1) + fragments(mdp, 2)
        d = [path_return(mdp, R2, s, a) - path_return(mdp, R1, s, a) for s, a in frs]
    # returns see every return; comparisons see every difference of two returns
    return all(x == 0 for x in d) if model.endswith("returns") else constant(d)


def differs_on(mdp, model, R1, R2, difference):
    """Source ``model`` tells R1 from R2, on the observation ``difference`` names."""
    if model == "q":
        return not np.array_equal(idf.optimal_values(mdp, R1)[1], idf.optimal_values(mdp, R2)[1])
    if model in POLICIES:
        diff = policy_observation(mdp, R1, model) - policy_observation(mdp, R2, model)
        return np.max(np.abs(diff)) > 1e-6
    if model == "optimal":
        return not np.array_equal(idf.optimal_actions(mdp, R1), idf.optimal_actions(mdp, R2))
    trajs = difference["trajectories"]
    if model in ("returns", "comparisons"):
        assert all(isinstance(xi, Lasso) and xi.is_possible(mdp) for xi in trajs)
        d = [lasso_return(mdp, R2, xi) - lasso_return(mdp, R1, xi) for xi in trajs]
    else:
        for f in trajs:
            s, a = f["states"], f["actions"]
            assert len(s) == len(a) + 1 and all(mdp.support[s[t], a[t], s[t + 1]]
                                                for t in range(len(a)))
        d = [path_return(mdp, R2, f["states"], f["actions"]) -
             path_return(mdp, R1, f["states"], f["actions"]) for f in trajs]
    return any(x != 0 for x in d) if model.endswith("returns") else not constant(d)


# ---------------------------------------------------------------------- the ordering table
def ordering_mdp():
    """Four states, two actions, gamma = 1/2, stochastic; initial {0, 1}; state 3 unreachable.

    * ``(0, 0)`` and ``(1, 1)`` and ``(3, 0)`` are stochastic, so S'-redistribution is
      non-trivial at reachable pairs;
    * nothing reachable enters state 3, which has two actions with different dynamics,
      so a reward change there cannot be absorbed by the one potential value Phi(3).
    """
    P = [
        [[0, "1/2", "1/2", 0], [1, 0, 0, 0]],        # 0: a0 -> {1, 2}, a1 -> 0
        [[0, 0, 1, 0], ["1/3", 0, "2/3", 0]],        # 1: a0 -> 2, a1 -> {0, 2}
        [[1, 0, 0, 0], [0, 0, 1, 0]],                # 2: a0 -> 0, a1 -> 2
        [["1/2", 0, 0, "1/2"], [0, 1, 0, 0]],        # 3: unreachable
    ]
    return idf.MDP(P, initial=["1/2", "1/2", 0, 0], gamma="1/2")


# Rows refine columns.  N_X is the invariance subspace of source X (R(s, a, s') rewards):
#   FR = FC = mask of impossible transitions           (fragments; gamma > 0 for FC)
#   Q       = S'R (which contains the impossible mask)
#   B = MCE = S'R + shaping                             (beta known: no scaling)
#   BT = MT = S'R + shaping + unreachable mask
#   RET     = zero-initial shaping + unreachable mask   (on each reachable transition)
#   CMP     = k-initial shaping + unreachable mask
#   OPT     = the optimal-set cone; a linear X refines it iff N_X <= N_MCE.
# X refines Y iff N_X <= N_Y.  On this MDP:
#   * FR, FC refine everything (an impossible-transition value never enters an expectation
#     or a possible trajectory), and each other (gamma > 0).
#   * Q refines B, MCE, BT, MT, OPT (Phi = 0), but not RET / CMP: an S'R at the stochastic
#     reachable pair (0, 0) changes the return of a trajectory through it; nor FR / FC.
#   * B, MCE refine each other and BT, MT, OPT; not Q (a shaping changes Q* by -Phi(s)).
#   * BT, MT refine only each other: a reward change at the unreachable state 3 is in
#     N_BT but changes the policy and the optimal set at state 3 (two actions, one Phi(3))
#     -- so they do NOT refine B, MCE, OPT (unreachable masks are not tolerated).
#   * RET refines CMP (k = 0), BT, MT (its shaping is a shaping; S'R not needed); not
#     B, MCE, OPT (unreachable mask), not Q (shaping), not FR / FC.
#   * CMP refines BT, MT only; not RET: k-initial shaping with k != 0 shifts every initial
#     return by -k, and no zero-initial potential does that (gamma D(s') = D(s) along
#     reachable transitions forces D = 0 on every reachable cycle, hence everywhere).
#   * OPT refines only itself: it tolerates positive scaling R -> 2R, which no linear
#     source with a proper invariance subspace does.
#   The number of initial states changes none of these entries (two are used here, so
#   that k-initial and zero-initial shaping differ at two states).
EXPECTED = np.array([
    # FR FC  Q  B  MCE BT MT RET CMP OPT
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],   # fragment-returns
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],   # fragment-comparisons
    [0, 0, 1, 1, 1, 1, 1, 0, 0, 1],   # q
    [0, 0, 0, 1, 1, 1, 1, 0, 0, 1],   # boltzmann
    [0, 0, 0, 1, 1, 1, 1, 0, 0, 1],   # mce
    [0, 0, 0, 0, 0, 1, 1, 0, 0, 0],   # boltzmann-trajectories
    [0, 0, 0, 0, 0, 1, 1, 0, 0, 0],   # mce-trajectories
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 0],   # returns
    [0, 0, 0, 0, 0, 1, 1, 0, 1, 0],   # comparisons
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 1],   # optimal
], dtype=bool)


def test_ambiguity_ordering_table():
    """proofs/ambiguity-ordering.md: the full table on a designed MDP, every witness checked."""
    mdp = ordering_mdp()
    assert reachable_states(mdp).tolist() == [True, True, True, False]
    table = idf.ordering_table(mdp, models=ALL)
    assert table.models == ALL
    assert np.array_equal(table.matrix, EXPECTED), "\n" + table.to_text()
    text = table.to_text().splitlines()
    assert len(text) == len(ALL) + 1 and text[1].split()[1:].count("<=") == len(ALL)
    rng = np.random.default_rng(0)
    for i, a in enumerate(ALL):
        for j, b in enumerate(ALL):
            r = idf.refines(a, b, mdp)
            assert bool(r) == EXPECTED[i, j] and r.model_a == a and r.model_b == b
            if r:
                assert r.witness is None
                continue
            R1, R2 = r.witness
            assert R1.shape == R2.shape == (4, 2, 4) and all_exact(R1) and all_exact(R2)
            assert same_observation(mdp, a, R1, R2, rng), (a, b)
            if a != "optimal":
                assert idf.equivalent(R1, R2, mdp, a)
            assert differs_on(mdp, b, R1, R2, r.difference), (a, b)
            assert not idf.equivalent(R1, R2, mdp, b)


def test_ambiguity_ordering_without_unreachable_states():
    """proofs/ambiguity-ordering.md: with every state reachable the trajectory variants
    collapse onto the policies, and returns / comparisons refine the optimal set."""
    mdp = ordering_mdp()
    mdp = idf.MDP(mdp.transitions, initial=["1/2", 0, 0, "1/2"], gamma=mdp.gamma)
    assert reachable_states(mdp).all()
    M = idf.ordering_table(mdp, models=ALL).matrix
    ix = {m: k for k, m in enumerate(ALL)}
    for traj in ("boltzmann-trajectories", "mce-trajectories", "returns", "comparisons"):
        for target in ("boltzmann", "mce", "optimal"):
            assert M[ix[traj], ix[target]]
    assert not M[ix["returns"], ix["q"]] and not M[ix["q"], ix["returns"]]
    assert not M[ix["comparisons"], ix["returns"]]


@st.composite
def small_mdps(draw):
    return draw(ist.mdps(horizon=st.none(), max_states=3, max_actions=2))


@settings(max_examples=8)
@given(small_mdps(), st.data())
def test_ambiguity_ordering_is_a_preorder_and_sound(mdp, data):
    """proofs/ambiguity-ordering.md: reflexive and transitive on generated MDPs; and (note §7
    claim 27) pairs sampled inside a finer class look the same to every coarser source."""
    M = idf.ordering_table(mdp, models=ALL).matrix
    for a in ALL:
        assert idf.refines(a, a, mdp)
    closure = M | (M.astype(int) @ M.astype(int) > 0)
    assert np.array_equal(closure, M), "refines is not transitive"
    assert M[0].all() and M[1].all()
    # "optimal" tolerates R -> 2 R: it refines a linear source only if that source sees nothing
    assert M[-1, :-1].tolist() == [(lambda N: N.dim == N.ambient_dim)(idf.ambiguity(mdp, b))
                                   for b in ALL[:-1]]
    # a linear source refines the optimal set iff it refines mce (the cone's linear part)
    assert M[:-1, -1].tolist() == M[:-1, ALL.index("mce")].tolist()
    ix = {m: k for k, m in enumerate(ALL)}
    coarse = [ix[m] for m in ("mce-trajectories", "boltzmann-trajectories", "returns",
                              "comparisons")]
    fine = [ix[m] for m in ("q", "boltzmann", "mce", "optimal")]
    if reachable_states(mdp).all():
        assert M[np.ix_(coarse, fine[1:])].all()
    elif mdp.n_actions >= 2:
        assert not M[np.ix_(coarse, fine)].any()
    # q vs returns: S'R is visible to returns iff a reachable (s, a) has two successors;
    # shaping is visible to q, and returns tolerate it unless every state is initial
    branching = (mdp.support.sum(axis=2) >= 2)[reachable_states(mdp)].any()
    assert M[ix["q"], ix["returns"]] == (not branching)
    assert M[ix["returns"], ix["q"]] == (len(mdp.start_states) == mdp.n_states)
    assert not M[ix["comparisons"], ix["returns"]]
    R1 = data.draw(ist.rewards(mdp, arity=3, exact=True))
    rng = np.random.default_rng(data.draw(seeds))
    for i, a in enumerate(ALL):
        C = idf.ambiguity(mdp, a, reward=R1) if a == "optimal" else idf.ambiguity(mdp, a)
        R2 = C.sample(R1, rng)
        for j, b in enumerate(ALL):
            if M[i, j]:
                assert idf.equivalent(R1, R2, mdp, b), (a, b)
                if b in POLICIES or b in ("q", "optimal"):
                    assert same_observation(mdp, b, R1, R2, rng), (a, b)


def test_redistribution_case_b():
    """proofs/ambiguity-ordering.md, note §6 Case B: an S'-redistribution is invisible to Q*
    and to every policy, but visible to the returns of initial trajectories."""
    mdp = idf.MDP([[["0", "1/2", "1/2"]], [[1, 0, 0]], [[1, 0, 0]]], initial=[1, 0, 0],
                  gamma="9/10")
    Z = np.zeros((3, 1, 3), dtype=object)
    Z[...] = Fraction(0)
    Z[1, 0, 0] = Fraction(1, 2)
    Rb = Z.copy()
    Rb[0, 0, 1], Rb[0, 0, 2] = Fraction(1), Fraction(-1)
    assert np.array_equal(expected_reward(mdp, Rb), expected_reward(mdp, Z))
    for model in ("q", "mce", "boltzmann", "optimal"):
        res = idf.equivalent(Rb, Z, mdp, model)
        assert res and res.decomposition.verify(Rb, Z, mdp), model
    dq = idf.equivalent(Rb, Z, mdp, "q").decomposition
    assert dq.potential is None and dq.mask is None and dq.scale == 1
    assert np.array_equal(dq.redistribution, Z - Rb)
    assert np.array_equal(idf.optimal_values(mdp, Rb)[1], idf.optimal_values(mdp, Z)[1])
    assert np.max(np.abs(policy_observation(mdp, Rb, "mce") - policy_observation(mdp, Z, "mce"))) \
        <= 1e-12
    res = idf.equivalent(Rb, Z, mdp, "returns")
    assert not res and res.difference["kind"] == "return"
    assert differs_on(mdp, "returns", Rb, Z, res.difference)
    # by hand: 0 -> 1 -> 0 -> ... has return 1 + 0.9 * 0.5 per cycle of two, 0 -> 2 -> 0 has -1
    up, down = Lasso((0, 1, 0), (0, 0), 0), Lasso((0, 2, 0), (0, 0), 0)
    g = Fraction(9, 10)
    assert lasso_return(mdp, Rb, up) == (1 + g * Fraction(1, 2)) / (1 - g ** 2)
    assert lasso_return(mdp, Rb, down) == -1 / (1 - g ** 2)
    obs = idf.observe(mdp, Rb, "returns", trajectories=[up, down])
    assert obs.tolist() == [lasso_return(mdp, Rb, up), lasso_return(mdp, Rb, down)]
    assert not idf.equivalent(Rb, Z, mdp, "fragment-returns")
    assert not idf.equivalent(Rb, Z, mdp, "comparisons")


# ---------------------------------------------------------------------- the optimal-set cone
infinite_mdps = ist.mdps(horizon=st.none(), max_states=4)


@st.composite
def mdp_and_reward(draw, mdps=infinite_mdps):
    mdp = draw(mdps)
    return mdp, draw(ist.rewards(mdp, arity=3, exact=True))


@given(mdp_and_reward(), seeds)
def test_optimal_class_positive_scaling(case, seed):
    """proofs/optimal-class-cone.md: c R + shaping + S'R keeps the optimal sets, and
    equivalent(..., "optimal") reports the scale c exactly."""
    mdp, R = case
    rng = np.random.default_rng(seed)
    c = PositiveScaling.sample(mdp, rng).alpha
    R2 = SPrimeRedistribution.sample(mdp, rng).apply(
        PotentialShaping.sample(mdp, rng).apply(c * broadcast_reward(R, mdp), mdp), mdp)
    assert np.array_equal(idf.optimal_actions(mdp, R2), idf.optimal_actions(mdp, R))
    C = idf.ambiguity(mdp, "optimal", reward=R)
    assert C.contains(R2) and C.contains(c * broadcast_reward(R, mdp))
    res = idf.equivalent(R, R2, mdp, "optimal")
    assert res and res.decomposition.verify(R, R2, mdp)
    if idf.ambiguity(mdp, "mce").contains(R):
        # R is a shaping + S'R (all actions optimal everywhere): no scale is determined
        assert C.optimal_sets.all()
    else:
        d = res.decomposition
        assert d.certificate is None and d.scale == c
        assert np.array_equal(d.transforms.apply(R, mdp), R2)


@given(mdp_and_reward(ist.mdps(horizon=st.none(), max_states=4, min_actions=2)), betas,
       st.sampled_from([Fraction(1, 2), Fraction(2), Fraction(3)]))
def test_scaling_is_not_an_invariance_with_known_beta(case, beta, c):
    """proofs/optimal-class-cone.md (note §7 claim 9): MCE(c R, beta) = MCE(R, c beta) and
    Boltzmann(c R, beta) = Boltzmann(R, c beta); with beta known, c R is in R's class
    only when R itself is in N (no scaling invariance)."""
    mdp, R = case
    Rf, cf = as_float(broadcast_reward(R, mdp)), float(c)
    pi_c = idf.soft_policy(mdp, cf * Rf, temperature=1 / beta, tol=1e-13)
    pi_b = idf.soft_policy(mdp, Rf, temperature=1 / (cf * beta), tol=1e-13)
    assert np.max(np.abs(pi_c - pi_b)) <= 1e-9
    bz_c = idf.boltzmann_policy(mdp, c * broadcast_reward(R, mdp), beta=beta)
    bz_b = idf.boltzmann_policy(mdp, R, beta=float(c) * beta)
    assert np.max(np.abs(bz_c - bz_b)) <= 1e-12
    trivial = bool(idf.ambiguity(mdp, "mce").contains(R))
    for model in ("mce", "boltzmann"):
        res = idf.equivalent(R, c * broadcast_reward(R, mdp), mdp, model, beta=beta)
        assert bool(res) == trivial, model
        if not res:
            assert res.difference["kind"] == "policy"
    assert idf.equivalent(R, c * broadcast_reward(R, mdp), mdp, "optimal")


def test_scaling_changes_the_policy_concretely():
    """proofs/optimal-class-cone.md: the smallest witness, a two-armed bandit."""
    mdp = idf.MDP([[[1], [1]]], gamma="1/2")
    R = np.array([[0, 1]])
    for model in ("mce", "boltzmann"):
        res = idf.equivalent(R, 2 * R, mdp, model)
        assert not res and res.difference["size"] > 0.1
    res = idf.equivalent(R, 2 * R, mdp, "optimal")
    d = res.decomposition
    assert d.scale == 2 and d.certificate is None
    assert d.potential is None or all(v == 0 for v in d.potential.tolist())


@given(mdp_and_reward(), seeds)
def test_optimal_class_sample_and_canonical(case, seed):
    """proofs/optimal-class-cone.md: OptimalityClass.sample stays in the class; canonical is
    a class invariant, itself a member, and separates classes."""
    mdp, R = case
    rng = np.random.default_rng(seed)
    C = idf.ambiguity(mdp, "optimal", reward=R)
    O = idf.optimal_actions(mdp, R)
    assert np.array_equal(C.optimal_sets, O)
    members = [C.sample(R, rng) for _ in range(3)] + [3 * broadcast_reward(R, mdp)]
    can = C.canonical(R)
    assert can.shape == (mdp.n_states, mdp.n_actions, mdp.n_states) and all_exact(can)
    assert np.array_equal(can[:, :, 0], np.where(O, Fraction(0), Fraction(-1)))
    assert C.contains(can)
    V, _ = idf.optimal_values(mdp, can)
    assert all(v == 0 for v in V.tolist())
    for R2 in members:
        assert all_exact(R2) and C.contains(R2)
        assert np.array_equal(idf.optimal_actions(mdp, R2), O)
        assert np.array_equal(C.canonical(R2), can)
        res = idf.equivalent(R, R2, mdp, "optimal")
        assert res and res.decomposition.verify(R, R2, mdp)
    # a reward with other optimal sets has another canonical form
    if mdp.n_actions >= 2:
        s = int(rng.integers(mdp.n_states))
        other = np.zeros((mdp.n_states, mdp.n_actions), dtype=object)
        other[...] = Fraction(0)
        a = 0 if not O[s, 0] or O[s].all() else 1
        other[s, a] = Fraction(1)          # makes {a} the unique optimal set at s
        assert not C.contains(other)
        assert not np.array_equal(C.canonical(other), can)


@given(infinite_mdps, st.sampled_from(["s", "sa", "sas"]), st.data())
def test_optimal_class_sample_every_domain(mdp, domain, data):
    """proofs/optimal-class-cone.md: samples have the domain's shape and stay in the class
    (R(s, a): the expectation of an OPT reward; R(s): a scaled member of the linear part)."""
    R = data.draw(ist.rewards(mdp, arity={"s": 1, "sa": 2, "sas": 3}[domain], exact=True))
    C = idf.ambiguity(mdp, "optimal", reward=R, domain=domain)
    R2 = C.sample(R, data.draw(seeds))
    assert R2.shape == np.shape(R) and all_exact(R2)
    assert C.contains(R2)
    assert np.array_equal(idf.optimal_actions(mdp, R2), idf.optimal_actions(mdp, R))
    assert idf.equivalent(R, R2, mdp, "optimal", domain=domain)


@given(mdp_and_reward(ist.mdps(horizon=st.none(), max_states=4, min_actions=2)), seeds)
def test_optimal_certificate_path(case, seed):
    """proofs/optimal-class-cone.md: an OPT-related reward is equivalent under "optimal";
    the decomposition (a scaled shaping or a certificate Psi = V*) verifies."""
    mdp, R = case
    t = OptimalityPreserving.sample(mdp, seed)
    R2 = t.apply(R, mdp)
    res = idf.equivalent(R, R2, mdp, "optimal")
    assert res and res.decomposition.verify(R, R2, mdp)
    d = res.decomposition
    if d.certificate is not None:
        assert d.certificate.verify() and np.array_equal(d.certificate.psi, t.psi)
        assert np.array_equal(d.certificate.optimal_sets, idf.optimal_actions(mdp, R))
    else:
        assert d.scale > 0
    # tampering with one suboptimal gap keeps the class; making it optimal leaves it
    O = idf.optimal_actions(mdp, R)
    if not O.all():
        s, a = map(int, np.argwhere(~O)[0])
        bad = broadcast_reward(R2, mdp).copy()
        bad[s, a, :] = bad[s, a, :] + t.gaps[s, a]   # Q*(s, a) rises to V*(s): a tie
        assert not idf.equivalent(R, bad, mdp, "optimal")


def test_optimal_certificate_path_concrete():
    """proofs/optimal-class-cone.md: R = (0, 1, 2) vs (0, 1, 5) on a one-state bandit are
    OPT-related but R2 != c R + shaping (shaping is a constant shift here)."""
    mdp = idf.MDP([[[1], [1], [1]]], gamma="1/2")
    R1, R2 = np.array([[0, 1, 2]]), np.array([[0, 1, 5]])
    res = idf.equivalent(R1, R2, mdp, "optimal", domain="sa")
    d = res.decomposition
    assert res and d.certificate is not None and d.certificate.verify()
    assert d.verify(R1, R2, mdp)
    assert d.certificate.psi.tolist() == [Fraction(10)]     # V* = 5 / (1 - 1/2)
    assert "certificate" in res.explain()
    assert not idf.equivalent(R1, np.array([[0, 3, 2]]), mdp, "optimal", domain="sa")


def test_episodic_constant_shift_case_c():
    """proofs/optimal-class-cone.md, note §6 Case C: with an absorbing zero-reward terminal
    state a step cost is not optimality preserving; a shaping with Phi(terminal) = 0 and a
    shift of every transition (terminal included) are."""
    # 0: a0 continue -> 1, a1 quit -> 2; 1: -> 2 (reward 1); 2: absorbing, reward 0
    mdp = idf.MDP([[[0, 1, 0], [0, 0, 1]], [[0, 0, 1], [0, 0, 1]], [[0, 0, 1], [0, 0, 1]]],
                  initial=[1, 0, 0], gamma="9/10")
    R = np.zeros((3, 2, 3), dtype=object)
    R[...] = Fraction(0)
    R[1, :, 2] = Fraction(1)
    O = idf.optimal_actions(mdp, R)
    assert O[0].tolist() == [True, False]                   # continue: 0.9 > 0
    step = R.copy()
    step[:2] = step[:2] - 2                                 # -2 on every non-terminal transition
    assert idf.optimal_actions(mdp, step)[0].tolist() == [False, True]   # quit: -2 > -2.9
    res = idf.equivalent(R, step, mdp, "optimal")
    assert not res and res.difference["state"] == 0
    assert (res.difference["first"], res.difference["second"]) == ([0], [1])
    phi = [Fraction(13, 10), Fraction(-7, 10), Fraction(0)]
    shaped = PotentialShaping(phi).apply(R, mdp)
    res = idf.equivalent(R, shaped, mdp, "optimal")
    assert res and res.decomposition.scale == 1
    assert res.decomposition.potential.tolist() == phi and res.decomposition.verify(R, shaped, mdp)
    # discounted, infinite horizon: a shift of *every* transition is shaping with -c / (1 - g)
    shifted = R - 2
    res = idf.equivalent(R, shifted, mdp, "mce")
    assert res and res.decomposition.potential.tolist() == [Fraction(20)] * 3
    assert idf.equivalent(R, shifted, mdp, "optimal")
    assert not idf.equivalent(R, step, mdp, "mce")


# ---------------------------------------------------------------------- closed-form inversions
def _no_tolerance_warning(fn, *args):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", idf.ToleranceWarning)
        return fn(*args)


@given(mdp_and_reward(ist.mdps(horizon=st.none(), max_states=4, exact=st.booleans())), betas)
def test_mce_inversion(case, beta):
    """proofs/closed-form-inversions.md (note §3.6, §7 claim 7): (1/beta) log pi reproduces the
    soft-optimal policy, has soft value 0, and lies in R's "mce" class."""
    mdp, R = case
    pi = idf.soft_policy(mdp, as_float(R), temperature=1 / beta, tol=1e-13)
    Rhat = mce_inversion(mdp, pi, beta)
    assert Rhat.shape == (mdp.n_states, mdp.n_actions) and Rhat.dtype == np.float64
    assert np.allclose(Rhat, np.log(pi) / beta, rtol=0, atol=1e-12)
    sol = idf.soft_value_iteration(mdp, Rhat, temperature=1 / beta, tol=1e-13)
    assert np.max(np.abs(sol.policy - pi)) <= 1e-9
    assert np.max(np.abs(sol.v)) <= 1e-9
    delta = broadcast_reward(Rhat, mdp) - as_float(broadcast_reward(R, mdp))
    N = idf.ambiguity(mdp, "mce")
    assert _no_tolerance_warning(N.contains, delta)
    assert _no_tolerance_warning(idf.equivalent, R, broadcast_reward(Rhat, mdp), mdp, "mce")


@given(mdp_and_reward(ist.mdps(horizon=st.none(), max_states=4, exact=st.booleans())), betas)
def test_boltzmann_inversion(case, beta):
    """proofs/closed-form-inversions.md: (1/beta)(log pi - max log pi) reproduces the
    Boltzmann-rational policy, equals the optimal advantage A*, lies in R's class."""
    mdp, R = case
    pi = idf.boltzmann_policy(mdp, R, beta=beta)
    Rhat = boltzmann_inversion(mdp, pi, beta)
    assert Rhat.shape == (mdp.n_states, mdp.n_actions)
    assert np.all(Rhat <= 0) and np.all(Rhat.max(axis=1) == 0)
    V, Q = idf.optimal_values(mdp, R)
    scale = max(1.0, np.abs(as_float(Q)).max())
    assert np.max(np.abs(Rhat - as_float(Q - V[:, None]))) <= 1e-9 * scale
    Vh, _ = idf.optimal_values(mdp, Rhat)
    assert np.max(np.abs(Vh)) <= 1e-12
    assert np.max(np.abs(idf.boltzmann_policy(mdp, Rhat, beta=beta) - pi)) <= 1e-9
    delta = broadcast_reward(Rhat, mdp) - as_float(broadcast_reward(R, mdp))
    assert _no_tolerance_warning(idf.ambiguity(mdp, "boltzmann").contains, delta)


def test_inversion_errors():
    """proofs/closed-form-inversions.md: zero probabilities, wrong shapes and bad beta are
    typed errors that name the problem."""
    mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    for inv in (mce_inversion, boltzmann_inversion):
        with pytest.raises(InvalidPolicyError, match=r"policy\[1, 0\] = 0"):
            inv(mdp, [[0.5, 0.5], [0.0, 1.0]])
        with pytest.raises(InvalidPolicyError, match="shape"):
            inv(mdp, [[0.5, 0.5]])
        with pytest.raises(InvalidPolicyError, match="shape"):
            inv(mdp, np.full((2, 3), 1 / 3))
        with pytest.raises(InvalidPolicyError, match="sums to"):
            inv(mdp, [[0.5, 0.6], [0.5, 0.5]])
        with pytest.raises(InvalidParameterError, match="beta"):
            inv(mdp, [[0.5, 0.5], [0.5, 0.5]], 0)
        with pytest.raises(ValueError, match="horizon"):
            inv(mdp.replace(horizon=3), [[0.5, 0.5], [0.5, 0.5]])


# ---------------------------------------------------------------------- fragments at gamma = 0
@given(ist.mdps(gamma=0, horizon=st.none(), max_states=4), st.data())
def test_gamma_zero_fragment_comparisons(mdp, data):
    """proofs/gamma-zero-fragment-comparisons.md: at gamma = 0 a fragment's return is its first
    reward, so Bradley-Terry comparisons cannot see a constant shift: one more dimension
    than fragment returns."""
    R = data.draw(ist.rewards(mdp, arity=3, exact=True))
    c = data.draw(st.fractions(-5, 5).filter(lambda x: x != 0))
    NC, NR = idf.ambiguity(mdp, "fragment-comparisons"), idf.ambiguity(mdp, "fragment-returns")
    assert NC.dim == NR.dim + 1
    assert NC.contains(np.ones(mdp.n_states)) and not NR.contains(np.ones(mdp.n_states))
    R2 = broadcast_reward(R, mdp) + c
    res = idf.equivalent(R, R2, mdp, "fragment-comparisons")
    assert res and res.decomposition.shift == c and res.decomposition.verify(R, R2, mdp)
    assert same_observation(mdp, "fragment-comparisons", R, R2, None)
    assert not idf.equivalent(R, R2, mdp, "fragment-returns")
    assert idf.refines("fragment-returns", "fragment-comparisons", mdp)
    assert not idf.refines("fragment-comparisons", "fragment-returns", mdp)


@given(ist.mdps(horizon=st.none(), max_states=4), st.data())
def test_positive_gamma_fragment_comparisons_see_a_shift(mdp, data):
    """proofs/gamma-zero-fragment-comparisons.md: for gamma > 0 a shift by c changes a
    length-1 return by c and a length-2 return by c (1 + gamma); the reported difference
    compares exactly those two fragments."""
    R = data.draw(ist.rewards(mdp, arity=3, exact=True))
    c = data.draw(st.fractions(-5, 5).filter(lambda x: x != 0))
    NC, NR = idf.ambiguity(mdp, "fragment-comparisons"), idf.ambiguity(mdp, "fragment-returns")
    assert NC.dim == NR.dim
    R2 = broadcast_reward(R, mdp) + c
    res = idf.equivalent(R, R2, mdp, "fragment-comparisons")
    assert not res
    frags = res.difference["trajectories"]
    assert [len(f["actions"]) for f in frags] == [1, 2]
    assert frags[1]["states"][:2] == frags[0]["states"]
    assert differs_on(mdp, "fragment-comparisons", R, R2, res.difference)
    d = [path_return(mdp, R2, f["states"], f["actions"]) -
         path_return(mdp, R, f["states"], f["actions"]) for f in frags]
    assert d == [c, c * (1 + mdp.gamma)]


# ---------------------------------------------------------------------- noiseless fragment order
@settings(max_examples=25, deadline=None)
@given(ist.mdps(horizon=st.none(), max_states=3, max_actions=2), st.data())
def test_noiseless_fragment_order_bounds(mdp, data):
    """proofs/noiseless-fragment-order-bounds.md: decided by Thm 3.10's bounds or a witness."""
    R = data.draw(ist.rewards(mdp, exact=True))
    R = idf.broadcast_reward(R, mdp)
    c = data.draw(st.sampled_from([Fraction(1, 2), Fraction(3), Fraction(7, 5)]))
    mask = idf.ImpossibleTransitionMask.sample(mdp, data.draw(st.integers(0, 2 ** 31))).table
    res = idf.equivalent(R, c * R + mask, mdp, "noiseless-fragment-comparisons")
    assert res.equivalent is True
    assert res.decomposition.verify(R, c * R + mask, mdp)
    if any(v != 0 for v in R[mdp.support].tolist()):   # the scale is unique unless R = 0 there
        assert res.decomposition.scale == c
    # a generic other reward: either a witness pair of fragments, re-checked here, or undecided
    R2 = idf.broadcast_reward(data.draw(ist.rewards(mdp, exact=True)), mdp)
    res = idf.equivalent(R, R2, mdp, "noiseless-fragment-comparisons")
    if res.equivalent is False:
        f1, f2 = res.difference["trajectories"]
        g = [[idf.trajectory_return(mdp, X, f["states"], f["actions"]) for f in (f1, f2)]
             for X in (R, R2)]
        sign = [(a > b) - (a < b) for a, b in g]
        assert sign[0] != sign[1]
    elif res.equivalent is None:
        with pytest.raises(idf.UndecidedError):
            bool(res)
        assert "Undecided" in res.explain()


def test_noiseless_fragment_order_monotone_map_detected():
    """proofs/noiseless-fragment-order-bounds.md: a monotone relabelling of the reward values
    ({1, 2} -> {1, 3}) keeps the order of single transitions but not of fragments: a single
    transition with reward 2 ties the fragment (1, 2) at gamma = 1/2 under R1 (2 = 1 + 2/2),
    while under R2 3 > 1 + 3/2.  And `ambiguity` / `refines` refuse the model clearly."""
    mdp = idf.MDP([[[1, 0], [0, 1]], [[1, 0], [0, 1]]], gamma="1/2")
    R1 = [[1, 2], [1, 2]]
    R2 = [[1, 3], [1, 3]]
    res = idf.equivalent(R1, R2, mdp, "noiseless-fragment-comparisons")
    assert res.equivalent is False
    f1, f2 = res.difference["trajectories"]
    g = [[idf.trajectory_return(mdp, X, f["states"], f["actions"]) for f in (f1, f2)]
         for X in (R1, R2)]
    assert [(a > b) - (a < b) for a, b in g][0] != [(a > b) - (a < b) for a, b in g][1]
    with pytest.raises(idf.InvalidParameterError, match="only known between bounds"):
        idf.ambiguity(mdp, "noiseless-fragment-comparisons")
    with pytest.raises(idf.InvalidParameterError, match="refines does not handle"):
        idf.refines("noiseless-fragment-comparisons", "q", mdp)
