"""Operations a layer above adds to what the sandbox can run inside.

The sandbox itself only observes submitted code (observe.py). Training a
model — a claim re-run, a set's experiment — is training's business: it
declares one `Operation` and hands it to `shared(..., operations=…)`. The box
copies the operation's modules into the inside view, the template imports them
before its first check, and the worker routes requests with that `op` to the
entry point. So the sandbox imports nothing above it, and what runs inside is
still only what a trusted caller named. Import-free: it runs inside as well."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Operation:
    name: str                # the request's "op"
    entry: str               # "package.module:function", called with the request inside
    modules: tuple = ()      # files, relative to the dlcheck package, the inside copy needs
    preload: tuple = ()      # modules the template imports once, before any check

    def settings(self) -> dict:
        return {"entry": self.entry, "preload": list(self.preload)}


def call(entry: str, request: dict) -> dict:
    """Run an operation's entry point on a request (inside the sandbox)."""
    import importlib

    module, _, function = entry.partition(":")
    return getattr(importlib.import_module(module), function)(request)
