"""csc413-a2 4.3: weights, outputs and connections of PoolUpsampleNet.

Worked solution: build the network in torch for many numeric settings of
(NIC, NF, NC, k), count with forward hooks, and fit the counts exactly as a
polynomial in NIC, NF, NC with a k² factor where the kernel enters (rational
least squares); then confirm the formula on fresh settings it was not fitted
on. Doubling the input multiplies every output (and connection) by 4 and
leaves the weights alone — the fit finds that, nobody types it."""
import random

import sympy as sp
import torch
from torch import nn

from dlcheck.reference import Reference
from dlcheck.symkit import written

from ._lib.colour import PoolUpsampleNet

NIC, NF, NC, k = sp.symbols("NIC NF NC k", positive=True, integer=True)
CHANNEL_TERMS = [NIC * NF, NF ** 2, NF * NC, NC ** 2, NIC * NC, NIC ** 2, NIC, NF, NC, sp.Integer(1)]
MONOMIALS = [k ** 2 * m for m in CHANNEL_TERMS] + CHANNEL_TERMS


def count(nic, nf, nc, kernel, size):
    """(weights, conv outputs, connections, outputs of every layer) by torch."""
    model = PoolUpsampleNet(kernel, nf, nc, nic, bias=False)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    conv_out, all_out, hooks = [], [], []
    for m in model.modules():
        if not list(m.children()):
            hooks.append(m.register_forward_hook(
                lambda mod, inp, out: (conv_out if isinstance(mod, nn.Conv2d) else []).append(out[0].numel())
                or all_out.append(out[0].numel())))
    with torch.no_grad():
        model.eval()(torch.zeros(1, nic, size, size))
    weights = sum(c.weight.numel() for c in convs)
    connections = sum(units * c.kernel_size[0] * c.kernel_size[1] * c.in_channels
                      for units, c in zip(conv_out, convs))
    return weights, sum(conv_out), connections, sum(all_out)


def fit(samples, values):
    """Exact rational coefficients of MONOMIALS reproducing the counted values."""
    rows = [[m.subs({NIC: s[0], NF: s[1], NC: s[2], k: s[3]}) for m in MONOMIALS] for s in samples]
    A, b = sp.Matrix(rows), sp.Matrix(values)
    coeffs = (A.T * A).solve(A.T * b)
    return sp.expand(sum(c * m for c, m in zip(coeffs, MONOMIALS)))


def settings(given, rng, n):
    low, high = given["channel_range"]
    return [(rng.randint(low, high), rng.randint(low, high), rng.randint(low, high), rng.choice(given["kernels"]))
            for _ in range(n)]


def derive(given, size):
    rng = random.Random(size)
    train, check = settings(given, rng, given["samples"]), settings(given, rng, 6)
    counts = [count(*s, size) for s in train]
    formulas = [fit(train, [c[i] for c in counts]) for i in range(4)]
    for s in check:  # confirm on settings the fit never saw
        actual = count(*s, size)
        predicted = [f.subs({NIC: s[0], NF: s[1], NC: s[2], k: s[3]}) for f in formulas]
        assert list(actual) == predicted, f"the fitted counts miss {s}: {actual} vs {predicted}"
    return formulas


def solve(given):
    single, double = given["sizes"]["single"], given["sizes"]["double"]
    w1, o1, c1, every1 = derive(given, single)
    w2, o2, c2, every2 = derive(given, double)
    fitted = f"fitted exactly on {given['samples']} torch-counted settings and confirmed on 6 more"
    return {
        "weights": Reference(written(sp.factor(w1)), [f"Σ conv k²·C_in·C_out = {written(w1)} ({fitted})"]),
        "outputs": Reference(written(o1), [f"Σ conv output units at {single}×{single} = {written(o1)}"],
                             rules={"every_layer": written(every1)}),
        "connections": Reference(written(sp.factor(c1)), [f"Σ conv output units × k² × C_in = {written(c1)}"]),
        "weights_2x": Reference(written(sp.factor(w2)), [
            f"at {double}×{double}: {written(w2)}, the same as at {single}×{single}: "
            f"{'weights do not depend on the input size' if sp.expand(w2 - w1) == 0 else 'they change'}"],
            rules={"times_four": written(4 * w1)}),
        "outputs_2x": Reference(written(o2), [f"at {double}×{double}: {written(o2)} = {written(sp.simplify(o2 / o1))} × "
                                             f"the {single}×{single} count"],
                                rules={"every_layer": written(every2)}),
        "connections_2x": Reference(written(sp.factor(c2)), [f"at {double}×{double}: {written(c2)}"]),
    }
