"""A one-page summary of a run for the negotiating table: ``summary.html``.

One self-contained HTML page (the map is an inline PNG; no script, style sheet, font or
image is fetched), laid out to print on one A4 page, in Dutch or English: the scenario's
key figures per service, the plan map, the dated action list, the effects per village
(who gains, who loses), the budget used, where the travel times come from and how close
the solver proved the plan to the best possible one.

The key figures come from ``kpis.csv`` in the results folder when it is there and has the
columns of :data:`KPI_COLUMNS`; otherwise they are computed here from the zone results and
the assignments (:func:`key_figures`).
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from voorzieningen import tables as T
from voorzieningen.basemap import MapBackground
from voorzieningen.maps import plan_figure
from voorzieningen.plotting import (
    SERVICE_NAMES,
    action_phrase,
    atomic_target,
    cell_float,
    check_language,
    is_missing,
    money,
    number,
    year_text,
)
from voorzieningen.record import SavedRun, last_period

#: Columns of the key-figures table (one row per service, the run's last period).
KPI_COLUMNS: tuple[str, ...] = (
    "demand_persons",
    "served_persons",
    "unmet_persons",
    "share_within_norm_pct",
    "mean_travel_time_min",
)

#: Unit of each service's count, per language (each service counts in its own unit).
SERVICE_UNITS: dict[str, dict[str, str]] = {
    "nl": {"school": "leerlingen", "gp": "patiënten", "community_hall": "bezoekers"},
    "en": {"school": "pupils", "gp": "patients", "community_hall": "visitors"},
}

#: Default norm, minutes, when the scenario sets none (the scenario's ``within_min``
#: default; an assumption, see ``NormSettings``).
DEFAULT_NORM_MIN = 15.0

#: A change in travel time smaller than this is "unchanged", minutes (assumption; the
#: winners/losers tolerance of issue 13).
UNCHANGED_MIN = 0.5

TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Samenvatting plan {scenario} ({region})",
        "figures": "Kerncijfers per voorziening ({year})",
        "service": "voorziening",
        "demand": "vraag",
        "served": "bediend",
        "unmet": "onvervuld",
        "within": "binnen norm",
        "mean": "gem. reistijd",
        "norm": "norm {norm} min",
        "actions": "Acties",
        "effects": "Gevolgen per wijk/dorp ({year}, reistijd na − nu)",
        "zone": "wijk/dorp",
        "change": "verandering",
        "lost": "niet meer bediend",
        "gain": "sneller",
        "loss": "langzamer",
        "same": "gelijk (< {tol} min verschil)",
        "budget": "Budget",
        "capex": "investeringen € {capex} van € {limit} ({share} %)",
        "capex_nolimit": "investeringen € {capex} (geen investeringsplafond)",
        "proceeds": "verkoopopbrengst € {proceeds}; netto € {net}",
        "source": "Reistijden",
        "road": "over het wegennet ({detail})",
        "estimate": "geschat (hemelsbreed × omwegfactor): geen wegennet",
        "solver": "Rekenzekerheid",
        "optimal": "bewezen het best mogelijke plan (binnen de afrondingsmarge)",
        "gap": "bewezen binnen {gap} % van het best mogelijke plan",
        "unproven": "het beste gevonden plan; niet bewezen hoe ver van het best mogelijke",
        "none_actions": "geen acties: alles blijft zoals het is",
        "none_effects": "geen wijk verandert meer dan {tol} min",
        "more": "… en {n} meer (zie winners_losers.csv)",
        "mode": "vervoerwijze {mode}",
    },
    "en": {
        "title": "Plan summary {scenario} ({region})",
        "figures": "Key figures per service ({year})",
        "service": "service",
        "demand": "demand",
        "served": "served",
        "unmet": "unmet",
        "within": "within norm",
        "mean": "mean travel time",
        "norm": "norm {norm} min",
        "actions": "Actions",
        "effects": "Effects per village ({year}, travel time after − now)",
        "zone": "village",
        "change": "change",
        "lost": "no longer served",
        "gain": "faster",
        "loss": "slower",
        "same": "unchanged (< {tol} min difference)",
        "budget": "Budget",
        "capex": "capex € {capex} of € {limit} ({share} %)",
        "capex_nolimit": "capex € {capex} (no capex limit)",
        "proceeds": "sale proceeds € {proceeds}; net € {net}",
        "source": "Travel times",
        "road": "over the road network ({detail})",
        "estimate": "estimated (straight line × detour factor): no road network",
        "solver": "Solver certainty",
        "optimal": "proven the best possible plan (within rounding)",
        "gap": "proven within {gap} % of the best possible plan",
        "unproven": "the best plan found; not proven how far from the best possible",
        "none_actions": "no actions: everything stays as it is",
        "none_effects": "no village changes by more than {tol} min",
        "more": "… and {n} more (see winners_losers.csv)",
        "mode": "mode {mode}",
    },
}


def _settings(saved: SavedRun) -> Mapping[str, Any]:
    settings = saved.run_json.get("settings", {})
    return settings if isinstance(settings, Mapping) else {}


def _norm_min(settings: Mapping[str, Any], service: str) -> float:
    norms = settings.get("norms", {}) or {}
    norm = norms.get(service, {}) if isinstance(norms, Mapping) else {}
    if not isinstance(norm, Mapping):
        return DEFAULT_NORM_MIN
    limit = norm.get("max_travel_time_min")
    return float(limit if limit is not None else norm.get("within_min", DEFAULT_NORM_MIN))


def _norm_text(minutes: float, language: str) -> str:
    return number(minutes, 0 if float(minutes).is_integer() else 1, language)


def key_figures(saved: SavedRun, *, period: int | None = None) -> pd.DataFrame:
    """
    Return the key figures per service in one period.

    Read from ``kpis.csv`` in the run's folder when it has a ``service`` column and the
    columns of :data:`KPI_COLUMNS` (its own figures win); otherwise computed from the
    zone results and the assignments.

    Parameters
    ----------
    saved
        The run's folder content.
    period
        Planning period (year); the last one if None.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``service``: ``demand_persons``, ``served_persons``, ``unmet_persons``
        (each service in its own unit: pupils, patients, visitors), ``norm_min``
        (minutes), ``share_within_norm_pct`` (percent of demand served within the norm)
        and ``mean_travel_time_min`` (minutes, weighted by persons served).
    """
    year = last_period(saved) if period is None else int(period)
    z = saved.zones[pd.to_numeric(saved.zones[T.PERIOD]) == year]
    out = z.groupby(T.SERVICE)[[T.DEMAND_PERSONS, T.UNMET_PERSONS]].sum()
    a = saved.assignments[pd.to_numeric(saved.assignments[T.PERIOD]) == year]
    served = a.groupby(T.SERVICE)[T.PERSONS].sum()
    out[T.SERVED_PERSONS] = served.reindex(out.index).fillna(0.0)
    settings = _settings(saved)
    out["norm_min"] = [_norm_min(settings, str(s)) for s in out.index]
    norm = a[T.SERVICE].map(out["norm_min"]).astype(float)
    within = a[pd.to_numeric(a[T.TRAVEL_TIME_MIN]) <= norm].groupby(T.SERVICE)[T.PERSONS].sum()
    demand = out[T.DEMAND_PERSONS].where(out[T.DEMAND_PERSONS] > 0)
    out["share_within_norm_pct"] = 100.0 * within.reindex(out.index).fillna(0.0) / demand
    minutes = (a[T.PERSONS] * pd.to_numeric(a[T.TRAVEL_TIME_MIN])).groupby(a[T.SERVICE]).sum()
    out[T.MEAN_TRAVEL_TIME_MIN] = minutes.reindex(out.index) / out[T.SERVED_PERSONS].where(
        out[T.SERVED_PERSONS] > 0
    )
    out.index = pd.Index([str(s) for s in out.index], name=T.SERVICE)
    path = saved.folder / "kpis.csv" if saved.folder is not None else None
    if path is not None and path.is_file():
        sep, dec = (";", ",") if saved.csv_format == "dutch_excel" else (",", ".")
        given = pd.read_csv(path, sep=sep, decimal=dec, encoding="utf-8-sig")
        if T.SERVICE in given.columns and set(KPI_COLUMNS) <= set(given.columns):
            given = given.set_index(given[T.SERVICE].astype(str))
            for col in KPI_COLUMNS:
                out[col] = pd.to_numeric(given[col], errors="coerce").reindex(out.index)
    return out[[*KPI_COLUMNS[:3], "norm_min", *KPI_COLUMNS[3:]]]


def village_effects(
    saved: SavedRun, *, period: int | None = None, tolerance_min: float = UNCHANGED_MIN
) -> pd.DataFrame:
    """
    Return per zone and service the change in travel time, worst first.

    Parameters
    ----------
    saved
        The run's folder content.
    period
        Planning period (year); the last one if None.
    tolerance_min
        Changes smaller than this (minutes) count as unchanged and are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``zone``, ``gemeente`` (when known), ``service``, ``travel_time_before_min``,
        ``travel_time_after_min``, ``change_min`` (minutes; positive: slower) and ``lost``
        (True when the zone had a facility in reach and now has none: the worst loss).
    """
    year = last_period(saved) if period is None else int(period)
    z = saved.zones[pd.to_numeric(saved.zones[T.PERIOD]) == year].copy()
    z[T.ZONE] = z[T.ZONE].astype(str)
    before = pd.to_numeric(z[T.TRAVEL_TIME_BEFORE_MIN])
    after = pd.to_numeric(z[T.TRAVEL_TIME_AFTER_MIN])
    demand = pd.to_numeric(z[T.DEMAND_PERSONS])
    unmet = pd.to_numeric(z[T.UNMET_PERSONS])
    z["lost"] = before.notna() & (after.isna() | (unmet >= demand - 0.5)) & (demand > 0.5)
    z[T.CHANGE_MIN] = after - before
    keep = z["lost"] | (z[T.CHANGE_MIN].abs() >= tolerance_min)
    z = z[keep]
    if saved.zone_points is not None and T.GEMEENTE in saved.zone_points.columns:
        z[T.GEMEENTE] = z[T.ZONE].map(saved.zone_points[T.GEMEENTE].astype(str))
    z = z.assign(_rank=z["lost"].astype(float) * 1e6 + z[T.CHANGE_MIN].fillna(0.0))
    z = z.sort_values("_rank", ascending=False)
    cols = [T.ZONE, T.GEMEENTE, T.SERVICE, T.TRAVEL_TIME_BEFORE_MIN, T.TRAVEL_TIME_AFTER_MIN]
    return z[[c for c in cols if c in z.columns] + [T.CHANGE_MIN, "lost"]].reset_index(drop=True)


def gap_words(gap: object, status: object, language: str) -> str:
    """
    Say in plain words how close the solver proved the plan to the best possible one.

    Parameters
    ----------
    gap
        Relative MIP gap (fraction, 0.005 = 0,5 %), or missing.
    status
        The solver status (``optimal``, ``time_limit``, ...).
    language
        ``"nl"`` or ``"en"``.

    Returns
    -------
    str
        E.g. ``"bewezen binnen 0,4 % van het best mogelijke plan"``.
    """
    text = TEXT[language]
    value = float("nan") if is_missing(gap) else float(str(gap))
    if not math.isfinite(value):
        return text["optimal"] if str(status) == "optimal" else text["unproven"]
    if value <= 1e-6:
        return text["optimal"]
    decimals = 1 if value >= 0.001 else 2
    return text["gap"].format(gap=number(100.0 * value, decimals, language))


def travel_source_words(saved: SavedRun, language: str) -> str:
    """Say where the travel times come from: the road network (which) or an estimate."""
    text = TEXT[language]
    summary = saved.summary.iloc[0] if len(saved.summary) else pd.Series(dtype=object)
    network = _settings(saved).get("network", {}) or {}
    given = summary.get("travel_time_source")
    source = "" if is_missing(given) else str(given)
    if source.startswith("estimate") or network.get("method") == "estimate":
        return text["estimate"]
    mode = text["mode"].format(mode=network.get("mode", "?"))
    detail = source or str(network.get("source") or "OpenStreetMap")
    return text["road"].format(detail=f"{detail}; {mode}")


def _map_png(saved: SavedRun, language: str, background: MapBackground | None, title: str) -> str:
    assert saved.sites is not None
    assert saved.zone_points is not None
    fig = plan_figure(
        saved,
        saved.sites,
        saved.zone_points,
        language=language,
        title=title,
        dpi=110,
        background=background,
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


_STYLE = """
@page { size: A4 portrait; margin: 10mm; }
body { font-family: system-ui, 'Segoe UI', Arial, sans-serif; font-size: 10pt; color: #222;
       margin: 0 auto; max-width: 190mm; }
