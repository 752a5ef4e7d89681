"""Radius formulation: p-median, UFLP and p-center (see models/presets.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyomo.environ as pyo

from voorzieningen.errors import InputDataError
from voorzieningen.model.presets.common import (
    BoolArray,
    FloatArray,
    IntArray,
    PresetModel,
    PresetStart,
    add_assign_if_open,
    add_assign_once,
    add_assignment_vars,
    add_cardinality,
    add_rows,
    cost_matrix,
    count,
    gc_paused,
    linear,
    make_spec,
    rows_to_expressions,
    vector,
)
from voorzieningen.model.presets.reduction import (
    START_HIGHS_OPTIONS,
    PMedianReduction,
    reduce_p_median,
)

# --------------------------------------------------------------------------- radius levels


@dataclass(frozen=True)
class Levels:
    """Distinct cost levels of each client, flattened (one entry per chain row)."""

    term_rows: IntArray  # chain row of each (client, site) term kept
    term_sites: IntArray  # site of that term
    row_client: IntArray  # client of each chain row
    row_value: FloatArray  # level value D_i^k of each chain row
    row_first: BoolArray  # whether the row is the client's first level
    row_has_z: BoolArray  # whether z_ik exists for the row (not the client's top level)


def radius_levels(
    costs: FloatArray,
    *,
    p: int | None,
    lower: float = -np.inf,
    upper: float | FloatArray = np.inf,
    n_available: int | None = None,
) -> Levels:
    """Return the distinct cost levels per client, reduced as in ``models/presets.md``.

    Levels with value <= ``lower`` are merged into the first level (the objective cannot be
    below ``lower``); levels above ``upper`` (one value, or one per client) are dropped (an
    optimal plan stays within it); with ``p`` given, levels above the first one holding
    ``n_available - p + 1`` sites are dropped (``n_available``: sites that may open, default
    all; sites that may not open must have cost ``+inf``).
    """
    n, m = costs.shape
    available = m if n_available is None else n_available
    cap = np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,))[:, None]
    order = np.argsort(costs, axis=1, kind="stable")
    srt = np.take_along_axis(costs, order, axis=1)
    new = np.ones((n, m), dtype=bool)
    new[:, 1:] = srt[:, 1:] != srt[:, :-1]
    level = np.cumsum(new, axis=1) - 1
    # merge levels <= lower into the first one
    merged = np.maximum((new & (srt <= lower)).sum(axis=1) - 1, 0)
    level = np.maximum(level - merged[:, None], 0)
    clients = np.arange(n)
    usable = np.isfinite(srt) & (srt <= cap)
    last_pos = usable.sum(axis=1) - 1  # >= 0: the caller guarantees a level <= upper
    top = level[clients, last_pos]
    if p is not None:
        top = np.minimum(top, level[clients, np.minimum(available - p, last_pos)])
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
    return Levels(
        term_rows=term_rows.astype(np.int64),
        term_sites=term_sites.astype(np.int64),
        row_client=row_client.astype(np.int64),
        row_value=row_value,
        row_first=row_level == 0,
        row_has_z=row_level < top[row_client],
    )


def add_radius_chain(model: pyo.ConcreteModel, levels: Levels) -> tuple[IntArray, IntArray]:
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
    expressions = rows_to_expressions(variables, rows, cols, coefs, n_rows)
    lower = np.where(levels.row_first, 1.0, 0.0)
    add_rows(model, "c_level", expressions, lower, None)
    return z_rows, prev_z


def radius_objective_terms(
    model: pyo.ConcreteModel, levels: Levels, z_rows: IntArray, weights: FloatArray
) -> tuple[float, FloatArray]:
    """Return the constant and the z coefficients of ``sum_i w_i cost_i``."""
    first = levels.row_first
    constant = float(np.dot(weights[levels.row_client[first]], levels.row_value[first]))
    step = levels.row_value[z_rows + 1] - levels.row_value[z_rows]
    return constant, weights[levels.row_client[z_rows]] * step


# --------------------------------------------------------------------------- presets


@gc_paused
def build_p_median(
    costs: npt.ArrayLike,
    *,
    p: int,
    weights: npt.ArrayLike | None = None,
    formulation: Literal["radius", "assignment"] = "radius",
    reduce: bool = True,
) -> PresetModel:
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
    reduce
        Radius formulation only: bound the optimum with a swap heuristic and a truncated
        LP, and keep only the levels and sites a plan better than the heuristic can use
        (``models/presets.md``, section 5). The model stays exact: its optimum is the
        p-median optimum. ``spec.start`` then holds the heuristic plan as a MIP start
        (load it with :func:`~voorzieningen.model.presets.set_start`).

    Returns
    -------
    PresetModel
        The unsolved model and its input data; ``model.open[j]`` is 1 when site j is opened.
        Building runs the heuristic and an LP relaxation (``reduce``), never the MIP.

    Raises
    ------
    InputDataError
        If ``costs`` or ``weights`` are malformed.
    InfeasibleModelError
        If ``p`` exceeds the number of sites, or a client can be served by no site.
    """
    c = cost_matrix(costs)
    n, m = c.shape
    w = vector(weights, n, "weights", "client")
    p = count(p, m)
    start = None
    if formulation == "assignment":
        model = assignment_model(c, w, fixed_costs=None, p=p)
    elif formulation == "radius":
        reduction = reduce_p_median(c, w, p) if reduce else None
        model, start = radius_model(c, w, p=p, fixed_costs=None, reduction=reduction)
    else:
        msg = f"`formulation` must be 'radius' or 'assignment'; got {formulation!r}."
        raise InputDataError(msg)
    return PresetModel(model, make_spec("p_median", c, weights=w, start=start))


