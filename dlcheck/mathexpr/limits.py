"""Run a function in a forked worker process, killed at a time limit.

Whatever can hang (sympy simplification, evaluating an exponent tower) runs
here, so a hang costs one `timeout` verdict and the grader goes on. The child
also gets a memory ceiling, and dies with its parent (`die_with_parent`, also
used by batch workers). POSIX only; elsewhere the function runs inline."""
from __future__ import annotations

import gc
import os
import pickle
try:
    import resource
except ImportError:         # Windows: no POSIX limits (run_limited runs inline there; the sandbox says
    resource = None         # it is unavailable and never runs code)
import select
import signal
import sys
import time

MEMORY_HEADROOM = 1 << 30   # the child may grow by 1 GiB over what it inherited
PR_SET_PDEATHSIG = 1        # <linux/prctl.h>


class Timeout(Exception):
    pass


def run_limited(fn, *args, seconds: float = 3.0):
    """fn(*args) in a forked child; Timeout if it runs past `seconds`. Exceptions
    raised by fn are re-raised here (as RuntimeError if they cannot be pickled)."""
    if not hasattr(os, "fork"):
        return fn(*args)
    parent = os.getpid()
    _prctl()                  # loaded here, once: the child only calls it
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        gc.disable()          # a short, memory-limited life: collecting would only copy the parent's pages
        status = 0
        try:
            die_with_parent(parent)
            _limit_memory()
            try:
                payload = ("ok", fn(*args))
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                payload = ("error", exc)
            try:
                data = pickle.dumps(payload)
            except Exception:
                data = pickle.dumps(("error", RuntimeError(repr(payload[1])[:500])))
            with os.fdopen(write_fd, "wb") as out:
                out.write(data)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_fd)
    chunks, deadline = [], time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout(f"gave up after {seconds:g} s")
            ready, _, _ = select.select([read_fd], [], [], left)
            if ready:
                chunk = os.read(read_fd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(read_fd)
        _reap(pid)
    if not chunks:
        raise RuntimeError("the worker ended without an answer (out of memory?)")
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "error":
        raise value
    return value


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel SIGKILL this process when its parent dies (Linux's
    PR_SET_PDEATHSIG), so a parent killed with `kill -9` (or by the OOM killer)
    leaves no orphan computing. The parent may have died before the request took
    effect: then we were already adopted, and exit now."""
    prctl = _prctl()
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(1)


_PRCTL = []


def _prctl():
    """libc's prctl, or None off Linux (the check of the parent still applies)."""
    if not _PRCTL:
        try:
            import ctypes

            _PRCTL.append(ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None)
        except (OSError, AttributeError):
            _PRCTL.append(None)
    return _PRCTL[0]


def _limit_memory():
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[0])
        current = pages * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (current + MEMORY_HEADROOM, current + MEMORY_HEADROOM))
    except (OSError, ValueError):
        pass


def _reap(pid: int):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
