"""TikZ and PNG export of MDPs (identifiability.export)."""

import re
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import identifiability as idf
from identifiability.errors import InvalidMDPError, InvalidParameterError, InvalidRewardError
from identifiability.export import mdp_png, save_tikz, tex_number, to_tikz
from identifiability.testing import strategies as ist

PDFLATEX = shutil.which("pdflatex")


def _edges(tex):
    """``[(options, u, label, v)]`` of the ``\\draw`` commands."""
    return re.findall(r"\\draw\[([^\]]*)\] \(s(\d+)\) to node\[[^\]]*\] \{(.*)\} \(s(\d+)\);",
                      tex)


def _pairs(mdp):
    s, _, sn, _ = mdp.entries()
    return set(zip(s.tolist(), sn.tolist()))


def test_parallel_action_edges_are_collapsed():
    # 0 -> 1 under a0 (1/2) and a1 (1); 0 -> 0 under a0 (1/2); 1 -> 0 under both actions
    mdp = idf.MDP([[["1/2", "1/2"], [0, 1]], [[1, 0], [1, 0]]], [1, 0], horizon=2)
    tex = to_tikz(mdp)
    edges = _edges(tex)
    assert len(edges) == len(_pairs(mdp)) == 3 == tex.count("\\draw[")
    labels = {(int(u), int(v)): lab for _, u, lab, v in edges}
    assert labels[(0, 1)] == r"$a_{0}$: $\tfrac{1}{2}$, $a_{1}$: $1$"
    assert labels[(1, 0)] == r"$a_{0}$: $1$, $a_{1}$: $1$"
    opts = {(int(u), int(v)): o for o, u, _, v in edges}
    assert "loop above" in opts[(0, 0)]
    assert "bend left" in opts[(0, 1)] and "bend left" in opts[(1, 0)]   # both ways: bent


@settings(max_examples=25, deadline=None)
@given(ist.mdps(max_states=4, max_actions=3, horizon=st.integers(1, 3)))
def test_one_edge_per_state_pair_and_a_loop_per_self_transition(mdp):
    tex = to_tikz(mdp, standalone=False)
    edges = _edges(tex)
    assert {(int(u), int(v)) for _, u, _, v in edges} == _pairs(mdp)
    assert len(edges) == len(_pairs(mdp))
    loops = sum(1 for (u, v) in _pairs(mdp) if u == v)
    assert tex.count("loop above") == loops
    s, a, sn, p = mdp.entries()
    # every (s, a, s') appears once, in the label of its (s, s') edge
    assert sum(lab.count("$a_{") for _, _, lab, _ in edges) == len(s)
    assert tex.count("\\node[state") == mdp.n_states
    assert not tex.startswith("\\documentclass")


def test_fractions_rewards_initial_and_terminal_states():
    mdp = idf.MDP([[["1/3", "2/3", 0]], [[0, 0, 1]], [[0, 0, 1]]], ["1/4", "3/4", 0],
                  horizon=2, terminal=[2])
    tex = to_tikz(mdp, rewards={"R": [["-1/2"], [2], [0]], "v": [1, "5/3", 0]})
    assert r"\tfrac{1}{3}" in tex and r"\tfrac{2}{3}" in tex
    assert "R = $-\\tfrac{1}{2}$" in tex                      # (s, a) reward on the edge
    assert "v = $\\tfrac{5}{3}$" in tex                       # state reward under the node
    nodes = dict(re.findall(r"\\node\[(state[^\]]*)\] \(s(\d+)\)", tex)[i][::-1]
                 for i in range(3))
    assert "initial" in nodes["0"] and "initial text={$\\tfrac{1}{4}$}" in nodes["0"]
    assert "initial" in nodes["1"] and "initial" not in nodes["2"]
    assert "accepting" in nodes["2"] and "accepting" not in nodes["0"]
    assert tex.count("below=1pt of") == 3


