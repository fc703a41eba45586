"""Reference implementations of the functions students write (computed in the
grader, never inside the sandbox), with the inputs each check draws for them.

A function check is a list of sessions: a fresh state dictionary and the calls
that share it, so running averages kept across calls are checked too."""
from __future__ import annotations

import numpy as np

STATE = "$state"        # the argument slot that stands for the session's state (observe.STATE)


def batchnorm(Z, gamma, beta, eps, cache_dict, beta_avg, mode):
    """Batch normalisation forward pass: batch statistics (and running averages)
    in train mode, the running averages in test mode."""
    if mode == "train":
        mu, var = Z.mean(axis=0), Z.var(axis=0)
        cache_dict["mu"] = beta_avg * cache_dict["mu"] + (1 - beta_avg) * mu
        cache_dict["var"] = beta_avg * cache_dict["var"] + (1 - beta_avg) * var
    else:
        mu, var = cache_dict["mu"], cache_dict["var"]
    return gamma * (Z - mu) / np.sqrt(var + eps) + beta


def batchnorm_sessions(rng: np.random.Generator, cases: int) -> list:
    """Per case: a batch size and width, γ and β, then two training calls and a test call."""
    sessions = []
    for _ in range(cases):
        n, d = int(rng.integers(4, 9)), int(rng.integers(2, 6))
        gamma, beta = rng.normal(size=d), rng.normal(size=d)
        calls = [[rng.normal(size=(n, d)) * 3 + 1, gamma, beta, 1e-5, STATE, 0.9, mode]
                 for mode in ("train", "train", "test")]
        sessions.append({"state": {"mu": np.zeros(d), "var": np.ones(d)}, "calls": calls})
    return sessions


CHECKS = {"batchnorm": (batchnorm, batchnorm_sessions)}


def expected_calls(function, sessions: list) -> list:
    """What the reference returns, and holds in the state after each call, session by session."""
    out = []
    for session in sessions:
        state = {k: v.copy() for k, v in session["state"].items()}
        calls = []
        for call in session["calls"]:
            args = [state if _is_state(a) else (a.copy() if isinstance(a, np.ndarray) else a) for a in call]
            calls.append({"output": np.asarray(function(*args), dtype=np.float64),
                          "state": {k: np.asarray(state[k], dtype=np.float64) for k in session["state"]}})
        out.append(calls)
    return out


def _is_state(argument) -> bool:
    return isinstance(argument, str) and argument == STATE
