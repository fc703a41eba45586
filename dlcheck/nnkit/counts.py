"""Counting what a network has and produces, by asking torch rather than by formula."""
from __future__ import annotations

import torch
from torch import nn


_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm, nn.GroupNorm)


def parameter_count(model: nn.Module, trainable_only: bool = True, biases: bool = True,
                    batchnorm: bool = True) -> int:
    """Parameters of a model; biases=False drops every bias, batchnorm=False
    drops normalisation layers' γ and β (homework conventions differ)."""
    total = 0
    for module in model.modules():
        if not batchnorm and isinstance(module, _NORMS):
            continue
        for name, p in module.named_parameters(recurse=False):
            if (p.requires_grad or not trainable_only) and (biases or name != "bias"):
                total += p.numel()
    return total


def conv_multiplications(model: nn.Module, input_shape) -> list[int]:
    """Multiplications of each convolution, H_out·W_out·C_out·k_h·k_w·C_in/groups,
    with the output sizes measured by a forward pass."""
    out = []
    hooks = [m.register_forward_hook(
        lambda mod, inp, o: out.append(o[0].numel() * mod.weight[0].numel()))
        for m in model.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d))]
    try:
        with torch.no_grad():
            model.eval()(torch.zeros(1, *input_shape))
    finally:
        for h in hooks:
            h.remove()
    return out


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
