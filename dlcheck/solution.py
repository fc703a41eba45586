"""What a solver derives for one part: `Reference` (value, steps, rules, facts),
and the plain JSON values it is stored as. At the bottom of the layers: the
engine's helpers for solvers (nnkit, symkit) build References too."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from dlcheck.errors import SolverError


@dataclass
class Reference:
    """A derived answer to one part: its value, the steps that led to it, and
    the values of the spec's named rules (known mistakes, accepted variants)."""

    value: object
    steps: list = field(default_factory=list)
    rules: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)   # intermediate results working may state: {"w_1": "w0 − …"}
    shown: str = ""     # how reports show it, where the kind's own display does not fit (a claim: what to re-run)

    def to_json(self) -> dict:
        out = {"value": jsonable(self.value), "steps": [str(s) for s in self.steps],
               "rules": {k: jsonable(v) for k, v in self.rules.items()}}
        if self.facts:
            out["facts"] = {k: jsonable(v) for k, v in self.facts.items()}
        if self.shown:
            out["shown"] = self.shown
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Reference":
        """A Reference from JSON (a cache entry); ValueError unless every field has its type."""
        if not isinstance(data, dict) or "value" not in data:
            raise ValueError("not a reference: no value")
        steps, rules, facts = data.get("steps"), data.get("rules", {}), data.get("facts", {})
        if not isinstance(steps, list) or not all(isinstance(step, str) for step in steps):
            raise ValueError("not a reference: steps must be a list of text")
        if not isinstance(rules, dict) or not isinstance(facts, dict):
            raise ValueError("not a reference: rules and facts must be mappings")
        shown = data.get("shown", "")
        if not isinstance(shown, str):
            raise ValueError("not a reference: shown must be text")
        return cls(data["value"], list(steps), dict(rules), dict(facts), shown)


def jsonable(value):
    """Plain JSON values from what solvers return (tuples, numpy/torch scalars)."""
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SolverError(f"a solver returned the non-finite number {value}")
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars, torch tensors
        return jsonable(value.tolist())
    raise SolverError(f"a solver returned {type(value).__name__}, which is not a JSON value")
