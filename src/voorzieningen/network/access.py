"""Accessibility measures of a plan, computed on the long travel-time table.

All functions take the sparse table of :func:`~voorzieningen.network.travel_times`
(columns ``zone``, ``site``, ``travel_time_min``; pairs beyond the cutoff are absent and
count as unreachable) plus demand per zone and/or capacity per site as pandas Series. To
evaluate a plan, pass only the sites it keeps open (``capacity`` indexed by the open sites,
or ``sites=``). Everything is vectorised pandas/numpy.

Notation: demand :math:`D_i` of zone *i*, capacity :math:`S_j` of site *j*, travel time
:math:`t_{ij}` in minutes, decay :math:`f(t)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from voorzieningen.errors import InputDataError

FloatArray = npt.NDArray[np.float64]
Decay = Callable[[FloatArray], FloatArray]

#: E2SFCA weights by travel-time band (upper bound in min, weight), after Luo & Qi (2009):
#: Gaussian weights 1.00, 0.68 and 0.22 for the three thirds of a 30-minute catchment.
E2SFCA_BANDS_30MIN: tuple[tuple[float, float], ...] = ((10.0, 1.0), (20.0, 0.68), (30.0, 0.22))


def _check_table(table: pd.DataFrame) -> pd.DataFrame:
    missing = {"zone", "site", "travel_time_min"} - set(table.columns)
    if missing:
        msg = (
            f"(travel-time table) | columns {sorted(missing)} missing; pass TravelTimes.table "
            "with columns zone, site, travel_time_min"
        )
        raise InputDataError(msg)
    if table["travel_time_min"].isna().any() or (table["travel_time_min"] < 0).any():
        msg = "(travel-time table) | travel_time_min has NaN or negative values; recompute it"
        raise InputDataError(msg)
    return table.astype({"zone": str, "site": str})


def _restrict(table: pd.DataFrame, sites: Iterable[str] | None) -> pd.DataFrame:
    if sites is None:
        return table
    keep = {str(s) for s in sites}
    return table[table["site"].isin(keep)]


def nearest_facility(
    table: pd.DataFrame,
    *,
    zones: Iterable[str] | None = None,
    sites: Iterable[str] | None = None,
) -> pd.DataFrame:
    """
    Return, per zone, the nearest site (by travel time) and its travel time.

    Parameters
    ----------
    table
        Travel-time table (``zone``, ``site``, ``travel_time_min``, optional ``distance_km``).
    zones
        Zones to report (e.g. all zones of the region). Zones without any site in the table
        get NaN and ``reachable`` False, never an infinite time. Default: zones in the table.
    sites
        Open sites of the plan; default all sites in the table.

    Returns
    -------
    pd.DataFrame
        Indexed by ``zone``: ``site`` (nearest open site or NaN), ``travel_time_min`` (min),
        ``distance_km`` (km, NaN if the table has no distances) and ``reachable`` (bool).
    """
    tab = _restrict(_check_table(table), sites)
    if "distance_km" not in tab.columns:
        tab = tab.assign(distance_km=np.nan)
    best = tab.sort_values(["travel_time_min", "site"]).drop_duplicates("zone")
    out = best.set_index("zone")[["site", "travel_time_min", "distance_km"]]
    if zones is not None:
        out = out.reindex(pd.Index([str(z) for z in zones], name="zone"))
    out.index.name = "zone"
    out["reachable"] = out["travel_time_min"].notna()
    return out


def share_within(
    table: pd.DataFrame,
    demand: pd.Series,
    *,
    norm_min: float,
    sites: Iterable[str] | None = None,
) -> float:
    r"""
    Return the share of demand whose nearest open site lies within a travel-time norm.

    Parameters
    ----------
    table
        Travel-time table.
    demand
        Demand (persons) indexed by zone. Zones absent from the table count as not served.
    norm_min
        The norm in minutes (e.g. 30 for the huisartsenpost norm).
    sites
        Open sites of the plan; default all sites in the table.

    Returns
    -------
    float
        :math:`\sum_i D_i [\min_j t_{ij} \le norm] / \sum_i D_i`, between 0 and 1 (NaN when
        total demand is 0).
    """
    nearest = nearest_facility(table, zones=demand.index.astype(str), sites=sites)
    within = (nearest["travel_time_min"] <= norm_min).to_numpy()
    weights = demand.to_numpy(float)
    total = weights.sum()
    return float(weights[within].sum() / total) if total > 0 else float("nan")


def step_bands(bands: Sequence[tuple[float, float]]) -> Decay:
    """
    Return a stepwise decay function from travel-time bands.

    Parameters
    ----------
    bands
        ``(upper_min, weight)`` pairs in increasing order of ``upper_min`` (minutes); times
        beyond the last band get weight 0.

    Returns
    -------
    Callable
        Maps an array of travel times (min) to weights.
    """
    uppers = np.array([b[0] for b in bands], dtype=float)
    weights = np.array([b[1] for b in bands] + [0.0], dtype=float)

    def decay(t: FloatArray) -> FloatArray:
        out: FloatArray = weights[np.searchsorted(uppers, t, side="left")]
        return out

    return decay


def _weights(tab: pd.DataFrame, catchment_min: float, decay: Decay | None) -> FloatArray:
    t = tab["travel_time_min"].to_numpy(float)
    w = np.ones_like(t) if decay is None else np.asarray(decay(t), dtype=float)
    result: FloatArray = np.where(t <= catchment_min, w, 0.0)
    return result


def two_step_fca(
    table: pd.DataFrame,
    demand: pd.Series,
    capacity: pd.Series,
    *,
    catchment_min: float,
    decay: Decay | None = None,
) -> pd.Series:
    r"""
    Return 2SFCA (or, with a decay, E2SFCA) accessibility per zone.

    Step 1, per site: :math:`R_j = S_j / \sum_{k: t_{kj} \le t_0} D_k f(t_{kj})`.
    Step 2, per zone: :math:`A_i = \sum_{j: t_{ij} \le t_0} R_j f(t_{ij})`.
    Without ``decay``, :math:`f = 1` (classic 2SFCA, Luo & Wang 2003); with
    ``decay=step_bands(E2SFCA_BANDS_30MIN)`` this is E2SFCA (Luo & Qi 2009).

    Parameters
    ----------
    table
        Travel-time table (direction zone -> site).
    demand
        Demand (persons) indexed by zone.
    capacity
        Capacity (places, patients, m²...) indexed by the open sites of the plan; sites not
        in ``capacity`` are closed.
    catchment_min
        Catchment :math:`t_0` in minutes.
    decay
        Weight function of travel time (minutes), e.g. :func:`step_bands`.

    Returns
    -------
    pd.Series
        Named ``access_per_person``, indexed by every zone of ``demand``: capacity per
        person (capacity unit / person); 0 for zones with no open site in the catchment.
    """
    tab = _restrict(_check_table(table), capacity.index.astype(str))
    cap = pd.Series(capacity.to_numpy(float), index=capacity.index.astype(str))
    dem = pd.Series(demand.to_numpy(float), index=demand.index.astype(str))
    w = _weights(tab, catchment_min, decay)
    d_k = tab["zone"].map(dem).fillna(0.0).to_numpy(float)
    pressure = pd.Series(d_k * w).groupby(tab["site"].to_numpy()).sum()
    ratio = cap.reindex(pressure.index) / pressure.replace(0.0, np.nan)
    r_j = tab["site"].map(ratio).fillna(0.0).to_numpy(float)
    access = pd.Series(r_j * w).groupby(tab["zone"].to_numpy()).sum()
    out = access.reindex(dem.index, fill_value=0.0).rename("access_per_person")
    out.index.name = "zone"
    return out


def gravity_access(
    table: pd.DataFrame,
    capacity: pd.Series,
    *,
    beta: float,
    decay: Literal["exponential", "power"] = "exponential",
    demand: pd.Series | None = None,
    zones: Iterable[str] | None = None,
) -> pd.Series:
    r"""
    Return gravity-type (Hansen) accessibility per zone, optionally with competition.

    Without demand: :math:`A_i = \sum_j S_j f(t_{ij})`. With demand (Joseph & Bantock 1982,
    Shen 1998): :math:`A_i = \sum_j S_j f(t_{ij}) / V_j`, :math:`V_j = \sum_k D_k f(t_{kj})`.
    Decay :math:`f(t) = e^{-\beta t}` (exponential) or :math:`f(t) = \max(t, 1)^{-\beta}`
    (power; times below 1 min count as 1 min so that :math:`f` stays finite).

    Parameters
    ----------
    table
        Travel-time table; pairs beyond its cutoff contribute nothing.
    capacity
        Capacity indexed by the open sites of the plan.
    beta
        Decay parameter (per minute for exponential; exponent for power).
    decay
        ``"exponential"`` or ``"power"``.
    demand
        Demand (persons) by zone, for the competition-adjusted version.
    zones
        Zones to report; default the zones of ``demand``, else of the table.

    Returns
    -------
    pd.Series
        Named ``gravity_access``, indexed by ``zone``; 0 for zones with no site in the table.

    Raises
    ------
    InputDataError
        If ``beta`` is negative or ``decay`` unknown.
    """
    if beta < 0 or decay not in ("exponential", "power"):
        msg = f"gravity_access needs beta >= 0 and decay 'exponential' or 'power'; got {beta}, {decay!r}"
        raise InputDataError(msg)
    tab = _restrict(_check_table(table), capacity.index.astype(str))
    cap = pd.Series(capacity.to_numpy(float), index=capacity.index.astype(str))
    t = tab["travel_time_min"].to_numpy(float)
    f = np.exp(-beta * t) if decay == "exponential" else np.maximum(t, 1.0) ** (-beta)
    s_j = tab["site"].map(cap).fillna(0.0).to_numpy(float)
    if demand is not None:
        dem = pd.Series(demand.to_numpy(float), index=demand.index.astype(str))
        d_k = tab["zone"].map(dem).fillna(0.0).to_numpy(float)
        v = pd.Series(d_k * f).groupby(tab["site"].to_numpy()).sum()
        s_j = s_j / tab["site"].map(v.replace(0.0, np.nan)).to_numpy(float)
        s_j = np.nan_to_num(s_j, nan=0.0)
    access = pd.Series(s_j * f).groupby(tab["zone"].to_numpy()).sum()
    if zones is not None:
        index = pd.Index([str(z) for z in zones])
    elif demand is not None:
        index = pd.Index(demand.index.astype(str))
    else:
        index = pd.Index(sorted(access.index))
    out = access.reindex(index, fill_value=0.0).rename("gravity_access")
    out.index.name = "zone"
    return out
