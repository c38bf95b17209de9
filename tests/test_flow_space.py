"""The flow-space lemma behind the polynomial trajectory-class computation.

Claim 9 of the theory note's section 10; proofs/flow-space-lemma.md.
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from identifiability.claims.identify import _paths  # shared with the theorem registry
from identifiability.linalg import Subspace, rank


@st.composite
def pruned_dag_multigraphs(draw, max_vertices=6, max_edges=10):
    """A DAG multigraph (source 0, sink n-1) whose every edge lies on a source-sink path."""
    n = draw(st.integers(2, max_vertices))
    pairs = st.tuples(st.integers(0, n - 2), st.integers(1, n - 1)).filter(lambda p: p[0] < p[1])
    edges = draw(st.lists(pairs, max_size=max_edges))
    edges.append((0, n - 1))  # at least one source-sink path
    # Prune to edges on a source-sink path: tail reachable from 0, head reaches n-1.
    reach, coreach = {0}, {n - 1}
    for _ in range(n):
        reach |= {j for i, j in edges if i in reach}
        coreach |= {i for i, j in edges if j in coreach}
    kept = [(i, j) for i, j in edges if i in reach and j in coreach]
    vertices = sorted({v for e in kept for v in e})
    return n, vertices, kept


@given(pruned_dag_multigraphs())
def test_flow_space_lemma(g):
    """proofs/flow-space-lemma.md: span(path vectors) = {x : conservation at internal
    vertices}, of dimension |E| - |V| + 2."""
    n, vertices, edges = g
    E = len(edges)
    paths = _paths(n, edges)
    M = np.zeros((len(paths), E), dtype=np.int64)
    for row, p in enumerate(paths):
        M[row, p] = 1
    internal = [v for v in vertices if v not in (0, n - 1)]
    C = np.zeros((len(internal), E), dtype=np.int64)
    for r, v in enumerate(internal):
        for k, (i, j) in enumerate(edges):
            C[r, k] += (j == v) - (i == v)
    spanned = Subspace.span(M.T.copy())
    conserving = Subspace.kernel(C) if len(internal) else Subspace.full(E)
    assert spanned.equals(conserving)
    assert rank(M) == E - len(vertices) + 2
