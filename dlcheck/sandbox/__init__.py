"""Running submitted code: only here, in a separate, limited process.

    grader                         |  inside the sandbox (worker.py, a fork per check)
    box.Sandbox.run(request) ------|-> observe.dispatch: run the code, report raw observations
    reply (nonce-checked) <--------|-- outputs, gradients, trace, parameter shapes
    kinds/code.py, claims: decide  |

The grader decides every verdict from observations taken on inputs it drew for
that check, against references it computed itself (never inside). wire.py is
the format on the pipes, view.py what the sandbox sees, tracer.py the layer
trace both sides share.

This file stays import-free: inside the sandbox the package holds only the
modules that run there."""

_GRADER_SIDE = {"Sandbox", "Limits", "Protections", "shared", "bubblewrap", "mode", "supported"}


def __getattr__(name):
    if name == "Limits":
        from dlcheck.sandbox.limits import Limits

        return Limits
    if name in _GRADER_SIDE:
        from dlcheck.sandbox import box

        return getattr(box, name)
    raise AttributeError(name)
