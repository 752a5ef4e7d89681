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
from matplotlib.figure import Figure

from voorzieningen import tables as T
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
        "mfa": "MFA / kindcentrum",
        "new": "nieuwbouw",
        "not_built": "kavel niet gebruikt",
    },
    "en": {
        "keep": "keep",
        "close": "close",
        "renovate": "renovate",
        "extend": "extend life",
        "convert": "convert",
        "mfa": "multifunctional centre",
        "new": "new build",
        "not_built": "candidate not built",
    },
}

MAP_TEXT: dict[str, dict[str, str]] = {
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


def money(value: float, language: str) -> str:
    """Format euros without decimals, with the language's thousands separator."""
    text = f"{value:,.0f}"
    return text.replace(",", ".") if language == "nl" else text


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


def place_labels(
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
            path_effects=halo(),
            zorder=6,
        )


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
        tt=f"{num(T.MEAN_TRAVEL_TIME_MIN):.1f}".replace(".", "," if language == "nl" else "."),
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
