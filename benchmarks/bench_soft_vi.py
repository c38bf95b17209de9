"""Benchmark: finite-horizon soft value iteration, sparse (ours) against dense numpy.

Builds a ``size x size`` gridworld with 5 actions (up/down/left/right/stay) and a
slip probability (each ``(s, a)`` has up to 5 successors), a random ``(S, A)``
reward, and horizon ``H``.  In the same run it times

* ours: :func:`identifiability.soft_value_iteration` (sparse ``P V`` through
  :meth:`MDP.expectation`, vectorised log-sum-exp);
* baseline: a straightforward dense implementation, ``P`` as a dense
  ``(S*A, S)`` float64 matrix, ``Q = r + gamma * (P @ V)`` and a log-sum-exp per step.

It checks that both give the same policy (``allclose``) and prints both times and
the ratio.  With the default ``--size 100`` the dense ``P`` takes 4 GB.

Run by hand (not by CI), with the package installed or ``PYTHONPATH`` at the repo root, e.g.::

    OMP_NUM_THREADS=1 python benchmarks/bench_soft_vi.py
    OMP_NUM_THREADS=1 python benchmarks/bench_soft_vi.py --size 30 --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

import identifiability as idf


def build_gridworld(size, slip, horizon):
    """The benchmark MDP, from the example registry when available."""
    try:
        from identifiability.examples import gridworld
    except ImportError:  # the registry is optional for this script
        gridworld = None
    if gridworld is not None:
        return gridworld(size, size, stay=True, slip=slip, gamma=1, horizon=horizon)
    # Fallback: the same construction through MDP.from_entries.
    S, A = size * size, 5
    x, y = np.arange(S) % size, np.arange(S) // size
    moves = [(0, -1), (0, 1), (-1, 0), (1, 0), (0, 0)]
    intended = np.stack([np.clip(y + dy, 0, size - 1) * size + np.clip(x + dx, 0, size - 1)
                         for dx, dy in moves], axis=1)
    s = np.repeat(np.arange(S), A)
    a = np.tile(np.arange(A), S)
    s_all = np.concatenate([s, np.repeat(s, A)])
    a_all = np.concatenate([a, np.repeat(a, A)])
    sn_all = np.concatenate([intended.reshape(-1),
                             intended[np.repeat(s, A), np.tile(np.arange(A), S * A)]])
    p_all = np.concatenate([np.full(S * A, 1.0 - slip), np.full(S * A * A, slip / A)])
    return idf.MDP.from_entries((s_all, a_all, sn_all, p_all), S, A, gamma=1, horizon=horizon,
                                sum_duplicates=True)


def dense_soft_vi(P_dense, r, gamma, horizon, lam):
    """The textbook dense implementation: ``(S*A, S) @ (S,)`` per step."""
    S, A = r.shape
    V = np.zeros(S)
    policy = np.empty((horizon, S, A))
    for t in range(horizon - 1, -1, -1):
        Q = r + gamma * (P_dense @ V).reshape(S, A)
        m = Q.max(axis=1, keepdims=True)
        e = np.exp((Q - m) / lam)
        z = e.sum(axis=1, keepdims=True)
        V = (m + lam * np.log(z))[:, 0]
        policy[t] = e / z
    return policy


def timed(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=100, help="grid side (S = size^2), default 100")
    ap.add_argument("--horizon", type=int, default=100, help="number of decisions H")
    ap.add_argument("--slip", type=float, default=0.1, help="slip probability")
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=5, help="runs of ours (median reported)")
    ap.add_argument("--dense-repeat", type=int, default=1, help="runs of the dense baseline")
    ap.add_argument("--no-dense", action="store_true", help="skip the dense baseline")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)

    mdp = build_gridworld(args.size, args.slip, args.horizon)
    S, A = mdp.n_states, mdp.n_actions
    rng = np.random.default_rng(0)
    r = rng.normal(size=(S, A))

    ours_s, sol = timed(lambda: idf.soft_value_iteration(mdp, r, temperature=args.temperature),
                        args.repeat)
    result = {
        "states": S, "actions": A, "horizon": args.horizon, "nnz": mdp.n_transitions,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "ours_seconds": ours_s,
    }
    if not args.no_dense:
        t0 = time.perf_counter()
        s, a, sn, p = mdp.entries(exact=False)
        P_dense = np.zeros((S * A, S))
        P_dense[s * A + a, sn] = p  # entries are unique per (s, a, s')
        result["dense_build_seconds"] = time.perf_counter() - t0
        result["dense_matrix_gb"] = P_dense.nbytes / 1e9
        dense_s, pi_dense = timed(lambda: dense_soft_vi(P_dense, r, float(mdp.gamma),
                                                        args.horizon, args.temperature),
                                  args.dense_repeat)
        del P_dense
        result["dense_seconds"] = dense_s
        result["ratio_dense_over_ours"] = dense_s / ours_s
        result["max_abs_policy_diff"] = float(np.abs(pi_dense - sol.policy).max())
        result["policies_match"] = bool(np.allclose(pi_dense, sol.policy, rtol=1e-9,
                                                    atol=1e-12))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"gridworld {args.size}x{args.size}: S={S}, A={A}, nnz={mdp.n_transitions}, "
              f"H={args.horizon}, OMP_NUM_THREADS={result['omp_num_threads']}")
        print(f"  ours (sparse)   : {ours_s:8.3f} s  (median of {args.repeat})")
        if not args.no_dense:
            print(f"  dense numpy     : {result['dense_seconds']:8.3f} s  (median of "
                  f"{args.dense_repeat}; building the {result['dense_matrix_gb']:.1f} GB "
                  f"matrix took {result['dense_build_seconds']:.2f} s more)")
            print(f"  ratio dense/ours: {result['ratio_dense_over_ours']:8.1f}x")
            print(f"  same policy     : {result['policies_match']} "
                  f"(max |diff| = {result['max_abs_policy_diff']:.2e})")
    if not args.no_dense and not result["policies_match"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
