"""Counting what a network has and produces, by asking torch rather than by formula."""
from __future__ import annotations

import torch
from torch import nn


def parameter_count(model: nn.Module, trainable_only: bool = True) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def layer_outputs(model: nn.Module, input_shape, layer_types=None) -> list[tuple[str, tuple, int]]:
    """(layer name, output shape without the batch, output units) for every
    leaf layer, in execution order, found with forward hooks on one sample."""
    seen: list[tuple[str, tuple, int]] = []
    hooks = []
    for name, module in model.named_modules():
        if list(module.children()):
            continue  # containers: their leaves report
        if layer_types and not isinstance(module, layer_types):
            continue

        def record(mod, inputs, output, name=name):
            seen.append((name, tuple(output.shape[1:]), output[0].numel()))

        hooks.append(module.register_forward_hook(record))
    try:
        with torch.no_grad():
            model.eval()(torch.zeros(1, *input_shape))
    finally:
        for h in hooks:
            h.remove()
    return seen
