"""The Noordoost-Groningen benchmark instance (``benchmarks/noordoost.py``) holds what its
docstring says: GP practices with room for 1.2 x every inhabitant, a dorpshuis sized by its
village, and no building above the largest size the product allows (which would shrink it
and send town residents to other villages).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from voorzieningen import region
from voorzieningen.schemas.model import CostSettings
from voorzieningen.schemas.sizes import places_in_area

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import noordoost

COSTS = CostSettings()


@pytest.fixture(scope="module")
def instance(data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    reg = region.create_region(
        "noordoost-groningen",
        noordoost.GEMEENTEN,
        data_dir=data_dir,
        out=tmp_path_factory.mktemp("noordoost"),
        osm=False,
    )
    return reg.zones, noordoost._portfolio(reg)


def test_every_inhabitant_has_room_at_a_gp_practice(instance):
    zones, portfolio = instance
    gp = portfolio[portfolio["service"] == "gp"]
    inhabitants = float(zones["population_persons"].sum())
    # Each practice part is rounded to a whole place: at most half a place each.
    assert gp["capacity_places"].sum() == pytest.approx(1.2 * inhabitants, abs=0.5 * len(gp))
    assert gp["capacity_places"].max() <= COSTS.gp.max_places
    # The largest towns need more than one practice (else the check above is idle).
    assert gp["site_id"].str.endswith("-2").any()
    assert portfolio["site_id"].is_unique


def test_halls_are_sized_by_their_village_and_none_is_clipped(instance):
    zones, portfolio = instance
    pop = zones.groupby(["gemeente", "plaats"])["population_persons"].sum()
    wanted = sum(places_in_area("community_hall", 200.0 + 0.05 * p, COSTS) for p in pop[pop >= 400])
    halls = portfolio[portfolio["service"] == "community_hall"]
    places = pd.Series([places_in_area("community_hall", a, COSTS) for a in halls["floor_area_m2"]])
    assert places.sum() == pytest.approx(wanted, rel=1e-9)
    assert places.max() <= COSTS.community_hall.max_places
    assert (halls["name"].str.startswith("Buurthuis")).any()
