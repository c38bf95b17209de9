"""Noiseless comparisons of full (initial) trajectories: the three-valued model
``"noiseless-comparisons"`` of identifiability.equivalence.

Claim: ``proofs/noiseless-trajectory-order-bounds.md``.  Oracles, independent of the
implementation's least squares and of its trajectory search:

* a brute-force enumeration of every possible initial lasso with at most ``L``
  transitions (prefix then cycle), built here from ``mdp.transitions``;
* returns of lassos summed here term by term from the dense ``(S, A, S)`` reward (prefix
  plus geometric cycle), never through ``Lasso.discounted_return``;
* the lower-bound transformations applied by ``identifiability.transforms``
  (``PositiveScaling``, ``KInitialShaping``, ``UnreachableMask``).
"""

import json
from fractions import Fraction
from io import StringIO

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import identifiability as idf
from identifiability.claims.equivalence import (  # shared with the theorem registry
    _all_lassos as all_lassos,
    _sign as sign,
)
from identifiability.cli import main
from identifiability.equivalence import Lasso, equivalent, observe
from identifiability.errors import InvalidParameterError, UndecidedError
from identifiability.reward import broadcast_reward
from identifiability.testing import strategies as ist
from identifiability.transforms import KInitialShaping, UnreachableMask

MODEL = "noiseless-comparisons"
tiny_mdps = ist.mdps(horizon=st.none(), max_states=3, max_actions=2, max_support=2)


# ---------------------------------------------------------------------- independent oracles
def dense(mdp):
    return np.asarray(mdp.transitions, dtype=object)


def lasso_return(mdp, R, xi):
    """sum_t gamma^t R(s_t, a_t, s_{t+1}) over the prefix, plus the cycle / (1 - gamma^len)."""
    R = broadcast_reward(R, mdp)
    g = Fraction(mdp.gamma)
    terms = [R[xi.states[i], xi.actions[i], xi.states[i + 1]] for i in range(len(xi.actions))]
    k, n = xi.loop, len(terms)
    pre = sum((g ** i * terms[i] for i in range(k)), Fraction(0))
    cyc = sum((g ** (i - k) * terms[i] for i in range(k, n)), Fraction(0))
    return pre + g ** k * cyc / (1 - g ** (n - k))


def possible_initial(mdp, xi):
    P = dense(mdp)
    init = [s for s in range(mdp.n_states) if mdp.initial[s] > 0]
    return (xi.states[0] in init and xi.states[-1] == xi.states[xi.loop]
            and all(P[xi.states[i], xi.actions[i], xi.states[i + 1]] > 0
                    for i in range(len(xi.actions))))


def brute_force_conflict(mdp, R1, R2, max_len=3):
    """A pair of enumerated initial lassos ordered differently by R1 and R2, or None."""
    xis = all_lassos(mdp, max_len)
    g1 = [lasso_return(mdp, R1, xi) for xi in xis]
    g2 = [lasso_return(mdp, R2, xi) for xi in xis]
    for i in range(len(xis)):
        for j in range(i):
            if sign(g1[i] - g1[j]) != sign(g2[i] - g2[j]):
                return xis[i], xis[j]
    return None


def check_witness(mdp, R1, R2, res):
    """A False result: two possible initial lassos whose order differs, recomputed here."""
    assert res.equivalent is False and not res
    xi1, xi2 = res.difference["trajectories"]
    assert possible_initial(mdp, xi1) and possible_initial(mdp, xi2)
    d1 = lasso_return(mdp, R1, xi1) - lasso_return(mdp, R1, xi2)
    d2 = lasso_return(mdp, R2, xi1) - lasso_return(mdp, R2, xi2)
    assert sign(d1) != sign(d2)
    assert res.difference["first"] == [lasso_return(mdp, R1, xi) for xi in (xi1, xi2)]
    assert res.difference["second"] == [lasso_return(mdp, R2, xi) for xi in (xi1, xi2)]
    # the model's own observation (the sign matrix) differs on the pair as well
    o1 = observe(mdp, R1, MODEL, trajectories=[xi1, xi2])
    o2 = observe(mdp, R2, MODEL, trajectories=[xi1, xi2])
    assert not np.array_equal(o1, o2)


def lower_bound_image(mdp, R, c, seed):
    """c (R + k-initial shaping + mask of unreachable transitions), via transforms."""
    R2 = KInitialShaping.sample(mdp, seed).apply(R, mdp)
    R2 = UnreachableMask.sample(mdp, seed + 1).apply(R2, mdp)
    return c * R2


