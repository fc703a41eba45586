"""Submitted code runs only in the sandbox: hostile code is contained, each
attempt ends as `timeout` or `error` (or harmlessly), and grading goes on."""
import ast
import os
import socket
import threading
from pathlib import Path

import pytest

from conftest import ROOT, verdicts
from dlcheck.sandbox import Limits, Sandbox


@pytest.fixture(scope="module")
def box():
    sandbox = Sandbox(Limits(wall_seconds=3, cpu_seconds=3, memory_mb=400))
    yield sandbox
    sandbox.close()


def run(box, source):
    return box.run({"op": "exec", "source": source})


def isolated(box) -> bool:
    return box.protections.mode == "bubblewrap"


def test_protections_are_reported(box):
    note = box.protections.note()
    assert "sandbox" in note and ("NOT enforced" in note) != isolated(box)


def test_infinite_loop_times_out_and_the_worker_goes_on(box):
    assert run(box, "while True: pass")["status"] == "timeout"
    assert run(box, "result = 6 * 7")["result"] == "42"


def test_bounded_fork_bomb_is_stopped_by_the_process_limit(box):
    result = run(box, "import os\nfor _ in range(6):\n    os.fork()\nwhile True:\n    pass")
    assert result["status"] == "error" and "limit" in result["message"]
    assert run(box, "result = 1")["status"] == "ok"


def test_memory_hog_is_stopped(box):
    result = run(box, "chunks = []\nwhile True:\n    chunks.append(bytearray(50_000_000))")
    assert result["status"] == "error" and "memory" in result["message"].lower()


def test_interpreter_crash_is_an_error(box):
    result = run(box, "import ctypes\nctypes.string_at(0)")
    assert result["status"] == "error"
    assert run(box, "result = 'alive'")["result"] == "'alive'"


def test_environment_is_scrubbed(box, monkeypatch):
    result = run(box, "import os\nresult = sorted(os.environ)")
    assert "DLCHECK_CACHE_DIR" not in result["result"] and "AWS" not in result["result"]


def test_writes_do_not_reach_home_or_the_project(box):
    home_target = Path.home() / "dlcheck-sandbox-escape"
    project_target = ROOT / "dlcheck-sandbox-escape"
    source = (f"import os\nfor p in ({str(project_target)!r}, os.path.expanduser('~/dlcheck-sandbox-escape')):\n"
              f"    try:\n        open(p, 'w').write('x')\n    except OSError:\n        pass\n")
    run(box, source)
    assert not home_target.exists()  # HOME inside the sandbox is a private directory
    if isolated(box):
        assert not project_target.exists()
    project_target.unlink(missing_ok=True)


def test_subprocesses_cannot_write_outside(box):
    target = ROOT / "dlcheck-sandbox-subprocess"
    run(box, f"import subprocess\nsubprocess.run(['touch', {str(target)!r}])")
    if isolated(box):
        assert not target.exists()
    target.unlink(missing_ok=True)


def test_no_network_to_the_grader_machine(box):
    if not isolated(box):
        pytest.skip("network isolation needs bubblewrap (reported as not enforced)")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    result = run(box, f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=1)\nresult = 'connected'")
    server.close()
    assert result["status"] == "error" and not accepted


def test_errors_name_the_line_of_the_submission(box):
    from dlcheck.sandbox.wire import pack
    import numpy as np

    result = box.run({"op": "module", "source": "class Net(nn.Module):\n    def __init__(self):\n"
                                                "        super().__init__()\n        raise ValueError('no')\n",
                      "class": "Net", "args": {}, "input": pack(np.zeros((1, 1), dtype=np.float32))})
    assert result["status"] == "error" and result["line"] == 4 and "ValueError: no" in result["message"]


def test_hostile_code_part_does_not_stop_the_others(grade_yaml):
    report = grade_yaml("""
        set: csc413-a2
        answers:
          4.1: |
            import os
            while True:
                os.getpid()
          3.1: {padding: 1}
    """)
    v = verdicts(report)
    assert v["4.1/model"] == "timeout" and v["3.1/padding"] == "correct"


