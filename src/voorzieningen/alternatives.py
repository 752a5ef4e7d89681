"""Near-optimal alternatives of a run: room to negotiate.

Modelling to generate alternatives (MGA, as in PyPSA; formulation in
``models/alternatives.md``): the run's model is re-solved (the optimum, plan 0), then N times
the best plan that differs from every earlier plan (the search's start) and from there the
plan that is farthest from them (smallest Hamming distance of the building decisions,
maximised), while its objective stays within the slack of the optimum,
``objective <= f* + slack |f*|``. Each alternative's building decisions are then fixed and
its assignments re-optimised on the original objective, so its figures are the best that
plan can do; it is verified by the independent verifier and recorded as a
:class:`~voorzieningen.record.Run`.

With ``keep`` ("keep building X open"), the cheapest plan that keeps the buildings open is
alternative 1 and the cost of that wish is its objective minus the optimum's; the later
alternatives keep them open as well.

:func:`find_alternatives` works on a prepared run; :func:`alternatives_run` on a results
folder or a :class:`~voorzieningen.record.Run`; :func:`write_alternatives` writes
``alternatives/<k>/`` (the one report writer) and ``alternatives.csv`` into the folder and
adds an "Alternatives" section to its ``summary.html``.
"""

from __future__ import annotations

import html
import math
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

import pandas as pd

from voorzieningen import api
from voorzieningen import tables as T
from voorzieningen.errors import InfeasibleModelError, InputDataError, SolverError
from voorzieningen.explain import (
    check_fingerprint,
    explain_section_html,
    read_explanation,
    read_record,
    redraw_summary,
    saved_scenario,
)
from voorzieningen.limits import load_closure_norms
from voorzieningen.model.alternatives import (
    add_differ_rows,
    add_slack_bound,
    check_keep,
    decision_terms,
    decision_variables,
    decision_vector,
    fix_decisions,
    hamming,
    keep_open,
    restore_objective,
    set_distance_objective,
    slack_limit,
)
from voorzieningen.model.build import build_model
from voorzieningen.model.counterfactual import release
from voorzieningen.model.data import ModelData
from voorzieningen.plotting import is_missing, year_text
from voorzieningen.record import PlanTables, PreparedRun, Run
from voorzieningen.report import ReportSettings, write_csv, write_report
from voorzieningen.results import THEN_ACTION, THEN_PERIOD, extract_results
from voorzieningen.schemas.solver import SolverSettings
from voorzieningen.solve import HighsSession, SolveOutcome
from voorzieningen.verify import verify_plan

#: A progress callback: (what is being solved, solves done, solves in all).
Tick = Callable[[str, int, int], None]

#: Turns a solved model into a verified plan: (model, outcome, number; 0 the optimum).
Finish = Callable[[Any, SolveOutcome, int], PlanTables]

#: Default number of alternatives and slack (fraction of the optimum objective; issue 16).
N_ALTERNATIVES = 3
SLACK = 0.05

#: The unit of each objective, in Dutch (the cost of a wish is stated in it).
OBJECTIVE_UNIT_NL = {"cost": "€", "access": "persoonsminuten", "worst_off": "minuten"}

#: Where the alternatives go inside a results folder, and the comparison table.
ALTERNATIVES_DIR = "alternatives"
ALTERNATIVES_CSV = "alternatives.csv"


@dataclass(frozen=True)
class Alternative:
    """One near-optimal plan.

    Attributes
    ----------
    number
        1, 2, ...: its folder ``alternatives/<number>/``.
    run
        The verified plan, its assignments re-optimised with its decisions fixed (a
        :class:`~voorzieningen.record.Run` from :func:`alternatives_run`).
    outcome
        The solver's outcome of that plan (objective in the objective's unit).
    distance_to_optimum
        Building decisions (an option started, a site closed; whatever the year) that
        differ from the optimum.
    distance_to_nearest
        The same, to the nearest earlier plan (the optimum included).
    search
        The distance solve that found it (objective: the distance); None for the plan of a
        ``keep`` wish, which is the cheapest plan with it.
    """

    number: int
    run: PlanTables
    outcome: SolveOutcome
    distance_to_optimum: int
    distance_to_nearest: int
    search: SolveOutcome | None


