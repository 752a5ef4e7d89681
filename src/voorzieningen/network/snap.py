"""Snap points to the nearest *edge* (not node) of a road network, within a maximum distance.

Edges are projected to the local UTM zone, collapsed into *roads* (the two directions of a
two-way street share one geometry) and indexed in a shapely STRtree. Each point is projected
onto its nearest road; the result gives the road, the position along it (a fraction from
its first to its last node) and the snap distance. Points farther than ``max_snap_m`` from
every road are reported, never snapped.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from voorzieningen.errors import InputDataError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Roads:
    """The edges of a graph as undirected roads, in a metric CRS, with their components.

    Attributes
    ----------
    nodes
        Node ids of the graph, in the order used by every index below.
    a, b
        Index (into ``nodes``) of each road's first and last node.
    fwd_time_s, bwd_time_s
        Travel time in s from ``a`` to ``b`` and back; NaN where the direction is closed.
    fwd_length_m, bwd_length_m
        Length in m of the edges behind ``fwd_time_s`` and ``bwd_time_s``.
    geometry
        Road geometries oriented from ``a`` to ``b``, in ``crs`` (metres).
    main
        True for roads whose both ends lie in the largest weakly connected component.
    component_size
        Number of nodes of the weakly connected component of each node (by node index).
    crs
        The metric CRS (a UTM zone) of ``geometry``.
    """

    nodes: npt.NDArray[np.object_]
    a: IntArray
    b: IntArray
    fwd_time_s: FloatArray
    bwd_time_s: FloatArray
    fwd_length_m: FloatArray
    bwd_length_m: FloatArray
    geometry: npt.NDArray[np.object_]
    main: npt.NDArray[np.bool_]
    component_size: IntArray
    crs: pyproj.CRS


def utm_crs(lon: float, lat: float) -> pyproj.CRS:
    """
    Return the WGS84 UTM zone CRS that contains a point.

    Parameters
    ----------
    lon, lat
        Coordinates in degrees (WGS84).

    Returns
    -------
    pyproj.CRS
        EPSG:326xx (north) or EPSG:327xx (south).
    """
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def _to_crs(geoms: npt.NDArray[np.object_], crs: pyproj.CRS) -> npt.NDArray[np.object_]:
    transformer = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)

    def project(coords: FloatArray) -> FloatArray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    out: npt.NDArray[np.object_] = shapely.transform(geoms, project)
    return out


def build_roads(graph: nx.MultiDiGraph) -> Roads:
    """
    Collapse a graph's edges into undirected roads with travel times in both directions.

    Parameters
    ----------
    graph
        Graph from :func:`~voorzieningen.network.load_network` (``travel_time`` in s,
        ``length`` in m, optional ``geometry`` in WGS84).

    Returns
    -------
    Roads
        One row per road. Parallel edges with the same ends and length (within 1 cm) are one
        road; the faster edge of each direction is kept.
    """
    nodes = np.array(list(graph.nodes), dtype=object)
    index = {n: i for i, n in enumerate(nodes)}
    xs = np.array([graph.nodes[n]["x"] for n in nodes], dtype=float)
    ys = np.array([graph.nodes[n]["y"] for n in nodes], dtype=float)
    rows = []
    geoms = []
    for u, v, data in graph.edges(data=True):
        iu, iv = index[u], index[v]
        geom = data.get("geometry")
        if geom is None:
            geom = shapely.linestrings([[xs[iu], ys[iu]], [xs[iv], ys[iv]]])
        forward = iu <= iv
        if not forward:
            geom = geom.reverse()
        rows.append(
            (
                min(iu, iv),
                max(iu, iv),
                forward,
                float(data["travel_time"]),
                float(data["length"]),
            )
        )
        geoms.append(geom)
    if not rows:
        msg = "the road network has no edges; load a network that contains the mode's roads"
        raise InputDataError(msg)
    edges = pd.DataFrame(rows, columns=["a", "b", "forward", "time_s", "length_m"])
    edges["geometry"] = geoms
    edges["length_key"] = np.round(edges["length_m"] * 100).astype(np.int64)
    edges = edges.sort_values(["a", "b", "length_key", "forward", "time_s"])
    fwd = edges[edges["forward"]].drop_duplicates(["a", "b", "length_key"])
    bwd = edges[~edges["forward"]].drop_duplicates(["a", "b", "length_key"])
    keys = ["a", "b", "length_key"]
    roads = fwd[[*keys, "time_s", "length_m", "geometry"]].merge(
        bwd[[*keys, "time_s", "length_m", "geometry"]],
        on=keys,
        how="outer",
        suffixes=("_fwd", "_bwd"),
    )
    geometry = roads["geometry_fwd"].where(roads["geometry_fwd"].notna(), roads["geometry_bwd"])
    a = roads["a"].to_numpy(np.int64)
    b = roads["b"].to_numpy(np.int64)
    # weakly connected components: an island is a part of the network with no road at all
    # to the main part; one-way traps inside the main part show up as unreachable pairs
    u_idx = np.array([index[u] for u, _ in graph.edges()], dtype=np.int64)
    v_idx = np.array([index[v] for _, v in graph.edges()], dtype=np.int64)
    n = len(nodes)
    adjacency = csr_matrix((np.ones(len(u_idx)), (u_idx, v_idx)), shape=(n, n))
    _, labels = connected_components(adjacency, directed=True, connection="weak")
    sizes = np.bincount(labels)
    largest = int(np.argmax(sizes))
    main = (labels[a] == largest) & (labels[b] == largest)
    crs = utm_crs(float(np.mean(xs)), float(np.mean(ys)))
    projected = _to_crs(np.asarray(geometry.to_numpy(), dtype=object), crs)
    return Roads(
        nodes=nodes,
        a=a,
        b=b,
        fwd_time_s=roads["time_s_fwd"].to_numpy(float),
        bwd_time_s=roads["time_s_bwd"].to_numpy(float),
        fwd_length_m=roads["length_m_fwd"].to_numpy(float),
        bwd_length_m=roads["length_m_bwd"].to_numpy(float),
        geometry=projected,
        main=main,
        component_size=sizes[labels].astype(np.int64),
        crs=crs,
    )


def snap_points(
    roads: Roads,
    lon: FloatArray,
    lat: FloatArray,
    *,
    max_snap_m: float,
    main_only: bool = True,
) -> pd.DataFrame:
    """
    Snap points to the nearest road within a maximum distance.

    Parameters
    ----------
    roads
        Roads from :func:`build_roads`.
    lon, lat
        Point coordinates in degrees (WGS84).
    max_snap_m
        Maximum snap distance in metres.
    main_only
        Snap only to roads of the largest weakly connected component; points whose
        nearest road lies elsewhere are flagged ``island`` (and snapped to the main network
        when it lies within ``max_snap_m``).

    Returns
    -------
    pd.DataFrame
        One row per point (positional, same order), columns ``road`` (int, -1 when not
        snapped), ``fraction`` (position along the road from ``a`` to ``b``, 0-1),
        ``snap_distance_m``, ``snap_lon``, ``snap_lat``, ``snapped`` (bool), ``island``
        (bool: the nearest road is not on the main network), ``nearest_road_m`` (distance
        to the nearest road of any component, m) and ``island_nodes`` (size of the
        component of the nearest road, or 0).
    """
    transformer = pyproj.Transformer.from_crs("EPSG:4326", roads.crs, always_xy=True)
    back = pyproj.Transformer.from_crs(roads.crs, "EPSG:4326", always_xy=True)
    x, y = transformer.transform(np.asarray(lon, float), np.asarray(lat, float))
    points = shapely.points(np.column_stack([x, y]))
    n = len(points)
    tree_all = shapely.STRtree(roads.geometry)
    nearest_all, dist_all = tree_all.query_nearest(points, return_distance=True, all_matches=False)
    any_road = np.full(n, -1, dtype=np.int64)
    any_dist = np.full(n, np.inf)
    any_road[nearest_all[0]] = nearest_all[1]
    any_dist[nearest_all[0]] = dist_all
    island = np.zeros(n, dtype=bool)
    island_nodes = np.zeros(n, dtype=np.int64)
    has = any_road >= 0
    island[has] = ~roads.main[any_road[has]]
    island_nodes[has] = np.minimum(
        roads.component_size[roads.a[any_road[has]]], roads.component_size[roads.b[any_road[has]]]
    )
    road = np.where(any_dist <= max_snap_m, any_road, -1)
    dist = np.where(road >= 0, any_dist, np.nan)
    if main_only and island.any() and roads.main.any():
        main_ids = np.flatnonzero(roads.main)
        tree_main = shapely.STRtree(roads.geometry[main_ids])
        which = np.flatnonzero(island)
        found, found_dist = tree_main.query_nearest(
            points[which], max_distance=max_snap_m, return_distance=True, all_matches=False
        )
        road[which] = -1
        dist[which] = np.nan
        road[which[found[0]]] = main_ids[found[1]]
        dist[which[found[0]]] = found_dist
    snapped = road >= 0
    fraction = np.full(n, np.nan)
    snap_x = np.full(n, np.nan)
    snap_y = np.full(n, np.nan)
    if snapped.any():
        lines = roads.geometry[road[snapped]]
        fraction[snapped] = shapely.line_locate_point(lines, points[snapped], normalized=True)
        on_line = shapely.line_interpolate_point(lines, fraction[snapped], normalized=True)
        snap_x[snapped] = shapely.get_x(on_line)
        snap_y[snapped] = shapely.get_y(on_line)
    snap_lon, snap_lat = back.transform(snap_x, snap_y)
    return pd.DataFrame(
        {
            "road": road,
            "fraction": np.nan_to_num(fraction, nan=0.0).clip(0.0, 1.0),
            "snap_distance_m": dist,
            "snap_lon": np.where(snapped, snap_lon, np.nan),
            "snap_lat": np.where(snapped, snap_lat, np.nan),
            "snapped": snapped,
            "island": island,
            "nearest_road_m": any_dist,
            "island_nodes": np.where(island, island_nodes, 0),
        }
    )
