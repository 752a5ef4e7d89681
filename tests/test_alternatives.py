"""Near-optimal alternatives (modelling to generate alternatives) on hand-solved instances."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from test_cli import SMALL
from test_model import costs, make_data, service, site
from voorzieningen import tables as T
from voorzieningen.alternatives import (
    ALTERNATIVES_CSV,
    alternatives_run,
    alternatives_section_html,
    find_alternatives,
)
from voorzieningen.cli import app
from voorzieningen.errors import InputDataError
from voorzieningen.model.alternatives import slack_limit

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()

# One period 2025-2029 at 5 %: opex factor a = sum_{y=0..4} 1.05^-y, end factor e = 1.05^-5.
A = sum(1.05**-y for y in range(5))
E = 1.05**-5
OPEX = 100.0 * 500  # 100 €/m²/yr x 500 m² per school


def _schools(sale_a: float, sale_b: float, *, candidate: bool = False):
    # Schools A and B (500 m², 100 places, in use until 2050) for 100 pupils of zone Z. One
    # school suffices; closing one sells it now, a school open at the end keeps its sale value
    # (tests/test_explain.py::_two_schools). A candidate site C, when asked for, could host
    # a 1-place school for 5 m² x 2000 = 10,000 €.
    school = service(5.0, opex_eur_per_m2_year=100.0)
    sites = [
        site("A", "existing", "school", "school", area=500, cap=100, eol=2050, sale=sale_a),
        site("B", "existing", "school", "school", area=500, cap=100, eol=2050, sale=sale_b),
    ]
    tt = [("Z", "A", 5, 1), ("Z", "B", 5, 1)]
    if candidate:
        sites.append(site("C", "candidate", "", "school"))
        tt.append(("Z", "C", 5, 1))
    return make_data(
        sites,
        [("Z", "school", 100)],
        tt,
        cost=costs(school=school, discount_rate=0.05),
    )


def _keep_one(sale_kept: float, sale_closed: float) -> float:
    """NPV of keeping one school and selling the other now."""
    return OPEX * A - sale_closed - sale_kept * E


def test_two_equally_good_sites_the_search_finds_the_other_one():
    # A and B are the same in every respect: keep A and close B, or keep B and close A, both
    # NPV = 50,000 a - 300,000 - 300,000 e = -307,760. The next best plan keeps both:
    # 2 x 50,000 a - 600,000 e = -15,521, 292,239 dearer, far beyond the 1 % slack (3,078);
    # closing both leaves pupils unserved (not allowed).
    optimum = _keep_one(300_000, 300_000)
    keep_both = 2 * OPEX * A - 600_000 * E
    assert keep_both - optimum > 290_000 > 0.01 * abs(optimum)
    found = find_alternatives(_schools(300_000, 300_000), n=2, slack=0.01)
    assert found.optimum_outcome.objective == pytest.approx(optimum)
    # Exactly two optimal plans: one alternative, the mirror image, then nothing more.
    assert len(found.plans) == 1
    assert "no other plan within 1.0%" in found.note
    first = found.plans[0]
    closed_0 = found.optimum.decisions.set_index(T.SITE)[T.ACTION]
    closed_1 = first.run.decisions.set_index(T.SITE)[T.ACTION]
    assert sorted([closed_0["A"], closed_0["B"]]) == ["close", "keep"]
    assert closed_1["A"] == closed_0["B"]
    assert closed_1["B"] == closed_0["A"]
    assert first.outcome.objective == pytest.approx(optimum)
    # close[A, 2025] and close[B, 2025] flip: two building decisions differ.
    assert first.distance_to_optimum == 2
    assert first.distance_to_nearest == 2
    row = found.table.set_index(T.ALTERNATIVE).loc[1]
    assert row[T.DELTA_OBJECTIVE_VALUE] == pytest.approx(0.0, abs=1e-3)
    assert row[T.SITES_CHANGED] == 2
    assert "A: " in row[T.DECISIONS_CHANGED]
    assert "B: " in row[T.DECISIONS_CHANGED]
    # both sell one school for 300,000: the same net spend, written +0 (never -0)
    assert "<td>+0</td>" in alternatives_section_html(found)


def test_the_slack_bound_is_respected():
    # B sells for more (300,000) than A (100,000): the optimum keeps A and sells B,
    #   f* = 50,000 a - 300,000 - 100,000 e = -151,055.
    # The mirror plan (keep B, sell A) costs 200,000 (1 - e) = 43,295 more: 28.66 % of |f*|.
    # Keeping both costs 292,240 more (193 %). So 25 % admits no alternative, 30 % exactly one.
    optimum = _keep_one(100_000, 300_000)
    mirror = _keep_one(300_000, 100_000)
    share = (mirror - optimum) / abs(optimum)
    assert 0.25 < share < 0.30
    assert mirror - optimum == pytest.approx(200_000 * (1 - E))
    data = _schools(100_000, 300_000)
    none = find_alternatives(data, n=1, slack=0.25)
    assert none.plans == ()
    assert "within 25.0%" in none.note
    assert none.limit == pytest.approx(optimum + 0.25 * abs(optimum))
    one = find_alternatives(data, n=3, slack=0.30)
    assert len(one.plans) == 1
    plan = one.plans[0]
    assert plan.outcome.objective == pytest.approx(mirror)
    assert plan.outcome.objective <= one.limit
    assert one.limit == pytest.approx(slack_limit(optimum, 0.30))
    assert plan.run.decisions.set_index(T.SITE).loc["A", T.ACTION] == "close"
    row = one.table.set_index(T.ALTERNATIVE).loc[1]
    assert row[T.DELTA_OBJECTIVE_PCT] == pytest.approx(100 * share)
    # Net spend: -300,000 (sell B) against -100,000 (sell A).
    assert row[T.NET_SPEND_EUR] == pytest.approx(-100_000)


def test_keep_a_building_open_costs_the_hand_computed_difference():
    # The optimum sells B (worth 300,000) and keeps A. Keeping B open: the best plan then
    # sells A instead, 200,000 (1 - e) = 43,295 dearer; that is the cost of the wish.
    data = _schools(100_000, 300_000)
    seen: list[tuple[str, int, int]] = []
    found = find_alternatives(
        data, n=2, slack=0.05, keep=["B"], progress=lambda *a: seen.append(a)
    )
    assert found.keep == ("B",)
    assert found.keep_cost == pytest.approx(200_000 * (1 - E))
    # the objective is the net present cost here: the same figure in €
    assert found.objective == "cost"
    assert found.keep_cost_npv_eur == pytest.approx(200_000 * (1 - E))
    wish = found.plans[0]
    assert wish.search is None
    assert wish.run.decisions.set_index(T.SITE).loc["B", T.ACTION] == "keep"
    # 43,295 is more than 5 % of 151,055 (7,553): no plan keeps B within the slack.
    assert len(found.plans) == 1
    assert "no other plan within 5.0% of the optimum keeps B open and differs" in found.note
    assert found.table.set_index(T.ALTERNATIVE).loc[1, T.KEPT] == "B"
    # progress: the optimum, the wish, the search for a differing plan, then done
    assert [s[0] for s in seen][:2] == ["the optimum", "keep B open"]
    assert seen[-1][0] == "done"
    assert seen[-1][1] == seen[-1][2]
    page = alternatives_section_html(found)
    assert "Alternatieven" in page
    assert "B openhouden" in page
    assert "+43.295 €" in page


def test_the_comparison_table_has_dutch_headers():
    from voorzieningen.localise import untranslated_columns

    found = find_alternatives(_schools(300_000, 300_000), n=1, slack=0.01)
    assert untranslated_columns(found.table.columns) == []
    assert found.table.columns[0] == T.ALTERNATIVE


def test_keeping_a_building_the_optimum_keeps_costs_nothing():
    found = find_alternatives(_schools(100_000, 300_000), n=1, slack=0.05, keep=["A"])
    assert found.keep_cost == pytest.approx(0.0, abs=1e-3)


@pytest.mark.parametrize(
    ("keep", "message"),
    [
        (["X"], r"\(--keep\) \| unknown site 'X'; give the site id of an existing building "
         r"of the run \(sites.csv, column site\): A, B\."),
        (["C"], r"\(--keep\) \| C is a candidate site, not a building"),
    ],
)  # fmt: skip
def test_keep_needs_an_existing_building(keep, message):
    with pytest.raises(InputDataError, match=message):
        find_alternatives(_schools(100_000, 300_000, candidate=True), n=1, keep=keep)


@pytest.mark.parametrize("slack", [0.0, -0.1, 1.5, float("nan")])
def test_slack_must_be_a_fraction_above_zero_and_at_most_one(slack):
    with pytest.raises(InputDataError, match=r"\(--slack\) \| .* is not a fraction of the"):
        find_alternatives(_schools(100_000, 300_000), slack=slack)


def test_at_least_one_alternative():
    with pytest.raises(InputDataError, match=r"\(-n\) \| 0 alternatives asked for; give 1"):
        find_alternatives(_schools(100_000, 300_000), n=0)


def test_a_folder_that_is_not_a_run_is_refused(tmp_path):
    with pytest.raises(InputDataError, match=r"run\.json\) \| not found; give a results folder"):
        alternatives_run(tmp_path)
    (tmp_path / "run.json").write_text(json.dumps({"scenario": "x"}), encoding="utf-8")
    with pytest.raises(InputDataError, match=r"run\.json, settings\) \| no scenario settings"):
        alternatives_run(tmp_path)


def test_cli_errors_exit_2_without_a_traceback(tmp_path):
    result = runner.invoke(app, ["alternatives", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "run.json) | not found" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["alternatives", str(tmp_path), "--slack", "0"])
    assert result.exit_code == 2
    assert "(--slack) | 0 is not a fraction" in " ".join(result.output.split())


@pytest.mark.slow
def test_alternatives_verb_writes_plans_table_and_summary_section(data_dir, tmp_path):
    # SMALL: estimated travel times; the verb prepares the run's model again from its settings
    scenario = REPO / "inputs" / "delft" / "scenarios.toml"
    out = tmp_path / "run"
    sets = [p for s in SMALL for p in ("--set", s)]
    result = runner.invoke(
        app,
        ["run", str(scenario), "--data-dir", str(data_dir), "--out-dir", str(out), *sets],
    )
    assert result.exit_code == 0, result.output
    folder = out
    assert (folder / "run.json").is_file()
    before = (folder / "decisions.csv").read_bytes()
    args = ["alternatives", str(folder), "-n", "2", "--data-dir", str(data_dir)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(folder / ALTERNATIVES_CSV)
    assert table["alternative"].iloc[0] == 0
    found = table[table["alternative"] > 0]
    assert len(found) >= 1
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    optimum = float(table.loc[0, "objective_value"])
    for row in found.itertuples(index=False):
        k = int(row.alternative)
        assert (folder / "alternatives" / str(k) / "decisions.csv").is_file()
        assert (folder / "alternatives" / str(k) / "plan.png").is_file()
        # within 5 % of the optimum (rounded to whole units when written), and different
        assert row.objective_value <= optimum + 0.05 * abs(optimum) + 1
        assert row.distance_to_optimum > 0
    assert record["scenario"] == "base"
    # the run's own tables are untouched; its summary gains the section
    assert (folder / "decisions.csv").read_bytes() == before
    page = (folder / "summary.html").read_text(encoding="utf-8")
    assert "Alternatieven" in page
    assert "alternatives/1/summary.html" in page
    # a second call keeps the first in .history
    result = runner.invoke(app, [*args[:3], "1", *args[4:]])
    assert result.exit_code == 0, result.output
    assert any(p.name.startswith("alternatives-") for p in (folder / ".history").iterdir())
