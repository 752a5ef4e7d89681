"""The rules a plan must keep: one small function each, listed in :data:`RULES`.

Each rule takes the :class:`~voorzieningen.verify.state.Context` and returns the
:class:`Violation` s it finds, each with a ``kind`` naming the rule. To add a rule (lead
times, size bounds per site, gross and net budgets ...) write one function and add it to
:data:`RULES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from voorzieningen import tables as T
from voorzieningen.schemas.model import Service
from voorzieningen.verify.arithmetic import Intervention
from voorzieningen.verify.arithmetic import locks as site_locks
from voorzieningen.verify.inputs import (
    NEW_AREA_M2,
    OPTION,
    PERSONS,
    PLAN_COLUMNS,
    PLAN_KEYS,
    PROCEEDS_EUR,
)
from voorzieningen.verify.objective import (
    gross_capex_per_period,
    net_spend_per_period,
    plan_objective,
)
from voorzieningen.verify.state import (
    CAPEX_RECOMPUTED,
    RAW_TIME,
    Context,
    intervention_end,
    reported_in_use,
    used_places,
)

#: Absolute tolerance (persons, places, m², €, minutes) for rounding in the solver.
ABS_TOL = 1e-4
#: Relative tolerance of comparisons.
REL_TOL = 1e-6
#: Tolerance of a travel time against the raw table, minutes.
TIME_TOL = 1e-6
#: Travel times this close (minutes) are a tie for closest assignment (the documented rule).
CLOSEST_TIE_MIN = 0.05


@dataclass(frozen=True)
class Violation:
    """One broken rule.

    Attributes
    ----------
    kind
        The rule, e.g. ``"capacity"``, ``"travel_time"``, ``"duplicate"``.
    message
        What is wrong, with the ids and figures involved.
    """

    kind: str
    message: str

    def __str__(self) -> str:
        """Return ``[kind] message``."""
        return f"[{self.kind}] {self.message}"


Rule = Callable[[Context], list[Violation]]


def key_text(values: object) -> str:
    """Format a row's values as a tuple of plain Python values, e.g. ``('B', 2025)``."""
    items = [v.item() if hasattr(v, "item") else v for v in values]  # type: ignore[attr-defined]
    return repr(tuple(items))


def tol(value: float) -> float:
    """Tolerance of a comparison with ``value``."""
    return ABS_TOL + REL_TOL * abs(value)


def non_negative(ctx: Context) -> list[Violation]:
    """Check that persons, places, floor areas, capex and travel times are not negative."""
    out = []
    for name, columns in PLAN_COLUMNS.items():
        table = getattr(ctx.plan, name)
        for col in columns:
            if col in (PERSONS, T.CAPACITY_PLACES, NEW_AREA_M2, T.CAPEX_EUR, T.TRAVEL_TIME_MIN):
                bad = table[table[col] < -ABS_TOL]
                for row in bad.itertuples(index=False):
                    out.append(
                        Violation("negative", f"{name}: {col} is negative in {key_text(row)}")
                    )
    return out


def no_duplicates(ctx: Context) -> list[Violation]:
    """Check that each decision, closure, capacity, assignment and unmet row appears once."""
    out = []
    for name, key in PLAN_KEYS.items():
        table = getattr(ctx.plan, name)
        dup = table[table.duplicated(list(key), keep="first")]
        for row in dup[list(key)].drop_duplicates().itertuples(index=False):
            out.append(
                Violation("duplicate", f"{name}: row {key_text(row)} appears more than once")
            )
    return out


