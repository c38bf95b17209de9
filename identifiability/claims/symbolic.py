"""Claims about symbolic (parametric) identifiability (``identifiability.symbolic``).

Instances are small parameter families stored as JSON: the deterministic base MDP as the
instance's MDP (or none for a named family), the family kind and the parameter values
as ``"p/q"`` strings in ``params``; every check rebuilds the
:class:`~identifiability.symbolic.SymbolicMDP` and compares the symbolic answer with
exact computations on substituted MDPs.
"""

from __future__ import annotations

from fractions import Fraction

from ..theorems import Instance, register

_SWITCH = [[["1-p", "p"], ["p", "1-p"]], [["p", "1-p"], ["1-p", "p"]]]

#: The families of :func:`_family`: parameter names and their domains.
_FAMILIES = {
    "slip": {"p": "0 < p < 1"},
    "slip-closed": {"p": "0 <= p <= 1"},
    "discount": {"g": "0 < g <= 1"},
    "slip+discount": {"p": "0 < p < 1", "g": "0 < g <= 1"},
    "switch": {"p": "0 < p < 1"},
}


# ---------------------------------------------------------------------- families
def _family(inst):
    """The SymbolicMDP of an instance (``params["family"]``; base MDP ``inst.mdp``)."""
    import sympy

    from ..symbolic import SymbolicMDP

    fam = inst.params["family"]
    mdp = inst.mdp
    if fam == "switch":
        g = inst.params.get("gamma", "1/2")
        return SymbolicMDP(_SWITCH, initial=[1, 0], gamma=g, horizon=inst.params.get("H"),
                           parameters=_FAMILIES["switch"])
    S, A = mdp.n_states, mdp.n_actions
    if fam in ("slip", "slip-closed"):
        return SymbolicMDP.with_slip(mdp, "p", domain=_FAMILIES[fam]["p"])
    init = [sympy.Rational(Fraction(x)) for x in mdp._initial_exact.tolist()]
    if fam == "discount":
        s, a, sn, p = mdp.entries(exact=True)
        ent = [(int(i), int(j), int(k), sympy.Rational(Fraction(v)))
               for i, j, k, v in zip(s.tolist(), a.tolist(), sn.tolist(), p.tolist())]
    elif fam == "slip+discount":
        ent = SymbolicMDP.with_slip(mdp, "p").entries()
    else:
        raise ValueError(f"unknown family {fam!r}")
    return SymbolicMDP.from_entries(ent, S, A, init, gamma="g", horizon=mdp.horizon,
                                    parameters=_FAMILIES[fam])


def _point(sm, inst):
    """The instance's parameter values as ``{Symbol: Rational}``."""
    import sympy

    by = {s.name: s for s in sm.parameters}
    return {by[k]: sympy.Rational(v) for k, v in inst.params["point"].items()}


def _point_strategy(names_domains):
    """Rational points (small denominators, so that special values are hit) of the
    domains ``{name: "0 < x < 1" | "0 <= x <= 1" | "0 < x <= 1"}``."""
    from hypothesis import strategies as st

    def one(dom):
        lo_open, hi_open = dom.startswith("0 <") and not dom.startswith("0 <="), \
            not dom.endswith("<= 1")
        return st.fractions(0, 1, max_denominator=6).filter(
            lambda x: not (lo_open and x == 0) and not (hi_open and x == 1)).map(str)

    return st.fixed_dictionaries({k: one(v) for k, v in names_domains.items()})


def _family_instances(families=("slip", "slip-closed", "discount", "slip+discount")):
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    @st.composite
    def build(draw):
        fam = draw(st.sampled_from(families))
        max_states = 2 if fam == "slip+discount" else 3
        mdp = draw(ist.deterministic_mdps(max_states=max_states, min_actions=2, max_actions=2,
                                          horizon=st.integers(1, 3)))
        pt = draw(_point_strategy(_FAMILIES[fam]))
        return Instance(mdp, {}, {"family": fam, "point": pt})

    return build()


