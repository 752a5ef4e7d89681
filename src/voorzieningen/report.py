"""Write a run's results to a folder, and read a folder back: the one writer and the one reader.

:func:`write_report` writes everything a run produces: every CSV table, the action lists,
``run.json``, the maps (PNG, HTML, GeoPackage) and the negotiation tables (winners and
losers, cost per year). :func:`read_run` reads such a folder back as a
:class:`~voorzieningen.record.SavedRun`; :func:`redraw_report` redraws a folder's maps and
negotiation tables from it.

Writing is atomic: everything goes to a temporary folder beside the target, which is then
renamed into place. An earlier run in the target folder is moved to
``<parent>/.history/<name>-<timestamp>/`` first, so no result is ever destroyed, and a run
killed while writing leaves the earlier results untouched. Only a results folder (one that
holds ``run.json``) or an empty folder is ever replaced, concurrent writers each keep their
plan, and a plan that cannot be written where asked is saved elsewhere
(:mod:`voorzieningen.folders`). Temporary folders are named
``.<name>.tmp-<pid>-<random>``; Ctrl-C or SIGTERM while writing removes the temporary
folder; the swap of the two folders is never cut in half (signals wait until it is done). A
temporary folder left by a writer that was killed outright (SIGKILL, power cut) is removed
by the next write to the same parent folder (:func:`voorzieningen.folders.clean_stale_temps`).

CSV files are UTF-8 with ``,`` separators by default; ``dutch_excel=True`` writes UTF-8 with a
byte-order mark, ``;`` separators and decimal commas, as Dutch Excel expects. In both, text
cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are prefixed with
``'`` so that a spreadsheet never runs them as formulas.

Independently of that dialect, the tables of a run are written in a language (``"nl"`` or
``"en"``: column names and category values, see :mod:`voorzieningen.localise`) and rounded
to a meaningful precision; :func:`read_run` reads either language back.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from voorzieningen import basemap, folders, maps, negotiation, onlinemap, summary_page, webmap
from voorzieningen import tables as T
from voorzieningen.errors import VoorzieningenError
from voorzieningen.inputs import file_sha256
from voorzieningen.localise import (
    Language,
    to_output,
    with_units,
)
from voorzieningen.plotting import is_missing
from voorzieningen.provenance import run_record
from voorzieningen.reader import FILES_SHA256, RESULT_FILES, read_points, read_run, read_table
from voorzieningen.record import CsvFormat, PlanTables, Run, SavedRun
from voorzieningen.signals import signals_deferred

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """
    Escape text cells that a spreadsheet would run as a formula.

    Parameters
    ----------
    frame
        Any table.

    Returns
    -------
    pandas.DataFrame
        A copy in which every text cell starting with ``=``, ``+``, ``-``, ``@``, tab or
        carriage return is prefixed with ``'``; numbers are unchanged.
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = series.map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v
            )
    return out


def write_csv(
    frame: pd.DataFrame,
    path: Path,
    *,
    dutch_excel: bool = False,
    language: Language | None = None,
) -> None:
    """
    Write one table as CSV, escaped against formula injection.

    Parameters
    ----------
    frame
        The table (its index is written only if it is named), English column names.
    path
        Target file.
    dutch_excel
        ``;`` separators, decimal commas and a UTF-8 byte-order mark.
    language
        ``None`` writes the table exactly as it is; ``"nl"`` or ``"en"`` first rounds it
        to meaningful precision and names columns and values in that language
        (:func:`voorzieningen.localise.to_output`), as the report does.
    """
    index = any(name is not None for name in frame.index.names)
    table = frame.reset_index() if index else frame
    if language is not None:
        table = to_output(table, language)
    safe = escape_formulas(table)
    if dutch_excel:
        safe.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    else:
        safe.to_csv(path, index=False, encoding="utf-8")


def _million(amount: float, language: str) -> str:
    text = f"{amount / 1e6:.2f}"
    return f"{text.replace('.', ',')} M€" if language == "nl" else f"{text} M€"


