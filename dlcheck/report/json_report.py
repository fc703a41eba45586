"""The machine-readable report of SUBMISSION_FORMAT.md: one JSON object on stdout."""
from __future__ import annotations

import json


def render_report(report, out) -> None:
    json.dump(report.to_json(), out, ensure_ascii=False, indent=2)
    out.write("\n")


def render_solution(problem, refs, out) -> None:
    data = {"problem": problem.full_id, "title": problem.title,
            "parts": {name: {"value": ref.value, "steps": ref.steps} for name, ref in refs.items()}}
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def render_equivalence(first: str, second: str, result, out) -> None:
    json.dump({"first": first, "second": second, **result.to_json()}, out, ensure_ascii=False, indent=2)
    out.write("\n")
