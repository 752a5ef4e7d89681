"""kpis.csv, the per-service summary and per-resident travel times, by hand.

The same checks on the Delft demo run are in ``test_demo_delft.py`` (they share its solve).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from voorzieningen.kpis import KPI_COLUMNS, kpi_table, service_summary
from voorzieningen.results import baseline_travel_times, resident_after_times

ZONE_COLS = ["zone", "service", "period", "demand_persons", "served_persons", "unmet_persons"]
ASSIGN_COLS = ["zone", "site", "service", "period", "persons", "travel_time_min"]
NORMS = {"school": 10.0, "gp": 10.0}
PENALTY = {"school": 240.0, "gp": 120.0}


def small_instance() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two zones, two services, two periods (numbers chosen to be worked out by hand)."""
    zones = pd.DataFrame(
        [
            ("z1", "school", 2025, 100.0, 100.0, 0.0),
            ("z2", "school", 2025, 50.0, 30.0, 20.0),
            ("z1", "school", 2030, 100.0, 0.0, 100.0),
            ("z2", "school", 2030, 0.0, 0.0, 0.0),
            ("z1", "gp", 2025, 200.0, 200.0, 0.0),
        ],
        columns=ZONE_COLS,
    )
    assignments = pd.DataFrame(
        [
            ("z1", "s1", "school", 2025, 60.0, 2.0),
            ("z1", "s2", "school", 2025, 40.0, 12.0),  # beyond the 10-min norm
            ("z2", "s2", "school", 2025, 30.0, 8.0),
            ("z1", "s3", "gp", 2025, 200.0, 10.0),  # exactly at the norm: within
        ],
        columns=ASSIGN_COLS,
    )
    return zones, assignments


def test_kpi_table_by_hand():
    zones, assignments = small_instance()
    k = kpi_table(zones, assignments, norm_min=NORMS, penalty_min=PENALTY)
    assert list(k.columns) == list(KPI_COLUMNS)
    k = k.set_index(["service", "period"])
    school = k.loc[("school", 2025)]
    assert school["unit"] == "pupils"
    assert (school["demand"], school["served"], school["unmet"]) == (150.0, 130.0, 20.0)
    assert school["share_served"] == pytest.approx(130 / 150)
    # within 10 min: 60 at 2 min + 30 at 8 min; the 40 at 12 min are not (margin 2 min)
    assert school["share_within_norm"] == pytest.approx(90 / 150)
    assert school["norm_min"] == 10.0
    # (60*2 + 40*12 + 30*8) / 130 = 840 / 130
    assert school["mean_time_served_min"] == pytest.approx(840 / 130)
    # (840 + 20 unserved * 240 min) / 150 = 37.6
    assert school["mean_time_all_min"] == pytest.approx(37.6)
    assert school["unmet_penalty_min"] == 240.0
    # nobody served: no mean of the served, everyone at the penalty
    empty = k.loc[("school", 2030)]
    assert (empty["served"], empty["unmet"], empty["share_served"]) == (0.0, 100.0, 0.0)
    assert np.isnan(empty["mean_time_served_min"])
    assert empty["mean_time_all_min"] == pytest.approx(240.0)
    gp = k.loc[("gp", 2025)]
    assert gp["unit"] == "patients"
    assert gp["share_within_norm"] == 1.0  # 10.0 min <= 10 min
    assert gp["mean_time_all_min"] == pytest.approx(10.0)


def test_service_summary_by_hand():
    zones, assignments = small_instance()
    k = kpi_table(zones, assignments, norm_min=NORMS, penalty_min=PENALTY)
    s = service_summary(k, {2025: 0.5, 2030: 0.5})
    assert s["served_pupils"] == pytest.approx(0.5 * 130 + 0.5 * 0)
    assert s["unmet_pupils"] == pytest.approx(0.5 * 20 + 0.5 * 100)
    assert s["mean_time_served_min_school"] == pytest.approx(840 / 130)
    # (0.5*5640 + 0.5*24000) / (0.5*150 + 0.5*100) = 14820 / 125
    assert s["mean_time_all_min_school"] == pytest.approx(118.56)
    assert s["served_patients"] == pytest.approx(100.0)
    assert s["mean_time_all_min_gp"] == pytest.approx(10.0)
    assert not any("persons" in key for key in s)  # nothing summed over services


