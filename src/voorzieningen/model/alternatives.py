"""Near-optimal alternatives: modelling to generate alternatives (MGA) on the investment model.

The formulation is ``models/alternatives.md``. Given a built and solved investment model
(:func:`voorzieningen.model.build.build_model`) with optimum f*, the functions here

- list the building decisions V of a plan (:func:`decision_terms`): per option, whether it
  is started; per managed site, whether it closes (in any year), each 0 or 1 in any plan, and
  read a plan's 0/1 vector of them (:func:`decision_vector`);
- bound the original objective to f* + ε |f*| (:func:`add_slack_bound`,
  constraint ``c_mga_objective``, mutable parameter ``mga_objective_limit`` in the objective's
  own unit);
- require a plan to differ from the earlier ones (:func:`add_differ_rows`, rows
  ``c_mga_differ``), to find the best such plan as the distance search's start;
- replace the objective by the smallest Hamming distance to the earlier plans, maximised
  (:func:`set_distance_objective`: variable ``mga_min_distance``, rows ``c_mga_distance``,
  objective ``mga_objective``), and switch back (:func:`restore_objective`);
- fix "keep building X open" (:func:`keep_open`) and fix a plan's decisions to re-optimise
  its assignments (:func:`fix_decisions` on :func:`decision_variables`: starts and closures
  per period); the caller unfixes with
  :func:`voorzieningen.model.counterfactual.release`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyomo.environ as pyo

from voorzieningen.errors import InputDataError
from voorzieningen.model.counterfactual import ON, Decision, fix_opposite
from voorzieningen.model.data import ModelData

#: Names of the components this module adds (``models/alternatives.md``).
COMPONENTS = (
    "mga_objective_limit",
    "c_mga_objective",
    "c_mga_differ",
    "mga_min_distance",
    "c_mga_distance",
    "mga_objective",
)


def decision_variables(model: pyo.ConcreteModel, data: ModelData) -> list[Any]:
    """
    Return the variables that hold a plan's building decisions per period.

    Parameters
    ----------
    model
        A built investment model.
    data
        The data it was built from.

    Returns
    -------
    list
        The free (not fixed by the model) variables ``start[k, t]``, then ``close[e, t]`` of
        every managed existing building, then ``close_option[k, t]``; each is 0 or 1 in any
        plan. Fixing them (:func:`fix_decisions`) fixes the plan's decisions and years.
    """
    fixed = set(data.fixed_sites)
    out: list[Any] = [v for v in model.start.values() if not v.fixed]
    out += [
        model.close[e, t]
        for e in data.existing
        if e not in fixed
        for t in data.periods
        if not model.close[e, t].fixed
    ]
    out += [v for v in model.close_option.values() if not v.fixed]
    return out


def decision_terms(model: pyo.ConcreteModel, data: ModelData) -> list[Any]:
    """
    Return the building decisions the distance counts, whatever their year (V).

    Parameters
    ----------
    model
        A built investment model.
    data
        The data it was built from.

    Returns
    -------
    list
        Linear expressions, each 0 or 1 in any plan (``models/alternatives.md``, §1): per
        option *k*, whether it is started (``sum_t start[k, t]``); then per managed existing
        building, whether it closes within the horizon,
        as it is or after an intervention (``sum_t close[e, t] + sum_{k, t}
        close_option[k, t]``). Terms whose variables are all fixed are left out.
    """
    periods = data.periods
    by_site = data.options_by_site
    terms: list[Any] = []
    for k in sorted({k for k, _ in model.start}):
        variables = [model.start[k, t] for t in periods]
        if any(not v.fixed for v in variables):
            terms.append(pyo.quicksum(variables))
    fixed = set(data.fixed_sites)
    existing = [e for e in data.existing if e not in fixed]
    # Existing buildings only: counting the closure of a new building would pay the search
    # to build on a plot and close it again (models/alternatives.md, section 1).
    for j in existing:
        variables = [model.close_option[k, t] for k in by_site.get(j, []) for t in periods]
        variables += [model.close[j, t] for t in periods]
        if any(not v.fixed for v in variables):
            terms.append(pyo.quicksum(variables))
    return terms


def decision_vector(terms: Sequence[Any]) -> np.ndarray:
    """
    Read a plan's building decisions as 0/1.

    Parameters
    ----------
    terms
        From :func:`decision_terms` (or variables from :func:`decision_variables`), holding
        a plan.

    Returns
    -------
    numpy.ndarray
        One int8 per term: 1 where its value exceeds 0.5.
    """
    values = [pyo.value(term, exception=False) for term in terms]
    return np.array([1 if v is not None and float(v) > ON else 0 for v in values], dtype=np.int8)


def hamming(a: np.ndarray, b: np.ndarray) -> int:
    """
    Return the Hamming distance of two decision vectors.

    Parameters
    ----------
    a, b
        From :func:`decision_vector` on the same model.

    Returns
    -------
    int
        The number of building decisions (an option started, a site closed) that differ.
    """
    return int(np.count_nonzero(a != b))


def slack_limit(optimum: float, slack: float) -> float:
    """
    Return the largest objective an alternative may have: f* + ε |f*|.

    Parameters
    ----------
    optimum
        The optimum objective, in the objective's own unit (€, person-minutes, minutes).
    slack
        The slack ε as a fraction (0.05: 5 %); with a negative optimum
        (a plan that earns money) the bound still lies above it.

    Returns
    -------
    float
        The limit, in the objective's unit.
    """
    return optimum + slack * abs(optimum)


def add_slack_bound(
    model: pyo.ConcreteModel, limit: float, objective_scale: float
) -> pyo.Constraint:
    """
    Bound the original objective: ``objective.expr <= κ * mga_objective_limit``.

    Parameters
    ----------
    model
        A built investment model (its objective ``objective``).
    limit
        The limit in the objective's unit (:func:`slack_limit`); stored in the mutable
        parameter ``mga_objective_limit``.
    objective_scale
        κ of ``BuiltModel.objective_scale`` (1e-6 for the cost objective, written in M€).

    Returns
    -------
    pyomo.environ.Constraint
        The row ``c_mga_objective``.
    """
    model.mga_objective_limit = pyo.Param(initialize=float(limit), mutable=True)
    model.c_mga_objective = pyo.Constraint(
        expr=model.objective.expr <= float(objective_scale) * model.mga_objective_limit
    )
    return model.c_mga_objective


def _distance(terms: Sequence[Any], plan: np.ndarray) -> Any:
    """Linear Hamming distance of the model's decisions to a 0/1 plan."""
    ones = [v for v, x in zip(terms, plan, strict=True) if x]
    zeros = [v for v, x in zip(terms, plan, strict=True) if not x]
    return pyo.quicksum(zeros) + len(ones) - pyo.quicksum(ones)


