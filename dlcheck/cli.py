"""The dlcheck command line. Thin: read arguments, call the library, render.

Exit codes (SUBMISSION_FORMAT.md): 0 graded, 2 the file (or a named
problem) cannot be used, 1 internal failure, 3 score below --fail-under,
141 the reader of stdout went away (`dlcheck grade … | head`)."""
from __future__ import annotations

import math
import os
import sys
from enum import Enum
from typing import Optional

import typer

from dlcheck import report as report_formats

app = typer.Typer(
    help="Check and grade deep-learning homework answers against derived references.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: typer's rich help imports rich.markdown and markdown-it (~0.15 s
    # on every --help, measured); the help text is the same.
    rich_markup_mode=None,
)


# --format choices, from the registry of output formats (dlcheck/report/__init__.py: no renderer imported)
Format = Enum("Format", {name: name for name in report_formats.SOLUTION_FORMATS}, type=str)
GradeFormat = Enum("GradeFormat", {name: name for name in report_formats.REPORT_FORMATS}, type=str)


EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_FAIL_UNDER = 0, 1, 2, 3
# A closed pipe exits as a process killed by SIGPIPE would (128 + 13), like cat or grep: the
# output was cut short, so 0 ("graded, all of it delivered") would be a lie and would hide a
# --fail-under verdict, while `set -o pipefail` scripts see what they see from any other tool.
EXIT_BROKEN_PIPE = 141


