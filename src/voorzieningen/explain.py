"""Explain a plan: what the opposite of each decision would cost and buy.

For every building the plan manages (and every candidate site it builds on), the opposite
choice (keep instead of close, close instead of keep, no investment instead of the chosen
one; :mod:`voorzieningen.model.counterfactual`) is fixed and the model re-solved, warm-started.
Each row of :attr:`Explanation.decisions` gives the change against the plan (re-solved once
first, the reference) in net spend, NPV and per service the mean travel time counting everyone
and the unmet demand, and whether the opposite fits the budgets and rules (``feasible``);
differences below the solver's gap are within its tolerance. The marginal value of budget is
the slope against the total gross capex limit (re-solves at the limit plus and minus a step).
:func:`explain_plan` works on a :class:`~voorzieningen.model.data.ModelData`;
:func:`explain_run` on a results folder or a :class:`~voorzieningen.record.Run`;
:func:`write_explanation` adds ``explain*.csv`` to a folder without touching anything else.
"""

from __future__ import annotations

import html
import json
import math
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from voorzieningen import api, basemap, summary_page
from voorzieningen import tables as T
from voorzieningen.context import RunContext, resolve_data_dir
from voorzieningen.errors import (
    InfeasibleModelError,
    InputDataError,
    SolverError,
    VoorzieningenWarning,
)
from voorzieningen.model.build import build_model, set_total_budget
from voorzieningen.model.counterfactual import (
    GROSS_CAPEX_EUR,
    NET_SPEND_EUR,
    Decision,
    fix_opposite,
    managed_decisions,
    plan_figures,
    release,
    restore,
    snapshot,
)
from voorzieningen.model.data import ModelData
from voorzieningen.provenance import scenario_fingerprint
from voorzieningen.record import Run
from voorzieningen.report import read_run, read_table, replace_csv
from voorzieningen.schemas.scenario import Scenario
from voorzieningen.schemas.solver import SolverSettings
from voorzieningen.solve import HighsSession, SolveOutcome

#: A progress callback: (what is being solved, solves done, solves in all).
Tick = Callable[[str, int, int], None]

#: The unit each service counts in (persons of that service).
SERVICE_UNITS: dict[str, str] = {"school": "pupils", "gp": "patients", "community_hall": "visitors"}

#: Default step of the budget re-solves: the limit times 1 - step and 1 + step.
BUDGET_STEP = 0.10

#: Files written by :func:`write_explanation`.
EXPLAIN_CSV = "explain.csv"
EXPLAIN_BUDGET_CSV = "explain_budget.csv"
EXPLAIN_MARGINAL_CSV = "explain_marginal.csv"


def unit_of(service: str) -> str:
    """
    Return the unit a service counts in.

    Parameters
    ----------
    service
        ``school``, ``gp`` or ``community_hall``.

    Returns
    -------
    str
        ``pupils``, ``patients`` or ``visitors`` (``persons`` for an unknown service).
    """
    return SERVICE_UNITS.get(service, "persons")


