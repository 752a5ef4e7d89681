"""Truth check of the travel-time estimate against CBS: distance to the nearest basisschool.

    python benchmarks/cbs_proximity.py [--data-dir ../shared/data]

For every Limburg gemeente in ``cbs/cbs_nabijheid2023_gemeenten_limburg.csv`` the
population-weighted mean distance from where people live to the nearest DUO basisschool
(``cbs/duo_schoolvestigingen_20241122_nl.csv``, all of NL) is estimated with the product's
method (:func:`voorzieningen.network.estimate.estimated_travel_times`, per resident point):

1. residents: every Limburg PC4 zone (CBS 2021 population and area) is spread over its
   settlement disk (:func:`voorzieningen.network.estimate.resident_points`, default
   ``settled_density_per_km2``);
2. each resident point's distance to its own nearest school = detour factor x straight line;
3. the zone's value is the mean over its points, the gemeente's the population-weighted mean
   over its zones.

It is printed beside CBS's "Avg. Distance to Primary School" (StatLine 80305NED 2023: by
road, from every address; rounded to 0.1 km). All parameters come from
``benchmarks/detour_calibration.py`` (road networks only); the CBS table is a test set and is
not used to fit anything. The detour factor is that of the walking network (all public roads
and paths, both directions): CBS measures the shortest distance over the road network from the
address, not a car route with its one-way streets (an assumption; the line ``car detour``
shows the result with the car factor). The last line is ``median abs error: X%``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from voorzieningen.network.estimate import estimated_travel_times, resident_points
from voorzieningen.schemas.network import NetworkSettings

TRUTH = "Avg. Distance to Primary School"


def load(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Limburg PC4 zones, NL basisscholen and the CBS distances by gemeente."""
    cbs = data_dir / "cbs"
    truth = pd.read_csv(cbs / "cbs_nabijheid2023_gemeenten_limburg.csv").set_index("Region Name")[
        TRUTH
    ]
    pc4 = pd.read_csv(cbs / "cbs_pc4_centroids_2020_nl.csv", dtype={"postcode": str})
    pc4 = pc4[pc4["gemeente"].isin(truth.index) & (pc4["inwoners"] > 0)]
    zones = pd.DataFrame(
        {
            "gemeente": pc4["gemeente"].to_numpy(),
            "lon": pc4["centroid_lon"].to_numpy(),
            "lat": pc4["centroid_lat"].to_numpy(),
            "population_persons": pc4["inwoners"].to_numpy(float),
            "area_km2": pc4["oppervlakte_km2"].to_numpy(float),
        },
        index=pd.Index(pc4["postcode"].to_numpy(), name="zone"),
    )
    duo = pd.read_csv(cbs / "duo_schoolvestigingen_20241122_nl.csv", dtype={"vestigingscode": str})
    schools = duo[duo["type"] == "basisschool"]
    lon0, lon1 = zones["lon"].min() - 0.3, zones["lon"].max() + 0.3
    lat0, lat1 = zones["lat"].min() - 0.2, zones["lat"].max() + 0.2
    near = schools["lon"].between(lon0, lon1) & schools["lat"].between(lat0, lat1)
    sites = schools.loc[near, ["lon", "lat"]].drop_duplicates()
    sites.index = pd.Index([f"s{i}" for i in range(len(sites))], name="site")
    return zones, sites, truth


def gemeente_distance(
    zones: pd.DataFrame, sites: pd.DataFrame, settings: NetworkSettings
) -> pd.Series:
    """Population-weighted mean distance (km) to the nearest school, per gemeente."""
    points = resident_points(zones, settings=settings)
    tt = estimated_travel_times(zones, sites, settings=settings, aggregate=False)
    nearest = tt.table.groupby("zone")["distance_km"].min()
    points["km"] = nearest.reindex(points["point"]).to_numpy()
    per_zone = (points["km"] * points["weight"]).groupby(points["zone"]).sum()
    frame = zones.assign(km=per_zone.reindex(zones.index))
    weighted = (frame["km"] * frame["population_persons"]).groupby(frame["gemeente"]).sum()
    return weighted / frame.groupby("gemeente")["population_persons"].sum()


def main(argv: list[str] | None = None) -> int:
    """Print the table and the median absolute error."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    args = parser.parse_args(argv)
    zones, sites, truth = load(args.data_dir)
    walk = NetworkSettings(method="estimate", mode="walk", cutoff_min=1e6)
    car = NetworkSettings(method="estimate", mode="car", cutoff_min=1e6)
    centroid = NetworkSettings(
        method="estimate", mode="walk", cutoff_min=1e6, estimate={"spread": "centroid"}
    )
    est = gemeente_distance(zones, sites, walk).reindex(truth.index)
    est_car = gemeente_distance(zones, sites, car).reindex(truth.index)
    est_centroid = gemeente_distance(zones, sites, centroid).reindex(truth.index)
    err = est / truth - 1.0
    print(
        f"detour factor {walk.estimate.detour_factor['walk']:.2f} (walking network), "
        f"settled density {walk.estimate.settled_density_per_km2:.0f} persons/km², "
        f"{walk.estimate.spread_points} points per zone; {len(zones)} PC4 zones, "
        f"{len(sites)} basisscholen"
    )
    print(f"{'gemeente':24s} {'CBS km':>7s} {'est km':>7s} {'error':>7s} {'centroid':>9s}")
    for name in truth.index:
        print(
            f"{name:24s} {truth[name]:7.1f} {est[name]:7.2f} {err[name]:+7.1%} "
            f"{est_centroid[name]:9.2f}"
        )
    car_err = float(np.median(np.abs(est_car / truth - 1.0)))
    cen_err = float(np.median(np.abs(est_centroid / truth - 1.0)))
    print(f"median signed error: {float(np.median(err)):+.1%}")
    print(
        f"car detour ({car.estimate.detour_factor['car']:.2f}) instead: median abs error "
        f"{car_err:.1%}; centroids only (no spread): {cen_err:.1%}"
    )
    print(f"median abs error: {float(np.median(np.abs(err))) * 100:.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
