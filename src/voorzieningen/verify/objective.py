"""Money and objective of a plan, recomputed from its decisions and the raw inputs.

Capex comes from each intervention's recomputed unit costs and the new floor area paid for,
proceeds from the raw sale values (or demolition), opex from floor areas in use, travel
times from the raw travel-time table; never from what the plan reports about them.
"""

from __future__ import annotations

import pandas as pd

from voorzieningen import tables as T
from voorzieningen.verify.arithmetic import Intervention
from voorzieningen.verify.inputs import NEW_AREA_M2, PERSONS
from voorzieningen.verify.state import CAPEX_RECOMPUTED, RAW_TIME, Context

#: Weight of the mean travel time (minutes) behind the worst-off objective: the formulation
#: in :mod:`voorzieningen.model.build` ("+ 1e-3 x the mean travel time").
WORST_OFF_MEAN_WEIGHT = 1e-3


def capex_per_period(ctx: Context) -> pd.Series:
    """Recomputed capex (€) per period (reported capex where the option is unknown)."""
    s = ctx.starts
    values = s[CAPEX_RECOMPUTED].fillna(s[T.CAPEX_EUR])
    return values.groupby(s[T.PERIOD]).sum().reindex(list(ctx.periods), fill_value=0.0)


def _close_values(ctx: Context) -> pd.Series:
    c = ctx.plan.closures
    value = c[T.SITE].map(ctx.buildings["close_value_eur"]).astype(float)
    return value.fillna(c["proceeds_eur"])


def proceeds_per_period(ctx: Context) -> pd.Series:
    """Net proceeds (€) of the closures per period (negative: demolition costs)."""
    c = ctx.plan.closures
    return _close_values(ctx).groupby(c[T.PERIOD]).sum().reindex(list(ctx.periods), fill_value=0.0)


def spend_per_period(ctx: Context) -> pd.Series:
    """
    Spending (€) per period as the budgets count it.

    Parameters
    ----------
    ctx
        The verification context.

    Returns
    -------
    pandas.Series
        Capex minus proceeds when sale proceeds fund capex, else capex plus demolition.
    """
    capex = capex_per_period(ctx)
    if ctx.inputs.budget.sale_proceeds_fund_capex:
        return capex - proceeds_per_period(ctx)
    c = ctx.plan.closures
    demolition = (-_close_values(ctx)).clip(lower=0.0).groupby(c[T.PERIOD]).sum()
    return capex + demolition.reindex(list(ctx.periods), fill_value=0.0)


def opex_per_period(ctx: Context) -> pd.Series:
    """Yearly opex (€ per year) of the managed buildings in use, per period."""
    b = ctx.buildings
    managed = b["managed"].astype(bool).to_dict()
    service = b[T.SERVICE].to_dict()
    area = b["area_m2"].astype(float).to_dict()
    opex = dict.fromkeys(ctx.periods, 0.0)
    for site, t in ctx.in_use:
        if managed[site]:
            rate = ctx.inputs.costs.for_service(service[site]).opex_eur_per_m2_year
            opex[t] += area[site] * rate
    for start, new, terms in zip(
        ctx.starts[T.PERIOD], ctx.starts[NEW_AREA_M2], ctx.starts["terms"], strict=True
    ):
        if isinstance(terms, Intervention):
            for t in ctx.periods:
                if t >= start:
                    opex[t] += terms.opex_eur_per_m2_year * (terms.reuse_area_m2 + float(new))
    return pd.Series(opex, dtype=float)


def terminal_value_eur(ctx: Context) -> float:
    """Sale value (€, at the end of the horizon) of managed buildings still in use then."""
    b = ctx.buildings
    last = ctx.periods[-1]
    rebuilt = ctx.plan.starts[T.SITE].value_counts()
    value = b["close_value_eur"].astype(float).to_dict()
    total = 0.0
    for site in b.index[b["managed"].astype(bool)]:
        count = int((site, last) in ctx.in_use) + int(rebuilt.get(site, 0))
        total += max(0.0, value[site]) * count
    return total