def test_serving_fewer_people_never_looks_better():
    """Plan B leaves half unserved to serve the rest faster: only mean_time_all shows it."""
    zones_a = pd.DataFrame([("z", "school", 2025, 100.0, 100.0, 0.0)], columns=ZONE_COLS)
    zones_b = pd.DataFrame([("z", "school", 2025, 100.0, 50.0, 50.0)], columns=ZONE_COLS)
    a = pd.DataFrame([("z", "s", "school", 2025, 100.0, 5.0)], columns=ASSIGN_COLS)
    b = pd.DataFrame([("z", "s", "school", 2025, 50.0, 3.0)], columns=ASSIGN_COLS)
    ka = kpi_table(zones_a, a, norm_min=NORMS, penalty_min=PENALTY).iloc[0]
    kb = kpi_table(zones_b, b, norm_min=NORMS, penalty_min=PENALTY).iloc[0]
    assert kb["mean_time_served_min"] < ka["mean_time_served_min"]  # 3 < 5: misleading
    assert ka["mean_time_all_min"] == pytest.approx(5.0)
    assert kb["mean_time_all_min"] == pytest.approx((50 * 3 + 50 * 240) / 100)  # 121.5


def test_before_is_per_resident_nearest_existing_facility():
    """Two residents' points each near a different school: 2 min each, not 6 for the zone."""
    asis = pd.Series(
        [100.0, 100.0],
        index=pd.MultiIndex.from_tuples([("e1", "school"), ("e2", "school")]),
        name="capacity_places",
    ).rename_axis(["site", "service"])
    pairs = pd.DataFrame(
        [("z1", "e1", "school", 6.0), ("z1", "e2", "school", 6.0), ("z1", "c", "school", 0.5)],
        columns=["zone", "site", "service", "travel_time_min"],
    )
    data = SimpleNamespace(asis_capacity=asis, pairs=pairs)
    residents = pd.DataFrame(
        [
            ("z1", "z1#1", "e1", 2.0, 0.5),
            ("z1", "z1#1", "e2", 10.0, 0.5),
            ("z1", "z1#2", "e1", 10.0, 0.5),
            ("z1", "z1#2", "e2", 2.0, 0.5),
            ("z1", "z1#1", "c", 0.5, 0.5),  # a candidate site is not open today
            ("z2", "z2#1", "c", 1.0, 1.0),  # z2 reaches no existing school
        ],
        columns=["zone", "point", "site", "travel_time_min", "weight"],
    )
    zone_level = baseline_travel_times(data)  # type: ignore[arg-type]
    assert zone_level[("z1", "school")] == 6.0  # the best single school for the zone's mean
    per_resident = baseline_travel_times(data, residents)  # type: ignore[arg-type]
    # each half of the zone to its own nearest school: 0.5*2 + 0.5*2 (counting the
    # candidate would give 0.5*0.5 + 0.5*2 = 1.25)
    assert per_resident[("z1", "school")] == pytest.approx(2.0)
    assert ("z2", "school") not in per_resident.index


def test_after_is_per_resident_within_the_plans_assignment():
    """A zone's 100 persons live half at p1 (2 min to s1, 10 to s2), half at p2 (reverse)."""
    residents = pd.DataFrame(
        [
            ("z", "z#1", "s1", 2.0, 0.5),
            ("z", "z#1", "s2", 10.0, 0.5),
            ("z", "z#2", "s1", 10.0, 0.5),
            ("z", "z#2", "s2", 2.0, 0.5),
            ("y", "y#1", "s1", 4.0, 0.25),
            ("y", "y#2", "s1", 8.0, 0.75),
        ],
        columns=["zone", "point", "site", "travel_time_min", "weight"],
    )
    assignments = pd.DataFrame(
        [
            # 2025: 50 / 50, each half to its own near site: 2 min (the pair times say 6)
            ("z", "s1", "school", 2025, 50.0, 6.0),
            ("z", "s2", "school", 2025, 50.0, 6.0),
            # 2030: 80 / 20: 50 of p1 + 30 of p2 to s1, 20 of p2 to s2:
            # (50*2 + 30*10 + 20*2) / 100 = 4.4
            ("z", "s1", "school", 2030, 80.0, 6.0),
            ("z", "s2", "school", 2030, 20.0, 6.0),
            # one site: everyone goes there, the mean over the residents: 0.25*4 + 0.75*8 = 7
            ("y", "s1", "school", 2025, 40.0, 7.0),
        ],
        columns=ASSIGN_COLS,
    )
    after = resident_after_times(assignments, residents)
    assert after[("z", "school", 2025)] == pytest.approx(2.0)
    assert after[("z", "school", 2030)] == pytest.approx(4.4)
    assert after[("y", "school", 2025)] == pytest.approx(7.0)
