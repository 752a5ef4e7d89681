"""Build the multi-period building-lifecycle investment model (Pyomo; no I/O, no solver).

The mathematics (sets, parameters with units, variables, constraint families (C1)-(C25)
and the objectives (O1)-(O3)) is written once, in ``models/investment.md`` at the top of
the repository; ``tests/test_formulation.py`` keeps that document and this module in step
(every component named there exists here under that name, and the other way round).

In short: per existing building the plan keeps it as it is, closes it, or starts one
option (renovate, extend its life, convert, a multifunctional building) in some period
(after a life extension one more); per candidate site it may build new once. Options are sized (places per service, new floor area); persons of
every zone are assigned to sites hosting their service within reach, under capacities,
minimum sizes, coverage norms and budgets. The objective is accessibility
(person-minutes), the net present cost (€), or the worst-off zone's travel time (minutes).

Every derived quantity (index maps, option lists per site, period weights, discount
factors, spend, the objective scale) comes from :class:`~voorzieningen.model.data.ModelData`;
nothing is stored on the Pyomo model outside its components, so the ``add_*`` functions
(one per constraint family) depend only on the components they use.
"""

from __future__ import annotations

from typing import NamedTuple, cast

import numpy as np
import pyomo.environ as pyo

from voorzieningen import tables as T
from voorzieningen.model.data import MEUR, WORST_OFF_SECONDARY, ModelData
from voorzieningen.model.hosting import (
    add_closest_assignment,
    add_host,
    add_host_rows,
    add_link,
    add_min_size,
    works_expr,
)
from voorzieningen.schemas.model import Service

__all__ = ["MEUR", "BuiltModel", "build_model", "fill_model", "set_total_budget"]


class BuiltModel(NamedTuple):
    """A built investment model and the scale of its objective.

    A named tuple, so both ``built.model`` and ``model, scale = build_model(data)`` work.

    Attributes
    ----------
    model
        The Pyomo model (unsolved).
    objective_scale
        Factor from the objective's unit (€ for ``cost``, person-minutes for ``access``,
        minutes for ``worst_off``) to the unit the solver sees: ``1e-6`` (M€) for the cost
        objective, else 1. Pass it to :func:`voorzieningen.solve.solve_model`, which reports
        the objective back in its own unit and scales ``solver.mip_abs_gap``.
    """

    model: pyo.ConcreteModel
    objective_scale: float


def build_model(data: ModelData, *, host_variable: bool = True) -> BuiltModel:
    """
    Build the investment model for one scenario (``models/investment.md``).

    Parameters
    ----------
    data
        Sets and parameters from :func:`voorzieningen.model.data.build_model_data`.
    host_variable
        Write :math:`h_{jst}` (H) once per (site, service, period) as the variable ``host``
        (row ``c_host``, (C25)) that the linking, minimum-size and closest-assignment rows
        read (default); False writes (H) out in every such row, the formulation before
        issue 15 (same LP bound, many more nonzeros; kept as the benchmark's baseline).

    Returns
    -------
    BuiltModel
        The model, with expressions ``capex_eur[t]``, ``proceeds_eur[t]``,
        ``opex_eur_per_year[t]`` (€ per year), ``npv_cost_eur``, ``access_person_min`` and
        one active objective ``objective``, and the objective's scale for the solver.
    """
    m = pyo.ConcreteModel(name="voorzieningen")
    fill_model(m, data, host_variable=host_variable)
    return BuiltModel(m, data.objective_scale)


def fill_model(m: pyo.Block, data: ModelData, *, host_variable: bool = True) -> None:
    """Add the components of ``models/investment.md`` to a model or a block (robust.py).

    ``host_variable`` as for :func:`build_model`.
    """
    m.PERIODS = pyo.Set(initialize=data.periods, ordered=True)
    add_variables(m, data)
    add_lifecycle(m, data)
    add_build_once(m, data)
    add_option_lifecycle(m, data)
    add_option_capacity(m, data)
    add_new_area(m, data)
    add_open_area(m, data)
    add_demand(m, data)
    add_capacity(m, data)
    if host_variable:
        add_host(m, data)
    add_link(m, data)
    add_min_size(m, data)
    add_coverage_norms(m, data)
    if data.model_settings.closest_assignment:
        add_closest_assignment(m, data)
    add_costs(m, data)
    add_budgets(m, data)
    add_objective(m, data)
    if host_variable:
        add_host_rows(m, data)


