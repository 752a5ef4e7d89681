"""Reproduce published optima of facility-location benchmarks with voorzieningen's presets.

Usage::

    python benchmarks/orlib.py FAMILY FILE... [--optima PATH] [--time-limit S]
                               [--compare [--repeat N] [--baselines LIST]]

FAMILY is ``pmed``, ``cap``, ``pmedcap``, ``mclp`` (formats: shared/benchmarks/README.md) or
``cflpgen`` (generated CFLP, FILE = ``SITESxCUSTOMERS:RATIO:SEED``, no published optimum).
For ``mclp`` a FILE is either the San Francisco csv directory (``sf/``) or an SJC txt file.
Each FILE yields the cases listed for it in OPTIMA.csv (``--optima``, default: OPTIMA.csv next
to the first FILE): a ``cap`` file gives the capacitated case and, where OPTIMA.csv has it,
the ``-uncap`` case. Files without OPTIMA.csv rows are still solved (parameters from the
file, or the defaults of this benchmark set). One line per case: published optimum, our
objective (recomputed from the plan), proven gap, build and solve time. The last line is
``matched: K of N published optima``.

Our p-median is the reduced radius model (heuristic plan, Lagrangian bound, closed sites,
level caps; models/presets.md section 5), solved with the heuristic plan as MIP start and
the HiGHS options its start carries (no presolve restarts). Build time includes the
reduction.

pmed costs are integers, so pmed cases stop at an absolute gap of 0.999 (``PMED_ABS_GAP``),
which proves optimality; every solver of ``--compare`` gets the same stopping rule.

``--compare`` (pmed only) also times the baselines named in ``--baselines`` (default all):
``before`` (the radius model without reduction, start or options: the model before this
change), ``ours-tb`` (the textbook MIP, x continuous, y binary, built through voorzieningen,
``formulation="assignment"``), ``highspy`` (the same textbook MIP in bare highspy: identical
rows, columns and order) and ``spopt`` (PuLP + CBC); it prints (c) ours / before,
(a) ours-tb / highspy (the modelling layer's overhead on the same MIP), (b) ours / highspy
and spopt / ours, with totals and geometric means; ``--repeat N`` reports medians of N rounds.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from instances import (
    generate_cflp,
    read_cap,
    read_pmed,
    read_pmedcap,
    read_sf,
    read_sjc,
)
from voorzieningen.errors import VoorzieningenError
from voorzieningen.model import presets
from voorzieningen.schemas.solver import SolverSettings
from voorzieningen.solve import HighsSession

FAMILIES = ("pmed", "cap", "pmedcap", "mclp", "cflpgen")
#: Baselines of --compare: the radius model before reduction and warm start, the textbook
#: MIP through voorzieningen, the textbook MIP in bare highspy, spopt + CBC.
BASELINES = ("before", "ours-tb", "highspy", "spopt")
#: Relative MIP gap asked from HiGHS: the README's tightest tolerance (SF, rel 1e-9).
MIP_REL_GAP = 1e-9
#: Absolute gap for pmed (every solver of --compare gets it): OR-Library p-median costs are
#: integers, so every plan's objective is an integer and a gap below 1 proves optimality.
PMED_ABS_GAP = 0.999
#: Defaults for SF / SJC files that OPTIMA.csv does not list (those of this benchmark set).
SF_DEFAULT_P, SF_DEFAULT_S = 4, 5000.0
SJC_DEFAULT_PS, SJC_DEFAULT_S = (2, 4), 800.0


@dataclass
class Case:
    """One benchmark case: a model builder plus what it is compared with."""

    instance: str
    problem: str
    build: Callable[[], presets.PresetModel]
    published: str | None = None
    family: str = ""
    #: distances and p, for --compare (p-median only)
    pmedian: tuple[npt.NDArray[np.float64], int] | None = None
    #: absolute MIP gap for this case (0: only the relative gap); see PMED_ABS_GAP
    abs_gap: float = 0.0


@dataclass
class Outcome:
    case: Case
    objective: float = math.nan
    gap: float = math.nan
    status: str = ""
    build_s: float = math.nan
    solve_s: float = math.nan
    matched: bool | None = None
    error: str = ""
    extra: dict[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------- OPTIMA.csv


def read_optima(path: Path | None) -> list[dict[str, str]]:
    if path is None or not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def parse_params(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in text.split(";"):
        if "=" in part:
            key, value = part.split("=", 1)
            out[key.strip()] = value.strip()
    return out


def rows_for(optima: list[dict[str, str]], file: Path) -> list[dict[str, str]]:
    name = file.name + ("/" if file.is_dir() else "")
    return [r for r in optima if r.get("file", "").strip() == name]


# --------------------------------------------------------------------------- cases


def pmed_cases(file: Path, optima: list[dict[str, str]]) -> list[Case]:
    inst = read_pmed(file)
    rows = rows_for(optima, file) or [{"instance": file.stem}]
    return [
        Case(
            instance=row["instance"],
            problem="p-median",
            build=lambda inst=inst: presets.build_p_median(inst.distances, p=inst.p),
            published=row.get("optimum"),
            family="pmed",
            pmedian=(inst.distances, inst.p),
            abs_gap=PMED_ABS_GAP if integral(inst.distances) else 0.0,
        )
        for row in rows
    ]


def integral(d: npt.NDArray[np.float64]) -> bool:
    """Whether every finite cost is an integer (then so is every plan's objective)."""
    finite = d[np.isfinite(d)]
    return bool(np.array_equal(finite, np.round(finite)))


def cap_cases(file: Path, optima: list[dict[str, str]]) -> list[Case]:
    inst = read_cap(file)
    rows = rows_for(optima, file) or [{"instance": file.stem, "problem": "CFLP"}]
    cases = []
    for row in rows:
        if row.get("problem", "").upper().startswith("UFLP"):
            cases.append(
                Case(
                    instance=row["instance"],
                    problem="UFLP",
                    build=lambda inst=inst: presets.build_uflp(
                        inst.costs, fixed_costs=inst.fixed_costs
                    ),
                    published=row.get("optimum"),
                    family="cap",
                )
            )
            continue
        data = inst
        if np.isnan(inst.capacities).any():
            cap = parse_params(row.get("params", "")).get("capacity")
            if cap is None:
                msg = f"{file.name}: symbolic capacity but no capacity=... in OPTIMA.csv params"
                raise SystemExit(msg)
            data = inst.with_capacity(float(cap))
        cases.append(
            Case(
                instance=row["instance"],
                problem="CFLP",
                build=lambda d=data: presets.build_cflp(
                    d.costs, demands=d.demands, capacities=d.capacities, fixed_costs=d.fixed_costs
                ),
                published=row.get("optimum"),
                family="cap",
            )
        )
    return cases


def pmedcap_cases(file: Path, optima: list[dict[str, str]]) -> list[Case]:
    inst = read_pmedcap(file)
    rows = rows_for(optima, file) or [
        {"instance": file.stem, "optimum": f"{inst.stored_optimum:g}"}
    ]
    return [
        Case(
            instance=row["instance"],
            problem="CPMP",
            build=lambda inst=inst: presets.build_cpmp(
                inst.distances, p=inst.p, demands=inst.demands, capacities=inst.capacity
            ),
            published=row.get("optimum"),
            family="pmedcap",
        )
        for row in rows
    ]


def _cover_case(
    instance: str, problem: str, d: Any, w: Any, params: dict[str, str], published: str | None
) -> Case:
    key = problem.lower()
    p = int(params.get("p", "0") or 0)
    s = float(params.get("S", "nan"))
    build: Callable[[], presets.PresetModel]
    if key.startswith("mclp"):
        name = "MCLP"

        def build() -> presets.PresetModel:
            return presets.build_mclp(d, p=p, radius=s, weights=w)
    elif key.startswith("lscp"):
        name = "LSCP"

        def build() -> presets.PresetModel:
            return presets.build_lscp(d, radius=s)
    elif key.startswith("p-center"):
        name = "p-center"

        def build() -> presets.PresetModel:
            return presets.build_p_center(d, p=p)
    elif key.startswith("p-median"):
        name = "p-median (weighted)"

        def build() -> presets.PresetModel:
            return presets.build_p_median(d, p=p, weights=w)
    else:
        msg = f"{instance}: unknown problem {problem!r}"
        raise SystemExit(msg)
    return Case(instance, name, build, published, "mclp")


def mclp_cases(file: Path, optima: list[dict[str, str]]) -> list[Case]:
    if file.is_dir():
        inst = read_sf(file)
        rows = rows_for(optima, file)
        if not rows:
            p, s = str(SF_DEFAULT_P), f"{SF_DEFAULT_S:g}"
            rows = [
                {"instance": f"sf-mclp-p{p}-r{s}", "problem": "MCLP", "params": f"p={p};S={s}"},
                {"instance": f"sf-pmedian-p{p}", "problem": "p-median", "params": f"p={p}"},
                {"instance": f"sf-lscp-r{s}", "problem": "LSCP", "params": f"S={s}"},
                {"instance": f"sf-pcenter-p{p}", "problem": "p-center", "params": f"p={p}"},
            ]
    else:
        inst = read_sjc(file)
        rows = rows_for(optima, file) or [
            {
                "instance": f"{file.stem}-mclp-p{p}-S{SJC_DEFAULT_S:g}",
                "problem": "MCLP",
                "params": f"p={p};S={SJC_DEFAULT_S:g}",
            }
            for p in SJC_DEFAULT_PS
        ]
    return [
        _cover_case(
            r["instance"],
            r["problem"],
            inst.distances,
            inst.weights,
            parse_params(r.get("params", "")),
            r.get("optimum"),
        )
        for r in rows
    ]


def cflpgen_cases(spec: Path, optima: list[dict[str, str]]) -> list[Case]:
    """Generated CFLP (Cornuéjols et al. 1991): ``SITESxCUSTOMERS:RATIO:SEED``, no optimum."""
    try:
        size, ratio, seed = str(spec).split(":")
        m, n = (int(v) for v in size.split("x"))
        data = generate_cflp(m, n, float(ratio), int(seed))
    except ValueError as err:
        msg = f"cflpgen: expected SITESxCUSTOMERS:RATIO:SEED (e.g. 100x1000:2:1), got {spec}"
        raise SystemExit(msg) from err
    del optima
    return [
        Case(
            instance=f"cflp-{size}-r{ratio}-s{seed}",
            problem="CFLP",
            build=lambda: presets.build_cflp(
                data.costs,
                demands=data.demands,
                capacities=data.capacities,
                fixed_costs=data.fixed_costs,
            ),
            family="cflpgen",
        )
    ]


CASE_MAKERS: dict[str, Callable[[Path, list[dict[str, str]]], list[Case]]] = {
    "cflpgen": cflpgen_cases,
    "pmed": pmed_cases,
    "cap": cap_cases,
    "pmedcap": pmedcap_cases,
    "mclp": mclp_cases,
}


# --------------------------------------------------------------------------- matching


def matches(ours: float, published: str, family: str) -> bool:
    """Whether our objective reproduces a published value (tolerances of the README).

    Integers exactly; ``cap`` values (published with 3 decimals, rounded) within 1e-3
    absolute or 1e-9 relative; other decimals within 1e-9 relative, or within half a unit
    of their last published decimal when that is looser (values printed rounded, e.g.
    sf-pcenter-p4 = 7403.0638).
    """
    if not math.isfinite(ours):
        return False
    text = published.strip()
    value = float(text)
    if "." not in text and "e" not in text.lower():
        return abs(ours - value) <= 1e-6
    rel = 1e-9 * max(abs(value), 1.0)
    if family == "cap":
        return abs(ours - value) <= max(1e-3, rel)
    decimals = len(text.split(".", 1)[1])
    return abs(ours - value) <= max(rel, 0.5 * 10.0**-decimals)


# --------------------------------------------------------------------------- running


def case_settings(case: Case, settings: SolverSettings) -> SolverSettings:
    """The run's settings with the case's absolute gap."""
    if not case.abs_gap:
        return settings
    return settings.model_copy(update={"mip_abs_gap": case.abs_gap})


def run_case(
    case: Case,
    settings: SolverSettings,
    build: Callable[[], presets.PresetModel] | None = None,
) -> Outcome:
    """Build (``case.build`` unless ``build`` is given), solve and evaluate one case.

    Build and solve are timed apart; the case's absolute gap is added to ``settings``.
    """
    out = Outcome(case)
    settings = case_settings(case, settings)
    try:
        start = time.perf_counter()
        built = (build or case.build)()
        out.build_s = time.perf_counter() - start
        start = time.perf_counter()
        warm = presets.set_start(built)  # the p-median's heuristic plan, as a MIP start
        if built.spec.start is not None and built.spec.start.highs_options:
            options = {**built.spec.start.highs_options, **settings.highs_options}
            settings = settings.model_copy(update={"highs_options": options})
        result = HighsSession(settings).solve(built.model, warm_start=warm)
        out.solve_s = time.perf_counter() - start
        plan = presets.extract_solution(built)
    except VoorzieningenError as err:
        out.error = f"{type(err).__name__}: {err}"
        out.matched = False if case.published else None
        return out
    out.objective = plan.objective
    # HiGHS' own objective, against the plan's (a presolve slip once made them differ)
    out.extra["solver_objective"] = result.objective
    out.gap = result.gap
    out.status = result.status
    if case.published:
        out.matched = matches(plan.objective, case.published, case.family)
    return out


def textbook_highspy(
    d: npt.NDArray[np.float64], p: int, *, time_limit: float, mip_abs_gap: float = 0.0
) -> tuple[float, float, float]:
    """Textbook p-median in bare highspy from numpy arrays: (build_s, solve_s, objective).

    sum_j x_ij = 1, x_ij <= y_j, sum_j y_j = p; x continuous, y binary.
    """
    import highspy

    start = time.perf_counter()
    n, m = d.shape
    nx = n * m
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", MIP_REL_GAP)
    h.setOptionValue("time_limit", time_limit)
    if mip_abs_gap:
        h.setOptionValue("mip_abs_gap", mip_abs_gap)
    inf = highspy.kHighsInf
    h.addVars(m + nx, np.zeros(m + nx), np.ones(m + nx))
    cols = np.arange(m + nx, dtype=np.int32)
    h.changeColsCost(m + nx, cols, np.concatenate((np.zeros(m), d.ravel())))
    kint = highspy.HighsVarType.kInteger
    h.changeColsIntegrality(m, cols[:m], np.array([kint] * m))
    pp = np.array([float(p)])
    h.addRows(1, pp, pp, m, np.zeros(1, dtype=np.int32), cols[:m], np.ones(m))
    x = (m + np.arange(nx)).astype(np.int32)
    h.addRows(n, np.ones(n), np.ones(n), nx, (np.arange(n) * m).astype(np.int32), x, np.ones(nx))
    idx = np.empty(2 * nx, dtype=np.int32)
    idx[0::2] = x
    idx[1::2] = np.tile(np.arange(m, dtype=np.int32), n)
    val = np.empty(2 * nx)
    val[0::2], val[1::2] = 1.0, -1.0
    starts = (2 * np.arange(nx)).astype(np.int32)
    h.addRows(nx, np.full(nx, -inf), np.zeros(nx), 2 * nx, starts, idx, val)
    built = time.perf_counter()
    h.run()
    solved = time.perf_counter()
    return built - start, solved - built, float(h.getInfo().objective_function_value)


def spopt_cbc(
    d: npt.NDArray[np.float64], p: int, *, time_limit: float, gap_abs: float = 0.0
) -> tuple[float, float, float]:
    """spopt PMedian + PuLP's CBC: (build_s, solve_s, objective)."""
    import pulp
    from spopt.locate import PMedian

    start = time.perf_counter()
    model = PMedian.from_cost_matrix(d, np.ones(d.shape[0]), p_facilities=p)
    built = time.perf_counter()
    model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapAbs=gap_abs or None))
    solved = time.perf_counter()
    return built - start, solved - built, float(pulp.value(model.problem.objective))


