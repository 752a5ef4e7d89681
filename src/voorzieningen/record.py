"""The record of a run, and what a results folder holds.

:class:`Run` is everything one run produced, frozen and complete when made: the scenario,
where it read from, the stages' outputs (inputs, travel times, demand, model data), the
solver's outcome, the result tables and the provenance. :class:`SavedRun` is what a results
folder holds on disk (the tables, the points for the maps and ``run.json``), as read back by
:func:`voorzieningen.report.read_run` or as about to be written by
:func:`voorzieningen.report.write_report`.

Maps, negotiation tables and comparisons work on either, through :class:`PlanTables`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import pandas as pd

from voorzieningen import tables as T
from voorzieningen.context import RunContext
from voorzieningen.demand import DemandResult
from voorzieningen.errors import InputDataError
from voorzieningen.inputs import InputData
from voorzieningen.localise import Language
from voorzieningen.model.data import ModelData
from voorzieningen.network import TravelTimes
from voorzieningen.results import Results
from voorzieningen.schemas.scenario import Scenario
from voorzieningen.solve import SolveOutcome

#: How CSV files are written: ``plain`` (UTF-8, ``,``) or ``dutch_excel`` (``;``, decimal
#: commas, byte-order mark).
CsvFormat = Literal["utf8_comma", "dutch_excel"]


class PlanTables(Protocol):
    """The tables of a plan that maps, negotiation tables and comparisons read.

    :class:`~voorzieningen.results.Results`, :class:`Run` and :class:`SavedRun` all have
    them.
    """

    @property
    def scenario_name(self) -> str:
        """The scenario's name."""
        ...

    @property
    def decisions(self) -> pd.DataFrame:
        """One row per building and candidate site (see ``Results.decisions``)."""
        ...

    @property
    def zones(self) -> pd.DataFrame:
        """Per (zone, service, period) demand, unmet demand and travel times."""
        ...

    @property
    def costs(self) -> pd.DataFrame:
        """Per period capex, proceeds, opex and discount factor."""
        ...

    @property
    def summary(self) -> pd.DataFrame:
        """One row of totals."""
        ...

    @property
    def assignments(self) -> pd.DataFrame:
        """Persons served per (zone, site, service, period)."""
        ...


def last_period(tables: PlanTables) -> int:
    """
    Return the last planning period of a run.

    Parameters
    ----------
    tables
        The run's tables.

    Returns
    -------
    int
        The largest ``period`` (year) in ``tables.zones``.

    Raises
    ------
    InputDataError
        If ``tables.zones`` is empty.
    """
    periods = pd.to_numeric(tables.zones[T.PERIOD], errors="coerce").dropna()
    if periods.empty:
        msg = "(results.zones) | no periods; the run has no zone results to map."
        raise InputDataError(msg)
    return int(periods.max())


@dataclass(frozen=True)
class InputFile:
    """One file a run read, with its SHA-256 hash.

    Attributes
    ----------
    role
        What it is (``zones``, ``portfolio``, ``network``, ``scenario``, ...).
    path
        Where it was read.
    sha256
        Hex digest of its bytes.
    """

    role: str
    path: Path
    sha256: str


