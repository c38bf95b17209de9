"""Symbolic identifiability: generic verdicts over QQ(params) and the exceptional set.

Claims: proofs/symbolic-generic-verdict.md, proofs/symbolic-exceptional-set.md,
proofs/symbolic-known-families.md, proofs/symbolic-ambiguity-dimension.md.
"""

import io
import json
import random

import pytest
import sympy
from hypothesis import given, settings, strategies as st

import identifiability as idf
from identifiability.errors import InvalidMDPError, InvalidParameterError
from identifiability.graph import coverage_time
from identifiability.identify import gamma_system
from identifiability.infinite import action_difference_matrix
from identifiability.symbolic import (AMBIGUITY_MODELS, SymbolicMDP, SymbolicReport,
                                      ambiguity_dim, generic_rank, identify_experts_symbolic,
                                      identify_symbolic, parametric_sweep, random_family)

# action 0 moves w.p. p, action 1 w.p. 1 - p: the actions coincide exactly at p = 1/2
SWITCH = [[["1-p", "p"], ["p", "1-p"]], [["p", "1-p"], ["1-p", "p"]]]
# action 1 moves w.p. p^2 + 1/8: coincides with action 0 where 8 p^2 - 8 p + 1 = 0
ALGEBRAIC = [[["1-p", "p"], ["7/8-p**2", "p**2+1/8"]],
             [["p", "1-p"], ["p**2+1/8", "7/8-p**2"]]]


def _exact_dims(mdp, H):
    rep = idf.identify(mdp, H)
    return {"policy": rep.dim_policy_class, "trajectory": rep.dim_trajectory_class,
            "shared": rep.dim_shared_class}


# ---------------------------------------------------------------------- generic verdict
@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10 ** 6), H=st.integers(1, 4), n=st.integers(2, 4))
def test_generic_verdict_agrees_with_exact_verdicts_at_random_rational_points(seed, H, n):
    m = random_family(n, 2, seed=seed, horizon=H)
    rep = identify_symbolic(m, seed=seed)
    out = parametric_sweep(m, n=4, seed=seed, report=rep)
    assert out["ok"], out["mismatches"]
    assert len(out["checked"]) >= 4


@pytest.mark.parametrize("H", [1, 2, 3, 4])
def test_generic_verdict_chain_with_symbolic_slip_and_discount(H):
    det = idf.examples.chain(3)
    m = SymbolicMDP.with_slip(det, horizon=H)
    # gamma as a second parameter
    m = SymbolicMDP.from_entries(m.entries(), 3, 2, m.initial, gamma="g", horizon=H,
                                 parameters={"p": "0 < p < 1", "g": "0 < g <= 1"})
    rep = identify_symbolic(m)
    assert parametric_sweep(m, n=5, seed=H, report=rep)["ok"]


def test_generic_rank_bounds_the_rank_at_every_point_and_drops_only_on_its_factors():
    p, q = sympy.symbols("p q")
    rng = random.Random(3)
    for _ in range(5):
        M = [[rng.choice([0, 1, p, q, p * q - 1, 1 - p]) for _ in range(4)] for _ in range(5)]
        M[4] = [M[0][j] + p * M[1][j] for j in range(4)]       # a generic dependency
        r, factors = generic_rank(M, [p, q])
        assert r == sympy.Matrix(M).rank()
        for _ in range(10):
            pt = {p: sympy.Rational(rng.randint(-9, 9), rng.randint(1, 9)),
                  q: sympy.Rational(rng.randint(-9, 9), rng.randint(1, 9))}
            rk = sympy.Matrix(M).subs(pt).rank()
            assert rk <= r
            if rk < r:
                assert any(f.subs(pt) == 0 for f in factors)