@gc_paused
def build_uflp(
    costs: npt.ArrayLike,
    *,
    fixed_costs: npt.ArrayLike,
    formulation: Literal["radius", "assignment"] = "radius",
) -> PresetModel:
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
    PresetModel
        The unsolved model and its input data; ``model.open[j]`` is 1 when site j is opened.

    Raises
    ------
    InputDataError
        If ``costs`` or ``fixed_costs`` are malformed.
    InfeasibleModelError
        If a client can be served by no site.
    """
    c = cost_matrix(costs)
    n, m = c.shape
    f = vector(fixed_costs, m, "fixed_costs", "site")
    w = np.ones(n)
    if formulation == "assignment":
        model = assignment_model(c, w, fixed_costs=f)
    elif formulation == "radius":
        model, _ = radius_model(c, w, p=None, fixed_costs=f)
    else:
        msg = f"`formulation` must be 'radius' or 'assignment'; got {formulation!r}."
        raise InputDataError(msg)
    return PresetModel(model, make_spec("uflp", c, fixed_costs=f))


def radius_model(
    c: FloatArray,
    w: FloatArray,
    *,
    p: int | None,
    fixed_costs: FloatArray | None,
    reduction: PMedianReduction | None = None,
) -> tuple[pyo.ConcreteModel, PresetStart | None]:
    """Return the radius model of p-median (``p`` given) or UFLP (``fixed_costs`` given).

    With a ``reduction`` (p-median), closed sites get upper bound 0 and no terms, each
    client's levels stop at its cap, and the heuristic plan is returned as a start.
    """
    model = pyo.ConcreteModel(name="radius")
    model.SITES = pyo.RangeSet(0, c.shape[1] - 1)
    model.open = pyo.Var(model.SITES, within=pyo.Binary)
    if p is not None:
        add_cardinality(model, p)
    if reduction is None:
        levels = radius_levels(c, p=p)
    else:
        closed = reduction.closed
        for j in np.flatnonzero(closed).tolist():
            model.open[j].setub(0)
        reduced = np.where(closed[None, :], np.inf, c)
        n_available = int((~closed).sum())
        levels = radius_levels(reduced, p=p, upper=reduction.cap, n_available=n_available)
    z_rows, _ = add_radius_chain(model, levels)
    constant, z_coef = radius_objective_terms(model, levels, z_rows, w)
    variables = list(model.beyond.values())
    coefs = z_coef
    if fixed_costs is not None:
        variables = [*model.open.values(), *variables]
        coefs = np.concatenate((fixed_costs, z_coef))
    model.cost = pyo.Objective(expr=linear(variables, coefs, constant), sense=pyo.minimize)
    if reduction is None:
        return model, None
    is_open = np.zeros(c.shape[1])
    is_open[reduction.heuristic_open] = 1.0
    dist = c[:, reduction.heuristic_open].min(axis=1)
    beyond = (dist[levels.row_client[z_rows]] > levels.row_value[z_rows]).astype(np.float64)
    start = PresetStart(
        is_open,
        beyond,
        reduction.upper_bound,
        reduction.lower_bound,
        dict(START_HIGHS_OPTIONS),
    )
    return model, start


def assignment_model(
    c: FloatArray, w: FloatArray, *, fixed_costs: FloatArray | None, p: int | None = None
) -> pyo.ConcreteModel:
    """Return the textbook assignment model of p-median or UFLP."""
    n, m = c.shape
    model = pyo.ConcreteModel(name="assignment")
    model.SITES = pyo.RangeSet(0, m - 1)
    model.open = pyo.Var(model.SITES, within=pyo.Binary)
    if p is not None:
        add_cardinality(model, p)
    pairs = add_assignment_vars(model, c, binary=False)
    add_assign_once(model, pairs, n)
    add_assign_if_open(model, pairs, np.ones(len(pairs)))
    obj_vars = list(model.assign.values())
    obj_coef = w[pairs[:, 0]] * c[pairs[:, 0], pairs[:, 1]]
    if fixed_costs is not None:
        obj_vars = [*model.open.values(), *obj_vars]
        obj_coef = np.concatenate((fixed_costs, obj_coef))
    model.cost = pyo.Objective(expr=linear(obj_vars, obj_coef), sense=pyo.minimize)
    return model


@gc_paused
def build_p_center(costs: npt.ArrayLike, *, p: int) -> PresetModel:
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
    PresetModel
        The unsolved model and its input data; the objective is the radius, in the cost unit.

    Raises
    ------
    InputDataError
        If ``costs`` is malformed.
    InfeasibleModelError
        If ``p`` exceeds the number of sites, or a client can be served by no site.
    """
    c = cost_matrix(costs)
    m = c.shape[1]
    p = count(p, m)
    lower = float(c.min(axis=1).max())
    upper = greedy_p_center(c, p)
    model = pyo.ConcreteModel(name="p_center")
    model.SITES = pyo.RangeSet(0, m - 1)
    model.open = pyo.Var(model.SITES, within=pyo.Binary)
    levels = radius_levels(c, p=p, lower=lower, upper=upper)
    z_rows, _ = add_radius_chain(model, levels)
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
    link = rows_to_expressions(
        [*z_vars, *u_vars],
        np.concatenate((np.arange(n_z), np.arange(n_z))),
        np.concatenate((np.arange(n_z), n_z + z_level.astype(np.int64))),
        np.concatenate((np.ones(n_z), -np.ones(n_z))),
        n_z,
    )
    add_rows(model, "c_radius_link", link, None, 0.0)
    # u_{g+1} - u_g <= 0
    if n_g > 1:
        mono = rows_to_expressions(
            u_vars,
            np.concatenate((np.arange(n_g - 1), np.arange(n_g - 1))),
            np.concatenate((np.arange(1, n_g), np.arange(n_g - 1))),
            np.concatenate((np.ones(n_g - 1), -np.ones(n_g - 1))),
            n_g - 1,
        )
        add_rows(model, "c_radius_order", mono, None, 0.0)
    steps = np.diff(np.concatenate(([lower], values)))
    model.c_cardinality = pyo.Constraint(expr=linear(list(model.open.values()), np.ones(m)) == p)
    model.radius = pyo.Objective(expr=linear(u_vars, steps, lower), sense=pyo.minimize)
    return PresetModel(model, make_spec("p_center", c))


def greedy_p_center(c: FloatArray, p: int) -> float:
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
