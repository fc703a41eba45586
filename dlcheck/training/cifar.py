"""CIFAR-10's "python version" batches (data_batch_1..5, test_batch): pickled
dicts with b"data" (N × 3072 uint8, channel-major) and b"labels".

They are pickles, and unpickling can run code, so the reader allows only the
classes such a file needs (numpy arrays and their dtypes); anything else is
refused. The writer makes small batches for tests."""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

TRAIN_FILES = [f"data_batch_{i}" for i in range(1, 6)]
TEST_FILES = ["test_batch"]
_ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
            ("numpy._core.multiarray", "scalar"), ("_codecs", "encode")}


class CifarError(ValueError):
    pass


class _DataOnly(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise CifarError(f"refusing to load {module}.{name}: a CIFAR batch holds only arrays")
        return super().find_class(module, name)


def read_batch(path) -> tuple[np.ndarray, np.ndarray]:
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            batch = _DataOnly(fh, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError) as exc:
        raise CifarError(f"{path}: not a CIFAR-10 python batch ({exc})") from None
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise CifarError(f"{path}: expected a dict with b'data' and b'labels'")
    data = np.asarray(batch[b"data"], dtype=np.uint8)
    labels = np.asarray(batch[b"labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3072 or len(labels) != len(data):
        raise CifarError(f"{path}: data has shape {data.shape}, expected (N, 3072) with N labels")
    return data.reshape(-1, 3, 32, 32), labels


def read_batches(folder: Path, names: list) -> tuple[np.ndarray, np.ndarray]:
    parts = [read_batch(folder / name) for name in names]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def write_batch(path, images: np.ndarray, labels) -> Path:
    """images: (N, 3, 32, 32) uint8."""
    data = np.asarray(images, dtype=np.uint8).reshape(len(images), -1)
    with open(path, "wb") as fh:
        pickle.dump({b"data": data, b"labels": [int(v) for v in labels]}, fh, protocol=2)
    return Path(path)
