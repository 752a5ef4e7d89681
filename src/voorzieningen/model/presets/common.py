"""Shared parts of the presets: input validation, the preset data, sparse row helpers."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, ParamSpec, TypeVar

import numpy as np
import numpy.typing as npt
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression
from pyomo.core.expr.relational_expr import (
    EqualityExpression,
    InequalityExpression,
    RangedExpression,
)

from voorzieningen.errors import InfeasibleModelError, InputDataError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

PresetName = Literal["p_median", "p_center", "mclp", "lscp", "cflp", "cpmp", "uflp"]

MAX_LISTED = 5

_P = ParamSpec("_P")
_R = TypeVar("_R")


def gc_paused(build: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run a model builder with Python's cyclic garbage collector paused.

    A builder allocates one Pyomo object per variable, term and row and frees none of them,
    so every collection the allocations trigger scans the whole growing model for nothing:
    on a 200 x 200 p-median that is two thirds of the build time. ``PauseGC`` restores the
    collector's previous state on exit (also on errors) and nests.
    """

    @functools.wraps(build)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with PauseGC():
            return build(*args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class PresetSolution:
    """The plan of a solved preset, re-evaluated on the input data.

    Attributes
    ----------
    preset
        Name of the preset (``"p_median"``, ``"cflp"``, ...).
    open_sites
        Indices (columns of ``costs``) of the open sites, ascending.
    assignment
        For each client, the index of the site serving it (for split demand: the site
        serving its largest share); ``-1`` for a client that is not covered (MCLP).
    objective
        Objective value recomputed from the plan and the input data, in the unit of the
        objective (cost unit, weighted cost unit, covered weight, number of sites).
    allocation
        Clients x sites fraction of each client's demand served by each site; only for
        presets with assignment variables (CFLP, CPMP), otherwise ``None``.
    """

    preset: PresetName
    open_sites: IntArray
    assignment: IntArray
    objective: float
    allocation: FloatArray | None = None


@dataclass(frozen=True, eq=False)
class PresetStart:
    """A plan known before the solve (a heuristic's), to hand to the solver as a MIP start.

    Attributes
    ----------
    open
        Value of each ``open`` variable (1: site opened), in the model's order.
    beyond
        Value of each ``beyond`` variable of that plan, in the model's order.
    upper_bound
        Objective of that plan (an upper bound on the optimum), in the objective's unit.
    lower_bound
        A proven lower bound on the optimum (Lagrangian relaxation), in the objective's
        unit; ``-inf`` when none was computed.
    highs_options
        HiGHS options measured to help on this model with this start (for the reduced
        p-median: no presolve restarts, ``mip_allow_restart = false``: with the optimum
        usually known from the start, HiGHS spends its time at the root, and each restart
        redoes the cut rounds; and no primal heuristics, which would search for a plan the
        start already gives; see ``benchmarks/README.md``). Pass them through
        ``solver.highs_options``.
    assign
        Value of each ``assign`` variable of that plan (CFLP), in the model's order; empty
        for the radius models.
    """

    open: FloatArray
    beyond: FloatArray
    upper_bound: float
    lower_bound: float
    highs_options: Mapping[str, bool | int | float | str] = field(default_factory=dict)
    assign: FloatArray = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True, eq=False)
class PresetSpec:
    """Input data of a preset model, returned next to it (read by ``extract_solution``).

    Attributes
    ----------
    preset
        Name of the preset.
    costs
        Clients x sites cost matrix as given (``+inf``: forbidden pair), in the cost unit.
    weights
        Weight of each client (1 where unweighted).
    fixed_costs
        Opening cost of each site (0 where the preset has none), in the cost unit.
    radius
        Covering radius (MCLP, LSCP), in the cost unit; ``inf`` otherwise.
    pairs
        (k, 2) client and site of each assignment variable (CFLP, CPMP); ``None`` otherwise.
    start
        A plan known before the solve (p-median with ``reduce``), with its bounds; ``None``
        otherwise.
    """

    preset: PresetName
    costs: FloatArray
    weights: FloatArray  # per client (1 where unweighted)
    fixed_costs: FloatArray  # per site (0 where no opening cost)
    radius: float = np.inf
    pairs: IntArray | None = None  # (k, 2) client, site of each assignment variable
    start: PresetStart | None = None


def make_spec(
    preset: PresetName,
    costs: FloatArray,
    *,
    weights: FloatArray | None = None,
    fixed_costs: FloatArray | None = None,
    radius: float = np.inf,
    pairs: IntArray | None = None,
    start: PresetStart | None = None,
) -> PresetSpec:
    """Return the preset data, with unit weights and zero fixed costs where not given."""
    n, m = costs.shape
    return PresetSpec(
        preset,
        costs,
        np.ones(n) if weights is None else weights,
        np.zeros(m) if fixed_costs is None else fixed_costs,
        radius,
        pairs,
        start,
    )


