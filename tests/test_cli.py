"""Tests of the command line (identifiability.cli)."""

import io
import json
import subprocess
import sys

import numpy as np
import pytest

import identifiability as idf
from identifiability.cli import main


def run(argv):
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue()


def test_info_on_an_example_prints_the_summary():
    code, text = run(["info", "example:cao2021-example1-v0"])
    assert code == 0
    assert "valid MDP" in text and "deterministic" in text and "horizon       5" in text


def test_info_json_matches_the_model_summary():
    code, text = run(["info", "example:wielandt-v0", "--json"])
    assert code == 0
    data = json.loads(text)
    expected = idf.examples.get("wielandt-v0").summary()
    assert {k: data[k] for k in expected} == expected


def test_info_reads_a_saved_file(tmp_path):
    path = tmp_path / "m.json"
    mdp = idf.examples.get("risky-path-v0")
    idf.save(mdp, path)
    code, text = run(["info", str(path), "--json"])
    assert code == 0
    assert json.loads(text)["n_transitions"] == mdp.n_transitions


def test_bad_inputs_exit_2_with_a_message(tmp_path, capsys):
    code, _ = run(["info", "example:no-such-example-v0"])
    assert code == 2
    assert "no example named 'no-such-example-v0'" in capsys.readouterr().err
    code, _ = run(["info", str(tmp_path / "missing.json")])
    assert code == 2
    assert "missing.json" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "identifiability.mdp/99"}')
    code, text = run(["info", str(bad), "--json"])
    assert code == 2
    assert json.loads(text)["error"] == "InvalidMDPError"


def test_examples_lists_every_registered_example_and_saves_one(tmp_path):
    code, text = run(["examples", "--json"])
    assert code == 0
    assert [d["name"] for d in json.loads(text)] == idf.examples.names()
    path = tmp_path / "w.json"
    code, _ = run(["examples", "wielandt-v0", "--save", str(path)])
    assert code == 0
    assert idf.load(path) == idf.examples.get("wielandt-v0")


def test_python_dash_m_runs_the_same_program():
    res = subprocess.run([sys.executable, "-m", "identifiability", "info",
                          "example:bandit-v0", "--json"], capture_output=True, text=True,
                         check=False)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["n_actions"] == 3


def test_no_command_prints_help_and_exits_2():
    code, text = run([])
    assert code == 2 and "info" in text


@pytest.mark.parametrize("argv", [["--version"]])
def test_version(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    assert idf.__version__ in capsys.readouterr().out


# ---------------------------------------------------------------------- check
def field(text, key):
    """The value printed after ``key`` in the aligned key/value block (None if absent)."""
    import re

    m = re.search(rf"^{re.escape(key)}\s{{2,}}(.*)$", text, re.M)
    return m.group(1) if m else None


def test_check_prints_verdicts_dimensions_and_reason():
    code, text = run(["check", "example:cao2021-example1-v0"])      # H = 5: strong
    assert code == 0
    assert field(text, "strong") == "yes" and field(text, "dim K_Gamma") == "1"
    assert field(text, "certificate").startswith("rank:") and "Strongly identifiable" in text


def test_check_exits_0_when_not_identifiable_and_prints_a_witness():
    code, text = run(["check", "example:stochastic-fork-v0", "--horizon", "2"])
    assert code == 0
    assert field(text, "weak") == "no" and field(text, "strong") == "no"
    assert field(text, "witness") and field(text, "reason") == "terminal-layer"


def test_check_json_matches_identify():
    from identifiability.identify import identify

    code, text = run(["check", "example:cao2021-example1-v0", "--horizon", "4", "--json"])
    assert code == 0
    data = json.loads(text)
    rep = identify(idf.examples.get("cao2021-example1-v0"), 4)
    assert (data["weak"], data["almost_strong"], data["strong"]) == (True, True, False)
    assert data["dim_policy_class"] == rep.dim_policy_class == 2
    assert data["reason"] == rep.reason and data["certificate"]["kind"] == "potentials"
    assert data["witness"]["r2"] == [[str(x) for x in row] for row in rep.witness[1].tolist()]


def test_check_minimal_horizon():
    code, text = run(["check", "example:cao2021-example1-v0", "--minimal-horizon", "--json"])
    assert code == 0
    assert json.loads(text)["minimal_horizon"]["horizon"] == 5
    code, text = run(["check", "example:wielandt-v0", "--minimal-horizon"])
    assert code == 0 and field(text, "minimal horizon") == "13"      # T_cov + n - 1 = 10 + 3


def test_check_reads_a_saved_file_and_float_arithmetic(tmp_path):
    path = tmp_path / "fork.json"
    idf.save(idf.examples.get("stochastic-fork-v0"), path)
    code, text = run(["check", str(path), "--horizon", "1", "--arithmetic", "float", "--json"])
    assert code == 0
    data = json.loads(text)
    assert data["weak"] is True and data["arithmetic"] == "float"


def test_check_bad_inputs_exit_2(tmp_path, capsys):
    code, _ = run(["check", "example:gridworld-v0"])                 # no finite horizon
    assert code == 2
    assert "no finite horizon" in capsys.readouterr().err
    code, _ = run(["check", "example:bandit-v0", "--horizon", "0"])
    assert code == 2
    assert "horizon must be >= 1" in capsys.readouterr().err
    code, _ = run(["check", str(tmp_path / "missing.json")])
    assert code == 2
    assert "missing.json" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["check", "example:bandit-v0", "--horizon", "two"])
    assert exc.value.code == 2


