"""Is a submitted network the reference network? Decided by what it computes.

The grader builds the reference network with random weights (BatchNorm's scale,
shift and running statistics too, so a missing BatchNorm cannot hide behind an
identity), draws an input for this check, and sends both to the sandbox; the
submission loads those weights, matched by order and shape, and reports its
outputs in eval and train mode and its gradients. Here, with the grader's own
torch, the reference is run the same way (sandbox.observe.behaviour) and the
two are compared. Code cannot pass without computing what the reference
computes on an input it never saw before; the layer trace is the feedback."""
from __future__ import annotations

import importlib
from dataclasses import dataclass

import numpy as np
import torch

from dlcheck import packages
from dlcheck.sandbox.observe import behaviour
from dlcheck.sandbox.tracer import concatenations, state_tensors, trace_with_order
from dlcheck.sandbox.wire import WireError, pack, unpack

OUTPUTS = (("eval", "in eval mode"), ("single", "for one sample alone in eval mode"), ("train", "in train mode"))


@dataclass
class Draw:
    """One check's reference side: the request for the sandbox and what the reference did."""

    request: dict
    observed: dict
    names: list             # the reference's parameter names, in the order the weights were sent


def reference_network(expected: dict) -> torch.nn.Module:
    """The reference class a solver named (`module:Class`, in dlcheck or in a problem set's own
    package, which the bank has registered), built with the part's arguments."""
    module_name, _, class_name = expected["network"].partition(":")
    if not module_name.startswith(("dlcheck.", f"{packages.ROOT}.")):
        raise ValueError(f"reference network {expected['network']!r} is neither dlcheck's nor a problem set's")
    return getattr(importlib.import_module(module_name), class_name)(**expected["args"])


def draw(expected: dict, source: str, seed: int) -> Draw:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)            # small tensors: more threads only wait for each other
    try:
        return _draw(expected, source, seed)
    finally:
        torch.set_num_threads(threads)


def _draw(expected: dict, source: str, seed: int) -> Draw:
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = reference_network(expected)
    _randomise(model, generator)
    x = torch.randn(*expected["input"], generator=generator)
    model.eval()
    with torch.no_grad():
        rows, _, order = trace_with_order(model, x)
    state = state_tensors(model, order)
    request = {"op": "module", "source": source, "class": expected["class"], "args": expected["args"],
               "input": pack(x), "reference_state": [pack(t) for _, t in state],
               "reference_cats": concatenations(rows, state)}
    observed = behaviour(model, x, order)
    names = [name for name, t in state if isinstance(t, torch.nn.Parameter)]
    return Draw(request, observed, names)


def _randomise(model: torch.nn.Module, generator: torch.Generator) -> None:
    """BatchNorm layers start as the identity in eval mode; give them a scale, a shift
    and running statistics of their own so that leaving one out shows."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                for name in ("weight", "running_var"):
                    tensor = getattr(module, name)
                    if tensor is not None:
                        tensor.copy_(0.5 + torch.rand(tensor.shape, generator=generator))
                for name in ("bias", "running_mean"):
                    tensor = getattr(module, name)
                    if tensor is not None:
                        tensor.copy_(0.3 * torch.randn(tensor.shape, generator=generator))


def compare(got: dict, want: dict, names: list) -> list:
    """How the submission's behaviour differs from the reference's, in words (empty: it does not).
    Raises WireError when the observations are malformed."""
    problems = []
    for key, words in OUTPUTS:
        mine, theirs = unpack(got[key]), unpack(want[key])
        if mine.shape != theirs.shape:
            problems.append(f"{words} the output has shape {list(mine.shape)}, the reference's "
                            f"{list(theirs.shape)}")
        elif not _close(mine, theirs):
            problems.append(f"with the reference's weights, the output differs from the reference's {words}")
    grads = got["grads"]
    if not isinstance(grads, list) or len(grads) != len(want["grads"]):
        raise WireError("gradients missing")
    wrong = [name for name, mine, theirs in zip(names, grads, want["grads"])
             if not _close(unpack(mine), unpack(theirs), tolerance=1e-2)]
    if wrong and not problems:
        problems.append(f"the outputs match but the gradients differ for {', '.join(wrong[:5])}")
    return problems


def _close(mine: np.ndarray, theirs: np.ndarray, tolerance: float = 1e-3) -> bool:
    if mine.shape != theirs.shape:
        return False
    scale = max(1.0, float(np.abs(theirs).max(initial=0.0)))
    return bool(np.all(np.isfinite(mine)) and np.allclose(mine, theirs, rtol=tolerance, atol=tolerance * 1e-1 * scale))
