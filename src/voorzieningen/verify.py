"""Independent verifier of a plan: re-checks every rule without Pyomo.

:func:`verify_plan` recomputes, from the plan's decisions alone and the model data, the
lifecycle of every building, capacities, assignments, budgets, norms and the objective, and
raises :class:`~voorzieningen.errors.VerificationError` listing every violation. The run
calls it after every solve, so a modelling bug can never produce a silently wrong plan.
"""

from __future__ import annotations

from typing import Protocol, cast

import numpy as np
import pandas as pd

from voorzieningen import tables as T
from voorzieningen.errors import VerificationError
from voorzieningen.model.data import WORST_OFF_SECONDARY, ModelData
from voorzieningen.schemas.model import Service

#: Absolute tolerance (persons, places, €) for rounding in the solver.
ABS_TOL = 1e-4
#: Relative tolerance for objective and budget comparisons.
REL_TOL = 1e-6


class PlanFrames(Protocol):
    """The decisions of a plan as plain tables (:class:`voorzieningen.results.Plan` fits)."""

    @property
    def starts(self) -> pd.DataFrame:
        """Options started: site, option, action, services, period, capex_eur, new_area_m2."""

    @property
    def capacity_built(self) -> pd.DataFrame:
        """Places built: site, option, service, period, capacity_places."""

    @property
    def asis(self) -> pd.DataFrame:
        """Existing buildings used as is: site, period, in_use."""

    @property
    def closures(self) -> pd.DataFrame:
        """Closures: site, period, proceeds_eur."""

    @property
    def assignments(self) -> pd.DataFrame:
        """Persons served: zone, site, service, period, persons, travel_time_min."""

    @property
    def unmet(self) -> pd.DataFrame:
        """Persons not served: zone, service, period, persons."""


def _tol(value: float) -> float:
    return ABS_TOL + REL_TOL * abs(value)


