"""Hand-solved instances of the credibility rules of issue 11, each with its margin.

Every instance is solved by the real model and re-checked by the independent verifier
(``solve`` of test_model).
"""

from __future__ import annotations

import dataclasses

import pytest

from test_model import action, costs, service, site, solve
from voorzieningen.schemas.model import BudgetSettings
from voorzieningen.verify import find_violations, inputs_from_model_data

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


def test_an_existing_building_above_the_default_maximum_keeps_its_places():
    # School E exists with 150 places (750 m², no end of life); the service's default
    # maximum is 100 pupils; 150 pupils live 5 min from E. Candidate C is 20 min away
    # (new build 2000 EUR/m², 5 m²/pupil, no fixed cost). The default is an assumption
    # about a new school's size: E keeps its 150 places, nothing is built, cost 0. The
    # portfolio's own max_places 100 for E does cap it: 50 pupils at C, 50 x 5 x 2000 =
    # 500,000 (unmet demand is not allowed here: every pupil must be placed).
    capped = costs(school=service(5.0, max_places=100.0))
    tt = [("Z", "E", 5, 1), ("Z", "C", 20, 5)]
    e = site("E", "existing", "school", "school", area=750, cap=150)
    c = site("C", "candidate", "", "school")
    results, _, outcome = solve([e, c], [("Z", "school", 150)], tt, cost=capped)
    assert action(results, "E") == ("keep", None)
    assert action(results, "C") == ("not_built", None)
    assert outcome.objective == pytest.approx(0.0, abs=1e-6)
    own = {**e, "max_places": 100.0}
    results, _, outcome = solve([own, c], [("Z", "school", 150)], tt, cost=capped)
    assert action(results, "C") == ("new", 2025)
    assert outcome.objective == pytest.approx(500_000.0)


# ---------------------------------------------------------------- life extension (extend)

EXTEND_PERIODS = (2025, 2030, 2035, 2040)


def _village_school(**model):
    """School E at end of life in 2030; pupils fall below the closure norm in 2040.

    Zone Z: 100 pupils in 2025-2035, 10 in 2040. E (500 m², 100 places, 5 min) is the
    village school, managed, end of life 2030 (usable as is in 2025 only: 2030-2035 ends
    after it), closure norm 23 pupils. N is the next village's school (15 min, 200 places,
    not managed: stays open). Renovation 1,000 €/m² (500,000), extension 25 % of that
    (250 €/m², 125,000) + 10,000 fixed = 135,000, life extended by 15 years (to 2045: the
    periods 2030, 2035 and 2040). Gross capex budget 200,000: no renovation. Lead 1 period,
    no service during works (unavailable); an extension is maintenance in use: no
    interruption. Access objective, no cost tie-break; periods of equal weight 1/4.
    """
    school = service(5.0, min_places=23.0)
    sites = [
        site("E", "existing", "school", "school", area=500, cap=100, eol=2030, sale=0),
        {**site("N", "existing", "school", "school", area=1000, cap=200), "managed": False},
    ]
    demand = [("Z", "school", 100, t) for t in (2025, 2030, 2035)] + [("Z", "school", 10, 2040)]
    return solve(
        sites,
        demand,
        [("Z", "E", 5, 1), ("Z", "N", 15, 10)],
        periods=EXTEND_PERIODS,
        objective="access",
        cost=costs(school=school, extend_fixed_capex_eur=10_000.0),
        budgets=BudgetSettings(capex_total_eur=200_000.0),
        allow_unmet=True,
        lead=1,
        works="unavailable",
        **model,
    )


