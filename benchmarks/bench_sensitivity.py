"""Benchmark: a sensitivity sweep of 50 parameter values on a 100-state MDP (issue 6).

Acceptance: ``sensitivity_sweep`` over 50 myopia levels on a 100-state, 4-action MDP with
8 linear features (MCE model, gamma = 0.9) runs in under 30 s.

Baseline in the same run: the same fits by naive gradient descent (fixed step 1/L with
L the largest Hessian eigenvalue at theta = 0, stop at ||grad|| <= 1e-6 or 3000 steps),
timed on a subset of the values and compared per value.

Run by hand:  OPENBLAS_NUM_THREADS=1 python benchmarks/bench_sensitivity.py
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time  # noqa: E402

import numpy as np  # noqa: E402

import identifiability as idf  # noqa: E402
from identifiability.inference import MCEModel  # noqa: E402

S, A, D, GAMMA, N_VALUES, N_BASELINE = 100, 4, 8, 0.9, 50, 5


def setup():
    mdp = idf.examples.random_mdp(S, A, support=3, seed=0, exact=False, gamma=GAMMA)
    rng = np.random.default_rng(0)
    phi = rng.normal(size=(S, A, D))
    theta = rng.normal(size=D)
    return mdp, phi, theta, MCEModel(mdp, phi)


def naive_gradient_descent(model, data, max_steps=3000, gtol=1e-6):
    L = float(np.linalg.eigvalsh(model.hessian(np.zeros(model.dim))).max())
    theta = np.zeros(model.dim)
    for k in range(max_steps):
        _, g, _ = model._fgh(theta, data, 2)
        if np.linalg.norm(g) <= gtol:
            return theta, k
        theta = theta - g / L
    return theta, max_steps


def main():
    mdp, phi, theta, model = setup()
    deltas = np.linspace(0.0, 0.3, N_VALUES)
    humans = {float(d): idf.soft_policy(mdp.replace(gamma=GAMMA - d), phi @ theta)
              for d in deltas}

    def build(d):
        return model, theta, humans[d]

    t0 = time.perf_counter()
    res = idf.sensitivity_sweep(build, deltas)
    t_sweep = time.perf_counter() - t0
    t0 = time.perf_counter()
    fits = [model.fit(humans[float(d)]) for d in deltas[:N_BASELINE]]
    t_newton = (time.perf_counter() - t0) / N_BASELINE
    t0 = time.perf_counter()
    steps = []
    for d in deltas[:N_BASELINE]:
        th, k = naive_gradient_descent(model, model._prepare(humans[float(d)]))
        steps.append(k)
    t_gd = (time.perf_counter() - t0) / N_BASELINE
    print(f"sensitivity sweep: {N_VALUES} values, S={S}, A={A}, d={D}, gamma={GAMMA}: "
          f"{t_sweep:.2f} s ({t_sweep / N_VALUES * 1e3:.0f} ms/value; acceptance < 30 s: "
          f"{'PASS' if t_sweep < 30 else 'FAIL'})")
    print(f"  all bounds hold: {bool(res.holds.all())}; max error {res.error.max():.4g}, "
          f"max TV bound / error {np.nanmax(res.tv_bound[1:] / res.error[1:]):.3g}")
    print(f"  Newton fit alone: {t_newton * 1e3:.0f} ms/value "
          f"({np.mean([f.iterations for f in fits]):.1f} steps)")
    print(f"  baseline naive gradient descent: {t_gd * 1e3:.0f} ms/value "
          f"(mean {np.mean(steps):.0f} steps; {sum(k >= 3000 for k in steps)} hit the cap) "
          f"-> Newton is {t_gd / t_newton:.1f}x faster per fit")
    print(f"  projected naive sweep (fits only): {t_gd * N_VALUES:.1f} s")


if __name__ == "__main__":
    main()
