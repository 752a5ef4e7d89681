"""Benchmark: many-to-many travel times, networkx per-source Dijkstra vs voorzieningen.

Run ``python benchmarks/od.py`` (about 2-3 minutes on 2 cores). For each graph, random
origin and destination nodes are drawn (seeded); networkx runs
``single_source_dijkstra_path_length`` once per origin (weight ``travel_time``), and
voorzieningen runs :func:`voorzieningen.network.shortest_path_matrix` (scipy csgraph
Dijkstra on a CSR matrix, memory-bounded chunks on 2 threads), including its conversion of
the networkx graph. Times are wall-clock seconds; the difference is the largest absolute
difference in minutes over all OD pairs; peak memory is the tracemalloc peak of our call.

Options: ``--quick`` (small graphs only), ``--grid N`` (side of the synthetic grid; default
500, i.e. 250,000 nodes), ``--data DIR`` (shared data directory).
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from voorzieningen.network import load_network, shortest_path_matrix
from voorzieningen.schemas.network import NetworkSettings

REPO = Path(__file__).resolve().parents[1]


def grid_graph(side: int, seed: int = 0) -> nx.MultiDiGraph:
    """A side x side street grid (~100 m blocks) with random Dutch speeds, both directions."""
    rng = np.random.default_rng(seed)
    g = nx.MultiDiGraph(crs="epsg:4326")
    ids = np.arange(side * side).reshape(side, side)
    lon = 5.0 + np.arange(side) * 0.00146
    lat = 52.0 + np.arange(side) * 0.0009
    g.add_nodes_from(
        (int(ids[i, j]), {"x": float(lon[j]), "y": float(lat[i])})
        for i in range(side)
        for j in range(side)
    )
    pairs = np.concatenate(
        [
            np.column_stack([ids[:, :-1].ravel(), ids[:, 1:].ravel()]),
            np.column_stack([ids[:-1, :].ravel(), ids[1:, :].ravel()]),
        ]
    )
    length = 100.0 * (1.0 + 0.2 * rng.random(len(pairs)))
    speed = rng.choice([15.0, 30.0, 50.0, 80.0], size=len(pairs), p=[0.1, 0.6, 0.25, 0.05])
    tt = length / (speed / 3.6)
    edges = []
    for (a, b), m, s, t in zip(
        pairs.tolist(), length.tolist(), speed.tolist(), tt.tolist(), strict=True
    ):
        attrs = {"length": m, "speed_kph": s, "travel_time": t}
        edges.append((a, b, attrs))
        edges.append((b, a, attrs))
    g.add_edges_from(edges)
    return g


def networkx_matrix(g: nx.MultiDiGraph, origins: list, destinations: list) -> np.ndarray:
    out = np.full((len(origins), len(destinations)), np.nan)
    for i, o in enumerate(origins):
        dist = nx.single_source_dijkstra_path_length(g, o, weight="travel_time")
        out[i] = [dist.get(d, np.nan) for d in destinations]
    return out


def run_case(name: str, g: nx.MultiDiGraph, n_orig: int, n_dest: int, seed: int = 42) -> dict:
    rng = np.random.default_rng(seed)
    nodes = list(g.nodes)
    origins = [nodes[i] for i in rng.choice(len(nodes), n_orig, replace=False)]
    destinations = [nodes[i] for i in rng.choice(len(nodes), n_dest, replace=False)]
    t0 = time.perf_counter()
    ref = networkx_matrix(g, origins, destinations)
    t_nx = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = shortest_path_matrix(g, origins, destinations, weight="travel_time").to_numpy()
    t_ours = time.perf_counter() - t0
    tracemalloc.start()
    shortest_path_matrix(g, origins, destinations, weight="travel_time")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    same_nan = bool((np.isnan(ref) == np.isnan(ours)).all())
    diff = np.nanmax(np.abs(ref - ours)) / 60.0 if np.isfinite(ref).any() else 0.0
    return {
        "graph": name,
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "od": f"{n_orig} x {n_dest}",
        "networkx_s": t_nx,
        "ours_s": t_ours,
        "speedup": t_nx / t_ours,
        "max_diff_min": diff if same_nan else float("inf"),
        "peak_mb": peak / 1024**2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small graphs only")
    parser.add_argument("--grid", type=int, default=500, help="side of the synthetic grid")
    default_data = os.environ.get("VOORZIENINGEN_DATA_DIR", str(REPO.parent / "shared" / "data"))
    parser.add_argument("--data", type=Path, default=Path(default_data))
    args = parser.parse_args()
    osm = args.data / "osm"
    car = NetworkSettings(source="benchmark")
    rows = []
    cases = [
        ("nl_nootdorp_drive.graphml", 533, 533),
        ("nl_delft_drive.graphml", 400, 400),
        ("li_liechtenstein_2015.osm.pbf", 1000, 1000),
    ]
    for file, n_o, n_d in cases:
        if not (osm / file).is_file():
            print(f"skipping {file}: not found in {osm}")
            continue
        g = load_network(osm / file, settings=car)
        rows.append(run_case(file, g, min(n_o, len(g)), min(n_d, len(g))))
        print(_fmt(rows[-1]), flush=True)
    if not args.quick:
        side = args.grid
        g = grid_graph(side)
        rows.append(run_case(f"synthetic grid {side}x{side}", g, 24, 500))
        print(_fmt(rows[-1]), flush=True)
    table = pd.DataFrame(rows)
    print()
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(
            table.to_string(
                index=False,
                formatters={
                    "networkx_s": "{:.2f}".format,
                    "ours_s": "{:.3f}".format,
                    "speedup": "{:.1f}x".format,
                    "max_diff_min": "{:.1e}".format,
                    "peak_mb": "{:.0f}".format,
                },
            )
        )
    print(
        f"speed-up vs networkx: min {table['speedup'].min():.1f}x, "
        f"max {table['speedup'].max():.1f}x; max difference {table['max_diff_min'].max():.1e} min"
    )


def _fmt(row: dict) -> str:
    return (
        f"  {row['graph']}: {row['nodes']} nodes, {row['od']}: networkx {row['networkx_s']:.2f} s,"
        f" ours {row['ours_s']:.3f} s ({row['speedup']:.1f}x), diff {row['max_diff_min']:.1e} min"
    )


if __name__ == "__main__":
    main()
