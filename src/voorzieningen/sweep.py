"""Sweeps: many scenarios in parallel on Dask, and Pareto fronts over budgets.

Both are wiring of the stages of :mod:`voorzieningen.api` (a Pareto front builds the model
once and re-solves it per budget with a warm start) and write each run with the one writer,
:func:`voorzieningen.report.write_report`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from voorzieningen import api
from voorzieningen import tables as T
from voorzieningen.context import resolve_context, resolve_data_dir, run_folder_name
from voorzieningen.errors import ScenarioError
from voorzieningen.explain import Tick
from voorzieningen.folders import check_results_folder, check_results_root
from voorzieningen.model.build import build_model, set_total_budget
from voorzieningen.provenance import scenario_fingerprint
from voorzieningen.record import Run
from voorzieningen.report import ReportSettings, write_pareto, write_report
from voorzieningen.schemas.scenario import Scenario
from voorzieningen.solve import HighsSession

#: Summary columns copied per service into the Pareto table.
PER_SERVICE_PREFIXES = (
    T.SERVED_PREFIX,
    T.UNMET_PREFIX,
    T.MEAN_TIME_SERVED_PREFIX,
    T.MEAN_TIME_ALL_PREFIX,
)


@dataclass(frozen=True)
class ParetoFront:
    """Accessibility against spending, one verified plan per budget level.

    Attributes
    ----------
    table
        One row per budget level: budget_eur, spend_eur, capex_eur, proceeds_eur,
        npv_cost_eur, objective_value (the scenario's objective: for ``access``,
        person-minutes plus the penalty of unmet demand), access_person_min, per service
        ``served_<unit>``, ``unmet_<unit>``, ``mean_time_served_min_<service>`` and
        ``mean_time_all_min_<service>`` (from the summary), status, gap, solve_s,
        warm_start.
    results
        The plan of each level, in the same order.
    """

    table: pd.DataFrame
    results: tuple[Run, ...]

    def __repr__(self) -> str:
        return f"<ParetoFront {len(self.table)} points>\n{self.table.to_string(index=False)}"


def pareto_front(
    scenario: Scenario | Path | str,
    budgets_eur: list[float],
    *,
    data_dir: Path | str | None = None,
    name: str = "base",
    sets: list[str] | None = None,
    region_dir: Path | str | None = None,
    cache_dir: Path | str | None = None,
    progress: api.Progress | None = None,
    tick: Tick | None = None,
) -> ParetoFront:
    """
    Trace accessibility against total spending by the epsilon-constraint method.

    The model is built once; for each budget, in increasing order, only the right-hand side
    of the total-budget constraint changes and HiGHS starts from the previous plan (which
    stays feasible when the budget grows).

    Parameters
    ----------
    scenario
        A :class:`Scenario`, or the path of a scenario file.
    budgets_eur
        Total budgets (€, spending net of sale proceeds if the scenario says so).
    data_dir, name, sets, region_dir, cache_dir, progress
        As for :func:`run_scenario`.
    tick
        Called before each budget level's solve with its label, the levels done and the
        levels in all (for a progress bar), and once more when all are done.

    Returns
    -------
    ParetoFront
        The table and the verified plans.

    Raises
    ------
    ScenarioError
        If no budget is given.
    """
    if not budgets_eur:
        msg = "(sweep) | give at least one budget level, e.g. --budgets 5e6,10e6,15e6"
        raise ScenarioError(msg)
    scenario, context = resolve_context(
        scenario,
        data_dir=data_dir,
        name=name,
        sets=sets,
        region_dir=region_dir,
        cache_dir=cache_dir,
    )
    levels = sorted(float(b) for b in budgets_eur)
    scenario = scenario.model_copy(
        update={"budget": scenario.budget.model_copy(update={T.CAPEX_TOTAL_EUR: levels[0]})}
    )
    prepared = api.prepare_run(scenario, context, progress=progress)
    # solver.time_limit_s bounds the first level's build, hand-over and solve.
    deadline = time.perf_counter() + scenario.solver.time_limit_s
    with api.step(progress, "build model", prepared.timings):
        model, objective_scale = build_model(prepared.data)
    session = HighsSession(scenario.solver)
    rows: list[dict[str, Any]] = []
    plans: list[Run] = []
    for i, budget in enumerate(levels):
        if tick is not None:
            tick(f"budget {budget:,.0f} EUR", i, len(levels))
        set_total_budget(model, budget)
        with api.step(progress, f"solve budget {budget:,.0f} EUR", prepared.timings):
            outcome = session.solve(
                model,
                warm_start=i > 0,
                objective_scale=objective_scale,
                deadline=deadline if i == 0 else None,
            )
        level_budget = scenario.budget.model_copy(update={T.CAPEX_TOTAL_EUR: budget})
        level_data = replace(prepared.data, budget_settings=level_budget)
        level_scenario = scenario.model_copy(update={"budget": level_budget})
        level = replace(prepared, scenario=level_scenario, data=level_data)
        run = api.finish_run(level, model, outcome, budget_eur=budget)
        plans.append(run)
        results = run.results
        summary = results.summary.iloc[0]
        rows.append(
            {
                T.BUDGET_EUR: budget,
                # The sweep varies the gross capex limit: capex plus demolition.
                T.SPEND_EUR: float(
                    summary[T.CAPEX_TOTAL_EUR]
                    + results.plan.closures[T.PROCEEDS_EUR].clip(upper=0.0).abs().sum()
                ),
                T.CAPEX_EUR: float(summary[T.CAPEX_TOTAL_EUR]),
                T.PROCEEDS_EUR: float(summary[T.PROCEEDS_TOTAL_EUR]),
                T.NPV_COST_EUR: float(summary[T.NPV_COST_EUR]),
                T.OBJECTIVE_VALUE: float(summary[T.OBJECTIVE_VALUE]),
                T.ACCESS_PERSON_MIN: float(summary[T.ACCESS_PERSON_MIN]),
                # per service, each in its own unit (never summed over services)
                **{
                    str(k): float(v)
                    for k, v in summary.items()
                    if str(k).startswith(PER_SERVICE_PREFIXES)
                },
                T.STATUS: outcome.status,
                T.GAP: outcome.gap,
                T.SOLVE_S: outcome.runtime_s,
                T.WARM_START: i > 0,
            }
        )
    if tick is not None:
        tick("done", len(levels), len(levels))
    return ParetoFront(pd.DataFrame(rows), tuple(plans))


def write_pareto_front(
    front: ParetoFront, folder: Path | str, *, dutch_excel: bool = False
) -> Path:
    """
    Write a Pareto front: each budget level's run in ``budget-<eur>/`` and the front's table.

    Parameters
    ----------
    front
        The front.
    folder
        Target folder (e.g. ``results/<region>/pareto-<scenario>``).
    dutch_excel
        CSVs for Dutch Excel.

    Returns
    -------
    pathlib.Path
        The folder.
    """
    root = Path(folder)
    settings = ReportSettings(csv_format="dutch_excel" if dutch_excel else "utf8_comma")
    for budget, run in zip(front.table[T.BUDGET_EUR], front.results, strict=True):
        write_report(run, root / f"budget-{budget:.0f}", settings=settings, results_root=root)
    return write_pareto(front.table, root, dutch_excel=dutch_excel)


def _run_and_write(
    scenario_file: str,
    name: str,
    sets: list[str],
    data_dir: str,
    out_dir: str,
    dutch_excel: bool,  # noqa: FBT001 - positional for Dask's submit
    out_root: str,
) -> dict[str, Any]:
    """Run one scenario and write its report (a task for a Dask worker)."""
    run = api.run_scenario(Path(scenario_file), name=name, sets=sets, data_dir=data_dir)
    write_report(run, Path(out_dir), dutch_excel=dutch_excel, results_root=out_root)
    row = {str(k): v for k, v in run.summary.iloc[0].items()}
    row[T.SCENARIO] = name
    row["out_dir"] = out_dir
    row["resumed"] = False
    return row


def run_scenarios(
    scenario_file: Path | str,
    names: list[str],
    *,
    data_dir: Path | str | None = None,
    out_root: Path | str = "results",
    sets: list[str] | None = None,
    scheduler: str | None = None,
    resume: bool = True,
    dutch_excel: bool = False,
    progress: Tick | None = None,
) -> pd.DataFrame:
    """
    Run several scenarios of one file in parallel on Dask and write each one's report.

    Parameters
    ----------
    scenario_file
        The scenario file.
    names
        Scenario names in the file.
    data_dir
        The data directory; defaults to ``$VOORZIENINGEN_DATA_DIR``.
    out_root
        Each scenario writes to ``<out_root>/<region>/<name>/``.
    sets
        ``key=value`` settings applied to every scenario.
    scheduler
        ``None``: a local Dask cluster of worker processes on this machine;
        ``"synchronous"``: no parallelism (one process, for debugging); otherwise the
        address of an existing Dask scheduler (``tcp://host:8786``).
    resume
        Skip a scenario whose output folder holds a finished run with the same fingerprint
        (settings and input files), so an interrupted sweep continues where it stopped.
    dutch_excel
        Write Dutch-Excel CSVs.
    progress
        Called with the scenario just finished (or resumed), the scenarios done and the
        scenarios in all (for a progress bar); first with ``"starting"`` and 0 done.

    Returns
    -------
    pandas.DataFrame
        One summary row per scenario (indexed by ``scenario``), with ``out_dir`` and
        ``resumed``.
    """
    path = Path(scenario_file).resolve()
    data = resolve_data_dir(data_dir)
    root = check_results_root(out_root)
    todo: list[tuple[str, Path]] = []
    rows: list[dict[str, Any]] = []
    for name in names:
        scenario, context = resolve_context(
            path, data_dir=data, name=name, sets=sets, region_dir=None, cache_dir=None
        )
        out_dir = root / scenario.region / run_folder_name(scenario.name, sets)
        check_results_folder(out_dir, root=root)  # before any solve
        finished = out_dir / "run.json"
        if resume and finished.is_file():
            done = json.loads(finished.read_text(encoding="utf-8"))
            if done.get("fingerprint") == scenario_fingerprint(scenario, context):
                row = {str(k): v for k, v in done.get("summary", {}).items()}
                row.update(scenario=name, out_dir=str(out_dir), resumed=True)
                rows.append(row)
                continue
        todo.append((name, out_dir))
    args = [
        (str(path), n, list(sets or []), str(data), str(o), dutch_excel, str(root)) for n, o in todo
    ]
    total = len(names)

    def finish(row: dict[str, Any]) -> None:
        rows.append(row)
        if progress is not None:
            progress(str(row[T.SCENARIO]), len(rows), total)

    if progress is not None:
        progress("starting", len(rows), total)
    if scheduler == "synchronous" or (scheduler is None and len(args) <= 1):
        for a in args:
            finish(_run_and_write(*a))
    else:
        _dask_map(args, scheduler, finish)
    table = pd.DataFrame(rows).set_index(T.SCENARIO).reindex(names)
    return table


def _dask_map(
    args: list[tuple[str, str, list[str], str, str, bool, str]],
    scheduler: str | None,
    done: Callable[[dict[str, Any]], None],
) -> None:
    """Run the tasks on Dask; hand each finished scenario's row to ``done`` as it ends."""
    from dask.distributed import Client, LocalCluster, as_completed  # heavy: sweeps only

    if scheduler:
        client = Client(scheduler)
        cluster = None
    else:
        workers = max(1, min(len(args), os.cpu_count() or 1))
        # dashboard on a free port (":0"): with ``None`` distributed takes 8787, so a second
        # sweep on the same machine would fight the first for it.
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        client = Client(cluster)
    try:
        futures = [client.submit(_run_and_write, *a, pure=False) for a in args]
        for future in as_completed(futures):
            done(future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
