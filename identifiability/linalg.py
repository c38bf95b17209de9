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
           "FLOAT_RANK_RTOL", "float_rank", "FloatRank", "rank_certificate", "RankCertificate",
           "Subspace", "GramSolver", "gram_solve"]

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

    A2 = A if A.ndim == 2 else A.reshape(-1, 1)
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



# ---------------------------------------------------------------------------------------
# Float rank decisions that say when they are close to their tolerance
# ---------------------------------------------------------------------------------------
#: A float rank decision is flagged *uncertain* when a kept singular value is below
#: ``UNCERTAIN_FACTOR * tol`` or a dropped one above ``tol / UNCERTAIN_FACTOR``.
UNCERTAIN_FACTOR = 1e3


class FloatRank(tuple):
    """``(rank, tol, smallest_kept, largest_dropped, uncertain)`` of a float rank decision.

    Returned by :func:`float_rank`; a tuple with named fields.

    Examples
    --------
    >>> d = float_rank([[2.0, 0.0], [0.0, 0.0]])
    >>> d.rank, d.largest_dropped, d.uncertain
    (1, 0.0, False)
    """

    __slots__ = ()
    _fields = ("rank", "tol", "smallest_kept", "largest_dropped", "uncertain")

    def __new__(cls, rank, tol, smallest_kept, largest_dropped, uncertain):
        return super().__new__(cls, (rank, tol, smallest_kept, largest_dropped, uncertain))

    rank = property(lambda self: self[0])
    tol = property(lambda self: self[1])
    smallest_kept = property(lambda self: self[2])
    largest_dropped = property(lambda self: self[3])
    uncertain = property(lambda self: self[4])

    def __repr__(self):
        return (f"FloatRank(rank={self.rank}, tol={self.tol:.3g}, smallest_kept="
                f"{self.smallest_kept:.3g}, largest_dropped={self.largest_dropped:.3g}, "
                f"uncertain={self.uncertain})")


def _float_decision(sv, shape, rtol, scale=None):
    m, n = shape
    top = float(sv[0]) if sv.size else 0.0
    if scale is not None:  # judge against the magnitude the matrix was computed from
        top = float(scale)
    tol = rtol * max(m, n, 1) * top
    r = int(np.sum(sv > tol)) if top > 0 else 0
    kept = float(sv[r - 1]) if r > 0 else np.inf
    dropped = float(sv[r]) if r < sv.size else 0.0
    uncertain = bool(top > 0 and (kept < UNCERTAIN_FACTOR * tol or dropped > tol / UNCERTAIN_FACTOR))
    return FloatRank(r, tol, kept, dropped, uncertain)


def float_rank(A, *, rtol=FLOAT_RANK_RTOL):
    """Numerical rank of a float matrix with the margin of the decision.

    Parameters
    ----------
    A : (m, n) array_like
    rtol : float
        Singular values ``<= rtol * max(m, n) * sigma_max`` count as zero.

    Returns
    -------
    FloatRank
        ``rank``, the absolute ``tol`` used, the smallest kept and largest dropped
        singular values, and ``uncertain``: True when either is within a factor
        ``UNCERTAIN_FACTOR`` (1e3) of ``tol``.  Callers must not report an
        uncertain decision as a verdict: escalate to the exact path or say so.

    Examples
    --------
    >>> float_rank([[1.0, 0.0], [0.0, 1e-12]]).uncertain
    True
    >>> float_rank([[1.0, 1.0], [1.0, 1.0]])[:1]
    (1,)
    """
    A = np.asarray(A, dtype=float)
    if A.size == 0:
        return FloatRank(0, 0.0, np.inf, 0.0, False)
    return _float_decision(np.linalg.svd(A, compute_uv=False), A.shape, rtol)


