"""The CLI's basics (issue 18): --version, -h, shell completion, `grade -` from stdin,
NO_COLOR, schema_version in JSON, declared dependencies; `dlcheck check` failing a
problem without derived references; `dlcheck new`; `dlcheck show` printing given data."""
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT

SHARED_TOOLS = ROOT.parent / "shared" / "tools"
NUMBERS = "set: islr-cnn-hw\nanswers:\n  p3: {probability: 0.3775, hours: 50}\n"


def dlcheck(*args, stdin=None, env=None, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "dlcheck", *args], input=stdin, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, cwd=cwd)


# -- version, help, completion ----------------------------------------------------------------
def test_version_prints_the_package_version():
    from dlcheck import __version__

    for flag in ("--version", "-V"):
        run = dlcheck(flag)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == f"dlcheck {__version__}"


def test_short_help_is_the_long_help():
    long, short = dlcheck("--help"), dlcheck("-h")
    assert long.returncode == short.returncode == 0
    assert short.stdout == long.stdout and "Commands" in short.stdout
    grade_long, grade_short = dlcheck("grade", "--help"), dlcheck("grade", "-h")
    assert grade_short.returncode == 0 and grade_short.stdout == grade_long.stdout
    assert "standard input" in grade_short.stdout
    assert dlcheck("review", "-h").returncode == 0


def test_shell_completion_is_offered():
    assert "--install-completion" in dlcheck("--help").stdout
    run = dlcheck("--show-completion", "bash")
    assert run.returncode == 0, run.stderr
    assert "complete" in run.stdout and "dlcheck" in run.stdout


# -- grade - ------------------------------------------------------------------------------------
def test_grade_reads_the_submission_from_stdin():
    run = dlcheck("grade", "-", "--format", "json", stdin=NUMBERS)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["submission"] == "<stdin>"
    verdicts = {r["part"]: r["verdict"] for r in report["results"] if r["problem"] == "islr-cnn-hw/p3"}
    assert verdicts == {"probability": "correct", "hours": "correct"}


def test_stdin_that_is_not_a_submission_is_a_clear_error():
    for text, words in (("- just a list\n", "top level is a list"), ("answers: [", "YAML syntax error"),
                        ("", "empty")):
        run = dlcheck("grade", "-", stdin=text)
        assert run.returncode == 2, (text, run.stdout, run.stderr)
        assert "<stdin>" in run.stderr and words in run.stderr and "Traceback" not in run.stderr


def test_stdin_bytes_that_are_not_utf8_are_refused():
    run = subprocess.run([sys.executable, "-m", "dlcheck", "grade", "-"], input=b"answers: {p3: \xff}\n",
                         capture_output=True, cwd=ROOT)
    assert run.returncode == 2 and b"not UTF-8" in run.stderr and b"Traceback" not in run.stderr


def test_stdin_over_the_size_limit_is_refused():
    from dlcheck.yamlsrc import MAX_FILE_BYTES

    big = "answers:\n  p3: 1\n" + "#" * MAX_FILE_BYTES + "\n"
    run = dlcheck("grade", "-", stdin=big)
    assert run.returncode == 2 and "<stdin>" in run.stderr and "limit" in run.stderr


# -- colour -------------------------------------------------------------------------------------
_COLOUR = re.compile(r"\x1b\[[0-9;]*(?:3[0-9]|9[0-7]|38;)[0-9;]*m")


