"""Verification at scale (identifiability.theorems.verify_many, pin, ProgressBar) and the
``identifiability theorems`` / ``identifiability verify`` commands.

The claims registered here are temporary (a fixture removes them); they are cheap, so the
executors (serial, a process pool, a Dask LocalCluster) can be compared on many chunks.
"""

import io
import json
import sys
from pathlib import Path

import pytest

import identifiability as idf
from identifiability import theorems as T
from identifiability.cli import main
from identifiability.errors import InvalidParameterError, MissingDependencyError

T.load_all()
MODEL_CLAIM = "soft-policy-shift-invariance"
HERE = "tests/test_verify.py::test_chunking_sums_examples_and_keeps_the_first_failure"


def run(argv):
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue()


def _int_instances():
    from hypothesis import strategies as st

    return st.integers(0, 10**6).map(lambda k: T.Instance(params={"k": k}))


def _mdp_instances():
    from identifiability.claims.foundations import _mdp_reward_instances

    return _mdp_reward_instances()


@pytest.fixture
def temp_claims():
    """Register cheap claims: one true, two false theorems (bugs to find: on MDPs, on
    integers), one known-false statement, one whose check crashes, one failing only on
    some integers."""
    made = []

    def reg(id, check, *, strategy=_int_instances, kind="theorem"):
        T.register(id, statement=f"{id}.", provenance="derived", area="foundations",
                   tests=(HERE,), strategy=strategy, kind=kind)(check)
        made.append(id)
        return id

    ids = {
        "true": reg("tv-true", lambda i: (i.params["k"] >= 0, f"k = {i.params['k']}")),
        "bug": reg("tv-one-state", lambda i: (i.mdp.n_states == 1, f"S = {i.mdp.n_states}"),
                   strategy=_mdp_instances),
        "false": reg("tv-false-even", lambda i: (i.params["k"] % 2 == 0,
                                                 f"k = {i.params['k']}"), kind="false"),
        "odd": reg("tv-odd", lambda i: (i.params["k"] % 2 == 1, f"k = {i.params['k']}")),
        "crash": reg("tv-crash", lambda i: {}["missing"]),
        "rare": reg("tv-rare", lambda i: (i.params["k"] % 5 != 3, f"k = {i.params['k']}")),
    }
    yield ids
    for id in made:
        T.REGISTRY.pop(id, None)


def _summary(results):
    return [(r.id, r.status, r.examples, r.pinned, r.detail,
             None if r.failure is None else r.failure.dumps()) for r in results]


# ---------------------------------------------------------------------- theorems command
def test_theorems_json_lists_the_registry_and_filters():
    code, text = run(["theorems", "--json"])
    assert code == 0
    data = json.loads(text)
    assert [d["id"] for d in data] == [t.id for t in T.theorems()]
    one = next(d for d in data if d["id"] == MODEL_CLAIM)
    thm = T.get(MODEL_CLAIM)
    assert (one["statement"], one["provenance"], one["kind"], one["area"]) == (
        thm.statement, thm.provenance, thm.kind, thm.area)
    assert one["proof"] == f"proofs/{MODEL_CLAIM}.md" and one["tests"] == list(thm.tests)
    code, text = run(["theorems", "--json", "--kind", "false"])
    false = json.loads(text)
    assert code == 0 and {d["id"] for d in false} == {t.id for t in T.theorems(kind="false")}
    assert all(d["kind"] == "false" for d in false)
    code, text = run(["theorems", "--json", "--area", "foundations", "--kind", "theorem"])
    assert {d["id"] for d in json.loads(text)} == {
        t.id for t in T.theorems(kind="theorem", area="foundations")}


def test_theorems_table_and_index():
    code, text = run(["theorems"])
    assert code == 0
    lines = text.splitlines()
    assert lines[0].split() == ["id", "kind", "provenance", "statement"]
    row = next(l for l in lines if l.startswith(MODEL_CLAIM + " "))
    assert row.split()[1:3] == ["theorem", T.get(MODEL_CLAIM).provenance]
    assert f"{len(T.theorems())} claims" in text
    code, text = run(["theorems", "--index"])
    assert code == 0 and text == T.render_index()
    with pytest.raises(SystemExit) as exc:
        run(["theorems", "--kind", "lemma"])
    assert exc.value.code == 2


