"""Read a region's inputs: zones, existing buildings and candidate sites.

No maths here: files are read, checked completely (every problem of a file is reported
together, with its file, column and rows) and returned as validated DataFrames.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import warnings
from dataclasses import dataclass, field
from importlib.resources import as_file, files
from pathlib import Path

import numpy as np
import pandas as pd

from voorzieningen import tables as T
from voorzieningen.csvio import Decimal, Encoding
from voorzieningen.errors import InputDataError, VoorzieningenWarning
from voorzieningen.schemas.model import SERVICES, CostSettings, SchoolClosureNorm, Service
from voorzieningen.schemas.scenario import FacilitySettings, ZoneSettings
from voorzieningen.schemas.sizes import floor_area_m2

#: Columns a portfolio CSV must have.
PORTFOLIO_REQUIRED: tuple[str, ...] = ("site_id", "name", "kind", "service", "lon", "lat")
#: Optional numeric columns of a portfolio CSV.
PORTFOLIO_NUMERIC: tuple[str, ...] = (
    T.FLOOR_AREA_M2,
    T.CAPACITY_PLACES,
    T.END_OF_LIFE_YEAR,
    T.SALE_VALUE_EUR,
    T.MIN_PLACES,
    T.MAX_PLACES,
    T.MAX_FLOOR_AREA_M2,
)
#: Every column a portfolio CSV may have (others are ignored unless they look like a typo).
PORTFOLIO_COLUMNS: tuple[str, ...] = (
    *PORTFOLIO_REQUIRED,
    T.ALLOWED_SERVICES,
    *PORTFOLIO_NUMERIC,
    T.LOCK,
    T.MANAGED,
    T.GEMEENTE,
    T.NOTE,
)
#: Plausible ranges of the portfolio's numbers (inclusive); values outside are typos or
#: wrong units, and would make the model numerically meaningless.
PORTFOLIO_RANGES: dict[str, tuple[float, float, str]] = {
    T.FLOOR_AREA_M2: (0.0, 1e6, " m²"),
    T.CAPACITY_PLACES: (0.0, 1e7, " places"),
    T.END_OF_LIFE_YEAR: (1800.0, 2300.0, " (a calendar year)"),
    T.SALE_VALUE_EUR: (-1e10, 1e10, " €"),
    T.MIN_PLACES: (0.0, 1e7, " places"),
    T.MAX_PLACES: (0.0, 1e7, " places"),
    T.MAX_FLOOR_AREA_M2: (0.0, 1e6, " m²"),
}
#: Values of the portfolio's ``lock`` column (several separated by ``;``).
#:
#: - ``must_keep``: the building stays open with its current service in every period (it
#:   may be renovated or extended; it may not close, be sold, change service or join an
#:   MFA elsewhere);
#: - ``no_close``: the building may not close (it may change service, if ``no_convert`` is
#:   not also given);
#: - ``no_sale``: the building may close but earns no sale proceeds (its demolition cost,
#:   or nothing when it stands empty, applies instead of ``sale_value_eur``);
#: - ``no_convert``: the building may not change service, nor host another service with it
#:   (no MFA), e.g. when a school board or GP refuses to share.
LOCKS: tuple[str, ...] = ("must_keep", "no_close", "no_sale", "no_convert")
#: Column of a closure-norm table holding the norm.
OPHEFFINGSNORM_PUPILS = "opheffingsnorm_pupils"
#: The package table of the 2013 regulation (see ``SchoolClosureNorm.package_table``).
_PACKAGE_CLOSURE_TABLES = {"2013": "opheffingsnormen_2013.csv"}
KINDS = ("existing", "candidate")
#: Bounding box of the Netherlands and its neighbours (lon, lat), to catch swapped columns.
_LON_RANGE = (2.5, 7.5)
_LAT_RANGE = (50.5, 53.8)
_COORDINATE_RANGES = {"lon": _LON_RANGE, "lat": _LAT_RANGE}
#: An existing building's floor area is checked against the space norm of its capacity
#: (:func:`voorzieningen.schemas.sizes.floor_area_m2` with default costs); outside this
#: factor either way it is reported as a warning (a typo, a unit error or a misread number).
AREA_PER_PLACE_FACTOR = 4.0


@dataclass(frozen=True)
class InputData:
    """The validated inputs of one region.

    Attributes
    ----------
    zones
        Indexed by ``zone``; columns ``gemeente``, ``lon``, ``lat`` (WGS84 degrees).
    sites
        Indexed by ``site``; columns :data:`voorzieningen.tables.SITE_COLUMNS`.
    files
        Every file read, by role, for the run's provenance record.
    """

    zones: pd.DataFrame
    sites: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)


def resolve_path(base: Path, name: str, *, what: str) -> Path:
    """
    Resolve a file name from a scenario inside a base folder, refusing to leave it.

    Parameters
    ----------
    base
        The data directory or the region folder.
    name
        A relative path inside ``base``.
    what
        What the file is, for the error message.

    Returns
    -------
    pathlib.Path
        The absolute path (it need not exist). The check is on the path as written, after
        removing ``.`` and ``..``: symbolic links that the user put inside the folder (for
        example ``osm -> /big/disk/osm``) are followed when the file is read.

    Raises
    ------
    InputDataError
        If ``name`` is absolute or points outside ``base`` (for example with ``..``).
    """
    base = Path(os.path.abspath(base))  # noqa: PTH100 - lexical on purpose, see above
    candidate = Path(os.path.normpath(base / name))
    if Path(name).is_absolute() or not candidate.is_relative_to(base):
        msg = (
            f"({what}) | {name!r} points outside {base}; give a path relative to that "
            "folder (files outside the region and data folders are never read)."
        )
        raise InputDataError(msg)
    return candidate


def file_sha256(path: Path) -> str:
    """
    Return the SHA-256 hex digest of a file's bytes.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    str
        64 hexadecimal characters.
    """
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _norm_gemeente(name: object) -> str:
    """Normalise a municipality name for matching ("'s-Gravenhage" ~ "S GRAVENHAGE")."""
    if not isinstance(name, str):
        return ""
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def load_zones(data_dir: Path, region_dir: Path, settings: ZoneSettings) -> pd.DataFrame:
    """
    Load the region's demand zones with their centroids.

    Parameters
    ----------
    data_dir
        The shared data directory.
    region_dir
        The region folder (``inputs/<region>``).
    settings
        Which zones: CBS PC4 areas of some municipalities, or a user CSV.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``zone`` (str); columns ``gemeente``, ``lon``, ``lat`` (WGS84 degrees).

    Raises
    ------
    InputDataError
        If the file is missing or bad, a municipality has no PC4 areas, or coordinates are
        missing or outside the Netherlands.
    """
    if settings.source == "csv":
        if settings.zones_file is None:
            msg = "(zones.zones_file) | zones.source is 'csv' but no zones_file is given."
            raise InputDataError(msg)
        path = resolve_path(region_dir, settings.zones_file, what="zones.zones_file")
        frame = T.read_csv(
            path,
            required=(T.ZONE, *T.ZONE_COLUMNS),
            dtype={T.ZONE: "str"},
            what="zones",
            numeric=(T.LON, T.LAT),
            ranges=_COORDINATE_RANGES,
            decimal=settings.csv_decimal,
            encoding=settings.csv_encoding,
            setting="zones.csv_decimal",
        )
        zones = frame.rename(columns=str)
    else:
        if not settings.gemeenten:
            msg = (
                "(zones.gemeenten) | no municipality given; list the CBS names of the "
                'region\'s municipalities, e.g. gemeenten = ["Delft"].'
            )
            raise InputDataError(msg)
        path = resolve_path(data_dir, settings.centroids_file, what="zones.centroids_file")
        frame = T.read_csv(
            path,
            required=("postcode", "gemeente", "centroid_lon", "centroid_lat"),
            dtype={"postcode": "str"},
            what="PC4 centroids",
            numeric=("centroid_lon", "centroid_lat"),
            decimal="point",
            data_file=True,
        )
        _check_ids(frame, "postcode", path, what="PC4 centroids")
        wanted = {_norm_gemeente(g): g for g in settings.gemeenten}
        keys = frame["gemeente"].astype(str).map(_norm_gemeente)
        unknown = sorted(g for k, g in wanted.items() if not (keys == k).any())
        if unknown:
            msg = (
                f"({path}, gemeente) | no PC4 areas for {unknown}; use the CBS spelling "
                "of the municipality name (e.g. 'Delft', 'Het Hogeland')."
            )
            raise InputDataError(msg)
        frame = frame[keys.isin(wanted)]
        zones = pd.DataFrame(
            {
                T.ZONE: frame["postcode"].astype(str),
                T.GEMEENTE: frame["gemeente"].astype(str),
                T.LON: frame["centroid_lon"],
                T.LAT: frame["centroid_lat"],
            }
        )
    _check_coordinates(zones, path)
    _check_unique(zones[T.ZONE], path, T.ZONE)
    return zones.set_index(T.ZONE)[list(T.ZONE_COLUMNS)]


def _check_ids(
    frame: pd.DataFrame, column: str, path: Path, *, what: str, unique: bool = True
) -> None:
    """Check that a data file's id column is filled (and unique): the file is damaged if not."""
    ids = frame[column].astype("string").str.strip()
    empty = frame.index[ids.isna() | ids.eq("")]
    dup = frame.index[ids.duplicated(keep=False) & ids.notna() & ids.ne("") & unique]
    problems = []
    if len(empty):
        problems.append(f"empty in lines {T.format_rows(T.file_rows(empty))}")
    if len(dup):
        problems.append(f"repeated in lines {T.format_rows(T.file_rows(dup))}")
    if problems:
        msg = (
            f"({path}, {column}) | the {what} data file is inconsistent: {column} "
            f"{'; '.join(problems)}. Restore the file from its source (see PROVENANCE.md of "
            "the data directory); this is not a problem of the portfolio or the scenario."
        )
        raise InputDataError(msg)