def test_no_color_is_honoured(tmp_path):
    submission = tmp_path / "numbers.yaml"
    submission.write_text(NUMBERS.replace("50", "40"))      # one wrong part: red and green both drawn
    forced = dlcheck("grade", str(submission), env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert forced.returncode == 0, forced.stderr
    assert _COLOUR.search(forced.stdout), "FORCE_COLOR alone should colour the report"
    plain = dlcheck("grade", str(submission), env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert plain.returncode == 0, plain.stderr
    assert "incorrect" in plain.stdout and not _COLOUR.search(plain.stdout)


# -- JSON outputs -------------------------------------------------------------------------------
def test_every_json_output_has_a_schema_version(tmp_path):
    from dlcheck.report.json_report import SCHEMA_VERSION

    submission = tmp_path / "numbers.yaml"
    submission.write_text(NUMBERS)
    for args in (("grade", str(submission), "--format", "json"), ("solve", "islr-cnn-hw/p3", "--format", "json"),
                 ("equiv", "x*(x+1)", "x^2+x", "--format", "json")):
        run = dlcheck(*args)
        assert run.returncode == 0, (args, run.stderr)
        data = json.loads(run.stdout)
        assert data["schema_version"] == SCHEMA_VERSION == 1, args
        assert next(iter(data)) == "schema_version"
    for folder in ("old", "new"):                       # two (empty) `dlcheck batch` outputs
        (tmp_path / folder / "results").mkdir(parents=True)
    run = dlcheck("diff", str(tmp_path / "old"), str(tmp_path / "new"), "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"schema_version": SCHEMA_VERSION, "changed": [], "only_old": [],
                                      "only_new": [], "unchanged": 0}


@pytest.mark.skipif(not (SHARED_TOOLS / "check_report.py").exists(), reason="the shared report checker is absent")
def test_the_shared_report_checker_still_passes(tmp_path):
    submission = tmp_path / "numbers.yaml"
    submission.write_text(NUMBERS)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for args in (("grade", str(submission)), ("solve", "islr-cnn-hw/p3")):
        run = subprocess.run([sys.executable, str(SHARED_TOOLS / "check_report.py"), *args], capture_output=True,
                             text=True, env=env, cwd=ROOT)
        assert run.returncode == 0, run.stdout + run.stderr


def test_mpmath_is_declared():
    try:
        import tomllib
    except ImportError:                     # Python 3.10
        tomllib = pytest.importorskip("tomli")
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower() for d in declared}
    imported = {"mpmath"} if any("import mpmath" in p.read_text() for p in (ROOT / "dlcheck").rglob("*.py")) else set()
    assert imported <= names and "mpmath" in names


# -- new, check, show ---------------------------------------------------------------------------
@pytest.fixture()
def course(tmp_path):
    """An empty course bank of its own (DLCHECK_PROBLEMS) with its own cache and no answers."""
    (tmp_path / "problems").mkdir()
    (tmp_path / "answers").mkdir()
    return tmp_path, {"DLCHECK_PROBLEMS": str(tmp_path / "problems"), "DLCHECK_CACHE_DIR": str(tmp_path / "cache")}


def test_check_fails_a_problem_without_a_solver(course):
    root, env = course
    folder = root / "problems" / "demo"
    folder.mkdir()
    (folder / "q1.yaml").write_text("title: Count\nstatement: How many?\nparts:\n  n: {kind: integer}\n"
                                    "  why: {kind: text}\n")
    run = dlcheck("check", "--answers", str(root / "answers"), env=env)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "demo/q1" in run.stdout and "no reference derived for n" in run.stdout and "no solver" in run.stdout
    assert "0 of 1 checks passed" in run.stdout


def test_check_fails_a_solver_that_derives_too_little(course, bank):
    from dlcheck.bank import Bank
    from dlcheck.selfcheck import run as run_checks

    root, _ = course
    folder = root / "problems" / "demo"
    folder.mkdir()
    (folder / "q1.yaml").write_text("title: Count\nstatement: How many?\nparts:\n  a: {kind: integer}\n"
                                    "  b: {kind: integer}\n")
    (folder / "q1.py").write_text("from dlcheck.reference import Reference\n\n\n"
                                  "def solve(given):\n    return {'a': Reference(3, ['1 + 2'])}\n")
    rows = run_checks(Bank(root / "problems"), root / "answers", use_cache=False)
    assert [(r.name, r.ok) for r in rows] == [("demo/q1", False)]
    assert "no reference derived for b" in rows[0].detail and "returns no Reference" in rows[0].detail


def test_new_writes_a_spec_a_solver_and_a_test_that_check_rejects_until_filled_in(course):
    root, env = course
    run = dlcheck("new", "demo/1a", env=env)
    assert run.returncode == 0, run.stderr
    folder = root / "problems" / "demo"
    spec, solver, test = folder / "1a.yaml", folder / "1a.py", folder / "tests" / "test_demo_1a.py"
    assert spec.exists() and solver.exists() and test.exists()
    assert "yaml-language-server: $schema=" in spec.read_text()
    schema_ref = spec.read_text().split("$schema=", 1)[1].split()[0]
    assert (folder / schema_ref).resolve() == (ROOT / "docs" / "schemas" / "spec.schema.json").resolve()

    # the fresh problem loads and shows, and `check` fails on it, naming it
    shown = dlcheck("show", "demo/1a", env=env)
    assert shown.returncode == 0 and "given" in shown.stdout and "filters: 8" in shown.stdout
    checked = dlcheck("check", "--answers", str(root / "answers"), env=env)
    assert checked.returncode == 1 and "demo/1a" in checked.stdout and "no reference derived for answer" in checked.stdout

    # so does its test, until the solver is written ...
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
                           capture_output=True, text=True, cwd=root, env={**os.environ, **env})
    assert tests.returncode == 1 and "2 failed" in tests.stdout, tests.stdout[-2000:]

    # ... and once solve() and the independent check are written, both pass
    solver.write_text(textwrap.dedent('''\
        from dlcheck.reference import Reference


        def solve(given):
            f, k, c = given["filters"], given["kernel"], given["in_channels"]
            weights = f * k * k * c
            return {"answer": Reference(weights + f, [f"{f}·{k}·{k}·{c} weights + {f} biases"],
                                        rules={"no_bias": weights})}
        '''))
    test.write_text(test.read_text().replace("independent = None ", "independent = given['filters'] * "
                                             "(given['kernel'] ** 2 * given['in_channels'] + 1) "))
    checked = dlcheck("check", "--answers", str(root / "answers"), env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "1 of 1 checks passed" in checked.stdout
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
                           capture_output=True, text=True, cwd=root, env={**os.environ, **env})
    assert tests.returncode == 0, tests.stdout[-2000:]


