"""The independent verifier: hand-computed arithmetic, and a suite of tampered plans.

Two small instances are solved by the real model (build + HiGHS); the verifier is then fed
the raw tables the model was built from (never the model's data) and must pass the solved
plan and name every tampering by its violation kind.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from test_model import costs, make_data, service, site
from voorzieningen.errors import VerificationError
from voorzieningen.model.build import build_model
from voorzieningen.model.data import build_model_data
from voorzieningen.results import Plan, extract_results
from voorzieningen.schemas.model import (
    BudgetSettings,
    CostSettings,
    ModelOptions,
    Norms,
    NormSettings,
    ServiceCosts,
    ZoneGuarantee,
)
from voorzieningen.schemas.scenario import Scenario
from voorzieningen.solve import SolveOutcome, solve_model
from voorzieningen.verify import (
    PlanTables,
    VerifyInputs,
    find_violations,
    inputs_from_model_data,
    verify_plan,
    verify_tables,
)
from voorzieningen.verify.arithmetic import money, period_lengths
from voorzieningen.verify.objective import plan_npv_eur
from voorzieningen.verify.state import build_context

PERIODS = (2025, 2030)


def _service(m2: float, **changes: float) -> ServiceCosts:
    values = {
        "new_build_eur_per_m2": 2000.0,
        "renovate_eur_per_m2": 1000.0,
        "convert_eur_per_m2": 1000.0,
        "fixed_capex_eur": 0.0,
        "opex_eur_per_m2_year": 0.0,
        "min_places": 0.0,
        **changes,
    }
    return ServiceCosts(m2_per_place=m2, **values)


COSTS = CostSettings(
    school=_service(5.0, opex_eur_per_m2_year=100.0, min_places=23.0),
    community_hall=_service(1.0),
    mfa_shared_space_saving=0.2,
    mfa_fixed_capex_eur=0.0,
    demolition_eur_per_m2=0.0,
    discount_rate=0.03,
    building_life_years=40.0,
)


def _site(site_id: str, service: str, *, area: float, cap: float, eol: float, sale: float) -> dict:
    return {
        "site": site_id,
        "name": site_id,
        "kind": "existing",
        "service": service,
        "allowed_services": service,
        "lon": 4.0,
        "lat": 52.0,
        "floor_area_m2": area,
        "capacity_places": cap,
        "end_of_life_year": eol,
        "sale_value_eur": sale,
        "gemeente": "X",
        "managed": True,
        "source": "test",
        "note": "",
    }


SITES = pd.DataFrame(
    [
        _site("A", "school", area=500, cap=100, eol=2060, sale=100_000),
        _site("B", "school", area=500, cap=100, eol=2060, sale=300_000),
        _site("C", "school", area=500, cap=100, eol=2060, sale=50_000),
        # End of life 2025: cannot be used as is in any period; renovated or closed in 2025.
        _site("H", "community_hall", area=100, cap=100, eol=2025, sale=0),
    ]
).set_index("site")

TRAVEL = pd.DataFrame(
    [
        ("Z1", "A", 5.0),
        ("Z1", "B", 11.0),
        ("Z1", "C", 12.0),
        ("Z1", "H", 5.0),
        ("Z2", "A", 12.0),
        ("Z2", "B", 11.0),
        ("Z2", "C", 5.0),
        ("Z2", "H", 8.0),
    ],
    columns=["zone", "site", "travel_time_min"],
).assign(distance_km=1.0)

DEMAND = pd.DataFrame(
    [
        ("Z1", 2025, "school", 100.0),
        ("Z2", 2025, "school", 90.0),
        ("Z1", 2030, "school", 40.0),
        ("Z2", 2030, "school", 40.0),
        ("Z1", 2025, "community_hall", 80.0),
        ("Z2", 2025, "community_hall", 0.0),
        ("Z1", 2030, "community_hall", 80.0),
        ("Z2", 2030, "community_hall", 0.0),
    ],
    columns=["zone", "period", "service", "demand_persons"],
).set_index(["zone", "period", "service"])


@dataclasses.dataclass(frozen=True)
class Case:
    plan: Plan
    outcome: SolveOutcome
    inputs: VerifyInputs


def _solve(model_options: ModelOptions, norms: Norms, budget: BudgetSettings) -> Case:
    """Solve with the real model, and collect the verifier's inputs from the same raw tables."""
    data = build_model_data(
        zones=pd.DataFrame(
            {"gemeente": "X", "lon": 4.0, "lat": 52.0}, index=pd.Index(["Z1", "Z2"], name="zone")
        ),
        sites=SITES,
        demand=DEMAND,
        travel_times=TRAVEL,
        periods=list(PERIODS),
        period_years=[5.0, 5.0],
        costs=COSTS,
        norms=norms,
        model_settings=model_options,
        budgets=budget,
    )
    model, scale = build_model(data)
    outcome = solve_model(model, objective_scale=scale)
    plan = extract_results(model, data, outcome).plan
    inputs = VerifyInputs(
        sites=SITES,
        demand=DEMAND,
        travel_times=TRAVEL[["zone", "site", "travel_time_min"]],
        periods=PERIODS,
        costs=COSTS,
        norms=norms,
        model=model_options,
        budget=budget,
    )
    return Case(plan, outcome, inputs)


