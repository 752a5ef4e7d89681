"""Compare two runs, find winners and losers, and split capex per year and funding party.

:func:`read_results` reads a results folder written by
:func:`voorzieningen.report.write_report` back into :class:`~voorzieningen.results.Results`;
:func:`compare_results` sets two such folders side by side (KPIs, changed decisions, zone
travel times); :func:`write_difference_map` draws the differences. :func:`winners_losers`
and :func:`cost_per_year` work on one run.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from voorzieningen import maps
from voorzieningen import tables as T
from voorzieningen.errors import InputDataError
from voorzieningen.report import read_table
from voorzieningen.results import Plan, Results

#: Files every results folder has (written by :func:`voorzieningen.report.write_report`).
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
    "decisions.csv": (T.SITE, "action", T.PERIOD, "services_after", T.CAPEX_EUR, "proceeds_eur"),
    "zones.csv": (
        T.ZONE,
        T.SERVICE,
        T.PERIOD,
        T.DEMAND_PERSONS,
        "unmet_persons",
        "travel_time_before_min",
        "travel_time_after_min",
    ),
    "capacity.csv": (T.SITE, T.SERVICE, T.PERIOD),
    "costs.csv": (T.PERIOD, T.CAPEX_EUR),
    "summary.csv": ("status",),
    "assignments.csv": (T.ZONE, T.SITE, T.SERVICE, T.PERIOD, "persons"),
    "unmet.csv": (T.ZONE, T.SERVICE, T.PERIOD, "persons"),
}

#: KPIs of :attr:`Comparison.kpis`: summary column and unit.
KPIS: tuple[tuple[str, str], ...] = (
    ("capex_total_eur", "EUR"),
    ("proceeds_total_eur", "EUR"),
    ("npv_cost_eur", "EUR"),
    ("mean_travel_time_min", "min"),
    ("unmet_persons", "persons"),
    ("projects_started", "count"),
    ("sites_closed", "count"),
    ("status", ""),
    ("gap", "fraction"),
)

#: Travel-time differences smaller than this are treated as no change, minutes.
TOLERANCE_MIN = 0.01

#: Default weight of one person in each age band for each service (the same defaults as
#: :func:`voorzieningen.demand.service_weights`, except GP, where every age counts 1):
#: school = share of the band of primary-school age; community hall = visitor weight by age.
_SCHOOL_FRACTIONS = {"0-4": 0.2, "5-9": 1.0, "10-14": 0.4}

_BAND = re.compile(r"^\s*(\d+)\s*(?:-\s*\d+|\+)\s*$")

#: Party that pays when ``funding`` does not name a service.
DEFAULT_PARTY = "corporation"


# --------------------------------------------------------------------------------------
# Reading a results folder


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


def read_results(folder: Path | str) -> Results:
    """
    Read a results folder written by :func:`voorzieningen.report.write_report`.

    Parameters
    ----------
    folder
        The folder, e.g. ``results/delft/base``; Dutch-Excel CSVs are recognised from
        ``run.json`` (``csv_format``).

    Returns
    -------
    Results
        decisions, zones, capacity, costs, summary and meta as written (``period`` as a
        nullable integer year); ``plan.assignments`` and ``plan.unmet`` from their files;
        ``plan.starts`` and ``plan.closures`` rebuilt from the decisions (``new_area_m2``
        NaN); ``plan.capacity_built`` and ``plan.asis`` empty (not written);
        ``travel_times`` and ``reachability`` when present.

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
    meta = _read_run_json(root / "run.json")
    dutch = meta.get("csv_format") == "dutch_excel"
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
    for col in ("services_after", "option", T.SERVICE, T.NAME, T.KIND):
        if col in decisions.columns:
            decisions[col] = decisions[col].fillna("").astype(str)
    acting = decisions[decisions["action"].isin(["renovate", "convert", "mfa", "new"])]
    starts = pd.DataFrame(
        {
            T.SITE: acting[T.SITE],
            "option": acting.get("option", acting["action"]),
            "action": acting["action"],
            "services": acting["services_after"],
            T.PERIOD: acting[T.PERIOD],
            T.CAPEX_EUR: acting[T.CAPEX_EUR],
            "new_area_m2": np.nan,
        }
    ).reset_index(drop=True)
    closing = decisions[decisions["action"] == "close"]
    closures = pd.DataFrame(
        {
            T.SITE: closing[T.SITE],
            T.PERIOD: closing[T.PERIOD],
            "proceeds_eur": closing["proceeds_eur"],
        }
    ).reset_index(drop=True)
    plan = Plan(
        starts=starts,
        capacity_built=pd.DataFrame(
            columns=[T.SITE, "option", T.SERVICE, T.PERIOD, T.CAPACITY_PLACES]
        ),
        asis=pd.DataFrame(columns=[T.SITE, T.PERIOD, "in_use"]),
        closures=closures,
        assignments=frames["assignments.csv"],
        unmet=frames["unmet.csv"],
    )
    optional = {
        name: read_table(root / f"{name}.csv", dutch_excel=dutch)
        for name in ("travel_times", "reachability")
        if (root / f"{name}.csv").is_file()
    }
    meta.setdefault("scenario", root.name)
    meta["results_dir"] = str(root)
    return Results(
        decisions=decisions,
        zones=frames["zones.csv"],
        capacity=frames["capacity.csv"],
        costs=frames["costs.csv"],
        summary=frames["summary.csv"],
        plan=plan,
        meta=meta,
        travel_times=optional.get("travel_times"),
        reachability=optional.get("reachability"),
    )


