"""dl-principles and csc413-a2 5.4 solvers against independent routes
(closed formulas, numpy, brute force), never against the solver's own output."""
import itertools

import numpy as np
import pytest


def test_5_4_settings_match_the_size_formulas(refs):
    def conv(n, k, p):
        return (n + 2 * p - k) // 2 + 1

    def convt(n, k, q, op):
        return (n - 1) * 2 - 2 * q + k + op

    for k in (4, 5):
        brute = [{"conv_padding": p, "convt_padding": q, "convt_output_padding": op}
                 for p, q, op in itertools.product(range(k + 1), range(k + 1), range(2))
                 if conv(32, k, p) == 16 and conv(16, k, p) == 8 and convt(8, k, q, op) == 16
                 and convt(16, k, q, op) == 32]
        assert refs("csc413-a2/5.4")[f"k{k}"].value == brute


def test_3b_3c_closed_formulas(refs):
    assert refs("dl-principles/3b")["params"].value == 8 * 5 * 5 * 3 + 8
    assert refs("dl-principles/3b")["params"].rules["no_bias"] == 8 * 5 * 5 * 3
    assert refs("dl-principles/3c")["shape"].value == [32 - 5 + 1, 32 - 5 + 1, 8]


@pytest.mark.parametrize("qid, reduce", [("3d", np.mean), ("3e", np.max)])
def test_pooling_against_numpy_blocks(bank, refs, qid, reduce):
    inputs = bank.problem(f"dl-principles/{qid}").given["inputs"]
    expected = [reduce(np.array(m, float).reshape(2, 2, 2, 2), axis=(1, 3)).tolist() for m in inputs]
    assert refs(f"dl-principles/{qid}")["outputs"].value == expected


def test_1d_reference_passes_the_truth_table(refs):
    w = refs("dl-principles/1d")["weights"].value
    ys = {(a, b): max(0, w["w1"] * a + w["w2"] * b + w["b"]) for a in (0, 1) for b in (0, 1)}
    assert ys[(0, 0)] == 0 and min(ys[(0, 1)], ys[(1, 0)], ys[(1, 1)]) >= 1


def test_1e_no_single_unit_computes_xor_on_a_grid(refs):
    grid = np.linspace(-3, 3, 25)
    for w1, w2, b in itertools.product(grid, repeat=3):
        y = [max(0, w1 * a + w2 * c + b) for a, c in ((0, 0), (0, 1), (1, 0), (1, 1))]
        assert not (y[0] == 0 and y[3] == 0 and y[1] >= 0.999 and y[2] >= 0.999)
    assert refs("dl-principles/1e")["layers"].value == 2


def numpy_backprop_zero_init(activation, grad):
    """One backward pass of a 2-4-2-1 network with every weight 0, by hand."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (50, 2))
    y = (np.linalg.norm(x, axis=1, keepdims=True) < 0.5).astype(float)   # unbalanced, like the circle data
    W1, W2, W3 = np.zeros((2, 4)), np.zeros((4, 2)), np.zeros((2, 1))
    z1 = x @ W1
    h1 = activation(z1)
    z2 = h1 @ W2
    h2 = activation(z2)
    out = 1 / (1 + np.exp(-(h2 @ W3)))
    d3 = (out - y) / len(x)
    d2 = (d3 @ W3.T) * grad(z2)
    dW2 = h1.T @ d2
    d1 = (d2 @ W2.T) * grad(z1)
    return x.T @ d1, dW2, h2.T @ d3


def test_1a_zero_relu_gradients_vanish_by_hand(refs):
    dW1, dW2, dW3 = numpy_backprop_zero_init(lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float))
    assert not dW1.any() and not dW2.any() and not dW3.any()
    assert refs("dl-principles/1a")["learns"].value is False


def test_1b_zero_sigmoid_units_get_equal_gradients_by_hand(refs):
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    dW1, dW2, dW3 = numpy_backprop_zero_init(sig, lambda z: sig(z) * (1 - sig(z)))
    assert np.allclose(dW3, dW3[0]) and dW3.any()          # output weights move, equally
    assert np.allclose(dW2, dW2[:, :1]) and np.allclose(dW1, dW1[:, :1])
    assert refs("dl-principles/1b")["hidden_units_identical"].value is True


def test_q2_against_a_hand_loop(bank, refs):
    X, F = (np.array(bank.problem("convnets-hw3/q2").given[k], float) for k in ("X", "F"))
    out = np.array([[(X[i:i + 2, j:j + 2] * F).sum() for j in range(2)] for i in range(2)])
    dF = sum(X[i:i + 2, j:j + 2] for i in range(2) for j in range(2)) / 4
    dX = np.zeros_like(X)
    for i in range(2):
        for j in range(2):
            dX[i:i + 2, j:j + 2] += F / 4
    r = refs("convnets-hw3/q2")
    np.testing.assert_allclose(r["output"].value, out)
    assert r["y"].value == pytest.approx(out.mean())
    np.testing.assert_allclose(r["dy_dF"].value, dF)
    np.testing.assert_allclose(r["dy_dX"].value, dX)


def keras_table(layers, length_or_side, channels, dims):
    """Keras' own formulas: out = in − k + 1, pool halves (floor), dense (in + 1)·units."""
    size, ch, flat, rows = length_or_side, channels, None, []
    for item in layers:
        if item[0] == "conv":
            params = item[1] * (item[2] ** dims * ch + 1)
            size, ch = size - item[2] + 1, item[1]
        elif item[0] == "pool":
            params, size = 0, size // item[1]
        elif item[0] == "flatten":
            params, flat = 0, size ** dims * ch
        else:
            params, flat = (flat + 1) * item[1], item[1]
        rows.append(params)
    return rows


