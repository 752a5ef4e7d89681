"""How the investment model scales: synthetic regions and Noordoost-Groningen, build and solve.

Usage (repository root, project virtualenv active)::

    python benchmarks/model_scale.py [--sizes 50x40,100x60,200x100,noordoost] [--time-limit 60]
        [--seed 1] [--data-dir ../shared/data] [--only new|baseline|guided] [--guided]
        [--highs-option mip_lp_solver=ipm]

Each size ``ZxS`` is a synthetic region of Z zones and S sites (70 % existing buildings of
a random service with a random end of life, 30 % candidate sites), three services, four
periods, demand around 60 pupils / 800 patients / 300 visitors per zone, straight-line
travel times at 40 km/h x 1.3 detour within a 15-minute cutoff, and a total budget of
EUR 50 M. ``noordoost`` is the real Noordoost-Groningen region (seven gemeenten, CBS PC4
zones, DUO schools, an EXAMPLE set of GP practices and halls, estimated travel times), made
at benchmark time into a temporary folder with the product's own region code
(``benchmarks/noordoost.py``; needs ``--data-dir``).

Every size is solved twice, each in a fresh process (so that peak memory is its own):
``new``, the formulation of issue 15 (the ``host`` variable (C25), as a run builds it)
and ``baseline``, the formulation of main before it (``build_model(data,
host_variable=False)``), both solved as a run solves them (``HighsSession.solve``),
measured in the same run; with ``--guided`` also ``guided``, the new formulation solved
with the LP-guided MIP start (``solve_model(..., guide=[model.start])``). Per size and
formulation the table gives
the model size (variables, rows, nonzeros as handed to HiGHS), data, build and solve time
(s; as in a run, ``--time-limit`` bounds the whole solve stage, the hand-over to HiGHS
included), the status and proven gap at the time limit, peak memory (GiB, the process's maximum
resident set), and the new formulation's build and solve time as ratios to the baseline's.
The last line reads ``largest: ZxS, build B s, solve S s, gap G%`` (the new formulation on
the last size).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

from voorzieningen.errors import SolverError  # noqa: E402
from voorzieningen.model.build import build_model  # noqa: E402
from voorzieningen.model.data import ModelData, build_model_data  # noqa: E402
from voorzieningen.schemas.model import (  # noqa: E402
    BudgetSettings,
    CostSettings,
    ModelOptions,
    Norms,
)
from voorzieningen.schemas.solver import SolverSettings  # noqa: E402
from voorzieningen.solve import HighsSession  # noqa: E402

SERVICES = np.array(["school", "gp", "community_hall"])
DEMAND = {"school": 60.0, "gp": 800.0, "community_hall": 300.0}
PERIODS = [2025, 2030, 2035, 2040]


def synthetic(n_zones: int, n_sites: int, seed: int) -> ModelData:
    rng = np.random.default_rng(seed)
    zones = pd.DataFrame(
        {
            "gemeente": "X",
            "lon": 4 + rng.random(n_zones) * 0.3,
            "lat": 52 + rng.random(n_zones) * 0.3,
        },
        index=pd.Index([f"z{i}" for i in range(n_zones)], name="zone"),
    )
    kind = np.where(rng.random(n_sites) < 0.7, "existing", "candidate")
    sites = pd.DataFrame(
        {
            "name": [f"s{i}" for i in range(n_sites)],
            "kind": kind,
            "service": np.where(kind == "existing", rng.choice(SERVICES, n_sites), ""),
            "allowed_services": "school;gp;community_hall",
            "lon": 4 + rng.random(n_sites) * 0.3,
            "lat": 52 + rng.random(n_sites) * 0.3,
            "floor_area_m2": np.where(kind == "existing", 500 + rng.random(n_sites) * 1000, np.nan),
            "capacity_places": np.nan,
            "end_of_life_year": np.where(
                kind == "existing", rng.choice([2028, 2033, 2045], n_sites), np.nan
            ),
            "sale_value_eur": np.nan,
            "gemeente": "X",
            "managed": True,
            "source": "synthetic",
            "note": "",
        },
        index=pd.Index([f"s{i}" for i in range(n_sites)], name="site"),
    )
    index = pd.MultiIndex.from_product(
        [zones.index, PERIODS, list(SERVICES)], names=["zone", "period", "service"]
    )
    factor = 1 + 0.1 * rng.standard_normal(len(index))
    demand = pd.DataFrame(
        {"demand_persons": [DEMAND[s] * f for (_, _, s), f in zip(index, factor, strict=True)]},
        index=index,
    )
    dx = (zones["lon"].to_numpy()[:, None] - sites["lon"].to_numpy()[None, :]) * 68.0
    dy = (zones["lat"].to_numpy()[:, None] - sites["lat"].to_numpy()[None, :]) * 111.0
    km = np.hypot(dx, dy)
    minutes = km / 40.0 * 60.0 * 1.3
    zi, si = np.nonzero(minutes <= 15.0)
    travel = pd.DataFrame(
        {
            "zone": zones.index[zi],
            "site": sites.index[si],
            "travel_time_min": minutes[zi, si],
            "distance_km": km[zi, si],
        }
    )
    return build_model_data(
        zones=zones,
        sites=sites,
        demand=demand,
        travel_times=travel,
        periods=PERIODS,
        period_years=[5.0] * 4,
        costs=CostSettings(),
        norms=Norms(),
        model_settings=ModelOptions(),
        budgets=BudgetSettings(capex_total_eur=5e7),
    )


def measure(
    size: str,
    formulation: str,
    time_limit: float,
    seed: int,
    data_dir: str,
    highs_options: dict[str, object],
) -> dict:
    """Build and solve one size with one formulation; run in a fresh process."""
    t0 = time.perf_counter()
    if size == "noordoost":
        from noordoost import noordoost_data

        data, nz, ns = noordoost_data(Path(data_dir))
        label = f"{nz}x{ns}"
    else:
        nz, ns = (int(v) for v in size.lower().split("x"))
        data = synthetic(nz, ns, seed)
        label = size
    t1 = time.perf_counter()
    model, objective_scale = build_model(data, host_variable=formulation != "baseline")
    t2 = time.perf_counter()
    settings = SolverSettings(
        time_limit_s=time_limit, mip_rel_gap=0.005, highs_options=dict(highs_options)
    )
    session = HighsSession(settings)
    try:
        if formulation == "guided":
            outcome = session.solve_guided(model, [model.start], objective_scale=objective_scale)
        else:
            # As a run: the time limit bounds the whole solve stage, hand-over included.
            deadline = time.perf_counter() + time_limit
            outcome = session.solve(model, objective_scale=objective_scale, deadline=deadline)
        status, objective, gap = outcome.status, outcome.objective, outcome.gap
    except SolverError:  # the time limit passed without any plan
        status, objective, gap = "no_plan", math.nan, math.inf
    t3 = time.perf_counter()
    highs = session._solver._solver_model
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return {
        "size": size,
        "label": label,
        "formulation": formulation,
        "pairs": len(data.pairs),
        "options": len(data.options),
        "vars": int(highs.getNumCol()),
        "rows": int(highs.getNumRow()),
        "nonzeros": int(highs.getNumNz()),
        "data_s": t1 - t0,
        "build_s": t2 - t1,
        "solve_s": t3 - t2,
        "status": status,
        "objective": objective,
        "gap": gap,
        "peak_gib": peak_gib,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="50x40,100x60,200x100,noordoost")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--only", choices=["new", "baseline", "guided"], default=None)
    parser.add_argument(
        "--guided", action="store_true", help="also measure new + the LP-guided MIP start"
    )
    parser.add_argument(
        "--highs-option",
        action="append",
        default=[],
        help="a HiGHS option NAME=VALUE for every solve, e.g. mip_lp_solver=ipm",
    )
    args = parser.parse_args()
    highs_options = {}
    for item in args.highs_option:
        name, _, text = item.partition("=")
        try:
            highs_options[name] = json.loads(text)
        except json.JSONDecodeError:
            highs_options[name] = text
    formulations = [args.only] if args.only else ["baseline", "new"]
    if args.guided and not args.only:
        formulations.append("guided")
    print(
        f"{'size':>9} {'form':>8} {'pairs':>6} {'vars':>7} {'rows':>7} {'nonzeros':>9} "
        f"{'data_s':>6} {'build_s':>7} {'solve_s':>7} {'status':>20} {'objective':>14} "
        f"{'gap':>7} {'peak_GiB':>8} {'build/base':>10} {'solve/base':>10}",
        flush=True,
    )
    context = multiprocessing.get_context("spawn")
    last = ""
    for size in args.sizes.split(","):
        base: dict | None = None
        for formulation in formulations:
            with context.Pool(1) as pool:
                r = pool.apply(
                    measure,
                    (size, formulation, args.time_limit, args.seed, args.data_dir, highs_options),
                )
            if formulation == "baseline":
                base = r
            ratio_b = f"{r['build_s'] / base['build_s']:>10.2f}" if base else f"{'':>10}"
            ratio_s = f"{r['solve_s'] / base['solve_s']:>10.2f}" if base else f"{'':>10}"
            print(
                f"{r['label']:>9} {formulation:>8} {r['pairs']:>6} {r['vars']:>7} {r['rows']:>7} "
                f"{r['nonzeros']:>9} {r['data_s']:>6.1f} {r['build_s']:>7.1f} "
                f"{r['solve_s']:>7.1f} {r['status']:>20} {r['objective']:>14.1f} "
                f"{r['gap']:>7.2%} {r['peak_gib']:>8.2f} {ratio_b} {ratio_s}",
                flush=True,
            )
            if formulation == "new" or args.only:
                last = (
                    f"largest: {r['label']}, build {r['build_s']:.1f} s, "
                    f"solve {r['solve_s']:.1f} s, gap {r['gap']:.2%}"
                )
    print(last)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