# --------------------------------------------------------------------------------------
# Comparing two runs


@dataclass(frozen=True)
class Comparison:
    """Two runs side by side (B against A).

    Attributes
    ----------
    a_label, b_label
        Names of the runs (their scenario names, or folder names).
    kpis
        Indexed by ``kpi`` (capex_total_eur, proceeds_total_eur, npv_cost_eur,
        mean_travel_time_min, unmet_persons, projects_started, sites_closed, status, gap);
        columns ``unit``, ``a``, ``b`` and ``difference`` (b − a; for ``status``, empty
        when equal and ``"a → b"`` otherwise).
    changed_decisions
        One row per site whose action, period or services after differ: site, name,
        action_a, action_b, period_a, period_b (years), services_after_a, services_after_b,
        capex_eur_a, capex_eur_b, capex_difference_eur (EUR).
    zone_changes
        One row per (zone, service) in the last period of each run: period_a, period_b,
        travel_time_after_min_a, travel_time_after_min_b, travel_time_difference_min
        (b − a, minutes), unmet_persons_a, unmet_persons_b, changed (bool: travel time
        differs by more than :data:`TOLERANCE_MIN` or unmet demand differs by more than
        half a person).
    """

    a_label: str
    b_label: str
    kpis: pd.DataFrame
    changed_decisions: pd.DataFrame
    zone_changes: pd.DataFrame

    def __repr__(self) -> str:
        k = self.kpis["difference"]
        capex = _as_float(k.get("capex_total_eur"))
        travel = _as_float(k.get("mean_travel_time_min"))
        zones = int(self.zone_changes["changed"].sum()) if len(self.zone_changes) else 0
        return (
            f"<Comparison {self.b_label} vs {self.a_label}: capex {capex:+,.0f} EUR, "
            f"mean travel time {travel:+.2f} min, {len(self.changed_decisions)} changed "
            f"decisions, {zones} (zone, service) pairs changed>"
        )

    def to_text(self, *, max_rows: int = 20) -> str:
        """
        Describe the comparison as plain text for the terminal.

        Parameters
        ----------
        max_rows
            Largest number of changed decisions and of zone changes listed.

        Returns
        -------
        str
            The KPI table, the changed decisions and the largest zone travel-time changes.
        """
        lines = [f"Comparison: B = {self.b_label} against A = {self.a_label}", ""]
        header = f"{'kpi':<24}{'A':>16}{'B':>16}{'B - A':>16}"
        lines += [header, "-" * len(header)]
        for kpi, row in self.kpis.iterrows():
            unit = str(row["unit"])
            label = f"{kpi}"
            lines.append(
                f"{label:<24}{_fmt(row['a'], unit):>16}{_fmt(row['b'], unit):>16}"
                f"{_fmt(row['difference'], unit, signed=True):>16}"
            )
        lines += ["", f"Changed decisions ({len(self.changed_decisions)}):"]
        if self.changed_decisions.empty:
            lines.append("  none")
        for d in self.changed_decisions.head(max_rows).itertuples(index=False):
            lines.append(
                f"  {d.name or d.site!s}: {_decision(d.action_a, d.period_a)} -> "
                f"{_decision(d.action_b, d.period_b)}"
            )
        if len(self.changed_decisions) > max_rows:
            lines.append(f"  ... and {len(self.changed_decisions) - max_rows} more")
        changed = self.zone_changes[self.zone_changes["changed"]]
        changed = changed.reindex(
            changed["travel_time_difference_min"].abs().sort_values(ascending=False).index
        )
        lines += ["", f"Zones whose travel time or unmet demand changed ({len(changed)}):"]
        if changed.empty:
            lines.append("  none")
        for z in changed.head(max_rows).itertuples(index=False):
            lines.append(
                f"  {z.zone} {z.service}: {_fmt(z.travel_time_after_min_a, 'min')} -> "
                f"{_fmt(z.travel_time_after_min_b, 'min')} "
                f"({_fmt(z.travel_time_difference_min, 'min', signed=True)}); unmet "
                f"{_fmt(z.unmet_persons_a, 'persons')} -> {_fmt(z.unmet_persons_b, 'persons')}"
            )
        if len(changed) > max_rows:
            lines.append(f"  ... and {len(changed) - max_rows} more")
        return "\n".join(lines)


