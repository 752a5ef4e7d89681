"""Limits kept (issue 14, item 5): the time limit covers the whole solve stage, a model that
cannot fit in memory is refused before it is built, threads only through ``solver.threads``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pyomo.environ as pyo
import pytest

from voorzieningen import api
from voorzieningen.errors import ScenarioError, SolverError
from voorzieningen.model import size as sizes
from voorzieningen.model.build import build_model
from voorzieningen.model.size import check_model_fits, estimate_model_size
from voorzieningen.scenarios import load_scenario
from voorzieningen.schemas.solver import SolverSettings
from voorzieningen.solve import STATUS_TIME_LIMIT, solve_model

REPO = Path(__file__).resolve().parents[1]
DELFT = REPO / "inputs" / "delft" / "scenarios.toml"
sys.path.insert(0, str(REPO / "benchmarks"))


def test_a_deadline_shortens_the_time_highs_gets():
    from test_faults import knapsack

    model = knapsack()  # HiGHS cannot prove it optimal within seconds
    start = time.perf_counter()
    outcome = solve_model(
        model, SolverSettings(time_limit_s=120), deadline=time.perf_counter() + 1.0
    )
    took = time.perf_counter() - start
    # 120 s without the deadline; with it, 1 s plus the hand-over (margin: under 15 s even on
    # a loaded machine, against the 120 s it would otherwise run)
    assert outcome.status == STATUS_TIME_LIMIT, outcome
    assert took < 15, took


def test_a_deadline_already_past_stops_with_a_message():
    from test_faults import knapsack

    with pytest.raises(
        SolverError,
        match=r"^The model build and its hand-over to HiGHS took [\d.]+ s \(hand-over [\d.]+ s\) of "
        r"solver\.time_limit_s = 2 s, which bounds the whole solve stage",
    ):
        solve_model(
            knapsack(20, 2), SolverSettings(time_limit_s=2), deadline=time.perf_counter() - 0.5
        )


def test_a_slow_build_counts_against_the_time_limit(data_dir, monkeypatch):
    # The build takes 3 s (stretched) of a 2-second limit: the run stops before the solve.
    def slow_build(data: Any) -> Any:
        built = build_model(data)
        time.sleep(3.0)
        return built

    monkeypatch.setattr(api, "build_model", slow_build)
    sets = ["network.method=estimate", "solver.time_limit_s=2"]
    with pytest.raises(SolverError, match=r"took [\d.]+ s .* of solver\.time_limit_s = 2 s"):
        api.run_scenario(DELFT, sets=sets, data_dir=data_dir)


@pytest.mark.parametrize(("zones", "sites"), [(20, 15), (60, 30)])
def test_the_size_estimate_is_close_to_the_built_model(zones: int, sites: int):
    from model_scale import synthetic

    data = synthetic(zones, sites, 1)
    estimate = estimate_model_size(data)
    model, _ = build_model(data)
    variables = sum(1 for _ in model.component_data_objects(pyo.Var))
    rows = sum(1 for _ in model.component_data_objects(pyo.Constraint, active=True))
    assert 0.8 < estimate.variables / variables < 1.2, (estimate, variables)
    assert 0.8 < estimate.rows / rows < 1.25, (estimate, rows)


def test_a_model_beyond_the_memory_limit_is_refused():
    from model_scale import synthetic

    data = synthetic(20, 15, 1)
    size = estimate_model_size(data)
    # 400 MiB + 4 MiB per 1,000 variables and rows
    assert size.memory_mib == pytest.approx(400 + (size.variables + size.rows) / 1000 * 4)
    assert check_model_fits(data, size.memory_mib + 1) == size  # just fits
    with pytest.raises(
        SolverError,
        match=r"\(solver\.memory_limit_mib\) \| the model would need about [\d,]+ MiB "
        r"\([\d,]+ variables, [\d,]+ rows; [\d,]+ zone-site pairs x 4 periods, [\d,]+ "
        r"options\), more than solver\.memory_limit_mib \([\d,]+ MiB\)",
    ):
        check_model_fits(data, size.memory_mib - 1)


def test_available_memory_falls_back_to_proc_meminfo(tmp_path, monkeypatch):
    real_import = sizes.importlib.import_module

    def no_psutil(name: str, *args: Any) -> Any:
        if name == "psutil":
            raise ImportError(name)
        return real_import(name, *args)

    monkeypatch.setattr(sizes.importlib, "import_module", no_psutil)
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(
        "MemTotal:       24000000 kB\nMemFree:         1000000 kB\nMemAvailable:    2048000 kB\n",
        encoding="ascii",
    )
    monkeypatch.setattr(sizes, "MEMINFO", meminfo)
    assert sizes.available_memory_mib() == pytest.approx(2000.0)  # 2,048,000 KiB
    monkeypatch.setattr(sizes, "MEMINFO", tmp_path / "missing")
    assert sizes.available_memory_mib() is None


def test_the_memory_available_is_the_default_limit(monkeypatch):
    from model_scale import synthetic

    data = synthetic(20, 15, 1)
    need = estimate_model_size(data).memory_mib
    monkeypatch.setattr(sizes, "available_memory_mib", lambda: need - 10)
    with pytest.raises(SolverError, match=r"more than the memory available now"):
        check_model_fits(data)
    monkeypatch.setattr(sizes, "available_memory_mib", lambda: None)  # unknown: no check
    assert check_model_fits(data).memory_mib == need


def test_threads_go_only_through_solver_threads():
    with pytest.raises(
        ScenarioError,
        match=r"solver\.highs_options\) \| .*give the number of threads as solver\.threads",
    ):
        load_scenario(DELFT, sets=["solver.highs_options.threads=100000"])
    with pytest.raises(ScenarioError, match=r"solver\.threads\) \| Input should be less than"):
        load_scenario(DELFT, sets=["solver.threads=65"])
    assert load_scenario(DELFT, sets=["solver.threads=64"]).solver.threads == 64


def test_a_yaml_alias_bomb_fails_fast_and_bounded():
    bomb = REPO / "tests" / "bad_inputs" / "yaml_alias_bomb" / "scenarios.yaml"
    assert bomb.stat().st_size < 1000  # a small file that expands to 9^9 strings
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match=r"YAML alias \*a at line 4 is not allowed"):
        load_scenario(bomb)
    assert time.perf_counter() - start < 5  # refused at the first alias, not expanded


def test_a_scenario_file_over_one_mib_is_refused(tmp_path):
    big = tmp_path / "scenarios.toml"
    text = DELFT.read_text(encoding="utf-8")
    big.write_text(text + "# padding\n" * 110_000, encoding="utf-8")
    assert big.stat().st_size > 1024 * 1024
    with pytest.raises(
        ScenarioError, match=r"scenario file of [\d,]+ bytes is larger than 1,048,576 bytes"
    ):
        load_scenario(big)
    big.write_text(text + "# padding\n" * 100_000, encoding="utf-8")
    assert big.stat().st_size < 1024 * 1024  # the margin: just under the cap, it is read
    assert load_scenario(big).region == "delft"
