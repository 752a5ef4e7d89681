"""Maps of a plan: GeoPackage layers, a static PNG and a self-contained HTML map.

Every function takes the run's tables (:class:`~voorzieningen.record.PlanTables`: a
:class:`~voorzieningen.record.Run` or :class:`~voorzieningen.record.SavedRun`) plus two point
tables, so that it works on a run in memory and on a results folder alike:

* ``sites``: index ``site`` (or a ``site`` column); columns ``lon``, ``lat`` (WGS84 degrees)
  and optionally ``name``, ``service``, ``kind``;
* ``zones``: index ``zone`` (or a ``zone`` column); columns ``lon``, ``lat`` (WGS84
  degrees) and optionally ``gemeente``.

:func:`voorzieningen.report.read_run` reads both from a results folder (``sites.csv``
and ``zones_points.csv``).

Coordinates are drawn in a metric projection: RD New (EPSG:28992) when every point lies in
the Netherlands, otherwise the local UTM zone, so that distances and the scale bar are true.
The GeoPackage stores WGS84 (EPSG:4326), which every GIS reads.

Drawing uses matplotlib's object-oriented API (:class:`matplotlib.figure.Figure`) and never
imports :mod:`matplotlib.pyplot`, so no GUI backend is chosen and the caller's backend
(e.g. a notebook's) is left alone: writing a PNG this way always uses Agg.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox
from shapely.geometry import LineString, Point

from voorzieningen import tables as T
from voorzieningen.basemap import MapBackground, zone_cells
from voorzieningen.errors import InputDataError
from voorzieningen.plotting import (
    ACTION_COLOURS,
    ACTION_LABELS,
    ACTIONS,
    HTML_BACKGROUND,
    MAP_TEXT,
    SERVICE_LEGEND,
    SERVICE_MARKERS,
    UNMET_FILL,
    Projector,
    action_phrase,
    add_scale_bar,
    atomic_target,
    background_notes,
    cell_float,
    check_language,
    check_located,
    draw_background,
    halo,
    place_labels,
    projector,
    renderer_of,
    save_figure,
    site_points,
    site_service,
    title_lines,
    xy_by_id,
    zone_points,
)
from voorzieningen.record import PlanTables, last_period

# --------------------------------------------------------------------------------------
# Tables behind the maps


def site_decisions(results: PlanTables, sites: pd.DataFrame) -> pd.DataFrame:
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
    points = site_points(results, sites)
    d = results.decisions.copy()
    d[T.SITE] = d[T.SITE].astype(str)
    d = d.set_index(T.SITE)
    d[T.LON] = points.loc[d.index, T.LON].astype(float)
    d[T.LAT] = points.loc[d.index, T.LAT].astype(float)
    return d


def zone_kpis(
    results: PlanTables, zones: pd.DataFrame, *, period: int | None = None
) -> pd.DataFrame:
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
    points = zone_points(results, zones)
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
        T.UNMET_PERSONS,
        T.TRAVEL_TIME_BEFORE_MIN,
        T.TRAVEL_TIME_AFTER_MIN,
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
    out[T.UNMET_PERSONS] = z.groupby(T.ZONE)[T.UNMET_PERSONS].sum().reindex(out.index)
    return out


def allocation_table(results: PlanTables, *, period: int | None = None) -> pd.DataFrame:
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
    a = results.assignments
    a = a[pd.to_numeric(a[T.PERIOD]) == year]
    out = a.groupby([a[T.ZONE].astype(str), a[T.SITE].astype(str)])[T.PERSONS].sum()
    return out.reset_index()


# --------------------------------------------------------------------------------------
# GeoPackage


def write_geopackage(
    results: PlanTables, sites: pd.DataFrame, zones: pd.DataFrame, path: Path | str
) -> Path:
    """
    Write the plan as a GeoPackage with three layers, in WGS84 (EPSG:4326).

    Layers:

    * ``zones``: one point per zone with :func:`zone_kpis` for the last period (demand,
      unmet demand, travel time before and after per service; minutes and persons);
    * ``sites``: one point per building and candidate with its decision (action, period as
      the year of the action, services_after, capex_eur and proceeds_eur in EUR, ...);
    * ``allocation_lines``: one straight line per row of ``results.assignments``
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
    site_pts = site_points(results, sites)
    zone_pts = zone_points(results, zones)

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
    a = results.assignments.copy()
    a[T.ZONE] = a[T.ZONE].astype(str)
    a[T.SITE] = a[T.SITE].astype(str)
    check_located(site_pts, a[T.SITE], "sites", "Pass the sites table of the same run.")
    check_located(zone_pts, a[T.ZONE], "zones", "Pass the zones table of the same run.")
    lines = [
        LineString(
            [
                (cell_float(zone_pts.at[z, T.LON]), cell_float(zone_pts.at[z, T.LAT])),
                (cell_float(site_pts.at[s, T.LON]), cell_float(site_pts.at[s, T.LAT])),
            ]
        )
        for z, s in zip(a[T.ZONE], a[T.SITE], strict=True)
    ]
    lines_gdf = layer(a.reset_index(drop=True), lines)
    tmp = atomic_target(target)
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
# PNG


