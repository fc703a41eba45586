"""Label normalisation shared by `label` and `labels`."""
from __future__ import annotations

import re

from dlcheck.errors import closest
from dlcheck.verdict import InvalidAnswer

MAX_LABEL = 200


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
    key = normalise(text)
    if not key:
        raise InvalidAnswer("empty label")
    for name, aliases in part.aliases.items():
        if key == normalise(name) or key in (normalise(a) for a in aliases):
            return normalise(name)
    if part.choices:
        choices = {normalise(c): c for c in part.choices}
        if key not in choices:
            near = closest(text, part.choices)
            hint = f"; closest: {', '.join(near)}" if near else ""
            raise InvalidAnswer(f"{text!r} is not one of the choices: {', '.join(part.choices)}{hint}")
    return key
