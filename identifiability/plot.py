"""Matplotlib pictures (the ``[plot]`` extra: ``pip install "identifiability[plot]"``).

matplotlib is imported inside each function, so ``import identifiability.plot`` works
without it; calling a function without matplotlib raises
:class:`~identifiability.errors.MissingDependencyError` naming the pip command.  Every
function draws on the ``ax`` it is given (or on a new figure) and returns the Axes, so
tests and users can inspect the artists and save the figure themselves.

=================================  ==================================================
function                           picture
=================================  ==================================================
:func:`mdp_graph`                  the support graph, states in columns by first-visit
                                   time (accessible layer) or the time-unrolled layers;
                                   parallel action edges collapsed into one labelled
                                   edge, self-loops drawn, initial states ringed
:func:`gridworld_heatmap`          an ``(S,)`` or ``(S, A)`` array on a grid (one panel
                                   per action, or arrows for the argmax actions)
:func:`ambiguity_basis`            the basis vectors of an ambiguity subspace, one
                                   small heat map (or grid) per vector
:func:`distance_regret_scatter`    distance against normalised regret, one colour per
                                   distance, Spearman rank correlation in the legend
:func:`reward_heatmap`             an ``(S,)`` or ``(S, A)`` reward as a heat map
:func:`sensitivity_curve`          reward error and the Hong bounds of a sensitivity
                                   sweep against the parameter or the model error
=================================  ==================================================

Single-panel functions return the Axes; multi-panel ones (:func:`ambiguity_basis`,
:func:`gridworld_heatmap` with one panel per action) return the Figure, whose
``fig.axes`` lists the panels (colour bars included, see each docstring).
"""

from __future__ import annotations

import numpy as np

from ._numbers import to_float_array
from .errors import (
    InvalidMDPError,
    InvalidParameterError,
    InvalidRewardError,
    MissingDependencyError,
)

__all__ = [
    "mdp_graph",
    "gridworld_heatmap",
    "ambiguity_basis",
    "distance_regret_scatter",
    "reward_heatmap",
    "sensitivity_curve",
    "rank_correlation",
]

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


# ---------------------------------------------------------------------- helpers
def _fmt(x):
    """Short text of a number: ``"p/q"`` for exact numbers, 3 significant digits for floats."""
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.3g}"
    from ._numbers import format_number

    return format_number(x)


