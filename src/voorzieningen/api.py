"""The Python API: the only module that wires the stages together.

Each stage is also callable on its own (``voorzieningen.inputs``, ``.network``, ``.demand``,
``.model``, ``.solve``, ``.results``, ``.report``); :func:`run_scenario` runs them in order::

    import voorzieningen as vz
    scenario = vz.load_scenario("inputs/delft/scenarios.toml", name="krap")
    results = vz.run_scenario(scenario, data_dir="../shared/data")
    vz.write_report(results, "results/delft/krap")
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from voorzieningen import compare, maps
from voorzieningen import tables as T
from voorzieningen.compare import compare_results, write_difference_map
from voorzieningen.demand import DemandResult, build_demand
from voorzieningen.errors import InputDataError, NetworkError, ScenarioError, VoorzieningenWarning
from voorzieningen.inputs import InputData, file_sha256, load_sites, load_zones, resolve_path
from voorzieningen.maps import read_points
from voorzieningen.model.build import build_model, set_total_budget
from voorzieningen.model.data import ModelData, build_model_data
from voorzieningen.network import TravelTimes, disaggregate_zones, load_network, travel_times
from voorzieningen.network.estimate import estimated_travel_times
from voorzieningen.region import Region
from voorzieningen.region import create_region as _create_region
from voorzieningen.report import read_table, write_csv, write_pareto, write_report
from voorzieningen.results import Results, extract_results
from voorzieningen.scenarios import list_scenarios, load_scenario
from voorzieningen.schemas.scenario import Scenario
from voorzieningen.solve import HighsSession, SolveOutcome, solve_model
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


def write_map_files(
    results: Results, folder: Path, *, funding: dict[str, str] | None = None
) -> list[Path]:
    """
    Write the maps and the negotiation tables of a run into a folder.

    Files: ``plan.png`` (static map), ``plan.html`` (self-contained interactive map),
    ``plan.gpkg`` (GeoPackage layers zones, sites, allocation_lines),
    ``winners_losers.csv`` (travel-time change per zone and service, and per zone and age
    band when the population is known) and ``cost_per_year.csv`` (capex per year and
    funding party).

    Parameters
    ----------
    results
        The run's results (with ``sites`` and ``zone_points`` for the maps).
    folder
        Where to write.
    funding
        Funding party per service (default: the corporation pays everything).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    written: list[Path] = []
    if results.sites is not None and results.zone_points is not None:
        sites, zones = results.sites, results.zone_points
        written.append(maps.write_png_map(results, sites, zones, folder / "plan.png"))
        written.append(maps.write_html_map(results, sites, zones, folder / "plan.html"))
        written.append(maps.write_geopackage(results, sites, zones, folder / "plan.gpkg"))
    dutch = results.meta.get("csv_format") == "dutch_excel"
    by_zone = compare.winners_losers(results)
    write_csv(by_zone, folder / "winners_losers.csv", dutch_excel=dutch)
    written.append(folder / "winners_losers.csv")
    if results.population is not None:
        by_age = compare.winners_losers(results, results.population)
        write_csv(by_age, folder / "winners_losers_age.csv", dutch_excel=dutch)
        written.append(folder / "winners_losers_age.csv")
    write_csv(
        compare.cost_per_year(results, funding), folder / "cost_per_year.csv", dutch_excel=dutch
    )
    written.append(folder / "cost_per_year.csv")
    return written


def write_outputs(
    results: Results, out_dir: Path | str, *, dutch_excel: bool = False, with_maps: bool = True
) -> Path:
    """
    Write a run's tables, action lists, maps and negotiation tables, atomically.

    Parameters
    ----------
    results
        The run's results.
    out_dir
        Target folder (an earlier run there is moved to ``.history``).
    dutch_excel
        CSVs for Dutch Excel (``;``, decimal commas, byte-order mark).
    with_maps
        Also write maps and the winners/losers and cost-per-year tables.

    Returns
    -------
    pathlib.Path
        The folder written.
    """
    funding = dict(results.meta.get("settings", {}).get("budget", {}).get("funding_party", {}))

    def extra(folder: Path) -> None:
        if with_maps:
            tagged = replace(
                results, meta={**results.meta, "csv_format": "dutch_excel" if dutch_excel else ""}
            )
            write_map_files(tagged, folder, funding=funding)

    return write_report(results, out_dir, dutch_excel=dutch_excel, extra=extra)


