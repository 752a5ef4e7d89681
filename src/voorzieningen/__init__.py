"""voorzieningen: investment planning for village schools, GP practices and community halls.

The public API, for consultants::

    import voorzieningen as vz
    scenario = vz.load_scenario("inputs/delft/scenarios.toml", name="krap")
    run = vz.run_scenario(scenario, data_dir="../shared/data")   # a frozen vz.Run
    vz.write_report(run, "results/delft/krap")                  # everything the CLI writes
    saved = vz.read_run("results/delft/krap")                   # a vz.SavedRun

Names are imported on first use, so ``import voorzieningen.errors`` stays light.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("voorzieningen")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from voorzieningen.api import run_scenario as run_scenario
    from voorzieningen.record import Run as Run
    from voorzieningen.record import SavedRun as SavedRun
    from voorzieningen.report import read_run as read_run
    from voorzieningen.report import write_report as write_report
    from voorzieningen.results import Results as Results
    from voorzieningen.scenarios import load_scenario as load_scenario
    from voorzieningen.schemas.scenario import Scenario as Scenario
    from voorzieningen.schemas.solver import SolverSettings as SolverSettings

_LAZY = {
    "run_scenario": "voorzieningen.api",
    "write_report": "voorzieningen.report",
    "read_run": "voorzieningen.report",
    "Run": "voorzieningen.record",
    "SavedRun": "voorzieningen.record",
    "Results": "voorzieningen.results",
    "load_scenario": "voorzieningen.scenarios",
    "Scenario": "voorzieningen.schemas.scenario",
    "SolverSettings": "voorzieningen.schemas.solver",
}

__all__ = [
    "Results",
    "Run",
    "SavedRun",
    "Scenario",
    "SolverSettings",
    "__version__",
    "load_scenario",
    "read_run",
    "run_scenario",
    "write_report",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    msg = f"module 'voorzieningen' has no attribute {name!r}"
    raise AttributeError(msg)
