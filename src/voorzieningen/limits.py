"""Size limits per site and service, and the school closure norm (opheffingsnorm) per gemeente.

Read from the portfolio's optional columns, a closure-norm table and the service defaults;
one place for these rules, used by the model's data and by the verifier alike.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

import numpy as np
import pandas as pd

from voorzieningen import tables as T
from voorzieningen.errors import InputDataError
from voorzieningen.inputs import norm_gemeente, resolve_path
from voorzieningen.schemas.model import SERVICES, CostSettings, SchoolClosureNorm, Service
from voorzieningen.schemas.sizes import floor_area_m2, places_in_area

#: Column of a closure-norm table holding the norm.
OPHEFFINGSNORM_PUPILS = "opheffingsnorm_pupils"
#: The package table of the 2013 regulation (see ``SchoolClosureNorm.package_table``).
_PACKAGE_CLOSURE_TABLES = {"2013": "opheffingsnormen_2013.csv"}


def load_closure_norms(
    region_dir: Path, settings: SchoolClosureNorm, gemeenten: list[str]
) -> pd.DataFrame:
    """
    Return the school closure norm (opheffingsnorm) of each gemeente of the region.

    Precedence per gemeente: a row of the user's ``settings.table_file`` > a row of the
    package table ``settings.package_table`` > ``settings.national_pupils``. Gemeenten are
    matched by CBS name, ignoring case, spaces and punctuation ("'s-Gravenhage" ~
    "S GRAVENHAGE"). Norms per part of a gemeente (bijlage 2 of the regulations, e.g.
    Winschoten vs. Reiderland in Oldambt) are not modelled: give the building's own norm in
    the portfolio's ``min_places``.

    Parameters
    ----------
    region_dir
        The region folder (``inputs/<region>``); ``table_file`` is relative to it.
    settings
        ``norms.school_closure`` of the scenario.
    gemeenten
        The region's gemeenten (CBS names).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``gemeente`` (as given), columns ``opheffingsnorm_pupils`` (pupils) and
        ``source`` (where the number comes from).

    Raises
    ------
    InputDataError
        If the table file is missing or bad: missing columns, empty or duplicate gemeenten,
        norms that are not numbers between 0 and 1,000 pupils.
    """
    norms = {
        norm_gemeente(g): (
            settings.national_pupils,
            "national default (norms.school_closure.national_pupils)",
        )
        for g in gemeenten
    }
    tables: list[tuple[pd.DataFrame, str]] = []
    if settings.package_table != "none":
        resource = (
            files("voorzieningen") / "defaults" / _PACKAGE_CLOSURE_TABLES[settings.package_table]
        )
        with as_file(resource) as package_path:
            tables.append((_read_closure_table(package_path), "package"))
    if settings.table_file is not None:
        path = resolve_path(region_dir, settings.table_file, what="norms.school_closure.table_file")
        tables.append((_read_closure_table(path), str(path)))
    for table, label in tables:
        for _, row in table.iterrows():
            key = norm_gemeente(row[T.GEMEENTE])
            if key in norms:
                source = str(row.get("source", "") or "") or label
                norms[key] = (float(row[OPHEFFINGSNORM_PUPILS]), source)
    frame = pd.DataFrame(
        {
            OPHEFFINGSNORM_PUPILS: [norms[norm_gemeente(g)][0] for g in gemeenten],
            T.SOURCE: [norms[norm_gemeente(g)][1] for g in gemeenten],
        },
        index=pd.Index(list(gemeenten), name=T.GEMEENTE, dtype=object),
    )
    return frame


def _read_closure_table(path: Path) -> pd.DataFrame:
    """Read and check a closure-norm CSV (columns gemeente, opheffingsnorm_pupils, ...)."""
    frame = T.read_csv(
        path,
        required=(T.GEMEENTE, OPHEFFINGSNORM_PUPILS),
        dtype={T.GEMEENTE: "str", "gemeente_code": "str", "source": "str"},
        what="opheffingsnorm table",
        na_text=False,
    )
    problems: list[str] = []
    names = frame[T.GEMEENTE].astype("string").str.strip().fillna("")
    empty = frame.index[names.eq("")]
    if len(empty):
        problems.append(
            f"({path}, {T.GEMEENTE}) | empty in rows {T.format_rows(T.file_rows(empty))}; give "
            "the CBS name of the gemeente"
        )
    keys = names.map(norm_gemeente)
    dup = frame.index[keys.duplicated(keep=False) & names.ne("")]
    if len(dup):
        problems.append(
            f"({path}, {T.GEMEENTE}) | gemeente listed twice in rows "
            f"{T.format_rows(T.file_rows(dup))}; keep one norm per gemeente"
        )
    raw = frame[OPHEFFINGSNORM_PUPILS]
    values = pd.to_numeric(raw, errors="coerce")
    bad = frame.index[values.isna() | ~np.isfinite(values) | (values < 0) | (values > 1000)]
    if len(bad):
        problems.append(
            f"({path}, {OPHEFFINGSNORM_PUPILS}) | not a number of pupils between 0 and 1,000 "
            f"in rows {T.format_rows(T.file_rows(bad))} (norms in the law run from 23 to 200)"
        )
    if problems:
        raise InputDataError("\n".join(problems))
    frame[T.GEMEENTE] = names
    frame[OPHEFFINGSNORM_PUPILS] = values.astype(float)
    return frame


def site_limits(
    sites: pd.DataFrame,
    services: list[Service],
    costs: CostSettings,
    closure_norms: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """
    Resolve the size limits of every site and service, and of every site's floor area.

    One place for the rules, so that the model, the verifier and the reports agree:

    - ``min_places``: the portfolio's ``min_places`` for the row's own service; else, for
      schools, the opheffingsnorm of the site's gemeente (``closure_norms``; the national
      fallback ``costs.school.min_places`` when the gemeente is unknown); else
      ``costs.<service>.min_places``;
    - ``max_places``: the portfolio's ``max_places`` for the row's own service, else
      ``costs.<service>.max_places`` (NaN: no limit); an existing building larger than that
      default keeps its own service's current capacity as its maximum (the default is an
      assumption about a new size; a building that exists is not shrunk by it);
    - ``max_floor_area_m2`` (the same for every service of a site): the portfolio's
      ``max_floor_area_m2``; else, for an existing building, its current floor area (given,
      or :func:`~voorzieningen.schemas.sizes.floor_area_m2` of its current capacity) times
      ``1 + costs.max_extension_share``; else NaN (no bound besides ``max_places``).

    Parameters
    ----------
    sites
        Sites table (index ``site``; :data:`voorzieningen.tables.SITE_COLUMNS`).
    services
        Services planned.
    costs
        Cost settings (space norms, default sizes, extension bound).
    closure_norms
        Output of :func:`load_closure_norms` (index ``gemeente``), or None to use
        ``costs.school.min_places`` for every school.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``site``, ``service``); columns ``min_places``, ``max_places`` (places of
        that service) and ``max_floor_area_m2`` (m² BVO, the building's total).
    """
    norm_by_key: dict[str, float] = {}
    if closure_norms is not None:
        norm_by_key = {
            norm_gemeente(g): float(v) for g, v in closure_norms[OPHEFFINGSNORM_PUPILS].items()
        }
    rows: list[dict[str, object]] = []
    for site, row in sites.iterrows():
        own = str(row[T.SERVICE])
        area = float(row[T.FLOOR_AREA_M2])
        if not np.isfinite(area) and own in SERVICES and np.isfinite(row[T.CAPACITY_PLACES]):
            area = floor_area_m2(own, float(row[T.CAPACITY_PLACES]), costs)
        most_area = float(row[T.MAX_FLOOR_AREA_M2])
        if not np.isfinite(most_area) and row[T.KIND] == "existing" and np.isfinite(area):
            most_area = area * (1.0 + costs.max_extension_share)
        for service in services:
            norm = costs.for_service(service)
            low = norm.min_places
            if service == "school":
                low = norm_by_key.get(norm_gemeente(row[T.GEMEENTE]), low)
            high = np.nan if norm.max_places is None else norm.max_places
            if service == own:
                if np.isfinite(row[T.MIN_PLACES]):
                    low = float(row[T.MIN_PLACES])
                if np.isfinite(row[T.MAX_PLACES]):
                    high = float(row[T.MAX_PLACES])
                elif row[T.KIND] == "existing" and np.isfinite(high):
                    high = max(high, _current_places(own, row, area, costs))
            rows.append(
                {
                    T.SITE: site,
                    T.SERVICE: service,
                    T.MIN_PLACES: low,
                    T.MAX_PLACES: high,
                    T.MAX_FLOOR_AREA_M2: most_area,
                }
            )
    columns = [T.SITE, T.SERVICE, T.MIN_PLACES, T.MAX_PLACES, T.MAX_FLOOR_AREA_M2]
    return pd.DataFrame(rows, columns=columns).set_index([T.SITE, T.SERVICE])


def _current_places(service: str, row: pd.Series, area_m2: float, costs: CostSettings) -> float:
    """
    Return an existing building's current capacity of its own service.

    Parameters
    ----------
    service
        The building's own service.
    row
        Its sites-table row (``capacity_places``, places; NaN: not given).
    area_m2
        Its floor area, m² (NaN: not given).
    costs
        Cost settings (space norm of the service).

    Returns
    -------
    float
        ``capacity_places`` if given, else the places its floor area holds, else 0 (places).
    """
    if np.isfinite(row[T.CAPACITY_PLACES]):
        return float(row[T.CAPACITY_PLACES])
    if service in SERVICES and np.isfinite(area_m2):
        return places_in_area(service, area_m2, costs)
    return 0.0
