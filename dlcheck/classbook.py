"""A class's results: the records a batch wrote, the class summary, and the
outputs course infrastructure reads (one module per format in report/).

A record is what `dlcheck batch` writes per submission:
    {"id", "submission", "status": "graded" | "error", "error", "report": <grade JSON>}
Everything here reads records in id order and writes files whose bytes depend
only on the records (no timestamps), so a sharded run merged with
`dlcheck merge` gives the same files as an unsharded one."""
from __future__ import annotations

import importlib
import json
import shutil
from collections import Counter, defaultdict
from pathlib import Path

from dlcheck.batch import RESULTS
from dlcheck.cache import read_json, write_json_atomic
CLASS_FORMATS = {"csv": "csv_report", "junit": "junit", "gradescope": "gradescope", "md": "markdown",
                 "html": "html"}
TOP_WRONG = 3
MAX_DISTINCT = 2000          # distinct wrong answers tracked per part (memory stays bounded)


def record_of(report, submission_id: str) -> dict:
    """The batch record of one graded report (for `dlcheck grade --format csv|junit|…`)."""
    return {"id": submission_id, "submission": report.submission, "status": "graded", "error": None,
            "report": report.to_json()}


def records(out: Path):
    """The records under out/results, in id order, one at a time (memory stays flat)."""
    for path in sorted((out / RESULTS).glob("*.json")):
        data = read_json(path)
        if isinstance(data, dict) and "id" in data:
            yield data


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
            errors.append({"id": record["id"], "submission": record["submission"], "error": record.get("error")})
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
def write_outputs(out: Path, formats: list, summary: dict) -> list:
    """summary.json plus each requested format; returns the paths written."""
    written = [out / "summary.json"]
    write_json_atomic(out / "summary.json", summary)
    for fmt in formats:
        module = importlib.import_module(f"dlcheck.report.{CLASS_FORMATS[fmt]}")
        written.extend(module.write_class(out, summary))
    return written


def merge(shards: list, out: Path) -> int:
    """Copy every shard's results into out/results (a result present twice keeps
    the newer graded_at); returns how many results out/ now holds."""
    target = out / RESULTS
    target.mkdir(parents=True, exist_ok=True)
    for shard in shards:
        for path in sorted((Path(shard) / RESULTS).glob("*.json")):
            mine = target / path.name
            if mine.resolve() == path.resolve():
                continue
            if mine.exists():
                old, new = read_json(mine) or {}, read_json(path) or {}
                if str(old.get("graded_at", "")) >= str(new.get("graded_at", "")):
                    continue
            shutil.copyfile(path, mine)
    return len(list(target.glob("*.json")))


def dumps(data) -> str:
    """JSON as the class outputs write it: stable key order, readable."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
