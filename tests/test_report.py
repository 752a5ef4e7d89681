"""Reports: Dutch-Excel round trip, formula escaping, atomic writing that keeps old runs."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from voorzieningen.record import SavedRun
from voorzieningen.report import (
    ReportSettings,
    escape_formulas,
    read_table,
    write_csv,
    write_report,
)
from voorzieningen.results import Plan, Results

NO_MAPS = ReportSettings(with_maps=False)
NO_MAPS_NL = ReportSettings(csv_format="dutch_excel", with_maps=False)


def toy_results(name: str = '=HYPERLINK("http://x")') -> Results:
    decisions = pd.DataFrame(
        {
            "site": ["s1", "s2"],
            "name": [name, "-dash"],
            "kind": ["existing", "candidate"],
            "service": ["school", ""],
            "action": ["close", "new"],
            "option": ["close", "new:school"],
            "period": pd.array([2030, 2025], dtype="Int64"),
            "services_after": ["", "school"],
            "capex_eur": [0.0, 1234567.891],
            "proceeds_eur": [-5000.25, 0.0],
            "capacity_after_places": ["", "school=120"],
        }
    )
    empty = pd.DataFrame({"site": [], "period": []})
    plan = Plan(
        empty, empty, empty, empty, pd.DataFrame({"zone": ["2611"], "persons": [1.5]}), empty
    )
    summary = pd.DataFrame([{"status": "optimal", "gap": 0.001, "objective_value": 12.5}])
    return Results(
        scenario_name="toy",
        decisions=decisions,
        zones=pd.DataFrame({"zone": ["0101"], "travel_time_before_min": [3.25]}),
        capacity=empty,
        costs=pd.DataFrame({"period": [2025], "capex_eur": [1.5e6]}),
        summary=summary,
        plan=plan,
    )


def test_dutch_excel_round_trip_is_exact(tmp_path):
    frame = pd.DataFrame(
        {"zone": ["0101", "2611"], "value_eur": [1234567.891, -0.5], "n": [1, 2], "t": ["a;b", "c"]}
    )
    path = tmp_path / "t.csv"
    write_csv(frame, path, dutch_excel=True)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    assert b"1234567,891" in raw
    back = read_table(path, dutch_excel=True)
    back["zone"] = back["zone"].astype(str)
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    again = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"zone": str})
    pd.testing.assert_frame_equal(again, frame, check_dtype=False)


def test_formula_cells_are_escaped():
    frame = pd.DataFrame(
        {"name": ['=HYPERLINK("http://evil")', "+1", "-x", "@SUM(A1)", "ok"], "v": [-1, 2, 3, 4, 5]}
    )
    out = escape_formulas(frame)
    assert list(out["name"]) == ['\'=HYPERLINK("http://evil")', "'+1", "'-x", "'@SUM(A1)", "ok"]
    assert list(out["v"]) == [-1, 2, 3, 4, 5]  # numbers untouched


def test_report_writes_escaped_files_and_keeps_history(tmp_path):
    target = tmp_path / "delft" / "base"
    write_report(SavedRun.from_results(toy_results()), target, settings=NO_MAPS_NL)
    decisions = read_table(target / "decisions.csv", dutch_excel=True)
    assert decisions.loc[0, "name"] == '\'=HYPERLINK("http://x")'
    assert json.loads((target / "run.json").read_text(encoding="utf-8"))["scenario"] == "toy"
    write_report(SavedRun.from_results(toy_results("second")), target, settings=NO_MAPS)
    history = list((tmp_path / "delft" / ".history").iterdir())
    assert len(history) == 1
    first = read_table(history[0] / "decisions.csv", dutch_excel=True)
    assert first.loc[0, "name"].startswith("'=HYPERLINK")
    assert read_table(target / "decisions.csv").loc[0, "name"] == "second"


def test_killed_write_leaves_earlier_results(tmp_path, monkeypatch):
    target = tmp_path / "base"
    write_report(SavedRun.from_results(toy_results("first")), target, settings=NO_MAPS)
    from voorzieningen import report

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "action_list", crash)
    with pytest.raises(KeyboardInterrupt):
        write_report(SavedRun.from_results(toy_results("second")), target, settings=NO_MAPS)
    assert read_table(target / "decisions.csv").loc[0, "name"] == "first"
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert leftovers == ["base"]  # the temporary folder was removed


def test_action_list_in_dutch_and_english():
    from voorzieningen.report import action_list

    results = dataclasses.replace(toy_results("De Linde"))
    assert action_list(results, language="nl") == [
        "2025: bouw nieuw op -dash: basisschool (1,23 M€)",  # Dutch decimal comma
        "2030: sluit basisschool De Linde",
    ]
    assert action_list(results, language="en")[1] == "2030: close primary school De Linde"
    assert (
        action_list(results, language="en")[0]
        == "2025: build new at -dash: primary school (1.23 M€)"
    )


def test_action_list_names_a_life_extension_and_its_later_closure():
    from voorzieningen.report import action_list

    results = toy_results("De Linde")
    d = results.decisions.copy()
    d.loc[0, ["action", "option", "services_after", "capex_eur"]] = [
        "extend",
        "extend",
        "school",
        135_000.0,
    ]
    d["closed_period"] = pd.array([2040, pd.NA], dtype="Int64")
    results = dataclasses.replace(results, decisions=d)
    # Amounts in Dutch with a decimal comma.
    assert action_list(results, language="nl")[1:] == [
        "2030: verleng de levensduur van basisschool De Linde (0,14 M€)",
        "2040: sluit basisschool De Linde (einde verlengde levensduur; niet vernieuwd in dit plan)",
    ]
    assert action_list(results, language="en")[1:] == [
        "2030: extend the life of primary school De Linde (0.14 M€)",
        "2040: close primary school De Linde (end of its extended life; not renewed in this plan)",
    ]


def test_pareto_plot_leaves_matplotlib_backend_alone(tmp_path):
    import matplotlib as mpl

    from voorzieningen.report import write_pareto

    table = pd.DataFrame(
        {
            "budget_eur": [1e6, 2e6],
            "spend_eur": [0.9e6, 1.8e6],
            "objective_value": [300.0, 200.0],
            "unmet_pupils": [10.0, 0.0],
            "mean_time_all_min_school": [5.0, 4.0],
            "mean_time_all_min_gp": [6.0, 5.5],
        }
    )
    before = mpl.rcParams._get_backend_or_none()  # None until someone chooses one
    write_pareto(table, tmp_path)
    assert mpl.rcParams._get_backend_or_none() == before
    assert (tmp_path / "pareto.png").stat().st_size > 10_000
    assert pd.read_csv(tmp_path / "pareto.csv")["spend_eur"].tolist() == [0.9e6, 1.8e6]



@pytest.mark.parametrize(
    ("language", "title", "legend", "tick"),
    [
        ("nl", "Gemiddelde reistijd per voorziening", "basisschool", "1,4"),
        ("en", "Mean travel time per service", "primary school", "1.4"),
    ],
)
def test_pareto_plot_speaks_the_report_language(
    tmp_path, saved_figures, language, title, legend, tick
):
    from voorzieningen.report import write_pareto

    saved = saved_figures
    table = pd.DataFrame(
        {
            "budget_eur": [1e6, 2e6],
            "spend_eur": [0.9e6, 1.8e6],
            "objective_value": [3000.0, 2000.0],
            "mean_time_all_min_school": [5.0, 4.0],
        }
    )
    write_pareto(table, tmp_path, language=language)
    (fig,) = saved
    left, right = fig.axes
    assert right.get_title() == title
    assert [t.get_text() for t in right.get_legend().get_texts()] == [legend]
    fig.canvas.draw()
    # spending 0.9-1.8 M EUR: matplotlib puts a tick at 1.4 M (steps of 0.2); Dutch gives it a comma.
    assert tick in [t.get_text() for t in right.get_xticklabels()]
    if language == "nl":
        assert "3.000" in [t.get_text() for t in left.get_yticklabels()]
