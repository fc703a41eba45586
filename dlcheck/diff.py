"""`dlcheck diff OLD NEW`: what changed between two batch output folders, per
student and part (a regrade after a spec fix, last year's key against this
year's). Submissions are matched by id, which depends only on a file's path
below the class root (batch.py), so two gradings of one class match wherever
they ran. A rerun of `dlcheck batch` into one folder uses the same comparison
to say what its regrade changed."""
from __future__ import annotations

from pathlib import Path

from dlcheck import classbook
from dlcheck.batch import RESULTS
from dlcheck.errors import SubmissionFileError


def totals(record: dict | None) -> tuple:
    """(status, score, max_score) of a record or a brief; None for none."""
    if not isinstance(record, dict):
        return (None, None, None)
    report = record.get("report") if isinstance(record.get("report"), dict) else record
    return (record.get("status"), report.get("score"), report.get("max_score"))


def score_changed(old: dict | None, new: dict | None) -> bool:
    return old is not None and new is not None and totals(old) != totals(new)


def parts(record: dict | None) -> dict:
    """"problem/part" -> (verdict, score, max_score) of a record's report."""
    report = (record or {}).get("report") or {}
    return {f"{r['problem']}/{r['part']}": (r.get("verdict"), r.get("score"), r.get("max_score"))
            for r in report.get("results", [])}


def compare(old_dir: Path, new_dir: Path) -> dict:
    """{"changed": [{id, submission, old, new, parts: [{part, old, new}]}], "only_old": [...],
    "only_new": [...], "unchanged": n} — a part is listed when its verdict or score changed."""
    for folder in (old_dir, new_dir):
        if not (Path(folder) / RESULTS).is_dir():
            raise SubmissionFileError(f"{folder}: not a `dlcheck batch` output folder (no {RESULTS}/ in it)")
    old = {r["id"]: r for r in classbook.records(Path(old_dir))}
    changed, only_new, unchanged = [], [], 0
    for record in classbook.records(Path(new_dir)):
        before = old.pop(record["id"], None)
        if before is None:
            only_new.append(_who(record))
            continue
        was, now = parts(before), parts(record)
        moved = [{"part": name, "old": _part(was.get(name)), "new": _part(now.get(name))}
                 for name in list(was) + [n for n in now if n not in was] if was.get(name) != now.get(name)]
        if moved or totals(before) != totals(record):
            changed.append({**_who(record), "old": _total(before), "new": _total(record), "parts": moved})
        else:
            unchanged += 1
    return {"changed": changed, "only_old": [_who(r) for r in old.values()], "only_new": only_new,
            "unchanged": unchanged}


def _who(record: dict) -> dict:
    return {"id": record["id"], "submission": record.get("submission")}


def _total(record: dict) -> dict:
    status, score, max_score = totals(record)
    return {"status": status, "score": score, "max_score": max_score}


def _part(value) -> dict | None:
    if value is None:
        return None
    verdict, score, max_score = value
    return {"verdict": verdict, "score": score, "max_score": max_score}


def render(result: dict, out) -> None:
    """Plain lines (pipe-friendly): each changed student, then each changed part."""
    from dlcheck.report.safe import untrusted

    def total(t: dict) -> str:
        if t["status"] != "graded":
            return t["status"] or "—"
        return f"{t['score']:g} / {t['max_score']:g}"

    def part(p: dict | None) -> str:
        return "—" if p is None else f"{p['verdict']} {p['score']:g}/{p['max_score']:g}"

    for entry in result["changed"]:
        delta = ""
        if entry["old"]["status"] == entry["new"]["status"] == "graded":
            d = entry["new"]["score"] - entry["old"]["score"]
            delta = f"  ({d:+g})" if d else ""
        out.write(f"{untrusted(entry['submission'])}: {total(entry['old'])} → {total(entry['new'])}{delta}\n")
        for p in entry["parts"]:
            out.write(f"    {untrusted(p['part'])}: {part(p['old'])} → {part(p['new'])}\n")
    for key, label in (("only_old", "only in OLD"), ("only_new", "only in NEW")):
        for entry in result[key]:
            out.write(f"{untrusted(entry['submission'])}: {label}\n")
    moved = sum(1 for e in result["changed"] if (e["old"]["score"], e["old"]["status"]) !=
                (e["new"]["score"], e["new"]["status"]))
    out.write(f"{len(result['changed'])} submissions changed ({moved} scores), {result['unchanged']} unchanged, "
              f"{len(result['only_old'])} only in OLD, {len(result['only_new'])} only in NEW\n")
