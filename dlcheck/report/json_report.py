"""The machine-readable report of docs/submission-format.md: one JSON object on stdout.

Written with `json_text`: every string exactly as submitted, but the characters
JSON would leave raw and a terminal would obey are \\u-escaped (json.dumps
already escapes C0 controls such as ESC).

Every object carries `schema_version` first: fields may be added without changing it; a
field renamed or removed, or a meaning changed, raises it (docs/submission-format.md)."""
from __future__ import annotations

from dlcheck.report.safe import json_text

SCHEMA_VERSION = 1


def _versioned(data: dict) -> dict:
    return {"schema_version": SCHEMA_VERSION, **data}


def render_report(report, out) -> None:
    out.write(json_text(_versioned(report.to_json())) + "\n")


def render_solution(problem, refs, out) -> None:
    data = {"problem": problem.full_id, "title": problem.title,
            "parts": {name: {"value": ref.value, "steps": ref.steps} for name, ref in refs.items()}}
    out.write(json_text(_versioned(data)) + "\n")


def render_equivalence(first: str, second: str, result, out) -> None:
    out.write(json_text(_versioned({"first": first, "second": second, **result.to_json()})) + "\n")
