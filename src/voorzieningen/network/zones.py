"""Demand points finer than PC4: spread each zone's population over its residential roads.

A PC4 centroid can lie in a park or a polder, far from where people live; routing everyone
from it biases travel times (and snapping). :func:`disaggregate_zones` replaces each zone by
sub-points on the network's residential nodes:

1. every node gets a weight: half the length (m) of each adjacent road of a residential class
   (``residential``, ``living_street`` by default), counting a two-way road once;
2. every weighted node goes to its nearest zone centroid (a Voronoi split of the network),
   but only within ``max_distance_m`` so that nodes outside the study area are ignored;
3. a zone's population is split over its nodes in proportion to their weight. A zone
   without residential nodes keeps a single point at its centroid (``method="centroid"``).

The sub-points can be used directly as origins of
:func:`~voorzieningen.network.travel_times` (index them by ``point``), and their
``population_persons`` as demand; aggregate the results back to zones with ``zone``.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd
import pyproj
from scipy.spatial import cKDTree

from voorzieningen.errors import InputDataError
from voorzieningen.network.snap import utm_crs

RESIDENTIAL_CLASSES: tuple[str, ...] = ("residential", "living_street")
"""Highway classes whose length attracts population by default."""

SUBPOINT_COLUMNS: tuple[str, ...] = (
    "point",
    "zone",
    "node",
    "lon",
    "lat",
    "weight",
    "population_persons",
    "method",
)
"""Columns of the table returned by :func:`disaggregate_zones`."""


def _classes(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)] if value is not None else []


def disaggregate_zones(
    graph: nx.MultiDiGraph,
    zones: pd.DataFrame,
    *,
    population_col: str = "population_persons",
    residential_classes: Iterable[str] = RESIDENTIAL_CLASSES,
    max_distance_m: float = 3000.0,
) -> pd.DataFrame:
    """
    Spread the population of each zone over residential network nodes near its centroid.

    Parameters
    ----------
    graph
        Road network (WGS84) from :func:`~voorzieningen.network.load_network`.
    zones
        Indexed by zone id, with float columns ``lon``, ``lat`` (centroid, WGS84 degrees)
        and ``population_col`` (persons).
    population_col
        Column with the population (persons) to spread.
    residential_classes
        Highway classes whose length carries population.
    max_distance_m
        Nodes farther than this (m) from every centroid are not used.

    Returns
    -------
    pd.DataFrame
        RangeIndex; columns ``point`` (id ``"<zone>#<node>"``, or the zone id for a
        centroid point), ``zone``, ``node`` (node id or None), ``lon``, ``lat`` (WGS84),
        ``weight`` (share of the zone's population, 0-1, summing to 1 per zone),
        ``population_persons`` and ``method`` (``"network"`` or ``"centroid"``).

    Raises
    ------
    InputDataError
        If columns are missing or population is negative or missing.
    """
    missing = [c for c in ("lon", "lat", population_col) if c not in zones.columns]
    if missing:
        msg = (
            f"(zones) | columns {missing} missing for disaggregate_zones; pass zones indexed "
            f"by zone with lon, lat (WGS84) and {population_col} (persons)"
        )
        raise InputDataError(msg)
    pop = pd.to_numeric(zones[population_col], errors="coerce")
    if pop.isna().any() or (pop < 0).any():
        bad = ", ".join(map(str, zones.index[pop.isna() | (pop < 0)][:5]))
        msg = f"(zones, {population_col}) | missing or negative population for {bad}"
        raise InputDataError(msg)
    wanted = set(residential_classes)
    weight: dict[object, float] = {}
    seen: set[tuple[object, object, int]] = set()
    for u, v, data in graph.edges(data=True):
        if not wanted.intersection(_classes(data.get("highway"))):
            continue
        length = float(data["length"])
        key = (min(u, v, key=str), max(u, v, key=str), round(length * 100))
        if key in seen:
            continue
        seen.add(key)
        weight[u] = weight.get(u, 0.0) + length / 2
        weight[v] = weight.get(v, 0.0) + length / 2
    zone_ids = zones.index.astype(str).to_numpy()
    zlon = zones["lon"].to_numpy(float)
    zlat = zones["lat"].to_numpy(float)
    crs = utm_crs(float(np.mean(zlon)), float(np.mean(zlat)))
    to_m = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    zx, zy = to_m.transform(zlon, zlat)
    nodes = list(weight)
    nlon = np.array([graph.nodes[n]["x"] for n in nodes], dtype=float)
    nlat = np.array([graph.nodes[n]["y"] for n in nodes], dtype=float)
    frames = []
    assigned = np.full(len(nodes), -1)
    if nodes:
        nx_, ny_ = to_m.transform(nlon, nlat)
        dist, nearest = cKDTree(np.column_stack([zx, zy])).query(
            np.column_stack([nx_, ny_]), distance_upper_bound=max_distance_m
        )
        assigned = np.where(np.isfinite(dist), nearest, -1)
    ok = assigned >= 0
    if ok.any():
        w = np.array([weight[n] for n in nodes], dtype=float)[ok]
        z = assigned[ok]
        totals = np.bincount(z, weights=w, minlength=len(zone_ids))
        share = w / totals[z]
        node_ids = np.array(nodes, dtype=object)[ok]
        frames.append(
            pd.DataFrame(
                {
                    "point": [f"{zone_ids[i]}#{n}" for i, n in zip(z, node_ids, strict=True)],
                    "zone": zone_ids[z],
                    "node": node_ids,
                    "lon": nlon[ok],
                    "lat": nlat[ok],
                    "weight": share,
                    "population_persons": share * pop.to_numpy(float)[z],
                    "method": "network",
                }
            )
        )
    covered = np.zeros(len(zone_ids), dtype=bool)
    covered[np.unique(assigned[ok])] = True
    lone = np.flatnonzero(~covered)
    frames.append(
        pd.DataFrame(
            {
                "point": zone_ids[lone],
                "zone": zone_ids[lone],
                "node": np.full(len(lone), None, dtype=object),
                "lon": zlon[lone],
                "lat": zlat[lone],
                "weight": 1.0,
                "population_persons": pop.to_numpy(float)[lone],
                "method": "centroid",
            }
        )
    )
    out = pd.concat([f for f in frames if len(f)], ignore_index=True)
    if out.empty:
        return pd.DataFrame(columns=list(SUBPOINT_COLUMNS))
    order = pd.Categorical(out["zone"], categories=list(zone_ids), ordered=True)
    return (
        out.assign(_order=order)
        .sort_values(["_order", "point"])
        .drop(columns="_order")
        .reset_index(drop=True)[list(SUBPOINT_COLUMNS)]
    )