@dataclass(frozen=True)
class Explanation:
    """The consequences of the opposite of each decision, and of a little more budget.

    Attributes
    ----------
    decisions
        One row per managed building (then per candidate site built on): site, name,
        service (today's), choice (``keep``, ``close``, ``invest``, ``new``), action,
        period (year; empty for keep), opposite (``close``, ``keep``, ``no_investment``,
        ``no_build``), feasible (the opposite fits budgets and rules; empty when a lock
        rules it out), status (solver status, ``infeasible``, ``locked`` or
        ``no_plan``), gap (fraction), solve_s (s), then differences opposite minus plan:
        delta_objective_value (the scenario's objective, in its unit), within_solver_gap
        (True: the difference is smaller than the two solves' gaps allow, so not proven),
        delta_net_spend_eur, delta_gross_capex_eur, delta_npv_cost_eur (€), and per
        service ``delta_<service>_mean_time_all_min`` (minutes, everyone counted) and
        ``delta_<service>_unmet_<unit>`` (persons per period, horizon average).
    budget
        The plan and the re-solves at the total gross capex limit times 1 ± step: level
        (``minus``, ``plan``, ``plus``), budget_eur, feasible, status, gap, net_spend_eur,
        gross_capex_eur, npv_cost_eur and per service ``<service>_mean_time_all_min``
        and ``<service>_unmet_<unit>``. Empty when the scenario has no total capex limit.
    marginal
        Per service (index ``service``): unit, ``mean_time_all_min_per_meur`` (change in
        the mean travel time per extra M€ of budget, minutes; negative: more budget,
        shorter trips) and ``unmet_per_meur`` (persons of the unit per extra M€). Empty
        like ``budget``.
    reference
        The plan's figures as re-solved (keys of
        :func:`voorzieningen.model.counterfactual.plan_figures`).
    """

    decisions: pd.DataFrame
    budget: pd.DataFrame
    marginal: pd.DataFrame
    reference: dict[str, float]

    def __repr__(self) -> str:
        return (
            f"<Explanation {len(self.decisions)} decisions>\n"
            f"{self.decisions.to_string(index=False)}"
        )


def _columns(services: list[str]) -> list[tuple[str, str]]:
    """(figure key, column suffix) of the per-service figures."""
    out: list[tuple[str, str]] = []
    for s in services:
        out.append((f"{s}:mean_time_all_min", f"{s}_mean_time_all_min"))
        out.append((f"{s}:unmet_persons", f"{s}_unmet_{unit_of(s)}"))
    return out


def _solve(session: HighsSession, model: Any, scale: float) -> tuple[SolveOutcome | None, str]:
    """Solve warm-started; (outcome, status) or (None, infeasible / no_plan)."""
    try:
        outcome = session.solve(model, warm_start=True, objective_scale=scale)
    except InfeasibleModelError:
        return None, "infeasible"
    except SolverError:
        return None, "no_plan"
    return outcome, outcome.status


