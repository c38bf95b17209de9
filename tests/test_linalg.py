"""The linear-algebra core: exact rational results are exactly right; float agrees with
exact on well-conditioned input; nothing depends on sympy's ground types."""

import functools
import json
import os
import subprocess
import sys
import textwrap
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from identifiability import linalg
from identifiability.linalg import SingularSystemError, nullspace, rank, solve

F = Fraction
small_fractions = st.fractions(-3, 3, max_denominator=4)


def obj(rows):
    """Object array of Fractions from nested lists."""
    a = np.array(rows, dtype=object)
    flat = a.reshape(-1)
    flat[:] = [F(x) for x in flat.tolist()]
    return a


def matmul(A, B):
    """Exact product of object arrays (Python arithmetic, no float anywhere)."""
    return np.array([[sum((A[i, k] * B[k, j] for k in range(A.shape[1])), F(0))
                      for j in range(B.shape[1])] for i in range(A.shape[0])],
                    dtype=object).reshape(A.shape[0], B.shape[1])


def oracle_rank(A):
    """Brute-force oracle: Gaussian elimination over Fractions."""
    M = [[F(x) for x in row] for row in np.asarray(A).tolist()]
    r = 0
    cols = len(M[0]) if M else 0
    for c in range(cols):
        piv = next((i for i in range(r, len(M)) if M[i][c] != 0), None)
        if piv is None:
            continue
        M[r], M[piv] = M[piv], M[r]
        for i in range(len(M)):
            if i != r and M[i][c] != 0:
                f = M[i][c] / M[r][c]
                M[i] = [x - f * y for x, y in zip(M[i], M[r])]
        r += 1
    return r


def matrices(m, n, elements=small_fractions):
    return st.lists(st.lists(elements, min_size=n, max_size=n), min_size=m, max_size=m).map(obj)


@st.composite
def nonsingular(draw, max_n=5):
    """P L D U with unit-triangular L, U and non-zero diagonal D: every nonsingular
    matrix has this form, and no draw is ever singular (no filtering)."""
    n = draw(st.integers(1, max_n))
    L = obj(np.eye(n, dtype=int))
    U = obj(np.eye(n, dtype=int))
    for i in range(n):
        for j in range(i):
            L[i, j] = draw(small_fractions)
            U[j, i] = draw(small_fractions)
    D = obj(np.eye(n, dtype=int))
    for i in range(n):
        D[i, i] = draw(small_fractions.filter(bool))
    perm = draw(st.permutations(range(n)))
    return matmul(matmul(L, D), U)[list(perm)]


@st.composite
def low_rank(draw, max_m=5, max_n=5):
    """A (m, n) rational matrix B C of rank at most r (often rank-deficient)."""
    m = draw(st.integers(1, max_m))
    n = draw(st.integers(1, max_n))
    r = draw(st.integers(0, min(m, n)))
    if r == 0:
        return obj(np.zeros((m, n), dtype=int))
    return matmul(draw(matrices(m, r)), draw(matrices(r, n)))


# ---------------------------------------------------------------------- solve
@given(nonsingular(), st.data())
def test_exact_solve_satisfies_the_system_exactly(A, data):
    n = A.shape[0]
    b = data.draw(matrices(n, 1)).reshape(n)
    x = solve(A, b)
    assert x.shape == (n,) and x.dtype == object
    assert all(type(v) is F for v in x.tolist())
    assert matmul(A, x.reshape(n, 1)).reshape(n).tolist() == b.tolist()
    k = data.draw(st.integers(1, 3))
    B = data.draw(matrices(n, k))
    X = solve(A, B)
    assert X.shape == (n, k) and np.array_equal(matmul(A, X), B)


@given(nonsingular())
def test_integer_input_is_exact(A):
    # scale to an integer matrix: still exact, still Fractions out
    den = int(np.lcm.reduce([F(x).denominator for x in A.reshape(-1).tolist()]))
    Ai = np.array([[int(x * den) for x in row] for row in A.tolist()], dtype=np.int64)
    b = np.arange(A.shape[0], dtype=np.int64)
    x = solve(Ai, b)
    assert x.dtype == object
    assert matmul(obj(Ai), x.reshape(-1, 1)).reshape(-1).tolist() == b.tolist()


@given(nonsingular())
def test_float_solve_agrees_with_exact(A):
    b = obj(np.arange(1, A.shape[0] + 1))
    x = solve(A, b)
    xf = solve(A.astype(float), b.astype(float))
    assert xf.dtype == np.float64
    np.testing.assert_allclose(xf, x.astype(float), rtol=1e-6, atol=1e-6)


@given(st.data(), st.integers(1, 5))
def test_singular_systems_raise(data, n):
    A = data.draw(matrices(n, n))
    # make the last row a combination of the others (or zero), so A is singular
    coeffs = data.draw(st.lists(small_fractions, min_size=n - 1, max_size=n - 1))
    A[n - 1] = sum((c * A[i] for i, c in enumerate(coeffs)), obj(np.zeros(n, dtype=int)))
    b = obj(np.ones(n, dtype=int))
    with pytest.raises(SingularSystemError, match="singular"):
        solve(A, b)
    with pytest.raises(ArithmeticError):
        solve(A, b)


