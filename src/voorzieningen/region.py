"""Create a region folder (``inputs/<name>/``) from CBS gemeente names or codes.

A region folder is what a run needs besides the shared data: a documented
``scenarios.toml``, a ``portfolio.csv`` template for the corporation's own buildings, and a
``README.md`` that explains every portfolio column and what is left to fill in. Zones (CBS
PC4 areas), population (CBS) and primary schools (DUO) are not copied: the scenario names
the gemeenten and the run reads them from the data directory. When online, GP practices and
community centres of the area are listed from OpenStreetMap (``osm_candidates.csv``, rows
ready to copy into the portfolio); offline the README says what to fill in.

No maths here, and no downloads of its own: OSM features come from
:func:`voorzieningen.network.facilities_from_polygon` (osmnx, cached on disk).
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from voorzieningen import tables as T
from voorzieningen.errors import InputDataError, NetworkError, VoorzieningenWarning
from voorzieningen.inputs import load_duo_schools, load_zones, resolve_path
from voorzieningen.network.facilities import facilities_from_polygon
from voorzieningen.scenario_toml import scenario_toml
from voorzieningen.schemas.base import folder_name_problem
from voorzieningen.schemas.demand import DemandSettings
from voorzieningen.schemas.model import RECOMMENDED_SERVICE_WEIGHTS
from voorzieningen.schemas.network import NetworkSettings
from voorzieningen.schemas.scenario import FacilitySettings, ZoneSettings

#: CBS key figures per gemeente 2022 (codes ``GMxxxx`` and names), relative to the data dir.
KWB_GEMEENTEN_FILE = "cbs/cbs_kwb2022_gemeenten_nl.csv"
#: PC4 polygons (WGS84) of the 25 krimp gemeenten, relative to the data directory.
PC4_POLYGONS_FILE = "cbs/cbs_pc4_polygons_krimpregios.geojson"
#: Gemeente polygons (WGS84) of the 25 krimp gemeenten, relative to the data directory.
GEMEENTE_POLYGONS_FILE = "cbs/cbs_kwb2022_gemeenten_krimpregios.geojson"
#: Buffer around the zone centroids when no polygon of the area is available, in degrees
#: (0.02 degrees is about 1.3-2.2 km in the Netherlands; an assumption, only used for the
#: OpenStreetMap query area).
CENTROID_BUFFER_DEG = 0.02
#: OpenStreetMap tags of the facilities listed as candidates for the portfolio, and the
#: service each becomes.
OSM_CANDIDATE_TAGS: dict[str, tuple[tuple[str, str], ...]] = {
    "gp": (("amenity", "doctors"), ("healthcare", "doctor")),
    "community_hall": (("amenity", "community_centre"),),
}
#: Default capex budgets written into a new region's scenario, € (the order of magnitude of
#: a rural corporation's yearly investment room for social real estate: an assumption, to be
#: replaced by the corporation's own figure).
DEFAULT_BUDGET_TOTAL_EUR = 5_000_000
DEFAULT_BUDGET_PER_PERIOD_EUR = 3_000_000

#: What each portfolio column means (written into the region's README.md; the portfolio
#: reader does not accept comment lines).
PORTFOLIO_DOCS: dict[str, str] = {
    "site_id": "Unique id of the building or site (letters, digits, `-`). A row "
    "`duo-<vestigingscode>` describes the building of a DUO school of the region (its "
    "vestigingscode in the DUO file) and makes that school the corporation's to plan.",
    "name": "Name shown in reports and maps.",
    "kind": "`existing` (a building in use) or `candidate` (a plot where the plan may build "
    "new or an MFA).",
    "service": "Current service of an existing building: `school`, `gp` or `community_hall`; "
    "empty for a candidate.",
    "allowed_services": "`;`-separated services the building may host after a conversion or "
    "as an MFA (e.g. `gp;community_hall`); empty = all three.",
    "managed": "`true` (default): the plan decides on this building; `false`: it stays as it "
    "is and only counts for accessibility (e.g. a practice owned by others).",
    "lon": "Longitude, WGS84 degrees (e.g. 6.6793), not RD metres.",
    "lat": "Latitude, WGS84 degrees (e.g. 53.4300).",
    "floor_area_m2": "Gross floor area (m² BVO). Empty: sized from the capacity and the "
    "service's space norm (`costs.<service>.m2_per_place`).",
    "capacity_places": "Places of the current service: pupils for a school, patients on the "
    "list for a GP practice (LHV normpraktijk: about 2,095 patients per FTE GP), visitor "
    "equivalents for a community hall. Empty: floor area / space norm.",
    "end_of_life_year": "First year in which the building can no longer be used as it is "
    "(technical end of life, e.g. from a NEN 2767 condition survey); the plan must renovate, "
    "convert or close it by then.",
    "sale_value_eur": "Net proceeds if closed and sold, €; negative for a demolition cost.",
    "gemeente": "The building's municipality (optional, for reports).",
    "min_places": "Smallest viable size of the row's own service while open (places); empty: "
    "the service default (for schools the gemeente's opheffingsnorm).",
    "max_places": "Largest size of the row's own service at this site (places); empty: the "
    "service default (`costs.<service>.max_places`), or the building's current capacity if "
    "it is already larger.",
    "max_floor_area_m2": "Largest floor area after any extension (m² BVO), for an existing "
    "building or a candidate plot; empty: the current area times "
    "(1 + `costs.max_extension_share`).",
    "lock": "What the owner or user will not accept, `;`-separated: `must_keep` (stays open "
    "with its service), `no_close`, `no_sale` (may close but is not sold), `no_convert` (no "
    "other service, no MFA). Existing buildings only.",
    "note": "Free text (source of the figures, condition, agreements).",
}


@dataclass(frozen=True)
class Region:
    """A region folder that was created.

    Attributes
    ----------
    name
        The region name (folder name).
    folder
        The folder written.
    gemeenten
        CBS names of the region's municipalities, with their ``GMxxxx`` codes ('' if unknown).
    zones
        Indexed by ``zone`` (PC4); columns ``gemeente``, ``plaats``, ``population_persons``
        (CBS, 1-1-2021), ``area_km2``, ``has_polygon``, ``lon``, ``lat``.
    schools
        The DUO basisscholen of the region, indexed by ``site`` (``duo-<vestigingscode>``);
        columns ``name``, ``pupils_persons`` (DUO, Nov 2024), ``lon``, ``lat``.
    candidates
        GP practices and community centres from OpenStreetMap as portfolio rows, or None
        when they could not be listed (offline, or not asked).
    osm_message
        What happened with the OpenStreetMap listing, in one sentence.
    files
        The files written.
    """

    name: str
    folder: Path
    gemeenten: dict[str, str]
    zones: pd.DataFrame
    schools: pd.DataFrame
    candidates: pd.DataFrame | None
    osm_message: str
    files: list[Path] = field(default_factory=list)


def _norm(name: object) -> str:
    return re.sub(r"[^A-Z0-9]", "", str(name).upper()) if isinstance(name, str) else ""


def gemeente_codes(data_dir: Path) -> dict[str, str]:
    """
    Return the CBS gemeente code -> name table known from the data directory.

    Codes of the 2022 key figures (``KWB_GEMEENTEN_FILE``) come first; codes of earlier
    indelingen (CBS 37259, 2012-2023) fill the rest, so a 2021 code such as ``GM0756``
    (Boxmeer) resolves too.

    Parameters
    ----------
    data_dir
        The shared data directory.

    Returns
    -------
    dict
        ``{"GM1966": "Het Hogeland", ...}``.
    """
    codes: dict[str, str] = {}
    history = resolve_path(data_dir, DemandSettings().history_source, what="history_source")
    if history.is_file():
        frame = pd.read_csv(history, usecols=["Regions", "Regions Label"], dtype=str)
        frame["Regions"] = frame["Regions"].str.strip()
        frame = frame[frame["Regions"].str.startswith("GM")]
        codes.update(zip(frame["Regions"], frame["Regions Label"].str.strip(), strict=True))
    kwb = resolve_path(data_dir, KWB_GEMEENTEN_FILE, what="gemeente codes")
    if kwb.is_file():
        frame = pd.read_csv(kwb, usecols=["code", "name"], dtype=str)
        codes.update(zip(frame["code"].str.strip(), frame["name"].str.strip(), strict=True))
    return codes


def resolve_gemeenten(data_dir: Path, given: Sequence[str]) -> dict[str, str]:
    """
    Check gemeente names or codes against the CBS PC4 file and return their CBS names.

    Parameters
    ----------
    data_dir
        The shared data directory.
    given
        Names (any capitalisation, e.g. ``"het hogeland"``) or codes (``"GM1966"``,
        ``"1966"``).

    Returns
    -------
    dict
        CBS name (as in the PC4 file, 2021 indeling) -> code (``''`` if not known), in the
        order given, without duplicates.

    Raises
    ------
    InputDataError
        Naming every unknown name or code with the closest known names.
    """
    if not given:
        msg = (
            "(--gemeente) | give at least one gemeente name or code, e.g. --gemeente 'Het Hogeland'"
        )
        raise InputDataError(msg)
    path = resolve_path(data_dir, ZoneSettings().centroids_file, what="zones.centroids_file")
    frame = T.read_csv(path, required=("postcode", "gemeente"), what="PC4 centroids")
    names = sorted({str(g) for g in frame["gemeente"].dropna()})
    by_norm = {_norm(g): g for g in names}
    codes = gemeente_codes(data_dir)
    code_of = {_norm(name): code for code, name in sorted(codes.items())}
    lower = {g.lower(): g for g in names}
    found: dict[str, str] = {}
    problems: list[str] = []
    for raw in given:
        text = raw.strip()
        code_match = re.fullmatch(r"(?i)(?:GM)?(\d{1,4})", text)
        if code_match:
            code = f"GM{int(code_match.group(1)):04d}"
            name = codes.get(code)
            if name is None:
                near = sorted(codes, key=lambda c: abs(int(c[2:]) - int(code[2:])))[:3]
                hint = ", ".join(f"{c} {codes[c]}" for c in near)
                problems.append(f"{raw!r}: unknown gemeente code; nearest codes: {hint}")
                continue
            cbs = by_norm.get(_norm(name))
            if cbs is None:
                near = difflib.get_close_matches(name.lower(), list(lower), n=3, cutoff=0.6)
                problems.append(
                    f"{raw!r} ({name}) has no PC4 areas in {path} (gemeente indeling of 2021); "
                    + (
                        f"close names there: {', '.join(lower[n] for n in near)}"
                        if near
                        else "give the gemeenten it was formed from, by name"
                    )
                )
                continue
            found.setdefault(cbs, code)
            continue
        cbs = by_norm.get(_norm(text))
        if cbs is None:
            near = difflib.get_close_matches(text.lower(), list(lower), n=5, cutoff=0.6)
            hint = (
                f"did you mean {', '.join(repr(lower[n]) for n in near)}?"
                if near
                else "no close name; check the spelling (CBS names, e.g. 'Het Hogeland', "
                "'Súdwest-Fryslân') or give the code (GM1966)"
            )
            problems.append(f"{raw!r}: unknown gemeente; {hint}")
            continue
        found.setdefault(cbs, code_of.get(_norm(cbs), ""))
    if problems:
        msg = f"({path}, gemeente) | " + "\n".join(problems)
        raise InputDataError(msg)
    return found


def region_zones(data_dir: Path, gemeenten: Sequence[str]) -> pd.DataFrame:
    """
    Return the CBS PC4 zones of some gemeenten, with population, area and polygon flag.

    Parameters
    ----------
    data_dir
        The shared data directory.
    gemeenten
        CBS names (as returned by :func:`resolve_gemeenten`).

    Returns
    -------
    pandas.DataFrame
        See :attr:`Region.zones`.
    """
    settings = ZoneSettings(gemeenten=list(gemeenten))
    zones = load_zones(data_dir, data_dir, settings)
    path = resolve_path(data_dir, settings.centroids_file, what="zones.centroids_file")
    extra = pd.read_csv(
        path, usecols=["postcode", "inwoners", "oppervlakte_km2", "plaats"], dtype={"postcode": str}
    ).set_index("postcode")
    zones = zones.join(extra)
    zones = zones.rename(columns={"inwoners": "population_persons", "oppervlakte_km2": "area_km2"})
    polygons = _pc4_polygons(data_dir)
    zones["has_polygon"] = zones.index.isin(list(polygons))
    return zones[
        [T.GEMEENTE, "plaats", "population_persons", "area_km2", "has_polygon", T.LON, T.LAT]
    ]


def _pc4_polygons(data_dir: Path) -> dict[str, BaseGeometry]:
    path = resolve_path(data_dir, PC4_POLYGONS_FILE, what="PC4 polygons")
    if not path.is_file():
        return {}
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return {
        str(f["properties"]["postcode"]): shape(f["geometry"])
        for f in features
        if f.get("geometry")
    }


def region_area(data_dir: Path, zones: pd.DataFrame, codes: Sequence[str]) -> BaseGeometry:
    """
    Return the region's area in WGS84, for the OpenStreetMap query.

    The union of the zones' PC4 polygons when every zone has one; else the union of the
    gemeente polygons when every gemeente has one; else the convex hull of the zone
    centroids buffered by :data:`CENTROID_BUFFER_DEG`.

    Parameters
    ----------
    data_dir
        The shared data directory.
    zones
        The region's zones (:func:`region_zones`).
    codes
        The gemeenten's ``GMxxxx`` codes.

    Returns
    -------
    shapely.geometry.base.BaseGeometry
        A (Multi)Polygon in lon/lat degrees.
    """
    polygons = _pc4_polygons(data_dir)
    if len(zones) and all(z in polygons for z in zones.index):
        return shapely.union_all([polygons[z] for z in zones.index])
    path = resolve_path(data_dir, GEMEENTE_POLYGONS_FILE, what="gemeente polygons")
    if path.is_file() and codes:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        found = {str(f["properties"].get("code")): shape(f["geometry"]) for f in features}
        if all(c in found for c in codes):
            return shapely.union_all([found[c] for c in codes])
    points = shapely.multipoints(zones[[T.LON, T.LAT]].to_numpy(dtype=float))
    return shapely.convex_hull(points).buffer(CENTROID_BUFFER_DEG)


def region_schools(data_dir: Path, gemeenten: Sequence[str]) -> pd.DataFrame:
    """
    Return the DUO basisscholen of some gemeenten with their pupils.

    Parameters
    ----------
    data_dir
        The shared data directory.
    gemeenten
        CBS names.

    Returns
    -------
    pandas.DataFrame
        See :attr:`Region.schools`.
    """
    sites = load_duo_schools(
        data_dir, list(gemeenten), FacilitySettings(school_capacity_headroom=1.0)
    )
    schools = pd.DataFrame(
        {
            T.NAME: sites[T.NAME],
            "pupils_persons": sites[T.CAPACITY_PLACES],
            T.GEMEENTE: sites[T.GEMEENTE],
            T.LON: sites[T.LON],
            T.LAT: sites[T.LAT],
        }
    )
    return schools.sort_values([T.GEMEENTE, T.NAME])


def osm_candidates(area: BaseGeometry, *, cache_dir: Path | None) -> pd.DataFrame:
    """
    List GP practices and community centres of an area from OpenStreetMap as portfolio rows.

    Parameters
    ----------
    area
        The area (WGS84).
    cache_dir
        Cache of downloaded answers (None: no cache).

    Returns
    -------
    pandas.DataFrame
        Portfolio columns (:data:`PORTFOLIO_DOCS`), one row per OSM object: ``site_id``
        ``osm-<n|w|r><id>``, ``kind`` existing, ``service`` gp or community_hall,
        ``managed`` false (to be checked), numbers empty, and a note naming the OSM object.

    Raises
    ------
    NetworkError
        If OpenStreetMap cannot be reached and nothing is cached.
    """
    found = facilities_from_polygon(area, cache_dir=cache_dir, kinds=OSM_CANDIDATE_TAGS)
    rows = pd.DataFrame(
        {
            "site_id": [s.replace("osm_", "osm-") for s in found.index.astype(str)],
            "name": found["name"].astype(str).to_numpy(),
            "kind": "existing",
            "service": found["kind"].astype(str).to_numpy(),
            "allowed_services": "",
            "managed": "false",
            "lon": found["lon"].round(6).to_numpy(),
            "lat": found["lat"].round(6).to_numpy(),
            "floor_area_m2": "",
            "capacity_places": "",
            "end_of_life_year": "",
            "sale_value_eur": "",
            "gemeente": "",
            "note": [
                f"OpenStreetMap {t} {i} (© OpenStreetMap contributors, ODbL); check, fill in "
                "size and capacity, set managed=true if the corporation owns it"
                for t, i in zip(found["osm_type"], found["osm_id"], strict=True)
            ],
        },
        columns=list(PORTFOLIO_DOCS),
    )
    return rows.sort_values(["service", "name", "site_id"]).reset_index(drop=True)


# --- the documented scenario file -------------------------------------------------------


def _network_values(network_source: str | None) -> dict[str, Any]:
    if network_source:
        return {"source": network_source, "mode": "car", "cutoff_min": 60}
    return {"method": "estimate", "mode": "car", "cutoff_min": 60}


def _network_notes(network_source: str | None, place: str) -> dict[str, list[str]]:
    lines = [
        "# Travel times. Three ways, best first:",
        f'#  1. the real road network, downloaded once with osmnx and cached:  source = "{place}"',
        "#     (needs internet at the first run; `--cache-dir` keeps the download);",
        '#  2. a local OSM extract or GraphML in the data directory: source = "osm/<file>.osm.pbf";',
        '#  3. method = "estimate": straight-line distance times a detour factor at a speed per',
        "#     mode, calibrated on real road networks. Every report then says the travel times",
        "#     are estimated. Use it to start, not to defend a closure.",
    ]
    if network_source:
        return {"base.network": lines}
    return {
        "base.network": [
            *lines,
            "# No road network of this region is in the data directory, so this file starts",
            f'# with the estimate. Replace `method = "estimate"` by `source = "{place}"` when online.',
        ],
    } | (
        {}
        if "method" in NetworkSettings.model_fields
        else {  # documentation of the key until the schema has it
            "base.network.method": [
                '# "road": travel times over the road network of `source`; "estimate":',
                "# straight-line distance times a detour factor at a speed per mode.",
            ]
        }
    )


def default_overrides() -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """
    Return the scenario variants written into every new region.

    Returns
    -------
    tuple of (dict, dict)
        The overrides (a budget of half the default, the ``krimp`` population variant of
        :class:`~voorzieningen.schemas.demand.DemandSettings`, pupils by bicycle) and the
        ``[scenarios]`` lists using them.
    """
    overrides: dict[str, dict[str, Any]] = {
        "budget_krap": {
            "budget.capex_total_eur": DEFAULT_BUDGET_TOTAL_EUR // 2,
            "budget.capex_per_period_eur": DEFAULT_BUDGET_PER_PERIOD_EUR // 2,
        },
        "krimp": {"demand.scenario": "krimp"},
        "fiets_leerlingen": {
            "network.mode": "bicycle",
            "model.services": ["school"],
        },
    }
    scenarios = {
        "krap": ["budget_krap"],
        "krimp": ["krimp"],
        "krimp_krap": ["krimp", "budget_krap"],
        "fiets": ["fiets_leerlingen"],
    }
    return overrides, scenarios


def _readme(
    region: str,
    gemeenten: Mapping[str, str],
    zones: pd.DataFrame,
    schools: pd.DataFrame,
    candidates: pd.DataFrame | None,
    osm_message: str,
    network_source: str | None,
) -> str:
    names = ", ".join(f"{g} ({c})" if c else g for g, c in gemeenten.items())
    place = f"{next(iter(gemeenten))}, Netherlands"
    pupils = float(schools["pupils_persons"].sum())
    polygons = int(zones["has_polygon"].sum())
    rows = "\n".join(f"| `{col}` | {text} |" for col, text in PORTFOLIO_DOCS.items())
    if candidates is not None and len(candidates):
        counts = candidates["service"].value_counts()
        osm = (
            f"`osm_candidates.csv` lists {len(candidates)} objects tagged in OpenStreetMap "
            f"({int(counts.get('gp', 0))} GP practices, {int(counts.get('community_hall', 0))} "
            "community centres) as portfolio rows. Check each (OSM is incomplete and sometimes "
            "outdated), fill in floor area, capacity, end of life and sale value, and copy the "
            "rows into `portfolio.csv`: `managed = true` for the corporation's own buildings, "
            "`false` for practices and halls of others (they count for accessibility only)."
        )
    else:
        osm = (
            f"{osm_message} Fill in `portfolio.csv` yourself: every **GP practice** "
            "(huisartsenpraktijk, gezondheidscentrum) and every **community hall** (dorpshuis, "
            "MFA, buurthuis) of the region, the corporation's own with `managed = true` and "
            "those of others with `managed = false` (they count for accessibility: without "
            "them the plan sees no GP or hall there). Sources: the corporation's asset register; "
            "for others the gemeente, the zorggroep or OpenStreetMap (rerun `voorzieningen "
            "region` online in an empty folder to get `osm_candidates.csv`)."
        )
    travel = (
        f'Travel times come from `network.source = "{network_source}"`.'
        if network_source
        else (
            'Travel times are **estimated** (`network.method = "estimate"`): straight-line '
            "distance times a detour factor. For a plan you defend, download the real road "
            f'network once (online): replace the line by `source = "{place}"` in '
            "`[base.network]` of `scenarios.toml`; osmnx caches it (`--cache-dir`)."
        )
    )
    return f"""# Region `{region}`