def rewrite_report(
    results_dir: Path | str, out_dir: Path | str, *, dutch_excel: bool = False
) -> list[Path]:
    """
    Redraw the maps and negotiation tables of a results folder.

    Parameters
    ----------
    results_dir
        A folder written by :func:`write_outputs` (or the ``run`` command).
    out_dir
        Where to write (may be ``results_dir`` itself; only the map and negotiation files
        are replaced there).
    dutch_excel
        Also write every CSV table of the run for Dutch Excel into ``<out_dir>/excel-nl/``.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    InputDataError
        If the folder or one of its tables is missing.
    """
    source = Path(results_dir)
    results = compare.read_results(source)
    sites, zones = maps.read_points(source)
    population = None
    if (source / "population.csv").is_file():
        population = read_table(
            source / "population.csv", dutch_excel=results.meta.get("csv_format") == "dutch_excel"
        )
        population = population.set_index([T.ZONE, T.PERIOD, T.AGE_BAND])
    results = replace(results, sites=sites, zone_points=zones, population=population)
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    funding = dict(results.meta.get("settings", {}).get("budget", {}).get("funding_party", {}))
    written = write_map_files(results, target, funding=funding)
    if dutch_excel:
        excel = target / "excel-nl"
        excel.mkdir(exist_ok=True)
        already = results.meta.get("csv_format") == "dutch_excel"
        for path in sorted(source.glob("*.csv")):
            table = read_table(path, dutch_excel=already)
            write_csv(table, excel / path.name, dutch_excel=True)
            written.append(excel / path.name)
    return written


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
    if source is None:  # method = "estimate": no road network
        return ""
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


def load_scenario_network(scenario: Scenario, context: RunContext) -> Any:
    """
    Load the road network a scenario names, for its travel mode.

    Parameters
    ----------
    scenario
        The scenario.
    context
        Where to read from.

    Returns
    -------
    networkx.MultiDiGraph
        The mode's graph (lon/lat nodes; ``length`` m, ``travel_time`` s per edge).
    """
    return load_network(
        network_source(scenario, context), settings=scenario.network, cache_dir=context.cache_dir
    )


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
        return estimated_travel_times(
            zones, inputs.sites[[T.LON, T.LAT]], settings=scenario.network
        )
    if graph is None:
        graph = load_scenario_network(scenario, context)
    if scenario.network.demand_points == "network":
        if population is None:
            msg = "(network.demand_points) | 'network' needs the zones' population"
            raise InputDataError(msg)
        return _travel_times_from_points(scenario, inputs, context, graph, population)
    return travel_times(
        graph,
        inputs.zones[[T.LON, T.LAT]],
        inputs.sites[[T.LON, T.LAT]],
        settings=scenario.network,
        cache_dir=context.cache_dir,
    )