def test_q3a_q4_against_keras_formulas(bank, refs):
    for qid, dims in (("q3a", 1), ("q4", 2)):
        given = bank.problem(f"convnets-hw3/{qid}").given
        want = keras_table(given["layers"], given["input"][-1], given["input"][0], dims)
        assert refs(f"convnets-hw3/{qid}")["params"].value == want
        assert refs(f"convnets-hw3/{qid}")["total_params"].value == sum(want)
    assert refs("convnets-hw3/q3a")["shapes"].value[:2] == [[498, 16], [249, 16]]


# -- islr-cnn-hw ----------------------------------------------------------------------
def test_p2_p3_by_hand(refs):
    import math

    pts = [(0, 3, 0), (2, 0, 0), (0, 1, 3), (0, 1, 2), (-1, 0, 1), (1, 1, 1)]
    np.testing.assert_allclose(refs("islr-cnn-hw/p2")["distances"].value, [math.dist(p, (0, 0, 0)) for p in pts])
    assert (refs("islr-cnn-hw/p2")["k1"].value, refs("islr-cnn-hw/p2")["k3"].value) == ("Green", "Red")
    assert refs("islr-cnn-hw/p3")["probability"].value == pytest.approx(math.exp(-0.5) / (1 + math.exp(-0.5)))
    assert refs("islr-cnn-hw/p3")["hours"].value == pytest.approx((6 - 3.5) / 0.05)


def test_p5_by_sorting_dot_products(refs):
    # all dataset vectors have norm 1 or √2 and the images norm 2: rank by x·d/|d|
    data = {"A": (1, 0, 0, 0), "B": (0, 1, 0, 0), "C": (1, 0, 1, 0), "D": (0, 1, 0, 1)}
    x = (-1, 1, -1, 1)
    order = sorted(data, key=lambda n: -np.dot(x, data[n]) / np.linalg.norm(data[n]))
    assert refs("islr-cnn-hw/p5")["x"].value == ["".join(order[:k]) for k in range(1, 5)]


def test_p6_lenet_by_the_paper_arithmetic(bank, refs):
    table = bank.problem("islr-cnn-hw/p6").given["c3_table"]
    assert refs("islr-cnn-hw/p6")["c1_connections"].value == 28 * 28 * 6 * (25 + 1)
    assert refs("islr-cnn-hw/p6")["c3_params"].value == sum(25 * len(t) + 1 for t in table) == 1516
    assert refs("islr-cnn-hw/p6")["largest_layer"].value == "C5"   # 120·(16·25 + 1) = 48,120


