r"""Reductions of the CFLP: Lagrangian bound, heuristic plan, bound-based site fixing.

The mathematics is in ``models/presets.md`` (section 6). In short:

1. Relaxing :math:`\sum_j x_{ij} = 1` with multipliers :math:`\lambda_i` splits the CFLP
   into one continuous knapsack per site and a knapsack over the sites (Cornuéjols,
   Sridharan & Thizy 1991; Beasley 1993): the bound :math:`L(\lambda)`, maximised by
   subgradient steps.
2. The Lagrangian's open sites, made feasible, and a drop/add search over them give
   plans whose cost (a transportation LP per plan, HiGHS through scipy) is an upper bound
   :math:`U`.
3. A restricted MIP (each client's nearest sites only, HiGHS through scipy) gives a
   better plan, so a lower :math:`U`.
4. A site whose opening (closing) raises the bound above :math:`U` is closed (opened):
   only plans worse than the best plan found are cut off, and that plan stays feasible, so
   the reduced model's optimum is the CFLP optimum. Each share :math:`x_{ij}` gets the
   upper bound that the Lagrangian reduced cost allows below :math:`U` (reported, not put
   into the model: see models/presets.md, section 6 step 5).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.optimize as so
import scipy.sparse as sp

from voorzieningen.model.presets.common import BoolArray, FloatArray, IntArray
from voorzieningen.model.presets.reduction import finite_costs, swap_deltas

#: Subgradient iterations of the Lagrangian bound (each one pass over the matrix).
LAGRANGIAN_ITERATIONS = 300

#: Every this many subgradient iterations the Lagrangian's open sites are priced as a plan.
PLAN_EVERY = 10

#: Lagrangian open-site sets (the last distinct ones) priced as plans.
LAGRANGIAN_PLANS = 10

#: Transportation LPs of the swap search, and swaps priced per pass.
SWAP_LPS = 40
SWAP_TRIES = 4

#: Subgradient rounds; each restarts from the best multipliers, aiming at the best plan.
LAGRANGIAN_ROUNDS = 3

#: Nearest allowed sites per client in the restricted MIP of the heuristic.
RESTRICTED_NEAREST = 8

#: Sites of the restricted MIP, as a multiple of the number open in the best plan so far.
RESTRICTED_SITES = 3

#: Time limit (s) and relative gap of the restricted MIP; its best plan is used as found.
RESTRICTED_TIME_S = 30.0
RESTRICTED_GAP = 1e-3

#: HiGHS' primal heuristic effort in the restricted MIP (default 0.05): plans are its point.
RESTRICTED_HEURISTIC_EFFORT = 0.3

#: Nearest pairs per client that keep the row ``x_ij <= u_ij y_j`` in the reduced model.
LINKED_NEAREST = 10

#: HiGHS options handed over with the plan (``PresetStart.highs_options``): no primal
#: heuristics (the restricted MIP's plan is near-optimal; HiGHS' sub-MIPs on the 100k-column
#: model cost minutes) and no strong branching for reliable pseudocosts (each strong
#: branch re-solves the large LP). Measured in benchmarks/README.md.
CFLP_START_OPTIONS: dict[str, bool | int | float | str] = {
    "mip_heuristic_effort": 0.0,
    "mip_pscost_minreliable": 0,
}

#: Relative margin of the fixing test ``bound > U + tol |U|``, against rounding in the sums.
FIXING_TOLERANCE = 1e-6


@dataclass(frozen=True, eq=False)
class CflpReduction:
    """What the Lagrangian bound and the heuristic certified for a CFLP instance.

    Attributes
    ----------
    heuristic_open
        Sites opened by the best plan found (boolean per site).
    heuristic_share
        That plan's share of each client's demand served by each site (clients x sites).
    upper_bound
        Cost of that plan (fixed plus assignment cost), in the cost unit.
    lower_bound
        Lagrangian lower bound on the optimum, in the cost unit.
    closed
        Sites no plan better than the heuristic's opens (``y_j = 0``).
    forced
        Sites every plan better than the heuristic's opens (``y_j = 1``).
    share_bound
        Largest share :math:`x_{ij}` any plan no worse than the heuristic's gives (clients x
        sites, in [0, 1]; 0 for closed sites). Not put into the model (a HiGHS 1.16
        presolve slip with MIP starts, ``models/presets.md`` section 6 step 5).
    """

    heuristic_open: BoolArray
    heuristic_share: FloatArray
    upper_bound: float
    lower_bound: float
    closed: BoolArray
    forced: BoolArray
    share_bound: FloatArray


# --------------------------------------------------------------------------- Lagrangian


def site_values(
    c: FloatArray, q: FloatArray, s: FloatArray, lam: FloatArray
) -> tuple[FloatArray, FloatArray]:
    r"""Return each site's knapsack value and its shares at multipliers ``lam``.

    Site j, if open, serves the clients of negative reduced cost
    :math:`c_{ij} - \lambda_i` best per unit of demand first, up to its capacity:
    :math:`v_j = \min \sum_i (c_{ij} - \lambda_i) x_{ij}` s.t.
    :math:`\sum_i q_i x_{ij} \le s_j`, :math:`0 \le x_{ij} \le 1` (without :math:`f_j`).
    """
    r = c - lam[:, None]
    positive = q > 0
    q_div = np.where(positive, q, 1.0)[:, None]
    # cost per unit demand, <= 0; clients without demand first
    gain = np.where(r < 0, np.where(positive[:, None], r / q_div, -np.inf), 0.0)
    order = np.argsort(gain, axis=0, kind="stable")
    q_sorted = q[order]
    filled_before = np.cumsum(q_sorted, axis=0) - q_sorted
    room = s[None, :] - filled_before
    take = np.where(q_sorted > 0, np.clip(room / np.where(q_sorted > 0, q_sorted, 1.0), 0, 1), 1.0)
    take = np.where(np.take_along_axis(gain, order, axis=0) < 0, take, 0.0)
    share = np.zeros_like(c)
    np.put_along_axis(share, order, take, axis=0)
    value = np.where(share > 0, r * share, 0.0).sum(axis=0)
    return value, share


def capacity_prices(c: FloatArray, q: FloatArray, s: FloatArray, lam: FloatArray) -> FloatArray:
    r"""Return each site's optimal capacity dual :math:`\mu_j \ge 0` in :func:`site_values`.

    With the clients of negative reduced cost sorted best per unit of demand first, the
    capacity binds at the first client that does not fit whole (the critical client
    :math:`k`): :math:`\mu_j = -(c_{kj} - \lambda_k) / q_k`; 0 when all of them fit. Then
    :math:`v_j = -\mu_j s_j + \sum_i \min(0, c_{ij} - \lambda_i + \mu_j q_i)`.
    """
    r = c - lam[:, None]
    positive = q > 0
    gain = np.where((r < 0) & positive[:, None], r / np.where(positive, q, 1.0)[:, None], 0.0)
    gain = np.where((r < 0) & ~positive[:, None], -np.inf, gain)
    order = np.argsort(gain, axis=0, kind="stable")
    sorted_gain = np.take_along_axis(gain, order, axis=0)
    over = (np.cumsum(q[order], axis=0) > s[None, :] * (1 + 1e-12)) & (sorted_gain < 0)
    critical = np.argmax(over, axis=0)
    crit_gain = sorted_gain[critical, np.arange(len(s))]
    return np.where(over.any(axis=0), -crit_gain, 0.0)


def knapsack_cover(value: FloatArray, s: FloatArray, demand: float) -> tuple[float, FloatArray]:
    r"""Solve :math:`\min \sum_j v_j y_j` s.t. :math:`\sum_j s_j y_j \ge D`, :math:`0 \le y \le 1`.

    Every site of negative value is taken; if their capacity is short, the others follow
    cheapest per unit of capacity first, the last one fractionally. Returns the value and
    ``y`` (``inf`` and zeros when even all sites fall short).
    """
    y = (value < 0).astype(np.float64)
    short = demand - float(s @ y)
    if short > 0:
        rest = np.flatnonzero(value >= 0)
        rest = rest[s[rest] > 0]
        rest = rest[np.argsort(value[rest] / s[rest], kind="stable")]
        before = np.cumsum(s[rest]) - s[rest]
        y[rest] = np.clip((short - before) / s[rest], 0.0, 1.0)
        if float(s @ y) < demand * (1 - 1e-12):
            return np.inf, np.zeros_like(value)
    return float(value @ y), y


def lagrangian_cflp(
    c: FloatArray,
    q: FloatArray,
    s: FloatArray,
    f: FloatArray,
    upper: float,
    iterations: int,
    start: FloatArray | None = None,
) -> tuple[float, FloatArray, list[BoolArray]]:
    """Maximise the Lagrangian bound by subgradient steps.

    Returns the best bound, its multipliers and the distinct open-site sets of the
    Lagrangian solutions met every ``PLAN_EVERY`` iterations (candidates for plans).
    """
    demand = float(q.sum())
    if start is None:
        start = np.sort(c, axis=1)[:, min(1, c.shape[1] - 1)]
    lam = start.copy()
    best, best_lam = -np.inf, lam.copy()
    plans: list[BoolArray] = []
    step, stall = 2.0, 0
    for it in range(iterations):
        value, share = site_values(c, q, s, lam)
        total, y = knapsack_cover(value + f, s, demand)
        bound = float(lam.sum()) + total
        if bound > best + 1e-9 * max(abs(best), 1.0) or not np.isfinite(best):
            best, best_lam, stall = bound, lam.copy(), 0
        else:
            stall += 1
            if stall >= 15:
                step, stall = step / 2, 0
        if it % PLAN_EVERY == 0:
            plans.append(y > 0)
        gap = upper - bound
        if gap <= 1e-9 * max(abs(upper), 1.0) or step < 1e-4:
            break
        g = 1.0 - share @ y
        norm = float(g @ g)
        if norm == 0:
            break
        lam = lam + step * gap / norm * g
    return best, best_lam, plans


# --------------------------------------------------------------------------- plans


def transport(
    c: FloatArray, q: FloatArray, s: FloatArray, f: FloatArray, open_sites: BoolArray
) -> tuple[float, FloatArray]:
    """Cost and shares of the best split assignment to the given open sites.

    A transportation LP (HiGHS through scipy): ``sum_j x_ij = 1``, ``sum_i q_i x_ij <=
    s_j``, ``0 <= x <= 1``. Returns ``inf`` when the open sites cannot serve every client.
    """
    n, m = c.shape
    sites = np.flatnonzero(open_sites)
    share = np.zeros((n, m))
    if float(s[sites].sum()) < float(q.sum()) * (1 - 1e-12):
        return np.inf, share
    sub = c[:, sites]
    pairs = np.argwhere(np.isfinite(sub))
    k = len(pairs)
    cols = np.arange(k)
    a_eq = sp.csr_array((np.ones(k), (pairs[:, 0], cols)), shape=(n, k))
    a_ub = sp.csr_array((q[pairs[:, 0]], (pairs[:, 1], cols)), shape=(len(sites), k))
    # scipy documents sparse constraint matrices for the HiGHS methods; its stubs do not
    res = so.linprog(  # type: ignore[call-overload]
        sub[pairs[:, 0], pairs[:, 1]],
        A_ub=a_ub,
        b_ub=s[sites],
        A_eq=a_eq,
        b_eq=np.ones(n),
        bounds=(0.0, 1.0),
        method="highs",
    )
    if res.status != 0:
        return np.inf, share
    share[pairs[:, 0], sites[pairs[:, 1]]] = res.x
    return float(res.fun) + float(f[sites].sum()), share


def candidate_moves(
    cf: FloatArray,
    f: FloatArray,
    value: FloatArray,
    is_open: BoolArray,
    room: tuple[FloatArray, float],
    tries: int,
) -> list[tuple[int, int]]:
    r"""Return the moves ``(site closed or -1, site opened or -1)`` worth pricing, best first.

    The ``tries`` best swaps by the uncapacitated estimate (:func:`swap_deltas` plus the
    change in fixed cost), then the ``tries`` best swaps, additions and removals by the
    Lagrangian estimate (the change in :math:`\sum_{j \text{ open}} v_j`, which prices
    capacity through the multipliers). Moves that leave less capacity than the demand
    (``room``: capacities and total demand) are skipped.
    """
    m = len(f)
    s, demand = room
    spare = float(s[is_open].sum()) - demand
    open_sites, delta = swap_deltas(cf, np.ones(cf.shape[0]), is_open)
    delta = delta + f[None, :] - f[open_sites][:, None]
    delta[s[None, :] - s[open_sites][:, None] < -spare] = np.inf
    moves = []
    for flat in np.argsort(delta, axis=None, kind="stable")[:tries].tolist():
        k, j = divmod(flat, m)
        if np.isfinite(delta[k, j]):
            moves.append((int(open_sites[k]), j))
    closed_sites = np.flatnonzero(~is_open)
    lagr = value[closed_sites][None, :] - value[open_sites][:, None]
    lagr[s[closed_sites][None, :] - s[open_sites][:, None] < -spare] = np.inf
    estimates = [
        *(
            (float(lagr[k, j]), int(open_sites[k]), int(closed_sites[j]))
            for k, j in zip(
                *np.unravel_index(np.argsort(lagr, axis=None)[:tries], lagr.shape), strict=True
            )
        ),
        *((float(value[j]), -1, int(j)) for j in closed_sites),
        *((-float(value[k]), int(k), -1) for k in open_sites if s[k] <= spare),
    ]
    estimates.sort()
    for estimate, out, into in estimates[:tries]:
        if np.isfinite(estimate) and (out, into) not in moves:
            moves.append((out, into))
    return moves


def swap_search(
    c: FloatArray,
    q: FloatArray,
    s: FloatArray,
    f: FloatArray,
    value: FloatArray,
    plan: tuple[float, BoolArray, FloatArray],
    budget: int,
) -> tuple[float, BoolArray, FloatArray]:
    """Improve a plan by swaps, additions and removals of sites, priced exactly.

    Each pass prices the moves of :func:`candidate_moves` (``value``: Lagrangian value of
    each site) with the transportation LP and makes the first that lowers the cost; it
    stops when a pass finds none, or after ``budget`` LPs.
    """
    cost, is_open, share = plan
    cf = finite_costs(c)
    used = 0
    while used < budget:
        improved = False
        room = (s, float(q.sum()))
        for out, into in candidate_moves(cf, f, value, is_open, room, SWAP_TRIES):
            if used >= budget:
                break
            trial = is_open.copy()
            if out >= 0:
                trial[out] = False
            if into >= 0:
                trial[into] = True
            used += 1
            t_cost, t_share = transport(c, q, s, f, trial)
            if t_cost < cost - 1e-9 * max(abs(cost), 1.0):
                cost, is_open, share = t_cost, trial, t_share
                improved = True
                break
        if not improved:
            break
    return cost, is_open, share


# --------------------------------------------------------------------------- fixing


def fixing_bounds(
    base: float, value: FloatArray, s: FloatArray, demand: float
) -> tuple[FloatArray, FloatArray]:
    r"""Lagrangian bound of the plans that open site j, and of those that close it.

    :math:`\sum_i \lambda_i + v_j + K_{-j}(D - s_j)` and
    :math:`\sum_i \lambda_i + K_{-j}(D)`, with :math:`K_{-j}(d)` the site knapsack
    (:func:`knapsack_cover`) over the other sites for demand ``d``.
    """
    m = len(value)
    if_open = np.empty(m)
    if_closed = np.empty(m)
    others = np.ones(m, dtype=bool)
    for j in range(m):
        others[j] = False
        if_open[j] = base + value[j] + knapsack_cover(value[others], s[others], demand - s[j])[0]
        if_closed[j] = base + knapsack_cover(value[others], s[others], demand)[0]
        others[j] = True
    return if_open, if_closed


def cheapest_capacity(f: FloatArray, s: FloatArray, demand: float) -> BoolArray:
    """Open sites cheapest per unit of capacity first until they cover the demand."""
    order = np.argsort(f / np.maximum(s, 1e-300), kind="stable")
    before = np.cumsum(s[order]) - s[order]
    chosen = np.zeros(len(f), dtype=bool)
    chosen[order[before < demand]] = True
    return chosen


def candidates(if_open: FloatArray, upper: float, is_open: BoolArray) -> BoolArray:
    """Return the sites of the restricted MIP.

    The ``RESTRICTED_SITES`` x ``|S_H|`` sites not closed (``if_open <= upper``) of lowest
    bound when opened (``if_open``), and every site of the plan ``is_open`` (``S_H``).
    """
    size = RESTRICTED_SITES * int(is_open.sum())
    order = np.argsort(np.where(if_open <= upper, if_open, np.inf), kind="stable")[:size]
    chosen = is_open.copy()
    chosen[order[if_open[order] <= upper]] = True
    return chosen


def restricted_plan(
    c: FloatArray,
    q: FloatArray,
    s: FloatArray,
    f: FloatArray,
    sites: tuple[BoolArray, BoolArray],
    start: FloatArray | None = None,
) -> BoolArray | None:
    r"""Open sites of the best plan of a restricted MIP; ``None`` when it finds no plan.

    The CFLP over the sites ``sites`` (allowed, forced open), each client served only by
    its ``RESTRICTED_NEAREST`` cheapest allowed sites and the pairs ``start`` (shares of a
    plan on allowed sites, clients x sites) uses, with
    :math:`x_{ij} \le \min(1, s_j / q_i) y_j` and the total-capacity row: a restriction
    of the CFLP, so its plans are CFLP plans. HiGHS starts from ``start`` and stops at
    ``RESTRICTED_TIME_S`` seconds or relative gap ``RESTRICTED_GAP``.
    """
    allowed, forced = sites
    cols = np.flatnonzero(allowed)
    k, n = len(cols), c.shape[0]
    sub = c[:, cols]
    near = np.zeros(sub.shape, dtype=bool)
    ranks = np.argsort(sub, axis=1, kind="stable")[:, : min(RESTRICTED_NEAREST, k)]
    np.put_along_axis(near, ranks, values=True, axis=1)
    if start is not None:
        near |= start[:, cols] > 0
    pi, pj = np.nonzero(near & np.isfinite(sub))
    npairs = len(pi)
    x = k + np.arange(npairs)
    with np.errstate(divide="ignore"):
        cap = np.minimum(1.0, s[cols][pj] / q[pi])
    link = n + k + np.arange(npairs)
    rows = np.concatenate((pi, n + pj, n + np.arange(k), link, link, np.full(k, n + k + npairs)))
    cols_a = np.concatenate((x, x, np.arange(k), x, pj, np.arange(k)))
    vals = np.concatenate((np.ones(npairs), q[pi], -s[cols], np.ones(npairs), -cap, s[cols]))
    a = sp.csr_array((vals, (rows, cols_a)), shape=(n + k + npairs + 1, k + npairs))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = k + npairs, n + k + npairs + 1
    lp.col_cost_ = np.concatenate((f[cols], sub[pi, pj]))
    lp.col_lower_ = np.concatenate((forced[cols].astype(np.float64), np.zeros(npairs)))
    lp.col_upper_ = np.ones(k + npairs)
    lp.row_lower_ = np.concatenate((np.ones(n), np.full(k + npairs, -highspy.kHighsInf), [q.sum()]))
    lp.row_upper_ = np.concatenate((np.ones(n), np.zeros(k + npairs), [highspy.kHighsInf]))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * k + [
        highspy.HighsVarType.kContinuous
    ] * npairs
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)  # noqa: FBT003
    h.setOptionValue("time_limit", RESTRICTED_TIME_S)
    h.setOptionValue("mip_rel_gap", RESTRICTED_GAP)
    h.setOptionValue("mip_heuristic_effort", RESTRICTED_HEURISTIC_EFFORT)
    h.passModel(lp)
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = np.concatenate(((start[:, cols] > 0).any(axis=0), start[pi, cols[pj]]))
        h.setSolution(solution)
    h.run()
    if h.getInfo().primal_solution_status != 2:  # no feasible plan found
        return None
    plan = np.zeros(len(f), dtype=bool)
    plan[cols[np.asarray(h.getSolution().col_value)[:k] > 0.5]] = True
    return plan


def share_bounds(
    c: FloatArray,
    q: FloatArray,
    s: FloatArray,
    lam: FloatArray,
    opening: tuple[FloatArray, float],
) -> FloatArray:
    r"""Largest share :math:`x_{ij}` of any plan that costs at most ``upper``.

    With :math:`\mu_j` from :func:`capacity_prices`, the reduced cost
    :math:`\bar c_{ij} = c_{ij} - \lambda_i + \mu_j q_i`; a plan with
    :math:`x_{ij} = t` has bound :math:`\ge B_j + \bar c_{ij} t` (``opening``: :math:`B_j`,
    the bound of the plans opening j, and ``upper``), so
    :math:`x_{ij} \le \min(1, s_j / q_i, (U - B_j) / \bar c_{ij})` where
    :math:`\bar c_{ij} > 0` (models/presets.md, section 6).
    """
    if_open, upper = opening
    value = site_values(c, q, s, lam)[0]
    mu = capacity_prices(c, q, s, lam)
    reduced = c - lam[:, None] + mu[None, :] * q[:, None]
    # the dual value equals v_j when mu_j is optimal; any shortfall is taken off B_j
    dual = -mu * s + np.minimum(reduced, 0.0).sum(axis=0)
    room = np.maximum(upper - if_open + np.maximum(value - dual, 0.0), 0.0)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = np.where(reduced > 0, room / reduced, 1.0)
        bound = np.minimum(bound, np.where(q[:, None] > 0, s[None, :] / q[:, None], 1.0))
    return np.clip(bound, 0.0, 1.0)


def linked_pairs(c: FloatArray, q: FloatArray, pairs: IntArray, nearest: int) -> IntArray:
    r"""Return the indices of the pairs that get the row :math:`x_{ij} \le u_{ij} y_j`.

    Each client's ``nearest`` cheapest pairs (by :math:`c_{ij}`, among ``pairs``), and every
    pair of a client without demand (whose share only that row ties to :math:`y_j`).
    """
    order = np.lexsort((c[pairs[:, 0], pairs[:, 1]], pairs[:, 0]))
    client = pairs[order, 0]
    first = np.searchsorted(client, client, side="left")
    rank = np.arange(len(order)) - first
    keep = (rank < nearest) | (q[client] <= 0)
    return np.sort(order[keep])


def reduce_cflp(
    c: FloatArray,
    q: FloatArray,
    s: FloatArray,
    f: FloatArray,
) -> CflpReduction | None:
    """
    Bound the CFLP optimum from below (Lagrangian) and above (plans) and fix sites.

    Parameters
    ----------
    c
        Clients x sites cost of serving a client's whole demand (validated; ``inf``
        forbids a pair).
    q, s, f
        Demand per client and capacity per site (demand unit), fixed cost per site
        (cost unit).

    Returns
    -------
    CflpReduction or None
        Bounds, best plan and the fixed sites; ``None`` when no plan was found.
    """
    demand = float(q.sum())
    finite = c[np.isfinite(c)]
    cf = np.where(np.isfinite(c), c, float(finite.max()) * 1e3 + 1.0)
    first = cheapest_capacity(f, s, demand)
    cost, share = transport(c, q, s, f, first)
    upper, is_open = cost, first
    target = cost if np.isfinite(cost) else float(f.sum() + cf.max(axis=1).sum())
    lower, lam = -np.inf, None
    for _ in range(LAGRANGIAN_ROUNDS):
        bound, lam_round, plans = lagrangian_cflp(
            cf, q, s, f, target, LAGRANGIAN_ITERATIONS, start=lam
        )
        if bound > lower:
            lower, lam = bound, lam_round
        unique = list({plan.tobytes(): plan for plan in plans}.values())
        for plan in unique[-LAGRANGIAN_PLANS:]:
            cost, plan_share = transport(c, q, s, f, plan)
            if cost < upper:
                upper, is_open, share = cost, plan, plan_share
        if not np.isfinite(upper):
            return None
        target = upper
    assert lam is not None
    value = site_values(cf, q, s, lam)[0] + f
    upper, is_open, share = swap_search(c, q, s, f, value, (upper, is_open, share), SWAP_LPS)
    if_open, if_closed = fixing_bounds(float(lam.sum()), value, s, demand)
    margin = upper + FIXING_TOLERANCE * max(abs(upper), 1.0)
    chosen = candidates(if_open, margin, is_open), is_open & (if_closed > margin)
    restricted = restricted_plan(c, q, s, f, chosen, share)
    if restricted is not None:
        cost, plan_share = transport(c, q, s, f, restricted)
        if cost < upper:
            upper, is_open, share = cost, restricted, plan_share
            # one more round aimed at the better plan, then the fixing bounds again
            bound, lam_round, _ = lagrangian_cflp(
                cf, q, s, f, upper, LAGRANGIAN_ITERATIONS, start=lam
            )
            if bound > lower:
                lower, lam = bound, lam_round
            value = site_values(cf, q, s, lam)[0] + f
            if_open, if_closed = fixing_bounds(float(lam.sum()), value, s, demand)
            margin = upper + FIXING_TOLERANCE * max(abs(upper), 1.0)
    closed = ~is_open & (if_open > margin)
    forced = is_open & (if_closed > margin)
    share_bound = share_bounds(cf, q, s, lam, (if_open, margin))
    share_bound[:, closed] = 0.0
    return CflpReduction(is_open, share, upper, lower, closed, forced, share_bound)
