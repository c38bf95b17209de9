"""PLACEHOLDER: being written."""
def _todo(*a, **k):
    raise NotImplementedError
boltzmann_policy = bradley_terry_probability = optimal_actions = optimal_values = _todo
policy_evaluation = soft_policy = soft_value_iteration = soft_values = _todo
state_action_occupancy = state_occupancy = trajectory_return = _todo
