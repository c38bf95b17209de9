"""Counterexample search (identifiability.search) and the `counterexample` command.

Each known-false teaching statement (identifiability/claims/teaching.py) is refuted by the
command in under 60 s; the counterexample is shrunk to the minimal size derived in its
proofs/<id>.md, exported (JSON, TikZ, PNG), read back and re-verified.  The minimality is
checked independently on exhaustive small candidates.
"""

import io
import itertools
import json
import math
import time
from fractions import Fraction

import numpy as np
import pytest

import identifiability as idf
from identifiability import theorems as T
from identifiability.cli import main
from identifiability.errors import InvalidParameterError
from identifiability.search import Counterexample, find_counterexample, resolve

T.load_all()

#: (S, A, H) of the smallest counterexample, derived in proofs/<id>.md (H = 0: infinite).
MINIMAL = {
    "false-ziebart-law-discounted": (1, 2, 2),
    "false-ziebart-law-stochastic": (2, 1, 1),
    "false-coverage-time-horizon-suffices": (2, 2, 1),
    "false-one-step-strong-identifiability": (2, 2, 1),
    "false-epic-sprime-invariant": (2, 1, 0),
}


def _run(argv):
    buf = io.StringIO()
    rc = main(argv, out=buf)
    return rc, buf.getvalue()


def test_every_teaching_statement_has_a_known_minimum():
    assert {t.id for t in T.theorems(area="teaching") if not t.id.startswith("test-")} \
        == set(MINIMAL)
    assert all(T.get(cid).kind == "false" for cid in MINIMAL)


@pytest.mark.parametrize("cid", sorted(MINIMAL))
def test_teaching_counterexample_found_shrunk_exported(cid, tmp_path):
    """The acceptance: find, shrink, export in under 60 s; the JSON reloads and re-verifies."""
    t0 = time.perf_counter()
    rc, text = _run(["counterexample", cid, "--out", str(tmp_path), "--json"])
    seconds = time.perf_counter() - t0
    assert rc == 0, text
    doc = json.loads(text)
    assert doc["found"] and doc["verified"] and doc["claim"] == cid
    assert seconds < 60, f"{cid}: {seconds:.1f} s"
    paths = doc["paths"]
    mdp = idf.load(paths["json"])                      # a plain identifiability.mdp/1 file
    inst = T.Instance.load(paths["json"])
    assert inst.size()[:3] == MINIMAL[cid], (cid, inst.size())
    assert (mdp.n_states, mdp.n_actions) == MINIMAL[cid][:2]
    out = T.check_instance(cid, inst)                  # re-verified from the file
    assert not out.holds and out.detail
    meta = json.loads(open(paths["json"]).read())["metadata"]
    assert meta["theorem"] == cid and meta["counterexample"]["verified"] is True
    tex = open(paths["tex"]).read()
    assert "\\documentclass[tikz]{standalone}" in tex and tex.count("\\node[state") == \
        mdp.n_states
    if paths["png"] is not None:
        assert open(paths["png"], "rb").read(4) == b"\x89PNG"
    print(f"{cid}: {seconds:.2f} s, {doc['examples']} checks, size {inst.size()[:3]}")


