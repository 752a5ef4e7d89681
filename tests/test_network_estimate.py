"""Estimated travel times (network.method = "estimate"): hand-computed cases and messages."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pydantic import ValidationError

from voorzieningen.errors import NetworkError
from voorzieningen.network import load as load_module
from voorzieningen.network import load_network, travel_times
from voorzieningen.network.estimate import (
    ESTIMATE_SOURCE,
    estimated_travel_times,
    haversine_km,
    resident_points,
    travel_time_source,
)
from voorzieningen.network.od import road_source_label
from voorzieningen.schemas.network import NO_NETWORK_HELP, NetworkSettings

# 0.009 degrees of latitude = 0.009 * pi / 180 * 6371.009 km = 1.000756 km
ONE_KM_DEG = 0.009
ONE_KM = 0.009 * math.pi / 180 * 6371.009


def _settings(**estimate: Any) -> NetworkSettings:
    base: dict[str, Any] = {
        "detour_factor": {"car": 1.5, "bicycle": 1.2, "ebike": 1.2, "walk": 1.25},
        "speed_kph": {"car": 30.0, "bicycle": 15.0, "ebike": 20.0, "walk": 4.8},
        "spread": "centroid",
    }
    base.update(estimate)
    return NetworkSettings(method="estimate", cutoff_min=60, estimate=base)  # type: ignore[arg-type]


def _pts(rows: dict[str, tuple[float, float]], name: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, index=["lon", "lat"]).T
    frame.index.name = name
    return frame


def test_centroid_estimate_by_hand() -> None:
    # zone at (5, 52), site 0.009 deg north: 1.000756 km straight; x 1.5 = 1.501134 km;
    # at 30 km/h: 3.002267 min. The site 0.2 deg north (33.4 km, 66.8 min) is beyond 60 min.
    zones = _pts({"z": (5.0, 52.0)}, "zone")
    sites = _pts({"a": (5.0, 52.0 + ONE_KM_DEG), "far": (5.0, 52.2)}, "site")
    tt = estimated_travel_times(zones, sites, settings=_settings())
    assert list(tt.table["site"]) == ["a"]
    row = tt.table.iloc[0]
    assert row["distance_km"] == pytest.approx(1.501134, abs=1e-6)
    assert row["travel_time_min"] == pytest.approx(3.002267, abs=1e-6)
    assert row["mode"] == "car"
    assert tt.meta["travel_time_source"] == ESTIMATE_SOURCE == travel_time_source(None)
    assert tt.meta["estimated"] is True
    assert pytest.approx(1.000756, abs=1e-6) == ONE_KM
    assert float(haversine_km(5.0, 52.0, 5.0, 52.0 + ONE_KM_DEG)) == pytest.approx(ONE_KM)


def test_walk_speed_scales_with_age_group() -> None:
    # child 4.0 km/h vs adult 4.8: calibrated 4.8 x 4.0 / 4.8 = 4.0 km/h;
    # 1.000756 km x 1.25 = 1.250945 km -> 18.76 min (adult would be 15.64 min)
    zones = _pts({"z": (5.0, 52.0)}, "zone")
    sites = _pts({"a": (5.0, 52.0 + ONE_KM_DEG)}, "site")
    base = _settings()
    child = base.model_copy(update={"mode": "walk", "age_group": "child"})
    tt = estimated_travel_times(zones, sites, settings=child)
    assert tt.table["travel_time_min"].iloc[0] == pytest.approx(60 * 1.250945 / 4.0, abs=1e-4)


def test_settlement_spread_mean_distance_by_hand() -> None:
    # population 5050 * pi at 5050 persons/km2 settles on a disk of pi km2: radius 1 km.
    # Uniform disk to its centre: mean distance 2/3 of the radius = 0.6667 km (x factor 1).
    # With 1024 sunflower points the discrete mean is within 0.1 % of 2/3; the centroid
    # model gives 0, so the margin is wide.
    zones = _pts({"z": (5.0, 52.0)}, "zone").assign(population_persons=5050 * math.pi)
    sites = _pts({"c": (5.0, 52.0)}, "site")
    s = _settings(
        spread="settlement",
        spread_points=1024,
        settled_density_per_km2=5050.0,
        detour_factor={"car": 1.0, "bicycle": 1.0, "ebike": 1.0, "walk": 1.0},
    )
    tt = estimated_travel_times(zones, sites, settings=s)
    assert tt.table["distance_km"].iloc[0] == pytest.approx(2 / 3, rel=2e-3)
    pts = resident_points(zones, settings=s)
    assert len(pts) == 1024
    assert pts["weight"].sum() == pytest.approx(1.0)
    assert (pts["method"] == "settlement").all()
    # the zone's area caps the disk: 0.01 * pi km2 -> radius 0.1 km, mean 0.0667 km
    capped = estimated_travel_times(zones.assign(area_km2=0.01 * math.pi), sites, settings=s)
    assert capped.table["distance_km"].iloc[0] == pytest.approx(0.2 / 3, rel=2e-3)


def test_per_point_rows_and_nearest() -> None:
    zones = _pts({"z": (5.0, 52.0)}, "zone").assign(population_persons=5050 * math.pi)
    sites = _pts({"c": (5.0, 52.0)}, "site")
    s = _settings(spread="settlement", spread_points=4)
    tt = estimated_travel_times(zones, sites, settings=s, aggregate=False)
    assert sorted(tt.table["zone"]) == [f"z#{k}" for k in range(4)]


def test_no_site_within_cutoff_is_reported() -> None:
    zones = _pts({"z": (5.0, 52.0)}, "zone")
    sites = _pts({"far": (5.0, 52.2)}, "site")
    tt = estimated_travel_times(zones, sites, settings=_settings())
    assert tt.table.empty
    assert list(tt.reachability["issue"]) == ["no_site_within_cutoff"]
    assert "estimated" in tt.reachability["detail"].iloc[0]


def test_road_method_without_source_names_three_ways() -> None:
    with pytest.raises(ValidationError) as err:
        NetworkSettings()
    text = str(err.value)
    assert "network.source is missing" in text
    assert "GraphML" in text
    assert "osmnx" in text
    assert 'network.method = "estimate"' in text
    assert NetworkSettings(method="estimate").source is None


def test_estimate_settings_messages() -> None:
    with pytest.raises(ValidationError, match="at least 1"):
        _settings(detour_factor={"car": 0.9, "bicycle": 1.2, "ebike": 1.2, "walk": 1.2})
    with pytest.raises(ValidationError, match=r"lacks modes \['walk'\]"):
        _settings(speed_kph={"car": 30.0, "bicycle": 15.0, "ebike": 20.0})
    with pytest.raises(ValidationError, match="must be positive"):
        _settings(speed_kph={"car": 0.0, "bicycle": 15.0, "ebike": 20.0, "walk": 4.8})


def test_offline_place_download_names_three_ways(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def offline(*args: Any, **kwargs: Any) -> None:
        msg = "no internet"
        raise ConnectionError(msg)

    monkeypatch.setattr(load_module.ox, "graph_from_place", offline)
    with pytest.raises(NetworkError) as err:
        load_network(
            "Het Hogeland, Netherlands",
            settings=NetworkSettings(source="Het Hogeland, Netherlands"),
            cache_dir=tmp_path,
        )
    text = str(err.value)
    assert "no internet" in text
    assert NO_NETWORK_HELP in text


def test_road_source_labels() -> None:
    assert road_source_label("/d/osm/nl_delft_drive.graphml") == (
        "road network (GraphML file nl_delft_drive.graphml)"
    )
    assert road_source_label("osm/x.osm.pbf") == "road network (OSM file x.osm.pbf)"
    assert road_source_label("a/b.gml") == "road network (NWB file b.gml)"
    assert road_source_label("Delft, Netherlands") == (
        "road network (osmnx download of 'Delft, Netherlands')"
    )


def test_road_travel_times_state_their_source(data_dir: Path) -> None:
    path = data_dir / "osm" / "nl_heemserveen_jachthuisweg.osm"
    graph = load_network(path, settings=NetworkSettings(source="x"))
    node = next(iter(graph.nodes(data=True)))[1]
    pts = _pts({"p": (node["x"], node["y"])}, "zone")
    tt = travel_times(graph, pts, pts.rename_axis("site"), settings=NetworkSettings(source="x"))
    assert tt.meta["travel_time_source"] == (
        "road network (OSM file nl_heemserveen_jachthuisweg.osm)"
    )