def test_missing_layer_shows_in_the_diff(grade_yaml):
    source = (ROOT / "answers/csc413-a2/chatgpt-reviewed.yaml").read_text()
    assert "PoolUpsampleNet" in source
    report = grade_yaml("""
        set: csc413-a2
        answers:
          4.1: |
            class PoolUpsampleNet(nn.Module):
                def __init__(self, kernel, num_filters, num_colours, num_in_channels):
                    super().__init__()
                    p = kernel // 2
                    self.net = nn.Sequential(
                        nn.Conv2d(num_in_channels, num_filters, kernel, padding=p), nn.MaxPool2d(2),
                        nn.BatchNorm2d(num_filters), nn.ReLU(),
                        nn.Conv2d(num_filters, 2 * num_filters, kernel, padding=p), nn.MaxPool2d(2),
                        nn.BatchNorm2d(2 * num_filters), nn.ReLU(),
                        nn.Conv2d(2 * num_filters, num_filters, kernel, padding=p), nn.Upsample(scale_factor=2),
                        nn.BatchNorm2d(num_filters), nn.ReLU(),
                        nn.Conv2d(num_filters, num_colours, kernel, padding=p), nn.Upsample(scale_factor=2),
                        nn.ReLU(),
                        nn.Conv2d(num_colours, num_colours, kernel, padding=p))
                def forward(self, x):
                    return self.net(x)
    """)
    r = next(r for r in report.results if r.part == "model")
    assert r.verdict == "incorrect" and "missing here" in r.feedback
    missing = [row for row in r.details["diff"] if row["status"] == "missing"]
    assert len(missing) == 1 and missing[0]["reference"].startswith("BatchNorm2d → 24×32×32")


def test_fallback_mode_says_what_is_not_enforced():
    weak = Sandbox(Limits(wall_seconds=3, cpu_seconds=3), isolate=False)
    try:
        assert weak.protections.mode == "process limits only"
        assert set(weak.protections.missing) == {"network isolation", "read-only file system", "PID namespace",
                                                 "hiding dlcheck's own files"}
        assert weak.run({"op": "exec", "source": "while True: pass"})["status"] == "timeout"
        assert weak.run({"op": "exec", "source": "result = 2 ** 10"})["result"] == "1024"
    finally:
        weak.close()


BATCHNORM = """
def forward_batchnorm(Z, gamma, beta, eps, cache_dict, beta_avg, mode):
    if mode == 'train':
        mu, var = Z.mean(axis=0), Z.var(axis=0)
        cache_dict['mu'] = beta_avg * cache_dict['mu'] + (1 - beta_avg) * mu
        cache_dict['var'] = beta_avg * cache_dict['var'] + (1 - beta_avg) * var
    else:
        mu, var = cache_dict['mu'], cache_dict['var']
    return gamma * (Z - mu) / np.sqrt(var + eps) + beta
"""


@pytest.mark.parametrize("source, verdict, words", [
    (BATCHNORM, "correct", "both modes"),
    (BATCHNORM.replace("beta_avg * cache_dict['mu'] + (1 - beta_avg) * mu", "mu"), "incorrect", "running average"),
    (BATCHNORM.replace("np.sqrt(var + eps)", "np.sqrt(var) + eps"), "incorrect", "output differs"),
])
def test_forward_batchnorm_against_the_reference(grade_yaml, source, verdict, words):
    import textwrap

    body = textwrap.indent(source, "      ")
    report = grade_yaml(f"set: islr-cnn-hw\nanswers:\n  p11b: |\n{body}\n")
    r = next(r for r in report.results if r.part == "forward_batchnorm")
    assert r.verdict == verdict and words in r.feedback


MLP = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, {h1}), nn.ReLU(), nn.Linear({h1}, {h2}), nn.ReLU(),
                                 nn.Linear({h2}, 10))
    def forward(self, x):
        return self.net(x)
"""


@pytest.mark.parametrize("qid, h1, h2, verdict, words", [
    ("2c", 64, 36, "correct", "meets the constraints"),
    ("2c", 100, 50, "incorrect", "150 hidden units, at most 100"),
    ("2d", 120, 80, "correct", "2 hidden layers with 200 units"),
])
def test_mnist_mlp_constraints(grade_yaml, qid, h1, h2, verdict, words):
    import textwrap

    body = textwrap.indent(MLP.format(h1=h1, h2=h2), "      ")
    report = grade_yaml(f"set: dl-principles\nanswers:\n  {qid}:\n    model: |\n{body}\n")
    r = next(r for r in report.results if r.problem.endswith(qid) and r.part == "model")
    assert r.verdict == verdict and words in (r.feedback + " ".join(r.notes))


def test_submitted_code_sees_the_system_not_the_machine(box):
    """No home directories, no folder around dlcheck (other submissions, answers), no cache."""
    if not isolated(box):
        pytest.skip("without bubblewrap the file system is not isolated")
    repo = ROOT
    result = run(box, "import os\n"
                      f"result = (sorted(os.listdir({str(repo)!r})), os.path.exists({str(repo / 'answers')!r}), "
                      f"os.path.exists({str(Path.home() / '.cache')!r}), os.path.exists('/etc/shadow'), "
                      "os.path.exists('/usr/bin'))")
    listing, answers, cache, shadow, usr = ast.literal_eval(result["result"])
    assert "dlcheck" not in listing and "answers" not in listing and "problems" not in listing
    assert (answers, cache, shadow, usr) == (False, False, False, True)
