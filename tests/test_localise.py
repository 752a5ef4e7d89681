"""Report language and precision: Dutch and English tables, in both CSV dialects, read back."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from test_maps import SITES, ZONES, tiny_results
from voorzieningen import localise
from voorzieningen.record import SavedRun
from voorzieningen.report import ReportSettings, read_run, write_report

# Every combination of CSV dialect and language.
COMBINATIONS = [
    ("utf8_comma", "en"),
    ("utf8_comma", "nl"),
    ("dutch_excel", "en"),
    ("dutch_excel", "nl"),
]
#: Columns that hold text (ids, names, categories); every other column must be numeric.
TEXT = {
    "zone", "site", "service", "name", "kind", "action", "option", "services_after",
    "gemeente", "outcome", "party", "age_band", "scenario", "status", "unit", "mode",
}  # fmt: skip


def saved() -> SavedRun:
    r = tiny_results()
    z = r.zones.copy()
    z["travel_time_after_min"] = z["travel_time_after_min"] + 1.8189894035458565e-12
    d = r.decisions.assign(capex_eur=[0.0, 0.0, 3910665.230199311])
    population = pd.DataFrame(
        [(zone, p, band, 10.4) for zone in ("z1", "z2") for p in (2025, 2030)
         for band in ("5-9", "70-74")],
        columns=["zone", "period", "age_band", "population_persons"],
    ).set_index(["zone", "period", "age_band"])  # fmt: skip
    return SavedRun.from_results(
        dataclasses.replace(r, zones=z, decisions=d),
        sites=SITES,
        zone_points=ZONES,
        population=population,
        funding={"school": "gemeente"},
    )


def test_rounding_by_hand():
    frame = pd.DataFrame(
        {
            "unmet_persons": [1.8189894035458565e-12, 2.5],
            "capex_eur": [3910665.230199311, 5650000.000000002],
            "travel_time_after_min": [3.25, -0.04],
            "gap": [0.004923, 0.0],
            "distance_km": [1.99893, 0.0],
            "lon": [4.3586981234, 4.0],
            "projects_started": [11, 0],
        }
    )
    out = localise.round_table(frame)
    assert out["unmet_persons"].tolist() == [0, 3]  # half away from zero
    assert out["capex_eur"].tolist() == [3910665, 5650000]
    assert out["travel_time_after_min"].tolist() == [3.3, 0.0]  # no "-0.0"
    assert out["gap_pct"].tolist() == [0.5, 0.0]  # a share as a percentage
    assert out["distance_km"].tolist() == [2.0, 0.0]
    assert out["lon"].tolist() == [4.358698, 4.0]
    assert out["projects_started"].tolist() == [11, 0]
    back = localise.from_output(out, "en")
    assert back["gap"].tolist() == [0.005, 0.0]


def test_demand_served_unmet_add_up_after_rounding():
    # 10.6 -> 11 and 5.3 -> 5, so unmet 5.3 is written 6, not 5: the columns add up.
    frame = pd.DataFrame(
        {"demand_persons": [10.6], "served_persons": [5.3], "unmet_persons": [5.3]}
    )
    out = localise.round_table(frame)
    assert out.iloc[0].tolist() == [11, 5, 6]


def test_capacity_after_one_numeric_column_per_service():
    d = tiny_results().decisions
    out = localise.split_capacity_after(d)
    assert "capacity_after_places" not in out.columns
    cols = ["capacity_after_pupils", "capacity_after_patients", "capacity_after_visitors"]
    assert out[cols].values.tolist() == [[200, 0, 0], [0, 0, 0], [100, 400, 0]]
    with pytest.raises(ValueError, match=r"cannot read 'school:3'; expected 'service=places'"):
        localise.split_capacity_after(d.assign(capacity_after_places="school:3"))


def test_dutch_names_and_values():
    d = localise.to_output(tiny_results().decisions, "nl")
    assert list(d.columns) == [
        "locatie", "naam", "soort", "voorziening", "actie", "optie", "periode",
        "voorzieningen_na", "investering_eur", "opbrengst_eur", "capaciteit_na_leerlingen",
        "capaciteit_na_patiënten", "capaciteit_na_bezoekers",
    ]  # fmt: skip
    assert d["actie"].tolist() == ["behouden", "sluiten", "nieuwbouw"]
    assert d["voorzieningen_na"].tolist() == ["basisschool", "", "huisartsenpraktijk+basisschool"]
    assert d["optie"].tolist() == ["zoals_nu", "sluiten", "nieuwbouw:huisartsenpraktijk+basisschool"]
    assert d["soort"].tolist() == ["bestaand", "bestaand", "kandidaat"]
    assert localise.to_output(pd.DataFrame({"service": ["community_hall"]}), "nl").iloc[
        0, 0
    ] == "gemeenschapshuis"


@pytest.mark.parametrize(("csv_format", "language"), COMBINATIONS)
def test_every_csv_parses_with_typed_columns_and_reads_back(tmp_path, csv_format, language):
    settings = ReportSettings(csv_format=csv_format, language=language)
    folder = write_report(saved(), tmp_path / "run", settings=settings)
    dialect = (
        {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"}
        if csv_format == "dutch_excel"
        else {"sep": ",", "decimal": ".", "encoding": "utf-8"}
    )
    raw_first = (folder / "decisions.csv").read_bytes()[:3]
    assert (raw_first == b"\xef\xbb\xbf") == (csv_format == "dutch_excel")
    english = {localise.column_name(c, "nl"): c for c in localise.COLUMNS_NL} | {
        c: c for c in localise.COLUMNS_NL
    }
    files = sorted(folder.glob("*.csv"))
    assert {p.name for p in files} >= {
        "decisions.csv", "zones.csv", "capacity.csv", "costs.csv", "summary.csv",
        "assignments.csv", "unmet.csv", "winners_losers.csv", "winners_losers_age.csv",
        "cost_per_year.csv", "sites.csv", "zones_points.csv", "population.csv",
    }  # fmt: skip
    for path in files:
        table = pd.read_csv(path, **dialect)
        if language == "nl":
            assert localise.untranslated_columns(english.get(c, c) for c in table.columns) == []
        for col in table.columns:
            name = english.get(str(col), str(col))
            if name in TEXT:
                continue
            series = table[col]
            if series.isna().all():
                continue
            assert pd.api.types.is_numeric_dtype(series), (path.name, col, series.tolist())
    back = read_run(folder)
    assert back.language == language
    assert back.summary["capex_total_eur"].iloc[0] == 1_000_000.0  # exact from run.json
    d = back.decisions.set_index("site")
    assert d.loc["s3", "action"] == "new"
    assert d.loc["s3", "services_after"] == "gp+school"
    assert d.loc["s3", "capex_eur"] == 3910665
    assert d.loc["s3", "capacity_after_patients"] == 400
    z = back.zones.set_index(["zone", "service", "period"])
    assert z.loc[("z2", "gp", 2030), "travel_time_after_min"] == 3.0
    assert z.loc[("z2", "gp", 2030), "unmet_persons"] == 10
    reference = read_run(write_report(saved(), tmp_path / "ref", settings=ReportSettings()))
    for name in ("decisions", "zones", "capacity", "costs", "assignments", "unmet"):
        pd.testing.assert_frame_equal(
            getattr(back, name), getattr(reference, name), check_dtype=False, obj=name
        )


def test_dutch_excel_defaults_to_dutch_and_scenario_setting_wins(tmp_path):
    dutch = write_report(saved(), tmp_path / "a", settings=ReportSettings(csv_format="dutch_excel"))
    assert "actie" in pd.read_csv(dutch / "decisions.csv", sep=";", encoding="utf-8-sig")
    run = dataclasses.replace(saved(), run_json={"settings": {"report": {"language": "en"}}})
    english = write_report(run, tmp_path / "b", settings=ReportSettings(csv_format="dutch_excel"))
    assert "action" in pd.read_csv(english / "decisions.csv", sep=";", encoding="utf-8-sig")
    wl = pd.read_csv(dutch / "winners_losers.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert set(wl["uitkomst"]) <= set(localise.OUTCOME_VALUES_NL.values())