@dataclass(frozen=True)
class Alternatives:
    """The optimum and the near-optimal alternatives found around it.

    Attributes
    ----------
    optimum
        The run's plan, re-solved (plan 0, the reference of every difference).
    optimum_outcome
        The solver's outcome of the optimum.
    plans
        The alternatives, in the order found.
    table
        One row per plan (0 the optimum): see :func:`comparison_table`.
    slack
        The slack (fraction of the optimum objective).
    limit
        The largest objective an alternative may have, in the objective's unit.
    keep
        Sites kept open by the wish (empty: none).
    note
        Why fewer alternatives than asked were found (empty when all were).
    objective
        The scenario's objective (``cost``: in €; ``access``: person-minutes per period;
        ``worst_off``: minutes).
    """

    optimum: PlanTables
    optimum_outcome: SolveOutcome
    plans: tuple[Alternative, ...]
    table: pd.DataFrame
    slack: float
    limit: float
    keep: tuple[str, ...] = ()
    note: str = ""
    objective: str = "cost"

    @property
    def keep_cost(self) -> float | None:
        """Objective of the cheapest plan keeping the sites open minus the optimum's.

        In the objective's unit (€ for the cost objective); None without a wish.
        """
        if not self.keep or not self.plans or self.plans[0].search is not None:
            return None
        return self.plans[0].outcome.objective - self.optimum_outcome.objective

    @property
    def keep_cost_npv_eur(self) -> float | None:
        """Net present cost (€) of the cheapest plan keeping the sites open minus the optimum's."""
        if self.keep_cost is None:
            return None
        npv = self.table[T.NPV_COST_EUR]
        return float(npv.iloc[1]) - float(npv.iloc[0])

    def __repr__(self) -> str:
        return (
            f"<Alternatives {len(self.plans)} within {self.slack:.0%}>\n"
            f"{self.table.to_string(index=False)}"
        )


@dataclass
class _Steps:
    """Count the solves for a progress callback (the search may stop early)."""

    progress: Tick | None
    total: int
    done: int = 0

    def start(self, label: str) -> None:
        if self.progress is not None:
            self.progress(label, self.done, self.total)

    def finish(self) -> None:
        if self.progress is not None:
            self.progress("done", self.total, self.total)


def check_request(n: int, slack: float) -> None:
    """
    Refuse a number of alternatives below 1 or a slack outside (0, 1].

    Parameters
    ----------
    n
        Alternatives asked for.
    slack
        Fraction of the optimum objective an alternative may cost more.

    Raises
    ------
    InputDataError
        Naming the option and the values allowed.
    """
    if n < 1:
        msg = f"(-n) | {n} alternatives asked for; give 1 or more."
        raise InputDataError(msg)
    if not (math.isfinite(slack) and 0 < slack <= 1):
        msg = (
            f"(--slack) | {slack:g} is not a fraction of the optimum above 0 and at most 1; "
            "give e.g. 0.05 for plans at most 5 % worse than the optimum."
        )
        raise InputDataError(msg)


