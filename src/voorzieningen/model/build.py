r"""Build the multi-period building-lifecycle investment model (Pyomo; no I/O, no solver).

Formulation (sets: zones :math:`z`, sites :math:`j`, services :math:`s`, periods :math:`t`;
options :math:`k` of site :math:`j(k)` hosting services :math:`S_k`; existing buildings
:math:`e`; eligible pairs :math:`p = (z, j, s)` with travel time :math:`\tau_p`, minutes):

Variables
    ``start[k,t]`` binary: option *k* (renovate, convert, MFA, new build) starts in period
    *t*; it then lasts to the end of the horizon. ``asis[e,t]`` binary: building *e* is used
    as it is in *t*. ``close[e,t]`` ≥ 0: *e* closes in *t* (integral by construction).
    ``capv[k,s,t]`` ≥ 0: places of *s* built by option *k* starting in *t*. ``ext[k,t]`` ≥ 0:
    new floor area (m²). ``assign[p,t]`` ≥ 0: persons of zone *z* served at *j* for *s*.
    ``unmet[z,s,t]`` ≥ 0: persons not served (when allowed).

Constraints (added in this order, one ``add_*`` function each)
    1. lifecycle: ``asis[e,t] + Σ_k start[k,t] + close[e,t] = asis[e,t-1]`` (``asis[e,0]=1``);
       ``asis[e,t] = 0`` after the building's end of life; a candidate starts at most one
       option once. Closures are irreversible and investments are permanent.
    2. sizing: ``ext[k,t] ≥ Σ_s m2_s capv[k,s,t] - shared[k,t] - A_k start[k,t]`` with the
       shared space of a multifunctional building ``shared ≤ σ Σ_s m2_s capv[k,s,t]`` and
       ``shared ≤ σ |S_k| m2_s capv[k,s,t]`` for each hosted *s* (a token service saves
       nothing); ``max(1, min_s) start[k,t] ≤ capv[k,s,t] ≤ capmax_{j,s} start[k,t]``.
    3. demand: ``Σ_j assign[z,j,s,t] + unmet[z,s,t] = d[z,s,t]``.
    4. capacity: ``Σ_z assign[z,j,s,t] ≤ cap0[j,s] asis[j,t] + Σ_{k∈K_j, τ≤t} capv[k,s,τ]``.
    5. linking: ``assign[p,t] ≤ d[z,s,t] host[j,s,t]``, with ``host`` = hosts *s* in *t*.
    6. minimum viable size: ``Σ_z assign[z,j,s,t] ≥ min_s host[j,s,t]`` for buildings the
       plan manages.
    7. coverage norm: ``Σ_{p: τ_p ≤ T_s} assign[p,t] ≥ share_s Σ_z d[z,s,t]``.
    8. budgets: per period ``spend_t ≤ B_t`` and cumulatively ``Σ_{τ≤t} spend_τ ≤ B`` for
       every *t*, with ``spend = capex - proceeds`` (or ``capex + demolition``).
    9. closest assignment (optional): ``Σ_{q farther than p} assign[q,t] ≤ d (1 - host)``.
    10. epsilon constraint (optional, for Pareto fronts): ``spend ≤ ε`` with a mutable ε.

Objective
    ``access``: ``Σ_t w_t Σ_s ω_s (Σ_p τ_p assign[p,t] + P Σ unmet[z,s,t]) + ε · NPV``
    with service weights ``ω_s`` (default 1) and period
    weights ``w_t`` = share of the horizon (person-minutes per trip, horizon average);
    ``cost``: ``NPV + P_€ Σ_t years_t Σ unmet``, where ``NPV = Σ_t δ_t (capex_t -
    proceeds_t) + Σ_t a_t opex_t - δ_end Σ_t r_t capex_t - δ_end V`` (``a_t`` the sum of
    the yearly discount factors of the period; residual value of undepreciated capex; ``V``
    the sale value of managed buildings still in use at the end of the horizon);
    ``worst_off``: ``Σ_s worst_min[s]`` + 1e-3 × the mean travel time (minutes, unmet at the
    penalty), where ``worst_min[s]`` bounds every zone's average travel time for *s*.
"""

