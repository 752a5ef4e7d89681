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

#: Travel-time differences smaller than this are treated as no change, minutes.
TOLERANCE_MIN = 0.01

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
    z = last_period_zones(results).reset_index()
    z[T.CHANGE_MIN] = z[T.TRAVEL_TIME_AFTER_MIN] - z[T.TRAVEL_TIME_BEFORE_MIN]
    return z


def winners_losers(
    results: PlanTables,
    population: pd.DataFrame | None = None,
    *,
    weights: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """
    Return the change in travel time per zone (and age group), winners first.

    The change is ``travel_time_after_min - travel_time_before_min`` in the run's last
    period: the mean travel time of the people the plan serves minus the time to the
    nearest facility that exists today (negative: the zone gains).

    Without ``population``: one row per (zone, service) with columns zone, service,
    period, demand_persons, unmet_persons, travel_time_before_min, travel_time_after_min,
    change_min and ``outcome``: ``"winner"`` (change below −0.01 min and nothing unmet),
    ``"loser"`` (change above +0.01 min, or unmet demand), ``"unchanged"`` or
    ``"unknown"`` (a travel time is missing).

    With ``population`` (persons by zone, period and age band): one row per (zone,
    age_band) with columns zone, age_band, period, population_persons, change_min (the
    services' changes averaged with the band's weight for each service, so children
    count the school, the elderly the community hall and everyone the GP),
    person_min_change (population_persons × change_min, person-minutes) and outcome
    (``"loser"`` also when a service the band uses has unmet demand in the zone).

    Rows are sorted by change_min (most improved first; unknown last).

    Parameters
    ----------
    results
        The run's results.
    population
        Optional, indexed by or with columns (zone, period, age_band) and a column
        ``population_persons``; the run's last period must be present.
    weights
        Users per person by age band (index ``age_band``, one column per service), e.g.
        :func:`voorzieningen.demand.service_weights`; :func:`default_service_weights` if
        ``None``.

    Returns
    -------
    pandas.DataFrame
        As described above, with a ``RangeIndex``.

    Raises
    ------
    InputDataError
        If ``population`` lacks a column, the last period or an age band in ``weights``.
    """
    changes = _zone_service_changes(results)
    tol = TOLERANCE_MIN
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
            ]
        ].copy()
        out[T.OUTCOME] = _outcome(out[T.CHANGE_MIN], out[T.UNMET_PERSONS].fillna(0.0), tol)
        return out.sort_values(
            [T.CHANGE_MIN, T.ZONE, T.SERVICE], na_position="last", kind="stable"
        ).reset_index(drop=True)

    pop = population.reset_index() if population.index.names[0] is not None else population
    needed = [T.ZONE, T.PERIOD, T.AGE_BAND, T.POPULATION_PERSONS]
    absent = [c for c in needed if c not in pop.columns]
    if absent:
        msg = (
            f"(population) | missing column(s) {absent}; pass persons by (zone, period, "
            "age_band) with a population_persons column (as demand.project_population returns)."
        )
        raise InputDataError(msg)
    year = last_period(results)
    pop = pop[pd.to_numeric(pop[T.PERIOD]) == year].copy()
    if pop.empty:
        msg = (
            f"(population) | no rows for period {year}, the run's last period; project the "
            "population to the run's periods."
        )
        raise InputDataError(msg)
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
    delta = changes.pivot_table(index=T.ZONE, columns=T.SERVICE, values=T.CHANGE_MIN, dropna=False)
    unmet = changes.pivot_table(
        index=T.ZONE, columns=T.SERVICE, values=T.UNMET_PERSONS, aggfunc="sum", fill_value=0.0
    )
    services = [s for s in delta.columns if s in w.columns]
    rows = []
    for zone, band, persons in zip(
        pop[T.ZONE], pop[T.AGE_BAND], pop[T.POPULATION_PERSONS], strict=True
    ):
        num = 0.0
        den = 0.0
        short = 0.0
        if zone in delta.index:
            for service in services:
                value = plotting.cell_float(delta.at[zone, service])
                weight = plotting.cell_float(w.at[band, service])
                if weight > 0 and service in unmet.columns:
                    short += plotting.cell_float(unmet.at[zone, service])
                if math.isfinite(value) and weight > 0:
                    num += weight * value
                    den += weight
        change = num / den if den > 0 else float("nan")
        rows.append(
            {
                T.ZONE: zone,
                T.AGE_BAND: band,
                T.PERIOD: year,
                T.POPULATION_PERSONS: float(persons),
                T.CHANGE_MIN: change,
                T.PERSON_MIN_CHANGE: float(persons) * change,
                T.UNMET_PERSONS: short,
            }
        )
    out = pd.DataFrame(rows)
    out[T.OUTCOME] = _outcome(out[T.CHANGE_MIN], out[T.UNMET_PERSONS], tol)
    out = out.drop(columns=T.UNMET_PERSONS)
    return out.sort_values([T.CHANGE_MIN, T.ZONE], na_position="last", kind="stable").reset_index(
        drop=True
    )


def _outcome(change: pd.Series, unmet: pd.Series, tol: float) -> pd.Series:
    values = np.select(
        [change.isna(), (change > tol) | (unmet > 1e-6), change < -tol],
        ["unknown", "loser", "winner"],
        default="unchanged",
    )
    return pd.Series(values, index=change.index, dtype=object)


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
