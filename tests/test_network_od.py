"""Travel times on hand-built graphs (known answers), snapping limits, cutoffs, caching."""

from __future__ import annotations

import math
import re
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from voorzieningen.errors import InputDataError, NetworkError
from voorzieningen.network import (
    TravelTimes,
    clear_cache,
    load_network,
    shortest_path_matrix,
    travel_times,
)
from voorzieningen.schemas.network import NetworkSettings

LAT = 52.0
R = 6_371_009.0
M_PER_DEG_LAT = R * math.pi / 180


def hav(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * R * math.asin(math.sqrt(h))


COORDS = {
    "A": (5.00, LAT),
    "B": (5.01, LAT),
    "C": (5.02, LAT),
    "F": (5.01, LAT - 0.01),
    "D": (5.00, LAT + 0.05),  # island
    "E": (5.01, LAT + 0.05),
}
L_AB = hav(*COORDS["A"], *COORDS["B"])  # 684.585 m
SPEED = 10.0  # m/s = 36 km/h
WALK_ADULT = 4.8 / 3.6


def line_graph() -> nx.MultiDiGraph:
    """A-B two-way, B->C one-way, B-F two-way; island D-E. All at 36 km/h."""
    g = nx.MultiDiGraph(crs="epsg:4326", mode="car", speed_imputed_share=0.25)
    for n, (x, y) in COORDS.items():
        g.add_node(n, x=x, y=y)
    for u, v in [
        ("A", "B"),
        ("B", "A"),
        ("B", "C"),
        ("B", "F"),
        ("F", "B"),
        ("D", "E"),
        ("E", "D"),
    ]:
        length = hav(*COORDS[u], *COORDS[v])
        g.add_edge(u, v, length=length, travel_time=length / SPEED, speed_kph=36.0)
    return g


def pts(name: str, **points: tuple[float, float]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"lon": [p[0] for p in points.values()], "lat": [p[1] for p in points.values()]},
        index=pd.Index(list(points), name=name),
    )
    return frame


def settings(**kw: object) -> NetworkSettings:
    return NetworkSettings(source="hand", **kw)  # type: ignore[arg-type]


def on_ab(frac: float, north_m: float = 0.0) -> tuple[float, float]:
    return (5.00 + 0.01 * frac, LAT + north_m / M_PER_DEG_LAT)


def on_bc(frac: float) -> tuple[float, float]:
    return (5.01 + 0.01 * frac, LAT)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


def test_node_to_node_known_answer_and_columns() -> None:
    tt = travel_times(
        line_graph(), pts("zone", z1=COORDS["A"]), pts("site", s1=COORDS["C"]), settings=settings()
    )
    assert isinstance(tt, TravelTimes)
    assert list(tt.table.columns) == ["zone", "site", "mode", "travel_time_min", "distance_km"]
    assert isinstance(tt.table.index, pd.RangeIndex)
    row = tt.table.iloc[0]
    assert (row["zone"], row["site"], row["mode"]) == ("z1", "s1", "car")
    assert row["travel_time_min"] == pytest.approx(2 * L_AB / SPEED / 60, rel=1e-6)
    assert row["distance_km"] == pytest.approx(2 * L_AB / 1000, rel=1e-6)
    assert tt.reachability.empty
    assert tt.speed_imputed_share == 0.25


def test_oneway_direction_is_home_to_facility() -> None:
    # zone at C (only reachable, never left, by the one-way B->C), site at A
    tt = travel_times(
        line_graph(), pts("zone", z1=COORDS["C"]), pts("site", s1=COORDS["A"]), settings=settings()
    )
    assert tt.table.empty
    assert tt.reachability.to_dict("records") == [
        {
            "point_kind": "zone",
            "id": "z1",
            "issue": "no_site_reachable",
            "detail": "no site can be reached by car at any travel time: the zone's road is "
            "cut off from every site (a disconnected piece of road, or one-way streets that "
            "lead nowhere), so raising network.cutoff_min does not help; check the network "
            "extract and one-way streets around the zone, or add a site it can reach",
        }
    ]


def test_same_oneway_road_cannot_go_backwards_but_forwards() -> None:
    zones = pts("zone", back=on_bc(0.75), fwd=on_bc(0.25))
    sites = pts("site", s=on_bc(0.5))
    tt = travel_times(line_graph(), zones, sites, settings=settings())
    assert tt.table["zone"].tolist() == ["fwd"]
    assert tt.table["travel_time_min"].iloc[0] == pytest.approx(0.25 * L_AB / SPEED / 60, rel=1e-3)
    assert tt.reachability["id"].tolist() == ["back"]


