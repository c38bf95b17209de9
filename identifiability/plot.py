"""Matplotlib pictures (the ``[plot]`` extra: ``pip install "identifiability[plot]"``).

matplotlib is imported inside each function, so ``import identifiability.plot`` works
without it; calling a function without matplotlib raises
:class:`~identifiability.errors.MissingDependencyError` naming the pip command.  Every
function draws on the ``ax`` it is given (or on a new figure) and returns the Axes, so
tests and users can inspect the artists and save the figure themselves.

=================================  ==================================================
function                           picture
=================================  ==================================================
:func:`distance_regret_scatter`    distance against normalised regret, one colour per
                                   distance, Spearman rank correlation in the legend
:func:`reward_heatmap`             an ``(S,)`` or ``(S, A)`` reward as a heat map
=================================  ==================================================
"""

from __future__ import annotations

import numpy as np

from ._numbers import to_float_array
from .errors import InvalidParameterError, InvalidRewardError, MissingDependencyError

__all__ = ["distance_regret_scatter", "reward_heatmap", "rank_correlation"]

_INSTALL = 'pip install "identifiability[plot]"'
_NOT_DISTANCES = ("pair", "worst_case_regret", "expected_regret", "return_range")


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - exercised only without matplotlib
        raise MissingDependencyError(f"plotting needs matplotlib: {_INSTALL}") from None
    return plt


def _new_axes(ax):
    if ax is not None:
        return ax
    _, ax = _pyplot().subplots()
    return ax


def _ranks(x):
    """Average ranks (ties share the mean rank), 0-based."""
    x = np.asarray(x, dtype=np.float64)
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(len(x), dtype=np.float64)
    _, inv, counts = np.unique(x, return_inverse=True, return_counts=True)
    sums = np.bincount(inv, weights=ranks)
    return sums[inv] / counts[inv]


