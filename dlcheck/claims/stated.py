"""What a submission may state with its claim: the value, bare (`0.9854`) or with
the protocol it used (`{value: 0.9854, epochs: 5, optimizer: sgd, lr: 0.01}`)."""
from __future__ import annotations

from dlcheck.verdict import InvalidAnswer


def split(raw) -> tuple[object, dict]:
    """A claimed value, bare (`0.9854`) or with the protocol the submission used
    (`{value: 0.9854, epochs: 5, optimizer: sgd, lr: 0.01}`)."""
    if isinstance(raw, dict) and "value" in raw:
        return raw["value"], {k: v for k, v in raw.items() if k != "value"}
    return raw, {}


def stated_protocol(reference: dict, stated: dict) -> dict:
    """The problem's protocol with the submission's stated changes (validated)."""
    from dlcheck.training.protocol import Protocol, ProtocolError

    try:
        return Protocol.read(stated, Protocol.read(reference["protocol"])).to_json()
    except ProtocolError as exc:
        raise InvalidAnswer(f"the stated training protocol: {exc}") from None
