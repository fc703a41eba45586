"""islr-cnn-hw p5: pseudolabels from cosine similarity (numpy)."""
import numpy as np

from dlcheck.reference import Reference


def solve(given):
    names = list(given["datasets"])
    out = {}
    for image, vector in given["images"].items():
        v = np.array(vector, float)
        sims = {n: float(np.dot(v, d) / (np.linalg.norm(v) * np.linalg.norm(d)))
                for n, d in ((n, np.array(given["datasets"][n], float)) for n in names)}
        order = sorted(names, key=lambda n: -sims[n])
        labels = ["".join(order[:k]) for k in range(1, len(order) + 1)]
        out[image] = Reference(labels, [", ".join(f"cos({image}, {n}) = {sims[n]:.3f}" for n in names),
                                        f"by decreasing similarity: {' > '.join(order)}"])
    return out
