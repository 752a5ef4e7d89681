"""Drawing helpers shared by the plan maps and the difference map.

Action colours, markers and labels; site and zone point tables; a metric projection (RD
New in the Netherlands, else the local UTM zone); scale bar, label placement, titles; and
an atomic PNG save. Figures are made with matplotlib's object-oriented API
(:class:`matplotlib.figure.Figure`), never with :mod:`matplotlib.pyplot`, so no module
changes matplotlib's global backend.
"""

from __future__ import annotations

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
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from voorzieningen import tables as T
from voorzieningen.basemap import MapBackground
from voorzieningen.errors import InputDataError
from voorzieningen.record import PlanTables

#: Actions of ``Results.decisions`` in drawing order (later ones are drawn on top).
ACTIONS: tuple[str, ...] = (
    "not_built",
    "keep",
    "extend",
    "renovate",
    "convert",
    "mfa",
    "new",
    "close",
)

#: Colour per action (Okabe-Ito palette, readable by colour-blind readers and, with the
#: marker shapes, in grey print).
ACTION_COLOURS: dict[str, str] = {
    "keep": "#6E6E6E",
    "close": "#D55E00",
    "renovate": "#0072B2",
    "extend": "#56B4E9",
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
    "extend": "h",
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
        "extend": "levensduur verlengen",
        "convert": "ombouwen",
        "mfa": "samenvoegen in MFA",
        "new": "nieuwbouw",
        "not_built": "kavel niet gebruikt",
    },
    "en": {
        "keep": "keep",
        "close": "close",
        "renovate": "renovate",
        "extend": "extend life",
        "convert": "convert",
        "mfa": "merge into multifunctional centre",
        "new": "new build",
        "not_built": "candidate not built",
    },
}

#: Service names per language, neutral about the kind of place: a Delft "wijkcentrum" and a
#: Groningen "dorpshuis" are both a community centre.
SERVICE_NAMES: dict[str, dict[str, str]] = {
    "nl": {
        "school": "basisschool",
        "gp": "huisartsenpraktijk",
        "community_hall": "ontmoetingscentrum",
    },
    "en": {"school": "primary school", "gp": "GP practice", "community_hall": "community centre"},
}

#: Marker shape per service a site offers (after the plan; before it for closures);
#: ``multi`` for a site with more than one service, ``none`` for a plot without one.
SERVICE_MARKERS: dict[str, str] = {
    "school": "s",
    "gp": "P",
    "community_hall": "^",
    "multi": "h",
    "none": "o",
}

#: Legend label per service marker and language.
SERVICE_LEGEND: dict[str, dict[str, str]] = {
    "nl": {
        **SERVICE_NAMES["nl"],
        "multi": "meerdere functies (MFA)",
        "none": "kavel / geen functie",
    },
    "en": {**SERVICE_NAMES["en"], "multi": "several services (MFA)", "none": "plot / no service"},
}

MAP_TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Plan {scenario}: voorzieningen tot {period}",
        "subtitle": (
            "investeringen € {capex} · verkoop € {proceeds} · gem. reistijd {tt} min · "
            "{projects} projecten, {closures} sluitingen"
        ),
        "zone": "wijk/dorp (grootte = vraag {period})",
        "unmet": "onvervulde vraag (donkerder: groter aandeel)",
        "lines": "toewijzing wijk → voorziening",
        "year": "jaar",
        "capex": "investering",
        "proceeds": "opbrengst",
        "services": "functies na",
        "demand": "vraag",
        "before": "reistijd nu",
        "after": "reistijd na",
        "unmet_short": "onvervuld",
        "decision": "besluit",
        "service": "functie",
        "zones_pc4": "wijkgrenzen: CBS postcode-4-gebieden",
        "zones_voronoi": "wijkgrenzen benaderd (cellen rond de wijkmiddelpunten; geen CBS-vlakken)",
        "zones_mixed": "wijkgrenzen: CBS postcode-4, elders benaderd (cellen rond de middelpunten)",
        "roads_network": "wegen: het wegennet van de reistijden ({name})",
        "roads_estimate": "reistijden geschat (hemelsbreed × omwegfactor): geen wegennet",
        "roads_missing": "wegennet {name} niet gevonden: niet getekend",
        "roads_none": "",
        "min": "min",
    },
    "en": {
        "title": "Plan {scenario}: facilities up to {period}",
        "subtitle": (
            "capex € {capex} · sale proceeds € {proceeds} · mean travel time {tt} min · "
            "{projects} projects, {closures} closures"
        ),
        "zone": "zone (size = demand {period})",
        "unmet": "unmet demand (darker: larger share)",
        "lines": "allocation zone → facility",
        "year": "year",
        "capex": "capex",
        "proceeds": "proceeds",
        "services": "services after",
        "demand": "demand",
        "before": "travel time now",
        "after": "travel time after",
        "unmet_short": "unmet",
        "decision": "decision",
        "service": "service",
        "zones_pc4": "zone boundaries: CBS postcode-4 areas",
        "zones_voronoi": "zone boundaries approximate (cells around zone centres; no CBS areas)",
        "zones_mixed": "zone boundaries: CBS postcode-4, elsewhere approximate cells",
        "roads_network": "roads: the network of the travel times ({name})",
        "roads_estimate": "travel times estimated (straight line × detour factor): no network",
        "roads_missing": "road network {name} not found: not drawn",
        "roads_none": "",
        "min": "min",
    },
}

