"""Maps of a plan: GeoPackage layers, a static PNG and a self-contained HTML map.

Every function takes the run's :class:`~voorzieningen.results.Results` plus two point
tables, so that it works on a run in memory and on a results folder alike:

* ``sites``: index ``site`` (or a ``site`` column); columns ``lon``, ``lat`` (WGS84 degrees)
  and optionally ``name``, ``service``, ``kind``;
* ``zones``: index ``zone`` (or a ``zone`` column); columns ``lon``, ``lat`` (WGS84
  degrees) and optionally ``gemeente``.

:func:`read_points` reads both from a results folder (``sites.csv`` and
``zones_points.csv``, written by :func:`voorzieningen.report.write_report`).

Coordinates are drawn in a metric projection: RD New (EPSG:28992) when every point lies in
the Netherlands, otherwise the local UTM zone, so that distances and the scale bar are true.
The GeoPackage stores WGS84 (EPSG:4326), which every GIS reads.

Drawing uses matplotlib's object-oriented API (:class:`matplotlib.figure.Figure`) and never
imports :mod:`matplotlib.pyplot`, so no GUI backend is chosen and the caller's backend
(e.g. a notebook's) is left alone: writing a PNG this way always uses Agg.
"""

from __future__ import annotations

import html
import json
import math
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from shapely.geometry import LineString, Point

from voorzieningen import tables as T
from voorzieningen.errors import InputDataError
from voorzieningen.report import SERVICE_EN, SERVICE_NL, read_table
from voorzieningen.results import Results

#: Actions of ``Results.decisions`` in drawing order (later ones are drawn on top).
ACTIONS: tuple[str, ...] = ("not_built", "keep", "renovate", "convert", "mfa", "new", "close")

#: Colour per action (Okabe-Ito palette, readable by colour-blind readers and, with the
#: marker shapes, in grey print).
ACTION_COLOURS: dict[str, str] = {
    "keep": "#6E6E6E",
    "close": "#D55E00",
    "renovate": "#0072B2",
    "convert": "#CC79A7",
    "mfa": "#E69F00",
    "new": "#009E73",
    "not_built": "#B0B0B0",
}

#: matplotlib marker per action.
ACTION_MARKERS: dict[str, str] = {
    "keep": "o",
    "close": "X",
    "renovate": "s",
    "convert": "D",
    "mfa": "P",
    "new": "*",
    "not_built": "o",
}

#: Legend labels per action and language.
ACTION_LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "keep": "behouden",
        "close": "sluiten",
        "renovate": "renoveren",
        "convert": "ombouwen",
        "mfa": "MFA / kindcentrum",
        "new": "nieuwbouw",
        "not_built": "kavel niet gebruikt",
    },
    "en": {
        "keep": "keep",
        "close": "close",
        "renovate": "renovate",
        "convert": "convert",
        "mfa": "multifunctional centre",
        "new": "new build",
        "not_built": "candidate not built",
    },
}

_TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Plan {scenario}: voorzieningen tot {period}",
        "subtitle": (
            "investeringen € {capex} · verkoop € {proceeds} · gem. reistijd {tt} min · "
            "{projects} projecten, {closures} sluitingen"
        ),
        "zone": "wijk/dorp (grootte = vraag {period})",
        "unmet": "wijk met onvervulde vraag",
        "lines": "toewijzing wijk → voorziening",
        "year": "jaar",
        "capex": "investering",
        "proceeds": "opbrengst",
        "services": "functies na",
        "demand": "vraag",
        "before": "reistijd nu",
        "after": "reistijd na",
        "unmet_short": "onvervuld",
    },
    "en": {
        "title": "Plan {scenario}: facilities up to {period}",
        "subtitle": (
            "capex € {capex} · sale proceeds € {proceeds} · mean travel time {tt} min · "
            "{projects} projects, {closures} closures"
        ),
        "zone": "zone (size = demand {period})",
        "unmet": "zone with unmet demand",
        "lines": "allocation zone → facility",
        "year": "year",
        "capex": "capex",
        "proceeds": "proceeds",
        "services": "services after",
        "demand": "demand",
        "before": "travel time now",
        "after": "travel time after",
        "unmet_short": "unmet",
    },
}

#: Background colour of the HTML map (tests look for marker colours against it).
HTML_BACKGROUND = "#F7F7F4"

#: Bounds of RD New (EPSG:28992), WGS84 degrees: west, south, east, north.
_RD_BOUNDS = (3.2, 50.7, 7.3, 53.7)

_SITE_FILE = "sites.csv"
_ZONE_FILE = "zones_points.csv"


# --------------------------------------------------------------------------------------
# Inputs


def _indexed(frame: pd.DataFrame, index: str, what: str) -> pd.DataFrame:
    """Return ``frame`` indexed by ``index`` (taken from a column if needed), ids as text."""
    if index in frame.columns:
        frame = frame.set_index(index)
    elif frame.index.name != index:
        msg = (
            f"({what}) | the table needs an index or column named {index!r}; it has index "
            f"{frame.index.name!r} and columns {list(frame.columns)}."
        )
        raise InputDataError(msg)
    missing = [c for c in (T.LON, T.LAT) if c not in frame.columns]
    if missing:
        msg = (
            f"({what}) | missing column(s) {missing}; pass a table with {index}, lon and lat "
            "(WGS84 degrees)."
        )
        raise InputDataError(msg)
    out = frame.copy()
    out.index = pd.Index([str(i) for i in out.index], name=index)
    return out


def _check_located(frame: pd.DataFrame, ids: Iterable[str], what: str, fix: str) -> None:
    """Raise if any id is absent from ``frame`` or has no finite lon/lat."""
    wanted = list(dict.fromkeys(str(i) for i in ids))
    absent = [i for i in wanted if i not in frame.index]
    present = [i for i in wanted if i in frame.index]
    coords = frame.loc[present, [T.LON, T.LAT]].apply(pd.to_numeric, errors="coerce")
    bad = [str(i) for i in coords.index[~np.isfinite(coords.to_numpy(dtype=float)).all(axis=1)]]
    if absent or bad:
        parts = []
        if absent:
            parts.append(f"no row for {T.format_rows(absent)}")
        if bad:
            parts.append(f"no valid lon/lat for {T.format_rows(bad)}")
        msg = f"({what}) | {'; '.join(parts)}. {fix}"
        raise InputDataError(msg)


