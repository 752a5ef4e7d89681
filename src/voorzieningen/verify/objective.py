"""Money and objective of a plan, recomputed from its decisions and the raw inputs.

Capex comes from each intervention's recomputed unit costs and the new floor area paid for,
proceeds from the raw sale values (or demolition), opex from floor areas in use, travel
times from the raw travel-time table; never from what the plan reports about them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from voorzieningen import tables as T
from voorzieningen.verify.arithmetic import Intervention
from voorzieningen.verify.inputs import NEW_AREA_M2, PERSONS
from voorzieningen.verify.state import CAPEX_RECOMPUTED, RAW_TIME, Context, intervention_end

#: Weight of the mean travel time (minutes) behind the worst-off objective: the formulation
#: in :mod:`voorzieningen.model.build` ("+ 1e-3 x the mean travel time").
WORST_OFF_MEAN_WEIGHT = 1e-3


def capex_per_period(ctx: Context) -> pd.Series:
    """Recomputed capex (€) per period (reported capex where the option is unknown)."""
    s = ctx.starts
    values = s[CAPEX_RECOMPUTED].fillna(s[T.CAPEX_EUR])
    return values.groupby(s[T.PERIOD]).sum().reindex(list(ctx.periods), fill_value=0.0)


def _candidate_value(ctx: Context, site: str) -> float:
    """Proceeds of closing what stands on a candidate site: its given sale value, else 0."""
    if site not in ctx.sites.index:
        return 0.0
    value = float(ctx.sites[T.SALE_VALUE_EUR].astype(float)[site])
    return 0.0 if np.isnan(value) else value


def site_value(ctx: Context, site: str) -> float:
    """Net proceeds (€) of closing a site.

    A building's sale value (or minus demolition), a candidate's given value of the plot and what stands on it (else 0).
    """
    b = ctx.buildings["close_value_eur"]
    return float(b[site]) if site in b.index else _candidate_value(ctx, site)


def _close_values(ctx: Context) -> pd.Series:
    c = ctx.plan.closures
    return pd.Series([site_value(ctx, j) for j in c[T.SITE]], index=c.index, dtype=float)


def proceeds_per_period(ctx: Context) -> pd.Series:
    """Net proceeds (€) of the closures per period (negative: demolition costs)."""
    c = ctx.plan.closures
    return _close_values(ctx).groupby(c[T.PERIOD]).sum().reindex(list(ctx.periods), fill_value=0.0)


def gross_capex_per_period(ctx: Context) -> pd.Series:
    """Gross capex (€) per period: capex plus the demolition cost of closures."""
    c = ctx.plan.closures
    demolition = (-_close_values(ctx)).clip(lower=0.0).groupby(c[T.PERIOD]).sum()
    return capex_per_period(ctx) + demolition.reindex(list(ctx.periods), fill_value=0.0)


def net_spend_per_period(ctx: Context) -> pd.Series:
    """Net spend (€) per period: capex minus the net proceeds of closures."""
    return capex_per_period(ctx) - proceeds_per_period(ctx)


def _open_periods(ctx: Context, site: str, start: int) -> list[int]:
    """Periods an intervention started in ``start`` is open.

    Until its site closes or a later intervention there starts.
    """
    end = intervention_end(ctx.starts, ctx.closed, ctx.periods, site, start)
    return [t for t in ctx.periods if start <= t < end]


def opex_per_period(ctx: Context) -> pd.Series:
    """Yearly opex (€ per year) of managed buildings in use or open, and of temporary space."""
    b = ctx.buildings
    managed = b["managed"].astype(bool).to_dict()
    service = b[T.SERVICE].to_dict()
    area = b["area_m2"].astype(float).to_dict()
    opex = dict.fromkeys(ctx.periods, 0.0)
    for site, t in ctx.in_use:
        if managed[site]:
            rate = ctx.inputs.costs.for_service(service[site]).opex_eur_per_m2_year
            opex[t] += area[site] * rate
    lead = int(ctx.inputs.model.construction_lead_periods)
    temporary = ctx.inputs.model.service_during_works == "temporary"
    index = {t: i for i, t in enumerate(ctx.periods)}
    for site, start, new, terms in zip(
        ctx.starts[T.SITE],
        ctx.starts[T.PERIOD],
        ctx.starts[NEW_AREA_M2],
        ctx.starts["terms"],
        strict=True,
    ):
        if not isinstance(terms, Intervention):
            continue
        for t in _open_periods(ctx, site, int(start)):
            opex[t] += terms.opex_eur_per_m2_year * (terms.reuse_area_m2 + float(new))
            mine = lead if terms.lead_periods is None else terms.lead_periods
            if temporary and site in service and index[t] < index[int(start)] + mine:
                s0 = service[site]
                rate = ctx.inputs.costs.for_service(s0).temporary_eur_per_place_year
                opex[t] += rate * float(b[T.CAPACITY_PLACES].astype(float)[site])
    return pd.Series(opex, dtype=float)


def terminal_value_eur(ctx: Context) -> float:
    """Net closure value (€, at the end of the horizon) of managed sites still open then.

    A sale value, or minus the demolition cost of a building kept.
    """
    b = ctx.buildings
    last = ctx.periods[-1]
    total = 0.0
    for site in b.index[b["managed"].astype(bool)]:
        if (site, last) in ctx.in_use:
            total += site_value(ctx, site)
    for site, start in zip(ctx.starts[T.SITE], ctx.starts[T.PERIOD], strict=True):
        if last in _open_periods(ctx, site, int(start)):
            total += site_value(ctx, site)
    return total


def _residual_share(ctx: Context, start: int, terms: object) -> float:
    """Share of capex spent in ``start`` left at the horizon's end (its own life)."""
    if isinstance(terms, Intervention) and terms.life_years is not None:
        end = ctx.periods[-1] + float(ctx.money.years.iloc[-1])
        return min(1.0, max(0.0, 1.0 - (end - start) / terms.life_years))
    return float(ctx.money.residual_share[start])


