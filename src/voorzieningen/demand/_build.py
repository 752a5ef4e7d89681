"""The demand stage end to end: load, calibrate, project, convert to demand per service."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from voorzieningen.demand._history import load_history, map_gemeente_codes
from voorzieningen.demand._load import load_population
from voorzieningen.demand._problems import Problems, listing, warn
from voorzieningen.demand._project import calibrate_rates, project_population
from voorzieningen.demand._services import UNITS, service_demand
from voorzieningen.errors import InputDataError, ScenarioError, VoorzieningenWarning
from voorzieningen.schemas.demand import DemandSettings


@dataclass(frozen=True)
class DemandResult:
    """
    Projected population and demand per service of a region.

    Attributes
    ----------
    population
        Indexed by (``zone``, ``period``, ``age_band``); column ``population_persons``
        (persons on 1 January of the period).
    demand
        Indexed by (``zone``, ``period``, ``service``), services ``school``, ``gp`` and
        ``community_hall``; column ``demand_persons``: pupils, patient equivalents and
        visitor equivalents respectively (see ``units``).
    calibration
        Calibrated rates per gemeente code (see :func:`calibrate_rates`).
    zone_gemeente
        Zone -> gemeente code used for calibration and external totals.
    units
        Meaning of one unit of ``demand_persons`` for each service.
    """

    population: pd.DataFrame
    demand: pd.DataFrame
    calibration: pd.DataFrame = field(default_factory=pd.DataFrame)
    zone_gemeente: pd.Series = field(default_factory=lambda: pd.Series(dtype=str))
    units: Mapping[str, str] = field(default_factory=lambda: dict(UNITS))


def _check_zones(zones: pd.DataFrame) -> list[str]:
    problems = Problems("zones")
    if zones.index.name != "zone":
        problems.add("index", f"index is named {zones.index.name!r}", "name the index 'zone'")
    if "gemeente" not in zones.columns:
        problems.add("gemeente", "column missing", "add the gemeente (municipality) of each zone")
    else:
        empty = zones.index[zones["gemeente"].isna()].tolist()
        if empty:
            problems.add("gemeente", f"empty for zones {listing(empty)}", "fill in the gemeente")
    if zones.index.duplicated().any():
        dup = zones.index[zones.index.duplicated()].tolist()
        problems.add("zone", f"duplicate zones {listing(dup)}", "one row per zone")
    if len(zones) == 0:
        problems.add("zone", "no zones", "give at least one zone")
    problems.raise_if_any()
    return [str(z) for z in zones.index]


def build_demand(
    data_dir: Path | str,
    zones: pd.DataFrame,
    *,
    periods: Sequence[int],
    settings: DemandSettings,
) -> DemandResult:
    """
    Run the demand stage: population -> calibrated cohort projection -> demand per service.

    1. :func:`load_population` of ``settings.population_source`` for the zones;
    2. gemeente names of the zones mapped to CBS codes (:func:`map_gemeente_codes`);
    3. :func:`calibrate_rates` on the CBS 37259 flows of the years before the base year
       (and the age pattern of net migration from ``settings.migration_age_source``);
    4. :func:`project_population` under ``settings.scenario``, reconciled to
       ``settings.external_totals_source`` when given;
    5. :func:`service_demand`.

    Parameters
    ----------
    data_dir
        Directory that ``settings.population_source``, ``history_source`` and
        ``external_totals_source`` are relative to.
    zones
        Indexed by ``zone`` (text, e.g. PC4 ``"2611"``); column ``gemeente`` (name as in the
        CBS PC4 file, or a ``GMxxxx`` code); other columns (``lon``, ``lat``) are ignored.
    periods
        Planning years (1 January), all ``>= settings.base_year``.
    settings
        Demand settings.

    Returns
    -------
    DemandResult
        Population by (zone, period, age band) and demand by (zone, period, service).

    Raises
    ------
    InputDataError
        For any problem in the zones or input files (all problems of a file at once).
    ScenarioError
        For periods before the base year.
    """
    data_dir = Path(data_dir)
    zone_ids = _check_zones(zones)
    if not periods or min(periods) < settings.base_year:
        msg = f"periods {list(periods)} must be non-empty and >= base_year {settings.base_year}"
        raise ScenarioError(msg)
    population = load_population(
        data_dir / settings.population_source,
        zones=zone_ids,
        source_format=settings.population_format,
    )
    history = load_history(data_dir / settings.history_source)
    names = [str(g) for g in zones["gemeente"]]
    codes = map_gemeente_codes(
        names, history, year=settings.base_year, overrides=settings.gemeente_codes
    )
    zone_gemeente = pd.Series([codes[n] for n in names], index=pd.Index(zone_ids, name="zone"))
    earlier = None
    if (
        settings.migration_age_source is not None
        and settings.migration_age_year < settings.base_year
    ):
        earlier_path = data_dir / settings.migration_age_source
        if earlier_path.is_file():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", VoorzieningenWarning)  # unused secret gemeenten
                earlier = load_population(earlier_path)
        else:
            warn(
                f"({earlier_path}) | demand.migration_age_source not found: net migration by "
                "age follows the Rogers-Castro schedule (cities may keep too many families). "
                'Fix: give the file, or migration_age_source = "" to silence this'
            )
    calibration = calibrate_rates(
        population,
        zone_gemeente,
        history,
        base_year=settings.base_year,
        settings=settings,
        earlier=earlier,
    )
    totals = None
    if settings.external_totals_source is not None:
        totals_path = data_dir / settings.external_totals_source
        if not totals_path.is_file():
            msg = f"({totals_path}) | external totals file not found. Fix: check the path."
            raise InputDataError(msg)
        totals = pd.read_csv(totals_path, dtype={"gemeente": str})
        if "gemeente" in totals.columns:
            total_codes = map_gemeente_codes(
                totals["gemeente"].astype(str),
                history,
                year=settings.base_year,
                overrides=settings.gemeente_codes,
            )
            totals = totals.assign(gemeente=totals["gemeente"].astype(str).map(total_codes))
    projected = project_population(
        population,
        base_year=settings.base_year,
        periods=periods,
        calibration=calibration,
        zone_gemeente=zone_gemeente,
        external_totals=totals,
        settings=settings,
    )
    demand = service_demand(projected, settings=settings)
    return DemandResult(
        population=projected,
        demand=demand,
        calibration=calibration,
        zone_gemeente=zone_gemeente,
    )
