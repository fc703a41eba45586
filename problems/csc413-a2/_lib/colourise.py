"""The colourisation task of csc413-a2 (sections 4–6): from the grey version of
a CIFAR-10 image (the mean of its three channels), predict each pixel's colour
as one of K colours, the k-means centres of the training pixels of one
category (horses, 7, in the assignment). Cross-entropy per pixel; accuracy is
the share of pixels given the right colour. Built from the CIFAR files alone."""
from __future__ import annotations

import numpy as np

from dlcheck.training.data import DataSet, Split

MAX_KMEANS_PIXELS = 100_000


def kmeans(pixels: np.ndarray, k: int, seed: int = 0, iterations: int = 25) -> np.ndarray:
    """Lloyd's algorithm from k distinct random pixels; an emptied centre keeps its place."""
    rng = np.random.default_rng(seed)
    if len(pixels) > MAX_KMEANS_PIXELS:
        pixels = pixels[rng.choice(len(pixels), MAX_KMEANS_PIXELS, replace=False)]
    distinct = np.unique(pixels, axis=0)
    centres = distinct[rng.choice(len(distinct), min(k, len(distinct)), replace=False)].astype(np.float64)
    for _ in range(iterations):
        labels = nearest(pixels, centres)
        for c in range(len(centres)):
            members = pixels[labels == c]
            if len(members):
                centres[c] = members.mean(axis=0)
    return centres


def nearest(pixels: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the closest centre (squared Euclidean distance) for each RGB row."""
    distances = (pixels ** 2).sum(1, keepdims=True) - 2 * pixels @ centres.T + (centres ** 2).sum(1)
    return distances.argmin(1)


def _rgb_rows(images: np.ndarray) -> np.ndarray:
    """(N, 3, H, W) uint8 -> (N·H·W, 3) floats in [0, 1]."""
    return images.transpose(0, 2, 3, 1).reshape(-1, 3).astype(np.float64) / 255


def colourise(found: DataSet, category: int, colours: int, seed: int = 0) -> tuple[Split, Split, np.ndarray]:
    """(train, test, centres): grey images (N, 1, H, W) float32 in [0, 1] and per-pixel colour labels (N, H, W)."""
    train = found.train.x[found.train.y == category]
    test = found.test.x[found.test.y == category]
    if not len(train) or not len(test):
        raise ValueError(f"no images of category {category} in {found.info.title}")
    centres = kmeans(_rgb_rows(train), colours, seed)

    def task(images: np.ndarray) -> Split:
        grey = images.astype(np.float32).mean(axis=1, keepdims=True) / 255
        labels = nearest(_rgb_rows(images), centres).reshape(len(images), *images.shape[2:])
        return Split(grey, labels.astype(np.int64))
    return task(train), task(test), centres
