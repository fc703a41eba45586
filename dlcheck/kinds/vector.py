"""`vector`: a list of numbers; length first, then elementwise tolerance.

A row or column matrix is read as the vector it holds, so a LaTeX column
(\\begin{bmatrix} 4/5 \\\\ 2/5 \\end{bmatrix}) and a row with ^T are both fine."""
from __future__ import annotations

from dlcheck.kinds._array import Array, compare_arrays, read_array, shape, show  # noqa: F401 (show is the kind's)
from dlcheck.kinds._prose import noted, notes_of, with_notes
from dlcheck.verdict import InvalidAnswer, Outcome

AUTOMATIC = True
OPTIONS = ('tolerance', 'rounding')   # spec keys beyond every part's (spec.COMMON_KEYS)


def parse(raw, part):
    value = read_array(raw)
    if not isinstance(value, list):
        raise InvalidAnswer("expected a list of numbers such as [0.8, 0.4]")
    s = shape(value)
    if len(s) == 2 and 1 in s:  # a row or column matrix is read as the vector it holds
        value = noted(Array, [x for row in value for x in row], "; ".join(notes_of(value)))
    elif len(s) != 1:
        raise InvalidAnswer(f"expected a vector, got a {len(s)}-dimensional array")
    return value


def compare(expected, got, part) -> Outcome:
    return with_notes(compare_arrays(expected, got, part.numeric_tolerance, part.rounding == "stated"), got)