class PresetModel(NamedTuple):
    """An unsolved preset model and the input data its plan is read back with.

    The Pyomo model carries nothing but Pyomo components; everything else a preset needs
    after the solve travels here, explicitly.

    Attributes
    ----------
    model
        The unsolved Pyomo model (``model.open[j]`` is 1 when site j is opened).
    spec
        Input data for :func:`voorzieningen.model.presets.extract_solution`.
    """

    model: pyo.ConcreteModel
    spec: PresetSpec


# --------------------------------------------------------------------------- validation


def cost_matrix(costs: npt.ArrayLike) -> FloatArray:
    """Return ``costs`` as a validated float matrix (clients x sites), or raise."""
    try:
        arr = np.array(costs, dtype=np.float64)
    except (TypeError, ValueError) as err:
        msg = f"`costs` must be a numeric 2-D array (clients x sites): {err}"
        raise InputDataError(msg) from err
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        msg = (
            "`costs` must be a non-empty 2-D array of shape (clients, sites); "
            f"got shape {arr.shape}."
        )
        raise InputDataError(msg)
    nan = np.argwhere(np.isnan(arr))
    if len(nan):
        msg = (
            f"`costs` holds {len(nan)} NaN entries (first (client, site): "
            f"{_pairs_text(nan)}); use +inf for pairs that may not be served."
        )
        raise InputDataError(msg)
    negative = np.argwhere(arr < 0)
    if len(negative):
        msg = (
            f"`costs` holds {len(negative)} negative entries (first (client, site): "
            f"{_pairs_text(negative)}); costs must be >= 0."
        )
        raise InputDataError(msg)
    unreachable = np.flatnonzero(~np.isfinite(arr).any(axis=1))
    if len(unreachable):
        msg = (
            f"{len(unreachable)} clients have cost +inf to every site, so no plan can serve "
            f"them: clients {list_text(unreachable)}."
        )
        raise InfeasibleModelError(msg)
    return arr


def vector(values: npt.ArrayLike | None, size: int, name: str, axis: str) -> FloatArray:
    """Return a validated per-client or per-site vector (default all ones), or raise."""
    if values is None:
        return np.ones(size)
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        msg = f"`{name}` must be a numeric 1-D array: {err}"
        raise InputDataError(msg) from err
    if arr.shape != (size,):
        msg = f"`{name}` must have one value per {axis} ({size}); got shape {arr.shape}."
        raise InputDataError(msg)
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
    if len(bad):
        msg = (
            f"`{name}` must be finite and >= 0; {len(bad)} {axis}s are not: "
            f"{axis}s {list_text(bad)}."
        )
        raise InputDataError(msg)
    return arr


def count(p: int, n_sites: int) -> int:
    """Return ``p`` as a validated number of sites to open, or raise."""
    if isinstance(p, bool) or not isinstance(p, int | np.integer):
        msg = f"`p` must be an integer number of sites; got {p!r}."
        raise InputDataError(msg)
    if p < 1:
        msg = f"`p` must be at least 1; got {p}."
        raise InputDataError(msg)
    if p > n_sites:
        msg = f"`p` = {p} sites must be opened, but there are only {n_sites} candidate sites."
        raise InfeasibleModelError(msg)
    return int(p)


def radius_value(radius: float) -> float:
    """Return ``radius`` as a validated finite number >= 0 (cost unit), or raise."""
    value = float(radius)
    if not np.isfinite(value) or value < 0:
        msg = f"`radius` must be a finite number >= 0 (cost unit); got {radius!r}."
        raise InputDataError(msg)
    return value


def list_text(indices: npt.NDArray[Any]) -> str:
    """Return the first indices as text for an error message."""
    shown = ", ".join(str(int(k)) for k in indices[:MAX_LISTED])
    return shown + (", ..." if len(indices) > MAX_LISTED else "")


def _pairs_text(pairs: npt.NDArray[Any]) -> str:
    shown = ", ".join(f"({int(a)}, {int(b)})" for a, b in pairs[:MAX_LISTED])
    return shown + (", ..." if len(pairs) > MAX_LISTED else "")


# --------------------------------------------------------------------------- sparse rows


def rows_to_expressions(
    variables: Sequence[Any], rows: IntArray, cols: IntArray, coefs: FloatArray, n_rows: int
) -> list[LinearExpression]:
    """Build one ``LinearExpression`` per row from coordinate (row, column, coef) triplets."""
    order = np.argsort(rows, kind="stable")
    cols = cols[order]
    coefs = coefs[order]
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    var_array = np.empty(len(variables), dtype=object)
    var_array[:] = list(variables)
    terms = var_array[cols]
    scaled = np.flatnonzero(coefs != 1.0)
    if len(scaled):
        pairs = zip(coefs[scaled].tolist(), terms[scaled].tolist(), strict=True)
        terms[scaled] = list(map(MonomialTermExpression, pairs))
    term_list = terms.tolist()
    bounds = indptr.tolist()
    return [LinearExpression(term_list[a:b]) for a, b in itertools.pairwise(bounds)]