def find_alternatives(
    data: ModelData,
    solver: SolverSettings | None = None,
    *,
    n: int = N_ALTERNATIVES,
    slack: float = SLACK,
    keep: Sequence[str] = (),
    time_limit_s: float | None = None,
    progress: Tick | None = None,
    finish: Finish | None = None,
) -> Alternatives:
    """
    Solve the optimum, then up to ``n`` plans as different as possible within the slack.

    Parameters
    ----------
    data
        The run's model data (``Run.data``).
    solver
        The run's solver settings (``scenario.solver``).
    n
        Number of alternatives (the plan of a ``keep`` wish counts as one).
    slack
        Fraction of the optimum objective an alternative may cost more (0.05: 5 %).
    keep
        Site ids of existing buildings every alternative keeps open.
    time_limit_s
        Time limit of each solve, s (default: the solver settings').
    progress
        Called before each solve with its label, the solves done and the solves in all.
    finish
        Turns a solved model into a verified plan: ``finish(model, outcome, number)``
        (number 0 for the optimum); default: the result tables of
        :func:`voorzieningen.results.extract_results`, checked by
        :func:`voorzieningen.verify.verify_plan` against ``data``.

    Returns
    -------
    Alternatives
        The optimum, the alternatives (each verified) and their comparison table.

    Raises
    ------
    InputDataError
        If ``n`` < 1, ``slack`` is outside (0, 1] or a kept site is not a building.
    InfeasibleModelError
        If no plan keeps the ``keep`` sites open within the budgets and rules.
    """
    check_request(n, slack)
    check_keep(data, keep)
    settings = solver or SolverSettings()
    if time_limit_s is not None:
        settings = settings.model_copy(update={"time_limit_s": float(time_limit_s)})
    finish = finish or _verified_results(data)
    model, scale = build_model(data)
    variables = decision_variables(model, data)
    terms = decision_terms(model, data)
    session = HighsSession(settings)
    steps = _Steps(progress, 1 + (1 if keep else 0) + 3 * n)
    steps.start("the optimum")
    base = session.solve(model, objective_scale=scale)
    steps.done += 1
    optimum = finish(model, base, 0)
    plans = [decision_vector(terms)]
    found: list[Alternative] = []

    def record(outcome: SolveOutcome, search: SolveOutcome | None) -> None:
        vector = decision_vector(terms)
        number = len(found) + 1
        nearest = min(hamming(vector, p) for p in plans)
        plan = finish(model, outcome, number)
        found.append(Alternative(number, plan, outcome, hamming(vector, plans[0]), nearest, search))
        plans.append(vector)

    if keep:
        keep_open(model, data, list(keep))
        steps.start(f"keep {', '.join(keep)} open")
        try:
            outcome = session.solve(model, objective_scale=scale)
        except InfeasibleModelError as err:
            msg = (
                f"(--keep) | no plan keeps {', '.join(keep)} open within the budgets and "
                f"rules of this scenario ({err})"
            )
            raise InfeasibleModelError(msg) from err
        steps.done += 1
        record(outcome, None)
    limit = slack_limit(base.objective, slack)
    add_slack_bound(model, limit, scale)
    note = ""
    while len(found) < n:
        number = len(found) + 1
        # The best plan that differs from all found so far (the search's start), then the
        # one farthest from them: both within the slack.
        add_differ_rows(model, terms, plans)
        restore_objective(model)
        steps.start(f"alternative {number}: the best plan that differs")
        try:
            session.solve(model, objective_scale=scale)
        except InfeasibleModelError:
            wish = f" keeps {', '.join(keep)} open and" if keep else ""
            note = f"no other plan within {slack:.1%} of the optimum{wish} differs from those found"
            break
        steps.done += 1
        set_distance_objective(model, terms, plans)
        steps.start(f"alternative {number}: the most different plan")
        search = session.solve(model, warm_start=True)
        steps.done += 1
        vector = decision_vector(terms)
        restore_objective(model)
        fixed = fix_decisions(variables)
        steps.start(f"alternative {number}: its best assignments")
        try:
            outcome = session.solve(model, warm_start=True, objective_scale=scale)
        finally:
            release(fixed)
        steps.done += 1
        if min(hamming(vector, p) for p in plans) == 0:  # c_mga_differ rules this out
            msg = "the distance search returned a plan found before"
            raise SolverError(msg)
        record(outcome, search)
    restore_objective(model)
    steps.finish()
    table = comparison_table(optimum, found, keep=tuple(keep))
    objective = str(data.model_settings.objective)
    return Alternatives(
        optimum, base, tuple(found), table, slack, limit, tuple(keep), note, objective
    )


def _verified_results(data: ModelData) -> Finish:
    """Return a ``finish`` that extracts a plan's tables and verifies them against ``data``."""

    def finish(model: Any, outcome: SolveOutcome, number: int) -> PlanTables:
        results = extract_results(model, data, outcome, scenario_name=f"alt{number}")
        verify_plan(results.plan, data, objective_value=outcome.objective)
        return results

    return finish


