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


@pytest.fixture(scope="session")
def demo_run(data_dir, tmp_path_factory):
    """Run the README's demo command once (into a temporary folder)."""
    out = tmp_path_factory.mktemp("results") / "delft" / "base"
    result = runner.invoke(
        app, ["run", str(DELFT), "--data-dir", str(data_dir), "--out-dir", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.mark.slow
def test_demo_run_writes_every_table(demo_run):
    out, output = demo_run
    assert "Plan written to" in output
    decisions = pd.read_csv(out / "decisions.csv", dtype={"site": str})
    # 25 DUO schools + 32 portfolio rows (14 of them others' practices and buurthuizen),
    # 2 of which describe DUO schools = 55 sites
    assert len(decisions) == 55
    assert decisions["site"].is_unique
    assert {"site", "service", "action", "capex_eur"} <= set(decisions.columns)
    assert set(decisions["action"]) <= {
        "keep",
        "close",
        "renovate",
        "extend",
        "convert",
        "mfa",
        "new",
        "not_built",
    }
    zones = pd.read_csv(out / "zones.csv", dtype={"zone": str})
    assert len(zones) == 13 * 3 * 4  # zones x services x periods
    assert {"travel_time_before_min", "travel_time_after_min", "served_persons"} <= set(
        zones.columns
    )
    # the plan serves what it says: served + unmet = demand in every row
    gap = zones["demand_persons"] - zones["served_persons"] - zones["unmet_persons"]
    assert gap.abs().max() < 1e-6
    summary = pd.read_csv(out / "summary.csv").iloc[0]
    assert summary["status"] in ("optimal", "time_limit_feasible")
    # The CSV holds the gap as a percentage (one decimal); run.json holds the exact figure.
    assert summary["gap_pct"] <= 0.5 or summary["status"] == "time_limit_feasible"
    exact_gap = json.loads((out / "run.json").read_text(encoding="utf-8"))["summary"]["gap"]
    assert exact_gap <= 0.005 + 1e-9 or summary["status"] == "time_limit_feasible"
    assert summary["capex_total_eur"] - summary["proceeds_total_eur"] <= 15_000_000 + 1
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert set(meta["inputs"]) >= {"network", "portfolio", "duo_schools", "population", "scenario"}
    assert all(len(v["sha256"]) == 64 for v in meta["inputs"].values())
    assert meta["versions"]["highspy"] != "missing"
    assert meta["solver"]["status"] == summary["status"]
    assert (out / "actions_nl.txt").read_text(encoding="utf-8").strip()


def test_validate_good_and_with_data(data_dir):
    result = runner.invoke(app, ["validate", str(DELFT)])
    assert result.exit_code == 0
    assert "scenario 'base' is valid" in result.output
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


SMALL = ['model.services=["community_hall"]', "periods=[2025, 2030]"]
#: Where a run of `base` with the SMALL settings writes (its own folder, not base's).
SMALL_BASE = run_folder_name("base", SMALL)


def _sets(values):
    return [part for value in values for part in ("--set", value)]


@pytest.mark.slow
def test_sweep_budgets_writes_pareto_table_and_plot(data_dir, tmp_path):
    args = [
        "sweep",
        str(DELFT),
        "--budgets",
        "1e6,2e6,4e6",  # gross capex: at 0 the end-of-life buildings can be neither renewed nor demolished
        "--data-dir",
        str(data_dir),
        "--out-dir",
        str(tmp_path),
        *_sets(SMALL),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "delft" / f"pareto-{SMALL_BASE}"
    table = pd.read_csv(folder / "pareto.csv")
    assert list(table["budget_eur"]) == [1e6, 2e6, 4e6]
    assert (table["spend_eur"] <= table["budget_eur"] + 1e-6).all()
    # more money never makes the optimum worse (up to the solver's gap)
    objective = table["objective_value"].to_numpy()
    gaps = table["gap"].to_numpy()
    assert all(objective[i + 1] <= objective[i] * (1 + gaps[i] + gaps[i + 1]) for i in range(2))
    assert list(table["warm_start"]) == [False, True, True]
    assert (folder / "pareto.png").stat().st_size > 10_000
    assert (folder / "budget-1000000" / "decisions.csv").is_file()


@pytest.mark.slow
def test_sweep_scenarios_on_dask_matches_sequential_and_resumes(data_dir, tmp_path):
    from voorzieningen import sweep

    names = ["base", "krap"]
    local = sweep.run_scenarios(
        DELFT, names, data_dir=data_dir, out_root=tmp_path / "dask", sets=SMALL
    )
    alone = sweep.run_scenarios(
        DELFT,
        names,
        data_dir=data_dir,
        out_root=tmp_path / "seq",
        sets=SMALL,
        scheduler="synchronous",
    )
    for col in ("objective_value", "capex_total_eur", "unmet_visitor_equivalents"):
        assert list(local[col]) == list(alone[col])
    assert not local["resumed"].any()
    again = sweep.run_scenarios(
        DELFT, names, data_dir=data_dir, out_root=tmp_path / "dask", sets=SMALL
    )
    assert again["resumed"].all()
    assert list(again["objective_value"]) == list(local["objective_value"])
    # a changed setting is a different run: not resumed
    other = sweep.run_scenarios(
        DELFT,
        ["base"],
        data_dir=data_dir,
        out_root=tmp_path / "dask",
        sets=[*SMALL, "solver.mip_rel_gap=0.001"],
        scheduler="synchronous",
    )
    assert not other["resumed"].any()


def test_sweep_cli_runs_listed_scenarios(data_dir, tmp_path):
    args = [
        "sweep",
        str(DELFT),
        "-s",
        "base",
        "--data-dir",
        str(data_dir),
        "--out-dir",
        str(tmp_path),
        "--scheduler",
        "synchronous",
        *_sets(SMALL),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "1 scenarios" in result.output
    assert (tmp_path / "delft" / SMALL_BASE / "run.json").is_file()


def test_sweep_rejects_bad_budgets(data_dir):
    result = runner.invoke(
        app, ["sweep", str(DELFT), "--budgets", "5e6,lots", "--data-dir", str(data_dir)]
    )
    assert result.exit_code == 2
    assert "--budgets takes numbers" in result.output


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


@pytest.mark.slow
def test_compare_and_report_verbs(demo_run, data_dir, tmp_path):
    base, _ = demo_run
    other = tmp_path / "krap"
    result = runner.invoke(
        app,
        [
            "run",
            str(DELFT),
            "-s",
            "krap",
            "--data-dir",
            str(data_dir),
            "--out-dir",
            str(other),
            "--dutch-excel",
            "--set",
            "report.online_map=true",
        ],
    )
    assert result.exit_code == 0, result.output
    for name in ("plan.png", "plan.html", "plan.gpkg", "winners_losers.csv", "cost_per_year.csv"):
        assert (other / name).is_file(), name
    # the online map only when asked for (the base demo run does not)
    assert "tile.openstreetmap.org" in (other / "plan_online.html").read_text(encoding="utf-8")
    assert not (base / "plan_online.html").exists()
    result = runner.invoke(
        app, ["compare", str(base), str(other), "--out-dir", str(tmp_path / "cmp")]
    )
    assert result.exit_code == 0, result.output
    assert "Comparison: B = krap against A = base" in result.output
    assert "capex_total_eur" in result.output
    kpis = pd.read_csv(tmp_path / "cmp" / "kpis.csv")
    assert "capex_total_eur" in set(kpis.iloc[:, 0])
    assert (tmp_path / "cmp" / "difference.png").stat().st_size > 10_000
    result = runner.invoke(
        app, ["report", str(base), "--out-dir", str(tmp_path / "rep"), "--dutch-excel"]
    )
    assert result.exit_code == 0, result.output
    excel_summary = tmp_path / "rep" / "excel-nl" / "summary.csv"
    assert "doelwaarde" in pd.read_csv(excel_summary, sep=";", encoding="utf-8-sig").columns
    summary = reports.read_table(excel_summary, dutch_excel=True)  # Dutch names back to English
    original = pd.read_csv(base / "summary.csv")
    assert summary["objective_value"].iloc[0] == pytest.approx(original["objective_value"].iloc[0])


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


@pytest.mark.slow
def test_sweep_on_an_existing_dask_scheduler(data_dir, tmp_path):
    from dask.distributed import LocalCluster

    from voorzieningen import sweep

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        remote = sweep.run_scenarios(
            DELFT,
            ["base"],
            data_dir=data_dir,
            out_root=tmp_path / "remote",
            sets=SMALL,
            scheduler=cluster.scheduler_address,
        )
    alone = sweep.run_scenarios(
        DELFT,
        ["base"],
        data_dir=data_dir,
        out_root=tmp_path / "seq",
        sets=SMALL,
        scheduler="synchronous",
    )
    assert list(remote["objective_value"]) == list(alone["objective_value"])
    assert (tmp_path / "remote" / "delft" / SMALL_BASE / "plan.html").is_file()


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
    result = runner.invoke(app, ["run", str(DELFT), "--data-dir", str(data_dir), *_sets(SMALL)])
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


def test_sweep_reports_progress_per_scenario_and_resumes(data_dir, tmp_path):
    from voorzieningen import sweep

    seen: list[tuple[str, int, int]] = []
    sweep.run_scenarios(
        DELFT,
        ["base"],
        data_dir=data_dir,
        out_root=tmp_path,
        sets=SMALL,
        scheduler="synchronous",
        progress=lambda label, done, total: seen.append((label, done, total)),
    )
    assert seen == [("starting", 0, 1), ("base", 1, 1)]
    seen.clear()
    again = sweep.run_scenarios(
        DELFT,
        ["base"],
        data_dir=data_dir,
        out_root=tmp_path,
        sets=SMALL,
        scheduler="synchronous",
        progress=lambda label, done, total: seen.append((label, done, total)),
    )
    assert again["resumed"].all()
    assert seen == [("starting", 1, 1)]


@pytest.mark.slow
def test_pareto_front_ticks_once_per_budget_level(data_dir):
    from voorzieningen import sweep

    seen: list[tuple[str, int, int]] = []
    front = sweep.pareto_front(
        DELFT,
        [2e6, 1e6],
        data_dir=data_dir,
        sets=SMALL,
        tick=lambda label, done, total: seen.append((label, done, total)),
    )
    assert len(front.table) == 2
    assert seen == [
        ("budget 1,000,000 EUR", 0, 2),
        ("budget 2,000,000 EUR", 1, 2),
        ("done", 2, 2),
    ]


@pytest.mark.slow
def test_run_of_a_robust_scenario_writes_robust_csv_and_each_variant(data_dir, tmp_path):
    """`run` plans a scenario with robust.variants once for all its variants (issue 16)."""
    out = tmp_path / "robust"
    robust = ['robust.variants={"mid": 0.5, "krimp": 0.5}', 'robust.objective="minmax_regret"']
    args = ["run", str(DELFT), "--data-dir", str(data_dir), "--out-dir", str(out)]
    result = runner.invoke(app, [*args, *_sets([*SMALL, *robust])])
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


def test_report_refuses_a_results_folder_whose_table_was_cut(demo_run, tmp_path):
    """Issue 14: a decisions.csv cut in half is refused, not redrawn with half the sites."""
    base, _ = demo_run
    copy = tmp_path / "base"
    shutil.copytree(base, copy)
    decisions = copy / "decisions.csv"
    text = decisions.read_text(encoding="utf-8")
    decisions.write_text(text[: len(text) // 2], encoding="utf-8")
    before = {p.name: p.read_bytes() for p in copy.iterdir() if p.is_file()}
    result = runner.invoke(app, ["report", str(copy)])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "decisions.csv no longer match the SHA-256 in run.json" in said
    assert "Traceback" not in result.output
    after = {p.name: p.read_bytes() for p in copy.iterdir() if p.is_file()}
    assert after == before  # nothing redrawn or rewritten
