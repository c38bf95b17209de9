"""The versioned JSON file format ``identifiability.mdp/1``.

One MDP per file, optionally with named reward tables and free metadata.  The
format is meant to be read by people (one transition per line, so it diffs well in
git and reads in a paper's supplementary material) and by other languages (plain
JSON; exact numbers are strings ``"p/q"``)::

    {
     "format": "identifiability.mdp/1",
     "n_states": 2,
     "n_actions": 1,
     "exact": true,
     "gamma": "9/10",
     "horizon": null,
     "states": ["start", "goal"],
     "actions": null,
     "initial": ["1", "0"],
     "terminal": [1],
     "transitions": [
      [0, 0, 0, "1/2"],
      [0, 0, 1, "1/2"],
      [1, 0, 1, "1"]
     ],
     "rewards": {"task": {"shape": [2], "exact": true, "values": ["0", "1"]}},
     "metadata": {"source": "hand-written"}
    }

Keys
----
format : str, required
    ``"identifiability.mdp/1"``.  Any other value is refused (a newer version may
    mean something different).
n_states, n_actions : int, required
    ``S`` and ``A``.
transitions : list of [s, a, s', p], required
    The positive entries of ``P[s, a, s']`` (missing entries are 0; an entry may
    appear only once).
exact : bool, optional
    True: every number is exact.  Numbers are written as strings ``"p/q"``; on
    reading, strings, integers and JSON decimals are all taken exactly (``0.1``
    means 1/10).  False: every number is a float, written as a JSON number with
    Python's shortest round-tripping ``repr`` (lossless).  When the key is missing,
    a document with any JSON decimal is float, otherwise exact.
gamma : number or string, optional
    Default 1.
horizon : int or null, optional
    Number of decisions; null (the default) is an infinite horizon.
states, actions : list of str or null, optional
    Labels; null (the default) when the MDP has none.
initial : list of numbers or null, optional
    Start distribution; null (the default) is uniform.
terminal : list of int, optional
    States flagged terminal; default none.
atol : number, optional
    Row-sum tolerance of a float MDP (written only when it is not the default
    :data:`~identifiability.FLOAT_ATOL`, so that an MDP built with a looser
    tolerance reads back).
rewards : object, optional
    ``{name: {"shape": [...], "values": nested list, "exact": bool}}``; each
    table has shape ``(S,)``, ``(S, A)`` or ``(S, A, S)`` (the shape-prefix rule);
    ``exact`` follows the same rules as the top-level key.
metadata : object, optional
    Free JSON, kept as it is.
parameters : object, optional
    ``{"p": "0 < p < 1", ...}``: the document describes a parameter family, and
    :func:`from_dict` returns a :class:`~identifiability.symbolic.SymbolicMDP` whose
    probabilities, ``initial`` and ``gamma`` may be expressions in the parameters
    (strings such as ``"1 - p"``).  ``constraints`` (a list of strings such as
    ``"p + q < 1"``) adds relations between parameters.  Reward tables, ``terminal`` and
    ``atol`` are not read for families.

Other keys are refused, so a misspelt key is an error and not silently ignored.
"""

from __future__ import annotations

import json
import math
import os
import re
from decimal import Decimal
from typing import NamedTuple

import numpy as np

from ._numbers import format_number, parse_array, parse_scalar
from .errors import InvalidMDPError, InvalidRewardError
from .mdp import FLOAT_ATOL, MDP
from .reward import as_reward

__all__ = [
    "FORMAT",
    "MDPDocument",
    "dumps",
    "loads",
    "save",
    "load",
    "to_dict",
    "from_dict",
]

#: The format tag this version writes and reads.
FORMAT = "identifiability.mdp/1"

_KEYS = ("format", "n_states", "n_actions", "exact", "gamma", "horizon", "states", "actions",
         "initial", "terminal", "atol", "transitions", "rewards", "metadata", "parameters",
         "constraints")
_REQUIRED = ("format", "n_states", "n_actions", "transitions")


