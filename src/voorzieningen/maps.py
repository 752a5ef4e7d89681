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

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from shapely.geometry import LineString, Point

from voorzieningen import tables as T
from voorzieningen.errors import InputDataError
from voorzieningen.plotting import (
    ACTION_COLOURS,
    ACTION_LABELS,
    ACTION_MARKERS,
    ACTIONS,
    HTML_BACKGROUND,
    MAP_TEXT,
    add_scale_bar,
    atomic_target,
    cell_float,
    check_language,
    check_located,
    place_labels,
    projector,
    save_figure,
    site_points,
    title_lines,
    xy_by_id,
    year_text,
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
    check_language(language)
    text = MAP_TEXT[language]
    year = last_period(results) if period is None else int(period)
    site_table = site_decisions(results, sites)
    zone_table = zone_kpis(results, zones, period=year)
    project = projector(
        np.concatenate([site_table[T.LON].to_numpy(), zone_table[T.LON].to_numpy()]),
        np.concatenate([site_table[T.LAT].to_numpy(), zone_table[T.LAT].to_numpy()]),
    )
    sx, sy = project(site_table[T.LON], site_table[T.LAT])
    zx, zy = project(zone_table[T.LON], zone_table[T.LAT])
    site_xy = xy_by_id(site_table.index, sx, sy)
    zone_xy = xy_by_id(zone_table.index, zx, zy)

    fig = Figure(figsize=(11.7, 8.3), dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.set_facecolor(HTML_BACKGROUND)
    ax.set_xticks([])
    ax.set_yticks([])

    alloc = allocation_table(results, period=year)
    alloc = alloc[alloc[T.ZONE].isin(list(zone_xy)) & alloc[T.SITE].isin(list(site_xy))]
    if len(alloc):
        width = 0.4 + 2.6 * alloc[T.PERSONS].to_numpy() / max(alloc[T.PERSONS].max(), 1e-9)
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
    unmet = zone_table[T.UNMET_PERSONS].fillna(0.0).to_numpy(dtype=float) > 1e-6
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
        mask = (site_table[T.ACTION].astype(str) == action).to_numpy()
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
    changed = site_table[~site_table[T.ACTION].astype(str).isin(["keep", "not_built"])]
    label_texts = [
        f"{row.get(T.NAME, site)}\n{labels.get(str(row[T.ACTION]), row[T.ACTION])} "
        f"{year_text(row[T.PERIOD])}"
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
    place_labels(ax, *pending_labels, fontsize=7.0)
    add_scale_bar(ax, x0, x1, y0, y1)
    main, subtitle = title_lines(results, year, language)
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
    return save_figure(fig, Path(path))
