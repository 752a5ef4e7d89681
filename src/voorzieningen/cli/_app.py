"""The CLI's shared parts: the app, consoles, option types, error guard and progress."""

from __future__ import annotations

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

from voorzieningen import kpis
from voorzieningen.context import (
    DATA_DIR_ENV,
)
from voorzieningen.errors import (
    VoorzieningenError,
    VoorzieningenWarning,
    exit_code_for,
)
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


def language_of(value: ReportLanguage | None) -> Literal["nl", "en"] | None:
    return None if value is None else ("nl" if value is ReportLanguage.nl else "en")


def guard(debug: bool, func: Callable[[], R]) -> R:
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
def status(name: str, *, log: bool) -> Iterator[Callable[[str], None]]:
    """Show a spinner with the step a run is in; ``log``: also log each step's start."""
    with console.status("starting", spinner="dots") as status:

        def progress(step: str) -> None:
            status.update(f"[bold]{escape(name)}[/]: {step} ...")
            if log:
                console.log(step)

        yield progress


def summary_table(summary: dict[str, Any], out_dir: Path) -> Table:
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


def main() -> None:
    """Entry point of the ``voorzieningen`` console script.

    SIGTERM is handled as Ctrl-C: the run stops, says "interrupted" and exits with 130.
    """
    terminate_as_interrupt()
    app()
