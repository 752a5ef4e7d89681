"""Negotiation tables of one run: winners and losers, and capex per year and funding party."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from voorzieningen import plotting
from voorzieningen import tables as T
from voorzieningen.errors import InputDataError
from voorzieningen.record import PlanTables, last_period
from voorzieningen.schemas.report import DEFAULT_UNCHANGED_TOLERANCE_MIN

#: Default tolerance of "unchanged", minutes (the scenario's ``report.unchanged_tolerance_min``).
TOLERANCE_MIN = DEFAULT_UNCHANGED_TOLERANCE_MIN

#: Unmet demand below this many persons is rounding, not a shortfall (half a person).
UNMET_TOLERANCE_PERSONS = 0.5

#: Outcomes from best to worst; tables are sorted in this order within a period.
OUTCOMES: tuple[str, ...] = (
    "gained_access",
    "winner",
    "unchanged",
    "no_demand",
    "loser",
    "lost_access",
    "no_access",
)

#: Default weight of one person in each age band for each service (the same defaults as
#: :func:`voorzieningen.demand.service_weights`, except GP, where every age counts 1):
#: school = share of the band of primary-school age; community hall = visitor weight by age.
_SCHOOL_FRACTIONS = {"0-4": 0.2, "5-9": 1.0, "10-14": 0.4}

_BAND = re.compile(r"^\s*(\d+)\s*(?:-\s*\d+|\+)\s*$")

#: Party that pays when ``funding`` does not name a service.
DEFAULT_PARTY = "corporation"


def last_period_zones(r: PlanTables) -> pd.DataFrame:
    """Return ``r.zones`` in the run's last period, indexed by (zone, service)."""
    z = r.zones.copy()
    z[T.ZONE] = z[T.ZONE].astype(str)
    year = last_period(r)
    z = z[pd.to_numeric(z[T.PERIOD]) == year]
    return z.set_index([T.ZONE, T.SERVICE])


# --------------------------------------------------------------------------------------
# Winners and losers


def _band_start(band: str) -> int:
    match = _BAND.match(str(band))
    if match is None:
        msg = (
            f"(population, age_band) | cannot read age band {band!r}; use labels like "
            "'0-4', '65-69' or '95+'."
        )
        raise InputDataError(msg)
    return int(match.group(1))


def default_service_weights(bands: list[str]) -> pd.DataFrame:
    """
    Return default weights of one person in each age band for each service.

    ``school``: the share of the band of primary-school age (0-4: 0.2, 5-9: 1, 10-14: 0.4,
    else 0); ``gp``: 1 for every band; ``community_hall``: 0.25 under 65, 1 for 65-74 and
    1.25 from 75. These follow the demand defaults; pass
    :func:`voorzieningen.demand.service_weights` to :func:`winners_losers` to use the
    scenario's own weights (GP weighted by contacts per year).

    Parameters
    ----------
    bands
        Age-band labels (``"0-4"``, ``"65-69"``, ``"95+"``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``age_band``; columns school, gp, community_hall (users per person).

    Raises
    ------
    InputDataError
        If a band label cannot be read.
    """
    starts = [_band_start(b) for b in bands]
    hall = [0.25 if s < 65 else (1.0 if s < 75 else 1.25) for s in starts]
    return pd.DataFrame(
        {
            "school": [_SCHOOL_FRACTIONS.get(str(b).replace(" ", ""), 0.0) for b in bands],
            "gp": 1.0,
            "community_hall": hall,
        },
        index=pd.Index([str(b) for b in bands], name=T.AGE_BAND),
    )


def _zone_service_changes(results: PlanTables) -> pd.DataFrame:
    z = results.zones.copy()
    z[T.ZONE] = z[T.ZONE].astype(str)
    z[T.PERIOD] = pd.to_numeric(z[T.PERIOD]).astype(int)
    for col in (T.DEMAND_PERSONS, T.UNMET_PERSONS, T.TRAVEL_TIME_BEFORE_MIN):
        z[col] = pd.to_numeric(z[col]).astype(float)
    z[T.TRAVEL_TIME_AFTER_MIN] = pd.to_numeric(z[T.TRAVEL_TIME_AFTER_MIN]).astype(float)
    z[T.CHANGE_MIN] = z[T.TRAVEL_TIME_AFTER_MIN] - z[T.TRAVEL_TIME_BEFORE_MIN]
    return z


