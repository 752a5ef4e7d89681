"""Network stage: road graphs per travel mode, snapping, OD travel times, accessibility.

The only module of voorzieningen that imports osmnx. Typical use::

    G = load_network("nl_delft_drive.graphml", settings=settings)
    tt = travel_times(G, zones, sites, settings=settings)
    tt.table          # zone, site, mode, travel_time_min, distance_km (within the cutoff)
    tt.reachability   # points not snapped, on islands, zones without a site in reach
"""

from __future__ import annotations

from voorzieningen.network.access import E2SFCA_BANDS_30MIN as E2SFCA_BANDS_30MIN
from voorzieningen.network.access import gravity_access as gravity_access
from voorzieningen.network.access import nearest_facility as nearest_facility
from voorzieningen.network.access import share_within as share_within
from voorzieningen.network.access import step_bands as step_bands
from voorzieningen.network.access import two_step_fca as two_step_fca
from voorzieningen.network.facilities import FACILITY_TAGS as FACILITY_TAGS
from voorzieningen.network.facilities import facilities_from_osm as facilities_from_osm
from voorzieningen.network.facilities import facilities_from_polygon as facilities_from_polygon
from voorzieningen.network.load import graph_content_hash as graph_content_hash
from voorzieningen.network.load import load_network as load_network
from voorzieningen.network.od import TravelTimes as TravelTimes
from voorzieningen.network.od import clear_cache as clear_cache
from voorzieningen.network.od import shortest_path_matrix as shortest_path_matrix
from voorzieningen.network.od import travel_times as travel_times
from voorzieningen.network.zones import disaggregate_zones as disaggregate_zones

__all__ = [
    "E2SFCA_BANDS_30MIN",
    "FACILITY_TAGS",
    "TravelTimes",
    "clear_cache",
    "disaggregate_zones",
    "facilities_from_osm",
    "facilities_from_polygon",
    "graph_content_hash",
    "gravity_access",
    "load_network",
    "nearest_facility",
    "share_within",
    "shortest_path_matrix",
    "step_bands",
    "travel_times",
    "two_step_fca",
]
