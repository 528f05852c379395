"""The ways an action from outside Temporal fails that a person can read and act on."""

from __future__ import annotations

import re

from pydantic import ValidationError

_LINE_BREAKS = re.compile(r"\s*[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+\s*")


def one_line(text: str) -> str:
    """The text with its line breaks (every one `str.splitlines` knows) folded into spaces: a value a
    person typed, quoted back in a message, never turns one error into several lines."""
    return _LINE_BREAKS.sub(" ", text).strip()


class InputError(ValueError):
    """Input a person must correct; the message names the field, on one line."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(str(message)))


class ActionRejected(Exception):
    """The workflow refused an action; `message` is the validator's sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EngineBusy(Exception):
    """The server took the action but could not answer in time (a workflow held up by load, or one
    whose code is failing and waits for a fix). `message` says what to do; repeating the action is
    safe, its update id makes it count once."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def problems(e: ValidationError, prefix: str = "") -> str:
    """pydantic's errors as `field.path: message; …`."""
    return "; ".join(f"{prefix}{'.'.join(str(p) for p in err['loc']) or '(file)'}: {err['msg']}" for err in e.errors())
