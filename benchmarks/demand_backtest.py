"""Back-test of the demand projection on real history: krimp gemeenten 1-1-2017 -> 1-1-2022.

Starts from the CBS wijk- en buurtkaart 2017 population and broad age structure of the 2017
predecessors of the 25 krimp gemeenten (2022 indeling, list in data/cbs/PROVENANCE.md),
calibrates fertility, mortality and migration ONLY on CBS 37259 flows of 2012-2016, projects
each 2017 gemeente to 1-1-2022 (scenario ``mid``), sums predecessors into their 2022
gemeente (whole gemeenten, and the Winsum share that went to Het Hogeland in 2019) and
compares with CBS kerncijfers 2022: error of the total and of the 65+ share, against the
naive "no change" forecast (2017 values carried forward).

Caveats, printed with the results: the 2017 and 2022 age shares are CBS percentages rounded to
whole numbers, so the measured 65+ error includes up to ~0.5 pt rounding at each end; the
within-band age shape used to split the 2017 broad bands is the national one (derived from
the 2021 national table aged back - national, not local, information).

Second test, out of sample 1-1-2021 -> 1-1-2024: the CBS PC4 population of 1-1-2021 of the
25 krimp gemeenten (PC4 -> gemeente from the CBS postcode file), calibrated ONLY on data up to
the base year (flows 2016-2020, age structure 2017 for migration by age), projected to 2024;
the projected growth is applied to CBS 37259's 1-1-2021 total and compared with its
31-12-2023 total, against "no change". Targets: median abs error of the total <= 1.0 % and
below no-change.

Usage: ``python benchmarks/demand_backtest.py [--data-dir DIR]`` (default: env
``VOORZIENINGEN_DATA_DIR`` or ``<repo>/../shared/data``).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from voorzieningen.demand import (
    AGE_BANDS,
    calibrate_rates,
    gemeente_flows,
    gemeente_mergers,
    load_history,
    load_population,
    map_gemeente_codes,
    project_population,
)
from voorzieningen.errors import VoorzieningenWarning
from voorzieningen.schemas.demand import DemandSettings

REPO = Path(__file__).resolve().parents[1]
KWB2017 = "cbs/cbs_wijkbuurtkaart2017v1_gemeenten_nl.csv"
KWB2022 = "cbs/cbs_kwb2022_gemeenten_nl.csv"
HISTORY = "cbs/cbs_37259eng_bevolkingsontwikkeling_regio_2012_2023.csv"
PC4_AGES = "cbs/cbs_pc4_inwoners_leeftijd5jr_2021_nl.csv"
PC4_GEMEENTE = "cbs/cbs_postcodes_pc2_pc3_pc4_inwoners_2021_nl.csv"

#: The 25 krimp gemeenten, 2022 indeling (data/cbs/PROVENANCE.md).
KRIMP_2022: tuple[str, ...] = (
    "GM0917", "GM0928", "GM0882", "GM0899", "GM0965", "GM0986", "GM1954",
    "GM1729", "GM0981", "GM1903",
    "GM1966", "GM1979", "GM1895", "GM0765", "GM1950", "GM0047", "GM0037",
    "GM1714", "GM0677", "GM0715",
    "GM0197", "GM0294", "GM1586", "GM1859", "GM1509",
)  # fmt: skip

#: Targets of issue #4.
TARGET_TOTAL_PCT = 2.0
TARGET_65_PT = 1.5
#: Target of issue #12 for the out-of-sample 2021 -> 2024 test (and: below no-change).
TARGET_2021_TOTAL_PCT = 1.0


@dataclass(frozen=True)
class Backtest:
    """Per-gemeente comparison and the four medians (percent and percentage points)."""

    table: pd.DataFrame
    median_total_pct: float
    median_65_pt: float
    naive_total_pct: float
    naive_65_pt: float


def default_data_dir() -> Path:
    """Return the data directory from the environment or next to the repository."""
    return Path(os.environ.get("VOORZIENINGEN_DATA_DIR", str(REPO.parent / "shared" / "data")))


def predecessors(codes_2022: tuple[str, ...], codes_2017: set[str]) -> pd.DataFrame:
    """
    Map each 2022 gemeente to its 2017 predecessors (with the share of each that went to it).

    Parameters
    ----------
    codes_2022
        Gemeente codes in the 2022 indeling.
    codes_2017
        Gemeente codes that exist in the 2017 file.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_2022``, ``code_2017``, ``fraction``.
    """
    mergers = gemeente_mergers()
    rows: list[tuple[str, str, float]] = []

    def expand(code: str, target: str, share: float) -> None:
        if code in codes_2017:
            rows.append((target, code, share))
            return
        parts = mergers[mergers["new_code"] == code]
        if parts.empty:
            msg = f"{code}: not in the 2017 file and no merger known"
            raise SystemExit(msg)
        for old, fraction in zip(parts["old_code"], parts["fraction"], strict=True):
            expand(str(old), target, share * float(fraction))

    for code in codes_2022:
        expand(code, code, 1.0)
    return pd.DataFrame(rows, columns=["code_2022", "code_2017", "fraction"])


def run_backtest(data_dir: Path, *, scenario: str = "mid") -> Backtest:
    """
    Run the 2017 -> 2022 back-test.

    Parameters
    ----------
    data_dir
        Shared data directory (contains ``cbs/``).
    scenario
        Population scenario to project.

    Returns
    -------
    Backtest
        Per-gemeente table and medians of absolute errors.
    """
    all_2017 = pd.read_csv(data_dir / KWB2017, dtype={"GM_CODE": str})
    links = predecessors(KRIMP_2022, set(all_2017["GM_CODE"].str.strip()))
    codes_2017 = sorted(set(links["code_2017"]))
    base = load_population(data_dir / KWB2017, zones=codes_2017, source_format="cbs_kwb")
    history = load_history(data_dir / HISTORY)
    # no age structure before 2017 in the data: migration by age stays Rogers-Castro here
    settings = DemandSettings(
        base_year=2017, calibration_years=5, scenario=scenario, migration_age_source=None
    )
    identity = pd.Series(codes_2017, index=codes_2017)
    calibration = calibrate_rates(base, identity, history, base_year=2017, settings=settings)
    projected = project_population(
        base,
        base_year=2017,
        periods=[2022],
        calibration=calibration,
        zone_gemeente=identity,
        settings=settings,
    )

    def summarise(frame: pd.DataFrame) -> pd.DataFrame:
        persons = frame["population_persons"]
        bands = frame.index.get_level_values("age_band")
        old = bands.isin(AGE_BANDS[13:])  # 65-69 ... 95+
        by_zone = pd.DataFrame(
            {
                "total": persons.groupby(level="zone").sum(),
                "old": persons[old].groupby(level="zone").sum(),
            }
        )
        merged = links.merge(by_zone, left_on="code_2017", right_index=True)
        merged[["total", "old"]] = merged[["total", "old"]].mul(merged["fraction"], axis=0)
        return merged.groupby("code_2022")[["total", "old"]].sum()

    start = summarise(base)
    end = summarise(projected[projected.index.get_level_values("period") == 2022])
    actual = pd.read_csv(data_dir / KWB2022).set_index("code").loc[list(KRIMP_2022)]
    table = pd.DataFrame(
        {
            "name": actual["name"],
            "pop_2017": start["total"],
            "pop_2022_actual": actual["population"].astype(float),
            "pop_2022_projected": end["total"],
            "share65_2017_pct": 100 * start["old"] / start["total"],
            "share65_2022_actual_pct": actual["pop_65plus"].astype(float),
            "share65_2022_projected_pct": 100 * end["old"] / end["total"],
        }
    )
    table["err_total_pct"] = 100 * (table["pop_2022_projected"] / table["pop_2022_actual"] - 1)
    table["naive_total_pct"] = 100 * (table["pop_2017"] / table["pop_2022_actual"] - 1)
    table["err_65_pt"] = table["share65_2022_projected_pct"] - table["share65_2022_actual_pct"]
    table["naive_65_pt"] = table["share65_2017_pct"] - table["share65_2022_actual_pct"]
    return Backtest(
        table=table,
        median_total_pct=float(np.median(table["err_total_pct"].abs())),
        median_65_pt=float(np.median(table["err_65_pt"].abs())),
        naive_total_pct=float(np.median(table["naive_total_pct"].abs())),
        naive_65_pt=float(np.median(table["naive_65_pt"].abs())),
    )


def run_backtest_2021(
    data_dir: Path,
    *,
    scenario: str = "mid",
    known_inflow_per_1000: dict[int, float] | None = None,
) -> pd.DataFrame:
    """
    Run the out-of-sample 2021 -> 2024 test (calibration on data up to 1-1-2021 only).

    Parameters
    ----------
    data_dir
        Shared data directory (contains ``cbs/``).
    scenario
        Population scenario to project.
    known_inflow_per_1000
        Known net inflow per calendar year (``DemandSettings.known_inflow_per_1000``);
        ``None`` = none.

    Returns
    -------
    pandas.DataFrame
        Per gemeente: CBS totals 1-1-2021 and 1-1-2024, projected 2024, error and no-change
        error (percent).
    """
    postcodes = pd.read_csv(data_dir / PC4_GEMEENTE, dtype={"postcode": str})
    postcodes = postcodes[(postcodes["postcode"].str.len() == 4) & postcodes["gemeente"].notna()]
    history = load_history(data_dir / HISTORY)
    names = sorted(set(postcodes["gemeente"].astype(str)))
    codes = map_gemeente_codes(names, history, year=2021)
    postcodes = postcodes.assign(code=postcodes["gemeente"].map(codes))
    chosen = postcodes[postcodes["code"].isin(KRIMP_2022)]
    base = load_population(data_dir / PC4_AGES, zones=list(chosen["postcode"]))
    zones = base.index.get_level_values("zone").unique()
    zone_gemeente = pd.Series(chosen["code"].to_numpy(), index=chosen["postcode"]).reindex(zones)
    settings = DemandSettings(
        base_year=2021, scenario=scenario, known_inflow_per_1000=known_inflow_per_1000 or {}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VoorzieningenWarning)
        earlier = load_population(data_dir / KWB2017)
    calibration = calibrate_rates(
        base, zone_gemeente, history, base_year=2021, settings=settings, earlier=earlier
    )
    projected = project_population(
        base,
        base_year=2021,
        periods=[2021, 2024],
        calibration=calibration,
        zone_gemeente=zone_gemeente,
        settings=settings,
    )["population_persons"]
    gemeente = zone_gemeente.reindex(projected.index.get_level_values("zone")).to_numpy()
    sums = projected.groupby([gemeente, projected.index.get_level_values("period")]).sum()
    growth = sums.xs(2024, level=1) / sums.xs(2021, level=1)
    flows = gemeente_flows(history, list(KRIMP_2022), [2021, 2023])
    start = flows["population_jan1_persons"].xs(2021, level="year")
    actual = flows["population_dec31_persons"].xs(2023, level="year")
    names_2022 = pd.read_csv(data_dir / KWB2022).set_index("code")["name"]
    table = pd.DataFrame(
        {
            "name": names_2022.reindex(start.index),
            "pop_2021": start,
            "pop_2024_actual": actual,
            "pop_2024_projected": start * growth.reindex(start.index),
        }
    )
    table["err_total_pct"] = 100 * (table["pop_2024_projected"] / table["pop_2024_actual"] - 1)
    table["naive_total_pct"] = 100 * (table["pop_2021"] / table["pop_2024_actual"] - 1)
    return table


def main(argv: list[str] | None = None) -> int:
    """Run the back-test and print per-gemeente errors and the summary line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--scenario", default="mid")
    args = parser.parse_args(argv)
    result = run_backtest(args.data_dir, scenario=args.scenario)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(result.table.round(2).to_string())
    print(
        f"targets: total <= {TARGET_TOTAL_PCT}% -> "
        f"{'met' if result.median_total_pct <= TARGET_TOTAL_PCT else 'MISSED'}; "
        f"65+ share <= {TARGET_65_PT} pt -> "
        f"{'met' if result.median_65_pt <= TARGET_65_PT else 'MISSED'} "
        "(65+ shares are CBS whole-percent roundings at both ends)"
    )
    print(
        f"median abs error: total {result.median_total_pct:.2f}%, "
        f"65+ share {result.median_65_pt:.2f} pt "
        f"(no-change: {result.naive_total_pct:.2f}%, {result.naive_65_pt:.2f} pt)"
    )
    ok_2017 = (
        result.median_total_pct <= TARGET_TOTAL_PCT
        and result.median_total_pct < result.naive_total_pct
        and result.median_65_pt <= TARGET_65_PT
    )
    print(
        f"2017->2022: total {result.median_total_pct:.2f}% vs no-change "
        f"{result.naive_total_pct:.2f}% (target <= {TARGET_TOTAL_PCT}% and below no-change), "
        f"65+ {result.median_65_pt:.2f} pt (target <= {TARGET_65_PT}) -> "
        f"{'met' if ok_2017 else 'MISSED'}"
    )
    print()
    print("Out of sample 1-1-2021 -> 1-1-2024 (calibrated on data up to 2021 only)")
    table = run_backtest_2021(args.data_dir, scenario=args.scenario)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(2).to_string())
    err = float(np.median(table["err_total_pct"].abs()))
    naive = float(np.median(table["naive_total_pct"].abs()))
    negative = int((table["err_total_pct"] < 0).sum())
    ok_2021 = err <= TARGET_2021_TOTAL_PCT and err < naive
    print(
        f"2021->2024: total {err:.3f}% vs no-change {naive:.3f}% (target <= "
        f"{TARGET_2021_TOTAL_PCT}% and below no-change; {negative} of {len(table)} low) -> "
        f"{'met' if ok_2021 else 'MISSED'}"
    )
    return 0 if ok_2017 and ok_2021 else 1


if __name__ == "__main__":
    sys.exit(main())