def _check_coordinates(frame: pd.DataFrame, path: Path, *, data_file: bool = False) -> None:
    problems: list[str] = []
    for col, (low, high) in ((T.LON, _LON_RANGE), (T.LAT, _LAT_RANGE)):
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = frame.index[values.isna()]
        if len(bad):
            problems.append(
                f"({path}, {col}) | missing or non-numeric in rows {T.format_rows(T.file_rows(bad))}"
            )
        out = frame.index[values.notna() & ((values < low) | (values > high))]
        if len(out):
            problems.append(
                f"({path}, {col}) | outside {low}..{high} degrees in rows "
                f"{T.format_rows(T.file_rows(out))}; give WGS84 longitude/latitude "
                "(not RD metres, not swapped)"
            )
        frame[col] = values
    if problems:
        if data_file:
            problems.append(
                f"({path}) | this is the data file, not the portfolio: restore it from its "
                "source (see PROVENANCE.md of the data directory), or describe the building "
                "in the portfolio with the id duo-<vestigingscode>"
            )
        raise InputDataError("\n".join(problems))


def _check_unique(ids: pd.Series, path: Path, column: str) -> None:
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        msg = (
            f"({path}, {column}) | duplicate ids {T.format_rows(sorted(set(dup.astype(str))))} "
            f"in rows {T.format_rows(T.file_rows(dup.index))}; every id must be unique."
        )
        raise InputDataError(msg)