def _prev(periods: list[int]) -> dict[int, int | None]:
    return {t: (periods[i - 1] if i else None) for i, t in enumerate(periods)}


def _max_new_area(data: ModelData) -> list[float]:
    """:math:`M_k`: most new floor area option *k* can need or may build, m²."""
    out: list[float] = []
    for k, (j, svcs) in enumerate(zip(data.option_sites, data.option_services, strict=True)):
        if k in data.extend_set:  # a life extension adds no floor area
            out.append(0.0)
            continue
        most = float(data.max_floor_area_m2.get(j, np.nan))
        reuse = float(data.options["reuse_area_m2"].to_numpy(dtype=float)[k])
        need = sum(
            float(data.base_m2[s])
            + float(data.m2_per_place[s]) * float(data.site_cap_max.get((j, s), 0.0))
            for s in svcs
        )
        bound = need if not np.isfinite(most) else min(need, max(0.0, most - reuse))
        out.append(max(0.0, bound))
    return out


def add_variables(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Declare the sets and the variables of ``models/investment.md`` (section Variables)."""
    m.OPTIONS = pyo.Set(initialize=range(len(data.options)), ordered=True)
    opt_services = [(k, s) for k, svcs in enumerate(data.option_services) for s in svcs]
    m.OPT_SERVICES = pyo.Set(initialize=opt_services, dimen=2, ordered=True)
    m.EXISTING = pyo.Set(initialize=data.existing, ordered=True)
    m.PAIRS = pyo.Set(initialize=range(len(data.pairs)), ordered=True)
    m.start = pyo.Var(m.OPTIONS, m.PERIODS, within=pyo.Binary)
    m.option_open = pyo.Var(m.OPTIONS, m.PERIODS, within=pyo.Binary)
    m.close_option = pyo.Var(m.OPTIONS, m.PERIODS, within=pyo.NonNegativeReals, bounds=(0, 1))
    m.capacity_places = pyo.Var(m.OPT_SERVICES, m.PERIODS, within=pyo.NonNegativeReals)
    m.new_area_m2 = pyo.Var(m.OPTIONS, m.PERIODS, within=pyo.NonNegativeReals)
    m.open_area_m2 = pyo.Var(m.OPTIONS, m.PERIODS, within=pyo.NonNegativeReals)
    m.residual_value_eur = pyo.Var(m.OPTIONS, within=pyo.NonNegativeReals)
    m.in_use = pyo.Var(m.EXISTING, m.PERIODS, within=pyo.Binary)
    m.EXTEND_OPTIONS = pyo.Set(initialize=data.extend_options, ordered=True)
    m.rework_after_extend = pyo.Var(
        m.EXTEND_OPTIONS, m.PERIODS, within=pyo.NonNegativeReals, bounds=(0, 1)
    )
    m.close = pyo.Var(m.EXISTING, m.PERIODS, within=pyo.NonNegativeReals, bounds=(0, 1))
    m.assigned_persons = pyo.Var(m.PAIRS, m.PERIODS, within=pyo.NonNegativeReals)
    zs = [(z, s) for z in data.zones for s in data.services]
    m.ZONE_SERVICES = pyo.Set(initialize=zs, dimen=2, ordered=True)
    ub = None if data.model_settings.allow_unmet_demand else 0.0
    m.unmet_persons = pyo.Var(
        m.ZONE_SERVICES, m.PERIODS, within=pyo.NonNegativeReals, bounds=(0, ub)
    )
    # No start whose capacity would only serve after the horizon; a life extension starts
    # only in the first period after the building's end of life and is open only during
    # its extended life.
    for k in m.OPTIONS:
        allowed = set(data.start_periods_of(k))
        can_open = set(data.open_periods_of(k))
        for t in data.periods:
            if t not in allowed:
                m.start[k, t].fix(0)
            if t not in can_open:
                m.option_open[k, t].fix(0)
    # Locks: no_close and must_keep buildings never close, whatever their state.
    site_of = data.option_sites
    for k in m.OPTIONS:
        j = site_of[k]
        if data.locked(j, "no_close") or data.locked(j, "must_keep"):
            for t in data.periods:
                m.close_option[k, t].fix(0)


def add_lifecycle(m: pyo.ConcreteModel, data: ModelData) -> None:
    """(C1) ``c_transition``: in use as is until closure or one option starts; end of life.

    A building whose life was extended may start one more option (renovate, convert, MFA)
    when its extension ends early (``rework_after_extend``).
    """
    prev = _prev(data.periods)
    by_site = data.options_by_site

    def transition(m: pyo.ConcreteModel, e: str, t: int) -> pyo.Expression:
        before = 1 if prev[t] is None else m.in_use[e, prev[t]]
        before = before + sum(
            m.rework_after_extend[k, t] for k in by_site.get(e, []) if k in data.extend_set
        )
        return (
            m.in_use[e, t] + sum(m.start[k, t] for k in by_site.get(e, [])) + m.close[e, t]
            == before
        )

    m.c_transition = pyo.Constraint(m.EXISTING, m.PERIODS, rule=transition)
    fixed = set(data.fixed_sites)
    for e in data.existing:
        if e in fixed:
            for t in data.periods:
                m.in_use[e, t].fix(1)
                m.close[e, t].fix(0)
            continue
        if data.locked(e, "no_close") or data.locked(e, "must_keep"):
            for t in data.periods:
                m.close[e, t].fix(0)
        last = data.asis_last_period.get(e)
        for t in data.periods:
            if last is None or (isinstance(last, float) and np.isnan(last)) or t > last:
                m.in_use[e, t].fix(0)


def add_build_once(m: pyo.ConcreteModel, data: ModelData) -> None:
    """(C2) ``c_build_once``: a candidate site starts at most one option, once."""
    by_site = data.options_by_site
    m.CANDIDATES = pyo.Set(initialize=data.candidates, ordered=True)
    m.c_build_once = pyo.Constraint(
        m.CANDIDATES,
        rule=lambda m, j: sum(m.start[k, t] for k in by_site[j] for t in m.PERIODS) <= 1,
    )


def add_option_lifecycle(m: pyo.ConcreteModel, data: ModelData) -> None:
    """(C3) ``c_option_flow``, (C4) ``c_works``: an option's open state.

    An option is open from its start until it closes (once, in any later period); it cannot close while under works.
    """
    prev = _prev(data.periods)
    periods = data.periods
    window = [max(1, lead) for lead in data.option_lead]

    def flow(m: pyo.ConcreteModel, k: int, t: int) -> pyo.Expression:
        before = 0 if prev[t] is None else m.option_open[k, prev[t]]
        # An extended building leaves its extension by closing or by a later option.
        leave = m.close_option[k, t] + (m.rework_after_extend[k, t] if k in data.extend_set else 0)
        return m.option_open[k, t] + leave == before + m.start[k, t]

    m.c_option_flow = pyo.Constraint(m.OPTIONS, m.PERIODS, rule=flow)

    def works(m: pyo.ConcreteModel, k: int, t: int) -> pyo.Expression:
        i = periods.index(t)
        recent = periods[max(0, i - window[k] + 1) : i + 1]
        return m.option_open[k, t] >= sum(m.start[k, tau] for tau in recent)

    m.c_works = pyo.Constraint(m.OPTIONS, m.PERIODS, rule=works)


def add_option_capacity(m: pyo.ConcreteModel, data: ModelData) -> None:
    """(C5) ``c_option_capacity_max``, (C6) ``c_option_capacity_min``: option sizes.

    Places only if started, the site's minimum and maximum size.
    """
    site_of = data.option_sites

    def low(k: int, s: str) -> float:
        if k in data.extend_set:  # a life extension keeps the building's capacity as it is
            return float(data.asis_capacity[(site_of[k], s)])
        return max(1.0, float(data.site_min_places.get((site_of[k], s), data.min_places[s])))

    def bound(k: int, s: str) -> float:
        if k in data.extend_set:
            return float(data.asis_capacity[(site_of[k], s)])
        return float(data.site_cap_max.get((site_of[k], s), 0.0))

    m.c_option_capacity_max = pyo.Constraint(
        m.OPT_SERVICES,
        m.PERIODS,
        rule=lambda m, k, s, t: m.capacity_places[k, s, t] <= bound(k, s) * m.start[k, t],
    )
    # A started option hosts a real facility: at least its minimum viable size, and at
    # least one place, of every service it hosts (no free zero-capacity projects).
    m.c_option_capacity_min = pyo.Constraint(
        m.OPT_SERVICES,
        m.PERIODS,
        rule=lambda m, k, s, t: m.capacity_places[k, s, t] >= low(k, s) * m.start[k, t],
    )


def add_new_area(m: pyo.ConcreteModel, data: ModelData) -> None:
    """(C7) ``c_new_area`` to (C10) ``c_shared_each``: floor area = base + per place - shared, reuse."""
    opts = data.options
    saving = opts["saving"].to_numpy(dtype=float)
    reuse = opts["reuse_area_m2"].to_numpy(dtype=float)
    services_of = data.option_services
    most = _max_new_area(data)

    def area(m: pyo.ConcreteModel, k: int, s: str, t: int) -> pyo.Expression:
        return (
            float(data.base_m2[s]) * m.start[k, t]
            + float(data.m2_per_place[s]) * m.capacity_places[k, s, t]
        )

    def new_area(m: pyo.ConcreteModel, k: int, t: int) -> pyo.Expression:
        if k in data.extend_set:
            return pyo.Constraint.Skip  # the building as it is: no new area (c_max_area)
        need = sum(area(m, k, s, t) for s in services_of[k])
        shared = m.shared_area_m2[k, t] if saving[k] > 0 else 0
        return m.new_area_m2[k, t] >= need - shared - reuse[k] * m.start[k, t]

    mfa = [k for k in m.OPTIONS if saving[k] > 0]
    m.MFA_OPTIONS = pyo.Set(initialize=mfa, ordered=True)
    m.shared_area_m2 = pyo.Var(m.MFA_OPTIONS, m.PERIODS, within=pyo.NonNegativeReals)
    m.c_new_area = pyo.Constraint(m.OPTIONS, m.PERIODS, rule=new_area)
    # The building after extension stays within the site's largest floor area (and new
    # area only comes with a start).
    m.c_max_area = pyo.Constraint(
        m.OPTIONS,
        m.PERIODS,
        rule=lambda m, k, t: m.new_area_m2[k, t] <= most[k] * m.start[k, t],
    )
    # Shared space saves at most `saving` of the total area, and no more than `saving` times
    # n times the smallest service's area: a token service earns (almost) no saving.
    m.c_shared_total = pyo.Constraint(
        m.MFA_OPTIONS,
        m.PERIODS,
        rule=lambda m, k, t: (
            m.shared_area_m2[k, t] <= saving[k] * sum(area(m, k, s, t) for s in services_of[k])
        ),
    )
    mfa_services = [(k, s) for k in mfa for s in services_of[k]]
    m.MFA_SERVICES = pyo.Set(initialize=mfa_services, dimen=2, ordered=True)
    m.c_shared_each = pyo.Constraint(
        m.MFA_SERVICES,
        m.PERIODS,
        rule=lambda m, k, s, t: (
            m.shared_area_m2[k, t] <= saving[k] * len(services_of[k]) * area(m, k, s, t)
        ),
    )


def add_open_area(m: pyo.ConcreteModel, data: ModelData) -> None:
    """(C11) ``c_open_area``, (C12)-(C13): floor area in use and residual value.

    ``c_open_area``: new floor area in use (paying opex) only while the option is open; (C12) ``c_residual_built``, (C13) ``c_residual_open``: the undepreciated capex
    counts at the horizon's end only for an option still open then.
    """
    most = _max_new_area(data)
    periods = data.periods
    opts = data.options
    one_off = (opts["fixed_capex_eur"] + opts["reuse_capex_eur"]).to_numpy(dtype=float)
    per_m2 = opts["new_eur_per_m2"].to_numpy(dtype=float)
    rho = [data.option_residual_share(k) for k in range(len(opts))]
    last = periods[-1]
    m.c_open_area = pyo.Constraint(
        m.OPTIONS,
        m.PERIODS,
        rule=lambda m, k, t: (
            m.open_area_m2[k, t]
            >= sum(m.new_area_m2[k, tau] for tau in periods if tau <= t)
            - most[k] * (1 - m.option_open[k, t])
        ),
    )
    m.c_residual_built = pyo.Constraint(
        m.OPTIONS,
        rule=lambda m, k: (
            MEUR * m.residual_value_eur[k]
            <= MEUR
            * sum(
                rho[k][t] * (one_off[k] * m.start[k, t] + per_m2[k] * m.new_area_m2[k, t])
                for t in periods
            )
        ),
    )
    top = [max(rho[k].values()) * (one_off[k] + per_m2[k] * most[k]) for k in range(len(most))]
    m.c_residual_open = pyo.Constraint(
        m.OPTIONS,
        rule=lambda m, k: MEUR * m.residual_value_eur[k] <= MEUR * top[k] * m.option_open[k, last],
    )


def add_demand(m: pyo.ConcreteModel, data: ModelData) -> None:
    """(C14) ``c_demand``: every person is served by an eligible site or counted as unmet."""
    groups = data.pairs_by_zone_service
    dem = data.demand

    def rule(m: pyo.ConcreteModel, z: str, s: str, t: int) -> pyo.Expression:
        served = sum(m.assigned_persons[p, t] for p in groups.get((z, s), ()))
        return served + m.unmet_persons[z, s, t] == float(dem[(z, t, s)])

    m.c_demand = pyo.Constraint(m.ZONE_SERVICES, m.PERIODS, rule=rule)


def add_capacity(m: pyo.ConcreteModel, data: ModelData) -> None:
    """(C15) ``c_capacity``: persons assigned to a site within its places for the service.

    Places as is or in temporary space, plus options whose construction has finished).
    """
    groups = data.pairs_by_site_service
    m.SITE_SERVICES = pyo.Set(initialize=list(groups), dimen=2, ordered=True)
    k_of = data.options_by_site_service

    def capacity(m: pyo.ConcreteModel, j: str, s: str, t: int) -> pyo.Expression:
        used = sum(m.assigned_persons[p, t] for p in groups[(j, s)])
        cap0 = float(data.asis_capacity.get((j, s), 0.0))
        available = 0
        if cap0:
            asis = m.in_use[j, t]
            if data.temporary_during_works:
                asis = asis + works_expr(m, data, j, t)
            available = cap0 * asis
        available = available + sum(
            m.capacity_places[k, s, tau]
            for k in k_of.get((j, s), [])
            if k not in data.extend_set
            for tau in data.serving_starts_of(k, t)
        )
        # A life extension's places (the building's as they are) count only while it is
        # open: not after the building closes or is renovated, converted or merged.
        available = available + sum(
            float(data.asis_capacity[(j, s)]) * m.option_open[k, t]
            for k in k_of.get((j, s), [])
            if k in data.extend_set
        )
        return used <= available

    m.c_capacity = pyo.Constraint(m.SITE_SERVICES, m.PERIODS, rule=capacity)


def add_coverage_norms(m: pyo.ConcreteModel, data: ModelData) -> None:
    """(C18) ``c_norm``: a share of demand within a travel time, per service and period.

    Soft when unmet demand is allowed: ``norm_shortfall_persons`` (penalised in the
    objective) makes up what the plan falls short; hard otherwise.
    """
    pairs = data.pairs
    rows: list[tuple[str, int]] = []
    for s in data.services:
        norm = getattr(data.norms, s)
        if norm.min_share_within is not None:
            rows.extend((s, t) for t in data.periods)
    m.NORMS = pyo.Set(initialize=rows, dimen=2, ordered=True)
    soft = data.model_settings.allow_unmet_demand
    m.norm_shortfall_persons = pyo.Var(
        m.NORMS, within=pyo.NonNegativeReals, bounds=(0, None if soft else 0.0)
    )
    total = data.demand.groupby(level=[T.SERVICE, T.PERIOD]).sum()

    def rule(m: pyo.ConcreteModel, s: str, t: int) -> pyo.Expression:
        norm = getattr(data.norms, s)
        within = np.flatnonzero(
            (pairs[T.SERVICE].to_numpy() == s)
            & (pairs[T.TRAVEL_TIME_MIN].to_numpy() <= norm.within_min)
        )
        served = sum(m.assigned_persons[int(p), t] for p in within)
        need = float(norm.min_share_within) * float(total[(s, t)])
        if need <= 0:
            return pyo.Constraint.Skip
        return served + m.norm_shortfall_persons[s, t] >= need

    m.c_norm = pyo.Constraint(m.NORMS, rule=rule)


def add_costs(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Capex, proceeds, demolition and opex per period (€), terminal value and NPV (€)."""
    opts = data.options
    one_off = (opts["fixed_capex_eur"] + opts["reuse_capex_eur"]).to_numpy(dtype=float)
    per_m2 = opts["new_eur_per_m2"].to_numpy(dtype=float)
    opex_m2 = opts["opex_eur_per_m2_year"].to_numpy(dtype=float)
    reuse = opts["reuse_area_m2"].to_numpy(dtype=float)
    close_value = data.close_value_eur
    site_of = data.option_sites
    fixed = set(data.fixed_sites)
    asis_opex = {
        e: float(data.asis_area_m2[e])
        * data.costs.for_service(
            cast("Service", data.sites_table.at[e, T.SERVICE])
        ).opex_eur_per_m2_year
        for e in data.existing
        if e not in fixed  # not the corporation's cost
    }
    # Temporary space while a building is under works: its current capacity, per year.
    temporary = {
        e: float(data.asis_capacity[(e, s0)])
        * data.costs.for_service(s0).temporary_eur_per_place_year
        for e, s0 in data.current_service.items()
        if data.temporary_during_works and e in data.options_by_site
    }
    m.capex_eur = pyo.Expression(
        m.PERIODS,
        rule=lambda m, t: sum(
            one_off[k] * m.start[k, t] + per_m2[k] * m.new_area_m2[k, t] for k in m.OPTIONS
        ),
    )

    def value(j: str) -> float:
        return float(close_value.get(j, 0.0))

    m.proceeds_eur = pyo.Expression(
        m.PERIODS,
        rule=lambda m, t: (
            sum(value(e) * m.close[e, t] for e in m.EXISTING)
            + sum(value(site_of[k]) * m.close_option[k, t] for k in m.OPTIONS if value(site_of[k]))
        ),
    )
    m.demolition_eur = pyo.Expression(
        m.PERIODS,
        rule=lambda m, t: (
            sum(max(0.0, -value(e)) * m.close[e, t] for e in m.EXISTING)
            + sum(
                max(0.0, -value(site_of[k])) * m.close_option[k, t]
                for k in m.OPTIONS
                if value(site_of[k]) < 0
            )
        ),
    )

    def opex(m: pyo.ConcreteModel, t: int) -> pyo.Expression:
        asis = sum(cost * m.in_use[e, t] for e, cost in asis_opex.items())
        options = sum(
            opex_m2[k] * (reuse[k] * m.option_open[k, t] + m.open_area_m2[k, t]) for k in m.OPTIONS
        )
        works = sum(cost * works_expr(m, data, e, t) for e, cost in temporary.items())
        return asis + options + works

    m.opex_eur_per_year = pyo.Expression(m.PERIODS, rule=opex)
    # Terminal value: a managed building still open at the end of the horizon keeps its net
    # closure value (a sale value, or minus its demolition cost: a building kept is charged
    # its demolition at the horizon's end, discounted), so neither selling in the last
    # period nor keeping a building that costs money to pull down is a free gain.
    last = data.periods[-1]
    by_site = data.options_by_site
    m.terminal_value_eur = pyo.Expression(
        expr=sum(value(e) * m.in_use[e, last] for e in data.existing if e not in fixed)
        + sum(
            value(j) * sum(m.option_open[k, last] for k in ks)
            for j, ks in by_site.items()
            if value(j)
        )
    )
    end_discount = data.end_discount
    m.npv_cost_eur = pyo.Expression(
        expr=sum(
            float(data.discount[t]) * (m.capex_eur[t] - m.proceeds_eur[t])
            + float(data.opex_factor[t]) * m.opex_eur_per_year[t]
            for t in data.periods
        )
        - end_discount * sum(m.residual_value_eur[k] for k in m.OPTIONS)
        - end_discount * m.terminal_value_eur
    )


