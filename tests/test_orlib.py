"""Benchmark readers and published optima (shared/benchmarks) reproduced by the presets."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest

from voorzieningen.schemas.solver import SolverSettings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import instances
import orlib

SETTINGS = SolverSettings(time_limit_s=120, mip_rel_gap=orlib.MIP_REL_GAP)


def run(family: str, file: Path, instance: str) -> orlib.Outcome:
    optima = orlib.read_optima(file.parent / "OPTIMA.csv")
    cases = [c for c in orlib.CASE_MAKERS[family](file, optima) if c.instance == instance]
    assert len(cases) == 1, f"{instance} not found for {file}"
    return orlib.run_case(cases[0], SETTINGS)


def check(out: orlib.Outcome) -> None:
    assert not out.error
    assert out.status == "optimal"
    assert out.matched, f"{out.case.instance}: {out.objective!r} != {out.case.published}"


# --------------------------------------------------------------------------- readers


def test_pmed_last_line_wins(tmp_path):
    # edge 1-2 appears twice: the LAST cost (7) counts, not the minimum (3); 1-3-2 = 2+4 = 6
    path = tmp_path / "pmed.txt"
    path.write_text("3 4 1\r\n1 2 3\n1 3 2\t\n2 1 7\n3 2 4\n")
    inst = instances.read_pmed(path)
    assert inst.p == 1
    assert inst.distances.tolist() == [[0, 6, 2], [6, 0, 4], [2, 4, 0]]


def test_cap_tokens_symbolic_capacity_and_wrapped_costs(tmp_path):
    path = tmp_path / "cap.txt"
    path.write_text("2 2\n capacity 7500.\n capacity 10.\n 5\n 1. 2.\n 6\n 3.\n 4.\n")
    inst = instances.read_cap(path)
    assert np.isnan(inst.capacities).all()
    assert inst.fixed_costs.tolist() == [7500, 10]
    assert inst.demands.tolist() == [5, 6]
    assert inst.costs.tolist() == [[1, 2], [3, 4]]
    assert inst.with_capacity(8000).capacities.tolist() == [8000, 8000]


def test_pmedcap_floor_distances(tmp_path):
    path = tmp_path / "pmedcap.txt"
    path.write_text(" 1 5\r\n 3 1 10\r\n 1 0 0 2\r\n 2 3 4 3\r\n 3 1 1 4\r\n")
    inst = instances.read_pmedcap(path)
    # |(0,0)-(3,4)| = 5; |(0,0)-(1,1)| = 1.414 -> 1; |(3,4)-(1,1)| = 3.606 -> 3
    assert inst.distances.tolist() == [[0, 5, 1], [5, 0, 3], [1, 3, 0]]
    assert (inst.p, inst.capacity, inst.stored_optimum) == (1, 10, 5)
    assert inst.demands.tolist() == [2, 3, 4]


def test_generated_cflp_follows_the_recipe():
    inst = instances.generate_cflp(5, 40, 2.5, seed=3)
    assert inst.costs.shape == (40, 5)
    assert inst.capacities.sum() / inst.demands.sum() == pytest.approx(2.5)
    assert ((inst.demands >= 5) & (inst.demands <= 35)).all()
    # fixed cost = U[0, 90] + U[100, 110] * sqrt(capacity)
    low, high = 100 * np.sqrt(inst.capacities), 90 + 110 * np.sqrt(inst.capacities)
    assert ((inst.fixed_costs >= low) & (inst.fixed_costs <= high)).all()
    # cost / demand = 10 x distance in the unit square: at most 10 * sqrt(2)
    per_unit = inst.costs / inst.demands[:, None]
    assert per_unit.max() <= 10 * np.sqrt(2)
    again = instances.generate_cflp(5, 40, 2.5, seed=3)
    assert np.array_equal(again.costs, inst.costs)
    assert not np.array_equal(instances.generate_cflp(5, 40, 2.5, seed=4).costs, inst.costs)


def test_cflpgen_case_solves_and_rejects_bad_specs():
    (case,) = orlib.cflpgen_cases(Path("4x12:3:1"), [])
    out = orlib.run_case(case, SETTINGS)
    assert not out.error
    assert out.status == "optimal"
    assert out.matched is None  # no published optimum
    with pytest.raises(SystemExit, match=r"SITESxCUSTOMERS:RATIO:SEED"):
        orlib.cflpgen_cases(Path("4by12"), [])


def test_matches_tolerances():
    assert orlib.matches(5819.0, "5819", "pmed")
    assert not orlib.matches(5819.5, "5819", "pmed")
    assert orlib.matches(838499.2875, "838499.288", "cap")
    assert not orlib.matches(838499.2860, "838499.288", "cap")
    assert orlib.matches(7403.063810849859, "7403.0638", "mclp")
    assert not orlib.matches(7403.0640, "7403.0638", "mclp")
    assert orlib.matches(2848268129.7145114, "2848268129.7145104", "mclp")
    assert not orlib.matches(2848268140.0, "2848268129.7145104", "mclp")


# --------------------------------------------------------------------------- published optima


@pytest.mark.parametrize("name", ["pmed1", "pmed4", "pmed5"])
def test_pmed(benchmarks_dir, name):
    check(run("pmed", benchmarks_dir / "pmed" / f"{name}.txt", name))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pmed2", "pmed3"])
def test_pmed_slow(benchmarks_dir, name):
    check(run("pmed", benchmarks_dir / "pmed" / f"{name}.txt", name))


@pytest.mark.parametrize(
    "instance", ["cap41", "cap63", "cap71", "cap71-uncap", "cap101", "cap101-uncap", "cap94"]
)
def test_cap(benchmarks_dir, instance):
    file = benchmarks_dir / "cap" / f"{instance.removesuffix('-uncap')}.txt"
    check(run("cap", file, instance))


@pytest.mark.parametrize("name", ["pmedcap01", "pmedcap02", "pmedcap03"])
def test_pmedcap(benchmarks_dir, name):
    check(run("pmedcap", benchmarks_dir / "pmedcap" / f"{name}.txt", name))


@pytest.mark.parametrize(
    "instance", ["sf-mclp-p4-r5000", "sf-pmedian-p4", "sf-lscp-r5000", "sf-pcenter-p4"]
)
def test_sf(benchmarks_dir, instance):
    check(run("mclp", benchmarks_dir / "mclp" / "sf", instance))


def test_sjc(benchmarks_dir):
    check(run("mclp", benchmarks_dir / "mclp" / "SJC324.txt", "SJC324-mclp-p2-S800"))


@pytest.mark.slow
def test_sjc_largest(benchmarks_dir):
    check(run("mclp", benchmarks_dir / "mclp" / "SJC500.txt", "SJC500-mclp-p4-S800"))


def test_script_last_line(benchmarks_dir, capsys):
    code = orlib.main(["cap", str(benchmarks_dir / "cap" / "cap71.txt"), "--time-limit", "60"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    assert lines[-1] == "matched: 2 of 2 published optima"
    assert any(line.startswith("cap71-uncap ") for line in lines)


def test_script_file_without_optima(benchmarks_dir, tmp_path, capsys):
    # a file the OPTIMA.csv does not list is still solved; nothing to match
    src = benchmarks_dir / "pmedcap" / "pmedcap02.txt"
    copy = tmp_path / "mine.txt"
    copy.write_bytes(src.read_bytes())
    code = orlib.main(["pmedcap", str(copy), "--optima", str(tmp_path / "none.csv")])
    out = capsys.readouterr().out.strip().splitlines()
    # pmedcap files carry their optimum in the header, used when OPTIMA.csv has no row
    assert out[-1] == "matched: 1 of 1 published optima"
    assert code == 0


# --------------------------------------------------------------------------- --compare


def test_pmed_cases_stop_at_absolute_gap_below_one(benchmarks_dir):
    case = orlib.pmed_cases(benchmarks_dir / "pmed" / "pmed1.txt", [])[0]
    assert case.abs_gap == orlib.PMED_ABS_GAP == 0.999
    settings = orlib.case_settings(case, SETTINGS)
    assert settings.mip_abs_gap == 0.999
    assert settings.mip_rel_gap == SETTINGS.mip_rel_gap
    assert orlib.integral(np.array([[0.0, 3.0], [np.inf, 2.0]]))
    assert not orlib.integral(np.array([[0.5]]))


def test_textbook_highspy_solves_tiny_pmedian():
    d = np.array([[0.0, 4, 9], [4, 0, 5], [9, 5, 0]])
    for gap in (0.0, 0.999):
        build, solve, objective = orlib.textbook_highspy(d, 1, time_limit=10, mip_abs_gap=gap)
        assert objective == 9
        assert build >= 0
        assert solve >= 0


def test_compare_prints_both_ratios(tmp_path, capsys):
    # 4 points on a line at 0, 1, 5, 6 (edges 1-2: 1, 2-3: 4, 3-4: 1), p = 2 -> cost 2
    path = tmp_path / "tiny.txt"
    path.write_text("4 3 2\n1 2 1\n2 3 4\n3 4 1\n")
    code = orlib.main(
        ["pmed", str(path), "--optima", str(tmp_path / "none.csv"), "--compare", "--repeat", "2"]
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    header = next(k for k, line in enumerate(lines) if line.startswith("compare "))
    for column in ("(c)", "(a)", "(b)", "spopt/ours"):
        assert column in lines[header]
    row = lines[header + 1].split()
    assert row[0] == "tiny"
    # ours, before, ours textbook, highspy, spopt ("-" when the optional `bench` extra is absent)
    spopt = "2" if importlib.util.find_spec("spopt") is not None else "-"
    assert row[-5:] == ["2,", "2,", "2,", "2,", spopt]
    assert lines[header + 2].startswith("total ")
    assert lines[header + 3].startswith("geo-mean ")


def test_print_compare_ratios(capsys):
    case = orlib.Case("x", "p-median", pyo.ConcreteModel)
    out = orlib.Outcome(case, objective=5.0)
    out.extra.update(
        ours=3.0,
        before=12.0,
        assign=4.0,
        highs=2.0,
        spopt=6.0,
        before_obj=5,
        assign_obj=5,
        highs_obj=5,
        spopt_obj=5,
    )
    orlib.print_compare([out])
    lines = capsys.readouterr().out.strip().splitlines()
    row = lines[-3].split()
    # (c) = 3 / 12, (a) = 4 / 2, (b) = 3 / 2, spopt / ours = 6 / 3
    assert row[:10] == [
        "x", "3.000", "12.000", "0.25", "4.000", "2.000", "2.00", "1.50", "6.000", "2.00"
    ]  # fmt: skip
    assert lines[-1].split()[1:] == ["0.25", "2.00", "1.50", "2.00"]


def test_print_compare_without_some_baselines(capsys):
    case = orlib.Case("x", "p-median", pyo.ConcreteModel)
    out = orlib.Outcome(case, objective=5.0)
    out.extra.update(ours=3.0, before=6.0, before_obj=5)
    orlib.print_compare([out])
    row = capsys.readouterr().out.strip().splitlines()[-3].split()
    assert row[:10] == ["x", "3.000", "6.000", "0.50", "-", "-", "-", "-", "-", "-"]


def test_unknown_baseline_is_refused(tmp_path, capsys):
    path = tmp_path / "tiny.txt"
    path.write_text("4 3 2\n1 2 1\n2 3 4\n3 4 1\n")
    with pytest.raises(SystemExit):
        orlib.main(["pmed", str(path), "--compare", "--baselines", "before,cplex"])
    assert "--baselines: unknown ['cplex']" in capsys.readouterr().err
