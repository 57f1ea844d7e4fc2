"""The one error of the JSBSim reader and compiler: one line naming the file and line."""

from __future__ import annotations


class JSBSimModelError(ValueError):
    """An aircraft file longwing cannot read or does not support.

    The message is one line: ``file:line: what is wrong`` (the line when known).
    """

    def __init__(self, message: str, source: str = "", line: int = 0) -> None:
        self.source = source
        self.line = line
        self.problem = message
        where = f"{source}:{line}: " if source and line else (f"{source}: " if source else "")
        super().__init__(f"{where}{message}")


def error_at(element: object, message: str) -> JSBSimModelError:
    """A JSBSimModelError located at an element read by xml_model (its source and line)."""
    return JSBSimModelError(
        message, getattr(element, "source", ""), int(getattr(element, "line", 0))
    )
