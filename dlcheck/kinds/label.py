"""`label`: one choice out of several, case-insensitive, with aliases from the spec."""
from __future__ import annotations

from dlcheck.kinds._prose import with_notes
from dlcheck.kinds._text import canonical, normalise
from dlcheck.verdict import CORRECT, INCORRECT, Outcome

AUTOMATIC = True
OPTIONS = ('aliases', 'choices')   # spec keys beyond every part's (spec.COMMON_KEYS)


def parse(raw, part):
    return canonical(raw, part)


def compare(expected, got, part) -> Outcome:
    if normalise(expected) == got:
        return with_notes(Outcome(CORRECT, decided_by="exact"), got)
    return with_notes(Outcome(INCORRECT, f"expected {expected}", decided_by="exact"), got)


def show(value) -> str:
    return str(value)
