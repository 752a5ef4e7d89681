"""Adapter from a solved run (:class:`~voorzieningen.results.Plan` and ``ModelData``).

Only raw tables and settings are taken from the model's data: the sites table, the demand,
the settings objects and the budget figures. Its derived quantities (pairs, options,
discounting, capacities, close values) are never read. The raw travel-time table is not
kept in ``ModelData``; pass it (and the sites table as loaded) when you have them, as the
API does. Without it the eligible pairs stand in for the raw table, and a pair the model
left out is then reported as missing from the table rather than as beyond a guarantee.
"""

from __future__ import annotations

import pandas as pd

from voorzieningen import tables as T
from voorzieningen.model.data import ModelData
from voorzieningen.verify.check import verify_tables
from voorzieningen.verify.inputs import PlanFrames, VerifyInputs


def inputs_from_model_data(
    data: ModelData,
    *,
    sites: pd.DataFrame | None = None,
    travel_times: pd.DataFrame | None = None,
    demand: pd.DataFrame | pd.Series | None = None,
    closure_norms: pd.DataFrame | None = None,
    sizing_demands: tuple[pd.DataFrame | pd.Series, ...] = (),
) -> VerifyInputs:
    """
    Collect the verifier's raw inputs from a run's model data and raw tables.

    Parameters
    ----------
    data
        The model data (only its settings, sites table and demand are read).
    sites
        The sites table as loaded; default: the model data's sites table.
    travel_times
        The raw travel-time table (zone, site, [service], travel_time_min); default: the
        model data's eligible pairs.
    demand
        ``demand_persons`` by (zone, period, service); default: the model data's demand.
    closure_norms
        The school closure norm per gemeente the run read
        (:func:`voorzieningen.limits.load_closure_norms`); None: the national norm.
    sizing_demands
        Demand of the other population variants of a robust plan (see
        :class:`VerifyInputs`).

    Returns
    -------
    VerifyInputs
        The verifier's inputs.
    """
    pairs = data.pairs[[T.ZONE, T.SITE, T.SERVICE, T.TRAVEL_TIME_MIN]]
    return VerifyInputs(
        sites=data.sites_table if sites is None else sites,
        demand=data.demand if demand is None else demand,
        travel_times=pairs if travel_times is None else travel_times,
        periods=tuple(data.periods),
        costs=data.costs,
        norms=data.norms,
        model=data.model_settings,
        budget=data.budget_settings,
        period_years=tuple(float(n) for n in data.period_years),
        closure_norms=closure_norms,
        sizing_demands=sizing_demands,
    )


def verify_plan(
    plan: PlanFrames,
    data: ModelData,
    *,
    objective_value: float | None = None,
    sites: pd.DataFrame | None = None,
    travel_times: pd.DataFrame | None = None,
    demand: pd.DataFrame | pd.Series | None = None,
    closure_norms: pd.DataFrame | None = None,
    sizing_demands: tuple[pd.DataFrame | pd.Series, ...] = (),
) -> None:
    """
    Re-check a solved plan against every rule, from the raw inputs, without the solver.

    Parameters
    ----------
    plan
        The plan's decisions (a :class:`voorzieningen.results.Plan` fits).
    data
        The model data the plan was made for (settings, sites and demand only).
    objective_value
        The objective the solver reported; when given it is recomputed and compared.
    sites, travel_times, demand, closure_norms, sizing_demands
        The raw tables the run read (see :func:`inputs_from_model_data`).

    Raises
    ------
    VerificationError
        Listing every violation found, each as ``[kind] message``.
    """
    inputs = inputs_from_model_data(
        data,
        sites=sites,
        travel_times=travel_times,
        demand=demand,
        closure_norms=closure_norms,
        sizing_demands=sizing_demands,
    )
    verify_tables(plan, inputs, objective_value=objective_value)
