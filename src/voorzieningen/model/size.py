"""How big the investment model will be, and whether it fits in this machine's memory.

Estimated from the model's data before the build, so that a run (and ``validate``) refuses a
model that cannot fit instead of growing until the machine swaps or the process is killed.

Size: per period, one ``assigned_persons`` variable per (zone, site) pair, five variables
per option (start, open, close, new and open floor area), one capacity per option and
service, two per existing building (in use, close) and one ``unmet_persons`` per zone and
service; the rows (constraints) per period: two per pair (the assignment link and, with
``model.closest_assignment``, the closest-facility rule), six per option, two per option and
service, one per existing building and two per zone and service. The estimate is within
a few tens of per cent of the real model (``benchmarks/model_memory.py`` prints the ratio).

Memory: :data:`BASE_MIB` plus :data:`MIB_PER_1000` MiB per 1,000 variables and rows
(Pyomo's model, the hand-over to HiGHS and HiGHS itself), measured with
``benchmarks/model_memory.py``: a region of 100 zones and 60 sites over four periods (about
64,000 variables and rows) needs about 660 MiB, one of 300 zones and 150 sites (314,000)
about 1.7 GiB.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from voorzieningen.errors import SolverError
from voorzieningen.model.data import ModelData

#: Memory per 1,000 variables and rows of the investment model, MiB: Pyomo's model, the
#: hand-over to HiGHS and the solve. ``benchmarks/model_memory.py`` measured 2.2-2.3 MiB
#: per 1,000 at 100x60 to 300x150 zones x sites (64,000 to 314,000 variables and rows;
#: 5.75 at 50x40, where HiGHS's fixed share dominates), 5-second solves, HiGHS 1.x, Pyomo
#: 6.x, Nov 2026, on a shared 2-core machine; taken as 4 to leave room for a long solve's
#: search tree (assumption).
MIB_PER_1000 = 4.0
#: Memory of the process besides the model, MiB: Python with pandas and the stages' tables
#: (about 130 MiB in the benchmark) and HiGHS's fixed share (70-190 MiB), rounded up.
BASE_MIB = 400.0
#: /proc/meminfo, where Linux says how much memory is available.
MEMINFO = Path("/proc/meminfo")


@dataclass(frozen=True)
class ModelSize:
    """The estimated size of an investment model.

    Attributes
    ----------
    variables
        Number of variables.
    rows
        Number of constraints (rows).
    """

    variables: int
    rows: int

    @property
    def memory_mib(self) -> float:
        """Estimated memory to build and solve the model, MiB (the process's base included)."""
        return BASE_MIB + (self.variables + self.rows) / 1000.0 * MIB_PER_1000


def estimate_model_size(data: ModelData) -> ModelSize:
    """
    Estimate the investment model's variables and rows from its data, before the build.

    Parameters
    ----------
    data
        The model's data.

    Returns
    -------
    ModelSize
        Variables and rows (counts).
    """
    periods = len(data.periods)
    pairs = len(data.pairs)
    options = len(data.options)
    option_services = sum(len(svcs) for svcs in data.option_services)
    existing = len(data.existing)
    zone_services = len(data.zones) * len(data.services)
    closest = 1 if data.model_settings.closest_assignment else 0
    variables = (
        periods * (pairs + 5 * options + option_services + 2 * existing + zone_services) + options
    )
    rows = periods * (
        (1 + closest) * pairs + 6 * options + 2 * option_services + existing + 2 * zone_services
    )
    return ModelSize(variables=int(variables), rows=int(rows))


def available_memory_mib() -> float | None:
    """
    Return the memory available to a new model, MiB: psutil if installed, else /proc/meminfo.

    Returns
    -------
    float or None
        Available memory (MiB), or None where neither source says.
    """
    try:
        psutil = importlib.import_module("psutil")  # optional
    except ImportError:
        psutil = None
    if psutil is not None:
        return float(psutil.virtual_memory().available) / 2**20
    try:
        text = MEMINFO.read_text(encoding="ascii")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("MemAvailable:"):
            return float(line.split()[1]) / 1024.0  # the file gives KiB
    return None


def check_model_fits(data: ModelData, limit_mib: float | None = None) -> ModelSize:
    """
    Refuse a model whose estimated memory exceeds the limit or the memory available.

    Parameters
    ----------
    data
        The model's data.
    limit_mib
        ``solver.memory_limit_mib``: the memory the model may use, MiB; None: the memory
        available now (:func:`available_memory_mib`; no check where it is unknown).

    Returns
    -------
    ModelSize
        The estimate.

    Raises
    ------
    SolverError
        If the estimate exceeds the limit, naming both and what makes the model big.
    """
    size = estimate_model_size(data)
    limit = limit_mib if limit_mib is not None else available_memory_mib()
    if limit is None or size.memory_mib <= limit:
        return size
    source = "solver.memory_limit_mib" if limit_mib is not None else "the memory available now"
    msg = (
        f"(solver.memory_limit_mib) | the model would need about {size.memory_mib:,.0f} MiB "
        f"({size.variables:,} variables, {size.rows:,} rows; {len(data.pairs):,} zone-site "
        f"pairs x {len(data.periods)} periods, {len(data.options):,} options), more than "
        f"{source} ({limit:,.0f} MiB). Plan fewer periods or sites, lower "
        "network.cutoff_min (fewer pairs), or, on a machine with more memory, raise "
        "solver.memory_limit_mib."
    )
    raise SolverError(msg)
