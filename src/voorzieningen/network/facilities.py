"""Existing facilities from an OSM extract: schools, GP practices and community centres.

Each tagged OSM object (node, way or relation) becomes one point:

* a node: its location;
* a way: the centroid of its polygon when closed (a building or grounds), else the midpoint
  of the line;
* a relation (e.g. a ``type=multipolygon`` school ground or ``type=site``): the centroid of
  the polygons assembled from its member ways (or the mean of its member coordinates when
  they do not close).

pyosmium reads the extract twice: first the relations, to learn which ways and nodes they
need; then nodes and ways with a location cache. Nothing is downloaded by
:func:`facilities_from_osm`; :func:`facilities_from_polygon` downloads the same tags for an
area with osmnx (when online) and caches the answer on disk.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import osmium
import osmnx as ox
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from voorzieningen.errors import NetworkError

FACILITY_TAGS: dict[str, tuple[tuple[str, str], ...]] = {
    "school": (("amenity", "school"),),
    "gp": (("amenity", "doctors"), ("healthcare", "doctor")),
    "community_centre": (("amenity", "community_centre"),),
}
"""OSM tags of each facility kind (any one of the ``(key, value)`` pairs matches)."""

FACILITY_COLUMNS: tuple[str, ...] = ("kind", "name", "osm_type", "osm_id", "lon", "lat")
"""Columns of the table returned by :func:`facilities_from_osm` (index ``site``)."""

_TYPE_NAME = {"n": "node", "w": "way", "r": "relation"}


def _kind(tags: Mapping[str, str], kinds: Mapping[str, Sequence[tuple[str, str]]]) -> str | None:
    for kind, pairs in kinds.items():
        if any(tags.get(k) == v for k, v in pairs):
            return kind
    return None


def _way_point(coords: list[tuple[float, float]]) -> tuple[float, float]:
    if len(coords) >= 4 and coords[0] == coords[-1]:
        polygon = shapely.Polygon(coords)
        if polygon.is_valid and polygon.area > 0:
            c = polygon.centroid
            return float(c.x), float(c.y)
    if len(coords) >= 2:
        mid = shapely.LineString(coords).interpolate(0.5, normalized=True)
        return float(mid.x), float(mid.y)
    return coords[0]


def facilities_from_osm(
    path: Path,
    *,
    kinds: Mapping[str, Sequence[tuple[str, str]]] | None = None,
) -> pd.DataFrame:
    """
    Extract existing facilities (nodes, ways and relations) from an OSM extract.

    Parameters
    ----------
    path
        OSM extract (.osm, .osm.bz2, .osm.pbf).
    kinds
        Facility kinds and their tags; default :data:`FACILITY_TAGS` (school: amenity=school;
        gp: amenity=doctors or healthcare=doctor; community_centre: amenity=community_centre).
        An object matching several kinds gets the first.

    Returns
    -------
    pd.DataFrame
        Indexed by ``site`` (``"osm_n123"``, ``"osm_w456"``, ``"osm_r789"``), with columns
        ``kind``, ``name`` (empty if untagged), ``osm_type`` (node/way/relation), ``osm_id``,
        ``lon`` and ``lat`` (WGS84 degrees). Objects whose geometry is entirely missing from
        the extract are skipped.

    Raises
    ------
    NetworkError
        If the file does not exist or cannot be read.
    """
    kinds = FACILITY_TAGS if kinds is None else kinds
    if not Path(path).is_file():
        msg = f"OSM extract {path} does not exist; give the path of an .osm or .osm.pbf file"
        raise NetworkError(msg)
    rows: list[tuple[str, str, str, str, int, float, float]] = []
    relations: dict[int, tuple[str, str, list[int], list[int]]] = {}
    try:
        for rel in osmium.FileProcessor(str(path), osmium.osm.RELATION):
            if not isinstance(rel, osmium.osm.Relation):
                continue
            tags = dict(rel.tags)
            kind = _kind(tags, kinds)
            if kind is None:
                continue
            ways = [m.ref for m in rel.members if m.type == "w"]
            nodes = [m.ref for m in rel.members if m.type == "n"]
            relations[rel.id] = (kind, tags.get("name", ""), ways, nodes)
        need_ways = {w for r in relations.values() for w in r[2]}
        need_nodes = {n for r in relations.values() for n in r[3]}
        way_coords: dict[int, list[tuple[float, float]]] = {}
        node_coords: dict[int, tuple[float, float]] = {}
        processor = osmium.FileProcessor(
            str(path), osmium.osm.NODE | osmium.osm.WAY
        ).with_locations()
        for obj in processor:
            if isinstance(obj, osmium.osm.Node):
                if obj.id in need_nodes and obj.location.valid():
                    node_coords[obj.id] = (obj.location.lon, obj.location.lat)
                if not obj.tags or not obj.location.valid():
                    continue
                tags = dict(obj.tags)
                kind = _kind(tags, kinds)
                if kind is not None:
                    lon, lat = obj.location.lon, obj.location.lat
                    rows.append(
                        (f"osm_n{obj.id}", kind, tags.get("name", ""), "node", obj.id, lon, lat)
                    )
            elif isinstance(obj, osmium.osm.Way):
                tags = dict(obj.tags)
                kind = _kind(tags, kinds)
                if kind is None and obj.id not in need_ways:
                    continue
                coords = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
                if not coords:
                    continue
                if obj.id in need_ways:
                    way_coords[obj.id] = coords
                if kind is not None:
                    lon, lat = _way_point(coords)
                    rows.append(
                        (f"osm_w{obj.id}", kind, tags.get("name", ""), "way", obj.id, lon, lat)
                    )
    except RuntimeError as err:
        msg = f"cannot read OSM extract {path}: {err}; check that the file is a valid OSM file"
        raise NetworkError(msg) from err
    for rid, (kind, name, ways, nodes) in relations.items():
        lines = [shapely.LineString(way_coords[w]) for w in ways if len(way_coords.get(w, [])) >= 2]
        polygons = shapely.get_parts(shapely.polygonize(lines)) if lines else []
        if len(polygons):
            c = shapely.union_all(polygons).centroid
            lon, lat = float(c.x), float(c.y)
        else:
            pts = [p for w in ways for p in way_coords.get(w, [])]
            pts += [node_coords[n] for n in nodes if n in node_coords]
            if not pts:
                continue
            lon, lat = (float(v) for v in np.mean(np.array(pts), axis=0))
        rows.append((f"osm_r{rid}", kind, name, "relation", rid, lon, lat))
    frame = pd.DataFrame(rows, columns=["site", *FACILITY_COLUMNS])
    return frame.set_index("site").sort_index()


def _osmnx_tags(
    kinds: Mapping[str, Sequence[tuple[str, str]]],
) -> dict[str, bool | str | list[str]]:
    tags: dict[str, set[str]] = {}
    for pairs in kinds.values():
        for key, value in pairs:
            tags.setdefault(key, set()).add(value)
    return {key: sorted(values) for key, values in sorted(tags.items())}


def features_cache_name(
    polygon: BaseGeometry, kinds: Mapping[str, Sequence[tuple[str, str]]] | None = None
) -> str:
    """
    Return the cache file name of an OSM feature query (a hash of the area and the tags).

    Parameters
    ----------
    polygon
        The query area (WGS84).
    kinds
        Facility kinds and their tags; default :data:`FACILITY_TAGS`.

    Returns
    -------
    str
        ``"osm_features_<16 hex digits>.csv"``.
    """
    kinds = FACILITY_TAGS if kinds is None else kinds
    key = json.dumps(
        [polygon.wkt, {k: [list(p) for p in v] for k, v in sorted(kinds.items())}],
        sort_keys=True,
    )
    return f"osm_features_{hashlib.sha256(key.encode()).hexdigest()[:16]}.csv"


def facilities_from_polygon(
    polygon: BaseGeometry,
    *,
    cache_dir: Path | None,
    kinds: Mapping[str, Sequence[tuple[str, str]]] | None = None,
) -> pd.DataFrame:
    """
    Download the facilities of an area from OpenStreetMap with osmnx, cached on disk.

    ``osmnx.features_from_polygon`` is asked for every tag of ``kinds``; each object becomes
    one point (a node its location, a way or relation the centroid of its geometry). The
    table is stored as CSV in ``cache_dir`` under a name derived from the area and the tags
    (:func:`features_cache_name`); a later call with the same area reads the cache and needs
    no internet.

    Parameters
    ----------
    polygon
        The area, a (Multi)Polygon in WGS84 lon/lat.
    cache_dir
        Directory of cached answers; created if missing. None disables caching.
    kinds
        Facility kinds and their tags; default :data:`FACILITY_TAGS`. An object matching
        several kinds gets the first.

    Returns
    -------
    pd.DataFrame
        Same layout as :func:`facilities_from_osm`: indexed by ``site`` (``"osm_n123"``, ...),
        columns ``kind``, ``name``, ``osm_type``, ``osm_id``, ``lon``, ``lat`` (WGS84 degrees).
        Empty when OSM has no such object in the area.

    Raises
    ------
    NetworkError
        If the download fails (offline, server error) and no cached answer exists.
    """
    kinds = FACILITY_TAGS if kinds is None else kinds
    cached = cache_dir / features_cache_name(polygon, kinds) if cache_dir is not None else None
    if cached is not None and cached.is_file():
        frame = pd.read_csv(
            cached, dtype={"site": str, "name": str, "kind": str}, keep_default_na=False
        )
        return frame.set_index("site")[list(FACILITY_COLUMNS)]
    rows: list[tuple[str, str, str, str, int, float, float]] = []
    try:
        found = ox.features_from_polygon(polygon, tags=_osmnx_tags(kinds))
    except ox._errors.InsufficientResponseError:  # osmnx: no matching object in the area
        found = None
    except Exception as err:
        msg = (
            f"cannot download OpenStreetMap features with osmnx ({type(err).__name__}: {err}); "
            "check the internet connection (the answer is cached once downloaded)"
        )
        raise NetworkError(msg) from err
    if found is not None and len(found):
        records = found.reset_index().to_dict(orient="records")
        for rec in records:
            tags = {str(k): str(v) for k, v in rec.items() if isinstance(v, str)}
            kind = _kind(tags, kinds)
            geometry = rec.get("geometry")
            if kind is None or not isinstance(geometry, BaseGeometry) or geometry.is_empty:
                continue
            point = geometry if geometry.geom_type == "Point" else geometry.centroid
            element = str(rec.get("element", rec.get("element_type", "node")))
            osm_id = int(rec.get("id", rec.get("osmid", 0)))
            rows.append(
                (
                    f"osm_{element[:1]}{osm_id}",
                    kind,
                    tags.get("name", ""),
                    element,
                    osm_id,
                    float(point.x),
                    float(point.y),
                )
            )
    frame = pd.DataFrame(rows, columns=["site", *FACILITY_COLUMNS])
    frame = frame.drop_duplicates("site").set_index("site").sort_index()
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(cached)
    return frame