# ---------------------------------------------------------------------- exceptional set
def test_exceptional_point_half_jumps_and_nowhere_else():
    m = SymbolicMDP(SWITCH, initial=[1, 0], horizon=3, parameters={"p": "0 < p < 1"})
    rep = idf.identify(m)                       # dispatches on a SymbolicMDP
    assert isinstance(rep, SymbolicReport)
    assert rep.verdicts() == {"weak": True, "almost_strong": True, "strong": True}
    assert [e.values for e in rep.exceptional] == [{sympy.Symbol("p"): sympy.Rational(1, 2)}]
    e = rep.exceptional[0]
    exact = _exact_dims(m.substitute({"p": "1/2"}), 3)
    assert e.dims == exact and exact != rep.dims()
    assert e.verdicts["strong"] is False
    assert idf.verify_witness(m.substitute({"p": "1/2"}), e.report.witness, 3)
    assert "except p = 1/2" in rep.explain()
    out = parametric_sweep(m, n=15, seed=1, report=rep)
    assert out["ok"]
    # nowhere else among sampled values
    assert all(dims == rep.dims() for pt, dims, _ in out["checked"]
               if pt[sympy.Symbol("p")] != sympy.Rational(1, 2))


def test_exceptional_algebraic_points_match_an_independent_rank_at_the_root():
    m = SymbolicMDP(ALGEBRAIC, initial=[1, 0], horizon=3, parameters={"p": "0 < p < 9/10"})
    rep = identify_symbolic(m)
    assert rep.strong
    pts = [e for e in rep.exceptional if e.kind == "point"]
    assert len(pts) == 2 and all(e.report is None for e in pts)
    p = sympy.Symbol("p")
    mdp0 = m.substitute(rep.generic_point)
    G = gamma_system(mdp0, 3)
    for e in pts:
        root = e.values[p]
        assert sympy.simplify(8 * root ** 2 - 8 * root + 1) == 0
        # independent: the Gamma system at the algebraic number, ranked by sympy
        val = {k: sympy.nsimplify(v) for k, v in e.values.items()}
        P = {(s, a, sn): v.subs(val) for s, a, sn, v in m.entries()}
        M = sympy.zeros(*G.shape)
        for i, j, v in zip(G.rows.tolist(), G.cols.tolist(), G.vals.tolist()):
            rl, cl = G.row_labels[i], G.col_labels[j]
            if cl[0] == "nu" and cl[1] == rl[1] + 1:
                M[i, j] += P[(rl[2], rl[3], cl[2])]
            else:
                M[i, j] += sympy.Rational(v.numerator, v.denominator)
        dim = G.shape[1] - M.rank(simplify=True)
        assert dim == e.dims["policy"] == 2
    assert parametric_sweep(m, n=10, report=rep)["ok"]


def test_vanishing_pivot_without_a_rank_drop_is_not_reported():
    # Cao's Example 1 with symbolic gamma at H = 3: the pivot factor g - 1 has the root
    # g = 1 in the domain, but the dimension does not jump there
    m = _cao_gamma()
    rep = identify_symbolic(m, 3)
    cands = {c["factor"]: c for c in rep.candidates}
    assert "g - 1" in cands and "pivot" in cands["g - 1"]["source"]
    assert rep.exceptional == ()
    assert _exact_dims(m.substitute({"g": 1}, horizon=3), 3) == rep.dims()


def test_support_change_is_a_candidate_and_decided_exactly():
    # slip on [0, 1]: p = 0 makes the chain deterministic (support changes), p = 1 makes
    # the two actions identical
    m = SymbolicMDP.with_slip(idf.examples.chain(2), domain="0 <= p <= 1", horizon=3)
    rep = identify_symbolic(m)
    p = sympy.Symbol("p")
    vals = {e.values[p] for e in rep.exceptional}
    for v in (0, 1):
        jump = _exact_dims(m.substitute({p: v}), 3) != rep.dims()
        assert (v in vals) == jump
    assert 1 in vals
    assert parametric_sweep(m, n=8, report=rep)["ok"]


# ---------------------------------------------------------------------- known families
def test_two_state_chain_with_slip_is_strong_except_full_slip():
    m = SymbolicMDP.with_slip(idf.examples.chain(2), domain="0 < p <= 1", horizon=3)
    rep = identify_symbolic(m)
    assert rep.strong
    assert [(str(e.equation), e.values[sympy.Symbol("p")]) for e in rep.exceptional] == \
        [("p - 1", 1)]
    # at p = 1 both actions are uniform: D = T(1) - T(0) = 0 and the action difference is free
    assert rep.exceptional[0].verdicts["strong"] is False


