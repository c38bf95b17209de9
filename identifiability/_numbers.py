"""Parsing user numbers into exact rationals or floats (private).

The exactness policy of the package starts here.  Integers, booleans,
:class:`fractions.Fraction`, other :class:`numbers.Rational` types, sympy
Rationals, :class:`decimal.Decimal` and numeric strings ("3/4", "0.25",
"1e-3") are *exact*; Python and numpy floats are *float*.  An array with at
least one float entry becomes a float array; otherwise it stays exact.

Parsed arrays come back in one of three representations:

* ``int64`` ndarray: exact integers (the fast path for numpy integer input);
* ``object`` ndarray of :class:`fractions.Fraction`: exact rationals;
* ``float64`` ndarray: float input, checked finite.
"""

from __future__ import annotations

import decimal
import math
import numbers
from fractions import Fraction

import numpy as np

__all__ = [
    "parse_array",
    "parse_scalar",
    "is_exact_array",
    "to_fractions",
    "to_float_array",
    "format_number",
    "parse_number_string",
    "zeros",
]


def _is_sympy(x):
    return type(x).__module__.startswith("sympy")


def parse_number_string(text, *, where, error):
    """Parse ``"3/4"``, ``"0.25"``, ``"-2"`` or ``"1e-3"`` into an exact Fraction."""
    try:
        return Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise error(f"{where}: the string {text!r} is not a number "
                    "(expected an integer, a decimal or a fraction like '3/4')") from None


def _scalar(x, where, error):
    """Convert one user scalar to int, Fraction (exact) or float; reject the rest."""
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x[()]
    if isinstance(x, (bool, np.bool_)):
        return int(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (float, np.floating)):
        xf = float(x)
        if not math.isfinite(xf):
            raise error(f"{where} is {xf!r}; NaN and infinite values are not allowed")
        return xf
    if isinstance(x, str):
        return parse_number_string(x, where=where, error=error)
    if isinstance(x, decimal.Decimal):
        if not x.is_finite():
            raise error(f"{where} is {x!r}; NaN and infinite values are not allowed")
        return Fraction(x)
    if _is_sympy(x):
        if getattr(x, "is_Rational", False):
            return Fraction(int(x.p), int(x.q))
        if getattr(x, "is_Float", False):
            return _scalar(float(x), where, error)
        raise error(f"{where} is the symbolic expression {x!r}; only numbers are "
                    "accepted here (rationals, integers, floats or 'p/q' strings)")
    if type(x).__module__.startswith("flint"):  # python-flint fmpz / fmpq
        if hasattr(x, "p") and hasattr(x, "q"):
            return Fraction(int(x.p), int(x.q))
        if type(x).__name__ == "fmpz":
            return int(x)
    if isinstance(x, numbers.Rational):
        return Fraction(int(x.numerator), int(x.denominator))
    if isinstance(x, numbers.Real):
        return _scalar(float(x), where, error)
    raise error(f"{where} has type {type(x).__name__} ({x!r}); expected a number "
                "(int, float, Fraction, sympy Rational or a string like '3/4')")


def parse_scalar(x, *, where, error):
    """Parse one number; returns ``int``, :class:`Fraction` or ``float``.

    A float result is finite.  Non-numbers raise ``error`` naming ``where``.
    """
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x[()]
    return _scalar(x, where, error)


def _is_sequence(x):
    # numpy arrays nested inside lists ([P_a0, P_a1]) are sequences too.
    return isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.ndim > 0)


def _nested_shape(data, where, error):
    """Shape of a nested list/tuple; raises ``error`` on ragged nesting."""
    shape = []
    level = data
    while _is_sequence(level):
        shape.append(len(level))
        if len(level) == 0:
            break
        level = level[0]

    def check(node, depth, index):
        if depth == len(shape):
            if _is_sequence(node):
                raise error(f"{where}: ragged nested list: {where}{index} is a list but "
                            f"depth {depth} should hold numbers (expected shape {tuple(shape)})")
            return
        if not _is_sequence(node):
            raise error(f"{where}: ragged nested list: {where}{index} is a number but "
                        f"a list of length {shape[depth]} was expected "
                        f"(expected shape {tuple(shape)})")
        if len(node) != shape[depth]:
            raise error(f"{where}: ragged nested list: {where}{index} has length "
                        f"{len(node)}, expected {shape[depth]} (expected shape {tuple(shape)})")
        for i, child in enumerate(node):
            check(child, depth + 1, f"{index}[{i}]")

    check(data, 0, "")
    return tuple(shape)


