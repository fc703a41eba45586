"""What `dlcheck batch` and `dlcheck merge` do between reading their options
and printing: discovery, the class root, what to regrade, progress,
interruption, outputs, and what the rerun changed.

The output folder is checked to be writable before anything is graded, and
the first result or output that cannot be written stops the run with the
file's name (exit 2): a batch never reports work it could not keep. Ctrl-C
(once or twice) kills every worker with its sandbox and exits 130 within
moments, keeping every finished result."""
from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from dlcheck import batch, classbook, report, shards
from dlcheck.errors import SubmissionFileError
from dlcheck.report.safe import untrusted

DEFAULT_LIMIT_S = 900.0         # one submission's wall limit: minutes for what takes seconds
TRAINING_LIMIT_FACTOR = 10      # with --data-dir: claims re-train, each within --train-budget


def default_limit(training) -> float:
    """The per-submission limit when --timeout is not given."""
    if training is not None and training.data_dir:
        return DEFAULT_LIMIT_S + TRAINING_LIMIT_FACTOR * training.budget_s
    return DEFAULT_LIMIT_S


def _formats(text: str) -> list:
    chosen = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in report.CLASS_FORMATS]
    if unknown:
        from dlcheck.errors import did_you_mean

        raise SubmissionFileError(f"--format: unknown output {unknown[0]!r}"
                                  f"{did_you_mean(unknown[0], list(report.CLASS_FORMATS))}; "
                                  f"expected some of {', '.join(report.CLASS_FORMATS)}")
    return chosen


@dataclasses.dataclass
class Outcome:
    """What a batch run did, for the CLI's exit code."""

    not_graded: int = 0             # entries of submissions that matched no problem or part


def run_batch(paths: list, out: str, jobs: int, formats: str, resume: bool, shard_spec, use_cache: bool,
              training=None, root: str | None = None, limit: float | None = None) -> Outcome:
    with _interrupts() as stage:
        return _run_batch(paths, out, jobs, formats, resume, shard_spec, use_cache, training, root, limit, stage)