def test_slippery_gridworld_3x3_at_2T_plus_1_is_strong_for_every_slip():
    det = idf.examples.gridworld(3, 3)
    T = coverage_time(det, start=0)
    m = SymbolicMDP.with_slip(det, horizon=2 * T + 1)
    rep = identify_symbolic(m)
    assert rep.strong and rep.exceptional == ()
    full = identify_symbolic(SymbolicMDP.with_slip(det, domain="0 < p <= 1", horizon=2 * T + 1))
    assert [e.values for e in full.exceptional] == [{sympy.Symbol("p"): 1}]
    assert parametric_sweep(m, n=3, report=rep)["ok"]


def _cao_gamma():
    m = idf.examples.cao2021_example1()
    src, act, dst, _ = m.entries()
    ent = [(s, a, sn, 1) for s, a, sn in zip(src.tolist(), act.tolist(), dst.tolist())]
    return SymbolicMDP.from_entries(ent, m.n_states, m.n_actions, [1, 0, 0], gamma="g",
                                    parameters={"g": "0 < g <= 1"})


def test_cao_example1_with_symbolic_discount_reproduces_the_gamma_erratum():
    # theory note §13 erratum 2: dim K_Gamma = 5, 3, 2, 2, 1, 1 at gamma = 1 and
    # 5, 3, 2, 1, 1, 1 for gamma < 1; the symbolic answer: generic dims are the gamma < 1
    # ones and gamma = 1 is exceptional exactly at H = 4
    m = _cao_gamma()
    generic, at_one = [], []
    for H in range(1, 7):
        rep = identify_symbolic(m, H)
        generic.append(rep.dim_policy_class)
        ex = {e.values[sympy.Symbol("g")]: e.dims["policy"] for e in rep.exceptional}
        at_one.append(ex.get(1, rep.dim_policy_class))
        assert _exact_dims(m.substitute({"g": 1}, horizon=H), H)["policy"] == at_one[-1]
    assert generic == [5, 3, 2, 1, 1, 1]
    assert at_one == [5, 3, 2, 2, 1, 1]


@pytest.mark.parametrize("seed", [0, 1, 2, 5])
def test_two_symbolic_discounts_generic_dim_is_dim_ker_D_and_g1_equals_g2_is_exceptional(seed):
    base = idf.examples.random_mdp(3, 2, support=2, seed=seed)
    ent = [(s, a, sn, p) for s, a, sn, p in zip(*[x.tolist() for x in base.entries()])]
    e1 = SymbolicMDP.from_entries(ent, 3, 2, gamma="g1", parameters={"g1": "0 < g1 < 1"})
    e2 = SymbolicMDP.from_entries(ent, 3, 2, gamma="g2", parameters={"g2": "0 < g2 < 1"})
    out = identify_experts_symbolic([e1, e2])
    D = action_difference_matrix(base, exact=True)
    dim_ker_D = 3 - sympy.Matrix(D.tolist()).rank()
    assert out["generic_dim"] == dim_ker_D
    assert out["identifiable"] == (dim_ker_D == 1)
    comps = [e for e in out["exceptional"] if str(e["equation"]) == "g1 - g2"]
    if dim_ker_D < 3:
        assert len(comps) == 1 and comps[0]["dim"] == 3 and comps[0]["dim_at_point"] == 3
    assert all(str(e["equation"]) == "g1 - g2" for e in out["exceptional"])


# ---------------------------------------------------------------------- the symbolic MDP
def test_symbolic_mdp_validation_names_the_problem():
    with pytest.raises(InvalidMDPError, match="row .state 0, action 0. sums to"):
        SymbolicMDP([[["1-p", "2*p"]], [[0, 1]]], parameters={"p": "0 < p < 1"})
    with pytest.raises(InvalidMDPError, match="negative"):
        SymbolicMDP([[["1-2*p", "2*p"]], [[0, 1]]], parameters={"p": "0 < p < 1"})
    with pytest.raises(InvalidMDPError, match="not a declared parameter"):
        SymbolicMDP([[["1-q", "q"]], [[0, 1]]], parameters={"p": "0 < p < 1"})
    with pytest.raises(InvalidMDPError, match="rational function"):
        SymbolicMDP([[["1-sqrt(p)", "sqrt(p)"]], [[0, 1]]], parameters={"p": "0 < p < 1"})
    with pytest.raises(InvalidParameterError, match="cannot read the constraint"):
        SymbolicMDP([[[1]]], parameters={"p": "p is small"})
    m = SymbolicMDP([[["1-2*p", "2*p"]], [[0, 1]]], parameters={"p": "0 < p <= 1/2"},
                    horizon=2)
    with pytest.raises(InvalidParameterError, match="outside the domain"):
        m.substitute({"p": "3/4"})
    assert m.substitute({"p": "1/2"}).is_deterministic


