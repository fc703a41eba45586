"""What crosses the sandbox's boundary, on both sides of it: one JSON object per
line, each reply carrying the nonce of its request, arrays as dtype + shape +
base64 bytes, and size caps everywhere, so nothing the code prints, floods or
forges can pass for a reply to another request.

Imported inside the sandbox too: standard library only (numpy when arrays are
packed)."""
from __future__ import annotations

import base64
import json
import os
import select
import time

MAX_LINE = 64 * 1024 * 1024          # one reply (training predictions are the largest)
MAX_ARRAY_BYTES = 32 * 1024 * 1024   # one array an observation may hold
ARRAY_KINDS = "biuf"                 # bool, integers, floats: never objects


class WireError(Exception):
    """A reply that is late, too large, malformed or meant for another request."""


def dumps(message: dict) -> bytes:
    return json.dumps(message, separators=(",", ":"), default=str).encode() + b"\n"


class LineReader:
    """Reads newline-terminated JSON objects from a pipe, each within a deadline and a size cap."""

    def __init__(self, fd: int, limit: int = MAX_LINE):
        self.fd, self.limit, self.buffer = fd, limit, bytearray()

    def read(self, seconds: float) -> dict:
        deadline = time.monotonic() + seconds
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WireError(f"no reply within {seconds:g} s")
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                raise WireError("the other side closed the pipe")
            self.buffer += chunk
            if len(self.buffer) > self.limit:
                raise WireError(f"a reply longer than {self.limit:,} bytes")
        line, _, rest = bytes(self.buffer).partition(b"\n")
        self.buffer = bytearray(rest)
        try:
            message = json.loads(line)
        except ValueError:
            raise WireError("a reply that is not JSON") from None
        if not isinstance(message, dict):
            raise WireError("a reply that is not a JSON object")
        return message


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


# -- arrays --------------------------------------------------------------------
def pack(array) -> dict:
    """A numpy array (or tensor) as JSON: dtype, shape and base64 bytes."""
    import numpy as np

    if hasattr(array, "detach"):                   # a torch tensor
        array = array.detach().cpu().numpy()
    array = np.ascontiguousarray(array)
    return {"dtype": array.dtype.str, "shape": list(array.shape), "data": base64.b64encode(array.tobytes()).decode()}


def unpack(packed, limit: int = MAX_ARRAY_BYTES):
    """The array `pack` wrote, validated: a number dtype, a shape that fits the bytes, under the size cap."""
    import numpy as np

    if not isinstance(packed, dict) or set(packed) != {"dtype", "shape", "data"}:
        raise WireError("not a packed array")
    try:
        dtype = np.dtype(packed["dtype"])
    except (TypeError, ValueError):
        raise WireError("an array of an unknown type") from None
    shape = packed["shape"]
    if dtype.kind not in ARRAY_KINDS or not isinstance(shape, list) or len(shape) > 8 or not all(
            isinstance(n, int) and not isinstance(n, bool) and 0 <= n for n in shape):
        raise WireError("not an array of numbers")
    size = 1
    for n in shape:
        size *= n
    if size * dtype.itemsize > limit or not isinstance(packed["data"], str) \
            or len(packed["data"]) > 4 * (limit // 3 + 1):
        raise WireError(f"an array larger than {limit:,} bytes")
    try:
        raw = base64.b64decode(packed["data"].encode(), validate=True)
    except ValueError:                              # binascii.Error: not base64
        raise WireError("an array that is not base64") from None
    if len(raw) != size * dtype.itemsize:
        raise WireError("an array whose bytes do not fit its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape)