class GramSolver:
    """Factor a Gram matrix ``N = G^T W G`` (``W > 0`` diagonal) once; solve many times.

    Solves the consistent normal equations ``N c = b`` of weighted least squares
    ``min ||y - G c||_W`` (``b = G^T W y`` always lies in ``im N``, so a solution exists
    even when ``G`` has dependent columns); :meth:`solve` returns one particular solution.

    Parameters
    ----------
    N : (p, p) ndarray
        Symmetric positive semidefinite; exact (Fractions / integers) or float.
    shape : tuple of int, optional
        Float path: the shape ``(m, p)`` of ``G``, so that the rank decision on ``G``'s
        singular values (square roots of ``N``'s eigenvalues) uses the tolerance
        :func:`float_rank` would use on ``G`` itself.  Default ``N.shape``.
    rtol : float
        Float path only.

    Attributes
    ----------
    rank : int or FloatRank
        ``rank G``: an int when exact; the :class:`FloatRank` of the decision otherwise
        (read its ``uncertain`` flag).

    Notes
    -----
    Exact: pivots from one rational rref of ``N`` (its column dependencies are those of
    ``G``), then a nonsingular solve on the pivots per right-hand side, ``O(p^3)``.
    Float: one symmetric eigendecomposition, ``O(p^3)``, then ``O(p^2)`` per solve (the
    pseudo-inverse on the kept eigenvalues).  Eigenvalues of ``N`` resolve ``G``'s
    singular values down to about ``sqrt(eps) sigma_max``, so remove exactly-zero
    columns of ``G`` before factoring.

    Examples
    --------
    >>> import numpy as np
    >>> G = np.array([[1, 1], [1, 1]])
    >>> f = GramSolver(G.T @ G)
    >>> f.solve(G.T @ np.array([1, 3])).tolist(), f.rank
    ([Fraction(2, 1), Fraction(0, 1)], 1)
    >>> f = GramSolver(np.array([[2.0, 0.0], [0.0, 8.0]]))
    >>> f.solve(np.array([2.0, 8.0])).tolist(), f.rank.rank
    ([1.0, 1.0], 2)
    """

    def __init__(self, N, *, shape=None, rtol=FLOAT_RANK_RTOL):
        p = N.shape[0]
        self.p = p
        self.exact = is_exact_matrix(N)
        if self.exact:
            self._N = N
            piv = list(_to_dm(N).rref()[1]) if p else []
            self._piv = piv
            self._sub = np.array([[N[i, j] for j in piv] for i in piv], dtype=object)
            self.rank = len(piv)
            return
        m = shape[0] if shape is not None else p
        if p == 0:
            self.rank = FloatRank(0, 0.0, np.inf, 0.0, False)
            self._V = np.zeros((0, 0))
            self._w = np.zeros(0)
            return
        w, V = np.linalg.eigh(_as_float(N))
        sv = np.sqrt(np.clip(w[::-1], 0.0, None))
        self.rank = _float_decision(sv, (m, p), rtol)
        k = self.rank.rank
        self._V, self._w = V[:, p - k:], w[p - k:]

    def solve(self, b):
        """A solution ``c`` of ``N c = b`` (``b`` in ``im N``).

        Parameters
        ----------
        b : (p,) ndarray

        Returns
        -------
        (p,) ndarray
            Fractions (zero off the pivots) when exact, float64 otherwise.

        Examples
        --------
        >>> import numpy as np
        >>> GramSolver(np.array([[4]])).solve(np.array([2])).tolist()
        [Fraction(1, 2)]
        """
        if self.exact and is_exact_matrix(b):
            out = np.empty(self.p, dtype=object)
            out[:] = Fraction(0)
            if self._piv:
                out[self._piv] = solve(self._sub, np.array([b[i] for i in self._piv], dtype=object))
            return out
        if self.exact:  # float right-hand side on an exact factor: solve in float
            return GramSolver(_as_float(self._N)).solve(b)
        bf = _as_float(b)
        return self._V @ ((self._V.T @ bf) / self._w)