def test_substitute_equals_the_example_builders():
    m = SymbolicMDP.with_slip(idf.examples.gridworld(3, 3, horizon=4))
    for v in ("1/10", "1/3"):
        assert m.substitute({"p": v}) == idf.examples.gridworld(3, 3, slip=v, horizon=4)


# ---------------------------------------------------------------------- io and cli
def _doc():
    return {"format": "identifiability.mdp/1", "n_states": 2, "n_actions": 2, "horizon": 3,
            "parameters": {"p": "0 < p < 1"}, "initial": [1, 0],
            "transitions": [[0, 0, 0, "1-p"], [0, 0, 1, "p"], [0, 1, 0, "p"],
                            [0, 1, 1, "1-p"], [1, 0, 0, "p"], [1, 0, 1, "1-p"],
                            [1, 1, 0, "1-p"], [1, 1, 1, "p"]]}


def test_json_with_parameters_reads_a_symbolic_mdp(tmp_path):
    from identifiability.io import from_dict, loads

    m = from_dict(_doc())
    assert isinstance(m, SymbolicMDP)
    ref = SymbolicMDP(SWITCH, initial=[1, 0], horizon=3, parameters={"p": "0 < p < 1"})
    assert m.substitute({"p": "1/3"}) == ref.substitute({"p": "1/3"})
    with pytest.raises(InvalidMDPError, match="rewards"):
        from_dict(dict(_doc(), rewards={}))
    # documents without parameters are unchanged
    assert loads(json.dumps({k: v for k, v in _doc().items() if k != "parameters"}
                            | {"transitions": [[0, 0, 0, 1], [0, 1, 1, 1], [1, 0, 0, 1],
                                               [1, 1, 1, 1]]})).is_exact


def test_cli_check_prints_generic_verdict_and_exceptional_set(tmp_path):
    from identifiability.cli import main

    path = tmp_path / "family.json"
    path.write_text(json.dumps(_doc()))
    out = io.StringIO()
    assert main(["check", str(path)], out=out) == 0
    text = out.getvalue()
    assert "generic strong         yes" in text and "except p = 1/2" in text
    out = io.StringIO()
    assert main(["check", str(path), "--json"], out=out) == 0
    data = json.loads(out.getvalue())
    assert data["generic"]["strong"] is True
    assert data["exceptional"][0]["values"] == {"p": "1/2"}
    assert data["exceptional"][0]["dims"] == _exact_dims(
        SymbolicMDP(SWITCH, initial=[1, 0], horizon=3,
                    parameters={"p": "0 < p < 1"}).substitute({"p": "1/2"}), 3)


# ---------------------------------------------------------------------- class dimensions
_FINITE_MODELS = ("q", "mce", "boltzmann", "mce-trajectories", "boltzmann-trajectories",
                  "fragment-returns", "fragment-comparisons")


def _families_for_ambiguity():
    yield SymbolicMDP(SWITCH, initial=[1, 0], gamma="1/2", parameters={"p": "0 < p < 1"})
    yield SymbolicMDP(SWITCH, initial=[1, 0], horizon=3, parameters={"p": "0 < p < 1"})
    yield SymbolicMDP.with_slip(idf.examples.chain(3), gamma="1/2", domain="0 <= p <= 1")
    yield SymbolicMDP.with_slip(idf.examples.chain(3), domain="0 <= p <= 1", horizon=2)
    yield random_family(3, 2, seed=4, gamma="2/3")


def _models_for(m):
    return AMBIGUITY_MODELS if m.horizon is None else _FINITE_MODELS


