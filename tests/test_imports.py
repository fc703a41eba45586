"""`dlcheck --help` and grading plain numbers with a warm cache import neither
torch nor sympy (checked with -X importtime, as PYTHONPROFILEIMPORTTIME does)."""
import os
import subprocess
import sys

from conftest import ROOT

HEAVY = ("torch", "sympy")


def imported_modules(args, env) -> set:
    env = dict(env, PYTHONPROFILEIMPORTTIME="1")
    run = subprocess.run([sys.executable, "-m", "dlcheck", *args],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    names = set()
    for line in run.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_help_is_light():
    names = imported_modules(["--help"], dict(os.environ))
    assert names and not names & set(HEAVY)


def test_warm_grade_of_numbers_and_labels_is_light(tmp_path):
    submission = tmp_path / "numbers.yaml"
    submission.write_text("set: csc413-a2\nanswers:\n  3.1:\n    padding: 1\n"
                          "  3.2: {cnn_neurons: 61632, cnn_params: '21,024'}\n"
                          "  '1.2.1': {min_norm_solution: [0.8, 0.4], always_min_norm: no}\n"
                          "  '2.1.2': {forward: O(1), backward: O(t)}\n")
    env = dict(os.environ, DLCHECK_CACHE_DIR=str(tmp_path / "cache"))
    cold = imported_modules(["grade", str(submission)], env)
    assert "torch" not in cold  # the shipped lock serves the references: no solver runs, even cold ...
    warm = imported_modules(["grade", str(submission)], env)
    assert not warm & set(HEAVY), warm & set(HEAVY)  # ... and the cache serves the rest
    no_lock = dict(env, DLCHECK_CACHE_DIR=str(tmp_path / "cache-without-lock"))
    derived = imported_modules(["grade", "--no-cache", str(submission)], no_lock)
    assert "torch" in derived   # without the lock (and the cache) the solvers run, with torch


def test_warm_grade_of_derivations_is_light(tmp_path):
    """Symbolic comparisons are stored with the references: a second grade of the
    same answers (formulas included) needs neither sympy nor torch."""
    env = dict(os.environ, DLCHECK_CACHE_DIR=str(tmp_path / "cache"))
    student = str(ROOT / "answers/csc413-a2/student.yaml")
    imported_modules(["grade", student], env)
    warm = imported_modules(["grade", student], env)
    assert not warm & set(HEAVY), warm & set(HEAVY)