def _exact_dims(mdp):
    from ..symbolic import _exact_dims as dims

    return dims(mdp, mdp.horizon)[0]


def _on(factor_strings, sm, pt):
    """The candidate factors (strings of a report) that vanish at ``pt``."""
    import sympy

    loc = {s.name: s for s in sm.parameters}
    return [f for f in factor_strings
            if sympy.cancel(sympy.sympify(f, locals=loc).xreplace(pt)) == 0]


def _piece_dims(rep, pt, attr="dims"):
    """The dims of the reported exceptional piece containing ``pt`` (points first), the
    generic ones when none does, and None for an undecided piece."""
    import sympy

    for e in rep.exceptional:
        if e.kind == "point" and e.values is not None and \
                all(pt.get(k) == v for k, v in e.values.items()):
            return getattr(e, attr)
    for e in rep.exceptional:
        if e.kind != "point" and sympy.cancel(e.equation.xreplace(pt)) == 0:
            return getattr(e, attr)
    return rep.dims() if attr == "dims" else rep.dim


# ---------------------------------------------------------------------- generic verdict
@register("symbolic-generic-verdict",
          statement="For a family with entries rational in parameters, identify_symbolic's "
                    "dimensions over QQ(params) equal the exact dimensions of identify at "
                    "every domain point off a proper algebraic subset (no candidate factor "
                    "vanishes there).",
          provenance="derived", area="symbolic",
          tests=("tests/test_symbolic.py::test_generic_verdict_agrees_with_exact_verdicts_at_random_rational_points",
                 "tests/test_symbolic.py::test_generic_verdict_chain_with_symbolic_slip_and_discount",
                 "tests/test_symbolic.py::test_generic_rank_bounds_the_rank_at_every_point_and_drops_only_on_its_factors"),
          strategy=_family_instances)
def _symbolic_generic_verdict(inst):
    from ..symbolic import identify_symbolic

    sm = _family(inst)
    rep = identify_symbolic(sm)
    pt = _point(sm, inst)
    exact = _exact_dims(sm.substitute(pt))
    gen = rep.dims()
    at_generic = _exact_dims(sm.substitute(rep.generic_point))
    on = _on([c["factor"] for c in rep.candidates], sm, pt)
    if on:
        want = _piece_dims(rep, pt)
        ok = want is None or exact == want
        where = f"on candidate(s) {on}: expected {want}"
    else:
        ok = exact == gen
        where = f"off every candidate: expected the generic {gen}"
    ok = ok and at_generic == gen
    return ok, (f"{inst.params['family']} at {inst.params['point']}: exact {exact}, {where}; "
                f"generic point {at_generic}")


# ---------------------------------------------------------------------- exceptional set
@register("symbolic-exceptional-set",
          statement="Every domain point where a dimension of identify differs from the generic "
                    "one is a root of a candidate factor (last Bareiss pivot or entry), and "
                    "identify_symbolic reports exactly the candidate roots where it differs.",
          provenance="derived", area="symbolic",
          tests=("tests/test_symbolic.py::test_exceptional_point_half_jumps_and_nowhere_else",
                 "tests/test_symbolic.py::test_exceptional_algebraic_points_match_an_independent_rank_at_the_root",
                 "tests/test_symbolic.py::test_vanishing_pivot_without_a_rank_drop_is_not_reported",
                 "tests/test_symbolic.py::test_support_change_is_a_candidate_and_decided_exactly"),
          strategy=_family_instances)