def test_ambiguity_dim_generic_equals_exact_at_random_rational_points():
    from identifiability.equivalence import ambiguity

    n = 0
    for k, m in enumerate(_families_for_ambiguity()):
        pts = m.sample(3, seed=k)
        for model in _models_for(m):
            if len(m.parameters) > 1 and model not in ("q", "mce", "fragment-returns"):
                continue
            for d in ("s", "sa", "sas"):
                res = ambiguity_dim(m, model, d)
                for pt in pts + [res.generic_point]:
                    if any(sympy.cancel(sympy.sympify(c["factor"]).subs(pt)) == 0
                           for c in res.candidates):
                        continue
                    N = ambiguity(m.substitute(pt), model, domain=d)
                    assert N.dim == res.dim, (k, model, d, pt)
                    if d != "sas" or N.ambient_dim <= 32:
                        assert N.basis.dim == res.dim       # an independent null space
                    n += 1
                assert res.ambient_dim - res.identifiable_dim == res.dim
    assert n > 150


def test_ambiguity_dim_exceptional_values_really_change_the_dimension():
    from identifiability.equivalence import ambiguity

    jumps = 0
    for m in _families_for_ambiguity():
        if len(m.parameters) > 1:
            continue
        x = m.parameters[0]
        for model in _models_for(m):
            for d in ("s", "sa", "sas"):
                res = ambiguity_dim(m, model, d)
                reported = {e.values[x]: e.dim for e in res.exceptional if e.kind == "point"}
                for v, dim in reported.items():
                    exact = ambiguity(m.substitute({x: v}), model, domain=d).dim
                    assert exact == dim != res.dim
                    jumps += 1
                # nowhere else among the rational candidate roots and a grid of values
                roots = {r for c in res.candidates
                         for r in sympy.Poly(sympy.sympify(c["factor"]), x).real_roots()
                         if r.is_Rational and m.domain.contains({x: r})}
                grid = {sympy.Rational(k, 12) for k in range(13)
                        if m.domain.contains({x: sympy.Rational(k, 12)})}
                for v in (roots | grid) - set(reported):
                    assert ambiguity(m.substitute({x: v}), model, domain=d).dim == res.dim, \
                        (model, d, v)
    assert jumps >= 20


def test_ambiguity_dim_switch_family_by_hand():
    # proofs/symbolic-ambiguity-dimension.md, "The switch family": by hand,
    # gamma = 1/2, infinite horizon: R(s) class = constants (dim 1) except p = 1/2 (dim 2);
    # R(s, a): dim S = 2 for every p; R(s, a, s'): S + S A (S - 1) = 6 for every p.
    # H = 3: R(s, a) class K_Gamma: dim 1 except p = 1/2 (dim 2).
    from identifiability.equivalence import ambiguity

    p = sympy.Symbol("p")
    inf = SymbolicMDP(SWITCH, initial=[1, 0], gamma="1/2", parameters={"p": "0 < p < 1"})
    fin = SymbolicMDP(SWITCH, initial=[1, 0], horizon=3, parameters={"p": "0 < p < 1"})
    half = {p: sympy.Rational(1, 2)}
    for m, d, generic, at_half in ((inf, "s", 1, 2), (inf, "sa", 2, None),
                                   (inf, "sas", 6, None), (fin, "sa", 1, 2),
                                   (fin, "sas", 5, 6), (fin, "s", 1, 2)):
        res = ambiguity_dim(m, "mce", d)
        assert res.dim == generic
        assert [(e.values, e.dim) for e in res.exceptional] == \
            ([] if at_half is None else [(half, at_half)])
        exact = ambiguity(m.substitute(half), "mce", domain=d).dim
        assert exact == (generic if at_half is None else at_half)
        # the constants (1, 1) are in the R(s) class everywhere; (1, 0) only at 1/2
        if d == "s":
            for v, inside in (("1/3", False), ("1/2", True)):
                N = ambiguity(m.substitute({"p": v}), "mce", domain="s")
                assert N.contains([1, 1]) and N.contains([1, 0]) == inside
    text = ambiguity_dim(inf, "mce", "s").explain()
    assert "except p = 1/2" in text and "dim N = 2" in text
    with pytest.raises(InvalidParameterError, match="linear models"):
        ambiguity_dim(inf, "optimal")
    with pytest.raises(InvalidParameterError, match="infinite-horizon"):
        ambiguity_dim(fin, "returns")


