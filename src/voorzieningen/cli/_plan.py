"""Verbs that plan: run, validate, schema, sweep, network, region, scenarios."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from voorzieningen import api, folders, network_check
from voorzieningen import region as regions
from voorzieningen import report as reports
from voorzieningen import robust as robusts
from voorzieningen import sweep as sweeps
from voorzieningen import tables as T
from voorzieningen.cli._app import (
    RESULTS,
    CacheDir,
    DataDir,
    Debug,
    LanguageOption,
    RunSets,
    ScenarioFile,
    ScenarioName,
    Sets,
    app,
    command,
    console,
    guard,
    language_of,
    out,
    progress_bar,
    status,
    summary_table,
)
from voorzieningen.context import (
    resolve_context,
    resolve_data_dir,
    run_folder_name,
)
from voorzieningen.errors import (
    ScenarioError,
)
from voorzieningen.record import Run
from voorzieningen.scenarios import (
    check_scenario_name,
    list_overrides,
    list_scenarios,
    load_scenario,
)
from voorzieningen.schemas.scenario import Scenario


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
        with status(loaded.name, log=True) as progress:
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
            language=language_of(language),
        )
        if isinstance(result, robusts.RobustRun):
            written = robusts.write_robust(result, target, settings=settings, results_root=root)
            run_ = result.main
            console.print(f"robust plan over {', '.join(result.runs)}: {written / 'robust.csv'}")
        else:
            run_ = result
            written = reports.write_report(run_, target, settings=settings, results_root=root)
        out.print(summary_table({str(k): v for k, v in run_.summary.iloc[0].items()}, written))

    guard(debug, work)


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
            with status(loaded.name, log=False) as progress:
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

    guard(debug, work)


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

    guard(debug, work)


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

    guard(debug, work)


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

    guard(debug, work)


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

    guard(debug, work)