# ---------------------------------------------------------------------- claims
@settings(max_examples=25, deadline=None)
@given(tiny_mdps, st.data())
def test_lower_bound_is_decided_true_and_keeps_every_order(mdp, data):
    """proofs/noiseless-trajectory-order-bounds.md (1, 3): R2 = c (R1 + k-initial shaping
    + unreachable mask), c > 0, is decided True with a decomposition that re-verifies, and
    no enumerated pair of initial lassos is ordered differently."""
    R1 = broadcast_reward(data.draw(ist.rewards(mdp, arity=3, exact=True)), mdp)
    c = data.draw(st.sampled_from([Fraction(1, 2), Fraction(1), Fraction(3), Fraction(7, 5)]))
    R2 = lower_bound_image(mdp, R1, c, data.draw(st.integers(0, 2 ** 30)))
    res = equivalent(R1, R2, mdp, MODEL)
    assert res.equivalent is True and res
    assert res.decomposition.verify(R1, R2, mdp)
    assert res.decomposition.scale > 0
    assert brute_force_conflict(mdp, R1, R2) is None
    if not idf.ambiguity(mdp, "comparisons").contains(R1):     # R1's order is not trivial
        assert res.decomposition.scale == c


@st.composite
def reward_pairs(draw, mdp):
    """R1 generic or trivial; R2 generic, reversed, a monotone non-affine map of R1, or R1
    plus a change on one reachable transition."""
    R1 = broadcast_reward(draw(ist.rewards(mdp, arity=3, exact=True)), mdp)
    if draw(st.booleans()):
        R1 = lower_bound_image(mdp, R1 * 0, Fraction(1), draw(st.integers(0, 2 ** 30)))
    kind = draw(st.sampled_from(["generic", "reverse", "cube", "bump", "state"]))
    if kind == "generic":
        R2 = broadcast_reward(draw(ist.rewards(mdp, arity=3, exact=True)), mdp)
    elif kind == "reverse":
        R2 = -R1
    elif kind == "cube":
        R2 = np.vectorize(lambda x: x ** 3, otypes=[object])(R1)
    elif kind == "bump":
        R2 = R1.copy()
        s, a, sn = (int(v) for v in np.argwhere(dense(mdp) > 0)[0])
        R2[s, a, sn] += draw(st.sampled_from([Fraction(1), Fraction(-2, 3)]))
    else:
        R2 = broadcast_reward(draw(ist.rewards(mdp, arity=1, exact=True)), mdp)
    return R1, R2


@settings(max_examples=60, deadline=None)
@given(tiny_mdps, st.data())
@example(idf.MDP([[[1, 0], [0, 1]], [[1, 0], [0, 1]]], gamma="1/2"), None)
def test_decisions_agree_with_brute_force(mdp, data):
    """proofs/noiseless-trajectory-order-bounds.md (2, 3): True never meets a pair of
    enumerated lassos ordered differently; False carries a pair that is ordered differently
    (re-checked by independent returns); None is allowed, and its bool raises."""
    if data is None:                         # the pinned example: a tie against a strict order
        R1, R2 = np.zeros((2, 2, 2), dtype=object) * Fraction(0), [[0, 1], [0, 1]]
        R2 = broadcast_reward(R2, mdp)
    else:
        R1, R2 = data.draw(reward_pairs(mdp))
    res = equivalent(R1, R2, mdp, MODEL)
    conflict = brute_force_conflict(mdp, R1, R2)
    if res.equivalent is True:
        assert conflict is None
        assert res.decomposition.verify(R1, R2, mdp)
    elif res.equivalent is False:
        check_witness(mdp, R1, R2, res)
    else:
        with pytest.raises(UndecidedError):
            bool(res)
        # undecided only when R2 is outside the lower bound for every scale, which
        # the returns of the enumerated lassos confirm when they are not all tied
        assert "Undecided" in res.explain()


