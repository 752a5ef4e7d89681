"""The plan as a self-contained interactive HTML map (inline SVG, works offline)."""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from voorzieningen import tables as T
from voorzieningen.basemap import MapBackground
from voorzieningen.maps import allocation_table, map_frame
from voorzieningen.plotting import (
    ACTION_COLOURS,
    ACTION_LABELS,
    ACTIONS,
    HTML_BACKGROUND,
    MAP_TEXT,
    SERVICE_LEGEND,
    SERVICE_MARKERS,
    SERVICE_NAMES,
    UNMET_FILL,
    action_phrase,
    atomic_target,
    background_notes,
    check_language,
    length_label,
    minutes,
    money,
    nice_length,
    number,
    site_service,
    title_lines,
    xy_by_id,
    year_text,
)
from voorzieningen.record import PlanTables

# --------------------------------------------------------------------------------------
# HTML


def _svg_marker(action: str, size: float, kind: str = "none") -> str:
    """Return SVG markup for a site marker centred on (0, 0): shape by service, colour by action."""
    colour = ACTION_COLOURS.get(action, "#9A9A9A")
    r = size
    if action == "not_built":
        return f'<circle r="{r * 0.8:.1f}" fill="#FFFFFF" stroke="{colour}" stroke-width="2"/>'
    paint = f'fill="{colour}" stroke="#000" stroke-width="0.8"'
    if kind == "school":
        d = r * 0.85
        pts = [(-d, -d), (d, -d), (d, d), (-d, d)]
    elif kind == "gp":
        w = r * 0.38
        pts = [
            (-w, -r),
            (w, -r),
            (w, -w),
            (r, -w),
            (r, w),
            (w, w),
            (w, r),
            (-w, r),
            (-w, w),
            (-r, w),
            (-r, -w),
            (-w, -w),
        ]
    elif kind == "community_hall":
        pts = [(0, -r * 1.1), (r * 1.05, r * 0.8), (-r * 1.05, r * 0.8)]
    elif kind == "multi":
        pts = [
            (
                r * math.cos(math.pi / 6 + k * math.pi / 3),
                r * math.sin(math.pi / 6 + k * math.pi / 3),
            )
            for k in range(6)
        ]
    else:
        return f'<circle r="{r * 0.8:.1f}" {paint}/>'
    points = " ".join(f"{x:.2f},{y:.2f}" for x, y in pts)
    return f'<polygon points="{points}" {paint}/>'


def _path(geometry: Any, to_screen: Any) -> str:
    """Return an SVG path ``d`` for a (multi)line or (multi)polygon in projected metres."""
    parts: list[str] = []
    for geom in getattr(geometry, "geoms", [geometry]):
        rings = [geom.exterior, *geom.interiors] if geom.geom_type == "Polygon" else [geom]
        for ring in rings:
            xy = np.asarray(ring.coords, dtype=float)
            if len(xy) < 2:
                continue
            px, py = to_screen(xy[:, 0], xy[:, 1])
            coords = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True))
            parts.append(f"M{coords}" + ("Z" if geom.geom_type == "Polygon" else ""))
    return " ".join(parts)


#: Font size of the site labels in the HTML map, in SVG units (the map is 1000 wide; at
#: a 1200 px window it is drawn about 900 px wide, so labels are about 14 px).
LABEL_FONT = 16.0


def _place_svg_labels(
    texts: list[tuple[str, str]],
    anchors: list[tuple[float, float]],
    obstacles: list[tuple[float, float, float, float]],
    width: float,
    height: float,
) -> list[tuple[float, float, str, tuple[float, float, float, float]]]:
    """Place two-line labels in SVG units so that their estimated boxes do not overlap.

    Returns per label its text x, first-line y, text-anchor and box (x0, y0, x1, y1). Text
    widths are estimated at 0.62 em per character (a generous bound for sans-serif).
    """
    out: list[tuple[float, float, str, tuple[float, float, float, float]]] = []
    placed: list[tuple[float, float, float, float]] = []
    line_h = LABEL_FONT * 1.2

    def cost(box: tuple[float, float, float, float]) -> float:
        area = 0.0
        for o in [*placed, *obstacles]:
            dx = min(box[2], o[2]) - max(box[0], o[0])
            dy = min(box[3], o[3]) - max(box[1], o[1])
            area += max(dx, 0.0) * max(dy, 0.0)
        inside = box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height
        return area + (0.0 if inside else 1e9)

    for (first, second), (x, y) in zip(texts, anchors, strict=True):
        w = max(len(first), len(second)) * LABEL_FONT * 0.62
        h = 2 * line_h
        best: tuple[float, tuple[float, float, str, tuple[float, float, float, float]]] | None
        best = None
        for radius in (10.0, 20.0, 34.0, 50.0, 70.0, 95.0, 125.0):
            for angle in (45, 135, 315, 225, 90, 270, 0, 180, 20, 160, 340, 200):
                cos, sin = math.cos(math.radians(angle)), -math.sin(math.radians(angle))
                ax_, ay_ = x + radius * cos, y + radius * sin
                anchor = "start" if cos > 0.3 else ("end" if cos < -0.3 else "middle")
                left = ax_ - {"start": 0.0, "middle": w / 2, "end": w}[anchor]
                top = ay_ - (h if sin < -0.3 else (0.0 if sin > 0.3 else h / 2))
                box = (left - 2, top - 2, left + w + 2, top + h + 2)
                c = cost(box)
                if best is None or c < best[0]:
                    best = (c, (ax_, top + LABEL_FONT, anchor, box))
                if c == 0.0:
                    break
            if best is not None and best[0] == 0.0:
                break
        assert best is not None
        placed.append(best[1][3])
        out.append(best[1])
    return out


