"""The notation probe (tests/data/probe, see its README): correct answers pasted the way strangers
write them, by someone who had not read the code. Every answered part is `correct`, except the
judgement calls listed here with their reason."""
from pathlib import Path

import pytest

PROBE = Path(__file__).parent / "data" / "probe"
LEFT_AS_THEY_ARE = {
    ("csc413-a2-2", "csc413-a2/4.3", "weights_2x"):
        "'same as before: k^2(…)': words before a formula are not set aside (a formula may start with a name)",
    ("dl-principles-1", "dl-principles/3c", "shape"):
        "torch.Size([1, 8, 28, 28]) for a part asking H×W×C: another layout, with a batch of one",
    ("dl-principles-5", "dl-principles/3c", "shape"):
        "'28 x 28 x 8 (H x W x C)': the remark is single letters, not words, so it is not set aside",
    ("islr-cnn-hw-4", "islr-cnn-hw/p2", "distances"):
        "a pandas Series print: its index column is read as values (a 6-vector becomes 12 numbers)",
}


@pytest.mark.parametrize("path", sorted(PROBE.glob("*.yaml")), ids=lambda p: p.stem)
def test_pasted_answers_are_correct(path, bank):
    from dlcheck.grade import Grader
    from dlcheck.submission import load_submission

    submission = load_submission(path, bank)
    assert not submission.errors, [e.message for e in submission.errors]
    report = Grader(bank).grade(submission)
    answered = [r for r in report.results if r.verdict != "missing"]
    assert answered
    wrong = {(path.stem, r.problem, r.part): (r.verdict, r.feedback) for r in answered if r.verdict != "correct"}
    expected_wrong = {key for key in LEFT_AS_THEY_ARE if key[0] == path.stem}
    assert set(wrong) == expected_wrong, wrong