def compare(
    out: Outcome,
    settings: SolverSettings,
    repeat: int = 1,
    baselines: frozenset[str] | set[str] = frozenset(BASELINES),
) -> None:
    """Time the --compare variants of a p-median case; store medians in ``out.extra``.

    ``out`` holds the first run of our default model. Each round runs, in this order, our
    default model (rounds after the first), the radius model before reduction and warm start
    (``reduce=False``, "before"), our textbook model (``formulation="assignment"``) and the
    textbook model in bare highspy; ``repeat`` rounds give medians. spopt + CBC runs once
    (its ratio is far from 1, and it is slow). Every solver gets the case's absolute gap.
    Only the ``baselines`` named run.
    """
    case = out.case
    if case.pmedian is None:
        return
    d, p = case.pmedian
    limit = settings.time_limit_s
    times: dict[str, list[float]] = {"ours": [out.build_s + out.solve_s]}
    objectives: dict[str, float] = {}
    for k in range(repeat):
        if k:
            again = run_case(case, settings)
            times["ours"].append(again.build_s + again.solve_s)
        if "before" in baselines:
            old = run_case(case, settings, lambda: presets.build_p_median(d, p=p, reduce=False))
            times.setdefault("before", []).append(old.build_s + old.solve_s)
            objectives["before_obj"] = old.objective
        if "ours-tb" in baselines:
            alt = run_case(
                case, settings, lambda: presets.build_p_median(d, p=p, formulation="assignment")
            )
            times.setdefault("assign", []).append(alt.build_s + alt.solve_s)
            objectives["assign_obj"] = alt.objective
        if "highspy" in baselines:
            b, s, obj = textbook_highspy(d, p, time_limit=limit, mip_abs_gap=case.abs_gap)
            times.setdefault("highs", []).append(b + s)
            objectives["highs_obj"] = obj
    out.extra.update({k: float(np.median(v)) for k, v in times.items()}, **objectives)
    if "spopt" not in baselines:
        return
    try:
        b, s, obj = spopt_cbc(d, p, time_limit=limit, gap_abs=case.abs_gap)
    except ImportError:
        return
    out.extra.update(spopt=b + s, spopt_obj=obj)


