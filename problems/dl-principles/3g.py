"""dl-principles: an MNIST network checked against the question's constraints.

There is no single reference network: the submitted class runs in the sandbox
on a (2, 1, 28, 28) batch and must give 10 outputs, meet the stated limits
(hidden units = outputs of every Linear but the last) and pass gradients to
every parameter. The claimed accuracy needs a training run with the data set,
which this release leaves to the reviewer."""
from dlcheck.nnkit.trace import constraints_reference


def solve(given):
    return constraints_reference(given)
