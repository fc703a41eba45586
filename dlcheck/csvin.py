"""CSV files people edit in a spreadsheet and hand back (review scores, rosters):
untrusted input, read with the row numbers a spreadsheet shows.

Every fault is a SubmissionFileError naming the file and, where there is one,
the row (the header is row 1) and the column: not UTF-8 (Excel's byte-order
mark is fine), too large, a missing or unknown column, a row longer than the
header, a cell over the size limit. `cell` refuses a formula (a cell that a
spreadsheet would run: = + - @ first), after taking off the quote that
spreadsheets and `dlcheck review export` put before one to keep it text."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from dlcheck.errors import SubmissionFileError, did_you_mean

MAX_BYTES = 20_000_000
MAX_CELL = 100_000
FORMULA_START = ("=", "+", "-", "@")


class Rows:
    """The rows of a CSV file as {column: text}, each with its spreadsheet row number."""

    def __init__(self, path: Path, required: tuple, optional: tuple = (), others: bool = False):
        """`others`: columns beyond required and optional are allowed and ignored (an LMS export has
        many); otherwise each is an error, so a column meant to be read is never silently dropped."""
        self.path = Path(path)
        self.rows = list(_records(self.path))
        if not self.rows:
            raise SubmissionFileError(f"{self.path}: empty; expected a header row with {', '.join(required)}")
        self.columns = _header(self.path, self.rows[0][1], required, optional, others)
        self.names = {name: raw.strip() for name, raw in zip(self.columns, self.rows[0][1])}   # as written

    def __iter__(self):
        for number, cells in self.rows[1:]:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(self.columns):
                raise self.error(number, f"{len(cells)} cells, but the header names {len(self.columns)} columns")
            yield number, {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(self.columns)}

    def error(self, row: int, message: str) -> SubmissionFileError:
        return SubmissionFileError(f"{self.path}: row {row}: {message}")


def cell(rows: Rows, row: int, column: str, text: str, number: bool = False) -> str:
    """A cell's text, stripped; a formula is refused (in a `number` cell a sign before a digit is not one)."""
    text = text.strip()
    if text.startswith("'"):
        return text[1:]
    signed = number and text[:1] in "+-" and text[1:2].isdigit()
    if text[:1] in FORMULA_START and not signed:
        raise rows.error(row, f"column {column!r} starts with {text[:1]!r}, which a spreadsheet runs as a "
                              f"formula; write it as text (a ' before it) or without the {text[:1]!r}")
    return text


def _records(path: Path):
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SubmissionFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise SubmissionFileError(f"{path}: larger than {MAX_BYTES // 1_000_000} MB; is it the right file?")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubmissionFileError(f"{path}: not UTF-8 text (byte {exc.start}); save it as \"CSV UTF-8\"") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SubmissionFileError(f"{path}: row {number}: not valid CSV ({exc})") from None
        if any(len(c) > MAX_CELL for c in cells):
            raise SubmissionFileError(f"{path}: row {number}: a cell longer than {MAX_CELL:,} characters")
        yield number, cells


def _header(path: Path, cells: list, required: tuple, optional: tuple, others: bool) -> list:
    known = list(required) + list(optional)
    names = []
    for raw in cells:
        name = " ".join(raw.strip().lstrip("'").split()).casefold()
        if name not in known and not others:
            raise SubmissionFileError(f"{path}: row 1: unknown column {raw.strip()!r}{did_you_mean(name, known)}; "
                                      f"expected {', '.join(required)} (and optionally {', '.join(optional)})")
        if name in names and (name in known or not others):
            raise SubmissionFileError(f"{path}: row 1: column {name!r} appears twice")
        names.append(name)
    missing = [c for c in required if c not in names]
    if missing:
        raise SubmissionFileError(f"{path}: row 1: missing column{'s' if len(missing) > 1 else ''} "
                                  f"{', '.join(missing)}; the header has {', '.join(names) or 'nothing'}")
    return names
