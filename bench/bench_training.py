"""Re-training speed (issue 8): an MNIST-sized task, 60,000 synthetic 28×28
images, MLP 784-100-10, batch 32, Adam 1e-3, trained four ways in one run:

  dataloader   a DataLoader over CPU tensors, each batch copied to the device
  plain        the data on the device, a plain Python loop with slicing, torch's default Adam
  dlcheck      dlcheck's loop: device-resident data, fused Adam, the step in a CUDA graph (on CUDA)
  sweep-10     ten models (a dropout sweep p = 0…0.9) stacked with vmap, trained together by dlcheck's loop
               against ten plain loops one after another (estimated as 10 × plain)

Each line gives seconds, the ratio to `plain` from the same run, and the test
accuracy (the same within seed noise, or the speed is not worth having).
On CUDA the default is the full 10 epochs (targets on one H100: dlcheck ≤ 2.5 s,
sweep ≤ 4 s); on a CPU the default is 1 epoch (`--epochs N` to change).

    python bench/bench_training.py [--epochs N] [--device cpu|cuda] [--train N]"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dlcheck.training.loop import device_tensors, evaluate, fit_model  # noqa: E402
from dlcheck.training.protocol import Protocol  # noqa: E402
from dlcheck.training.sweep import metrics_of, set_dropout, train_many  # noqa: E402
from dlcheck.training.synthetic import digits  # noqa: E402

MEAN, STD = (0.1307,), (0.3081,)


def mlp(seed: int, p: float = 0.0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Dropout(p), nn.Linear(100, 10))


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def dataloader_loop(model, x_cpu, y_cpu, epochs, device, seed):
    from torch.utils.data import DataLoader, TensorDataset

    loader = DataLoader(TensorDataset(x_cpu, y_cpu), batch_size=32, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            optimizer.step()


def plain_loop(model, x, y, epochs, device, seed):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator(device=device).manual_seed(seed)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(y), generator=g, device=device)
        for i in range(0, len(y), 32):
            idx = perm[i:i + 32]
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
            optimizer.step()


def timed(action, device) -> float:
    sync(device)
    start = time.perf_counter()
    action()
    sync(device)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--train", type=int, default=60_000)
    parser.add_argument("--skip-dataloader", action="store_true")
    args = parser.parse_args()
    device = torch.device(args.device)
    epochs = args.epochs or (10 if device.type == "cuda" else 1)
    if device.type == "cpu":
        torch.set_num_threads(torch.get_num_threads())
    train, test = digits(args.train, 10_000, seed=0)
    x, y = device_tensors(train, MEAN, STD, device)
    tx, ty = device_tensors(test, MEAN, STD, device)
    protocol = Protocol(epochs=epochs, batch_size=32, optimizer="adam", lr=1e-3)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"re-training: {args.train:,} × 784 synthetic images, MLP 784-100-10, batch 32, "
          f"{epochs} epoch{'s' if epochs != 1 else ''}, "
          f"Adam — {name}, torch {torch.__version__}")

    rows = {}
    if not args.skip_dataloader:
        model = mlp(0).to(device)
        seconds = timed(lambda: dataloader_loop(model, x.cpu(), y.cpu(), epochs, device, 0), device)
        rows["dataloader"] = (seconds, evaluate(model, tx, ty))
    model = mlp(0).to(device)
    rows["plain"] = (timed(lambda: plain_loop(model, x, y, epochs, device, 0), device), evaluate(model, tx, ty))
    model = mlp(0).to(device)
    fitted = {}
    seconds = timed(lambda: fitted.setdefault("f", fit_model(model, x, y, protocol, 0)), device)
    rows[f"dlcheck ({fitted['f'].mode})"] = (seconds, evaluate(model, tx, ty))

    sweep = [i / 10 for i in range(10)]
    models = [set_dropout(mlp(0, p), p, swappable=True).to(device) for p in sweep]
    out = {}
    seconds = timed(lambda: out.setdefault("r", train_many(models, x, y, protocol, [0] * 10, metrics_of(tx, ty))),
                    device)
    values, how, _ = out["r"]
    rows[f"sweep-10 ({how})"] = (seconds, [v["accuracy"] for v in values])

    plain = rows["plain"][0]
    for label, (seconds, accuracy) in rows.items():
        ratio = plain / seconds
        if label.startswith("sweep"):
            shown = ", ".join(f"{a:.3f}" for a in accuracy)
            print(f"  {label:58} {seconds:7.2f} s  {10 * plain / seconds:5.1f}× faster than 10 plain loops "
                  f"(10 × {plain:.2f} s)\n      accuracy by p: {shown}")
        else:
            print(f"  {label:58} {seconds:7.2f} s  {ratio:5.2f}× the plain loop's speed   accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