from __future__ import annotations

from collections import defaultdict
from typing import cast

import numpy as np
import pyomo.environ as pyo

from voorzieningen import tables as T
from voorzieningen.model.data import WORST_OFF_SECONDARY, ModelData
from voorzieningen.schemas.model import Service

#: Euros to millions of euros, for rows and objectives in money.
MEUR = 1e-6


def build_model(data: ModelData) -> pyo.ConcreteModel:
    """
    Build the investment model for one scenario.

    Parameters
    ----------
    data
        Sets and parameters from :func:`voorzieningen.model.data.build_model_data`.

    Returns
    -------
    pyomo.environ.ConcreteModel
        The model, with expressions ``capex_eur[t]``, ``proceeds_eur[t]``, ``opex_eur[t]``
        (€ per year), ``npv_cost_eur``, ``access_person_min`` and one active objective.
    """
    m = pyo.ConcreteModel(name="voorzieningen")
    m._data = data
    periods = data.periods
    m.PERIODS = pyo.Set(initialize=periods, ordered=True)
    add_variables(m, data)
    add_lifecycle(m, data)
    add_sizing(m, data)
    add_demand(m, data)
    add_capacity_and_linking(m, data)
    add_coverage_norms(m, data)
    if data.options_settings.closest_assignment:
        add_closest_assignment(m, data)
    add_costs(m, data)
    add_budgets(m, data)
    add_objective(m, data)
    return m


def _prev(periods: list[int]) -> dict[int, int | None]:
    return {t: (periods[i - 1] if i else None) for i, t in enumerate(periods)}


