"""The checking worker (mathexpr/limits.py): kept between checks, replaced whenever
its state is in doubt, never shared with a forked child, never left behind."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from dlcheck.mathexpr import limits
from dlcheck.mathexpr.limits import Timeout, run_limited

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the worker is POSIX only (inline elsewhere)")


class Interrupted(Exception):
    pass


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def allocate(size: int) -> int:
    return len(bytearray(size))


def test_the_worker_is_kept_between_checks():
    first = run_limited(os.getpid)
    assert first != os.getpid()
    assert run_limited(os.getpid) == first
    assert run_limited(pow, 2, 10) == 1024


def test_an_error_in_a_check_is_raised_here_and_the_worker_stays():
    worker = run_limited(os.getpid)
    with pytest.raises(ValueError, match="invalid literal"):
        run_limited(int, "x")
    assert run_limited(os.getpid) == worker


def test_a_timeout_replaces_the_worker():
    worker = run_limited(os.getpid)
    with pytest.raises(Timeout, match="gave up after 0.3 s"):
        run_limited(time.sleep, 30, seconds=0.3)
    assert gone(worker)
    assert run_limited(os.getpid) not in (worker, os.getpid())


def test_a_worker_that_dies_in_a_check_is_an_error_and_replaced():
    worker = run_limited(os.getpid)
    with pytest.raises(RuntimeError, match="ended without an answer"):
        run_limited(os._exit, 3)
    assert run_limited(os.getpid) != worker


def test_a_worker_killed_between_checks_is_replaced():
    worker = run_limited(os.getpid)
    os.kill(worker, signal.SIGKILL)
    for _ in range(500):                    # the kernel takes a moment to end it
        if not limits._Worker.current.alive():
            break
        time.sleep(0.01)
    assert run_limited(os.getpid) != worker


def test_the_worker_has_a_memory_ceiling_and_is_replaced_after_hitting_it():
    worker = run_limited(os.getpid)
    with pytest.raises(MemoryError):
        run_limited(allocate, limits.MEMORY_HEADROOM * 2)
    assert gone(worker)
    assert run_limited(allocate, 1 << 20) == 1 << 20


def test_a_module_imported_since_the_fork_gets_a_fresh_worker(tmp_path, monkeypatch):
    worker = run_limited(os.getpid)
    (tmp_path / "fresh_module_for_the_worker.py").write_text("def triple(x):\n    return 3 * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import fresh_module_for_the_worker as fresh  # the old worker could not unpickle its function

    try:
        assert run_limited(fresh.triple, 2) == 6
        assert run_limited(os.getpid) != worker
    finally:
        del sys.modules["fresh_module_for_the_worker"]


def test_a_worker_runs_at_most_max_calls_checks(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CALLS", 3)
    limits._Worker.retire()
    pids = [run_limited(os.getpid) for _ in range(4)]
    assert pids[0] == pids[1] == pids[2] != pids[3]


def test_an_interrupted_check_retires_the_worker():
    worker = run_limited(os.getpid)

    def interrupt(*_):
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(Interrupted):
            run_limited(time.sleep, 30, seconds=60)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert gone(worker)
    assert run_limited(os.getpid) != worker


def test_ctrl_c_is_the_parents_to_handle():
    worker = run_limited(os.getpid)
    os.kill(worker, signal.SIGINT)          # a terminal's Ctrl-C reaches the whole process group
    assert run_limited(os.getpid) == worker


def test_a_forked_child_never_uses_its_parents_worker():
    worker = run_limited(os.getpid)
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(read_end)
            mine = run_limited(os.getppid)      # the parent of the child's own worker
            os.write(write_end, str(mine == os.getpid()).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    with os.fdopen(read_end) as answer:
        assert answer.read() == "True"
    assert run_limited(os.getpid) == worker   # the child neither used nor stopped ours


LEAVES = textwrap.dedent("""
    import os, sys, time
    from dlcheck.mathexpr.limits import run_limited
    print(run_limited(os.getpid), flush=True)
    if sys.argv[1] == "hang":
        time.sleep(60)
""")


@pytest.mark.parametrize("how", ["exits", "is killed"])
def test_no_worker_outlives_its_grader(how):
    grader = subprocess.Popen([sys.executable, "-c", LEAVES, "hang" if how == "is killed" else "exit"],
                              stdout=subprocess.PIPE, text=True)
    worker = int(grader.stdout.readline())
    if how == "is killed":
        grader.kill()                       # no atexit: the kernel's parent-death signal ends the worker
    grader.wait(timeout=30)
    for _ in range(500):                    # a bound, not a speed: it fails only if the worker lives on
        if gone(worker) or _zombie(worker):
            return
        time.sleep(0.01)
    pytest.fail(f"worker {worker} outlived its grader")


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_threads_take_turns_with_the_one_worker():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda n: run_limited(pow, n, 2), range(40)))
    assert answers == [n * n for n in range(40)]
