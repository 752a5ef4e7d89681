"""Maps: GeoPackage layers, PNG and offline HTML map (rendered in headless Chromium)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib import image as mpimg

from voorzieningen import basemap, maps, plotting, report, webmap
from voorzieningen.errors import InputDataError
from voorzieningen.report import write_csv
from voorzieningen.results import Plan, Results

# Two zones, three sites, two periods: s1 school kept, s2 GP closed in 2030, s3 a new
# GP + school on a candidate plot in 2025.
SITES = pd.DataFrame(
    {
        "site": ["s1", "s2", "s3"],
        "name": ["School A", "GP B", "Kavel <C> & co"],
        "kind": ["existing", "existing", "candidate"],
        "service": ["school", "gp", ""],
        "lon": [4.30, 4.32, 4.31],
        "lat": [52.00, 52.00, 52.01],
    }
).set_index("site")
ZONES = pd.DataFrame(
    {"zone": ["z1", "z2"], "gemeente": ["Testdorp", "Testdorp"], "lon": [4.30, 4.32]}
    | {"lat": [52.005, 52.005]}
).set_index("zone")


def tiny_results() -> Results:
    decisions = pd.DataFrame(
        {
            "site": ["s1", "s2", "s3"],
            "name": ["School A", "GP B", "Kavel <C> & co"],
            "kind": ["existing", "existing", "candidate"],
            "service": ["school", "gp", ""],
            "action": ["keep", "close", "new"],
            "option": ["as_is", "close", "new:gp+school"],
            "period": pd.array([pd.NA, 2030, 2025], dtype="Int64"),
            "services_after": ["school", "", "gp+school"],
            "capex_eur": [0.0, 0.0, 1_000_000.0],
            "proceeds_eur": [0.0, 500_000.0, 0.0],
            "capacity_after_places": ["school=200", "", "gp=400;school=100"],
        }
    )
    # zone, service, period, demand, served, unmet, before, after
    rows = [
        ("z1", "gp", 2025, 200.0, 200.0, 0.0, 5.0, 4.0),
        ("z1", "gp", 2030, 200.0, 200.0, 0.0, 5.0, 4.0),
        ("z1", "school", 2025, 100.0, 100.0, 0.0, 2.0, 2.0),
        ("z1", "school", 2030, 100.0, 100.0, 0.0, 2.0, 2.0),
        ("z2", "gp", 2025, 150.0, 150.0, 0.0, 1.0, 1.0),
        ("z2", "gp", 2030, 150.0, 140.0, 10.0, 1.0, 3.0),
        ("z2", "school", 2025, 50.0, 50.0, 0.0, 4.0, 3.0),
        ("z2", "school", 2030, 50.0, 50.0, 0.0, 4.0, 6.0),
    ]
    zones = pd.DataFrame(
        rows,
        columns=[
            "zone",
            "service",
            "period",
            "demand_persons",
            "served_persons",
            "unmet_persons",
            "travel_time_before_min",
            "travel_time_after_min",
        ],
    )
    assignments = pd.DataFrame(
        [
            ("z1", "s1", "school", 2025, 100.0, 2.0, 1.0),
            ("z1", "s3", "gp", 2025, 200.0, 4.0, 2.0),
            ("z2", "s2", "gp", 2025, 150.0, 1.0, 0.5),
            ("z2", "s3", "school", 2025, 50.0, 3.0, 1.5),
            ("z1", "s1", "school", 2030, 100.0, 2.0, 1.0),
            ("z1", "s3", "gp", 2030, 200.0, 4.0, 2.0),
            ("z2", "s3", "gp", 2030, 140.0, 3.0, 1.5),
            ("z2", "s1", "school", 2030, 50.0, 6.0, 2.5),
        ],
        columns=["zone", "site", "service", "period", "persons", "travel_time_min", "distance_km"],
    )
    unmet = pd.DataFrame(
        [("z2", "gp", 2030, 10.0)], columns=["zone", "service", "period", "persons"]
    )
    empty = pd.DataFrame()
    summary = pd.DataFrame(
        [
            {
                "scenario": "tiny",
                "capex_total_eur": 1_000_000.0,
                "proceeds_total_eur": 500_000.0,
                "npv_cost_eur": 900_000.0,
                "mean_time_all_min_gp": 3.5,
                "unmet_patients": 10.0,
                "projects_started": 1,
                "sites_closed": 1,
                "status": "optimal",
                "gap": 0.001,
            }
        ]
    )
    costs = pd.DataFrame(
        {"period": [2025, 2030], "capex_eur": [1_000_000.0, 0.0], "proceeds_eur": [0.0, 5e5]}
    )
    capacity = pd.DataFrame(columns=["site", "service", "period", "capacity_places"])
    return Results(
        scenario_name="tiny",
        decisions=decisions,
        zones=zones,
        capacity=capacity,
        costs=costs,
        summary=summary,
        plan=Plan(empty, empty, empty, empty, assignments, unmet),
    )


# --------------------------------------------------------------------------------------
# Tables


def test_zone_kpis_last_period_by_hand():
    kpis = maps.zone_kpis(tiny_results(), ZONES)
    assert list(kpis.index) == ["z1", "z2"]
    z2 = kpis.loc["z2"]
    assert z2["period"] == 2030
    assert z2["gemeente"] == "Testdorp"
    assert z2["gp_travel_time_before_min"] == 1.0
    assert z2["gp_travel_time_after_min"] == 3.0
    assert z2["gp_unmet_persons"] == 10.0
    assert z2["school_travel_time_after_min"] == 6.0
    assert z2["demand_persons"] == 200.0
    assert z2["unmet_persons"] == 10.0
    earlier = maps.zone_kpis(tiny_results(), ZONES.reset_index(), period=2025)
    assert earlier.loc["z2", "school_travel_time_after_min"] == 3.0


def test_site_decisions_and_allocation():
    table = maps.site_decisions(tiny_results(), SITES.reset_index())
    assert table.loc["s2", "action"] == "close"
    assert table.loc["s3", "lat"] == 52.01
    alloc = maps.allocation_table(tiny_results())
    assert alloc.set_index(["zone", "site"])["persons"].to_dict() == {
        ("z1", "s1"): 100.0,
        ("z1", "s3"): 200.0,
        ("z2", "s1"): 50.0,
        ("z2", "s3"): 140.0,
    }


def test_missing_site_coordinates_are_named():
    with pytest.raises(InputDataError, match=r"\(sites\) \| no row for s3\. Pass the sites"):
        maps.site_decisions(tiny_results(), SITES.drop(index="s3"))
    broken = SITES.copy()
    broken.loc["s1", "lon"] = np.nan
    with pytest.raises(InputDataError, match=r"no valid lon/lat for s1"):
        maps.write_png_map(tiny_results(), broken, ZONES, Path("unused.png"))


def test_missing_zone_coordinates_and_columns():
    with pytest.raises(InputDataError, match=r"\(zones\) \| no row for z2"):
        maps.zone_kpis(tiny_results(), ZONES.drop(index="z2"))
    with pytest.raises(InputDataError, match=r"\(zones\) \| missing column\(s\) \['lat'\]"):
        maps.zone_kpis(tiny_results(), ZONES.drop(columns="lat"))
    with pytest.raises(InputDataError, match=r"needs an index or column named 'site'"):
        maps.site_decisions(tiny_results(), SITES.reset_index(drop=True))


def test_unknown_period_and_language():
    with pytest.raises(InputDataError, match=r"no rows for period 2040; the run's periods"):
        maps.zone_kpis(tiny_results(), ZONES, period=2040)
    with pytest.raises(ValueError, match="language must be 'nl' or 'en'"):
        webmap.write_html_map(tiny_results(), SITES, ZONES, Path("x.html"), language="de")


# --------------------------------------------------------------------------------------
# Reading coordinates from a results folder


def test_read_points_from_results_folder(tmp_path):
    write_csv(SITES, tmp_path / "sites.csv", dutch_excel=True)
    write_csv(ZONES, tmp_path / "zones_points.csv", dutch_excel=True)
    (tmp_path / "run.json").write_text('{"csv_format": "dutch_excel"}', encoding="utf-8")
    sites, zones = report.read_points(tmp_path)
    assert sites.loc["s3", "lat"] == 52.01
    assert zones.loc["z2", "gemeente"] == "Testdorp"
    assert zones.index.name == "zone"


def test_read_points_errors(tmp_path):
    with pytest.raises(InputDataError, match=r"sites\.csv\) \| sites\.csv not found.*Rerun"):
        report.read_points(tmp_path)
    write_csv(SITES, tmp_path / "sites.csv")
    with pytest.raises(InputDataError, match=r"zones_points\.csv not found"):
        report.read_points(tmp_path)
    write_csv(ZONES.drop(columns="lon"), tmp_path / "zones_points.csv")
    with pytest.raises(
        InputDataError, match=r"zones_points\.csv\) \| missing column\(s\) \['lon'\]"
    ):
        report.read_points(tmp_path)
    (tmp_path / "run.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"run\.json\) \| not valid JSON"):
        report.read_points(tmp_path)


# --------------------------------------------------------------------------------------
# GeoPackage and PNG


def test_geopackage_layers(tmp_path):
    path = maps.write_geopackage(tiny_results(), SITES, ZONES, tmp_path / "plan.gpkg")
    zones = gpd.read_file(path, layer="zones")
    sites = gpd.read_file(path, layer="sites")
    lines = gpd.read_file(path, layer="allocation_lines")
    assert zones.crs.to_epsg() == 4326
    assert sites.crs.to_epsg() == 4326
    assert len(zones) == 2
    assert len(sites) == 3
    assert len(lines) == 8
    z2 = zones.set_index("zone").loc["z2"]
    assert z2["gp_unmet_persons"] == 10.0
    assert z2["gp_travel_time_after_min"] == 3.0
    s = sites.set_index("site")
    assert s.loc["s2", "action"] == "close"
    assert s.loc["s2", "period"] == 2030
    assert pd.isna(s.loc["s1", "period"])
    assert s.loc["s3", "capex_eur"] == 1_000_000.0
    assert s.loc["s3", "services_after"] == "gp+school"
    assert s.loc["s3"].geometry.x == pytest.approx(4.31)
    line = lines[(lines["zone"] == "z2") & (lines["site"] == "s3") & (lines["period"] == 2030)]
    assert line["persons"].item() == 140.0
    assert list(line.geometry.item().coords) == [(4.32, 52.005), (4.31, 52.01)]
    # Rewriting replaces the file and leaves no temporary files.
    maps.write_geopackage(tiny_results(), SITES, ZONES, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.gpkg"]


def _pixels_near(rgb: np.ndarray, colour: str, tol: float = 0.06) -> int:
    target = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(rgb[..., :3] - target) < tol).all(axis=-1).sum())


def test_png_map_draws_markers_by_action(tmp_path):
    path = maps.write_png_map(tiny_results(), SITES, ZONES, tmp_path / "plan.png", dpi=60)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rgb = mpimg.imread(path)
    assert rgb.shape[:2] == (498, 702)
    for action in ("keep", "close", "new"):
        assert _pixels_near(rgb, plotting.ACTION_COLOURS[action]) > 10, action
    assert _pixels_near(rgb, plotting.ACTION_COLOURS["mfa"]) == 0
    english = maps.write_png_map(
        tiny_results(), SITES, ZONES, tmp_path / "en.png", dpi=40, language="en", title="T"
    )
    assert english.is_file()


# --------------------------------------------------------------------------------------
# HTML


def test_html_map_is_self_contained_and_escaped(tmp_path):
    path = webmap.write_html_map(tiny_results(), SITES, ZONES, tmp_path / "plan.html")
    page = path.read_text(encoding="utf-8")
    assert page.count('class="facility-marker"') == 3
    assert 'data-site="s2" data-action="close" data-year="2030"' in page
    assert 'data-site="s3" data-action="new" data-year="2025" data-capex-eur="1000000"' in page
    assert "Kavel &lt;C&gt; &amp; co" in page
    assert "<C>" not in page
    # No external resource: no src/href attribute, no url(), no @import.
    assert not re.search(r"\b(src|href)\s*=", page)
    assert "url(" not in page
    assert "@import" not in page
    assert "€ 1.000.000" in page


def test_online_map_over_osm_tiles(tmp_path):
    from voorzieningen import onlinemap

    path = onlinemap.write_online_map(
        tiny_results(), SITES, ZONES, tmp_path / "plan_online.html", language="nl"
    )
    page = path.read_text(encoding="utf-8")
    assert onlinemap.OSM_TILES in page
    assert "openstreetmap.org/copyright" in page  # the attribution OSM's tile policy asks for
    # three sites (popups) and two zones (tooltips only): 5 circle markers, 3 popups
    assert page.count("L.circleMarker(") == 5
    assert page.count("L.popup(") == 3
    assert "Kavel &lt;C&gt; &amp; co" in page
    assert "Kavel <C>" not in page
    assert "nieuwbouw" in page
    assert "investering € 1.000.000" in page
    assert plotting.ACTION_COLOURS["close"] in page  # GP B closes
    assert "Plan tiny: voorzieningen tot 2030 (online kaart)" in page


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def chromium() -> str:
    found = _chromium()
    if found is None:
        msg = "chromium not installed (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return found


def _run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        # Any network request fails, so the page must draw from the file alone.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
    ]
    return subprocess.run(
        [binary, *flags, *args], capture_output=True, text=True, timeout=90, check=False
    )


def test_html_map_renders_offline_in_chromium(tmp_path, chromium):
    page = webmap.write_html_map(tiny_results(), SITES, ZONES, tmp_path / "plan.html")
    url = page.resolve().as_uri()
    dom = _run_chromium(chromium, tmp_path / "profile", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    markers = re.findall(r'<g class="facility-marker"[^>]*data-action="([a-z_]+)"', dom.stdout)
    assert sorted(markers) == ["close", "keep", "new"]
    shot = tmp_path / "shot.png"
    result = _run_chromium(
        chromium, tmp_path / "profile", "--window-size=1200,900", f"--screenshot={shot}", url
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rgb = mpimg.imread(shot)
    assert rgb.shape[:2] == (900, 1200)
    # The map background is drawn, and each action's marker colour appears on it.
    assert _pixels_near(rgb, plotting.HTML_BACKGROUND, tol=0.02) > 100_000
    for action in ("keep", "close", "new"):
        assert _pixels_near(rgb, plotting.ACTION_COLOURS[action], tol=0.04) > 30, action
    assert _pixels_near(rgb, plotting.ACTION_COLOURS["renovate"], tol=0.04) == 0


# --------------------------------------------------------------------------------------
# Readable maps: background, service markers, labels that do not overlap


def crowded() -> tuple[Results, pd.DataFrame, pd.DataFrame]:
    """Eight changed sites within about 300 m of each other, around two zones."""
    base = tiny_results()
    n = 8
    names = [f"Gebouw nummer {k} met een lange naam" for k in range(n)]
    actions = ["convert", "close", "renovate", "mfa", "new", "convert", "close", "renovate"]
    sites = pd.DataFrame(
        {
            "site": [f"c{k}" for k in range(n)],
            "name": names,
            "service": ["school", "gp", "community_hall", "school", "", "gp", "school", "gp"],
            "lon": [4.310 + 0.0012 * (k % 4) for k in range(n)],
            "lat": [52.005 + 0.0010 * (k // 4) for k in range(n)],
        }
    ).set_index("site")
    decisions = pd.DataFrame(
        {
            "site": sites.index,
            "name": names,
            "kind": "existing",
            "service": sites["service"].to_numpy(),
            "action": actions,
            "period": pd.array([2025 + 5 * (k % 2) for k in range(n)], dtype="Int64"),
            "services_after": [
                "gp",
                "",
                "community_hall",
                "gp+school",
                "school",
                "community_hall",
                "",
                "gp",
            ],
            "capex_eur": 100_000.0,
            "proceeds_eur": 0.0,
        }
    )
    assignments = base.plan.assignments.replace({"s1": "c0", "s2": "c1", "s3": "c3"})
    results = Results(
        scenario_name="druk",
        decisions=decisions,
        zones=base.zones,
        capacity=base.capacity,
        costs=base.costs,
        summary=base.summary,
        plan=Plan(*[pd.DataFrame()] * 4, assignments, base.plan.unmet),
    )
    return results, sites, ZONES


def _overlapping(boxes: list[tuple[float, float, float, float]]) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i][0] < boxes[j][2]
        and boxes[j][0] < boxes[i][2]
        and boxes[i][1] < boxes[j][3]
        and boxes[j][1] < boxes[i][3]
    ]


def test_png_labels_do_not_overlap_and_legends_name_services_and_actions():
    results, sites, zones = crowded()
    fig = maps.plan_figure(results, sites, zones, dpi=80)
    renderer = plotting.renderer_of(fig)
    labels = [t for t in fig.axes[0].texts if t.get_gid() == "site-label"]
    assert len(labels) == 8
    boxes = [tuple(plotting.text_box(t, renderer).extents) for t in labels]
    assert _overlapping(boxes) == []
    frame = fig.axes[0].get_window_extent(renderer)
    for x0, y0, x1, y1 in boxes:
        assert frame.x0 <= x0
        assert x1 <= frame.x1
        assert frame.y0 <= y0
        assert y1 <= frame.y1
    texts = [t.get_text() for t in labels]
    # "ombouwen" says into what; the community service has a neutral name.
    assert any("ombouwen tot huisartsenpraktijk 2025" in t for t in texts)
    assert any("ombouwen tot ontmoetingscentrum 2030" in t for t in texts)
    assert any("MFA: huisartsenpraktijk + basisschool" in t for t in texts)
    assert not any("dorpshuis" in t for t in texts)
    legend_texts = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert "ombouwen (2)" in legend_texts
    assert "sluiten (2)" in legend_texts
    assert {"basisschool", "huisartsenpraktijk", "ontmoetingscentrum"} <= set(legend_texts)
    assert "meerdere functies (MFA)" in legend_texts
    # One number format: decimal commas in the Dutch subtitle.
    assert "gem. reistijd huisartsenpraktijk 3,5 min" in fig.get_suptitle()
    # Without a background: approximate zone cells, and the map says so.
    notes = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "wijkgrenzen benaderd" in notes


def test_number_and_phrases_by_hand():
    assert plotting.number(1234.56, 1, "nl") == "1.234,6"
    assert plotting.number(1234.56, 1, "en") == "1,234.6"
    assert plotting.minutes(4.75, "nl") == "4,8 min"
    assert plotting.minutes(None, "nl") == "–"
    assert (
        plotting.action_phrase("convert", "gp", 2030, "nl")
        == "ombouwen tot huisartsenpraktijk 2030"
    )
    assert plotting.action_phrase("convert", "gp", 2030, "en") == "convert into GP practice 2030"
    assert plotting.action_phrase("close", "", 2035, "nl") == "sluiten 2035"
    assert plotting.site_service("close", "gp", "") == "gp"
    assert plotting.site_service("mfa", "school", "gp+school") == "multi"
    assert plotting.site_service("not_built", "", "") == "none"


def test_zone_cells_pc4_where_found_else_voronoi(tmp_path):
    from shapely.geometry import Point

    zones = ZONES.copy()
    cells, source = basemap.zone_cells(zones)
    assert source == "voronoi"
    projected = cells.to_crs("EPSG:28992")
    points = gpd.GeoSeries(gpd.points_from_xy(zones["lon"], zones["lat"]), crs=4326).to_crs(28992)
    for k, zone in enumerate(zones.index):
        assert projected.geometry[zone].contains(points.iloc[k])
    assert projected.geometry["z1"].intersection(projected.geometry["z2"]).area < 1.0
    square = gpd.GeoDataFrame(
        {"postcode": [9999]}, geometry=[Point(4.30, 52.005).buffer(0.002)], crs=4326
    )
    polygons = tmp_path / "pc4.geojson"
    square.assign(postcode=["z1"]).to_file(polygons, driver="GeoJSON")
    mixed, source = basemap.zone_cells(zones, polygons)
    assert source == "mixed"
    assert mixed.geometry["z1"].equals_exact(square.geometry[0], 1e-9)
    square.to_file(polygons, driver="GeoJSON")  # postcode 9999: no zone found
    assert basemap.zone_cells(zones, polygons)[1] == "voronoi"


def test_road_lines_once_per_street_and_estimate_has_none():
    import networkx as nx

    graph = nx.MultiDiGraph()
    graph.add_node(1, x=4.30, y=52.0)
    graph.add_node(2, x=4.31, y=52.0)
    graph.add_node(3, x=4.31, y=52.01)
    graph.add_edge(1, 2, highway="primary")
    graph.add_edge(2, 1, highway="primary")
    graph.add_edge(2, 3, highway=["residential", "service"])
    lines = basemap.road_lines(graph)
    assert len(lines) == 2
    assert sorted(lines["major"].tolist()) == [False, True]
    layers = basemap.background_for(
        ZONES, {"settings": {"network": {"method": "estimate"}, "zones": {"source": "csv"}}}
    )
    assert layers.road_source == "estimate"
    assert layers.roads is None
    assert plotting.background_notes(layers, "nl")[1].startswith("reistijden geschat")
    missing = basemap.background_for(
        ZONES, {"settings": {"network": {}}, "inputs": {"network": {"path": "/no/such.graphml"}}}
    )
    assert missing.road_source == "missing"


def test_html_map_labels_do_not_overlap_in_chromium(tmp_path, chromium):
    results, sites, zones = crowded()
    page = webmap.write_html_map(results, sites, zones, tmp_path / "plan.html")
    source = page.read_text(encoding="utf-8")
    assert "dorpshuis" not in source
    assert "ombouwen tot huisartsenpraktijk" in source
    # No label text smaller than 14 px-equivalent SVG units, and no 10 px text anywhere.
    assert "font-size: 10px" not in source
    assert webmap.LABEL_FONT >= 14
    url = page.resolve().as_uri()
    dom = _run_chromium(chromium, tmp_path / "profile", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    boxes = [
        tuple(float(v) for v in m.split())
        for m in re.findall(r'class="site-label"[^>]*data-bbox="([^"]+)"', dom.stdout)
    ]
    assert len(boxes) == 8
    assert all(b[2] - b[0] > 50 for b in boxes)  # measured, not empty
    assert _overlapping(boxes) == []
    services = re.findall(r'data-service="([a-z_]+)"', dom.stdout)
    assert {"school", "gp", "community_hall", "multi"} <= set(services)
    assert "besluit" in dom.stdout
    assert "functie" in dom.stdout
    shot = tmp_path / "shot.png"
    result = _run_chromium(
        chromium, tmp_path / "profile", "--window-size=1200,900", f"--screenshot={shot}", url
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rgb = mpimg.imread(shot)
    for action in ("convert", "close", "renovate", "mfa", "new"):
        assert _pixels_near(rgb, plotting.ACTION_COLOURS[action], tol=0.04) > 30, action
