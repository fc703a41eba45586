"""The course workflow after a batch (issue 17): humans score the parts dlcheck leaves for
review (`dlcheck review export|import`), grades reach the LMS (`dlcheck export --lms`), and
a Gradescope autograder grades one upload for its student (`dlcheck autograder`).

Everything runs on a toy bank (DLCHECK_PROBLEMS): one problem with a number (1 point) and a
free-text part with a two-item rubric (2 points once a human scores it)."""
import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import toy_bank
from dlcheck import classbook
from dlcheck.cli import app

runner = CliRunner()

SPEC = """title: toy q1
statement: Give the number of weights and say why.
given: {n: 608}
parts:
  n: {kind: integer}
  why: {kind: text, rubric: ["names the layer", "counts the weights"]}
"""
SOLVER = '''
from dlcheck.reference import Reference


def solve(given):
    return {"n": Reference(given["n"], ["n as given"])}
'''
STUDENTS = {
    "ada": 'set: toy\nauthor: ada\nanswers:\n  q1:\n    n: 608\n    why: "the conv layer has 608 weights"\n',
    "bo": 'set: toy\nauthor: bo\nanswers:\n  q1:\n    n: 600\n    why: "=HYPERLINK(\\"http://x\\")"\n',
    "cy": "set: toy\nauthor: cy\nanswers:\n  q1: {n: 608}\n",
}


@pytest.fixture()
def bank_dir(tmp_path, monkeypatch):
    return toy_bank(tmp_path, monkeypatch, SPEC, SOLVER)


