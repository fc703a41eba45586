"""What the sandbox does with submitted code. Imported only by the sandbox
worker (inside the sandbox); nothing here ever runs in the grader."""
from __future__ import annotations

import traceback

import torch
from torch import nn

from dlcheck.nnkit.trace import trace

FILENAME = "<submission>"
MAX_SOURCE = 200_000
UNAVAILABLE = ("download", "pretrained", "urlopen", "cuda", "HTTP", "connect", "Network", "resolve",
               "No module named")


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
    if op == "function":
        return check_function(request)
    if op == "train":
        from dlcheck.training.rerun import rerun

        return rerun(request)
    if op == "exec":  # for tests: run a snippet, report what it printed
        namespace = load(request["source"])
        return {"result": repr(namespace.get("result"))[:500]}
    raise SubmissionError(message=f"unknown sandbox operation {op!r}")


def load(source: str) -> dict:
    """Execute the submitted source in a fresh namespace (torch, nn and F preloaded,
    as in the notebooks the code comes from)."""
    if not isinstance(source, str) or len(source) > MAX_SOURCE:
        raise SubmissionError(message="the code is not text or is too long")
    import numpy as np

    namespace = {"__name__": "submission", "torch": torch, "nn": nn, "F": torch.nn.functional, "np": np}
    try:
        code = compile(source, FILENAME, "exec")
    except SyntaxError as exc:
        raise SubmissionError(message=f"SyntaxError: {exc.msg}", line=exc.lineno, type="SyntaxError") from None
    run_submitted(lambda: exec(code, namespace))  # safe: this is the sandbox child, the only place submitted code runs
    return namespace


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
    unavailable = any(word.lower() in message.lower() for word in UNAVAILABLE)
    return {"message": message, "line": line, "type": type(exc).__name__, "unavailable": unavailable}


def model_class(source: str, name: str | None) -> type:
    """The submitted nn.Module class called `name` (None: the last one the source defines)."""
    namespace = load(source)
    defined = [v for v in namespace.values()
               if isinstance(v, type) and issubclass(v, nn.Module) and v.__module__ == "submission"]
    cls = (defined[-1] if defined else None) if name is None else namespace.get(name)
    if not isinstance(cls, type) or not issubclass(cls, nn.Module):
        names = [c.__name__ for c in defined]
        wanted = f"named {name!r} " if name else ""
        raise SubmissionError(message=f"no nn.Module class {wanted}(found: {', '.join(names) or 'none'})",
                              type="missing class")
    return cls


def check_module(request: dict) -> dict:
    cls = model_class(request["source"], request["class"])
    torch.manual_seed(0)
    model = run_submitted(lambda: cls(**request["args"]))
    x = torch.randn(*request["input"], generator=torch.Generator().manual_seed(1))
    rows, out = run_submitted(lambda: trace(model, x))
    if not isinstance(out, torch.Tensor):
        raise SubmissionError(message=f"forward returned {type(out).__name__}, not a tensor", type="output")
    run_submitted(lambda: out.float().pow(2).mean().backward())
    no_grad = [n for n, p in model.named_parameters() if p.requires_grad and (p.grad is None or not p.grad.any())]
    model.eval()
    with torch.no_grad():
        single = run_submitted(lambda: model(x[:1]))
        batch = run_submitted(lambda: model(x))[:1]
    return {
        "trace": rows,
        "output_shape": list(out.shape[1:]),
        "params": sum(p.numel() for p in model.parameters()),
        "no_grad": no_grad[:20],
        "batch_independent": bool(torch.allclose(single, batch, atol=1e-5, rtol=1e-4)),
    }


def reference_batchnorm(Z, gamma, beta, eps, cache_dict, beta_avg, mode):
    """Batch normalisation forward pass: batch statistics (and running averages)
    in train mode, the running averages in test mode."""
    import numpy as np

    if mode == "train":
        mu, var = Z.mean(axis=0), Z.var(axis=0)
        cache_dict["mu"] = beta_avg * cache_dict["mu"] + (1 - beta_avg) * mu
        cache_dict["var"] = beta_avg * cache_dict["var"] + (1 - beta_avg) * var
    else:
        mu, var = cache_dict["mu"], cache_dict["var"]
    return gamma * (Z - mu) / np.sqrt(var + eps) + beta


REFERENCE_FUNCTIONS = {"batchnorm": reference_batchnorm}


def check_function(request: dict) -> dict:
    """Run the submitted function and the reference on the same random inputs,
    in train then test mode, comparing outputs and the running averages."""
    import numpy as np

    namespace = load(request["source"])
    fn = namespace.get(request["function"])
    if not callable(fn):
        raise SubmissionError(message=f"no function named {request['function']!r}", type="missing function")
    reference = REFERENCE_FUNCTIONS[request["check"]]
    rng = np.random.default_rng(0)
    mismatches = []
    for case in range(int(request.get("cases", 5))):
        n, d = int(rng.integers(4, 9)), int(rng.integers(2, 6))
        gamma, beta = rng.normal(size=d), rng.normal(size=d)
        mine = {"mu": np.zeros(d), "var": np.ones(d)}
        theirs = {"mu": np.zeros(d), "var": np.ones(d)}
        for mode in ("train", "train", "test"):
            Z = rng.normal(size=(n, d)) * 3 + 1
            want = reference(Z.copy(), gamma, beta, 1e-5, mine, 0.9, mode)
            got = run_submitted(lambda: fn(Z.copy(), gamma, beta, 1e-5, theirs, 0.9, mode))
            if got is None or np.shape(got) != want.shape or not np.allclose(got, want, atol=1e-6):
                mismatches.append(f"case {case + 1}, {mode} mode: the output differs from the reference")
                break
            for key in ("mu", "var"):
                if not np.allclose(theirs.get(key), mine[key], atol=1e-8):
                    mismatches.append(f"case {case + 1}, {mode} mode: cache_dict[{key!r}] is not the running average")
                    break
    return {"cases": int(request.get("cases", 5)), "mismatches": mismatches[:5]}
