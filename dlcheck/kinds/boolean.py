"""`bool`: true/false, yes/no (YAML reads those itself), or the same words as
text, also with an explanation after them ("No: every hidden ReLU outputs 0 …")."""
from __future__ import annotations

from dlcheck.kinds._prose import Noted, noted, read, with_notes
from dlcheck.verdict import CORRECT, INCORRECT, InvalidAnswer, Outcome

AUTOMATIC = True
OPTIONS = ()   # spec keys beyond every part's (spec.COMMON_KEYS)
_TRUE = {"true", "yes", "y", "t", "1", "holds", "correct"}
_FALSE = {"false", "no", "n", "f", "0", "does not hold", "incorrect"}


class Truth(Noted, int):
    """A boolean read out of words (an int, as bool cannot be subclassed); `note` says how."""


def parse(raw, part):
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        value, note = read(raw, _word, show)
        return noted(Truth, value, note)
    raise InvalidAnswer(f"expected true or false (yes/no), got {str(raw)[:40]!r}")


def _word(text: str) -> bool:
    word = " ".join(text.split()).strip(".!").casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise InvalidAnswer(f"expected true or false (yes/no), got {text[:40]!r}")


def compare(expected, got, part) -> Outcome:
    if bool(expected) == bool(got):
        return with_notes(Outcome(CORRECT, decided_by="exact"), got)
    return with_notes(Outcome(INCORRECT, f"expected {show(expected)}", decided_by="exact"), got)


def show(value) -> str:
    return "true" if value else "false"
