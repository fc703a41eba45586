"""csc413-a2 1.1.1: mini-batch SGD from zero ends at the minimum-norm solution.

Worked solution, checked numerically. Each mini-batch gradient
(2/b)X_Bᵀ(X_B w − t_B) is a combination of rows of X, so from w0 = 0 the
iterate never leaves the row space of X: w = Xᵀa. A zero-loss point in the row
space solves XXᵀa = t, and XXᵀ is invertible (full row rank), so
w = Xᵀ(XXᵀ)⁻¹t = w*. We confirm it on random over-parameterised problems
(several sizes, seeds and batch sizes): SGD's end point equals w*."""
import torch
from torch import nn

from dlcheck.reference import Reference
from dlcheck.training.loop import fit_model
from dlcheck.training.protocol import Protocol

TOLERANCE = 1e-6


def min_norm_solution(X, t):
    return X.T @ torch.linalg.solve(X @ X.T, t)


def sgd_to_zero_loss(X, t, batch, seed, max_steps):
    """Mini-batch SGD from w0 = 0 (dlcheck's training loop, a bias-free linear model, mean
    squared error) with a stable step, epoch after epoch until the loss is ~0."""
    n = X.shape[0]
    eta = 0.5 * batch / float(torch.linalg.matrix_norm(X, 2) ** 2)  # below 2/L for every batch
    model = nn.Linear(X.shape[1], 1, bias=False).double()
    nn.init.zeros_(model.weight)
    steps_per_epoch = -(-n // batch)
    protocol = Protocol(epochs=max_steps // steps_per_epoch, batch_size=batch, optimizer="sgd", lr=eta, loss="mse")

    def reached_zero_loss(epoch, seconds):
        with torch.no_grad():
            return float(((model(X) - t) ** 2).mean()) < 1e-26

    fit_model(model, X, t, protocol, seed, on_epoch=reached_zero_loss)
    return model.weight.detach().view(-1)


def solve(given):
    gaps = []
    for n, d in given["problems"]:
        for seed in given["seeds"]:
            g = torch.Generator().manual_seed(1000 * seed + d)
            X = torch.randn(n, d, dtype=torch.float64, generator=g)
            t = torch.randn(n, 1, dtype=torch.float64, generator=g)
            w_star = min_norm_solution(X, t).view(-1)
            for batch in given["batch_sizes"]:
                w = sgd_to_zero_loss(X, t, batch, seed, given["max_steps"])
                gaps.append(float((w - w_star).norm() / w_star.norm()))
    worst = max(gaps)
    return {
        "holds": Reference(worst < TOLERANCE, [
            "every mini-batch gradient lies in the row space of X, so w = Xᵀa for all iterates from w0 = 0",
            "zero loss in the row space: XXᵀa = t with XXᵀ invertible, so w = Xᵀ(XXᵀ)⁻¹t = w*",
            f"checked on {len(gaps)} random runs (n×d in {given['problems']}, batch sizes "
            f"{given['batch_sizes']}): largest ‖w_SGD − w*‖/‖w*‖ = {worst:.1e}",
        ]),
    }
