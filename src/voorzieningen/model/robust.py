"""One plan for several population variants: the two-stage robust model (Pyomo, no I/O).

The mathematics is in ``models/robust.md`` (``tests/test_formulation.py`` keeps it and this
module in step). One block per variant holds the whole investment model of
``models/investment.md`` for that variant's demand (filled by
:func:`voorzieningen.model.build.fill_model`, so every block has the single-variant names);
non-anticipativity rows make the first period's building decisions equal in every block
(here and now) while the later periods stay free per variant (recourse). The objective is
the weighted mean of the blocks' objectives, or the largest regret against each variant's
own best objective.

The same first-period decisions can be fixed in a single-variant model
(:func:`fix_first_period`) to evaluate one variant's plan under another variant.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any, Literal, NamedTuple

import pandas as pd
import pyomo.environ as pyo

from voorzieningen import tables as T
from voorzieningen.model.build import fill_model
from voorzieningen.model.data import ModelData

__all__ = [
    "FIRST_STAGE",
    "MINMAX_TIEBREAK",
    "FirstPeriod",
    "RobustModel",
    "VarValues",
    "block_objective",
    "build_robust_model",
    "first_period_values",
    "fix_first_period",
    "shared_bounds",
    "unfix",
    "var_values",
    "warm_start",
]

#: Variables of the building decisions (``models/investment.md`` §4) that the first period
#: shares across variants: starts, open and closed states, sizes and new floor area.
#: Assignments, unmet demand and shared space follow from demand and stay per variant.
FIRST_STAGE: tuple[str, ...] = (
    "start",
    "option_open",
    "close_option",
    "capacity_places",
    "new_area_m2",
    "in_use",
    "close",
    "rework_after_extend",
)

#: Weight of the weighted mean objective behind the largest regret (a tie-break among plans
#: of equal largest regret; small against any regret that matters).
MINMAX_TIEBREAK = 1e-4

#: Values of the first-period decision variables: (variable name, index) -> value.
FirstPeriod = dict[tuple[str, tuple[Any, ...]], float]
#: Values of every variable of a model: variable name -> index -> value.
VarValues = dict[str, dict[Any, Any]]


class RobustModel(NamedTuple):
    """A built robust model and the scale of its objective.

    Attributes
    ----------
    model
        The Pyomo model: block ``variant[v]`` per variant, one active objective.
    objective_scale
        As :attr:`voorzieningen.model.build.BuiltModel.objective_scale` (the variants share
        the objective and its scale).
    """

    model: pyo.ConcreteModel
    objective_scale: float


def shared_bounds(datas: Mapping[str, ModelData]) -> dict[str, ModelData]:
    """
    Give every variant the same per-site capacity bound :math:`U_{js}`: the largest.

    :math:`U_{js}` (``site_cap_max``) is the most demand that can reach a site in any period,
    so it differs between variants. A place beyond the demand that reaches a site serves no
    one, so no variant's optimum changes when its bound grows to the largest of all variants;
    with one bound the first-period sizes that one variant's plan builds are allowed in
    every other variant's model.

    Parameters
    ----------
    datas
        Model data per variant (the same sites, options and pairs; other demand).

    Returns
    -------
    dict of str to ModelData
        The same data with ``site_cap_max`` the element-wise maximum over the variants.

    Raises
    ------
    ValueError
        If the variants' data differ in periods, options or pairs (then they are not
        variants of one region's plan).
    """
    first = next(iter(datas.values()))
    for name, data in datas.items():
        same = (
            data.periods == first.periods
            and data.options[[T.SITE, "option"]].equals(first.options[[T.SITE, "option"]])
            and data.pairs[[T.ZONE, T.SITE, T.SERVICE]].equals(
                first.pairs[[T.ZONE, T.SITE, T.SERVICE]]
            )
        )
        if not same:
            msg = (
                f"variant {name!r} has other periods, options or (zone, site) pairs than "
                "the first variant; the variants of a robust plan differ only in demand."
            )
            raise ValueError(msg)
    bound = pd.concat([d.site_cap_max for d in datas.values()], axis=1).max(axis=1)
    return {name: replace(data, site_cap_max=bound) for name, data in datas.items()}


def _first_stage_vars(m: pyo.Block, first: int) -> Iterator[tuple[str, tuple[Any, ...], Any]]:
    """(name, index, variable) of every first-period decision variable of a model or block."""
    for name in FIRST_STAGE:
        for index, var in getattr(m, name).items():
            if index[-1] == first:
                yield name, tuple(index), var


def build_robust_model(
    datas: Mapping[str, ModelData],
    weights: Mapping[str, float],
    *,
    objective: Literal["expected", "minmax_regret"] = "expected",
    best_objective: Mapping[str, float] | None = None,
) -> RobustModel:
    """
    Build one plan for several variants (``models/robust.md``).

    Parameters
    ----------
    datas
        Model data per variant (from :func:`shared_bounds`: one capacity bound).
    weights
        Weight (probability) of each variant; they sum to 1.
    objective
        ``"expected"`` (R1) or ``"minmax_regret"`` (R2).
    best_objective
        Per variant, the best objective any plan reaches under it alone, in the objective's
        unit (€ for ``cost``); needed for ``"minmax_regret"``.

    Returns
    -------
    RobustModel
        The model and its objective scale.

    Raises
    ------
    ValueError
        If weights or best objectives are missing for a variant, or the variants' models
        do not share the objective.
    """
    names = list(datas)
    if set(weights) != set(names):
        msg = f"weights {sorted(weights)} do not match the variants {sorted(names)}"
        raise ValueError(msg)
    scales = {datas[v].objective_scale for v in names}
    if len(scales) != 1:
        msg = "the variants' objectives differ; a robust plan needs one objective"
        raise ValueError(msg)
    scale = scales.pop()
    m = pyo.ConcreteModel(name="voorzieningen_robust")
    m.VARIANTS = pyo.Set(initialize=names, ordered=True)
    m.variant = pyo.Block(m.VARIANTS, rule=lambda b, v: fill_model(b, datas[v]))
    for v in names:
        m.variant[v].objective.deactivate()
    add_nonanticipativity(m, names, first=datas[names[0]].periods[0])
    m.expected_objective = pyo.Expression(
        expr=sum(float(weights[v]) * m.variant[v].objective.expr for v in names)
    )
    if objective == "expected":
        m.objective = pyo.Objective(expr=m.expected_objective, sense=pyo.minimize)
        return RobustModel(m, scale)
    if best_objective is None or set(best_objective) != set(names):
        msg = "minmax_regret needs each variant's best objective (solve each variant alone)"
        raise ValueError(msg)
    m.best_objective = pyo.Param(
        m.VARIANTS, mutable=True, initialize={v: scale * float(best_objective[v]) for v in names}
    )
    m.max_regret = pyo.Var(within=pyo.Reals)
    m.c_regret = pyo.Constraint(
        m.VARIANTS,
        rule=lambda m, v: m.max_regret >= m.variant[v].objective.expr - m.best_objective[v],
    )
    m.objective = pyo.Objective(
        expr=m.max_regret + MINMAX_TIEBREAK * m.expected_objective, sense=pyo.minimize
    )
    return RobustModel(m, scale)


def add_nonanticipativity(m: pyo.ConcreteModel, names: list[str], *, first: int) -> None:
    """(N1) ``c_nonanticipativity``: every first-period decision equals the first variant's."""
    m.c_nonanticipativity = pyo.ConstraintList()
    ref = {(n, i): var for n, i, var in _first_stage_vars(m.variant[names[0]], first)}
    for v in names[1:]:
        for name, index, var in _first_stage_vars(m.variant[v], first):
            other = ref[(name, index)]
            if var.fixed and other.fixed and var.value == other.value:
                continue  # fixed alike by the builder (lead times, locks, end of life)
            m.c_nonanticipativity.add(var == other)


