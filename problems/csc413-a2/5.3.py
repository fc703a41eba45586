"""csc413-a2 5.3: the claims are for review; where CIFAR-10 is available the reviewer
also gets the measurements, from training PoolUpsampleNet, ConvTransposeNet as the assignment does."""
from dlcheck.claims import experiment_reference


def solve(given):
    return {"claims": experiment_reference(given, "claims")}
