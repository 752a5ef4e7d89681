"""Classic facility-location presets: hand-solved tiny instances, validation, cross-checks."""

from __future__ import annotations

import gc
import itertools

import numpy as np
import pyomo.environ as pyo
import pytest

from voorzieningen.errors import InfeasibleModelError, InputDataError, SolverError
from voorzieningen.model import presets
from voorzieningen.model.presets import reduction
from voorzieningen.model.presets.common import add_rows, rows_to_expressions
from voorzieningen.schemas.solver import SolverSettings
from voorzieningen.solve import HighsSession, solve_model

EXACT = SolverSettings(mip_rel_gap=0.0, time_limit_s=60)


def solve(built: presets.PresetModel) -> presets.PresetSolution:
    outcome = solve_model(built.model, EXACT)
    assert outcome.optimal
    plan = presets.extract_solution(built)
    # the objective recomputed from the plan equals the solver's (up to its tolerances)
    assert plan.objective == pytest.approx(outcome.objective, rel=1e-6, abs=1e-5)
    return plan


# --------------------------------------------------------------------------- hand-solved

LINE3 = np.array([[0.0, 4, 9], [4, 0, 5], [9, 5, 0]])  # three points at 0, 4, 9 on a line


@pytest.mark.parametrize("formulation", ["radius", "assignment"])
def test_p_median_one_site(formulation):
    # p = 1: site 0 costs 0+4+9 = 13, site 1 costs 4+0+5 = 9, site 2 costs 9+5+0 = 14.
    plan = solve(presets.build_p_median(LINE3, p=1, formulation=formulation))
    assert plan.open_sites.tolist() == [1]
    assert plan.assignment.tolist() == [1, 1, 1]
    assert plan.objective == 9


@pytest.mark.parametrize("formulation", ["radius", "assignment"])
def test_p_median_weighted_two_sites(formulation):
    # weights (1, 2, 1), p = 2: {0,1} -> 0+0+5 = 5; {0,2} -> 0+2*4+0 = 8; {1,2} -> 4+0+0 = 4.
    plan = solve(presets.build_p_median(LINE3, p=2, weights=[1, 2, 1], formulation=formulation))
    assert plan.open_sites.tolist() == [1, 2]
    assert plan.assignment.tolist() == [1, 1, 2]
    assert plan.objective == 4


def test_p_median_forbidden_pair_is_respected():
    # client 0 may not use site 1 (+inf): p = 1 -> site 0: 0+4+9 = 13, site 2: 9+5+0 = 14.
    costs = LINE3.copy()
    costs[0, 1] = np.inf
    plan = solve(presets.build_p_median(costs, p=1))
    assert plan.open_sites.tolist() == [0]
    assert plan.objective == 13


@pytest.mark.parametrize("formulation", ["radius", "assignment"])
def test_uflp(formulation):
    # fixed (10, 3); {0}: 10+1+2+8 = 21; {1}: 3+5+4+1 = 13; {0,1}: 13+1+2+1 = 17.
    costs = [[1.0, 5], [2, 4], [8, 1]]
    plan = solve(presets.build_uflp(costs, fixed_costs=[10, 3], formulation=formulation))
    assert plan.open_sites.tolist() == [1]
    assert plan.objective == 13


def test_p_center():
    # points 0, 2, 3, 10, 11, p = 2: {0,2,3} around 2 (radius 2) and {10,11} (radius 1)
    # give 2; any other split leaves a cluster spanning >= 7, so the optimum is 2.
    x = np.array([0.0, 2, 3, 10, 11])
    plan = solve(presets.build_p_center(np.abs(x[:, None] - x[None, :]), p=2))
    assert 1 in plan.open_sites
    assert plan.objective == 2


def test_mclp():
    # radius 5: site 0 covers clients 0, 1 (10+20 = 30); site 1 covers 2, 3 (30+40 = 70).
    costs = [[1.0, 9], [4, 6], [7, 2], [9, 3]]
    plan = solve(presets.build_mclp(costs, p=1, radius=5, weights=[10, 20, 30, 40]))
    assert plan.open_sites.tolist() == [1]
    assert plan.assignment.tolist() == [-1, -1, 1, 1]
    assert plan.objective == 70