def _lifecycle(
    plan: PlanFrames, data: ModelData, errors: list[str]
) -> dict[tuple[str, str, int], float]:
    """Check lifecycles; return capacity per (site, service, period)."""
    periods = data.periods
    starts = plan.starts
    capacity: dict[tuple[str, str, int], float] = {}
    for site, count in starts.groupby(T.SITE).size().items():
        if count > 1:
            errors.append(f"site {site}: {count} interventions started; at most one is allowed")
    in_use = (
        plan.asis.loc[plan.asis["in_use"].astype(bool)]
        .groupby(T.SITE)[T.PERIOD]
        .apply(set)
        .to_dict()
    )
    closed = plan.closures.groupby(T.SITE)[T.PERIOD].min().to_dict()
    started = starts.groupby(T.SITE)[T.PERIOD].min().to_dict()
    for site in data.asis_area_m2.index.astype(str):
        used = in_use.get(site, set())
        last = data.asis_last_period.get(site)
        end = min(closed.get(site, 10**9), started.get(site, 10**9))
        expected = {t for t in periods if t < end}
        if used != expected:
            errors.append(
                f"site {site}: used as is in {sorted(used)}, but the lifecycle implies "
                f"{sorted(expected)} (closures and interventions are final)"
            )
        if site in data.fixed_sites and (site in closed or site in started):
            errors.append(f"site {site}: not managed by the plan, but closed or rebuilt")
        if site in closed and site in started:
            errors.append(f"site {site}: both closed and rebuilt")
        if last is None or (isinstance(last, float) and np.isnan(last)):
            late = sorted(used)
        else:
            late = sorted(t for t in used if t > last)
        if late:
            errors.append(f"site {site}: used as is after its end of life in {late}")
        if site not in closed and site not in started and expected != set(periods):
            errors.append(f"site {site}: leaves as-is use without closure or intervention")
        for key, cap0 in data.asis_capacity.items():
            s_site, service = cast("tuple[str, str]", key)
            if s_site == site:
                for t in used:
                    old = capacity.get((site, service, t), 0.0)
                    capacity[(site, service, t)] = old + float(cap0)
    opts = data.options.set_index([T.SITE, "option"])
    for _, row in starts.iterrows():
        key = (row[T.SITE], row["option"])
        if key not in opts.index:
            errors.append(f"site {key[0]}: option {key[1]} does not exist")
            continue
        opt = opts.loc[key]
        hosted = list(opt["services"])
        built = plan.capacity_built[
            (plan.capacity_built[T.SITE] == key[0]) & (plan.capacity_built["option"] == key[1])
        ]
        foreign = set(built[T.SERVICE]) - set(hosted)
        if foreign:
            errors.append(f"site {key[0]}: capacity for {sorted(foreign)} not hosted by {key[1]}")
        wrong_time = built[built[T.PERIOD] != row[T.PERIOD]]
        if len(wrong_time):
            errors.append(f"site {key[0]}: capacity built outside the start period {row[T.PERIOD]}")
        areas = [
            float(data.m2_per_place[s]) * float(c)
            for s, c in zip(built[T.SERVICE], built[T.CAPACITY_PLACES], strict=True)
        ]
        saving = float(opt["saving"])
        smallest = min(
            (
                float(data.m2_per_place[s])
                * float(built.loc[built[T.SERVICE] == s, T.CAPACITY_PLACES].sum())
                for s in hosted
            ),
            default=0.0,
        )
        shared = min(saving * sum(areas), saving * len(hosted) * smallest) if saving else 0.0
        new_area = max(0.0, sum(areas) - shared - float(opt["reuse_area_m2"]))
        if float(row["new_area_m2"]) < new_area - _tol(new_area):
            errors.append(
                f"site {key[0]}: {row['new_area_m2']:.1f} m² new floor area paid for, "
                f"{new_area:.1f} m² needed"
            )
        capex = (
            float(opt["fixed_capex_eur"])
            + float(opt["reuse_capex_eur"])
            + float(opt["new_eur_per_m2"]) * float(row["new_area_m2"])
        )
        if abs(capex - float(row[T.CAPEX_EUR])) > _tol(capex):
            errors.append(
                f"site {key[0]}: capex {row[T.CAPEX_EUR]:,.0f} EUR reported, {capex:,.0f} EUR recomputed"
            )
        for s, c in zip(built[T.SERVICE], built[T.CAPACITY_PLACES], strict=True):
            for t in periods:
                if t >= row[T.PERIOD]:
                    capacity[(key[0], s, t)] = capacity.get((key[0], s, t), 0.0) + float(c)
        for s in hosted:
            for t in periods:
                if t >= row[T.PERIOD]:
                    capacity.setdefault((key[0], s, t), 0.0)
    return capacity


