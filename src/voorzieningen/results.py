"""Extract a solved investment model into plain DataFrames: the plan and its effects.

The :class:`Plan` holds the raw decisions (what starts when, capacities, assignments); the
:class:`Results` add per-zone, per-site and per-period views, a summary and the run's
provenance. Both are complete when created and never refer back to Pyomo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from voorzieningen import tables as T
from voorzieningen.model.data import AS_IS, ModelData
from voorzieningen.solve import SolveOutcome

#: Values below this are treated as zero when reading a solution.
EPS = 1e-6


@dataclass(frozen=True)
class Plan:
    """The decisions of a plan, as read from the solver (no derived views).

    Attributes
    ----------
    starts
        Options started: columns site, option, action, services, period, capex_eur,
        new_area_m2.
    capacity_built
        Places built per option: columns site, option, service, period (start),
        capacity_places.
    asis
        Existing buildings used as is: columns site, period, in_use (bool).
    closures
        Closures: columns site, period, proceeds_eur (negative: demolition cost).
    assignments
        Persons served: columns zone, site, service, period, persons, travel_time_min,
        distance_km.
    unmet
        Persons not served: columns zone, service, period, persons.
    """

    starts: pd.DataFrame
    capacity_built: pd.DataFrame
    asis: pd.DataFrame
    closures: pd.DataFrame
    assignments: pd.DataFrame
    unmet: pd.DataFrame


@dataclass(frozen=True)
class Results:
    """Everything a run produced (frozen; DataFrames with unit-suffixed columns).

    Attributes
    ----------
    decisions
        One row per building and candidate site: site, name, kind, service (current),
        action, period, services_after, capacity_after_places, capex_eur, proceeds_eur.
    zones
        Per (zone, service, period): demand_persons, served_persons, unmet_persons,
        travel_time_before_min (nearest existing facility today), travel_time_after_min
        (demand-weighted mean over the plan's assignments).
    capacity
        Per (site, service, period): capacity_places, used_places.
    costs
        Per period: capex_eur, proceeds_eur, opex_eur_per_year, discount_factor.
    summary
        One row: objective, bound, gap, status, runtime and the plan's totals.
    plan
        The raw :class:`Plan`.
    meta
        Provenance: scenario, input hashes, package versions, solver settings.
    travel_times, reachability
        The travel-time table (zone, site, mode, travel_time_min, distance_km) and the
        network's reachability report, when the run computed them.
    sites, zone_points
        The sites table (index ``site``: name, kind, service, lon, lat, floor_area_m2, ...)
        and the zones (index ``zone``: gemeente, lon, lat), for maps.
    population
        Projected population, ``population_persons`` by (zone, period, age_band).
    """

    decisions: pd.DataFrame
    zones: pd.DataFrame
    capacity: pd.DataFrame
    costs: pd.DataFrame
    summary: pd.DataFrame
    plan: Plan
    meta: dict[str, Any] = field(default_factory=dict)
    travel_times: pd.DataFrame | None = None
    reachability: pd.DataFrame | None = None
    sites: pd.DataFrame | None = None
    zone_points: pd.DataFrame | None = None
    population: pd.DataFrame | None = None

    def __repr__(self) -> str:
        row = self.summary.iloc[0]
        return (
            f"<Results {self.meta.get('scenario', '?')}: status={row['status']}, "
            f"gap={row['gap']:.4%}, capex={row['capex_total_eur']:,.0f} EUR, "
            f"mean travel time={row['mean_travel_time_min']:.2f} min, "
            f"{len(self.decisions)} sites>"
        )


def _values(var: Any) -> dict[Any, float]:
    return {k: (v if v is not None else 0.0) for k, v in var.extract_values().items()}


def extract_plan(model: pyo.ConcreteModel, data: ModelData) -> Plan:
    """
    Read the plan from a solved model.

    Parameters
    ----------
    model
        A model built by :func:`voorzieningen.model.build.build_model`, solved.
    data
        The data it was built from.

    Returns
    -------
    Plan
        The raw decisions.
    """
    opts = data.options
    start = _values(model.start)
    ext = _values(model.new_area_m2)
    capv = _values(model.capacity_places)
    one_off = (opts["fixed_capex_eur"] + opts["reuse_capex_eur"]).to_numpy(dtype=float)
    per_m2 = opts["new_eur_per_m2"].to_numpy(dtype=float)
    start_rows = [
        {
            T.SITE: opts[T.SITE].iat[k],
            "option": opts["option"].iat[k],
            "action": opts["action"].iat[k],
            "services": "+".join(cast("tuple[str, ...]", opts["services"].iat[k])),
            T.PERIOD: t,
            T.CAPEX_EUR: one_off[k] + per_m2[k] * ext[(k, t)],
            "new_area_m2": ext[(k, t)],
        }
        for (k, t), v in start.items()
        if v > 0.5
    ]
    starts = pd.DataFrame(
        start_rows,
        columns=[T.SITE, "option", "action", "services", T.PERIOD, T.CAPEX_EUR, "new_area_m2"],
    )
    cap_rows = [
        {
            T.SITE: opts[T.SITE].iat[k],
            "option": opts["option"].iat[k],
            T.SERVICE: s,
            T.PERIOD: t,
            T.CAPACITY_PLACES: v,
        }
        for (k, s, t), v in capv.items()
        if v > EPS
    ]
    capacity_built = pd.DataFrame(
        cap_rows, columns=[T.SITE, "option", T.SERVICE, T.PERIOD, T.CAPACITY_PLACES]
    )
    asis = pd.DataFrame(
        [
            {T.SITE: e, T.PERIOD: t, "in_use": v > 0.5}
            for (e, t), v in _values(model.in_use).items()
        ],
        columns=[T.SITE, T.PERIOD, "in_use"],
    )
    # Closures as they are, and closures after an intervention (any later period).
    closed = [(e, t) for (e, t), v in _values(model.close).items() if v > 0.5]
    closed += [
        (data.option_sites[k], t) for (k, t), v in _values(model.close_option).items() if v > 0.5
    ]
    closures = pd.DataFrame(
        [
            {T.SITE: j, T.PERIOD: t, "proceeds_eur": float(data.close_value_eur.get(j, 0.0))}
            for j, t in closed
        ],
        columns=[T.SITE, T.PERIOD, "proceeds_eur"],
    )
    assign = _values(model.assigned_persons)
    keys = [(p, t) for (p, t), v in assign.items() if v > EPS]
    idx = np.array([p for p, _ in keys], dtype=int)
    pairs = data.pairs.iloc[idx]
    assignments = pd.DataFrame(
        {
            T.ZONE: pairs[T.ZONE].to_numpy(),
            T.SITE: pairs[T.SITE].to_numpy(),
            T.SERVICE: pairs[T.SERVICE].to_numpy(),
            T.PERIOD: np.array([t for _, t in keys], dtype=int),
            "persons": np.array([assign[k] for k in keys], dtype=float),
            T.TRAVEL_TIME_MIN: pairs[T.TRAVEL_TIME_MIN].to_numpy(),
            T.DISTANCE_KM: pairs[T.DISTANCE_KM].to_numpy(),
        }
    )
    unmet = pd.DataFrame(
        [
            {T.ZONE: z, T.SERVICE: s, T.PERIOD: t, "persons": v}
            for (z, s, t), v in _values(model.unmet_persons).items()
            if v > EPS
        ],
        columns=[T.ZONE, T.SERVICE, T.PERIOD, "persons"],
    )
    return Plan(starts, capacity_built, asis, closures, assignments, unmet)


def capacity_table(plan: Plan, data: ModelData) -> pd.DataFrame:
    """
    Return capacity and use per (site, service, period) implied by a plan.

    Parameters
    ----------
    plan
        The plan.
    data
        The model data.

    Returns
    -------
    pandas.DataFrame
        Columns site, service, period, capacity_places, used_places; only rows where the
        site hosts the service.
    """
    rows: list[pd.DataFrame] = []
    in_use = plan.asis.loc[plan.asis["in_use"].astype(bool)]
    if len(in_use):
        cap0 = data.asis_capacity.reset_index()
        rows.append(in_use.merge(cap0, on=T.SITE)[[T.SITE, T.SERVICE, T.PERIOD, T.CAPACITY_PLACES]])
    hosted = plan.starts.assign(**{T.SERVICE: plan.starts["services"].str.split("+")}).explode(
        T.SERVICE
    )
    closed_in = plan.closures.groupby(T.SITE)[T.PERIOD].max()
    lead = data.lead_periods
    position = {t: i for i, t in enumerate(data.periods)}
    for t in data.periods:
        # Serving from `lead` periods after the start until the building closes.
        ready = hosted[T.PERIOD].map(position) <= position[t] - lead
        open_now = hosted[T.SITE].map(closed_in).fillna(np.inf) > t
        started = hosted[ready & open_now]
        built = plan.capacity_built[
            plan.capacity_built[T.PERIOD].map(position) <= position[t] - lead
        ]
        cap = built.groupby([T.SITE, T.SERVICE])[T.CAPACITY_PLACES].sum()
        frame = started[[T.SITE, T.SERVICE]].drop_duplicates().assign(**{T.PERIOD: t})
        frame[T.CAPACITY_PLACES] = [
            float(cap.get((j, s), 0.0))
            for j, s in zip(frame[T.SITE], frame[T.SERVICE], strict=True)
        ]
        rows.append(frame)
        if data.temporary_during_works and lead:
            works = plan.starts[
                (plan.starts[T.PERIOD].map(position) > position[t] - lead)
                & (plan.starts[T.PERIOD] <= t)
            ]
            temp = data.asis_capacity.reset_index()
            temp = temp[temp[T.SITE].isin(set(works[T.SITE]))].assign(**{T.PERIOD: t})
            rows.append(temp[[T.SITE, T.SERVICE, T.PERIOD, T.CAPACITY_PLACES]])
    table = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=[T.SITE, T.SERVICE, T.PERIOD, T.CAPACITY_PLACES])
    )
    table = table.groupby([T.SITE, T.SERVICE, T.PERIOD])[T.CAPACITY_PLACES].sum().reset_index()
    used = plan.assignments.groupby([T.SITE, T.SERVICE, T.PERIOD])["persons"].sum()
    table["used_places"] = [
        float(used.get((j, s, t), 0.0))
        for j, s, t in zip(table[T.SITE], table[T.SERVICE], table[T.PERIOD], strict=True)
    ]
    return table.sort_values([T.SITE, T.SERVICE, T.PERIOD]).reset_index(drop=True)


def baseline_travel_times(data: ModelData) -> pd.Series:
    """
    Return each zone's travel time to the nearest existing facility of each service.

    Parameters
    ----------
    data
        The model data.

    Returns
    -------
    pandas.Series
        ``travel_time_min`` indexed by (zone, service); NaN where no existing facility of
        that service is within the cutoff.
    """
    existing = data.asis_capacity.reset_index()[[T.SITE, T.SERVICE]]
    pairs = data.pairs.merge(existing, on=[T.SITE, T.SERVICE])
    return pairs.groupby([T.ZONE, T.SERVICE])[T.TRAVEL_TIME_MIN].min()


def extract_results(
    model: pyo.ConcreteModel,
    data: ModelData,
    outcome: SolveOutcome,
    *,
    meta: dict[str, Any] | None = None,
    build_s: float = float("nan"),
) -> Results:
    """
    Turn a solved model into :class:`Results`.

    Parameters
    ----------
    model
        The solved model.
    data
        The data it was built from.
    outcome
        What the solver reported.
    meta
        Provenance to attach (scenario, hashes, versions).
    build_s
        Time spent building the model, seconds.

    Returns
    -------
    Results
        Decisions, zones, capacity, costs, summary, plan and meta.
    """
    plan = extract_plan(model, data)
    decisions = decisions_table(plan, data)
    capacity = capacity_table(plan, data)
    zones = zones_table(plan, data)
    costs = pd.DataFrame(
        {
            T.PERIOD: data.periods,
            T.CAPEX_EUR: [float(pyo.value(model.capex_eur[t])) for t in data.periods],
            "proceeds_eur": [float(pyo.value(model.proceeds_eur[t])) for t in data.periods],
            "opex_eur_per_year": [
                float(pyo.value(model.opex_eur_per_year[t])) for t in data.periods
            ],
            "discount_factor": [float(data.discount[t]) for t in data.periods],
        }
    )
    weight = data.period_years / data.period_years.sum()
    a = plan.assignments
    w = a[T.PERIOD].map(weight).to_numpy(dtype=float)
    served = float((a["persons"] * w).sum())  # horizon-average per period
    mean_tt = (
        float((a["persons"] * a[T.TRAVEL_TIME_MIN] * w).sum()) / served if served > EPS else np.nan
    )
    summary = pd.DataFrame(
        [
            {
                "scenario": (meta or {}).get("scenario", ""),
                "objective": data.model_settings.objective,
                "objective_value": outcome.objective,
                "bound": outcome.bound,
                "gap": outcome.gap,
                "status": outcome.status,
                "termination": outcome.termination,
                "solver": outcome.solver,
                "build_s": build_s,
                "solve_s": outcome.runtime_s,
                "capex_total_eur": float(costs[T.CAPEX_EUR].sum()),
                "proceeds_total_eur": float(costs["proceeds_eur"].sum()),
                "npv_cost_eur": float(pyo.value(model.npv_cost_eur)),
                "access_person_min": float(pyo.value(model.access_person_min)),
                "mean_travel_time_min": mean_tt,
                # persons per period, averaged over the horizon like the objective
                "served_persons": served,
                "unmet_persons": float(
                    (plan.unmet["persons"] * plan.unmet[T.PERIOD].map(weight)).sum()
                ),
                "sites_closed": len(plan.closures),
                "projects_started": len(plan.starts),
            }
        ]
    )
    return Results(
        decisions=decisions,
        zones=zones,
        capacity=capacity,
        costs=costs,
        summary=summary,
        plan=plan,
        meta=dict(meta or {}),
        sites=data.sites_table,
    )


def decisions_table(plan: Plan, data: ModelData) -> pd.DataFrame:
    """
    Return one row per building and candidate site with what the plan does to it.

    Parameters
    ----------
    plan
        The plan.
    data
        The model data.

    Returns
    -------
    pandas.DataFrame
        Columns site, name, kind, service, action (keep, close, renovate, convert, mfa,
        new, not_built), option, period (year of the action; empty for keep and not_built),
        closed_period (year a building closes after its intervention, else empty),
        services_after, capacity_after_places (capacity in the last period, ``;``-separated
        per service), capex_eur, proceeds_eur.
    """
    sites = data.sites_table
    last = data.periods[-1]
    cap = capacity_table(plan, data)
    cap_last = cap[cap[T.PERIOD] == last]
    rows: list[dict[str, object]] = []
    starts = plan.starts.set_index(T.SITE)
    closures = plan.closures.set_index(T.SITE)
    for site, row in sites.iterrows():
        j = str(site)
        kind = str(row[T.KIND])
        entry: dict[str, object] = {
            T.SITE: j,
            T.NAME: row[T.NAME],
            T.KIND: kind,
            T.SERVICE: row[T.SERVICE],
            "action": "keep" if kind == "existing" else "not_built",
            "option": AS_IS if kind == "existing" else "",
            T.PERIOD: pd.NA,
            "closed_period": pd.NA,
            "services_after": row[T.SERVICE] if kind == "existing" else "",
            T.CAPEX_EUR: 0.0,
            "proceeds_eur": 0.0,
        }
        if j in starts.index:
            s = starts.loc[[j]].iloc[0]
            entry.update(
                action=s["action"],
                option=s["option"],
                period=int(s[T.PERIOD]),
                services_after=s["services"],
                capex_eur=float(s[T.CAPEX_EUR]),
            )
            if j in closures.index:  # closed after the intervention
                c = closures.loc[[j]].iloc[0]
                entry.update(
                    closed_period=int(c[T.PERIOD]),
                    services_after="",
                    proceeds_eur=float(c["proceeds_eur"]),
                )
        elif j in closures.index:
            c = closures.loc[[j]].iloc[0]
            entry.update(
                action="close",
                option="close",
                period=int(c[T.PERIOD]),
                services_after="",
                proceeds_eur=float(c["proceeds_eur"]),
            )
        here = cap_last[cap_last[T.SITE] == j]
        entry["capacity_after_places"] = ";".join(
            f"{s}={c:.0f}" for s, c in zip(here[T.SERVICE], here[T.CAPACITY_PLACES], strict=True)
        )
        rows.append(entry)
    table = pd.DataFrame(rows)
    table[T.PERIOD] = table[T.PERIOD].astype("Int64")
    table["closed_period"] = table["closed_period"].astype("Int64")
    return table


def zones_table(plan: Plan, data: ModelData) -> pd.DataFrame:
    """
    Return demand, service and travel times per (zone, service, period).

    Parameters
    ----------
    plan
        The plan.
    data
        The model data.

    Returns
    -------
    pandas.DataFrame
        Columns zone, service, period, demand_persons, served_persons, unmet_persons,
        travel_time_before_min, travel_time_after_min (NaN where nothing is served).
    """
    dem = data.demand.rename(T.DEMAND_PERSONS).reset_index()
    a = plan.assignments.assign(
        weighted=plan.assignments["persons"] * plan.assignments[T.TRAVEL_TIME_MIN]
    )
    agg = a.groupby([T.ZONE, T.SERVICE, T.PERIOD])[["persons", "weighted"]].sum()
    table = dem.merge(agg, left_on=[T.ZONE, T.SERVICE, T.PERIOD], right_index=True, how="left")
    table["served_persons"] = table["persons"].fillna(0.0)
    table["unmet_persons"] = (table[T.DEMAND_PERSONS] - table["served_persons"]).clip(lower=0.0)
    table["travel_time_after_min"] = table["weighted"] / table["persons"]
    before = baseline_travel_times(data).rename("travel_time_before_min")
    table = table.merge(before, left_on=[T.ZONE, T.SERVICE], right_index=True, how="left")
    cols = [
        T.ZONE,
        T.SERVICE,
        T.PERIOD,
        T.DEMAND_PERSONS,
        "served_persons",
        "unmet_persons",
        "travel_time_before_min",
        "travel_time_after_min",
    ]
    return table[cols].sort_values([T.ZONE, T.SERVICE, T.PERIOD]).reset_index(drop=True)
