"""`labels`: several labels, as a list or "a, b and c"; compared as a set
unless the part says the order matters."""
from __future__ import annotations

import re

from dlcheck.kinds._text import canonical, normalise
from dlcheck.verdict import CORRECT, INCORRECT, InvalidAnswer, Outcome

AUTOMATIC = True


def parse(raw, part):
    if isinstance(raw, str):
        items = [x for x in re.split(r"\s*(?:,|;|\band\b)\s*", raw.strip()) if x]
    elif isinstance(raw, list):
        items = raw
    else:
        raise InvalidAnswer("expected a list of labels such as [a, c]")
    if len(items) > 100:
        raise InvalidAnswer("more than 100 labels")
    return [canonical(item, part) for item in items]


def compare(expected, got, part) -> Outcome:
    if part.judged:  # only some choices can be decided: judge those, leave the rest to the reviewer
        judged = {normalise(x) for x in part.judged}
        others = sorted({x for x in got if x not in judged})
        got = [x for x in got if x in judged]
        outcome = compare(expected, got, type(part)(part.name, part.kind, ordered=part.ordered))
        if others:
            outcome.notes.append(f"not decided here, for the reviewer: {', '.join(others)}")
        return outcome
    want = [normalise(x) for x in expected]
    if (got == want) if part.ordered else (set(got) == set(want)):
        return Outcome(CORRECT, decided_by="exact")
    missing = [x for x in want if x not in got]
    extra = [x for x in got if x not in want]
    said = []
    if missing:
        said.append(f"missing {', '.join(missing)}")
    if extra:
        said.append(f"should not include {', '.join(extra)}")
    if not said:
        said.append(f"the order should be {', '.join(want)}")
    return Outcome(INCORRECT, "; ".join(said), decided_by="exact")


def show(value) -> str:
    return ", ".join(str(x) for x in value)