def test_lscp():
    # radius 5 (inclusive): client 0 <- {0}, 1 <- {0,1}, 2 <- {1,2}, 3 <- {2}; sites 0 and 2
    # are forced and cover everyone: 2 sites.
    costs = [[1.0, 9, 9], [3, 4, 9], [9, 5, 2], [9, 9, 1]]
    plan = solve(presets.build_lscp(costs, radius=5))
    assert plan.open_sites.tolist() == [0, 2]
    assert plan.objective == 2


def test_cflp_splits_demand():
    # demands 8+8 = 16 > capacity 12 of the cheap site 0, so both sites open (fixed 1+1);
    # per unit site 0 costs 1, site 1 costs 2: 12*1 + 4*2 = 20, total 22.
    costs = [[8.0, 16], [8, 16]]
    plan = solve(presets.build_cflp(costs, demands=[8, 8], capacities=[12, 6], fixed_costs=[1, 1]))
    assert plan.open_sites.tolist() == [0, 1]
    assert plan.allocation is not None
    assert plan.allocation[:, 0].sum() == pytest.approx(1.5)
    assert plan.objective == pytest.approx(22)


def test_cpmp_single_source():
    # points 0, 1, 2, 10, unit demands, capacity 2, p = 2: each median serves exactly 2.
    # Best: medians {1, 10} (or {1, 2}): 0 and 1 together (cost 1), 2 with 10 (cost 8) = 9.
    x = np.array([0.0, 1, 2, 10])
    d = np.abs(x[:, None] - x[None, :])
    plan = solve(presets.build_cpmp(d, p=2, demands=np.ones(4), capacities=2))
    assert plan.objective == 9
    assert plan.allocation is not None
    assert set(np.unique(plan.allocation)) <= {0.0, 1.0}
    assert np.bincount(plan.assignment, minlength=4).max() == 2


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("costs", "match"),
    [
        ([1.0, 2.0], r"2-D array of shape \(clients, sites\); got shape \(2,\)"),
        (np.zeros((0, 3)), r"non-empty 2-D"),
        ([[1.0, np.nan]], r"1 NaN entries \(first \(client, site\): \(0, 1\)\)"),
        ([[1.0, -2.0]], r"1 negative entries .*\(0, 1\).*>= 0"),
        ([["a", "b"]], r"numeric 2-D array"),
    ],
)
def test_bad_costs(costs, match):
    with pytest.raises(InputDataError, match=match):
        presets.build_p_median(costs, p=1)


def test_unreachable_client():
    with pytest.raises(InfeasibleModelError, match=r"1 clients have cost \+inf.*clients 1\."):
        presets.build_p_median([[1.0, 2.0], [np.inf, np.inf]], p=1)


def test_p_too_large_and_too_small():
    with pytest.raises(InfeasibleModelError, match=r"`p` = 4 sites .* only 3 candidate sites"):
        presets.build_p_median(LINE3, p=4)
    with pytest.raises(InputDataError, match=r"`p` must be at least 1; got 0"):
        presets.build_mclp(LINE3, p=0, radius=1)
    with pytest.raises(InputDataError, match=r"`p` must be an integer"):
        presets.build_p_center(LINE3, p=1.5)  # type: ignore[arg-type]


def test_bad_weights_and_radius():
    with pytest.raises(InputDataError, match=r"`weights` must have one value per client \(3\)"):
        presets.build_p_median(LINE3, p=1, weights=[1, 2])
    with pytest.raises(InputDataError, match=r"`weights` must be finite and >= 0; 1 clients"):
        presets.build_mclp(LINE3, p=1, radius=1, weights=[1, -1, 1])
    with pytest.raises(InputDataError, match=r"`radius` must be a finite number >= 0"):
        presets.build_lscp(LINE3, radius=-1)
    with pytest.raises(InputDataError, match=r"`formulation` must be 'radius' or 'assignment'"):
        presets.build_p_median(LINE3, p=1, formulation="cover")  # type: ignore[arg-type]