def _as_float(value: object) -> float:
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return float("nan")


def _fmt(value: object, unit: str, *, signed: bool = False) -> str:
    if unit == "" or isinstance(value, str):
        return "" if maps._missing(value) else str(value)
    number = _as_float(value)
    if not math.isfinite(number):
        return "–"
    sign = "+" if signed else ""
    if unit == "EUR":
        return f"{number:{sign},.0f}"
    if unit == "min":
        return f"{number:{sign}.2f} min"
    if unit == "fraction":
        return f"{number:{sign}.3%}"
    return f"{number:{sign},.0f}"


def _decision(action: object, period: object) -> str:
    if maps._missing(action):
        return "absent"
    return f"{action} {maps._year(period)}".strip()


def _kpi_table(a: Results, b: Results) -> pd.DataFrame:
    ra = a.summary.iloc[0] if len(a.summary) else pd.Series(dtype=object)
    rb = b.summary.iloc[0] if len(b.summary) else pd.Series(dtype=object)
    rows = []
    for kpi, unit in KPIS:
        va = ra.get(kpi, np.nan)
        vb = rb.get(kpi, np.nan)
        if unit == "":
            diff: object = "" if str(va) == str(vb) else f"{va} → {vb}"
            va, vb = str(va), str(vb)
        else:
            va, vb = _as_float(va), _as_float(vb)
            diff = vb - va
        rows.append({"kpi": kpi, "unit": unit, "a": va, "b": vb, "difference": diff})
    return pd.DataFrame(rows).set_index("kpi").astype(object)


def _changed_decisions(a: Results, b: Results) -> pd.DataFrame:
    cols = [T.SITE, T.NAME, "action", T.PERIOD, "services_after", T.CAPEX_EUR]

    def prepared(r: Results) -> pd.DataFrame:
        d = r.decisions.copy()
        if T.NAME not in d.columns:
            d[T.NAME] = ""
        d[T.SITE] = d[T.SITE].astype(str)
        d[T.PERIOD] = pd.to_numeric(d[T.PERIOD]).astype("Int64")
        d["services_after"] = d["services_after"].fillna("").astype(str)
        return d[cols].set_index(T.SITE)

    da, db = prepared(a), prepared(b)
    both = da.merge(db, left_index=True, right_index=True, how="outer", suffixes=("_a", "_b"))
    both[T.NAME] = both[f"{T.NAME}_a"].fillna(both[f"{T.NAME}_b"]).fillna("").astype(str)
    period_a = both[f"{T.PERIOD}_a"].fillna(-1)
    period_b = both[f"{T.PERIOD}_b"].fillna(-1)
    differs = (
        (both["action_a"].fillna("") != both["action_b"].fillna(""))
        | (period_a != period_b)
        | (both["services_after_a"].fillna("") != both["services_after_b"].fillna(""))
    )
    out = both[differs].copy()
    out["capex_difference_eur"] = out[f"{T.CAPEX_EUR}_b"].fillna(0.0) - out[
        f"{T.CAPEX_EUR}_a"
    ].fillna(0.0)
    out = out.reset_index().rename(columns={"index": T.SITE})
    return out[
        [
            T.SITE,
            T.NAME,
            "action_a",
            "action_b",
            "period_a",
            "period_b",
            "services_after_a",
            "services_after_b",
            "capex_eur_a",
            "capex_eur_b",
            "capex_difference_eur",
        ]
    ].reset_index(drop=True)


