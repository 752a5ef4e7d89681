"""Load a road network for one travel mode: OSM extract, osmnx GraphML, or a place download.

Every loader returns the same kind of graph: an ``nx.MultiDiGraph`` in WGS84 (node attributes
``x`` = lon, ``y`` = lat), holding only the ways of the mode's network (see
:mod:`voorzieningen.network.speeds`), simplified (osmnx), with edge attributes ``length`` (m),
``speed_kph`` (km/h), ``travel_time`` (s) and ``speed_imputed`` (bool), and graph attributes
``mode``, ``source``, ``speed_imputed_share`` (share of edges whose car speed came from the
highway-class table) and ``speed_imputed_length_share`` (the same, weighted by length).
"""

from __future__ import annotations

import hashlib
import math
import warnings
from itertools import pairwise
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import osmium
import osmnx as ox
import shapely
from shapely.geometry.base import BaseGeometry

from voorzieningen.errors import NetworkError, VoorzieningenWarning
from voorzieningen.network.speeds import (
    mode_speed,
    speed_table,
    way_allowed,
    way_direction,
)
from voorzieningen.schemas.network import NO_NETWORK_HELP, Mode, NetworkSettings

OSM_SUFFIXES: tuple[str, ...] = (".osm", ".osm.bz2", ".osm.gz", ".osm.pbf", ".pbf", ".xml")
"""File name endings read as OSM extracts (with pyosmium)."""

GRAPHML_SUFFIXES: tuple[str, ...] = (".graphml",)
"""File name endings read as osmnx GraphML."""

NWB_SUFFIXES: tuple[str, ...] = (".gml", ".gpkg", ".shp", ".geojson")
"""File name endings read as NWB-Wegen wegvakken (Rijkswaterstaat), in any CRS."""

#: Highway class assumed for NWB road managers (``wegbehsrt``): Rijk, provincie,
#: waterschap, gemeente, other. NWB has no speeds, so every NWB car speed is imputed.
NWB_ROAD_CLASS: dict[str, str] = {
    "R": "motorway",
    "P": "secondary",
    "W": "unclassified",
    "G": "residential",
    "T": "residential",
}

_OSMNX_NETWORK_TYPE: dict[Mode, str] = {
    "car": "drive",
    "bicycle": "bike",
    "ebike": "bike",
    "walk": "walk",
}
_KEPT_TAGS = ("highway", "maxspeed", "name", "ref", "access", "junction", "bridge", "tunnel")
_EARTH_RADIUS_M = 6_371_009.0
_MIN_TRAVEL_TIME_S = 1e-3
FloatArray = npt.NDArray[np.float64]


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in (*OSM_SUFFIXES, *GRAPHML_SUFFIXES, *NWB_SUFFIXES):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def load_network(
    path_or_place: str | Path | BaseGeometry,
    *,
    settings: NetworkSettings,
    cache_dir: Path | None = None,
) -> nx.MultiDiGraph:
    """
    Load the road network of ``settings.mode`` from a file, a place name or a polygon.

    Parameters
    ----------
    path_or_place
        One of

        * an OSM extract (``.osm``, ``.osm.bz2``, ``.osm.gz``, ``.osm.pbf``), read with
          pyosmium by :func:`graph_from_osm_file`;
        * a GraphML file saved by osmnx (any version, including the 0.16-era format), read by
          :func:`graph_from_graphml`;
        * NWB-Wegen wegvakken (``.gml``, ``.gpkg``, ``.shp``), read by :func:`graph_from_nwb`;
        * a place name (``"Nootdorp, Netherlands"``) or a shapely (Multi)Polygon in WGS84,
          downloaded with osmnx and cached in ``cache_dir`` (see :func:`graph_from_place`).
    settings
        Network settings: the mode and its speeds.
    cache_dir
        Directory for downloaded graphs. Without it, places are downloaded on every call.

    Returns
    -------
    nx.MultiDiGraph
        The mode's network (see the module docstring for its attributes).

    Raises
    ------
    NetworkError
        If the file is missing or unreadable, or holds no way of the mode's network.
    """
    if isinstance(path_or_place, BaseGeometry):
        return graph_from_place(path_or_place, settings=settings, cache_dir=cache_dir)
    path = Path(path_or_place)
    suffix = _suffix(path)
    looks_like_file = path.exists() or suffix in OSM_SUFFIXES + GRAPHML_SUFFIXES + NWB_SUFFIXES
    if not looks_like_file:
        return graph_from_place(str(path_or_place), settings=settings, cache_dir=cache_dir)
    if not path.is_file():
        msg = (
            f"road network file {path} does not exist; check network.source (relative to the "
            "data directory) or give a place name such as 'Delft, Netherlands'"
        )
        raise NetworkError(msg)
    if suffix in GRAPHML_SUFFIXES:
        return graph_from_graphml(path, settings=settings)
    if suffix in OSM_SUFFIXES:
        return graph_from_osm_file(path, settings=settings)
    if suffix in NWB_SUFFIXES:
        return graph_from_nwb(path, settings=settings)
    msg = (
        f"road network file {path} has an unknown type {suffix!r}; use an OSM extract "
        f"({', '.join(OSM_SUFFIXES)}) or an osmnx GraphML file (.graphml)"
    )
    raise NetworkError(msg)


