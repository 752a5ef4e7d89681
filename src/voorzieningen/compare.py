"""Compare two runs: KPIs side by side, changed decisions, zone travel times, a difference map.

:func:`compare_results` sets two results folders (read by
:func:`voorzieningen.report.read_run`) side by side; :func:`compare_runs` does the same for
two runs in memory; :func:`write_difference_map` draws the differences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from voorzieningen import plotting
from voorzieningen import tables as T
from voorzieningen.localise import ACTION_VALUES_NL
from voorzieningen.negotiation import TOLERANCE_MIN, last_period_zones
from voorzieningen.record import PlanTables
from voorzieningen.report import read_run

#: KPIs of :attr:`Comparison.kpis`: summary column and unit. Per-service columns
#: (:data:`PER_SERVICE_KPIS`) follow the money, for the services either run has.
KPIS: tuple[tuple[str, str], ...] = (
    (T.CAPEX_TOTAL_EUR, "EUR"),
    (T.PROCEEDS_TOTAL_EUR, "EUR"),
    (T.NPV_COST_EUR, "EUR"),
    (T.PROJECTS_STARTED, "count"),
    (T.SITES_CLOSED, "count"),
    (T.STATUS, ""),
    (T.GAP, "fraction"),
)

#: Per-service summary columns compared (prefix and unit; ``""``: the service's own unit).
PER_SERVICE_KPIS: tuple[tuple[str, str], ...] = (
    (T.MEAN_TIME_ALL_PREFIX, "min"),
    (T.MEAN_TIME_SERVED_PREFIX, "min"),
    (T.UNMET_PREFIX, ""),
)

# --------------------------------------------------------------------------------------
# Comparing two runs


#: Column suffixes of run A and run B in the comparison tables.
SUFFIXES = ("_a", "_b")


def col_a(column: str) -> str:
    """Return the name of ``column`` for run A (``action`` -> ``action_a``)."""
    return column + SUFFIXES[0]


def col_b(column: str) -> str:
    """Return the name of ``column`` for run B (``action`` -> ``action_b``)."""
    return column + SUFFIXES[1]


@dataclass(frozen=True)
class Comparison:
    """Two runs side by side (B against A).

    Attributes
    ----------
    a_label, b_label
        Names of the runs (their scenario names, or folder names).
    kpis
        Indexed by ``kpi`` (capex_total_eur, proceeds_total_eur, npv_cost_eur, per service
        mean_time_all_min_<service>, mean_time_served_min_<service> and unmet_<unit>,
        projects_started, sites_closed, status, gap);
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
        k = self.kpis[T.DIFFERENCE]
        capex = _as_float(k.get(T.CAPEX_TOTAL_EUR))
        zones = int(self.zone_changes[T.CHANGED].sum()) if len(self.zone_changes) else 0
        return (
            f"<Comparison {self.b_label} vs {self.a_label}: capex {capex:+,.0f} EUR, "
            f"mean travel time of everyone {_time_changes(self.kpis)}, "
            f"{len(self.changed_decisions)} changed decisions, {zones} (zone, service) pairs "
            "changed>"
        )

    def to_text(self, *, max_rows: int = 20, language: str = "en") -> str:
        """
        Describe the comparison as plain text for the terminal.

        Parameters
        ----------
        max_rows
            Largest number of changed decisions and of zone changes listed.
        language
            ``"en"`` or ``"nl"``: the words for actions and services in the changed
            decisions.

        Returns
        -------
        str
            The KPI table, the changed decisions (action, year and services after the
            plan in A and in B) and the largest zone travel-time changes.
        """
        lines = [f"Comparison: B = {self.b_label} against A = {self.a_label}", ""]
        header = f"{'kpi':<24}{'A':>16}{'B':>16}{'B - A':>16}"
        lines += [header, "-" * len(header)]
        for kpi, row in self.kpis.iterrows():
            unit = str(row[T.UNIT])
            label = f"{kpi}"
            lines.append(
                f"{label:<24}{_fmt(row[T.RUN_A], unit):>16}{_fmt(row[T.RUN_B], unit):>16}"
                f"{_fmt(row[T.DIFFERENCE], unit, signed=True):>16}"
            )
        lines += ["", f"Changed decisions ({len(self.changed_decisions)}):"]
        if self.changed_decisions.empty:
            lines.append("  none")
        for d in self.changed_decisions.head(max_rows).itertuples(index=False):
            lines.append(f"  {d.name or d.site!s}: {decision_change(d, language)}")
        if len(self.changed_decisions) > max_rows:
            lines.append(f"  ... and {len(self.changed_decisions) - max_rows} more")
        changed = self.zone_changes[self.zone_changes[T.CHANGED]]
        changed = changed.reindex(
            changed[T.TRAVEL_TIME_DIFFERENCE_MIN].abs().sort_values(ascending=False).index
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
        return "" if plotting.is_missing(value) else str(value)
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


def _decision(action: object, period: object, language: str = "en") -> str:
    if plotting.is_missing(action):
        return "niet aanwezig" if language == "nl" else "absent"
    word = ACTION_VALUES_NL.get(str(action), str(action)) if language == "nl" else str(action)
    return f"{word} {plotting.year_text(period)}".strip()


def _services(services: object, language: str) -> str:
    names = T.SERVICE_NL if language == "nl" else T.SERVICE_EN
    text = "" if plotting.is_missing(services) else str(services)
    parts = [names.get(s, s) for s in text.split("+") if s]
    return " + ".join(parts) if parts else "–"


def decision_change(row: Any, language: str = "en") -> str:
    """
    Describe how one site's decision differs between two runs.

    Parameters
    ----------
    row
        A row of :attr:`Comparison.changed_decisions` (``itertuples``): action_a,
        period_a, services_after_a, action_b, period_b, services_after_b.
    language
        ``"en"`` or ``"nl"``.

    Returns
    -------
    str
        For example ``"convert 2025 -> convert 2025; services: community hall -> GP
        practice"`` (``"ombouwen 2025 -> ombouwen 2025; voorzieningen: gemeenschapshuis ->
        huisartsenpraktijk"``); the services part only when they differ.
    """
    text = (
        f"{_decision(row.action_a, row.period_a, language)} -> "
        f"{_decision(row.action_b, row.period_b, language)}"
    )
    before = _services(row.services_after_a, language)
    after = _services(row.services_after_b, language)
    if before != after:
        word = "voorzieningen:" if language == "nl" else "services:"
        text += f"; {word} {before} -> {after}"
    return text


def _time_changes(kpis: pd.DataFrame, language: str = "en") -> str:
    """Return the per-service change of the mean time of everyone, e.g. ``school +0.10 min``."""
    # English keeps the service keys (as in the KPI table); Dutch names the services.
    names = T.SERVICE_NL if language == "nl" else {}
    parts = []
    for kpi in kpis.index:
        if not str(kpi).startswith(T.MEAN_TIME_ALL_PREFIX):
            continue
        service = str(kpi).removeprefix(T.MEAN_TIME_ALL_PREFIX)
        change = _fmt(kpis.at[kpi, T.DIFFERENCE], "min", signed=True)
        parts.append(f"{names.get(service, service)} {change}")
    text = ", ".join(parts) or "n/a"
    return text.replace(".", ",") if language == "nl" else text


# Words of the difference map (PNG), per language.
_MAP_WORDS_EN = {
    "colourbar": "travel time {b} − {a}, mean over services (min)",
    "site_legend": "building or plot",
    "unmet_legend": "zone: unmet demand differs",
    "unknown": "zone: no one served in one run",
    "title": "{b} vs {a}: {n} decisions differ · capex {capex} EUR · mean travel time of "
    "everyone {times}",
}
_MAP_WORDS_NL = {
    "colourbar": "reistijd {b} − {a}, gemiddeld over voorzieningen (min)",
    "site_legend": "gebouw of kavel",
    "unmet_legend": "zone: onvervulde vraag verschilt",
    "unknown": "zone: in één van de runs niemand bediend",
    "title": "{b} t.o.v. {a}: {n} besluiten verschillen · investering {capex} EUR · "
    "gemiddelde reistijd van iedereen {times}",
}


def _kpi_list(ra: pd.Series, rb: pd.Series) -> list[tuple[str, str]]:
    """Return :data:`KPIS` with the per-service columns either summary has, after the money."""
    columns = [str(c) for c in [*ra.index, *rb.index]]
    per_service: list[tuple[str, str]] = []
    for prefix, unit in PER_SERVICE_KPIS:
        for col in dict.fromkeys(c for c in columns if c.startswith(prefix)):
            per_service.append((col, unit or col.removeprefix(prefix)))
    return [*KPIS[:3], *per_service, *KPIS[3:]]


def _kpi_table(a: PlanTables, b: PlanTables) -> pd.DataFrame:
    ra = a.summary.iloc[0] if len(a.summary) else pd.Series(dtype=object)
    rb = b.summary.iloc[0] if len(b.summary) else pd.Series(dtype=object)
    rows = []
    for kpi, unit in _kpi_list(ra, rb):
        va = ra.get(kpi, np.nan)
        vb = rb.get(kpi, np.nan)
        if unit == "":
            diff: object = "" if str(va) == str(vb) else f"{va} → {vb}"
            va, vb = str(va), str(vb)
        else:
            va, vb = _as_float(va), _as_float(vb)
            diff = vb - va
        rows.append({T.KPI: kpi, T.UNIT: unit, T.RUN_A: va, T.RUN_B: vb, T.DIFFERENCE: diff})
    return pd.DataFrame(rows).set_index(T.KPI).astype(object)


def _changed_decisions(a: PlanTables, b: PlanTables) -> pd.DataFrame:
    cols = [T.SITE, T.NAME, T.ACTION, T.PERIOD, T.SERVICES_AFTER, T.CAPEX_EUR]

    def prepared(r: PlanTables) -> pd.DataFrame:
        d = r.decisions.copy()
        if T.NAME not in d.columns:
            d[T.NAME] = ""
        d[T.SITE] = d[T.SITE].astype(str)
        d[T.PERIOD] = pd.to_numeric(d[T.PERIOD]).astype("Int64")
        d[T.SERVICES_AFTER] = d[T.SERVICES_AFTER].fillna("").astype(str)
        return d[cols].set_index(T.SITE)

    da, db = prepared(a), prepared(b)
    both = da.merge(db, left_index=True, right_index=True, how="outer", suffixes=SUFFIXES)
    both[T.NAME] = both[col_a(T.NAME)].fillna(both[col_b(T.NAME)]).fillna("").astype(str)
    period_a = both[col_a(T.PERIOD)].fillna(-1)
    period_b = both[col_b(T.PERIOD)].fillna(-1)
    differs = (
        (both[col_a(T.ACTION)].fillna("") != both[col_b(T.ACTION)].fillna(""))
        | (period_a != period_b)
        | (both[col_a(T.SERVICES_AFTER)].fillna("") != both[col_b(T.SERVICES_AFTER)].fillna(""))
    )
    out = both[differs].copy()
    out[T.CAPEX_DIFFERENCE_EUR] = out[col_b(T.CAPEX_EUR)].fillna(0.0) - out[
        col_a(T.CAPEX_EUR)
    ].fillna(0.0)
    out = out.reset_index().rename(columns={"index": T.SITE})
    return out[
        [
            T.SITE,
            T.NAME,
            col_a(T.ACTION),
            col_b(T.ACTION),
            col_a(T.PERIOD),
            col_b(T.PERIOD),
            col_a(T.SERVICES_AFTER),
            col_b(T.SERVICES_AFTER),
            col_a(T.CAPEX_EUR),
            col_b(T.CAPEX_EUR),
            T.CAPEX_DIFFERENCE_EUR,
        ]
    ].reset_index(drop=True)


def _zone_changes(a: PlanTables, b: PlanTables) -> pd.DataFrame:
    za, zb = last_period_zones(a), last_period_zones(b)
    keep = [T.PERIOD, T.TRAVEL_TIME_AFTER_MIN, T.UNMET_PERSONS]
    both = za[keep].merge(
        zb[keep], left_index=True, right_index=True, how="outer", suffixes=SUFFIXES
    )
    both[T.TRAVEL_TIME_DIFFERENCE_MIN] = (
        both[col_b(T.TRAVEL_TIME_AFTER_MIN)] - both[col_a(T.TRAVEL_TIME_AFTER_MIN)]
    )
    tt_changed = both[T.TRAVEL_TIME_DIFFERENCE_MIN].abs() > TOLERANCE_MIN
    tt_appears = (
        both[col_a(T.TRAVEL_TIME_AFTER_MIN)].isna() != both[col_b(T.TRAVEL_TIME_AFTER_MIN)].isna()
    )
    unmet = (
        both[col_b(T.UNMET_PERSONS)].fillna(0.0) - both[col_a(T.UNMET_PERSONS)].fillna(0.0)
    ).abs() > 0.5
    both[T.CHANGED] = (tt_changed | tt_appears | unmet).astype(bool)
    out = both.reset_index()
    return out[
        [
            T.ZONE,
            T.SERVICE,
            col_a(T.PERIOD),
            col_b(T.PERIOD),
            col_a(T.TRAVEL_TIME_AFTER_MIN),
            col_b(T.TRAVEL_TIME_AFTER_MIN),
            T.TRAVEL_TIME_DIFFERENCE_MIN,
            col_a(T.UNMET_PERSONS),
            col_b(T.UNMET_PERSONS),
            T.CHANGED,
        ]
    ].reset_index(drop=True)


def compare_runs(a: PlanTables, b: PlanTables) -> Comparison:
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
        a_label=a.scenario_name or "A",
        b_label=b.scenario_name or "B",
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
    return compare_runs(read_run(a_dir), read_run(b_dir))


# --------------------------------------------------------------------------------------
# Difference map


def write_difference_map(
    comparison: Comparison,
    sites: pd.DataFrame,
    zones: pd.DataFrame,
    path: Path | str,
    *,
    dpi: int = 200,
    language: str = "en",
) -> Path:
    """
    Draw what differs between two runs on a static map (PNG).

    All sites are drawn small and grey; sites in ``comparison.changed_decisions`` are drawn
    with run B's action marker and colour and labelled with the name, ``action A year →
    action B year`` and, when they differ, the services after the plan in A and in B.
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
    language
        ``"en"`` or ``"nl"``: words for actions and services in the labels.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputDataError
        If a changed site or a zone has no coordinates.
    """
    site_pts = plotting.indexed_points(sites, T.SITE, "sites")
    zone_pts = plotting.indexed_points(zones, T.ZONE, "zones")
    changed = comparison.changed_decisions.copy()
    changed[T.SITE] = changed[T.SITE].astype(str)
    plotting.check_located(
        site_pts, changed[T.SITE], "sites", "Pass the sites table of the compared runs."
    )
    zc = comparison.zone_changes.copy()
    zc[T.ZONE] = zc[T.ZONE].astype(str)
    plotting.check_located(zone_pts, zc[T.ZONE], "zones", "Pass the zones table of the runs.")
    per_zone = zc.groupby(T.ZONE).agg(
        difference=(T.TRAVEL_TIME_DIFFERENCE_MIN, "mean"),
        changed=(T.CHANGED, "any"),
    )
    unmet_diff = (
        zc[col_b(T.UNMET_PERSONS)].fillna(0.0) - zc[col_a(T.UNMET_PERSONS)].fillna(0.0)
    ).abs()
    per_zone["unmet_changed"] = unmet_diff.groupby(zc[T.ZONE]).max() > 0.5
    site_xy_lon = site_pts[T.LON].astype(float).to_numpy()
    site_xy_lat = site_pts[T.LAT].astype(float).to_numpy()
    zone_lon = zone_pts.loc[per_zone.index, T.LON].astype(float).to_numpy()
    zone_lat = zone_pts.loc[per_zone.index, T.LAT].astype(float).to_numpy()
    project = plotting.projector(
        np.concatenate([site_xy_lon, zone_lon]), np.concatenate([site_xy_lat, zone_lat])
    )
    sx, sy = project(site_xy_lon, site_xy_lat)
    zx, zy = project(zone_lon, zone_lat)
    site_xy = pd.DataFrame({"x": sx, "y": sy}, index=site_pts.index)

    fig = Figure(figsize=(11.7, 8.3), dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.set_facecolor(plotting.HTML_BACKGROUND)
    ax.set_xticks([])
    ax.set_yticks([])
    raw = per_zone[T.DIFFERENCE].to_numpy(dtype=float)
    diff = np.nan_to_num(raw, nan=0.0)
    bound = max(float(np.abs(diff).max()) if len(diff) else 0.0, 0.5)
    unknown = per_zone[T.CHANGED].to_numpy(dtype=bool) & ~np.isfinite(raw)
    active = per_zone[T.CHANGED].to_numpy(dtype=bool) & ~unknown
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
    words = _MAP_WORDS_NL if language == "nl" else _MAP_WORDS_EN
    colourbar.set_label(words["colourbar"].format(b=comparison.b_label, a=comparison.a_label))
    ax.scatter(sx, sy, s=12, color="#9A9A9A", zorder=4)
    handles: list[Any] = []
    for action in plotting.ACTIONS:
        rows = changed[changed[col_b(T.ACTION)].fillna("absent").astype(str) == action]
        if rows.empty:
            continue
        xy = site_xy.loc[rows[T.SITE]]
        colour = plotting.ACTION_COLOURS[action]
        ax.scatter(
            xy["x"],
            xy["y"],
            s=140,
            marker=plotting.ACTION_MARKERS[action],
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
                marker=plotting.ACTION_MARKERS[action],
                markersize=10,
                markerfacecolor="none" if action == "not_built" else colour,
                markeredgecolor=colour if action == "not_built" else "black",
                label=f"{comparison.b_label}: {_decision(action, None, language)} ({len(rows)})",
            )
        )
    handles.append(
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=5,
            color="#9A9A9A",
            label=words["site_legend"],
        )
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
            label=words["unmet_legend"],
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
            label=words["unknown"],
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
        f"{d.name or d.site!s}\n"
        + decision_change(d, language).replace(" -> ", " → ").replace("; ", "\n")
        for d in changed.itertuples(index=False)
    ]
    anchors = [
        (plotting.cell_float(site_xy.at[s, "x"]), plotting.cell_float(site_xy.at[s, "y"]))
        for s in changed[T.SITE]
    ]
    plotting.place_labels(ax, texts, anchors, fontsize=7.0)
    plotting.add_scale_bar(ax, x0, x1, y0, y1)
    k = comparison.kpis
    capex = _fmt(k.at[T.CAPEX_TOTAL_EUR, T.DIFFERENCE], "EUR", signed=True)
    times = _time_changes(k, language)
    if language == "nl":
        capex = capex.replace(",", ".")
    ax.set_title(
        words["title"].format(
            b=comparison.b_label, a=comparison.a_label, n=len(changed), capex=capex, times=times
        ),
        fontsize=12,
        loc="left",
    )
    return plotting.save_figure(fig, Path(path))
