"""The plan as a self-contained interactive HTML map (inline SVG, works offline)."""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from voorzieningen import tables as T
from voorzieningen.maps import allocation_table, site_decisions, zone_kpis
from voorzieningen.plotting import (
    ACTION_COLOURS,
    ACTION_LABELS,
    ACTIONS,
    HTML_BACKGROUND,
    MAP_TEXT,
    atomic_target,
    cell_float,
    check_language,
    is_missing,
    length_label,
    money,
    nice_length,
    projector,
    title_lines,
    xy_by_id,
    year_text,
)
from voorzieningen.record import PlanTables, last_period

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
    results: PlanTables,
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
    check_language(language)
    text = MAP_TEXT[language]
    labels = ACTION_LABELS[language]
    service_names = T.SERVICE_NL if language == "nl" else T.SERVICE_EN
    year = last_period(results) if period is None else int(period)
    site_table = site_decisions(results, sites)
    zone_table = zone_kpis(results, zones, period=year)
    project = projector(
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
    site_xy = xy_by_id(site_table.index, psx, psy)
    zone_xy = xy_by_id(zone_table.index, pzx, pzy)

    parts: list[str] = []
    alloc = allocation_table(results, period=year)
    alloc = alloc[alloc[T.ZONE].isin(list(zone_xy)) & alloc[T.SITE].isin(list(site_xy))]
    parts.append('<g class="allocation">')
    top = max(float(alloc[T.PERSONS].max()) if len(alloc) else 0.0, 1e-9)
    for z, s, persons in zip(alloc[T.ZONE], alloc[T.SITE], alloc[T.PERSONS], strict=True):
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
        unmet = float(row[T.UNMET_PERSONS]) > 1e-6 if pd.notna(row[T.UNMET_PERSONS]) else False
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
    ranked = sorted(site_table.index, key=lambda s: order.get(str(site_table.at[s, T.ACTION]), 0))
    for site in ranked:
        row = site_table.loc[site]
        action = str(row[T.ACTION])
        name = str(row[T.NAME]) if T.NAME in row.index and pd.notna(row[T.NAME]) else str(site)
        when = year_text(row[T.PERIOD])
        capex = float(row[T.CAPEX_EUR]) if pd.notna(row[T.CAPEX_EUR]) else 0.0
        proceeds = float(row.get(T.PROCEEDS_EUR, 0.0) or 0.0)
        after = str(row.get(T.SERVICES_AFTER, "") or "")
        after = "" if after == "nan" else after
        popup = [
            name,
            f"{labels.get(action, action)}" + (f" ({text['year']} {when})" if when else ""),
            f"{text['capex']}: € {money(capex, language)}",
        ]
        if proceeds:
            popup.append(f"{text['proceeds']}: € {money(proceeds, language)}")
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
        action = str(site_table.at[site, T.ACTION])
        if action in ("keep", "not_built"):
            continue
        name = str(site_table.at[site, T.NAME]) if T.NAME in site_table.columns else site
        when = year_text(site_table.at[site, T.PERIOD])
        parts.append(
            f'<text x="{site_xy[site][0] + 11:.1f}" y="{site_xy[site][1] - 4:.1f}">'
            f"{html.escape(str(name))}"
            f'<tspan x="{site_xy[site][0] + 11:.1f}" dy="12">'
            f"{html.escape(labels.get(action, action))} {html.escape(when)}</tspan></text>"
        )
    parts.append("</g>")

    bar = nice_length(x1 - x0)
    bx, by = 0.04 * width, height - 0.04 * height
    parts.append(
        f'<g class="scale-bar"><line x1="{bx:.1f}" y1="{by:.1f}" x2="{bx + bar * scale:.1f}" '
        f'y2="{by:.1f}" stroke="#000" stroke-width="3"/><text x="{bx + bar * scale / 2:.1f}" '
        f'y="{by - 6:.1f}" font-size="12" text-anchor="middle">{length_label(bar)}</text></g>'
    )

    legend = []
    for action in ACTIONS:
        count = int((site_table[T.ACTION].astype(str) == action).sum())
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
    changed = site_table[~site_table[T.ACTION].astype(str).isin(["keep", "not_built"])]
    changed = changed.assign(year_text=pd.to_numeric(changed[T.PERIOD], errors="coerce"))
    for site, row in changed.sort_values(["year_text"]).iterrows():
        rows.append(
            "<tr>"
            f"<td>{html.escape(year_text(row[T.PERIOD]))}</td>"
            f"<td>{html.escape(str(row.get(T.NAME, site)))}</td>"
            f"<td>{html.escape(labels.get(str(row[T.ACTION]), str(row[T.ACTION])))}</td>"
            f'<td class="num">€ {money(float(row[T.CAPEX_EUR] or 0.0), language)}</td>'
            f'<td class="num">€ {money(float(row.get(T.PROCEEDS_EUR, 0.0) or 0.0), language)}</td>'
            "</tr>"
        )
    main, subtitle = title_lines(results, year, language)
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
    tmp = atomic_target(target)
    try:
        tmp.write_text(page, encoding="utf-8")
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _minutes(value: object) -> str:
    if is_missing(value):
        return "–"
    return f"{cell_float(value):.1f} min"