def _haversine_m(
    lon1: FloatArray, lat1: FloatArray, lon2: FloatArray, lat2: FloatArray
) -> FloatArray:
    lon1, lat1, lon2, lat2 = (np.radians(a) for a in (lon1, lat1, lon2, lat2))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    out: FloatArray = 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return out


def graph_from_osm_file(path: Path, *, settings: NetworkSettings) -> nx.MultiDiGraph:
    """
    Build the mode's network from an OSM extract with pyosmium.

    pyosmium reads XML, bzip2/gzip XML and PBF alike, so all extracts go through one reader
    instead of ``osmnx.graph_from_xml`` (XML only). This is deliberate:

    * ``graph_from_xml`` in osmnx 2.x turns *every* way (buildings, landuse) into edges and
      applies no network filter; here only highway ways that the mode may use are kept, with
      the mode's own oneway rules (contraflow cycling, two-way walking);
    * extracts cut by a bounding box reference nodes missing from the file, on which
      ``graph_from_xml`` raises ``ValueError``; here a way is cut at every missing node (no
      straight-line shortcut over the gap), and a :class:`~voorzieningen.errors.
      VoorzieningenWarning` reports the counts;
    * no temporary XML file is needed for PBF, and one streaming pass keeps memory low.

    Speeds and travel times are computed per OSM segment *before* simplification and summed
    when osmnx merges segments, so simplification does not distort travel times (osmnx #717).

    Parameters
    ----------
    path
        The extract (.osm, .osm.bz2, .osm.gz or .osm.pbf).
    settings
        Network settings (mode and speeds).

    Returns
    -------
    nx.MultiDiGraph
        The simplified network of the mode, all components retained.

    Raises
    ------
    NetworkError
        If pyosmium cannot read the file, or it holds no way of the mode's network.
    """
    mode = settings.mode
    table = speed_table(settings.car_speed_kph)
    node_lon: dict[int, float] = {}
    node_lat: dict[int, float] = {}
    seg_u: list[int] = []
    seg_v: list[int] = []
    seg_way: list[int] = []
    way_attrs: list[dict[str, Any]] = []
    dangling_refs = 0
    dangling_ways = 0
    try:
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in processor:
            if not isinstance(way, osmium.osm.Way):
                continue
            tags = dict(way.tags)
            if not way_allowed(tags, mode):
                continue
            direction = way_direction(tags, mode)
            refs: list[tuple[int, float, float] | None] = []
            missing = 0
            for ref in way.nodes:
                if ref.location.valid():
                    refs.append((ref.ref, ref.location.lon, ref.location.lat))
                else:
                    refs.append(None)
                    missing += 1
            if missing:
                dangling_refs += missing
                dangling_ways += 1
            attrs: dict[str, Any] = {k: tags[k] for k in _KEPT_TAGS if k in tags}
            attrs["osmid"] = way.id
            attrs["oneway"] = direction != 0
            speed, imputed = mode_speed(
                mode, tags.get("highway"), tags.get("maxspeed"), settings=settings, table=table
            )
            attrs["speed_kph"] = speed
            attrs["speed_imputed"] = imputed
            index = len(way_attrs)
            way_attrs.append(attrs)
            for a, b in pairwise(refs):
                if a is None or b is None or a[0] == b[0]:
                    continue
                node_lon[a[0]], node_lat[a[0]] = a[1], a[2]
                node_lon[b[0]], node_lat[b[0]] = b[1], b[2]
                if direction >= 0:
                    seg_u.append(a[0])
                    seg_v.append(b[0])
                    seg_way.append(index)
                if direction <= 0:
                    seg_u.append(b[0])
                    seg_v.append(a[0])
                    seg_way.append(index)
    except RuntimeError as err:
        msg = f"cannot read OSM extract {path}: {err}; check that the file is a valid OSM file"
        raise NetworkError(msg) from err
    if dangling_refs:
        warnings.warn(
            f"{path.name}: {dangling_ways} {mode} ways reference {dangling_refs} nodes missing "
            "from the extract (clipped at its bounding box); the ways were cut at the missing "
            "nodes. Use a larger extract, or one cut with complete ways, to avoid edge effects.",
            VoorzieningenWarning,
            stacklevel=3,
        )
    if not seg_u:
        msg = (
            f"OSM extract {path} holds no way of the {mode} network; check that it contains "
            "highway ways, or choose another network.mode"
        )
        raise NetworkError(msg)
    u = np.asarray(seg_u, dtype=np.int64)
    v = np.asarray(seg_v, dtype=np.int64)
    lon_u = np.fromiter((node_lon[i] for i in seg_u), float, len(seg_u))
    lat_u = np.fromiter((node_lat[i] for i in seg_u), float, len(seg_u))
    lon_v = np.fromiter((node_lon[i] for i in seg_v), float, len(seg_v))
    lat_v = np.fromiter((node_lat[i] for i in seg_v), float, len(seg_v))
    length = _haversine_m(lon_u, lat_u, lon_v, lat_v)
    graph = nx.MultiDiGraph(crs="epsg:4326")
    graph.add_nodes_from((n, {"x": node_lon[n], "y": node_lat[n], "osmid": n}) for n in node_lon)
    edges = []
    for i in range(len(seg_u)):
        attrs = dict(way_attrs[seg_way[i]])
        attrs["length"] = float(length[i])
        edges.append((int(u[i]), int(v[i]), attrs))
    graph.add_edges_from(edges)
    return _finish(graph, source=str(path), settings=settings, segments=True)


