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

# Columns of the results tables (results/<region>/<scenario>/*.csv)
ACTION = "action"
OPTION = "option"
SERVICES = "services"
CLOSED_PERIOD = "closed_period"
SERVICES_AFTER = "services_after"
CAPACITY_AFTER_PLACES = "capacity_after_places"
NEW_AREA_M2 = "new_area_m2"
IN_USE = "in_use"
PERSONS = "persons"
PROCEEDS_EUR = "proceeds_eur"
OPEX_EUR_PER_YEAR = "opex_eur_per_year"
DISCOUNT_FACTOR = "discount_factor"
SERVED_PERSONS = "served_persons"
UNMET_PERSONS = "unmet_persons"
USED_PLACES = "used_places"
TRAVEL_TIME_BEFORE_MIN = "travel_time_before_min"
TRAVEL_TIME_AFTER_MIN = "travel_time_after_min"
MODE = "mode"

# Columns of summary.csv (one row) and of the Pareto table
SCENARIO = "scenario"
OBJECTIVE = "objective"
OBJECTIVE_VALUE = "objective_value"
BOUND = "bound"
GAP = "gap"
STATUS = "status"
TERMINATION = "termination"
SOLVER = "solver"
BUILD_S = "build_s"
SOLVE_S = "solve_s"
CAPEX_TOTAL_EUR = "capex_total_eur"
PROCEEDS_TOTAL_EUR = "proceeds_total_eur"
NPV_COST_EUR = "npv_cost_eur"
ACCESS_PERSON_MIN = "access_person_min"
MEAN_TRAVEL_TIME_MIN = "mean_travel_time_min"
SITES_CLOSED = "sites_closed"
PROJECTS_STARTED = "projects_started"
NET_SPEND_EUR = "net_spend_eur"
CAPEX_LIMIT_EUR = "capex_limit_eur"
NET_SPEND_LIMIT_EUR = "net_spend_limit_eur"
TRAVEL_TIME_SOURCE = "travel_time_source"
#: Per-service summary columns are these prefixes + the service's unit or name
#: (``served_pupils``, ``unmet_patients``, ``mean_time_all_min_school``); see
#: :mod:`voorzieningen.kpis`.
SERVED_PREFIX = "served_"
UNMET_PREFIX = "unmet_"
MEAN_TIME_ALL_PREFIX = "mean_time_all_min_"
MEAN_TIME_SERVED_PREFIX = "mean_time_served_min_"
BUDGET_EUR = "budget_eur"
SPEND_EUR = "spend_eur"
WARM_START = "warm_start"

# Columns of robust.csv (one row per plan and population variant; models/robust.md)
PLAN = "plan"
VARIANT = "variant"
VARIANT_WEIGHT = "variant_weight"
BEST_OBJECTIVE_VALUE = "best_objective_value"
REGRET = "regret"
EXPECTED_OBJECTIVE_VALUE = "expected_objective_value"
MAX_REGRET = "max_regret"
FIRST_PERIOD_DECISIONS = "first_period_decisions"
#: The value of ``plan`` for the robust plan (else the variant the plan was made for).
ROBUST_PLAN = "robust"

# Columns of kpis.csv (per service and period; each service in its own unit)
DEMAND = "demand"
SERVED = "served"
UNMET = "unmet"
SHARE_SERVED = "share_served"
SHARE_WITHIN_NORM = "share_within_norm"
NORM_MIN = "norm_min"
MEAN_TIME_SERVED_MIN = "mean_time_served_min"
MEAN_TIME_ALL_MIN = "mean_time_all_min"
UNMET_PENALTY_MIN = "unmet_penalty_min"

# Columns of the per-resident travel-time table (travel times from each resident point)
POINT = "point"
WEIGHT = "weight"

# Columns of the negotiation tables (winners_losers*.csv, cost_per_year.csv)
CHANGE_MIN = "change_min"
PERSON_MIN_CHANGE = "person_min_change"
OUTCOME = "outcome"
YEAR = "year"
PARTY = "party"

# Columns of the comparison tables (kpis.csv, changed_decisions.csv, zone_changes.csv)
KPI = "kpi"
RUN_A = "a"
RUN_B = "b"
UNIT = "unit"
DIFFERENCE = "difference"
CAPEX_DIFFERENCE_EUR = "capex_difference_eur"
TRAVEL_TIME_DIFFERENCE_MIN = "travel_time_difference_min"
CHANGED = "changed"

# Columns of alternatives.csv (near-optimal alternatives of a run; one row per plan)
ALTERNATIVE = "alternative"
KEPT = "kept"
SEARCH_STATUS = "search_status"
DELTA_OBJECTIVE_VALUE = "delta_objective_value"
DELTA_OBJECTIVE_PCT = "delta_objective_pct"
DISTANCE_TO_OPTIMUM = "distance_to_optimum"
DISTANCE_TO_NEAREST = "distance_to_nearest"
SITES_CHANGED = "sites_changed"
DECISIONS_CHANGED = "decisions_changed"

#: Service names in Dutch and English, for action lists and map legends. A community hall is a
#: "gemeenschapshuis": the neutral word for a dorpshuis (village) and a wijkcentrum (town).
SERVICE_NL = {
    "school": "basisschool",
    "gp": "huisartsenpraktijk",
    "community_hall": "gemeenschapshuis",
}
SERVICE_EN = {"school": "primary school", "gp": "GP practice", "community_hall": "community hall"}

#: Unit of demand of each service (pupils, GP patient equivalents, visitor equivalents):
#: the ``unit`` column of kpis.csv and the suffix of summary.csv's per-service columns.
SERVICE_UNIT = {"school": "pupils", "gp": "patients", "community_hall": "visitor_equivalents"}


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