def load_duo_schools(
    data_dir: Path, gemeenten: list[str], settings: FacilitySettings
) -> pd.DataFrame:
    """
    Load the DUO primary-school locations of some municipalities as existing buildings.

    The DUO file has pupils, not buildings: floor area is pupils times the school space norm
    is left to the model (column ``floor_area_m2`` is NaN here), and capacity is pupils times
    ``settings.school_capacity_headroom``.

    Parameters
    ----------
    data_dir
        The shared data directory.
    gemeenten
        Municipality names (any capitalisation; DUO writes them in upper case).
    settings
        Facility settings (file name, headroom, default end of life).

    Returns
    -------
    pandas.DataFrame
        Sites table indexed by ``site`` = ``"duo-<vestigingscode>"``.

    Raises
    ------
    InputDataError
        If the file is missing or bad.
    """
    path = resolve_path(data_dir, settings.duo_file, what="facilities.duo_file")
    frame = T.read_csv(
        path,
        required=("naam", "type", "gemeente", "vestigingscode", "leerlingen", "lon", "lat"),
        dtype={"vestigingscode": "str", "gemeente": "str", "type": "str"},
        what="DUO school locations",
        numeric=("leerlingen", "lon", "lat"),
        decimal="point",
        data_file=True,
    )
    # Not unique: a school with several buildings has one row per building (see below).
    _check_ids(frame, "vestigingscode", path, what="DUO school locations", unique=False)
    wanted = {_norm_gemeente(g) for g in gemeenten}
    keep = frame["type"].eq("basisschool") & frame["gemeente"].astype(str).map(_norm_gemeente).isin(
        wanted
    )
    schools = frame[keep].copy()
    codes = schools["vestigingscode"].astype(str).str.strip()
    twice = codes.duplicated(keep="first")
    if twice.any():
        # The Nov 2024 file lists 67 basisschool codes two or three times: one school with
        # several buildings, each row repeating the school's pupil count. Counting every row
        # would multiply the school's capacity; one site per school is kept.
        lines = T.file_rows(schools.index[codes.isin(set(codes[twice]))])
        warnings.warn(
            f"({path}, vestigingscode) | {T.format_rows(sorted(set(codes[twice])))} appear on "
            f"several rows (lines {T.format_rows(lines)}) of the DUO data file: one school "
            "with several buildings, each row repeating the school's pupils. The first "
            "building of each is used, with the pupils once; describe the other buildings "
            "in the portfolio (site_id duo-<vestigingscode> for the first) if they matter.",
            VoorzieningenWarning,
            stacklevel=2,
        )
        schools = schools[~twice]
    pupils = pd.to_numeric(schools["leerlingen"], errors="coerce")
    sites = pd.DataFrame(
        {
            T.SITE: "duo-" + schools["vestigingscode"].astype(str),
            T.NAME: schools["naam"].astype(str),
            T.KIND: "existing",
            T.SERVICE: "school",
            T.ALLOWED_SERVICES: ";".join(SERVICES),
            T.LON: pd.to_numeric(schools["lon"], errors="coerce"),
            T.LAT: pd.to_numeric(schools["lat"], errors="coerce"),
            T.FLOOR_AREA_M2: np.nan,
            T.CAPACITY_PLACES: (pupils * settings.school_capacity_headroom).round(),
            T.END_OF_LIFE_YEAR: np.nan,
            T.SALE_VALUE_EUR: np.nan,
            T.MIN_PLACES: np.nan,
            T.MAX_PLACES: np.nan,
            T.MAX_FLOOR_AREA_M2: np.nan,
            T.LOCK: "",
            T.GEMEENTE: schools["gemeente"].astype(str),
            T.MANAGED: settings.duo_schools_managed,
            T.SOURCE: "duo",
            T.NOTE: np.where(pupils.isna(), "no pupil count in DUO file", ""),
        }
    )
    _check_coordinates(sites, path, data_file=True)
    return sites.set_index(T.SITE)