def _finish(
    graph: nx.MultiDiGraph, *, source: str, settings: NetworkSettings, segments: bool
) -> nx.MultiDiGraph:
    """Add travel times, simplify raw segment graphs, and record graph attributes."""
    for _, _, data in graph.edges(data=True):
        speed = float(data["speed_kph"])
        data["travel_time"] = max(float(data["length"]) / (speed / 3.6), _MIN_TRAVEL_TIME_S)
        data["imputed_m"] = float(data["length"]) if data.get("speed_imputed") else 0.0
    if segments:
        graph = ox.simplify_graph(
            graph,
            edge_attr_aggs={"length": sum, "travel_time": sum, "imputed_m": sum},
        )
    imputed_edges = 0
    total_m = 0.0
    imputed_m = 0.0
    for _, _, data in graph.edges(data=True):
        data["speed_kph"] = float(data["length"]) / float(data["travel_time"]) * 3.6
        imputed = bool(data["imputed_m"] > 0.5 * float(data["length"]))
        data["speed_imputed"] = imputed
        imputed_edges += imputed
        total_m += float(data["length"])
        imputed_m += float(data.pop("imputed_m"))
    n_edges = graph.number_of_edges()
    graph.graph.update(
        {
            "crs": "epsg:4326",
            "mode": settings.mode,
            "source": source,
            "simplified": True,
            "speed_imputed_share": imputed_edges / n_edges if n_edges else 0.0,
            "speed_imputed_length_share": imputed_m / total_m if total_m else 0.0,
        }
    )
    return graph


