"""Report renderers: one module per output format, registered below.

Each module defines render_report(report, out) and render_solution(problem,
refs, out), writing to the text stream `out`. A new format is one new module
plus one line here."""
from __future__ import annotations

import importlib

_FORMATS = {
    "rich": "terminal",
    "json": "json_report",
    "csv": "csv_report",
    "junit": "junit",
    "gradescope": "gradescope",
    "md": "markdown",
    "html": "html",
}
FORMATS = tuple(_FORMATS)


def renderer(fmt: str):
    return importlib.import_module(f"dlcheck.report.{_FORMATS[fmt]}")