def load_portfolio(
    path: Path, *, decimal: Decimal = "auto", encoding: Encoding = "utf-8"
) -> pd.DataFrame:
    """
    Load a corporation's portfolio CSV: its buildings and candidate sites.

    Columns: ``site_id`` (unique), ``name``, ``kind`` (``existing`` or ``candidate``),
    ``service`` (current service of an existing building: ``school``, ``gp`` or
    ``community_hall``; empty for candidates), ``lon``, ``lat`` (WGS84 degrees), and
    optionally ``managed`` (true: the plan decides on this building, the default; false:
    it stays as it is and only counts for accessibility), ``allowed_services``
    (``;``-separated; default all), ``floor_area_m2`` (m²
    BVO), ``capacity_places`` (places of the current service), ``end_of_life_year`` (the
    year from which the building can no longer be used as is), ``sale_value_eur`` (net
    proceeds if closed and sold, €; negative for demolition cost), ``min_places`` and
    ``max_places`` (smallest and largest size of the row's ``service`` at this building,
    places; they override the service's defaults and the opheffingsnorm; other services on
    the building, after a conversion or in an MFA, keep their defaults), ``max_floor_area_m2``
    (largest floor area after any extension, m² BVO, for existing buildings and candidate
    plots), ``lock`` (``;``-separated out of :data:`LOCKS`, for existing buildings), ``note``.
    A row whose
    ``site_id`` is ``duo-<vestigingscode>`` describes the building of a DUO school and
    replaces the DUO defaults.

    Parameters
    ----------
    path
        The portfolio CSV: ``,``, ``;`` or tab separated, UTF-8 (or Windows-1252, with a
        warning); see :mod:`voorzieningen.csvio`.
    decimal
        How its numbers are written (``facilities.csv_decimal``): ``"auto"`` decides per
        column and refuses a number with two readings (``1.420``) that nothing decides;
        ``"comma"`` (Dutch: ``1.420,5``) or ``"point"`` (``1,420.5``).
    encoding
        ``"utf-8"`` or ``"cp1252"`` (``facilities.csv_encoding``).

    Returns
    -------
    pandas.DataFrame
        Sites table indexed by ``site``.

    Raises
    ------
    InputDataError
        Listing every problem found: missing columns, duplicate ids (ignoring case),
        unknown kinds or services, non-numeric or negative numbers, numbers with two
        readings, coordinates outside the Netherlands, unknown locks, size limits that
        contradict each other, a floor area of 0 with places or 0 places in an existing
        building.

    Warns
    -----
    VoorzieningenWarning
        If the portfolio has no rows (only the DUO schools, if enabled, will be planned), or
        an existing building's floor area is far from the space norm of its capacity.
    """
    frame = T.read_csv(
        path,
        required=PORTFOLIO_REQUIRED,
        dtype={"site_id": "str"},
        what="portfolio",
        na_text=False,
        numeric=(T.LON, T.LAT, *PORTFOLIO_NUMERIC),
        ranges={**{c: (r[0], r[1]) for c, r in PORTFOLIO_RANGES.items()}, **_COORDINATE_RANGES},
        decimal=decimal,
        encoding=encoding,
        setting="facilities.csv_decimal",
    )
    if frame.empty:
        warnings.warn(
            f"({path}) | the portfolio has a header but no rows: no corporation building or "
            "candidate site will be planned (only DUO schools, if facilities.duo_schools is "
            "on); add a row per building and candidate site.",
            VoorzieningenWarning,
            stacklevel=2,
        )
    problems: list[str] = []
    for col in frame.columns:
        if col in PORTFOLIO_COLUMNS:
            continue
        near = difflib.get_close_matches(col.lower(), PORTFOLIO_COLUMNS, n=1, cutoff=0.75)
        if near:
            problems.append(
                f"({path}, {col}) | unknown column; did you mean {near[0]!r}? Rename it in "
                f"the header row (known columns: {', '.join(PORTFOLIO_COLUMNS)})."
            )
    frame["site_id"] = frame["site_id"].astype("string").str.strip()
    missing_id = frame.index[frame["site_id"].isna() | (frame["site_id"] == "")]
    if len(missing_id):
        problems.append(
            f"({path}, site_id) | empty in rows {T.format_rows(T.file_rows(missing_id))}"
        )
    try:
        _check_unique(frame["site_id"].dropna(), path, "site_id")
    except InputDataError as err:
        problems.append(str(err))
    else:
        _check_unique_ignoring_case(frame["site_id"].dropna(), path, problems)
    kind = frame["kind"].astype("string").str.strip().str.lower()
    bad = frame.index[~kind.isin(KINDS).fillna(value=False).astype(bool)]
    if len(bad):
        problems.append(
            f"({path}, kind) | must be 'existing' or 'candidate' in rows "
            f"{T.format_rows(T.file_rows(bad))}"
        )
    service = frame["service"].astype("string").str.strip().fillna("")
    existing = kind.eq("existing").fillna(value=False).astype(bool)
    bad = frame.index[existing & ~service.isin(SERVICES)]
    if len(bad):
        problems.append(
            f"({path}, service) | existing buildings need a service out of {list(SERVICES)} "
            f"in rows {T.format_rows(T.file_rows(bad))}"
        )
    bad = frame.index[~existing & service.ne("") & ~service.isin(SERVICES)]
    if len(bad):
        problems.append(
            f"({path}, service) | unknown service in rows {T.format_rows(T.file_rows(bad))}; "
            f"use one of {list(SERVICES)}, or leave it empty for a candidate site"
        )
    allowed = (
        frame[T.ALLOWED_SERVICES].astype("string").fillna(";".join(SERVICES))
        if T.ALLOWED_SERVICES in frame.columns
        else pd.Series(";".join(SERVICES), index=frame.index, dtype="string")
    )
    allowed = allowed.str.replace(" ", "", regex=False)
    bad_allowed = [
        i
        for i, text in allowed.items()
        if not text or any(s not in SERVICES for s in str(text).split(";"))
    ]
    if bad_allowed:
        problems.append(
            f"({path}, allowed_services) | use ';'-separated names out of {list(SERVICES)} "
            f"in rows {T.format_rows(T.file_rows(int(str(i)) for i in bad_allowed))}"
        )
    numbers: dict[str, pd.Series] = {}
    for col in PORTFOLIO_NUMERIC:
        raw = frame[col] if col in frame.columns else pd.Series(np.nan, index=frame.index)
        values = pd.to_numeric(raw, errors="coerce")
        bad = frame.index[raw.notna() & values.isna()]
        if len(bad):
            problems.append(
                f"({path}, {col}) | not a number in rows {T.format_rows(T.file_rows(bad))} "
                "(use a decimal point or a decimal comma, one way in the whole column, digits "
                "only; leave the cell empty if unknown)"
            )
        low, high, unit = PORTFOLIO_RANGES[col]
        if col != T.SALE_VALUE_EUR:
            neg = frame.index[(values < 0) | np.isinf(values)]
            if len(neg):
                problems.append(
                    f"({path}, {col}) | negative or infinite in rows "
                    f"{T.format_rows(T.file_rows(neg))}"
                )
            huge = frame.index[np.isfinite(values) & ((values < low) | (values > high))]
        else:
            inf = frame.index[np.isinf(values)]
            if len(inf):
                problems.append(
                    f"({path}, {col}) | infinite in rows {T.format_rows(T.file_rows(inf))}; "
                    "give the net proceeds in € (negative for a demolition cost)"
                )
            huge = frame.index[np.isfinite(values) & ((values < low) | (values > high))]
        if len(huge):
            problems.append(
                f"({path}, {col}) | implausible values in rows "
                f"{T.format_rows(T.file_rows(huge))}: allowed {low:,.0f} to {high:,.0f}{unit}; "
                "check for typos and units"
            )
        if col == T.END_OF_LIFE_YEAR:
            frac = frame.index[np.isfinite(values) & (values != np.round(values))]
            if len(frac):
                problems.append(
                    f"({path}, {col}) | not a whole year in rows {T.format_rows(T.file_rows(frac))}"
                )
        numbers[col] = values
    managed = pd.Series(data=True, index=frame.index, dtype=bool)
    if T.MANAGED in frame.columns:
        text = frame[T.MANAGED].astype("string").str.strip().str.lower().fillna("")
        truth = {
            "": True,
            "true": True,
            "1": True,
            "yes": True,
            "ja": True,
            "false": False,
            "0": False,
            "no": False,
            "nee": False,
        }
        bad = frame.index[~text.isin(list(truth))]
        if len(bad):
            problems.append(
                f"({path}, {T.MANAGED}) | use true/false (or ja/nee, 1/0) in rows "
                f"{T.format_rows(T.file_rows(bad))}"
            )
        managed = text.map(lambda v: truth.get(str(v), True)).astype(bool)
    lock = _parse_locks(frame, path, problems)
    _check_sizes(frame, path, numbers, kind, service, lock, problems)
    _check_area_vs_places(frame, path, numbers, existing, service, problems)
    try:
        _check_coordinates(frame, path)
    except InputDataError as err:
        problems.append(str(err))
    if problems:
        raise InputDataError("\n".join(problems))
    sites = pd.DataFrame(
        {
            T.SITE: frame["site_id"].astype(str),
            T.NAME: frame["name"].astype("string").fillna("").astype(str),
            T.KIND: kind.astype(str),
            T.SERVICE: service.where(existing, "").astype(str),
            T.ALLOWED_SERVICES: allowed.astype(str),
            T.LON: frame[T.LON],
            T.LAT: frame[T.LAT],
            **numbers,
            T.LOCK: lock,
            T.GEMEENTE: frame[T.GEMEENTE].astype(str) if T.GEMEENTE in frame.columns else "",
            T.MANAGED: managed,
            T.SOURCE: "portfolio",
            T.NOTE: frame[T.NOTE].astype("string").fillna("").astype(str)
            if T.NOTE in frame.columns
            else "",
        }
    )
    return sites.set_index(T.SITE)[list(T.SITE_COLUMNS)]


