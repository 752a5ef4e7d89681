"""The independent verifier: hand-computed arithmetic, and a suite of tampered plans.

Two small instances are solved by the real model (build + HiGHS); the verifier is then fed
the raw tables the model was built from (never the model's data) and must pass the solved
plan and name every tampering by its violation kind.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

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
