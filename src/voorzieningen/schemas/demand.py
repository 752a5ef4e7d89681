"""Demand settings of a scenario: population source, projection and use per service."""

from __future__ import annotations

from voorzieningen.schemas.base import StrictModel


class DemandSettings(StrictModel):
    """Where the population comes from and how it is projected and turned into demand."""

    population_source: str = "cbs/cbs_pc4_inwoners_leeftijd5jr_2021_nl.csv"
    """Population by zone and 5-year age band, relative to the data directory."""

    base_year: int = 2021
    """Year (1 January) of the population in ``population_source``."""