def test_same_two_way_road_direct_both_directions() -> None:
    zones = pts("zone", z1=on_ab(0.25), z2=on_ab(0.75))
    sites = pts("site", s1=on_ab(0.5))
    tt = travel_times(line_graph(), zones, sites, settings=settings())
    expected = 0.25 * L_AB / SPEED / 60
    assert tt.table["travel_time_min"].to_numpy() == pytest.approx([expected, expected], rel=1e-3)


def test_snap_to_edge_with_walked_access_leg() -> None:
    # zone 100 m north of the middle of A-B: walk 100 m (adult), drive half of A-B, then B-C
    zones = pts("zone", z=on_ab(0.5, north_m=100.0))
    tt = travel_times(line_graph(), zones, pts("site", s=COORDS["C"]), settings=settings())
    expected_s = 100.0 / WALK_ADULT + 0.5 * L_AB / SPEED + L_AB / SPEED
    assert tt.table["travel_time_min"].iloc[0] == pytest.approx(expected_s / 60, rel=1e-3)
    assert tt.table["distance_km"].iloc[0] == pytest.approx((100 + 1.5 * L_AB) / 1000, rel=1e-3)
    point = tt.points.set_index("id").loc["z"]
    assert point["snap_distance_m"] == pytest.approx(100.0, rel=1e-3)
    assert point["fraction"] == pytest.approx(0.5, abs=1e-3)
    assert point["snap_lat"] == pytest.approx(LAT, abs=1e-6)
    assert point["access_time_min"] == pytest.approx(100.0 / WALK_ADULT / 60, rel=1e-3)


def test_access_speed_override_and_elderly_walkers() -> None:
    zones = pts("zone", z=on_ab(0.5, north_m=100.0))
    sites = pts("site", s=COORDS["C"])
    network_s = 1.5 * L_AB / SPEED
    fast = travel_times(line_graph(), zones, sites, settings=settings(access_speed_kph=36.0))
    assert fast.table["travel_time_min"].iloc[0] == pytest.approx((10 + network_s) / 60, rel=1e-3)
    old = travel_times(line_graph(), zones, sites, settings=settings(age_group="elderly"))
    assert old.table["travel_time_min"].iloc[0] == pytest.approx(
        (100 / (3.2 / 3.6) + network_s) / 60, rel=1e-3
    )


def test_max_snap_distance_reports_instead_of_snapping() -> None:
    zones = pts("zone", far=on_ab(0.0, north_m=1500.0), near=on_ab(0.0, north_m=900.0))
    sites = pts("site", s=COORDS["C"])
    tt = travel_times(line_graph(), zones, sites, settings=settings(max_snap_m=1000))
    assert tt.table["zone"].tolist() == ["near"]
    rep = tt.reachability.set_index("id")
    assert rep.loc["far", "issue"] == "not_snapped"
    assert "beyond max_snap_m=1000 m" in rep.loc["far", "detail"]
    assert re.search(r"is 150[01] m away", rep.loc["far", "detail"])
    points = tt.points.set_index("id")
    assert not points.loc["far", "snapped"]
    assert np.isnan(points.loc["far", "snap_distance_m"])
    wide = travel_times(line_graph(), zones, sites, settings=settings(max_snap_m=2000))
    assert sorted(wide.table["zone"]) == ["far", "near"]


def test_cutoff_drops_pairs_and_reports_zone() -> None:
    zones = pts("zone", a=COORDS["A"], b=COORDS["B"])
    sites = pts("site", c=COORDS["C"])
    tt = travel_times(line_graph(), zones, sites, settings=settings(cutoff_min=2.0))
    # A->C takes 2.28 min (> 2), B->C 1.14 min
    assert tt.table["zone"].tolist() == ["b"]
    assert tt.reachability[["id", "issue"]].values.tolist() == [["a", "no_site_within_cutoff"]]
    # a cutoff problem: the advice names the nearest site's time and the cutoff that helps
    assert tt.reachability["detail"].iloc[0].endswith(
        "the nearest is 2.3 min away: raise network.cutoff_min to at least 3 or add a site nearby"
    )
    assert np.isfinite(tt.table["travel_time_min"]).all()


def test_island_points_snap_to_main_network_or_are_reported() -> None:
    zones = pts("zone", isl=(5.005, LAT + 0.05 + 10 / M_PER_DEG_LAT))
    sites = pts("site", s=COORDS["C"])
    near = travel_times(line_graph(), zones, sites, settings=settings(max_snap_m=1000))
    assert near.table.empty
    rep = near.reachability.set_index("id")
    assert rep.loc["isl", "issue"] == "island"
    assert "disconnected part of the network with 2 nodes" in rep.loc["isl", "detail"]
    assert "not snapped" in rep.loc["isl", "detail"]
    far = travel_times(
        line_graph(), zones, sites, settings=settings(max_snap_m=10_000, cutoff_min=120)
    )
    assert far.table["zone"].tolist() == ["isl"]
    assert "snapped to the main network instead" in far.reachability["detail"].iloc[0]
    kept = travel_times(
        line_graph(), zones, sites, settings=settings(snap_to_largest_component=False)
    )
    assert kept.table.empty
    # on a disconnected piece of road no cutoff helps: the advice says so
    assert kept.reachability["issue"].tolist() == ["island", "no_site_reachable"]
    detail = kept.reachability["detail"].iloc[1]
    assert "raising network.cutoff_min does not help" in detail
    assert "network.snap_to_largest_component = true" in detail
    assert "raise network.cutoff_min" not in detail


