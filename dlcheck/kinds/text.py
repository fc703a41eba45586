"""`text`: free text or a figure, for a human reviewer.

Never marked correct or incorrect automatically: the verdict is `review`,
with the rubric as a checklist and any known flawed claims the text makes."""
from __future__ import annotations

import re

from dlcheck.verdict import REVIEW, InvalidAnswer, Outcome

AUTOMATIC = False
OPTIONS = ('rubric', 'flaws')   # spec keys beyond every part's (spec.COMMON_KEYS)
MAX_TEXT = 50_000


def parse(raw, part):
    if isinstance(raw, (dict, list)):
        raise InvalidAnswer("expected text")
    text = str(raw).strip()
    if not text:
        raise InvalidAnswer("empty answer")
    return text[:MAX_TEXT]


def compare(expected, got, part) -> Outcome:
    notes = [f"flaw: {flaw.feedback}" for flaw in part.flaws
             if re.search(flaw.pattern, got, re.IGNORECASE | re.DOTALL)]
    rubric = f"against a {len(part.rubric)}-point rubric" if part.rubric else "(no rubric)"
    return Outcome(REVIEW, f"for review {rubric}", notes, decided_by="review", rubric=list(part.rubric))


def show(value) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 120 else text[:119] + "…"