def action_list(tables: PlanTables, *, language: str = "nl") -> list[str]:
    """
    Describe the plan's actions in plain language, in time order.

    Parameters
    ----------
    tables
        A run's tables (its ``decisions``).
    language
        ``"nl"`` (Dutch) or ``"en"`` (English).

    Returns
    -------
    list of str
        For example ``"2030: sluit basisschool X"`` / ``"2030: close primary school X"``.
    """
    names = T.SERVICE_NL if language == "nl" else T.SERVICE_EN
    d = tables.decisions
    lines: list[tuple[int, str]] = []
    for row in d.itertuples(index=False):
        action = str(row.action)
        lines.extend(_extension_and_later_lines(row, names, language))
        if action in ("keep", "not_built", "extend"):
            continue
        year = int(cast("int", row.period))
        current = names.get(str(row.service), "")
        after = " + ".join(names.get(s, s) for s in str(row.services_after).split("+") if s)
        capex = float(cast("float", row.capex_eur))
        cost = f" ({_million(capex, language)})" if capex else ""
        if language == "nl":
            text = {
                "close": f"sluit {current} {row.name}",
                "renovate": f"renoveer {current} {row.name}{cost}",
                "convert": f"bouw {row.name} om van {current} naar {after}{cost}",
                "mfa": f"bouw {current} {row.name} om tot MFA met {after}{cost}",
                "new": f"bouw nieuw op {row.name}: {after}{cost}",
            }.get(action, f"{action} {row.name}")
        else:
            text = {
                "close": f"close {current} {row.name}",
                "renovate": f"renovate {current} {row.name}{cost}",
                "convert": f"convert {row.name} from {current} to {after}{cost}",
                "mfa": f"turn {current} {row.name} into a multifunctional centre with {after}{cost}",
                "new": f"build new at {row.name}: {after}{cost}",
            }.get(action, f"{action} {row.name}")
        closed = getattr(row, T.CLOSED_PERIOD, None)
        if not is_missing(closed) and action != "close":
            word = "sluit" if language == "nl" else "closes"
            text += f"; {word} {int(cast('int', closed))}"
        lines.append((year, f"{year}: {text}"))
    return [text for _, text in sorted(lines)]


def _extension_and_later_lines(
    row: Any, names: Mapping[str, str], language: str
) -> list[tuple[int, str]]:
    """Lines of a life extension, the intervention that follows it, and a later closure.

    ``row`` is a decisions row: action ``extend`` with ``then_action`` / ``then_period`` /
    ``then_capex_eur`` when a renovation, conversion or MFA follows it, and
    ``closed_period`` when the building closes after its intervention.
    """
    nl = language == "nl"
    action = str(row.action)
    current = names.get(str(row.service), "")
    after = " + ".join(names.get(s, s) for s in str(row.services_after).split("+") if s)
    then = getattr(row, "then_action", "")
    then = "" if pd.isna(then) else str(then)

    def cost(amount: object) -> str:
        spent = f"{float(cast('float', amount)) / 1e6:.2f}"
        return f" ({spent.replace('.', ',') if nl else spent} M€)" if float(spent) else ""

    out: list[tuple[int, str]] = []
    if action == "extend":
        text = (
            f"verleng de levensduur van {current} {row.name}"
            if nl
            else f"extend the life of {current} {row.name}"
        )
        out.append((int(cast("int", row.period)), text + cost(row.capex_eur)))
    if then:
        text = {
            "renovate": ("renoveer", "renovate"),
            "convert": ("verbouw", "convert"),
            "mfa": ("verbouw tot MFA", "turn into a multifunctional centre"),
        }.get(then, (then, then))[0 if nl else 1]
        target = f" ({after})" if then != "renovate" else ""
        out.append(
            (
                int(cast("int", row.then_period)),
                f"{text} {current} {row.name}{target}{cost(row.then_capex_eur)}",
            )
        )
    closed = getattr(row, T.CLOSED_PERIOD, None)
    if action != "close" and closed is not None and not pd.isna(closed):
        # A building closed after its intervention (krimp, or the end of an extension).
        extended = action == "extend" and not then
        what = after or current
        text = f"sluit {what} {row.name}" if nl else f"close {what} {row.name}"
        if extended:
            # Its extended life is over and the plan does not renew it: say so, so that the
            # line reads as a decision to take by then, not as a closure for want of pupils.
            text += (
                " (einde verlengde levensduur; niet vernieuwd in dit plan)"
                if nl
                else " (end of its extended life; not renewed in this plan)"
            )
        out.append((int(cast("int", closed)), text))
    return [(year, f"{year}: {text}") for year, text in out]


