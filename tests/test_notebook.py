"""Notebooks (issue 18): `dlcheck import NB.ipynb --set SET` and `dlcheck grade NB.ipynb --set SET`.

The fixture (tests/data/notebooks/csc413_a2_colab.ipynb, README beside it) is a Colab export
in the shape of the CSC413 assignment: `!pip` and `%matplotlib` lines, helpers the models
use, a training loop at top level, a cell that must never run, a cell that does not parse
and a %%bash cell. Nothing in a notebook is executed: code is read with ast.parse only."""
import ast
import builtins
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from dlcheck import notebook
from dlcheck.cli import app
from dlcheck.errors import WriteupFileError

DATA = Path(__file__).parent / "data" / "notebooks"
COLAB = DATA / "csc413_a2_colab.ipynb"


def _notebook(path: Path, *cells) -> Path:
    """A minimal nbformat-4 notebook: cells are ("markdown" | "code", source)."""
    path.write_text(json.dumps({
        "nbformat": 4, "nbformat_minor": 4, "metadata": {"colab": {"provenance": []}},
        "cells": [{"cell_type": kind, "metadata": {}, "source": source,
                   **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                  for kind, source in cells]}))
    return path


@pytest.fixture(scope="module")
def colab(bank):
    result = notebook.import_file(COLAB, "csc413-a2", bank)
    return result, yaml.safe_load(notebook.to_yaml(result))["answers"]


def test_headings_map_to_problems_and_code_becomes_code_answers(colab):
    result, answers = colab
    assert {"3.3", "4.1", "4.2", "5.1", "6.1"} <= set(answers)
    # markdown answers under titled headings ("### 4.2 Training PoolUpsampleNet") are text answers
    assert "blurry" in answers["4.2"]["answer"]["claims"]
    assert "kernel size" in answers["3.3"]["answer"]["factors"]
    for pid, name in (("4.1", "PoolUpsampleNet"), ("5.1", "ConvTransposeNet"), ("6.1", "UNet")):
        assert f"class {name}(nn.Module)" in answers[pid]["answer"]["model"]
    assert [(a.problem, a.part, a.asked) for a in result.code] == [
        ("4.1", "model", ["PoolUpsampleNet"]), ("5.1", "model", ["ConvTransposeNet"]), ("6.1", "model", ["UNet"])]


def test_only_the_definitions_a_class_needs_are_kept(colab):
    _, answers = colab
    pool = answers["4.1"]["answer"]["model"]
    # the helpers it calls, the constant a helper uses and the import binding `nn`
    for kept in ("def conv_block(", "def same_padding(", 'PADDING_MODE = "zeros"', "import torch.nn as nn"):
        assert kept in pool
    # the training loop, plots, Colab's drive, the other models and unused imports are dropped
    for dropped in ("def train(", "history", "plt", "google.colab", "drive.mount", "AttrDict", "pip",
                    "ConvTransposeNet", "class UNet", "import numpy", "SystemExit", "open("):
        assert dropped not in pool, dropped
    unet = answers["6.1"]["answer"]["model"]
    assert "import torch\n" in unet and "def same_padding(" in unet and "def conv_block(" not in unet
    for code in (a["answer"]["model"] for a in (answers["4.1"], answers["5.1"], answers["6.1"])):
        tree = ast.parse(code)
        assert all(isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Assign))
                   for node in tree.body)


def test_ipython_lines_become_pass_and_cell_magics_are_read_or_skipped():
    cleaned = notebook.strip_magics("!pip install -q torchsummary\n%matplotlib inline\nfiles = !ls\n"
                                    "def f():\n    !nvidia-smi\n    return 1\nx = 1\nnn.Conv2d??\n"
                                    "y = 5 % 3\nz = x != y")
    assert cleaned.split("\n") == ["pass", "pass", "pass", "def f():", "    pass", "    return 1", "x = 1", "pass",
                                    "y = 5 % 3", "z = x != y"]
    ast.parse(cleaned)
    assert notebook.strip_magics("%%time\nmodel = Net()") == "\nmodel = Net()"
    assert notebook.strip_magics("%%bash\nls /content") is None


def test_a_cell_that_does_not_parse_is_reported_not_fatal(colab):
    result, _ = colab
    said = notebook.notes(result)
    assert any(line.startswith("code cell 14: does not parse") for line in said)
    assert any("code cell 18: cell magic %%bash" in line for line in said)
    assert "code cell 14: does not parse" in notebook.to_yaml(result)


def test_nothing_in_the_notebook_runs(bank, tmp_path, monkeypatch):
    """A top-level `open(…, 'w')` and `raise SystemExit` neither run nor reach the answer;
    exec and eval never see the notebook's code while it is imported (nbformat's validator,
    fastjsonschema, execs the validator it builds from nbformat's own schema: that is allowed)."""
    ran = tmp_path / "ran"
    path = _notebook(tmp_path / "nb.ipynb",
                     ("markdown", "### 4.1 PoolUpsampleNet"),
                     ("code", "import torch.nn as nn\nclass PoolUpsampleNet(nn.Module):\n    pass"),
                     ("code", f"open({str(ran)!r}, 'w').write('ran')\nraise SystemExit('ran')"))

    seen = []

    def guard(real):
        def call(source, *args, **kwargs):
            text = source if isinstance(source, str) else getattr(source, "co_filename", "") + str(
                getattr(source, "co_consts", ""))
            if "SystemExit" in text or "PoolUpsampleNet" in text:
                seen.append(text)
                raise AssertionError("the notebook's code was evaluated")
            return real(source, *args, **kwargs)
        return call

    monkeypatch.setattr(builtins, "exec", guard(builtins.exec))
    monkeypatch.setattr(builtins, "eval", guard(builtins.eval))
    result = notebook.import_file(path, "csc413-a2", bank)
    code = result.code[0].code
    monkeypatch.undo()
    assert not ran.exists() and not seen
    assert "class PoolUpsampleNet" in code and "SystemExit" not in code and "open(" not in code


