"""One module owns the paths (layout.py): the bank, the bundled answers, the cache, data sets."""
from pathlib import Path

import pytest

from conftest import ROOT
from dlcheck import cache, layout
from dlcheck.bank import Bank, default_root
from dlcheck.training import data


def test_the_bank_is_the_projects_unless_the_environment_names_another(monkeypatch, tmp_path):
    monkeypatch.delenv(layout.PROBLEMS_ENV, raising=False)
    assert layout.bank_root() == default_root() == ROOT / "problems"
    monkeypatch.setenv(layout.PROBLEMS_ENV, str(tmp_path))
    assert Bank().root == tmp_path and layout.answers_root(tmp_path) == tmp_path.parent / "answers"


def test_data_sets_come_from_the_option_then_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(layout.DATA_ENV, raising=False)
    assert data.data_dir() is None
    monkeypatch.setenv(layout.DATA_ENV, str(tmp_path / "env"))
    assert data.data_dir() == tmp_path / "env"
    assert data.data_dir(str(tmp_path / "given")) == tmp_path / "given"


def test_the_cache_is_where_the_layout_says(monkeypatch, tmp_path):
    monkeypatch.setenv(layout.CACHE_ENV, str(tmp_path / "c"))
    assert cache.cache_dir() == layout.cache_dir() == Path(tmp_path / "c")


def _course_bank(folder: Path, set_name: str = "mycourse") -> Path:
    (folder / set_name).mkdir(parents=True)
    (folder / set_name / "q1.yaml").write_text(
        "title: doubling\nstatement: what is 2 × 21?\nparts:\n  answer: {kind: integer}\n", encoding="utf-8")
    (folder / set_name / "q1.py").write_text(
        "from dlcheck.reference import Reference\n\n\ndef solve(given):\n"
        "    return {'answer': Reference(2 * 21, ['2 × 21 = 42'])}\n", encoding="utf-8")
    return folder


def test_several_banks_from_the_environment(monkeypatch, tmp_path):
    import os

    course = _course_bank(tmp_path / "course")
    monkeypatch.setenv(layout.PROBLEMS_ENV, os.pathsep.join([str(course), str(ROOT / "problems")]))
    bank = Bank()
    assert bank.sets()[0] == "mycourse" and "csc413-a2" in bank.sets()
    assert bank.set_dir("csc413-a2") == ROOT / "problems" / "csc413-a2"
    assert bank.problem("mycourse/q1").title == "doubling"


def test_a_set_in_two_banks_is_an_error_naming_both(monkeypatch, tmp_path):
    import os

    import pytest

    from dlcheck.errors import SpecError

    one, two = _course_bank(tmp_path / "one"), _course_bank(tmp_path / "two")
    monkeypatch.setenv(layout.PROBLEMS_ENV, os.pathsep.join([str(one), str(two)]))
    with pytest.raises(SpecError, match=r"'mycourse' is in two banks: .*one/mycourse and .*two/mycourse"):
        Bank().sets()


def test_cli_bank_option_adds_a_course_bank_to_the_bundled_one(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from dlcheck.cli import app

    monkeypatch.delenv(layout.PROBLEMS_ENV, raising=False)
    course = _course_bank(tmp_path / "course")
    answer = tmp_path / "answer.yaml"
    answer.write_text("set: mycourse\nanswers:\n  q1: 42\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--bank", str(course), "grade", str(answer), "--format", "json",
                                      "--no-cache"])
    assert result.exit_code == 0, result.output
    assert '"verdict": "correct"' in result.output
    listed = CliRunner().invoke(app, ["--bank", str(course), "list"])
    assert "mycourse" in listed.output and "csc413-a2" in listed.output


def test_without_a_posix_sandbox_code_is_never_run_and_waits_for_review(monkeypatch):
    """Windows: `import dlcheck` works (no `resource` needed at import), numbers grade as
    anywhere, and code answers are left for review with the reason, never run in-process."""
    from dlcheck import sandbox
    from dlcheck.claims.run import train_in_sandbox
    from dlcheck.kinds import code

    monkeypatch.setattr("dlcheck.sandbox.box.supported", lambda: False)
    monkeypatch.setattr("dlcheck.sandbox.box.shared", lambda *a, **k: pytest.fail("a sandbox was started"))
    assert sandbox.mode() == "unavailable"
    outcome = code.compare({"constraints": {}, "input": [1, 3]}, "import os; os.system('true')", None)
    assert outcome.verdict == "review" and "needs Linux or macOS" in outcome.feedback
    result = train_in_sandbox({"budget_s": 10}, "/nonexistent")
    assert result["missing"].startswith("re-training runs only in dlcheck's sandbox") and result["transient"]
