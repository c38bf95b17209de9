"""Claims about the equivalence classes of data sources (``identifiability.equivalence``):
the invariance subspaces, their decisions, dimensions, canonical forms, ordering, the
finite-horizon policy class, the optimal-set cone and the noiseless orders.

The checks follow the cited tests of ``tests/test_equivalence.py``, ``tests/test_ordering.py``,
``tests/test_equivalence_finite.py`` and ``tests/test_noiseless_comparisons.py``: the
observations are recomputed independently (exact forward models, lasso and fragment returns
summed here term by term, reachability by breadth-first search over the dense kernel).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..theorems import Instance, register
from .transforms import _SEED_MAX, _all_exact, _as_float, _instances

_ARITY = {"s": 1, "sa": 2, "sas": 3}
_POLICY = ("boltzmann", "mce", "boltzmann-trajectories", "mce-trajectories")
_RETURNS = ("returns", "comparisons")
_FRAGMENTS = ("fragment-returns", "fragment-comparisons")
_ALL = ("fragment-returns", "fragment-comparisons", "q", "boltzmann", "mce",
        "boltzmann-trajectories", "mce-trajectories", "returns", "comparisons", "optimal")


def _linear():
    from ..equivalence import MODELS

    return tuple(m for m in MODELS if MODELS[m].is_linear)


# ---------------------------------------------------------------------- independent helpers
def _dense_P(mdp):
    return np.asarray(mdp.transitions)


def _reachable(mdp):
    """Breadth-first search over the dense kernel (independent of identifiability.graph)."""
    P = _dense_P(mdp)
    seen = np.zeros(mdp.n_states, dtype=bool)
    frontier = list(mdp.start_states)
    seen[frontier] = True
    while frontier:
        nxt = []
        for s in frontier:
            for sn in np.flatnonzero((P[s] != 0).any(axis=0)):
                if not seen[sn]:
                    seen[sn] = True
                    nxt.append(int(sn))
        frontier = nxt
    return seen


def _generic(rng, shape):
    """Exact rationals in [-2, 2] on a grid of 2e6 values per coordinate."""
    vals = rng.integers(-10 ** 6, 10 ** 6 + 1, size=int(np.prod(shape)))
    out = np.empty(len(vals), dtype=object)
    out[:] = [Fraction(int(v), 499979) for v in vals]
    return out.reshape(shape)


def _shape(mdp, domain):
    return (mdp.n_states, mdp.n_actions, mdp.n_states)[:_ARITY[domain]]


def _sas(mdp, R):
    from ..reward import broadcast_reward

    return broadcast_reward(R, mdp)


def _random_lassos(mdp, rng, n):
    """``n`` random possible eventually periodic trajectories from initial states."""
    from ..equivalence import Lasso

    P = _dense_P(mdp)
    starts = list(mdp.start_states)
    out = []
    for _ in range(n):
        states, actions = [int(rng.choice(starts))], []
        L = int(rng.integers(1, 2 * mdp.n_states + 3))
        while True:
            s = states[-1]
            a = int(rng.integers(mdp.n_actions))
            sn = int(rng.choice(np.flatnonzero(P[s, a] != 0)))
            actions.append(a)
            states.append(sn)
            earlier = [i for i in range(len(states) - 1) if states[i] == sn]
            if len(actions) >= L and earlier:
                out.append(Lasso(tuple(states), tuple(actions), int(rng.choice(earlier))))
                break
    return out


def _lasso_return(mdp, Rs, xi):
    """prefix + g^k cycle / (1 - g^L), summed term by term from the (S, A, S) table."""
    g = mdp.gamma
    k, n = xi.loop, len(xi.actions)
    terms = [g ** t * Rs[xi.states[t], xi.actions[t], xi.states[t + 1]] for t in range(n)]
    return sum(terms[:k], Fraction(0)) + sum(terms[k:], Fraction(0)) / (1 - g ** (n - k))


def _possible(mdp, states, actions):
    P = _dense_P(mdp)
    return all(P[states[t], actions[t], states[t + 1]] != 0 for t in range(len(actions)))


def _fragments(mdp, max_len=2):
    """Every possible fragment of length 1..max_len, from any state."""
    P = _dense_P(mdp)
    frags, out = [([s], []) for s in range(mdp.n_states)], []
    for _ in range(max_len):
        frags = [(st_ + [int(sn)], ac + [a]) for st_, ac in frags for a in range(mdp.n_actions)
                 for sn in np.flatnonzero(P[st_[-1], a] != 0)]
        out += frags
    return out


def _fragment_return(mdp, Rs, states, actions):
    g = mdp.gamma
    return sum((g ** t * Rs[states[t], actions[t], states[t + 1]] for t in range(len(actions))),
               Fraction(0))


def _policy_of(mdp, model, R, beta):
    from ..behaviour import boltzmann_policy, soft_policy

    if model.startswith("boltzmann"):
        return _as_float(boltzmann_policy(mdp, R, beta=beta))
    return soft_policy(mdp, _as_float(_sas(mdp, R)), temperature=1.0 / beta, tol=1e-13)


def _same_observations(mdp, model, R1, R2, rng, beta):
    """Soundness: the forward observation of R2 equals that of R1; (ok, detail)."""
    from ..behaviour import optimal_values

    R1s, R2s = _sas(mdp, R1), _sas(mdp, R2)
    if model == "q":
        ok = optimal_values(mdp, R1)[1].tolist() == optimal_values(mdp, R2)[1].tolist()
        return ok, f"Q* equal: {ok}"
    if model in _POLICY:
        rows = _reachable(mdp) if model.endswith("trajectories") else np.ones(mdp.n_states, bool)
        gap = float(np.max(np.abs(_policy_of(mdp, model, R1, beta) -
                                  _policy_of(mdp, model, R2, beta))[rows]))
        return gap <= 1e-10, f"policy gap {gap:.1e}"
    if model in _RETURNS:
        lassos = _random_lassos(mdp, rng, 12)
        d = [_lasso_return(mdp, R2s, xi) - _lasso_return(mdp, R1s, xi) for xi in lassos]
        ok = all(x == 0 for x in d) if model == "returns" else len(set(d)) == 1
        return ok, f"lasso return changes {sorted(set(d))[:3]}"
    frags = _fragments(mdp)
    d = [_fragment_return(mdp, R2s, s, a) - _fragment_return(mdp, R1s, s, a) for s, a in frags]
    if model == "fragment-returns" or mdp.gamma > 0:
        ok = all(x == 0 for x in d)
    else:
        ok = len(set(d)) == 1
    return ok, f"fragment return changes {sorted(set(d))[:3]}"


def _real_difference(mdp, model, R1, R2, res, beta):
    """Completeness: the observation the result names really differs; (ok, detail)."""
    from ..behaviour import optimal_values

    diff = res.difference
    R1s, R2s = _sas(mdp, R1), _sas(mdp, R2)
    if model == "q":
        Q1, Q2 = optimal_values(mdp, R1)[1], optimal_values(mdp, R2)[1]
        if mdp.horizon is not None:
            Q1, Q2 = Q1[diff["time"]], Q2[diff["time"]]
        s, a = diff["state"], diff["action"]
        ok = Q1[s, a] != Q2[s, a] and diff["first"] == Q1[s, a] and diff["second"] == Q2[s, a]
        return ok, f"Q*({s}, {a}): {Q1[s, a]} vs {Q2[s, a]}"
    if model in _POLICY:
        p1, p2 = _policy_of(mdp, model, R1, beta), _policy_of(mdp, model, R2, beta)
        s, a = diff["state"], diff["action"]
        ok = (abs(p1[s, a] - p2[s, a]) > 1e-9 and abs(float(diff["first"]) - p1[s, a]) <= 1e-9
              and abs(float(diff["second"]) - p2[s, a]) <= 1e-9)
        if model.endswith("trajectories"):
            ok = ok and bool(_reachable(mdp)[s])
        return ok, f"pi({a}|{s}): {p1[s, a]:.6g} vs {p2[s, a]:.6g}"
    if model in _RETURNS:
        lassos = diff["trajectories"]
        ok = bool(lassos) and all(
            xi.states[0] in mdp.start_states and xi.states[-1] == xi.states[xi.loop]
            and _possible(mdp, xi.states, xi.actions) for xi in lassos)
        d = [_lasso_return(mdp, R2s, xi) - _lasso_return(mdp, R1s, xi) for xi in lassos]
        ok = ok and (any(x != 0 for x in d) if model == "returns" else
                     len(lassos) >= 2 and len(set(d)) > 1)
        return ok, f"{len(lassos)} lassos, return changes {d}"
    frags = [(f["states"], f["actions"]) for f in diff["trajectories"]]
    ok = bool(frags) and all(_possible(mdp, s, a) for s, a in frags)
    d = [_fragment_return(mdp, R2s, s, a) - _fragment_return(mdp, R1s, s, a) for s, a in frags]
    ok = ok and (any(x != 0 for x in d) if model == "fragment-returns" else
                 len(frags) >= 2 and len(set(d)) > 1)
    return ok, f"{len(frags)} fragments, return changes {d}"


# ---------------------------------------------------------------------- strategies
def _closed_block_mdps(max_states=4, max_actions=3):
    """States 0..k-1 closed and carrying all initial mass; k..S-1 unreachable."""
    from hypothesis import strategies as st

    from ..mdp import MDP
    from ..testing import strategies as ist

    @st.composite
    def build(draw):
        S = draw(st.integers(2, max_states))
        A = draw(st.integers(1, max_actions))
        k = draw(st.integers(1, S - 1))
        det = draw(st.booleans())
        block = draw(ist.transition_kernels(k, A, deterministic=det))
        rest = draw(ist.transition_kernels(S, A, deterministic=det))
        P = np.full((S, A, S), Fraction(0), dtype=object)
        P[:k, :, :k] = block
        P[k:] = rest[k:]
        init = np.full(S, Fraction(0), dtype=object)
        init[:k] = draw(ist.distributions(k))
        return MDP(P, init, gamma=draw(ist.discounts(allow_one=False)))

    return build()


def _infinite_mdps(max_states=4):
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    return st.one_of(
        ist.mdps(horizon=st.none(), max_states=max_states),
        ist.mdps(horizon=st.none(), max_states=max_states, max_support=st.integers(1, 2),
                 initial="single"),
        ist.mdps(horizon=st.none(), max_states=max_states, deterministic=True,
                 initial="single"),
        _closed_block_mdps(max_states))


def _class_instances(models=None, mdps=None, min_value=-2, max_value=2, extra=None):
    """An MDP, a model, a domain, an exact reward R1 of the domain's shape, beta, a seed."""
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    @st.composite
    def build(draw):
        mdp = draw(_infinite_mdps() if mdps is None else mdps)
        model = draw(st.sampled_from(models if models is not None else _linear()))
        domain = draw(st.sampled_from(("sas", "sa", "s")))
        R1 = draw(ist.rewards(mdp, arity=_ARITY[domain], exact=True, min_value=min_value,
                              max_value=max_value))
        params = {"model": model, "domain": domain, "beta": draw(st.sampled_from([0.5, 1.0, 2.0])),
                  "seed": draw(st.integers(0, _SEED_MAX))}
        params.update({k: draw(v) for k, v in (extra or {}).items()})
        return Instance(mdp, {"R1": R1}, params)

    return build()