def _prepare_osmnx_graph(
    raw: nx.MultiDiGraph, *, source: str, settings: NetworkSettings, segments: bool
) -> nx.MultiDiGraph:
    """Filter an osmnx graph (GraphML or download) to the mode, then add speeds."""
    mode = settings.mode
    table = speed_table(settings.car_speed_kph)
    graph = nx.MultiDiGraph()
    graph.graph.update(raw.graph)
    for node, data in raw.nodes(data=True):
        graph.add_node(node, x=float(data["x"]), y=float(data["y"]), osmid=data.get("osmid", node))
    classes: set[str] = set()
    for u, v, data in raw.edges(data=True):
        if not way_allowed(data, mode):
            continue
        attrs: dict[str, Any] = {
            k: data[k] for k in (*_KEPT_TAGS, "osmid", "oneway", "geometry") if k in data
        }
        attrs["length"] = float(data["length"])
        speed, imputed = mode_speed(
            mode, data.get("highway"), data.get("maxspeed"), settings=settings, table=table
        )
        attrs["speed_kph"] = speed
        attrs["speed_imputed"] = imputed
        hw = data.get("highway")
        classes.update(hw if isinstance(hw, list) else [str(hw)])
        graph.add_edge(u, v, **attrs)
    if mode == "walk":
        # a drive graph stores one-way streets in one direction only; pedestrians use both
        for u, v, data in list(graph.edges(data=True)):
            if not graph.has_edge(v, u):
                attrs = dict(data)
                if "geometry" in attrs:
                    attrs["geometry"] = attrs["geometry"].reverse()
                graph.add_edge(v, u, **attrs)
    graph.remove_nodes_from([n for n, deg in graph.degree() if deg == 0])
    if graph.number_of_edges() == 0:
        msg = (
            f"road network {source} holds no edge of the {mode} network; check the file, or "
            "choose another network.mode"
        )
        raise NetworkError(msg)
    if mode != "car" and not classes & {"footway", "cycleway", "path", "pedestrian", "track"}:
        warnings.warn(
            f"{source} looks like a drive network (no footway, cycleway, path or track edges); "
            f"{mode} travel times use roads only and may be too long. Load an OSM extract or "
            f"a {_OSMNX_NETWORK_TYPE[mode]} download for this mode.",
            VoorzieningenWarning,
            stacklevel=4,
        )
    return _finish(graph, source=source, settings=settings, segments=segments)


def graph_from_graphml(path: Path, *, settings: NetworkSettings) -> nx.MultiDiGraph:
    """
    Load a GraphML file saved by osmnx (any version) and prepare it for the mode.

    Old osmnx versions (before 1.0) wrote the same attribute names but no ``created_with``
    metadata; :func:`osmnx.load_graphml` reads both. Edges whose tags close them to the mode
    (``access=no``, ``service=parking_aisle`` ...) are dropped; for walking, missing reverse
    edges of one-way streets are added. Car speeds are recomputed with the Dutch profile even
    if the file already holds ``speed_kph``, so all sources are treated alike.

    Parameters
    ----------
    path
        The GraphML file.
    settings
        Network settings (mode and speeds).

    Returns
    -------
    nx.MultiDiGraph
        The mode's network.

    Raises
    ------
    NetworkError
        If the file cannot be parsed as an osmnx graph or holds no edge of the mode.
    """
    try:
        raw = ox.load_graphml(path)
    except (OSError, ValueError, KeyError, SyntaxError) as err:
        msg = (
            f"cannot read GraphML road network {path}: {err}; the file must be written by "
            "osmnx (ox.save_graphml) with node attributes x, y and edge attribute length"
        )
        raise NetworkError(msg) from err
    if not raw.is_directed() or raw.number_of_nodes() == 0:
        msg = f"GraphML road network {path} is empty or undirected; save it with osmnx"
        raise NetworkError(msg)
    sample = next(iter(raw.nodes(data=True)))[1]
    if "x" not in sample or "y" not in sample:
        msg = f"GraphML road network {path} has no node coordinates x, y; save it with osmnx"
        raise NetworkError(msg)
    crs = str(raw.graph.get("crs", "epsg:4326")).lower()
    if "longlat" not in crs and "4326" not in crs:
        msg = (
            f"GraphML road network {path} is projected ({crs}); save the unprojected graph "
            "(before ox.project_graph) so coordinates are WGS84 lon/lat"
        )
        raise NetworkError(msg)
    return _prepare_osmnx_graph(raw, source=str(path), settings=settings, segments=False)