def add_rows(
    model: pyo.ConcreteModel,
    name: str,
    expressions: list[LinearExpression],
    lower: FloatArray | float | None,
    upper: FloatArray | float | None,
) -> None:
    """Add ``lower <= expressions[r] <= upper`` as the indexed constraint ``model.<name>``.

    The relational expressions are made directly (what Pyomo would turn a
    ``(lower, body, upper)`` tuple into, without its per-row dispatch).
    """
    n_rows = len(expressions)
    lo = _bound_list(lower, n_rows)
    hi = _bound_list(upper, n_rows)
    relations: list[Any] = []
    for low, body, high in zip(lo, expressions, hi, strict=True):
        if low is None:
            relations.append(InequalityExpression((body, high), False))  # noqa: FBT003
        elif high is None:
            relations.append(InequalityExpression((low, body), False))  # noqa: FBT003
        elif low == high:
            relations.append(EqualityExpression((body, low)))
        else:
            relations.append(RangedExpression((low, body, high), (False, False)))

    def rule(_: pyo.ConcreteModel, r: int) -> Any:
        return relations[r]

    model.add_component(name, pyo.Constraint(range(n_rows), rule=rule))


def _bound_list(bound: FloatArray | float | None, n_rows: int) -> list[float | None]:
    if bound is None:
        return [None] * n_rows
    if isinstance(bound, float | int):
        return [float(bound)] * n_rows
    return [float(b) for b in bound]


def linear(variables: Sequence[Any], coefs: FloatArray, constant: float = 0.0) -> Any:
    """Return ``constant + sum_k coefs[k] * variables[k]`` as one linear expression."""
    terms: list[Any] = [float(constant)] if constant else []
    for v, c in zip(variables, coefs.tolist(), strict=True):
        if c == 1.0:
            terms.append(v)
        elif c != 0.0:
            terms.append(MonomialTermExpression((c, v)))
    return LinearExpression(terms) if terms else 0.0


# --------------------------------------------------------------------------- assignment rows


def add_cardinality(model: pyo.ConcreteModel, p: int) -> None:
    """Add ``sum_j y_j = p`` (``model.c_cardinality``).

    Declared right after ``model.open`` so that it is the solver's first row and the
    ``y_j`` its first columns (Pyomo hands components over in declaration order).
    """
    sites = list(model.open.values())
    model.c_cardinality = pyo.Constraint(expr=linear(sites, np.ones(len(sites))) == p)


def add_assignment_vars(
    model: pyo.ConcreteModel, c: FloatArray, *, binary: bool, allowed: BoolArray | None = None
) -> IntArray:
    """Add ``model.assign`` (x) over the allowed finite pairs; return the (client, site) pairs."""
    mask = np.isfinite(c) if allowed is None else (np.isfinite(c) & allowed)
    pairs = np.argwhere(mask).astype(np.int64)
    model.PAIRS = pyo.RangeSet(0, len(pairs) - 1)
    domain = pyo.Binary if binary else pyo.UnitInterval
    model.assign = pyo.Var(model.PAIRS, within=domain)
    return pairs


def add_assign_once(model: pyo.ConcreteModel, pairs: IntArray, n_clients: int) -> None:
    """Add ``sum_j x_ij = 1`` for every client (``model.c_assign``)."""
    variables = list(model.assign.values())
    exprs = rows_to_expressions(
        variables, pairs[:, 0], np.arange(len(pairs)), np.ones(len(pairs)), n_clients
    )
    add_rows(model, "c_assign", exprs, 1.0, 1.0)


def add_assign_if_open(
    model: pyo.ConcreteModel, pairs: IntArray, bound: FloatArray, which: IntArray | None = None
) -> None:
    """Add ``x_ij - u_ij y_j <= 0`` for every pair, or the pairs ``which`` (``c_assign_open``).

    ``bound`` holds :math:`u_{ij}` per pair of ``pairs``.
    """
    index = np.arange(len(pairs)) if which is None else which
    n_pairs = len(index)
    m = len(model.open)
    variables = [*model.open.values(), *model.assign.values()]
    rows = np.concatenate((np.arange(n_pairs), np.arange(n_pairs)))
    cols = np.concatenate((m + index, pairs[index, 1]))
    coefs = np.concatenate((np.ones(n_pairs), -bound[index]))
    exprs = rows_to_expressions(variables, rows, cols, coefs, n_pairs)
    add_rows(model, "c_assign_open", exprs, None, 0.0)


def add_capacity(
    model: pyo.ConcreteModel, pairs: IntArray, demands: FloatArray, capacities: FloatArray
) -> None:
    """Add ``sum_i q_i x_ij - Q_j y_j <= 0`` per site and ``sum_j Q_j y_j >= sum_i q_i``."""
    m = len(capacities)
    n_pairs = len(pairs)
    variables = [*model.open.values(), *model.assign.values()]
    rows = np.concatenate((pairs[:, 1], np.arange(m)))
    cols = np.concatenate((m + np.arange(n_pairs), np.arange(m)))
    coefs = np.concatenate((demands[pairs[:, 0]], -capacities))
    exprs = rows_to_expressions(variables, rows, cols, coefs, m)
    add_rows(model, "c_capacity", exprs, None, 0.0)
    model.c_total_capacity = pyo.Constraint(
        expr=linear(list(model.open.values()), capacities) >= float(demands.sum())
    )
