"""Which OSM ways each travel mode may use, in which direction, and at what speed.

The rules follow the OSM wiki's access and oneway conventions, with Dutch defaults:

* **car**: public roads from ``motorway`` down to ``service`` (without parking aisles,
  driveways and the like); ``access``, ``vehicle``, ``motor_vehicle`` and ``motorcar`` are
  read from general to specific, so ``access=no`` + ``motorcar=yes`` is open. Oneway is
  respected (``oneway=yes/true/1/-1/reverse``, ``junction=roundabout`` and motorways imply
  oneway unless ``oneway=no``).
* **bicycle / ebike**: roads without motorways and trunk roads (Dutch *autowegen* are closed
  to cyclists), plus ``cycleway``, ``track``, and ``path``/``footway``/``pedestrian`` when
  cycling is allowed; ``bicycle=no`` or ``use_sidepath`` closes a way. Oneway is respected
  unless ``oneway:bicycle=no`` or a contraflow ``cycleway=opposite*``.
* **walk**: every way a pedestrian may use (no motorways and trunk roads unless
  ``foot=yes``); no oneway restrictions.

Car speeds come from the signed ``maxspeed`` when it parses (numbers, ``mph``, lists and
implicit codes such as ``NL:rural`` or ``DE:urban``) and otherwise from the Dutch table
``defaults/speeds_nl.csv`` by highway class; such edges are flagged as *imputed*.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources

from voorzieningen.schemas.network import Mode, NetworkSettings

CAR_HIGHWAYS: frozenset[str] = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "road",
    }
)
"""Highway classes open to cars unless access tags close them."""

_ROADS_NOT_MOTORWAY = CAR_HIGHWAYS - {"motorway", "motorway_link", "trunk", "trunk_link"}

BICYCLE_HIGHWAYS: frozenset[str] = _ROADS_NOT_MOTORWAY | {"cycleway", "track", "busway"}
"""Highway classes open to bicycles and e-bikes unless tags close them."""

BICYCLE_IF_ALLOWED: frozenset[str] = frozenset({"path", "footway", "pedestrian", "bridleway"})
"""Highway classes open to bicycles only with ``bicycle=yes/designated/permissive``."""

WALK_HIGHWAYS: frozenset[str] = _ROADS_NOT_MOTORWAY | {
    "footway",
    "pedestrian",
    "path",
    "steps",
    "track",
    "cycleway",
    "bridleway",
    "corridor",
}
"""Highway classes open to pedestrians unless tags close them."""

_EXCLUDED_SERVICE = frozenset(
    {
        "parking_aisle",
        "driveway",
        "parking",
        "alley",
        "private",
        "emergency_access",
        "drive-through",
    }
)
_NO = frozenset({"no", "private", "agricultural", "forestry", "delivery", "emergency"})
_YES = frozenset({"yes", "designated", "permissive", "destination", "customers", "public"})
_ONEWAY_FWD = frozenset({"yes", "true", "1"})
_ONEWAY_REV = frozenset({"-1", "reverse"})
_ACCESS_KEYS: dict[Mode, tuple[str, ...]] = {
    "car": ("access", "vehicle", "motor_vehicle", "motorcar"),
    "bicycle": ("access", "vehicle", "bicycle"),
    "ebike": ("access", "vehicle", "bicycle"),
    "walk": ("access", "foot"),
}
_MODE_KEY = {"car": "motorcar", "bicycle": "bicycle", "ebike": "bicycle", "walk": "foot"}


def _values(value: object) -> list[str]:
    """Return the string values of a tag that may be missing, a list or a ``;`` list."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, list | tuple | set):
        out: list[str] = []
        for item in value:
            out.extend(_values(item))
        return out
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _first(tags: Mapping[str, object], key: str) -> str | None:
    values = _values(tags.get(key))
    return values[0].lower() if values else None


