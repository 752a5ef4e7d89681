"""Column contracts of the tables passed between stages.

Column names carry their unit (``travel_time_min``, ``capex_eur``); they are defined here
once and used everywhere else as constants. The CSV reader that names problems is
:mod:`voorzieningen.csvio` (re-exported here as ``read_csv``, ``file_rows``, ``format_rows``).
"""

from __future__ import annotations

# The CSV reader lives in voorzieningen.csvio; these names stay importable from here.
from voorzieningen.csvio import file_rows, format_rows, read_csv

# Index names
ZONE = "zone"
SITE = "site"
SERVICE = "service"
PERIOD = "period"
AGE_BAND = "age_band"

# Columns
LON = "lon"
LAT = "lat"
GEMEENTE = "gemeente"
NAME = "name"
KIND = "kind"
ALLOWED_SERVICES = "allowed_services"
FLOOR_AREA_M2 = "floor_area_m2"
CAPACITY_PLACES = "capacity_places"
END_OF_LIFE_YEAR = "end_of_life_year"
SALE_VALUE_EUR = "sale_value_eur"
MIN_PLACES = "min_places"
MAX_PLACES = "max_places"
MAX_FLOOR_AREA_M2 = "max_floor_area_m2"
LOCK = "lock"
MANAGED = "managed"
SOURCE = "source"
NOTE = "note"
TRAVEL_TIME_MIN = "travel_time_min"
DISTANCE_KM = "distance_km"
DEMAND_PERSONS = "demand_persons"
POPULATION_PERSONS = "population_persons"
CAPEX_EUR = "capex_eur"

#: Columns of the sites table (index ``site``).
SITE_COLUMNS: tuple[str, ...] = (
    NAME,
    KIND,
    SERVICE,
    ALLOWED_SERVICES,
    LON,
    LAT,
    FLOOR_AREA_M2,
    CAPACITY_PLACES,
    END_OF_LIFE_YEAR,
    SALE_VALUE_EUR,
    MIN_PLACES,
    MAX_PLACES,
    MAX_FLOOR_AREA_M2,
    LOCK,
    GEMEENTE,
    MANAGED,
    SOURCE,
    NOTE,
)

#: Columns of the zones table (index ``zone``).
ZONE_COLUMNS: tuple[str, ...] = (GEMEENTE, LON, LAT)


__all__ = ["file_rows", "format_rows", "read_csv"]
