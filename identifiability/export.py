"""Export an MDP for papers: a TikZ picture (standalone-compilable) and a PNG.

:func:`to_tikz` draws the support graph of an MDP with the ``automata`` library of TikZ:
one node per state (initial states with an incoming arrow, terminal states double-circled),
one edge per ordered pair of states carrying every action that moves between them (parallel
action edges collapsed into one label ``"a0: 1/2, a1: 1"``), self-loops, exact numbers as
``\\tfrac{p}{q}``, and the rewards: state rewards under the nodes, ``(s, a)`` and
``(s, a, s')`` rewards on the edges.  :func:`mdp_png` renders the same MDP with
:func:`identifiability.plot.mdp_graph` (matplotlib extra).
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np

from .errors import InvalidMDPError, InvalidParameterError, MissingDependencyError

__all__ = ["to_tikz", "tex_number", "save_tikz", "mdp_png"]

_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                "^": r"\textasciicircum{}"}


def _escape(text):
    return "".join(_TEX_SPECIAL.get(c, c) for c in str(text))


def tex_number(x, *, digits=3):
    """A number in LaTeX math: exact rationals as ``\\tfrac{p}{q}``, floats to ``digits``.

    Parameters
    ----------
    x : int, Fraction, str ``"p/q"`` or float
    digits : int, default 3
        Significant digits of a float.

    Returns
    -------
    str
        Math-mode text without the surrounding ``$``.

    Examples
    --------
    >>> from fractions import Fraction
    >>> tex_number(Fraction(1, 2)), tex_number(Fraction(-3, 4)), tex_number(2)
    ('\\\\tfrac{1}{2}', '-\\\\tfrac{3}{4}', '2')
    >>> tex_number(0.123456), tex_number(1e-7)
    ('0.123', '1 \\\\cdot 10^{-7}')
    """
    if isinstance(x, str):
        x = Fraction(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        if not math.isfinite(v):
            return r"\infty" if v > 0 else (r"-\infty" if v < 0 else r"\mathrm{NaN}")
        text = f"{v:.{digits}g}"
        if "e" in text:
            mant, ex = text.split("e")
            return f"{mant} \\cdot 10^{{{int(ex)}}}"
        return text
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    sign = "-" if x < 0 else ""
    return f"{sign}\\tfrac{{{abs(x.numerator)}}}{{{x.denominator}}}"


def _check_mdp(mdp):
    from .mdp import MDP

    if not isinstance(mdp, MDP):
        raise InvalidMDPError(f"to_tikz needs an identifiability.MDP, got {type(mdp).__name__}")


def _named_rewards(rewards, mdp):
    """``[(name or None, table)]`` validated by the shape-prefix rule."""
    from .reward import as_reward

    if rewards is None:
        return []
    if isinstance(rewards, dict):
        return [(str(k), as_reward(v, mdp)) for k, v in rewards.items()]
    return [(None, as_reward(rewards, mdp))]


def _state_name(mdp, s):
    if mdp.has_labels[0]:
        return _escape(mdp.state_labels[s])
    return f"$s_{{{s}}}$"


def _action_name(mdp, a):
    if mdp.has_labels[1]:
        return _escape(mdp.action_labels[a])
    return f"$a_{{{a}}}$"


def _reward_text(named, index):
    """``"r = 1"`` / ``"R = 1, R2 = 0"`` for the tables whose shape fits ``index``."""
    parts = []
    for name, R in named:
        if R.ndim != len(index):
            continue
        label = "r" if name is None else _escape(name)
        parts.append(f"{label} = ${tex_number(R[index])}$")
    return ", ".join(parts)


def _positions(mdp, layers, pos, xsep, ysep):
    S = mdp.n_states
    if pos is not None:
        try:
            out = {int(s): (float(pos[s][0]), float(pos[s][1])) for s in range(S)}
        except (KeyError, IndexError, TypeError, ValueError):
            raise InvalidParameterError(f"pos must map every state 0..{S - 1} to (x, y), "
                                        f"got {pos!r}") from None
        return out
    if layers in (None, True, "layers"):
        from .graph import accessible_layers

        H = mdp.horizon if mdp.horizon is not None else max(S - 1, 1)
        H = max(1, min(int(H), S))  # every reachable state is first visited by t = S - 1
        L = accessible_layers(mdp, H)
        first = np.where(L.any(axis=0), L.argmax(axis=0), H + 1)
        cols = {}
        for s in range(S):
            cols.setdefault(int(first[s]), []).append(s)
        out = {}
        for i, c in enumerate(sorted(cols)):
            members = cols[c]
            for j, s in enumerate(members):
                # Zigzag within a column, so edges inside a layer are not vertical.
                out[s] = (i * xsep + (0.4 * xsep if j % 2 else 0.0),
                          -(j - (len(members) - 1) / 2) * ysep)
        return out
    if layers in (False, "circle"):
        if S == 1:
            return {0: (0.0, 0.0)}
        radius = max(xsep, S * xsep / (2 * math.pi))
        return {s: (radius * math.cos(math.pi / 2 - 2 * math.pi * s / S),
                    radius * math.sin(math.pi / 2 - 2 * math.pi * s / S)) for s in range(S)}
    raise InvalidParameterError(f"layers must be None, True, 'layers', False or 'circle', "
                                f"got {layers!r}")


def to_tikz(mdp, *, rewards=None, layers=None, pos=None, standalone=True,
            probabilities=True, xsep=4.0, ysep=2.5):
    """A TikZ picture of the MDP's support graph, with actions, probabilities and rewards.

    Parameters
    ----------
    mdp : MDP
    rewards : array_like or dict of str to array_like, optional
        One reward table or several named ones (shape ``(S,)``, ``(S, A)`` or
        ``(S, A, S)``).  ``(S,)`` rewards are written under the state's node; ``(S, A)``
        and ``(S, A, S)`` rewards after the action on each edge.
    layers : {None, True, "layers", False, "circle"}, default None
        None / True / ``"layers"``: one column per first accessible layer
        (:func:`identifiability.graph.accessible_layers`; states never reached form a last
        column); False / ``"circle"``: the states on a circle.
    pos : dict, optional
        ``{state: (x, y)}`` in cm, overriding ``layers``.
    standalone : bool, default True
        Wrap the picture in a ``\\documentclass[tikz]{standalone}`` document that compiles
        with ``pdflatex`` on its own.  Otherwise return the ``tikzpicture`` environment
        alone; the including document needs ``\\usepackage{amsmath,tikz}`` and
        ``\\usetikzlibrary{automata,arrows.meta}``.
    probabilities : bool, default True
        Write the transition probability after each action (``"a0: 1/2"``).
    xsep, ysep : float, default 4.0 and 2.5
        Spacing of the layered layout in cm.

    Returns
    -------
    str
        LaTeX source.  Nodes are named ``s0, s1, ...``; every ordered pair of states with a
        transition is one ``\\draw[transition]`` command (self-loops ``loop above``; pairs
        with transitions both ways bend apart).  Nonzero ``(S, A, S)`` rewards on impossible
        transitions are drawn as dashed ``impossible`` edges with probability 0.

    Raises
    ------
    InvalidMDPError
        Not an MDP.
    InvalidRewardError
        A reward of the wrong shape.
    InvalidParameterError
        Bad ``layers`` or ``pos``.

    Notes
    -----
    ``O(nnz log nnz + S)`` (the transitions are grouped by ``(s, s')``).  Exact MDPs and
    rewards print ``\\tfrac{p}{q}``; float ones 3 significant digits.  The initial arrow
    of a state carries its start probability when there are several start states.

    Examples
    --------
    >>> import identifiability as idf
    >>> mdp = idf.MDP([[["1/2", "1/2"], [0, 1]], [[1, 0], [1, 0]]], [1, 0], horizon=2)
    >>> tex = to_tikz(mdp, rewards=[0, 1])
    >>> tex.startswith("\\\\documentclass[tikz]{standalone}")
    True
    >>> tex.count("\\\\draw[transition")     # 0->0, 0->1 (a0 and a1 collapsed), 1->0
    3
    >>> "$a_{0}$: $\\\\tfrac{1}{2}$, $a_{1}$: $1$" in tex
    True
    """
    _check_mdp(mdp)
    named = _named_rewards(rewards, mdp)
    xy = _positions(mdp, layers, pos, float(xsep), float(ysep))
    S = mdp.n_states
    starts = mdp.start_states
    init = mdp.initial
    terminal = set(mdp.terminal)
    lines = [r"\begin{tikzpicture}[>={Stealth[round]}, shorten >=1pt, auto, semithick,",
             r"    every state/.style={draw, circle, minimum size=9mm, inner sep=1pt},",
             r"    transition/.style={->},",
             r"    impossible/.style={dashed, draw=black!50},",
             r"    lab/.style={font=\footnotesize, fill=white, inner sep=1pt},",
             r"    rew/.style={font=\footnotesize, text=black!70}]"]
    for s in range(S):
        opts = ["state"]
        if s in starts:
            opts.append("initial")
            if len(starts) > 1:
                opts.append(f"initial text={{${tex_number(init[s])}$}}")
            else:
                opts.append("initial text={}")
        if s in terminal:
            opts.append("accepting")
        x, y = xy[s]
        lines.append(f"  \\node[{', '.join(opts)}] (s{s}) at ({x:.3f}, {y:.3f}) "
                     f"{{{_state_name(mdp, s)}}};")
        text = _reward_text(named, (s,))
        if text:
            lines.append(f"  \\node[rew, below=1pt of s{s}] {{{text}}};")
    src, act, dst, prob = mdp.entries()
    src, act, dst = (np.asarray(x, dtype=np.int64) for x in (src, act, dst))
    prob = list(prob)
    # Rewards on impossible transitions (P = 0) are part of an (S, A, S) reward (EPIC reads
    # them): draw them as dashed edges with probability 0.
    possible = set(zip(src.tolist(), act.tolist(), dst.tolist()))
    ghost = sorted({(int(u), int(a), int(v)) for _, R in named if R.ndim == 3
                    for u, a, v in zip(*np.nonzero(R != 0))} - possible)
    if ghost:
        gu, ga, gv = (np.array(c, dtype=np.int64) for c in zip(*ghost))
        src, act, dst = np.concatenate([src, gu]), np.concatenate([act, ga]), \
            np.concatenate([dst, gv])
        prob = prob + [0] * len(ghost)
    order = np.lexsort((act, dst, src))
    groups, real = {}, set()
    for k in order:
        u, a, v = int(src[k]), int(act[k]), int(dst[k])
        item = _action_name(mdp, a)
        if probabilities or prob[k] == 0:
            item += f": ${tex_number(prob[k])}$"
        extra = [t for t in (_reward_text(named, (u, a)), _reward_text(named, (u, a, v))) if t]
        if extra:
            item += f" ({', '.join(extra)})"
        groups.setdefault((u, v), []).append(item)
        if prob[k] != 0:
            real.add((u, v))
    for (u, v), items in groups.items():
        label = ", ".join(items)
        styles = ["transition"] + ([] if (u, v) in real else ["impossible"])
        if u == v:
            styles.append("loop above")
            where = "lab, above"
        elif (v, u) in groups:
            styles.append("bend left=15")
            where = "lab, auto, sloped"
        else:
            where = "lab, above, sloped"
        lines.append(f"  \\draw[{', '.join(styles)}] (s{u}) to node[{where}] {{{label}}} "
                     f"(s{v});")
    lines.append(r"\end{tikzpicture}")
    body = "\n".join(lines) + "\n"
    if not standalone:
        return body
    return ("\\documentclass[tikz]{standalone}\n\\usepackage{amsmath}\n"
            "\\usetikzlibrary{automata,arrows.meta,positioning}\n\\begin{document}\n"
            + body + "\\end{document}\n")


def save_tikz(mdp, path, **kwargs):
    """Write :func:`to_tikz` to ``path``; returns the path.

    Parameters
    ----------
    mdp : MDP
    path : str or Path
    **kwargs
        Passed to :func:`to_tikz`.

    Returns
    -------
    str

    Examples
    --------
    >>> import os, tempfile, identifiability as idf
    >>> p = save_tikz(idf.MDP([[[1]]], horizon=1), os.path.join(tempfile.mkdtemp(), "m.tex"))
    >>> "loop above" in open(p).read()
    True
    """
    Path(path).write_text(to_tikz(mdp, **kwargs))
    return str(path)


def mdp_png(mdp, path, *, rewards=None, title=None, dpi=150):
    """Render the MDP graph (:func:`identifiability.plot.mdp_graph`) to a PNG file.

    Parameters
    ----------
    mdp : MDP
    path : str or Path
    rewards : array_like or dict of str to array_like, optional
        As for :func:`to_tikz`; with several named tables the first is drawn.
    title : str, optional
    dpi : int, default 150

    Returns
    -------
    str
        The path.

    Raises
    ------
    MissingDependencyError
        Without matplotlib (``pip install "identifiability[plot]"``).

    Examples
    --------
    >>> import os, tempfile, identifiability as idf
    >>> p = mdp_png(idf.MDP([[[0, 1]], [[1, 0]]], horizon=2),
    ...             os.path.join(tempfile.mkdtemp(), "m.png"))
    >>> open(p, "rb").read(4) == b"\\x89PNG"
    True
    """
    _check_mdp(mdp)
    try:
        from . import plot
        plt = plot._pyplot()
    except ImportError:  # pragma: no cover - matplotlib is an extra
        raise MissingDependencyError('the PNG needs matplotlib: pip install '
                                     '"identifiability[plot]"') from None
    named = _named_rewards(rewards, mdp)
    ax = plot.mdp_graph(mdp, rewards=named[0][1] if named else None)
    if title:
        ax.set_title(str(title), fontsize=9)
    fig = ax.figure
    try:
        fig.savefig(str(path), dpi=int(dpi), bbox_inches="tight")
    finally:
        plt.close(fig)
    return str(path)
