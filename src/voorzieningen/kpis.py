"""Key figures of a plan per service and period, each service in its own unit.

:func:`kpi_table` is ``kpis.csv``: per (service, period) the demand, how much of it is
served and unmet, the share served, the share served within the service's norm, and two
mean travel times, one of those served and one counting everyone (an unserved person counts
at the service's unmet penalty, ``model.unmet_penalty_min_for(service)``), so that a plan
never looks better by serving fewer people. :func:`service_summary` condenses it into the
per-service columns of ``summary.csv``. Demand of different services is never added: pupils,
GP patient equivalents and visitor equivalents are different units (``unit`` column,
:data:`voorzieningen.tables.SERVICE_UNIT`).

Definitions (``d`` demand, ``x`` persons assigned to a site at travel time ``tt``, ``u``
unmet, ``pi`` the unmet penalty, ``n`` the norm minutes ``norms.<service>.within_min``):

* ``served = sum x``; ``unmet = max(d - served, 0)``;
* ``share_served = served / d``;
* ``share_within_norm = sum(x where tt <= n) / d`` (the unserved count as not within);
* ``mean_time_served_min = sum(x * tt) / served`` (NaN when nobody is served);
* ``mean_time_all_min = (sum(x * tt) + pi * unmet) / d``.

Travel times ``tt`` are those of the model's (zone, site) pairs: the mean over the zone's
residents (demand points) of their time to the site when residents are modelled, else
centroid to site.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from voorzieningen import tables as T

#: Travel times this close above the norm still count as within it (float noise), minutes.
NORM_TOLERANCE_MIN = 1e-9

#: Unmet demand below this share of a period's demand is solver round-off and reported 0.
NOISE = 1e-9

#: Columns of :func:`kpi_table`, in order.
KPI_COLUMNS: tuple[str, ...] = (
    T.SERVICE,
    T.PERIOD,
    T.UNIT,
    T.DEMAND,
    T.SERVED,
    T.UNMET,
    T.SHARE_SERVED,
    T.SHARE_WITHIN_NORM,
    T.NORM_MIN,
    T.MEAN_TIME_SERVED_MIN,
    T.MEAN_TIME_ALL_MIN,
    T.UNMET_PENALTY_MIN,
)


def unit_of(service: str) -> str:
    """Return the unit of a service's demand (``pupils``, ``patients``, ...)."""
    return T.SERVICE_UNIT.get(service, "persons")


def served_col(service: str) -> str:
    """Return the summary column of a service's served demand (``served_pupils``)."""
    return T.SERVED_PREFIX + unit_of(service)


def unmet_col(service: str) -> str:
    """Return the summary column of a service's unmet demand (``unmet_pupils``)."""
    return T.UNMET_PREFIX + unit_of(service)


def mean_time_all_col(service: str) -> str:
    """Return the summary column of a service's mean time counting everyone, minutes."""
    return T.MEAN_TIME_ALL_PREFIX + service


def mean_time_served_col(service: str) -> str:
    """Return the summary column of a service's mean time of those served, minutes."""
    return T.MEAN_TIME_SERVED_PREFIX + service


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    out = num / den.where(den > 0)
    return out.astype(float)


