"""The re-training machinery: data readers, the shared loop (against plain
loops written here), stacked models (against the same models trained alone),
the statistics of a claim, and claims graded end to end through the sandbox
on a small data set written in MNIST's file format."""
import math
import pickle

import numpy as np
import pytest
import torch
from torch import nn

from dlcheck.claims.statistics import spread, t975
from dlcheck.training import cifar, data, idx
from dlcheck.training.loop import Budget, OverBudget, device_tensors, evaluate, fit_model, measure
from dlcheck.training.protocol import Protocol, ProtocolError
from dlcheck.training.sweep import SweptDropout, fit_stacked, set_dropout
from dlcheck.training.synthetic import digits

MEAN, STD = (0.1307,), (0.3081,)


# --- IDX and CIFAR files --------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("compress", [False, True])
def test_idx_round_trip(tmp_path, dtype, compress):
    array = (np.arange(2 * 3 * 4) - 5).reshape(2, 3, 4).astype(dtype) if dtype != np.uint8 else \
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    path = idx.write_idx(tmp_path / "a.idx", array, compress)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == compress
    back = idx.read_idx(path)
    assert back.dtype == array.dtype and np.array_equal(back, array)


def test_idx_header_written_as_the_mnist_files_have_it(tmp_path):
    path = idx.write_idx(tmp_path / "labels", np.array([7, 2, 1], dtype=np.uint8))
    assert path.read_bytes() == bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1])   # magic 0x00000801, count 3


@pytest.mark.parametrize("payload, message", [
    (b"GIF89a", "not an IDX file"),
    (bytes([0, 0, 8, 1, 0, 0, 0, 9, 1, 2]), "truncated"),
    (bytes([0, 0, 8, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255]), "refusing"),
    (b"", "not an IDX file"),
])
def test_bad_idx_files_are_named_errors(tmp_path, payload, message):
    path = tmp_path / "bad"
    path.write_bytes(payload)
    with pytest.raises(idx.IdxError, match=message):
        idx.read_idx(path)


def test_cifar_round_trip(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (5, 3, 32, 32), dtype=np.uint8)
    cifar.write_batch(tmp_path / "test_batch", images, [3, 1, 4, 1, 5])
    x, y = cifar.read_batch(tmp_path / "test_batch")
    assert np.array_equal(x, images) and y.tolist() == [3, 1, 4, 1, 5]


def test_a_pickle_that_runs_code_is_refused(tmp_path):
    class Exploit:
        def __reduce__(self):
            return (print, ("pwned",))
    (tmp_path / "data_batch_1").write_bytes(pickle.dumps({b"data": Exploit(), b"labels": []}))
    with pytest.raises(cifar.CifarError, match="refusing to load builtins.print"):
        cifar.read_batch(tmp_path / "data_batch_1")


def test_mnist_layout_found_and_read(tmp_path):
    train, test = digits(60, 20)
    data.write_idx_dataset(tmp_path / "MNIST" / "raw", train, test, compress=True)   # torchvision's layout
    found = data.load("mnist", tmp_path)
    assert found.folder == (tmp_path / "MNIST" / "raw").resolve()
    assert found.train.x.shape == (60, 1, 28, 28) and np.array_equal(found.train.y, train.y)
    assert np.array_equal(found.test.x, test.x)


def test_missing_data_says_what_to_provide(tmp_path, monkeypatch):
    monkeypatch.delenv("DLCHECK_DATA", raising=False)
    with pytest.raises(data.MissingData, match="pass --data-dir DIR or set DLCHECK_DATA.*never downloads"):
        data.locate("mnist", data.data_dir(None))
    (tmp_path / "mnist").mkdir()
    (tmp_path / "mnist" / "train-images-idx3-ubyte").write_bytes(b"")
    with pytest.raises(data.MissingData) as caught:
        data.locate("mnist", tmp_path)
    message = str(caught.value)
    assert "lacks train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte" in message
    assert "train-images-idx3-ubyte," not in message
    with pytest.raises(data.MissingData, match="cifar-10-batches-py"):
        data.locate("cifar10", tmp_path)


