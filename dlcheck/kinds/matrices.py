"""`matrices`: a list of matrices (e.g. the pooled outputs of four inputs),
each compared like a `matrix`; feedback names the ones that differ."""
from __future__ import annotations

from dlcheck.kinds._array import compare_arrays, read_array, shape, show as show_one
from dlcheck.kinds._prose import with_notes
from dlcheck.verdict import CORRECT, INCORRECT, PARTIAL, InvalidAnswer, Outcome

AUTOMATIC = True
OPTIONS = ('tolerance', 'rounding')   # spec keys beyond every part's (spec.COMMON_KEYS)


def parse(raw, part):
    if isinstance(raw, str):            # "[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]": the same list, as text
        raw = read_array(raw)
        if isinstance(raw, list) and len(shape(raw)) == 3:
            return raw
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
    return with_notes(_compare(expected, got, part), got)


def _compare(expected, got, part) -> Outcome:
    if len(expected) != len(got):
        return Outcome(INCORRECT, f"expected {len(expected)} matrices, got {len(got)}", decided_by="exact")
    outcomes = [compare_arrays(e, g, part.numeric_tolerance, part.rounding == "stated") for e, g in zip(expected, got)]
    said = [f"matrix {i}: {o.feedback}" for i, o in enumerate(outcomes, 1) if o.feedback]
    verdicts = {o.verdict for o in outcomes}
    if verdicts == {CORRECT}:
        return Outcome(CORRECT, "; ".join(said), decided_by="numeric")
    wrong = [f"matrix {i}: {o.feedback}" for i, o in enumerate(outcomes, 1) if o.verdict == INCORRECT]
    if wrong:
        return Outcome(INCORRECT, "; ".join(wrong), decided_by="numeric")
    return Outcome(PARTIAL, "; ".join(said), decided_by="numeric", credit=min(o.share for o in outcomes))


def show(value) -> str:
    return "; ".join(show_one(m) for m in value)
