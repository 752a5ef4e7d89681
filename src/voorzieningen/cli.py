"""Command-line interface: parse, call the API, print; no logic of its own.

Exit codes: 0 success, 2 bad input or scenario, 3 infeasible, 4 solver, 5 verification,
6 results not written where asked (the message says where the plan was saved instead),
1 any other error of ours. Errors are printed without a traceback unless ``--debug``.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from typer.core import TyperCommand, TyperOption

from voorzieningen import alternatives as mga
from voorzieningen import api, compare, folders, kpis, network_check
from voorzieningen import explain as explanations
from voorzieningen import region as regions
from voorzieningen import report as reports
from voorzieningen import robust as robusts
from voorzieningen import sweep as sweeps
from voorzieningen import tables as T
from voorzieningen.context import (
    DATA_DIR_ENV,
    resolve_context,
    resolve_data_dir,
    run_folder_name,
)
from voorzieningen.errors import (
    ScenarioError,
    VoorzieningenError,
    VoorzieningenWarning,
    exit_code_for,
)
from voorzieningen.record import Run
from voorzieningen.scenarios import (
    check_scenario_name,
    list_overrides,
    list_scenarios,
    load_scenario,
)
from voorzieningen.schemas.scenario import Scenario
from voorzieningen.signals import terminate_as_interrupt

app = typer.Typer(
    name="voorzieningen",
    help="Plan investments in schools, GP practices and community halls against accessibility.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# No file:line suffix on log lines (rich's default shows where `log` was called).
console = Console(stderr=True, log_path=False)
out = Console()


class Command(TyperCommand):
    """A command whose on/off flags show no ``<bool>`` placeholder in ``--help``."""

    def get_params(self, ctx: Any) -> list[Any]:
        """Return the parameters, flags (``--help`` too) without a value placeholder."""
        params = super().get_params(ctx)
        for param in params:
            if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
                param.metavar = ""
        return params


def command(*args: Any, **kwargs: Any) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """``app.command`` with :class:`Command` (clean flag help)."""
    return app.command(*args, cls=Command, **kwargs)


@contextmanager
def progress_bar(title: str) -> Iterator[Callable[[str, int, int], None]]:
    """
    Show a progress bar (elapsed and remaining time) while the block runs.

    Yields
    ------
    callable
        ``tick(label, done, total)``: update the bar's label and counts.
    """
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("elapsed"),
        TimeElapsedColumn(),
        TextColumn("remaining"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(escape(title), total=None)

        def tick(label: str, done: int, total: int) -> None:
            bar.update(task, description=escape(f"{title}: {label}"), completed=done, total=total)

        yield tick


R = TypeVar("R")

#: The results root of runs without --out-dir: results/<region>/<scenario>.
RESULTS = Path("results")

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder with cbs/ and osm/ data (default: $VOORZIENINGEN_DATA_DIR).",
        envvar=DATA_DIR_ENV,
    ),
]
ScenarioFile = Annotated[Path, typer.Argument(help="Scenario file (.toml or .yaml).")]
ScenarioName = Annotated[
    str,
    typer.Option(
        "--scenario",
        "-s",
        help="Scenario name: 'base' or a name under \\[scenarios] in the file. Names under "
        "\\[overrides] are not scenarios (combine them under \\[scenarios] or use --set); "
        "`voorzieningen scenarios FILE` lists both.",
    ),
]
Sets = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a setting, e.g. --set budget.capex_total_eur=5e6."),
]
RunSets = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a setting, e.g. --set budget.capex_total_eur=5e6; the results then go "
        "to a folder of their own, <scenario>-set-<digest>.",
    ),
]
Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")]
CacheDir = Annotated[
    Path | None, typer.Option("--cache-dir", help="Cache for networks and travel times.")
]


class ReportLanguage(StrEnum):
    """Language of report tables and texts."""

    nl = "nl"
    en = "en"


LanguageOption = Annotated[
    ReportLanguage | None,
    typer.Option(
        "--language",
        help=(
            "Language of column names, values and texts: nl or en (default: the scenario's "
            "report.language, else nl with --dutch-excel and en otherwise)."
        ),
    ),
]


def _language(value: ReportLanguage | None) -> Literal["nl", "en"] | None:
    return None if value is None else ("nl" if value is ReportLanguage.nl else "en")


def _guard(debug: bool, func: Callable[[], R]) -> R:
    """Run ``func``; print our errors without a traceback and exit with their code."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", VoorzieningenWarning)
            try:
                return func()
            finally:
                for item in caught:
                    if issubclass(item.category, VoorzieningenWarning):
                        console.print(
                            "[bold yellow]warning:[/] " + escape(str(item.message)),
                            highlight=False,
                            soft_wrap=True,
                        )
    except VoorzieningenError as err:
        if debug:
            raise
        console.print("[bold red]error:[/] " + escape(str(err)), highlight=False, soft_wrap=True)
        raise typer.Exit(code=exit_code_for(err)) from None
    except KeyboardInterrupt:
        console.print("[bold red]interrupted[/]; earlier results are untouched.")
        raise typer.Exit(code=130) from None
    except Exception as err:
        if debug:
            raise
        console.print(
            "[bold red]unexpected error[/] (a bug in voorzieningen; rerun with --debug and "
            "report the traceback): " + escape(f"{type(err).__name__}: {err}"),
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=1) from None


