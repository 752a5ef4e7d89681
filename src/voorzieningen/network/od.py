"""Sparse origin-destination travel times on a road network, with a reachability report.

A trip from a zone (home) to a site (facility) has three legs:

1. **access**: a straight line from the zone point to its snap position on the nearest road,
   at the access speed (see :func:`voorzieningen.network.speeds.access_speed_kph`: walking
   for walk and car trips, cycling for bicycle and e-bike trips);
2. **network**: from the snap position along the road to either end (as far as the road's
   direction allows), then the fastest path through the network, then along the site's road
   to its snap position; two points on the same road may also travel directly along it;
3. **egress**: a straight line from the site's snap position to the site, at the access speed.

All pairs are computed at once: every snapped point becomes a virtual node joined to the
ends of its road, and :func:`scipy.sparse.csgraph.dijkstra` runs from the virtual nodes of
the smaller side (origins on the graph, or destinations on the reversed graph) with
``limit = cutoff``, so the work stops at the cutoff and the direction stays home -> facility.
Distances are summed along the predecessor trees, vectorised over all pairs. Nothing loops
over OD pairs in Python.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from voorzieningen.errors import InputDataError, NetworkError
from voorzieningen.network.load import graph_content_hash
from voorzieningen.network.reachability import nearest_site_s, reachability_report
from voorzieningen.network.snap import Roads, build_roads, snap_points
from voorzieningen.network.speeds import access_speed_kph
from voorzieningen.schemas.network import NetworkSettings

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

TABLE_COLUMNS: tuple[str, ...] = ("zone", "site", "mode", "travel_time_min", "distance_km")
"""Columns of :attr:`TravelTimes.table`."""

"""Columns of :attr:`TravelTimes.reachability`."""

_MEMORY_BUDGET_BYTES = 256 * 1024**2
_CACHE: OrderedDict[str, TravelTimes] = OrderedDict()
_CACHE_SIZE = 16
_CACHE_VERSION = "od-v3"  # v3: reachability tells no_site_reachable apart
_AT_NODE_M = 1.0
"""A snap position this close (m) to a road end counts as standing on that node."""


@dataclass(frozen=True, eq=False)
class TravelTimes:
    """Travel times from zones (homes) to sites (facilities) within the cutoff.

    Attributes
    ----------
    table
        Columns ``zone`` (str), ``site`` (str), ``mode`` (str), ``travel_time_min`` (min,
        door to door: access + network + egress) and ``distance_km`` (km, along the fastest
        route including the straight access and egress legs); RangeIndex. Only pairs
        within ``settings.cutoff_min``; the direction is zone -> site.
    reachability
        Columns ``point_kind`` (``zone`` or ``site``), ``id``, ``issue``
        (``not_snapped``, ``island``, ``no_site_within_cutoff``: the nearest site is farther
        than the cutoff, or ``no_site_reachable``: no site can be reached at any travel
        time, the zone's road being cut off from every site, so no cutoff helps) and
        ``detail`` (a sentence with distances and what to do). Empty when every point is
        fine.
    points
        One row per zone and site: ``point_kind``, ``id``, ``lon``, ``lat``, ``snap_lon``,
        ``snap_lat``, ``snap_distance_m``, ``access_time_min`` (the straight leg),
        ``road_from``/``road_to`` (node ids of the road), ``fraction`` (0-1 along it),
        ``snapped`` and ``island``.
    speed_imputed_share
        Share of the graph's edges whose speed came from the highway-class table (0-1).
    settings
        The settings used.
    cache_key
        Content hash of graph, points and settings.
    meta
        What was computed how (``travel_time_source``, graph size, ...).
    residents
        Travel times per resident point (``demand_points = "network"`` or the estimate):
        ``zone`` (home zone), ``point``, ``site``, ``travel_time_min`` and ``weight`` (share
        of the zone's residents), pairs within the cutoff; None if a zone is one point.
    """

    table: pd.DataFrame
    reachability: pd.DataFrame
    points: pd.DataFrame
    speed_imputed_share: float
    settings: NetworkSettings
    cache_key: str
    meta: dict[str, Any] = field(default_factory=dict)
    residents: pd.DataFrame | None = None


def road_source_label(graph_source: str) -> str:
    """
    Label a road network for reports: ``"road network (<kind> <name>)"``.

    Parameters
    ----------
    graph_source
        The graph's ``source`` attribute (file path or place name).

    Returns
    -------
    str
        ``"road network (OSM file x.osm.pbf)"``, ``"(GraphML file ...)"``,
        ``"(NWB file ...)"`` or ``"road network (osmnx download of 'place')"``.
    """
    lower = graph_source.lower()
    base = graph_source.replace("\\", "/").rsplit("/", 1)[-1]
    if lower.endswith(".graphml"):
        return f"road network (GraphML file {base})"
    if lower.endswith((".osm", ".osm.bz2", ".osm.gz", ".osm.pbf", ".pbf", ".xml")):
        return f"road network (OSM file {base})"
    if lower.endswith((".gml", ".gpkg", ".shp", ".geojson")):
        return f"road network (NWB file {base})"
    return f"road network (osmnx download of {graph_source!r})"


def validate_points(points: pd.DataFrame, name: str, index_name: str) -> pd.DataFrame:
    """Check points (index ``index_name``; ``lon``, ``lat`` in degrees); ``name`` is for messages."""
    problems = []
    if not isinstance(points, pd.DataFrame):
        msg = f"{name} must be a DataFrame indexed by {index_name} with columns lon, lat"
        raise InputDataError(msg)
    missing = [c for c in ("lon", "lat") if c not in points.columns]
    if missing:
        msg = (
            f"({name}) | columns {missing} missing; pass a DataFrame indexed by {index_name} "
            "with float columns lon, lat (WGS84 degrees)"
        )
        raise InputDataError(msg)
    out = pd.DataFrame(
        {
            "lon": pd.to_numeric(points["lon"], errors="coerce").to_numpy(float),
            "lat": pd.to_numeric(points["lat"], errors="coerce").to_numpy(float),
        },
        index=pd.Index(points.index.astype(str), name=index_name),
    )
    dup = out.index[out.index.duplicated()].unique()
    if len(dup):
        problems.append(f"duplicate {index_name} ids: {', '.join(map(str, dup[:5]))}")
    bad = out.index[out["lon"].isna() | out["lat"].isna()]
    if len(bad):
        problems.append(f"missing or non-numeric lon/lat for {', '.join(map(str, bad[:5]))}")
    outside = out.index[(out["lon"].abs() > 180) | (out["lat"].abs() > 90)]
    if len(outside):
        problems.append(
            f"lon/lat out of range for {', '.join(map(str, outside[:5]))} "
            "(coordinates must be WGS84 degrees, not RD metres)"
        )
    if problems:
        msg = f"({name}) | " + "; ".join(problems)
        raise InputDataError(msg)
    return out


def _dedupe(u: IntArray, v: IntArray, w: FloatArray, length: FloatArray) -> tuple[Any, ...]:
    """Keep the fastest of parallel arcs (csr_matrix would sum duplicates)."""
    order = np.lexsort((w, v, u))
    u, v, w, length = u[order], v[order], w[order], length[order]
    keep = np.ones(len(u), dtype=bool)
    keep[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return u[keep], v[keep], w[keep], length[keep]


def _graph_arrays(
    graph: nx.MultiDiGraph, weight: str
) -> tuple[npt.NDArray[np.object_], IntArray, IntArray, FloatArray, FloatArray]:
    nodes = np.array(list(graph.nodes), dtype=object)
    index = {n: i for i, n in enumerate(nodes)}
    m = graph.number_of_edges()
    u = np.empty(m, dtype=np.int64)
    v = np.empty(m, dtype=np.int64)
    w = np.empty(m, dtype=float)
    length = np.empty(m, dtype=float)
    for i, (a, b, data) in enumerate(graph.edges(data=True)):
        u[i] = index[a]
        v[i] = index[b]
        w[i] = float(data[weight])
        length[i] = float(data.get("length", 0.0))
    if m and (not np.isfinite(w).all() or (w < 0).any()):
        msg = f"edge weights {weight!r} must be finite and non-negative; reload the network"
        raise NetworkError(msg)
    return nodes, u, v, w, length


def _run_dijkstra(
    matrix: csr_matrix,
    sources: IntArray,
    *,
    limit: float,
    predecessors: bool,
    workers: int = 2,
) -> list[tuple[IntArray, Any, Any]]:
    """Run Dijkstra from ``sources`` in memory-bounded chunks, on ``workers`` threads."""
    n = matrix.shape[0]
    per_row = 8 + (4 if predecessors else 0)
    chunk = max(1, min(len(sources), _MEMORY_BUDGET_BYTES // max(per_row * n, 1)))
    chunks = [sources[i : i + chunk] for i in range(0, len(sources), chunk)]
    if len(chunks) > 1 and len(chunks) < 2 * workers:
        chunk = max(1, -(-len(sources) // (2 * workers)))
        chunks = [sources[i : i + chunk] for i in range(0, len(sources), chunk)]

    def run(idx: IntArray) -> tuple[IntArray, Any, Any]:
        if predecessors:
            dist, pred = dijkstra(
                matrix, directed=True, indices=idx, limit=limit, return_predecessors=True
            )
            return idx, dist, pred
        return idx, dijkstra(matrix, directed=True, indices=idx, limit=limit), None

    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(run, chunks))
    return [run(c) for c in chunks]


def shortest_path_matrix(
    graph: nx.MultiDiGraph,
    sources: list[Any] | None = None,
    targets: list[Any] | None = None,
    *,
    weight: str = "travel_time",
    limit: float = np.inf,
) -> pd.DataFrame:
    """
    Return node-to-node shortest-path costs (a dense skim), directed sources -> targets.

    Parameters
    ----------
    graph
        Directed graph.
    sources, targets
        Node ids; all nodes when None.
    weight
        Edge attribute to minimise (``travel_time`` in s, ``length`` in m).
    limit
        Costs above this (same unit as ``weight``) are not searched and come out as NaN.

    Returns
    -------
    pd.DataFrame
        Costs indexed by source node (rows) and target node (columns), in the unit of
        ``weight``; NaN where the target is unreachable or beyond ``limit``.

    Raises
    ------
    NetworkError
        If a source or target is not a node of ``graph``.
    """
    nodes, u, v, w, length = _graph_arrays(graph, weight)
    index = pd.Index(nodes)
    src = list(nodes) if sources is None else list(sources)
    dst = list(nodes) if targets is None else list(targets)
    src_idx = index.get_indexer(pd.Index(src))
    dst_idx = index.get_indexer(pd.Index(dst))
    if (src_idx < 0).any() or (dst_idx < 0).any():
        unknown = [n for n, i in zip(src + dst, np.r_[src_idx, dst_idx], strict=True) if i < 0]
        msg = f"nodes {unknown[:5]} are not in the graph; pass node ids of graph"
        raise NetworkError(msg)
    u, v, w, _ = _dedupe(u, v, w, length)
    n = len(nodes)
    matrix = csr_matrix((w, (u, v)), shape=(n, n))
    out = np.empty((len(src), len(dst)))
    row = 0
    for _, dist, _ in _run_dijkstra(
        matrix, src_idx.astype(np.int64), limit=limit, predecessors=False
    ):
        out[row : row + dist.shape[0]] = dist[:, dst_idx]
        row += dist.shape[0]
    out[~np.isfinite(out)] = np.nan
    return pd.DataFrame(out, index=pd.Index(src), columns=pd.Index(dst))


def _settings_key(settings: NetworkSettings) -> str:
    return json.dumps(settings.model_dump(mode="json"), sort_keys=True)


def _cache_key(
    graph: nx.MultiDiGraph,
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    settings: NetworkSettings,
) -> str:
    h = hashlib.sha256(_CACHE_VERSION.encode())
    h.update(graph_content_hash(graph).encode())
    h.update(origins.to_csv().encode())
    h.update(destinations.to_csv().encode())
    h.update(_settings_key(settings).encode())
    return h.hexdigest()


def _virtual_arcs(
    roads: Roads,
    snaps: pd.DataFrame,
    *,
    first_virtual: int,
    access_s: FloatArray,
    access_m: FloatArray,
    outgoing: bool,
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Arcs joining virtual point nodes to the ends of their roads."""
    ok = snaps["snapped"].to_numpy()
    pos = np.flatnonzero(ok)
    road = snaps["road"].to_numpy()[ok]
    t = snaps["fraction"].to_numpy()[ok]
    virt = first_virtual + pos
    a, b = roads.a[road], roads.b[road]
    ft, bt = roads.fwd_time_s[road], roads.bwd_time_s[road]
    fl, bl = roads.fwd_length_m[road], roads.bwd_length_m[road]
    acc_s, acc_m = access_s[ok], access_m[ok]
    if outgoing:  # origin: point -> far end in the road's direction
        parts = [
            (virt, b, acc_s + (1 - t) * ft, acc_m + (1 - t) * fl),
            (virt, a, acc_s + t * bt, acc_m + t * bl),
            # a point at the start of a one-way road stands on its first node
            (
                virt,
                a,
                np.where(np.isnan(bt) & (t * fl <= _AT_NODE_M), acc_s + t * ft, np.nan),
                acc_m + t * fl,
            ),
            (
                virt,
                b,
                np.where(np.isnan(ft) & ((1 - t) * bl <= _AT_NODE_M), acc_s + (1 - t) * bt, np.nan),
                acc_m + (1 - t) * bl,
            ),
        ]
    else:  # destination: near end -> point
        parts = [
            (a, virt, t * ft + acc_s, t * fl + acc_m),
            (b, virt, (1 - t) * bt + acc_s, (1 - t) * bl + acc_m),
            # a point at the end of a one-way road stands on its last node
            (
                b,
                virt,
                np.where(np.isnan(bt) & ((1 - t) * fl <= _AT_NODE_M), (1 - t) * ft + acc_s, np.nan),
                (1 - t) * fl + acc_m,
            ),
            (
                a,
                virt,
                np.where(np.isnan(ft) & (t * bl <= _AT_NODE_M), t * bt + acc_s, np.nan),
                t * bl + acc_m,
            ),
        ]
    us, vs, ws, ls = (np.concatenate([p[i] for p in parts]) for i in range(4))
    keep = np.isfinite(ws)
    return us[keep], vs[keep], ws[keep], ls[keep]


def _same_road_arcs(
    roads: Roads,
    o_snaps: pd.DataFrame,
    d_snaps: pd.DataFrame,
    *,
    o_first: int,
    d_first: int,
    o_acc: tuple[FloatArray, FloatArray],
    d_acc: tuple[FloatArray, FloatArray],
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Direct arcs origin -> destination for points snapped to the same road."""
    o = pd.DataFrame(
        {
            "road": o_snaps["road"],
            "t": o_snaps["fraction"],
            "o": np.arange(len(o_snaps)),
            "o_s": o_acc[0],
            "o_m": o_acc[1],
        }
    )[o_snaps["snapped"].to_numpy()]
    d = pd.DataFrame(
        {
            "road": d_snaps["road"],
            "s": d_snaps["fraction"],
            "d": np.arange(len(d_snaps)),
            "d_s": d_acc[0],
            "d_m": d_acc[1],
        }
    )[d_snaps["snapped"].to_numpy()]
    pairs = o.merge(d, on="road")
    if pairs.empty:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0), np.empty(0)
    r = pairs["road"].to_numpy(np.int64)
    t = pairs["t"].to_numpy()
    s = pairs["s"].to_numpy()
    fwd_ok = (s >= t) & np.isfinite(roads.fwd_time_s[r])
    bwd_ok = (s <= t) & np.isfinite(roads.bwd_time_s[r])
    fwd = np.where(fwd_ok, (s - t) * roads.fwd_time_s[r], np.inf)
    bwd = np.where(bwd_ok, (t - s) * roads.bwd_time_s[r], np.inf)
    use_fwd = fwd <= bwd
    w = np.minimum(fwd, bwd) + pairs["o_s"].to_numpy() + pairs["d_s"].to_numpy()
    length = (
        np.where(use_fwd, (s - t) * roads.fwd_length_m[r], (t - s) * roads.bwd_length_m[r])
        + pairs["o_m"].to_numpy()
        + pairs["d_m"].to_numpy()
    )
    keep = np.isfinite(w)
    return (
        (o_first + pairs["o"].to_numpy(np.int64))[keep],
        (d_first + pairs["d"].to_numpy(np.int64))[keep],
        w[keep],
        length[keep],
    )


def _path_lengths(
    pred: npt.NDArray[np.int32],
    *,
    rows: IntArray,
    targets: IntArray,
    sources: IntArray,
    arc_keys: IntArray,
    arc_length: FloatArray,
    n: int,
) -> FloatArray:
    """Sum arc lengths back along predecessor trees, vectorised over all pairs."""
    total = np.zeros(len(rows))
    cur = targets.copy()
    active = np.flatnonzero(cur != sources)
    while active.size:
        p = pred[rows[active], cur[active]].astype(np.int64)
        pos = np.searchsorted(arc_keys, p * n + cur[active])
        total[active] += arc_length[pos]
        cur[active] = p
        active = active[p != sources[active]]
    return total


def travel_times(
    graph: nx.MultiDiGraph,
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    *,
    settings: NetworkSettings,
    cache_dir: Path | None = None,
) -> TravelTimes:
    """
    Compute door-to-door travel times from every zone to every site within the cutoff.

    Parameters
    ----------
    graph
        Network of ``settings.mode`` from :func:`~voorzieningen.network.load_network`
        (``travel_time`` in s and ``length`` in m on every edge).
    origins
        Zones (homes), indexed by ``zone`` (ids are turned into str), with float columns
        ``lon`` and ``lat`` (WGS84 degrees).
    destinations
        Sites (facilities), indexed by ``site``, with ``lon`` and ``lat``.
    settings
        Network settings: ``mode``, ``cutoff_min`` (pairs slower than this are dropped),
        ``max_snap_m`` (points farther from every road are reported, not snapped), access
        speeds and ``snap_to_largest_component``.
    cache_dir
        Optional directory for an on-disk cache (CSV files under ``od_<hash>/``). Results are
        also cached in memory, keyed by a content hash of graph, points and settings.

    Returns
    -------
    TravelTimes
        The sparse long table, the reachability report and the snapped points. Pairs beyond
        the cutoff, or unreachable, are absent from the table (never infinite); every zone
        without any site is listed in the report.

    Raises
    ------
    InputDataError
        If points lack ``lon``/``lat``, have duplicate ids, or coordinates are missing or
        not in degrees.
    NetworkError
        If the graph has no edges or lacks ``travel_time``.
    """
    zones = validate_points(origins, "origins", "zone")
    sites = validate_points(destinations, "destinations", "site")
    if graph.number_of_edges() == 0:
        msg = "the road network has no edges; load a network that contains the mode's roads"
        raise NetworkError(msg)
    sample = next(iter(graph.edges(data=True)))[2]
    if "travel_time" not in sample:
        msg = (
            "the road network has no edge attribute travel_time; load it with "
            "voorzieningen.network.load_network, which adds speeds and travel times"
        )
        raise NetworkError(msg)
    key = _cache_key(graph, zones, sites, settings)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    if cache_dir is not None:
        cached = _read_disk_cache(cache_dir, key, settings, graph)
        if cached is not None:
            _remember(cached)
            return cached
    result = _compute(graph, zones, sites, settings, key)
    _remember(result)
    if cache_dir is not None:
        _write_disk_cache(cache_dir, result)
    return result


def _remember(result: TravelTimes) -> None:
    _CACHE[result.cache_key] = result
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)


def _compute(
    graph: nx.MultiDiGraph,
    zones: pd.DataFrame,
    sites: pd.DataFrame,
    settings: NetworkSettings,
    key: str,
) -> TravelTimes:
    roads = build_roads(graph)
    main_only = settings.snap_to_largest_component
    o_snap = snap_points(
        roads,
        zones["lon"].to_numpy(),
        zones["lat"].to_numpy(),
        max_snap_m=settings.max_snap_m,
        main_only=main_only,
    )
    d_snap = snap_points(
        roads,
        sites["lon"].to_numpy(),
        sites["lat"].to_numpy(),
        max_snap_m=settings.max_snap_m,
        main_only=main_only,
    )
    speed_ms = access_speed_kph(settings) / 3.6
    o_m = o_snap["snap_distance_m"].fillna(0.0).to_numpy()
    d_m = d_snap["snap_distance_m"].fillna(0.0).to_numpy()
    o_s, d_s = o_m / speed_ms, d_m / speed_ms

    nodes, u, v, w, length = _graph_arrays(graph, "travel_time")
    n_nodes, n_o, n_d = len(nodes), len(zones), len(sites)
    o_first, d_first = n_nodes, n_nodes + n_o
    n = n_nodes + n_o + n_d
    arcs = [
        (u, v, w, length),
        _virtual_arcs(
            roads, o_snap, first_virtual=o_first, access_s=o_s, access_m=o_m, outgoing=True
        ),
        _virtual_arcs(
            roads, d_snap, first_virtual=d_first, access_s=d_s, access_m=d_m, outgoing=False
        ),
        _same_road_arcs(
            roads,
            o_snap,
            d_snap,
            o_first=o_first,
            d_first=d_first,
            o_acc=(o_s, o_m),
            d_acc=(d_s, d_m),
        ),
    ]
    au, av, aw, al = (np.concatenate([a[i] for a in arcs]) for i in range(4))
    au, av, aw, al = _dedupe(au.astype(np.int64), av.astype(np.int64), aw, al)
    limit = settings.cutoff_min * 60.0
    forward = n_o <= n_d
    if forward:
        matrix = csr_matrix((aw, (au, av)), shape=(n, n))
        src_nodes = o_first + np.flatnonzero(o_snap["snapped"].to_numpy())
        tgt_all = d_first + np.arange(n_d)
        arc_keys = au * n + av
    else:  # run from the sites on the reversed graph; paths are still zone -> site
        matrix = csr_matrix((aw, (av, au)), shape=(n, n))
        src_nodes = d_first + np.flatnonzero(d_snap["snapped"].to_numpy())
        tgt_all = o_first + np.arange(n_o)
        arc_keys = av * n + au
    order = np.argsort(arc_keys)
    arc_keys, arc_len = arc_keys[order], al[order]
    pieces = []
    if len(src_nodes):
        for idx, dist, pred in _run_dijkstra(
            matrix, src_nodes.astype(np.int64), limit=limit, predecessors=True
        ):
            sub = dist[:, tgt_all]
            rows, cols = np.nonzero(np.isfinite(sub) & (sub <= limit))
            seconds = sub[rows, cols]
            metres = _path_lengths(
                pred,
                rows=rows,
                targets=tgt_all[cols],
                sources=idx[rows],
                arc_keys=arc_keys,
                arc_length=arc_len,
                n=n,
            )
            src_pos = idx[rows] - (o_first if forward else d_first)
            if forward:
                pieces.append((src_pos, cols, seconds, metres))
            else:
                pieces.append((cols, src_pos, seconds, metres))
    if pieces:
        zi, si, sec, met = (np.concatenate([p[i] for p in pieces]) for i in range(4))
    else:
        zi = si = np.empty(0, dtype=np.int64)
        sec = met = np.empty(0)
    order = np.lexsort((si, zi))
    table = pd.DataFrame(
        {
            "zone": zones.index.to_numpy()[zi[order]].astype(str),
            "site": sites.index.to_numpy()[si[order]].astype(str),
            "mode": settings.mode,
            "travel_time_min": sec[order] / 60.0,
            "distance_km": met[order] / 1000.0,
        }
    )
    table = table.astype({"zone": str, "site": str, "mode": str})
    points = _points_frame(
        roads, zones=zones, sites=sites, o_snap=o_snap, d_snap=d_snap, speed_ms=speed_ms
    )
    forward_matrix = matrix if forward else csr_matrix((aw, (au, av)), shape=(n, n))
    # A hashed look-up: np.isin on the object arrays of ids compares every pair (seconds).
    reached = pd.Index(zones.index.to_numpy().astype(str)).isin(table["zone"])
    unreached = np.flatnonzero(o_snap["snapped"].to_numpy(bool) & ~reached)
    nearest_s = nearest_site_s(forward_matrix, o_first + unreached, d_first + np.arange(n_d))
    reach = reachability_report(
        zones=zones,
        sites=sites,
        o_snap=o_snap,
        d_snap=d_snap,
        table=table,
        settings=settings,
        nearest_min=dict(zip(unreached.tolist(), (nearest_s / 60.0).tolist(), strict=True)),
    )
    return TravelTimes(
        table=table.reset_index(drop=True),
        reachability=reach,
        points=points,
        speed_imputed_share=float(graph.graph.get("speed_imputed_share", 0.0)),
        settings=settings,
        cache_key=key,
        meta={
            "travel_time_source": road_source_label(str(graph.graph.get("source", ""))),
            "graph_source": str(graph.graph.get("source", "")),
            "nodes": n_nodes,
            "edges": graph.number_of_edges(),
            "access_speed_kph": speed_ms * 3.6,
            "direction": "zone -> site",
            "search": "from zones" if forward else "from sites on the reversed graph",
        },
    )


def _points_frame(
    roads: Roads,
    *,
    zones: pd.DataFrame,
    sites: pd.DataFrame,
    o_snap: pd.DataFrame,
    d_snap: pd.DataFrame,
    speed_ms: float,
) -> pd.DataFrame:
    frames = []
    for kind, pts, snap in (("zone", zones, o_snap), ("site", sites, d_snap)):
        road = snap["road"].to_numpy()
        ok = road >= 0
        road_from = np.full(len(road), None, dtype=object)
        road_to = np.full(len(road), None, dtype=object)
        road_from[ok] = roads.nodes[roads.a[road[ok]]]
        road_to[ok] = roads.nodes[roads.b[road[ok]]]
        frames.append(
            pd.DataFrame(
                {
                    "point_kind": kind,
                    "id": pts.index.to_numpy().astype(str),
                    "lon": pts["lon"].to_numpy(),
                    "lat": pts["lat"].to_numpy(),
                    "snap_lon": snap["snap_lon"].to_numpy(),
                    "snap_lat": snap["snap_lat"].to_numpy(),
                    "snap_distance_m": snap["snap_distance_m"].to_numpy(),
                    "access_time_min": snap["snap_distance_m"].to_numpy() / speed_ms / 60.0,
                    "road_from": road_from,
                    "road_to": road_to,
                    "fraction": np.where(ok, snap["fraction"].to_numpy(), np.nan),
                    "snapped": ok,
                    "island": snap["island"].to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _disk_dir(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"od_{key[:24]}"


def _read_disk_cache(
    cache_dir: Path, key: str, settings: NetworkSettings, graph: nx.MultiDiGraph
) -> TravelTimes | None:
    folder = _disk_dir(cache_dir, key)
    meta_file = folder / "meta.json"
    if not meta_file.is_file():
        return None
    meta = json.loads(meta_file.read_text("utf-8"))
    if meta.get("cache_key") != key:
        return None
    table = pd.read_csv(folder / "table.csv", dtype={"zone": str, "site": str, "mode": str})
    reach = pd.read_csv(folder / "reachability.csv", dtype=str, keep_default_na=False)
    points = pd.read_csv(folder / "points.csv", dtype={"id": str, "point_kind": str})
    return TravelTimes(
        table=table,
        reachability=reach,
        points=points,
        speed_imputed_share=float(graph.graph.get("speed_imputed_share", 0.0)),
        settings=settings,
        cache_key=key,
        meta={**meta["meta"], "from_cache": str(folder)},
    )


def _write_disk_cache(cache_dir: Path, result: TravelTimes) -> None:
    folder = _disk_dir(cache_dir, result.cache_key)
    folder.mkdir(parents=True, exist_ok=True)
    result.table.to_csv(folder / "table.csv", index=False)
    result.reachability.to_csv(folder / "reachability.csv", index=False)
    result.points.to_csv(folder / "points.csv", index=False)
    (folder / "meta.json").write_text(
        json.dumps({"cache_key": result.cache_key, "meta": result.meta}, default=str),
        "utf-8",
    )


def clear_cache() -> None:
    """Forget every travel-time result cached in memory."""
    _CACHE.clear()
