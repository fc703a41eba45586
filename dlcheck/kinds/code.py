"""`code`: submitted Python source, run in the sandbox (never here) and judged
here, from what the sandbox observed, against references computed here.

- A network with a reference (csc413-a2 4.1, 5.1, 6.1): by behaviour. The
  reference's weights are loaded into the submission and both run on an input
  drawn for this check, in eval and train mode, gradients included
  (nnkit/behaviour.py). The two layer traces, aligned by sequence alignment so a
  missing or extra layer shows as such, are the feedback.
- A function with a reference (forward_batchnorm): called on inputs drawn here,
  outputs and the state it keeps compared with the reference's (nnkit/functions.py).
- Any network within a question's rules (hidden units, layers, parameter budget):
  the structure the code reports, its output shape and gradients.

Source that reaches for the checker itself (frames, ctypes, raw file
descriptors, process control) is refused before it is run."""
from __future__ import annotations

import difflib
import secrets

from dlcheck.verdict import CORRECT, ERROR, INCORRECT, REVIEW, TIMEOUT, InvalidAnswer, Outcome

AUTOMATIC = True
OPTIONS = ()   # spec keys beyond every part's (spec.COMMON_KEYS)
MEMOIZE = True          # one sandbox run per distinct submission (and sandbox mode, see memo_context)
MAX_SOURCE = 200_000
# what no model or function needs, and through which code could tamper with the process that
# reports on it: frames, the interpreter's internals, raw file descriptors, process control
TAMPERING_NAMES = {"__import__", "eval", "exec", "compile", "__builtins__", "breakpoint"}
TAMPERING_ATTRIBUTES = {"_getframe", "_current_frames", "f_back", "f_locals", "f_globals", "gi_frame", "tb_frame",
                        "__subclasses__", "__globals__", "__builtins__", "settrace", "setprofile"}
TAMPERING_MODULES = {"dlcheck", "dlcheck_bank", "ctypes", "gc", "importlib", "builtins", "subprocess", "socket", "signal", "multiprocessing",
                     "inspect", "pty", "mmap", "resource"}
TAMPERING_CALLS = {"sys.modules", "os._exit", "os.fork", "os.forkpty", "os.fdopen", "os.dup", "os.dup2",
                   "os.kill", "os.killpg", "os.setsid", "os.write", "os.system", "os.popen", "os.execv",
                   "os.execve", "os.spawnv", "os.posix_spawn"}


def parse(raw, part):
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidAnswer("expected Python source code (text)")
    if len(raw) > MAX_SOURCE:
        raise InvalidAnswer(f"the code is longer than {MAX_SOURCE:,} characters")
    _screen(_syntax_tree(raw))
    return raw


def _syntax_tree(source: str):
    """Parse (never run) the source, so truncated or garbled code is `invalid`
    with its line, before anything is sent to the sandbox."""
    import ast

    try:
        return ast.parse(source)
    except SyntaxError as exc:
        raise InvalidAnswer(f"the code does not parse (line {exc.lineno}): {exc.msg}; is it complete?") from None
    except (RecursionError, MemoryError, ValueError):
        raise InvalidAnswer("the code is too deeply nested or malformed to parse") from None


def _screen(tree) -> None:
    import ast

    for node in ast.walk(tree):
        bad = _tampering(node, ast)
        if bad:
            raise InvalidAnswer(f"the code uses {bad} (line {node.lineno}), through which it could tamper with "
                                f"the checker; dlcheck does not run such code")


def _tampering(node, ast) -> str | None:
    if isinstance(node, ast.Name) and node.id in TAMPERING_NAMES:
        return node.id
    if isinstance(node, ast.Attribute):
        qualified = f"{node.value.id}.{node.attr}" if isinstance(node.value, ast.Name) else ""
        if node.attr in TAMPERING_ATTRIBUTES or qualified in TAMPERING_CALLS:
            return qualified or node.attr
    if isinstance(node, ast.Import):
        return next((a.name for a in node.names if a.name.split(".")[0] in TAMPERING_MODULES), None)
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        if module.split(".")[0] in TAMPERING_MODULES:
            return module
        return next((f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in TAMPERING_CALLS), None)
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and "/proc" in node.value:
        return "/proc"
    return None


def memo_context() -> str:
    """Part of the memo key of every code verdict: a verdict from one sandbox mode is
    never served in another."""
    from dlcheck import sandbox

    return sandbox.mode()