def _travel_times_from_points(
    scenario: Scenario,
    inputs: InputData,
    context: RunContext,
    graph: Any,
    population: pd.Series,
) -> TravelTimes:
    """Travel times from residential points within each zone, averaged per (zone, site)."""
    zones = inputs.zones[[T.LON, T.LAT]].assign(
        **{T.POPULATION_PERSONS: population.reindex(inputs.zones.index).fillna(0.0)}
    )
    points = disaggregate_zones(graph, zones)
    origins = points.set_index("point")[[T.LON, T.LAT]]
    origins.index.name = T.ZONE
    fine = travel_times(
        graph,
        origins,
        inputs.sites[[T.LON, T.LAT]],
        settings=scenario.network,
        cache_dir=context.cache_dir,
    )
    table = fine.table.merge(
        points[["point", T.ZONE, "weight"]].rename(columns={T.ZONE: "home_zone"}),
        left_on=T.ZONE,
        right_on="point",
    )
    table["w_time"] = table["weight"] * table[T.TRAVEL_TIME_MIN]
    table["w_dist"] = table["weight"] * table[T.DISTANCE_KM]
    grouped = table.groupby(["home_zone", T.SITE, "mode"], as_index=False)[
        ["weight", "w_time", "w_dist"]
    ].sum()
    grouped = grouped[grouped["weight"] >= scenario.network.min_reached_share - 1e-12]
    coarse = pd.DataFrame(
        {
            T.ZONE: grouped["home_zone"].astype(str),
            T.SITE: grouped[T.SITE].astype(str),
            "mode": grouped["mode"],
            T.TRAVEL_TIME_MIN: grouped["w_time"] / grouped["weight"],
            T.DISTANCE_KM: grouped["w_dist"] / grouped["weight"],
        }
    ).reset_index(drop=True)
    return replace(fine, table=coarse, meta={**fine.meta, "demand_points": len(points)})


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
        As for :func:`run_scenario`.

    Returns
    -------
    NetworkReport
        Graph size, imputed-speed share, travel times and reachability.
    """
    scenario, context = _context(
        scenario, data_dir=data_dir, name=name, sets=sets, region_dir=None, cache_dir=cache_dir
    )
    inputs = load_inputs(scenario, context)
    graph = load_scenario_network(scenario, context)
    population = None
    if scenario.network.demand_points == "network":
        population = _zone_population(scenario, compute_demand(scenario, inputs, context))
    travel = compute_travel_times(scenario, inputs, context, graph=graph, population=population)
    return NetworkReport(
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        speed_imputed_share=travel.speed_imputed_share,
        travel=travel,
    )


@dataclass(frozen=True)
class PreparedRun:
    """Everything before the model: validated inputs, travel times, demand, model data.

    Attributes
    ----------
    scenario, context
        What is run and where it reads from.
    inputs, travel, demand, data
        The outputs of the stages, in order.
    timings
        Seconds spent per step so far.
    files
        Every input file, by role (for hashes).
    """

    scenario: Scenario
    context: RunContext
    inputs: InputData
    travel: TravelTimes
    demand: DemandResult
    data: ModelData
    timings: dict[str, float]
    files: dict[str, Path]


def _context(
    scenario: Scenario | Path | str,
    *,
    data_dir: Path | str | None,
    name: str,
    sets: list[str] | None,
    region_dir: Path | str | None,
    cache_dir: Path | str | None,
) -> tuple[Scenario, RunContext]:
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
    return scenario, context


def _zone_population(scenario: Scenario, demand: DemandResult) -> pd.Series:
    """Persons per zone in the first planning period."""
    first = demand.population.xs(scenario.periods[0], level=T.PERIOD)
    return first[T.POPULATION_PERSONS].groupby(level=T.ZONE).sum()


def _check_coverage(scenario: Scenario, inputs: InputData, travel: TravelTimes) -> None:
    """Name a network that does not cover the region, and warn about points it misses."""
    report = travel.reachability
    missed = report[report["issue"].isin(["not_snapped", "island"])]
    if len(missed):
        listed = "; ".join(
            f"{kind} {ident} ({issue})"
            for kind, ident, issue in zip(
                missed["point_kind"], missed["id"], missed["issue"], strict=True
            )
        )
        msg = (
            f"{len(missed)} point(s) cannot be reached on the road network and take no part "
            f"in the plan: {listed}. Check their coordinates (reachability.csv has details)."
        )
        warnings.warn(msg, VoorzieningenWarning, stacklevel=3)
    points = travel.points
    origins = points[points["point_kind"] == "zone"]
    home = origins["id"].astype(str).str.split("#").str[0]  # "<zone>#<node>" for sub-points
    placed = set(home[origins["snapped"].astype(bool)])
    if not placed & set(inputs.zones.index.astype(str)):
        msg = (
            f"(network.source = {scenario.network.source}) | none of the {len(inputs.zones)} "
            f"zones is within network.max_snap_m = {scenario.network.max_snap_m:g} m of this "
            "road network: it does not cover the region. Use an extract or GraphML of the "
            "region's own roads."
        )
        raise NetworkError(msg)


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
    with _step(progress, "inputs", timings):
        inputs = load_inputs(scenario, context)
    with _step(progress, "demand", timings):
        demand = compute_demand(scenario, inputs, context)
    with _step(progress, "travel times", timings):
        population = _zone_population(scenario, demand)
        travel = compute_travel_times(scenario, inputs, context, population=population)
    _check_coverage(scenario, inputs, travel)
    with _step(progress, "model data", timings):
        data = make_model_data(scenario, inputs, demand.demand, travel.table)
    if data.pairs.empty:
        msg = (
            f"(network) | no (zone, site) pair is within {scenario.network.cutoff_min:g} min by "
            f"{scenario.network.mode}; raise network.cutoff_min or check the coordinates."
        )
        raise NetworkError(msg)
    files = {**inputs.files, **input_files(scenario, context)}
    return PreparedRun(scenario, context, inputs, travel, demand, data, timings, files)


def input_files(scenario: Scenario, context: RunContext) -> dict[str, Path]:
    """
    Return every file a scenario reads, by role (those that exist).

    Parameters
    ----------
    scenario
        The scenario.
    context
        Where it reads from.

    Returns
    -------
    dict
        Role (``zones``, ``duo_schools``, ``portfolio``, ``population``, ``history``,
        ``external_totals``, ``network``, ``scenario``) to path.
    """
    data, region = context.data_dir, context.region_dir
    candidates: dict[str, Path | None] = {
        "zones": data / scenario.zones.centroids_file
        if scenario.zones.source == "cbs_pc4"
        else (region / scenario.zones.zones_file if scenario.zones.zones_file else None),
        "duo_schools": data / scenario.facilities.duo_file
        if scenario.facilities.duo_schools
        else None,
        "portfolio": region / scenario.facilities.portfolio_file
        if scenario.facilities.portfolio_file
        else None,
        "population": data / scenario.demand.population_source,
        "history": data / scenario.demand.history_source,
        "external_totals": data / scenario.demand.external_totals_source
        if scenario.demand.external_totals_source
        else None,
        "network": data / scenario.network.source if scenario.network.source else None,
        "scenario": context.scenario_file,
    }
    return {role: path for role, path in candidates.items() if path is not None and path.is_file()}


def _meta(prepared: PreparedRun, outcome: SolveOutcome, **extra: Any) -> dict[str, Any]:
    return {
        "scenario": prepared.scenario.name,
        "region": prepared.scenario.region,
        "settings": prepared.scenario.model_dump(mode="json"),
        "inputs": {
            role: {"path": str(path), "sha256": file_sha256(path)}
            for role, path in prepared.files.items()
        },
        "versions": package_versions(),
        "timings_s": dict(prepared.timings),
        "fingerprint": scenario_fingerprint(prepared.scenario, prepared.context),
        "solver": {
            "status": outcome.status,
            "termination": outcome.termination,
            "objective": outcome.objective,
            "bound": outcome.bound,
            "gap": outcome.gap,
            "runtime_s": outcome.runtime_s,
            "name": outcome.solver,
        },
        **extra,
    }


def _results(
    prepared: PreparedRun,
    model: Any,
    outcome: SolveOutcome,
    meta: dict[str, Any],
    *,
    data: ModelData | None = None,
) -> Results:
    """Extract and verify a solved model's plan; attach the stages' tables."""
    data = data or prepared.data
    results = extract_results(
        model, data, outcome, meta=meta, build_s=prepared.timings.get("build model", 0.0)
    )
    verify_plan(results.plan, data, objective_value=outcome.objective)
    return replace(
        results,
        travel_times=prepared.travel.table,
        reachability=prepared.travel.reachability,
        zone_points=prepared.inputs.zones,
        population=prepared.demand.population,
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
    scenario, context = _context(
        scenario,
        data_dir=data_dir,
        name=name,
        sets=sets,
        region_dir=region_dir,
        cache_dir=cache_dir,
    )
    prepared = prepare_run(scenario, context, progress=progress)
    timings = prepared.timings
    with _step(progress, "build model", timings):
        model = build_model(prepared.data)
    with _step(progress, "solve", timings):
        outcome = solve_model(model, scenario.solver)
    with _step(progress, "verify", timings):
        return _results(prepared, model, outcome, _meta(prepared, outcome))


@dataclass(frozen=True)
class ParetoFront:
    """Accessibility against spending, one verified plan per budget level.

    Attributes
    ----------
    table
        One row per budget level: budget_eur, spend_eur, capex_eur, proceeds_eur,
        npv_cost_eur, objective_value (the scenario's objective: for ``access``,
        person-minutes plus the penalty of unmet demand), access_person_min, mean_travel_time_min, unmet_persons, status, gap,
        solve_s, warm_start.
    results
        The plan of each level, in the same order.
    """

    table: pd.DataFrame
    results: tuple[Results, ...]

    def __repr__(self) -> str:
        return f"<ParetoFront {len(self.table)} points>\n{self.table.to_string(index=False)}"


def pareto_front(
    scenario: Scenario | Path | str,
    budgets_eur: list[float],
    *,
    data_dir: Path | str | None = None,
    name: str = "base",
    sets: list[str] | None = None,
    region_dir: Path | str | None = None,
    cache_dir: Path | str | None = None,
    progress: Progress | None = None,
) -> ParetoFront:
    """
    Trace accessibility against total spending by the epsilon-constraint method.

    The model is built once; for each budget, in increasing order, only the right-hand side
    of the total-budget constraint changes and HiGHS starts from the previous plan (which
    stays feasible when the budget grows).

    Parameters
    ----------
    scenario
        A :class:`Scenario`, or the path of a scenario file.
    budgets_eur
        Total budgets (€, spending net of sale proceeds if the scenario says so).
    data_dir, name, sets, region_dir, cache_dir, progress
        As for :func:`run_scenario`.

    Returns
    -------
    ParetoFront
        The table and the verified plans.

    Raises
    ------
    ScenarioError
        If no budget is given.
    """
    if not budgets_eur:
        msg = "(sweep) | give at least one budget level, e.g. --budgets 5e6,10e6,15e6"
        raise ScenarioError(msg)
    scenario, context = _context(
        scenario,
        data_dir=data_dir,
        name=name,
        sets=sets,
        region_dir=region_dir,
        cache_dir=cache_dir,
    )
    levels = sorted(float(b) for b in budgets_eur)
    scenario = scenario.model_copy(
        update={"budget": scenario.budget.model_copy(update={"capex_total_eur": levels[0]})}
    )
    prepared = prepare_run(scenario, context, progress=progress)
    with _step(progress, "build model", prepared.timings):
        model = build_model(prepared.data)
    session = HighsSession(scenario.solver)
    rows: list[dict[str, Any]] = []
    plans: list[Results] = []
    for i, budget in enumerate(levels):
        set_total_budget(model, budget)
        with _step(progress, f"solve budget {budget:,.0f} EUR", prepared.timings):
            outcome = session.solve(model, warm_start=i > 0)
        level_data = replace(prepared.data, capex_total_eur=budget)
        level_scenario = scenario.model_copy(
            update={"budget": scenario.budget.model_copy(update={"capex_total_eur": budget})}
        )
        meta = _meta(replace(prepared, scenario=level_scenario), outcome, budget_eur=budget)
        results = _results(prepared, model, outcome, meta, data=level_data)
        plans.append(results)
        summary = results.summary.iloc[0]
        rows.append(
            {
                "budget_eur": budget,
                "spend_eur": float(summary["capex_total_eur"] - summary["proceeds_total_eur"])
                if scenario.budget.sale_proceeds_fund_capex
                else float(
                    summary["capex_total_eur"]
                    + results.plan.closures["proceeds_eur"].clip(upper=0.0).abs().sum()
                ),
                "capex_eur": float(summary["capex_total_eur"]),
                "proceeds_eur": float(summary["proceeds_total_eur"]),
                "npv_cost_eur": float(summary["npv_cost_eur"]),
                "objective_value": float(summary["objective_value"]),
                "access_person_min": float(summary["access_person_min"]),
                "mean_travel_time_min": float(summary["mean_travel_time_min"]),
                "unmet_persons": float(summary["unmet_persons"]),
                "status": outcome.status,
                "gap": outcome.gap,
                "solve_s": outcome.runtime_s,
                "warm_start": i > 0,
            }
        )
    return ParetoFront(pd.DataFrame(rows), tuple(plans))


def scenario_fingerprint(scenario: Scenario, context: RunContext) -> str:
    """
    Return a hash of a scenario's settings and the bytes of every file it names.

    Two runs with the same fingerprint have the same inputs, so a finished one need not be
    redone (resumable sweeps).

    Parameters
    ----------
    scenario
        The scenario.
    context
        Where it reads from.

    Returns
    -------
    str
        SHA-256 hex digest.
    """
    digest = hashlib.sha256(scenario.model_dump_json().encode("utf-8"))
    digest.update(package_versions().get("voorzieningen", "").encode("utf-8"))
    for role, path in sorted(input_files(scenario, context).items()):
        if role == "scenario":
            continue  # its settings are hashed above; other scenarios in it do not matter
        digest.update(role.encode("utf-8"))
        digest.update(file_sha256(path).encode("ascii"))
    return digest.hexdigest()


def _run_and_write(
    scenario_file: str,
    name: str,
    sets: list[str],
    data_dir: str,
    out_dir: str,
    dutch_excel: bool,  # noqa: FBT001 - positional for Dask's submit
) -> dict[str, Any]:
    """Run one scenario and write its report (a task for a Dask worker)."""
    results = run_scenario(Path(scenario_file), name=name, sets=sets, data_dir=data_dir)
    write_outputs(results, Path(out_dir), dutch_excel=dutch_excel)
    row = {str(k): v for k, v in results.summary.iloc[0].items()}
    row["scenario"] = name
    row["out_dir"] = out_dir
    row["resumed"] = False
    return row


def run_scenarios(
    scenario_file: Path | str,
    names: list[str],
    *,
    data_dir: Path | str | None = None,
    out_root: Path | str = "results",
    sets: list[str] | None = None,
    scheduler: str | None = None,
    resume: bool = True,
    dutch_excel: bool = False,
) -> pd.DataFrame:
    """
    Run several scenarios of one file in parallel on Dask and write each one's report.

    Parameters
    ----------
    scenario_file
        The scenario file.
    names
        Scenario names in the file.
    data_dir
        The data directory; defaults to ``$VOORZIENINGEN_DATA_DIR``.
    out_root
        Each scenario writes to ``<out_root>/<region>/<name>/``.
    sets
        ``key=value`` settings applied to every scenario.
    scheduler
        ``None``: a local Dask cluster of worker processes on this machine;
        ``"synchronous"``: no parallelism (one process, for debugging); otherwise the
        address of an existing Dask scheduler (``tcp://host:8786``).
    resume
        Skip a scenario whose output folder holds a finished run with the same fingerprint
        (settings and input files), so an interrupted sweep continues where it stopped.
    dutch_excel
        Write Dutch-Excel CSVs.

    Returns
    -------
    pandas.DataFrame
        One summary row per scenario (indexed by ``scenario``), with ``out_dir`` and
        ``resumed``.
    """
    path = Path(scenario_file).resolve()
    data = resolve_data_dir(data_dir)
    todo: list[tuple[str, Path]] = []
    rows: list[dict[str, Any]] = []
    for name in names:
        scenario, context = _context(
            path, data_dir=data, name=name, sets=sets, region_dir=None, cache_dir=None
        )
        out_dir = Path(out_root).resolve() / scenario.region / scenario.name
        finished = out_dir / "run.json"
        if resume and finished.is_file():
            done = json.loads(finished.read_text(encoding="utf-8"))
            if done.get("fingerprint") == scenario_fingerprint(scenario, context):
                row = {str(k): v for k, v in done.get("summary", {}).items()}
                row.update(scenario=name, out_dir=str(out_dir), resumed=True)
                rows.append(row)
                continue
        todo.append((name, out_dir))
    args = [(str(path), n, list(sets or []), str(data), str(o), dutch_excel) for n, o in todo]
    if scheduler == "synchronous" or (scheduler is None and len(args) <= 1):
        rows.extend(_run_and_write(*a) for a in args)
    else:
        rows.extend(_dask_map(args, scheduler))
    table = pd.DataFrame(rows).set_index("scenario").reindex(names)
    return table


def _dask_map(
    args: list[tuple[str, str, list[str], str, str, bool]], scheduler: str | None
) -> list[dict[str, Any]]:
    from dask.distributed import Client, LocalCluster  # heavy: imported only for sweeps

    if scheduler:
        client = Client(scheduler)
        cluster = None
    else:
        workers = max(1, min(len(args), os.cpu_count() or 1))
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        futures = [client.submit(_run_and_write, *a, pure=False) for a in args]
        return list(client.gather(futures))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


__all__ = [
    "InputDataError",
    "NetworkReport",
    "ParetoFront",
    "PreparedRun",
    "RunContext",
    "compare_results",
    "compute_demand",
    "compute_travel_times",
    "input_files",
    "inspect_network",
    "list_scenarios",
    "load_inputs",
    "load_scenario",
    "load_scenario_network",
    "make_model_data",
    "package_versions",
    "pareto_front",
    "prepare_run",
    "read_points",
    "resolve_data_dir",
    "rewrite_report",
    "run_scenario",
    "run_scenarios",
    "scenario_fingerprint",
    "write_csv",
    "write_difference_map",
    "write_map_files",
    "write_outputs",
    "write_pareto",
    "write_report",
]


def create_region(
    name: str,
    gemeenten: list[str],
    *,
    data_dir: Path | str | None = None,
    out: Path | str = "inputs",
    network_source: str | None = None,
    osm: bool = True,
    cache_dir: Path | str | None = None,
) -> Region:
    """
    Create a region folder ``<out>/<name>/`` from gemeente names or codes.

    Delegates to :func:`voorzieningen.region.create_region` (see there for the files written).

    Parameters
    ----------
    name
        Region name (folder name).
    gemeenten
        Gemeente names or ``GMxxxx`` codes.
    data_dir
        The data directory (default ``$VOORZIENINGEN_DATA_DIR``).
    out
        The folder holding region folders.
    network_source
        A road network for ``network.source``; None: ``network.method = "estimate"``.
    osm
        Whether to list GP practices and community centres from OpenStreetMap (cached).
    cache_dir
        Cache of OpenStreetMap answers.

    Returns
    -------
    voorzieningen.region.Region
        What was written.
    """
    return _create_region(
        name,
        gemeenten,
        data_dir=resolve_data_dir(data_dir),
        out=Path(out),
        network_source=network_source,
        osm=osm,
        cache_dir=Path(cache_dir) if cache_dir is not None else None,
    )