@contextmanager
def _status(name: str, *, log: bool) -> Iterator[Callable[[str], None]]:
    """Show a spinner with the step a run is in; ``log``: also log each step's start."""
    with console.status("starting", spinner="dots") as status:

        def progress(step: str) -> None:
            status.update(f"[bold]{escape(name)}[/]: {step} ...")
            if log:
                console.log(step)

        yield progress


def _summary_table(summary: dict[str, Any], out_dir: Path) -> Table:
    table = Table(title=f"Plan written to {out_dir}", show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")

    def limit(key: str) -> str:
        value = summary.get(key)
        if value is None or pd.isna(value):  # empty: no limit
            return "no limit"
        return f"€ {float(value):,.0f}"

    rows = [
        ("status", str(summary["status"])),
        ("objective", f"{summary['objective']} = {summary['objective_value']:,.2f}"),
        ("proven gap", f"{summary['gap']:.3%}"),
        ("travel times", str(summary.get("travel_time_source", "") or "?")),
        ("gross capex (limit)", f"€ {summary['capex_eur']:,.0f} ({limit('capex_limit_eur')})"),
        ("sale proceeds", f"€ {summary['proceeds_eur']:,.0f}"),
        (
            "net spend (limit)",
            f"€ {summary['net_spend_eur']:,.0f} ({limit('net_spend_limit_eur')})",
        ),
        ("NPV of costs", f"€ {summary['npv_cost_eur']:,.0f}"),
    ]
    # One line per service, each in its own unit (pupils, patients, visitor equivalents).
    nan = float("nan")
    for key in [k for k in summary if k.startswith(kpis.mean_time_all_col(""))]:
        service = key.removeprefix(kpis.mean_time_all_col(""))
        served = summary.get(kpis.served_col(service), nan)
        unmet = summary.get(kpis.unmet_col(service), nan)
        rows.append(
            (
                f"{service} (avg/period)",
                f"{served:,.0f} {kpis.unit_of(service)} served, {unmet:,.0f} unmet; mean "
                f"time {summary[key]:.2f} min counting everyone "
                f"({summary.get(kpis.mean_time_served_col(service), nan):.2f} min served)",
            )
        )
    rows += [
        ("projects / closures", f"{summary['projects_started']} / {summary['sites_closed']}"),
        ("build + solve", f"{summary['build_s']:.1f} s + {summary['solve_s']:.1f} s"),
    ]
    for key, value in rows:
        table.add_row(key, value)
    return table


@command()
def run(
    scenario_file: ScenarioFile,
    scenario: ScenarioName = "base",
    data_dir: DataDir = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir",
            help="Output folder (default: results/<region>/<scenario>, with a --set digest).",
        ),
    ] = None,
    sets: RunSets = None,
    dutch_excel: Annotated[
        bool, typer.Option("--dutch-excel", help="CSV with ';' and decimal commas.")
    ] = False,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Cache for downloaded networks.")
    ] = None,
    language: LanguageOption = None,
    debug: Debug = False,
) -> None:
    """Run one scenario end to end and write its results."""

    def work() -> None:
        check_scenario_name(scenario_file, scenario)
        loaded = load_scenario(scenario_file, name=scenario, sets=sets or [])
        folder = run_folder_name(loaded.name, sets)
        # The results folder is checked before the solve, and again when written.
        root = None if out_dir is not None else RESULTS
        target = out_dir or RESULTS / loaded.region / folder
        what = "--out-dir" if out_dir is not None else "results folder"
        folders.check_results_folder(target, root=root, what=what)
        if out_dir is None and folder != loaded.name:
            console.print(
                f"--set changes scenario {loaded.name!r}: results go to their own folder "
                f"[bold]{escape(folder)}[/] (the digest of the --set values).",
                highlight=False,
            )
        with _status(loaded.name, log=True) as progress:
            where = {"data_dir": data_dir, "cache_dir": cache_dir}
            result: Run | robusts.RobustRun
            if loaded.robust.enabled:  # one plan for all its population variants
                resolved = resolve_context(
                    scenario_file, name=scenario, sets=sets, region_dir=None, **where
                )
                result = robusts.run_robust(*resolved, progress=progress)
            else:
                result = api.run_scenario(
                    scenario_file, name=scenario, sets=sets, progress=progress, **where
                )
        settings = reports.ReportSettings(
            csv_format="dutch_excel" if dutch_excel else "utf8_comma",
            language=_language(language),
        )
        if isinstance(result, robusts.RobustRun):
            written = robusts.write_robust(result, target, settings=settings, results_root=root)
            run_ = result.main
            console.print(f"robust plan over {', '.join(result.runs)}: {written / 'robust.csv'}")
        else:
            run_ = result
            written = reports.write_report(run_, target, settings=settings, results_root=root)
        out.print(_summary_table({str(k): v for k, v in run_.summary.iloc[0].items()}, written))

    _guard(debug, work)


