"""Language and precision of the CSV tables a run writes, and their way back.

A run's tables are computed with English column names and English category values
(``action = "convert"``, ``service = "community_hall"``) at full floating-point precision.
:func:`to_output` prepares such a table for a reader: it rounds every numeric column to a
meaningful precision (persons, places and euros whole; minutes one decimal; shares as a
percentage with one decimal), replaces text that packs numbers (``capacity_after_places =
"school=296"``) by one numeric column per service, each in its own unit, and, for
``language="nl"``, gives Dutch column names and Dutch category values.
:func:`from_output` undoes the renaming and the translation, so that
:func:`voorzieningen.report.read_run` reads a folder back in either language.

The language is independent of the CSV dialect (``,`` or Dutch Excel's ``;`` with decimal
commas): this module never writes files.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Literal, get_args

import numpy as np
import pandas as pd

from voorzieningen import tables as T

#: Language of a report: ``"nl"`` (Dutch) or ``"en"`` (English).
Language = Literal["nl", "en"]
LANGUAGES: tuple[str, ...] = get_args(Language)

# --------------------------------------------------------------------------------------
# Services and their units

#: The unit each service is counted in (one person served is one unit).
SERVICE_UNIT: dict[str, str] = {"school": "pupils", "gp": "patients", "community_hall": "visitors"}
#: Units in Dutch.
UNIT_NL: dict[str, str] = {
    "pupils": "leerlingen",
    "patients": "patiënten",
    "visitors": "bezoekers",
    "persons": "personen",
    "EUR": "EUR",
    "min": "min",
    "count": "aantal",
    "fraction": "fractie",
    "percent": "procent",
}

#: Column prefix of the per-service capacity after the plan (``capacity_after_pupils``).
CAPACITY_AFTER = "capacity_after_"


def capacity_after_column(service: str) -> str:
    """
    Return the column of a service's capacity after the plan, named for its unit.

    Parameters
    ----------
    service
        ``school``, ``gp`` or ``community_hall``.

    Returns
    -------
    str
        ``capacity_after_pupils``, ``capacity_after_patients`` or
        ``capacity_after_visitors`` (``capacity_after_<service>_places`` for another
        service).
    """
    unit = SERVICE_UNIT.get(service)
    return f"{CAPACITY_AFTER}{unit}" if unit else f"{CAPACITY_AFTER}{service}_places"


#: The capacity-after columns of the three services, in service order.
CAPACITY_AFTER_COLUMNS: tuple[str, ...] = tuple(capacity_after_column(s) for s in SERVICE_UNIT)


def split_capacity_after(decisions: pd.DataFrame) -> pd.DataFrame:
    """
    Replace the text column ``capacity_after_places`` by one numeric column per service.

    ``"gp=400;school=100"`` becomes ``capacity_after_patients = 400`` and
    ``capacity_after_pupils = 100``; a service a building does not host after the plan
    has 0. Tables without the text column are returned unchanged.

    Parameters
    ----------
    decisions
        The decisions table.

    Returns
    -------
    pandas.DataFrame
        A copy with ``capacity_after_pupils``, ``capacity_after_patients`` and
        ``capacity_after_visitors`` (places, each in its service's unit) where
        ``capacity_after_places`` was.

    Raises
    ------
    ValueError
        If a cell is not of the form ``service=number`` (``;``-separated).
    """
    if T.CAPACITY_AFTER_PLACES not in decisions.columns:
        return decisions
    parsed: list[dict[str, float]] = []
    for cell in decisions[T.CAPACITY_AFTER_PLACES]:
        entry: dict[str, float] = {}
        text = "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) else str(cell)
        for part in (p.strip() for p in text.split(";")):
            if not part:
                continue
            service, sep, number = part.partition("=")
            try:
                value = float(number)
            except ValueError:
                value = float("nan")
            if not sep or not math.isfinite(value):
                msg = (
                    f"(decisions, {T.CAPACITY_AFTER_PLACES}) | cannot read {part!r}; expected "
                    "'service=places' separated by ';'."
                )
                raise ValueError(msg)
            entry[service.strip()] = entry.get(service.strip(), 0.0) + value
        parsed.append(entry)
    services = list(SERVICE_UNIT) + sorted({s for e in parsed for s in e} - set(SERVICE_UNIT))
    out = decisions.copy()
    at = list(out.columns).index(T.CAPACITY_AFTER_PLACES)
    out = out.drop(columns=T.CAPACITY_AFTER_PLACES)
    for k, service in enumerate(services):
        values = [e.get(service, 0.0) for e in parsed]
        out.insert(at + k, capacity_after_column(service), values)
    return out


def with_units(capacity: pd.DataFrame) -> pd.DataFrame:
    """
    Add a ``unit`` column (pupils, patients, visitors) after ``service`` in a long table.

    Parameters
    ----------
    capacity
        A table with a ``service`` column and counts in places (e.g. ``capacity.csv``).

    Returns
    -------
    pandas.DataFrame
        A copy with ``unit``; unchanged if it has no ``service`` column or has ``unit``.
    """
    if T.SERVICE not in capacity.columns or T.UNIT in capacity.columns:
        return capacity
    out = capacity.copy()
    at = list(out.columns).index(T.SERVICE) + 1
    out.insert(at, T.UNIT, out[T.SERVICE].map(lambda s: SERVICE_UNIT.get(str(s), "places")))
    return out


# --------------------------------------------------------------------------------------
# Precision

#: Decimals per column-name ending (the first that matches wins); ``None``: a share
#: written as a percentage with one decimal in a column renamed ``<name>_pct``.
_ENDINGS: tuple[tuple[str, int], ...] = (
    ("_eur_per_year", 0),
    ("_person_min", 0),
    ("person_min_change", 0),
    ("_persons", 0),
    ("_places", 0),
    ("_pupils", 0),
    ("_patients", 0),
    ("_visitors", 0),
    ("_visitor_equivalents", 0),
    ("_eur", 0),
    ("_m2", 0),
    ("_year", 0),
    ("_pct", 1),
    ("_min", 1),
    ("_km", 2),
    ("_s", 1),
)
#: Decimals of particular columns.
_EXACT: dict[str, int] = {
    T.PERSONS: 0,
    T.DEMAND: 0,
    T.SERVED: 0,
    T.UNMET: 0,
    T.OBJECTIVE_VALUE: 0,
    T.DELTA_OBJECTIVE_VALUE: 0,
    T.BEST_OBJECTIVE_VALUE: 0,
    T.REGRET: 0,
    T.EXPECTED_OBJECTIVE_VALUE: 0,
    T.MAX_REGRET: 0,
    T.VARIANT_WEIGHT: 4,
    T.BOUND: 0,
    T.YEAR: 0,
    T.PERIOD: 0,
    T.LON: 6,
    T.LAT: 6,
    "snap_lon": 6,
    "snap_lat": 6,
    T.DISCOUNT_FACTOR: 4,
}
#: Columns holding a share (a fraction of 1), written as a percentage.
SHARE_COLUMNS: frozenset[str] = frozenset({T.GAP, T.SHARE_SERVED, T.SHARE_WITHIN_NORM})
#: Suffix of a share written as a percentage.
PCT = "_pct"
#: Decimals of a numeric column not covered above.
DEFAULT_DECIMALS = 3
#: Decimals of the values of a long table, per ``unit`` (compare's kpis).
_UNIT_DECIMALS: dict[str, int] = {
    "EUR": 0,
    "persons": 0,
    "count": 0,
    "pupils": 0,
    "patients": 0,
    "visitors": 0,
    "min": 1,
    "fraction": 3,
}


def decimals(column: str) -> int:
    """
    Return how many decimals a numeric column is written with.

    Parameters
    ----------
    column
        English column name (``capex_eur``, ``travel_time_after_min``, ...); a comparison
        column ``<name>_a`` / ``<name>_b`` counts as ``<name>``.

    Returns
    -------
    int
        0 for persons, places, euros, m², person-minutes and years; 1 for minutes,
        seconds and percentages; 2 for kilometres; 6 for degrees; 4 for discount factors;
        :data:`DEFAULT_DECIMALS` otherwise.
    """
    base = _strip_run_suffix(column)
    if base in _EXACT:
        return _EXACT[base]
    for ending, places in _ENDINGS:
        if base.endswith(ending):
            return places
    return DEFAULT_DECIMALS


def _strip_run_suffix(column: str) -> str:
    for suffix in ("_a", "_b"):
        if column.endswith(suffix) and len(column) > 2:
            return column[: -len(suffix)]
    return column


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _is_integer(series: pd.Series) -> bool:
    return pd.api.types.is_integer_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _half_away(values: np.ndarray, places: int) -> np.ndarray:
    """Round half away from zero (3.25 -> 3.3, -0.05 -> -0.1), as Excel and people do."""
    factor = 10.0**places
    scaled = np.abs(values) * factor
    # 1e-9 absorbs binary representation error (2.675 is stored as 2.67499999...).
    rounded = np.sign(values) * np.floor(scaled + 0.5 + 1e-9 * np.maximum(scaled, 1.0)) / factor
    return np.asarray(rounded, dtype=float)


def _round(series: pd.Series, places: int) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce").astype(float).to_numpy()
    values = np.where(np.isfinite(values), values, np.nan)
    rounded = pd.Series(_half_away(values, places) + 0.0, index=series.index)  # no -0.0
    if places == 0:
        return rounded.astype("Int64")
    return rounded


def round_table(frame: pd.DataFrame) -> pd.DataFrame:
    """
    Round every numeric column to its meaningful precision (see :func:`decimals`).

    Numbers are rounded half away from zero (3.25 -> 3.3). Shares
    (:data:`SHARE_COLUMNS`) become percentages with one decimal in a column renamed
    ``<name>_pct``; whole numbers become nullable integers (no ``.0``, empty when
    missing); ``-0`` becomes ``0``. Where a table has demand, served and unmet persons
    that add up, unmet is written as rounded demand minus rounded served, so that the
    written columns add up as well. In a long table with a ``unit`` column, the columns
    ``a``, ``b`` and ``difference`` are rounded per row by that unit. Text columns are
    unchanged.

    Parameters
    ----------
    frame
        A table with English column names.

    Returns
    -------
    pandas.DataFrame
        A rounded copy.
    """
    out = frame.copy()
    renames: dict[str, str] = {}
    for col in out.columns:
        name = str(col)
        series = out[col]
        if not _is_numeric(series):
            continue
        if _is_integer(series):
            continue
        if _strip_run_suffix(name) in SHARE_COLUMNS:
            out[col] = _round(series * 100.0, 1)
            renames[name] = _share_name(name)
            continue
        out[col] = _round(series, decimals(name))
    if {T.DEMAND_PERSONS, T.SERVED_PERSONS, T.UNMET_PERSONS} <= set(out.columns):
        # Served + unmet = demand in whole persons too: unmet is rounded demand minus
        # rounded served (served <= demand, so it is never negative).
        exact = frame[T.SERVED_PERSONS] + frame[T.UNMET_PERSONS] - frame[T.DEMAND_PERSONS]
        adds_up = pd.to_numeric(exact, errors="coerce").abs() < 1e-6
        consistent = out[T.DEMAND_PERSONS] - out[T.SERVED_PERSONS]
        out[T.UNMET_PERSONS] = out[T.UNMET_PERSONS].where(~adds_up, consistent)
    if T.UNIT in out.columns:
        for col in (T.RUN_A, T.RUN_B, T.DIFFERENCE):
            if col in out.columns and not _is_numeric(out[col]):
                cells = [
                    _round_cell(v, _UNIT_DECIMALS.get(str(u), DEFAULT_DECIMALS))
                    for v, u in zip(out[col], out[T.UNIT], strict=True)
                ]
                out[col] = pd.Series(cells, index=out.index, dtype=object)
    return out.rename(columns=renames)


def _share_name(column: str) -> str:
    base = _strip_run_suffix(column)
    return base + PCT + column[len(base) :]


def _round_cell(value: object, places: int) -> object:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        return value
    number = float(value)
    if not math.isfinite(number):
        return number
    rounded = float(_half_away(np.array([number]), places)[0]) + 0.0
    return int(rounded) if places == 0 else rounded


# --------------------------------------------------------------------------------------
# Dutch column names and category values

#: Dutch column names (English name -> Dutch name).
COLUMNS_NL: dict[str, str] = {
    T.ZONE: "zone",
    T.SITE: "locatie",
    T.SERVICE: "voorziening",
    T.PERIOD: "periode",
    T.AGE_BAND: "leeftijdsgroep",
    T.LON: "lengtegraad",
    T.LAT: "breedtegraad",
    T.GEMEENTE: "gemeente",
    T.NAME: "naam",
    T.KIND: "soort",
    T.ALLOWED_SERVICES: "toegestane_voorzieningen",
    T.FLOOR_AREA_M2: "vloeroppervlak_m2",
    T.CAPACITY_PLACES: "capaciteit_plaatsen",
    T.END_OF_LIFE_YEAR: "einde_levensduur_jaar",
    T.SALE_VALUE_EUR: "verkoopwaarde_eur",
    T.MIN_PLACES: "min_plaatsen",
    T.MAX_PLACES: "max_plaatsen",
    T.MAX_FLOOR_AREA_M2: "max_vloeroppervlak_m2",
    T.LOCK: "vastgelegd",
    T.MANAGED: "in_beheer",
    T.SOURCE: "bron",
    T.NOTE: "opmerking",
    T.TRAVEL_TIME_MIN: "reistijd_min",
    T.DISTANCE_KM: "afstand_km",
    T.DEMAND_PERSONS: "vraag_personen",
    T.POPULATION_PERSONS: "inwoners_personen",
    T.CAPEX_EUR: "investering_eur",
    T.ACTION: "actie",
    T.OPTION: "optie",
    T.SERVICES: "voorzieningen",
    T.CLOSED_PERIOD: "sluitingsperiode",
    T.SERVICES_AFTER: "voorzieningen_na",
    T.CAPACITY_AFTER_PLACES: "capaciteit_na_plaatsen",
    "capacity_after_pupils": "capaciteit_na_leerlingen",
    "capacity_after_patients": "capaciteit_na_patiënten",
    "capacity_after_visitors": "capaciteit_na_bezoekers",
    T.NEW_AREA_M2: "nieuw_oppervlak_m2",
    T.IN_USE: "in_gebruik",
    T.PERSONS: "personen",
    T.PROCEEDS_EUR: "opbrengst_eur",
    T.OPEX_EUR_PER_YEAR: "exploitatie_eur_per_jaar",
    T.DISCOUNT_FACTOR: "disconteringsfactor",
    T.SERVED_PERSONS: "bediend_personen",
    T.UNMET_PERSONS: "onbediend_personen",
    T.USED_PLACES: "gebruikte_plaatsen",
    T.TRAVEL_TIME_BEFORE_MIN: "reistijd_voor_min",
    T.TRAVEL_TIME_AFTER_MIN: "reistijd_na_min",
    T.MODE: "vervoerwijze",
    T.SCENARIO: "scenario",
    T.OBJECTIVE: "doel",
    T.OBJECTIVE_VALUE: "doelwaarde",
    T.BOUND: "ondergrens",
    T.GAP + PCT: "optimaliteitsmarge_pct",
    T.STATUS: "status",
    T.TERMINATION: "beëindiging",
    T.SOLVER: "solver",
    T.BUILD_S: "opbouwtijd_s",
    T.SOLVE_S: "rekentijd_s",
    T.CAPEX_TOTAL_EUR: "investering_totaal_eur",
    T.PROCEEDS_TOTAL_EUR: "opbrengst_totaal_eur",
    T.NPV_COST_EUR: "contante_waarde_kosten_eur",
    T.ACCESS_PERSON_MIN: "reistijd_totaal_persoon_min",
    T.MEAN_TRAVEL_TIME_MIN: "gemiddelde_reistijd_min",
    T.SITES_CLOSED: "locaties_gesloten",
    T.PROJECTS_STARTED: "projecten_gestart",
    T.BUDGET_EUR: "budget_eur",
    T.SPEND_EUR: "uitgaven_eur",
    T.WARM_START: "warme_start",
    T.PLAN: "plan",
    T.VARIANT: "bevolkingsvariant",
    T.VARIANT_WEIGHT: "gewicht_variant",
    T.BEST_OBJECTIVE_VALUE: "beste_doelwaarde",
    T.REGRET: "spijt",
    T.EXPECTED_OBJECTIVE_VALUE: "verwachte_doelwaarde",
    T.MAX_REGRET: "grootste_spijt",
    T.FIRST_PERIOD_DECISIONS: "besluiten_eerste_periode",
    T.CHANGE_MIN: "verandering_min",
    T.PERSON_MIN_CHANGE: "verandering_persoon_min",
    T.OUTCOME: "uitkomst",
    T.YEAR: "jaar",
    T.PARTY: "partij",
    T.KPI: "kengetal",
    T.RUN_A: "a",
    T.RUN_B: "b",
    T.UNIT: "eenheid",
    T.DIFFERENCE: "verschil",
    T.CAPEX_DIFFERENCE_EUR: "investering_verschil_eur",
    T.TRAVEL_TIME_DIFFERENCE_MIN: "reistijd_verschil_min",
    T.CHANGED: "gewijzigd",
    T.ALTERNATIVE: "alternatief",
    T.KEPT: "openhouden",
    T.SEARCH_STATUS: "status_zoeken",
    T.DELTA_OBJECTIVE_VALUE: "doelwaarde_verschil",
    T.DELTA_OBJECTIVE_PCT: "doelwaarde_verschil_pct",
    T.DISTANCE_TO_OPTIMUM: "afstand_tot_optimum",
    T.DISTANCE_TO_NEAREST: "afstand_tot_dichtstbijzijnde",
    T.SITES_CHANGED: "locaties_gewijzigd",
    T.DECISIONS_CHANGED: "gewijzigde_besluiten",
    "point_kind": "soort_punt",
    "id": "id",
    "issue": "probleem",
    "detail": "toelichting",
    "snap_lon": "aansluiting_lengtegraad",
    "snap_lat": "aansluiting_breedtegraad",
}

#: Dutch names of kpis.csv and the per-service summary columns (``served_pupils``, ...).
_UNITS_NL = {"pupils": "leerlingen", "patients": "patienten", "visitor_equivalents": "bezoekers"}
_SERVICES_NL = {"school": "basisschool", "gp": "huisarts", "community_hall": "gemeenschapshuis"}
COLUMNS_NL.update(
    {
        T.DEMAND: "vraag",
        T.SERVED: "bediend",
        T.UNMET: "onvervuld",
        T.SHARE_SERVED + PCT: "aandeel_bediend_pct",
        T.SHARE_WITHIN_NORM + PCT: "aandeel_binnen_norm_pct",
        T.NORM_MIN: "norm_min",
        T.MEAN_TIME_SERVED_MIN: "gem_reistijd_bediend_min",
        T.MEAN_TIME_ALL_MIN: "gem_reistijd_iedereen_min",
        T.UNMET_PENALTY_MIN: "strafminuten_onvervuld_min",
        T.NET_SPEND_EUR: "netto_uitgaven_eur",
        T.CAPEX_LIMIT_EUR: "investeringslimiet_eur",
        T.NET_SPEND_LIMIT_EUR: "netto_uitgavenlimiet_eur",
        T.TRAVEL_TIME_SOURCE: "bron_reistijden",
        **{T.SERVED_PREFIX + u: "bediend_" + nl for u, nl in _UNITS_NL.items()},
        **{T.UNMET_PREFIX + u: "onvervuld_" + nl for u, nl in _UNITS_NL.items()},
        **{
            T.MEAN_TIME_ALL_PREFIX + s: "gem_reistijd_iedereen_min_" + nl
            for s, nl in _SERVICES_NL.items()
        },
        **{
            T.MEAN_TIME_SERVED_PREFIX + s: "gem_reistijd_bediend_min_" + nl
            for s, nl in _SERVICES_NL.items()
        },
    }
)

#: Dutch service names as category values in tables.
SERVICE_VALUES_NL: dict[str, str] = {
    "school": "basisschool",
    "gp": "huisartsenpraktijk",
    "community_hall": "gemeenschapshuis",
}
#: Dutch actions (``convert``: the services after the plan say into what).
ACTION_VALUES_NL: dict[str, str] = {
    "keep": "behouden",
    "renovate": "renoveren",
    "convert": "ombouwen",
    "mfa": "ombouwen tot mfa",
    "close": "sluiten",
    "new": "nieuwbouw",
    "not_built": "niet gebouwd",
    "absent": "niet aanwezig",
}
#: Dutch outcomes of the winners-and-losers tables.
OUTCOME_VALUES_NL: dict[str, str] = {
    "winner": "winnaar",
    "loser": "verliezer",
    "unchanged": "gelijk",
    "lost_access": "verliest toegang",
    "gained_access": "krijgt toegang",
    "no_access": "geen toegang",
    "no_demand": "geen vraag",
}
#: Dutch values of other category columns, per column.
_OTHER_VALUES_NL: dict[str, dict[str, str]] = {
    T.KIND: {"existing": "bestaand", "candidate": "kandidaat"},
    T.PARTY: {"corporation": "corporatie", "gemeente": "gemeente"},
    T.MODE: {"car": "auto", "bicycle": "fiets", "ebike": "e-bike", "walk": "lopen"},
    T.OBJECTIVE: {"access": "bereikbaarheid", "cost": "kosten"},
    T.STATUS: {
        "optimal": "optimaal",
        "time_limit_feasible": "tijdslimiet, beste plan",
        "interrupted_feasible": "onderbroken, beste plan",
        "feasible": "toegestaan plan",
    },
    T.TERMINATION: {"optimal": "optimaal"},
    T.UNIT: UNIT_NL,
    "point_kind": {"zone": "zone", "site": "locatie"},
    T.PLAN: {T.ROBUST_PLAN: "robuust"},
}
#: Columns whose values are services joined by ``+`` or ``;``.
_SERVICE_COLUMNS = frozenset({T.SERVICE, T.SERVICES, T.SERVICES_AFTER, T.ALLOWED_SERVICES})
#: Boolean columns, written ``ja`` / ``nee`` in Dutch.
_BOOL_NL = {True: "ja", False: "nee"}


def _value_map(column: str) -> dict[str, str] | None:
    base = _strip_run_suffix(column)
    if base in (T.ACTION,):
        return ACTION_VALUES_NL
    if base == T.OUTCOME:
        return OUTCOME_VALUES_NL
    if base == T.KPI:
        return _KPI_NL
    return _OTHER_VALUES_NL.get(base)


def _translate_services(text: str, names: Mapping[str, str]) -> str:
    for sep in ("+", ";"):
        if sep in text:
            return sep.join(names.get(part, part) for part in text.split(sep))
    return names.get(text, text)


def _translate_option(text: str, actions: Mapping[str, str], services: Mapping[str, str]) -> str:
    action, sep, rest = text.partition(":")
    head = actions.get(action, action)
    if not sep:
        return head
    return f"{head}:{_translate_services(rest, services)}"


def _inverse(mapping: Mapping[str, str]) -> dict[str, str]:
    return {v: k for k, v in mapping.items()}


def _map_text(series: pd.Series, func: Callable[[str], str]) -> pd.Series:
    return series.map(lambda v: func(v) if isinstance(v, str) else v)


def _lookup(mapping: Mapping[str, str]) -> Callable[[str], str]:
    return lambda value: mapping.get(value, value)


def translate(frame: pd.DataFrame, language: Language) -> pd.DataFrame:
    """
    Give a table the column names and category values of ``language``.

    Parameters
    ----------
    frame
        A table with English column names and values (after :func:`round_table`).
    language
        ``"en"`` returns the table unchanged; ``"nl"`` renames the columns
        (:data:`COLUMNS_NL`, a comparison column ``<name>_a`` to ``<Dutch name>_a``) and
        translates services, actions, options, outcomes, kinds, parties, modes, units,
        statuses and booleans (``ja`` / ``nee``). Columns and values without a Dutch name
        are kept as they are.

    Returns
    -------
    pandas.DataFrame
        A translated copy.
    """
    if language == "en":
        return frame
    out = frame.copy()
    for col in out.columns:
        name = str(col)
        base = _strip_run_suffix(name)
        series = out[col]
        if pd.api.types.is_bool_dtype(series):
            out[col] = series.map(_BOOL_NL)
        elif base in _SERVICE_COLUMNS:
            out[col] = _map_text(series, lambda v: _translate_services(v, SERVICE_VALUES_NL))
        elif base == T.OPTION:
            out[col] = _map_text(
                series, lambda v: _translate_option(v, _OPTION_NL, SERVICE_VALUES_NL)
            )
        else:
            values = _value_map(name)
            if values:
                out[col] = _map_text(series, _lookup(values))
    return out.rename(columns={str(c): column_name(str(c), "nl") for c in out.columns})


#: Dutch names of the KPIs of a comparison (the summary's columns).
_KPI_NL: dict[str, str] = {**COLUMNS_NL, T.GAP: "optimaliteitsmarge"}

#: Dutch option heads (``as_is``, ``close``, ``new:...``, ``convert:...``).
_OPTION_NL: dict[str, str] = {"as_is": "zoals_nu", **ACTION_VALUES_NL}


def column_name(column: str, language: Language) -> str:
    """
    Return the name of a column in ``language``.

    Parameters
    ----------
    column
        English column name (a comparison column ``<name>_a`` / ``<name>_b`` too).
    language
        ``"nl"`` or ``"en"``.

    Returns
    -------
    str
        The Dutch name from :data:`COLUMNS_NL`, or ``column`` itself in English or when
        it has no Dutch name.
    """
    if language == "en":
        return column
    if column in COLUMNS_NL:
        return COLUMNS_NL[column]
    base = _strip_run_suffix(column)
    if base != column and base in COLUMNS_NL:
        return COLUMNS_NL[base] + column[len(base) :]
    return column


def untranslated_columns(columns: Iterable[str]) -> list[str]:
    """
    Return the columns that have no Dutch name (for tests and for new tables).

    Parameters
    ----------
    columns
        English column names.

    Returns
    -------
    list of str
        Those for which :func:`column_name` returns the English name unchanged, except
        names that are the same in both languages.
    """
    same = {k for k, v in COLUMNS_NL.items() if k == v}
    return [
        c
        for c in columns
        if column_name(c, "nl") == c and _strip_run_suffix(c) not in same and c not in same
    ]


# --------------------------------------------------------------------------------------
# Both steps, and the way back


def to_output(frame: pd.DataFrame, language: Language) -> pd.DataFrame:
    """
    Prepare a table for writing: per-service capacity, rounding, then language.

    Parameters
    ----------
    frame
        A table with English column names and values.
    language
        ``"nl"`` or ``"en"``.

    Returns
    -------
    pandas.DataFrame
        The table as it is written.
    """
    return translate(round_table(split_capacity_after(frame)), language)


_COLUMNS_EN = _inverse(COLUMNS_NL)


def detect_language(columns: Iterable[str]) -> Language:
    """
    Tell from a table's header whether it was written in Dutch.

    Parameters
    ----------
    columns
        The header.

    Returns
    -------
    str
        ``"nl"`` if a column has a Dutch name that differs from its English one, else
        ``"en"``.
    """
    english = set(COLUMNS_NL)
    for c in columns:
        name = str(c)
        base = _strip_run_suffix(name)
        dutch = name in _COLUMNS_EN or base in _COLUMNS_EN
        if dutch and name not in english and base not in english:
            return "nl"
    return "en"


def from_output(frame: pd.DataFrame, language: Language) -> pd.DataFrame:
    """
    Undo :func:`translate` and the percentage of shares, for reading a table back.

    Parameters
    ----------
    frame
        A table as written.
    language
        The language it was written in.

    Returns
    -------
    pandas.DataFrame
        English column names and values; shares (``gap_pct``) back as fractions in their
        own column (``gap``). Rounding is not undone, and the per-service capacity columns
        stay.
    """
    out = frame.copy()
    if language == "nl":
        renames = {}
        for col in out.columns:
            name = str(col)
            if name in _COLUMNS_EN:
                renames[name] = _COLUMNS_EN[name]
                continue
            base = _strip_run_suffix(name)
            if base in _COLUMNS_EN:
                renames[name] = _COLUMNS_EN[base] + name[len(base) :]
        out = out.rename(columns=renames)
        services_en = _inverse(SERVICE_VALUES_NL)
        option_en = _inverse(_OPTION_NL)
        for col in out.columns:
            name = str(col)
            base = _strip_run_suffix(name)
            series = out[col]
            if series.dtype != object and not pd.api.types.is_string_dtype(series):
                continue
            if set(series.dropna().unique()) <= {"ja", "nee"} and series.notna().any():
                out[col] = series.map(lambda v: None if pd.isna(v) else v == "ja")
            elif base in _SERVICE_COLUMNS:
                out[col] = _map_text(series, lambda v: _translate_services(v, services_en))
            elif base == T.OPTION:
                out[col] = _map_text(series, lambda v: _translate_option(v, option_en, services_en))
            else:
                values = _value_map(name)
                if values:
                    back = _inverse(values)
                    out[col] = _map_text(series, _lookup(back))
    for col in list(out.columns):
        name = str(col)
        base = _strip_run_suffix(name)
        if base.endswith(PCT) and base[: -len(PCT)] in SHARE_COLUMNS:
            original = base[: -len(PCT)] + name[len(base) :]
            out[col] = pd.to_numeric(out[col]) / 100.0
            out = out.rename(columns={name: original})
    return out