def winners_losers(
    results: PlanTables,
    population: pd.DataFrame | None = None,
    *,
    weights: pd.DataFrame | None = None,
    tolerance_min: float = TOLERANCE_MIN,
) -> pd.DataFrame:
    """
    Return the change in travel time per zone (and age group) and period, winners first.

    The change is ``travel_time_after_min - travel_time_before_min`` in each period: the
    mean travel time of the people the plan serves minus the time to the nearest facility
    that exists today (negative: the zone gains).

    Without ``population``: one row per (zone, service, period) with columns zone,
    service, period, demand_persons, unmet_persons, travel_time_before_min,
    travel_time_after_min, change_min and ``outcome``, one of :data:`OUTCOMES`:

    - ``"lost_access"``: the worst loser; the zone had a facility today and no one there
      is served in this period (all its demand unmet);
    - ``"loser"``: the change exceeds ``+tolerance_min``, or some demand is unmet (at
      least half a person, :data:`UNMET_TOLERANCE_PERSONS`);
    - ``"winner"``: the change is below ``-tolerance_min`` and nothing is unmet;
    - ``"unchanged"``: within ``tolerance_min`` either way and nothing unmet;
    - ``"gained_access"``: no facility today, served after the plan, nothing unmet;
    - ``"no_access"``: no facility today and no one served after the plan;
    - ``"no_demand"``: less than half a person of demand.

    With ``population`` (persons by zone, period and age band): one row per (zone,
    age_band, period) with columns zone, age_band, period, population_persons, change_min
    (the services' changes averaged with the band's weight for each service, so children
    count the school, the elderly the community hall and everyone the GP),
    person_min_change (population_persons × change_min, person-minutes) and outcome (from
    the services the band uses: ``"lost_access"`` if it loses access to one of them,
    else ``"loser"`` if one has unmet demand, else by the averaged change).

    Rows are sorted by period, then outcome (best first, as in :data:`OUTCOMES`), then
    change_min (most improved first).

    Parameters
    ----------
    results
        The run's results.
    population
        Optional, indexed by or with columns (zone, period, age_band) and a column
        ``population_persons``; every period of the run must be present.
    weights
        Users per person by age band (index ``age_band``, one column per service), e.g.
        :func:`voorzieningen.demand.service_weights`; :func:`default_service_weights` if
        ``None``.
    tolerance_min
        Largest change, minutes, that still counts as unchanged (default 0.5 min, the
        scenario's ``report.unchanged_tolerance_min``).

    Returns
    -------
    pandas.DataFrame
        As described above, with a ``RangeIndex``.

    Raises
    ------
    InputDataError
        If ``population`` lacks a column, a period of the run or an age band in
        ``weights``, or ``tolerance_min`` is negative.
    """
    if not tolerance_min >= 0:
        msg = (
            f"(report.unchanged_tolerance_min) | {tolerance_min!r} is not a number of minutes "
            ">= 0; use e.g. 0.5."
        )
        raise InputDataError(msg)
    changes = _zone_service_changes(results)
    changes[T.OUTCOME] = _outcome(changes, tolerance_min)
    if population is None:
        out = changes[
            [
                T.ZONE,
                T.SERVICE,
                T.PERIOD,
                T.DEMAND_PERSONS,
                T.UNMET_PERSONS,
                T.TRAVEL_TIME_BEFORE_MIN,
                T.TRAVEL_TIME_AFTER_MIN,
                T.CHANGE_MIN,
                T.OUTCOME,
            ]
        ].copy()
        return _sorted(out, [T.ZONE, T.SERVICE])

    pop = population.reset_index() if population.index.names[0] is not None else population
    needed = [T.ZONE, T.PERIOD, T.AGE_BAND, T.POPULATION_PERSONS]
    absent = [c for c in needed if c not in pop.columns]
    if absent:
        msg = (
            f"(population) | missing column(s) {absent}; pass persons by (zone, period, "
            "age_band) with a population_persons column (as demand.project_population returns)."
        )
        raise InputDataError(msg)
    pop = pop.copy()
    pop[T.PERIOD] = pd.to_numeric(pop[T.PERIOD]).astype(int)
    periods = sorted(set(changes[T.PERIOD]))
    missing = [p for p in periods if p not in set(pop[T.PERIOD])]
    if missing:
        msg = (
            f"(population) | no rows for period(s) {T.format_rows(missing)} of the run "
            f"({T.format_rows(periods)}); project the population to every period of the run."
        )
        raise InputDataError(msg)
    pop = pop[pop[T.PERIOD].isin(periods)]
    pop[T.ZONE] = pop[T.ZONE].astype(str)
    pop[T.AGE_BAND] = pop[T.AGE_BAND].astype(str)
    bands = list(dict.fromkeys(pop[T.AGE_BAND]))
    w = default_service_weights(bands) if weights is None else weights.copy()
    w.index = pd.Index([str(b) for b in w.index], name=T.AGE_BAND)
    lacking = [b for b in bands if b not in w.index]
    if lacking:
        msg = (
            f"(weights) | no weights for age band(s) {T.format_rows(lacking)}; give one row "
            "per age band of the population."
        )
        raise InputDataError(msg)
    by_key = changes.set_index([T.ZONE, T.PERIOD, T.SERVICE])
    services = [s for s in dict.fromkeys(changes[T.SERVICE]) if s in w.columns]
    rows = []
    for zone, period, band, persons in zip(
        pop[T.ZONE], pop[T.PERIOD], pop[T.AGE_BAND], pop[T.POPULATION_PERSONS], strict=True
    ):
        num = 0.0
        den = 0.0
        outcomes: list[str] = []
        for service in services:
            weight = plotting.cell_float(w.at[band, service])
            key = (zone, int(period), service)
            if weight <= 0 or key not in by_key.index:
                continue
            outcomes.append(str(by_key.at[key, T.OUTCOME]))
            value = plotting.cell_float(by_key.at[key, T.CHANGE_MIN])
            if math.isfinite(value):
                num += weight * value
                den += weight
        change = num / den if den > 0 else float("nan")
        rows.append(
            {
                T.ZONE: zone,
                T.AGE_BAND: band,
                T.PERIOD: int(period),
                T.POPULATION_PERSONS: float(persons),
                T.CHANGE_MIN: change,
                T.PERSON_MIN_CHANGE: float(persons) * change,
                T.OUTCOME: _band_outcome(outcomes, change, tolerance_min),
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            T.ZONE,
            T.AGE_BAND,
            T.PERIOD,
            T.POPULATION_PERSONS,
            T.CHANGE_MIN,
            T.PERSON_MIN_CHANGE,
            T.OUTCOME,
        ],
    )
    return _sorted(out, [T.ZONE, T.AGE_BAND])