@command()
def validate(
    scenario_file: ScenarioFile,
    scenario: ScenarioName = "base",
    sets: Sets = None,
    data_dir: DataDir = None,
    cache_dir: CacheDir = None,
    debug: Debug = False,
) -> None:
    """Check a scenario file and, with a data directory, every check `run` makes before solving.

    With a data directory this runs the stages of `run` up to the model (inputs, demand,
    travel times on the road network, coverage, model data and size) and prints the same
    warnings; only the model build, the solve and the verification are left out.
    """

    def work() -> None:
        check_scenario_name(scenario_file, scenario)
        loaded = load_scenario(scenario_file, name=scenario, sets=sets or [])
        if data_dir is not None:
            # The same stages, in the same order, as `run` before its model build.
            checked, context = resolve_context(
                scenario_file,
                data_dir=data_dir,
                name=scenario,
                sets=sets or [],
                region_dir=None,
                cache_dir=cache_dir,
            )
            with _status(loaded.name, log=False) as progress:
                prepared = api.prepare_run(checked, context, progress=progress)
            out.print(
                f"{scenario_file}: scenario {loaded.name!r} is valid; "
                f"{len(prepared.inputs.zones)} zones, {len(prepared.inputs.sites)} sites, "
                f"{len(prepared.data.pairs):,} zone-site pairs within "
                f"{loaded.network.cutoff_min:g} min.",
                highlight=False,
            )
        else:
            out.print(f"{scenario_file}: scenario {loaded.name!r} is valid.")

    _guard(debug, work)


@command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    r"""Print the JSON schema of the scenario's \[base] table (every key, documented)."""
    text = json.dumps(Scenario.model_json_schema(), indent=2)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text + "\n", encoding="utf-8")