# ---------------------------------------------------------------------- minimality
def _kernels(S, A):
    """Every deterministic kernel with S states and A actions."""
    for succ in itertools.product(range(S), repeat=S * A):
        P = np.zeros((S, A, S), dtype=np.int64)
        for k, v in enumerate(succ):
            P[k // A, k % A, v] = 1
        yield P


def _holds(cid, inst):
    return T.check_instance(cid, inst).holds


@pytest.mark.parametrize("cid", sorted(MINIMAL))
def test_teaching_counterexample_is_minimal(cid):
    """No counterexample among the exhaustive smaller candidates (proofs/<id>.md), and the
    minimal one has the value the proof computes."""
    rng = np.random.default_rng(0)
    rewards = lambda shape: [np.zeros(shape, dtype=np.int64),  # noqa: E731
                             rng.integers(-3, 4, size=shape)]
    if cid == "false-ziebart-law-discounted":
        for A, H in [(1, 1), (1, 2), (1, 3), (2, 1), (3, 1)]:
            for S in (1, 2):
                for P in _kernels(S, A):
                    for g in ("1/2", "9/10"):
                        mdp = idf.MDP(P, [1] + [0] * (S - 1), gamma=g, horizon=H)
                        for R in rewards((S, A)):
                            assert _holds(cid, T.Instance(mdp, {"R": R},
                                                          {"temperature": 1}))
        mdp = idf.MDP([[[1], [1]]], gamma="1/2", horizon=2)
        out = T.check_instance(cid, T.Instance(mdp, {"R": [0]}, {"temperature": 1}))
        assert not out.holds and f"{math.log(2) / 2:.4g}" in out.detail
    elif cid == "false-ziebart-law-stochastic":
        for A in (1, 2, 3):                              # S = 1 is deterministic
            for H in (1, 2, 3):
                mdp = idf.MDP(np.ones((1, A, 1), dtype=np.int64), gamma=1, horizon=H)
                for R in rewards((1, A, 1)):
                    assert _holds(cid, T.Instance(mdp, {"R": R}, {"temperature": 1}))
        mdp = idf.MDP([[[1, 0]], [["1/2", "1/2"]]], [0, 1], gamma=1, horizon=1)
        out = T.check_instance(cid, T.Instance(mdp, {"R": [[[0, 0]], [[0, 1]]]},
                                                {"temperature": 1}))
        assert not out.holds and "0.5 " in out.detail
        # with a reward r(s, a) the law holds at H = 1 and fails at H = 2
        inst = lambda H: T.Instance(mdp.replace(horizon=H), {"R": [[0], [1]]},  # noqa: E731
                                    {"temperature": 1})
        assert _holds(cid, inst(1)) and not _holds(cid, inst(2))
    elif cid == "false-coverage-time-horizon-suffices":
        for S, A in [(1, 1), (1, 2), (1, 3), (2, 1)]:
            for P in _kernels(S, A):
                for s0 in range(S):
                    for H in (1, 2, 3):
                        for g in (1, "1/2"):
                            init = [int(s == s0) for s in range(S)]
                            assert _holds(cid, T.Instance(idf.MDP(P, init, gamma=g,
                                                                  horizon=H)))
        cao = idf.examples.cao2021_example1(horizon=3)
        assert idf.graph.coverage_time(cao) == 3 and not _holds(cid, T.Instance(cao))
    elif cid == "false-one-step-strong-identifiability":
        for S, A in [(1, 1), (1, 2), (1, 3), (2, 1)]:
            for P in _kernels(S, A):
                for g in (1, "1/2"):
                    assert _holds(cid, T.Instance(idf.MDP(P, None, gamma=g, horizon=1)))
        # under full access at H = 1, K_Gamma is the action-independent rewards: dim S
        swap3 = idf.MDP([[[1, 0, 0], [0, 1, 0]], [[0, 1, 0], [0, 0, 1]],
                         [[0, 0, 1], [1, 0, 0]]], None, horizon=1)
        out = T.check_instance(cid, T.Instance(swap3))
        assert not out.holds and "dim K_Gamma = 3" in out.detail
    elif cid == "false-epic-sprime-invariant":
        for A in (1, 2):
            mdp = idf.MDP(np.ones((1, A, 1), dtype=np.int64), gamma="1/2")
            for R in rewards((1, A, 1)):
                # with one successor the only S'-redistribution is 0
                assert _holds(cid, T.Instance(mdp, {"R": R, "R2": R}))
        mdp = idf.MDP([[[1, 0]], [[1, 0]]], [1, 0], gamma="1/2")
        R, R2 = np.zeros((2, 1, 2), dtype=np.int64), np.zeros((2, 1, 2), dtype=np.int64)
        R2[1, 0, 1] = 1
        out = T.check_instance(cid, T.Instance(mdp, {"R": R, "R2": R2}))
        assert not out.holds
        assert idf.distances.epic_distance(R, R2, mdp) == pytest.approx(0.5)
    else:  # pragma: no cover
        pytest.fail(f"no minimality check for {cid}")


# ---------------------------------------------------------------------- the API
def test_find_counterexample_api_save_and_explain(tmp_path):
    cx = find_counterexample("false-one-step-strong-identifiability", seed=3)
    assert isinstance(cx, Counterexample) and cx.verified and cx.kind == "false"
    assert cx.size[:3] == (2, 2, 1)
    text = cx.explain()
    assert "false-one-step-strong-identifiability" in text and "re-verified" in text
    paths = cx.save(tmp_path / "out", png=False)
    assert paths["png"] is None and idf.load(paths["json"]).n_states == 2
    assert cx.to_dict()["instance"]["metadata"]["theorem"] == cx.claim


def test_a_true_theorem_gives_none_and_exit_code_1(tmp_path):
    assert find_counterexample("soft-policy-shift-invariance", max_examples=5) is None
    rc, text = _run(["counterexample", "soft-policy-shift-invariance", "--max-examples", "5",
                     "--out", str(tmp_path)])
    assert rc == 1 and "no counterexample" in text
    assert not (tmp_path / "counterexample.json").exists()


def test_timeout_stops_the_search():
    t0 = time.perf_counter()
    res = find_counterexample("soft-policy-shift-invariance", max_examples=100000, timeout=1)
    assert res is None and time.perf_counter() - t0 < 10


_PREDICATES = '''
from hypothesis import strategies as st
from identifiability import MDP
from identifiability.theorems import Instance, Outcome


def small(inst):
    """Every MDP has at most one state."""
    return inst.mdp.n_states <= 1, f"S = {inst.mdp.n_states}"


def short(inst):
    """Every horizon is at most 2."""
    H = inst.params["H"]
    return Outcome(H <= 2, f"H = {H}", score=float(H))


short.strategy = lambda: st.builds(
    lambda h: Instance(MDP([[[1]]], horizon=h), params={"H": h}), st.integers(1, 9))


def bad(inst):
    return "yes"
'''


_MODULE_STRATEGY = '''
from hypothesis import strategies as st
from identifiability import MDP
from identifiability.theorems import Instance

STRATEGY = st.builds(lambda a: Instance(MDP([[[1]] * a], horizon=1)), st.integers(1, 3))


def one_action(inst):
    return inst.mdp.n_actions == 1
'''


def test_user_predicate_module_function(tmp_path, monkeypatch):
    (tmp_path / "cx_user_preds.py").write_text(_PREDICATES)
    monkeypatch.syspath_prepend(str(tmp_path))
    # default strategy: small exact MDPs with a reward R
    rc, text = _run(["counterexample", "cx_user_preds:small", "--out", str(tmp_path / "a"),
                     "--json"])
    assert rc == 0, text
    doc = json.loads(text)
    assert doc["claim"] == "cx_user_preds:small" and doc["verified"]
    assert doc["size"]["states"] == 2 and doc["detail"] == "S = 2"
    back = T.Instance.load(doc["paths"]["json"])
    assert back.mdp.n_states == 2 and "R" in back.rewards
    # function.strategy, an Outcome with a score: shrinks to the smallest violation
    cx = find_counterexample("cx_user_preds:short")
    assert cx.instance.params["H"] == 3 and cx.verified
    # the module's STRATEGY
    (tmp_path / "cx_user_preds3.py").write_text(_MODULE_STRATEGY)
    cx = find_counterexample("cx_user_preds3:one_action")
    assert cx.instance.mdp.n_actions == 2 and cx.instance.mdp.horizon == 1
    assert resolve("cx_user_preds:small").statement == "Every MDP has at most one state."


def test_bad_input_exits_2(tmp_path, monkeypatch, capsys):
    (tmp_path / "cx_user_preds2.py").write_text(_PREDICATES)
    monkeypatch.syspath_prepend(str(tmp_path))
    for argv, msg in [(["counterexample", "no-such-claim"], "no registered claim"),
                      (["counterexample", "no_such_module_xyz:f"], "cannot import"),
                      (["counterexample", "cx_user_preds2:nothing"], "no attribute"),
                      (["counterexample", "cx_user_preds2:"], "module:function"),
                      (["counterexample"], "needs a CONJECTURE"),
                      (["counterexample", "cx_user_preds2:small", "--pin"], "--pin"),
                      (["counterexample", "false-epic-sprime-invariant", "--timeout", "0"],
                       "timeout")]:
        rc, _ = _run(argv + ["--out", str(tmp_path / "o")])
        err = capsys.readouterr().err
        assert rc == 2 and msg in err, (argv, err)
    with pytest.raises(InvalidParameterError, match="max_examples"):
        find_counterexample("false-epic-sprime-invariant", max_examples=0)
    # a predicate returning something that is not a verdict is bad input
    rc, _ = _run(["counterexample", "cx_user_preds2:bad", "--out", str(tmp_path / "o")])
    assert rc == 2 and "must return" in capsys.readouterr().err


def test_list_and_pin(tmp_path, monkeypatch):
    rc, text = _run(["counterexample", "--list"])
    assert rc == 0 and "module:function" in text
    assert all(cid in text for cid in MINIMAL) and "conjecture-monotone-horizon" in text
    rc, text = _run(["counterexample", "--list", "--json"])
    assert {d["kind"] for d in json.loads(text)} <= {"conjecture", "false"}
    monkeypatch.setattr(T, "PINNED_DIR", tmp_path / "pinned")
    cid = "false-one-step-strong-identifiability"
    rc, text = _run(["counterexample", cid, "--pin", "--out", str(tmp_path / "o")])
    assert rc == 0 and "pinned to" in text
    pins = T.get(cid).pinned()
    assert len(pins) == 1 and not T.check_instance(cid, pins[0]).holds


def test_exact_reward_tables_shrink_to_simple_rationals():
    from hypothesis import find

    from identifiability.search import reward_tables

    R = find(reward_tables((3,)), lambda R: sum(R) > Fraction(5, 2))
    assert R.tolist() == [0, 0, 3]
    R = find(reward_tables((2,)), lambda R: 0 < R[1] < 1)
    assert R.tolist() == [0, Fraction(1, 2)]
