"""ModelData: the sets and parameters of the investment model, built from validated tables.

:func:`build_model_data` is the one canonical constructor. It generates, per site, the
lifecycle options the model may choose from:

* existing building (current service ``s0``, floor area ``A``):
  ``as_is`` (keep, until its end of life), ``renovate`` (same service, may be extended),
  ``extend`` (life extension past the end of life: same service, capacity and floor area,
  for ``costs.extend_life_years``, then closure; ``model.allow_extend``),
  ``convert:<s>`` (another service), ``mfa:<s1>+<s2>[+<s3>]`` (a multifunctional building
  hosting ``s0`` and others, with shared space), and closure (sale or demolition);
* candidate site: ``new:<s>`` and ``new-mfa:<...>`` new builds.

Every option other than ``as_is`` reuses a floor area (``reuse_area_m2``, at
``reuse_capex_eur``), may add new floor area at ``new_eur_per_m2``, and has capacities per
hosted service that the model sizes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from voorzieningen import tables as T
from voorzieningen.errors import InfeasibleModelError, InputDataError
from voorzieningen.limits import site_limits
from voorzieningen.model.options import EXTEND, extend_window, fill_sites, site_locks, site_options
from voorzieningen.schemas.model import (
    BudgetSettings,
    CostSettings,
    ModelOptions,
    Norms,
    PeriodBudgets,
    Service,
)
from voorzieningen.schemas.sizes import places_in_area

AS_IS = "as_is"

#: Weight of the mean travel time (minutes) behind the worst-off objective.
WORST_OFF_SECONDARY = 1e-3

#: Euros to millions of euros: the scale of the cost objective and of the budget rows, so
#: that their coefficients stay near 1 (HiGHS scales badly across 1e-2 .. 1e7).
MEUR = 1e-6

#: Travel times within this many minutes of each other are a tie for closest assignment:
#: an equidistant site is not "farther", so nobody is left unmet by a tie-break.
CLOSEST_TIE_MIN = 0.05


@dataclass(frozen=True)
class ModelData:
    """Sets and parameters of the investment model (all frozen, validated).

    Attributes
    ----------
    zones, sites, services, periods
        The sets; periods are years.
    period_years
        Length of each period (years), indexed by period.
    demand
        ``demand_persons`` indexed by (zone, period, service).
    pairs
        Eligible allocations: columns zone, site, service, travel_time_min, distance_km
        (only pairs within the network cutoff and the service's guarantee norm, for services
        the site may host).
    sites_table
        The sites table (index ``site``) with ``floor_area_m2`` and ``capacity_places``
        filled in.
    options
        One row per (site, option): columns site, option, action (renovate, convert, mfa,
        new), services (tuple), reuse_area_m2, reuse_capex_eur, fixed_capex_eur,
        new_eur_per_m2, opex_eur_per_m2_year, saving (shared-space fraction),
        lead_periods (construction lead of the option: ``construction_lead_periods``, 0 for
        a life extension), life_years (depreciation period of its capex), first_start (the
        only period it may start, NaN: any) and open_until (the last period it may be open,
        NaN: no limit). A life extension (option and action ``extend``) keeps an existing
        building's service, capacity and floor area (see :func:`~voorzieningen.model.options.extend_window`).
    asis_capacity
        Capacity (places) of each existing building as it is, indexed by (site, service).
    asis_area_m2, asis_last_period, close_value_eur
        Per existing building: floor area, last period it may be used as is (or None), net
        proceeds when closed (negative: demolition cost; at most 0 under a ``no_sale``
        lock). ``close_value_eur`` also holds candidate sites: the given
        ``sale_value_eur`` of the plot with what stands on it, else 0.
    fixed_sites
        Existing buildings the plan does not manage (``managed`` false): in use as they are
        in every period.
    cap_max
        Largest capacity (places) of a service at one site, indexed by service (a numerical
        bound: ``max_capacity_factor`` times the region's peak demand).
    site_cap_max
        Largest capacity (places) per (site, service), for every site that may host the
        service: the smallest of the most demand that can reach the site in any period (at
        least the minimum size), the site's ``max_places`` and the places its largest floor
        area holds, and ``cap_max``.
    site_min_places, site_max_places
        Smallest and largest size per (site, service), places (``limits.site_limits``: the
        opheffingsnorm per gemeente for schools, portfolio overrides); NaN: no maximum.
    max_floor_area_m2
        Largest floor area of each site after any extension, m² (NaN: no bound).
    locks
        Locks of each existing building (``must_keep``, ``no_close``, ``no_sale``,
        ``no_convert``), as a frozenset, indexed by site.
    m2_per_place, base_m2, min_places
        Space norm per place, fixed floor area of a hosted service, and the service's
        default minimum viable size, indexed by service.
    discount
        Discount factor of each period's start year relative to the first period.
    opex_factor
        Sum of the yearly discount factors of each period's years (opex of one € per year
        during the period is worth this much today).
    residual_share
        Share of capex spent in each period that is left at the end of the horizon.
    norms, costs, model_settings
        Accessibility norms, cost settings and model settings of the scenario.
    budget_settings
        Gross capex and net spend limits as the scenario states them (€, None: no limit);
        :attr:`budgets` resolves them per period.

    Notes
    -----
    Every quantity the model, the results and the reports derive from these (index maps,
    option lists per site, period weights, the end-of-horizon discount, spend, the objective
    scale) is a property of this object, so that no stage recomputes it and no state is kept
    on the Pyomo model. The symbols are those of ``models/investment.md``.
    """

    zones: list[str]
    sites: list[str]
    services: list[Service]
    periods: list[int]
    period_years: pd.Series
    demand: pd.Series
    pairs: pd.DataFrame
    sites_table: pd.DataFrame
    options: pd.DataFrame
    asis_capacity: pd.Series
    asis_area_m2: pd.Series
    asis_last_period: pd.Series
    fixed_sites: list[str]
    close_value_eur: pd.Series
    cap_max: pd.Series
    site_cap_max: pd.Series
    site_min_places: pd.Series
    site_max_places: pd.Series
    max_floor_area_m2: pd.Series
    locks: pd.Series
    m2_per_place: pd.Series
    base_m2: pd.Series
    min_places: pd.Series
    discount: pd.Series
    opex_factor: pd.Series
    residual_share: pd.Series
    norms: Norms
    costs: CostSettings
    model_settings: ModelOptions
    budget_settings: BudgetSettings

    # ------------------------------------------------------------------ derived quantities

    @cached_property
    def existing(self) -> list[str]:
        """Existing buildings :math:`E` (ids), in the order of ``asis_area_m2``."""
        return [str(e) for e in self.asis_area_m2.index]

    @cached_property
    def option_sites(self) -> list[str]:
        """Site :math:`j(k)` of each option *k* (position in ``options``)."""
        return [str(j) for j in self.options[T.SITE]]

    @cached_property
    def option_services(self) -> list[tuple[Service, ...]]:
        """Services :math:`S_k` hosted by each option *k*."""
        return [tuple(svcs) for svcs in self.options["services"]]

    @cached_property
    def options_by_site(self) -> dict[str, list[int]]:
        """Options :math:`K_j` of each site that has any (site -> option indices)."""
        by_site: dict[str, list[int]] = defaultdict(list)
        for k, site in enumerate(self.option_sites):
            by_site[site].append(k)
        return dict(by_site)

    @cached_property
    def options_by_site_service(self) -> dict[tuple[str, str], list[int]]:
        """Options :math:`K_{js}` of site *j* that host service *s*."""
        k_of: dict[tuple[str, str], list[int]] = defaultdict(list)
        for k, (site, svcs) in enumerate(zip(self.option_sites, self.option_services, strict=True)):
            for s in svcs:
                k_of[(site, str(s))].append(k)
        return dict(k_of)

    @cached_property
    def asis_hosts(self) -> frozenset[tuple[str, str]]:
        """(site, service) pairs an existing building hosts as it is."""
        return frozenset((str(j), str(s)) for j, s in self.asis_capacity.index)

    @cached_property
    def candidates(self) -> list[str]:
        """Sites with options that are not existing buildings (candidate sites)."""
        existing = set(self.existing)
        return [j for j in self.options_by_site if j not in existing]

    @cached_property
    def managed_hosts(self) -> list[tuple[str, str]]:
        """(site, service) pairs the plan may host and decides on (not ``fixed_sites``)."""
        fixed = set(self.fixed_sites)
        keys = {*self.asis_hosts, *self.options_by_site_service}
        return sorted((key for key in keys if key[0] not in fixed), key=str)

    @cached_property
    def pairs_by_zone_service(self) -> dict[tuple[str, str], npt.NDArray[np.intp]]:
        """Positions in ``pairs`` of each (zone, service), nearest first."""
        groups = self.pairs.groupby([T.ZONE, T.SERVICE], sort=False).indices
        out: dict[tuple[str, str], npt.NDArray[np.intp]] = {}
        for key, idx in groups.items():
            z, s = cast("tuple[str, str]", key)
            out[(str(z), str(s))] = np.asarray(idx, dtype=np.intp)
        return out

    @cached_property
    def pairs_by_site_service(self) -> dict[tuple[str, str], npt.NDArray[np.intp]]:
        """Positions in ``pairs`` of each (site, service) some zone can reach, sorted by key."""
        groups = self.pairs.groupby([T.SITE, T.SERVICE]).indices
        out: dict[tuple[str, str], npt.NDArray[np.intp]] = {}
        for key in sorted(groups, key=str):
            j, s = cast("tuple[str, str]", key)
            out[(str(j), str(s))] = np.asarray(groups[key], dtype=np.intp)
        return out

    @cached_property
    def period_weight(self) -> pd.Series:
        """Share of the horizon of each period, :math:`w_t` (fraction), by period."""
        return self.period_years / float(self.period_years.sum())

    @cached_property
    def horizon_years(self) -> float:
        """Years from the first period's start to the end of the last period."""
        return float(self.periods[-1] + float(self.period_years.iloc[-1]) - self.periods[0])

    @cached_property
    def end_discount(self) -> float:
        r"""Discount factor :math:`\delta_{end}` of the end of the horizon (first period = 1)."""
        return float((1.0 + self.costs.discount_rate) ** -self.horizon_years)

    @cached_property
    def objective_scale(self) -> float:
        """Factor from the objective's unit to the solver's: M€ per € for ``cost``, else 1.

        The cost objective is handed to the solver in M€ for its numerics; every setting in
        the objective's unit (``solver.mip_abs_gap``) is multiplied by this factor.
        """
        return MEUR if self.model_settings.objective == "cost" else 1.0

    @cached_property
    def budgets(self) -> PeriodBudgets:
        """Budget limits resolved per period (per-year limits times the period length)."""
        return self.budget_settings.per_period([float(n) for n in self.period_years])

    @staticmethod
    def gross_capex(capex: Any, demolition: Any) -> Any:
        """
        Return gross capex (€): construction money spent, demolition included.

        Parameters
        ----------
        capex, demolition
            Capex of the interventions and demolition cost of closures of a period, €
            (numbers, arrays, series or model expressions).

        Returns
        -------
        Any
            ``capex + demolition``.
        """
        return capex + demolition

    @staticmethod
    def net_spend(capex: Any, proceeds: Any) -> Any:
        """
        Return net spend (€): capex minus the net proceeds of closures.

        Parameters
        ----------
        capex, proceeds
            Capex and net proceeds of closures (sales; negative: demolition) of a period, €.

        Returns
        -------
        Any
            ``capex - proceeds`` (demolition, a negative proceed, adds to it).
        """
        return capex - proceeds

    # ------------------------------------------------------------------ lifecycle in time

    @cached_property
    def lead_periods(self) -> int:
        """Construction lead :math:`L` (periods) from a decision until its capacity serves."""
        return int(self.model_settings.construction_lead_periods)

    @cached_property
    def temporary_during_works(self) -> bool:
        """Whether a building under works keeps its current capacity in temporary space."""
        return self.model_settings.service_during_works == "temporary"

    @cached_property
    def serving_starts(self) -> dict[int, list[int]]:
        r"""Start periods :math:`\tau \le t - L` whose capacity serves in period *t*."""
        ps = self.periods
        return {t: ps[: max(0, i - self.lead_periods + 1)] for i, t in enumerate(ps)}

    @cached_property
    def works_starts(self) -> dict[int, list[int]]:
        r"""Start periods :math:`t - L < \tau \le t` still under works in period *t*."""
        ps, lead = self.periods, self.lead_periods
        return {t: ps[max(0, i - lead + 1) : i + 1] if lead else [] for i, t in enumerate(ps)}

    @cached_property
    def start_periods(self) -> list[int]:
        """Periods in which an option may start: its capacity must serve within the horizon."""
        return self.periods[: len(self.periods) - self.lead_periods]

    @cached_property
    def option_lead(self) -> list[int]:
        """Construction lead :math:`L_k` of each option, periods (0 for a life extension)."""
        return [int(v) for v in self.options["lead_periods"]]

    @cached_property
    def extend_options(self) -> list[int]:
        """Options that extend a building's life (action ``extend``), :math:`K^{ext}`."""
        return [k for k, a in enumerate(self.options["action"]) if a == EXTEND]

    @cached_property
    def extend_set(self) -> frozenset[int]:
        """:attr:`extend_options` as a set (membership tests)."""
        return frozenset(self.extend_options)

    def works_starts_of(self, k: int, t: int) -> list[int]:
        r"""Start periods :math:`\mathcal W_{kt}` of option *k* still under works in *t*."""
        return self.works_starts[t] if self.option_lead[k] == self.lead_periods else []

    def serving_starts_of(self, k: int, t: int) -> list[int]:
        r"""Start periods :math:`\mathcal S_{kt}` of option *k* whose capacity serves in *t*."""
        if self.option_lead[k] == self.lead_periods:
            return self.serving_starts[t]
        return [p for p in self.periods if p <= t]

    def start_periods_of(self, k: int) -> list[int]:
        """Periods in which option *k* may start (a life extension: one period only)."""
        first = float(self.options["first_start"].to_numpy(dtype=float)[k])
        if np.isfinite(first):
            return [int(first)]
        return self.start_periods

    def open_periods_of(self, k: int) -> list[int]:
        """Periods in which option *k* may be open (a life extension: its extended life)."""
        until = float(self.options["open_until"].to_numpy(dtype=float)[k])
        return [t for t in self.periods if not np.isfinite(until) or t <= until]

    def option_residual_share(self, k: int) -> dict[int, float]:
        r""":math:`\rho_{kt}`: share of option *k*'s capex spent in *t* left at the horizon's end.

        Straight-line depreciation over the option's ``life_years``.
        """
        life = float(self.options["life_years"].to_numpy(dtype=float)[k])
        end = self.periods[0] + self.horizon_years
        return {t: float(min(1.0, max(0.0, 1.0 - (end - t) / life))) for t in self.periods}

    @cached_property
    def current_service(self) -> dict[str, Service]:
        """Current service :math:`s^0_e` of each existing building."""
        return {str(j): cast("Service", s) for j, s in self.asis_capacity.index}

    def locked(self, site: str, lock: str) -> bool:
        """
        Return whether a site carries a lock.

        Parameters
        ----------
        site
            Site id.
        lock
            ``must_keep``, ``no_close``, ``no_sale`` or ``no_convert``.

        Returns
        -------
        bool
            True if the portfolio locks the site so.
        """
        return lock in self.locks.get(site, frozenset())

    def unmet_penalty_min(self, service: str) -> float:
        r"""Penalty :math:`\pi_s` of an unserved person of a service, minutes."""
        return self.model_settings.unmet_penalty_min_for(cast("Service", service))