def residual_value_eur(ctx: Context) -> float:
    """Undepreciated capex (€, at the end of the horizon) of interventions still open then.

    Straight line over the building life; a life extension over its extended life.
    """
    last = ctx.periods[-1]
    s = ctx.starts
    values = s[CAPEX_RECOMPUTED].fillna(s[T.CAPEX_EUR])
    return float(
        sum(
            _residual_share(ctx, int(t), terms) * float(v)
            for j, t, v, terms in zip(s[T.SITE], s[T.PERIOD], values, s["terms"], strict=True)
            if last in _open_periods(ctx, j, int(t))
        )
    )


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
        undepreciated capex still in use and the terminal value, all discounted to the first
        period.
    """
    m = ctx.money
    capex = capex_per_period(ctx)
    proceeds = proceeds_per_period(ctx)
    opex = opex_per_period(ctx)
    npv = 0.0
    for t in ctx.periods:
        npv += float(m.discount[t]) * (float(capex[t]) - float(proceeds[t]))
        npv += float(m.opex_factor[t]) * float(opex[t])
    return npv - m.end_discount * (residual_value_eur(ctx) + terminal_value_eur(ctx))


def norm_shortfall(ctx: Context) -> pd.Series:
    """Persons short of each soft coverage norm, by (service, period)."""
    a = ctx.assignments
    time = a[RAW_TIME].fillna(a[T.TRAVEL_TIME_MIN])
    total = ctx.demand.groupby(level=[T.SERVICE, T.PERIOD]).sum()
    short: dict[tuple[str, int], float] = {}
    if not ctx.inputs.model.allow_unmet_demand:
        return pd.Series(short, dtype=float)
    for s in ctx.services:
        norm = getattr(ctx.inputs.norms, s)
        if norm.min_share_within is None:
            continue
        for t in ctx.periods:
            here = (a[T.SERVICE] == s) & (a[T.PERIOD] == t) & (time <= norm.within_min)
            need = norm.min_share_within * float(total.get((s, t), 0.0))
            short[(s, t)] = max(0.0, need - float(a.loc[here, PERSONS].sum()))
    return pd.Series(short, dtype=float)


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
    short = norm_shortfall(ctx)
    short_t = short.index.get_level_values(1) if len(short) else pd.Index([])
    short_s = short.index.get_level_values(0) if len(short) else pd.Index([])
    if opts.objective == "cost":
        per_year = u[T.PERIOD].map(years).to_numpy(dtype=float)
        norm_eur = opts.norm_shortfall_penalty_eur or opts.unmet_penalty_eur
        short_years = np.asarray([float(years[t]) for t in short_t], dtype=float)
        return (
            npv
            + opts.unmet_penalty_eur * float((per_year * unmet).sum())
            + norm_eur * float((short_years * short.to_numpy(dtype=float)).sum())
        )
    sw = {s: float(opts.service_weights.get(s, 1.0)) for s in ctx.services}
    pu = u[T.SERVICE].map(opts.unmet_penalty_min_for).to_numpy(dtype=float)
    # Every person counts: unmet at its service's penalty, norm shortfall at its penalty.
    penalty = float((wu * u[T.SERVICE].map(sw).to_numpy(dtype=float) * pu * unmet).sum()) + sum(
        float(weight[t]) * sw[s] * opts.norm_shortfall_penalty_min_for(s) * float(v)
        for s, t, v in zip(short_s, short_t, short.to_numpy(dtype=float), strict=True)
    )
    if opts.objective == "access":
        sa = a[T.SERVICE].map(sw).to_numpy(dtype=float)
        access = float((wa * sa * persons * time).sum())
        return access + penalty + opts.cost_tiebreak * npv
    # worst_off: per service the largest zone-average trip (unmet at the penalty), then the
    # horizon-average trip per person scaled by WORST_OFF_MEAN_WEIGHT.
    keys = [T.ZONE, T.SERVICE, T.PERIOD]
    trips = pd.Series(persons * time, index=a.index).groupby([a[k] for k in keys]).sum()
    unserved = pd.Series(pu * unmet, index=u.index).groupby([u[k] for k in keys]).sum()
    dem = ctx.demand[ctx.demand > 0].reorder_levels([0, 2, 1])  # to (zone, service, period)
    load = trips.reindex(dem.index, fill_value=0.0) + unserved.reindex(dem.index, fill_value=0.0)
    average = load / dem
    worst = float(average.groupby(level=T.SERVICE).max().sum()) if len(average) else 0.0
    horizon_persons = float((ctx.demand.groupby(level=T.PERIOD).sum() * weight).sum())
    scale = WORST_OFF_MEAN_WEIGHT / max(horizon_persons, 1e-9)
    mean = float((wa * persons * time).sum()) + penalty
    return worst + scale * mean + opts.cost_tiebreak * scale * npv
