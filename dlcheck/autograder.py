"""A Gradescope autograder for one problem set: `dlcheck autograder SET -o autograder.zip`.

Gradescope's specification: the zip holds `setup.sh` (run once, with network,
when Gradescope builds the image) and `run_autograder` (run for every
submission, in /autograder, with the student's files in /autograder/submission
and /autograder/submission_metadata.json beside them); it must write
/autograder/results/results.json (`score`, `output`, `tests[]`, `visibility`,
…), which is what students see. The zip's files land in /autograder/source:

    setup.sh                 python venv, torch (CPU wheel), bubblewrap, dlcheck; every reference derived once
    run_autograder           python -m dlcheck.autograder run
    dlcheck-autograder.json  the set, `--reveal` selectors and the tests' visibility
    package/                 dlcheck's source (pyproject.toml, README.md, dlcheck/)
    problems/<SET>/          the set's specs and solvers

`run` grades the one .yaml file of the submission for students (report/student.py:
no reference value) and always writes results.json: a submission with no
.yaml file, several, or one that is not a submission gets a score of 0 and a
message saying what to upload. DLCHECK_AUTOGRADER_ROOT (default /autograder)
and DLCHECK_PYTHON (default the image's venv) move it off Gradescope, as the
tests do."""
from __future__ import annotations

import json
import os
import sys
import zipfile
from pathlib import Path

from dlcheck.errors import UnknownProblem, did_you_mean