def _json_default(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return str(value)


@dataclass(frozen=True)
class ReportSettings:
    """How a run is written.

    Attributes
    ----------
    csv_format
        ``"utf8_comma"`` (UTF-8, ``,``) or ``"dutch_excel"`` (``;``, decimal commas,
        byte-order mark).
    with_maps
        Also write the maps (PNG, HTML, GeoPackage) and the negotiation tables (winners and
        losers, cost per year).
    language
        Language of column names, category values and texts (``"nl"`` or ``"en"``);
        ``None``: the scenario's ``report.language``, else Dutch for Dutch-Excel CSVs and
        English otherwise.
    unchanged_tolerance_min
        Travel-time change, minutes, that still counts as unchanged in the winners and
        losers; ``None``: the scenario's ``report.unchanged_tolerance_min`` (default 0.5).
    """

    csv_format: CsvFormat = "utf8_comma"
    with_maps: bool = True
    language: Language | None = None
    unchanged_tolerance_min: float | None = None

    @property
    def dutch_excel(self) -> bool:
        """Whether CSVs are written for Dutch Excel."""
        return self.csv_format == "dutch_excel"

    def resolve(self, saved: SavedRun) -> ReportSettings:
        """
        Fill the settings left ``None`` from the run's scenario, then the defaults.

        Parameters
        ----------
        saved
            The run's folder content (its ``run_json["settings"]["report"]``).

        Returns
        -------
        ReportSettings
            With ``language`` and ``unchanged_tolerance_min`` set.
        """
        options = _report_options(saved.run_json)
        language = self.language or options.get("language")
        if language not in ("nl", "en"):
            language = "nl" if self.dutch_excel else "en"
        tolerance = self.unchanged_tolerance_min
        if tolerance is None:
            tolerance = float(options.get("unchanged_tolerance_min", negotiation.TOLERANCE_MIN))
        return replace(
            self,
            language=cast("Language", language),
            unchanged_tolerance_min=tolerance,
        )


def _report_options(record: Mapping[str, Any]) -> dict[str, Any]:
    settings = record.get("settings", {})
    options = settings.get("report", {}) if isinstance(settings, dict) else {}
    return dict(options) if isinstance(options, dict) else {}


def saved_run(run: Run) -> SavedRun:
    """
    Return what a results folder of ``run`` holds, before it is written.

    Parameters
    ----------
    run
        The run.

    Returns
    -------
    SavedRun
        Tables, points, population, funding and the provenance record for ``run.json``.
    """
    results = run.results
    return SavedRun(
        scenario_name=run.scenario.name,
        region=run.scenario.region,
        decisions=results.decisions,
        zones=results.zones,
        capacity=results.capacity,
        costs=results.costs,
        summary=results.summary,
        assignments=results.plan.assignments,
        unmet=results.plan.unmet,
        sites=run.data.sites_table,
        zone_points=run.inputs.zones,
        travel_times=run.travel.table,
        reachability=run.travel.reachability,
        population=run.demand.population,
        kpis=results.kpis,
        robust=run.robust,
        funding=run.funding,
        run_json=run_record(run),
    )


def write_map_files(
    saved: SavedRun,
    folder: Path,
    *,
    dutch_excel: bool = False,
    language: Language = "en",
    tolerance_min: float = negotiation.TOLERANCE_MIN,
) -> list[Path]:
    """
    Write the maps and the negotiation tables of a run into a folder.

    Files: ``plan.png`` (static map), ``plan.html`` (self-contained interactive map),
    ``plan_online.html`` (over web tiles, with ``report.online_map``),
    ``plan.gpkg`` (GeoPackage layers zones, sites, allocation_lines) and ``summary.html``
    (the one-page summary, in the report's language), when the run has coordinates;
    ``winners_losers.csv`` (travel-time change per zone, service and period),
    ``winners_losers_age.csv`` (per zone, age band and period, when the population is
    known) and ``cost_per_year.csv`` (capex per year and funding party).

    Parameters
    ----------
    saved
        The run's folder content.
    folder
        Where to write.
    dutch_excel
        CSVs for Dutch Excel.
    language
        Language of the CSV tables.
    tolerance_min
        Travel-time change, minutes, that still counts as unchanged.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    written: list[Path] = []
    if saved.sites is not None and saved.zone_points is not None:
        sites, zones = saved.sites, saved.zone_points
        layers = basemap.background_for(zones, saved.run_json)
        written.append(
            maps.write_png_map(saved, sites, zones, folder / "plan.png", background=layers)
        )
        written.append(
            webmap.write_html_map(saved, sites, zones, folder / "plan.html", background=layers)
        )
        written.append(maps.write_geopackage(saved, sites, zones, folder / "plan.gpkg"))
        if _report_options(saved.run_json).get("online_map"):
            written.append(
                onlinemap.write_online_map(
                    saved, sites, zones, folder / "plan_online.html", language=language
                )
            )
        written.append(
            summary_page.write_summary_page(
                saved, folder / "summary.html", background=layers, language=language
            )
        )
    tables: dict[str, pd.DataFrame] = {
        "winners_losers": negotiation.winners_losers(saved, tolerance_min=tolerance_min)
    }
    if saved.population is not None:
        tables["winners_losers_age"] = negotiation.winners_losers(
            saved, saved.population, tolerance_min=tolerance_min
        )
    tables["cost_per_year"] = negotiation.cost_per_year(saved, saved.funding)
    for name, table in tables.items():
        path = folder / f"{name}.csv"
        write_csv(table, path, dutch_excel=dutch_excel, language=language)
        written.append(path)
    return written


def write_report(
    run: Run | SavedRun,
    out_dir: Path | str,
    *,
    settings: ReportSettings | None = None,
    dutch_excel: bool = False,
    results_root: Path | str | None = None,
) -> Path:
    """
    Write everything a run produces, atomically, into ``out_dir``.

    Files: ``decisions.csv``, ``zones.csv``, ``capacity.csv``, ``costs.csv``,
    ``summary.csv``, ``assignments.csv``, ``unmet.csv``, ``kpis.csv`` (per service and
    period), and when known ``travel_times.csv``,
    ``reachability.csv``, ``sites.csv`` (site, name, kind, service, lon, lat, ...),
    ``zones_points.csv`` (zone, gemeente, lon, lat), ``population.csv`` and, for a robust
    plan, ``robust.csv`` (:mod:`voorzieningen.robust`);
    ``actions_nl.txt``, ``actions_en.txt``, ``run.json`` (inputs' hashes, versions,
    settings, solver status and gap); with maps (the default) also the files of
    :func:`write_map_files`.

    The folder is checked first (:func:`voorzieningen.folders.check_results_folder`): only
    an empty folder or an earlier results folder is ever replaced, and only inside the
    results root. When the folder cannot be written (read-only, full disk, a file in the
    way, ...), the plan is saved to a fallback folder (``<results root>/.unsaved/`` or the
    system's temporary directory, without maps) and an :class:`OutputError` names it.

    Parameters
    ----------
    run
        The run (from :func:`voorzieningen.api.run_scenario`), or a folder's content.
    out_dir
        Target folder, e.g. ``results/delft/base``; an earlier run there is moved to
        ``<parent>/.history/``.
    settings
        Format, language and maps; default :class:`ReportSettings` (with ``dutch_excel``
        applied); settings left ``None`` come from the scenario's ``[report]`` table.
    dutch_excel
        Shorthand for ``settings=ReportSettings(csv_format="dutch_excel")``.
    results_root
        The folder ``out_dir`` must lie in (e.g. ``results``); default: its parent.

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    OutputError
        If the folder could not be written; the message says where the plan was saved.
    """
    if settings is None:
        settings = ReportSettings(csv_format="dutch_excel" if dutch_excel else "utf8_comma")
    saved = saved_run(run) if isinstance(run, Run) else run
    settings = settings.resolve(saved)
    target = Path(out_dir)
    root = Path(results_root if results_root is not None else target.parent).resolve()

    def fallback(folder: Path) -> None:
        _write_files(saved, folder, replace(settings, with_maps=False))

    try:
        folders.check_results_folder(out_dir, root=results_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        folders.clean_stale_temps(target.parent)
        tmp = Path(tempfile.mkdtemp(prefix=folders.temp_prefix(target.name), dir=target.parent))
    except (OSError, VoorzieningenError) as err:
        raise folders.save_elsewhere(fallback, target, root, err) from err
    try:
        _write_files(saved, tmp, settings)
        with signals_deferred():  # never half a swap: the earlier run aside, the new in place
            folders.commit(tmp, target)
    except BaseException as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(err, Exception):
            raise folders.save_elsewhere(fallback, target, root, err) from err
        raise
    return target


def _write_files(saved: SavedRun, folder: Path, settings: ReportSettings) -> None:
    """Write the files of :func:`write_report` into ``folder`` (settings resolved)."""
    language: Language = settings.language or "en"
    dutch = settings.dutch_excel
    tables: dict[str, pd.DataFrame | None] = {
        "decisions.csv": saved.decisions,
        "zones.csv": saved.zones,
        "capacity.csv": saved.capacity,
        "costs.csv": saved.costs,
        "summary.csv": saved.summary,
        "assignments.csv": saved.assignments,
        "unmet.csv": saved.unmet,
        "kpis.csv": saved.kpis,
        "travel_times.csv": saved.travel_times,
        "reachability.csv": saved.reachability,
        "sites.csv": saved.sites,
        "zones_points.csv": saved.zone_points,
        "population.csv": saved.population,
        "robust.csv": saved.robust,
    }
    if saved.capacity is not None:
        tables["capacity.csv"] = with_units(saved.capacity)
    for name, frame in tables.items():
        if frame is not None:
            write_csv(frame, folder / name, dutch_excel=dutch, language=language)
    for text_language in ("nl", "en"):
        lines = action_list(saved, language=text_language)
        (folder / f"actions_{text_language}.txt").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )
    record = {"scenario": saved.scenario_name, "region": saved.region, **saved.run_json}
    record["summary"] = saved.summary.iloc[0].to_dict()
    record["written_utc"] = datetime.now(UTC).isoformat(timespec="seconds")
    record["csv_format"] = settings.csv_format
    record["language"] = language
    record["unchanged_tolerance_min"] = settings.unchanged_tolerance_min
    # The tables as written: `report`, `compare` and `explain` refuse a folder whose files
    # no longer match (edited, truncated, copied over).
    record[FILES_SHA256] = {
        path.name: file_sha256(path) for path in sorted(folder.iterdir()) if path.is_file()
    }
    (folder / "run.json").write_text(
        json.dumps(record, indent=2, default=_json_default, ensure_ascii=False),
        encoding="utf-8",
    )
    if settings.with_maps:
        write_map_files(
            saved,
            folder,
            dutch_excel=dutch,
            language=language,
            tolerance_min=float(
                settings.unchanged_tolerance_min
                if settings.unchanged_tolerance_min is not None
                else negotiation.TOLERANCE_MIN
            ),
        )


def replace_csv(frame: pd.DataFrame, target: Path, *, dutch_excel: bool) -> Path:
    """
    Write one table beside ``target`` and move it into place; an earlier file is kept.

    The earlier file moves to ``<folder>/.history/<stem>-<timestamp><suffix>``; the table is
    written as :func:`write_csv` writes it (no rounding, no renaming: pass it ready).

    Parameters
    ----------
    frame
        The table.
    target
        The CSV file to write.
    dutch_excel
        Write for Dutch Excel.

    Returns
    -------
    pathlib.Path
        ``target``.
    """
    folders.clean_stale_temps(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=folders.temp_prefix(target.name), dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write_csv(frame, tmp, dutch_excel=dutch_excel)
        with signals_deferred():
            if target.exists():
                history = target.parent / ".history"
                history.mkdir(exist_ok=True)
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
                target.replace(history / f"{target.stem}-{stamp}{target.suffix}")
            tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def redraw_report(
    results_dir: Path | str,
    out_dir: Path | str,
    *,
    dutch_excel: bool = False,
    language: Language | None = None,
) -> list[Path]:
    """
    Redraw the maps and negotiation tables of a results folder.

    Parameters
    ----------
    results_dir
        A folder written by :func:`write_report` (or the ``run`` command).
    out_dir
        Where to write (may be ``results_dir`` itself; only the map and negotiation files
        are replaced there).
    dutch_excel
        Also write every CSV table of the run for Dutch Excel into ``<out_dir>/excel-nl/``.
    language
        Language of the tables written (default: the language the folder was written in;
        the Dutch-Excel copies default to Dutch).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    InputDataError
        If the folder, one of its tables or its coordinates are missing.
    """
    source = Path(results_dir)
    saved = read_run(source)
    if saved.sites is None or saved.zone_points is None:
        read_points(source)  # raises, naming the missing file
    target = folders.make_folder(out_dir, what="--out-dir")
    already = saved.csv_format == "dutch_excel"
    tolerance = saved.run_json.get("unchanged_tolerance_min")
    if not isinstance(tolerance, (int, float)):
        tolerance = _report_options(saved.run_json).get(
            "unchanged_tolerance_min", negotiation.TOLERANCE_MIN
        )
    written = write_map_files(
        saved,
        target,
        dutch_excel=already,
        language=language or saved.language,
        tolerance_min=float(tolerance),
    )
    if dutch_excel:
        excel = target / "excel-nl"
        excel.mkdir(exist_ok=True)
        for path in sorted(source.glob("*.csv")):
            table = read_table(path, dutch_excel=already)
            write_csv(table, excel / path.name, dutch_excel=True, language=language or "nl")
            written.append(excel / path.name)
    return written


# Words of the Pareto plot, per language.
_PARETO_WORDS_EN = {
    "spend_gross": "spending (M€, gross capex incl. demolition)",
    "objective_axis": "objective (person-minutes incl. unmet penalty)",
    "left_title": "Accessibility against budget",
    "spend": "spending (M€)",
    "mean_time": "mean travel time of everyone, unserved at the penalty (min)",
    "right_title": "Mean travel time per service",
}
_PARETO_WORDS_NL = {
    "spend_gross": "uitgaven (M€, bruto investering incl. sloop)",
    "objective_axis": "doelfunctie (persoonsminuten incl. boete onvervuld)",
    "left_title": "Bereikbaarheid tegen budget",
    "spend": "uitgaven (M€)",
    "mean_time": "gemiddelde reistijd van iedereen, onbediend tegen de boete (min)",
    "right_title": "Gemiddelde reistijd per voorziening",
}


def _comma_formatter() -> FuncFormatter:
    """Tick labels with a decimal comma and a point between thousands (Dutch)."""

    def fmt(value: float, _pos: object) -> str:
        text = f"{value:,.10g}" if abs(value) >= 1000 else f"{value:.10g}"
        return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")

    return FuncFormatter(fmt)


def write_pareto(
    table: pd.DataFrame,
    out_dir: Path | str,
    *,
    dutch_excel: bool = False,
    language: Language | None = None,
) -> Path:
    """
    Write a Pareto table and its plot (objective and per-service travel time vs spending).

    The right panel shows each service's mean travel time counting everyone (the unserved
    at the unmet penalty), so access never looks better when fewer people are served.

    The plot is drawn on a :class:`matplotlib.figure.Figure` with an Agg canvas, so
    matplotlib's global backend is left alone.

    Parameters
    ----------
    table
        The table of :class:`voorzieningen.sweep.ParetoFront` (budget_eur, spend_eur,
        objective_value, mean_time_all_min_<service>, ...).
    out_dir
        Folder to write ``pareto.csv`` and ``pareto.png`` into (created if needed).
    dutch_excel
        Write the CSV for Dutch Excel.
    language
        Language of the CSV (rounded and named as in :func:`write_report`); ``None``
        writes the table exactly.

    Returns
    -------
    pathlib.Path
        The folder.
    """
    folder = folders.make_folder(out_dir, what="Pareto folder")
    write_csv(table, folder / "pareto.csv", dutch_excel=dutch_excel, language=language)
    nl = (language or ("nl" if dutch_excel else "en")) == "nl"
    words = _PARETO_WORDS_NL if nl else _PARETO_WORDS_EN
    services = T.SERVICE_NL if nl else T.SERVICE_EN
    fig = Figure(figsize=(11, 4.2))
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2)
    spend = table[T.SPEND_EUR] / 1e6
    left.plot(spend, table[T.OBJECTIVE_VALUE], marker="o", color="#1f4e79")
    left.set_xlabel(words["spend_gross"])
    left.set_ylabel(words["objective_axis"])
    left.set_title(words["left_title"])
    # Per service, counting everyone (the unserved at the unmet penalty), so that access
    # never looks better when fewer people are served.
    per_service = [c for c in table.columns if str(c).startswith(T.MEAN_TIME_ALL_PREFIX)]
    for col in per_service:
        service = str(col).removeprefix(T.MEAN_TIME_ALL_PREFIX)
        right.plot(spend, table[col], marker="^", label=services.get(service, service))
    right.set_xlabel(words["spend"])
    right.set_ylabel(words["mean_time"])
    if per_service:
        right.legend(fontsize=8)
    right.set_title(words["right_title"])
    for axis in (left, right):
        axis.grid(visible=True, alpha=0.3)
        if nl:
            # Decimal commas on the axes, as in the Dutch tables.
            axis.xaxis.set_major_formatter(_comma_formatter())
            axis.yaxis.set_major_formatter(_comma_formatter())
    fig.tight_layout()
    fig.savefig(folder / "pareto.png", dpi=120)
    return folder


__all__ = [
    "RESULT_FILES",
    "ReportSettings",
    "action_list",
    "escape_formulas",
    "read_points",
    "read_run",
    "read_table",
    "redraw_report",
    "replace_csv",
    "saved_run",
    "write_csv",
    "write_map_files",
    "write_pareto",
    "write_report",
]
