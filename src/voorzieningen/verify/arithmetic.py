"""The verifier's own arithmetic: time value of money, buildings and interventions.

Written from the rules as documented (the scenario settings' docstrings and the formulation
in :mod:`voorzieningen.model.build`), not from the model's code: the opex factor is a closed
geometric series here where the model sums years, period lengths are recomputed from the
period years, building sizes and sale values from the raw portfolio, and an intervention's
unit costs from its name and the cost settings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

import pandas as pd

from voorzieningen import tables as T
from voorzieningen.schemas.model import CostSettings, ModelOptions, Service
from voorzieningen.schemas.sizes import floor_area_m2, places_in_area


def locks(row: pd.Series) -> set[str]:
    """Return the locks of a raw site row (``lock``: ``;``-separated; none when absent)."""
    value = row.get(T.LOCK, "")
    return {p for p in str(value).split(";") if p} if isinstance(value, str) else set()


#: Default length of the only period of a single-period plan, years.
SINGLE_PERIOD_YEARS = 5.0


@dataclass(frozen=True)
class Money:
    """Time value of money per period (all indexed by period year).

    Attributes
    ----------
    years
        Length of each period, years.
    discount
        Value today of one € paid at the start of the period.
    opex_factor
        Value today of one € paid at the start of each year of the period.
    residual_share
        Share of capex spent at the start of the period that is not yet depreciated at the
        end of the horizon (straight line over the building life).
    end_discount
        Value today of one € at the end of the horizon.
    """

    years: pd.Series
    discount: pd.Series
    opex_factor: pd.Series
    residual_share: pd.Series
    end_discount: float


def period_lengths(periods: tuple[int, ...], given: tuple[float, ...] | None = None) -> pd.Series:
    """
    Length of each period in years.

    Parameters
    ----------
    periods
        Planning years, increasing.
    given
        Explicit lengths, or None for the rule: each period lasts until the next one; the
        last lasts as long as the one before it (5 years if it is the only one).

    Returns
    -------
    pandas.Series
        Years per period.
    """
    if given is not None:
        return pd.Series(list(given), index=list(periods), dtype=float)
    lengths: list[float] = []
    for i, year in enumerate(periods):
        if i + 1 < len(periods):
            lengths.append(float(periods[i + 1] - year))
        elif i > 0:
            lengths.append(float(year - periods[i - 1]))
        else:
            lengths.append(SINGLE_PERIOD_YEARS)
    return pd.Series(lengths, index=list(periods), dtype=float)


def money(periods: tuple[int, ...], years: pd.Series, costs: CostSettings) -> Money:
    """
    Discount factors, opex factors and residual shares of a horizon.

    Parameters
    ----------
    periods
        Planning years.
    years
        Length of each period, years.
    costs
        Discount rate (per year) and building life (years).

    Returns
    -------
    Money
        The factors.
    """
    v = 1.0 / (1.0 + costs.discount_rate)  # value of a € one year later
    first = periods[0]
    end = periods[-1] + float(years.iloc[-1])
    discount, opex, residual = {}, {}, {}
    for year in periods:
        n = round(float(years[year]))  # opex is paid once in each whole year of the period
        start = v ** (year - first)
        discount[year] = start
        # Closed form of start * (1 + v + ... + v^(n-1)).
        opex[year] = start * n if v == 1.0 else start * (1.0 - v**n) / (1.0 - v)
        depreciated = (end - year) / costs.building_life_years
        residual[year] = min(1.0, max(0.0, 1.0 - depreciated))
    return Money(
        years=years,
        discount=pd.Series(discount, dtype=float),
        opex_factor=pd.Series(opex, dtype=float),
        residual_share=pd.Series(residual, dtype=float),
        end_discount=v ** (end - first),
    )


def buildings(
    sites: pd.DataFrame,
    periods: tuple[int, ...],
    years: pd.Series,
    costs: CostSettings,
    services: list[Service],
) -> pd.DataFrame:
    """
    Existing buildings the plan is about, with their size, life and closing value.

    Parameters
    ----------
    sites
        Raw sites table (index ``site``).
    periods, years
        Planning years and their lengths.
    costs
        Space norms (m² per place) and demolition cost.
    services
        Services planned; buildings of other services take no part.

    Returns
    -------
    pandas.DataFrame
        Index ``site`` (text); columns service, area_m2, capacity_places, managed (bool),
        last_period (last period it may be used as is, -1 if none), close_value_eur (sale
        value, or minus the demolition cost when not given), extend_start (the one period
        a life extension may start: the first period after last_period; -1 if none) and
        extend_last (last period an extended building may be open: the periods that end by
        ``max(end_of_life_year, first period) + costs.extend_life_years``; -1 if none).
    """
    existing = sites[(sites[T.KIND] == "existing") & sites[T.SERVICE].isin(services)]
    rows = []
    for site, row in existing.iterrows():
        service: Service = row[T.SERVICE]
        area, cap = float(row[T.FLOOR_AREA_M2]), float(row[T.CAPACITY_PLACES])
        # Floor area = base + area per place (the one formula of schemas.sizes).
        area = floor_area_m2(service, cap, costs) if math.isnan(area) else area
        cap = places_in_area(service, area, costs) if math.isnan(cap) else cap
        # A building larger than its own max_places counts only up to it; the service's
        # default maximum does not shrink a building that exists (limits.site_limits).
        most = float(row.get(T.MAX_PLACES, math.nan))
        cap = min(cap, most) if math.isfinite(most) else cap
        eol = float(row[T.END_OF_LIFE_YEAR])
        managed = bool(row[T.MANAGED])
        if not managed or not math.isfinite(eol):
            last = periods[-1]
        else:
            # Usable as is in a period only if the whole period ends by the end of life.
            usable = [p for p in periods if p + float(years[p]) <= eol]
            last = usable[-1] if usable else -1
        sale = float(row[T.SALE_VALUE_EUR])
        value = -costs.demolition_eur_per_m2 * area if math.isnan(sale) else sale
        if "no_sale" in locks(row):
            value = min(value, 0.0)  # may close, but is not sold
        ext_start, ext_last = -1, -1
        if managed and math.isfinite(eol):
            after = [p for p in periods if p > last]
            # A life extension: in the first period the building is past its end of life,
            # for extend_life_years from that end of life (or from the first period).
            life_end = max(eol, float(periods[0])) + costs.extend_life_years
            within = [p for p in periods if p + float(years[p]) <= life_end]
            if after and within and within[-1] >= after[0]:
                ext_start, ext_last = after[0], within[-1]
        rows.append((str(site), service, area, cap, managed, last, value, ext_start, ext_last))
    return pd.DataFrame(
        rows,
        columns=[
            T.SITE,
            T.SERVICE,
            "area_m2",
            T.CAPACITY_PLACES,
            "managed",
            "last_period",
            "close_value_eur",
            "extend_start",
            "extend_last",
        ],
    ).set_index(T.SITE)


@dataclass(frozen=True)
class Intervention:
    """What one intervention at one site is and costs, from its name and the settings.

    Attributes
    ----------
    hosted
        Services the building hosts afterwards.
    reuse_area_m2
        Existing floor area reused, m².
    one_off_eur
        Fixed capex plus the cost of reworking the reused area, €.
    new_eur_per_m2
        Capex per m² of new floor area, €/m².
    opex_eur_per_m2_year
        Yearly operating cost per m² of the whole building, €/m²/year.
    saving
        Share of floor area saved by sharing space (MFA), fraction.
    action
        ``renovate``, ``extend``, ``convert``, ``mfa``, ``new`` or ``new-mfa``.
    lead_periods
        Periods from its start until its capacity serves; None: the scenario's
        ``construction_lead_periods`` (a life extension: 0, it is maintenance in use).
    life_years
        Depreciation period of its capex, years; None: ``costs.building_life_years`` (a
        life extension: ``costs.extend_life_years``).
    """

    hosted: tuple[Service, ...]
    reuse_area_m2: float
    one_off_eur: float
    new_eur_per_m2: float
    opex_eur_per_m2_year: float
    saving: float
    action: str = ""
    lead_periods: int | None = None
    life_years: float | None = None


def _services(text: str, services: list[Service]) -> tuple[Service, ...] | None:
    names = text.split("+")
    if not all(n in services for n in names) or len(set(names)) != len(names):
        return None
    return tuple(s for s in services if s in names)


def _rework(
    s0: Service,
    action: str,
    hosted: tuple[Service, ...] | None,
    allowed: set[str],
    costs: CostSettings,
    options: ModelOptions,
) -> tuple[tuple[Service, ...], float] | str:
    """Services hosted after reworking an existing building of ``s0``, and its €/m²."""
    if action == "renovate" and hosted is None:
        return (s0,), costs.for_service(s0).renovate_eur_per_m2
    if action == "convert" and hosted and len(hosted) == 1:
        if not options.allow_conversion or hosted[0] == s0 or hosted[0] not in allowed:
            return f"conversion to {hosted[0]} is not allowed here"
        return hosted, costs.for_service(hosted[0]).convert_eur_per_m2
    if action == "mfa" and hosted and len(hosted) > 1 and s0 in hosted:
        others = [s for s in hosted if s != s0]
        if not options.allow_mfa or not set(others) <= allowed:
            return f"a multifunctional building with {'+'.join(hosted)} is not allowed here"
        rates = [costs.for_service(s).convert_eur_per_m2 for s in others]
        return hosted, max([costs.for_service(s0).renovate_eur_per_m2, *rates])
    return "no such option for an existing building"


def extension(site: pd.Series, costs: CostSettings, options: ModelOptions) -> Intervention | str:
    """
    Recompute a life extension (option ``extend``) of an existing building.

    Same service, capacity and floor area; capex ``costs.extend_fixed_capex_eur`` plus the
    floor area times ``costs.<service>.extend_eur_per_m2`` (or
    ``costs.extend_share_of_renovation`` times the renovation price); no lead time; its
    capex depreciates over ``costs.extend_life_years``.

    Parameters
    ----------
    site
        The building's raw row.
    costs
        Unit costs and space norms.
    options
        Which services are planned, and whether extensions are allowed.

    Returns
    -------
    Intervention or str
        The extension, or why it is not allowed at this site.
    """
    s0 = cast("Service", str(site[T.SERVICE]))
    if site[T.KIND] != "existing" or s0 not in options.services or not bool(site[T.MANAGED]):
        return "only a managed existing building of a planned service can be extended"
    if not options.allow_extend:
        return "life extensions are not allowed (model.allow_extend = false)"
    if not math.isfinite(float(site[T.END_OF_LIFE_YEAR])):
        return "the building has no end of life to extend"
    area = float(site[T.FLOOR_AREA_M2])
    if math.isnan(area):
        area = floor_area_m2(s0, float(site[T.CAPACITY_PLACES]), costs)
    unit = costs.for_service(s0)
    # Its own price per m², else the documented share of the renovation price.
    rate = unit.extend_eur_per_m2
    if rate is None:
        rate = costs.extend_share_of_renovation * unit.renovate_eur_per_m2
    return Intervention(
        hosted=(s0,),
        reuse_area_m2=area,
        one_off_eur=costs.extend_fixed_capex_eur + rate * area,
        new_eur_per_m2=0.0,
        opex_eur_per_m2_year=unit.opex_eur_per_m2_year,
        saving=0.0,
        action="extend",
        lead_periods=0,
        life_years=costs.extend_life_years,
    )


def intervention(
    site: pd.Series,
    option: str,
    costs: CostSettings,
    options: ModelOptions,
) -> Intervention | str:
    """
    Recompute an intervention from its name, the site's raw row and the settings.

    Parameters
    ----------
    site
        The site's raw row (kind, service, allowed_services, floor_area_m2,
        capacity_places, managed).
    option
        ``renovate``, ``extend``, ``convert:<s>``, ``mfa:<s1>+<s2>[+<s3>]`` (existing
        buildings),
        ``new:<s>`` or ``new-mfa:<s1>+<s2>[+<s3>]`` (candidate sites).
    costs
        Unit costs and space norms.
    options
        Which services are planned, and whether conversions and MFAs are allowed.

    Returns
    -------
    Intervention or str
        The intervention, or why it is not allowed at this site.
    """
    services = list(options.services)
    allowed: set[str] = {s for s in str(site[T.ALLOWED_SERVICES]).split(";") if s in services}
    action, _, rest = option.partition(":")
    named = _services(rest, services) if rest else None
    if site[T.KIND] == "existing":
        s0 = cast("Service", str(site[T.SERVICE]))
        if s0 not in services or not bool(site[T.MANAGED]):
            return "the building is not managed by the plan (or its service is not planned)"
        if action in ("convert", "mfa") and locks(site) & {"must_keep", "no_convert"}:
            return f"the building is locked ({'; '.join(sorted(locks(site)))}): no {action}"
        reworked = _rework(s0, action, named, allowed, costs, options)
        if isinstance(reworked, str):
            return reworked
        hosted, rate = reworked
        area = float(site[T.FLOOR_AREA_M2])
        if math.isnan(area):
            area = floor_area_m2(s0, float(site[T.CAPACITY_PLACES]), costs)
    else:
        mfa = action == "new-mfa"
        if action not in ("new", "new-mfa") or not named or mfa != (len(named) > 1):
            return "no such option for a candidate site"
        if not set(named) <= allowed or (mfa and not options.allow_mfa):
            return f"{'+'.join(named)} may not be built at this candidate site"
        hosted, area, rate = named, 0.0, 0.0
    per = [costs.for_service(s) for s in hosted]
    several = len(hosted) > 1
    return Intervention(
        action=action,
        hosted=hosted,
        reuse_area_m2=area,
        # One project: the dearest service's fixed capex, plus the extra of combining.
        one_off_eur=max(c.fixed_capex_eur for c in per)
        + (costs.mfa_fixed_capex_eur if several else 0.0)
        + rate * area,
        new_eur_per_m2=max(c.new_build_eur_per_m2 for c in per),
        opex_eur_per_m2_year=max(c.opex_eur_per_m2_year for c in per),
        saving=costs.mfa_shared_space_saving if several else 0.0,
    )
