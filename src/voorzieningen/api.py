"""The Python API: the only module that wires the stages together, and wiring is all it does.

Each stage is also callable on its own (``voorzieningen.inputs``, ``.network``, ``.demand``,
``.model``, ``.solve``, ``.results``, ``.report``); :func:`run_scenario` runs them in order
and returns one frozen :class:`~voorzieningen.record.Run`::

    import voorzieningen as vz
    scenario = vz.load_scenario("inputs/delft/scenarios.toml", name="krap")
    run = vz.run_scenario(scenario, data_dir="../shared/data")
    vz.write_report(run, "results/delft/krap")

Sweeps over scenarios and Pareto fronts over budgets are in :mod:`voorzieningen.sweep`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from voorzieningen import tables as T
from voorzieningen.context import (
    RunContext,
    load_scenario_network,
    network_source,
    resolve_context,
)
from voorzieningen.demand import DemandResult, build_demand
from voorzieningen.errors import InputDataError, NetworkError
from voorzieningen.inputs import InputData, load_sites, load_zones
from voorzieningen.limits import load_closure_norms
from voorzieningen.model.build import build_model
from voorzieningen.model.data import ModelData, build_model_data
from voorzieningen.network import TravelTimes, travel_times
from voorzieningen.network.estimate import estimated_travel_times, resident_points
from voorzieningen.network.points import (
    check_coverage,
    resident_table,
    travel_times_from_points,
)
from voorzieningen.provenance import input_files, make_provenance
from voorzieningen.record import PreparedRun, Run
from voorzieningen.results import extract_results
from voorzieningen.schemas.scenario import Scenario
from voorzieningen.solve import SolveOutcome, solve_model
from voorzieningen.verify import verify_plan

#: A progress callback: called with a step name when the step starts.
Progress = Callable[[str], None]


def load_inputs(scenario: Scenario, context: RunContext) -> InputData:
    """
    Load and validate the region's zones and sites.

    Parameters
    ----------
    scenario
        The scenario.
    context
        Where to read from.

    Returns
    -------
    InputData
        Zones, sites and the files read.
    """
    zones = load_zones(context.data_dir, context.region_dir, scenario.zones)
    gemeenten = scenario.zones.gemeenten or sorted(zones[T.GEMEENTE].unique())
    sites, files = load_sites(context.data_dir, context.region_dir, gemeenten, scenario.facilities)
    return InputData(zones=zones, sites=sites, files=files)


def compute_travel_times(
    scenario: Scenario,
    inputs: InputData,
    context: RunContext,
    *,
    graph: Any = None,
    population: pd.Series | None = None,
) -> TravelTimes:
    """
    Compute zone -> site travel times on the scenario's road network.

    Parameters
    ----------
    scenario
        The scenario.
    inputs
        Zones and sites.
    context
        Where to read from.
    graph
        The network, if already loaded (:func:`load_scenario_network`).
    population
        Persons per zone; needed when ``network.demand_points = "network"``.

    Returns
    -------
    TravelTimes
        Long table of (zone, site) travel times within the cutoff, and the reachability
        report.
    """
    if scenario.network.method == "estimate":
        zones = inputs.zones[[T.LON, T.LAT]]
        if population is not None:
            zones = zones.assign(**{T.POPULATION_PERSONS: population.reindex(zones.index)})
        sites = inputs.sites[[T.LON, T.LAT]]
        travel = estimated_travel_times(zones, sites, settings=scenario.network)
        fine = estimated_travel_times(zones, sites, settings=scenario.network, aggregate=False)
        points = resident_points(zones, settings=scenario.network)
        return replace(travel, residents=resident_table(fine.table, points))
    if graph is None:
        graph = load_scenario_network(scenario, context)
    if scenario.network.demand_points == "network":
        if population is None:
            msg = "(network.demand_points) | 'network' needs the zones' population"
            raise InputDataError(msg)
        return travel_times_from_points(
            graph,
            inputs.zones,
            inputs.sites,
            population,
            settings=scenario.network,
            cache_dir=context.cache_dir,
        )
    return travel_times(
        graph,
        inputs.zones[[T.LON, T.LAT]],
        inputs.sites[[T.LON, T.LAT]],
        settings=scenario.network,
        cache_dir=context.cache_dir,
    )


def compute_demand(scenario: Scenario, inputs: InputData, context: RunContext) -> DemandResult:
    """
    Project the population and derive demand per service.

    Parameters
    ----------
    scenario
        The scenario.
    inputs
        Zones.
    context
        Where to read from.

    Returns
    -------
    DemandResult
        Population by (zone, period, age_band) and demand by (zone, period, service).
    """
    return build_demand(
        context.data_dir, inputs.zones, periods=scenario.periods, settings=scenario.demand
    )


def make_model_data(
    scenario: Scenario,
    inputs: InputData,
    demand: pd.DataFrame,
    travel: pd.DataFrame,
    *,
    closure_norms: pd.DataFrame | None = None,
) -> ModelData:
    """
    Assemble the model's data from the stages' tables.

    Parameters
    ----------
    scenario
        The scenario.
    inputs
        Zones and sites.
    demand
        ``demand_persons`` by (zone, period, service).
    travel
        Travel-time table (zone, site, travel_time_min, distance_km).
    closure_norms
        School closure norm (pupils) per gemeente (:func:`voorzieningen.limits.load_closure_norms`);
        None: the national norm.

    Returns
    -------
    ModelData
        Sets and parameters.
    """
    return build_model_data(
        zones=inputs.zones,
        sites=inputs.sites,
        demand=demand,
        travel_times=travel,
        periods=scenario.periods,
        period_years=scenario.period_years(),
        costs=scenario.costs,
        norms=scenario.norms,
        model_settings=scenario.model,
        budgets=scenario.budget,
        closure_norms=closure_norms,
    )


@contextmanager
def step(progress: Progress | None, name: str, timings: dict[str, float]) -> Iterator[None]:
    """Report a step to ``progress`` and record its time (seconds) in ``timings``."""
    if progress is not None:
        progress(name)
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start


def zone_population(scenario: Scenario, demand: DemandResult) -> pd.Series:
    """Persons per zone in the first planning period."""
    first = demand.population.xs(scenario.periods[0], level=T.PERIOD)
    return first[T.POPULATION_PERSONS].groupby(level=T.ZONE).sum()


def prepare_run(
    scenario: Scenario, context: RunContext, *, progress: Progress | None = None
) -> PreparedRun:
    """
    Run every stage before the model: inputs, travel times, demand, model data.

    Parameters
    ----------
    scenario
        The scenario.
    context
        Where to read from.
    progress
        Called with each step's name as it starts.

    Returns
    -------
    PreparedRun
        The stages' outputs.

    Raises
    ------
    NetworkError
        If no zone reaches any site within the cutoff.
    """
    timings: dict[str, float] = {}
    with step(progress, "inputs", timings):
        inputs = load_inputs(scenario, context)
    with step(progress, "demand", timings):
        demand = compute_demand(scenario, inputs, context)
    with step(progress, "travel times", timings):
        population = zone_population(scenario, demand)
        travel = compute_travel_times(scenario, inputs, context, population=population)
    check_coverage(travel, inputs.zones, scenario.network)
    with step(progress, "model data", timings):
        norms = load_closure_norms(
            context.region_dir,
            scenario.norms.school_closure,
            sorted(inputs.zones[T.GEMEENTE].astype(str).unique()),
        )
        data = make_model_data(scenario, inputs, demand.demand, travel.table, closure_norms=norms)
    if data.pairs.empty:
        msg = (
            f"(network) | no (zone, site) pair is within {scenario.network.cutoff_min:g} min by "
            f"{scenario.network.mode}; raise network.cutoff_min or check the coordinates."
        )
        raise NetworkError(msg)
    files = {**inputs.files, **input_files(scenario, context)}
    return PreparedRun(scenario, context, inputs, travel, demand, data, timings, files, norms)


def finish_run(
    prepared: PreparedRun,
    model: Any,
    outcome: SolveOutcome,
    *,
    budget_eur: float | None = None,
) -> Run:
    """
    Extract and verify a solved model's plan and record the run.

    Parameters
    ----------
    prepared
        The stages before the model.
    model
        The solved model.
    outcome
        What the solver reported.
    budget_eur
        The budget level of a Pareto point, € (None for a single run).

    Returns
    -------
    Run
        Frozen and complete.

    Raises
    ------
    VerificationError
        If the plan breaks a constraint or its objective does not match.
    """
    results = extract_results(
        model,
        prepared.data,
        outcome,
        scenario_name=prepared.scenario.name,
        build_s=prepared.timings.get("build model", 0.0),
        residents=prepared.travel.residents,
        travel_time_source=str(prepared.travel.meta.get(T.TRAVEL_TIME_SOURCE, "")),
    )
    verify_plan(
        results.plan,
        prepared.data,
        objective_value=outcome.objective,
        sites=prepared.inputs.sites,
        travel_times=prepared.travel.table,
        demand=prepared.demand.demand,
        closure_norms=prepared.closure_norms,
    )
    provenance = make_provenance(
        prepared.scenario,
        prepared.context,
        prepared.files,
        prepared.timings,
        outcome,
        budget_eur=budget_eur,
    )
    return Run(
        scenario=prepared.scenario,
        context=prepared.context,
        inputs=prepared.inputs,
        travel=prepared.travel,
        demand=prepared.demand,
        data=prepared.data,
        outcome=outcome,
        results=results,
        provenance=provenance,
    )


def run_scenario(
    scenario: Scenario | Path | str,
    *,
    data_dir: Path | str | None = None,
    name: str = "base",
    sets: list[str] | None = None,
    region_dir: Path | str | None = None,
    cache_dir: Path | str | None = None,
    progress: Progress | None = None,
) -> Run:
    """
    Run one scenario end to end: inputs, travel times, demand, model, solve, verify.

    Parameters
    ----------
    scenario
        A :class:`Scenario`, or the path of a scenario file.
    data_dir
        The data directory; defaults to ``$VOORZIENINGEN_DATA_DIR``.
    name
        Scenario name in the file (when ``scenario`` is a path).
    sets
        ``key=value`` settings with the highest precedence (when ``scenario`` is a path).
    region_dir
        The region folder; defaults to the scenario file's folder, else ``inputs/<region>``.
    cache_dir
        On-disk cache for networks and travel times.
    progress
        Called with each step's name as it starts.

    Returns
    -------
    Run
        The verified plan, every stage's output and the provenance, frozen.
    """
    scenario, context = resolve_context(
        scenario,
        data_dir=data_dir,
        name=name,
        sets=sets,
        region_dir=region_dir,
        cache_dir=cache_dir,
    )
    prepared = prepare_run(scenario, context, progress=progress)
    with step(progress, "build model", prepared.timings):
        model, objective_scale = build_model(prepared.data)
    with step(progress, "solve", prepared.timings):
        outcome = solve_model(model, scenario.solver, objective_scale=objective_scale)
    with step(progress, "verify", prepared.timings):
        return finish_run(prepared, model, outcome)


__all__ = [
    "compute_demand",
    "compute_travel_times",
    "finish_run",
    "load_inputs",
    "load_scenario_network",
    "make_model_data",
    "network_source",
    "prepare_run",
    "run_scenario",
    "step",
    "zone_population",
]