def _check_unique_ignoring_case(ids: pd.Series, path: Path, problems: list[str]) -> None:
    """Report ids that differ only in case (``gp-tu`` and ``GP-TU``): one building twice."""
    folded = ids.astype(str).str.casefold()
    dup = ids[folded.duplicated(keep=False)]
    if len(dup):
        problems.append(
            f"({path}, site_id) | ids {T.format_rows(sorted(set(dup.astype(str))))} in rows "
            f"{T.format_rows(T.file_rows(dup.index))} differ only in upper/lower case: they "
            "would be counted as separate buildings. Give each building one id, written "
            "one way."
        )


def _check_area_vs_places(
    frame: pd.DataFrame,
    path: Path,
    numbers: dict[str, pd.Series],
    existing: pd.Series,
    service: pd.Series,
    problems: list[str],
) -> None:
    """Cross-check floor area and capacity of existing buildings."""
    area, places = numbers[T.FLOOR_AREA_M2], numbers[T.CAPACITY_PLACES]
    rows = frame.index[
        existing & (area == 0).fillna(value=False) & (places > 0).fillna(value=False)
    ]
    if len(rows):
        problems.append(
            f"({path}, {T.FLOOR_AREA_M2}) | 0 m² with places in {T.CAPACITY_PLACES} in rows "
            f"{T.format_rows(T.file_rows(rows))}; give the building's m² BVO, or leave the "
            "cell empty to derive it from the capacity"
        )
    rows = frame.index[existing & (places == 0).fillna(value=False)]
    if len(rows):
        problems.append(
            f"({path}, {T.CAPACITY_PLACES}) | 0 places in an existing building in rows "
            f"{T.format_rows(T.file_rows(rows))}; give its places, leave the cell empty to "
            "derive them from floor_area_m2, or (if it stands empty) set managed=false or "
            "drop the row"
        )
    costs = CostSettings()
    odd: list[str] = []
    for line in frame.index[
        existing & (area > 0).fillna(value=False) & (places > 0).fillna(value=False)
    ]:
        own = str(service[line])
        if own not in SERVICES:
            continue
        norm = floor_area_m2(own, float(places[line]), costs)
        ratio = float(area[line]) / norm
        if not 1 / AREA_PER_PLACE_FACTOR <= ratio <= AREA_PER_PLACE_FACTOR:
            odd.append(
                f"line {line}: {area[line]:g} m² for {places[line]:g} places ({own}; the "
                f"norm gives {norm:,.0f} m²)"
            )
    if odd:
        warnings.warn(
            f"({path}, {T.FLOOR_AREA_M2}) | floor area and capacity disagree by more than a "
            f"factor {AREA_PER_PLACE_FACTOR:g}: {'; '.join(odd[:5])}"
            f"{f' and {len(odd) - 5} more' if len(odd) > 5 else ''}. Check for typos, units "
            "and thousands separators.",
            VoorzieningenWarning,
            stacklevel=3,
        )


