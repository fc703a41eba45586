"""The sandbox's worker: imports torch once, then forks a child per request.

Runs only inside the sandbox process (see sandbox.py). Each child: new
session, fresh temporary directory, CPU limit; the worker enforces the wall
clock and watches the child's resident memory, killing its whole process
group on any breach. Submitted code is executed only here."""
from __future__ import annotations

import json
import os
import resource
import signal
import sys
import tempfile
import time

import numpy  # noqa: F401 - warm, like torch: children may not be able to read the venv once they are nobody
import torch  # warm: imported once, shared by every forked child

from dlcheck import sandbox_checks

torch.set_num_threads(1)
NOBODY = 65534


def main() -> None:
    limits = json.loads(sys.argv[1])
    print("ready", flush=True)
    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            print(json.dumps({"status": "error", "message": "bad request"}), flush=True)
            continue
        print(json.dumps(run_one(request, limits)), flush=True)


def run_one(request: dict, limits: dict) -> dict:
    limits = {**limits, **{k: request[k] for k in ("wall_seconds", "cpu_seconds", "memory_mb") if k in request}}
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(request, limits, write_fd)
    os.close(write_fd)
    return _supervise(pid, read_fd, limits)


def _child(request, limits, write_fd):
    status = 0
    try:
        os.setsid()
        workdir = tempfile.mkdtemp(prefix="check-")
        if limits.get("drop_to_nobody") and os.getuid() == 0:  # outside bubblewrap: never run code as root
            os.chown(workdir, NOBODY, NOBODY)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        os.chdir(workdir)
        cpu = int(limits["cpu_seconds"])
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        try:
            result = {"status": "ok", **sandbox_checks.dispatch(request)}
        except sandbox_checks.SubmissionError as exc:
            result = {"status": "error", **exc.details}
        data = json.dumps(result, default=str).encode()
        os.write(write_fd, data)
    except BaseException:  # noqa: BLE001 - the child must never fall back into the worker loop
        status = 1
    finally:
        os._exit(status)


def _supervise(pid: int, read_fd: int, limits: dict) -> dict:
    deadline = time.monotonic() + float(limits["wall_seconds"])
    memory_limit = int(limits["memory_mb"]) * 1024 * 1024
    chunks, verdict, exit_status = [], None, 0
    os.set_blocking(read_fd, False)
    while True:
        try:
            chunk = os.read(read_fd, 1 << 16)
            if chunk == b"":  # the child closed its end: collect how it ended
                exit_status = _wait_briefly(pid)
                break
            chunks.append(chunk)
            continue
        except BlockingIOError:
            pass
        finished, exit_status = os.waitpid(pid, os.WNOHANG)
        if finished:
            chunks.extend(_drain(read_fd))
            break
        if time.monotonic() > deadline:
            verdict = {"status": "timeout", "message": f"stopped after {limits['wall_seconds']:g} s"}
            break
        if _rss(pid) > memory_limit:
            verdict = {"status": "error", "message": f"used more than {limits['memory_mb']} MB of memory"}
            break
        time.sleep(0.005)
    _kill_group(pid)
    os.close(read_fd)
    if verdict:
        return verdict
    if chunks:
        try:
            return json.loads(b"".join(chunks))
        except ValueError:
            pass
    if os.WIFSIGNALED(exit_status):
        sig = os.WTERMSIG(exit_status)
        name = "CPU time limit" if sig == signal.SIGXCPU else signal.Signals(sig).name
        kind = "timeout" if sig == signal.SIGXCPU else "error"
        return {"status": kind, "message": f"the submitted code was killed ({name})"}
    return {"status": "error", "message": "the submitted code ended the process without a result"}


def _wait_briefly(pid: int) -> int:
    for _ in range(200):
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            return status
        time.sleep(0.005)
    return 0


def _drain(fd) -> list:
    out = []
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            break
        if not chunk:
            break
        out.append(chunk)
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _kill_group(pid: int):
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


if __name__ == "__main__":
    main()
