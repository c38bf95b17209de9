"""Public testing helpers: hypothesis strategies for MDPs, rewards and policies.

Import :mod:`identifiability.testing.strategies` explicitly; it needs hypothesis
(``pip install identifiability[test]``).
"""
