"""Hand-solved instances of the credibility rules of issue 11, each with its margin.

Every instance is solved by the real model and re-checked by the independent verifier
(``solve`` of test_model).
"""

from __future__ import annotations

import pytest

from test_model import action, costs, service, site, solve
from voorzieningen.schemas.model import BudgetSettings

TT1 = [("Z", "E", 5, 1)]


def test_renovate_now_close_later_in_a_shrinking_village():
    # School E (500 m², 100 places) reaches its end of life in 2025. Pupils: 100 until
    # 2035, 10 in 2040; minimum size 23. Periods of 5 years, no discounting, no opex, life
    # 5 years (no residual value), unmet pupils cost 10,000 EUR per pupil-year.
    # Renovate in 2025 (1000 x 500 = 500,000), close in 2040 (10 < 23: may not stay open):
    # 10 pupils x 5 years unmet = 500,000. Total 1,000,000.
    # The old rule (no closing after an intervention) closed in 2025: 1,550 pupil-years
    # unmet = 15,500,000. Closing in 2035 instead costs 100 x 5 x 10,000 = 5,000,000 more.
    school = service(5.0, min_places=23.0)
    sites = [site("E", "existing", "school", "school", area=500, cap=100, eol=2025, sale=0)]
    demand = [("Z", "school", 100, t) for t in (2025, 2030, 2035)] + [("Z", "school", 10, 2040)]
    results, _, outcome = solve(
        sites,
        demand,
        TT1,
        periods=(2025, 2030, 2035, 2040),
        cost=costs(school=school),
        allow_unmet=True,
    )
    assert action(results, "E") == ("renovate", 2025)
    closures = results.plan.closures
    assert list(zip(closures["site"], closures["period"], strict=True)) == [("E", 2040)]
    assert outcome.objective == pytest.approx(1_000_000.0)


def test_a_lock_forces_a_dearer_plan():
    # As test_closure_with_sale: schools A (sale 100,000) and B (sale 300,000), 500 m² each,
    # opex 50,000 a year each, 100 pupils, 5 % discount. Free: close B (its sale now beats
    # its discounted value later). B locked no_close: close A, dearer by
    # 200,000 (1 - e) with e = 1.05^-5 (the difference of the two sales now and at the end).
    school = service(5.0, opex_eur_per_m2_year=100.0)
    sites = [
        site("A", "existing", "school", "school", area=500, cap=100, eol=2050, sale=100_000),
        site(
            "B",
            "existing",
            "school",
            "school",
            area=500,
            cap=100,
            eol=2050,
            sale=300_000,
            lock="no_close",
        ),
    ]
    results, _, outcome = solve(
        sites,
        [("Z", "school", 100)],
        [("Z", "A", 5, 1), ("Z", "B", 5, 1)],
        cost=costs(school=school, discount_rate=0.05),
    )
    a = sum(1.05**-y for y in range(5))
    e = 1.05**-5
    close_a = 50_000 * a - 100_000 - e * 300_000
    close_b = 50_000 * a - 300_000 - e * 100_000
    assert close_a - close_b == pytest.approx(200_000 * (1 - e))
    assert action(results, "A") == ("close", 2025)
    assert action(results, "B") == ("keep", None)
    assert outcome.objective == pytest.approx(close_a)


def test_a_lead_time_delays_service():
    # Zone Z (100 pupils) has no school; candidate C at 5 min. Periods 2025 and 2030 (equal
    # weight 0.5). Lead 1 period: a school decided in 2025 serves from 2030, one decided in
    # 2030 would serve after the horizon (not allowed). Access: 0.5 x 100 x 240 (unmet in
    # 2025) + 0.5 x 100 x 5 = 12,250 person-min; with lead 0 it would be 500.
    sites = [site("C", "candidate", "", "school")]
    results, _, outcome = solve(
        sites,
        [("Z", "school", 100)],
        [("Z", "C", 5, 1)],
        periods=(2025, 2030),
        objective="access",
        allow_unmet=True,
        lead=1,
    )
    assert action(results, "C") == ("new", 2025)
    unmet = results.plan.unmet.groupby("period")["persons"].sum()
    assert unmet.to_dict() == pytest.approx({2025: 100.0})
    assert outcome.objective == pytest.approx(0.5 * 100 * 240 + 0.5 * 100 * 5)


def _two_villages(base_m2):
    school = service(5.0, base_m2=base_m2)
    sites = [site("CA", "candidate", "", "school"), site("CB", "candidate", "", "school")]
    tt = [("A", "CA", 1, 1), ("B", "CA", 10, 8), ("A", "CB", 10, 8), ("B", "CB", 1, 1)]
    return solve(sites, [("A", "school", 50), ("B", "school", 50)], tt, cost=costs(school=school))


