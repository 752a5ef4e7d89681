"""How the investment model scales: synthetic regions of growing size, build and solve.

Usage (repository root, project virtualenv active)::

    python benchmarks/model_scale.py [--sizes 50x40,100x60,200x100] [--time-limit 60] [--seed 1]

Each size ``ZxS`` is a synthetic region of Z zones and S sites (70 % existing buildings of
a random service with a random end of life, 30 % candidate sites), three services, four
periods, demand around 60 pupils / 800 patients / 300 visitors per zone, straight-line
travel times at 40 km/h x 1.3 detour within a 15-minute cutoff, and a total budget of
EUR 50 M. The baseline measured in the same run is the time to build the model's data
(pandas); the table gives model build and solve time, their ratio to that baseline, the
model size, the solver status and the proven gap at the time limit. The last line reads
``largest: ZxS, build B s, solve S s, gap G%``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from voorzieningen.model.build import build_model  # noqa: E402
from voorzieningen.model.data import ModelData, build_model_data  # noqa: E402
from voorzieningen.schemas.model import (  # noqa: E402
    BudgetSettings,
    CostSettings,
    ModelOptions,
    Norms,
)
from voorzieningen.schemas.solver import SolverSettings  # noqa: E402
from voorzieningen.solve import solve_model  # noqa: E402

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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="50x40,100x60,200x100")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(
        f"{'size':>8} {'pairs':>7} {'options':>7} {'vars':>8} {'cons':>8} {'data_s':>7} {'build_s':>8} "
        f"{'solve_s':>8} {'build/data':>10} {'solve/data':>10} {'status':>20} {'gap':>8}"
    )
    last = ""
    for size in args.sizes.split(","):
        nz, ns = (int(v) for v in size.lower().split("x"))
        t0 = time.perf_counter()
        data = synthetic(nz, ns, args.seed)
        t1 = time.perf_counter()
        model, objective_scale = build_model(data)
        t2 = time.perf_counter()
        outcome = solve_model(
            model,
            SolverSettings(time_limit_s=args.time_limit, mip_rel_gap=0.005),
            objective_scale=objective_scale,
        )
        t3 = time.perf_counter()
        n_var = sum(1 for _ in model.component_data_objects(pyo.Var))
        n_con = sum(1 for _ in model.component_data_objects(pyo.Constraint, active=True))
        base = t1 - t0
        print(
            f"{size:>8} {len(data.pairs):>7} {len(data.options):>7} {n_var:>8} {n_con:>8} {base:>7.2f} "
            f"{t2 - t1:>8.2f} {t3 - t2:>8.1f} {(t2 - t1) / base:>10.1f} {(t3 - t2) / base:>10.1f} "
            f"{outcome.status:>20} {outcome.gap:>8.2%}",
            flush=True,
        )
        last = (
            f"largest: {size}, build {t2 - t1:.1f} s, solve {t3 - t2:.1f} s, gap {outcome.gap:.2%}"
        )
    print(last)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
