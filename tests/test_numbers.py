"""Number parsing: the start of the exactness policy (private module, tested directly)."""

import decimal
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from identifiability._numbers import (
    format_number,
    is_exact_array,
    parse_array,
    parse_number_string,
    parse_scalar,
    to_float_array,
    to_fractions,
)

F = Fraction


class Oops(ValueError):
    """A stand-in for the typed error each caller passes in."""


def scalar(x):
    return parse_scalar(x, where="x", error=Oops)


def array(x, **kw):
    return parse_array(x, where="arr", error=Oops, **kw)


# ---------------------------------------------------------------------- parse_scalar
@pytest.mark.parametrize("x, expected, kind", [
    (3, 3, int), (np.int64(-2), -2, int), (np.uint8(7), 7, int), (True, 1, int),
    (np.bool_(False), 0, int), (2 ** 80, 2 ** 80, int),
    (F(3, 4), F(3, 4), F), ("3/4", F(3, 4), F), (" -2 ", F(-2), F), ("0.25", F(1, 4), F),
    ("1e-3", F(1, 1000), F), ("-7/21", F(-1, 3), F),
    (decimal.Decimal("0.1"), F(1, 10), F), (sympy.Rational(2, 6), F(1, 3), F),
    (sympy.Integer(5), F(5), F), (sympy.S.Half, F(1, 2), F),
    (0.1, 0.1, float), (np.float32(0.5), 0.5, float), (np.float64(-1e300), -1e300, float),
    (sympy.Float(0.25), 0.25, float), (np.array(F(1, 7), dtype=object), F(1, 7), F),
    (np.array(2.5), 2.5, float), (np.array(4), 4, int),
])
def test_parse_scalar_values_and_kinds(x, expected, kind):
    got = scalar(x)
    assert got == expected and type(got) is kind


@pytest.mark.parametrize("x, match", [
    ("abc", r"x: the string 'abc' is not a number \(expected an integer, a decimal or a "
            r"fraction like '3/4'\)"),
    ("1/0", r"the string '1/0' is not a number"),
    ("", r"the string '' is not a number"),
    ("nan", r"the string 'nan' is not a number"),
    (float("nan"), r"x is nan; NaN and infinite values are not allowed"),
    (-math.inf, r"x is -inf"),
    (np.float16("inf"), r"x is inf"),
    (decimal.Decimal("Infinity"), r"x is Decimal\('Infinity'\)"),
    (sympy.nan, r"x is the symbolic expression nan"),
    (None, r"x has type NoneType \(None\); expected a number"),
    (1 + 2j, r"x has type complex"),
    ([1], r"x has type list"),
    (sympy.Symbol("t"), r"x is the symbolic expression t; only numbers are accepted"),
    (sympy.pi, r"x is the symbolic expression pi"),
    (sympy.oo, r"x is the symbolic expression oo"),
])
def test_parse_scalar_rejects_non_numbers(x, match):
    with pytest.raises(Oops, match=match):
        scalar(x)


@given(st.fractions())
def test_parse_scalar_is_exact_on_fractions_and_their_strings(q):
    assert scalar(q) == q
    assert scalar(format_number(q)) == q and type(scalar(format_number(q))) is F
    assert scalar(sympy.Rational(q.numerator, q.denominator)) == q


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parse_scalar_keeps_floats_bit_for_bit(x):
    got = scalar(x)
    assert type(got) is float and got == x and math.copysign(1, got) == math.copysign(1, x)


# ---------------------------------------------------------------------- parse_array
def test_parse_array_representations():
    ints = array([[1, 2], [3, 4]])
    assert ints.dtype == np.int64 and ints.shape == (2, 2)
    fr = array([[1, "1/2"], [F(1, 3), sympy.Rational(1, 4)]])
    assert fr.dtype == object and fr.tolist() == [[1, F(1, 2)], [F(1, 3), F(1, 4)]]
    assert all(type(x) is F for x in fr.reshape(-1).tolist())
    fl = array([[1, "1/2"], [0.5, 2]])
    assert fl.dtype == np.float64 and fl.tolist() == [[1.0, 0.5], [0.5, 2.0]]
    big = array([2 ** 70, 1])
    assert big.dtype == object and big[0] == 2 ** 70
    assert array(np.array([True, False])).dtype == np.int64
    huge = array(np.array([2 ** 63 + 1], dtype=np.uint64))
    assert huge.dtype == object and huge[0] == 2 ** 63 + 1
    assert array(np.array([1.5], dtype=np.float32)).dtype == np.float64
    assert array(np.array(["1/3", "2"])).tolist() == [F(1, 3), F(2)]
    assert array(np.array([b"1/3", b"2"])).tolist() == [F(1, 3), F(2)]
    assert array(sympy.Matrix([[1, sympy.Rational(1, 2)]])).tolist() == [[1, F(1, 2)]]
    assert array((1, 2, 3)).tolist() == [1, 2, 3]
    assert array(7).shape == () and array(7)[()] == 7
    assert array([]).shape == (0,)
    assert array([np.array([1, 2]), np.array([3, 4])]).tolist() == [[1, 2], [3, 4]]


