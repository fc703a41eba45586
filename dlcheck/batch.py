"""`dlcheck batch`: grade a class of submissions in parallel, resumably.

    paths --discover--> submission files, named below the class root (sorted) --shard i/N--> this job's share
    each file --worker process (one Bank + Grader each)--> <out>/results/<id>.json (atomic)
    <out>/results/*.json --classbook.py--> summary, gradebook.csv, junit.xml, gradescope/, …

Ids. A submission's id is made from its path below the class root: `--root`,
else the root an earlier run recorded in the output folder (shards.py), else
the common folder of the paths given (a folder itself, a file's folder, a
glob's folder before its first wildcard). Links are resolved in the part of a
path above the root only, so `class/`, `./class`, `/abs/class` and a link to
the class folder name a file alike, while a student's folder that is a link to
another's stays a student of its own (a `duplicate`). Ids never depend on the
paths typed, and one file has one id: two runs into one folder cannot give it
two rows.

A result is written as soon as its submission is graded (temporary file +
rename), so Ctrl-C or a killed job loses nothing finished. Each carries a key
(regrade.py: the file's content, the specs and solvers of the sets it was
scored against, dlcheck's version and code), and `--resume` skips exactly the
submissions whose key is unchanged. A file that cannot be read, is not a
submission, is not a regular file (a FIFO would hang the reader) or breaks a
worker becomes an error entry; a link to a file that is graded under another
name becomes a `duplicate` entry; a submission that runs past the wall limit
becomes a `timeout` entry (its worker and everything under it are killed and a
fresh worker takes the next one); the batch goes on. A result that cannot be
saved (a full disk) stops the batch: ResultNotSaved.

Workers are processes of our own (not a concurrent.futures pool): the parent
knows which submission each one holds, so a crash or a timeout costs exactly
that submission, and stopping (Ctrl-C) kills every worker and its sandbox at
once instead of waiting for their current checks. Workers die with the batch
(PR_SET_PDEATHSIG): a `kill -9` leaves no orphans."""
from __future__ import annotations

import glob
import hashlib
import os
import re
import signal
import stat
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from dlcheck.cache import read_json, write_json_atomic

RESULTS = "results"
SUFFIXES = (".yaml", ".yml")
TICK_SECONDS = 0.5          # the parent looks at its workers (deadlines, progress) at least this often
STOP_SECONDS = 2.0          # how long stopping waits for a killed worker to be reaped


@dataclass(frozen=True)
class Job:
    path: Path                      # the submission file, as it was found
    id: str                         # its stable name in the outputs (its name below the class root, made safe)
    duplicate_of: str | None = None  # the id that grades the same file (this name is a link to it)
    refused: str | None = None      # why the file is not read at all (a FIFO, a device, a broken link)
    name: str = ""                  # its path below the class root ("alice/hw.yaml"): what the id is made from

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


class OutsideRoot(ValueError):
    """Files given that are not below the class root: they would have no stable id."""

    def __init__(self, root: Path, paths: list):
        super().__init__(root, paths)
        self.root, self.paths = root, paths

    def __str__(self) -> str:
        shown = ", ".join(str(p) for p in self.paths[:3]) + (f" and {len(self.paths) - 3} more"
                                                             if len(self.paths) > 3 else "")
        return f"{shown} {'is' if len(self.paths) == 1 else 'are'} not inside the class root {self.root}"


