"""Covering and capacitated presets: MCLP, LSCP, CFLP, CPMP (see models/presets.md)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyomo.environ as pyo

from voorzieningen.errors import InfeasibleModelError
from voorzieningen.model.presets.cflp_reduction import (
    CFLP_START_OPTIONS,
    LINKED_NEAREST,
    CflpReduction,
    linked_pairs,
    reduce_cflp,
)
from voorzieningen.model.presets.common import (
    BoolArray,
    FloatArray,
    IntArray,
    PresetModel,
    PresetStart,
    add_assign_if_open,
    add_assign_once,
    add_assignment_vars,
    add_capacity,
    add_rows,
    cost_matrix,
    count,
    gc_paused,
    linear,
    list_text,
    make_spec,
    radius_value,
    rows_to_expressions,
    vector,
)


def cover_matrix(c: FloatArray, radius: float) -> BoolArray:
    """Return whether each client is within ``radius`` (cost unit) of each site."""
    return np.asarray(c <= radius, dtype=bool)


@gc_paused
def build_mclp(
    costs: npt.ArrayLike,
    *,
    p: int,
    radius: float,
    weights: npt.ArrayLike | None = None,
) -> PresetModel:
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
    PresetModel
        The unsolved model and its input data; the objective is the covered weight.

    Raises
    ------
    InputDataError
        If ``costs``, ``weights`` or ``radius`` are malformed.
    InfeasibleModelError
        If ``p`` exceeds the number of sites.
    """
    c = cost_matrix(costs)
    n, m = c.shape
    w = vector(weights, n, "weights", "client")
    p = count(p, m)
    s = radius_value(radius)
    cover = cover_matrix(c, s)
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
    exprs = rows_to_expressions(
        [*model.open.values(), *model.covered.values()],
        np.concatenate((np.arange(n_g), gi)),
        np.concatenate((m + np.arange(n_g), gj)),
        np.concatenate((np.ones(n_g), -np.ones(len(gi)))),
        n_g,
    )
    add_rows(model, "c_cover", exprs, None, 0.0)
    model.c_cardinality = pyo.Constraint(expr=linear(list(model.open.values()), np.ones(m)) == p)
    model.coverage = pyo.Objective(
        expr=linear(list(model.covered.values()), group_weight), sense=pyo.maximize
    )
    return PresetModel(model, make_spec("mclp", c, weights=w, radius=s))


@gc_paused
def build_lscp(
    costs: npt.ArrayLike,
    *,
    radius: float,
    fixed_costs: npt.ArrayLike | None = None,
) -> PresetModel:
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
    PresetModel
        The unsolved model and its input data.

    Raises
    ------
    InputDataError
        If ``costs``, ``fixed_costs`` or ``radius`` are malformed.
    InfeasibleModelError
        If some client has no site within ``radius``.
    """
    c = cost_matrix(costs)
    m = c.shape[1]
    f = vector(fixed_costs, m, "fixed_costs", "site")
    s = radius_value(radius)
    cover = cover_matrix(c, s)
    lonely = np.flatnonzero(~cover.any(axis=1))
    if len(lonely):
        msg = (
            f"{len(lonely)} clients have no site within radius {s:g}, so no plan covers "
            f"everyone: clients {list_text(lonely)} (nearest site at "
            f"{float(c[lonely].min(axis=1).min()):g}); raise the radius."
        )
        raise InfeasibleModelError(msg)
    patterns = np.unique(cover, axis=0)
    gi, gj = np.nonzero(patterns)
    model = pyo.ConcreteModel(name="lscp")
    model.SITES = pyo.RangeSet(0, m - 1)
    model.open = pyo.Var(model.SITES, within=pyo.Binary)
    exprs = rows_to_expressions(
        list(model.open.values()), gi.astype(np.int64), gj, np.ones(len(gi)), len(patterns)
    )
    add_rows(model, "c_cover", exprs, 1.0, None)
    model.cost = pyo.Objective(expr=linear(list(model.open.values()), f), sense=pyo.minimize)
    return PresetModel(model, make_spec("lscp", c, radius=s, fixed_costs=f))


@gc_paused
def build_cflp(
    costs: npt.ArrayLike,
    *,
    demands: npt.ArrayLike,
    capacities: npt.ArrayLike,
    fixed_costs: npt.ArrayLike,
    reduce: bool = False,
) -> PresetModel:
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
    reduce
        Bound the optimum with a Lagrangian relaxation, find a plan (Lagrangian plans, swap
        search, a restricted MIP over each client's nearest sites), close (open) the sites
        whose opening (closing) only plans worse than that plan need, keep
        :math:`x_{ij} \le u_{ij} y_j` for each client's nearest sites only, and return the
        plan as a MIP start with HiGHS options (``models/presets.md``, section 6). Exact:
        the reduced model's optimum is the CFLP optimum. Off by default: it pays on large
        instances (100 x 1,000: ``benchmarks/README.md``, ``cflp_large.py``), but on the
        OR-Library ``cap`` set (50 x 50) its seconds of reduction exceed the plain solves.

    Returns
    -------
    PresetModel
        The unsolved model and its input data (``spec.start``: the heuristic plan, with
        ``reduce``).

    Raises
    ------
    InputDataError
        If an input is malformed.
    InfeasibleModelError
        If the total capacity (of the sites a client may use) is below the demand.
    """
    c = cost_matrix(costs)
    n, m = c.shape
    q = vector(demands, n, "demands", "client")
    s = vector(capacities, m, "capacities", "site")
    f = vector(fixed_costs, m, "fixed_costs", "site")
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
            f"to serve them: clients {list_text(short)}."
        )
        raise InfeasibleModelError(msg)
    reduction = reduce_cflp(c, q, s, f) if reduce else None
    model = pyo.ConcreteModel(name="cflp")
    model.SITES = pyo.RangeSet(0, m - 1)
    model.open = pyo.Var(model.SITES, within=pyo.Binary)
    allowed = None if reduction is None else ~reduction.closed[None, :]
    pairs = add_assignment_vars(model, c, binary=False, allowed=allowed)
    add_assign_once(model, pairs, n)
    with np.errstate(divide="ignore"):
        share = np.minimum(1.0, s[pairs[:, 1]] / q[pairs[:, 0]])
    linked = None if reduction is None else linked_pairs(c, q, pairs, LINKED_NEAREST)
    add_assign_if_open(model, pairs, share, linked)
    add_capacity(model, pairs, q, s)
    obj_vars = [*model.open.values(), *model.assign.values()]
    obj_coef = np.concatenate((f, c[pairs[:, 0], pairs[:, 1]]))
    model.cost = pyo.Objective(expr=linear(obj_vars, obj_coef), sense=pyo.minimize)
    start = None if reduction is None else cflp_start(model, reduction, pairs)
    return PresetModel(model, make_spec("cflp", c, fixed_costs=f, pairs=pairs, start=start))


