"""Demand settings of a scenario: population source, projection and use per service."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from voorzieningen.schemas.base import Share, StrictModel

#: Plausible calendar years of a population or plan (issue 14: periods in the year 3000 ran).
YEAR_RANGE = (2000, 2100)

PopulationFormat = Literal["auto", "cbs_pc4", "cbs_kwb", "user"]
#: A calibration half-life, years.
HalfLife = Annotated[float, Field(gt=0, le=50)]


class ScenarioParameters(StrictModel):
    """
    Multipliers applied to the calibrated rates of every gemeente in one population scenario.

    All factors are dimensionless and multiply the gemeente's own calibrated level (1.0 = the
    level observed in the calibration years).
    """

    fertility_factor: float = Field(default=1.0, gt=0, le=10)
    """Multiplier of the calibrated age-specific fertility rates (births per woman per year)."""

    mortality_factor: float = Field(default=1.0, gt=0, le=10)
    """Multiplier of the calibrated age-specific death rates (deaths per person-year)."""

    mortality_improvement_per_year: float = Field(default=0.01, ge=0, lt=0.2)
    """Relative decline of all death rates per year after the calibration midpoint
    (fraction per year; 0.01 = death rates fall 1 % a year)."""

    arrivals_factor: float = Field(default=1.0, ge=0, le=10)
    """Multiplier of the calibrated arrivals (in-migration) rate, arrivals per inhabitant per year."""

    departures_factor: float = Field(default=1.0, ge=0, le=10)
    """Multiplier of the calibrated departures (out-migration) intensity."""


def _default_scenarios() -> dict[str, ScenarioParameters]:
    return {
        "mid": ScenarioParameters(),
        "low": ScenarioParameters(
            fertility_factor=0.9,
            mortality_factor=1.05,
            mortality_improvement_per_year=0.005,
            arrivals_factor=0.85,
            departures_factor=1.05,
        ),
        "high": ScenarioParameters(
            fertility_factor=1.1,
            mortality_factor=0.95,
            mortality_improvement_per_year=0.015,
            arrivals_factor=1.15,
            departures_factor=0.95,
        ),
        "krimp": ScenarioParameters(
            fertility_factor=0.85,
            mortality_factor=1.05,
            mortality_improvement_per_year=0.005,
            arrivals_factor=0.75,
            departures_factor=1.15,
        ),
    }


class MigrationSchedule(StrictModel):
    """
    Rogers-Castro model migration schedule: relative migration propensity by age.

    ``m(x) = a1 exp(-alpha1 x) + a2 exp(-alpha2 (x - mu2) - exp(-lambda2 (x - mu2))) + c``
    with ``x`` in years of age. Defaults are the "standard schedule" of Rogers & Castro (1981,
    *Model migration schedules*, IIASA RR-81-30), rounded. Only the shape matters: the level is
    calibrated per gemeente on its departures in CBS 37259.
    """

    a1: float = Field(default=0.02, ge=0, le=1)
    """Height of the childhood component (relative propensity)."""
    alpha1: float = Field(default=0.1, ge=0, le=10)
    """Rate of descent of the childhood component (per year of age)."""
    a2: float = Field(default=0.06, ge=0, le=1)
    """Height of the labour-force component (relative propensity)."""
    alpha2: float = Field(default=0.1, gt=0, le=10)
    """Rate of descent of the labour-force component after the peak (per year of age)."""
    mu2: float = Field(default=20.0, ge=0, le=100)
    """Position of the labour-force component (years of age)."""
    lambda2: float = Field(default=0.4, gt=0, le=10)
    """Rate of ascent of the labour-force component (per year of age)."""
    c: float = Field(default=0.003, ge=0, le=1)
    """Constant (age-independent) propensity."""


class DemandSettings(StrictModel):
    """Where the population comes from and how it is projected and turned into demand."""

    population_source: str = "cbs/cbs_pc4_inwoners_leeftijd5jr_2021_nl.csv"
    """Population by zone and 5-year age band, relative to the data directory."""

    base_year: int = Field(default=2021, ge=YEAR_RANGE[0], le=YEAR_RANGE[1])
    """Year (1 January) of the population in ``population_source``. The default 2021 is the
    latest year with zone-level five-year bands in the shared data (CBS PC4 1-1-2021). The
    later CBS kerncijfers 2022 give only five broad groups in whole percentages (+-0.5 pt:
    +-520 persons per group in Delft, +-240 in Het Hogeland) and are not used: as a base they
    lack the five-year bands and PC4 zones, and as the end of the migration-by-age period
    they would calibrate a 2021 base on flows of 2021 and the 2022 structure (later than the
    base year, which calibration never uses)."""

    population_format: PopulationFormat = "auto"
    """Format of ``population_source``: ``cbs_pc4`` (CBS PC4 x 5-year band file), ``cbs_kwb``
    (CBS kerncijfers wijken en buurten 2017 or 2022, gemeente or wijk rows), ``user`` (long CSV
    ``zone, age_band, population_persons[, female_persons, zone_total_persons]``) or ``auto``
    (recognised from the columns)."""

    history_source: str = "cbs/cbs_37259eng_bevolkingsontwikkeling_regio_2012_2023.csv"
    """CBS 37259 births, deaths and migration per gemeente per year, relative to the data
    directory; calibrates fertility, mortality and migration of every gemeente."""

    calibration_years: int = Field(default=5, ge=1, le=20)
    """Number of calendar years before ``base_year`` whose flows calibrate the rates (the years
    ``base_year - calibration_years`` ... ``base_year - 1``; never the base year or later)."""

    calibration_half_life_years: HalfLife | Literal["auto"] | None = "auto"
    """Weight of the calibration years: a year ``a`` years before the last calibration year
    counts ``0.5 ** (a / half_life)`` (2.0: 2020 counts 1, 2018 0.5, 2016 0.25), so the
    most recent levels of births, deaths and migration weigh most. ``None`` = all years
    equal. ``"auto"`` (default) chooses it per run by rolling-origin validation on the CBS
    37259 history before ``base_year`` only (``voorzieningen.demand._select``): over every
    gemeente, the net migration of the years after each earlier origin is predicted from the
    years before it with each of 0.5, 1, 1.5, 2, 3, 4 years and equal weights, and the
    half-life with the lowest median error is used (issue #12: 0.5 for base years 2017 and
    2021; net migration of a gemeente is mostly last year's level plus noise). The choice is
    in the calibration table (``half_life_years``)."""

    migration_age_source: str | None = "cbs/cbs_wijkbuurtkaart2017v1_gemeenten_nl.csv"
    """An earlier population by gemeente and age (relative to the data directory; formats as
    ``population_source``, one zone per gemeente ``GMxxxx`` code) from which the age pattern
    of net migration is calibrated by the residual method (``voorzieningen.demand._migration``):
    the earlier structure aged to ``base_year`` with the observed births and deaths of CBS
    37259, compared with the base population. This is what lets a city lose families while
    gaining students. Used only when ``migration_age_year < base_year``; otherwise (or with
    ``None`` or ``""``, for TOML) arrivals follow the Rogers-Castro shape of
    ``migration_schedule``."""

    migration_age_year: int = Field(default=2017, ge=1900, le=2100)
    """Year (1 January) of ``migration_age_source``."""

    known_inflow_per_1000: dict[int, float] = Field(default_factory=dict)
    """Known net inflows after the base year, net persons per 1000 inhabitants added during
    each calendar year (e.g. ``{2022 = 5.30, 2023 = 0.92}``: refugees from Ukraine, CBS; the
    figures and sources are ``voorzieningen.demand._inflow.UKRAINE_2022_2023_PER_1000``).
    Exogenous scenario input, never calibrated: no trend of the calibration years shows such
    an inflow. Spread over zones in proportion to their inhabitants with the age-sex profile
    of their arrivals; added from 1 January of the next year, then aged with the zone's
    mortality and fertility (no further migration: a return is a negative value). Years
    before ``base_year`` are already in the base population and are ignored. Empty = none."""

    scenario: str = "mid"
    """Name of the population scenario in ``scenarios`` to project."""

    scenarios: dict[str, ScenarioParameters] = Field(default_factory=_default_scenarios)
    """Population scenarios by name. Defaults: ``mid`` (calibrated rates, 1 %/yr mortality
    improvement), ``low`` and ``high`` (stylised bands around mid: fertility -/+10 %,
    arrivals -/+15 %, in the spirit of the CBS/PBL prognosis intervals, not taken from them),
    ``krimp`` (stress: fertility -15 %, arrivals -25 %, departures +15 %)."""

    migration_schedule: MigrationSchedule = Field(default_factory=MigrationSchedule)
    """Age shape of migration propensity (departures, and arrivals via the national population)."""

    zone_fertility_prior_children: float = Field(default=10.0, ge=0, le=1e6)
    """Strength (in children aged 0-4) of the prior that a zone's fertility equals its
    gemeente's. Zone fertility is scaled by its child-woman ratio relative to the gemeente
    (``(C + p) / (E + p)``, ``C`` children 0-4, ``E`` children expected at the gemeente rate,
    ``p`` this prior), then renormalised so the gemeente's births are unchanged; this keeps
    student zones from being projected with family fertility. Larger = closer to the gemeente."""

    external_totals_source: str | None = None
    """Optional CSV (relative to the data directory) of external population totals with columns
    ``gemeente`` (name or GM code), ``period`` (year) and ``population_persons``; the projected
    zones of each gemeente are scaled to reproduce these totals exactly."""

    gemeente_codes: dict[str, str] = Field(default_factory=dict)
    """Manual gemeente name -> CBS code (``GMxxxx``) mapping, for names the automatic mapping
    cannot resolve (e.g. ``{"Bergen": "GM0373"}``)."""

    school_band_fractions: dict[str, Share] = Field(
        default_factory=lambda: {"0-4": 0.2, "5-9": 1.0, "10-14": 0.4}
    )
    """Share of each 5-year band aged 4-11 (primary-school ages): ages are assumed uniform within
    a band, so 1 of 5 single years of 0-4 (age 4) and 2 of 5 of 10-14 (ages 10-11)."""

    school_participation: float = Field(default=0.94, gt=0, le=1)
    """Pupils in regular primary schools (basisonderwijs) per child aged 4-11 (fraction).
    Approximation: DUO basisschool pupils Nov 2024 (1.364 M, data/cbs DUO file) over children
    4-11 in the 2021 PC4 file (~1.45 M); the rest attend special (S)BO/SO or are exempt."""

    hall_weight_under_65: float = Field(default=0.25, ge=0, le=100)
    """Community-hall visitor equivalents per person under 65 (visitor equivalent = one person
    visiting 12 times a year)."""

    hall_weight_65_74: float = Field(default=1.0, ge=0, le=100)
    """Visitor equivalents per person aged 65-74 (Geroscoop: meeting point 12 visits/yr)."""

    hall_weight_75_plus: float = Field(default=1.25, ge=0, le=100)
    """Visitor equivalents per person aged 75+ (assumption: more reliant on local facilities)."""

    @field_validator("migration_age_source")
    @classmethod
    def _empty_is_off(cls, value: str | None) -> str | None:
        return None if value is not None and not value.strip() else value

    @field_validator("known_inflow_per_1000")
    @classmethod
    def _inflow_plausible(cls, value: dict[int, float]) -> dict[int, float]:
        for year, rate in value.items():
            if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1] or not -100.0 <= rate <= 100.0:
                msg = (
                    f"demand.known_inflow_per_1000 {{{year} = {rate}}}: give calendar years "
                    f"{YEAR_RANGE[0]}-{YEAR_RANGE[1]} and net persons per 1000 inhabitants "
                    "between -100 and 100 (5.30 = 0.53 % of the population)"
                )
                raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _migration_age_gap(self) -> DemandSettings:
        gap = self.base_year - self.migration_age_year
        if self.migration_age_source is not None and gap > 20:
            msg = (
                f"demand.migration_age_year {self.migration_age_year} lies {gap} years before "
                f"base_year {self.base_year}; the residual method needs at most 20 years. "
                'Fix: give a later age structure, or migration_age_source = "" (off)'
            )
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _scenario_known(self) -> DemandSettings:
        if self.scenario not in self.scenarios:
            known = ", ".join(sorted(self.scenarios))
            msg = f"demand.scenario {self.scenario!r} is not one of the scenarios: {known}"
            raise ValueError(msg)
        return self