#: Fill of zones with unmet demand (light red).
UNMET_FILL = "#F2A7A0"

#: Background colour of the HTML map (tests look for marker colours against it).
HTML_BACKGROUND = "#F7F7F4"

#: Bounds of RD New (EPSG:28992), WGS84 degrees: west, south, east, north.
_RD_BOUNDS = (3.2, 50.7, 7.3, 53.7)


# --------------------------------------------------------------------------------------
# Inputs


def indexed_points(frame: pd.DataFrame, index: str, what: str) -> pd.DataFrame:
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


def check_located(frame: pd.DataFrame, ids: Iterable[str], what: str, fix: str) -> None:
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


def site_points(results: PlanTables, sites: pd.DataFrame) -> pd.DataFrame:
    """Return the sites indexed by ``site``, checking that every decided site is located."""
    table = indexed_points(sites, T.SITE, "sites")
    check_located(
        table,
        results.decisions[T.SITE].astype(str),
        "sites",
        "Pass the sites table of the same run (sites.csv in its results folder).",
    )
    return table


def zone_points(results: PlanTables, zones: pd.DataFrame) -> pd.DataFrame:
    """Return the zones indexed by ``zone``, checking that every zone of the plan is located."""
    table = indexed_points(zones, T.ZONE, "zones")
    check_located(
        table,
        results.zones[T.ZONE].astype(str),
        "zones",
        "Pass the zones table of the same run (zones_points.csv in its results folder).",
    )
    return table


def atomic_target(path: Path) -> Path:
    """Return a free temporary file name beside ``path`` (to write, then rename into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    Path(tmp).unlink()
    return Path(tmp)


# --------------------------------------------------------------------------------------
# Projection and shared drawing helpers


@dataclass(frozen=True)
class Projector:
    """Project WGS84 degrees to a metric CRS (metres)."""

    crs: str

    def __call__(self, lon: Iterable[float], lat: Iterable[float]) -> tuple[np.ndarray, np.ndarray]:
        """Project WGS84 degrees to metres: ``(x, y)`` arrays."""
        pts = gpd.GeoSeries(gpd.points_from_xy(list(lon), list(lat)), crs="EPSG:4326")
        projected = pts.to_crs(self.crs)
        return np.asarray(projected.x, dtype=float), np.asarray(projected.y, dtype=float)


def projector(lon: np.ndarray, lat: np.ndarray) -> Projector:
    """Return a projection to RD New when every point is in the Netherlands, else to UTM."""
    west, south, east, north = _RD_BOUNDS
    if len(lon) and (
        lon.min() >= west and lon.max() <= east and lat.min() >= south and lat.max() <= north
    ):
        return Projector("EPSG:28992")
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    return Projector(str(pts.estimate_utm_crs().to_string()))


def nice_length(span_m: float) -> float:
    """Return a round scale-bar length (1, 2 or 5 times a power of ten) near a fifth of span."""
    target = max(span_m / 5.0, 1.0)
    power = 10 ** math.floor(math.log10(target))
    return float(max(f * power for f in (1, 2, 5) if f * power <= target))


def length_label(metres: float) -> str:
    """Label a length in metres as ``"500 m"`` or ``"2 km"``."""
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def number(value: float, decimals: int, language: str) -> str:
    """
    Format a number in the language's style: ``1.234,5`` (nl) or ``1,234.5`` (en).

    Parameters
    ----------
    value
        The number (NaN gives ``"–"``).
    decimals
        Digits after the decimal separator.
    language
        ``"nl"`` or ``"en"``.

    Returns
    -------
    str
        The text.
    """
    if not math.isfinite(value):
        return "–"
    text = f"{value:,.{decimals}f}"
    if language == "nl":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def money(value: float, language: str) -> str:
    """Format euros without decimals, with the language's thousands separator."""
    return number(value, 0, language)


