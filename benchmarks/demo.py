"""Time the Delft demo: every stage, model size, build, solve, gap and peak memory.

Usage (repository root, project virtualenv active)::

    python benchmarks/demo.py [--data-dir ../shared/data] [--scenario base] [--repeat 1]

The baseline measured in the same run is the data part of the pipeline (inputs, travel
times, demand and model data: ``prepare``); the table also reports model build and solve
times as ratios to it, so the figures stay comparable across machines. The last line reads
``demo: build B s, solve S s, gap G% (target 0.5% in < 60 s), peak P MiB``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import pyomo.environ as pyo  # noqa: E402

from voorzieningen import api  # noqa: E402
from voorzieningen.context import RunContext, resolve_data_dir  # noqa: E402
from voorzieningen.model.build import build_model  # noqa: E402
from voorzieningen.results import extract_results  # noqa: E402
from voorzieningen.scenarios import load_scenario  # noqa: E402
from voorzieningen.solve import solve_model  # noqa: E402
from voorzieningen.verify import verify_plan  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("VOORZIENINGEN_DATA_DIR", str(REPO.parent / "shared" / "data")),
    )
    parser.add_argument(
        "--scenario-file", default=str(REPO / "inputs" / "delft" / "scenarios.toml")
    )
    parser.add_argument("--scenario", default="base")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    scenario = load_scenario(args.scenario_file, name=args.scenario)
    context = RunContext(
        data_dir=resolve_data_dir(args.data_dir),
        region_dir=Path(args.scenario_file).resolve().parent,
    )
    rows = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        prepared = api.prepare_run(scenario, context)
        t1 = time.perf_counter()
        model, objective_scale = build_model(prepared.data)
        t2 = time.perf_counter()
        outcome = solve_model(model, scenario.solver, objective_scale=objective_scale)
        t3 = time.perf_counter()
        results = extract_results(model, prepared.data, outcome)
        verify_plan(
            results.plan,
            prepared.data,
            objective_value=outcome.objective,
            sites=prepared.inputs.sites,
            travel_times=prepared.travel.table,
            demand=prepared.demand.demand,
        )
        t4 = time.perf_counter()
        # peak resident memory of the process so far, MiB (tracemalloc slowed the build
        # of Pyomo's many small objects several-fold and distorted the timings)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        rows.append((t1 - t0, t2 - t1, t3 - t2, t4 - t3, outcome, peak, model))
    data = prepared.data
    n_bin = sum(
        1 for v in model.component_data_objects(ctype=pyo.Var) if v.is_binary() and not v.fixed
    )
    n_var = sum(1 for _ in model.component_data_objects(ctype=pyo.Var))
    n_con = sum(1 for _ in model.component_data_objects(ctype=pyo.Constraint, active=True))
    print(
        f"Delft demo, scenario {scenario.name!r}: {len(data.zones)} zones, {len(data.sites)} sites, "
        f"{len(data.services)} services, {len(data.periods)} periods, {len(data.options)} lifecycle options, "
        f"{len(data.pairs)} eligible (zone, site, service) pairs"
    )
    print(f"model: {n_var:,} variables ({n_bin:,} free binaries), {n_con:,} constraints")
    print()
    header = f"{'run':>3} {'prepare_s':>10} {'build_s':>8} {'solve_s':>8} {'verify_s':>9} {'build/prep':>10} {'solve/prep':>10} {'status':>20} {'gap':>8} {'peak_rss_MiB':>15}"
    print(header)
    for i, (prep, build, solve, verify, outcome, peak, _) in enumerate(rows, start=1):
        print(
            f"{i:>3} {prep:>10.2f} {build:>8.2f} {solve:>8.2f} {verify:>9.2f} {build / prep:>10.2f} {solve / prep:>10.2f} "
            f"{outcome.status:>20} {outcome.gap:>8.3%} {peak / 2**20:>15.1f}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    best = min(rows, key=lambda r: r[1] + r[2])
    print(
        f"demo: build {best[1]:.1f} s, solve {best[2]:.1f} s, gap {best[4].gap:.2%} "
        f"(target 0.5% in < 60 s), peak {rss:.0f} MiB"
    )
    return 0 if best[4].gap <= 0.005 + 1e-12 and best[1] + best[2] < 60 else 1


if __name__ == "__main__":
    raise SystemExit(main())
