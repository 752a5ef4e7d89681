"""Loading road networks: every shared file, mode filters, speeds, caching, error paths."""

from __future__ import annotations

import shutil
from pathlib import Path

import networkx as nx
import osmnx as ox
import pytest
from pydantic import ValidationError
from shapely.geometry import box

from voorzieningen.errors import NetworkError, VoorzieningenWarning
from voorzieningen.network import load_network
from voorzieningen.network.speeds import (
    car_speed,
    parse_maxspeed,
    speed_table,
    way_allowed,
    way_direction,
)
from voorzieningen.schemas.network import NetworkSettings

TINY = Path(__file__).parent / "data" / "network"


def car(**kw: object) -> NetworkSettings:
    return NetworkSettings(source="x", **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- every shared file
# (file, mode, nodes, edges, warns): counts measured after mode filtering and osmnx
# simplification, all components kept.
FILES = [
    ("nl_heemserveen_jachthuisweg.osm", "car", 9, 14, False),
    ("nl_heemserveen_jachthuisweg.osm.pbf", "car", 9, 14, False),
    ("be_wechelderzande.osm.pbf", "car", 163, 394, True),
    ("be_wechelderzande_refcomplete.osm.bz2", "car", 163, 394, False),
    ("de_hoyerswerda.osm.pbf", "car", 178, 358, False),
    ("de_hoyerswerda.osm.bz2", "car", 178, 358, False),
    ("de_north_bayreuth.osm.bz2", "car", 808, 1820, False),
    ("nl_nootdorp_drive.graphml", "car", 533, 1283, False),
    ("nl_delft_drive.graphml", "car", 2153, 5023, False),
    ("nl_wageningen_campus_nwb_wegvakken.gml", "car", 205, 460, False),
    ("de_hoyerswerda.osm.pbf", "walk", 732, 2040, False),
    ("de_hoyerswerda.osm.pbf", "bicycle", 428, 1018, False),
    ("de_hoyerswerda.osm.pbf", "ebike", 428, 1018, False),
    ("nl_wageningen_campus_nwb_wegvakken.gml", "walk", 205, 494, False),
]


@pytest.mark.parametrize(("name", "mode", "nodes", "edges", "warns"), FILES)
def test_every_shared_file_loads(
    data_dir: Path, name: str, mode: str, nodes: int, edges: int, warns: bool
) -> None:
    s = car(mode=mode)
    path = data_dir / "osm" / name
    if warns:
        with pytest.warns(VoorzieningenWarning, match=r"13 car ways reference 73 nodes missing"):
            g = load_network(path, settings=s)
    else:
        g = load_network(path, settings=s)
    assert (g.number_of_nodes(), g.number_of_edges()) == (nodes, edges)
    assert g.graph["mode"] == mode
    for _, _, d in g.edges(data=True):
        assert d["length"] >= 0
        assert d["travel_time"] > 0
        assert d["speed_kph"] > 0
    lon = [d["x"] for _, d in g.nodes(data=True)]
    assert -180 <= min(lon) <= max(lon) <= 180


@pytest.mark.parametrize("name", ["li_liechtenstein_2015.osm.pbf", "li_liechtenstein_2015.osm.bz2"])
def test_liechtenstein_loads(data_dir: Path, name: str) -> None:
    g = load_network(data_dir / "osm" / name, settings=car())
    assert (g.number_of_nodes(), g.number_of_edges()) == (2610, 5930)
    assert g.graph["speed_imputed_share"] == pytest.approx(0.814, abs=1e-3)


def test_skim_csv_is_read_by_the_skim_test(data_dir: Path) -> None:
    # nl_nootdorp_drive_skim.csv is the reference of test_network_od.py; check it is there
    assert (data_dir / "osm" / "nl_nootdorp_drive_skim.csv").stat().st_size > 1_000_000


def test_graphml_walk_on_drive_graph_warns_and_is_two_way(data_dir: Path) -> None:
    with pytest.warns(VoorzieningenWarning, match="looks like a drive network"):
        g = load_network(data_dir / "osm" / "nl_nootdorp_drive.graphml", settings=car(mode="walk"))
    assert all(g.has_edge(v, u) for u, v in g.edges())
    speeds = [d["speed_kph"] for _, _, d in g.edges(data=True)]
    assert speeds == pytest.approx([4.8] * len(speeds))


def test_delft_car_drops_closed_roads_and_reports_imputed_share(data_dir: Path) -> None:
    g = load_network(data_dir / "osm" / "nl_delft_drive.graphml", settings=car())
    raw = ox.load_graphml(data_dir / "osm" / "nl_delft_drive.graphml")
    closed = sum(1 for *_, d in raw.edges(data=True) if d.get("access") == "no")
    assert raw.number_of_edges() - g.number_of_edges() == closed == 13
    assert g.graph["speed_imputed_share"] == pytest.approx(0.016, abs=1e-3)


# ---------------------------------------------------------------- hand-made extract
def test_tiny_extract_car_network_oneway_and_speeds() -> None:
    g = load_network(TINY / "tiny.osm", settings=car())
    edges = {(u, v): d for u, v, d in g.edges(data=True)}
    # 100 two-way, 101 one-way 2->3, 103 motorway implied one-way 3->5, 107 one-way 4->3;
    # 104 (parking aisle) and 105 (access=no) and 102 (footway) are not for cars
    assert set(edges) == {(1, 2), (2, 1), (2, 3), (3, 5), (4, 3)}
    assert edges[(1, 2)]["speed_kph"] == pytest.approx(50.0)  # NL:urban
    assert edges[(2, 3)]["speed_kph"] == pytest.approx(80.0)  # maxspeed=80
    assert edges[(3, 5)]["speed_kph"] == pytest.approx(100.0)  # motorway, imputed
    assert edges[(4, 3)]["speed_kph"] == pytest.approx(30.0)  # residential, imputed
    assert edges[(3, 5)]["speed_imputed"]
    assert not edges[(2, 3)]["speed_imputed"]
    assert edges[(2, 3)]["travel_time"] == pytest.approx(edges[(2, 3)]["length"] / (80 / 3.6))
    assert g.graph["speed_imputed_share"] == pytest.approx(2 / 5)


def test_tiny_extract_overrides_and_maxspeed_switch() -> None:
    g = load_network(
        TINY / "tiny.osm",
        settings=car(car_speed_kph={"residential": 20.0, "NL:urban": 40.0}),
    )
    assert g[4][3][0]["speed_kph"] == pytest.approx(20.0)
    assert g[1][2][0]["speed_kph"] == pytest.approx(40.0)
    table_only = load_network(TINY / "tiny.osm", settings=car(use_maxspeed_tags=False))
    assert table_only[2][3][0]["speed_kph"] == pytest.approx(70.0)  # primary in the NL table
    assert table_only.graph["speed_imputed_share"] == 1.0


def test_tiny_extract_bicycle_contraflow_and_walk_two_way() -> None:
    bike = load_network(TINY / "tiny.osm", settings=car(mode="bicycle"))
    # way 107 is one-way for cars but oneway:bicycle=no; primary 101 stays one-way
    assert nx.has_path(bike, 3, 2)
    assert bike.number_of_edges() == 3
    assert [d["speed_kph"] for *_, d in bike.edges(data=True)] == pytest.approx([15.0] * 3)
    walk = load_network(TINY / "tiny.osm", settings=car(mode="walk", age_group="elderly"))
    assert all(walk.has_edge(v, u) for u, v in walk.edges())
    speeds = [d["speed_kph"] for *_, d in walk.edges(data=True)]
    assert speeds == pytest.approx([3.2] * len(speeds))
    ebike = load_network(TINY / "tiny.osm", settings=car(mode="ebike"))
    speeds = [d["speed_kph"] for *_, d in ebike.edges(data=True)]
    assert speeds == pytest.approx([20.0] * len(speeds))


def test_dangling_references_are_cut_with_a_warning() -> None:
    with pytest.warns(VoorzieningenWarning, match=r"dangling.osm: 1 car ways reference 1 nodes"):
        g = load_network(TINY / "dangling.osm", settings=car())
    # way 100 (1-2-[9]) is cut before the missing node 9; simplified into one road 1-3
    assert sorted(g.nodes) == [1, 3]
    assert g.number_of_edges() == 2


# ---------------------------------------------------------------- place download + cache
def _fake_download() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(crs="epsg:4326")
    for n, x in [(1, 5.00), (2, 5.01), (3, 5.02)]:
        g.add_node(n, x=x, y=52.0)
    for u, v in [(1, 2), (2, 1), (2, 3), (3, 2)]:
        g.add_edge(u, v, osmid=10, highway="residential", oneway=False, length=684.6)
    return g


def test_place_download_is_cached_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def fake(query: str, **kw: object) -> nx.MultiDiGraph:
        calls.append(query)
        assert kw["network_type"] == "drive"
        return _fake_download()

    monkeypatch.setattr(ox, "graph_from_place", fake)
    first = load_network("Nootdorp, Netherlands", settings=car(), cache_dir=tmp_path)
    assert calls == ["Nootdorp, Netherlands"]
    assert len(list(tmp_path.glob("osmnx_drive_*.graphml"))) == 1

    def offline(query: str, **kw: object) -> nx.MultiDiGraph:
        msg = "no internet"
        raise ConnectionError(msg)

    monkeypatch.setattr(ox, "graph_from_place", offline)
    second = load_network("Nootdorp, Netherlands", settings=car(), cache_dir=tmp_path)
    assert (second.number_of_nodes(), second.number_of_edges()) == (
        first.number_of_nodes(),
        first.number_of_edges(),
    )
    with pytest.raises(NetworkError, match="cannot download the road network of 'Elders'"):
        load_network("Elders", settings=car(), cache_dir=tmp_path)


def test_polygon_download(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ox, "graph_from_polygon", lambda poly, **kw: _fake_download())
    with pytest.warns(VoorzieningenWarning, match="looks like a drive network"):
        g = load_network(box(4.9, 51.9, 5.1, 52.1), settings=car(mode="walk"), cache_dir=tmp_path)
    assert g.number_of_edges() == 2  # simplified into one two-way road


# ---------------------------------------------------------------- errors
def test_missing_file() -> None:
    with pytest.raises(NetworkError, match=r"road network file .*nope\.osm\.pbf does not exist"):
        load_network("nope.osm.pbf", settings=car())


def test_unknown_suffix(tmp_path: Path) -> None:
    f = tmp_path / "roads.txt"
    f.write_text("x")
    with pytest.raises(NetworkError, match=r"roads\.txt has an unknown type '\.txt'"):
        load_network(f, settings=car())


def test_corrupt_osm(tmp_path: Path) -> None:
    f = tmp_path / "broken.osm"
    f.write_text("<osm><node id='1' lat='x'")
    with pytest.raises(NetworkError, match=r"cannot read OSM extract .*broken\.osm"):
        load_network(f, settings=car())


def test_extract_without_roads() -> None:
    with pytest.raises(NetworkError, match=r"nohighway\.osm holds no way of the car network"):
        load_network(TINY / "nohighway.osm", settings=car())


def test_corrupt_graphml(tmp_path: Path) -> None:
    f = tmp_path / "broken.graphml"
    f.write_text("<graphml><graph")
    with pytest.raises(NetworkError, match=r"cannot read GraphML road network .*broken\.graphml"):
        load_network(f, settings=car())


def test_projected_graphml(tmp_path: Path, data_dir: Path) -> None:
    g = ox.project_graph(ox.load_graphml(data_dir / "osm" / "nl_nootdorp_drive.graphml"))
    f = tmp_path / "projected.graphml"
    ox.save_graphml(g, f)
    with pytest.raises(NetworkError, match=r"is projected .*save the unprojected graph"):
        load_network(f, settings=car())


def test_graphml_without_mode_edges(tmp_path: Path) -> None:
    g = _fake_download()
    for *_, d in g.edges(data=True):
        d["highway"] = "footway"
    f = tmp_path / "foot.graphml"
    ox.save_graphml(g, f)
    with pytest.raises(NetworkError, match="holds no edge of the car network"):
        load_network(f, settings=car())


def test_bad_nwb(tmp_path: Path, data_dir: Path) -> None:
    f = tmp_path / "roads.gml"
    shutil.copy(TINY / "nohighway.osm", f)
    with pytest.raises(NetworkError, match=r"cannot read NWB road file .*roads\.gml"):
        load_network(f, settings=car())


def test_settings_validation() -> None:
    with pytest.raises(ValidationError, match="age_group 'toddler' has no walking speed"):
        NetworkSettings(source="x", age_group="toddler")
    with pytest.raises(ValidationError, match="speeds must be positive"):
        NetworkSettings(source="x", car_speed_kph={"residential": 0})
    s = NetworkSettings(source="x")
    assert (s.mode, s.cutoff_min, s.max_snap_m) == ("car", 60.0, 1000.0)


# ---------------------------------------------------------------- tag rules
@pytest.mark.parametrize(
    ("tags", "mode", "allowed"),
    [
        ({"highway": "residential"}, "car", True),
        ({"highway": "footway"}, "car", False),
        ({"highway": "service", "service": "driveway"}, "car", False),
        ({"highway": "residential", "access": "no"}, "car", False),
        ({"highway": "residential", "access": "no", "motorcar": "yes"}, "car", True),
        ({"highway": "residential", "motor_vehicle": "private"}, "car", False),
        ({"highway": "motorway"}, "bicycle", False),
        ({"highway": "trunk", "bicycle": "yes"}, "bicycle", True),
        ({"highway": "cycleway"}, "ebike", True),
        ({"highway": "footway"}, "bicycle", False),
        ({"highway": "footway", "bicycle": "designated"}, "bicycle", True),
        ({"highway": "secondary", "bicycle": "use_sidepath"}, "bicycle", False),
        ({"highway": "footway"}, "walk", True),
        ({"highway": "motorway"}, "walk", False),
        ({"highway": "residential", "foot": "no"}, "walk", False),
        ({"highway": "residential", "area": "yes"}, "walk", False),
        ({"building": "yes"}, "walk", False),
        ({"highway": ["residential", "footway"]}, "car", True),
    ],
)
def test_way_allowed(tags: dict[str, object], mode: str, allowed: bool) -> None:
    assert way_allowed(tags, mode) is allowed  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tags", "mode", "direction"),
    [
        ({"highway": "residential"}, "car", 0),
        ({"highway": "residential", "oneway": "yes"}, "car", 1),
        ({"highway": "residential", "oneway": "-1"}, "car", -1),
        ({"highway": "primary", "junction": "roundabout"}, "car", 1),
        ({"highway": "motorway"}, "car", 1),
        ({"highway": "motorway", "oneway": "no"}, "car", 0),
        ({"highway": "residential", "oneway": "yes"}, "walk", 0),
        ({"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"}, "bicycle", 0),
        ({"highway": "residential", "oneway": "yes", "cycleway": "opposite_lane"}, "ebike", 0),
        ({"highway": "residential", "oneway": "yes"}, "bicycle", 1),
    ],
)
def test_way_direction(tags: dict[str, object], mode: str, direction: int) -> None:
    assert way_direction(tags, mode) == direction  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "kph"),
    [
        ("50", 50.0),
        ("30 mph", 48.28032),
        ("NL:rural", 80.0),
        ("NL:urban", 50.0),
        ("NL:motorway", 100.0),
        ("DE:rural", 100.0),
        ("BE-VLG:rural", 70.0),
        ("50;30", 40.0),
        (["30", "50"], 40.0),
        ("signals", None),
        ("NL:unknown", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_parse_maxspeed(value: object, kph: float | None) -> None:
    got = parse_maxspeed(value, speed_table())
    assert got == (pytest.approx(kph) if kph is not None else None)


def test_car_speed_imputation_by_class() -> None:
    table = speed_table()
    assert car_speed("residential", None, table=table) == (30.0, True)
    assert car_speed("living_street", "15", table=table) == (15.0, False)
    assert car_speed(["primary", "secondary"], None, table=table) == (65.0, True)
    assert car_speed("weird", None, table=table) == (30.0, True)