def add_variables(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Declare the sets and variables (see the module docstring)."""
    opts = data.options
    m.OPTIONS = pyo.Set(initialize=range(len(opts)), ordered=True)
    opt_services = [(k, s) for k, svcs in enumerate(opts["services"]) for s in svcs]
    m.OPT_SERVICES = pyo.Set(initialize=opt_services, dimen=2, ordered=True)
    m.EXISTING = pyo.Set(initialize=list(data.asis_area_m2.index.astype(str)), ordered=True)
    m.PAIRS = pyo.Set(initialize=range(len(data.pairs)), ordered=True)
    m.start = pyo.Var(m.OPTIONS, m.PERIODS, within=pyo.Binary)
    m.capv = pyo.Var(m.OPT_SERVICES, m.PERIODS, within=pyo.NonNegativeReals)
    m.ext = pyo.Var(m.OPTIONS, m.PERIODS, within=pyo.NonNegativeReals)
    m.asis = pyo.Var(m.EXISTING, m.PERIODS, within=pyo.Binary)
    k_of: dict[tuple[str, str], list[int]] = defaultdict(list)
    for k, (site, svcs) in enumerate(zip(opts[T.SITE], opts["services"], strict=True)):
        for s in svcs:
            k_of[(str(site), str(s))].append(k)
    m._k_of = dict(k_of)
    m._asis_hosts = {(str(j), str(s)) for j, s in data.asis_capacity.index}
    m.close = pyo.Var(m.EXISTING, m.PERIODS, within=pyo.NonNegativeReals, bounds=(0, 1))
    m.assign = pyo.Var(m.PAIRS, m.PERIODS, within=pyo.NonNegativeReals)
    zs = [(z, s) for z in data.zones for s in data.services]
    m.ZONE_SERVICES = pyo.Set(initialize=zs, dimen=2, ordered=True)
    ub = None if data.options_settings.allow_unmet_demand else 0.0
    m.unmet = pyo.Var(m.ZONE_SERVICES, m.PERIODS, within=pyo.NonNegativeReals, bounds=(0, ub))


def add_lifecycle(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Lifecycle: as-is until closure or one intervention; closures irreversible (1)."""
    opts = data.options
    by_site: dict[str, list[int]] = defaultdict(list)
    for k, site in enumerate(opts[T.SITE]):
        by_site[str(site)].append(k)
    m._options_by_site = dict(by_site)
    prev = _prev(data.periods)
    existing = set(m.EXISTING)

    def transition(m: pyo.ConcreteModel, e: str, t: int) -> pyo.Expression:
        before = 1 if prev[t] is None else m.asis[e, prev[t]]
        return (
            m.asis[e, t] + sum(m.start[k, t] for k in by_site.get(e, [])) + m.close[e, t] == before
        )

    m.c_transition = pyo.Constraint(m.EXISTING, m.PERIODS, rule=transition)
    fixed = set(data.fixed_sites)
    for e in existing:
        if e in fixed:
            for t in data.periods:
                m.asis[e, t].fix(1)
                m.close[e, t].fix(0)
            continue
        last = data.asis_last_period.get(e)
        for t in data.periods:
            if last is None or (isinstance(last, float) and np.isnan(last)) or t > last:
                m.asis[e, t].fix(0)
    candidates = [j for j in by_site if j not in existing]
    m.CANDIDATES = pyo.Set(initialize=candidates, ordered=True)
    m.c_build_once = pyo.Constraint(
        m.CANDIDATES,
        rule=lambda m, j: sum(m.start[k, t] for k in by_site[j] for t in m.PERIODS) <= 1,
    )


def add_sizing(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Sizing: capacities only when an option starts; new floor area beyond reuse (2)."""
    opts = data.options
    saving = opts["saving"].to_numpy(dtype=float)
    reuse = opts["reuse_area_m2"].to_numpy(dtype=float)
    services_of = list(opts["services"])
    site_of = opts[T.SITE].astype(str).to_numpy()
    floor = data.min_places.clip(lower=1.0)

    def bound(k: int, s: str) -> float:
        return float(data.site_cap_max.get((site_of[k], s), floor[s]))

    m.c_capv_open = pyo.Constraint(
        m.OPT_SERVICES,
        m.PERIODS,
        rule=lambda m, k, s, t: m.capv[k, s, t] <= bound(k, s) * m.start[k, t],
    )
    # A started option hosts a real facility: at least its minimum viable size, and at
    # least one place, of every service it hosts (no free zero-capacity projects).
    m.c_capv_min = pyo.Constraint(
        m.OPT_SERVICES,
        m.PERIODS,
        rule=lambda m, k, s, t: (
            m.capv[k, s, t] >= max(1.0, float(data.min_places[s])) * m.start[k, t]
        ),
    )

    def area(m: pyo.ConcreteModel, k: int, s: str, t: int) -> pyo.Expression:
        return float(data.m2_per_place[s]) * m.capv[k, s, t]

    def ext_rule(m: pyo.ConcreteModel, k: int, t: int) -> pyo.Expression:
        need = sum(area(m, k, s, t) for s in services_of[k])
        shared = m.shared[k, t] if saving[k] > 0 else 0
        return m.ext[k, t] >= need - shared - reuse[k] * m.start[k, t]

    mfa = [k for k in m.OPTIONS if saving[k] > 0]
    m.MFA_OPTIONS = pyo.Set(initialize=mfa, ordered=True)
    m.shared = pyo.Var(m.MFA_OPTIONS, m.PERIODS, within=pyo.NonNegativeReals)
    m.c_ext = pyo.Constraint(m.OPTIONS, m.PERIODS, rule=ext_rule)
    # Shared space saves at most `saving` of the total area, and no more than `saving` times
    # n times the smallest service's area: a token service earns (almost) no saving.
    m.c_shared_total = pyo.Constraint(
        m.MFA_OPTIONS,
        m.PERIODS,
        rule=lambda m, k, t: (
            m.shared[k, t] <= saving[k] * sum(area(m, k, s, t) for s in services_of[k])
        ),
    )
    mfa_services = [(k, s) for k in mfa for s in services_of[k]]
    m.MFA_SERVICES = pyo.Set(initialize=mfa_services, dimen=2, ordered=True)
    m.c_shared_each = pyo.Constraint(
        m.MFA_SERVICES,
        m.PERIODS,
        rule=lambda m, k, s, t: (
            m.shared[k, t] <= saving[k] * len(services_of[k]) * area(m, k, s, t)
        ),
    )


def _host_expr(m: pyo.ConcreteModel, data: ModelData, j: str, s: str, t: int) -> pyo.Expression:
    """1 if site j hosts service s in period t (as is, or by an option started by t)."""
    expr = m.asis[j, t] if (j, s) in m._asis_hosts else 0
    started = [m.start[k, tau] for k in m._k_of.get((j, s), []) for tau in data.periods if tau <= t]
    return expr + sum(started)


def add_demand(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Demand: every person is served by an eligible site or counted as unmet (3)."""
    pairs = data.pairs
    groups = pairs.groupby([T.ZONE, T.SERVICE]).indices
    dem = data.demand

    def rule(m: pyo.ConcreteModel, z: str, s: str, t: int) -> pyo.Expression:
        served = sum(m.assign[p, t] for p in groups.get((z, s), ()))
        return served + m.unmet[z, s, t] == float(dem[(z, t, s)])

    m.c_demand = pyo.Constraint(m.ZONE_SERVICES, m.PERIODS, rule=rule)


def add_capacity_and_linking(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Capacity (4), linking of assignments to hosting sites (5), minimum size (6)."""
    pairs = data.pairs
    groups = pairs.groupby([T.SITE, T.SERVICE]).indices
    keys = sorted(groups, key=str)
    m.SITE_SERVICES = pyo.Set(initialize=keys, dimen=2, ordered=True)
    k_of: dict[tuple[str, str], list[int]] = m._k_of

    def capacity(m: pyo.ConcreteModel, j: str, s: str, t: int) -> pyo.Expression:
        used = sum(m.assign[p, t] for p in groups[(j, s)])
        cap0 = float(data.asis_capacity.get((j, s), 0.0))
        available = (cap0 * m.asis[j, t] if cap0 else 0) + sum(
            m.capv[k, s, tau] for k in k_of.get((j, s), []) for tau in data.periods if tau <= t
        )
        return used <= available

    m.c_capacity = pyo.Constraint(m.SITE_SERVICES, m.PERIODS, rule=capacity)

    dem = data.demand
    zone = pairs[T.ZONE].to_numpy()
    site = pairs[T.SITE].to_numpy()
    service = pairs[T.SERVICE].to_numpy()

    always_open = set(data.fixed_sites)  # in use as they are in every period

    def link(m: pyo.ConcreteModel, p: int, t: int) -> pyo.Expression:
        d = float(dem[(zone[p], t, service[p])])
        if d <= 0:
            return m.assign[p, t] == 0
        if site[p] in always_open:
            return pyo.Constraint.Skip  # host = 1: implied by the demand row
        return m.assign[p, t] <= d * _host_expr(m, data, site[p], service[p], t)

    m.c_link = pyo.Constraint(m.PAIRS, m.PERIODS, rule=link)

    # Minimum viable size, for every (site, service) the plan decides on; buildings it does
    # not manage stay open whatever their use. A hosted service nobody can reach is empty,
    # so it can only be hosted when its minimum is 0.
    fixed = set(data.fixed_sites)
    hosted = sorted({key for key in (*m._asis_hosts, *k_of) if key[0] not in fixed}, key=str)
    m.MANAGED_HOSTS = pyo.Set(initialize=hosted, dimen=2, ordered=True)

    def min_size(m: pyo.ConcreteModel, j: str, s: str, t: int) -> pyo.Expression:
        low = float(data.min_places[s])
        if low <= 0:
            return pyo.Constraint.Skip
        used = sum(m.assign[p, t] for p in groups.get((j, s), ()))
        return used >= low * _host_expr(m, data, j, s, t)

    m.c_min_size = pyo.Constraint(m.MANAGED_HOSTS, m.PERIODS, rule=min_size)


def add_closest_assignment(m: pyo.ConcreteModel, data: ModelData) -> None:
    r"""Closest assignment (9): nobody travels past an open facility of the same service.

    For each eligible pair ``p = (z, j, s)`` and period ``t``:
    ``Σ_{q=(z,k,s): τ_q > τ_p} assign[q,t] ≤ d[z,s,t] (1 - host[j,s,t])``
    (Wagner & Falkson 1975; ties are broken by site id, which the pairs are sorted by).
    """
    pairs = data.pairs
    dem = data.demand
    zone = pairs[T.ZONE].to_numpy()
    site = pairs[T.SITE].to_numpy()
    service = pairs[T.SERVICE].to_numpy()
    groups = pairs.groupby([T.ZONE, T.SERVICE], sort=False).indices
    farther: dict[int, list[int]] = {}
    for idx in groups.values():
        ordered = list(idx)  # already nearest first
        for pos, p in enumerate(ordered):
            farther[int(p)] = [int(q) for q in ordered[pos + 1 :]]

    def rule(m: pyo.ConcreteModel, p: int, t: int) -> pyo.Expression:
        later = farther.get(p, [])
        d = float(dem[(zone[p], t, service[p])])
        if not later or d <= 0:
            return pyo.Constraint.Skip
        beyond = sum(m.assign[q, t] for q in later)
        return beyond <= d * (1 - _host_expr(m, data, site[p], service[p], t))

    m.c_closest = pyo.Constraint(m.PAIRS, m.PERIODS, rule=rule)


def add_coverage_norms(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Coverage norms: a share of demand within a travel time, per service (7)."""
    pairs = data.pairs
    rows: list[tuple[str, int]] = []
    for s in data.services:
        norm = getattr(data.norms, s)
        if norm.min_share_within is not None:
            rows.extend((s, t) for t in data.periods)
    m.NORMS = pyo.Set(initialize=rows, dimen=2, ordered=True)
    total = data.demand.groupby(level=[T.SERVICE, T.PERIOD]).sum()

    def rule(m: pyo.ConcreteModel, s: str, t: int) -> pyo.Expression:
        norm = getattr(data.norms, s)
        within = np.flatnonzero(
            (pairs[T.SERVICE].to_numpy() == s)
            & (pairs[T.TRAVEL_TIME_MIN].to_numpy() <= norm.within_min)
        )
        served = sum(m.assign[int(p), t] for p in within)
        return served >= float(norm.min_share_within) * float(total[(s, t)])

    m.c_norm = pyo.Constraint(m.NORMS, rule=rule)


def add_costs(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Capex, proceeds and opex per period (€), and the net present value (€)."""
    opts = data.options
    one_off = (opts["fixed_capex_eur"] + opts["reuse_capex_eur"]).to_numpy(dtype=float)
    per_m2 = opts["new_eur_per_m2"].to_numpy(dtype=float)
    opex_m2 = opts["opex_eur_per_m2_year"].to_numpy(dtype=float)
    reuse = opts["reuse_area_m2"].to_numpy(dtype=float)
    close_value = data.close_value_eur
    asis_opex = {
        e: float(data.asis_area_m2[e])
        * data.costs.for_service(
            cast("Service", data.sites_table.at[e, T.SERVICE])
        ).opex_eur_per_m2_year
        for e in m.EXISTING
        if e not in set(data.fixed_sites)  # not the corporation's cost
    }
    m.capex_eur = pyo.Expression(
        m.PERIODS,
        rule=lambda m, t: sum(
            one_off[k] * m.start[k, t] + per_m2[k] * m.ext[k, t] for k in m.OPTIONS
        ),
    )
    m.proceeds_eur = pyo.Expression(
        m.PERIODS,
        rule=lambda m, t: sum(float(close_value[e]) * m.close[e, t] for e in m.EXISTING),
    )
    m.demolition_eur = pyo.Expression(
        m.PERIODS,
        rule=lambda m, t: sum(max(0.0, -float(close_value[e])) * m.close[e, t] for e in m.EXISTING),
    )

    def opex(m: pyo.ConcreteModel, t: int) -> pyo.Expression:
        asis = sum(cost * m.asis[e, t] for e, cost in asis_opex.items())
        new = sum(
            opex_m2[k] * (reuse[k] * m.start[k, tau] + m.ext[k, tau])
            for k in m.OPTIONS
            for tau in data.periods
            if tau <= t
        )
        return asis + new

    m.opex_eur = pyo.Expression(m.PERIODS, rule=opex)
    end_discount = (1.0 + data.costs.discount_rate) ** -(
        data.periods[-1] + float(data.period_years.iloc[-1]) - data.periods[0]
    )
    # Terminal value: a managed building still in use at the end of the horizon keeps its
    # sale value, so selling it in the last period is not a free gain.
    last = data.periods[-1]
    fixed = set(data.fixed_sites)
    m.terminal_value_eur = pyo.Expression(
        expr=sum(
            max(0.0, float(close_value[e]))
            * (
                m.asis[e, last]
                + sum(m.start[k, t] for k in m._options_by_site.get(e, []) for t in data.periods)
            )
            for e in m.EXISTING
            if e not in fixed
        )
    )
    m.npv_cost_eur = pyo.Expression(
        expr=sum(
            float(data.discount[t]) * (m.capex_eur[t] - m.proceeds_eur[t])
            + float(data.opex_factor[t]) * m.opex_eur[t]
            - end_discount * float(data.residual_share[t]) * m.capex_eur[t]
            for t in data.periods
        )
        - end_discount * m.terminal_value_eur
    )


def add_budgets(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Capex budgets per period and in total (8)."""

    def spend(m: pyo.ConcreteModel, t: int) -> pyo.Expression:
        if data.sale_proceeds_fund_capex:
            return m.capex_eur[t] - m.proceeds_eur[t]
        return m.capex_eur[t] + m.demolition_eur[t]

    m.spend_eur = pyo.Expression(m.PERIODS, rule=spend)
    if data.capex_per_period_eur is not None:
        limit = float(data.capex_per_period_eur)
        m.c_budget_period = pyo.Constraint(
            m.PERIODS, rule=lambda m, t: MEUR * m.spend_eur[t] <= MEUR * limit
        )
    if data.capex_total_eur is not None:
        # Mutable, so that a Pareto sweep can change it between solves (constraint 10).
        # Budget rows are written in M€ so that their coefficients stay near 1 (HiGHS scales
        # badly across 1e-2 .. 1e7); the parameter itself is in €.
        m.budget_total_eur = pyo.Param(mutable=True, initialize=float(data.capex_total_eur))
        # Cumulative: money from a sale in a later period cannot pay for earlier works.
        m.c_budget_total = pyo.Constraint(
            m.PERIODS,
            rule=lambda m, t: (
                MEUR * sum(m.spend_eur[tau] for tau in data.periods if tau <= t)
                <= MEUR * m.budget_total_eur
            ),
        )


def set_total_budget(m: pyo.ConcreteModel, budget_eur: float) -> None:
    """
    Change the total budget of a built model (the epsilon of a cost-access Pareto sweep).

    Parameters
    ----------
    m
        A model built with a total budget (``capex_total_eur`` not None).
    budget_eur
        New limit on total spending over the horizon, €.

    Raises
    ------
    ValueError
        If the model was built without a total budget.
    """
    if not hasattr(m, "budget_total_eur"):
        msg = "the model has no total budget to change; build it with capex_total_eur set"
        raise ValueError(msg)
    m.budget_total_eur.set_value(float(budget_eur))


def add_worst_off(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Worst-off zone-average travel time per service (minutes), for the equity objective.

    ``worst_min[s] · d[z,s,t] ≥ Σ_j τ assign[z,j,s,t] + P unmet[z,s,t]`` for every zone and
    period with demand, so ``worst_min[s]`` bounds every zone's average trip (unserved
    persons count at the penalty ``P`` minutes).
    """
    pairs = data.pairs
    groups = pairs.groupby([T.ZONE, T.SERVICE]).indices
    tt = pairs[T.TRAVEL_TIME_MIN].to_numpy(dtype=float)
    penalty = data.options_settings.unmet_penalty_min
    m.SERVICES = pyo.Set(initialize=list(data.services), ordered=True)
    m.worst_min = pyo.Var(m.SERVICES, within=pyo.NonNegativeReals)

    def rule(m: pyo.ConcreteModel, z: str, s: str, t: int) -> pyo.Expression:
        d = float(data.demand[(z, t, s)])
        if d <= 0:
            return pyo.Constraint.Skip
        trips = sum(tt[p] * m.assign[p, t] for p in groups.get((z, s), ()))
        return m.worst_min[s] * d >= trips + penalty * m.unmet[z, s, t]

    m.c_worst = pyo.Constraint(m.ZONE_SERVICES, m.PERIODS, rule=rule)


def add_objective(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Objective: accessibility (person-minutes) or NPV cost (€), see module docstring."""
    years = data.period_years
    weight = years / years.sum()
    tt = data.pairs[T.TRAVEL_TIME_MIN].to_numpy(dtype=float)
    opts = data.options_settings
    m.access_person_min = pyo.Expression(
        expr=sum(
            float(weight[t]) * sum(tt[p] * m.assign[p, t] for p in m.PAIRS) for t in data.periods
        )
    )
    m.unmet_persons = pyo.Expression(
        expr=sum(
            float(weight[t]) * m.unmet[z, s, t] for (z, s) in m.ZONE_SERVICES for t in data.periods
        )
    )
    if opts.objective == "worst_off":
        add_worst_off(m, data)
        # Then mean travel time (minutes, unmet at the penalty), scaled to 1e-3 per minute
        # whatever the region's size, so it breaks ties without outweighing worst_min.
        persons = max(float((data.demand.groupby(level=T.PERIOD).sum() * weight).sum()), 1e-9)
        m.objective = pyo.Objective(
            expr=sum(m.worst_min[s] for s in data.services)
            + WORST_OFF_SECONDARY
            / persons
            * (m.access_person_min + opts.unmet_penalty_min * m.unmet_persons)
            + opts.cost_tiebreak * WORST_OFF_SECONDARY / persons * m.npv_cost_eur,
            sense=pyo.minimize,
        )
    elif opts.objective == "access":
        sw = {s: float(opts.service_weights.get(s, 1.0)) for s in data.services}
        service = data.pairs[T.SERVICE].to_numpy()
        if all(v == 1.0 for v in sw.values()):
            weighted_access, weighted_unmet = m.access_person_min, m.unmet_persons
        else:
            weighted_access = sum(
                float(weight[t]) * sum(sw[service[p]] * tt[p] * m.assign[p, t] for p in m.PAIRS)
                for t in data.periods
            )
            weighted_unmet = sum(
                float(weight[t]) * sw[s] * m.unmet[z, s, t]
                for (z, s) in m.ZONE_SERVICES
                for t in data.periods
            )
        m.objective = pyo.Objective(
            expr=weighted_access
            + opts.unmet_penalty_min * weighted_unmet
            + opts.cost_tiebreak * m.npv_cost_eur,
            sense=pyo.minimize,
        )
    else:
        # In M€ for the solver's numerics; the solve stage reports it back in €.
        m._objective_scale = MEUR
        m.objective = pyo.Objective(
            expr=MEUR
            * (
                m.npv_cost_eur
                + opts.unmet_penalty_eur
                * sum(
                    float(years[t]) * m.unmet[z, s, t]
                    for (z, s) in m.ZONE_SERVICES
                    for t in data.periods
                )
            ),
            sense=pyo.minimize,
        )
