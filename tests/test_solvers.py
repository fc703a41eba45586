"""Solvers against independent routes: closed formulas, numpy, hand simulation.
Never against numbers copied from the solver itself."""
import numpy as np
import pytest

from dlcheck.reference import run_solver


def test_3_2_counts_match_the_closed_formulas(refs, bank):
    given = bank.problem("csc413-a2/3.2").given
    c, h, w = given["input"]
    k, neurons, params = given["kernel"], 0, 0
    fc_neurons, fc_params, fc_shape = 0, 0, (c, h, w)
    for layer in given["cnn"]:
        if layer[0] == "pool":
            h, w = h // 2, w // 2
            neurons += c * h * w
            fc_shape = (fc_shape[0], fc_shape[1] // 2, fc_shape[2] // 2)
            fc_neurons += np.prod(fc_shape)
        else:
            params += k * k * c * layer[1]
            c = layer[1]
            neurons += c * h * w
            units = int(np.prod(fc_shape))
            fc_params += units * units
            fc_neurons += units
    r = refs("csc413-a2/3.2")
    assert r["cnn_neurons"].value == neurons == 61632
    assert r["cnn_params"].value == params
    assert r["fcnn_neurons"].value == fc_neurons
    assert r["fcnn_params"].value == fc_params
    assert r["cnn_params"].rules["with_biases"] == params + 32 + 64 + 3


def test_3_1_matches_a_numpy_loop(refs, bank):
    given = bank.problem("csc413-a2/3.1").given
    image, kernel = np.array(given["image"]), np.array(given["filter"])
    padded = np.pad(image, 1)
    out = [[int((padded[i:i + 3, j:j + 3] * kernel[::-1, ::-1]).sum()) for j in range(5)] for i in range(5)]
    r = refs("csc413-a2/3.1")
    assert r["output"].value == out  # true convolution (flipped) equals it: J is symmetric
    assert r["padding"].value == 1


def test_1_2_1_min_norm_is_the_pseudo_inverse(refs, bank):
    given = bank.problem("csc413-a2/1.2.1").given
    expected = np.linalg.pinv(np.array(given["X"], float)) @ np.array(given["t"], float)
    np.testing.assert_allclose(refs("csc413-a2/1.2.1")["min_norm_solution"].value, expected)


def numpy_rmsprop(eta, beta, eps, steps=20000):
    X, t = np.array([[2.0, 1.0]]), np.array([2.0])
    w, v = np.zeros(2), np.zeros(2)
    for _ in range(steps):
        g = 2 * X.T @ (X @ w - t)
        v = beta * v + (1 - beta) * g * g
        w = w - eta * g / (np.sqrt(v) + eps)
    return w, float(((X @ w - t) ** 2).mean())


def test_1_2_1_rmsprop_does_not_find_min_norm(refs):
    w, loss = numpy_rmsprop(0.001, 0.9, 1e-8)
    assert loss < 1e-10 and np.linalg.norm(w - [0.8, 0.4]) > 0.1
    assert refs("csc413-a2/1.2.1")["always_min_norm"].value is False


@pytest.mark.parametrize("setting, holds", [((0.01, 0.9, 1e-8), True), ((2 / 7, 0.91, 0.2), False)])
def test_1_2_1_counterexample_check_agrees_with_numpy(bank, refs, setting, holds):
    module = bank.solver(bank.problem("csc413-a2/1.2.1"))
    eta, beta, eps = setting
    outcome = module.check_counterexample({"eta": eta, "beta": beta, "eps": eps},
                                          bank.problem("csc413-a2/1.2.1").given, None)
    w, loss = numpy_rmsprop(eta, beta, eps)
    is_counterexample = bool(loss < 1e-10 and np.linalg.norm(w - [0.8, 0.4]) > 1e-6)
    assert is_counterexample is holds
    assert (outcome.verdict == "correct") is holds


def test_1_1_1_sgd_reaches_min_norm_numpy(refs):
    rng = np.random.default_rng(3)
    X, t = rng.normal(size=(3, 7)), rng.normal(size=3)
    w = np.zeros(7)
    for _ in range(20000):
        i = rng.integers(3)
        w -= 0.05 * 2 * X[i] * (X[i] @ w - t[i])
    np.testing.assert_allclose(w, np.linalg.pinv(X) @ t, atol=1e-8)
    assert refs("csc413-a2/1.1.1")["holds"].value is True


def test_2_1_2_saved_tensors_grow_linearly():
    """Independent of the solver's dispatch-mode meter: count what autograd saves."""
    import torch

    def saved(t):
        X, y = torch.randn(4, 32, dtype=torch.float64), torch.randn(4, dtype=torch.float64)
        eta = torch.tensor(0.1, dtype=torch.float64, requires_grad=True)
        sizes = {}

        def pack(x):
            sizes[x.untyped_storage().data_ptr()] = x.untyped_storage().nbytes()
            return x
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda x: x):
            w = torch.zeros(32, dtype=torch.float64)
            for _ in range(t):
                w = w - eta * X.T @ (X @ w - y)
        return sum(sizes.values())

    assert saved(64) / saved(16) == pytest.approx(4, rel=0.1)


def test_2_1_2_reference(refs):
    r = refs("csc413-a2/2.1.2")
    assert (r["forward"].value, r["backward"].value) == ("O(1)", "O(t)")
    assert r["forward"].rules["graph_kept"] == "O(t)"


def test_every_solver_returns_only_declared_parts(bank):
    """Run every solver in the bank: parts and rules must be those the spec declares."""
    for pid in bank.all_ids():
        problem = bank.problem(pid)
        if problem.solver_path is not None:
            refs = run_solver(problem, bank)  # raises SolverError on undeclared parts or rules
            assert refs and set(refs) <= set(problem.parts), pid
