"""The verifier's inputs: raw tables and settings, and the plan as plain tables.

Nothing here comes from the model's data (:class:`voorzieningen.model.data.ModelData`):
:class:`VerifyInputs` holds what a user gave (portfolio, demand, travel-time table, scenario
settings) and :class:`PlanTables` what the plan claims (decisions, capacities, closures,
assignments, unmet demand). Both are normalised here (ids as text, periods as integers,
missing optional columns filled) so that the rules can compare them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from voorzieningen import tables as T
from voorzieningen.schemas.model import BudgetSettings, CostSettings, ModelOptions, Norms
from voorzieningen.schemas.scenario import Scenario

PERSONS = "persons"
IN_USE = "in_use"
OPTION = "option"
NEW_AREA_M2 = "new_area_m2"
PROCEEDS_EUR = "proceeds_eur"

#: Columns of each plan table, in order; the first ones are each table's key.
PLAN_COLUMNS: dict[str, tuple[str, ...]] = {
    "starts": (T.SITE, OPTION, T.PERIOD, T.CAPEX_EUR, NEW_AREA_M2),
    "capacity_built": (T.SITE, OPTION, T.SERVICE, T.PERIOD, T.CAPACITY_PLACES),
    "asis": (T.SITE, T.PERIOD, IN_USE),
    "closures": (T.SITE, T.PERIOD, PROCEEDS_EUR),
    "assignments": (T.ZONE, T.SITE, T.SERVICE, T.PERIOD, PERSONS, T.TRAVEL_TIME_MIN),
    "unmet": (T.ZONE, T.SERVICE, T.PERIOD, PERSONS),
}

#: Key columns of each plan table: two rows with the same key are a duplicate.
PLAN_KEYS: dict[str, tuple[str, ...]] = {
    "starts": (T.SITE, OPTION, T.PERIOD),
    "capacity_built": (T.SITE, OPTION, T.SERVICE, T.PERIOD),
    "asis": (T.SITE, T.PERIOD),
    "closures": (T.SITE, T.PERIOD),
    "assignments": (T.ZONE, T.SITE, T.SERVICE, T.PERIOD),
    "unmet": (T.ZONE, T.SERVICE, T.PERIOD),
}

_TEXT = (T.ZONE, T.SITE, T.SERVICE, OPTION)


class PlanFrames(Protocol):
    """The decisions of a plan as plain tables (:class:`voorzieningen.results.Plan` fits)."""

    @property
    def starts(self) -> pd.DataFrame:
        """Options started: site, option, period, capex_eur, new_area_m2."""

    @property
    def capacity_built(self) -> pd.DataFrame:
        """Places built: site, option, service, period, capacity_places."""

    @property
    def asis(self) -> pd.DataFrame:
        """Existing buildings used as is: site, period, in_use."""

    @property
    def closures(self) -> pd.DataFrame:
        """Closures: site, period, proceeds_eur."""

    @property
    def assignments(self) -> pd.DataFrame:
        """Persons served: zone, site, service, period, persons, travel_time_min."""

    @property
    def unmet(self) -> pd.DataFrame:
        """Persons not served: zone, service, period, persons."""


def _plan_table(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    columns = PLAN_COLUMNS[name]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = f"(plan.{name}) | missing column(s) {missing}; the table needs {list(columns)}"
        raise ValueError(msg)
    out = frame.loc[:, list(columns)].reset_index(drop=True).copy()
    for col in columns:
        if col in _TEXT:
            out[col] = out[col].astype(str)
        elif col == T.PERIOD:
            out[col] = out[col].astype(int)
        elif col == IN_USE:
            out[col] = out[col].astype(bool)
        else:
            out[col] = out[col].astype(float)
    return out


@dataclass(frozen=True)
class PlanTables:
    """A plan as plain tables (what it claims; the verifier recomputes everything else).

    Attributes
    ----------
    starts
        Interventions started: site, option (``renovate``, ``convert:<s>``,
        ``mfa:<s1>+<s2>``, ``new:<s>``, ``new-mfa:<s1>+<s2>``), period (year), capex_eur (€,
        as reported), new_area_m2 (new floor area paid for, m²).
    capacity_built
        Places built by each start: site, option, service, period, capacity_places.
    asis
        Existing buildings used as they are: site, period, in_use (bool); missing rows are
        "not in use".
    closures
        Closures: site, period, proceeds_eur (€, as reported; negative for demolition).
    assignments
        Persons served: zone, site, service, period, persons (in the service's own unit),
        travel_time_min (as reported).
    unmet
        Persons not served: zone, service, period, persons.
    """

    starts: pd.DataFrame
    capacity_built: pd.DataFrame
    asis: pd.DataFrame
    closures: pd.DataFrame
    assignments: pd.DataFrame
    unmet: pd.DataFrame

    @classmethod
    def from_frames(cls, plan: PlanFrames) -> PlanTables:
        """
        Take the plan tables of any object that has them, normalised.

        Parameters
        ----------
        plan
            An object with the six tables (a :class:`voorzieningen.results.Plan` fits).

        Returns
        -------
        PlanTables
            Only the columns the verifier reads, ids as text, periods as integers.

        Raises
        ------
        ValueError
            If a table lacks a column.
        """
        return cls(
            **{name: _plan_table(getattr(plan, name), name) for name in PLAN_COLUMNS},
        )


@dataclass(frozen=True)
class VerifyInputs:
    """The raw inputs of a run, as a user gave them (no model arithmetic applied).

    Attributes
    ----------
    sites
        The portfolio and candidate sites, index ``site``; columns kind, service,
        allowed_services, floor_area_m2, capacity_places, end_of_life_year (year),
        sale_value_eur, managed (see :data:`voorzieningen.tables.SITE_COLUMNS`).
    demand
        ``demand_persons`` by (zone, period, service): a Series, or a frame with that
        column (indexed by the three keys or having them as columns).
    travel_times
        The raw travel-time table: zone, site, travel_time_min and optionally service (when
        times differ per service). Pairs not listed are out of reach.
    periods
        Planning years, increasing.
    costs, norms, model, budget
        The scenario's settings.
    period_years
        Length of each period (years); None: the scenario's rule (to the next period, the
        last repeats the one before it, 5 years when there is one period).
    closure_norms
        The school closure norm (opheffingsnorm, pupils) per gemeente as the run read it
        (:func:`voorzieningen.limits.load_closure_norms`: index ``gemeente``, column
        ``opheffingsnorm_pupils``); None: the national ``costs.school.min_places`` for
        every school. Pass the table the model was built with, or the two disagree on
        school minimum sizes.
    sizing_demands
        Demand (as ``demand``) of the other population variants of a robust plan
        (:mod:`voorzieningen.robust`): its first-period sizes serve every variant, so a
        site's bound on new places is the largest under any of these demands.
    """

    sites: pd.DataFrame
    demand: pd.DataFrame | pd.Series
    travel_times: pd.DataFrame
    periods: tuple[int, ...]
    costs: CostSettings
    norms: Norms
    model: ModelOptions
    budget: BudgetSettings
    period_years: tuple[float, ...] | None = None
    closure_norms: pd.DataFrame | None = None
    sizing_demands: tuple[pd.DataFrame | pd.Series, ...] = ()

    @classmethod
    def from_scenario(
        cls,
        scenario: Scenario,
        *,
        sites: pd.DataFrame,
        demand: pd.DataFrame | pd.Series,
        travel_times: pd.DataFrame,
        closure_norms: pd.DataFrame | None = None,
    ) -> VerifyInputs:
        """
        Take the settings from a scenario and the raw tables of its run.

        Parameters
        ----------
        scenario
            The scenario (periods, costs, norms, model options, budget).
        sites
            The sites table as loaded (index ``site``).
        demand
            ``demand_persons`` by (zone, period, service).
        travel_times
            The travel-time table (zone, site, travel_time_min).
        closure_norms
            The school closure norm per gemeente the run read
            (:func:`voorzieningen.limits.load_closure_norms`); None: the national norm.

        Returns
        -------
        VerifyInputs
            The verifier's inputs.
        """
        return cls(
            sites=sites,
            demand=demand,
            travel_times=travel_times,
            periods=tuple(scenario.periods),
            costs=scenario.costs,
            norms=scenario.norms,
            model=scenario.model,
            budget=scenario.budget,
            closure_norms=closure_norms,
        )


def demand_series(demand: pd.DataFrame | pd.Series) -> pd.Series:
    """
    Demand (persons) by (zone, period, service), negative values counted as zero.

    Parameters
    ----------
    demand
        A Series, or a frame with ``demand_persons`` (keys as index or columns).

    Returns
    -------
    pandas.Series
        Indexed by (zone: str, period: int, service: str); duplicates summed.
    """
    keys = [T.ZONE, T.PERIOD, T.SERVICE]
    frame = demand.rename(T.DEMAND_PERSONS).to_frame() if isinstance(demand, pd.Series) else demand
    if not set(keys) <= set(frame.columns):
        frame = frame.reset_index()
    flat = pd.DataFrame(
        {
            T.ZONE: frame[T.ZONE].astype(str).to_numpy(),
            T.PERIOD: frame[T.PERIOD].astype(int).to_numpy(),
            T.SERVICE: frame[T.SERVICE].astype(str).to_numpy(),
            T.DEMAND_PERSONS: frame[T.DEMAND_PERSONS].astype(float).clip(lower=0.0).to_numpy(),
        }
    )
    return flat.groupby(keys)[T.DEMAND_PERSONS].sum()