def _setup(inst):
    p = inst.params
    return (inst.mdp, p["model"], p["domain"], inst.reward("R1"), float(p["beta"]),
            np.random.default_rng(int(p["seed"])))


# ---------------------------------------------------------------------- equivalence-decisions
@register("equivalence-decisions",
          statement="For each linear data source, f(R1) = f(R2) iff R2 - R1 lies in N = {x : M x "
                    "in im G}; equivalent() decides this exactly, with a re-verifying "
                    "decomposition when true and a real differing observation when false.",
          provenance="read", area="equivalence",
          tests=("tests/test_equivalence.py::test_equivalent_rewards_give_equal_observations",
                 "tests/test_equivalence.py::test_inequivalent_rewards_report_a_real_difference",
                 "tests/test_equivalence.py::test_fragment_and_q_decisions_any_horizon_and_"
                 "gamma_zero",
                 "tests/test_equivalence.py::test_exact_and_float_decisions_agree",
                 "tests/test_equivalence.py::test_clear_errors",
                 "tests/test_equivalence.py::test_decision_sweep_slow"),
          strategy=lambda: _class_instances())
def _equivalence_decisions(inst):
    from ..equivalence import ambiguity, equivalent

    mdp, model, domain, R1, beta, rng = _setup(inst)
    C = ambiguity(mdp, model, domain=domain)
    # soundness: a random member of R1's class
    R2 = C.sample(R1, rng)
    res = equivalent(R1, R2, mdp, model, beta=beta, domain=domain)
    if not (res and res.difference is None):
        return False, f"{model}/{domain}: a sampled class member is decided inequivalent"
    dec = res.decomposition
    if not (dec.verify(R1, R2, mdp) and
            dec.transforms.apply(R1, mdp).tolist() == _sas(mdp, R2).tolist()):
        return False, f"{model}/{domain}: the decomposition does not reproduce R2"
    ok, detail = _same_observations(mdp, model, R1, R2, rng, beta)
    if not ok:
        return False, f"{model}/{domain}: member changes the observation ({detail})"
    if model in _RETURNS:
        xi = _random_lassos(mdp, rng, 1)[0]
        shift = _lasso_return(mdp, _sas(mdp, R2), xi) - _lasso_return(mdp, _sas(mdp, R1), xi)
        phi = dec.potential
        k = {Fraction(0)} if phi is None else {phi[s] for s in mdp.start_states}
        if not (k == {-shift} and (model == "comparisons" or shift == 0)):
            return False, f"{model}: initial return shift {shift}, Phi on initial states {k}"
    # completeness: a generic R3
    R3 = R1 + _generic(rng, R1.shape)
    res = equivalent(R1, R3, mdp, model, beta=beta, domain=domain)
    if bool(res) != (C.identifiable_dim == 0):
        return False, f"{model}/{domain}: generic pair decided {bool(res)}, " \
                      f"identifiable_dim {C.identifiable_dim}"
    if res:
        ok2, d2 = _same_observations(mdp, model, R1, R3, rng, beta)
        ok2 = ok2 and res.decomposition.verify(R1, R3, mdp)
    else:
        ok2, d2 = _real_difference(mdp, model, R1, R3, res, beta)
    return bool(ok2), f"{model}/{domain}, dim N = {C.dim}: member ({detail}); generic ({d2})"