def add_differ_rows(
    model: pyo.ConcreteModel, terms: Sequence[Any], plans: Sequence[np.ndarray]
) -> None:
    """
    Require a plan to differ from every earlier plan in one building decision at least.

    Adds one row of ``c_mga_differ``, ``D_i(x) >= 1``, per plan not yet in it. Solved with
    the investment objective, the model then gives the best plan that differs (the seed of
    the distance search); infeasible with the slack bound, no other plan fits the slack.

    Parameters
    ----------
    model
        A built investment model.
    terms
        From :func:`decision_terms`.
    plans
        The earlier plans' decision vectors; called again with more, only the new ones are
        added.
    """
    if not hasattr(model, "c_mga_differ"):
        model.c_mga_differ = pyo.ConstraintList()
    rows = model.c_mga_differ
    for plan in plans[len(rows) :]:
        rows.add(_distance(terms, plan) >= 1)


def set_distance_objective(
    model: pyo.ConcreteModel, terms: Sequence[Any], plans: Sequence[np.ndarray]
) -> None:
    """
    Maximise the smallest Hamming distance to earlier plans (then their sum, as a tie-break).

    Adds ``mga_min_distance`` (a variable, decisions), one row of ``c_mga_distance`` per plan
    not yet in it and the objective ``mga_objective`` = ``mga_min_distance`` + η Σ distances,
    η = 1 / (1 + |plans| |V|) so that the sum only breaks ties; deactivates ``objective``.

    Parameters
    ----------
    model
        A built investment model (with :func:`add_slack_bound`).
    terms
        From :func:`decision_terms`.
    plans
        The earlier plans' decision vectors (the optimum first); called again with more
        plans, only the new ones are added.

    Raises
    ------
    ValueError
        If ``plans`` is empty.
    """
    if not plans:
        msg = "set_distance_objective needs at least one earlier plan (the optimum)"
        raise ValueError(msg)
    if not hasattr(model, "mga_min_distance"):
        model.mga_min_distance = pyo.Var(within=pyo.NonNegativeReals, bounds=(0, len(terms)))
        model.c_mga_distance = pyo.ConstraintList()
    rows = model.c_mga_distance
    distances = [_distance(terms, plan) for plan in plans]
    for distance in distances[len(rows) :]:
        rows.add(model.mga_min_distance <= distance)
    if hasattr(model, "mga_objective"):
        model.del_component(model.mga_objective)
    tie = 1.0 / (1.0 + len(plans) * max(len(terms), 1))
    model.mga_objective = pyo.Objective(
        expr=model.mga_min_distance + tie * pyo.quicksum(distances),
        sense=pyo.maximize,
    )
    model.objective.deactivate()


