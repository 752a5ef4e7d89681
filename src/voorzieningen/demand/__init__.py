"""
Demand stage: population by zone and age band, its projection, and demand per service.

Public API::

    build_demand(data_dir, zones, *, periods, settings) -> DemandResult
    load_population(path, *, zones=None, source_format="auto") -> DataFrame (zone, age_band)
    project_population(population, *, base_year, periods, ...) -> DataFrame (zone, period, age_band)
    service_demand(population, *, settings=None) -> DataFrame (zone, period, service)

Building blocks: :func:`load_history` (CBS 37259), :func:`map_gemeente_codes`,
:func:`calibrate_rates`, :func:`reconcile_totals`, :func:`service_weights`,
:func:`default_rates`, :func:`gemeente_mergers`, :func:`national_profile`,
:func:`select_half_life` and :func:`half_life_scores` (calibration weights), and
:data:`UKRAINE_2022_2023_PER_1000` (a known inflow for ``known_inflow_per_1000``).
"""

from voorzieningen.demand._bands import AGE_BANDS as AGE_BANDS
from voorzieningen.demand._build import DemandResult as DemandResult
from voorzieningen.demand._build import build_demand as build_demand
from voorzieningen.demand._defaults import default_rates as default_rates
from voorzieningen.demand._defaults import gemeente_mergers as gemeente_mergers
from voorzieningen.demand._history import gemeente_flows as gemeente_flows
from voorzieningen.demand._history import load_history as load_history
from voorzieningen.demand._history import map_gemeente_codes as map_gemeente_codes
from voorzieningen.demand._inflow import UKRAINE_2022_2023_PER_1000 as UKRAINE_2022_2023_PER_1000
from voorzieningen.demand._load import load_population as load_population
from voorzieningen.demand._load import national_profile as national_profile
from voorzieningen.demand._project import calibrate_rates as calibrate_rates
from voorzieningen.demand._project import project_population as project_population
from voorzieningen.demand._project import reconcile_totals as reconcile_totals
from voorzieningen.demand._select import half_life_scores as half_life_scores
from voorzieningen.demand._select import select_half_life as select_half_life
from voorzieningen.demand._services import SERVICES as SERVICES
from voorzieningen.demand._services import UNITS as UNITS
from voorzieningen.demand._services import service_demand as service_demand
from voorzieningen.demand._services import service_weights as service_weights

__all__ = [
    "AGE_BANDS",
    "SERVICES",
    "UKRAINE_2022_2023_PER_1000",
    "UNITS",
    "DemandResult",
    "build_demand",
    "calibrate_rates",
    "default_rates",
    "gemeente_flows",
    "gemeente_mergers",
    "half_life_scores",
    "load_history",
    "load_population",
    "map_gemeente_codes",
    "national_profile",
    "project_population",
    "reconcile_totals",
    "select_half_life",
    "service_demand",
    "service_weights",
]