def gram_solve(N, b, *, shape=None, rtol=FLOAT_RANK_RTOL):
    """Solve a consistent Gram system ``N c = b`` once (see :class:`GramSolver`).

    Parameters
    ----------
    N : (p, p) ndarray
        Symmetric positive semidefinite ``G^T W G``.
    b : (p,) ndarray
        In the column space of ``N``.
    shape : tuple of int, optional
        The shape of ``G`` (float rank tolerance).
    rtol : float
        Float path only.

    Returns
    -------
    c : (p,) ndarray
    rank : int or FloatRank

    Examples
    --------
    >>> import numpy as np
    >>> G = np.array([[1, 1], [1, 1]])
    >>> c, r = gram_solve(G.T @ G, G.T @ np.array([1, 3]))
    >>> c.tolist(), r
    ([Fraction(2, 1), Fraction(0, 1)], 1)
    """
    f = GramSolver(N, shape=shape, rtol=rtol)
    return f.solve(b), f.rank


# ---------------------------------------------------------------------------------------
# Exact rank certificates
# ---------------------------------------------------------------------------------------
class RankCertificate:
    """Evidence that an exact matrix ``A`` has rank ``rank``, checkable on its own.

    * lower bound: the square minor ``A[rows][:, cols]`` is nonsingular;
    * upper bound: ``kernel`` holds ``n - rank`` vectors with ``A @ kernel == 0`` that
      are independent (each has a 1 in a distinct free column where the others have 0).

    :meth:`verify` re-checks both with exact arithmetic.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[1, 1], [2, 2]])
    >>> cert = rank_certificate(A)
    >>> cert.rank, cert.rows, cert.cols, cert.kernel.T.tolist()
    (1, (0,), (0,), [[Fraction(-1, 1), Fraction(1, 1)]])
    >>> cert.verify(A)
    True
    """

    __slots__ = ("rank", "rows", "cols", "kernel", "shape")

    def __init__(self, rank, rows, cols, kernel, shape):
        self.rank, self.rows, self.cols, self.kernel, self.shape = rank, rows, cols, kernel, shape

    def statement(self):
        """The claim in words (for reports).

        Returns
        -------
        str
        """
        m, n = self.shape
        return (f"rank {self.rank} of a {m}x{n} rational matrix: the minor on rows "
                f"{list(self.rows)} and columns {list(self.cols)} is nonsingular, and "
                f"{n - self.rank} independent kernel vectors are given")

    def verify(self, A):
        """Re-check the certificate on ``A`` exactly; returns True or raises AssertionError.

        Parameters
        ----------
        A : (m, n) exact ndarray

        Returns
        -------
        bool
        """
        A = np.asarray(A)
        assert A.shape == tuple(self.shape), "matrix shape differs from the certificate"
        if self.rank:
            minor = A[np.ix_(list(self.rows), list(self.cols))]
            assert _to_dm(minor).det() != 0, "the certified minor is singular"
        K = self.kernel
        n = A.shape[1]
        assert K.shape == (n, n - self.rank), "wrong number of kernel vectors"
        if K.shape[1]:
            assert all(x == 0 for x in (_from_dm(_to_dm(A) * _to_dm(K))).reshape(-1).tolist()), \
                "a kernel vector is not in the kernel"
            free = [j for j in range(n) if j not in set(self.cols)]
            sub = K[free, :]
            assert all((sub[i, j] == (1 if i == j else 0)) for i in range(len(free))
                       for j in range(K.shape[1])), "kernel vectors are not independent"
        return True

    def __repr__(self):
        return f"RankCertificate(rank={self.rank}, shape={self.shape})"


def rank_certificate(A):
    """Exact rank of ``A`` with a :class:`RankCertificate` a reader can re-check.

    Parameters
    ----------
    A : (m, n) exact ndarray (integers or Fractions)

    Returns
    -------
    RankCertificate

    Notes
    -----
    Two reduced row echelon forms (of ``A`` for the pivot columns and of the pivot
    columns' transpose for the rows) with sympy's sparse ``DomainMatrix``.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[1, 2, 3], [2, 4, 6], [0, 1, 1]])
    >>> c = rank_certificate(A)
    >>> c.rank, c.verify(A)
    (2, True)
    """
    if not is_exact_matrix(A):
        raise TypeError("rank_certificate needs an exact (integer or Fraction) matrix")
    m, n = A.shape
    if m == 0 or n == 0:
        K = _from_dm(_to_dm(np.eye(n, dtype=np.int64))) if n else np.empty((0, 0), dtype=object)
        return RankCertificate(0, (), (), K, (m, n))
    M = _to_dm(A)
    R, cols = M.rref()
    r = len(cols)
    _, rows = M.extract(list(range(m)), list(cols)).transpose().rref()
    # Kernel from the rref: one vector per free column j: x_j = 1, x_pivot = -R[i, j].
    free = [j for j in range(n) if j not in set(cols)]
    K = np.empty((n, len(free)), dtype=object)
    K[...] = Fraction(0)
    Rl = _from_dm(R)
    for k, j in enumerate(free):
        K[j, k] = Fraction(1)
        for i, c in enumerate(cols):
            K[c, k] = -Rl[i, j]
    return RankCertificate(r, tuple(int(i) for i in rows), tuple(int(c) for c in cols), K, (m, n))