# ---------------------------------------------------------------------- verify command
def test_verify_json_matches_the_library(tmp_path, temp_claims):
    ids = [MODEL_CLAIM, temp_claims["true"], temp_claims["false"]]
    argv = ["verify", "--examples", "4", "--seed", "3", "--json", "--executor", "serial",
            "--out", str(tmp_path), "--theorem", ids[0], "--theorem", *ids[1:]]
    code, text = run(argv)
    data = json.loads(text)
    assert code == 0 and data["ok"] is True and data["seed"] == 3
    lib = T.verify_many(ids, 4, 3, executor="serial")
    assert [(d["id"], d["status"], d["examples"], d["detail"]) for d in data["results"]] == [
        (r.id, r.status, r.examples, r.detail) for r in lib]
    assert data["counts"] == {"passed": 2, "refuted": 1}
    refuted = data["results"][2]
    assert refuted["failure"] == lib[2].failure.to_dict(theorem=ids[2])
    assert Path(refuted["saved"]) == tmp_path / f"{ids[2]}.json"


def test_verify_default_executor_is_serial_for_one_task_else_a_pool(tmp_path, temp_claims):
    true, odd = temp_claims["true"], temp_claims["odd"]
    for argv, executor, examples in (
            ([true, "--examples", "3"], "serial", [3]),
            ([true, "--examples", "5", "--chunk-size", "2"], "process", [5]),
            ([true, odd, "--examples", "3"], "process", [3, 1])):
        code, text = run(["verify", "--json", "--out", str(tmp_path), "--theorem", *argv])
        data = json.loads(text)
        assert data["executor"] == executor, argv
        assert [r["examples"] for r in data["results"]] == examples
        assert code == (0 if data["ok"] else 1) and data["ok"] == (odd not in argv)


def test_verify_exit_codes(tmp_path, temp_claims):
    out = ["--out", str(tmp_path), "--executor", "serial", "--examples", "3"]
    assert run(["verify", "--theorem", temp_claims["true"], *out])[0] == 0
    assert run(["verify", "--theorem", temp_claims["odd"], *out])[0] == 1
    assert run(["verify", "--theorem", temp_claims["false"], *out])[0] == 0
    code, text = run(["verify", "--theorem", temp_claims["crash"], *out])
    assert code == 1 and "ERROR" in text and "KeyError" in text and "test_verify.py:" in text
    # bad input: exit code 2 with a message
    assert run(["verify"])[0] == 2
    assert run(["verify", "--theorem", "no-such-claim"])[0] == 2
    assert run(["verify", "--theorem", temp_claims["true"], "--examples", "0"])[0] == 2
    assert run(["verify", "--theorem", temp_claims["true"], "--executor", "process",
                "--scheduler", "tcp://127.0.0.1:1"])[0] == 2
    code, text = run(["verify", "--theorem", "no-such-claim", "--json"])
    assert code == 2 and json.loads(text)["error"] == "InvalidParameterError"
    for bad in (["--all", "--theorem", temp_claims["true"]], ["--all", "--examples", "x"],
                ["--all", "--executor", "gpu"]):
        with pytest.raises(SystemExit) as exc:
            run(["verify", *bad])
        assert exc.value.code == 2


def test_verify_saves_the_failure_which_reloads_and_refails(tmp_path, temp_claims):
    bug = temp_claims["bug"]
    code, text = run(["verify", "--theorem", bug, "--examples", "50", "--seed", "1",
                      "--out", str(tmp_path / "cx")])
    assert code == 1
    assert "FAILED" in text and str(tmp_path / "cx" / f"{bug}.json") in text
    path = tmp_path / "cx" / f"{bug}.json"
    assert idf.load(path).n_states == 2                 # a plain MDP file, shrunk
    inst = T.Instance.load(path)
    assert not T.check_instance(bug, inst)
    assert json.loads(path.read_text())["metadata"]["theorem"] == bug
    # the JSON summary names the same file
    code, text = run(["verify", "--theorem", bug, "--examples", "50", "--seed", "1",
                      "--json", "--out", str(tmp_path / "cx2")])
    res = json.loads(text)["results"][0]
    assert code == 1 and res["status"] == "failed" and res["ok"] is False
    assert Path(res["saved"]).read_text() == path.read_text()