def _symbolic_exceptional_set(inst):
    import sympy

    from ..symbolic import identify_symbolic

    sm = _family(inst)
    rep = identify_symbolic(sm)
    gen = rep.dims()
    bad = []
    # (a) every reported piece with a rational point really jumps (exact identify there)
    n_rep = 0
    for e in rep.exceptional:
        if e.values is None or not all(v.is_Rational for v in e.values.values()):
            continue
        n_rep += 1
        d = _exact_dims(sm.substitute(e.values, check_domain=False))
        if d != e.dims or d == gen:
            bad.append(f"reported {e.values}: {e.dims}, exact {d}, generic {gen}")
    # (b) one parameter: the rational candidate roots not reported have the generic dims
    n_roots = 0
    if len(sm.parameters) == 1:
        x = sm.parameters[0]
        rep_vals = {e.values[x] for e in rep.exceptional if e.kind == "point"}
        for c in rep.candidates:
            f = sympy.sympify(c["factor"], locals={x.name: x})
            for r in sympy.Poly(f, x).real_roots():
                if not (r.is_Rational and sm.domain.contains({x: r})) or r in rep_vals:
                    continue
                n_roots += 1
                d = _exact_dims(sm.substitute({x: r}, check_domain=False))
                if d != gen:
                    bad.append(f"candidate root {x} = {r} not reported but exact {d} != {gen}")
    # (c) the sampled point: a jump there lies on a reported piece
    pt = _point(sm, inst)
    d = _exact_dims(sm.substitute(pt))
    if d != gen:
        want = _piece_dims(rep, pt)
        if not _on([c["factor"] for c in rep.candidates], sm, pt):
            bad.append(f"jump at {pt} ({d}) off every candidate")
        elif want is not None and want != d:
            bad.append(f"jump at {pt} ({d}) but the report says {want}")
    return not bad, (f"{inst.params['family']}: {len(rep.exceptional)} piece(s) ({n_rep} "
                     f"checked), {n_roots} unreported candidate root(s) checked; "
                     + ("; ".join(bad) if bad else "all consistent"))


# ---------------------------------------------------------------------- known families
_KNOWN = ("switch", "chain-slip", "gridworld", "cao", "two-discounts:0", "two-discounts:5")


def _known_strategy():
    from hypothesis import strategies as st

    return st.sampled_from(_KNOWN).map(lambda c: Instance(None, {}, {"case": c}))


