"""The strict base class of every configuration model."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

#: Plausible ranges of numbers that appear in several settings (documented bounds: a value
#: outside is a typo or a unit error, and would make a run meaningless or abort the solver).
#: Fastest speed of any mode, km/h (above any Dutch speed limit).
MAX_SPEED_KPH = 300.0
#: A share between 0 and 1.
Share = Annotated[float, Field(ge=0, le=1)]
#: A travel time in minutes (10 hours at most).
MAX_MINUTES = 600.0


class StrictModel(BaseModel):
    """Frozen pydantic model that forbids unknown keys and documents fields from docstrings.

    No number of any setting may be infinite or NaN (``allow_inf_nan=False``); every number
    also has a documented plausible range on its field.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        validate_default=True,
        allow_inf_nan=False,
    )


def check_relative_path(value: str | None, *, folder: str) -> str | None:
    """
    Check that a file name from a scenario stays inside its folder.

    Parameters
    ----------
    value
        The file name as written in the scenario (None: no file).
    folder
        Which folder it is relative to, for the message (``"data directory"`` or
        ``"region folder"``).

    Returns
    -------
    str or None
        ``value`` unchanged.

    Raises
    ------
    ValueError
        If the name is absolute (a POSIX or Windows path, with or without a drive) or
        has a ``..`` part; pydantic turns it into a validation error naming the key.
    """
    if value is None:
        return value
    posix, windows = PurePosixPath(value), PureWindowsPath(value)
    if (
        posix.is_absolute()
        or windows.is_absolute()
        or windows.drive
        or ".." in posix.parts
        or ".." in windows.parts
    ):
        msg = (
            f"{value!r} points outside the {folder}; give a path relative to the {folder} "
            "without '..' (files outside the region and data folders are never read)"
        )
        raise ValueError(msg)
    return value
