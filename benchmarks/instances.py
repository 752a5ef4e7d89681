"""Readers for the published facility-location benchmark formats (OR-Library, spopt SF, SJC).

Every reader parses its file exactly as described in ``shared/benchmarks/README.md`` and
returns plain numpy arrays, ready for :mod:`voorzieningen.model.presets`. The formats are
benchmark-only (nothing in the package reads them), so the readers live next to the
benchmark scripts rather than in the package: ``voorzieningen`` keeps I/O out of its model
layer, and these formats are not user inputs.

Files are read as whitespace-separated token streams (line endings and tabs vary).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import floyd_warshall

FloatArray = npt.NDArray[np.float64]


def _tokens(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").split()


@dataclass(frozen=True)
class PMedInstance:
    """OR-Library p-median instance (Beasley 1985).

    Attributes
    ----------
    distances
        n x n shortest-path distances (clients = sites = vertices).
    p
        Number of medians to open.
    """

    distances: FloatArray
    p: int


def read_pmed(path: Path) -> PMedInstance:
    """
    Read an OR-Library ``pmedN`` file.

    Edge lines are applied in order and a repeated vertex pair takes the cost of its LAST
    line (OR-Library's own rule, not the minimum); then all-pairs shortest paths
    (Floyd-Warshall) give the distance matrix. A vertex is at distance 0 from itself.

    Parameters
    ----------
    path
        The ``pmedN.txt`` file.

    Returns
    -------
    PMedInstance
        Distance matrix and p.
    """
    tokens = _tokens(path)
    n, m, p = (int(t) for t in tokens[:3])
    edges = np.array([int(t) for t in tokens[3 : 3 + 3 * m]], dtype=np.int64).reshape(m, 3)
    graph = np.full((n, n), np.inf)
    # Python loop on purpose: numpy fancy assignment does not guarantee "last one wins".
    for i, j, c in edges.tolist():
        graph[i - 1, j - 1] = c
        graph[j - 1, i - 1] = c
    np.fill_diagonal(graph, 0.0)
    distances = floyd_warshall(graph, directed=False)
    return PMedInstance(distances=np.asarray(distances, dtype=np.float64), p=p)


@dataclass(frozen=True)
class CapInstance:
    """OR-Library warehouse-location instance (Beasley 1988).

    Attributes
    ----------
    costs
        n x m cost of serving ALL of customer j's demand from warehouse i (clients x sites).
    demands
        Demand of each customer (n).
    capacities
        Capacity of each warehouse (m); NaN where the file says ``capacity`` (a parameter
        of the case).
    fixed_costs
        Opening cost of each warehouse (m).
    """

    costs: FloatArray
    demands: FloatArray
    capacities: FloatArray
    fixed_costs: FloatArray

    def with_capacity(self, capacity: float) -> CapInstance:
        """Return a copy whose symbolic (``capacity``) capacities are set to ``capacity``."""
        caps = np.where(np.isnan(self.capacities), capacity, self.capacities)
        return CapInstance(self.costs, self.demands, caps, self.fixed_costs)


def read_cap(path: Path) -> CapInstance:
    """
    Read an OR-Library ``capNN`` / ``capa``-style file.

    Parameters
    ----------
    path
        The data file.

    Returns
    -------
    CapInstance
        Costs (clients x sites), demands, capacities (NaN for the literal ``capacity``),
        fixed costs.
    """
    tokens = _tokens(path)
    m, n = int(tokens[0]), int(tokens[1])
    pos = 2
    capacities = np.empty(m)
    fixed = np.empty(m)
    for i in range(m):
        cap_token = tokens[pos]
        capacities[i] = math.nan if cap_token.lower() == "capacity" else float(cap_token)
        fixed[i] = float(tokens[pos + 1])
        pos += 2
    demands = np.empty(n)
    costs = np.empty((n, m))
    for j in range(n):
        demands[j] = float(tokens[pos])
        costs[j] = [float(t) for t in tokens[pos + 1 : pos + 1 + m]]
        pos += 1 + m
    return CapInstance(costs=costs, demands=demands, capacities=capacities, fixed_costs=fixed)


@dataclass(frozen=True)
class PMedCapInstance:
    """OR-Library capacitated p-median instance (Osman & Christofides 1994).

    Attributes
    ----------
    distances
        n x n ``floor(euclidean)`` distances (clients = sites).
    demands
        Demand of each point (n).
    p
        Number of medians.
    capacity
        Capacity of every median.
    stored_optimum
        Optimal value stored in the file header.
    """

    distances: FloatArray
    demands: FloatArray
    p: int
    capacity: float
    stored_optimum: float


def read_pmedcap(path: Path) -> PMedCapInstance:
    """
    Read an OR-Library ``pmedcapNN`` file; distances are ``floor`` of Euclidean distances.

    Parameters
    ----------
    path
        The data file.

    Returns
    -------
    PMedCapInstance
        Distances, demands, p, capacity and the optimum stored in the header.
    """
    tokens = _tokens(path)
    stored = float(tokens[1])
    n, p, capacity = int(tokens[2]), int(tokens[3]), float(tokens[4])
    rows = np.array([float(t) for t in tokens[5 : 5 + 4 * n]]).reshape(n, 4)
    xy = rows[:, 1:3]
    diff = xy[:, None, :] - xy[None, :, :]
    distances = np.floor(np.sqrt((diff**2).sum(axis=2)))
    return PMedCapInstance(distances, rows[:, 3].copy(), p, capacity, stored)


@dataclass(frozen=True)
class CoverInstance:
    """Demand points, candidate sites and distances of a covering instance.

    Attributes
    ----------
    distances
        n x m distances (clients x sites), in metres.
    weights
        Weight (population, demand) of each client (n).
    """

    distances: FloatArray
    weights: FloatArray


SF_DISTANCES = "SF_network_distance_candidateStore_16_censusTract_205_new.csv"
SF_DEMAND = "SF_demand_205_centroid_uniform_weight.csv"


def read_sf(directory: Path) -> CoverInstance:
    """
    Read the San Francisco store/tract data of spopt, built as spopt does.

    The long table is pivoted to tracts (rows, sorted by ``DestinationName``) x stores
    (columns, sorted by ``name``); weights are ``POP2000`` of the same sorted tracts.

    Parameters
    ----------
    directory
        Directory holding the three SF csv files.

    Returns
    -------
    CoverInstance
        205 x 16 network distances (m) and tract populations.
    """
    with (directory / SF_DISTANCES).open(newline="", encoding="utf-8") as fh:
        records = list(csv.DictReader(fh))
    tracts = sorted({r["DestinationName"] for r in records})
    stores = sorted({r["name"] for r in records})
    t_pos = {t: k for k, t in enumerate(tracts)}
    s_pos = {s: k for k, s in enumerate(stores)}
    distances = np.full((len(tracts), len(stores)), np.nan)
    for r in records:
        distances[t_pos[r["DestinationName"]], s_pos[r["name"]]] = float(r["distance"])
    with (directory / SF_DEMAND).open(newline="", encoding="utf-8") as fh:
        population = {float(r["NAME"]): float(r["POP2000"]) for r in csv.DictReader(fh)}
    weights = np.array([population[float(t)] for t in tracts])
    return CoverInstance(distances=distances, weights=weights)


def read_sjc(path: Path) -> CoverInstance:
    """
    Read a Lorena & Pereira SJC file: ``n 9999 p S`` then ``x y demand`` per node.

    Parameters
    ----------
    path
        The ``SJCnnn.txt`` file.

    Returns
    -------
    CoverInstance
        n x n exact Euclidean distances (m; every node is a client and a site) and demands.
    """
    tokens = _tokens(path)
    n = int(tokens[0])
    rows = np.array([float(t) for t in tokens[4 : 4 + 3 * n]]).reshape(n, 3)
    xy = rows[:, :2]
    diff = xy[:, None, :] - xy[None, :, :]
    return CoverInstance(np.sqrt((diff**2).sum(axis=2)), rows[:, 2].copy())


def generate_cflp(n_sites: int, n_customers: int, ratio: float, seed: int) -> CapInstance:
    """Generate a capacitated facility-location instance (Cornuéjols, Sridharan & Thizy 1991).

    The recipe of the OR-Library's large CFLP sets: sites and customers uniform in the unit
    square; demand ``U[5, 35]``; capacity ``U[10, 160]``, then scaled so that total
    capacity / total demand = ``ratio``; fixed cost ``U[0, 90] + U[100, 110] * sqrt(capacity)``;
    cost of serving a customer's whole demand = 10 x Euclidean distance x demand.

    Parameters
    ----------
    n_sites, n_customers
        Numbers of candidate sites and customers.
    ratio
        Total capacity over total demand (1.5-4 in the literature; tight near 1.5).
    seed
        Seed of numpy's default generator (same seed, same instance).

    Returns
    -------
    CapInstance
        Costs (customers x sites), demands, capacities and fixed costs.
    """
    rng = np.random.default_rng(seed)
    sites = rng.random((n_sites, 2))
    customers = rng.random((n_customers, 2))
    demands = rng.uniform(5, 35, n_customers)
    capacities = rng.uniform(10, 160, n_sites)
    capacities *= ratio * demands.sum() / capacities.sum()
    fixed = rng.uniform(0, 90, n_sites) + rng.uniform(100, 110, n_sites) * np.sqrt(capacities)
    dist = np.hypot(*(customers[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    return CapInstance(10.0 * dist * demands[:, None], demands, capacities, fixed)
