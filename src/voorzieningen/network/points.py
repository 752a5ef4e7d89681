"""Zone travel times averaged over residential points within each zone.

With ``network.demand_points = "network"`` a zone's population is spread over residential
road nodes near its centroid (:func:`~voorzieningen.network.disaggregate_zones`, point ids
``"<zone>#<node>"``); travel times are computed from every point and averaged per (zone,
site) with the points' population shares as weights.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import networkx as nx
import pandas as pd

from voorzieningen import tables as T
from voorzieningen.errors import NetworkError, VoorzieningenWarning
from voorzieningen.network.od import TravelTimes, travel_times
from voorzieningen.network.zones import disaggregate_zones
from voorzieningen.schemas.network import NetworkSettings

#: Separator between zone and node in a sub-point id (``"<zone>#<node>"``).
POINT_SEPARATOR = "#"

# Columns of the points table of :func:`disaggregate_zones`, and of the weighted sums here.
_POINT = "point"
_WEIGHT = "weight"
_HOME_ZONE = "home_zone"
_WEIGHTED_TIME = "weighted_travel_time_min"
_WEIGHTED_DISTANCE = "weighted_distance_km"


def point_zone(ids: Iterable[object]) -> pd.Series:
    """
    Return the zone of each origin point id.

    Parameters
    ----------
    ids
        Point ids: a zone id, or ``"<zone>#<node>"`` for a residential sub-point.

    Returns
    -------
    pandas.Series
        The zone id of each point (text), in order.
    """
    return pd.Series([str(i) for i in ids], dtype=object).str.split(POINT_SEPARATOR).str[0]


def resident_table(fine: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """
    Return travel times per resident point with the point's home zone and weight.

    Parameters
    ----------
    fine
        Point -> site travel times: ``zone`` holds the point id, ``site``,
        ``travel_time_min``.
    points
        The resident points: ``point``, ``zone`` (home zone), ``weight`` (share of the
        zone's residents).

    Returns
    -------
    pandas.DataFrame
        Columns ``zone`` (home zone), ``point``, ``site``, ``travel_time_min`` (minutes) and
        ``weight``; the pairs of ``fine``.
    """
    merged = fine[[T.ZONE, T.SITE, T.TRAVEL_TIME_MIN]].merge(
        points[[_POINT, T.ZONE, _WEIGHT]].rename(columns={T.ZONE: _HOME_ZONE}),
        left_on=T.ZONE,
        right_on=_POINT,
    )
    return pd.DataFrame(
        {
            T.ZONE: merged[_HOME_ZONE].astype(str).to_numpy(),
            T.POINT: merged[_POINT].astype(str).to_numpy(),
            T.SITE: merged[T.SITE].astype(str).to_numpy(),
            T.TRAVEL_TIME_MIN: merged[T.TRAVEL_TIME_MIN].to_numpy(dtype=float),
            T.WEIGHT: merged[_WEIGHT].to_numpy(dtype=float),
        }
    )


def travel_times_from_points(
    graph: nx.MultiDiGraph,
    zones: pd.DataFrame,
    sites: pd.DataFrame,
    population: pd.Series,
    *,
    settings: NetworkSettings,
    cache_dir: Path | None = None,
) -> TravelTimes:
    """
    Return zone -> site travel times averaged over residential points within each zone.

    Parameters
    ----------
    graph
        The mode's road network.
    zones
        Indexed by zone; ``lon``, ``lat`` (WGS84 degrees).
    sites
        Indexed by site; ``lon``, ``lat``.
    population
        Persons per zone (zones not listed count 0).
    settings
        The network settings (mode, cutoff, ``min_reached_share``).
    cache_dir
        On-disk cache of travel times.

    Returns
    -------
    TravelTimes
        ``table`` with one row per (zone, site) whose reached population share is at least
        ``settings.min_reached_share``: zone, site, mode, travel_time_min and distance_km
        (population-weighted means over the zone's points, minutes and km); the
        reachability report and points are those of the points; ``meta`` adds
        ``demand_points`` (number of points); ``residents`` holds the travel times per
        point (:func:`resident_table`).
    """
    weighted = zones[[T.LON, T.LAT]].assign(
        **{T.POPULATION_PERSONS: population.reindex(zones.index).fillna(0.0)}
    )
    points = disaggregate_zones(graph, weighted)
    origins = points.set_index(_POINT)[[T.LON, T.LAT]]
    origins.index.name = T.ZONE
    fine = travel_times(
        graph, origins, sites[[T.LON, T.LAT]], settings=settings, cache_dir=cache_dir
    )
    table = fine.table.merge(
        points[[_POINT, T.ZONE, _WEIGHT]].rename(columns={T.ZONE: _HOME_ZONE}),
        left_on=T.ZONE,
        right_on=_POINT,
    )
    table[_WEIGHTED_TIME] = table[_WEIGHT] * table[T.TRAVEL_TIME_MIN]
    table[_WEIGHTED_DISTANCE] = table[_WEIGHT] * table[T.DISTANCE_KM]
    grouped = table.groupby([_HOME_ZONE, T.SITE, T.MODE], as_index=False)[
        [_WEIGHT, _WEIGHTED_TIME, _WEIGHTED_DISTANCE]
    ].sum()
    grouped = grouped[grouped[_WEIGHT] >= settings.min_reached_share - 1e-12]
    coarse = pd.DataFrame(
        {
            T.ZONE: grouped[_HOME_ZONE].astype(str),
            T.SITE: grouped[T.SITE].astype(str),
            T.MODE: grouped[T.MODE],
            T.TRAVEL_TIME_MIN: grouped[_WEIGHTED_TIME] / grouped[_WEIGHT],
            T.DISTANCE_KM: grouped[_WEIGHTED_DISTANCE] / grouped[_WEIGHT],
        }
    ).reset_index(drop=True)
    return replace(
        fine,
        table=coarse,
        meta={**fine.meta, "demand_points": len(points)},
        residents=resident_table(fine.table, points),
    )


def check_coverage(travel: TravelTimes, zones: pd.DataFrame, settings: NetworkSettings) -> None:
    """
    Name a network that does not cover the region, and warn about points it misses.

    Parameters
    ----------
    travel
        Travel times with their reachability report and points.
    zones
        The region's zones (indexed by zone).
    settings
        The network settings (source, ``max_snap_m``), for the message.

    Raises
    ------
    NetworkError
        If no zone (nor any of its residential points) is snapped to the network.
    """
    report = travel.reachability
    missed = report[report["issue"].isin(["not_snapped", "island"])]
    if len(missed):
        listed = "; ".join(
            f"{kind} {ident} ({issue})"
            for kind, ident, issue in zip(
                missed["point_kind"], missed["id"], missed["issue"], strict=True
            )
        )
        msg = (
            f"{len(missed)} point(s) cannot be reached on the road network and take no part "
            f"in the plan: {listed}. Check their coordinates (reachability.csv has details)."
        )
        warnings.warn(msg, VoorzieningenWarning, stacklevel=4)
    points = travel.points
    origins = points[points["point_kind"] == "zone"]
    home = point_zone(origins["id"])
    placed = set(home[origins["snapped"].astype(bool).to_numpy()])
    if not placed & set(zones.index.astype(str)):
        msg = (
            f"(network.source = {settings.source}) | none of the {len(zones)} "
            f"zones is within network.max_snap_m = {settings.max_snap_m:g} m of this "
            "road network: it does not cover the region. Use an extract or GraphML of the "
            "region's own roads."
        )
        raise NetworkError(msg)