def way_allowed(tags: Mapping[str, object], mode: Mode) -> bool:
    """
    Return whether a way (or an osmnx edge) belongs to the network of a mode.

    Parameters
    ----------
    tags
        OSM tags of the way, or the attributes of an osmnx edge (values may be lists).
    mode
        Travel mode.

    Returns
    -------
    bool
        True if the mode may use the way in at least one direction.
    """
    classes = {h.lower() for h in _values(tags.get("highway"))}
    if not classes or _first(tags, "area") == "yes":
        return False
    explicit = _first(tags, _MODE_KEY[mode])
    if mode == "car":
        base = bool(classes & CAR_HIGHWAYS)
        if _first(tags, "service") in _EXCLUDED_SERVICE:
            base = False
    elif mode in ("bicycle", "ebike"):
        base = bool(classes & BICYCLE_HIGHWAYS) or (
            bool(classes & BICYCLE_IF_ALLOWED) and explicit in _YES
        )
        if explicit in {"use_sidepath", "dismount"}:
            return False
        if classes & {"motorway", "motorway_link", "trunk", "trunk_link"} and explicit in _YES:
            base = True
    else:
        base = bool(classes & WALK_HIGHWAYS)
        if explicit == "use_sidepath":
            return False
        if classes & {"motorway", "motorway_link", "trunk", "trunk_link"} and explicit in _YES:
            base = True
    if not base:
        return False
    # access tags from general to specific: the most specific one present decides
    verdict = True
    for key in _ACCESS_KEYS[mode]:
        value = _first(tags, key)
        if value in _NO:
            verdict = False
        elif value in _YES:
            verdict = True
    return verdict


def way_direction(tags: Mapping[str, object], mode: Mode) -> int:  # noqa: PLR0911
    """
    Return the direction(s) in which a mode may travel along a way.

    Parameters
    ----------
    tags
        OSM tags of the way.
    mode
        Travel mode.

    Returns
    -------
    int
        0 for both directions, 1 for the way's node order only, -1 for the reverse only.
    """
    if mode == "walk":
        return 0
    oneway = _first(tags, "oneway")
    if mode in ("bicycle", "ebike"):
        if _first(tags, "oneway:bicycle") == "no":
            return 0
        cycleway = {_first(tags, k) for k in ("cycleway", "cycleway:left", "cycleway:right")}
        if cycleway & {"opposite", "opposite_lane", "opposite_track"}:
            return 0
    if oneway in _ONEWAY_FWD:
        return 1
    if oneway in _ONEWAY_REV:
        return -1
    if oneway == "no":
        return 0
    highway = _first(tags, "highway")
    junction = _first(tags, "junction")
    if junction in {"roundabout", "circular"} or highway in {"motorway", "motorway_link"}:
        return 1
    return 0


@cache
def _default_table() -> dict[str, float]:
    text = resources.files("voorzieningen").joinpath("defaults/speeds_nl.csv").read_text("utf-8")
    table: dict[str, float] = {}
    for row in csv.DictReader(text.splitlines()):
        if row["speed_kph"].strip():
            table[row["key"].strip()] = float(row["speed_kph"])
    return table


def speed_table(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """
    Return the Dutch car speed table with user overrides applied.

    Parameters
    ----------
    overrides
        Speeds in km/h by highway class or implicit maxspeed code that replace the defaults.

    Returns
    -------
    dict
        Speed in km/h by key (highway class such as ``residential`` or implicit code such as
        ``NL:rural``), from ``voorzieningen/defaults/speeds_nl.csv``.
    """
    table = dict(_default_table())
    table.update(overrides or {})
    return table


_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph|knots)?\s*$", re.IGNORECASE)


