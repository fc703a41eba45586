"""Caches that cannot lie and a batch that cannot lose, hang on or outlive a
class (issue 13): sealed cache entries, transient failures never memoised, a
cache folder that never lands in / or creates a HOME; links and FIFOs among
the submissions, an output folder that cannot be written, `kill -9`."""
import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from dlcheck import batch, cache, reference
from dlcheck.cli import app
from dlcheck.verdict import CORRECT, ERROR, Outcome

pytestmark = pytest.mark.hostile

runner = CliRunner()
ANSWER = "set: csc413-a2\nauthor: {author}\nanswers:\n  '3.2': {{cnn_params: 21024}}\n"


@pytest.fixture()
def own_cache(tmp_path, monkeypatch):
    """An empty cache of this test's own, and no shipped lock to fill a miss: these attacks are on
    cache entries (a tampered lock entry fails its seal: tests/test_lockfile.py)."""
    from dlcheck import lockfile

    monkeypatch.setattr(lockfile, "locked_parts", lambda problem: None)
    monkeypatch.setenv("DLCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "_WARNED", [], raising=False)     # a fresh run: it warns again
    reference._RECENT.clear()
    yield tmp_path / "cache"
    reference._RECENT.clear()


def _memo(problem, compute):
    reference._RECENT.clear()                 # read from disk, as a new process would
    return reference.memoized(problem, ("hostile", "x"), compute)


def _entries(root: Path, kind: str) -> list:
    return sorted(root.glob(f"v*/{kind}/**/*.json"))


# -- caches -------------------------------------------------------------------------
@pytest.mark.parametrize("before, after", [('"correct"', '"incorrect"'), ("right", "wrong"),
                                           ('"verdict"', '"verdicx"')])
def test_an_edited_check_entry_is_recomputed_and_said(own_cache, bank, capsys, before, after):
    problem, calls = bank.problem("csc413-a2/3.1"), []

    def compute():
        calls.append(1)
        return Outcome(CORRECT, "right")

    _memo(problem, compute)
    [entry] = _entries(own_cache, "checks")
    entry.write_text(entry.read_text().replace(before, after, 1))        # still valid JSON
    again = _memo(problem, compute)
    assert (again.verdict, again.feedback, len(calls)) == (CORRECT, "right", 2)
    assert "was corrupt; recomputed" in capsys.readouterr().err
    assert _memo(problem, compute).feedback == "right" and len(calls) == 2   # the repaired entry is used


def test_a_tampered_but_well_formed_reference_is_recomputed(own_cache, bank, capsys):
    problem = bank.problem("csc413-a2/3.1")
    assert reference.references(problem, bank)["padding"].value == 1
    [entry] = _entries(own_cache, "refs")
    data = json.loads(entry.read_text())
    data["parts"]["padding"]["value"] = 7
    entry.write_text(json.dumps(data))
    assert reference.references(problem, bank)["padding"].value == 1
    assert "was corrupt" in capsys.readouterr().err


def test_a_reference_entry_of_the_wrong_shape_is_recomputed(own_cache, bank):
    problem = bank.problem("csc413-a2/3.1")
    reference.references(problem, bank)
    [entry] = _entries(own_cache, "refs")
    data = json.loads(entry.read_text())
    data["parts"]["padding"]["steps"] = [{"not": "text"}]
    body = {k: v for k, v in data.items() if k != cache.SEAL}
    entry.write_text(json.dumps({**body, cache.SEAL: cache._checksum(body)}))     # a valid seal: the schema decides
    assert all(isinstance(s, str) for s in reference.references(problem, bank)["padding"].steps)


def test_an_outcome_from_json_checks_its_types():
    good = Outcome(CORRECT, "fine", ["a note"], "exact", 0.5).to_json()
    assert Outcome.from_json(good) == Outcome(CORRECT, "fine", ["a note"], "exact", 0.5)
    for field, bad in (("feedback", 3), ("notes", "a note"), ("credit", 2), ("credit", True), ("details", []),
                       ("transient", "yes")):
        with pytest.raises(ValueError):
            Outcome.from_json({**good, field: bad})


@pytest.mark.parametrize("failure", [dict(verdict=ERROR, feedback="the worker was killed", transient=True),
                                     dict(verdict="timeout", feedback="no decision within 3 s")])
def test_infrastructure_failures_are_never_memoised(own_cache, bank, failure):
    problem, calls, outcome = bank.problem("csc413-a2/3.1"), [], Outcome(**failure)

    def compute():
        calls.append(1)
        return outcome if len(calls) == 1 else Outcome(CORRECT, "an honest check, run again")

    assert _memo(problem, compute).verdict == outcome.verdict
    assert _memo(problem, compute).verdict == CORRECT and len(calls) == 2
    assert _memo(problem, compute).verdict == CORRECT and len(calls) == 2      # the honest one is kept


def test_transient_json_values_are_not_memoised_whatever_keep_says(own_cache, bank):
    calls = []

    def compute():
        calls.append(1)
        return {"status": "ok", "transient": True}

    for _ in range(2):
        reference._RECENT.clear()
        reference.memoized_json(bank.problem("csc413-a2/3.1"), ("transient",), compute, keep=lambda v: True)
    assert len(calls) == 2 and not _entries(own_cache, "checks")
    assert Outcome.from_json(Outcome(ERROR, transient=True).to_json()).transient


@pytest.mark.parametrize("home", ["", "relative/home", "/nonexistent-home-for-dlcheck/x"])
def test_cache_dir_never_lands_in_root_or_creates_a_home(monkeypatch, tmp_path, home):
    monkeypatch.delenv("DLCHECK_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", home)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    found = cache.cache_dir()
    assert found.parent == tmp_path and found.name == f"dlcheck-cache-{os.getuid()}"
    assert found.stat().st_mode & 0o777 == 0o700
    assert not Path("/nonexistent-home-for-dlcheck").exists() and not Path("/.cache/dlcheck").exists()


def test_cache_dir_prefers_xdg_then_a_real_home(monkeypatch, tmp_path):
    monkeypatch.delenv("DLCHECK_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "dlcheck"
    monkeypatch.setenv("XDG_CACHE_HOME", "not/absolute")
    assert cache.cache_dir() == tmp_path / ".cache" / "dlcheck"


def test_a_planted_temp_cache_folder_is_not_used(monkeypatch, tmp_path):
    monkeypatch.delenv("DLCHECK_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    planted = tmp_path / f"dlcheck-cache-{os.getuid()}"
    planted.mkdir(mode=0o777)
    planted.chmod(0o777)                                   # writable by anyone: not ours to trust
    assert cache.cache_dir() != planted and cache.cache_dir().parent == tmp_path


# -- batch: links, FIFOs, unwritable outputs ---------------------------------------------------
def _class(root: Path, names=("alice", "bob")) -> Path:
    for name in names:
        (root / name).mkdir(parents=True)
        (root / name / "hw.yaml").write_text(ANSWER.format(author=name))
    return root


def _records(out: Path) -> dict:
    """Each result by its submission's path, from the folder it is in: {"alice/hw.yaml": record}."""
    found = {}
    for path in (out / "results").glob("*.json"):
        record = json.loads(path.read_text())
        found["/".join(Path(record["submission"]).parts[-2:])] = record
    return found


@pytest.mark.parametrize("link", ["file", "folder"])
def test_a_link_to_another_students_file_keeps_both_students(tmp_path, link):
    klass = _class(tmp_path / "class")
    if link == "file":
        (klass / "zed").mkdir()
        (klass / "zed" / "hw.yaml").symlink_to("../alice/hw.yaml")
    else:
        (klass / "zed").symlink_to("alice")
    (klass / "bob" / "loop").symlink_to("..")            # a loop is not followed (and costs nobody)
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(klass), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    records = _records(out)
    alice, zed = records["alice/hw.yaml"], records["zed/hw.yaml"]
    assert set(records) == {"alice/hw.yaml", "bob/hw.yaml", "zed/hw.yaml"}
    assert alice["status"] == "graded" and alice["report"]["author"] == "alice"
    assert zed["status"] == "duplicate" and zed["duplicate_of"] == alice["id"]
    assert "zed/hw.yaml is a link" in result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert [e.get("duplicate_of") for e in summary["errors"]] == [alice["id"]]
    gradebook = (out / "gradebook.csv").read_text()
    assert "alice/hw.yaml" in gradebook and "zed/hw.yaml" in gradebook


def test_a_fifo_is_an_error_entry_not_a_hang(tmp_path):
    klass = _class(tmp_path / "class", ("alice",))
    os.mkfifo(klass / "alice" / "pipe.yaml")
    os.mkfifo(tmp_path / "named.yaml")
    out = tmp_path / "out"
    result = _dlcheck("batch", klass, tmp_path / "named.yaml", "--out", out, "--jobs", "1", timeout=120)
    assert result.returncode == 0, result.stderr
    records = _records(out)
    assert records["alice/hw.yaml"]["status"] == "graded"
    for name in ("alice/pipe.yaml", f"{tmp_path.name}/named.yaml"):
        assert records[name]["status"] == "error" and "FIFO" in records[name]["error"], name
    single = _dlcheck("grade", tmp_path / "named.yaml", timeout=60)
    assert single.returncode == 2 and "FIFO" in single.stderr


def test_an_unwritable_out_folder_stops_before_grading(tmp_path, monkeypatch):
    klass = _class(tmp_path / "class")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    graded = []
    monkeypatch.setattr(batch, "run", lambda *args, **kwargs: graded.append(args))
    result = runner.invoke(app, ["batch", str(klass), "--out", str(blocker / "out"), "--jobs", "1"])
    assert result.exit_code == 2 and "cannot write" in result.stderr and "Traceback" not in result.output
    assert graded == []


_REAL_WRITE = batch.write_json_atomic


def _disk_fills_after_one(path, data, *args, **kwargs):
    """write_json_atomic on a disk that is full once the first result is saved."""
    if any(path.parent.glob("*.json")):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return _REAL_WRITE(path, data, *args, **kwargs)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_disk_stops_the_batch_and_names_the_file(tmp_path, monkeypatch, jobs):
    klass = _class(tmp_path / "class", ("alice", "bob", "carol", "dave"))
    out = tmp_path / "out"
    monkeypatch.setattr(batch, "write_json_atomic", _disk_fills_after_one)   # workers are forked: they see it
    result = runner.invoke(app, ["batch", str(klass), "--out", str(out), "--jobs", jobs])
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.stderr and "results/" in result.stderr
    assert "--resume" in result.stderr and "internal error" not in result.output
    assert 1 <= len(list((out / "results").glob("*.json"))) < 4              # what was saved is kept


# -- batch: kill -9 -----------------------------------------------------------------------------
SLOW_BATCH = textwrap.dedent("""
    import sys, time
    from dlcheck import batch

    def slow(job, out):                  # a grading that takes its time
        time.sleep(120)

    batch.grade_one = slow               # the workers are forked from here: they run it
    from dlcheck.cli import app
    app(sys.argv[1:])
""")


def _children(pid: int) -> set:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signals are Linux's")
def test_kill_9_of_the_batch_leaves_no_worker(tmp_path):
    klass = _class(tmp_path / "class", ("a", "b", "c", "d"))
    parent = subprocess.Popen([sys.executable, "-c", SLOW_BATCH, "batch", str(klass), "--out", str(tmp_path / "out"),
                               "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    try:
        deadline = time.monotonic() + 120
        while len(_children(parent.pid)) < 2 and time.monotonic() < deadline and parent.poll() is None:
            time.sleep(0.2)
        workers = _children(parent.pid)
        assert len(workers) >= 2, "the batch never started its workers"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [pid for pid in workers if _alive(pid)]
        for pid in left:                                  # clean up before failing
            os.kill(pid, signal.SIGKILL)
        assert not left, f"workers {left} outlived their batch"
    finally:
        if parent.poll() is None:
            parent.kill()


def _dlcheck(*args, timeout: float):
    command = [sys.executable, "-m", "dlcheck", *map(str, args)]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=_env())
    except subprocess.TimeoutExpired:
        pytest.fail(f"`dlcheck {' '.join(map(str, args))}` hung")


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}