def test_progress_bar_draws_only_when_enabled(capsys):
    s = io.StringIO()
    bar = T.ProgressBar(s, enabled=True, width=10)
    bar(1, 2, "a")
    bar(2, 2, "b")
    assert "[##########] 2/2" in s.getvalue()
    bar.close()
    assert s.getvalue().endswith("\r")
    quiet = io.StringIO()
    T.ProgressBar(quiet)(1, 2)                           # StringIO is not a terminal
    assert quiet.getvalue() == ""
    seen = []
    T.verify_many([MODEL_CLAIM], 3, chunk_size=1, executor="serial",
                  progress=lambda d, t, x: seen.append((d, t, x)))
    assert seen == [(1, 3, MODEL_CLAIM), (2, 3, MODEL_CLAIM), (3, 3, MODEL_CLAIM)]
    run(["verify", "--theorem", MODEL_CLAIM, "--examples", "2", "--json"])
    assert "verify [" not in capsys.readouterr().err


# ---------------------------------------------------------------------- chunks, executors
def test_chunk_plan():
    assert T._chunk_plan(10, 3) == [3, 3, 2, 2]
    assert T._chunk_plan(10, 100) == [10]
    assert T._chunk_plan(1, 1) == [1]
    assert sum(T._chunk_plan(1_000_003, 100)) == 1_000_003


def test_chunking_sums_examples_and_keeps_the_first_failure(temp_claims):
    # a claim that holds: examples summed over the chunks, each chunk = verify(seed + k)
    true = temp_claims["true"]
    r = T.verify_many([true], 10, 7, chunk_size=3, executor="serial")[0]
    assert r.status == "passed" and r.examples == 10
    # a claim failing on some instances: chunks run with seeds 7, 8, ... until the first
    # failing one, whose (shrunk) failure is kept; examples are summed up to it
    rare = temp_claims["rare"]
    sizes = T._chunk_plan(40, 4)
    expected_examples, first = 0, None
    for k, size in enumerate(sizes):
        part = T.verify(rare, size, 7 + k)
        expected_examples += part.examples
        if part.failure is not None:
            first = part
            break
    assert first is not None, "the test claim should fail within 40 examples"
    r = T.verify_many([rare], 40, 7, chunk_size=4, executor="serial")[0]
    assert r.status == "failed" and r.examples == expected_examples
    assert r.failure.dumps() == first.failure.dumps() and r.detail == first.detail
    assert r.failure.params["k"] % 5 == 3
    # merge rule: later failures lose, chunks after the first failure do not count
    ok = T.VerifyResult("x", "theorem", 3, None, "", 1.0)
    bad1 = T.VerifyResult("x", "theorem", 2, T.Instance(params={"k": 1}), "one", 1.0)
    bad2 = T.VerifyResult("x", "theorem", 5, T.Instance(params={"k": 2}), "two", 1.0)
    m = T._merge(T.get(true), [ok, bad1, bad2, ok])
    assert (m.examples, m.detail, m.failure.params, m.seconds) == (5, "one", {"k": 1}, 2.0)


def test_process_pool_gives_the_serial_results(temp_claims):
    ids = [MODEL_CLAIM, temp_claims["true"], temp_claims["odd"], temp_claims["false"],
           temp_claims["rare"], temp_claims["crash"]]
    serial = T.verify_many(ids, 6, 11, executor="serial", chunk_size=2)
    pool = T.verify_many(ids, 6, 11, executor="process", workers=2, chunk_size=2)
    assert _summary(pool) == _summary(serial)
    assert [r.status for r in serial] == ["passed", "passed", "failed", "refuted",
                                          serial[4].status, "error"]
    assert serial[1].examples == 6
    # many chunks of a failing claim: the later ones are cancelled, the first failure kept
    odd = temp_claims["odd"]
    serial = T.verify_many([odd], 80, 0, executor="serial", chunk_size=2)
    pool = T.verify_many([odd], 80, 0, executor="process", workers=2, chunk_size=2)
    assert _summary(pool) == _summary(serial) and serial[0].status == "failed"


def test_verify_many_refuses_bad_input(temp_claims):
    true = temp_claims["true"]
    with pytest.raises(InvalidParameterError, match="executor"):
        T.verify_many([true], executor="gpu")
    with pytest.raises(InvalidParameterError, match="scheduler"):
        T.verify_many([true], executor="process", scheduler="tcp://127.0.0.1:1")
    with pytest.raises(InvalidParameterError, match="chunk_size"):
        T.verify_many([true], chunk_size=0)
    with pytest.raises(InvalidParameterError, match="workers"):
        T.verify_many([true], workers=0)
    with pytest.raises(InvalidParameterError, match="examples"):
        T.verify_many([true], examples=1.5)
    with pytest.raises(InvalidParameterError, match="no registered claim"):
        T.verify_many(["no-such-claim"])


