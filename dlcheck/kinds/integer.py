"""`integer`: a whole number, exact unless the part sets a tolerance or allows
rounding (`rounding: stated`: "3.2M" for 3,211,264 is right to 2 figures).

Accepts 608, "122,304", "21 024", 608.0, arithmetic such as "3*3*32*64", and
words around the value ("= 608 parameters", "156 × 784 = 122304")."""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from dlcheck.kinds._numeric import describe_gap, fmt, is_close, judge_rounded, read_number, rounding_hint
from dlcheck.kinds._prose import with_notes
from dlcheck.verdict import CORRECT, INCORRECT, InvalidAnswer, Outcome

AUTOMATIC = True
OPTIONS = ('tolerance', 'rounding')   # spec keys beyond every part's (spec.COMMON_KEYS)


def parse(raw, part):
    num = read_number(raw)
    value = num.value
    if isinstance(value, float):
        if not value.is_integer():
            raise InvalidAnswer(f"expected a whole number, got {fmt(value)}")
        value = Fraction(int(value))
    if value.denominator != 1:
        raise InvalidAnswer(f"expected a whole number, got {fmt(value)}")
    return replace(num, value=value)


def compare(expected, got, part) -> Outcome:
    return with_notes(_compare(expected, got, part), got)


def _compare(expected, got, part) -> Outcome:
    if is_close(expected, got, part.tolerance or {"abs": 0}):  # exact unless the spec allows slack
        return Outcome(CORRECT, decided_by="exact")
    if part.rounding == "stated":
        rounded = judge_rounded(expected, got)
        if rounded is not None:
            return rounded
    return Outcome(INCORRECT, f"{describe_gap(expected, got)} (expected {fmt(expected)}){rounding_hint(expected, got)}",
                   decided_by="exact")


def show(value) -> str:
    return fmt(value)
