"""Training claims graded end to end: the submitted model re-trained in the
sandbox on a small data set written in MNIST's own file format (so the IDX
reader is exercised), judged against an accuracy measured here by a plain
training loop that shares no code with dlcheck's."""
import json
import re
import textwrap

import numpy as np
import pytest
import torch
from torch import nn

from dlcheck.claims import TrainingSettings
from dlcheck.grade import Grader
from dlcheck.submission import load_submission
from dlcheck.training.data import write_idx_dataset
from dlcheck.training.synthetic import digits

NET = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(784, {hidden}), nn.ReLU(), nn.Linear({hidden}, 10))

    def forward(self, x):
        return self.body(x)
"""
PROTOCOL = {"epochs": 2, "batch_size": 32, "optimizer": "sgd", "lr": 0.05}


class Net(nn.Module):          # the same network, written here for the independent run
    def __init__(self, hidden):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 10))

    def forward(self, x):
        return self.body(x)


@pytest.fixture(scope="module")
def mnist_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    train, test = digits(1500, 500, seed=2, noise=0.5)
    write_idx_dataset(root / "mnist", train, test, compress=True)
    return root, train, test


def plain_accuracy(train, test, hidden: int, seed: int) -> float:
    """Seed the model, normalise as MNIST's notebooks do, shuffle, slice, SGD step; then count hits."""
    def tensors(split):
        x = (torch.tensor(split.x, dtype=torch.float32) / 255 - 0.1307) / 0.3081
        return x, torch.tensor(split.y)
    (x, y), (tx, ty) = tensors(train), tensors(test)
    torch.manual_seed(seed)
    model = Net(hidden)
    optimiser, g = torch.optim.SGD(model.parameters(), lr=PROTOCOL["lr"]), torch.Generator().manual_seed(seed)
    for _ in range(PROTOCOL["epochs"]):
        order = torch.randperm(len(y), generator=g)
        for i in range(0, len(y), PROTOCOL["batch_size"]):
            batch = order[i:i + PROTOCOL["batch_size"]]
            optimiser.zero_grad()
            nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
            optimiser.step()
    with torch.no_grad():
        return float((model(tx).argmax(1) == ty).float().mean())


def grade(tmp_path, bank, answers: dict, settings: TrainingSettings, problem: str = "2c"):
    path = tmp_path / "claim.yaml"
    path.write_text(json.dumps({"set": "dl-principles", "answers": {problem: answers}}), encoding="utf-8")
    report = Grader(bank, use_cache=False, training=settings).grade(load_submission(path, bank))
    return {r.part: r for r in report.results if r.problem == f"dl-principles/{problem}"}


def claim(value, **stated):
    return {"value": value, **PROTOCOL, **stated}


def test_a_true_claim_is_reproduced(tmp_path, bank, mnist_dir, monkeypatch):
    root, train, test = mnist_dir
    measured = plain_accuracy(train, test, hidden=100, seed=0)
    assert measured >= 0.975                         # the data set is easy enough for the question's bar
    monkeypatch.chdir(root.parent)                   # a relative --data-dir, as `make demo` gives it
    results = grade(tmp_path, bank, {"model": NET.format(hidden=100), "claimed_accuracy": claim(measured)},
                    TrainingSettings(data_dir=root.name, seeds=3))
    result = results["claimed_accuracy"]
    assert result.verdict == "correct", result.feedback
    assert result.feedback.startswith(f"reproduced: claimed {measured:g}; 3 reruns")
    runs = result.details["claim"]["runs"]
    assert [r["seed"] for r in runs] == [0, 1, 2]
    assert abs(runs[0]["value"] - measured) <= 0.004  # the same run as the plain loop, up to float order
    assert any("1,500 training, 500 test examples" in n for n in result.notes)
    assert result.score == result.max_score == 1


def test_an_inflated_claim_is_not_reproduced(tmp_path, bank, mnist_dir):
    root, train, test = mnist_dir
    measured = plain_accuracy(train, test, hidden=1, seed=0)   # one hidden unit cannot separate ten classes
    assert measured < 0.7
    results = grade(tmp_path, bank, {"model": NET.format(hidden=1), "claimed_accuracy": claim(0.98)},
                    TrainingSettings(data_dir=str(root), seeds=3))
    result = results["claimed_accuracy"]
    assert result.verdict == "incorrect"
    assert "not reproduced: claimed 0.98, above what re-training gives; 3 reruns" in result.feedback
    low, high = result.details["claim"]["intervals"][0]
    assert high < 0.98 and low <= result.details["claim"]["means"][0] <= high


def test_without_data_the_claim_says_what_to_provide(tmp_path, bank, monkeypatch):
    monkeypatch.delenv("DLCHECK_DATA", raising=False)
    results = grade(tmp_path, bank, {"model": NET.format(hidden=100), "claimed_accuracy": 0.98},
                    TrainingSettings(data_dir=None))
    result = results["claimed_accuracy"]
    assert result.verdict == "review" and result.score == 0
    assert "--data-dir" in result.feedback and "DLCHECK_DATA" in result.feedback and "internet" in result.feedback
    assert results["model"].verdict == "correct"


