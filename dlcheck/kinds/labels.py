"""`labels`: several labels, as a list or "a, b and c" (or, when nothing else
separates them, "D DB DBA DBAC"); compared as a set unless the part says the
order matters. Each label is read as `label` reads one ("Nearest-1: D", "(a)")."""
from __future__ import annotations

import re

from dlcheck.kinds._prose import KEEP, Noted, noted, notes_of, quote, with_notes
from dlcheck.kinds._text import canonical, normalise
from dlcheck.verdict import CORRECT, INCORRECT, InvalidAnswer, Outcome

AUTOMATIC = True
OPTIONS = ('aliases', 'choices', 'ordered', 'judged')   # spec keys beyond every part's (spec.COMMON_KEYS)


class Labels(Noted, list):
    """Labels read out of words; `note` says how."""


def parse(raw, part):
    if isinstance(raw, str):
        items = _split(raw, part)
    elif isinstance(raw, list):
        items = raw
    else:
        raise InvalidAnswer("expected a list of labels such as [a, c]")
    if len(items) > 100:
        raise InvalidAnswer("more than 100 labels")
    labels = [canonical(item, part) for item in items]
    if isinstance(raw, str) and notes_of(labels):   # one note for the whole answer, not one per label
        return noted(Labels, [str(x) for x in labels], f"read as {show(labels)} from {quote(raw)}")
    return labels


def _split(text: str, part) -> list:
    items = [x for x in re.split(r"\s*(?:,|;|\band\b)\s*", text.strip()) if x]
    words = items[0].split() if len(items) == 1 else []
    if len(words) > 1 and not any(w.casefold() in KEEP for w in words) and not _is_one_label(items[0], part):
        return words        # "D DB DBA DBAC": the labels of a sequence, space-separated
    return items


def _is_one_label(text: str, part) -> bool:
    key = normalise(text)
    return any(key == normalise(x) for x in [*part.choices, *part.aliases, *sum(part.aliases.values(), [])])


def compare(expected, got, part) -> Outcome:
    return with_notes(_compare(expected, got, part), got)


def _compare(expected, got, part) -> Outcome:
    if part.judged:  # only some choices can be decided: judge those, leave the rest to the reviewer
        judged = {normalise(x) for x in part.judged}
        others = sorted({x for x in got if x not in judged})
        got = [x for x in got if x in judged]
        outcome = _compare(expected, got, type(part)(part.name, part.kind, ordered=part.ordered))
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
