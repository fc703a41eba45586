"""Submitted code cannot forge, steal, hang or leave behind anything that changes
a verdict: its own, or the next submission's. Each attack runs in both sandbox
modes where it applies (bubblewrap when installed, and the process-limits
fallback), and the honest check after it keeps its true verdict."""
import os
from pathlib import Path
import textwrap
import time

import numpy as np
import pytest
import yaml

from conftest import ROOT
from dlcheck.kinds import code
from dlcheck.sandbox import Limits, Sandbox, bubblewrap
from dlcheck.sandbox.wire import LineReader, WireError, pack, unpack
from dlcheck.sandbox.worker import descendants

pytestmark = pytest.mark.hostile

MODES = ["bubblewrap", "fallback"] if bubblewrap() else ["fallback"]
HONEST_41 = yaml.safe_load((ROOT / "answers/csc413-a2/chatgpt-reviewed.yaml").read_text())["answers"][4.1]["answer"]
WRONG_41 = HONEST_41.replace("nn.BatchNorm2d(num_colours)", "nn.Identity()")


@pytest.fixture(scope="module", params=MODES)
def box(request):
    sandbox = Sandbox(Limits(wall_seconds=8, cpu_seconds=8, memory_mb=600, processes=12, disk_mb=20),
                      isolate=request.param == "bubblewrap")
    yield sandbox
    sandbox.close()


@pytest.fixture()
def shared_box(box, monkeypatch):
    """kinds.code talks to this sandbox (one per mode) instead of the process-wide one."""
    from dlcheck.sandbox import box as box_module

    monkeypatch.setattr(box_module, "shared", lambda *a, **k: box)
    return box


@pytest.fixture(scope="module")
def expected(bank):
    from dlcheck.reference import references

    return {pid: references(bank.problem(pid), bank) for pid in ("csc413-a2/4.1", "islr-cnn-hw/p11b",
                                                                 "dl-principles/2c")}


def ref(expected, pid, part):
    return expected[pid][part].value


def exec_(box, source):
    return box.run({"op": "exec", "source": textwrap.dedent(source)})


MLP_2000 = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 2000), nn.ReLU(), nn.Linear(2000, 10))
    def forward(self, x):
        return self.net(x)
