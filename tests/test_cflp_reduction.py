"""CFLP reduction: hand-checked pieces, and the reduced model keeps every optimum."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from voorzieningen.model import presets
from voorzieningen.model.presets import cflp_reduction as cr
from voorzieningen.schemas.solver import SolverSettings
from voorzieningen.solve import HighsSession, solve_model

EXACT = SolverSettings(mip_rel_gap=0.0, time_limit_s=60)


def test_site_values_fill_the_capacity_best_per_unit_first():
    # one site, lambda = 3: reduced costs -2, +1, -1; per unit of demand -2, (none), -1.
    c = np.array([[1.0], [4.0], [2.0]])
    q = np.array([1.0, 2.0, 1.0])
    lam = np.full(3, 3.0)
    value, share = cr.site_values(c, q, np.array([2.0]), lam)
    assert value.tolist() == [-3.0]  # both clients of negative cost fit: -2 - 1
    assert share[:, 0].tolist() == [1.0, 0.0, 1.0]
    value, share = cr.site_values(c, q, np.array([1.5]), lam)
    assert value.tolist() == [-2.5]  # client 0 whole, half of client 2: -2 - 0.5
    assert share[:, 0].tolist() == [1.0, 0.0, 0.5]


def test_knapsack_cover_takes_negative_sites_then_cheapest_capacity():
    # site 0 (value -3, capacity 2) is taken; 2 units short: site 1 costs 0.5 per unit,
    # site 2 1.0 per unit, so half of site 1: -3 + 0.5 * 2 = -2.
    value, y = cr.knapsack_cover(np.array([-3.0, 2.0, 1.0]), np.array([2.0, 4.0, 1.0]), 4.0)
    assert value == pytest.approx(-2.0)
    assert y.tolist() == [1.0, 0.5, 0.0]
    # the demand exceeds all capacity: no plan
    assert cr.knapsack_cover(np.array([1.0]), np.array([1.0]), 2.0)[0] == np.inf


def test_transport_prices_an_open_set_with_split_demand():
    # two clients of demand 8; site 0 holds 12, site 1 holds 6 (both open, fixed 1 + 1):
    # client 0 -> site 0 (cost 1 x 1), client 1 -> 4 units at site 0 and 4 at site 1
    # (costs 2 and 3 for the whole demand: 0.5 x 2 + 0.5 x 3 = 2.5); total 2 + 1 + 2.5.
    c = np.array([[1.0, 5.0], [2.0, 3.0]])
    q = np.array([8.0, 8.0])
    s = np.array([12.0, 6.0])
    f = np.array([1.0, 1.0])
    cost, share = cr.transport(c, q, s, f, np.array([True, True]))
    assert cost == pytest.approx(5.5)
    assert share == pytest.approx(np.array([[1.0, 0.0], [0.5, 0.5]]))
    # site 1 alone is too small for the demand of 16
    assert cr.transport(c, q, s, f, np.array([False, True]))[0] == np.inf


def test_expensive_site_is_closed_and_the_optimum_kept():
    # sites A, B cost 5 to open, C 100; client 0 is at A (cost 1), client 1 at B (cost 1),
    # C costs 10 for both. Plans: {A, B} 5 + 5 + 1 + 1 = 12, {A} or {B} 5 + 1 + 10 = 16,
    # anything with C >= 100. The bound of opening C exceeds U = 12 by 88 or more.
    c = np.array([[1.0, 10.0, 10.0], [10.0, 1.0, 10.0]])
    q = np.array([1.0, 1.0])
    s = np.array([5.0, 5.0, 5.0])
    f = np.array([5.0, 5.0, 100.0])
    red = cr.reduce_cflp(c, q, s, f)
    assert red is not None
    assert red.upper_bound == pytest.approx(12.0)
    assert red.lower_bound <= 12.0 + 1e-9
    assert red.closed.tolist() == [False, False, True]
    assert red.heuristic_open.tolist() == [True, True, False]
    built = presets.build_cflp(c, demands=q, capacities=s, fixed_costs=f, reduce=True)
    assert built.model.open[2].ub == 0
    assert presets.set_start(built)
    assert pyo.value(built.model.cost) == pytest.approx(12.0)
    outcome = HighsSession(EXACT).solve(built.model, warm_start=True)
    assert outcome.objective == pytest.approx(12.0)
    assert presets.extract_solution(built).open_sites.tolist() == [0, 1]


def random_cflp(rng: np.random.Generator, m: int, n: int, ratio: float):
    sites, clients = rng.random((m, 2)), rng.random((n, 2))
    q = rng.uniform(5, 35, n)
    s = rng.uniform(10, 160, m)
    s *= ratio * q.sum() / s.sum()
    f = rng.uniform(0, 90, m) + rng.uniform(100, 110, m) * np.sqrt(s)
    d = np.hypot(*(clients[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    return 10 * d * q[:, None], q, s, f


def test_reduction_never_cuts_an_optimum():
    # Against the plain MIP: same optimum; no optimal plan opens a closed site or closes a
    # forced one (an optimal plan that did would cost more than the heuristic's, which is
    # at least the optimum), and the optimal shares respect the share bounds. Fixing needs
    # bound > U (1 + 1e-6); over these 12 instances it fixes sites and caps shares below
    # min(1, s / q) (both counted), or this test would prove nothing.
    rng = np.random.default_rng(7)
    fixed, capped = 0, 0
    for ratio in (1.3, 2.0, 4.0):
        for _ in range(4):
            c, q, s, f = random_cflp(rng, 8, 30, ratio)
            plain = presets.build_cflp(c, demands=q, capacities=s, fixed_costs=f, reduce=False)
            best = solve_model(plain.model, EXACT)
            assert best.optimal
            plan = presets.extract_solution(plain)
            is_open = np.zeros(8, dtype=bool)
            is_open[plan.open_sites] = True
            red = cr.reduce_cflp(c, q, s, f)
            assert red is not None
            assert red.lower_bound <= best.objective * (1 + 1e-9)
            assert red.upper_bound >= best.objective * (1 - 1e-9)
            assert not (red.closed & is_open).any()
            assert not (red.forced & ~is_open).any()
            # every optimal plan keeps its shares within the bounds (U >= optimum)
            x = np.zeros((30, 8))
            pairs = plain.spec.pairs
            x[pairs[:, 0], pairs[:, 1]] = [v.value for v in plain.model.assign.values()]
            assert (x <= red.share_bound + 1e-7).all()
            fixed += int(red.closed.sum() + red.forced.sum())
            capped += int((red.share_bound[:, ~red.closed] < 1 - 1e-9).sum())
            built = presets.build_cflp(c, demands=q, capacities=s, fixed_costs=f, reduce=True)
            warm = presets.set_start(built)
            reduced = HighsSession(EXACT).solve(built.model, warm_start=warm)
            assert reduced.objective == pytest.approx(best.objective, rel=1e-9)
    assert fixed >= 10
    assert capped >= 100


def test_wrong_fixing_would_fail():
    # The check above can fail: closing a site the optimum needs changes the optimum.
    c = np.array([[1.0, 10.0, 10.0], [10.0, 1.0, 10.0]])
    built = presets.build_cflp(
        c, demands=[1, 1], capacities=[5, 5, 5], fixed_costs=[5, 5, 100], reduce=False
    )
    built.model.open[1].setub(0)  # a "reduction" that closes B
    assert solve_model(built.model, EXACT).objective == pytest.approx(16.0)


def test_forbidden_pairs_and_zero_demand_are_handled():
    # client 2 has no demand; client 0 may not use site 1. Plans: {0} 3 + 1 + 4 + 0 = 8,
    # {1} infeasible (client 0), {0, 1} 3 + 3 + 1 + 1 + 0 = 8 (same): optimum 8.
    c = np.array([[1.0, np.inf], [4.0, 1.0], [0.0, 0.0]])
    q = np.array([1.0, 1.0, 0.0])
    s = np.array([5.0, 5.0])
    f = np.array([3.0, 3.0])
    red = cr.reduce_cflp(c, q, s, f)
    assert red is not None
    assert red.upper_bound == pytest.approx(8.0)
    assert red.lower_bound <= 8.0 + 1e-9
    assert not red.closed[0]
    built = presets.build_cflp(c, demands=q, capacities=s, fixed_costs=f, reduce=True)
    warm = presets.set_start(built)
    assert HighsSession(EXACT).solve(built.model, warm_start=warm).objective == pytest.approx(8)


def test_cflp_is_not_reduced_by_default():
    # reduce=False is the default (slower on the 50 x 50 cap set, benchmarks/README.md)
    c = np.array([[1.0, 10.0, 10.0], [10.0, 1.0, 10.0]])
    plain = presets.build_cflp(c, demands=[1, 1], capacities=[5, 5, 5], fixed_costs=[5, 5, 100])
    assert plain.spec.start is None
    assert plain.model.open[2].ub == 1


def test_capacity_prices_are_the_knapsack_duals():
    # the site of test_site_values: reduced costs -2, +1, -1 (per unit -2, none, -1).
    c = np.array([[1.0], [4.0], [2.0]])
    q = np.array([1.0, 2.0, 1.0])
    lam = np.full(3, 3.0)
    # capacity 1.5: client 2 is the first that does not fit whole: mu = 1 (its -(-1)/1);
    # reduced costs + mu q = -1, 3, 0 and -mu s + sum min(0, .) = -1.5 - 1 = v = -2.5
    assert cr.capacity_prices(c, q, np.array([1.5]), lam).tolist() == [1.0]
    # capacity 2: both clients of negative cost fit, the capacity does not bind
    assert cr.capacity_prices(c, q, np.array([2.0]), lam).tolist() == [0.0]
    # capacity 0.5: client 0 (per unit -2) is already cut: mu = 2
    assert cr.capacity_prices(c, q, np.array([0.5]), lam).tolist() == [2.0]


def test_share_bounds_follow_the_reduced_cost():
    # same site, capacity 1.5, mu = 1: reduced costs -1, 3, 0. The plans opening it have
    # bound B = 10; with U = 10.6 a share t of client 1 raises it by 3 t <= 0.6: t <= 0.2.
    # Client 0 (reduced cost < 0) and client 2 (= 0) keep min(1, s / q) = 1.
    c = np.array([[1.0], [4.0], [2.0]])
    q = np.array([1.0, 2.0, 1.0])
    bound = cr.share_bounds(c, q, np.array([1.5]), np.full(3, 3.0), (np.array([10.0]), 10.6))
    assert bound[:, 0] == pytest.approx([1.0, 0.2, 1.0])
    # with U = 10 exactly nothing is left for client 1; with U = 20 its cap is s / q = 0.75
    bound = cr.share_bounds(c, q, np.array([1.5]), np.full(3, 3.0), (np.array([10.0]), 10.0))
    assert bound[1, 0] == 0.0
    bound = cr.share_bounds(c, q, np.array([1.5]), np.full(3, 3.0), (np.array([10.0]), 20.0))
    assert bound[1, 0] == 0.75


def test_linked_pairs_keep_the_nearest_and_the_clients_without_demand():
    # client 0: costs 3, 1, 2 -> nearest is site 1 (pair 1); client 1 has no demand: all
    # its pairs (3, 4, 5) keep the row; client 2 may use sites 0 and 2 only: site 2 (pair 7).
    c = np.array([[3.0, 1.0, 2.0], [1.0, 1.0, 1.0], [5.0, np.inf, 4.0]])
    pairs = np.argwhere(np.isfinite(c)).astype(np.int64)
    q = np.array([1.0, 0.0, 2.0])
    assert cr.linked_pairs(c, q, pairs, 1).tolist() == [1, 3, 4, 5, 7]
    assert cr.linked_pairs(c, q, pairs, 2).tolist() == [1, 2, 3, 4, 5, 6, 7]


def test_restricted_plan_uses_only_the_nearest_sites(monkeypatch):
    # Two clients of demand 1; sites 0 and 1 (fixed 5) each nearest to one client (cost 1),
    # site 2 (fixed 1) second for both (cost 2). CFLP optimum: {2}, 1 + 2 + 2 = 5. With one
    # site per client the restricted MIP must open {0, 1} (12): it is a restriction.
    c = np.array([[1.0, 9.0, 2.0], [9.0, 1.0, 2.0]])
    q, s, f = np.ones(2), np.full(3, 2.0), np.array([5.0, 5.0, 1.0])
    allowed, forced = np.ones(3, dtype=bool), np.zeros(3, dtype=bool)
    assert cr.restricted_plan(c, q, s, f, (allowed, forced)).tolist() == [False, False, True]
    monkeypatch.setattr(cr, "RESTRICTED_NEAREST", 1)
    assert cr.restricted_plan(c, q, s, f, (allowed, forced)).tolist() == [True, True, False]
    # the pairs of a start plan join the restriction: from {2}, the optimum stays reachable
    start = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    assert cr.restricted_plan(c, q, s, f, (allowed, forced), start).tolist() == [False, False, True]


def test_presets_md_quotes_the_reduction_constants():
    # models/presets.md section 6 states these numbers; the code must use the same ones
    from pathlib import Path

    text = (Path(__file__).parents[1] / "models" / "presets.md").read_text(encoding="utf-8")
    section = text.split("## 6. Reductions of the CFLP", 1)[1]
    quoted = [
        f"{cr.LAGRANGIAN_ROUNDS} rounds of at most {cr.LAGRANGIAN_ITERATIONS} steps",
        f"every {cr.PLAN_EVERY} steps",
        f"the last {cr.LAGRANGIAN_PLANS} distinct ones",
        f"the {cr.SWAP_TRIES} best swaps",
        f"({cr.SWAP_LPS} LPs at most)",
        f"the ${cr.RESTRICTED_SITES} |S_H|$ others",
        f"its {cr.RESTRICTED_NEAREST} cheapest candidates",
        f"HiGHS heuristic effort {cr.RESTRICTED_HEURISTIC_EFFORT:g}",
        f"{cr.RESTRICTED_TIME_S:g} s or relative gap $10^{{{np.log10(cr.RESTRICTED_GAP):.0f}}}$",
        f"margin $10^{{{np.log10(cr.FIXING_TOLERANCE):.0f}}} |U|$",
        f"each client's {cr.LINKED_NEAREST} cheapest allowed pairs",
        f"`mip_heuristic_effort = {cr.CFLP_START_OPTIONS['mip_heuristic_effort']:g}`",
        f"`mip_pscost_minreliable = {cr.CFLP_START_OPTIONS['mip_pscost_minreliable']}`",
    ]
    missing = [phrase for phrase in quoted if phrase not in section]
    assert missing == []


def test_dropping_far_link_rows_keeps_the_optimum(monkeypatch):
    # (P4) kept for each client's nearest site only: the capacity rows still tie every
    # share to its site, so the optimum is the plain one (6 instances; rows were dropped).
    from voorzieningen.model.presets import covering

    monkeypatch.setattr(covering, "LINKED_NEAREST", 1)
    rng = np.random.default_rng(11)
    for ratio in (1.3, 2.0, 4.0):
        for _ in range(2):
            c, q, s, f = random_cflp(rng, 6, 20, ratio)
            plain = presets.build_cflp(c, demands=q, capacities=s, fixed_costs=f)
            best = solve_model(plain.model, EXACT).objective
            built = presets.build_cflp(c, demands=q, capacities=s, fixed_costs=f, reduce=True)
            assert len(built.model.c_assign_open) == 20 < len(built.model.assign)
            warm = presets.set_start(built)
            reduced = HighsSession(EXACT).solve(built.model, warm_start=warm)
            assert reduced.objective == pytest.approx(best, rel=1e-9)
            assert presets.extract_solution(built).objective == pytest.approx(best, rel=1e-9)
