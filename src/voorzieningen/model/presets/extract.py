"""Read the plan of a solved preset model and re-evaluate it on the input data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from voorzieningen.errors import InputDataError, SolverError
from voorzieningen.model.presets.common import (
    FloatArray,
    IntArray,
    PresetModel,
    PresetSolution,
    PresetSpec,
)


def extract_solution(preset: PresetModel) -> PresetSolution:
    """
    Read the plan of a solved preset model and re-evaluate it on the input data.

    The open sites are read from ``model.open``; clients are assigned to their cheapest open
    site (radius and covering presets) or as the assignment variables say (CFLP, CPMP).
    The objective is recomputed from the plan and the input data, so it does not carry the
    solver's tolerances.

    Parameters
    ----------
    preset
        What a ``build_*`` function of the presets returned, its model solved (for
        example with :func:`voorzieningen.solve.solve_model`).

    Returns
    -------
    PresetSolution
        Open sites, assignment, objective (and allocation for CFLP/CPMP).

    Raises
    ------
    InputDataError
        If ``preset`` is not what a preset builder returned.
    SolverError
        If the model holds no solution.
    """
    if not (
        isinstance(preset, tuple)
        and len(preset) == 2
        and isinstance(preset[0], pyo.ConcreteModel)
        and isinstance(preset[1], PresetSpec)
    ):
        msg = (
            "This was not built by voorzieningen.model.presets: pass what a build_* "
            f"function returned (a PresetModel), not a {type(preset).__name__}."
        )
        raise InputDataError(msg)
    model, spec = preset
    is_open = _values(model.open) > 0.5
    open_sites = np.flatnonzero(is_open).astype(np.int64)
    c = spec.costs
    fixed = float(spec.fixed_costs[is_open].sum())
    if spec.pairs is not None:
        return extract_allocation(model, spec, spec.pairs, open_sites, fixed)
    n = c.shape[0]
    if len(open_sites) == 0:
        nearest = np.full(n, np.inf)
        assignment = np.full(n, -1, dtype=np.int64)
    else:
        sub = c[:, open_sites]
        best = np.argmin(sub, axis=1)
        nearest = sub[np.arange(n), best]
        assignment = open_sites[best]
    if spec.preset == "p_center":
        objective = float(nearest.max())
    elif spec.preset == "mclp":
        covered = nearest <= spec.radius
        assignment = np.where(covered, assignment, -1)
        objective = float(spec.weights[covered].sum())
    elif spec.preset == "lscp":
        objective = fixed
    else:  # p_median, uflp: fixed costs (0 for p-median) plus weighted cost
        objective = fixed + float(np.dot(spec.weights, nearest))
    return PresetSolution(spec.preset, open_sites, assignment, objective)


def extract_allocation(
    model: pyo.ConcreteModel,
    spec: PresetSpec,
    pairs: IntArray,
    open_sites: IntArray,
    fixed: float,
) -> PresetSolution:
    """Plan of a preset with assignment variables (CFLP, CPMP)."""
    share = np.zeros(spec.costs.shape)
    x = np.clip(_values(model.assign), 0.0, 1.0)
    if spec.preset == "cpmp":
        x = np.round(x)
    share[pairs[:, 0], pairs[:, 1]] = x
    assignment = np.argmax(share, axis=1).astype(np.int64)
    served = np.where(share > 0, spec.costs, 0.0)
    objective = fixed + float((served * share).sum())
    return PresetSolution(spec.preset, open_sites, assignment, objective, share)


def _values(component: Any) -> FloatArray:
    values = [v.value for v in component.values()]
    if any(v is None for v in values):
        msg = (
            "The model holds no solution; solve it first "
            "(voorzieningen.solve.solve_model) before extracting the plan."
        )
        raise SolverError(msg)
    return np.array(values, dtype=np.float64)


def set_start(preset: PresetModel) -> bool:
    """
    Load the plan known before the solve (``preset.spec.start``) into the model's variables.

    Then solve with ``HighsSession(settings).solve(preset.model, warm_start=True)``
    (:class:`voorzieningen.solve.HighsSession`) to hand it to HiGHS as a MIP start.

    Parameters
    ----------
    preset
        What a ``build_*`` function of the presets returned.

    Returns
    -------
    bool
        Whether a start was loaded (only the p-median and the CFLP with ``reduce`` have
        one).
    """
    start = preset.spec.start
    if start is None:
        return False
    model = preset.model
    for var, value in zip(model.open.values(), start.open.tolist(), strict=True):
        var.set_value(value)
    if hasattr(model, "beyond"):
        for var, value in zip(model.beyond.values(), start.beyond.tolist(), strict=True):
            var.set_value(value)
    if len(start.assign):
        for var, value in zip(model.assign.values(), start.assign.tolist(), strict=True):
            var.set_value(value)
    return True