def _floats(text: str) -> list[float]:
    try:
        return [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError as err:
        msg = f"--budgets takes numbers separated by commas, e.g. 5e6,10e6,15e6 (got {text!r})"
        raise ScenarioError(msg) from err


@command()
def sweep(
    scenario_file: ScenarioFile,
    scenarios: Annotated[
        list[str] | None,
        typer.Option("--scenario", "-s", help="Scenario to run (repeat); default: all listed."),
    ] = None,
    budgets: Annotated[
        str | None,
        typer.Option("--budgets", help="Pareto front over total budgets, e.g. 5e6,10e6,15e6."),
    ] = None,
    data_dir: DataDir = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out-dir", help="Root folder (default: results).")
    ] = None,
    sets: RunSets = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask scheduler address; 'synchronous' for one process (default: local cluster).",
        ),
    ] = None,
    no_resume: Annotated[
        bool, typer.Option("--no-resume", help="Redo scenarios that already finished.")
    ] = False,
    dutch_excel: Annotated[
        bool, typer.Option("--dutch-excel", help="CSV with ';' and decimal commas.")
    ] = False,
    debug: Debug = False,
) -> None:
    """Run several scenarios in parallel (Dask), or trace a Pareto front over budgets."""

    def work() -> None:
        root = out_dir or RESULTS
        folders.check_results_root(root, what="--out-dir" if out_dir else "results root")
        if budgets is not None:
            name = (scenarios or ["base"])[0]
            check_scenario_name(scenario_file, name)
            with progress_bar(f"Pareto front of {name}") as tick:
                front = sweeps.pareto_front(
                    scenario_file,
                    _floats(budgets),
                    data_dir=data_dir,
                    name=name,
                    sets=sets or [],
                    progress=console.log,
                    tick=tick,
                )
            region = front.results[0].scenario.region
            folder = root / region / f"pareto-{run_folder_name(name, sets)}"
            sweeps.write_pareto_front(front, folder, dutch_excel=dutch_excel)
            table = Table(title=f"Pareto front written to {folder}")
            times = [c for c in front.table.columns if str(c).startswith(T.MEAN_TIME_ALL_PREFIX)]
            for col in ("budget_eur", "spend_eur", "objective_value", *times, "status", "gap"):
                table.add_column(col, justify="right")
            for row in front.table.to_dict(orient="records"):
                table.add_row(
                    f"{row['budget_eur']:,.0f}",
                    f"{row['spend_eur']:,.0f}",
                    f"{row['objective_value']:,.1f}",
                    *(f"{row[c]:.2f}" for c in times),
                    str(row["status"]),
                    f"{row['gap']:.3%}",
                )
            out.print(table)
            return
        names = scenarios or list_scenarios(scenario_file)
        for name in names:
            check_scenario_name(scenario_file, name)
        with progress_bar(f"{len(names)} scenarios") as tick:
            summary = sweeps.run_scenarios(
                scenario_file,
                names,
                data_dir=data_dir,
                out_root=root,
                sets=sets or [],
                scheduler=scheduler,
                resume=not no_resume,
                dutch_excel=dutch_excel,
                progress=tick,
            )
        table = Table(title=f"{len(names)} scenarios")
        cols = ("scenario", "status", "gap", "capex €", "mean min of everyone", "resumed")
        for col in cols:
            table.add_column(col, justify="right")
        for label, entry in summary.to_dict(orient="index").items():
            mean_times = " / ".join(
                f"{str(k).removeprefix(T.MEAN_TIME_ALL_PREFIX)} {float(v):.2f}"
                for k, v in entry.items()
                if str(k).startswith(T.MEAN_TIME_ALL_PREFIX)
            )
            table.add_row(
                str(label),
                str(entry["status"]),
                f"{float(entry['gap']):.3%}",
                f"{float(entry['capex_total_eur']):,.0f}",
                mean_times,
                "yes" if bool(entry["resumed"]) else "no",
            )
        out.print(table)

    _guard(debug, work)