def _known_check(case):
    import sympy

    import identifiability as idf

    from ..symbolic import SymbolicMDP, identify_experts_symbolic, identify_symbolic

    p = sympy.Symbol("p")
    if case == "switch":
        m = SymbolicMDP(_SWITCH, initial=[1, 0], horizon=3, parameters={"p": "0 < p < 1"})
        rep = identify_symbolic(m)
        at = _exact_dims(m.substitute({"p": "1/2"}))
        ok = rep.strong and [e.values for e in rep.exceptional] == [{p: sympy.Rational(1, 2)}] \
            and at["policy"] > 1 and rep.exceptional[0].dims == at
        return ok, f"strong {rep.strong}, exceptional {[e.values for e in rep.exceptional]}, " \
                   f"exact at 1/2 {at}"
    if case == "chain-slip":
        m = SymbolicMDP.with_slip(idf.examples.chain(2), domain="0 < p <= 1", horizon=3)
        rep = identify_symbolic(m)
        at = _exact_dims(m.substitute({"p": 1}))
        ok = rep.strong and [e.values for e in rep.exceptional] == [{p: 1}] and \
            at["policy"] > 1
        return ok, f"strong {rep.strong}, exceptional {[e.values for e in rep.exceptional]}"
    if case == "gridworld":
        from ..graph import coverage_time

        det = idf.examples.gridworld(3, 3)
        T = coverage_time(det, start=0)
        m = SymbolicMDP.with_slip(det, domain="0 < p <= 1", horizon=2 * T + 1)
        rep = identify_symbolic(m)
        at = _exact_dims(m.substitute({"p": 1}))
        ok = T == 4 and rep.strong and [e.values for e in rep.exceptional] == [{p: 1}] and \
            at["policy"] > 1
        return ok, f"T = {T}, strong {rep.strong}, exceptional " \
                   f"{[e.values for e in rep.exceptional]}"
    if case == "cao":
        # theory note §13 erratum 2: dim K_Gamma = 5, 3, 2, 1, 1, 1 for gamma < 1 and
        # 5, 3, 2, 2, 1, 1 at gamma = 1 (H = 1..6); gamma = 1 checked by the exact identify
        base = idf.examples.cao2021_example1()
        src, act, dst, _ = base.entries()
        ent = [(s, a, sn, 1) for s, a, sn in zip(src.tolist(), act.tolist(), dst.tolist())]
        g = sympy.Symbol("g")
        generic, at_one, ok = [], [], True
        for H in range(1, 7):
            m = SymbolicMDP.from_entries(ent, base.n_states, base.n_actions, [1, 0, 0],
                                         gamma="g", horizon=H, parameters={"g": "0 < g <= 1"})
            rep = identify_symbolic(m)
            generic.append(rep.dim_policy_class)
            ex = {e.values[g]: e.dims["policy"] for e in rep.exceptional}
            at_one.append(ex.get(1, rep.dim_policy_class))
            ok = ok and _exact_dims(m.substitute({"g": 1}))["policy"] == at_one[-1] and \
                set(ex) <= {1}
        ok = ok and generic == [5, 3, 2, 1, 1, 1] and at_one == [5, 3, 2, 2, 1, 1]
        return ok, f"generic {generic}, at gamma = 1 {at_one}"
    if case.startswith("two-discounts:"):
        from ..infinite import action_difference_matrix

        ok, notes = True, []
        for seed in (int(case.split(":")[1]),):
            base = idf.examples.random_mdp(3, 2, support=2, seed=seed)
            ent = [(s, a, sn, q) for s, a, sn, q in zip(*[x.tolist() for x in base.entries()])]
            e1 = SymbolicMDP.from_entries(ent, 3, 2, gamma="g1", parameters={"g1": "0 < g1 < 1"})
            e2 = SymbolicMDP.from_entries(ent, 3, 2, gamma="g2", parameters={"g2": "0 < g2 < 1"})
            out = identify_experts_symbolic([e1, e2])
            D = action_difference_matrix(base, exact=True)
            kd = 3 - sympy.Matrix(D.tolist()).rank()
            eqs = [str(e["equation"]) for e in out["exceptional"]]
            ok = ok and out["generic_dim"] == kd and set(eqs) <= {"g1 - g2"}
            if kd < 3:
                comp = [e for e in out["exceptional"] if str(e["equation"]) == "g1 - g2"]
                ok = ok and len(comp) == 1 and comp[0]["dim"] == 3 == comp[0]["dim_at_point"]
            notes.append(f"seed {seed}: generic {out['generic_dim']}, dim ker D {kd}, {eqs}")
        return ok, "; ".join(notes)
    raise ValueError(f"unknown case {case!r}")


@register("symbolic-known-families",
          statement="Known families: the two-action switch is strong on (0, 1) except p = 1/2; "
                    "the slippery 2-chain and the 3x3 gridworld (H = 2T + 1) are strong except "
                    "p = 1; Cao's Example 1 with symbolic gamma jumps at gamma = 1 only for "
                    "H = 4; two discounts: generic dim ker D, g1 = g2 exceptional.",
          provenance="derived", area="symbolic",
          tests=("tests/test_symbolic.py::test_exceptional_point_half_jumps_and_nowhere_else",
                 "tests/test_symbolic.py::test_two_state_chain_with_slip_is_strong_except_full_slip",
                 "tests/test_symbolic.py::test_slippery_gridworld_3x3_at_2T_plus_1_is_strong_for_every_slip",
                 "tests/test_symbolic.py::test_cao_example1_with_symbolic_discount_reproduces_the_gamma_erratum",
                 "tests/test_symbolic.py::test_two_symbolic_discounts_generic_dim_is_dim_ker_D_and_g1_equals_g2_is_exceptional"),
          strategy=_known_strategy, examples=len(_KNOWN))
def _symbolic_known_families(inst):
    return _known_check(inst.params["case"])


# ---------------------------------------------------------------------- class dimensions
_FINITE_OK = ("q", "mce", "boltzmann", "mce-trajectories", "boltzmann-trajectories",
              "fragment-returns", "fragment-comparisons")


