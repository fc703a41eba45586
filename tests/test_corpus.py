"""Verdicts on answers nobody here wrote: the independent corpus in tests/data/corpus
(written from the problem statements and the seeds by a helper who never saw the
checker; see its README) gives every correct rendering `correct` and no typical
mistake `correct`.

Claim parts (`check: claim`) are left out: their values can only be judged by
re-training on data sets this suite does not have."""
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

CORPUS = ROOT / "tests" / "data" / "corpus"
FILES = sorted(CORPUS.glob("*.yaml"))


def _first_correct() -> dict:
    """pid -> {part: its first correct rendering}: the rest of a submission, for parts judged
    against their siblings (islr p12's parameters are those of the stacks it proposes)."""
    out = {}
    for path in FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data["entries"]:
            if entry.get("correct"):
                out.setdefault(f"{data['set']}/{entry['problem']}", {}).setdefault(entry["part"],
                                                                                   entry["correct"][0]["answer"])
    return out


SIBLINGS = _first_correct()


def _cases():
    for path in FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data["entries"]:
            pid = f"{data['set']}/{entry['problem']}"
            for i, item in enumerate(entry.get("correct", [])):
                yield pytest.param(pid, entry["part"], item["answer"], True, item.get("style", ""),
                                   id=f"{pid}/{entry['part']}/correct-{i}")
            for i, item in enumerate(entry.get("wrong", [])):
                yield pytest.param(pid, entry["part"], item["answer"], False, item.get("mistake", ""),
                                   id=f"{pid}/{entry['part']}/wrong-{i}")


CASES = list(_cases())

# Where the corpus and dlcheck's stated policy differ, with the reason (conventions only; never a
# reading failure). The corpus's author called the seed's two-figure activations too coarse; issue 14
# and the part's spec (`rounding: stated`) accept a value right to the figures it states, noted as rounded.
POLICY = {
    "islr-cnn-hw/p10a/activations/wrong-0": "values right to their 2 stated figures are correct where the part "
                                            "allows rounding (noted 'rounded')",
}


@pytest.fixture(scope="module")
def grader(bank):
    from dlcheck.claims import TrainingSettings
    from dlcheck.grade import Grader

    return Grader(bank, training=TrainingSettings())


def judge(grader, pid: str, part: str, answer):
    """One part of a submission whose other parts are the corpus's first correct renderings."""
    from dlcheck.submission import Raw

    problem = grader.bank.problem(pid)
    refs = grader.references(problem)
    answers = {name: Raw(value, 1) for name, value in SIBLINGS.get(pid, {}).items() if name != part}
    grader._siblings = grader._parsed_siblings(problem, {**answers, part: Raw(answer, 1)})
    return grader.judge(problem, problem.parts[part], Raw(answer, 1), refs)


def test_the_corpus_covers_every_automatic_part(bank):
    covered = Counter((c.values[0], c.values[1], c.values[3]) for c in CASES)
    for set_name in bank.sets():
        for pid in bank.problem_ids(set_name):
            problem = bank.problem(pid)
            for name, part in problem.parts.items():
                if not part.auto or part.check == "claim":
                    continue
                assert covered[(pid, name, True)] >= 5, f"{pid}/{name}: fewer than 5 correct renderings"
                assert covered[(pid, name, False)] >= 3, f"{pid}/{name}: fewer than 3 mistakes"


@pytest.mark.parametrize("pid, part, answer, right, note", CASES)
def test_corpus_verdict(grader, pid, part, answer, right, note, request):
    problem = grader.bank.problem(pid)
    if problem.parts[part].check == "claim":
        pytest.skip("claims are judged by re-training on data this suite does not have")
    result = judge(grader, pid, part, answer)
    if request.node.callspec.id in POLICY:
        assert result.verdict == ("incorrect" if right else "correct"), "the policy entry is stale: remove it"
        pytest.skip(POLICY[request.node.callspec.id])
    if right:
        assert result.verdict == "correct", f"{note}: {answer!r} -> {result.verdict}: {result.feedback}"
    else:
        assert result.verdict != "correct", f"{note}: {answer!r} was accepted ({result.feedback})"
