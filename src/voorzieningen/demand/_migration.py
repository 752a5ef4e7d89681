"""Net migration by age from two age structures (residual method); arrays only, no I/O.

Formulation (``P`` persons by gemeente and band, ``w`` band width in years, ``B`` bands, the
last open; one pass per calendar year ``y`` of the ``n`` years between the two structures):

* deaths of the year ``D_y`` (observed, CBS 37259) are shared over the bands in proportion
  to ``P_x m_x`` (``m_x`` standard death rates): ``Q_x = P_x - D_y P_x m_x / sum_j P_j m_j``;
* ageing with ages uniform within a band: a share ``1/w`` of every band moves up one band,
  the open band keeps its members, and the observed births ``B_y`` enter the first band:
  ``P'_0 = (1 - 1/w) Q_0 + B_y``, ``P'_x = (1 - 1/w) Q_x + Q_{x-1} / w`` (``0 < x < B-1``),
  ``P'_{B-1} = Q_{B-1} + Q_{B-2} / w``.

This "closed" projection keeps every person and adds every birth, so the residual
``R_x = P_x(end) - P'_x`` sums to the net migration of the period (``end - start - births +
deaths``) and shows its age pattern by band at the end of the period. Residuals are summed
over the age groups the earlier structure really resolves (e.g. the five broad CBS
kerncijfers groups; within them its five-year split is only a national shape).

Young children are measured directly from births (:func:`child_cohort_net`): the ``b_0``
births of the last step before the base (``w`` years) survive with ``s_0`` to the first band,
so the net migration of the cohort ending a step in band 0 is ``N_0 = P_0 - s_0 b_0``; the
births ``b_1`` of the step before reach band 1 with ``s_1`` after two steps of net migration,
``P_1 - s_1 b_1 = N_0 b_1 / b_0 + N_1`` (the newborn step's net taken at the same rate per
birth), which gives ``N_1`` for the cohort passing from band 0 to band 1 in a step.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def closed_projection(
    start: FloatArray,
    births: FloatArray,
    deaths: FloatArray,
    mortality: FloatArray,
    *,
    width: float,
) -> FloatArray:
    """
    Age a population year by year with observed births and deaths and no migration.

    Parameters
    ----------
    start
        Persons by group and band on 1 January of the first year, shape (G, B); the last band
        is open.
    births
        Live births per group and calendar year, shape (G, n), persons.
    deaths
        Deaths per group and calendar year, shape (G, n), persons.
    mortality
        Standard death rates by band (deaths per person-year), shape (B,); only their
        relative size matters (they share the observed deaths over the bands).
    width
        Band width, years.

    Returns
    -------
    numpy.ndarray
        Persons by group and band on 1 January after the ``n`` years, shape (G, B).
    """
    population = np.array(start, dtype=np.float64, copy=True)
    move = 1.0 / width
    for year in range(births.shape[1]):
        weight = population * mortality[None, :]
        total = weight.sum(axis=1)
        share = weight / np.where(total > 0, total, 1.0)[:, None]
        survived = population - deaths[:, year][:, None] * share
        aged = (1.0 - move) * survived
        aged[:, 1:] += move * survived[:, :-1]
        aged[:, -1] += move * survived[:, -1]  # the open band keeps its members
        aged[:, 0] += births[:, year]
        population = aged
    return population


def residual_migration(
    start: FloatArray,
    end: FloatArray,
    births: FloatArray,
    deaths: FloatArray,
    mortality: FloatArray,
    *,
    width: float,
    groups: Sequence[int] | IntArray,
) -> FloatArray:
    """
    Net migration per age group over a period, as end population minus closed projection.

    Parameters
    ----------
    start, end
        Persons by gemeente and band at the start and the end of the period, shape (G, B).
    births, deaths
        Observed births and deaths per gemeente and calendar year of the period, shape (G, n).
    mortality
        Standard death rates by band, shape (B,).
    width
        Band width, years.
    groups
        Age group (0 .. K-1) of every band, length B; residuals are summed per group.

    Returns
    -------
    numpy.ndarray
        Net migrants over the whole period per gemeente and age group at the end of the
        period, shape (G, K), persons (positive = more arrivals than departures).
    """
    closed = closed_projection(start, births, deaths, mortality, width=width)
    index = np.asarray(groups, dtype=np.int64)
    out = np.zeros((start.shape[0], int(index.max()) + 1))
    np.add.at(out.T, index, (end - closed).T)
    return out


def band_net_migration(
    group_net: FloatArray,
    departures: FloatArray,
    level: FloatArray,
    *,
    groups: Sequence[int] | IntArray,
    fixed: FloatArray | None = None,
) -> FloatArray:
    """
    Spread net migration per age group over bands and move its total to a given level.

    Within a group the net migrants go to the bands in proportion to their departures
    (mobility times persons); the difference between ``level`` and the groups' total is then
    spread over all bands in proportion to departures (the age pattern of gross mobility).

    Parameters
    ----------
    group_net
        Net migrants per year by gemeente and age group, shape (G, K), persons per year.
    departures
        Departures per year by gemeente and band at the base, shape (G, B), persons per year.
    level
        Total net migration per year wanted per gemeente, shape (G,), persons per year.
    groups
        Age group of every band, length B.
    fixed
        Optional net migrants per year of the first ``F`` bands, shape (G, F), measured
        directly (:func:`child_cohort_net`); they replace the spread values and the gap to
        ``level`` goes to the other bands only.

    Returns
    -------
    numpy.ndarray
        Net migrants per year by gemeente and band, shape (G, B); sums to ``level``.
    """
    index = np.asarray(groups, dtype=np.int64)
    per_group = np.zeros_like(group_net)
    np.add.at(per_group.T, index, departures.T)
    uniform = np.zeros_like(group_net)
    np.add.at(uniform.T, index, np.ones_like(departures).T)
    shaped = np.where(
        per_group[:, index] > 0,
        departures / np.where(per_group[:, index] > 0, per_group[:, index], 1.0),
        1.0 / uniform[:, index],
    )
    net = group_net[:, index] * shaped
    free = np.ones(departures.shape[1], dtype=bool)
    if fixed is not None:
        net[:, : fixed.shape[1]] = fixed
        free[: fixed.shape[1]] = False
    weight = np.where(free[None, :], departures, 0.0)
    total = weight.sum(axis=1)
    gap = level - net.sum(axis=1)
    spread = np.where(
        total[:, None] > 0,
        weight / np.where(total > 0, total, 1.0)[:, None],
        free[None, :] / free.sum(),
    )
    return np.asarray(net + gap[:, None] * spread)


def child_cohort_net(
    first: FloatArray,
    second: FloatArray,
    births_recent: FloatArray,
    births_prior: FloatArray,
    survival_first: float | FloatArray,
    survival_second: float | FloatArray,
) -> FloatArray:
    """
    Net migration of the two youngest cohorts over one step, from births and the base bands.

    Parameters
    ----------
    first, second
        Persons in band 0 and band 1 on 1 January of the base year, shape (G,).
    births_recent
        Live births of the ``w`` calendar years before the base year (they make up band 0),
        summed, shape (G,), persons.
    births_prior
        Live births of the ``w`` years before those (they make up band 1), shape (G,).
    survival_first, survival_second
        Share of those births alive at the base without migration (about 0.996 and 0.995
        in the Netherlands).

    Returns
    -------
    numpy.ndarray
        Shape (G, 2): net migrants per step of the cohort ending the step in band 0 (born
        during it) and in band 1 (band 0 at its start), persons per step (positive = more
        arrivals than departures).
    """
    newborn = first - survival_first * births_recent
    per_birth = np.where(
        births_recent > 0, newborn / np.where(births_recent > 0, births_recent, 1.0), 0.0
    )
    older = second - survival_second * births_prior - per_birth * births_prior
    return np.stack([newborn, older], axis=1)
