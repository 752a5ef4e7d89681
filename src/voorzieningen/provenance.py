"""Provenance of a run: input files and their hashes, package versions, the fingerprint.

A run's :class:`~voorzieningen.record.Provenance` records every file it read (with its
SHA-256), the software versions, the time per step and the solver's outcome;
:func:`run_record` turns a run into the ``run.json`` written beside its tables.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from voorzieningen import tables as T
from voorzieningen.context import RunContext
from voorzieningen.inputs import file_sha256
from voorzieningen.record import InputFile, Provenance, Run
from voorzieningen.schemas.scenario import Scenario
from voorzieningen.solve import SolveOutcome

#: Packages whose versions a run records.
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
        "migration_age": data / scenario.demand.migration_age_source
        if scenario.demand.migration_age_source
        else None,
        "network": data / scenario.network.source if scenario.network.source else None,
        "scenario": context.scenario_file,
    }
    return {role: path for role, path in candidates.items() if path is not None and path.is_file()}


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


def make_provenance(
    scenario: Scenario,
    context: RunContext,
    files: Mapping[str, Path],
    timings_s: Mapping[str, float],
    outcome: SolveOutcome,
    *,
    budget_eur: float | None = None,
) -> Provenance:
    """
    Hash a run's input files and record versions, timings and the solver's outcome.

    Parameters
    ----------
    scenario, context
        What was run and where it read from.
    files
        Every input file, by role.
    timings_s
        Seconds per step.
    outcome
        What the solver reported.
    budget_eur
        The budget level of a Pareto point, € (None for a single run).

    Returns
    -------
    Provenance
        Frozen.
    """
    return Provenance(
        inputs=tuple(InputFile(role, path, file_sha256(path)) for role, path in files.items()),
        versions=package_versions(),
        timings_s=dict(timings_s),
        fingerprint=scenario_fingerprint(scenario, context),
        solver=outcome,
        budget_eur=budget_eur,
    )


def run_record(run: Run) -> dict[str, Any]:
    """
    Return the provenance of a run as written to ``run.json``.

    Parameters
    ----------
    run
        The run.

    Returns
    -------
    dict
        scenario, region, settings (the full scenario), inputs (role: path and sha256),
        versions, timings_s, fingerprint, solver (status, termination, objective, bound,
        gap, runtime_s, name), travel_time_source (``"estimate (straight line x detour
        factor)"`` or ``"road network (...)"``, from ``TravelTimes.meta``) and, for a
        Pareto point, budget_eur.
    """
    prov = run.provenance
    outcome = prov.solver
    record: dict[str, Any] = {
        "scenario": run.scenario.name,
        "region": run.scenario.region,
        "settings": run.scenario.model_dump(mode="json"),
        "inputs": {f.role: {"path": str(f.path), "sha256": f.sha256} for f in prov.inputs},
        "versions": dict(prov.versions),
        "timings_s": dict(prov.timings_s),
        "fingerprint": prov.fingerprint,
        "solver": {
            "status": outcome.status,
            "termination": outcome.termination,
            "objective": outcome.objective,
            "bound": outcome.bound,
            "gap": outcome.gap,
            "runtime_s": outcome.runtime_s,
            "name": outcome.solver,
        },
        T.TRAVEL_TIME_SOURCE: str(run.travel.meta.get(T.TRAVEL_TIME_SOURCE, "")),
    }
    if prov.budget_eur is not None:
        record["budget_eur"] = prov.budget_eur
    return record