def test_extend_at_end_of_life_then_close_when_the_village_shrinks():
    # Extend in 2030 (135,000 <= 200,000), close in 2040 (10 pupils < 23: E may not stay
    # open): 100 x 5 min in 2025, 2030, 2035, then 10 x 15 min at N in 2040:
    # 1/4 (500 + 500 + 500 + 150) = 412.5 person-min per period.
    # Margins: closing in 2030 (no extension) sends 100 pupils to N in 2030 and 2035:
    # 1/4 (500 + 1500 + 1500 + 150) = 912.5, 500 worse; closing the extended school in
    # 2035 instead of 2040 is 1/4 (1500 - 500) = 250 worse. A renovation (500,000) exceeds
    # the budget, and would also leave the works period 2030 (or 2025) unserved at E.
    results, data, outcome = _village_school(allow_extend=True)
    assert action(results, "E") == ("extend", 2030)
    decisions = results.decisions.set_index("site")
    assert decisions.loc["E", "closed_period"] == 2040
    assert decisions.loc["E", "capex_eur"] == pytest.approx(0.25 * 1000 * 500 + 10_000)
    assert outcome.objective == pytest.approx(0.25 * (500 + 500 + 500 + 150))
    # No interruption: E serves its 100 pupils in 2030, the extension's first period.
    at_e = results.plan.assignments.query("site == 'E'").groupby("period")["persons"].sum()
    assert at_e.to_dict() == pytest.approx({2025: 100.0, 2030: 100.0, 2035: 100.0})
    # Options table: the extension keeps 100 places, starts only in 2030, open to 2040.
    ext = data.options.query("site == 'E' and action == 'extend'").iloc[0]
    assert (ext["first_start"], ext["open_until"], ext["lead_periods"]) == (2030, 2040, 0)


def test_without_extension_the_school_closes_at_its_end_of_life():
    # allow_extend = false: a renovation (500,000) exceeds the budget, so E closes in 2030,
    # the first period it cannot be used as is: its 100 pupils travel 15 min to N in 2030
    # and 2035 (10 more minutes each, 1,000 person-min per period), nobody is unmet (N
    # has 200 places). Objective 1/4 (500 + 1500 + 1500 + 150) = 912.5; closing in 2025
    # instead is 1/4 (1500 - 500) = 250 worse.
    results, _, outcome = _village_school(allow_extend=False)
    assert action(results, "E") == ("close", 2030)
    assert outcome.objective == pytest.approx(0.25 * (500 + 1500 + 1500 + 150))
    a = results.plan.assignments
    at_n = a[(a["site"] == "N") & (a["period"].isin([2030, 2035]))]
    assert at_n["persons"].sum() == pytest.approx(200.0)
    assert set(at_n["travel_time_min"]) == {15.0}
    assert results.plan.unmet["persons"].sum() == pytest.approx(0.0)


def test_verifier_catches_a_wrong_extension():
    # The extended plan above, tampered: each tampering is caught by its own rule alone.
    results, data, outcome = _village_school(allow_extend=True)
    plan, value = results.plan, outcome.objective
    inputs = inputs_from_model_data(data)
    assert find_violations(plan, inputs, objective_value=value) == []
    # Wrong cost: 50,000 reported for the extension, 135,000 recomputed.
    cheap = plan.starts.assign(capex_eur=50_000.0)
    found = find_violations(dataclasses.replace(plan, starts=cheap), inputs)
    assert [str(v) for v in found] == [
        "[capex] site E: capex 50,000 EUR reported, 135,000 EUR recomputed"
    ]
    # Use beyond the extended life: with a life extension of 5 years (to 2035) the
    # building may be open in 2030 only and must close by 2035; the plan keeps it to 2040.
    short = dataclasses.replace(
        inputs, costs=inputs.costs.model_copy(update={"extend_life_years": 5.0})
    )
    assert [str(v) for v in find_violations(plan, short)] == [
        "[extend] site E: used after its extended life (last period 2030); it must close or be "
        "renovated, converted or merged by 2035"
    ]
    # A bigger school than the building holds: an extension keeps its 100 places.
    bigger = plan.capacity_built.assign(capacity_places=150.0)
    found = find_violations(dataclasses.replace(plan, capacity_built=bigger), inputs)
    assert [v.kind for v in found] == ["extend"]
    # Extensions switched off: the option is not allowed (and E then hosts no school in
    # 2030-2035, so its pupils there are not hosted either).
    off = dataclasses.replace(inputs, model=inputs.model.model_copy(update={"allow_extend": False}))
    found = find_violations(plan, off)
    assert str(found[0]) == (
        "[option] site E: extend is not allowed: life extensions are not allowed "
        "(model.allow_extend = false)"
    )
    assert {v.kind for v in found} == {"option", "not_hosted", "capacity"}


