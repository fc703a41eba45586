"""A class's results: the records a batch wrote, the class summary, and the
outputs course infrastructure reads (one module per format in report/).

A record is what `dlcheck batch` writes per submission:
    {"id", "submission", "status": "graded" | "error" | "duplicate", "error", "report": <grade JSON>,
     "duplicate_of": <id> (a link to a file graded under that id)}
Everything here reads records in id order and writes files whose bytes depend
only on the records (no timestamps), so a sharded run merged with
`dlcheck merge` gives the same files as an unsharded one. A record file that
is damaged (or was tampered with in a shard's artifacts) is read as an error
entry for that id: the outputs never crash on it and never drop the student."""
from __future__ import annotations

import re
import shutil
from collections import Counter, defaultdict
from pathlib import Path

from dlcheck import report
from dlcheck.batch import RESULTS
from dlcheck.cache import read_json, write_json_atomic
from dlcheck.report.safe import json_file
from dlcheck.results import record_of  # noqa: F401 - part of what a class's records are
from dlcheck.verdict import VERDICTS

TOP_WRONG = 3
MAX_DISTINCT = 2000          # distinct wrong answers tracked per part (memory stays bounded)
STATUSES = ("graded", "error", "duplicate")
_SAFE_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")    # ids name files and folders (gradescope/<id>/)


def records(out: Path):
    """The records under out/results, in id order, one at a time (memory stays flat)."""
    for path in sorted((out / RESULTS).glob("*.json")):
        data = read_json(path)
        damage = _damage(path, data)
        yield data if damage is None else _damaged(path, data, damage)


def _damage(path: Path, data) -> str | None:
    """What is wrong with a record, or None: the fields the outputs read, with their types."""
    if not isinstance(data, dict):
        return "not a JSON object"
    if data.get("id") != path.stem or not _SAFE_ID.fullmatch(path.stem):
        return "its id does not match its file name"
    if not isinstance(data.get("submission"), str) or data.get("status") not in STATUSES:
        return "no submission or status"
    if not isinstance(data.get("error") or "", str) or not isinstance(data.get("duplicate_of") or "", str):
        return "error or duplicate_of is not text"
    report = data.get("report")
    if data["status"] != "graded":
        return None if report is None else "a report on an ungraded entry"
    if not isinstance(report, dict) or not isinstance(report.get("results"), list):
        return "no report"
    if not all(_is_number(report.get(k, 0)) for k in ("score", "max_score")):
        return "a score that is not a number"
    if not all(_is_result(r) for r in report["results"]) or not all(
            isinstance(c, dict) and isinstance(c.get("problem"), str) for c in report.get("critiques", [])):
        return "a malformed part result or critique"
    return None


def _is_result(r) -> bool:
    return (isinstance(r, dict) and all(isinstance(r.get(k), str) for k in ("problem", "part"))
            and r.get("verdict") in VERDICTS and _is_number(r.get("score", 0)) and _is_number(r.get("max_score", 0))
            and isinstance(r.get("notes", []), list) and all(isinstance(n, str) for n in r.get("notes", [])))


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x == x and abs(x) != float("inf")


def _damaged(path: Path, data, damage: str) -> dict:
    submission = data.get("submission") if isinstance(data, dict) else None
    stem = path.stem if _SAFE_ID.fullmatch(path.stem) else "_" + re.sub(r"[^A-Za-z0-9._-]", "_", path.stem)
    return {"id": stem, "submission": submission if isinstance(submission, str) else path.name, "status": "error",
            "error": f"the result file {path.name} is damaged ({damage}); grade this submission again",
            "report": None}


def part_columns(out: Path) -> list:
    """Every problem/part graded in the class, in the order first seen."""
    seen = {}
    for record in records(out):
        for r in (record.get("report") or {}).get("results", []):
            seen.setdefault(f"{r['problem']}/{r['part']}", None)
    return list(seen)