def explain_plan(
    data: ModelData,
    solver: SolverSettings | None = None,
    *,
    budget_step: float = BUDGET_STEP,
    time_limit_s: float | None = None,
    progress: Tick | None = None,
) -> Explanation:
    """
    Re-solve a run's model with the opposite of each decision fixed, and near its budget.

    Parameters
    ----------
    data
        The run's model data (``Run.data``).
    solver
        The run's solver settings (``scenario.solver``).
    budget_step
        Relative step of the budget re-solves (0.10: the limit ± 10 %).
    time_limit_s
        Time limit of each re-solve, s (default: the solver settings').
    progress
        Called before each solve with its label, the solves done and the solves in all.

    Returns
    -------
    Explanation
        Per-decision differences, the budget re-solves and the marginal value of budget.

    Raises
    ------
    ValueError
        If ``budget_step`` is not between 0 and 1.
    InfeasibleModelError, SolverError
        If the plan itself cannot be re-solved.
    """
    if not 0 < budget_step < 1:
        msg = f"budget_step must be between 0 and 1 (a fraction of the budget); got {budget_step}"
        raise ValueError(msg)
    settings = solver or SolverSettings()
    if time_limit_s is not None:
        settings = settings.model_copy(update={"time_limit_s": float(time_limit_s)})
    model, scale = build_model(data)
    session = HighsSession(settings)
    limit = data.budgets.capex_total_eur
    decisions_total = len(data.existing) - len(data.fixed_sites) + len(data.candidates)
    total = 1 + decisions_total + (2 if limit is not None else 0)
    done = 0

    def tick(label: str) -> None:
        if progress is not None:
            progress(label, done, total)

    tick("the plan")
    base = session.solve(model, objective_scale=scale)
    done += 1
    reference = plan_figures(model, data)
    plan_values = snapshot(model)
    decisions = managed_decisions(model, data)
    total = 1 + len(decisions) + (2 if limit is not None else 0)
    per_service = _columns(list(data.services))
    names = data.sites_table[T.NAME].astype(str) if T.NAME in data.sites_table else None
    rows: list[dict[str, Any]] = []
    for decision in decisions:
        tick(f"{decision.site}: {decision.opposite.replace('_', ' ')}")
        rows.append(
            _counterfactual(model, data, session, scale, decision, plan_values, reference, base)
        )
        done += 1
    table = pd.DataFrame(rows)
    if names is not None and not table.empty:
        table.insert(1, T.NAME, table[T.SITE].map(names))
    if not table.empty:
        table.insert(2, T.SERVICE, table[T.SITE].map(data.sites_table[T.SERVICE]))
    ordered = [
        T.SITE,
        T.NAME,
        T.SERVICE,
        "choice",
        T.ACTION,
        T.PERIOD,
        "opposite",
        "feasible",
        T.STATUS,
        T.GAP,
        T.SOLVE_S,
        "delta_objective_value",
        "within_solver_gap",
        "delta_net_spend_eur",
        "delta_gross_capex_eur",
        "delta_npv_cost_eur",
        *(f"delta_{col}" for _, col in per_service),
    ]
    table = table.reindex(columns=ordered)
    table[T.PERIOD] = table[T.PERIOD].astype("Int64")
    budget_rows: list[dict[str, Any]] = []
    marginal = pd.DataFrame(
        columns=[T.UNIT, "mean_time_all_min_per_meur", "unmet_per_meur"],
        index=pd.Index([], name=T.SERVICE),
    )
    if limit is not None:
        budget_rows.append(_budget_row("plan", float(limit), base, reference, per_service))
        for level, factor in (("minus", 1 - budget_step), ("plus", 1 + budget_step)):
            tick(f"budget {factor:.0%}")
            restore(model, plan_values)
            set_total_budget(model, float(limit) * factor)
            outcome, status = _solve(session, model, scale)
            figures = plan_figures(model, data) if outcome is not None else None
            row = _budget_row(level, float(limit) * factor, outcome, figures, per_service)
            row[T.STATUS] = status
            budget_rows.append(row)
            done += 1
        set_total_budget(model, float(limit))
        marginal = _marginal(budget_rows, list(data.services))
    if progress is not None:
        progress("done", total, total)
    budget = pd.DataFrame(budget_rows)
    return Explanation(table, budget, marginal, reference)


def _counterfactual(
    model: Any,
    data: ModelData,
    session: HighsSession,
    scale: float,
    decision: Decision,
    plan_values: dict[str, dict[Any, Any]],
    reference: dict[str, float],
    base: SolveOutcome,
) -> dict[str, Any]:
    """Fix one decision's opposite, re-solve warm-started, and compare with the plan."""
    row: dict[str, Any] = {
        T.SITE: decision.site,
        "choice": decision.choice,
        T.ACTION: decision.action,
        T.PERIOD: decision.period,
        "opposite": decision.opposite,
    }
    restore(model, plan_values)
    fixed = fix_opposite(model, data, decision)
    if not fixed:
        row.update(feasible=pd.NA, **{T.STATUS: "locked"})
        return row
    try:
        outcome, status = _solve(session, model, scale)
    finally:
        release(fixed)
    row[T.STATUS] = status
    row["feasible"] = outcome is not None
    if outcome is None:
        return row
    figures = plan_figures(model, data)
    row[T.GAP] = outcome.gap
    row[T.SOLVE_S] = outcome.runtime_s
    delta = outcome.objective - base.objective
    row["delta_objective_value"] = delta
    # Both plans are optimal only within their gaps: a smaller difference is not proven.
    row["within_solver_gap"] = abs(delta) <= (outcome.gap + base.gap) * max(
        abs(base.objective), abs(outcome.objective)
    )
    row["delta_net_spend_eur"] = figures[NET_SPEND_EUR] - reference[NET_SPEND_EUR]
    row["delta_gross_capex_eur"] = figures[GROSS_CAPEX_EUR] - reference[GROSS_CAPEX_EUR]
    row["delta_npv_cost_eur"] = figures[T.NPV_COST_EUR] - reference[T.NPV_COST_EUR]
    for key, col in _columns(list(data.services)):
        row[f"delta_{col}"] = figures[key] - reference[key]
    return row


