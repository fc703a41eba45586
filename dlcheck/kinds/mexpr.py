"""`mexpr`: a matrix/vector expression with shapes from the spec (X is n×d,
w_0 has length d, …). Products do not commute; shapes are checked (a clash is
`invalid`, naming the operands); equality is tested with random matrices."""
from __future__ import annotations

from dlcheck.kinds import _expr
from dlcheck.mathexpr.context import DEFAULT_TIMEOUT

AUTOMATIC = True
OPTIONS = ('lhs', 'tolerance')   # spec keys beyond every part's (spec.COMMON_KEYS)
LIMITS = {"wall_seconds": DEFAULT_TIMEOUT}   # an equivalence gets 3 s unless the part's limits say otherwise
MEMOIZE = True      # a symbolic comparison costs a worker process; the verdict is stored
PARSE_SHARED = True  # a parsed formula is frozen: the grader reads each distinct text once per batch worker


def parse(raw, part):
    return _expr.read(raw, part, want_matrix=True)


def compare(expected, got, part):
    return _expr.compare(expected, got, part)


def show(value) -> str:
    return _expr.show(value)
