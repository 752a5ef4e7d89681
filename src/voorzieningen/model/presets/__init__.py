"""Classic facility-location models (presets) built from a cost matrix.

Every preset takes a matrix ``costs`` of shape (clients, sites) -- travel time (min),
distance (m, km) or money (€), whatever unit the caller uses consistently -- plus weights,
capacities or fixed costs as needed, and returns a :class:`PresetModel`: the unsolved Pyomo
model and, next to it, the input data its plan is read back with (the Pyomo model carries
only Pyomo components). Solve the model with :func:`voorzieningen.solve.solve_model`, then
read the plan with :func:`extract_solution`:

>>> built = build_p_median(costs, p=3)                     # doctest: +SKIP
>>> outcome = solve_model(built.model, SolverSettings())   # doctest: +SKIP
>>> plan = extract_solution(built)                         # doctest: +SKIP

An entry ``+inf`` in ``costs`` means "this client may not be served by this site". NaN,
negative values and arrays that are not 2-D are rejected with
:class:`~voorzieningen.errors.InputDataError`; inputs that provably admit no plan (a client
no site may serve, too little capacity, ``p`` larger than the number of sites, ...) raise
:class:`~voorzieningen.errors.InfeasibleModelError` before any model is built.

The mathematics of every preset (sets, parameters, variables, constraint families,
objectives and the reductions applied) is written in ``models/presets.md``; a test keeps the
document and the built models in correspondence.

Modules: ``common`` (validation, the preset data, sparse row helpers), ``radius``
(p-median, UFLP, p-center), ``covering`` (MCLP, LSCP, CFLP, CPMP), ``reduction`` (heuristic, Lagrangian bound and fixing for the
p-median), ``cflp_reduction`` (the same for the CFLP), ``extract`` (plans in and out).
"""

from voorzieningen.model.presets.common import (
    PresetModel,
    PresetName,
    PresetSolution,
    PresetSpec,
    PresetStart,
)
from voorzieningen.model.presets.covering import build_cflp, build_cpmp, build_lscp, build_mclp
from voorzieningen.model.presets.extract import extract_solution, set_start
from voorzieningen.model.presets.radius import build_p_center, build_p_median, build_uflp

__all__ = [
    "PresetModel",
    "PresetName",
    "PresetSolution",
    "PresetSpec",
    "PresetStart",
    "build_cflp",
    "build_cpmp",
    "build_lscp",
    "build_mclp",
    "build_p_center",
    "build_p_median",
    "build_uflp",
    "extract_solution",
    "set_start",
]