@pytest.fixture(scope="module")
def cost_case() -> Case:
    """Cost objective, no unmet demand, every pupil within 10 min, total budget 200 k€.

    The plan is unique: every pupil must be within 10 min, so Z1 goes to A and Z2 to C (5
    min; every other school is 11 or 12 min away) and both stay open; B, which nobody can
    use, closes in 2025 (selling now, rather than later or at the horizon's value, also
    saves its 50 k€ a year of opex). Hall H (past its end of life) is renovated in 2025 to exactly 80
    places (its reachable demand), inside its 100 m², for 1000 x 100 = 100 k€.
    """
    case = _solve(
        ModelOptions(
            services=["school", "community_hall"],
            objective="cost",
            allow_unmet_demand=False,
            cost_tiebreak=0.0,
            construction_lead_periods=0,
            allow_extend=False,  # the hand solution renovates H (test_extend_* extend it)
        ),
        Norms(school=NormSettings(min_share_within=1.0, within_min=10.0)),
        BudgetSettings(capex_total_eur=200_000.0),
    )
    plan = case.plan
    assert list(zip(plan.closures["site"], plan.closures["period"], strict=True)) == [("B", 2025)]
    assert list(zip(plan.starts["site"], plan.starts["option"], strict=True)) == [("H", "renovate")]
    assert plan.capacity_built["capacity_places"].tolist() == pytest.approx([80.0])
    return case


@pytest.fixture(scope="module")
def access_case() -> Case:
    """Access objective (schools only), zero budget, Z2 guaranteed a school within 10 min.

    The plan is worked out in :func:`test_access_case_plan`.
    """
    return _solve(
        ModelOptions(
            services=["school"],
            objective="access",
            allow_unmet_demand=True,
            cost_tiebreak=0.0,
            construction_lead_periods=0,
        ),
        Norms(guarantees=[ZoneGuarantee(zone="Z2", service="school", max_travel_time_min=10.0)]),
        BudgetSettings(capex_total_eur=0.0),
    )


def _kinds(case: Case, plan: Plan | PlanTables, objective: float | None = None) -> set[str]:
    return {v.kind for v in find_violations(plan, case.inputs, objective_value=objective)}


# ---------------------------------------------------------------------------------------
# Arithmetic worked out by hand
# ---------------------------------------------------------------------------------------


def test_period_lengths_follow_the_scenario_rule():
    assert period_lengths((2025, 2030, 2040)).tolist() == [5.0, 10.0, 10.0]
    assert period_lengths((2025,)).tolist() == [5.0]
    assert period_lengths((2025, 2030), (3.0, 4.0)).tolist() == [3.0, 4.0]


def test_discounting_by_hand():
    # 3 %, periods 2025 and 2030 of 5 years, horizon end 2035, life 40 years.
    m = money((2025, 2030), period_lengths((2025, 2030)), COSTS)
    v = 1 / 1.03
    assert m.discount.tolist() == pytest.approx([1.0, v**5])
    assert m.opex_factor[2025] == pytest.approx(1 + v + v**2 + v**3 + v**4)
    assert m.opex_factor[2030] == pytest.approx(v**5 + v**6 + v**7 + v**8 + v**9)
    assert m.residual_share.tolist() == pytest.approx([1 - 10 / 40, 1 - 5 / 40])
    assert m.end_discount == pytest.approx(v**10)
    flat = money(
        (2025, 2030), period_lengths((2025, 2030)), COSTS.model_copy(update={"discount_rate": 0.0})
    )
    assert flat.opex_factor.tolist() == [5.0, 5.0]


def test_cost_case_objective_by_hand(cost_case):
    # Capex 100 k€ (H) and proceeds 300 k€ (B) in 2025; opex of A and C as is (500 m² x
    # 100 €/m²/yr each) in both periods; residual 75 % of the 2025 capex; terminal value of
    # A and C (100 k€ + 50 k€) still in use at the end.
    v = 1 / 1.03
    npv = (
        (100_000 - 300_000)
        + 100_000 * sum(v**y for y in range(10))
        - v**10 * 0.75 * 100_000
        - v**10 * 150_000
    )
    ctx = build_context(PlanTables.from_frames(cost_case.plan), cost_case.inputs)
    assert plan_npv_eur(ctx) == pytest.approx(npv, rel=1e-9)
    assert cost_case.outcome.objective == pytest.approx(npv, rel=1e-6)


def test_solved_plans_pass(cost_case, access_case):
    for case in (cost_case, access_case):
        assert find_violations(case.plan, case.inputs, objective_value=case.outcome.objective) == []
        verify_tables(case.plan, case.inputs, objective_value=case.outcome.objective)


def test_access_case_plan(access_case):
    # Each zone's nearest school (A for Z1, C for Z2, 5 min) holds its pupils: 2025 Z1 100 at
    # A, Z2 90 at C; 2030 40 and 40. B (11 min from both) would serve nobody, below the
    # minimum of 23 pupils, so it closes in 2025 (its sale needs no budget). Periods weigh
    # 0.5 each: 0.5 x 5 x (100 + 90) + 0.5 x 5 x (40 + 40) = 475 + 200 = 675 person-min.
    # Margin: keeping B open moves at least 23 pupils from 5 to 11 min, +69 person-min per
    # period; every other assignment is at 11 or 12 min.
    assert access_case.outcome.objective == pytest.approx(675.0)
    closures = access_case.plan.closures
    assert list(zip(closures["site"], closures["period"], strict=True)) == [("B", 2025)]
    assert access_case.plan.starts.empty


# ---------------------------------------------------------------------------------------
# Tamperings: each must be caught with its named violation
# ---------------------------------------------------------------------------------------


def _a(plan: Plan) -> pd.DataFrame:
    return plan.assignments.copy()


def _row(a: pd.DataFrame, zone: str, site: str, period: int) -> int:
    hits = a.index[(a["zone"] == zone) & (a["site"] == site) & (a["period"] == period)]
    assert len(hits) == 1, (zone, site, period)
    return int(hits[0])


def _add(
    a: pd.DataFrame, zone: str, site: str, service: str, period: int, persons: float
) -> pd.DataFrame:
    tt = TRAVEL.set_index(["zone", "site"])["travel_time_min"]
    row = {
        "zone": zone,
        "site": site,
        "service": service,
        "period": period,
        "persons": persons,
        "travel_time_min": float(tt[(zone, site)]),
        "distance_km": 1.0,
    }
    return pd.concat([a, pd.DataFrame([row])], ignore_index=True)


