"""Solve a Pyomo model with HiGHS: the only module that names the solver.

:func:`solve_model` returns a :class:`SolveOutcome` that distinguishes the outcomes a user
must be told apart: proven optimal (within the gap), stopped at the time limit with a plan
(and its proven gap), stopped without a plan, and infeasible.

A model may hand its objective to the solver in another unit than the user's (the cost
objective is in M€ for the solver's numerics): the builder says so with an explicit
``objective_scale`` (see :class:`voorzieningen.model.build.BuiltModel`), and this module
applies it to every setting in the objective's unit (``solver.mip_abs_gap``) and reports
objective and bound back in the objective's own unit.

``solver.time_limit_s`` bounds the whole solve stage when the caller gives a ``deadline``
(:func:`voorzieningen.api.run_scenario` sets it when the model build starts): the time left
after the build and the hand-over of the model to HiGHS is what HiGHS gets. Ctrl-C or SIGTERM
during the solve stops HiGHS and raises :class:`KeyboardInterrupt` (see
:mod:`voorzieningen.signals`); a plan found before is not returned.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import highspy
import pyomo.environ as pyo
from pyomo.common.tee import capture_output
from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.contrib.appsi.solvers.highs import Highs

from voorzieningen.errors import InfeasibleModelError, SolverError
from voorzieningen.schemas.solver import SolverSettings
from voorzieningen.signals import solver_interruptible

#: Status names used in reports.
STATUS_OPTIMAL = "optimal"
STATUS_TIME_LIMIT = "time_limit_feasible"
STATUS_FEASIBLE = "feasible"


class _InterruptNotice(logging.Filter):
    """Drop Pyomo's warning about HiGHS's "interrupt" status: the run says "interrupted"."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record but the interrupt one."""
        return "kInterrupt" not in record.getMessage()


logging.getLogger("pyomo.contrib.appsi.solvers.highs").addFilter(_InterruptNotice())

#: Share of the time limit the LP-guided start may use before the full model is solved
#: (assumption, measured in ``benchmarks/model_scale.py``).
GUIDED_SHARE = 0.4

#: Least share of the time limit step (2) of the LP-guided start may use (assumption).
RESTRICTED_SHARE = 0.15

#: A guide variable at most this in the LP relaxation is held at 0 in the restricted model.
GUIDED_ZERO = 1e-6


@dataclass(frozen=True)
class SolveOutcome:
    """What the solver did.

    Attributes
    ----------
    status
        ``"optimal"`` (optimal within the requested gap), ``"time_limit_feasible"`` (time
        limit hit, best plan found returned) or ``"feasible"`` (stopped otherwise with a
        plan). Ctrl-C returns no outcome: it raises :class:`KeyboardInterrupt`.
    termination
        The solver's termination condition, as text.
    objective
        Objective value of the returned plan, in the objective's own unit.
    bound
        Best proven bound on the objective.
    gap
        Relative gap ``|objective - bound| / max(|objective|, 1e-9)`` (fraction).
    runtime_s
        Wall-clock solve time, in seconds.
    solver
        Solver name and version.
    """

    status: str
    termination: str
    objective: float
    bound: float
    gap: float
    runtime_s: float
    solver: str

    @property
    def optimal(self) -> bool:
        """Whether the plan is proven optimal within the requested gap."""
        return self.status == STATUS_OPTIMAL


def solver_version() -> str:
    """
    Return the name and version of the solver used.

    Returns
    -------
    str
        For example ``"highs 1.16.0"``.

    Raises
    ------
    SolverError
        If HiGHS (the ``highspy`` package) is not installed.
    """
    solver = Highs()
    if not solver.available():  # appsi returns a truthy Availability member when usable
        msg = (
            "The HiGHS solver is not available: install it with `pip install highspy` "
            "(it is a dependency of voorzieningen, so reinstalling the package also works)."
        )
        raise SolverError(msg)
    version = solver.version()
    return "highs " + ".".join(str(v) for v in version) if version else "highs"


