"""Humans score what dlcheck leaves for review: `dlcheck review export` and `import`.

    OUT/results/*.json --export--> review.csv: one row per part awaiting a human
        (submission, part, rubric, the answer as submitted, dlcheck's measurements,
         score and comment to fill in)
    review.csv --import--> OUT/reviews.json (humanscores.py) --> the class outputs again

The CSV comes back from a spreadsheet, so it is read as untrusted input
(csvin.py): a formula cell, a wrong or missing column, an unknown submission or
part, a score that is not a number or above the part's maximum are each a
message with the row number, and one bad row imports nothing. A row without a
score is skipped (not scored yet). A part's maximum is its spec's `points`
when it has some, else one point per rubric item (at least one)."""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from dlcheck import classbook
from dlcheck.csvin import FORMULA_START, Rows, cell
from dlcheck.errors import SubmissionFileError, did_you_mean
from dlcheck.humanscores import HumanScores, Score, fingerprint, graded_digest
from dlcheck.report.safe import untrusted

COLUMNS = ("submission", "author", "file", "part", "max_score", "status", "rubric", "answer", "measurements",
           "score", "comment")
REQUIRED = ("submission", "part", "score")
MAX_COMMENT = 5_000
MAX_ERRORS = 20


def review_max(part) -> float:
    """A review part's scale: its spec's points, else one point per rubric item."""
    return float(part.points) if part.points > 0 else float(max(1, len(part.rubric)))


# -- export ---------------------------------------------------------------------------------
def export(out: Path, stream, bank) -> int:
    """Write the review CSV of the class in `out` to `stream`; returns the number of rows."""
    human = HumanScores.load(out, bank)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for record in classbook.records(out):
        parts = _review_parts(record)
        if not parts:
            continue
        answers = _answers(Path(record["submission"]), bank)
        for r in parts:
            writer.writerow([_text(c) for c in _row(record, r, answers, human, bank)])
            count += 1
    return count


def _review_parts(record: dict) -> list:
    if record.get("status") != "graded":
        return []
    return [r for r in (record.get("report") or {}).get("results", []) if r.get("verdict") == "review"]


def _row(record: dict, r: dict, answers: dict, human: HumanScores, bank) -> list:
    key = f"{r['problem']}/{r['part']}"
    stored = human.find(record["id"], record["submission"], key)
    status = "new"
    if stored is not None:
        changed = human.changed(Path(record["submission"]), key, stored, graded_digest(record))
        status = "changed since scored" if changed else "scored"
    measured = ([r["feedback"]] if r.get("feedback") and not r["feedback"].startswith("for review") else [])
    measured += list(r.get("notes", []))
    return [record["id"], (record.get("report") or {}).get("author") or "", record["submission"], key,
            f"{_max(bank, r):g}", status, "\n".join(f"• {item}" for item in r.get("rubric", [])),
            answers.get(key, r.get("got", "")), "\n".join(measured),
            "" if stored is None else f"{stored.score:g}", "" if stored is None else stored.comment]


def _answers(path: Path, bank) -> dict:
    """problem/part -> the answer as the file states it (the report keeps only a short display)."""
    from dlcheck.errors import DlcheckError
    from dlcheck.submission import load_submission

    try:
        submission = load_submission(path, bank)
    except (DlcheckError, OSError):
        return {}
    return {f"{e.problem_id}/{name}": raw.value if isinstance(raw.value, str) else
            json.dumps(raw.value, ensure_ascii=False, default=str)
            for e in submission.entries for name, raw in e.parts.items()}


def _max(bank, r: dict) -> float:
    try:
        return review_max(bank.problem(r["problem"]).parts[r["part"]])
    except Exception:  # noqa: BLE001 - a problem the bank no longer has: one point
        return 1.0


def _text(value) -> str:
    """A cell no spreadsheet runs: inert text, a quote before a formula's first character."""
    text = untrusted(value, keep_newlines=True)
    return "'" + text if text.lstrip()[:1] in FORMULA_START + ("\t", "\r") else text