def minutes(value: object, language: str) -> str:
    """Format a travel time cell as ``"4,5 min"`` (nl) / ``"4.5 min"`` (en), ``"–"`` if missing."""
    if is_missing(value):
        return "–"
    return f"{number(cell_float(value), 1, language)} min"


def service_list(services: object, language: str) -> str:
    """Name the services of a ``services_after`` cell (``gp+school``) in the language."""
    names = SERVICE_NAMES[language]
    text = "" if is_missing(services) else str(services)
    parts = [p for p in text.replace(";", "+").split("+") if p]
    return " + ".join(names.get(p, p) for p in parts)


def site_service(action: str, service: object, services_after: object) -> str:
    """
    Return a site's key in :data:`SERVICE_MARKERS`: what it offers on the map.

    Parameters
    ----------
    action
        The plan's action for the site.
    service
        Its service today (``service`` column).
    services_after
        Its services after the plan (``services_after``, e.g. ``gp+school``).

    Returns
    -------
    str
        ``school``, ``gp``, ``community_hall``, ``multi`` or ``none``: the services after
        the plan, or today's for a closure (and when the plan leaves it empty).
    """
    after = "" if is_missing(services_after) else str(services_after)
    before = "" if is_missing(service) else str(service)
    text = before if action == "close" or not after else after
    parts = sorted({p for p in text.replace(";", "+").split("+") if p})
    if len(parts) > 1:
        return "multi"
    if parts and parts[0] in SERVICE_MARKERS:
        return parts[0]
    return "none"


def action_phrase(action: str, services_after: object, year: object, language: str) -> str:
    """
    Say what happens to a site, and when, in a few words.

    ``ombouwen`` and ``MFA`` say into what: ``"ombouwen tot huisartsenpraktijk 2030"``,
    ``"MFA: basisschool + huisartsenpraktijk 2025"``, ``"nieuwbouw: basisschool 2030"``.

    Parameters
    ----------
    action
        keep, close, renovate, convert, mfa, new or not_built.
    services_after
        The services after the plan (``gp+school``).
    year
        The year of the action (missing for keep / not_built).
    language
        ``"nl"`` or ``"en"``.

    Returns
    -------
    str
        The phrase.
    """
    label = ACTION_LABELS[language].get(action, action)
    after = service_list(services_after, language)
    when = year_text(year)
    into = {"nl": "tot", "en": "into"}[language]
    if action == "convert" and after:
        text = f"{label} {into} {after}"
    elif action in ("mfa", "new") and after:
        text = f"{'MFA' if action == 'mfa' else label}: {after}"
    else:
        text = label
    return f"{text} {when}".strip()


def background_notes(background: MapBackground | None, language: str) -> list[str]:
    """Return the map notes on zone boundaries and roads (what is drawn, and how exact)."""
    if background is None:
        return []
    text = MAP_TEXT[language]
    notes = []
    if background.zone_source != "none":
        notes.append(text[f"zones_{background.zone_source}"])
    road = text[f"roads_{background.road_source}"].format(name=background.road_name)
    if road:
        notes.append(road)
    return notes


