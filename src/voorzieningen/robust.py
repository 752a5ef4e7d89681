"""Robust plans: one plan for several population variants, and what hedging costs and buys.

Wiring of the stages of :mod:`voorzieningen.api` (as :mod:`voorzieningen.sweep` is for many
runs): the region, travel times and model data are prepared once, the demand once per
variant of ``robust.variants``; then

1. each variant is solved alone (its best plan, and its best objective);
2. the robust model (``models/robust.md``) is solved: first-period decisions shared, later
   periods per variant; its plan under each variant is verified like any run;
3. each single-variant plan's first-period decisions are fixed in every other variant's
   model and the rest re-solved, which gives that plan's objective under that variant.

``robust.csv`` has one row per (plan, variant): objective, regret (objective less the best
objective any plan reached under that variant), NPV cost, access and unmet demand per
service. It is written by :func:`voorzieningen.report.write_report` with the robust plan
under the reference variant; :func:`write_robust` adds every variant's plan in
``variants/<variant>/``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from voorzieningen import api
from voorzieningen import tables as T
from voorzieningen.context import RunContext
from voorzieningen.errors import InfeasibleModelError, ScenarioError
from voorzieningen.model.build import BuiltModel, build_model
from voorzieningen.model.robust import (
    FirstPeriod,
    VarValues,
    block_objective,
    build_robust_model,
    first_period_values,
    fix_first_period,
    shared_bounds,
    unfix,
    var_values,
    warm_start,
)
from voorzieningen.record import PreparedRun, Run
from voorzieningen.report import ReportSettings, write_report
from voorzieningen.schemas.scenario import Scenario
from voorzieningen.solve import HighsSession, solve_model

#: Summary columns copied per service into robust.csv (each service in its own unit).
PER_SERVICE_PREFIXES = (T.SERVED_PREFIX, T.UNMET_PREFIX, T.MEAN_TIME_ALL_PREFIX)
#: Status of a plan whose first-period decisions no plan under a variant can follow.
STATUS_INFEASIBLE = "infeasible"


@dataclass(frozen=True)
class RobustRun:
    """A robust plan over population variants, verified under each, and its comparison.

    Attributes
    ----------
    reference
        The variant whose run is the main report: ``demand.scenario`` when it is one of
        the variants, else the variant of the largest weight.
    runs
        The robust plan under each variant (the same first-period decisions), verified;
        the reference variant's run carries ``robust.csv`` (:attr:`Run.robust`).
    table
        ``robust.csv``: one row per plan (``robust``, or the variant a single-variant plan
        was made for) and variant.
    weights
        Weight of each variant.
    """

    reference: str
    runs: Mapping[str, Run]
    table: pd.DataFrame
    weights: Mapping[str, float]

    @property
    def main(self) -> Run:
        """The robust plan under the reference variant, with ``robust.csv``."""
        return self.runs[self.reference]

    def __repr__(self) -> str:
        cols = [T.PLAN, T.VARIANT, T.OBJECTIVE_VALUE, T.REGRET]
        return f"<RobustRun {len(self.runs)} variants>\n{self.table[cols].to_string(index=False)}"


def _variant_scenario(scenario: Scenario, variant: str) -> Scenario:
    demand = scenario.demand.model_copy(update={"scenario": variant})
    return scenario.model_copy(update={"demand": demand})


def prepare_variants(
    scenario: Scenario, prepared: PreparedRun, progress: api.Progress | None = None
) -> dict[str, PreparedRun]:
    """
    Prepare every variant of ``robust.variants`` from one prepared run.

    Inputs and travel times are shared; demand and model data are made per variant, and
    the per-site capacity bound is the largest of the variants'
    (:func:`voorzieningen.model.robust.shared_bounds`).

    Parameters
    ----------
    scenario
        The scenario (with ``robust.variants``).
    prepared
        The stages before the model for one variant.
    progress
        Called with each step's name as it starts.

    Returns
    -------
    dict of str to PreparedRun
        Per variant, in the order of ``robust.variants``.
    """
    out: dict[str, PreparedRun] = {}
    for variant in scenario.robust.variants:
        own = _variant_scenario(scenario, variant)
        if own.demand == prepared.scenario.demand:
            out[variant] = replace(prepared, scenario=own)
            continue
        with api.step(progress, f"demand {variant}", prepared.timings):
            demand = api.compute_demand(own, prepared.inputs, prepared.context)
            data = api.make_model_data(
                own,
                prepared.inputs,
                demand.demand,
                prepared.travel.table,
                closure_norms=prepared.closure_norms,
            )
        out[variant] = replace(prepared, scenario=own, demand=demand, data=data)
    datas = shared_bounds({v: p.data for v, p in out.items()})
    return {v: replace(p, data=datas[v]) for v, p in out.items()}


def run_robust(
    scenario: Scenario, context: RunContext, *, progress: api.Progress | None = None
) -> RobustRun:
    """
    Plan once for several population variants and compare with each variant's own plan.

    Parameters
    ----------
    scenario
        The scenario, with ``robust.variants``.
    context
        Where to read from (:func:`voorzieningen.context.resolve_context`).
    progress
        Called with each step's name as it starts.

    Returns
    -------
    RobustRun
        The robust plan under each variant and ``robust.csv``.

    Raises
    ------
    ScenarioError
        If the scenario has no ``robust.variants``.
    InfeasibleModelError
        If a variant alone, or the robust model, has no plan.
    """
    weights = dict(scenario.robust.variants)
    if not weights:
        msg = (
            "(robust.variants) | the scenario plans for one population variant; set e.g. "
            "robust.variants = {mid = 0.5, low = 0.25, krimp = 0.25} for a robust plan."
        )
        raise ScenarioError(msg)
    reference = (
        scenario.demand.scenario
        if scenario.demand.scenario in weights
        else max(weights, key=lambda v: weights[v])
    )
    first = api.prepare_run(_variant_scenario(scenario, reference), context, progress=progress)
    prepared = prepare_variants(scenario, first, progress)
    timings = first.timings
    # Every plan's first-period sizes serve all variants (shared_bounds): verify them so.
    others = {v: tuple(p.demand.demand for w, p in prepared.items() if w != v) for v in prepared}
    # 1. Each variant alone, and each variant's plan under every other variant.
    cells, values = _single_variant_plans(scenario, prepared, others, progress)
    best = {
        w: min(run.outcome.objective for (_, u), run in cells.items() if u == w and run)
        for w in prepared
    }
    # 2. The robust plan, started from the best single-variant plan (never worse than it).
    with api.step(progress, "build robust model", timings):
        robust = build_robust_model(
            {v: p.data for v, p in prepared.items()},
            weights,
            objective=scenario.robust.objective,
            best_objective=best,
        )
    hedge, score = best_single_plan(cells, weights, best, scenario.robust.objective)
    if hedge is not None:
        regret = score if scenario.robust.objective == "minmax_regret" else None
        warm_start(robust, {w: values[(hedge, w)] for w in prepared}, max_regret=regret)
    with api.step(progress, "solve robust model", timings):
        joint = HighsSession(scenario.solver).solve(
            robust.model, warm_start=hedge is not None, objective_scale=robust.objective_scale
        )
    runs: dict[str, Run] = {}
    with api.step(progress, "verify robust plan", timings):
        for v, prep in prepared.items():
            block = robust.model.variant[v]
            # The block's own objective; bound and gap are those of the joint solve.
            value = block_objective(block, robust.objective_scale)
            runs[v] = api.finish_run(
                prep, block, replace(joint, objective=value), sizing_demands=others[v]
            )
    table = robust_table(runs, cells, weights)
    runs[reference] = replace(runs[reference], robust=table)
    return RobustRun(reference=reference, runs=runs, table=table, weights=weights)


def _single_variant_plans(
    scenario: Scenario,
    prepared: Mapping[str, PreparedRun],
    others: Mapping[str, tuple[pd.DataFrame, ...]],
    progress: api.Progress | None,
) -> tuple[dict[tuple[str, str], Run | None], dict[tuple[str, str], VarValues]]:
    """Solve each variant alone, then each one's first-period decisions under the others.

    Returns the verified run of every (plan, variant), None where no plan can follow the
    first-period decisions, and the variables' values of every feasible one.
    """
    timings = next(iter(prepared.values())).timings
    built: dict[str, BuiltModel] = {}
    first: dict[str, FirstPeriod] = {}
    cells: dict[tuple[str, str], Run | None] = {}
    values: dict[tuple[str, str], VarValues] = {}
    for v, prep in prepared.items():
        with api.step(progress, f"solve {v} alone", timings):
            built[v] = build_model(prep.data)
            model, scale = built[v]
            outcome = solve_model(model, scenario.solver, objective_scale=scale)
        cells[(v, v)] = api.finish_run(prep, model, outcome, sizing_demands=others[v])
        values[(v, v)] = var_values(model)
        first[v] = first_period_values(model, prep.data)
    for p in prepared:
        for w, prep in prepared.items():
            if w == p:
                continue
            model, scale = built[w]
            fixed = fix_first_period(model, first[p])
            try:
                with api.step(progress, f"plan {p} under {w}", timings):
                    outcome = solve_model(model, scenario.solver, objective_scale=scale)
                cells[(p, w)] = api.finish_run(prep, model, outcome, sizing_demands=others[w])
                values[(p, w)] = var_values(model)
            except InfeasibleModelError:
                cells[(p, w)] = None
            finally:
                unfix(fixed)
    return cells, values


def best_single_plan(
    cells: Mapping[tuple[str, str], Run | None],
    weights: Mapping[str, float],
    best: Mapping[str, float],
    objective: str,
) -> tuple[str | None, float]:
    """Return the single-variant plan of least expected objective (or regret), and that."""
    score: dict[str, float] = {}
    for p in weights:
        runs = {w: cells[(p, w)] for w in weights}
        found = {w: r.outcome.objective for w, r in runs.items() if r is not None}
        if len(found) < len(weights):
            continue  # infeasible under some variant: no start for the robust model
        if objective == "minmax_regret":
            score[p] = max(found[w] - best[w] for w in weights)
        else:
            score[p] = sum(weights[w] * found[w] for w in weights)
    if not score:
        return None, math.nan
    hedge = min(score, key=lambda p: score[p])
    return hedge, score[hedge]


def _first_period_text(run: Run) -> str:
    first = run.data.periods[0]
    decisions = run.decisions
    rows = decisions[decisions[T.PERIOD] == first]
    return "; ".join(f"{s}: {a}" for s, a in zip(rows[T.SITE], rows[T.ACTION], strict=True))


def _row(plan: str, variant: str, weight: float, run: Run | None) -> dict[str, Any]:
    row: dict[str, Any] = {T.PLAN: plan, T.VARIANT: variant, T.VARIANT_WEIGHT: weight}
    if run is None:
        return {**row, T.OBJECTIVE_VALUE: math.inf, T.STATUS: STATUS_INFEASIBLE}
    summary = run.summary.iloc[0]
    return {
        **row,
        T.OBJECTIVE_VALUE: float(run.outcome.objective),
        T.NPV_COST_EUR: float(summary[T.NPV_COST_EUR]),
        T.CAPEX_EUR: float(summary[T.CAPEX_EUR]),
        T.ACCESS_PERSON_MIN: float(summary[T.ACCESS_PERSON_MIN]),
        **{str(k): float(v) for k, v in summary.items() if str(k).startswith(PER_SERVICE_PREFIXES)},
        T.FIRST_PERIOD_DECISIONS: _first_period_text(run),
        T.STATUS: run.outcome.status,
        T.GAP: run.outcome.gap,
    }


def robust_table(
    robust: Mapping[str, Run],
    cells: Mapping[tuple[str, str], Run | None],
    weights: Mapping[str, float],
) -> pd.DataFrame:
    """
    Return ``robust.csv``: every plan under every variant, with its regret.

    Parameters
    ----------
    robust
        The robust plan's run per variant.
    cells
        ``(plan, variant)`` -> the run of the plan made for ``plan`` evaluated under
        ``variant`` (its first-period decisions fixed), None if no plan can follow them.
    weights
        Weight of each variant.

    Returns
    -------
    pandas.DataFrame
        Columns plan, variant, variant_weight, objective_value, best_objective_value
        (the best objective any of these plans reaches under the variant), regret
        (objective less best, in the objective's unit), expected_objective_value and
        max_regret (of the plan, over the variants), npv_cost_eur, capex_eur,
        access_person_min, per service ``served_<unit>``, ``unmet_<unit>`` and
        ``mean_time_all_min_<service>``, first_period_decisions, status, gap. An
        infeasible cell has an empty objective and status ``infeasible``.
    """
    rows = [_row(T.ROBUST_PLAN, v, weights[v], run) for v, run in robust.items()]
    rows += [_row(p, w, weights[w], cells[(p, w)]) for p in weights for w in weights]
    table = pd.DataFrame(rows)
    best = table.groupby(T.VARIANT)[T.OBJECTIVE_VALUE].min()
    table[T.BEST_OBJECTIVE_VALUE] = table[T.VARIANT].map(best)
    table[T.REGRET] = table[T.OBJECTIVE_VALUE] - table[T.BEST_OBJECTIVE_VALUE]
    by_plan = table.groupby(T.PLAN, sort=False)
    weighted = table[T.OBJECTIVE_VALUE] * table[T.VARIANT_WEIGHT]
    table[T.EXPECTED_OBJECTIVE_VALUE] = table[T.PLAN].map(weighted.groupby(table[T.PLAN]).sum())
    table[T.MAX_REGRET] = table[T.PLAN].map(by_plan[T.REGRET].max())
    first = [T.PLAN, T.VARIANT, T.VARIANT_WEIGHT, T.OBJECTIVE_VALUE, T.BEST_OBJECTIVE_VALUE]
    first += [T.REGRET, T.EXPECTED_OBJECTIVE_VALUE, T.MAX_REGRET]
    table = table[first + [c for c in table.columns if c not in first]]
    return table.replace([math.inf, -math.inf], math.nan)


def write_robust(
    robust: RobustRun,
    out_dir: Path | str,
    *,
    settings: ReportSettings | None = None,
    dutch_excel: bool = False,
    results_root: Path | str | None = None,
) -> Path:
    """
    Write a robust run: the reference variant's report with ``robust.csv``, and each variant's.

    Parameters
    ----------
    robust
        The robust run.
    out_dir
        Target folder; an earlier run there is moved to ``<parent>/.history/``.
    settings, dutch_excel, results_root
        As for :func:`voorzieningen.report.write_report`.

    Returns
    -------
    pathlib.Path
        The folder: the robust plan under the reference variant, ``robust.csv``, and
        ``variants/<variant>/`` per variant.
    """
    root = write_report(
        robust.main, out_dir, settings=settings, dutch_excel=dutch_excel, results_root=results_root
    )
    for variant, run in robust.runs.items():
        write_report(run, root / "variants" / variant, settings=settings, dutch_excel=dutch_excel)
    return root


__all__ = [
    "RobustRun",
    "best_single_plan",
    "prepare_variants",
    "robust_table",
    "run_robust",
    "write_robust",
]
