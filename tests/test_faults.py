"""Faults (issue #7): solver time limits, a missing solver, a run killed while writing."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest

from voorzieningen import solve
from voorzieningen.errors import SolverError
from voorzieningen.schemas.solver import SolverSettings
from voorzieningen.solve import STATUS_TIME_LIMIT, solve_model

TESTS = Path(__file__).resolve().parent


def knapsack(items: int = 300, constraints: int = 10, seed: int = 3) -> pyo.ConcreteModel:
    """A random multi-dimensional 0-1 knapsack: HiGHS finds good plans at once (taking
    nothing is already one) but cannot prove optimality within seconds (gap ~0.3 % after 2 s).
    """
    rng = np.random.default_rng(seed)
    weight = rng.integers(1, 1000, (constraints, items))
    value = weight.sum(axis=0) / constraints + rng.integers(0, 500, items)
    m = pyo.ConcreteModel()
    m.N = pyo.RangeSet(0, items - 1)
    m.K = pyo.RangeSet(0, constraints - 1)
    m.x = pyo.Var(m.N, domain=pyo.Binary)
    m.obj = pyo.Objective(expr=sum(float(value[i]) * m.x[i] for i in m.N), sense=pyo.maximize)
    m.cap = pyo.Constraint(
        m.K,
        rule=lambda m, k: (
            sum(float(weight[k, i]) * m.x[i] for i in m.N) <= float(weight[k].sum()) / 2
        ),
    )
    m.weight = weight
    return m


@pytest.fixture
def hard_model() -> pyo.ConcreteModel:
    return knapsack()


def test_time_limit_returns_the_incumbent_with_its_gap(hard_model):
    # Limits are raised only if a heavily loaded machine found no plan at all in time.
    outcome = None
    failures: list[str] = []
    for limit in (0.2, 0.5, 1.0, 2.0, 4.0):
        try:
            outcome = solve_model(hard_model, SolverSettings(time_limit_s=limit))
        except SolverError as err:
            failures.append(str(err))
            continue
        break
    assert outcome is not None, failures
    assert outcome.status == STATUS_TIME_LIMIT, outcome
    assert not outcome.optimal
    assert outcome.termination == "maxTimeLimit"
    assert outcome.gap > 1e-4  # above the requested gap, so HiGHS did not stop on it
    assert outcome.bound > outcome.objective  # a maximisation stopped short of its bound
    # the incumbent is loaded into the model: a feasible plan with that objective
    chosen = np.array([round(pyo.value(hard_model.x[i])) for i in hard_model.N])
    assert (hard_model.weight @ chosen <= hard_model.weight.sum(axis=1) / 2 + 1e-6).all()
    assert pyo.value(hard_model.obj) == pytest.approx(outcome.objective, rel=1e-9)


def test_time_limit_without_a_plan_says_raise_the_limit(hard_model):
    with pytest.raises(
        SolverError,
        match=r"time limit of 1e-05 s without finding any plan; raise `solver\.time_limit_s`",
    ):
        solve_model(hard_model, SolverSettings(time_limit_s=1e-5))


def test_changing_threads_within_a_process_is_explained(hard_model):
    # HiGHS's thread scheduler is global and fixed by the first solve (any earlier test's).
    # On a busy machine 0.05 s may end without a plan; the scheduler is fixed all the same.
    with contextlib.suppress(SolverError):
        solve_model(hard_model, SolverSettings(time_limit_s=0.05))
    with pytest.raises(SolverError, match=r"fixes its number of threads at the first solve"):
        solve_model(hard_model, SolverSettings(time_limit_s=0.05, threads=48))


def test_missing_solver_is_a_clear_solver_error(monkeypatch):
    monkeypatch.setattr(solve.Highs, "available", lambda self: False)
    model = knapsack(5, 1)
    with pytest.raises(
        SolverError, match=r"HiGHS solver is not available: install it with `pip install highspy`"
    ):
        solve_model(model)


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from test_report import NO_MAPS, toy_results
    from voorzieningen import report
    from voorzieningen.record import SavedRun

    target = Path({target!r})
    real = report.write_csv

    def slow(frame, path, **kwargs):
        real(frame, path, **kwargs)
        Path({marker!r}).write_text(str(path), encoding="utf-8")
        time.sleep(60)  # killed here, in the middle of writing the new results

    report.write_csv = slow
    report.write_report(SavedRun.from_results(toy_results("second")), target, settings=NO_MAPS)
    """
)


def test_run_killed_while_writing_leaves_earlier_results(tmp_path):
    from test_report import NO_MAPS, toy_results
    from voorzieningen.record import SavedRun
    from voorzieningen.report import read_table, write_report

    target = tmp_path / "delft" / "base"
    write_report(SavedRun.from_results(toy_results("first")), target, settings=NO_MAPS)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    marker = tmp_path / "writing"
    code = CHILD.format(tests=str(TESTS), target=str(target), marker=str(marker))
    child = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, f"the writer exited early with {child.returncode}"
            assert time.monotonic() < deadline, "the writer never started writing"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
    # the new run got as far as a temporary folder next to the target ...
    written = Path(marker.read_text(encoding="utf-8"))
    assert written.parent != target
    assert written.parent.parent == target.parent
    # ... and the earlier results are untouched, byte for byte
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert read_table(target / "decisions.csv").loc[0, "name"] == "first"
    assert not (target.parent / ".history").exists()


def test_unknown_highs_option_is_refused():
    import pyomo.environ as pyo

    from voorzieningen.errors import SolverError
    from voorzieningen.schemas.solver import SolverSettings
    from voorzieningen.solve import solve_model

    m = pyo.ConcreteModel()
    m.x = pyo.Var(within=pyo.Binary)
    m.o = pyo.Objective(expr=m.x)
    assert solve_model(
        m, SolverSettings(mip_abs_gap=0.5, highs_options={"mip_heuristic_effort": 0.1})
    ).optimal
    with pytest.raises(
        SolverError, match=r"highs_options\) \| HiGHS does not accept no_such_option=1"
    ):
        solve_model(m, SolverSettings(highs_options={"no_such_option": 1}))


def test_presolve_setting_reaches_highs():
    import pyomo.environ as pyo
    from pydantic import ValidationError

    from voorzieningen.schemas.solver import SolverSettings
    from voorzieningen.solve import HighsSession

    m = pyo.ConcreteModel()
    m.x = pyo.Var(within=pyo.Binary)
    m.o = pyo.Objective(expr=m.x)

    def presolve_seen_by_highs(settings: SolverSettings) -> str:
        session = HighsSession(settings)
        assert session.solve(m).optimal
        _, value = session._solver._solver_model.getOptionValue("presolve")
        return str(value)

    assert presolve_seen_by_highs(SolverSettings()) == "off"  # the default
    assert presolve_seen_by_highs(SolverSettings(presolve="choose")) == "choose"
    # A presolve given in highs_options takes precedence, as documented.
    both = SolverSettings(presolve="off", highs_options={"presolve": "on"})
    assert presolve_seen_by_highs(both) == "on"
    with pytest.raises(ValidationError, match=r"presolve\n.*'off', 'choose' or 'on'"):
        SolverSettings(presolve="maybe")  # type: ignore[arg-type]