# -- which files, and their names ------------------------------------------------------
def discover(paths: list, root: Path | str | None = None) -> tuple[list, list]:
    """Submission files under the given files, directories and globs -> (jobs, problems),
    named below `root` (default: class_root(paths)); OutsideRoot for a file outside it.
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
    return _jobs(found, Path(os.path.realpath(root if root is not None else class_root(paths)))), problems


def class_root(paths: list) -> Path:
    """The common folder of the paths given, links resolved: a folder is itself, a file its
    folder, a glob the folder before its first wildcard."""
    folders = []
    for raw in paths:
        if glob.has_magic(raw):
            parts = Path(raw).parts
            fixed = next((k for k, part in enumerate(parts) if glob.has_magic(part)), len(parts))
            folder = Path(*parts[:fixed]) if fixed else Path(".")
        else:
            p = Path(raw)
            if not (p.exists() or p.is_symlink()):
                continue
            folder = p if p.is_dir() else p.parent
        folders.append(os.path.realpath(folder))
    return Path(os.path.commonpath(folders)) if folders else Path(os.path.realpath("."))


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


def locate(path: Path, real_root: str, seen: dict | None = None) -> str | None:
    """A file's name below the class root ("alice/hw.yaml"), or None when it is outside.
    The shortest leading part of the path that resolves into the root is resolved; what
    follows is kept as written, so a link inside the class keeps its own name."""
    seen = {} if seen is None else seen
    parts = Path(os.path.abspath(path)).parts
    for k in range(1, len(parts)):
        prefix = os.path.join(*parts[:k])
        if prefix not in seen:
            seen[prefix] = os.path.realpath(prefix)
        real = seen[prefix]
        if _inside(real, real_root):
            below = os.path.relpath(real, real_root)
            rest = [p for p in ((below,) if below != "." else ()) + parts[k:]]
            return "/".join(Path(*rest).parts)
    return None


def _jobs(found: list, real_root: Path) -> list:
    """One job per name found. Names of the same file (links) are graded once, under
    the real file's name (else the first), and the others point to it: every
    student stays visible, and nobody's grade is given twice."""
    named, outside, seen = {}, [], {}
    for f in found:
        name = locate(f, str(real_root), seen)
        if name is None:
            outside.append(f)
        else:
            named.setdefault(name, f)                 # the same file named twice is one job
    if outside:
        raise OutsideRoot(real_root, outside)
    groups = defaultdict(list)
    for name in sorted(named, key=_order):
        refusal = _refusal(named[name])
        groups[("name", name) if refusal else ("file", _target(named[name]))].append((name, refusal))
    jobs = {}
    for (kind, target), members in groups.items():
        real = members[0][0] if kind == "name" else _real_name(target, [n for n, _ in members], real_root)
        for name, refusal in members:
            original = None if name == real or refusal else job_id(real)
            jobs[name] = Job(named[name], job_id(name), original, refusal, name)
    return [jobs[name] for name in sorted(jobs, key=_order)]


def _order(name: str) -> tuple:
    return tuple(name.split("/"))


def _real_name(target: Path, names: list, real_root: Path) -> str:
    """Of the names of one file, the one where the file really is, else the first."""
    own = "/".join(target.relative_to(real_root).parts) if target.is_relative_to(real_root) else None
    return own if own in names else names[0]


def _target(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):     # a link loop (RuntimeError before Python 3.13)
        return Path(os.path.abspath(path))


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


def job_id(name: str) -> str:
    """alice/hw.yaml -> alice__hw-1a2b3c4d: readable, unique, safe as a file name."""
    stem = re.sub(r"\.(ya?ml)$", "", name)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", stem.replace("/", "__"))[:120]
    safe = re.sub(r"^\.", "_", safe)                 # a leading dot would hide the file
    return f"{safe}-{hashlib.sha1(name.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"


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


# -- what to grade ---------------------------------------------------------------------
@dataclass
class Plan:
    todo: list                                      # jobs to grade (or to settle: duplicates, refused files)
    kept: list = field(default_factory=list)        # jobs whose result is current (--resume)
    reasons: dict = field(default_factory=dict)     # job id -> why it is graded (regrade.py's reasons)
    before: dict = field(default_factory=dict)      # job id -> the brief of its previous result, if any


def plan(jobs: list, out: Path, resume: bool, keys=None, limit: float | None = None) -> Plan:
    """Which jobs to grade: all of them, or with --resume those whose result is missing,
    damaged or keyed otherwise than now (regrade.Keys). Previous results are read
    for the rerun's summary (what changed)."""
    from dlcheck import regrade

    result = Plan([])
    for job in jobs:
        record = read_json(out / RESULTS / job.result_name)
        valid = isinstance(record, dict) and record.get("id") == job.id and isinstance(record.get("status"), str)
        if valid and job.gradable:
            result.before[job.id] = brief(record)
        if not job.gradable:
            result.todo.append(job)                 # settled again: costs nothing
            continue
        if not resume:
            reason = regrade.FORCED if valid else regrade.NEW
        else:
            reason = regrade.NEW if not valid else keys.stale(record, job.path, limit)
        if reason is None:
            result.kept.append(job)
        else:
            result.todo.append(job)
            result.reasons[job.id] = reason
    return result


def pending(jobs: list, out: Path, resume: bool, keys=None, limit: float | None = None) -> list:
    """The jobs `plan` would grade."""
    if resume and keys is None:
        keys = _keys(None)
    return plan(jobs, out, resume, keys, limit).todo


def _keys(training):
    from dlcheck import regrade
    from dlcheck.bank import Bank

    return regrade.Keys(Bank(), training)


# -- grading in workers ------------------------------------------------------------
_GRADER = None
_KEYS = None


def _init_worker(use_cache: bool, training=None, parent_pid: int | None = None) -> None:
    """Each worker builds the bank and its grader once; references come from the shared cache.
    A worker (parent_pid given) is killed by the kernel when the batch dies."""
    global _GRADER, _KEYS
    if parent_pid is not None:
        from dlcheck.mathexpr.limits import die_with_parent

        die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # Ctrl-C is the parent's to handle
    if parent_pid is not None:
        _single_threaded_torch()
        _sandboxes().clear()      # a forked worker's inherited sandboxes are its parent's: never share or close them
    from dlcheck import regrade
    from dlcheck.bank import Bank
    from dlcheck.grade import Grader

    _GRADER = Grader(Bank(), use_cache=use_cache, training=training)
    _KEYS = regrade.Keys(_GRADER.bank, _GRADER.training)