def known_ids(ctx: Context) -> list[Violation]:
    """Check that ids exist and that every option is allowed at its site."""
    out = []
    zones = set(ctx.demand.index.get_level_values(T.ZONE))
    for name in ("starts", "capacity_built", "asis", "closures", "assignments", "unmet"):
        table = getattr(ctx.plan, name)
        checks: dict[str, set[object]] = {
            T.PERIOD: set(ctx.periods),
            T.SERVICE: set(ctx.services),
            T.SITE: set(ctx.sites.index),
            T.ZONE: zones,
        }
        for col, known in checks.items():
            if col in table.columns:
                unknown = sorted(set(table[col]) - known, key=str)
                if unknown:
                    out.append(Violation("unknown", f"{name}: unknown {col}(s) {unknown[:10]}"))
    for site, option, terms in zip(
        ctx.starts[T.SITE], ctx.starts[OPTION], ctx.starts["terms"], strict=True
    ):
        if not isinstance(terms, Intervention):
            out.append(Violation("option", f"site {site}: {option} is not allowed: {terms}"))
    return out


def _lead(ctx: Context, terms: object) -> int:
    """Periods from an intervention's start until it serves (its own, else the scenario's)."""
    if isinstance(terms, Intervention) and terms.lead_periods is not None:
        return terms.lead_periods
    return int(ctx.inputs.model.construction_lead_periods)


def _in_time_order(ctx: Context) -> dict[str, list[tuple[int, object]]]:
    """Each site's interventions as (start period, recomputed terms), earliest first."""
    order: dict[str, list[tuple[int, object]]] = {}
    for site, t, terms in zip(
        ctx.starts[T.SITE], ctx.starts[T.PERIOD], ctx.starts["terms"], strict=True
    ):
        order.setdefault(str(site), []).append((int(t), terms))
    return {site: sorted(mine, key=lambda row: row[0]) for site, mine in order.items()}


def lifecycle(ctx: Context) -> list[Violation]:
    """Check use as is until one closure or one intervention; a closure after the works."""
    out = []
    reported = reported_in_use(ctx.plan)
    fixed = ctx.fixed()
    starts, closures = ctx.plan.starts, ctx.plan.closures
    order = _in_time_order(ctx)
    for site, mine in order.items():
        # At most one intervention, or a life extension followed by one other, later.
        if len(mine) < 2:
            continue
        (t0, first), (t1, second) = mine[0], mine[-1]
        extended = isinstance(first, Intervention) and first.action == "extend"
        other = isinstance(second, Intervention) and second.action != "extend"
        if len(mine) > 2 or not (extended and other and t1 > t0):
            out.append(
                Violation(
                    "lifecycle",
                    f"site {site}: {len(mine)} interventions started; at most one (or a life "
                    "extension and one later intervention)",
                )
            )
    for closed_site, count in closures.groupby(T.SITE).size().items():
        if count > 1:
            out.append(Violation("lifecycle", f"site {closed_site}: closed {count} times"))
    index = {t: i for i, t in enumerate(ctx.periods)}
    lead = int(ctx.inputs.model.construction_lead_periods)
    # The works of a site's last intervention (its own lead; a life extension: none, at
    # least its start period) must be done before the site closes.
    windows = {site: max(1, _lead(ctx, mine[-1][1])) for site, mine in order.items()}
    begun = starts.groupby(T.SITE)[T.PERIOD].max()
    for site, t in zip(closures[T.SITE], closures[T.PERIOD], strict=True):
        # Closing after an intervention is allowed, once its works are done.
        started = int(begun[site]) if site in begun.index else None
        window = windows.get(site, max(1, lead))
        if started in index and t in index and index[t] < index[started] + window:
            out.append(
                Violation(
                    "lifecycle",
                    f"site {site}: closed in {t}, before the works started in "
                    f"{int(begun[site])} are done",
                )
            )
    for site in sorted((set(starts[T.SITE]) | set(closures[T.SITE])) & fixed):
        out.append(Violation("lifecycle", f"site {site}: not managed by the plan, but changed"))
    for site in sorted(set(closures[T.SITE]) - set(ctx.buildings.index) - set(begun.index)):
        out.append(
            Violation("lifecycle", f"site {site}: closed, but nothing stands there to close")
        )
    for site in ctx.buildings.index:
        used = sorted(t for t in ctx.periods if (site, t) in reported)
        expected = sorted(t for t in ctx.periods if (site, t) in ctx.in_use)
        if used != expected:
            out.append(
                Violation(
                    "lifecycle",
                    f"site {site}: used as is in {used}, but the lifecycle implies {expected} "
                    "(closures and interventions are final)",
                )
            )
    return out