def test_offsetting_negative_rows_hiding_an_overload(cost_case):
    # Z1 sends 150 pupils to A (capacity 100) and Z2 150 to C, hidden by -50 rows Z1->C and
    # Z2->A: every site total, every zone balance and the norm still add up.
    a = _a(cost_case.plan)
    a.loc[_row(a, "Z1", "A", 2025), "persons"] = 150.0
    a.loc[_row(a, "Z2", "C", 2025), "persons"] = 140.0
    a = _add(a, "Z1", "C", "school", 2025, -50.0)
    a = _add(a, "Z2", "A", "school", 2025, -50.0)
    tampered = dataclasses.replace(cost_case.plan, assignments=a)
    violations = find_violations(
        tampered, cost_case.inputs, objective_value=cost_case.outcome.objective
    )
    assert {v.kind for v in violations} == {"negative"}
    assert any("persons is negative" in v.message and "'Z1', 'C'" in v.message for v in violations)


def test_halved_travel_times_with_a_consistent_objective(access_case):
    plan = access_case.plan
    a = _a(plan).assign(travel_time_min=lambda d: d["travel_time_min"] / 2)
    tampered = dataclasses.replace(plan, assignments=a)
    halved = access_case.outcome.objective / 2  # what the plan's own times now add up to
    violations = find_violations(tampered, access_case.inputs, objective_value=halved)
    assert {v.kind for v in violations} == {"travel_time", "objective"}
    assert any(
        "2.500 min reported, 5.000 min in the travel-time table" in v.message for v in violations
    )


def test_duplicated_closure_doubling_the_proceeds(cost_case):
    plan = cost_case.plan
    closures = pd.concat([plan.closures, plan.closures], ignore_index=True)
    tampered = dataclasses.replace(plan, closures=closures)
    doubled = cost_case.outcome.objective - 300_000  # the objective the double sale claims
    violations = find_violations(tampered, cost_case.inputs, objective_value=doubled)
    assert "duplicate" in {v.kind for v in violations}
    assert any(v.message == "closures: row ('B', 2025) appears more than once" for v in violations)


def _tamper(case: Case, **tables: pd.DataFrame) -> Plan:
    return dataclasses.replace(case.plan, **tables)


def _move(plan: Plan, zone: str, src: str, dst: str, period: int, persons: float) -> pd.DataFrame:
    a = _a(plan)
    a.loc[_row(a, zone, src, period), "persons"] -= persons
    return _add(a, zone, dst, "school", period, persons)


def _swap_2030(plan: Plan) -> pd.DataFrame:
    """In 2030 Z1's 40 pupils go to C (12 min) and Z2's 40 to A (12 min)."""
    moved = dataclasses.replace(plan, assignments=_move(plan, "Z1", "A", "C", 2030, 40.0))
    return _move(moved, "Z2", "C", "A", 2030, 40.0)


TAMPERINGS = {
    # name: (function of the cost case's plan -> tampered tables, expected kind, message part)
    "move_to_closed_site": (
        lambda p: {"assignments": _move(p, "Z1", "A", "B", 2025, 10.0)},
        "not_hosted",
        "assigned to B for school in 2025: the site does not host school then",
    ),
    "overload": (
        lambda p: {"assignments": _move(p, "Z2", "C", "A", 2025, 60.0)},
        "capacity",
        "site A school 2025: 160.00 persons assigned, capacity 100.00",
    ),
    "drop_assignment": (
        lambda p: {"assignments": _a(p).drop(index=_row(_a(p), "Z1", "A", 2030))},
        "demand_balance",
        "zone Z1 school 2030: demand and served + unmet differ by 40.0000 persons",
    ),
    "duplicate_assignment_rows": (
        lambda p: {
            "assignments": pd.concat(
                [
                    _a(p).assign(persons=lambda d: d["persons"] / 2),
                    _a(p).assign(persons=lambda d: d["persons"] / 2),
                ],
                ignore_index=True,
            )
        },
        "duplicate",
        "assignments: row ('Z1', 'A', 'school', 2025) appears more than once",
    ),
    "duplicate_start": (
        lambda p: {"starts": pd.concat([p.starts, p.starts], ignore_index=True)},
        "duplicate",
        "starts: row ('H', 'renovate', 2025) appears more than once",
    ),
    "reopen_closed": (
        lambda p: {"asis": p.asis.assign(in_use=p.asis["in_use"] | (p.asis["site"] == "B"))},
        "lifecycle",
        "site B: used as is in [2025, 2030], but the lifecycle implies []",
    ),
    "drop_closure": (
        lambda p: {"closures": p.closures.iloc[0:0]},
        "lifecycle",
        "site B: used as is in [], but the lifecycle implies [2025, 2030]",
    ),
    "inflate_capex": (
        lambda p: {"starts": p.starts.assign(capex_eur=p.starts["capex_eur"] - 50_000)},
        "capex",
        "site H: capex 50,000 EUR reported, 100,000 EUR recomputed",
    ),
    "wrong_proceeds": (
        lambda p: {"closures": p.closures.assign(proceeds_eur=900_000.0)},
        "proceeds",
        "site B: proceeds 900,000 EUR reported, 300,000 EUR recomputed",
    ),
    "capacity_without_floor_area": (
        lambda p: {"capacity_built": p.capacity_built.assign(capacity_places=150.0)},
        "floor_area",
        "site H: 0.0 m² new floor area paid for, 50.0 m² needed",
    ),
    "oversized_and_paid_for": (
        lambda p: {
            "capacity_built": p.capacity_built.assign(capacity_places=1000.0),
            "starts": p.starts.assign(new_area_m2=900.0, capex_eur=100_000.0 + 900 * 2000.0),
        },
        "max_size",
        "site H: renovate builds 1000.00 places of community_hall, above its bound 80.00",
    ),
    "below_minimum_size": (
        lambda p: {"assignments": _move(p, "Z2", "C", "A", 2030, 30.0)},
        "min_size",
        "site C school 2030: 10.00 persons, below the minimum size 23",
    ),
    "norm_broken": (
        lambda p: {"assignments": _swap_2030(p)},
        "norm",
        "school 2030: 0.0 persons within 10 min, the norm needs 80.0",
    ),
    "budget_exceeded": (
        lambda p: {
            "starts": p.starts.assign(new_area_m2=250.0, capex_eur=100_000.0 + 250 * 2000.0)
        },
        "budget",
        # capex_total_eur limits gross capex now (600 k€ of works; B's sale does not count).
        "gross capex up to 2030 of 600,000 EUR exceeds the total limit 200,000 EUR",
    ),
    "unmet_not_allowed": (
        lambda p: {
            "assignments": _a(p).assign(
                persons=lambda d: d["persons"] - 10.0 * (d.index == _row(d, "Z1", "A", 2025))
            ),
            "unmet": pd.DataFrame(
                [{"zone": "Z1", "service": "school", "period": 2025, "persons": 10.0}]
            ),
        },
        "unmet_not_allowed",
        "10.00 persons unmet although model.allow_unmet_demand is false",
    ),
    "used_after_end_of_life": (
        lambda p: {
            "starts": p.starts.iloc[0:0],
            "capacity_built": p.capacity_built.iloc[0:0],
            "asis": p.asis.assign(in_use=p.asis["in_use"] | (p.asis["site"] == "H")),
        },
        "end_of_life",
        "site H: used as is after its end of life in [2025, 2030]",
    ),
    "option_not_allowed": (
        lambda p: {"starts": p.starts.assign(option="convert:school")},
        "option",
        "site H: convert:school is not allowed: conversion to school is not allowed here",
    ),
    "capacity_outside_start_period": (
        lambda p: {"capacity_built": p.capacity_built.assign(period=2030)},
        "sizing",
        "site H: capacity built in 2030, outside the start period 2025",
    ),
    "site_without_the_service": (
        lambda p: {
            "assignments": _a(p).assign(
                site=lambda d: d["site"].where(d.index != _row(d, "Z1", "A", 2030), "H")
            )
        },
        "not_hosted",
        "zone Z1 assigned to H for school in 2030: the site does not host school then",
    ),
    "negative_unmet": (
        lambda p: {
            "unmet": pd.DataFrame(
                [{"zone": "Z1", "service": "school", "period": 2025, "persons": -5.0}]
            )
        },
        "negative",
        "unmet: persons is negative in ('Z1', 'school', 2025, -5.0)",
    ),
}


