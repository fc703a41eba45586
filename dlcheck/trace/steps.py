"""What the audit says about one step (light: the grader rebuilds these from
the memoised audit without importing the checkers)."""
from __future__ import annotations

from dataclasses import dataclass, field

OK, WRONG, UNDECIDED, GIVEN = "ok", "wrong", "undecided", "given"


@dataclass
class StepCheck:
    line: int
    text: str
    status: str
    reason: str
    symbols: list = field(default_factory=list)
    relations: list = field(default_factory=list)     # [{left, right, status, reason}]
    counterexample: dict | None = None
    context: str = ""

    def to_json(self) -> dict:
        out = {"line": self.line, "text": self.text, "status": self.status, "reason": self.reason,
               "symbols": self.symbols, "relations": self.relations}
        if self.counterexample:
            out["counterexample"] = self.counterexample
        return out


def steps_from_json(data: list) -> list:
    """StepChecks back from their JSON (the memoised audit)."""
    return [StepCheck(d["line"], d["text"], d["status"], d["reason"], list(d.get("symbols", [])),
                      list(d.get("relations", [])), d.get("counterexample")) for d in data]