def end_of_life(ctx: Context) -> list[Violation]:
    """Check that no building is used as is in a period ending after its end of life."""
    out = []
    last = ctx.buildings["last_period"]
    for site in ctx.buildings.index:
        late = [t for t in ctx.periods if (site, t) in ctx.in_use and t > int(last[site])]
        if late:
            out.append(
                Violation(
                    "end_of_life",
                    f"site {site}: used as is after its end of life in {late}; it must close "
                    "or be rebuilt by then",
                )
            )
    return out


def lead_time(ctx: Context) -> list[Violation]:
    """Check that every start's capacity can serve within the horizon (lead time).

    The lead is the scenario's ``construction_lead_periods``; a life extension has none.
    """
    out = []
    for j, k, t, terms in zip(
        ctx.starts[T.SITE],
        ctx.starts[OPTION],
        ctx.starts[T.PERIOD],
        ctx.starts["terms"],
        strict=True,
    ):
        lead = int(ctx.inputs.model.construction_lead_periods)
        if isinstance(terms, Intervention) and terms.lead_periods is not None:
            lead = terms.lead_periods
        if int(t) not in set(ctx.periods[: len(ctx.periods) - lead]):
            out.append(
                Violation(
                    "lead_time",
                    f"site {j}: {k} starts in {t}; with a lead of {lead} period(s) it would "
                    "only serve after the last period",
                )
            )
    return out


def extend_life(ctx: Context) -> list[Violation]:
    """Check every life extension: its period, its size, and no use past its extended life.

    An extension (option ``extend``) starts in the first period a building is past its end
    of life, keeps its capacity as it is (no new floor area), and the building closes by
    the period after the last one that ends within ``max(end_of_life_year, first period) +
    costs.extend_life_years`` (:func:`~.arithmetic.buildings`: extend_start, extend_last).
    """
    out = []
    b = ctx.buildings
    built = ctx.plan.capacity_built
    begins = b["extend_start"].astype(int).to_dict()
    ends = b["extend_last"].astype(int).to_dict()
    service = b[T.SERVICE].astype(str).to_dict()
    places0 = b[T.CAPACITY_PLACES].astype(float).to_dict()
    for j, k, t, area, terms in zip(
        ctx.starts[T.SITE],
        ctx.starts[OPTION],
        ctx.starts[T.PERIOD],
        ctx.starts[NEW_AREA_M2],
        ctx.starts["terms"],
        strict=True,
    ):
        if not isinstance(terms, Intervention) or terms.action != "extend" or j not in b.index:
            continue
        first, last = begins[j], ends[j]
        if first < 0:
            out.append(
                Violation(
                    "extend", f"site {j}: extended, but its life needs no extension in the horizon"
                )
            )
            continue
        if int(t) != first:
            out.append(
                Violation(
                    "extend",
                    f"site {j}: extended in {t}; an extension starts when the building's life "
                    f"ends, in {first}",
                )
            )
        if float(area) > ABS_TOL:
            out.append(
                Violation("extend", f"site {j}: an extension adds {area:g} m²; it adds none")
            )
        s0, cap0 = service[j], places0[j]
        mine = built[(built[T.SITE] == j) & (built[OPTION] == k)]
        places = float(mine.loc[mine[T.SERVICE] == s0, T.CAPACITY_PLACES].sum())
        if abs(places - cap0) > tol(cap0) or (mine[T.SERVICE] != s0).any():
            out.append(
                Violation(
                    "extend",
                    f"site {j}: an extension keeps {cap0:g} places of {s0}, the plan gives "
                    f"{places:g}",
                )
            )
        beyond = [p for p in ctx.periods if p > last]
        # It serves until the site closes or is renovated, converted or merged.
        end = intervention_end(ctx.starts, ctx.closed, ctx.periods, j, int(t))
        if beyond and end > beyond[0]:
            out.append(
                Violation(
                    "extend",
                    f"site {j}: used after its extended life (last period {last}); it must "
                    f"close or be renovated, converted or merged by {beyond[0]}",
                )
            )
    return out


