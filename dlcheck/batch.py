"""`dlcheck batch`: grade a class of submissions in parallel, resumably.

    paths --discover--> submission files (sorted) --shard i/N--> this job's share
    each file --worker process (one Bank + Grader each)--> <out>/results/<id>.json (atomic)
    <out>/results/*.json --classbook.py--> summary, gradebook.csv, junit.xml, gradescope/, …

A result is written as soon as its submission is graded (temporary file +
rename), so Ctrl-C or a killed job loses nothing finished, and `--resume`
skips every submission whose result is newer than its file. A file that
cannot be read, is not a submission, or breaks a worker becomes an error entry;
the batch goes on."""
from __future__ import annotations

import glob
import hashlib
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from dlcheck.cache import read_json, write_json_atomic

RESULTS = "results"
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Job:
    path: Path          # the submission file
    id: str             # its stable name in the outputs (relative path, made safe)

    @property
    def result_name(self) -> str:
        return f"{self.id}.json"


# -- which files ---------------------------------------------------------------
def discover(paths: list) -> tuple[list, list]:
    """Submission files under the given files, directories and globs -> (jobs, problems).
    `*.expected.yaml` (golden verdicts) are not submissions."""
    found, problems = [], []
    for raw in paths:
        matches = sorted(glob.glob(raw, recursive=True)) if glob.has_magic(raw) else [raw]
        if not matches:
            problems.append(f"{raw}: no file matches")
        for match in matches:
            p = Path(match)
            if p.is_dir():
                found.extend(f for f in sorted(p.rglob("*")) if _is_submission(f))
            elif glob.has_magic(raw):
                if _is_submission(p):
                    found.append(p)
            elif p.exists():
                found.append(p)                       # a file named on the command line is taken as is
            else:
                problems.append(f"{raw}: no such file or directory")
    unique = sorted({f.resolve(): f for f in found}.items())
    root = _common_root([f for f, _ in unique])
    return [Job(shown, job_id(resolved, root)) for resolved, shown in unique], problems


def _is_submission(path: Path) -> bool:
    return path.is_file() and path.suffix in SUFFIXES and not path.name.endswith(".expected" + path.suffix)


def _common_root(paths: list) -> Path:
    if not paths:
        return Path(".")
    return Path(os.path.commonpath([str(p.parent) for p in paths]))


def job_id(path: Path, root: Path) -> str:
    """students/ada/hw.yaml -> students__ada__hw-1a2b3c4d: readable, unique, safe as a file name."""
    relative = str(path.relative_to(root)) if path.is_relative_to(root) else path.name
    stem = re.sub(r"\.(ya?ml)$", "", relative)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", stem.replace(os.sep, "__"))[:120]
    return f"{safe}-{hashlib.sha1(relative.encode()).hexdigest()[:8]}"


def shard(jobs: list, spec: str | None) -> list:
    """`i/N`: every N-th job starting at the i-th (1-based) of the sorted list."""
    if not spec:
        return jobs
    index, count = parse_shard(spec)
    return [job for k, job in enumerate(jobs) if k % count == index - 1]


def parse_shard(spec: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", spec or "")
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ValueError(f"--shard {spec!r}: expected i/N with 1 ≤ i ≤ N, e.g. 2/4")
    return int(m.group(1)), int(m.group(2))


def pending(jobs: list, out: Path, resume: bool) -> list:
    """With --resume, the jobs whose result is missing, unreadable or older than the file."""
    if not resume:
        return jobs
    left = []
    for job in jobs:
        result = out / RESULTS / job.result_name
        try:
            fresh = result.stat().st_mtime >= job.path.stat().st_mtime and isinstance(read_json(result), dict)
        except OSError:
            fresh = False
        if not fresh:
            left.append(job)
    return left


# -- grading in workers ------------------------------------------------------------
_GRADER = None


def _init_worker(use_cache: bool, training=None) -> None:
    """Each worker builds the bank and its grader once; references come from the shared cache."""
    import signal

    global _GRADER
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # Ctrl-C is the parent's to handle
    from dlcheck.bank import Bank
    from dlcheck.grade import Grader

    _GRADER = Grader(Bank(), use_cache=use_cache, training=training)


def grade_one(job: Job, out: Path) -> dict:
    """Grade one file and write its result; never raises."""
    from dlcheck.errors import DlcheckError
    from dlcheck.submission import load_submission

    start = time.perf_counter()
    record = {"id": job.id, "submission": str(job.path), "status": "graded", "error": None, "report": None}
    try:
        report = _GRADER.grade(load_submission(job.path, _GRADER.bank))
        record["report"] = report.to_json()
    except DlcheckError as exc:
        record.update(status="error", error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad submission never stops the others
        record.update(status="error", error=f"dlcheck internal error: {type(exc).__name__}: {exc}")
    record["graded_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    record["seconds"] = round(time.perf_counter() - start, 4)
    write_json_atomic(out / RESULTS / job.result_name, record)
    return brief(record)


def brief(record: dict) -> dict:
    report = record.get("report") or {}
    return {"id": record["id"], "submission": record["submission"], "status": record["status"],
            "error": record.get("error"), "score": report.get("score"), "max_score": report.get("max_score"),
            "parts": len(report.get("results", []))}


def crashed(job: Job, out: Path, why: str) -> dict:
    """The entry for a submission whose worker died (a crash, out of memory)."""
    record = {"id": job.id, "submission": str(job.path), "status": "error", "report": None,
              "error": f"the grading worker died ({why}); the rest of the batch went on",
              "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "seconds": 0}
    write_json_atomic(out / RESULTS / job.result_name, record)
    return brief(record)


def run(jobs: list, out: Path, workers: int, use_cache: bool, on_done, training=None) -> None:
    """Grade `jobs` in `workers` processes, calling on_done(brief) as each finishes.
    KeyboardInterrupt propagates after the pool is stopped (finished results stay)."""
    if workers <= 1:
        _init_worker(use_cache, training)
        import signal

        signal.signal(signal.SIGINT, signal.default_int_handler)
        for job in jobs:
            on_done(grade_one(job, out))
        return
    _run_pool(jobs, out, workers, (use_cache, training), on_done)


def _run_pool(jobs: list, out: Path, workers: int, setup: tuple, on_done) -> None:
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    queue = list(reversed(jobs))
    while queue:
        pool, running = _pool(workers, setup), {}
        try:
            while queue or running:
                while queue and len(running) < workers * 4:       # a short queue: memory stays flat
                    job = queue.pop()
                    running[pool.submit(grade_one, job, out)] = job
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    job = running.pop(future)
                    on_done(future.result())
        except BrokenProcessPool:
            # a worker died (a crash, out of memory): the jobs it may have held are re-run
            # one by one, so only the culprit becomes an error entry
            pool.shutdown(wait=False, cancel_futures=True)
            suspects = [job] + list(running.values())
            for suspect in suspects:
                on_done(_alone(suspect, out, setup))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        else:
            pool.shutdown()


def _pool(workers: int, setup: tuple):
    """Worker processes, each set up by _init_worker(*setup): (use_cache, training settings)."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    context = mp.get_context("fork" if hasattr(os, "fork") else "spawn")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=setup)


def _alone(job: Job, out: Path, setup: tuple) -> dict:
    from concurrent.futures.process import BrokenProcessPool

    pool = _pool(1, setup)
    try:
        return pool.submit(grade_one, job, out).result()
    except BrokenProcessPool:
        return crashed(job, out, "the process crashed or ran out of memory")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