# ---------------------------------------------------------------------- equivalence
MDP_INF = "example:random-v0"          # S = 4, A = 2, gamma = 9/10, exact, infinite horizon


def test_ambiguity_prints_the_class_and_json_matches_the_library():
    code, text = run(["ambiguity", MDP_INF])
    assert code == 0
    assert "dim N = 28 of 32" in text and "potential shaping" in text
    code, text = run(["ambiguity", MDP_INF, "--model", "q", "--domain", "sa", "--json"])
    assert code == 0
    data = json.loads(text)
    expected = idf.ambiguity(idf.examples.get("random-v0"), "q", domain="sa").to_json()
    assert data["source"] == MDP_INF and {k: data[k] for k in expected} == expected


def test_ambiguity_with_a_reward_prints_the_canonical_form_and_the_optimal_cone(tmp_path):
    path = tmp_path / "r.json"
    path.write_text('{"shape": [4], "values": [0, 1, 0, "1/2"]}')
    code, text = run(["ambiguity", MDP_INF, "--domain", "s", "--reward", str(path), "--json"])
    assert code == 0
    C = idf.ambiguity(idf.examples.get("random-v0"), "mce", domain="s")
    assert json.loads(text)["canonical"] == [str(x) for x in C.canonical([0, 1, 0, "1/2"])]
    code, text = run(["ambiguity", MDP_INF, "--model", "optimal", "--reward", "[0, 1, 0, 0]"])
    assert code == 0 and "cone" in text
    code, text = run(["ambiguity", MDP_INF, "--model", "optimal", "--reward", "[0, 1, 0, 0]",
                      "--json"])
    data = json.loads(text)
    assert data["dim"] is None and len(data["optimal_sets"]) == 4
    assert data["linear_part"]["dim"] == 28


def test_equivalent_prints_the_decomposition_or_the_difference(tmp_path):
    code, text = run(["equivalent", MDP_INF, "[0, 0, 0, 0]", "[1, 1, 1, 1]"])
    assert code == 0 and text.startswith("Equivalent under 'mce'") and "Phi = [-10" in text
    path = tmp_path / "r2.json"
    path.write_text("[[0, 0], [1, 0], [0, 0], [0, 0]]")
    code, text = run(["equivalent", MDP_INF, "[0, 0, 0, 0]", str(path), "--beta", "2"])
    assert code == 0 and text.startswith("Not equivalent under 'mce'")


def test_equivalent_json_matches_the_library():
    mdp = idf.examples.get("random-v0")
    code, text = run(["equivalent", MDP_INF, "[0, 0, 0, 0]", '[1, 1, 1, "1"]', "--json"])
    assert code == 0
    data = json.loads(text)
    assert data["equivalent"] is True
    assert data["decomposition"]["potential"] == ["-10"] * 4
    code, text = run(["equivalent", MDP_INF, "[0, 0, 0, 0]", "[0, 1, 0, 0]", "--model",
                      "q", "--json"])
    assert code == 0
    data = json.loads(text)
    res = idf.equivalent([0, 0, 0, 0], [0, 1, 0, 0], mdp, model="q")
    assert data["equivalent"] is False and data["difference"]["kind"] == "Q*"
    assert data["difference"]["state"] == res.difference["state"]


def test_order_prints_the_table_and_json():
    code, text = run(["order", MDP_INF, "--models", "q,mce,optimal"])
    assert code == 0
    assert "q        <=       <=       <=" in text and "optimal  .        .        <=" in text
    code, text = run(["order", MDP_INF, "--models", "q, mce", "--domain", "sa", "--json"])
    assert code == 0
    data = json.loads(text)
    assert data["models"] == ["q", "mce"] and data["refines"] == [[True, True], [False, True]]
    assert data["domain"] == "sa"


