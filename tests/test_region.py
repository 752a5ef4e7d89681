"""The region verb: a region folder from gemeente names or codes, for any corporation."""

from __future__ import annotations

import csv
import re
import tomllib
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from osmnx._errors import InsufficientResponseError
from pydantic import BaseModel
from typer.testing import CliRunner

from voorzieningen import api, region
from voorzieningen.cli import app
from voorzieningen.context import RunContext
from voorzieningen.errors import InputDataError, VoorzieningenWarning
from voorzieningen.inputs import PORTFOLIO_COLUMNS, load_portfolio
from voorzieningen.network import facilities
from voorzieningen.scenario_toml import toml_value
from voorzieningen.scenarios import load_scenario
from voorzieningen.schemas.scenario import Scenario

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]


def _pc4_count(data_dir: Path, gemeente: str) -> int:
    """PC4 areas of a gemeente, counted straight from the CBS file (an independent count)."""
    with (data_dir / "cbs" / "cbs_pc4_centroids_2020_nl.csv").open(encoding="utf-8") as handle:
        return sum(1 for row in csv.DictReader(handle) if row["gemeente"] == gemeente)


@pytest.fixture
def offline(monkeypatch):
    """OpenStreetMap cannot be reached: osmnx raises a connection error."""
    calls: list[Any] = []

    def fail(polygon, tags):
        calls.append((polygon, tags))
        msg = "Failed to resolve 'overpass-api.de'"
        raise ConnectionError(msg)

    monkeypatch.setattr(facilities.ox, "features_from_polygon", fail)
    return calls


# --- gemeenten ---------------------------------------------------------------------------


def test_gemeenten_by_name_any_case_and_by_code(data_dir):
    found = region.resolve_gemeenten(data_dir, ["het hogeland", "GM1979", "1714", "GM1966"])
    assert found == {"Het Hogeland": "GM1966", "Eemsdelta": "GM1979", "Sluis": "GM1714"}


def test_unknown_gemeente_names_close_matches(data_dir):
    with pytest.raises(InputDataError) as err:
        region.resolve_gemeenten(data_dir, ["Het Hoogeland", "Eemsdelta", "Sluys"])
    text = str(err.value)
    assert "'Het Hoogeland': unknown gemeente; did you mean 'Het Hogeland'" in text
    assert "'Sluys': unknown gemeente; did you mean" in text
    assert "'Sluis'" in text
    assert "Eemsdelta" not in text.split("|", 1)[1].replace("'Het Hoogeland'", "")
    assert "cbs_pc4_centroids_2020_nl.csv" in text


def test_unknown_code_and_code_without_pc4_areas(data_dir):
    with pytest.raises(InputDataError, match=r"'GM9999': unknown gemeente code; nearest codes"):
        region.resolve_gemeenten(data_dir, ["GM9999"])
    # Land van Cuijk was formed on 1-1-2022; the PC4 file has the 2021 gemeenten
    with pytest.raises(InputDataError, match=r"'GM1982' \(Land van Cuijk\) has no PC4 areas"):
        region.resolve_gemeenten(data_dir, ["GM1982"])
    with pytest.raises(InputDataError, match="at least one gemeente"):
        region.resolve_gemeenten(data_dir, [])


# --- the folder --------------------------------------------------------------------------


def test_het_hogeland_counts(data_dir, tmp_path):
    made = region.create_region("hh", ["GM1966"], data_dir=data_dir, out=tmp_path, osm=False)
    # PROVENANCE.md (data/cbs): Het Hogeland 45 PC4, 47,830 inhabitants (2021); 33 DUO
    # basisscholen with 3,543 pupils; every one of its PC4 areas has a polygon.
    assert len(made.zones) == 45 == _pc4_count(data_dir, "Het Hogeland")
    assert made.zones["population_persons"].sum() == 47_830
    assert bool(made.zones["has_polygon"].all())
    assert len(made.schools) == 33
    assert made.schools["pupils_persons"].sum() == 3_543
    assert made.schools.index.str.fullmatch(r"duo-\w{6}").all()
    assert {p.name for p in made.files} == {"scenarios.toml", "portfolio.csv", "README.md"}


