"""The Noordoost-Groningen benchmark instance, made at benchmark time into a temporary folder.

Seven gemeenten (Het Hogeland, Eemsdelta, Oldambt, Pekela, Westerwolde, Veendam,
Stadskanaal): zones are the CBS PC4 areas, schools the DUO basisscholen, both from the
product's own region code (:func:`voorzieningen.region.create_region`, the ``region`` CLI
verb) reading ``--data-dir``. The corporation's portfolio is an EXAMPLE made by the rules
below from the zones' villages (``plaats``), so the instance is reproducible and nothing
derived from the shared data is committed:

* every other DUO school (by site id) is the corporation's building (``managed``), with its
  DUO capacity and an end of technical life cycling through 2028, 2033, 2038, 2045;
* a GP practice in every village of at least 2,000 inhabitants, with room for 1.2 x the
  inhabitants of its catchment (itself and the villages nearer to it than to another GP
  village), so that the practices' lists hold everyone today, as in the Netherlands: the
  model's age-weighted patients are about 1.1 per inhabitant here, plus 10 % room
  (assumption); the largest village of each gemeente has its practice
  owned by the GPs (``managed`` false), the others are the corporation's;
* a dorpshuis (200 m² + 0.05 m² per inhabitant, at most 900 m², assumption) in every
  village of at least 400 inhabitants, the corporation's;
* one candidate plot per gemeente, in its largest village, for any service or an MFA;
* budgets EUR 30 M in total and EUR 12 M per period (assumption: seven small corporations'
  worth), travel times estimated (``network.method = "estimate"``), all three services.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from voorzieningen import region
from voorzieningen.api import prepare_run
from voorzieningen.context import resolve_context
from voorzieningen.model.data import ModelData

GEMEENTEN = [
    "Het Hogeland",
    "Eemsdelta",
    "Oldambt",
    "Pekela",
    "Westerwolde",
    "Veendam",
    "Stadskanaal",
]
EOL_CYCLE = [2028, 2033, 2038, 2045]
SETS = [
    'model.services=["school", "gp", "community_hall"]',
    "budget.capex_total_eur=30000000",
    "budget.capex_per_period_eur=12000000",
]


def _gp_catchment(villages: pd.DataFrame) -> pd.Series:
    """Inhabitants of each GP village's catchment: itself and the villages nearest to it.

    Every village (of any size) is counted at the nearest village of at least 2,000
    inhabitants (straight line), so the practices' lists cover the whole population, as
    in the Netherlands, where everyone is on a GP's list.
    """
    gp = villages[villages["pop"] >= 2000]
    kx = 111.0 * np.cos(np.radians(53.2))  # km per degree of longitude at 53.2 N
    dx = (villages["lon"].to_numpy()[:, None] - gp["lon"].to_numpy()[None, :]) * kx
    dy = (villages["lat"].to_numpy()[:, None] - gp["lat"].to_numpy()[None, :]) * 111.0
    nearest = np.hypot(dx, dy).argmin(axis=1)
    pop = villages["pop"].groupby(gp.index[nearest]).sum()
    return pop.reindex(gp.index).fillna(0.0)


def _portfolio(reg: region.Region) -> pd.DataFrame:
    """The EXAMPLE portfolio of the module docstring, one row per site."""
    zones = reg.zones
    pop = zones["population_persons"].astype(float)
    weighted = zones.assign(wlon=zones["lon"] * pop, wlat=zones["lat"] * pop, pop=pop)
    villages = weighted.groupby(["gemeente", "plaats"])[["wlon", "wlat", "pop"]].sum()
    villages = villages[villages["pop"] > 0]
    villages["lon"] = villages["wlon"] / villages["pop"]
    villages["lat"] = villages["wlat"] / villages["pop"]
    villages = villages.sort_values("pop", ascending=False)
    largest = set(villages.groupby(level="gemeente").head(1).index)
    catchment = _gp_catchment(villages)
    rows: list[dict[str, object]] = []
    schools = reg.schools.sort_index()
    for i, (site, school) in enumerate(schools.iloc[::2].iterrows()):
        rows.append(
            {
                "site_id": site,
                "name": school["name"],
                "kind": "existing",
                "service": "school",
                "allowed_services": "school;gp;community_hall",
                "managed": True,
                "lon": school["lon"],
                "lat": school["lat"],
                "capacity_places": round(1.15 * max(float(school["pupils_persons"]), 20.0)),
                "end_of_life_year": EOL_CYCLE[i % len(EOL_CYCLE)],
                "gemeente": school["gemeente"],
            }
        )
    for i, ((gemeente, plaats), v) in enumerate(villages.iterrows()):
        slug = str(plaats).lower().replace(" ", "-").replace("'", "")
        if v["pop"] >= 2000:
            rows.append(
                {
                    "site_id": f"gp-{slug}",
                    "name": f"Huisartsenpraktijk {plaats} (voorbeeld)",
                    "kind": "existing",
                    "service": "gp",
                    "allowed_services": "gp;community_hall",
                    "managed": (gemeente, plaats) not in largest,
                    "lon": v["lon"],
                    "lat": v["lat"],
                    "capacity_places": round(1.2 * catchment[(gemeente, plaats)]),
                    "end_of_life_year": EOL_CYCLE[(i + 1) % len(EOL_CYCLE)],
                    "gemeente": gemeente,
                }
            )
        if v["pop"] >= 400:
            rows.append(
                {
                    "site_id": f"dh-{slug}",
                    "name": f"Dorpshuis {plaats} (voorbeeld)",
                    "kind": "existing",
                    "service": "community_hall",
                    "allowed_services": "community_hall;gp",
                    "managed": True,
                    "lon": v["lon"] + 0.002,
                    "lat": v["lat"],
                    "floor_area_m2": min(900.0, 200.0 + 0.05 * v["pop"]),
                    "end_of_life_year": EOL_CYCLE[(i + 2) % len(EOL_CYCLE)],
                    "gemeente": gemeente,
                }
            )
        if (gemeente, plaats) in largest:
            rows.append(
                {
                    "site_id": f"cand-{slug}",
                    "name": f"Kavel MFA {plaats} (voorbeeld)",
                    "kind": "candidate",
                    "allowed_services": "school;gp;community_hall",
                    "lon": v["lon"] - 0.002,
                    "lat": v["lat"],
                    "gemeente": gemeente,
                }
            )
    table = pd.DataFrame(rows)
    table["sale_value_eur"] = np.nan
    table["note"] = "EXAMPLE (benchmark, not real data)"
    return table


def noordoost_data(data_dir: Path) -> tuple[ModelData, int, int]:
    """
    Make the Noordoost-Groningen region in a temporary folder and return its model data.

    Parameters
    ----------
    data_dir
        The shared data directory (CBS, DUO).

    Returns
    -------
    tuple
        The model data, the number of zones and the number of sites.
    """
    with tempfile.TemporaryDirectory(prefix="noordoost-") as tmp:
        reg = region.create_region(
            "noordoost-groningen", GEMEENTEN, data_dir=data_dir, out=Path(tmp), osm=False
        )
        portfolio = _portfolio(reg)
        header = pd.read_csv(reg.folder / "portfolio.csv").columns
        portfolio.reindex(columns=header).to_csv(reg.folder / "portfolio.csv", index=False)
        scenario, context = resolve_context(
            reg.folder / "scenarios.toml",
            data_dir=data_dir,
            name="base",
            sets=SETS,
            region_dir=None,
            cache_dir=None,
        )
        prepared = prepare_run(scenario, context)
    return prepared.data, len(prepared.data.zones), len(prepared.data.sites)
