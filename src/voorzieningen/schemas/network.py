"""Network settings of a scenario: road network or estimate, travel mode, cutoffs, snapping."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from voorzieningen.schemas.base import MAX_MINUTES, MAX_SPEED_KPH, StrictModel

Mode = Literal["car", "bicycle", "ebike", "walk"]

#: Default walking speed by age group, in km/h. Adults walk about 1.3-1.4 m/s on the level;
#: people over 65 about 1.1-1.2 m/s and people over 80 about 0.9 m/s (pedestrian studies
#: such as Bohannon 1997 and Bohannon & Andrews 2011 report comfortable gait speeds in these
#: ranges). Children aged 4-11 walk with, or like, an accompanying adult at a slower pace.
DEFAULT_WALK_SPEED_KPH: dict[str, float] = {
    "child": 4.0,
    "adult": 4.8,
    "senior": 4.0,
    "elderly": 3.2,
}


#: What to do when a scenario has no road network; named by every "no network" error.
NO_NETWORK_HELP = (
    "There are three ways forward: "
    "(1) a local road network in the data directory: an OSM extract (.osm.pbf, .osm.bz2) or "
    'an osmnx GraphML file, with network.source = "osm/<file>"; '
    "(2) recommended: the online download by place or gemeente with osmnx, e.g. "
    'network.source = "Het Hogeland, Netherlands" (needs internet once, then read from the '
    "cache directory); "
    '(3) network.method = "estimate": straight-line distance x a detour factor calibrated on '
    'real road networks, labelled "estimated" in every report.'
)

#: Calibrated detour factor (network km / straight-line km) per mode. Source:
#: ``python benchmarks/detour_calibration.py`` (median over the networks in
#: ``shared/data/osm``: Delft, Nootdorp, Heemserveen, Wageningen NWB, Wechelderzande,
#: North Bayreuth, Hoyerswerda, Liechtenstein; see benchmarks/README.md).
DEFAULT_DETOUR_FACTOR: dict[str, float] = {
    "car": 1.41,
    "bicycle": 1.28,
    "ebike": 1.28,
    "walk": 1.25,
}

#: Calibrated effective door-to-door speed (network km per hour of travel, access legs
#: included) per mode, from the same benchmark: median over networks of trips under 10 km
#: straight. Car trips under 1 km average 30 km/h, 3-10 km 54 km/h (same benchmark), so short
#: car times are optimistic. Bicycle, e-bike and walking speeds are the product's cruising
#: speeds (NetworkSettings), which the networks reproduce. Walking is for adults; other age
#: groups scale it by their ``walk_speed_kph``.
DEFAULT_EFFECTIVE_SPEED_KPH: dict[str, float] = {
    "car": 41.0,
    "bicycle": 15.0,
    "ebike": 20.0,
    "walk": 4.8,
}

#: Calibrated density of the settled part of a zone, in residents per km², from the
#: residential roads of Delft (6,992) and Nootdorp (3,106), median of the two: 5,049
#: (same benchmark). An assumption for villages, whose houses stand less densely.
DEFAULT_SETTLED_DENSITY_PER_KM2 = 5050.0


#: Largest network detour factor (dimensionless; 10 = a road ten times the straight line).
MAX_DETOUR = 10.0


class EstimateSettings(StrictModel):
    """Estimated travel times: straight-line distance x detour factor, at an effective speed.

    Used only with ``network.method = "estimate"``; every report then says "estimated". The
    defaults are calibrated on real road networks by ``benchmarks/detour_calibration.py``
    (Dutch: Delft and Nootdorp osmnx GraphML, Heemserveen OSM, Wageningen NWB; rural
    non-Dutch: Wechelderzande, North Bayreuth, Hoyerswerda, Liechtenstein), never on the CBS
    proximity figures, which ``benchmarks/cbs_proximity.py`` uses as a test set.
    """

    detour_factor: dict[Mode, float] = Field(
        default_factory=lambda: dict(DEFAULT_DETOUR_FACTOR)  # type: ignore[arg-type]
    )
    """Network distance / straight-line distance per mode (dimensionless, >= 1)."""

    speed_kph: dict[Mode, float] = Field(
        default_factory=lambda: dict(DEFAULT_EFFECTIVE_SPEED_KPH)  # type: ignore[arg-type]
    )
    """Effective door-to-door speed per mode in km/h over the network distance (access legs,
    junctions and speed limits included)."""

    spread: Literal["settlement", "centroid"] = "settlement"
    """Where a zone's residents live: ``"settlement"``, uniformly over a disk around the zone
    centroid whose area is population / ``settled_density_per_km2`` (capped by the zone's
    area, clipped to its polygon when given), and a zone's time to a site is the mean over
    those residents; ``"centroid"``, everyone at the centroid."""

    settled_density_per_km2: float = Field(default=DEFAULT_SETTLED_DENSITY_PER_KM2, gt=0, le=1e5)
    """Residents per km² of the settled part of a zone (sets the settlement disk's radius)."""

    spread_points: int = Field(default=32, ge=1, le=1024)
    """Number of resident points per zone on the settlement disk (a sunflower pattern)."""

    @model_validator(mode="after")
    def _check_modes(self) -> EstimateSettings:
        modes = ("car", "bicycle", "ebike", "walk")
        for name, table in (("detour_factor", self.detour_factor), ("speed_kph", self.speed_kph)):
            missing = [m for m in modes if m not in table]
            if missing:
                msg = f"network.estimate.{name} lacks modes {missing}; give a value for each"
                raise ValueError(msg)
        low = {m: f for m, f in self.detour_factor.items() if not 1.0 <= f <= MAX_DETOUR}
        if low:
            msg = (
                f"network.estimate.detour_factor must be at least 1 (a road is never shorter "
                f"than the straight line) and at most {MAX_DETOUR:g}; got {low}"
            )
            raise ValueError(msg)
        slow = {m: v for m, v in self.speed_kph.items() if not 0 < v <= MAX_SPEED_KPH}
        if slow:
            msg = (
                f"network.estimate.speed_kph must be positive (km/h) and at most "
                f"{MAX_SPEED_KPH:g}; got {slow}"
            )
            raise ValueError(msg)
        return self


class NetworkSettings(StrictModel):
    """Where the road network comes from and how travel times are computed on it."""

    method: Literal["road", "estimate"] = "road"
    """``"road"``: shortest paths on a road network (``source``); ``"estimate"``:
    straight-line distance x a calibrated detour factor at a calibrated speed
    (``estimate``), stated as "estimated" in every report. Never chosen silently."""

    source: str | None = None
    """Road network (required with ``method = "road"``): a file in the data directory
    (.osm, .osm.bz2, .osm.pbf or .graphml, relative to the data directory), or a place name
    such as ``"Delft, Netherlands"`` that is downloaded with osmnx when online and cached on
    disk."""

    estimate: EstimateSettings = Field(default_factory=EstimateSettings)
    """Settings of ``method = "estimate"``."""

    mode: Mode = "car"
    """Travel mode used for accessibility (home -> facility)."""

    cutoff_min: float = Field(default=60.0, gt=0, le=MAX_MINUTES)
    """Pairs (zone, site) slower than this, in minutes, are dropped from the travel-time table."""

    max_snap_m: float = Field(default=1000.0, gt=0, le=1e5)
    """Points farther than this from the road network, in metres, are reported, not snapped."""

    demand_points: Literal["centroid", "network"] = "centroid"
    """Where a zone's people live for travel times: ``"centroid"``, the zone's centroid;
    ``"network"``, the zone's population spread over residential road nodes near it
    (weighted by residential road length), and each (zone, site) time is the
    population-weighted mean over those points."""

    min_reached_share: float = Field(default=0.95, gt=0, le=1)
    """With ``demand_points = "network"``: a site counts as within the cutoff for a zone when
    points holding at least this share of the zone's population reach it."""

    age_group: str = "adult"
    """Age group whose walking speed is used (a key of ``walk_speed_kph``). Only matters for
    ``mode="walk"`` and for the walked access and egress legs of a car trip."""

    walk_speed_kph: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WALK_SPEED_KPH))
    """Walking speed in km/h by age group (defaults: child 4.0, adult 4.8, senior (65-79)
    4.0, elderly (80+) 3.2)."""

    bicycle_speed_kph: float = Field(default=15.0, gt=0, le=MAX_SPEED_KPH)
    """Cruising speed of an ordinary bicycle in km/h (Dutch utility cycling averages 15-16 km/h,
    including stops). Capped by a lower signed maxspeed (e.g. a woonerf at walking pace)."""

    ebike_speed_kph: float = Field(default=20.0, gt=0, le=MAX_SPEED_KPH)
    """Cruising speed of an e-bike (pedal assistance up to 25 km/h) in km/h."""

    car_speed_kph: dict[str, float] = Field(default_factory=dict)
    """Overrides of the Dutch car speed table (``defaults/speeds_nl.csv``) by OSM ``highway``
    class or by implicit maxspeed code, in km/h, e.g. ``{"residential": 25, "NL:rural": 70}``.
    Used for edges whose speed is imputed and for implicit maxspeed codes."""

    use_maxspeed_tags: bool = True
    """Use the signed ``maxspeed`` of an edge for cars when it can be parsed; when False, every
    car speed comes from the highway-class table."""

    access_speed_kph: float | None = Field(default=None, gt=0, le=MAX_SPEED_KPH)
    """Speed in km/h of the off-network access leg (point -> snap position) and egress leg
    (snap position -> point), which are straight lines. ``None`` means: the walking speed of
    ``age_group`` for walk and car trips (the car is parked on the street), the cycling speed
    for bicycle and e-bike trips."""

    snap_to_largest_component: bool = True
    """Snap points only to edges of the largest (weakly) connected component of the graph.
    Points whose nearest road lies on a smaller, disconnected component (an island) are
    reported as ``island`` and snapped to the main network if it lies within ``max_snap_m``.
    One-way traps inside the main network show up as unreachable pairs instead."""

    @model_validator(mode="after")
    def _check_age_group(self) -> NetworkSettings:
        if self.method == "road" and not self.source:
            msg = f'network.source is missing and network.method is "road". {NO_NETWORK_HELP}'
            raise ValueError(msg)
        if self.age_group not in self.walk_speed_kph:
            known = ", ".join(sorted(self.walk_speed_kph))
            msg = (
                f"network.age_group {self.age_group!r} has no walking speed; use one of "
                f"{known} or add it to network.walk_speed_kph"
            )
            raise ValueError(msg)
        bad = {k: v for k, v in self.walk_speed_kph.items() if not 0 < v <= MAX_SPEED_KPH}
        bad.update({k: v for k, v in self.car_speed_kph.items() if not 0 < v <= MAX_SPEED_KPH})
        if bad:
            msg = f"speeds must be positive (km/h) and at most {MAX_SPEED_KPH:g}; got {bad}"
            raise ValueError(msg)
        return self