def test_region_for_another_krimp_gemeente_validates(data_dir, tmp_path):
    result = runner.invoke(
        app,
        [
            "region",
            "eemsdelta",
            "--gemeente",
            "Eemsdelta",
            "--data-dir",
            str(data_dir),
            "--out",
            str(tmp_path),
            "--no-osm",
            "--network",
            "Eemsdelta, Netherlands",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "22 schools (2,990 pupils)" in result.output  # PROVENANCE.md: Eemsdelta 22, 2,990
    scenario_file = tmp_path / "eemsdelta" / "scenarios.toml"
    zones = _pc4_count(data_dir, "Eemsdelta")
    # validate loads the road network as run does (issue 14); the tests are offline and the
    # region's network is the download "Eemsdelta, Netherlands", so travel times are estimated.
    offline = ["--set", "network.method=estimate"]
    for name in ("base", "krap", "krimp", "krimp_krap", "fiets"):
        result = runner.invoke(
            app,
            ["validate", str(scenario_file), "-s", name, "--data-dir", str(data_dir), *offline],
        )
        assert result.exit_code == 0, result.output
        assert f"{zones} zones, 22 sites" in " ".join(result.output.split())
    krimp = load_scenario(scenario_file, name="krimp_krap")
    assert krimp.demand.scenario == "krimp"
    assert krimp.budget.capex_total_eur == region.DEFAULT_BUDGET_TOTAL_EUR // 2
    fiets = load_scenario(scenario_file, name="fiets")
    assert fiets.network.mode == "bicycle"
    assert fiets.model.services == ["school"]


def test_default_is_the_estimate_and_loads(data_dir, tmp_path):
    made = region.create_region("sluis", ["Sluis"], data_dir=data_dir, out=tmp_path, osm=False)
    text = (made.folder / "scenarios.toml").read_text(encoding="utf-8")
    network = tomllib.loads(text)["base"]["network"]
    assert {k: v for k, v in network.items() if v != {}} == {
        "method": "estimate",
        "mode": "car",
        "cutoff_min": 60,
    }
    assert 'source = "Sluis, Netherlands"' in text  # the recommended online way, commented
    if "method" not in Scenario.model_fields["network"].annotation.model_fields:  # type: ignore[union-attr]
        pytest.fail("network.method is not in the schema: merge branch 'estimate'")
    scenario = load_scenario(made.folder / "scenarios.toml")
    assert scenario.network.method == "estimate"
    context = RunContext(data_dir=data_dir, region_dir=made.folder)
    with pytest.warns(VoorzieningenWarning, match="header but no rows"):
        inputs = api.load_inputs(scenario, context)  # the template is still to be filled in
    assert len(inputs.zones) == _pc4_count(data_dir, "Sluis")
    assert len(inputs.sites) == 11  # PROVENANCE.md: Sluis 11 basisscholen
    assert not inputs.sites["managed"].any()  # DUO schools are not the corporation's


@pytest.mark.slow
def test_new_region_runs_with_the_estimate(data_dir, tmp_path):
    region.create_region("eemsdelta", ["Eemsdelta"], data_dir=data_dir, out=tmp_path, osm=False)
    scenario_file = tmp_path / "eemsdelta" / "scenarios.toml"
    result = runner.invoke(app, ["validate", str(scenario_file), "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "results"
    result = runner.invoke(
        app, ["run", str(scenario_file), "--data-dir", str(data_dir), "--out-dir", str(out)]
    )
    assert result.exit_code == 0, result.output
    decisions = pd.read_csv(out / "decisions.csv")
    assert len(decisions) == 22


def test_refuses_to_overwrite(data_dir, tmp_path):
    folder = tmp_path / "sluis"
    folder.mkdir()
    (folder / "portfolio.csv").write_text("mine\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="already exists; it is never overwritten"):
        region.create_region("sluis", ["Sluis"], data_dir=data_dir, out=tmp_path, osm=False)
    assert (folder / "portfolio.csv").read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sluis"]  # no temporary left over
    result = runner.invoke(
        app,
        ["region", "sluis", "-g", "Sluis", "--data-dir", str(data_dir), "--out", str(tmp_path)],
    )
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert "Traceback" not in result.output


def test_cli_exit_codes(data_dir, tmp_path, offline):
    base = ["--data-dir", str(data_dir), "--out", str(tmp_path), "--no-osm"]
    result = runner.invoke(app, ["region", "x", "-g", "Het Hoogeland", *base])
    assert result.exit_code == 2
    assert "did you mean 'Het Hogeland'" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["region", "x", *base])
    assert result.exit_code == 2
    assert "at least one gemeente" in result.output
    result = runner.invoke(app, ["region", "het hogeland", "-g", "GM1966", *base])
    assert result.exit_code == 2
    assert "not a valid region name" in result.output
    assert list(tmp_path.iterdir()) == []
    result = runner.invoke(app, ["region", "ok", "-g", "GM1966", *base])
    assert result.exit_code == 0, result.output
    assert "duo-03DG00" in result.output  # Openbare School Klinkenborg, Kantens, 30 pupils
    assert offline == []  # --no-osm: OpenStreetMap not asked


# --- OpenStreetMap candidates ------------------------------------------------------------


def _features() -> gpd.GeoDataFrame:
    """What osmnx.features_from_polygon returns: index (element, id), one column per tag."""
    square = shapely.Polygon([(6.60, 53.30), (6.61, 53.30), (6.61, 53.31), (6.60, 53.31)])
    rows = [
        ("node", 1, "doctors", None, None, "Huisartsen Bedum", shapely.Point(6.6, 53.3)),
        ("node", 2, None, "doctor", None, "Praktijk Noord", shapely.Point(6.5, 53.4)),
        ("way", 3, "community_centre", None, None, "Dorpshuis", square),
        ("node", 4, "pharmacy", None, None, "Apotheek", shapely.Point(6.5, 53.3)),
        ("relation", 5, None, None, "yes", "Kerk", square),
    ]
    frame = gpd.GeoDataFrame(
        [r[2:] for r in rows],
        columns=["amenity", "healthcare", "building", "name", "geometry"],
        geometry="geometry",
        crs="EPSG:4326",
    )
    frame.index = pd.MultiIndex.from_tuples([r[:2] for r in rows], names=["element", "id"])
    return frame


def test_osm_candidates_mocked_and_cached(monkeypatch, tmp_path):
    asked: list[dict[str, Any]] = []

    def answer(polygon, tags):
        asked.append(tags)
        return _features()

    monkeypatch.setattr(facilities.ox, "features_from_polygon", answer)
    area = shapely.box(6.4, 53.2, 6.7, 53.5)
    rows = region.osm_candidates(area, cache_dir=tmp_path)
    assert asked == [{"amenity": ["community_centre", "doctors"], "healthcare": ["doctor"]}]
    assert list(rows["site_id"]) == ["osm-w3", "osm-n1", "osm-n2"]  # by service, then name
    assert list(rows["service"]) == ["community_hall", "gp", "gp"]
    assert set(rows["managed"]) == {"false"}
    # a way becomes its centroid: the middle of the 0.01-degree square
    way = rows.set_index("site_id").loc["osm-w3"]
    assert (way["lon"], way["lat"]) == pytest.approx((6.605, 53.305), abs=1e-6)
    assert list(tmp_path.iterdir()) == [
        tmp_path / facilities.features_cache_name(area, region.OSM_CANDIDATE_TAGS)
    ]

    def offline(polygon, tags):
        raise ConnectionError

    monkeypatch.setattr(facilities.ox, "features_from_polygon", offline)
    again = region.osm_candidates(area, cache_dir=tmp_path)  # from the cache, offline
    pd.testing.assert_frame_equal(again, rows, check_dtype=False)
    # the rows are a valid portfolio once copied
    path = tmp_path / "candidates.csv"
    rows.to_csv(path, index=False)
    portfolio = load_portfolio(path)
    assert list(portfolio.index) == ["osm-w3", "osm-n1", "osm-n2"]
    assert not portfolio["managed"].any()


def test_osm_area_without_objects_is_empty(monkeypatch):
    def nothing(polygon, tags):
        msg = "No matching features"
        raise InsufficientResponseError(msg)

    monkeypatch.setattr(facilities.ox, "features_from_polygon", nothing)
    rows = region.osm_candidates(shapely.box(6.4, 53.2, 6.7, 53.5), cache_dir=None)
    assert rows.empty
    assert list(rows.columns) == list(region.PORTFOLIO_DOCS)


def test_online_region_lists_candidates(data_dir, tmp_path, monkeypatch):
    areas: list[Any] = []

    def answer(polygon, tags):
        areas.append(polygon)
        return _features()

    monkeypatch.setattr(facilities.ox, "features_from_polygon", answer)
    made = region.create_region(
        "hh", ["Het Hogeland"], data_dir=data_dir, out=tmp_path / "inputs", cache_dir=tmp_path
    )
    assert (made.folder / "osm_candidates.csv").is_file()
    assert len(load_portfolio(made.folder / "osm_candidates.csv")) == 3
    readme = (made.folder / "README.md").read_text(encoding="utf-8")
    assert "lists 3 objects tagged in OpenStreetMap (2 GP practices, 1 community centres)" in readme
    # the query area is the union of the 45 PC4 polygons: it holds every zone centroid
    (area,) = areas
    centroids = shapely.points(made.zones[["lon", "lat"]].to_numpy())
    assert shapely.contains(area, centroids).all()


def test_offline_region_says_what_to_fill_in(data_dir, tmp_path, offline):
    made = region.create_region("sluis", ["Sluis"], data_dir=data_dir, out=tmp_path)
    assert len(offline) == 1
    assert made.candidates is None
    assert "could not be reached" in made.osm_message
    assert not (made.folder / "osm_candidates.csv").exists()
    readme = (made.folder / "README.md").read_text(encoding="utf-8")
    assert "Fill in `portfolio.csv` yourself: every **GP practice**" in readme


# --- documentation -----------------------------------------------------------------------


def test_readme_explains_every_portfolio_column(data_dir, tmp_path):
    assert set(region.PORTFOLIO_DOCS) == set(PORTFOLIO_COLUMNS)
    made = region.create_region("sluis", ["Sluis"], data_dir=data_dir, out=tmp_path, osm=False)
    readme = (made.folder / "README.md").read_text(encoding="utf-8")
    for column in PORTFOLIO_COLUMNS:
        assert f"| `{column}` |" in readme
    header = (made.folder / "portfolio.csv").read_text(encoding="utf-8").strip().split(",")
    assert header == list(region.PORTFOLIO_DOCS)


def _fields(model: type[BaseModel], prefix: str) -> dict[str, type[BaseModel] | None]:
    out: dict[str, type[BaseModel] | None] = {}
    for name, info in model.model_fields.items():
        sub = info.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            out[f"{prefix}.{name}"] = sub
            out.update(_fields(sub, f"{prefix}.{name}"))
        else:
            out[f"{prefix}.{name}"] = None
    return out


def test_scenario_file_lists_and_documents_every_setting(data_dir, tmp_path):
    made = region.create_region("sluis", ["Sluis"], data_dir=data_dir, out=tmp_path, osm=False)
    lines = (made.folder / "scenarios.toml").read_text(encoding="utf-8").splitlines()
    fields = _fields(Scenario, "base")
    table, seen, uncommented = "", set(), []
    for i, line in enumerate(lines):
        head = re.fullmatch(r"(?:# )?\[([\w.]+)\]", line)
        if head:
            table = head.group(1)
            seen.add(table)
            uncommented.append(f"[{table}]")
            continue
        key = re.fullmatch(r"(?:# )?(\w+) = (.*)", line)
        if key and f"{table}.{key.group(1)}" in fields:
            seen.add(f"{table}.{key.group(1)}")
            assert lines[i - 1].startswith("#"), f"{table}.{key.group(1)} has no documentation"
            if not key.group(2).startswith("..."):
                uncommented.append(f"{key.group(1)} = {key.group(2)}")
        elif table.startswith("base") and not line.startswith("#"):
            uncommented.append(line)
        if table in ("overrides.budget_krap",):
            break
    assert sorted(set(fields) - seen) == []
    # every default shown, uncommented, is valid TOML and a valid scenario with the same values
    data = tomllib.loads("\n".join(uncommented))["base"]
    data.pop("overrides", None)
    explicit = Scenario.model_validate(data)
    assert explicit == load_scenario(made.folder / "scenarios.toml")


@pytest.mark.parametrize(
    "value",
    ["Súdwest-Fryslân", 'a "quoted" \\ name', 1_500_000, 2.5e6, 1e-6, 0.0225, True, [1, "a"], {}],
)
def test_toml_values_round_trip(value):
    assert tomllib.loads(f"x = {toml_value(value)}")["x"] == value
    assert tomllib.loads(f"x = {toml_value({'NL:rural': value})}")["x"] == {
        "NL:rural": value
    }


# --- the rural demo ----------------------------------------------------------------------

HOGELAND = REPO / "inputs" / "het-hogeland"


def test_readme_first_command_runs_the_rural_demo():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first = readme.split("```bash", 1)[1].split("```", 1)[0]
    assert "voorzieningen run inputs/het-hogeland/scenarios.toml --data-dir ../shared/data" in first


def test_het_hogeland_demo_validates_and_is_marked_example(data_dir):
    portfolio = load_portfolio(HOGELAND / "portfolio.csv")
    assert portfolio["note"].str.contains("EXAMPLE").all()
    # 13 GP practices (5 the corporation's), 15 dorpshuizen, 8 DUO school buildings, 4 plots
    assert portfolio.groupby("service").size().to_dict() == {
        "": 4,
        "community_hall": 15,
        "gp": 13,
        "school": 8,
    }
    assert int(portfolio.loc[portfolio["service"] == "gp", "managed"].sum()) == 5
    for name in ("base", "krap", "krimp", "krimp_krap", "fiets", "lopen"):
        result = runner.invoke(
            app,
            ["validate", str(HOGELAND / "scenarios.toml"), "-s", name, "--data-dir", str(data_dir)],
        )
        assert result.exit_code == 0, result.output
        # 33 DUO schools + 40 portfolio rows, 8 of which describe DUO schools
        assert "45 zones, 65 sites" in " ".join(result.output.split())
    base = load_scenario(HOGELAND / "scenarios.toml")
    assert base.network.method == "estimate"
    assert base.periods == [2025, 2030, 2035, 2040]
    assert base.budget.capex_total_eur == 8_000_000
    assert load_scenario(HOGELAND / "scenarios.toml", name="krap").budget.capex_total_eur == 4e6
    assert load_scenario(HOGELAND / "scenarios.toml", name="krimp").demand.scenario == "krimp"
    lopen = load_scenario(HOGELAND / "scenarios.toml", name="lopen")
    assert (lopen.network.mode, lopen.network.age_group) == ("walk", "child")


@pytest.mark.slow
def test_het_hogeland_demo_runs(data_dir, tmp_path):
    out = tmp_path / "base"
    result = runner.invoke(
        app,
        [
            "run",
            str(HOGELAND / "scenarios.toml"),
            "--data-dir",
            str(data_dir),
            "--out-dir",
            str(out),
            # the plan's structure is checked here, not its optimality: a short time limit
            "--set",
            "solver.time_limit_s=30",
        ],
    )
    assert result.exit_code == 0, result.output
    decisions = pd.read_csv(out / "decisions.csv")
    assert decisions["site"].str.startswith("duo-").sum() == 33  # all 33 schools
    assert len(decisions) == 65