def relative_gap(objective: float, bound: float) -> float:
    """
    Return the relative gap between an objective and its bound.

    Parameters
    ----------
    objective
        Objective value of a plan.
    bound
        Best proven bound.

    Returns
    -------
    float
        ``|objective - bound| / max(|objective|, 1e-9)``; ``inf`` if the bound is unknown.
    """
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return math.inf
    return abs(objective - bound) / max(abs(objective), 1e-9)


def _check_options(options: dict[str, Any]) -> None:
    """Refuse HiGHS options that HiGHS does not know or cannot take (it would ignore them)."""
    if not options:
        return
    with capture_output(capture_fd=True):  # HiGHS prints a banner when created
        scratch = highspy.Highs()  # type: ignore[no-untyped-call]
        scratch.setOptionValue("output_flag", False)  # noqa: FBT003 - HiGHS API
        bad = [
            f"{name}={value!r}"
            for name, value in options.items()
            if scratch.setOptionValue(name, value) != highspy.HighsStatus.kOk
        ]
    if bad:
        msg = (
            f"(solver.highs_options) | HiGHS does not accept {', '.join(bad)}; check the "
            "option names and value types in the HiGHS documentation."
        )
        raise SolverError(msg)


class HighsSession:
    """A persistent HiGHS solver: solve a model, change it a little, solve it again.

    Pyomo's persistent HiGHS interface (``appsi``) keeps the solver's copy of the model and
    sends only changes (for example a new right-hand side of an epsilon constraint); with
    ``warm_start=True`` the previous plan is passed to HiGHS as a MIP start.

    Parameters
    ----------
    settings
        Time limit (s), relative gap, threads; defaults to :class:`SolverSettings`.
    """

    def __init__(self, settings: SolverSettings | None = None) -> None:
        self.settings = settings or SolverSettings()
        self.name = solver_version()
        # Every variable of our models belongs to the model itself: appsi can then hand the
        # model to HiGHS without scanning for variables elsewhere (measurably faster).
        solver = Highs(only_child_vars=True)
        solver.config.load_solution = False
        solver.config.stream_solver = self.settings.tee
        solver.config.time_limit = self.settings.time_limit_s
        solver.config.mip_gap = self.settings.mip_rel_gap
        options: dict[str, Any] = {"presolve": self.settings.presolve}
        if self.settings.threads:
            options["threads"] = self.settings.threads
        if self.settings.mip_abs_gap:
            options["mip_abs_gap"] = self.settings.mip_abs_gap
        options.update(self.settings.highs_options)
        _check_options(options)
        self._options = options
        self._solver = solver

    def _highs_options(self, objective_scale: float) -> dict[str, Any]:
        """HiGHS options for one solve: the absolute gap in the solver's objective unit."""
        options = dict(self._options)
        if self.settings.mip_abs_gap and "mip_abs_gap" not in self.settings.highs_options:
            options["mip_abs_gap"] = self.settings.mip_abs_gap * objective_scale
        return options

    def _cancel(self) -> None:
        """Ask a running HiGHS to stop (from a signal handler)."""
        highs = getattr(self._solver, "_solver_model", None)
        if highs is not None:
            highs.cancelSolve()

    def _time_left(self, deadline: float | None, start: float) -> float:
        """Seconds HiGHS may run: ``time_limit_s``, less what the stage used before HiGHS."""
        limit = self.settings.time_limit_s
        if deadline is None:
            return limit
        left = deadline - time.perf_counter()
        if left <= 0:
            used = time.perf_counter() - (deadline - limit)
            handover = time.perf_counter() - start
            msg = (
                f"The model build and its hand-over to HiGHS took {used:,.1f} s (hand-over "
                f"{handover:,.1f} s) of solver.time_limit_s = {limit:g} s, which bounds the "
                "whole solve stage, leaving no time to solve; raise solver.time_limit_s, or "
                "plan fewer sites, zones or periods."
            )
            raise SolverError(msg)
        return min(limit, left)

    def solve(
        self,
        model: pyo.ConcreteModel,
        *,
        warm_start: bool = False,
        objective_scale: float = 1.0,
        deadline: float | None = None,
    ) -> SolveOutcome:
        """
        Solve a model and load the best plan into its variables.

        Parameters
        ----------
        model
            A Pyomo model with exactly one active objective.
        warm_start
            Pass the values currently in the model's variables to HiGHS as a MIP start.
        objective_scale
            Factor from the objective's unit to the unit of the model's objective expression
            (``BuiltModel.objective_scale``; 1e-6 when the objective is written in M€ and
            the user's unit is €). ``solver.mip_abs_gap`` is multiplied by it; the
            objective and bound are divided by it.
        deadline
            When the solve stage must end (:func:`time.perf_counter` seconds), e.g. the start
            of the model build plus ``solver.time_limit_s``: HiGHS gets the time left after
            the hand-over of the model, at most ``solver.time_limit_s``. None: HiGHS gets
            ``solver.time_limit_s``.

        Returns
        -------
        SolveOutcome
            Status, objective, bound, gap and runtime (s). The variables of ``model`` hold
            the returned plan.

        Raises
        ------
        ValueError
            If ``objective_scale`` is not a positive finite number.
        InfeasibleModelError
            If HiGHS proves that no plan satisfies the constraints.
        SolverError
            If HiGHS fails, or stops at the time limit without any plan, or the build and
            hand-over already used the whole time limit.
        KeyboardInterrupt
            On Ctrl-C or SIGTERM (when SIGTERM has a Python handler) during the solve.
        """
        if not (math.isfinite(objective_scale) and objective_scale > 0):
            msg = f"objective_scale must be a positive number; got {objective_scale!r}."
            raise ValueError(msg)
        self._solver.config.warmstart = warm_start
        self._solver.highs_options = self._highs_options(objective_scale)
        start = time.perf_counter()
        try:
            fresh = model is not self._solver._model  # appsi keeps no public flag
            if fresh:  # hand the model over here, so the time it takes counts
                self._solver.set_instance(model)
            self._solver.config.time_limit = self._time_left(deadline, start)
            with solver_interruptible(self._cancel), _no_update_check(self._solver, fresh=fresh):
                result = self._solver.solve(model)
        except SolverError:  # our own message (no time left), not a failure of HiGHS
            raise
        except (RuntimeError, ValueError) as err:
            msg = f"HiGHS failed while solving: {err}"
            raise SolverError(msg) from err
        runtime = time.perf_counter() - start
        condition = result.termination_condition
        if condition in (
            TerminationCondition.infeasible,
            TerminationCondition.infeasibleOrUnbounded,
        ):
            # Advise allowing unmet demand only when it is not allowed already.
            hard = hasattr(model, "unmet_persons") and any(
                v.ub == 0 for v in model.unmet_persons.values()
            )
            hint = (
                "; with `model.allow_unmet_demand = false`, set it to true to see which zones "
                "and services fall short."
                if hard
                else "; locks, end of life or lead times. Unmet demand is already allowed, so a "
                "hard rule binds."
            )
            msg = (
                "No plan satisfies every constraint of this scenario (HiGHS proved it "
                "infeasible). Raise the budget, relax the norms, guarantees or minimum sizes" + hint
            )
            raise InfeasibleModelError(msg)
        objective = result.best_feasible_objective
        if objective is None:
            if condition == TerminationCondition.maxTimeLimit:
                msg = (
                    f"HiGHS reached the time limit of {self.settings.time_limit_s:g} s without "
                    "finding any plan; raise `solver.time_limit_s`."
                )
            else:
                msg = f"HiGHS stopped ({condition.name}) without a plan."
                if self.settings.threads:
                    msg += (
                        f" HiGHS fixes its number of threads at the first solve of a process, "
                        f"so `solver.threads = {self.settings.threads}` fails after an earlier "
                        "solve with another number; use the same `solver.threads` for every "
                        "run of one process (0 lets HiGHS choose)."
                    )
            raise SolverError(msg)
        result.solution_loader.load_vars()
        # Report objective and bound in the objective's own unit (e.g. € rather than M€).
        scale = float(objective_scale)
        objective = float(objective) / scale
        bound = result.best_objective_bound
        bound_value = float(bound) / scale if bound is not None else math.nan
        if condition == TerminationCondition.optimal:
            status = STATUS_OPTIMAL
        elif condition == TerminationCondition.maxTimeLimit:
            status = STATUS_TIME_LIMIT
        else:
            status = STATUS_FEASIBLE
        return SolveOutcome(
            status=status,
            termination=condition.name,
            objective=float(objective),
            bound=bound_value,
            gap=relative_gap(float(objective), bound_value),
            runtime_s=runtime,
            solver=self.name,
        )

    def solve_guided(
        self,
        model: pyo.ConcreteModel,
        guide: Iterable[pyo.Var],
        *,
        objective_scale: float = 1.0,
    ) -> SolveOutcome:
        """
        Solve a model exactly, starting HiGHS from a plan found with the LP relaxation's help.

        Three solves of the same persistent HiGHS model (``models/investment.md``, section
        *Solving*): (1) the LP relaxation (every binary variable in [0, 1]); (2) the model
        with every ``guide`` variable that is 0 in that LP held at 0 (upper bound 0), a far
        smaller MIP whose plan is feasible for the full model; (3) the full model, with that
        plan handed to HiGHS as a MIP start. Step (1) uses at most :data:`GUIDED_SHARE` of
        ``time_limit_s``, step (2) what is left of that share but at least
        :data:`RESTRICTED_SHARE`, step (3) the rest. If the plan of step (2) is within
        ``mip_rel_gap`` of the LP bound of step (1) (a bound of the full model), it is
        returned as optimal with that bound; otherwise the plan returned is that of step
        (3), HiGHS's on the full model, with the tighter of its bound and the LP bound, and
        the gap between them. If step (1) or (2) finds nothing in its time, step (3) runs
        without a start.

        Parameters
        ----------
        model
            A Pyomo model with exactly one active objective.
        guide
            Binary variables (indexed components) whose zeros in the LP relaxation restrict
            step (2), e.g. the ``start`` decisions of the investment model.
        objective_scale
            As for :meth:`solve`.

        Returns
        -------
        SolveOutcome
            Of the full model; ``runtime_s`` counts all steps (seconds).

        Raises
        ------
        InfeasibleModelError
            If HiGHS proves that no plan satisfies the constraints.
        SolverError
            If HiGHS fails, or stops without any plan.
        """
        limit = self.settings.time_limit_s
        began = time.perf_counter()
        try:
            start = self._guided_start(model, guide, objective_scale, began)
            if start is not None and start.gap <= self.settings.mip_rel_gap:
                return replace(start, runtime_s=time.perf_counter() - began)
            outcome = self.solve(
                model,
                warm_start=start is not None,
                objective_scale=objective_scale,
                deadline=max(began + limit, time.perf_counter() + 1.0),
            )
        finally:
            self._solver.config.time_limit = limit
        if start is not None and math.isfinite(start.bound):
            # The LP bound of step (1) stays a bound of the full model: keep the better one
            # (step (3) stopped before its root LP has a weaker bound).
            tighter = min if _maximising(model) else max
            bound = tighter(b for b in (outcome.bound, start.bound) if math.isfinite(b))
            gap = relative_gap(outcome.objective, bound)
            status = STATUS_OPTIMAL if gap <= self.settings.mip_rel_gap else outcome.status
            outcome = replace(outcome, bound=bound, gap=gap, status=status)
        return replace(outcome, runtime_s=time.perf_counter() - began)

    def _guided_start(
        self,
        model: pyo.ConcreteModel,
        guide: Iterable[pyo.Var],
        objective_scale: float,
        began: float,
    ) -> SolveOutcome | None:
        """
        Run steps (1)-(2) of :meth:`solve_guided`.

        Returns
        -------
        SolveOutcome or None
            The plan of step (2) (loaded into the model's variables) with the LP bound of
            step (1) and the gap between them; None if either step found nothing in time.
        """
        limit = self.settings.time_limit_s
        binaries = [
            v
            for v in model.component_data_objects(pyo.Var, descend_into=True)
            if v.is_binary() and not v.fixed
        ]
        for v in binaries:
            v.domain = pyo.UnitInterval
        try:
            relaxed = self.solve(
                model, objective_scale=objective_scale, deadline=began + GUIDED_SHARE * limit
            )
        except SolverError:
            return None
        finally:
            for v in binaries:
                v.domain = pyo.Binary
        held = [
            (v, v.upper)
            for component in guide
            for v in component.values()
            if not v.fixed and (v.value or 0.0) <= GUIDED_ZERO
        ]
        for v, _ in held:
            v.setub(0)
        step = max(began + GUIDED_SHARE * limit, time.perf_counter() + RESTRICTED_SHARE * limit)
        try:
            plan = self.solve(model, objective_scale=objective_scale, deadline=step)
        except (SolverError, InfeasibleModelError):
            return None
        finally:
            for v, ub in held:
                v.setub(ub)
        # The LP optimum bounds the full model; an LP stopped early bounds nothing.
        best = max if _maximising(model) else min
        bound = best(relaxed.objective, plan.objective) if relaxed.optimal else math.nan
        gap = relative_gap(plan.objective, bound)
        status = STATUS_OPTIMAL if gap <= self.settings.mip_rel_gap else plan.status
        return replace(plan, status=status, bound=bound, gap=gap)