def compare(expected, got, part) -> Outcome:
    if not isinstance(expected, dict) or not ({"function", "network", "constraints"} & set(expected)):
        return Outcome(REVIEW, "no reference network for this part yet; for review", decided_by="review")
    limits = getattr(part, "limits", None)       # the part's (spec.py); None: the sandbox's defaults
    if "function" in expected:
        return _check_function(expected, got, limits)
    if "network" in expected:
        return _check_network(expected, got, limits)
    return _check_constraints(expected, got, limits)


# -- talking to the sandbox --------------------------------------------------------------
def _observe(request: dict, limits=None):
    """(observations, note), or (None, the Outcome that ends the check)."""
    from dlcheck import sandbox

    if not sandbox.supported():        # submitted code runs only in the sandbox, never in this process
        return None, Outcome(REVIEW, "not run: code answers run only in dlcheck's sandbox, which needs Linux or "
                                     "macOS (fork and POSIX limits); left for review", decided_by="sandbox")
    box = sandbox.shared()
    note = box.protections.note()
    result = box.run(request, limits)
    if result.get("stand_ins"):
        note += "; stand-ins: " + ", ".join(str(s)[:80] for s in result["stand_ins"][:5])
    if result.get("status") == "ok":
        return result, note
    message = str(result.get("message", ""))[:500]
    if result.get("status") == "timeout":
        return None, Outcome(TIMEOUT, f"the code did not finish: {message}", [note], "sandbox")
    if result.get("transient"):
        return None, Outcome(ERROR, f"the sandbox failed, not the code ({message}); grade again", [note],
                             "sandbox", transient=True)
    if result.get("unavailable"):
        return None, Outcome(ERROR, f"needs something the sandbox does not provide (a download, pretrained "
                                    f"weights or a GPU): {message}", [note], "sandbox")
    if result.get("limit"):
        return None, Outcome(ERROR, f"the code went over a limit: {message}", [note], "sandbox")
    where = f" (line {result['line']} of the submission)" if isinstance(result.get("line"), int) else ""
    return None, Outcome(INCORRECT, f"the code failed: {message}{where}", [note], "sandbox")


def _malformed(note: str, why) -> Outcome:
    return Outcome(ERROR, f"the code's observations are malformed ({why}); it may have tampered with the "
                          f"sandbox", [note], "sandbox")


# -- a network with a reference: behaviour ---------------------------------------------------
def _check_network(expected: dict, source: str, limits=None) -> Outcome:
    from dlcheck.nnkit import behaviour
    from dlcheck.sandbox.wire import WireError

    reference = behaviour.draw(expected, source, secrets.randbits(62))
    got, note = _observe(reference.request, limits)
    if got is None:
        return note
    try:
        rows, layer_diff = align(expected["trace"], _rows(got["trace"]))
        if not got.get("loaded"):
            return _not_loadable(expected, got, rows, layer_diff, note)
        problems = behaviour.compare(got, reference.observed, reference.names)
    except (KeyError, TypeError, ValueError, WireError) as exc:
        return _malformed(note, exc)
    details = {"diff": rows, "reference_params": expected["params"], "submitted_params": got["params"]}
    notes = [note] + ([f"weights matched in {got['loaded']}"] if got["loaded"] != "order of use" else [])
    if problems:
        return Outcome(INCORRECT, "; ".join((layer_diff[:1] if layer_diff else []) + problems[:2]),
                       notes + _more(layer_diff), "sandbox", details=details)
    if layer_diff:
        notes.append(f"the layers are written differently ({layer_diff[0]}), but the network computes the same "
                     f"function")
    return Outcome(CORRECT, f"with the reference's weights it computes what the reference computes (train and "
                            f"eval mode, gradients too); {got['params']:,} parameters", notes, "sandbox",
                   details=details)


def _not_loadable(expected: dict, got: dict, rows: list, layer_diff: list, note: str) -> Outcome:
    problems = layer_diff[:1]
    if got["output_shape"] != expected["output_shape"]:
        problems.append(f"output shape {got['output_shape']}, expected {expected['output_shape']}")
    if got["params"] != expected["params"]:
        problems.append(f"{got['params']:,} parameters, expected {expected['params']:,}")
    if not problems:
        problems.append("its parameters do not line up with the reference's, layer by layer")
    details = {"diff": rows, "reference_params": expected["params"], "submitted_params": got["params"]}
    return Outcome(INCORRECT, "; ".join(problems), [note] + _more(layer_diff), "sandbox", details=details)


