"""Torch helpers that solvers share. Imported only by solvers, never on the
grading path of plain answers (it imports torch)."""
from dlcheck.nnkit.counts import conv_multiplications, layer_outputs, parameter_count  # noqa: F401
