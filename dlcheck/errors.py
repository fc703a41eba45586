"""User-facing errors. Each one says where (file, line, key), what was expected,
and, where a name was mistyped, the closest valid names."""
from __future__ import annotations

import difflib
from dataclasses import dataclass


def closest(name: str, options, n: int = 3) -> list[str]:
    """The valid names nearest to `name`, closest first."""
    options = [str(o) for o in options]
    return difflib.get_close_matches(str(name), options, n=n, cutoff=0.5)


def did_you_mean(name: str, options) -> str:
    near = closest(name, options)
    return f" (did you mean {' or '.join(repr(x) for x in near)}?)" if near else ""


def where(file: str | None, line: int | None) -> str:
    if file and line:
        return f"{file}:{line}: "
    return f"{file}: " if file else ""


TORCH_EXTRA = "pip install 'dlcheck[torch]'"


def missing_torch(exc: BaseException) -> str:
    """What to say when `exc` is torch (or torchvision) not being installed, else "". Numbers,
    formulas and labels need no torch once their references are derived; code answers,
    training claims and deriving references do."""
    name = getattr(exc, "name", None) or ""
    if isinstance(exc, ModuleNotFoundError) and name.split(".")[0] in ("torch", "torchvision"):
        return f"this needs torch, which is not installed here: {TORCH_EXTRA}"
    return ""


class DlcheckError(Exception):
    """An error a user can act on; the CLI prints it without a traceback."""


class SpecError(DlcheckError):
    """A problem spec in the bank is malformed (a bug in the bank, not in a submission)."""


class SolverError(DlcheckError):
    """A solver failed to derive its references."""


class SubmissionFileError(DlcheckError):
    """The submission file as a whole cannot be read (exit code 2)."""


class WriteupFileError(SubmissionFileError):
    """A write-up given to `dlcheck import` cannot be read (exit code 2, as for a submission)."""


class UnknownProblem(DlcheckError):
    pass


@dataclass
class Issue:
    """A located problem inside a file that does not stop the rest of it."""

    key: str
    message: str
    line: int | None = None

    def to_json(self) -> dict:
        out = {"key": self.key, "message": self.message}
        if self.line:
            out["line"] = self.line
        return out
