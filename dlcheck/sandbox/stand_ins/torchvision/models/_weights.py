"""Weight enums and the `pretrained` flag: accepted, noted, never downloaded."""
import enum

import torchvision


class Weights(enum.Enum):
    IMAGENET1K_V1 = "IMAGENET1K_V1"
    IMAGENET1K_V2 = "IMAGENET1K_V2"
    DEFAULT = "DEFAULT"


def random_instead(pretrained=False, weights=None) -> None:
    if pretrained or weights is not None:
        torchvision.USED.add("pretrained weights (random weights instead: no download)")
    torchvision.USED.add("torchvision models (dlcheck's stand-in)")