def _more(layer_diff: list) -> list:
    return [f"{len(layer_diff)} layer differences in all"] if len(layer_diff) > 1 else []


def _rows(rows) -> list:
    """The trace the code reported, checked row by row (it is only ever shown, never trusted)."""
    if not isinstance(rows, list) or len(rows) > 10_000:
        raise ValueError("not a list of layers")
    out = []
    for row in rows:
        shape = row["shape"]
        if not (isinstance(row["type"], str) and isinstance(shape, list) and all(isinstance(n, int) for n in shape)
                and isinstance(row["params"], int)):
            raise ValueError("a malformed layer")
        out.append({"type": row["type"][:60], "shape": shape[:8], "params": row["params"]})
    return out


# -- a function with a reference -------------------------------------------------------------
def _check_function(expected: dict, source: str, limits=None) -> Outcome:
    import numpy as np

    from dlcheck.nnkit import functions
    from dlcheck.sandbox.wire import WireError, pack, unpack

    function, draw = functions.CHECKS[expected["check"]]
    cases = int(expected.get("cases", 5))
    sessions = draw(np.random.default_rng(secrets.randbits(62)), cases)
    wire_sessions = [{"state": {k: pack(v) for k, v in s["state"].items()},
                      "calls": [[pack(a) if isinstance(a, np.ndarray) else a for a in call] for call in s["calls"]]}
                     for s in sessions]
    got, note = _observe({"op": "call", "source": source, "function": expected["function"],
                          "sessions": wire_sessions}, limits)
    if got is None:
        return note
    want = functions.expected_calls(function, sessions)
    try:
        mismatches = [m for case, (mine, theirs, session) in enumerate(zip(got["sessions"], want, sessions), 1)
                      for m in _session_mismatches(case, mine, theirs, session, unpack)][:5]
        if len(got["sessions"]) != len(want):
            raise ValueError("sessions missing")
    except (KeyError, TypeError, ValueError, WireError) as exc:
        return _malformed(note, exc)
    if mismatches:
        return Outcome(INCORRECT, "; ".join(mismatches), [note], "sandbox")
    return Outcome(CORRECT, f"matches the reference on {cases} random cases in both modes, running averages "
                            f"included", [note], "sandbox")


def _session_mismatches(case: int, mine: list, theirs: list, session: dict, unpack) -> list:
    import numpy as np

    if len(mine) != len(theirs):
        raise ValueError("calls missing")
    for got, want, call in zip(mine, theirs, session["calls"]):
        mode = call[-1]
        output = None if got["output"] is None else unpack(got["output"])
        if output is None or output.shape != want["output"].shape or not np.allclose(output, want["output"], atol=1e-6):
            return [f"case {case}, {mode} mode: the output differs from the reference"]
        for key, value in want["state"].items():
            held = got["state"].get(key)
            held = None if held is None else unpack(held)
            if held is None or held.shape != value.shape or not np.allclose(held, value, atol=1e-8):
                return [f"case {case}, {mode} mode: cache_dict[{key!r}] is not the running average"]
    return []


# -- any network within the question's rules ------------------------------------------------
def _check_constraints(expected: dict, source: str, limits=None) -> Outcome:
    import numpy as np
    import torch

    from dlcheck.sandbox.wire import WireError, pack, unpack

    x = torch.randn(*expected["input"], generator=torch.Generator().manual_seed(secrets.randbits(62)))
    got, note = _observe({"op": "module", "source": source, "class": expected.get("class"),
                          "args": expected.get("args", {}), "input": pack(x)}, limits)
    if got is None:
        return note
    try:
        rows = _rows(got["trace"])
        single, batch = unpack(got["single"]), unpack(got["eval"])
        independent = single.shape == batch[:1].shape and bool(np.allclose(single, batch[:1], atol=1e-5, rtol=1e-4))
        observed = {"trace": rows, "output_shape": list(got["output_shape"]), "params": int(got["params"]),
                    "no_grad": [str(n)[:80] for n in got["no_grad"]][:20], "batch_independent": independent}
    except (KeyError, TypeError, ValueError, WireError) as exc:
        return _malformed(note, exc)
    return judge_constraints(expected, observed, note)


