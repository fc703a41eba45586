"""dlcheck's stand-in for torchvision inside the sandbox (see ../README.md): the
architectures with random weights, never a download."""
from torchvision import datasets, models, transforms  # noqa: F401

__version__ = "0.0+dlcheck-stand-in"
USED: set = set()          # what submitted code used of the stand-in (reported with the verdict)
