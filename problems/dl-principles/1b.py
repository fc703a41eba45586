"""dl-principles 1b: with sigmoids the zero-initialised network moves, but its
hidden units stay copies of each other.

Worked solution, by experiment: sigmoid(0) = 1/2, so gradients do reach the
hidden weights; yet every unit of a layer starts equal and receives the same
gradient, so after training the units of each layer are still identical
(largest difference between two units' weights: 0)."""
from torch import nn

from dlcheck.reference import Reference

from ._lib.toy import train


def solve(given):
    args = {k: given[k] for k in ("hidden", "samples", "radius", "steps", "learning_rate", "seed")}
    zero = train(activation=nn.Sigmoid, zero_init=True, **args)
    identical = zero.max_unit_spread == 0.0
    return {
        "hidden_units_identical": Reference(identical, [
            f"largest |∂L/∂W| of a hidden layer: {zero.max_hidden_grad:.3g} (the weights do move)",
            f"after {given['steps']} steps the largest difference between two units of a layer is "
            f"{zero.max_unit_spread:g}: every unit got the same gradient",
            f"loss {zero.first_loss:.4f} → {zero.last_loss:.4f} (a constant guess: {zero.constant_loss:.4f})",
        ]),
    }
