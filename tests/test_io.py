"""The JSON file format ``identifiability.mdp/1``: lossless round trips and typed errors."""

import json
import pathlib
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identifiability
from identifiability import MDP, InvalidMDPError, InvalidRewardError
from identifiability.io import (
    FORMAT,
    MDPDocument,
    dumps,
    from_dict,
    load,
    loads,
    save,
    to_dict,
)
from identifiability.testing import strategies as ist

F = Fraction


decorated = ist.decorated_mdps


any_mdps = st.one_of(decorated(ist.mdps(exact=True)), decorated(ist.mdps(exact=False)))

def _json_containers(kids):
    return st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=4), kids, max_size=3)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5)
    | st.floats(allow_nan=False, allow_infinity=False),
    _json_containers, max_leaves=8)


@st.composite
def documents(draw):
    m = draw(any_mdps)
    names = draw(st.lists(st.text(max_size=6), max_size=3, unique=True))
    rewards = {n: draw(ist.rewards(m, exact=draw(st.booleans()))) for n in names}
    metadata = draw(st.none() | st.dictionaries(st.text(max_size=4), json_values, max_size=3))
    return m, rewards, metadata


def MINIMAL(**changes):
    doc = {"format": FORMAT, "n_states": 2, "n_actions": 1,
           "transitions": [[0, 0, 1, "1"], [1, 0, 1, "1"]], "horizon": 2}
    doc.update(changes)
    return doc


# ---------------------------------------------------------------------------- round trips
@given(any_mdps)
def test_round_trip_is_lossless(m):
    text = dumps(m)
    back = loads(text)
    assert back == m and back.is_exact == m.is_exact and back.has_labels == m.has_labels
    # The compact form reads back the same.
    assert loads(dumps(m, indent=None)) == m
    assert "\n" not in dumps(m, indent=None)


@given(documents())
def test_round_trip_with_rewards_and_metadata(doc):
    m, rewards, metadata = doc
    got = loads(dumps(m, rewards=rewards, metadata=metadata), with_rewards=True)
    assert isinstance(got, MDPDocument)
    assert got.mdp == m
    assert got.metadata == (metadata or {})
    assert set(got.rewards) == set(rewards)
    for name, R in rewards.items():
        R2 = got.rewards[name]
        assert R2.shape == R.shape and R2.dtype == R.dtype
        assert np.array_equal(R2, R)          # exact Fractions or bit-identical floats


@given(any_mdps)
def test_dumps_is_valid_json_with_one_transition_per_line(m):
    text = dumps(m)
    doc = json.loads(text)
    assert doc["format"] == FORMAT and doc["exact"] == m.is_exact
    assert len(doc["transitions"]) == m.n_transitions
    lines = {line.strip().rstrip(",") for line in text.splitlines()}
    for entry in doc["transitions"]:
        assert json.dumps(entry, separators=(", ", ": ")) in lines
    if m.is_exact:
        assert all(isinstance(t[3], str) for t in doc["transitions"])
        assert isinstance(doc["gamma"], str)
    else:
        assert all(isinstance(t[3], float) for t in doc["transitions"])


@given(any_mdps)
def test_to_dict_from_dict_round_trip(m):
    d = to_dict(m)
    assert json.loads(json.dumps(d)) == d           # plain JSON types only
    assert from_dict(d) == m


@given(any_mdps)
def test_save_and_load_files(tmp_path_factory, m):
    path = tmp_path_factory.mktemp("io") / "m.json"
    save(m, path)
    assert load(path) == m
    assert load(str(path)) == m
    with open(path, encoding="utf-8") as f:
        assert load(f) == m
    assert path.read_text(encoding="utf-8").endswith("}\n")


def test_float_numbers_are_written_losslessly():
    p = 0.1 + 0.2          # 0.30000000000000004
    m = MDP([[[p, 1 - p]], [[0.0, 1.0]]], [1 / 3, 2 / 3], gamma=0.95)
    doc = json.loads(dumps(m))
    assert doc["transitions"][0][3] == p and doc["initial"] == [1 / 3, 2 / 3]
    assert loads(dumps(m)) == m