def plan_npv_eur(ctx: Context) -> float:
    """
    Net present value of the plan's costs, €.

    Parameters
    ----------
    ctx
        The verification context.

    Returns
    -------
    float
        Discounted capex less proceeds, plus discounted opex, less the residual value of
        undepreciated capex and the terminal value, all discounted to the first period.
    """
    m = ctx.money
    capex = capex_per_period(ctx)
    proceeds = proceeds_per_period(ctx)
    opex = opex_per_period(ctx)
    npv = 0.0
    for t in ctx.periods:
        npv += float(m.discount[t]) * (float(capex[t]) - float(proceeds[t]))
        npv += float(m.opex_factor[t]) * float(opex[t])
        npv -= m.end_discount * float(m.residual_share[t]) * float(capex[t])
    return npv - m.end_discount * terminal_value_eur(ctx)


def plan_objective(ctx: Context) -> float:
    """
    Recompute the plan's objective in its own unit from raw travel times and costs.

    Parameters
    ----------
    ctx
        The verification context.

    Returns
    -------
    float
        Person-minutes for ``access`` (service-weighted, period-weighted by length, unmet
        at the penalty, plus the cost tiebreak), € for ``cost``, minutes for ``worst_off``.
    """
    opts = ctx.inputs.model
    years = ctx.money.years
    weight = years / float(years.sum())
    a, u = ctx.assignments, ctx.plan.unmet
    time = a[RAW_TIME].fillna(a[T.TRAVEL_TIME_MIN]).to_numpy(dtype=float)
    wa = a[T.PERIOD].map(weight).to_numpy(dtype=float)
    wu = u[T.PERIOD].map(weight).to_numpy(dtype=float)
    persons = a[PERSONS].to_numpy(dtype=float)
    unmet = u[PERSONS].to_numpy(dtype=float)
    npv = plan_npv_eur(ctx)
    if opts.objective == "cost":
        per_year = u[T.PERIOD].map(years).to_numpy(dtype=float)
        return npv + opts.unmet_penalty_eur * float((per_year * unmet).sum())
    if opts.objective == "access":
        sw = {s: float(opts.service_weights.get(s, 1.0)) for s in ctx.services}
        sa = a[T.SERVICE].map(sw).to_numpy(dtype=float)
        su = u[T.SERVICE].map(sw).to_numpy(dtype=float)
        access = float((wa * sa * persons * time).sum())
        return (
            access
            + opts.unmet_penalty_min * float((wu * su * unmet).sum())
            + opts.cost_tiebreak * npv
        )
    # worst_off: per service the largest zone-average trip (unmet at the penalty), then the
    # horizon-average trip per person scaled by WORST_OFF_MEAN_WEIGHT.
    keys = [T.ZONE, T.SERVICE, T.PERIOD]
    trips = pd.Series(persons * time, index=a.index).groupby([a[k] for k in keys]).sum()
    short = u.groupby(keys)[PERSONS].sum()
    dem = ctx.demand[ctx.demand > 0].reorder_levels([0, 2, 1])  # to (zone, service, period)
    load = trips.reindex(dem.index, fill_value=0.0) + opts.unmet_penalty_min * short.reindex(
        dem.index, fill_value=0.0
    )
    average = load / dem
    worst = float(average.groupby(level=T.SERVICE).max().sum()) if len(average) else 0.0
    horizon_persons = float((ctx.demand.groupby(level=T.PERIOD).sum() * weight).sum())
    scale = WORST_OFF_MEAN_WEIGHT / max(horizon_persons, 1e-9)
    mean = float((wa * persons * time).sum()) + opts.unmet_penalty_min * float((wu * unmet).sum())
    return worst + scale * mean + opts.cost_tiebreak * scale * npv