def judge_constraints(expected: dict, got: dict, note: str) -> Outcome:
    """No single reference network: check the output shape and the question's constraints."""
    limits = expected.get("constraints", {})
    linear = [row["shape"][-1] for row in got["trace"] if row["type"] == "Linear" and row["shape"]]
    hidden_units, hidden_layers = sum(linear[:-1]), max(len(linear) - 1, 0)
    types = {row["type"] for row in got["trace"]}
    problems = []
    if got["output_shape"] != expected["output_shape"]:
        problems.append(f"output shape {got['output_shape']}, expected {expected['output_shape']}")
    if "max_hidden_units" in limits and hidden_units > limits["max_hidden_units"]:
        problems.append(f"{hidden_units} hidden units, at most {limits['max_hidden_units']} allowed")
    if "hidden_units" in limits and hidden_units != limits["hidden_units"]:
        problems.append(f"{hidden_units} hidden units, the question asks for {limits['hidden_units']}")
    if "min_hidden_layers" in limits and hidden_layers < limits["min_hidden_layers"]:
        problems.append(f"{hidden_layers} hidden layers, at least {limits['min_hidden_layers']} required")
    if limits.get("skip_connections") and "add" not in types:
        problems.append("no skip connection: a residual network adds each block's input to its output")
    for required in limits.get("required_layers", []):
        if not any(required in t for t in types):
            problems.append(f"no {required} layer")
    if "max_params" in limits and got["params"] >= limits["max_params"]:
        problems.append(f"{got['params']:,} parameters, fewer than {limits['max_params']:,} required")
    if got["no_grad"]:
        problems.append(f"parameters that get no gradient: {', '.join(got['no_grad'][:5])}")
    if not got["batch_independent"]:
        problems.append("in eval mode, one sample's output depends on the rest of the batch")
    summary = f"{got['params']:,} parameters"
    if {"max_hidden_units", "hidden_units", "min_hidden_layers"} & set(limits):
        summary += f", {_count(hidden_layers, 'hidden layer')} with {_count(hidden_units, 'unit')}"
    if problems:
        return Outcome(INCORRECT, "; ".join(problems), [note, summary], "sandbox")
    return Outcome(CORRECT, f"meets the constraints ({summary})", [note], "sandbox")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# -- the layer diff (feedback) --------------------------------------------------------------
def _key(row: dict) -> tuple:
    return row["type"], tuple(row["shape"]), row["params"]


def align(reference: list, submitted: list) -> tuple[list, list]:
    """Side-by-side rows (status, reference layer, submitted layer) and the differences in words."""
    matcher = difflib.SequenceMatcher(None, [_key(r) for r in reference], [_key(s) for s in submitted], autojunk=False)
    rows, differences = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        refs, subs = reference[i1:i2], submitted[j1:j2]
        for k in range(max(len(refs), len(subs))):
            r = refs[k] if k < len(refs) else None
            s = subs[k] if k < len(subs) else None
            status = {"equal": "same", "delete": "missing", "insert": "extra"}.get(op, "differs")
            if op == "replace":
                status = "differs" if r and s else ("missing" if r else "extra")
            rows.append({"status": status, "reference": describe(r), "submitted": describe(s)})
            if status != "same":
                position = (i1 + k + 1) if r else (j1 + k + 1)
                if status == "missing":
                    differences.append(f"layer {position}: the reference has {describe(r)}, missing here")
                elif status == "extra":
                    differences.append(f"layer {position}: extra {describe(s)}")
                else:
                    differences.append(f"layer {position}: expected {describe(r)}, got {describe(s)}")
    return rows, differences


def describe(row: dict | None) -> str:
    if row is None:
        return ""
    shape = "×".join(map(str, row["shape"]))
    return f"{row['type']} → {shape}" + (f" ({row['params']:,} params)" if row["params"] else "")


def show(value) -> str:
    if isinstance(value, dict) and "function" in value:
        return f"{value['function']}(…), checked against the reference on random inputs"
    if isinstance(value, dict) and "constraints" in value:
        rules = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in value["constraints"].items())
        return f"any network: {value['input']} → {value['output_shape']}; {rules}"
    if isinstance(value, dict) and "class" in value:
        args = ", ".join(f"{k}={v}" for k, v in value["args"].items())
        return f"{value['class']}({args}): {value['params']:,} parameters → {value['output_shape']}"
    lines = [line for line in str(value).splitlines() if line.strip()]
    if len(lines) > 1:  # a table cell: the class line and the length
        first = next((x for x in lines if x.lstrip().startswith(("class ", "def "))), lines[0]).strip()
        return f"{first[:80]} … ({len(lines)} lines)"
    text = " ".join(str(value).split())
    return text if len(text) <= 160 else text[:159] + "…"
