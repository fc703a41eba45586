"""`code`: a submitted nn.Module class, run in the sandbox (never here) and
compared with the reference network layer by layer.

The two traces of (layer type, output shape, parameters) are aligned by
sequence alignment, so a missing or an extra layer shows as such instead of
shifting every later row; the output shape, the parameter count, gradients
reaching every parameter and independence from the batch size are checked too."""
from __future__ import annotations

import difflib

from dlcheck.verdict import CORRECT, ERROR, INCORRECT, REVIEW, TIMEOUT, InvalidAnswer, Outcome

AUTOMATIC = True
MEMOIZE = True          # one sandbox run per distinct submission
MAX_SOURCE = 200_000


def parse(raw, part):
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidAnswer("expected Python source code (text)")
    if len(raw) > MAX_SOURCE:
        raise InvalidAnswer(f"the code is longer than {MAX_SOURCE:,} characters")
    _syntax_check(raw)
    return raw


def _syntax_check(source: str) -> None:
    """Parse (never run) the source, so truncated or garbled code is `invalid`
    with its line, before anything is sent to the sandbox."""
    import ast

    try:
        ast.parse(source)
    except SyntaxError as exc:
        raise InvalidAnswer(f"the code does not parse (line {exc.lineno}): {exc.msg}; is it complete?") from None
    except (RecursionError, MemoryError, ValueError):
        raise InvalidAnswer("the code is too deeply nested or malformed to parse") from None


def compare(expected, got, part) -> Outcome:
    if not isinstance(expected, dict) or not ("class" in expected or "function" in expected):
        return Outcome(REVIEW, "no reference network for this part yet; for review", decided_by="review")
    from dlcheck import sandbox

    box = sandbox.shared()
    note = box.protections.note()
    if "function" in expected:
        result = box.run({"op": "function", "source": got, "function": expected["function"],
                          "check": expected["check"], "cases": expected.get("cases", 5)})
    else:
        result = box.run({"op": "module", "source": got, "class": expected["class"], "args": expected["args"],
                          "input": expected["input"]})
    if result.get("status") == "timeout":
        return Outcome(TIMEOUT, f"the code did not finish: {result.get('message')}", [note], "sandbox")
    if result.get("status") != "ok":
        where = f" (line {result['line']} of the submission)" if result.get("line") else ""
        prefix = "needs something the sandbox does not provide (a download, pretrained weights or a GPU): " \
            if result.get("unavailable") else "the code failed: "
        return Outcome(ERROR, prefix + str(result.get("message")) + where, [note], "sandbox")
    if "function" in expected:
        if result["mismatches"]:
            return Outcome(INCORRECT, "; ".join(result["mismatches"]), [note], "sandbox")
        return Outcome(CORRECT, f"matches the reference on {result['cases']} random cases in both modes, "
                                f"running averages included", [note], "sandbox")
    return judge(expected, result, note)


def judge(expected: dict, got: dict, note: str) -> Outcome:
    if "trace" not in expected:
        return judge_constraints(expected, got, note)
    rows, differences = align(expected["trace"], got["trace"])
    problems = []
    if differences:
        problems.append(differences[0])
    if got["output_shape"] != expected["output_shape"]:
        problems.append(f"output shape {got['output_shape']}, expected {expected['output_shape']}")
    if got["params"] != expected["params"]:
        problems.append(f"{got['params']:,} parameters, expected {expected['params']:,}")
    if got["no_grad"]:
        problems.append(f"parameters that get no gradient: {', '.join(got['no_grad'][:5])}")
    if not got["batch_independent"]:
        problems.append("in eval mode, one sample's output depends on the rest of the batch")
    details = {"diff": rows, "reference_params": expected["params"], "submitted_params": got["params"]}
    notes = [note] + ([f"{len(differences)} layer differences in all"] if len(differences) > 1 else [])
    if problems:
        return Outcome(INCORRECT, "; ".join(problems), notes, "sandbox", details=details)
    return Outcome(CORRECT, f"same layers, shapes and {got['params']:,} parameters as the reference", notes,
                   "sandbox", details=details)


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
    for required in limits.get("required_layers", []):
        if not any(required in t for t in types):
            problems.append(f"no {required} layer")
    if "max_params" in limits and got["params"] >= limits["max_params"]:
        problems.append(f"{got['params']:,} parameters, fewer than {limits['max_params']:,} required")
    if got["no_grad"]:
        problems.append(f"parameters that get no gradient: {', '.join(got['no_grad'][:5])}")
    summary = f"{got['params']:,} parameters"
    if {"max_hidden_units", "hidden_units", "min_hidden_layers"} & set(limits):
        summary += f", {_count(hidden_layers, 'hidden layer')} with {_count(hidden_units, 'unit')}"
    if problems:
        return Outcome(INCORRECT, "; ".join(problems), [note, summary], "sandbox")
    return Outcome(CORRECT, f"meets the constraints ({summary})", [note], "sandbox")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


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