def test_parse_array_does_not_alias_input():
    a = np.array([1.0, 2.0])
    out = array(a)
    out[0] = 9.0
    assert a[0] == 1.0


@pytest.mark.parametrize("data, kw, match", [
    ([[1, 2], [3]], {}, r"arr: ragged nested list: arr\[1\] has length 1, expected 2 "
                        r"\(expected shape \(2, 2\)\)"),
    ([[1, 2], 3], {}, r"arr\[1\] is a number but a list of length 2 was expected"),
    ([1, [2]], {}, r"arr\[1\] is a list but depth 1 should hold numbers"),
    ([[1, "x"]], {}, r"arr\[0, 1\]: the string 'x' is not a number"),
    ([[1, 2], [None, 3]], {}, r"arr\[1, 0\] has type NoneType"),
    (np.array([[1.0, 2.0], [np.inf, 0.0]]), {}, r"arr\[1, 0\] is inf; NaN and infinite"),
    (np.array([1, np.nan]), {}, r"^arr\[1\] is nan;"),
    (np.array([1 + 0j]), {}, r"arr has unsupported dtype complex128; expected real numbers"),
    (np.array([[1, 2]]), {"ndim": 1}, r"arr must have 1 dimension\(s\), got 2 \(shape \(1, 2\)\)"),
    ([1, 2], {"ndim": (2, 3)}, r"arr must have 2 or 3 dimension\(s\), got 1"),
    (object(), {}, r"arr has type object"),
    ((x for x in [1]), {}, r"arr has type generator"),
])
def test_parse_array_errors(data, kw, match):
    with pytest.raises(Oops, match=match):
        array(data, **kw)


@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3), st.data())
def test_parse_array_exact_round_trip(shape, data):
    n = int(np.prod(shape))
    vals = data.draw(st.lists(st.fractions(max_denominator=50), min_size=n, max_size=n))
    as_strings = np.array([format_number(v) for v in vals]).reshape(shape)
    as_objects = np.empty(n, dtype=object)
    as_objects[:] = vals
    for source in (as_strings, as_objects.reshape(shape), as_objects.reshape(shape).tolist()):
        got = array(source)
        assert is_exact_array(got) and got.shape == shape
        assert [F(x) for x in got.reshape(-1).tolist()] == vals


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=3),
                  elements=st.floats(allow_nan=False, allow_infinity=False)))
def test_parse_array_float_round_trip(a):
    got = array(a)
    assert got.dtype == np.float64 and np.array_equal(got, a)
    # one float entry among exact ones makes the whole array float
    if a.size:
        mixed = np.array([F(1, 3)] * a.size, dtype=object)
        mixed[0] = float(a.reshape(-1)[0])
        assert array(mixed).dtype == np.float64


# ---------------------------------------------------------------------- helpers
def test_is_exact_array_and_conversions():
    assert is_exact_array(np.array([1])) and is_exact_array(np.array([F(1)], dtype=object))
    assert not is_exact_array(np.array([1.0]))
    fr = to_fractions(np.array([[1, 2]]))
    assert fr.dtype == object and fr.tolist() == [[F(1), F(2)]] and type(fr[0, 0]) is F
    fl = to_float_array(np.array([F(1, 3), F(2)], dtype=object))
    assert fl.dtype == np.float64 and fl.tolist() == [1 / 3, 2.0]
    assert to_float_array(np.array([1, 2])).dtype == np.float64


def test_parse_number_string():
    assert parse_number_string("  10/4 ", where="w", error=Oops) == F(5, 2)
    with pytest.raises(Oops, match=r"w: the string '1/2/3' is not a number"):
        parse_number_string("1/2/3", where="w", error=Oops)


# ---------------------------------------------------------------------- format_number
@pytest.mark.parametrize("x, text", [
    (F(3, 4), "3/4"), (F(-6, 3), "-2"), (2, "2"), (np.int64(5), "5"), (0.1, "0.1"),
    (np.float32(0.5), "0.5"), (1e300, "1e+300"), (True, "1"), (decimal.Decimal("0.5"), "1/2"),
    (sympy.Rational(5, 10), "1/2"), ("6/8", "3/4"),
])
def test_format_number(x, text):
    assert format_number(x) == text


@given(st.one_of(st.fractions(), st.integers().map(F)))
def test_format_number_round_trips_fractions_exactly(q):
    text = format_number(q)
    assert F(text) == q
    assert parse_number_string(text, where="q", error=Oops) == q
    assert ("/" in text) == (q.denominator != 1)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_number_round_trips_floats_through_repr(x):
    text = format_number(x)
    assert text == repr(x) and float(text) == x
    assert format_number(np.float64(x)) == text