def _last_rows(r: Results) -> pd.DataFrame:
    z = r.zones.copy()
    z[T.ZONE] = z[T.ZONE].astype(str)
    year = maps.last_period(r)
    z = z[pd.to_numeric(z[T.PERIOD]) == year]
    return z.set_index([T.ZONE, T.SERVICE])


def _zone_changes(a: Results, b: Results) -> pd.DataFrame:
    za, zb = _last_rows(a), _last_rows(b)
    keep = [T.PERIOD, "travel_time_after_min", "unmet_persons"]
    both = za[keep].merge(
        zb[keep], left_index=True, right_index=True, how="outer", suffixes=("_a", "_b")
    )
    both["travel_time_difference_min"] = (
        both["travel_time_after_min_b"] - both["travel_time_after_min_a"]
    )
    tt_changed = both["travel_time_difference_min"].abs() > TOLERANCE_MIN
    tt_appears = both["travel_time_after_min_a"].isna() != both["travel_time_after_min_b"].isna()
    unmet = (both["unmet_persons_b"].fillna(0.0) - both["unmet_persons_a"].fillna(0.0)).abs() > 0.5
    both["changed"] = (tt_changed | tt_appears | unmet).astype(bool)
    out = both.reset_index()
    return out[
        [
            T.ZONE,
            T.SERVICE,
            "period_a",
            "period_b",
            "travel_time_after_min_a",
            "travel_time_after_min_b",
            "travel_time_difference_min",
            "unmet_persons_a",
            "unmet_persons_b",
            "changed",
        ]
    ].reset_index(drop=True)


def compare_runs(a: Results, b: Results) -> Comparison:
    """
    Compare two runs in memory (B against A).

    Parameters
    ----------
    a
        The reference run.
    b
        The run compared with it.

    Returns
    -------
    Comparison
        KPIs side by side, changed decisions and zone travel-time changes (last period).
    """
    return Comparison(
        a_label=str(a.meta.get("scenario", "A")),
        b_label=str(b.meta.get("scenario", "B")),
        kpis=_kpi_table(a, b),
        changed_decisions=_changed_decisions(a, b),
        zone_changes=_zone_changes(a, b),
    )


def compare_results(a_dir: Path | str, b_dir: Path | str) -> Comparison:
    """
    Compare two results folders (B against A).

    Parameters
    ----------
    a_dir
        The reference run's results folder (written by
        :func:`voorzieningen.report.write_report`).
    b_dir
        The compared run's results folder.

    Returns
    -------
    Comparison
        KPIs side by side, changed decisions and zone travel-time changes (last period);
        ``print(comparison.to_text())`` shows them on a terminal.

    Raises
    ------
    InputDataError
        If a folder or one of its files is missing or incomplete.
    """
    return compare_runs(read_results(a_dir), read_results(b_dir))


# --------------------------------------------------------------------------------------
# Difference map


