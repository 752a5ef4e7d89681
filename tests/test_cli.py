"""The command line: the Delft demo end to end, and every verb's output and exit code."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from voorzieningen import report as reports
from voorzieningen.cli import app
from voorzieningen.context import run_folder_name

REPO = Path(__file__).resolve().parents[1]
DELFT = REPO / "inputs" / "delft" / "scenarios.toml"
runner = CliRunner()


def test_validate_good_and_with_data(data_dir):
    result = runner.invoke(app, ["validate", str(DELFT)])
    assert result.exit_code == 0
    assert "scenario 'base' is valid" in " ".join(result.output.split())  # wrapped by path
    result = runner.invoke(
        app, ["validate", str(DELFT), "--scenario", "krap", "--data-dir", str(data_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "13 zones, 55 sites" in " ".join(result.output.split())


def test_schema_is_json():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert "network" in schema["properties"]
    assert "region" in schema["required"]


def _bad_copy(tmp_path: Path, old: str, new: str) -> Path:
    region = tmp_path / "delft"
    shutil.copytree(DELFT.parent, region)
    path = region / "scenarios.toml"
    path.write_text(DELFT.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "verb", "needle"),
    [
        ('mode = "car"', 'mode = "car"\nspeed = 5', "validate", "network.speed) | unknown key"),
        (
            "capex_total_eur = 15_000_000",
            "capex_total_eur = -1",
            "validate",
            "budget.capex_total_eur",
        ),
        ("osm/nl_delft_drive.graphml", "osm/nowhere.graphml", "run", "nowhere.graphml not found"),
        (
            'portfolio_file = "portfolio.csv"',
            'portfolio_file = "../../etc/passwd"',
            "run",
            "points outside",
        ),
    ],
)
def test_bad_scenarios_exit_2_without_traceback(tmp_path, data_dir, old, new, verb, needle):
    path = _bad_copy(tmp_path, old, new)
    args = [verb, str(path), "--data-dir", str(data_dir)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert needle in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_missing_data_dir_exits_2(monkeypatch, tmp_path):
    monkeypatch.delenv("VOORZIENINGEN_DATA_DIR", raising=False)
    result = runner.invoke(app, ["run", str(DELFT)])
    assert result.exit_code == 2
    assert "No data directory given" in result.output
    result = runner.invoke(app, ["run", str(DELFT), "--data-dir", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "the data directory does not exist" in result.output


def test_unknown_scenario_exit_2():
    result = runner.invoke(app, ["validate", str(DELFT), "--scenario", "nope"])
    assert result.exit_code == 2
    assert "unknown scenario 'nope'" in result.output


#: Delft's community halls over two periods, with estimated travel times: for the tests of a
#: verb's files, folders, resuming and progress, where any small plan does (the road network
#: is tested by the demo run, the network verb and the unreachable-site warning).
SMALL = [
    'model.services=["community_hall"]',
    "periods=[2025, 2030]",
    "network.method=estimate",
]
#: Where a run of `base` with the SMALL settings writes (its own folder, not base's).
SMALL_BASE = run_folder_name("base", SMALL)


def set_options(values):
    return [part for value in values for part in ("--set", value)]


def test_network_verb_prints_reachability(data_dir, tmp_path):
    args = [
        "network",
        str(DELFT),
        "--data-dir",
        str(data_dir),
        "--out-dir",
        str(tmp_path),
        "--set",
        'network.demand_points="centroid"',
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "network: 2,153 nodes, 5,023 edges" in text
    assert "every zone and site is on the network" in text
    travel = pd.read_csv(tmp_path / "travel_times.csv", dtype={"zone": str})
    assert set(travel.columns) == {"zone", "site", "mode", "travel_time_min", "distance_km"}
    assert travel["travel_time_min"].max() <= 30
    assert travel["zone"].nunique() == 13
    # With residential demand points, points trapped by one-way streets at the clipped
    # edge of the drive network are reported by name, not silently dropped.
    result = runner.invoke(
        app, ["network", str(DELFT), "--data-dir", str(data_dir), "--out-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    report = pd.read_csv(tmp_path / "reachability.csv", dtype={"id": str})
    assert set(report["issue"]) <= {
        "no_site_within_cutoff",
        "no_site_reachable",
        "not_snapped",
        "island",
    }
    assert report["id"].str.contains("#").all()  # points named "<zone>#<node>"


def test_compare_missing_folder_exits_2(tmp_path):
    result = runner.invoke(app, ["compare", str(tmp_path / "a"), str(tmp_path / "b")])
    assert result.exit_code == 2
    assert "results folder not found" in " ".join(result.output.split())


def test_run_warns_about_sites_off_the_network(data_dir, tmp_path):
    region = tmp_path / "delft"
    shutil.copytree(DELFT.parent, region)
    portfolio = region / "portfolio.csv"
    text = portfolio.read_text(encoding="utf-8").replace("4.3585,52.0112", "6.5665,53.2194")
    portfolio.write_text(text, encoding="utf-8")  # gp-binnenstad moved to Groningen
    args = [
        "run",
        str(region / "scenarios.toml"),
        "--data-dir",
        str(data_dir),
        "--out-dir",
        str(tmp_path / "out"),
        "--set",
        'model.services=["gp"]',
        "--set",
        "facilities.duo_schools=false",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "warning: 1 point(s) cannot be reached on the road network" in text
    assert "site gp-binnenstad (not_snapped)" in text


def test_help_has_no_bool_placeholders_and_schema_help_is_intact():
    for verb in ("run", "sweep", "explain", "report", "validate"):
        result = runner.invoke(app, [verb, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0
        assert "<bool>" not in result.output, verb
    run_help = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "200"}).output
    assert "--dutch-excel" in run_help
    # override names are told apart from scenario names
    assert "under [overrides] are not scenarios" in " ".join(run_help.split())
    schema_help = runner.invoke(app, ["schema", "--help"], env={"COLUMNS": "200"}).output
    assert "the scenario's [base] table" in schema_help


def test_override_name_is_not_a_scenario_and_the_error_lists_both():
    for verb in ("validate", "run"):
        result = runner.invoke(app, [verb, str(DELFT), "-s", "budget_krap"])
        assert result.exit_code == 2
        text = " ".join(result.output.split())
        assert "'budget_krap' is an override, not a scenario" in text
        assert "known: ['base', 'krap', 'ruim']" in text
        assert (
            "overrides (settings a scenario combines, not scenarios): "
            "['budget_krap', 'budget_ruim', 'fiets']" in text
        )
        assert "Traceback" not in result.output
    unknown = runner.invoke(app, ["validate", str(DELFT), "-s", "nope"])
    assert unknown.exit_code == 2
    assert "overrides (settings a scenario combines, not scenarios): ['budget_krap'" in " ".join(
        unknown.output.split()
    )
    listed = runner.invoke(app, ["scenarios", str(DELFT)])
    assert listed.exit_code == 0
    lines = " ".join(listed.output.split())
    assert "scenarios: base, krap, ruim" in lines
    assert "overrides (settings scenarios combine; not runnable with -s): budget_krap, " in lines


def test_run_folder_name_is_the_scenario_plus_a_digest_of_the_settings():
    assert run_folder_name("base", None) == "base"
    assert run_folder_name("base", []) == "base"
    one = run_folder_name("base", ["budget.capex_total_eur=5e6", "network.mode=walk"])
    assert re.fullmatch(r"base-set-[0-9a-f]{8}", one)
    # order and spacing do not matter; values do
    assert run_folder_name("base", ["network.mode = walk", "budget.capex_total_eur=5e6"]) == one
    assert run_folder_name("base", ["budget.capex_total_eur=6e6", "network.mode=walk"]) != one


@pytest.mark.slow
def test_run_with_set_gets_its_own_folder_and_explain_writes_one_row_per_building(
    data_dir, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app, ["run", str(DELFT), "--data-dir", str(data_dir), *set_options(SMALL)]
    )
    assert result.exit_code == 0, result.output
    folder = Path("results") / "delft" / SMALL_BASE
    assert SMALL_BASE in " ".join(result.output.split())
    assert (folder / "run.json").is_file()
    assert not (Path("results") / "delft" / "base").exists()
    # progress lines carry no file:line suffix
    assert not re.search(r"\w+\.py:\d+", result.output)
    explained = runner.invoke(app, ["explain", str(folder), "--data-dir", str(data_dir)])
    assert explained.exit_code == 0, explained.output
    assert not re.search(r"\w+\.py:\d+", explained.output)
    table = pd.read_csv(folder / "explain.csv", dtype={"site": str})
    sites = pd.read_csv(folder / "sites.csv", dtype={"site": str}).set_index("site")
    decisions = pd.read_csv(folder / "decisions.csv", dtype={"site": str}).set_index("site")
    managed = sites[
        (sites["kind"] == "existing")
        & (sites["service"] == "community_hall")
        & sites["managed"].astype(bool)
    ].index
    built = decisions.index[decisions["action"] == "new"]
    assert sorted(table["site"]) == sorted([*managed, *built])
    assert table["opposite"].isin(["close", "keep", "no_investment", "no_build"]).all()
    for col in (
        "delta_net_spend_eur",
        "delta_npv_cost_eur",
        "delta_community_hall_mean_time_all_min",
    ):
        assert table[col].dtype.kind == "f", col
    budget = pd.read_csv(folder / "explain_budget.csv")
    assert list(budget["level"]) == ["plan", "minus", "plus"]
    marginal = pd.read_csv(folder / "explain_marginal.csv")
    assert list(marginal["service"]) == ["community_hall"]
    assert marginal["mean_time_all_min_per_meur"].dtype.kind == "f"
    # the run's own files are untouched
    assert (folder / "decisions.csv").stat().st_size > 0
    # the one-page summary gains the explanation as a section, one row per building
    page = (folder / "summary.html").read_text(encoding="utf-8")
    assert "<section" in page
    names = [sites["name"].get(site, site) for site in table["site"]]
    assert all(html.escape(str(name)) in page for name in names)


def test_explain_of_a_missing_folder_exits_2(tmp_path):
    result = runner.invoke(app, ["explain", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "run.json) | not found" in " ".join(result.output.split())


@pytest.mark.slow
def test_run_of_a_robust_scenario_writes_robust_csv_and_each_variant(data_dir, tmp_path):
    """`run` plans a scenario with robust.variants once for all its variants (issue 16)."""
    out = tmp_path / "robust"
    robust = ['robust.variants={"mid": 0.5, "krimp": 0.5}', 'robust.objective="minmax_regret"']
    args = ["run", str(DELFT), "--data-dir", str(data_dir), "--out-dir", str(out)]
    result = runner.invoke(app, [*args, *set_options([*SMALL, *robust])])
    assert result.exit_code == 0, result.output
    assert "robust.csv" in result.output
    table = reports.read_table(out / "robust.csv")
    # Two plans of one variant each (mid, krimp) and the robust plan, under both variants.
    assert sorted(zip(table["plan"], table["variant"], strict=True)) == sorted(
        (p, v) for p in ("robust", "mid", "krimp") for v in ("mid", "krimp")
    )
    own = table[table["plan"] == table["variant"]]
    assert (own["regret"].abs() <= own["objective_value"].abs() * 1e-2).all()
    robust_row = table[table["plan"] == "robust"]
    single = table[table["plan"] != "robust"].groupby("plan")["max_regret"].first()
    # Started from the best single-variant plan: never a larger largest regret than it.
    assert robust_row["max_regret"].iloc[0] <= single.min() + 1e-6 * abs(single.min()) + 1
    for variant in ("mid", "krimp"):
        assert (out / "variants" / variant / "run.json").is_file()
    assert reports.read_run(out).robust is not None
    page = (out / "summary.html").read_text(encoding="utf-8")
    assert "Robust" in page