def verify_plan(plan: PlanFrames, data: ModelData, *, objective_value: float | None = None) -> None:
    """
    Re-check a plan against every rule of the model, independently of the solver.

    Parameters
    ----------
    plan
        The plan's decisions (a :class:`voorzieningen.results.Plan` fits).
    data
        The model data the plan was made for.
    objective_value
        The objective the solver reported; when given, it is recomputed from the plan and
        compared (relative tolerance 1e-6).

    Raises
    ------
    VerificationError
        Listing every violation found: lifecycle (irreversible closures, one intervention,
        end of life), capacity, assignments to sites that do not host the service, demand
        balance, minimum size, coverage norms, budgets, capex and objective.
    """
    errors: list[str] = []
    capacity = _lifecycle(plan, data, errors)
    a = plan.assignments
    eligible = set(zip(data.pairs[T.ZONE], data.pairs[T.SITE], data.pairs[T.SERVICE], strict=True))
    for z, j, s, t, persons in zip(
        a[T.ZONE], a[T.SITE], a[T.SERVICE], a[T.PERIOD], a["persons"], strict=True
    ):
        if (z, j, s) not in eligible:
            errors.append(f"zone {z} assigned to {j} for {s}: not an eligible pair")
        if (j, s, int(t)) not in capacity and persons > ABS_TOL:
            errors.append(
                f"zone {z} assigned to {j} for {s} in {t}: the site does not host {s} then"
            )
    used = a.groupby([T.SITE, T.SERVICE, T.PERIOD])["persons"].sum()
    fixed = set(data.fixed_sites)
    for key, u in used.items():
        j, s, t = cast("tuple[str, str, int]", key)
        cap = capacity.get((str(j), str(s), int(t)), 0.0)
        if u > cap + _tol(cap):
            errors.append(f"site {j} {s} {t}: {u:.2f} persons assigned, capacity {cap:.2f}")
        low = float(data.min_places[s])
        hosted_here = (str(j), str(s), int(t)) in capacity and str(j) not in fixed
        if hosted_here and low > 0 and u < low - _tol(low):
            errors.append(f"site {j} {s} {t}: {u:.2f} persons, below the minimum size {low:g}")
    fixed = set(data.fixed_sites)
    for j, s, t in capacity:
        low = float(data.min_places.get(s, 0.0))
        if j not in fixed and low > 0 and (j, s, t) not in used.index:
            errors.append(
                f"site {j} {s} {t}: open with no one assigned, below minimum size {low:g}"
            )
    served = a.groupby([T.ZONE, T.PERIOD, T.SERVICE])["persons"].sum()
    unmet = plan.unmet.groupby([T.ZONE, T.PERIOD, T.SERVICE])["persons"].sum()
    balance = (
        data.demand
        - served.reindex(data.demand.index, fill_value=0.0)
        - unmet.reindex(data.demand.index, fill_value=0.0)
    )
    bad = balance[balance.abs() > ABS_TOL + REL_TOL * data.demand.abs()]
    for key, diff in bad.items():
        z, t, s = cast("tuple[str, int, str]", key)
        errors.append(f"zone {z} {s} {t}: demand and served + unmet differ by {diff:.4f} persons")
    if not data.model_settings.allow_unmet_demand and plan.unmet["persons"].sum() > ABS_TOL:
        errors.append("unmet demand although model.allow_unmet_demand is false")
    for s in data.services:
        norm = getattr(data.norms, s)
        if norm.min_share_within is None:
            continue
        for t in data.periods:
            mask = (
                (a[T.SERVICE] == s) & (a[T.PERIOD] == t) & (a[T.TRAVEL_TIME_MIN] <= norm.within_min)
            )
            within = float(a.loc[mask, "persons"].sum())
            level = data.demand.index.get_level_values
            total = float(data.demand[(level(T.PERIOD) == t) & (level(T.SERVICE) == s)].sum())
            need = norm.min_share_within * total
            if within < need - _tol(need):
                errors.append(
                    f"{s} {t}: {within:.1f} of {total:.1f} within {norm.within_min:g} min, norm {need:.1f}"
                )
    capex = plan.starts.groupby(T.PERIOD)[T.CAPEX_EUR].sum().reindex(data.periods, fill_value=0.0)
    proceeds = _proceeds(plan, data).reindex(data.periods, fill_value=0.0)
    values = plan.closures[T.SITE].astype(str).map(data.close_value_eur).astype(float)
    demolition = (
        (-values)
        .clip(lower=0.0)
        .groupby(plan.closures[T.PERIOD])
        .sum()
        .reindex(data.periods, fill_value=0.0)
    )
    spend = capex - proceeds if data.sale_proceeds_fund_capex else capex + demolition
    if data.capex_per_period_eur is not None:
        for t, v in spend.items():
            if v > data.capex_per_period_eur + _tol(data.capex_per_period_eur):
                errors.append(
                    f"period {t}: spending {v:,.0f} EUR exceeds the budget {data.capex_per_period_eur:,.0f} EUR"
                )
    if data.capex_total_eur is not None:
        cumulative = spend.cumsum()
        for t, v in cumulative.items():
            if v > data.capex_total_eur + _tol(data.capex_total_eur):
                errors.append(
                    f"spending up to {t} of {v:,.0f} EUR exceeds the total budget "
                    f"{data.capex_total_eur:,.0f} EUR (later sales cannot pay for earlier works)"
                )
    if data.model_settings.closest_assignment:
        _check_closest(a, capacity, data, errors)
    if objective_value is not None:
        recomputed = plan_objective(plan, data)
        if abs(recomputed - objective_value) > 1e-5 * max(1.0, abs(objective_value)):
            errors.append(
                f"objective {objective_value:.6f} reported by the solver, {recomputed:.6f} recomputed from the plan"
            )
    if errors:
        shown = "\n".join(f"- {e}" for e in errors[:50])
        more = f"\n... and {len(errors) - 50} more" if len(errors) > 50 else ""
        msg = f"The plan violates {len(errors)} rule(s) on independent re-checking:\n{shown}{more}"
        raise VerificationError(msg)


