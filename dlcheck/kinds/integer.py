"""`integer`: a whole number, exact unless the part sets a tolerance.

Accepts 608, "122,304", 608.0 and arithmetic such as "3*3*32*64"."""
from __future__ import annotations

from fractions import Fraction

from dlcheck.kinds._numeric import Num, describe_gap, fmt, is_close, read_number
from dlcheck.verdict import CORRECT, INCORRECT, InvalidAnswer, Outcome

AUTOMATIC = True


def parse(raw, part):
    num = read_number(raw)
    value = num.value
    if isinstance(value, float):
        if not value.is_integer():
            raise InvalidAnswer(f"expected a whole number, got {fmt(value)}")
        value = Fraction(int(value))
    if value.denominator != 1:
        raise InvalidAnswer(f"expected a whole number, got {fmt(value)}")
    return Num(value, num.text)


def compare(expected, got, part) -> Outcome:
    if is_close(expected, got, part.tolerance or {"abs": 0}):  # exact unless the spec allows slack
        return Outcome(CORRECT, decided_by="exact")
    return Outcome(INCORRECT, f"{describe_gap(expected, got)} (expected {fmt(expected)})", decided_by="exact")


def show(value) -> str:
    return fmt(value)
