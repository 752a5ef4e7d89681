"""Write a run's results to a folder: CSV tables, an action list and ``run.json``.

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
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pandas as pd

from voorzieningen import tables as T
from voorzieningen.results import Results

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

SERVICE_NL = {"school": "basisschool", "gp": "huisartsenpraktijk", "community_hall": "dorpshuis"}
SERVICE_EN = {"school": "primary school", "gp": "GP practice", "community_hall": "community hall"}


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


def action_list(results: Results, *, language: str = "nl") -> list[str]:
    """
    Describe the plan's actions in plain language, in time order.

    Parameters
    ----------
    results
        A run's results.
    language
        ``"nl"`` (Dutch) or ``"en"`` (English).

    Returns
    -------
    list of str
        For example ``"2030: sluit basisschool X"`` / ``"2030: close primary school X"``.
    """
    names = SERVICE_NL if language == "nl" else SERVICE_EN
    d = results.decisions
    lines: list[tuple[int, str]] = []
    for row in d.itertuples(index=False):
        action = str(row.action)
        if action in ("keep", "not_built"):
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


def _json_default(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def write_report(
    results: Results,
    out_dir: Path | str,
    *,
    dutch_excel: bool = False,
    extra: Callable[[Path], None] | None = None,
) -> Path:
    """
    Write every table of a run, atomically, into ``out_dir``.

    Files: ``decisions.csv``, ``zones.csv``, ``capacity.csv``, ``costs.csv``,
    ``summary.csv``, ``assignments.csv``, ``unmet.csv``, and when known ``travel_times.csv``,
    ``reachability.csv``, ``sites.csv`` (site, name, kind, service, lon, lat, ...) and
    ``zones_points.csv`` (zone, gemeente, lon, lat), ``actions_nl.txt``, ``actions_en.txt`` and
    ``run.json`` (inputs' hashes, versions, settings, solver status and gap).

    Parameters
    ----------
    results
        The run's results.
    out_dir
        Target folder, e.g. ``results/delft/base``.
    dutch_excel
        Write CSVs for Dutch Excel (``;``, decimal comma, byte-order mark).
    extra
        Called with the temporary folder before it is moved into place, to add more files
        (maps) under the same atomic write.

    Returns
    -------
    pathlib.Path
        The folder written.
    """
    target = Path(out_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        tables: dict[str, pd.DataFrame | None] = {
            "decisions": results.decisions,
            "zones": results.zones,
            "capacity": results.capacity,
            "costs": results.costs,
            "summary": results.summary,
            "assignments": results.plan.assignments,
            "unmet": results.plan.unmet,
            "travel_times": results.travel_times,
            "reachability": results.reachability,
            "sites": results.sites,
            "zones_points": results.zone_points,
            "population": results.population,
        }
        for name, frame in tables.items():
            if frame is not None:
                write_csv(frame, tmp / f"{name}.csv", dutch_excel=dutch_excel)
        for language in ("nl", "en"):
            lines = action_list(results, language=language)
            (tmp / f"actions_{language}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        meta = dict(results.meta)
        meta["summary"] = results.summary.iloc[0].to_dict()
        meta["written_utc"] = datetime.now(UTC).isoformat(timespec="seconds")
        meta["csv_format"] = "dutch_excel" if dutch_excel else "utf8_comma"
        (tmp / "run.json").write_text(
            json.dumps(meta, indent=2, default=_json_default, ensure_ascii=False), encoding="utf-8"
        )
        if extra is not None:
            extra(tmp)
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


def write_pareto(table: pd.DataFrame, out_dir: Path | str, *, dutch_excel: bool = False) -> Path:
    """
    Write a Pareto table and its plot (objective and mean travel time against spending).

    Parameters
    ----------
    table
        The table of :class:`voorzieningen.api.ParetoFront` (budget_eur, spend_eur,
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
    import matplotlib as mpl  # plotting only when asked

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(table, folder / "pareto.csv", dutch_excel=dutch_excel)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    spend = table["spend_eur"] / 1e6
    left.plot(spend, table["objective_value"], marker="o", color="#1f4e79")
    left.set_xlabel("spending (M€, net of sale proceeds)")
    left.set_ylabel("objective (person-minutes incl. unmet penalty)")
    left.set_title("Accessibility against budget")
    right.plot(spend, table["unmet_persons"], marker="s", color="#c0392b", label="unmet (persons)")
    right.set_xlabel("spending (M€)")
    right.set_ylabel("unmet demand, average per period (persons)")
    twin = right.twinx()
    twin.plot(spend, table["mean_travel_time_min"], marker="^", color="#27ae60")
    twin.set_ylabel("mean travel time of those served (min)")
    right.set_title("Unmet demand and travel time")
    for axis in (left, right):
        axis.grid(visible=True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(folder / "pareto.png", dpi=120)
    plt.close(fig)
    return folder


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