@dataclass(frozen=True)
class Provenance:
    """Where a run's plan came from: inputs, software, timings and the solver's word.

    Attributes
    ----------
    inputs
        Every input file with its hash, by role.
    versions
        Python, platform and package versions.
    timings_s
        Seconds per step (inputs, demand, travel times, model data, build model, solve,
        verify).
    fingerprint
        SHA-256 of the settings and the input files' bytes (equal fingerprints: equal runs).
    solver
        The solver's outcome (status, termination, objective, bound, gap, runtime).
    budget_eur
        The budget level of a Pareto point, € (None for a single run).
    """

    inputs: tuple[InputFile, ...]
    versions: Mapping[str, str]
    timings_s: Mapping[str, float]
    fingerprint: str
    solver: SolveOutcome
    budget_eur: float | None = None


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
    closure_norms
        School closure norm (pupils) per gemeente as read for the model, so that the
        verifier checks against the same table; None: the national norm.
    """

    scenario: Scenario
    context: RunContext
    inputs: InputData
    travel: TravelTimes
    demand: DemandResult
    data: ModelData
    timings: dict[str, float]
    files: dict[str, Path]
    closure_norms: pd.DataFrame | None = None


@dataclass(frozen=True)
class Run:
    """One run, end to end, frozen and complete when made.

    Attributes
    ----------
    scenario, context
        What was run and where it read from.
    inputs, travel, demand, data
        The outputs of the stages before the model, in order.
    outcome
        What the solver reported.
    results
        The verified plan's tables.
    provenance
        Input hashes, versions, timings, fingerprint and solver status.
    robust
        ``robust.csv`` of a robust plan over population variants
        (:mod:`voorzieningen.robust`); None for a single-variant run.
    """

    scenario: Scenario
    context: RunContext
    inputs: InputData
    travel: TravelTimes
    demand: DemandResult
    data: ModelData
    outcome: SolveOutcome
    results: Results
    provenance: Provenance
    robust: pd.DataFrame | None = None

    @property
    def scenario_name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    @property
    def decisions(self) -> pd.DataFrame:
        """``Results.decisions``."""
        return self.results.decisions

    @property
    def zones(self) -> pd.DataFrame:
        """``Results.zones``."""
        return self.results.zones

    @property
    def capacity(self) -> pd.DataFrame:
        """``Results.capacity``."""
        return self.results.capacity

    @property
    def costs(self) -> pd.DataFrame:
        """``Results.costs``."""
        return self.results.costs

    @property
    def summary(self) -> pd.DataFrame:
        """``Results.summary``."""
        return self.results.summary

    @property
    def assignments(self) -> pd.DataFrame:
        """``Results.plan.assignments``."""
        return self.results.plan.assignments

    @property
    def funding(self) -> Mapping[str, str]:
        """Funding party per service (``budget.funding_party``)."""
        return {str(k): v for k, v in self.scenario.budget.funding_party.items()}

    def __repr__(self) -> str:
        return f"<Run {self.scenario.region}/{self.scenario.name}: {self.results!r}>"


@dataclass(frozen=True)
class SavedRun:
    """What a results folder holds (as read back, or as about to be written).

    Attributes
    ----------
    scenario_name, region
        The run's scenario and region.
    decisions, zones, capacity, costs, summary, assignments, unmet
        The result tables as written (``period`` a nullable integer year in decisions).
    sites, zone_points
        Site and zone coordinates (indexed by ``site`` / ``zone``; lon, lat in WGS84
        degrees), None in a folder written without them.
    travel_times, reachability, population
        The travel-time table, the network's reachability report and the projected
        population (by zone, period, age_band), when the run wrote them.
    kpis
        Key figures per (service, period) (``kpis.csv``), when the run wrote them.
    robust
        Every plan under every population variant with its regret (``robust.csv``), for
        a robust plan (:mod:`voorzieningen.robust`).
    funding
        Funding party per service.
    csv_format
        How the CSV files are (or will be) written.
    language
        The language of their column names and values (``"nl"`` or ``"en"``).
    run_json
        The provenance record as written in ``run.json`` (scenario, settings, input hashes,
        versions, timings, fingerprint, solver, summary).
    folder
        The folder it was read from (None before writing).
    """

    scenario_name: str
    region: str
    decisions: pd.DataFrame
    zones: pd.DataFrame
    capacity: pd.DataFrame
    costs: pd.DataFrame
    summary: pd.DataFrame
    assignments: pd.DataFrame
    unmet: pd.DataFrame
    sites: pd.DataFrame | None = None
    zone_points: pd.DataFrame | None = None
    travel_times: pd.DataFrame | None = None
    reachability: pd.DataFrame | None = None
    population: pd.DataFrame | None = None
    kpis: pd.DataFrame | None = None
    robust: pd.DataFrame | None = None
    funding: Mapping[str, str] = field(default_factory=dict)
    csv_format: CsvFormat = "utf8_comma"
    run_json: Mapping[str, Any] = field(default_factory=dict)
    folder: Path | None = None
    language: Language = "en"

    @classmethod
    def from_results(
        cls,
        results: Results,
        *,
        region: str = "",
        sites: pd.DataFrame | None = None,
        zone_points: pd.DataFrame | None = None,
        population: pd.DataFrame | None = None,
        funding: Mapping[str, str] | None = None,
        run_json: Mapping[str, Any] | None = None,
    ) -> SavedRun:
        """
        Return the folder content of result tables that have no full :class:`Run`.

        Parameters
        ----------
        results
            The tables.
        region
            The region's name.
        sites, zone_points, population
            Points for the maps and the population, if known.
        funding
            Funding party per service.
        run_json
            Provenance to write into ``run.json``.

        Returns
        -------
        SavedRun
            Ready for :func:`voorzieningen.report.write_report`.
        """
        return cls(
            scenario_name=results.scenario_name,
            region=region,
            decisions=results.decisions,
            zones=results.zones,
            capacity=results.capacity,
            costs=results.costs,
            summary=results.summary,
            assignments=results.plan.assignments,
            unmet=results.plan.unmet,
            sites=sites,
            zone_points=zone_points,
            population=population,
            kpis=results.kpis if len(results.kpis.columns) else None,
            funding=dict(funding or {}),
            run_json=dict(run_json or {}),
        )

    @property
    def starts(self) -> pd.DataFrame:
        """Projects started, from the decisions: site, option, action, services, period, capex_eur."""
        d = self.decisions
        acting = d[d[T.ACTION].isin(["renovate", "extend", "convert", "mfa", "new"])]
        return pd.DataFrame(
            {
                T.SITE: acting[T.SITE],
                T.OPTION: acting.get(T.OPTION, acting[T.ACTION]),
                T.ACTION: acting[T.ACTION],
                T.SERVICES: acting[T.SERVICES_AFTER],
                T.PERIOD: acting[T.PERIOD],
                T.CAPEX_EUR: acting[T.CAPEX_EUR],
            }
        ).reset_index(drop=True)

    @property
    def closures(self) -> pd.DataFrame:
        """Closures, from the decisions: site, period, proceeds_eur (negative: demolition)."""
        d = self.decisions
        closing = d[d[T.ACTION] == "close"]
        return closing[[T.SITE, T.PERIOD, T.PROCEEDS_EUR]].reset_index(drop=True)

    def __repr__(self) -> str:
        where = f" from {self.folder}" if self.folder else ""
        return f"<SavedRun {self.region}/{self.scenario_name}{where}: {len(self.decisions)} sites>"
