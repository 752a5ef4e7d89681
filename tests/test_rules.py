"""Sizes, floor-area formula, closure norms, locks and budgets as data (issue 11)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from voorzieningen.errors import InputDataError
from voorzieningen.inputs import load_portfolio
from voorzieningen.limits import load_closure_norms, site_limits
from voorzieningen.schemas.model import (
    BudgetSettings,
    CostSettings,
    ModelOptions,
    SchoolClosureNorm,
    ServiceCosts,
)
from voorzieningen.schemas.sizes import floor_area_m2, places_in_area


def test_floor_area_is_base_plus_area_per_place():
    costs = CostSettings()
    # VNG: 200 m² + 5.03 m² per pupil -> 50 pupils: 200 + 251.5 = 451.5 m².
    assert floor_area_m2("school", 50, costs) == pytest.approx(451.5)
    # Two schools of 50 need 2 * 451.5 = 903 m², one merged school of 100 needs 703 m²:
    # the fixed base makes two small schools dearer by exactly one base (200 m²).
    two = 2 * floor_area_m2("school", 50, costs)
    assert two - floor_area_m2("school", 100, costs) == pytest.approx(200.0)
    # GP: 30 m² + 100 m² per 2,095 patients: one normpraktijk = 130 m² (LHV).
    assert floor_area_m2("gp", 2095, costs) == pytest.approx(130.0)
    # Hall: 150 m² + 0.09 m² per visitor equivalent: 1,700 VE -> 150 + 153 = 303 m².
    assert floor_area_m2("community_hall", 1700, costs) == pytest.approx(303.0)
    assert floor_area_m2("school", 0, costs) == 0.0


def test_places_in_area_inverts_floor_area():
    costs = CostSettings()
    # (1,206 - 200) / 5.03 = 200 pupils.
    assert places_in_area("school", 1206.0, costs) == pytest.approx(200.0)
    assert places_in_area("school", 150.0, costs) == 0.0  # not even the base
    for service, places in (("school", 37.0), ("gp", 8400.0), ("community_hall", 999.0)):
        area = floor_area_m2(service, places, costs)
        assert places_in_area(service, area, costs) == pytest.approx(places)


@pytest.mark.parametrize("bad", [-1.0, math.inf, math.nan])
def test_floor_area_refuses_bad_numbers(bad):
    with pytest.raises(ValueError, match="finite number >= 0"):
        floor_area_m2("school", bad, CostSettings())
    with pytest.raises(ValueError, match="finite number >= 0"):
        places_in_area("gp", bad, CostSettings())


def test_size_defaults_meet_the_issue_checks():
    costs = CostSettings()
    assert costs.gp.max_places == 20_000
    assert costs.school.max_places == 1_000
    assert costs.school.min_places == 23
    # A scenario changing one field keeps the others.
    changed = CostSettings.model_validate({"school": {"max_places": 600}})
    assert changed.school.max_places == 600
    assert changed.school.base_m2 == 200


def test_max_below_min_is_refused():
    with pytest.raises(ValidationError, match=r"max_places \(10\) is below min_places \(23\)"):
        CostSettings.model_validate({"school": {"max_places": 10}})
    with pytest.raises(ValidationError, match="greater than 0"):
        ServiceCosts(
            m2_per_place=1.0,
            new_build_eur_per_m2=1.0,
            renovate_eur_per_m2=1.0,
            convert_eur_per_m2=1.0,
            opex_eur_per_m2_year=1.0,
            max_places=0.0,
        )


def test_budget_per_year_scales_with_period_length():
    budget = BudgetSettings(capex_total_eur=9e6, capex_per_year_eur=1e6, net_spend_per_year_eur=2e5)
    limits = budget.per_period([5.0, 5.0, 10.0])
    assert limits.capex_total_eur == 9e6
    assert limits.capex_eur == (5e6, 5e6, 1e7)
    assert limits.net_spend_eur == (1e6, 1e6, 2e6)
    assert limits.net_spend_total_eur is None
    fixed = BudgetSettings(capex_per_period_eur=8e6).per_period([5.0, 10.0])
    assert fixed.capex_eur == (8e6, 8e6)
    assert BudgetSettings().per_period([5.0]).capex_eur == (None,)


def test_budget_errors_name_the_fix():
    with pytest.raises(ValidationError, match="both limit gross capex per period; keep one"):
        BudgetSettings(capex_per_year_eur=1.0, capex_per_period_eur=5.0)
    with pytest.raises(ValidationError, match="rename capex_total_eur to net_spend_total_eur"):
        BudgetSettings.model_validate({"capex_total_eur": 1e6, "sale_proceeds_fund_capex": True})
    with pytest.raises(ValidationError, match="implausible"):
        BudgetSettings(net_spend_per_year_eur=1e15)
    old = BudgetSettings.model_validate({"capex_total_eur": 1e6, "sale_proceeds_fund_capex": False})
    assert old.capex_total_eur == 1e6
    assert old.sale_proceeds_fund_capex is False


def test_unmet_penalties_per_service():
    opts = ModelOptions(unmet_penalty_min_by_service={"school": 360.0})
    assert opts.unmet_penalty_min_for("school") == 360.0
    assert opts.unmet_penalty_min_for("gp") == 240.0
    assert opts.norm_shortfall_penalty_min_for("school") == 360.0
    assert ModelOptions(norm_shortfall_penalty_min=60).norm_shortfall_penalty_min_for("gp") == 60
    with pytest.raises(ValidationError, match="unmet penalties must be positive minutes"):
        ModelOptions(unmet_penalty_min_by_service={"gp": 0.0})
    assert ModelOptions().construction_lead_periods == 1
    with pytest.raises(ValidationError, match="service_during_works"):
        ModelOptions.model_validate({"service_during_works": "closed"})


def test_closure_norms_precedence(tmp_path: Path):
    national = load_closure_norms(tmp_path, SchoolClosureNorm(), ["Pekela", "Delft"])
    assert national["opheffingsnorm_pupils"].tolist() == [23.0, 23.0]
    package = load_closure_norms(
        tmp_path, SchoolClosureNorm(package_table="2013"), ["Pekela", "Het Hogeland"]
    )
    # Pekela 65 pupils in bijlage 1 of the 2013 regulation; Het Hogeland (2019) is not in it.
    assert package.loc["Pekela", "opheffingsnorm_pupils"] == 65.0
    assert "BWBR0032502" in package.loc["Pekela", "source"]
    assert package.loc["Het Hogeland", "opheffingsnorm_pupils"] == 23.0
    (tmp_path / "normen.csv").write_text(
        "gemeente,opheffingsnorm_pupils,source\nPEKELA,40,eigen opgave\n", encoding="utf-8"
    )
    own = load_closure_norms(
        tmp_path,
        SchoolClosureNorm(package_table="2013", table_file="normen.csv"),
        ["Pekela", "Veendam"],
    )
    assert own["opheffingsnorm_pupils"].tolist() == [40.0, 83.0]
    assert own.loc["Pekela", "source"] == "eigen opgave"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("gemeente,norm\nPekela,40\n", r"missing.*opheffingsnorm_pupils|opheffingsnorm_pupils"),
        (
            "gemeente,opheffingsnorm_pupils\nPekela,veertig\n",
            r"normen\.csv, opheffingsnorm_pupils\) \| not a number of pupils between 0 and "
            r"1,000 in rows 2",
        ),
        (
            "gemeente,opheffingsnorm_pupils\nPekela,40\npekela,41\n",
            r"normen\.csv, gemeente\) \| gemeente listed twice in rows 2, 3",
        ),
        (
            "gemeente,opheffingsnorm_pupils\n,40\n",
            r"normen\.csv, gemeente\) \| empty in rows 2",
        ),
    ],
)
def test_closure_table_errors(tmp_path: Path, text: str, match: str):
    (tmp_path / "normen.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputDataError, match=match):
        load_closure_norms(tmp_path, SchoolClosureNorm(table_file="normen.csv"), ["Pekela"])


def test_closure_table_outside_region_is_refused():
    with pytest.raises(ValidationError, match="points outside the region folder"):
        SchoolClosureNorm(table_file="../normen.csv")


def test_missing_closure_table_is_named(tmp_path: Path):
    with pytest.raises(InputDataError, match=r"normen\.csv"):
        load_closure_norms(tmp_path, SchoolClosureNorm(table_file="normen.csv"), ["Pekela"])


HEADER = (
    "site_id,name,kind,service,lon,lat,floor_area_m2,capacity_places,"
    "min_places,max_places,max_floor_area_m2,lock,gemeente\n"
)


def test_portfolio_sizes_and_locks(tmp_path: Path):
    path = tmp_path / "portfolio.csv"
    path.write_text(
        HEADER
        + "a,School A,existing,school,4.35,52.00,1000,150,,1200,,must_keep; no_convert,Pekela\n"
        + "b,Praktijk B,existing,gp,4.36,52.00,,4190,,,,,Pekela\n"
        + "k,Kavel,candidate,,4.37,52.01,,,,,2000,,Pekela\n"
        + "g,Gezondheidscentrum G,existing,gp,4.38,52.00,,25000,,,,,Pekela\n"
        + "h,School H,existing,school,4.39,52.00,6000,,,,,,Pekela\n",
        encoding="utf-8",
    )
    sites = load_portfolio(path)
    assert sites.loc["a", "lock"] == "must_keep;no_convert"
    assert sites.loc["b", "lock"] == ""
    norms = load_closure_norms(tmp_path, SchoolClosureNorm(package_table="2013"), ["Pekela"])
    limits = site_limits(sites, ["school", "gp"], CostSettings(), norms)
    # a: its own max 1,200 pupils overrides the 1,000 default; min is Pekela's 65.
    assert limits.loc[("a", "school"), "max_places"] == 1200
    assert limits.loc[("a", "school"), "min_places"] == 65
    # a as GP (after conversion): GP defaults.
    assert limits.loc[("a", "gp"), "max_places"] == 20_000
    # a: 1,000 m² * (1 + 0.5) = 1,500 m².
    assert limits.loc[("a", "school"), "max_floor_area_m2"] == pytest.approx(1500.0)
    # b: no floor area given -> 30 + 100 / 2095 * 4190 = 230 m²; * 1.5 = 345 m².
    assert limits.loc[("b", "gp"), "max_floor_area_m2"] == pytest.approx(345.0)
    assert limits.loc[("k", "school"), "max_floor_area_m2"] == 2000
    # g: a 25,000-patient centre exists; the 20,000 default does not shrink it, and as a
    # school (after conversion) the school default holds.
    assert limits.loc[("g", "gp"), "max_places"] == 25_000
    assert limits.loc[("g", "school"), "max_places"] == 1_000
    # h: no capacity given; 6,000 m² holds (6000 - 200) / 5.03 = 1,153 pupils > 1,000.
    assert limits.loc[("h", "school"), "max_places"] == pytest.approx(5800 / 5.03)
    assert limits.loc[("k", "school"), "min_places"] == 65
    without = site_limits(sites, ["school"], CostSettings(), None)
    assert without.loc[("k", "school"), "min_places"] == 23
    assert np.isnan(
        site_limits(
            sites, ["school"], CostSettings.model_validate({"school": {"max_places": None}})
        ).loc[("k", "school"), "max_places"]
    )


def test_sizes_without_service_are_refused(tmp_path: Path):
    path = tmp_path / "portfolio.csv"
    path.write_text(HEADER + "k,Kavel,candidate,,4.37,52.01,,,,500,,,\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"service\) \| rows 2 give min_places/max_places"):
        load_portfolio(path)
