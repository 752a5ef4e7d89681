"""The ``sweep`` verb and ``voorzieningen.sweep`` without Dask: Pareto fronts over budgets,
listed scenarios run one after the other, progress and resuming (the Dask runs are in
``test_sweep_dask.py``)."""

from __future__ import annotations

import pandas as pd
import pytest

from test_cli import DELFT, SMALL, SMALL_BASE, runner, set_options
from voorzieningen.cli import app


@pytest.mark.slow
def test_sweep_budgets_writes_pareto_table_and_plot(data_dir, tmp_path):
    args = [
        "sweep",
        str(DELFT),
        "--budgets",
        "1e6,2e6,4e6",  # gross capex: at 0 the end-of-life buildings can be neither renewed nor demolished
        "--data-dir",
        str(data_dir),
        "--out-dir",
        str(tmp_path),
        *set_options(SMALL),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "delft" / f"pareto-{SMALL_BASE}"
    table = pd.read_csv(folder / "pareto.csv")
    assert list(table["budget_eur"]) == [1e6, 2e6, 4e6]
    assert (table["spend_eur"] <= table["budget_eur"] + 1e-6).all()
    # more money never makes the optimum worse (up to the solver's gap)
    objective = table["objective_value"].to_numpy()
    gaps = table["gap"].to_numpy()
    assert all(objective[i + 1] <= objective[i] * (1 + gaps[i] + gaps[i + 1]) for i in range(2))
    assert list(table["warm_start"]) == [False, True, True]
    assert (folder / "pareto.png").stat().st_size > 10_000
    assert (folder / "budget-1000000" / "decisions.csv").is_file()


def test_sweep_cli_runs_listed_scenarios(data_dir, tmp_path):
    args = [
        "sweep",
        str(DELFT),
        "-s",
        "base",
        "--data-dir",
        str(data_dir),
        "--out-dir",
        str(tmp_path),
        "--scheduler",
        "synchronous",
        *set_options(SMALL),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "1 scenarios" in result.output
    assert (tmp_path / "delft" / SMALL_BASE / "run.json").is_file()


def test_sweep_rejects_bad_budgets(data_dir):
    result = runner.invoke(
        app, ["sweep", str(DELFT), "--budgets", "5e6,lots", "--data-dir", str(data_dir)]
    )
    assert result.exit_code == 2
    assert "--budgets takes numbers" in result.output


def test_sweep_reports_progress_per_scenario_and_resumes(data_dir, tmp_path):
    from voorzieningen import sweep

    seen: list[tuple[str, int, int]] = []

    def sweep_base():
        seen.clear()
        return sweep.run_scenarios(
            DELFT,
            ["base"],
            data_dir=data_dir,
            out_root=tmp_path,
            sets=SMALL,
            scheduler="synchronous",
            progress=lambda label, done, total: seen.append((label, done, total)),
        )

    sweep_base()
    assert seen == [("starting", 0, 1), ("base", 1, 1)]
    again = sweep_base()
    assert again["resumed"].all()
    assert seen == [("starting", 1, 1)]


@pytest.mark.slow
def test_pareto_front_ticks_once_per_budget_level(data_dir):
    from voorzieningen import sweep

    seen: list[tuple[str, int, int]] = []
    front = sweep.pareto_front(
        DELFT,
        [2e6, 1e6],
        data_dir=data_dir,
        sets=SMALL,
        tick=lambda label, done, total: seen.append((label, done, total)),
    )
    assert len(front.table) == 2
    assert seen == [
        ("budget 1,000,000 EUR", 0, 2),
        ("budget 2,000,000 EUR", 1, 2),
        ("done", 2, 2),
    ]