# ---------------------------------------------------------------------- ambiguity-dimensions
def _dense_dim(mdp, model, domain):
    """dim {x : M x in im G} from dense matrices built here: n - rank[M, -G] + rank G."""
    from .. import linalg
    from ..equivalence import MODELS

    m = MODELS[model]
    P = _dense_P(mdp)
    S, A, g = mdp.n_states, mdp.n_actions, mdp.gamma
    shape = _shape(mdp, domain)
    n = int(np.prod(shape))
    obs = _reachable(mdp) if m.mask == "unreachable" else np.ones(S, dtype=bool)
    init = np.zeros(S, dtype=bool)
    init[list(mdp.start_states)] = True

    def coord(s, a, sn):
        return np.ravel_multi_index((s, a, sn)[:len(shape)], shape)

    Mrows, Grows = [], []
    for s in np.flatnonzero(obs):
        for a in range(A):
            if m.summary == "mean":
                row = np.full(n, Fraction(0), dtype=object)
                if domain == "sas":
                    for sn in range(S):
                        row[coord(s, a, sn)] += P[s, a, sn]
                else:
                    row[coord(s, a, 0)] += 1
                Mrows.append(row)
                grow = g * P[s, a].astype(object)
                grow[s] -= 1
                Grows.append(grow)
            else:
                for sn in np.flatnonzero(P[s, a] != 0):
                    row = np.full(n, Fraction(0), dtype=object)
                    row[coord(s, a, sn)] += 1
                    Mrows.append(row)
                    grow = np.full(S, Fraction(0), dtype=object)
                    grow[sn] += g
                    grow[s] -= 1
                    Grows.append(grow)
    M, G = np.array(Mrows, dtype=object), np.array(Grows, dtype=object)
    if m.shaping == "none":
        G = np.ones((len(M), 1), dtype=object) if (model == "fragment-comparisons" and g == 0) \
            else np.zeros((len(M), 0), dtype=object)
    elif m.shaping == "zero-initial":
        G = G[:, ~init]
    elif m.shaping == "k-initial":
        G = np.concatenate([G[:, init].sum(axis=1, keepdims=True), G[:, ~init]], axis=1)
    rG = linalg.rank(G) if G.size else 0
    return n - linalg.rank(np.concatenate([M, -G], axis=1)) + rG


def _dimensions_strategy():
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        return Instance(draw(_infinite_mdps()), {},
                        {"domain": draw(st.sampled_from(("sas", "sa", "s")))})

    return build()


@register("ambiguity-dimensions",
          statement="For 0 < gamma < 1 the invariance subspaces have closed-form dimensions "
                    "(mce: S + S A (S - 1) on R(s, a, s'), S on R(s, a); trajectories, q, "
                    "fragments, returns; comparisons = returns + 1), all equal to a dense rank.",
          provenance="derived", area="equivalence",
          tests=("tests/test_equivalence.py::test_ambiguity_dimension_formulas",
                 "tests/test_equivalence.py::test_state_only_dimension_is_the_admissible_"
                 "potentials",
                 "tests/test_equivalence.py::test_state_only_dimension_examples",
                 "tests/test_equivalence.py::test_fragment_and_q_decisions_any_horizon_and_"
                 "gamma_zero"),
          strategy=_dimensions_strategy)
def _ambiguity_dimensions(inst):
    from ..equivalence import ambiguity
    from ..infinite import state_only_identifiable

    mdp, d = inst.mdp, inst.params["domain"]
    S, A = mdp.n_states, mdp.n_actions
    reach = _reachable(mdp)
    nr = int(reach.sum())
    init = np.zeros(S, dtype=bool)
    init[list(mdp.start_states)] = True
    nnz = int((_dense_P(mdp) != 0).sum())
    dims = {m: ambiguity(mdp, m, domain=d) for m in _linear()}
    for m, C in dims.items():
        dense = _dense_dim(mdp, m, d)
        if not (C.dim + C.identifiable_dim == C.ambient_dim == int(np.prod(_shape(mdp, d)))
                and C.dim == C.basis.dim == dense):
            return False, f"{m}/{d}: dim {C.dim}, basis {C.basis.dim}, dense rank {dense}"
    dim = {m: C.dim for m, C in dims.items()}
    want = {}
    if d == "sas":
        for m in ("mce", "boltzmann"):
            want[m] = S + S * A * (S - 1)
            want[m + "-trajectories"] = S * S * A - nr * A + nr
        want["q"] = S * A * (S - 1)
        for m in _FRAGMENTS:
            want[m] = S * S * A - nnz
        n_reach = int(sum(int((_dense_P(mdp)[s] != 0).sum()) for s in np.flatnonzero(reach)))
        want["returns"] = S * S * A - (n_reach - int((reach & ~init).sum()))
    elif d == "sa":
        for m in ("mce", "boltzmann"):
            want[m] = S
            want[m + "-trajectories"] = nr + A * (S - nr)
        want["q"] = 0
        for m in _FRAGMENTS:
            want[m] = 0
        if mdp.is_deterministic:
            want["returns"] = A * (S - nr) + int((reach & ~init).sum())
    else:
        want["q"] = 0
        for m in _FRAGMENTS:
            want[m] = 0
        rep = state_only_identifiable(mdp)
        want["mce"] = rep.dim_ambiguity
        if mdp.is_deterministic and rep.n_components != rep.dim_ambiguity:
            return False, f"deterministic: {rep.n_components} components != {rep.dim_ambiguity}"
        if A == 1 and dim["mce"] != S:
            return False, f"A = 1: dim {dim['mce']} != S"
    if "returns" in dim:
        want["comparisons"] = dim["returns"] + 1
    bad = {m: (dim[m], w) for m, w in want.items() if dim[m] != w}
    if bad:
        return False, f"domain {d}: (dim, formula) mismatches {bad}"
    one = np.ones(_shape(mdp, d), dtype=np.int64)
    const = (dims["comparisons"].contains(one), dims["returns"].contains(one),
             dims["mce"].contains(one))
    if const != (True, False, True):
        return False, f"constant reward in (comparisons, returns, mce): {const}"
    return True, f"domain {d}: {len(dims)} models match formulas and dense ranks"


