"""Re-running the training a submission describes: data sets read from files a
TA already has (never downloaded), one fast training loop shared by claims and
by the solvers' simulated experiments, and several models trained together.

The modules that train (loop, sweep, rerun) import torch and run inside the
sandbox (submitted models) or in solvers; the grader itself uses only data.py,
protocol.py and idx/cifar (numpy, no torch) to find data and validate protocols."""
