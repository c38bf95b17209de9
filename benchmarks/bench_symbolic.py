"""Benchmark: symbolic identifiability (issue 8 acceptance).

Run by hand: ``python benchmarks/bench_symbolic.py``.  Prints the time of
:func:`identifiability.symbolic.identify_symbolic` on

* a 3x3 slippery gridworld with symbolic slip ``p`` in ``(0, 1)`` and ``H = 2 T + 1``
  (``T`` the coverage time of the deterministic grid from the start);
* a 10-state random family with two parameters ``p, q`` in ``(0, 1)``;

each against the baseline of ONE exact rational :func:`identifiability.identify` at a
sample point, measured in the same run (the ratio says what deciding a whole family
costs relative to deciding one member).  Acceptance: each under 60 s.
"""

import time

import identifiability as idf
from identifiability.graph import coverage_time
from identifiability.symbolic import SymbolicMDP, identify_symbolic, random_family


def _time(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def main():
    det = idf.examples.gridworld(3, 3)
    T = coverage_time(det, start=0)
    H = 2 * T + 1
    grid = SymbolicMDP.with_slip(det, horizon=H)
    cases = [(f"gridworld 3x3, slip p, H = 2T+1 = {H}", grid),
             ("random family S=10, A=2, params (p, q), H = 6",
              random_family(10, 2, seed=0, horizon=6)),
             ("random family S=10, A=3, params (p, q), H = 8",
              random_family(10, 3, seed=1, horizon=8))]
    print(f"{'case':<48} {'symbolic s':>10} {'one exact s':>12} {'ratio':>8}  verdict")
    for name, m in cases:
        rep, ts = _time(lambda: identify_symbolic(m))
        mdp0 = m.substitute(rep.generic_point)
        _, te = _time(lambda: idf.identify(mdp0, m.horizon))
        verdict = ("strong" if rep.strong else "not strong") + \
            f", {len([e for e in rep.exceptional if e.kind != 'equation-only'])} exceptional" + \
            f", {len([e for e in rep.exceptional if e.kind == 'equation-only'])} undecided"
        print(f"{name:<48} {ts:>10.2f} {te:>12.3f} {ts / te:>8.1f}  {verdict}")
        assert ts < 60, f"{name}: {ts:.1f} s exceeds the 60 s acceptance bound"


if __name__ == "__main__":
    main()
