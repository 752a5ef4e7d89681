"""The Delft demo end to end (one solve of the full demo for the whole file).

The command line's ``run`` writes every table; ``compare`` and ``report`` work on its folder;
the key figures (kpis.csv) and per-resident travel times of the same run agree with its
counts. The demo is solved once per test process (a session fixture): keep the tests that need
the full demo in this file, so that pytest-xdist's ``--dist loadfile`` runs them together.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from test_cli import DELFT, runner
from voorzieningen import api
from voorzieningen import report as reports
from voorzieningen.cli import app
from voorzieningen.kpis import KPI_COLUMNS
from voorzieningen.report import read_run, write_report
from voorzieningen.results import baseline_travel_times


@pytest.fixture(scope="session")
def demo_run(data_dir, tmp_path_factory):
    """Run the README's demo command once (into a temporary folder).

    Returns the results folder, the command's output and the run object the command wrote
    (kept from ``api.run_scenario`` as the command calls it), so that the checks on the run
    itself share this one solve of the full Delft demo.
    """
    out = tmp_path_factory.mktemp("results") / "delft" / "base"
    runs = []
    real = api.run_scenario

    def keep(*args, **kwargs):
        runs.append(real(*args, **kwargs))
        return runs[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(api, "run_scenario", keep)
        result = runner.invoke(
            app, ["run", str(DELFT), "--data-dir", str(data_dir), "--out-dir", str(out)]
        )
    assert result.exit_code == 0, result.output
    assert len(runs) == 1
    return out, result.output, runs[0]


@pytest.mark.slow
def test_demo_run_writes_every_table(demo_run):
    out, output, _ = demo_run
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


@pytest.mark.slow
def test_compare_and_report_verbs(demo_run, data_dir, tmp_path):
    base, _, _ = demo_run
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


def test_report_refuses_a_results_folder_whose_table_was_cut(demo_run, tmp_path):
    """Issue 14: a decisions.csv cut in half is refused, not redrawn with half the sites."""
    base, _, _ = demo_run
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


@pytest.fixture
def delft_run(demo_run):
    """The demo's run object: ``api.run_scenario`` of the Delft demo, base scenario."""
    return demo_run[2]


@pytest.mark.slow
def test_delft_kpis_consistent_with_counts(delft_run, tmp_path):
    run = delft_run
    k = run.results.kpis
    assert set(k["service"]) == {"school", "gp", "community_hall"}
    assert set(k["unit"]) == {"pupils", "patients", "visitor_equivalents"}
    assert np.allclose(k["served"] + k["unmet"], k["demand"])
    assert np.allclose(k["share_served"], k["served"] / k["demand"])
    assert (k["share_within_norm"] <= k["share_served"] + 1e-12).all()
    assert (k["mean_time_all_min"] >= k["mean_time_served_min"] - 1e-9).all()
    # counts agree with zones.csv and assignments
    z = run.zones.groupby(["service", "period"])[["demand_persons", "served_persons"]].sum()
    kk = k.set_index(["service", "period"])
    assert np.allclose(kk["demand"], z["demand_persons"].reindex(kk.index))
    assert np.allclose(kk["served"], z["served_persons"].reindex(kk.index))
    summary = run.summary.iloc[0]
    assert "served_persons" not in summary.index
    assert "unmet_persons" not in summary.index
    assert "mean_travel_time_min" not in summary.index
    for col in ("served_pupils", "unmet_patients", "mean_time_all_min_community_hall"):
        assert col in summary.index
    assert summary["travel_time_source"].startswith("road network")
    assert summary["capex_limit_eur"] == 15_000_000  # total; per period 4 x 8 M is more
    assert np.isnan(summary["net_spend_limit_eur"])
    assert summary["capex_eur"] <= summary["capex_limit_eur"] + 1.0
    assert summary["net_spend_eur"] == pytest.approx(summary["capex_eur"] - summary["proceeds_eur"])
    folder = write_report(run, tmp_path / "base")
    saved = read_run(folder)
    assert saved.kpis is not None
    assert list(saved.kpis.columns) == list(KPI_COLUMNS)
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert record["travel_time_source"].startswith("road network")


@pytest.mark.slow
def test_delft_before_is_mean_over_residents(delft_run):
    run = delft_run
    residents = run.travel.residents
    assert residents is not None
    before = run.zones.drop_duplicates(["zone", "service"]).set_index(["zone", "service"])[
        "travel_time_before_min"
    ]
    zone_level = baseline_travel_times(run.data)
    # a mean of minima never exceeds the minimum of means (same points reach every school)
    both = pd.concat([before, zone_level], axis=1, keys=["resident", "zone"]).dropna()
    assert len(both) == 13 * 3
    assert (both["resident"] <= both["zone"] + 1e-9).all()
    # recomputed by hand for one zone: each point's nearest existing school
    schools = set(run.data.asis_capacity.xs("school", level="service").index)
    here = residents[(residents["zone"] == "2624") & residents["site"].isin(schools)]
    nearest = here.groupby("point").agg(t=("travel_time_min", "min"), w=("weight", "first"))
    expected = float((nearest["t"] * nearest["w"]).sum() / nearest["w"].sum())
    assert before[("2624", "school")] == pytest.approx(expected)
    # after, per resident within the plan's assignment, is never above the pair-time mean
    # (sending each site's intake proportionally from every point is one feasible split)
    a = run.assignments.assign(pm=run.assignments["persons"] * run.assignments["travel_time_min"])
    g = a.groupby(["zone", "service", "period"])[["pm", "persons"]].sum()
    pair_mean = g["pm"] / g["persons"]
    after = run.zones.set_index(["zone", "service", "period"])["travel_time_after_min"]
    both = pd.concat([after, pair_mean], axis=1, keys=["resident", "pair"]).dropna()
    assert len(both) == len(pair_mean)
    assert (both["resident"] <= both["pair"] + 1e-6).all()
