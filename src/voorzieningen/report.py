"""Write a run's results to a folder, and read a folder back: the one writer and the one reader.

:func:`write_report` writes everything a run produces: every CSV table, the action lists,
``run.json``, the maps (PNG, HTML, GeoPackage) and the negotiation tables (winners and
losers, cost per year). :func:`read_run` reads such a folder back as a
:class:`~voorzieningen.record.SavedRun`; :func:`redraw_report` redraws a folder's maps and
negotiation tables from it.

Writing is atomic: everything goes to a temporary folder beside the target, which is then
renamed into place. An earlier run in the target folder is moved to
``<parent>/.history/<name>-<timestamp>/`` first, so no result is ever destroyed, and a run
killed while writing leaves the earlier results untouched.

CSV files are UTF-8 with ``,`` separators by default; ``dutch_excel=True`` writes UTF-8 with a
byte-order mark, ``;`` separators and decimal commas, as Dutch Excel expects. In both, text
cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are prefixed with
``'`` so that a spreadsheet never runs them as formulas.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from voorzieningen import maps, negotiation, webmap
from voorzieningen import tables as T
from voorzieningen.errors import InputDataError
from voorzieningen.plotting import indexed_points
from voorzieningen.provenance import run_record
from voorzieningen.record import CsvFormat, PlanTables, Run, SavedRun

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


def write_csv(frame: pd.DataFrame, path: Path, *, dutch_excel: bool = False) -> None:
    """
    Write one table as CSV, escaped against formula injection.

    Parameters
    ----------
    frame
        The table (its index is written only if it is named).
    path
        Target file.
    dutch_excel
        ``;`` separators, decimal commas and a UTF-8 byte-order mark.
    """
    index = any(name is not None for name in frame.index.names)
    safe = escape_formulas(frame.reset_index() if index else frame)
    if dutch_excel:
        safe.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    else:
        safe.to_csv(path, index=False, encoding="utf-8")


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
        after = " + ".join(names[s] for s in str(row.services_after).split("+") if s)
        capex = float(cast("float", row.capex_eur))
        cost = f" ({capex / 1e6:.2f} M€)" if capex else ""
        if language == "nl":
            text = {
                "close": f"sluit {current} {row.name}",
                "renovate": f"renoveer {current} {row.name}{cost}",
                "convert": f"verbouw {row.name} van {current} tot {after}{cost}",
                "mfa": f"verbouw {current} {row.name} tot MFA met {after}{cost}",
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
            text += " (na levensduurverlenging)" if nl else " (after its life extension)"
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
    """

    csv_format: CsvFormat = "utf8_comma"
    with_maps: bool = True

    @property
    def dutch_excel(self) -> bool:
        """Whether CSVs are written for Dutch Excel."""
        return self.csv_format == "dutch_excel"


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
        funding=run.funding,
        run_json=run_record(run),
    )