def add_budgets(m: pyo.ConcreteModel, data: ModelData) -> None:
    """(C20)-(C23) ``c_capex_period`` ... ``c_net_spend_total``: spend limits, rows in M€."""
    budgets = data.budgets
    index = {t: i for i, t in enumerate(data.periods)}
    m.gross_capex_eur = pyo.Expression(
        m.PERIODS, rule=lambda m, t: data.gross_capex(m.capex_eur[t], m.demolition_eur[t])
    )
    m.net_spend_eur = pyo.Expression(
        m.PERIODS, rule=lambda m, t: data.net_spend(m.capex_eur[t], m.proceeds_eur[t])
    )
    # Budget rows are written in M€ so that their coefficients stay near 1 (HiGHS scales
    # badly across 1e-2 .. 1e7); limits are in €.
    capex_rows = [t for t in data.periods if budgets.capex_eur[index[t]] is not None]
    if capex_rows:
        m.c_capex_period = pyo.Constraint(
            capex_rows,
            rule=lambda m, t: (
                MEUR * m.gross_capex_eur[t] <= MEUR * float(budgets.capex_eur[index[t]] or 0.0)
            ),
        )
    if budgets.capex_total_eur is not None:
        # Mutable, so that a Pareto sweep can change it between solves (set_total_budget).
        m.capex_total_limit_eur = pyo.Param(mutable=True, initialize=float(budgets.capex_total_eur))
        m.c_capex_total = pyo.Constraint(
            expr=MEUR * sum(m.gross_capex_eur[t] for t in data.periods)
            <= MEUR * m.capex_total_limit_eur
        )
    net_rows = [t for t in data.periods if budgets.net_spend_eur[index[t]] is not None]
    if net_rows:
        m.c_net_spend_period = pyo.Constraint(
            net_rows,
            rule=lambda m, t: (
                MEUR * m.net_spend_eur[t] <= MEUR * float(budgets.net_spend_eur[index[t]] or 0.0)
            ),
        )
    if budgets.net_spend_total_eur is not None:
        limit = float(budgets.net_spend_total_eur)
        # Cumulative: money from a sale in a later period cannot pay for earlier works.
        m.c_net_spend_total = pyo.Constraint(
            m.PERIODS,
            rule=lambda m, t: (
                MEUR * sum(m.net_spend_eur[tau] for tau in data.periods if tau <= t) <= MEUR * limit
            ),
        )


