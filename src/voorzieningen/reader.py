"""Read a results folder back: the one reader of what :mod:`voorzieningen.report` writes.

:func:`read_run` reads a folder as a :class:`~voorzieningen.record.SavedRun` (what is on
disk, in either language and either CSV dialect); :func:`read_table` reads one of its CSVs;
:func:`read_points` its sites and zones with coordinates.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from voorzieningen import tables as T
from voorzieningen.errors import InputDataError
from voorzieningen.inputs import file_sha256
from voorzieningen.localise import Language, column_name, detect_language, from_output
from voorzieningen.plotting import indexed_points
from voorzieningen.record import CsvFormat, SavedRun

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


#: ``run.json`` key of the SHA-256 of every file the writer put in the folder before it.
FILES_SHA256 = "files_sha256"


def check_unchanged(root: Path, record: Mapping[str, Any]) -> None:
    """
    Refuse a results folder whose tables changed since the run wrote them.

    Parameters
    ----------
    root
        The results folder.
    record
        Its ``run.json``; folders written before the hashes were recorded (no
        ``files_sha256``) are read as they are.

    Raises
    ------
    InputDataError
        If a file listed in ``files_sha256`` is missing or its SHA-256 differs (edited,
        truncated or copied over): its figures would not be the run's.
    """
    expected = record.get(FILES_SHA256)
    if not isinstance(expected, Mapping):
        return
    changed = [
        str(name)
        for name, digest in expected.items()
        if not (root / str(name)).is_file() or file_sha256(root / str(name)) != digest
    ]
    if changed:
        msg = (
            f"({root / changed[0]}) | changed since the run wrote it: {', '.join(changed)} "
            f"no longer match the SHA-256 in run.json ({FILES_SHA256}): edited, truncated or "
            "copied over, so its figures would not be the run's. Restore the file (the run "
            "before lies in .history/ beside the folder, if it was replaced) or run the "
            "scenario again; work on copies of the tables elsewhere."
        )
        raise InputDataError(msg)


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
        The tables as written (English names and values, rounded as written; ``period``
        as a nullable integer year in decisions; the summary unrounded from ``run.json``),
        the points, travel times, reachability, population, kpis and (a robust plan's)
        ``robust.csv`` when present, the funding parties and ``run.json``.

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
    check_unchanged(root, record)
    csv_format: CsvFormat = (
        "dutch_excel" if record.get("csv_format") == "dutch_excel" else "utf8_comma"
    )
    dutch = csv_format == "dutch_excel"
    language: Language = "nl" if record.get("language") == "nl" else "en"
    frames: dict[str, pd.DataFrame] = {}
    for name, required in _REQUIRED.items():
        path = root / name
        try:
            frame = read_table(path, dutch_excel=dutch, language=language)
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
    summary = frames["summary.csv"]
    exact = record.get("summary")
    if isinstance(exact, dict) and exact:
        # run.json keeps the summary unrounded; the CSV is rounded for people.
        summary = pd.DataFrame([exact])
    decisions = frames["decisions.csv"]
    decisions[T.PERIOD] = pd.to_numeric(decisions[T.PERIOD]).astype("Int64")
    for col in (T.SERVICES_AFTER, T.OPTION, T.SERVICE, T.NAME, T.KIND):
        if col in decisions.columns:
            decisions[col] = decisions[col].fillna("").astype(str)
    optional = {
        name: read_table(root / f"{name}.csv", dutch_excel=dutch, language=language)
        for name in ("travel_times", "reachability", "population", "kpis", "robust")
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
        summary=summary,
        assignments=frames["assignments.csv"],
        unmet=frames["unmet.csv"],
        sites=sites,
        zone_points=zones,
        travel_times=optional.get("travel_times"),
        reachability=optional.get("reachability"),
        population=population,
        kpis=optional.get("kpis"),
        robust=optional.get("robust"),
        funding=_funding(record),
        csv_format=csv_format,
        run_json=record,
        folder=root,
        language=language,
    )


def read_table(
    path: Path | str, *, dutch_excel: bool = False, language: Language | None = None
) -> pd.DataFrame:
    """
    Read a CSV written by :func:`write_csv` back into a DataFrame.

    Parameters
    ----------
    path
        The CSV file.
    dutch_excel
        Whether it was written for Dutch Excel.
    language
        The language it was written in; ``None``: told from its header.

    Returns
    -------
    pandas.DataFrame
        The table with English column names and values (zone and site ids as text;
        percentages of shares back as fractions).
    """
    ids = (T.ZONE, T.SITE, column_name(T.SITE, "nl"), column_name(T.ZONE, "nl"))
    dtype = dict.fromkeys(ids, "str")
    if dutch_excel:
        frame = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype=dtype)
    else:
        frame = pd.read_csv(path, encoding="utf-8", dtype=dtype)
    return from_output(frame, language or detect_language(frame.columns))
