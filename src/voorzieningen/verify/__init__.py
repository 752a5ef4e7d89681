"""Independent verifier of a plan: re-checks every rule from the raw inputs, without Pyomo.

Why independent: a verifier that shares the model's arithmetic shares its bugs. This
package therefore never reads the model's derived data (:class:`voorzieningen.model.data.
ModelData`'s eligible pairs, option table, discount and opex factors, residual shares,
capacities, close values). It recomputes them, with its own code written from the rules as
documented rather than from ``model/data.py`` or ``model/build.py``, from what a user gave:

* the scenario settings (periods, costs, norms, model options, budget; the schemas),
* the sites table (portfolio and candidate sites) as loaded,
* the raw travel-time table (zone, site, optionally service, ``travel_time_min``),
* the demand table (``demand_persons`` by zone, period and service),

and checks the plan, given as plain tables (:class:`PlanTables`: starts, capacities built,
use as is, closures, assignments, unmet demand), against every rule: non-negativity,
duplicate rows, known ids and allowed options, lifecycle, end of life, life extensions
(their period, size and extended life), sizing and maximum
size, floor area, capex, proceeds, every assignment's travel time against the raw table,
eligibility, hosting, capacity per site, service and period, demand balance, unmet demand,
minimum size, coverage norms, budgets, closest assignment and the objective value.

The formulation documented in :mod:`voorzieningen.model.build` is the specification both
follow; where model and verifier disagree, one of them has a bug. An import-linter contract
(``pyproject.toml``) keeps every module here but :mod:`~voorzieningen.verify.adapter` from
importing ``voorzieningen.model``, ``solve``, ``results`` or Pyomo.

Each rule is one small function in :mod:`voorzieningen.verify.rules` (listed in
``RULES``; to add one, write a function of the context and list it there);
:func:`find_violations` returns every :class:`Violation` (with its ``kind``),
:func:`verify_tables` raises :class:`~voorzieningen.errors.VerificationError` listing them.
:func:`verify_plan` is the adapter from a solved :class:`voorzieningen.results.Plan` and its
:class:`~voorzieningen.model.data.ModelData`: it takes only the raw tables and settings from
the latter (or, better, the raw tables the run read).
"""

from __future__ import annotations

from voorzieningen.verify.adapter import inputs_from_model_data, verify_plan
from voorzieningen.verify.check import find_violations, verify_tables
from voorzieningen.verify.inputs import PlanFrames, PlanTables, VerifyInputs
from voorzieningen.verify.rules import RULES, Violation

__all__ = [
    "RULES",
    "PlanFrames",
    "PlanTables",
    "VerifyInputs",
    "Violation",
    "find_violations",
    "inputs_from_model_data",
    "verify_plan",
    "verify_tables",
]