def _budget_row(
    level: str,
    budget_eur: float,
    outcome: SolveOutcome | None,
    figures: dict[str, float] | None,
    per_service: list[tuple[str, str]],
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "level": level,
        T.BUDGET_EUR: budget_eur,
        "feasible": outcome is not None,
        T.STATUS: outcome.status if outcome is not None else "infeasible",
        T.GAP: outcome.gap if outcome is not None else math.nan,
    }
    keys = [NET_SPEND_EUR, GROSS_CAPEX_EUR, T.NPV_COST_EUR]
    for key in keys:
        row[key] = figures[key] if figures is not None else math.nan
    for key, col in per_service:
        row[col] = figures[key] if figures is not None else math.nan
    return row


def _marginal(rows: list[dict[str, Any]], services: list[str]) -> pd.DataFrame:
    """Slopes per M€ from the feasible budget levels (central, else one-sided)."""
    usable = [r for r in rows if r["feasible"]]
    usable.sort(key=lambda r: float(r[T.BUDGET_EUR]))
    out = []
    for s in services:
        time_col, unmet_col = f"{s}_mean_time_all_min", f"{s}_unmet_{unit_of(s)}"
        if len(usable) >= 2:
            lo, hi = usable[0], usable[-1]
            meur = (float(hi[T.BUDGET_EUR]) - float(lo[T.BUDGET_EUR])) / 1e6
            slope_t = (float(hi[time_col]) - float(lo[time_col])) / meur
            slope_u = (float(hi[unmet_col]) - float(lo[unmet_col])) / meur
        else:
            slope_t = slope_u = math.nan
        out.append(
            {
                T.SERVICE: s,
                T.UNIT: unit_of(s),
                "mean_time_all_min_per_meur": slope_t,
                "unmet_per_meur": slope_u,
            }
        )
    return pd.DataFrame(out).set_index(T.SERVICE)


def saved_scenario(
    record: dict[str, Any],
    *,
    folder: Path,
    data_dir: Path | str | None = None,
    cache_dir: Path | str | None = None,
) -> tuple[Scenario, RunContext]:
    """
    Return the scenario and context of a run from its ``run.json`` record.

    Parameters
    ----------
    record
        The parsed ``run.json`` (``settings`` holds the full scenario; ``inputs`` the
        files read, by role).
    folder
        The results folder (for messages).
    data_dir
        The data directory; default ``$VOORZIENINGEN_DATA_DIR``, else the folder two
        levels above the zones file the run read (``<data>/cbs/<file>``).
    cache_dir
        Cache of networks and travel times.

    Returns
    -------
    tuple of Scenario and RunContext
        As the run had them.

    Raises
    ------
    InputDataError
        If ``run.json`` holds no settings, or the data directory cannot be found.
    """
    settings = record.get("settings")
    if not isinstance(settings, dict):
        msg = (
            f"({folder / 'run.json'}, settings) | no scenario settings; this folder was not "
            "written by `voorzieningen run` (rerun the scenario to explain it)."
        )
        raise InputDataError(msg)
    scenario = Scenario.model_validate(settings)
    inputs = record.get("inputs", {})
    if data_dir is None and not os.environ.get("VOORZIENINGEN_DATA_DIR"):
        zones = inputs.get("zones", {}).get("path")
        if zones:
            data_dir = Path(zones).parent.parent
    scenario_file = inputs.get("scenario", {}).get("path")
    portfolio = inputs.get("portfolio", {}).get("path")
    if scenario_file:
        region_dir = Path(scenario_file).parent
    elif portfolio:
        region_dir = Path(portfolio).parent
    else:
        region_dir = Path("inputs") / scenario.region
    context = RunContext(
        data_dir=resolve_data_dir(data_dir),
        region_dir=region_dir.resolve(),
        scenario_file=Path(scenario_file) if scenario_file else None,
        cache_dir=Path(cache_dir).resolve() if cache_dir else None,
    )
    return scenario, context


