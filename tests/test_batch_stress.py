"""`dlcheck batch` under stress (issue 17): Ctrl-C once or twice ends the run
at once with no process of it left and every finished result kept; a hung
submission becomes a `timeout` entry without stalling the class; a progress
bar on a terminal, plain lines in a log.

The batch runs as a real process (its own session, as a terminal's foreground
job) on a toy bank. A submission whose folder is named `slow-…` starts a child
that ignores SIGINT (as a sandbox might) and waits for it: its worker never
finishes by itself. Every process of the run carries a marker in its
environment, so "no process left behind" is a count of the processes that
carry it, before and after. Bounds are liveness bounds (30 s to exit after
Ctrl-C), never a measured duration."""
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from conftest import ROOT
from dlcheck import batchcli
from dlcheck.batch import descendants

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process counts are read from /proc")

STRESSED_BATCH = textwrap.dedent("""
    import subprocess, sys
    from dlcheck import batch

    real = batch.grade_one

    def grade_one(job, out):
        if job.name.startswith("slow-"):          # a submission that hangs, under a child deaf to Ctrl-C
            subprocess.run([sys.executable, "-c", "import signal, time; "
                            "signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(600)"])
        return real(job, out)

    batch.grade_one = grade_one                   # the workers are forked from here: they run it
    from dlcheck.cli import app
    app(sys.argv[1:])
""")

SOLVER = ("from dlcheck.reference import Reference\n\n\n"
          "def solve(given):\n    return {k: Reference(v, ['as given']) for k, v in given.items()}\n")


@pytest.fixture()
def course(tmp_path):
    bank = tmp_path / "bank" / "toy"
    bank.mkdir(parents=True)
    (bank / "q1.yaml").write_text("title: toy\nstatement: Give n.\ngiven: {n: 5}\nparts:\n  n: {kind: integer}\n")
    (bank / "q1.py").write_text(SOLVER)
    klass = tmp_path / "class"
    for name in ("a1", "a2", "a3", "slow-1", "slow-2"):
        (klass / name).mkdir(parents=True)
        (klass / name / "hw.yaml").write_text("set: toy\nanswers:\n  q1: 5\n")
    return tmp_path