def locks(ctx: Context) -> list[Violation]:
    """Check that no building locked ``no_close`` or ``must_keep`` closes."""
    out = []
    for site, t in zip(ctx.plan.closures[T.SITE], ctx.plan.closures[T.PERIOD], strict=True):
        if site in ctx.sites.index and site_locks(ctx.sites.loc[site]) & {"no_close", "must_keep"}:
            out.append(Violation("lock", f"site {site}: closed in {t}, but its lock forbids it"))
    return out


def site_limit(ctx: Context, site: str, service: str, column: str) -> float:
    """Return a site's size limit (min_places, max_places: places) or max_floor_area_m2 (m²)."""
    limits = ctx.limits
    key = (site, service)
    return float(limits[column].astype(float)[key]) if key in limits.index else float("nan")


def sizing(ctx: Context) -> list[Violation]:
    """Check that capacity comes from a start, in its period, for services it hosts."""
    out = []
    built = ctx.plan.capacity_built
    started = {
        (j, k): (int(t), terms)
        for j, k, t, terms in zip(
            ctx.starts[T.SITE],
            ctx.starts[OPTION],
            ctx.starts[T.PERIOD],
            ctx.starts["terms"],
            strict=True,
        )
    }
    for j, k, s, t in zip(
        built[T.SITE], built[OPTION], built[T.SERVICE], built[T.PERIOD], strict=True
    ):
        if (j, k) not in started:
            out.append(Violation("sizing", f"site {j}: capacity built by {k}, which never starts"))
            continue
        t0, terms = started[(j, k)]
        if t != t0:
            out.append(
                Violation(
                    "sizing", f"site {j}: capacity built in {t}, outside the start period {t0}"
                )
            )
        if isinstance(terms, Intervention) and s not in terms.hosted:
            out.append(Violation("sizing", f"site {j}: capacity for {s} not hosted by {k}"))
    total = built.groupby([T.SITE, OPTION, T.SERVICE])[T.CAPACITY_PLACES].sum()
    for (j, k), (_, terms) in started.items():
        if not isinstance(terms, Intervention) or terms.action == "extend":
            continue  # an extension keeps the places it has (rule extend_life)
        for s in terms.hosted:
            low = max(1.0, site_limit(ctx, j, s, T.MIN_PLACES))
            places = float(total.get((j, k, s), 0.0))
            if places < low - tol(low):
                out.append(
                    Violation(
                        "sizing", f"site {j}: {k} builds {places:g} places of {s}, at least {low:g}"
                    )
                )
    return out