def set_total_budget(m: pyo.ConcreteModel, budget_eur: float) -> None:
    """
    Change the total gross capex limit of a built model (the budget of a Pareto sweep).

    Parameters
    ----------
    m
        A model built with a total capex limit (``budgets.capex_total_eur`` not None).
    budget_eur
        New limit on gross capex over the horizon, €.

    Raises
    ------
    ValueError
        If the model was built without a total capex limit.
    """
    if not hasattr(m, "capex_total_limit_eur"):
        msg = "the model has no total capex limit to change; build it with capex_total_eur set"
        raise ValueError(msg)
    m.capex_total_limit_eur.set_value(float(budget_eur))


def add_worst_off(m: pyo.ConcreteModel, data: ModelData) -> None:
    """(C24) ``c_worst``: ``worst_travel_time_min[s]`` bounds every zone's average trip.

    Unserved persons count at their service's penalty (minutes); only for the worst-off
    objective.
    """
    groups = data.pairs_by_zone_service
    tt = data.pairs[T.TRAVEL_TIME_MIN].to_numpy(dtype=float)
    m.SERVICES = pyo.Set(initialize=list(data.services), ordered=True)
    m.worst_travel_time_min = pyo.Var(m.SERVICES, within=pyo.NonNegativeReals)

    def rule(m: pyo.ConcreteModel, z: str, s: str, t: int) -> pyo.Expression:
        d = float(data.demand[(z, t, s)])
        if d <= 0:
            return pyo.Constraint.Skip
        trips = sum(tt[p] * m.assigned_persons[p, t] for p in groups.get((z, s), ()))
        penalty = data.unmet_penalty_min(s)
        return m.worst_travel_time_min[s] * d >= trips + penalty * m.unmet_persons[z, s, t]

    m.c_worst = pyo.Constraint(m.ZONE_SERVICES, m.PERIODS, rule=rule)