def _check_reachable(demand: pd.Series, pairs: pd.DataFrame) -> None:
    """Prove infeasibility before solving: demand that no eligible site can ever serve."""
    positive = demand[demand > 0]
    needed = set(
        zip(
            positive.index.get_level_values(T.ZONE),
            positive.index.get_level_values(T.SERVICE),
            strict=True,
        )
    )
    served = set(zip(pairs[T.ZONE], pairs[T.SERVICE], strict=True))
    stranded = sorted(needed - served)
    if stranded:
        listed = ", ".join(f"{z} ({s})" for z, s in stranded[:12])
        more = f" and {len(stranded) - 12} more" if len(stranded) > 12 else ""
        msg = (
            f"(network, norms) | no plan can serve zone(s) {listed}{more}: no building or "
            "candidate site of that service is within reach (network cutoff, norms and "
            "guarantees). Add a candidate site nearby, raise network.cutoff_min or the norm, "
            "or set model.allow_unmet_demand = true to plan around them."
        )
        raise InfeasibleModelError(msg)


def _check_norms(
    demand: pd.Series, pairs: pd.DataFrame, norms: Norms, services: list[Service]
) -> None:
    """Prove a hard coverage norm infeasible before solving, naming the norm."""
    for s in services:
        norm = getattr(norms, s)
        if not norm.min_share_within:
            continue
        near = pairs[(pairs[T.SERVICE] == s) & (pairs[T.TRAVEL_TIME_MIN] <= norm.within_min)]
        zones = set(near[T.ZONE])
        dem = demand.xs(s, level=T.SERVICE)
        total = dem.groupby(level=T.PERIOD).sum()
        within = dem[dem.index.get_level_values(T.ZONE).isin(zones)].groupby(level=T.PERIOD).sum()
        share = (within.reindex(total.index).fillna(0.0) / total.where(total > 0)).dropna()
        short = share[share < norm.min_share_within - 1e-9]
        if len(short):
            t = int(short.index[0])
            msg = (
                f"(norms.{s}.min_share_within) | the norm asks {norm.min_share_within:.0%} of "
                f"{s} demand within {norm.within_min:g} min, but only {short.iloc[0]:.1%} "
                f"of it (in {t}) lives within {norm.within_min:g} min of any building or "
                f"candidate site of that service. Lower norms.{s}.min_share_within, raise "
                f"norms.{s}.within_min, add candidate sites, or set "
                "model.allow_unmet_demand = true to make the norm soft (its shortfall is "
                "then penalised and reported)."
            )
            raise InfeasibleModelError(msg)


