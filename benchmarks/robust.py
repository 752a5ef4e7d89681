"""Time a robust plan over population variants against one single-variant plan (issue 16).

    python benchmarks/robust.py [SCENARIO_FILE] [--scenario robust] [--data-dir ../shared/data]
                                [--out-dir DIR]

Runs :func:`voorzieningen.robust.run_robust` once and prints, per step, its wall-clock and
process CPU seconds and the ratio to the baseline measured in the same run: the solve of the
reference variant alone (an ordinary run's solve). Then the plans' objectives and regrets
(``robust.csv``). On the shared 2-core VM the wall-clock figures depend on what else runs;
the CPU seconds and the ratios much less.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from voorzieningen import tables as T
from voorzieningen.context import resolve_context
from voorzieningen.robust import run_robust, write_robust


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario_file", nargs="?", default="inputs/het-hogeland/scenarios.toml")
    parser.add_argument("--scenario", default="robust")
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--out-dir", default=None)
    args = parser.parse_args()
    steps: list[tuple[str, float, float]] = []
    wall0, cpu0 = time.perf_counter(), time.process_time()
    last = [wall0, cpu0]
    names: list[str] = []

    def progress(step: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        if names:
            steps.append((names[-1], wall - last[0], cpu - last[1]))
        names.append(step)
        last[:] = [wall, cpu]
        print(f"{wall - wall0:8.1f} s  {step}", flush=True)

    scenario, context = resolve_context(
        Path(args.scenario_file), name=args.scenario, sets=None, data_dir=args.data_dir,
        region_dir=None, cache_dir=None,
    )  # fmt: skip
    robust = run_robust(scenario, context, progress=progress)
    wall, cpu = time.perf_counter(), time.process_time()
    steps.append((names[-1], wall - last[0], cpu - last[1]))
    table = pd.DataFrame(steps, columns=["step", "wall_s", "cpu_s"])
    base = table.loc[table["step"] == f"solve {robust.reference} alone"].iloc[0]
    table["wall_ratio"] = table["wall_s"] / base["wall_s"]
    table["cpu_ratio"] = table["cpu_s"] / base["cpu_s"]
    total = pd.DataFrame(
        [["total", wall - wall0, cpu - cpu0, (wall - wall0) / base["wall_s"], (cpu - cpu0) / base["cpu_s"]]],
        columns=table.columns,
    )  # fmt: skip
    pd.set_option("display.width", 200)
    print(pd.concat([table, total]).to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    cols = [T.PLAN, T.VARIANT, T.OBJECTIVE_VALUE, T.REGRET, T.EXPECTED_OBJECTIVE_VALUE]
    cols += [T.MAX_REGRET, T.NPV_COST_EUR, T.STATUS, T.GAP]
    print(robust.table[cols].to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    if args.out_dir:
        print(write_robust(robust, args.out_dir))


if __name__ == "__main__":
    main()
