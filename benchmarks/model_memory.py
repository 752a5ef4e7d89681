"""Memory of the investment model per variable and row, and how well it is estimated.

Usage (repository root, project virtualenv active)::

    python benchmarks/model_memory.py [--sizes 50x40,100x60,200x100,300x150] [--time-limit 5]

Each size ``ZxS`` is the synthetic region of ``benchmarks/model_scale.py`` (Z zones, S sites,
three services, four periods), measured in a fresh process: the resident memory (peak RSS,
MiB) after the model's data, after the Pyomo build, and after the hand-over to HiGHS and a
short solve. The table gives the model's real size (variables, rows), the estimate of
:func:`voorzieningen.model.size.estimate_model_size` made from the data before the build
(and its ratio to the real size), the memory the build and the solve added, that memory
per 1,000 variables and rows, and its ratio to the smallest size's figure (the baseline,
measured in the same run). The last line reads ``MiB per 1,000 variables+rows: max M``;
``MIB_PER_1000`` in ``voorzieningen/model/size.py`` must stay above it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))


def _peak_mib() -> float:
    """Peak resident memory of this process, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure(size: str, time_limit: float) -> dict[str, float]:
    """Build and solve one synthetic size in this process; return its figures."""
    import pyomo.environ as pyo

    from model_scale import synthetic
    from voorzieningen.model.build import build_model
    from voorzieningen.model.size import estimate_model_size
    from voorzieningen.schemas.solver import SolverSettings
    from voorzieningen.solve import solve_model

    nz, ns = (int(v) for v in size.lower().split("x"))
    data = synthetic(nz, ns, 1)
    after_data = _peak_mib()
    estimate = estimate_model_size(data)
    t0 = time.perf_counter()
    model, scale = build_model(data)
    build_s = time.perf_counter() - t0
    after_build = _peak_mib()
    with contextlib.suppress(Exception):  # memory is measured whatever the outcome
        solve_model(model, SolverSettings(time_limit_s=time_limit), objective_scale=scale)
    after_solve = _peak_mib()
    n_var = sum(1 for _ in model.component_data_objects(pyo.Var))
    n_con = sum(1 for _ in model.component_data_objects(pyo.Constraint, active=True))
    return {
        "variables": n_var,
        "rows": n_con,
        "est_variables": estimate.variables,
        "est_rows": estimate.rows,
        "data_mib": after_data,
        "build_mib": after_build - after_data,
        "solve_mib": after_solve - after_build,
        "build_s": build_s,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="50x40,100x60,200x100,300x150")
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.time_limit)))
        return 0
    print(
        f"{'size':>8} {'vars':>8} {'rows':>8} {'est/real':>8} {'data MiB':>8} "
        f"{'build MiB':>9} {'solve MiB':>9} {'MiB/1000':>8} {'vs base':>7}"
    )
    base = None
    worst = 0.0
    for size in args.sizes.split(","):
        done = subprocess.run(
            [sys.executable, __file__, "--one", size, "--time-limit", str(args.time_limit)],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        real = row["variables"] + row["rows"]
        est = row["est_variables"] + row["est_rows"]
        per_1000 = (row["build_mib"] + row["solve_mib"]) / (real / 1000.0)
        base = base or per_1000
        worst = max(worst, per_1000)
        print(
            f"{size:>8} {row['variables']:>8,} {row['rows']:>8,} {est / real:>8.2f} "
            f"{row['data_mib']:>8.0f} {row['build_mib']:>9.0f} {row['solve_mib']:>9.0f} "
            f"{per_1000:>8.2f} {per_1000 / base:>7.2f}",
            flush=True,
        )
    print(f"MiB per 1,000 variables+rows: max {worst:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
