"""The dlcheck command line. Thin: read arguments, call the library, render.

Exit codes (docs/submission-format.md): 0 graded, 2 the file (or a named
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
from dlcheck.claims import settings as claim_settings      # the training defaults, written once there

app = typer.Typer(
    help="Check and grade deep-learning homework answers against derived references.",
    no_args_is_help=True,
    add_completion=True,            # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    # Plain help: typer's rich help imports rich.markdown and markdown-it (~0.15 s
    # on every --help, measured); the help text is the same.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from dlcheck import __version__

        sys.stdout.write(f"dlcheck {__version__}\n")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", "-V", is_eager=True, callback=_version,
                                       help="Print the version and exit."),
          banks: Optional[list[str]] = typer.Option(None, "--bank", metavar="DIR",
                                                    help="A course's problem bank, beside the bundled one "
                                                         "(repeat for several; DLCHECK_PROBLEMS lists the "
                                                         "banks to use instead).")) -> None:
    """Check and grade deep-learning homework answers against derived references."""
    if banks:
        from dlcheck.layout import add_banks

        add_banks(banks)


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


STRICT = typer.Option(False, "--strict", help="Exit 2 when entries match no problem or part (they are not graded).")

# options shared by `grade` and `batch`: how training claims are re-run (claims.py)
DATA_DIR = typer.Option(None, "--data-dir", metavar="DIR", envvar="DLCHECK_DATA",
                        help="Data sets for training claims (DIR/mnist, DIR/cifar-10-batches-py, …); "
                             "never downloaded.")
TRAIN_SEEDS = typer.Option(claim_settings.DEFAULT_SEEDS, "--train-seeds", metavar="N", min=1, max=20, envvar="DLCHECK_TRAIN_SEEDS",
                           help="Re-runs per training claim.")
TRAIN_BUDGET = typer.Option(claim_settings.DEFAULT_BUDGET_S, "--train-budget", metavar="SECONDS", min=1, envvar="DLCHECK_TRAIN_BUDGET",
                            help="Most time one claim's re-training may take; longer ones are left for review.")
DEVICE = typer.Option(Device.auto, "--device", envvar="DLCHECK_DEVICE",
                      help="Where claims are re-trained (auto: a GPU when there is one).")


class Audience(str, Enum):
    staff = "staff"
    student = "student"


Visibility = Enum("Visibility", {v: v for v in ("visible", "after_due_date", "after_published", "hidden")}, type=str)

# options shared by `grade`, `batch` and `merge`: who reads the output (report/student.py, audience.py)
AUDIENCE = typer.Option(None, "--audience", help="Who reads it: student (no reference value) or staff "
                                                 "(default: student for gradescope, staff for the rest).")
REVEAL = typer.Option(None, "--reveal", metavar="WHAT", help="Show students the reference of: all, a set, a "
                                                              "problem id or problem/part (repeat; after the "
                                                              "deadline).")
VISIBILITY = typer.Option(None, "--visibility", help="Gradescope's per-test visibility (default: visible for "
                                                     "students, hidden for a staff view).")


def _view(bank, fmt: str, audience, reveal, visibility):
    from dlcheck.audience import check_selectors, view_for

    return view_for(bank, fmt, audience and audience.value, check_selectors(bank, reveal or []),
                    visibility and visibility.value)


def _outputs(audience, reveal, visibility):
    """The class outputs' audience for `batch` and `merge` (classbook.output_options)."""
    from dlcheck import classbook
    from dlcheck.audience import check_selectors

    selectors = tuple(_guarded(lambda: check_selectors(_bank(), reveal))) if reveal else ()
    return classbook.output_options(classbook.OutputOptions(audience and audience.value, selectors,
                                                            visibility and visibility.value))


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
    from dlcheck.checks import references
    from dlcheck.report import renderer

    def body():
        bank = _bank()
        problem = bank.problem(bank.resolve(problem_id))
        refs = references(problem, bank, use_cache=not no_cache)
        renderer(fmt.value).render_solution(problem, refs, sys.stdout)

    _guarded(body)


