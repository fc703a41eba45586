"""Re-running the training a submission describes: data sets read from files a
TA already has (never downloaded), one fast training loop shared by claims and
by the solvers' simulated experiments, and several models trained together.

Imports torch; used only inside the sandbox (submitted models) and by solvers."""