def _single_threaded_torch() -> None:
    """A forked worker of a parent that ran torch holds a copy of the parent's OpenMP thread
    pool without its threads: the first parallel region would wait for them forever (a hung
    worker, seen in a test process that had trained a model). One thread needs no pool; the
    workers run side by side anyway, and re-training runs in the sandbox's own process."""
    import sys

    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "set_num_threads"):
        torch.set_num_threads(1)


def grade_one(job: Job, out: Path) -> dict:
    """Grade one file and write its result. Raises only ResultNotSaved: a submission's
    own failure is its error entry, but a result that cannot be kept stops the batch."""
    from dlcheck import gate
    from dlcheck.errors import DlcheckError, SubmissionFileError
    from dlcheck.submission import load_submission

    start = time.perf_counter()
    content = _content(job)
    status, error, report, extra = "graded", None, None, {}
    try:
        graded = _GRADER.grade(load_submission(job.path, _GRADER.bank))
        report = graded.to_json()
        extra["key"] = _KEYS.graded(content, {pid.split("/", 1)[0] for pid in graded.titles})
        missed = gate.not_graded(graded)
        if missed:
            extra["not_graded"] = [issue.to_json() for issue in missed]
    except SubmissionFileError as exc:                 # the file's own fault: the same file, the same answer
        status, error, extra["key"] = "error", str(exc), _KEYS.failed(content)
    except DlcheckError as exc:                        # the bank's (a solver, a spec): tried again on --resume
        status, error = "error", str(exc)
    except Exception as exc:  # noqa: BLE001 - one bad submission never stops the others
        status, error = "error", f"dlcheck internal error: {type(exc).__name__}: {exc}"
    return _save(job, out, status, error, report, seconds=time.perf_counter() - start, **extra)


def _content(job: Job) -> str | None:
    from dlcheck import regrade

    return regrade.content_digest(job.path)


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
    report = record.get("report") if isinstance(record.get("report"), dict) else {}
    return {"id": record["id"], "submission": record.get("submission"), "status": record["status"],
            "error": record.get("error"), "score": report.get("score"), "max_score": report.get("max_score"),
            "parts": len(report.get("results") or []), "not_graded": len(record.get("not_graded") or [])}


def crashed(job: Job, out: Path, why: str) -> dict:
    """The entry for a submission whose worker died (a crash, out of memory): no key, so
    --resume grades it again."""
    return _save(job, out, "error", f"the grading worker died ({why}); the rest of the batch went on")


def timed_out(job: Job, out: Path, limit: float, keys) -> dict:
    """The entry for a submission still grading at the wall limit; --resume tries it again
    only under a larger limit (or once the file, a spec or dlcheck changed)."""
    key = keys.graded(_content(job), keys.bank.sets()) if keys is not None else None
    return _save(job, out, "timeout", f"grading did not finish within {limit:g} s (--timeout); it was "
                                      f"stopped there and the rest of the batch went on",
                 seconds=limit, key=key, limit_s=limit)


def settle(job: Job, out: Path) -> dict:
    """The entry of a job that is not graded: a file that is not read, or a duplicate."""
    if job.refused:
        return _save(job, out, "error", f"{job.path}: {job.refused}")
    return _save(job, out, "duplicate", f"{job.path} is the same file as the submission graded as "
                                        f"{job.duplicate_of}; graded once, under that name",
                 duplicate_of=job.duplicate_of)


def run(jobs: list, out: Path, workers: int, use_cache: bool, on_done, training=None,
        limit: float | None = None, on_wait=None, keys=None) -> None:
    """Grade `jobs` in `workers` processes, calling on_done(brief) as each finishes (the
    entries of jobs that are not graded first) and on_wait() at least every TICK_SECONDS.
    `limit`: seconds one submission may take (None: no limit). KeyboardInterrupt and
    ResultNotSaved propagate after every worker is killed (finished results stay)."""
    for job in jobs:
        if not job.gradable:
            on_done(settle(job, out))
    jobs = [job for job in jobs if job.gradable]
    if jobs:
        _Pool(max(1, workers), (use_cache, training), out, limit, keys, training).run(jobs, on_done, on_wait)


@dataclass
class _Worker:
    process: object
    conn: object
    job: Job | None = None
    deadline: float = float("inf")