def draw_background(ax: Any, background: MapBackground | None, crs: str) -> None:
    """
    Draw zone boundaries and roads, lightly, under everything else.

    Parameters
    ----------
    ax
        Axes in the metric ``crs``.
    background
        The layers (WGS84), or None for none.
    crs
        The axes' CRS (e.g. ``EPSG:28992``).
    """
    if background is None:
        return
    if background.roads is not None and len(background.roads):
        roads = background.roads.to_crs(crs)
        minor = roads[~roads["major"].astype(bool)]
        major = roads[roads["major"].astype(bool)]
        if len(minor):
            minor.plot(ax=ax, color="#D2D2CC", linewidth=0.45, zorder=0.5)
        if len(major):
            major.plot(ax=ax, color="#BDB7A8", linewidth=1.3, zorder=0.6)
    if background.zones is not None and len(background.zones):
        zones = background.zones.to_crs(crs)
        zones.boundary.plot(ax=ax, color="#7A7A7A", linewidth=0.8, linestyle="--", zorder=0.8)


def check_language(language: str) -> None:
    """Raise ValueError unless ``language`` is ``"nl"`` or ``"en"``."""
    if language not in MAP_TEXT:
        msg = f"language must be 'nl' or 'en', got {language!r}"
        raise ValueError(msg)


def halo() -> list[Any]:
    """Return the white outline drawn behind labels."""
    return [patheffects.withStroke(linewidth=3, foreground="white")]


def add_scale_bar(ax: Any, x0: float, x1: float, y0: float, y1: float) -> None:
    """Draw a scale bar in the lower left of axes spanning ``x0..x1``, ``y0..y1`` metres."""
    length = nice_length(x1 - x0)
    left = x0 + 0.04 * (x1 - x0)
    base = y0 + 0.04 * (y1 - y0)
    ax.plot([left, left + length], [base, base], color="black", linewidth=3, zorder=10)
    ax.text(
        left + length / 2,
        base + 0.015 * (y1 - y0),
        length_label(length),
        ha="center",
        va="bottom",
        fontsize=8,
        path_effects=halo(),
        zorder=10,
    )


#: Offsets tried for a label, in points: radii from the anchor, nearest first.
_LABEL_RADII_PT: tuple[float, ...] = (6.0, 12.0, 20.0, 30.0, 42.0, 56.0, 72.0, 92.0)
#: Directions tried at each radius (degrees, counter-clockwise from east), upper right first.
_LABEL_ANGLES_DEG: tuple[float, ...] = (45, 135, 315, 225, 90, 270, 0, 180, 20, 160, 340, 200)


def renderer_of(fig: Figure) -> Any:
    """Return the figure's renderer, attaching an Agg canvas first if it has none."""
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()  # type: ignore[attr-defined]


def text_box(annotation: Any, renderer: Any) -> Bbox:
    """Return the display-space box of an annotation's text (without its leader line)."""
    annotation.update_positions(renderer)
    return Text.get_window_extent(annotation, renderer)


def _overlap_area(a: Bbox, others: Iterable[Bbox]) -> float:
    return sum(
        max(0.0, float(min(a.x1, o.x1) - max(a.x0, o.x0)))
        * max(0.0, float(min(a.y1, o.y1) - max(a.y0, o.y0)))
        for o in others
    )


