import os
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    """Every test run gets its own reference cache, shared across tests
    (solvers run once per session), never the user's."""
    path = tmp_path_factory.mktemp("cache")
    old = os.environ.get("DLCHECK_CACHE_DIR")
    os.environ["DLCHECK_CACHE_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("DLCHECK_CACHE_DIR", None)
    else:
        os.environ["DLCHECK_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def bank():
    from dlcheck.bank import Bank

    return Bank()


@pytest.fixture(scope="session")
def refs(bank):
    """Run a problem's solver once per test session: refs("csc413-a2/3.2")["cnn_params"]."""
    from dlcheck.reference import run_solver

    cache = {}

    def get(pid):
        if pid not in cache:
            cache[pid] = run_solver(bank.problem(pid), bank)
        return cache[pid]
    return get


@pytest.fixture()
def write_yaml(tmp_path):
    """Write dedented YAML text to a file and return its path."""
    def write(text: str, name: str = "submission.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path
    return write


@pytest.fixture()
def grade_yaml(write_yaml, bank):
    """Grade YAML text as a submission; returns the Report."""
    from dlcheck.grade import Grader
    from dlcheck.submission import load_submission

    def grade(text: str):
        return Grader(bank).grade(load_submission(write_yaml(text), bank))
    return grade


def read(kind, raw, **spec):
    """An answer as a part of `kind` (with the spec's options) reads it: a value or Invalid."""
    from dlcheck import kinds
    from dlcheck.spec import PartSpec

    return kinds.parse(kind, raw, PartSpec("p", kind, **spec))


def judge(kind, expected, raw, **spec):
    """Read `raw` as such a part and compare it with `expected`: an Outcome, or Invalid."""
    from dlcheck import kinds
    from dlcheck.spec import PartSpec
    from dlcheck.verdict import Invalid

    part = PartSpec("p", kind, **spec)
    value = kinds.parse(kind, raw, part)
    if isinstance(value, Invalid):
        return value
    return kinds.module(kind).compare(expected, value, part)


def verdicts(report) -> dict:
    return {f"{r.problem.split('/', 1)[1]}/{r.part}": r.verdict for r in report.results}


def course(set_name: str, module: str):
    """A problem set's own helper module (problems/<set>/_lib/<module>.py), as its solvers import it."""
    import importlib

    from dlcheck.bank import Bank

    return importlib.import_module(f"{Bank().set_package(set_name)}._lib.{module}")


def toy_bank(root, monkeypatch, spec: str, solver: str):
    """A course bank of one set `toy` with one problem q1 (its spec and solver), made the bank
    that dlcheck uses (DLCHECK_PROBLEMS); returns the bank's folder."""
    folder = root / "bank" / "toy"
    folder.mkdir(parents=True)
    (folder / "q1.yaml").write_text(spec, encoding="utf-8")
    (folder / "q1.py").write_text(solver, encoding="utf-8")
    monkeypatch.setenv("DLCHECK_PROBLEMS", str(folder.parent))
    return folder.parent
