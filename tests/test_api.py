"""The Python API stage by stage: demand points finer than PC4 feed the model's travel times."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voorzieningen import api
from voorzieningen.context import RunContext
from voorzieningen.errors import InputDataError
from voorzieningen.network import disaggregate_zones, travel_times
from voorzieningen.scenarios import load_scenario

REPO = Path(__file__).resolve().parents[1]
DELFT = REPO / "inputs" / "delft" / "scenarios.toml"


def test_network_demand_points_average_over_residential_points(data_dir):
    scenario = load_scenario(DELFT, sets=['network.demand_points="network"'])
    context = RunContext(data_dir=data_dir, region_dir=DELFT.parent)
    inputs = api.load_inputs(scenario, context)
    demand = api.compute_demand(scenario, inputs, context)
    population = (
        demand.population.xs(2025, level="period")["population_persons"].groupby(level="zone").sum()
    )
    graph = api.load_scenario_network(scenario, context)
    coarse = api.compute_travel_times(scenario, inputs, context, graph=graph, population=population)

    # Recompute one zone by hand from the fine points.
    zones = inputs.zones[["lon", "lat"]].assign(population_persons=population)
    points = disaggregate_zones(graph, zones)
    assert set(points["zone"]) == set(inputs.zones.index)
    assert np.allclose(points.groupby("zone")["weight"].sum(), 1.0)
    origins = points.set_index("point")[["lon", "lat"]].rename_axis("zone")
    fine = travel_times(
        graph, origins, inputs.sites[["lon", "lat"]], settings=scenario.network
    ).table
    zone, site = "2624", "duo-13QZ00"
    here = fine.merge(points[["point", "weight"]], left_on="zone", right_on="point")
    here = here[here["point"].str.startswith(f"{zone}#") & (here["site"] == site)]
    expected = float((here["weight"] * here["travel_time_min"]).sum() / here["weight"].sum())
    got = coarse.table.set_index(["zone", "site"]).loc[(zone, site), "travel_time_min"]
    assert got == pytest.approx(expected)
    # and it is not simply the centroid's time
    plain = load_scenario(DELFT, sets=['network.demand_points="centroid"'])
    centroid = api.compute_travel_times(plain, inputs, context, graph=graph).table
    assert centroid.set_index(["zone", "site"]).loc[
        (zone, site), "travel_time_min"
    ] != pytest.approx(got)


def test_network_demand_points_need_population(data_dir):
    scenario = load_scenario(DELFT, sets=['network.demand_points="network"'])
    context = RunContext(data_dir=data_dir, region_dir=DELFT.parent)
    inputs = api.load_inputs(scenario, context)
    with pytest.raises(InputDataError, match="needs the zones' population"):
        api.compute_travel_times(scenario, inputs, context)