def block_objective(block: pyo.Block, objective_scale: float) -> float:
    """
    Return the objective of one variant's block of a solved robust model, in its own unit.

    Parameters
    ----------
    block
        ``model.variant[v]`` (or a single-variant model), solved.
    objective_scale
        The model's objective scale.

    Returns
    -------
    float
        The variant's objective (€ for ``cost``).
    """
    return float(pyo.value(block.objective.expr)) / objective_scale


def first_period_values(m: pyo.Block, data: ModelData) -> FirstPeriod:
    """
    Return the first-period building decisions of a solved model or block.

    Parameters
    ----------
    m
        A solved single-variant model, or one block of a solved robust model.
    data
        Its data.

    Returns
    -------
    FirstPeriod
        Value per (variable name, index); binaries rounded to 0 or 1.
    """
    out: FirstPeriod = {}
    for name, index, var in _first_stage_vars(m, data.periods[0]):
        value = float(var.value) if var.value is not None else 0.0
        out[(name, index)] = float(round(value)) if var.is_binary() else value
    return out


def fix_first_period(m: pyo.Block, values: FirstPeriod) -> list[Any]:
    """
    Fix a plan's first-period decisions in a single-variant model (to evaluate that plan).

    Continuous values are kept within the variable's bounds (rounding by the solver).

    Parameters
    ----------
    m
        A built single-variant model.
    values
        From :func:`first_period_values` of another variant's plan.

    Returns
    -------
    list
        The variables fixed here (not those the builder fixed); pass them to :func:`unfix`.
    """
    fixed: list[Any] = []
    for (name, index), value in values.items():
        var = getattr(m, name)[index]
        if var.fixed:
            continue
        low = var.lb if var.lb is not None else value
        high = var.ub if var.ub is not None else value
        var.fix(min(max(value, low), high))
        fixed.append(var)
    return fixed


def unfix(variables: list[Any]) -> None:
    """Free the variables :func:`fix_first_period` fixed."""
    for var in variables:
        var.unfix()


def var_values(m: pyo.Block) -> VarValues:
    """
    Return the values of every variable of a solved single-variant model.

    Parameters
    ----------
    m
        A solved model (or block).

    Returns
    -------
    VarValues
        Per variable name, its values by index.
    """
    return {
        v.local_name: v.extract_values() for v in m.component_objects(pyo.Var, descend_into=False)
    }


def warm_start(
    robust: RobustModel, plans: Mapping[str, VarValues], *, max_regret: float | None = None
) -> None:
    """
    Load one plan per variant into the robust model, as the solver's start.

    The plans must share their first-period decisions (the same single-variant plan
    evaluated under each variant): then they form a feasible robust plan, and the robust
    solve returns nothing worse.

    Parameters
    ----------
    robust
        The built robust model.
    plans
        Per variant, :func:`var_values` of that variant's model.
    max_regret
        The plans' largest regret in the objective's unit (``minmax_regret`` only).
    """
    m = robust.model
    for v, values in plans.items():
        block = m.variant[v]
        for name, by_index in values.items():
            getattr(block, name).set_values(by_index, skip_validation=True)
    if max_regret is not None and hasattr(m, "max_regret"):
        m.max_regret.set_value(robust.objective_scale * max_regret)