def marked(mark: str) -> list:
    """Living processes whose environment carries `mark`."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            if mark.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except (OSError, IndexError):
            continue
    return found


def start(course: Path, *args) -> tuple:
    mark = f"DLCHECK_STRESS_MARK={uuid.uuid4().hex}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DLCHECK_PROBLEMS": str(course / "bank"),
           mark.split("=")[0]: mark.split("=")[1]}
    proc = subprocess.Popen([sys.executable, "-c", STRESSED_BATCH, "batch", str(course / "class"),
                             "--out", str(course / "out"), "--format", "csv", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    return proc, mark


def wait_for(condition, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def results(course: Path) -> dict:
    return {json.loads(p.read_text())["id"].split("__")[0]: json.loads(p.read_text())
            for p in (course / "out" / "results").glob("*.json")}


def cleanup(proc, mark: str) -> None:
    for pid in marked(mark):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if proc.poll() is None:
        proc.kill()
    proc.communicate()


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_leaves_no_process_and_keeps_finished_results(course, presses):
    proc, mark = start(course, "--jobs", "2")
    try:
        # the three quick ones are graded; both workers hold a hung submission and its child
        busy = wait_for(lambda: len(results(course)) == 3 and len(marked(mark)) >= 5 or proc.poll() is not None)
        before, tree = marked(mark), descendants(proc.pid)
        assert busy and proc.poll() is None and len(before) >= 5, (before, proc.poll())
        interrupt(proc, presses)
        try:
            _, err = proc.communicate(timeout=30)            # a liveness bound, not a measurement
        except subprocess.TimeoutExpired:
            pytest.fail("the batch did not exit within 30 s of Ctrl-C")
        assert wait_for(lambda: not marked(mark), 10), f"left behind: {marked(mark)} (before: {before})"
        assert not [pid for pid in tree if alive(pid)]
        assert proc.returncode == 130, err
        assert "Traceback" not in err and "--resume" in err and "interrupted after 3 of 5" in err, err
        kept = results(course)
        assert sorted(kept) == ["a1", "a2", "a3"] and all(r["status"] == "graded" for r in kept.values())
    finally:
        cleanup(proc, mark)


def interrupt(proc, presses: int) -> None:
    """Ctrl-C on a terminal: SIGINT to the whole foreground group, `presses` times 0.5 s apart."""
    for press in range(presses):
        if press:
            time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGINT)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


HUNG_MODEL = '''set: csc413-a2
answers:
  "4.1": |
    class PoolUpsampleNet:
        def __init__(self, *args, **kwargs):
            while True:
                pass
'''


@pytest.mark.slow
def test_ctrl_c_twice_with_real_sandboxes_leaves_no_process(tmp_path):
    """The bundled bank, code answers that never return: workers, bubblewrap and sandbox
    workers (a fresh session and environment of their own) all end with the batch."""
    for name in "abcd":
        (tmp_path / "class" / name).mkdir(parents=True)
        (tmp_path / "class" / name / "hw.yaml").write_text(HUNG_MODEL)
    proc = subprocess.Popen([sys.executable, "-m", "dlcheck", "batch", str(tmp_path / "class"), "--out",
                             str(tmp_path / "out"), "--jobs", "2", "--format", "csv"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True)
    tree = []
    try:
        in_sandbox = wait_for(lambda: sum("sandbox.worker" in command_line(pid)
                                          for pid in descendants(proc.pid)) >= 2 or proc.poll() is not None, 300)
        tree = descendants(proc.pid)
        if not in_sandbox or proc.poll() is not None:
            pytest.skip("no sandbox process started here (no bubblewrap?)")
        interrupt(proc, 2)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("the batch did not exit within 30 s of Ctrl-C")
        assert proc.returncode == 130 and "Traceback" not in err, err
        assert wait_for(lambda: not [pid for pid in tree if alive(pid)], 10), \
            [command_line(pid)[:80] for pid in tree if alive(pid)]
    finally:
        for pid in tree:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def test_a_hung_submission_is_a_timeout_and_the_class_goes_on(course):
    proc, mark = start(course, "--jobs", "2", "--timeout", "8")
    try:
        try:
            _, err = proc.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            pytest.fail("a hung submission stalled the class")
        assert proc.returncode == 0, err
        assert wait_for(lambda: not marked(mark), 10), f"left behind: {marked(mark)}"
        records = results(course)
        assert {k: r["status"] for k, r in records.items()} == {
            "a1": "graded", "a2": "graded", "a3": "graded", "slow-1": "timeout", "slow-2": "timeout"}
        assert records["slow-1"]["limit_s"] == 8 and "8 s (--timeout)" in records["slow-1"]["error"]
        assert "2 past the time limit" in err
        gradebook = (course / "out" / "gradebook.csv").read_text()
        assert gradebook.count("timeout") >= 2
    finally:
        cleanup(proc, mark)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def brief(k: int) -> dict:
    return {"id": f"s{k}", "submission": f"s{k}/hw.yaml", "status": "graded", "error": None, "score": 1.0,
            "max_score": 2.0, "parts": 3, "not_graded": 0}


def test_a_progress_bar_on_a_terminal(monkeypatch):
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    monkeypatch.setenv("TERM", "xterm-256color")
    with batchcli._Progress(4) as progress:
        for k in range(4):
            progress.done(brief(k))
            progress.tick(force=True)
    shown = screen.getvalue()
    assert "grading" in shown and "4/4" in shown and "parts/s" in shown and "ETA" in shown
    assert "[1/4]" not in shown                              # no log lines on a terminal


def test_plain_lines_in_a_log(monkeypatch):
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    with batchcli._Progress(4) as progress:
        for k in range(4):
            progress.done(brief(k))
    lines = log.getvalue().splitlines()
    assert lines[-1].startswith("[4/4] s3/hw.yaml: 1/2  (") and "parts/s, ETA" in lines[-1]
    assert "\x1b[" not in log.getvalue()                     # no terminal codes in a CI log


TORCH_SOLVER = textwrap.dedent("""
    import torch
    from dlcheck.reference import Reference


    def solve(given):
        x = torch.randn(800, 800)
        p = torch.nn.Parameter(torch.randn(100000))
        opt = torch.optim.SGD([p], lr=0.1)
        p.grad = torch.randn(100000)
        opt.step()                                         # OpenMP parallel regions
        assert float((x @ x).sum()) == float((x @ x).sum())
        return {k: Reference(v, ["as given"]) for k, v in given.items()}
""")


def use_threads_here():
    torch = pytest.importorskip("torch")
    x = torch.randn(800, 800)
    p = torch.nn.Parameter(torch.randn(100000))
    opt = torch.optim.SGD([p], lr=0.1)
    p.grad = torch.randn(100000)
    opt.step()
    return float((x @ x).sum())


def test_workers_forked_after_torch_ran_here_do_not_hang(tmp_path, monkeypatch):
    """A process that ran torch's OpenMP pool, then forked a worker that runs torch again:
    without care the worker waits forever for threads that did not survive the fork."""
    from typer.testing import CliRunner

    from dlcheck.cli import app

    use_threads_here()
    bank = tmp_path / "bank" / "toy"
    bank.mkdir(parents=True)
    (bank / "q1.yaml").write_text("title: toy\nstatement: Give n.\ngiven: {n: 5}\nparts:\n  n: {kind: integer}\n")
    (bank / "q1.py").write_text(TORCH_SOLVER)
    (tmp_path / "class" / "a").mkdir(parents=True)
    (tmp_path / "class" / "a" / "hw.yaml").write_text("set: toy\nanswers:\n  q1: 5\n")
    monkeypatch.setenv("DLCHECK_PROBLEMS", str(tmp_path / "bank"))
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--jobs",
                                      "1", "--no-cache", "--format", "csv", "--timeout", "120"])
    assert result.exit_code == 0, result.output
    record = json.loads(next((tmp_path / "out" / "results").glob("*.json")).read_text())
    assert record["status"] == "graded" and record["report"]["score"] == 1, record.get("error")