CONFIG = "dlcheck-autograder.json"
STAMP = (2020, 1, 1, 0, 0, 0)            # every entry's date: the same inputs give the same zip
SKIP = ("__pycache__", ".pyc", ".pyo")
MAX_FILES = 200                          # a submission folder is the student's: look at so many names at most

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder's image (network available).
set -euo pipefail
ROOT="${{DLCHECK_AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
apt-get update -qq
# bubblewrap isolates submitted code (no network, read-only system); see README.md, "the sandbox"
apt-get install -y -qq python3 python3-venv python3-pip bubblewrap >/dev/null
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --quiet --upgrade pip
"$ROOT/venv/bin/pip" install --quiet "{torch}" --index-url https://download.pytorch.org/whl/cpu
"$ROOT/venv/bin/pip" install --quiet "$SOURCE/package"
# every reference of the set derived now, so each submission is graded from the warm cache
DLCHECK_PROBLEMS="$SOURCE/problems" DLCHECK_CACHE_DIR="$ROOT/cache" "$ROOT/venv/bin/python" -m dlcheck.autograder warm
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes $ROOT/results/results.json.
ROOT="${DLCHECK_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${DLCHECK_PYTHON:-$ROOT/venv/bin/python}"
export DLCHECK_PROBLEMS="$ROOT/source/problems"
export DLCHECK_CACHE_DIR="${DLCHECK_CACHE_DIR:-$ROOT/cache}"
cd "$ROOT"
exec "$PYTHON" -m dlcheck.autograder run
"""


# -- building the zip ---------------------------------------------------------------------------
def build(set_name: str, target: Path, bank, reveal=(), visibility: str | None = None, torch: str = "") -> list:
    """Write the autograder zip for `set_name`; returns the names inside."""
    if not bank.has_set(set_name):
        raise UnknownProblem(f"unknown problem set {set_name!r}{did_you_mean(set_name, bank.sets())}")
    config = {"set": set_name, "reveal": list(reveal), "visibility": visibility or "", "audience": "student"}
    files = {"setup.sh": SETUP.format(torch=torch or _torch_requirement()), "run_autograder": RUN,
             CONFIG: json.dumps(config, indent=2) + "\n"}
    package = Path(__file__).resolve().parent
    sources = {f"package/{name}": package.parent / name for name in ("pyproject.toml", "README.md")}
    sources.update(_tree(package, "package/dlcheck"))
    sources.update(_tree(bank.set_dir(set_name), f"problems/{set_name}"))
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            _add(archive, name, files[name].encode("utf-8"), executable=name in ("setup.sh", "run_autograder"))
        for name in sorted(sources):
            _add(archive, name, sources[name].read_bytes())
    return sorted(files) + sorted(sources)


def _tree(folder: Path, prefix: str) -> dict:
    return {f"{prefix}/{p.relative_to(folder).as_posix()}": p for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(s in p.name or s in p.parts for s in SKIP)}


def _add(archive, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, STAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    archive.writestr(info, data)


def _torch_requirement() -> str:
    """The torch this dlcheck is tested with (its CPU wheel on Gradescope's image)."""
    from importlib import metadata

    try:
        return f"torch=={metadata.version('torch').split('+')[0]}"
    except metadata.PackageNotFoundError:
        return "torch"


# -- inside Gradescope -----------------------------------------------------------------------------
def root() -> Path:
    return Path(os.environ.get("DLCHECK_AUTOGRADER_ROOT", "/autograder"))


def run(base: Path) -> dict:
    """Grade the submission under `base` and write results/results.json; returns what was written."""
    from dlcheck.errors import DlcheckError

    config = _config(base)
    try:
        data = _grade(base, config)
    except DlcheckError as exc:
        data = _failure(str(exc))
    except Exception as exc:  # noqa: BLE001 - the student must get an answer, staff the reason (stdout)
        print(f"dlcheck internal error: {type(exc).__name__}: {exc}")
        data = _failure("dlcheck could not grade this submission (an internal error); the course staff can "
                        "see why in the autograder's output")
    data.setdefault("extra_data", {})["dlcheck"] = _metadata(base)
    _write(base / "results" / "results.json", data)
    return data


def _grade(base: Path, config: dict) -> dict:
    from dlcheck.audience import view_for
    from dlcheck.bank import Bank
    from dlcheck.grade import Grader
    from dlcheck.report.gradescope import results_json
    from dlcheck.report.student import for_view
    from dlcheck.results import record_of
    from dlcheck.submission import load_submission

    bank = Bank()
    path = find_submission(base / "submission")
    submission = load_submission(path, bank)
    report = Grader(bank).grade(submission)
    view = view_for(bank, "gradescope", "student", config.get("reveal", []), config.get("visibility") or None)
    data = results_json(record_of(for_view(report, view), "submission"), view.test_visibility)
    wanted = config.get("set")
    if wanted and submission.set and submission.set != wanted:
        data["output"] = (f"note: this assignment is {wanted}, your file says `set: {submission.set}`\n"
                          + data["output"])
    return data


def find_submission(folder: Path) -> Path:
    """The one .yaml (or .yml) file the student uploaded; links are not followed."""
    from dlcheck.errors import SubmissionFileError

    found = []
    for count, path in enumerate(sorted(folder.rglob("*")) if folder.is_dir() else []):
        if count >= MAX_FILES:
            break
        hidden = any(part.startswith(".") or part == "__MACOSX" for part in path.relative_to(folder).parts)
        if not hidden and path.suffix.lower() in (".yaml", ".yml") and path.is_file() and not path.is_symlink():
            found.append(path)
    if not found:
        raise SubmissionFileError("no .yaml file in your submission: upload your answers as one YAML file "
                                  "(see the submission format you were given)")
    if len(found) > 1:
        names = ", ".join(str(p.relative_to(folder)) for p in found[:5])
        raise SubmissionFileError(f"{len(found)} .yaml files in your submission ({names}): upload exactly one")
    return found[0]


def _failure(message: str) -> dict:
    from dlcheck.report.safe import untrusted

    return {"score": 0.0, "output": untrusted(message, keep_newlines=True), "visibility": "visible",
            "stdout_visibility": "hidden", "tests": [], "output_format": "text"}


def _config(base: Path) -> dict:
    try:
        data = json.loads((base / "source" / CONFIG).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _metadata(base: Path) -> dict:
    """Gradescope's submission_metadata.json, as far as staff need it beside the result: which
    submission, whose (group members' emails), when; nothing of it is trusted or shown."""
    try:
        data = json.loads((base / "submission_metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    users = data.get("users") if isinstance(data.get("users"), list) else []
    emails = [u.get("email") for u in users if isinstance(u, dict) and isinstance(u.get("email"), str)]
    return {"submission_id": data.get("id"), "created_at": data.get("created_at"), "emails": emails[:20]}


def _write(path: Path, data: dict) -> None:
    from dlcheck.cache import write_json_atomic

    write_json_atomic(path, data)


def warm() -> int:
    """setup.sh: derive every reference of the zip's set once (the cache then serves each submission)."""
    from dlcheck.bank import Bank
    from dlcheck.reference import references

    bank = Bank()
    failed = 0
    for set_name in bank.sets():
        for pid in bank.problem_ids(set_name):
            try:
                references(bank.problem(pid), bank)
            except Exception as exc:  # noqa: BLE001 - say which, derive the rest
                failed += 1
                print(f"{pid}: could not derive its references: {exc}")
    return 1 if failed else 0


def main(argv: list) -> int:
    if argv[:1] == ["run"]:
        run(root())
        return 0
    if argv[:1] == ["warm"]:
        return warm()
    print("usage: python -m dlcheck.autograder run|warm (inside a Gradescope autograder)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