def _run_batch(paths, out, jobs, formats, resume, shard_spec, use_cache, training, root, limit,
               stage: dict) -> Outcome:
    from dlcheck import regrade
    from dlcheck.bank import Bank

    chosen = _formats(formats)
    shard_spec = shards.resolve(shard_spec)        # `auto`: the index a Slurm array or an Indexed Job gives
    try:
        shard_part = batch.parse_shard(shard_spec) if shard_spec else None
    except ValueError as exc:
        raise SubmissionFileError(str(exc)) from None
    out_dir = Path(out)
    class_root, recorded = _class_root(paths, root, out_dir)
    found = _discover(paths, class_root, recorded, out)
    _check_writable(out_dir, out)
    mine = batch.shard(found, shard_spec)
    with _writing():
        shards.write(out_dir, shards.manifest(class_root, shard_part, found, mine))
    limit = limit or default_limit(training)
    keys = regrade.Keys(Bank(), training)
    plan = batch.plan(mine, out_dir, resume, keys, limit)
    todo = plan.todo
    gradable = sum(job.gradable for job in todo)
    workers = max(1, min(jobs or os.cpu_count() or 1, gradable or 1))
    if training is not None and not training.threads:    # workers re-training at once share the cores
        training = dataclasses.replace(training, threads=max(1, (os.cpu_count() or 1) // workers))
    shard_note = f" (shard {shard_part[0]}/{shard_part[1]} of {len(found)})" if shard_part else ""
    kept = f", {len(plan.kept)} unchanged since graded (--resume)" if resume else ""
    sys.stderr.write(f"dlcheck batch: {len(mine)} submissions{shard_note}{kept}; grading {gradable} "
                     f"with {workers} worker{'s' if workers != 1 else ''}, at most {limit:g} s each\n")
    command = " ".join(["dlcheck", "batch", *map(_quote, paths), "--out", _quote(out), "--resume"]
                       + (["--shard", shard_spec] if shard_spec else []))
    start = time.perf_counter()
    progress = _grade(todo, out_dir, workers, use_cache, training, limit, keys, command)
    stage["after"] = (f"interrupted while writing the class outputs; every result is kept in "
                      f"{out_dir / batch.RESULTS}. To write them:\n  {command}")
    elapsed = time.perf_counter() - start
    summary, missed = _summarize(out_dir)
    with _writing():
        written = classbook.write_outputs(out_dir, chosen, summary)
    from dlcheck.report.terminal import render_class_summary

    _say_not_graded(missed)
    render_class_summary(summary, sys.stdout)
    rate = progress.parts / elapsed if elapsed > 0 else 0.0
    _say(f"graded {progress.graded} submissions ({progress.parts} parts) in {elapsed:.1f} s ({rate:.0f} parts/s); "
         f"{progress.errors} not gradable{_timeouts(progress)}; wrote {_written(written, out_dir)}")
    if plan.before or resume:
        _say(_rerun(plan, progress))
    return Outcome(not_graded=sum(len(m["entries"]) for m in missed["submissions"]))


def _class_root(paths: list, explicit: str | None, out_dir: Path) -> tuple[Path, bool]:
    """(the class root, whether it is the one an earlier run recorded in --out)."""
    stored = shards.stored_root(out_dir)
    if explicit is not None:
        real = Path(os.path.realpath(explicit))
        if not real.is_dir():
            raise SubmissionFileError(f"--root {untrusted(explicit)}: not a folder")
        if stored is not None and Path(os.path.realpath(stored)) != real:
            raise SubmissionFileError(f"--out {untrusted(str(out_dir))} holds results named below the class root "
                                      f"{untrusted(str(stored))}; with --root {untrusted(explicit)} the same files "
                                      f"would get other ids. Use another --out, or --root {untrusted(str(stored))}")
        return real, False
    if stored is not None:
        return stored, True
    return batch.class_root(paths), False


def _discover(paths: list, root: Path, recorded: bool, out: str) -> list:
    try:
        found, problems = batch.discover(paths, root)
    except batch.OutsideRoot as exc:
        where = (f" (recorded in {untrusted(out)}/{shards.MANIFEST} by an earlier run into that folder)"
                 if recorded else " (--root)")
        raise SubmissionFileError(f"{untrusted(str(exc))}{where}: every id is a name below the class root. Grade "
                                  f"them into another --out, or give a --root above them all") from None
    for problem in problems:
        _say(problem)
    if not found:
        raise SubmissionFileError("no submission files found (expected .yaml files, not *.expected.yaml)")
    for job in found:
        if job.duplicate_of:
            _say(f"{job.path} is a link to a file graded as {job.duplicate_of}; listed as its duplicate")
    return found


def _grade(todo: list, out_dir: Path, workers: int, use_cache: bool, training, limit: float, keys,
           command: str) -> "_Progress":
    """Grade with a progress display; an interruption or a result that cannot be saved
    ends the run with what to do next (`command`: the --resume command line)."""
    progress = _Progress(len(todo))
    try:
        with progress:
            batch.run(todo, out_dir, workers, use_cache, progress.done, training, limit=limit,
                      on_wait=progress.tick, keys=keys)
    except KeyboardInterrupt:
        _say(f"\ndlcheck batch: interrupted after {progress.count} of {len(todo)}; every finished "
             f"result is kept in {out_dir / batch.RESULTS}. To continue:\n  {command}", prefix="")
        raise SystemExit(130) from None
    except batch.ResultNotSaved as exc:
        raise SubmissionFileError(f"{exc}; stopped after {progress.count} of {len(todo)} (the results saved so far "
                                  f"are kept). Once it can be written, continue with:\n  {command}") from None
    return progress


@contextlib.contextmanager
def _interrupts():
    """The first Ctrl-C raises KeyboardInterrupt (the run stops its workers and says how to
    resume); later ones are ignored while it stops, so a second Ctrl-C cannot break the
    clean-up into a traceback. After a real interrupt SIGINT stays ignored: the process is
    exiting (130)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield {}
        return
    fired, stage = [], {"after": "interrupted before grading began; nothing was graded"}

    def first(signum, frame):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        fired.append(signum)
        raise KeyboardInterrupt

    before = signal.signal(signal.SIGINT, first)
    try:
        yield stage
    except KeyboardInterrupt:
        _say(f"\ndlcheck batch: {stage['after']}", prefix="")
        raise SystemExit(130) from None
    finally:
        if not fired:
            signal.signal(signal.SIGINT, before)


def run_merge(shard_dirs: list, out: str, formats: str):
    chosen = _formats(formats)
    plan = shards.plan_merge(shard_dirs)
    out_dir = Path(out)
    _check_writable(out_dir, out)
    first = shards.read(plan[0][0])
    with _writing():
        total = classbook.merge(plan, out_dir)
        shards.write(out_dir, shards.merged(plan, first["class"]["submissions"], first["class"]["digest"]))
        summary, missed = _summarize(out_dir)
        written = classbook.write_outputs(out_dir, chosen, summary)
    _say_not_graded(missed)
    _say(f"dlcheck merge: {total} results from {len(plan)} shards of {len(plan)} (each complete); "
         f"wrote {_written(written, out_dir)}", prefix="")
    return Outcome(not_graded=sum(len(m["entries"]) for m in missed["submissions"]))


def _summarize(out_dir: Path) -> tuple[dict, dict]:
    """The class summary, with the entries that were not graded (unknown problems or parts)."""
    summary = classbook.summarize(out_dir)
    missed = {"entries": 0, "submissions": []}
    for record in classbook.records(out_dir):
        entries = record.get("not_graded") if record.get("status") == "graded" else None
        if isinstance(entries, list) and entries:
            shown = [e for e in entries if isinstance(e, dict)]
            missed["submissions"].append({"id": record["id"], "submission": record["submission"], "entries": shown})
            missed["entries"] += len(shown)
    summary["not_graded"] = missed
    return summary, missed


def _say_not_graded(missed: dict) -> None:
    """Entries that matched nothing head the class summary: a typo costs a student points silently."""
    if not missed["entries"]:
        return
    people = missed["submissions"]
    _say(f"{missed['entries']} entr{'y' if missed['entries'] == 1 else 'ies'} not graded in {len(people)} "
         f"submission{'s' if len(people) != 1 else ''} (keys that match no problem or part; --strict exits 2):")
    for who in people[:10]:
        keys = ", ".join(f"{e.get('key')}" + (f" (line {e['line']})" if e.get("line") else "")
                         for e in who["entries"][:5])
        _say(f"  {who['submission']}: {keys}", prefix="")
    if len(people) > 10:
        _say(f"  … and {len(people) - 10} more (summary.json: not_graded)", prefix="")


def _rerun(plan, progress) -> str:
    """'3 regraded (2 spec or solver changed, 1 new), 2 scores changed: …'."""
    from collections import Counter

    from dlcheck import diff, regrade

    reasons = Counter(plan.reasons[i] for i in progress.briefs if i in plan.reasons)
    regraded = sum(reasons.values())
    why = ", ".join(f"{reasons[r]} {r}" for r in regrade.ORDER if reasons.get(r))
    changed = [(plan.before[i], b) for i, b in progress.briefs.items()
               if i in plan.before and diff.score_changed(plan.before[i], b)]
    shown = "; ".join(f"{b['submission']} {_score(a)} → {_score(b)}" for a, b in changed[:5])
    more = f"; … {len(changed) - 5} more" if len(changed) > 5 else ""
    tail = (f": {shown}{more} (`dlcheck diff OLD NEW` lists the parts, given a copy of the folder from before)"
            if changed else "")
    return (f"rerun: {regraded} regraded{f' ({why})' if why else ''}, {len(plan.kept)} kept, "
            f"{len(changed)} score{'s' if len(changed) != 1 else ''} changed{tail}")


def _score(brief: dict) -> str:
    if brief["status"] != "graded":
        return brief["status"]
    return f"{brief['score']:g} / {brief['max_score']:g}"


def _timeouts(progress) -> str:
    return f" ({progress.timeouts} past the time limit)" if progress.timeouts else ""


def _check_writable(out_dir: Path, shown: str) -> None:
    """--out must take files before anything is graded: create it, write and remove a probe."""
    try:
        (out_dir / batch.RESULTS).mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir / batch.RESULTS, prefix=".probe-"):
            pass
    except OSError as exc:
        raise SubmissionFileError(f"--out {untrusted(shown)}: cannot write there "
                                  f"({exc.strerror or exc}); nothing was graded") from None


@contextlib.contextmanager
def _writing():
    """An output that cannot be written is a message naming it, not an internal error."""
    try:
        yield
    except OSError as exc:
        where = f" {untrusted(exc.filename)}" if exc.filename else ""
        raise SubmissionFileError(f"could not write{where}: {exc.strerror or exc}") from None


def _say(message: str, prefix: str = "dlcheck batch: ") -> None:
    """A line on stderr; file names in it are submitted text (untrusted)."""
    sys.stderr.write(prefix + untrusted(message, keep_newlines=True) + "\n")


def _written(paths: list, out_dir: Path) -> str:
    gradescope = [p for p in paths if "gradescope" in p.parts]
    others = [str(p.relative_to(out_dir)) for p in paths if p not in gradescope]
    if gradescope:
        others.append(f"gradescope/<id>/results.json ×{len(gradescope)}")
    return f"{out_dir}/{{{', '.join(others)}}}"


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


class _Progress:
    """A rich progress bar on a terminal (submissions done, parts/s, ETA); plain lines in CI logs."""

    REFRESH_S = 0.1

    def __init__(self, total: int):
        self.total, self.count, self.parts, self.errors, self.timeouts = total, 0, 0, 0, 0
        self.graded = 0
        self.briefs: dict = {}          # id -> brief of what this run graded
        self.tty = sys.stderr.isatty()
        self._bar = None
        self._every = max(1, total // 20)
        self._start = time.monotonic()
        self._shown = 0.0

    def __enter__(self):
        self._start = time.monotonic()
        if self.tty and self.total:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            # refreshed by the grading loop (done, tick), not by a thread: workers are forked
            self._bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
                                 TimeRemainingColumn(), console=Console(file=sys.stderr), transient=True,
                                 auto_refresh=False)
            self._bar.__enter__()
            self._task = self._bar.add_task("grading", total=self.total, rate="")
        return self

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
        return False

    def rate(self) -> float:
        elapsed = time.monotonic() - self._start
        return self.parts / elapsed if elapsed > 0 else 0.0

    def eta(self) -> str:
        if not self.count:
            return "?"
        left = (time.monotonic() - self._start) / self.count * (self.total - self.count)
        return f"{left:.0f} s"

    def done(self, brief: dict) -> None:
        self.count += 1
        self.parts += brief.get("parts") or 0
        self.briefs[brief["id"]] = brief
        if brief["status"] == "graded":
            self.graded += 1
        elif brief["status"] != "duplicate":
            self.errors += 1
        if brief["status"] == "timeout":
            self.timeouts += 1
        if self._bar is not None:
            self._bar.advance(self._task)
            self.tick(force=self.count == self.total)
        elif brief["status"] not in ("graded", "duplicate") or self.count % self._every == 0 \
                or self.count == self.total:
            what = (f"not gradable: {brief['error']}" if brief["status"] not in ("graded", "duplicate")
                    else "duplicate" if brief["status"] == "duplicate"
                    else f"{brief['score']:g}/{brief['max_score']:g}")
            _say(f"[{self.count}/{self.total}] {brief['submission']}: {what}  "
                 f"({self.rate():.0f} parts/s, ETA {self.eta()})", prefix="")

    def tick(self, force: bool = False) -> None:
        now = time.monotonic()
        if self._bar is None or (not force and now - self._shown < self.REFRESH_S):
            return
        self._shown = now
        self._bar.update(self._task, rate=f"{self.rate():.0f} parts/s")
        self._bar.refresh()
