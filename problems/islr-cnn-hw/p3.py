"""islr-cnn-hw p3: logistic regression by hand.

P(A) = 1/(1 + e^−(β0 + β1·hours + β2·GPA)); P = 0.5 where the linear part is 0,
so hours = −(β0 + β2·GPA)/β1. The other edition's coefficients give the values
of the known mistake."""
import math

from dlcheck.reference import Reference


def probability(beta, hours, gpa):
    return 1 / (1 + math.exp(-(beta[0] + beta[1] * hours + beta[2] * gpa)))


def hours_for_half(beta, gpa):
    return -(beta[0] + beta[2] * gpa) / beta[1]


def solve(given):
    b, other = given["beta"], given["other_coefficients"]
    logit = b[0] + b[1] * given["hours"] + b[2] * given["gpa"]
    return {
        "probability": Reference(probability(b, given["hours"], given["gpa"]), [
            f"β0 + β1·{given['hours']} + β2·{given['gpa']} = {logit:g}", f"P = 1/(1 + e^{-logit:g})"],
            rules={"other_coefficients": probability(other, given["hours"], given["gpa"])}),
        "hours": Reference(hours_for_half(b, given["gpa"]), [
            f"P = 0.5 ⇔ β0 + β1·h + β2·{given['gpa']} = 0 ⇔ h = {hours_for_half(b, given['gpa']):g}"],
            rules={"other_coefficients": hours_for_half(other, given["gpa"])}),
    }
