"""Calibrate the travel-time estimate (straight line x detour factor) on real road networks.

    python benchmarks/detour_calibration.py [--data-dir ../shared/data] [--origins 150]

For every road network in ``data/osm`` (Dutch: Delft and Nootdorp osmnx GraphML,
Heemserveen OSM, Wageningen NWB; rural non-Dutch: Wechelderzande, North Bayreuth,
Hoyerswerda, Liechtenstein) and every mode the network carries, origins (nodes on
residential roads, where people live) and destinations (random nodes) are sampled on the
largest strongly connected component, and the product's own loader
(:func:`voorzieningen.network.load_network`) and OD code
(:func:`voorzieningen.network.travel_times`) give the network distance and door-to-door time
of every pair at once (no loop over pairs). Fitted per mode:

* detour factor = median over networks of the median pair ratio network km / straight km
  (pairs at least 0.2 km apart; every network counts once, whatever its size);
* effective speed = median over networks of the median network km / travel hours of the
  pairs under 10 km straight (trips to local facilities; longer car trips use faster roads).

The table shows, per network and mode, the pair count, the network's median ratio, and the
error of the pooled estimate (``fitted factor x straight km / network km - 1``: median, p10,
p90), and the median ratio per straight-line distance class.

The spread of residents (``network.estimate.settled_density_per_km2``) is calibrated on the
residential roads of Delft and Nootdorp: the population of each PC4 zone (CBS 2021) is
spread over its residential road nodes (:func:`voorzieningen.network.disaggregate_zones`,
weighted by residential road length); the weighted mean distance of those points to their
weighted centre, r, gives the radius of an equivalent uniform disk R = 1.5 r, and the zone's
settled density is population / (pi R^2). The median over the two networks of their
median zone is the default.

The Nootdorp skim (all-pairs shortest path lengths of the same graph, made by networkx) checks
the OD code: the median relative difference of our car distance against the skim is printed.
No CBS proximity figure is used here (those are the test set of ``cbs_proximity.py``).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from voorzieningen.network import disaggregate_zones, load_network, travel_times
from voorzieningen.network.estimate import haversine_km
from voorzieningen.schemas.network import NetworkSettings

NETWORKS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    # name, file, group, modes
    ("Delft", "nl_delft_drive.graphml", "NL", ("car",)),
    ("Nootdorp", "nl_nootdorp_drive.graphml", "NL", ("car",)),
    (
        "Heemserveen",
        "nl_heemserveen_jachthuisweg.osm.pbf",
        "NL",
        ("car", "bicycle", "ebike", "walk"),
    ),
    ("Wageningen NWB", "nl_wageningen_campus_nwb_wegvakken.gml", "NL", ("car",)),
    ("Wechelderzande", "be_wechelderzande.osm.pbf", "rural", ("car", "bicycle", "ebike", "walk")),
    ("North Bayreuth", "de_north_bayreuth.osm.bz2", "rural", ("car", "bicycle", "ebike", "walk")),
    ("Hoyerswerda", "de_hoyerswerda.osm.pbf", "rural", ("car", "bicycle", "ebike", "walk")),
    (
        "Liechtenstein",
        "li_liechtenstein_2015.osm.pbf",
        "rural",
        ("car", "bicycle", "ebike", "walk"),
    ),
)
RESIDENTIAL = {"residential", "living_street"}
CLASSES_KM = (0.0, 1.0, 3.0, 10.0, np.inf)
MIN_KM = 0.2
LOCAL_KM = 10.0
"""The speed is fitted on pairs under this straight distance (km): trips to local facilities."""


def _classes(value: object) -> set[str]:
    return {str(v) for v in value} if isinstance(value, list) else {str(value)}


def sample_pairs(graph: nx.MultiDiGraph, n_origins: int, n_dest: int, seed: int) -> pd.DataFrame:
    """Sample residential origins and random destinations; network and straight distances."""
    rng = np.random.default_rng(seed)
    scc = max(nx.strongly_connected_components(graph), key=len)
    nodes = np.array(sorted(scc, key=str), dtype=object)
    resid = np.array(
        sorted(
            {
                n
                for u, v, d in graph.edges(data=True)
                if RESIDENTIAL & _classes(d.get("highway"))
                for n in (u, v)
                if n in scc
            },
            key=str,
        ),
        dtype=object,
    )
    pool = resid if len(resid) >= 10 else nodes
    origins = rng.choice(pool, size=min(n_origins, len(pool)), replace=False)
    dests = rng.choice(nodes, size=min(n_dest, len(nodes)), replace=False)

    def frame(ids: np.ndarray, name: str) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "lon": [graph.nodes[n]["x"] for n in ids],
                "lat": [graph.nodes[n]["y"] for n in ids],
            },
            index=pd.Index([str(n) for n in ids], name=name),
        )

    zones, sites = frame(origins, "zone"), frame(dests, "site")
    settings = NetworkSettings(source="x", mode=graph.graph["mode"], cutoff_min=1e4)
    tt = travel_times(graph, zones, sites, settings=settings).table
    tt = tt.join(zones, on="zone").join(sites, on="site", rsuffix="_site")
    tt["straight_km"] = haversine_km(tt["lon"], tt["lat"], tt["lon_site"], tt["lat_site"])
    tt = tt[tt["straight_km"] >= MIN_KM].copy()
    tt["ratio"] = tt["distance_km"] / tt["straight_km"]
    tt["speed_kph"] = tt["distance_km"] / (tt["travel_time_min"] / 60.0)
    return tt


def settled_density(data_dir: Path) -> pd.DataFrame:
    """Settled density (persons/km²) of Delft and Nootdorp PC4 zones from residential roads."""
    pc4 = pd.read_csv(data_dir / "cbs" / "cbs_pc4_centroids_2020_nl.csv", dtype={"postcode": str})
    rows = []
    for name, file, place in (
        ("Delft", "nl_delft_drive.graphml", "Delft"),
        ("Nootdorp", "nl_nootdorp_drive.graphml", "Nootdorp"),
    ):
        graph = load_network(data_dir / "osm" / file, settings=NetworkSettings(source="x"))
        zones = pc4[(pc4["plaats"] == place) & (pc4["inwoners"] > 0)]
        frame = pd.DataFrame(
            {
                "lon": zones["centroid_lon"].to_numpy(),
                "lat": zones["centroid_lat"].to_numpy(),
                "population_persons": zones["inwoners"].to_numpy(float),
            },
            index=pd.Index(zones["postcode"].to_numpy(), name="zone"),
        )
        pts = disaggregate_zones(graph, frame)
        pts = pts[pts["method"] == "network"]
        w = pts["weight"]
        cx = (pts["lon"] * w).groupby(pts["zone"]).sum()
        cy = (pts["lat"] * w).groupby(pts["zone"]).sum()
        r = haversine_km(pts["lon"], pts["lat"], cx.loc[pts["zone"]], cy.loc[pts["zone"]])
        mean_r = pd.Series(r * w.to_numpy(), index=pts.index).groupby(pts["zone"]).sum()
        radius = 1.5 * mean_r
        pop = frame["population_persons"].reindex(radius.index)
        area = zones.set_index("postcode")["oppervlakte_km2"].reindex(radius.index)
        rows.append(
            pd.DataFrame(
                {
                    "network": name,
                    "zone": radius.index,
                    "population": pop.to_numpy(),
                    "area_km2": area.to_numpy(),
                    "radius_km": radius.to_numpy(),
                    "density": pop.to_numpy() / (np.pi * radius.to_numpy() ** 2),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def skim_check(data_dir: Path, pairs: pd.DataFrame) -> float:
    """Median relative difference of our Nootdorp car distances against the skim."""
    skim = pd.read_csv(data_dir / "osm" / "nl_nootdorp_drive_skim.csv", index_col=0)
    skim.index = skim.index.astype(str)
    skim.columns = skim.columns.astype(str)
    ref = skim.to_numpy()[
        skim.index.get_indexer(pairs["zone"]), skim.columns.get_indexer(pairs["site"])
    ]
    return float(np.median(pairs["distance_km"].to_numpy() * 1000.0 / ref - 1.0))


def main(argv: list[str] | None = None) -> int:
    """Run the calibration and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--origins", type=int, default=150)
    parser.add_argument("--destinations", type=int, default=40)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    all_pairs = []
    for name, file, group, modes in NETWORKS:
        for mode in modes:
            graph = load_network(
                args.data_dir / "osm" / file, settings=NetworkSettings(source="x", mode=mode)
            )
            pairs = sample_pairs(graph, args.origins, args.destinations, seed=0)
            pairs["network"], pairs["group"] = name, group
            all_pairs.append(pairs)
            if name == "Nootdorp" and mode == "car":
                skim_diff = skim_check(args.data_dir, pairs)
    pairs = pd.concat(all_pairs, ignore_index=True)
    per_net = pairs.groupby(["mode", "network"], sort=False).agg(
        group=("group", "first"),
        pairs=("ratio", "size"),
        median_km=("straight_km", "median"),
        ratio=("ratio", "median"),
        speed_kph=("speed_kph", "median"),
    )
    fitted = per_net.groupby(level="mode", sort=False)[["ratio"]].median()
    local = pairs[pairs["straight_km"] < LOCAL_KM]
    local_speed = local.groupby(["mode", "network"], sort=False)["speed_kph"].median()
    fitted["speed_kph"] = local_speed.groupby(level="mode", sort=False).median()
    fitted_nl = (
        per_net[per_net["group"] == "NL"].groupby(level="mode", sort=False)["ratio"].median()
    )
    pairs["error"] = (
        pairs["mode"].map(fitted["ratio"]) * pairs["straight_km"] / pairs["distance_km"] - 1.0
    )
    err = pairs.groupby(["mode", "network"], sort=False)["error"].quantile([0.1, 0.5, 0.9])
    err = err.unstack()
    err.columns = ["p10", "median", "p90"]
    table = per_net.join(err)
    print("Detour factor (network km / straight km) and effective speed, per network and mode")
    print(
        f"{'mode':8s} {'network':16s} {'group':5s} {'pairs':>6s} {'med km':>7s} {'ratio':>6s} "
        f"{'km/h':>6s} | error of fitted estimate: {'p10':>6s} {'median':>7s} {'p90':>6s}"
    )
    for (mode, net), row in table.iterrows():
        print(
            f"{mode:8s} {net:16s} {row['group']:5s} {row['pairs']:6d} {row['median_km']:7.2f} "
            f"{row['ratio']:6.3f} {row['speed_kph']:6.1f} | {'':26s}{row['p10']:+6.1%} "
            f"{row['median']:+7.1%} {row['p90']:+6.1%}"
        )
    print()
    print("Median ratio by straight-line distance class (all networks pooled)")
    cls = pd.cut(pairs["straight_km"], CLASSES_KM, right=False)
    by_class = pairs.groupby(["mode", cls], observed=True).agg(
        size=("ratio", "size"), ratio=("ratio", "median"), speed=("speed_kph", "median")
    )
    for (mode, band), row in by_class.iterrows():
        print(
            f"{mode:8s} {band!s:14s} pairs {int(row['size']):6d}  ratio {row['ratio']:.3f}"
            f"  km/h {row['speed']:.1f}"
        )
    print()
    dens = settled_density(args.data_dir)
    print("Settled density (persons/km²) of PC4 zones from residential road nodes")
    for net, grp in dens.groupby("network"):
        print(
            f"{net:10s} zones {len(grp):3d}  median radius {grp['radius_km'].median():.2f} km"
            f"  density median {grp['density'].median():7.0f}  p10 "
            f"{grp['density'].quantile(0.1):7.0f}  p90 {grp['density'].quantile(0.9):7.0f}"
        )
    by_net = dens.groupby("network")["density"].median()
    print(
        f"settled density, median over networks: {by_net.median():.0f} persons/km² "
        f"(pooled over zones: {dens['density'].median():.0f})"
    )
    print()
    print(f"OD check against the Nootdorp skim: median relative difference {skim_diff:+.2%}")
    print()
    print("Fitted (defaults of network.estimate):")
    for mode, row in fitted.iterrows():
        nl = fitted_nl.get(mode, np.nan)
        print(
            f"  {mode:8s} detour_factor {row['ratio']:.3f} (Dutch networks only: {nl:.3f})"
            f"  speed_kph {row['speed_kph']:.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
