"""What grading produces: per-part results, critique audits, the report."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class PartResult:
    problem: str
    part: str
    kind: str
    verdict: str
    score: float
    max_score: float
    expected: str
    got: str
    feedback: str = ""
    notes: list = field(default_factory=list)
    decided_by: str = ""
    line: int | None = None
    automatic: bool = True
    rubric: list = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {"problem": self.problem, "part": self.part, "kind": self.kind, "verdict": self.verdict,
               "score": _num(self.score), "max_score": _num(self.max_score), "expected": self.expected,
               "got": self.got, "feedback": self.feedback, "notes": list(self.notes),
               "decided_by": self.decided_by}
        if self.line:
            out["line"] = self.line
        if self.rubric:
            out["rubric"] = list(self.rubric)
        if self.details:
            out.update(self.details)
        return out

    @classmethod
    def from_json(cls, data: dict) -> "PartResult":
        """A result from its JSON (fields beyond the dataclass's go to `details`, as to_json spreads them)."""
        own = {name: data[name] for name in cls.__dataclass_fields__ if name in data and name != "details"}
        details = {k: v for k, v in data.items() if k not in cls.__dataclass_fields__}
        return cls(**{"expected": "", "got": "", **own}, details=details)


@dataclass
class CritiqueResult:
    """Was the reviewer's verdict right, and is the reviewer's own answer right?"""

    problem: str
    critique_verdict: str | None
    actual_verdict: str | None           # None: undecided (needs review or timed out)
    critique_right: bool | None
    critique_answer_verdict: str | None = None
    answer_results: list = field(default_factory=list)   # [PartResult] for the reviewer's answer
    flags: list = field(default_factory=list)
    reason: str = ""                                      # why it could not be checked

    @property
    def checked(self) -> bool:
        return self.critique_right is not None

    def to_json(self) -> dict:
        out = {"problem": self.problem, "critique_verdict": self.critique_verdict,
               "actual_verdict": self.actual_verdict, "critique_right": self.critique_right,
               "critique_answer_verdict": self.critique_answer_verdict, "flags": list(self.flags)}
        if self.answer_results:
            out["answer_results"] = [r.to_json() for r in self.answer_results]
        if self.reason:
            out["reason"] = self.reason
        return out

    @classmethod
    def from_json(cls, data: dict) -> "CritiqueResult":
        keys = ("critique_verdict", "actual_verdict", "critique_right", "critique_answer_verdict", "flags", "reason")
        return cls(data["problem"], **{k: data[k] for k in keys if k in data})


@dataclass
class Report:
    submission: str
    author: str | None
    results: list = field(default_factory=list)       # [PartResult]
    critiques: list = field(default_factory=list)     # [CritiqueResult]
    errors: list = field(default_factory=list)        # [Issue]
    warnings: list = field(default_factory=list)      # [Issue]
    titles: dict = field(default_factory=dict)        # problem id -> title
    traces: list = field(default_factory=list)        # [TraceAudit], one per answer with working
    view: object = None                               # how it is shown (report/student.View); None: to staff

    @property
    def audience(self) -> str:
        """"student": a view with no reference value (report/student.py)."""
        return getattr(self.view, "audience", "staff")

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.max_score for r in self.results)

    def counts(self) -> Counter:
        return Counter(r.verdict for r in self.results)

    def to_json(self) -> dict:
        checked = [c for c in self.critiques if c.checked]
        return {
            "submission": self.submission,
            "author": self.author,
            "audience": self.audience,
            "score": _num(self.score),
            "max_score": _num(self.max_score),
            "counts": dict(self.counts()),
            "results": [r.to_json() for r in self.results],
            "critiques": [c.to_json() for c in checked],
            "critiques_unchecked": [c.to_json() for c in self.critiques if not c.checked],
            "traces": [t.to_json() for t in self.traces],
            "errors": [e.to_json() for e in self.errors],
            "warnings": [w.to_json() for w in self.warnings],
        }


def _num(x: float):
    """7.0 -> 7, so JSON reads as people expect; 7.5 stays 7.5."""
    return int(x) if float(x).is_integer() else round(x, 6)


def record_of(report, submission_id: str) -> dict:
    """A graded report as the record `dlcheck batch` writes (what the class outputs read), for
    `dlcheck grade --format csv|junit|gradescope|…` of one file."""
    return {"id": submission_id, "submission": report.submission, "status": "graded", "error": None,
            "report": report.to_json()}
