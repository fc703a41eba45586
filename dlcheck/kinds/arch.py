"""`arch`: a list of convolution stacks, each a list of kernel sizes, e.g.
[[7], [3, 5], [3, 3, 3]], [["7x7"], ["5x5", "3x3"]] or "7; 3x3, 5x5; 3x3, 3x3, 3x3".
A kernel written k×k (or convk) is k; a non-square one (5x3) is refused. What
makes a stack right is problem-specific, so problems using this kind judge it
in their solver (`check: solver`)."""
from __future__ import annotations

import re

from dlcheck.verdict import CORRECT, INCORRECT, InvalidAnswer, Outcome

AUTOMATIC = True
OPTIONS = ()   # spec keys beyond every part's (spec.COMMON_KEYS)
MAX_STACKS, MAX_LAYERS, MAX_KERNEL = 20, 20, 31


def parse(raw, part):
    if isinstance(raw, str):
        raw = [s for s in re.split(r"[;\n]+", raw) if s.strip()]
    if not isinstance(raw, list) or not raw:
        raise InvalidAnswer("expected a list of stacks of kernel sizes, e.g. [[7], [3, 5], [3, 3, 3]]")
    if len(raw) > MAX_STACKS:
        raise InvalidAnswer(f"more than {MAX_STACKS} stacks")
    return [_stack(item, i) for i, item in enumerate(raw, 1)]


def _stack(item, index: int) -> list[int]:
    if isinstance(item, str):
        item = _kernels(item, index)
    elif isinstance(item, int) and not isinstance(item, bool):
        item = [item]
    elif isinstance(item, list):     # ["5x5", "3x3"]: each string one kernel
        item = [_one_kernel(k, index) if isinstance(k, str) else k for k in item]
    if not isinstance(item, list) or not item or len(item) > MAX_LAYERS:
        raise InvalidAnswer(f"stack {index}: expected 1 to {MAX_LAYERS} kernel sizes")
    kernels = []
    for k in item:
        if isinstance(k, bool) or not re.fullmatch(r"[0-9]{1,3}", str(k)) or not 1 <= int(k) <= MAX_KERNEL:
            raise InvalidAnswer(f"stack {index}: kernel size {k!r} is not a whole number from 1 to {MAX_KERNEL}")
        kernels.append(int(k))
    return kernels


def _kernels(text: str, index: int) -> list:
    """The kernel sizes in "5×5 → 3×3", "conv5-conv3" or "3, 3, 3"."""
    kernels = []
    for side, other, alone in re.findall(r"(\d+)\s*[x×]\s*(\d+)|(\d+)", text):
        if side and side != other:
            raise InvalidAnswer(f"stack {index}: kernel {side}×{other} is not square")
        kernels.append(side or alone)
    return kernels


def _one_kernel(text: str, index: int):
    kernels = _kernels(text, index)
    if len(kernels) != 1:
        raise InvalidAnswer(f"stack {index}: {text!r} is not one kernel size (write 3 or 3x3)")
    return kernels[0]


def compare(expected, got, part) -> Outcome:
    same = sorted(map(tuple, expected)) == sorted(map(tuple, got))
    return Outcome(CORRECT if same else INCORRECT, "" if same else f"expected {show(expected)}", decided_by="exact")


def show(value) -> str:
    return "; ".join("→".join(f"{k}×{k}" for k in stack) for stack in value)
