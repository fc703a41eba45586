"""The training loop every re-run shares: claims, sweeps and simulated experiments.

Fast by construction, the same arithmetic as the loop a student writes:
- the whole data set lives on the device as one tensor; a batch is an
  index_select with a shuffled index, so no DataLoader and no host copies;
- fused optimisers (one kernel for all parameters);
- on CUDA the whole step (gather, forward, backward, optimiser) is captured
  once in a CUDA graph and replayed; the batch indices of an epoch sit in a
  device tensor the graph reads through a device-side counter, so a step is
  one replay with no Python work and no host-device synchronisation.
The first steps of the first epoch run eagerly (they warm the optimiser state
and the allocator before capture) and count as training, so the graph path and
the eager path train on exactly the same batches."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from dlcheck.training.protocol import Protocol

WARMUP_STEPS = 3
EVAL_CHUNK = 8192


class OverBudget(Exception):
    def __init__(self, projected: float, budget: float):
        super().__init__(f"needs about {projected:.0f} s, the budget is {budget:.0f} s")
        self.projected, self.budget = projected, budget


class Budget:
    """Stops training that will not finish in time: after each epoch, the time so far is
    extrapolated to every epoch planned (an on_epoch callback for fit)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.plan(1)

    def plan(self, epochs: int) -> None:
        self.epochs, self.done, self.start = epochs, 0, time.perf_counter()

    def __call__(self, epoch: int, seconds: float) -> None:
        self.done += 1
        projected = (time.perf_counter() - self.start) / self.done * self.epochs
        if projected > self.seconds * 1.1:     # 10% slack: the first epoch includes warm-up
            raise OverBudget(projected, self.seconds)


@dataclass
class Fitted:
    seconds: float
    mode: str                               # "cuda-graph" | "eager"
    epoch_losses: list = field(default_factory=list)   # mean training loss per epoch (per model when stacked)


def device_tensors(split, mean, std, device) -> tuple[torch.Tensor, torch.Tensor]:
    """Images as normalised float32 on the device, labels as int64 (None where there are
    none to see): done once, before training."""
    x = torch.as_tensor(split.x, device=device).float().div_(255)
    mean = torch.tensor(mean, device=device).view(1, -1, 1, 1)
    std = torch.tensor(std, device=device).view(1, -1, 1, 1)
    labels = None if split.y is None else torch.as_tensor(split.y, device=device)
    return (x - mean) / std, labels


def loss_function(name: str):
    return {"cross_entropy": F.cross_entropy, "mse": F.mse_loss,
            "bce_logits": F.binary_cross_entropy_with_logits}[name]


def make_optimizer(params, protocol: Protocol, device: torch.device, capturable: bool = False):
    """The protocol's optimiser, fused where torch has a fused kernel for the device."""
    fused = {"fused": True} if device.type in ("cuda", "cpu") else {}
    if protocol.optimizer == "adam":
        return torch.optim.Adam(params, lr=protocol.lr, weight_decay=protocol.weight_decay,
                                capturable=capturable, **fused)
    if protocol.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=protocol.lr, weight_decay=protocol.weight_decay or 1e-2,
                                 capturable=capturable, **fused)
    if protocol.optimizer == "sgd":
        return torch.optim.SGD(params, lr=protocol.lr, momentum=protocol.momentum,
                               weight_decay=protocol.weight_decay, **fused)
    return torch.optim.RMSprop(params, lr=protocol.lr, momentum=protocol.momentum,
                               weight_decay=protocol.weight_decay, capturable=capturable)


class Stepper:
    """Runs training steps given a batch's indices; `loss_of(x, y)` is the scalar
    to minimise (one model's loss, or the sum over stacked models)."""

    def __init__(self, loss_of, parameters, x, y, protocol: Protocol, graph: bool, after_backward=None):
        self.loss_of, self.x, self.y = loss_of, x, y
        self.after_backward = after_backward
        self.graph = graph and x.device.type == "cuda" and after_backward is None
        self.optimizer = make_optimizer(parameters, protocol, x.device, capturable=self.graph)
        self.batch = protocol.batch_size
        self.loss_sum = torch.zeros((), device=x.device)
        self._graph = None
        self.graph_error = ""

    def gather(self, idx: torch.Tensor):
        """The batch at `idx`: (B,) for one model, (M, B) for M models with their own shuffles."""
        flat = idx.reshape(-1)
        return (self.x.index_select(0, flat).view(*idx.shape, *self.x.shape[1:]),
                self.y.index_select(0, flat).view(*idx.shape, *self.y.shape[1:]))

    def eager(self, idx: torch.Tensor) -> None:
        self.optimizer.zero_grad(set_to_none=self._graph is None)   # a captured graph keeps its grad buffers
        loss = self.loss_of(*self.gather(idx))
        loss.backward()
        if self.after_backward:
            self.after_backward(loss)
        self.optimizer.step()
        self.loss_sum += loss.detach()

    def epoch(self, perm: torch.Tensor) -> None:
        """One pass over the data in the order `perm`: (n,), or (M, n) for M stacked models."""
        n = perm.shape[-1]
        steps = n // self.batch
        full = perm[..., : steps * self.batch].unflatten(-1, (steps, self.batch)).movedim(-2, 0).contiguous()
        if self.graph and steps > WARMUP_STEPS:
            self._graph_epoch(full)
        else:
            for row in full:
                self.eager(row)
        if n % self.batch:                               # the last, smaller batch (as DataLoader keeps it)
            self.eager(perm[..., steps * self.batch:])

    def _graph_epoch(self, full: torch.Tensor) -> None:
        if self._graph is None:
            if not self._capture(full):       # the step cannot be captured: this run goes on eagerly
                for row in full[WARMUP_STEPS:]:
                    self.eager(row)
                return
            done = WARMUP_STEPS
        else:
            self._batches.copy_(full)
            self._counter.zero_()
            done = 0
        for _ in range(len(full) - done):
            self._graph.replay()

    def _captured_step(self) -> None:
        idx = self._batches.index_select(0, self._counter).squeeze(0)
        loss = self.loss_of(*self.gather(idx))
        loss.backward()
        self.optimizer.step()
        self.loss_sum += loss.detach()
        self._counter += 1

    def _capture(self, full: torch.Tensor) -> bool:
        """Warm up on a side stream with the epoch's first real batches, then capture one step.
        False when the step cannot be captured (a host sync such as .item() in forward, shapes
        that depend on the data): the warm-up steps stand and training goes on eagerly."""
        self._batches, self._counter = full.clone(), torch.zeros(1, dtype=torch.long, device=full.device)
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(WARMUP_STEPS):      # real training steps: a genuine error surfaces here
                self.optimizer.zero_grad(set_to_none=True)
                self._captured_step()
        torch.cuda.current_stream().wait_stream(side)
        self.optimizer.zero_grad(set_to_none=True)
        graph = torch.cuda.CUDAGraph()
        try:
            with torch.cuda.graph(graph):
                self._captured_step()
        except RuntimeError as exc:
            torch.cuda.synchronize()
            self.graph, self.graph_error = False, f"{type(exc).__name__}: {str(exc)[:120]}"
            self.optimizer.zero_grad(set_to_none=True)
            return False
        self._graph = graph
        return True

    def take_mean_loss(self, steps: int) -> torch.Tensor:
        mean = self.loss_sum / max(steps, 1)
        self.loss_sum.zero_()          # in place: a captured graph adds into this very tensor
        return mean