@pytest.mark.parametrize("name", sorted(TAMPERINGS))
def test_tampering_is_caught(cost_case, name):
    change, kind, message = TAMPERINGS[name]
    tampered = dataclasses.replace(cost_case.plan, **change(cost_case.plan))
    violations = find_violations(tampered, cost_case.inputs)
    assert kind in {v.kind for v in violations}, [str(v) for v in violations]
    assert any(v.kind == kind and message in v.message for v in violations), [
        str(v) for v in violations
    ]
    with pytest.raises(VerificationError, match=rf"\[{kind}\]"):
        verify_tables(tampered, cost_case.inputs)


def test_wrong_objective(cost_case):
    with pytest.raises(VerificationError, match=r"\[objective\] .* recomputed from the plan"):
        verify_tables(
            cost_case.plan, cost_case.inputs, objective_value=cost_case.outcome.objective + 1000
        )


def test_beyond_a_zone_guarantee_and_unknown_pair(access_case):
    # Z2's guarantee is 10 min: serving it at A (12 min) breaks it; a pair the raw table
    # does not list (Z1 to a site "X") has no travel time at all.
    plan = access_case.plan
    a = _move(plan, "Z2", "C", "A", 2030, 5.0)
    assert "ineligible" in _kinds(access_case, dataclasses.replace(plan, assignments=a))
    x = _a(plan)
    x.loc[_row(x, "Z1", "A", 2030), "site"] = "X"
    violations = find_violations(dataclasses.replace(plan, assignments=x), access_case.inputs)
    assert any(
        v.kind == "travel_time" and "no such pair in the travel-time table" in v.message
        for v in violations
    )


def test_adapter_keeps_the_public_name(cost_case):
    # verify_plan(plan, data, ...) still works from ModelData alone, and with raw tables.
    data = build_model_data(
        zones=pd.DataFrame(
            {"gemeente": "X", "lon": 4.0, "lat": 52.0}, index=pd.Index(["Z1", "Z2"], name="zone")
        ),
        sites=SITES,
        demand=DEMAND,
        travel_times=TRAVEL,
        periods=list(PERIODS),
        period_years=[5.0, 5.0],
        costs=COSTS,
        norms=cost_case.inputs.norms,
        model_settings=cost_case.inputs.model,
        budgets=cost_case.inputs.budget,
    )
    verify_plan(cost_case.plan, data, objective_value=cost_case.outcome.objective)
    verify_plan(
        cost_case.plan,
        data,
        objective_value=cost_case.outcome.objective,
        travel_times=TRAVEL,
        sites=SITES,
    )
    broken = dataclasses.replace(cost_case.plan, closures=pd.concat([cost_case.plan.closures] * 2))
    with pytest.raises(VerificationError, match=r"\[duplicate\] closures"):
        verify_plan(broken, data, travel_times=TRAVEL, sites=SITES)


def test_closest_assignment_tampering():
    # Closest assignment, schools only, zero budget: each zone at its nearest open school
    # (A for Z1, C for Z2, 5 min; B, 11 min from both, closes as in the access case). Z1
    # sent to C (12 min) while A (5 min) is open breaks the rule.
    case = _solve(
        ModelOptions(
            services=["school"],
            objective="access",
            allow_unmet_demand=True,
            cost_tiebreak=0.0,
            closest_assignment=True,
        ),
        Norms(),
        BudgetSettings(capex_total_eur=0.0),
    )
    assert case.outcome.objective == pytest.approx(675.0)
    assert find_violations(case.plan, case.inputs, objective_value=case.outcome.objective) == []
    moved = _move(case.plan, "Z1", "A", "C", 2030, 10.0)
    violations = find_violations(dataclasses.replace(case.plan, assignments=moved), case.inputs)
    assert [str(v) for v in violations] == [
        "[closest] zone Z1 school 2030: assigned to C at 12.00 min although an open site is "
        "5.00 min away"
    ]


