"""Background layers of the plan maps: zone boundaries and the road network, offline.

Both are drawn from data the run already has, never from web tiles:

* **zone boundaries**: the CBS postcode-4 polygons (``cbs/cbs_pc4_polygons_krimpregios.geojson``
  in the data directory; it covers the 25 krimp gemeenten only) where a zone's postcode is
  found; for other zones (Delft, user zones) Voronoi cells around the zone points, clipped
  to the points' hull, which the map labels as approximate;
* **road network**: the edges of the graph the travel times were computed on (the file of
  ``network.source``, read with :func:`voorzieningen.network.load_network`); none when the
  travel times were estimated (``network.method = "estimate"``), which the map says.

:func:`background_for` builds both from a results folder's content
(:class:`~voorzieningen.record.SavedRun`); :func:`zone_cells` and :func:`road_lines` work
on their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString

from voorzieningen import tables as T
from voorzieningen.errors import InputDataError, NetworkError
from voorzieningen.network import load_network
from voorzieningen.schemas.network import NetworkSettings

#: CBS PC4 polygons, relative to the data directory (see data/cbs/PROVENANCE.md).
PC4_POLYGONS_FILE = "cbs/cbs_pc4_polygons_krimpregios.geojson"

#: Metric CRS used to build Voronoi cells (RD New; the cells are returned in WGS84).
_METRIC_CRS = "EPSG:28992"

#: Road classes drawn heavier (OSM ``highway`` values).
MAJOR_ROADS = frozenset(
    {"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary"}
)

ZoneSource = Literal["pc4", "voronoi", "mixed", "none"]
RoadSource = Literal["network", "estimate", "missing", "none"]


@dataclass(frozen=True)
class MapBackground:
    """Zone boundaries and road lines for a plan map, in WGS84 (EPSG:4326).

    Attributes
    ----------
    zones
        One polygon per zone (index ``zone``), or None.
    zone_source
        ``"pc4"`` (CBS postcode-4 polygons), ``"voronoi"`` (approximate cells around the
        zone points), ``"mixed"`` (both) or ``"none"``.
    roads
        Road lines with a boolean column ``major``, or None.
    road_source
        ``"network"`` (the run's road graph), ``"estimate"`` (travel times estimated, no
        network), ``"missing"`` (the network file could not be read) or ``"none"``.
    road_name
        The network file's name (empty when there is none).
    """

    zones: gpd.GeoDataFrame | None = None
    zone_source: ZoneSource = "none"
    roads: gpd.GeoDataFrame | None = None
    road_source: RoadSource = "none"
    road_name: str = ""


def _projected_points(zones: pd.DataFrame) -> gpd.GeoSeries:
    lon = pd.to_numeric(zones[T.LON]).to_numpy(dtype=float)
    lat = pd.to_numeric(zones[T.LAT]).to_numpy(dtype=float)
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=zones.index, crs="EPSG:4326")
    return points.to_crs(_METRIC_CRS)


def voronoi_cells(zones: pd.DataFrame) -> gpd.GeoDataFrame:
    """
    Return approximate zone cells: Voronoi polygons around the zone points.

    The cells are clipped to the points' convex hull grown by half the median distance
    between neighbouring points (at least 300 m), so that outer zones do not reach to
    the horizon.

    Parameters
    ----------
    zones
        Indexed by ``zone``; ``lon``, ``lat`` in WGS84 degrees.

    Returns
    -------
    geopandas.GeoDataFrame
        One polygon per zone (index ``zone``), EPSG:4326.
    """
    points = _projected_points(zones)
    xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    if len(xy) > 1:
        gaps = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=-1))
        np.fill_diagonal(gaps, np.inf)
        reach = max(0.5 * float(np.median(gaps.min(axis=1))), 300.0)
    else:
        reach = 500.0
    multipoint = shapely.MultiPoint(xy)
    extent = multipoint.convex_hull.buffer(reach)
    cells = shapely.get_parts(shapely.voronoi_polygons(multipoint, extend_to=extent))
    geometry = []
    for point in points:
        cell = next((c for c in cells if c.covers(point)), point.buffer(reach))
        geometry.append(cell.intersection(extent))
    out = gpd.GeoDataFrame(geometry=geometry, index=zones.index, crs=_METRIC_CRS)
    return out.to_crs("EPSG:4326")


def zone_cells(
    zones: pd.DataFrame, polygons_file: Path | None = None
) -> tuple[gpd.GeoDataFrame, ZoneSource]:
    """
    Return one boundary polygon per zone: CBS PC4 polygons where found, else Voronoi cells.

    Parameters
    ----------
    zones
        Indexed by ``zone`` (the PC4 code for CBS zones); ``lon``, ``lat`` in WGS84 degrees.
    polygons_file
        GeoJSON of PC4 polygons with a ``postcode`` property; None or a missing file means
        Voronoi cells only.

    Returns
    -------
    tuple
        The polygons (index ``zone``, EPSG:4326) and their source: ``"pc4"``,
        ``"voronoi"`` or ``"mixed"`` (Voronoi cells, trimmed by the PC4 polygons, for the
        zones without one).
    """
    ids = [str(i) for i in zones.index]
    cells = voronoi_cells(zones)
    cells.index = pd.Index(ids, name=T.ZONE)
    if polygons_file is None or not polygons_file.is_file():
        return cells, "voronoi"
    pc4 = gpd.read_file(polygons_file)
    if "postcode" not in pc4.columns:
        return cells, "voronoi"
    pc4["zone"] = pc4["postcode"].astype(str)
    pc4 = pc4[pc4["zone"].isin(ids)].drop_duplicates("zone").set_index("zone")
    if pc4.empty:
        return cells, "voronoi"
    pc4 = pc4.to_crs("EPSG:4326")
    if len(pc4) == len(ids):
        out = gpd.GeoDataFrame(geometry=pc4.geometry.reindex(ids), crs="EPSG:4326")
        out.index.name = T.ZONE
        return out, "pc4"
    covered = shapely.union_all(pc4.geometry.to_numpy())
    geometry = [
        pc4.geometry[z] if z in pc4.index else cells.geometry[z].difference(covered) for z in ids
    ]
    out = gpd.GeoDataFrame(geometry=geometry, index=cells.index, crs="EPSG:4326")
    return out, "mixed"


def road_lines(graph: Any) -> gpd.GeoDataFrame:
    """
    Return a road graph's edges as lines, one per street (both directions drawn once).

    Parameters
    ----------
    graph
        A networkx (Multi)DiGraph as :func:`voorzieningen.network.load_network` returns:
        node attributes ``x``, ``y`` (WGS84 degrees), edge attributes ``geometry``
        (optional) and ``highway``.

    Returns
    -------
    geopandas.GeoDataFrame
        Lines in EPSG:4326 with a boolean column ``major`` (motorway to secondary).
    """
    seen: set[tuple[Any, Any]] = set()
    geometry: list[Any] = []
    major: list[bool] = []
    for u, v, data in graph.edges(data=True):
        key = (u, v) if str(u) <= str(v) else (v, u)
        if key in seen:
            continue
        seen.add(key)
        line = data.get("geometry")
        if line is None:
            a, b = graph.nodes[u], graph.nodes[v]
            line = LineString([(float(a["x"]), float(a["y"])), (float(b["x"]), float(b["y"]))])
        highway = data.get("highway", "")
        kinds = highway if isinstance(highway, list) else [highway]
        geometry.append(line)
        major.append(any(str(k) in MAJOR_ROADS for k in kinds))
    return gpd.GeoDataFrame({"major": major}, geometry=geometry, crs="EPSG:4326")


def _data_dir(inputs: Mapping[str, Any], settings: Mapping[str, Any]) -> Path | None:
    """Return the data directory: the zones input path minus its ``centroids_file``."""
    zones_input = inputs.get("zones", {})
    relative = settings.get("zones", {}).get("centroids_file", "")
    path = str(zones_input.get("path", "")) if isinstance(zones_input, Mapping) else ""
    if not path or not relative or not path.endswith(str(relative)):
        return None
    return Path(path[: -len(str(relative))] or ".")


def background_for(zone_points: pd.DataFrame | None, run_json: Mapping[str, Any]) -> MapBackground:
    """
    Build a run's map background from its zone points and its ``run.json`` record.

    Parameters
    ----------
    zone_points
        Zones indexed by ``zone`` with ``lon``, ``lat`` (WGS84 degrees), or None.
    run_json
        The run's provenance record: ``settings`` (zones, network) and ``inputs`` (role to
        path; the ``zones`` path locates the data directory with the PC4 polygons, the
        ``network`` path is the road graph).

    Returns
    -------
    MapBackground
        Zone cells and road lines; a file that cannot be read leaves its layer out (the
        map says so) rather than failing the run.
    """
    settings = run_json.get("settings", {}) or {}
    inputs = run_json.get("inputs", {}) or {}
    zones: gpd.GeoDataFrame | None = None
    zone_source: ZoneSource = "none"
    if zone_points is not None and len(zone_points):
        data_dir = _data_dir(inputs, settings)
        polygons = data_dir / PC4_POLYGONS_FILE if data_dir is not None else None
        if settings.get("zones", {}).get("source", "cbs_pc4") != "cbs_pc4":
            polygons = None
        zones, zone_source = zone_cells(zone_points, polygons)
    network = settings.get("network", {}) or {}
    if network.get("method", "road") == "estimate":
        return MapBackground(zones, zone_source, None, "estimate")
    network_input = inputs.get("network", {})
    path = network_input.get("path") if isinstance(network_input, Mapping) else None
    if not path:
        return MapBackground(zones, zone_source, None, "none")
    try:
        graph = load_network(Path(path), settings=NetworkSettings.model_validate(network))
    except (NetworkError, InputDataError, OSError, ValueError):
        return MapBackground(zones, zone_source, None, "missing", Path(path).name)
    return MapBackground(zones, zone_source, road_lines(graph), "network", Path(path).name)