def test_constraints_are_checked_before_any_training(tmp_path, bank, mnist_dir):
    root, _, _ = mnist_dir
    results = grade(tmp_path, bank, {"model": NET.format(hidden=150), "claimed_accuracy": claim(0.98)},
                    TrainingSettings(data_dir=str(root)))
    result = results["claimed_accuracy"]
    assert result.verdict == "incorrect"
    assert "not re-trained: the model is wrong (150 hidden units" in result.feedback
    assert "claim" not in result.details


def test_a_claim_below_the_bar_fails_without_training(tmp_path, bank, monkeypatch):
    monkeypatch.delenv("DLCHECK_DATA", raising=False)
    result = grade(tmp_path, bank, {"model": NET.format(hidden=100), "claimed_accuracy": 0.97},
                   TrainingSettings())["claimed_accuracy"]
    assert result.verdict == "incorrect" and "does not meet the question's ≥ 0.975" in result.feedback


def test_a_model_that_crashes_cannot_back_its_claim(tmp_path, bank, mnist_dir):
    """A crash is the code's own fault (`incorrect`, with the error), and no run can back the claim."""
    root, _, _ = mnist_dir
    broken = NET.format(hidden=100).replace("return self.body(x)", "return self.body(x.view(-1, 10))")
    results = grade(tmp_path, bank, {"model": broken, "claimed_accuracy": claim(0.98)},
                    TrainingSettings(data_dir=str(root)))
    assert results["model"].verdict == "incorrect" and "RuntimeError" in results["model"].feedback
    assert results["claimed_accuracy"].verdict == "incorrect"
    assert "not re-trained: the model is wrong" in results["claimed_accuracy"].feedback


def test_over_budget_is_review_not_a_hang(tmp_path, bank, mnist_dir):
    root, _, _ = mnist_dir
    result = grade(tmp_path, bank, {"model": NET.format(hidden=100), "claimed_accuracy": claim(0.98, epochs=50)},
                   TrainingSettings(data_dir=str(root), budget_s=0.01))["claimed_accuracy"]
    assert result.verdict == "review"
    assert "not re-trained: needs about" in result.feedback and "--train-budget" in result.feedback


@pytest.mark.parametrize("stated, message", [({"epochs": 10 ** 9}, "epochs 1000000000: expected between 1 and 100"),
                                             ({"optimizer": "magic"}, "optimizer 'magic'")])
def test_a_hostile_protocol_is_invalid(tmp_path, bank, mnist_dir, stated, message):
    root, _, _ = mnist_dir
    result = grade(tmp_path, bank, {"model": NET.format(hidden=100), "claimed_accuracy": claim(0.98, **stated)},
                   TrainingSettings(data_dir=str(root)))["claimed_accuracy"]
    assert result.verdict == "invalid" and message in result.feedback


SWEEP_NET = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 5, stride=3), nn.BatchNorm2d(4), nn.ReLU(), nn.Dropout(0.5))
        self.head = nn.Linear(4 * 8 * 8, 10)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))
