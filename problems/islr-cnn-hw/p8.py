"""islr-cnn-hw p8: a CIFAR-10 classifier, checked by running it (no reference weights).

The submitted class runs in the sandbox on a (2, 3, 32, 32) batch and must give
10 outputs and pass gradients to every parameter; code that needs pretrained
weights or a download gets a verdict that says so."""
from dlcheck.nnkit.trace import constraints_reference


def solve(given):
    return constraints_reference(given)
