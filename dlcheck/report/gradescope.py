"""Gradescope autograder results: one results.json per submission with the
documented keys (`score`, `output`, `tests[]` of `name`, `score`,
`max_score`, `status`, `output`, `visibility`).

Parts a human still grades are listed with max_score 0 and no status, so
Gradescope neither passes nor fails them; parts a human has scored (`dlcheck
review import`) say so. What it writes is for students unless the view says
otherwise (report/student.py): no reference value, and each test's
`visibility` is the view's (`visible` for students, `hidden` for a staff
view). Outputs and names are declared plain text (Gradescope would otherwise
render its "simple_format", HTML included) and pass `untrusted` (no control
characters)."""
from __future__ import annotations

from pathlib import Path

from dlcheck.report.safe import json_file, json_text, untrusted
from dlcheck.report.student import STUDENT, View, student_record, student_report
from dlcheck.results import record_of

PLAIN = {"output_format": "text", "test_output_format": "text", "test_name_format": "text"}


def render_report(report, out) -> None:
    if report.view is None:             # nobody chose: what Gradescope shows goes to students
        report = student_report(report, View(STUDENT))
    record = record_of(report, Path(report.submission).stem)
    out.write(json_text(results_json(record, report.view.test_visibility), indent=2) + "\n")


def write_class(book) -> list:
    """The book's records come in its view; a book without one is shown to students here."""
    view = book.view or View(STUDENT)
    written = []
    for record in book.records():
        shown = record if book.view else student_record(record, view)
        path = book.out / "gradescope" / record["id"] / "results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json_file(results_json(shown, view.test_visibility)), encoding="utf-8")
        written.append(path)
    return written


def results_json(record: dict, visibility: str = "visible") -> dict:
    """Gradescope's results.json for one record (already in the view its readers get)."""
    if record.get("status") != "graded":
        return {"score": 0.0, "output": _text(f"dlcheck could not grade this submission: {record.get('error')}"),
                "visibility": visibility, "tests": [], **PLAIN}
    report = record["report"]
    tests = [_test(r, visibility, report.get("audience") == STUDENT) for r in report.get("results", [])]
    pending = f"; {report['reviews_pending']} parts await a human review" if report.get("reviews_pending") else ""
    return {"score": float(report.get("score", 0)), "visibility": visibility, "stdout_visibility": "hidden",
            "output": _text(f"dlcheck: {report.get('score')} / {report.get('max_score')}; "
                            + ", ".join(f"{n} {v}" for v, n in sorted((report.get("counts") or {}).items()))
                            + pending),
            "tests": tests, **PLAIN}


def _test(r: dict, visibility: str, student: bool) -> dict:
    lines = [f"verdict: {r['verdict']}"] + ([f"expected: {r['expected']}"] if r.get("expected") else [])
    lines.append(f"{'your answer' if student else 'got'}: {r.get('got', '')}")
    if r.get("feedback"):
        lines.append(r["feedback"])
    lines.extend(f"• {note}" for note in r.get("notes", []))
    test = {"name": untrusted(f"{r['problem']}/{r['part']}"), "score": float(r.get("score", 0)),
            "max_score": float(r.get("max_score", 0)), "output": _text("\n".join(lines)), "visibility": visibility}
    if r["verdict"] != "review":
        test["status"] = "passed" if r["verdict"] == "correct" else "failed"
    return test


def _text(text: str) -> str:
    return untrusted(text, keep_newlines=True)
