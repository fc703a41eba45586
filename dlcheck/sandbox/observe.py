"""What the sandbox does with submitted code: run it and report what it did.

Nothing here judges. A check child loads the code, builds the model or calls
the function on inputs the grader drew for this check, and returns raw
observations (outputs, gradients, the layer trace, parameter shapes); the
grader compares them with references it computed itself. `behaviour` is the
one piece both sides run: the grader on its reference network, the child on
the submission, so the two observations are taken the same way.

Imported inside the sandbox (with torch and numpy only) and, for `behaviour`,
by the grader."""
from __future__ import annotations

import errno
import sys
import traceback
import types

import numpy as np
import torch
from torch import nn

from dlcheck.sandbox.tracer import concatenations, state_tensors, trace_with_order
from dlcheck.sandbox.wire import pack, unpack

FILENAME = "<submission>"
MAX_SOURCE = 200_000
MAX_OUTPUT_VALUES = 2_000_000        # values of one observed output (the reply stays small)
UNAVAILABLE = ("download", "pretrained", "urlopen", "cuda", "HTTP", "connect", "Network", "resolve",
               "No module named")


class SubmissionError(Exception):
    def __init__(self, **details):
        super().__init__(details.get("message", "error"))
        self.details = details


STAND_INS: set = set()     # what this check's code used that the sandbox stands in for
OPERATIONS: dict = {}      # op -> {"entry": "module:function"}: set by the worker from the box's settings


def dispatch(request: dict) -> dict:
    result = _dispatch(request)
    used = STAND_INS | set(getattr(sys.modules.get("torchvision"), "USED", ()) or ())
    return {**result, "stand_ins": sorted(used)} if used else result


def _dispatch(request: dict) -> dict:
    op = request.get("op")
    if op == "ping":
        return {}
    if op == "module":
        return observe_module(request)
    if op == "call":
        return call_function(request)
    if op in OPERATIONS:                # added by a layer above (training), named by the grader
        from dlcheck.sandbox.operations import call

        return call(OPERATIONS[op]["entry"], request)
    if op == "exec":  # for tests: run a snippet, report what it left in `result`
        namespace = load(request["source"])
        return {"result": repr(namespace.get("result"))[:500]}
    raise SubmissionError(message=f"unknown sandbox operation {op!r}")


# -- loading the code -------------------------------------------------------------
def load(source: str) -> dict:
    """Execute the submitted source in a fresh namespace (torch, nn, F and np preloaded,
    as in the notebooks the code comes from)."""
    if not isinstance(source, str) or len(source) > MAX_SOURCE:
        raise SubmissionError(message="the code is not text or is too long")
    import numpy as np

    namespace = {"__name__": "submission", "torch": torch, "nn": nn, "F": torch.nn.functional, "np": np}
    _without_a_gpu()
    try:
        code = compile(source, FILENAME, "exec")
    except SyntaxError as exc:
        raise SubmissionError(message=f"SyntaxError: {exc.msg}", line=exc.lineno, type="SyntaxError") from None
    run_submitted(lambda: exec(code, namespace))  # safe: a sandbox child, the only place submitted code runs
    return namespace


def _without_a_gpu() -> None:
    """Code written for a GPU (`net.cuda()`, `x.cuda()`) runs on the CPU when there is none: the
    checks are about the network, not the device; the verdict notes it."""
    if torch.cuda.is_available():
        return

    def stays(self, *args, **kwargs):
        STAND_INS.add(".cuda() (no GPU here: kept on the CPU)")
        return self
    nn.Module.cuda = stays
    torch.Tensor.cuda = stays


def run_submitted(action, keep: tuple = ()):
    """action(), with any failure of the submitted code as a SubmissionError (except `keep`)."""
    try:
        return action()
    except (SubmissionError, *keep):
        raise
    except BaseException as exc:  # noqa: BLE001 - every failure of submitted code is reported
        raise SubmissionError(**_describe(exc)) from None


def _describe(exc: BaseException) -> dict:
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == FILENAME:
            line = frame.lineno
    message = f"{type(exc).__name__}: {exc}"[:500]
    if isinstance(exc, OSError) and exc.errno in (errno.EFBIG, errno.ENOSPC):   # Python ignores SIGXFSZ
        return {"message": f"{message}: wrote more than the disk limit", "line": line, "type": "limit",
                "limit": "disk"}
    unavailable = any(word.lower() in message.lower() for word in UNAVAILABLE)
    return {"message": message, "line": line, "type": type(exc).__name__, "unavailable": unavailable}