# ---------------------------------------------------------------------- canonical-projection
def _canonical_strategy():
    from hypothesis import strategies as st

    return _class_instances(min_value=-5, max_value=5, extra={
        "a": st.fractions(-3, 3, max_denominator=5), "b": st.fractions(-3, 3, max_denominator=5)})


@register("canonical-projection",
          statement="RewardClass.canonical is the orthogonal projection onto N^perp: linear, "
                    "idempotent, kernel exactly N, R - c(R) in N, c(R1) = c(R2) iff equivalent, "
                    "exact, zero on coordinates the source never reads.",
          provenance="derived", area="equivalence",
          tests=("tests/test_equivalence.py::test_canonical_projection",
                 "tests/test_equivalence.py::test_class_relabelling_equivariance"),
          strategy=_canonical_strategy)
def _canonical_projection(inst):
    from ..equivalence import MODELS, ambiguity

    mdp, model, domain, R, _, rng = _setup(inst)
    R2 = R[::-1].copy() if R.shape[0] > 1 else R * 2 + 1
    a, b = inst.array("a").item(), inst.array("b").item()
    C = ambiguity(mdp, model, domain=domain)
    c = C.canonical(R)
    checks = {
        "exact": c.shape == R.shape and _all_exact(c),
        "linear": C.canonical(a * R + b * R2).tolist() == (a * c + b * C.canonical(R2)).tolist(),
        "idempotent": C.canonical(c).tolist() == c.tolist(),
        "R - c(R) in N": bool(C.contains(R - c)),
        "class invariant": C.canonical(C.sample(R, rng)).tolist() == c.tolist(),
        "c(N) = 0": all(x == 0 for x in C.canonical(
            C.sample(np.zeros(R.shape, dtype=np.int64), rng)).reshape(-1).tolist()),
        "kernel": bool(C.contains(R)) == all(x == 0 for x in c.reshape(-1).tolist()),
    }
    B, x = C.basis, R.reshape(-1)
    if B.dim:
        checks["orthogonal to N"] = all(v == 0 for v in (B.basis.T @ c.reshape(-1)).tolist())
        checks["= basis projection"] = (x - B.project(x)).tolist() == c.reshape(-1).tolist()
    else:
        checks["identity"] = c.tolist() == R.tolist()
    if domain == "sas":
        read = _dense_P(mdp) != 0
        if MODELS[model].mask == "unreachable":
            read &= _reachable(mdp)[:, None, None]
        checks["zero where unread"] = all(v == 0 for v in c[~read].tolist())
    checks["float twin"] = bool(np.max(np.abs(C.canonical(_as_float(R)) - _as_float(c)),
                                       initial=0.0) <= 1e-9)
    failed = [k for k, v in checks.items() if not v]
    return not failed, f"{model}/{domain}, dim N = {C.dim}: failed {failed}" if failed else \
        f"{model}/{domain}, dim N = {C.dim}: {len(checks)} properties hold"


# ---------------------------------------------------------------------- relabelling
def _relabel(mdp, rewards, ps, pa):
    from ..mdp import MDP

    s, a, sn, p = mdp.entries()
    init = np.empty(mdp.n_states, dtype=mdp.initial.dtype)
    init[ps] = mdp.initial
    new = MDP.from_entries((ps[s], pa[a], ps[sn], p), mdp.n_states, mdp.n_actions, init,
                           gamma=mdp.gamma, horizon=mdp.horizon)
    out = []
    for r in rewards:
        r = np.asarray(r)
        rn = np.empty_like(r)
        rn[np.ix_(*(ps, pa, ps)[:r.ndim])] = r
        out.append(rn)
    return new, out


def _relabel_strategy():
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        inst = draw(_class_instances(min_value=-5, max_value=5))
        m = inst.mdp
        ps = draw(st.permutations(range(m.n_states)))
        pa = draw(st.permutations(range(m.n_actions)))
        return Instance(m, dict(inst.rewards), {**inst.params, "ps": ps, "pa": pa})

    return build()


@register("class-relabelling-equivariance",
          statement="Renaming states and actions maps each linear source's invariance subspace, "
                    "canonical forms and equivalence decisions to their renamed counterparts.",
          provenance="derived", area="equivalence",
          tests=("tests/test_equivalence.py::test_class_relabelling_equivariance",),
          strategy=_relabel_strategy)
def _class_relabelling(inst):
    from ..equivalence import ambiguity, equivalent

    mdp, model, domain, R1, _, rng = _setup(inst)
    ps = np.array(inst.params["ps"], dtype=np.int64)
    pa = np.array(inst.params["pa"], dtype=np.int64)
    C = ambiguity(mdp, model, domain=domain)
    R2, R3 = C.sample(R1, rng), R1 + _generic(rng, R1.shape)
    new, (N1, N2, N3, c1) = _relabel(mdp, [R1, R2, R3, C.canonical(R1)], ps, pa)
    D = ambiguity(new, model, domain=domain)
    if D.dim != C.dim:
        return False, f"{model}/{domain}: dim {C.dim} becomes {D.dim}"
    if D.canonical(N1).tolist() != c1.tolist():
        return False, f"{model}/{domain}: canonical form is not renamed"
    for X, Y, NX, NY in ((R1, R2, N1, N2), (R1, R3, N1, N3)):
        a = bool(equivalent(X, Y, mdp, model, domain=domain))
        b = bool(equivalent(NX, NY, new, model, domain=domain))
        if a != b:
            return False, f"{model}/{domain}: decision {a} becomes {b}"
    return True, f"{model}/{domain}: dim {C.dim}, canonical and decisions renamed"


# ---------------------------------------------------------------------- finite horizon
def _access(mdp):
    P = np.array(np.asarray(mdp.transitions).tolist(), dtype=object)
    H, S = mdp.horizon, mdp.n_states
    L = np.zeros((H, S), dtype=bool)
    L[0] = [mdp.initial[s] > 0 for s in range(S)]
    for t in range(1, H):
        L[t] = np.any(P[L[t - 1]] > 0, axis=(0, 1)) if L[t - 1].any() else False
    return L


def _finite_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    return _class_instances(models=_POLICY, mdps=ist.mdps(horizon=st.integers(1, 4),
                                                          max_states=4, max_actions=3))


@register("finite-horizon-policy-class",
          statement="With a finite horizon, R1 and R2 have the same soft-optimal (or "
                    "Boltzmann-rational) policy at every accessible (t, s) iff r2 - r1 lies in "
                    "K_Gamma (time-dependent shaping + S'R on Access), lifted to each domain.",
          provenance="reconstructed", area="equivalence",
          tests=("tests/test_equivalence_finite.py::test_class_is_policy_class_lifted_to_each_"
                 "domain",
                 "tests/test_equivalence_finite.py::test_class_members_keep_every_accessible_"
                 "policy",
                 "tests/test_equivalence_finite.py::test_time_dependent_transformations_keep_"
                 "accessible_policies",
                 "tests/test_equivalence_finite.py::test_directions_outside_the_class_change_"
                 "some_accessible_policy",
                 "tests/test_equivalence_finite.py::test_stationary_potential_is_not_an_"
                 "invariance_example",
                 "tests/test_equivalence_finite.py::test_decomposition_verifies_and_reproduces_"
                 "the_policy",
                 "tests/test_equivalence_finite.py::test_float_input_agrees_with_exact",
                 "tests/test_equivalence_finite.py::test_cli_and_errors"),
          strategy=_finite_strategy)
