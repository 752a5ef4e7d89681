"""Extract a solved investment model into plain DataFrames: the plan and its effects.

The :class:`Plan` holds the raw decisions (what starts when, capacities, assignments); the
:class:`Results` add per-zone, per-site and per-period views, a summary and the run's
provenance. Both are complete when created and never refer back to Pyomo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyomo.environ as pyo
from scipy.optimize import linprog

from voorzieningen import tables as T
from voorzieningen.kpis import kpi_table, service_summary
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
    """The tables of a verified plan (frozen; DataFrames with unit-suffixed columns).

    Complete when made; the run's inputs, travel times and provenance are kept beside it in
    :class:`voorzieningen.record.Run`.

    Attributes
    ----------
    scenario_name
        The scenario's name.
    decisions
        One row per building and candidate site: site, name, kind, service (current),
        action, period, services_after, capacity_after_places, capex_eur, proceeds_eur.
    zones
        Per (zone, service, period): demand_persons, served_persons, unmet_persons,
        travel_time_before_min (mean over the zone's residents of the time to their own
        nearest existing facility), travel_time_after_min (mean over the persons served of
        their time to the site the plan assigns them); see :func:`zones_table`.
    capacity
        Per (site, service, period): capacity_places, used_places.
    costs
        Per period: capex_eur, proceeds_eur, opex_eur_per_year, discount_factor.
    summary
        One row: objective, bound, gap, status, runtime, budgets and the plan's figures per
        service (never summed over services); see :func:`summary_row`.
    plan
        The raw :class:`Plan`.
    kpis
        Per (service, period), each service in its own unit: demand, served, unmet, shares
        served and within the norm, mean times of those served and of everyone
        (:func:`voorzieningen.kpis.kpi_table`).
    """

    scenario_name: str
    decisions: pd.DataFrame
    zones: pd.DataFrame
    capacity: pd.DataFrame
    costs: pd.DataFrame
    summary: pd.DataFrame
    plan: Plan
    kpis: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def assignments(self) -> pd.DataFrame:
        """``plan.assignments``: persons served per (zone, site, service, period)."""
        return self.plan.assignments

    def __repr__(self) -> str:
        row = self.summary.iloc[0]
        prefix = T.MEAN_TIME_ALL_PREFIX
        times = ", ".join(
            f"{str(k).removeprefix(prefix)} {float(v):.2f}"
            for k, v in row.items()
            if str(k).startswith(prefix)
        )
        return (
            f"<Results {self.scenario_name or '?'}: status={row[T.STATUS]}, "
            f"gap={row[T.GAP]:.4%}, capex={row[T.CAPEX_TOTAL_EUR]:,.0f} EUR, "
            f"mean travel time of everyone (min): {times or '?'}, "
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
    # In time order: a life extension before the option that may follow it at its site.
    starts = pd.DataFrame(
        start_rows,
        columns=[T.SITE, "option", "action", "services", T.PERIOD, T.CAPEX_EUR, "new_area_m2"],
    ).sort_values([T.PERIOD, T.SITE], kind="stable", ignore_index=True)
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


def _next_start(starts: pd.DataFrame, sites: pd.Series, periods: pd.Series) -> np.ndarray:
    """Period of the next intervention at the same site after each (site, period), else inf."""
    later = [
        min(
            (
                float(p)
                for j, p in zip(starts[T.SITE], starts[T.PERIOD], strict=True)
                if j == site and p > period
            ),
            default=np.inf,
        )
        for site, period in zip(sites, periods, strict=True)
    ]
    return np.asarray(later, dtype=float)


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
    in_use = plan.asis.loc[plan.asis[T.IN_USE].astype(bool)]
    if len(in_use):
        cap0 = data.asis_capacity.reset_index()
        rows.append(in_use.merge(cap0, on=T.SITE)[[T.SITE, T.SERVICE, T.PERIOD, T.CAPACITY_PLACES]])
    hosted = plan.starts.assign(**{T.SERVICE: plan.starts[T.SERVICES].str.split("+")}).explode(
        T.SERVICE
    )
    closed_in = plan.closures.groupby(T.SITE)[T.PERIOD].max()
    lead = data.lead_periods
    position = {t: i for i, t in enumerate(data.periods)}
    # Each start's lead: a life extension serves from its start (no works).
    lead_of = dict(zip(data.options["option"], data.options["lead_periods"], strict=True))
    hosted_lead = hosted[T.OPTION].map(lead_of).fillna(lead).astype(int)
    built_all = plan.capacity_built
    built_lead = built_all[T.OPTION].map(lead_of).fillna(lead).astype(int)
    # An intervention serves until its site closes or a later intervention there starts
    # (an extended building renovated, converted or merged).
    hosted_end = _next_start(plan.starts, hosted[T.SITE], hosted[T.PERIOD])
    built_end = _next_start(plan.starts, built_all[T.SITE], built_all[T.PERIOD])
    starts_lead = plan.starts[T.OPTION].map(lead_of).fillna(lead).astype(int)
    for t in data.periods:
        # Serving from `lead` periods after the start until the building closes.
        ready = hosted[T.PERIOD].map(position) <= position[t] - hosted_lead
        open_now = (hosted[T.SITE].map(closed_in).fillna(np.inf) > t) & (hosted_end > t)
        started = hosted[ready & open_now]
        built = built_all[
            (built_all[T.PERIOD].map(position) <= position[t] - built_lead) & (built_end > t)
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
                (plan.starts[T.PERIOD].map(position) > position[t] - starts_lead)
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
    used = plan.assignments.groupby([T.SITE, T.SERVICE, T.PERIOD])[T.PERSONS].sum()
    table[T.USED_PLACES] = [
        float(used.get((j, s, t), 0.0))
        for j, s, t in zip(table[T.SITE], table[T.SERVICE], table[T.PERIOD], strict=True)
    ]
    return table.sort_values([T.SITE, T.SERVICE, T.PERIOD]).reset_index(drop=True)


def baseline_travel_times(data: ModelData, residents: pd.DataFrame | None = None) -> pd.Series:
    """
    Return each zone's travel time today: its residents' mean time to their nearest facility.

    Parameters
    ----------
    data
        The model data (which existing buildings host which service).
    residents
        Travel times per resident point (``TravelTimes.residents``: zone, point, site,
        travel_time_min, weight), or None when each zone is one point.

    Returns
    -------
    pandas.Series
        ``travel_time_min`` indexed by (zone, service). With resident points: the mean over
        the zone's residents (weighted by ``weight``) of the time from each point to *its
        own* nearest existing facility of the service, over the points that have one
        within the network cutoff. Without: the time from the zone to its nearest existing
        facility (pairs within the cutoff and the service's guarantee norm). NaN where no
        existing facility of that service is in reach.
    """
    existing = data.asis_capacity.reset_index()[[T.SITE, T.SERVICE]]
    if residents is None:
        pairs = data.pairs.merge(existing, on=[T.SITE, T.SERVICE])
        return pairs.groupby([T.ZONE, T.SERVICE])[T.TRAVEL_TIME_MIN].min()
    fine = residents.merge(existing, on=T.SITE)
    nearest = fine.groupby([T.ZONE, T.POINT, T.SERVICE], as_index=False).agg(
        **{T.TRAVEL_TIME_MIN: (T.TRAVEL_TIME_MIN, "min"), T.WEIGHT: (T.WEIGHT, "first")}
    )
    nearest["weighted"] = nearest[T.TRAVEL_TIME_MIN] * nearest[T.WEIGHT]
    sums = nearest.groupby([T.ZONE, T.SERVICE])[["weighted", T.WEIGHT]].sum()
    out = sums["weighted"] / sums[T.WEIGHT].where(sums[T.WEIGHT] > 0)
    return out.rename(T.TRAVEL_TIME_MIN)


def _split_over_sites(
    times: npt.NDArray[np.float64], mass: npt.NDArray[np.float64], flows: npt.NDArray[np.float64]
) -> float:
    """
    Return the least mean time of sending residents' masses to sites with given intakes.

    A transportation problem: ``times[p, j]`` (minutes, inf where point ``p`` does not
    reach site ``j``), ``mass[p]`` persons living at each point and ``flows[j]`` persons
    each site takes (equal totals). Returns the mean minutes per person, NaN if infeasible.
    """
    n_p, n_j = times.shape
    ok = np.isfinite(times)
    cost = times[ok]
    rows_p, cols_j = np.nonzero(ok)
    a_eq = np.zeros((n_p + n_j, len(cost)))
    a_eq[rows_p, np.arange(len(cost))] = 1.0
    a_eq[n_p + cols_j, np.arange(len(cost))] = 1.0
    res = linprog(cost, A_eq=a_eq, b_eq=np.concatenate([mass, flows]), method="highs")
    if res.status != 0 or res.fun is None:
        return float("nan")
    return float(res.fun) / float(flows.sum())


def resident_after_times(assignments: pd.DataFrame, residents: pd.DataFrame) -> pd.Series:
    """
    Return each zone's travel time in the plan per resident, within the plan's assignment.

    The plan assigns persons per zone: ``x_j`` persons of the zone to site ``j``. Here they
    are placed per resident point: the zone's persons served live at its resident points in
    proportion to the points' weights, and go to the sites ``j`` in the amounts ``x_j``
    such that the total travel time is least (each resident to the nearest of the zone's
    sites as far as the plan's amounts allow; a small transportation problem per zone,
    service and period served from more than one site). Exact per resident when a zone is
    served from one site (everyone goes there: the mean over the residents of their time to
    it); from several sites it assumes the residents nearest a site are those who go there.

    Parameters
    ----------
    assignments
        The plan's assignments: zone, site, service, period, persons.
    residents
        Travel times per resident point: zone, point, site, travel_time_min, weight.

    Returns
    -------
    pandas.Series
        Minutes per person served, indexed by (zone, service, period); groups whose
        residents cannot all be placed within the network cutoff are left out.
    """
    keys = [T.ZONE, T.SERVICE, T.PERIOD]
    by_zone = {str(z): g for z, g in residents.groupby(T.ZONE)}
    out: dict[tuple[str, str, int], float] = {}
    for key, group in assignments.groupby(keys):
        zone, service, period = cast("tuple[str, str, int]", key)
        here = by_zone.get(str(zone))
        if here is None:
            continue
        flows = group.groupby(T.SITE)[T.PERSONS].sum()
        grid = here.pivot_table(
            index=T.POINT, columns=T.SITE, values=T.TRAVEL_TIME_MIN, aggfunc="first"
        ).reindex(columns=flows.index)
        weight = here.groupby(T.POINT)[T.WEIGHT].first().reindex(grid.index)
        times = grid.to_numpy(dtype=float, na_value=np.inf)
        mass = weight.to_numpy(dtype=float) / float(weight.sum()) * float(flows.sum())
        out[(str(zone), str(service), int(period))] = _split_over_sites(
            times, mass, flows.to_numpy(dtype=float)
        )
    series = pd.Series(out, dtype=float)
    series.index = series.index.set_names(keys)
    return series.dropna()


def _limit(total: float | None, per_period: tuple[float | None, ...]) -> float:
    """Return the limit a total and per-period limits set on the whole horizon (NaN: none)."""
    bounds = [] if total is None else [float(total)]
    if per_period and all(v is not None for v in per_period):
        bounds.append(float(sum(cast("tuple[float, ...]", per_period))))
    return min(bounds) if bounds else float("nan")


def summary_row(
    model: pyo.ConcreteModel,
    data: ModelData,
    outcome: SolveOutcome,
    costs: pd.DataFrame,
    kpis: pd.DataFrame,
    plan: Plan,
    *,
    scenario_name: str,
    build_s: float,
    travel_time_source: str,
) -> pd.DataFrame:
    """
    Return ``summary.csv``: one row of the solver's word, the money and per-service figures.

    Money (€, undiscounted sums over the periods): ``capex_total_eur`` (construction capex,
    demolition excluded) and ``proceeds_total_eur`` (sales minus demolition), as in
    ``costs.csv``; ``capex_eur`` (gross capex: construction plus demolition, what the gross
    limit bounds), ``proceeds_eur`` (sale proceeds) and ``net_spend_eur`` (``capex_eur -
    proceeds_eur``); ``capex_limit_eur`` and ``net_spend_limit_eur``, the limits the
    scenario sets on these over the horizon (the total limit, or the sum of the per-period
    limits if smaller; empty where there is no limit).

    Per service (never summed across services, each in its own unit): ``served_<unit>``,
    ``unmet_<unit>`` (per period, averaged over the horizon like the objective),
    ``mean_time_served_min_<service>`` and ``mean_time_all_min_<service>`` (unserved at the
    service's unmet penalty); see :func:`voorzieningen.kpis.service_summary`.

    Returns
    -------
    pandas.DataFrame
        One row.
    """
    budgets = data.budgets
    gross = float(sum(float(pyo.value(model.gross_capex_eur[t])) for t in data.periods))
    net = float(sum(float(pyo.value(model.net_spend_eur[t])) for t in data.periods))
    weight = {int(t): float(data.period_weight[t]) for t in data.periods}
    row: dict[str, object] = {
        T.SCENARIO: scenario_name,
        T.OBJECTIVE: data.model_settings.objective,
        T.OBJECTIVE_VALUE: outcome.objective,
        T.BOUND: outcome.bound,
        T.GAP: outcome.gap,
        T.STATUS: outcome.status,
        T.TERMINATION: outcome.termination,
        T.SOLVER: outcome.solver,
        T.BUILD_S: build_s,
        T.SOLVE_S: outcome.runtime_s,
        T.CAPEX_TOTAL_EUR: float(costs[T.CAPEX_EUR].sum()),
        T.PROCEEDS_TOTAL_EUR: float(costs[T.PROCEEDS_EUR].sum()),
        T.CAPEX_EUR: gross,
        T.PROCEEDS_EUR: gross - net,
        T.NET_SPEND_EUR: net,
        T.CAPEX_LIMIT_EUR: _limit(budgets.capex_total_eur, budgets.capex_eur),
        T.NET_SPEND_LIMIT_EUR: _limit(budgets.net_spend_total_eur, budgets.net_spend_eur),
        T.NPV_COST_EUR: float(pyo.value(model.npv_cost_eur)),
        T.ACCESS_PERSON_MIN: float(pyo.value(model.access_person_min)),
        **service_summary(kpis, weight),
        T.SITES_CLOSED: len(plan.closures),
        T.PROJECTS_STARTED: len(plan.starts),
        T.TRAVEL_TIME_SOURCE: travel_time_source,
    }
    return pd.DataFrame([row])


def extract_results(
    model: pyo.ConcreteModel,
    data: ModelData,
    outcome: SolveOutcome,
    *,
    scenario_name: str = "",
    build_s: float = float("nan"),
    residents: pd.DataFrame | None = None,
    travel_time_source: str = "",
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
    scenario_name
        The scenario's name (first column of the summary).
    build_s
        Time spent building the model, seconds.
    residents
        Travel times per resident point (``TravelTimes.residents``), for the per-resident
        travel times of ``zones``; None when each zone is one point.
    travel_time_source
        Where the travel times came from (``TravelTimes.meta["travel_time_source"]``).

    Returns
    -------
    Results
        Decisions, zones, capacity, costs, summary, plan and KPIs.
    """
    plan = extract_plan(model, data)
    decisions = decisions_table(plan, data)
    capacity = capacity_table(plan, data)
    zones = zones_table(plan, data, residents)
    costs = pd.DataFrame(
        {
            T.PERIOD: data.periods,
            T.CAPEX_EUR: [float(pyo.value(model.capex_eur[t])) for t in data.periods],
            T.PROCEEDS_EUR: [float(pyo.value(model.proceeds_eur[t])) for t in data.periods],
            T.OPEX_EUR_PER_YEAR: [
                float(pyo.value(model.opex_eur_per_year[t])) for t in data.periods
            ],
            T.DISCOUNT_FACTOR: [float(data.discount[t]) for t in data.periods],
        }
    )
    kpis = kpi_table(
        zones,
        plan.assignments,
        norm_min={s: float(getattr(data.norms, s).within_min) for s in data.services},
        penalty_min={s: data.unmet_penalty_min(s) for s in data.services},
    )
    summary = summary_row(
        model,
        data,
        outcome,
        costs,
        kpis,
        plan,
        scenario_name=scenario_name,
        build_s=build_s,
        travel_time_source=travel_time_source,
    )
    return Results(
        scenario_name=scenario_name,
        decisions=decisions,
        zones=zones,
        capacity=capacity,
        costs=costs,
        summary=summary,
        plan=plan,
        kpis=kpis,
    )


#: Columns of the decisions table for the intervention that follows a life extension.
THEN_ACTION, THEN_OPTION, THEN_PERIOD, THEN_CAPEX_EUR = (
    "then_action",
    "then_option",
    "then_period",
    "then_capex_eur",
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
        Columns site, name, kind, service, action (keep, close, renovate, extend, convert,
        mfa, new, not_built), option, period (year of the action; empty for keep and not_built),
        closed_period (year a building closes after its intervention, else empty),
        services_after, capacity_after_places (capacity in the last period, ``;``-separated
        per service), capex_eur, proceeds_eur; then_action, then_option, then_period,
        then_capex_eur: the intervention that follows a life extension at the same site
        (renovate, convert, mfa; empty otherwise). ``capex_eur`` is the first action's.
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
            T.ACTION: "keep" if kind == "existing" else "not_built",
            T.OPTION: AS_IS if kind == "existing" else "",
            T.PERIOD: pd.NA,
            T.CLOSED_PERIOD: pd.NA,
            T.SERVICES_AFTER: row[T.SERVICE] if kind == "existing" else "",
            T.CAPEX_EUR: 0.0,
            T.PROCEEDS_EUR: 0.0,
            THEN_ACTION: "",
            THEN_OPTION: "",
            THEN_PERIOD: pd.NA,
            THEN_CAPEX_EUR: 0.0,
        }
        if j in starts.index:
            mine = starts.loc[[j]].sort_values(T.PERIOD, kind="stable")
            s = mine.iloc[0]
            entry.update(
                action=s[T.ACTION],
                option=s[T.OPTION],
                period=int(s[T.PERIOD]),
                services_after=s[T.SERVICES],
                capex_eur=float(s[T.CAPEX_EUR]),
            )
            if len(mine) > 1:  # a life extension, then a renovation, conversion or MFA
                then = mine.iloc[-1]
                entry.update(
                    services_after=then[T.SERVICES],
                    **{
                        THEN_ACTION: then[T.ACTION],
                        THEN_OPTION: then[T.OPTION],
                        THEN_PERIOD: int(then[T.PERIOD]),
                        THEN_CAPEX_EUR: float(then[T.CAPEX_EUR]),
                    },
                )
            if j in closures.index:  # closed after the intervention
                c = closures.loc[[j]].iloc[0]
                entry.update(
                    **{T.CLOSED_PERIOD: int(c[T.PERIOD])},
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
                proceeds_eur=float(c[T.PROCEEDS_EUR]),
            )
        here = cap_last[cap_last[T.SITE] == j]
        entry[T.CAPACITY_AFTER_PLACES] = ";".join(
            f"{s}={c:.0f}" for s, c in zip(here[T.SERVICE], here[T.CAPACITY_PLACES], strict=True)
        )
        rows.append(entry)
    table = pd.DataFrame(rows)
    table[T.PERIOD] = table[T.PERIOD].astype("Int64")
    table[T.CLOSED_PERIOD] = table[T.CLOSED_PERIOD].astype("Int64")
    table[THEN_PERIOD] = table[THEN_PERIOD].astype("Int64")
    return table


def zones_table(plan: Plan, data: ModelData, residents: pd.DataFrame | None = None) -> pd.DataFrame:
    """
    Return demand, service and travel times per (zone, service, period).

    Parameters
    ----------
    plan
        The plan.
    data
        The model data.
    residents
        Travel times per resident point (``TravelTimes.residents``), or None.

    Returns
    -------
    pandas.DataFrame
        Columns zone, service, period, demand_persons, served_persons, unmet_persons,
        travel_time_before_min (:func:`baseline_travel_times`: per resident, to their own
        nearest existing facility), travel_time_after_min (per resident, to the site the
        plan assigns them: :func:`resident_after_times`; without resident points the mean
        over the persons served of their (zone, site) pair's time; NaN where nothing is
        served).
    """
    dem = data.demand.rename(T.DEMAND_PERSONS).reset_index()
    a = plan.assignments.assign(
        weighted=plan.assignments[T.PERSONS] * plan.assignments[T.TRAVEL_TIME_MIN]
    )
    agg = a.groupby([T.ZONE, T.SERVICE, T.PERIOD])[[T.PERSONS, "weighted"]].sum()
    table = dem.merge(agg, left_on=[T.ZONE, T.SERVICE, T.PERIOD], right_index=True, how="left")
    table[T.SERVED_PERSONS] = table[T.PERSONS].fillna(0.0)
    table[T.UNMET_PERSONS] = (table[T.DEMAND_PERSONS] - table[T.SERVED_PERSONS]).clip(lower=0.0)
    table[T.TRAVEL_TIME_AFTER_MIN] = table["weighted"] / table[T.PERSONS]
    if residents is not None:
        keys = [T.ZONE, T.SERVICE, T.PERIOD]
        per_resident = resident_after_times(plan.assignments, residents)
        exact = table.set_index(keys).index.map(per_resident.to_dict())
        found = ~pd.isna(np.asarray(exact, dtype=float))
        table.loc[found, T.TRAVEL_TIME_AFTER_MIN] = np.asarray(exact, dtype=float)[found]
    before = baseline_travel_times(data, residents).rename(T.TRAVEL_TIME_BEFORE_MIN)
    table = table.merge(before, left_on=[T.ZONE, T.SERVICE], right_index=True, how="left")
    cols = [
        T.ZONE,
        T.SERVICE,
        T.PERIOD,
        T.DEMAND_PERSONS,
        T.SERVED_PERSONS,
        T.UNMET_PERSONS,
        T.TRAVEL_TIME_BEFORE_MIN,
        T.TRAVEL_TIME_AFTER_MIN,
    ]
    return table[cols].sort_values([T.ZONE, T.SERVICE, T.PERIOD]).reset_index(drop=True)