def write_difference_map(
    comparison: Comparison,
    sites: pd.DataFrame,
    zones: pd.DataFrame,
    path: Path | str,
    *,
    dpi: int = 200,
) -> Path:
    """
    Draw what differs between two runs on a static map (PNG).

    All sites are drawn small and grey; sites in ``comparison.changed_decisions`` are drawn
    with run B's action marker and colour and labelled ``name: action A → action B``.
    Zones are coloured by the mean over services of the travel-time difference B − A in
    the last period (blue: faster in B, red: slower), hollow when nothing changed, grey
    where one run serves no one there (no travel time), and outlined black where unmet
    demand differs.

    Parameters
    ----------
    comparison
        From :func:`compare_results` or :func:`compare_runs`.
    sites
        Site coordinates (index or column ``site``; ``lon``, ``lat`` in WGS84 degrees); the
        union of both runs' sites.
    zones
        Zone coordinates (index or column ``zone``; ``lon``, ``lat``).
    path
        Target ``.png`` file.
    dpi
        Resolution, dots per inch (the figure is 11.7 × 8.3 inches).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputDataError
        If a changed site or a zone has no coordinates.
    """
    site_pts = maps._indexed(sites, T.SITE, "sites")
    zone_pts = maps._indexed(zones, T.ZONE, "zones")
    changed = comparison.changed_decisions.copy()
    changed[T.SITE] = changed[T.SITE].astype(str)
    maps._check_located(
        site_pts, changed[T.SITE], "sites", "Pass the sites table of the compared runs."
    )
    zc = comparison.zone_changes.copy()
    zc[T.ZONE] = zc[T.ZONE].astype(str)
    maps._check_located(zone_pts, zc[T.ZONE], "zones", "Pass the zones table of the runs.")
    per_zone = zc.groupby(T.ZONE).agg(
        difference=("travel_time_difference_min", "mean"),
        changed=("changed", "any"),
    )
    unmet_diff = (zc["unmet_persons_b"].fillna(0.0) - zc["unmet_persons_a"].fillna(0.0)).abs()
    per_zone["unmet_changed"] = unmet_diff.groupby(zc[T.ZONE]).max() > 0.5
    site_xy_lon = site_pts[T.LON].astype(float).to_numpy()
    site_xy_lat = site_pts[T.LAT].astype(float).to_numpy()
    zone_lon = zone_pts.loc[per_zone.index, T.LON].astype(float).to_numpy()
    zone_lat = zone_pts.loc[per_zone.index, T.LAT].astype(float).to_numpy()
    project = maps._projector(
        np.concatenate([site_xy_lon, zone_lon]), np.concatenate([site_xy_lat, zone_lat])
    )
    sx, sy = project(site_xy_lon, site_xy_lat)
    zx, zy = project(zone_lon, zone_lat)
    site_xy = pd.DataFrame({"x": sx, "y": sy}, index=site_pts.index)

    fig = Figure(figsize=(11.7, 8.3), dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.set_facecolor(maps.HTML_BACKGROUND)
    ax.set_xticks([])
    ax.set_yticks([])
    raw = per_zone["difference"].to_numpy(dtype=float)
    diff = np.nan_to_num(raw, nan=0.0)
    bound = max(float(np.abs(diff).max()) if len(diff) else 0.0, 0.5)
    unknown = per_zone["changed"].to_numpy(dtype=bool) & ~np.isfinite(raw)
    active = per_zone["changed"].to_numpy(dtype=bool) & ~unknown
    unmet_changed = per_zone["unmet_changed"].to_numpy(dtype=bool)
    scatter = ax.scatter(
        zx[active],
        zy[active],
        c=diff[active],
        cmap="RdBu_r",
        vmin=-bound,
        vmax=bound,
        s=500,
        edgecolor=np.where(unmet_changed[active], "black", "#555555"),
        linewidth=np.where(unmet_changed[active], 2.0, 0.6),
        zorder=2,
    )
    ax.scatter(
        zx[unknown],
        zy[unknown],
        s=500,
        facecolor="#D9D9D9",
        edgecolor=np.where(unmet_changed[unknown], "black", "#555555"),
        linewidth=np.where(unmet_changed[unknown], 2.0, 0.6),
        hatch="///",
        zorder=2,
    )
    still = ~active & ~unknown
    ax.scatter(zx[still], zy[still], s=500, facecolor="none", edgecolor="#999999", zorder=2)
    for zone, x, y in zip(per_zone.index, zx, zy, strict=True):
        ax.text(x, y, str(zone), ha="center", va="center", fontsize=7, zorder=3)
    colourbar = fig.colorbar(scatter, ax=ax, shrink=0.6, location="right")
    colourbar.set_label(
        f"travel time {comparison.b_label} − {comparison.a_label}, mean over services (min)"
    )
    ax.scatter(sx, sy, s=12, color="#9A9A9A", zorder=4)
    handles: list[Any] = []
    for action in maps.ACTIONS:
        rows = changed[changed["action_b"].fillna("absent").astype(str) == action]
        if rows.empty:
            continue
        xy = site_xy.loc[rows[T.SITE]]
        colour = maps.ACTION_COLOURS[action]
        ax.scatter(
            xy["x"],
            xy["y"],
            s=140,
            marker=maps.ACTION_MARKERS[action],
            facecolor="none" if action == "not_built" else colour,
            edgecolor=colour if action == "not_built" else "black",
            linewidth=1.2,
            zorder=5,
        )
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker=maps.ACTION_MARKERS[action],
                markersize=10,
                markerfacecolor="none" if action == "not_built" else colour,
                markeredgecolor=colour if action == "not_built" else "black",
                label=f"{comparison.b_label}: {action} ({len(rows)})",
            )
        )
    handles.append(
        Line2D([], [], linestyle="none", marker="o", markersize=5, color="#9A9A9A", label="site")
    )
    handles.append(
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=12,
            markerfacecolor="none",
            markeredgecolor="black",
            markeredgewidth=2,
            label="zone: unmet demand differs",
        )
    )
    handles.append(
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=12,
            markerfacecolor="#D9D9D9",
            markeredgecolor="#555555",
            label="zone: no one served in one run",
        )
    )
    ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9)
    xs = np.concatenate([sx, zx])
    ys = np.concatenate([sy, zy])
    pad = max(0.06 * max(float(np.ptp(xs)), float(np.ptp(ys))), 200.0)
    x0, x1 = float(xs.min()) - pad, float(xs.max()) + pad
    y0, y1 = float(ys.min()) - pad, float(ys.max()) + pad
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    fig.draw_without_rendering()
    texts = [
        f"{d.name or d.site!s}\n{_decision(d.action_a, d.period_a)} → "
        f"{_decision(d.action_b, d.period_b)}"
        for d in changed.itertuples(index=False)
    ]
    anchors = [
        (maps._num(site_xy.at[s, "x"]), maps._num(site_xy.at[s, "y"])) for s in changed[T.SITE]
    ]
    maps._place_labels(ax, texts, anchors, fontsize=7.0)
    maps._add_scale_bar(ax, x0, x1, y0, y1)
    k = comparison.kpis
    ax.set_title(
        f"{comparison.b_label} vs {comparison.a_label}: "
        f"{len(changed)} decisions differ · capex "
        f"{_fmt(k.at['capex_total_eur', 'difference'], 'EUR', signed=True)} EUR · mean "
        f"travel time {_fmt(k.at['mean_travel_time_min', 'difference'], 'min', signed=True)}",
        fontsize=12,
        loc="left",
    )
    return maps._save_figure(fig, Path(path))


