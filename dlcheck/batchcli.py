"""What `dlcheck batch` and `dlcheck merge` do between reading their options
and printing: discovery, progress, interruption, outputs."""
from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

from dlcheck import batch, classbook
from dlcheck.errors import SubmissionFileError


def _formats(text: str) -> list:
    chosen = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in classbook.CLASS_FORMATS]
    if unknown:
        from dlcheck.errors import did_you_mean

        raise SubmissionFileError(f"--format: unknown output {unknown[0]!r}"
                                  f"{did_you_mean(unknown[0], list(classbook.CLASS_FORMATS))}; "
                                  f"expected some of {', '.join(classbook.CLASS_FORMATS)}")
    return chosen


def run_batch(paths: list, out: str, jobs: int, formats: str, resume: bool, shard_spec, use_cache: bool,
              training=None):
    chosen = _formats(formats)
    try:
        shard_part = batch.parse_shard(shard_spec) if shard_spec else None
    except ValueError as exc:
        raise SubmissionFileError(str(exc)) from None
    found, problems = batch.discover(paths)
    for problem in problems:
        sys.stderr.write(f"dlcheck batch: {problem}\n")
    if not found:
        raise SubmissionFileError("no submission files found (expected .yaml files, not *.expected.yaml)")
    out_dir = Path(out)
    mine = batch.shard(found, shard_spec)
    todo = batch.pending(mine, out_dir, resume)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    if training is not None and not training.threads:    # workers re-training at once share the cores
        training = dataclasses.replace(training, threads=max(1, (os.cpu_count() or 1) // workers))
    shard_note = f" (shard {shard_part[0]}/{shard_part[1]} of {len(found)})" if shard_part else ""
    skipped = f", {len(mine) - len(todo)} already graded (--resume)" if resume else ""
    sys.stderr.write(f"dlcheck batch: {len(mine)} submissions{shard_note}{skipped}; grading {len(todo)} "
                     f"with {workers} worker{'s' if workers != 1 else ''}\n")
    start = time.perf_counter()
    progress = _Progress(len(todo))
    try:
        with progress:
            batch.run(todo, out_dir, workers, use_cache, progress.done, training)
    except KeyboardInterrupt:
        command = " ".join(["dlcheck", "batch", *map(_quote, paths), "--out", _quote(out), "--resume"]
                           + (["--shard", shard_spec] if shard_spec else []))
        sys.stderr.write(f"\ndlcheck batch: interrupted after {progress.count} of {len(todo)}; every finished "
                         f"result is kept in {out_dir / batch.RESULTS}. To continue:\n  {command}\n")
        raise SystemExit(130) from None
    elapsed = time.perf_counter() - start
    summary = classbook.summarize(out_dir)
    written = classbook.write_outputs(out_dir, chosen, summary)
    from dlcheck.report.terminal import render_class_summary

    render_class_summary(summary, sys.stdout)
    rate = progress.parts / elapsed if elapsed > 0 else 0.0
    sys.stderr.write(f"dlcheck batch: graded {progress.count} submissions ({progress.parts} parts) in "
                     f"{elapsed:.1f} s ({rate:.0f} parts/s); {progress.errors} not gradable; wrote "
                     f"{_written(written, out_dir)}\n")


def run_merge(shards: list, out: str, formats: str):
    chosen = _formats(formats)
    for shard in shards:
        if not (Path(shard) / batch.RESULTS).is_dir():
            raise SubmissionFileError(f"{shard}: not a `dlcheck batch` output folder (no {batch.RESULTS}/ in it)")
    out_dir = Path(out)
    total = classbook.merge(shards, out_dir)
    summary = classbook.summarize(out_dir)
    written = classbook.write_outputs(out_dir, chosen, summary)
    sys.stderr.write(f"dlcheck merge: {total} results from {len(shards)} folders; wrote {_written(written, out_dir)}\n")


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
            sys.stderr.write(f"[{self.count}/{self.total}] {brief['submission']}: {what}\n")