def add_objective(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Objective ``objective``: (O1) access, (O2) cost or (O3) worst-off."""
    years = data.period_years
    weight = data.period_weight
    tt = data.pairs[T.TRAVEL_TIME_MIN].to_numpy(dtype=float)
    settings = data.model_settings
    service = data.pairs[T.SERVICE].to_numpy()
    m.access_person_min = pyo.Expression(
        expr=sum(
            float(weight[t]) * sum(tt[p] * m.assigned_persons[p, t] for p in m.PAIRS)
            for t in data.periods
        )
    )
    m.unmet_mean_persons = pyo.Expression(
        expr=sum(
            float(weight[t]) * m.unmet_persons[z, s, t]
            for (z, s) in m.ZONE_SERVICES
            for t in data.periods
        )
    )
    sw = {s: float(settings.service_weights.get(s, 1.0)) for s in data.services}
    norm_pen = {s: settings.norm_shortfall_penalty_min_for(s) for s in data.services}
    # Every person counts: unserved persons and persons short of a soft norm at their
    # service's penalty, in person-minutes per period (horizon average).
    m.penalty_person_min = pyo.Expression(
        expr=sum(
            float(weight[t]) * sw[s] * data.unmet_penalty_min(s) * m.unmet_persons[z, s, t]
            for (z, s) in m.ZONE_SERVICES
            for t in data.periods
        )
        + sum(
            float(weight[t]) * sw[s] * norm_pen[s] * m.norm_shortfall_persons[s, t]
            for (s, t) in m.NORMS
        )
    )
    if settings.objective == "worst_off":
        add_worst_off(m, data)
        # Then mean travel time (minutes, unmet at the penalty), scaled to 1e-3 per minute
        # whatever the region's size, so it breaks ties without outweighing the worst trip.
        persons = max(float((data.demand.groupby(level=T.PERIOD).sum() * weight).sum()), 1e-9)
        m.objective = pyo.Objective(
            expr=sum(m.worst_travel_time_min[s] for s in data.services)
            + WORST_OFF_SECONDARY / persons * (m.access_person_min + m.penalty_person_min)
            + settings.cost_tiebreak * WORST_OFF_SECONDARY / persons * m.npv_cost_eur,
            sense=pyo.minimize,
        )
    elif settings.objective == "access":
        if all(v == 1.0 for v in sw.values()):
            weighted_access = m.access_person_min
        else:
            weighted_access = sum(
                float(weight[t])
                * sum(sw[service[p]] * tt[p] * m.assigned_persons[p, t] for p in m.PAIRS)
                for t in data.periods
            )
        m.objective = pyo.Objective(
            expr=weighted_access + m.penalty_person_min + settings.cost_tiebreak * m.npv_cost_eur,
            sense=pyo.minimize,
        )
    else:
        # In M€ for the solver's numerics (data.objective_scale); the solve stage reports
        # it back in € and scales the absolute gap to match.
        norm_eur = settings.norm_shortfall_penalty_eur or settings.unmet_penalty_eur
        m.objective = pyo.Objective(
            expr=data.objective_scale
            * (
                m.npv_cost_eur
                + settings.unmet_penalty_eur
                * sum(
                    float(years[t]) * m.unmet_persons[z, s, t]
                    for (z, s) in m.ZONE_SERVICES
                    for t in data.periods
                )
                + norm_eur
                * sum(float(years[t]) * m.norm_shortfall_persons[s, t] for (s, t) in m.NORMS)
            ),
            sense=pyo.minimize,
        )
