"""A wheel built from the repo, installed into a fresh virtual environment without torch
(issue 18): the bundled bank travels with it (pyproject data-files), `dlcheck list` shows the
four sets from any folder, and a formula answer grades. Needs pip to reach a package index
for dlcheck's dependencies; skipped, saying so, where it cannot."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=900, **kwargs)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("wheel")
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                 "-w", str(base / "dist"), str(ROOT)])
    assert built.returncode == 0, built.stderr
    wheel = next((base / "dist").glob("dlcheck-*.whl"))
    venv = base / "venv"
    assert run([sys.executable, "-m", "venv", str(venv)]).returncode == 0
    pip = run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
               str(wheel)])
    if pip.returncode != 0:
        pytest.skip(f"pip could not install dlcheck's dependencies here: {pip.stderr.strip()[-300:]}")
    return venv / "bin" / "dlcheck", base


def test_the_wheel_carries_the_bank_and_needs_no_torch(installed, tmp_path):
    dlcheck, base = installed
    python = dlcheck.with_name("python")
    assert run([str(python), "-c", "import torch"]).returncode != 0     # no torch in this environment
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DLCHECK_CACHE_DIR": str(tmp_path / "cache"),
           "NO_COLOR": "1"}
    listed = run([str(dlcheck), "list"], cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    for name in ("csc413-a2", "islr-cnn-hw", "convnets-hw3", "dl-principles"):
        assert name in listed.stdout
    submission = tmp_path / "answer.yaml"
    # 3.2's solver needs torch: its reference comes from the shipped references.lock.json
    submission.write_text("set: csc413-a2\nanswers:\n  2.3.2:\n    lambda_tilde: 'lambda/(2*eta)'\n"
                          "  3.2: {cnn_params: 21024}\n", encoding="utf-8")
    graded = run([str(dlcheck), "grade", str(submission), "--format", "json"], cwd=tmp_path, env=env)
    assert graded.returncode == 0, graded.stderr
    verdicts = {f"{r['problem']}/{r['part']}": r["verdict"] for r in json.loads(graded.stdout)["results"]}
    assert verdicts["csc413-a2/2.3.2/lambda_tilde"] == "correct"
    assert verdicts["csc413-a2/3.2/cnn_params"] == "correct", graded.stderr
    assert "Traceback" not in graded.stderr
