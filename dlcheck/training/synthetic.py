"""An MNIST-shaped data set made in code (no download): ten fixed random
"digit" templates, each image one template, shifted by a pixel or two, scaled
and drowned in noise, so that a small network learns it to a high but not
perfect accuracy and reruns with other seeds scatter a little, like MNIST."""
from __future__ import annotations

import numpy as np

from dlcheck.training.data import Split


def digits(train: int, test: int, seed: int = 0, size: int = 28, noise: float = 1.5, classes: int = 10):
    rng = np.random.default_rng(seed)
    templates = _templates(rng, classes, size)
    return _sample(rng, templates, train, noise), _sample(rng, templates, test, noise)


def _templates(rng, classes: int, size: int) -> np.ndarray:
    """Smooth blobs: random strokes blurred, one per class."""
    out = np.zeros((classes, size, size))
    for c in range(classes):
        for _ in range(4):
            r, q = rng.integers(6, size - 6, 2)
            dr, dq = rng.integers(-1, 2, 2)
            for k in range(8):
                out[c, np.clip(r + k * dr, 0, size - 1), np.clip(q + k * dq, 0, size - 1)] = 1
        kernel = np.ones(3) / 3
        for axis in (1, 2):
            out[c] = np.apply_along_axis(lambda v: np.convolve(v, kernel, "same"), axis - 1, out[c])
    return out / out.max(axis=(1, 2), keepdims=True)


def _sample(rng, templates: np.ndarray, n: int, noise: float) -> Split:
    labels = rng.integers(0, len(templates), n)
    shifts = rng.integers(-2, 3, (n, 2))
    images = np.stack([np.roll(templates[c], tuple(s), axis=(0, 1)) for c, s in zip(labels, shifts)])
    images = images * rng.uniform(0.6, 1.0, (n, 1, 1)) + rng.normal(0, noise / 3, images.shape)
    pixels = np.clip(images * 255, 0, 255).astype(np.uint8)
    return Split(pixels[:, None], labels.astype(np.int64))


def colour_images(n: int, seed: int = 0, classes: int = 10, size: int = 32) -> Split:
    """CIFAR-shaped colour images: a few flat-coloured rectangles on a coloured ground,
    from a palette of eight colours, so grey levels say something about colours."""
    rng = np.random.default_rng(seed)
    palette = rng.integers(0, 256, (8, 3))
    images = np.empty((n, 3, size, size), dtype=np.uint8)
    for i in range(n):
        canvas = np.broadcast_to(palette[rng.integers(8)][:, None, None], (3, size, size)).copy()
        for _ in range(3):
            top, left = rng.integers(0, size - 8, 2)
            height, width = rng.integers(6, 16, 2)
            canvas[:, top:top + height, left:left + width] = palette[rng.integers(8)][:, None, None]
        images[i] = canvas
    return Split(images, rng.integers(0, classes, n).astype(np.int64))


def main(argv=None) -> None:
    """python -m dlcheck.training.synthetic DIR: an MNIST-format data set in DIR/mnist (demo, tests, bench)."""
    import argparse

    from dlcheck.training.data import write_idx_dataset

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("dir")
    parser.add_argument("--train", type=int, default=6000)
    parser.add_argument("--test", type=int, default=2000)
    parser.add_argument("--noise", type=float, default=0.9)
    args = parser.parse_args(argv)
    train, test = digits(args.train, args.test, noise=args.noise)
    folder = write_idx_dataset(f"{args.dir}/mnist", train, test, compress=True)
    print(f"wrote {args.train:,} training and {args.test:,} test images (synthetic, MNIST's IDX format) to {folder}")


if __name__ == "__main__":
    main()
