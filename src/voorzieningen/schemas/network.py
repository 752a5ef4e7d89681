"""Network settings of a scenario: road-network source, travel mode, cutoffs, snapping."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from voorzieningen.schemas.base import StrictModel

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


class NetworkSettings(StrictModel):
    """Where the road network comes from and how travel times are computed on it."""

    source: str
    """Road network: a file in the data directory (.osm, .osm.bz2, .osm.pbf or .graphml,
    relative to the data directory), or a place name such as ``"Delft, Netherlands"`` that
    is downloaded with osmnx when online and cached on disk."""

    mode: Mode = "car"
    """Travel mode used for accessibility (home -> facility)."""

    cutoff_min: float = Field(default=60.0, gt=0)
    """Pairs (zone, site) slower than this, in minutes, are dropped from the travel-time table."""

    max_snap_m: float = Field(default=1000.0, gt=0)
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

    bicycle_speed_kph: float = Field(default=15.0, gt=0)
    """Cruising speed of an ordinary bicycle in km/h (Dutch utility cycling averages 15-16 km/h,
    including stops). Capped by a lower signed maxspeed (e.g. a woonerf at walking pace)."""

    ebike_speed_kph: float = Field(default=20.0, gt=0)
    """Cruising speed of an e-bike (pedal assistance up to 25 km/h) in km/h."""

    car_speed_kph: dict[str, float] = Field(default_factory=dict)
    """Overrides of the Dutch car speed table (``defaults/speeds_nl.csv``) by OSM ``highway``
    class or by implicit maxspeed code, in km/h, e.g. ``{"residential": 25, "NL:rural": 70}``.
    Used for edges whose speed is imputed and for implicit maxspeed codes."""

    use_maxspeed_tags: bool = True
    """Use the signed ``maxspeed`` of an edge for cars when it can be parsed; when False, every
    car speed comes from the highway-class table."""

    access_speed_kph: float | None = Field(default=None, gt=0)
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
        if self.age_group not in self.walk_speed_kph:
            known = ", ".join(sorted(self.walk_speed_kph))
            msg = (
                f"network.age_group {self.age_group!r} has no walking speed; use one of "
                f"{known} or add it to network.walk_speed_kph"
            )
            raise ValueError(msg)
        bad = {k: v for k, v in self.walk_speed_kph.items() if not v > 0}
        bad.update({k: v for k, v in self.car_speed_kph.items() if not v > 0})
        if bad:
            msg = f"speeds must be positive (km/h); got {bad}"
            raise ValueError(msg)
        return self
