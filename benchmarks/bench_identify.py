"""Benchmark: finite-horizon identifiability (identifiability.identify) against its baselines.

Run by hand (not by CI), with the package installed or ``PYTHONPATH`` at the repo root::

    OMP_NUM_THREADS=1 python benchmarks/bench_identify.py            # everything
    python benchmarks/bench_identify.py --only grid100 random200     # some cases
    python benchmarks/bench_identify.py --json

Cases (the acceptance targets of issue 3; each baseline is timed in the same run):

``grid100``
    Deterministic 100 x 100 gridworld (10,000 states, 5 actions with stay, start in a
    corner), ``H = 2 T_cov + 1``: the full report (quick accept) must take < 5 s.
    Baseline: the linear test alone (``policy_class``) on the same model.
``grid30``
    Deterministic 30 x 30 gridworld at ``H = T_cov + 1`` and ``H = 3 T_cov / 2`` (inside
    ``[T_cov, 2 T_cov]``, so the quick accept cannot fire and the exact linear test runs):
    < 30 s exact.  Baseline: the float path.
``random200``
    Stochastic ``random_mdp(200, 4, support=3)``, ``H = 30``: exact strong verdict < 60 s,
    float < 5 s.
``enumeration``
    Trajectory classes ``W_s0`` / ``W_Omega`` against brute-force trajectory enumeration
    (:mod:`identifiability.reference`) at the largest horizon where enumeration finishes
    in about 10 s; prints the speed-up.
``dense``
    ``K_Gamma`` by the backward recursion against the dense null space of the whole
    Gamma system (``_policy_class_dense``), float and exact (theory note §4.1: 20 states,
    4 actions, ``H = 40``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from fractions import Fraction

import numpy as np

import identifiability as idf
from identifiability import examples
from identifiability.graph import coverage_time
from identifiability.identify import (
    _policy_class_dense,
    identify,
    policy_class,
    trajectory_classes,
)
from identifiability.linalg import Subspace
from identifiability.reference import enumerate_trajectories

ROWS = []


def timed(fn, repeat=1):
    best, out = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return out, best


def record(case, what, seconds, target=None, note=""):
    ok = None if target is None else seconds < target
    ROWS.append({"case": case, "what": what, "seconds": round(seconds, 3), "target_s": target,
                 "meets_target": ok, "note": note})
    flag = "" if target is None else (f"  [target < {target:g} s: {'OK' if ok else 'MISSED'}"
                                      + ("" if ok else f" by {seconds - target:.1f} s") + "]")
    print(f"  {what:<48} {seconds:9.3f} s{flag}  {note}", flush=True)


def bench_grid100(args):
    print("grid100: deterministic 100x100 gridworld, stay, start 0, H = 2 T + 1")
    g = examples.gridworld(100, 100, stay=True, start=0)
    T, t_cov = timed(lambda: coverage_time(g))
    H = 2 * T + 1
    record("grid100", f"coverage time T = {T}", t_cov)
    rep, t = timed(lambda: identify(g, H))
    record("grid100", f"identify (full report), H = {H}", t, 5.0, f"strong={rep.strong} "
           f"via {rep.reason}")
    _, t_ver = timed(lambda: rep.certificate.verify(g))
    record("grid100", "certificate.verify (10,000 walks)", t_ver)
    if args.skip_slow:
        print("  (baseline skipped: --skip-slow)")
        return
    K, t_lin = timed(lambda: policy_class(g, H))
    record("grid100", "baseline: linear test policy_class (exact)", t_lin,
           note=f"dim K = {K.dim}; quick accept is {t_lin / t:.0f}x faster")


def bench_grid30(args):
    print("grid30: deterministic 30x30 gridworld, stay, start 0, H in [T, 2T]")
    g = examples.gridworld(30, 30, stay=True, start=0)
    T = coverage_time(g)
    for H in (T + 1, (3 * T) // 2):
        rep, t = timed(lambda: identify(g, H))
        record("grid30", f"identify exact, H = {H} (T = {T})", t, 30.0,
               f"strong={rep.strong} via {rep.reason}")
        _, t_ver = timed(lambda: rep.certificate.verify(g))
        record("grid30", "  certificate.verify (sparse exact rank)", t_ver)
        repf, tf = timed(lambda: identify(g, H, arithmetic="float"))
        record("grid30", f"baseline: identify float, H = {H}", tf,
               note=f"strong={repf.strong}; exact/float = {t / tf:.2f}")


def bench_random200(args):
    print("random200: random_mdp(200, 4, support=3), H = 30")
    for seed in args.seeds:
        m = examples.random_mdp(200, 4, support=3, seed=seed, horizon=30)
        rep, t = timed(lambda: identify(m))
        record("random200", f"identify exact, seed {seed}", t, 60.0,
               f"strong={rep.strong} via {rep.reason}")
        repf, tf = timed(lambda: identify(m, arithmetic="float"))
        record("random200", f"identify float (exact MDP), seed {seed}", tf, 5.0,
               f"strong={repf.strong}")
        mf = m.to_float()
        repf2, tf2 = timed(lambda: identify(mf))
        record("random200", f"identify float MDP, seed {seed}", tf2, 5.0,
               f"strong={repf2.strong}")
        _, tv = timed(lambda: rep.certificate.verify(m))
        record("random200", "  certificate.verify (sparse exact rank)", tv)


def enumerated_classes(mdp):
    """Brute force: the centred kernels of enumerated trajectory features, per start and shared."""
    S, A, g = mdp.n_states, mdp.n_actions, mdp.gamma
    feats = {}
    for s0 in mdp.start_states:
        rows = []
        for states, actions, _ in enumerate_trajectories(mdp, mdp.horizon, start=s0):
            phi = np.empty(S * A, dtype=object)
            phi[:] = Fraction(0)
            for t, (s, a) in enumerate(zip(states, actions)):
                phi[s * A + a] += g ** t
            rows.append(phi)
        feats[s0] = np.array(rows, dtype=object)
    by = {s0: Subspace.kernel(M[1:] - M[0]) for s0, M in feats.items()}
    allM = np.concatenate(list(feats.values()))
    return by, Subspace.kernel(allM[1:] - allM[0])


def bench_enumeration(args):
    print("enumeration: trajectory classes vs brute-force enumeration (reference)")
    base = examples.random_mdp(6, 2, support=2, seed=1, n_starts=2, gamma="4/5")
    last = None
    for H in range(2, 12):
        m = base.replace(horizon=H)
        n_traj = sum(1 for _ in enumerate_trajectories(m, H))
        (by_b, sh_b), tb = timed(lambda: enumerated_classes(m))
        (by, inter, sh), tf = timed(lambda: trajectory_classes(m), repeat=3)
        assert sh.equals(sh_b) and all(by[s].equals(by_b[s]) for s in by)
        last = (H, n_traj, tb, tf)
        print(f"  H = {H:2d}: {n_traj:7d} trajectories, enumeration {tb:8.3f} s, "
              f"potential recursion {tf:7.4f} s, speed-up {tb / tf:8.1f}x", flush=True)
        if tb > args.enum_budget:
            break
    H, n_traj, tb, tf = last
    record("enumeration", f"brute force, H = {H} ({n_traj} trajectories)", tb)
    record("enumeration", f"trajectory_classes (recursion), H = {H}", tf,
           note=f"speed-up {tb / tf:.0f}x (same classes)")


def bench_dense(args):
    print("dense: backward recursion vs dense Gamma null space (random_mdp(20, 4), H = 40)")
    m = examples.random_mdp(20, 4, support=2, seed=2, horizon=40, gamma="9/10")
    mf = m.to_float()
    Kf, tf = timed(lambda: policy_class(mf), repeat=3)
    Kdf, tdf = timed(lambda: _policy_class_dense(mf))
    assert Kf.dim == Kdf.dim
    record("dense", "recursion, float", tf)
    record("dense", "baseline: dense Gamma null space, float", tdf,
           note=f"recursion {tdf / tf:.0f}x faster (dim K = {Kf.dim})")
    Ke, te = timed(lambda: policy_class(m))
    record("dense", "recursion, exact", te)
    if args.skip_slow:
        print("  (exact dense baseline skipped: --skip-slow)")
        return
    small = m.replace(horizon=args.dense_exact_horizon)
    Ks, ts = timed(lambda: policy_class(small))
    Kd, td = timed(lambda: _policy_class_dense(small))
    assert Ks.equals(Kd)
    record("dense", f"recursion, exact, H = {small.horizon}", ts)
    record("dense", f"baseline: dense Gamma null space, exact, H = {small.horizon}", td,
           note=f"recursion {td / ts:.0f}x faster")


CASES = {"grid100": bench_grid100, "grid30": bench_grid30, "random200": bench_random200,
         "enumeration": bench_enumeration, "dense": bench_dense}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--only", nargs="+", choices=sorted(CASES), help="run only these cases")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    p.add_argument("--enum-budget", type=float, default=10.0,
                   help="stop growing H once enumeration takes longer than this (s)")
    p.add_argument("--dense-exact-horizon", type=int, default=10,
                   help="horizon of the exact dense baseline (it is slow)")
    p.add_argument("--skip-slow", action="store_true", help="skip the slowest baselines")
    p.add_argument("--json", action="store_true", help="print the rows as JSON at the end")
    args = p.parse_args(argv)
    try:
        import flint  # noqa: F401
        backend = "python-flint " + flint.__version__
    except ImportError:
        backend = "sympy only (install python-flint for faster exact elimination)"
    print(f"identifiability {idf.__version__}; exact backend: {backend}; numpy {np.__version__}")
    for name in (args.only or list(CASES)):
        CASES[name](args)
    missed = [r for r in ROWS if r["meets_target"] is False]
    print(f"\n{sum(r['meets_target'] is True for r in ROWS)} targets met, {len(missed)} missed")
    if args.json:
        json.dump(ROWS, sys.stdout, indent=1)
        print()
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
