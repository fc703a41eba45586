"""dl-principles 2e: an MNIST MLP with 1000 hidden units in at least 3 hidden layers, run in the sandbox and checked against those limits
(no single reference network); the claimed accuracy is checked by re-training that model
(`check: claim`: its reference is made from given.claims by the check)."""
from dlcheck.nnkit.trace import constraints_reference


def solve(given):
    return constraints_reference(given)
