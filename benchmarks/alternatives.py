"""Time the near-optimal alternatives (MGA) of a demo region against its optimum solve.

Usage (repository root, project virtualenv active)::

    python benchmarks/alternatives.py [--data-dir ../shared/data]
        [--scenario-file inputs/het-hogeland/scenarios.toml] [--scenario base]
        [-n 3] [--slack 0.05] [--time-limit S]

The baseline measured in the same run is the optimum's solve (``solve_model`` on the built
model, as ``voorzieningen run`` does). The table gives, per alternative, the distance solve
(status, seconds) and the re-solve of its assignments with its decisions fixed, each as a
ratio to the baseline, with the alternative's distance to the optimum and its objective
above the optimum (%). The last line reads ``alternatives: N found in T s = R x the optimum's
solve``; T includes the search's own solve of the optimum and the verification of each plan.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from voorzieningen import api  # noqa: E402
from voorzieningen import tables as T  # noqa: E402
from voorzieningen.alternatives import find_alternatives  # noqa: E402
from voorzieningen.context import RunContext, resolve_data_dir  # noqa: E402
from voorzieningen.model.build import build_model  # noqa: E402
from voorzieningen.scenarios import load_scenario  # noqa: E402
from voorzieningen.solve import solve_model  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("VOORZIENINGEN_DATA_DIR", str(REPO.parent / "shared" / "data")),
    )
    parser.add_argument(
        "--scenario-file", default=str(REPO / "inputs" / "het-hogeland" / "scenarios.toml")
    )
    parser.add_argument("--scenario", default="base")
    parser.add_argument("-n", type=int, default=3)
    parser.add_argument("--slack", type=float, default=0.05)
    parser.add_argument("--time-limit", type=float, default=None)
    args = parser.parse_args()

    scenario = load_scenario(args.scenario_file, name=args.scenario)
    context = RunContext(
        data_dir=resolve_data_dir(args.data_dir),
        region_dir=Path(args.scenario_file).resolve().parent,
    )
    prepared = api.prepare_run(scenario, context)
    settings = scenario.solver
    if args.time_limit is not None:
        settings = settings.model_copy(update={"time_limit_s": args.time_limit})
    model, scale = build_model(prepared.data)
    t0 = time.perf_counter()
    baseline = solve_model(model, settings, objective_scale=scale)
    base_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    found = find_alternatives(
        prepared.data, settings, n=args.n, slack=args.slack, time_limit_s=args.time_limit
    )
    total_s = time.perf_counter() - t1

    print(f"baseline: optimum solve {base_s:.1f} s ({baseline.status}, gap {baseline.gap:.2%})")
    header = (
        f"{'k':>2} {'search':>22} {'x base':>7} {'polish s':>9} {'x base':>7} "
        f"{'distance':>9} {'objective +%':>13}"
    )
    print(header)
    print("-" * len(header))
    table = found.table.set_index(T.ALTERNATIVE)
    for plan in found.plans:
        search = plan.search
        search_text = f"{search.status} {search.runtime_s:.1f} s" if search else "keep wish"
        search_ratio = f"{search.runtime_s / base_s:.2f}" if search else ""
        print(
            f"{plan.number:>2} {search_text:>22} {search_ratio:>7} "
            f"{plan.outcome.runtime_s:>9.1f} {plan.outcome.runtime_s / base_s:>7.2f} "
            f"{plan.distance_to_optimum:>9} "
            f"{float(table.loc[plan.number, T.DELTA_OBJECTIVE_PCT]):>13.2f}"
        )
    if found.note:
        print(f"note: {found.note}")
    print(
        f"alternatives: {len(found.plans)} found in {total_s:.1f} s = "
        f"{total_s / base_s:.1f} x the optimum's solve"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