Created by `voorzieningen region` from: {names}.

- **Zones**: {len(zones)} CBS postcode-4 areas ({polygons} with a polygon in the data),
  {zones["population_persons"].sum():,.0f} inhabitants on 1-1-2021 (CBS). They are read from the
  data directory at run time (`[base.zones]` in `scenarios.toml`); nothing is copied here.
- **Schools**: {len(schools)} DUO basisscholen with {pupils:,.0f} pupils (DUO, Nov 2024), read
  at run time. They count for accessibility and stay open as they are (school boards own
  them), unless the corporation lists a school's building in `portfolio.csv` with site_id
  `duo-<vestigingscode>` (the code is in the DUO file, column `vestigingscode`, and printed by
  `voorzieningen region`); then the plan may renovate, merge, convert or close it.
- **GP practices and community halls**: {osm}

## What to fill in

1. `portfolio.csv`: one row per building or candidate plot (columns below). Until it lists GP
   practices and community halls, `scenarios.toml` plans schools only
   (`model.services`); add `"gp"` and `"community_hall"` there once they are listed.
2. `scenarios.toml`: periods, budgets (`[base.budget]`: the defaults are placeholders),
   norms. Every setting is listed there with its documentation; `voorzieningen schema`
   prints the same as JSON.
3. {travel}

