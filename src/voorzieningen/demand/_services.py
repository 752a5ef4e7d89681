"""Demand per service from population by age band."""

from __future__ import annotations

import numpy as np
import pandas as pd

from voorzieningen.demand._bands import parse_band
from voorzieningen.demand._defaults import default_rates
from voorzieningen.demand._load import POPULATION
from voorzieningen.demand._problems import listing
from voorzieningen.errors import InputDataError
from voorzieningen.schemas.demand import DemandSettings

DEMAND = "demand_persons"
SERVICES: tuple[str, ...] = ("school", "gp", "community_hall")

#: What one unit of ``demand_persons`` means for each service.
UNITS: dict[str, str] = {
    "school": "pupils: children aged 4-11 times participation in regular primary schools",
    "gp": (
        "patient equivalents: persons weighted by GP-practice contacts per year at their age, "
        "relative to the national average person of 1-1-2021 (weight 1), comparable to a "
        "practice list size"
    ),
    "community_hall": (
        "visitor equivalents: persons weighted by expected community-hall use; 1 = one person "
        "visiting 12 times a year (Geroscoop meeting-point frequency for elderly)"
    ),
}


def service_weights(
    bands: list[str],
    *,
    settings: DemandSettings | None = None,
    rates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """
    Return the demand weight of one person in each age band, per service.

    * ``school``: share of the band aged 4-11 (``settings.school_band_fractions``) times
      ``settings.school_participation`` (pupils per person).
    * ``gp``: GP-practice contacts per year at that age (NIVEL-based default table) divided
      by the national mean contacts per person on 1-1-2021 (patient equivalents per person).
    * ``community_hall``: ``hall_weight_under_65``, ``hall_weight_65_74`` or
      ``hall_weight_75_plus`` by the band's lower age (visitor equivalents per person).

    Parameters
    ----------
    bands
        Age-band labels.
    settings
        Demand settings; defaults if ``None``.
    rates
        Rate table with ``gp_contacts_per_person_year`` and ``national_persons_2021`` for
        these bands; packaged defaults if ``None``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``age_band``; one column per service (demand units per person).

    Raises
    ------
    InputDataError
        If a band needed by the school fractions or the GP rates is absent.
    """
    settings = settings or DemandSettings()
    rates = default_rates() if rates is None else rates
    unknown = [b for b in settings.school_band_fractions if b not in bands]
    missing_gp = [b for b in bands if b not in rates.index]
    if unknown or missing_gp:
        msg = (
            f"age bands do not fit the demand settings: school_band_fractions name "
            f"{listing(unknown) or 'no unknown band'}; GP rates lack {listing(missing_gp) or 'none'}. "
            "Fix: use the CBS five-year bands or adapt demand.school_band_fractions / rates."
        )
        raise InputDataError(msg)
    school = np.array([settings.school_band_fractions.get(b, 0.0) for b in bands])
    contacts = rates.loc[bands, "gp_contacts_per_person_year"].to_numpy(dtype=np.float64)
    national = rates.loc[bands, "national_persons_2021"].to_numpy(dtype=np.float64)
    mean_contacts = float(np.sum(contacts * national) / np.sum(national))
    lower = np.array([parse_band(b)[0] for b in bands])
    hall = np.where(
        lower >= 75,
        settings.hall_weight_75_plus,
        np.where(lower >= 65, settings.hall_weight_65_74, settings.hall_weight_under_65),
    )
    return pd.DataFrame(
        {
            "school": school * settings.school_participation,
            "gp": contacts / mean_contacts,
            "community_hall": hall,
        },
        index=pd.Index(bands, name="age_band"),
    )


def service_demand(
    population: pd.DataFrame,
    *,
    settings: DemandSettings | None = None,
    rates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """
    Turn population by age band into demand per service.

    Parameters
    ----------
    population
        Persons indexed by (``zone``, ``period``, ``age_band``), column
        ``population_persons`` (e.g. from :func:`project_population`).
    settings
        Demand settings (school split and participation, community-hall weights).
    rates
        Rate table for the GP weights; packaged defaults if ``None``.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``zone``, ``period``, ``service``) with services ``school``, ``gp``,
        ``community_hall``; column ``demand_persons`` (float): pupils for ``school``, patient
        equivalents for ``gp``, visitor equivalents for ``community_hall`` (see
        :data:`UNITS` and :func:`service_weights`).

    Raises
    ------
    InputDataError
        If the table is not indexed as described or its bands do not fit the settings.
    """
    names = list(population.index.names)
    if names != ["zone", "period", "age_band"] or POPULATION not in population.columns:
        msg = (
            f"population must be indexed by (zone, period, age_band) with column {POPULATION!r}; "
            f"got index {names} and columns {list(population.columns)}"
        )
        raise InputDataError(msg)
    wide = population[POPULATION].unstack("age_band")
    bands = [str(b) for b in dict.fromkeys(population.index.get_level_values("age_band"))]
    wide = wide[bands]
    if wide.isna().any().any():
        msg = "population lacks some age bands for some zone-periods; give every band"
        raise InputDataError(msg)
    weights = service_weights(bands, settings=settings, rates=rates)
    demand = wide.to_numpy(dtype=np.float64) @ weights[list(SERVICES)].to_numpy()
    n_services = len(SERVICES)
    index = pd.MultiIndex.from_arrays(
        [
            np.repeat(wide.index.get_level_values("zone").to_numpy(), n_services),
            np.repeat(wide.index.get_level_values("period").to_numpy(), n_services),
            np.tile(np.asarray(SERVICES, dtype=object), len(wide)),
        ],
        names=["zone", "period", "service"],
    )
    return pd.DataFrame({DEMAND: demand.ravel()}, index=index)
