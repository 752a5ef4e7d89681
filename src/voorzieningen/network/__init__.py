"""Network stage: road graphs per travel mode, snapping, OD travel times, accessibility.

The only module of voorzieningen that imports osmnx. Typical use::

    G = load_network("nl_delft_drive.graphml", settings=settings)
    tt = travel_times(G, zones, sites, settings=settings)
    tt.table          # zone, site, mode, travel_time_min, distance_km (within the cutoff)
    tt.reachability   # points not snapped, on islands, zones without a site in reach
"""

from __future__ import annotations

from voorzieningen.network.load import graph_content_hash as graph_content_hash
from voorzieningen.network.load import load_network as load_network
from voorzieningen.network.od import TravelTimes as TravelTimes
from voorzieningen.network.od import clear_cache as clear_cache
from voorzieningen.network.od import shortest_path_matrix as shortest_path_matrix
from voorzieningen.network.od import travel_times as travel_times

__all__ = [
    "TravelTimes",
    "clear_cache",
    "graph_content_hash",
    "load_network",
    "shortest_path_matrix",
    "travel_times",
]