def test_new_refuses_bad_names_and_never_overwrites(course):
    root, env = course
    for bad in ("q1", "demo/", "../x/q1", "demo/.hidden", "demo/q1.yaml", "demo/a b"):
        run = dlcheck("new", bad, env=env)
        assert run.returncode == 2, (bad, run.stderr)
        assert "Traceback" not in run.stderr and run.stderr.startswith("dlcheck: ")
    assert dlcheck("new", "demo/q1", env=env).returncode == 0
    before = (root / "problems" / "demo" / "q1.py").read_text()
    again = dlcheck("new", "demo/q1", env=env)
    assert again.returncode == 2 and "already exist" in again.stderr and "nothing written" in again.stderr
    assert (root / "problems" / "demo" / "q1.py").read_text() == before
    assert not list((root / "problems").glob("x*"))


def test_show_prints_the_given_data():
    run = dlcheck("show", "csc413-a2/3.1")
    assert run.returncode == 0, run.stderr
    lines = [line.strip() for line in run.stdout.splitlines()]
    assert "image (5×5):" in lines and "filter (3×3):" in lines
    image = lines[lines.index("image (5×5):") + 1: lines.index("image (5×5):") + 6]
    assert image == ["[0 0 0 0 0]", "[0 0 1 1 1]", "[1 1 1 1 0]", "[0 1 1 1 0]", "[0 0 1 0 0]"]
    assert lines[lines.index("filter (3×3):") + 2] == "[-1  5 -1]"


def test_given_lines_cut_long_data():
    from dlcheck.report.given import MAX_ROWS, given_lines

    lines = given_lines({"big": [[i, i] for i in range(MAX_ROWS + 5)], "args": {"k": 3, "sizes": [1, 2]},
                         "text": "a\nb", "long": list(range(1000))})
    assert lines[0] == "  big (29×2):" and "    … 5 more rows" in lines
    assert "  args:" in lines and "    k: 3" in lines and "    sizes: [1, 2]" in lines
    assert "  text: a b" in lines
    assert any(line.startswith("  long: [0, 1") and "characters)" in line for line in lines)


def test_show_lists_the_symbols_an_expression_answer_may_use():
    run = dlcheck("show", "csc413-a2/2.3.2")
    assert run.returncode == 0, run.stderr
    lines = [line.strip() for line in run.stdout.splitlines()]
    assert "X: n×d matrix" in lines and "w_0: d vector" in lines and "eta: scalar, positive" in lines
    assert "a = X w_0 - t" in lines
    assert "symbols" not in dlcheck("show", "dl-principles/3b").stdout     # no formulas, no symbol list


def test_new_goes_to_the_sets_own_bank_or_the_first_one(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    (second / "demo").mkdir(parents=True)
    first.mkdir()
    (second / "demo" / "q1.yaml").write_text("title: t\nstatement: s\nparts:\n  why: {kind: text}\n")
    env = {"DLCHECK_PROBLEMS": os.pathsep.join(map(str, (first, second))), "DLCHECK_CACHE_DIR": str(tmp_path / "c")}
    assert dlcheck("new", "demo/q2", env=env).returncode == 0
    assert (second / "demo" / "q2.yaml").exists() and not (first / "demo").exists()    # beside q1
    assert dlcheck("new", "fresh/q1", env=env).returncode == 0
    assert (first / "fresh" / "q1.yaml").exists()                                        # a new set: the first bank
    course = tmp_path / "course"
    course.mkdir()
    assert dlcheck("--bank", str(course), "new", "mine/1", env=env).returncode == 0
    assert (course / "mine" / "1.py").exists() and (course / "mine" / "tests" / "test_mine_1.py").exists()
