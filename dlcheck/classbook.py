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

import contextlib
import contextvars
import re
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from dlcheck import report
from dlcheck.batch import RESULTS
from dlcheck.cache import read_json, write_json_atomic
from dlcheck.report.safe import json_file
from dlcheck.results import record_of  # noqa: F401 - part of what a class's records are
from dlcheck.verdict import VERDICTS

TOP_WRONG = 3
OUTPUTS = "outputs.json"     # which formats the last run wrote, and for whom
MAX_DISTINCT = 2000          # distinct wrong answers tracked per part (memory stays bounded)
STATUSES = ("graded", "error", "duplicate", "timeout")     # timeout: past the per-submission wall limit
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


def class_records(out: Path, scores=None):
    """The records with the human scores of OUT/reviews.json in (humanscores.py): what every
    class output reads. `scores` is a loaded HumanScores (else it is read from out)."""
    from dlcheck.humanscores import HumanScores

    scores = HumanScores.load(out) if scores is None else scores
    for record in records(out):
        yield scores.apply(record)


def part_columns(out: Path) -> list:
    """Every problem/part graded in the class, in the order first seen."""
    seen = {}
    for record in records(out):
        for r in (record.get("report") or {}).get("results", []):
            seen.setdefault(f"{r['problem']}/{r['part']}", None)
    return list(seen)


# -- the class summary -----------------------------------------------------------
def summarize(out: Path, human=None) -> dict:
    submissions, errors, scores = 0, [], []
    parts = defaultdict(lambda: {"answered": 0, "verdicts": Counter(), "wrong": Counter(), "mistakes": Counter(),
                                 "human": 0})
    critiques = defaultdict(lambda: {"checked": 0, "wrong": 0})
    for record in class_records(out, human):
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
    acc["human"] += r.get("decided_by") == "human"
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
    if acc["verdicts"]["review"] and decided == acc["verdicts"]["missing"]:
        decided = 0                                        # nor has one whose only other answers are missing
    return {"submissions": total, "answered": acc["answered"],
            "share_correct": round(acc["verdicts"]["correct"] / decided, 4) if decided else None,
            "verdicts": dict(sorted(acc["verdicts"].items())),
            "common_wrong": [{"answer": a, "count": n} for a, n in _top(acc["wrong"])],
            "known_mistakes": dict(sorted(acc["mistakes"].items())), "human_scored": acc["human"]}


def _top(counter: Counter) -> list:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:TOP_WRONG]


# -- outputs -------------------------------------------------------------------------
class Book:
    """What a format's write_class reads: the folder, the summary, the records (human scores in,
    shown as `view` shows them: report/student.py) and the columns."""

    def __init__(self, out: Path, summary: dict, view=None, human=None):
        self.out, self.summary, self.view, self.human = out, summary, view, human

    def records(self):
        from dlcheck.report.student import student_record

        for record in class_records(self.out, self.human):
            yield student_record(record, self.view) if self.view is not None else record

    def part_columns(self) -> list:
        return part_columns(self.out)


@dataclass(frozen=True)
class OutputOptions:
    """Who the class outputs are for (`--audience`, `--reveal`, `--visibility`); None: each
    format's default audience (report/__init__.py)."""

    audience: str | None = None
    reveal: tuple = ()
    visibility: str | None = None

    def to_json(self) -> dict:
        return {"audience": self.audience, "reveal": list(self.reveal), "visibility": self.visibility}


_OPTIONS = contextvars.ContextVar("dlcheck_output_options", default=None)


@contextlib.contextmanager
def output_options(options: OutputOptions):
    """The options write_outputs uses within (`dlcheck batch` and `merge` reach write_outputs through
    batchcli.py, which takes no such argument: the CLI sets them around the call)."""
    token = _OPTIONS.set(options)
    try:
        yield
    finally:
        _OPTIONS.reset(token)


