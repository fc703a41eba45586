"""Number reading, closeness and gap descriptions shared by the numeric kinds."""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from dlcheck.safemath import MAX_FLOAT, Number, as_float, evaluate
from dlcheck.verdict import InvalidAnswer


@dataclass(frozen=True)
class Num:
    """A submitted number and the text it was written as (for rounding checks)."""

    value: Number
    text: str

    def __float__(self) -> float:
        return as_float(self.value)


def read_number(raw) -> Num:
    if isinstance(raw, bool):
        raise InvalidAnswer(f"expected a number, got {raw!r} (true/false)")
    if isinstance(raw, int):
        if abs(raw) > MAX_FLOAT:
            raise InvalidAnswer("number is out of range (larger than 1e300)")
        return Num(Fraction(raw), str(raw))
    if isinstance(raw, float):
        if not math.isfinite(raw) or abs(raw) > MAX_FLOAT:
            raise InvalidAnswer(f"{raw!r} is not a finite number in range")
        return Num(raw, repr(raw))
    if isinstance(raw, str):
        text = raw.strip().strip("$").strip()
        return Num(evaluate(text), text)
    raise InvalidAnswer(f"expected a number, got {_type_name(raw)}")


def _type_name(raw) -> str:
    return {list: "a list", dict: "a mapping", type(None): "nothing"}.get(type(raw), type(raw).__name__)


def fmt(value) -> str:
    """A number as a person would write it: 61632, 0.8, 5/7 (≈0.714286)."""
    if isinstance(value, Num):
        value = value.value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        as_dec = float(value)
        if Fraction(repr(as_dec)) == value and len(repr(as_dec)) <= 12:
            return repr(as_dec)
        return f"{value} (≈{as_dec:.6g})"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6g}"
    return str(value)


def is_close(expected, got, tolerance: dict) -> bool:
    e, g = as_float(expected), as_float(got)
    return abs(g - e) <= max(float(tolerance.get("abs", 0)), float(tolerance.get("rel", 0)) * abs(e))


def rounded_match(expected, got: Num) -> int | None:
    """If `got` is `expected` correctly rounded to the decimals it was written
    with (at least 2 significant digits), return that number of decimals."""
    text = got.text.strip().lstrip("+-")
    if not text.replace(".", "", 1).isdigit() or "." not in text:
        return None
    decimals = len(text.split(".")[1])
    e = as_float(expected)
    significant = len(text.replace(".", "").lstrip("0"))
    if significant < 2:
        return None
    step = 10.0 ** -decimals
    return decimals if abs(as_float(got.value) - e) <= step / 2 + 1e-12 * max(1, abs(e)) else None


def describe_gap(expected, got) -> str:
    """Name the relation between a wrong number and the right one, when it is a simple one."""
    e, g = as_float(expected), as_float(got)
    if e == 0:
        return f"expected 0, got {fmt(got)}"
    ratio = g / e
    if abs(ratio + 1) < 1e-9:
        return "right size, wrong sign"
    for k in (2, 3, 4, 8, 9, 10, 100, 1000):
        if abs(ratio - k) < 1e-9 * k:
            return f"{k}× too large"
        if abs(ratio - 1 / k) < 1e-9:
            return f"{k}× too small"
    return f"off by {abs(g - e) / abs(e):.1%}"
