"""What one check may use, with every default written once.

A part's spec may change them (`limits: {wall_seconds: 30}`); a kind may start
from other defaults (a formula's equivalence gets 3 s, a code check 10 s), and
a training claim's limits follow its budget. Import-free: specs read it, and it
travels to the sandbox as JSON."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace


@dataclass(frozen=True)
class Limits:
    """What one check may use: every default is written here once."""

    wall_seconds: float = 10.0
    cpu_seconds: int = 10
    memory_mb: int = 2048        # all the check's processes together
    processes: int = 32
    disk_mb: int = 256           # the largest file, and (under bubblewrap) all of /tmp

    def to_json(self) -> dict:
        return asdict(self)

    def but(self, **changes) -> "Limits":
        return replace(self, **changes)

    @classmethod
    def names(cls) -> tuple:
        return tuple(f.name for f in fields(cls))