def write_png_map(
    results: PlanTables,
    sites: pd.DataFrame,
    zones: pd.DataFrame,
    path: Path | str,
    *,
    period: int | None = None,
    language: str = "nl",
    title: str | None = None,
    dpi: int = 200,
    background: MapBackground | None = None,
) -> Path:
    """
    Draw the plan on a static map (PNG, A4 landscape, no web tiles) and save it.

    See :func:`plan_figure` for what is drawn.

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
        ``"nl"`` or ``"en"`` for all text on the map.
    title
        Title to use instead of the default "Plan <scenario> ...".
    dpi
        Resolution, dots per inch (the figure is 11.7 × 8.3 inches).
    background
        Zone boundaries and roads (:func:`voorzieningen.basemap.background_for`); None
        draws approximate zone cells around the zone points and no roads.

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
    fig = plan_figure(
        results,
        sites,
        zones,
        period=period,
        language=language,
        title=title,
        dpi=dpi,
        background=background,
    )
    return save_figure(fig, Path(path))


def _marker_box(ax: Any, x: float, y: float, size_pt: float) -> Bbox:
    """Return the display box of a marker of ``size_pt`` points drawn at data (x, y)."""
    px, py = ax.transData.transform((x, y))
    half = 0.5 * size_pt * ax.figure.dpi / 72.0
    return Bbox.from_extents(px - half, py - half, px + half, py + half)


@dataclass(frozen=True)
class MapFrame:
    """What both plan maps (PNG and HTML) draw: the period, tables and projected points."""

    year: int
    sites: pd.DataFrame
    zones: pd.DataFrame
    background: MapBackground
    project: Projector
    site_xy: tuple[np.ndarray, np.ndarray]
    zone_xy: tuple[np.ndarray, np.ndarray]


def map_frame(
    results: PlanTables,
    sites: pd.DataFrame,
    zones: pd.DataFrame,
    *,
    period: int | None = None,
    background: MapBackground | None = None,
) -> MapFrame:
    """
    Return the period, site and zone tables and projected coordinates a plan map draws.

    Parameters
    ----------
    results
        The plan's tables.
    sites, zones
        Sites and zones with ``lon``/``lat`` (degrees).
    period
        Period shown; None: the last.
    background
        Zone boundaries and roads; None: approximate cells around the zone centres.

    Returns
    -------
    MapFrame
        Projected coordinates in metres (EPSG:28992 in the Netherlands).
    """
    year = last_period(results) if period is None else int(period)
    site_table = site_decisions(results, sites)
    zone_table = zone_kpis(results, zones, period=year)
    if background is None:
        cells, source = zone_cells(zone_points(results, zones).loc[zone_table.index])
        background = MapBackground(cells, source)
    project = projector(
        np.concatenate([site_table[T.LON].to_numpy(), zone_table[T.LON].to_numpy()]),
        np.concatenate([site_table[T.LAT].to_numpy(), zone_table[T.LAT].to_numpy()]),
    )
    return MapFrame(
        year,
        site_table,
        zone_table,
        background,
        project,
        project(site_table[T.LON], site_table[T.LAT]),
        project(zone_table[T.LON], zone_table[T.LAT]),
    )


def plan_figure(
    results: PlanTables,
    sites: pd.DataFrame,
    zones: pd.DataFrame,
    *,
    period: int | None = None,
    language: str = "nl",
    title: str | None = None,
    dpi: int = 200,
    background: MapBackground | None = None,
) -> Figure:
    """
    Draw the plan on a matplotlib figure (A4 landscape), ready to save.

    Drawn, bottom to top: roads of the run's network (light grey; none for estimated
    travel times, which a note says) and zone boundaries (dashed; CBS PC4 polygons or
    approximate cells, which a note says); zones with unmet demand shaded red; zone demand
    as circles whose area is proportional to demand in ``period`` (summed over services,
    each counted in its own unit); faint allocation lines zone → facility, width
    proportional to persons; one marker per site, its **shape** the services it offers
    (square school, cross GP practice, triangle community centre, hexagon several) and its
    **colour** the plan's action. Every site whose action changes something is labelled
    with its name and what happens when ("ombouwen tot huisartsenpraktijk 2030"); labels
    are placed by :func:`voorzieningen.plotting.place_labels` so that none overlap (a thin
    leader line joins a label set further away to its marker). Two legends (decision,
    service), title, summary line, notes and a scale bar complete it. Numbers follow
    ``language`` (decimal commas in Dutch).

    Parameters
    ----------
    results, sites, zones, period, language, title, dpi, background
        As for :func:`write_png_map`.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (with an Agg canvas); its site labels have gid ``"site-label"``.

    Raises
    ------
    InputDataError
        If a site or zone of the plan has no coordinates.
    ValueError
        If ``language`` is not ``"nl"`` or ``"en"``.
    """
    check_language(language)
    text = MAP_TEXT[language]
    frame = map_frame(results, sites, zones, period=period, background=background)
    year, site_table, zone_table, background = (
        frame.year,
        frame.sites,
        frame.zones,
        frame.background,
    )
    project, (sx, sy), (zx, zy) = frame.project, frame.site_xy, frame.zone_xy
    site_xy = xy_by_id(site_table.index, sx, sy)
    zone_xy = xy_by_id(zone_table.index, zx, zy)

    fig = Figure(figsize=(11.7, 8.3), dpi=dpi, layout="constrained")
    renderer_of(fig)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.set_facecolor(HTML_BACKGROUND)
    ax.set_xticks([])
    ax.set_yticks([])

    xs = np.concatenate([sx, zx])
    ys = np.concatenate([sy, zy])
    pad = 0.06 * max(float(np.ptp(xs)) if len(xs) else 1.0, float(np.ptp(ys)) if len(ys) else 1.0)
    pad = max(pad, 200.0)
    x0, x1 = float(xs.min()) - pad, float(xs.max()) + pad
    y0, y1 = float(ys.min()) - pad, float(ys.max()) + pad

    draw_background(ax, background, project.crs)
    unmet_share = (
        zone_table[T.UNMET_PERSONS].fillna(0.0)
        / zone_table[T.DEMAND_PERSONS].where(lambda d: d > 0)
    ).fillna(0.0)
    unmet = unmet_share.to_numpy(dtype=float) > 0.005
    if background.zones is not None and unmet.any():
        shaded = background.zones.reindex(zone_table.index[unmet])
        alpha = 0.15 + 0.6 * unmet_share[unmet].clip(0.0, 1.0).to_numpy(dtype=float)
        keep = shaded.geometry.notna().to_numpy()
        if keep.any():
            shaded[keep].to_crs(project.crs).plot(
                ax=ax, color=UNMET_FILL, alpha=alpha[keep], linewidth=0, zorder=0.7
            )
    alloc = allocation_table(results, period=year)
    alloc = alloc[alloc[T.ZONE].isin(list(zone_xy)) & alloc[T.SITE].isin(list(site_xy))]
    if len(alloc):
        width = 0.4 + 2.6 * alloc[T.PERSONS].to_numpy() / max(alloc[T.PERSONS].max(), 1e-9)
        for (z, s), w in zip(zip(alloc[T.ZONE], alloc[T.SITE], strict=True), width, strict=True):
            ax.plot(
                [zone_xy[z][0], site_xy[s][0]],
                [zone_xy[z][1], site_xy[s][1]],
                color="#4C72B0",
                alpha=0.15,
                linewidth=float(w),
                solid_capstyle="round",
                zorder=1,
            )

    demand = zone_table[T.DEMAND_PERSONS].fillna(0.0).to_numpy(dtype=float)
    sizes = 40.0 + 900.0 * demand / max(float(demand.max()) if len(demand) else 0.0, 1e-9)
    ax.scatter(
        zx,
        zy,
        s=sizes,
        facecolor="#A6CEE3",
        edgecolor="#5B8DB8",
        linewidth=0.6,
        alpha=0.45,
        zorder=2,
    )

    labels = ACTION_LABELS[language]
    kinds = [
        site_service(str(a), sv, sa)
        for a, sv, sa in zip(
            site_table[T.ACTION],
            site_table.get(T.SERVICE, pd.Series("", index=site_table.index)),
            site_table.get(T.SERVICES_AFTER, pd.Series("", index=site_table.index)),
            strict=True,
        )
    ]
    site_kind = pd.Series(kinds, index=site_table.index)
    marker_boxes: list[Bbox] = []
    drawn: list[tuple[np.ndarray, float]] = []
    action_handles: list[Any] = []
    for action in ACTIONS:
        is_action = (site_table[T.ACTION].astype(str) == action).to_numpy()
        if not is_action.any():
            continue
        colour = ACTION_COLOURS[action]
        hollow = action == "not_built"
        size = 60.0 if action in ("keep", "not_built") else 130.0
        for kind, marker in SERVICE_MARKERS.items():
            mask = is_action & (site_kind == kind).to_numpy()
            if not mask.any():
                continue
            ax.scatter(
                sx[mask],
                sy[mask],
                s=size,
                marker=marker,
                facecolor="none" if hollow else colour,
                edgecolor=colour if hollow else "black",
                linewidth=1.2 if hollow else 0.6,
                zorder=5,
            )
            drawn.append((mask, size))
        action_handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=10,
                markerfacecolor="none" if hollow else colour,
                markeredgecolor=colour if hollow else "black",
                label=f"{labels[action]} ({int(is_action.sum())})",
            )
        )
    action_handles.append(
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
        action_handles.append(Patch(facecolor=UNMET_FILL, alpha=0.6, label=text["unmet"]))
    action_handles.append(
        Line2D([], [], color="#4C72B0", alpha=0.4, linewidth=2, label=text["lines"])
    )
    service_handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=SERVICE_MARKERS[kind],
            markersize=9,
            markerfacecolor="#9A9A9A",
            markeredgecolor="black",
            label=SERVICE_LEGEND[language][kind],
        )
        for kind in SERVICE_MARKERS
        if (site_kind == kind).any()
    ]
    fig.legend(
        handles=action_handles,
        loc="outside right upper",
        fontsize=9,
        title=text["decision"],
        title_fontsize=10,
        alignment="left",
    )
    fig.legend(
        handles=service_handles,
        loc="outside right lower",
        fontsize=9,
        title=text["service"],
        title_fontsize=10,
        alignment="left",
    )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    add_scale_bar(ax, x0, x1, y0, y1)
    main, subtitle = title_lines(results, year, language)
    fig.suptitle(
        f"{title or main}\n{subtitle}" if subtitle else title or main,
        fontsize=12,
        x=0.01,
        ha="left",
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    notes = background_notes(background, language)
    note = ax.text(
        0.99,
        0.01,
        "\n".join(notes),
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=7,
        color="#333333",
        zorder=8,
        bbox={"facecolor": "white", "edgecolor": "#BBBBBB", "alpha": 0.85, "pad": 3},
    )
    note.set_in_layout(False)
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
    fig.draw_without_rendering()
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    # Zone ids, then the site labels around every marker and zone id.
    obstacles = [
        _marker_box(ax, float(sx[i]), float(sy[i]), 1.1 * math.sqrt(size))
        for mask, size in drawn
        for i in np.flatnonzero(mask)
    ]
    renderer = renderer_of(fig)
    for zone, x, y in zip(zone_table.index, zx, zy, strict=True):
        label = ax.text(
            x,
            y,
            str(zone),
            ha="center",
            va="center",
            fontsize=6.5,
            color="#1F3A5F",
            zorder=3,
            path_effects=halo(),
        )
        label.set_in_layout(False)
        obstacles.append(label.get_window_extent(renderer))
    marker_boxes.extend(obstacles)
    if notes:
        marker_boxes.append(note.get_window_extent(renderer))
    changed = site_table[~site_table[T.ACTION].astype(str).isin(["keep", "not_built"])]
    changed = changed.assign(_year=pd.to_numeric(changed[T.PERIOD], errors="coerce"))
    changed = changed.sort_values(["_year"])
    label_texts = [
        f"{row.get(T.NAME, site)}\n"
        + action_phrase(str(row[T.ACTION]), row.get(T.SERVICES_AFTER), row[T.PERIOD], language)
        for site, row in changed.iterrows()
    ]
    anchors = [site_xy[str(s)] for s in changed.index]
    place_labels(ax, label_texts, anchors, fontsize=7.5, obstacles=marker_boxes)
    return fig