def test_lscp_uncoverable():
    with pytest.raises(
        InfeasibleModelError, match=r"1 clients have no site within radius 3.*clients 2 .*at 5\)"
    ):
        presets.build_lscp([[1.0, 9], [2, 3], [5, 6]], radius=3)


def test_cflp_total_capacity_short():
    with pytest.raises(InfeasibleModelError, match=r"Total capacity 10 of all 2 sites .* 12"):
        presets.build_cflp(
            [[1.0, 1], [1, 1]], demands=[6, 6], capacities=[5, 5], fixed_costs=[0, 0]
        )


def test_cflp_client_capacity_short():
    # total capacity suffices, but client 1 may only use site 0 (capacity 5 < demand 6)
    with pytest.raises(InfeasibleModelError, match=r"1 clients demand more .* clients 1\."):
        presets.build_cflp(
            [[1.0, 1], [1, np.inf]], demands=[1, 6], capacities=[5, 5], fixed_costs=[0, 0]
        )


def test_cpmp_best_p_capacity_short():
    with pytest.raises(InfeasibleModelError, match=r"The 2 sites with the highest capacity hold 7"):
        presets.build_cpmp(LINE3, p=2, demands=[3, 3, 3], capacities=[4, 3, 2])


def test_cpmp_client_too_big():
    with pytest.raises(InfeasibleModelError, match=r"1 clients fit in no site .* clients 0\."):
        presets.build_cpmp(LINE3, p=2, demands=[5, 1, 1], capacities=4)


def test_extract_errors():
    with pytest.raises(InputDataError, match=r"not built by voorzieningen.model.presets"):
        presets.extract_solution(pyo.ConcreteModel())
    built = presets.build_p_median(LINE3, p=1)
    with pytest.raises(InputDataError, match=r"\(a PresetModel\), not a ConcreteModel\."):
        presets.extract_solution(built.model)
    with pytest.raises(SolverError, match=r"holds no solution; solve it first"):
        presets.extract_solution(presets.build_p_median(LINE3, p=1))


def test_building_does_not_solve():
    model = presets.build_p_median(LINE3, p=1).model
    assert all(v.value is None for v in model.open.values())


@pytest.mark.parametrize("enabled", [True, False])
def test_building_restores_garbage_collector(enabled):
    # builders pause Python's cyclic GC while they allocate, and restore its state after,
    # also when they raise
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        presets.build_p_median(LINE3, p=1)
        assert gc.isenabled() is enabled
        with pytest.raises(InfeasibleModelError):
            presets.build_p_median(LINE3, p=4)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("formulation", ["radius", "assignment"])
def test_p_median_cardinality_is_first_row(formulation):
    # declared first, so the solver gets sum_j y_j = p as row 0 and y as columns 0..m-1
    model = presets.build_p_median(LINE3, p=2, formulation=formulation).model
    first = next(model.component_objects(pyo.Constraint))
    assert first.name == "c_cardinality"
    assert pyo.value(first.upper) == 2
    assert pyo.value(first.lower) == 2


def test_rows_bounds_make_relations():
    model = pyo.ConcreteModel()
    model.v = pyo.Var(range(2))
    v = list(model.v.values())
    exprs = rows_to_expressions(
        v, np.array([0, 0, 1, 2]), np.array([0, 1, 1, 0]), np.array([1.0, -2.0, 1.0, 3.0]), 3
    )
    add_rows(model, "c", exprs, np.array([1.0, -np.inf, 0.0]), np.array([1.0, 2.0, 5.0]))
    c = model.c
    assert [(c[r].lower, c[r].upper) for r in range(3)] == [(1.0, 1.0), (-np.inf, 2.0), (0.0, 5.0)]
    assert str(c[0].body) == "v[0] - 2.0*v[1]"
    add_rows(model, "d", exprs[:1], None, 4.0)
    add_rows(model, "e", exprs[:1], 4.0, None)
    assert (model.d[0].lower, model.d[0].upper) == (None, 4.0)
    assert (model.e[0].lower, model.e[0].upper) == (4.0, None)