def test_many_zones_few_sites_searches_reversed_graph_same_answer() -> None:
    rng = np.random.default_rng(1)
    lon = 5.0 + rng.random(12) * 0.02
    lat = LAT + (rng.random(12) - 0.5) * 0.004
    zones = pd.DataFrame({"lon": lon, "lat": lat}, index=pd.Index([f"z{i}" for i in range(12)]))
    sites = pd.DataFrame({"lon": lon[:3], "lat": lat[:3]}, index=pd.Index(["s0", "s1", "s2"]))
    few_sites = travel_times(line_graph(), zones, sites, settings=settings())
    assert few_sites.meta["search"] == "from sites on the reversed graph"
    # same pairs computed the other way round (zones <= sites) must agree
    many_sites = travel_times(line_graph(), zones.iloc[:3], zones, settings=settings())
    assert many_sites.meta["search"] == "from zones"
    a = few_sites.table[few_sites.table["zone"].isin(["z0", "z1", "z2"])]
    a = a.set_index(["zone", "site"]).sort_index()
    b = many_sites.table.assign(site=many_sites.table["site"].str.replace("z", "s"))
    b = b[b["site"].isin(["s0", "s1", "s2"])].set_index(["zone", "site"]).sort_index()
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)


def test_memory_and_disk_cache(tmp_path: Path) -> None:
    g = line_graph()
    zones = pts("zone", z1=COORDS["A"])
    sites = pts("site", s1=COORDS["C"])
    first = travel_times(g, zones, sites, settings=settings(), cache_dir=tmp_path)
    assert travel_times(g, zones, sites, settings=settings()) is first
    clear_cache()
    again = travel_times(g, zones, sites, settings=settings(), cache_dir=tmp_path)
    assert again is not first
    assert "from_cache" in again.meta
    pd.testing.assert_frame_equal(again.table, first.table)
    assert again.cache_key == first.cache_key
    other = travel_times(g, zones, sites, settings=settings(cutoff_min=30))
    assert other.cache_key != first.cache_key


def test_empty_points_give_empty_tables() -> None:
    empty = pd.DataFrame({"lon": [], "lat": []}, index=pd.Index([], name="zone"))
    tt = travel_times(line_graph(), empty, pts("site", s=COORDS["C"]), settings=settings())
    assert tt.table.empty
    assert list(tt.table.columns) == ["zone", "site", "mode", "travel_time_min", "distance_km"]


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (pd.DataFrame({"lon": [5.0]}, index=["z"]), r"\(origins\) \| columns \['lat'\] missing"),
        (
            pd.DataFrame({"lon": [5.0, 5.0], "lat": [52.0, 52.0]}, index=["z", "z"]),
            "duplicate zone ids: z",
        ),
        (
            pd.DataFrame({"lon": [np.nan], "lat": [52.0]}, index=["z"]),
            "missing or non-numeric lon/lat for z",
        ),
        (
            pd.DataFrame({"lon": [85000.0], "lat": [445000.0]}, index=["z"]),
            "not RD metres",
        ),
    ],
)
def test_bad_points_raise(frame: pd.DataFrame, match: str) -> None:
    with pytest.raises(InputDataError, match=match):
        travel_times(line_graph(), frame, pts("site", s=COORDS["C"]), settings=settings())


def test_points_must_be_dataframe() -> None:
    with pytest.raises(InputDataError, match="origins must be a DataFrame indexed by zone"):
        travel_times(line_graph(), [1, 2], pts("site", s=COORDS["C"]), settings=settings())  # type: ignore[arg-type]


def test_graph_errors() -> None:
    zones, sites = pts("zone", z=COORDS["A"]), pts("site", s=COORDS["C"])
    with pytest.raises(NetworkError, match="the road network has no edges"):
        travel_times(nx.MultiDiGraph(), zones, sites, settings=settings())
    g = nx.MultiDiGraph()
    g.add_node(1, x=5.0, y=52.0)
    g.add_node(2, x=5.01, y=52.0)
    g.add_edge(1, 2, length=10.0)
    with pytest.raises(NetworkError, match="no edge attribute travel_time; load it with"):
        travel_times(g, zones, sites, settings=settings())
    g[1][2][0]["travel_time"] = -1.0
    with pytest.raises(NetworkError, match="must be finite and non-negative; reload"):
        travel_times(g, zones, sites, settings=settings())
    with pytest.raises(NetworkError, match=r"nodes \[99\] are not in the graph"):
        shortest_path_matrix(line_graph(), [99], ["A"])