def write_map_files(saved: SavedRun, folder: Path, *, dutch_excel: bool = False) -> list[Path]:
    """
    Write the maps and the negotiation tables of a run into a folder.

    Files: ``plan.png`` (static map), ``plan.html`` (self-contained interactive map),
    ``plan.gpkg`` (GeoPackage layers zones, sites, allocation_lines), when the run has
    coordinates; ``winners_losers.csv`` (travel-time change per zone and service),
    ``winners_losers_age.csv`` (per zone and age band, when the population is known) and
    ``cost_per_year.csv`` (capex per year and funding party).

    Parameters
    ----------
    saved
        The run's folder content.
    folder
        Where to write.
    dutch_excel
        CSVs for Dutch Excel.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    written: list[Path] = []
    if saved.sites is not None and saved.zone_points is not None:
        sites, zones = saved.sites, saved.zone_points
        written.append(maps.write_png_map(saved, sites, zones, folder / "plan.png"))
        written.append(webmap.write_html_map(saved, sites, zones, folder / "plan.html"))
        written.append(maps.write_geopackage(saved, sites, zones, folder / "plan.gpkg"))
    by_zone = negotiation.winners_losers(saved)
    write_csv(by_zone, folder / "winners_losers.csv", dutch_excel=dutch_excel)
    written.append(folder / "winners_losers.csv")
    if saved.population is not None:
        by_age = negotiation.winners_losers(saved, saved.population)
        write_csv(by_age, folder / "winners_losers_age.csv", dutch_excel=dutch_excel)
        written.append(folder / "winners_losers_age.csv")
    costs = negotiation.cost_per_year(saved, saved.funding)
    write_csv(costs, folder / "cost_per_year.csv", dutch_excel=dutch_excel)
    written.append(folder / "cost_per_year.csv")
    return written


def write_report(
    run: Run | SavedRun,
    out_dir: Path | str,
    *,
    settings: ReportSettings | None = None,
    dutch_excel: bool = False,
) -> Path:
    """
    Write everything a run produces, atomically, into ``out_dir``.

    Files: ``decisions.csv``, ``zones.csv``, ``capacity.csv``, ``costs.csv``,
    ``summary.csv``, ``assignments.csv``, ``unmet.csv``, and when known ``travel_times.csv``,
    ``reachability.csv``, ``sites.csv`` (site, name, kind, service, lon, lat, ...),
    ``zones_points.csv`` (zone, gemeente, lon, lat) and ``population.csv``;
    ``actions_nl.txt``, ``actions_en.txt``, ``run.json`` (inputs' hashes, versions,
    settings, solver status and gap); with maps (the default) also the files of
    :func:`write_map_files`.

    Parameters
    ----------
    run
        The run (from :func:`voorzieningen.api.run_scenario`), or a folder's content.
    out_dir
        Target folder, e.g. ``results/delft/base``; an earlier run there is moved to
        ``<parent>/.history/``.
    settings
        Format and maps; default :class:`ReportSettings` (with ``dutch_excel`` applied).
    dutch_excel
        Shorthand for ``settings=ReportSettings(csv_format="dutch_excel")``.

    Returns
    -------
    pathlib.Path
        The folder written.
    """
    if settings is None:
        settings = ReportSettings(csv_format="dutch_excel" if dutch_excel else "utf8_comma")
    saved = saved_run(run) if isinstance(run, Run) else run
    dutch = settings.dutch_excel
    target = Path(out_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        tables: dict[str, pd.DataFrame | None] = {
            "decisions": saved.decisions,
            "zones": saved.zones,
            "capacity": saved.capacity,
            "costs": saved.costs,
            "summary": saved.summary,
            "assignments": saved.assignments,
            "unmet": saved.unmet,
            "travel_times": saved.travel_times,
            "reachability": saved.reachability,
            "sites": saved.sites,
            "zones_points": saved.zone_points,
            "population": saved.population,
        }
        for name, frame in tables.items():
            if frame is not None:
                write_csv(frame, tmp / f"{name}.csv", dutch_excel=dutch)
        for language in ("nl", "en"):
            lines = action_list(saved, language=language)
            (tmp / f"actions_{language}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        record = {"scenario": saved.scenario_name, "region": saved.region, **saved.run_json}
        record["summary"] = saved.summary.iloc[0].to_dict()
        record["written_utc"] = datetime.now(UTC).isoformat(timespec="seconds")
        record["csv_format"] = settings.csv_format
        (tmp / "run.json").write_text(
            json.dumps(record, indent=2, default=_json_default, ensure_ascii=False),
            encoding="utf-8",
        )
        if settings.with_maps:
            write_map_files(saved, tmp, dutch_excel=dutch)
        if target.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            history = target.parent / ".history"
            history.mkdir(exist_ok=True)
            target.replace(history / f"{target.name}-{stamp}")
        tmp.replace(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def redraw_report(
    results_dir: Path | str, out_dir: Path | str, *, dutch_excel: bool = False
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
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    already = saved.csv_format == "dutch_excel"
    written = write_map_files(saved, target, dutch_excel=already)
    if dutch_excel:
        excel = target / "excel-nl"
        excel.mkdir(exist_ok=True)
        for path in sorted(source.glob("*.csv")):
            table = read_table(path, dutch_excel=already)
            write_csv(table, excel / path.name, dutch_excel=True)
            written.append(excel / path.name)
    return written


def write_pareto(table: pd.DataFrame, out_dir: Path | str, *, dutch_excel: bool = False) -> Path:
    """
    Write a Pareto table and its plot (objective and mean travel time against spending).

    The plot is drawn on a :class:`matplotlib.figure.Figure` with an Agg canvas, so
    matplotlib's global backend is left alone.

    Parameters
    ----------
    table
        The table of :class:`voorzieningen.sweep.ParetoFront` (budget_eur, spend_eur,
        objective_value, mean_travel_time_min, unmet_persons, ...).
    out_dir
        Folder to write ``pareto.csv`` and ``pareto.png`` into (created if needed).
    dutch_excel
        Write the CSV for Dutch Excel.

    Returns
    -------
    pathlib.Path
        The folder.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(table, folder / "pareto.csv", dutch_excel=dutch_excel)
    fig = Figure(figsize=(11, 4.2))
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2)
    spend = table[T.SPEND_EUR] / 1e6
    left.plot(spend, table[T.OBJECTIVE_VALUE], marker="o", color="#1f4e79")
    left.set_xlabel("spending (M€, net of sale proceeds)")
    left.set_ylabel("objective (person-minutes incl. unmet penalty)")
    left.set_title("Accessibility against budget")
    right.plot(spend, table[T.UNMET_PERSONS], marker="s", color="#c0392b", label="unmet (persons)")
    right.set_xlabel("spending (M€)")
    right.set_ylabel("unmet demand, average per period (persons)")
    twin = right.twinx()
    twin.plot(spend, table[T.MEAN_TRAVEL_TIME_MIN], marker="^", color="#27ae60")
    twin.set_ylabel("mean travel time of those served (min)")
    right.set_title("Unmet demand and travel time")
    for axis in (left, right):
        axis.grid(visible=True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(folder / "pareto.png", dpi=120)
    return folder


# --------------------------------------------------------------------------------------
# Reading a results folder back

#: Files every results folder has.
RESULT_FILES: tuple[str, ...] = (
    "decisions.csv",
    "zones.csv",
    "capacity.csv",
    "costs.csv",
    "summary.csv",
    "assignments.csv",
    "unmet.csv",
    "run.json",
)

#: Required columns per results file.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "decisions.csv": (T.SITE, T.ACTION, T.PERIOD, T.SERVICES_AFTER, T.CAPEX_EUR, T.PROCEEDS_EUR),
    "zones.csv": (
        T.ZONE,
        T.SERVICE,
        T.PERIOD,
        T.DEMAND_PERSONS,
        T.UNMET_PERSONS,
        T.TRAVEL_TIME_BEFORE_MIN,
        T.TRAVEL_TIME_AFTER_MIN,
    ),
    "capacity.csv": (T.SITE, T.SERVICE, T.PERIOD),
    "costs.csv": (T.PERIOD, T.CAPEX_EUR),
    "summary.csv": (T.STATUS,),
    "assignments.csv": (T.ZONE, T.SITE, T.SERVICE, T.PERIOD, T.PERSONS),
    "unmet.csv": (T.ZONE, T.SERVICE, T.PERIOD, T.PERSONS),
}

