"""Human scores for the parts dlcheck leaves for review, kept apart from the results.

`dlcheck review import` stores them in OUT/reviews.json; every class output
reads the records through `HumanScores.apply`, so a regrade (which rewrites
OUT/results/) keeps them. A score is keyed by the submission (its id, or its
file when ids change) and the part, and remembers the answer it was given for
(a hash of the part's answer as the file states it, and of the whole file, which
makes the usual case, an unchanged file, one hash and no YAML). When the answer
has changed since, the score is not counted: the part is back to `review`,
flagged for a second look, with the old score beside it.

A scored part becomes `correct` (full marks), `incorrect` (0) or `partial`,
`decided_by: human`, with the reviewer's comment as its feedback; it counts in
score and max_score from then on (SUBMISSION_FORMAT.md: parts that need a
human are left out until a human scores them). A review part nobody answered
counts 0 of its maximum once the class has a human scale for it."""
from __future__ import annotations

import copy
import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from dlcheck.cache import read_json, write_json_atomic
from dlcheck.errors import SubmissionFileError

FILE = "reviews.json"
FORMAT = "dlcheck human scores 1"
HUMAN_NOTE = "scored by a human reviewer"
STALE_NOTE = "the answer changed after a human scored it: it waits for a second look"


@dataclass
class Score:
    submission_id: str
    submission: str          # the file, as the record names it
    part: str                # problem/part
    score: float
    max_score: float
    comment: str = ""
    answer_sha256: str = ""  # the part's answer it was given for
    file_sha256: str = ""    # the whole file then (unchanged file: unchanged answers)


def answer_hash(value) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class HumanScores:
    """OUT/reviews.json: load, look up, change, save, and apply to records."""

    def __init__(self, out: Path, scores: list | None = None, maxima: dict | None = None, bank=None):
        self.out, self.scores, self.maxima = Path(out), list(scores or []), dict(maxima or {})
        self._bank, self._files, self._answers = bank, {}, {}
        self._index()

    def _index(self) -> None:
        self._by_id = {(s.submission_id, s.part): s for s in self.scores}
        self._by_file = {(s.submission, s.part): s for s in self.scores}

    @classmethod
    def load(cls, out: Path, bank=None) -> "HumanScores":
        path = Path(out) / FILE
        if not path.exists():
            return cls(out, bank=bank)
        data = read_json(path)
        try:
            scores = [Score(**item) for item in data["scores"]]
            maxima = {str(k): float(v) for k, v in data["maxima"].items()}
            if data.get("format") != FORMAT or not all(_valid(s) for s in scores):
                raise ValueError
        except (TypeError, KeyError, ValueError, AttributeError):
            raise SubmissionFileError(f"{path}: damaged (not the human scores `dlcheck review import` writes); "
                                      f"restore it, or import the review CSV again") from None
        return cls(out, scores, maxima, bank)

    def save(self) -> Path:
        path = self.out / FILE
        ordered = sorted(self.scores, key=lambda s: (s.submission_id, s.part))
        write_json_atomic(path, {"format": FORMAT, "maxima": dict(sorted(self.maxima.items())),
                                 "scores": [asdict(s) for s in ordered]})
        return path

    def put(self, score: Score) -> None:
        old = self.find(score.submission_id, score.submission, score.part)
        if old is not None:
            self.scores.remove(old)
        self.scores.append(score)
        self._index()

    def find(self, submission_id: str, submission: str, part: str) -> Score | None:
        return self._by_id.get((submission_id, part)) or self._by_file.get((submission, part))

    def __bool__(self) -> bool:
        return bool(self.scores or self.maxima)

    # -- records -------------------------------------------------------------------------
    def apply(self, record: dict) -> dict:
        """The record with its human scores in (a copy; the record itself is left as it is)."""
        if not self or record.get("status") != "graded" or not isinstance(record.get("report"), dict):
            return record
        record = copy.deepcopy(record)
        report = record["report"]
        for r in report.get("results", []):
            self._apply_part(record, r)
        _totals(report)
        return record

    def _apply_part(self, record: dict, r: dict) -> None:
        key = f"{r['problem']}/{r['part']}"
        found = self.find(record["id"], record["submission"], key)
        if found is None or r.get("verdict") != "review":
            if r.get("verdict") == "missing" and not r.get("max_score") and key in self.maxima:
                r["max_score"] = self.maxima[key]        # not answered: 0 of the part's human scale
            return
        human = {"score": found.score, "max_score": found.max_score, "comment": found.comment}
        if self.changed(Path(record["submission"]), key, found, graded_digest(record)):
            r["human"] = {**human, "stale": True}
            r["notes"] = list(r.get("notes", [])) + [f"{STALE_NOTE} (it had {found.score:g} of {found.max_score:g})"]
            return
        share = found.score / found.max_score if found.max_score else 0
        r.update(score=found.score, max_score=found.max_score, decided_by="human", feedback=found.comment,
                 verdict="correct" if share >= 1 else "incorrect" if share <= 0 else "partial", human=human,
                 notes=list(r.get("notes", [])) + [HUMAN_NOTE])

    # -- has the answer changed? ---------------------------------------------------------
    def changed(self, path: Path, key: str, score: Score, digest: str | None = None) -> bool:
        """Whether the part's answer differs from the one that was scored. `digest`: the content the
        record was graded from (its key), so an unchanged class needs no file at all (review import
        on another machine than the batch). When the content differs, the part's answer is read from
        the file; one that cannot be read is taken as changed: a human looks again."""
        whole = digest or self._file_hash(path)
        if whole is None or whole == score.file_sha256:
            return False
        return self.answers(path).get(key) != score.answer_sha256

    def _file_hash(self, path: Path) -> str | None:
        try:
            st = path.stat()
        except OSError:
            return None
        stamp = (str(path), st.st_mtime_ns, st.st_size)
        if stamp not in self._files:
            self._files = {stamp: file_hash(path)}      # one file at a time: memory stays flat
        return self._files[stamp]

    def answers(self, path: Path) -> dict:
        """problem/part -> hash of its answer as the file states it ({} when it is no submission now)."""
        if str(path) not in self._answers:
            self._answers = {str(path): _read_answers(path, self._bank_now())}
        return self._answers[str(path)]

    def _bank_now(self):
        if self._bank is None:
            from dlcheck.bank import Bank

            self._bank = Bank()
        return self._bank


