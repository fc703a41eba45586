"""The trace audit: read an answer's working (an LLM's output or a student's
derivation), check it step by step, and report the earliest wrong step.

    trace text --extract.py--> steps (sides of each equation chain) + givens
    steps --audit.py (sides.py, numeric.py)--> ok / wrong / undecided / given per step

`audit_trace` is what the grader calls; `import_writeup` (importer.py) turns a
markdown write-up into a submission whose sections become traces."""
from __future__ import annotations

from dataclasses import dataclass, field

from dlcheck.trace.steps import GIVEN, OK, UNDECIDED, WRONG, StepCheck, steps_from_json  # noqa: F401 - re-exported


@dataclass
class TraceAudit:
    problem: str
    steps: list = field(default_factory=list)        # [StepCheck]
    final_answer: str | None = None                  # the problem's verdict over its parts (None: undecided)
    truncated: bool = False

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
    def reasoning_ok(self) -> bool | None:
        """False with a wrong step; True when some steps were checked and none is wrong."""
        if self.earliest_wrong is not None:
            return False
        return True if any(s.status == OK for s in self.steps) else None

    @property
    def undecided(self) -> list:
        return [s for s in self.steps if s.status == UNDECIDED]

    def to_json(self) -> dict:
        wrong = self.earliest_wrong
        return {"problem": self.problem, "final_answer": self.final_answer, "reasoning_ok": self.reasoning_ok,
                "counts": self.counts, "earliest_wrong": wrong.to_json() if wrong else None,
                "truncated": self.truncated, "steps": [s.to_json() for s in self.steps]}

    def summary(self) -> dict:
        """What each part result of the problem carries."""
        wrong = self.earliest_wrong
        return {"reasoning_ok": self.reasoning_ok, "counts": self.counts,
                "earliest_wrong": {"line": wrong.line, "text": wrong.text, "reason": wrong.reason} if wrong else None}


def audit_trace(problem, trace: str, refs: dict, final_answer: str | None = None, simulate=None,
                line_offset: int = 0) -> TraceAudit:
    """Check a problem's working. `line_offset` turns trace lines into file lines."""
    from dlcheck.trace.audit import Auditor
    from dlcheck.trace.extract import extract

    extracted = extract(trace)
    steps = Auditor(problem, refs, simulate).run(extracted, line_offset)
    return TraceAudit(problem.full_id, steps, final_answer, extracted.truncated)

