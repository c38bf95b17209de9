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
    InvalidParameterError,
    InvalidRewardError,
    MissingDependencyError,
)
from identifiability.plot import (  # noqa: E402
    distance_regret_scatter,
    rank_correlation,
    reward_heatmap,
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
    with pytest.raises(MissingDependencyError, match=r'pip install "identifiability\[plot\]"'):
        reward_heatmap([1, 2])
