"""The command line through typer's CliRunner: output, JSON contract, exit codes."""
import json

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from dlcheck.cli import app
from dlcheck.verdict import VERDICTS

runner = CliRunner()
CHATGPT = str(ROOT / "answers/csc413-a2/chatgpt-reviewed.yaml")


def run(*args):
    return runner.invoke(app, list(args))


def test_help_lists_the_commands():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("list", "show", "solve", "grade"):
        assert command in result.stdout


def test_list_and_show():
    listing = run("list", "csc413-a2")
    assert listing.exit_code == 0 and "min_norm_solution (vector)" in listing.stdout
    assert run("list").exit_code == 0
    unknown = run("list", "csc413")
    assert unknown.exit_code == 2 and "did you mean 'csc413-a2'" in unknown.stderr
    shown = run("show", "csc413-a2/3.3")
    assert shown.exit_code == 0 and "rubric for factors" in shown.stdout


def test_solve_json_contract():
    result = run("solve", "csc413-a2/3.2", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["problem"] == "csc413-a2/3.2"
    assert data["parts"]["cnn_params"]["value"] == 21024
    assert all(isinstance(p["steps"], list) and p["steps"] for p in data["parts"].values())


def test_solve_rich_shows_steps():
    result = run("solve", "3.1")
    assert result.exit_code == 0 and "zero-pad I by 1" in result.stdout


def test_solve_unknown_problem():
    result = run("solve", "csc413-a2/9.9")
    assert result.exit_code == 2 and "unknown problem" in result.stderr and "Traceback" not in result.output


def test_grade_json_contract():
    result = run("grade", CHATGPT, "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    for key in ("submission", "author", "score", "max_score", "results", "critiques", "errors"):
        assert key in report
    for r in report["results"]:
        assert {"problem", "part", "verdict", "score", "max_score", "expected", "got", "feedback"} <= set(r)
        assert r["verdict"] in VERDICTS and "/" in r["problem"]
    for c in report["critiques"]:
        assert isinstance(c["critique_right"], bool)
    flagged = {c["problem"]: c for c in report["critiques"]}
    assert flagged["csc413-a2/1.2.1"]["critique_answer_verdict"] == "incorrect"
    assert flagged["csc413-a2/2.1.2"]["critique_right"] is False


def test_grade_rich_flags_the_critiques():
    result = run("grade", CHATGPT)
    assert result.exit_code == 0
    assert "the reviewer's own answer is wrong too: min_norm_solution = [2, 1]" in result.stdout
    assert "the reviewer called a partly wrong answer correct" in result.stdout
    assert "Score" in result.stdout


def test_fail_under_exit_code():
    assert run("grade", CHATGPT, "--fail-under", "100").exit_code == 3
    assert run("grade", CHATGPT, "--fail-under", "1").exit_code == 0


@pytest.mark.parametrize("text, words", [
    ("answers: [\n", "YAML syntax error"), ("- 1\n", "top level is a list"), ("{}\n", "no 'answers'"),
])
def test_unreadable_submissions_exit_2(tmp_path, text, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    for fmt in ("rich", "json"):
        result = run("grade", str(path), "--format", fmt)
        assert result.exit_code == 2 and words in result.stderr
        assert "Traceback" not in result.output and result.stdout == ""


def test_missing_file_exit_2(tmp_path):
    result = run("grade", str(tmp_path / "none.yaml"))
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_errors_inside_a_file_are_reported_not_fatal(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("set: csc413-a2\nanswers:\n  9.9: 1\n  3.1: {padding: 1, outptu: 1}\n")
    result = run("grade", str(path), "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert {e["key"] for e in report["errors"]} == {"9.9", "csc413-a2/3.1/outptu"}
    assert next(e for e in report["errors"] if e["key"] == "9.9")["line"] == 3
    assert any(r["part"] == "padding" and r["verdict"] == "correct" for r in report["results"])


def test_check_passes_on_the_bundled_bank():
    result = run("check")
    assert result.exit_code == 0, result.stdout[-3000:]
    assert "checks passed" in result.stdout and "✗" not in result.stdout


def test_check_fails_on_a_wrong_expectation(tmp_path):
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "a.yaml").write_text("set: csc413-a2\nanswers:\n  3.1: {padding: 1}\n")
    (answers / "a.expected.yaml").write_text("results:\n  3.1/padding: incorrect\ncritiques: {}\n")
    result = run("check", "--answers", str(answers))
    assert result.exit_code == 1 and "✗" in result.stdout
    from dlcheck import selfcheck
    from dlcheck.bank import Bank

    row = selfcheck.run(Bank(), answers)[-1]
    assert not row.ok and "3.1/padding: expected incorrect, got correct" in row.detail
