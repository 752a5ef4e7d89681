"""The command line: the Delft demo end to end, and every verb's output and exit code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from voorzieningen.cli import app

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
    # 25 DUO schools + 18 portfolio rows, 2 of which describe DUO schools = 41 sites
    assert len(decisions) == 41
    assert decisions["site"].is_unique
    assert {"site", "service", "action", "capex_eur"} <= set(decisions.columns)
    assert set(decisions["action"]) <= {
        "keep",
        "close",
        "renovate",
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
    assert summary["gap"] <= 0.005 + 1e-9 or summary["status"] == "time_limit_feasible"
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
    assert "13 zones, 41 sites" in " ".join(result.output.split())


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