def _check_closest(
    a: pd.DataFrame,
    capacity: dict[tuple[str, str, int], float],
    data: ModelData,
    errors: list[str],
) -> None:
    """Nobody may be assigned farther than an open facility of the same service."""
    pairs = data.pairs
    for t in data.periods:
        open_pairs = pairs[
            [(j, s, t) in capacity for j, s in zip(pairs[T.SITE], pairs[T.SERVICE], strict=True)]
        ]
        nearest = open_pairs.groupby([T.ZONE, T.SERVICE])[T.TRAVEL_TIME_MIN].min()
        here = a[(a[T.PERIOD] == t) & (a["persons"] > ABS_TOL)]
        for z, s, j, tt in zip(
            here[T.ZONE], here[T.SERVICE], here[T.SITE], here[T.TRAVEL_TIME_MIN], strict=True
        ):
            best = float(nearest.get((z, s), np.inf))
            if tt > best + 1e-9:
                errors.append(
                    f"zone {z} {s} {t}: assigned to {j} at {tt:.2f} min although an open "
                    f"facility is {best:.2f} min away (closest assignment)"
                )


def _proceeds(plan: PlanFrames, data: ModelData) -> pd.Series:
    """Net proceeds (€) of the plan's closures per period, from the model data's values."""
    sites = plan.closures[T.SITE].astype(str)
    values = sites.map(data.close_value_eur).astype(float)
    return values.groupby(plan.closures[T.PERIOD]).sum()


def plan_npv_eur(plan: PlanFrames, data: ModelData) -> float:
    """
    Recompute the net present value of a plan's costs from its decisions.

    Parameters
    ----------
    plan
        The plan.
    data
        The model data.

    Returns
    -------
    float
        NPV of capex, opex and proceeds, less the residual value of new capex and the
        terminal (sale) value of managed buildings still in use at the end, in €.
    """
    opts = data.options.set_index([T.SITE, "option"])
    npv = 0.0
    end = data.periods[-1] + float(data.period_years.iloc[-1]) - data.periods[0]
    end_discount = (1.0 + data.costs.discount_rate) ** -end
    capex = plan.starts.groupby(T.PERIOD)[T.CAPEX_EUR].sum()
    proceeds = _proceeds(plan, data)
    in_use = plan.asis.loc[plan.asis["in_use"].astype(bool)]
    for t in data.periods:
        c = float(capex.get(t, 0.0))
        opex = 0.0
        for site in in_use.loc[in_use[T.PERIOD] == t, T.SITE]:
            if site in data.fixed_sites:
                continue
            service = cast("Service", data.sites_table.at[site, T.SERVICE])
            opex += (
                float(data.asis_area_m2[site])
                * data.costs.for_service(service).opex_eur_per_m2_year
            )
        for _, row in plan.starts[plan.starts[T.PERIOD] <= t].iterrows():
            opt = opts.loc[(row[T.SITE], row["option"])]
            opex += float(opt["opex_eur_per_m2_year"]) * (
                float(opt["reuse_area_m2"]) + float(row["new_area_m2"])
            )
        npv += float(data.discount[t]) * (c - float(proceeds.get(t, 0.0)))
        npv += float(data.opex_factor[t]) * opex
        npv -= end_discount * float(data.residual_share[t]) * c
    # Terminal value of managed buildings still in use at the end (as is or rebuilt).
    last_used = set(in_use.loc[in_use[T.PERIOD] == data.periods[-1], T.SITE].astype(str))
    rebuilt = set(plan.starts[T.SITE].astype(str))
    for site, value in data.close_value_eur.items():
        key = str(site)
        if key not in data.fixed_sites and (key in last_used or key in rebuilt):
            npv -= end_discount * max(0.0, float(value))
    return npv