def test_a_loose_float_tolerance_is_kept():
    m = MDP([[[0.5, 0.4999]], [[0.0, 1.0]]], horizon=1, atol=1e-3)
    doc = json.loads(dumps(m))
    assert doc["atol"] == 1e-3
    assert loads(dumps(m)) == m
    assert "atol" not in json.loads(dumps(MDP([[[0.5, 0.5]], [[0.5, 0.5]]], horizon=1)))
    with pytest.raises(InvalidMDPError, match="sums to 0.9999"):
        loads(json.dumps({k: v for k, v in doc.items() if k != "atol"}))
    with pytest.raises(InvalidMDPError, match="atol must be a number >= 0"):
        loads(json.dumps(dict(doc, atol=-1)))


def test_numpy_metadata_is_converted():
    m = MDP([[[1]]], horizon=1)
    meta = {"seed": np.int64(3), "x": np.array([1.5, 2.0]), "q": F(1, 3)}
    got = loads(dumps(m, metadata=meta), with_rewards=True).metadata
    assert got == {"seed": 3, "x": [1.5, 2.0], "q": "1/3"}


def test_unicode_labels_survive():
    m = MDP([[[1, 0]], [[0, 1]]], horizon=1, state_labels=["départ", "ゴール"])
    text = dumps(m)
    assert "ゴール" in text
    assert loads(text.encode("utf-8")) == m


# ---------------------------------------------------------------------------- reading by hand
def test_minimal_document_uses_mdp_defaults():
    m = from_dict(MINIMAL())
    assert m == MDP([[[0, 1]], [[0, 1]]], horizon=2)
    assert m.is_exact and m.initial.tolist() == [F(1, 2), F(1, 2)] and m.gamma == 1


def test_exact_documents_read_decimals_exactly():
    text = json.dumps(MINIMAL(exact=True, gamma=0.9,
                              transitions=[[0, 0, 0, 0.1], [0, 0, 1, 0.9], [1, 0, 1, 1]]))
    m = loads(text)
    assert m.is_exact and m.gamma == F(9, 10) and m.transitions[0, 0, 0] == F(1, 10)
    # The same via from_dict with Python floats (json.load without parse_float).
    assert from_dict(json.loads(text)) == m


def test_exactness_is_inferred_when_the_flag_is_missing():
    assert loads(json.dumps(MINIMAL())).is_exact
    m = loads(json.dumps(MINIMAL(transitions=[[0, 0, 1, 1.0], [1, 0, 1, 1]])))
    assert not m.is_exact
    # An explicit exact=false makes string numbers float.
    m = loads(json.dumps(MINIMAL(exact=False, gamma="1/2")))
    assert not m.is_exact and m.gamma == 0.5


def test_rewards_without_shape_or_exact_flag():
    doc = MINIMAL(rewards={"r": {"values": [["1/2"], [0.25]]}})
    R = loads(json.dumps(doc), with_rewards=True).rewards["r"]
    assert R.dtype == np.float64 and R.tolist() == [[0.5], [0.25]]
    doc = MINIMAL(rewards={"r": {"values": [1, "1/3"]}})
    assert loads(json.dumps(doc), with_rewards=True).rewards["r"].tolist() == [1, F(1, 3)]


def test_with_rewards_on_a_file_without_any():
    got = loads(json.dumps(MINIMAL()), with_rewards=True)
    mdp, rewards, metadata = got
    assert rewards == {} and metadata == {} and mdp.n_states == 2


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize("fmt,match", [
    ("identifiability.mdp/2", r"unknown format version 'identifiability.mdp/2'; this version "
                              r"of identifiability reads 'identifiability.mdp/1'"),
    ("identifiability.mdp/0.9", "unknown format version"),
    ("pomdp", r"not an identifiability MDP document: format is 'pomdp'"),
    (1, "not an identifiability MDP document"),
])
def test_unknown_format_version(fmt, match):
    with pytest.raises(InvalidMDPError, match=match):
        loads(json.dumps(MINIMAL(format=fmt)))