@pytest.fixture()
def graded(tmp_path, bank_dir):
    """The class graded into OUT (every format)."""
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    for name, text in STUDENTS.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["batch", str(folder), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return folder, out


def invoke(*args, code: int = 0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def read_csv(path: Path) -> list:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, rows: list) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def gradebook(out: Path) -> dict:
    return {row["author"]: row for row in read_csv(out / "gradebook.csv")}


def scored(tmp_path, out, scores: dict) -> Path:
    """Export the review CSV and fill in {author: (score, comment)}."""
    sheet = tmp_path / "review.csv"
    invoke("review", "export", out, "--to", sheet)
    rows = read_csv(sheet)
    for row in rows:
        row["score"], row["comment"] = scores.get(row["author"], ("", ""))
    write_csv(sheet, rows)
    return sheet


# -- humans score what dlcheck leaves for review ---------------------------------------------------
def test_review_export_lists_each_part_awaiting_a_human(graded, tmp_path):
    _, out = graded
    sheet = tmp_path / "review.csv"
    result = invoke("review", "export", out, "--to", sheet)
    assert "2 parts for review" in result.output
    rows = read_csv(sheet)
    assert [(r["author"], r["part"], r["status"], r["max_score"]) for r in rows] == [
        ("ada", "toy/q1/why", "new", "2"), ("bo", "toy/q1/why", "new", "2")]
    assert rows[0]["rubric"] == "• names the layer\n• counts the weights"
    assert rows[0]["answer"] == "the conv layer has 608 weights"
    assert rows[1]["answer"] == "'=HYPERLINK(\"http://x\")"           # inert in a spreadsheet
    assert gradebook(out)["ada"]["toy/q1/why"] == "review"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["parts"]["toy/q1/why"]["share_correct"] is None        # nothing decided: no share yet


def test_review_round_trip_reaches_every_output(graded, tmp_path):
    _, out = graded
    sheet = scored(tmp_path, out, {"ada": ("2", "names both"), "bo": ("0.5", "a link is not an answer")})
    result = invoke("review", "import", sheet, out)
    assert "2 scores stored" in result.output
    book = gradebook(out)
    assert (book["ada"]["toy/q1/why"], book["ada"]["score"], book["ada"]["max_score"]) == ("2 (human)", "3", "3")
    assert (book["bo"]["toy/q1/why"], book["bo"]["score"]) == ("0.5 (human)", "0.5")
    assert book["cy"]["max_score"] == "3"             # not answered: 0 of the part's human scale
    gradescope = json.loads(next((out / "gradescope").glob("bo-*/results.json")).read_text(encoding="utf-8"))
    why = next(t for t in gradescope["tests"] if t["name"] == "toy/q1/why")
    assert why["score"] == 0.5 and why["max_score"] == 2 and "a link is not an answer" in why["output"]
    assert "scored by a human reviewer" in why["output"] and gradescope["score"] == 0.5
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["parts"]["toy/q1/why"]["human_scored"] == 2
    assert "scored by a human" in (out / "report.html").read_text(encoding="utf-8")
    # the sheet again: what was scored is shown as scored, with its score
    again = tmp_path / "again.csv"
    invoke("review", "export", out, "--to", again)
    assert [(r["author"], r["status"], r["score"]) for r in read_csv(again)] == [
        ("ada", "scored", "2"), ("bo", "scored", "0.5")]


def test_human_scores_survive_a_regrade_and_a_changed_answer_is_flagged(graded, tmp_path):
    folder, out = graded
    invoke("review", "import", scored(tmp_path, out, {"ada": ("2", "ok"), "bo": ("1", "ok")}), out)
    (folder / "ada.yaml").write_text(STUDENTS["ada"].replace("the conv layer has 608 weights", "rewritten"),
                                     encoding="utf-8")
    invoke("batch", folder, "--out", out, "--jobs", "1")            # every result written again
    book = gradebook(out)
    assert book["bo"]["toy/q1/why"] == "1 (human)"                    # kept apart from the results
    assert book["ada"]["toy/q1/why"] == "recheck" and book["ada"]["score"] == "1"
    rows = {r["author"]: r for r in read_csv(scored(tmp_path, out, {}))}
    assert rows["ada"]["status"] == "changed since scored" and rows["bo"]["status"] == "scored"


@pytest.mark.parametrize("edit, words", [
    (lambda rows: rows[0].update(score="3"), "row 2: score 3 is above the part's maximum 2"),
    (lambda rows: rows[0].update(score="lots"), "row 2: score 'lots' is not a number"),
    (lambda rows: rows[0].update(score="nan"), "row 2: score 'nan' is not a number"),
    (lambda rows: rows[1].update(score="1", comment="=cmd|' /C calc'!A0"), "row 3: column 'comment' starts with '='"),
    (lambda rows: rows[1].update(part="toy/q1/whyy", score="1"), "did you mean 'toy/q1/why'"),
    (lambda rows: rows[1].update(submission="nobody", score="1"), "row 3: no submission 'nobody' in this class"),
    (lambda rows: rows.append(dict(rows[0], score="1")), "row 4: toy/q1/why of ada-"),
])
def test_a_bad_row_imports_nothing_and_names_its_row(graded, tmp_path, edit, words):
    _, out = graded
    sheet = scored(tmp_path, out, {"ada": ("1", "")})
    rows = read_csv(sheet)
    edit(rows)
    write_csv(sheet, rows)
    result = invoke("review", "import", sheet, out, code=2)
    assert words in result.output and "Traceback" not in result.output
    assert "nothing imported" in result.output and not (out / "reviews.json").exists()


def test_a_review_sheet_with_a_wrong_column_names_the_closest(graded, tmp_path):
    _, out = graded
    sheet = tmp_path / "review.csv"
    sheet.write_text("submission,part,scor\nada,toy/q1/why,1\n", encoding="utf-8")
    result = invoke("review", "import", sheet, out, code=2)
    assert "row 1: unknown column 'scor'" in result.output and "'score'" in result.output
    assert invoke("review", "export", tmp_path, code=2).output.count("not a `dlcheck batch` output folder") == 1


# -- grades reach the LMS ------------------------------------------------------------------------------
CANVAS_ROSTER = ("Student,ID,SIS User ID,SIS Login ID,Section,submission\n"
                 "    Points Possible,,,,,\n"
                 "\"Lovelace, Ada\",101,s101,ada,L01,ada\n"
                 "\"Brown, Bo\",102,s102,bo,L01,bo.yaml\n"
                 "\"Dee, Dan\",104,s104,dan,L02,\n")


def test_canvas_export_keeps_the_roster_and_lists_who_is_missing(graded, tmp_path):
    _, out = graded
    roster, target = tmp_path / "roster.csv", tmp_path / "canvas.csv"
    roster.write_text(CANVAS_ROSTER, encoding="utf-8")        # Canvas's own export, a column added
    result = invoke("export", out, "--lms", "canvas", "--roster", roster, "--to", target,
                    "--assignment", "Homework 3 (1234)")
    rows = list(csv.reader(target.open(encoding="utf-8", newline="")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Homework 3 (1234)"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "1"]        # review parts not scored yet
    assert rows[2:] == [["Lovelace, Ada", "101", "s101", "ada", "L01", "1"],
                        ["Brown, Bo", "102", "s102", "bo", "L01", "0"],
                        ["Dee, Dan", "104", "s104", "dan", "L02", ""]]
    assert "1 submissions that match nobody in the roster (not exported): cy-" in result.output
    assert "1 roster rows with no submission (left empty): row 5" in result.output
    assert "2 scores without the parts still awaiting a human review" in result.output


def test_moodle_export_scaled_to_the_grade_items_points(graded, tmp_path):
    _, out = graded
    invoke("review", "import", scored(tmp_path, out, {"ada": ("2", ""), "bo": ("0.5", "")}), out)
    roster, target = tmp_path / "roster.csv", tmp_path / "moodle.csv"
    roster.write_text("First name,Last name,Email address,submission\n"
                      "Ada,Lovelace,ada@uni.example,ada\nBo,Brown,bo@uni.example,bo\nCy,Young,cy@uni.example,CY\n",
                      encoding="utf-8")
    result = invoke("export", out, "--lms", "moodle", "--roster", roster, "--to", target, "--points", "10")
    rows = list(csv.reader(target.open(encoding="utf-8", newline="")))
    assert rows[0] == ["Email address", "First name", "Last name", "dlcheck"]
    assert [(r[0], r[3]) for r in rows[1:]] == [("ada@uni.example", "10"), ("bo@uni.example", "1.6667"),
                                                 ("cy@uni.example", "3.3333")]     # of 3 points each
    assert "match nobody" not in result.output and "3 grades for 3 roster rows" in result.output


@pytest.mark.parametrize("roster, words", [
    ("First name,submission\nAda,ada\n", "needs an identifier column Moodle can map"),
    ("Email address,submision\na@x,ada\n", "missing column submission"),
    ("Email address,submission\n=HYPERLINK(1),ada\n", None),      # read as text, written inert
])
def test_a_roster_is_checked_before_anything_is_written(graded, tmp_path, roster, words):
    _, out = graded
    path, target = tmp_path / "roster.csv", tmp_path / "moodle.csv"
    path.write_text(roster, encoding="utf-8")
    result = runner.invoke(app, ["export", str(out), "--lms", "moodle", "--roster", str(path), "--to", str(target)])
    if words is None:
        assert result.exit_code == 0, result.output
        assert target.read_text(encoding="utf-8").splitlines()[1].startswith("'=HYPERLINK(1)")
        return
    assert result.exit_code == 2 and words in result.output and not target.exists(), result.output


def test_human_scores_reach_the_lms_export(graded, tmp_path):
    _, out = graded
    invoke("review", "import", scored(tmp_path, out, {"ada": ("2", ""), "bo": ("1", "")}), out)
    roster, target = tmp_path / "roster.csv", tmp_path / "canvas.csv"
    roster.write_text(CANVAS_ROSTER, encoding="utf-8")
    result = invoke("export", out, "--lms", "canvas", "--roster", roster, "--to", target)
    assert [r[-1] for r in csv.reader(target.open(encoding="utf-8"))][2:4] == ["3", "1"]
    assert "awaiting a human review" not in result.output


# -- a Gradescope autograder ----------------------------------------------------------------------------
def fake_autograder(tmp_path: Path, zip_path: Path, upload: dict) -> Path:
    """/autograder as Gradescope lays it out: source/ (the zip), submission/, metadata."""
    base = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(base / "source")
    for name in ("run_autograder", "setup.sh"):
        os.chmod(base / "source" / name, 0o755)
    (base / "submission").mkdir()
    for name, text in upload.items():
        path = base / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (base / "submission_metadata.json").write_text(json.dumps(
        {"id": 42, "created_at": "2026-11-29T10:00:00Z", "users": [{"email": "ada@uni.example"}]}))
    return base


def run_autograder(base: Path, tmp_path: Path, cache: str = "") -> dict:
    env = {**os.environ, "DLCHECK_AUTOGRADER_ROOT": str(base), "DLCHECK_PYTHON": sys.executable,
           "DLCHECK_CACHE_DIR": cache or str(tmp_path / "cache")}
    env.pop("DLCHECK_PROBLEMS", None)                          # run_autograder finds the zip's own problems
    done = subprocess.run([str(base / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((base / "results" / "results.json").read_text(encoding="utf-8"))


def test_autograder_zip_grades_an_upload_for_its_student(bank_dir, tmp_path):
    target = tmp_path / "autograder.zip"
    result = invoke("autograder", "toy", "-o", target)
    assert "upload it as the assignment's autograder" in result.output
    names = zipfile.ZipFile(target).namelist()
    assert {"setup.sh", "run_autograder", "dlcheck-autograder.json", "package/pyproject.toml",
            "package/dlcheck/cli.py", "problems/toy/q1.yaml", "problems/toy/q1.py"} <= set(names)
    assert not any("__pycache__" in n for n in names)
    base = fake_autograder(tmp_path, target, {"answers.yaml": STUDENTS["bo"].replace("n: 600", "n: 608")})
    assert subprocess.run(["bash", "-n", str(base / "source" / "setup.sh")]).returncode == 0
    data = run_autograder(base, tmp_path)
    tests = {t["name"]: t for t in data["tests"]}
    assert data["score"] == 1 and tests["toy/q1/n"]["status"] == "passed"
    assert tests["toy/q1/why"]["max_score"] == 0 and "status" not in tests["toy/q1/why"]     # a human's
    assert {t["visibility"] for t in data["tests"]} == {"visible"}
    assert "expected" not in json.dumps(data["tests"])                   # the student audience
    assert data["extra_data"]["dlcheck"]["emails"] == ["ada@uni.example"]
    # a wrong answer: feedback for students, and still no reference
    (base / "submission" / "answers.yaml").write_text(STUDENTS["bo"], encoding="utf-8")
    wrong = run_autograder(base, tmp_path)
    assert wrong["score"] == 0 and "608" not in json.dumps(wrong["tests"])


@pytest.mark.parametrize("upload, words", [
    ({}, "no .yaml file in your submission"),
    ({"a.yaml": STUDENTS["ada"], "b.yml": STUDENTS["bo"]}, "2 .yaml files in your submission"),
    ({"a.yaml": "answers: [1, 2"}, "a.yaml"),
])
def test_autograder_always_writes_results(bank_dir, tmp_path, upload, words):
    target = tmp_path / "autograder.zip"
    invoke("autograder", "toy", "-o", target)
    data = run_autograder(fake_autograder(tmp_path, target, upload), tmp_path)
    assert data["score"] == 0 and data["tests"] == [] and words in data["output"], data


def test_autograder_for_an_unknown_set_names_the_closest(bank_dir, tmp_path):
    result = invoke("autograder", "toys", "-o", tmp_path / "a.zip", code=2)
    assert "unknown problem set 'toys'" in result.output and "toy" in result.output
    assert not (tmp_path / "a.zip").exists()


def test_autograder_for_a_bundled_set_carries_its_whole_folder(tmp_path, bank):
    """csc413-a2's zip: every file of its folder (solvers' helpers included); an upload graded with
    the zip's problems only, for its student."""
    target = tmp_path / "autograder.zip"
    invoke("autograder", "csc413-a2", "-o", target)
    folder = bank.set_dir("csc413-a2")
    mine = {f"problems/csc413-a2/{p.relative_to(folder).as_posix()}" for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith((".pyc", ".pyo"))}
    assert mine and mine <= set(zipfile.ZipFile(target).namelist())
    upload = {"hw.yaml": "set: csc413-a2\nanswers:\n  '3.2': {cnn_neurons: 61632, cnn_params: 21000}\n"}
    data = run_autograder(fake_autograder(tmp_path, target, upload), tmp_path, os.environ["DLCHECK_CACHE_DIR"])
    tests = {t["name"]: t for t in data["tests"]}
    assert tests["csc413-a2/3.2/cnn_neurons"]["status"] == "passed"
    assert tests["csc413-a2/3.2/cnn_params"]["status"] == "failed"
    assert "21024" not in json.dumps(data) and "21,024" not in json.dumps(data)
    assert data["score"] == 1 and len(tests) > 30         # the whole set, out of its maximum


def test_review_on_another_machine_needs_no_submission_file(bank_dir, tmp_path, monkeypatch):
    """The batch ran in CI with relative paths; the sheet is imported where those paths lead nowhere:
    the scores count (the records say what content they were graded from), none is flagged."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "class").mkdir()
    for name, text in STUDENTS.items():
        (tmp_path / "class" / f"{name}.yaml").write_text(text, encoding="utf-8")
    invoke("batch", "class", "--out", "out", "--jobs", "1")
    elsewhere = tmp_path / "laptop"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    out = tmp_path / "out"
    invoke("review", "import", scored(tmp_path, out, {"ada": ("2", ""), "bo": ("1", "")}), out)
    book = gradebook(out)
    assert (book["ada"]["toy/q1/why"], book["bo"]["toy/q1/why"]) == ("2 (human)", "1 (human)")
    assert {r["status"] for r in read_csv(scored(tmp_path, out, {}))} == {"scored"}