"""


def test_a_dropout_sweep_is_re_run_for_every_rate(tmp_path, bank, mnist_dir):
    """3g: ten dropout rates × two seeds, stacked into one model (batch norm and dropout under vmap)."""
    root, _, _ = mnist_dir
    results = grade(tmp_path, bank, {"model": SWEEP_NET, "dropout_sweep": [0.0] * 10},
                    TrainingSettings(data_dir=str(root), seeds=2), problem="3g")
    assert results["model"].verdict == "correct", results["model"].feedback
    result = results["dropout_sweep"]
    assert result.verdict == "incorrect"
    assert re.match(r"\d+ of 10 values not reproduced: dropout 0: claimed 0, reruns 0\.\d+–1\.0000", result.feedback)
    found = result.details["claim"]
    assert len(found["runs"]) == 20 and len(found["intervals"]) == 10
    assert [s["dropout"] for s in found["settings"]] == pytest.approx(list(np.linspace(0, 1, 10)))
    assert any("20 models stacked with vmap" in n for n in result.notes)
    means = found["means"]
    assert means[0] > 0.8 and means[-1] < 0.4          # p = 1 drops everything: the net cannot learn
    short = grade(tmp_path, bank, {"model": SWEEP_NET, "dropout_sweep": [0.9] * 9},
                  TrainingSettings(data_dir=str(root), seeds=2), problem="3g")["dropout_sweep"]
    assert short.verdict == "invalid" and "expected 10 values" in short.feedback


def test_cli_takes_the_data_directory(tmp_path, mnist_dir):
    from typer.testing import CliRunner

    from dlcheck.cli import app

    root, _, _ = mnist_dir
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent("""\
        set: dl-principles
        answers:
          2c:
            claimed_accuracy: {value: 0.99, epochs: 1, optimizer: sgd, lr: 0.05}
            model: |
        """) + textwrap.indent(NET.format(hidden=1), "      "), encoding="utf-8")
    result = CliRunner().invoke(app, ["grade", str(path), "--format", "json", "--data-dir", str(root),
                                      "--train-seeds", "3", "--device", "cpu", "--no-cache"])
    assert result.exit_code == 0, result.output
    claimed = next(r for r in json.loads(result.stdout)["results"] if r["part"] == "claimed_accuracy"
                   and r["problem"] == "dl-principles/2c")
    assert claimed["verdict"] == "incorrect" and len(claimed["claim"]["runs"]) == 3


STUDENT_5_3 = ("The result is better than Section 4: 55.4% accuracy against 41.3%, and a lower validation loss "
               "(1.1440 against 1.5877), at lr 0.001.")


def test_a_comparison_stays_for_review_with_the_measurements_beside_it(tmp_path, bank):
    """csc413-a2 5.3: both colourisation networks trained on CIFAR-10 files (synthetic here)."""
    from dlcheck.training.data import write_cifar_dataset
    from dlcheck.training.synthetic import colour_images

    write_cifar_dataset(tmp_path / "data" / "cifar-10-batches-py", colour_images(300, seed=1), colour_images(80, seed=2))
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps({"set": "csc413-a2", "answers": {"5.3": STUDENT_5_3}}), encoding="utf-8")
    report = Grader(bank, use_cache=False, training=TrainingSettings(data_dir=str(tmp_path / "data"), seeds=2)) \
        .grade(load_submission(path, bank))
    result = next(r for r in report.results if r.problem == "csc413-a2/5.3")
    assert result.verdict == "review" and result.score == 0 and result.rubric
    notes = "\n".join(result.notes)
    assert re.search(r"measured: 4 runs on cpu .*cifar10 horses \(\d+ training, \d+ validation images; 25 epochs, "
                     r"batch 100, adam lr 0.001\)", notes)
    for name in ("PoolUpsampleNet", "ConvTransposeNet"):
        assert re.search(name + r": validation loss \d\.\d{4} \(\d\.\d{4}–\d\.\d{4}\), accuracy \d+\.\d %", notes)
    assert "lowest validation loss: " in notes
    stated = re.search(r"numbers in the answer: (.*)", notes).group(1)
    assert [item.split(" fits")[0] for item in stated.split("; ")] == ["55.4 %", "41.3 %", "1.1440", "1.5877"]
    assert len(result.details["experiment"]["runs"]) == 4

    unmeasured = Grader(bank, use_cache=False, training=TrainingSettings()).grade(load_submission(path, bank))
    note = next(r for r in unmeasured.results if r.problem == "csc413-a2/5.3").notes[-1]
    assert note.startswith("not measured: no data directory") and "cifar-10-batches-py" in note


def test_submitted_code_cannot_forge_its_accuracy(tmp_path, bank, mnist_dir):
    """Scoring happens outside the sandbox against labels the sandbox never gets: a model that
    patches dlcheck's own evaluation is refused before it runs, and one that goes looking for
    the test labels finds none and gains nothing."""
    root, _, _ = mnist_dir
    patcher = NET.format(hidden=1) + textwrap.dedent("""
        import dlcheck.training.loop as loop
        loop.measure = lambda *args, **kwargs: {"accuracy": 1.0}
        """)
    results = grade(tmp_path, bank, {"model": patcher, "claimed_accuracy": claim(0.99)},
                    TrainingSettings(data_dir=str(root), seeds=3))
    assert results["model"].verdict == "invalid" and "dlcheck" in results["model"].feedback
    assert results["claimed_accuracy"].verdict != "correct"
    searcher = NET.format(hidden=1) + textwrap.dedent(f"""
        import glob
        FOUND = glob.glob("{root}/**/t10k-labels*", recursive=True) + glob.glob("/tmp/**/t10k-*", recursive=True)
        FOUND += [name for name in glob.glob("/tmp/**/*.npy", recursive=True) if "test_y" in name]
        assert not FOUND, FOUND                                  # seen labels: the model check fails, and so does this test
        """)
    result = grade(tmp_path, bank, {"model": searcher, "claimed_accuracy": claim(0.99)},
                   TrainingSettings(data_dir=str(root), seeds=3))["claimed_accuracy"]
    assert result.verdict == "incorrect", result.feedback
    assert max(run["value"] for run in result.details["claim"]["runs"]) < 0.9


def test_hidden_paths_are_empty_inside_the_sandbox():
    from conftest import ROOT
    from dlcheck.sandbox import Sandbox

    box = Sandbox(hidden=(str(ROOT / "tests"),), readable=(str(ROOT / "tests" / "data"),))
    try:
        if box.protections.mode != "bubblewrap":
            pytest.skip("without bubblewrap the file system is not isolated")
        listing = box.run({"op": "exec", "source": f"import os\nresult = (sorted(os.listdir({str(ROOT / 'tests')!r})), "
                                                   f"len(os.listdir({str(ROOT / 'tests' / 'data')!r})) > 0, "
                                                   f"os.path.exists({str(ROOT / 'dlcheck')!r}))"})
    finally:
        box.close()
    assert listing.get("result") == "(['data'], True, False)", listing      # dlcheck's own package is not visible either
