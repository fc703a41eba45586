"""Grades into the LMS: `dlcheck export OUT --lms canvas|moodle --roster roster.csv`.

The roster says who is who: the LMS's own student columns (for Canvas the ones
its gradebook export starts with: Student, ID, SIS User ID, SIS Login ID,
Section; for Moodle an identifier its CSV grade import can map: Email address,
ID number or Username) plus a `submission` column holding the submission's
`author`, its file name (with or without .yaml) or its batch id. Easiest: export
the LMS gradebook, add the `submission` column, fill it in.

The file written is what each LMS imports:
  canvas  Student, ID, SIS User ID, SIS Login ID, Section, then one assignment
          column: "Name (ID)" updates that Canvas assignment, a plain name makes
          a new one (--assignment)
  moodle  the roster's identifier columns, then one grade column to map to a
          grade item in Moodle's "Import grades from CSV"
One row per roster student, in the roster's order (Canvas's "Points Possible"
row, when the roster has it, gets the scale: --points, else the class's maximum); a student with no graded
submission gets an empty cell (an LMS leaves that grade as it is). Nothing is
dropped: submissions nobody in the roster matches, roster rows matching two
submissions, ungraded and duplicate submissions, and scores that still wait for
a human review are all listed in the returned Export."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from dlcheck import classbook
from dlcheck.csvin import FORMULA_START, Rows
from dlcheck.errors import SubmissionFileError
from dlcheck.report.safe import untrusted

CANVAS = ("student", "id", "sis user id", "sis login id", "section")
MOODLE = ("email address", "id number", "username", "first name", "last name")
LAYOUTS = ("canvas", "moodle")
POINTS_POSSIBLE = "points possible"     # the second row of a Canvas gradebook export: kept, not a student


@dataclass
class Export:
    """What an export wrote, and everyone it could not give a grade (none is dropped silently)."""

    rows: int = 0
    graded: int = 0
    unmatched: list = field(default_factory=list)      # submissions no roster row names
    ambiguous: list = field(default_factory=list)      # roster rows naming two submissions
    no_submission: list = field(default_factory=list)  # roster rows naming none
    not_graded: list = field(default_factory=list)     # error or duplicate entries a roster row names
    pending: list = field(default_factory=list)        # graded, with parts still awaiting a human

    def lines(self) -> list:
        said = [(self.unmatched, "submissions that match nobody in the roster (not exported)"),
                (self.ambiguous, "roster rows that match more than one submission (left empty)"),
                (self.no_submission, "roster rows with no submission (left empty)"),
                (self.not_graded, "roster rows whose submission was not graded (left empty)"),
                (self.pending, "scores without the parts still awaiting a human review")]
        return [f"{len(items)} {what}: {', '.join(items)}" for items, what in said if items]


def export(out: Path, layout: str, roster_path: Path, stream, assignment: str = "dlcheck",
           points: float | None = None) -> Export:
    if layout not in LAYOUTS:
        raise SubmissionFileError(f"--lms {layout!r}: expected one of {', '.join(LAYOUTS)}")
    roster = _roster(roster_path, layout)
    records = list(classbook.class_records(out))
    keys = _keys(records)
    result = Export()
    writer = csv.writer(stream, lineterminator="\n")
    ids = [c for c in (CANVAS if layout == "canvas" else MOODLE) if c in roster.columns]   # the LMS's order
    writer.writerow([_text(roster.names[c]) for c in ids] + [_text(assignment)])
    claimed = set()
    for number, row in roster:
        if layout == "canvas" and row["student"].strip().casefold() == POINTS_POSSIBLE:
            writer.writerow([_text(row[c]) for c in ids] + [_possible(records, points)])
            continue
        grade = _grade(row, number, keys, result, claimed, points)
        writer.writerow([_text(row[c]) for c in ids] + [grade])
        result.rows += 1
    result.unmatched = sorted(r["id"] for r in records if r["id"] not in claimed)
    return result


def _possible(records: list, points) -> str:
    """Canvas's "Points Possible" row: the scale the grades are written on."""
    if points is not None:
        return f"{points:g}"
    maxima = [float((r.get("report") or {}).get("max_score", 0)) for r in records if r.get("status") == "graded"]
    return f"{max(maxima, default=0):g}"


def _roster(path: Path, layout: str) -> Rows:
    if layout == "canvas":
        return Rows(path, ("submission",) + CANVAS, others=True)
    rows = Rows(path, ("submission",), MOODLE, others=True)
    if not {"email address", "id number", "username"} & set(rows.columns):
        raise SubmissionFileError(f"{path}: row 1: a Moodle roster needs an identifier column Moodle can map: "
                                  f"Email address, ID number or Username")
    return rows


def _keys(records: list) -> dict:
    """Every name a roster may use for a submission -> the records it names."""
    keys: dict = {}
    for record in records:
        path = Path(record["submission"])
        author = ((record.get("report") or {}).get("author") or "").strip()
        for key in {record["id"], record["submission"], path.name, path.stem, author}:
            if key:
                keys.setdefault(key.casefold(), []).append(record)
    return keys


def _grade(row: dict, number: int, keys: dict, result: Export, claimed: set, points) -> str:
    name = row["submission"].strip()
    who = f"row {number} ({untrusted(name) or 'no submission named'})"
    found = {r["id"]: r for r in keys.get(name.casefold(), [])} if name else {}
    if len(found) > 1:
        result.ambiguous.append(f"{who}: {', '.join(sorted(found))}")
        return ""
    if not found:
        result.no_submission.append(who)
        return ""
    record = next(iter(found.values()))
    claimed.add(record["id"])
    if record.get("status") != "graded":
        result.not_graded.append(f"{who}: {record['status']}")
        return ""
    report = record["report"]
    if report.get("reviews_pending") or any(r.get("verdict") == "review" for r in report.get("results", [])):
        result.pending.append(who)
    result.graded += 1
    return _score(report, points)


def _score(report: dict, points) -> str:
    score, maximum = float(report.get("score", 0)), float(report.get("max_score", 0))
    if points is not None:
        score = score / maximum * points if maximum else 0.0
    return f"{round(score, 4):g}"


def _text(value) -> str:
    text = untrusted(value)
    return "'" + text if text.lstrip()[:1] in FORMULA_START else text


def export_file(out: str, layout: str, roster: str, to: str, assignment: str, points) -> Export:
    """`dlcheck export OUT --lms … --roster … --to FILE` (- for stdout)."""
    folder = classbook.class_folder(out)
    if points is not None and not (0 < points < float("inf")):
        raise SubmissionFileError(f"--points {points}: expected a positive number")
    return classbook.write_file(to, lambda stream: export(folder, layout, Path(roster), stream, assignment, points))
