"""Label reading shared by `label` and `labels`: case, spacing and a final full
stop do not matter; the spec's aliases map to their label; words around a label
("Y = Green", "Green (distance √2)", "(a)", "layer C5") are set aside when what
is left is a known label (a choice or an alias), or, for a part without
choices, when the words have the shape of a name (Nearest-1: D)."""
from __future__ import annotations

import re

from dlcheck.errors import closest
from dlcheck.kinds import _prose
from dlcheck.verdict import InvalidAnswer

MAX_LABEL = 200
_NOT_IN_A_LABEL = re.compile(r"[:=≈()\[\]]|\s(?:or|vs)\s", re.IGNORECASE)


class Label(_prose.Noted, str):
    """A label read out of words; `note` says how."""


def normalise(text: str) -> str:
    """Case, spacing, quotes and a final full stop do not matter in a label."""
    text = re.sub(r"\s+", " ", str(text)).strip().strip("\"'`$").strip().rstrip(".").strip()
    return text.casefold()


def canonical(raw, part) -> str:
    """The canonical label for a submitted one (through the spec's aliases)."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise InvalidAnswer(f"expected a label (text), got {type(raw).__name__}")
    text = str(raw)
    if len(text) > MAX_LABEL:
        raise InvalidAnswer(f"label longer than {MAX_LABEL} characters")
    if not normalise(text):
        raise InvalidAnswer("empty label")
    vocabulary = _Vocabulary(part)
    try:
        value, note = _prose.read(text, vocabulary.known, vocabulary.show)
    except InvalidAnswer:
        if part.choices:
            raise
        # no choices: any label can be an answer, once words shaped like a name are set aside
        value, note = _prose.read(text, vocabulary.free, vocabulary.show, is_value=vocabulary.is_known)
    return _prose.noted(Label, value, note)


class _Vocabulary:
    """The labels a part knows: its choices and its aliases."""

    def __init__(self, part):
        self.part = part
        self.names = {normalise(c): str(c) for c in part.choices}
        self.aliases = {}
        for name, aliases in part.aliases.items():
            self.names.setdefault(normalise(name), str(name))
            for alias in [name, *aliases]:
                self.aliases[normalise(alias)] = normalise(name)

    def show(self, key: str) -> str:
        return self.names.get(key, key)

    def known(self, text: str) -> str:
        key = normalise(text)
        if key in self.aliases:
            return self.aliases[key]
        if key in self.names and self.part.choices:
            return key
        if self.part.choices:
            near = closest(text, self.part.choices)
            hint = f"; closest: {', '.join(near)}" if near else ""
            raise InvalidAnswer(f"{text.strip()!r} is not one of the choices: {', '.join(self.part.choices)}{hint}")
        raise InvalidAnswer(f"{text.strip()!r} is not a label this part knows")

    def is_known(self, text: str) -> bool:
        try:
            self.known(text)
            return True
        except InvalidAnswer:
            return False

    def free(self, text: str) -> str:
        key = normalise(text)
        if not key or _NOT_IN_A_LABEL.search(key):
            raise InvalidAnswer(f"{text.strip()!r} is not a plain label")
        return key