def _panels(ax, n, *, ncols=None, size=2.6, aspect=1.0):
    """``n`` Axes: new ones on a fresh figure, or the first ``n`` of the given sequence.

    ``aspect`` is the width / height of one panel of a new figure.
    """
    if ax is not None:
        axes = list(np.ravel(np.asarray(ax, dtype=object)))
        if len(axes) < n:
            raise InvalidParameterError(f"this picture has {n} panel(s); ax must be a "
                                        f"sequence of at least {n} Axes, got {len(axes)}")
        return axes[0].figure, axes[:n]
    plt = _pyplot()
    ncols = max(1, min(n, ncols or n))
    nrows = -(-n // ncols)
    size = min(size, 12.0 / (aspect * ncols))  # keep a new figure at most ~13 in wide
    fig, grid = plt.subplots(nrows, ncols, squeeze=False,
                             figsize=(size * aspect * ncols + 1.2, size * nrows + 0.6))
    axes = list(grid.ravel())
    for extra in axes[n:]:
        fig.delaxes(extra)
    return fig, axes[:n]


def _check_mdp(mdp, who):
    from .mdp import MDP

    if not isinstance(mdp, MDP):
        raise InvalidMDPError(f"{who} needs an identifiability.MDP, got {type(mdp).__name__}")


def _grid_shape(shape, S, who):
    try:
        h, w = (int(v) for v in shape)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{who}: shape must be (height, width), got {shape!r}") \
            from None
    if h < 1 or w < 1 or h * w != S:
        raise InvalidParameterError(f"{who}: shape {shape!r} has {h * w} cells but there are "
                                    f"{S} states (state s sits at row s // width, column "
                                    f"s % width)")
    return h, w


#: Moves of :func:`identifiability.examples.gridworld` as (dx, dy), y pointing down the rows.
_GRID_MOVES = ((0, -1), (0, 1), (-1, 0), (1, 0), (0, 0))
_GRID_NAMES = ("up", "down", "left", "right", "stay")


# ---------------------------------------------------------------------- MDP graph
def _edge_label(actions, probs, alab, R, u, v, probabilities):
    groups = {}
    for a, p in zip(actions, probs):
        key = (_fmt(p) if probabilities else "",
               "" if R is None else _fmt(R[u, a, v]))
        groups.setdefault(key, []).append(alab[a])
    parts = []
    for (p, r), names in groups.items():
        text = ", ".join(names)
        extra = [x for x in ((p if p not in ("", "1", "1.0", "1.00") else ""),
                             (f"r={r}" if r else "")) if x]
        parts.append(text + (": " + ", ".join(extra) if extra else ""))
    return "; ".join(parts)


def _draw_graph(G, pos, ax, *, node_text, node_values, initial, terminal, edge_labels,
                node_size=650, cmap="RdBu_r"):
    """Nodes, rings for the initial states, straight or curved arrows, labels (with gids)."""
    import networkx as nx

    nodes = list(G.nodes)
    if node_values is not None:
        m = float(np.max(np.abs(node_values))) or 1.0
        colour = dict(zip(nodes, node_values))
        kw = dict(cmap=cmap, vmin=-m, vmax=m)
    else:
        colour, kw = None, {}
    for shape, members, gid in (("o", [n for n in nodes if n not in terminal], "states"),
                                ("s", [n for n in nodes if n in terminal], "terminal-states")):
        if not members:
            continue
        coll = nx.draw_networkx_nodes(
            G, pos, nodelist=members, ax=ax, node_shape=shape, node_size=node_size,
            edgecolors="black",
            node_color=("#dde8f5" if colour is None else [colour[n] for n in members]), **kw)
        coll.set_gid(gid)
        if colour is not None and gid == "states":
            ax.figure.colorbar(coll, ax=ax, shrink=0.7, label="reward")
    if initial:
        xy = np.array([pos[n] for n in initial], dtype=float)
        ring = ax.scatter(xy[:, 0], xy[:, 1], s=node_size * 1.9, facecolors="none",
                          edgecolors="black", linewidths=1.2, zorder=0.5)
        ring.set_gid("initial")
    edges = list(G.edges)
    loops = [e for e in edges if e[0] == e[1]]
    both = [e for e in edges if e[0] != e[1] and G.has_edge(e[1], e[0])]
    single = [e for e in edges if e[0] != e[1] and not G.has_edge(e[1], e[0])]
    for group, style, where in ((single, "arc3", 0.5), (both, "arc3,rad=0.18", 0.7),
                                (loops, "arc3", 0.5)):
        if not group:
            continue
        arrows = nx.draw_networkx_edges(G, pos, edgelist=group, ax=ax, arrows=True,
                                        arrowsize=12, node_size=node_size,
                                        connectionstyle=style, edge_color="#444444")
        for patch in arrows:
            patch.set_gid("edge")
        if edge_labels is not None:
            texts = nx.draw_networkx_edge_labels(
                G, pos, edge_labels={e: edge_labels[e] for e in group}, ax=ax, font_size=7,
                connectionstyle=style, rotate=False, label_pos=where,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
            for t in texts.values():
                t.set_gid("edge-label")
    texts = nx.draw_networkx_labels(G, pos, labels=node_text, ax=ax, font_size=8)
    for t in texts.values():
        t.set_gid("node-label")
    ax.set_axis_off()
    ax.margins(0.12)


def mdp_graph(mdp, *, horizon=None, layers=True, ax=None, rewards=None, shape=None,
              pos=None, probabilities=True):
    """Draw the support graph of an MDP, by accessible layer or unrolled in time.

    Parameters
    ----------
    mdp : MDP
    horizon : int, optional
        With ``layers=True``: the columns are the first-visit times ``min {t : s in L_t}``
        up to ``horizon`` (default ``mdp.horizon``, or ``S - 1`` for an infinite horizon,
        which reaches every reachable state); states not visited by then form a last
        column "not reached".  With ``layers="unrolled"``: the horizon ``H`` of the
        unrolled picture (default ``mdp.horizon``; required for an infinite horizon).
    layers : {True, False, "unrolled"}, default True
        ``True``: one node per state, placed in the column of its first accessible layer
        (:func:`identifiability.graph.accessible_layers`).  ``False``: a circle, or a grid
        with ``shape``, or the positions ``pos``.  ``"unrolled"``: one node per ``(t, s)``
        with ``s in L_t`` for ``t = 0 .. H`` (state ``s`` on row ``s``, time on the
        x-axis), arrows ``(t, s) -> (t + 1, s')`` with actions collapsed and no labels,
        missing ``(t, s)`` as faint dots, and each column headed ``t`` (with a second
        line ``L_t = S`` when the layer is the whole state space): the coverage picture.
    ax : matplotlib Axes, optional
        Draw here; default a new figure.
    rewards : (S,), (S, A) or (S, A, S) array_like, optional
        ``(S,)``: nodes coloured by reward (with a colour bar) and the value under the
        state label; ``(S, A)``: the row ``r(s, .)`` under the state label; ``(S, A, S)``:
        ``r=`` in each edge label.  Ignored with ``layers="unrolled"``.
    shape : (int, int), optional
        With ``layers=False``: place state ``s`` of a ``(height, width)`` gridworld at
        row ``s // width``, column ``s % width``.
    pos : dict, optional
        With ``layers=False``: ``{state: (x, y)}`` positions (overrides ``shape``).
    probabilities : bool, default True
        Write the transition probability after the action names (a probability 1 is
        never written).

    Returns
    -------
    matplotlib.axes.Axes
        Artists carry gids: node collections ``"states"`` and ``"terminal-states"``
        (squares), ``"initial"`` (the ring around each initial state), one
        ``FancyArrowPatch`` ``"edge"`` per collapsed edge ``s -> s'`` (self-loops
        included), one text ``"edge-label"`` per edge (e.g. ``"up, left: 1/2"``: the
        actions that move ``s -> s'`` with that probability, groups of different
        probabilities separated by ``;``), ``"node-label"`` per node and
        ``"layer-label"`` per column header.

    Raises
    ------
    MissingDependencyError
        matplotlib is not installed.
    InvalidMDPError
        ``mdp`` is not an MDP.
    InvalidParameterError
        An unknown ``layers``, ``"unrolled"`` without a finite horizon, a bad
        ``shape`` or ``pos``.
    InvalidRewardError
        ``rewards`` of the wrong shape.

    Notes
    -----
    The collapsed edges are :func:`identifiability.graph.state_graph` (``O(nnz log
    nnz)``); the layers :func:`identifiability.graph.accessible_layers` (theory note
    ``identifiability.md`` §1, §3.4; claim ``coverage-is-absorbing``: once a column of the
    unrolled picture is full, every later one is).  Drawing is one networkx call per
    artist group; meant for tens of states, not thousands.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import identifiability as idf
    >>> from identifiability.plot import mdp_graph
    >>> mdp = idf.examples.cao2021_example1(horizon=4)       # A -> {B, C}, B -> A, C -> B
    >>> ax = mdp_graph(mdp)
    >>> sorted(t.get_text() for t in ax.texts if t.get_gid() == "layer-label")
    ['t = 0', 't = 1']
    >>> sorted(t.get_text() for t in ax.texts if t.get_gid() == "edge-label")
    ['a0', 'a0, a1', 'a0, a1', 'a1']
    >>> ax = mdp_graph(mdp, layers="unrolled")
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "layer-label"][-2:]
    ['t = 3\\nL_t = S', 't = 4\\nL_t = S']
    """
    _pyplot()  # the typed error before any work
    import networkx as nx

    from .graph import accessible_layers, state_graph

    _check_mdp(mdp, "mdp_graph")
    if layers not in (True, False, "unrolled"):
        raise InvalidParameterError(f"layers must be True, False or 'unrolled', got {layers!r}")
    S = mdp.n_states
    ax = _new_axes(ax)
    G = state_graph(mdp)
    initial = [n for n, d in G.nodes(data="initial") if d != 0]
    terminal = {n for n, d in G.nodes(data="terminal") if d}
    labels = [str(x) for x in mdp.state_labels]
    if layers == "unrolled":
        H = horizon if horizon is not None else mdp.horizon
        if H is None:
            raise InvalidParameterError("mdp_graph(layers='unrolled') needs a finite horizon: "
                                        "pass horizon=H")
        return _unrolled(mdp, G, accessible_layers(mdp, H), labels, ax, terminal)
    R = None
    if rewards is not None:
        from .reward import as_reward

        R = as_reward(rewards, mdp)
    if layers:
        H = horizon if horizon is not None else (mdp.horizon or max(1, S - 1))
        L = accessible_layers(mdp, H)
        seen = L.any(axis=0)
        col = np.where(seen, L.argmax(axis=0), H + 1)
        pos = {}
        for c in np.unique(col).tolist():
            members = np.flatnonzero(col == c)
            k = members.size
            for i, s in enumerate(members.tolist()):
                pos[s] = (float(c), (k - 1) / 2.0 - i)
        top = max(p[1] for p in pos.values()) + 0.7
        for c in np.unique(col).tolist():
            t = ax.text(c, top, "not reached" if c == H + 1 else f"t = {c}", ha="center",
                        va="bottom", fontsize=9, color="#555555")
            t.set_gid("layer-label")
        ax.set_title("states by first accessible layer")
    elif pos is None:
        if shape is not None:
            h, w = _grid_shape(shape, S, "mdp_graph")
            pos = {s: (float(s % w), -float(s // w)) for s in range(S)}
        else:
            pos = nx.circular_layout(G)
    else:
        missing = [s for s in range(S) if s not in pos]
        if missing:
            raise InvalidParameterError(f"mdp_graph: pos has no position for state "
                                        f"{missing[0]}")
    text = dict(enumerate(labels))
    values = None
    if R is not None and R.ndim == 1:
        values = [float(x) for x in R.tolist()]
        text = {s: f"{labels[s]}\n{_fmt(R[s])}" for s in range(S)}
    elif R is not None and R.ndim == 2:
        text = {s: labels[s] + "\n" + " ".join(_fmt(x) for x in R[s].tolist())
                for s in range(S)}
    alab = [str(a) for a in mdp.action_labels]
    elab = {(u, v): _edge_label(d["actions"], d["probs"], alab,
                                R if R is not None and R.ndim == 3 else None, u, v,
                                probabilities)
            for u, v, d in G.edges(data=True)}
    _draw_graph(G, pos, ax, node_text=text, node_values=values, initial=initial,
                terminal=terminal, edge_labels=elab)
    if layers:  # texts do not take part in autoscaling: make room for the column headers
        ys = [p[1] for p in pos.values()]
        ax.set_ylim(min(ys) - 0.7, top + 0.6)
        ax.set_xlim(-0.6, float(col.max()) + 0.6)
    return ax


def _unrolled(mdp, G, L, labels, ax, terminal):
    import networkx as nx

    H = L.shape[0] - 1
    S = mdp.n_states
    u = np.array([e[0] for e in G.edges], dtype=np.int64)
    v = np.array([e[1] for e in G.edges], dtype=np.int64)
    U = nx.DiGraph()
    ts, ss = np.nonzero(L)
    U.add_nodes_from(zip(ts.tolist(), ss.tolist()))
    for t in range(H):
        keep = L[t, u]
        U.add_edges_from(((t, a), (t + 1, b)) for a, b in zip(u[keep].tolist(),
                                                              v[keep].tolist()))
    pos = {(t, s): (float(t), -float(s)) for t, s in U.nodes}
    ti, si = np.nonzero(~L)
    if ti.size:
        dots = ax.scatter(ti, -si, s=12, color="#cccccc", zorder=0.5)
        dots.set_gid("absent")
    text = {(t, s): labels[s] for t, s in U.nodes}
    initial = [(0, s) for s in np.flatnonzero(L[0]).tolist()]
    _draw_graph(U, pos, ax, node_text=text, node_values=None, initial=initial,
                terminal={n for n in U.nodes if n[1] in terminal}, edge_labels=None,
                node_size=420)
    for t in range(H + 1):
        full = bool(L[t].all())
        lab = ax.text(t, 0.8, f"t = {t}\nL_t = S" if full else f"t = {t}", ha="center",
                      va="bottom", fontsize=8, color="#b03030" if full else "#555555")
        lab.set_gid("layer-label")
    ax.set_ylim(-(S - 1) - 0.6, 1.6)
    ax.set_xlim(-0.6, H + 0.6)
    ax.set_title(f"accessible layers L_0 .. L_{H} (S = {S})")
    return ax


# ---------------------------------------------------------------------- gridworlds
def _values(values, who):
    from ._numbers import parse_array

    V = parse_array(values, where=f"{who} values", error=InvalidParameterError, ndim=(1, 2))
    return to_float_array(V)


def _limits(V, cmap):
    lo, hi = float(np.nanmin(V)), float(np.nanmax(V))
    if cmap is None and lo < 0 < hi or cmap == "RdBu_r":
        m = max(abs(lo), abs(hi)) or 1.0
        return "RdBu_r" if cmap is None else cmap, -m, m
    if lo == hi:
        lo, hi = lo - 1.0, hi + 1.0
    return ("viridis" if cmap is None else cmap), lo, hi


def _annotate(ax, img, fmt="{:.3g}", dy=0.0):
    for (y, x), val in np.ndenumerate(img):
        if np.isfinite(val):
            t = ax.text(x, y + dy, fmt.format(val), ha="center", va="center", fontsize=7)
            t.set_gid("value")


def gridworld_heatmap(values, shape, *, ax=None, arrows=False, actions=None, directions=None,
                      cmap=None, annotate=False, title=None, atol=1e-9):
    """Heat map of an ``(S,)`` or ``(S, A)`` array on a ``(height, width)`` gridworld.

    State ``s`` sits at row ``s // width``, column ``s % width`` (the convention of
    :func:`identifiability.examples.gridworld`).

    Parameters
    ----------
    values : (S,) or (S, A) array_like
        A reward, a value function, first-visit times ...; exact entries are drawn as floats.
    shape : (int, int)
        ``(height, width)`` with ``height * width = S``.
    ax : matplotlib Axes or sequence of Axes, optional
        One Axes for a single panel; ``A`` Axes for one panel per action.  Default: new.
    arrows : bool, default False
        For ``(S, A)`` values: one panel with ``max_a values`` and an arrow for every
        action attaining the maximum (a dot for a "stay" action, ``(0, 0)``), instead
        of one panel per action.
    actions : sequence of str, optional
        Action names for the panel titles; default the gridworld's
        ``up, down, left, right[, stay]`` when ``A`` is 4 or 5, else ``a0, a1, ...``.
    directions : sequence of (dx, dy), optional
        Arrow of each action (``dy > 0`` is down a row); default the gridworld's moves
        when ``A`` is 4 or 5.
    cmap : str, optional
        Default ``"RdBu_r"`` with symmetric limits when the values take both signs,
        ``"viridis"`` otherwise.
    annotate : bool, default False
        Write each value in its cell.
    title : str, optional
    atol : float, default 1e-9
        Ties for the argmax: ``value >= max - atol * (1 + |max|)``.

    Returns
    -------
    matplotlib.axes.Axes or matplotlib.figure.Figure
        The Axes for ``(S,)`` values or ``arrows=True`` (``ax.images[0]`` holds the
        ``(height, width)`` grid; the arrows are one ``Quiver`` in ``ax.collections``);
        the Figure for one panel per action (``A`` panels with a shared colour scale,
        then one colour bar: ``len(fig.axes) == A + 1``).

    Raises
    ------
    MissingDependencyError
        matplotlib is not installed.
    InvalidParameterError
        Values that are not 1-D or 2-D numbers, a ``shape`` that does not match ``S``,
        ``actions`` / ``directions`` of the wrong length, ``arrows`` without directions
        for ``A`` not in (4, 5), or too few Axes in ``ax``.

    Notes
    -----
    ``O(S A)``.  Useful with :func:`identifiability.graph.accessible_layers` (first-visit
    times, the coverage picture) and :func:`identifiability.behaviour.optimal_values`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from identifiability.plot import gridworld_heatmap
    >>> ax = gridworld_heatmap(np.arange(6), (2, 3))
    >>> ax.images[0].get_array().tolist()
    [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    >>> Q = np.zeros((6, 4)); Q[:, 3] = 1                 # "right" is best everywhere
    >>> ax = gridworld_heatmap(Q, (2, 3), arrows=True)
    >>> ax.collections[0].U.tolist()
    [0.4, 0.4, 0.4, 0.4, 0.4, 0.4]
    >>> len(gridworld_heatmap(Q, (2, 3)).axes)            # 4 panels + a colour bar
    5
    """
    V = _values(values, "gridworld_heatmap")
    S = V.shape[0]
    h, w = _grid_shape(shape, S, "gridworld_heatmap")
    if V.ndim == 1:
        ax = _new_axes(ax)
        img = V.reshape(h, w)
        cm, lo, hi = _limits(img, cmap)
        im = ax.imshow(img, cmap=cm, vmin=lo, vmax=hi)
        ax.figure.colorbar(im, ax=ax, shrink=0.8)
        if annotate:
            _annotate(ax, img)
        ax.set_title(title or "")
        ax.set_xticks(range(w))
        ax.set_yticks(range(h))
        return ax
    A = V.shape[1]
    if actions is None:
        actions = list(_GRID_NAMES[:A]) if A in (4, 5) else [f"a{i}" for i in range(A)]
    if len(actions) != A:
        raise InvalidParameterError(f"gridworld_heatmap: {len(actions)} action names for "
                                    f"{A} actions")
    if arrows:
        if directions is None:
            if A not in (4, 5):
                raise InvalidParameterError(f"gridworld_heatmap(arrows=True) with {A} actions "
                                            f"needs directions=[(dx, dy), ...]")
            directions = _GRID_MOVES[:A]
        D = np.asarray(directions, dtype=np.float64)
        if D.shape != (A, 2):
            raise InvalidParameterError(f"directions must have shape ({A}, 2), got {D.shape}")
        ax = _new_axes(ax)
        best = V.max(axis=1)
        img = best.reshape(h, w)
        cm, lo, hi = _limits(img, cmap)
        im = ax.imshow(img, cmap=cm, vmin=lo, vmax=hi)
        ax.figure.colorbar(im, ax=ax, shrink=0.8)
        tied = V >= (best - atol * (1.0 + np.abs(best)))[:, None]
        s_idx, a_idx = np.nonzero(tied)
        d = D[a_idx]
        moving = np.any(d != 0, axis=1)
        norm = np.linalg.norm(d[moving], axis=1, keepdims=True)
        d[moving] = 0.38 * d[moving] / norm
        xs, ys = (s_idx % w).astype(float), (s_idx // w).astype(float)
        ax.quiver(xs[moving], ys[moving], d[moving, 0], d[moving, 1], angles="xy",
                  scale_units="xy", scale=1, color="black", width=0.005, headwidth=4,
                  headlength=4, headaxislength=3.5)
        if (~moving).any():
            ax.scatter(xs[~moving], ys[~moving], s=18, color="black", marker="o")
        if annotate:
            _annotate(ax, img, dy=-0.3)
        ax.set_title(title or "max over actions; arrows: argmax")
        ax.set_xticks(range(w))
        ax.set_yticks(range(h))
        return ax
    fig, axes = _panels(ax, A, ncols=min(A, 5))
    cm, lo, hi = _limits(V, cmap)
    for a, panel in enumerate(axes):
        img = V[:, a].reshape(h, w)
        im = panel.imshow(img, cmap=cm, vmin=lo, vmax=hi)
        if annotate:
            _annotate(panel, img)
        panel.set_title(str(actions[a]))
        panel.set_xticks(range(w))
        panel.set_yticks(range(h))
    fig.colorbar(im, ax=axes, shrink=0.8)
    if title:
        fig.suptitle(title)
    return fig


# ---------------------------------------------------------------------- ambiguity basis
def _basis_matrix(reward_class):
    from .linalg import Subspace

    if isinstance(reward_class, Subspace):
        sub, rshape = reward_class, None
    elif hasattr(reward_class, "basis") and hasattr(reward_class, "shape"):
        try:
            sub = reward_class.basis
        except Exception as err:  # a cone (OptimalityClass) or a too large ambient space
            raise InvalidParameterError(f"ambiguity_basis: this class has no linear basis "
                                        f"to draw ({err})") from None
        rshape = tuple(reward_class.shape)
        if not isinstance(sub, Subspace):
            raise InvalidParameterError("ambiguity_basis: the class's basis is not a "
                                        "Subspace (a cone has no basis to draw)")
    elif hasattr(reward_class, "mdp"):
        raise InvalidParameterError(f"ambiguity_basis: a {type(reward_class).__name__} has no "
                                    f"linear basis to draw (the optimal class is a cone)")
    else:
        from ._numbers import parse_array

        B = parse_array(reward_class, where="basis", error=InvalidParameterError, ndim=2)
        return to_float_array(B), None
    B = to_float_array(np.asarray(sub.basis))
    return B.reshape(B.shape[0], -1), rshape


def _tiles(v, S, h, w):
    """The ``(S, m)`` vector as ``m`` grids side by side, NaN columns between them."""
    m = v.size // S
    cols = v.reshape(S, m)
    out = np.full((h, m * (w + 1) - 1), np.nan)
    for j in range(m):
        out[:, j * (w + 1): j * (w + 1) + w] = cols[:, j].reshape(h, w)
    return out


def _tile_names(reward_class, m):
    mdp = getattr(reward_class, "mdp", None)
    if mdp is not None and mdp.n_actions == m:
        return [str(a) for a in mdp.action_labels]
    return [str(j) for j in range(m)]


def ambiguity_basis(reward_class, shape=None, *, max_vectors=6, ax=None, ncols=3):
    """Heat maps of the basis vectors of an ambiguity subspace, one panel per vector.

    Parameters
    ----------
    reward_class : RewardClass, Subspace or (n, k) array_like
        The result of :func:`identifiability.ambiguity` (its ``basis`` and reward
        ``shape`` are used), a :class:`~identifiability.linalg.Subspace`, or basis
        vectors as columns.
    shape : (int, int), optional
        ``(height, width)`` of a gridworld: each vector is drawn as ``m = n / S`` grids
        side by side (``m = 1`` for a state reward, ``A`` for ``(S, A)``: one grid per
        action in action order), at most 8.  Default: the vector in its reward shape,
        states on rows (an ``(S, A, S)`` vector as ``S x (A S)``).
    max_vectors : int, default 6
        Draw the first ``min(k, max_vectors)`` of the ``k`` basis vectors.
    ax : sequence of Axes, optional
        At least as many Axes as panels.  Default: a new figure.
    ncols : int, default 3
        Panels per row of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per drawn vector (titled ``n_1, n_2, ...``), each vector scaled to
        ``max |entry| = 1`` on a shared symmetric colour scale, then one colour bar:
        ``len(fig.axes) == min(k, max_vectors) + 1``.  A zero-dimensional class gives
        one panel saying so (and no colour bar).

    Raises
    ------
    MissingDependencyError
        matplotlib is not installed.
    InvalidParameterError
        A class without a linear basis (the ``"optimal"`` cone), a ``shape`` that does
        not divide the vector length, more than 8 grids per vector, or a
        ``max_vectors < 1``.

    Notes
    -----
    The exact basis is the canonical (reduced row echelon) one of
    :class:`~identifiability.linalg.Subspace`, so each vector shows one invariance
    direction with a pivot entry 1 (claims ``ambiguity-dimensions`` and
    ``canonical-projection`` for the class, theory note ``equivalence-and-distances.md``).
    ``O(k n)`` to draw.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import identifiability as idf
    >>> from identifiability.plot import ambiguity_basis
    >>> grid = idf.examples.gridworld(3, 2, gamma="9/10")
    >>> N = idf.ambiguity(grid, model="mce", domain="sa")     # potential shaping: dim S
    >>> fig = ambiguity_basis(N, (2, 3), max_vectors=4)
    >>> N.dim, len(fig.axes), fig.axes[0].images[0].get_array().shape
    (6, 5, (2, 15))
    """
    if isinstance(max_vectors, bool) or not isinstance(max_vectors, (int, np.integer)) \
            or max_vectors < 1:
        raise InvalidParameterError(f"max_vectors must be a positive integer, got "
                                    f"{max_vectors!r}")
    B, rshape = _basis_matrix(reward_class)
    n, k = B.shape
    grid = None
    if shape is not None:
        try:
            h, w = (int(v) for v in shape)
        except (TypeError, ValueError):
            raise InvalidParameterError(f"ambiguity_basis: shape must be (height, width), "
                                        f"got {shape!r}") from None
        S = h * w
        if rshape is not None and S != rshape[0]:
            raise InvalidParameterError(f"ambiguity_basis: shape {shape!r} has {S} cells but "
                                        f"the rewards have {rshape[0]} states")
        if S < 1 or n % S:
            raise InvalidParameterError(f"ambiguity_basis: vectors of length {n} are not "
                                        f"a whole number of {h} x {w} grids")
        if n // S > 8:
            raise InvalidParameterError(f"ambiguity_basis: {n // S} grids per vector is too "
                                        f"many to draw; use domain 's' or 'sa'")
        grid = (S, h, w)
    show = min(k, int(max_vectors))
    if grid is not None:
        m = n // grid[0]
        aspect = (m * (grid[2] + 1) - 1) / grid[1]
    elif rshape is None or len(rshape) == 1:
        aspect = 0.5
    else:
        aspect = int(np.prod(rshape[1:])) / rshape[0]
    fig, axes = _panels(ax, max(show, 1), ncols=ncols, size=2.0,
                        aspect=min(max(aspect, 0.5), 4.0))
    if show == 0:
        axes[0].text(0.5, 0.5, "dim 0: no ambiguity", ha="center", va="center")
        axes[0].set_axis_off()
        return fig
    for i, panel in enumerate(axes):
        v = B[:, i] / (np.max(np.abs(B[:, i])) or 1.0)
        if grid is not None:
            img = _tiles(v, *grid)
        elif rshape is None or len(rshape) == 1:
            img = v[:, None]
        else:
            img = v.reshape(rshape[0], -1)
        im = panel.imshow(img, cmap="RdBu_r", vmin=-1, vmax=1,
                          aspect="equal" if grid is not None else "auto")
        panel.set_title(f"n_{i + 1}", fontsize=9)
        panel.set_yticks([])
        if grid is not None and m > 1:
            panel.set_xticks([j * (grid[2] + 1) + (grid[2] - 1) / 2 for j in range(m)])
            panel.set_xticklabels(_tile_names(reward_class, m), fontsize=7)
        else:
            panel.set_xticks([])
    fig.colorbar(im, ax=axes, shrink=0.8)
    fig.suptitle(f"ambiguity basis: dim {k}" + (f", first {show} shown" if show < k else ""))
    return fig


# ---------------------------------------------------------------------- sensitivity
def sensitivity_curve(sweep, ax=None, *, x="value", log=False):
    """Reward error and both Hong bounds of a sensitivity sweep.

    Parameters
    ----------
    sweep : SweepResult
        The result of :func:`identifiability.sensitivity.sensitivity_sweep`.
    ax : matplotlib Axes, optional
        Draw here; default a new figure.
    x : {"value", "tv"}, default "value"
        Horizontal axis: the swept parameter or the weighted model error
        ``E_rho TV``.
    log : bool, default False
        Logarithmic axes.

    Returns
    -------
    matplotlib.axes.Axes
        Three lines: the error ``||theta_hat - theta*||``, the TV bound and the KL bound
        (claims ``hong-tv-bound``, ``hong-kl-bound``); values where a bound fails are
        marked with red crosses (a scatter collection, gid ``"violation"``).

    Raises
    ------
    MissingDependencyError
        matplotlib is not installed (``pip install "identifiability[plot]"``).
    InvalidParameterError
        ``x`` is not "value" or "tv", or ``sweep`` is not a sweep result.

    Notes
    -----
    ``O(k)`` for ``k`` swept values.  :func:`identifiability.sensitivity.plot_sweep`
    calls this function.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import identifiability as idf
    >>> from identifiability.plot import sensitivity_curve
    >>> m = idf.ChoiceModel([[0.0], [1.0]])
    >>> build = lambda eps: (m, [1.0], [0.26894142 + eps, 0.73105858 - eps])
    >>> ax = sensitivity_curve(idf.sensitivity_sweep(build, [0.01, 0.02]), x="tv")
    >>> len(ax.lines), ax.get_xlabel()
    (3, '$\\\\mathbb{E}_\\\\rho$ TV')
    """
    plt = _pyplot()
    if x not in ("value", "tv"):
        raise InvalidParameterError(f"x must be 'value' or 'tv', got {x!r}")
    need = ("values", "weighted_tv", "error", "tv_bound", "kl_bound", "holds")
    if not all(hasattr(sweep, a) for a in need):
        raise InvalidParameterError(f"sensitivity_curve needs a SweepResult "
                                    f"(sensitivity_sweep), got {type(sweep).__name__}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    xs = np.asarray(sweep.values if x == "value" else sweep.weighted_tv, dtype=np.float64)
    order = np.argsort(xs)
    ax.plot(xs[order], sweep.error[order], "o-", label=r"$\|\hat\theta-\theta^\star\|$")
    ax.plot(xs[order], sweep.tv_bound[order], "--", label=r"$G\,\mathbb{E}_\rho TV/\alpha$")
    ax.plot(xs[order], sweep.kl_bound[order], ":", label=r"$\sqrt{2 d_{KL}/\alpha}$")
    bad = ~np.asarray(sweep.holds, dtype=bool)
    if bad.any():
        viol = ax.scatter(xs[bad], sweep.error[bad], marker="x", color="red", s=40,
                          label="bound violated", zorder=3)
        viol.set_gid("violation")
    ax.set_xlabel("misspecification parameter" if x == "value" else r"$\mathbb{E}_\rho$ TV")
    ax.set_ylabel("reward parameter error")
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.legend(loc="best", fontsize="small")
    return ax