def _finite_horizon_policy_class(inst):
    from ..equivalence import ambiguity, equivalent
    from ..identify import policy_class
    from ..linalg import Subspace

    mdp, model, domain, R1, beta, rng = _setup(inst)
    S, A = mdp.n_states, mdp.n_actions
    acc = _access(mdp)
    K = policy_class(mdp)
    if not ambiguity(mdp, model, domain="sa").basis.equals(K):
        return False, f"{model}: the 'sa' class is not K_Gamma"
    N = ambiguity(mdp, model, domain=domain)
    if domain == "sas" and N.dim != S * A * S - S * A + K.dim:
        return False, f"'sas' dim {N.dim} != S A S - S A + dim K = {S * A * S - S * A + K.dim}"
    if domain == "s":
        E = np.zeros((S * A, S), dtype=object)
        E[...] = Fraction(0)
        for s in range(S):
            E[s * A:(s + 1) * A, s] = Fraction(1)
        if N.dim != Subspace.span(E).intersect(K).dim:
            return False, f"'s' dim {N.dim} != dim of constants-in-a within K_Gamma"

    def gap(Ra, Rb):
        p1, p2 = _policy_of(mdp, model, Ra, beta), _policy_of(mdp, model, Rb, beta)
        return p1, p2, float(np.max(np.where(acc[:, :, None], np.abs(p1 - p2), 0.0)))

    # soundness: a class member keeps every accessible policy
    R2 = N.sample(R1, rng)
    g_in = gap(R1, R2)[2]
    if not (N.contains(R2 - R1) and g_in < 1e-10):
        return False, f"{model}/{domain}: member changes an accessible policy by {g_in:.2e}"
    res = equivalent(R1, R2, mdp, model, beta=beta, domain=domain)
    if res.equivalent is not True or not res.decomposition.verify(R1, R2, mdp):
        return False, f"{model}/{domain}: member not decided equivalent with a verifying " \
                      f"decomposition"
    # completeness on (S, A): a generic direction and a member of K_Gamma
    Rsa = _generic(rng, (S, A))
    inside = (K.basis @ _generic(rng, (K.dim,))).reshape(S, A) if K.dim else \
        np.zeros((S, A), dtype=object) * Fraction(0)
    Nsa = ambiguity(mdp, model, domain="sa")
    for delta in (_generic(rng, (S, A)), inside):
        flat = np.asarray(delta, dtype=object).reshape(-1)
        if bool(Nsa.contains(delta)) != bool(K.contains_vector(flat)):
            return False, "membership disagrees with K_Gamma"
        p1, p2, g = gap(Rsa, Rsa + delta)
        r = equivalent(Rsa, Rsa + delta, mdp, model, beta=beta)
        if Nsa.contains(delta):
            if r.equivalent is not True or g >= 1e-10:
                return False, f"direction in K_Gamma: decided {r.equivalent}, gap {g:.2e}"
        else:
            d = r.difference
            t, s, a = d["time"], d["state"], d["action"]
            if not (r.equivalent is False and acc[t, s] and g > 1e-9
                    and abs(abs(p1[t, s, a] - p2[t, s, a]) - d["size"]) < 1e-12):
                return False, f"direction outside K_Gamma: reported ({t}, {s}, {a}) not real"
    return True, f"{model}/{domain}, H = {mdp.horizon}: dim K_Gamma {K.dim}, member gap " \
                 f"{g_in:.1e}, outside direction changes an accessible policy"


# ---------------------------------------------------------------------- noiseless trajectories
def _all_lassos(mdp, max_len=3):
    from ..equivalence import Lasso

    P = _dense_P(mdp)
    S, A = mdp.n_states, mdp.n_actions
    out = []

    def grow(states, actions):
        for l in range(len(states) - 1):
            if states[-1] == states[l]:
                out.append(Lasso(tuple(states), tuple(actions), l))
        if len(actions) == max_len:
            return
        for a in range(A):
            for v in range(S):
                if P[states[-1], a, v] != 0:
                    grow(states + [v], actions + [a])

    for s0 in mdp.start_states:
        grow([int(s0)], [])
    return out


def _sign(x):
    return (x > 0) - (x < 0)


def _order_conflict(g1, g2):
    """A pair (i, j) ordered differently by the two exact return lists, or None."""
    for i in range(len(g1)):
        for j in range(i):
            if _sign(g1[i] - g1[j]) != _sign(g2[i] - g2[j]):
                return i, j
    return None


def _noiseless_traj_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    return _instances(mdp=ist.mdps(horizon=st.none(), max_states=3, max_actions=2,
                                   max_support=2),
                      arity=3, rewards=("R1", "R2"), extra={
                          "c": st.sampled_from(["1/2", "1", "3", "7/5"]),
                          "kind": st.sampled_from(["lower", "generic", "reverse", "cube",
                                                   "bump"])})


@register("noiseless-trajectory-order-bounds",
          statement="The noiseless order of initial-trajectory returns is kept by c R + k-initial "
                    "shaping + unreachable mask (c > 0); equivalent(..., 'noiseless-comparisons') "
                    "says True only then, False only with two lassos ordered differently.",
          provenance="read", area="equivalence",
          tests=("tests/test_noiseless_comparisons.py::test_lower_bound_is_decided_true_and_"
                 "keeps_every_order",
                 "tests/test_noiseless_comparisons.py::test_decisions_agree_with_brute_force",
                 "tests/test_noiseless_comparisons.py::test_undecided_case_exists_and_is_truly_"
                 "order_equivalent",
                 "tests/test_noiseless_comparisons.py::test_reversed_and_tied_orders_are_detected",
                 "tests/test_noiseless_comparisons.py::test_float_input_agrees_with_exact",
                 "tests/test_noiseless_comparisons.py::test_errors_and_cli"),
          strategy=_noiseless_traj_strategy)