def read_record(folder: Path | str) -> dict[str, Any]:
    """
    Read a results folder's ``run.json``.

    Parameters
    ----------
    folder
        A results folder written by ``voorzieningen run``.

    Returns
    -------
    dict
        The record.

    Raises
    ------
    InputDataError
        If the folder or its ``run.json`` is missing or unreadable.
    """
    path = Path(folder) / "run.json"
    if not path.is_file():
        msg = (
            f"({path}) | not found; give a results folder written by `voorzieningen run` "
            "(e.g. results/delft/base)."
        )
        raise InputDataError(msg)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        msg = f"({path}) | cannot be read as JSON ({err}); rerun the scenario."
        raise InputDataError(msg) from err
    if not isinstance(record, dict):
        msg = f"({path}) | not a run record; rerun the scenario."
        raise InputDataError(msg)
    return record


def check_fingerprint(record: dict[str, Any], scenario: Scenario, context: RunContext) -> None:
    """
    Warn when the inputs have changed since the run was made.

    Parameters
    ----------
    record
        The run's ``run.json``.
    scenario, context
        The scenario and where it reads from now.
    """
    saved = record.get("fingerprint")
    if saved and saved != scenario_fingerprint(scenario, context):
        warnings.warn(
            "the input files or the voorzieningen version differ from those of the run: "
            "the explanation is of the plan the current inputs give; rerun the scenario "
            "to explain it with them.",
            VoorzieningenWarning,
            stacklevel=2,
        )


