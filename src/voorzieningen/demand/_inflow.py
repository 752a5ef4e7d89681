"""Known net inflows after the base year (exogenous scenario input); arrays only, no I/O.

A known inflow is a net addition to the population that no trend of the calibration years
shows, such as the refugees from Ukraine registered in 2022-2023. It is a scenario setting
(``DemandSettings.known_inflow_per_1000``), never calibrated on the projected years.

Formulation (``n_y`` net persons per 1000 inhabitants added during calendar year ``y``,
``N_z`` the zone's persons on 1-1-``base_year``, ``pi_z`` its age-sex profile of arrivals):

* the inflow of year ``y >= base_year`` is a stock ``S_z = n_y / 1000 N_z pi_z`` on 1 January
  of ``y + 1`` (distributed over zones in proportion to their inhabitants);
* the stock is projected with the zone's mortality and fertility, without arrivals and
  without departures (the published net figures of the later years already hold those who
  leave again: a return is a negative ``n_y``), and added to the projection of every period
  from ``y + 1`` on; a cell cannot fall below zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from voorzieningen.demand._cohort import CohortRates, FloatArray, project_arrays

#: Net inflow of refugees from Ukraine per 1000 inhabitants of the Netherlands, by calendar
#: year. Source: CBS, "Bevolking gegroeid naar 17,9 miljoen inwoners" (news release on the
#: first three quarters of 2023): 105.5 thousand refugees from Ukraine lived in the
#: Netherlands on 1-10-2023 and 12.2 thousand of them settled on balance in January-September
#: 2023, so 93.3 thousand on balance in 2022 (CBS 2023/31: "nearly 90 thousand Ukrainians
#: were registered with a Dutch municipality in 2022"); 2023 = 12.2 x 12 / 9 = 16.3 thousand
#: (assumption: the fourth quarter like the first three). Per 1000 of the population on
#: 1 January (CBS 37259: 17,590,672 in 2022, 17,811,291 in 2023): 5.30 and 0.92. Spreading
#: in proportion to inhabitants is an assumption (gemeenten housed them; the cabinet asked
#: each of the 25 veiligheidsregio's for the same 2,000 places first, March 2022).
UKRAINE_2022_2023_PER_1000: dict[int, float] = {2022: 5.30, 2023: 0.92}


def inflow_projection(
    base: FloatArray,
    rates: CohortRates,
    *,
    base_year: int,
    periods: list[int],
    width: int,
    per_1000: Mapping[int, float],
) -> dict[int, FloatArray]:
    """
    Persons added by known net inflows, by zone, sex and band, for every period.

    Parameters
    ----------
    base
        Persons by zone, sex and band on 1-1-``base_year``, shape (Z, 2, B).
    rates
        The zones' cohort rates; their ``arrival_profile`` shapes the inflow, their mortality
        and fertility project it (arrivals and departures are set to zero).
    base_year
        Year of ``base``; inflows of earlier years are already in it and are ignored.
    periods
        Planning years (1 January), each ``>= base_year``.
    width
        Band width and projection step, years.
    per_1000
        Net persons per 1000 inhabitants added during each calendar year.

    Returns
    -------
    dict of int to numpy.ndarray
        Added persons by zone, sex and band for every period, shape (Z, 2, B) (zeros before
        the first inflow has arrived).
    """
    out = {p: np.zeros_like(base) for p in periods}
    closed = replace(
        rates,
        arrivals_rate=np.zeros_like(rates.arrivals_rate),
        departure_intensity=np.zeros_like(rates.departure_intensity),
    )
    total = base.sum(axis=(1, 2))
    for year, rate in sorted(per_1000.items()):
        start = int(year) + 1
        later = [p for p in periods if p >= start]
        if int(year) < base_year or not later or rate == 0:
            continue
        stock = rate / 1000.0 * total[:, None, None] * rates.arrival_profile
        projected = project_arrays(stock, closed, base_year=start, periods=later, width=width)
        for period in later:
            out[period] = out[period] + projected[period]
    return out


def add_inflow(
    projected: dict[int, FloatArray], extra: dict[int, FloatArray]
) -> dict[int, FloatArray]:
    """Add known-inflow persons to a projection per period, no cell below zero."""
    return {p: np.maximum(values + extra[p], 0.0) for p, values in projected.items()}