def max_size(ctx: Context) -> list[Violation]:
    """Check new places of a service at a site against its bound (robust: largest of any variant)."""
    out = []
    sizing = [ctx.peak_and_reach(d) for d in (ctx.demand, *ctx.sizing_demands)]
    b = ctx.buildings
    built = ctx.plan.capacity_built.groupby([T.SITE, OPTION, T.SERVICE])[T.CAPACITY_PLACES].sum()
    extended = {
        (j, k)
        for j, k, terms in zip(
            ctx.starts[T.SITE], ctx.starts[OPTION], ctx.starts["terms"], strict=True
        )
        if isinstance(terms, Intervention) and terms.action == "extend"
    }
    for key, places in built.items():
        j, k, s = cast("tuple[str, str, Service]", key)
        if (j, k) in extended:
            continue  # the building's places as they are (rule extend_life)
        floor = max(1.0, ctx.inputs.costs.for_service(s).min_places)
        biggest = (
            float(b.loc[b[T.SERVICE] == s, T.CAPACITY_PLACES].max())
            if (b[T.SERVICE] == s).any()
            else 0.0
        )
        top = [
            max(float(p.get(s, 0.0)) * ctx.inputs.model.max_capacity_factor, biggest, floor)
            for p, _ in sizing
        ]
        bound = max(
            min(max(float(r.get((j, s), 0.0)), floor), t)
            for (_, r), t in zip(sizing, top, strict=True)
        )
        most = site_limit(ctx, j, s, T.MAX_PLACES)
        if np.isfinite(most) and places > most + tol(most):
            out.append(
                Violation(
                    "max_size",
                    f"site {j}: {k} builds {places:.2f} places of {s}, above the site's "
                    f"maximum size {most:g}",
                )
            )
        if places > bound + tol(bound):
            out.append(
                Violation(
                    "max_size",
                    f"site {j}: {k} builds {places:.2f} places of {s}, above its bound {bound:.2f} "
                    "(demand that can reach the site, at most model.max_capacity_factor x the "
                    "regional peak)",
                )
            )
    return out


def floor_area(ctx: Context) -> list[Violation]:
    """Check that the new floor area paid for covers the places built (less reuse, sharing)."""
    out = []
    built = ctx.plan.capacity_built
    norms = {s: ctx.inputs.costs.for_service(s).m2_per_place for s in ctx.services}
    base = {s: ctx.inputs.costs.for_service(s).base_m2 for s in ctx.services}
    for j, k, area, terms in zip(
        ctx.starts[T.SITE],
        ctx.starts[OPTION],
        ctx.starts[NEW_AREA_M2],
        ctx.starts["terms"],
        strict=True,
    ):
        if not isinstance(terms, Intervention) or terms.action == "extend":
            continue  # no new floor area (rule extend_life)
        mine = built[
            (built[T.SITE] == j) & (built[OPTION] == k) & built[T.SERVICE].isin(terms.hosted)
        ]
        per = mine.groupby(T.SERVICE)[T.CAPACITY_PLACES].sum()
        # Every hosted service needs its fixed base plus its area per place.
        areas = [base[s] + norms[s] * float(per.get(s, 0.0)) for s in terms.hosted]
        shared = min(terms.saving * sum(areas), terms.saving * len(areas) * min(areas))
        need = max(0.0, sum(areas) - shared - terms.reuse_area_m2)
        most = site_limit(ctx, j, terms.hosted[0], T.MAX_FLOOR_AREA_M2)
        total_area = terms.reuse_area_m2 + float(area)
        if np.isfinite(most) and total_area > most + tol(most):
            out.append(
                Violation(
                    "floor_area",
                    f"site {j}: {total_area:.1f} m² after extension, above the site's largest "
                    f"floor area {most:.1f} m²",
                )
            )
        if float(area) < need - tol(need):
            out.append(
                Violation(
                    "floor_area",
                    f"site {j}: {area:.1f} m² new floor area paid for, {need:.1f} m² needed",
                )
            )
    return out


def capex(ctx: Context) -> list[Violation]:
    """Check that reported capex equals the recomputed one-off costs plus new floor area."""
    s = ctx.starts.dropna(subset=[CAPEX_RECOMPUTED])
    bad = s[
        (s[T.CAPEX_EUR] - s[CAPEX_RECOMPUTED]).abs() > ABS_TOL + REL_TOL * s[CAPEX_RECOMPUTED].abs()
    ]
    return [
        Violation("capex", f"site {j}: capex {c:,.0f} EUR reported, {r:,.0f} EUR recomputed")
        for j, c, r in zip(bad[T.SITE], bad[T.CAPEX_EUR], bad[CAPEX_RECOMPUTED], strict=True)
    ]


