"""convnets-hw3 q3a: output shapes and parameters per layer of a Keras-style CNN.

Worked solution: build the same layers in torch ('valid' padding, biases on)
and read each layer's output shape (channels last, as Keras prints it) and
its parameter count; the total is their sum. Variants derived the same way:
the list of only the layers that have parameters, and the total without biases."""
from dlcheck.nnkit.layers import references


def solve(given):
    return references(given, with_shapes=True)