def test_the_fixed_base_makes_two_small_schools_dearer_than_one_merged():
    # Villages A and B, 50 pupils each; new schools at CA or CB (2000 EUR/m²). With a fixed
    # base of 200 m² + 5 m²/pupil: two schools 2 x (200 + 250) x 2000 = 1,800,000, one for
    # both (200 + 500) x 2000 = 1,400,000: merging saves one base, 400,000. Without a base
    # both cost 1,000,000 (no saving: the former rule).
    results, _, outcome = _two_villages(200.0)
    assert (results.decisions["action"] == "new").sum() == 1
    assert outcome.objective == pytest.approx(1_400_000.0)
    _, _, flat = _two_villages(0.0)
    assert flat.objective == pytest.approx(1_000_000.0)


def _budget_case(budgets):
    sites = [
        site("E", "existing", "school", "school", area=500, cap=100, eol=2025, sale=0),
        site("X", "existing", "school", "school", area=500, cap=100, eol=2050, sale=600_000),
    ]
    return solve(sites, [("Z", "school", 100)], TT1, allow_unmet=True, budgets=budgets)


def test_budget_gross_capex_versus_net_spend():
    # School E must be renovated (500,000) or close in 2025; school X (sale 600,000) is out
    # of everyone's reach. One 5-year period, no discounting; unmet 10,000 EUR/pupil-year.
    # Net spend limit 400,000: renovate E and sell X, 500,000 - 600,000 = -100,000 <= limit
    # (X must be sold in 2025 for that); objective -100,000.
    # Gross capex limit 400,000: the renovation (500,000 gross) is out whatever X brings:
    # E closes, 100 pupils x 5 years unmet = 5,000,000, less X's value 600,000: 4,400,000.
    results, _, outcome = _budget_case(BudgetSettings(net_spend_total_eur=400_000))
    assert action(results, "E") == ("renovate", 2025)
    assert action(results, "X") == ("close", 2025)
    assert outcome.objective == pytest.approx(-100_000.0)
    results, _, outcome = _budget_case(BudgetSettings(capex_total_eur=400_000))
    assert action(results, "E") == ("close", 2025)
    assert outcome.objective == pytest.approx(4_400_000.0)


def test_a_closest_assignment_tie_leaves_no_demand_unmet():
    # 100 pupils; schools S1 and S2 both at 5 min with 60 places each, zero budget. A tie
    # is not "farther": 60 + 40 pupils at 5 min = 500 person-min. Ranking the tie by site
    # id left 40 unmet: 60 x 5 + 40 x 240 = 9,900.
    sites = [
        site("S1", "existing", "school", "school", area=300, cap=60, eol=2050, sale=-1e6),
        site("S2", "existing", "school", "school", area=300, cap=60, eol=2050, sale=-1e6),
    ]
    _, _, outcome = solve(
        sites,
        [("Z", "school", 100)],
        [("Z", "S1", 5, 1), ("Z", "S2", 5, 1)],
        objective="access",
        allow_unmet=True,
        closest=True,
        budget=0,
    )
    assert outcome.objective == pytest.approx(500.0)


def test_a_maximum_size_forces_a_second_site():
    # 150 pupils; candidates C1 and C2 at 5 min; 5 m²/pupil at 2000 EUR/m² plus 100,000
    # fixed per school. One school: 100,000 + 750 x 2000 = 1,600,000. With a maximum of 100
    # pupils per site two are needed: 200,000 + 1,500,000 = 1,700,000 (dearer by one fixed
    # cost), neither above 100.
    tt = [("Z", "C1", 5, 1), ("Z", "C2", 5, 1)]
    sites = [site("C1", "candidate", "", "school"), site("C2", "candidate", "", "school")]
    one = service(5.0, fixed_capex_eur=100_000.0)
    _, _, free = solve(sites, [("Z", "school", 150)], tt, cost=costs(school=one))
    assert free.objective == pytest.approx(1_600_000.0)
    capped = service(5.0, fixed_capex_eur=100_000.0, max_places=100.0)
    results, _, outcome = solve(sites, [("Z", "school", 150)], tt, cost=costs(school=capped))
    assert (results.decisions["action"] == "new").sum() == 2
    assert results.plan.capacity_built["capacity_places"].max() <= 100.0 + 1e-6
    assert outcome.objective == pytest.approx(1_700_000.0)
