"""csc413-a2 2.1.2: memory of unrolled gradient descent, measured.

Worked solution. Run t GD steps and compute L_t, and record the bytes of
live tensors as torch creates and frees them (a dispatch mode sees every
tensor an operation returns; a tensor stops counting when it is freed).
- Forward only (no graph): each w_{k+1} replaces w_k, so the peak stays flat.
- Back-propagation to η: autograd keeps every iterate and intermediate for
  the backward pass, so the peak grows with t.
We measure the peak for growing t and fit the exponent of t."""
import math
import weakref

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

from dlcheck.reference import Reference


class PeakLiveBytes(TorchDispatchMode):
    """Tracks the bytes of tensors that operations create and are still alive."""

    def __init__(self):
        super().__init__()
        self.live = self.peak = 0

    def _freed(self, nbytes):
        self.live -= nbytes

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for x in tree_leaves(out):
            if isinstance(x, torch.Tensor) and x._base is None:  # views share storage
                nbytes = x.untyped_storage().nbytes()
                self.live += nbytes
                self.peak = max(self.peak, self.live)
                weakref.finalize(x, self._freed, nbytes)
        return out


def peak_bytes(t, n, d, record_graph, backprop=False):
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, d, dtype=torch.float64, generator=g)
    y = torch.randn(n, dtype=torch.float64, generator=g)
    eta = torch.tensor(0.01, dtype=torch.float64, requires_grad=record_graph)
    with torch.set_grad_enabled(record_graph), PeakLiveBytes() as meter:
        w = torch.zeros(d, dtype=torch.float64)
        for _ in range(t):
            w = w - eta * (2 / n) * X.T @ (X @ w - y)
        final_loss = ((X @ w - y) ** 2).mean()
        if backprop:
            final_loss.backward()
    return meter.peak


def growth_exponent(ts, peaks):
    """Least-squares slope of log(peak) against log(t)."""
    xs, ys = [math.log(t) for t in ts], [math.log(p) for p in peaks]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def as_big_o(exponent: float) -> str:
    k = round(exponent * 2) / 2
    return "O(1)" if k == 0 else "O(t)" if k == 1 else f"O(t^{k:g})"


def solve(given):
    ts, n, d = given["steps"], given["n"], given["d"]
    forward = [peak_bytes(t, n, d, record_graph=False) for t in ts]
    backward = [peak_bytes(t, n, d, record_graph=True, backprop=True) for t in ts]
    kept = [peak_bytes(t, n, d, record_graph=True) for t in ts]  # a forward pass that keeps the graph
    e_fwd, e_bwd = growth_exponent(ts, forward), growth_exponent(ts, backward)

    def table(peaks):
        return ", ".join(f"t={t}: {p:,} B" for t, p in zip(ts, peaks))

    return {
        "forward": Reference(as_big_o(e_fwd), [
            f"peak live bytes without a graph ({table(forward)})",
            f"fitted growth t^{e_fwd:.2f}: each w_(k+1) replaces w_k",
        ], rules={"graph_kept": as_big_o(growth_exponent(ts, kept))}),
        "backward": Reference(as_big_o(e_bwd), [
            f"peak live bytes when back-propagating to η ({table(backward)})",
            f"fitted growth t^{e_bwd:.2f}: autograd keeps every iterate for the backward pass",
        ]),
    }
