"""csc413-a2 3.2: neurons and parameters of a CNN and of its FC twin.

Worked solution: build both networks in torch and count. Neurons are the
output units of every layer after the input (conv/FC and pooling), read with
forward hooks; parameters are the weights (no biases). The known mistakes are
counted the same way on the mistaken network (valid padding, biases, only
conv/FC layers), so their feedback fires exactly when an answer equals them."""
from torch import nn

from dlcheck.nnkit import layer_outputs, parameter_count
from dlcheck.reference import Reference


class KeepShapeFC(nn.Module):
    """A fully connected layer that maps a C×H×W input to the same shape."""

    def __init__(self, shape, bias):
        super().__init__()
        self.shape = tuple(shape)
        units = self.shape[0] * self.shape[1] * self.shape[2]
        self.fc = nn.Linear(units, units, bias=bias)

    def forward(self, x):
        return self.fc(x.flatten(1)).view(-1, *self.shape)


def build(layers, input_shape, kernel, pool, *, fully_connected=False, padding=None, bias=False):
    """The layer list of the spec as an nn.Sequential (C×H×W tracked as we go)."""
    c, h, w = input_shape
    padding = kernel // 2 if padding is None else padding
    modules = []
    for layer in layers:
        if layer[0] == "pool":
            modules.append(nn.MaxPool2d(pool, stride=pool))
            h, w = h // pool, w // pool
        elif fully_connected:
            modules.append(KeepShapeFC((c, h, w), bias))
        else:
            modules.append(nn.Conv2d(c, layer[1], kernel, padding=padding, bias=bias))
            c, h, w = layer[1], h + 2 * padding - kernel + 1, w + 2 * padding - kernel + 1
    return nn.Sequential(*modules)


def neurons(model, input_shape, only=None):
    if only is None:
        return sum(units for _, _, units in layer_outputs(model, input_shape, (nn.Conv2d, nn.MaxPool2d, nn.Linear)))
    return sum(units for _, _, units in layer_outputs(model, input_shape, only))


def solve(given):
    shape, layers, k, pool = given["input"], given["cnn"], given["kernel"], given["pool"]
    cnn = build(layers, shape, k, pool)
    fcnn = build(layers, shape, k, pool, fully_connected=True)
    trace = layer_outputs(cnn, shape, (nn.Conv2d, nn.MaxPool2d))
    fc_trace = layer_outputs(fcnn, shape, (nn.Linear, nn.MaxPool2d))

    def listing(rows):
        return " + ".join(f"{units} ({'×'.join(map(str, out))})" if len(out) > 1 else str(units)
                          for _, out, units in rows)

    return {
        "cnn_neurons": Reference(neurons(cnn, shape), [
            f"'same' padding keeps H×W through each conv; pooling halves it: {listing(trace)}",
        ], rules={
            "valid_padding": neurons(build(layers, shape, k, pool, padding=0), shape),
            "conv_only": neurons(cnn, shape, only=(nn.Conv2d,)),
        }),
        "cnn_params": Reference(parameter_count(cnn), [
            "k·k·C_in·C_out per conv, no biases: "
            + " + ".join(str(m.weight.numel()) for m in cnn if isinstance(m, nn.Conv2d)),
        ], rules={"with_biases": parameter_count(build(layers, shape, k, pool, bias=True))}),
        "fcnn_neurons": Reference(neurons(fcnn, shape), [
            f"each FC layer keeps its input's shape; pooling halves H×W: {listing(fc_trace)}",
        ], rules={"fc_only": neurons(fcnn, shape, only=(nn.Linear,))}),
        "fcnn_params": Reference(parameter_count(fcnn), [
            "(C·H·W)² weights per FC layer, no biases: "
            + " + ".join(str(m.fc.weight.numel()) for m in fcnn if isinstance(m, KeepShapeFC)),
        ], rules={"with_biases": parameter_count(build(layers, shape, k, pool, fully_connected=True, bias=True))}),
    }
