"""Verdicts and what a kind's `compare` returns."""
from __future__ import annotations

from dataclasses import dataclass, field

CORRECT, INCORRECT, PARTIAL = "correct", "incorrect", "partial"
INVALID, MISSING, ERROR, TIMEOUT, REVIEW = "invalid", "missing", "error", "timeout", "review"
VERDICTS = (CORRECT, INCORRECT, PARTIAL, INVALID, MISSING, ERROR, TIMEOUT, REVIEW)


@dataclass
class Invalid:
    """What `parse` returns for an answer it cannot read: the reason, never an exception."""

    message: str


class InvalidAnswer(ValueError):
    """Raised inside a kind's parser; `kinds.parse` turns it into `Invalid`."""


@dataclass
class Outcome:
    """A kind's judgement of one answer against one expected value."""

    verdict: str
    feedback: str = ""
    notes: list = field(default_factory=list)
    decided_by: str = ""
    credit: float | None = None   # share of the points; None = by verdict
    rubric: list = field(default_factory=list)   # review: the checklist for the human
    details: dict = field(default_factory=dict)  # kind-specific data for reports (a layer diff, …)
    transient: bool = False       # the infrastructure failed (a killed worker), not the answer: never memoised

    @property
    def share(self) -> float:
        if self.credit is not None:
            return self.credit
        return 1.0 if self.verdict == CORRECT else 0.0

    def to_json(self) -> dict:
        return {"verdict": self.verdict, "feedback": self.feedback, "notes": list(self.notes),
                "decided_by": self.decided_by, "credit": self.credit, "rubric": list(self.rubric),
                "details": dict(self.details), "transient": self.transient}

    @classmethod
    def from_json(cls, data: dict) -> "Outcome":
        """An Outcome from JSON (a memo entry); ValueError unless every field has its type."""
        if not isinstance(data, dict) or data.get("verdict") not in VERDICTS:
            raise ValueError("not an outcome: no known verdict")
        fields = {"feedback": (str, ""), "notes": (list, []), "decided_by": (str, ""), "rubric": (list, []),
                  "details": (dict, {}), "transient": (bool, False)}
        values = {name: data.get(name, default) for name, (_, default) in fields.items()}
        wrong = [name for name, (kind, _) in fields.items() if not isinstance(values[name], kind)]
        if wrong:
            raise ValueError(f"not an outcome: {', '.join(wrong)} of the wrong type")
        credit = data.get("credit")
        if credit is not None and (isinstance(credit, bool) or not isinstance(credit, (int, float))
                                   or not 0 <= credit <= 1):
            raise ValueError("not an outcome: credit must be a share between 0 and 1")
        return cls(data["verdict"], credit=credit, **values)
