"""Explanations of decisions on hand-solved instances: the opposite choice, re-solved."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from test_model import costs, make_data, service, site
from voorzieningen import explain
from voorzieningen.errors import InputDataError, VoorzieningenWarning
from voorzieningen.explain import (
    EXPLAIN_BUDGET_CSV,
    EXPLAIN_CSV,
    EXPLAIN_MARGINAL_CSV,
    check_same_plan,
    explain_plan,
    explain_section_html,
    read_explanation,
    write_explanation,
)
from voorzieningen.schemas.model import BudgetSettings


def _two_schools():
    # Schools A and B (500 m² each, 100 places, in use until 2050) serve 100 pupils; each
    # costs 100 €/m²/yr x 500 m² = 50,000 opex a year. One period 2025-2029 at 5 %:
    # opex factor a = sum_{y=0..4} 1.05^-y, end factor e = 1.05^-5; a building open at the
    # end keeps its sale value (A 100,000, B 300,000). Trips: A 5 min, B 10 min.
    # The cheapest plan (tests/test_model.py::test_closure_with_sale) keeps A, closes B:
    #   NPV = 50,000 a - 300,000 - 100,000 e.
    school = service(5.0, opex_eur_per_m2_year=100.0)
    sites = [
        site("A", "existing", "school", "school", area=500, cap=100, eol=2050, sale=100_000),
        site("B", "existing", "school", "school", area=500, cap=100, eol=2050, sale=300_000),
    ]
    return make_data(
        sites,
        [("Z", "school", 100)],
        [("Z", "A", 5, 1), ("Z", "B", 10, 1)],
        cost=costs(school=school, discount_rate=0.05),
    )


def test_two_buildings_cost_of_the_opposite_choice_by_hand():
    a = sum(1.05**-y for y in range(5))
    e = 1.05**-5
    plan = 50_000 * a - 300_000 - 100_000 * e
    # Close A instead of keeping it: B cannot close too (100 pupils need one school), so
    # B stays: 50,000 a - 100,000 - 300,000 e; every pupil travels to B (10 min, not 5).
    close_a = 50_000 * a - 100_000 - 300_000 * e
    # Keep B instead of closing it: everything else is re-optimised, so the best plan that
    # keeps B closes A (close_a), not both kept: 2 x 50,000 a - e (100,000 + 300,000).
    keep_both = 2 * 50_000 * a - e * 400_000
    # Margins that make each answer unique: close_a - plan = 200,000 (1 - e) = 43,295;
    # keep_both - close_a = 50,000 a + 100,000 (1 - e) = 248,944.
    assert close_a - plan > 40_000
    assert keep_both - close_a > 240_000
    explanation = explain_plan(_two_schools())
    rows = explanation.decisions.set_index("site")
    assert list(rows.index) == ["A", "B"]
    assert rows.loc["A", "choice"] == "keep"
    assert rows.loc["A", "opposite"] == "close"
    assert rows.loc["B", "choice"] == "close"
    assert rows.loc["B", "opposite"] == "keep"
    assert rows.loc["B", "period"] == 2025
    assert bool(rows.loc["A", "feasible"])
    assert bool(rows.loc["B", "feasible"])
    assert explanation.reference["npv_cost_eur"] == pytest.approx(plan)
    assert rows.loc["A", "delta_npv_cost_eur"] == pytest.approx(close_a - plan)
    assert rows.loc["B", "delta_npv_cost_eur"] == pytest.approx(close_a - plan)
    # The objective is the NPV here; a difference of 43,295 is far beyond the solver's gap.
    assert rows.loc["A", "delta_objective_value"] == pytest.approx(close_a - plan)
    assert rows.loc["A", "within_solver_gap"] == False  # noqa: E712 - object column
    # Net spend (capex less sale proceeds): plan -300,000; close A (keep B): -100,000.
    for building in ("A", "B"):
        assert rows.loc[building, "delta_net_spend_eur"] == pytest.approx(200_000)
        # Its 100 pupils travel to B (10 min) instead of A (5); nobody is left unserved.
        assert rows.loc[building, "delta_school_mean_time_all_min"] == pytest.approx(5.0)
        assert rows.loc[building, "delta_school_unmet_pupils"] == pytest.approx(0.0)
    # No total capex limit: no budget re-solves.
    assert explanation.budget.empty
    assert explanation.marginal.empty


def _access_with_budget(**changes):
    # Zones A (100 pupils, 1 min from school S) and B (300 pupils, 20 min from S). A new
    # school at C2 (1 min from B) costs 2000 €/m² x 5 m² = 10,000 € per place; the gross
    # capex limit of 1,000,000 buys 100 places: access 100 x 1 + 200 x 20 + 100 x 1 =
    # 4,200 person-min (tests/test_model.py::test_access_objective_builds_where_...).
    sites = [
        site("S", "existing", "school", "school", area=2000, cap=400, eol=2050, sale=0),
        site("C2", "candidate", "", "school"),
    ]
    tt = [("A", "S", 1, 1), ("B", "S", 20, 10), ("B", "C2", 1, 1)]
    return make_data(
        sites,
        [("A", "school", 100), ("B", "school", 300)],
        tt,
        objective="access",
        budgets=BudgetSettings(capex_total_eur=1_000_000),
        **changes,
    )


def test_marginal_value_of_budget_and_infeasible_opposites_by_hand():
    explanation = explain_plan(_access_with_budget(), budget_step=0.1)
    rows = explanation.decisions.set_index("site")
    # Closing S leaves zone A (reachable from S only) unserved, and unmet demand is not
    # allowed: the opposite choice does not fit.
    assert rows.loc["S", "choice"] == "keep"
    assert rows.loc["S", "feasible"] == False  # noqa: E712 - a bool in an object column
    assert rows.loc["S", "status"] == "infeasible"
    assert pd.isna(rows.loc["S", "delta_net_spend_eur"])
    # Not building C2: everyone of B at 20 min again: 6,100 person-min, 1,900 more over 400
    # pupils = +4.75 min; 1,000,000 € less spent.
    assert rows.loc["C2", "choice"] == "new"
    assert rows.loc["C2", "opposite"] == "no_build"
    assert rows.loc["C2", "delta_school_mean_time_all_min"] == pytest.approx(1_900 / 400)
    assert rows.loc["C2", "delta_net_spend_eur"] == pytest.approx(-1_000_000)
    # Budget 900,000 -> 90 places (4,390 person-min), 1,100,000 -> 110 (4,010): each M€
    # moves 100 pupils from 20 to 1 min: -1,900 / 400 = -4.75 min per M€.
    budget = explanation.budget.set_index("level")
    assert budget.loc["minus", "budget_eur"] == pytest.approx(900_000)
    assert budget.loc["minus", "school_mean_time_all_min"] == pytest.approx(4_390 / 400)
    assert budget.loc["plus", "school_mean_time_all_min"] == pytest.approx(4_010 / 400)
    marginal = explanation.marginal
    assert marginal.loc["school", "mean_time_all_min_per_meur"] == pytest.approx(-4.75)
    assert marginal.loc["school", "unit"] == "pupils"


def test_locked_building_has_no_opposite_and_progress_counts_every_solve():
    sites = [
        site("A", "existing", "school", "school", area=500, cap=100, eol=2050, lock="no_close"),
    ]
    data = make_data(sites, [("Z", "school", 100)], [("Z", "A", 5, 1)])
    seen: list[tuple[str, int, int]] = []
    explanation = explain_plan(
        data, progress=lambda label, done, total: seen.append((label, done, total))
    )
    row = explanation.decisions.set_index("site").loc["A"]
    assert row["status"] == "locked"
    assert pd.isna(row["feasible"])
    assert seen[0] == ("the plan", 0, 2)
    assert seen[-1] == ("done", 2, 2)


def test_write_explanation_adds_files_and_keeps_the_earlier_one(tmp_path):
    explanation = explain_plan(_access_with_budget())
    (tmp_path / "decisions.csv").write_text("kept\n", encoding="utf-8")
    first = write_explanation(explanation, tmp_path)
    assert [p.name for p in first] == [EXPLAIN_CSV, EXPLAIN_BUDGET_CSV, EXPLAIN_MARGINAL_CSV]
    marginal = pd.read_csv(tmp_path / EXPLAIN_MARGINAL_CSV)
    assert marginal.set_index("service").loc["school", "mean_time_all_min_per_meur"] == -4.75
    table = pd.read_csv(tmp_path / EXPLAIN_CSV)
    assert len(table) == 2
    assert table["delta_net_spend_eur"].dtype.kind == "f"
    assert table.loc[table["site"] == "C2", "delta_net_spend_eur"].item() == -1_000_000
    write_explanation(explanation, tmp_path, dutch_excel=True)
    assert (tmp_path / "decisions.csv").read_text(encoding="utf-8") == "kept\n"
    assert len(list((tmp_path / ".history").glob("explain-*.csv"))) == 1
    dutch = pd.read_csv(tmp_path / EXPLAIN_CSV, sep=";", decimal=",", encoding="utf-8-sig")
    assert dutch["delta_school_mean_time_all_min"].dtype.kind == "f"
    assert not list(tmp_path.glob(".explain*tmp*"))
    # without an explicit format, the folder's run.json decides
    (tmp_path / "run.json").write_text(json.dumps({"csv_format": "dutch_excel"}), "utf-8")
    write_explanation(explanation, tmp_path)
    assert (tmp_path / EXPLAIN_CSV).read_text(encoding="utf-8-sig").startswith("site;name;")
    html = explain_section_html(explanation)
    assert "niet bouwen" in html
    assert "-1.000.000" in html
    # the summary page can build the same section from the folder
    back = read_explanation(tmp_path)
    assert back is not None
    assert back.loc[back["site"] == "S", "feasible"].item() is False
    assert explain_section_html(back) == html
    assert read_explanation(tmp_path / "elsewhere") is None


def test_budget_step_must_be_a_fraction():
    with pytest.raises(ValueError, match="budget_step must be between 0 and 1"):
        explain_plan(_access_with_budget(), budget_step=1.5)


def test_explain_run_needs_a_results_folder(tmp_path):
    with pytest.raises(InputDataError, match=r"run\.json.*not found; give a results folder"):
        explain.explain_run(tmp_path)
    (tmp_path / "run.json").write_text(json.dumps({"scenario": "x"}), encoding="utf-8")
    with pytest.raises(InputDataError, match=r"run\.json, settings\) \| no scenario settings"):
        explain.explain_run(tmp_path)
    (tmp_path / "run.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"cannot be read as JSON"):
        explain.explain_run(tmp_path)


def test_a_re_solved_plan_that_differs_from_the_saved_one_is_named(tmp_path):
    explanation = explain_plan(_two_schools())
    # the saved plan closed A instead of B (say, another plan within the gap)
    pd.DataFrame({"site": ["A", "B"], "action": ["close", "keep"], "period": [2025, None]}).to_csv(
        tmp_path / "decisions.csv", index=False
    )
    with pytest.warns(VoorzieningenWarning, match=r"differs from the saved one at A, B"):
        assert check_same_plan(explanation, tmp_path) == ["A", "B"]
    pd.DataFrame({"site": ["A", "B"], "action": ["keep", "close"], "period": [None, 2025]}).to_csv(
        tmp_path / "decisions.csv", index=False
    )
    assert check_same_plan(explanation, tmp_path) == []
