"""Claims about the reward distances and canonicalisations (``identifiability.distances``).

The checks follow the cited tests of ``tests/test_distances.py``: canonical forms are
compared exactly on exact input, against the defining expectations
(``reference.epic_canonical_naive``, ``reference.dard_canonical_naive``), a dense basis of
``N`` built here, iterative policy evaluation and ``equivalence.ambiguity``; the worked
numbers of note §6 (Cases A, B) are fixed instances.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np

from ..theorems import Instance, register
from .transforms import _SEED_MAX, _as_float, _instances

_STARC = ("val", "minimal")
_NORMS = (1, 2, math.inf)


def _generic(rng, shape):
    vals = rng.integers(-10 ** 6, 10 ** 6 + 1, size=int(np.prod(shape)))
    out = np.empty(len(vals), dtype=object)
    out[:] = [Fraction(int(v), 499979) for v in vals]
    return out.reshape(shape)


def _canon(mdp, R, method):
    from ..distances import canonicalize
    from ..reward import broadcast_reward

    return broadcast_reward(canonicalize(R, mdp, method), mdp)


def _quiet(fn, *args, **kw):
    from ..errors import UnreachableStatesWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableStatesWarning)
        return fn(*args, **kw)


def _dense_N_basis(mdp):
    """Columns spanning N = shaping + S'R (S'R includes the impossible coordinates)."""
    S, A = mdp.n_states, mdp.n_actions
    P = np.asarray(mdp.transitions)
    exact = mdp.is_exact
    zero, one = (Fraction(0), Fraction(1)) if exact else (0.0, 1.0)
    cols = []
    for u in range(S):
        x = np.full((S, A, S), zero, dtype=object if exact else float)
        x[:, :, u] = x[:, :, u] + mdp.gamma
        x[u] = x[u] - one
        cols.append(x.reshape(-1))
    for s in range(S):
        for a in range(A):
            row = P[s, a]
            j0 = int(np.argmax(_as_float(row)))
            for j in range(S):
                if j != j0:
                    x = np.full((S, A, S), zero, dtype=object if exact else float)
                    x[s, a, j] = one
                    x[s, a, j0] = -row[j] / row[j0]
                    cols.append(x.reshape(-1))
    return np.stack(cols, axis=1)


def _case_a():
    from ..mdp import MDP

    mdp = MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    R = np.zeros((2, 2, 2), dtype=object)
    R[...] = Fraction(0)
    R[0, 1, 1] = Fraction(1)
    return mdp, R


def _case_b():
    from ..mdp import MDP

    mdp = MDP([[[0, "1/2", "1/2"]], [[1, 0, 0]], [[1, 0, 0]]], gamma="9/10")
    Z = np.zeros((3, 1, 3), dtype=object)
    Z[...] = Fraction(0)
    Z[1, 0, 0] = Fraction(1, 2)
    Rb = Z.copy()
    Rb[0, 0, 1], Rb[0, 0, 2] = Fraction(1), Fraction(-1)
    return mdp, Rb, Z


def _case_a_instance():
    from hypothesis import strategies as st

    mdp, R = _case_a()
    return st.just(Instance(mdp, {"R": R}, {"case": "A"}))


# ---------------------------------------------------------------------- invariance
def _invariance_strategy():
    from hypothesis import strategies as st

    fr = st.fractions(-3, 3, max_denominator=5)
    return _instances(max_states=4, rewards=("R", "R2"),
                      extra={"a": fr, "b": fr,
                             "phi": st.lists(st.fractions(-5, 5, max_denominator=4),
                                             min_size=4, max_size=4)})


@register("canonicalisation-invariance",
          statement="VAL and minimal-L2 canonicalisations are linear, idempotent projections with "
                    "kernel exactly N (shaping + S'R), VAL has pi-mean zero and image dimension "
                    "S (A - 1); EPIC and DARD are linear and shaping-invariant, EPIC idempotent.",
          provenance="derived", area="distances",
          tests=("tests/test_distances.py::test_canonicalisation_invariance",
                 "tests/test_distances.py::test_canonical_kernel_is_N",
                 "tests/test_distances.py::test_image_dimension",
                 "tests/test_distances.py::test_exact_input_gives_fractions"),
          strategy=_invariance_strategy)
def _canonicalisation_invariance(inst):
    from .. import linalg
    from ..distances import val_canonical
    from ..equivalence import ambiguity
    from ..reward import broadcast_reward
    from ..transforms import PotentialShaping, SPrimeRedistribution

    mdp, R, R2 = inst.mdp, inst.reward("R"), inst.reward("R2")
    S, A = mdp.n_states, mdp.n_actions
    rng = np.random.default_rng(int(inst.params["seed"]))
    a, b = inst.array("a").item(), inst.array("b").item()
    phi = inst.array("phi")[:S]
    sh = PotentialShaping(phi).apply(R, mdp)
    both = SPrimeRedistribution.sample(mdp, rng).apply(sh, mdp)
    N = ambiguity(mdp, "mce")
    fails = []
    for method in ("val", "minimal", "epic", "dard"):
        c = _canon(mdp, R, method)
        if c.dtype != object:
            fails.append(f"{method} not exact")
        if _canon(mdp, sh, method).tolist() != c.tolist():
            fails.append(f"{method} not shaping-invariant")
        lin = _canon(mdp, a * broadcast_reward(R, mdp) + b * broadcast_reward(R2, mdp), method)
        if lin.tolist() != (a * c + b * _canon(mdp, R2, method)).tolist():
            fails.append(f"{method} not linear")
        if method != "dard" and _canon(mdp, c, method).tolist() != c.tolist():
            fails.append(f"{method} not idempotent")
        if method in _STARC:
            if _canon(mdp, both, method).tolist() != c.tolist():
                fails.append(f"{method} not S'R-invariant")
            if not N.contains(broadcast_reward(R, mdp) - c):
                fails.append(f"{method}: R - c(R) not in N")
            if bool(N.contains(R)) != all(x == 0 for x in c.reshape(-1).tolist()):
                fails.append(f"{method}: kernel is not N")
            member = N.sample(np.zeros((S, A, S), dtype=np.int64), rng)
            if any(x != 0 for x in _canon(mdp, member, method).reshape(-1).tolist()):
                fails.append(f"{method}: a member of N has c != 0")
    v = val_canonical(R, mdp)
    if any(x != 0 for x in v.sum(axis=1).tolist()):
        fails.append("VAL uniform-mean not 0")
    pi = np.full((S, A), Fraction(1, A), dtype=object)
    if A > 1:
        pi[:, 0] += Fraction(1, 3 * A)
        pi[:, 1] -= Fraction(1, 3 * A)
    vp = val_canonical(R, mdp, policy=pi)
    if any(x != 0 for x in (pi * vp).sum(axis=1).tolist()) or \
            val_canonical(both, mdp, policy=pi).tolist() != vp.tolist():
        fails.append("VAL with a non-uniform policy")
    if S * A * S <= 12:  # the image dimension, by an exact rank of the canonicalisation matrix
        n = S * A * S
        eye = np.eye(n, dtype=np.int64)
        for method in _STARC:
            cols = np.stack([_canon(mdp, eye[i].reshape(S, A, S), method).reshape(-1)
                             for i in range(n)], axis=1)
            if linalg.rank(cols) != S * (A - 1):
                fails.append(f"{method}: image dimension != S (A - 1)")
    if N.dim != S + S * A * (S - 1):
        fails.append("dim N != S + S A (S - 1)")
    return not fails, f"failed {fails}" if fails else \
        f"S = {S}, A = {A}: invariance, linearity, idempotence, kernel N, pi-mean zero hold"


# ---------------------------------------------------------------------- DARD not idempotent
@register("dard-not-idempotent",
          statement="DARD's canonicalisation is not idempotent: on Case A (gamma = 9/10) "
                    "C_T(C_T(R)) != C_T(R) exactly, and on a random stochastic 5 x 3 MDP the "
                    "deviation exceeds 0.1.",
          provenance="derived", area="distances",
          tests=("tests/test_distances.py::test_dard_not_idempotent",),
          strategy=_case_a_instance, examples=1)
def _dard_not_idempotent(inst):
    from .. import examples, reference
    from ..distances import dard_canonical

    mdp, R = inst.mdp, inst.reward("R")
    C = dard_canonical(R, mdp)
    CC = dard_canonical(C, mdp)
    differs = CC.tolist() != C.tolist()
    naive = reference.dard_canonical_naive(C, mdp).tolist() == CC.tolist()
    m = examples.get("random-v0", n_states=5, n_actions=3, support=2, seed=0, exact=False)
    Rf = np.random.default_rng(0).normal(size=(5, 3, 5))
    Cf = dard_canonical(Rf, m)
    dev = float(np.abs(dard_canonical(Cf, m) - Cf).max())
    return (bool(differs and naive and dev > 0.1),
            f"Case A: C(C(R)) != C(R) exactly {differs} (naive 5-D formula agrees {naive}); "
            f"random 5 x 3: max deviation {dev:.3f}")


# ---------------------------------------------------------------------- note cases
@register("distance-note-cases",
          statement="Note §6 numbers on our scale: Case A EPIC form, V^unif = (2.75, 2.25), VAL "
                    "advantage, minimal Phi* = (2.7624, 2.2376), d(R, -R) = 1; Case B EPIC 0.503, "
                    "DARD 0.370, STARC-VAL 0, zero-variance convention 1/2 and 0.",
          provenance="derived", area="distances",
          tests=("tests/test_distances.py::test_case_a_numbers",
                 "tests/test_distances.py::test_case_b_numbers"),
          strategy=_case_a_instance, examples=1)
def _distance_note_cases(inst):
    from .. import reference
    from ..behaviour import policy_evaluation
    from ..distances import (dard_distance, epic_canonical, epic_distance, minimal_canonical,
                             starc_distance, val_canonical)
    from ..equivalence import ambiguity
    from ..reward import expected_reward
    from ..transforms import PotentialShaping

    mdp, R = inst.mdp, inst.reward("R")
    chk = {}
    C = epic_canonical(R, mdp)
    note = np.array([[[-0.1375, -0.3625], [-0.1375, 0.6375]],
                     [[0.1125, -0.1125], [0.1125, -0.1125]]])
    chk["A: EPIC form"] = bool(np.max(np.abs(_as_float(C) - note)) <= 5e-5) and \
        C.tolist() == reference.epic_canonical_naive(R, mdp).tolist()
    pi = np.full((2, 2), Fraction(1, 2), dtype=object)
    chk["A: V^unif"] = policy_evaluation(mdp, R, pi).tolist() == [Fraction(11, 4), Fraction(9, 4)]
    chk["A: VAL"] = val_canonical(R, mdp).tolist() == [[Fraction(-11, 40), Fraction(11, 40)],
                                                       [Fraction(-9, 40), Fraction(9, 40)]]
    m, phi = minimal_canonical(R, mdp, return_potential=True)
    chk["A: Phi*"] = bool(np.max(np.abs(_as_float(phi) - [2.7624, 2.2376])) <= 5e-5)
    nz = {(0, 0, 0): -0.2762, (0, 1, 1): 0.2514, (1, 0, 1): -0.2238, (1, 1, 0): 0.2486}
    chk["A: minimal entries"] = all(abs(float(m[k]) - v) < 5e-5 for k, v in nz.items()) and \
        sum(1 for x in m.reshape(-1).tolist() if x != 0) == 4 and \
        ambiguity(mdp, "mce").canonical(R).tolist() == m.tolist()
    chk["A: d(R, -R) = 1, d(R, 0) = 1/2"] = all(
        starc_distance(R, -R, mdp, k) == 1.0 and starc_distance(R, 0 * R, mdp, k) == 0.5
        for k in _STARC) and epic_distance(R, -R, mdp) == 1.0
    shaped = PotentialShaping([3, -1]).apply(R, mdp)
    chk["A: shaping gives 0"] = epic_distance(R, shaped, mdp) == 0.0 and \
        starc_distance(R, shaped, mdp) == 0.0
    g = mdp.gamma
    shift = g * np.array([Fraction(-10)] * 2)[None, None, :] - np.array([Fraction(-10)] * 2)[
        :, None, None]
    chk["A: R + 1 = shaping by -10"] = (R + 1).tolist() == (R + shift).tolist()
    bm, Rb, Z = _case_b()
    one = np.ones((3, 1), dtype=np.int64)
    chk["B: same values"] = policy_evaluation(bm, Rb, one).tolist() == \
        policy_evaluation(bm, Z, one).tolist() and \
        expected_reward(bm, Rb).tolist() == expected_reward(bm, Z).tolist()
    e, d = epic_distance(Rb, Z, bm), dard_distance(Rb, Z, bm)
    chk["B: EPIC 0.503, DARD 0.370"] = round(e, 3) == 0.503 and round(d, 3) == 0.370
    for naive, value in ((reference.epic_canonical_naive, 0.503),
                         (reference.dard_canonical_naive, 0.370)):
        x, y = _as_float(naive(Rb, bm)).ravel(), _as_float(naive(Z, bm)).ravel()
        rho = np.corrcoef(x, y)[0, 1]
        chk[f"B: corrcoef {value}"] = round(math.sqrt((1 - rho) / 2), 3) == value
    chk["B: STARC 0"] = all(starc_distance(Rb, Z, bm, k) == 0.0 for k in _STARC)
    chk["B: zero variance"] = epic_distance(0 * Z, Z, bm) == 0.5 and \
        epic_distance(0 * Z, 0 * Z, bm) == 0.0
    failed = [k for k, v in chk.items() if not v]
    return not failed, f"failed {failed}" if failed else \
        f"all {len(chk)} numbers reproduced (EPIC {e:.4f}, DARD {d:.4f})"


# ---------------------------------------------------------------------- pseudometric
def _pseudometric_strategy():
    from hypothesis import strategies as st

    return _instances(max_states=4, reward_exact=False, rewards=("R1", "R2", "R3"), extra={
        "method": st.sampled_from(("val", "minimal", "epic", "dard", "none")),
        "norm": st.sampled_from(["1", "2", "inf"]),
        "a": st.floats(0.1, 10), "b": st.floats(0.1, 10)})


@register("distance-pseudometric",
          statement="Every STARC distance (val, minimal, epic, dard, none x L1, L2, Linf), EPIC "
                    "and DARD is a pseudometric on [0, 1], invariant to positive scaling; "
                    "STARC-VAL/minimal is 0 on k (R + shaping + S'R) and d(R, -R) = 1.",
          provenance="reconstructed", area="distances",
          tests=("tests/test_distances.py::test_pseudometric_laws",
                 "tests/test_distances.py::test_zero_iff_equivalent",
                 "tests/test_distances.py::test_positive_scaling_invariance",
                 "tests/test_distances.py::test_pairwise_matches_pairs_and_is_shared",
                 "tests/test_distances.py::test_norms_and_normalize",
                 "tests/test_distances.py::test_errors_are_typed_and_named"),
          strategy=_pseudometric_strategy)
def _distance_pseudometric(inst):
    from ..distances import dard_distance, epic_distance, starc_distance
    from ..equivalence import ambiguity
    from ..transforms import PotentialShaping, SPrimeRedistribution

    mdp = inst.mdp
    R1, R2, R3 = (inst.reward(k) for k in ("R1", "R2", "R3"))
    method = inst.params["method"]
    norm = {"1": 1, "2": 2, "inf": math.inf}[inst.params["norm"]]
    a, b = float(inst.params["a"]), float(inst.params["b"])
    fns = {"starc": lambda x, y: _quiet(starc_distance, x, y, mdp, method, norm),
           "epic": lambda x, y: epic_distance(x, y, mdp),
           "dard": lambda x, y: dard_distance(x, y, mdp)}
    fails = []
    for name, f in fns.items():
        d12, d21, d13, d23, d11 = f(R1, R2), f(R2, R1), f(R1, R3), f(R2, R3), f(R1, R1)
        if abs(d12 - d21) > 1e-12 or d11 > 1e-12 or not 0.0 <= d12 <= 1.0 or \
                d13 > d12 + d23 + 1e-12:
            fails.append(f"{name}: d12 {d12}, d21 {d21}, d11 {d11}, d13 {d13}, d23 {d23}")
        if abs(f(a * R1, b * R2) - d12) > 1e-9:
            fails.append(f"{name}: not invariant to positive scaling")
    # exact: zero on k (R + shaping + S'R), one on -R, positive on generic pairs
    rng = np.random.default_rng(int(inst.params["seed"]))
    S, A = mdp.n_states, mdp.n_actions
    R = _generic(rng, (S, A, S))
    k = Fraction(int(rng.integers(1, 20)), int(rng.integers(1, 20)))
    sh = k * PotentialShaping(_generic(rng, (S,))).apply(R, mdp)
    both = SPrimeRedistribution.sample(mdp, rng).apply(sh, mdp)
    for m in _STARC:
        if _quiet(starc_distance, R, both, mdp, m, norm) != 0.0:
            fails.append(f"{m}: distance to k (R + shaping + S'R) is not 0")
    if epic_distance(R, sh, mdp) != 0.0 or dard_distance(R, sh, mdp) != 0.0:
        fails.append("EPIC/DARD: distance to k (R + shaping) is not 0")
    if S * (A - 1) >= 2:
        G = _generic(rng, (S, A, S))
        if ambiguity(mdp, "mce").contains(G - R):
            fails.append("generic pair is equivalent")
        for m in _STARC:
            kw = {"unreachable": "ignore"}
            if not starc_distance(R, G, mdp, m, norm, **kw) > 1e-6 or \
                    starc_distance(R, -R, mdp, m, norm, **kw) != 1.0:
                fails.append(f"{m}: generic pair not positive or d(R, -R) != 1")
        if epic_distance(R, -R, mdp) != 1.0:
            fails.append("EPIC(R, -R) != 1")
    return not fails, f"failed {fails}" if fails else \
        f"{method}/L{inst.params['norm']}, EPIC, DARD: pseudometric laws, scaling, zeros hold"


# ---------------------------------------------------------------------- closed forms
def _closed_forms_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    @st.composite
    def build(draw):
        mdp = draw(ist.mdps(horizon=st.none(), max_states=4, max_actions=3,
                            exact=st.booleans()))
        R = draw(ist.rewards(mdp, exact=mdp.is_exact))
        S, A = mdp.n_states, mdp.n_actions
        return Instance(mdp, {"R": R}, {
            "ds": draw(ist.distributions(S, exact=mdp.is_exact)),
            "da": draw(ist.distributions(A, exact=mdp.is_exact)),
            "pi": draw(ist.policies(mdp))})

    return build()


def _iterative_advantage(mdp, R, pi, sweeps=3000):
    from ..reward import broadcast_reward

    P = _as_float(mdp.transitions)
    r = (P * _as_float(broadcast_reward(R, mdp))).sum(axis=2)
    g = float(mdp.gamma)
    V = np.zeros(mdp.n_states)
    for _ in range(sweeps):
        V = (pi * (r + g * P @ V)).sum(axis=1)
    return r + g * P @ V - V[:, None]


@register("epic-dard-closed-forms", identity=True,
          statement="EPIC's closed form R + gamma g(s') - g(s) - gamma gbar equals its defining "
                    "expectation, efficient DARD equals the naive 5-D formula, and VAL by one "
                    "linear solve equals iterative policy evaluation.",
          provenance="derived", area="distances",
          tests=("tests/test_distances.py::test_epic_dard_closed_forms_match_definitions",
                 "tests/test_distances.py::test_dard_dense_and_sparse_paths_agree"),
          strategy=_closed_forms_strategy)
def _epic_dard_closed_forms(inst):
    from .. import reference
    from ..distances import dard_canonical, epic_canonical, val_canonical

    mdp, R = inst.mdp, inst.reward("R")
    ds, da = inst.array("ds"), inst.array("da")
    if not mdp.is_exact:
        ds, da = _as_float(ds), _as_float(da)
    e = epic_canonical(R, mdp, state_dist=ds, action_dist=da)
    en = reference.epic_canonical_naive(R, mdp, ds, da)
    d = dard_canonical(R, mdp, action_dist=da)
    dn = reference.dard_canonical_naive(R, mdp, da)
    if mdp.is_exact:
        ok_e, ok_d = e.tolist() == en.tolist(), d.tolist() == dn.tolist()
    else:
        ok_e = bool(np.max(np.abs(e - en)) <= 1e-10)
        ok_d = bool(np.max(np.abs(d - dn)) <= 1e-10)
    pi = _as_float(inst.array("pi"))
    verr = float(np.max(np.abs(_as_float(val_canonical(_as_float(R), mdp, policy=pi)) -
                               _iterative_advantage(mdp, R, pi))))
    return (ok_e and ok_d and verr <= 1e-8,
            f"{'exact' if mdp.is_exact else 'float'}: EPIC = definition {ok_e}, DARD = naive "
            f"{ok_d}, VAL vs iteration {verr:.1e}")


# ---------------------------------------------------------------------- EPIC vs S'R
@register("epic-not-sprime-invariant",
          statement="EPIC and DARD remove shaping but not S'-redistribution: Case B rewards with "
                    "equal r(s, a) have EPIC 0.503 and DARD 0.370 (> 0) while STARC-VAL is 0; EPIC "
                    "also reads impossible transitions.",
          provenance="derived", area="distances",
          tests=("tests/test_distances.py::test_case_b_numbers",
                 "tests/test_distances.py::test_epic_dard_not_sprime_invariant",
                 "tests/test_distances.py::test_case_f_epic_reads_impossible_transitions"),
          strategy=lambda: __import__("hypothesis").strategies.just(
              Instance(_case_b()[0], {"Rb": _case_b()[1], "Z": _case_b()[2]})),
          examples=1)
def _epic_not_sprime_invariant(inst):
    from .. import examples
    from ..behaviour import optimal_actions
    from ..distances import dard_distance, epic_canonical, epic_distance, starc_distance
    from ..reward import expected_reward
    from ..transforms import SPrimeRedistribution

    mdp, Rb, Z = inst.mdp, inst.reward("Rb"), inst.reward("Z")
    same_r = expected_reward(mdp, Rb).tolist() == expected_reward(mdp, Z).tolist()
    e, d = epic_distance(Rb, Z, mdp), dard_distance(Rb, Z, mdp)
    s = starc_distance(Rb, Z, mdp)
    caseb = same_r and e > 0.5 and d > 0.35 and s == 0.0
    # a random stochastic MDP and a sampled S'R (the test's seeded instance)
    m = examples.get("random-v0", n_states=5, n_actions=2, support=3, seed=2)
    rng = np.random.default_rng(1)
    R = _generic(rng, (5, 2, 5))
    R2 = SPrimeRedistribution.sample(m, rng).apply(R, m)
    e2, d2 = epic_distance(R, R2, m), dard_distance(R, R2, m)
    rand = e2 > 0.05 and d2 > 0.05 and starc_distance(R, R2, m) == 0.0
    # impossible transitions: R - k C(R) there keeps optimal sets and STARC 0, EPIC grows
    m6 = examples.get("random-v0", n_states=6, n_actions=3, support=2, seed=11)
    poss = np.asarray(m6.support)
    R6 = _generic(np.random.default_rng(5), (6, 3, 6))
    C6 = epic_canonical(R6, m6)
    epics = []
    for k in (1, 100):
        X = R6.copy()
        X[~poss] = R6[~poss] - k * C6[~poss]
        if optimal_actions(m6, X).tolist() != optimal_actions(m6, R6).tolist() or \
                starc_distance(R6, X, m6) != 0.0:
            return False, "a change on impossible transitions changed the optimal sets or STARC"
        epics.append(epic_distance(R6, X, m6))
    imp = epics[0] > 0.2 and epics[1] > 0.9
    return (bool(caseb and rand and imp),
            f"Case B: equal r {same_r}, EPIC {e:.3f}, DARD {d:.3f}, STARC {s}; random S'R: EPIC "
            f"{e2:.3f}, DARD {d2:.3f}; impossible-transition change: EPIC {epics}")


# ---------------------------------------------------------------------- minimal L2
def _minimal_strategy():
    from hypothesis import strategies as st

    return _instances(max_states=4, extra={"w": st.lists(st.floats(0.2, 5.0),
                                                         min_size=64, max_size=64)})


@register("minimal-l2-closed-form",
          statement="For weights W > 0 the minimal weighted-L2 canonicalisation is r_{Phi*} alpha "
                    "P / W (one least-squares solve), zero on impossible transitions; with unit "
                    "weights it is the orthogonal projection onto N^perp.",
          provenance="derived", area="distances",
          tests=("tests/test_distances.py::test_minimal_closed_form_vs_generic_projection",
                 "tests/test_distances.py::test_case_a_numbers"),
          strategy=_minimal_strategy)
def _minimal_l2(inst):
    from ..distances import minimal_canonical, reward_norm
    from ..equivalence import ambiguity
    from ..linalg import Subspace
    from ..reward import broadcast_reward

    mdp, R = inst.mdp, inst.reward("R")
    S, A = mdp.n_states, mdp.n_actions
    rng = np.random.default_rng(int(inst.params["seed"]))
    x = broadcast_reward(R, mdp).reshape(-1)
    c = minimal_canonical(R, mdp)
    B = Subspace.span(_dense_N_basis(mdp))
    proj = (x - B.project(x)).tolist() == c.reshape(-1).tolist()
    cls = ambiguity(mdp, "mce").canonical(R).tolist() == c.tolist()
    W = np.array(inst.params["w"][:S * A * S], dtype=float).reshape(S, A, S)
    cw = minimal_canonical(_as_float(R), mdp, weights=W)
    Bf = _as_float(_dense_N_basis(mdp))
    sw = np.sqrt(W.reshape(-1))
    coef = np.linalg.lstsq(sw[:, None] * Bf, sw * _as_float(x), rcond=None)[0]
    err = float(np.max(np.abs(cw.reshape(-1) - (_as_float(x) - Bf @ coef))))
    scale = max(1.0, float(np.abs(_as_float(x)).max()))
    zeros = bool(np.all(cw[~np.asarray(mdp.support)] == 0))
    n0 = reward_norm(cw, weights=W)
    minimal = all(n0 <= reward_norm((_as_float(x) + Bf @ rng.normal(size=Bf.shape[1])).reshape(
        S, A, S), weights=W) * (1 + 1e-12) for _ in range(3))
    ok = proj and cls and err <= 1e-9 * scale and zeros and minimal
    return ok, (f"exact projection {proj}, = RewardClass.canonical {cls}; weighted: lstsq error "
                f"{err:.1e}, zero off support {zeros}, minimal among samples {minimal}")


# ---------------------------------------------------------------------- Pearson
def _pearson_strategy():
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        n = draw(st.integers(2, 12))
        vec = st.lists(st.floats(-100, 100), min_size=n, max_size=n)
        return Instance(None, {}, {"x": draw(vec), "y": draw(vec),
                                   "w": draw(st.lists(st.floats(0.01, 1), min_size=n,
                                                      max_size=n))})

    return build()


@register("pearson-identity", identity=True,
          statement="sqrt((1 - rho_w(x, y)) / 2) = 1/2 ||x~ - y~||_{L2(w)}; pearson_distance "
                    "computes it; zero-variance vectors standardise to 0 (0 between constants, "
                    "1/2 against a non-constant vector, never NaN).",
          provenance="derived", area="distances",
          tests=("tests/test_distances.py::test_pearson_identity",
                 "tests/test_distances.py::test_case_b_numbers"),
          strategy=_pearson_strategy)
def _pearson_identity(inst):
    from ..distances import pearson_distance

    x, y, w = (np.array(inst.params[k], dtype=float) for k in ("x", "y", "w"))
    n = len(x)
    d = pearson_distance(x, y, w)
    p = w / w.sum()
    cx, cy = x - p @ x, y - p @ y
    vx, vy = p @ (cx * cx), p @ (cy * cy)
    ok, detail = True, f"d = {d:.6g}"
    if vx > (1e-6 * max(1, np.abs(x).max())) ** 2 and vy > (1e-6 * max(1, np.abs(y).max())) ** 2:
        rho = (p @ (cx * cy)) / math.sqrt(vx * vy)
        want = math.sqrt(max(0.0, (1 - rho) / 2))
        ok = abs(d - want) <= 1e-6
        detail += f", textbook sqrt((1 - rho)/2) = {want:.6g}"
    ok = ok and not math.isnan(d) and 0 <= d <= 1 + 1e-9
    ok = ok and pearson_distance(np.full(n, 3.0), np.full(n, -2.0), w) == 0.0
    ok = ok and pearson_distance(np.full(n, 3.0), np.arange(n, dtype=float), w) == 0.5
    ok = ok and pearson_distance([1, 2, 4], [2, 4, 8]) == 0.0
    return bool(ok), detail + "; constants give 0 and 1/2"


# ---------------------------------------------------------------------- unreachable mask
def _unreachable_strategy():
    from hypothesis import strategies as st

    from .equivalence import _closed_block_mdps

    @st.composite
    def build(draw):
        from ..testing import strategies as ist

        mdp = draw(_closed_block_mdps(max_states=4, max_actions=2))
        R = draw(ist.rewards(mdp, arity=3, exact=True))
        return Instance(mdp, {"R": R}, {"seed": draw(st.integers(0, _SEED_MAX))})

    return build()


@register("starc-unreachable-mask",
          statement="Rewards differing only at unreachable states have equal J for every policy; "
                    "masked STARC (default) gives 0 with UnreachableStatesWarning, and masked VAL "
                    "forms are the whole-MDP advantages restricted to reachable states.",
          provenance="derived", area="distances",
          tests=("tests/test_distances.py::test_case_d_unreachable_mask",),
          strategy=_unreachable_strategy)
def _starc_unreachable_mask(inst):
    from .. import reference
    from ..distances import pairwise_distances, starc_distance, val_canonical
    from ..errors import InvalidMDPError, UnreachableStatesWarning
    from ..graph import reachable_states

    mdp, R1 = inst.mdp, inst.reward("R")
    rng = np.random.default_rng(int(inst.params["seed"]))
    reach = np.asarray(reachable_states(mdp), dtype=bool)
    R2 = R1.copy()
    R2[~reach] = -50 * R1[~reach] + _generic(rng, R1[~reach].shape)
    _, J = reference.deterministic_policy_returns(mdp, [R1, R2])
    same_J = J[0].tolist() == J[1].tolist()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        d = {m: starc_distance(R1, R2, mdp, m) for m in _STARC}
        M = pairwise_distances([R1, R2, -R1], mdp)
    warned = any(issubclass(w.category, UnreachableStatesWarning) for w in rec)
    try:
        starc_distance(R1, R2, mdp, unreachable="raise")
        raised = False
    except InvalidMDPError:
        raised = True
    c1 = val_canonical(R1, mdp)
    R3 = R1.copy()
    R3[reach] = _generic(rng, R1[reach].shape)
    d13 = _quiet(starc_distance, R1, R3, mdp)
    c3 = val_canonical(R3, mdp)
    u, v = _as_float(c1[reach]), _as_float(c3[reach])
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    su = u / nu if nu > 1e-12 else u
    sv = v / nv if nv > 1e-12 else v
    expect = 0.5 * float(np.linalg.norm(su - sv))
    restr = abs(d13 - expect) <= 1e-9
    ok = (same_J and all(x == 0.0 for x in d.values()) and warned and raised and restr
          and M[0, 1] == 0.0 and (M[0, 2] == 1.0 or nu <= 1e-12))
    return bool(ok), (f"{int(reach.sum())}/{mdp.n_states} reachable: equal J on {J.shape[1]} "
                      f"policies {same_J}, masked distances {d}, warned {warned}, 'raise' "
                      f"{raised}, masked VAL = restriction {restr} ({d13:.4g} vs {expect:.4g})")