def graph_from_nwb(path: Path, *, settings: NetworkSettings) -> nx.MultiDiGraph:
    """
    Build a network from NWB-Wegen road segments (wegvakken) of Rijkswaterstaat.

    Junctions ``jte_id_beg`` and ``jte_id_end`` become nodes, each wegvak an edge with its
    geometry. ``rijrichtng`` gives the direction for cars and bicycles: ``H`` (heen) along
    the digitised direction, ``T`` (tegen) against it, ``B``/``O``/empty both ways;
    walking is always two-way. NWB carries no highway class or speed: the road manager
    ``wegbehsrt`` maps to a class (:data:`NWB_ROAD_CLASS`), so all car speeds are imputed.

    Parameters
    ----------
    path
        The NWB file, in any CRS that geopandas can read (PDOK serves EPSG:28992).
    settings
        Network settings (mode and speeds).

    Returns
    -------
    nx.MultiDiGraph
        The network in WGS84, lengths (m) measured on the RD/projected geometry.

    Raises
    ------
    NetworkError
        If the file cannot be read or lacks the NWB columns.
    """
    import geopandas as gpd

    try:
        frame = gpd.read_file(path)
    except Exception as err:
        msg = f"cannot read NWB road file {path}: {err}; give a wegvakken GML/GeoPackage"
        raise NetworkError(msg) from err
    needed = {"jte_id_beg", "jte_id_end", "wegbehsrt", "rijrichtng"}
    missing = sorted(needed - set(frame.columns))
    if missing or frame.crs is None:
        msg = (
            f"NWB road file {path} lacks columns {missing} or a CRS; export the wegvakken "
            "layer of NWB-Wegen (PDOK nwbwegen:wegvakken) with its CRS"
        )
        raise NetworkError(msg)
    metric = frame if frame.crs.is_projected else frame.to_crs(frame.estimate_utm_crs())
    lengths = metric.geometry.length.to_numpy(float)
    wgs = frame.to_crs("EPSG:4326")
    table = speed_table(settings.car_speed_kph)
    graph = nx.MultiDiGraph(crs="epsg:4326")
    for i, row in enumerate(wgs.itertuples(index=False)):
        line = row.geometry
        if line is None or line.is_empty:
            continue
        if line.geom_type == "MultiLineString":
            line = shapely.line_merge(line)
        coords = list(line.coords) if line.geom_type == "LineString" else []
        if len(coords) < 2:
            continue
        beg, end = int(row.jte_id_beg), int(row.jte_id_end)
        graph.add_node(beg, x=coords[0][0], y=coords[0][1], osmid=beg)
        graph.add_node(end, x=coords[-1][0], y=coords[-1][1], osmid=end)
        highway = NWB_ROAD_CLASS.get(str(row.wegbehsrt), "residential")
        speed, imputed = mode_speed(settings.mode, highway, None, settings=settings, table=table)
        direction = str(row.rijrichtng or "B").upper()
        if settings.mode == "walk" or direction not in {"H", "T"}:
            direction = "B"
        attrs = {
            "highway": highway,
            "name": str(getattr(row, "stt_naam", "") or ""),
            "osmid": int(getattr(row, "wvk_id", i)),
            "length": float(lengths[i]),
            "speed_kph": speed,
            "speed_imputed": imputed,
            "oneway": direction != "B",
        }
        if direction in {"H", "B"}:
            graph.add_edge(beg, end, geometry=line, **attrs)
        if direction in {"T", "B"}:
            graph.add_edge(end, beg, geometry=line.reverse(), **attrs)
    if graph.number_of_edges() == 0:
        msg = f"NWB road file {path} holds no usable road segment"
        raise NetworkError(msg)
    return _finish(graph, source=str(path), settings=settings, segments=False)