def test_extend_now_renovate_when_the_extension_ends():
    # School E (500 m², 100 places, 100 pupils throughout) is past its end of life in 2025;
    # an extension lasts 10 years (open 2025 and 2030; closed or reworked by 2035). 5 %
    # discount, no opex, no residual value (lives of 5 and 10 years end before 2045), lead
    # 1 period with temporary space at no cost (service never stops), cost objective.
    # Renovate in 2025: 500,000.
    # Extend in 2025 (0.25 x 1000 x 500 + 10,000 = 135,000), renovate in 2035 when the
    # extension ends: 135,000 + 500,000 x 1.05^-10 = 441,956.62, cheaper by 58,043.38.
    # Renovating in 2030 after the extension: 135,000 + 500,000 x 1.05^-5 = 526,763.08;
    # closing in 2035 leaves 100 pupils x 10 years unmet (10,000,000).
    school = service(5.0)
    sites = [site("E", "existing", "school", "school", area=500, cap=100, eol=2025, sale=0)]
    results, _, outcome = solve(
        sites,
        [("Z", "school", 100)],
        TT1,
        periods=EXTEND_PERIODS,
        cost=costs(
            school=school,
            discount_rate=0.05,
            extend_fixed_capex_eur=10_000.0,
            extend_life_years=10.0,
        ),
        allow_unmet=True,
        lead=1,
        allow_extend=True,
    )
    starts = results.plan.starts
    assert list(zip(starts["option"], starts["period"], strict=True)) == [
        ("extend", 2025),
        ("renovate", 2035),
    ]
    row = results.decisions.set_index("site").loc["E"]
    assert (row["action"], row["period"], row["then_action"], row["then_period"]) == (
        "extend",
        2025,
        "renovate",
        2035,
    )
    assert row["then_capex_eur"] == pytest.approx(500_000.0)
    assert outcome.objective == pytest.approx(135_000 + 500_000 * 1.05**-10)
    assert 500_000 - outcome.objective == pytest.approx(58_043.38, abs=0.01)
    # The school serves its 100 pupils in every period (temporary space in 2035).
    served = results.plan.assignments.groupby("period")["persons"].sum()
    assert served.to_dict() == pytest.approx(dict.fromkeys(EXTEND_PERIODS, 100.0))
    assert results.plan.closures.empty


def test_verifier_catches_a_renovation_after_the_extended_life():
    # As above, with a 5-year extension at 10 % of the renovation price (open in 2025 only;
    # reworked or closed by 2030): extend in 2025 (0.1 x 1000 x 500 + 10,000 = 60,000) and
    # renovate in 2030: 60,000 + 500,000 x 1.05^-5 = 451,763.08 < 500,000 (renovate now).
    # Moved to 2035 the renovation would leave the extended building in use in 2030, past
    # its extended life.
    school = service(5.0)
    sites = [site("E", "existing", "school", "school", area=500, cap=100, eol=2025, sale=0)]
    results, data, outcome = solve(
        sites,
        [("Z", "school", 100)],
        TT1,
        periods=EXTEND_PERIODS,
        cost=costs(
            school=school,
            discount_rate=0.05,
            extend_share_of_renovation=0.1,
            extend_fixed_capex_eur=10_000.0,
            extend_life_years=5.0,
        ),
        allow_unmet=True,
        lead=1,
        allow_extend=True,
    )
    plan = results.plan
    assert list(zip(plan.starts["option"], plan.starts["period"], strict=True)) == [
        ("extend", 2025),
        ("renovate", 2030),
    ]
    assert outcome.objective == pytest.approx(60_000 + 500_000 * 1.05**-5)
    inputs = inputs_from_model_data(data)
    late = plan.starts.copy()
    late.loc[late["option"] == "renovate", "period"] = 2035
    built = plan.capacity_built.copy()
    built.loc[built["option"] == "renovate", "period"] = 2035
    found = find_violations(dataclasses.replace(plan, starts=late, capacity_built=built), inputs)
    assert (
        "[extend] site E: used after its extended life (last period 2025); it must close or be "
        "renovated, converted or merged by 2030"
    ) in [str(v) for v in found]
    # A second extension is no option: at most one, followed by at most one intervention.
    twice = plan.starts.assign(option="extend", action="extend")
    found = find_violations(dataclasses.replace(plan, starts=twice), inputs)
    assert "lifecycle" in {v.kind for v in found}
