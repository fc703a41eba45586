"""`dlcheck batch`: grade a class of submissions in parallel, resumably.

    paths --discover--> submission files (sorted) --shard i/N--> this job's share
    each file --worker process (one Bank + Grader each)--> <out>/results/<id>.json (atomic)
    <out>/results/*.json --classbook.py--> summary, gradebook.csv, junit.xml, gradescope/, …

A result is written as soon as its submission is graded (temporary file +
rename), so Ctrl-C or a killed job loses nothing finished, and `--resume`
skips every submission whose result is newer than its file. A file that
cannot be read, is not a submission, is not a regular file (a FIFO would hang
the reader) or breaks a worker becomes an error entry; a link to a file that
is graded under another name becomes a `duplicate` entry; the batch goes on.
A result that cannot be saved (a full disk) stops the batch: ResultNotSaved.
Workers die with the batch (PR_SET_PDEATHSIG): a `kill -9` leaves no orphans."""
from __future__ import annotations

import glob
import hashlib
import os
import re
import stat
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from dlcheck.cache import read_json, write_json_atomic

RESULTS = "results"
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Job:
    path: Path                      # the submission file, as it was found
    id: str                         # its stable name in the outputs (relative path, made safe)
    duplicate_of: str | None = None  # the id that grades the same file (this name is a link to it)
    refused: str | None = None      # why the file is not read at all (a FIFO, a device, a broken link)

    @property
    def result_name(self) -> str:
        return f"{self.id}.json"

    @property
    def gradable(self) -> bool:
        return self.duplicate_of is None and self.refused is None


class ResultNotSaved(Exception):
    """A result file could not be written (a full disk, a read-only folder): the batch stops."""

    def __init__(self, path: str, reason: str):
        super().__init__(path, reason)      # both in args, so it pickles from a worker to the parent
        self.path, self.reason = path, reason

    def __str__(self) -> str:
        return f"could not save {self.path}: {self.reason}"


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
                found.extend(f for f in _files_under(p) if _is_submission(f))
            elif glob.has_magic(raw):
                if _is_submission(p):
                    found.append(p)
            elif p.exists() or p.is_symlink():
                found.append(p)                       # a file named on the command line is taken as is
            else:
                problems.append(f"{raw}: no such file or directory")
    return _jobs(found), problems


def _files_under(folder: Path) -> list:
    """Every file below `folder`, sorted. A link to a folder inside it is followed
    (a student's folder may be a link to another's: both must show), but not a
    link to outside it, to a folder above (a loop), or a second link on one path
    (links to links could multiply the paths without end)."""
    top, found, via_link = os.path.realpath(folder), [], {str(folder): False}
    for root, dirs, files in os.walk(folder, followlinks=True):
        here = os.path.realpath(root)
        keep = []
        for name in sorted(dirs):
            path = os.path.join(root, name)
            link = os.path.islink(path)
            real = os.path.realpath(path)
            if not link or (not via_link[root] and _inside(real, top) and not _inside(here, real)):
                keep.append(name)
                via_link[path] = via_link[root] or link
        dirs[:] = keep
        found.extend(Path(root) / name for name in files)
    return sorted(found)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _is_submission(path: Path) -> bool:
    """A submission's name; FIFOs, devices and broken links are kept (they become error entries)."""
    return (path.suffix in SUFFIXES and not path.name.endswith(".expected" + path.suffix)
            and not path.is_dir())


def _jobs(found: list) -> list:
    """One job per name found. Names of the same file (links) are graded once, under
    the real file's name (else the first), and the others point to it: every
    student stays visible, and nobody's grade is given twice."""
    located = {}
    for f in found:
        located.setdefault(Path(os.path.abspath(f)), f)        # the same name given twice is one job
    root = _common_root(list(located))
    groups = defaultdict(list)
    for where in sorted(located):
        refusal = _refusal(where)
        groups[where if refusal else _target(where)].append((where, refusal))
    jobs = {}
    for target, members in groups.items():
        real = _real_name(target, [where for where, _ in members], root)
        for where, refusal in members:
            original = None if where == real or refusal else job_id(real, root)
            jobs[where] = Job(located[where], job_id(where, root), original, refusal)
    return [jobs[where] for where in sorted(jobs)]