def fit(loss_of, parameters, x, y, protocol: Protocol, seed, *, graph: bool = True,
        after_backward=None, on_epoch=None, set_train=None) -> Fitted:
    """Train for protocol.epochs over (x, y), reshuffled each epoch by a generator seeded with `seed`;
    a list of seeds: stacked models, model m shuffled by its own generator (the order it gets alone).
    on_epoch(epoch, seconds_so_far) may raise (a budget) or return True to stop early."""
    device = x.device
    stepper = Stepper(loss_of, parameters, x, y, protocol, graph, after_backward)
    seeds = seed if isinstance(seed, list) else [seed]
    shufflers = [torch.Generator(device=device).manual_seed(int(s)) for s in seeds]
    steps = -(-len(y) // protocol.batch_size)
    start, losses = time.perf_counter(), []
    for epoch in range(protocol.epochs):
        if set_train:
            set_train()
        orders = [torch.randperm(len(y), generator=g, device=device) for g in shufflers]
        stepper.epoch(torch.stack(orders) if isinstance(seed, list) else orders[0])
        losses.append(stepper.take_mean_loss(steps))
        if on_epoch and on_epoch(epoch + 1, time.perf_counter() - start):
            break
    if device.type == "cuda":
        torch.cuda.synchronize()
    mode = "cuda-graph" if stepper._graph is not None else "eager"
    if stepper.graph_error:
        mode += f" (no CUDA graph: {stepper.graph_error})"
    return Fitted(time.perf_counter() - start, mode, [loss.tolist() for loss in losses])


def fit_model(model, x, y, protocol: Protocol, seed: int, **options) -> Fitted:
    """Train one nn.Module in place."""
    loss_fn = loss_function(protocol.loss)
    return fit(lambda xb, yb: loss_fn(model(xb), yb), list(model.parameters()), x, y, protocol, seed,
               set_train=model.train, **options)


@torch.no_grad()
def measure(forward, x: torch.Tensor, y: torch.Tensor, metrics=("accuracy",), stacked: bool = False) -> dict:
    """Accuracy and/or mean cross-entropy of forward(x) against y, in chunks. Classes are on
    axis 1 of the output (axis 2 when `stacked`: one value per model); targets may be per
    pixel (y of shape (N, H, W) against logits (N, C, H, W))."""
    axis = 2 if stacked else 1
    totals = dict.fromkeys(metrics, 0.0)
    for i in range(0, len(x), EVAL_CHUNK):
        logits = forward(x[i:i + EVAL_CHUNK])
        target = y[i:i + EVAL_CHUNK].expand(logits.shape[:axis] + logits.shape[axis + 1:])
        summed = tuple(range(1 if stacked else 0, target.dim()))
        if "accuracy" in totals:
            totals["accuracy"] = totals["accuracy"] + (logits.argmax(axis) == target).sum(summed)
        if "loss" in totals:
            picked = F.log_softmax(logits.float(), axis).gather(axis, target.unsqueeze(axis)).squeeze(axis)
            totals["loss"] = totals["loss"] - picked.sum(summed)
    return {name: (total / y.numel()).tolist() for name, total in totals.items()}


def evaluate(model, x, y, metric: str = "accuracy") -> float:
    model.eval()
    return measure(model, x, y, (metric,))[metric]


@torch.no_grad()
def predict(forward, x: torch.Tensor, stacked: bool = False, log_probs: bool = False) -> torch.Tensor:
    """Predicted classes (or log-probabilities) for x, in chunks, on the CPU: for scoring
    elsewhere, by whoever holds the labels."""
    axis = 2 if stacked else 1
    outputs = []
    for i in range(0, len(x), EVAL_CHUNK):
        logits = forward(x[i:i + EVAL_CHUNK])
        outputs.append(F.log_softmax(logits.float(), axis) if log_probs else logits.argmax(axis))
    return torch.cat(outputs, dim=1 if stacked else 0).cpu()