def _maximising(model: pyo.ConcreteModel) -> bool:
    """Whether the model's active objective is maximised."""
    objective = next(model.component_data_objects(pyo.Objective, active=True))
    return bool(objective.sense == pyo.maximize)


@contextmanager
def _no_update_check(solver: Highs, *, fresh: bool) -> Iterator[None]:
    """Skip appsi's scan of the model for changes right after handing it over (none)."""
    if not fresh:
        yield
        return
    config = solver.update_config
    keys = (
        "check_for_new_or_removed_constraints",
        "check_for_new_or_removed_vars",
        "check_for_new_or_removed_params",
        "check_for_new_objective",
        "update_constraints",
        "update_vars",
        "update_params",
        "update_named_expressions",
        "update_objective",
    )
    saved = {key: getattr(config, key) for key in keys}
    for key in keys:
        setattr(config, key, False)
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(config, key, value)


def solve_model(
    model: pyo.ConcreteModel,
    settings: SolverSettings | None = None,
    *,
    objective_scale: float = 1.0,
    deadline: float | None = None,
    guide: Iterable[pyo.Var] | None = None,
) -> SolveOutcome:
    """
    Solve a model with HiGHS and load the best plan into its variables.

    Parameters
    ----------
    model
        A Pyomo model with exactly one active objective.
    settings
        Time limit (s), relative and absolute gap, threads; defaults to
        :class:`SolverSettings`. ``mip_abs_gap`` is in the objective's unit.
    objective_scale
        Factor from the objective's unit to the model's objective expression
        (``BuiltModel.objective_scale`` of an investment model; 1 for the presets).
    deadline
        When the solve stage must end (:func:`time.perf_counter` seconds); see
        :meth:`HighsSession.solve`.
    guide
        Binary variables to guide a MIP start from the LP relaxation
        (:meth:`HighsSession.solve_guided`; ``[model.start]`` of an investment model);
        None solves the model directly. A guided solve keeps ``solver.time_limit_s`` per
        step and ignores ``deadline`` (benchmarks only; runs solve directly).

    Returns
    -------
    SolveOutcome
        Status, objective, bound, gap and runtime (s). The variables of ``model`` hold the
        returned plan.

    Raises
    ------
    InfeasibleModelError
        If HiGHS proves that no plan satisfies the constraints.
    SolverError
        If HiGHS is missing, fails, or stops at the time limit without any plan.
    KeyboardInterrupt
        On Ctrl-C (or SIGTERM with a Python handler) during the solve.
    """
    session = HighsSession(settings)
    if guide is None:
        return session.solve(model, objective_scale=objective_scale, deadline=deadline)
    return session.solve_guided(model, guide, objective_scale=objective_scale)
