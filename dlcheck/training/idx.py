"""The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
a big-endian header (two zero bytes, a type code, the number of dimensions,
then one 32-bit size per dimension) followed by the raw array. Files may be
gzipped. The writer exists so tests and the demo exercise the reader end to end."""
from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

# type code -> numpy dtype (big-endian, as the format stores them)
_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
          0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_CODES = {dtype.newbyteorder("="): code for code, dtype in _TYPES.items()}
MAX_ITEMS = 500_000_000   # a corrupt header must not ask for terabytes


class IdxError(ValueError):
    pass


def _open(path: Path):
    with open(path, "rb") as fh:
        gzipped = fh.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else open(path, "rb")


def read_idx(path) -> np.ndarray:
    path = Path(path)
    with _open(path) as fh:
        header = fh.read(4)
        if len(header) != 4 or header[:2] != b"\0\0" or header[2] not in _TYPES:
            raise IdxError(f"{path}: not an IDX file (bad magic number {header.hex() or 'empty'})")
        dtype, ndim = _TYPES[header[2]], header[3]
        dims = struct.unpack(f">{ndim}I", fh.read(4 * ndim))
        count = int(np.prod(dims, dtype=np.int64))
        if count > MAX_ITEMS:
            raise IdxError(f"{path}: the header claims {count:,} values; refusing")
        data = fh.read(count * dtype.itemsize)
    if len(data) != count * dtype.itemsize:
        raise IdxError(f"{path}: truncated: the header says {dims} but the file holds "
                       f"{len(data) // dtype.itemsize:,} of {count:,} values")
    return np.frombuffer(data, dtype=dtype).reshape(dims).astype(dtype.newbyteorder("="))


def write_idx(path, array: np.ndarray, compress: bool = False) -> Path:
    array = np.asarray(array)
    code = _CODES.get(array.dtype)
    if code is None:
        raise IdxError(f"IDX cannot store {array.dtype}")
    payload = struct.pack(">BBBB", 0, 0, code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    payload += array.astype(_TYPES[code]).tobytes()
    path = Path(path)
    path.write_bytes(gzip.compress(payload, mtime=0) if compress else payload)
    return path
