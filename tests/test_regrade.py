"""Honest regrades (issue 17): results keyed by content, spec, solver and dlcheck;
ids that do not depend on how a path is typed; what a rerun changed and
`dlcheck diff`; every student of a set scored out of the same maximum; an
unknown set, entries that match nothing (--strict) and --fail-under in percent.

Most tests run on a toy bank of two tiny sets (DLCHECK_PROBLEMS), so solvers
take no time and a spec can be edited without touching the real bank."""
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from dlcheck import batch, classbook, gate, regrade, shards
from dlcheck.cli import app

runner = CliRunner()
FORMATS = ["--format", "csv"]

SOLVER = '''
from dlcheck.reference import Reference


def solve(given):
    return {name: Reference(value, [f"{name} as given"]) for name, value in given.items()}
'''


def write_problem(bank: Path, pid: str, given: dict) -> None:
    """A problem whose integer parts are worth 1 point each and whose answers are `given`."""
    folder = bank / pid.split("/")[0]
    folder.mkdir(parents=True, exist_ok=True)
    parts = "".join(f"  {name}: {{kind: integer}}\n" for name in given)
    given_yaml = "{" + ", ".join(f"{k}: {v}" for k, v in given.items()) + "}"
    (folder / f"{pid.split('/')[1]}.yaml").write_text(
        f"title: toy {pid}\nstatement: Give the numbers.\ngiven: {given_yaml}\nparts:\n{parts}")
    (folder / f"{pid.split('/')[1]}.py").write_text(SOLVER)


def toy_bank(root: Path) -> Path:
    """toy: q1 {n: 5}, q2 {a: 1, b: 2} (3 points); other: q1 {m: 7} (1 point)."""
    write_problem(root, "toy/q1", {"n": 5})
    write_problem(root, "toy/q2", {"a": 1, "b": 2})
    write_problem(root, "other/q1", {"m": 7})
    return root


@pytest.fixture()
def bank_dir(tmp_path, monkeypatch):
    root = toy_bank(tmp_path / "bank")
    monkeypatch.setenv("DLCHECK_PROBLEMS", str(root))
    return root


@pytest.fixture()
def klass(tmp_path, bank_dir):
    """ada answers toy with `set:`, bo by full ids without it, cy answers the other set."""
    folder = tmp_path / "class"
    for name, text in {"ada": "set: toy\nanswers:\n  q1: 5\n  q2: {a: 1, b: 2}\n",
                       "bo": "answers:\n  toy/q1: 5\n",
                       "cy": "set: other\nanswers:\n  q1: 7\n"}.items():
        (folder / name).mkdir(parents=True)
        (folder / name / "hw.yaml").write_text(text)
    return folder


def batch_run(*args, code: int = 0):
    result = runner.invoke(app, ["batch", *map(str, args), "--jobs", "1", *FORMATS])
    assert result.exit_code == code, result.output
    return result


def records(out: Path) -> dict:
    """Each record by its submission's folder name ("ada")."""
    return {Path(r["submission"]).parent.name: r for r in classbook.records(out)}


# -- every student of a set has the same maximum ------------------------------------------
def test_a_submission_without_set_is_scored_against_the_whole_set(klass, tmp_path):
    out = tmp_path / "out"
    batch_run(klass, "--out", out)
    got = records(out)
    assert (got["ada"]["report"]["score"], got["ada"]["report"]["max_score"]) == (3, 3)
    assert (got["bo"]["report"]["score"], got["bo"]["report"]["max_score"]) == (1, 3)      # was 1 / 1
    assert {r["verdict"] for r in got["bo"]["report"]["results"] if r["problem"] == "toy/q2"} == {"missing"}
    assert got["cy"]["report"]["max_score"] == 1


def test_an_unknown_set_exits_2_and_is_an_error_entry_in_a_batch(klass, tmp_path, bank_dir):
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("set: tyo\nanswers:\n  q1: 5\n")
    result = runner.invoke(app, ["grade", str(wrong)])
    assert result.exit_code == 2 and "unknown problem set 'tyo'" in result.stderr and "'toy'" in result.stderr
    (klass / "dan").mkdir()
    shutil.copy(wrong, klass / "dan" / "hw.yaml")
    out = tmp_path / "out"
    batch_run(klass, "--out", out)
    dan = records(out)["dan"]
    assert dan["status"] == "error" and "unknown problem set 'tyo'" in dan["error"]


