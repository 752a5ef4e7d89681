"""What a plan implies, recomputed from its decisions and the raw inputs.

:func:`build_context` derives, without the model's data, every quantity the rules compare
against: each building's use as is, each intervention's costs and hosted services, the
capacity of every (site, service, period), the raw travel time of every assignment and the
eligible (zone, site, service) pairs. It never raises on a bad plan: the rules report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from voorzieningen import tables as T
from voorzieningen.limits import site_limits
from voorzieningen.schemas.model import Service
from voorzieningen.verify.arithmetic import (
    Intervention,
    Money,
    buildings,
    extension,
    intervention,
    money,
    period_lengths,
)
from voorzieningen.verify.inputs import (
    IN_USE,
    NEW_AREA_M2,
    OPTION,
    PERSONS,
    PlanTables,
    VerifyInputs,
    demand_series,
)

#: Column of the raw travel time looked up for each assignment (NaN: pair not in the table).
RAW_TIME = "raw_travel_time_min"
#: Column of the capex recomputed for each start (NaN: the option is not allowed there).
CAPEX_RECOMPUTED = "capex_recomputed_eur"


@dataclass(frozen=True)
class Context:
    """The inputs, the plan and what the plan implies (see the module docstring).

    Attributes
    ----------
    inputs, plan
        As given.
    services, periods
        Services planned and planning years.
    money
        Period lengths and discount factors.
    sites
        Raw sites table, index ``site`` as text.
    buildings
        Existing buildings in the plan (see :func:`~.arithmetic.buildings`).
    demand
        Persons by (zone, period, service).
    starts
        The plan's starts with the recomputed intervention (``terms``: an
        :class:`~.arithmetic.Intervention` or the reason it is not allowed) and
        ``capex_recomputed_eur``.
    ended
        Per building, the first period it is closed or rebuilt (absent: never).
    closed
        Per site, the period it closes (as it is, or after its intervention).
    limits
        Size limits per (site, service): min_places, max_places (places) and
        max_floor_area_m2 (m²), from the raw portfolio, the settings and the school
        closure norm per gemeente (:func:`voorzieningen.limits.site_limits`, the one place
        for these rules).
    in_use
        Derived use as is: the set of (site, period) in which a building is used as it is.
    capacity
        Places per (site, service, period) of every service a site hosts then.
    assignments
        The plan's assignments with ``raw_travel_time_min`` from the raw table.
    eligible
        Every (zone, site, service) a plan may use: columns zone, site, service,
        travel_time_min (within the service's guarantee and the zone's own guarantee,
        for services the site can host).
    sizing_demands
        Persons by (zone, period, service) of the other population variants of a robust
        plan (``VerifyInputs.sizing_demands``); empty for a single-variant plan.
    """

    inputs: VerifyInputs
    plan: PlanTables
    services: list[Service]
    periods: tuple[int, ...]
    money: Money
    sites: pd.DataFrame
    buildings: pd.DataFrame
    demand: pd.Series
    starts: pd.DataFrame
    ended: dict[str, int]
    closed: dict[str, int]
    limits: pd.DataFrame
    in_use: set[tuple[str, int]]
    capacity: pd.Series
    assignments: pd.DataFrame
    eligible: pd.DataFrame
    sizing_demands: tuple[pd.Series, ...] = ()

    def peak_and_reach(self, dem: pd.Series) -> tuple[pd.Series, pd.Series]:
        """Regional peak per service; most demand reaching each (site, service) in a period."""
        peak = dem.groupby(level=[T.PERIOD, T.SERVICE]).sum().groupby(level=T.SERVICE).max()
        reach = self.eligible.merge(dem.rename("d").reset_index(), on=[T.ZONE, T.SERVICE])
        by_period = reach.groupby([T.SITE, T.SERVICE, T.PERIOD])["d"].sum()
        return peak, by_period.groupby(level=[0, 1]).max()

    def fixed(self) -> set[str]:
        """Existing buildings the plan does not manage (in use as they are throughout)."""
        b = self.buildings
        return set(b.index[~b["managed"].astype(bool)])


def _starts(inputs: VerifyInputs, plan: PlanTables, sites: pd.DataFrame) -> pd.DataFrame:
    starts = plan.starts.copy()
    terms: list[Intervention | str] = []
    for site, option in zip(starts[T.SITE], starts[OPTION], strict=True):
        if site not in sites.index:
            terms.append(f"site {site} is not in the sites table")
        else:
            # A life extension has its own arithmetic; every other option follows its name.
            row = sites.loc[site]
            if option == "extend":
                terms.append(extension(row, inputs.costs, inputs.model))
            else:
                terms.append(intervention(row, option, inputs.costs, inputs.model))
    starts["terms"] = pd.Series(terms, index=starts.index, dtype=object)
    starts[CAPEX_RECOMPUTED] = [
        t.one_off_eur + t.new_eur_per_m2 * float(a) if isinstance(t, Intervention) else np.nan
        for t, a in zip(terms, starts[NEW_AREA_M2], strict=True)
    ]
    return starts


def intervention_end(
    starts: pd.DataFrame, closed: dict[str, int], periods: tuple[int, ...], site: str, start: int
) -> int:
    """
    Return the first period an intervention started in ``start`` no longer serves.

    Its site's closure, or the start of a later intervention there (a building whose life
    was extended, then renovated, converted or merged); past the horizon if neither.

    Parameters
    ----------
    starts
        The plan's starts (site, period).
    closed
        Closure period per site.
    periods
        Planning years.
    site, start
        The intervention.

    Returns
    -------
    int
        A year (``periods[-1] + 1`` when it serves to the end).
    """
    later = [
        int(p)
        for j, p in zip(starts[T.SITE], starts[T.PERIOD], strict=True)
        if j == site and int(p) > start
    ]
    return min([closed.get(site, periods[-1] + 1), *later])


def _capacity(
    plan: PlanTables,
    starts: pd.DataFrame,
    blds: pd.DataFrame,
    in_use: set[tuple[str, int]],
    periods: tuple[int, ...],
    closed: dict[str, int],
    lead: int,
    *,
    temporary: bool,
) -> pd.Series:
    """Places per (site, service, period).

    As is; in temporary space during works (when the scenario says so); and an intervention's places from ``lead`` periods after its
    start (its own lead, 0 for a life extension) until the site closes.
    """
    places: dict[tuple[str, str, int], float] = {}
    service = blds[T.SERVICE].astype(str).to_dict()
    cap0 = blds[T.CAPACITY_PLACES].astype(float).to_dict()
    for site, period in in_use:
        key = (site, service[site], period)
        places[key] = places.get(key, 0.0) + cap0[site]
    index = {t: i for i, t in enumerate(periods)}
    for site, option, start, terms in zip(
        starts[T.SITE], starts[OPTION], starts[T.PERIOD], starts["terms"], strict=True
    ):
        if not isinstance(terms, Intervention) or start not in index:
            continue
        end = intervention_end(starts, closed, periods, site, int(start))
        mine = lead if terms.lead_periods is None else terms.lead_periods
        serving = [t for t in periods if index[t] >= index[start] + mine and t < end]
        works = [t for t in periods if index[start] <= index[t] < index[start] + mine]
        if temporary and site in service:
            for t in works:
                key = (site, service[site], t)
                places[key] = places.get(key, 0.0) + cap0[site]
        for s in terms.hosted:
            for t in serving:
                places.setdefault((site, s, t), 0.0)
        built = plan.capacity_built[
            (plan.capacity_built[T.SITE] == site) & (plan.capacity_built[OPTION] == option)
        ]
        for s, c in zip(built[T.SERVICE], built[T.CAPACITY_PLACES], strict=True):
            if s in terms.hosted:
                for t in serving:
                    places[(site, s, t)] = places.get((site, s, t), 0.0) + float(c)
    keys = pd.MultiIndex.from_tuples(list(places), names=[T.SITE, T.SERVICE, T.PERIOD])
    return pd.Series(list(places.values()), index=keys, dtype=float)


def _limits(sites: pd.DataFrame, services: list[Service], inputs: VerifyInputs) -> pd.DataFrame:
    raw = sites.copy()
    for column in (T.MIN_PLACES, T.MAX_PLACES, T.MAX_FLOOR_AREA_M2):
        if column not in raw.columns:
            raw[column] = np.nan
    if T.GEMEENTE not in raw.columns:
        raw[T.GEMEENTE] = ""
    limits = site_limits(raw, services, inputs.costs, inputs.closure_norms)
    limits.index = pd.MultiIndex.from_tuples(
        [(str(j), str(s)) for j, s in limits.index], names=[T.SITE, T.SERVICE]
    )
    return limits


def _eligible(inputs: VerifyInputs, sites: pd.DataFrame, services: list[Service]) -> pd.DataFrame:
    """Raw pairs within reach, for the services each site can host in some state."""
    tt = inputs.travel_times
    cols = [T.ZONE, T.SITE, T.TRAVEL_TIME_MIN]
    raw = tt.loc[:, [*cols, T.SERVICE] if T.SERVICE in tt.columns else cols].copy()
    raw[T.ZONE] = raw[T.ZONE].astype(str)
    raw[T.SITE] = raw[T.SITE].astype(str)
    hosts: list[tuple[str, str]] = []
    for site, row in sites.iterrows():
        can: set[str] = {s for s in str(row[T.ALLOWED_SERVICES]).split(";") if s in services}
        if row[T.KIND] == "existing" and row[T.SERVICE] in services:
            can.add(str(row[T.SERVICE]))
        hosts.extend((str(site), s) for s in can)
    host = pd.DataFrame(hosts, columns=[T.SITE, T.SERVICE])
    pairs = raw.merge(host, on=[T.SITE, T.SERVICE] if T.SERVICE in raw.columns else [T.SITE])
    norms = inputs.norms
    limit = (
        pairs[T.SERVICE]
        .map(lambda s: getattr(norms, s).max_travel_time_min or np.inf)
        .astype(float)
    )
    for g in norms.guarantees:
        here = (pairs[T.ZONE] == g.zone) & (pairs[T.SERVICE] == g.service)
        limit[here] = np.minimum(limit[here], g.max_travel_time_min)
    pairs = pairs[pairs[T.TRAVEL_TIME_MIN].astype(float) <= limit]
    return pairs.groupby([T.ZONE, T.SITE, T.SERVICE])[T.TRAVEL_TIME_MIN].min().reset_index()


def _raw_times(inputs: VerifyInputs, assignments: pd.DataFrame) -> pd.Series:
    tt = inputs.travel_times
    keys = [T.ZONE, T.SITE, T.SERVICE] if T.SERVICE in tt.columns else [T.ZONE, T.SITE]
    raw = tt.loc[:, [*keys, T.TRAVEL_TIME_MIN]].astype(dict.fromkeys(keys, str))
    lookup = raw.groupby(keys)[T.TRAVEL_TIME_MIN].min().rename(RAW_TIME).astype(float)
    merged = assignments[keys].merge(lookup, left_on=keys, right_index=True, how="left")
    return pd.Series(merged[RAW_TIME].to_numpy(dtype=float), index=assignments.index)


def _planned(demand: pd.Series, services: list[Service], periods: tuple[int, ...]) -> pd.Series:
    """Demand of the planned services and periods only."""
    level = demand.index.get_level_values
    return demand[level(T.SERVICE).isin(services) & level(T.PERIOD).isin(periods)]


def build_context(plan: PlanTables, inputs: VerifyInputs) -> Context:
    """
    Derive what a plan implies from its decisions and the raw inputs.

    Parameters
    ----------
    plan
        The plan's tables.
    inputs
        The raw inputs and settings.

    Returns
    -------
    Context
        Everything the rules compare against.
    """
    services: list[Service] = list(inputs.model.services)
    periods = tuple(int(p) for p in inputs.periods)
    years = period_lengths(periods, inputs.period_years)
    sites = inputs.sites.copy()
    sites.index = sites.index.astype(str)
    blds = buildings(sites, periods, years, inputs.costs, services)
    starts = _starts(inputs, plan, sites)
    ended: dict[str, int] = {}
    for table in (plan.closures, plan.starts):
        for site, period in zip(table[T.SITE], table[T.PERIOD], strict=True):
            ended[site] = min(ended.get(site, period), int(period))
    # A site closes once: as it is, or in any period after its intervention.
    closed = plan.closures.groupby(T.SITE)[T.PERIOD].max().astype(int).to_dict()
    fixed = set(blds.index[~blds["managed"].astype(bool)])
    in_use = {
        (site, t)
        for site in blds.index
        for t in periods
        if site in fixed or t < ended.get(site, periods[-1] + 1)
    }
    assignments = plan.assignments.copy()
    assignments[RAW_TIME] = _raw_times(inputs, assignments)
    return Context(
        inputs=inputs,
        plan=plan,
        services=services,
        periods=periods,
        money=money(periods, years, inputs.costs),
        sites=sites,
        buildings=blds,
        demand=_planned(demand_series(inputs.demand), services, periods),
        starts=starts,
        ended=ended,
        in_use=in_use,
        closed={str(k): int(v) for k, v in closed.items()},
        limits=_limits(sites, services, inputs),
        capacity=_capacity(
            plan,
            starts,
            blds,
            in_use,
            periods,
            {str(k): int(v) for k, v in closed.items()},
            int(inputs.model.construction_lead_periods),
            temporary=inputs.model.service_during_works == "temporary",
        ),
        assignments=assignments,
        eligible=_eligible(inputs, sites, services),
        sizing_demands=tuple(
            _planned(demand_series(d), services, periods) for d in inputs.sizing_demands
        ),
    )


def reported_in_use(plan: PlanTables) -> set[tuple[str, int]]:
    """Return the (site, period) pairs the plan reports as used as is."""
    asis = plan.asis[plan.asis[IN_USE]]
    return set(zip(asis[T.SITE], asis[T.PERIOD].astype(int), strict=True))


def used_places(ctx: Context) -> pd.Series:
    """Persons assigned per (site, service, period), as the plan claims."""
    a = ctx.assignments
    return a.groupby([T.SITE, T.SERVICE, T.PERIOD])[PERSONS].sum()
