"""Where a run reads from: the data directory, the region folder, the scenario file, a cache.

:func:`resolve_context` turns what a user gives (a :class:`Scenario` or a scenario file, an
optional data directory, region folder and cache) into the scenario and its
:class:`RunContext`; the data directory defaults to ``$VOORZIENINGEN_DATA_DIR``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voorzieningen.errors import InputDataError, ScenarioError
from voorzieningen.inputs import resolve_path
from voorzieningen.network import load_network
from voorzieningen.scenarios import load_scenario, parse_set
from voorzieningen.schemas.base import check_folder_name
from voorzieningen.schemas.scenario import Scenario

#: Environment variable naming the data directory.
DATA_DIR_ENV = "VOORZIENINGEN_DATA_DIR"


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


def resolve_context(
    scenario: Scenario | Path | str,
    *,
    data_dir: Path | str | None,
    name: str,
    sets: list[str] | None,
    region_dir: Path | str | None,
    cache_dir: Path | str | None,
) -> tuple[Scenario, RunContext]:
    """Load the scenario (if a path is given) and say where the run reads from."""
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


def run_folder_name(name: str, sets: list[str] | None) -> str:
    """
    Return the results folder name of a run: the scenario, plus a digest of its ``--set``.

    A run whose settings differ from its scenario's (``--set``) gets a folder of its own,
    so it never replaces the scenario's own results: ``<name>-set-<8 hex digits>``. The
    digest is of the parsed settings, sorted, so order and spacing do not matter.

    Parameters
    ----------
    name
        The scenario's name.
    sets
        The ``key=value`` settings given on the command line.

    Returns
    -------
    str
        ``name`` without settings; else ``name-set-<digest>``.

    Raises
    ------
    ScenarioError
        If ``name`` is not a folder name (``.``, ``..``, a path, ...).
    """
    try:
        check_folder_name(name, what="scenario name")
    except ValueError as err:
        msg = f"(scenario name) | {err}"
        raise ScenarioError(msg) from err
    if not sets:
        return name
    parsed = dict(parse_set(s) for s in sets)
    text = json.dumps(sorted(parsed.items()), sort_keys=True, default=str)
    return f"{name}-set-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"


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
