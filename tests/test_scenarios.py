"""Scenario files: validation, overrides and their precedence, every error message."""

from __future__ import annotations

from pathlib import Path

import pytest

from voorzieningen.errors import ScenarioError
from voorzieningen.scenarios import list_scenarios, load_scenario, parse_set

REPO = Path(__file__).resolve().parents[1]
DELFT = REPO / "inputs" / "delft" / "scenarios.toml"

BASE = """
[base]
region = "toy"
[base.network]
source = "osm/x.graphml"
[base.budget]
capex_total_eur = 1000
"""


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_delft_base_loads_with_defaults():
    scenario = load_scenario(DELFT)
    assert scenario.name == "base"
    assert scenario.region == "delft"
    assert scenario.periods == [2025, 2030, 2035, 2040]
    assert scenario.period_years() == [5.0, 5.0, 5.0, 5.0]
    assert scenario.budget.capex_total_eur == 15_000_000
    assert scenario.solver.mip_rel_gap == 0.005
    assert "krap" in list_scenarios(DELFT)


def test_override_and_set_precedence(tmp_path):
    text = (
        BASE
        + """
[overrides.a]
"budget.capex_total_eur" = 2000
[overrides.b]
network = { mode = "walk" }
[scenarios]
ab = ["a", "b"]
"""
    )
    path = write(tmp_path, text)
    assert load_scenario(path).budget.capex_total_eur == 1000
    both = load_scenario(path, name="ab")
    assert both.name == "ab"
    assert both.budget.capex_total_eur == 2000
    assert both.network.mode == "walk"
    assert both.network.source == "osm/x.graphml"  # untouched keys keep the base
    # --set beats the overrides
    top = load_scenario(path, name="ab", sets=["budget.capex_total_eur=3000"])
    assert top.budget.capex_total_eur == 3000
    # a single override can be run by its own name
    assert load_scenario(path, name="b").network.mode == "walk"


def test_yaml_scenario(tmp_path):
    text = "base:\n  region: toy\n  network:\n    source: osm/x.graphml\n"
    assert load_scenario(write(tmp_path, text, "s.yaml")).region == "toy"


@pytest.mark.parametrize(
    ("text", "name", "sets", "pattern"),
    [
        (
            BASE + "\n[base.model]\nobjectiv = 'cost'\n",
            "base",
            [],
            r"base, model\.objectiv\) \| unknown key",
        ),
        (
            BASE.replace("1000", "-5"),
            "base",
            [],
            r"budget\.capex_total_eur\) \| Input should be greater than or equal to 0",
        ),
        ("[base]\nregion='toy'\n", "base", [], r"network\) \| required key is missing"),
        (BASE, "nope", [], r"unknown scenario 'nope'; known: \['base'"),
        (
            BASE + "[scenarios]\nx = ['missing']\n",
            "x",
            [],
            r"\(.*s\.toml, scenarios, x\) \| unknown override 'missing'",
        ),
        (
            BASE
            + "[overrides.a]\n'budget.capex_total_eur'=1\n[overrides.b]\nbudget={capex_total_eur=2}\n[scenarios]\nab=['a','b']\n",
            "ab",
            [],
            r"overrides 'a' and 'b' both set 'budget\.capex_total_eur'",
        ),
        (BASE, "base", ["budget.capex_total_eur"], r"write settings as key=value"),
        (
            BASE,
            "base",
            ["solver.time_limit_s=-1"],
            r"solver\.time_limit_s\) \| Input should be greater than 0",
        ),
        (BASE + "[extra]\n", "base", [], r"unknown top-level table\(s\) \['extra'\]"),
        ("[base\n", "base", [], r"not valid TOML"),
        (
            BASE.replace('region = "toy"', 'region = "toy"\nperiods = [2030, 2025]'),
            "base",
            [],
            r"periods must be strictly increasing",
        ),
        ("[overrides.a]\nx=1\n", "base", [], r"missing the \[base\] table"),
    ],
)
def test_scenario_errors(tmp_path, text, name, sets, pattern):
    with pytest.raises(ScenarioError, match=pattern):
        load_scenario(write(tmp_path, text), name=name, sets=sets)


def test_missing_and_wrong_type_files(tmp_path):
    with pytest.raises(ScenarioError, match="scenario file not found"):
        load_scenario(tmp_path / "none.toml")
    with pytest.raises(ScenarioError, match=r"unknown scenario file type '\.ini'"):
        load_scenario(write(tmp_path, "x", "s.ini"))
    path = tmp_path / "latin1.toml"
    path.write_bytes("[base]\nregion = 'caf\xe9'\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(path)


def test_parse_set_reads_json_values():
    assert parse_set("a.b=5e6") == ("a.b", 5e6)
    assert parse_set("a=true") == ("a", True)
    assert parse_set("a=walk") == ("a", "walk")
    assert parse_set("a=[1, 2]") == ("a", [1, 2])