def _parse_locks(frame: pd.DataFrame, path: Path, problems: list[str]) -> pd.Series:
    """Normalise the ``lock`` column to ``;``-joined known values (``""`` for none)."""
    if T.LOCK not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    text = frame[T.LOCK].astype("string").fillna("").str.replace(" ", "", regex=False)
    parsed: dict[object, str] = {}
    bad: dict[str, list[int]] = {}
    for i, cell in text.items():
        parts = [p for p in str(cell).lower().split(";") if p]
        for part in parts:
            if part not in LOCKS:
                bad.setdefault(part, []).append(int(str(i)))
        parsed[i] = ";".join(sorted(set(parts) & set(LOCKS), key=LOCKS.index))
    for value, rows in bad.items():
        problems.append(
            f"({path}, {T.LOCK}) | unknown lock {value!r} in rows "
            f"{T.format_rows(T.file_rows(rows))}; use ';'-separated values out of "
            f"{list(LOCKS)}, or leave the cell empty"
        )
    return pd.Series(parsed, dtype=object).reindex(frame.index).fillna("")


def _check_sizes(
    frame: pd.DataFrame,
    path: Path,
    numbers: dict[str, pd.Series],
    kind: pd.Series,
    service: pd.Series,
    lock: pd.Series,
    problems: list[str],
) -> None:
    """Cross-column checks of the size limits and locks of a portfolio."""
    low, high = numbers[T.MIN_PLACES], numbers[T.MAX_PLACES]
    rows = frame.index[(low > high).fillna(value=False).astype(bool)]
    if len(rows):
        problems.append(
            f"({path}, {T.MAX_PLACES}) | below {T.MIN_PLACES} in rows "
            f"{T.format_rows(T.file_rows(rows))}; the building could never be open. Raise "
            f"{T.MAX_PLACES} or lower {T.MIN_PLACES}."
        )
    rows = frame.index[(high == 0).fillna(value=False).astype(bool)]
    if len(rows):
        problems.append(
            f"({path}, {T.MAX_PLACES}) | 0 in rows {T.format_rows(T.file_rows(rows))}; give a "
            f"positive size, or lock the building out with allowed_services / managed=false"
        )
    given = low.notna() | high.notna()
    rows = frame.index[given & service.eq("")]
    if len(rows):
        problems.append(
            f"({path}, {T.SERVICE}) | rows {T.format_rows(T.file_rows(rows))} give "
            f"{T.MIN_PLACES}/{T.MAX_PLACES} but no service they apply to; fill in the "
            "service (for a candidate: the service the sizes are meant for)"
        )
    area, most = numbers[T.FLOOR_AREA_M2], numbers[T.MAX_FLOOR_AREA_M2]
    rows = frame.index[(most < area).fillna(value=False).astype(bool)]
    if len(rows):
        problems.append(
            f"({path}, {T.MAX_FLOOR_AREA_M2}) | below {T.FLOOR_AREA_M2} in rows "
            f"{T.format_rows(T.file_rows(rows))}; the largest floor area after extension "
            f"cannot be smaller than the building is now. Raise {T.MAX_FLOOR_AREA_M2} or "
            f"correct {T.FLOOR_AREA_M2}."
        )
    rows = frame.index[(most == 0).fillna(value=False).astype(bool)]
    if len(rows):
        problems.append(
            f"({path}, {T.MAX_FLOOR_AREA_M2}) | 0 in rows {T.format_rows(T.file_rows(rows))}; "
            "leave the cell empty for the default bound, or give the plot's largest m² BVO"
        )
    locked = lock.ne("")
    rows = frame.index[locked & kind.ne("existing").fillna(value=True).astype(bool)]
    if len(rows):
        problems.append(
            f"({path}, {T.LOCK}) | rows {T.format_rows(T.file_rows(rows))} lock a candidate "
            "site; locks apply to existing buildings only (a candidate is simply not built "
            "unless the plan chooses it). Leave the cell empty."
        )


