"""The gradebook: one CSV row per submission, a column per part plus the total.

A part's cell is its score (`2 (human)` when a reviewer gave it); `review` for
parts a human still has to grade, `recheck` for one whose answer changed after
it was scored; empty when the submission's set has no such part. Every text cell is made
inert for a spreadsheet (`_text`): no formula from a file or author name."""
from __future__ import annotations

import csv
from pathlib import Path

from dlcheck.report.safe import untrusted
from dlcheck.results import record_of

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")    # OWASP's CSV injection list (tab and CR: belt and braces)

FIXED = ["id", "submission", "author", "status", "score", "max_score"]


def render_report(report, out) -> None:
    record = record_of(report, Path(report.submission).stem)
    columns = [f"{r.problem}/{r.part}" for r in report.results]
    _write(out, columns, [record])


def write_class(book) -> list:
    path = book.out / "gradebook.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:      # streamed: memory stays flat
        _write(fh, book.part_columns(), book.records())
    return [path]


def _write(out, columns: list, records) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_text(c) for c in FIXED + columns + ["error"]])
    for record in records:
        writer.writerow([_text(c) if isinstance(c, str) else c for c in _row(record, columns)])


def _row(record: dict, columns: list) -> list:
    report = record.get("report") or {}
    cells = {f"{r['problem']}/{r['part']}": _cell(r) for r in report.get("results", [])}
    return ([record["id"], record["submission"], report.get("author") or "", record["status"],
             report.get("score", ""), report.get("max_score", "")]
            + [cells.get(c, "") for c in columns] + [record.get("error") or ""])


def _cell(result: dict):
    """The score; a human's score marked as such; `review` while a human has to score it, `recheck`
    when the answer changed after a human scored it (humanscores.py)."""
    if result.get("decided_by") == "human":
        return f"{result['score']} (human)"
    if result["verdict"] == "review":
        return "recheck" if (result.get("human") or {}).get("stale") else "review"
    return result["score"]


def _text(text: str) -> str:
    """A text cell no spreadsheet reads as a formula: one that starts (after any
    blanks, which some spreadsheets skip) with = + - @ gets a quote before it;
    tabs and line breaks are gone by then (`untrusted`)."""
    text = untrusted(text)
    return "'" + text if text.lstrip()[:1] in FORMULA_START else text