def test_shortest_path_matrix_matches_networkx() -> None:
    g = line_graph()
    skim = shortest_path_matrix(g, weight="length")
    for source in g.nodes:
        ref = nx.single_source_dijkstra_path_length(g, source, weight="length")
        for target in g.nodes:
            if target in ref:
                assert skim.loc[source, target] == pytest.approx(ref[target], abs=1e-9)
            else:
                assert np.isnan(skim.loc[source, target])


def test_nootdorp_lengths_equal_published_skim(data_dir: Path) -> None:
    osm = data_dir / "osm"
    g = load_network(osm / "nl_nootdorp_drive.graphml", settings=NetworkSettings(source="nootdorp"))
    ours = shortest_path_matrix(g, weight="length")
    skim = pd.read_csv(osm / "nl_nootdorp_drive_skim.csv", index_col=0)
    skim.columns = skim.columns.astype(np.int64)
    skim.index = skim.index.astype(np.int64)
    assert skim.shape == (533, 533)
    assert set(skim.index) == set(ours.index)
    ours = ours.loc[skim.index, skim.columns]  # index by node id: orders differ
    diff = ours.to_numpy() - skim.to_numpy()
    assert np.isfinite(diff).all()
    # the skim truncates metres to int: 0 <= ours - skim < 1 for every pair
    assert diff.min() >= -1e-9
    assert diff.max() < 1.0


@pytest.fixture(scope="module")
def delft(data_dir: Path) -> tuple[nx.MultiDiGraph, pd.DataFrame, pd.DataFrame]:
    s = NetworkSettings(source="osm/nl_delft_drive.graphml")
    g = load_network(data_dir / "osm" / "nl_delft_drive.graphml", settings=s)
    pc = pd.read_csv(data_dir / "cbs" / "cbs_pc4_centroids_2020_nl.csv")
    pc = pc[pc["gemeente"] == "Delft"]
    zones = pd.DataFrame(
        {"lon": pc["centroid_lon"].to_numpy(), "lat": pc["centroid_lat"].to_numpy()},
        index=pd.Index(pc["postcode"].astype(str), name="zone"),
    )
    sc = pd.read_csv(data_dir / "cbs" / "duo_schoolvestigingen_20241122_nl.csv")
    sc = sc[sc["gemeente"].str.upper() == "DELFT"]
    sites = pd.DataFrame(
        {"lon": sc["lon"].to_numpy(), "lat": sc["lat"].to_numpy()},
        index=pd.Index(sc["vestigingscode"].astype(str), name="site"),
    )
    return g, zones, sites


def test_delft_demo(delft: tuple[nx.MultiDiGraph, pd.DataFrame, pd.DataFrame]) -> None:
    g, zones, sites = delft
    assert len(zones) == 13
    assert len(sites) == 45
    tt = travel_times(g, zones, sites, settings=NetworkSettings(source="delft", cutoff_min=15))
    assert tt.reachability.empty
    assert set(tt.table["zone"]) == set(zones.index)
    assert tt.table["travel_time_min"].between(0, 15).all()
    assert tt.table["mode"].eq("car").all()
    assert tt.points["snapped"].all()
    assert tt.points["snap_distance_m"].max() < 400


def test_delft_points_on_nodes_match_networkx(
    delft: tuple[nx.MultiDiGraph, pd.DataFrame, pd.DataFrame],
) -> None:
    g = delft[0]
    rng = np.random.default_rng(7)
    nodes = list(g.nodes)
    picks = [nodes[i] for i in rng.choice(len(nodes), 12, replace=False)]
    frame = pd.DataFrame(
        {"lon": [g.nodes[n]["x"] for n in picks], "lat": [g.nodes[n]["y"] for n in picks]},
        index=pd.Index([str(n) for n in picks]),
    )
    s = NetworkSettings(source="delft", cutoff_min=120)
    tt = travel_times(g, frame.iloc[:6], frame.iloc[6:], settings=s)
    got = tt.table.set_index(["zone", "site"])["travel_time_min"]
    checked = 0
    for o in picks[:6]:
        ref = nx.single_source_dijkstra_path_length(g, o, weight="travel_time")
        for d in picks[6:]:
            if d in ref:
                assert got.loc[(str(o), str(d))] == pytest.approx(ref[d] / 60, abs=1e-6)
                checked += 1
            else:
                assert (str(o), str(d)) not in got.index
    assert checked >= 20
