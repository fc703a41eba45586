"""A reference network's summary for a `code` part: how to build it, and the
layer trace a submission's is set against (the same tracer runs inside the
sandbox on submitted networks: dlcheck/sandbox/tracer.py)."""
from __future__ import annotations

import torch
from torch import nn

from dlcheck.sandbox.tracer import trace


def reference_summary(model: nn.Module, input_shape: list, cls: str, args: dict) -> dict:
    """What a `code` part's reference holds: how to call the class, which of dlcheck's classes is
    the reference (the grader builds it to compare behaviour), and what it should produce."""
    torch.manual_seed(0)
    with torch.no_grad():
        rows, out = trace(model.eval(), torch.zeros(*input_shape))
    network = f"{type(model).__module__}:{type(model).__qualname__}"
    return {"class": cls, "args": args, "input": list(input_shape), "network": network, "trace": rows,
            "output_shape": list(out.shape[1:]), "params": sum(p.numel() for p in model.parameters())}


def constraints_reference(given: dict) -> dict:
    """The reference of a `code` part with no single right network: the input,
    the output shape and the question's constraints, all read from the spec."""
    from dlcheck.solution import Reference

    return {"model": Reference({"class": None, "args": {}, "input": given["input"], "output_shape": given["output"],
                                "constraints": given["constraints"]},
                               [f"input {given['input']} → output {given['output']}; "
                                f"constraints {given['constraints'] or 'none beyond the shapes'}"])}