def test_singular_float_and_consistent_exact():
    with pytest.raises(SingularSystemError, match="the linear system is singular"):
        solve(np.array([[1.0, 2.0], [2.0, 4.0]]), np.array([1.0, 2.0]))
    # consistent but singular: no unique solution, still an error
    with pytest.raises(SingularSystemError):
        solve(obj([[1, 2], [2, 4]]), obj([1, 2]))


@pytest.mark.parametrize("A, b", [
    (obj([[1, 2]]), obj([1])),
    (np.array([[1.0, 2.0]]), np.array([1.0])),
    (obj([[1, 0], [0, 1]]), obj([1, 2, 3])),
    (obj([1, 2]), obj([1, 2])),
])
def test_solve_shape_errors(A, b):
    with pytest.raises(ValueError, match=r"solve needs a square \(n, n\) matrix A"):
        solve(A, b)


# ---------------------------------------------------------------------- nullspace, rank
@given(low_rank())
def test_exact_nullspace_is_exact_and_complete(A):
    m, n = A.shape
    N = nullspace(A)
    r = rank(A)
    assert r == oracle_rank(A)
    assert N.shape == (n, n - r) and N.dtype == object
    assert all(type(v) is F for v in N.reshape(-1).tolist())
    if N.shape[1]:
        assert np.all(matmul(A, N) == 0)
        assert oracle_rank(N) == N.shape[1]           # a basis: independent columns


@given(low_rank())
def test_float_nullspace_is_orthonormal_and_annihilated(A):
    Af = A.astype(float)
    N = nullspace(Af)
    assert N.shape == (A.shape[1], A.shape[1] - rank(Af))
    np.testing.assert_allclose(Af @ N, 0, atol=1e-9)
    np.testing.assert_allclose(N.T @ N, np.eye(N.shape[1]), atol=1e-9)


@given(st.integers(1, 5), st.integers(1, 5), st.data())
def test_exact_rank_equals_float_rank_on_small_integer_matrices(m, n, data):
    # Entries in -3..3 and size <= 5: every non-zero singular value is >= 1 / 15**4,
    # far above the float tolerance, so the two paths must agree.
    A = np.array(data.draw(st.lists(st.lists(st.integers(-3, 3), min_size=n, max_size=n),
                                    min_size=m, max_size=m)), dtype=np.int64)
    assert rank(A) == rank(A.astype(float)) == oracle_rank(A)
    assert 0 <= rank(A) <= min(m, n)


def test_edge_cases():
    assert rank(np.zeros((0, 3), dtype=np.int64)) == 0
    assert rank(np.zeros((2, 2))) == 0
    assert nullspace(np.zeros((0, 2), dtype=np.int64)).tolist() == [[1, 0], [0, 1]]
    assert nullspace(np.zeros((0, 2))).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert nullspace(obj([[1, 0], [0, 1]])).shape == (2, 0)
    assert nullspace(np.array([[1, -1]])).tolist() == [[F(1)], [F(1)]]
    assert rank(np.array([[1.0, 0.0], [0.0, 1e-3]])) == 2
    assert rank(np.array([[1.0, 0.0], [0.0, 1e-13]])) == 1
    assert linalg.is_exact_matrix(np.array([[1]])) and not linalg.is_exact_matrix([[1]])
    assert issubclass(SingularSystemError, ArithmeticError)


# ---------------------------------------------------------------------- ground types
_PROBE = textwrap.dedent("""
    import json, sys
    import numpy as np
    from fractions import Fraction as F
    from identifiability.linalg import nullspace, rank, solve
    from sympy.external.gmpy import GROUND_TYPES
    A = np.array([[F(1, 2), 2, F(-1, 3)], [4, F(5, 7), 6], [7, 8, F(9, 11)]], dtype=object)
    B = np.array([[1, 2, 3, 4], [2, 4, 6, 8], [F(1, 3), 0, 1, -1]], dtype=object)
    b = np.array([1, F(-2, 5), 3], dtype=object)
    out = {"ground": GROUND_TYPES,
           "solve": [str(x) for x in solve(A, b).tolist()],
           "types": sorted({type(x).__name__ for x in solve(A, b).tolist()}
                           | {type(x).__name__ for x in nullspace(B).reshape(-1).tolist()}),
           "null": [[str(x) for x in row] for row in nullspace(B).tolist()],
           "rank": [rank(A), rank(B)]}
    json.dump(out, sys.stdout)
""")


def _ground_types_available():
    kinds = ["python"]
    for mod, name in (("flint", "flint"), ("gmpy2", "gmpy")):
        try:
            __import__(mod)
            kinds.append(name)
        except ImportError:
            pass
    return kinds


@functools.lru_cache(maxsize=None)
def _probe(ground):
    env = dict(os.environ, SYMPY_GROUND_TYPES=ground)
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("ground", _ground_types_available())
def test_exact_results_do_not_depend_on_sympy_ground_types(ground):
    got = _probe(ground)
    assert got["ground"] == ground
    here = _probe("python")
    assert got["types"] == ["Fraction"]
    for key in ("solve", "null", "rank"):
        assert got[key] == here[key]
    # and the answer is right, whatever the ground types
    A = obj([[F(1, 2), 2, F(-1, 3)], [4, F(5, 7), 6], [7, 8, F(9, 11)]])
    x = obj([F(s) for s in got["solve"]])
    assert matmul(A, x.reshape(3, 1)).reshape(3).tolist() == [1, F(-2, 5), 3]
    assert got["rank"] == [3, 2]
