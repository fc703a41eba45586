"""Several models trained together: replicate seeds and hyperparameter sweeps
(the 3g dropout sweep) stacked into one model with torch.func.

Every parameter and buffer gets a leading model axis (stack_module_state),
the forward pass is vmapped over it, and the loss summed over models: the
models are independent, so each one's gradient is that of its own loss, and
an elementwise optimiser (Adam, SGD) on the stacked tensors is exactly one
optimiser per model. One kernel then does the work of M, which is what keeps
a GPU busy with small networks. Dropout rates become per-model buffers, so a
sweep over p is one stacked model too. A model that vmap cannot batch (data-
dependent control flow, in-place tricks) is trained one copy after another."""
from __future__ import annotations

import copy

import torch
from torch import nn

from dlcheck.training.loop import Budget, Fitted, OverBudget, fit, fit_model, loss_function, measure, predict

DROPOUTS = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d)


class SweptDropout(nn.Module):
    """Dropout whose rate is a buffer, so stacked models may each have their own."""

    def __init__(self, p: float, channelwise: bool):
        super().__init__()
        self.register_buffer("p", torch.tensor(float(p)))
        self.channelwise = channelwise

    def forward(self, x):
        if not self.training:
            return x
        shape = x.shape[:2] + (1,) * (x.dim() - 2) if self.channelwise and x.dim() > 2 else x.shape
        keep = torch.rand(shape, device=x.device) >= self.p
        scale = torch.where(self.p < 1, 1 / (1 - self.p).clamp_min(1e-12), torch.zeros_like(self.p))
        return x * keep * scale


def dropout_layers(model: nn.Module) -> list:
    return [m for m in model.modules() if isinstance(m, DROPOUTS + (SweptDropout,))]


def set_dropout(model: nn.Module, p: float, swappable: bool = False) -> nn.Module:
    """Every dropout layer at rate p; with `swappable`, as SweptDropout (for stacking)."""
    for parent in list(model.modules()):
        for name, child in parent.named_children():
            if isinstance(child, DROPOUTS):
                if swappable:
                    setattr(parent, name, SweptDropout(p, not isinstance(child, nn.Dropout)))
                else:
                    child.p = p
            elif isinstance(child, SweptDropout):
                child.p.fill_(p)
    return model


class Stacked:
    """M models of one architecture as one functional model."""

    def __init__(self, models: list):
        from torch.func import functional_call, stack_module_state

        self.params, self.buffers = stack_module_state(models)
        self.base = copy.deepcopy(models[0]).to("meta")
        self.count = len(models)
        self._call = functional_call

    def forward(self, x, per_model: bool = False):
        """Every model on x (shared), or model m on x[m] when `per_model`."""
        from torch.func import vmap

        one = lambda p, b, xb: self._call(self.base, (p, b), (xb,))  # noqa: E731
        batched = vmap(one, in_dims=(0, 0, 0 if per_model else None), randomness="different")
        return batched(self.params, self.buffers, x)

    def loss_of(self, loss_name: str):
        """The sum of the models' losses, each on its own batch: xb (M, B, ...), yb (M, B)."""
        from torch.func import vmap

        loss_fn = loss_function(loss_name)
        return lambda xb, yb: vmap(loss_fn)(self.forward(xb, per_model=True), yb).sum()


def fit_stacked(models: list, x, y, protocol, seeds: list, *, graph: bool = True,
                on_epoch=None) -> tuple[Fitted, Stacked]:
    """Train the models together; model m sees the batches it would see alone with seeds[m]."""
    stacked = Stacked(models)
    fitted = fit(stacked.loss_of(protocol.loss), list(stacked.params.values()), x, y, protocol, list(seeds),
                 graph=graph, on_epoch=on_epoch, set_train=stacked.base.train)
    return fitted, stacked


def metrics_of(tx, ty, metrics=("accuracy",)):
    """A readout: {metric: value} for each model on (tx, ty)."""
    def read(forward, stacked: bool):
        found = measure(forward, tx, ty, metrics, stacked)
        if not stacked:
            return found
        return [{name: found[name][m] for name in metrics} for m in range(len(found[metrics[0]]))]
    return read


def predictions_of(tx, log_probs: bool = False):
    """A readout: each model's predictions for tx (scored by whoever holds the labels)."""
    def read(forward, stacked: bool):
        out = predict(forward, tx, stacked, log_probs)
        return list(out) if stacked else out
    return read


def train_many(models: list, x, y, protocol, seeds: list, readout, *, graph: bool = True,
               stack: bool = True, budget: Budget | None = None) -> tuple[list, str, float]:
    """Train the models (stacked when vmap can batch them, else one after another; model i
    shuffled by seeds[i] either way) and read each out (metrics_of, predictions_of).
    Returns (one readout per model, how, seconds)."""
    budget = budget or Budget(float("inf"))
    if stack and len(models) > 1:
        try:
            budget.plan(protocol.epochs)
            fitted, stacked = fit_stacked(models, x, y, protocol, seeds, graph=graph, on_epoch=budget)
            stacked.base.eval()
            return readout(stacked.forward, True), f"{len(models)} models stacked with vmap, {fitted.mode}", \
                fitted.seconds
        except OverBudget:
            raise
        except Exception as exc:  # noqa: BLE001 - vmap could not batch this model: one after another
            note = f"one after another (vmap could not batch the model: {type(exc).__name__})"
    else:
        note = "one after another" if len(models) > 1 else "one model"
    values, seconds, mode = [], 0.0, "eager"
    budget.plan(protocol.epochs * len(models))
    for model, seed in zip(models, seeds):
        fitted = fit_model(model, x, y, protocol, seed, graph=graph, on_epoch=budget)
        model.eval()
        values.append(readout(model, False))
        seconds, mode = seconds + fitted.seconds, fitted.mode
    return values, f"{note}, {mode}", seconds
