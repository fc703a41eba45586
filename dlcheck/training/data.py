"""Finding and reading the data sets a claim names, from files already on disk.

A data directory (`--data-dir` or DLCHECK_DATA) holds one folder per data set,
in the layout the files come in (torchvision's layout is found too). Nothing
is ever downloaded: the grading machines have no internet, so a missing file is
a message that says exactly what to put where."""
from __future__ import annotations

import base64
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENV = "DLCHECK_DATA"           # named in messages; read by layout.py
IDX_FILES = {"train_x": "train-images-idx3-ubyte", "train_y": "train-labels-idx1-ubyte",
             "test_x": "t10k-images-idx3-ubyte", "test_y": "t10k-labels-idx1-ubyte"}


@dataclass(frozen=True)
class DataSetInfo:
    name: str
    title: str
    folders: tuple          # where to look, relative to the data directory
    reader: str             # "idx" | "cifar"
    mean: tuple             # per-channel normalisation, the values the course notebooks use
    std: tuple


DATASETS = {
    "mnist": DataSetInfo("mnist", "MNIST", ("mnist", "MNIST/raw", "MNIST", "."), "idx", (0.1307,), (0.3081,)),
    "fashion-mnist": DataSetInfo("fashion-mnist", "Fashion-MNIST",
                                 ("fashion-mnist", "FashionMNIST/raw", "FashionMNIST", "."), "idx",
                                 (0.2860,), (0.3530,)),
    "cifar10": DataSetInfo("cifar10", "CIFAR-10", ("cifar-10-batches-py", "cifar10", "."), "cifar",
                           (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
}


class MissingData(Exception):
    """The data set is not on disk (or unreadable); the message says what to provide."""


@dataclass
class Split:
    x: np.ndarray           # (N, C, H, W) uint8 images
    y: np.ndarray | None    # (N,) int64 labels; None where they are kept from submitted code

    def __len__(self) -> int:
        return len(self.x)


@dataclass
class DataSet:
    info: DataSetInfo
    train: Split
    test: Split
    folder: Path


def data_dir(explicit: str | None = None) -> Path | None:
    """--data-dir, else $DLCHECK_DATA (layout.py; grader side only)."""
    from dlcheck.layout import data_dir as chosen

    return chosen(explicit)


def _needed(info: DataSetInfo) -> list:
    if info.reader == "idx":
        return list(IDX_FILES.values())
    from dlcheck.training.cifar import TEST_FILES, TRAIN_FILES

    return TRAIN_FILES + TEST_FILES


def _present(folder: Path, name: str) -> Path | None:
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def locate(name: str, root: Path | None) -> Path:
    """The folder holding every file of the data set, or MissingData saying what to provide."""
    info = DATASETS[name]
    needed = _needed(info)
    if root is None:
        raise MissingData(f"no data directory: pass --data-dir DIR or set {ENV}=DIR, with the {info.title} "
                          f"files in DIR/{info.folders[0]}/ ({', '.join(needed)}); dlcheck never downloads "
                          f"(the grading machines have no internet)")
    if not root.is_dir():
        raise MissingData(f"the data directory {root} does not exist")
    best, best_missing = None, needed
    for sub in info.folders:
        folder = (root / sub).resolve()
        missing = [n for n in needed if _present(folder, n) is None]
        if not missing:
            return folder
        if len(missing) < len(best_missing):
            best, best_missing = folder, missing
    where = best or root / info.folders[0]
    raise MissingData(f"{info.title} not found under {root}: {where} lacks {', '.join(best_missing)} "
                      f"(looked in {', '.join(info.folders)}); dlcheck never downloads (no internet here): "
                      f"copy the files there")


def load(name: str, root: Path | None) -> DataSet:
    info = DATASETS[name]
    folder = locate(name, root)
    try:
        if info.reader == "idx":
            train, test = _read_idx_splits(folder)
        else:
            train, test = _read_cifar_splits(folder)
    except (ValueError, OSError) as exc:
        raise MissingData(f"{info.title} in {folder} cannot be read: {exc}") from None
    return DataSet(info, train, test, folder)


def _read_idx_splits(folder: Path) -> tuple[Split, Split]:
    from dlcheck.training.idx import read_idx

    arrays = {key: read_idx(_present(folder, name)) for key, name in IDX_FILES.items()}
    splits = []
    for split in ("train", "test"):
        x, y = arrays[f"{split}_x"], arrays[f"{split}_y"]
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise ValueError(f"{split} images {x.shape} and labels {y.shape} do not match")
        splits.append(Split(x[:, None].astype(np.uint8), y.astype(np.int64)))
    return splits[0], splits[1]


def _read_cifar_splits(folder: Path) -> tuple[Split, Split]:
    from dlcheck.training.cifar import TEST_FILES, TRAIN_FILES, read_batches

    return Split(*read_batches(folder, TRAIN_FILES)), Split(*read_batches(folder, TEST_FILES))


def write_idx_dataset(folder, train: Split, test: Split, compress: bool = False) -> Path:
    """Write a data set in MNIST's file layout (for tests, the demo and the bench)."""
    from dlcheck.training.idx import write_idx

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for split, data in (("train", train), ("test", test)):
        suffix = ".gz" if compress else ""
        write_idx(folder / f"{IDX_FILES[split + '_x']}{suffix}", data.x.reshape(len(data), *data.x.shape[-2:]),
                  compress)
        write_idx(folder / f"{IDX_FILES[split + '_y']}{suffix}", data.y.astype(np.uint8), compress)
    return folder


def write_cifar_dataset(folder, train: Split, test: Split) -> Path:
    """Write a data set as CIFAR-10's python batches (five training batches and a test batch)."""
    from dlcheck.training.cifar import TEST_FILES, TRAIN_FILES, write_batch

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in zip(TRAIN_FILES, np.array_split(np.arange(len(train)), len(TRAIN_FILES))):
        write_batch(folder / name, train.x[rows], train.y[rows])
    write_batch(folder / TEST_FILES[0], test.x, test.y)
    return folder


# --- what submitted code gets to see ----------------------------------------------
PREPARED = ("train_x.npy", "train_y.npy", "test_x.npy")


def prepare(found: DataSet, folder: Path) -> Path:
    """The data set as submitted code may see it: training images and labels, test images,
    and no test labels (so a model cannot look them up, and scoring happens outside the
    sandbox). Written once per data set, atomically; plain .npy files, read without pickle."""
    folder = Path(folder).resolve()       # absolute: the sandbox has a working directory of its own
    if all((folder / name).is_file() for name in PREPARED):
        return folder
    scratch = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
    scratch.mkdir(parents=True, exist_ok=True)
    for name, array in zip(PREPARED, (found.train.x, found.train.y, found.test.x)):
        np.save(scratch / name, array, allow_pickle=False)
    try:
        scratch.rename(folder)
    except OSError:                 # another process wrote it first: theirs is the same
        shutil.rmtree(scratch, ignore_errors=True)
    return folder


def load_prepared(name: str, folder) -> DataSet:
    folder = Path(folder)
    train_x, train_y, test_x = (np.load(folder / f, allow_pickle=False) for f in PREPARED)
    return DataSet(DATASETS[name], Split(train_x, train_y), Split(test_x, None), folder)


def pack(array: np.ndarray) -> dict:
    """An array as JSON: dtype, shape and base64 bytes (predictions crossing the sandbox pipe)."""
    array = np.ascontiguousarray(array)
    return {"dtype": array.dtype.str, "shape": list(array.shape), "data": base64.b64encode(array.tobytes()).decode()}


def unpack(packed: dict, limit: int = 50_000_000) -> np.ndarray:
    dtype = np.dtype(packed["dtype"])
    if dtype.kind not in "iuf" or int(np.prod(packed["shape"])) * dtype.itemsize > limit:
        raise ValueError("not a packed array of numbers")
    return np.frombuffer(base64.b64decode(packed["data"]), dtype=dtype).reshape(packed["shape"])