def write_outputs(out: Path, formats: list, summary: dict, options: OutputOptions | None = None) -> list:
    """summary.json plus each requested format; returns the paths written. OUTPUTS records what was
    written and for whom, so `dlcheck review import` can write the same again."""
    from dlcheck.humanscores import HumanScores

    options = options or _OPTIONS.get() or OutputOptions()
    written = [out / "summary.json"]
    write_json_atomic(out / "summary.json", summary)
    write_json_atomic(out / OUTPUTS, {"formats": list(formats), **options.to_json()})
    human, bank = HumanScores.load(out), _LazyBank()
    for fmt in formats:
        book = Book(out, summary, _view(fmt, options, bank), human)
        written.extend(report.renderer(fmt).write_class(book))
    return written


def written_options(out: Path) -> tuple[list, OutputOptions]:
    """The formats and options the last write_outputs into `out` used (the defaults when unknown)."""
    data = read_json(out / OUTPUTS)
    if not isinstance(data, dict):
        return list(report.CLASS_FORMATS), OutputOptions()
    formats = [f for f in data.get("formats") or [] if f in report.CLASS_FORMATS] or list(report.CLASS_FORMATS)
    reveal = tuple(str(s) for s in data.get("reveal") or [] if isinstance(s, str))
    audience = data.get("audience") if data.get("audience") in ("staff", "student") else None
    visibility = data.get("visibility") if isinstance(data.get("visibility"), str) else None
    return formats, OutputOptions(audience, reveal, visibility)


def _view(fmt: str, options: OutputOptions, bank):
    from dlcheck.audience import view_for

    return view_for(bank, fmt, options.audience, options.reveal, options.visibility)


class _LazyBank:
    """The bank, built on first use: only a student view with a reveal policy reads specs."""

    def __getattr__(self, name):
        from dlcheck.bank import Bank

        bank = self.__dict__.setdefault("_bank", Bank())
        return getattr(bank, name)


def class_folder(out: str) -> Path:
    """A `dlcheck batch` output folder, or a SubmissionFileError saying it is not one."""
    from dlcheck.errors import SubmissionFileError

    path = Path(out)
    if not (path / RESULTS).is_dir():
        raise SubmissionFileError(f"{out}: not a `dlcheck batch` output folder (no {RESULTS}/ in it)")
    return path


def write_file(to: str, write):
    """Call write(stream) into the file `to` (- for stdout), written whole or not at all (temporary
    file + rename); returns what write returned."""
    import io
    import os
    import sys
    import tempfile

    from dlcheck.errors import SubmissionFileError

    if to == "-":
        return write(sys.stdout)
    buffer = io.StringIO(newline="")
    result = write(buffer)
    target = Path(to)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(buffer.getvalue())
        os.replace(tmp, target)
    except OSError as exc:
        raise SubmissionFileError(f"{to}: cannot write: {exc.strerror or exc}") from None
    return result


def merge(plan: list, out: Path) -> int:
    """Copy the results each shard lists (plan: [(folder, ids)] from shards.plan_merge, which
    checked that they make one complete class) into out/results; returns how many it holds.
    A folder that already holds results of other submissions is refused (they would join the
    class's outputs). Only regular files are copied: a link in an artifact could point anywhere."""
    from dlcheck.errors import SubmissionFileError

    target = out / RESULTS
    target.mkdir(parents=True, exist_ok=True)
    wanted = {f"{i}.json" for _, ids in plan for i in ids}
    strangers = sorted(p.name for p in target.glob("*.json") if p.name not in wanted)
    if strangers:
        raise SubmissionFileError(f"--out {out}: already holds {len(strangers)} results of other submissions "
                                  f"(first: {strangers[0]}); merge into a new folder")
    for folder, ids in plan:
        for job_id in ids:
            path, mine = Path(folder) / RESULTS / f"{job_id}.json", target / f"{job_id}.json"
            if path.is_symlink() or not path.is_file() or (mine.exists() and mine.resolve() == path.resolve()):
                continue
            shutil.copyfile(path, mine)
    return len(list(target.glob("*.json")))


dumps = json_file