class Device(str, Enum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


# options shared by `grade` and `batch`: how training claims are re-run (claims.py)
DATA_DIR = typer.Option(None, "--data-dir", metavar="DIR", envvar="DLCHECK_DATA",
                        help="Data sets for training claims (DIR/mnist, DIR/cifar-10-batches-py, …); "
                             "never downloaded.")
TRAIN_SEEDS = typer.Option(3, "--train-seeds", metavar="N", min=1, max=20, envvar="DLCHECK_TRAIN_SEEDS",
                           help="Re-runs per training claim.")
TRAIN_BUDGET = typer.Option(600.0, "--train-budget", metavar="SECONDS", min=1, envvar="DLCHECK_TRAIN_BUDGET",
                            help="Most time one claim's re-training may take; longer ones are left for review.")
DEVICE = typer.Option(Device.auto, "--device", envvar="DLCHECK_DEVICE",
                      help="Where claims are re-trained (auto: a GPU when there is one).")


def _training(data_dir, seeds, budget, device):
    from dlcheck.claims import TrainingSettings

    _positive("--train-budget", budget)
    return TrainingSettings(data_dir=data_dir, seeds=seeds, budget_s=budget, device=device.value)


def _positive(option: str, value: float | None, allow_zero: bool = False) -> None:
    """typer's float options take nan and inf; a limit must be a finite number."""
    if value is not None and not (math.isfinite(value) and (value > 0 or allow_zero and value == 0)):
        _fail(f"{option}: expected a {'non-negative' if allow_zero else 'positive'} finite number, got {value}",
              EXIT_BAD_INPUT)


def _fail(message: str, code: int) -> None:
    from dlcheck.report.safe import untrusted

    sys.stderr.write(f"dlcheck: {untrusted(message, keep_newlines=True)}\n")   # messages quote file names
    raise typer.Exit(code)


def _broken_pipe() -> None:
    """stdout's reader is gone: stop quietly. stdout now writes to /dev/null, so the
    flush at exit cannot raise again ("Exception ignored … BrokenPipeError")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):       # no real descriptor (a test's captured stream)
        pass
    raise typer.Exit(EXIT_BROKEN_PIPE)


def _bank():
    from dlcheck.bank import Bank
    from dlcheck.errors import SpecError

    try:
        return Bank()
    except SpecError as exc:
        _fail(str(exc), EXIT_INTERNAL)


def _guarded(action):
    """Run a command body: user errors become messages, never tracebacks."""
    from dlcheck.errors import DlcheckError, SpecError, SubmissionFileError, UnknownProblem

    try:
        result = action()
        sys.stdout.flush()      # a closed pipe shows here, inside the guard, not in the flush at exit
        return result
    except (SubmissionFileError, UnknownProblem) as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    except (SpecError, DlcheckError) as exc:
        _fail(str(exc), EXIT_INTERNAL)
    except typer.Exit:
        raise
    except BrokenPipeError:
        _broken_pipe()
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("DLCHECK_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (set DLCHECK_DEBUG=1 for a traceback)",
              EXIT_INTERNAL)


@app.command("list")
def list_problems(set_name: Optional[str] = typer.Argument(None, metavar="[SET]", help="Only this problem set.")):
    """List problem sets, their problems, parts and answer kinds."""
    from dlcheck.errors import UnknownProblem, did_you_mean
    from dlcheck.report.terminal import render_listing

    def body():
        bank = _bank()
        if set_name and not bank.has_set(set_name):
            raise UnknownProblem(f"unknown problem set {set_name!r}{did_you_mean(set_name, bank.sets())}")
        render_listing(bank, [set_name] if set_name else bank.sets(), sys.stdout)

    _guarded(body)


@app.command()
def show(problem_id: str = typer.Argument(..., metavar="ID", help="Problem id, e.g. csc413-a2/3.2.")):
    """Show a problem: statement, conventions and parts."""
    from dlcheck.report.terminal import render_problem

    def body():
        bank = _bank()
        render_problem(bank.problem(bank.resolve(problem_id)), sys.stdout)

    _guarded(body)


@app.command()
def solve(
    problem_id: str = typer.Argument(..., metavar="ID", help="Problem id, e.g. csc413-a2/3.2."),
    fmt: Format = typer.Option(Format.rich, "--format", "-f", help="Output format."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Derive again; ignore the reference cache."),
):
    """Derive the reference answers of a problem, with their steps."""
    from dlcheck.reference import references
    from dlcheck.report import renderer

    def body():
        bank = _bank()
        problem = bank.problem(bank.resolve(problem_id))
        refs = references(problem, bank, use_cache=not no_cache)
        renderer(fmt.value).render_solution(problem, refs, sys.stdout)

    _guarded(body)


@app.command()
def grade(
    file: str = typer.Argument(..., metavar="FILE", help="A submission YAML file."),
    fmt: GradeFormat = typer.Option(GradeFormat.rich, "--format", "-f", help="Output format."),
    fail_under: Optional[float] = typer.Option(None, "--fail-under", metavar="X",
                                               help="Exit 3 when the score is below X (for CI)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Derive references again; ignore the cache."),
    data_dir: Optional[str] = DATA_DIR,
    train_seeds: int = TRAIN_SEEDS,
    train_budget: float = TRAIN_BUDGET,
    device: Device = DEVICE,
):
    """Grade a submission: a verdict per part, feedback, critique audit and score."""
    from dlcheck.grade import Grader
    from dlcheck.report import renderer
    from dlcheck.submission import load_submission

    def body():
        bank = _bank()
        submission = load_submission(file, bank)
        training = _training(data_dir, train_seeds, train_budget, device)
        report = Grader(bank, use_cache=not no_cache, training=training).grade(submission)
        renderer(fmt.value).render_report(report, sys.stdout)
        return report

    _positive("--fail-under", fail_under, allow_zero=True)
    report = _guarded(body)
    if fail_under is not None and report.score < fail_under:
        raise typer.Exit(EXIT_FAIL_UNDER)



@app.command()
def equiv(
    first: str = typer.Argument(..., metavar="A", help="An expression, plain or LaTeX."),
    second: str = typer.Argument(..., metavar="B", help="Another expression."),
    symbols: str = typer.Option("", "--symbols", "-s", metavar="SPEC",
                                help='Declarations, e.g. "x,y:positive;n:integer;X:n*d;w:d". '
                                     "Undeclared single letters are real scalars."),
    fmt: Format = typer.Option(Format.rich, "--format", "-f", help="Output format."),
    timeout: float = typer.Option(3.0, "--timeout", help="Seconds before giving up (a timeout is undecided)."),
):
    """Check whether two expressions are equal (scalars, or matrices with shapes)."""
    from dlcheck.mathexpr import ExprError
    from dlcheck.mathexpr.context import parse_symbol_spec
    from dlcheck.mathexpr.equiv import check_texts
    from dlcheck.report import renderer

    _positive("--timeout", timeout)
    try:
        ctx = parse_symbol_spec(symbols)
    except ValueError as exc:
        _fail(f"--symbols: {exc}", EXIT_BAD_INPUT)
    ctx.timeout = timeout
    for label, text in (("A", first), ("B", second)):
        try:
            from dlcheck.mathexpr.equiv import read

            read(text, ctx)
        except ExprError as exc:
            _fail(f"cannot read {label}: {exc.pointed()}", EXIT_BAD_INPUT)

    def body():
        result = check_texts(first, second, ctx)
        renderer(fmt.value).render_equivalence(first, second, result, sys.stdout)

    _guarded(body)


@app.command()
def batch(
    paths: list[str] = typer.Argument(..., metavar="PATH...", help="Submission files, directories or globs."),
    out: str = typer.Option(..., "--out", "-o", metavar="DIR", help="Where results and outputs go."),
    jobs: int = typer.Option(0, "--jobs", "-j", metavar="N", help="Worker processes (default: CPU count)."),
    formats: str = typer.Option("csv,junit,gradescope,md,html", "--format", "-f", metavar="LIST",
                                help="Outputs: csv, junit, gradescope, md, html (comma-separated)."),
    resume: bool = typer.Option(False, "--resume", help="Skip submissions whose result is newer than the file."),
    shard_spec: Optional[str] = typer.Option(None, "--shard", metavar="i/N",
                                             help="Grade only the i-th of N deterministic shares (CI matrix)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Derive references again; ignore the cache."),
    data_dir: Optional[str] = DATA_DIR,
    train_seeds: int = TRAIN_SEEDS,
    train_budget: float = TRAIN_BUDGET,
    device: Device = DEVICE,
):
    """Grade a whole class in parallel: one result per submission, gradebook, JUnit, Gradescope, summary."""
    from dlcheck.batchcli import run_batch

    training = _training(data_dir, train_seeds, train_budget, device)
    _guarded(lambda: run_batch(paths, out, jobs, formats, resume, shard_spec, not no_cache, training))


@app.command()
def merge(
    shards: list[str] = typer.Argument(..., metavar="DIR...", help="Output folders of `dlcheck batch --shard`."),
    out: str = typer.Option(..., "--out", "-o", metavar="DIR", help="Where the merged outputs go."),
    formats: str = typer.Option("csv,junit,gradescope,md,html", "--format", "-f", metavar="LIST",
                                help="Outputs: csv, junit, gradescope, md, html (comma-separated)."),
):
    """Combine sharded batch outputs into the files an unsharded run writes."""
    from dlcheck.batchcli import run_merge

    _guarded(lambda: run_merge(shards, out, formats))


@app.command("import")
def import_writeup(
    writeup: str = typer.Argument(..., metavar="WRITEUP", help="A markdown write-up (an LLM's answers, a student's)."),
    set_name: str = typer.Option(..., "--set", metavar="SET", help="The problem set it answers."),
    output: str = typer.Option("-", "--output", "-o", metavar="FILE", help="Submission file to write (- for stdout)."),
):
    """Turn a markdown write-up into a gradable submission (sections -> traces)."""
    from pathlib import Path

    from dlcheck.errors import UnknownProblem, did_you_mean
    from dlcheck.report.safe import untrusted
    from dlcheck.trace.importer import import_writeup as run_import, notes, read_writeup, summary, to_yaml

    def body():
        bank = _bank()
        if not bank.has_set(set_name):
            raise UnknownProblem(f"unknown problem set {set_name!r}{did_you_mean(set_name, bank.sets())}")
        path = Path(writeup)
        imported = run_import(read_writeup(path), set_name, bank)       # regular files only, size-limited
        document = to_yaml(imported, path.name)
        if output == "-":
            sys.stdout.write(document)
        else:
            Path(output).write_text(document, encoding="utf-8")
        sys.stderr.write(f"dlcheck import: {summary(imported)}"
                         + "".join(f"\n  {untrusted(line)}" for line in notes(imported)) + "\n")

    _guarded(body)


@app.command()
def check(
    answers: Optional[str] = typer.Option(None, "--answers", metavar="DIR",
                                          help="Folder of answer files with .expected.yaml beside them."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Derive every reference again."),
):
    """Check the bank: specs load, solvers derive, bundled answers grade as expected."""
    from pathlib import Path

    from dlcheck import selfcheck
    from dlcheck.report.terminal import render_checks

    def body():
        bank = _bank()
        root = Path(answers) if answers else selfcheck.default_answers_root(bank)
        rows = selfcheck.run(bank, root, use_cache=not no_cache)
        render_checks(rows, sys.stdout)
        return rows

    rows = _guarded(body)
    if not all(r.ok for r in rows):
        raise typer.Exit(EXIT_INTERNAL)


def main() -> None:
    app()