def proceeds(ctx: Context) -> list[Violation]:
    """Check that each closure's proceeds equal its sale value (or minus demolition)."""
    c = ctx.plan.closures
    value = c[T.SITE].map(ctx.buildings["close_value_eur"]).astype(float)
    bad = c[value.notna() & ((c[PROCEEDS_EUR] - value).abs() > ABS_TOL + REL_TOL * value.abs())]
    return [
        Violation(
            "proceeds", f"site {j}: proceeds {p:,.0f} EUR reported, {value[i]:,.0f} EUR recomputed"
        )
        for i, j, p in zip(bad.index, bad[T.SITE], bad[PROCEEDS_EUR], strict=True)
    ]


def travel_times(ctx: Context) -> list[Violation]:
    """Check every assignment's travel time against the raw travel-time table."""
    a = ctx.assignments
    missing = a[a[RAW_TIME].isna()]
    wrong = a[a[RAW_TIME].notna() & ((a[T.TRAVEL_TIME_MIN] - a[RAW_TIME]).abs() > TIME_TOL)]
    out = [
        Violation(
            "travel_time", f"zone {z} to {j} ({s}, {t}): no such pair in the travel-time table"
        )
        for z, j, s, t in zip(
            missing[T.ZONE], missing[T.SITE], missing[T.SERVICE], missing[T.PERIOD], strict=True
        )
    ]
    out += [
        Violation(
            "travel_time",
            f"zone {z} to {j} ({s}, {t}): {r:.3f} min reported, {x:.3f} min in the travel-time table",
        )
        for z, j, s, t, r, x in zip(
            wrong[T.ZONE],
            wrong[T.SITE],
            wrong[T.SERVICE],
            wrong[T.PERIOD],
            wrong[T.TRAVEL_TIME_MIN],
            wrong[RAW_TIME],
            strict=True,
        )
    ]
    return out


def eligibility(ctx: Context) -> list[Violation]:
    """Check that nobody is served beyond the service's or the zone's guarantee."""
    a = ctx.assignments[ctx.assignments[RAW_TIME].notna()]
    ok = a.merge(ctx.eligible[[T.ZONE, T.SITE, T.SERVICE]], how="left", indicator=True)
    bad = ok[ok["_merge"] == "left_only"]
    return [
        Violation(
            "ineligible",
            f"zone {z} served at {j} for {s} in {t} at {x:.2f} min, beyond the guarantee",
        )
        for z, j, s, t, x in zip(
            bad[T.ZONE], bad[T.SITE], bad[T.SERVICE], bad[T.PERIOD], bad[RAW_TIME], strict=True
        )
    ]


def _works_note(ctx: Context, site: str, period: int) -> str:
    """Say so when ``site`` is under works in ``period`` (construction lead time)."""
    lead = int(ctx.inputs.model.construction_lead_periods)
    index = {t: i for i, t in enumerate(ctx.periods)}
    for j, t0 in zip(ctx.starts[T.SITE], ctx.starts[T.PERIOD], strict=True):
        i0 = index.get(int(t0))
        if j != site or i0 is None or period not in index:
            continue
        if i0 <= index[period] < i0 + lead:
            ready = i0 + lead
            when = str(ctx.periods[ready]) if ready < len(ctx.periods) else "after the horizon"
            return f" (under works started in {int(t0)}; its new capacity serves from {when})"
    return ""


def hosting(ctx: Context) -> list[Violation]:
    """Check that persons go only to a site that hosts the service in that period."""
    a = ctx.assignments[ctx.assignments[PERSONS] > ABS_TOL]
    keys = pd.MultiIndex.from_arrays([a[T.SITE], a[T.SERVICE], a[T.PERIOD]])
    bad = a[~keys.isin(ctx.capacity.index)]
    return [
        Violation(
            "not_hosted",
            f"zone {z} assigned to {j} for {s} in {t}: the site does not host {s} then"
            + _works_note(ctx, j, int(t)),
        )
        for z, j, s, t in zip(bad[T.ZONE], bad[T.SITE], bad[T.SERVICE], bad[T.PERIOD], strict=True)
    ]


