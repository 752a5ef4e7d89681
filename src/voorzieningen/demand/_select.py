"""Choice of the calibration half-life by rolling-origin validation before the base year.

Net migration of a gemeente swings from year to year (a reception centre opens, a new
estate is finished), so how much the latest years should weigh is an empirical question. It
is answered with the history before the base year only, over every gemeente in it:

* for each origin year ``o`` with at least :data:`MIN_YEARS` years of history before it and
  ``o < base_year``, the level is estimated from the ``n`` years before ``o`` (``n`` =
  ``calibration_years``, fewer where the history starts later) with weights
  ``w_y = 0.5 ** ((o - 1 - y) / h)``: ``r_hat = sum_y w_y M_y / sum_y w_y E_y`` (``M`` net
  migration = arrivals - departures, ``E`` person-years = mean of the 1 January and
  31 December populations, per gemeente);
* it is compared with the rate of the ``k = min(3, base_year - o)`` years from ``o``:
  ``r = sum M / sum E`` over ``o .. o + k - 1`` (never the base year or later);
* the score of ``h`` is the mean over origins of the median over gemeenten of
  ``|r_hat - r|``, per person-year; the candidate with the lowest score is chosen (a tie goes
  to the longer half-life, the steadier level).

Gemeenten are taken in the indeling of each year (a code with flows in every year an origin
needs); mergers do not matter for a rate per person.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Half-lives tried, years (``None`` = all calibration years weigh the same).
CANDIDATES: tuple[float | None, ...] = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, None)
#: Fewest history years before an origin.
MIN_YEARS = 3
#: Longest validation horizon after an origin, years.
HORIZON = 3


def half_life_scores(
    history: pd.DataFrame,
    *,
    base_year: int,
    calibration_years: int,
    candidates: Sequence[float | None] = CANDIDATES,
) -> dict[float | None, float]:
    """
    Score each candidate half-life on the history before ``base_year`` (module docstring).

    Parameters
    ----------
    history
        CBS 37259 flows (:func:`voorzieningen.demand.load_history`); only years before
        ``base_year`` are read.
    base_year
        Base year of the projection.
    calibration_years
        Most years before an origin used for its estimate.
    candidates
        Half-lives to try, years (``None`` = equal weights).

    Returns
    -------
    dict
        Candidate -> mean over origins of the median absolute error of net migration per
        person-year; empty when the history before ``base_year`` has no origin with
        :data:`MIN_YEARS` years before it.
    """
    before = history[history["year"] < base_year]
    years = sorted(set(before["year"].astype(int)))
    net = before.pivot_table(
        index="code", columns="year", values="arrivals_persons", aggfunc="sum"
    ) - before.pivot_table(index="code", columns="year", values="departures_persons", aggfunc="sum")
    exposure = (
        before.pivot_table(index="code", columns="year", values="population_jan1_persons")
        + before.pivot_table(index="code", columns="year", values="population_dec31_persons")
    ) / 2.0
    origins = [o for o in years if years and o - MIN_YEARS >= years[0]]
    scores: dict[float | None, list[float]] = {h: [] for h in candidates}
    for origin in origins:
        past = [y for y in years if origin - calibration_years <= y < origin]
        ahead = [y for y in years if origin <= y < min(origin + HORIZON, base_year)]
        needed = past + ahead
        complete = net[needed].notna().all(axis=1) & (exposure[needed] > 0).all(axis=1)
        flows, persons = net.loc[complete], exposure.loc[complete]
        actual = flows[ahead].sum(axis=1) / persons[ahead].sum(axis=1)
        age = origin - 1 - np.asarray(past, dtype=np.float64)
        for half_life in candidates:
            weight = np.ones(len(past)) if half_life is None else 0.5 ** (age / half_life)
            estimate = (flows[past] * weight).sum(axis=1) / (persons[past] * weight).sum(axis=1)
            scores[half_life].append(float(np.median(np.abs(estimate - actual))))
    if not origins:
        return {}
    return {h: float(np.mean(v)) for h, v in scores.items()}


def select_half_life(
    history: pd.DataFrame,
    *,
    base_year: int,
    calibration_years: int,
    fallback: float | None = 2.0,
) -> float | None:
    """
    Choose the candidate half-life with the lowest rolling-origin score before ``base_year``.

    Parameters
    ----------
    history
        CBS 37259 flows (:func:`voorzieningen.demand.load_history`).
    base_year
        Base year of the projection; no later year is read.
    calibration_years
        Most years before an origin used for its estimate.
    fallback
        Half-life when the history is too short to validate anything.

    Returns
    -------
    float or None
        Years (``None`` = equal weights).
    """
    scores = half_life_scores(history, base_year=base_year, calibration_years=calibration_years)
    if not scores:
        return fallback
    # a tie goes to the longer half-life (None, equal weights, is the longest)
    return min(scores, key=lambda h: (round(scores[h], 12), -(np.inf if h is None else h)))
