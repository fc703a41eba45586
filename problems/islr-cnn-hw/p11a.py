"""islr-cnn-hw p11a: which batch-norm statements are false (only (a) is decided).

(a) says BN makes each batch faster. Count the floating-point operations of a
forward and backward pass of a layer with and without BN (torch's flop
counter): BN adds work, so (a) is false. (b)–(d) are judged by the reviewer."""
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from dlcheck.reference import Reference


def flops(model, batch, features):
    x = torch.randn(batch, features)
    with FlopCounterMode(display=False) as counter:
        model(x).sum().backward()
    return counter.get_total_flops()


def solve(given):
    f, b = given["layer"]["features"], given["layer"]["batch"]
    plain = flops(nn.Linear(f, f), b, f)
    with_bn = flops(nn.Sequential(nn.Linear(f, f), nn.BatchNorm1d(f)), b, f)
    false = [s for s in given["decided"] if s == "a" and with_bn >= plain]
    return {"false_statements": Reference(false, [
        f"FLOPs per batch without BN {plain:,}, with BN {with_bn:,}: BN never makes a batch cheaper, so (a) is false",
        "(b)–(d) are left to the reviewer"])}