def _flat_items(data, ndim):
    if ndim == 0:
        yield data
        return
    for child in data:
        yield from _flat_items(child, ndim - 1)


def _index_str(shape, flat):
    if not shape:
        return ""
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat, shape)) + "]"


def _from_scalars(items, shape, where, error):
    values = []
    for k, x in enumerate(items):
        values.append(_scalar(x, f"{where}{_index_str(shape, k)}", error))
    if any(isinstance(v, float) for v in values):
        return np.array([float(v) for v in values], dtype=np.float64).reshape(shape)
    if all(isinstance(v, int) and -(2 ** 62) < v < 2 ** 62 for v in values):
        return np.array(values, dtype=np.int64).reshape(shape)
    out = np.empty(len(values), dtype=object)
    out[:] = [Fraction(v) for v in values]
    return out.reshape(shape)


def parse_array(data, *, where, error, ndim=None):
    """Parse array-like user input into an exact or float ndarray.

    Parameters
    ----------
    data : array_like
        Nested lists/tuples of numbers, or a numpy array (any numeric or object dtype).
    where : str
        Name used in error messages (``"transitions"``, ``"reward"`` ...).
    error : type
        Exception class to raise.
    ndim : int or tuple of int, optional
        Accepted numbers of dimensions.

    Returns
    -------
    numpy.ndarray
        ``int64`` or ``object`` (Fractions) for exact input, ``float64`` otherwise.
    """
    if isinstance(data, np.ndarray):
        kind = data.dtype.kind
        if kind == "b" or kind in "iu":
            if kind == "u" and data.size and data.max() >= 2 ** 62:
                arr = _from_scalars(data.ravel().tolist(), data.shape, where, error)
            else:
                arr = data.astype(np.int64)
        elif kind == "f":
            arr = data.astype(np.float64)
            bad = ~np.isfinite(arr)
            if bad.any():
                k = int(np.flatnonzero(bad.ravel())[0])
                raise error(f"{where}{_index_str(arr.shape, k)} is {float(arr.ravel()[k])!r}; "
                            "NaN and infinite values are not allowed")
        elif kind in "OUS":
            items = data.ravel().tolist()
            if kind == "S":
                items = [b.decode() for b in items]
            arr = _from_scalars(items, data.shape, where, error)
        else:
            raise error(f"{where} has unsupported dtype {data.dtype}; expected real numbers")
    elif isinstance(data, (list, tuple)):
        shape = _nested_shape(data, where, error)
        arr = _from_scalars(list(_flat_items(data, len(shape))), shape, where, error)
    else:
        if hasattr(data, "__array__") and not _is_sympy(data):
            return parse_array(np.asarray(data), where=where, error=error, ndim=ndim)
        if _is_sympy(data) and hasattr(data, "tolist"):  # sympy Matrix / Array
            return parse_array(data.tolist(), where=where, error=error, ndim=ndim)
        arr = _from_scalars([data], (), where, error)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise error(f"{where} must have {want} dimension(s), got {arr.ndim} "
                        f"(shape {arr.shape})")
    return arr


def is_exact_array(arr):
    """True when ``arr`` (as returned by :func:`parse_array`) holds exact numbers."""
    return arr.dtype.kind in "iuO"


def to_fractions(arr):
    """Object array of :class:`Fraction` with the shape of an exact ``arr``."""
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    flat[:] = [Fraction(v) for v in arr.reshape(-1).tolist()]
    return out


def to_float_array(arr):
    """float64 copy of a parsed array (exact entries are rounded to nearest)."""
    if arr.dtype == object:
        return np.array([float(v) for v in arr.reshape(-1).tolist()],
                        dtype=np.float64).reshape(arr.shape)
    return arr.astype(np.float64)


def format_number(x):
    """Lossless text form: ``"p/q"`` (or ``"p"``) for exact numbers, ``repr`` for floats.

    >>> format_number(Fraction(3, 4)), format_number(2), format_number(0.1)
    ('3/4', '2', '0.1')
    """
    if isinstance(x, (float, np.floating)):
        return repr(float(x))
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    return f"{x.numerator}/{x.denominator}"


def zeros(shape, exact):
    """Zeros of ``shape``: an object array of ``Fraction(0)`` if ``exact``, else float64."""
    if exact:
        out = np.empty(shape, dtype=object)
        out[...] = Fraction(0)
        return out
    return np.zeros(shape)
