"""Verbs on results folders: compare, report, explain, alternatives."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from voorzieningen import alternatives as mga
from voorzieningen import compare, folders
from voorzieningen import explain as explanations
from voorzieningen import report as reports
from voorzieningen import tables as T
from voorzieningen.cli._app import (
    CacheDir,
    DataDir,
    Debug,
    LanguageOption,
    command,
    guard,
    language_of,
    out,
    progress_bar,
)


@command("compare")
def compare_cmd(
    a_dir: Annotated[Path, typer.Argument(help="Results folder of scenario A.")],
    b_dir: Annotated[Path, typer.Argument(help="Results folder of scenario B.")],
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir",
            help="Write kpis.csv, changed_decisions.csv, zone_changes.csv, difference.png.",
        ),
    ] = None,
    max_rows: Annotated[int, typer.Option("--max-rows", help="Rows shown per table.")] = 20,
    dutch_excel: Annotated[
        bool, typer.Option("--dutch-excel", help="CSV with ';' and decimal commas.")
    ] = False,
    language: LanguageOption = None,
    debug: Debug = False,
) -> None:
    """Compare two runs: KPIs side by side, changed decisions, zones whose access changed."""

    def work() -> None:
        comparison = compare.compare_results(a_dir, b_dir)
        lang = language_of(language) or ("nl" if dutch_excel else "en")
        text = comparison.to_text(max_rows=max_rows, language=lang)
        out.print(text, highlight=False, markup=False)
        if out_dir is not None:
            folders.make_folder(out_dir, what="--out-dir")
            for name, table in (
                ("kpis", comparison.kpis),
                ("changed_decisions", comparison.changed_decisions),
                ("zone_changes", comparison.zone_changes),
            ):
                path = out_dir / f"{name}.csv"
                reports.write_csv(table, path, dutch_excel=dutch_excel, language=lang)
            sites, zones = reports.read_points(b_dir)
            compare.write_difference_map(
                comparison, sites, zones, out_dir / "difference.png", language=lang
            )
            out.print(f"written to {out_dir}")

    guard(debug, work)


@command()
def report(
    results_dir: Annotated[Path, typer.Argument(help="A results folder written by `run`.")],
    out_dir: Annotated[
        Path | None, typer.Option("--out-dir", help="Write here (default: the results folder).")
    ] = None,
    dutch_excel: Annotated[
        bool,
        typer.Option("--dutch-excel", help="Also write every table for Dutch Excel (excel-nl/)."),
    ] = False,
    language: LanguageOption = None,
    debug: Debug = False,
) -> None:
    """Redraw a run's maps and negotiation tables; optionally Dutch-Excel copies of its tables."""

    def work() -> None:
        written = reports.redraw_report(
            results_dir,
            out_dir or results_dir,
            dutch_excel=dutch_excel,
            language=language_of(language),
        )
        for path in written:
            out.print(str(path))

    guard(debug, work)


@command("explain")
def explain_cmd(
    results_dir: Annotated[Path, typer.Argument(help="A results folder written by `run`.")],
    data_dir: DataDir = None,
    budget_step: Annotated[
        float,
        typer.Option("--budget-step", help="Budget re-solves at the limit times 1 ± this."),
    ] = explanations.BUDGET_STEP,
    time_limit: Annotated[
        float | None,
        typer.Option("--time-limit", help="Seconds per re-solve (default: the scenario's)."),
    ] = None,
    cache_dir: CacheDir = None,
    debug: Debug = False,
) -> None:
    """Explain each decision: the opposite choice re-solved; writes explain.csv."""

    def work() -> None:
        with progress_bar("explain") as tick:
            result = explanations.explain_run(
                results_dir,
                data_dir=data_dir,
                cache_dir=cache_dir,
                budget_step=budget_step,
                time_limit_s=time_limit,
                progress=tick,
            )
        written = explanations.write_explanation(result, results_dir)
        table = Table(title="The opposite of each decision (difference with the plan)")
        time_cols = [c for c in result.decisions.columns if c.endswith("_mean_time_all_min")]
        for col in ("site", "plan", "opposite", "fits", "net spend €", "NPV €"):
            table.add_column(
                col, justify="left" if col in ("site", "plan", "opposite") else "right"
            )
        for col in time_cols:
            table.add_column(
                col.removeprefix("delta_").replace("_mean_time_all_min", " min"), justify="right"
            )
        for row in result.decisions.to_dict(orient="records"):
            fits = row["feasible"]
            table.add_row(
                str(row["site"]),
                f"{row['choice']} {_year(row['period'])}".strip(),
                str(row["opposite"]).replace("_", " "),
                "yes" if fits is True else ("no" if fits is False else "locked"),
                _signed(row.get("delta_net_spend_eur"), 0),
                _signed(row.get("delta_npv_cost_eur"), 0),
                *(_signed(row.get(c), 2) for c in time_cols),
            )
        out.print(table)
        for path in written:
            out.print(f"written: {path}")

    guard(debug, work)


@command("alternatives")
def alternatives_cmd(
    results_dir: Annotated[Path, typer.Argument(help="A results folder written by `run`.")],
    n: Annotated[int, typer.Option("-n", help="Number of alternatives.")] = mga.N_ALTERNATIVES,
    slack: Annotated[
        float, typer.Option("--slack", help="Fraction of the optimum an alternative may cost.")
    ] = mga.SLACK,
    keep: Annotated[
        list[str] | None, typer.Option("--keep", help="Keep this building open (repeatable).")
    ] = None,
    data_dir: DataDir = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds per solve (default: scenario's).")
    ] = None,
    cache_dir: CacheDir = None,
    debug: Debug = False,
) -> None:
    """Near-optimal plans that differ most; writes alternatives/ and alternatives.csv."""

    def work() -> None:
        with progress_bar("alternatives") as tick:
            result = mga.alternatives_run(
                results_dir, n=n, slack=slack, keep=keep or (), data_dir=data_dir,
                cache_dir=cache_dir, time_limit_s=time_limit, progress=tick,
            )  # fmt: skip
        table = Table(title=f"Alternatives within {slack:.1%} of the optimum")
        for col in ("k", "objective", "net spend €", "distance", "changed decisions"):
            table.add_column(col, justify="left" if col == "changed decisions" else "right")
        for row in result.table.to_dict(orient="records"):
            table.add_row(
                str(row[T.ALTERNATIVE]), _signed(row[T.DELTA_OBJECTIVE_PCT], 1) + " %",
                f"{row[T.NET_SPEND_EUR]:,.0f}", str(row[T.DISTANCE_TO_OPTIMUM]),
                escape(str(row[T.DECISIONS_CHANGED])),
            )  # fmt: skip
        out.print(table)
        if result.keep_cost is not None:
            out.print(
                f"cost of keeping {', '.join(result.keep)} open: objective "
                f"{result.keep_cost:+,.0f}, NPV {result.keep_cost_npv_eur or 0:+,.0f} EUR"
            )
        if result.note:
            out.print(result.note)
        for path in mga.write_alternatives(result, results_dir):
            out.print(f"written: {path}")

    guard(debug, work)


def _year(value: Any) -> str:
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return ""


def _signed(value: Any, digits: int) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return f"{number:+,.{digits}f}" if math.isfinite(number) else ""
