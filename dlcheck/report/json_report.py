"""The machine-readable report of SUBMISSION_FORMAT.md: one JSON object on stdout.

Written with `json_text`: every string exactly as submitted, but the characters
JSON would leave raw and a terminal would obey are \\u-escaped (json.dumps
already escapes C0 controls such as ESC)."""
from __future__ import annotations

from dlcheck.report.safe import json_text


def render_report(report, out) -> None:
    out.write(json_text(report.to_json()) + "\n")


def render_solution(problem, refs, out) -> None:
    data = {"problem": problem.full_id, "title": problem.title,
            "parts": {name: {"value": ref.value, "steps": ref.steps} for name, ref in refs.items()}}
    out.write(json_text(data) + "\n")


def render_equivalence(first: str, second: str, result, out) -> None:
    out.write(json_text({"first": first, "second": second, **result.to_json()}) + "\n")
