"""The LP-guided solve (``solve_model(..., guide=...)``): exact, on hand-solved models.

Three steps (``models/investment.md``, section Solving): the LP relaxation, the model with
the guide variables that are 0 in that LP held at 0, then the full model with that plan as
a MIP start, unless the restricted plan is already within the gap of the LP bound.
"""

from __future__ import annotations

import math
import time

import pyomo.environ as pyo
import pytest

from voorzieningen.schemas.solver import SolverSettings
from voorzieningen.solve import STATUS_OPTIMAL, HighsSession, solve_model


def trap() -> pyo.ConcreteModel:
    """min 2a + 3b s.t. a + 2b >= 1, a, b binary.

    LP relaxation: b = 0.5, a = 0, cost 1.5 (per unit of cover b costs 1.5, a costs 2: the
    LP optimum is unique). Integer optimum: a = 1, cost 2 (b = 1 costs 3, a margin of 1).
    Holding a at 0 (its LP value) leaves the restricted plan b = 1 at cost 3, 50 % above
    the LP bound, so the full model must be solved to find a = 1.
    """
    m = pyo.ConcreteModel()
    m.a = pyo.Var(within=pyo.Binary)
    m.b = pyo.Var(within=pyo.Binary)
    m.cover = pyo.Constraint(expr=m.a + 2 * m.b >= 1)
    m.obj = pyo.Objective(expr=2 * m.a + 3 * m.b)
    return m


def integral_max() -> pyo.ConcreteModel:
    """max 3a + 2b s.t. a + b <= 1, a, b binary: the LP optimum a = 1 (3 > 2) is integral."""
    m = pyo.ConcreteModel()
    m.a = pyo.Var(within=pyo.Binary)
    m.b = pyo.Var(within=pyo.Binary)
    m.one = pyo.Constraint(expr=m.a + m.b <= 1)
    m.obj = pyo.Objective(expr=3 * m.a + 2 * m.b, sense=pyo.maximize)
    return m


def count_solves(
    monkeypatch: pytest.MonkeyPatch, seconds_left: list[float] | None = None
) -> list[bool]:
    """Record the ``warm_start`` flag (and the seconds to its deadline) of every solve."""
    calls: list[bool] = []
    original = HighsSession.solve

    def counted(self, model, *, warm_start=False, objective_scale=1.0, deadline=None):  # type: ignore[no-untyped-def]
        calls.append(warm_start)
        if seconds_left is not None:
            seconds_left.append(math.inf if deadline is None else deadline - time.perf_counter())
        return original(
            self, model, warm_start=warm_start, objective_scale=objective_scale, deadline=deadline
        )

    monkeypatch.setattr(HighsSession, "solve", counted)
    return calls


def test_guided_steps_share_one_time_limit(monkeypatch):
    # time_limit_s = 100: step (1) ends by 40 s (GUIDED_SHARE), step (2) by 40 s or at
    # least 15 s after it starts (RESTRICTED_SHARE), step (3) by 100 s from the start; the
    # tiny model takes milliseconds, so each step gets just under its share. Every step
    # used to get the whole 100 s (the guided solve ran up to three times its limit).
    left: list[float] = []
    calls = count_solves(monkeypatch, left)
    m = trap()
    solve_model(m, SolverSettings(mip_rel_gap=0.0, time_limit_s=100), guide=[m.a, m.b])
    assert calls == [False, False, True]
    assert 35 < left[0] <= 40
    assert 35 < left[1] <= 40
    assert 95 < left[2] <= 100


def test_guided_solve_finds_the_full_models_optimum_beyond_the_lp_zeros(monkeypatch):
    calls = count_solves(monkeypatch)
    m = trap()
    outcome = solve_model(m, SolverSettings(mip_rel_gap=0.0), guide=[m.a, m.b])
    assert outcome.status == STATUS_OPTIMAL
    assert outcome.objective == pytest.approx(2.0)
    assert (pyo.value(m.a), pyo.value(m.b)) == pytest.approx((1.0, 0.0))
    assert outcome.gap == pytest.approx(0.0, abs=1e-9)
    # LP, restricted model, then the full model started from the restricted plan.
    assert calls == [False, False, True]
    # The guide variables are binary with their own bounds again.
    assert m.a.is_binary()
    assert m.b.is_binary()
    assert (m.a.lb, m.a.ub) == (0, 1)


def test_restricted_plan_within_the_gap_of_the_lp_bound_is_returned_at_once(monkeypatch):
    calls = count_solves(monkeypatch)
    m = integral_max()
    outcome = solve_model(m, SolverSettings(mip_rel_gap=1e-4), guide=[m.a, m.b])
    assert outcome.status == STATUS_OPTIMAL
    assert outcome.objective == pytest.approx(3.0)
    # For a maximisation the LP value bounds from above: bound 3 = plan 3.
    assert outcome.bound == pytest.approx(3.0)
    assert calls == [False, False]


def test_guided_and_plain_solves_agree_on_an_lp_with_a_gap():
    """Without guide the model is solved directly; with it the same optimum comes back."""
    plain = solve_model(trap(), SolverSettings(mip_rel_gap=0.0))
    m = trap()
    guided = solve_model(m, SolverSettings(mip_rel_gap=0.0), guide=[m.a])
    assert plain.objective == pytest.approx(2.0)
    assert guided.objective == pytest.approx(plain.objective)
