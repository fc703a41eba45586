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
    _forward_with_hooks(model, input_shape, lambda m: isinstance(m, (nn.Conv1d, nn.Conv2d)),
                        lambda name, mod, o: out.append(o[0].numel() * mod.weight[0].numel()))
    return out


def _forward_with_hooks(model: nn.Module, input_shape, wanted, record) -> None:
    """One forward pass of a zero sample, calling record(name, module, output) for wanted modules."""
    hooks = [m.register_forward_hook(lambda mod, inp, o, name=name: record(name, mod, o))
             for name, m in model.named_modules() if wanted(m)]
    try:
        with torch.no_grad():
            model.eval()(torch.zeros(1, *input_shape))
    finally:
        for h in hooks:
            h.remove()


def layer_outputs(model: nn.Module, input_shape, layer_types=None) -> list[tuple[str, tuple, int]]:
    """(layer name, output shape without the batch, output units) for every
    leaf layer, in execution order, found with forward hooks on one sample."""
    seen: list[tuple[str, tuple, int]] = []

    def wanted(m):  # leaves only: containers' leaves report
        return not list(m.children()) and (not layer_types or isinstance(m, layer_types))

    _forward_with_hooks(model, input_shape, wanted,
                        lambda name, mod, out: seen.append((name, tuple(out.shape[1:]), out[0].numel())))
    return seen