# -- entries that match nothing, --strict, --fail-under ------------------------------------------
def test_entries_that_match_nothing_head_the_report_and_strict_exits_2(tmp_path, bank_dir):
    path = tmp_path / "typo.yaml"
    path.write_text("set: toy\nanswers:\n  q1: 5\n  q9: 1\n  q2: {a: 1, c: 2}\n")
    result = runner.invoke(app, ["grade", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 entries not graded: q9 (line 4), toy/q2/c (line 5)" in result.stderr
    shown = subprocess.run([sys.executable, "-m", "dlcheck", "grade", str(path)], capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    assert "not graded" not in shown and "Score" in shown                       # stdout is the report alone
    both = subprocess.run(f"{shlex.quote(sys.executable)} -m dlcheck grade {shlex.quote(str(path))} 2>&1",
                          shell=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert both.stdout.index("2 entries not graded") < both.stdout.index("toy/q1")   # it heads the report
    strict = runner.invoke(app, ["grade", str(path), "--strict", "--format", "json"])
    assert strict.exit_code == 2 and "--strict: 2 entries not graded" in strict.stderr
    assert json.loads(strict.stdout)["max_score"] == 3                           # the report is still written


def test_not_graded_leaves_out_what_was_graded(tmp_path, bank, write_yaml):
    from dlcheck.grade import Grader
    from dlcheck.submission import load_submission

    path = write_yaml("set: csc413-a2\nanswers:\n  '3.1': {padding: 1}\n  '3.1': {padding: 2}\n"
                      "  '3.2': {cnn_params: !!int abc}\n  csc413-a2/2.3.2:\n    answer: x\n"
                      "    critique: {verdict: maybe}\n  '9.9': 1\n")
    report = Grader(bank).grade(load_submission(path, bank))
    assert {e.key for e in report.errors} >= {"3.1", "csc413-a2/3.2/cnn_params", "csc413-a2/2.3.2 critique", "9.9"}
    assert [i.key for i in gate.not_graded(report)] == ["9.9"]       # a duplicate, a bad value, a critique: graded


def test_a_class_with_entries_not_graded_says_so_and_strict_exits_2(klass, tmp_path):
    (klass / "ada" / "hw.yaml").write_text("set: toy\nanswers:\n  q1: 5\n  q3: 1\n")
    out = tmp_path / "out"
    result = batch_run(klass, "--out", out)
    assert "1 entry not graded in 1 submission" in result.stderr and "q3 (line 4)" in result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["not_graded"]["entries"] == 1
    assert summary["not_graded"]["submissions"][0]["entries"][0]["key"] == "q3"
    from dlcheck.report.markdown import class_markdown

    shown = class_markdown(summary).splitlines()                   # summary.md: the first thing after the totals
    assert shown[4].startswith("**1 entry not graded**") and shown[6].endswith("ada/hw.yaml: q3")
    batch_run(klass, "--out", tmp_path / "strict", "--strict", code=2)


@pytest.mark.parametrize("threshold, code", [("70%", 3), ("33%", 0), ("1", 0), ("1.5", 3), ("100%", 3)])
def test_fail_under_takes_points_or_a_percent(tmp_path, bank_dir, threshold, code):
    path = tmp_path / "bo.yaml"
    path.write_text("answers:\n  toy/q1: 5\n")                 # 1 / 3
    result = runner.invoke(app, ["grade", str(path), "--fail-under", threshold])
    assert result.exit_code == code, result.output
    if code == 3:
        assert f"score 1 / 3 (33%) is under --fail-under {threshold}" in result.stderr
    if threshold == "70%":
        assert "= 2.1 points of 3" in result.stderr


@pytest.mark.parametrize("bad", ["abc", "-1", "150%", "nan", "7 0"])
def test_a_bad_fail_under_exits_2_before_grading(tmp_path, bank_dir, bad):
    path = tmp_path / "bo.yaml"
    path.write_text("answers:\n  toy/q1: 5\n")
    result = runner.invoke(app, ["grade", str(path), "--fail-under", bad])
    assert result.exit_code == 2 and "--fail-under" in result.stderr and "Score" not in result.output


# -- resume by key -----------------------------------------------------------------------
def test_resume_after_a_spec_change_regrades_what_it_touches(klass, tmp_path, bank_dir):
    out = tmp_path / "out"
    batch_run(klass, "--out", out)
    again = batch_run(klass, "--out", out, "--resume")
    assert "3 unchanged since graded" in again.stderr and "graded 0 submissions" in again.stderr
    write_problem(bank_dir, "toy/q1", {"n": 6})              # the answer key of toy/q1 changes
    result = batch_run(klass, "--out", out, "--resume")
    assert "1 unchanged since graded" in result.stderr
    assert "rerun: 2 regraded (2 spec or solver changed), 1 kept, 2 scores changed" in result.stderr
    got = records(out)
    assert got["ada"]["report"]["score"] == 2 and got["bo"]["report"]["score"] == 0
    (bank_dir / "toy" / "q1.py").write_text(SOLVER + "\n# a comment changes the solver's source\n")
    assert "2 regraded (2 spec or solver changed)" in batch_run(klass, "--out", out, "--resume").stderr
    write_problem(bank_dir, "toy/q3", {"z": 1})              # a new problem in the set: a new max_score
    batch_run(klass, "--out", out, "--resume")
    assert records(out)["ada"]["report"]["max_score"] == 4


def test_resume_follows_content_not_times(klass, tmp_path):
    out = tmp_path / "out"
    batch_run(klass, "--out", out)
    ada = klass / "ada" / "hw.yaml"
    os.utime(ada, (os.path.getmtime(ada) + 3600,) * 2)          # touched, not changed
    assert "3 unchanged since graded" in batch_run(klass, "--out", out, "--resume").stderr
    ada.write_text(ada.read_text().replace("q1: 5", "q1: 4"))
    result = batch_run(klass, "--out", out, "--resume")
    assert "rerun: 1 regraded (1 submission changed), 2 kept, 1 score changed" in result.stderr
    assert "ada/hw.yaml 3 / 3 → 2 / 3" in result.stderr


def test_keys_name_why_a_result_is_stale(klass, tmp_path, bank_dir, monkeypatch):
    from dlcheck.bank import Bank

    out = tmp_path / "out"
    batch_run(klass, "--out", out)
    jobs, _ = batch.discover([str(klass)])
    ada = next(j for j in jobs if j.name == "ada/hw.yaml")
    record = json.loads((out / "results" / ada.result_name).read_text())
    keys = regrade.Keys(Bank())
    assert keys.stale(record, ada.path) is None
    assert keys.stale({**record, "key": None}, ada.path) == regrade.UNKEYED
    assert keys.stale({**record, "key": {**record["key"], "dlcheck": "0.0.1"}}, ada.path) == regrade.CODE
    assert regrade.Keys(Bank(), _Settings()).stale(record, ada.path) == regrade.SETTINGS
    from dlcheck.claims import TrainingSettings

    monkeypatch.delenv("DLCHECK_DATA", raising=False)            # no data: nothing re-trains, seeds change nothing
    assert regrade.Keys(Bank(), TrainingSettings(seeds=7, budget_s=5)).stale(record, ada.path) is None
    timeout = {**record, "status": "timeout", "limit_s": 10}
    assert keys.stale(timeout, ada.path, limit=10) is None and keys.stale(timeout, ada.path, 20) == regrade.TIMEOUT


class _Settings:
    data_dir, seeds, budget_s, device = "/data", 3, 600.0, "cpu"


def test_a_rerun_without_resume_regrades_everything_and_says_what_changed(klass, tmp_path):
    out = tmp_path / "out"
    batch_run(klass, "--out", out)
    result = batch_run(klass, "--out", out)
    assert "rerun: 3 regraded (3 not --resume), 0 kept, 0 scores changed" in result.stderr


# -- ids -------------------------------------------------------------------------------------
def test_the_same_file_named_two_ways_gets_one_id(klass, tmp_path, monkeypatch):
    out = tmp_path / "out"
    batch_run(klass, "--out", out)
    ids = {p.name for p in (out / "results").glob("*.json")}
    link = tmp_path / "link-to-class"
    link.symlink_to(klass)
    monkeypatch.chdir(tmp_path)
    for args in ([klass / "ada" / "hw.yaml"], ["class/ada/../ada/hw.yaml"], [link / "bo"], ["./class"],
                 [str(klass) + "/*/hw.yaml"], [link]):
        batch_run(*args, "--out", out)
        assert {p.name for p in (out / "results").glob("*.json")} == ids, args
    rows = (out / "gradebook.csv").read_text().splitlines()
    assert len(rows) == 1 + 3                                     # one row per student, never two
    fresh = tmp_path / "fresh"                                    # another folder: the same ids again
    batch_run(link, "--out", fresh)
    assert {p.name for p in (fresh / "results").glob("*.json")} == ids
    jobs, _ = batch.discover([str(klass / "ada" / "hw.yaml"), str(link / "ada" / "hw.yaml"), str(klass)])
    assert len(jobs) == 3 and len({j.id for j in jobs}) == 3      # named twice in one run: one job


def test_a_path_outside_the_recorded_root_is_refused(klass, tmp_path):
    out = tmp_path / "out"
    batch_run(klass / "ada", "--out", out)                        # the root recorded is class/ada
    result = batch_run(klass, "--out", out, code=2)
    assert "not inside the class root" in result.stderr and "another --out" in result.stderr
    assert "would get other ids" in batch_run(klass, "--out", out, "--root", klass, code=2).stderr
    batch_run(klass, "--out", tmp_path / "other", "--root", klass)
    assert {Path(r["submission"]).parent.name for r in classbook.records(tmp_path / "other")} == {"ada", "bo", "cy"}


def test_ids_are_safe_file_names():
    assert batch.job_id("ada/hw.yaml").startswith("ada__hw-")
    assert batch.job_id(".hidden.yaml").startswith("_hidden-")
    assert batch.job_id("a b/ü.yml").startswith("a_b___-") or batch.job_id("a b/ü.yml")[0] != "."


# -- dlcheck diff ------------------------------------------------------------------------------
def test_diff_lists_changed_scores_per_student_and_part(klass, tmp_path, bank_dir):
    old = tmp_path / "old"
    batch_run(klass, "--out", old)
    write_problem(bank_dir, "toy/q2", {"a": 1, "b": 3})
    new = tmp_path / "new"
    batch_run(klass, "--out", new)
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    ada = next(k for k, line in enumerate(lines) if line.endswith("ada/hw.yaml: 3 / 3 → 2 / 3  (-1)"))
    assert lines[ada + 1] == "    toy/q2/b: correct 1/1 → incorrect 0/1"
    assert lines[-1] == "1 submissions changed (1 scores), 2 unchanged, 0 only in OLD, 0 only in NEW"
    data = json.loads(runner.invoke(app, ["diff", str(old), str(new), "--json"]).stdout)
    assert [c["parts"][0]["part"] for c in data["changed"]] == ["toy/q2/b"]
    assert runner.invoke(app, ["diff", str(old), str(tmp_path)]).exit_code == 2


# -- merge refuses what is not one complete class ----------------------------------------------
@pytest.fixture()
def sharded(klass, tmp_path):
    folders = [tmp_path / f"shard-{i}" for i in (1, 2, 3)]
    for i, folder in enumerate(folders, 1):
        batch_run(klass, "--out", folder, "--shard", f"{i}/3")
    return folders


def merge(*folders, code: int):
    result = runner.invoke(app, ["merge", *map(str, folders), "--out", str(folders[0].parent / "merged"), *FORMATS])
    assert result.exit_code == code, result.output
    return result


def test_merge_refuses_a_missing_shard(sharded):
    result = merge(sharded[0], sharded[2], code=2)
    assert "shard 2/3 missing" in result.stderr


def test_merge_refuses_a_shard_given_twice(sharded, tmp_path):
    copy = tmp_path / "copy-of-2"
    shutil.copytree(sharded[1], copy)
    result = merge(*sharded, copy, code=2)
    assert f"shard 2/3 is given twice: {sharded[1]}, {copy}" in result.stderr


def test_merge_refuses_an_incomplete_shard_until_it_is_rerun(sharded, klass):
    manifest = json.loads((sharded[1] / shards.MANIFEST).read_text())
    (sharded[1] / "results" / f"{manifest['ids'][0]}.json").unlink()       # the job died half-way
    result = merge(*sharded, code=2)
    assert f"{sharded[1]} (shard 2/3) is incomplete: 1 of its 1 results missing" in result.stderr
    batch_run(klass, "--out", sharded[1], "--shard", "2/3", "--resume")    # the shard run again
    assert "dlcheck merge: 3 results from 3 shards" in merge(*sharded, code=0).stderr


def test_merge_refuses_shards_of_different_file_lists_or_splits(sharded, klass, tmp_path):
    (klass / "dan").mkdir()
    (klass / "dan" / "hw.yaml").write_text("set: toy\nanswers:\n  q1: 5\n")
    other = tmp_path / "other-2"
    batch_run(klass, "--out", other, "--shard", "2/3")
    assert "graded different file lists" in merge(sharded[0], other, sharded[2], code=2).stderr
    half = tmp_path / "half"
    batch_run(klass, "--out", half, "--shard", "1/2")
    assert "split the class differently" in merge(sharded[0], half, code=2).stderr
    old = tmp_path / "no-manifest"
    shutil.copytree(sharded[0], old)
    (old / shards.MANIFEST).unlink()
    assert "no batch.json" in merge(old, sharded[1], sharded[2], code=2).stderr


def test_merged_folder_is_a_complete_class(sharded, tmp_path):
    merge(*sharded, code=0)
    merged = tmp_path / "merged"
    manifest = json.loads((merged / shards.MANIFEST).read_text())
    assert manifest["shard"] == {"index": 1, "count": 1} and len(manifest["ids"]) == 3
    assert manifest["class"] == json.loads((sharded[0] / shards.MANIFEST).read_text())["class"]
    assert "dlcheck merge: 3 results" in merge(merged, code=0).stderr       # it merges (alone) again


# -- the recipes of the README, run with each engine's index variables set by hand --------------
def readme_block(language: str, marker: str) -> str:
    """The README's fenced `language` block that contains `marker`."""
    text = (ROOT / "README.md").read_text()
    blocks = text.split(f"```{language}\n")[1:]
    return next(b.split("```", 1)[0] for b in blocks if marker in b)


@pytest.fixture()
def course(tmp_path, bank_dir):
    """A course folder as the recipes expect it: submissions/ with five students, data/."""
    folder = tmp_path / "course"
    for k in range(5):
        (folder / "submissions" / f"s{k}").mkdir(parents=True)
        (folder / "submissions" / f"s{k}" / "hw.yaml").write_text(f"set: toy\nanswers:\n  q1: {5 if k % 2 else 4}\n")
    (folder / "data").mkdir()
    return folder


def shell(script: str, cwd: Path, **env) -> subprocess.CompletedProcess:
    """Run a recipe's lines with bash, `dlcheck` being this checkout's."""
    bindir = cwd / ".bin"
    bindir.mkdir(exist_ok=True)
    (bindir / "dlcheck").write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m dlcheck \"$@\"\n")
    (bindir / "dlcheck").chmod(0o755)
    path = f"{bindir}:{os.environ['PATH']}"
    return subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "PATH": path, **env})


def class_of(out: Path) -> dict:
    return {Path(r["submission"]).parent.name: (r["status"], r["report"]["score"]) for r in classbook.records(out)}


def test_a_github_actions_matrix_and_its_merge(course, tmp_path):
    import yaml

    flow = yaml.safe_load(readme_block("yaml", "matrix: {shard"))
    shards_of = flow["jobs"]["grade"]["strategy"]["matrix"]["shard"]
    grade_steps = [s["run"] for s in flow["jobs"]["grade"]["steps"] if "dlcheck batch" in s.get("run", "")]
    upload = next(s["with"] for s in flow["jobs"]["grade"]["steps"] if "upload-artifact" in s.get("uses", ""))
    for i in shards_of:
        def fill(text):
            return str(text).replace("${{ matrix.shard }}", str(i)).replace(".venv/bin/dlcheck", "dlcheck")
        for step in grade_steps:
            done = shell(fill(step), course)
            assert done.returncode == 0, done.stderr
        # download-artifact with `path: shards` puts each artifact in shards/<its name>/
        shutil.copytree(course / fill(upload["path"]), course / "shards" / fill(upload["name"]))
    merge_step = next(s["run"] for s in flow["jobs"]["merge"]["steps"] if "dlcheck merge" in s.get("run", ""))
    merged = shell(merge_step.replace(".venv/bin/dlcheck", "dlcheck"), course)
    assert merged.returncode == 0, merged.stderr
    whole = tmp_path / "whole"
    batch_run(course / "submissions", "--out", whole)
    assert class_of(course / "class") == class_of(whole) and len(class_of(whole)) == 5
    assert (course / "class" / "summary.md").is_file()


def test_a_slurm_array_its_merge_and_a_failed_task_rerun(course, tmp_path):
    script = readme_block("bash", "#SBATCH --array=1-4")
    merge_line = shlex.split(readme_block("bash", "--dependency").split("--wrap", 1)[1])[0]
    for task in (1, 2, 3, 4):
        done = shell(script, course, SLURM_ARRAY_TASK_ID=str(task), SLURM_ARRAY_TASK_MIN="1",
                     SLURM_ARRAY_TASK_MAX="4", SLURM_ARRAY_TASK_COUNT="4")
        assert done.returncode == 0, done.stderr
    task_3 = json.loads((course / "out" / "shard-3" / shards.MANIFEST).read_text())
    assert task_3["shard"] == {"index": 3, "count": 4}
    (course / "out" / "shard-3" / "results" / f"{task_3['ids'][0]}.json").unlink()   # task 3 died half-way
    failed = shell(merge_line, course)
    assert failed.returncode == 2 and "out/shard-3 (shard 3/4) is incomplete" in failed.stderr
    rerun = shell(script, course, SLURM_ARRAY_TASK_ID="3", SLURM_ARRAY_TASK_MIN="3",   # sbatch --array=3 grade.sh
                  SLURM_ARRAY_TASK_MAX="3", SLURM_ARRAY_TASK_COUNT="1")
    assert rerun.returncode == 0 and "1 regraded (1 new)" in rerun.stderr, rerun.stderr
    merged = shell(merge_line, course)
    assert merged.returncode == 0 and "5 results from 4 shards" in merged.stderr, merged.stderr
    whole = tmp_path / "whole"
    batch_run(course / "submissions", "--out", whole)
    assert class_of(course / "class") == class_of(whole)


def test_a_kubernetes_indexed_job_and_a_missing_index(course, tmp_path):
    import yaml

    job = yaml.safe_load(readme_block("yaml", "completionMode: Indexed"))
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["workingDir"] == "/course" and job["spec"]["completions"] == 4
    command = container["command"]
    assert command[:2] == ["sh", "-c"]
    for index in (0, 2, 3):                             # index 1's pod failed
        done = shell(command[2], course, JOB_COMPLETION_INDEX=str(index))
        assert done.returncode == 0, done.stderr
    merge_line = "dlcheck merge out/shard-* --out class"
    assert merge_line in (ROOT / "README.md").read_text()
    failed = shell(merge_line, course)
    assert failed.returncode == 2 and "shard 2/4 missing" in failed.stderr, failed.stderr
    assert shell(command[2], course, JOB_COMPLETION_INDEX="1").returncode == 0      # its retry
    merged = shell(merge_line, course)
    assert merged.returncode == 0 and "5 results from 4 shards" in merged.stderr, merged.stderr
    whole = tmp_path / "whole"
    batch_run(course / "submissions", "--out", whole)
    assert class_of(course / "class") == class_of(whole)


@pytest.mark.parametrize("env, spec, expected", [
    ({"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4"}, "auto", "1/4"),
    ({"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "4"}, "auto/4", "4/4"),
    ({"JOB_COMPLETION_INDEX": "0"}, "auto/3", "1/3"),
    ({"JOB_COMPLETION_INDEX": "2"}, " AUTO / 3 ", "3/3"),
    ({"JOB_COMPLETION_INDEX": "2"}, "2/3", "2/3"),                  # an explicit i/N wins
])
def test_shard_auto_reads_the_engine_index(env, spec, expected):
    assert shards.resolve(spec, env) == expected


@pytest.mark.parametrize("env, spec, message", [
    ({}, "auto", "no job index in the environment"),
    ({"JOB_COMPLETION_INDEX": "1"}, "auto", "give it: --shard auto/N"),
    ({"JOB_COMPLETION_INDEX": "3"}, "auto/3", "JOB_COMPLETION_INDEX=3 is shard 4 of 3"),
    ({"JOB_COMPLETION_INDEX": "x"}, "auto/3", "is not an index"),
    ({"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"}, "auto/3",
     "has 4 tasks, not 3"),
    ({"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "2",
      "SLURM_ARRAY_TASK_STEP": "2"}, "auto", "step 2"),
    ({}, "automatic", "expected i/N, auto"),
])
def test_shard_auto_says_what_is_missing(env, spec, message):
    with pytest.raises(shards.ShardError, match=message):
        shards.resolve(spec, env)


def test_shard_auto_on_the_command_line(klass, tmp_path, monkeypatch):
    monkeypatch.setenv("JOB_COMPLETION_INDEX", "1")
    result = batch_run(klass, "--out", tmp_path / "k", "--shard", "auto/3")
    assert "(shard 2/3 of 3)" in result.stderr
    assert json.loads((tmp_path / "k" / shards.MANIFEST).read_text())["shard"] == {"index": 2, "count": 3}
    monkeypatch.delenv("JOB_COMPLETION_INDEX")
    result = batch_run(klass, "--out", tmp_path / "none", "--shard", "auto/3", code=2)
    assert "no job index in the environment" in result.stderr and "Traceback" not in result.output