def test_dask_executor_needs_distributed(monkeypatch, temp_claims):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingDependencyError, match=r"identifiability\[dask\]"):
        T.verify_many([temp_claims["true"]], 2, executor="dask")


def test_dask_local_cluster_gives_the_serial_results(tmp_path, temp_claims):
    distributed = pytest.importorskip("distributed")
    ids = [MODEL_CLAIM, temp_claims["true"], temp_claims["false"], temp_claims["rare"]]
    serial = T.verify_many(ids, 6, 5, executor="serial", chunk_size=3)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        dask = T.verify_many(ids, 6, 5, executor="dask", scheduler=address, chunk_size=3)
        assert _summary(dask) == _summary(serial)
        odd = temp_claims["odd"]
        assert _summary(T.verify_many([odd], 40, 0, executor="dask", scheduler=address,
                                      chunk_size=2)) == _summary(
            T.verify_many([odd], 40, 0, executor="serial", chunk_size=2))
        code, text = run(["verify", "--theorem", MODEL_CLAIM, "--theorem",
                          temp_claims["false"], "--examples", "3", "--scheduler", address,
                          "--json", "--out", str(tmp_path)])
    data = json.loads(text)
    assert code == 0 and data["executor"] == "dask"
    assert [d["status"] for d in data["results"]] == ["passed", "refuted"]


# ---------------------------------------------------------------------- pinned instances
def test_pinned_instances_are_checked_first(tmp_path, monkeypatch, temp_claims):
    import shutil

    shipped = Path(T.PINNED_DIR)
    if shipped.is_dir():                                  # a copy of the shipped pins
        shutil.copytree(shipped, tmp_path / "pinned")
    monkeypatch.setattr(T, "PINNED_DIR", tmp_path / "pinned")
    for folder in (shipped.iterdir() if shipped.is_dir() else []):
        assert len(T.get(folder.name).pinned()) == len(list(folder.glob("*.json")))
    true = temp_claims["true"]
    assert T.get(true).pinned() == []
    before = T.verify(true, 5, 0)
    assert before.status == "passed" and before.pinned == 0
    # a holding pin is checked too (and counted)
    path = T.pin(true, T.Instance(params={"k": 4}))
    assert Path(path).parent == tmp_path / "pinned" / true
    assert T.pin(true, T.Instance(params={"k": 4})) == path        # same instance, one file
    r = T.verify(true, 5, 0)
    assert (r.status, r.pinned, r.examples) == ("passed", 1, before.examples + 1)
    # a violating pin is found before any generated instance
    bad = T.Instance(params={"k": -1})
    T.pin(true, bad, name="negative-k")
    assert sorted(i.params["k"] for i in T.get(true).pinned()) == [-1, 4]
    r = T.verify(true, 5, 0)
    assert r.status == "failed" and r.failure == bad and r.examples == r.pinned == 2
    assert r.detail.startswith("pinned negative-k.json")
    # at scale: the first chunk checks the pins, once
    r = T.verify_many([true], 6, 0, chunk_size=2, executor="serial")[0]
    assert r.status == "failed" and r.failure == bad and r.examples == 2
    assert T.Instance.load(Path(path).parent / "negative-k.json") == bad
    assert not (shipped / true).exists()                  # the package data is untouched
    with pytest.raises(InvalidParameterError, match="name"):
        T.pin(true, bad, name="../escape")
    with pytest.raises(InvalidParameterError, match="Instance"):
        T.pin(true, {"k": 1})
    with pytest.raises(InvalidParameterError, match="no registered claim"):
        T.pin("no-such-claim", bad)


def test_shipped_pins_belong_to_registered_claims_and_keep_their_verdict():
    """Every pinned file is an instance of a registered claim; a known-false statement's
    pins refute it and a theorem's pins satisfy it (a fixed bug stays fixed)."""
    root = Path(T.PINNED_DIR)
    folders = [p for p in root.iterdir() if p.is_dir()] if root.is_dir() else []
    for folder in folders:
        assert folder.name in T.REGISTRY, f"pins for an unregistered claim: {folder.name}"
        thm = T.get(folder.name)
        for inst in thm.pinned():
            assert bool(thm.run(inst)) == (thm.kind != "false"), folder.name
