"""Counterfactuals of a solved investment model: the opposite of one decision, fixed.

A solved model (:func:`voorzieningen.model.build.build_model`) holds a plan. For each
building the plan manages, :func:`managed_decisions` reads what the plan does with it and
names the opposite choice; :func:`fix_opposite` fixes the model's variables so that only
plans making the opposite choice remain (the caller re-solves, warm-started, and
:func:`release` frees them again); :func:`plan_figures` reads a plan's cost and access
figures. The variables fixed, per choice (names as in ``models/investment.md``):

- the plan **closes** building *e* (as it is, or after an intervention): *keep* it, i.e.
  ``close[e, t] = 0`` and ``close_option[k, t] = 0`` for every option *k* of *e* and every
  period *t* (past its end of life it must then be renovated or converted);
- the plan **keeps** *e* as it is: *close* it in the first period, ``close[e, t1] = 1``;
- the plan **invests** in *e* (renovate, convert, MFA) or builds new on candidate site
  *j*: *no investment*, ``start[k, t] = 0`` for every option *k* of the site and every
  period.

Nothing is stored on the model: the fixed variables are returned to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pyomo.environ as pyo

from voorzieningen import tables as T
from voorzieningen.model.data import ModelData

#: Values above this count as 1 when reading binary decisions.
ON = 0.5

#: Keys of :func:`plan_figures` (units in the names).
NET_SPEND_EUR = "net_spend_eur"
GROSS_CAPEX_EUR = "gross_capex_eur"

#: What a plan does with a building, and the opposite choice explained.
Choice = Literal["keep", "close", "invest", "new"]
Opposite = Literal["close", "keep", "no_investment", "no_build"]

OPPOSITE: dict[Choice, Opposite] = {
    "keep": "close",
    "close": "keep",
    "invest": "no_investment",
    "new": "no_build",
}


@dataclass(frozen=True)
class Decision:
    """What a plan does with one managed building (or candidate site it builds on).

    Attributes
    ----------
    site
        Site id.
    choice
        ``keep`` (as it is, never closed), ``close``, ``invest`` (an option starts) or
        ``new`` (a candidate site is built on).
    period
        Year of the closure or of the first start; None for ``keep``.
    action
        The option's action (``renovate``, ``convert``, ``mfa``, ``new``), or the choice.
    """

    site: str
    choice: Choice
    period: int | None
    action: str

    @property
    def opposite(self) -> Opposite:
        """The opposite choice: close, keep, no_investment or no_build."""
        return OPPOSITE[self.choice]


def _on(var: Any) -> bool:
    value = var.value
    return value is not None and float(value) > ON


def managed_decisions(model: pyo.ConcreteModel, data: ModelData) -> list[Decision]:
    """
    Read what a solved plan does with every building it manages.

    Parameters
    ----------
    model
        A solved investment model.
    data
        The data it was built from.

    Returns
    -------
    list of Decision
        One per managed existing building (``data.existing`` less ``data.fixed_sites``),
        in the order of ``data.existing``, then one per candidate site the plan builds on.
    """
    fixed = set(data.fixed_sites)
    by_site = data.options_by_site
    actions = data.options["action"].astype(str).to_numpy()
    out: list[Decision] = []

    def first_start(j: str) -> tuple[int, int] | None:
        hits = [(t, k) for k in by_site.get(j, []) for t in data.periods if _on(model.start[k, t])]
        return min(hits) if hits else None

    for e in data.existing:
        if e in fixed:
            continue
        started = first_start(e)
        if started is not None:
            t, k = started
            out.append(Decision(e, "invest", t, str(actions[k])))
            continue
        closed = [t for t in data.periods if _on(model.close[e, t])]
        if closed:
            out.append(Decision(e, "close", closed[0], "close"))
        else:
            out.append(Decision(e, "keep", None, "keep"))
    for j in data.candidates:
        started = first_start(j)
        if started is not None:
            t, k = started
            out.append(Decision(j, "new", t, str(actions[k])))
    return out


def fix_opposite(model: pyo.ConcreteModel, data: ModelData, decision: Decision) -> list[Any]:
    """
    Fix the model's variables so that only plans making the opposite choice remain.

    Parameters
    ----------
    model
        A built investment model.
    data
        The data it was built from.
    decision
        The plan's decision on one site.

    Returns
    -------
    list
        The variables fixed here (give them to :func:`release`); empty if the opposite
        choice is ruled out by the model itself (a ``no_close`` or ``must_keep`` lock rules
        out closing), in which case nothing was fixed.
    """
    site = decision.site
    options = data.options_by_site.get(site, [])
    targets: list[tuple[Any, float]] = []
    if decision.opposite == "close":
        var = model.close[site, data.periods[0]]
        if var.fixed:  # locked: the model may never close it
            return []
        targets.append((var, 1.0))
    elif decision.opposite == "keep":
        targets.extend((model.close[site, t], 0.0) for t in data.periods)
        targets.extend((model.close_option[k, t], 0.0) for k in options for t in data.periods)
    else:
        targets.extend((model.start[k, t], 0.0) for k in options for t in data.periods)
    fixed: list[Any] = []
    for var, value in targets:
        if var.fixed:
            continue  # fixed by the model already (to 0: lock, end of life, horizon)
        var.fix(value)
        fixed.append(var)
    return fixed


def release(variables: list[Any]) -> None:
    """
    Unfix variables fixed by :func:`fix_opposite`.

    Parameters
    ----------
    variables
        As returned by :func:`fix_opposite`.
    """
    for var in variables:
        var.unfix()


def snapshot(model: pyo.ConcreteModel) -> dict[str, dict[Any, Any]]:
    """
    Return the values of every variable of a model (a plan, to restore as a warm start).

    Parameters
    ----------
    model
        A model whose variables hold a plan.

    Returns
    -------
    dict
        Variable name -> {index: value}.
    """
    return {
        var.name: var.extract_values()
        for var in model.component_objects(pyo.Var, descend_into=True)
    }


def restore(model: pyo.ConcreteModel, values: dict[str, dict[Any, Any]]) -> None:
    """
    Put the values of :func:`snapshot` back into the model's free variables.

    Parameters
    ----------
    model
        The model the snapshot was taken of.
    values
        The snapshot.
    """
    for var in model.component_objects(pyo.Var, descend_into=True):
        saved = values.get(var.name, {})
        for index, v in var.items():
            if not v.fixed and index in saved:
                v.set_value(saved[index], skip_validation=True)


def plan_figures(model: pyo.ConcreteModel, data: ModelData) -> dict[str, float]:
    """
    Read the cost and access figures of the plan held in a solved model.

    Persons are horizon averages per period (weighted by period length, as in the
    summary); the mean travel time counts everyone: persons left unserved count at their
    service's penalty (``ModelData.unmet_penalty_min``, minutes).

    Parameters
    ----------
    model
        A solved investment model.
    data
        The data it was built from.

    Returns
    -------
    dict
        ``net_spend_eur`` (capex less proceeds over the horizon, €), ``gross_capex_eur``
        (€), ``npv_cost_eur`` (€) and, per service *s*, ``<s>:mean_time_all_min``
        (minutes) and ``<s>:unmet_persons`` (persons of the service's own unit).
    """
    weight = data.period_weight
    out: dict[str, float] = {
        NET_SPEND_EUR: float(sum(pyo.value(model.net_spend_eur[t]) for t in data.periods)),
        GROSS_CAPEX_EUR: float(sum(pyo.value(model.gross_capex_eur[t]) for t in data.periods)),
        T.NPV_COST_EUR: float(pyo.value(model.npv_cost_eur)),
    }
    pairs = data.pairs
    tt = pairs[T.TRAVEL_TIME_MIN].to_numpy(dtype=float)
    service = pairs[T.SERVICE].to_numpy()
    assigned = model.assigned_persons.extract_values()
    unmet = model.unmet_persons.extract_values()
    demand = data.demand.groupby(level=[T.SERVICE, T.PERIOD]).sum()
    served = {
        t: np.array([assigned.get((p, t)) or 0.0 for p in range(len(pairs))], dtype=float)
        for t in data.periods
    }
    for s in data.services:
        mask = service == s
        minutes = 0.0
        persons = 0.0
        short = 0.0
        for t in data.periods:
            w = float(weight[t])
            minutes += w * float((tt[mask] * served[t][mask]).sum())
            short += w * sum(float(unmet.get((z, s, t)) or 0.0) for z in data.zones)
            persons += w * float(demand.get((s, t), 0.0))
        penalty = data.unmet_penalty_min(s)
        out[f"{s}:mean_time_all_min"] = (
            (minutes + penalty * short) / persons if persons > 0 else float("nan")
        )
        out[f"{s}:unmet_persons"] = short
    return out