# --- protocols ------------------------------------------------------------------

def test_protocol_reads_aliases_and_refuses_what_is_out_of_range():
    base = Protocol.read({"epochs": 10, "batch_size": 32, "optimizer": "adam", "lr": 1e-3})
    stated = Protocol.read({"optimiser": "SGD", "learning_rate": 0.1, "batch": 64}, base)
    assert (stated.optimizer, stated.lr, stated.batch_size, stated.epochs) == ("sgd", 0.1, 64, 10)
    for bad, message in (({"epochs": 10 ** 9}, "between 1 and 100"), ({"epochs": 2.5}, "whole number"),
                         ({"optimizer": "lbfgs"}, "expected one of adam"), ({"epoch": 3}, "unknown protocol key"),
                         ({"lr": "fast"}, "expected a number")):
        with pytest.raises(ProtocolError, match=message):
            Protocol.read(bad, base)


# --- the loop, checked against plain loops written here ---------------------------

def _mlp(seed: int, hidden: int = 20, p: float = 0.0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Dropout(p), nn.Linear(hidden, 10))


@pytest.fixture(scope="module")
def small():
    train, test = digits(300, 200, seed=1)
    cpu = torch.device("cpu")
    return (*device_tensors(train, MEAN, STD, cpu), *device_tensors(test, MEAN, STD, cpu))


def _plain_sgd(model, x, y, epochs, batch, lr, seed):
    """The loop a student writes: shuffle, slice, step (tail batch kept)."""
    g = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=g)
        for i in range(0, len(y), batch):
            optimiser.zero_grad()
            nn.functional.cross_entropy(model(x[order[i:i + batch]]), y[order[i:i + batch]]).backward()
            optimiser.step()


