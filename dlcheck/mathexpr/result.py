"""What a comparison of two formulas decided, and which tier decided it."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Equivalence:
    equivalent: bool | None             # None: undecided (or timed out)
    decided_by: str                     # exact | numeric | symbolic | shape | timeout | undecided
    counterexample: dict = field(default_factory=dict)
    detail: str = ""

    def to_json(self) -> dict:
        return {"equivalent": self.equivalent, "decided_by": self.decided_by,
                "counterexample": self.counterexample or None, "detail": self.detail}