def _sorted(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    rank = table[T.OUTCOME].map({o: k for k, o in enumerate(OUTCOMES)})
    return (
        table.assign(_rank=rank)
        .sort_values([T.PERIOD, "_rank", T.CHANGE_MIN, *keys], na_position="last", kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


def _outcome(z: pd.DataFrame, tol: float) -> pd.Series:
    demand = z[T.DEMAND_PERSONS].fillna(0.0) >= UNMET_TOLERANCE_PERSONS
    unmet = z[T.UNMET_PERSONS].fillna(0.0) >= UNMET_TOLERANCE_PERSONS
    before = z[T.TRAVEL_TIME_BEFORE_MIN].notna()
    after = z[T.TRAVEL_TIME_AFTER_MIN].notna()
    change = z[T.CHANGE_MIN]
    values = np.select(
        [
            ~demand,
            before & ~after,
            ~before & ~after,
            ~before & after & ~unmet,
            unmet | (change > tol),
            change < -tol,
        ],
        ["no_demand", "lost_access", "no_access", "gained_access", "loser", "winner"],
        default="unchanged",
    )
    return pd.Series(values, index=z.index, dtype=object)


def _band_outcome(outcomes: list[str], change: float, tol: float) -> str:
    """Combine the outcomes of the services an age band uses (the worst decides)."""
    relevant = [o for o in outcomes if o != "no_demand"]
    worst = [o for o in ("lost_access", "loser") if o in relevant]
    if not relevant or all(o == "no_access" for o in relevant):
        result = "no_demand" if not relevant else "no_access"
    elif worst:
        result = worst[0]
    elif math.isfinite(change) and change > tol:
        result = "loser"
    elif math.isfinite(change) and change < -tol:
        result = "winner"
    else:
        result = "gained_access" if "gained_access" in relevant else "unchanged"
    return result


# --------------------------------------------------------------------------------------
# Cost per year and funding party


def _period_lengths(results: PlanTables) -> dict[int, int]:
    periods = sorted({int(p) for p in pd.to_numeric(results.costs[T.PERIOD]).dropna()})
    periods = periods or sorted({int(p) for p in pd.to_numeric(results.zones[T.PERIOD])})
    steps = [b - a for a, b in itertools.pairwise(periods)]
    lengths = [*steps, steps[-1] if steps else 5]
    return dict(zip(periods, lengths, strict=True))


def cost_per_year(
    results: PlanTables,
    funding: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """
    Split the plan's capex per calendar year and per funding party.

    Each project's capex (``results.decisions``) is spread evenly over the years of its
    period (period ``2030`` of a 5-year plan step: 2030-2034; the last period is as long
    as the one before it, as in the model). A project that hosts several services after
    it is done (``services_after`` such as ``gp+community_hall``) is split evenly over
    them, and each service's share goes to the party that ``funding`` names for it.

    Parameters
    ----------
    results
        The run's results.
    funding
        Party per service, e.g. ``{"school": "gemeente"}``; services not named are paid
        by ``"corporation"`` (:data:`DEFAULT_PARTY`).

    Returns
    -------
    pandas.DataFrame
        Columns year, period, party, capex_eur (EUR in that year), one row per year and
        party with capex, sorted by year and party. Per year and party in columns:
        ``table.pivot_table(index="year", columns="party", values="capex_eur",
        aggfunc="sum", fill_value=0)``.

    Raises
    ------
    InputDataError
        If ``funding`` names a service the run does not have, or a project's period is not
        a period of the run.
    """
    funding = dict(funding or {})
    known = set(results.zones[T.SERVICE].astype(str))
    unknown = sorted(s for s in funding if s not in known)
    if unknown:
        msg = (
            f"(funding) | unknown service(s) {unknown}; the run has {sorted(known)}. "
            "Name parties per service, e.g. {'school': 'gemeente'}."
        )
        raise InputDataError(msg)
    lengths = _period_lengths(results)
    d = results.decisions
    capex = pd.to_numeric(d[T.CAPEX_EUR]).fillna(0.0)
    projects = d[capex > 0]
    odd = sorted(
        {int(p) for p in pd.to_numeric(projects[T.PERIOD]).dropna() if int(p) not in lengths}
    )
    if odd or pd.to_numeric(projects[T.PERIOD]).isna().any():
        msg = (
            f"(decisions) | capex in period(s) {odd or 'missing'} that are not periods of the "
            f"run ({sorted(lengths)}); the results are inconsistent, rerun the scenario."
        )
        raise InputDataError(msg)
    rows = []
    for period, after, amount, service in zip(
        pd.to_numeric(projects[T.PERIOD]).astype(int),
        projects[T.SERVICES_AFTER].fillna("").astype(str),
        capex[capex > 0],
        projects.get(T.SERVICE, pd.Series("", index=projects.index)).fillna("").astype(str),
        strict=True,
    ):
        services = [s for s in after.split("+") if s] or [service]
        years = lengths[int(period)]
        for s in services:
            party = funding.get(s, DEFAULT_PARTY)
            for k in range(years):
                rows.append(
                    {
                        T.YEAR: int(period) + k,
                        T.PERIOD: int(period),
                        T.PARTY: party,
                        T.CAPEX_EUR: float(amount) / len(services) / years,
                    }
                )
    table = pd.DataFrame(rows, columns=[T.YEAR, T.PERIOD, T.PARTY, T.CAPEX_EUR])
    if table.empty:
        return table.astype({T.YEAR: int, T.PERIOD: int, T.PARTY: object, T.CAPEX_EUR: float})
    out = table.groupby([T.YEAR, T.PERIOD, T.PARTY])[T.CAPEX_EUR].sum().reset_index()
    return out.sort_values([T.YEAR, T.PARTY]).reset_index(drop=True)