# --------------------------------------------------------------------------------------
# Winners and losers


def _band_start(band: str) -> int:
    match = _BAND.match(str(band))
    if match is None:
        msg = (
            f"(population, age_band) | cannot read age band {band!r}; use labels like "
            "'0-4', '65-69' or '95+'."
        )
        raise InputDataError(msg)
    return int(match.group(1))


def default_service_weights(bands: list[str]) -> pd.DataFrame:
    """
    Return default weights of one person in each age band for each service.

    ``school``: the share of the band of primary-school age (0-4: 0.2, 5-9: 1, 10-14: 0.4,
    else 0); ``gp``: 1 for every band; ``community_hall``: 0.25 under 65, 1 for 65-74 and
    1.25 from 75. These follow the demand defaults; pass
    :func:`voorzieningen.demand.service_weights` to :func:`winners_losers` to use the
    scenario's own weights (GP weighted by contacts per year).

    Parameters
    ----------
    bands
        Age-band labels (``"0-4"``, ``"65-69"``, ``"95+"``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``age_band``; columns school, gp, community_hall (users per person).

    Raises
    ------
    InputDataError
        If a band label cannot be read.
    """
    starts = [_band_start(b) for b in bands]
    hall = [0.25 if s < 65 else (1.0 if s < 75 else 1.25) for s in starts]
    return pd.DataFrame(
        {
            "school": [_SCHOOL_FRACTIONS.get(str(b).replace(" ", ""), 0.0) for b in bands],
            "gp": 1.0,
            "community_hall": hall,
        },
        index=pd.Index([str(b) for b in bands], name=T.AGE_BAND),
    )


def _zone_service_changes(results: Results) -> pd.DataFrame:
    z = _last_rows(results).reset_index()
    z["change_min"] = z["travel_time_after_min"] - z["travel_time_before_min"]
    return z


