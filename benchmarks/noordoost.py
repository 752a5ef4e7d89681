"""The Noordoost-Groningen benchmark instance, made at benchmark time into a temporary folder.

Seven gemeenten (Het Hogeland, Eemsdelta, Oldambt, Pekela, Westerwolde, Veendam,
Stadskanaal): zones are the CBS PC4 areas, schools the DUO basisscholen, both from the
product's own region code (:func:`voorzieningen.region.create_region`, the ``region`` CLI
verb) reading ``--data-dir``. The corporation's portfolio is an EXAMPLE made by the rules
below from the zones' villages (``plaats``), so the instance is reproducible and nothing
derived from the shared data is committed:

* every other DUO school (by site id) is the corporation's building (``managed``), with its
  DUO capacity and an end of technical life cycling through 2028, 2033, 2038, 2045;
* GP practices in every village of at least 2,000 inhabitants, with room for 1.2 x the
  inhabitants of its catchment (itself and the villages nearer to it than to another GP
  village), so that the practices' lists hold everyone today, as in the Netherlands: the
  model's age-weighted patients are about 1.1 per inhabitant here, plus 10 % room
  (assumption); a town whose room exceeds the largest practice the product allows
  (``costs.gp.max_places``) gets as many equal practices as it needs, as towns have; the
  largest village of each gemeente has its practices owned by the GPs (``managed``
  false), the others are the corporation's;
* a dorpshuis (200 m² + 0.05 m² per inhabitant, assumption) in every village of at least
  400 inhabitants, the corporation's; a town whose hall would exceed the largest hall
  (``costs.community_hall.max_places``) gets several equal buurthuizen instead;
* one candidate plot per gemeente, in its largest village, for any service or an MFA;
* budgets EUR 30 M in total and EUR 12 M per period (assumption: seven small corporations'
  worth), travel times estimated (``network.method = "estimate"``), all three services.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from voorzieningen import region
from voorzieningen.api import prepare_run
from voorzieningen.context import resolve_context
from voorzieningen.model.data import ModelData
from voorzieningen.schemas.model import CostSettings
from voorzieningen.schemas.sizes import places_in_area

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

COSTS = CostSettings()
GP_MAX_PLACES = float(COSTS.gp.max_places or math.inf)
HALL_MAX_PLACES = float(COSTS.community_hall.max_places or math.inf)
HALL_BASE_M2 = COSTS.community_hall.base_m2


def _suffix(part: int, parts: int, sep: str) -> str:
    """Number the buildings of a town split into several (none for a single one)."""
    return f"{sep}{part + 1}" if parts > 1 else ""


def _spread(part: int, parts: int) -> float:
    """Latitude offset (degrees, about 450 m apart) of one of a town's buildings."""
    return 0.004 * (part - (parts - 1) / 2)


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
            room = 1.2 * catchment[(gemeente, plaats)]
            parts = math.ceil(room / GP_MAX_PLACES)
            for part in range(parts):
                rows.append(
                    {
                        "site_id": f"gp-{slug}{_suffix(part, parts, '-')}",
                        "name": f"Huisartsenpraktijk {plaats}{_suffix(part, parts, ' ')} "
                        "(voorbeeld)",
                        "kind": "existing",
                        "service": "gp",
                        "allowed_services": "gp;community_hall",
                        "managed": (gemeente, plaats) not in largest,
                        "lon": v["lon"],
                        "lat": v["lat"] + _spread(part, parts),
                        "capacity_places": round(room / parts),
                        "end_of_life_year": EOL_CYCLE[(i + 1 + part) % len(EOL_CYCLE)],
                        "gemeente": gemeente,
                    }
                )
        if v["pop"] >= 400:
            area = 200.0 + 0.05 * v["pop"]
            places = places_in_area("community_hall", area, COSTS)
            parts = math.ceil(places / HALL_MAX_PLACES)
            for part in range(parts):
                rows.append(
                    {
                        "site_id": f"dh-{slug}{_suffix(part, parts, '-')}",
                        "name": f"{'Dorpshuis' if parts == 1 else 'Buurthuis'} {plaats}"
                        f"{_suffix(part, parts, ' ')} (voorbeeld)",
                        "kind": "existing",
                        "service": "community_hall",
                        "allowed_services": "community_hall;gp",
                        "managed": True,
                        "lon": v["lon"] + 0.002,
                        "lat": v["lat"] + _spread(part, parts),
                        "floor_area_m2": area - (parts - 1) / parts * (area - HALL_BASE_M2),
                        "end_of_life_year": EOL_CYCLE[(i + 2 + part) % len(EOL_CYCLE)],
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
