"""`expr`: a scalar expression (λ/(2η), NIC k² NF + …), read by dlcheck's own
parser and compared exactly, numerically at random points, then symbolically."""
from __future__ import annotations

from dlcheck.kinds import _expr
from dlcheck.mathexpr.context import DEFAULT_TIMEOUT

AUTOMATIC = True
OPTIONS = ('lhs', 'tolerance')   # spec keys beyond every part's (spec.COMMON_KEYS)
LIMITS = {"wall_seconds": DEFAULT_TIMEOUT}   # an equivalence gets 3 s unless the part's limits say otherwise
MEMOIZE = True      # a symbolic comparison costs a worker process; the verdict is stored
PARSE_SHARED = True  # a parsed formula is frozen: the grader reads each distinct text once per batch worker


def parse(raw, part):
    return _expr.read(raw, part, want_matrix=False)


def compare(expected, got, part):
    return _expr.compare(expected, got, part)


def show(value) -> str:
    return _expr.show(value)
