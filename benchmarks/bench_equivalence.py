"""Benchmark: reward equivalence classes (identifiability.equivalence) against dense baselines.

Run by hand (not by CI), with the package installed or ``PYTHONPATH`` at the repo root::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_equivalence.py
    python benchmarks/bench_equivalence.py --only target dense --json

All MDPs are ``examples.get("random-v0", n_states=S, n_actions=4, support=5, seed=0,
exact=False, gamma=0.9)`` (float, stochastic, 5 successors per ``(s, a)``); rewards are
standard normal.  One timing is ``N = ambiguity(mdp, "mce", domain=D)`` followed by
``N.canonical(R)``; the MDP construction is not timed.

Cases (every baseline is timed in the same run, on the same MDP and reward):

``target``
    The acceptance target: S = 1,000 for ``R(s, a, s')`` (a dense ``(1000, 4, 1000)``
    reward, 4 million coordinates) and for ``R(s, a)``; best of ``--repeat`` must be
    under 2 s each.
``dense``
    Baseline 1, the generic approach: the full generator of the class written out as a
    dense matrix (``S`` potential-shaping columns and ``S A (S - 1)`` S'-redistribution
    columns, the null space of each row ``P(. | s, a)``), an orthonormal basis of its
    range by SVD (``dim N`` = its numerical rank) and ``canonical(R) = R - Q Q^T R``.
    ``O((S^2 A)^3)``, so small S only.
``constraint``
    Baseline 2, a dense projection on the identifiable directions: with the dense
    observation map ``M`` (``r(s, a) = E_s' R(s, a, s')``) and shaping generator ``G``,
    ``N = ker(Pi M)`` with ``Pi`` the projector off ``im G``; an SVD of the dense
    ``(S A, S^2 A)`` matrix ``Pi M`` gives ``N``'s orthogonal complement and
    ``canonical(R) = V^T V R``.  Feasible at S = 60..100.
``scaling``
    The fast path alone for growing S, both domains.

Correctness is checked on every timed result, so the numbers are for a right answer:
``R - canonical(R)`` lies in the class (``N.contains``), ``canonical`` is idempotent, a
random member of the class has the same canonical form, ``dim N`` matches the formula
``S A S - S A + S`` (``R(s, a, s')``) or ``S`` (``R(s, a)``), and the baselines agree with
the fast path (same dimension, same canonical form to 1e-8 relative).  The script exits 1
when a target is missed or a check fails.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")        # effective only before numpy loads
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import identifiability as idf  # noqa: E402
from identifiability.equivalence import ambiguity  # noqa: E402

ROWS = []
FAILED = []
TARGET_S = 2.0


def timed(fn, repeat=1):
    """``(result of the last run, best time)`` over ``repeat`` runs."""
    best, out = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return out, best


def record(case, S, domain, method, seconds, target=None, note=""):
    ok = None if target is None else seconds < target
    ROWS.append({"case": case, "S": S, "domain": domain, "method": method,
                 "seconds": round(seconds, 4), "target_s": target, "meets_target": ok,
                 "note": note})
    flag = "" if target is None else f"  [target < {target:g} s: {'OK' if ok else 'MISSED'}]"
    print(f"  {case:<10} {S:>5} {domain:<4} {method:<34} {seconds:9.3f} s{flag}  {note}",
          flush=True)


def check(cond, what):
    if not cond:
        FAILED.append(what)
        print(f"  CHECK FAILED: {what}", flush=True)


def build(S, seed=0):
    return idf.examples.get("random-v0", n_states=S, n_actions=4, support=5, seed=seed,
                            exact=False, gamma=0.9)


def reward(S, A, domain, seed=0):
    shape = (S, A, S) if domain == "sas" else (S, A)
    return np.random.default_rng(seed).normal(size=shape)


def expected_dim(S, A, domain):
    """Claim ``ambiguity-dimensions`` (gamma < 1, every transition possible from its row)."""
    return S * A * S - S * A + S if domain == "sas" else S


def fast(mdp, R, domain):
    N = ambiguity(mdp, "mce", domain=domain)
    return N, N.canonical(R)


def close(a, b, rtol=1e-8):
    return float(np.max(np.abs(a - b))) <= rtol * max(1.0, float(np.max(np.abs(b))))


def verify_fast(tag, mdp, R, domain, N, c):
    S, A = mdp.n_states, mdp.n_actions
    check(N.dim == expected_dim(S, A, domain),
          f"{tag}: dim N = {N.dim}, expected {expected_dim(S, A, domain)}")
    check(not N.uncertain, f"{tag}: uncertain rank decision")
    check(N.contains(c - R), f"{tag}: canonical(R) - R is not in the class")
    check(close(N.canonical(c), c), f"{tag}: canonical is not idempotent")
    check(close(N.canonical(N.sample(R, rng=1)), c),
          f"{tag}: a random member of the class has another canonical form")


# ---------------------------------------------------------------------- baselines
def dense_P(mdp):
    S, A = mdp.n_states, mdp.n_actions
    s, a, sn, p = mdp.entries(exact=False)
    P = np.zeros((S, A, S))
    P[s, a, sn] = p
    return P


def dense_generator(mdp):
    """The ``(S A S, S + S A (S - 1))`` generator: potential shaping and S'-redistribution."""
    S, A, g = mdp.n_states, mdp.n_actions, float(mdp.gamma)
    P = dense_P(mdp)
    n = S * A * S
    i = np.arange(S)
    Sh = np.zeros((S, A, S, S))                      # [s, a, s', u]
    Sh[:, :, i, i] += g                              # gamma Phi(s')
    Sh[i, :, :, i] -= 1.0                            # - Phi(s)
    Rd = np.zeros((n, S * A * (S - 1)))
    col = 0
    for s in range(S):
        for a in range(A):
            row = P[s, a]
            j0 = int(np.argmax(row))
            js = np.delete(np.arange(S), j0)
            base = (s * A + a) * S
            cols = col + np.arange(S - 1)
            Rd[base + js, cols] = 1.0                # null space of the row P(. | s, a)
            Rd[base + j0, cols] = -row[js] / row[j0]
            col += S - 1
    return np.concatenate([Sh.reshape(n, S), Rd], axis=1)


