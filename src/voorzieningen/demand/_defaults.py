"""Packaged default tables of the demand stage (``voorzieningen/defaults/demand_*.csv``)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import pandas as pd

from voorzieningen.demand._bands import band_problems

#: Columns of an age-rates table, all per age band (index ``age_band``).
RATE_COLUMNS: tuple[str, ...] = (
    "mortality_male_per_year",
    "mortality_female_per_year",
    "fertility_per_woman_year",
    "gp_contacts_per_person_year",
    "national_persons_2021",
    "national_female_persons_2021",
)


def _read_packaged(name: str) -> pd.DataFrame:
    resource = files("voorzieningen") / "defaults" / name
    with resource.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, comment="#")


@cache
def _default_rates() -> pd.DataFrame:
    table = _read_packaged("demand_rates_nl.csv").set_index("age_band")
    problems = band_problems(list(table.index))
    if problems or list(table.columns) != list(RATE_COLUMNS):  # pragma: no cover - packaging
        msg = f"packaged demand_rates_nl.csv is damaged: {problems}"
        raise RuntimeError(msg)
    return table.astype("float64")


def default_rates() -> pd.DataFrame:
    """
    Return the packaged default age-specific rates (a copy).

    The values and their sources are documented in the header of
    ``voorzieningen/defaults/demand_rates_nl.csv``: mortality (CBS 37360 basis) and fertility
    (CBS 37201/37422 basis) are typed from knowledge and unverified, GP contact rates (NIVEL
    Zorgregistraties basis) likewise; the national population 1-1-2021 is real CBS data.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``age_band`` (the 20 CBS five-year bands); columns
        ``mortality_male_per_year`` and ``mortality_female_per_year`` (deaths per person-year),
        ``fertility_per_woman_year`` (live births per woman per year),
        ``gp_contacts_per_person_year`` (GP-practice contacts per person per year),
        ``national_persons_2021`` and ``national_female_persons_2021`` (persons on 1-1-2021).
    """
    return _default_rates().copy()


@cache
def _mergers() -> pd.DataFrame:
    table = _read_packaged("demand_gemeente_mergers.csv")
    return table.astype({"year": "int64", "fraction": "float64"})


def gemeente_mergers() -> pd.DataFrame:
    """
    Return the packaged table of municipal mergers that created a new gemeente code.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (1 January the new code first exists), ``new_code``, ``new_name``,
        ``old_code``, ``old_name`` and ``fraction`` (share of the old gemeente's population
        that went to the new one, 0-1).
    """
    return _mergers().copy()