@command()
def network(
    scenario_file: ScenarioFile,
    scenario: ScenarioName = "base",
    data_dir: DataDir = None,
    sets: Sets = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out-dir", help="Write travel_times.csv and reachability.csv here."),
    ] = None,
    cache_dir: CacheDir = None,
    debug: Debug = False,
) -> None:
    """Build a region's road network and print its reachability report."""

    def work() -> None:
        report = network_check.inspect_network(
            scenario_file, data_dir=data_dir, name=scenario, sets=sets or [], cache_dir=cache_dir
        )
        travel = report.travel
        out.print(
            f"network: {report.nodes:,} nodes, {report.edges:,} edges; "
            f"speeds imputed on {report.speed_imputed_share:.1%} of edges; "
            f"{len(travel.table):,} zone-site pairs within {travel.settings.cutoff_min:g} min "
            f"by {travel.settings.mode}"
        )
        if travel.reachability.empty:
            out.print("reachability: every zone and site is on the network and reaches a site.")
        else:
            table = Table(title="reachability report")
            for col in ("point_kind", "id", "issue", "detail"):
                table.add_column(col)
            for row in travel.reachability.itertuples(index=False):
                table.add_row(*(str(v) for v in row))
            out.print(table)
        if out_dir is not None:
            folders.make_folder(out_dir, what="--out-dir")
            reports.write_csv(travel.table, out_dir / "travel_times.csv")
            reports.write_csv(travel.reachability, out_dir / "reachability.csv")
            out.print(f"written to {out_dir}")

    _guard(debug, work)


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
        lang = _language(language) or ("nl" if dutch_excel else "en")
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

    _guard(debug, work)


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
            language=_language(language),
        )
        for path in written:
            out.print(str(path))

    _guard(debug, work)


@app.command("region")
def region_cmd(
    name: Annotated[str, typer.Argument(help="Region name: the folder inputs/<name>/.")],
    gemeente: Annotated[
        list[str] | None,
        typer.Option(
            "--gemeente",
            "-g",
            help="Gemeente name or code, e.g. 'Het Hogeland' or GM1966 (repeat).",
        ),
    ] = None,
    data_dir: DataDir = None,
    out_folder: Annotated[Path, typer.Option("--out", help="Folder of region folders.")] = Path(
        "inputs"
    ),
    network_source: Annotated[
        str | None,
        typer.Option(
            "--network",
            help="Road network for network.source (file in the data dir or place name); "
            "default: estimated travel times.",
        ),
    ] = None,
    osm: Annotated[
        bool,
        typer.Option("--osm/--no-osm", help="List GP practices and community centres from OSM."),
    ] = True,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Cache of OpenStreetMap answers.")
    ] = None,
    debug: Debug = False,
) -> None:
    """Create a region folder (scenario, portfolio template, README) from gemeenten."""

    def work() -> None:
        made = regions.create_region(
            name,
            gemeente or [],
            data_dir=resolve_data_dir(data_dir),
            out=Path(out_folder),
            network_source=network_source,
            osm=osm,
            cache_dir=Path(cache_dir) if cache_dir is not None else None,
        )
        table = Table(title=f"{len(made.schools)} DUO basisscholen (site_id for portfolio.csv)")
        for col in ("site_id", "name", "pupils"):
            table.add_column(col, justify="right" if col == "pupils" else "left")
        for site, row in made.schools.iterrows():
            table.add_row(str(site), str(row["name"]), f"{row['pupils_persons']:,.0f}")
        out.print(table)
        gemeenten = ", ".join(f"{g} ({c})" if c else g for g, c in made.gemeenten.items())
        out.print(
            f"Region {made.name!r} written to {made.folder}: {gemeenten}; "
            f"{len(made.zones)} PC4 zones ({made.zones['population_persons'].sum():,.0f} "
            f"inhabitants, 2021), {len(made.schools)} schools "
            f"({made.schools['pupils_persons'].sum():,.0f} pupils).\n{made.osm_message}\n"
            f"Next: fill in {made.folder / 'portfolio.csv'} (see README.md there), then "
            f"voorzieningen validate {made.folder / 'scenarios.toml'} --data-dir ...",
            highlight=False,
            soft_wrap=True,
        )

    _guard(debug, work)


def main() -> None:
    """Entry point of the ``voorzieningen`` console script.

    SIGTERM is handled as Ctrl-C: the run stops, says "interrupted" and exits with 130.
    """
    terminate_as_interrupt()
    app()


@command()
def scenarios(scenario_file: ScenarioFile, debug: Debug = False) -> None:
    """List a scenario file's scenarios (run them with -s) and, apart, its overrides."""

    def work() -> None:
        out.print("scenarios: " + ", ".join(list_scenarios(scenario_file)), highlight=False)
        names = list_overrides(scenario_file)
        out.print(
            "overrides (settings scenarios combine; not runnable with -s): "
            + (", ".join(names) or "none"),
            highlight=False,
        )

    _guard(debug, work)


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

    _guard(debug, work)


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

    _guard(debug, work)


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
