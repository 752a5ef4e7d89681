"""Large capacitated facility location (CFLP): the reduced preset against the plain MIP.

Usage::

    python benchmarks/cflp_large.py [--size 100x1000] [--ratios 1.5,2,3,4] [--seeds 1]
                                    [--time-limit 300] [--gap 1e-4] [--no-baseline]

Instances are generated, seeded, with the Cornuéjols, Sridharan & Thizy (1991) recipe of the
OR-Library's large CFLP sets (``instances.generate_cflp``; nothing is stored). Per instance
(SITESxCUSTOMERS, capacity ratio = total capacity / total demand, seed) it solves

- **ours**: ``build_cflp(..., reduce=True)``: the reduction (Lagrangian bound, heuristic
  plan, sites closed or opened by the bound; ``models/presets.md`` section 6; build time
  includes the reduction), the plan handed to HiGHS as MIP start;
- **plain**: ``build_cflp(..., reduce=False)``, the same MIP without reduction or start;

both through ``voorzieningen.solve.HighsSession`` with the same time limit and relative gap
(``--gap``, default 1e-4: HiGHS' own default, the issue's "proven optimal"), in the same
run, and prints size, build and solve seconds, HiGHS status, proven gap,
objective, the reduction's bounds and fixed sites, and the ratio of the times
(ours / plain, build + solve). The last line is
``proven optimal: K of N within T s (plain: K0)``, counting an instance when HiGHS proves
the gap, its objective is the plan's, and build + solve take at most T s; exit code 0
when K = N.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from functools import partial

import numpy as np

from instances import CapInstance, generate_cflp
from orlib import Case, Outcome, run_case
from voorzieningen.model import presets
from voorzieningen.schemas.solver import SolverSettings


def build(data: CapInstance, *, reduce: bool) -> presets.PresetModel:
    """The CFLP preset of a generated instance."""
    return presets.build_cflp(
        data.costs,
        demands=data.demands,
        capacities=data.capacities,
        fixed_costs=data.fixed_costs,
        reduce=reduce,
    )


def keep(
    kept: dict[str, presets.PresetModel], data: CapInstance, reduce: bool
) -> presets.PresetModel:
    """Build the preset and keep it (the reduction's bounds are printed after the solve)."""
    kept["built"] = build(data, reduce=reduce)
    return kept["built"]


def reduction_text(built: presets.PresetModel) -> str:
    """Bounds and fixed sites of the reduction, from the built model."""
    start = built.spec.start
    if start is None:
        return "-"
    opens = list(built.model.open.values())
    closed = sum(v.ub == 0 for v in opens)
    forced = sum(v.lb == 1 for v in opens)
    gap = (start.upper_bound - start.lower_bound) / abs(start.upper_bound)
    return (
        f"U {start.upper_bound:.2f} L {start.lower_bound:.2f} ({gap:.2%}) "
        f"closed {closed} forced {forced} of {len(opens)}"
    )


def row(label: str, out: Outcome, extra: str) -> str:
    total = out.build_s + out.solve_s
    return (
        f"  {label:<6} build {out.build_s:7.2f}  solve {out.solve_s:7.2f}  total {total:7.2f}  "
        f"{out.status or out.error:<22} gap {out.gap:8.1e}  objective {out.objective:.4f}"
        f"{'' if consistent(out) else ' (HiGHS objective differs!)'}  {extra}"
    )


def consistent(out: Outcome) -> bool:
    """HiGHS' objective is the plan's (else its gap proves nothing about the plan)."""
    solver = out.extra.get("solver_objective", math.nan)
    return math.isclose(solver, out.objective, rel_tol=1e-7)


def within(out: Outcome, limit: float) -> bool:
    """Proven optimal (to the gap), consistent, with build + solve at most ``limit`` s."""
    return out.status == "optimal" and consistent(out) and out.build_s + out.solve_s <= limit


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100x1000", help="SITESxCUSTOMERS")
    parser.add_argument("--ratios", default="1.5,2,3,4", help="capacity / demand, comma-separated")
    parser.add_argument("--seeds", default="1", help="comma-separated seeds")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds per solve")
    parser.add_argument("--gap", type=float, default=1e-4, help="relative MIP gap that stops")
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain MIP")
    args = parser.parse_args(argv)
    m, n = (int(v) for v in args.size.split("x"))
    ratios = [float(r) for r in args.ratios.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    settings = SolverSettings(time_limit_s=args.time_limit, mip_rel_gap=args.gap)
    print(
        f"# CFLP {m} sites x {n} customers, time limit {args.time_limit:g} s per solve, "
        f"relative gap {args.gap:g}; load average {os.getloadavg()[0]:.2f}"
    )
    proven, proven_plain, count = 0, 0, 0
    times: list[float] = []
    for ratio in ratios:
        for seed in seeds:
            data = generate_cflp(m, n, ratio, seed)
            name = f"cflp-{m}x{n}-r{ratio:g}-s{seed}"
            print(name, flush=True)
            kept: dict[str, presets.PresetModel] = {}
            case = Case(name, "CFLP", partial(keep, kept, data, True), family="cflpgen")
            ours = run_case(case, settings)
            print(row("ours", ours, reduction_text(kept["built"])), flush=True)
            count += 1
            proven += within(ours, args.time_limit)
            if args.no_baseline:
                continue
            plain_case = Case(name, "CFLP", partial(keep, kept, data, False), family="cflpgen")
            plain = run_case(plain_case, settings)
            proven_plain += within(plain, args.time_limit)
            ratio_t = (ours.build_s + ours.solve_s) / (plain.build_s + plain.solve_s)
            times.append(ratio_t)
            same = math.isclose(ours.objective, plain.objective, rel_tol=1e-6)
            print(row("plain", plain, f"ours/plain {ratio_t:.2f}, same objective: {same}"))
    if times:
        print(f"ours/plain time: geometric mean {math.exp(np.mean(np.log(times))):.2f}")
    plain_text = "-" if args.no_baseline else str(proven_plain)
    print(
        f"proven optimal: {proven} of {count} within {args.time_limit:g} s (plain: {plain_text})"
    )
    return 0 if proven == count else 1


if __name__ == "__main__":
    sys.exit(main())