def build_model_data(
    *,
    zones: pd.DataFrame,
    sites: pd.DataFrame,
    demand: pd.DataFrame,
    travel_times: pd.DataFrame,
    periods: list[int],
    period_years: list[float],
    costs: CostSettings,
    norms: Norms,
    model_settings: ModelOptions,
    budgets: BudgetSettings | None = None,
    closure_norms: pd.DataFrame | None = None,
) -> ModelData:
    """
    Build the model's sets and parameters from validated tables.

    Parameters
    ----------
    zones
        Indexed by ``zone``.
    sites
        Sites table indexed by ``site`` (see :mod:`voorzieningen.inputs`).
    demand
        ``demand_persons`` indexed by (zone, period, service).
    travel_times
        Long table with columns zone, site, travel_time_min, distance_km (home -> site).
    periods
        Planning years.
    period_years
        Length of each period, years.
    costs, norms, model_settings
        Cost settings, accessibility norms, model settings (``scenario.model``).
    budgets
        Budget limits (``scenario.budget``); None: no limits.
    closure_norms
        School closure norm per gemeente (``limits.load_closure_norms``); None: the
        national fallback ``costs.school.min_places``.

    Returns
    -------
    ModelData
        Frozen sets and parameters.

    Raises
    ------
    InputDataError
        If demand lacks zones, periods or services, or an existing building's size is
        unknown.
    InfeasibleModelError
        Without unmet demand: if demand cannot reach any site, or a coverage norm cannot be
        met by any plan.
    """
    services: list[Service] = list(model_settings.services)
    zone_ids = [str(z) for z in zones.index]
    sites = sites.copy()
    # Optional portfolio columns (size limits, locks) default to "not given".
    for column in (T.MIN_PLACES, T.MAX_PLACES, T.MAX_FLOOR_AREA_M2):
        if column not in sites.columns:
            sites[column] = np.nan
    if T.LOCK not in sites.columns:
        sites[T.LOCK] = ""
    sites = fill_sites(sites, costs)
    site_ids = [str(s) for s in sites.index]
    full = pd.MultiIndex.from_product(
        [zone_ids, periods, services], names=[T.ZONE, T.PERIOD, T.SERVICE]
    )
    dem = demand[T.DEMAND_PERSONS].astype(float)
    missing = full.difference(pd.MultiIndex.from_tuples(list(dem.index)))
    if len(missing):
        msg = (
            f"(demand) | no demand for {len(missing)} (zone, period, service) combinations, "
            f"e.g. {list(missing[:3])}; the demand table must cover every zone, period and "
            "service of the scenario."
        )
        raise InputDataError(msg)
    dem = dem.reindex(full).clip(lower=0.0)

    locks = site_locks(sites)
    opt_rows: list[dict[str, object]] = []
    for site, row in sites.iterrows():
        opt_rows.extend(
            site_options(str(site), row, services, costs, model_settings, locks[str(site)])
        )
    option_table = pd.DataFrame(
        opt_rows,
        columns=[
            T.SITE,
            "option",
            "action",
            "services",
            "reuse_area_m2",
            "reuse_capex_eur",
            "fixed_capex_eur",
            "new_eur_per_m2",
            "opex_eur_per_m2_year",
            "saving",
            "lead_periods",
            "life_years",
            "first_start",
            "open_until",
        ],
    )

    existing = sites[sites[T.KIND] == "existing"]
    existing = existing[existing[T.SERVICE].isin(services)]
    asis_capacity = pd.Series(
        existing[T.CAPACITY_PLACES].astype(float).to_numpy(),
        index=pd.MultiIndex.from_arrays(
            [existing.index.astype(str), existing[T.SERVICE].astype(str)], names=[T.SITE, T.SERVICE]
        ),
        name=T.CAPACITY_PLACES,
    )
    asis_area = existing[T.FLOOR_AREA_M2].astype(float)
    eol = existing[T.END_OF_LIFE_YEAR].astype(float)
    managed = existing[T.MANAGED].astype(bool)
    # Usable as is in a period only if the whole period ends by the end of life.
    ends = {p: p + float(n) for p, n in zip(periods, period_years, strict=True)}
    last_period = eol.map(
        lambda y: (
            max((p for p in periods if ends[p] <= y), default=None)
            if np.isfinite(y)
            else periods[-1]
        )
    )
    # Buildings the plan does not manage stay in use as they are, whatever their age.
    last_period[~managed] = periods[-1]
    option_table = extend_window(option_table, last_period, eol, periods, ends, costs)
    fixed_sites = [str(s) for s in existing.index[~managed]]
    close_value = existing[T.SALE_VALUE_EUR].astype(float)
    close_value = close_value.where(close_value.notna(), -costs.demolition_eur_per_m2 * asis_area)
    # no_sale: the building may close but earns nothing from a sale (a demolition cost
    # stays a cost).
    no_sale = [bool("no_sale" in locks[str(e)]) for e in close_value.index]
    close_value = close_value.where(~np.asarray(no_sale, dtype=bool), close_value.clip(upper=0.0))
    # Candidate sites: closing a new build sells the plot with what stands on it at the
    # given sale value; without one, nothing (decision documented in models/investment.md).
    candidates = sites[sites[T.KIND] != "existing"]
    close_value = pd.concat([close_value, candidates[T.SALE_VALUE_EUR].astype(float).fillna(0.0)])
    close_value.index = close_value.index.astype(str)

    # Eligible pairs: within cutoff (already), within the service's guarantee, and the site
    # can host the service in some state.
    hostable: list[tuple[str, str]] = [(str(s), str(svc)) for (s, svc) in asis_capacity.index]
    for opt_site, opt_services in zip(option_table[T.SITE], option_table["services"], strict=True):
        hostable.extend((str(opt_site), str(svc)) for svc in opt_services)
    host = pd.DataFrame(sorted(set(hostable)), columns=[T.SITE, T.SERVICE])
    tt = travel_times[[T.ZONE, T.SITE, T.TRAVEL_TIME_MIN, T.DISTANCE_KM]].copy()
    tt[T.ZONE] = tt[T.ZONE].astype(str)
    tt[T.SITE] = tt[T.SITE].astype(str)
    tt = tt[tt[T.ZONE].isin(zone_ids) & tt[T.SITE].isin(site_ids)]
    pairs = tt.merge(host, on=T.SITE)
    limit = (
        pairs[T.SERVICE]
        .map(lambda s: getattr(norms, s).max_travel_time_min or np.inf)
        .astype(float)
    )
    if norms.guarantees:
        unknown = sorted({g.zone for g in norms.guarantees} - set(zone_ids))
        if unknown:
            msg = (
                f"(norms.guarantees, zone) | unknown zone(s) {unknown}; use zone ids of the "
                "region (PC4 codes for CBS zones)."
            )
            raise InputDataError(msg)
        strict = pd.Series(
            {(g.zone, g.service): g.max_travel_time_min for g in norms.guarantees}, dtype=float
        )
        keys = pd.MultiIndex.from_arrays([pairs[T.ZONE], pairs[T.SERVICE]])
        per_zone = strict.reindex(keys).to_numpy(dtype=float)
        limit = pd.Series(np.fmin(limit.to_numpy(), per_zone), index=pairs.index)
    pairs = pairs[pairs[T.TRAVEL_TIME_MIN] <= limit].reset_index(drop=True)
    # Nearest first within each (zone, service): closest-assignment constraints rely on it.
    pairs = pairs.sort_values([T.ZONE, T.SERVICE, T.TRAVEL_TIME_MIN, T.SITE], kind="stable")
    pairs = pairs.reset_index(drop=True)

    if not model_settings.allow_unmet_demand:
        _check_reachable(dem, pairs)
        _check_norms(dem, pairs, norms, services)

    limits = site_limits(sites, services, costs, closure_norms)
    limits.index = pd.MultiIndex.from_tuples(
        [(str(j), str(s)) for j, s in limits.index], names=[T.SITE, T.SERVICE]
    )
    site_min = limits[T.MIN_PLACES].astype(float)
    site_max = limits[T.MAX_PLACES].astype(float)
    max_area = limits[T.MAX_FLOOR_AREA_M2].groupby(level=T.SITE).first().astype(float)
    # An existing building larger than its service's maximum size counts only up to it.
    top = site_max.reindex(asis_capacity.index).to_numpy(dtype=float)
    asis_capacity = asis_capacity.clip(
        upper=pd.Series(np.where(np.isnan(top), np.inf, top), index=asis_capacity.index)
    )

    peak = dem.groupby(level=[T.PERIOD, T.SERVICE]).sum().groupby(level=T.SERVICE).max()
    cap_max = (peak * model_settings.max_capacity_factor).reindex(services).fillna(0.0)
    m2_per_place = pd.Series({s: costs.for_service(s).m2_per_place for s in services})
    base_m2 = pd.Series({s: costs.for_service(s).base_m2 for s in services})
    min_places = pd.Series({s: costs.for_service(s).min_places for s in services})
    biggest = asis_capacity.groupby(level=T.SERVICE).max().reindex(services).fillna(0.0)
    cap_max = pd.concat([cap_max, biggest, min_places.clip(lower=1.0)], axis=1).max(axis=1)
    # Per site: no more places than the demand that can reach it in any period (a far
    # tighter bound than the regional one, which strengthens the LP relaxation), than the
    # site's maximum size, and than its largest floor area holds.
    reach = pairs[[T.ZONE, T.SITE, T.SERVICE]].merge(
        dem.rename("d").reset_index(), on=[T.ZONE, T.SERVICE]
    )
    reachable = (
        reach.groupby([T.SITE, T.SERVICE, T.PERIOD])["d"]
        .sum()
        .groupby(level=[T.SITE, T.SERVICE])
        .max()
    )
    hosts = (
        pd.MultiIndex.from_frame(host)
        if len(host)
        else pd.MultiIndex.from_tuples([], names=[T.SITE, T.SERVICE])
    )
    svc = hosts.get_level_values(T.SERVICE)
    low = site_min.reindex(hosts).fillna(0.0).clip(lower=1.0).to_numpy()
    bound = np.maximum(reachable.reindex(hosts).fillna(0.0).to_numpy(), low)
    bound = np.minimum(bound, cap_max.reindex(svc).to_numpy(dtype=float))
    high = site_max.reindex(hosts).to_numpy(dtype=float)
    bound = np.where(np.isnan(high), bound, np.minimum(bound, high))
    area = max_area.reindex(hosts.get_level_values(T.SITE)).to_numpy(dtype=float)
    fits = np.array(
        [
            places_in_area(cast("Service", s), float(a), costs) if np.isfinite(a) else np.inf
            for s, a in zip(svc, area, strict=True)
        ],
        dtype=float,
    )
    site_cap_max = pd.Series(np.minimum(bound, fits), index=hosts, dtype=float)

    years = pd.Series(period_years, index=periods, dtype=float)
    offset = np.array([p - periods[0] for p in periods], dtype=float)
    discount = pd.Series((1.0 + costs.discount_rate) ** -offset, index=periods)
    # Opex is paid every year of a period: the sum of that period's yearly discount factors.
    opex_factor = pd.Series(
        [
            float(sum((1.0 + costs.discount_rate) ** -(o + y) for y in range(round(n))))
            for o, n in zip(offset, period_years, strict=True)
        ],
        index=periods,
    )
    horizon_end = periods[-1] + period_years[-1]
    residual = pd.Series(
        np.clip(
            1.0 - (horizon_end - np.array(periods, dtype=float)) / costs.building_life_years,
            0.0,
            1.0,
        ),
        index=periods,
    )
    return ModelData(
        zones=zone_ids,
        sites=site_ids,
        services=services,
        periods=list(periods),
        period_years=years,
        demand=dem,
        pairs=pairs,
        sites_table=sites,
        options=option_table,
        asis_capacity=asis_capacity,
        asis_area_m2=asis_area,
        asis_last_period=last_period,
        fixed_sites=fixed_sites,
        close_value_eur=close_value,
        cap_max=cap_max,
        site_cap_max=site_cap_max,
        site_min_places=site_min,
        site_max_places=site_max,
        max_floor_area_m2=max_area,
        locks=locks,
        m2_per_place=m2_per_place,
        base_m2=base_m2,
        min_places=min_places,
        discount=discount,
        opex_factor=opex_factor,
        residual_share=residual,
        norms=norms,
        costs=costs,
        model_settings=model_settings,
        budget_settings=budgets or BudgetSettings(),
    )
