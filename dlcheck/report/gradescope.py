"""Gradescope autograder results: one results.json per submission with the
documented keys (`score`, `output`, `tests[]` of `name`, `score`,
`max_score`, `status`, `output`, `visibility`).

Parts a human still grades are listed with max_score 0 and no status, so
Gradescope neither passes nor fails them. Outputs and names are declared
plain text (Gradescope would otherwise render its "simple_format", HTML
included) and pass `untrusted` (no control characters)."""
from __future__ import annotations

from pathlib import Path

from dlcheck.report.safe import json_file, json_text, untrusted
from dlcheck.results import record_of

VISIBILITY = "visible"
PLAIN = {"output_format": "text", "test_output_format": "text", "test_name_format": "text"}


def render_report(report, out) -> None:
    out.write(json_text(results_json(record_of(report, Path(report.submission).stem)), indent=2) + "\n")


def write_class(book) -> list:
    written = []
    for record in book.records():
        path = book.out / "gradescope" / record["id"] / "results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json_file(results_json(record)), encoding="utf-8")
        written.append(path)
    return written


def results_json(record: dict) -> dict:
    if record.get("status") != "graded":
        return {"score": 0.0, "output": _text(f"dlcheck could not grade this submission: {record.get('error')}"),
                "visibility": VISIBILITY, "tests": [], **PLAIN}
    report = record["report"]
    tests = [_test(r) for r in report.get("results", [])]
    return {"score": float(report.get("score", 0)), "visibility": VISIBILITY, "stdout_visibility": "hidden",
            "output": _text(f"dlcheck: {report.get('score')} / {report.get('max_score')}; "
                            + ", ".join(f"{n} {v}" for v, n in sorted((report.get("counts") or {}).items()))),
            "tests": tests, **PLAIN}


def _test(r: dict) -> dict:
    lines = [f"verdict: {r['verdict']}", f"expected: {r.get('expected', '')}", f"got: {r.get('got', '')}"]
    if r.get("feedback"):
        lines.append(r["feedback"])
    lines.extend(f"• {note}" for note in r.get("notes", []))
    test = {"name": untrusted(f"{r['problem']}/{r['part']}"), "score": float(r.get("score", 0)),
            "max_score": float(r.get("max_score", 0)), "output": _text("\n".join(lines)), "visibility": VISIBILITY}
    if r["verdict"] != "review":
        test["status"] = "passed" if r["verdict"] == "correct" else "failed"
    return test


def _text(text: str) -> str:
    return untrusted(text, keep_newlines=True)
