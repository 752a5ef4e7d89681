"""Robust plans over population variants (issue 16, models/robust.md): hand-solved."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pyomo.environ as pyo
import pytest
from pydantic import ValidationError

from test_maps import SITES, ZONES, tiny_results
from test_model import costs, make_data, service, site
from voorzieningen import summary_page
from voorzieningen.errors import VerificationError
from voorzieningen.model import robust as rmodel
from voorzieningen.model.build import build_model
from voorzieningen.reader import read_run
from voorzieningen.record import SavedRun
from voorzieningen.report import ReportSettings, write_report
from voorzieningen.results import extract_results
from voorzieningen.robust import best_single_plan, robust_table
from voorzieningen.schemas.robust import RobustSettings
from voorzieningen.solve import solve_model
from voorzieningen.verify import verify_plan

#: Fixed capex of a new school (€) and capex per place (5 m² x 2000 €/m²).
FIXED_EUR = 100_000.0
PER_PLACE_EUR = 10_000.0
#: Penalty of an unserved pupil, € per year; 2030 lasts 5 years.
PENALTY_EUR = 6_000.0
WEIGHTS = {"west": 0.5, "east": 0.5}


def hedge_data(variant: str):
    """Two zones, two candidate sites, 2025 and 2030, lead time one period.

    Nobody needs a school in 2025. In 2030 100 pupils need one in zone W (variant ``west``)
    or in zone O (variant ``east``). Site SW reaches only W, site SO only O. A school decided
    in 2025 opens in 2030; a decision in 2030 would open after the horizon, so 2025 is the
    only time to build. No discounting, no opex, no residual value (life 5 years).
    """
    west, east = (100, 0) if variant == "west" else (0, 100)
    school = service(5.0, fixed_capex_eur=FIXED_EUR)
    sites = [site("SW", "candidate", "", "school"), site("SO", "candidate", "", "school")]
    demand = [
        ("W", "school", 0, 2025),
        ("O", "school", 0, 2025),
        ("W", "school", west, 2030),
        ("O", "school", east, 2030),
    ]
    return make_data(
        sites,
        demand,
        [("W", "SW", 5, 1), ("O", "SO", 5, 1)],
        periods=(2025, 2030),
        cost=costs(school=school),
        allow_unmet=True,
        unmet_penalty_eur=PENALTY_EUR,
        lead=1,
    )


def starts_2025(model) -> set[str]:
    """Sites whose school is decided in 2025."""
    names = {0: "SW", 1: "SO"}
    return {names[k] for (k, t), v in model.start.extract_values().items() if t == 2025 and v > 0.5}


@pytest.fixture(scope="module")
def variants():
    return rmodel.shared_bounds({v: hedge_data(v) for v in WEIGHTS})


def test_hedging_beats_each_single_variant_plan_by_its_margin(variants):
    """Build both schools: worse than either variant's own plan, better than both in expectation.

    A school of 100 places costs F + 100 c = 100,000 + 1,000,000 = 1.1 M€; 100 unserved
    pupils for the 5 years of 2030 cost 100 x 5 x 6,000 = 3.0 M€.

    - Plan "west" (build SW only): 1.1 M€ under west, 1.1 + 3.0 = 4.1 M€ under east;
      expected 0.5 x 1.1 + 0.5 x 4.1 = 2.6 M€. Plan "east" the same by symmetry.
    - Build nothing: 3.0 M€ under either variant, expected 3.0 M€.
    - Robust (build both): 2.2 M€ under either variant, expected 2.2 M€.
    - Partial sizes: a place at SO is worth 0.5 x 5 x 6,000 = 15,000 € of expected penalty
      against 10,000 € of capex, so any school built is built full (100 places).

    The robust plan beats each single-variant plan by 2.6 - 2.2 = 0.4 M€ of expected cost
    (the margin that makes it unique), at a regret of 1.1 M€ under each variant, against
    3.0 M€ (4.1 - 1.1) for each single-variant plan under the other variant.
    """
    alone = {}
    for v, data in variants.items():
        built = build_model(data)
        outcome = solve_model(built.model, objective_scale=built.objective_scale)
        assert outcome.objective == pytest.approx(1_100_000.0)
        assert starts_2025(built.model) == {"SW" if v == "west" else "SO"}
        alone[v] = (built, rmodel.first_period_values(built.model, data))
    # Each single-variant plan under the other variant: its 2025 decisions fixed.
    under_other = {}
    for plan, other in (("west", "east"), ("east", "west")):
        built, _ = alone[other]
        fixed = rmodel.fix_first_period(built.model, alone[plan][1])
        outcome = solve_model(built.model, objective_scale=built.objective_scale)
        results = extract_results(built.model, variants[other], outcome)
        verify_plan(
            results.plan,
            variants[other],
            objective_value=outcome.objective,
            sizing_demands=(variants[plan].demand,),
        )
        rmodel.unfix(fixed)
        under_other[plan] = outcome.objective
    assert under_other == pytest.approx({"west": 4_100_000.0, "east": 4_100_000.0})
    expected_single = 0.5 * 1_100_000.0 + 0.5 * 4_100_000.0
    assert expected_single == pytest.approx(2_600_000.0)

    robust = rmodel.build_robust_model(variants, WEIGHTS)
    outcome = solve_model(robust.model, objective_scale=robust.objective_scale)
    assert outcome.objective == pytest.approx(2_200_000.0)
    assert expected_single - outcome.objective == pytest.approx(400_000.0)
    for v, data in variants.items():
        block = robust.model.variant[v]
        assert starts_2025(block) == {"SW", "SO"}
        value = rmodel.block_objective(block, robust.objective_scale)
        assert value == pytest.approx(2_200_000.0)
        results = extract_results(block, data, outcome)
        other = next(d for w, d in variants.items() if w != v)
        verify_plan(results.plan, data, objective_value=value, sizing_demands=(other.demand,))
        # The independent verifier refuses SO's places under "west" without the other
        # variant's demand (nobody in "west" can reach SO).
        with pytest.raises(VerificationError, match="max_size"):
            verify_plan(results.plan, data, objective_value=value)


def test_minmax_regret_builds_both_schools(variants):
    """Largest regret: both schools 1.1 M€ (2.2 - 1.1 under either variant); one school
    3.0 M€ (4.1 - 1.1 under the other variant); nothing 1.9 M€ (3.0 - 1.1). Both schools win
    by 0.8 M€ of regret."""
    best = {"west": 1_100_000.0, "east": 1_100_000.0}
    robust = rmodel.build_robust_model(
        variants, WEIGHTS, objective="minmax_regret", best_objective=best
    )
    solve_model(robust.model, objective_scale=robust.objective_scale)
    for v in WEIGHTS:
        assert starts_2025(robust.model.variant[v]) == {"SW", "SO"}
    regret = float(pyo.value(robust.model.max_regret)) / robust.objective_scale
    assert regret == pytest.approx(1_100_000.0)


def test_first_period_is_shared_and_later_periods_are_free(variants):
    """Non-anticipativity binds 2025 only: in 2030 the blocks assign different pupils."""
    robust = rmodel.build_robust_model(variants, WEIGHTS)
    solve_model(robust.model, objective_scale=robust.objective_scale)
    west, east = robust.model.variant["west"], robust.model.variant["east"]
    served = {
        v: sum(x for (p, t), x in b.assigned_persons.extract_values().items() if t == 2030)
        for v, b in (("west", west), ("east", east))
    }
    assert served == pytest.approx({"west": 100.0, "east": 100.0})
    assert rmodel.first_period_values(west, variants["west"]) == pytest.approx(
        rmodel.first_period_values(east, variants["east"])
    )
    assert len(robust.model.c_nonanticipativity) > 0


def test_minmax_regret_needs_the_variants_best_objectives(variants):
    with pytest.raises(ValueError, match="best objective"):
        rmodel.build_robust_model(variants, WEIGHTS, objective="minmax_regret")


def test_weights_must_match_the_variants(variants):
    with pytest.raises(ValueError, match="do not match the variants"):
        rmodel.build_robust_model(variants, {"west": 1.0})


def test_variants_must_share_options_and_pairs(variants):
    other = make_data(
        [site("SW", "candidate", "", "school")],
        [("W", "school", 10)],
        [("W", "SW", 5, 1)],
        periods=(2025, 2030),
        allow_unmet=True,
    )
    with pytest.raises(ValueError, match="differ only in demand"):
        rmodel.shared_bounds({"west": variants["west"], "other": other})


@pytest.mark.parametrize(
    ("variants", "message"),
    [
        ({"mid": 1.0}, "needs at least two"),
        ({"mid": 0.5, "low": 0.0}, "above 0 and at most 1"),
        ({"mid": 0.5, "low": math.nan}, "finite number"),
        ({"mid": 1.0, "low": 1.0}, "sum to 2, not 1.*mid = 0.5, low = 0.5"),
    ],
)
def test_robust_settings_refuse_bad_weights(variants, message):
    with pytest.raises(ValidationError, match=message):
        RobustSettings(variants=variants)


def test_robust_settings_accept_weights_summing_to_one():
    settings = RobustSettings(variants={"mid": 0.5, "low": 0.25, "krimp": 0.25})
    assert settings.enabled
    assert not RobustSettings().enabled


# ----------------------------------------------------------------- robust.csv and its page


def fake_run(objective: float, decisions: list[tuple[str, str, int]]) -> SimpleNamespace:
    """What robust_table reads of a run: outcome, summary, decisions and periods."""
    summary = pd.DataFrame(
        [
            {
                "npv_cost_eur": objective,
                "capex_eur": objective,
                "access_person_min": 0.0,
                "served_pupils": 100.0,
                "unmet_pupils": 0.0,
                "mean_time_all_min_school": 5.0,
            }
        ]
    )
    table = pd.DataFrame(decisions, columns=["site", "action", "period"])
    return SimpleNamespace(
        outcome=SimpleNamespace(objective=objective, status="optimal", gap=0.0),
        summary=summary,
        decisions=table,
        data=SimpleNamespace(periods=[2025, 2030]),
    )


def hedge_table() -> pd.DataFrame:
    """robust.csv of the hedging instance above (objectives in €, worked out there)."""
    both = [("SW", "new", 2025), ("SO", "new", 2025)]
    robust = {v: fake_run(2_200_000.0, both) for v in WEIGHTS}
    cells = {
        ("west", "west"): fake_run(1_100_000.0, [("SW", "new", 2025)]),
        ("west", "east"): fake_run(4_100_000.0, [("SW", "new", 2025)]),
        ("east", "west"): None,  # as if the east plan could not be followed under west
        ("east", "east"): fake_run(1_100_000.0, [("SO", "new", 2025)]),
    }
    return robust_table(robust, cells, WEIGHTS)  # type: ignore[arg-type]


def test_robust_table_regrets_and_expectations_by_hand():
    table = hedge_table().set_index(["plan", "variant"])
    assert table.loc[("robust", "west"), "regret"] == pytest.approx(1_100_000.0)
    assert table.loc[("robust", "east"), "expected_objective_value"] == pytest.approx(2_200_000.0)
    assert table.loc[("west", "east"), "regret"] == pytest.approx(3_000_000.0)
    # 0.5 x 1.1 + 0.5 x 4.1 = 2.6 M€; largest regret 4.1 - 1.1 = 3.0 M€
    assert table.loc[("west", "west"), "expected_objective_value"] == pytest.approx(2_600_000.0)
    assert table.loc[("west", "west"), "max_regret"] == pytest.approx(3_000_000.0)
    assert table.loc[("west", "west"), "best_objective_value"] == pytest.approx(1_100_000.0)
    assert table.loc[("robust", "west"), "first_period_decisions"] == "SW: new; SO: new"
    infeasible = table.loc[("east", "west")]
    assert infeasible["status"] == "infeasible"
    assert math.isnan(infeasible["objective_value"])
    assert math.isnan(table.loc[("east", "east"), "expected_objective_value"])


@pytest.mark.parametrize("language", ["nl", "en"])
def test_robust_csv_round_trip_and_summary_section(tmp_path, language):
    saved = dataclasses.replace(
        SavedRun.from_results(tiny_results(), region="testregio", sites=SITES, zone_points=ZONES),
        robust=hedge_table(),
    )
    settings = ReportSettings(csv_format="dutch_excel", language=language, with_maps=False)
    folder = write_report(saved, tmp_path / "run", settings=settings)
    header = (folder / "robust.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert ("spijt" in header) == (language == "nl")
    back = read_run(folder)
    assert back.robust is not None
    expected = hedge_table()
    assert back.robust["plan"].tolist() == expected["plan"].tolist()
    assert back.robust["regret"].tolist() == pytest.approx(expected["regret"].tolist(), nan_ok=True)
    html_text = summary_page.robust_section_html(back, language)
    words = summary_page.ROBUST_TEXT[language]
    assert words["title"] in html_text
    # Expected: robust 2.2 M€; plan west 2.6 M€ (plan east unknown: infeasible under west).
    saving = "400.000" if language == "nl" else "400,000"
    assert f"{saving}" in html_text
    assert words["infeasible"] in html_text


def test_no_robust_section_for_a_single_variant_run():
    saved = SavedRun.from_results(tiny_results(), region="testregio")
    assert summary_page.robust_section_html(saved, "nl") == ""


def test_the_robust_solve_starts_from_the_best_single_variant_plan():
    """Expected: west 2.6 M€ (east's plan is infeasible under west, so no start); largest
    regret: west 3.0 M€. With east feasible at 4.1 / 1.1 M€ the tie goes to the first."""
    objectives = {("west", "west"): 1.1e6, ("west", "east"): 4.1e6, ("east", "east"): 1.1e6}
    cells = {key: fake_run(value, []) for key, value in objectives.items()}
    cells[("east", "west")] = None
    best = {"west": 1.1e6, "east": 1.1e6}
    assert best_single_plan(cells, WEIGHTS, best, "expected") == ("west", pytest.approx(2.6e6))
    assert best_single_plan(cells, WEIGHTS, best, "minmax_regret") == (
        "west",
        pytest.approx(3.0e6),
    )
    cells[("east", "west")] = fake_run(4.1e6, [])
    assert best_single_plan(cells, WEIGHTS, best, "expected")[0] == "west"
    cells[("west", "west")] = None
    assert best_single_plan(cells, WEIGHTS, best, "expected") == ("east", pytest.approx(2.6e6))
    cells[("east", "west")] = None
    assert best_single_plan(cells, WEIGHTS, best, "expected")[0] is None


def test_warm_start_loads_a_single_variant_plan_into_every_block(variants):
    """The west plan (build SW only) loaded as the start: 1.1 M€ under west, 4.1 under east."""
    plans = {}
    for v, data in variants.items():
        built = build_model(data)
        if v == "east":  # the west plan's 2025 decisions under east
            west = build_model(variants["west"])
            solve_model(west.model, objective_scale=west.objective_scale)
            rmodel.fix_first_period(
                built.model, rmodel.first_period_values(west.model, variants["west"])
            )
        solve_model(built.model, objective_scale=built.objective_scale)
        plans[v] = rmodel.var_values(built.model)
    robust = rmodel.build_robust_model(variants, WEIGHTS)
    rmodel.warm_start(robust, plans)
    values = {
        v: rmodel.block_objective(robust.model.variant[v], robust.objective_scale) for v in WEIGHTS
    }
    assert values == pytest.approx({"west": 1.1e6, "east": 4.1e6})


def test_summary_section_says_when_one_variant_plan_already_holds():
    """Robust = the west plan (1.1 / 4.1 M€, expected 2.6 M€): nothing gained by hedging."""
    robust = {"west": fake_run(1.1e6, []), "east": fake_run(4.1e6, [])}
    cells = {(p, w): fake_run(1.1e6 if p == w else 4.1e6, []) for p in WEIGHTS for w in WEIGHTS}
    saved = dataclasses.replace(
        SavedRun.from_results(tiny_results(), region="testregio"),
        robust=robust_table(robust, cells, WEIGHTS),  # type: ignore[arg-type]
    )
    text = summary_page.robust_section_html(saved, "en")
    assert "as good in expectation as the best plan made for one variant (plan for west)" in text
    assert "3,000,000 worse" in text


def test_run_scenario_refuses_a_robust_scenario(data_dir):
    from voorzieningen import api
    from voorzieningen.errors import ScenarioError

    delft = Path(__file__).resolve().parents[1] / "inputs" / "delft" / "scenarios.toml"
    with pytest.raises(
        ScenarioError, match=r"sets \[robust\] variants \(mid, krimp\): plan it with"
    ):
        api.run_scenario(
            delft,
            data_dir=data_dir,
            sets=['robust.variants={"mid": 0.5, "krimp": 0.5}'],
        )
