"""The trace audit: read an answer's working (an LLM's output or a student's
derivation), check it step by step, and report the earliest wrong step.

    trace text --extract.py--> steps (equation chains, their lines, labels, sections)
    steps --audit.py (sides.py: text -> trees and atoms; numeric.py: values in random draws)
          --> ok / wrong / undecided / given per step, and the lines that could not be read

`audit_trace` is what the grader calls; `import_writeup` (importer.py) turns a
markdown write-up into a submission whose sections become traces. Every line a
step or a message names is a line of the file the user gave (`line_offset`)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from dlcheck.trace.steps import GIVEN, OK, UNDECIDED, WRONG, StepCheck, steps_from_json  # noqa: F401 - re-exported

_INCORRECT = ("incorrect", "partial")


@dataclass
class TraceAudit:
    problem: str
    steps: list = field(default_factory=list)        # [StepCheck]
    final_answer: str | None = None                  # the problem's verdict over its parts (None: undecided)
    truncated: bool = False
    unread: list = field(default_factory=list)       # [StepCheck] lines that look like mathematics, not read

    @property
    def counts(self) -> dict:
        out = {OK: 0, WRONG: 0, UNDECIDED: 0, GIVEN: 0}
        for step in self.steps:
            out[step.status] += 1
        return out

    @property
    def earliest_wrong(self) -> StepCheck | None:
        return next((s for s in self.steps if s.status == WRONG), None)

    @property
    def error_not_located(self) -> bool:
        """A wrong final answer whose working shows no wrong step: the error is somewhere
        the audit could not check, not nowhere."""
        return self.final_answer in _INCORRECT and self.earliest_wrong is None

    @property
    def reasoning_ok(self) -> bool | None:
        """False with a wrong step; True only when every step was read and decided and none is
        wrong, and the final answer is not wrong; None (not known) otherwise."""
        if self.earliest_wrong is not None:
            return False
        if self.error_not_located or self.unread or not any(s.status == OK for s in self.steps):
            return None
        return None if any(s.status == UNDECIDED for s in self.steps) else True

    @property
    def undecided(self) -> list:
        """Steps not decided and lines not read, in line order (what the report lists)."""
        return sorted([s for s in self.steps if s.status == UNDECIDED] + self.unread, key=lambda s: s.line)

    def to_json(self) -> dict:
        wrong = self.earliest_wrong
        return {"problem": self.problem, "final_answer": self.final_answer, "reasoning_ok": self.reasoning_ok,
                "error_not_located": self.error_not_located, "counts": self.counts,
                "earliest_wrong": wrong.to_json() if wrong else None, "truncated": self.truncated,
                "steps": [s.to_json() for s in self.steps], "unread": [u.to_json() for u in self.unread]}

    def summary(self) -> dict:
        """What each part result of the problem carries."""
        wrong = self.earliest_wrong
        return {"reasoning_ok": self.reasoning_ok, "counts": self.counts,
                "error_not_located": self.error_not_located, "unread_lines": [u.line for u in self.unread],
                "earliest_wrong": {"line": wrong.line, "text": wrong.text, "reason": wrong.reason} if wrong else None}


def audit_trace(problem, trace: str, refs: dict, final_answer: str | None = None, simulate=None,
                line_offset: int = 0) -> TraceAudit:
    """Check a problem's working. `line_offset` turns trace lines into file lines (in the
    steps and in every message that names a line)."""
    from dlcheck.trace.audit import audit_steps

    extracted, steps = audit_steps(problem, trace, refs, simulate, line_offset)
    unread = [StepCheck(u.line + line_offset, u.text, UNDECIDED, f"not read: {u.why}") for u in extracted.unread]
    return TraceAudit(problem.full_id, steps, final_answer, extracted.truncated, unread)


# -- known flaws named in the working -------------------------------------------------------------
_NEGATION = re.compile(r"\b(?:not|never|no longer|cannot|can't|doesn't|does not|don't|do not|isn't|is not|"
                       r"won't|without|neither|nor)\b|n't\b", re.I)


def flaw_sentences(pattern: str, text: str) -> list:
    """The sentences of `text` that state what `pattern` describes: matched within one
    sentence, and not in a sentence that negates it ("a larger stride does not reduce …")."""
    out = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)", text[:50_000]):
        m = re.search(pattern, sentence, re.IGNORECASE)
        if m is None:
            continue
        before = sentence[max(0, m.start() - 40):m.end()]
        if _NEGATION.search(before):
            continue
        out.append(" ".join(sentence.split()))
    return out
