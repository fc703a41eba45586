"""What `dlcheck batch` and `dlcheck merge` do between reading their options
and printing: discovery, progress, interruption, outputs.

The output folder is checked to be writable before anything is graded, and
the first result or output that cannot be written stops the run with the
file's name (exit 2): a batch never reports work it could not keep."""
from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

from dlcheck import batch, classbook, report
from dlcheck.errors import SubmissionFileError
from dlcheck.report.safe import untrusted


def _formats(text: str) -> list:
    chosen = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in report.CLASS_FORMATS]
    if unknown:
        from dlcheck.errors import did_you_mean

        raise SubmissionFileError(f"--format: unknown output {unknown[0]!r}"
                                  f"{did_you_mean(unknown[0], list(report.CLASS_FORMATS))}; "
                                  f"expected some of {', '.join(report.CLASS_FORMATS)}")
    return chosen


def run_batch(paths: list, out: str, jobs: int, formats: str, resume: bool, shard_spec, use_cache: bool,
              training=None):
    chosen = _formats(formats)
    try:
        shard_part = batch.parse_shard(shard_spec) if shard_spec else None
    except ValueError as exc:
        raise SubmissionFileError(str(exc)) from None
    found = _discover(paths)
    out_dir = Path(out)
    _check_writable(out_dir, out)
    mine = batch.shard(found, shard_spec)
    todo = batch.pending(mine, out_dir, resume)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    if training is not None and not training.threads:    # workers re-training at once share the cores
        training = dataclasses.replace(training, threads=max(1, (os.cpu_count() or 1) // workers))
    shard_note = f" (shard {shard_part[0]}/{shard_part[1]} of {len(found)})" if shard_part else ""
    skipped = f", {len(mine) - len(todo)} already graded (--resume)" if resume else ""
    sys.stderr.write(f"dlcheck batch: {len(mine)} submissions{shard_note}{skipped}; grading {len(todo)} "
                     f"with {workers} worker{'s' if workers != 1 else ''}\n")
    command = " ".join(["dlcheck", "batch", *map(_quote, paths), "--out", _quote(out), "--resume"]
                       + (["--shard", shard_spec] if shard_spec else []))
    start = time.perf_counter()
    progress = _grade(todo, out_dir, workers, use_cache, training, command)
    elapsed = time.perf_counter() - start
    summary = classbook.summarize(out_dir)
    with _writing():
        written = classbook.write_outputs(out_dir, chosen, summary)
    from dlcheck.report.terminal import render_class_summary

    render_class_summary(summary, sys.stdout)
    rate = progress.parts / elapsed if elapsed > 0 else 0.0
    _say(f"graded {progress.count} submissions ({progress.parts} parts) in {elapsed:.1f} s ({rate:.0f} parts/s); "
         f"{progress.errors} not gradable; wrote {_written(written, out_dir)}")


def _discover(paths: list) -> list:
    found, problems = batch.discover(paths)
    for problem in problems:
        _say(problem)
    if not found:
        raise SubmissionFileError("no submission files found (expected .yaml files, not *.expected.yaml)")
    for job in found:
        if job.duplicate_of:
            _say(f"{job.path} is a link to a file graded as {job.duplicate_of}; listed as its duplicate")
    return found


def _grade(todo: list, out_dir: Path, workers: int, use_cache: bool, training, command: str) -> "_Progress":
    """Grade with a progress display; an interruption or a result that cannot be saved
    ends the run with what to do next (`command`: the --resume command line)."""
    progress = _Progress(len(todo))
    try:
        with progress:
            batch.run(todo, out_dir, workers, use_cache, progress.done, training)
    except KeyboardInterrupt:
        _say(f"\ndlcheck batch: interrupted after {progress.count} of {len(todo)}; every finished "
             f"result is kept in {out_dir / batch.RESULTS}. To continue:\n  {command}", prefix="")
        raise SystemExit(130) from None
    except batch.ResultNotSaved as exc:
        raise SubmissionFileError(f"{exc}; stopped after {progress.count} of {len(todo)} (the results saved so far "
                                  f"are kept). Once it can be written, continue with:\n  {command}") from None
    return progress


def run_merge(shards: list, out: str, formats: str):
    chosen = _formats(formats)
    for shard in shards:
        if not (Path(shard) / batch.RESULTS).is_dir():
            raise SubmissionFileError(f"{shard}: not a `dlcheck batch` output folder (no {batch.RESULTS}/ in it)")
    out_dir = Path(out)
    _check_writable(out_dir, out)
    with _writing():
        total = classbook.merge(shards, out_dir)
        summary = classbook.summarize(out_dir)
        written = classbook.write_outputs(out_dir, chosen, summary)
    _say(f"dlcheck merge: {total} results from {len(shards)} folders; wrote {_written(written, out_dir)}", prefix="")


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
    """A rich progress bar on a terminal; plain lines in CI logs."""

    def __init__(self, total: int):
        self.total, self.count, self.parts, self.errors = total, 0, 0, 0
        self.tty = sys.stderr.isatty()
        self._bar = None
        self._every = max(1, total // 20)

    def __enter__(self):
        if self.tty and self.total:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                 console=Console(file=sys.stderr), transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task("grading", total=self.total)
        return self

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
        return False

    def done(self, brief: dict) -> None:
        self.count += 1
        self.parts += brief.get("parts") or 0
        if brief["status"] != "graded":
            self.errors += 1
        if self._bar is not None:
            self._bar.advance(self._task)
        elif brief["status"] != "graded" or self.count % self._every == 0 or self.count == self.total:
            what = (f"not gradable: {brief['error']}" if brief["status"] != "graded"
                    else f"{brief['score']:g}/{brief['max_score']:g}")
            _say(f"[{self.count}/{self.total}] {brief['submission']}: {what}", prefix="")