def winners_losers(
    results: Results,
    population: pd.DataFrame | None = None,
    *,
    weights: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """
    Return the change in travel time per zone (and age group), winners first.

    The change is ``travel_time_after_min - travel_time_before_min`` in the run's last
    period: the mean travel time of the people the plan serves minus the time to the
    nearest facility that exists today (negative: the zone gains).

    Without ``population``: one row per (zone, service) with columns zone, service,
    period, demand_persons, unmet_persons, travel_time_before_min, travel_time_after_min,
    change_min and ``outcome``: ``"winner"`` (change below −0.01 min and nothing unmet),
    ``"loser"`` (change above +0.01 min, or unmet demand), ``"unchanged"`` or
    ``"unknown"`` (a travel time is missing).

    With ``population`` (persons by zone, period and age band): one row per (zone,
    age_band) with columns zone, age_band, period, population_persons, change_min (the
    services' changes averaged with the band's weight for each service, so children
    count the school, the elderly the community hall and everyone the GP),
    person_min_change (population_persons × change_min, person-minutes) and outcome
    (``"loser"`` also when a service the band uses has unmet demand in the zone).

    Rows are sorted by change_min (most improved first; unknown last).

    Parameters
    ----------
    results
        The run's results.
    population
        Optional, indexed by or with columns (zone, period, age_band) and a column
        ``population_persons``; the run's last period must be present.
    weights
        Users per person by age band (index ``age_band``, one column per service), e.g.
        :func:`voorzieningen.demand.service_weights`; :func:`default_service_weights` if
        ``None``.

    Returns
    -------
    pandas.DataFrame
        As described above, with a ``RangeIndex``.

    Raises
    ------
    InputDataError
        If ``population`` lacks a column, the last period or an age band in ``weights``.
    """
    changes = _zone_service_changes(results)
    tol = TOLERANCE_MIN
    if population is None:
        out = changes[
            [
                T.ZONE,
                T.SERVICE,
                T.PERIOD,
                T.DEMAND_PERSONS,
                "unmet_persons",
                "travel_time_before_min",
                "travel_time_after_min",
                "change_min",
            ]
        ].copy()
        out["outcome"] = _outcome(out["change_min"], out["unmet_persons"].fillna(0.0), tol)
        return out.sort_values(
            ["change_min", T.ZONE, T.SERVICE], na_position="last", kind="stable"
        ).reset_index(drop=True)

    pop = population.reset_index() if population.index.names[0] is not None else population
    needed = [T.ZONE, T.PERIOD, T.AGE_BAND, T.POPULATION_PERSONS]
    absent = [c for c in needed if c not in pop.columns]
    if absent:
        msg = (
            f"(population) | missing column(s) {absent}; pass persons by (zone, period, "
            "age_band) with a population_persons column (as demand.project_population returns)."
        )
        raise InputDataError(msg)
    year = maps.last_period(results)
    pop = pop[pd.to_numeric(pop[T.PERIOD]) == year].copy()
    if pop.empty:
        msg = (
            f"(population) | no rows for period {year}, the run's last period; project the "
            "population to the run's periods."
        )
        raise InputDataError(msg)
    pop[T.ZONE] = pop[T.ZONE].astype(str)
    pop[T.AGE_BAND] = pop[T.AGE_BAND].astype(str)
    bands = list(dict.fromkeys(pop[T.AGE_BAND]))
    w = default_service_weights(bands) if weights is None else weights.copy()
    w.index = pd.Index([str(b) for b in w.index], name=T.AGE_BAND)
    lacking = [b for b in bands if b not in w.index]
    if lacking:
        msg = (
            f"(weights) | no weights for age band(s) {T.format_rows(lacking)}; give one row "
            "per age band of the population."
        )
        raise InputDataError(msg)
    delta = changes.pivot_table(index=T.ZONE, columns=T.SERVICE, values="change_min", dropna=False)
    unmet = changes.pivot_table(
        index=T.ZONE, columns=T.SERVICE, values="unmet_persons", aggfunc="sum", fill_value=0.0
    )
    services = [s for s in delta.columns if s in w.columns]
    rows = []
    for zone, band, persons in zip(
        pop[T.ZONE], pop[T.AGE_BAND], pop[T.POPULATION_PERSONS], strict=True
    ):
        num = 0.0
        den = 0.0
        short = 0.0
        if zone in delta.index:
            for service in services:
                value = maps._num(delta.at[zone, service])
                weight = maps._num(w.at[band, service])
                if weight > 0 and service in unmet.columns:
                    short += maps._num(unmet.at[zone, service])
                if math.isfinite(value) and weight > 0:
                    num += weight * value
                    den += weight
        change = num / den if den > 0 else float("nan")
        rows.append(
            {
                T.ZONE: zone,
                T.AGE_BAND: band,
                T.PERIOD: year,
                T.POPULATION_PERSONS: float(persons),
                "change_min": change,
                "person_min_change": float(persons) * change,
                "unmet_persons": short,
            }
        )
    out = pd.DataFrame(rows)
    out["outcome"] = _outcome(out["change_min"], out["unmet_persons"], tol)
    out = out.drop(columns="unmet_persons")
    return out.sort_values(["change_min", T.ZONE], na_position="last", kind="stable").reset_index(
        drop=True
    )


def _outcome(change: pd.Series, unmet: pd.Series, tol: float) -> pd.Series:
    values = np.select(
        [change.isna(), (change > tol) | (unmet > 1e-6), change < -tol],
        ["unknown", "loser", "winner"],
        default="unchanged",
    )
    return pd.Series(values, index=change.index, dtype=object)


# --------------------------------------------------------------------------------------
# Cost per year and funding party


def _period_lengths(results: Results) -> dict[int, int]:
    periods = sorted({int(p) for p in pd.to_numeric(results.costs[T.PERIOD]).dropna()})
    periods = periods or sorted({int(p) for p in pd.to_numeric(results.zones[T.PERIOD])})
    steps = [b - a for a, b in itertools.pairwise(periods)]
    lengths = [*steps, steps[-1] if steps else 5]
    return dict(zip(periods, lengths, strict=True))


def cost_per_year(
    results: Results,
    funding: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """
    Split the plan's capex per calendar year and per funding party.

    Each project's capex (``results.decisions``) is spread evenly over the years of its
    period (period ``2030`` of a 5-year plan step: 2030-2034; the last period is as long
    as the one before it, as in the model). A project that hosts several services after
    it is done (``services_after`` such as ``gp+community_hall``) is split evenly over
    them, and each service's share goes to the party that ``funding`` names for it.

    Parameters
    ----------
    results
        The run's results.
    funding
        Party per service, e.g. ``{"school": "gemeente"}``; services not named are paid
        by ``"corporation"`` (:data:`DEFAULT_PARTY`).

    Returns
    -------
    pandas.DataFrame
        Columns year, period, party, capex_eur (EUR in that year), one row per year and
        party with capex, sorted by year and party. Per year and party in columns:
        ``table.pivot_table(index="year", columns="party", values="capex_eur",
        aggfunc="sum", fill_value=0)``.

    Raises
    ------
    InputDataError
        If ``funding`` names a service the run does not have, or a project's period is not
        a period of the run.
    """
    funding = dict(funding or {})
    known = set(results.zones[T.SERVICE].astype(str))
    unknown = sorted(s for s in funding if s not in known)
    if unknown:
        msg = (
            f"(funding) | unknown service(s) {unknown}; the run has {sorted(known)}. "
            "Name parties per service, e.g. {'school': 'gemeente'}."
        )
        raise InputDataError(msg)
    lengths = _period_lengths(results)
    d = results.decisions
    capex = pd.to_numeric(d[T.CAPEX_EUR]).fillna(0.0)
    projects = d[capex > 0]
    odd = sorted(
        {int(p) for p in pd.to_numeric(projects[T.PERIOD]).dropna() if int(p) not in lengths}
    )
    if odd or pd.to_numeric(projects[T.PERIOD]).isna().any():
        msg = (
            f"(decisions) | capex in period(s) {odd or 'missing'} that are not periods of the "
            f"run ({sorted(lengths)}); the results are inconsistent, rerun the scenario."
        )
        raise InputDataError(msg)
    rows = []
    for period, after, amount, service in zip(
        pd.to_numeric(projects[T.PERIOD]).astype(int),
        projects["services_after"].fillna("").astype(str),
        capex[capex > 0],
        projects.get(T.SERVICE, pd.Series("", index=projects.index)).fillna("").astype(str),
        strict=True,
    ):
        services = [s for s in after.split("+") if s] or [service]
        years = lengths[int(period)]
        for s in services:
            party = funding.get(s, DEFAULT_PARTY)
            for k in range(years):
                rows.append(
                    {
                        "year": int(period) + k,
                        T.PERIOD: int(period),
                        "party": party,
                        T.CAPEX_EUR: float(amount) / len(services) / years,
                    }
                )
    table = pd.DataFrame(rows, columns=["year", T.PERIOD, "party", T.CAPEX_EUR])
    if table.empty:
        return table.astype({"year": int, T.PERIOD: int, "party": object, T.CAPEX_EUR: float})
    out = table.groupby(["year", T.PERIOD, "party"])[T.CAPEX_EUR].sum().reset_index()
    return out.sort_values(["year", "party"]).reset_index(drop=True)