# --------------------------------------------------------------------------- cross-checks


def brute_force(costs, p, objective):
    m = costs.shape[1]
    return min(objective(list(s)) for s in itertools.combinations(range(m), p))


@pytest.mark.parametrize("seed", range(4))
def test_radius_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, m, p = 9, 6, 1 + seed % 3
    # integer costs with many ties (the radius levels must merge them), some forbidden pairs
    costs = rng.integers(0, 6, size=(n, m)).astype(float)
    costs[rng.random((n, m)) < 0.15] = np.inf
    costs[np.arange(n), rng.integers(0, m, size=n)] = rng.integers(0, 6, size=n)
    w = rng.integers(1, 4, size=n).astype(float)
    fixed = rng.integers(0, 8, size=m).astype(float)

    def sum_cost(s):
        return float(np.dot(w, costs[:, s].min(axis=1)))

    def max_cost(s):
        return float(costs[:, s].min(axis=1).max())

    best = brute_force(costs, p, sum_cost)
    if np.isfinite(best):
        assert solve(presets.build_p_median(costs, p=p, weights=w)).objective == best
        assert solve(presets.build_p_center(costs, p=p)).objective == brute_force(
            costs, p, max_cost
        )
    uflp = min(
        fixed[list(s)].sum() + costs[:, list(s)].min(axis=1).sum()
        for k in range(1, m + 1)
        for s in itertools.combinations(range(m), k)
    )
    assert solve(presets.build_uflp(costs, fixed_costs=fixed)).objective == uflp


def test_mclp_matches_brute_force():
    rng = np.random.default_rng(7)
    costs = rng.uniform(0, 10, size=(12, 6))
    w = rng.integers(1, 9, size=12).astype(float)
    best = brute_force(costs, 2, lambda s: -float(w[(costs[:, s] <= 4).any(axis=1)].sum()))
    assert solve(presets.build_mclp(costs, p=2, radius=4, weights=w)).objective == -best


def test_degenerate_instances():
    # nobody within the radius: nothing to cover, objective 0, client not assigned
    plan = solve(presets.build_mclp([[10.0, 12.0]], p=1, radius=1))
    assert plan.objective == 0
    assert plan.assignment.tolist() == [-1]
    # a single client and site
    assert solve(presets.build_p_median([[0.0]], p=1)).objective == 0
    # one client, two centres: its nearest site decides
    assert solve(presets.build_p_center([[3.0, 5.0]], p=2)).objective == 3


# --------------------------------------------------------------------------- p-median reduction

FIVE = np.array([0.0, 1.0, 5.0, 9.0, 10.0])  # five points on a line
FIVE_COSTS = np.abs(FIVE[:, None] - FIVE[None, :])


def test_swap_search_repairs_the_greedy_plan():
    # p = 2 on points 0, 1, 5, 9, 10. Greedy first opens the median 5 (5+4+0+4+5 = 18 against
    # 22 for 1 or 9), then one more site: best 10 (e.g. {0, 5}: 0+1+0+4+5). The optimum is
    # {0 or 1, 9 or 10} = 6 (0+1+4+0+1; the point at 5 walks 4), which one swap reaches.
    w = np.ones(5)
    greedy = reduction.greedy_p_median(FIVE_COSTS, w, 2)
    assert greedy[2]
    assert float(w @ FIVE_COSTS[:, greedy].min(axis=1)) == 10
    swapped = reduction.swap_local_search(FIVE_COSTS, w, greedy)
    assert float(w @ FIVE_COSTS[:, swapped].min(axis=1)) == 6
    assert swapped.sum() == 2


