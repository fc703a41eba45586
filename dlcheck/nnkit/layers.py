"""Build small Keras-style layer lists as torch modules and read off what
homework tables ask for: each layer's output shape and parameter count."""
from __future__ import annotations

import torch
from torch import nn


def build(spec: list, input_shape: list, dims: int) -> list[tuple[str, nn.Module]]:
    """spec items: [conv, filters, kernel] | [pool, size] | [flatten] | [dense, units]
    ('valid' padding, biases on, as Keras does by default); input_shape is
    channels-first (C, L) or (C, H, W)."""
    conv = nn.Conv1d if dims == 1 else nn.Conv2d
    pool = nn.MaxPool1d if dims == 1 else nn.MaxPool2d
    layers, channels, width = [], input_shape[0], None
    for item in spec:
        kind = item[0]
        if kind == "conv":
            layers.append((f"Conv{dims}D({item[1]}, {item[2]})", conv(channels, item[1], item[2])))
            channels = item[1]
        elif kind == "pool":
            layers.append((f"MaxPool{dims}D({item[1]})", pool(item[1])))
        elif kind == "flatten":
            layers.append(("Flatten", nn.Flatten()))
        elif kind == "dense":
            layers.append((f"Dense({item[1]})", nn.LazyLinear(item[1])))
        else:
            raise ValueError(f"unknown layer {kind!r}")
    model = nn.Sequential(*[m for _, m in layers])
    with torch.no_grad():
        model(torch.zeros(1, *input_shape))  # materialises the lazy Dense layers
    return layers


def table(layers, input_shape: list) -> list[tuple[str, tuple, int]]:
    """(name, output shape channels-last without batch, parameters) per layer."""
    rows, x = [], torch.zeros(1, *input_shape)
    with torch.no_grad():
        for name, module in layers:
            x = module(x)
            shape = tuple(x.shape[1:])
            channels_last = shape[1:] + shape[:1] if len(shape) > 1 else shape
            rows.append((name, channels_last, sum(p.numel() for p in module.parameters())))
    return rows


def references(given: dict, with_shapes: bool) -> dict:
    """The references of a "shapes and parameters per layer" question, as a solver returns them."""
    from dlcheck.solution import Reference

    layers = build(given["layers"], given["input"], dims=len(given["input"]) - 1)
    rows = table(layers, given["input"])
    params = [p for _, _, p in rows]
    weights_only = sum(sum(p.numel() for n, p in m.named_parameters() if n == "weight") for _, m in layers)
    listing = "; ".join(f"{name} → {'×'.join(map(str, shape))}, {p:,}" for name, shape, p in rows)
    out = {
        "params": Reference(params, [listing], rules={"weighted_layers_only": [p for p in params if p]}),
        "total_params": Reference(sum(params), [" + ".join(str(p) for p in params if p) + f" = {sum(params):,}"],
                                  rules={"no_bias": weights_only}),
    }
    if with_shapes:
        out["shapes"] = Reference([list(shape) for _, shape, _ in rows], [listing])
    return out