def load_sites(
    data_dir: Path,
    region_dir: Path,
    gemeenten: list[str],
    settings: FacilitySettings,
) -> tuple[pd.DataFrame, dict[str, Path]]:
    """
    Combine DUO schools and the portfolio into one sites table.

    Portfolio rows whose id matches a DUO school (``duo-<vestigingscode>``) replace that
    school's defaults; other portfolio rows are added.

    Parameters
    ----------
    data_dir
        The shared data directory.
    region_dir
        The region folder.
    gemeenten
        The region's municipalities (for the DUO schools).
    settings
        Facility settings.

    Returns
    -------
    tuple of (pandas.DataFrame, dict)
        The sites table indexed by ``site``, and the files read by role.

    Raises
    ------
    InputDataError
        If a file is bad, or the region has no site at all.
    """
    parts: list[pd.DataFrame] = []
    files: dict[str, Path] = {}
    if settings.duo_schools:
        parts.append(load_duo_schools(data_dir, gemeenten, settings))
        files["duo_schools"] = resolve_path(data_dir, settings.duo_file, what="duo_file")
    if settings.portfolio_file:
        path = resolve_path(region_dir, settings.portfolio_file, what="facilities.portfolio_file")
        portfolio = load_portfolio(
            path, decimal=settings.csv_decimal, encoding=settings.csv_encoding
        )
        files["portfolio"] = path
        if parts:
            duo = parts[0]
            both = portfolio.index.intersection(duo.index)
            ids = portfolio.index.astype(str)
            stray = sorted(set(ids[ids.str.startswith("duo-")]) - set(both))
            if stray:
                msg = (
                    f"({path}, site_id) | {T.format_rows(stray)}: no DUO school with this "
                    f"vestigingscode in {gemeenten}. A site_id 'duo-<vestigingscode>' must "
                    f"name a school of the region in {settings.duo_file} ({len(duo)} schools "
                    "of the region read); correct the code, or give the building another "
                    "site_id to add it as a new site."
                )
                raise InputDataError(msg)
            for col in T.SITE_COLUMNS:
                if col in (T.SOURCE,):
                    continue
                given = portfolio.loc[both, col]
                mask = given.notna() if given.dtype.kind in "fc" else given.astype(str) != ""
                duo.loc[both[mask.to_numpy()], col] = given[mask]
            duo.loc[both, T.SOURCE] = "duo+portfolio"
            portfolio = portfolio.drop(index=both)
        parts.append(portfolio)
    if not parts or sum(len(p) for p in parts) == 0:
        msg = (
            "(facilities) | the region has no buildings or candidate sites; enable "
            "facilities.duo_schools or give a facilities.portfolio_file."
        )
        raise InputDataError(msg)
    sites = pd.concat(parts)
    sites.index.name = T.SITE
    return sites[list(T.SITE_COLUMNS)], files


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
        _norm_gemeente(g): (
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
            key = _norm_gemeente(row[T.GEMEENTE])
            if key in norms:
                source = str(row.get("source", "") or "") or label
                norms[key] = (float(row[OPHEFFINGSNORM_PUPILS]), source)
    frame = pd.DataFrame(
        {
            OPHEFFINGSNORM_PUPILS: [norms[_norm_gemeente(g)][0] for g in gemeenten],
            T.SOURCE: [norms[_norm_gemeente(g)][1] for g in gemeenten],
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
        numeric=(OPHEFFINGSNORM_PUPILS,),
        ranges={OPHEFFINGSNORM_PUPILS: (0.0, 1000.0)},
    )
    problems: list[str] = []
    names = frame[T.GEMEENTE].astype("string").str.strip().fillna("")
    empty = frame.index[names.eq("")]
    if len(empty):
        problems.append(
            f"({path}, {T.GEMEENTE}) | empty in rows {T.format_rows(T.file_rows(empty))}; give "
            "the CBS name of the gemeente"
        )
    keys = names.map(_norm_gemeente)
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
      ``costs.<service>.max_places`` (NaN: no limit);
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
            _norm_gemeente(g): float(v) for g, v in closure_norms[OPHEFFINGSNORM_PUPILS].items()
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
                low = norm_by_key.get(_norm_gemeente(row[T.GEMEENTE]), low)
            high = np.nan if norm.max_places is None else norm.max_places
            if service == own:
                if np.isfinite(row[T.MIN_PLACES]):
                    low = float(row[T.MIN_PLACES])
                if np.isfinite(row[T.MAX_PLACES]):
                    high = float(row[T.MAX_PLACES])
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