def rank_correlation(x, y):
    """Spearman rank correlation of two samples (average ranks for ties).

    Parameters
    ----------
    x, y : (n,) array_like

    Returns
    -------
    float
        In ``[-1, 1]``; ``nan`` when fewer than two points or a sample is constant.

    Raises
    ------
    InvalidParameterError
        ``x`` and ``y`` have different lengths.

    Notes
    -----
    ``O(n log n)``; numpy only (scipy is not a dependency).

    Examples
    --------
    >>> from identifiability.plot import rank_correlation
    >>> rank_correlation([1, 2, 3, 4], [1, 4, 9, 16]), rank_correlation([1, 2, 3], [3, 2, 1])
    (1.0, -1.0)
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise InvalidParameterError(f"x and y must be 1-D of the same length, got shapes "
                                    f"{x.shape} and {y.shape}")
    if len(x) < 2:
        return float("nan")
    rx, ry = _ranks(x), _ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    den = float(np.sqrt((rx * rx).sum() * (ry * ry).sum()))
    return float((rx * ry).sum() / den) if den > 0 else float("nan")


def distance_regret_scatter(table, *, ax=None, distances=None, regret="worst_case_regret"):
    """Scatter distance against normalised regret, one colour per distance.

    Parameters
    ----------
    table : list of dict
        Rows of :func:`identifiability.regret.distance_regret_table` (or any rows with
        one float per distance and a regret column).
    ax : matplotlib Axes, optional
        Draw here; default a new figure (``matplotlib.pyplot.subplots``).
    distances : sequence of str, optional
        Columns to plot; default every column that is not ``pair``, a regret or
        ``return_range``.
    regret : {"worst_case_regret", "expected_regret"}, default "worst_case_regret"
        The y column.

    Returns
    -------
    matplotlib.axes.Axes
        One ``PathCollection`` per distance (``ax.collections``), labelled
        ``"<name> (Spearman 0.83)"``; x is the distance, y the regret.

    Raises
    ------
    MissingDependencyError
        matplotlib is not installed.
    InvalidParameterError
        An empty table or a missing column.

    Notes
    -----
    ``O(n)`` artists' data for ``n`` rows; the rank correlation is
    :func:`rank_correlation` (the STARC paper reports correlations of distance with
    normalised regret, note §4.3).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from identifiability.plot import distance_regret_scatter
    >>> rows = [{"pair": 0, "starc": 0.0, "worst_case_regret": 0.0},
    ...         {"pair": 1, "starc": 0.5, "worst_case_regret": 0.4},
    ...         {"pair": 2, "starc": 0.9, "worst_case_regret": 1.0}]
    >>> ax = distance_regret_scatter(rows)
    >>> [c.get_label() for c in ax.collections], len(ax.collections[0].get_offsets())
    (['starc (Spearman 1.00)'], 3)
    """
    rows = list(table)
    if not rows:
        raise InvalidParameterError("distance_regret_scatter: the table has no rows")
    if distances is None:
        distances = [k for k in rows[0] if k not in _NOT_DISTANCES]
    for col in list(distances) + [regret]:
        missing = [i for i, r in enumerate(rows) if col not in r]
        if missing:
            raise InvalidParameterError(f"distance_regret_scatter: row {missing[0]} has no "
                                        f"column {col!r}")
    ax = _new_axes(ax)
    y = np.array([float(r[regret]) for r in rows])
    for name in distances:
        x = np.array([float(r[name]) for r in rows])
        rho = rank_correlation(x, y)
        ax.scatter(x, y, s=12, alpha=0.7, label=f"{name} (Spearman {rho:.2f})")
    ax.set_xlabel("distance")
    ax.set_ylabel(regret.replace("_", " ") + " (normalised)")
    ax.legend(loc="best")
    return ax


def reward_heatmap(reward, mdp=None, *, ax=None, cmap="RdBu_r"):
    """Heat map of an ``(S,)`` or ``(S, A)`` reward.

    Parameters
    ----------
    reward : (S,) or (S, A) array_like; or (S, A, S) with ``mdp``
        An ``(S, A, S)`` reward is shown as its expected reward ``r(s, a)`` (needs
        ``mdp``; the title says so).
    mdp : MDP, optional
        Validates the shape and provides the state and action labels.
    ax : matplotlib Axes, optional
        Draw here; default a new figure.
    cmap : str, default "RdBu_r"
        A diverging map centred on 0 (the colour limits are symmetric).

    Returns
    -------
    matplotlib.axes.Axes
        The image is ``ax.images[0]`` with data of shape ``(S, A)`` (``(S, 1)`` for a
        state reward); rows are states, columns actions.

    Raises
    ------
    MissingDependencyError
        matplotlib is not installed.
    InvalidRewardError
        A shape that is not ``(S,)`` / ``(S, A)`` (or ``(S, A, S)`` with an MDP).

    Notes
    -----
    ``O(S A)``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from identifiability.plot import reward_heatmap
    >>> ax = reward_heatmap([[0, 1], [2, -1], [0, 0]])
    >>> ax.images[0].get_array().shape, ax.get_ylabel()
    ((3, 2), 'state')
    """
    title = "reward"
    if mdp is not None:
        from .reward import as_reward, expected_reward

        R = as_reward(reward, mdp)
        if R.ndim == 3:
            R = expected_reward(mdp, R, exact=False)
            title = "expected reward r(s, a)"
    else:
        from ._numbers import parse_array

        R = parse_array(reward, where="reward", error=InvalidRewardError)
        if R.ndim not in (1, 2):
            raise InvalidRewardError(f"reward_heatmap draws (S,) or (S, A) rewards, got shape "
                                     f"{R.shape}; pass mdp= to draw an (S, A, S) reward as its "
                                     f"expected reward")
    R = to_float_array(np.asarray(R))
    img = R[:, None] if R.ndim == 1 else R
    ax = _new_axes(ax)
    m = float(np.max(np.abs(img))) if img.size else 1.0
    m = m if m > 0 else 1.0
    im = ax.imshow(img, cmap=cmap, vmin=-m, vmax=m, aspect="auto")
    ax.figure.colorbar(im, ax=ax)
    S, A = img.shape
    ax.set_ylabel("state")
    ax.set_xlabel("action" if R.ndim == 2 else "")
    ax.set_yticks(range(S))
    ax.set_xticks(range(A))
    if mdp is not None and getattr(mdp, "has_labels", False):
        ax.set_yticklabels([str(x) for x in mdp.state_labels])
        if R.ndim == 2:
            ax.set_xticklabels([str(x) for x in mdp.action_labels])
    if R.ndim == 1:
        ax.set_xticklabels([])
    ax.set_title(title)
    return ax