def rank_of(sig, shape):
    if sig.size == 0:
        return 0
    tol = max(shape) * np.finfo(float).eps * sig[0]
    return int((sig > tol).sum())


def baseline_generator(mdp, R):
    B = dense_generator(mdp)
    U, sig, _ = np.linalg.svd(B, full_matrices=False)
    Q = U[:, :rank_of(sig, B.shape)]
    x = R.reshape(-1)
    return Q.shape[1], (x - Q @ (Q.T @ x)).reshape(R.shape)


def baseline_constraint(mdp, R):
    S, A, g = mdp.n_states, mdp.n_actions, float(mdp.gamma)
    P = dense_P(mdp)
    n = S * A * S
    M = np.zeros((S * A, n))                         # r(s, a) = sum_s' P R(s, a, s')
    rows = np.arange(S * A)
    M[rows[:, None], rows[:, None] * S + np.arange(S)[None, :]] = P.reshape(S * A, S)
    G = g * P.reshape(S * A, S)
    G[rows, rows // A] -= 1.0                        # gamma (P Phi)(s, a) - Phi(s)
    Ug, sg, _ = np.linalg.svd(G, full_matrices=False)
    Qg = Ug[:, :rank_of(sg, G.shape)]
    K = M - Qg @ (Qg.T @ M)
    _, sk, Vt = np.linalg.svd(K, full_matrices=False)
    V = Vt[:rank_of(sk, K.shape)]
    x = R.reshape(-1)
    return n - V.shape[0], (V.T @ (V @ x)).reshape(R.shape)


# ---------------------------------------------------------------------- cases
def bench_target(args):
    S = 1000
    print(f"target: S = {S}, A = 4, support 5, float, 'mce'; ambiguity + canonical, "
          f"best of {args.repeat}")
    mdp = build(S)
    for domain in ("sas", "sa"):
        R = reward(S, 4, domain)
        (N, c), t = timed(lambda: fast(mdp, R, domain), args.repeat)
        _, ta = timed(lambda: ambiguity(mdp, "mce", domain=domain), args.repeat)
        _, tc = timed(lambda: N.canonical(R), args.repeat)
        record("target", S, domain, "ambiguity + canonical", t, TARGET_S,
               f"(ambiguity {ta:.3f} s, canonical {tc:.3f} s; dim N = {N.dim:,} of "
               f"{N.ambient_dim:,})")
        verify_fast(f"target S={S} {domain}", mdp, R, domain, N, c)


def compare(case, S, domain, name, baseline, args):
    mdp = build(S)
    R = reward(S, 4, domain)
    (N, c), tf = timed(lambda: fast(mdp, R, domain), args.repeat)
    verify_fast(f"{case} S={S} {domain}", mdp, R, domain, N, c)
    (dim_b, c_b), tb = timed(lambda: baseline(mdp, R), args.dense_repeat)
    check(dim_b == N.dim, f"{case} S={S}: baseline dim {dim_b} != {N.dim}")
    check(close(c_b, c), f"{case} S={S}: baseline canonical differs by "
                         f"{float(np.max(np.abs(c_b - c))):.2e}")
    record(case, S, domain, "fast path", tf)
    record(case, S, domain, name, tb, note=f"fast path {tb / tf:,.0f}x faster")


def bench_dense(args):
    print("dense: baseline 1, dense shaping + S'R generator, SVD basis, projection")
    for S in args.dense_sizes:
        compare("dense", S, "sas", "baseline: dense generator + SVD", baseline_generator, args)


def bench_constraint(args):
    print("constraint: baseline 2, dense SVD of Pi M (the identifiable directions)")
    for S in args.constraint_sizes:
        compare("constraint", S, "sas", "baseline: dense SVD of Pi M", baseline_constraint,
                args)


def bench_scaling(args):
    print(f"scaling: fast path alone, best of {args.repeat}")
    for domain in ("sas", "sa"):
        prev = None
        for S in args.scaling_sizes:
            mdp = build(S)
            R = reward(S, 4, domain)
            (N, c), t = timed(lambda: fast(mdp, R, domain), args.repeat)
            verify_fast(f"scaling S={S} {domain}", mdp, R, domain, N, c)
            note = f"{mdp.n_transitions:,} transitions, {N.ambient_dim:,} coordinates"
            if prev is not None:
                note += f"; x{t / prev[1]:.1f} time for x{S / prev[0]:.1f} states"
            record("scaling", S, domain, "fast path", t, note=note)
            prev = (S, t)


CASES = {"target": bench_target, "dense": bench_dense, "constraint": bench_constraint,
         "scaling": bench_scaling}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--only", nargs="+", choices=list(CASES), help="run only these cases")
    p.add_argument("--repeat", type=int, default=3, help="runs of the fast path (best kept)")
    p.add_argument("--dense-repeat", type=int, default=1, help="runs of each baseline")
    p.add_argument("--dense-sizes", nargs="+", type=int, default=[10, 16, 24],
                   help="S for the dense-generator baseline (O(S^6) time, O(S^4) memory)")
    p.add_argument("--constraint-sizes", nargs="+", type=int, default=[60, 100],
                   help="S for the dense Pi M baseline")
    p.add_argument("--scaling-sizes", nargs="+", type=int, default=[100, 300, 1000, 2000])
    p.add_argument("--json", action="store_true", help="print the rows as JSON at the end")
    args = p.parse_args(argv)
    print(f"identifiability {idf.__version__}; numpy {np.__version__}; OMP_NUM_THREADS="
          f"{os.environ.get('OMP_NUM_THREADS')}, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS')}")
    print(f"  {'case':<10} {'S':>5} {'dom':<4} {'method':<34} {'time':>11}")
    for name in (args.only or list(CASES)):
        CASES[name](args)
    missed = [r for r in ROWS if r["meets_target"] is False]
    met = sum(r["meets_target"] is True for r in ROWS)
    print(f"\n{met} targets met, {len(missed)} missed; {len(FAILED)} correctness checks failed")
    if args.json:
        json.dump({"rows": ROWS, "failed_checks": FAILED}, sys.stdout, indent=1)
        print()
    return 1 if missed or FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