@pytest.mark.parametrize("argv, message", [
    (["ambiguity", MDP_INF, "--model", "nope"], "unknown model 'nope'"),
    (["ambiguity", "example:bandit-v0", "--model", "returns"], "discounted infinite-horizon"),
    (["ambiguity", MDP_INF, "--model", "optimal"], "--model optimal needs --reward"),
    (["ambiguity", MDP_INF, "--reward", "[1, 2]"], "--reward: reward has shape (2,)"),
    (["equivalent", MDP_INF, "[0, 0, 0]", "[0, 0, 0, 0]"], "R1: reward has shape (3,)"),
    (["equivalent", MDP_INF, "[0, 0, 0, 0]", '["x", 0, 0, 0]'], "R2: reward[0]"),
    (["equivalent", MDP_INF, "[0, 0, 0", "[0, 0, 0, 0]"], "R1 ([0, 0, 0) is not valid JSON"),
    (["equivalent", MDP_INF, '{"values": [0, 0, 0, 0], "shape": [3]}', "[0, 0, 0, 0]"],
     "R1: 'shape' is [3]"),
    (["equivalent", MDP_INF, '{"value": [0]}', "[0, 0, 0, 0]"], "unknown key(s) ['value']"),
    (["equivalent", MDP_INF, "missing.json", "[0, 0, 0, 0]"], "missing.json"),
    (["equivalent", MDP_INF, "[0, 0, 0, 0]", "[0, 0, 0, 0]", "--beta", "0"], "--beta must be"),
    (["equivalent", MDP_INF, "[0, 0, 0, 0]", "[0, 0, 0, 0]", "--model", "x"], "unknown model"),
    (["order", MDP_INF, "--models", "q,bogus"], "unknown model 'bogus'"),
    (["order", MDP_INF, "--models", ","], "--models needs"),
    (["order", "example:cao2021-example1-v0"], "discounted infinite-horizon"),
])
def test_equivalence_commands_exit_2_on_bad_input(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, text = run(argv)
    assert code == 2 and text == ""
    assert message in capsys.readouterr().err
    code, text = run(argv + ["--json"])
    assert code == 2 and json.loads(text)["message"]


def test_distance_prints_every_distance_and_json_matches_the_library():
    mdp = idf.examples.get("random-v0")
    r1 = [[0, 1], [0, 0], [1, 0], [0, "1/2"]]
    r2 = [[0, 0], [1, 0], [0, 1], [2, 0]]
    code, text = run(["distance", MDP_INF, json.dumps(r1), json.dumps(r2), "--regret"])
    assert code == 0
    for name in ("starc-val", "starc-minimal", "epic", "dard", "R1 true, R2 optimised"):
        assert name in text
    code, text = run(["distance", MDP_INF, json.dumps(r1), json.dumps(r2), "--json",
                      "--norm", "1", "--regret"])
    assert code == 0
    data = json.loads(text)
    d = data["distances"]
    assert d["starc-val"] == pytest.approx(idf.starc_distance(r1, r2, mdp, "val", 1))
    assert d["starc-minimal"] == pytest.approx(idf.starc_distance(r1, r2, mdp, "minimal", 1))
    assert d["epic"] == pytest.approx(idf.epic_distance(r1, r2, mdp))
    assert d["dard"] == pytest.approx(idf.dard_distance(r1, r2, mdp))
    want = idf.worst_case_regret(mdp, r1, r2).to_dict()
    assert data["worst_case_regret"]["R1 true, R2 optimised"]["regret"] == want["regret"]
    # a shaped copy is at distance 0 under both STARC canonicalisations
    shaped = idf.PotentialShaping([1, -2, 0, 3]).apply(r1, mdp)
    code, text = run(["distance", MDP_INF, json.dumps(r1),
                      json.dumps(np.asarray(shaped).astype(str).tolist()), "--json",
                      "--methods", "starc-val,starc-minimal"])
    assert code == 0 and json.loads(text)["distances"] == {"starc-val": 0.0,
                                                            "starc-minimal": 0.0}


@pytest.mark.parametrize("argv, message", [
    (["distance", MDP_INF, "[0, 0, 0, 0]", "[0, 0, 0]"], "R2: reward has shape (3,)"),
    (["distance", MDP_INF, "[0, 0, 0, 0]", "[0, 1, 0, 0]", "--methods", "foo"],
     "--methods: unknown foo"),
    (["distance", "example:cao2021-example1-v0", "[0, 0, 0]", "[0, 1, 0]"],
     "discounted infinite-horizon"),
])
def test_distance_exits_2_on_bad_input(argv, message, capsys):
    code, text = run(argv)
    assert code == 2 and text == ""
    assert message in capsys.readouterr().err