def _site_points(results: Results, sites: pd.DataFrame) -> pd.DataFrame:
    table = _indexed(sites, T.SITE, "sites")
    _check_located(
        table,
        results.decisions[T.SITE].astype(str),
        "sites",
        "Pass the sites table of the same run (sites.csv in its results folder).",
    )
    return table


def _zone_points(results: Results, zones: pd.DataFrame) -> pd.DataFrame:
    table = _indexed(zones, T.ZONE, "zones")
    _check_located(
        table,
        results.zones[T.ZONE].astype(str),
        "zones",
        "Pass the zones table of the same run (zones_points.csv in its results folder).",
    )
    return table


def _csv_format(folder: Path) -> bool:
    """Return whether the CSVs in a results folder were written for Dutch Excel."""
    run = folder / "run.json"
    if not run.is_file():
        return False
    try:
        meta = json.loads(run.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        msg = f"({run}) | not valid JSON ({err}); rerun the scenario to rewrite the results."
        raise InputDataError(msg) from err
    return isinstance(meta, dict) and meta.get("csv_format") == "dutch_excel"


def read_points(folder: Path | str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """
    Read the site and zone coordinates saved in a results folder.

    Parameters
    ----------
    folder
        A folder written by :func:`voorzieningen.report.write_report`, with ``sites.csv``
        (site, name, kind, service, lon, lat, ...) and ``zones_points.csv`` (zone,
        gemeente, lon, lat); CSVs written for Dutch Excel are recognised from ``run.json``.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(sites, zones)``: sites indexed by ``site`` and zones indexed by ``zone`` (ids as
        text), each with ``lon`` and ``lat`` in WGS84 degrees.

    Raises
    ------
    InputDataError
        If a file is missing or lacks a required column.
    """
    root = Path(folder)
    dutch = _csv_format(root)
    frames: list[pd.DataFrame] = []
    for name, index in ((_SITE_FILE, T.SITE), (_ZONE_FILE, T.ZONE)):
        path = root / name
        if not path.is_file():
            msg = (
                f"({path}) | {name} not found: this results folder has no coordinates (it "
                "was written before maps existed, or is not a results folder). Rerun the "
                "scenario with `voorzieningen run ... --out-dir` to write it."
            )
            raise InputDataError(msg)
        frame = read_table(path, dutch_excel=dutch)
        missing = [c for c in (index, T.LON, T.LAT) if c not in frame.columns]
        if missing:
            msg = (
                f"({path}) | missing column(s) {missing}; the file has "
                f"{list(frame.columns)}. Rerun the scenario to rewrite it."
            )
            raise InputDataError(msg)
        frames.append(_indexed(frame, index, str(path)))
    return frames[0], frames[1]


# --------------------------------------------------------------------------------------
# Tables behind the maps


def last_period(results: Results) -> int:
    """
    Return the last planning period of a run.

    Parameters
    ----------
    results
        The run's results.

    Returns
    -------
    int
        The largest ``period`` (year) in ``results.zones``.

    Raises
    ------
    InputDataError
        If ``results.zones`` is empty.
    """
    periods = pd.to_numeric(results.zones[T.PERIOD], errors="coerce").dropna()
    if periods.empty:
        msg = "(results.zones) | no periods; the run has no zone results to map."
        raise InputDataError(msg)
    return int(periods.max())


def site_decisions(results: Results, sites: pd.DataFrame) -> pd.DataFrame:
    """
    Return the plan's decision per site with the site's coordinates.

    Parameters
    ----------
    results
        The run's results.
    sites
        Site coordinates (index or column ``site``; ``lon``, ``lat`` in WGS84 degrees).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``site``; the columns of ``results.decisions`` (action, period as the
        year of the action, capex_eur and proceeds_eur in EUR, ...) plus ``lon``, ``lat``.

    Raises
    ------
    InputDataError
        If a site of the decisions has no coordinates.
    """
    points = _site_points(results, sites)
    d = results.decisions.copy()
    d[T.SITE] = d[T.SITE].astype(str)
    d = d.set_index(T.SITE)
    d[T.LON] = points.loc[d.index, T.LON].astype(float)
    d[T.LAT] = points.loc[d.index, T.LAT].astype(float)
    return d


def zone_kpis(results: Results, zones: pd.DataFrame, *, period: int | None = None) -> pd.DataFrame:
    """
    Return one row per zone with its accessibility indicators in one period, per service.

    Parameters
    ----------
    results
        The run's results.
    zones
        Zone coordinates (index or column ``zone``; ``lon``, ``lat`` in WGS84 degrees;
        ``gemeente`` optional).
    period
        Planning period (year); the last one if ``None``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``zone``: ``gemeente`` (when given), ``lon``, ``lat``, ``period``, then per
        service ``<service>_demand_persons``, ``<service>_unmet_persons`` (persons or
        service equivalents), ``<service>_travel_time_before_min`` (nearest existing
        facility today) and ``<service>_travel_time_after_min`` (mean over the plan's
        assignments, minutes); ``demand_persons`` and ``unmet_persons`` summed over services.

    Raises
    ------
    InputDataError
        If a zone has no coordinates, or ``period`` is not a period of the run.
    """
    points = _zone_points(results, zones)
    year = last_period(results) if period is None else int(period)
    z = results.zones.copy()
    z[T.ZONE] = z[T.ZONE].astype(str)
    z = z[pd.to_numeric(z[T.PERIOD]) == year]
    if z.empty:
        known = sorted({int(p) for p in results.zones[T.PERIOD]})
        msg = f"(results.zones) | no rows for period {year}; the run's periods are {known}."
        raise InputDataError(msg)
    measures = [
        T.DEMAND_PERSONS,
        "unmet_persons",
        "travel_time_before_min",
        "travel_time_after_min",
    ]
    wide = z.pivot_table(index=T.ZONE, columns=T.SERVICE, values=measures, dropna=False)
    out = pd.DataFrame(index=pd.Index(sorted(z[T.ZONE].unique()), name=T.ZONE))
    if T.GEMEENTE in points.columns:
        out[T.GEMEENTE] = points.loc[out.index, T.GEMEENTE].astype(str)
    out[T.LON] = points.loc[out.index, T.LON].astype(float)
    out[T.LAT] = points.loc[out.index, T.LAT].astype(float)
    out[T.PERIOD] = year
    services = sorted(z[T.SERVICE].astype(str).unique())
    for service in services:
        for measure in measures:
            out[f"{service}_{measure}"] = wide[(measure, service)].reindex(out.index)
    out[T.DEMAND_PERSONS] = z.groupby(T.ZONE)[T.DEMAND_PERSONS].sum().reindex(out.index)
    out["unmet_persons"] = z.groupby(T.ZONE)["unmet_persons"].sum().reindex(out.index)
    return out


def allocation_table(results: Results, *, period: int | None = None) -> pd.DataFrame:
    """
    Return persons assigned per (zone, site), summed over services, in one period.

    Parameters
    ----------
    results
        The run's results.
    period
        Planning period (year); the last one if ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns ``zone``, ``site`` (text) and ``persons`` (persons or service equivalents).
    """
    year = last_period(results) if period is None else int(period)
    a = results.plan.assignments
    a = a[pd.to_numeric(a[T.PERIOD]) == year]
    out = a.groupby([a[T.ZONE].astype(str), a[T.SITE].astype(str)])["persons"].sum()
    return out.reset_index()


# --------------------------------------------------------------------------------------
# GeoPackage


def _atomic_target(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    Path(tmp).unlink()
    return Path(tmp)


def write_geopackage(
    results: Results, sites: pd.DataFrame, zones: pd.DataFrame, path: Path | str
) -> Path:
    """
    Write the plan as a GeoPackage with three layers, in WGS84 (EPSG:4326).

    Layers:

    * ``zones``: one point per zone with :func:`zone_kpis` for the last period (demand,
      unmet demand, travel time before and after per service; minutes and persons);
    * ``sites``: one point per building and candidate with its decision (action, period as
      the year of the action, services_after, capex_eur and proceeds_eur in EUR, ...);
    * ``allocation_lines``: one straight line per row of ``results.plan.assignments``
      (zone → site), with service, period, persons, travel_time_min and distance_km.

    The file is written to a temporary name and renamed into place, replacing any earlier
    file.

    Parameters
    ----------
    results
        The run's results.
    sites
        Site coordinates (index or column ``site``; ``lon``, ``lat`` in WGS84 degrees).
    zones
        Zone coordinates (index or column ``zone``; ``lon``, ``lat``; ``gemeente`` optional).
    path
        Target ``.gpkg`` file.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputDataError
        If a site or zone of the plan has no coordinates.
    """
    target = Path(path)
    site_table = site_decisions(results, sites)
    zone_table = zone_kpis(results, zones)
    site_pts = _site_points(results, sites)
    zone_pts = _zone_points(results, zones)

    def layer(frame: pd.DataFrame, geometry: list[Any]) -> gpd.GeoDataFrame:
        out = frame.copy()
        for col in out.columns:
            if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
                out[col] = out[col].astype(object).where(out[col].notna(), None)
        return gpd.GeoDataFrame(out, geometry=geometry, crs="EPSG:4326")

    zones_gdf = layer(
        zone_table.reset_index(),
        [Point(x, y) for x, y in zip(zone_table[T.LON], zone_table[T.LAT], strict=True)],
    )
    site_frame = site_table.reset_index()
    site_frame[T.PERIOD] = site_frame[T.PERIOD].astype("Int64")
    sites_gdf = layer(
        site_frame,
        [Point(x, y) for x, y in zip(site_table[T.LON], site_table[T.LAT], strict=True)],
    )
    a = results.plan.assignments.copy()
    a[T.ZONE] = a[T.ZONE].astype(str)
    a[T.SITE] = a[T.SITE].astype(str)
    _check_located(site_pts, a[T.SITE], "sites", "Pass the sites table of the same run.")
    _check_located(zone_pts, a[T.ZONE], "zones", "Pass the zones table of the same run.")
    lines = [
        LineString(
            [
                (_num(zone_pts.at[z, T.LON]), _num(zone_pts.at[z, T.LAT])),
                (_num(site_pts.at[s, T.LON]), _num(site_pts.at[s, T.LAT])),
            ]
        )
        for z, s in zip(a[T.ZONE], a[T.SITE], strict=True)
    ]
    lines_gdf = layer(a.reset_index(drop=True), lines)
    tmp = _atomic_target(target)
    try:
        zones_gdf.to_file(tmp, layer="zones", driver="GPKG")
        sites_gdf.to_file(tmp, layer="sites", driver="GPKG")
        lines_gdf.to_file(tmp, layer="allocation_lines", driver="GPKG")
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


# --------------------------------------------------------------------------------------
# Projection and shared drawing helpers


@dataclass(frozen=True)
class _Projector:
    """Project WGS84 degrees to a metric CRS (metres)."""

    crs: str

    def __call__(self, lon: Iterable[float], lat: Iterable[float]) -> tuple[np.ndarray, np.ndarray]:
        pts = gpd.GeoSeries(gpd.points_from_xy(list(lon), list(lat)), crs="EPSG:4326")
        projected = pts.to_crs(self.crs)
        return np.asarray(projected.x, dtype=float), np.asarray(projected.y, dtype=float)


def _projector(lon: np.ndarray, lat: np.ndarray) -> _Projector:
    west, south, east, north = _RD_BOUNDS
    if len(lon) and (
        lon.min() >= west and lon.max() <= east and lat.min() >= south and lat.max() <= north
    ):
        return _Projector("EPSG:28992")
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    return _Projector(str(pts.estimate_utm_crs().to_string()))


def _nice_length(span_m: float) -> float:
    """Return a round scale-bar length (1, 2 or 5 times a power of ten) near a fifth of span."""
    target = max(span_m / 5.0, 1.0)
    power = 10 ** math.floor(math.log10(target))
    return float(max(f * power for f in (1, 2, 5) if f * power <= target))


def _length_label(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def _money(value: float, language: str) -> str:
    text = f"{value:,.0f}"
    return text.replace(",", ".") if language == "nl" else text


def _check_language(language: str) -> None:
    if language not in _TEXT:
        msg = f"language must be 'nl' or 'en', got {language!r}"
        raise ValueError(msg)


def _halo() -> list[Any]:
    return [patheffects.withStroke(linewidth=3, foreground="white")]


def _add_scale_bar(ax: Any, x0: float, x1: float, y0: float, y1: float) -> None:
    length = _nice_length(x1 - x0)
    left = x0 + 0.04 * (x1 - x0)
    base = y0 + 0.04 * (y1 - y0)
    ax.plot([left, left + length], [base, base], color="black", linewidth=3, zorder=10)
    ax.text(
        left + length / 2,
        base + 0.015 * (y1 - y0),
        _length_label(length),
        ha="center",
        va="bottom",
        fontsize=8,
        path_effects=_halo(),
        zorder=10,
    )


_LABEL_OFFSETS: tuple[tuple[float, float, str, str], ...] = (
    (6, 6, "left", "bottom"),
    (6, -6, "left", "top"),
    (-6, 6, "right", "bottom"),
    (-6, -6, "right", "top"),
    (0, 12, "center", "bottom"),
    (0, -12, "center", "top"),
    (14, 0, "left", "center"),
    (-14, 0, "right", "center"),
)


def _place_labels(
    ax: Any,
    texts: list[str],
    anchors: list[tuple[float, float]],
    *,
    fontsize: float,
) -> None:
    """Annotate points, choosing per label the offset that overlaps earlier labels least.

    Label boxes are estimated in points from the number of characters (greedy, no
    iteration), which is enough to keep neighbouring facility labels apart.
    """
    to_points = ax.transData.transform
    scale = 72.0 / ax.figure.dpi
    placed: list[tuple[float, float, float, float]] = []
    for label, (x, y) in zip(texts, anchors, strict=True):
        lines = label.split("\n")
        w = max(len(line) for line in lines) * fontsize * 0.55
        h = len(lines) * fontsize * 1.25
        px, py = (float(v) * scale for v in to_points((x, y)))
        best: tuple[float, tuple[float, float, str, str], tuple[float, float, float, float]]
        best = (math.inf, _LABEL_OFFSETS[0], (0.0, 0.0, 0.0, 0.0))
        for offset in _LABEL_OFFSETS:
            dx, dy, ha, va = offset
            left = px + dx - {"left": 0.0, "center": w / 2, "right": w}[ha]
            bottom = py + dy - {"bottom": 0.0, "center": h / 2, "top": h}[va]
            box = (left, bottom, left + w, bottom + h)
            overlap = sum(
                max(0.0, min(box[2], o[2]) - max(box[0], o[0]))
                * max(0.0, min(box[3], o[3]) - max(box[1], o[1]))
                for o in placed
            )
            if overlap < best[0]:
                best = (overlap, offset, box)
        dx, dy, ha, va = best[1]
        placed.append(best[2])
        ax.annotate(
            label,
            (x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=fontsize,
            path_effects=_halo(),
            zorder=6,
        )


def _save_figure(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _atomic_target(path)
    try:
        fig.savefig(tmp, format="png")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _title_lines(results: Results, period: int, language: str) -> tuple[str, str]:
    text = _TEXT[language]
    scenario = str(results.meta.get("scenario", "")) or "?"
    title = text["title"].format(scenario=scenario, period=period)
    if results.summary.empty:
        return title, ""
    row = results.summary.iloc[0]

    def num(key: str) -> float:
        try:
            return float(row[key])
        except (KeyError, TypeError, ValueError):
            return float("nan")

    subtitle = text["subtitle"].format(
        capex=_money(num("capex_total_eur"), language),
        proceeds=_money(num("proceeds_total_eur"), language),
        tt=f"{num('mean_travel_time_min'):.1f}".replace(".", "," if language == "nl" else "."),
        projects=int(num("projects_started")) if math.isfinite(num("projects_started")) else 0,
        closures=int(num("sites_closed")) if math.isfinite(num("sites_closed")) else 0,
    )
    return title, subtitle


def _num(value: Any) -> float:
    """Return a table cell as a float (pandas scalars are loosely typed)."""
    return float(value)


def _missing(value: Any) -> bool:
    """Return whether a table cell is missing (None, NaN, NA or NaT)."""
    return value is None or bool(pd.isna(value))


def _xy(index: Iterable[object], x: np.ndarray, y: np.ndarray) -> dict[str, tuple[float, float]]:
    """Map ids to projected (x, y) coordinates."""
    return {str(i): (float(a), float(b)) for i, a, b in zip(index, x, y, strict=True)}


def _year(value: object) -> str:
    return "" if _missing(value) else str(int(_num(value)))


# --------------------------------------------------------------------------------------
# PNG


def write_png_map(
    results: Results,
    sites: pd.DataFrame,
    zones: pd.DataFrame,
    path: Path | str,
    *,
    period: int | None = None,
    language: str = "nl",
    title: str | None = None,
    dpi: int = 200,
) -> Path:
    """
    Draw the plan on a static map (PNG, A4 landscape, no basemap tiles).

    Sites are drawn with a colour and marker shape per action (keep, close, renovate,
    convert, mfa, new, not_built), sites whose action is not ``keep``/``not_built`` are
    labelled with name and year; zones are circles whose area is proportional to their
    demand in ``period`` (summed over services), outlined red where demand is unmet;
    allocation lines zone → facility are faint, their width proportional to persons. A
    legend, title, summary line and scale bar are included.

    Parameters
    ----------
    results
        The run's results.
    sites
        Site coordinates (index or column ``site``; ``lon``, ``lat`` in WGS84 degrees).
    zones
        Zone coordinates (index or column ``zone``; ``lon``, ``lat``; ``gemeente`` optional).
    path
        Target ``.png`` file.
    period
        Planning period (year) for demand and allocation; the last one if ``None``.
    language
        ``"nl"`` or ``"en"`` for the title and legend.
    title
        Title to use instead of the default "Plan <scenario> ...".
    dpi
        Resolution, dots per inch (the figure is 11.7 × 8.3 inches).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputDataError
        If a site or zone of the plan has no coordinates.
    ValueError
        If ``language`` is not ``"nl"`` or ``"en"``.
    """
    _check_language(language)
    text = _TEXT[language]
    year = last_period(results) if period is None else int(period)
    site_table = site_decisions(results, sites)
    zone_table = zone_kpis(results, zones, period=year)
    project = _projector(
        np.concatenate([site_table[T.LON].to_numpy(), zone_table[T.LON].to_numpy()]),
        np.concatenate([site_table[T.LAT].to_numpy(), zone_table[T.LAT].to_numpy()]),
    )
    sx, sy = project(site_table[T.LON], site_table[T.LAT])
    zx, zy = project(zone_table[T.LON], zone_table[T.LAT])
    site_xy = _xy(site_table.index, sx, sy)
    zone_xy = _xy(zone_table.index, zx, zy)

    fig = Figure(figsize=(11.7, 8.3), dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.set_facecolor(HTML_BACKGROUND)
    ax.set_xticks([])
    ax.set_yticks([])

    alloc = allocation_table(results, period=year)
    alloc = alloc[alloc[T.ZONE].isin(list(zone_xy)) & alloc[T.SITE].isin(list(site_xy))]
    if len(alloc):
        width = 0.4 + 2.6 * alloc["persons"].to_numpy() / max(alloc["persons"].max(), 1e-9)
        for (z, s), w in zip(zip(alloc[T.ZONE], alloc[T.SITE], strict=True), width, strict=True):
            ax.plot(
                [zone_xy[z][0], site_xy[s][0]],
                [zone_xy[z][1], site_xy[s][1]],
                color="#4C72B0",
                alpha=0.18,
                linewidth=float(w),
                solid_capstyle="round",
                zorder=1,
            )

    demand = zone_table[T.DEMAND_PERSONS].fillna(0.0).to_numpy(dtype=float)
    sizes = 60.0 + 1400.0 * demand / max(float(demand.max()) if len(demand) else 0.0, 1e-9)
    unmet = zone_table["unmet_persons"].fillna(0.0).to_numpy(dtype=float) > 1e-6
    ax.scatter(
        zx,
        zy,
        s=sizes,
        facecolor="#A6CEE3",
        edgecolor=np.where(unmet, "#C00000", "#5B8DB8"),
        linewidth=np.where(unmet, 2.0, 0.8),
        alpha=0.55,
        zorder=2,
    )
    for zone, x, y in zip(zone_table.index, zx, zy, strict=True):
        ax.text(x, y, str(zone), ha="center", va="center", fontsize=7, color="#1F3A5F", zorder=3)

    labels = ACTION_LABELS[language]
    handles: list[Any] = []
    for action in ACTIONS:
        mask = (site_table["action"].astype(str) == action).to_numpy()
        if not mask.any():
            continue
        colour = ACTION_COLOURS[action]
        hollow = action == "not_built"
        size = 150.0 if action == "new" else 70.0
        ax.scatter(
            sx[mask],
            sy[mask],
            s=size,
            marker=ACTION_MARKERS[action],
            facecolor="none" if hollow else colour,
            edgecolor=colour if hollow else "black",
            linewidth=1.2 if hollow else 0.6,
            zorder=5,
        )
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker=ACTION_MARKERS[action],
                markersize=12 if action == "new" else 9,
                markerfacecolor="none" if hollow else colour,
                markeredgecolor=colour if hollow else "black",
                label=f"{labels[action]} ({int(mask.sum())})",
            )
        )
    changed = site_table[~site_table["action"].astype(str).isin(["keep", "not_built"])]
    label_texts = [
        f"{row.get(T.NAME, site)}\n{labels.get(str(row['action']), row['action'])} "
        f"{_year(row[T.PERIOD])}"
        for site, row in changed.iterrows()
    ]
    anchors = [site_xy[str(s)] for s in changed.index]
    pending_labels = (label_texts, anchors)
    handles.append(
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=11,
            markerfacecolor="#A6CEE3",
            markeredgecolor="#5B8DB8",
            alpha=0.7,
            label=text["zone"].format(period=year),
        )
    )
    if unmet.any():
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=11,
                markerfacecolor="#A6CEE3",
                markeredgecolor="#C00000",
                markeredgewidth=2,
                label=text["unmet"],
            )
        )
    handles.append(Line2D([], [], color="#4C72B0", alpha=0.4, linewidth=2, label=text["lines"]))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)

    xs = np.concatenate([sx, zx])
    ys = np.concatenate([sy, zy])
    pad = 0.06 * max(float(np.ptp(xs)) if len(xs) else 1.0, float(np.ptp(ys)) if len(ys) else 1.0)
    pad = max(pad, 200.0)
    x0, x1 = float(xs.min()) - pad, float(xs.max()) + pad
    y0, y1 = float(ys.min()) - pad, float(ys.max()) + pad
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    fig.draw_without_rendering()
    _place_labels(ax, *pending_labels, fontsize=7.0)
    _add_scale_bar(ax, x0, x1, y0, y1)
    main, subtitle = _title_lines(results, year, language)
    ax.set_title(
        f"{title or main}\n{subtitle}" if subtitle else title or main, fontsize=12, loc="left"
    )
    fig.text(
        0.995,
        0.005,
        f"{project.crs} · © OpenStreetMap contributors, CBS, DUO",
        ha="right",
        va="bottom",
        fontsize=6,
        color="#555555",
    )
    fig.set_dpi(dpi)
    return _save_figure(fig, Path(path))


# --------------------------------------------------------------------------------------
# HTML


def _svg_marker(action: str, size: float) -> str:
    """Return SVG markup for an action's marker centred on (0, 0)."""
    colour = ACTION_COLOURS.get(action, "#000000")
    r = size
    stroke = 'stroke="#000" stroke-width="0.8"'
    if action == "not_built":
        return f'<circle r="{r:.1f}" fill="#FFFFFF" stroke="{colour}" stroke-width="2"/>'
    if action == "close":
        d = r * 0.9
        w = r * 0.35
        pts = [
            (-d, -d + w),
            (-d + w, -d),
            (0, -w),
            (d - w, -d),
            (d, -d + w),
            (w, 0),
            (d, d - w),
            (d - w, d),
            (0, w),
            (-d + w, d),
            (-d, d - w),
            (-w, 0),
        ]
    elif action == "renovate":
        d = r * 0.85
        pts = [(-d, -d), (d, -d), (d, d), (-d, d)]
    elif action == "convert":
        pts = [(0, -r * 1.15), (r * 1.15, 0), (0, r * 1.15), (-r * 1.15, 0)]
    elif action == "mfa":
        d = r
        w = r * 0.4
        pts = [
            (-w, -d),
            (w, -d),
            (w, -w),
            (d, -w),
            (d, w),
            (w, w),
            (w, d),
            (-w, d),
            (-w, w),
            (-d, w),
            (-d, -w),
            (-w, -w),
        ]
    elif action == "new":
        pts = []
        for k in range(10):
            rad = r * 1.5 if k % 2 == 0 else r * 0.6
            angle = math.pi / 2 + k * math.pi / 5
            pts.append((rad * math.cos(angle), -rad * math.sin(angle)))
    else:
        return f'<circle r="{r:.1f}" fill="{colour}" {stroke}/>'
    points = " ".join(f"{x:.2f},{y:.2f}" for x, y in pts)
    return f'<polygon points="{points}" fill="{colour}" {stroke}/>'


def _attr(value: object) -> str:
    return html.escape(str(value), quote=True)


_HTML_STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Arial, sans-serif; margin: 16px;
       color: #222; background: #FFFFFF; }
h1 { font-size: 20px; margin: 0 0 4px 0; }
p.summary { margin: 0 0 10px 0; color: #444; }
#layout { display: flex; gap: 16px; align-items: flex-start; }
#map-wrap { position: relative; flex: 1 1 auto; border: 1px solid #CCC; }
#map { display: block; width: 100%; height: 80vh; background: BACKGROUND; cursor: grab; }
.legend { flex: 0 0 240px; font-size: 13px; }
.legend div { display: flex; align-items: center; gap: 6px; margin: 3px 0; }
.allocation line { stroke: #4C72B0; stroke-opacity: 0.18; stroke-linecap: round; }
circle.zone { fill: #A6CEE3; fill-opacity: 0.55; stroke: #5B8DB8; stroke-width: 1; }
circle.zone.unmet { stroke: #C00000; stroke-width: 2.5; }
text.zone-label { font-size: 10px; fill: #1F3A5F; text-anchor: middle;
                  dominant-baseline: central; pointer-events: none; }
.facility-marker { cursor: pointer; }
.site-labels text { font-size: 10px; fill: #222; stroke: #FFF; stroke-width: 3px;
                    paint-order: stroke; pointer-events: none; }
.facility-marker:hover > :first-child { stroke-width: 2.5; }
#popup { position: absolute; background: #FFF; border: 1px solid #888; border-radius: 4px;
         padding: 6px 8px; font-size: 13px; box-shadow: 0 2px 6px rgba(0,0,0,.3);
         pointer-events: none; max-width: 320px; }
table.changes { border-collapse: collapse; margin-top: 14px; font-size: 13px; }
table.changes td, table.changes th { border-bottom: 1px solid #DDD; padding: 3px 8px;
                                     text-align: left; }
table.changes td.num { text-align: right; }
.note { color: #666; font-size: 11px; margin-top: 8px; }
"""

_HTML_SCRIPT = """
(function () {
  var svg = document.getElementById('map');
  var popup = document.getElementById('popup');
  var wrap = document.getElementById('map-wrap');
  var base = svg.viewBox.baseVal;
  var view = {x: base.x, y: base.y, w: base.width, h: base.height};
  function apply() { svg.setAttribute('viewBox', view.x + ' ' + view.y + ' ' + view.w + ' ' + view.h); }
  svg.addEventListener('wheel', function (e) {
    e.preventDefault();
    var r = svg.getBoundingClientRect();
    var fx = (e.clientX - r.left) / r.width, fy = (e.clientY - r.top) / r.height;
    var k = e.deltaY < 0 ? 0.8 : 1.25;
    var nw = view.w * k, nh = view.h * k;
    view.x += (view.w - nw) * fx; view.y += (view.h - nh) * fy; view.w = nw; view.h = nh;
    apply();
  }, {passive: false});
  var drag = null;
  svg.addEventListener('mousedown', function (e) { drag = {x: e.clientX, y: e.clientY}; });
  window.addEventListener('mouseup', function () { drag = null; });
  window.addEventListener('mousemove', function (e) {
    if (!drag) { return; }
    var r = svg.getBoundingClientRect();
    view.x -= (e.clientX - drag.x) * view.w / r.width;
    view.y -= (e.clientY - drag.y) * view.h / r.height;
    drag = {x: e.clientX, y: e.clientY};
    apply();
  });
  function show(el, e) {
    popup.textContent = '';
    var lines = JSON.parse(el.getAttribute('data-popup'));
    lines.forEach(function (line, i) {
      var div = document.createElement('div');
      div.textContent = line;
      if (i === 0) { div.style.fontWeight = 'bold'; }
      popup.appendChild(div);
    });
    var r = wrap.getBoundingClientRect();
    popup.style.left = (e.clientX - r.left + 12) + 'px';
    popup.style.top = (e.clientY - r.top + 12) + 'px';
    popup.hidden = false;
  }
  Array.prototype.forEach.call(document.querySelectorAll('[data-popup]'), function (el) {
    el.addEventListener('mouseenter', function (e) { show(el, e); });
    el.addEventListener('click', function (e) { show(el, e); });
    el.addEventListener('mouseleave', function () { popup.hidden = true; });
  });
})();
"""


def write_html_map(
    results: Results,
    sites: pd.DataFrame,
    zones: pd.DataFrame,
    path: Path | str,
    *,
    period: int | None = None,
    language: str = "nl",
    title: str | None = None,
) -> Path:
    """
    Write the plan as a self-contained interactive HTML map (inline SVG, works offline).

    Why not folium/Leaflet: folium (0.20) and branca do not ship Leaflet's JavaScript and
    CSS; their pages load them from CDNs (jsDelivr, cdnjs) and draw on web tiles, so a
    folium map shows a blank page without internet. Without tiles Leaflet adds little, so
    this page draws the points itself as inline SVG (coordinates projected to RD New or
    UTM metres, so distances are true) with a few lines of inline JavaScript for wheel
    zoom, drag pan and popups. The file references no external resource: no script, style
    sheet, font, image or tile, and it prints as drawn.

    Each facility is an SVG ``<g class="facility-marker">`` with ``data-site``,
    ``data-action`` (keep, close, renovate, convert, mfa, new, not_built), ``data-year``
    and ``data-capex-eur``, a ``<title>`` tooltip and a popup (on hover or click) with
    name, action, year, capex and proceeds. Zones are circles (``class="zone"``) sized by
    demand, with their travel times before/after per service in the tooltip; allocation
    lines are faint. Below the map, a table lists every site whose action is not ``keep``
    or ``not_built``. All text from the data is HTML-escaped.

    Parameters
    ----------
    results
        The run's results.
    sites
        Site coordinates (index or column ``site``; ``lon``, ``lat`` in WGS84 degrees).
    zones
        Zone coordinates (index or column ``zone``; ``lon``, ``lat``; ``gemeente`` optional).
    path
        Target ``.html`` file.
    period
        Planning period (year) for demand, travel times and allocation; the last if ``None``.
    language
        ``"nl"`` or ``"en"``.
    title
        Title to use instead of the default "Plan <scenario> ...".

    Returns
    -------
    pathlib.Path
        The file written (UTF-8).

    Raises
    ------
    InputDataError
        If a site or zone of the plan has no coordinates.
    ValueError
        If ``language`` is not ``"nl"`` or ``"en"``.
    """
    _check_language(language)
    text = _TEXT[language]
    labels = ACTION_LABELS[language]
    service_names = SERVICE_NL if language == "nl" else SERVICE_EN
    year = last_period(results) if period is None else int(period)
    site_table = site_decisions(results, sites)
    zone_table = zone_kpis(results, zones, period=year)
    project = _projector(
        np.concatenate([site_table[T.LON].to_numpy(), zone_table[T.LON].to_numpy()]),
        np.concatenate([site_table[T.LAT].to_numpy(), zone_table[T.LAT].to_numpy()]),
    )
    sx, sy = project(site_table[T.LON], site_table[T.LAT])
    zx, zy = project(zone_table[T.LON], zone_table[T.LAT])
    xs = np.concatenate([sx, zx])
    ys = np.concatenate([sy, zy])
    span = max(float(np.ptp(xs)), float(np.ptp(ys)), 1.0)
    pad = 0.06 * span
    x0, x1 = float(xs.min()) - pad, float(xs.max()) + pad
    y0, y1 = float(ys.min()) - pad, float(ys.max()) + pad
    width = 1000.0
    scale = width / (x1 - x0)
    height = max((y1 - y0) * scale, 200.0)

    def to_screen(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (x - x0) * scale, (y1 - y) * scale

    psx, psy = to_screen(sx, sy)
    pzx, pzy = to_screen(zx, zy)
    site_xy = _xy(site_table.index, psx, psy)
    zone_xy = _xy(zone_table.index, pzx, pzy)

    parts: list[str] = []
    alloc = allocation_table(results, period=year)
    alloc = alloc[alloc[T.ZONE].isin(list(zone_xy)) & alloc[T.SITE].isin(list(site_xy))]
    parts.append('<g class="allocation">')
    top = max(float(alloc["persons"].max()) if len(alloc) else 0.0, 1e-9)
    for z, s, persons in zip(alloc[T.ZONE], alloc[T.SITE], alloc["persons"], strict=True):
        parts.append(
            f'<line x1="{zone_xy[z][0]:.1f}" y1="{zone_xy[z][1]:.1f}" '
            f'x2="{site_xy[s][0]:.1f}" y2="{site_xy[s][1]:.1f}" '
            f'stroke-width="{0.6 + 4.0 * float(persons) / top:.2f}"/>'
        )
    parts.append("</g>")

    demand = zone_table[T.DEMAND_PERSONS].fillna(0.0).to_numpy(dtype=float)
    top_demand = max(float(demand.max()) if len(demand) else 0.0, 1e-9)
    services = sorted(
        {
            c.removesuffix("_demand_persons")
            for c in zone_table.columns
            if c.endswith("_demand_persons") and c != T.DEMAND_PERSONS
        }
    )
    parts.append('<g class="zones">')
    for i, (zone_id, row) in enumerate(zone_table.iterrows()):
        zone = str(zone_id)
        radius = 6.0 + 26.0 * math.sqrt(demand[i] / top_demand)
        unmet = float(row["unmet_persons"]) > 1e-6 if pd.notna(row["unmet_persons"]) else False
        tip = [f"{zone}" + (f" ({row[T.GEMEENTE]})" if T.GEMEENTE in row.index else "")]
        for service in services:
            before = row[f"{service}_travel_time_before_min"]
            after = row[f"{service}_travel_time_after_min"]
            miss = row[f"{service}_unmet_persons"]
            tip.append(
                f"{service_names.get(service, service)}: {text['before']} "
                f"{_minutes(before)}, {text['after']} {_minutes(after)}"
                + (
                    f", {text['unmet_short']} {float(miss):.0f}"
                    if pd.notna(miss) and miss > 1e-6
                    else ""
                )
            )
        parts.append(
            f'<g class="zone-group" data-zone="{_attr(zone)}" '
            f'data-popup="{_attr(json.dumps(tip, ensure_ascii=False))}">'
            f'<circle class="zone{" unmet" if unmet else ""}" cx="{zone_xy[zone][0]:.1f}" '
            f'cy="{zone_xy[zone][1]:.1f}" r="{radius:.1f}">'
            f"<title>{html.escape(chr(10).join(tip))}</title></circle>"
            f'<text class="zone-label" x="{zone_xy[zone][0]:.1f}" '
            f'y="{zone_xy[zone][1]:.1f}">{html.escape(str(zone))}</text></g>'
        )
    parts.append("</g>")

    parts.append('<g class="facilities">')
    order = {a: k for k, a in enumerate(ACTIONS)}
    ranked = sorted(site_table.index, key=lambda s: order.get(str(site_table.at[s, "action"]), 0))
    for site in ranked:
        row = site_table.loc[site]
        action = str(row["action"])
        name = str(row[T.NAME]) if T.NAME in row.index and pd.notna(row[T.NAME]) else str(site)
        when = _year(row[T.PERIOD])
        capex = float(row[T.CAPEX_EUR]) if pd.notna(row[T.CAPEX_EUR]) else 0.0
        proceeds = float(row.get("proceeds_eur", 0.0) or 0.0)
        after = str(row.get("services_after", "") or "")
        after = "" if after == "nan" else after
        popup = [
            name,
            f"{labels.get(action, action)}" + (f" ({text['year']} {when})" if when else ""),
            f"{text['capex']}: € {_money(capex, language)}",
        ]
        if proceeds:
            popup.append(f"{text['proceeds']}: € {_money(proceeds, language)}")
        if after:
            named = " + ".join(service_names.get(s, s) for s in after.split("+") if s)
            popup.append(f"{text['services']}: {named}")
        size = 7.0 if action in ("keep", "not_built") else 9.0
        parts.append(
            f'<g class="facility-marker" data-site="{_attr(site)}" data-action="{_attr(action)}" '
            f'data-year="{_attr(when)}" data-capex-eur="{capex:.0f}" '
            f'data-popup="{_attr(json.dumps(popup, ensure_ascii=False))}" '
            f'transform="translate({site_xy[site][0]:.1f},{site_xy[site][1]:.1f})">'
            f"{_svg_marker(action, size)}<title>{html.escape(' · '.join(popup))}</title></g>"
        )
    parts.append("</g>")
    parts.append('<g class="site-labels">')
    for site in ranked:
        action = str(site_table.at[site, "action"])
        if action in ("keep", "not_built"):
            continue
        name = str(site_table.at[site, T.NAME]) if T.NAME in site_table.columns else site
        when = _year(site_table.at[site, T.PERIOD])
        parts.append(
            f'<text x="{site_xy[site][0] + 11:.1f}" y="{site_xy[site][1] - 4:.1f}">'
            f"{html.escape(str(name))}"
            f'<tspan x="{site_xy[site][0] + 11:.1f}" dy="12">'
            f"{html.escape(labels.get(action, action))} {html.escape(when)}</tspan></text>"
        )
    parts.append("</g>")

    bar = _nice_length(x1 - x0)
    bx, by = 0.04 * width, height - 0.04 * height
    parts.append(
        f'<g class="scale-bar"><line x1="{bx:.1f}" y1="{by:.1f}" x2="{bx + bar * scale:.1f}" '
        f'y2="{by:.1f}" stroke="#000" stroke-width="3"/><text x="{bx + bar * scale / 2:.1f}" '
        f'y="{by - 6:.1f}" font-size="12" text-anchor="middle">{_length_label(bar)}</text></g>'
    )

    legend = []
    for action in ACTIONS:
        count = int((site_table["action"].astype(str) == action).sum())
        if count:
            legend.append(
                f'<div><svg width="26" height="26" viewBox="-13 -13 26 26" aria-hidden="true">'
                f"{_svg_marker(action, 7.0)}</svg>{html.escape(labels[action])} ({count})</div>"
            )
    legend.append(
        '<div><svg width="26" height="26" viewBox="-13 -13 26 26" aria-hidden="true">'
        '<circle class="zone" r="10"/></svg>'
        f"{html.escape(text['zone'].format(period=year))}</div>"
    )
    legend.append(
        '<div><svg width="26" height="26" viewBox="-13 -13 26 26" aria-hidden="true">'
        '<circle class="zone unmet" r="10"/></svg>'
        f"{html.escape(text['unmet'])}</div>"
    )

    rows = []
    changed = site_table[~site_table["action"].astype(str).isin(["keep", "not_built"])]
    changed = changed.assign(_year=pd.to_numeric(changed[T.PERIOD], errors="coerce"))
    for site, row in changed.sort_values(["_year"]).iterrows():
        rows.append(
            "<tr>"
            f"<td>{html.escape(_year(row[T.PERIOD]))}</td>"
            f"<td>{html.escape(str(row.get(T.NAME, site)))}</td>"
            f"<td>{html.escape(labels.get(str(row['action']), str(row['action'])))}</td>"
            f'<td class="num">€ {_money(float(row[T.CAPEX_EUR] or 0.0), language)}</td>'
            f'<td class="num">€ {_money(float(row.get("proceeds_eur", 0.0) or 0.0), language)}</td>'
            "</tr>"
        )
    main, subtitle = _title_lines(results, year, language)
    heading = title or main
    page = f"""<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(heading)}</title>
<style>{_HTML_STYLE.replace("BACKGROUND", HTML_BACKGROUND)}</style>
</head>
<body>
<h1>{html.escape(heading)}</h1>
<p class="summary">{html.escape(subtitle)}</p>
<div id="layout">
<div id="map-wrap">
<svg id="map" viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{_attr(heading)}">
{chr(10).join(parts)}
</svg>
<div id="popup" hidden></div>
</div>
<div class="legend">{"".join(legend)}</div>
</div>
<table class="changes">
<tr><th>{text["year"]}</th><th></th><th></th><th>{text["capex"]}</th><th>{text["proceeds"]}</th></tr>
{chr(10).join(rows)}
</table>
<p class="note">{html.escape(project.crs)} · © OpenStreetMap contributors, CBS, DUO</p>
<script>{_HTML_SCRIPT}</script>
</body>
</html>
"""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _atomic_target(target)
    try:
        tmp.write_text(page, encoding="utf-8")
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _minutes(value: object) -> str:
    if _missing(value):
        return "–"
    return f"{_num(value):.1f} min"
