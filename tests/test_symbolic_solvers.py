"""The sympy-derived references against independent numeric routes (numpy,
torch autograd, hand-written layer sums), never against the solver's output."""
import numpy as np
import pytest
import torch

from dlcheck.mathexpr import matrix, scalar
from dlcheck.mathexpr.equiv import read


def value_of(bank, pid, part, expression, env):
    problem = bank.problem(pid)
    tree = read(expression, problem.parts[part].math)
    return matrix.evaluate(tree, env)


def regression(seed, n=3, d=7):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(d, 1)), rng.normal(size=(n, 1)), float(rng.uniform(0.05, 0.5))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_2_2_1_loss_matches_a_direct_gd_step(bank, refs, seed):
    X, w0, t, eta = regression(seed)
    n = X.shape[0]
    w1 = w0 - eta * (2 / n) * X.T @ (X @ w0 - t)
    direct = float(np.mean((X @ w1 - t) ** 2))
    env = {"X": X, "w_0": w0, "t": t, "eta": eta, "n": float(n)}
    got = value_of(bank, "csc413-a2/2.2.1", "loss", refs("csc413-a2/2.2.1")["loss"].value, env)
    assert float(np.squeeze(got)) == pytest.approx(direct, rel=1e-10)


@pytest.mark.parametrize("seed", [3, 4])
def test_2_2_3_eta_minimises_the_one_step_loss(bank, refs, seed):
    X, w0, t, _ = regression(seed)
    n = X.shape[0]

    def loss_after_step(eta):
        w1 = w0 - eta * (2 / n) * X.T @ (X @ w0 - t)
        return float(np.mean((X @ w1 - t) ** 2))

    grid = np.linspace(0, 1, 200001)
    best = grid[np.argmin([loss_after_step(e) for e in grid])]
    env = {"X": X, "w_0": w0, "t": t, "n": float(n)}
    eta_star = float(np.squeeze(value_of(bank, "csc413-a2/2.2.3", "eta", refs("csc413-a2/2.2.3")["eta"].value, env)))
    assert eta_star == pytest.approx(best, abs=2e-5)
    assert loss_after_step(eta_star) <= min(loss_after_step(eta_star * 0.99), loss_after_step(eta_star * 1.01))


def test_2_3_1_updates_match_torch_autograd(bank, refs):
    X, w0, t, eta = regression(5)
    n, lam_tilde, lam = X.shape[0], 0.3, 0.2
    w = torch.tensor(w0, requires_grad=True)
    Xt, tt = torch.tensor(X), torch.tensor(t)
    (((Xt @ w - tt) ** 2).mean() + lam_tilde * (w ** 2).sum()).backward()
    l2_direct = w0 - eta * w.grad.numpy()
    w.grad = None
    ((Xt @ w - tt) ** 2).mean().backward()
    decay_direct = (1 - lam) * w0 - eta * w.grad.numpy()
    env = {"X": X, "w_0": w0, "t": t, "eta": eta, "n": float(n), "lambda_tilde": lam_tilde, "lambda": lam}
    r = refs("csc413-a2/2.3.1")
    np.testing.assert_allclose(value_of(bank, "csc413-a2/2.3.1", "l2", r["l2"].value, env), l2_direct, rtol=1e-10)
    np.testing.assert_allclose(value_of(bank, "csc413-a2/2.3.1", "weight_decay", r["weight_decay"].value, env),
                               decay_direct, rtol=1e-10)


def test_2_3_2_lambda_tilde_makes_the_updates_equal(bank, refs):
    X, w0, t, eta = regression(6)
    n, lam = X.shape[0], 0.37
    tree = read(refs("csc413-a2/2.3.2")["lambda_tilde"].value, bank.problem("csc413-a2/2.3.2").parts["lambda_tilde"].math)
    lam_tilde = float(scalar.evaluate(tree, {"lambda": lam, "eta": eta}))
    grad = (2 / n) * X.T @ (X @ w0 - t)
    np.testing.assert_allclose(w0 - eta * (grad + 2 * lam_tilde * w0), (1 - lam) * w0 - eta * grad, rtol=1e-12)
    assert not np.allclose(w0 - eta * (grad + 2 * (lam / n) * w0), (1 - lam) * w0 - eta * grad)


def hand_counts(nic, nf, nc, k, size):
    """Layer by layer from the architecture, no torch: (c_in, c_out, output side) per conv."""
    convs = [(nic, nf, size), (nf, 2 * nf, size // 2), (2 * nf, nf, size // 4), (nf, nc, size // 2), (nc, nc, size)]
    weights = sum(k * k * ci * co for ci, co, _ in convs)
    outputs = sum(co * s * s for _, co, s in convs)
    connections = sum(co * s * s * k * k * ci for ci, co, s in convs)
    return weights, outputs, connections


@pytest.mark.parametrize("point", [(1, 32, 24, 3), (3, 7, 5, 5), (2, 2, 9, 1)])
def test_4_3_counts_match_the_layer_by_layer_sum(bank, refs, point):
    nic, nf, nc, k = point
    r = refs("csc413-a2/4.3")
    ctx = bank.problem("csc413-a2/4.3").parts["weights"].math
    values = {"NIC": nic, "NF": nf, "NC": nc, "k": k}
    for suffix, size in (("", 32), ("_2x", 64)):
        want = hand_counts(nic, nf, nc, k, size)
        got = [float(scalar.evaluate(read(r[name + suffix].value, ctx), values))
               for name in ("weights", "outputs", "connections")]
        assert got == list(map(float, want))
