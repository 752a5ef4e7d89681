"""The strict base class of every configuration model."""

from __future__ import annotations

import re
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


#: Characters of a folder name: letters, digits, ``_``, ``-`` and ``.``, starting with a
#: letter, digit or ``_`` (never ``.``: ``.``, ``..`` and hidden names such as ``.history``
#: are refused) and not ending in ``.`` (Windows drops a trailing dot).
FOLDER_NAME_PATTERN = r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$"
#: Longest folder name, characters (the history copy adds a 28-character time stamp and
#: most file systems allow 255).
MAX_FOLDER_NAME = 100
#: Names Windows reserves for devices (also with an extension): never a folder.
WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)]
)


def folder_name_problem(value: object) -> str | None:
    """
    Say why a value cannot be a folder name of the results, or None if it can.

    Parameters
    ----------
    value
        The name as given (a region, a scenario name, the last part of ``--out-dir``).

    Returns
    -------
    str or None
        What is wrong (empty, ``.`` or ``..``, a path separator, a leading ``.``, a
        character outside letters, digits, ``_``, ``-`` and ``.``, too long, a Windows
        device name); None for a good name.
    """
    if not isinstance(value, str):
        return f"{value!r} is not a text (write it in quotes)"
    problem = None
    if not value:
        problem = "is empty"
    elif value in (".", ".."):
        problem = "is the current or parent folder, not a name"
    elif "/" in value or "\\" in value:
        problem = "contains a path separator"
    elif value.startswith("."):
        problem = "starts with '.' (hidden folders are the tool's own)"
    elif len(value) > MAX_FOLDER_NAME:
        problem = f"is longer than {MAX_FOLDER_NAME} characters"
    elif re.fullmatch(FOLDER_NAME_PATTERN, value) is None:
        problem = "may hold only letters, digits, '_', '-' and '.' (starting with a letter, digit or '_', not ending in '.')"
    elif value.split(".")[0].upper() in WINDOWS_DEVICES:
        problem = "is a name Windows reserves for a device"
    return None if problem is None else f"{value!r} {problem}"


def check_folder_name(value: str, *, what: str) -> str:
    """
    Check that a name can be a folder of the results, never a path.

    Parameters
    ----------
    value
        The name.
    what
        What the name is, for the message (``"region"``, ``"scenario name"``).

    Returns
    -------
    str
        ``value`` unchanged.

    Raises
    ------
    ValueError
        Saying what is wrong and how to fix it; pydantic turns it into a validation error
        naming the key.
    """
    problem = folder_name_problem(value)
    if problem is not None:
        msg = (
            f"{problem}; the {what} names a folder of the results (results/<region>/<name>), "
            "so give a plain name of letters, digits, '_', '-' and '.' such as 'delft' or "
            "'krap_2030'"
        )
        raise ValueError(msg)
    return value