def test_worst_off_objective_is_recomputed():
    # Worst-off: per service the largest zone-average trip (5 min for both zones), then
    # 1e-3 x the horizon-average trip (5 min): 5 + 1e-3 x 5 = 5.005.
    case = _solve(
        ModelOptions(
            services=["school"],
            objective="worst_off",
            allow_unmet_demand=True,
            cost_tiebreak=0.0,
        ),
        Norms(),
        BudgetSettings(capex_total_eur=0.0),
    )
    assert case.outcome.objective == pytest.approx(5.005, rel=1e-6)
    assert find_violations(case.plan, case.inputs, objective_value=case.outcome.objective) == []
    kinds = _kinds(case, case.plan, case.outcome.objective + 0.01)
    assert kinds == {"objective"}


def test_a_plan_table_without_a_column_is_named():
    plan = PlanTables(
        starts=pd.DataFrame(columns=["site", "option", "period", "capex_eur"]),
        capacity_built=pd.DataFrame(),
        asis=pd.DataFrame(),
        closures=pd.DataFrame(),
        assignments=pd.DataFrame(),
        unmet=pd.DataFrame(),
    )
    with pytest.raises(
        ValueError, match=r"\(plan.starts\) \| missing column\(s\) \['new_area_m2'\]"
    ):
        PlanTables.from_frames(plan)


def test_inputs_from_a_scenario(cost_case):
    # The API's route: settings straight from the scenario, tables as the run read them.
    scenario = Scenario(
        region="toy",
        network={"source": "osm/x.graphml"},
        periods=list(PERIODS),
        costs=COSTS,
        norms=cost_case.inputs.norms,
        model=cost_case.inputs.model,
        budget=cost_case.inputs.budget,
    )
    inputs = VerifyInputs.from_scenario(scenario, sites=SITES, demand=DEMAND, travel_times=TRAVEL)
    assert inputs.periods == PERIODS
    assert (
        find_violations(cost_case.plan, inputs, objective_value=cost_case.outcome.objective) == []
    )
    # Other period lengths (5 and 10 years) change opex and discounting: the objective no
    # longer matches.
    short = dataclasses.replace(inputs, period_years=(5.0, 10.0))
    assert {
        v.kind
        for v in find_violations(cost_case.plan, short, objective_value=cost_case.outcome.objective)
    } == {"objective"}


# ---------------------------------------------------------------------------------------
# Issue-11 rules: each on a small instance solved by the real model (HiGHS), then tampered
# ---------------------------------------------------------------------------------------


def _solved(sites, demand, tt, *, closure_norms=None, **options) -> Case:
    """Solve a hand-made instance (arguments of test_model.make_data); verifier inputs from
    the raw sites and travel-time tables, never the model's derived data."""
    data = make_data(sites, demand, tt, closure_norms=closure_norms, **options)
    model, scale = build_model(data)
    outcome = solve_model(model, objective_scale=scale)
    plan = extract_results(model, data, outcome).plan
    inputs = inputs_from_model_data(
        data,
        sites=pd.DataFrame(sites).set_index("site"),
        travel_times=pd.DataFrame(tt, columns=["zone", "site", "travel_time_min", "distance_km"]),
        closure_norms=closure_norms,
    )
    assert find_violations(plan, inputs, objective_value=outcome.objective) == []
    return Case(plan, outcome, inputs)


def _caught(case: Case, kind: str, message: str, objective: float | None = None, **tables):
    """Tamper ``case``'s plan with ``tables``; the verifier must name ``kind`` and ``message``."""
    tampered = dataclasses.replace(case.plan, **tables)
    violations = find_violations(tampered, case.inputs, objective_value=objective)
    assert any(v.kind == kind and message in v.message for v in violations), [
        str(v) for v in violations
    ]
    with pytest.raises(VerificationError, match=rf"\[{kind}\]"):
        verify_tables(tampered, case.inputs, objective_value=objective)
    return violations


def _served(plan: Plan, zone: str, site: str, period: int, persons: float, minutes: float):
    """Serve unmet persons of ``zone`` at ``site`` instead: (assignments, unmet) tampered."""
    u = plan.unmet.copy()
    hit = (u["zone"] == zone) & (u["period"] == period)
    assert float(u.loc[hit, "persons"].sum()) == pytest.approx(persons)
    row = {
        "zone": zone,
        "site": site,
        "service": "school",
        "period": period,
        "persons": persons,
        "travel_time_min": minutes,
        "distance_km": 1.0,
    }
    a = pd.concat([plan.assignments, pd.DataFrame([row])], ignore_index=True)
    return {"assignments": a, "unmet": u[~hit]}


def test_capacity_served_before_the_lead_time_has_passed():
    # Zone Z (100 pupils) and candidate C at 5 min; periods 2025 and 2030; lead 1 period. The
    # model builds C in 2025, serving from 2030: 100 pupils unmet in 2025 (test_credible's
    # worked answer, 12,250 person-min). Serving them at C in 2025, while it is still being
    # built, is caught; so is a start in the last period, which would serve after it.
    case = _solved(
        [site("C", "candidate", "", "school")],
        [("Z", "school", 100)],
        [("Z", "C", 5, 1)],
        periods=(2025, 2030),
        objective="access",
        allow_unmet=True,
        lead=1,
    )
    assert case.outcome.objective == pytest.approx(0.5 * 100 * 240 + 0.5 * 100 * 5)
    _caught(
        case,
        "not_hosted",
        "zone Z assigned to C for school in 2025: the site does not host school then (under "
        "works started in 2025; its new capacity serves from 2030)",
        **_served(case.plan, "Z", "C", 2025, 100.0, 5.0),
    )
    late = case.plan.starts.assign(period=2030)
    _caught(
        case,
        "lead_time",
        "site C: new:school starts in 2030; with a lead of 1 period(s) it would only serve "
        "after the last period",
        starts=late,
        capacity_built=case.plan.capacity_built.assign(period=2030),
    )


