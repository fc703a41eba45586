"""`matrices`: a list of matrices (e.g. the pooled outputs of four inputs),
each compared like a `matrix`; feedback names the ones that differ."""
from __future__ import annotations

from dlcheck.kinds._array import compare_arrays, read_array, shape, show as show_one
from dlcheck.verdict import CORRECT, INCORRECT, InvalidAnswer, Outcome

AUTOMATIC = True


def parse(raw, part):
    if not isinstance(raw, list) or not raw:
        raise InvalidAnswer("expected a list of matrices, e.g. [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]")
    out = []
    for i, item in enumerate(raw, 1):
        try:
            value = read_array(item)
            if not isinstance(value, list) or len(shape(value)) != 2:
                raise InvalidAnswer("not a matrix (a list of rows)")
        except InvalidAnswer as exc:
            raise InvalidAnswer(f"matrix {i}: {exc}") from None
        out.append(value)
    return out


def compare(expected, got, part) -> Outcome:
    if len(expected) != len(got):
        return Outcome(INCORRECT, f"expected {len(expected)} matrices, got {len(got)}", decided_by="exact")
    wrong = []
    for i, (e, g) in enumerate(zip(expected, got), 1):
        outcome = compare_arrays(e, g, part.numeric_tolerance)
        if outcome.verdict != CORRECT:
            wrong.append(f"matrix {i}: {outcome.feedback}")
    if not wrong:
        return Outcome(CORRECT, decided_by="numeric")
    return Outcome(INCORRECT, "; ".join(wrong), decided_by="numeric")


def show(value) -> str:
    return "; ".join(show_one(m) for m in value)
