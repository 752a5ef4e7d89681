"""Accessibility measures, PC4 disaggregation and OSM facilities, with hand-computed answers."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from voorzieningen.errors import InputDataError, NetworkError
from voorzieningen.network import (
    E2SFCA_BANDS_30MIN,
    disaggregate_zones,
    facilities_from_osm,
    gravity_access,
    nearest_facility,
    share_within,
    step_bands,
    two_step_fca,
)

TINY = Path(__file__).parent / "data" / "network"

# zones a, b, c; sites x, y. Zone c reaches nothing within the cutoff.
TABLE = pd.DataFrame(
    {
        "zone": ["a", "a", "b", "b"],
        "site": ["x", "y", "x", "y"],
        "mode": "car",
        "travel_time_min": [5.0, 15.0, 25.0, 10.0],
        "distance_km": [2.0, 6.0, 10.0, 4.0],
    }
)
DEMAND = pd.Series({"a": 100.0, "b": 300.0, "c": 50.0})
CAPACITY = pd.Series({"x": 40.0, "y": 60.0})


def test_nearest_facility_with_unreachable_zone() -> None:
    near = nearest_facility(TABLE, zones=["a", "b", "c"])
    assert near.loc["a", "site"] == "x"
    assert near.loc["a", "travel_time_min"] == 5.0
    assert near.loc["b", "site"] == "y"
    assert near.loc["b", "distance_km"] == 4.0
    assert not near.loc["c", "reachable"]
    assert np.isnan(near.loc["c", "travel_time_min"])  # never infinite
    closed_y = nearest_facility(TABLE, sites=["x"])
    assert closed_y.loc["b", "travel_time_min"] == 25.0


def test_share_within_norm() -> None:
    # nearest: a 5, b 10, c none -> within 10 min: a + b = 400 of 450
    assert share_within(TABLE, DEMAND, norm_min=10) == pytest.approx(400 / 450)
    assert share_within(TABLE, DEMAND, norm_min=5) == pytest.approx(100 / 450)
    assert share_within(TABLE, DEMAND, norm_min=30, sites=["x"]) == pytest.approx(400 / 450)
    assert math.isnan(share_within(TABLE, DEMAND * 0, norm_min=10))


def test_two_step_fca_by_hand() -> None:
    # catchment 20: x serves a only (b is 25 min), y serves a and b
    # R_x = 40 / 100 = 0.4; R_y = 60 / (100 + 300) = 0.15
    # A_a = 0.4 + 0.15 = 0.55; A_b = 0.15; A_c = 0
    acc = two_step_fca(TABLE, DEMAND, CAPACITY, catchment_min=20)
    assert acc.name == "access_per_person"
    assert acc.to_dict() == pytest.approx({"a": 0.55, "b": 0.15, "c": 0.0})
    # total capacity within reach is conserved: sum_i D_i A_i = capacity of sites with demand
    assert float((acc * DEMAND).sum()) == pytest.approx(100.0)


def test_enhanced_two_step_fca_by_hand() -> None:
    # weights: t<=10 -> 1, <=20 -> 0.68, <=30 -> 0.22
    # x: a (5 min, w 1), b (25, w .22): R_x = 40 / (100 + 300*.22) = 40/166
    # y: a (15, .68), b (10, 1): R_y = 60 / (68 + 300) = 60/368
    acc = two_step_fca(
        TABLE, DEMAND, CAPACITY, catchment_min=30, decay=step_bands(E2SFCA_BANDS_30MIN)
    )
    r_x, r_y = 40 / 166, 60 / 368
    assert acc["a"] == pytest.approx(r_x * 1 + r_y * 0.68)
    assert acc["b"] == pytest.approx(r_x * 0.22 + r_y * 1)
    assert acc["c"] == 0.0


def test_two_step_fca_plan_with_closed_site() -> None:
    acc = two_step_fca(TABLE, DEMAND, CAPACITY[["y"]], catchment_min=20)
    assert acc.to_dict() == pytest.approx({"a": 0.15, "b": 0.15, "c": 0.0})


def test_gravity_by_hand() -> None:
    acc = gravity_access(TABLE, CAPACITY, beta=0.1, zones=["a", "b", "c"])
    assert acc["a"] == pytest.approx(40 * math.exp(-0.5) + 60 * math.exp(-1.5))
    assert acc["b"] == pytest.approx(40 * math.exp(-2.5) + 60 * math.exp(-1.0))
    assert acc["c"] == 0.0
    power = gravity_access(TABLE, CAPACITY, beta=2.0, decay="power")
    assert power["a"] == pytest.approx(40 / 25 + 60 / 225)
    comp = gravity_access(TABLE, CAPACITY, beta=0.1, demand=DEMAND)
    v_x = 100 * math.exp(-0.5) + 300 * math.exp(-2.5)
    v_y = 100 * math.exp(-1.5) + 300 * math.exp(-1.0)
    assert comp["a"] == pytest.approx(40 * math.exp(-0.5) / v_x + 60 * math.exp(-1.5) / v_y)
    assert list(comp.index) == ["a", "b", "c"]


def test_access_errors() -> None:
    with pytest.raises(InputDataError, match=r"columns \['travel_time_min'\] missing"):
        nearest_facility(TABLE.drop(columns="travel_time_min"))
    bad = TABLE.assign(travel_time_min=[1.0, np.nan, 2.0, 3.0])
    with pytest.raises(InputDataError, match="travel_time_min has NaN or negative values"):
        two_step_fca(bad, DEMAND, CAPACITY, catchment_min=10)
    with pytest.raises(InputDataError, match="gravity_access needs beta >= 0"):
        gravity_access(TABLE, CAPACITY, beta=-1.0)


# ---------------------------------------------------------------- disaggregation
def _street_graph() -> nx.MultiDiGraph:
    """Two residential streets (west, east) and a secondary road joining them."""
    g = nx.MultiDiGraph(crs="epsg:4326")
    coords = {1: (5.000, 52.0), 2: (5.002, 52.0), 3: (5.030, 52.0), 4: (5.032, 52.0)}
    for n, (x, y) in coords.items():
        g.add_node(n, x=x, y=y)
    for u, v, hw, length in [
        (1, 2, "residential", 100.0),
        (2, 3, "secondary", 2000.0),
        (3, 4, "residential", 300.0),
    ]:
        g.add_edge(u, v, highway=hw, length=length, travel_time=length / 10)
        g.add_edge(v, u, highway=hw, length=length, travel_time=length / 10)
    return g


def test_disaggregate_by_residential_length() -> None:
    zones = pd.DataFrame(
        {
            "lon": [5.001, 5.031, 5.5],
            "lat": [52.0, 52.0, 52.0],
            "population_persons": [1000, 600, 50],
        },
        index=pd.Index(["2611", "2612", "9999"], name="zone"),
    )
    sub = disaggregate_zones(_street_graph(), zones, max_distance_m=2000)
    assert list(sub.columns) == [
        "point",
        "zone",
        "node",
        "lon",
        "lat",
        "weight",
        "population_persons",
        "method",
    ]
    west = sub[sub["zone"] == "2611"].set_index("node")
    # nodes 1 and 2 each carry half of the 100 m street (the secondary road carries nobody)
    assert west["weight"].to_dict() == pytest.approx({1: 0.5, 2: 0.5})
    assert west["population_persons"].sum() == pytest.approx(1000)
    east = sub[sub["zone"] == "2612"]
    assert east["population_persons"].to_numpy() == pytest.approx([300, 300])
    far = sub[sub["zone"] == "9999"].iloc[0]
    assert (far["method"], far["point"], far["population_persons"]) == ("centroid", "9999", 50)
    assert sub["population_persons"].sum() == pytest.approx(1650)
    assert sub["point"].is_unique


def test_disaggregate_errors() -> None:
    zones = pd.DataFrame({"lon": [5.0], "lat": [52.0]}, index=["z"])
    with pytest.raises(InputDataError, match=r"columns \['population_persons'\] missing"):
        disaggregate_zones(_street_graph(), zones)
    zones["population_persons"] = [-5]
    with pytest.raises(InputDataError, match="missing or negative population for z"):
        disaggregate_zones(_street_graph(), zones)


def test_disaggregate_delft(data_dir: Path) -> None:
    from voorzieningen.network import load_network
    from voorzieningen.schemas.network import NetworkSettings

    g = load_network(
        data_dir / "osm" / "nl_delft_drive.graphml", settings=NetworkSettings(source="d")
    )
    pc = pd.read_csv(data_dir / "cbs" / "cbs_pc4_centroids_2020_nl.csv")
    pc = pc[pc["gemeente"] == "Delft"]
    zones = pd.DataFrame(
        {
            "lon": pc["centroid_lon"].to_numpy(),
            "lat": pc["centroid_lat"].to_numpy(),
            "population_persons": pc["inwoners"].to_numpy(float),
        },
        index=pc["postcode"].astype(str),
    )
    sub = disaggregate_zones(g, zones)
    assert sub["population_persons"].sum() == pytest.approx(zones["population_persons"].sum())
    assert sub.groupby("zone")["weight"].sum().to_numpy() == pytest.approx(1.0)
    assert (sub["method"] == "network").mean() > 0.9
    assert len(sub) > 10 * len(zones)


# ---------------------------------------------------------------- facilities from OSM
def test_facilities_tiny_nodes_ways_relations() -> None:
    fac = facilities_from_osm(TINY / "tiny.osm")
    assert fac.index.tolist() == ["osm_n14", "osm_n15", "osm_n16", "osm_r300", "osm_w200"]
    assert fac["kind"].tolist() == ["gp", "gp", "community_centre", "school", "school"]
    assert fac.loc["osm_w200", ["lon", "lat"]].tolist() == pytest.approx([5.001, 52.006])
    assert fac.loc["osm_r300", ["lon", "lat"]].tolist() == pytest.approx([5.022, 52.006])
    assert fac.loc["osm_r300", "name"] == "Het Kompas"
    assert fac.loc["osm_r300", "osm_type"] == "relation"


@pytest.mark.parametrize(
    ("name", "counts"),
    [
        ("de_hoyerswerda.osm.pbf", {"school": 6, "gp": 2, "community_centre": 2}),
        ("de_hoyerswerda.osm.bz2", {"school": 6, "gp": 2, "community_centre": 2}),
        ("li_liechtenstein_2015.osm.pbf", {"school": 19}),
        ("be_wechelderzande.osm.pbf", {"school": 2}),
    ],
)
def test_facilities_counts(data_dir: Path, name: str, counts: dict[str, int]) -> None:
    fac = facilities_from_osm(data_dir / "osm" / name)
    assert fac["kind"].value_counts().to_dict() == counts
    assert fac[["lon", "lat"]].notna().all().all()


def test_facilities_missing_file() -> None:
    with pytest.raises(NetworkError, match=r"OSM extract .*nope\.osm\.pbf does not exist"):
        facilities_from_osm(Path("nope.osm.pbf"))


def test_facilities_corrupt_file(tmp_path: Path) -> None:
    f = tmp_path / "broken.osm"
    f.write_text("<osm><node id='1' lat='x'")
    with pytest.raises(NetworkError, match=r"cannot read OSM extract .*broken\.osm"):
        facilities_from_osm(f)