# -- import ---------------------------------------------------------------------------------
def import_scores(path: Path, out: Path, bank) -> int:
    """Read the review CSV at `path` into OUT/reviews.json; returns how many scores it gave. Nothing
    is stored unless every row is valid."""
    rows = Rows(path, REQUIRED, tuple(c for c in COLUMNS if c not in REQUIRED))
    pending = _pending(out)
    human = HumanScores.load(out, bank)
    scores, errors, seen = [], [], {}
    for number, row in rows:
        try:
            score = _score(rows, number, row, pending, bank, seen)
        except SubmissionFileError as exc:
            errors.append(str(exc))
            if len(errors) >= MAX_ERRORS:
                break
            continue
        if score is not None:
            scores.append(score)
    if errors:
        raise SubmissionFileError("nothing imported:\n  " + "\n  ".join(errors))
    for score in scores:
        human.put(score)
    human.maxima.update(_maxima(pending, bank))
    human.save()
    return len(scores)


def _pending(out: Path) -> dict:
    """(id or file) -> (record, {problem/part of its review parts})."""
    found = {}
    for record in classbook.records(out):
        parts = {f"{r['problem']}/{r['part']}" for r in _review_parts(record)}
        found[record["id"]] = found[record["submission"]] = (record, parts)
    return found


def _score(rows: Rows, number: int, row: dict, pending: dict, bank, seen: dict) -> Score | None:
    submission = cell(rows, number, "submission", row["submission"])
    part = cell(rows, number, "part", row["part"])
    raw_score = cell(rows, number, "score", row["score"], number=True)
    comment = cell(rows, number, "comment", row.get("comment", ""))
    if submission not in pending:
        ids = [k for k, (record, _) in pending.items() if k == record["id"]]
        raise rows.error(number, f"no submission {submission!r} in this class{did_you_mean(submission, ids)}")
    record, parts = pending[submission]
    if part not in parts:
        listed = ", ".join(sorted(parts)) or "none"
        raise rows.error(number, f"{part!r} is not a part of {record['id']} awaiting a human review"
                                 f"{did_you_mean(part, sorted(parts))}; its parts for review: {listed}")
    first = seen.setdefault((record["id"], part), number)
    if first != number:
        raise rows.error(number, f"{part} of {record['id']} is scored twice (first on row {first})")
    if not raw_score:
        if comment:
            raise rows.error(number, "a comment without a score: give the score too (or leave both empty)")
        return None
    maximum = _max(bank, {"problem": part.rsplit("/", 1)[0], "part": part.rsplit("/", 1)[1]})
    value = _number(rows, number, raw_score, maximum)
    if len(comment) > MAX_COMMENT:
        raise rows.error(number, f"the comment is longer than {MAX_COMMENT:,} characters")
    whole, answers = fingerprint(record["submission"], bank, graded_digest(record))
    return Score(record["id"], record["submission"], part, value, maximum, comment, answers.get(part, ""), whole)


def _number(rows: Rows, number: int, text: str, maximum: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or text.strip().lower() in ("nan", "inf", "infinity"):
        raise rows.error(number, f"score {text!r} is not a number; expected one from 0 to {maximum:g}")
    if value < 0:
        raise rows.error(number, f"score {text} is negative; expected one from 0 to {maximum:g}")
    if value > maximum:
        raise rows.error(number, f"score {text} is above the part's maximum {maximum:g}")
    return int(value) if value.is_integer() else value


def _maxima(pending: dict, bank) -> dict:
    """Every review part's scale in the class (a part nobody answered then counts 0 of it)."""
    keys = {key for _, parts in pending.values() for key in parts}
    return {key: _max(bank, {"problem": key.rsplit("/", 1)[0], "part": key.rsplit("/", 1)[1]}) for key in keys}


def rerender(out: Path) -> list:
    """The class outputs again, as the last batch or merge wrote them, human scores in."""
    formats, options = classbook.written_options(out)
    return classbook.write_outputs(out, formats, classbook.summarize(out), options)


# -- files (what the CLI calls) -----------------------------------------------------------------
def export_file(out: str, to: str, bank) -> int:
    """`dlcheck review export OUT --to FILE` (- for stdout); returns the number of rows."""
    folder = classbook.class_folder(out)
    return classbook.write_file(to, lambda stream: export(folder, stream, bank))


def import_file(path: str, out: str, bank) -> tuple[int, list]:
    """`dlcheck review import CSV OUT`: the scores stored, the class outputs written again."""
    folder = classbook.class_folder(out)
    count = import_scores(Path(path), folder, bank)
    return count, rerender(folder)
