"""islr-cnn-hw p11b: the batch-norm forward pass, checked by running it.

The reference (dlcheck.nnkit.functions.batchnorm) normalises with the
batch statistics and updates the running averages in train mode, and uses the
running averages in test mode. A submission runs in the sandbox on random
inputs beside it, twice in train mode and then in test mode."""
from dlcheck.reference import Reference


def solve(given):
    return {"forward_batchnorm": Reference({"function": "forward_batchnorm", "check": "batchnorm",
                                            "cases": given["cases"]}, [
        "train: μ, σ² of the batch; cache ← β_avg·cache + (1 − β_avg)·(μ, σ²); out = γ(Z − μ)/√(σ² + ε) + β",
        "test: the same with the running μ, σ² from cache_dict",
    ])}
