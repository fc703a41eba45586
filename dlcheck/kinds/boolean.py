"""`bool`: true/false, yes/no (YAML reads those itself), or the same words as text."""
from __future__ import annotations

from dlcheck.verdict import CORRECT, INCORRECT, InvalidAnswer, Outcome

AUTOMATIC = True
_TRUE = {"true", "yes", "y", "t", "1", "holds", "correct"}
_FALSE = {"false", "no", "n", "f", "0", "does not hold", "incorrect"}


def parse(raw, part):
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and len(raw) < 40:
        word = raw.strip().strip(".").casefold()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise InvalidAnswer(f"expected true or false (yes/no), got {str(raw)[:40]!r}")


def compare(expected, got, part) -> Outcome:
    if bool(expected) == got:
        return Outcome(CORRECT, decided_by="exact")
    return Outcome(INCORRECT, f"expected {show(expected)}", decided_by="exact")


def show(value) -> str:
    return "true" if value else "false"
