"""The ``network`` verb: a region's road network, its travel times and reachability report.

Built from the run's own stages (:mod:`voorzieningen.api`), without solving anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from voorzieningen import api
from voorzieningen.context import resolve_context
from voorzieningen.network import TravelTimes
from voorzieningen.schemas.scenario import Scenario


@dataclass(frozen=True)
class NetworkReport:
    """A region's road network and how well zones and sites sit on it.

    Attributes
    ----------
    nodes, edges
        Size of the mode's graph.
    speed_imputed_share
        Share of edges whose speed came from the highway-class table (0-1).
    travel
        Travel times and the reachability report.
    """

    nodes: int
    edges: int
    speed_imputed_share: float
    travel: TravelTimes


def inspect_network(
    scenario: Scenario | Path | str,
    *,
    data_dir: Path | str | None = None,
    name: str = "base",
    sets: list[str] | None = None,
    cache_dir: Path | str | None = None,
) -> NetworkReport:
    """
    Build a scenario's network and compute its travel times and reachability report.

    Parameters
    ----------
    scenario
        A :class:`Scenario`, or the path of a scenario file.
    data_dir, name, sets, cache_dir
        As for :func:`voorzieningen.api.run_scenario`.

    Returns
    -------
    NetworkReport
        Graph size, imputed-speed share, travel times and reachability.
    """
    scenario, context = resolve_context(
        scenario, data_dir=data_dir, name=name, sets=sets, region_dir=None, cache_dir=cache_dir
    )
    inputs = api.load_inputs(scenario, context)
    graph = api.load_scenario_network(scenario, context)
    population = None
    if scenario.network.demand_points == "network":
        population = api.zone_population(scenario, api.compute_demand(scenario, inputs, context))
    travel = api.compute_travel_times(scenario, inputs, context, graph=graph, population=population)
    return NetworkReport(
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        speed_imputed_share=travel.speed_imputed_share,
        travel=travel,
    )
