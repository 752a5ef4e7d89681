"""Age bands: labels, parsing and checks."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

#: The 20 five-year age bands of CBS population tables (years of age, last band open).
AGE_BANDS: tuple[str, ...] = (
    "0-4",
    "5-9",
    "10-14",
    "15-19",
    "20-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "60-64",
    "65-69",
    "70-74",
    "75-79",
    "80-84",
    "85-89",
    "90-94",
    "95+",
)

_CLOSED = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")
_OPEN = re.compile(r"^\s*(\d+)\s*\+\s*$")


def parse_band(label: str) -> tuple[int, int | None]:
    """
    Parse an age-band label.

    Parameters
    ----------
    label
        ``"a-b"`` (ages a to b inclusive, years) or ``"a+"`` (a and older).

    Returns
    -------
    tuple of int and int or None
        Lower age and upper age inclusive (years); ``None`` for an open band.

    Raises
    ------
    ValueError
        If the label has neither form or the upper age is below the lower age.
    """
    closed = _CLOSED.match(label)
    if closed:
        lo, hi = int(closed.group(1)), int(closed.group(2))
        if hi < lo:
            msg = f"age band {label!r} ends before it starts"
            raise ValueError(msg)
        return lo, hi
    opened = _OPEN.match(label)
    if opened:
        return int(opened.group(1)), None
    msg = f"age band {label!r} is neither 'a-b' nor 'a+'"
    raise ValueError(msg)


def band_problems(labels: Sequence[str]) -> list[str]:
    """
    List why a sequence of band labels cannot be projected (empty when it can).

    A projectable sequence starts at age 0, has contiguous closed bands of one common width
    (the projection step, years) and ends with one open band; at least three bands.

    Parameters
    ----------
    labels
        Band labels in age order.

    Returns
    -------
    list of str
        Human-readable problems.
    """
    problems: list[str] = []
    if len(labels) < 3:
        return [f"needs at least 3 age bands, got {len(labels)}"]
    parsed: list[tuple[int, int | None]] = []
    for label in labels:
        try:
            parsed.append(parse_band(label))
        except ValueError as err:
            problems.append(str(err))
    if problems:
        return problems
    if parsed[0][0] != 0:
        problems.append(f"first band {labels[0]!r} does not start at age 0")
    if parsed[-1][1] is not None:
        problems.append(f"last band {labels[-1]!r} is not open ('a+')")
    widths = {hi - lo + 1 for lo, hi in parsed[:-1] if hi is not None}
    if any(hi is None for _, hi in parsed[:-1]):
        problems.append("only the last band may be open")
    if len(widths) > 1:
        problems.append(f"closed bands have different widths {sorted(widths)}")
    for (_, hi), (lo_next, _), label in zip(parsed[:-1], parsed[1:], labels[1:], strict=True):
        if hi is not None and lo_next != hi + 1:
            problems.append(f"band {label!r} does not follow on the previous band")
    return problems


def band_width(labels: Sequence[str]) -> int:
    """
    Return the common width of the closed bands (years).

    Parameters
    ----------
    labels
        Projectable band labels (see :func:`band_problems`).

    Returns
    -------
    int
        Width of each closed band, years; also the projection step.
    """
    lo, hi = parse_band(labels[0])
    if hi is None:
        msg = f"first age band {labels[0]!r} is open; closed bands are needed"
        raise ValueError(msg)
    return hi - lo + 1


def band_midpoints(labels: Sequence[str]) -> npt.NDArray[np.float64]:
    """
    Return the mid-age of each band (years); the open band gets lower age + half a width.

    Parameters
    ----------
    labels
        Projectable band labels.

    Returns
    -------
    numpy.ndarray
        Mid-ages, years, one per band.
    """
    width = band_width(labels)
    mids = []
    for label in labels:
        lo, hi = parse_band(label)
        mids.append((lo + hi + 1) / 2 if hi is not None else lo + width / 2)
    return np.asarray(mids, dtype=np.float64)
