"""Whether a site serves a service, and the rows that read it: (H), (C16), (C17), (C19), (C25).

Part of the investment model of :mod:`voorzieningen.model.build` (``models/investment.md``).
:math:`h_{jst}` (equation (H)) says whether site *j* serves service *s* in period *t*: as it
is, in temporary space during works, or by a finished option still open. The linking
(C16), minimum-size (C17) and closest-assignment (C19) rows multiply it by a demand or a
size. Written out in every such row, (H) repeats one to two dozen variables in each of the
(pairs x periods) linking rows, most of the model's nonzeros; with ``host_variable`` (the
default) it is a variable ``host`` defined once per (site, service, period) by the row
``c_host`` (C25), and the other rows read that one variable. The two are the same
polyhedron projected (the LP relaxation and its bound are unchanged); the second has far
fewer nonzeros (measured in ``benchmarks/model_scale.py``).
"""

from __future__ import annotations

import pyomo.environ as pyo

from voorzieningen import tables as T
from voorzieningen.model.data import CLOSEST_TIE_MIN, ModelData

__all__ = [
    "add_closest_assignment",
    "add_host",
    "add_host_rows",
    "add_link",
    "add_min_size",
    "host_of",
    "serving_expr",
    "works_expr",
]


def serving_expr(m: pyo.ConcreteModel, data: ModelData, k: int, t: int) -> pyo.Expression:
    """1 if option *k* is open in *t* and its construction has finished."""
    return m.option_open[k, t] - sum(m.start[k, tau] for tau in data.works_starts_of(k, t))


def works_expr(m: pyo.ConcreteModel, data: ModelData, e: str, t: int) -> pyo.Expression:
    """1 if existing building *e* is under works in *t* (an option started, not finished)."""
    return sum(
        m.start[k, tau]
        for k in data.options_by_site.get(e, [])
        for tau in data.works_starts_of(k, t)
    )


def host_expr(m: pyo.ConcreteModel, data: ModelData, j: str, s: str, t: int) -> pyo.Expression:
    """:math:`h_{jst}` of (H) written out: 1 if site j serves service s in period t.

    As is, in temporary space during works, or by a finished option that is still open.
    """
    expr = 0
    if (j, s) in data.asis_hosts:
        expr = m.in_use[j, t]
        if data.temporary_during_works:
            expr = expr + works_expr(m, data, j, t)
    return expr + sum(
        serving_expr(m, data, k, t) for k in data.options_by_site_service.get((j, s), [])
    )


def host_of(m: pyo.ConcreteModel, data: ModelData, j: str, s: str, t: int) -> pyo.Expression:
    """:math:`h_{jst}`: the variable ``host`` when the model has one for (j, s), else (H)."""
    if hasattr(m, "host") and (j, s) in m.MANAGED_HOSTS:
        return m.host[j, s, t]
    return host_expr(m, data, j, s, t)


def add_host(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Declare the variable ``host`` per managed (site, service) and period (read by C16-C19).

    Sets ``MANAGED_HOSTS`` (:math:`H^m`), also used by (C17). Its defining row (C25) is added
    last (:func:`add_host_rows`), so that the constraint families keep their numbers.
    """
    m.MANAGED_HOSTS = pyo.Set(initialize=data.managed_hosts, dimen=2, ordered=True)
    m.host = pyo.Var(m.MANAGED_HOSTS, m.PERIODS, within=pyo.NonNegativeReals)


def add_host_rows(m: pyo.ConcreteModel, data: ModelData) -> None:
    """(C25) ``c_host``: the variable ``host`` equals (H), per managed (site, service), period."""
    m.c_host = pyo.Constraint(
        m.MANAGED_HOSTS,
        m.PERIODS,
        rule=lambda m, j, s, t: m.host[j, s, t] == host_expr(m, data, j, s, t),
    )


def add_link(m: pyo.ConcreteModel, data: ModelData) -> None:
    """(C16) ``c_link``: persons are assigned only to a site that serves their service."""
    pairs = data.pairs
    dem = data.demand
    zone = pairs[T.ZONE].to_numpy()
    site = pairs[T.SITE].to_numpy()
    service = pairs[T.SERVICE].to_numpy()
    always_open = set(data.fixed_sites)  # in use as they are in every period

    def link(m: pyo.ConcreteModel, p: int, t: int) -> pyo.Expression:
        d = float(dem[(zone[p], t, service[p])])
        if d <= 0:
            return m.assigned_persons[p, t] == 0
        if site[p] in always_open:
            return pyo.Constraint.Skip  # host = 1: implied by the demand row
        return m.assigned_persons[p, t] <= d * host_of(m, data, site[p], service[p], t)

    m.c_link = pyo.Constraint(m.PAIRS, m.PERIODS, rule=link)


def add_min_size(m: pyo.ConcreteModel, data: ModelData) -> None:
    """(C17) ``c_min_size``: a served service the plan manages has its minimum viable size.

    The site's minimum: opheffingsnorm of its gemeente, portfolio override), only while open.

    Buildings the plan does not manage stay open whatever their use. A hosted service
    nobody can reach is empty, so it can only be hosted when its minimum is 0.
    """
    groups = data.pairs_by_site_service
    if not hasattr(m, "MANAGED_HOSTS"):
        m.MANAGED_HOSTS = pyo.Set(initialize=data.managed_hosts, dimen=2, ordered=True)

    def min_size(m: pyo.ConcreteModel, j: str, s: str, t: int) -> pyo.Expression:
        low = float(data.site_min_places.get((j, s), data.min_places[s]))
        if low <= 0:
            return pyo.Constraint.Skip
        used = sum(m.assigned_persons[p, t] for p in groups.get((j, s), ()))
        return used >= low * host_of(m, data, j, s, t)

    m.c_min_size = pyo.Constraint(m.MANAGED_HOSTS, m.PERIODS, rule=min_size)


def add_closest_assignment(m: pyo.ConcreteModel, data: ModelData) -> None:
    """(C19) ``c_closest`` (optional): nobody travels past an open facility of the service.

    Wagner & Falkson 1975. Sites within ``CLOSEST_TIE_MIN`` minutes of each other are a
    tie: neither is "farther", so a tie never leaves demand unmet.
    """
    pairs = data.pairs
    dem = data.demand
    zone = pairs[T.ZONE].to_numpy()
    site = pairs[T.SITE].to_numpy()
    service = pairs[T.SERVICE].to_numpy()
    tt = pairs[T.TRAVEL_TIME_MIN].to_numpy(dtype=float)
    farther: dict[int, list[int]] = {}
    for idx in data.pairs_by_zone_service.values():
        times = tt[idx]  # nearest first
        for p, time in zip(idx, times, strict=True):
            farther[int(p)] = [int(q) for q in idx[times > time + CLOSEST_TIE_MIN]]

    def rule(m: pyo.ConcreteModel, p: int, t: int) -> pyo.Expression:
        later = farther.get(p, [])
        d = float(dem[(zone[p], t, service[p])])
        if not later or d <= 0:
            return pyo.Constraint.Skip
        beyond = sum(m.assigned_persons[q, t] for q in later)
        return beyond <= d * (1 - host_of(m, data, site[p], service[p], t))

    m.c_closest = pyo.Constraint(m.PAIRS, m.PERIODS, rule=rule)
