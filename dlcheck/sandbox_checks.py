"""What the sandbox does with submitted code. Imported only by the sandbox
worker (inside the sandbox); nothing here ever runs in the grader."""
from __future__ import annotations

import traceback

import torch
from torch import nn

from dlcheck.nnkit.trace import trace

FILENAME = "<submission>"
MAX_SOURCE = 200_000
UNAVAILABLE = ("download", "pretrained", "urlopen", "cuda", "HTTP", "connect", "Network", "resolve")


class SubmissionError(Exception):
    def __init__(self, **details):
        super().__init__(details.get("message", "error"))
        self.details = details


def dispatch(request: dict) -> dict:
    op = request.get("op")
    if op == "ping":
        return {}
    if op == "module":
        return check_module(request)
    if op == "exec":  # for tests: run a snippet, report what it printed
        namespace = load(request["source"])
        return {"result": repr(namespace.get("result"))[:500]}
    raise SubmissionError(message=f"unknown sandbox operation {op!r}")


def load(source: str) -> dict:
    """Execute the submitted source in a fresh namespace (torch, nn and F preloaded,
    as in the notebooks the code comes from)."""
    if not isinstance(source, str) or len(source) > MAX_SOURCE:
        raise SubmissionError(message="the code is not text or is too long")
    namespace = {"__name__": "submission", "torch": torch, "nn": nn, "F": torch.nn.functional}
    try:
        code = compile(source, FILENAME, "exec")
    except SyntaxError as exc:
        raise SubmissionError(message=f"SyntaxError: {exc.msg}", line=exc.lineno, type="SyntaxError") from None
    _run(lambda: exec(code, namespace))  # safe: this is the sandbox child, the only place submitted code runs
    return namespace


def _run(action):
    try:
        return action()
    except SubmissionError:
        raise
    except BaseException as exc:  # noqa: BLE001 - every failure of submitted code is reported
        raise SubmissionError(**_describe(exc)) from None


def _describe(exc: BaseException) -> dict:
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == FILENAME:
            line = frame.lineno
    message = f"{type(exc).__name__}: {exc}"[:500]
    unavailable = any(word.lower() in message.lower() for word in UNAVAILABLE)
    return {"message": message, "line": line, "type": type(exc).__name__, "unavailable": unavailable}


def check_module(request: dict) -> dict:
    namespace = load(request["source"])
    cls = namespace.get(request["class"])
    if not isinstance(cls, type) or not issubclass(cls, nn.Module):
        names = [k for k, v in namespace.items() if isinstance(v, type) and issubclass(v, nn.Module)]
        raise SubmissionError(message=f"no nn.Module class named {request['class']!r} "
                                      f"(found: {', '.join(names) or 'none'})", type="missing class")
    torch.manual_seed(0)
    model = _run(lambda: cls(**request["args"]))
    x = torch.randn(*request["input"], generator=torch.Generator().manual_seed(1))
    rows, out = _run(lambda: trace(model, x))
    if not isinstance(out, torch.Tensor):
        raise SubmissionError(message=f"forward returned {type(out).__name__}, not a tensor", type="output")
    _run(lambda: out.float().pow(2).mean().backward())
    no_grad = [n for n, p in model.named_parameters() if p.requires_grad and (p.grad is None or not p.grad.any())]
    model.eval()
    with torch.no_grad():
        single = _run(lambda: model(x[:1]))
        batch = _run(lambda: model(x))[:1]
    return {
        "trace": rows,
        "output_shape": list(out.shape[1:]),
        "params": sum(p.numel() for p in model.parameters()),
        "no_grad": no_grad[:20],
        "batch_independent": bool(torch.allclose(single, batch, atol=1e-5, rtol=1e-4)),
    }

