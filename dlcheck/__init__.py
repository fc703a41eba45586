"""dlcheck: answer checking and grading for deep-learning homework."""

__version__ = "0.1.0"
