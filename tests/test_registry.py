"""The theorem registry (identifiability.theorems): every claim registered once, with a proof
file, existing tests and a check that holds on generated instances.

The consistency tests make the registry the single list of claims: a proof file without a
registry entry, a registry entry without a proof file or whose cited tests do not exist, and
a stale ``proofs/README.md`` index all fail here.
"""

import ast
import json
from pathlib import Path

import pytest

import identifiability as idf
from identifiability import theorems as T
from identifiability.errors import InvalidParameterError

ROOT = Path(__file__).resolve().parents[1]
REG = T.load_all()
IDS = sorted(REG)


def _test_functions(path):
    tree = ast.parse(path.read_text())
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def test_registry_is_large_enough():
    assert len([t for t in REG.values() if t.kind != "false"]) >= 30


@pytest.mark.parametrize("cid", IDS)
def test_registered_claim_has_proof_file_and_existing_tests(cid):
    thm = REG[cid]
    assert thm.proof_path().exists(), f"{cid}: no proofs/{cid}.md"
    assert thm.proof_path().read_text().startswith(f"# {cid}\n")
    for node in thm.tests:
        file, _, name = node.partition("::")
        path = ROOT / file
        assert path.exists(), f"{cid}: cited test file {file} does not exist"
        assert name.split("[")[0] in _test_functions(path), f"{cid}: {node} does not exist"


def test_every_proof_file_is_registered():
    files = {p.stem for p in (ROOT / "proofs").glob("*.md") if p.name != "README.md"}
    missing = sorted(files - set(REG))
    assert not missing, f"proof files without a registry entry: {missing}"


def test_proofs_index_is_generated_from_the_registry():
    assert (ROOT / "proofs" / "README.md").read_text() == T.render_index(), (
        "proofs/README.md is stale: python -m identifiability theorems --index > "
        "proofs/README.md")


@pytest.mark.parametrize("cid", IDS)
def test_registered_claim_holds_on_generated_instances(cid):
    """Each claim's own check on a few generated instances (``identifiability verify`` runs
    many more); a known-false teaching statement must be refuted."""
    res = T.verify(cid, examples=5 if REG[cid].kind != "false" else 200, seed=0)
    assert res.ok, f"{cid}: {res.status} after {res.examples} examples: {res.detail}"
    assert res.examples >= 1


def test_register_refuses_bad_entries():
    from hypothesis import strategies as st

    common = dict(statement="x", area="foundations", tests=("tests/test_registry.py::x",),
                  strategy=lambda: st.just(T.Instance()))
    with pytest.raises(InvalidParameterError, match="provenance"):
        T.register("bad", provenance="folklore", **common)
    with pytest.raises(InvalidParameterError, match="kind"):
        T.register("bad", provenance="derived", kind="lemma", **common)
    with pytest.raises(InvalidParameterError, match="area"):
        T.register("bad", provenance="derived", **{**common, "area": "nowhere"})
    with pytest.raises(InvalidParameterError, match="at least one test"):
        T.register("bad", provenance="derived", **{**common, "tests": ()})
    existing = IDS[0]
    with pytest.raises(InvalidParameterError, match="registered twice"):
        T.register(existing, provenance="derived", **common)(lambda inst: True)
    with pytest.raises(InvalidParameterError, match="no registered claim"):
        T.get("no-such-claim")


def test_a_violation_is_found_shrunk_and_saved(tmp_path):
    """The verification engine itself: a false statement is refuted with a small instance
    that round-trips through JSON and re-verifies."""
    from identifiability.claims.foundations import _mdp_reward_instances

    @T.register("test-every-mdp-has-one-state", statement="Every MDP has one state.",
                provenance="empirical", area="teaching", kind="false",
                tests=("tests/test_registry.py::test_a_violation_is_found_shrunk_and_saved",),
                strategy=lambda: _mdp_reward_instances())
    def check(inst):
        return inst.mdp.n_states == 1, f"S = {inst.mdp.n_states}"

    try:
        res = T.verify("test-every-mdp-has-one-state", examples=100, seed=3)
        assert res.status == "refuted" and res.ok
        assert res.failure.mdp.n_states == 2           # shrunk to the smallest violation
        path = res.failure.save(tmp_path / "cx.json", theorem=res.id)
        assert idf.load(path).n_states == 2            # a plain MDP file
        back = T.Instance.load(path)
        assert not T.check_instance("test-every-mdp-has-one-state", back)
        assert json.loads(Path(path).read_text())["metadata"]["theorem"] == res.id
    finally:
        T.REGISTRY.pop("test-every-mdp-has-one-state", None)


def test_instance_round_trip_keeps_exact_numbers_and_refuses_non_json():
    mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="9/10")
    inst = T.Instance(mdp, {"R": [[0, "1/3"], [1, 0]]}, {"phi": ["1/7", 2], "beta": 0.5,
                                                          "note": "x", "nested": {"k": [1]}})
    back = T.Instance.loads(inst.dumps())
    assert back.array("phi").tolist() == [idf.Fraction(1, 7), 2] if hasattr(idf, "Fraction") \
        else str(back.array("phi")[0]) == "1/7"
    assert str(back.reward("R")[0, 1]) == "1/3" and back.params["beta"] == 0.5
    assert back.params["nested"] == {"k": [1]}
    with pytest.raises(InvalidParameterError, match="not a JSON parameter"):
        T.Instance(params={"f": object()})
    with pytest.raises(InvalidParameterError, match="need an MDP"):
        T.Instance(None, {"R": [1]})
