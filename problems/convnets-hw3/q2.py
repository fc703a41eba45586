"""convnets-hw3 q2: forward and backward through a convolution and global average pooling.

Worked solution with torch autograd: O = X ⋆ F (valid cross-correlation),
y = mean(O); one backward pass gives ∂y/∂F and ∂y/∂X. The known slip "one
window per entry" is derived too: each X entry credited by only the first
window that covers it."""
import torch
import torch.nn.functional as F

from dlcheck.reference import Reference


def solve(given):
    X = torch.tensor(given["X"], dtype=torch.float64, requires_grad=True)
    W = torch.tensor(given["F"], dtype=torch.float64, requires_grad=True)
    out = F.conv2d(X[None, None], W[None, None])[0, 0]
    y = out.mean()
    y.backward()
    return {
        "output": Reference(out.detach().tolist(), ["O_ij = Σ_uv X[i+u, j+v]·F[u, v] over each 2×2 window"]),
        "y": Reference(float(y.detach()), [f"y = mean of the four outputs = {float(out.detach().sum()):g}/4"]),
        "dy_dF": Reference(W.grad.tolist(), ["∂y/∂F_uv = ¼ Σ_windows X[i+u, j+v]: the average of the X entries F_uv meets"]),
        "dy_dX": Reference(X.grad.tolist(), ["∂y/∂X_ab = ¼ Σ over every window covering (a, b) of the F entry that meets it"],
                           rules={"one_window": _one_window(given)}),
    }


def _one_window(given):
    """The slip: each X entry takes the F entry of only the first window covering it."""
    Xs, Fs = given["X"], given["F"]
    k, n = len(Fs), len(Xs)
    grad = [[0.0] * n for _ in range(n)]
    seen = set()
    for i in range(n - k + 1):
        for j in range(n - k + 1):
            for u in range(k):
                for v in range(k):
                    if (i + u, j + v) not in seen:
                        seen.add((i + u, j + v))
                        grad[i + u][j + v] = Fs[u][v] / (n - k + 1) ** 2
    return grad