def test_ambiguity_dim_algebraic_exceptional_points_match_an_independent_rank():
    # the actions coincide at both states where p = p^2 + 1/8 (8 p^2 - 8 p + 1 = 0)
    m = SymbolicMDP(ALGEBRAIC, initial=[1, 0], gamma="1/2", parameters={"p": "0 < p < 9/10"})
    res = ambiguity_dim(m, "mce", "s")
    p = sympy.Symbol("p")
    pts = [e for e in res.exceptional if e.kind == "point"]
    assert res.dim == 1 and len(pts) == 2
    g = sympy.Rational(1, 2)
    for e in pts:
        root = e.values[p]
        assert sympy.simplify(8 * root ** 2 - 8 * root + 1) == 0
        # independent: N = {x : x(s) = g (P_a phi)(s) - phi(s) for all (s, a)}, i.e. the
        # projection of ker [E | -(g P - E)]: dim = S - rank [E | -(g P - E)] + rank (g P - E)
        P = {(s, a, sn): v.subs(p, sympy.nsimplify(root)) for s, a, sn, v in m.entries()}
        E = sympy.zeros(4, 2)
        Gm = sympy.zeros(4, 2)
        for s in range(2):
            for a in range(2):
                E[2 * s + a, s] = 1
                Gm[2 * s + a, s] -= 1
                for sn in range(2):
                    Gm[2 * s + a, sn] += g * P.get((s, a, sn), 0)
        dim = 2 - sympy.Matrix.hstack(E, -Gm).rank(simplify=True) + Gm.rank(simplify=True)
        assert dim == e.dim == 2


def test_identify_symbolic_any_seed_even_when_a_sample_hits_an_exceptional_value():
    """The exact cross-check point avoids every candidate factor: sampled rationals with
    small denominators often land on p = 1/2, the switch family's exceptional value.

    proofs/symbolic-generic-verdict.md
    """
    from identifiability.symbolic import SymbolicMDP, identify_symbolic

    m = SymbolicMDP([[["1-p", "p"], ["p", "1-p"]], [["p", "1-p"], ["1-p", "p"]]],
                    initial=[1, 0], parameters={"p": "0 < p < 1"})
    for seed in range(12):
        rep = identify_symbolic(m, 3, seed=seed)
        assert rep.strong and [str(e.values) for e in rep.exceptional] == ["{p: 1/2}"]
        assert rep.generic_point[sympy.Symbol("p")] != sympy.Rational(1, 2)


def test_cli_ambiguity_on_a_parameter_family(tmp_path, capsys):
    """``identifiability ambiguity FILE.json`` on a file with parameters prints the generic
    dimension and the exceptional values (claim ``symbolic-ambiguity-dimension``: the switch
    family's R(s) class is 1-dimensional except at p = 1/2, where it is 2-dimensional).

    proofs/symbolic-ambiguity-dimension.md
    """
    from identifiability.cli import main

    doc = {"format": "identifiability.mdp/1", "n_states": 2, "n_actions": 2, "gamma": "1/2",
           "horizon": None, "initial": ["1", "0"], "parameters": {"p": "0 < p < 1"},
           "transitions": [[0, 0, 0, "1-p"], [0, 0, 1, "p"], [0, 1, 0, "p"], [0, 1, 1, "1-p"],
                           [1, 0, 0, "p"], [1, 0, 1, "1-p"], [1, 1, 0, "1-p"], [1, 1, 1, "p"]]}
    path = tmp_path / "family.json"
    path.write_text(json.dumps(doc))
    out = io.StringIO()
    assert main(["ambiguity", str(path), "--model", "mce", "--domain", "s"], out=out) == 0
    assert "except p = 1/2" in out.getvalue()
    out = io.StringIO()
    assert main(["ambiguity", str(path), "--domain", "s", "--json"], out=out) == 0
    data = json.loads(out.getvalue())
    smdp = idf.load(path)
    assert data["dim"] == 1 == idf.symbolic.ambiguity_dim(smdp, "mce", "s").dim
    exact = idf.ambiguity(smdp.substitute({sympy.Symbol("p"): sympy.Rational(1, 2)}),
                          "mce", domain="s")
    assert exact.dim == 2
    assert main(["ambiguity", str(path), "--reward", "[0, 1]"], out=io.StringIO()) == 2
    assert "--reward is not available" in capsys.readouterr().err