"""
FORGED_LINE = ('{"status": "ok", "trace": [{"type": "Linear", "shape": [50], "params": 0}], "output_shape": [10], '
               '"params": 100, "no_grad": []}')


# -- the code's output is never the protocol -------------------------------------------------
@pytest.mark.parametrize("printing", [f"print({FORGED_LINE!r})", f"print({FORGED_LINE[:40]!r}, end='')",
                                      "print('garbage\\n' * 3)", "for _ in range(200_000): print('x')",
                                      f"import sys\nprint({FORGED_LINE!r}, file=sys.stderr)"])
def test_printing_a_reply_forges_nothing_and_shifts_nothing(shared_box, expected, printing):
    source = MLP_2000 + "\n" + printing + "\n"
    outcome = code.compare(ref(expected, "dl-principles/2c", "model"), source, None)
    assert outcome.verdict == "incorrect" and "2000 hidden units" in outcome.feedback
    honest = code.compare(ref(expected, "csc413-a2/4.1", "model"), HONEST_41, None)   # the next check: its own reply
    assert honest.verdict == "correct", honest.feedback


def test_a_reference_network_check_cannot_be_forged_through_the_result_pipe(shared_box, expected):
    """Code that finds the result pipe (walking the frames) and writes a result shaped like an
    honest one gains nothing: the grader compares outputs on an input drawn for this check."""
    forger = textwrap.dedent("""
        import sys, os, json
        f = sys._getframe()
        while f is not None and "write_fd" not in f.f_locals:
            f = f.f_back
        reply = {"status": "ok", "trace": [], "output_shape": [24, 32, 32], "params": 49728, "state_shapes": [],
                 "loaded": "order of use", "no_grad": [], "grads": []}
        zeros = {"dtype": "<f4", "shape": [2, 24, 32, 32], "data": ""}
        import base64
        zeros["data"] = base64.b64encode(bytes(2 * 24 * 32 * 32 * 4)).decode()
        reply.update(eval=zeros, train=zeros, single=dict(zeros, shape=[1, 24, 32, 32],
                     data=base64.b64encode(bytes(24 * 32 * 32 * 4)).decode()))
        os.write(f.f_locals["write_fd"], (json.dumps(reply) + "\\n").encode())
        os._exit(0)
        """)
    assert code.parse.__module__ == "dlcheck.kinds.code"
    with pytest.raises(Exception):            # the screen refuses it before it runs ...
        code.parse(forger, None)
    outcome = code.compare(ref(expected, "csc413-a2/4.1", "model"), forger, None)   # ... and unscreened, it fails
    assert outcome.verdict != "correct", outcome.feedback
    honest = code.compare(ref(expected, "csc413-a2/4.1", "model"), HONEST_41, None)
    assert honest.verdict == "correct", honest.feedback


def test_the_protocol_pipes_are_out_of_reach(box):
    result = exec_(box, """
        import os
        mine = sorted(int(fd) for fd in os.listdir('/proc/self/fd'))
        opened = []
        parent = os.getppid()
        try:
            names = os.listdir(f'/proc/{parent}/fd')
        except OSError:
            names = []
        for fd in names:
            try:
                os.close(os.open(f'/proc/{parent}/fd/{fd}', os.O_WRONLY))
                opened.append(fd)
            except OSError:
                pass
        result = (mine, opened)
        """)
    mine, opened = eval(result["result"])      # noqa: S307 - our own repr of two lists of ints
    assert opened == []
    assert len([fd for fd in mine if fd > 2]) <= 2          # the result pipe (and the listing's own fd)


# -- nothing outlives a check --------------------------------------------------------------
def test_a_daemon_started_by_one_check_is_gone_before_the_next(box):
    started = exec_(box, """
        import os, time
        r, w = os.pipe()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.write(w, str(os.getpid()).encode())
                while True:
                    time.sleep(0.05)
            os._exit(0)
        result = int(os.read(r, 20))
        """)
    pid = int(started["result"])
    after = exec_(box, f"""
        import os
        try:
            os.kill({pid}, 0)
            result = "alive"
        except ProcessLookupError:
            result = "gone"
        """)
    assert after["result"] == "'gone'"


def test_files_left_in_scratch_space_are_wiped(box):
    exec_(box, "import os\nopen('left-behind', 'w').write('x')\nresult = os.getcwd()")
    seen = exec_(box, "import os\nresult = sorted(os.listdir('..'))")
    assert "left-behind" not in seen["result"]


# -- limits that hold ---------------------------------------------------------------------------
def test_memory_across_the_whole_process_tree_is_limited(box):
    start = time.monotonic()
    result = exec_(box, """
        import os, time
        for _ in range(4):
            if os.fork() == 0:
                break
        block = bytearray(200_000_000)
        for i in range(0, len(block), 4096):
            block[i] = 1
        time.sleep(30)
        """)
    assert result["status"] == "error" and "memory limit" in result["message"]
    assert time.monotonic() - start < 8


def test_the_process_count_is_limited(box):
    result = exec_(box, """
        import os, time
        for _ in range(40):
            if os.fork() == 0:
                time.sleep(30)
                os._exit(0)
        time.sleep(30)
        """)
    assert result["status"] == "error" and "process limit" in result["message"]


def test_disk_writes_are_limited(box):
    result = exec_(box, """
        with open('big', 'wb') as fh:
            for _ in range(100):
                fh.write(bytes(1_000_000))
        """)
    assert result["status"] == "error" and ("disk limit" in result["message"] or "No space" in result["message"])
    assert exec_(box, "result = 1")["result"] == "1"


def test_a_hung_worker_is_replaced_within_the_deadline(monkeypatch):
    from dlcheck.sandbox import box as box_module

    monkeypatch.setattr(box_module, "MARGIN_SECONDS", 2.0)
    sandbox = Sandbox(Limits(wall_seconds=1, cpu_seconds=1))
    try:
        for pid in [sandbox.process.pid] + descendants(sandbox.process.pid):
            os.kill(pid, 19)                                   # SIGSTOP: the worker never answers
        start = time.monotonic()
        result = sandbox.run({"op": "ping"})
        assert result["status"] == "error" and result.get("transient")
        assert time.monotonic() - start < 15
        assert sandbox.run({"op": "exec", "source": "result = 3"})["result"] == "3"   # a fresh worker
    finally:
        sandbox.close()


# -- the checker does not run in the submission's interpreter ----------------------------------
def test_patching_torch_or_numpy_comparisons_gains_nothing(shared_box, expected):
    patched = "import torch, numpy\ntorch.allclose = lambda *a, **k: True\nnumpy.allclose = lambda *a, **k: True\n"
    outcome = code.compare(ref(expected, "csc413-a2/4.1", "model"), patched + WRONG_41, None)
    assert outcome.verdict == "incorrect", outcome.feedback
    zeros = patched + "def forward_batchnorm(Z, gamma, beta, eps, cache_dict, beta_avg, mode):\n    return Z * 0\n"
    outcome = code.compare(ref(expected, "islr-cnn-hw/p11b", "forward_batchnorm"), zeros, None)
    assert outcome.verdict == "incorrect", outcome.feedback


def test_dlcheck_references_are_not_importable_inside(shared_box, expected):
    thief = ("from dlcheck_bank.csc413_a2._lib.colour import PoolUpsampleNet as R\n"
             "class PoolUpsampleNet(R):\n    pass\n")
    with pytest.raises(Exception):
        code.parse(thief, None)
    if shared_box.protections.mode != "bubblewrap":
        pytest.skip("without bubblewrap dlcheck's files are readable (reported as not enforced)")
    outcome = code.compare(ref(expected, "csc413-a2/4.1", "model"), thief, None)
    assert outcome.verdict != "correct", outcome.feedback


# -- the fallback mode ------------------------------------------------------------------------
def test_fallback_leaves_no_process_and_no_folder():
    sandbox = Sandbox(Limits(wall_seconds=5, cpu_seconds=5), isolate=False)
    try:
        started = exec_(sandbox, """
            import os, subprocess, time
            p = subprocess.Popen(['sleep', '300'], start_new_session=True)
            r, w = os.pipe()
            if os.fork() == 0:                      # a Python grandchild, detached from the check
                os.setsid()
                if os.fork() == 0:
                    os.write(w, str(os.getpid()).encode())
                    time.sleep(300)
                os._exit(0)
            result = (p.pid, int(os.read(r, 20)), os.getcwd())
            """)
        sleep_pid, python_pid, folder = eval(started["result"])   # noqa: S307 - our own repr
        for pid in (sleep_pid, python_pid):
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        assert not os.path.exists(folder)
    finally:
        sandbox.close()


def test_fallback_runs_a_correct_function_that_imports_the_standard_library(expected, monkeypatch):
    from dlcheck.sandbox import box as box_module

    sandbox = Sandbox(isolate=False)
    monkeypatch.setattr(box_module, "shared", lambda *a, **k: sandbox)
    source = textwrap.dedent("""
        import secrets, math, collections
        def forward_batchnorm(Z, gamma, beta, eps, cache_dict, beta_avg, mode):
            if mode == 'train':
                mu, var = Z.mean(axis=0), Z.var(axis=0)
                cache_dict['mu'] = beta_avg * cache_dict['mu'] + (1 - beta_avg) * mu
                cache_dict['var'] = beta_avg * cache_dict['var'] + (1 - beta_avg) * var
            else:
                mu, var = cache_dict['mu'], cache_dict['var']
            return gamma * (Z - mu) / np.sqrt(var + eps) + beta
        """)
    try:
        outcome = code.compare(ref(expected, "islr-cnn-hw/p11b", "forward_batchnorm"), source, None)
    finally:
        sandbox.close()
    assert outcome.verdict == "correct", outcome.feedback


# -- the wire ---------------------------------------------------------------------------------
def test_replies_are_capped_and_must_be_objects():
    r, w = os.pipe()
    os.write(w, b"x" * 5000)
    with pytest.raises(WireError):
        LineReader(r, limit=1000).read(1)
    os.write(w, b"\n[1, 2]\n")
    with pytest.raises(WireError):
        LineReader(r).read(1)
    os.close(w)
    os.close(r)


@pytest.mark.parametrize("packed", [
    {"dtype": "|O", "shape": [1], "data": ""},
    {"dtype": "<f4", "shape": [10 ** 9], "data": ""},
    {"dtype": "<f4", "shape": [2], "data": "AAAA"},
    {"dtype": "<f4", "shape": [-1], "data": ""},
    {"dtype": "<f4", "shape": [1], "data": "!!!!", },
    {"dtype": "<f4", "shape": [1], "data": "AAAAAA==", "extra": 1},
])
def test_malformed_arrays_are_refused(packed):
    with pytest.raises(WireError):
        unpack(packed)


def test_arrays_round_trip():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert np.array_equal(unpack(pack(a)), a)


# -- in a class: hostile next to honest --------------------------------------------------------
def test_honest_submissions_keep_their_verdicts_between_hostile_ones(tmp_path):
    """dlcheck batch --jobs 1: each honest answer graded right after a hostile one keeps its verdict."""
    from dlcheck import batch

    hostile = [MLP_2000 + f"\nprint({FORGED_LINE!r})\n",
               "import os\nclass PoolUpsampleNet(nn.Module):\n    def __init__(self, *a):\n        super().__init__()\n"
               "        r, w = os.pipe()\n        os.system('sleep 60 &')\n",
               "while True:\n    pass\n"]
    files = []
    for i, source in enumerate(hostile):
        for name, answer in ((f"{i}-hostile", source), (f"{i}-honest", HONEST_41)):
            path = tmp_path / "class" / f"{name}.yaml"
            path.parent.mkdir(exist_ok=True)
            path.write_text(yaml.safe_dump({"set": "csc413-a2", "answers": {"4.1": answer}}), encoding="utf-8")
            files.append(path)
    jobs, _ = batch.discover([str(tmp_path / "class")])
    done = []
    batch.run(jobs, tmp_path / "out", 1, True, done.append)
    verdict = {}
    for record in (tmp_path / "out" / "results").glob("*.json"):
        data = yaml.safe_load(record.read_text())
        result = next(r for r in data["report"]["results"] if r["part"] == "model")
        verdict[Path(data["submission"]).stem] = result["verdict"]
    assert all(verdict[f"{i}-honest"] == "correct" for i in range(len(hostile))), verdict
    assert all(verdict[f"{i}-hostile"] != "correct" for i in range(len(hostile))), verdict


def test_an_infrastructure_failure_is_not_remembered(grade_yaml, monkeypatch):
    """A check killed from outside (as the OOM killer would) is `error` once, and graded for real next time."""
    from dlcheck.sandbox import box as box_module

    real = box_module.Sandbox.run
    calls = []

    def flaky(self, request, limits=None):
        calls.append(1)
        if len(calls) == 1:
            return {"status": "error", "message": "the check was killed from outside", "transient": True}
        return real(self, request, limits)

    monkeypatch.setattr(box_module.Sandbox, "run", flaky)
    unseen = HONEST_41 + f"\n# {time.time()}: an answer no cache has seen\n"
    text = f"set: csc413-a2\nanswers:\n  4.1: |\n{textwrap.indent(unseen, '    ')}\n"
    first = next(r for r in grade_yaml(text).results if r.part == "model")
    second = next(r for r in grade_yaml(text).results if r.part == "model")
    assert first.verdict == "error" and "grade again" in first.feedback
    assert second.verdict == "correct", second.feedback