def test_reduction_bounds_and_fixing_keep_every_optimal_plan():
    # random instances: L <= optimum <= U, and every optimal plan avoids the closed sites and
    # keeps each client within its cap; over the instances both reductions fire at least once
    fired_closed = fired_cap = False
    for seed in range(12):
        rng = np.random.default_rng(100 + seed)
        n, m, p = 10, 7, 1 + seed % 3
        costs = rng.integers(0, 9, size=(n, m)).astype(float)
        w = rng.integers(1, 4, size=n).astype(float)
        red = reduction.reduce_p_median(costs, w, p)
        plans = [list(s) for s in itertools.combinations(range(m), p)]
        values = [float(w @ costs[:, s].min(axis=1)) for s in plans]
        best = min(values)
        assert red.lower_bound <= best + 1e-9 <= red.upper_bound + 1e-9
        assert not red.closed[red.heuristic_open].any()
        for s, v in zip(plans, values, strict=True):
            if v == best:
                assert not red.closed[s].any(), (seed, s)
                assert (costs[:, s].min(axis=1) <= red.cap).all(), (seed, s)
        fired_closed |= bool(red.closed.any())
        fired_cap |= bool(np.isfinite(red.cap).any())
    assert fired_closed
    assert fired_cap


@pytest.mark.parametrize("reduce", [True, False])
def test_p_median_with_and_without_reduction_match_brute_force(reduce):
    rng = np.random.default_rng(5)
    costs = rng.integers(0, 20, size=(12, 8)).astype(float)
    costs[rng.random((12, 8)) < 0.1] = np.inf
    costs[:, 0] = rng.integers(0, 20, size=12)  # every client has a site
    w = rng.integers(1, 5, size=12).astype(float)
    for p in (1, 2, 3, 5):
        best = brute_force(costs, p, lambda s: float(w @ costs[:, s].min(axis=1)))
        built = presets.build_p_median(costs, p=p, weights=w, reduce=reduce)
        assert (built.spec.start is not None) is reduce
        assert solve(built).objective == best


def test_start_is_the_heuristic_plan_and_satisfies_the_model():
    built = presets.build_p_median(FIVE_COSTS, p=2)
    start = built.spec.start
    assert start is not None
    assert start.upper_bound == 6  # the swap search finds the optimum here
    assert start.lower_bound <= 6
    assert start.highs_options["mip_allow_restart"] is False
    assert start.highs_options["mip_heuristic_effort"] == 0.0
    assert start.highs_options["mip_heuristic_run_rins"] is False
    assert presets.set_start(built)
    model = built.model
    assert pyo.value(model.cost) == pytest.approx(6)
    assert sum(v.value for v in model.open.values()) == 2
    for row in model.c_level.values():
        assert pyo.value(row.body) >= pyo.value(row.lower) - 1e-9
    # presets without a start load nothing
    assert not presets.set_start(presets.build_p_median(FIVE_COSTS, p=2, reduce=False))
    assert not presets.set_start(presets.build_uflp(FIVE_COSTS, fixed_costs=np.ones(5)))


def test_warm_started_solve_is_optimal():
    built = presets.build_p_median(FIVE_COSTS, p=2)
    presets.set_start(built)
    outcome = HighsSession(EXACT).solve(built.model, warm_start=True)
    assert outcome.optimal
    assert presets.extract_solution(built).objective == 6


def test_heuristic_avoids_forbidden_pairs_and_gives_up_without_a_plan():
    # p = 1: site 0 saves most for clients 0 and 1, but client 2 may only use site 1, so the
    # only plan is {1} (100 + 100 + 0); the heuristic finds it (forbidden pairs cost more
    # than any plan) and the fixing closes site 0
    costs = np.array([[0.0, 100.0], [0.0, 100.0], [np.inf, 0.0]])
    red = reduction.reduce_p_median(costs, np.ones(3), 1)
    assert red is not None
    assert red.heuristic_open.tolist() == [1]
    assert red.upper_bound == 200
    assert red.closed.tolist() == [True, False]
    assert solve(presets.build_p_median(costs, p=1)).objective == 200
    # no plan at all (client 0 only site 0, client 1 only site 1, p = 1): no reduction,
    # no start, and HiGHS proves the model infeasible
    none = np.array([[0.0, np.inf], [np.inf, 0.0]])
    assert reduction.reduce_p_median(none, np.ones(2), 1) is None
    built = presets.build_p_median(none, p=1)
    assert built.spec.start is None
    with pytest.raises(InfeasibleModelError):
        solve_model(built.model, EXACT)
