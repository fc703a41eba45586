"""A network's layer-by-layer trace: every leaf module in the order it runs, and
every layer-like function called outside a module (`torch.relu(x)`,
`F.max_pool2d(x, 2)`, `torch.cat(...)` in a forward), with its output shape
and parameters. The same code traces the reference networks in the grader and
submitted ones inside the sandbox, so the two traces line up.

The trace is what a report shows about the layers; verdicts on networks with a
reference rest on behaviour (outputs with the reference's weights), never on
the trace alone."""
from __future__ import annotations

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

# function name -> the layer it stands for (by input rank where the module names differ)
FUNCTIONAL = {
    "relu": "ReLU", "relu_": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh", "leaky_relu": "LeakyReLU",
    "gelu": "GELU", "elu": "ELU", "softmax": "Softmax", "log_softmax": "LogSoftmax",
    "max_pool1d": "MaxPool1d", "_max_pool1d": "MaxPool1d", "max_pool2d": "MaxPool2d", "_max_pool2d": "MaxPool2d",
    "avg_pool1d": "AvgPool1d", "avg_pool2d": "AvgPool2d", "adaptive_avg_pool2d": "AdaptiveAvgPool2d",
    "interpolate": "Upsample", "upsample": "Upsample", "dropout": "Dropout", "dropout2d": "Dropout2d",
    "batch_norm": "BatchNorm", "linear": "Linear", "conv1d": "Conv1d", "conv2d": "Conv2d",
    "conv_transpose2d": "ConvTranspose2d", "flatten": "Flatten", "cat": "cat", "concat": "cat",
    "add": "add", "add_": "add", "__add__": "add", "__iadd__": "add", "__radd__": "add",
}


def _layer_name(func, args) -> str | None:
    name = FUNCTIONAL.get(getattr(func, "__name__", ""))
    if name == "BatchNorm" and args and isinstance(args[0], torch.Tensor):
        name = "BatchNorm2d" if args[0].dim() == 4 else "BatchNorm1d"
    return name


def _shape(output) -> list:
    return list(output.shape[1:]) if isinstance(output, torch.Tensor) else []


class _Functional(TorchFunctionMode):
    """Records layer-like functions called while no module is running (a module's own
    F.conv2d is the module's row, not another one)."""

    def __init__(self, tracer):
        super().__init__()
        self.tracer = tracer

    def __torch_function__(self, func, types, args=(), kwargs=None):
        output = func(*args, **(kwargs or {}))
        if self.tracer.depth == 0:
            self.tracer.made(output)
            name = _layer_name(func, args)
            if name:
                row = {"name": f"<{func.__name__}>", "type": name, "shape": _shape(output), "params": 0}
                if name == "cat":
                    self.tracer.concatenated(row, args, kwargs or {}, output)
                self.tracer.rows.append(row)
        return output


class _Tracer:
    def __init__(self, model: nn.Module):
        self.rows, self.depth, self.order = [], 0, []
        self.leaves = {id(m) for m in model.modules() if not list(m.children())}
        self.seen = set()
        self.cats = {}              # id(output of a concatenation) -> its row, until a layer takes it in
        self.layers_run = 0         # layers with parameters that have run so far
        self.made_after = {}        # id(tensor) -> layers_run when it was made (its place in the network)
        self.keep = []              # the tensors themselves, so that their ids stay theirs

    def made(self, tensor) -> None:
        if isinstance(tensor, torch.Tensor) and id(tensor) not in self.made_after:
            self.made_after[id(tensor)] = self.layers_run
            self.keep.append(tensor)

    def concatenated(self, row: dict, args, kwargs, output) -> None:
        """Which channel blocks a concatenation joined, in order (so that a network joining the
        same blocks in another order can still take the reference's weights)."""
        tensors = args[0] if args else kwargs.get("tensors", ())
        dim = kwargs.get("dim", args[1] if len(args) > 1 else 0)
        try:
            row["parts"] = [int(t.shape[dim]) for t in tensors]
            # where each block comes from: how many layers with parameters had run when it was made
            # (the network's input: 0), so that blocks of one size still tell apart
            row["sources"] = [self.made_after.get(id(t), 0) for t in tensors]
        except (TypeError, IndexError, AttributeError):
            return
        self.cats[id(output)] = row

    def before(self, name):
        def hook(module, inputs):
            if inputs and id(inputs[0]) in self.cats and id(module) in self.leaves:
                self.cats.pop(id(inputs[0]))["consumer"] = name
            if id(module) not in self.seen:
                self.seen.add(id(module))
                self.order.append(module)
            if id(module) in self.leaves:
                self.depth += 1
        return hook

    def after(self, name):
        def hook(module, inputs, output):
            if id(module) in self.leaves:
                self.depth -= 1
                params = sum(p.numel() for p in module.parameters(recurse=False))
                self.layers_run += bool(params)
                self.rows.append({"name": name, "type": type(module).__name__, "shape": _shape(output),
                                  "params": params})
            self.made(output)
        return hook


def trace(model: nn.Module, x: torch.Tensor) -> tuple[list, torch.Tensor]:
    """(rows, output) of one forward pass."""
    rows, output, _ = trace_with_order(model, x)
    return rows, output


def trace_with_order(model: nn.Module, x: torch.Tensor) -> tuple[list, torch.Tensor, list]:
    """(rows, output, the modules in the order they were first called)."""
    tracer = _Tracer(model)
    hooks = []
    for name, module in model.named_modules():
        hooks.append(module.register_forward_pre_hook(tracer.before(name)))
        hooks.append(module.register_forward_hook(tracer.after(name)))
    try:
        with _Functional(tracer):
            output = model(x)
    finally:
        for hook in hooks:
            hook.remove()
    return tracer.rows, output, tracer.order


def state_tensors(model: nn.Module, modules: list) -> list:
    """(name, tensor) of every parameter and floating-point buffer (BatchNorm's running
    statistics), module by module in the order given, then modules never reached."""
    names = {id(m): n for n, m in model.named_modules()}
    ordered = list(modules) + [m for m in model.modules() if all(m is not o for o in modules)]
    out = []
    for module in ordered:
        prefix = names.get(id(module), "?")
        for name, p in module.named_parameters(recurse=False):
            out.append((f"{prefix}.{name}".lstrip("."), p))
        for name, b in module.named_buffers(recurse=False):
            if b is not None and b.is_floating_point():
                out.append((f"{prefix}.{name}".lstrip("."), b))
    return out


def concatenations(rows: list, state: list) -> list:
    """For each concatenation a layer takes in: the blocks' sizes, and which entry of `state`
    (state_tensors' order) is that layer's weight, with the axis of its input channels."""
    where = {name: i for i, (name, _) in enumerate(state)}
    types = {row["name"]: row["type"] for row in rows}
    out = []
    for row in rows:
        weight = where.get(f"{row.get('consumer')}.weight")
        if "parts" in row and weight is not None:
            axis = 0 if types.get(row["consumer"], "").startswith("ConvTranspose") else 1
            out.append({"parts": row["parts"], "sources": row.get("sources"), "weight": weight, "axis": axis})
    return out
