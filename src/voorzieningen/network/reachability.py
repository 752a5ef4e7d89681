"""The reachability report of a travel-time computation: which points have a problem, and why.

Each row names a zone or site and its issue, with a sentence that says what to do:

- ``not_snapped``: no road within ``network.max_snap_m`` (check coordinates or extent);
- ``island``: the nearest road lies on a disconnected part of the network;
- ``no_site_within_cutoff``: the nearest site is farther than ``network.cutoff_min`` (the
  sentence gives its travel time and the cutoff that would reach it);
- ``no_site_reachable``: no site can be reached at any travel time (a disconnected piece of
  road, or one-way streets that lead nowhere): raising the cutoff does not help.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from voorzieningen.schemas.network import NetworkSettings

#: Columns of the reachability report.
REACHABILITY_COLUMNS: tuple[str, ...] = ("point_kind", "id", "issue", "detail")

IntArray = npt.NDArray[np.int64]


def nearest_site_s(matrix: csr_matrix, sources: IntArray, targets: IntArray) -> Any:
    """
    Return the travel time from each source to its nearest target, with no cutoff.

    Run only for the few zones that reach no site within the cutoff, to tell a cutoff
    problem (a site exists farther away) from a disconnected one (no site at all).

    Parameters
    ----------
    matrix
        The graph's arcs, zone -> site direction (seconds per arc).
    sources
        Graph indices of the zones' points.
    targets
        Graph indices of the sites' points.

    Returns
    -------
    numpy.ndarray
        Seconds per source to its nearest target; ``inf`` where none can be reached.
    """
    if len(sources) == 0 or len(targets) == 0:
        return np.full(len(sources), np.inf)
    dist = dijkstra(matrix, directed=True, indices=sources.astype(np.int64))
    return np.asarray(dist, dtype=float).reshape(len(sources), -1)[:, targets].min(axis=1)


def reachability_report(
    *,
    zones: pd.DataFrame,
    sites: pd.DataFrame,
    o_snap: pd.DataFrame,
    d_snap: pd.DataFrame,
    table: pd.DataFrame,
    settings: NetworkSettings,
    nearest_min: dict[int, float],
) -> pd.DataFrame:
    """
    Return the reachability report of one travel-time computation.

    Parameters
    ----------
    zones, sites
        The points (index: ids).
    o_snap, d_snap
        How zones and sites snapped to the roads (:func:`voorzieningen.network.snap.snap_points`).
    table
        The travel-time table (pairs within the cutoff).
    settings
        Network settings (mode, cutoff_min, max_snap_m, snap_to_largest_component).
    nearest_min
        For each zone (position in ``zones``) that reaches no site within the cutoff, the
        travel time to its nearest site with no cutoff, minutes (``inf``: none at all).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REACHABILITY_COLUMNS` (text), one row per problem.
    """
    rows: list[tuple[str, str, str, str]] = []
    for kind, pts, snap in (("zone", zones, o_snap), ("site", sites, d_snap)):
        ids = pts.index.to_numpy().astype(str)
        nearest = snap["nearest_road_m"].to_numpy(float)
        sizes = snap["island_nodes"].to_numpy(np.int64)
        snapped = snap["snapped"].to_numpy(bool)
        dist = snap["snap_distance_m"].to_numpy(float)
        for i in np.flatnonzero(snap["island"].to_numpy(bool)):
            near = float(nearest[i])
            size = int(sizes[i])
            if snapped[i]:
                where = (
                    f"snapped to the main network instead, {dist[i]:.0f} m away"
                    if settings.snap_to_largest_component
                    else "snapped to it anyway (network.snap_to_largest_component is false)"
                )
            else:
                where = (
                    f"no main-network road within max_snap_m={settings.max_snap_m:g} m, "
                    "so it is not snapped; check the network extract around this point"
                )
            rows.append(
                (
                    kind,
                    ids[i],
                    "island",
                    f"nearest {settings.mode} road ({near:.0f} m away) lies on a disconnected "
                    f"part of the network with {size} nodes; {where}",
                )
            )
        not_snapped = ~snap["snapped"].to_numpy() & ~snap["island"].to_numpy()
        for i in np.flatnonzero(not_snapped):
            near = float(nearest[i])
            rows.append(
                (
                    kind,
                    ids[i],
                    "not_snapped",
                    f"nearest {settings.mode} road is {near:.0f} m away, beyond "
                    f"max_snap_m={settings.max_snap_m:g} m; check the coordinates (WGS84 "
                    "lon/lat) and the extent of the network, or raise network.max_snap_m",
                )
            )
    reached = set(table["zone"])
    ids = zones.index.to_numpy().astype(str)
    for i in np.flatnonzero(o_snap["snapped"].to_numpy()):
        if ids[i] in reached:
            continue
        to_site = nearest_min.get(int(i), math.inf)
        if math.isfinite(to_site):
            rows.append(
                (
                    "zone",
                    ids[i],
                    "no_site_within_cutoff",
                    f"no site reachable within cutoff_min={settings.cutoff_min:g} min by "
                    f"{settings.mode}; the nearest is {to_site:.1f} min away: raise "
                    f"network.cutoff_min to at least {math.ceil(to_site):d} or add a site "
                    "nearby",
                )
            )
            continue
        fix = (
            "snap it to the main network (network.snap_to_largest_component = true) or add "
            "a site on its piece of road"
            if bool(o_snap["island"].iat[int(i)])
            else "check the network extract and one-way streets around the zone, or add a "
            "site it can reach"
        )
        rows.append(
            (
                "zone",
                ids[i],
                "no_site_reachable",
                f"no site can be reached by {settings.mode} at any travel time: the zone's "
                "road is cut off from every site (a disconnected piece of road, or one-way "
                f"streets that lead nowhere), so raising network.cutoff_min does not help; {fix}",
            )
        )
    return pd.DataFrame(rows, columns=list(REACHABILITY_COLUMNS)).astype(str)