# ---------------------------------------------------------------------------------------
# Subspaces
# ---------------------------------------------------------------------------------------
def _as_float(A):
    return np.array(A.tolist(), dtype=float) if A.dtype == object else np.asarray(A, dtype=float)


class Subspace:
    """A linear subspace of ``R^n`` (or ``Q^n``), exact or float.

    Exact subspaces keep a canonical rational basis (the transposed reduced row
    echelon form of any spanning set), so equal subspaces have equal bases.  Float
    subspaces keep an orthonormal basis and the margin of every rank decision made
    while building them: ``uncertain`` is True when one was within a factor 1e3 of
    its tolerance (see :func:`float_rank`).

    Build one with :meth:`span`, :meth:`kernel`, :meth:`zero`, :meth:`full` or
    :meth:`constants`.

    Examples
    --------
    >>> import numpy as np
    >>> U = Subspace.kernel(np.array([[1, 1, 0]]))
    >>> U.dim, U.contains(Subspace.constants(3)), U.is_exact
    (2, False, True)
    >>> U.contains_vector([1, -1, 5])
    True
    """

    __slots__ = ("basis", "ambient_dim", "is_exact", "uncertain", "rtol")

    def __init__(self, basis, *, exact, uncertain=False, rtol=FLOAT_RANK_RTOL):
        self.basis = basis
        self.ambient_dim = basis.shape[0]
        self.is_exact = exact
        self.uncertain = uncertain
        self.rtol = rtol
        basis.setflags(write=False)

    # -- constructors
    @classmethod
    def span(cls, vectors, *, rtol=FLOAT_RANK_RTOL):
        """The span of the columns of ``vectors`` (shape ``(n, k)``).

        Parameters
        ----------
        vectors : (n, k) ndarray
            Exact (integers / Fractions) or float.
        rtol : float
            Float path only.

        Returns
        -------
        Subspace

        Examples
        --------
        >>> import numpy as np
        >>> Subspace.span(np.array([[1, 2], [1, 2]])).basis.tolist()
        [[Fraction(1, 1)], [Fraction(1, 1)]]
        """
        V = np.asarray(vectors)
        if V.ndim == 1:
            V = V[:, None]
        n = V.shape[0]
        if is_exact_matrix(V):
            if V.shape[1] == 0:
                return cls(np.empty((n, 0), dtype=object), exact=True)
            R, piv = _to_dm(V.T.copy()).rref()
            B = _from_dm(R)[:len(piv)].T.copy() if piv else np.empty((n, 0), dtype=object)
            return cls(B, exact=True)
        V = _as_float(V)
        if V.shape[1] == 0 or not np.any(V):
            return cls(np.empty((n, 0)), exact=False, rtol=rtol)
        U, sv, _ = np.linalg.svd(V, full_matrices=False)
        d = _float_decision(sv, V.shape, rtol)
        return cls(U[:, :d.rank].copy(), exact=False, uncertain=d.uncertain, rtol=rtol)

    @classmethod
    def kernel(cls, A, *, rtol=FLOAT_RANK_RTOL, scale=None):
        """The null space ``{x : A x = 0}`` of an ``(m, n)`` matrix.

        Parameters
        ----------
        A : (m, n) ndarray
            Exact or float.
        rtol : float
            Float path only.
        scale : float, optional
            Float path only: judge singular values against ``scale`` (the magnitude of
            the quantities ``A`` was computed from) instead of ``A``'s own largest
            singular value, so that a matrix of pure cancellation noise has rank 0.

        Returns
        -------
        Subspace

        Examples
        --------
        >>> import numpy as np
        >>> Subspace.kernel(np.array([[1.0, 1.0]])).dim
        1
        """
        A = np.asarray(A)
        m, n = A.shape
        if is_exact_matrix(A):
            return cls.span(nullspace(A) if m else np.eye(n, dtype=np.int64))
        A = _as_float(A)
        if m == 0 or not np.any(A):
            return cls(np.eye(n), exact=False, rtol=rtol)
        # The full V is needed (its last rows span the kernel), the full U never is.
        _, sv, Vt = np.linalg.svd(A, full_matrices=m < n)
        d = _float_decision(sv, A.shape, rtol, scale)
        return cls(Vt[d.rank:].T.copy(), exact=False, uncertain=d.uncertain, rtol=rtol)

    @classmethod
    def zero(cls, n, *, exact=True):
        """The zero subspace of dimension 0 in ``n`` coordinates.

        Parameters
        ----------
        n : int
        exact : bool

        Returns
        -------
        Subspace

        Examples
        --------
        >>> Subspace.zero(3).dim
        0
        """
        return cls(np.empty((n, 0), dtype=object if exact else float), exact=exact)

    @classmethod
    def full(cls, n, *, exact=True):
        """The whole space ``Q^n`` (exact) or ``R^n`` (float).

        Parameters
        ----------
        n : int
        exact : bool

        Returns
        -------
        Subspace

        Examples
        --------
        >>> Subspace.full(2).dim
        2
        """
        return cls.span(np.eye(n, dtype=np.int64)) if exact else cls(np.eye(n), exact=False)

    @classmethod
    def constants(cls, n, *, exact=True):
        """``span(1)``: the constant vectors.

        Parameters
        ----------
        n : int
        exact : bool

        Returns
        -------
        Subspace

        Examples
        --------
        >>> Subspace.constants(3).basis.T.tolist()
        [[Fraction(1, 1), Fraction(1, 1), Fraction(1, 1)]]
        """
        return cls.span(np.ones((n, 1), dtype=np.int64 if exact else float))

    # -- basic properties
    @property
    def dim(self):
        """int: the dimension."""
        return int(self.basis.shape[1])

    def to_float(self):
        """This subspace with an orthonormal float basis.

        Returns
        -------
        Subspace

        Examples
        --------
        >>> Subspace.constants(4).to_float().basis.ravel().round(3).tolist()
        [0.5, 0.5, 0.5, 0.5]
        """
        if not self.is_exact:
            return self
        if self.dim == 0:
            return Subspace(np.empty((self.ambient_dim, 0)), exact=False, rtol=self.rtol)
        # The dimension is known exactly, so it is not re-decided in floats: QR of the
        # column-normalised basis keeps all `dim` directions.  The canonical rational
        # basis can be badly conditioned; then the float directions are flagged.
        B = _as_float(self.basis)
        B = B / np.linalg.norm(B, axis=0)
        Q, R = np.linalg.qr(B)
        Q = Q * np.where(np.diag(R) < 0, -1.0, 1.0)  # deterministic signs
        d = np.abs(np.diag(R))
        uncertain = bool(d.min() < 1e-8 * d.max())
        return Subspace(Q, exact=False, uncertain=uncertain, rtol=self.rtol)

    def _pair(self, other):
        if self.ambient_dim != other.ambient_dim:
            raise ValueError(f"subspaces live in different spaces: R^{self.ambient_dim} "
                             f"and R^{other.ambient_dim}")
        if self.is_exact and other.is_exact:
            return self, other
        return self.to_float(), other.to_float()

    # -- relations
    def contains(self, other):
        """True when ``other`` is a subspace of ``self`` (exact, or to the float tolerance).

        Parameters
        ----------
        other : Subspace

        Returns
        -------
        bool

        Examples
        --------
        >>> Subspace.full(3).contains(Subspace.constants(3))
        True
        """
        a, b = self._pair(other)
        if b.dim == 0:
            return True
        if a.is_exact:
            return rank(np.concatenate([a.basis, b.basis], axis=1)) == a.dim
        resid = b.basis - a.basis @ (a.basis.T @ b.basis)
        return bool(np.linalg.norm(resid, 2) <= 1e3 * a.rtol * max(a.ambient_dim, 1))

    def contains_vector(self, v):
        """True when the vector ``v`` (shape ``(n,)``) lies in the subspace.

        Parameters
        ----------
        v : (n,) array_like

        Returns
        -------
        bool

        Examples
        --------
        >>> Subspace.constants(2).contains_vector([3, 3])
        True
        """
        v = np.asarray(v)
        if v.dtype.kind not in "iuOf":
            v = np.asarray(v.tolist(), dtype=object)
        return self.contains(Subspace.span(v.reshape(-1, 1)))

    def equals(self, other):
        """True when both subspaces are equal.

        Parameters
        ----------
        other : Subspace

        Returns
        -------
        bool

        Examples
        --------
        >>> import numpy as np
        >>> Subspace.span(np.array([[2], [2]])).equals(Subspace.constants(2))
        True
        """
        return self.dim == other.dim and self.contains(other)

    # -- operations
    def sum(self, other):
        """``self + other``.

        Parameters
        ----------
        other : Subspace

        Returns
        -------
        Subspace

        Examples
        --------
        >>> import numpy as np
        >>> Subspace.span(np.array([[1], [0]])).sum(Subspace.constants(2)).dim
        2
        """
        a, b = self._pair(other)
        out = Subspace.span(np.concatenate([a.basis, b.basis], axis=1), rtol=a.rtol)
        out.uncertain = out.uncertain or a.uncertain or b.uncertain
        return out

    def intersect(self, other):
        """``self ∩ other``, from the kernel of ``[B_self, -B_other]``.

        Parameters
        ----------
        other : Subspace

        Returns
        -------
        Subspace

        Examples
        --------
        >>> import numpy as np
        >>> U = Subspace.span(np.array([[1, 0], [0, 1], [0, 0]]))
        >>> W = Subspace.span(np.array([[1, 0], [1, 0], [0, 1]]))
        >>> U.intersect(W).basis.T.tolist()
        [[Fraction(1, 1), Fraction(1, 1), Fraction(0, 1)]]
        """
        a, b = self._pair(other)
        n = a.ambient_dim
        if a.dim == 0 or b.dim == 0:
            return Subspace.zero(n, exact=a.is_exact)
        if a.is_exact:
            C = nullspace(np.concatenate([a.basis, -b.basis], axis=1))
            if C.shape[1] == 0:
                return Subspace.zero(n)
            return Subspace.span(_from_dm(_to_dm(a.basis) * _to_dm(C[:a.dim])))
        # Float: principal vectors with cosine 1 (to tolerance).
        U, sv, _ = np.linalg.svd(a.basis.T @ b.basis)
        tol = 1e3 * a.rtol * max(n, 1)
        k = int(np.sum(sv >= 1 - tol))
        # Uncertain: a cosine neither clearly 1 (shared direction) nor clearly below.
        gap = 1.0 - sv
        unc = bool(np.any((gap > tol / UNCERTAIN_FACTOR) & (gap < UNCERTAIN_FACTOR * tol))) \
            or a.uncertain or b.uncertain
        return Subspace(a.basis @ U[:, :k], exact=False, uncertain=unc, rtol=a.rtol)

    def orthogonal_complement(self):
        """``{x : B^T x = 0}``.

        Returns
        -------
        Subspace

        Examples
        --------
        >>> Subspace.constants(3).orthogonal_complement().dim
        2
        """
        if self.dim == 0:
            return Subspace.full(self.ambient_dim, exact=self.is_exact)
        return Subspace.kernel(self.basis.T.copy(), rtol=self.rtol)

    def project(self, v):
        """Orthogonal projection of ``v`` onto the subspace (exact on exact input).

        Parameters
        ----------
        v : (n,) or (n, k) ndarray

        Returns
        -------
        ndarray, shape of ``v``

        Examples
        --------
        >>> import numpy as np
        >>> Subspace.constants(2).project(np.array([1, 3])).tolist()
        [Fraction(2, 1), Fraction(2, 1)]
        """
        v = np.asarray(v)
        if self.dim == 0:
            return np.zeros(v.shape, dtype=object) * 0 if self.is_exact and is_exact_matrix(v) \
                else np.zeros(v.shape)
        if self.is_exact and is_exact_matrix(v):
            B = _to_dm(self.basis)
            G = B.transpose() * B
            coef = G.lu_solve(B.transpose() * _to_dm(v))
            return _from_dm(B * coef).reshape(v.shape)
        Q = self.to_float().basis
        vf = _as_float(v)
        return Q @ (Q.T @ vf)

    def distance(self, v):
        """Euclidean distance of ``v`` to the subspace (float): the quotient norm.

        Parameters
        ----------
        v : (n,) array_like

        Returns
        -------
        float

        Examples
        --------
        >>> round(Subspace.constants(2).distance([0.0, 2.0]), 6)
        1.414214
        """
        vf = _as_float(np.asarray(v))
        return float(np.linalg.norm(vf - self.to_float().project(vf)))

    def principal_angles(self, other):
        """Principal angles (radians, ascending) between ``self`` and ``other``.

        Parameters
        ----------
        other : Subspace

        Returns
        -------
        (min(dim, dim_other),) float ndarray

        Examples
        --------
        >>> import numpy as np
        >>> U = Subspace.span(np.array([[1.0], [0.0]]))
        >>> W = Subspace.span(np.array([[1.0], [1.0]]))
        >>> float(U.principal_angles(W)[0].round(6))
        0.785398
        """
        a, b = self.to_float(), other.to_float()
        if a.dim == 0 or b.dim == 0:
            return np.empty(0)
        sv = np.linalg.svd(a.basis.T @ b.basis, compute_uv=False)
        return np.sort(np.arccos(np.clip(sv, -1.0, 1.0)))

    def vector_not_in(self, other):
        """A basis vector of ``self`` that is not in ``other``, or None if ``self ⊆ other``.

        Used to build witnesses: a concrete direction in one class but not the other.

        Parameters
        ----------
        other : Subspace

        Returns
        -------
        (n,) ndarray or None

        Examples
        --------
        >>> Subspace.full(2).vector_not_in(Subspace.constants(2)).tolist()
        [Fraction(1, 1), Fraction(0, 1)]
        """
        for j in range(self.dim):
            v = self.basis[:, j]
            if not other.contains_vector(v):
                return v.copy()
        return None

    def __repr__(self):
        kind = "exact" if self.is_exact else ("float, uncertain" if self.uncertain else "float")
        return f"<Subspace dim {self.dim} of {self.ambient_dim} ({kind})>"