def cflp_start(model: pyo.ConcreteModel, reduction: CflpReduction, pairs: IntArray) -> PresetStart:
    """Fix the sites the reduction closed or opened; return its plan as a MIP start."""
    for j in np.flatnonzero(reduction.closed).tolist():
        model.open[j].setub(0)
    for j in np.flatnonzero(reduction.forced).tolist():
        model.open[j].setlb(1)
    return PresetStart(
        reduction.heuristic_open.astype(np.float64),
        np.zeros(0),
        reduction.upper_bound,
        reduction.lower_bound,
        CFLP_START_OPTIONS,
        assign=np.clip(reduction.heuristic_share[pairs[:, 0], pairs[:, 1]], 0.0, 1.0),
    )


@gc_paused
def build_cpmp(
    costs: npt.ArrayLike,
    *,
    p: int,
    demands: npt.ArrayLike,
    capacities: npt.ArrayLike | float,
) -> PresetModel:
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
    PresetModel
        The unsolved model and its input data.

    Raises
    ------
    InputDataError
        If an input is malformed.
    InfeasibleModelError
        If ``p`` exceeds the number of sites, the ``p`` largest capacities are below the
        total demand, or a client fits in no site it may use.
    """
    c = cost_matrix(costs)
    n, m = c.shape
    p = count(p, m)
    q = vector(demands, n, "demands", "client")
    cap_in = (
        np.full(m, np.asarray(capacities, dtype=np.float64).item())
        if np.ndim(capacities) == 0
        else capacities
    )
    s = vector(cap_in, m, "capacities", "site")
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
            f"capacity): clients {list_text(homeless)}."
        )
        raise InfeasibleModelError(msg)
    model = pyo.ConcreteModel(name="cpmp")
    model.SITES = pyo.RangeSet(0, m - 1)
    model.open = pyo.Var(model.SITES, within=pyo.Binary)
    pairs = add_assignment_vars(model, c, binary=True, allowed=allowed)
    add_assign_once(model, pairs, n)
    add_assign_if_open(model, pairs, np.ones(len(pairs)))
    add_capacity(model, pairs, q, s)
    model.c_cardinality = pyo.Constraint(expr=linear(list(model.open.values()), np.ones(m)) == p)
    obj = linear(list(model.assign.values()), c[pairs[:, 0], pairs[:, 1]])
    model.cost = pyo.Objective(expr=obj, sense=pyo.minimize)
    return PresetModel(model, make_spec("cpmp", c, pairs=pairs))
