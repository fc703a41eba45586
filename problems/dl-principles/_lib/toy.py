"""Small experiments on toy data generated in code (no downloads): the circle
data set and a fully connected network trained with plain gradient descent
(dlcheck's shared training loop), with the quantities the dl-principles
questions ask about recorded."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


def circle_data(samples: int, radius: float, seed: int):
    """Points in [-1, 1]², label 1 inside the circle of the given radius."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(samples, 2, generator=g, dtype=torch.float64) * 2 - 1
    y = (x.norm(dim=1) < radius).to(torch.float64).unsqueeze(1)
    return x, y


def mlp(hidden: list[int], activation: type[nn.Module], zero_init: bool, seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    layers, width = [], 2
    for units in hidden:
        layers += [nn.Linear(width, units), activation()]
        width = units
    layers.append(nn.Linear(width, 1))
    model = nn.Sequential(*layers).double()
    if zero_init:
        for p in model.parameters():
            nn.init.zeros_(p)
    return model


@dataclass
class Run:
    first_loss: float
    last_loss: float
    constant_loss: float              # the loss of the best constant prediction
    max_hidden_grad: float            # largest |gradient| of any hidden-layer weight over training
    max_unit_spread: float            # largest difference between units of one hidden layer, at the end


def train(hidden, activation, zero_init, samples, radius, steps, learning_rate, seed) -> Run:
    """Full-batch gradient descent (one batch = the whole data set, one epoch = one step)
    through the shared training loop, watching the hidden-weight gradients after each backward."""
    from dlcheck.training.loop import fit_model
    from dlcheck.training.protocol import Protocol

    x, y = circle_data(samples, radius, seed)
    model = mlp(hidden, activation, zero_init, seed)
    hidden_layers = [m for m in model if isinstance(m, nn.Linear)][:-1]
    largest = [0.0]

    def watch(loss):
        largest[0] = max(largest[0], *(float(layer.weight.grad.abs().max()) for layer in hidden_layers))

    protocol = Protocol(epochs=steps, batch_size=samples, optimizer="sgd", lr=learning_rate, loss="bce_logits")
    fitted = fit_model(model, x, y, protocol, seed, after_backward=watch)
    p = float(y.mean())
    constant = float(-(p * torch.log(torch.tensor(p)) + (1 - p) * torch.log(torch.tensor(1 - p))))
    spread = max(float((layer.weight - layer.weight[0]).abs().max().detach()) for layer in hidden_layers)
    with torch.no_grad():
        last = float(nn.functional.binary_cross_entropy_with_logits(model(x), y))
    return Run(fitted.epoch_losses[0], last, constant, largest[0], spread)
