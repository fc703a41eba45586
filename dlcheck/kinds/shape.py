"""`shape`: tensor dimensions, as [28, 28, 8] or "28x28x8" / "28×28×8" / "(28, 28, 8)"."""
from __future__ import annotations

import re

from dlcheck.verdict import CORRECT, INCORRECT, InvalidAnswer, Outcome

AUTOMATIC = True
_SEPARATORS = re.compile(r"\s*(?:[x×*,]|\\times)\s*|\s+")


def parse(raw, part):
    if isinstance(raw, str):
        text = raw.strip().strip("$").strip().strip("()[]").strip()
        if len(text) > 200:
            raise InvalidAnswer("too long for a shape")
        items = [t for t in _SEPARATORS.split(text) if t]
    elif isinstance(raw, list):
        items = raw
    else:
        raise InvalidAnswer("expected a shape such as [28, 28, 8] or \"28x28x8\"")
    if not items or len(items) > 8:
        raise InvalidAnswer("expected 1 to 8 dimensions")
    return [_dim(item) for item in items]


def _dim(item) -> int:
    if isinstance(item, bool):
        raise InvalidAnswer(f"dimension {item!r} is not a whole number")
    if isinstance(item, int) or isinstance(item, str) and item.isdigit() and len(item) < 10:
        value = int(item)
        if 0 <= value < 10**9:
            return value
    raise InvalidAnswer(f"dimension {item!r} is not a whole number >= 0")


def compare(expected, got, part) -> Outcome:
    expected = [int(x) for x in expected]
    if expected == got:
        return Outcome(CORRECT, decided_by="exact")
    if sorted(expected) == sorted(got):
        feedback = f"the right sizes in another order (the convention here is {show(expected)})"
    elif len(expected) != len(got):
        feedback = f"expected {len(expected)} dimensions, got {len(got)}"
    else:
        wrong = [i + 1 for i, (a, b) in enumerate(zip(expected, got)) if a != b]
        feedback = f"dimension {', '.join(map(str, wrong))} differs"
    return Outcome(INCORRECT, feedback, decided_by="exact")


def show(value) -> str:
    return "×".join(str(x) for x in value)
