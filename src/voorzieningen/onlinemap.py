"""The plan on a street map for online readers: ``plan_online.html`` (folium, web tiles).

``plan.html`` (:mod:`voorzieningen.webmap`) is self-contained and works offline, with the
zone boundaries and roads the run already has. Readers at a desk with internet often want
the plan over a familiar street map; this module writes that as a second, optional file
(scenario setting ``report.online_map = true``). Its page loads Leaflet and the map tiles
from the internet when opened (OpenStreetMap's standard tile layer, with its attribution),
so it shows nothing offline: the offline map stays ``plan.html``. Writing it needs no
internet.
"""

from __future__ import annotations

import html
from pathlib import Path

import folium
import numpy as np
import pandas as pd

from voorzieningen import tables as T
from voorzieningen.maps import site_decisions, zone_kpis
from voorzieningen.plotting import (
    ACTION_COLOURS,
    ACTION_LABELS,
    SERVICE_NAMES,
    is_missing,
    year_text,
)
from voorzieningen.record import PlanTables, last_period

#: OpenStreetMap's standard tile layer and the attribution its tile usage policy asks for
#: (https://operations.osmfoundation.org/policies/tiles/).
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'

_TEXT = {
    "nl": {
        "title": "Plan {scenario}: voorzieningen tot {period} (online kaart)",
        "year": "jaar",
        "capex": "investering",
        "zone": "wijk/dorp",
        "demand": "vraag",
        "travel": "gem. reistijd",
    },
    "en": {
        "title": "Plan {scenario}: facilities up to {period} (online map)",
        "year": "year",
        "capex": "capex",
        "zone": "zone",
        "demand": "demand",
        "travel": "mean travel time",
    },
}


def _euro(value: object, language: str) -> str:
    number = float(value) if isinstance(value, int | float | np.number) else 0.0
    text = f"{number:,.0f}"
    return f"€ {text.replace(',', '.')}" if language == "nl" else f"EUR {text}"


def write_online_map(
    results: PlanTables,
    sites: pd.DataFrame,
    zones: pd.DataFrame,
    path: Path | str,
    *,
    language: str = "nl",
) -> Path:
    """
    Write the plan over OpenStreetMap tiles as an HTML page (needs internet to view).

    One circle marker per site, coloured by its action (the colours of ``plan.png``), with
    a popup naming the site, its service, the action, its year and capex (EUR); one small
    grey circle per zone with its demand (persons, summed over services only as a marker
    size, never as a figure) in a tooltip.

    Parameters
    ----------
    results
        The plan's tables.
    sites, zones
        Site and zone tables with ``lon``/``lat`` in WGS84 degrees (index or column
        ``site``/``zone``).
    path
        Target ``.html`` file.
    language
        ``"nl"`` or ``"en"``.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputDataError
        If a site or zone of the plan has no coordinates.
    """
    text = _TEXT[language]
    year = last_period(results)
    site_table = site_decisions(results, sites)
    zone_table = zone_kpis(results, zones, period=year)
    lat = np.concatenate([site_table[T.LAT].to_numpy(), zone_table[T.LAT].to_numpy()])
    lon = np.concatenate([site_table[T.LON].to_numpy(), zone_table[T.LON].to_numpy()])
    fmap = folium.Map(tiles=None, control_scale=True)
    folium.TileLayer(OSM_TILES, attr=OSM_ATTRIBUTION, name="OpenStreetMap").add_to(fmap)
    fmap.fit_bounds([[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]])
    title = text["title"].format(scenario=html.escape(results.scenario_name), period=year)
    fmap.get_root().html.add_child(  # type: ignore[attr-defined]
        folium.Element(f"<h3 style='font-family:sans-serif;margin:4px'>{title}</h3>")
    )
    for zone, row in zone_table.iterrows():
        # Marker size only: the services' demands are never added up as a figure.
        demand = float(row.get(T.DEMAND_PERSONS, 0.0))
        folium.CircleMarker(
            [float(row[T.LAT]), float(row[T.LON])],
            radius=3 + 2 * np.log1p(demand / 100.0),
            color="#777777",
            weight=1,
            fill=True,
            fill_opacity=0.25,
            tooltip=html.escape(f"{text['zone']} {zone}"),
        ).add_to(fmap)
    labels = ACTION_LABELS[language]
    services = SERVICE_NAMES[language]
    for site, row in site_table.iterrows():
        action = str(row[T.ACTION])
        after, before = row.get(T.SERVICES_AFTER), row.get(T.SERVICE)
        service = "" if is_missing(after) or not after else str(after)
        service = service or ("" if is_missing(before) else str(before))
        service_text = " + ".join(services.get(s, s) for s in service.split("+") if s)
        parts = [
            f"<b>{html.escape(str(row.get(T.NAME) or site))}</b>",
            html.escape(service_text),
            html.escape(labels.get(action, action)),
        ]
        if year_text(row.get(T.PERIOD)):
            parts.append(f"{text['year']} {year_text(row.get(T.PERIOD))}")
        capex = 0.0 if is_missing(row.get(T.CAPEX_EUR)) else float(row[T.CAPEX_EUR])
        if capex:
            parts.append(f"{text['capex']} {_euro(capex, language)}")
        folium.CircleMarker(
            [float(row[T.LAT]), float(row[T.LON])],
            radius=7,
            color="#000000",
            weight=1,
            fill=True,
            fill_color=ACTION_COLOURS.get(action, "#6E6E6E"),
            fill_opacity=0.9,
            popup=folium.Popup("<br>".join(parts), max_width=300),
            tooltip=html.escape(str(row.get(T.NAME) or site)),
        ).add_to(fmap)
    target = Path(path)
    fmap.save(str(target))
    return target


__all__ = ["OSM_ATTRIBUTION", "OSM_TILES", "write_online_map"]