def test_undecided_case_exists_and_is_truly_order_equivalent():
    """proofs/noiseless-trajectory-order-bounds.md (4): three absorbing arms with returns
    (0, g, 2g) under R1 and (0, g, 3g) under R2 (g = gamma / (1 - gamma)) are ordered
    alike by every initial trajectory (every initial trajectory is one of the three), but
    R2 is not c R1 plus a lower-bound change: the decision is 'undecided', never a wrong
    answer, and bool() raises UndecidedError."""
    P = np.full((4, 3, 4), Fraction(0), dtype=object)
    for a in range(3):
        P[0, a, a + 1] = Fraction(1)
    for s in (1, 2, 3):
        P[s, :, s] = Fraction(1)
    mdp = idf.MDP(P, initial=[1, 0, 0, 0], gamma="1/2")
    R1, R2 = [0, 0, 1, 2], [0, 0, 1, 3]
    res = equivalent(R1, R2, mdp, MODEL)
    assert res.equivalent is None
    with pytest.raises(UndecidedError, match="undecided"):
        bool(res)
    assert res.to_json()["equivalent"] is None
    assert brute_force_conflict(mdp, R1, R2, max_len=3) is None
    arms = [Lasso((0, a + 1, a + 1), (a, 0), 1) for a in range(3)]
    assert [lasso_return(mdp, R1, xi) for xi in arms] == [0, 1, 2]
    assert [lasso_return(mdp, R2, xi) for xi in arms] == [0, 1, 3]
    # not affine, so no c > 0 and lower-bound change maps R1 to R2
    N = idf.ambiguity(mdp, "comparisons")
    assert not any(N.contains(broadcast_reward(R2, mdp) - c * broadcast_reward(R1, mdp))
                   for c in (Fraction(1), Fraction(3, 2)))


def test_reversed_and_tied_orders_are_detected():
    """proofs/noiseless-trajectory-order-bounds.md (2): -R reverses a strict order; a
    reward whose initial returns all tie (k-initial shaping only) against one that does
    not gives a tie-versus-strict witness."""
    mdp = idf.examples.get("random-v0", n_states=3, n_actions=2, seed=4)
    R = broadcast_reward(np.arange(18).reshape(3, 2, 3) % 5, mdp)
    res = equivalent(R, -R, mdp, MODEL)
    check_witness(mdp, R, -R, res)
    g1, g2 = res.difference["first"], res.difference["second"]
    assert sign(g1[0] - g1[1]) == -sign(g2[0] - g2[1]) != 0
    T = lower_bound_image(mdp, R * 0, Fraction(1), 3)
    res = equivalent(T, R, mdp, MODEL)
    check_witness(mdp, T, R, res)
    assert res.difference["first"][0] == res.difference["first"][1]


@settings(max_examples=20, deadline=None)
@given(tiny_mdps, st.data())
def test_float_input_agrees_with_exact(mdp, data):
    """proofs/noiseless-trajectory-order-bounds.md (3): float rewards give the exact
    decision on generic and lower-bound pairs (witnesses re-checked in float)."""
    R1 = broadcast_reward(data.draw(ist.rewards(mdp, arity=3, exact=True)), mdp)
    if data.draw(st.booleans()):
        R2 = lower_bound_image(mdp, R1, Fraction(3, 2), data.draw(st.integers(0, 2 ** 30)))
    else:
        R2 = broadcast_reward(data.draw(ist.rewards(mdp, arity=3, exact=True)), mdp)
    exact = equivalent(R1, R2, mdp, MODEL)
    flt = equivalent(np.array(R1.tolist(), dtype=float), np.array(R2.tolist(), dtype=float),
                     mdp.to_float(), MODEL)
    assert flt.equivalent == exact.equivalent
    if flt.equivalent is False:
        xi1, xi2 = flt.difference["trajectories"]
        d = [float(lasso_return(mdp, R, xi1) - lasso_return(mdp, R, xi2)) for R in (R1, R2)]
        assert sign(d[0]) != sign(d[1])


def test_errors_and_cli():
    """The model refuses settings without a theorem, has no class object, and works
    from the command line (``equivalent --model noiseless-comparisons``)."""
    mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2")
    with pytest.raises(InvalidParameterError, match="only known between bounds"):
        idf.ambiguity(mdp, MODEL)
    with pytest.raises(InvalidParameterError, match="refines does not handle"):
        idf.refines(MODEL, "q", mdp)
    with pytest.raises(InvalidParameterError, match="infinite-horizon"):
        equivalent([0, 1], [0, 2], mdp.replace(horizon=2), MODEL)
    with pytest.raises(InvalidParameterError, match="0 < gamma < 1"):
        equivalent([0, 1], [0, 2], mdp.replace(gamma=0), MODEL)
    out = StringIO()
    assert main(["equivalent", "example:random-v0", "[0, 1, 2, 3]", "[0, 2, 4, 6]", "--model",
                 MODEL, "--json"], out=out) == 0
    data = json.loads(out.getvalue())
    assert data["equivalent"] is True and data["decomposition"]["scale"] == "2"
    out = StringIO()
    assert main(["equivalent", "example:random-v0", "[0, 1, 2, 3]", "[0, -1, -2, -3]",
                 "--model", MODEL], out=out) == 0
    assert out.getvalue().startswith("Not equivalent under 'noiseless-comparisons'")