def check_same_plan(explanation: Explanation, folder: Path | str) -> list[str]:
    """
    Warn when the re-solved plan decides otherwise than the plan saved in a folder.

    The plan is re-solved before it is explained; within the solver's gap it may choose
    another of several near-optimal plans. The explanation is then of the re-solved plan.

    Parameters
    ----------
    explanation
        The explanation.
    folder
        The results folder (its ``decisions.csv``: columns site, action, period).

    Returns
    -------
    list of str
        The sites whose action or year differ (empty when the plans agree, or when the
        folder's decisions cannot be read in that form).
    """
    root = Path(folder)
    path = root / "decisions.csv"
    if not path.is_file():
        return []
    dutch = (root / "run.json").is_file() and read_record(root).get("csv_format") == "dutch_excel"
    saved = read_table(path, dutch_excel=dutch)
    if not {T.SITE, T.ACTION, T.PERIOD} <= set(saved.columns):
        return []
    saved = saved.set_index(T.SITE)
    differ: list[str] = []
    for row in explanation.decisions.itertuples(index=False):
        site = str(getattr(row, T.SITE))
        if site not in saved.index:
            continue
        then = saved.loc[site]
        year = pd.to_numeric(pd.Series([then[T.PERIOD]]), errors="coerce").iloc[0]
        now = getattr(row, T.PERIOD)
        same_year = (pd.isna(year) and pd.isna(now)) or (
            not pd.isna(year) and not pd.isna(now) and int(year) == int(now)
        )
        if str(then[T.ACTION]) != str(getattr(row, T.ACTION)) or not same_year:
            differ.append(site)
    if differ:
        warnings.warn(
            f"({path}) | the plan re-solved for the explanation differs from the saved one "
            f"at {', '.join(differ)} (another plan within the solver's gap); explain.csv "
            "explains the re-solved plan. Lower solver.mip_rel_gap and rerun to pin it down.",
            VoorzieningenWarning,
            stacklevel=2,
        )
    return differ


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Round at write time: euros and persons whole, minutes two decimals, gap four."""
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_float_dtype(out[col]):
            continue
        if col.endswith("_eur") or col.startswith(("delta_net", "delta_npv", "delta_gross")):
            out[col] = out[col].round(0)
        elif col.endswith("_per_meur"):
            out[col] = out[col].round(4)  # small slopes: minutes or persons per M€
        elif col.endswith("_min") or col in (T.SOLVE_S, "delta_objective_value"):
            out[col] = out[col].round(2)
        elif col == T.GAP:
            out[col] = out[col].round(4)
        else:
            out[col] = out[col].round(0)
    floats = out.select_dtypes("float").columns
    out[floats] = out[floats] + 0.0  # no "-0.0" in the files
    return out


def write_explanation(
    explanation: Explanation, folder: Path | str, *, dutch_excel: bool | None = None
) -> list[Path]:
    """
    Add ``explain.csv``, ``explain_budget.csv`` and ``explain_marginal.csv`` to a folder.

    ``explain.csv``: :attr:`Explanation.decisions`; ``explain_budget.csv``:
    :attr:`Explanation.budget`; ``explain_marginal.csv``: :attr:`Explanation.marginal`
    (the last two only when the scenario has a total capex limit).

    Each file is written beside its target and moved into place (an earlier one moves to
    ``<folder>/.history/``); nothing else in the folder changes.

    Parameters
    ----------
    explanation
        From :func:`explain_plan` or :func:`explain_run`.
    folder
        The results folder.
    dutch_excel
        ``;`` separators and decimal commas; None: as the folder's ``run.json`` says (its
        ``csv_format``), plain CSV without one.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    if dutch_excel is None:
        dutch_excel = (root / "run.json").is_file() and (
            read_record(root).get("csv_format") == "dutch_excel"
        )
    written = [
        replace_csv(_rounded(explanation.decisions), root / EXPLAIN_CSV, dutch_excel=dutch_excel)
    ]
    if not explanation.budget.empty:
        for frame, name in (
            (explanation.budget, EXPLAIN_BUDGET_CSV),
            (explanation.marginal, EXPLAIN_MARGINAL_CSV),
        ):
            written.append(replace_csv(_rounded(frame), root / name, dutch_excel=dutch_excel))
    if (root / "summary.html").is_file():
        written.append(redraw_summary(root, explain_section_html(explanation)))
    return written


def redraw_summary(root: Path, extra_html: str) -> Path:
    """Redraw a results folder's ``summary.html`` with the sections ``extra_html`` at its end."""
    saved = read_run(root)
    language = str(saved.run_json.get("language") or "nl")
    background = basemap.background_for(saved.zone_points, saved.run_json)
    return summary_page.write_summary_page(
        saved,
        root / "summary.html",
        language=language if language in ("nl", "en") else "nl",
        background=background,
        extra_html=extra_html,
    )


def read_explanation(folder: Path | str) -> pd.DataFrame | None:
    """
    Read a results folder's ``explain.csv`` back (for the one-page summary).

    Parameters
    ----------
    folder
        A results folder.

    Returns
    -------
    pandas.DataFrame or None
        The table as written (see :attr:`Explanation.decisions`), None when the folder
        has not been explained (``voorzieningen explain``).
    """
    root = Path(folder)
    path = root / EXPLAIN_CSV
    if not path.is_file():
        return None
    dutch = (root / "run.json").is_file() and read_record(root).get("csv_format") == "dutch_excel"
    table = read_table(path, dutch_excel=dutch)
    for col in ("feasible", "within_solver_gap"):
        if col in table:
            table[col] = table[col].map({True: True, False: False, "True": True, "False": False})
    return table