def _works_case(works: str) -> Case:
    # School E (500 m², 100 places) is past its end of life in 2025: renovate (1000 x 500 =
    # 500,000) or close, both in 2025. Lead 1: the renovated school serves from 2030. 100
    # pupils each period, unmet 10,000 EUR per pupil-year, no discounting, opex or residual.
    # "unavailable": 2025's pupils are unmet during the works: 500,000 + 100 x 5 x 10,000 =
    # 5,500,000 (closing leaves 10 years unmet: 10,000,000). "temporary": they are served
    # in temporary space at 1000 EUR per place-year: 500,000 + 100 x 1000 x 5 = 1,000,000.
    school = service(5.0, temporary_eur_per_place_year=1000.0)
    return _solved(
        [site("E", "existing", "school", "school", area=500, cap=100, eol=2025, sale=0)],
        [("Z", "school", 100)],
        [("Z", "E", 5, 1)],
        periods=(2025, 2030),
        cost=costs(school=school),
        allow_unmet=True,
        lead=1,
        works=works,
    )


def test_service_during_works_when_unavailable():
    case = _works_case("unavailable")
    assert action_of(case, "E") == ("renovate", 2025)
    assert case.outcome.objective == pytest.approx(5_500_000.0)
    _caught(
        case,
        "not_hosted",
        "zone Z assigned to E for school in 2025: the site does not host school then (under "
        "works started in 2025; its new capacity serves from 2030)",
        **_served(case.plan, "Z", "E", 2025, 100.0, 5.0),
    )


def test_temporary_space_cost_omitted():
    case = _works_case("temporary")
    assert action_of(case, "E") == ("renovate", 2025)
    assert case.outcome.objective == pytest.approx(1_000_000.0)
    served = case.plan.assignments.groupby("period")["persons"].sum()
    assert served.to_dict() == pytest.approx({2025: 100.0, 2030: 100.0})
    # The same plan, its objective without the 500,000 of temporary space.
    violations = _caught(
        case,
        "objective",
        "objective 500000.000000 reported by the solver, 1000000.000000 recomputed",
        objective=500_000.0,
    )
    assert {v.kind for v in violations} == {"objective"}


def action_of(case: Case, site_id: str) -> tuple[str, int | None]:
    """(option, period) of a site's start, ("close", period) or ("keep", None)."""
    s, c = case.plan.starts, case.plan.closures
    if (s["site"] == site_id).any():
        row = s[s["site"] == site_id].iloc[0]
        return str(row["option"]), int(row["period"])
    if (c["site"] == site_id).any():
        return "close", int(c.loc[c["site"] == site_id, "period"].iloc[0])
    return "keep", None


@pytest.fixture(scope="module")
def lock_case() -> Case:
    """Four schools of 500 m² at 5 min, opex 50,000 a year each, 150 pupils, one period.

    A (must_keep) and B (no_close) stay; D (no_sale: its 300,000 is not booked) and N
    (no_convert, may host a hall) close in 2025, saving 5 x 50,000 each and yielding 0.
    Objective: opex of A and B 2 x 250,000, less their kept sale values 2 x 100,000 =
    300,000. Margin: keeping D or N costs 250,000 more.
    """
    school = service(5.0, opex_eur_per_m2_year=100.0)
    sites = [
        site("A", "existing", "school", "school", **_LOCKED, sale=100_000, lock="must_keep"),
        site("B", "existing", "school", "school", **_LOCKED, sale=100_000, lock="no_close"),
        site("D", "existing", "school", "school", **_LOCKED, sale=300_000, lock="no_sale"),
        site(
            "N", "existing", "school", "school;community_hall", **_LOCKED, sale=0, lock="no_convert"
        ),
    ]
    case = _solved(
        sites,
        [("Z", "school", 150), ("Z", "community_hall", 0)],
        [("Z", j, 5, 1) for j in "ABDN"],
        services=("school", "community_hall"),
        cost=costs(school=school),
    )
    closures = case.plan.closures
    assert sorted(zip(closures["site"], closures["period"], strict=True)) == [
        ("D", 2025),
        ("N", 2025),
    ]
    assert closures["proceeds_eur"].tolist() == pytest.approx([0.0, 0.0])
    assert case.outcome.objective == pytest.approx(300_000.0)
    return case


_LOCKED = {"area": 500, "cap": 100, "eol": 2060}


def _close(plan: Plan, site_id: str, proceeds: float) -> dict[str, pd.DataFrame]:
    """Close ``site_id`` in 2025 (no longer used as is); its pupils move to B or A."""
    closures = pd.concat(
        [
            plan.closures,
            pd.DataFrame([{"site": site_id, "period": 2025, "proceeds_eur": proceeds}]),
        ],
        ignore_index=True,
    )
    asis = plan.asis.assign(in_use=plan.asis["in_use"] & (plan.asis["site"] != site_id))
    return {"closures": closures, "asis": asis}


@pytest.mark.parametrize("locked", ["A", "B"])
def test_a_must_keep_or_no_close_building_closed(lock_case, locked):
    _caught(
        lock_case,
        "lock",
        f"site {locked}: closed in 2025, but its lock forbids it",
        **_close(lock_case.plan, locked, 100_000.0),
    )