def capacity(ctx: Context) -> list[Violation]:
    """Check that persons per site, service and period stay within its places."""
    used = used_places(ctx)
    cap = ctx.capacity.reindex(used.index, fill_value=0.0)
    over = used[used > cap + ABS_TOL + REL_TOL * cap.abs()]
    return [
        Violation("capacity", f"site {j} {s} {t}: {u:.2f} persons assigned, capacity {c:.2f}")
        for (j, s, t), u, c in zip(
            cast("list[tuple[str, str, int]]", list(over.index)), over, cap[over.index], strict=True
        )
    ]


def demand_balance(ctx: Context) -> list[Violation]:
    """Check that served plus unmet equals demand per zone, service and period."""
    keys = [T.ZONE, T.PERIOD, T.SERVICE]
    served = ctx.assignments.groupby(keys)[PERSONS].sum()
    unmet = ctx.plan.unmet.groupby(keys)[PERSONS].sum()
    index = ctx.demand.index.union(served.index).union(unmet.index)
    dem = ctx.demand.reindex(index, fill_value=0.0)
    diff = dem - served.reindex(index, fill_value=0.0) - unmet.reindex(index, fill_value=0.0)
    bad = diff[diff.abs() > ABS_TOL + REL_TOL * dem.abs()]
    return [
        Violation(
            "demand_balance",
            f"zone {z} {s} {t}: demand and served + unmet differ by {d:.4f} persons",
        )
        for (z, t, s), d in zip(
            cast("list[tuple[str, int, str]]", list(bad.index)), bad, strict=True
        )
    ]


def unmet_allowed(ctx: Context) -> list[Violation]:
    """Check that demand is left unmet only when the scenario allows it."""
    total = float(ctx.plan.unmet[PERSONS].clip(lower=0.0).sum())
    if ctx.inputs.model.allow_unmet_demand or total <= ABS_TOL:
        return []
    return [
        Violation(
            "unmet_not_allowed",
            f"{total:.2f} persons unmet although model.allow_unmet_demand is false",
        )
    ]


def min_size(ctx: Context) -> list[Violation]:
    """Check that a managed site hosting a service serves at least its minimum size."""
    used = used_places(ctx)
    fixed = ctx.fixed()
    out = []
    for j, s, t in cast("list[tuple[str, Service, int]]", list(ctx.capacity.index)):
        low = site_limit(ctx, j, s, T.MIN_PLACES)
        low = ctx.inputs.costs.for_service(s).min_places if np.isnan(low) else low
        u = float(used.get((j, s, t), 0.0))
        if j not in fixed and low > 0 and u < low - tol(low):
            out.append(
                Violation(
                    "min_size", f"site {j} {s} {t}: {u:.2f} persons, below the minimum size {low:g}"
                )
            )
    return out


def norms(ctx: Context) -> list[Violation]:
    """Check hard coverage norms (soft ones, with unmet demand allowed, are penalised)."""
    if ctx.inputs.model.allow_unmet_demand:
        return []
    a = ctx.assignments
    time = a[RAW_TIME].fillna(a[T.TRAVEL_TIME_MIN])
    total = ctx.demand.groupby(level=[T.SERVICE, T.PERIOD]).sum()
    out = []
    for s in ctx.services:
        norm = getattr(ctx.inputs.norms, s)
        if norm.min_share_within is None:
            continue
        for t in ctx.periods:
            within = float(
                a.loc[
                    (a[T.SERVICE] == s) & (a[T.PERIOD] == t) & (time <= norm.within_min), PERSONS
                ].sum()
            )
            need = norm.min_share_within * float(total.get((s, t), 0.0))
            if within < need - tol(need):
                out.append(
                    Violation(
                        "norm",
                        f"{s} {t}: {within:.1f} persons within {norm.within_min:g} min, the norm needs {need:.1f}",
                    )
                )
    return out