def explain_section_html(explanation: Explanation | pd.DataFrame) -> str:
    """
    Return an HTML section (Dutch) with the explanation, for the one-page summary.

    Parameters
    ----------
    explanation
        The explanation, or its table as read by :func:`read_explanation`.

    Returns
    -------
    str
        A ``<section>`` with one table row per decision: site, choice, opposite, whether
        it fits the budget, the change in net spend (€) and in mean travel time per
        service (minutes).
    """
    words = {
        "keep": "behouden",
        "close": "sluiten",
        "invest": "investeren",
        "new": "nieuwbouw",
        "no_investment": "niet investeren",
        "no_build": "niet bouwen",
    }
    table = explanation.decisions if isinstance(explanation, Explanation) else explanation
    time_cols = [c for c in table.columns if c.endswith("_mean_time_all_min")]
    head = "".join(
        f"<th>{html.escape(h)}</th>"
        for h in [
            "Gebouw",
            "Besluit",
            "Alternatief",
            "Binnen budget",
            "Netto uitgaven (€)",
            *(
                c.removeprefix("delta_").removesuffix("_mean_time_all_min") + " (min)"
                for c in time_cols
            ),
        ]
    )
    body = []
    for row in table.to_dict(orient="records"):
        fits = row.get("feasible")
        fits_text = "ja" if fits is True else ("nee" if fits is False else "vergrendeld")
        spend = row.get("delta_net_spend_eur")
        cells = [
            str(row.get(T.NAME) or row[T.SITE]),
            words.get(str(row["choice"]), str(row["choice"])),
            words.get(str(row["opposite"]), str(row["opposite"])),
            fits_text,
            _nl(spend, 0, signed=True),
            *(_nl(row.get(c), 2, signed=True) for c in time_cols),
        ]
        body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return (
        '<section class="explain"><h2>Wat kost het andere besluit?</h2>'
        "<p>Per gebouw: het tegenovergestelde besluit, opnieuw doorgerekend; verschil met "
        "het plan (positief: duurder of verder).</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        "</section>"
    )


def _nl(value: Any, digits: int, *, signed: bool) -> str:
    """Format a number with Dutch separators (``1.234,5``); empty for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    text = f"{float(value):+,.{digits}f}" if signed else f"{float(value):,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def explain_run(
    source: Run | Path | str,
    *,
    data_dir: Path | str | None = None,
    cache_dir: Path | str | None = None,
    budget_step: float = BUDGET_STEP,
    time_limit_s: float | None = None,
    progress: Tick | None = None,
) -> Explanation:
    """
    Explain every decision of a run: the opposite choice re-solved, and budget ± a step.

    Parameters
    ----------
    source
        A :class:`Run`, or a results folder (its ``run.json`` holds the settings and input
        files; the stages are rerun from them).
    data_dir, cache_dir
        For a folder: the data directory (default ``$VOORZIENINGEN_DATA_DIR``, else the
        one the run read) and the cache.
    budget_step
        Relative step of the budget re-solves (0.10: ± 10 %).
    time_limit_s
        Time limit of each re-solve, s (default: the scenario's).
    progress
        Called before each solve with its label, the solves done and the solves in all.

    Returns
    -------
    voorzieningen.Explanation
        Write it with :func:`voorzieningen.explain.write_explanation`.
    """
    if isinstance(source, Run):
        scenario, data = source.scenario, source.data
    else:
        record = read_record(source)
        scenario, context = saved_scenario(
            record, folder=Path(source), data_dir=data_dir, cache_dir=cache_dir
        )
        check_fingerprint(record, scenario, context)
        data = api.prepare_run(scenario, context).data
    result = explain_plan(
        data,
        scenario.solver,
        budget_step=budget_step,
        time_limit_s=time_limit_s,
        progress=progress,
    )
    if not isinstance(source, Run):
        check_same_plan(result, source)
    return result