@app.command()
def grade(
    file: str = typer.Argument(..., metavar="FILE", help="A submission YAML file (- reads standard input), or a "
                                                           "notebook (.ipynb, with --set)."),
    fmt: GradeFormat = typer.Option(GradeFormat.rich, "--format", "-f", help="Output format."),
    set_name: Optional[str] = typer.Option(None, "--set", metavar="SET",
                                           help="The problem set a notebook answers (dlcheck/notebook.py)."),
    fail_under: Optional[str] = typer.Option(None, "--fail-under", metavar="X",
                                             help="Exit 3 when the score is below X points, or X% of the "
                                                  "maximum (70%) (for CI)."),
    strict: bool = STRICT,
    no_cache: bool = typer.Option(False, "--no-cache", help="Derive references again; ignore the cache."),
    data_dir: Optional[str] = DATA_DIR,
    train_seeds: int = TRAIN_SEEDS,
    train_budget: float = TRAIN_BUDGET,
    device: Device = DEVICE,
    audience: Optional[Audience] = AUDIENCE,
    reveal: Optional[list[str]] = REVEAL,
    visibility: Optional[Visibility] = VISIBILITY,
):
    """Grade a submission: a verdict per part, feedback, critique audit and score."""
    from dlcheck.grade import Grader
    from dlcheck.report import renderer
    from dlcheck.submission import load_submission

    def body():
        from dlcheck.report.student import for_view

        bank = _bank()
        view = _view(bank, fmt.value, audience, reveal, visibility)    # a bad --reveal stops before grading
        submission = _notebook_submission(file, set_name, bank) if _is_notebook(file) else load_submission(file, bank)
        if set_name and not _is_notebook(file):
            _note(f"--set is read for notebooks only; {file} names its set itself (`set:`)")
        training = _training(data_dir, train_seeds, train_budget, device)
        report = Grader(bank, use_cache=not no_cache, training=training).grade(submission)
        missed = gate.not_graded(report)
        if missed:                  # heads the report: a mistyped key costs points without a word otherwise
            _note(f"{gate.describe(missed)} (keys that match no problem or part"
                  f"{'' if strict else '; --strict exits 2 on them'})")
        renderer(fmt.value).render_report(for_view(report, view), sys.stdout)
        return report, missed

    from dlcheck import gate

    threshold = _threshold(fail_under)
    report, missed = _guarded(body)
    if strict and missed:
        _fail(f"--strict: {gate.describe(missed)}", EXIT_BAD_INPUT)
    failure = threshold.failure(report.score, report.max_score) if threshold else None
    if failure:
        _fail(failure, EXIT_FAIL_UNDER)


def _is_notebook(file: str) -> bool:
    return file.lower().endswith(".ipynb")


def _notebook_submission(file: str, set_name: Optional[str], bank):
    """A notebook is imported in memory (`dlcheck import`'s mapping), then graded."""
    from pathlib import Path

    from dlcheck import notebook

    _known_set(bank, set_name, file)
    result, submission = notebook.load_submission(Path(file), set_name, bank)
    _note(f"import: {notebook.summary(result)}")
    return submission


def _known_set(bank, set_name: Optional[str], file: str) -> None:
    from dlcheck.errors import UnknownProblem, did_you_mean

    if not set_name:
        raise UnknownProblem(f"{file}: a notebook names no problem set; give it with --set SET")
    if not bank.has_set(set_name):
        raise UnknownProblem(f"unknown problem set {set_name!r}{did_you_mean(set_name, bank.sets())}")


def _threshold(text: Optional[str]):
    """--fail-under as points or a percent; a bad value exits 2 before anything is graded."""
    from dlcheck import gate

    if text is None:
        return None
    try:
        return gate.threshold(text)
    except ValueError as exc:
        _fail(str(exc), EXIT_BAD_INPUT)