def comparison_table(
    optimum: PlanTables, plans: Sequence[Alternative], *, keep: tuple[str, ...] = ()
) -> pd.DataFrame:
    """
    Compare the alternatives with the optimum, one row per plan (0: the optimum).

    Parameters
    ----------
    optimum
        The optimum.
    plans
        The alternatives.
    keep
        Sites kept open by the wish.

    Returns
    -------
    pandas.DataFrame
        Columns ``alternative``, ``kept`` (sites kept open by the wish), ``status`` (of its
        solve), ``search_status`` (of the distance solve), ``objective_value`` (the
        objective's unit), ``delta_objective_value`` and ``delta_objective_pct`` (against
        the optimum), ``capex_total_eur``, ``net_spend_eur``, ``npv_cost_eur`` (€), per
        service ``mean_time_all_min_<service>`` (minutes, everyone counted) and
        ``unmet_<unit>`` (persons of the service's unit per period), then
        ``distance_to_optimum``, ``distance_to_nearest`` (building decisions that differ),
        ``sites_changed`` and ``decisions_changed`` (per site: the optimum's action and
        year -> the alternative's).
    """
    reference = optimum.summary.iloc[0]
    f0 = float(reference[T.OBJECTIVE_VALUE])
    per_service = [
        c
        for c in optimum.summary.columns
        if str(c).startswith((T.MEAN_TIME_ALL_PREFIX, T.UNMET_PREFIX))
    ]
    rows = []
    for number, plan in [(0, None), *((p.number, p) for p in plans)]:
        run = optimum if plan is None else plan.run
        summary = run.summary.iloc[0]
        changed = site_changes(optimum, run)
        value = float(summary[T.OBJECTIVE_VALUE])
        row: dict[str, Any] = {
            T.ALTERNATIVE: number,
            T.KEPT: "" if plan is None else "; ".join(keep),
            T.STATUS: summary[T.STATUS],
            T.SEARCH_STATUS: "" if plan is None or plan.search is None else plan.search.status,
            T.OBJECTIVE_VALUE: value,
            T.DELTA_OBJECTIVE_VALUE: value - f0,
            T.DELTA_OBJECTIVE_PCT: 100.0 * (value - f0) / abs(f0) if f0 else math.nan,
            **{c: float(summary[c]) for c in (T.CAPEX_TOTAL_EUR, T.NET_SPEND_EUR)},
            T.NPV_COST_EUR: float(summary[T.NPV_COST_EUR]),
            **{c: float(summary.get(c, math.nan)) for c in per_service},
            T.DISTANCE_TO_OPTIMUM: 0 if plan is None else plan.distance_to_optimum,
            T.DISTANCE_TO_NEAREST: 0 if plan is None else plan.distance_to_nearest,
            T.SITES_CHANGED: len(changed),
            T.DECISIONS_CHANGED: "; ".join(changed),
        }
        rows.append(row)
    return pd.DataFrame(rows)


def _course(row: pd.Series) -> str:
    """Describe what a plan does with a site: action and year, what follows, the closure."""
    parts = [f"{row[T.ACTION]} {year_text(row[T.PERIOD])}".strip()]
    then = row.get(THEN_ACTION)
    if not is_missing(then) and str(then):
        parts.append(f"then {then} {year_text(row.get(THEN_PERIOD))}".strip())
    closed = row.get(T.CLOSED_PERIOD)
    if not is_missing(closed) and str(row[T.ACTION]) != "close":
        parts.append(f"closed {year_text(closed)}")
    return ", ".join(parts)


def site_changes(optimum: PlanTables, plan: PlanTables) -> list[str]:
    """
    Describe the sites whose course differs between the optimum and an alternative.

    Parameters
    ----------
    optimum, plan
        Their decisions tables (site, name, action, period, then_action, then_period,
        closed_period).

    Returns
    -------
    list of str
        Per site whose action, year, following intervention or closure year differ, in the
        order of the optimum's table: ``"<name>: <optimum's course> -> <plan's course>"``,
        e.g. ``"Dorpshuis Kantens: renovate 2025 -> extend 2025, closed 2040"``.
    """
    before = optimum.decisions.set_index(T.SITE)
    after = plan.decisions.set_index(T.SITE)
    out: list[str] = []
    for site in before.index.union(after.index, sort=False):
        a = _course(before.loc[site]) if site in before.index else "absent"
        b = _course(after.loc[site]) if site in after.index else "absent"
        if a != b:
            table = before if site in before.index else after
            name = table.loc[site].get(T.NAME)
            label = str(site) if is_missing(name) or not str(name) else str(name)
            out.append(f"{label}: {a} -> {b}")
    return out


