"""Run a function in a worker process, killed at a time limit.

Whatever can hang (sympy simplification, evaluating an exponent tower) runs
there, so a hang costs one `timeout` verdict and the grader goes on. The worker
is forked once and then runs check after check: forking a grader that has sympy
loaded copies its page tables, 4–8 ms, most of a formula's check. It is replaced
after a timeout, a crash or an interruption (its state is then unknown), after
MAX_CALLS checks (so what a check left behind cannot build up), and when the
grader has imported a module since the fork (the worker would otherwise import
it itself, inside a check's time limit). The worker has a memory ceiling, and
dies with its parent (`die_with_parent`, also used by batch workers). POSIX only;
elsewhere the function runs inline."""
from __future__ import annotations

import atexit
import gc
import os
import pickle

try:
    import resource
except ImportError:         # Windows: no POSIX limits (run_limited runs inline there; the sandbox says
    resource = None         # it is unavailable and never runs code)
import select
import signal
import struct
import sys
import threading
import time

MEMORY_HEADROOM = 1 << 30   # the worker may grow by 1 GiB over what it inherited
MAX_CALLS = 200             # checks one worker runs before a fresh one takes over
PARENT_POLL = 5.0           # seconds between an idle worker's checks that its parent lives
PR_SET_PDEATHSIG = 1        # <linux/prctl.h>
_LENGTH = struct.Struct("!Q")   # each message: its length, then a pickle


class Timeout(Exception):
    pass


def run_limited(fn, *args, seconds: float = 3.0):
    """fn(*args) in the worker; Timeout if it runs past `seconds`. fn and args
    travel by pickle (fn: a module-level function). Exceptions raised by fn are
    re-raised here (as RuntimeError if they cannot be pickled)."""
    if not hasattr(os, "fork"):
        return fn(*args)
    with _Worker.lock:          # one check at a time: the pipes carry one conversation
        worker = _Worker.ready()
        try:
            kind, value = worker.call(fn, args, seconds)
        except BaseException:   # timed out, died, or we were interrupted mid-check
            _Worker.retire()
            raise
        if kind == "error" and isinstance(value, (MemoryError, RecursionError)):
            _Worker.retire()    # it survived, but may keep what it grew
    if kind == "error":
        raise value
    return value


def worker_pid() -> int | None:
    """The live worker's process id, if this process has one (for bench/bench_equiv.py)."""
    worker = _Worker.current
    return worker.pid if worker is not None and worker.owner == os.getpid() else None


class _Worker:
    """The forked process that runs the checks, and the two pipes to it."""
    current = None
    lock = threading.Lock()

    def __init__(self):
        _prctl()                  # loaded here, once: the worker only calls it
        self.owner = os.getpid()
        requests_in, self.requests = os.pipe()
        self.replies, replies_out = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self.requests)
            os.close(self.replies)
            _serve(self.owner, requests_in, replies_out)
        os.close(requests_in)
        os.close(replies_out)
        self.calls, self.modules = 0, len(sys.modules)

    @classmethod
    def ready(cls) -> _Worker:
        worker = cls.current
        if worker is not None and worker.owner != os.getpid():
            worker.forget()         # inherited through a fork (a batch worker): its parent's, not ours
            worker = cls.current = None
        if worker is not None and (worker.calls >= MAX_CALLS or len(sys.modules) > worker.modules
                                   or not worker.alive()):
            cls.retire()
            worker = None
        if worker is None:
            worker = cls.current = cls()
        return worker

    @classmethod
    def retire(cls) -> None:
        worker, cls.current = cls.current, None
        if worker is not None and worker.owner == os.getpid():
            worker.forget()
            _reap(worker.pid)

    def alive(self) -> bool:
        try:
            return os.waitpid(self.pid, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            return False

    def forget(self) -> None:
        for fd in (self.requests, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass

    def call(self, fn, args, seconds: float):
        self.calls += 1
        _send(self.requests, pickle.dumps((fn, args)))
        deadline = time.monotonic() + seconds
        data = _receive(self.replies, lambda: _until(deadline, seconds))
        if data is None:
            raise RuntimeError("the worker ended without an answer (out of memory?)")
        return pickle.loads(data)


def _until(deadline: float, seconds: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise Timeout(f"gave up after {seconds:g} s")
    return left


def _serve(parent: int, requests: int, replies: int):
    """The worker's life: answer requests until the parent is gone. Never returns."""
    status = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C is the parent's to handle; it retires us
        die_with_parent(parent)
        gc.freeze()           # collections skip what was inherited, so they do not copy the parent's pages
        _limit_memory()
        while (data := _receive(requests, lambda: _parent_alive(parent))) is not None:
            fn, args = pickle.loads(data)
            try:
                payload = ("ok", fn(*args))
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                payload = ("error", exc)
            try:
                reply = pickle.dumps(payload)
            except Exception:  # noqa: BLE001 - an unpicklable result or exception: its text instead
                reply = pickle.dumps(("error", RuntimeError(repr(payload[1])[:500])))
            _send(replies, reply)
    except BaseException:  # noqa: BLE001 - the worker never returns into the grader's code
        status = 1
    finally:
        os._exit(status)


def _parent_alive(parent: int) -> float:
    """How long to wait for the next request; gone when the parent is (where
    PR_SET_PDEATHSIG does not exist, an idle worker notices it here)."""
    if os.getppid() != parent:
        raise SystemExit(0)
    return PARENT_POLL


def _send(fd: int, data: bytes) -> None:
    message = memoryview(_LENGTH.pack(len(data)) + data)
    while message:
        message = message[os.write(fd, message):]


def _receive(fd: int, wait) -> bytes | None:
    """One message, or None at the end of the pipe. `wait()` gives the seconds
    to wait for more, or raises (Timeout, or the parent gone)."""
    header = _read_exactly(fd, _LENGTH.size, wait)
    if header is None:
        return None
    return _read_exactly(fd, _LENGTH.unpack(header)[0], wait)


def _read_exactly(fd: int, size: int, wait) -> bytes | None:
    chunks, got = [], 0
    while got < size:
        ready, _, _ = select.select([fd], [], [], wait())
        if not ready:
            continue
        chunk = os.read(fd, min(size - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


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


atexit.register(_Worker.retire)     # a clean exit leaves no worker behind (a killed one: die_with_parent)
if hasattr(os, "register_at_fork"):  # a child forked while another thread held the lock starts with it free
    os.register_at_fork(after_in_child=lambda: setattr(_Worker, "lock", threading.Lock()))
