"""The sandbox's template: imports torch once, then forks a fresh child for each
check and never runs submitted code itself.

Requests arrive on one pipe and replies leave on another, each tagged with the
request's nonce; the worker's own stdin, stdout and stderr lead nowhere. Before
a child runs submitted code it closes both protocol pipes and sends its own
output to a capped file, so nothing it prints, and nothing it starts, can speak
for the worker. The worker is not dumpable (a child cannot open its pipes
through /proc) and adopts every orphan (a child subreaper), so after each check
it kills the whole tree the code left behind and wipes the scratch space: the
next check starts from the clean template. While a check runs the worker holds
its wall clock, the memory of all its processes together, their number and its
disk writes to the limits it was given.

Runs only inside the sandbox (see box.py)."""
from __future__ import annotations

import ctypes
import gc
import importlib
import json
import os
try:
    import resource
except ImportError:         # Windows: no POSIX limits (run_limited runs inline there; the sandbox says
    resource = None         # it is unavailable and never runs code)
import shutil
import signal
import sys
import tempfile
import time

from dlcheck.sandbox import wire

NOBODY = 65534
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 1, 4, 36
# imported before any child drops to `nobody`, who may not be able to read Python's own
# files (an interpreter installed under /root): what submitted code commonly imports
PRELOAD = ("numpy", "torch", "torch.nn.functional", "torch.nn.init", "torch.optim", "torch.utils.data",
           "numpy.linalg", "numpy.random", "secrets", "random", "math", "cmath", "collections",
           "collections.abc", "itertools", "functools", "operator", "typing", "dataclasses", "copy",
           "numbers", "statistics", "string", "re", "enum", "abc", "time", "json", "heapq", "bisect",
           "contextlib", "warnings", "decimal", "fractions", "inspect", "traceback", "textwrap", "pprint",
           "dlcheck.sandbox.observe")
OUTPUT_FILE = ".output"


def _prctl(option: int, value: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):      # not Linux: the limits that need prctl are reported as missing
        pass


def main() -> None:
    requests_fd, replies_fd = int(sys.argv[1]), int(sys.argv[2])
    settings = json.loads(sys.argv[3])
    _prctl(PR_SET_DUMPABLE, 0)             # /proc/<worker>/fd is closed to its children
    _prctl(PR_SET_CHILD_SUBREAPER, 1)      # orphans of a check become ours, to be killed
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    operations = settings.get("operations", {})
    for name in PRELOAD + tuple(m for op in operations.values() for m in op["preload"]):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    from dlcheck.sandbox import observe

    observe.OPERATIONS.update(operations)
    import torch

    torch.set_num_threads(1)
    _warm_up(torch)
    gc.freeze()          # the template's objects: never scanned (so never copied) by a child's collector
    wire.write_all(replies_fd, wire.dumps({"ready": True}))
    reader = wire.LineReader(requests_fd)
    while True:
        try:
            request = reader.read(365 * 24 * 3600.0)
        except wire.WireError:
            break                          # the grader is gone (or sent garbage): end with it
        nonce = request.pop("nonce", None)
        reply = run_one(request, settings)
        wire.write_all(replies_fd, wire.dumps({"nonce": nonce, **reply}))
    _end_tree()


def _warm_up(torch) -> None:
    """Run the common layers once, forward and backward, traced, so the lazy set-up of torch's
    kernels happens here once and not in every child (measured: a 4.1 check 25 ms faster)."""
    from dlcheck.sandbox import observe, tracer

    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.MaxPool2d(2), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.Upsample(scale_factor=2), nn.ConvTranspose2d(4, 4, 3, stride=2, padding=1,
                                                                          output_padding=1),
                          nn.Dropout(0.1), nn.Flatten(), nn.Linear(4 * 16 * 16, 3))
    x = torch.randn(2, 1, 8, 8)
    with torch.no_grad():
        _, _, order = tracer.trace_with_order(model.eval(), x)
    observe.behaviour(model, x, order)


def run_one(request: dict, settings: dict) -> dict:
    limits = {**settings["limits"], **request.pop("limits", {})}
    scratch = settings["scratch"]
    workdir = tempfile.mkdtemp(prefix="check-", dir=scratch)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(request, limits, settings, workdir, write_fd)
    os.close(write_fd)
    try:
        return _supervise(pid, read_fd, limits)
    finally:
        _end_tree()
        os.close(read_fd)
        _wipe(scratch if settings.get("wipe_scratch") else workdir, whole=bool(settings.get("wipe_scratch")))


# -- the child: the only place submitted code runs ----------------------------------
def _child(request: dict, limits: dict, settings: dict, workdir: str, write_fd: int) -> None:
    status = 0
    try:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        os.setsid()
        os.closerange(3, write_fd)             # the protocol pipes (and anything else) are gone
        os.closerange(write_fd + 1, 1 << 16)
        if settings.get("drop_to_nobody") and os.getuid() == 0:   # outside bubblewrap: never run code as root
            os.chown(workdir, NOBODY, NOBODY)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        # the protocol pipes are closed: the check may be dumpable again, so that the worker
        # (without capabilities) can read its processes' memory maps for the memory limit
        _prctl(PR_SET_DUMPABLE, 1)
        os.chdir(workdir)
        _quiet_output(workdir)
        _set_limits(limits)
        from dlcheck.sandbox import observe

        try:
            result = {"status": "ok", **observe.dispatch(request)}
        except observe.SubmissionError as exc:
            result = {"status": "error", **exc.details}
        data = wire.dumps(result)
        if len(data) > wire.MAX_LINE:
            data = wire.dumps({"status": "error", "message": "the observations are too large to report"})
        wire.write_all(write_fd, data)
    except BaseException:  # noqa: BLE001 - the child must never fall back into the worker's loop
        status = 1
    finally:
        os._exit(status)


