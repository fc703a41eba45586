"""Re-running the training a submission describes: data sets read from files a
TA already has (never downloaded), one fast training loop shared by claims and
by the solvers' simulated experiments, and several models trained together.

The modules that train (loop, sweep, rerun) import torch and run inside the
sandbox (submitted models) or in solvers; the grader itself uses only data.py,
protocol.py and idx/cifar (numpy, no torch) to find data and validate protocols."""


def sandbox_operation():
    """Training as an operation the sandbox runs (sandbox/operations.py): claims and
    experiments are re-run inside, by rerun.py, with the modules it needs copied in."""
    from dlcheck.sandbox.operations import Operation

    modules = ("training/__init__.py", "training/loop.py", "training/sweep.py", "training/protocol.py",
               "training/data.py", "training/idx.py", "training/cifar.py", "training/rerun.py")
    return Operation("train", "dlcheck.training.rerun:rerun", modules,
                     preload=tuple("dlcheck." + m[:-3].replace("/", ".") for m in modules[1:]))