def _noiseless_trajectory_order(inst):
    from ..equivalence import equivalent, observe
    from ..transforms import KInitialShaping, UnreachableMask

    mdp = inst.mdp
    R1 = _sas(mdp, inst.reward("R1"))
    kind, seed = inst.params["kind"], int(inst.params["seed"])
    c = Fraction(inst.params["c"])
    if kind == "lower":
        R2 = UnreachableMask.sample(mdp, seed + 1).apply(
            KInitialShaping.sample(mdp, seed).apply(R1, mdp), mdp) * c
    elif kind == "generic":
        R2 = _sas(mdp, inst.reward("R2"))
    elif kind == "reverse":
        R2 = -R1
    elif kind == "cube":
        R2 = np.vectorize(lambda x: x ** 3, otypes=[object])(R1)
    else:
        R2 = R1.copy()
        s, a, sn = (int(v) for v in np.argwhere(_dense_P(mdp) != 0)[0])
        R2[s, a, sn] += c
    xis = _all_lassos(mdp)
    g1 = [_lasso_return(mdp, R1, xi) for xi in xis]
    g2 = [_lasso_return(mdp, R2, xi) for xi in xis]
    conflict = _order_conflict(g1, g2)
    res = equivalent(R1, R2, mdp, "noiseless-comparisons")
    if kind == "lower":
        if res.equivalent is not True or not res.decomposition.verify(R1, R2, mdp):
            return False, f"lower-bound image (c = {c}) decided {res.equivalent}"
        if conflict is not None:
            return False, f"lower-bound image reorders lassos {xis[conflict[0]]}, " \
                          f"{xis[conflict[1]]}"
    if res.equivalent is True:
        ok = conflict is None and res.decomposition.verify(R1, R2, mdp)
        return ok, f"{kind}: True, {len(xis)} enumerated lassos, conflict {conflict}"
    if res.equivalent is False:
        x1, x2 = res.difference["trajectories"]
        for xi in (x1, x2):
            if not (xi.states[0] in mdp.start_states and xi.states[-1] == xi.states[xi.loop]
                    and _possible(mdp, xi.states, xi.actions)):
                return False, f"witness {xi} is not a possible initial lasso"
        d1 = _lasso_return(mdp, R1, x1) - _lasso_return(mdp, R1, x2)
        d2 = _lasso_return(mdp, R2, x1) - _lasso_return(mdp, R2, x2)
        o1 = observe(mdp, R1, "noiseless-comparisons", trajectories=[x1, x2])
        o2 = observe(mdp, R2, "noiseless-comparisons", trajectories=[x1, x2])
        ok = _sign(d1) != _sign(d2) and not np.array_equal(o1, o2)
        return ok, f"{kind}: False with witness differences {d1}, {d2}"
    from ..errors import UndecidedError

    try:
        bool(res)
    except UndecidedError:
        return True, f"{kind}: undecided (bool raises), brute-force conflict {conflict}"
    return False, "an undecided result does not raise on bool()"


# ---------------------------------------------------------------------- noiseless fragments
def _noiseless_frag_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    return _instances(mdp=ist.mdps(horizon=st.none(), max_states=3, max_actions=2),
                      rewards=("R1", "R2"),
                      extra={"c": st.sampled_from(["1/2", "3", "7/5"])})


@register("noiseless-fragment-order-bounds",
          statement="The noiseless order of fragment returns is kept by c R + a mask of "
                    "impossible transitions (c > 0) and changed by any differently ordered pair; "
                    "the decision is True with (c, mask), False with a fragment pair, or "
                    "undecided.",
          provenance="read", area="equivalence",
          tests=("tests/test_ordering.py::test_noiseless_fragment_order_bounds",
                 "tests/test_ordering.py::test_noiseless_fragment_order_monotone_map_detected"),
          strategy=_noiseless_frag_strategy)
def _noiseless_fragment_order(inst):
    from ..behaviour import trajectory_return
    from ..equivalence import equivalent
    from ..errors import UndecidedError
    from ..transforms import ImpossibleTransitionMask

    mdp = inst.mdp
    R = _sas(mdp, inst.reward("R1"))
    c = Fraction(inst.params["c"])
    mask = ImpossibleTransitionMask.sample(mdp, int(inst.params["seed"])).table
    R2 = c * R + mask
    res = equivalent(R, R2, mdp, "noiseless-fragment-comparisons")
    if res.equivalent is not True or not res.decomposition.verify(R, R2, mdp):
        return False, f"c R + mask (c = {c}) decided {res.equivalent}"
    if any(v != 0 for v in R[mdp.support].tolist()) and res.decomposition.scale != c:
        return False, f"scale {res.decomposition.scale} != {c}"
    frags = _fragments(mdp)
    g1 = [_fragment_return(mdp, R, s, a) for s, a in frags]
    g2 = [_fragment_return(mdp, R2, s, a) for s, a in frags]
    if _order_conflict(g1, g2) is not None:
        return False, "c R + mask reorders two fragments"
    R3 = _sas(mdp, inst.reward("R2"))
    res = equivalent(R, R3, mdp, "noiseless-fragment-comparisons")
    if res.equivalent is False:
        f1, f2 = res.difference["trajectories"]
        if not all(_possible(mdp, f["states"], f["actions"]) for f in (f1, f2)):
            return False, "witness fragment is impossible"
        g = [[trajectory_return(mdp, X, f["states"], f["actions"]) for f in (f1, f2)]
             for X in (R, R3)]
        sign = [_sign(a - b) for a, b in g]
        return sign[0] != sign[1], f"other reward: False with signs {sign}"
    if res.equivalent is True:
        g3 = [_fragment_return(mdp, R3, s, a) for s, a in frags]
        ok = res.decomposition.verify(R, R3, mdp) and _order_conflict(g1, g3) is None
        return ok, "other reward: True, no reordered fragment pair of length <= 2"
    try:
        bool(res)
    except UndecidedError:
        return True, "other reward: undecided (bool raises)"
    return False, "an undecided result does not raise on bool()"


# ---------------------------------------------------------------------- ordering
def _ordering_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    return _instances(mdp=ist.mdps(horizon=st.none(), max_states=3, max_actions=2), arity=3,
                      extra={"source": st.sampled_from(_ALL), "target": st.sampled_from(_ALL)})


def _inclusion_matrix(mdp):
    """Refinement predicted by subspace inclusion N_X <= N_Y (linear sources), and for
    "optimal": X <= optimal iff N_X <= N_mce, optimal <= Y iff N_Y is everything."""
    from ..equivalence import ambiguity

    lin = _ALL[:-1]
    N = {m: ambiguity(mdp, m).basis for m in lin}
    n = len(_ALL)
    M = np.zeros((n, n), dtype=bool)
    for i, a in enumerate(lin):
        for j, b in enumerate(lin):
            M[i, j] = bool(N[b].contains(N[a]))
        M[i, -1] = M[i, lin.index("mce")]
    full = mdp.n_states * mdp.n_actions * mdp.n_states
    M[-1, :-1] = [N[b].dim == full for b in lin]
    M[-1, -1] = True
    return M


@register("ambiguity-ordering",
          statement="refines(X, Y) iff N_X <= N_Y (optimal: iff N_X <= N_mce); it is a preorder "
                    "with fragments finest, q vs returns decided by branching / all-initial, and "
                    "coarse sources refining the policies iff every state is reachable.",
          provenance="derived", area="equivalence",
          tests=("tests/test_ordering.py::test_ambiguity_ordering_table",
                 "tests/test_ordering.py::test_ambiguity_ordering_without_unreachable_states",
                 "tests/test_ordering.py::test_ambiguity_ordering_is_a_preorder_and_sound",
                 "tests/test_ordering.py::test_redistribution_case_b"),
          strategy=_ordering_strategy)
