"""Estimated travel times when no road network is at hand: straight line x detour factor.

Used only when a scenario sets ``network.method = "estimate"``; never as a silent substitute
for a missing road network (see :data:`voorzieningen.schemas.network.NO_NETWORK_HELP`).

For a resident at point p and a site at s::

    distance_km     = detour_factor[mode] * haversine_km(p, s)
    travel_time_min = 60 * distance_km / speed_kph[mode]

Both parameters are calibrated on real road networks by ``benchmarks/detour_calibration.py``.

**Spread of residents.** A zone is not its centroid: its residents live spread over its
settled area. With ``spread = "settlement"`` each zone's residents are placed uniformly on a
disk around the centroid whose area is ``population / settled_density_per_km2`` km² (at
most the zone's own area; clipped to the zone polygon when one is given), as
``spread_points`` points of a sunflower (Vogel) pattern, all of equal weight. A zone's
distance and time to a site are the means over its resident points (a population-weighted
mean, since the points carry equal shares). :func:`resident_points` returns the points, so
per-resident measures (each resident's own nearest site) can be computed from them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import transform

from voorzieningen.errors import InputDataError
from voorzieningen.network.od import (
    TravelTimes,
    road_source_label,
    validate_points,
)
from voorzieningen.network.reachability import REACHABILITY_COLUMNS
from voorzieningen.network.snap import utm_crs
from voorzieningen.network.zones import SUBPOINT_COLUMNS
from voorzieningen.schemas.network import NetworkSettings

FloatArray = npt.NDArray[np.float64]

ESTIMATE_SOURCE = "estimate (straight line x detour factor)"
"""Value of ``TravelTimes.meta["travel_time_source"]`` for estimated travel times."""

_EARTH_RADIUS_KM = 6371.009
_CHUNK_ELEMENTS = 4_000_000
_CACHE_VERSION = "estimate-v1"


def haversine_km(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> FloatArray:
    """
    Great-circle distance in km between WGS84 points (broadcasting numpy arrays).

    Parameters
    ----------
    lon1, lat1, lon2, lat2
        Degrees; any shapes that broadcast together.

    Returns
    -------
    numpy.ndarray
        Distances in km (mean Earth radius 6371.009 km).
    """
    p1, q1, p2, q2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    h = np.sin((q2 - q1) / 2) ** 2 + np.cos(q1) * np.cos(q2) * np.sin((p2 - p1) / 2) ** 2
    out: FloatArray = 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return out


def sunflower_disk(n: int) -> FloatArray:
    """
    Return ``n`` points spread evenly over the unit disk (Vogel's sunflower pattern).

    Parameters
    ----------
    n
        Number of points (>= 1); ``n = 1`` gives the centre.

    Returns
    -------
    numpy.ndarray
        Shape (n, 2): x, y in units of the disk radius, each point holding 1/n of the area.
    """
    if n == 1:
        return np.zeros((1, 2))
    i = np.arange(n) + 0.5
    r = np.sqrt(i / n)
    theta = i * np.pi * (3.0 - np.sqrt(5.0))
    return np.column_stack([r * np.cos(theta), r * np.sin(theta)])


def travel_time_source(graph_source: str | None) -> str:
    """
    Return the label of a travel-time source for reports, ``run.json`` and summary.csv.

    Parameters
    ----------
    graph_source
        The road network's ``graph.graph["source"]`` (a file path or a place name), or
        None for estimated travel times.

    Returns
    -------
    str
        :data:`ESTIMATE_SOURCE`, or :func:`voorzieningen.network.od.road_source_label`.
    """
    return ESTIMATE_SOURCE if graph_source is None else road_source_label(graph_source)


def _zone_geometries(
    zone_geometry: Any, ids: npt.NDArray[np.str_]
) -> list[BaseGeometry | None] | None:
    if zone_geometry is None:
        return None
    if isinstance(zone_geometry, dict):
        lookup = {str(k): v for k, v in zone_geometry.items()}
    else:
        series = pd.Series(zone_geometry)
        lookup = {str(k): v for k, v in series.items()}
    out: list[BaseGeometry | None] = []
    for zone in ids:
        geom = lookup.get(str(zone))
        if geom is not None and not isinstance(geom, BaseGeometry):
            msg = (
                f"(zone_geometry) | zone {zone}: not a shapely geometry ({type(geom).__name__});"
                " pass WGS84 (Multi)Polygons indexed by zone"
            )
            raise InputDataError(msg)
        out.append(None if geom is None or geom.is_empty else geom)
    return out


def resident_points(
    zones: pd.DataFrame,
    *,
    settings: NetworkSettings,
    zone_geometry: Any = None,
    population_col: str = "population_persons",
    area_col: str = "area_km2",
) -> pd.DataFrame:
    """
    Place each zone's residents on its settlement disk (see the module docstring).

    Parameters
    ----------
    zones
        Indexed by zone id, with ``lon``, ``lat`` (centroid, WGS84 degrees) and optionally
        ``population_col`` (persons) and ``area_col`` (km²). Without population a zone keeps
        a single point at its centroid.
    settings
        Network settings; ``settings.estimate`` holds the spread model.
    zone_geometry
        Optional WGS84 (Multi)Polygons by zone id (a dict, Series or GeoSeries). Their area
        replaces ``area_col``, and disk points outside the polygon are dropped.
    population_col, area_col
        Column names.

    Returns
    -------
    pandas.DataFrame
        RangeIndex; the columns of :data:`voorzieningen.network.zones.SUBPOINT_COLUMNS`:
        ``point`` (``"<zone>#<k>"``, or the zone id for a centroid point), ``zone``,
        ``node`` (None), ``lon``, ``lat``, ``weight`` (share of the zone's residents,
        summing to 1 per zone), ``population_persons`` and ``method`` (``"settlement"`` or
        ``"centroid"``).

    Raises
    ------
    InputDataError
        If population or area is negative, or a geometry is not a shapely geometry.
    """
    pts = validate_points(zones, "zones", "zone")
    ids = pts.index.to_numpy().astype(str)
    lon, lat = pts["lon"].to_numpy(), pts["lat"].to_numpy()
    n = len(ids)
    pop = np.full(n, np.nan)
    if population_col in zones.columns:
        pop = pd.to_numeric(zones[population_col], errors="coerce").to_numpy(float)
    area = np.full(n, np.inf)
    if area_col in zones.columns:
        area = pd.to_numeric(zones[area_col], errors="coerce").fillna(np.inf).to_numpy(float)
    geoms = _zone_geometries(zone_geometry, ids)
    if geoms is not None and n:
        crs = utm_crs(float(np.mean(lon)), float(np.mean(lat)))
        to_m = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        for i, geom in enumerate(geoms):
            if geom is not None:
                area[i] = transform(to_m.transform, geom).area / 1e6
    bad = (pop < 0) | (area < 0)
    if bad.any():
        msg = (
            f"(zones) | negative {population_col} or {area_col} for zones "
            f"{', '.join(ids[bad][:5])}; give persons and km² >= 0"
        )
        raise InputDataError(msg)
    est = settings.estimate
    radius_km = np.zeros(n)
    if est.spread == "settlement":
        settled = np.where(np.isfinite(pop), pop, 0.0) / est.settled_density_per_km2
        radius_km = np.sqrt(np.minimum(settled, area) / np.pi)
    unit = sunflower_disk(est.spread_points)
    k = len(unit)
    dx = radius_km[:, None] * unit[None, :, 0]
    dy = radius_km[:, None] * unit[None, :, 1]
    plat = lat[:, None] + np.degrees(dy / _EARTH_RADIUS_KM)
    plon = lon[:, None] + np.degrees(dx / (_EARTH_RADIUS_KM * np.cos(np.radians(lat[:, None]))))
    keep = np.broadcast_to(radius_km[:, None] > 0, (n, k)).copy()
    keep[:, 0] |= radius_km == 0
    if geoms is not None:
        for i, geom in enumerate(geoms):
            if geom is not None and radius_km[i] > 0:
                inside = shapely.contains_xy(geom, plon[i], plat[i])
                keep[i] = inside if inside.any() else keep[i]
    zi, ki = np.nonzero(keep)
    counts = np.bincount(zi, minlength=n)
    spread = radius_km[zi] > 0
    weight = 1.0 / counts[zi]
    frame = pd.DataFrame(
        {
            "point": np.where(
                spread, np.char.add(np.char.add(ids[zi], "#"), ki.astype(str)), ids[zi]
            ),
            "zone": ids[zi],
            "node": np.full(len(zi), None, dtype=object),
            "lon": np.where(spread, plon[zi, ki], lon[zi]),
            "lat": np.where(spread, plat[zi, ki], lat[zi]),
            "weight": weight,
            "population_persons": weight * np.where(np.isfinite(pop), pop, 0.0)[zi],
            "method": np.where(spread, "settlement", "centroid"),
        }
    )
    return frame[list(SUBPOINT_COLUMNS)]


def _walk_scale(settings: NetworkSettings) -> float:
    if settings.mode != "walk":
        return 1.0
    speeds = settings.walk_speed_kph
    return speeds[settings.age_group] / speeds.get("adult", speeds[settings.age_group])


def estimated_travel_times(
    zones: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    settings: NetworkSettings,
    zone_geometry: Any = None,
    aggregate: bool = True,
) -> TravelTimes:
    """
    Estimate zone -> site travel times as straight-line distance x detour factor.

    Parameters
    ----------
    zones
        Indexed by zone id: ``lon``, ``lat`` (WGS84 degrees), optionally
        ``population_persons`` (persons) and ``area_km2`` (km²) for the spread of residents.
    sites
        Indexed by site id: ``lon``, ``lat``.
    settings
        Network settings: ``mode``, ``cutoff_min`` and ``estimate`` (detour factor, speed,
        spread); for walking, ``walk_speed_kph[age_group] / walk_speed_kph["adult"]``
        scales the calibrated (adult) walking speed.
    zone_geometry
        Optional WGS84 zone polygons by zone id (see :func:`resident_points`).
    aggregate
        True: one row per (zone, site), the mean over the zone's resident points. False:
        one row per (resident point, site), the ``zone`` column holding the point id (join
        :func:`resident_points` on ``point`` for the weights).

    Returns
    -------
    TravelTimes
        ``table`` with ``zone``, ``site``, ``mode``, ``travel_time_min`` (min) and
        ``distance_km`` (km) for pairs within ``cutoff_min``; ``reachability`` lists zones
        without any site within the cutoff; ``points`` one row per zone and site (no
        snapping: ``snap_distance_m`` 0); ``meta["travel_time_source"]`` is
        :data:`ESTIMATE_SOURCE`, with the parameters used.

    Raises
    ------
    InputDataError
        If points lack coordinates or ids are duplicated.
    """
    zone_pts = validate_points(zones, "zones", "zone")
    site_pts = validate_points(sites, "sites", "site")
    residents = resident_points(zones, settings=settings, zone_geometry=zone_geometry)
    est = settings.estimate
    factor = est.detour_factor[settings.mode]
    speed = est.speed_kph[settings.mode] * _walk_scale(settings)
    slon = site_pts["lon"].to_numpy()
    slat = site_pts["lat"].to_numpy()
    rlon = residents["lon"].to_numpy()
    rlat = residents["lat"].to_numpy()
    n_p, n_s = len(residents), len(slon)
    zone_of = pd.Index(zone_pts.index).get_indexer(residents["zone"])
    n_z = len(zone_pts)
    weight = residents["weight"].to_numpy()
    dist = np.zeros((n_z, n_s)) if aggregate else np.empty((n_p, n_s))
    step = max(1, _CHUNK_ELEMENTS // max(n_s, 1))
    for start in range(0, n_p, step):  # chunks of resident points, vectorised over sites
        stop = min(start + step, n_p)
        d = factor * haversine_km(
            rlon[start:stop, None], rlat[start:stop, None], slon[None, :], slat[None, :]
        )
        if aggregate:
            np.add.at(dist, zone_of[start:stop], d * weight[start:stop, None])
        else:
            dist[start:stop] = d
    minutes = 60.0 * dist / speed
    rows, cols = np.nonzero(minutes <= settings.cutoff_min)
    row_ids = zone_pts.index.to_numpy().astype(str) if aggregate else residents["point"].to_numpy()
    table = pd.DataFrame(
        {
            "zone": row_ids[rows].astype(str),
            "site": site_pts.index.to_numpy().astype(str)[cols],
            "mode": settings.mode,
            "travel_time_min": minutes[rows, cols],
            "distance_km": dist[rows, cols],
        }
    ).astype({"zone": str, "site": str, "mode": str})
    reached = set(table["zone"]) if aggregate else set(residents["zone"].to_numpy()[rows])
    missing = [z for z in zone_pts.index.astype(str) if z not in reached]
    reach = pd.DataFrame(
        [
            (
                "zone",
                z,
                "no_site_within_cutoff",
                f"no site within cutoff_min={settings.cutoff_min:g} min by {settings.mode} "
                "(estimated travel times); raise network.cutoff_min or add a site nearby",
            )
            for z in missing
        ],
        columns=list(REACHABILITY_COLUMNS),
    ).astype(str)
    points = pd.concat(
        [
            pd.DataFrame(
                {
                    "point_kind": kind,
                    "id": frame.index.to_numpy().astype(str),
                    "lon": frame["lon"].to_numpy(),
                    "lat": frame["lat"].to_numpy(),
                    "snap_lon": frame["lon"].to_numpy(),
                    "snap_lat": frame["lat"].to_numpy(),
                    "snap_distance_m": 0.0,
                    "access_time_min": 0.0,
                    "road_from": None,
                    "road_to": None,
                    "fraction": np.nan,
                    "snapped": True,
                    "island": False,
                }
            )
            for kind, frame in (("zone", zone_pts), ("site", site_pts))
        ],
        ignore_index=True,
    )
    key = hashlib.sha256(_CACHE_VERSION.encode())
    key.update(residents.to_csv().encode())
    key.update(site_pts.to_csv().encode())
    key.update(json.dumps(settings.model_dump(mode="json"), sort_keys=True).encode())
    return TravelTimes(
        table=table,
        reachability=reach,
        points=points,
        speed_imputed_share=1.0,
        settings=settings,
        cache_key=key.hexdigest(),
        meta={
            "travel_time_source": ESTIMATE_SOURCE,
            "estimated": True,
            "detour_factor": factor,
            "speed_kph": speed,
            "spread": est.spread,
            "settled_density_per_km2": est.settled_density_per_km2,
            "resident_points": n_p,
            "direction": "zone -> site",
        },
    )