def _prepared(run: Run) -> PreparedRun:
    """Return the stages of a run before its model, to re-solve it."""
    norms = load_closure_norms(
        run.context.region_dir,
        run.scenario.norms.school_closure,
        sorted(run.inputs.zones[T.GEMEENTE].astype(str).unique()),
    )
    files = {f.role: f.path for f in run.provenance.inputs}
    return PreparedRun(
        run.scenario, run.context, run.inputs, run.travel, run.demand, run.data, {}, files, norms
    )


def alternatives_run(
    source: Run | Path | str,
    *,
    n: int = N_ALTERNATIVES,
    slack: float = SLACK,
    keep: Sequence[str] = (),
    data_dir: Path | str | None = None,
    cache_dir: Path | str | None = None,
    time_limit_s: float | None = None,
    progress: Tick | None = None,
) -> Alternatives:
    """
    Find near-optimal alternatives of a run (see :func:`find_alternatives`).

    Parameters
    ----------
    source
        A :class:`Run`, or a results folder (its ``run.json`` holds the settings and input
        files; the stages are rerun from them).
    n, slack, keep, time_limit_s, progress
        As :func:`find_alternatives`.
    data_dir, cache_dir
        For a folder: the data directory (default ``$VOORZIENINGEN_DATA_DIR``, else the
        one the run read) and the cache.

    Returns
    -------
    Alternatives
        Write them with :func:`write_alternatives`.

    Raises
    ------
    InputDataError
        If the folder is not a run, or a setting is out of range (before any work).
    """
    check_request(n, slack)
    if isinstance(source, Run):
        prepared = _prepared(source)
    else:
        record = read_record(source)
        scenario, context = saved_scenario(
            record, folder=Path(source), data_dir=data_dir, cache_dir=cache_dir
        )
        check_fingerprint(record, scenario, context)
        prepared = api.prepare_run(scenario, context)
    name = prepared.scenario.name

    def finish(model: Any, outcome: SolveOutcome, number: int) -> PlanTables:
        scenario = prepared.scenario.model_copy(
            update={"name": f"{name}.alt{number}" if number else name}
        )
        return api.finish_run(replace(prepared, scenario=scenario), model, outcome)

    return find_alternatives(
        prepared.data,
        prepared.scenario.solver,
        n=n,
        slack=slack,
        keep=keep,
        time_limit_s=time_limit_s,
        progress=progress,
        finish=finish,
    )


def _move_to_history(path: Path) -> None:
    """Move an earlier file or folder to ``<parent>/.history/`` (nothing is destroyed)."""
    if not path.exists():
        return
    history = path.parent / ".history"
    history.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path.replace(history / f"{path.stem}-{stamp}{path.suffix}")


def write_alternatives(result: Alternatives, folder: Path | str) -> list[Path]:
    """
    Write the alternatives into a results folder.

    ``alternatives/<k>/`` holds alternative *k* as ``voorzieningen run`` writes a run (maps
    and ``summary.html`` included), in the folder's CSV format and language;
    ``alternatives.csv`` the comparison (:func:`comparison_table`); the folder's
    ``summary.html`` is redrawn with an "Alternatives" section. An earlier
    ``alternatives/`` folder and ``alternatives.csv`` move to ``.history/``; nothing else in
    the folder changes.

    Parameters
    ----------
    result
        From :func:`find_alternatives` or :func:`alternatives_run`.
    folder
        The run's results folder.

    Returns
    -------
    list of pathlib.Path
        The folders and files written.
    """
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    record = read_record(root) if (root / "run.json").is_file() else {}
    dutch = record.get("csv_format") == "dutch_excel"
    language = cast("Literal['nl', 'en']", record.get("language") or ("nl" if dutch else "en"))
    settings = ReportSettings(
        csv_format="dutch_excel" if dutch else "utf8_comma", language=language
    )
    staging = Path(tempfile.mkdtemp(prefix=f".{ALTERNATIVES_DIR}.tmp-", dir=root))
    try:
        for plan in result.plans:
            if not isinstance(plan.run, Run):
                msg = "write_alternatives needs the runs of alternatives_run (not bare tables)"
                raise TypeError(msg)
            write_report(plan.run, staging / str(plan.number), settings=settings)
        write_csv(result.table, staging / ALTERNATIVES_CSV, dutch_excel=dutch, language=language)
        _move_to_history(root / ALTERNATIVES_DIR)
        _move_to_history(root / ALTERNATIVES_CSV)
        (staging / ALTERNATIVES_CSV).replace(root / ALTERNATIVES_CSV)
        staging.replace(root / ALTERNATIVES_DIR)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    written = [
        root / ALTERNATIVES_CSV,
        *(root / ALTERNATIVES_DIR / str(p.number) for p in result.plans),
    ]
    if (root / "summary.html").is_file():
        written.append(_redraw_summary(root, result))
    return written


