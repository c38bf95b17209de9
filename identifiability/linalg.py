"""The one linear-algebra core: exact rational and float backends.

Theory modules build linear systems; this module solves them.  Exact input
(object arrays of :class:`fractions.Fraction`, or integer arrays) is solved over
the rationals with sympy's sparse :class:`~sympy.polys.matrices.DomainMatrix`
(never ``sympy.Matrix.rank``, whose generic row reduction is orders of magnitude
slower); float input uses numpy with an explicit, reported tolerance.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .errors import IdentifiabilityError

__all__ = ["solve", "nullspace", "rank", "is_exact_matrix", "SingularSystemError",
           "FLOAT_RANK_RTOL"]

#: Relative tolerance of float rank decisions: singular values below
#: ``FLOAT_RANK_RTOL * max(shape) * sigma_max`` count as zero.
FLOAT_RANK_RTOL = 1e-10


class SingularSystemError(IdentifiabilityError, ArithmeticError):
    """A square linear system has no unique solution."""


def is_exact_matrix(A):
    """True when ``A`` is an integer or object (Fraction) ndarray.

    Parameters
    ----------
    A : object
        Anything; only ndarrays of integer or object dtype count as exact.

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> is_exact_matrix(np.array([[1, 2]])), is_exact_matrix(np.array([[1.0]]))
    (True, False)
    """
    return isinstance(A, np.ndarray) and A.dtype.kind in "iuO"


def _to_dm(A):
    from sympy import QQ
    from sympy.polys.matrices import DomainMatrix

    A2 = A.reshape(A.shape[0], -1) if A.ndim == 2 else A.reshape(-1, 1)
    rows = {}
    for i, row in enumerate(A2.tolist()):
        for j, v in enumerate(row):
            if v != 0:
                x = Fraction(v)
                rows.setdefault(i, {})[j] = QQ(int(x.numerator), int(x.denominator))
    return DomainMatrix(rows, A2.shape, QQ)


def _from_dm(M):
    out = np.empty(M.shape, dtype=object)
    out[...] = Fraction(0)
    for i, row in M.to_sdm().items():
        for j, x in row.items():
            out[i, j] = Fraction(int(x.numerator), int(x.denominator))
    return out


def solve(A, b):
    """Solve the square system ``A x = b``.

    Parameters
    ----------
    A : (n, n) ndarray
        Object array of Fractions / integer array (exact) or float array.
    b : (n,) or (n, k) ndarray

    Returns
    -------
    x : ndarray, shape of ``b``
        Fractions (object array) when both inputs are exact, float64 otherwise.

    Raises
    ------
    SingularSystemError
        If ``A`` is singular.
    ValueError
        If ``A`` is not square or ``b`` does not match it.

    Notes
    -----
    Exact: sparse rational LU via sympy ``DomainMatrix.lu_solve``.  Float:
    ``numpy.linalg.solve`` (``O(n^3)``).

    Examples
    --------
    >>> import numpy as np
    >>> from fractions import Fraction as F
    >>> solve(np.array([[F(2), F(0)], [F(1), F(1)]], dtype=object), np.array([F(1), F(1)], dtype=object))
    array([Fraction(1, 2), Fraction(1, 2)], dtype=object)
    """
    if A.ndim != 2 or A.shape[0] != A.shape[1] or b.ndim not in (1, 2) or \
            b.shape[0] != A.shape[0]:
        raise ValueError(f"solve needs a square (n, n) matrix A and b of shape (n,) or (n, k); "
                         f"got A of shape {A.shape} and b of shape {b.shape}")
    if is_exact_matrix(A) and is_exact_matrix(b):
        from sympy.polys.matrices.exceptions import DMNonInvertibleMatrixError

        try:
            x = _to_dm(A).lu_solve(_to_dm(b))
        except DMNonInvertibleMatrixError:
            raise SingularSystemError("the linear system is singular") from None
        out = _from_dm(x)
        return out.reshape(b.shape)
    Af = np.asarray(A, dtype=np.float64) if A.dtype != object else np.array(A.tolist(), dtype=float)
    bf = np.asarray(b, dtype=np.float64) if b.dtype != object else np.array(b.tolist(), dtype=float)
    try:
        return np.linalg.solve(Af, bf)
    except np.linalg.LinAlgError:
        raise SingularSystemError("the linear system is singular") from None


def nullspace(A, *, rtol=FLOAT_RANK_RTOL):
    """A basis of the null space ``{x : A x = 0}`` as columns.

    Parameters
    ----------
    A : (m, n) ndarray
        Exact (Fractions / integers) or float.
    rtol : float
        Float path only: relative singular-value threshold.

    Returns
    -------
    (n, k) ndarray
        Exact: rational basis from the reduced row echelon form (one free variable
        set to 1 per column).  Float: orthonormal basis from the SVD.

    Examples
    --------
    >>> import numpy as np
    >>> nullspace(np.array([[1, -1]])).tolist()
    [[Fraction(1, 1)], [Fraction(1, 1)]]
    """
    m, n = A.shape
    if is_exact_matrix(A):
        if m == 0:
            return _from_dm(_to_dm(np.eye(n, dtype=np.int64)))
        N = _to_dm(A).nullspace().transpose()
        return _from_dm(N) if N.shape[1] else np.empty((n, 0), dtype=object)
    if m == 0:
        return np.eye(n)
    _, sv, Vt = np.linalg.svd(np.asarray(A, dtype=float))
    tol = rtol * max(m, n) * (sv[0] if sv.size else 0.0)
    r = int(np.sum(sv > tol))
    return Vt[r:].T.copy()


def rank(A, *, rtol=FLOAT_RANK_RTOL):
    """Rank of ``A``: exact over the rationals, or by SVD with relative tolerance ``rtol``.

    Parameters
    ----------
    A : (m, n) ndarray
        Exact (Fractions / integers) or float.
    rtol : float
        Float path only: singular values below ``rtol * max(m, n) * sigma_max`` count
        as zero.

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> rank(np.array([[1, 2], [2, 4]])), rank(np.array([[1.0, 0.0], [0.0, 1e-3]]))
    (1, 2)
    """
    m, n = A.shape
    if m == 0 or n == 0:
        return 0
    if is_exact_matrix(A):
        return int(_to_dm(A).rank())
    sv = np.linalg.svd(np.asarray(A, dtype=float), compute_uv=False)
    return int(np.sum(sv > rtol * max(m, n) * sv[0]))
