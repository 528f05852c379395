"""The two ways an action from outside Temporal fails that a person can read and act on."""

from __future__ import annotations

from pydantic import ValidationError


class InputError(ValueError):
    """Input a person must correct; the message names the field."""


class ActionRejected(Exception):
    """The workflow refused an action; `message` is the validator's sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def problems(e: ValidationError, prefix: str = "") -> str:
    """pydantic's errors as `field.path: message; …`."""
    return "; ".join(f"{prefix}{'.'.join(str(p) for p in err['loc']) or '(file)'}: {err['msg']}" for err in e.errors())
