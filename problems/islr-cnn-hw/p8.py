"""islr-cnn-hw p8: a CIFAR-10 classifier, checked by running it (no reference weights).

There is no single reference network: the submitted class is run in the
sandbox on a (2, 3, 32, 32) batch and must map it to 10 outputs and pass
gradients to every parameter; code that needs pretrained weights or a
download gets a verdict that says so."""
from dlcheck.reference import Reference


def solve(given):
    return {"model": Reference({"class": None, "args": {}, "input": given["input"], "output_shape": given["output"],
                                "constraints": given["constraints"]},
                               [f"input {given['input']} → output {given['output']}; constraints {given['constraints']}"])}
