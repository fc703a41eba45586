"""A network's layer-by-layer trace: (name, type, output shape, parameters) of
every leaf module, in execution order. Used for reference models and, inside
the sandbox, for submitted ones, so both sides are traced the same way."""
from __future__ import annotations

import torch
from torch import nn


def trace(model: nn.Module, x: torch.Tensor) -> tuple[list[dict], torch.Tensor]:
    rows = []

    def recorder(name):
        def record(module, inputs, output):
            shape = list(output.shape[1:]) if isinstance(output, torch.Tensor) else []
            rows.append({"name": name, "type": type(module).__name__, "shape": shape,
                         "params": sum(p.numel() for p in module.parameters(recurse=False))})
        return record

    hooks = [m.register_forward_hook(recorder(name)) for name, m in model.named_modules() if not list(m.children())]
    try:
        out = model(x)
    finally:
        for h in hooks:
            h.remove()
    return rows, out


def reference_summary(model: nn.Module, input_shape: list, cls: str, args: dict) -> dict:
    """What a `code` part's reference holds: how to call the class, and what it should produce."""
    torch.manual_seed(0)
    rows, out = trace(model.eval(), torch.zeros(*input_shape))
    return {"class": cls, "args": args, "input": list(input_shape), "trace": rows,
            "output_shape": list(out.shape[1:]), "params": sum(p.numel() for p in model.parameters())}


def constraints_reference(given: dict) -> dict:
    """The reference of a `code` part with no single right network: the input,
    the output shape and the question's constraints, all read from the spec."""
    from dlcheck.reference import Reference

    return {"model": Reference({"class": None, "args": {}, "input": given["input"], "output_shape": given["output"],
                                "constraints": given["constraints"]},
                               [f"input {given['input']} → output {given['output']}; "
                                f"constraints {given['constraints'] or 'none beyond the shapes'}"])}