# --------------------------------------------------------------------------- output


def fmt(value: float, spec: str = ".3f") -> str:
    return "-" if not math.isfinite(value) else format(value, spec)


def print_row(out: Outcome) -> None:
    c = out.case
    match = {True: "yes", False: "NO", None: "-"}[out.matched]
    ours = out.error or repr(out.objective).removesuffix(".0")
    print(
        f"{c.instance:<22} {c.problem:<20} {c.published or '-':>20} {ours:>20} "
        f"{fmt(out.gap, '.1e'):>8} {fmt(out.build_s):>8} {fmt(out.solve_s):>8} {match:>5}",
        flush=True,
    )


def geomean(values: Sequence[float]) -> float:
    return math.exp(float(np.mean(np.log(values)))) if values else math.nan


def print_compare(outs: Sequence[Outcome]) -> None:
    """Print the --compare table: (c) ours / before (the radius model without reduction and
    warm start), (a) textbook through Pyomo / bare textbook, (b) ours / bare textbook,
    spopt / ours; totals and geometric means of the ratios. Missing baselines print '-'."""
    rows = [o for o in outs if "ours" in o.extra]
    if not rows:
        return
    print()
    print(
        "(c) = ours / before (radius model, no reduction, no warm start); (a) = ours textbook "
        "/ highspy textbook (modelling-layer overhead); (b) = ours / highspy textbook; "
        "times = build + solve (s)"
    )
    print(
        f"{'compare':<10} {'ours':>8} {'before':>8} {'(c)':>6} {'ours-tb':>8} {'highspy':>8} "
        f"{'(a)':>6} {'(b)':>6} {'spopt':>8} {'spopt/ours':>10}  objectives (ours, before, "
        "ours-tb, highspy, spopt)"
    )
    keys = ("ours", "before", "assign", "highs", "spopt")
    ratios: dict[str, list[float]] = {"c": [], "a": [], "b": [], "s": []}
    totals = dict.fromkeys(keys, 0.0)
    for o in rows:
        e = {k: o.extra.get(k, math.nan) for k in (*keys, *(f"{k}_obj" for k in keys))}
        r = {
            "c": e["ours"] / e["before"],
            "a": e["assign"] / e["highs"],
            "b": e["ours"] / e["highs"],
            "s": e["spopt"] / e["ours"],
        }
        for k, v in r.items():
            if math.isfinite(v):
                ratios[k].append(v)
        for key in totals:
            totals[key] += e[key]
        objs = ", ".join(
            fmt(v, "g")
            for v in (o.objective, e["before_obj"], e["assign_obj"], e["highs_obj"], e["spopt_obj"])
        )
        print(
            f"{o.case.instance:<10} {e['ours']:>8.3f} {fmt(e['before']):>8} {fmt(r['c'], '.2f'):>6} "
            f"{fmt(e['assign']):>8} {fmt(e['highs']):>8} {fmt(r['a'], '.2f'):>6} "
            f"{fmt(r['b'], '.2f'):>6} {fmt(e['spopt']):>8} {fmt(r['s'], '.2f'):>10}  {objs}"
        )
    t = totals
    print(
        f"{'total':<10} {t['ours']:>8.3f} {fmt(t['before']):>8} "
        f"{fmt(t['ours'] / t['before'], '.2f'):>6} {fmt(t['assign']):>8} {fmt(t['highs']):>8} "
        f"{fmt(t['assign'] / t['highs'], '.2f'):>6} {fmt(t['ours'] / t['highs'], '.2f'):>6} "
        f"{fmt(t['spopt']):>8} {fmt(t['spopt'] / t['ours'], '.2f'):>10}"
    )
    g = {k: fmt(geomean(v), ".2f") for k, v in ratios.items()}
    print(
        f"{'geo-mean':<10} {'':>8} {'':>8} {g['c']:>6} {'':>8} {'':>8} {g['a']:>6} {g['b']:>6} "
        f"{'':>8} {g['s']:>10}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("family", choices=FAMILIES)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--optima", type=Path, default=None, help="OPTIMA.csv to compare with")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds per solve")
    parser.add_argument("--compare", action="store_true", help="pmed: time highspy and spopt")
    parser.add_argument(
        "--repeat", type=int, default=1, help="--compare: rounds per variant (medians)"
    )
    parser.add_argument(
        "--baselines",
        default=",".join(BASELINES),
        help=f"--compare: comma-separated subset of {','.join(BASELINES)}",
    )
    args = parser.parse_args(argv)
    optima_path = args.optima or args.files[0].resolve().parent / "OPTIMA.csv"
    optima = read_optima(optima_path)
    settings = SolverSettings(time_limit_s=args.time_limit, mip_rel_gap=MIP_REL_GAP)
    baselines = {b.strip() for b in args.baselines.split(",") if b.strip()}
    if baselines - set(BASELINES):
        parser.error(f"--baselines: unknown {sorted(baselines - set(BASELINES))}")
    print(f"# {args.family}: {len(args.files)} files; optima from {optima_path}")
    print(
        f"{'instance':<22} {'problem':<20} {'published':>20} {'ours':>20} "
        f"{'gap':>8} {'build_s':>8} {'solve_s':>8} {'match':>5}"
    )
    outs: list[Outcome] = []
    for file in args.files:
        for case in CASE_MAKERS[args.family](file, optima):
            out = run_case(case, settings)
            if args.compare:
                compare(out, settings, max(1, args.repeat), baselines)
            print_row(out)
            outs.append(out)
    if args.compare:
        print_compare(outs)
    n = sum(o.case.published is not None for o in outs)
    k = sum(bool(o.matched) for o in outs)
    print(f"matched: {k} of {n} published optima")
    return 0 if k == n else 1


if __name__ == "__main__":
    sys.exit(main())