def test_proceeds_booked_on_a_no_sale_closure(lock_case):
    plan = lock_case.plan
    sold = plan.closures.assign(
        proceeds_eur=plan.closures["proceeds_eur"].where(plan.closures["site"] != "D", 300_000.0)
    )
    violations = _caught(
        lock_case,
        "proceeds",
        "site D: proceeds 300,000 EUR reported, 0 EUR recomputed",
        objective=lock_case.outcome.objective - 300_000.0,
        closures=sold,
    )
    assert {v.kind for v in violations} == {"proceeds", "objective"}


@pytest.mark.parametrize(
    ("locked", "lock"), [("N", "no_convert"), ("A", "must_keep")], ids=["no_convert", "must_keep"]
)
def test_a_conversion_of_a_locked_building(lock_case, locked, lock):
    # N converted to a community hall in 2025 (500 m² reworked at 1000 EUR/m²) instead of
    # closing; A likewise instead of staying as it is.
    plan = lock_case.plan
    start = {
        "site": locked,
        "option": "convert:community_hall",
        "period": 2025,
        "capex_eur": 500_000.0,
        "new_area_m2": 0.0,
    }
    _caught(
        lock_case,
        "option",
        f"site {locked}: convert:community_hall is not allowed: the building is locked "
        f"({lock}): no convert",
        starts=pd.concat([plan.starts, pd.DataFrame([start])], ignore_index=True),
        closures=plan.closures[plan.closures["site"] != locked],
        asis=plan.asis.assign(in_use=plan.asis["in_use"] & (plan.asis["site"] != locked)),
    )


@pytest.fixture(scope="module")
def size_case() -> Case:
    """School E (500 m², 100 places) past its end of life; portfolio: max_places 120,
    max_floor_area_m2 700. 100 pupils.

    Renovated in 2025 as it is: 1000 x 500 = 500,000 (closing leaves 100 pupils unmet).
    """
    case = _solved(
        [
            site(
                "E",
                "existing",
                "school",
                "school",
                area=500,
                cap=100,
                eol=2025,
                sale=0,
                max_places=120,
                max_area=700,
            )
        ],
        [("Z", "school", 100)],
        [("Z", "E", 5, 1)],
    )
    assert action_of(case, "E") == ("renovate", 2025)
    assert case.plan.capacity_built["capacity_places"].tolist() == pytest.approx([100.0])
    assert case.outcome.objective == pytest.approx(500_000.0)
    return case


def test_capacity_above_the_per_site_max_places(size_case):
    # 130 places, paid for in full (650 m²: a 150 m² extension at 2000 EUR/m², within the
    # 700 m²): only the building's own maximum (the service has none) is broken.
    plan = size_case.plan
    violations = _caught(
        size_case,
        "max_size",
        "site E: renovate builds 130.00 places of school, above the site's maximum size 120",
        capacity_built=plan.capacity_built.assign(capacity_places=130.0),
        starts=plan.starts.assign(new_area_m2=150.0, capex_eur=800_000.0),
    )
    assert "floor_area" not in {v.kind for v in violations}


def test_floor_area_above_max_floor_area(size_case):
    # A 300 m² extension paid for (and charged) for the same 100 places: 800 m² in all,
    # above the building's 700 m².
    violations = _caught(
        size_case,
        "floor_area",
        "site E: 800.0 m² after extension, above the site's largest floor area 700.0 m²",
        starts=size_case.plan.starts.assign(new_area_m2=300.0, capex_eur=1_100_000.0),
    )
    assert {v.kind for v in violations} == {"floor_area"}


def _budget_sites():
    return [
        site("E", "existing", "school", "school", area=500, cap=100, eol=2025, sale=0),
        site("X", "existing", "school", "school", area=500, cap=100, eol=2050, sale=600_000),
    ]


def test_gross_capex_above_its_limit_while_net_spend_is_within():
    # test_credible's budget case with both limits: gross capex 500,000, net spend 400,000.
    # Renovate E (500,000 gross) and sell X (600,000): net -100,000. A 50 m² extension (at
    # 2000 EUR/m²) makes the works 600,000: gross is over by 100,000, net (0) still within.
    case = _solved(
        _budget_sites(),
        [("Z", "school", 100)],
        [("Z", "E", 5, 1)],
        allow_unmet=True,
        budgets=BudgetSettings(capex_total_eur=500_000, net_spend_total_eur=400_000),
    )
    assert action_of(case, "E") == ("renovate", 2025)
    assert action_of(case, "X") == ("close", 2025)
    violations = _caught(
        case,
        "budget",
        "gross capex up to 2025 of 600,000 EUR exceeds the total limit 500,000 EUR",
        starts=case.plan.starts.assign(new_area_m2=50.0, capex_eur=600_000.0),
    )
    assert [v.kind for v in violations] == ["budget"]
    assert not any("net spend" in v.message for v in violations)


def test_net_spend_above_its_limit_per_period():
    # School E renovated in 2025 (500,000) serves both periods; net spend at most 100,000
    # a year, 500,000 per 5-year period. A 100 m² extension makes 2025's spend 700,000.
    case = _solved(
        _budget_sites()[:1],
        [("Z", "school", 100)],
        [("Z", "E", 5, 1)],
        periods=(2025, 2030),
        allow_unmet=True,
        budgets=BudgetSettings(net_spend_per_year_eur=100_000),
    )
    assert action_of(case, "E") == ("renovate", 2025)
    violations = _caught(
        case,
        "budget",
        "period 2025: net spend 700,000 EUR exceeds its limit 500,000",
        starts=case.plan.starts.assign(new_area_m2=100.0, capex_eur=700_000.0),
    )
    assert [str(v) for v in violations] == [
        "[budget] period 2025: net spend 700,000 EUR exceeds its limit 500,000"
    ]


