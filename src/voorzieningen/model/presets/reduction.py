r"""Reductions of the p-median radius model: heuristic plan, Lagrangian bound, fixing.

The mathematics is in ``models/presets.md`` (section 5). In short:

1. A fast heuristic (greedy, then best-improvement vertex substitution; Teitz & Bart 1968,
   all swaps evaluated at once as in Whitaker 1983; iterated from random two-site
   perturbations) gives a plan :math:`S_H` of cost :math:`U`, an upper bound.
2. The Lagrangian relaxation of the assignment constraints (Beasley 1993), maximised by
   subgradient steps, gives a lower bound :math:`L` and a value :math:`\rho_j` per site.
3. Bound-based fixing: a site whose opening raises the bound above :math:`U` is closed; a
   client for whom "no open site within :math:`D_i^k`" raises it above :math:`U` is capped
   at level :math:`D_i^k` (García, Labbé & Marín 2011: only the distances up to such a
   radius matter). Only plans worse than the heuristic are cut off, and the heuristic plan
   stays feasible, so the reduced model's optimum is the p-median optimum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voorzieningen.model.presets.common import BoolArray, FloatArray, IntArray

#: Perturbation rounds of the iterated swap search (each one swap local search).
HEURISTIC_ROUNDS = 20

#: Subgradient iterations of the Lagrangian bound (each costs one pass over the matrix).
LAGRANGIAN_ITERATIONS = 400

#: HiGHS options handed over with the heuristic plan (``PresetStart.highs_options``): no
#: presolve restarts (each one redoes the root cut rounds) and no primal heuristics (the
#: start is usually optimal already: on pmed16 the RINS/RENS sub-MIPs took half of the
#: solve). Measured in benchmarks/README.md.
START_HIGHS_OPTIONS: dict[str, bool | int | float | str] = {
    "mip_allow_restart": False,
    "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_heuristic_run_feasibility_jump": False,
}

#: Relative margin of the fixing test ``bound > U + tol |U|``, against rounding in the sums.
FIXING_TOLERANCE = 1e-6


@dataclass(frozen=True, eq=False)
class PMedianReduction:
    """What the heuristic and the LP certified for a p-median instance.

    Attributes
    ----------
    heuristic_open
        Open sites of the heuristic plan (indices of ``costs`` columns), ascending.
    upper_bound
        Weighted cost of the heuristic plan, in weight x cost units.
    lower_bound
        Lagrangian lower bound on the optimum (same unit); ``-inf`` when not computed.
    cap
        Per client, the largest cost level an optimal plan can need (``inf``: no cap).
    closed
        Sites that no plan better than the heuristic opens.
    """

    heuristic_open: IntArray
    upper_bound: float
    lower_bound: float
    cap: FloatArray
    closed: BoolArray


# --------------------------------------------------------------------------- heuristic


def finite_costs(c: FloatArray) -> FloatArray:
    """Replace ``+inf`` by a cost larger than any plan that avoids forbidden pairs."""
    finite = c[np.isfinite(c)]
    big = (float(finite.max()) + 1.0) * (c.shape[0] + 1) if finite.size else 1.0
    return np.where(np.isfinite(c), c, big)


def greedy_p_median(c: FloatArray, w: FloatArray, p: int) -> BoolArray:
    """Return the sites a greedy p-median opens (each time the one that saves most)."""
    cf = finite_costs(c)
    n, m = cf.shape
    current = np.full(n, np.inf)
    chosen = np.zeros(m, dtype=bool)
    for _ in range(p):
        total = w @ np.minimum(current[:, None], cf)
        total[chosen] = np.inf
        j = int(np.argmin(total))
        chosen[j] = True
        current = np.minimum(current, cf[:, j])
    return chosen


def swap_deltas(cf: FloatArray, w: FloatArray, chosen: BoolArray) -> tuple[IntArray, FloatArray]:
    r"""Return the open sites and the cost change of every swap (row: site out, column: in).

    With :math:`d^1_i, d^2_i` the nearest and second-nearest open costs of client
    :math:`i`, adding site :math:`j` and removing :math:`k` changes the weighted cost by
    :math:`\sum_i w_i(\min(d_{ij}, d^1_i) - d^1_i) + \sum_{i: k \text{ nearest}} w_i
    (\min(d_{ij}, d^2_i) - \min(d_{ij}, d^1_i))` (Whitaker 1983); swaps onto open sites
    are ``inf``. ``cf`` must be finite.
    """
    n = cf.shape[0]
    rows = np.arange(n)
    open_sites = np.flatnonzero(chosen)
    sub = cf[:, open_sites]
    if len(open_sites) > 1:
        two = np.argpartition(sub, 1, axis=1)[:, :2]
        first = np.where(sub[rows, two[:, 0]] <= sub[rows, two[:, 1]], 0, 1)
        near = two[rows, first]
        d1 = sub[rows, near]
        d2 = sub[rows, two[rows, 1 - first]]
    else:
        near = np.zeros(n, dtype=np.int64)
        d1 = sub[:, 0]
        d2 = np.full(n, np.inf)
    with_j = np.minimum(cf, d1[:, None])
    base = w @ with_j - float(w @ d1)
    extra = w[:, None] * (np.minimum(cf, d2[:, None]) - with_j)
    by_site = np.zeros((len(open_sites), cf.shape[1]))
    np.add.at(by_site, near, extra)
    delta = base[None, :] + by_site
    delta[:, chosen] = np.inf
    return open_sites, delta


def swap_local_search(c: FloatArray, w: FloatArray, chosen: BoolArray) -> BoolArray:
    """Improve a plan by best-improvement swaps (one site out, one in) until none helps.

    Every iteration evaluates all p x (m - p) swaps at once (:func:`swap_deltas`).
    """
    cf = finite_costs(c)
    chosen = chosen.copy()
    scale = max(float(w @ cf.min(axis=1)), 1.0)
    while True:
        open_sites, delta = swap_deltas(cf, w, chosen)
        k, j = np.unravel_index(int(np.argmin(delta)), delta.shape)
        if not delta[k, j] < -1e-9 * scale:
            return chosen
        chosen[open_sites[k]] = False
        chosen[j] = True


def iterated_local_search(
    c: FloatArray, w: FloatArray, chosen: BoolArray, rounds: int, seed: int = 0
) -> BoolArray:
    """Perturb the best plan (two random swaps), re-optimise by swaps, keep improvements.

    Deterministic for a given ``seed``; ``rounds`` local searches after the first.
    """
    best = swap_local_search(c, w, chosen)
    best_cost = float(w @ finite_costs(c)[:, best].min(axis=1))
    rng = np.random.default_rng(seed)
    for _ in range(rounds):
        on, off = np.flatnonzero(best), np.flatnonzero(~best)
        k = min(2, len(on), len(off))
        if k == 0:
            break
        trial = best.copy()
        trial[rng.choice(on, k, replace=False)] = False
        trial[rng.choice(off, k, replace=False)] = True
        trial = swap_local_search(c, w, trial)
        cost = float(w @ finite_costs(c)[:, trial].min(axis=1))
        if cost < best_cost - 1e-9 * max(abs(best_cost), 1.0):
            best, best_cost = trial, cost
    return best


# --------------------------------------------------------------------------- bound and fixing


def lagrangian_bound(
    c: FloatArray, w: FloatArray, p: int, upper: float, start: FloatArray, iterations: int
) -> tuple[float, FloatArray]:
    r"""Maximise the Lagrangian bound of the p-median by subgradient steps (Beasley 1993).

    Relaxing :math:`\sum_j x_{ij} = 1` with multipliers :math:`\lambda_i` gives
    :math:`L(\lambda) = \sum_i \lambda_i + \min_{|S| = p} \sum_{j \in S} \rho_j`,
    :math:`\rho_j = \sum_i \min(0, w_i d_{ij} - \lambda_i)`. Returns the best bound and
    its :math:`\rho` (weight x cost units).
    """
    wc = w[:, None] * c
    lam = start.copy()
    best, best_rho = -np.inf, np.zeros(c.shape[1])
    step, stall = 2.0, 0
    for _ in range(iterations):
        below = wc < lam[:, None]
        rho = np.where(below, wc - lam[:, None], 0.0).sum(axis=0)
        chosen = np.argpartition(rho, p - 1)[:p]
        value = float(lam.sum() + rho[chosen].sum())
        if not np.isfinite(best) or value > best + 1e-9 * max(abs(best), 1.0):
            best, best_rho, stall = value, rho, 0
        else:
            stall += 1
            if stall >= 20:
                step, stall = step / 2, 0
        gap = upper - value
        if gap <= 1e-9 * max(abs(upper), 1.0) or step < 1e-4:
            break
        g = 1.0 - below[:, chosen].sum(axis=1)
        norm = float(g @ g)
        if norm == 0:
            break
        lam = np.maximum(lam + step * gap / norm * g, 0.0)
    return best, best_rho


def reduce_p_median(c: FloatArray, w: FloatArray, p: int) -> PMedianReduction | None:
    """
    Bound the p-median optimum from above (heuristic) and below (Lagrangian) and fix.

    Parameters
    ----------
    c
        Clients x sites cost (validated; ``+inf`` forbids a pair).
    w
        Weight of each client.
    p
        Number of sites to open.

    Returns
    -------
    PMedianReduction or None
        Heuristic plan and bounds, the per-client level caps and the closed sites; ``None``
        when the heuristic plan uses a forbidden pair (no bound, nothing is reduced).
    """
    m = c.shape[1]
    chosen = iterated_local_search(c, w, greedy_p_median(c, w, p), HEURISTIC_ROUNDS)
    heuristic = np.flatnonzero(chosen).astype(np.int64)
    dist = c[:, heuristic].min(axis=1)
    upper = float(w @ dist)
    if not np.isfinite(upper):
        return None
    second = np.partition(c, min(1, m - 1), axis=1)[:, min(1, m - 1)]
    start = w * np.where(np.isfinite(second), second, dist)
    lower, rho = lagrangian_bound(c, w, p, upper, start, LAGRANGIAN_ITERATIONS)
    margin = upper + FIXING_TOLERANCE * max(abs(upper), 1.0)
    order = np.argsort(rho, kind="stable")
    best, worst_in = order[:p], rho[order[p - 1]]
    in_best = np.zeros(m, dtype=bool)
    in_best[best] = True
    # y_j = 1 for j outside the best p: the bound rises by rho_j - rho_(p)
    closed = ~in_best & (lower + rho - worst_in > margin) & ~chosen
    cap = ball_caps(c, rho, p, lower, margin, order)
    cap = np.maximum(cap, dist)
    return PMedianReduction(heuristic, upper, lower, cap, closed)


def ball_caps(
    c: FloatArray, rho: FloatArray, p: int, lower: float, margin: float, order: IntArray
) -> FloatArray:
    r"""Return each client's level cap: the first level whose ball, closed, bounds above U.

    Closing the sites of client i's first P positions leaves
    :math:`\sum_i \lambda_i + \min_{|S| = p, S \cap \text{ball} = \emptyset} \sum_S \rho_j`
    as a bound. It is computed with the K sites of smallest :math:`\rho` as candidates
    (each one a pass over the clients x positions, in :math:`\rho` order) and
    :math:`\rho_{(K+1)}` standing in for any site still missing, which keeps it a bound.
    """
    n, m = c.shape
    k_candidates = min(m, max(3 * p, p + 20))
    rho_next = float(rho[order[k_candidates]]) if k_candidates < m else np.inf
    base = lower - float(rho[order[:p]].sum())  # sum of the multipliers
    order_c = np.argsort(c, axis=1, kind="stable")
    srt = np.take_along_axis(c, order_c, axis=1)
    pos = np.empty_like(order_c)
    np.put_along_axis(pos, order_c, np.arange(m)[None, :].repeat(n, axis=0), axis=1)
    ball = np.arange(1, m + 1)[None, :]  # ball of the first 1..m positions
    count = np.zeros((n, m), dtype=np.int64)
    total = np.zeros((n, m))
    for j in order[:k_candidates].tolist():
        take = (pos[:, j][:, None] >= ball) & (count < p)
        total += np.where(take, rho[j], 0.0)
        count += take
    missing = p - count
    if np.isfinite(rho_next):
        total += missing * rho_next
    else:  # every site is a candidate: fewer than p left outside the ball, no plan
        total[missing > 0] = np.inf
    over = base + total > margin
    over &= np.isfinite(srt)  # a level must exist
    cap = np.full(n, np.inf)
    hit = over.any(axis=1)
    first = np.argmax(over, axis=1)
    cap[hit] = srt[np.flatnonzero(hit), first[hit]]
    return cap