def _quiet_output(workdir: str) -> None:
    """stdin from /dev/null; stdout and stderr into a file of the check, never a pipe of ours."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    out = os.open(os.path.join(workdir, OUTPUT_FILE), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    sys.stdout = open(1, "w", buffering=1, closefd=False)
    sys.stderr = open(2, "w", buffering=1, closefd=False)


def _set_limits(limits: dict) -> None:
    cpu = int(limits["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    file_bytes = int(limits["disk_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # counted per user, so it binds `nobody` (the fallback mode); the watchdog counts too
    processes = int(limits["processes"]) * 4 + 64
    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    except (ValueError, OSError):
        pass


# -- the worker's watch over one check -------------------------------------------------
def _supervise(pid: int, read_fd: int, limits: dict) -> dict:
    import select

    deadline = time.monotonic() + float(limits["wall_seconds"])
    # the tree's proportional share of the template's pages (torch) is not the code's doing
    memory_limit = int(limits["memory_mb"]) * 1024 * 1024 + _resident(os.getpid())
    chunks, size, verdict, exit_status, next_look = [], 0, None, None, 0.0
    os.set_blocking(read_fd, False)
    while verdict is None:
        chunk = _read(read_fd)
        if chunk:
            chunks.append(chunk)
            size += len(chunk)
            if size > wire.MAX_LINE:
                verdict = _limit("error", f"reported more than {wire.MAX_LINE // 2 ** 20} MB")
            continue
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            exit_status = status
            chunks.extend(_drain(read_fd))
            break
        now = time.monotonic()
        if now > deadline:
            verdict = _limit("timeout", f"stopped after {float(limits['wall_seconds']):g} s (the wall-clock limit)")
        elif now >= next_look:
            verdict = _over_limits(limits, memory_limit)
            next_look = now + 0.02
        if verdict is None:
            select.select([read_fd], [], [], 0.005)
    if verdict is not None:
        return verdict
    return _result(b"".join(chunks), exit_status, limits)


def _over_limits(limits: dict, memory_limit: int) -> dict | None:
    tree = descendants()
    if len(tree) > int(limits["processes"]):
        return _limit("error", f"started more than {limits['processes']} processes (the process limit)")
    # one process: its resident size (cheap; shared pages count fully, which the template's size
    # in the limit covers); several: proportional shares (smaps_rollup costs ms), so forks that
    # share pages are not counted twice
    used = _resident(tree[0]) if len(tree) == 1 else sum(_memory(p) for p in tree)
    if used > memory_limit:
        return _limit("error", f"used more than {limits['memory_mb']} MB of memory, all its processes "
                               f"together (the memory limit)")
    return None


def _limit(status: str, message: str) -> dict:
    return {"status": status, "message": message, "limit": True}


def _result(data: bytes, exit_status: int | None, limits: dict) -> dict:
    if data:
        try:
            result = json.loads(data)
        except ValueError:
            result = None
        if isinstance(result, dict) and result.get("status") in ("ok", "error"):
            if result.get("limit") == "disk":
                result["message"] = f"{result.get('message')} of {limits['disk_mb']} MB"
            return result
        return {"status": "error", "message": "the submitted code wrote a malformed result"}
    if exit_status is not None and os.WIFSIGNALED(exit_status):
        sig = os.WTERMSIG(exit_status)
        if sig == signal.SIGXCPU:
            return _limit("timeout", f"used {limits['cpu_seconds']} s of CPU time (the CPU limit)")
        if sig == signal.SIGXFSZ:
            return _limit("error", f"wrote a file larger than {limits['disk_mb']} MB (the disk limit)")
        if sig == signal.SIGKILL:           # not ours (ours are verdicts above): the OOM killer, an operator
            return {"status": "error", "message": "the check was killed from outside (out of memory?)",
                    "transient": True}
        return {"status": "error", "message": f"the submitted code crashed ({signal.Signals(sig).name})"}
    return {"status": "error", "message": "the submitted code ended the process without a result"}


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 1 << 20)
    except BlockingIOError:
        return b""


def _drain(fd: int) -> list:
    out = []
    while True:
        chunk = _read(fd)
        if not chunk:
            return out
        out.append(chunk)


# -- the process tree ----------------------------------------------------------------------
def descendants(root: int | None = None) -> list:
    """Every live process below the worker (with the subreaper, orphans included)."""
    root = root or os.getpid()
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        for child in _children(pid):
            if child not in found:
                found.append(child)
                frontier.append(child)
    return found


def _children(pid: int) -> list:
    out = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            pass
    return out


def _memory(pid: int) -> int:
    """Proportional set size: pages shared with the template count once, not per process."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return _resident(pid)


def _resident(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _end_tree() -> None:
    """Kill everything a check left running, until nothing is left, and reap it."""
    for _ in range(1000):
        tree = descendants()
        if not tree:
            break
        for pid in tree:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        _reap()
        time.sleep(0.001)
    _reap()


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _wipe(path: str, whole: bool) -> None:
    """A check's folder, or (inside bubblewrap, where the scratch space is the sandbox's own
    /tmp) everything in the scratch space."""
    if not whole:
        shutil.rmtree(path, ignore_errors=True)
        return
    for entry in os.scandir(path):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            try:
                os.unlink(entry.path)
            except OSError:
                pass


if __name__ == "__main__":
    main()