def _real_name(target: Path, names: list, root: Path) -> Path:
    """Of the names of one file, the one where the file really is (its place below the
    root, links resolved, is its own), else the first."""
    real_root = Path(os.path.realpath(root))
    own = target.relative_to(real_root) if target.is_relative_to(real_root) else None
    return next((name for name in names if name.relative_to(root) == own), names[0])


def _target(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):     # a link loop (RuntimeError before Python 3.13)
        return path


def _refusal(path: Path) -> str | None:
    """Why a file is not opened, or None for a regular file (stat only: opening a FIFO blocks)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a directory" if stat.S_ISDIR(mode) else "special")
    return f"not a regular file ({kind}); not read"


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


def _init_worker(use_cache: bool, training=None, parent_pid: int | None = None) -> None:
    """Each worker builds the bank and its grader once; references come from the shared cache.
    A pool worker (parent_pid given) is killed by the kernel when the batch dies."""
    import signal

    global _GRADER
    if parent_pid is not None:
        from dlcheck.mathexpr.limits import die_with_parent

        die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # Ctrl-C is the parent's to handle
    from dlcheck.bank import Bank
    from dlcheck.grade import Grader

    _GRADER = Grader(Bank(), use_cache=use_cache, training=training)


def grade_one(job: Job, out: Path) -> dict:
    """Grade one file and write its result. Raises only ResultNotSaved: a submission's
    own failure is its error entry, but a result that cannot be kept stops the batch."""
    from dlcheck.errors import DlcheckError
    from dlcheck.submission import load_submission

    start = time.perf_counter()
    status, error, report = "graded", None, None
    try:
        report = _GRADER.grade(load_submission(job.path, _GRADER.bank)).to_json()
    except DlcheckError as exc:
        status, error = "error", str(exc)
    except Exception as exc:  # noqa: BLE001 - one bad submission never stops the others
        status, error = "error", f"dlcheck internal error: {type(exc).__name__}: {exc}"
    return _save(job, out, status, error, report, seconds=time.perf_counter() - start)


def _save(job: Job, out: Path, status: str, error: str | None, report: dict | None = None,
          seconds: float = 0.0, **extra) -> dict:
    """Write a job's record (atomically) and return its brief."""
    record = {"id": job.id, "submission": str(job.path), "status": status, "error": error, "report": report,
              **extra, "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "seconds": round(seconds, 4)}
    path = out / RESULTS / job.result_name
    try:
        write_json_atomic(path, record)
    except OSError as exc:
        raise ResultNotSaved(str(path), exc.strerror or str(exc)) from None
    return brief(record)


def brief(record: dict) -> dict:
    report = record.get("report") or {}
    return {"id": record["id"], "submission": record["submission"], "status": record["status"],
            "error": record.get("error"), "score": report.get("score"), "max_score": report.get("max_score"),
            "parts": len(report.get("results", []))}


def crashed(job: Job, out: Path, why: str) -> dict:
    """The entry for a submission whose worker died (a crash, out of memory)."""
    return _save(job, out, "error", f"the grading worker died ({why}); the rest of the batch went on")


def settle(job: Job, out: Path) -> dict:
    """The entry of a job that is not graded: a file that is not read, or a duplicate."""
    if job.refused:
        return _save(job, out, "error", f"{job.path}: {job.refused}")
    return _save(job, out, "duplicate", f"{job.path} is the same file as the submission graded as "
                                        f"{job.duplicate_of}; graded once, under that name",
                 duplicate_of=job.duplicate_of)


def run(jobs: list, out: Path, workers: int, use_cache: bool, on_done, training=None) -> None:
    """Grade `jobs` in `workers` processes, calling on_done(brief) as each finishes (the
    entries of jobs that are not graded first). KeyboardInterrupt and ResultNotSaved
    propagate after the pool is stopped (finished results stay)."""
    for job in jobs:
        if not job.gradable:
            on_done(settle(job, out))
    jobs = [job for job in jobs if job.gradable]
    if not jobs:
        return
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
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                               initargs=(*setup, os.getpid()))


def _alone(job: Job, out: Path, setup: tuple) -> dict:
    from concurrent.futures.process import BrokenProcessPool

    pool = _pool(1, setup)
    try:
        return pool.submit(grade_one, job, out).result()
    except BrokenProcessPool:
        return crashed(job, out, "the process crashed or ran out of memory")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