def _attr(value: object) -> str:
    return html.escape(str(value), quote=True)


_HTML_STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Arial, sans-serif; margin: 16px;
       color: #222; background: #FFFFFF; }
h1 { font-size: 20px; margin: 0 0 4px 0; }
p.summary { margin: 0 0 10px 0; color: #444; }
#layout { display: flex; gap: 16px; align-items: flex-start; }
#map-wrap { position: relative; flex: 1 1 auto; border: 1px solid #CCC; }
#map { display: block; width: 100%; height: auto; background: BACKGROUND; cursor: grab; }
.legend { flex: 0 0 270px; font-size: 14px; }
.legend div { display: flex; align-items: center; gap: 6px; margin: 3px 0; }
.allocation line { stroke: #4C72B0; stroke-opacity: 0.18; stroke-linecap: round; }
path.road { fill: none; stroke: #D2D2CC; stroke-width: 0.8; }
path.road.major { stroke: #BDB7A8; stroke-width: 2.2; }
.cell { fill: none; stroke: #7A7A7A; stroke-width: 1.2; stroke-dasharray: 5 3; }
.cell.unmet { fill: UNMETFILL; fill-opacity: 0.5; }
circle.zone { fill: #A6CEE3; fill-opacity: 0.45; stroke: #5B8DB8; stroke-width: 1; }
text.zone-label { font-size: 12px; fill: #1F3A5F; text-anchor: middle;
                  dominant-baseline: central; pointer-events: none; stroke: #FFF;
                  stroke-width: 3px; paint-order: stroke; }
line.leader { stroke: #555; stroke-width: 0.8; }
.legend h2 { font-size: 14px; margin: 10px 0 4px 0; }
.facility-marker { cursor: pointer; }
.site-labels text { font-size: LABELFONTpx; fill: #222; stroke: #FFF; stroke-width: 3px;
                    paint-order: stroke; pointer-events: none; }
.facility-marker:hover > :first-child { stroke-width: 2.5; }
#popup { position: absolute; background: #FFF; border: 1px solid #888; border-radius: 4px;
         padding: 6px 8px; font-size: 13px; box-shadow: 0 2px 6px rgba(0,0,0,.3);
         pointer-events: none; max-width: 320px; }
table.changes { border-collapse: collapse; margin-top: 14px; font-size: 13px; }
table.changes td, table.changes th { border-bottom: 1px solid #DDD; padding: 3px 8px;
                                     text-align: left; }
table.changes td.num { text-align: right; }
.note { color: #555; font-size: 13px; margin-top: 8px; }
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
  // Record each label's drawn box (SVG units) so that a check can read it from the DOM.
  Array.prototype.forEach.call(document.querySelectorAll('text.site-label'), function (el) {
    var b = el.getBBox();
    el.setAttribute('data-bbox', [b.x, b.y, b.x + b.width, b.y + b.height].join(' '));
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-popup]'), function (el) {
    el.addEventListener('mouseenter', function (e) { show(el, e); });
    el.addEventListener('click', function (e) { show(el, e); });
    el.addEventListener('mouseleave', function () { popup.hidden = true; });
  });
})();
"""


def _style() -> str:
    return (
        _HTML_STYLE.replace("BACKGROUND", HTML_BACKGROUND)
        .replace("UNMETFILL", UNMET_FILL)
        .replace("LABELFONT", f"{LABEL_FONT:g}")
    )


def write_html_map(
    results: PlanTables,
    sites: pd.DataFrame,
    zones: pd.DataFrame,
    path: Path | str,
    *,
    period: int | None = None,
    language: str = "nl",
    title: str | None = None,
    background: MapBackground | None = None,
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
    background
        Zone boundaries and roads (:func:`voorzieningen.basemap.background_for`), drawn as
        light SVG paths under everything; None draws approximate zone cells around the
        zone points and no roads. A note below the map says what is drawn.

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
    service_names = SERVICE_NAMES[language]
    frame = map_frame(results, sites, zones, period=period, background=background)
    year, site_table, zone_table, background = (
        frame.year,
        frame.sites,
        frame.zones,
        frame.background,
    )
    project, (sx, sy), (zx, zy) = frame.project, frame.site_xy, frame.zone_xy
    xs = np.concatenate([sx, zx])
    ys = np.concatenate([sy, zy])
    span = max(float(np.ptp(xs)), float(np.ptp(ys)), 1.0)
    pad = 0.06 * span
    x0, x1 = float(xs.min()) - pad, float(xs.max()) + pad
    y0, y1 = float(ys.min()) - pad, float(ys.max()) + pad
    if y1 - y0 < 0.6 * (x1 - x0):  # a flat region still gets room for labels
        grow = 0.5 * (0.6 * (x1 - x0) - (y1 - y0))
        y0, y1 = y0 - grow, y1 + grow
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
    if background.roads is not None and len(background.roads):
        roads = background.roads.to_crs(project.crs).simplify(2.0)
        major = background.roads["major"].astype(bool).to_numpy()
        for cls, mask in (("road", ~major), ("road major", major)):
            d = " ".join(_path(g, to_screen) for g in roads[mask])
            parts.append(f'<path class="{cls}" d="{d}"/>')
    unmet_ids: set[str] = set()
    if background.zones is not None and len(background.zones):
        cells_xy = background.zones.to_crs(project.crs)
        share = (
            zone_table[T.UNMET_PERSONS].fillna(0.0)
            / zone_table[T.DEMAND_PERSONS].where(lambda d: d > 0)
        ).fillna(0.0)
        parts.append('<g class="zone-cells">')
        for zone_id, geom in zip(cells_xy.index, cells_xy.geometry, strict=True):
            if geom is None or geom.is_empty:
                continue
            z_share = float(share.get(zone_id, 0.0))
            fill = (
                f' style="fill-opacity:{0.15 + 0.6 * min(z_share, 1.0):.2f}"'
                if z_share > 0.005
                else ""
            )
            if z_share > 0.005:
                unmet_ids.add(str(zone_id))
            cls = "cell unmet" if z_share > 0.005 else "cell"
            parts.append(
                f'<path class="{cls}" data-zone="{_attr(zone_id)}" d="{_path(geom, to_screen)}"'
                f"{fill}/>"
            )
        parts.append("</g>")
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
        radius = 5.0 + 20.0 * math.sqrt(demand[i] / top_demand)
        unmet = float(row[T.UNMET_PERSONS]) > 1e-6 if pd.notna(row[T.UNMET_PERSONS]) else False
        tip = [f"{zone}" + (f" ({row[T.GEMEENTE]})" if T.GEMEENTE in row.index else "")]
        for service in services:
            before = row[f"{service}_travel_time_before_min"]
            after = row[f"{service}_travel_time_after_min"]
            miss = row[f"{service}_unmet_persons"]
            tip.append(
                f"{service_names.get(service, service)}: {text['before']} "
                f"{minutes(before, language)}, {text['after']} {minutes(after, language)}"
                + (
                    f", {text['unmet_short']} {number(float(miss), 0, language)}"
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
            action_phrase(action, after, row[T.PERIOD], language),
            f"{text['capex']}: € {money(capex, language)}",
        ]
        if proceeds:
            popup.append(f"{text['proceeds']}: € {money(proceeds, language)}")
        if after:
            named = " + ".join(service_names.get(s, s) for s in after.split("+") if s)
            popup.append(f"{text['services']}: {named}")
        size = 7.0 if action in ("keep", "not_built") else 10.0
        kind = site_service(action, row.get(T.SERVICE), after)
        parts.append(
            f'<g class="facility-marker" data-site="{_attr(site)}" data-action="{_attr(action)}" '
            f'data-year="{_attr(when)}" data-capex-eur="{capex:.0f}" data-service="{kind}" '
            f'data-popup="{_attr(json.dumps(popup, ensure_ascii=False))}" '
            f'transform="translate({site_xy[site][0]:.1f},{site_xy[site][1]:.1f})">'
            f"{_svg_marker(action, size, kind)}<title>{html.escape(' · '.join(popup))}</title></g>"
        )
    parts.append("</g>")
    obstacles = [
        (site_xy[site][0] - 11, site_xy[site][1] - 11, site_xy[site][0] + 11, site_xy[site][1] + 11)
        for site in ranked
    ]
    obstacles += [
        (x - 4.0 * len(z), y - 8.0, x + 4.0 * len(z), y + 8.0) for z, (x, y) in zone_xy.items()
    ]
    to_label = [
        site
        for site in sorted(ranked, key=lambda s: year_text(site_table.at[s, T.PERIOD]))
        if str(site_table.at[site, T.ACTION]) not in ("keep", "not_built")
    ]
    texts = []
    for site in to_label:
        name = str(site_table.at[site, T.NAME]) if T.NAME in site_table.columns else site
        texts.append(
            (
                name,
                action_phrase(
                    str(site_table.at[site, T.ACTION]),
                    site_table.at[site, T.SERVICES_AFTER]
                    if T.SERVICES_AFTER in site_table.columns
                    else "",
                    site_table.at[site, T.PERIOD],
                    language,
                ),
            )
        )
    placed = _place_svg_labels(texts, [site_xy[s] for s in to_label], obstacles, width, height)
    parts.append('<g class="site-labels">')
    for site, (first, second), (tx, ty, anchor, box) in zip(to_label, texts, placed, strict=True):
        sx_, sy_ = site_xy[site]
        cx = min(max(sx_, box[0]), box[2])
        cy = min(max(sy_, box[1]), box[3])
        if math.hypot(cx - sx_, cy - sy_) > 14:
            parts.append(
                f'<line class="leader" x1="{sx_:.1f}" y1="{sy_:.1f}" x2="{cx:.1f}" y2="{cy:.1f}"/>'
            )
        parts.append(
            f'<text class="site-label" data-site="{_attr(site)}" x="{tx:.1f}" y="{ty:.1f}" '
            f'text-anchor="{anchor}">{html.escape(first)}'
            f'<tspan x="{tx:.1f}" dy="{LABEL_FONT * 1.2:.1f}">{html.escape(second)}</tspan></text>'
        )
    parts.append("</g>")

    bar = nice_length(x1 - x0)
    bx, by = 0.04 * width, height - 0.04 * height
    parts.append(
        f'<g class="scale-bar"><line x1="{bx:.1f}" y1="{by:.1f}" x2="{bx + bar * scale:.1f}" '
        f'y2="{by:.1f}" stroke="#000" stroke-width="3"/><text x="{bx + bar * scale / 2:.1f}" '
        f'y="{by - 6:.1f}" font-size="12" text-anchor="middle">{length_label(bar)}</text></g>'
    )

    legend = [f"<h2>{html.escape(text['decision'])}</h2>"]
    for action in ACTIONS:
        count = int((site_table[T.ACTION].astype(str) == action).sum())
        if count:
            legend.append(
                '<div><svg width="26" height="26" viewBox="-13 -13 26 26" aria-hidden="true">'
                + (
                    f'<circle r="6" fill="#FFF" stroke="{ACTION_COLOURS[action]}" '
                    'stroke-width="2"/></svg>'
                    if action == "not_built"
                    else f'<circle r="7" fill="{ACTION_COLOURS[action]}" stroke="#000" '
                    'stroke-width="0.8"/></svg>'
                )
                + f"{html.escape(labels[action])} ({count})</div>"
            )
    legend.append(f"<h2>{html.escape(text['service'])}</h2>")
    kinds = {
        site_service(str(a), sv, sa)
        for a, sv, sa in zip(
            site_table[T.ACTION],
            site_table.get(T.SERVICE, pd.Series("", index=site_table.index)),
            site_table.get(T.SERVICES_AFTER, pd.Series("", index=site_table.index)),
            strict=True,
        )
    }
    for kind in SERVICE_MARKERS:
        if kind in kinds:
            legend.append(
                '<div><svg width="26" height="26" viewBox="-13 -13 26 26" aria-hidden="true">'
                f"{_svg_marker('legend', 8.0, kind)}</svg>"
                f"{html.escape(SERVICE_LEGEND[language][kind])}</div>"
            )
    legend.append(
        '<div><svg width="26" height="26" viewBox="-13 -13 26 26" aria-hidden="true">'
        '<circle class="zone" r="10"/></svg>'
        f"{html.escape(text['zone'].format(period=year))}</div>"
    )
    legend.append(
        '<div><svg width="26" height="26" viewBox="-13 -13 26 26" aria-hidden="true">'
        '<rect class="cell unmet" x="-10" y="-8" width="20" height="16"/></svg>'
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
            "<td>"
            + html.escape(
                action_phrase(str(row[T.ACTION]), row.get(T.SERVICES_AFTER), None, language)
            )
            + "</td>"
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
<style>{_style()}</style>
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
<p class="note">{html.escape(" · ".join(background_notes(background, language)))}</p>
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
