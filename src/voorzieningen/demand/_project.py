"""Calibration per gemeente and the public cohort-component projection."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from voorzieningen.demand._bands import AGE_BANDS, band_problems, band_width
from voorzieningen.demand._cohort import CohortRates, FloatArray, project_arrays
from voorzieningen.demand._defaults import default_rates, gemeente_mergers
from voorzieningen.demand._history import (
    departure_intensity,
    gemeente_flows,
    migration_propensity,
)
from voorzieningen.demand._inflow import add_inflow, inflow_projection
from voorzieningen.demand._load import FEMALE, POPULATION
from voorzieningen.demand._migration import (
    band_net_migration,
    child_cohort_net,
    residual_migration,
)
from voorzieningen.demand._problems import Problems, listing
from voorzieningen.demand._select import select_half_life
from voorzieningen.errors import InputDataError, ScenarioError
from voorzieningen.schemas.demand import DemandSettings

#: Columns of the calibration table (one row per gemeente).
CALIBRATION_COLUMNS = (
    "births_per_person_year",
    "deaths_per_person_year",
    "arrivals_per_person_year",
    "departures_per_person_year",
    "fertility_factor",
    "mortality_factor",
    "departure_intensity",
    "reference_year",
    "half_life_years",
    "first_year",
    "last_year",
)


def _to_arrays(
    population: pd.DataFrame, rates: pd.DataFrame
) -> tuple[list[str], list[str], FloatArray]:
    """Validate a (zone, age_band) population table and return zones, bands, (Z, 2, B)."""
    problems = Problems("population table")
    if not isinstance(population.index, pd.MultiIndex) or population.index.nlevels != 2:
        msg = "population must be indexed by (zone, age_band); see demand.load_population"
        raise InputDataError(msg)
    if POPULATION not in population.columns:
        msg = f"population has no column {POPULATION!r}; see demand.load_population"
        raise InputDataError(msg)
    zones = [str(z) for z in dict.fromkeys(population.index.get_level_values(0))]
    bands = [str(b) for b in population.xs(zones[0], level=0).index]
    for problem in band_problems(bands):
        problems.add("age_band", problem, "use contiguous equal-width bands from 0 ending 'a+'")
    if list(rates.index) != bands:
        problems.add(
            "age_band",
            f"population bands {listing(bands)} differ from the rate table's "
            f"{listing(rates.index)}",
            "pass a rates table with the same bands",
        )
    if len(population) != len(zones) * len(bands):
        problems.add("age_band", "zones do not all have the same age bands", "align the bands")
    values = population[POPULATION].to_numpy(dtype=np.float64)
    if np.isnan(values).any() or (values < 0).any():
        problems.add(POPULATION, "empty or negative values", "fill in persons >= 0")
    problems.raise_if_any()
    ordered = population.reindex(pd.MultiIndex.from_product([zones, bands]))
    total = ordered[POPULATION].to_numpy(dtype=np.float64).reshape(len(zones), len(bands))
    if FEMALE in population.columns:
        female = ordered[FEMALE].to_numpy(dtype=np.float64).reshape(len(zones), len(bands))
    else:
        share = rates["national_female_persons_2021"] / rates["national_persons_2021"]
        female = total * share.to_numpy()[None, :]
    female = np.clip(female, 0.0, total)
    return zones, bands, np.stack([total - female, female], axis=1)


def _standard(rates: pd.DataFrame) -> tuple[FloatArray, FloatArray]:
    mortality = np.stack(
        [
            rates["mortality_male_per_year"].to_numpy(dtype=np.float64),
            rates["mortality_female_per_year"].to_numpy(dtype=np.float64),
        ]
    )
    return mortality, rates["fertility_per_woman_year"].to_numpy(dtype=np.float64)


def calibrate_rates(
    population: pd.DataFrame,
    zone_gemeente: Mapping[str, str] | pd.Series,
    history: pd.DataFrame,
    *,
    base_year: int,
    settings: DemandSettings | None = None,
    rates: pd.DataFrame | None = None,
    earlier: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """
    Calibrate fertility, mortality and migration of each gemeente on its own history.

    Uses only the flows of the ``settings.calibration_years`` calendar years before
    ``base_year``. With the gemeente's age-sex structure on 1-1-``base_year`` (its zones
    summed) as exposure shape:

    * ``fertility_factor`` = observed births per person-year / expected births per person
      with the standard rates (indirect standardisation);
    * ``mortality_factor`` = observed deaths per person-year / expected (an SMR);
    * ``arrivals_per_person_year`` = observed arrivals per person-year;
    * ``departure_intensity`` = ``k`` such that the departure hazard ``k d_x`` (``d_x`` the
      Rogers-Castro propensity, per person-year) reproduces observed departures per
      person-year on the base structure.

    Person-years are the mean of the 1 January and 31 December populations of each year.
    Years are weighted by ``settings.calibration_half_life_years`` (recent years most;
    ``"auto"``: chosen on the history before ``base_year``, :func:`select_half_life`).

    With ``earlier`` (a gemeente age structure of ``settings.migration_age_year`` <
    ``base_year``) the age pattern of net migration is calibrated too: the earlier structure
    is aged to ``base_year`` with the observed births and deaths (residual method,
    ``voorzieningen.demand._migration``), the net migrants per broad age group (0-14, 15-24,
    25-44, 45-64, 65+) are spread over five-year bands by departures and moved to the
    weighted net level of CBS 37259, and ``arrival_ratio_<band>`` = arrivals per departure
    of each band at the base (so net migration by band at the base reproduces that pattern).
    The gemeente's age structure in ``base_year`` is that of its zones.

    Parameters
    ----------
    population
        Persons by (``zone``, ``age_band``) at ``base_year`` (see :func:`load_population`).
    zone_gemeente
        Zone -> gemeente code (``GMxxxx``) for every zone.
    history
        CBS 37259 flows (:func:`load_history`).
    base_year
        Year (1 January) of ``population``; calibration uses earlier years only.
    settings
        Demand settings (``calibration_years``, ``migration_schedule``); defaults if ``None``.
    rates
        Standard age-specific rates; the packaged defaults if ``None``.
    earlier
        Persons by (``zone`` = gemeente code, ``age_band``) on 1-1-``settings.migration_age_year``
        (see :func:`load_population`); codes of an older indeling are mapped through the
        packaged mergers. ``None`` (or a year not before ``base_year``): no age pattern.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``gemeente`` (code); columns :data:`CALIBRATION_COLUMNS` (rates per
        person-year; factors dimensionless; years), plus ``arrival_ratio_<band>`` per band
        (arrivals per departure, dimensionless) when ``earlier`` is used.
    """
    settings = settings or DemandSettings()
    rates = default_rates() if rates is None else rates
    zones, bands, array = _to_arrays(population, rates)
    mapping = pd.Series({z: str(pd.Series(zone_gemeente).get(z, "")) for z in zones})
    unmapped = mapping.index[mapping == ""].tolist()
    if unmapped:
        msg = f"zones without a gemeente code: {listing(unmapped)}; pass zone_gemeente for all"
        raise InputDataError(msg)
    codes = list(dict.fromkeys(mapping))
    group = np.asarray([codes.index(c) for c in mapping])
    by_gemeente = np.zeros((len(codes), 2, len(bands)))
    np.add.at(by_gemeente, group, array)
    totals = by_gemeente.sum(axis=(1, 2))
    empty = [c for c, t in zip(codes, totals, strict=True) if t <= 0]
    if empty:
        msg = f"gemeenten with no population in the zones: {listing(empty)}"
        raise InputDataError(msg)
    structure = by_gemeente / totals[:, None, None]
    first, last = base_year - settings.calibration_years, base_year - 1
    flows = gemeente_flows(history, codes, list(range(first, last + 1)))
    years = flows.index.get_level_values("year").to_numpy()
    half_life = settings.calibration_half_life_years
    if half_life == "auto":
        half_life = select_half_life(
            history, base_year=base_year, calibration_years=settings.calibration_years
        )
    weight = np.ones(len(flows)) if half_life is None else 0.5 ** ((last - years) / half_life)
    summed = flows.mul(weight, axis=0).groupby(level="code").sum().reindex(codes)
    person_years = (
        (summed["population_jan1_persons"] + summed["population_dec31_persons"]) / 2.0
    ).to_numpy()
    year_weights = pd.Series(weight, index=years).groupby(level=0).first()
    # weighted midpoint of the calibration years (equal weights: (first + last + 1) / 2)
    reference = float(
        np.average(year_weights.index.to_numpy() + 0.5, weights=year_weights.to_numpy())
    )
    observed = {
        name: (summed[f"{name}_persons"].to_numpy() / person_years)
        for name in ("births", "deaths", "arrivals", "departures")
    }
    mortality, fertility = _standard(rates)
    expected_births = np.sum(structure[:, 1, :] * fertility[None, :], axis=1)
    expected_deaths = np.sum(structure * mortality[None, :, :], axis=(1, 2))
    propensity = migration_propensity(bands, settings.migration_schedule)
    intensity = departure_intensity(structure, propensity, observed["departures"])
    table = pd.DataFrame(
        {
            "births_per_person_year": observed["births"],
            "deaths_per_person_year": observed["deaths"],
            "arrivals_per_person_year": observed["arrivals"],
            "departures_per_person_year": observed["departures"],
            "fertility_factor": np.where(
                expected_births > 0, observed["births"] / np.maximum(expected_births, 1e-12), 1.0
            ),
            "mortality_factor": observed["deaths"] / np.maximum(expected_deaths, 1e-12),
            "departure_intensity": intensity,
            "reference_year": reference,
            "half_life_years": np.nan if half_life is None else half_life,
            "first_year": first,
            "last_year": last,
        },
        index=pd.Index(codes, name="gemeente"),
    )
    if earlier is not None and settings.migration_age_year < base_year:
        level = (observed["arrivals"] - observed["departures"]) * totals
        ratios = _arrival_ratios(
            earlier,
            by_gemeente,
            codes,
            bands,
            history,
            base_year=base_year,
            settings=settings,
            intensity=intensity,
            level=level,
            mortality=mortality,
        )
        for j, band in enumerate(bands):
            table[f"arrival_ratio_{band}"] = ratios[:, j]
    return table


#: Mean share of a step that the cohort ending it in band 0 is exposed to migration: it is
#: born during the step (uniformly), so it exists for half of it on average.
NEWBORN_EXPOSURE = 0.5


def _exposure(n_bands: int) -> FloatArray:
    """Exposure of each end-of-step cohort relative to a full step (band 0: newborns)."""
    out = np.ones(n_bands)
    out[0] = NEWBORN_EXPOSURE
    return out


def _departures_by_band(
    population: FloatArray, intensity: FloatArray, passed: FloatArray
) -> FloatArray:
    """
    Departures per year of the cohort ending a step in each band, both sexes, (G, B), persons.

    The base band's persons times the hazard of the cohort (``intensity`` times ``passed``);
    the newborn cohort (band 0) only for :data:`NEWBORN_EXPOSURE` of the step.
    """
    size = population.sum(axis=1)
    return np.asarray(intensity[:, None] * passed[None, :] * size * _exposure(size.shape[1]))


def _passed(propensity: FloatArray) -> FloatArray:
    """Propensity of a cohort ending the step in each band (mean of the two bands passed)."""
    return np.concatenate([propensity[:1], (propensity[:-1] + propensity[1:]) / 2.0])


def _arrival_ratios(
    earlier: pd.DataFrame,
    by_gemeente: FloatArray,
    codes: list[str],
    bands: list[str],
    history: pd.DataFrame,
    *,
    base_year: int,
    settings: DemandSettings,
    intensity: FloatArray,
    level: FloatArray,
    mortality: FloatArray,
) -> FloatArray:
    """Arrivals per departure per gemeente and band from residual net migration (G, B)."""
    start_year = settings.migration_age_year
    start = _in_indeling(earlier, codes, bands, start_year)
    years = list(range(start_year, base_year))
    flows = gemeente_flows(history, codes, years)
    births = flows["births_persons"].unstack("year").reindex(codes)[years].to_numpy()
    deaths = flows["deaths_persons"].unstack("year").reindex(codes)[years].to_numpy()
    base_total = flows["population_dec31_persons"].xs(base_year - 1, level="year")
    end = by_gemeente.sum(axis=1)
    end = end * (base_total.reindex(codes).to_numpy() / end.sum(axis=1))[:, None]
    groups = _broad_groups(bands)
    both = (mortality[0] + mortality[1]) / 2.0
    width = band_width(bands)
    net = residual_migration(start, end, births, deaths, both, width=float(width), groups=groups)
    propensity = migration_propensity(bands, settings.migration_schedule)
    departures = _departures_by_band(by_gemeente, intensity, _passed(propensity))
    fixed = _young_children_net(end, codes, history, base_year=base_year, width=width, rate=both)
    per_band = band_net_migration(net / len(years), departures, level, groups=groups, fixed=fixed)
    ratio = 1.0 + per_band / np.where(departures > 0, departures, 1.0)
    return np.asarray(np.where(departures > 0, np.maximum(ratio, 0.0), 1.0))


def _young_children_net(
    end: FloatArray,
    codes: list[str],
    history: pd.DataFrame,
    *,
    base_year: int,
    width: int,
    rate: FloatArray,
) -> FloatArray | None:
    """
    Net migrants per year of the cohorts ending a step in bands 0 and 1, from births.

    Births of the ``width`` years before ``base_year`` make up band 0 and those of the
    ``width`` years before that band 1 (:func:`child_cohort_net`). CBS 37259 starts in 2012:
    a missing earlier year takes the births of the earliest year available (assumption; one
    year of five for a 2021 base). Returns ``None`` (no direct measure) when the history
    lacks any year of band 0's births, and only band 0 when more than one of band 1's years is
    missing.

    Returns
    -------
    numpy.ndarray or None
        Shape (G, 1) or (G, 2), persons per year.
    """
    available = set(history["year"].astype(int))
    recent = list(range(base_year - width, base_year))
    if not set(recent) <= available:
        return None
    prior = list(range(base_year - 2 * width, base_year - width))
    known = [y for y in prior if y in available]
    years = sorted(set(recent) | set(known))
    flows = gemeente_flows(history, codes, years)["births_persons"].unstack("year")
    births = flows.reindex(codes)
    recent_sum = births[recent].sum(axis=1).to_numpy(dtype=np.float64)
    # survival without migration: band 0's births are exposed half a step on average,
    # band 1's a full step in band 0 and half a step in band 1
    survival_first = np.exp(-rate[0] * width / 2.0)
    survival_second = np.exp(-rate[0] * width - rate[1] * width / 2.0)
    if len(known) < width - 1:
        newborn = end[:, 0] - survival_first * recent_sum
        return np.asarray(newborn[:, None] / width)
    earliest = births[min(known)].to_numpy(dtype=np.float64)
    prior_sum = births[known].sum(axis=1).to_numpy(dtype=np.float64) + earliest * (
        width - len(known)
    )
    per_step = child_cohort_net(
        end[:, 0], end[:, 1], recent_sum, prior_sum, survival_first, survival_second
    )
    return np.asarray(per_step / width)


def _broad_groups(bands: list[str]) -> list[int]:
    """Broad CBS kerncijfers group (0-14, 15-24, 25-44, 45-64, 65+) of each band, else each band."""
    if bands == list(AGE_BANDS):
        return [0] * 3 + [1] * 2 + [2] * 4 + [3] * 4 + [4] * 7
    return list(range(len(bands)))


def _in_indeling(
    earlier: pd.DataFrame, codes: list[str], bands: list[str], year: int
) -> FloatArray:
    """Persons by band of ``codes`` from an earlier table, rebuilding merged gemeenten."""
    persons = earlier[POPULATION].unstack("age_band").reindex(columns=bands)
    mergers = gemeente_mergers()
    out = np.zeros((len(codes), len(bands)))
    missing: list[str] = []

    def add(code: str, row: int, share: float, depth: int = 0) -> bool:
        if code in persons.index:
            out[row] += share * persons.loc[code].to_numpy(dtype=np.float64)
            return True
        parts = mergers[(mergers["new_code"] == code) & (mergers["year"] > year)]
        if parts.empty or depth > 3:
            return False
        return all(
            add(str(old), row, share * float(frac), depth + 1)
            for old, frac in zip(parts["old_code"], parts["fraction"], strict=True)
        )

    for row, code in enumerate(codes):
        if not add(code, row, 1.0):
            missing.append(code)
    if missing:
        msg = (
            f"demand.migration_age_source has no age structure for gemeente(n) "
            f"{listing(missing)} (nor for their predecessors in {year}). Fix: give a file "
            'with these gemeenten, or migration_age_source = "" (off)'
        )
        raise InputDataError(msg)
    if np.isnan(out).any():
        msg = "demand.migration_age_source: empty age bands; give every band a number"
        raise InputDataError(msg)
    return out


def _zone_fertility(
    base: FloatArray, groups: list[str], fertility: FloatArray, prior: float
) -> FloatArray:
    """
    Relative fertility of each zone within its gemeente from its child-woman ratio.

    Parameters
    ----------
    base
        Base population, shape (Z, 2, B); band 0 holds the youngest children.
    groups
        Gemeente key of each zone.
    fertility
        Gemeente-level births per woman per year by band, per zone, shape (Z, B).
    prior
        Prior strength in children.

    Returns
    -------
    numpy.ndarray
        Multiplier of each zone's fertility, shape (Z,); births-weighted mean 1 per gemeente.
    """
    children = base[:, :, 0].sum(axis=1)
    expected = 5.0 * np.sum(fertility * base[:, 1, :], axis=1)
    frame = pd.DataFrame({"g": groups, "c": children, "e": expected})
    sums = frame.groupby("g")[["c", "e"]].transform("sum")
    level = np.where(sums["e"] > 0, sums["c"] / np.where(sums["e"] > 0, sums["e"], 1.0), 1.0)
    raw = (children + prior) / (level * expected + prior) if prior > 0 else np.ones_like(children)
    raw = np.where(np.isfinite(raw), raw, 1.0)
    frame["w"] = raw * expected
    weighted = frame.groupby("g")["w"].transform("sum").to_numpy()
    norm = np.where(weighted > 0, sums["e"].to_numpy() / np.where(weighted > 0, weighted, 1.0), 1.0)
    return np.asarray(raw * norm, dtype=np.float64)


def _cohort_rates(
    base: FloatArray,
    zones: list[str],
    bands: list[str],
    groups: list[str],
    calibration: pd.DataFrame | None,
    *,
    base_year: int,
    settings: DemandSettings,
    rates: pd.DataFrame,
) -> CohortRates:
    scenario = settings.scenarios[settings.scenario]
    mortality, fertility = _standard(rates)
    n = len(zones)
    if calibration is None:
        fert_f = np.ones(n)
        mort_f = np.ones(n)
        arrivals = np.zeros(n)
        intensity = np.zeros(n)
        reference = np.full(n, float(base_year))
    else:
        missing = sorted(set(groups) - {str(g) for g in calibration.index})
        if missing:
            msg = f"calibration has no row for gemeente(n) {listing(missing)}"
            raise InputDataError(msg)
        cal = calibration.reindex(pd.Index(groups))
        fert_f = cal["fertility_factor"].to_numpy(dtype=np.float64)
        mort_f = cal["mortality_factor"].to_numpy(dtype=np.float64)
        arrivals = cal["arrivals_per_person_year"].to_numpy(dtype=np.float64)
        intensity = cal["departure_intensity"].to_numpy(dtype=np.float64)
        reference = cal["reference_year"].to_numpy(dtype=np.float64)
    fert_f = fert_f * _zone_fertility(
        base, groups, fertility * fert_f[:, None], settings.zone_fertility_prior_children
    )
    propensity = migration_propensity(bands, settings.migration_schedule)
    national = np.stack(
        [
            (rates["national_persons_2021"] - rates["national_female_persons_2021"]).to_numpy(),
            rates["national_female_persons_2021"].to_numpy(),
        ]
    ).astype(np.float64)
    # arrivals by end-of-step cohort follow its movers; newborns move half a step on average
    shape = propensity * _exposure(len(bands))
    movers = base * shape[None, None, :]
    fallback = national * shape[None, :] / np.sum(national * shape[None, :])
    mass = movers.sum(axis=(1, 2))
    profile = np.where(
        mass[:, None, None] > 0,
        movers / np.where(mass > 0, mass, 1.0)[:, None, None],
        fallback[None, :, :],
    )
    # a cohort ending the step in band x spent it in bands x-1 and x
    passed = _passed(propensity)
    hazard = np.broadcast_to(
        intensity[:, None, None] * passed[None, None, :], (n, 2, len(bands))
    ).copy()
    columns = [f"arrival_ratio_{band}" for band in bands]
    if calibration is not None and set(columns) <= set(calibration.columns):
        ratio = calibration.reindex(pd.Index(groups))[columns].to_numpy(dtype=np.float64)
        calibrated = ~np.isnan(ratio).any(axis=1)
        # arrivals per year of each end-of-step cohort (newborns exposed half the step)
        inflow = np.nan_to_num(ratio)[:, None, :] * hazard * base * _exposure(len(bands))
        mass = inflow.sum(axis=(1, 2))
        size = base.sum(axis=(1, 2))
        use = calibrated & (mass > 0) & (size > 0)
        profile = np.where(
            use[:, None, None], inflow / np.where(mass > 0, mass, 1.0)[:, None, None], profile
        )
        arrivals = np.where(use, mass / np.where(size > 0, size, 1.0), arrivals)
    return CohortRates(
        mortality=mortality[None, :, :] * (mort_f * scenario.mortality_factor)[:, None, None],
        fertility=fertility[None, :] * (fert_f * scenario.fertility_factor)[:, None],
        arrivals_rate=arrivals * scenario.arrivals_factor,
        arrival_profile=profile,
        departure_intensity=hazard * scenario.departures_factor,
        reference_year=reference,
        improvement_per_year=scenario.mortality_improvement_per_year,
    )


def reconcile_totals(
    projection: pd.DataFrame,
    zone_gemeente: Mapping[str, str] | pd.Series,
    external_totals: pd.DataFrame,
) -> pd.DataFrame:
    """
    Scale projected zones so each gemeente reproduces an external total exactly.

    Every (zone, band) cell of the gemeente in that period is multiplied by the same factor;
    the floating-point residual is then put on the gemeente's largest cell, so the sum equals
    the total to the last bit representable (checked with :func:`math.fsum`).

    Parameters
    ----------
    projection
        Persons indexed by (``zone``, ``period``, ``age_band``), column ``population_persons``.
    zone_gemeente
        Zone -> gemeente key used in ``external_totals``.
    external_totals
        Columns ``gemeente``, ``period`` and ``population_persons`` (persons on 1 January).
        Rows for periods not in ``projection`` are ignored.

    Returns
    -------
    pandas.DataFrame
        ``projection`` with the scaled values.

    Raises
    ------
    InputDataError
        For missing columns, unknown gemeenten, or negative, empty or impossible totals.
    """
    problems = Problems("external totals")
    missing = [c for c in ("gemeente", "period", POPULATION) if c not in external_totals.columns]
    if missing:
        problems.add(
            listing(missing),
            "required column(s) missing",
            "give gemeente, period, population_persons",
        )
        problems.raise_if_any()
    totals = external_totals.assign(
        gemeente=external_totals["gemeente"].astype(str),
        period=pd.to_numeric(external_totals["period"], errors="coerce"),
        **{POPULATION: pd.to_numeric(external_totals[POPULATION], errors="coerce")},
    )
    bad = totals[POPULATION].isna() | (totals[POPULATION] < 0) | totals["period"].isna()
    if bad.any():
        problems.add(
            POPULATION,
            f"empty, non-numeric or negative totals at rows {listing(totals.index[bad])}",
            "give a number of persons >= 0 and a year for every row",
        )
    mapping = pd.Series(zone_gemeente).astype(str)
    zones = projection.index.get_level_values("zone").astype(str)
    group = mapping.reindex(zones).to_numpy()
    unknown = sorted(set(totals["gemeente"]) - set(mapping))
    if unknown:
        problems.add(
            "gemeente",
            f"gemeenten not among the projected zones: {listing(unknown)}",
            "drop these rows or add zones of these gemeenten",
        )
    if totals.duplicated(["gemeente", "period"]).any():
        problems.add("gemeente/period", "duplicate gemeente-period rows", "keep one row each")
    problems.raise_if_any()
    periods = projection.index.get_level_values("period").to_numpy()
    key = pd.MultiIndex.from_arrays([group, periods])
    target_map = totals.assign(period=totals["period"].astype("int64")).set_index(
        ["gemeente", "period"]
    )[POPULATION]
    values = projection[POPULATION].to_numpy(dtype=np.float64).copy()
    frame = pd.DataFrame({"g": group, "p": periods, "v": values})
    current = frame.groupby(["g", "p"])["v"].transform("sum").to_numpy()
    target = target_map.reindex(key).to_numpy(dtype=np.float64)
    has_target = ~np.isnan(target)
    impossible = has_target & (current <= 0) & (target > 0)
    if impossible.any():
        which = sorted(
            {f"{g} {p}" for g, p in zip(group[impossible], periods[impossible], strict=True)}
        )
        msg = f"cannot scale zero projected population to a positive total for {listing(which)}"
        raise InputDataError(msg)
    factor = np.where(has_target & (current > 0), target / np.where(current > 0, current, 1.0), 1.0)
    values = values * factor
    frame["v"] = values
    for (g, p), idx in frame[has_target].groupby(["g", "p"]).groups.items():
        positions = frame.index.get_indexer(idx)
        wanted = float(target_map.loc[(g, p)])
        residual = wanted - math.fsum(values[positions])
        largest = positions[np.argmax(values[positions])]
        values[largest] += residual
    out = projection.copy()
    out[POPULATION] = values
    return out


def project_population(
    population: pd.DataFrame,
    *,
    base_year: int,
    periods: Sequence[int],
    calibration: pd.DataFrame | None = None,
    zone_gemeente: Mapping[str, str] | pd.Series | None = None,
    external_totals: pd.DataFrame | None = None,
    settings: DemandSettings | None = None,
    rates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """
    Project population by zone and age band with a two-sex cohort-component model.

    Steps of one band width (5 years for CBS bands) from ``base_year``: ageing with
    life-table survival, births from women aged 15-49 with age-specific fertility, departures
    as an age-specific hazard and arrivals with a national age profile (formulas in
    ``voorzieningen.demand._cohort``). Rates are the standard ``rates`` times the gemeente's
    calibration (:func:`calibrate_rates`) times the scenario ``settings.scenario``. Periods
    between step years are interpolated (zone totals geometrically, age shape linearly);
    known net inflows after the base year (``settings.known_inflow_per_1000``,
    ``voorzieningen.demand._inflow``) are added; optional ``external_totals`` are then
    reproduced exactly per gemeente and period (:func:`reconcile_totals`).

    Parameters
    ----------
    population
        Persons on 1-1-``base_year`` indexed by (``zone``, ``age_band``); column
        ``population_persons`` and optionally ``female_persons`` (else national female shares).
    base_year
        Year of ``population``.
    periods
        Planning years (1 January), each ``>= base_year``.
    calibration
        Output of :func:`calibrate_rates`, indexed by the gemeente keys of ``zone_gemeente``.
        ``None``: standard rates and no migration (a closed population).
    zone_gemeente
        Zone -> gemeente key; ``None`` makes every zone its own group.
    external_totals
        Optional columns ``gemeente``, ``period``, ``population_persons`` to reconcile to.
    settings
        Scenario and migration schedule; defaults if ``None``.
    rates
        Standard age-specific rates with the same bands as ``population``; packaged
        defaults (:func:`default_rates`) if ``None``.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``zone``, ``period``, ``age_band``); column ``population_persons``
        (float, persons on 1 January of the period).

    Raises
    ------
    ScenarioError
        If no periods are given or a period lies before ``base_year``.
    InputDataError
        For malformed population, rates, calibration or totals.
    """
    settings = settings or DemandSettings()
    rates = default_rates() if rates is None else rates
    wanted = sorted({int(p) for p in periods})
    if not wanted or wanted[0] < base_year:
        msg = f"periods {list(periods)} must be non-empty and all >= base_year {base_year}"
        raise ScenarioError(msg)
    zones, bands, array = _to_arrays(population, rates)
    if zone_gemeente is None:
        groups = zones
    else:
        lookup = pd.Series(zone_gemeente).astype(str)
        missing = [z for z in zones if z not in lookup.index]
        if missing:
            msg = f"zone_gemeente has no gemeente for zones {listing(missing)}"
            raise InputDataError(msg)
        groups = [str(lookup[z]) for z in zones]
    cohort = _cohort_rates(
        array,
        zones,
        bands,
        groups,
        calibration,
        base_year=base_year,
        settings=settings,
        rates=rates,
    )
    projected = project_arrays(
        array, cohort, base_year=base_year, periods=wanted, width=band_width(bands)
    )
    if settings.known_inflow_per_1000:
        extra = inflow_projection(
            array,
            cohort,
            base_year=base_year,
            periods=wanted,
            width=band_width(bands),
            per_1000=settings.known_inflow_per_1000,
        )
        projected = add_inflow(projected, extra)
    stacked = np.stack([projected[p].sum(axis=1) for p in wanted], axis=1)  # (Z, T, B)
    index = pd.MultiIndex.from_product([zones, wanted, bands], names=["zone", "period", "age_band"])
    out = pd.DataFrame({POPULATION: stacked.ravel()}, index=index)
    if external_totals is not None:
        mapping = pd.Series(dict(zip(zones, groups, strict=True)))
        out = reconcile_totals(out, mapping, external_totals)
    return out
