"""Calibration half-life chosen by rolling-origin validation before the base year (issue #12)."""

from __future__ import annotations

import pandas as pd
import pytest

from voorzieningen.demand._select import half_life_scores, select_half_life


def _history(net: dict[str, list[float]], years: list[int]) -> pd.DataFrame:
    """A history of gemeenten of 1000 persons all year with the given net arrivals."""
    rows = [
        {
            "code": code,
            "year": year,
            "population_jan1_persons": 1000.0,
            "population_dec31_persons": 1000.0,
            "arrivals_persons": max(value, 0.0),
            "departures_persons": max(-value, 0.0),
        }
        for code, values in net.items()
        for year, value in zip(years, values, strict=True)
    ]
    return pd.DataFrame(rows)


def test_half_life_scores_by_hand() -> None:
    """
    One gemeente, base 2016, history 2012-2015 with net 0, 0, 0, 10 (per 1000 persons).

    The only origin with three years before it is 2015: estimate from 2012-2014 = 0 for
    every half-life, actual 2015 = 10 / 1000: score 0.01 for all, a tie, so the longest
    (equal weights, None) is chosen. Base 2017: origin 2015 looks at 2015-2016 (actual 0.005, error 0.005 for all) and
    origin 2016 at 2016 (actual 0): estimates from 2012-2015 weigh 2015's 10 by 1 / sum of weights: h = 0.5 ->
    1 / (1 + 1/4 + 1/16 + 1/64) = 0.7529 x 0.01, equal -> 0.25 x 0.01; the scores are the
    means with origin 2015 (horizon 2015-2016: actual 0.005, estimate 0 for all).
    """
    history = _history({"GM0001": [0.0, 0.0, 0.0, 10.0, 0.0]}, [2012, 2013, 2014, 2015, 2016])
    tie = half_life_scores(history, base_year=2016, calibration_years=5)
    assert tie == pytest.approx(dict.fromkeys(tie, 0.01))
    assert select_half_life(history, base_year=2016, calibration_years=5) is None
    scores = half_life_scores(history, base_year=2017, calibration_years=5)
    assert scores[0.5] == pytest.approx((0.005 + 0.01 / (1 + 1 / 4 + 1 / 16 + 1 / 64)) / 2)
    assert scores[None] == pytest.approx((0.005 + 0.0025) / 2)
    assert select_half_life(history, base_year=2017, calibration_years=5) is None
    # too short a history to validate: the fallback
    assert select_half_life(history, base_year=2014, calibration_years=5, fallback=2.0) == 2.0


def test_half_life_follows_a_persistent_level() -> None:
    """
    A gemeente whose net migration jumps from 0 to 10 per 1000 in 2014 and stays there.

    Every origin from 2015 on predicts 10 best with the shortest half-life (0.5 weighs the
    last year 1 and the one before 1/4), so 0.5 wins; the base year 2018 itself is not read
    (its value of -99 would favour long half-lives).
    """
    years = list(range(2012, 2019))
    history = _history({"GM0001": [0.0, 0.0, 10.0, 10.0, 10.0, 10.0, -99.0]}, years)
    scores = half_life_scores(history, base_year=2018, calibration_years=5)
    assert min(scores, key=lambda h: scores[h]) == 0.5
    assert select_half_life(history, base_year=2018, calibration_years=5) == 0.5
    assert scores[0.5] < scores[2.0] < scores[None]
