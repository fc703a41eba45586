"""Golden tests: grading each bundled answer file gives the verdicts recorded
by hand next to it (<name>.expected.yaml)."""
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, verdicts
from dlcheck.claims import TrainingSettings
from dlcheck.grade import Grader
from dlcheck.submission import load_submission

SUBMISSIONS = sorted(p for p in (ROOT / "answers").rglob("*.yaml") if not p.name.endswith(".expected.yaml"))


def test_every_submission_has_an_expected_file():
    assert SUBMISSIONS, "no bundled answers found"
    for path in SUBMISSIONS:
        assert path.with_suffix(".expected.yaml").exists(), f"{path} has no expected-verdicts file"


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: str(p.relative_to(ROOT)))
def test_verdicts_match_expected(path: Path, bank):
    expected = yaml.safe_load(path.with_suffix(".expected.yaml").read_text(encoding="utf-8"))
    submission = load_submission(path, bank)
    assert submission.errors == [], submission.errors
    report = Grader(bank, training=TrainingSettings()).grade(submission)   # no data sets: claims stay review

    assert verdicts(report) == {str(k): v for k, v in expected["results"].items()}

    critiques = {c.problem.split("/", 1)[1]: c for c in report.critiques}
    assert set(critiques) == {str(k) for k in expected["critiques"]}
    for key, want in expected["critiques"].items():
        got = critiques[str(key)]
        assert got.critique_right == want["critique_right"], key
        if "critique_answer_verdict" in want:
            assert got.critique_answer_verdict == want["critique_answer_verdict"], key


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: str(p.relative_to(ROOT)))
def test_trace_audits_match_expected(path: Path, bank):
    """The earliest wrong step of each trace (file line), where the expected file lists traces;
    answers without a `traces` entry must have no wrong step at all (no false alarms)."""
    expected = yaml.safe_load(path.with_suffix(".expected.yaml").read_text(encoding="utf-8"))
    want = {str(k): v for k, v in (expected.get("traces") or {}).items()}
    report = Grader(bank, training=TrainingSettings()).grade(load_submission(path, bank))
    got = {t.problem.split("/", 1)[1]: t for t in report.traces}
    for key, audit in got.items():
        wrong = audit.earliest_wrong.line if audit.earliest_wrong else None
        if key in want and want[key].get("known_miss"):
            # a wrong step the audit is known not to see yet (the reason is in the expected file):
            # it must flag nothing else, and once it sees this one, the entry loses `known_miss`
            assert wrong is None, (f"{key}: the audit now finds line {wrong}; remove known_miss if it is "
                                   f"{want[key]['earliest_wrong']}", audit.earliest_wrong)
            assert audit.final_answer == want[key]["final_answer"], key
        elif key in want:
            assert wrong == want[key]["earliest_wrong"], (key, audit.earliest_wrong)
            assert audit.final_answer == want[key]["final_answer"], key
        else:
            assert wrong is None, (key, audit.earliest_wrong)
    expected_audits = {key for key, entry in want.items() if not entry.get("known_miss")}
    assert expected_audits <= set(got), f"no audit for {sorted(expected_audits - set(got))}"