def budgets(ctx: Context) -> list[Violation]:
    """Check gross capex and net spend, per period and in total, against their limits."""
    limits = ctx.inputs.budget.per_period(list(ctx.money.years.to_numpy(dtype=float)))
    gross, net = gross_capex_per_period(ctx), net_spend_per_period(ctx)
    out = []
    for what, spent, per, total, cumulative in (
        ("gross capex", gross, limits.capex_eur, limits.capex_total_eur, False),
        ("net spend", net, limits.net_spend_eur, limits.net_spend_total_eur, True),
    ):
        for (t, v), limit in zip(spent.items(), per, strict=True):
            if limit is not None and v > limit + tol(limit):
                out.append(
                    Violation(
                        "budget", f"period {t}: {what} {v:,.0f} EUR exceeds its limit {limit:,.0f}"
                    )
                )
        if total is None:
            continue
        running = spent.cumsum() if cumulative else spent.cumsum().iloc[-1:]
        out += [
            Violation(
                "budget",
                f"{what} up to {t} of {v:,.0f} EUR exceeds the total limit {total:,.0f} EUR"
                + (" (later sales cannot pay for earlier works)" if cumulative else ""),
            )
            for t, v in running.items()
            if v > total + tol(total)
        ]
    return out


def closest(ctx: Context) -> list[Violation]:
    """Check that, with closest assignment, nobody passes a nearer open site.

    Equally near sites (within the tie tolerance) are not a violation: which of them a
    person uses is free, as in the model.
    """
    if not ctx.inputs.model.closest_assignment:
        return []
    open_pairs = ctx.eligible.merge(
        ctx.capacity.index.to_frame(index=False), on=[T.SITE, T.SERVICE]
    )
    nearest = (
        open_pairs.groupby([T.ZONE, T.SERVICE, T.PERIOD])[T.TRAVEL_TIME_MIN].min().rename("best")
    )
    a = ctx.assignments[ctx.assignments[PERSONS] > ABS_TOL]
    a = a.merge(nearest, left_on=[T.ZONE, T.SERVICE, T.PERIOD], right_index=True, how="left")
    bad = a[a[RAW_TIME] > a["best"] + CLOSEST_TIE_MIN]
    return [
        Violation(
            "closest",
            f"zone {z} {s} {t}: assigned to {j} at {x:.2f} min although an open site is {b:.2f} min away",
        )
        for z, s, t, j, x, b in zip(
            bad[T.ZONE],
            bad[T.SERVICE],
            bad[T.PERIOD],
            bad[T.SITE],
            bad[RAW_TIME],
            bad["best"],
            strict=True,
        )
    ]


#: Every rule, in the order its violations are listed.
RULES: tuple[Rule, ...] = (
    non_negative,
    no_duplicates,
    known_ids,
    lifecycle,
    end_of_life,
    lead_time,
    extend_life,
    locks,
    sizing,
    max_size,
    floor_area,
    capex,
    proceeds,
    travel_times,
    eligibility,
    hosting,
    capacity,
    demand_balance,
    unmet_allowed,
    min_size,
    norms,
    budgets,
    closest,
)


def objective_rule(reported: float) -> Rule:
    """Make the rule that the reported objective equals the one recomputed from the plan."""

    def objective(ctx: Context) -> list[Violation]:
        recomputed = plan_objective(ctx)
        if abs(recomputed - reported) <= 1e-5 * max(1.0, abs(reported)):
            return []
        return [
            Violation(
                "objective",
                f"objective {reported:.6f} reported by the solver, {recomputed:.6f} recomputed from the plan",
            )
        ]

    return objective
