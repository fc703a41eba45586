"""Without torch installed (`pip install dlcheck` without the [torch] extra): numbers, formulas
and labels grade from derived references; what needs torch says so, with the command to run.
Each check runs dlcheck in a subprocess whose `import torch` fails as on a machine without it."""
import json
import subprocess
import sys
import textwrap

from conftest import ROOT

BLOCK_TORCH = "import sys; sys.modules['torch'] = None; sys.modules['torchvision'] = None; "


def dlcheck_without_torch(args, env):
    code = BLOCK_TORCH + "from dlcheck.cli import main; sys.argv = ['dlcheck'] + %r; main()" % (args,)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=600)


def test_numbers_grade_without_torch_and_code_says_what_to_install(tmp_path, monkeypatch):
    import os

    env = {**os.environ, "DLCHECK_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    submission = tmp_path / "sub.yaml"
    submission.write_text(textwrap.dedent("""\
        set: islr-cnn-hw
        answers:
          p10a:
            total_params: 138344128
          p11b:
            forward_batchnorm: |
              def forward_batchnorm(x, gamma, beta, eps=1e-5):
                  return x
    """), encoding="utf-8")
    # references derived once, with torch (as `dlcheck check --update` or a first run would); the
    # code answer is not graded then, so that no memoised verdict can stand in for running it
    numbers_only = tmp_path / "numbers.yaml"
    numbers_only.write_text("set: islr-cnn-hw\nanswers:\n  p10a:\n    total_params: 1\n", encoding="utf-8")
    warm = subprocess.run([sys.executable, "-m", "dlcheck", "grade", str(numbers_only), "--format", "json"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)
    assert warm.returncode in (0, 3), warm.stderr
    result = dlcheck_without_torch(["grade", str(submission), "--format", "json"], env)
    assert result.returncode in (0, 3), result.stderr
    assert "Traceback" not in result.stderr
    parts = {f"{r['problem']}/{r['part']}": r for r in json.loads(result.stdout)["results"]}
    assert parts["islr-cnn-hw/p10a/total_params"]["verdict"] == "correct"
    code = parts["islr-cnn-hw/p11b/forward_batchnorm"]
    assert code["verdict"] == "error" and "pip install 'dlcheck[torch]'" in code["feedback"], code


def test_deriving_a_reference_without_torch_names_the_extra(tmp_path):
    import os

    env = {**os.environ, "DLCHECK_CACHE_DIR": str(tmp_path / "empty-cache"), "NO_COLOR": "1"}
    # afresh: from an empty cache, a bundled set's lock would serve p10a (tests/test_lockfile.py)
    result = dlcheck_without_torch(["solve", "islr-cnn-hw/p10a", "--format", "json", "--no-cache"], env)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "needs torch" in result.stderr and "pip install 'dlcheck[torch]'" in result.stderr, result.stderr
