"""The critique audit: was the reviewer's verdict right, and is the reviewer's
own answer right? A problem's verdict here is decided by its automatic parts;
if those are all correct but a reviewed part (a proof, code) is still open,
the problem is undecided and so is the critique, never guessed."""
from __future__ import annotations

from dlcheck.results import CritiqueResult
from dlcheck.verdict import CORRECT, ERROR, INCORRECT, INVALID, MISSING, PARTIAL, REVIEW, TIMEOUT

_WRONG = {INCORRECT, INVALID, ERROR, MISSING}


def problem_verdict(results) -> str | None:
    """correct / partial / incorrect over a problem's parts, or None if undecided."""
    verdicts = [r.verdict for r in results if r.automatic and r.verdict != REVIEW]
    if any(v in _WRONG for v in verdicts):
        return INCORRECT
    if PARTIAL in verdicts:
        return PARTIAL
    if TIMEOUT in verdicts or not verdicts:
        return None
    if any(r.verdict == REVIEW for r in results):
        return None  # automatic parts fine, but a human must still judge the rest
    return CORRECT


def audit(problem_id: str, critique, answer_results, critic_answer_results, working=None) -> CritiqueResult:
    """`working`: the trace audit of the answer, when it came with working; a
    wrong step in it decides a critique that the final answer alone cannot."""
    actual = problem_verdict(answer_results)
    critic_answer = problem_verdict(critic_answer_results) if critic_answer_results else None
    if critic_answer_results and critic_answer is None and any(r.verdict in _WRONG for r in critic_answer_results):
        critic_answer = INCORRECT
    result = CritiqueResult(problem_id, critique.verdict, actual, None, critic_answer, list(critic_answer_results))
    if critique.verdict is None:
        result.reason = "the critique gives no verdict"
    elif actual is None:
        result.reason = "the answer needs a human review before the critique can be judged"
    else:
        result.critique_right = (critique.verdict == CORRECT) == (actual == CORRECT)
        if critique.verdict == CORRECT and actual != CORRECT:
            what = "a partly wrong answer" if actual == PARTIAL else "a wrong answer"
            result.flags.append(f"the reviewer called {what} correct")
        elif critique.verdict == INCORRECT and actual == CORRECT:
            result.flags.append("the reviewer called a correct answer wrong")
    wrong_step = working.earliest_wrong if working is not None else None
    if wrong_step is not None and critique.verdict is not None:
        step = f"step at line {wrong_step.line} is wrong: {wrong_step.text} ({wrong_step.reason})"
        if critique.verdict == CORRECT:
            result.critique_right, result.reason = False, ""
            result.flags.append(f"the reviewer called this correct; {step}")
        elif actual is None:
            result.critique_right, result.reason = True, ""
    if critic_answer in (INCORRECT, PARTIAL):
        too = " too" if actual in (INCORRECT, PARTIAL) else ""
        wrong = "; ".join(f"{r.part} = {r.got} (expected {r.expected})"
                          for r in critic_answer_results if r.verdict not in (CORRECT, REVIEW))
        result.flags.append(f"the reviewer's own answer is wrong{too}: {wrong}")
    return result
