"""`shape`: tensor dimensions, as [28, 28, 8] or "28x28x8" / "28×28×8" / "(28, 28, 8)", or as
PyTorch prints them, torch.Size([1, 32, 16, 16]).

A Keras-style leading batch dimension, (None, 498, 16) or [null, 498, 16], is
dropped, and a note says so."""
from __future__ import annotations

import re

from dlcheck.kinds._numeric import printed
from dlcheck.kinds._prose import Noted, noted, read, with_notes
from dlcheck.verdict import CORRECT, INCORRECT, InvalidAnswer, Outcome

AUTOMATIC = True
OPTIONS = ()   # spec keys beyond every part's (spec.COMMON_KEYS)
_SEPARATORS = re.compile(r"\s*(?:[x×*,]|\\times)\s*|\s+")
_BATCH = (None, "None", "none", "?", "null")
BATCH_NOTE = "the leading None (Keras's batch dimension) is dropped"


class Dims(Noted, list):
    """A shape read out of words, or with its batch dimension dropped; `note` says how."""


def parse(raw, part):
    if isinstance(raw, str):
        if len(raw) > 200:
            raise InvalidAnswer("too long for a shape")
        dims, note = read(raw, _from_text, show)
        return noted(Dims, dims, "; ".join(n for n in (getattr(dims, "note", ""), note) if n))
    if isinstance(raw, list):
        return _dims(raw)
    raise InvalidAnswer("expected a shape such as [28, 28, 8] or \"28x28x8\"")


def _from_text(text: str) -> list:
    text = printed(text.strip().strip("$").strip()).strip("()[]").strip()   # torch.Size([…]) as printed
    return _dims([t for t in _SEPARATORS.split(text) if t])


def _dims(items: list) -> list:
    batch = len(items) > 1 and items[0] in _BATCH
    if batch:
        items = items[1:]
    if not items or len(items) > 8:
        raise InvalidAnswer("expected 1 to 8 dimensions")
    return noted(Dims, [_dim(item) for item in items], BATCH_NOTE if batch else "")


def _dim(item) -> int:
    if isinstance(item, bool):
        raise InvalidAnswer(f"dimension {item!r} is not a whole number")
    if isinstance(item, int) or isinstance(item, str) and re.fullmatch(r"[0-9]{1,9}", item):  # not "²"
        value = int(item)
        if 0 <= value < 10**9:
            return value
    raise InvalidAnswer(f"dimension {item!r} is not a whole number >= 0")


def compare(expected, got, part) -> Outcome:
    return with_notes(_compare(expected, got), got)


def _compare(expected, got) -> Outcome:
    expected = [int(x) for x in expected]
    if expected == got:
        return Outcome(CORRECT, decided_by="exact")
    if sorted(expected) == sorted(got):
        feedback = f"the right sizes in another order (the convention here is {show(expected)})"
    elif len(expected) != len(got):
        feedback = f"expected {len(expected)} dimensions, got {len(got)}"
    else:
        wrong = [i + 1 for i, (a, b) in enumerate(zip(expected, got)) if a != b]
        feedback = f"dimension {', '.join(map(str, wrong))} differs"
    return Outcome(INCORRECT, feedback, decided_by="exact")


def show(value) -> str:
    return "×".join(str(x) for x in value)
