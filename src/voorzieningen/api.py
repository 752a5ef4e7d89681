"""The Python API: the only module that wires the stages together.

Each stage is also callable on its own (``voorzieningen.inputs``, ``.network``, ``.demand``,
``.model``, ``.solve``, ``.results``, ``.report``); :func:`run_scenario` runs them in order::

    import voorzieningen as vz
    scenario = vz.load_scenario("inputs/delft/scenarios.toml", name="krap")
    results = vz.run_scenario(scenario, data_dir="../shared/data")
    vz.write_report(results, "results/delft/krap")
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from voorzieningen import tables as T
from voorzieningen.demand import DemandResult, build_demand
from voorzieningen.errors import InputDataError, NetworkError
from voorzieningen.inputs import InputData, file_sha256, load_sites, load_zones, resolve_path
from voorzieningen.model.build import build_model
from voorzieningen.model.data import ModelData, build_model_data
from voorzieningen.network import TravelTimes, load_network, travel_times
from voorzieningen.report import write_report
from voorzieningen.results import Results, extract_results
from voorzieningen.scenarios import load_scenario
from voorzieningen.schemas.scenario import Scenario
from voorzieningen.solve import solve_model
from voorzieningen.verify import verify_plan

DATA_DIR_ENV = "VOORZIENINGEN_DATA_DIR"

#: A progress callback: called with a step name when the step starts.
Progress = Callable[[str], None]

PACKAGES = (
    "voorzieningen",
    "pyomo",
    "highspy",
    "pandas",
    "numpy",
    "networkx",
    "osmnx",
    "scipy",
    "pydantic",
    "geopandas",
    "shapely",
)


@dataclass(frozen=True)
class RunContext:
    """Where a run reads from.

    Attributes
    ----------
    data_dir
        The data directory (CBS, DUO and OSM files).
    region_dir
        The region folder (scenario file, portfolio).
    scenario_file
        The scenario file, if the scenario came from one.
    cache_dir
        On-disk cache of networks and travel times, or None.
    """

    data_dir: Path
    region_dir: Path
    scenario_file: Path | None = None
    cache_dir: Path | None = None


def resolve_data_dir(data_dir: Path | str | None) -> Path:
    """
    Return the data directory: the argument, else ``$VOORZIENINGEN_DATA_DIR``.

    Parameters
    ----------
    data_dir
        The directory given by the user, or None.

    Returns
    -------
    pathlib.Path
        The resolved directory.

    Raises
    ------
    InputDataError
        If none is given or it does not exist.
    """
    chosen = data_dir if data_dir is not None else os.environ.get(DATA_DIR_ENV)
    if not chosen:
        msg = (
            "No data directory given: pass --data-dir (Python: data_dir=...) or set "
            f"{DATA_DIR_ENV} to the folder holding cbs/ and osm/."
        )
        raise InputDataError(msg)
    path = Path(chosen).expanduser().resolve()
    if not path.is_dir():
        msg = f"({path}) | the data directory does not exist; check --data-dir or {DATA_DIR_ENV}."
        raise InputDataError(msg)
    return path


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
    if scenario.zones.source == "cbs_pc4":
        files["pc4_centroids"] = resolve_path(
            context.data_dir, scenario.zones.centroids_file, what="zones"
        )
    elif scenario.zones.zones_file:
        files["zones"] = resolve_path(context.region_dir, scenario.zones.zones_file, what="zones")
    return InputData(zones=zones, sites=sites, files=files)


def network_source(scenario: Scenario, context: RunContext) -> Path | str:
    """
    Resolve the scenario's road-network source: a file in the data directory or a place.

    Parameters
    ----------
    scenario
        The scenario.
    context
        Where to read from.

    Returns
    -------
    pathlib.Path or str
        The file (which must exist), or the place name to download.

    Raises
    ------
    InputDataError
        If the source looks like a file name but the file does not exist.
    """
    source = scenario.network.source
    suffixes = (".osm", ".osm.bz2", ".osm.pbf", ".pbf", ".graphml", ".xml", ".bz2")
    if source.lower().endswith(suffixes):
        path = resolve_path(context.data_dir, source, what="network.source")
        if not path.is_file():
            msg = (
                f"(network.source) | road network file {path} not found; give a path relative "
                "to the data directory (e.g. osm/nl_delft_drive.graphml)."
            )
            raise InputDataError(msg)
        return path
    return source


def compute_travel_times(scenario: Scenario, inputs: InputData, context: RunContext) -> TravelTimes:
    """
    Load the road network and compute zone -> site travel times.

    Parameters
    ----------
    scenario
        The scenario.
    inputs
        Zones and sites.
    context
        Where to read from.

    Returns
    -------
    TravelTimes
        Long table of (zone, site) travel times within the cutoff, and the reachability
        report.
    """
    graph = load_network(
        network_source(scenario, context), settings=scenario.network, cache_dir=context.cache_dir
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
    scenario: Scenario, inputs: InputData, demand: pd.DataFrame, travel: pd.DataFrame
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
        options=scenario.model,
        capex_total_eur=scenario.budget.capex_total_eur,
        capex_per_period_eur=scenario.budget.capex_per_period_eur,
        sale_proceeds_fund_capex=scenario.budget.sale_proceeds_fund_capex,
    )


def package_versions() -> dict[str, str]:
    """
    Return the versions of Python and the packages a run depends on.

    Returns
    -------
    dict
        Package name to version (``"missing"`` if not installed).
    """
    versions = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "missing"
    return versions


@contextmanager
def _step(progress: Progress | None, name: str, timings: dict[str, float]) -> Iterator[None]:
    if progress is not None:
        progress(name)
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start


def run_scenario(
    scenario: Scenario | Path | str,
    *,
    data_dir: Path | str | None = None,
    name: str = "base",
    sets: list[str] | None = None,
    region_dir: Path | str | None = None,
    cache_dir: Path | str | None = None,
    progress: Progress | None = None,
) -> Results:
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
    Results
        The verified plan and its tables, with provenance in ``meta``.
    """
    scenario_file: Path | None = None
    if not isinstance(scenario, Scenario):
        scenario_file = Path(scenario).resolve()
        scenario = load_scenario(scenario_file, name=name, sets=sets)
    if region_dir is None:
        region_dir = scenario_file.parent if scenario_file else Path("inputs") / scenario.region
    context = RunContext(
        data_dir=resolve_data_dir(data_dir),
        region_dir=Path(region_dir).resolve(),
        scenario_file=scenario_file,
        cache_dir=Path(cache_dir).resolve() if cache_dir else None,
    )
    timings: dict[str, float] = {}
    with _step(progress, "inputs", timings):
        inputs = load_inputs(scenario, context)
    with _step(progress, "travel times", timings):
        travel = compute_travel_times(scenario, inputs, context)
    with _step(progress, "demand", timings):
        demand = compute_demand(scenario, inputs, context)
    with _step(progress, "model data", timings):
        data = make_model_data(scenario, inputs, demand.demand, travel.table)
    if data.pairs.empty:
        msg = (
            f"(network) | no (zone, site) pair is within {scenario.network.cutoff_min:g} min by "
            f"{scenario.network.mode}; raise network.cutoff_min or check the coordinates."
        )
        raise NetworkError(msg)
    with _step(progress, "build model", timings):
        model = build_model(data)
    with _step(progress, "solve", timings):
        outcome = solve_model(model, scenario.solver)
    files = dict(inputs.files)
    if isinstance(src := network_source(scenario, context), Path):
        files["network"] = src
    demand_file = context.data_dir / scenario.demand.population_source
    if demand_file.is_file():
        files["population"] = demand_file
    if scenario_file is not None:
        files["scenario"] = scenario_file
    meta: dict[str, Any] = {
        "scenario": scenario.name,
        "region": scenario.region,
        "settings": scenario.model_dump(mode="json"),
        "inputs": {
            role: {"path": str(path), "sha256": file_sha256(path)} for role, path in files.items()
        },
        "versions": package_versions(),
        "timings_s": timings,
        "solver": {
            "status": outcome.status,
            "termination": outcome.termination,
            "objective": outcome.objective,
            "bound": outcome.bound,
            "gap": outcome.gap,
            "runtime_s": outcome.runtime_s,
            "name": outcome.solver,
        },
    }
    with _step(progress, "verify", timings):
        results = extract_results(model, data, outcome, meta=meta, build_s=timings["build model"])
        verify_plan(results.plan, data, objective_value=outcome.objective)
    return replace(
        results,
        travel_times=travel.table,
        reachability=travel.reachability,
        zone_points=inputs.zones,
    )


__all__ = [
    "RunContext",
    "compute_demand",
    "compute_travel_times",
    "load_inputs",
    "load_scenario",
    "make_model_data",
    "package_versions",
    "resolve_data_dir",
    "run_scenario",
    "write_report",
]