def _ambiguity_instances():
    from hypothesis import strategies as st

    from ..symbolic import AMBIGUITY_MODELS
    from ..testing import strategies as ist

    @st.composite
    def build(draw):
        fam = draw(st.sampled_from(("slip", "slip-closed", "switch")))
        H = draw(st.one_of(st.none(), st.integers(1, 3)))
        params = {"family": fam}
        if fam == "switch":
            mdp = None
            if H is None:
                params["gamma"] = draw(st.sampled_from(("1/2", "9/10")))
            else:
                params["H"] = H
            gamma0 = False
        else:
            mdp = draw(ist.deterministic_mdps(max_states=3, min_actions=2, max_actions=2,
                                              horizon=st.none() if H is None else st.just(H)))
            gamma0 = mdp.gamma == 0
        models = [m for m in AMBIGUITY_MODELS if (H is None or m in _FINITE_OK) and
                  not (gamma0 and m in ("returns", "comparisons"))]
        params["model"] = draw(st.sampled_from(models))
        params["domain"] = draw(st.sampled_from(("s", "sa", "sas")))
        params["point"] = draw(_point_strategy(_FAMILIES[fam]))
        return Instance(mdp, {}, params)

    return build()


@register("symbolic-ambiguity-dimension",
          statement="For a linear data source, dim N = n_dom - rank [M | -G] + rank G (or the "
                    "Gamma-system nullity for finite-horizon policy models) over QQ(params) is "
                    "dim ambiguity() off the candidate factors; reported exceptional values "
                    "really change it.",
          provenance="derived", area="symbolic",
          tests=("tests/test_symbolic.py::test_ambiguity_dim_generic_equals_exact_at_random_rational_points",
                 "tests/test_symbolic.py::test_ambiguity_dim_exceptional_values_really_change_the_dimension",
                 "tests/test_symbolic.py::test_ambiguity_dim_switch_family_by_hand",
                 "tests/test_symbolic.py::test_ambiguity_dim_algebraic_exceptional_points_match_an_independent_rank"),
          strategy=_ambiguity_instances)
def _symbolic_ambiguity_dimension(inst):
    import sympy

    from ..equivalence import ambiguity
    from ..symbolic import ambiguity_dim

    sm = _family(inst)
    model, d = inst.params["model"], inst.params["domain"]
    res = ambiguity_dim(sm, model, d)

    def exact(pt):
        return ambiguity(sm.substitute(pt, check_domain=False), model, domain=d).dim

    bad = []
    pt = _point(sm, inst)
    ex = exact(pt)
    on = _on([c["factor"] for c in res.candidates], sm, pt)
    want = _piece_dims(res, pt, attr="dim") if on else res.dim
    if want is not None and ex != want:
        bad.append(f"at {inst.params['point']}: exact {ex}, expected {want}")
    for e in res.exceptional:
        if e.kind == "point" and e.values is not None and \
                all(v.is_Rational for v in e.values.values()):
            dx = exact(e.values)
            if dx != e.dim or dx == res.dim:
                bad.append(f"reported {e.values}: {e.dim}, exact {dx}, generic {res.dim}")
    x = sm.parameters[0]
    rep_vals = {e.values[x] for e in res.exceptional if e.kind == "point"}
    n_roots = 0
    for c in res.candidates:
        f = sympy.sympify(c["factor"], locals={x.name: x})
        for r in sympy.Poly(f, x).real_roots():
            if r.is_Rational and sm.domain.contains({x: r}) and r not in rep_vals:
                n_roots += 1
                if exact({x: r}) != res.dim:
                    bad.append(f"candidate {x} = {r} not reported but exact {exact({x: r})}")
    return not bad, (f"{inst.params['family']} {model!r} {d!r}: generic {res.dim}, exact "
                     f"{ex} at {inst.params['point']}, {len(res.exceptional)} piece(s), "
                     f"{n_roots} unreported root(s); " + ("; ".join(bad) or "consistent"))