_SITE_FILE = "sites.csv"
_ZONE_FILE = "zones_points.csv"


def _read_run_json(path: Path) -> dict[str, Any]:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        msg = f"({path}) | not valid JSON ({err}); rerun the scenario to rewrite the results."
        raise InputDataError(msg) from err
    if not isinstance(meta, dict):
        msg = f"({path}) | expected a JSON object; rerun the scenario to rewrite the results."
        raise InputDataError(msg)
    return meta


def read_points(folder: Path | str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """
    Read the site and zone coordinates saved in a results folder.

    Parameters
    ----------
    folder
        A folder written by :func:`write_report`, with ``sites.csv`` (site, name, kind,
        service, lon, lat, ...) and ``zones_points.csv`` (zone, gemeente, lon, lat); CSVs
        written for Dutch Excel are recognised from ``run.json``.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(sites, zones)``: sites indexed by ``site`` and zones indexed by ``zone`` (ids as
        text), each with ``lon`` and ``lat`` in WGS84 degrees.

    Raises
    ------
    InputDataError
        If a file is missing or lacks a required column.
    """
    root = Path(folder)
    run = root / "run.json"
    dutch = run.is_file() and _read_run_json(run).get("csv_format") == "dutch_excel"
    frames: list[pd.DataFrame] = []
    for name, index in ((_SITE_FILE, T.SITE), (_ZONE_FILE, T.ZONE)):
        path = root / name
        if not path.is_file():
            msg = (
                f"({path}) | {name} not found: this results folder has no coordinates (it "
                "was written before maps existed, or is not a results folder). Rerun the "
                "scenario with `voorzieningen run ... --out-dir` to write it."
            )
            raise InputDataError(msg)
        frame = read_table(path, dutch_excel=dutch)
        missing = [c for c in (index, T.LON, T.LAT) if c not in frame.columns]
        if missing:
            msg = (
                f"({path}) | missing column(s) {missing}; the file has "
                f"{list(frame.columns)}. Rerun the scenario to rewrite it."
            )
            raise InputDataError(msg)
        frames.append(indexed_points(frame, index, str(path)))
    return frames[0], frames[1]


def _funding(record: Mapping[str, Any]) -> dict[str, str]:
    settings = record.get("settings", {})
    budget = settings.get("budget", {}) if isinstance(settings, dict) else {}
    parties = budget.get("funding_party", {}) if isinstance(budget, dict) else {}
    return {str(k): str(v) for k, v in dict(parties).items()}


def read_run(folder: Path | str) -> SavedRun:
    """
    Read a results folder written by :func:`write_report`.

    Parameters
    ----------
    folder
        The folder, e.g. ``results/delft/base``; Dutch-Excel CSVs are recognised from
        ``run.json`` (``csv_format``).

    Returns
    -------
    SavedRun
        The tables as written (``period`` as a nullable integer year in decisions), the
        points, travel times, reachability and population when present, the funding
        parties and ``run.json``.

    Raises
    ------
    InputDataError
        If the folder or one of :data:`RESULT_FILES` is missing, or a file lacks a column.
    """
    root = Path(folder)
    if not root.is_dir():
        msg = (
            f"({root}) | results folder not found; write one with `voorzieningen run "
            "<scenarios.toml> --out-dir <folder>` or voorzieningen.write_report()."
        )
        raise InputDataError(msg)
    missing = [name for name in RESULT_FILES if not (root / name).is_file()]
    if missing:
        msg = (
            f"({root / missing[0]}) | missing from the results folder: {', '.join(missing)}. "
            "The folder is incomplete or not a results folder; rerun the scenario with "
            "`voorzieningen run ... --out-dir` to write it again."
        )
        raise InputDataError(msg)
    record = _read_run_json(root / "run.json")
    csv_format: CsvFormat = (
        "dutch_excel" if record.get("csv_format") == "dutch_excel" else "utf8_comma"
    )
    dutch = csv_format == "dutch_excel"
    frames: dict[str, pd.DataFrame] = {}
    for name, required in _REQUIRED.items():
        path = root / name
        try:
            frame = read_table(path, dutch_excel=dutch)
        except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as err:
            msg = f"({path}) | cannot be read as CSV ({err}); rerun the scenario."
            raise InputDataError(msg) from err
        absent = [c for c in required if c not in frame.columns]
        if absent:
            msg = (
                f"({path}) | missing column(s) {absent}; the file has {list(frame.columns)}. "
                "Rerun the scenario to rewrite it."
            )
            raise InputDataError(msg)
        frames[name] = frame
    decisions = frames["decisions.csv"]
    decisions[T.PERIOD] = pd.to_numeric(decisions[T.PERIOD]).astype("Int64")
    for col in (T.SERVICES_AFTER, T.OPTION, T.SERVICE, T.NAME, T.KIND):
        if col in decisions.columns:
            decisions[col] = decisions[col].fillna("").astype(str)
    optional = {
        name: read_table(root / f"{name}.csv", dutch_excel=dutch)
        for name in ("travel_times", "reachability", "population")
        if (root / f"{name}.csv").is_file()
    }
    population = optional.get("population")
    if population is not None:
        population = population.set_index([T.ZONE, T.PERIOD, T.AGE_BAND])
    sites: pd.DataFrame | None = None
    zones: pd.DataFrame | None = None
    if (root / _SITE_FILE).is_file() and (root / _ZONE_FILE).is_file():
        sites, zones = read_points(root)
    return SavedRun(
        scenario_name=str(record.get("scenario", root.name)),
        region=str(record.get("region", "")),
        decisions=decisions,
        zones=frames["zones.csv"],
        capacity=frames["capacity.csv"],
        costs=frames["costs.csv"],
        summary=frames["summary.csv"],
        assignments=frames["assignments.csv"],
        unmet=frames["unmet.csv"],
        sites=sites,
        zone_points=zones,
        travel_times=optional.get("travel_times"),
        reachability=optional.get("reachability"),
        population=population,
        funding=_funding(record),
        csv_format=csv_format,
        run_json=record,
        folder=root,
    )


def read_table(path: Path | str, *, dutch_excel: bool = False) -> pd.DataFrame:
    """
    Read a CSV written by :func:`write_csv` back into a DataFrame.

    Parameters
    ----------
    path
        The CSV file.
    dutch_excel
        Whether it was written for Dutch Excel.

    Returns
    -------
    pandas.DataFrame
        The table (zone and site ids as text).
    """
    dtype = {T.ZONE: "str", T.SITE: "str"}
    if dutch_excel:
        return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype=dtype)
    return pd.read_csv(path, encoding="utf-8", dtype=dtype)
