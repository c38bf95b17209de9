"""Benchmark: reward distances (identifiability.distances) against naive / generic baselines.

Run by hand (not by CI), with the package installed or ``PYTHONPATH`` at the repo root::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_distances.py
    python benchmarks/bench_distances.py --only target --json

MDPs are ``examples.get("random-v0", n_states=S, n_actions=4, support=k, seed=0, exact=False,
gamma=0.9, n_starts=S)`` (float; every state is a start state, so nothing is masked) in two
variants: ``sparse`` (``k = 5`` successors per ``(s, a)``) and ``dense`` (``k = S``, every
transition possible).  Rewards are standard normal ``(S, A, S)`` tables.  MDP and reward
construction are not timed; each timing is the best of ``--repeat`` runs.

Cases (every baseline is timed in the same run):

``target``
    The acceptance targets at S = 1,024, A = 4, one core: STARC-VAL distance < 0.2 s (with every
    state a start state, and with one start state so that the reachability search runs), EPIC
    distance < 0.4 s, minimal-L2 canonicalisation < 1 s, DARD canonicalisation < 1 s (both
    variants); a 100 x 100 STARC-VAL pairwise matrix on 256 states < 5 s.
``baseline``
    The naive / generic implementations where they finish: DARD by the 5-D tensor
    (``reference.dard_canonical_naive``) at S = 32; the minimal canonicalisation as a generic
    orthogonal projection (dense least squares on an explicit basis of ``N``) at S = 24; VAL by
    iterative policy evaluation (vectorised sweeps to 1e-10) at S = 1,024; the pairwise matrix as
    a loop over pairs of ``starc_distance`` on 20 of the rewards.

Correctness is checked on the timed results: the baselines agree with the fast path (1e-8
relative), and the pairwise matrix agrees with the loop.  The script exits 1 when a target is
missed or a check fails.
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
from identifiability import distances as D  # noqa: E402
from identifiability import reference  # noqa: E402

ROWS = []
FAILED = []


def timed(fn, repeat=1):
    best, out = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return out, best


def record(case, S, variant, method, seconds, target=None, note=""):
    ok = None if target is None else seconds < target
    ROWS.append({"case": case, "S": S, "variant": variant, "method": method,
                 "seconds": round(seconds, 4), "target_s": target, "meets_target": ok,
                 "note": note})
    flag = "" if target is None else f"  [target < {target:g} s: {'OK' if ok else 'MISSED'}]"
    print(f"  {case:<9} {S:>5} {variant:<6} {method:<34} {seconds:9.4f} s{flag}  {note}",
          flush=True)
    if ok is False:
        FAILED.append(f"{case} {S} {variant} {method}: {seconds:.3f} s >= {target} s")


def check(cond, what):
    if not cond:
        FAILED.append(what)
        print(f"  CHECK FAILED: {what}", flush=True)


def close(a, b, rtol=1e-8):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b))) <= rtol * max(1.0, float(np.max(np.abs(b))))


def build(S, variant, seed=0):
    k = 5 if variant == "sparse" else S
    return idf.examples.get("random-v0", n_states=S, n_actions=4, support=k, seed=seed,
                            exact=False, gamma=0.9, denominator=max(6, k), n_starts=S)


def rewards(S, n, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(S, 4, S)) for _ in range(n)]


# ---------------------------------------------------------------------- baselines
def iterative_val(mdp, R, tol=1e-10):
    """VAL by value-iteration sweeps of ``V <- r_pi + gamma P_pi V`` (uniform pi)."""
    P = np.asarray(mdp.transitions)
    r = np.einsum("sax,sax->sa", R, P)
    g = float(mdp.gamma)
    V = np.zeros(mdp.n_states)
    while True:
        Vn = (r + g * (P @ V)).mean(axis=1)
        if np.max(np.abs(Vn - V)) < tol:
            break
        V = Vn
    return r + g * (P @ Vn) - Vn[:, None]


def generic_minimal(mdp, R):
    """Orthogonal projection onto N^perp by dense least squares on an explicit basis of N."""
    S, A = mdp.n_states, mdp.n_actions
    P = np.asarray(mdp.transitions)
    g = float(mdp.gamma)
    cols = []
    for u in range(S):
        x = np.zeros((S, A, S))
        x[:, :, u] += g
        x[u] -= 1.0
        cols.append(x.reshape(-1))
    for s in range(S):
        for a in range(A):
            j0 = int(np.argmax(P[s, a]))
            for j in range(S):
                if j != j0:
                    x = np.zeros((S, A, S))
                    x[s, a, j] = 1.0
                    x[s, a, j0] = -P[s, a, j] / P[s, a, j0]
                    cols.append(x.reshape(-1))
    B = np.stack(cols, axis=1)
    coef = np.linalg.lstsq(B, R.reshape(-1), rcond=None)[0]
    return (R.reshape(-1) - B @ coef).reshape(S, A, S)


# ---------------------------------------------------------------------- cases
def case_target(repeat):
    S = 1024
    R1, R2 = rewards(S, 2)
    for variant in ("sparse", "dense"):
        mdp = build(S, variant)
        np.asarray(mdp.transitions)                     # the MDP's cached dense view, not timed
        d, t = timed(lambda: D.starc_distance(R1, R2, mdp), repeat)
        record("target", S, variant, "starc_distance (val, L2)", t, 0.2, f"d={d:.4f}")
        one = mdp.replace(initial=np.eye(S)[0])          # one start state: a reachability BFS
        d, t = timed(lambda: D.starc_distance(R1, R2, one), repeat)
        record("target", S, variant, "starc_distance (val), 1 start", t, 0.2, f"d={d:.4f}")
        d, t = timed(lambda: D.epic_distance(R1, R2, mdp), repeat)
        record("target", S, variant, "epic_distance", t, 0.4, f"d={d:.4f}")
        c, t = timed(lambda: D.minimal_canonical(R1, mdp), repeat)
        record("target", S, variant, "minimal_canonical", t, 1.0)
        check(np.all(c[~np.asarray(mdp.support)] == 0), f"minimal {variant}: nonzero off support")
        c2 = D.minimal_canonical(c, mdp)
        check(close(c2, c), f"minimal {variant}: not idempotent")
        _, t = timed(lambda: D.dard_canonical(R1, mdp), repeat)
        record("target", S, variant, "dard_canonical", t, 1.0)
        d, t = timed(lambda: D.dard_distance(R1, R2, mdp), repeat)
        record("target", S, variant, "dard_distance", t, None, f"d={d:.4f}")
        d, t = timed(lambda: D.starc_distance(R1, R2, mdp, "minimal"), repeat)
        record("target", S, variant, "starc_distance (minimal, L2)", t, None, f"d={d:.4f}")
        c, t = timed(lambda: D.val_canonical(R1, mdp), repeat)
        record("target", S, variant, "val_canonical", t, None)
        cb, tb = timed(lambda: iterative_val(mdp, R1))
        record("baseline", S, variant, "VAL by iterative evaluation", tb, None,
               f"x{tb / t:.1f} slower than the solve")
        check(close(c, cb, 1e-7), f"VAL {variant}: solve and iteration disagree")
    Sp = 256
    Rs = rewards(Sp, 100, seed=1)
    for variant in ("sparse", "dense"):
        mdp = build(Sp, variant)
        M, t = timed(lambda: D.pairwise_distances(Rs, mdp), repeat)
        record("target", Sp, variant, "pairwise 100 x 100 STARC-VAL", t, 5.0)
        sub = Rs[:20]

        def loop():
            return [[D.starc_distance(a, b, mdp) for b in sub] for a in sub]

        L, tl = timed(loop)
        record("baseline", Sp, variant, "pair loop of starc_distance, 20x20", tl, None,
               f"~{tl * (100 / 20) ** 2:.1f} s extrapolated to 100 x 100")
        check(close(M[:20, :20], np.array(L), 1e-9), f"pairwise {variant}: disagrees with loop")


def case_baseline(repeat):
    for S in (16, 32):
        mdp = build(S, "sparse")
        R = rewards(S, 1)[0]
        c, t = timed(lambda: D.dard_canonical(R, mdp), repeat)
        record("baseline", S, "sparse", "dard_canonical (efficient)", t)
        cn, tn = timed(lambda: reference.dard_canonical_naive(R, mdp))
        record("baseline", S, "sparse", "dard naive 5-D tensor", tn, None,
               f"x{tn / t:.0f} slower")
        check(close(c, cn), f"DARD S={S}: efficient and naive disagree")
    for S in (12, 24):
        mdp = build(S, "sparse")
        R = rewards(S, 1)[0]
        c, t = timed(lambda: D.minimal_canonical(R, mdp), repeat)
        record("baseline", S, "sparse", "minimal_canonical (closed form)", t)
        cg, tg = timed(lambda: generic_minimal(mdp, R))
        record("baseline", S, "sparse", "generic projection (lstsq on N)", tg, None,
               f"x{tg / t:.0f} slower")
        check(close(c, cg), f"minimal S={S}: closed form and generic projection disagree")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", choices=["target", "baseline"],
                    default=["target", "baseline"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print the rows as JSON at the end")
    args = ap.parse_args(argv)
    print(f"numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    print(f"  {'case':<9} {'S':>5} {'MDP':<6} {'method':<34} {'time':>11}")
    if "target" in args.only:
        case_target(args.repeat)
    if "baseline" in args.only:
        case_baseline(args.repeat)
    if args.json:
        print(json.dumps(ROWS, indent=1))
    if FAILED:
        print("FAILED:\n  " + "\n  ".join(FAILED))
        return 1
    print("all targets met, all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
