"""Demand stage on tiny hand-made inputs: cohort steps by hand, services, reconciliation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from voorzieningen.demand import (
    AGE_BANDS,
    SERVICES,
    UKRAINE_2022_2023_PER_1000,
    calibrate_rates,
    default_rates,
    half_life_scores,
    national_profile,
    project_population,
    reconcile_totals,
    select_half_life,
    service_demand,
    service_weights,
)
from voorzieningen.demand._cohort import interpolate_step
from voorzieningen.errors import InputDataError, ScenarioError
from voorzieningen.schemas.demand import DemandSettings, MigrationSchedule, ScenarioParameters

TOY_BANDS = ["0-4", "5-9", "10+"]
M = [0.01, 0.02, 0.1]  # deaths per person-year, both sexes
F = [0.0, 0.1, 0.0]  # births per woman per year


def toy_rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mortality_male_per_year": M,
            "mortality_female_per_year": M,
            "fertility_per_woman_year": F,
            "gp_contacts_per_person_year": [2.0, 1.0, 3.0],
            "national_persons_2021": [100.0, 100.0, 100.0],
            "national_female_persons_2021": [50.0, 50.0, 50.0],
        },
        index=pd.Index(TOY_BANDS, name="age_band"),
    )


#: Gemeente "g": standard fertility and mortality, 0.04 arrivals per inhabitant a year,
#: departure intensity 0.05 per year.
TOY_CALIBRATION = pd.DataFrame(
    {
        "fertility_factor": [1.0],
        "mortality_factor": [1.0],
        "arrivals_per_person_year": [0.04],
        "departure_intensity": [0.05],
        "reference_year": [2020.0],
    },
    index=pd.Index(["g"], name="gemeente"),
)


def toy_population(zones: tuple[str, ...] = ("a",)) -> pd.DataFrame:
    index = pd.MultiIndex.from_product([list(zones), TOY_BANDS], names=["zone", "age_band"])
    total = [100.0, 80.0, 50.0] * len(zones)
    female = [50.0, 40.0, 25.0] * len(zones)
    return pd.DataFrame({"population_persons": total, "female_persons": female}, index=index)


def static_settings(**migration: float) -> DemandSettings:
    """Mid scenario without mortality improvement; optional flat migration propensity."""
    schedule = MigrationSchedule(a1=0.0, a2=0.0, c=1.0) if migration else MigrationSchedule()
    return DemandSettings(
        scenarios={"mid": ScenarioParameters(mortality_improvement_per_year=0.0)},
        migration_schedule=schedule,
    )


def hand_survival() -> tuple[float, float, float]:
    """Life table by hand for w = 5: S(0-4 -> 5-9), S(open), births surviving to the step end."""
    l1 = math.exp(-5 * M[0])
    l2 = l1 * math.exp(-5 * M[1])
    big_l0 = (1 - math.exp(-5 * M[0])) / M[0]
    big_l1 = l1 * (1 - math.exp(-5 * M[1])) / M[1]
    big_l2 = l2 / M[2]
    return big_l1 / big_l0, big_l2 / (big_l1 + big_l2), big_l0 / 5


def test_cohort_step_by_hand_closed_population() -> None:
    out = project_population(
        toy_population(),
        base_year=2020,
        periods=[2025],
        rates=toy_rates(),
        settings=static_settings(),
    )
    s0, s_open, s_birth = hand_survival()
    # per sex: (men, women) = (50, 50), (40, 40), (25, 25)
    band_5_9 = 100 * s0
    band_10_plus = (80 + 50) * s_open
    births = 5 * 0.1 * (40 + 50 * s0) / 2  # women 5-9 at start and at end of the step
    band_0_4 = births * s_birth
    got = out["population_persons"].xs(2025, level="period").xs("a", level="zone")
    assert got["5-9"] == pytest.approx(band_5_9, rel=1e-12)
    assert got["10+"] == pytest.approx(band_10_plus, rel=1e-12)
    assert got["0-4"] == pytest.approx(band_0_4, rel=1e-12)
    # numbers as a demographer would check them on paper
    assert got["5-9"] == pytest.approx(92.803, abs=1e-3)
    assert got["0-4"] == pytest.approx(21.069, abs=1e-3)


def test_cohort_step_by_hand_with_migration() -> None:
    calibration = TOY_CALIBRATION
    out = project_population(
        toy_population(),
        base_year=2020,
        periods=[2025],
        calibration=calibration,
        zone_gemeente={"a": "g"},
        rates=toy_rates(),
        settings=static_settings(flat=1.0),
    )
    s0, s_open, s_birth = hand_survival()
    k, a, n = 0.05, 0.04, 230.0
    # flat propensity: arrivals follow the base age-sex structure of the end-of-step cohorts,
    # hazard k everywhere; the cohort ending in 0-4 is born during the step and moves half of
    # it, so band 0 weighs 100 / 2: shares 50, 80, 50 of 180 (issue #12)
    share_5_9 = 80 / 180
    inflow = a * n * share_5_9
    expected = 100 * s0 * math.exp(-5 * k) + inflow * (1 - math.exp(-5 * k)) / k
    got = out["population_persons"].xs(("a", 2025, "5-9"))
    assert got == pytest.approx(expected, rel=1e-12)
    open_expected = (80 + 50) * s_open * math.exp(-5 * k) + a * n * 50 / 180 * (
        1 - math.exp(-5 * k)
    ) / k
    assert out["population_persons"].xs(("a", 2025, "10+")) == pytest.approx(open_expected)
    # newborns: births from women 5-9 at start (40) and end (half of 5-9), departures for
    # half the step; the cohort's own arrivals (50 of 180) come in over the whole step
    births = 5 * 0.1 * (40 + expected / 2) / 2
    young = births * s_birth * math.exp(-5 * k / 2) + a * n * 50 / 180 * (1 - math.exp(-5 * k)) / k
    assert out["population_persons"].xs(("a", 2025, "0-4")) == pytest.approx(young, rel=1e-12)


def test_periods_between_steps_total_geometric_shape_linear() -> None:
    out = project_population(
        toy_population(),
        base_year=2020,
        periods=[2020, 2022, 2025],
        rates=toy_rates(),
        settings=static_settings(),
    )
    series = out["population_persons"].xs("a", level="zone")
    start, end = series.xs(2020, level="period"), series.xs(2025, level="period")
    mid = series.xs(2022, level="period")
    # issue #12: the zone total grows at a constant rate within the step (geometric) and
    # the age shape moves linearly (a share 2/5 of every band has moved up by 2022)
    total = start.sum() ** (3 / 5) * end.sum() ** (2 / 5)
    linear = 3 / 5 * start + 2 / 5 * end
    np.testing.assert_allclose(mid.to_numpy(), (linear * total / linear.sum()).to_numpy())
    assert mid.sum() == pytest.approx(total, rel=1e-12)
    assert list(out.index.names) == ["zone", "period", "age_band"]


def test_interpolate_step_by_hand() -> None:
    """
    Totals 100 -> 144 halfway: 120 (geometric); cells (80, 20) -> (44, 100) move linearly.

    Linear cells (62, 60) sum to 122 and are scaled by 120 / 122: (60.984, 59.016). A
    geometric mean per cell (sqrt(80 x 44) + sqrt(20 x 100) = 59.33 + 44.72 = 104.05) would
    lose 13 % of the total as the cohorts pass between bands; that was the rule before
    issue #12, 0.2-0.8 % low by 2024 in krimp gemeenten.
    """
    left = np.array([[[80.0, 20.0], [0.0, 0.0]]])
    right = np.array([[[44.0, 100.0], [0.0, 0.0]]])
    got = interpolate_step(left, right, 0.5)
    np.testing.assert_allclose(got[0, 0], [62 * 120 / 122, 60 * 120 / 122], rtol=1e-12)
    assert got.sum() == pytest.approx(120.0, rel=1e-12)
    # a zone that is empty at one end is interpolated linearly
    empty = interpolate_step(np.zeros((1, 2, 2)), right, 0.25)
    np.testing.assert_allclose(empty, 0.25 * right)


def test_periods_before_base_year_rejected() -> None:
    with pytest.raises(ScenarioError, match=r"must be non-empty and all >= base_year 2020"):
        project_population(toy_population(), base_year=2020, periods=[2019], rates=toy_rates())


def test_bands_must_match_rates() -> None:
    with pytest.raises(InputDataError, match=r"differ from the rate table"):
        project_population(toy_population(), base_year=2020, periods=[2025])


def test_reconcile_external_totals_exactly() -> None:
    population = toy_population(("a", "b", "c"))
    totals = pd.DataFrame(
        {
            "gemeente": ["g", "g", "h"],
            "period": [2025, 2030, 2025],
            "population_persons": [1000.1, 777.7, 3.3],
        }
    )
    out = project_population(
        population,
        base_year=2020,
        periods=[2025, 2030],
        zone_gemeente={"a": "g", "b": "g", "c": "h"},
        external_totals=totals,
        rates=toy_rates(),
        settings=static_settings(),
    )
    persons = out["population_persons"]
    groups = np.where(out.index.get_level_values("zone") == "c", "h", "g")
    for gemeente, period, target in zip(
        totals["gemeente"], totals["period"], totals["population_persons"], strict=True
    ):
        mask = (groups == gemeente) & (out.index.get_level_values("period") == period)
        assert abs(math.fsum(persons[mask]) - target) <= 1e-9
    # the unreconciled gemeente-period (h, 2030) is untouched and shares within g are kept
    free = project_population(
        population,
        base_year=2020,
        periods=[2025, 2030],
        rates=toy_rates(),
        settings=static_settings(),
    )
    assert persons.xs(("c", 2030), level=("zone", "period")).sum() == pytest.approx(
        free["population_persons"].xs(("c", 2030), level=("zone", "period")).sum()
    )


@pytest.mark.parametrize(
    ("totals", "message"),
    [
        (pd.DataFrame({"gemeente": ["g"], "period": [2025]}), r"required column\(s\) missing"),
        (
            pd.DataFrame({"gemeente": ["x"], "period": [2025], "population_persons": [10.0]}),
            r"gemeenten not among the projected zones: x",
        ),
        (
            pd.DataFrame({"gemeente": ["g"], "period": [2025], "population_persons": [-1.0]}),
            r"empty, non-numeric or negative totals",
        ),
        (
            pd.DataFrame(
                {"gemeente": ["g", "g"], "period": [2025, 2025], "population_persons": [1.0, 2.0]}
            ),
            r"duplicate gemeente-period rows",
        ),
    ],
)
def test_reconcile_errors(totals: pd.DataFrame, message: str) -> None:
    projection = project_population(
        toy_population(),
        base_year=2020,
        periods=[2025],
        rates=toy_rates(),
        settings=static_settings(),
    )
    with pytest.raises(InputDataError, match=message):
        reconcile_totals(projection, {"a": "g"}, totals)


def test_reconcile_zero_population_cannot_be_scaled() -> None:
    projection = project_population(
        toy_population(),
        base_year=2020,
        periods=[2025],
        rates=toy_rates(),
        settings=static_settings(),
    )
    projection["population_persons"] = 0.0
    totals = pd.DataFrame({"gemeente": ["g"], "period": [2025], "population_persons": [5.0]})
    with pytest.raises(InputDataError, match=r"cannot scale zero projected population"):
        reconcile_totals(projection, {"a": "g"}, totals)


def test_service_demand_units_and_weights() -> None:
    index = pd.MultiIndex.from_product(
        [["z"], [2025], list(AGE_BANDS)], names=["zone", "period", "age_band"]
    )
    population = pd.DataFrame({"population_persons": 10.0}, index=index)
    settings = DemandSettings()
    demand = service_demand(population, settings=settings)
    assert list(demand.index.get_level_values("service")) == list(SERVICES)
    assert list(demand.columns) == ["demand_persons"]
    # school: ages 4-11 = 1/5 of 0-4 + all of 5-9 + 2/5 of 10-14, times participation
    assert demand.loc[("z", 2025, "school"), "demand_persons"] == pytest.approx(
        (2 + 10 + 4) * settings.school_participation
    )
    # hall: 13 bands under 65, 2 bands 65-74, 5 bands 75+
    assert demand.loc[("z", 2025, "community_hall"), "demand_persons"] == pytest.approx(
        10 * (13 * 0.25 + 2 * 1.0 + 5 * 1.25)
    )
    # gp weights average 1 over the national population of 2021
    weights = service_weights(list(AGE_BANDS))
    national = default_rates()["national_persons_2021"]
    assert float((weights["gp"] * national).sum() / national.sum()) == pytest.approx(1.0)
    gp = weights["gp"].to_numpy()
    assert gp[AGE_BANDS.index("85-89")] > 2 * gp[AGE_BANDS.index("25-29")]


def test_service_demand_needs_indexed_population() -> None:
    with pytest.raises(InputDataError, match=r"indexed by \(zone, period, age_band\)"):
        service_demand(pd.DataFrame({"population_persons": [1.0]}))


def test_service_weights_need_known_bands() -> None:
    with pytest.raises(InputDataError, match=r"school_band_fractions name 0-4"):
        service_weights(TOY_BANDS[1:], rates=toy_rates())


def test_national_profile_matches_table_and_ages_backwards() -> None:
    rates = default_rates()
    profile = national_profile(2021)
    np.testing.assert_allclose(profile["population_persons"], rates["national_persons_2021"])
    earlier = national_profile(2017)
    # the 2021 65-69 band were 61-65 in 2017: more of them lived then, and the total is similar
    assert earlier["population_persons"].sum() == pytest.approx(
        rates["national_persons_2021"].sum(), rel=0.03
    )
    assert (earlier["female_persons"] <= earlier["population_persons"]).all()


def test_unknown_scenario_rejected() -> None:
    with pytest.raises(ValueError, match=r"demand.scenario 'boom' is not one of"):
        DemandSettings(scenario="boom")


def test_scenarios_order_totals() -> None:
    calibration = pd.DataFrame(
        {
            "fertility_factor": [1.0],
            "mortality_factor": [1.0],
            "arrivals_per_person_year": [0.03],
            "departure_intensity": [0.03],
            "reference_year": [2020.0],
        },
        index=pd.Index(["g"], name="gemeente"),
    )
    totals = {}
    for name in ("krimp", "low", "mid", "high"):
        out = project_population(
            toy_population(),
            base_year=2020,
            periods=[2040],
            calibration=calibration,
            zone_gemeente={"a": "g"},
            rates=toy_rates(),
            settings=DemandSettings(
                scenario=name, migration_schedule=MigrationSchedule(a1=0, a2=0, c=1)
            ),
        )
        totals[name] = out["population_persons"].sum()
    assert totals["krimp"] < totals["low"] < totals["mid"] < totals["high"]


# --- known net inflows and the calibration half-life (issue #12) ---


def _project(inflow: dict[int, float], periods: list[int]) -> pd.Series:
    settings = DemandSettings(
        scenarios={"mid": ScenarioParameters(mortality_improvement_per_year=0.0)},
        migration_schedule=MigrationSchedule(a1=0.0, a2=0.0, c=1.0),
        known_inflow_per_1000=inflow,
    )
    out = project_population(
        toy_population(),
        base_year=2020,
        periods=periods,
        calibration=TOY_CALIBRATION,
        zone_gemeente={"a": "g"},
        rates=toy_rates(),
        settings=settings,
    )
    return out["population_persons"].xs("a", level="zone")


def test_known_inflow_by_hand() -> None:
    """
    10 per 1000 of the 230 inhabitants in 2021: a stock of 2.3 persons on 1-1-2022.

    Flat propensity: the arrival profile is the base structure with band 0 at half weight
    (newborns move half a step): 50 : 80 : 50 of 180, so (0.6389, 1.0222, 0.6389) persons,
    half of each female. It is not there on 1-1-2021, wholly there on 1-1-2022, and five
    years later it has aged with survival only (no arrivals or departures: the published
    net figures of later years hold its returns): 5-9 = 0.6389 s0, 10+ = (1.0222 + 0.6389)
    s_open, and its women 5-9 bear 0.1 a year: 0-4 = 5 x 0.1 x (0.5111 + 0.6389 s0 / 2) / 2
    x s_birth.
    """
    periods = [2020, 2021, 2022, 2027]
    without = _project({}, periods)
    with_inflow = _project({2021: 10.0, 2019: 50.0}, periods)  # 2019: before the base, ignored
    added = (with_inflow - without).unstack("age_band")
    stock = 2.3 * np.array([50.0, 80.0, 50.0]) / 180.0
    np.testing.assert_allclose(added.loc[2020], 0.0, atol=1e-12)
    np.testing.assert_allclose(added.loc[2021], 0.0, atol=1e-12)
    np.testing.assert_allclose(added.loc[2022, ["0-4", "5-9", "10+"]], stock, rtol=1e-12)
    s0, s_open, s_birth = hand_survival()
    births = 5 * 0.1 * (stock[1] / 2 + stock[0] * s0 / 2) / 2
    expected = [births * s_birth, stock[0] * s0, (stock[1] + stock[2]) * s_open]
    np.testing.assert_allclose(added.loc[2027, ["0-4", "5-9", "10+"]], expected, rtol=1e-12)
    assert added.loc[2027, "5-9"] == pytest.approx(0.593, abs=1e-3)  # on paper


def test_known_inflow_return_is_negative_and_settings_checked() -> None:
    periods = [2020, 2022, 2027]  # step years of the stock (between them, totals are geometric)
    back = _project({2021: -10.0}, periods) - _project({}, periods)
    there = _project({2021: 10.0}, periods) - _project({}, periods)
    np.testing.assert_allclose(back.to_numpy(), -there.to_numpy(), rtol=1e-12)
    with pytest.raises(ValidationError, match=r"known_inflow_per_1000 \{2022 = 150.0\}.*-100"):
        DemandSettings(known_inflow_per_1000={2022: 150.0})
    with pytest.raises(ValidationError, match=r"calendar years 2000-2100"):
        DemandSettings(known_inflow_per_1000={1990: 1.0})
    # TOML keys are strings: "2022" is read as the year 2022
    from_toml = DemandSettings.model_validate({"known_inflow_per_1000": {"2022": 5.3}})
    assert from_toml.known_inflow_per_1000 == {2022: 5.3}
    assert UKRAINE_2022_2023_PER_1000 == {2022: 5.30, 2023: 0.92}


def toy_history(net: dict[str, list[float]], years: list[int]) -> pd.DataFrame:
    """A CBS 37259-like history: 1000 persons all year, 10 births and deaths, net arrivals."""
    return pd.DataFrame(
        [
            {
                "code": code,
                "name": "Toy",
                "year": year,
                "population_jan1_persons": 1000.0,
                "population_dec31_persons": 1000.0,
                "births_persons": 10.0,
                "deaths_persons": 10.0,
                "arrivals_persons": max(value, 0.0),
                "departures_persons": max(-value, 0.0),
            }
            for code, values in net.items()
            for year, value in zip(years, values, strict=True)
        ]
    )


def test_calibration_records_the_chosen_half_life() -> None:
    history = toy_history({"GM0001": [0.0, 0.0, 10.0, 10.0, 10.0, 10.0]}, list(range(2012, 2018)))
    table = calibrate_rates(
        toy_population(), {"a": "GM0001"}, history, base_year=2018, rates=toy_rates()
    )
    assert table["half_life_years"].iloc[0] == 0.5
    fixed = calibrate_rates(
        toy_population(),
        {"a": "GM0001"},
        history,
        base_year=2018,
        rates=toy_rates(),
        settings=DemandSettings(calibration_half_life_years=None),
    )
    assert np.isnan(fixed["half_life_years"].iloc[0])
    # 2013-2017 weighted by 1, 1/4, 1/16, ... from 2017: net 10 in 2014-2017, 0 in 2013
    weights = 0.5 ** (np.arange(5)[::-1] / 0.5)
    level = np.sum(weights * [0, 10, 10, 10, 10]) / np.sum(weights) / 1000
    got = table["arrivals_per_person_year"] - table["departures_per_person_year"]
    assert got.iloc[0] == pytest.approx(level, rel=1e-12)


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
    history = toy_history({"GM0001": [0.0, 0.0, 0.0, 10.0, 0.0]}, [2012, 2013, 2014, 2015, 2016])
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
    history = toy_history({"GM0001": [0.0, 0.0, 10.0, 10.0, 10.0, 10.0, -99.0]}, years)
    scores = half_life_scores(history, base_year=2018, calibration_years=5)
    assert min(scores, key=lambda h: scores[h]) == 0.5
    assert select_half_life(history, base_year=2018, calibration_years=5) == 0.5
    assert scores[0.5] < scores[2.0] < scores[None]
