"""Every numeric setting has a documented plausible range (issue 14), checked on the schema."""

from __future__ import annotations

import typing

import annotated_types as at
import pytest
from pydantic import BaseModel, ValidationError

from voorzieningen.errors import ScenarioError
from voorzieningen.scenarios import load_scenario
from voorzieningen.schemas.scenario import Scenario

#: Numeric settings whose values sit in a dict or list: bounded by a validator, each with a
#: value it must refuse (checked below).
BOUNDED_BY_VALIDATOR = {
    "periods": [3000],
    "network.estimate.detour_factor": {"car": 50.0, "bicycle": 1.3, "ebike": 1.3, "walk": 1.3},
    "network.estimate.speed_kph": {"car": 400.0, "bicycle": 15.0, "ebike": 20.0, "walk": 5.0},
    "network.walk_speed_kph": {"adult": 1000.0},
    "network.car_speed_kph": {"residential": 1000.0},
    "demand.school_band_fractions": {"0-4": 0.2, "5-9": 2.0, "10-14": 0.4},
    "demand.known_inflow_per_1000": {2022: 150.0},
    "model.service_weights": {"gp": 1e9},
    "robust.variants": {"mid": 5.0, "low": 0.5},
    "model.unmet_penalty_min_by_service": {"gp": 1e9},
    "budget.capex_total_eur": 1e300,
    "budget.capex_per_year_eur": 1e300,
    "budget.capex_per_period_eur": 1e300,
    "budget.net_spend_total_eur": 1e300,
    "budget.net_spend_per_year_eur": 1e300,
    "solver.highs_options": None,  # passed to HiGHS as given (documented)
}


def _numeric_fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for name, info in model.model_fields.items():
        args = typing.get_args(info.annotation) or (info.annotation,)
        for arg in args:
            inner = typing.get_args(arg) or (arg,)
            for sub in inner:
                if isinstance(sub, type) and issubclass(sub, BaseModel):
                    found += _numeric_fields(sub, f"{prefix}{name}.")
        numeric = any(a in (int, float) for a in args)
        nested = any(
            t in (int, float) for a in args for t in typing.get_args(a) if a not in (int, float)
        )
        if numeric or nested:
            found.append((f"{prefix}{name}", info))
    return found


def test_every_numeric_setting_has_bounds() -> None:
    unbounded = []
    for key, info in _numeric_fields(Scenario):
        meta = list(getattr(info, "metadata", []))
        for arg in typing.get_args(info.annotation):  # bounds of a union's Annotated member
            if typing.get_origin(arg) is typing.Annotated:
                for item in arg.__metadata__:
                    meta += getattr(item, "metadata", [item])
        low = any(isinstance(m, at.Ge | at.Gt) for m in meta)
        high = any(isinstance(m, at.Le | at.Lt) for m in meta)
        if not (low and high) and key not in BOUNDED_BY_VALIDATOR:
            unbounded.append(key)
    assert not unbounded, f"numeric settings without a plausible range: {unbounded}"


BASE = {"region": "toy", "network": {"source": "osm/x.graphml"}}


def _set(tree: dict[str, object], key: str, value: object) -> dict[str, object]:
    parts = key.split(".")
    node = tree
    for part in parts[:-1]:
        node = node.setdefault(part, {})  # type: ignore[assignment]
    node[parts[-1]] = value  # type: ignore[index]
    return tree


@pytest.mark.parametrize("key", [k for k, v in BOUNDED_BY_VALIDATOR.items() if v is not None])
def test_validator_bounded_settings_refuse_absurd_values(key: str) -> None:
    tree = _set({**BASE}, key, BOUNDED_BY_VALIDATOR[key])
    with pytest.raises(ValidationError):
        Scenario.model_validate(tree)


def test_no_setting_accepts_infinity() -> None:
    refused = []
    for key, info in _numeric_fields(Scenario):
        if key in BOUNDED_BY_VALIDATOR or info.annotation in (int, int | None):
            continue
        try:
            Scenario.model_validate(_set({**BASE, "network": {"source": "x"}}, key, float("inf")))
        except ValidationError:
            refused.append(key)
    wanted = [
        k
        for k, i in _numeric_fields(Scenario)
        if k not in BOUNDED_BY_VALIDATOR and i.annotation not in (int, int | None)
    ]
    assert refused == wanted
    assert "costs.building_life_years" in refused


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("periods=[0,5]", r"periods must be calendar years within 2000-2100"),
        ("periods=[2010,2015]", r"start before demand\.base_year 2021"),
        ("solver.threads=100000", r"solver\.threads\) \| Input should be less than or equal to 64"),
        (
            "costs.building_life_years=Infinity",
            r"building_life_years\) \| Input should be a finite",
        ),
    ],
)
def test_issue_settings_are_refused_when_loading(tmp_path, setting: str, message: str) -> None:
    """validate and run both load the scenario this way: the same checks, before any solve."""
    path = tmp_path / "scenarios.toml"
    path.write_text('[base]\nregion = "toy"\n[base.network]\nsource = "osm/x.graphml"\n')
    load_scenario(path)
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path, sets=[setting])
