"""islr-cnn-hw p10a: VGG16 activations and parameters per layer, without biases.

Worked solution: build configuration D in torch (bias=False) and read each
layer's output units and weights with forward hooks; the with-bias counts of
the known mistake come from the same network built with biases."""
from torch import nn

from dlcheck.nnkit import layer_outputs
from dlcheck.reference import Reference


def vgg16(config, fc, in_channels, side, bias):
    layers, c = [], in_channels
    for item in config:
        if item == "M":
            layers.append(nn.MaxPool2d(2))
            side //= 2
        else:
            layers += [nn.Conv2d(c, item, 3, padding=1, bias=bias), nn.ReLU()]
            c = item
    layers.append(nn.Flatten())
    width = c * side * side
    for units in fc:
        layers += [nn.Linear(width, units, bias=bias), nn.ReLU()]
        width = units
    return nn.Sequential(*layers[:-1])


def per_layer(model, input_shape):
    kinds = (nn.Conv2d, nn.MaxPool2d, nn.Linear)
    units = [u for _, _, u in layer_outputs(model, input_shape, kinds)]
    params = [sum(p.numel() for p in m.parameters()) for m in model if isinstance(m, kinds)]
    return units, params


def solve(given):
    c, h, _ = given["input"]
    units, params = per_layer(vgg16(given["config"], given["fc"], c, h, bias=False), given["input"])
    _, with_bias = per_layer(vgg16(given["config"], given["fc"], c, h, bias=True), given["input"])
    return {
        "params": Reference(params, ["3·3·C_in·C_out per conv, C_in·C_out per FC, no biases"],
                            rules={"with_biases": with_bias}),
        "activations": Reference(units, ["output units H·W·C of each conv/pool layer, units of each FC"]),
        "total_params": Reference(sum(params), [f"Σ = {sum(params):,}"], rules={"with_biases": sum(with_bias)}),
    }