# -- the class summary -----------------------------------------------------------
def summarize(out: Path) -> dict:
    submissions, errors, scores = 0, [], []
    parts = defaultdict(lambda: {"answered": 0, "verdicts": Counter(), "wrong": Counter(), "mistakes": Counter()})
    critiques = defaultdict(lambda: {"checked": 0, "wrong": 0})
    for record in records(out):
        submissions += 1
        if record.get("status") != "graded":
            errors.append({"id": record["id"], "submission": record["submission"], "error": record.get("error"),
                           **({"duplicate_of": record["duplicate_of"]} if record.get("duplicate_of") else {})})
            continue
        report = record["report"]
        scores.append((report.get("score", 0), report.get("max_score", 0)))
        for r in report.get("results", []):
            _count_part(parts[f"{r['problem']}/{r['part']}"], r)
        for c in report.get("critiques", []):
            critiques[c["problem"]]["checked"] += 1
            critiques[c["problem"]]["wrong"] += c.get("critique_right") is False
    return {
        "submissions": submissions,
        "graded": submissions - len(errors),
        "errors": errors,
        "mean_score": round(sum(s for s, _ in scores) / len(scores), 3) if scores else None,
        "max_score": max((m for _, m in scores), default=None),
        "parts": {name: _part_summary(p) for name, p in parts.items()},
        "critiques": {pid: dict(c) for pid, c in sorted(critiques.items())},
    }


def _count_part(acc: dict, r: dict) -> None:
    verdict = r["verdict"]
    acc["verdicts"][verdict] += 1
    if verdict != "missing":
        acc["answered"] += 1
    if verdict in ("incorrect", "partial", "invalid") and r.get("got"):
        got = " ".join(str(r["got"]).split())[:80]
        if got in acc["wrong"] or len(acc["wrong"]) < MAX_DISTINCT:
            acc["wrong"][got] += 1
    for note in r.get("notes", []):
        if note.startswith("known mistake: "):
            acc["mistakes"][note[len("known mistake: "):]] += 1


def _part_summary(acc: dict) -> dict:
    total = sum(acc["verdicts"].values())
    decided = total - acc["verdicts"]["review"]           # parts a human grades have no share yet
    return {"submissions": total, "answered": acc["answered"],
            "share_correct": round(acc["verdicts"]["correct"] / decided, 4) if decided else None,
            "verdicts": dict(sorted(acc["verdicts"].items())),
            "common_wrong": [{"answer": a, "count": n} for a, n in _top(acc["wrong"])],
            "known_mistakes": dict(sorted(acc["mistakes"].items()))}


def _top(counter: Counter) -> list:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:TOP_WRONG]


# -- outputs -------------------------------------------------------------------------
class Book:
    """What a format's write_class reads: the folder, the summary, the records and the columns."""

    def __init__(self, out: Path, summary: dict):
        self.out, self.summary = out, summary

    def records(self):
        return records(self.out)

    def part_columns(self) -> list:
        return part_columns(self.out)


def write_outputs(out: Path, formats: list, summary: dict) -> list:
    """summary.json plus each requested format; returns the paths written."""
    written = [out / "summary.json"]
    write_json_atomic(out / "summary.json", summary)
    book = Book(out, summary)
    for fmt in formats:
        written.extend(report.renderer(fmt).write_class(book))
    return written


def merge(shards: list, out: Path) -> int:
    """Copy every shard's results into out/results (a result present twice keeps
    the newer graded_at); returns how many results out/ now holds. Only regular
    files are copied: a link in a downloaded artifact could point anywhere."""
    target = out / RESULTS
    target.mkdir(parents=True, exist_ok=True)
    for shard in shards:
        for path in sorted((Path(shard) / RESULTS).glob("*.json")):
            mine = target / path.name
            if path.is_symlink() or not path.is_file() or mine.resolve() == path.resolve():
                continue
            if mine.exists() and _graded_at(mine) >= _graded_at(path):
                continue
            shutil.copyfile(path, mine)
    return len(list(target.glob("*.json")))


def _graded_at(path: Path) -> str:
    data = read_json(path)
    return str(data.get("graded_at", "")) if isinstance(data, dict) else ""


dumps = json_file
