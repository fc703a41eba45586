"""`shapes`: a list of tensor shapes, e.g. each layer's (length, channels)."""
from __future__ import annotations

from dlcheck.kinds import shape as one
from dlcheck.kinds._prose import with_notes
from dlcheck.verdict import CORRECT, INCORRECT, InvalidAnswer, Outcome

AUTOMATIC = True
OPTIONS = ()   # spec keys beyond every part's (spec.COMMON_KEYS)


def parse(raw, part):
    if isinstance(raw, str):
        raw = [s for s in raw.replace("),", ");").split(";") if s.strip()]
    if not isinstance(raw, list) or not raw:
        raise InvalidAnswer("expected a list of shapes, e.g. [[498, 16], [249, 16]] or \"498x16; 249x16\"")
    if len(raw) > 200:
        raise InvalidAnswer("more than 200 shapes")
    out = []
    for i, item in enumerate(raw, 1):
        try:
            out.append(one.parse([item] if isinstance(item, int) and not isinstance(item, bool) else item, part))
        except InvalidAnswer as exc:
            raise InvalidAnswer(f"shape {i}: {exc}") from None
    return out


def compare(expected, got, part) -> Outcome:
    return with_notes(_compare(expected, got), got)


def _compare(expected, got) -> Outcome:
    if len(expected) != len(got):
        return Outcome(INCORRECT, f"expected {len(expected)} shapes (one per layer), got {len(got)}",
                       decided_by="exact")
    wrong = [f"layer {i}: expected {one.show(e)}, got {one.show(g)}"
             for i, (e, g) in enumerate(zip(expected, got), 1) if [int(x) for x in e] != g]
    if wrong:
        return Outcome(INCORRECT, "; ".join(wrong[:3]) + (f" (and {len(wrong) - 3} more)" if len(wrong) > 3 else ""),
                       decided_by="exact")
    return Outcome(CORRECT, decided_by="exact")


def show(value) -> str:
    return ", ".join(one.show(s) for s in value)