def _note(message: str) -> None:
    from dlcheck.report.safe import untrusted

    sys.stderr.write(f"dlcheck: {untrusted(message, keep_newlines=True)}\n")



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
    resume: bool = typer.Option(False, "--resume", help="Grade only submissions whose result is missing or stale "
                                                         "(the file, a spec or solver, or dlcheck changed)."),
    shard_spec: Optional[str] = typer.Option(None, "--shard", metavar="i/N",
                                             help="Grade only the i-th of N deterministic shares (i is 1-based; "
                                                  "a CI matrix). auto: i and N from a Slurm array; auto/N: i "
                                                  "from a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)."),
    root: Optional[str] = typer.Option(None, "--root", metavar="DIR",
                                       help="The class root ids are named below (default: the root recorded "
                                            "in --out, else the common folder of the paths)."),
    timeout: Optional[float] = typer.Option(None, "--timeout", metavar="SECONDS",
                                            help="Most seconds one submission may take; past it its result is "
                                                 "`timeout` and the batch goes on (default 900; with --data-dir "
                                                 "900 + 10 × --train-budget)."),
    strict: bool = STRICT,
    no_cache: bool = typer.Option(False, "--no-cache", help="Derive references again; ignore the cache."),
    data_dir: Optional[str] = DATA_DIR,
    train_seeds: int = TRAIN_SEEDS,
    train_budget: float = TRAIN_BUDGET,
    device: Device = DEVICE,
    audience: Optional[Audience] = AUDIENCE,
    reveal: Optional[list[str]] = REVEAL,
    visibility: Optional[Visibility] = VISIBILITY,
):
    """Grade a whole class in parallel: one result per submission, gradebook, JUnit, Gradescope, summary."""
    from dlcheck.batchcli import run_batch

    _positive("--timeout", timeout)
    training = _training(data_dir, train_seeds, train_budget, device)
    with _outputs(audience, reveal, visibility):
        outcome = _guarded(lambda: run_batch(paths, out, jobs, formats, resume, shard_spec, not no_cache, training,
                                             root=root, limit=timeout))
    if strict and outcome.not_graded:
        _fail(f"--strict: {outcome.not_graded} entries not graded (listed above and in summary.json)",
              EXIT_BAD_INPUT)


@app.command()
def merge(
    shards: list[str] = typer.Argument(..., metavar="DIR...", help="Output folders of `dlcheck batch --shard`."),
    out: str = typer.Option(..., "--out", "-o", metavar="DIR", help="Where the merged outputs go."),
    formats: str = typer.Option("csv,junit,gradescope,md,html", "--format", "-f", metavar="LIST",
                                help="Outputs: csv, junit, gradescope, md, html (comma-separated)."),
    audience: Optional[Audience] = AUDIENCE,
    reveal: Optional[list[str]] = REVEAL,
    visibility: Optional[Visibility] = VISIBILITY,
):
    """Combine sharded batch outputs into the files an unsharded run writes."""
    from dlcheck.batchcli import run_merge

    with _outputs(audience, reveal, visibility):
        _guarded(lambda: run_merge(shards, out, formats))


@app.command("diff")
def diff_outputs(
    old: str = typer.Argument(..., metavar="OLD", help="A `dlcheck batch` output folder (before)."),
    new: str = typer.Argument(..., metavar="NEW", help="Another (after)."),
    json_out: bool = typer.Option(False, "--json", help="One JSON object instead of lines."),
):
    """List the scores that changed between two batch outputs, per student and part."""
    from pathlib import Path

    from dlcheck import diff

    def body():
        result = diff.compare(Path(old), Path(new))
        if json_out:
            from dlcheck.report.json_report import SCHEMA_VERSION
            from dlcheck.report.safe import json_file

            sys.stdout.write(json_file({"schema_version": SCHEMA_VERSION, **result}))
        else:
            diff.render(result, sys.stdout)

    _guarded(body)