def test_the_last_definition_wins_and_a_function_is_found_by_its_part(bank, tmp_path):
    path = _notebook(tmp_path / "bn.ipynb",
                     ("markdown", "## p11b Batch norm"),
                     ("code", "import numpy as np\nimport matplotlib.pyplot as plt\nEPS = 1e-5\n"
                              "def _mean(z):\n    return z.mean(axis=0)\n"
                              "def forward_batchnorm(Z, gamma, beta, eps, cache_dict, beta_avg, mode):\n"
                              "    return None\n"),
                     ("code", "def forward_batchnorm(Z, gamma, beta, eps, cache_dict, beta_avg, mode):\n"
                              "    mu = _mean(Z)\n    return gamma * (Z - mu) / np.sqrt(Z.var(axis=0) + EPS) + beta\n"),
                     ("code", "out = forward_batchnorm(np.ones((2, 2)), 1, 0, 1e-5, {}, 0.9, 'train')\nplt.plot(out)"))
    result = notebook.import_file(path, "islr-cnn-hw", bank)
    (answer,) = result.code
    assert (answer.problem, answer.part, answer.asked) == ("p11b", "forward_batchnorm", ["forward_batchnorm"])
    assert "return None" not in answer.code and "mu = _mean(Z)" in answer.code
    assert "def _mean(" in answer.code and "EPS = 1e-5" in answer.code and "import numpy as np" in answer.code
    assert "matplotlib" not in answer.code and "plt.plot" not in answer.code
    assert answer.cells == [2, 3]


def test_import_command_writes_a_gradable_submission(bank, tmp_path):
    out = tmp_path / "nb.yaml"
    result = CliRunner().invoke(app, ["import", str(COLAB), "--set", "csc413-a2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "code answers: 4.1/model (PoolUpsampleNet)" in result.output
    from dlcheck.submission import load_submission

    submission = load_submission(out, bank)
    assert not submission.errors
    assert {e.problem_id for e in submission.entries} >= {"csc413-a2/4.1", "csc413-a2/5.1", "csc413-a2/6.1"}


def test_grade_a_notebook_end_to_end(tmp_path):
    """The code parts get their verdict from the sandbox: the fixture's networks are the
    assignment's, so each computes what the reference computes."""
    result = CliRunner().invoke(app, ["grade", str(COLAB), "--set", "csc413-a2", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{"):])
    verdicts = {(r["problem"], r["part"]): r for r in report["results"]}
    for pid in ("4.1", "5.1", "6.1"):
        row = verdicts[(f"csc413-a2/{pid}", "model")]
        assert row["verdict"] == "correct", row
        assert row["decided_by"] == "sandbox"
    assert verdicts[("csc413-a2/4.2", "claims")]["verdict"] == "review"
    assert not Path("/tmp/dlcheck-notebook-fixture-was-run").exists()


@pytest.mark.parametrize("content, message", [
    (b"not json at all", "not a notebook: not JSON"),
    (b'{"cells": []}', "not a notebook: a Jupyter notebook is a JSON object"),
    (b"[1, 2, 3]", "not a notebook: a Jupyter notebook is a JSON object"),
    (b'{"nbformat": 9, "cells": []}', "notebook format 9 is not supported"),
    (b"\xff\xfe{}", "not UTF-8"),
])
def test_a_file_that_is_no_notebook_says_so_and_exits_2(tmp_path, content, message):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content)
    for command in (["import", str(path), "--set", "csc413-a2"], ["grade", str(path), "--set", "csc413-a2"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, result.output
        assert message in result.output and str(path) in result.output
        assert "Traceback" not in result.output


def test_too_large_missing_and_no_set(tmp_path, monkeypatch, bank):
    monkeypatch.setattr(notebook, "MAX_NOTEBOOK_BYTES", 100)
    with pytest.raises(WriteupFileError, match="limit"):
        notebook.read_cells(_notebook(tmp_path / "big.ipynb", ("markdown", "x" * 500)))
    with pytest.raises(WriteupFileError, match="no such file"):
        notebook.read_cells(tmp_path / "absent.ipynb")
    result = CliRunner().invoke(app, ["grade", str(COLAB)])
    assert result.exit_code == 2 and "--set SET" in result.output and "Traceback" not in result.output


def test_a_base_class_is_kept_and_an_asked_name_nobody_defines_is_said(bank, tmp_path):
    path = _notebook(tmp_path / "nb.ipynb",
                     ("code", "import torch\nimport torch.nn as nn\n"
                              "class ConvTransposeNet(nn.Module):\n    pass\n"
                              "class UNet(ConvTransposeNet):\n    def forward(self, x):\n"
                              "        return torch.cat([x, x], dim=1)\n"))
    result = notebook.import_file(path, "csc413-a2", bank)
    unet = next(a for a in result.code if a.problem == "6.1")
    assert unet.kept == ["ConvTransposeNet", "torch", "nn"] and "class ConvTransposeNet" in unet.code
    assert "4.1/model: asks for PoolUpsampleNet, which no code cell defines" in notebook.notes(result)


def test_the_command_line_does_not_load_nbformat_until_a_notebook_comes():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "import sys, dlcheck.cli; print('nbformat' in sys.modules)"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_set_on_a_yaml_submission_is_said_to_be_unused(write_yaml):
    path = write_yaml("set: dl-principles\nanswers:\n  3b: 608\n")
    result = CliRunner().invoke(app, ["grade", str(path), "--set", "csc413-a2", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "--set is read for notebooks only" in result.output
