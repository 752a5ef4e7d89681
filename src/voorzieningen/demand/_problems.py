"""Gathering input problems and raising them together as one :class:`InputDataError`."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path

from voorzieningen.errors import InputDataError, VoorzieningenWarning

_MAX_LISTED = 12


def listing(items: Iterable[object]) -> str:
    """
    Format offending items (rows, zones, labels) compactly.

    Parameters
    ----------
    items
        The items, in a stable order.

    Returns
    -------
    str
        At most a dozen items, then how many there are in all.
    """
    values = [str(item) for item in items]
    shown = ", ".join(values[:_MAX_LISTED])
    if len(values) > _MAX_LISTED:
        shown += f", ... ({len(values)} in all)"
    return shown


class Problems:
    """Collects located problems about one input and raises them once."""

    def __init__(self, source: Path | str) -> None:
        self.source = str(source)
        self.lines: list[str] = []

    def add(self, column: str, problem: str, fix: str) -> None:
        """
        Record one problem.

        Parameters
        ----------
        column
            The column (or part of the input) involved.
        problem
            What is wrong, naming rows, zones or values.
        fix
            How the user can fix it.
        """
        self.lines.append(f"- ({self.source}, {column}) | {problem}. Fix: {fix}")

    def raise_if_any(self) -> None:
        """
        Raise all recorded problems as one error.

        Raises
        ------
        InputDataError
            If any problem was recorded; the message lists every problem on its own line.
        """
        if self.lines:
            count = len(self.lines)
            head = f"{count} problem{'s' if count > 1 else ''} in the input data:"
            msg = "\n".join([head, *self.lines])
            raise InputDataError(msg)


def warn(message: str) -> None:
    """
    Emit a :class:`VoorzieningenWarning` attributed to the caller of the public function.

    Parameters
    ----------
    message
        What was done about a recoverable data problem.
    """
    warnings.warn(message, VoorzieningenWarning, stacklevel=4)
