"""VGG (Simonyan and Zisserman 2015) in torchvision's layout: features, avgpool, classifier."""
from torch import nn

from torchvision.models._weights import Weights, random_instead

VGG16_Weights = VGG19_Weights = Weights
CONFIGS = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


class VGG(nn.Module):
    def __init__(self, features, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features, self.avgpool = features, nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(dropout),
                                        nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(dropout),
                                        nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def _layers(config, batch_norm):
    layers, channels = [], 3
    for v in config:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
            continue
        layers.append(nn.Conv2d(channels, v, 3, padding=1))
        layers += [nn.BatchNorm2d(v), nn.ReLU(True)] if batch_norm else [nn.ReLU(True)]
        channels = v
    return nn.Sequential(*layers)


def _vgg(config, batch_norm, pretrained=False, weights=None, progress=True, **kwargs):
    random_instead(pretrained, weights)
    return VGG(_layers(CONFIGS[config], batch_norm), **kwargs)


def vgg11(pretrained=False, weights=None, **kwargs):
    return _vgg("A", False, pretrained, weights, **kwargs)


def vgg13(pretrained=False, weights=None, **kwargs):
    return _vgg("B", False, pretrained, weights, **kwargs)


def vgg16(pretrained=False, weights=None, **kwargs):
    return _vgg("D", False, pretrained, weights, **kwargs)


def vgg16_bn(pretrained=False, weights=None, **kwargs):
    return _vgg("D", True, pretrained, weights, **kwargs)


def vgg19(pretrained=False, weights=None, **kwargs):
    return _vgg("E", False, pretrained, weights, **kwargs)


def vgg19_bn(pretrained=False, weights=None, **kwargs):
    return _vgg("E", True, pretrained, weights, **kwargs)
