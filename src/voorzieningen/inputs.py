"""Read a region's inputs: zones, existing buildings and candidate sites.

No maths here: files are read, checked completely (every problem of a file is reported
together, with its file, column and rows) and returned as validated DataFrames.
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from voorzieningen import tables as T
from voorzieningen.errors import InputDataError, VoorzieningenWarning
from voorzieningen.portfolio import (
    COORDINATE_RANGES,
    KINDS,
    LOCKS,
    PORTFOLIO_COLUMNS,
    PORTFOLIO_NUMERIC,
    PORTFOLIO_RANGES,
    PORTFOLIO_REQUIRED,
    check_coordinates,
    check_unique,
    load_portfolio,
)
from voorzieningen.schemas.model import SERVICES
from voorzieningen.schemas.scenario import FacilitySettings, ZoneSettings


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


def norm_gemeente(name: object) -> str:
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
            ranges=COORDINATE_RANGES,
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
        wanted = {norm_gemeente(g): g for g in settings.gemeenten}
        keys = frame["gemeente"].astype(str).map(norm_gemeente)
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
    check_coordinates(zones, path)
    check_unique(zones[T.ZONE], path, T.ZONE)
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
    wanted = {norm_gemeente(g) for g in gemeenten}
    keep = frame["type"].eq("basisschool") & frame["gemeente"].astype(str).map(norm_gemeente).isin(
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
    check_coordinates(sites, path, data_file=True)
    return sites.set_index(T.SITE)


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


__all__ = [
    "KINDS",
    "LOCKS",
    "PORTFOLIO_COLUMNS",
    "PORTFOLIO_NUMERIC",
    "PORTFOLIO_RANGES",
    "PORTFOLIO_REQUIRED",
    "InputData",
    "check_coordinates",
    "check_unique",
    "file_sha256",
    "load_duo_schools",
    "load_portfolio",
    "load_sites",
    "load_zones",
    "norm_gemeente",
    "resolve_path",
]