@app.command("import")
def import_writeup(
    writeup: str = typer.Argument(..., metavar="WRITEUP", help="A markdown write-up (an LLM's answers, a student's), "
                                                                "or a notebook (.ipynb)."),
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
        if _is_notebook(writeup):                                        # markdown cells + code answers
            from dlcheck import notebook

            result = notebook.import_file(path, set_name, bank)
            document, said, listed = notebook.to_yaml(result), notebook.summary(result), notebook.notes(result)
        else:
            imported = run_import(read_writeup(path), set_name, bank)   # regular files only, size-limited
            document, said, listed = to_yaml(imported, path.name), summary(imported), notes(imported)
        if output == "-":
            sys.stdout.write(document)
        else:
            Path(output).write_text(document, encoding="utf-8")
        sys.stderr.write(f"dlcheck import: {untrusted(said)}"
                         + "".join(f"\n  {untrusted(line)}" for line in listed) + "\n")

    _guarded(body)


@app.command()
def check(
    answers: Optional[str] = typer.Option(None, "--answers", metavar="DIR",
                                          help="Folder of answer files with .expected.yaml beside them."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Derive every reference again."),
    update: bool = typer.Option(False, "--update", help="Rewrite each set's references.lock.json from "
                                                        "what its solvers derive (the references shipped)."),
):
    """Check the bank: specs load, solvers derive, each set's lock holds what they derive,
    bundled answers grade as expected."""
    from pathlib import Path

    from dlcheck import selfcheck
    from dlcheck.report.terminal import render_checks

    def body():
        bank = _bank()
        root = Path(answers) if answers else selfcheck.default_answers_root(bank)
        rows = selfcheck.run(bank, root, use_cache=not no_cache, update=update)
        render_checks(rows, sys.stdout)
        return rows

    rows = _guarded(body)
    if not all(r.ok for r in rows):
        raise typer.Exit(EXIT_INTERNAL)


@app.command()
def new(problem_id: str = typer.Argument(..., metavar="SET/ID", help="The new problem's id, e.g. my-course/1a.")):
    """Start a problem: a spec, a solver and a test to fill in (docs/authoring.md)."""
    from dlcheck import scaffold

    try:
        written = scaffold.create(scaffold.set_folder(_bank(), problem_id), problem_id)
    except (scaffold.ScaffoldError, OSError) as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    _note(f"new: wrote {', '.join(map(str, written))}; `dlcheck check` fails on {problem_id.strip()} "
          f"until its solver derives every automatic part")


# -- the course workflow: human review, the LMS, Gradescope (review.py, lms.py, autograder.py) --------
review_app = typer.Typer(help="Human review of the parts dlcheck leaves: free text, figures, claims without data.",
                         no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                         context_settings={"help_option_names": ["-h", "--help"]}, rich_markup_mode=None)
app.add_typer(review_app, name="review")


@review_app.command("export")
def review_export(
    out: str = typer.Argument(..., metavar="OUT", help="A `dlcheck batch` output folder."),
    to: str = typer.Option("-", "--to", metavar="FILE", help="The CSV to write (- for stdout)."),
):
    """One CSV row per part awaiting a human: rubric, answer, measurements; fill in score and comment."""
    from dlcheck import review

    _guarded(lambda: _note(f"review export: {review.export_file(out, to, _bank())} parts for review"))


@review_app.command("import")
def review_import(
    csv_file: str = typer.Argument(..., metavar="CSV", help="The review CSV, scores and comments filled in."),
    out: str = typer.Argument(..., metavar="OUT", help="The `dlcheck batch` output folder it came from."),
):
    """Store the human scores (they survive regrades) and write the class outputs again."""
    from dlcheck import review

    def body():
        count, written = review.import_file(csv_file, out, _bank())
        _note(f"review import: {count} scores stored in {out}/reviews.json; {len(written)} outputs written again")

    _guarded(body)


class Lms(str, Enum):
    canvas = "canvas"
    moodle = "moodle"


@app.command("export")
def export_grades(
    out: str = typer.Argument(..., metavar="OUT", help="A `dlcheck batch` output folder."),
    lms: Lms = typer.Option(..., "--lms", help="The gradebook layout to write."),
    roster: str = typer.Option(..., "--roster", metavar="CSV", help="The LMS's students with a `submission` "
                                                                     "column: author, file name or batch id."),
    to: str = typer.Option("-", "--to", metavar="FILE", help="The CSV to write (- for stdout)."),
    assignment: str = typer.Option("dlcheck", "--assignment", metavar="NAME",
                                   help='The grade column: "Name (ID)" updates that Canvas assignment.'),
    points: Optional[float] = typer.Option(None, "--points", metavar="P", help="Scale scores to P points."),
):
    """Grades as Canvas or Moodle import them; every student the roster misses is listed."""
    from dlcheck import lms as lms_export

    def body():
        result = lms_export.export_file(out, lms.value, roster, to, assignment, points)
        for line in result.lines():
            _note(line)
        _note(f"export: {result.graded} grades for {result.rows} roster rows ({lms.value})")

    _guarded(body)


@app.command()
def autograder(
    set_name: str = typer.Argument(..., metavar="SET", help="The problem set the assignment is."),
    output: str = typer.Option("autograder.zip", "--output", "-o", metavar="ZIP", help="The zip to write."),
    reveal: Optional[list[str]] = REVEAL,
    visibility: Optional[Visibility] = VISIBILITY,
    torch: str = typer.Option("", "--torch", metavar="SPEC", help="The torch setup.sh installs (default: "
                                                                   "this one's version, CPU wheel)."),
):
    """A Gradescope autograder (setup.sh, run_autograder) that grades each upload for its student."""
    from pathlib import Path

    from dlcheck import autograder as gradescope
    from dlcheck.audience import check_selectors

    def body():
        bank = _bank()
        names = gradescope.build(set_name, Path(output), bank, check_selectors(bank, reveal or []),
                                 visibility and visibility.value, torch)
        _note(f"autograder: {output} ({len(names)} files); upload it as the assignment's autograder")

    _guarded(body)


def main() -> None:
    app()