def _read_answers(path: Path, bank) -> dict:
    from dlcheck.errors import DlcheckError
    from dlcheck.submission import load_submission

    try:
        submission = load_submission(path, bank)
    except (DlcheckError, OSError):
        return {}
    return {f"{e.problem_id}/{name}": answer_hash(raw.value) for e in submission.entries for name, raw in e.parts.items()}


def _valid(s: Score) -> bool:
    numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) and 0 <= x < float("inf")
                  for x in (s.score, s.max_score))
    texts = all(isinstance(x, str) for x in (s.submission_id, s.submission, s.part, s.comment, s.answer_sha256,
                                              s.file_sha256))
    return numbers and texts and s.score <= s.max_score


def _totals(report: dict) -> None:
    """Score, maximum and counts again, and how many parts humans scored or still have to."""
    results = report.get("results", [])
    report["score"] = _num(sum(r.get("score", 0) for r in results))
    report["max_score"] = _num(sum(r.get("max_score", 0) for r in results))
    report["counts"] = dict(Counter(r["verdict"] for r in results))
    report["human_scored"] = sum(r.get("decided_by") == "human" for r in results)
    report["reviews_pending"] = sum(r.get("verdict") == "review" for r in results)


def _num(x: float):
    return int(x) if float(x).is_integer() else round(x, 6)


def fingerprint(path: str, bank, digest: str | None = None) -> tuple[str, dict]:
    """(hash of the file, {problem/part: hash of its answer}): what a score is given for, now
    (`digest`: the content the record was graded from, when it says)."""
    p = Path(path)
    return digest or file_hash(p) or "", _read_answers(p, bank)


def graded_digest(record: dict) -> str | None:
    """The sha256 of the file a batch record was graded from (its regrade key), if it has one."""
    key = record.get("key")
    digest = key.get("submission") if isinstance(key, dict) else None
    return digest if isinstance(digest, str) and len(digest) == 64 else None
