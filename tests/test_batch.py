"""`dlcheck batch` and `dlcheck merge`: every output validated, resume after an
interruption, shard + merge equal to an unsharded run, hostile files isolated."""
import csv
import io
import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from dlcheck import batch, classbook
from dlcheck.cli import app

sys.path.insert(0, str(ROOT / "bench"))
import synth_class  # noqa: E402

runner = CliRunner()
OUTPUTS = ["gradebook.csv", "junit.xml", "summary.json", "summary.md", "report.html"]


@pytest.fixture(scope="module")
def klass(tmp_path_factory, bank):
    """24 synthetic submissions of 12 parts, with every hostile kind of file among them."""
    folder = tmp_path_factory.mktemp("class")
    synth_class.generate(folder, 24, bank, parts_per=12, seed=7)
    for k, (name, text) in enumerate(synth_class.HOSTILE.items()):
        (folder / f"student-{k * 4 + 1:05d}.yaml").write_bytes(text.encode("utf-8", "surrogateescape"))
    return folder


def run_batch(*args):
    result = runner.invoke(app, ["batch", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result


def results(out: Path) -> dict:
    return {r["id"]: r for r in classbook.records(out)}


def records_named(records: dict, name: str) -> dict:
    return next(r for r in records.values() if Path(r["submission"]).name == name)


def without_times(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in ("graded_at", "seconds")}


@pytest.fixture(scope="module")
def graded(klass, tmp_path_factory):
    out = tmp_path_factory.mktemp("graded")
    run_batch(klass, "--out", out, "--jobs", "2")
    return out


def test_every_submission_gets_a_result_and_hostile_files_become_errors(klass, graded):
    records = results(graded)
    assert len(records) == 24
    by_kind = {kind: records_named(records, f"student-{k * 4 + 1:05d}.yaml")
               for k, kind in enumerate(synth_class.HOSTILE)}
    for kind in ("alias_bomb", "binary", "deep"):                 # the file as a whole is refused
        assert by_kind[kind]["status"] == "error", kind
    tag = by_kind["python_tag"]                                    # read as data, its entry refused
    assert tag["status"] == "graded" and tag["report"]["errors"]
    assert by_kind["tower"]["status"] == "graded"                  # a readable file: its part is judged
    assert not Path("/tmp/pwned").exists()
    assert all(r["error"] for r in records.values() if r["status"] == "error")


def test_junit_parses_and_its_counts_match_the_results(graded):
    root = ET.parse(graded / "junit.xml").getroot()
    records = results(graded)
    parts = sum(len(r["report"]["results"]) for r in records.values() if r["report"])
    errors = sum(1 for r in records.values() if r["status"] == "error")
    assert int(root.get("tests")) == parts + errors
    verdicts = [res["verdict"] for r in records.values() if r["report"] for res in r["report"]["results"]]
    assert int(root.get("failures")) == sum(v in ("incorrect", "partial", "invalid", "missing") for v in verdicts)
    assert int(root.get("errors")) == errors + sum(v in ("error", "timeout") for v in verdicts)
    assert int(root.get("skipped")) == sum(v == "review" for v in verdicts)
    assert len(root.findall("testsuite")) == len(records)
    failure = root.find(".//failure")
    assert failure is not None and failure.get("message") and failure.get("type")


def test_gradescope_results_have_the_documented_keys(graded):
    files = sorted((graded / "gradescope").glob("*/results.json"))
    assert len(files) == 24
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(data["score"], float) and isinstance(data["tests"], list)
        for test in data["tests"]:
            assert isinstance(test["name"], str) and isinstance(test["output"], str)
            assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
            assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
            assert test.get("status", "passed") in ("passed", "failed")
        assert abs(sum(t["score"] for t in data["tests"]) - data["score"]) < 1e-9


def test_gradebook_columns_and_totals(graded):
    rows = list(csv.DictReader(io.StringIO((graded / "gradebook.csv").read_text(encoding="utf-8"))))
    records = results(graded)
    assert {r["id"] for r in rows} == set(records)
    for row in rows:
        record = records[row["id"]]
        if record["status"] != "graded":
            assert row["status"] == "error" and row["error"]
            continue
        cells = {k: v for k, v in row.items() if k.count("/") == 2 and v not in ("", "review")}
        assert abs(sum(float(v) for v in cells.values()) - float(row["score"])) < 1e-9
        assert float(row["score"]) == record["report"]["score"]


def test_summary_counts_parts_and_mistakes(graded):
    summary = json.loads((graded / "summary.json").read_text(encoding="utf-8"))
    assert summary["submissions"] == 24 and summary["graded"] == 24 - len(summary["errors"])
    for name, part in summary["parts"].items():
        assert part["submissions"] == sum(part["verdicts"].values())
        assert part["share_correct"] is None or 0 <= part["share_correct"] <= 1
    assert any(p["common_wrong"] for p in summary["parts"].values())
    assert "class summary" in (graded / "summary.md").read_text(encoding="utf-8")
    assert "<table>" in (graded / "report.html").read_text(encoding="utf-8")


def test_shard_and_merge_equal_an_unsharded_run(klass, graded, tmp_path):
    shards = [tmp_path / f"shard{i}" for i in (1, 2, 3)]
    for i, shard in enumerate(shards, 1):
        run_batch(klass, "--out", shard, "--jobs", "1", "--shard", f"{i}/3")
    sizes = [len(list((s / "results").glob("*.json"))) for s in shards]
    assert sum(sizes) == 24 and min(sizes) >= 7
    merged = tmp_path / "merged"
    result = runner.invoke(app, ["merge", *map(str, shards), "--out", str(merged)])
    assert result.exit_code == 0, result.output
    for name in OUTPUTS:
        assert (merged / name).read_bytes() == (graded / name).read_bytes(), name
    for path in (graded / "gradescope").glob("*/results.json"):
        assert (merged / path.relative_to(graded)).read_bytes() == path.read_bytes()
    mine, theirs = results(merged), results(graded)
    assert {k: without_times(v) for k, v in mine.items()} == {k: without_times(v) for k, v in theirs.items()}


def test_resume_after_an_interruption(klass, graded, tmp_path):
    jobs, _ = batch.discover([str(klass)])
    out = tmp_path / "interrupted"
    done = []

    def stop_after_five(brief):
        done.append(brief)
        if len(done) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        batch.run(jobs, out, 1, True, stop_after_five)
    assert len(list((out / "results").glob("*.json"))) == 5          # finished results are intact
    assert len(batch.pending(jobs, out, resume=True)) == 19
    result = run_batch(klass, "--out", out, "--jobs", "1", "--resume")
    assert "5 unchanged since graded" in result.output and "19 regraded (19 new)" in result.output
    assert {k: without_times(v) for k, v in results(out).items()} == \
        {k: without_times(v) for k, v in results(graded).items()}
    touched = jobs[0].path              # a newer time alone is no change: results are keyed by content
    os.utime(touched, (os.path.getmtime(out / "results" / jobs[0].result_name) + 5,) * 2)
    assert batch.pending(jobs, out, resume=True) == []


def test_interrupt_message_says_how_to_resume(klass, tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "run", interrupted)
    result = runner.invoke(app, ["batch", str(klass), "--out", str(tmp_path / "x"), "--jobs", "1"])
    assert result.exit_code == 130
    assert "--resume" in result.output and "interrupted" in result.output


def test_a_hostile_file_does_not_change_the_others(klass, graded, tmp_path):
    calm = tmp_path / "calm"
    calm.mkdir()
    hostile = {f"student-{k * 4 + 1:05d}.yaml" for k in range(len(synth_class.HOSTILE))}
    for path in klass.iterdir():
        if path.name not in hostile:
            (calm / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "calm-out"
    run_batch(calm, "--out", out, "--jobs", "2")
    calm_reports = {r["submission"].rsplit("/", 1)[1]: r["report"] for r in classbook.records(out)}
    full_reports = {r["submission"].rsplit("/", 1)[1]: r["report"] for r in classbook.records(graded)}
    for name, report in calm_reports.items():
        assert {k: v for k, v in report.items() if k != "submission"} == \
            {k: v for k, v in full_reports[name].items() if k != "submission"}, name


def test_discovery_globs_shards_and_bad_options(klass, tmp_path):
    (klass / "student-00000.expected.yaml").write_text("results: {}\n")
    jobs, problems = batch.discover([str(klass / "student-0000*.yaml"), str(tmp_path / "nothing-*.yaml")])
    assert [j.path.name for j in jobs] == [f"student-0000{i}.yaml" for i in range(10)]
    assert problems and "no file matches" in problems[0]
    assert [j.path.name for j in batch.shard(jobs, "2/4")] == ["student-00001.yaml", "student-00005.yaml",
                                                             "student-00009.yaml"]
    for bad in ("0/3", "4/3", "x"):
        result = runner.invoke(app, ["batch", str(klass), "--out", str(tmp_path / "o"), "--shard", bad])
        assert result.exit_code == 2 and "i/N" in result.output
    result = runner.invoke(app, ["batch", str(klass), "--out", str(tmp_path / "o"), "--format", "xlsx"])
    assert result.exit_code == 2 and "csv" in result.output
    result = runner.invoke(app, ["merge", str(tmp_path), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2
    (klass / "student-00000.expected.yaml").unlink()


@pytest.mark.parametrize("fmt", ["csv", "junit", "gradescope", "md", "html"])
def test_grade_gains_the_same_formats(fmt):
    result = runner.invoke(app, ["grade", str(ROOT / "answers/csc413-a2/chatgpt-reviewed.yaml"), "--format", fmt])
    assert result.exit_code == 0, result.output
    text = result.stdout
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][:6] == ["id", "submission", "author", "status", "score", "max_score"] and rows[1][4] == "6.5"
    elif fmt == "junit":
        assert ET.fromstring(text.split("\n", 1)[1]).get("tests") == "34"
    elif fmt == "gradescope":
        assert json.loads(text)["score"] == 6.5
    elif fmt == "md":
        assert "| csc413-a2/3.2/cnn_params | correct |" in text
    else:
        assert text.startswith("<!DOCTYPE html>") and "&lt;" not in text.split("<body>")[0]


def test_csv_cells_never_start_a_formula(tmp_path, write_yaml):
    path = write_yaml("set: csc413-a2\nauthor: '=HYPERLINK(\"http://x\")'\nanswers:\n  '3.2': {cnn_params: 1}\n")
    result = runner.invoke(app, ["grade", str(path), "--format", "csv"])
    assert "'=HYPERLINK" in result.stdout


_ORIGINAL_GRADE_ONE = batch.grade_one


def _crashing(job, out):
    """grade_one, except that one submission kills its worker (as the OOM killer would)."""
    import signal

    if job.path.name == "student-00003.yaml":
        os.kill(os.getpid(), signal.SIGKILL)
    return _ORIGINAL_GRADE_ONE(job, out)


def test_a_worker_that_dies_costs_only_its_own_submission(klass, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "grade_one", _crashing)    # module level: workers unpickle it by name
    jobs, _ = batch.discover([str(klass)])
    got = []
    batch.run(jobs[:8], tmp_path, 2, True, got.append)
    assert len(got) == 8
    died = [Path(b["submission"]).name for b in got if "worker died" in (b["error"] or "")]
    assert died == ["student-00003.yaml"]