def restore_objective(model: pyo.ConcreteModel) -> None:
    """
    Make the original objective the active one again (the distance objective off).

    Parameters
    ----------
    model
        A model given :func:`set_distance_objective`.
    """
    if hasattr(model, "mga_objective"):
        model.mga_objective.deactivate()
    model.objective.activate()


def check_keep(data: ModelData, sites: Sequence[str]) -> None:
    """
    Refuse a site to keep open that is not an existing building of the model.

    Parameters
    ----------
    data
        The model's data.
    sites
        Site ids.

    Raises
    ------
    InputDataError
        Naming the site (a candidate site, or unknown) and the buildings there are.
    """
    known = list(data.existing)
    unknown = [s for s in sites if s not in set(known)]
    if not unknown:
        return
    shown = ", ".join(known[:20]) + (f" and {len(known) - 20} more" if len(known) > 20 else "")
    candidates = [s for s in unknown if s in set(data.candidates)]
    what = (
        f"{', '.join(candidates)} is a candidate site, not a building; "
        if candidates
        else f"unknown site {', '.join(repr(s) for s in unknown)}; "
    )
    msg = (
        f"(--keep) | {what}give the site id of an existing building of the run "
        f"(sites.csv, column site): {shown}."
    )
    raise InputDataError(msg)


def keep_open(model: pyo.ConcreteModel, data: ModelData, sites: Sequence[str]) -> list[Any]:
    """
    Fix "keep building X open": it never closes, as it is or after an intervention.

    The variables fixed are those of the opposite of a closure in
    :func:`voorzieningen.model.counterfactual.fix_opposite`: ``close[e, t] = 0`` and
    ``close_option[k, t] = 0`` for every option *k* of *e* and every period (past its end of
    life it must then be extended, renovated or converted).

    Parameters
    ----------
    model
        A built investment model.
    data
        The data it was built from.
    sites
        Site ids of existing buildings of a modelled service.

    Returns
    -------
    list
        The variables fixed here (free them with
        :func:`voorzieningen.model.counterfactual.release`); a building the plan does not
        manage, or locked open, needs none.

    Raises
    ------
    InputDataError
        If a site is not an existing building of the model (:func:`check_keep`).
    """
    check_keep(data, sites)
    fixed: list[Any] = []
    for site in sites:
        fixed += fix_opposite(model, data, Decision(site, "close", data.periods[0], "close"))
    return fixed


def fix_decisions(variables: Sequence[Any]) -> list[Any]:
    """
    Fix the building decisions to the plan the model holds (to re-optimise the rest).

    Parameters
    ----------
    variables
        From :func:`decision_variables`, holding a plan.

    Returns
    -------
    list
        The variables fixed here, each at its value rounded to 0 or 1 (not those fixed
        already).
    """
    plan = decision_vector(variables)
    fixed: list[Any] = []
    for var, value in zip(variables, plan, strict=True):
        if not var.fixed:
            var.fix(float(value))
            fixed.append(var)
    return fixed
