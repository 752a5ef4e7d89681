"""Comparison of two runs, winners and losers, capex per year and funding party."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

# Builders shared with the map tests (two zones, three sites, periods 2025 and 2030).
from test_maps import SITES, ZONES, tiny_results
from voorzieningen import compare, negotiation, report
from voorzieningen.errors import InputDataError
from voorzieningen.record import SavedRun
from voorzieningen.report import write_report
from voorzieningen.results import Results


def variant_b() -> Results:
    """Run B: GP B stays open; the candidate opens a GP only, in 2030, for 800k."""
    a = tiny_results()
    d = a.decisions.copy()
    d.loc[1, ["action", "option", "services_after", "proceeds_eur"]] = ["keep", "as_is", "gp", 0]
    d.loc[1, "period"] = pd.NA
    d.loc[2, ["option", "services_after", "capex_eur"]] = ["new:gp", "gp", 800_000.0]
    d.loc[2, "period"] = 2030
    z = a.zones.copy()
    row = (z["zone"] == "z2") & (z["service"] == "gp") & (z["period"] == 2030)
    z.loc[row, ["served_persons", "unmet_persons", "travel_time_after_min"]] = [150.0, 0.0, 1.5]
    s = a.summary.copy()
    s.loc[0, ["capex_total_eur", "proceeds_total_eur", "unmet_patients", "sites_closed"]] = [
        800_000.0,
        0.0,
        0.0,
        0,
    ]
    s.loc[0, "mean_time_all_min_gp"] = 3.25
    return dataclasses.replace(a, decisions=d, zones=z, summary=s, scenario_name="b")


@pytest.fixture
def folders(tmp_path) -> tuple[Path, Path]:
    a = write_report(SavedRun.from_results(tiny_results()), tmp_path / "a")
    b = write_report(SavedRun.from_results(variant_b()), tmp_path / "b", dutch_excel=True)
    return a, b


# --------------------------------------------------------------------------------------
# Reading and comparing


def test_read_results_round_trip(folders):
    a = report.read_run(folders[0])
    assert a.scenario_name == "tiny"
    assert a.decisions["period"].dtype == "Int64"
    assert a.decisions.set_index("site").loc["s2", "period"] == 2030
    assert a.starts[["site", "action", "services", "period"]].values.tolist() == [
        ["s3", "new", "gp+school", 2025]
    ]
    assert a.closures[["site", "period", "proceeds_eur"]].values.tolist() == [
        ["s2", 2030, 500_000.0]
    ]
    assert len(a.assignments) == 8
    b = report.read_run(folders[1])  # Dutch-Excel CSVs
    assert b.zones["travel_time_after_min"].max() == 6.0


def test_compare_results_by_hand(folders):
    c = compare.compare_results(*folders)
    assert (c.a_label, c.b_label) == ("tiny", "b")
    k = c.kpis
    assert k.at["capex_total_eur", "difference"] == -200_000.0
    assert k.at["proceeds_total_eur", "difference"] == -500_000.0
    assert k.at["mean_time_all_min_gp", "difference"] == pytest.approx(-0.25)
    assert k.at["mean_time_all_min_gp", "unit"] == "min"
    assert k.at["unmet_patients", "difference"] == -10.0
    assert k.at["unmet_patients", "unit"] == "patients"
    assert k.at["sites_closed", "difference"] == -1.0
    assert k.at["status", "difference"] == ""
    assert k.at["capex_total_eur", "unit"] == "EUR"
    d = c.changed_decisions.set_index("site")
    assert list(d.index) == ["s2", "s3"]
    assert d.loc["s2", ["action_a", "action_b", "period_a"]].tolist() == ["close", "keep", 2030]
    assert pd.isna(d.loc["s2", "period_b"])
    assert d.loc["s3", ["period_a", "period_b"]].tolist() == [2025, 2030]
    assert d.loc["s3", "capex_difference_eur"] == -200_000.0
    z = c.zone_changes.set_index(["zone", "service"])
    assert z.loc[("z2", "gp"), "travel_time_difference_min"] == -1.5
    assert z.loc[("z2", "gp"), "unmet_persons_a"] == 10.0
    assert z["changed"].to_dict() == {
        ("z1", "gp"): False,
        ("z1", "school"): False,
        ("z2", "gp"): True,
        ("z2", "school"): False,
    }


def test_comparison_text_and_repr():
    c = compare.compare_runs(tiny_results(), variant_b())
    text = c.to_text()
    assert "B = b against A = tiny" in text
    assert "capex_total_eur" in text
    assert "-200,000" in text
    assert "GP B: close 2030 -> keep" in text
    assert "Kavel <C> & co: new 2025 -> new 2030" in text
    assert "z2 gp: 3.00 min -> 1.50 min (-1.50 min); unmet 10 -> 0" in text
    assert repr(c) == (
        "<Comparison b vs tiny: capex -200,000 EUR, mean travel time of everyone gp -0.25 "
        "min, 2 changed decisions, 1 (zone, service) pairs changed>"
    )
    same = compare.compare_runs(tiny_results(), tiny_results())
    assert same.changed_decisions.empty
    assert "Changed decisions (0):\n  none" in same.to_text()


def test_difference_map(tmp_path):
    c = compare.compare_runs(tiny_results(), variant_b())
    path = compare.write_difference_map(c, SITES, ZONES, tmp_path / "diff.png", dpi=50)
    assert path.read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(InputDataError, match=r"\(sites\) \| no row for s2"):
        compare.write_difference_map(c, SITES.drop(index="s2"), ZONES, tmp_path / "x.png")


def test_results_folder_errors(tmp_path, folders):
    with pytest.raises(InputDataError, match=r"results folder not found; write one"):
        report.read_run(tmp_path / "nowhere")
    (folders[0] / "decisions.csv").unlink()
    with pytest.raises(
        InputDataError, match=r"decisions\.csv\) \| missing from the results folder: decisions\.csv"
    ):
        compare.compare_results(*folders)
    zones = folders[1] / "zones.csv"
    zones.write_text("zone;service\nz1;gp\n", encoding="utf-8-sig")
    # the writer's hashes in run.json catch an edited or truncated table first
    with pytest.raises(
        InputDataError,
        match=r"zones\.csv\) \| changed since the run wrote it: zones\.csv no longer match",
    ):
        compare.compare_results(folders[1], folders[1])
    # a folder written before the hashes were recorded is checked column by column
    record = json.loads((folders[1] / "run.json").read_text(encoding="utf-8"))
    del record["files_sha256"]
    (folders[1] / "run.json").write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(InputDataError, match=r"zones\.csv\) \| missing column\(s\) \['period'"):
        report.read_run(folders[1])
    (folders[1] / "run.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"run\.json\) \| expected a JSON object"):
        report.read_run(folders[1])
    (folders[1] / "run.json").write_text("{", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"run\.json\) \| not valid JSON"):
        report.read_run(folders[1])


# --------------------------------------------------------------------------------------
# Winners and losers


def test_winners_losers_per_zone_and_service():
    table = negotiation.winners_losers(tiny_results())
    assert set(table["period"]) == {2025, 2030}  # every period, the first one first
    assert table["period"].tolist() == [2025] * 4 + [2030] * 4
    last = table[table["period"] == 2030]
    assert last[["zone", "service", "change_min", "outcome"]].values.tolist() == [
        ["z1", "gp", -1.0, "winner"],
        ["z1", "school", 0.0, "unchanged"],
        ["z2", "gp", 2.0, "loser"],
        ["z2", "school", 2.0, "loser"],
    ]
    # 2025: z1 GP 5 -> 4 and z2 school 4 -> 3 win, z1 school and z2 GP keep their time.
    first = table[table["period"] == 2025]
    assert first[["zone", "service", "change_min", "outcome"]].values.tolist() == [
        ["z1", "gp", -1.0, "winner"],
        ["z2", "school", -1.0, "winner"],
        ["z1", "school", 0.0, "unchanged"],
        ["z2", "gp", 0.0, "unchanged"],
    ]


def test_winners_losers_by_age_band():
    population = pd.DataFrame(
        [
            ("z1", 2030, "5-9", 100.0),
            ("z1", 2030, "70-74", 300.0),
            ("z2", 2030, "5-9", 50.0),
            ("z2", 2030, "70-74", 10.0),
            ("z2", 2025, "70-74", 999.0),
        ],
        columns=["zone", "period", "age_band", "population_persons"],
    ).set_index(["zone", "period", "age_band"])
    population = pd.concat(
        [
            population,
            pd.DataFrame(
                [("z1", 2025, "5-9", 100.0), ("z1", 2025, "70-74", 300.0)],
                columns=["zone", "period", "age_band", "population_persons"],
            ).set_index(["zone", "period", "age_band"]),
        ]
    )
    # A tolerance below the 0.5 min of z1's children, so that they count as winners.
    table = negotiation.winners_losers(tiny_results(), population, tolerance_min=0.01)
    table = table[table["period"] == 2030]
    # z1: children weigh school 1 and GP 1 -> (0 - 1) / 2; the elderly only the GP -> -1.
    # z2: school +2 and GP +2, and GP demand unmet -> losers.
    assert table[
        ["zone", "age_band", "change_min", "person_min_change", "outcome"]
    ].values.tolist() == [
        ["z1", "70-74", -1.0, -300.0, "winner"],
        ["z1", "5-9", -0.5, -50.0, "winner"],
        ["z2", "5-9", 2.0, 100.0, "loser"],
        ["z2", "70-74", 2.0, 20.0, "loser"],
    ]
    weights = pd.DataFrame(
        {"school": [1.0, 0.0], "gp": [0.0, 1.0]}, index=pd.Index(["5-9", "70-74"])
    )
    own = negotiation.winners_losers(tiny_results(), population, weights=weights)
    own = own[own["period"] == 2030]
    assert own.set_index(["zone", "age_band"]).loc[("z1", "5-9"), "change_min"] == 0.0
    # With the default tolerance (0.5 min) z1's children, at exactly -0.5 min, are unchanged.
    default = negotiation.winners_losers(tiny_results(), population).set_index(
        ["zone", "age_band", "period"]
    )
    assert default.loc[("z1", "5-9", 2030), "outcome"] == "unchanged"
    assert default.loc[("z1", "70-74", 2030), "outcome"] == "winner"
    # 2025: z2's elderly keep their GP at 1 min; z2's children gain 1 min on school.
    assert default.loc[("z2", "70-74", 2025), "outcome"] == "unchanged"


def test_default_service_weights():
    w = negotiation.default_service_weights(["0-4", "5-9", "60-64", "65-69", "75-79", "95+"])
    assert w["school"].tolist() == [0.2, 1.0, 0.0, 0.0, 0.0, 0.0]
    assert w["community_hall"].tolist() == [0.25, 0.25, 0.25, 1.0, 1.25, 1.25]
    assert w["gp"].tolist() == [1.0] * 6


def test_winners_losers_errors():
    pop = pd.DataFrame(
        {"zone": "z1", "period": [2025, 2030], "age_band": "5-9", "population_persons": 1.0}
    )
    with pytest.raises(
        InputDataError, match=r"\(population\) \| missing column\(s\) \['age_band'\]"
    ):
        negotiation.winners_losers(tiny_results(), pop.drop(columns="age_band"))
    with pytest.raises(
        InputDataError,
        match=r"no rows for period\(s\) 2030 of the run \(2025, 2030\); project the population",
    ):
        negotiation.winners_losers(tiny_results(), pop.assign(period=2025))
    with pytest.raises(InputDataError, match=r"cannot read age band 'kinderen'"):
        negotiation.winners_losers(tiny_results(), pop.assign(age_band="kinderen"))
    weights = pd.DataFrame({"school": [1.0]}, index=["0-4"])
    with pytest.raises(InputDataError, match=r"\(weights\) \| no weights for age band\(s\) 5-9"):
        negotiation.winners_losers(tiny_results(), pop, weights=weights)
    with pytest.raises(InputDataError, match=r"unchanged_tolerance_min\) \| -1\.0 is not"):
        negotiation.winners_losers(tiny_results(), tolerance_min=-1.0)


# --------------------------------------------------------------------------------------
# Capex per year and party


def test_cost_per_year_spreads_and_splits():
    table = negotiation.cost_per_year(tiny_results(), {"school": "gemeente"})
    # 1 M in period 2025 (5 years), half school (gemeente), half GP (corporation).
    assert len(table) == 10
    assert table["year"].tolist() == [y for y in range(2025, 2030) for _ in (0, 1)]
    assert set(table["party"]) == {"corporation", "gemeente"}
    assert table["capex_eur"].tolist() == [100_000.0] * 10
    assert table["capex_eur"].sum() == pytest.approx(1_000_000.0)
    b = negotiation.cost_per_year(variant_b())
    # 800k in the last period, which is as long as the one before it (5 years).
    assert b[["year", "period", "party", "capex_eur"]].values.tolist() == [
        [y, 2030, "corporation", 160_000.0] for y in range(2030, 2035)
    ]
    wide = table.pivot_table(index="year", columns="party", values="capex_eur", aggfunc="sum")
    assert wide.loc[2027, "gemeente"] == 100_000.0


def test_cost_per_year_without_projects_and_errors():
    r = tiny_results()
    none = dataclasses.replace(r, decisions=r.decisions.assign(capex_eur=0.0))
    empty = negotiation.cost_per_year(none)
    assert empty.empty
    assert list(empty.columns) == ["year", "period", "party", "capex_eur"]
    with pytest.raises(InputDataError, match=r"\(funding\) \| unknown service\(s\) \['library'\]"):
        negotiation.cost_per_year(r, {"library": "gemeente"})
    odd = r.decisions.copy()
    odd.loc[2, "period"] = 2027
    with pytest.raises(InputDataError, match=r"capex in period\(s\) \[2027\]"):
        negotiation.cost_per_year(dataclasses.replace(r, decisions=odd))


def test_read_results_meta_keeps_run_json(folders):
    meta = json.loads((folders[0] / "run.json").read_text(encoding="utf-8"))
    assert report.read_run(folders[0]).run_json["summary"] == meta["summary"]


def test_winners_losers_lost_access_and_tolerance_by_hand():
    r = tiny_results()
    # zone, service, period, demand, served, unmet, before, after
    rows = [
        ("a", "gp", 2030, 100.0, 0.0, 100.0, 3.0, float("nan")),  # lost access: worst
        ("b", "gp", 2030, 100.0, 100.0, 0.0, 3.0, 3.0 + 2 / 60),  # +2 s: unchanged
        ("c", "gp", 2030, 100.0, 100.0, 0.0, 3.0, 3.6),  # +0.6 min: loser
        ("d", "gp", 2030, 100.0, 100.0, 0.0, 3.0, 2.4),  # -0.6 min: winner
        ("e", "gp", 2030, 100.0, 100.0, 0.0, float("nan"), 4.0),  # gained access
        ("f", "gp", 2030, 100.0, 99.6, 0.4, 3.0, 3.0),  # 0.4 unmet is rounding: unchanged
        ("g", "gp", 2030, 100.0, 99.0, 1.0, 3.0, 2.0),  # faster but 1 unmet: loser
    ]
    zones = pd.DataFrame(rows, columns=list(r.zones.columns))
    table = negotiation.winners_losers(dataclasses.replace(r, zones=zones))
    assert table[["zone", "outcome"]].values.tolist() == [
        ["e", "gained_access"],
        ["d", "winner"],
        ["f", "unchanged"],  # within an outcome, by change: 0 before +2 s
        ["b", "unchanged"],
        ["g", "loser"],
        ["c", "loser"],
        ["a", "lost_access"],
    ]
    # A tolerance of 0.01 min (36 s would do): the 2-second change now counts as a loss.
    strict = negotiation.winners_losers(dataclasses.replace(r, zones=zones), tolerance_min=0.01)
    assert strict.set_index("zone").at["b", "outcome"] == "loser"
    # And a tolerance of 0.7 min makes c and d unchanged.
    loose = negotiation.winners_losers(dataclasses.replace(r, zones=zones), tolerance_min=0.7)
    assert loose.set_index("zone").loc[["c", "d"], "outcome"].tolist() == ["unchanged"] * 2
    # Age bands: a band that uses the GP in zone a loses access; with population by band.
    pop = pd.DataFrame(
        {"zone": ["a", "d"], "period": 2030, "age_band": "70-74", "population_persons": 10.0}
    )
    by_age = negotiation.winners_losers(dataclasses.replace(r, zones=zones), pop)
    assert by_age[["zone", "outcome"]].values.tolist() == [["d", "winner"], ["a", "lost_access"]]


def test_comparison_names_services_before_and_after():
    a = tiny_results()
    d = a.decisions.copy()
    d.loc[2, "services_after"] = "gp"  # B: the candidate hosts only a GP, same action and year
    b = dataclasses.replace(a, decisions=d, scenario_name="b")
    c = compare.compare_runs(a, b)
    row = c.changed_decisions.set_index("site").loc["s3"]
    assert row[["services_after_a", "services_after_b"]].tolist() == ["gp+school", "gp"]
    text = c.to_text()
    assert (
        "Kavel <C> & co: new 2025 -> new 2025; services: GP practice + primary school -> "
        "GP practice" in text
    )
    dutch = c.to_text(language="nl")
    assert (
        "Kavel <C> & co: nieuwbouw 2025 -> nieuwbouw 2025; voorzieningen: huisartsenpraktijk "
        "+ basisschool -> huisartsenpraktijk" in dutch
    )


def test_difference_map_in_dutch(tmp_path, saved_figures):
    saved = saved_figures
    c = compare.compare_runs(tiny_results(), variant_b())
    compare.write_difference_map(c, SITES, ZONES, tmp_path / "diff.png", dpi=50, language="nl")
    (fig,) = saved
    ax = fig.axes[0]
    title = ax.get_title(loc="left")
    # variant B saves 200,000 EUR and GP access improves by 0.25 min (see the text test).
    assert title.startswith("b t.o.v. tiny: 2 besluiten verschillen · investering -200.000 EUR")
    assert title.endswith("gemiddelde reistijd van iedereen huisartsenpraktijk -0,25 min")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "gebouw of kavel" in labels
    assert "zone: onvervulde vraag verschilt" in labels
    assert any(
        label.startswith("b: sluiten") or label.startswith("b: behouden") for label in labels
    )