h1 { font-size: 16pt; margin: 4mm 0 1mm 0; }
h2 { font-size: 11.5pt; margin: 3mm 0 1mm 0; }
p.lead { margin: 0 0 2mm 0; color: #444; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border-bottom: 1px solid #DDD; padding: 1px 4px; text-align: left; }
td.num, th.num { text-align: right; white-space: nowrap; }
img.map { display: block; width: 100%; max-height: 118mm; object-fit: contain;
          border: 1px solid #CCC; }
.cols { display: flex; gap: 6mm; }
.cols > div { flex: 1 1 0; }
ul.actions { margin: 0; padding-left: 4mm; font-size: 9pt; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.5mm 3mm;
           font-size: 9.5pt; margin: 0; }
dt { font-weight: bold; }
dd { margin: 0; }
td.lost { color: #B00000; font-weight: bold; }
td.loss { color: #B04000; }
td.gain { color: #006B3C; }
@media print { body { max-width: none; } }
"""


#: Texts of the robust-plan section (``robust.csv``; ``models/robust.md``).
ROBUST_TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Robuust plan over bevolkingsvarianten",
        "intro": (
            "De besluiten van {first} gelden onder elke variant; latere perioden passen zich "
            "per variant aan. Per plan de doelwaarde ({objective}) onder elke variant en de "
            "spijt: hoeveel slechter dan het beste plan voor die variant."
        ),
        "plan": "plan",
        "robust": "robuust",
        "own": "plan voor {variant}",
        "expected": "verwacht",
        "regret": "grootste spijt",
        "verdict": (
            "Het robuuste plan is in verwachting {saving} beter dan het beste plan voor één "
            "variant ({best}) en is onder geen variant meer dan {regret} slechter dan het "
            "beste plan voor die variant."
        ),
        "same": (
            "Het robuuste plan is in verwachting even goed als het beste plan voor één variant "
            "({best}): de besluiten van dat plan houden al stand, onder geen variant meer dan "
            "{regret} slechter dan het beste plan voor die variant."
        ),
        "infeasible": "niet uitvoerbaar",
    },
    "en": {
        "title": "Robust plan over population variants",
        "intro": (
            "The decisions of {first} hold under every variant; later periods adapt per "
            "variant. Per plan the objective ({objective}) under each variant and the regret: "
            "how much worse than the best plan for that variant."
        ),
        "plan": "plan",
        "robust": "robust",
        "own": "plan for {variant}",
        "expected": "expected",
        "regret": "largest regret",
        "verdict": (
            "The robust plan is {saving} better in expectation than the best plan made for "
            "one variant ({best}) and is under no variant more than {regret} worse than the "
            "best plan for that variant."
        ),
        "same": (
            "The robust plan is as good in expectation as the best plan made for one variant "
            "({best}): that plan's decisions already hold, under no variant more than {regret} "
            "worse than the best plan for that variant."
        ),
        "infeasible": "infeasible",
    },
}


#: A robust plan whose expected objective is within this share of the best single-variant
#: plan's is "as good" (the solver's default relative gap, 1e-4; smaller differences are
#: not proven).
SAME_SHARE = 1e-4


def robust_section_html(saved: SavedRun, language: str) -> str:
    """
    Return the summary page's section on a robust plan, or ``""`` for a single-variant run.

    Parameters
    ----------
    saved
        The run's folder content; the section needs ``saved.robust`` (``robust.csv``).
    language
        ``"nl"`` or ``"en"``.

    Returns
    -------
    str
        An HTML section: per plan (the robust one, and each variant's own) its objective and
        regret under every variant, its expected objective and largest regret.
    """
    table = saved.robust
    if table is None or table.empty:
        return ""
    text = ROBUST_TEXT[language]
    variants = list(dict.fromkeys(table[T.VARIANT].astype(str)))
    weights = table.groupby(T.VARIANT)[T.VARIANT_WEIGHT].first()

    def cell(value: object) -> str:
        return text["infeasible"] if is_missing(value) else number(cell_float(value), 0, language)

    head = "".join(
        f"<th class='num'>{html.escape(v)} ({number(100 * float(weights[v]), 0, language)} %)</th>"
        for v in variants
    )
    rows = []
    for plan, group in table.groupby(T.PLAN, sort=False):
        by_variant = group.set_index(group[T.VARIANT].astype(str))
        name = text["robust"] if plan == T.ROBUST_PLAN else text["own"].format(variant=plan)
        cells = "".join(
            f"<td class='num'>{cell(by_variant.at[v, T.OBJECTIVE_VALUE])}"
            f" <small>(+{cell(by_variant.at[v, T.REGRET])})</small></td>"
            for v in variants
        )
        first = group.iloc[0]
        rows.append(
            f"<tr><td>{html.escape(name)}</td>{cells}"
            f"<td class='num'>{cell(first[T.EXPECTED_OBJECTIVE_VALUE])}</td>"
            f"<td class='num'>{cell(first[T.MAX_REGRET])}</td></tr>"
        )
    plans = table.groupby(T.PLAN, sort=False).first()
    verdict = ""
    own = plans.drop(index=T.ROBUST_PLAN, errors="ignore")[T.EXPECTED_OBJECTIVE_VALUE].dropna()
    if T.ROBUST_PLAN in plans.index and len(own):
        robust = plans.loc[T.ROBUST_PLAN]
        saving = float(own.min()) - cell_float(robust[T.EXPECTED_OBJECTIVE_VALUE])
        # Within the solver's gap of the best single-variant plan: hedging adds nothing.
        key = "verdict" if saving > SAME_SHARE * abs(float(own.min())) else "same"
        verdict = (
            "<p>"
            + html.escape(
                text[key].format(
                    saving=cell(saving),
                    best=text["own"].format(variant=own.idxmin()),
                    regret=cell(robust[T.MAX_REGRET]),
                )
            )
            + "</p>"
        )
    summary = saved.summary.iloc[0] if len(saved.summary) else pd.Series(dtype=object)
    intro = text["intro"].format(
        first=year_text(saved.costs[T.PERIOD].min()) if len(saved.costs) else "?",
        objective=html.escape(str(summary.get(T.OBJECTIVE, ""))),
    )
    return (
        f"<h2>{text['title']}</h2><p>{intro}</p>"
        f"<table class='figures'><tr><th>{text['plan']}</th>{head}"
        f"<th class='num'>{text['expected']}</th><th class='num'>{text['regret']}</th></tr>"
        + "".join(rows)
        + f"</table>{verdict}"
    )


def write_summary_page(
    saved: SavedRun,
    path: Path | str,
    *,
    language: str = "nl",
    background: MapBackground | None = None,
    max_rows: int = 10,
    extra_html: str = "",
) -> Path:
    """
    Write ``summary.html``: one printable page with the plan's figures, map and actions.

    Parameters
    ----------
    saved
        The run's folder content (from :func:`voorzieningen.report.read_run`, or about to
        be written); the map needs its ``sites`` and ``zone_points``.
    path
        Target file.
    language
        ``"nl"`` (default) or ``"en"``.
    background
        Zone boundaries and roads for the map (see :mod:`voorzieningen.basemap`).
    max_rows
        Most rows of the village effects shown (the worst first); the rest are counted.
    extra_html
        Further sections appended to the page as they are (trusted HTML, e.g. the
        explanation of the decisions, :func:`voorzieningen.explain.explain_section_html`).

    Returns
    -------
    pathlib.Path
        The file written (UTF-8, self-contained).

    Raises
    ------
    ValueError
        If ``language`` is not ``"nl"`` or ``"en"``.
    """
    check_language(language)
    text = TEXT[language]
    names = SERVICE_NAMES[language]
    units = SERVICE_UNITS[language]
    year = last_period(saved)
    summary = saved.summary.iloc[0] if len(saved.summary) else pd.Series(dtype=object)
    title = text["title"].format(scenario=saved.scenario_name, region=saved.region or "?")

    figures = key_figures(saved, period=year)
    rows = []
    for service, row in figures.iterrows():
        unit = units.get(str(service), "")
        rows.append(
            "<tr>"
            f"<td>{html.escape(names.get(str(service), str(service)))}</td>"
            f'<td class="num">{number(row["demand_persons"], 0, language)} {unit}</td>'
            f'<td class="num">{number(row["served_persons"], 0, language)}</td>'
            f'<td class="num">{number(row["unmet_persons"], 0, language)}</td>'
            f'<td class="num">{number(row["share_within_norm_pct"], 1, language)} % '
            f"({text['norm'].format(norm=_norm_text(float(row['norm_min']), language))})</td>"
            f'<td class="num">{number(row["mean_travel_time_min"], 1, language)} min</td>'
            "</tr>"
        )
    figure_table = (
        '<table class="figures"><tr>'
        f"<th>{text['service']}</th><th class='num'>{text['demand']}</th>"
        f"<th class='num'>{text['served']}</th><th class='num'>{text['unmet']}</th>"
        f"<th class='num'>{text['within']}</th><th class='num'>{text['mean']}</th></tr>"
        + "".join(rows)
        + "</table>"
    )

    d = saved.decisions
    acting = d[~d[T.ACTION].astype(str).isin(["keep", "not_built"])].copy()
    acting["_year"] = pd.to_numeric(acting[T.PERIOD], errors="coerce")
    actions = []
    for _, row in acting.sort_values(["_year"]).iterrows():
        name = row.get(T.NAME) if not is_missing(row.get(T.NAME)) else row[T.SITE]
        what = action_phrase(str(row[T.ACTION]), row.get(T.SERVICES_AFTER), None, language)
        capex = 0.0 if is_missing(row.get(T.CAPEX_EUR)) else float(row[T.CAPEX_EUR])
        cost = f" (€ {money(capex, language)})" if capex else ""
        actions.append(
            f"<li><b>{year_text(row[T.PERIOD])}</b> {html.escape(str(name))}: "
            f"{html.escape(what)}{cost}</li>"
        )
    action_html = (
        f'<ul class="actions">{"".join(actions)}</ul>'
        if actions
        else f"<p>{text['none_actions']}</p>"
    )

    effects = village_effects(saved, period=year)
    tol = number(UNCHANGED_MIN, 1, language)
    effect_rows = []
    for effect in effects.head(max_rows).itertuples(index=False):
        place = str(effect.zone) + (f" {effect.gemeente}" if hasattr(effect, "gemeente") else "")
        if effect.lost:
            change, cls = text["lost"], "lost"
        else:
            value = cell_float(effect.change_min)
            cls = "loss" if value > 0 else "gain"
            change = f"{'+' if value > 0 else '−'}{number(abs(value), 1, language)} min"
        effect_rows.append(
            f"<tr><td>{html.escape(place)}</td>"
            f"<td>{html.escape(names.get(str(effect.service), str(effect.service)))}</td>"
            f'<td class="num {cls}">{change}</td></tr>'
        )
    if len(effects) > max_rows:
        effect_rows.append(
            f"<tr><td colspan='3'>{text['more'].format(n=len(effects) - max_rows)}</td></tr>"
        )
    effect_html = (
        f'<table class="effects"><tr><th>{text["zone"]}</th><th>{text["service"]}</th>'
        f'<th class="num">{text["change"]}</th></tr>{"".join(effect_rows)}</table>'
        if effect_rows
        else f"<p>{text['none_effects'].format(tol=tol)}</p>"
    )

    capex = float(summary.get(T.CAPEX_TOTAL_EUR, 0.0) or 0.0)
    proceeds = float(summary.get(T.PROCEEDS_TOTAL_EUR, 0.0) or 0.0)
    budget = _settings(saved).get("budget", {}) or {}
    limit = budget.get("capex_total_eur")
    if limit:
        budget_text = text["capex"].format(
            capex=money(capex, language),
            limit=money(float(limit), language),
            share=number(100.0 * capex / float(limit), 0, language),
        )
    else:
        budget_text = text["capex_nolimit"].format(capex=money(capex, language))
    budget_text += "; " + text["proceeds"].format(
        proceeds=money(proceeds, language), net=money(capex - proceeds, language)
    )
    solver = saved.run_json.get("solver", {}) or {}
    gap = summary.get(T.GAP, solver.get("gap") if isinstance(solver, Mapping) else None)
    status = summary.get(T.STATUS, "")
    facts = (
        f"<dt>{text['budget']}</dt><dd>{html.escape(budget_text)}</dd>"
        f"<dt>{text['source']}</dt><dd>{html.escape(travel_source_words(saved, language))}</dd>"
        f"<dt>{text['solver']}</dt><dd>{html.escape(gap_words(gap, status, language))}</dd>"
    )
    map_html = ""
    if saved.sites is not None and saved.zone_points is not None:
        png = _map_png(saved, language, background, title)
        map_html = f'<img class="map" alt="{html.escape(title)}" src="data:image/png;base64,{png}">'

    page = f"""<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<dl class="facts">{facts}</dl>
<h2>{text["figures"].format(year=year)}</h2>
{figure_table}
{map_html}
<div class="cols">
<div><h2>{text["actions"]}</h2>{action_html}</div>
<div><h2>{text["effects"].format(year=year)}</h2>{effect_html}</div>
</div>
{robust_section_html(saved, language)}
{extra_html}
</body>
</html>
"""
    target = Path(path)
    tmp = atomic_target(target)
    try:
        tmp.write_text(page, encoding="utf-8")
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
