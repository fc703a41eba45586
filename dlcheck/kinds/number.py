"""`number`: a real number within a relative/absolute tolerance.

Accepts 0.3775, 1.22e5, "122,304", "5/7", "37.75%", "sqrt(10)", "\\frac{1}{4}",
"3.2M", and words around the value ("P ≈ 0.3775", "50 hours"). A value that is
the reference correctly rounded to the decimals written is also correct; a part
with `rounding: stated` accepts any value right to its significant figures."""
from __future__ import annotations

from dlcheck.kinds._numeric import describe_gap, fmt, is_close, judge_rounded, read_number, rounded_match
from dlcheck.kinds._prose import with_notes
from dlcheck.verdict import CORRECT, INCORRECT, Outcome

AUTOMATIC = True
OPTIONS = ('tolerance', 'rounding')   # spec keys beyond every part's (spec.COMMON_KEYS)


def parse(raw, part):
    return read_number(raw)


def compare(expected, got, part) -> Outcome:
    return with_notes(_compare(expected, got, part), got)


def _compare(expected, got, part) -> Outcome:
    if is_close(expected, got, part.numeric_tolerance):
        return Outcome(CORRECT, decided_by="numeric")
    if part.rounding == "stated":
        rounded = judge_rounded(expected, got)
        if rounded is not None:
            return rounded
    decimals = rounded_match(expected, got)
    if decimals is not None:
        return Outcome(CORRECT, notes=[f"accepted as rounded to {decimals} decimals"], decided_by="numeric")
    return Outcome(INCORRECT, f"{describe_gap(expected, got)} (expected {fmt(expected)})", decided_by="numeric")


def show(value) -> str:
    return fmt(value)