def _cache_name(query: str | BaseGeometry, mode: Mode) -> str:
    key = query.wkt if isinstance(query, BaseGeometry) else query.strip().lower()
    digest = hashlib.sha256(f"{key}|{_OSMNX_NETWORK_TYPE[mode]}".encode()).hexdigest()[:16]
    return f"osmnx_{_OSMNX_NETWORK_TYPE[mode]}_{digest}.graphml"


def graph_from_place(
    query: str | BaseGeometry,
    *,
    settings: NetworkSettings,
    cache_dir: Path | None = None,
) -> nx.MultiDiGraph:
    """
    Download the network of a place or polygon with osmnx, caching the download on disk.

    The unsimplified osmnx network of the matching type (``drive``, ``bike`` or ``walk``) is
    downloaded with all components, stored as GraphML in ``cache_dir`` under a name derived
    from a hash of the query and network type, and then filtered, timed and simplified like
    an extract. A later call with the same query reads the cache and needs no internet.

    Parameters
    ----------
    query
        Place name for the geocoder (``"Nootdorp, Netherlands"``) or a (Multi)Polygon in WGS84.
    settings
        Network settings (mode and speeds).
    cache_dir
        Directory of cached downloads; created if missing. None disables caching.

    Returns
    -------
    nx.MultiDiGraph
        The mode's network.

    Raises
    ------
    NetworkError
        If the download fails (offline, unknown place) and no cached copy exists.
    """
    cached = cache_dir / _cache_name(query, settings.mode) if cache_dir is not None else None
    if cached is not None and cached.is_file():
        raw = ox.load_graphml(cached)
    else:
        network_type = _OSMNX_NETWORK_TYPE[settings.mode]
        try:
            if isinstance(query, BaseGeometry):
                raw = ox.graph_from_polygon(
                    query, network_type=network_type, simplify=False, retain_all=True
                )
            else:
                raw = ox.graph_from_place(
                    query, network_type=network_type, simplify=False, retain_all=True
                )
        except Exception as err:
            msg = (
                f"cannot download the road network of {query!r} with osmnx ({err}); check "
                f"the internet connection and the place name. {NO_NETWORK_HELP}"
            )
            raise NetworkError(msg) from err
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            ox.save_graphml(raw, cached)
    label = query.wkt[:60] if isinstance(query, BaseGeometry) else query
    return _prepare_osmnx_graph(raw, source=label, settings=settings, segments=True)


def graph_content_hash(graph: nx.MultiDiGraph) -> str:
    """
    Return a content hash of a graph's topology, coordinates and edge costs.

    Parameters
    ----------
    graph
        A graph from :func:`load_network`.

    Returns
    -------
    str
        Hex SHA-256 of node ids and coordinates and of every edge's ends, key, ``length`` and
        ``travel_time`` (rounded to 1e-9).
    """
    h = hashlib.sha256()
    nodes = sorted(graph.nodes(data=True), key=lambda item: str(item[0]))
    h.update(repr([(str(n), round(d["x"], 9), round(d["y"], 9)) for n, d in nodes]).encode())
    edges = sorted(
        (
            str(u),
            str(v),
            str(k),
            round(float(d["length"]), 9),
            round(float(d.get("travel_time", math.nan)), 9),
        )
        for u, v, k, d in graph.edges(keys=True, data=True)
    )
    h.update(repr(edges).encode())
    return h.hexdigest()