def test_soft_norm_shortfall_left_out_of_the_objective():
    # 100 pupils, their only school A at 15 min; the norm (every pupil within 10 min) is
    # soft as unmet demand is allowed, at 30 min per person short. Serving all at A: 100 x 15
    # + 30 x 100 = 4,500 person-min (leaving them unmet costs 240 each). An objective of
    # 1,500, without the shortfall, is caught.
    case = _solved(
        [site("A", "existing", "school", "school", area=500, cap=100, eol=2060, sale=0)],
        [("Z", "school", 100)],
        [("Z", "A", 15, 1)],
        objective="access",
        allow_unmet=True,
        norms=Norms(school=NormSettings(min_share_within=1.0, within_min=10.0)),
        norm_shortfall_penalty_min=30.0,
    )
    assert case.outcome.objective == pytest.approx(4500.0)
    violations = _caught(
        case,
        "objective",
        "objective 1500.000000 reported by the solver, 4500.000000 recomputed",
        objective=1500.0,
    )
    assert {v.kind for v in violations} == {"objective"}


@pytest.mark.parametrize("far", [5.0, 5.04], ids=["exact", "within_tolerance"])
def test_a_closest_assignment_tie_is_not_a_violation(far):
    # test_credible's tie: 100 pupils, S1 at 5 min and S2 at ``far`` (5 or 5.04 min, within
    # the 0.05 min tie tolerance of model and verifier alike), 60 places each: 60 pupils at
    # S1 and 40 at S2, 300 + 40 x far person-min (the other split costs 0.4 x (far - 5)
    # more, 0 for the exact tie). Neither split passes a nearer site.
    sites = [
        site("S1", "existing", "school", "school", area=300, cap=60, eol=2050, sale=-1e6),
        site("S2", "existing", "school", "school", area=300, cap=60, eol=2050, sale=-1e6),
    ]
    case = _solved(
        sites,
        [("Z", "school", 100)],
        [("Z", "S1", 5, 1), ("Z", "S2", far, 1)],
        objective="access",
        allow_unmet=True,
        closest=True,
        budget=0,
    )
    assert case.outcome.objective == pytest.approx(60 * 5 + 40 * far)
    a = case.plan.assignments
    assert sorted(a["persons"].tolist()) == pytest.approx([40.0, 60.0])
    assert case.plan.unmet["persons"].sum() == pytest.approx(0.0)
    flipped = a.assign(persons=100.0 - a["persons"])
    assert find_violations(dataclasses.replace(case.plan, assignments=flipped), case.inputs) == []


def test_reopening_after_a_closure_that_followed_an_investment():
    # School E past its end of life; pupils 100, 100, then 10 in 2035; minimum 23, lead 0.
    # Renovate in 2025 (500,000), close in 2035 (10 < 23): 10 x 5 x 10,000 unmet =
    # 500,000; objective 1,000,000 (test_credible's shrinking village, one period shorter).
    # Serving the 10 pupils at E in 2035, or renovating it again then, reopens it.
    case = _solved(
        [site("E", "existing", "school", "school", area=500, cap=100, eol=2025, sale=0)],
        [("Z", "school", 100, 2025), ("Z", "school", 100, 2030), ("Z", "school", 10, 2035)],
        [("Z", "E", 5, 1)],
        periods=(2025, 2030, 2035),
        cost=costs(school=service(5.0, min_places=23.0)),
        allow_unmet=True,
    )
    assert action_of(case, "E") == ("renovate", 2025)
    closures = case.plan.closures
    assert list(zip(closures["site"], closures["period"], strict=True)) == [("E", 2035)]
    assert case.outcome.objective == pytest.approx(1_000_000.0)
    _caught(
        case,
        "not_hosted",
        "zone Z assigned to E for school in 2035: the site does not host school then",
        **_served(case.plan, "Z", "E", 2035, 10.0, 5.0),
    )
    again = {
        "site": "E",
        "option": "renovate",
        "period": 2035,
        "capex_eur": 500_000.0,
        "new_area_m2": 0.0,
    }
    _caught(
        case,
        "lifecycle",
        "site E: 2 interventions started; at most one",
        starts=pd.concat([case.plan.starts, pd.DataFrame([again])], ignore_index=True),
    )


#: The gemeente's own closure norm (opheffingsnorm), above the national 23.
CLOSURE_NORMS = pd.DataFrame(
    {"opheffingsnorm_pupils": [50.0], "source": ["test"]},
    index=pd.Index(["X"], name="gemeente"),
)


def test_a_school_below_its_gemeentes_closure_norm_is_caught():
    # School E in gemeente X serves 40 pupils: above the national 23, below X's norm of 50.
    # Solved with the national norm, E stays (closing leaves 40 pupils unmet). Verified with
    # X's norm, as the run read it, the plan is caught; solved with X's norm, E closes and
    # the verifier with the same table agrees.
    sites = [site("E", "existing", "school", "school", area=500, cap=100, eol=2060, sale=0)]
    options = {
        "cost": costs(school=service(5.0, min_places=23.0)),
        "allow_unmet": True,
    }
    national = _solved(sites, [("Z", "school", 40)], [("Z", "E", 5, 1)], **options)
    assert national.plan.closures.empty
    with_norm = dataclasses.replace(national.inputs, closure_norms=CLOSURE_NORMS)
    violations = find_violations(national.plan, with_norm)
    assert [str(v) for v in violations] == [
        "[min_size] site E school 2025: 40.00 persons, below the minimum size 50"
    ]
    local = _solved(
        sites, [("Z", "school", 40)], [("Z", "E", 5, 1)], closure_norms=CLOSURE_NORMS, **options
    )
    assert action_of(local, "E") == ("close", 2025)
    # The API's route: from the scenario, with the table it read.
    scenario = Scenario(
        region="toy",
        network={"source": "osm/x.graphml"},
        periods=[2025],
        costs=options["cost"],
        model=national.inputs.model,
    )
    inputs = VerifyInputs.from_scenario(
        scenario,
        sites=pd.DataFrame(sites).set_index("site"),
        demand=national.inputs.demand,
        travel_times=national.inputs.travel_times,
        closure_norms=CLOSURE_NORMS,
    )
    assert {v.kind for v in find_violations(national.plan, inputs)} == {"min_size"}
    assert find_violations(local.plan, inputs) == []