def parse_maxspeed(value: object, table: Mapping[str, float]) -> float | None:
    """
    Parse an OSM ``maxspeed`` value into km/h.

    Parameters
    ----------
    value
        The tag value: ``"50"``, ``"30 mph"``, ``"NL:rural"``, ``"50;30"``, a list of such
        values (osmnx merges edges into lists), or missing.
    table
        Speeds in km/h of implicit codes (see :func:`speed_table`).

    Returns
    -------
    float or None
        The speed in km/h (the mean when several values are given), or None if nothing
        could be parsed (``signals``, ``variable``, unknown codes).
    """
    speeds: list[float] = []
    for raw in _values(value):
        match = _NUMBER.match(raw)
        if match:
            kph = float(match.group(1))
            unit = (match.group(2) or "").lower()
            if unit == "mph":
                kph *= 1.609344
            elif unit == "knots":
                kph *= 1.852
            if kph > 0:
                speeds.append(kph)
        elif raw in table:
            speeds.append(table[raw])
        elif raw.lower() in table:
            speeds.append(table[raw.lower()])
    return sum(speeds) / len(speeds) if speeds else None


def car_speed(
    highway: object,
    maxspeed: object,
    *,
    table: Mapping[str, float],
    use_maxspeed: bool = True,
) -> tuple[float, bool]:
    """
    Return the car speed of a way and whether it was imputed.

    Parameters
    ----------
    highway
        The ``highway`` tag (a string or a list for merged osmnx edges).
    maxspeed
        The ``maxspeed`` tag, possibly missing.
    table
        Speed table in km/h (:func:`speed_table`).
    use_maxspeed
        Use the signed maxspeed when it parses.

    Returns
    -------
    tuple of (float, bool)
        Speed in km/h, and True if it came from the highway-class table (imputed).
    """
    if use_maxspeed:
        kph = parse_maxspeed(maxspeed, table)
        if kph is not None:
            return kph, False
    classes = [table[h] for h in _values(highway) if h in table]
    return (sum(classes) / len(classes) if classes else table.get("road", 30.0)), True


def mode_speed(
    mode: Mode,
    highway: object,
    maxspeed: object,
    *,
    settings: NetworkSettings,
    table: Mapping[str, float],
) -> tuple[float, bool]:
    """
    Return the speed of a mode on a way and whether it was imputed.

    Parameters
    ----------
    mode
        Travel mode.
    highway
        The ``highway`` tag.
    maxspeed
        The ``maxspeed`` tag (caps cycling speed, e.g. a woonerf at walking pace).
    settings
        Network settings with the speeds of the active modes.
    table
        Car speed table in km/h.

    Returns
    -------
    tuple of (float, bool)
        Speed in km/h, and whether it was imputed (only car speeds can be imputed).
    """
    if mode == "car":
        return car_speed(highway, maxspeed, table=table, use_maxspeed=settings.use_maxspeed_tags)
    if mode == "walk":
        return settings.walk_speed_kph[settings.age_group], False
    kph = settings.bicycle_speed_kph if mode == "bicycle" else settings.ebike_speed_kph
    cap = parse_maxspeed(maxspeed, table)
    return (min(kph, cap) if cap is not None else kph), False


def access_speed_kph(settings: NetworkSettings) -> float:
    """
    Return the speed of the straight-line access and egress legs.

    Parameters
    ----------
    settings
        Network settings.

    Returns
    -------
    float
        ``settings.access_speed_kph`` if set; otherwise the cycling speed for bicycle and
        e-bike trips and the walking speed of ``settings.age_group`` for walk and car trips.
    """
    if settings.access_speed_kph is not None:
        return settings.access_speed_kph
    if settings.mode == "bicycle":
        return settings.bicycle_speed_kph
    if settings.mode == "ebike":
        return settings.ebike_speed_kph
    return settings.walk_speed_kph[settings.age_group]


def network_classes(mode: Mode) -> Iterable[str]:
    """
    Return the highway classes a mode may use without explicit permission.

    Parameters
    ----------
    mode
        Travel mode.

    Returns
    -------
    Iterable of str
        The highway classes, sorted.
    """
    classes = {
        "car": CAR_HIGHWAYS,
        "bicycle": BICYCLE_HIGHWAYS,
        "ebike": BICYCLE_HIGHWAYS,
        "walk": WALK_HIGHWAYS,
    }
    return sorted(classes[mode])
