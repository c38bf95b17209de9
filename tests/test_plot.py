"""Smoke tests of identifiability.plot (matplotlib extra, Agg backend, no display)."""

import builtins
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import identifiability as idf  # noqa: E402
from identifiability.errors import (  # noqa: E402
    InvalidMDPError,
    InvalidParameterError,
    InvalidRewardError,
    MissingDependencyError,
)
from identifiability.graph import accessible_layers, state_graph  # noqa: E402
from identifiability.plot import (  # noqa: E402
    ambiguity_basis,
    distance_regret_scatter,
    gridworld_heatmap,
    mdp_graph,
    rank_correlation,
    reward_heatmap,
    sensitivity_curve,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_distance_regret_scatter_artists_and_png(tmp_path):
    """One point per row and one labelled collection per distance; the legend carries the
    Spearman correlation recomputed here; the figure saves to a non-empty PNG."""
    mdp = idf.examples.random_mdp(4, 2, seed=2, exact=False, n_starts=4)
    pairs = idf.interpolated_pairs(mdp, 0, n_pairs=2, n_steps=4)
    rows = idf.distance_regret_table(mdp, pairs, distances=("starc", "epic"))
    ax = distance_regret_scatter(rows)
    assert len(ax.collections) == 2
    for coll, name in zip(ax.collections, ("starc", "epic")):
        assert len(coll.get_offsets()) == len(rows) == 8
        rho = rank_correlation([r[name] for r in rows], [r["worst_case_regret"] for r in rows])
        assert coll.get_label() == f"{name} (Spearman {rho:.2f})"
        np.testing.assert_allclose(np.asarray(coll.get_offsets())[:, 0], [r[name] for r in rows])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == \
        [c.get_label() for c in ax.collections]
    out = tmp_path / "scatter.png"
    ax.figure.savefig(out)
    assert out.stat().st_size > 0
    fig, given = plt.subplots()
    assert distance_regret_scatter(rows, ax=given, distances=["epic"],
                                   regret="expected_regret") is given
    assert len(given.collections) == 1 and given.get_ylabel().startswith("expected regret")
    with pytest.raises(InvalidParameterError, match="no rows"):
        distance_regret_scatter([])
    with pytest.raises(InvalidParameterError, match="column 'dard'"):
        distance_regret_scatter(rows, distances=["dard"])


def test_rank_correlation():
    """Spearman with ties (average ranks) against the hand value; nan when degenerate."""
    assert rank_correlation([1, 2, 2, 3], [1, 2, 2, 3]) == pytest.approx(1.0)
    assert rank_correlation([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # ranks x: 0, 1.5, 1.5, 3; y: 0, 1, 2, 3 -> Pearson of ranks = 0.9486...
    assert rank_correlation([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(4.5 / np.sqrt(4.5 * 5))
    assert np.isnan(rank_correlation([1], [2])) and np.isnan(rank_correlation([1, 1], [1, 2]))
    with pytest.raises(InvalidParameterError):
        rank_correlation([1, 2], [1, 2, 3])


def test_reward_heatmap_shapes(tmp_path):
    """(S,), (S, A) and (with an MDP) (S, A, S) rewards; symmetric colour limits."""
    ax = reward_heatmap([1, -2, 0])
    assert ax.images[0].get_array().shape == (3, 1)
    assert ax.images[0].get_clim() == (-2.0, 2.0)
    mdp = idf.MDP([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], gamma="1/2",
                  state_labels=["left", "right"], action_labels=["stay", "go"])
    ax = reward_heatmap([[[0, 2], [0, 0]], [[0, 0], [4, 0]]], mdp)
    np.testing.assert_allclose(ax.images[0].get_array(), [[0, 0], [0, 4]])
    assert ax.get_title() == "expected reward r(s, a)"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["left", "right"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["stay", "go"]
    out = tmp_path / "heat.png"
    ax.figure.savefig(out)
    assert out.stat().st_size > 0
    with pytest.raises(InvalidRewardError, match="pass mdp="):
        reward_heatmap(np.zeros((2, 2, 2)))
    with pytest.raises(InvalidRewardError):
        reward_heatmap([1, 2, 3], mdp)


def _gid(ax, gid, kind="texts"):
    return [a for a in getattr(ax, kind) if a.get_gid() == gid]


def _png(fig, tmp_path, name):
    out = tmp_path / name
    fig.savefig(out)
    assert out.stat().st_size > 0


def test_mdp_graph_collapses_parallel_actions(tmp_path):
    """One arrow and one label per support edge s -> s' (self-loops included), whatever
    the number of actions: the label lists the actions grouped by probability."""
    mdp = idf.MDP([[[1, 0, 0], [0, "1/2", "1/2"], [0, 1, 0]],
                   [[0, 1, 0], [1, 0, 0], [1, 0, 0]],
                   [[0, 0, 1], [1, 0, 0], ["1/3", 0, "2/3"]]],
                  initial=[1, 0, 0], gamma=1, horizon=3,
                  state_labels=["h", "l", "r"], action_labels=["stay", "go", "jump"])
    ax = mdp_graph(mdp)
    G = state_graph(mdp)
    labels = {t.get_text() for t in _gid(ax, "edge-label")}
    assert len(_gid(ax, "edge", "patches")) == G.number_of_edges() == 7
    assert len(_gid(ax, "edge-label")) == 7
    # 0 -> 1 by "go" (1/2) and "jump" (1): two groups; 1 -> 0 by "go" and "jump" (1)
    # 0 -> 2 by "go" (1/2); 2 -> 2 by "stay" (1) and "jump" (2/3); 2 -> 0 by "go", "jump" (1/3)
    assert labels == {"go: 1/2; jump", "go, jump", "stay", "go: 1/2", "stay; jump: 2/3",
                      "go; jump: 1/3"}
    assert [t.get_text() for t in _gid(ax, "node-label")] == ["h", "l", "r"]
    ring = _gid(ax, "initial", "collections")
    assert len(ring) == 1 and np.asarray(ring[0].get_offsets()).shape == (1, 2)
    # first-visit columns: h at t = 0, l and r at t = 1
    assert sorted(t.get_text() for t in _gid(ax, "layer-label")) == ["t = 0", "t = 1"]
    _png(ax.figure, tmp_path, "graph.png")
    ax = mdp_graph(mdp, probabilities=False, layers=False)
    assert "go, jump" in {t.get_text() for t in _gid(ax, "edge-label")}
    assert not _gid(ax, "layer-label")


def test_mdp_graph_rewards_and_terminal():
    """A state reward colours the nodes (with a colour bar) and is written under the
    label; an (S, A, S) reward goes into the edge labels; terminal states are squares."""
    mdp = idf.examples.early_termination()
    S = mdp.n_states
    ax = mdp_graph(mdp, rewards=list(range(S)))
    nodes = _gid(ax, "states", "collections") + _gid(ax, "terminal-states", "collections")
    assert sum(len(c.get_offsets()) for c in nodes) == S
    assert len(_gid(ax, "terminal-states", "collections")) == (1 if mdp.terminal else 0)
    assert len(ax.figure.axes) == 2                         # the graph and a colour bar
    assert all(t.get_text().endswith(f"\n{s}") for s, t in enumerate(_gid(ax, "node-label")))
    two = idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2")
    ax = mdp_graph(two, rewards=[[[0, "1/2"]], [[3, 0]]])
    assert sorted(t.get_text() for t in _gid(ax, "edge-label")) == ["a0: r=1/2", "a0: r=3"]
    with pytest.raises(InvalidRewardError):
        mdp_graph(two, rewards=[1, 2, 3])


def test_mdp_graph_unrolled_is_the_layers(tmp_path):
    """The unrolled picture has one node per accessible (t, s) and one arrow per support
    edge leaving each layer; full layers are flagged (the coverage picture)."""
    mdp = idf.examples.cao2021_example1(horizon=5)
    L = accessible_layers(mdp)
    ax = mdp_graph(mdp, layers="unrolled")
    assert len(_gid(ax, "node-label")) == int(L.sum())
    G = state_graph(mdp)
    n_edges = sum(int(L[t, u]) for t in range(5) for u, _ in G.edges)
    assert len(_gid(ax, "edge", "patches")) == n_edges
    heads = [t.get_text() for t in _gid(ax, "layer-label")]
    assert heads == [f"t = {t}\nL_t = S" if L[t].all() else f"t = {t}" for t in range(6)]
    assert len(_gid(ax, "absent", "collections")[0].get_offsets()) == int((~L).sum())
    _png(ax.figure, tmp_path, "unrolled.png")
    with pytest.raises(InvalidParameterError, match="finite horizon"):
        mdp_graph(idf.examples.chain(3), layers="unrolled")
    with pytest.raises(InvalidParameterError, match="layers"):
        mdp_graph(mdp, layers="time")
    with pytest.raises(InvalidMDPError):
        mdp_graph(np.zeros((2, 1, 2)))


def test_mdp_graph_grid_and_positions():
    """shape= puts state s at (s % width, -(s // width)); a pos without every state is
    refused; a bad shape is refused."""
    grid = idf.examples.gridworld(3, 2)
    ax = mdp_graph(grid, layers=False, shape=(2, 3))
    offsets = np.asarray(_gid(ax, "states", "collections")[0].get_offsets())
    np.testing.assert_allclose(offsets, [[s % 3, -(s // 3)] for s in range(6)])
    with pytest.raises(InvalidParameterError, match="6 states"):
        mdp_graph(grid, layers=False, shape=(2, 2))
    with pytest.raises(InvalidParameterError, match="state 5"):
        mdp_graph(grid, layers=False, pos={s: (s, 0) for s in range(5)})


def test_gridworld_heatmap_layouts(tmp_path):
    """(S,): one (h, w) image in gridworld order; (S, A): A panels + a colour bar with a
    shared scale; arrows: one per tied argmax action, dots for "stay"."""
    V = np.arange(6.0)
    ax = gridworld_heatmap(V, (2, 3), annotate=True)
    np.testing.assert_array_equal(ax.images[0].get_array(), V.reshape(2, 3))
    assert [t.get_text() for t in _gid(ax, "value")] == ["0", "1", "2", "3", "4", "5"]
    _png(ax.figure, tmp_path, "grid.png")
    Q = np.arange(30.0).reshape(6, 5)
    fig = gridworld_heatmap(Q, (2, 3))
    assert len(fig.axes) == 6
    assert [a.get_title() for a in fig.axes[:5]] == ["up", "down", "left", "right", "stay"]
    assert {a.images[0].get_clim() for a in fig.axes[:5]} == {(0.0, 29.0)}
    np.testing.assert_array_equal(fig.axes[2].images[0].get_array(), Q[:, 2].reshape(2, 3))
    _png(fig, tmp_path, "panels.png")
    # arrows: state 0 ties up/right, state 1 prefers stay, the rest "down"
    Q = np.zeros((6, 5))
    Q[:, 1] = 1
    Q[0, [0, 3]] = 2
    Q[1, 4] = 2
    ax = gridworld_heatmap(Q, (2, 3), arrows=True)
    quiv = ax.collections[0]
    assert len(quiv.U) == 4 + 2                            # 4 x down + up, right at state 0
    assert sorted(zip(quiv.U.tolist(), quiv.V.tolist()))[:2] == [(0.0, -0.38), (0.0, 0.38)]
    assert len(ax.collections[1].get_offsets()) == 1       # the stay dot at state 1
    np.testing.assert_array_equal(ax.images[0].get_array(), Q.max(axis=1).reshape(2, 3))
    _, given = plt.subplots(1, 3)
    fig = gridworld_heatmap(np.ones((6, 3)), (3, 2), ax=given, actions=["x", "y", "z"])
    assert fig is given[0].figure and given[1].get_title() == "y"
    with pytest.raises(InvalidParameterError, match="6 states"):
        gridworld_heatmap(V, (2, 2))
    with pytest.raises(InvalidParameterError, match="directions"):
        gridworld_heatmap(np.ones((6, 3)), (2, 3), arrows=True)
    with pytest.raises(InvalidParameterError, match="dimension"):
        gridworld_heatmap(np.ones((6, 3, 2)), (2, 3))
    with pytest.raises(InvalidParameterError, match="at least 3 Axes"):
        gridworld_heatmap(np.ones((6, 3)), (2, 3), ax=given[:2])


def test_ambiguity_basis_panels(tmp_path):
    """One panel per basis vector (up to max_vectors) plus one colour bar; each panel is
    its basis vector, scaled to max |entry| = 1, laid out as grids."""
    grid = idf.examples.gridworld(3, 2, gamma="9/10")
    N = idf.ambiguity(grid, model="mce", domain="sa")
    B = np.array(N.basis.basis, dtype=float)
    fig = ambiguity_basis(N, (2, 3), max_vectors=4)
    assert len(fig.axes) == 4 + 1
    img = np.ma.filled(fig.axes[1].images[0].get_array(), np.nan)
    v = B[:, 1] / np.abs(B[:, 1]).max()
    for a in range(4):   # tile a holds action a, gridworld order
        np.testing.assert_allclose(img[:, a * 4:a * 4 + 3], v.reshape(6, 4)[:, a].reshape(2, 3))
    assert np.isnan(img[:, 3]).all()
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == \
        ["up", "down", "left", "right"]
    assert "dim 6, first 4 shown" in fig.texts[0].get_text()
    _png(fig, tmp_path, "basis.png")
    fig = ambiguity_basis(N)                               # (S, A) heat maps, all 6
    assert len(fig.axes) == 7 and fig.axes[0].images[0].get_array().shape == (6, 4)
    Ns = idf.ambiguity(grid, model="mce", domain="s")
    fig = ambiguity_basis(Ns.basis, (2, 3))                # a bare Subspace
    assert len(fig.axes) == Ns.dim + 1
    q = idf.ambiguity(idf.MDP([[[0, 1]], [[1, 0]]], gamma="1/2"), model="q", domain="sa")
    fig = ambiguity_basis(q)
    assert q.dim == 0 and len(fig.axes) == 1 and not fig.axes[0].images
    with pytest.raises(InvalidParameterError, match="6 states"):
        ambiguity_basis(N, (2, 2))
    with pytest.raises(InvalidParameterError, match="grids"):
        ambiguity_basis(B, (5, 1))
    with pytest.raises(InvalidParameterError, match="too many"):
        ambiguity_basis(idf.ambiguity(grid, model="mce"), (2, 3))
    with pytest.raises(InvalidParameterError, match="max_vectors"):
        ambiguity_basis(N, max_vectors=0)
    with pytest.raises(InvalidParameterError, match="no linear basis|cone"):
        ambiguity_basis(idf.ambiguity(grid, model="optimal", reward=np.eye(6)[5]))


def _sweep():
    m = idf.ChoiceModel([[0.0], [1.0]])
    return idf.sensitivity_sweep(lambda e: (m, [1.0], [0.26894142 + e, 0.73105858 - e]),
                                 [0.03, 0.0, 0.01])


def test_sensitivity_curve_matches_sweep(tmp_path):
    """Three lines sorted by x (error, TV bound, KL bound) with the sweep's numbers;
    plot_sweep is the same picture."""
    res = _sweep()
    ax = sensitivity_curve(res)
    order = np.argsort(res.values)
    assert len(ax.lines) == 3
    np.testing.assert_allclose(ax.lines[0].get_xdata(), res.values[order])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), res.error[order])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), res.tv_bound[order])
    np.testing.assert_allclose(ax.lines[2].get_ydata(), res.kl_bound[order])
    assert not _gid(ax, "violation", "collections")        # every bound holds
    ax = sensitivity_curve(res, x="tv", log=True)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), np.sort(res.weighted_tv))
    assert ax.get_xscale() == "log"
    _png(ax.figure, tmp_path, "sweep.png")
    other = idf.plot_sweep(res)
    np.testing.assert_allclose(other.lines[1].get_ydata(), res.tv_bound[order])
    with pytest.raises(InvalidParameterError, match="'value' or 'tv'"):
        sensitivity_curve(res, x="kappa")
    with pytest.raises(InvalidParameterError, match="SweepResult"):
        sensitivity_curve([1, 2, 3])


def test_missing_matplotlib_names_the_extra(monkeypatch):
    """Without matplotlib the error names the pip command of the extra."""
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("no matplotlib")
        return real_import(name, *args, **kwargs)

    for mod in [m for m in sys.modules if m.startswith("matplotlib")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    for call in (lambda: reward_heatmap([1, 2]),
                 lambda: mdp_graph(idf.examples.chain(3)),
                 lambda: gridworld_heatmap([1, 2], (1, 2)),
                 lambda: sensitivity_curve(object()),
                 lambda: idf.plot_sweep(object())):
        with pytest.raises(MissingDependencyError,
                           match=r'pip install "identifiability\[plot\]"'):
            call()
