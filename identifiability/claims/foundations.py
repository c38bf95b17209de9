"""Claims about the forward behavioural models (``identifiability.behaviour``) and the
brute-force oracles (``identifiability.reference``)."""

from __future__ import annotations

import numpy as np

from ..behaviour import soft_value_iteration
from ..theorems import Instance, register


def _mdp_reward_instances(*, extra=None, max_states=4, max_actions=3, arity=None,
                          horizon=None):
    """Instances with an MDP (finite or infinite horizon), a float reward ``R`` and the
    parameters drawn by ``extra`` (a dict of strategies)."""
    from hypothesis import strategies as st

    from ..testing import strategies as ist

    @st.composite
    def build(draw):
        mdp = draw(ist.mdps(max_states=max_states, max_actions=max_actions,
                            horizon=horizon if horizon is not None else st.one_of(
                                st.none(), st.integers(1, 4))))
        R = draw(ist.rewards(mdp, arity=arity))
        params = {k: draw(v) for k, v in (extra or {}).items()}
        return Instance(mdp, {"R": R}, params)

    return build()


def _shift_strategy():
    from hypothesis import strategies as st

    return _mdp_reward_instances(extra={"shift": st.floats(-10, 10),
                                        "temperature": st.sampled_from([0.5, 1.0, 2.0])})


@register("soft-policy-shift-invariance",
          statement="Adding a constant to the reward leaves the soft-optimal policy unchanged "
                    "at every step (finite and infinite horizon); the values shift by "
                    "c sum_{k < H - t} gamma^k (c / (1 - gamma) when H is infinite).",
          provenance="derived", area="foundations",
          tests=("tests/test_behaviour.py::test_soft_policy_shift_invariance",
                 "tests/test_behaviour.py::test_soft_policy_shift_invariance_needs_a_constant"),
          strategy=_shift_strategy)
def _soft_policy_shift_invariance(inst):
    mdp, R = inst.mdp, np.asarray(inst.reward("R"), dtype=float)
    c, lam = float(inst.array("shift")), float(inst.array("temperature"))
    sol = soft_value_iteration(mdp, R, temperature=lam)
    shifted = soft_value_iteration(mdp, R + c, temperature=lam)
    g = float(mdp.gamma)
    gap = float(np.abs(shifted.policy - sol.policy).max())
    if mdp.horizon is None:
        want = np.full_like(sol.v, c / (1 - g))
        tol = 1e-7 / (1 - g)
    else:
        H = mdp.horizon
        want = np.array([c * sum(g ** k for k in range(H - t)) for t in range(H + 1)])
        want = want[:, None] + 0 * sol.v
        tol = 1e-8 * max(1.0, abs(c)) * (H + 1)
    vgap = float(np.abs(shifted.v - sol.v - want).max())
    return gap <= 1e-7 and vgap <= tol, f"max policy change {gap:.2e}, value-shift error {vgap:.2e}"