def model_class(source: str, name: str | None):
    """A factory for the submitted network: `factory(**args)` builds a fresh nn.Module.

    With a name, the class (or function) of that name. Without one, what a notebook cell
    would leave: the last nn.Module class the source defines that builds without arguments,
    else the last function that builds one without arguments (`def ResNet18(): ...`), else a
    network the source builds at top level (`model = nn.Sequential(...)`), re-initialised
    for each build so that every seed starts from its own weights."""
    namespace = load(source)
    mine = [v for v in namespace.values() if getattr(v, "__module__", None) == "submission" and callable(v)]
    if name is not None:
        found = namespace.get(name)
        if callable(found) and (not isinstance(found, type) or issubclass(found, nn.Module)):
            return found
        raise SubmissionError(message=f"no nn.Module class named {name!r} (found: {_names(mine) or 'none'})",
                              type="missing class")
    classes = [v for v in mine if isinstance(v, type) and issubclass(v, nn.Module)]
    functions = [v for v in mine if isinstance(v, types.FunctionType) and _no_required_arguments(v)]
    for candidate in [c for c in reversed(classes) if _no_required_arguments(c.__init__, skip=1)] + \
            list(reversed(functions)):
        return _checked(candidate)
    built = [v for v in namespace.values() if isinstance(v, nn.Module) and _is_network(v)]
    if built:
        return _rebuilt(built[-1])
    if classes:
        return classes[-1]                       # it needs arguments: the error will say which
    raise SubmissionError(message=f"no nn.Module class, function returning a network, or network built at top "
                                  f"level (found: {_names(mine) or 'none'})", type="missing class")


def _is_network(module: nn.Module) -> bool:
    """A network, not a loss (`criterion = nn.CrossEntropyLoss()` is a module too) or a parameter-free helper."""
    return not isinstance(module, nn.modules.loss._Loss) and any(True for _ in module.parameters())


def _names(values) -> str:
    return ", ".join(getattr(v, "__name__", "?") for v in values)


def _no_required_arguments(function, skip: int = 0) -> bool:
    import inspect

    try:
        parameters = list(inspect.signature(function).parameters.values())[skip:]
    except (TypeError, ValueError):
        return False
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters)


def _checked(factory):
    """A factory whose product must be an nn.Module."""
    def build(**args):
        model = factory(**args) if isinstance(factory, type) else factory()
        if not isinstance(model, nn.Module):
            raise SubmissionError(message=f"{factory.__name__}() returned {type(model).__name__}, not a network",
                                  type="output")
        return model
    return build


def _rebuilt(model: nn.Module):
    """Fresh copies of a network built at top level, with new weights from the current seed."""
    import copy

    def build(**args):
        fresh = copy.deepcopy(model)
        for module in fresh.modules():
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()
        return fresh
    return build


# -- networks -----------------------------------------------------------------------
def observe_module(request: dict) -> dict:
    """The submitted network: its trace and parameters, and, when the grader sent the
    reference's weights, its behaviour with those weights loaded."""
    build = model_class(request["source"], request.get("class"))
    torch.manual_seed(0)
    model = run_submitted(lambda: build(**request.get("args", {})))
    if not isinstance(model, nn.Module):
        raise SubmissionError(message="the class did not build an nn.Module", type="output")
    x = torch.as_tensor(unpack(request["input"]).copy())
    model.eval()                                   # the trace must not move BatchNorm's statistics
    with torch.no_grad():
        rows, out, order = run_submitted(lambda: trace_with_order(model, x))
    if not isinstance(out, torch.Tensor):
        raise SubmissionError(message=f"forward returned {type(out).__name__}, not a tensor", type="output")
    observed = {"trace": rows, "output_shape": list(out.shape[1:]),
                "params": sum(p.numel() for p in model.parameters()),
                "state_shapes": [list(t.shape) for _, t in state_tensors(model, order)]}
    reference = request.get("reference_state")
    if reference is not None:
        state = state_tensors(model, order)
        values, moved = _reordered([unpack(s).copy() for s in reference], request.get("reference_cats") or [],
                                   concatenations(rows, state))
        loaded = load_state(model, order, values)
        observed["loaded"] = loaded
        if not loaded:
            return observed
        seen = run_submitted(lambda: behaviour(model, x, order))
        params = [i for i, (_, t) in enumerate(state) if isinstance(t, nn.Parameter)]
        for index, axis, taken in moved:          # gradients back in the reference's channel order
            k = params.index(index)
            grad = unpack(seen["grads"][k])
            restored = np.empty_like(grad)
            np.put_along_axis(restored, _along(taken, axis, grad.ndim), grad, axis=axis)
            seen["grads"][k] = pack(restored)
        observed.update(seen)
        return observed
    observed.update(run_submitted(lambda: behaviour(model, x, order)))
    return observed


def _along(taken, axis: int, ndim: int):
    shape = [1] * ndim
    shape[axis] = len(taken)
    return taken.reshape(shape)


