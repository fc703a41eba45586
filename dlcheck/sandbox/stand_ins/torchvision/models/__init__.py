"""Model architectures as torchvision defines them, with random weights: `pretrained=True`
or `weights=...` are accepted and noted, and give random weights (no download)."""
from torchvision.models.resnet import (BasicBlock, Bottleneck, ResNet, ResNet18_Weights, ResNet34_Weights,  # noqa
                                       ResNet50_Weights, resnet18, resnet34, resnet50, resnet101, resnet152)
from torchvision.models.vgg import VGG, VGG16_Weights, VGG19_Weights, vgg11, vgg13, vgg16, vgg16_bn, vgg19, vgg19_bn  # noqa