class MDPDocument(NamedTuple):
    """What a file holds: ``(mdp, rewards, metadata)``.

    A named tuple, so ``mdp, rewards, metadata = load(path, with_rewards=True)``
    works as well as ``doc.rewards["task"]``.

    Attributes
    ----------
    mdp : MDP
    rewards : dict of str to ndarray
        Each table as :func:`~identifiability.as_reward` returns it: an object
        array of Fractions when exact, float64 otherwise.  Empty when the file has
        none.
    metadata : dict
        The file's free ``metadata`` object (empty when absent).

    Examples
    --------
    >>> from identifiability import MDP
    >>> from identifiability.io import dumps, loads
    >>> text = dumps(MDP([[[1]]], horizon=1), rewards={"r": [2]}, metadata={"by": "me"})
    >>> mdp, rewards, metadata = loads(text, with_rewards=True)
    >>> rewards["r"], metadata
    (array([Fraction(2, 1)], dtype=object), {'by': 'me'})
    """

    mdp: MDP
    rewards: dict
    metadata: dict


# ---------------------------------------------------------------------------- writing
def _json_default(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (Decimal,)):
        return float(x)
    from fractions import Fraction

    if isinstance(x, Fraction):
        return format_number(x)
    raise TypeError(f"object of type {type(x).__name__} is not JSON serialisable")


def _plain_json(value, what):
    """``value`` as plain JSON data (numpy scalars and arrays become numbers and lists)."""
    try:
        return json.loads(json.dumps(value, default=_json_default, allow_nan=False))
    except (TypeError, ValueError) as e:
        raise InvalidMDPError(f"{what} is not JSON-serialisable: {e}") from None


def _encode_numbers(values, exact):
    if exact:
        return [format_number(v) for v in values]
    return [float(v) for v in values]


def _nested(arr, exact):
    flat = _encode_numbers(arr.reshape(-1).tolist(), exact)
    if arr.ndim == 0:
        return flat[0]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(arr.shape).tolist()


def to_dict(mdp, *, rewards=None, metadata=None):
    """The JSON-ready document of ``mdp`` (what :func:`dumps` writes).

    Parameters
    ----------
    mdp : MDP
    rewards : dict of str to array_like, optional
        Named reward tables of shape ``(S,)``, ``(S, A)`` or ``(S, A, S)``.
    metadata : dict, optional
        Free JSON data.  numpy scalars and arrays become numbers and lists,
        Fractions become ``"p/q"`` strings.

    Returns
    -------
    dict
        Plain JSON types only (str, int, float, bool, None, list, dict).

    Raises
    ------
    InvalidRewardError
        For a reward that does not fit ``mdp``.
    InvalidMDPError
        For metadata that is not JSON (or not an object) and a reward name that is
        not a string.

    Examples
    --------
    >>> from identifiability import MDP
    >>> from identifiability.io import to_dict
    >>> d = to_dict(MDP([[["1/3", "2/3"]], [[0, 1]]], gamma="1/2"))
    >>> d["transitions"], d["gamma"], d["exact"]
    ([[0, 0, 0, '1/3'], [0, 0, 1, '2/3'], [1, 0, 1, '1']], '1/2', True)
    """
    if not isinstance(mdp, MDP):
        raise InvalidMDPError(f"expected an identifiability.MDP, got {type(mdp).__name__}")
    exact = mdp.is_exact
    s, a, sn, p = mdp.entries()
    doc = {
        "format": FORMAT,
        "n_states": mdp.n_states,
        "n_actions": mdp.n_actions,
        "exact": exact,
        "gamma": format_number(mdp.gamma) if exact else float(mdp.gamma),
        "horizon": mdp.horizon,
        "states": list(mdp.state_labels) if mdp.has_labels[0] else None,
        "actions": list(mdp.action_labels) if mdp.has_labels[1] else None,
        "initial": _encode_numbers(mdp.initial.tolist(), exact),
        "terminal": list(mdp.terminal),
    }
    # Not public on MDP yet; only float MDPs use it.
    atol = mdp.atol
    if not exact and atol != FLOAT_ATOL:
        doc["atol"] = float(atol)
    doc["transitions"] = [[i, j, k, v] for i, j, k, v in zip(
        s.tolist(), a.tolist(), sn.tolist(), _encode_numbers(p.tolist(), exact))]
    if rewards is not None:
        if not isinstance(rewards, dict):
            raise InvalidMDPError(f"rewards must be a dict {{name: table}}, got "
                                  f"{type(rewards).__name__}")
        out = {}
        for name, table in rewards.items():
            if not isinstance(name, str):
                raise InvalidMDPError(f"reward names must be strings, got {name!r}")
            try:
                R = as_reward(table, mdp)
            except InvalidRewardError as e:
                raise InvalidRewardError(f"rewards[{name!r}]: {e}") from None
            r_exact = R.dtype == object
            out[name] = {"shape": list(R.shape), "exact": r_exact, "values": _nested(R, r_exact)}
        doc["rewards"] = out
    if metadata is not None:
        if not isinstance(metadata, dict):
            raise InvalidMDPError(f"metadata must be a dict (a JSON object), got "
                                  f"{type(metadata).__name__}")
        doc["metadata"] = _plain_json(metadata, "metadata")
    return doc