def test_the_loop_takes_the_steps_a_plain_loop_takes(small):
    x, y, _, _ = small
    ours, plain = _mlp(0), _mlp(0)
    fitted = fit_model(ours, x, y, Protocol(epochs=2, batch_size=32, optimizer="sgd", lr=0.05), seed=7)
    _plain_sgd(plain, x, y, epochs=2, batch=32, lr=0.05, seed=7)
    for a, b in zip(ours.parameters(), plain.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    assert fitted.mode == "eager" and len(fitted.epoch_losses) == 2
    assert fitted.epoch_losses[1] < fitted.epoch_losses[0]


def test_fused_adam_matches_torchs_reference_adam(small):
    x, y, _, _ = small
    ours, plain = _mlp(0), _mlp(0)
    fit_model(ours, x, y, Protocol(epochs=1, batch_size=50), seed=3)
    g, optimiser = torch.Generator().manual_seed(3), torch.optim.Adam(plain.parameters(), lr=1e-3, foreach=False)
    order = torch.randperm(len(y), generator=g)
    for i in range(0, len(y), 50):
        optimiser.zero_grad()
        nn.functional.cross_entropy(plain(x[order[i:i + 50]]), y[order[i:i + 50]]).backward()
        optimiser.step()
    for a, b in zip(ours.parameters(), plain.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_stacked_models_train_as_they_would_alone(small):
    x, y, tx, ty = small
    protocol = Protocol(epochs=2, batch_size=32, optimizer="sgd", lr=0.05)
    alone = []
    for seed in (0, 1, 2):
        model = _mlp(seed)
        fit_model(model, x, y, protocol, seed)
        alone.append(model)
    _, stacked = fit_stacked([_mlp(s) for s in (0, 1, 2)], x, y, protocol, [0, 1, 2])
    for m, model in enumerate(alone):
        torch.testing.assert_close(stacked.params["1.weight"][m], model[1].weight, rtol=1e-4, atol=1e-6)
        torch.testing.assert_close(stacked.params["4.bias"][m], model[4].bias, rtol=1e-4, atol=1e-6)


def test_swept_dropout_rates():
    x = torch.ones(4000, 8)
    layer = SweptDropout(0.25, channelwise=False).train()
    out = layer(x)
    kept = out[out != 0]
    assert torch.allclose(kept, torch.full_like(kept, 4 / 3)) and abs(float(out.mean()) - 1) < 0.05
    assert torch.equal(SweptDropout(0.0, False).train()(x), x)
    assert not SweptDropout(1.0, False).train()(x).any()
    assert torch.equal(layer.eval()(x), x)
    model = set_dropout(_mlp(0, p=0.5), 0.3, swappable=True)
    assert [float(m.p) for m in model.modules() if isinstance(m, SweptDropout)] == [pytest.approx(0.3)]


def test_a_budget_stops_training_that_would_not_finish(small):
    x, y, _, _ = small
    with pytest.raises(OverBudget, match="budget is 0 s"):
        fit_model(_mlp(0), x, y, Protocol(epochs=50), 0, on_epoch=Budget(1e-6))


def test_the_loop_learns(small):
    x, y, tx, ty = small
    model = _mlp(0, hidden=50)
    before = evaluate(model, tx, ty)
    fit_model(model, x, y, Protocol(epochs=5, batch_size=32), 0)
    assert evaluate(model, tx, ty) > max(0.6, before + 0.3)


# --- statistics -------------------------------------------------------------------

@pytest.mark.parametrize("df, table", [(1, 12.706), (4, 2.776), (5, 2.571), (10, 2.228), (30, 2.042), (1000, 1.962)])
def test_t_quantiles(df, table):
    assert t975(df) == pytest.approx(table, abs=0.006)


def test_bands_and_floor():
    found = spread([0.90, 0.91, 0.92], "accuracy")
    half = t975(2) * 0.01 * math.sqrt(1 + 1 / 3)
    assert found.plausible == (pytest.approx(0.91 - half), pytest.approx(0.91 + half))
    assert found.near == (pytest.approx(0.89), pytest.approx(0.93))
    assert [found.place(v) for v in (0.92, 0.93, 0.95, 0.96)] == ["near", "near", "between", "outside"]
    tight = spread([0.98, 0.98, 0.98], "accuracy")
    assert tight.near == tight.plausible == (pytest.approx(0.977), pytest.approx(0.983))
    assert tight.place(0.9829) == "near" and tight.place(0.984) == "outside"
    assert spread([2.0], "loss").high == pytest.approx(2.06)          # one run: the floor alone
    assert spread([0.999, 0.9995], "accuracy").high == 1.0             # a fraction stays a fraction
    assert "3 reruns: 0.9000, 0.9100, 0.9200" in found.describe()


def test_cifar_layout_found_and_read(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name in cifar.TRAIN_FILES + cifar.TEST_FILES:
        cifar.write_batch(folder / name, rng.integers(0, 256, (4, 3, 32, 32), dtype=np.uint8), [1, 2, 3, 4])
    found = data.load("cifar10", tmp_path)
    assert found.train.x.shape == (20, 3, 32, 32) and found.test.x.shape == (4, 3, 32, 32)
    assert found.info.mean == (0.4914, 0.4822, 0.4465)


class _Branching(nn.Module):
    """One linear layer whose output is doubled when `large(out)` says so: a branch on the data."""

    def __init__(self, large):
        super().__init__()
        self.fc, self.large = nn.Linear(784, 10), large

    def forward(self, x):
        out = self.fc(x.flatten(1))
        return out * 2 if self.large(out) else out


def _DataDependent():
    """vmap cannot batch a branch on a tensor's value, so the models train one after another."""
    return _Branching(lambda out: out.sum() > 0)


def test_models_vmap_cannot_batch_train_one_after_another(small):
    from dlcheck.training.sweep import metrics_of, train_many

    x, y, tx, ty = small
    models = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        models.append(_DataDependent())
    values, how, _ = train_many(models, x, y, Protocol(epochs=1), [0, 1], metrics_of(tx, ty, ("accuracy", "loss")))
    assert how.startswith("one after another (vmap could not batch the model") and len(values) == 2
    assert all(0 <= v["accuracy"] <= 1 and v["loss"] > 0 for v in values)


def test_measure_against_torchs_own_metrics():
    """Accuracy and cross-entropy per image and per pixel, for one model and for stacked models."""
    g = torch.Generator().manual_seed(0)
    logits, y = torch.randn(50, 10, generator=g), torch.randint(0, 10, (50,), generator=g)
    found = measure(lambda x: x, logits, y, ("accuracy", "loss"))
    assert found["accuracy"] == pytest.approx(float((logits.argmax(1) == y).float().mean()))
    assert found["loss"] == pytest.approx(float(nn.functional.cross_entropy(logits, y)), rel=1e-5)
    pixels, target = torch.randn(6, 24, 4, 4, generator=g), torch.randint(0, 24, (6, 4, 4), generator=g)
    per_pixel = measure(lambda x: x, pixels, target, ("loss",))["loss"]
    assert per_pixel == pytest.approx(float(nn.functional.cross_entropy(pixels, target)), rel=1e-5)
    two = torch.stack([pixels, pixels * 2])
    stacked = measure(lambda x: two[:, : len(x)] if len(x) == 6 else None, pixels, target, ("loss",), stacked=True)
    assert stacked["loss"] == [pytest.approx(per_pixel, rel=1e-5),
                               pytest.approx(float(nn.functional.cross_entropy(pixels * 2, target)), rel=1e-5)]


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_graph_steps_match_eager_steps():
    """The captured step replays the same arithmetic as the eager loop (and a stacked sweep too)."""
    train, _ = digits(2000, 10, seed=1)
    cuda = torch.device("cuda")
    x, y = device_tensors(train, MEAN, STD, cuda)
    protocol = Protocol(epochs=2, batch_size=32, optimizer="adam", lr=1e-3)
    graphed, eager = _mlp(0).to(cuda), _mlp(0).to(cuda)
    assert fit_model(graphed, x, y, protocol, 5, graph=True).mode == "cuda-graph"
    assert fit_model(eager, x, y, protocol, 5, graph=False).mode == "eager"
    for a, b in zip(graphed.parameters(), eager.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    fitted, stacked = fit_stacked([_mlp(s).to(cuda) for s in (0, 1)], x, y, protocol, [5, 6])
    assert fitted.mode == "cuda-graph"
    torch.testing.assert_close(stacked.params["1.weight"][0], eager[1].weight, rtol=1e-3, atol=1e-4)


def test_colourisation_task_from_cifar_files(tmp_path):
    from conftest import course

    colourise, nearest = course("csc413-a2", "colourise").colourise, course("csc413-a2", "colourise").nearest
    from dlcheck.training.synthetic import colour_images

    data.write_cifar_dataset(tmp_path / "cifar-10-batches-py", colour_images(200, seed=1), colour_images(60, seed=2))
    found = data.load("cifar10", tmp_path)
    train, test, centres = colourise(found, category=7, colours=6)
    horses = found.train.x[found.train.y == 7]
    assert train.x.shape == (len(horses), 1, 32, 32) and train.y.shape == (len(horses), 32, 32)
    np.testing.assert_allclose(train.x[:, 0], horses.mean(axis=1) / 255, rtol=1e-6)   # grey = channel mean
    pixel = horses[0, :, 5, 7] / 255                                                  # brute force: closest centre
    assert train.y[0, 5, 7] == int(np.argmin([((pixel - c) ** 2).sum() for c in centres]))
    rows = horses.transpose(0, 2, 3, 1).reshape(-1, 3) / 255                          # k-means: a fixed point
    labels = nearest(rows, centres)
    for c in np.unique(labels):
        np.testing.assert_allclose(centres[c], rows[labels == c].mean(axis=0), atol=1e-9)
    assert test.y.max() < 6 and len(test.x) == int((found.test.y == 7).sum())


def _Syncing():
    """forward reads a value back to the host: a CUDA graph cannot hold that step."""
    return _Branching(lambda out: float(out.mean()) > 1e9)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_step_cuda_graphs_cannot_hold_trains_eagerly():
    train, _ = digits(500, 10, seed=1)
    x, y = device_tensors(train, MEAN, STD, torch.device("cuda"))
    fitted = fit_model(_Syncing().cuda(), x, y, Protocol(epochs=2), 0)
    assert fitted.mode.startswith("eager (no CUDA graph") and len(fitted.epoch_losses) == 2