def _ambiguity_ordering(inst):
    from ..equivalence import ambiguity, equivalent, refines
    from ..transforms import reachable_transitions

    mdp, R1 = inst.mdp, inst.reward("R")
    M = _inclusion_matrix(mdp)
    ix = {m: k for k, m in enumerate(_ALL)}
    reach = reachable_transitions(mdp).any(axis=(1, 2))
    checks = {
        "transitive": bool(np.array_equal(M | (M.astype(int) @ M.astype(int) > 0), M)),
        "fragments finest": bool(M[0].all() and M[1].all()),
        "comparisons not <= returns": not M[ix["comparisons"], ix["returns"]],
        "returns <= comparisons": bool(M[ix["returns"], ix["comparisons"]]),
        "q <= boltzmann, mce, optimal": bool(M[ix["q"], [ix["boltzmann"], ix["mce"],
                                                          ix["optimal"]]].all()),
    }
    coarse = [ix[m] for m in ("mce-trajectories", "boltzmann-trajectories", "returns",
                              "comparisons")]
    fine = [ix[m] for m in ("q", "boltzmann", "mce", "optimal")]
    if reach.all():
        checks["coarse <= policies"] = bool(M[np.ix_(coarse, fine[1:])].all())
    elif mdp.n_actions >= 2:
        checks["coarse refine no fine source"] = not M[np.ix_(coarse, fine)].any()
    branching = (mdp.support.sum(axis=2) >= 2)[reach].any()
    checks["q <= returns iff no branching"] = bool(M[ix["q"], ix["returns"]] == (not branching))
    checks["returns <= q iff all initial"] = \
        bool(M[ix["returns"], ix["q"]] == (len(mdp.start_states) == mdp.n_states))
    # refines() on one sampled pair agrees with inclusion; its witness is real
    a, b = inst.params["source"], inst.params["target"]
    r = refines(a, b, mdp)
    checks[f"refines({a}, {b}) = inclusion"] = bool(r) == bool(M[ix[a], ix[b]])
    if not r and r.witness is not None:
        W1, W2 = r.witness
        checks["witness"] = ((a == "optimal" or bool(equivalent(W1, W2, mdp, a)))
                             and not equivalent(W1, W2, mdp, b))
    # soundness (item 7): a member of R1's a-class is b-equivalent when a refines b
    rng = np.random.default_rng(int(inst.params["seed"]))
    C = ambiguity(mdp, a, reward=R1) if a == "optimal" else ambiguity(mdp, a)
    R2 = C.sample(R1, rng)
    if M[ix[a], ix[b]]:
        checks[f"{a}-member is {b}-equivalent"] = bool(equivalent(R1, R2, mdp, b))
    failed = [k for k, v in checks.items() if not v]
    return not failed, f"failed {failed}" if failed else \
        f"{len(checks)} ordering properties hold ({int(M.sum())} refinements; {a} vs {b})"


# ---------------------------------------------------------------------- inversions
def _inversion_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    return _instances(mdp=ist.mdps(horizon=st.none(), max_states=4, exact=st.booleans()),
                      extra={"beta": st.sampled_from([0.5, 1.0, 2.0])})


@register("closed-form-inversions", identity=True,
          statement="mce_inversion (1/beta) log pi and boltzmann_inversion (1/beta)(log pi - max "
                    "log pi) reproduce the soft-optimal / Boltzmann-rational policy with value 0 "
                    "and lie in R's mce / boltzmann class.",
          provenance="derived", area="equivalence",
          tests=("tests/test_ordering.py::test_mce_inversion",
                 "tests/test_ordering.py::test_boltzmann_inversion",
                 "tests/test_ordering.py::test_inversion_errors"),
          strategy=_inversion_strategy)
def _closed_form_inversions(inst):
    import warnings

    from ..behaviour import (boltzmann_policy, optimal_values, soft_policy,
                             soft_value_iteration)
    from ..equivalence import ambiguity, boltzmann_inversion, equivalent, mce_inversion
    from ..errors import ToleranceWarning

    mdp, R = inst.mdp, inst.reward("R")
    beta = float(inst.params["beta"])
    pi = soft_policy(mdp, _as_float(R), temperature=1 / beta, tol=1e-13)
    Rhat = mce_inversion(mdp, pi, beta)
    sol = soft_value_iteration(mdp, Rhat, temperature=1 / beta, tol=1e-13)
    e1 = float(np.max(np.abs(sol.policy - pi)))
    v1 = float(np.max(np.abs(sol.v)))
    delta = _sas(mdp, Rhat) - _as_float(_sas(mdp, R))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ToleranceWarning)
        in1 = bool(ambiguity(mdp, "mce").contains(delta)) and \
            bool(equivalent(R, _sas(mdp, Rhat), mdp, "mce"))
    bp = boltzmann_policy(mdp, R, beta=beta)
    Bhat = boltzmann_inversion(mdp, bp, beta)
    V, Q = optimal_values(mdp, R)
    scale = max(1.0, float(np.abs(_as_float(Q)).max()))
    adv = float(np.max(np.abs(Bhat - _as_float(Q - V[:, None])))) / scale
    Vh = float(np.max(np.abs(optimal_values(mdp, Bhat)[0])))
    e2 = float(np.max(np.abs(_as_float(boltzmann_policy(mdp, Bhat, beta=beta)) - _as_float(bp))))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ToleranceWarning)
        in2 = bool(ambiguity(mdp, "boltzmann").contains(_sas(mdp, Bhat) - _as_float(_sas(mdp, R))))
    ok = (e1 <= 1e-9 and v1 <= 1e-9 and in1 and adv <= 1e-9 and Vh <= 1e-12 and e2 <= 1e-9
          and in2 and bool(np.all(Bhat.max(axis=1) == 0)))
    return bool(ok), (f"mce: policy error {e1:.1e}, |V| {v1:.1e}, in class {in1}; boltzmann: "
                      f"A* error {adv:.1e}, |V*| {Vh:.1e}, policy error {e2:.1e}, in class {in2}")


# ---------------------------------------------------------------------- gamma = 0 fragments
def _gamma_zero_strategy():
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    mdps = st.one_of(ist.mdps(gamma=0, horizon=st.none(), max_states=4),
                     ist.mdps(horizon=st.none(), max_states=4))
    return _instances(mdp=mdps, arity=3,
                      extra={"c": st.fractions(-5, 5).filter(lambda x: x != 0)})


@register("gamma-zero-fragment-comparisons",
          statement="At gamma = 0 fragment comparisons are also blind to a constant shift: N_FC "
                    "= N_FR + span(1); for gamma > 0 N_FC = N_FR, and a shift is seen by a "
                    "length-1 vs length-2 fragment pair.",
          provenance="derived", area="equivalence",
          tests=("tests/test_ordering.py::test_gamma_zero_fragment_comparisons",
                 "tests/test_ordering.py::test_positive_gamma_fragment_comparisons_see_a_shift"),
          strategy=_gamma_zero_strategy)
