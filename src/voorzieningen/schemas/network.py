"""Network settings of a scenario: road-network source, travel mode, cutoffs, snapping."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from voorzieningen.schemas.base import StrictModel

Mode = Literal["car", "bicycle", "ebike", "walk"]


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