# ---------------------------------------------------------------------------------------
# Sparse exact null spaces
#
# Appended for identifiability.identify (the backward Gamma recursion and the potential
# systems build sparse rational matrices with thousands of rows); kept separate so the
# lead can review or move it.
# ---------------------------------------------------------------------------------------
#: Use python-flint's dense rational rref (C speed) instead of sympy's sparse rref when
#: the matrix has at most this many entries and at least :data:`_FLINT_MIN_DENSITY` of
#: them are nonzero (sympy's sparse rref wins on very sparse, incidence-like matrices).
_FLINT_MAX_ENTRIES = 3 * 10 ** 7
_FLINT_MIN_DENSITY = 0.01


def _flint():
    try:
        import flint
    except ImportError:  # optional extra
        return None
    return flint


def sparse_nullspace(A):
    """A basis of the null space of a sparse rational matrix, as a sparse matrix.

    Parameters
    ----------
    A : sympy.polys.matrices.DomainMatrix over QQ, shape (m, n)
        Any internal format; sparse (``SDM``) is the natural one.

    Returns
    -------
    DomainMatrix over QQ, shape (n, k), sparse (``SDM``) format
        Its ``k = n - rank(A)`` columns are a basis of ``{x : A x = 0}``, read off the
        reduced row echelon form (one free variable set to 1 per column, the other free
        variables 0), so the result is the same whichever backend ran.

    Notes
    -----
    Exact.  Very sparse matrices use sympy's sparse rref (cost driven by fill-in);
    denser ones use python-flint's dense ``fmpq_mat.rref`` when python-flint is
    installed (``O(m n r)`` in C, ``r`` the rank), since rational fill-in makes
    sympy's pure-Python elimination slow there.

    Examples
    --------
    >>> from sympy import QQ
    >>> from sympy.polys.matrices import DomainMatrix
    >>> A = DomainMatrix({0: {0: QQ(1), 1: QQ(-1)}}, (1, 3), QQ)
    >>> N = sparse_nullspace(A)
    >>> N.shape, [[str(x) for x in row] for row in N.to_Matrix().tolist()]
    ((3, 2), [['1', '0'], ['1', '0'], ['0', '1']])
    """
    from sympy import QQ
    from sympy.polys.matrices import DomainMatrix

    m, n = A.shape
    if A.domain != QQ:
        A = A.convert_to(QQ)
    S = A.to_sdm()
    if any(not row for row in S.values()):  # sympy's sparse rref rejects stored empty rows
        S = S.new({i: row for i, row in S.items() if row}, S.shape, S.domain)
    nnz = sum(len(row) for row in S.values())
    if nnz == 0:
        return DomainMatrix({j: {j: QQ.one} for j in range(n)}, (n, n), QQ)
    flint = _flint()
    if flint is not None and m * n <= _FLINT_MAX_ENTRIES and nnz >= _FLINT_MIN_DENSITY * m * n:
        F = flint.fmpq_mat(m, n)
        for i, row in S.items():
            for j, v in row.items():
                F[i, j] = flint.fmpq(int(v.numerator), int(v.denominator))
        R, r = F.rref()
        ent = R.entries()
        pivots = []
        rows = []
        for i in range(r):
            row = ent[i * n:(i + 1) * n]
            nz = [j for j, x in enumerate(row) if x != 0]
            pivots.append(nz[0])
            rows.append([(j, row[j]) for j in nz[1:]])
    else:
        R, pivots = S.rref()
        rows = [[(j, x) for j, x in R[i].items() if j != p] for i, p in enumerate(pivots)]
    pivset = set(pivots)
    free = [j for j in range(n) if j not in pivset]
    col_of = {j: k for k, j in enumerate(free)}
    K = {}
    for j in free:
        K.setdefault(j, {})[col_of[j]] = QQ.one
    for p, row in zip(pivots, rows):
        for j, x in row:
            if j in col_of:
                v = QQ(int(x.numerator), int(x.denominator))
                K.setdefault(p, {})[col_of[j]] = -v
    return DomainMatrix(K, (n, len(free)), QQ)


def scaled_kernel(A, scale, *, rtol=FLOAT_RANK_RTOL):
    """Float null space with the rank tolerance relative to a given ``scale``.

    :meth:`Subspace.kernel` measures its tolerance against the largest singular value
    of ``A`` itself, so a matrix made only of cancellation noise (say ``1e-17``
    everywhere, from differences of ``O(1)`` numbers) gets rank 1.  When ``A`` was
    formed from quantities of a known magnitude, pass that magnitude: singular values
    below ``rtol * max(m, n) * scale`` count as zero, and the decision is flagged
    ``uncertain`` as in :func:`float_rank`.

    Parameters
    ----------
    A : (m, n) float array_like
    scale : float
        Magnitude of the entries ``A`` was computed from (``> 0``).
    rtol : float

    Returns
    -------
    Subspace
        Float, orthonormal basis; ``uncertain`` when a singular value is within a
        factor 1e3 of the tolerance.

    Examples
    --------
    >>> import numpy as np
    >>> noise = np.array([[1e-17, -2e-17]])
    >>> Subspace.kernel(noise).dim, scaled_kernel(noise, 1.0).dim
    (1, 2)
    """
    return Subspace.kernel(np.asarray(A, dtype=float), rtol=rtol, scale=scale)