def _gamma_zero_fragment_comparisons(inst):
    from ..equivalence import ambiguity, equivalent, refines

    mdp, R = inst.mdp, inst.reward("R")
    c = inst.array("c").item()
    NC, NR = ambiguity(mdp, "fragment-comparisons"), ambiguity(mdp, "fragment-returns")
    R2 = _sas(mdp, R) + c
    res = equivalent(R, R2, mdp, "fragment-comparisons")
    frags = _fragments(mdp)
    d = [_fragment_return(mdp, R2, s, a) - _fragment_return(mdp, _sas(mdp, R), s, a)
         for s, a in frags]
    one = np.ones(mdp.n_states)
    if mdp.gamma == 0:
        ok = (NC.dim == NR.dim + 1 and NC.contains(one) and not NR.contains(one)
              and bool(res) and res.decomposition.shift == c
              and res.decomposition.verify(R, R2, mdp) and len(set(d)) == 1
              and not equivalent(R, R2, mdp, "fragment-returns")
              and bool(refines("fragment-returns", "fragment-comparisons", mdp))
              and not refines("fragment-comparisons", "fragment-returns", mdp))
        return ok, f"gamma = 0: dims {NC.dim} = {NR.dim} + 1, shift {c} invisible: {bool(res)}"
    if NC.dim != NR.dim or res:
        return False, f"gamma = {mdp.gamma}: dims {NC.dim} vs {NR.dim}, shift decided {bool(res)}"
    fr = res.difference["trajectories"]
    dd = [_fragment_return(mdp, R2, f["states"], f["actions"]) -
          _fragment_return(mdp, _sas(mdp, R), f["states"], f["actions"]) for f in fr]
    ok = ([len(f["actions"]) for f in fr] == [1, 2] and fr[1]["states"][:2] == fr[0]["states"]
          and all(_possible(mdp, f["states"], f["actions"]) for f in fr)
          and dd == [c, c * (1 + mdp.gamma)])
    return ok, f"gamma = {mdp.gamma}: shift seen by fragments changing by {dd}"


# ---------------------------------------------------------------------- optimal cone
def _cone_strategy():
    from hypothesis import strategies as st

    return _instances(arity=3, extra={"beta": st.sampled_from([0.5, 1.0, 2.0]),
                                      "c": st.sampled_from(["1/2", "2", "3"])})


@register("optimal-class-cone",
          statement="The optimal-set class is a cone closed under c > 0 scaling, shaping and S'R "
                    "(scale reported exactly); scaling is not an mce/boltzmann invariance with "
                    "beta known; -[a not in O] is a canonical member; OPT rewards are in it.",
          provenance="read", area="equivalence",
          tests=("tests/test_ordering.py::test_optimal_class_positive_scaling",
                 "tests/test_ordering.py::test_scaling_is_not_an_invariance_with_known_beta",
                 "tests/test_ordering.py::test_scaling_changes_the_policy_concretely",
                 "tests/test_ordering.py::test_optimal_class_sample_and_canonical",
                 "tests/test_ordering.py::test_optimal_certificate_path",
                 "tests/test_ordering.py::test_optimal_certificate_path_concrete",
                 "tests/test_ordering.py::test_episodic_constant_shift_case_c"),
          strategy=_cone_strategy)
def _optimal_class_cone(inst):
    from ..behaviour import boltzmann_policy, optimal_actions, optimal_values, soft_policy
    from ..equivalence import ambiguity, equivalent
    from ..transforms import (OptimalityPreserving, PositiveScaling, PotentialShaping,
                              SPrimeRedistribution)

    mdp, R = inst.mdp, inst.reward("R")
    Rs = _sas(mdp, R)
    rng = np.random.default_rng(int(inst.params["seed"]))
    beta, cf = float(inst.params["beta"]), Fraction(inst.params["c"])
    O = optimal_actions(mdp, R)
    C = ambiguity(mdp, "optimal", reward=R)
    trivial = bool(ambiguity(mdp, "mce").contains(R))
    # 1. scaling + shaping + S'R; the scale is reported
    c = PositiveScaling.sample(mdp, rng).alpha
    R2 = SPrimeRedistribution.sample(mdp, rng).apply(
        PotentialShaping.sample(mdp, rng).apply(c * Rs, mdp), mdp)
    res = equivalent(R, R2, mdp, "optimal")
    if not (np.array_equal(optimal_actions(mdp, R2), O) and C.contains(R2) and res
            and res.decomposition.verify(R, R2, mdp)):
        return False, f"c = {c}: c R + shaping + S'R not in the optimal class"
    if not trivial and not (res.decomposition.certificate is None and
                            res.decomposition.scale == c):
        return False, f"scale reported {res.decomposition.scale}, expected {c}"
    if trivial and not C.optimal_sets.all():
        return False, "R in N_mce but not every action optimal"
    # 2. no scaling invariance with beta known
    Rf = _as_float(Rs)
    e_soft = float(np.max(np.abs(soft_policy(mdp, float(cf) * Rf, temperature=1 / beta, tol=1e-13)
                                  - soft_policy(mdp, Rf, temperature=1 / (float(cf) * beta),
                                                tol=1e-13))))
    e_bz = float(np.max(np.abs(_as_float(boltzmann_policy(mdp, cf * Rs, beta=beta)) -
                               _as_float(boltzmann_policy(mdp, R, beta=float(cf) * beta)))))
    if e_soft > 1e-9 or e_bz > 1e-12:
        return False, f"MCE(cR, beta) vs MCE(R, c beta): {e_soft:.1e}; Boltzmann {e_bz:.1e}"
    for model in ("mce", "boltzmann"):
        if bool(equivalent(R, cf * Rs, mdp, model, beta=beta)) != trivial:
            return False, f"{model}: c R equivalent to R is not 'R in N_mce' ({trivial})"
    # 3. canonical member
    can = C.canonical(R)
    V0 = optimal_values(mdp, can)[0]
    if not (np.array_equal(can[:, :, 0], np.where(O, Fraction(0), Fraction(-1)))
            and C.contains(can) and all(v == 0 for v in V0.tolist())
            and np.array_equal(C.canonical(R2), can)):
        return False, "canonical member -[a not in O] fails"
    # 4. OPT rewards are members; making a suboptimal action tie leaves the class
    t = OptimalityPreserving.sample(mdp, rng)
    R3 = t.apply(R, mdp)
    res = equivalent(R, R3, mdp, "optimal")
    if not (res and res.decomposition.verify(R, R3, mdp)):
        return False, "an OPT-related reward is not decided equivalent"
    if not O.all():
        s, a = map(int, np.argwhere(~O)[0])
        bad = _sas(mdp, R3).copy()
        bad[s, a, :] = bad[s, a, :] + t.gaps[s, a]
        if equivalent(R, bad, mdp, "optimal"):
            return False, f"closing the gap at ({s}, {a}) stays in the class"
    return True, f"c = {c} reported, trivial {trivial}, MCE scaling error {e_soft:.1e}, " \
                 f"canonical and OPT membership hold"