def test_missing_format():
    doc = MINIMAL()
    del doc["format"]
    with pytest.raises(InvalidMDPError, match=r"missing key 'format'.*identifiability.mdp/1"):
        loads(json.dumps(doc))


@pytest.mark.parametrize("key", ["n_states", "n_actions", "transitions"])
def test_missing_keys_are_named(key):
    doc = MINIMAL()
    del doc[key]
    with pytest.raises(InvalidMDPError, match=rf"missing key\(s\) \['{key}'\]"):
        from_dict(doc)


def test_unknown_keys_are_refused():
    with pytest.raises(InvalidMDPError, match=r"unknown key\(s\) \['horizn'\].*metadata"):
        from_dict(MINIMAL(horizn=3))


@pytest.mark.parametrize("text,match", [
    ('{"format": "identifiability.mdp/1",\n "n_states": 2,\n}',
     r"invalid JSON at line 3, column 1"),
    ("", r"invalid JSON at line 1, column 1"),
    ("[1, 2]", "got a JSON array"),
    ('"mdp"', "got a JSON string"),
])
def test_invalid_json(text, match):
    with pytest.raises(InvalidMDPError, match=match):
        loads(text)


def test_not_text():
    with pytest.raises(InvalidMDPError, match="use load"):
        loads(pathlib.Path("x.json"))
    with pytest.raises(InvalidMDPError, match="not UTF-8"):
        loads(b"\xff\xfe{")


@pytest.mark.parametrize("changes,match", [
    ({"transitions": [[0, 0, 1, "1"], [1, 0, 1, "1/2"]]},
     r"row \(state 1, action 0\) sums to 1/2 instead of 1"),
    ({"transitions": [[0, 0, 1, "1"], [1, 0, 7, "1"]]},
     r"transitions\[1\] has next-state index 7, outside 0..1"),
    ({"transitions": [[0, 0, 1, "1"], [1, 0, 1]]}, r"transitions\[1\] must be \[s, a, s', p\]"),
    ({"transitions": [[0, 0, 1, "1"], [1, 0, True, "1"]]},
     r"transitions\[1\]\[2\] \(next state\) must be an integer index, got true"),
    ({"transitions": [[0, 0, 1, "1"], [1, 0, 1.0, "1"]]}, r"transitions\[1\]\[2\]"),
    ({"transitions": [[0, 0, 1, "1"], [1, 0, 1, "one"]]}, "is not a number"),
    ({"transitions": [[0, 0, 1, "1"], [1, 0, 1, None]]},
     r"transitions\[1\]\[3\] \(probability\) is null"),
    ({"transitions": [[0, 0, 1, "1"], [1, 0, 1, "1"], [1, 0, 1, "1"]]},
     r"\(s=1, a=0, s'=1\) is listed more than once in 'transitions'; list each transition once"),
    ({"transitions": {"0": 1}}, "'transitions' must be a list"),
    ({"n_states": "2"}, "n_states must be a positive integer"),
    ({"n_states": 0}, "n_states must be a positive integer"),
    ({"gamma": "2"}, r"gamma must lie in \[0, 1\]"),
    ({"horizon": None}, "infinite horizon"),
    ({"horizon": 0}, "horizon must be >= 1"),
    ({"initial": ["1/2", "1/3"]}, "initial sums to 5/6"),
    ({"initial": [1]}, r"initial must be a distribution of shape \(2,\)"),
    ({"initial": "uniform"}, "initial must be a list of numbers"),
    ({"states": ["a", "a"]}, "'a' appears twice"),
    ({"states": ["a"]}, "state_labels has 1 entries, expected 2"),
    ({"terminal": [5]}, "outside 0..1"),
    ({"terminal": 1}, "'terminal' must be a list"),
    ({"exact": "yes"}, "'exact' must be true or false"),
    ({"metadata": [1]}, "'metadata' must be a JSON object"),
    ({"rewards": [1]}, "'rewards' must be an object"),
    ({"transitions": [[0, 0, 1, "1"], [1, 0, 1, float("nan")]], "exact": False},
     "NaN"),
])
def test_bad_documents_raise_typed_errors(changes, match):
    with pytest.raises(InvalidMDPError, match=match):
        loads(json.dumps(MINIMAL(**changes)), with_rewards=True)


