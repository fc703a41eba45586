"""Kinds whose automatic checkers are not in this release (`expr`, `mexpr`,
`code`, `arch`): the answer is kept and shown, and marked for review."""
from __future__ import annotations

from dlcheck.verdict import REVIEW, InvalidAnswer, Outcome

AUTOMATIC = False
MAX_TEXT = 100_000


def parse(raw, part):
    if isinstance(raw, bool) or raw is None:
        raise InvalidAnswer("empty answer")
    text = raw if isinstance(raw, str) else repr(raw)
    if not text.strip():
        raise InvalidAnswer("empty answer")
    return text[:MAX_TEXT]


def compare(expected, got, part) -> Outcome:
    return Outcome(REVIEW, f"for review: automatic `{part.kind}` checking is not in this release yet",
                   decided_by="review")


def show(value) -> str:
    """Short enough for a table cell: code shows its first line and its length."""
    lines = [line for line in str(value).splitlines() if line.strip()]
    if len(lines) > 1:
        first = next((x for x in lines if x.lstrip().startswith(("class ", "def "))), lines[0]).strip()
        return f"{first[:80]} … ({len(lines)} lines)"
    text = " ".join(str(value).split())
    return text if len(text) <= 160 else text[:159] + "…"