def plan_objective(plan: PlanFrames, data: ModelData) -> float:
    """
    Recompute the objective value of a plan from its decisions.

    Parameters
    ----------
    plan
        The plan.
    data
        The model data.

    Returns
    -------
    float
        The objective in its own unit (person-minutes for ``access``, € for ``cost``).
    """
    opts = data.model_settings
    weight = data.period_years / data.period_years.sum()
    a = plan.assignments
    w = a[T.PERIOD].map(weight).to_numpy(dtype=float)
    access = float((w * a["persons"] * a[T.TRAVEL_TIME_MIN]).sum())
    u = plan.unmet
    unmet_w = float((u[T.PERIOD].map(weight).to_numpy(dtype=float) * u["persons"]).sum())
    npv = plan_npv_eur(plan, data)
    if opts.objective == "worst_off":
        trips = (
            (a["persons"] * a[T.TRAVEL_TIME_MIN])
            .groupby([a[T.ZONE], a[T.SERVICE], a[T.PERIOD]])
            .sum()
        )
        short = u.groupby([T.ZONE, T.SERVICE, T.PERIOD])["persons"].sum()
        worst = 0.0
        for s in data.services:
            level = data.demand.index.get_level_values
            dem = data.demand[(level(T.SERVICE) == s) & (data.demand > 0)]
            zones = dem.index.get_level_values(T.ZONE)
            periods = dem.index.get_level_values(T.PERIOD)
            averages = [
                (
                    float(trips.get((z, s, t), 0.0))
                    + opts.unmet_penalty_min * float(short.get((z, s, t), 0.0))
                )
                / float(d)
                for z, t, d in zip(zones, periods, dem.to_numpy(), strict=True)
            ]
            worst += max(averages, default=0.0)
        weight_by_period = data.demand.groupby(level=T.PERIOD).sum() * weight
        persons = max(float(weight_by_period.sum()), 1e-9)
        scale = WORST_OFF_SECONDARY / persons
        return (
            worst
            + scale * (access + opts.unmet_penalty_min * unmet_w)
            + opts.cost_tiebreak * scale * npv
        )
    if opts.objective == "access":
        sw = {s: float(opts.service_weights.get(s, 1.0)) for s in data.services}
        a_sw = a[T.SERVICE].map(sw).to_numpy(dtype=float)
        u_sw = u[T.SERVICE].map(sw).to_numpy(dtype=float)
        access = float((w * a_sw * a["persons"] * a[T.TRAVEL_TIME_MIN]).sum())
        u_w = u[T.PERIOD].map(weight).to_numpy(dtype=float)
        unmet_w = float((u_w * u_sw * u["persons"]).sum())
        return access + opts.unmet_penalty_min * unmet_w + opts.cost_tiebreak * npv
    years = u[T.PERIOD].map(data.period_years).to_numpy(dtype=float)
    return npv + opts.unmet_penalty_eur * float((years * u["persons"]).sum())