def kpi_table(
    zones: pd.DataFrame,
    assignments: pd.DataFrame,
    *,
    norm_min: Mapping[str, float],
    penalty_min: Mapping[str, float],
) -> pd.DataFrame:
    """
    Return the key figures per service and period (``kpis.csv``).

    Parameters
    ----------
    zones
        Per (zone, service, period): ``demand_persons`` and ``unmet_persons`` (in the
        service's unit), as in ``Results.zones``.
    assignments
        Per (zone, site, service, period): ``persons`` served and their
        ``travel_time_min``.
    norm_min
        The norm's minutes per service (``norms.<service>.within_min``).
    penalty_min
        Minutes at which an unserved person counts, per service.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`KPI_COLUMNS` (see the module docstring): counts in the service's
        unit, shares as fractions (0-1, NaN without demand), times in minutes.
    """
    keys = [T.SERVICE, T.PERIOD]
    demand = zones.groupby(keys)[[T.DEMAND_PERSONS, T.UNMET_PERSONS]].sum()
    a = assignments
    tt = a[T.TRAVEL_TIME_MIN].to_numpy(dtype=float)
    norm = a[T.SERVICE].map(lambda s: float(norm_min[str(s)])).to_numpy(dtype=float)
    persons = a[T.PERSONS].to_numpy(dtype=float)
    flows = pd.DataFrame(
        {
            T.SERVICE: a[T.SERVICE].to_numpy(),
            T.PERIOD: a[T.PERIOD].to_numpy(),
            T.SERVED: persons,
            "within": np.where(tt <= norm + NORM_TOLERANCE_MIN, persons, 0.0),
            "person_min": persons * tt,
        }
    )
    agg = flows.groupby(keys)[[T.SERVED, "within", "person_min"]].sum()
    table = demand.join(agg, how="left").fillna({T.SERVED: 0.0, "within": 0.0, "person_min": 0.0})
    table = table.reset_index()
    services = table[T.SERVICE].astype(str)
    penalty = services.map(lambda s: float(penalty_min[s])).astype(float)
    d = table[T.DEMAND_PERSONS].astype(float)
    unmet = table[T.UNMET_PERSONS].astype(float)
    unmet = unmet.where(unmet > NOISE * d.clip(lower=1.0), 0.0)  # solver round-off
    out = pd.DataFrame(
        {
            T.SERVICE: services,
            T.PERIOD: table[T.PERIOD].astype(int),
            T.UNIT: services.map(unit_of),
            T.DEMAND: d,
            T.SERVED: table[T.SERVED].astype(float),
            T.UNMET: unmet,
            T.SHARE_SERVED: _ratio(table[T.SERVED], d).clip(upper=1.0),
            T.SHARE_WITHIN_NORM: _ratio(table["within"], d).clip(upper=1.0),
            T.NORM_MIN: services.map(lambda s: float(norm_min[s])).astype(float),
            T.MEAN_TIME_SERVED_MIN: _ratio(table["person_min"], table[T.SERVED]),
            T.MEAN_TIME_ALL_MIN: _ratio(table["person_min"] + penalty * unmet, d),
            T.UNMET_PENALTY_MIN: penalty,
        }
    )
    return out[list(KPI_COLUMNS)].sort_values(keys).reset_index(drop=True)


def service_summary(kpis: pd.DataFrame, period_weight: Mapping[int, float]) -> dict[str, float]:
    """
    Return the per-service columns of ``summary.csv``: horizon averages of :func:`kpi_table`.

    Parameters
    ----------
    kpis
        The table of :func:`kpi_table`.
    period_weight
        Share of the horizon of each period (summing to 1), as in the objective.

    Returns
    -------
    dict
        Per service: ``served_<unit>`` and ``unmet_<unit>`` (per period, averaged over the
        horizon with ``period_weight``), ``mean_time_served_min_<service>`` and
        ``mean_time_all_min_<service>`` (minutes; the ratio of the weighted sums, i.e. per
        person-period over the horizon).
    """
    out: dict[str, float] = {}
    for service, rows in kpis.groupby(T.SERVICE, sort=False):
        s = str(service)
        w = rows[T.PERIOD].map(lambda t: float(period_weight[int(t)])).to_numpy(dtype=float)
        served = float((rows[T.SERVED] * w).sum())
        demand = float((rows[T.DEMAND] * w).sum())
        served_min = float((rows[T.MEAN_TIME_SERVED_MIN].fillna(0.0) * rows[T.SERVED] * w).sum())
        all_min = float((rows[T.MEAN_TIME_ALL_MIN].fillna(0.0) * rows[T.DEMAND] * w).sum())
        out[served_col(s)] = served
        out[unmet_col(s)] = float((rows[T.UNMET] * w).sum())
        out[mean_time_served_col(s)] = served_min / served if served > 0 else float("nan")
        out[mean_time_all_col(s)] = all_min / demand if demand > 0 else float("nan")
    return out
