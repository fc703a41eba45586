"""Shipped references (dlcheck/lockfile.py): each bundled set's references.lock.json serves a
first grade without running a solver (no torch, no sympy); `dlcheck check` fails a lock that
is stale or hand-edited, naming the problem, and `--update` rewrites it; a course bank without
a lock derives as before. (That the bundled locks hold what the solvers derive now is
test_cli.py's test_check_passes_on_the_bundled_bank.)"""
import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT

from dlcheck import lockfile, reference
from dlcheck.bank import Bank
from dlcheck.errors import SolverError
from dlcheck.selfcheck import run as run_checks

SET = "islr-cnn-hw"
KEEP = ("p3", "p6")          # solvers needing neither torch nor sympy: fast to derive afresh


@pytest.fixture()
def course_copy(tmp_path, monkeypatch):
    """Two problems of a bundled set copied into a bank of their own, with their lock entries
    (each entry is sealed on its own), and a cache of their own."""
    folder = tmp_path / "problems" / SET
    folder.mkdir(parents=True)
    for qid in KEEP:
        for suffix in (".yaml", ".py"):
            shutil.copy(ROOT / "problems" / SET / f"{qid}{suffix}", folder)
    shipped = json.loads((ROOT / "problems" / SET / lockfile.LOCK_NAME).read_text(encoding="utf-8"))
    shipped["problems"] = {q: e for q, e in shipped["problems"].items() if q in KEEP}
    (folder / lockfile.LOCK_NAME).write_text(json.dumps(shipped, indent=1), encoding="utf-8")
    (tmp_path / "answers").mkdir()
    monkeypatch.setenv("DLCHECK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def checks(root, **kw):
    return run_checks(Bank(root / "problems"), root / "answers", **kw)


def lock_failures(rows):
    return [r for r in rows if r.what == "lock" and not r.ok]


def test_the_lock_serves_references_without_running_a_solver(course_copy, monkeypatch):
    def no_solver(problem, bank):
        raise SolverError(f"{problem.full_id}: a solver ran")

    monkeypatch.setattr(reference, "run_solver", no_solver)
    bank = Bank(course_copy / "problems")
    refs = reference.references(bank.problem(f"{SET}/p3"), bank)
    assert refs["hours"].value == pytest.approx(50) and refs["probability"].rules["other_coefficients"]
    # afresh (--no-cache) means from the solver, never from the lock
    with pytest.raises(SolverError, match="a solver ran"):
        reference.references(bank.problem(f"{SET}/p3"), bank, use_cache=False)


def test_a_first_grade_of_numbers_and_formulas_imports_neither_torch_nor_sympy(tmp_path):
    submission = tmp_path / "numbers.yaml"
    submission.write_text(textwrap.dedent(r"""
        set: csc413-a2
        answers:
          1.2.1: {min_norm_solution: [4/5, 2/5], always_min_norm: false}
          2.2.3:
            eta: \frac{n}{2} \frac{\|\mathbf{X}^T \mathbf{a}\|_2^2}{\|\mathbf{X} \mathbf{X}^T \mathbf{a}\|_2^2}
          2.3.2: \tilde{\lambda} = \frac{\lambda}{2\eta}
          3.1: {padding: 1}
          3.2: {cnn_params: 1}
    """), encoding="utf-8")
    code = textwrap.dedent(f"""
        import sys
        sys.modules['torch'] = None                      # as installed without the [torch] extra
        from dlcheck.cli import main
        sys.argv = ['dlcheck', 'grade', {str(submission)!r}, '--format', 'json']
        try:
            main()
        except SystemExit:
            pass
        sys.stderr.write('HEAVY ' + ' '.join(m for m in ('torch', 'sympy') if sys.modules.get(m)) + '\\n')
    """)
    env = {**os.environ, "DLCHECK_CACHE_DIR": str(tmp_path / "empty-cache"), "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                            timeout=600)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "HEAVY", result.stderr
    verdicts = {f"{r['problem'].split('/')[1]}/{r['part']}": r["verdict"] for r in json.loads(result.stdout)["results"]}
    assert {k: verdicts[k] for k in ("1.2.1/min_norm_solution", "2.2.3/eta", "2.3.2/lambda_tilde", "3.1/padding",
                                     "3.2/cnn_params")} == {"1.2.1/min_norm_solution": "correct", "2.2.3/eta": "correct",
                                                            "2.3.2/lambda_tilde": "correct", "3.1/padding": "correct",
                                                            "3.2/cnn_params": "incorrect"}


def test_check_passes_a_current_lock_and_fails_a_stale_one_until_updated(course_copy):
    rows = checks(course_copy)
    assert all(r.ok for r in rows), [r for r in rows if not r.ok]
    assert [r.detail for r in rows if r.what == "lock"] == ["2 problems' references as their solvers derive them"]

    spec = course_copy / "problems" / SET / "p3.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("hours: 40", "hours: 41"), encoding="utf-8")
    failed = lock_failures(checks(course_copy))
    assert [r.name for r in failed] == [f"{SET}/p3"]
    assert "stale: the spec changed" in failed[0].detail and "dlcheck check --update" in failed[0].detail
    # until then a grade derives p3 from its solver: the stale entry is never served
    bank = Bank(course_copy / "problems")
    assert reference.references(bank.problem(f"{SET}/p3"), bank, use_cache=True)["hours"].value == pytest.approx(50)

    updated = checks(course_copy, update=True)
    assert all(r.ok for r in updated) and any("written" in r.detail for r in updated if r.what == "lock")
    assert all(r.ok for r in checks(course_copy))
    entry = json.loads((course_copy / "problems" / SET / lockfile.LOCK_NAME).read_text())["problems"]["p3"]
    assert entry["parts"]["probability"]["steps"][0].startswith("β0 + β1·41")


def test_check_fails_a_hand_edited_lock_and_one_that_differs_from_a_fresh_derivation(course_copy):
    path = course_copy / "problems" / SET / lockfile.LOCK_NAME
    shipped = json.loads(path.read_text(encoding="utf-8"))
    edited = json.loads(json.dumps(shipped))
    edited["problems"]["p3"]["parts"]["hours"]["value"] = 40.0
    path.write_text(json.dumps(edited), encoding="utf-8")
    failed = lock_failures(checks(course_copy))
    assert [r.name for r in failed] == [f"{SET}/p3"] and "hand-edited" in failed[0].detail
    bank = Bank(course_copy / "problems")               # a grade never serves the edited value
    assert reference.references(bank.problem(f"{SET}/p3"), bank)["hours"].value == pytest.approx(50)

    # sealed again (as an engine change would leave it: same sources, other values): the
    # fresh derivation in `dlcheck check` is what catches it
    entry = edited["problems"]["p3"]
    entry["sha256"] = lockfile.seal(entry)
    path.write_text(json.dumps(edited), encoding="utf-8")
    failed = lock_failures(checks(course_copy, use_cache=False))
    assert [r.name for r in failed] == [f"{SET}/p3"]
    assert "differ from a fresh derivation" in failed[0].detail and "hours/value" in failed[0].detail


def test_check_names_a_problem_missing_from_the_lock_and_one_locked_but_gone(course_copy):
    path = course_copy / "problems" / SET / lockfile.LOCK_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    data["problems"]["p99"] = data["problems"].pop("p6")
    path.write_text(json.dumps(data), encoding="utf-8")
    failed = {r.name: r.detail for r in lock_failures(checks(course_copy))}
    assert set(failed) == {f"{SET}/p6", f"{SET}/p99"}
    assert "not in references.lock.json" in failed[f"{SET}/p6"] and "no such problem" in failed[f"{SET}/p99"]


def test_a_course_bank_without_a_lock_derives_as_before(course_copy):
    (course_copy / "problems" / SET / lockfile.LOCK_NAME).unlink()
    rows = checks(course_copy)
    assert all(r.ok for r in rows) and not [r for r in rows if r.what == "lock"]
    bank = Bank(course_copy / "problems")
    assert lockfile.locked_parts(bank.problem(f"{SET}/p3")) is None
    assert reference.references(bank.problem(f"{SET}/p3"), bank)["hours"].value == pytest.approx(50)


def test_every_bundled_set_ships_a_lock_and_the_wheel_carries_it():
    for folder in sorted(p for p in (ROOT / "problems").iterdir() if p.is_dir() and any(p.glob("*.yaml"))):
        assert lockfile.load(folder) is not None, f"{folder.name}: no {lockfile.LOCK_NAME}"
        pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
        assert f'"problems/{folder.name}/{lockfile.LOCK_NAME}"' in pyproject, folder.name