def _redraw_summary(root: Path, result: Alternatives) -> Path:
    """Redraw ``summary.html`` with the explanation (if any) and the alternatives."""
    explained = read_explanation(root)
    extra = explain_section_html(explained) if explained is not None else ""
    return redraw_summary(root, extra + alternatives_section_html(result))


def _nl(value: float, digits: int) -> str:
    """Format a number with Dutch separators (``1.234,5``), signed."""
    text = f"{round(value, digits) + 0.0:+,.{digits}f}"  # no "-0"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def alternatives_section_html(result: Alternatives) -> str:
    """
    Return the "Alternatives" section (Dutch) of the one-page summary.

    Parameters
    ----------
    result
        The alternatives.

    Returns
    -------
    str
        A ``<section>``: the slack, the cost of a keep wish, and per alternative the change
        in objective (%), net spend (€) and mean travel time per service (minutes), the
        buildings whose decisions differ from the plan and links to its map and summary.
    """
    table = result.table
    times = [c for c in table.columns if str(c).startswith(T.MEAN_TIME_ALL_PREFIX)]
    names = T.SERVICE_NL
    head = ["Alternatief", "Doel (%)", "Netto uitgaven (€)"]
    head += [f"{names.get(c.removeprefix(T.MEAN_TIME_ALL_PREFIX), c)} (min)" for c in times]
    head += ["Andere besluiten", "Kaart"]
    base = table.iloc[0]
    rows = []
    for row in table.iloc[1:].to_dict(orient="records"):
        k = int(row[T.ALTERNATIVE])
        cells = [
            html.escape(str(k)),
            html.escape(_nl(float(row[T.DELTA_OBJECTIVE_PCT]), 1)),
            html.escape(_nl(float(row[T.NET_SPEND_EUR]) - float(base[T.NET_SPEND_EUR]), 0)),
            *(html.escape(_nl(float(row[c]) - float(base[c]), 2)) for c in times),
            html.escape(str(row[T.DECISIONS_CHANGED]) or "geen"),
            f'<a href="{ALTERNATIVES_DIR}/{k}/summary.html">samenvatting</a> · '
            f'<a href="{ALTERNATIVES_DIR}/{k}/plan.html">kaart</a>',
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    wish = ""
    if result.keep_cost is not None and result.keep_cost_npv_eur is not None:
        unit = OBJECTIVE_UNIT_NL.get(result.objective, "")
        spend = float(table.iloc[1][T.NET_SPEND_EUR]) - float(base[T.NET_SPEND_EUR])
        wish = (
            f"<p>Wens: {html.escape(', '.join(result.keep))} openhouden. Dat kost "
            f"{html.escape(_nl(result.keep_cost, 0))} {unit} in de doelwaarde van het plan; "
            f"contante waarde van de kosten {html.escape(_nl(result.keep_cost_npv_eur, 0))} €, "
            f"netto uitgaven {html.escape(_nl(spend, 0))} €. Alternatief 1 is het beste plan "
            "met die wens.</p>"
        )
    note = f"<p>{html.escape(result.note)}</p>" if result.note else ""
    return (
        '<section class="alternatives"><h2>Alternatieven</h2>'
        f"<p>Plannen die hoogstens {html.escape(_nl(100 * result.slack, 1).lstrip('+'))} % "
        "slechter scoren dan het plan en zoveel mogelijk andere besluiten nemen; verschil "
        "met het plan (positief: duurder of verder).</p>"
        f"{wish}{note}"
        f"<table><thead><tr>{''.join(f'<th>{html.escape(h)}</th>' for h in head)}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )
