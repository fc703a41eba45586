"""dl-principles 1a: a ReLU network initialised to zero does not learn.

Worked solution, by experiment: with every weight 0, each hidden
pre-activation is 0 and ReLU'(0) = 0 (torch's convention), so no gradient
reaches any hidden weight. We train the zero-initialised network on the circle
data and record the largest hidden-weight gradient ever seen: exactly 0. Only
the output bias moves, so the loss can only fall to that of a constant guess."""
from torch import nn

from dlcheck.reference import Reference

from ._lib.toy import train


def solve(given):
    args = {k: given[k] for k in ("hidden", "samples", "radius", "steps", "learning_rate", "seed")}
    zero = train(activation=nn.ReLU, zero_init=True, **args)
    rand = train(activation=nn.ReLU, zero_init=False, **args)
    learns = zero.max_hidden_grad > 0 and zero.last_loss < zero.constant_loss - 1e-3
    return {
        "learns": Reference(learns, [
            f"zero init: largest |∂L/∂W| of a hidden layer over {given['steps']} steps = {zero.max_hidden_grad:g}",
            f"zero init: loss {zero.first_loss:.4f} → {zero.last_loss:.4f}; a constant guess scores "
            f"{zero.constant_loss:.4f}",
            f"random init, same training: loss {rand.first_loss:.4f} → {rand.last_loss:.4f}",
        ]),
    }
