"""Report renderers: one module per output format, registered below.

A format module defines what it can write, each function writing text:
    render_report(report, out)       one graded submission to the stream `out`
    render_solution(problem, refs, out)   a problem's derived references (`dlcheck solve`), and
    render_equivalence(a, b, result, out) a check of two expressions (`dlcheck equiv`)
    write_class(book) -> [paths]     a class's outputs into book.out (`dlcheck batch`), from
                                     book.summary, book.records() and book.part_columns()
A new format is one new module plus one line in FORMATS saying which of the three it
offers (and, when students read it, its default audience); the CLI's --format choices and `dlcheck batch --format` come from here (and a
test checks that the README lists the same formats)."""
from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str                   # what --format takes
    module: str                 # dlcheck/report/<module>.py
    report: bool = True         # render_report: `dlcheck grade --format NAME`
    solution: bool = False      # render_solution, render_equivalence: `dlcheck solve|equiv --format NAME`
    classbook: bool = False     # write_class: `dlcheck batch --format NAME`
    audience: str = "staff"     # who reads it unless --audience says otherwise (report/student.py)


FORMATS = (
    Format("rich", "terminal", solution=True),
    Format("json", "json_report", solution=True),
    Format("csv", "csv_report", classbook=True),
    Format("junit", "junit", classbook=True),
    Format("gradescope", "gradescope", classbook=True, audience="student"),   # students see it on submitting
    Format("md", "markdown", classbook=True),
    Format("html", "html", classbook=True),
)
_BY_NAME = {f.name: f for f in FORMATS}
REPORT_FORMATS = tuple(f.name for f in FORMATS if f.report)
SOLUTION_FORMATS = tuple(f.name for f in FORMATS if f.solution)
CLASS_FORMATS = tuple(f.name for f in FORMATS if f.classbook)


def renderer(fmt: str):
    return importlib.import_module(f"dlcheck.report.{_BY_NAME[fmt].module}")


def default_audience(fmt: str) -> str:
    return _BY_NAME[fmt].audience if fmt in _BY_NAME else "staff"
