r"""Classic facility-location models (presets) built from a cost matrix.

Every preset takes a matrix ``costs`` of shape (clients, sites) -- travel time (min),
distance (m, km) or money (€), whatever unit the caller uses consistently -- plus weights,
capacities or fixed costs as needed, and returns an unsolved :class:`pyomo.environ.ConcreteModel`.
Building never solves; solve with :func:`voorzieningen.solve.solve_model`, then read the
plan with :func:`extract_solution`:

>>> model = build_p_median(costs, p=3)                     # doctest: +SKIP
>>> outcome = solve_model(model, SolverSettings())         # doctest: +SKIP
>>> plan = extract_solution(model)                         # doctest: +SKIP

An entry ``+inf`` in ``costs`` means "this client may not be served by this site". NaN,
negative values and arrays that are not 2-D are rejected with
:class:`~voorzieningen.errors.InputDataError`; inputs that provably admit no plan (a client
no site may serve, too little capacity, ``p`` larger than the number of sites, ...) raise
:class:`~voorzieningen.errors.InfeasibleModelError` before any model is built.

Notation shared by the formulations: clients :math:`i \in I`, sites :math:`j \in J`,
cost :math:`d_{ij}`, client weight :math:`w_i`, site opened :math:`y_j \in \{0, 1\}`
(``model.open``).

Radius formulation (p-median, UFLP, p-center)
---------------------------------------------
Instead of assignment variables :math:`x_{ij}` (one per pair), client :math:`i` gets one
variable per *distinct* cost level. Let :math:`D_i^1 < D_i^2 < \dots < D_i^{K_i}` be the
distinct finite values of row :math:`i`, and :math:`z_{ik} \ge 0` (``model.beyond``) say
that no open site is within :math:`D_i^k` of :math:`i` (Elloumi 2010, INFORMS J. Comput.
22:294-300; García, Labbé & Marín 2011, INFORMS J. Comput. 23:546-556). With
:math:`z_{i0} = 1`:

.. math::

    \text{cost}_i = D_i^1 + \sum_{k=1}^{K_i - 1} (D_i^{k+1} - D_i^k)\, z_{ik}, \qquad
    z_{ik} + \sum_{j: d_{ij} = D_i^k} y_j \ge z_{i,k-1} \quad (k = 1..K_i),

with :math:`z_{iK_i} = 0`. Summing the chain gives the covering inequality
:math:`z_{ik} \ge 1 - \sum_{j: d_{ij} \le D_i^k} y_j`; every site occurs once per client,
so the matrix has :math:`|I||J|` entries for :math:`y` plus two per level, against
:math:`3|I||J|` for the textbook model, and no :math:`x_{ij}` at all. The LP bound equals
that of the strong textbook model. With exactly :math:`p` open sites, a level whose ball
holds at least :math:`|J| - p + 1` sites is always covered, so :math:`z_{ik} = 0` there and
all higher levels are dropped (García et al. 2011).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, ParamSpec, TypeVar

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

from voorzieningen.errors import InfeasibleModelError, InputDataError, SolverError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

PresetName = Literal["p_median", "p_center", "mclp", "lscp", "cflp", "cpmp", "uflp"]

#: Attribute of a preset model that holds its input data (read by :func:`extract_solution`).
SPEC_ATTRIBUTE = "preset_spec"

_MAX_LISTED = 5

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _gc_paused(build: Callable[_P, _R]) -> Callable[_P, _R]:
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
class _PresetSpec:
    """Input data a preset model keeps for :func:`extract_solution`."""

    preset: PresetName
    costs: FloatArray
    weights: FloatArray  # per client (1 where unweighted)
    fixed_costs: FloatArray  # per site (0 where no opening cost)
    radius: float = np.inf
    pairs: IntArray | None = None  # (k, 2) client, site of each assignment variable


def _spec(
    preset: PresetName,
    costs: FloatArray,
    *,
    weights: FloatArray | None = None,
    fixed_costs: FloatArray | None = None,
    radius: float = np.inf,
    pairs: IntArray | None = None,
) -> _PresetSpec:
    n, m = costs.shape
    return _PresetSpec(
        preset,
        costs,
        np.ones(n) if weights is None else weights,
        np.zeros(m) if fixed_costs is None else fixed_costs,
        radius,
        pairs,
    )


# --------------------------------------------------------------------------- validation


def _cost_matrix(costs: npt.ArrayLike) -> FloatArray:
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
            f"them: clients {_list_text(unreachable)}."
        )
        raise InfeasibleModelError(msg)
    return arr


def _vector(values: npt.ArrayLike | None, size: int, name: str, axis: str) -> FloatArray:
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
            f"{axis}s {_list_text(bad)}."
        )
        raise InputDataError(msg)
    return arr


def _count(p: int, n_sites: int) -> int:
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


def _radius_value(radius: float) -> float:
    value = float(radius)
    if not np.isfinite(value) or value < 0:
        msg = f"`radius` must be a finite number >= 0 (cost unit); got {radius!r}."
        raise InputDataError(msg)
    return value


def _list_text(indices: npt.NDArray[Any]) -> str:
    shown = ", ".join(str(int(k)) for k in indices[:_MAX_LISTED])
    return shown + (", ..." if len(indices) > _MAX_LISTED else "")


def _pairs_text(pairs: npt.NDArray[Any]) -> str:
    shown = ", ".join(f"({int(a)}, {int(b)})" for a, b in pairs[:_MAX_LISTED])
    return shown + (", ..." if len(pairs) > _MAX_LISTED else "")


# --------------------------------------------------------------------------- sparse rows


def _rows_to_expressions(
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


def _add_rows(
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


def _linear(variables: Sequence[Any], coefs: FloatArray, constant: float = 0.0) -> Any:
    """Return ``constant + sum_k coefs[k] * variables[k]`` as one linear expression."""
    terms: list[Any] = [float(constant)] if constant else []
    for v, c in zip(variables, coefs.tolist(), strict=True):
        if c == 1.0:
            terms.append(v)
        elif c != 0.0:
            terms.append(MonomialTermExpression((c, v)))
    return LinearExpression(terms) if terms else 0.0


# --------------------------------------------------------------------------- radius levels


@dataclass(frozen=True)
class _Levels:
    """Distinct cost levels of each client, flattened (one entry per chain row)."""

    term_rows: IntArray  # chain row of each (client, site) term kept
    term_sites: IntArray  # site of that term
    row_client: IntArray  # client of each chain row
    row_value: FloatArray  # level value D_i^k of each chain row
    row_first: BoolArray  # whether the row is the client's first level
    row_has_z: BoolArray  # whether z_ik exists for the row (not the client's top level)


def _radius_levels(
    costs: FloatArray,
    *,
    p: int | None,
    lower: float = -np.inf,
    upper: float = np.inf,
) -> _Levels:
    """Return the distinct cost levels per client, reduced as described in the module docs.

    Levels with value <= ``lower`` are merged into the first level (the objective cannot be
    below ``lower``); levels above ``upper`` are dropped (an optimal plan stays within it);
    with ``p`` given, levels above the first one holding ``|J| - p + 1`` sites are dropped.
    """
    n, m = costs.shape
    order = np.argsort(costs, axis=1, kind="stable")
    srt = np.take_along_axis(costs, order, axis=1)
    new = np.ones((n, m), dtype=bool)
    new[:, 1:] = srt[:, 1:] != srt[:, :-1]
    level = np.cumsum(new, axis=1) - 1
    # merge levels <= lower into the first one
    merged = np.maximum((new & (srt <= lower)).sum(axis=1) - 1, 0)
    level = np.maximum(level - merged[:, None], 0)
    clients = np.arange(n)
    usable = np.isfinite(srt) & (srt <= upper)
    last_pos = usable.sum(axis=1) - 1  # >= 0: the caller guarantees a level <= upper
    top = level[clients, last_pos]
    if p is not None:
        top = np.minimum(top, level[clients, np.minimum(m - p, last_pos)])
    keep = usable & (level <= top[:, None])
    n_levels = top + 1
    offset = np.zeros(n, dtype=np.int64)
    np.cumsum(n_levels[:-1], out=offset[1:])
    ti, tpos = np.nonzero(keep)
    term_rows = offset[ti] + level[ti, tpos]
    term_sites = order[ti, tpos]
    # value of each row = largest cost in that (merged) level
    n_rows = int(n_levels.sum())
    row_value = np.full(n_rows, -np.inf)
    np.maximum.at(row_value, term_rows, srt[ti, tpos])
    row_client = np.repeat(clients, n_levels)
    row_level = np.arange(n_rows) - offset[row_client]
    return _Levels(
        term_rows=term_rows.astype(np.int64),
        term_sites=term_sites.astype(np.int64),
        row_client=row_client.astype(np.int64),
        row_value=row_value,
        row_first=row_level == 0,
        row_has_z=row_level < top[row_client],
    )


def _add_radius_chain(model: pyo.ConcreteModel, levels: _Levels) -> tuple[IntArray, IntArray]:
    """Add ``model.beyond`` (z) and the chain rows ``model.c_level``.

    Returns the row of each z variable and, for each row, the z variable of the previous
    level (-1 for the first level).
    """
    n_rows = len(levels.row_value)
    z_rows = np.flatnonzero(levels.row_has_z)
    n_sites = len(model.open)
    model.LEVELS = pyo.RangeSet(0, len(z_rows) - 1) if len(z_rows) else pyo.Set(initialize=[])
    model.beyond = pyo.Var(model.LEVELS, within=pyo.NonNegativeReals)
    z_of_row = np.full(n_rows, -1, dtype=np.int64)
    z_of_row[z_rows] = np.arange(len(z_rows))
    prev_z = np.full(n_rows, -1, dtype=np.int64)
    prev_z[1:] = np.where(levels.row_first[1:], -1, z_of_row[:-1])
    variables = [*model.open.values(), *model.beyond.values()]
    rows_plus = z_rows
    rows_minus = np.flatnonzero(prev_z >= 0)
    rows = np.concatenate((levels.term_rows, rows_plus, rows_minus))
    cols = np.concatenate(
        (levels.term_sites, n_sites + z_of_row[rows_plus], n_sites + prev_z[rows_minus])
    )
    coefs = np.concatenate(
        (np.ones(len(levels.term_rows) + len(rows_plus)), -np.ones(len(rows_minus)))
    )
    expressions = _rows_to_expressions(variables, rows, cols, coefs, n_rows)
    lower = np.where(levels.row_first, 1.0, 0.0)
    _add_rows(model, "c_level", expressions, lower, None)
    return z_rows, prev_z


def _radius_objective_terms(
    model: pyo.ConcreteModel, levels: _Levels, z_rows: IntArray, weights: FloatArray
) -> tuple[float, FloatArray]:
    """Return the constant and the z coefficients of ``sum_i w_i cost_i``."""
    first = levels.row_first
    constant = float(np.dot(weights[levels.row_client[first]], levels.row_value[first]))
    step = levels.row_value[z_rows + 1] - levels.row_value[z_rows]
    return constant, weights[levels.row_client[z_rows]] * step


# --------------------------------------------------------------------------- presets


@_gc_paused
def build_p_median(
    costs: npt.ArrayLike,
    *,
    p: int,
    weights: npt.ArrayLike | None = None,
    formulation: Literal["radius", "assignment"] = "radius",
) -> pyo.ConcreteModel:
    r"""
    Build the (weighted) p-median model: open ``p`` sites, minimise total weighted cost.

    .. math::

        \min \sum_i w_i \, \text{cost}_i \quad \text{s.t.} \quad \sum_j y_j = p,

    with :math:`\text{cost}_i` the cost of client :math:`i` to its nearest open site, written
    with the radius formulation of the module docstring (default), or with the textbook
    assignment model (``formulation="assignment"``, for comparison):
    :math:`\min \sum_{ij} w_i d_{ij} x_{ij}` s.t. :math:`\sum_j x_{ij} = 1`,
    :math:`x_{ij} \le y_j`, :math:`\sum_j y_j = p`, :math:`x \ge 0` (``model.assign``).

    Parameters
    ----------
    costs
        Clients x sites cost (any unit); ``+inf`` forbids a pair.
    p
        Number of sites to open.
    weights
        Weight of each client (population, demand); default 1. The objective is in
        weight x cost units.
    formulation
        ``"radius"`` (Elloumi 2010 / García et al. 2011) or ``"assignment"`` (textbook).

    Returns
    -------
    pyomo.environ.ConcreteModel
        Unsolved model; ``model.open[j]`` is 1 when site j is opened.

    Raises
    ------
    InputDataError
        If ``costs`` or ``weights`` are malformed.
    InfeasibleModelError
        If ``p`` exceeds the number of sites, or a client can be served by no site.
    """
    c = _cost_matrix(costs)
    n, m = c.shape
    w = _vector(weights, n, "weights", "client")
    p = _count(p, m)
    if formulation == "assignment":
        model = _assignment_model(c, w, fixed_costs=None, p=p)
    elif formulation == "radius":
        model = _radius_model(c, w, p=p, fixed_costs=None)
    else:
        msg = f"`formulation` must be 'radius' or 'assignment'; got {formulation!r}."
        raise InputDataError(msg)
    setattr(model, SPEC_ATTRIBUTE, _spec("p_median", c, weights=w))
    return model


@_gc_paused
def build_uflp(
    costs: npt.ArrayLike,
    *,
    fixed_costs: npt.ArrayLike,
    formulation: Literal["radius", "assignment"] = "radius",
) -> pyo.ConcreteModel:
    r"""
    Build the uncapacitated fixed-charge facility location model (UFLP).

    .. math::

        \min \sum_j f_j y_j + \sum_i \text{cost}_i,

    where :math:`\text{cost}_i` is the cost of serving all of client :math:`i` from its
    cheapest open site, written with the radius formulation (module docstring); the
    assignment alternative is the strong textbook model :math:`\min \sum_j f_j y_j +
    \sum_{ij} c_{ij} x_{ij}` s.t. :math:`\sum_j x_{ij} = 1`, :math:`x_{ij} \le y_j`.
    Both have the same LP bound.

    Parameters
    ----------
    costs
        Clients x sites cost of serving the client's whole demand from the site (money).
    fixed_costs
        Opening cost of each site (same money unit).
    formulation
        ``"radius"`` or ``"assignment"``.

    Returns
    -------
    pyomo.environ.ConcreteModel
        Unsolved model; ``model.open[j]`` is 1 when site j is opened.

    Raises
    ------
    InputDataError
        If ``costs`` or ``fixed_costs`` are malformed.
    InfeasibleModelError
        If a client can be served by no site.
    """
    c = _cost_matrix(costs)
    n, m = c.shape
    f = _vector(fixed_costs, m, "fixed_costs", "site")
    w = np.ones(n)
    if formulation == "assignment":
        model = _assignment_model(c, w, fixed_costs=f)
    elif formulation == "radius":
        model = _radius_model(c, w, p=None, fixed_costs=f)
    else:
        msg = f"`formulation` must be 'radius' or 'assignment'; got {formulation!r}."
        raise InputDataError(msg)
    setattr(model, SPEC_ATTRIBUTE, _spec("uflp", c, fixed_costs=f))
    return model


def _radius_model(
    c: FloatArray, w: FloatArray, *, p: int | None, fixed_costs: FloatArray | None
) -> pyo.ConcreteModel:
    model = pyo.ConcreteModel(name="radius")
    model.SITES = pyo.RangeSet(0, c.shape[1] - 1)
    model.open = pyo.Var(model.SITES, within=pyo.Binary)
    if p is not None:
        _add_cardinality(model, p)
    levels = _radius_levels(c, p=p)
    z_rows, _ = _add_radius_chain(model, levels)
    constant, z_coef = _radius_objective_terms(model, levels, z_rows, w)
    variables = list(model.beyond.values())
    coefs = z_coef
    if fixed_costs is not None:
        variables = [*model.open.values(), *variables]
        coefs = np.concatenate((fixed_costs, z_coef))
    model.cost = pyo.Objective(expr=_linear(variables, coefs, constant), sense=pyo.minimize)
    return model


def _assignment_model(
    c: FloatArray, w: FloatArray, *, fixed_costs: FloatArray | None, p: int | None = None
) -> pyo.ConcreteModel:
    n, m = c.shape
    model = pyo.ConcreteModel(name="assignment")
    model.SITES = pyo.RangeSet(0, m - 1)
    model.open = pyo.Var(model.SITES, within=pyo.Binary)
    if p is not None:
        _add_cardinality(model, p)
    pairs = _add_assignment_vars(model, c, binary=False)
    _add_assign_once(model, pairs, n)
    _add_assign_if_open(model, pairs, np.ones(len(pairs)))
    obj_vars = list(model.assign.values())
    obj_coef = w[pairs[:, 0]] * c[pairs[:, 0], pairs[:, 1]]
    if fixed_costs is not None:
        obj_vars = [*model.open.values(), *obj_vars]
        obj_coef = np.concatenate((fixed_costs, obj_coef))
    model.cost = pyo.Objective(expr=_linear(obj_vars, obj_coef), sense=pyo.minimize)
    return model


def _add_cardinality(model: pyo.ConcreteModel, p: int) -> None:
    """Add ``sum_j y_j = p`` (``model.c_cardinality``).

    Declared right after ``model.open`` so that it is the solver's first row and the
    ``y_j`` its first columns (Pyomo hands components over in declaration order).
    """
    sites = list(model.open.values())
    model.c_cardinality = pyo.Constraint(expr=_linear(sites, np.ones(len(sites))) == p)


def _add_assignment_vars(
    model: pyo.ConcreteModel, c: FloatArray, *, binary: bool, allowed: BoolArray | None = None
) -> IntArray:
    mask = np.isfinite(c) if allowed is None else (np.isfinite(c) & allowed)
    pairs = np.argwhere(mask).astype(np.int64)
    model.PAIRS = pyo.RangeSet(0, len(pairs) - 1)
    domain = pyo.Binary if binary else pyo.UnitInterval
    model.assign = pyo.Var(model.PAIRS, within=domain)
    return pairs


def _add_assign_once(model: pyo.ConcreteModel, pairs: IntArray, n_clients: int) -> None:
    """Add ``sum_j x_ij = 1`` for every client (``model.c_assign``)."""
    variables = list(model.assign.values())
    exprs = _rows_to_expressions(
        variables, pairs[:, 0], np.arange(len(pairs)), np.ones(len(pairs)), n_clients
    )
    _add_rows(model, "c_assign", exprs, 1.0, 1.0)


def _add_assign_if_open(model: pyo.ConcreteModel, pairs: IntArray, bound: FloatArray) -> None:
    """Add ``x_ij - u_ij y_j <= 0`` for every pair (``model.c_assign_open``)."""
    n_pairs = len(pairs)
    m = len(model.open)
    variables = [*model.open.values(), *model.assign.values()]
    rows = np.concatenate((np.arange(n_pairs), np.arange(n_pairs)))
    cols = np.concatenate((m + np.arange(n_pairs), pairs[:, 1]))
    coefs = np.concatenate((np.ones(n_pairs), -bound))
    exprs = _rows_to_expressions(variables, rows, cols, coefs, n_pairs)
    _add_rows(model, "c_assign_open", exprs, None, 0.0)


def _add_capacity(
    model: pyo.ConcreteModel, pairs: IntArray, demands: FloatArray, capacities: FloatArray
) -> None:
    """Add ``sum_i q_i x_ij - Q_j y_j <= 0`` per site and ``sum_j Q_j y_j >= sum_i q_i``."""
    m = len(capacities)
    n_pairs = len(pairs)
    variables = [*model.open.values(), *model.assign.values()]
    rows = np.concatenate((pairs[:, 1], np.arange(m)))
    cols = np.concatenate((m + np.arange(n_pairs), np.arange(m)))
    coefs = np.concatenate((demands[pairs[:, 0]], -capacities))
    exprs = _rows_to_expressions(variables, rows, cols, coefs, m)
    _add_rows(model, "c_capacity", exprs, None, 0.0)
    model.c_total_capacity = pyo.Constraint(
        expr=_linear(list(model.open.values()), capacities) >= float(demands.sum())
    )


@_gc_paused
def build_p_center(costs: npt.ArrayLike, *, p: int) -> pyo.ConcreteModel:
    r"""
    Build the p-center model: open ``p`` sites, minimise the largest client-to-site cost.

    Radius formulation over the global distinct levels :math:`V_1 < \dots < V_G` of the
    matrix (Elloumi, Labbé & Pochet 2004; Çalık & Tansel 2013), with the per-client chains
    of the module docstring linking them: :math:`u_g` (``model.radius_above``) is 1 when the
    radius reaches :math:`V_g`,

    .. math::

        \min L + \sum_g (V_g - V_{g-1}) u_g \quad \text{s.t.} \quad
        z_{ik} \le u_{g(D_i^{k+1})}, \; u_g \ge u_{g+1}, \; \sum_j y_j = p,

    plus the chain rows of each client. :math:`L = \max_i \min_j d_{ij}` is a lower bound
    (levels below it are merged into the first one); a greedy plan gives an upper bound
    :math:`U` and levels above it are dropped (no optimal plan uses them).

    Parameters
    ----------
    costs
        Clients x sites cost (any unit, e.g. metres); ``+inf`` forbids a pair.
    p
        Number of sites to open.

    Returns
    -------
    pyomo.environ.ConcreteModel
        Unsolved model; the objective is the radius, in the cost unit.

    Raises
    ------
    InputDataError
        If ``costs`` is malformed.
    InfeasibleModelError
        If ``p`` exceeds the number of sites, or a client can be served by no site.
    """
    c = _cost_matrix(costs)
    m = c.shape[1]
    p = _count(p, m)
    lower = float(c.min(axis=1).max())
    upper = _greedy_p_center(c, p)
    model = pyo.ConcreteModel(name="p_center")
    model.SITES = pyo.RangeSet(0, m - 1)
    model.open = pyo.Var(model.SITES, within=pyo.Binary)
    levels = _radius_levels(c, p=p, lower=lower, upper=upper)
    z_rows, _ = _add_radius_chain(model, levels)
    # global levels reached by some z: the value of the level above each z row
    reach = levels.row_value[z_rows + 1]
    values, z_level = np.unique(reach, return_inverse=True)
    n_g = len(values)
    model.GLOBAL_LEVELS = pyo.RangeSet(0, n_g - 1) if n_g else pyo.Set(initialize=[])
    model.radius_above = pyo.Var(model.GLOBAL_LEVELS, bounds=(0.0, 1.0))
    z_vars = list(model.beyond.values())
    u_vars = list(model.radius_above.values())
    n_z = len(z_rows)
    # z_ik - u_g <= 0
    link = _rows_to_expressions(
        [*z_vars, *u_vars],
        np.concatenate((np.arange(n_z), np.arange(n_z))),
        np.concatenate((np.arange(n_z), n_z + z_level.astype(np.int64))),
        np.concatenate((np.ones(n_z), -np.ones(n_z))),
        n_z,
    )
    _add_rows(model, "c_radius_link", link, None, 0.0)
    # u_{g+1} - u_g <= 0
    if n_g > 1:
        mono = _rows_to_expressions(
            u_vars,
            np.concatenate((np.arange(n_g - 1), np.arange(n_g - 1))),
            np.concatenate((np.arange(1, n_g), np.arange(n_g - 1))),
            np.concatenate((np.ones(n_g - 1), -np.ones(n_g - 1))),
            n_g - 1,
        )
        _add_rows(model, "c_radius_order", mono, None, 0.0)
    steps = np.diff(np.concatenate(([lower], values)))
    model.c_cardinality = pyo.Constraint(expr=_linear(list(model.open.values()), np.ones(m)) == p)
    model.radius = pyo.Objective(expr=_linear(u_vars, steps, lower), sense=pyo.minimize)
    setattr(model, SPEC_ATTRIBUTE, _spec("p_center", c))
    return model


def _greedy_p_center(c: FloatArray, p: int) -> float:
    """Return the radius of a greedy p-center plan (an upper bound on the optimum)."""
    current = np.full(c.shape[0], np.inf)
    chosen = np.zeros(c.shape[1], dtype=bool)
    for _ in range(p):
        radius = np.minimum(current[:, None], c).max(axis=0)
        radius[chosen] = np.inf
        j = int(np.argmin(radius))
        if not np.isfinite(radius[j]) and chosen.any():
            break
        chosen[j] = True
        current = np.minimum(current, c[:, j])
    return float(current.max())


def _cover_matrix(c: FloatArray, radius: float) -> BoolArray:
    return np.asarray(c <= radius, dtype=bool)


@_gc_paused
def build_mclp(
    costs: npt.ArrayLike,
    *,
    p: int,
    radius: float,
    weights: npt.ArrayLike | None = None,
) -> pyo.ConcreteModel:
    r"""
    Build the maximal covering location model (MCLP, Church & ReVelle 1974).

    .. math::

        \max \sum_g W_g z_g \quad \text{s.t.} \quad
        z_g \le \sum_{j \in N_g} y_j, \; \sum_j y_j = p, \; 0 \le z_g \le 1,

    where client :math:`i` is covered by site :math:`j` when :math:`d_{ij} \le S`
    (``radius``), and clients with the same covering set :math:`N_g` are merged into one
    group of weight :math:`W_g` (``model.covered[g]``). Clients no site covers are left
    out (never covered). :math:`z` may be continuous: with :math:`y` binary it is 1 exactly
    when the group is covered.

    Parameters
    ----------
    costs
        Clients x sites cost (e.g. metres); ``+inf`` forbids a pair.
    p
        Number of sites to open.
    radius
        Service distance S, in the cost unit; a client is covered when its cost to an open
        site is <= S.
    weights
        Weight of each client (e.g. population); default 1.

    Returns
    -------
    pyomo.environ.ConcreteModel
        Unsolved model; the objective is the covered weight.

    Raises
    ------
    InputDataError
        If ``costs``, ``weights`` or ``radius`` are malformed.
    InfeasibleModelError
        If ``p`` exceeds the number of sites.
    """
    c = _cost_matrix(costs)
    n, m = c.shape
    w = _vector(weights, n, "weights", "client")
    p = _count(p, m)
    s = _radius_value(radius)
    cover = _cover_matrix(c, s)
    useful = cover.any(axis=1) & (w > 0)
    patterns, group = np.unique(cover[useful], axis=0, return_inverse=True)
    group_weight = np.asarray(
        np.bincount(group.ravel(), weights=w[useful], minlength=len(patterns)), dtype=np.float64
    )
    n_g = len(patterns)
    model = pyo.ConcreteModel(name="mclp")
    model.SITES = pyo.RangeSet(0, m - 1)
    model.open = pyo.Var(model.SITES, within=pyo.Binary)
    model.GROUPS = pyo.RangeSet(0, n_g - 1) if n_g else pyo.Set(initialize=[])
    model.covered = pyo.Var(model.GROUPS, bounds=(0.0, 1.0))
    gi, gj = np.nonzero(patterns)
    exprs = _rows_to_expressions(
        [*model.open.values(), *model.covered.values()],
        np.concatenate((np.arange(n_g), gi)),
        np.concatenate((m + np.arange(n_g), gj)),
        np.concatenate((np.ones(n_g), -np.ones(len(gi)))),
        n_g,
    )
    _add_rows(model, "c_cover", exprs, None, 0.0)
    model.c_cardinality = pyo.Constraint(expr=_linear(list(model.open.values()), np.ones(m)) == p)
    model.coverage = pyo.Objective(
        expr=_linear(list(model.covered.values()), group_weight), sense=pyo.maximize
    )
    setattr(model, SPEC_ATTRIBUTE, _spec("mclp", c, weights=w, radius=s))
    return model


@_gc_paused
def build_lscp(
    costs: npt.ArrayLike,
    *,
    radius: float,
    fixed_costs: npt.ArrayLike | None = None,
) -> pyo.ConcreteModel:
    r"""
    Build the location set covering model (LSCP, Toregas et al. 1971).

    .. math::

        \min \sum_j f_j y_j \quad \text{s.t.} \quad \sum_{j: d_{ij} \le S} y_j \ge 1
        \;\; \forall i,

    with duplicate covering rows removed. With the default :math:`f_j = 1` the objective
    is the number of open sites.

    Parameters
    ----------
    costs
        Clients x sites cost (e.g. metres); ``+inf`` forbids a pair.
    radius
        Service distance S, in the cost unit.
    fixed_costs
        Cost of opening each site; default 1 (count sites).

    Returns
    -------
    pyomo.environ.ConcreteModel
        Unsolved model.

    Raises
    ------
    InputDataError
        If ``costs``, ``fixed_costs`` or ``radius`` are malformed.
    InfeasibleModelError
        If some client has no site within ``radius``.
    """
    c = _cost_matrix(costs)
    m = c.shape[1]
    f = _vector(fixed_costs, m, "fixed_costs", "site")
    s = _radius_value(radius)
    cover = _cover_matrix(c, s)
    lonely = np.flatnonzero(~cover.any(axis=1))
    if len(lonely):
        msg = (
            f"{len(lonely)} clients have no site within radius {s:g}, so no plan covers "
            f"everyone: clients {_list_text(lonely)} (nearest site at "
            f"{float(c[lonely].min(axis=1).min()):g}); raise the radius."
        )
        raise InfeasibleModelError(msg)
    patterns = np.unique(cover, axis=0)
    gi, gj = np.nonzero(patterns)
    model = pyo.ConcreteModel(name="lscp")
    model.SITES = pyo.RangeSet(0, m - 1)
    model.open = pyo.Var(model.SITES, within=pyo.Binary)
    exprs = _rows_to_expressions(
        list(model.open.values()), gi.astype(np.int64), gj, np.ones(len(gi)), len(patterns)
    )
    _add_rows(model, "c_cover", exprs, 1.0, None)
    model.cost = pyo.Objective(expr=_linear(list(model.open.values()), f), sense=pyo.minimize)
    setattr(model, SPEC_ATTRIBUTE, _spec("lscp", c, radius=s, fixed_costs=f))
    return model


@_gc_paused
def build_cflp(
    costs: npt.ArrayLike,
    *,
    demands: npt.ArrayLike,
    capacities: npt.ArrayLike,
    fixed_costs: npt.ArrayLike,
) -> pyo.ConcreteModel:
    r"""
    Build the capacitated facility location model with split demand (multi-source CFLP).

    .. math::

        \min \sum_j f_j y_j + \sum_{ij} c_{ij} x_{ij} \quad \text{s.t.} \quad
        \sum_j x_{ij} = 1, \;
        \sum_i q_i x_{ij} \le s_j y_j, \;
        x_{ij} \le \min(1, s_j / q_i)\, y_j, \;
        \sum_j s_j y_j \ge \sum_i q_i,

    with :math:`x_{ij} \in [0, 1]` (``model.assign``) the fraction of client :math:`i`'s
    demand :math:`q_i` served by site :math:`j`, and :math:`c_{ij}` the cost of serving ALL
    of it (OR-Library convention). The last two families are valid inequalities that
    tighten the LP relaxation.

    Parameters
    ----------
    costs
        Clients x sites cost of serving the client's whole demand from the site (money).
    demands
        Demand of each client (e.g. persons, places).
    capacities
        Capacity of each site, in the demand unit.
    fixed_costs
        Opening cost of each site (money).

    Returns
    -------
    pyomo.environ.ConcreteModel
        Unsolved model.

    Raises
    ------
    InputDataError
        If an input is malformed.
    InfeasibleModelError
        If the total capacity (of the sites a client may use) is below the demand.
    """
    c = _cost_matrix(costs)
    n, m = c.shape
    q = _vector(demands, n, "demands", "client")
    s = _vector(capacities, m, "capacities", "site")
    f = _vector(fixed_costs, m, "fixed_costs", "site")
    if s.sum() < q.sum():
        msg = (
            f"Total capacity {s.sum():g} of all {m} sites is below the total demand "
            f"{q.sum():g}; add sites or capacity."
        )
        raise InfeasibleModelError(msg)
    reachable = np.where(np.isfinite(c), s[None, :], 0.0).sum(axis=1)
    short = np.flatnonzero(reachable < q)
    if len(short):
        msg = (
            f"{len(short)} clients demand more than the total capacity of the sites allowed "
            f"to serve them: clients {_list_text(short)}."
        )
        raise InfeasibleModelError(msg)
    model = pyo.ConcreteModel(name="cflp")
    model.SITES = pyo.RangeSet(0, m - 1)
    model.open = pyo.Var(model.SITES, within=pyo.Binary)
    pairs = _add_assignment_vars(model, c, binary=False)
    _add_assign_once(model, pairs, n)
    with np.errstate(divide="ignore"):
        share = np.minimum(1.0, s[pairs[:, 1]] / q[pairs[:, 0]])
    _add_assign_if_open(model, pairs, share)
    _add_capacity(model, pairs, q, s)
    obj_vars = [*model.open.values(), *model.assign.values()]
    obj_coef = np.concatenate((f, c[pairs[:, 0], pairs[:, 1]]))
    model.cost = pyo.Objective(expr=_linear(obj_vars, obj_coef), sense=pyo.minimize)
    setattr(model, SPEC_ATTRIBUTE, _spec("cflp", c, fixed_costs=f, pairs=pairs))
    return model


@_gc_paused
def build_cpmp(
    costs: npt.ArrayLike,
    *,
    p: int,
    demands: npt.ArrayLike,
    capacities: npt.ArrayLike | float,
) -> pyo.ConcreteModel:
    r"""
    Build the capacitated p-median model with single sourcing (CPMP).

    .. math::

        \min \sum_{ij} d_{ij} x_{ij} \quad \text{s.t.} \quad
        \sum_j x_{ij} = 1, \; \sum_i q_i x_{ij} \le Q_j y_j, \; x_{ij} \le y_j, \;
        \sum_j y_j = p, \; \sum_j Q_j y_j \ge \sum_i q_i,

    with :math:`x_{ij} \in \{0, 1\}` (``model.assign``); pairs with :math:`q_i > Q_j` get
    no variable. The cost is not weighted by demand (Osman & Christofides 1994); pass
    ``costs * demands[:, None]`` for the demand-weighted variant.

    Parameters
    ----------
    costs
        Clients x sites assignment cost (any unit); ``+inf`` forbids a pair.
    p
        Number of sites to open.
    demands
        Demand of each client.
    capacities
        Capacity of each site (or one number for all), in the demand unit.

    Returns
    -------
    pyomo.environ.ConcreteModel
        Unsolved model.

    Raises
    ------
    InputDataError
        If an input is malformed.
    InfeasibleModelError
        If ``p`` exceeds the number of sites, the ``p`` largest capacities are below the
        total demand, or a client fits in no site it may use.
    """
    c = _cost_matrix(costs)
    n, m = c.shape
    p = _count(p, m)
    q = _vector(demands, n, "demands", "client")
    cap_in = (
        np.full(m, np.asarray(capacities, dtype=np.float64).item())
        if np.ndim(capacities) == 0
        else capacities
    )
    s = _vector(cap_in, m, "capacities", "site")
    best = float(np.sort(s)[::-1][:p].sum())
    if best < q.sum():
        msg = (
            f"The {p} sites with the highest capacity hold {best:g} in total, below the "
            f"total demand {q.sum():g}; open more sites or add capacity."
        )
        raise InfeasibleModelError(msg)
    allowed = q[:, None] <= s[None, :]
    homeless = np.flatnonzero(~(allowed & np.isfinite(c)).any(axis=1))
    if len(homeless):
        msg = (
            f"{len(homeless)} clients fit in no site allowed to serve them (demand above "
            f"capacity): clients {_list_text(homeless)}."
        )
        raise InfeasibleModelError(msg)
    model = pyo.ConcreteModel(name="cpmp")
    model.SITES = pyo.RangeSet(0, m - 1)
    model.open = pyo.Var(model.SITES, within=pyo.Binary)
    pairs = _add_assignment_vars(model, c, binary=True, allowed=allowed)
    _add_assign_once(model, pairs, n)
    _add_assign_if_open(model, pairs, np.ones(len(pairs)))
    _add_capacity(model, pairs, q, s)
    model.c_cardinality = pyo.Constraint(expr=_linear(list(model.open.values()), np.ones(m)) == p)
    obj = _linear(list(model.assign.values()), c[pairs[:, 0], pairs[:, 1]])
    model.cost = pyo.Objective(expr=obj, sense=pyo.minimize)
    setattr(model, SPEC_ATTRIBUTE, _spec("cpmp", c, pairs=pairs))
    return model


# --------------------------------------------------------------------------- extraction


def extract_solution(model: pyo.ConcreteModel) -> PresetSolution:
    """
    Read the plan of a solved preset model and re-evaluate it on the input data.

    The open sites are read from ``model.open``; clients are assigned to their cheapest open
    site (radius and covering presets) or as the assignment variables say (CFLP, CPMP).
    The objective is recomputed from the plan and the input data, so it does not carry the
    solver's tolerances.

    Parameters
    ----------
    model
        A model built by one of the ``build_*`` functions of this module, solved (for
        example with :func:`voorzieningen.solve.solve_model`).

    Returns
    -------
    PresetSolution
        Open sites, assignment, objective (and allocation for CFLP/CPMP).

    Raises
    ------
    InputDataError
        If ``model`` was not built by this module.
    SolverError
        If the model holds no solution.
    """
    spec = getattr(model, SPEC_ATTRIBUTE, None)
    if not isinstance(spec, _PresetSpec):
        msg = "This model was not built by voorzieningen.model.presets (no preset data found)."
        raise InputDataError(msg)
    is_open = _values(model.open) > 0.5
    open_sites = np.flatnonzero(is_open).astype(np.int64)
    c = spec.costs
    fixed = float(spec.fixed_costs[is_open].sum())
    if spec.pairs is not None:
        return _extract_allocation(model, spec, spec.pairs, open_sites, fixed)
    n = c.shape[0]
    if len(open_sites) == 0:
        nearest = np.full(n, np.inf)
        assignment = np.full(n, -1, dtype=np.int64)
    else:
        sub = c[:, open_sites]
        best = np.argmin(sub, axis=1)
        nearest = sub[np.arange(n), best]
        assignment = open_sites[best]
    if spec.preset == "p_center":
        objective = float(nearest.max())
    elif spec.preset == "mclp":
        covered = nearest <= spec.radius
        assignment = np.where(covered, assignment, -1)
        objective = float(spec.weights[covered].sum())
    elif spec.preset == "lscp":
        objective = fixed
    else:  # p_median, uflp: fixed costs (0 for p-median) plus weighted cost
        objective = fixed + float(np.dot(spec.weights, nearest))
    return PresetSolution(spec.preset, open_sites, assignment, objective)


def _extract_allocation(
    model: pyo.ConcreteModel,
    spec: _PresetSpec,
    pairs: IntArray,
    open_sites: IntArray,
    fixed: float,
) -> PresetSolution:
    """Plan of a preset with assignment variables (CFLP, CPMP)."""
    share = np.zeros(spec.costs.shape)
    x = np.clip(_values(model.assign), 0.0, 1.0)
    if spec.preset == "cpmp":
        x = np.round(x)
    share[pairs[:, 0], pairs[:, 1]] = x
    assignment = np.argmax(share, axis=1).astype(np.int64)
    served = np.where(share > 0, spec.costs, 0.0)
    objective = fixed + float((served * share).sum())
    return PresetSolution(spec.preset, open_sites, assignment, objective, share)


def _values(component: Any) -> FloatArray:
    values = [v.value for v in component.values()]
    if any(v is None for v in values):
        msg = (
            "The model holds no solution; solve it first "
            "(voorzieningen.solve.solve_model) before extracting the plan."
        )
        raise SolverError(msg)
    return np.array(values, dtype=np.float64)