def _reordered(reference: list, theirs: list, mine: list) -> tuple[list, list]:
    """The reference's weights, with the input channels of each layer that takes in a
    concatenation reordered to the order in which the submission concatenates the same blocks
    (`cat([x, up])` where the reference has `cat([up, x])` is the same network)."""
    moved = []
    for ref_cat, my_cat in zip(theirs, mine):
        blocks, order = _blocks(ref_cat), _blocks(my_cat)
        if blocks == order or sorted(blocks) != sorted(order) or ref_cat["weight"] != my_cat["weight"]:
            continue
        starts = np.cumsum([0] + [size for size, _ in blocks])
        taken, pieces = set(), []
        for block in order:                    # each of my blocks: the reference's block of the same size and source
            i = next(k for k, b in enumerate(blocks) if b == block and k not in taken)
            taken.add(i)
            pieces.append(np.arange(starts[i], starts[i] + block[0]))
        taken = np.concatenate(pieces)
        reference[ref_cat["weight"]] = np.take(reference[ref_cat["weight"]], taken, axis=ref_cat["axis"])
        moved.append((ref_cat["weight"], ref_cat["axis"], taken))
    return reference, moved


def _blocks(cat: dict) -> list:
    """A concatenation's blocks as (size, source); without sources, by size alone."""
    sources = cat.get("sources") or [0] * len(cat["parts"])
    return [(int(size), int(source)) for size, source in zip(cat["parts"], sources)]


def load_state(model: nn.Module, order: list, reference: list) -> str | None:
    """Copy the reference's parameters and running statistics into the model, matched by
    order and shape: in the order the modules run, else in the order they were defined.
    Returns the order that matched, or None."""
    wanted = [list(a.shape) for a in reference]
    for how, modules in (("order of use", order), ("order of definition", list(model.modules()))):
        mine = state_tensors(model, modules)
        if [list(t.shape) for _, t in mine] == wanted:
            with torch.no_grad():
                for (_, tensor), value in zip(mine, reference):
                    tensor.copy_(torch.as_tensor(value.copy(), dtype=tensor.dtype))
            return how
    return None


def behaviour(model: nn.Module, x: torch.Tensor, order: list) -> dict:
    """Outputs in eval mode (the batch, and its first sample alone), then in train mode
    with the gradients of mean(output²) for every parameter, in `order`."""
    model.eval()
    with torch.no_grad():
        evaluated = model(x)
        single = model(x[:1])
    model.train()
    model.zero_grad(set_to_none=True)
    trained = model(x)
    trained.float().pow(2).mean().backward()
    params = [(name, t) for name, t in state_tensors(model, order) if isinstance(t, nn.Parameter)]
    # never reached by backward (unused, detached); an all-zero gradient may be a dead ReLU on this input
    no_grad = [name for name, p in params if p.requires_grad and p.grad is None]
    grads = [p.grad if p.grad is not None else torch.zeros_like(p) for _, p in params]
    return {"eval": _packed(evaluated), "single": _packed(single), "train": _packed(trained),
            "grads": [pack(g.float()) for g in grads], "no_grad": no_grad[:20]}


def _packed(output) -> dict:
    if not isinstance(output, torch.Tensor):
        raise SubmissionError(message=f"forward returned {type(output).__name__}, not a tensor", type="output")
    if output.numel() > MAX_OUTPUT_VALUES:
        raise SubmissionError(message=f"the output has {output.numel():,} values", type="output")
    return pack(output.detach().float())


# -- functions ------------------------------------------------------------------------
STATE = "$state"          # an argument slot that stands for the session's state dictionary


def call_function(request: dict) -> dict:
    """Call the submitted function as each session says (the grader's inputs; one state
    dictionary threaded through a session's calls) and report what it returned and what
    the state held after each call."""
    import numpy as np

    fn = load(request["source"]).get(request["function"])
    if not callable(fn):
        raise SubmissionError(message=f"no function named {request['function']!r}", type="missing function")
    sessions = []
    for session in request["sessions"]:
        state = {k: unpack(v).copy() for k, v in session["state"].items()}
        calls = []
        for call in session["calls"]:
            args = [state if isinstance(a, str) and a == STATE else (unpack(a).copy() if isinstance(a, dict) else a) for a in call]
            got = run_submitted(lambda: fn(*args))
            calls.append({"output": _array(got, np), "state": {k: _array(state.get(k), np) for k in session["state"]}})
        sessions.append(calls)
    return {"sessions": sessions}


def _array(value, np):
    """A returned value as a packed float array, or None when it is not an array of numbers."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return pack(array) if array.size <= MAX_OUTPUT_VALUES else None