@pytest.mark.parametrize("rewards,match", [
    ({"r": {"values": [1, 2, 3]}}, r"rewards\['r'\]: reward has shape \(3,\)"),
    ({"r": {"shape": [2, 1], "values": [1, 2]}},
     r"'shape' is \[2, 1\] but 'values' has shape \[2\]"),
    ({"r": {"shape": [2]}}, "must be an object with keys"),
    ({"r": [1, 2]}, "must be an object with keys"),
    ({"r": {"values": [1, 2], "unit": "m"}}, r"unknown key\(s\) \['unit'\]"),
    ({"r": {"values": [[1], 2]}}, "ragged"),
    ({"r": {"values": ["x", 2]}}, "not a number"),
])
def test_bad_rewards_raise_typed_errors(rewards, match):
    with pytest.raises((InvalidRewardError, InvalidMDPError), match=match):
        loads(json.dumps(MINIMAL(rewards=rewards)), with_rewards=True)


def test_the_whole_document_is_validated_even_without_with_rewards():
    text = json.dumps(MINIMAL(rewards={"r": {"values": [1, 2, 3]}}))
    with pytest.raises(InvalidRewardError, match="reward has shape"):
        loads(text)
    with pytest.raises(InvalidMDPError, match="'metadata' must be a JSON object"):
        loads(json.dumps(MINIMAL(metadata="note")))


def test_dumps_errors():
    m = MDP([[[1]]], horizon=1)
    with pytest.raises(InvalidRewardError, match=r"rewards\['r'\]: reward has shape \(2,\)"):
        dumps(m, rewards={"r": [1, 2]})
    with pytest.raises(InvalidMDPError, match="reward names must be strings"):
        dumps(m, rewards={1: [1]})
    with pytest.raises(InvalidMDPError, match="rewards must be a dict"):
        dumps(m, rewards=[[1]])
    with pytest.raises(InvalidMDPError, match="metadata is not JSON-serialisable"):
        dumps(m, metadata={"f": object()})
    with pytest.raises(InvalidMDPError, match="metadata is not JSON-serialisable"):
        dumps(m, metadata={"x": float("nan")})
    with pytest.raises(InvalidMDPError, match="metadata must be a dict"):
        dumps(m, metadata=[1])
    with pytest.raises(InvalidMDPError, match="expected an identifiability.MDP"):
        dumps({"format": FORMAT})
    with pytest.raises(InvalidMDPError, match="indent must be"):
        dumps(m, indent=-1)


def test_load_errors_name_the_file(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(FileNotFoundError, match="nope.json"):
        load(missing)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(MINIMAL(format="identifiability.mdp/2")), encoding="utf-8")
    with pytest.raises(InvalidMDPError, match=r"bad\.json: unknown format version"):
        load(bad)
    broken = tmp_path / "broken.json"
    broken.write_text("{\n  \"format\": \n", encoding="utf-8")
    with pytest.raises(InvalidMDPError, match=r"broken\.json: invalid JSON at line 3"):
        load(str(broken))


@pytest.mark.parametrize("name", identifiability.examples.names())
def test_every_registered_example_round_trips(name):
    m = identifiability.examples.get(name)
    assert loads(dumps(m)) == m and loads(dumps(m.to_float())) == m.to_float()


# ---------------------------------------------------------------------------- bundled files
DATA = pathlib.Path(identifiability.__file__).parent / "data"
DATA_FILES = sorted(DATA.glob("*.json"))


@pytest.mark.skipif(not DATA_FILES, reason="no bundled identifiability/data/*.json files yet")
@pytest.mark.parametrize("path", DATA_FILES, ids=[p.name for p in DATA_FILES])
def test_bundled_example_files_load(path):
    doc = load(path, with_rewards=True)
    assert isinstance(doc.mdp, MDP)
    # And they are in the canonical form: writing them back loses nothing.
    assert loads(dumps(doc.mdp, rewards=doc.rewards, metadata=doc.metadata)) == doc.mdp
