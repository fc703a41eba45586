"""`matrix`: a rectangular table of numbers; shape first, then elementwise
tolerance, with transposed, sign-flipped and scaled answers recognised."""
from __future__ import annotations

from dlcheck.kinds._array import compare_arrays, read_array, shape, show  # noqa: F401 (show is the kind's)
from dlcheck.kinds._prose import with_notes
from dlcheck.verdict import InvalidAnswer, Outcome

AUTOMATIC = True
OPTIONS = ('tolerance', 'rounding')   # spec keys beyond every part's (spec.COMMON_KEYS)


def parse(raw, part):
    value = read_array(raw)
    if not isinstance(value, list) or len(shape(value)) != 2:
        raise InvalidAnswer("expected a matrix: a list of rows such as [[1, 2], [3, 4]]")
    return value


def compare(expected, got, part) -> Outcome:
    return with_notes(compare_arrays(expected, got, part.numeric_tolerance, part.rounding == "stated"), got)