def _encode(value, indent, level):
    """JSON text with nested containers on their own lines and flat lists on one line."""
    if isinstance(value, dict) and value:
        pad = " " * (indent * (level + 1))
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {_encode(v, indent, level + 1)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * (indent * level) + "}"
    if isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value):
        pad = " " * (indent * (level + 1))
        items = [pad + _encode(v, indent, level + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * (indent * level) + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def dumps(mdp, *, rewards=None, metadata=None, indent=1):
    """Write ``mdp`` (and optional rewards and metadata) as ``identifiability.mdp/1`` JSON.

    Parameters
    ----------
    mdp : MDP
    rewards : dict of str to array_like, optional
        Named reward tables of shape ``(S,)``, ``(S, A)`` or ``(S, A, S)``; exact
        tables stay exact.
    metadata : dict, optional
        Free JSON data, kept as it is.
    indent : int or None, default 1
        Indentation of nested objects; each transition (and each innermost list)
        sits on one line.  ``None`` writes one compact line.

    Returns
    -------
    str

    Notes
    -----
    Lossless: ``loads(dumps(m)) == m`` for exact and float MDPs (labels, terminal
    flags, exactness included), because exact numbers are written as ``"p/q"``
    and floats with their shortest round-tripping ``repr``.  ``O(nnz)``.

    Examples
    --------
    >>> from identifiability import MDP
    >>> from identifiability.io import dumps, loads
    >>> mdp = MDP([[["1/2", "1/2"]], [[0, 1]]], gamma="9/10", state_labels=["start", "goal"])
    >>> text = dumps(mdp, rewards={"task": [0, 1]})
    >>> print(text)  # doctest: +ELLIPSIS
    {
     "format": "identifiability.mdp/1",
     "n_states": 2,
     ...
     "transitions": [
      [0, 0, 0, "1/2"],
      [0, 0, 1, "1/2"],
      [1, 0, 1, "1"]
     ],
     "rewards": {
      "task": {
       "shape": [2],
       "exact": true,
       "values": ["0", "1"]
      }
     }
    }
    >>> loads(text) == mdp
    True
    """
    doc = to_dict(mdp, rewards=rewards, metadata=metadata)
    if indent is None:
        return json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    if isinstance(indent, bool) or not isinstance(indent, int) or indent < 0:
        raise InvalidMDPError(f"indent must be an int >= 0 or None, got {indent!r}")
    return _encode(doc, indent, 0)


def save(mdp, path, *, rewards=None, metadata=None, indent=1):
    """Write ``mdp`` to the file ``path`` (UTF-8 JSON, see :func:`dumps`).

    Parameters
    ----------
    mdp : MDP
    path : str or os.PathLike
    rewards, metadata, indent
        As for :func:`dumps`.

    Examples
    --------
    >>> import os, tempfile
    >>> from identifiability import MDP
    >>> from identifiability.io import save, load
    >>> mdp = MDP([[[0, 1]], [[1, 0]]], horizon=4)
    >>> path = os.path.join(tempfile.mkdtemp(), "swap.json")
    >>> save(mdp, path)
    >>> load(path) == mdp
    True
    """
    text = dumps(mdp, rewards=rewards, metadata=metadata, indent=indent)
    with open(os.fspath(path), "w", encoding="utf-8", newline="\n") as f:
        f.write(text + "\n")


# ---------------------------------------------------------------------------- reading
def _has_decimal(value):
    if isinstance(value, (Decimal, float)):
        return True
    if isinstance(value, list):
        return any(_has_decimal(v) for v in value)
    return False


def _number(value, exact, where):
    """One JSON number or numeric string as a Fraction/int (exact) or a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise InvalidMDPError(f"{where} is {json.dumps(value, default=str)}; expected a number "
                              "or a string like '3/4'")
    if exact and isinstance(value, float) and math.isfinite(value):
        value = repr(value)      # the decimal as written, as for a JSON text
    x = parse_scalar(value, where=where, error=InvalidMDPError)
    return x if exact else float(x)


def _numbers(values, exact, where):
    if not isinstance(values, list):
        raise InvalidMDPError(f"{where} must be a list of numbers, got "
                              f"{json.dumps(values, default=str)}")
    return [_number(v, exact, f"{where}[{i}]") for i, v in enumerate(values)]


def _nested_numbers(values, exact, where):
    if isinstance(values, list):
        return [_nested_numbers(v, exact, f"{where}[{i}]") for i, v in enumerate(values)]
    return _number(values, exact, where)


def _exact_flag(doc, where, *fields):
    flag = doc.get("exact")
    if flag is None:
        return not any(_has_decimal(f) for f in fields)
    if not isinstance(flag, bool):
        raise InvalidMDPError(f"{where}'exact' must be true or false, got {flag!r}")
    return flag


def _plain(value):
    """Undo ``parse_float=Decimal`` inside free metadata."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _index(value, where):
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidMDPError(f"{where} must be an integer index, got "
                              f"{json.dumps(value, default=str)}")
    return value


def from_dict(doc, *, with_rewards=False):
    """Build the MDP (and its rewards) from a parsed ``identifiability.mdp/1`` document.

    Parameters
    ----------
    doc : dict
        The document, as produced by :func:`to_dict` or by a JSON parser (floats may
        be Python floats or :class:`decimal.Decimal`).
    with_rewards : bool, default False
        Return an :class:`MDPDocument` instead of the MDP alone.  The reward tables
        and metadata are validated either way.

    Returns
    -------
    MDP or MDPDocument

    Raises
    ------
    InvalidMDPError
        For a missing or unknown format version, missing or unknown keys (named),
        malformed entries and everything the MDP validator rejects.
    InvalidRewardError
        For a reward table that does not fit the MDP.

    Examples
    --------
    >>> from identifiability.io import from_dict
    >>> doc = {"format": "identifiability.mdp/1", "n_states": 1, "n_actions": 1,
    ...        "transitions": [[0, 0, 0, 1]], "horizon": 2}
    >>> from_dict(doc)
    <MDP exact deterministic: S=1, A=1, nnz=1, gamma=1, horizon=2>
    >>> from_dict(dict(doc, format="identifiability.mdp/2"))
    Traceback (most recent call last):
    ...
    identifiability.errors.InvalidMDPError: unknown format version 'identifiability.mdp/2'; this version of identifiability reads 'identifiability.mdp/1' (a file from a newer version? upgrade identifiability)
    """
    if not isinstance(doc, dict):
        raise InvalidMDPError(f"an MDP document is a JSON object with \"format\": {FORMAT!r}, "
                              f"got a JSON {_json_kind(doc)}")
    if "format" not in doc:
        raise InvalidMDPError(f"missing key 'format'; this version reads files with "
                              f"\"format\": {FORMAT!r}")
    fmt = doc["format"]
    if fmt != FORMAT:
        if isinstance(fmt, str) and fmt.startswith("identifiability.mdp/"):
            raise InvalidMDPError(f"unknown format version {fmt!r}; this version of "
                                  f"identifiability reads {FORMAT!r} (a file from a newer "
                                  "version? upgrade identifiability)")
        raise InvalidMDPError(f"not an identifiability MDP document: format is {fmt!r}; "
                              f"this version reads {FORMAT!r}")
    unknown = [k for k in doc if k not in _KEYS]
    if unknown:
        raise InvalidMDPError(f"unknown key(s) {unknown} in an {FORMAT} document; allowed keys "
                              f"are {list(_KEYS)} (put free data under 'metadata')")
    missing = [k for k in _REQUIRED if k not in doc]
    if missing:
        raise InvalidMDPError(f"missing key(s) {missing} in an {FORMAT} document "
                              f"(required: {list(_REQUIRED)})")

    if doc.get("parameters") is not None:
        return _symbolic_from_dict(doc, with_rewards)
    if doc.get("constraints") is not None:
        raise InvalidMDPError("'constraints' needs 'parameters'")
    transitions = doc["transitions"]
    if not isinstance(transitions, list):
        raise InvalidMDPError(f"'transitions' must be a list of [s, a, s', p] entries, got a "
                              f"JSON {_json_kind(transitions)}")
    initial = doc.get("initial")
    gamma = doc.get("gamma", 1)
    exact = _exact_flag(doc, "", [t[3] for t in transitions
                                  if isinstance(t, list) and len(t) == 4], initial, gamma)
    s, a, sn, p = [], [], [], []
    for k, t in enumerate(transitions):
        where = f"transitions[{k}]"
        if not isinstance(t, list) or len(t) != 4:
            raise InvalidMDPError(f"{where} must be [s, a, s', p], got "
                                  f"{json.dumps(t, default=str)}")
        s.append(_index(t[0], f"{where}[0] (state)"))
        a.append(_index(t[1], f"{where}[1] (action)"))
        sn.append(_index(t[2], f"{where}[2] (next state)"))
        p.append(_number(t[3], exact, f"{where}[3] (probability)"))
    if initial is not None:
        initial = _numbers(initial, exact, "initial")
    gamma = _number(gamma, exact, "gamma")
    terminal = doc.get("terminal")
    if terminal is not None:
        if not isinstance(terminal, list):
            raise InvalidMDPError(f"'terminal' must be a list of state indices, got "
                                  f"{json.dumps(terminal, default=str)}")
        terminal = [_index(x, f"terminal[{i}]") for i, x in enumerate(terminal)]
    atol = doc.get("atol")
    atol = FLOAT_ATOL if atol is None else _number(atol, False, "atol")
    if not atol >= 0:
        raise InvalidMDPError(f"atol must be a number >= 0, got {atol!r}")
    p_arr = np.empty(len(p), dtype=object) if exact else np.array(p, dtype=np.float64)
    if exact:
        p_arr[:] = p
    entries = tuple(np.array(c, dtype=np.int64) for c in (s, a, sn)) + (p_arr,)
    try:
        mdp = MDP.from_entries(entries, doc["n_states"], doc["n_actions"], initial, gamma=gamma,
                               horizon=doc.get("horizon"), state_labels=doc.get("states"),
                               action_labels=doc.get("actions"), terminal=terminal, atol=atol)
    except InvalidMDPError as e:
        # Speak of the file's "transitions", and drop a hint about a keyword argument the
        # reader of a file cannot pass.
        msg = re.sub(r"^entries: entry (\d+) has", r"transitions[\1] has", str(e))
        msg = msg.replace("; pass sum_duplicates=True to add them up",
                          " in 'transitions'; list each transition once")
        if msg == str(e):
            raise
        raise InvalidMDPError(msg) from None
    rewards = {}
    raw = doc.get("rewards")
    if raw is not None:
        if not isinstance(raw, dict):
            raise InvalidMDPError(f"'rewards' must be an object {{name: {{\"shape\": ..., "
                                  f"\"values\": ...}}}}, got a JSON {_json_kind(raw)}")
        for name, table in raw.items():
            where = f"rewards[{name!r}]"
            if not isinstance(table, dict) or "values" not in table:
                raise InvalidRewardError(f"{where} must be an object with keys 'shape', "
                                         "'values' (and optionally 'exact')")
            extra = [k for k in table if k not in ("shape", "values", "exact")]
            if extra:
                raise InvalidRewardError(f"{where} has unknown key(s) {extra}; allowed: "
                                         "'shape', 'values', 'exact'")
            r_exact = _exact_flag(table, f"{where}: ", table["values"])
            values = _nested_numbers(table["values"], r_exact, f"{where}.values")
            R = parse_array(values, where=f"{where}.values", error=InvalidRewardError)
            shape = table.get("shape")
            if shape is not None and (not isinstance(shape, list) or tuple(shape) != R.shape):
                raise InvalidRewardError(f"{where}: 'shape' is {shape} but 'values' has shape "
                                         f"{list(R.shape)}")
            try:
                rewards[name] = as_reward(R, mdp)
            except InvalidRewardError as e:
                raise InvalidRewardError(f"{where}: {e}") from None
    metadata = doc.get("metadata")
    if metadata is None:
        metadata = {}
    elif not isinstance(metadata, dict):
        raise InvalidMDPError(f"'metadata' must be a JSON object, got a JSON "
                              f"{_json_kind(metadata)}")
    if not with_rewards:
        return mdp
    return MDPDocument(mdp, rewards, _plain(metadata))


def _symbolic_from_dict(doc, with_rewards):
    """A :class:`~identifiability.symbolic.SymbolicMDP` from a document with ``parameters``."""
    from .symbolic import SymbolicMDP

    params = doc["parameters"]
    if not isinstance(params, dict) or not all(
            isinstance(k, str) and (v is None or isinstance(v, (str, list)))
            for k, v in params.items()):
        raise InvalidMDPError("'parameters' must be an object {name: constraint string}, e.g. "
                              "{\"p\": \"0 < p < 1\"}")
    for key in ("rewards", "terminal", "atol"):
        if doc.get(key) is not None:
            raise InvalidMDPError(f"'{key}' is not supported in a document with 'parameters'")
    cons = doc.get("constraints") or []
    if not isinstance(cons, list) or not all(isinstance(c, str) for c in cons):
        raise InvalidMDPError("'constraints' must be a list of strings such as \"p + q < 1\"")
    transitions = doc["transitions"]
    if not isinstance(transitions, list):
        raise InvalidMDPError(f"'transitions' must be a list of [s, a, s', p] entries, got a "
                              f"JSON {_json_kind(transitions)}")
    entries = []
    for k, t in enumerate(transitions):
        where = f"transitions[{k}]"
        if not isinstance(t, list) or len(t) != 4:
            raise InvalidMDPError(f"{where} must be [s, a, s', p], got "
                                  f"{json.dumps(t, default=str)}")
        entries.append((_index(t[0], f"{where}[0] (state)"), _index(t[1], f"{where}[1] (action)"),
                        _index(t[2], f"{where}[2] (next state)"), _expr(t[3], f"{where}[3]")))
    initial = doc.get("initial")
    if initial is not None:
        if not isinstance(initial, list):
            raise InvalidMDPError("'initial' must be a list")
        initial = [_expr(x, f"initial[{i}]") for i, x in enumerate(initial)]
    smdp = SymbolicMDP.from_entries(entries, doc["n_states"], doc["n_actions"], initial,
                                    gamma=_expr(doc.get("gamma", 1), "gamma"),
                                    horizon=doc.get("horizon"), parameters=params,
                                    constraints=cons, state_labels=doc.get("states"),
                                    action_labels=doc.get("actions"))
    if not with_rewards:
        return smdp
    metadata = doc.get("metadata") or {}
    return MDPDocument(smdp, {}, _plain(metadata))


def _expr(value, where):
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise InvalidMDPError(f"{where} must be a number or an expression string, got "
                              f"{json.dumps(value, default=str)}")
    return str(value) if not isinstance(value, str) else value


def _json_kind(x):
    if isinstance(x, dict):
        return "object"
    if isinstance(x, list):
        return "array"
    if isinstance(x, str):
        return "string"
    if isinstance(x, bool):
        return "boolean"
    if x is None:
        return "null"
    return "number"


def loads(text, *, with_rewards=False):
    """Read an MDP from ``identifiability.mdp/1`` JSON text.

    Parameters
    ----------
    text : str or bytes
        The JSON document (see the module docstring for the keys).
    with_rewards : bool, default False
        Return an :class:`MDPDocument` ``(mdp, rewards, metadata)`` instead of the
        MDP alone.  The reward tables and metadata are validated either way.

    Returns
    -------
    MDP or MDPDocument

    Raises
    ------
    InvalidMDPError
        For invalid JSON (with line and column), a missing or unknown format
        version, missing or unknown keys, malformed entries (named by position) and
        everything the MDP validator rejects.
    InvalidRewardError
        For a reward table that does not fit the MDP.

    Examples
    --------
    JSON decimals in an exact document are read exactly:

    >>> from identifiability.io import loads
    >>> text = '''{"format": "identifiability.mdp/1", "n_states": 2, "n_actions": 1,
    ...   "exact": true, "gamma": 0.9,
    ...   "transitions": [[0, 0, 0, 0.1], [0, 0, 1, 0.9], [1, 0, 1, 1]]}'''
    >>> mdp = loads(text)
    >>> mdp.gamma, mdp.transitions[0, 0, 0]
    (Fraction(9, 10), Fraction(1, 10))
    >>> loads('{"format": "identifiability.mdp/1", "n_states": 2,}')
    Traceback (most recent call last):
    ...
    identifiability.errors.InvalidMDPError: invalid JSON at line 1, column 51: Expecting property name enclosed in double quotes
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InvalidMDPError(f"the document is not UTF-8 text: {e}") from None
    if not isinstance(text, str):
        raise InvalidMDPError(f"loads expects the JSON text (str or bytes), got "
                              f"{type(text).__name__}; use load(path) for files")
    try:
        doc = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as e:
        raise InvalidMDPError(f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") \
            from None
    return from_dict(doc, with_rewards=with_rewards)


def load(path, *, with_rewards=False):
    """Read an MDP from an ``identifiability.mdp/1`` JSON file.

    Parameters
    ----------
    path : str, os.PathLike or a text file object
    with_rewards : bool, default False
        Return an :class:`MDPDocument` ``(mdp, rewards, metadata)`` instead of the
        MDP alone.  The reward tables and metadata are validated either way.

    Returns
    -------
    MDP or MDPDocument

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    InvalidMDPError, InvalidRewardError
        As for :func:`loads`; the message starts with the path.

    Examples
    --------
    >>> import io
    >>> from identifiability.io import load
    >>> f = io.StringIO('{"format": "identifiability.mdp/1", "n_states": 1, '
    ...                 '"n_actions": 1, "gamma": "1/2", "transitions": [[0, 0, 0, "1"]]}')
    >>> load(f).gamma
    Fraction(1, 2)
    """
    if hasattr(path, "read"):
        text, name = path.read(), getattr(path, "name", None)
    else:
        name = os.fspath(path)
        with open(name, "rb") as f:
            text = f.read()
    try:
        return loads(text, with_rewards=with_rewards)
    except (InvalidMDPError, InvalidRewardError) as e:
        if name is None:
            raise
        raise type(e)(f"{name}: {e}") from None