def place_labels(
    ax: Any,
    texts: list[str],
    anchors: list[tuple[float, float]],
    *,
    fontsize: float,
    obstacles: Iterable[Bbox] = (),
    gid: str = "site-label",
) -> list[Any]:
    """
    Label points so that no two labels overlap, with a leader line when moved away.

    Each label tries offsets at growing distance from its point (radii in
    ``_LABEL_RADII_PT``, twelve directions each) and takes the first whose text box,
    measured by matplotlib's renderer, stays inside the axes and clear of the labels
    placed so far and of ``obstacles`` (markers, other text); if none is clear, the one
    overlapping least. Labels set further than the nearest ring get a thin leader line
    to their point. Call this after the figure's layout is final (title, legends set and
    ``fig.draw_without_rendering()`` done): the labels are excluded from the layout.

    Parameters
    ----------
    ax
        The axes (data coordinates of ``anchors``).
    texts
        One label per anchor (may contain line breaks).
    anchors
        Points in data coordinates.
    fontsize
        Font size, points.
    obstacles
        Display-space boxes (pixels) labels must not cover.
    gid
        Group id set on every label (tests find them by it).

    Returns
    -------
    list of matplotlib.text.Annotation
        The labels, in the order of ``texts``.
    """
    renderer = renderer_of(ax.figure)
    frame = ax.get_window_extent(renderer)
    blocked = list(obstacles)
    placed: list[Bbox] = []
    pad = 1.5 * ax.figure.dpi / 72.0
    out: list[Any] = []
    for label, (x, y) in zip(texts, anchors, strict=True):
        ann = ax.annotate(
            label,
            (x, y),
            xytext=(0.0, 0.0),
            textcoords="offset points",
            fontsize=fontsize,
            path_effects=halo(),
            zorder=7,
            linespacing=1.1,
        )
        ann.set_in_layout(False)
        ann.set_gid(gid)
        best: tuple[float, float, float, str, str] | None = None
        best_cost = math.inf
        for radius in _LABEL_RADII_PT:
            for angle in _LABEL_ANGLES_DEG:
                cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
                ha = "left" if cos > 0.3 else ("right" if cos < -0.3 else "center")
                va = "bottom" if sin > 0.3 else ("top" if sin < -0.3 else "center")
                ann.xyann = (radius * cos, radius * sin)
                ann.set_horizontalalignment(ha)
                ann.set_verticalalignment(va)
                box = text_box(ann, renderer)
                inside = frame.containsx(box.x0) and frame.containsx(box.x1)
                inside = inside and frame.containsy(box.y0) and frame.containsy(box.y1)
                grown = box.expanded(1.0, 1.0).padded(pad)
                cost = _overlap_area(grown, placed) + _overlap_area(grown, blocked)
                cost += 0.0 if inside else 1e9
                if cost < best_cost:
                    best, best_cost = (radius, radius * cos, radius * sin, ha, va), cost
                if cost == 0.0:
                    break
            if best_cost == 0.0:
                break
        assert best is not None
        radius, dx, dy, ha, va = best
        ann.remove()
        leader = (
            {"arrowstyle": "-", "color": "#555555", "linewidth": 0.6, "shrinkA": 1, "shrinkB": 3}
            if radius > _LABEL_RADII_PT[1]
            else None
        )
        ann = ax.annotate(
            label,
            (x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=fontsize,
            path_effects=halo(),
            zorder=7,
            linespacing=1.1,
            arrowprops=leader,
        )
        ann.set_in_layout(False)
        ann.set_gid(gid)
        placed.append(text_box(ann, renderer))
        out.append(ann)
    return out


def save_figure(fig: Figure, path: Path) -> Path:
    """Save a figure as PNG atomically (temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = atomic_target(path)
    try:
        fig.savefig(tmp, format="png")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def title_lines(results: PlanTables, period: int, language: str) -> tuple[str, str]:
    """Return a map's title and subtitle (scenario, period, the summary's totals)."""
    text = MAP_TEXT[language]
    scenario = results.scenario_name or "?"
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
        capex=money(num(T.CAPEX_TOTAL_EUR), language),
        proceeds=money(num(T.PROCEEDS_TOTAL_EUR), language),
        # per service, counting everyone (never one mean over pupils, patients and visitors)
        tt=" / ".join(
            f"{(T.SERVICE_NL if language == 'nl' else T.SERVICE_EN).get(svc, svc)} "
            + number(num(col), 1, language)
            for col in row.index
            if (svc := str(col).removeprefix(T.MEAN_TIME_ALL_PREFIX)) != str(col)
        )
        or "?",
        projects=int(num(T.PROJECTS_STARTED)) if math.isfinite(num(T.PROJECTS_STARTED)) else 0,
        closures=int(num(T.SITES_CLOSED)) if math.isfinite(num(T.SITES_CLOSED)) else 0,
    )
    return title, subtitle


def cell_float(value: Any) -> float:
    """Return a table cell as a float (pandas scalars are loosely typed)."""
    return float(value)


def is_missing(value: Any) -> bool:
    """Return whether a table cell is missing (None, NaN, NA or NaT)."""
    return value is None or bool(pd.isna(value))


def xy_by_id(
    index: Iterable[object], x: np.ndarray, y: np.ndarray
) -> dict[str, tuple[float, float]]:
    """Map ids to projected (x, y) coordinates."""
    return {str(i): (float(a), float(b)) for i, a, b in zip(index, x, y, strict=True)}


def year_text(value: object) -> str:
    """Return a year cell as text (empty when missing)."""
    return "" if is_missing(value) else str(int(cell_float(value)))