def test_float_numbers_labels_and_impossible_transition_rewards():
    mdp = idf.MDP([[[0.25, 0.75]], [[1.0, 0.0]]], [1.0, 0.0], gamma=0.9,
                  state_labels=["start_1", "x&y"], action_labels=["go#"])
    R = np.zeros((2, 1, 2))
    R[1, 0, 1] = 0.123456                     # on the impossible transition 1 -> 1
    tex = to_tikz(mdp, rewards=R, layers="circle")
    assert r"start\_1" in tex and r"x\&y" in tex and r"go\#" in tex
    assert "$0.25$" in tex and "$0.75$" in tex
    opts = {(int(u), int(v)): (o, lab) for o, u, lab, v in _edges(tex)}
    assert "impossible" in opts[(1, 1)][0] and "$0$ (r = $0.123$)" in opts[(1, 1)][1]
    assert "impossible" not in opts[(0, 1)][0]


def test_layered_and_circle_layouts():
    mdp = idf.examples.cao2021_example1(horizon=3)            # A -> {B, C}, B -> A, C -> B
    xs = lambda tex: [float(x) for x in re.findall(r"at \((-?[\d.]+),", tex)]  # noqa: E731
    x = xs(to_tikz(mdp, xsep=4))
    assert x[0] == 0 and x[1] > 0 and x[2] > 0                 # layer 0, then layer 1
    pos = {0: (0, 0), 1: (1, 1), 2: (2, 0)}
    assert xs(to_tikz(mdp, pos=pos)) == [0.0, 1.0, 2.0]
    c = xs(to_tikz(mdp, layers="circle"))
    assert len(set(np.round(c, 3))) == 3
    with pytest.raises(InvalidParameterError, match="layers"):
        to_tikz(mdp, layers="spiral")
    with pytest.raises(InvalidParameterError, match="pos"):
        to_tikz(mdp, pos={0: (0, 0)})


def test_bad_input_is_typed():
    with pytest.raises(InvalidMDPError, match="needs an identifiability.MDP"):
        to_tikz([[[1]]])
    with pytest.raises(InvalidRewardError):
        to_tikz(idf.MDP([[[1]]], horizon=1), rewards=[1, 2, 3])


def test_tex_number():
    from fractions import Fraction

    assert tex_number(Fraction(7, 3)) == r"\tfrac{7}{3}"
    assert tex_number("-1/6") == r"-\tfrac{1}{6}"
    assert tex_number(Fraction(4, 2)) == "2"
    assert tex_number(2.5e-8) == r"2.5 \cdot 10^{-8}"
    assert tex_number(float("inf")) == r"\infty"


def _compile(tex, tmp_path, name):
    path = tmp_path / f"{name}.tex"
    path.write_text(tex)
    res = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error",
                          path.name], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stdout[-2000:]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 0


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed")
def test_tikz_compiles_with_pdflatex(tmp_path):
    exact = idf.MDP([[["1/2", "1/2", 0], [0, 1, 0]], [[1, 0, 0], [0, 0, 1]],
                     [[0, 0, 1], [0, 0, 1]]], ["1/3", "2/3", 0], horizon=2, terminal=[2])
    floaty = idf.MDP([[[0.25, 0.75]], [[1.0, 0.0]]], [1.0, 0.0], gamma=0.9,
                     state_labels=["start_1", "x&y%"], action_labels=["go#~^"])
    R = np.zeros((2, 1, 2))
    R[1, 0, 1] = -1e-9
    tex = to_tikz(exact, rewards={"R": [[0, "1/2"], [1, -1], [0, 0]], "v": [1, 2, "3/4"]})
    _compile(tex, tmp_path, "exact")
    _compile(to_tikz(floaty, rewards=R, layers="circle"), tmp_path, "float")
    _compile(to_tikz(idf.examples.gridworld(3, 2)), tmp_path, "grid")


def test_save_tikz_and_png(tmp_path):
    mdp = idf.examples.cao2021_example1(horizon=3)
    p = save_tikz(mdp, tmp_path / "m.tex", standalone=False)
    assert open(p).read().startswith("\\begin{tikzpicture}")
    pytest.importorskip("matplotlib")
    q = mdp_png(mdp, tmp_path / "m.png", rewards={"R": [1, 2, 3]}, title="Cao Ex. 1")
    assert open(q, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