Then check and run (from the repository root):

```bash
voorzieningen validate inputs/{region}/scenarios.toml --data-dir ../shared/data
voorzieningen run inputs/{region}/scenarios.toml --data-dir ../shared/data
voorzieningen sweep inputs/{region}/scenarios.toml --data-dir ../shared/data
```

## `portfolio.csv` columns

Required: `site_id`, `name`, `kind`, `service` (empty for candidates), `lon`, `lat`. Numbers
use a decimal point and no thousands separators; an empty cell means unknown. The file has
no comment lines (the reader would take them for data).

| column | meaning |
|---|---|
{rows}

Data: CBS (CC BY 4.0), PC4 geometry CBS en Kadaster, DUO open onderwijsdata,
© OpenStreetMap contributors (ODbL).
"""


def create_region(
    name: str,
    gemeenten: Sequence[str],
    *,
    data_dir: Path,
    out: Path = Path("inputs"),
    network_source: str | None = None,
    osm: bool = True,
    cache_dir: Path | None = None,
    description: str | None = None,
) -> Region:
    """
    Create a region folder ``out/<name>/`` from gemeente names or codes.

    Writes ``scenarios.toml`` (every setting documented), ``portfolio.csv`` (the header of
    the corporation's portfolio, to fill in), ``README.md`` (what each column means and what
    is left to do) and, when OpenStreetMap could be reached, ``osm_candidates.csv``. The folder
    is written to a temporary folder first and renamed into place.

    Parameters
    ----------
    name
        Region name (letters, digits, ``.``, ``_``, ``-``), the folder name.
    gemeenten
        Gemeente names or ``GMxxxx`` codes.
    data_dir
        The shared data directory (CBS and DUO files).
    out
        The folder holding region folders (``inputs``).
    network_source
        A road network for ``[base.network] source`` (a file in the data directory or a
        place name); None writes ``method = "estimate"``.
    osm
        Whether to list GP practices and community centres from OpenStreetMap (osmnx,
        cached in ``cache_dir``); offline this is reported, not an error.
    cache_dir
        Cache of OpenStreetMap answers (None: no cache).
    description
        The scenario's description (default: names the gemeenten).

    Returns
    -------
    Region
        What was written, with the zones, schools and candidates found.

    Raises
    ------
    InputDataError
        If the name is not a valid folder name, the folder exists, or a gemeente is unknown.
    """
    problem = folder_name_problem(name)
    if problem is not None:
        msg = (
            f"(region name) | not a valid region name: {problem}; use letters, "
            "digits, '.', '_' and '-' only, not starting or ending with '.' (e.g. het-hogeland)"
        )
        raise InputDataError(msg)
    folder = Path(out) / name
    if folder.exists():
        msg = (
            f"({folder}) | the region folder already exists; it is never overwritten. Choose "
            "another name or --out folder, or remove the folder yourself."
        )
        raise InputDataError(msg)
    found = resolve_gemeenten(data_dir, gemeenten)
    names = list(found)
    zones = region_zones(data_dir, names)
    schools = region_schools(data_dir, names)
    missing = [g for g in names if _norm(g) not in set(schools[T.GEMEENTE].map(_norm))]
    if missing:
        warnings.warn(
            f"no DUO basisschool found for {missing} in {FacilitySettings().duo_file}; the DUO "
            "file uses the gemeente indeling and spelling of 2024 (check the 'gemeente' column "
            "there), so the region will have no schools of these gemeenten",
            VoorzieningenWarning,
            stacklevel=2,
        )
    candidates: pd.DataFrame | None = None
    if not osm:
        osm_message = "OpenStreetMap was not consulted (--no-osm)."
    else:
        area = region_area(data_dir, zones, [c for c in found.values() if c])
        try:
            candidates = osm_candidates(area, cache_dir=cache_dir)
            osm_message = (
                f"OpenStreetMap lists {len(candidates)} GP practices and community centres "
                "in the area."
            )
        except NetworkError as err:
            osm_message = f"OpenStreetMap could not be reached ({err})."
    place = f"{names[0]}, Netherlands"
    base: dict[str, Any] = {
        "region": name,
        "description": description
        or f"{', '.join(names)}: schools, GP practices and community halls, 2025-2040",
        "periods": [2025, 2030, 2035, 2040],
        "zones": {"source": "cbs_pc4", "gemeenten": names},
        "network": _network_values(network_source),
        "facilities": {"duo_schools": True, "portfolio_file": "portfolio.csv"},
        "budget": {
            "capex_total_eur": DEFAULT_BUDGET_TOTAL_EUR,
            "capex_per_period_eur": DEFAULT_BUDGET_PER_PERIOD_EUR,
        },
        "model": {
            "objective": "access",
            "services": ["school"],
            "service_weights": dict(RECOMMENDED_SERVICE_WEIGHTS),
        },
        "solver": {"time_limit_s": 300, "mip_rel_gap": 0.005},
    }
    notes = _network_notes(network_source, place)
    notes["base.model.services"] = [
        "# Schools only until portfolio.csv lists GP practices and community halls; then",
        '# list all three: "school", "gp", "community_hall".',
    ]
    notes["base.model.service_weights"] = [
        "# Return trips per year per unit of demand (a pupil goes to school ~190 days a year,",
        "# a patient ~3 times, a visitor equivalent 12 times): travel minutes per year.",
    ]
    notes["base.budget.capex_total_eur"] = [
        "# Placeholder budgets (assumption): replace by the corporation's own figures."
    ]
    overrides, scenario_lists = default_overrides()
    notes["overrides.budget_krap"] = [
        "# Variants: `voorzieningen run scenarios.toml -s krimp` (or `sweep` for all of them)."
    ]
    codes = ", ".join(f"{g} ({c})" if c else g for g, c in found.items())
    header = [
        f"Region {name}: {len(zones)} CBS PC4 areas of {codes}, {len(schools)} DUO basisscholen",
        f"({schools['pupils_persons'].sum():,.0f} pupils, Nov 2024), and the corporation's "
        "portfolio (portfolio.csv; see README.md).",
        "Created by `voorzieningen region`. Data files are read from the data directory",
        "(--data-dir or VOORZIENINGEN_DATA_DIR). Every setting is listed below with its",
        "documentation; a commented line `# key = value` shows the default: uncomment it to",
        "change it. Unknown keys are errors. `voorzieningen schema` prints the same as JSON.",
    ]
    text = scenario_toml(
        base, header=header, notes=notes, overrides=overrides, scenarios=scenario_lists
    )
    out_path = Path(out)
    out_path.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=out_path))
    try:
        tmp.chmod(0o755)
        (tmp / "scenarios.toml").write_text(text, encoding="utf-8")
        pd.DataFrame(columns=list(PORTFOLIO_DOCS)).to_csv(tmp / "portfolio.csv", index=False)
        if candidates is not None and len(candidates):
            candidates.to_csv(tmp / "osm_candidates.csv", index=False)
        readme = _readme(name, found, zones, schools, candidates, osm_message, network_source)
        (tmp / "README.md").write_text(readme, encoding="utf-8")
        if folder.exists():  # created meanwhile by someone else
            msg = f"({folder}) | the region folder already exists; it is never overwritten."
            raise InputDataError(msg)
        tmp.replace(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    files = sorted(folder.iterdir())
    return Region(
        name=name,
        folder=folder,
        gemeenten=found,
        zones=zones,
        schools=schools,
        candidates=candidates,
        osm_message=osm_message,
        files=files,
    )
