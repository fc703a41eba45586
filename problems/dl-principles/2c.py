"""dl-principles: an MNIST network checked against the question's constraints.

There is no single reference network: the submitted class is run in the
sandbox on a (2, 1, 28, 28) batch and must map it to 10 outputs, meet the
stated limits (hidden units = outputs of every Linear but the last), and
pass gradients to every parameter. Its claimed accuracy needs a training run
with the data set, which this release leaves to the reviewer."""
from dlcheck.reference import Reference


def solve(given):
    return {"model": Reference({"class": None, "args": {}, "input": given["input"], "output_shape": given["output"],
                                "constraints": given["constraints"]},
                               [f"input {given['input']} → output {given['output']}; constraints {given['constraints']}"])}