def _serve(conn, setup: tuple, parent_pid: int) -> None:
    """A worker's life: set up once, then grade what the parent sends until it sends None."""
    _init_worker(*setup, parent_pid=parent_pid)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            break
        if message is None:
            break
        job, out = message
        try:
            reply = ("done", grade_one(job, out))
        except ResultNotSaved as exc:
            reply = ("not_saved", exc.path, exc.reason)
        except BaseException as exc:  # noqa: BLE001 - said to the parent, which records it
            reply = ("failed", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            break
    for box in list(_sandboxes().values()):   # a worker ends by os._exit (no atexit): close its own
        box.close()


def _sandboxes() -> dict:
    """The process's shared sandboxes (dlcheck.sandbox.box), if it has started any."""
    import sys

    return getattr(sys.modules.get("dlcheck.sandbox.box"), "_shared", {})


class _Pool:
    """`size` worker processes, each holding one submission at a time."""

    def __init__(self, size: int, setup: tuple, out: Path, limit: float | None, keys, training):
        import multiprocessing as mp

        self.size, self.setup, self.out, self.limit = size, setup, out, limit
        self.keys, self.training = keys, training
        self.context = mp.get_context("fork" if hasattr(os, "fork") else "spawn")
        self.workers: list = []

    def run(self, jobs: list, on_done, on_wait=None) -> None:
        from multiprocessing.connection import wait

        queue = list(reversed(jobs))
        try:
            while queue or any(w.job for w in self.workers):
                while queue and (self._idle() or len(self.workers) < self.size):
                    self._give(self._idle() or self._start(), queue.pop())
                busy = [w for w in self.workers if w.job is not None]
                soonest = min(w.deadline for w in busy)
                timeout = max(0.0, min(TICK_SECONDS, soonest - time.monotonic()))
                ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout))
                for worker in busy:
                    if worker.conn in ready or worker.process.sentinel in ready:
                        self._finish(worker, on_done)
                    elif time.monotonic() >= worker.deadline:
                        job = worker.job
                        self._discard(worker)
                        on_done(timed_out(job, self.out, self.limit, self._keys()))
                if on_wait is not None:
                    on_wait()
        except BaseException:
            self.stop()
            raise
        self.close()

    def _idle(self) -> _Worker | None:
        return next((w for w in self.workers if w.job is None), None)

    def _start(self) -> _Worker:
        mine, theirs = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(theirs, self.setup, os.getpid()), daemon=True,
                                       name="dlcheck-batch-worker")
        process.start()
        theirs.close()
        worker = _Worker(process, mine)
        self.workers.append(worker)
        return worker

    def _give(self, worker: _Worker, job: Job) -> None:
        worker.job = job
        worker.deadline = time.monotonic() + self.limit if self.limit else float("inf")
        try:
            worker.conn.send((job, self.out))
        except (OSError, ValueError):
            pass                      # the worker is gone: its sentinel says so in the loop

    def _finish(self, worker: _Worker, on_done) -> None:
        """A worker answered, or died: its submission's entry, then it is free (or replaced)."""
        job, reply = worker.job, None
        try:
            if worker.conn.poll():
                reply = worker.conn.recv()
        except (EOFError, OSError):
            reply = None
        if reply is None:
            code = worker.process.exitcode if not worker.process.is_alive() else None
            self._discard(worker)
            why = f"killed by signal {-code}" if code is not None and code < 0 else \
                "the process crashed or ran out of memory"
            on_done(crashed(job, self.out, why))
            return
        worker.job, worker.deadline = None, float("inf")
        if not worker.process.is_alive():
            self._discard(worker)                     # it answered, then ended: never given another
        if reply[0] == "not_saved":
            raise ResultNotSaved(reply[1], reply[2])
        if reply[0] == "failed":
            on_done(crashed(job, self.out, reply[1]))
            return
        on_done(reply[1])

    def _keys(self):
        if self.keys is None:
            self.keys = _keys(self.training)
        return self.keys

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker and everything under it (its sandbox, the checks running there)."""
        self.workers.remove(worker)
        _kill_tree(worker.process.pid)
        worker.process.join(STOP_SECONDS)
        worker.conn.close()

    def stop(self) -> None:
        """Ctrl-C, a result that cannot be saved: every worker killed now, with its tree."""
        for worker in list(self.workers):
            self._discard(worker)

    def close(self) -> None:
        """The work is done: workers end on their own (their sandboxes are closed at exit)."""
        for worker in self.workers:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 10
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
        for worker in list(self.workers):
            if worker.process.is_alive():
                self._discard(worker)
            else:
                worker.conn.close()
        self.workers = []


def descendants(pid: int) -> list:
    """Every living process below `pid` (Linux: read from /proc; elsewhere none)."""
    children = defaultdict(list)
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != b"Z":
            children[int(fields[1])].append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_tree(pid: int) -> None:
    """SIGKILL a worker and its descendants. The tree is read first, the worker killed first
    (it can start nothing more), then the rest; what is missed dies by PR_SET_PDEATHSIG."""
    below = descendants(pid)
    for target in [pid] + below:
        try:
            os.kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
