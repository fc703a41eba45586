"""islr-cnn-hw p6: LeNet-5 counts, from torch layers and the paper's C3 table.

C1: 6 maps of 28×28, each unit with 5·5 weights + 1 bias: connections =
units × (k² + 1). C3: each of the 16 maps has one bias and a 5×5 kernel per S2
map it reads (Table I). The largest layer is the one with most parameters."""
from torch import nn

from dlcheck.nnkit import parameter_count
from dlcheck.nnkit.shapes import conv_out
from dlcheck.reference import Reference


def solve(given):
    k, size = given["c1"]["kernel"], given["input"]
    c1 = nn.Conv2d(1, given["c1"]["maps"], k)
    side = conv_out(size, k)
    c1_units = side * side * given["c1"]["maps"]
    table = given["c3_table"]
    c3_convs = [nn.Conv2d(len(inputs), 1, given["c3"]["kernel"]) for inputs in table]
    c3 = sum(parameter_count(c) for c in c3_convs)
    full_c3 = parameter_count(nn.Conv2d(given["c1"]["maps"], given["c3"]["maps"], given["c3"]["kernel"]))
    layers = {"C1": parameter_count(c1), "C3": c3,
              "C5": parameter_count(nn.Conv2d(given["c3"]["maps"], given["c5"]["maps"], given["c5"]["kernel"])),
              "F6": parameter_count(nn.Linear(given["c5"]["maps"], given["f6"])),
              "output": parameter_count(nn.Linear(given["f6"], given["output"]))}
    largest = max(layers, key=layers.get)
    return {
        "c1_connections": Reference(c1_units * (k * k + 1), [
            f"{given['c1']['maps']} maps of {side}×{side} = {c1_units} units, each with {k}·{k} inputs + 1 bias"]),
        "c3_params": Reference(c3, [
            f"maps reading 3, 4, 6 S2 maps: {sum(len(t) == 3 for t in table)}, {sum(len(t) == 4 for t in table)}, "
            f"{sum(len(t) == 6 for t in table)}; Σ (25·inputs + 1) = {c3}"], rules={"full_connection": full_c3}),
        "largest_layer": Reference(largest, [", ".join(f"{n}: {p:,}" for n, p in layers.items())]),
    }