def test_p7_hat_matrix_equals_an_explicit_leave_one_out_loop():
    from importlib import util

    spec = util.spec_from_file_location("p7", "problems/islr-cnn-hw/p7.py")
    p7 = util.module_from_spec(spec)
    spec.loader.exec_module(p7)
    rng = np.random.default_rng(5)
    x = rng.normal(size=40)
    y = x - 2 * x ** 2 + rng.normal(size=40)
    for degree in (1, 2, 3):
        errors = []
        for i in range(len(x)):
            keep = np.arange(len(x)) != i
            coeffs = np.polyfit(x[keep], y[keep], degree)
            errors.append((np.polyval(coeffs, x[i]) - y[i]) ** 2)
        assert p7.loocv(x, y, degree) == pytest.approx(np.mean(errors), rel=1e-8)


def test_p10a_vgg16_closed_form(refs):
    convs = [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 256),
             (256, 512), (512, 512), (512, 512), (512, 512), (512, 512), (512, 512)]
    total = sum(9 * a * b for a, b in convs) + 7 * 7 * 512 * 4096 + 4096 * 4096 + 4096 * 1000
    assert refs("islr-cnn-hw/p10a")["total_params"].value == total == 138_344_128
    assert refs("islr-cnn-hw/p10a")["total_params"].rules["with_biases"] == 138_357_544


def test_p10b_inception_formula(refs):
    hw = 32 * 32
    assert refs("islr-cnn-hw/p10b")["naive_ops"].value == hw * (128 * 256 + 192 * 9 * 256 + 96 * 25 * 256)
    assert refs("islr-cnn-hw/p10b")["reduction_ops"].value == hw * (128 * 256 + 64 * 256 + 192 * 9 * 64
                                                                     + 64 * 256 + 96 * 25 * 64 + 64 * 256)


def test_p11e_closed_form(refs):
    assert refs("islr-cnn-hw/p11e")["params"].value == 20 * 30 + 30 + 2 * 30


def test_p6_c3_against_a_masked_torch_layer(bank, refs):
    import torch

    from dlcheck.nnkit.lenet import PartialConv

    table = bank.problem("islr-cnn-hw/p6").given["c3_table"]
    layer = PartialConv(6, table, 5)
    assert layer.trainable() == refs("islr-cnn-hw/p6")["c3_params"].value
    x = torch.randn(1, 6, 14, 14, requires_grad=True)
    layer(x)[0, 0].sum().backward()   # map 0 must depend on S2 maps 0, 1, 2 only
    touched = [m for m in range(6) if x.grad[0, m].abs().sum() > 0]
    assert touched == table[0]


@pytest.mark.parametrize("stack", [[7], [3, 5], [2, 6], [3, 3, 3], [1, 2, 3, 4], [2, 2, 2, 2, 2, 2], [5, 3, 1]])
def test_receptive_field_formula_matches_the_gradient_probe(stack):
    from dlcheck.nnkit.receptive import probe_receptive_field, receptive_field

    assert receptive_field(stack) == probe_receptive_field(stack)


def test_p12_recomputes_the_submitted_stacks(grade_yaml):
    report = grade_yaml("""
        set: islr-cnn-hw
        answers:
          p12:
            architectures: [[7], [3, 5], [3, 3, 3], [2, 6], [2, 5]]
            params: [50, 36, 30, 42, 31]
            computations: "[11025, 7650, 6075, 9000, 6525]"
    """)
    v = {r.part: r for r in report.results if r.problem == "islr-cnn-hw/p12"}
    assert v["architectures"].verdict == "partial" and v["architectures"].score == pytest.approx(0.8)
    assert "stack 5 (2→5): receptive field 6×6" in v["architectures"].feedback
    assert v["params"].verdict == "correct" and v["computations"].verdict == "correct"


def test_parameter_count_conventions():
    from torch import nn

    from dlcheck.nnkit import parameter_count

    model = nn.Sequential(nn.Linear(20, 30), nn.BatchNorm1d(30))
    assert parameter_count(model) == 690
    assert parameter_count(model, biases=False) == 600 + 30      # β is a bias too
    assert parameter_count(model, batchnorm=False) == 630


def test_lenet5_with_the_connection_table(bank):
    import torch

    from dlcheck.nnkit.lenet import lenet5

    model = lenet5(bank.problem("islr-cnn-hw/p6").given["c3_table"])
    assert model(torch.zeros(2, 1, 32, 32)).shape == (2, 10)
    assert model[3].trainable() == 1516 and sum(p.numel() for p in model[6].parameters()) == 48120
