"""islr-cnn-hw p1: the bias–variance picture, simulated (numpy).

Worked solution: draw many training sets from y = sin(2πx) + noise, fit
polynomials of growing degree, and measure at fixed test points the squared
bias and the variance of the fits, the training and test errors, and the
irreducible error (the noise variance). The table is what the sketch shows."""
import numpy as np

from dlcheck.reference import Reference


def solve(given):
    rng = np.random.default_rng(given["seed"])
    x_test = np.linspace(0.05, 0.95, 50)
    truth = np.sin(2 * np.pi * x_test)
    rows = []
    for degree in given["degrees"]:
        preds, train_err = [], []
        for _ in range(given["repeats"]):
            x = rng.uniform(0, 1, given["train_size"])
            y = np.sin(2 * np.pi * x) + rng.normal(0, given["noise"], x.size)
            coeffs = np.polyfit(x, y, degree)
            preds.append(np.polyval(coeffs, x_test))
            train_err.append(np.mean((np.polyval(coeffs, x) - y) ** 2))
        preds = np.array(preds)
        bias2 = float(np.mean((preds.mean(axis=0) - truth) ** 2))
        variance = float(np.mean(preds.var(axis=0)))
        noise = given["noise"] ** 2
        rows.append(f"degree {degree:2}: bias² {bias2:.3f}  variance {variance:.3f}  train {np.mean(train_err):.3f}  "
                    f"test {bias2 + variance + noise:.3f}  irreducible {noise:.3f}")
    return {"curves": Reference("bias² falls, variance rises, train error falls, test error U-shaped, "
                                "irreducible error flat", rows)}
